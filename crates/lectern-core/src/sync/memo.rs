//! What this device remembers of the server it syncs with (`lectern.v1.sync.state`):
//!
//! - `replica`: this device's own id (random, kept), which names its checkpoint on the server
//!   (`_local/lectern-<replica>`: `_local` documents are never replicated);
//! - `peer`: the server and database the rest is about (another one starts afresh);
//! - `session` and `since`: the checkpoint — the `_changes` sequence up to which everything has
//!   been applied here. It is kept locally *and* on the server; they must name the same
//!   `session`, or this device starts again from `0` (the database was deleted and made anew,
//!   or restored, or the checkpoint lost): everything is read again and joined, nothing is
//!   deleted, and what the server lacks is sent;
//! - `crypto`: the fingerprint of the database's encryption parameters last seen;
//! - `docs`: per document, the revision last seen on the server and the fingerprint
//!   ([`super::docs::fingerprint`]) of the local data when it matched it. A document whose
//!   local fingerprint differs (or that has none) has changes to send.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::storage::{self, KeyValueStore, StoreError};

pub const MEMO_KEY: &str = "lectern.v1.sync.state";
pub const MEMO_VERSION: u32 = 1;

/// One document's last known revision on the server, and the local fingerprint that matched
/// it (`None`: local data differs and must be sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub rev: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Deleted leaves this device made when it resolved a conflict (`_changes` with
    /// `style=all_docs` lists them beside the winner: they are not news).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dead: Vec<String>,
}

impl Record {
    pub fn new(rev: String, hash: Option<String>) -> Record {
        Record {
            rev,
            hash,
            dead: Vec::new(),
        }
    }

    /// Whether `revs` (a document's leaves in `_changes`) are all known: this revision and
    /// deleted leaves this device made.
    pub fn knows(&self, revs: &[&str]) -> bool {
        revs.contains(&self.rev.as_str())
            && revs
                .iter()
                .all(|r| *r == self.rev || self.dead.iter().any(|d| d == r))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Memo {
    pub replica: String,
    pub peer: String,
    pub session: String,
    pub since: Value,
    pub crypto: Option<String>,
    /// The revision of the checkpoint document on the server (to write it again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_rev: Option<String>,
    pub docs: BTreeMap<String, Record>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo {
            replica: String::new(),
            peer: String::new(),
            session: String::new(),
            since: Value::from(0),
            crypto: None,
            checkpoint_rev: None,
            docs: BTreeMap::new(),
        }
    }
}

impl Memo {
    /// What is stored, or a fresh memo (a value that does not parse is moved aside by
    /// [`storage::load`]: the next round reads everything again, which loses nothing).
    pub fn load(store: &dyn KeyValueStore) -> Memo {
        storage::load::<Memo, _>(store, MEMO_KEY, MEMO_VERSION, |v, d| match v {
            1 => Ok(d),
            v => Err(format!("unknown sync state version {v}")),
        })
        .value
    }

    pub fn save(&self, store: &dyn KeyValueStore) -> Result<(), StoreError> {
        storage::write_envelope(store, MEMO_KEY, MEMO_VERSION, self)
    }

    /// This memo for `peer`: as it is when it is about `peer`, else started afresh. `replica`
    /// and `session` are used when none is there yet.
    pub fn for_peer(mut self, peer: &str, replica: &str, session: &str) -> Memo {
        if self.replica.is_empty() {
            self.replica = replica.to_owned();
        }
        if self.peer != peer {
            self.peer = peer.to_owned();
            self.reset(session);
        } else if self.session.is_empty() {
            self.session = session.to_owned();
        }
        self
    }

    /// Start again from the beginning of the server's changes, with a new checkpoint lineage:
    /// every document is read again and nothing is taken as known.
    pub fn reset(&mut self, session: &str) {
        self.session = session.to_owned();
        self.since = Value::from(0);
        self.crypto = None;
        self.docs.clear();
    }

    /// The checkpoint document's id on the server.
    pub fn checkpoint_id(&self) -> String {
        format!("_local/lectern-{}", self.replica)
    }

    /// Forget every document's fingerprint: everything local is sent again (after the
    /// database becomes encrypted, its documents are written again sealed).
    pub fn mark_all_changed(&mut self) {
        for r in self.docs.values_mut() {
            r.hash = None;
        }
    }

    /// `since` as it goes in a URL (`12` or `12-g1AAAA…`).
    pub fn since_param(&self) -> String {
        since_param(&self.since)
    }
}

/// A `_changes` sequence as it goes in a URL.
pub fn since_param(since: &Value) -> String {
    match since {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => "0".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStore;

    #[test]
    fn a_memo_is_per_server_and_database_and_survives_a_reload() {
        let store = MemoryStore::default();
        let mut m = Memo::load(&store).for_peer("https://a/ db", "r1", "s1");
        assert_eq!((m.replica.as_str(), m.session.as_str()), ("r1", "s1"));
        m.since = Value::from("12-abc");
        m.docs.insert(
            "settings".into(),
            Record::new("1-x".into(), Some("h".into())),
        );
        m.save(&store).unwrap();
        let again = Memo::load(&store).for_peer("https://a/ db", "r2", "s2");
        assert_eq!(again, m, "same peer: kept (replica and session too)");
        assert_eq!(again.since_param(), "12-abc");
        let other = Memo::load(&store).for_peer("https://b/ db", "r2", "s2");
        assert_eq!(other.replica, "r1", "the device keeps its id");
        assert_eq!(other.session, "s2");
        assert_eq!(other.since, Value::from(0));
        assert!(other.docs.is_empty());
        assert_eq!(other.checkpoint_id(), "_local/lectern-r1");
    }

    #[test]
    fn a_corrupt_memo_starts_afresh() {
        let store = MemoryStore::with(&[(MEMO_KEY, "{nope")]);
        assert_eq!(Memo::load(&store), Memo::default());
    }
}
