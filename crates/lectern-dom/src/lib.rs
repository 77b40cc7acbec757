//! Lectern's platform layer: the browser behind small, typed functions.
//!
//! - [`content_db`]: article content in IndexedDB, every failure a typed `StoreError`.
//! - [`local_store`]: `localStorage` as a core `KeyValueStore`, with `QuotaExceededError` and
//!   "no storage at all" as typed errors instead of exceptions.
//! - [`page`]: applying reader settings to the document, reading the browser's languages.
//! - [`paint`]: highlights painted with the CSS Custom Highlight API; a click point back to
//!   a character.
//! - [`selection`]: the DOM selection as (block, UTF-16 offset) points, clipped to the article.
//! - [`env`]: clock, random ids, clipboard, downloads.
//! - [`crash`]: the panic hook's message ("Lectern hit a bug; your data is safe").
//! - [`files`]: reading files from a chooser or a drop.
//! - [`import_worker`]: the importers, run in a Web Worker loaded on first import.
//! - [`speech`]: reading aloud (`speechSynthesis`) and the mark on the sentence being read.
//! - [`runner`]: the one effect runner: carries out what the core reducer asks (storage,
//!   files, imports, downloads, the URL) and reports every outcome back as an action.
//! - [`web_import`]: the bookmarklet's tab and "Share → Lectern"; [`images`]: articles'
//!   images shown in their placeholders, and the ones kept for offline reading.
//!
//! No algorithm lives here: functions take the element, document or store they act on as a
//! parameter (a test seam), convert, and call the core.

pub mod bench;
pub mod content_db;
pub mod crash;
pub mod env;
pub mod files;
pub mod first_paint;
pub mod import_worker;
pub mod local_store;
pub mod page;
pub mod paint;
pub mod runner;
pub mod selection;
// --- web import (issue 16) ---
pub mod images;
pub mod web_import;
// --- issue 18 ---
pub mod speech;
