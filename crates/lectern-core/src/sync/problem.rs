//! What can go wrong while syncing. Each is told to the reader with what to do
//! ([`crate::i18n::Lang::sync_problem`]); none changes local data, and what was not sent is
//! sent next time.

use crate::storage::StoreError;

/// Why a round (or a connection test) stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProblem {
    /// The browser says it is offline.
    Offline,
    /// No answer from the server (down, wrong address, name not found, certificate refused).
    Unreachable,
    /// The server answered, but its CORS settings do not allow this page's `origin`.
    Cors { origin: String },
    /// The server took too long.
    Timeout,
    /// Wrong user name or password (`cookie`: the session has ended).
    Auth { cookie: bool },
    /// The user may not read or write this database.
    Forbidden,
    /// There is no such database on the server.
    NoDatabase { database: String },
    /// The address answers, but not like CouchDB.
    NotCouch,
    /// The server failed (`status`, its `reason`).
    Server { status: u16, reason: String },
    /// The database is encrypted and this device has no passphrase.
    EncryptedNeedsPassphrase,
    /// The passphrase does not open the database's key check.
    WrongPassphrase,
    /// The database's encryption changed since this device last synced (another device turned
    /// it on, or it was reset).
    EncryptionChanged,
    /// The browser cannot encrypt here (no WebCrypto: the page is not https or localhost).
    CryptoUnavailable(String),
    /// The database's encryption document cannot be used (malformed, newer).
    BadCrypto(String),
    /// This browser's storage refused a write (full, unavailable).
    LocalStore(StoreError),
    /// The same documents conflicted again and again within one round.
    Conflicts { ids: Vec<String> },
    /// The server's answer could not be understood.
    BadResponse(String),
}

/// When to try again after a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// On the backoff schedule ([`super::backoff`]).
    Later,
    /// When the browser is back online (and on the schedule).
    Online,
    /// Only when the reader acts (changes a setting, presses "Sync now").
    Never,
}

impl SyncProblem {
    pub fn retry(&self) -> Retry {
        match self {
            SyncProblem::Offline | SyncProblem::Unreachable => Retry::Online,
            SyncProblem::Timeout
            | SyncProblem::Server { .. }
            | SyncProblem::LocalStore(_)
            | SyncProblem::Conflicts { .. }
            | SyncProblem::BadResponse(_) => Retry::Later,
            SyncProblem::Cors { .. }
            | SyncProblem::Auth { .. }
            | SyncProblem::Forbidden
            | SyncProblem::NoDatabase { .. }
            | SyncProblem::NotCouch
            | SyncProblem::EncryptedNeedsPassphrase
            | SyncProblem::WrongPassphrase
            | SyncProblem::EncryptionChanged
            | SyncProblem::CryptoUnavailable(_)
            | SyncProblem::BadCrypto(_) => Retry::Never,
        }
    }

    /// Whether the status bar says "offline" (rather than "error").
    pub fn is_offline(&self) -> bool {
        self.retry() == Retry::Online
    }
}
