//! Opt-in sync through a CouchDB server (issue 17; docs/sync.md, ADR 0010).
//!
//! Lectern keeps everything in the browser; sync copies it to a CouchDB database the reader
//! runs (or rents) and from there to their other devices, with the protocol CouchDB's own
//! clients use. Everything that decides anything is here, pure and tested natively; the
//! platform's runner (`lectern_dom::runner::sync`) only carries out HTTP requests and WebCrypto
//! calls that a [`round::Round`] asks for, and hands the answers back.
//!
//! - [`docs`]: the documents — one per article (library entry and text), one per article's
//!   annotations (with tombstones), one for the settings, each with a schema version; ids
//!   follow the local keys' grammar ([`docs::DocId`]). Every document from the server passes
//!   the backup's validation ([`crate::export::backup::backup_from_value`]) and its times are
//!   clamped like a restored backup's ([`crate::export::backup::clamp_times`]): a hostile server
//!   can change nothing a bad backup file could not. Conflicting revisions are joined with
//!   Lectern's merges ([`docs::join`]).
//! - [`local`]: local data ⇄ documents, through the library's, annotations' and settings' own
//!   functions; what has changed since the server last saw it ([`local::collect`]); applying
//!   pulled documents ([`local::apply`]) never deletes local data because the server lacks it.
//! - [`memo`]: what this device remembers of a server: its checkpoint (`since`, kept both
//!   locally and in a `_local/` document on the server) and each document's last revision.
//! - [`config`]: the server, database, user and what is stored where.
//! - [`crypto`]: the optional end-to-end encryption format (AES-GCM-256, PBKDF2-SHA-256 key).
//! - [`round`]: one replication round as a sans-I/O state machine (pull with `_changes`, fetch,
//!   resolve conflicts, push with `_bulk_docs`, checkpoint); [`backoff`]: when to try again.
//! - [`problem`]: what went wrong, in words a reader can act on (strings in [`crate::i18n`]).

pub mod backoff;
pub mod base64;
pub mod config;
pub mod crypto;
pub mod docs;
pub mod local;
pub mod memo;
pub mod problem;
pub mod round;

#[cfg(test)]
mod sim;

pub use config::{Auth, SyncConfig, SyncSecrets};
pub use docs::DocId;
pub use problem::SyncProblem;
pub use round::{Need, Round, RoundOpts, RoundReport};
