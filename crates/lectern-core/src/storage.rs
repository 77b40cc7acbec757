//! Storage schema: keys, versioned envelopes, migrations, and the rule that nothing saved is
//! ever lost.
//!
//! Every value Lectern stores is a JSON envelope `{"version": N, "data": …}` under a namespaced
//! key (`lectern.v1.settings`). Loading goes through [`load`], which never fails:
//! - a missing key gives the default;
//! - a value that does not parse (or has a version this build does not know how to migrate) is
//!   first copied aside to a fresh backup key (`<key>.corrupt.<n>`, never an existing key), then
//!   reported; if even the copy fails, the key is marked read-only so it is not overwritten;
//! - a value from a newer schema version is used as far as it parses, and the key is read-only.
//!
//! The browser's `localStorage` implements [`KeyValueStore`] in the platform crate;
//! [`MemoryStore`] implements it here for tests (with an optional quota).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::settings::Settings;

/// The key namespace; the `v1` names the key layout, the envelope carries the schema version.
pub const PREFIX: &str = "lectern.v1.";
pub const SETTINGS_KEY: &str = "lectern.v1.settings";
/// Schema version of the settings envelope this build writes.
pub const SETTINGS_VERSION: u32 = 1;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No storage at all (disabled cookies, sandboxed frame, private mode in some browsers).
    Unavailable(String),
    /// The write did not fit (`QuotaExceededError`).
    QuotaExceeded {
        key: String,
        bytes: usize,
    },
    /// The stored value was written by a newer Lectern (schema `found`): it must not be
    /// overwritten.
    Newer {
        key: String,
        found: u32,
    },
    Other(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(why) => write!(f, "storage unavailable: {why}"),
            StoreError::QuotaExceeded { key, bytes } => {
                write!(f, "storage full: {bytes} bytes for {key} did not fit")
            }
            StoreError::Newer { key, found } => write!(
                f,
                "{key} was written by a newer Lectern (schema version {found}) and is kept as it is"
            ),
            StoreError::Other(why) => write!(f, "storage error: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// A string key-value store: `localStorage` in the browser, [`MemoryStore`] in tests.
pub trait KeyValueStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Remove `key` (absent keys are fine).
    fn remove(&self, key: &str) -> Result<(), StoreError>;
    /// Every key in the store (to find articles whose list entry was lost, and to account for
    /// space).
    fn keys(&self) -> Result<Vec<String>, StoreError>;
}

/// An in-memory store; `quota_bytes` (sum of key and value lengths) makes writes fail like a
/// full `localStorage`.
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub map: RefCell<BTreeMap<String, String>>,
    pub quota_bytes: Option<usize>,
}

impl MemoryStore {
    pub fn with(entries: &[(&str, &str)]) -> MemoryStore {
        let store = MemoryStore::default();
        for (k, v) in entries {
            store.map.borrow_mut().insert(k.to_string(), v.to_string());
        }
        store
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut map = self.map.borrow_mut();
        if let Some(quota) = self.quota_bytes {
            let used: usize = map
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if used + key.len() + value.len() > quota {
                return Err(StoreError::QuotaExceeded {
                    key: key.to_owned(),
                    bytes: value.len(),
                });
            }
        }
        map.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.map.borrow_mut().remove(key);
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.map.borrow().keys().cloned().collect())
    }
}

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    version: u32,
    data: &'a T,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    version: u32,
    data: serde_json::Value,
}

/// Something worth telling the user about a stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The store could not be read or written at all.
    Unavailable { why: String },
    /// The value did not parse; the raw text was kept under `backup_key` (None if even the copy
    /// failed, in which case the key is read-only).
    Corrupt {
        key: String,
        error: String,
        backup_key: Option<String>,
    },
    /// Written by a newer Lectern (schema `found` > `supported`); the key is read-only.
    NewerVersion {
        key: String,
        found: u32,
        supported: u32,
    },
    /// A write failed.
    WriteFailed { key: String, error: StoreError },
    /// A restore was cut short (the page closed halfway); everything it had written was put
    /// back as it was before.
    RestoreUndone,
    /// This browser lets Lectern use no IndexedDB (`why`): article texts stay in
    /// `localStorage`, which holds a few hundred.
    ContentInLocalStorage { why: String },
    /// A note of `bytes` UTF-8 bytes was not saved: notes are at most `limit`
    /// ([`crate::note_markup::MAX_NOTE_BYTES`]); the note saved before stays.
    NoteTooLong { bytes: usize, limit: usize },
    /// The value did not parse (it was kept under `backup_key`) and was rebuilt from what else
    /// is stored: `found` items (articles, for the library list).
    Rebuilt {
        key: String,
        backup_key: String,
        found: usize,
    },
}

/// The outcome of [`load`]: a usable value, whether writing it back is allowed, and what
/// happened on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<T> {
    pub value: T,
    pub writable: bool,
    pub problem: Option<Problem>,
}

/// Serialise `value` in an envelope of `version`.
pub fn to_envelope<T: Serialize>(version: u32, value: &T) -> String {
    serde_json::to_string(&EnvelopeOut {
        version,
        data: value,
    })
    .expect("serialising plain data to JSON cannot fail")
}

/// The schema version of a stored envelope, read from its start (`{"version":N,…`, what
/// [`to_envelope`] writes) without parsing the rest; `None` when `raw` does not start so.
pub fn envelope_version(raw: &str) -> Option<u32> {
    let rest = raw.strip_prefix("{\"version\":")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest[..digits].parse().ok()
}

/// Write `value` under `key` as an envelope of `version`, unless what is stored there was
/// written by a newer Lectern ([`StoreError::Newer`]: it is never overwritten, whichever tab
/// wrote it and whenever).
pub fn write_envelope<T: Serialize>(
    store: &dyn KeyValueStore,
    key: &str,
    version: u32,
    value: &T,
) -> Result<(), StoreError> {
    check_not_newer(store, key, version)?;
    store.set(key, &to_envelope(version, value))
}

/// [`StoreError::Newer`] when the value stored under `key` has a schema version above
/// `current`.
pub fn check_not_newer(
    store: &dyn KeyValueStore,
    key: &str,
    current: u32,
) -> Result<(), StoreError> {
    if let Some(raw) = store.get(key)? {
        let found = envelope_version(&raw).or_else(|| {
            serde_json::from_str::<VersionOnly>(&raw)
                .ok()
                .map(|v| v.version)
        });
        if let Some(found) = found.filter(|&f| f > current) {
            return Err(StoreError::Newer {
                key: key.to_owned(),
                found,
            });
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

/// Why a value another tab stored cannot be taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredElsewhere {
    /// Written by a newer Lectern: the key must become read-only here.
    Newer { found: u32 },
    /// It does not parse (the tab that wrote it, or the next load, deals with it).
    Bad(String),
}

/// Parse a value as it arrives in another tab's `storage` event. Unlike [`load`] this never
/// writes (no backup copy): the other tab owns that value.
pub fn parse_stored<T, F>(raw: &str, current: u32, migrate: F) -> Result<T, StoredElsewhere>
where
    T: DeserializeOwned,
    F: Fn(u32, serde_json::Value) -> Result<serde_json::Value, String>,
{
    let env: EnvelopeIn =
        serde_json::from_str(raw).map_err(|e| StoredElsewhere::Bad(e.to_string()))?;
    if env.version > current {
        return Err(StoredElsewhere::Newer { found: env.version });
    }
    let data = migrate(env.version, env.data).map_err(StoredElsewhere::Bad)?;
    serde_json::from_value(data).map_err(|e| StoredElsewhere::Bad(e.to_string()))
}

/// Load `key`: see the module docs for what happens to missing, corrupt and newer values.
/// `migrate(version, data)` turns data of any older supported version into the current shape.
pub fn load<T, F>(store: &dyn KeyValueStore, key: &str, current: u32, migrate: F) -> Loaded<T>
where
    T: DeserializeOwned + Default,
    F: Fn(u32, serde_json::Value) -> Result<serde_json::Value, String>,
{
    let raw = match store.get(key) {
        Ok(Some(raw)) => raw,
        Ok(None) => {
            return Loaded {
                value: T::default(),
                writable: true,
                problem: None,
            }
        }
        Err(e) => {
            return Loaded {
                value: T::default(),
                writable: false,
                problem: Some(Problem::Unavailable { why: e.to_string() }),
            }
        }
    };
    let parsed = serde_json::from_str::<EnvelopeIn>(&raw).map_err(|e| e.to_string());
    let result = parsed.and_then(|env| {
        if env.version > current {
            // Best effort: newer data that still fits our shape is shown, but never rewritten.
            let value = serde_json::from_value::<T>(env.data).unwrap_or_default();
            return Ok(Loaded {
                value,
                writable: false,
                problem: Some(Problem::NewerVersion {
                    key: key.to_owned(),
                    found: env.version,
                    supported: current,
                }),
            });
        }
        let data = migrate(env.version, env.data)?;
        let value = serde_json::from_value::<T>(data).map_err(|e| e.to_string())?;
        Ok(Loaded {
            value,
            writable: true,
            problem: None,
        })
    });
    match result {
        Ok(loaded) => loaded,
        Err(error) => {
            let backup_key = move_aside(store, key, &raw);
            Loaded {
                value: T::default(),
                writable: backup_key.is_some(),
                problem: Some(Problem::Corrupt {
                    key: key.to_owned(),
                    error,
                    backup_key,
                }),
            }
        }
    }
}

/// Copy `raw` to the first free `<key>.corrupt.<n>`; `None` if that failed.
fn move_aside(store: &dyn KeyValueStore, key: &str, raw: &str) -> Option<String> {
    for n in 1..1000 {
        let candidate = format!("{key}.corrupt.{n}");
        match store.get(&candidate) {
            Ok(None) => {
                return store.set(&candidate, raw).ok().map(|()| candidate);
            }
            Ok(Some(existing)) if existing == raw => return Some(candidate),
            Ok(Some(_)) => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Settings migrations. Version 1 is the first; anything else is not ours.
pub fn migrate_settings(
    version: u32,
    data: serde_json::Value,
) -> Result<serde_json::Value, String> {
    match version {
        1 => Ok(data),
        v => Err(format!("unknown settings version {v}")),
    }
}

pub fn load_settings(store: &dyn KeyValueStore) -> Loaded<Settings> {
    let mut loaded: Loaded<Settings> =
        load(store, SETTINGS_KEY, SETTINGS_VERSION, migrate_settings);
    loaded.value = loaded.value.clamped();
    loaded
}

pub fn save_settings(store: &dyn KeyValueStore, settings: &Settings) -> Result<(), StoreError> {
    write_envelope(store, SETTINGS_KEY, SETTINGS_VERSION, settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Theme;

    #[test]
    fn missing_settings_are_defaults_and_writable() {
        let store = MemoryStore::default();
        let l = load_settings(&store);
        assert_eq!(l.value, Settings::default());
        assert!(l.writable && l.problem.is_none());
    }

    #[test]
    fn settings_round_trip_through_the_envelope() {
        let store = MemoryStore::default();
        let s = Settings {
            theme: Theme::Sepia,
            font_size_px: 22,
            ..Settings::default()
        };
        save_settings(&store, &s).unwrap();
        let raw = store.get(SETTINGS_KEY).unwrap().unwrap();
        assert!(raw.starts_with(r#"{"version":1,"data":{"#), "{raw}");
        assert_eq!(load_settings(&store).value, s);
    }

    #[test]
    fn golden_v1_settings_still_load() {
        let golden = r#"{"version":1,"data":{"theme":"dark","font":"sans","fontSizePx":21,"lineWidthCh":60,"lineHeightTenths":18,"uiLang":"ru"}}"#;
        let store = MemoryStore::with(&[(SETTINGS_KEY, golden)]);
        let l = load_settings(&store);
        assert!(l.problem.is_none());
        assert_eq!(l.value.theme, Theme::Dark);
        assert_eq!(l.value.font_size_px, 21);
        assert_eq!(l.value.line_height_tenths, 18);
    }

    /// The settings with the image setting (issue 16), as written: pinned, so a change of the
    /// stored shape is a decision, not an accident.
    #[test]
    fn golden_settings_with_images() {
        let golden = r#"{"version":1,"data":{"theme":"system","font":"serif","fontSizePx":19,"lineWidthCh":66,"lineHeightTenths":16,"uiLang":"auto","images":"always","speech":{"rateTenths":10,"voices":{}}}}"#;
        let s = Settings {
            images: crate::settings::ImagePolicy::Always,
            ..Settings::default()
        };
        let store = MemoryStore::default();
        save_settings(&store, &s).unwrap();
        assert_eq!(store.get(SETTINGS_KEY).unwrap().unwrap(), golden);
        assert_eq!(
            load_settings(&MemoryStore::with(&[(SETTINGS_KEY, golden)])).value,
            s
        );
        // The golden v1 value from before the setting loads with "ask".
        let old = r#"{"version":1,"data":{"theme":"dark","font":"sans","fontSizePx":21,"lineWidthCh":60,"lineHeightTenths":18,"uiLang":"ru"}}"#;
        let l = load_settings(&MemoryStore::with(&[(SETTINGS_KEY, old)]));
        assert!(l.problem.is_none() && l.writable);
        assert_eq!(l.value.images, crate::settings::ImagePolicy::Ask);
    }

    #[test]
    fn garbage_is_moved_aside_never_overwritten() {
        let store = MemoryStore::with(&[
            (SETTINGS_KEY, "{not json"),
            ("lectern.v1.settings.corrupt.1", "older backup"),
        ]);
        let l = load_settings(&store);
        assert_eq!(l.value, Settings::default());
        assert!(l.writable);
        match l.problem {
            Some(Problem::Corrupt { backup_key, .. }) => {
                assert_eq!(backup_key.as_deref(), Some("lectern.v1.settings.corrupt.2"))
            }
            other => panic!("{other:?}"),
        }
        let map = store.map.borrow();
        assert_eq!(map["lectern.v1.settings.corrupt.1"], "older backup");
        assert_eq!(map["lectern.v1.settings.corrupt.2"], "{not json");
        assert_eq!(map[SETTINGS_KEY], "{not json");
    }

    #[test]
    fn loading_garbage_twice_makes_one_backup() {
        let store = MemoryStore::with(&[(SETTINGS_KEY, "[]")]);
        load_settings(&store);
        load_settings(&store);
        assert_eq!(store.map.borrow().len(), 2);
    }

    #[test]
    fn corrupt_value_with_no_room_for_a_backup_is_read_only() {
        let mut store = MemoryStore::with(&[(SETTINGS_KEY, "garbage")]);
        store.quota_bytes = Some(30);
        let l = load_settings(&store);
        assert!(!l.writable);
        assert!(matches!(
            l.problem,
            Some(Problem::Corrupt {
                backup_key: None,
                ..
            })
        ));
    }

    #[test]
    fn newer_versions_are_read_only() {
        let store =
            MemoryStore::with(&[(SETTINGS_KEY, r#"{"version":9,"data":{"theme":"sepia"}}"#)]);
        let l = load_settings(&store);
        assert!(!l.writable);
        assert_eq!(l.value.theme, Theme::Sepia);
        assert!(matches!(
            l.problem,
            Some(Problem::NewerVersion { found: 9, .. })
        ));
    }

    #[test]
    fn wrong_types_are_corrupt_and_out_of_range_numbers_are_clamped() {
        let store = MemoryStore::with(&[(SETTINGS_KEY, r#"{"version":1,"data":{"theme":42}}"#)]);
        assert!(matches!(
            load_settings(&store).problem,
            Some(Problem::Corrupt { .. })
        ));
        let store =
            MemoryStore::with(&[(SETTINGS_KEY, r#"{"version":1,"data":{"fontSizePx":255}}"#)]);
        assert_eq!(load_settings(&store).value.font_size_px, 28);
    }

    #[test]
    fn quota_errors_are_typed() {
        let store = MemoryStore {
            quota_bytes: Some(10),
            ..MemoryStore::default()
        };
        let err = save_settings(&store, &Settings::default()).unwrap_err();
        assert!(matches!(err, StoreError::QuotaExceeded { .. }));
    }

    #[test]
    fn a_newer_value_is_never_overwritten_by_a_write() {
        let newer = r#"{"version":7,"data":{"theme":"dark"}}"#;
        let store = MemoryStore::with(&[(SETTINGS_KEY, newer)]);
        let err = save_settings(&store, &Settings::default()).unwrap_err();
        assert_eq!(
            err,
            StoreError::Newer {
                key: SETTINGS_KEY.into(),
                found: 7
            }
        );
        assert_eq!(store.map.borrow()[SETTINGS_KEY], newer);
        // Spaced differently (not our writer's shape): still recognised.
        let spaced = r#"{ "data": {}, "version": 3 }"#;
        let store = MemoryStore::with(&[(SETTINGS_KEY, spaced)]);
        assert!(matches!(
            save_settings(&store, &Settings::default()),
            Err(StoreError::Newer { found: 3, .. })
        ));
        // Our own version, garbage, or nothing: written.
        for old in [r#"{"version":1,"data":{}}"#, "garbage"] {
            let store = MemoryStore::with(&[(SETTINGS_KEY, old)]);
            save_settings(&store, &Settings::default()).unwrap();
        }
        assert_eq!(envelope_version(r#"{"version":12,"data":1}"#), Some(12));
        assert_eq!(envelope_version("{}"), None);
    }

    #[test]
    fn values_from_another_tab_parse_without_writing() {
        let ok = parse_stored::<Settings, _>(
            r#"{"version":1,"data":{"theme":"dark"}}"#,
            SETTINGS_VERSION,
            migrate_settings,
        );
        assert_eq!(ok.unwrap().theme, Theme::Dark);
        assert_eq!(
            parse_stored::<Settings, _>(r#"{"version":5,"data":{}}"#, 1, migrate_settings),
            Err(StoredElsewhere::Newer { found: 5 })
        );
        assert!(matches!(
            parse_stored::<Settings, _>("nope", 1, migrate_settings),
            Err(StoredElsewhere::Bad(_))
        ));
    }
}
