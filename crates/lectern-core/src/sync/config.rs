//! Where to sync to, and what is stored where.
//!
//! Two keys, both only in this browser's `localStorage`, never in an export, a backup or the
//! crash report's rescue copy:
//! - [`CONFIG_KEY`]: the server's address, the database, the user name, how to sign in, whether
//!   sync is on and whether to encrypt ([`SyncConfig`]);
//! - [`SECRET_KEY`]: the password (only when the reader chose to remember it) and the
//!   encryption passphrase ([`SyncSecrets`]).
//!
//! Signing in with a CouchDB session cookie ([`Auth::Cookie`]) stores no password at all: it
//! is sent once to `/_session`, and the browser keeps the cookie the server sets.

use serde::{Deserialize, Serialize};

use crate::storage::{self, KeyValueStore, Loaded, StoreError};

/// The sync settings' key.
pub const CONFIG_KEY: &str = "lectern.v1.sync.config";
/// The secrets' key (password, passphrase): excluded from the crash report's rescue copy.
pub const SECRET_KEY: &str = "lectern.v1.sync.secret";
pub const CONFIG_VERSION: u32 = 1;

/// How requests are signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// HTTP Basic with the user name and the remembered password, on every request.
    #[default]
    Password,
    /// A CouchDB session cookie (`POST /_session` once; the browser sends the cookie).
    Cookie,
}

/// What the reader set in Settings → Sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncConfig {
    /// The server's address as the reader typed it, normalised by [`normalise_server`]
    /// (`https://couch.example.com/`, with a trailing slash).
    pub server: String,
    pub database: String,
    pub user: String,
    #[serde(default)]
    pub auth: Auth,
    /// Sync is on.
    pub enabled: bool,
    /// Encrypt documents before they leave this device (needs the passphrase).
    #[serde(default)]
    pub encrypt: bool,
}

/// What is kept secret on this device. Its `Debug` never shows the secrets themselves.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSecrets {
    /// The password, when it is remembered ([`Auth::Password`]).
    #[serde(default)]
    pub password: String,
    /// The encryption passphrase.
    #[serde(default)]
    pub passphrase: String,
}

impl std::fmt::Debug for SyncSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "password: {}, passphrase: {}",
            if self.password.is_empty() {
                "none"
            } else {
                "set"
            },
            if self.passphrase.is_empty() {
                "none"
            } else {
                "set"
            }
        )
    }
}

/// A password or passphrase on its way from the form to storage: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(empty)"
        } else {
            "Secret(…)"
        })
    }
}

/// Why a configuration cannot be used (the form says it: [`crate::i18n::Lang::sync_config_problem`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigProblem {
    /// Not an `http://` or `https://` address.
    ServerNotHttp,
    /// Plain `http://` to anything but this computer: the password would cross the network in
    /// clear, and a page served over https may not fetch it at all.
    ServerNotHttps,
    /// User name or password inside the address (they go in their own fields).
    ServerHasCredentials,
    /// Not a CouchDB database name (`^[a-z][a-z0-9_$()+/-]*$`, at most 238 characters).
    BadDatabase,
    /// No user name.
    NoUser,
    /// Encryption is on but there is no passphrase.
    NoPassphrase,
}

/// `raw` as a server base address: scheme and host lower-cased, no query or fragment, a
/// trailing `/` (a CouchDB behind a proxy at `/couchdb/` keeps its path). Plain `http://` only
/// to this computer (`localhost`, `127.0.0.1`): anything else must be `https://`.
pub fn normalise_server(raw: &str) -> Result<String, ConfigProblem> {
    let s = raw.trim();
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => ("https", rest),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => ("http", rest),
        _ => return Err(ConfigProblem::ServerNotHttp),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.contains('@') {
        return Err(ConfigProblem::ServerHasCredentials);
    }
    let authority = authority.to_ascii_lowercase();
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(authority.as_str(), |(h, _)| h);
    let valid_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    if !valid_host || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigProblem::ServerNotHttp);
    }
    // The page's Content-Security-Policy allows plain http to these two only (a CSP source
    // cannot name an IPv6 address, so `http://[::1]` would be refused by the browser).
    let local = matches!(host, "localhost" | "127.0.0.1");
    if scheme == "http" && !local {
        return Err(ConfigProblem::ServerNotHttps);
    }
    let mut path = path.to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

/// Whether `name` is a database name CouchDB accepts (lower-case letter first, then lower-case
/// letters, digits and `_$()+-/`, at most 238 characters).
pub fn is_valid_database(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 238
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_$()+-/".contains(&c))
}

impl SyncConfig {
    /// A configuration from what the reader typed, normalised, or the first thing wrong with it.
    pub fn new(
        server: &str,
        database: &str,
        user: &str,
        auth: Auth,
        encrypt: bool,
        passphrase: &str,
    ) -> Result<SyncConfig, ConfigProblem> {
        let server = normalise_server(server)?;
        let database = database.trim();
        if !is_valid_database(database) {
            return Err(ConfigProblem::BadDatabase);
        }
        let user = user.trim();
        if user.is_empty() {
            return Err(ConfigProblem::NoUser);
        }
        if encrypt && passphrase.is_empty() {
            return Err(ConfigProblem::NoPassphrase);
        }
        Ok(SyncConfig {
            server,
            database: database.to_owned(),
            user: user.to_owned(),
            auth,
            enabled: true,
            encrypt,
        })
    }

    /// Which server and database this is: the checkpoint and the documents' revisions are
    /// remembered per peer ([`super::memo`]).
    pub fn peer(&self) -> String {
        format!("{} {}", self.server, self.database)
    }

    /// The database's URL (`https://host/lectern/`); `/` in a name is `%2F`.
    pub fn db_url(&self) -> String {
        format!("{}{}/", self.server, self.database.replace('/', "%2F"))
    }

    /// The site this page must be allowed from (for the CORS message): the server's origin.
    pub fn origin(&self) -> &str {
        let after = self.server.find("://").map_or(0, |i| i + 3);
        let end = self.server[after..]
            .find('/')
            .map_or(self.server.len(), |i| after + i);
        &self.server[..end]
    }
}

/// The configuration, if any (a value that does not parse is moved aside and reported).
pub fn load_config(store: &dyn KeyValueStore) -> Loaded<Option<SyncConfig>> {
    storage::load(store, CONFIG_KEY, CONFIG_VERSION, |v, d| match v {
        1 => Ok(d),
        v => Err(format!("unknown sync settings version {v}")),
    })
}

pub fn save_config(store: &dyn KeyValueStore, config: &SyncConfig) -> Result<(), StoreError> {
    storage::write_envelope(store, CONFIG_KEY, CONFIG_VERSION, config)
}

/// The secrets (empty when none are stored or they do not parse: the reader types them again).
pub fn load_secrets(store: &dyn KeyValueStore) -> SyncSecrets {
    store
        .get(SECRET_KEY)
        .ok()
        .flatten()
        .and_then(|raw| storage::parse_stored(&raw, CONFIG_VERSION, |_, d| Ok(d)).ok())
        .unwrap_or_default()
}

/// Store the secrets; empty ones remove the key.
pub fn save_secrets(store: &dyn KeyValueStore, secrets: &SyncSecrets) -> Result<(), StoreError> {
    if secrets == &SyncSecrets::default() {
        return store.remove(SECRET_KEY);
    }
    store.set(SECRET_KEY, &storage::to_envelope(CONFIG_VERSION, secrets))
}

/// Turn sync off and forget the server: the configuration, the secrets and what was
/// remembered of the server ([`super::memo::MEMO_KEY`]). Local data is untouched.
pub fn forget(store: &dyn KeyValueStore) -> Result<(), StoreError> {
    store.remove(CONFIG_KEY)?;
    store.remove(SECRET_KEY)?;
    store.remove(super::memo::MEMO_KEY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStore;

    #[test]
    fn server_addresses_are_normalised_and_plain_http_only_to_this_computer() {
        let ok = [
            ("https://Couch.Example.com", "https://couch.example.com/"),
            (
                "  https://couch.example.com:6984/ ",
                "https://couch.example.com:6984/",
            ),
            (
                "https://example.com/couchdb?x=1#y",
                "https://example.com/couchdb/",
            ),
            ("http://127.0.0.1:5984", "http://127.0.0.1:5984/"),
            ("HTTP://localhost:5984/", "http://localhost:5984/"),
        ];
        for (raw, want) in ok {
            assert_eq!(normalise_server(raw).as_deref(), Ok(want), "{raw}");
        }
        assert_eq!(
            normalise_server("http://192.168.1.5:5984"),
            Err(ConfigProblem::ServerNotHttps)
        );
        assert_eq!(
            normalise_server("https://admin:pw@example.com"),
            Err(ConfigProblem::ServerHasCredentials)
        );
        for bad in [
            "couch.example.com",
            "ftp://x",
            "javascript:alert(1)",
            "https://",
            "https://a b/",
        ] {
            assert_eq!(
                normalise_server(bad),
                Err(ConfigProblem::ServerNotHttp),
                "{bad}"
            );
        }
    }

    #[test]
    fn database_names_follow_couchdb() {
        for ok in ["lectern", "a", "notes_2024", "team/alice", "x$()+-"] {
            assert!(is_valid_database(ok), "{ok}");
        }
        for bad in ["", "Lectern", "_users", "1db", "a b", "ё", &"a".repeat(239)] {
            assert!(!is_valid_database(bad), "{bad}");
        }
        let c =
            SyncConfig::new("https://h/", "team/alice", "u", Auth::Password, false, "").unwrap();
        assert_eq!(c.db_url(), "https://h/team%2Falice/");
        assert_eq!(c.origin(), "https://h");
        assert_eq!(
            SyncConfig::new("https://h/", "db", "u", Auth::Password, true, ""),
            Err(ConfigProblem::NoPassphrase)
        );
        assert_eq!(
            SyncConfig::new("https://h/", "db", " ", Auth::Password, false, ""),
            Err(ConfigProblem::NoUser)
        );
    }

    #[test]
    fn secrets_are_kept_apart_and_never_printed() {
        let store = MemoryStore::default();
        let c = SyncConfig::new("https://h", "db", "alice", Auth::Password, true, "pp").unwrap();
        save_config(&store, &c).unwrap();
        let s = SyncSecrets {
            password: "hunter2".into(),
            passphrase: "pp".into(),
        };
        save_secrets(&store, &s).unwrap();
        assert_eq!(load_config(&store).value, Some(c.clone()));
        assert_eq!(load_secrets(&store), s);
        assert!(!store.map.borrow()[CONFIG_KEY].contains("hunter2"));
        assert_eq!(format!("{s:?}"), "password: set, passphrase: set");
        assert!(!format!("{c:?}").contains("hunter2"));
        save_secrets(&store, &SyncSecrets::default()).unwrap();
        assert!(store.get(SECRET_KEY).unwrap().is_none());
        forget(&store).unwrap();
        assert!(store.keys().unwrap().is_empty());
    }
}
