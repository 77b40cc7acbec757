//! Native tests of whole rounds: devices (each a `MemoryStore`) sync through an in-memory
//! CouchDB that keeps revision trees the way CouchDB does (leaves, the winner by CouchDB's
//! rule, conflicts, deletions, `_changes` by sequence, `_local` documents, `new_edits=false`).
//! The same rounds run against a real server (pouchdb-server) in `e2e/tests/sync.test.mjs`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::base64;
use super::config::{Auth, SyncConfig, SyncSecrets};
use super::crypto;
use super::docs::Sealed;
use super::local::Scope;
use super::round::{
    CryptoError, HttpRequest, HttpResponse, Input, Need, NetError, Round, RoundOpts, RoundReport,
};
use super::SyncProblem;
use crate::annotation::{Annotation, Color};
use crate::annotations_doc::{self, AnnotationsDoc};
use crate::library::{self, ArticleMeta, SEED_ID};
use crate::parse::plain::parse_plain;
use crate::storage::{KeyValueStore, MemoryStore};

// --- The server ----------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Leaf {
    body: Value,
    deleted: bool,
}

#[derive(Debug, Clone, Default)]
struct Tree {
    leaves: BTreeMap<String, Leaf>,
    seq: u64,
}

fn generation(rev: &str) -> u64 {
    rev.split_once('-')
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(0)
}

impl Tree {
    /// CouchDB's winner: not deleted, the longest history, the greatest revision.
    fn winner(&self) -> Option<(&String, &Leaf)> {
        self.leaves
            .iter()
            .max_by_key(|(rev, l)| (!l.deleted, generation(rev), (*rev).clone()))
    }
}

#[derive(Debug, Clone, Default)]
struct Db {
    docs: BTreeMap<String, Tree>,
    local: BTreeMap<String, Value>,
    seq: u64,
}

#[derive(Debug, Default)]
pub struct Server {
    dbs: BTreeMap<String, Db>,
    users: BTreeMap<String, String>,
    pub down: bool,
    /// Refuse every request as a browser refuses a response without CORS headers.
    pub no_cors: bool,
    pub log: Vec<String>,
}

const BASE: &str = "https://couch.test/";

fn resp(status: u16, body: Value) -> Result<HttpResponse, NetError> {
    Ok(HttpResponse {
        status,
        body: body.to_string(),
    })
}

fn new_rev(generation: u64, body: &Value, parent: &str) -> String {
    let h = crate::annotation::text_hash(&format!("{parent}|{body}"));
    format!("{generation}-{}", &h[8..])
}

impl Server {
    pub fn with_db(db: &str) -> Server {
        let mut s = Server::default();
        s.users.insert("alice".into(), "pw".into());
        s.dbs.insert(db.into(), Db::default());
        s
    }

    pub fn drop_db(&mut self, db: &str) {
        self.dbs.insert(db.into(), Db::default());
    }

    fn db(&mut self, name: &str) -> &mut Db {
        self.dbs.get_mut(name).expect("exists")
    }

    /// The winning bodies of every document (for tests that read the server directly).
    pub fn bodies(&self, db: &str) -> BTreeMap<String, Value> {
        self.dbs[db]
            .docs
            .iter()
            .filter_map(|(id, t)| {
                let (_, l) = t.winner()?;
                (!l.deleted).then(|| (id.clone(), l.body.clone()))
            })
            .collect()
    }

    pub fn leaf_count(&self, db: &str, id: &str) -> usize {
        self.dbs[db].docs[id]
            .leaves
            .values()
            .filter(|l| !l.deleted)
            .count()
    }

    /// Write `doc` as `_bulk_docs` would (`new_edits=false`: its `_rev` as given).
    pub fn write(&mut self, db: &str, doc: Value, new_edits: bool) -> Value {
        let d = self.db(db);
        let id = doc["_id"].as_str().unwrap_or_default().to_owned();
        let tree = d.docs.entry(id.clone()).or_default();
        let deleted = doc.get("_deleted") == Some(&Value::Bool(true));
        let mut body = doc.clone();
        let obj = body.as_object_mut().unwrap();
        obj.remove("_rev");
        obj.remove("_deleted");
        obj.remove("_revisions");
        let rev = if !new_edits {
            doc["_rev"].as_str().unwrap().to_owned()
        } else {
            match doc.get("_rev").and_then(Value::as_str) {
                Some(parent) => {
                    if !tree.leaves.contains_key(parent) {
                        return json!({"id": id, "error": "conflict", "reason": "Document update conflict."});
                    }
                    tree.leaves.remove(parent);
                    new_rev(generation(parent) + 1, &body, parent)
                }
                None => {
                    if tree.leaves.values().any(|l| !l.deleted) {
                        return json!({"id": id, "error": "conflict", "reason": "Document update conflict."});
                    }
                    let top = tree.leaves.keys().map(|r| generation(r)).max().unwrap_or(0);
                    // A deleted document written anew continues its deleted branch.
                    let parent = tree.leaves.keys().max().cloned().unwrap_or_default();
                    tree.leaves.remove(&parent);
                    new_rev(top + 1, &body, &parent)
                }
            }
        };
        tree.leaves.insert(rev.clone(), Leaf { body, deleted });
        d.seq += 1;
        tree.seq = d.seq;
        json!({"ok": true, "id": id, "rev": rev})
    }

    fn doc_json(id: &str, rev: &str, l: &Leaf) -> Value {
        let mut v = l.body.clone();
        v["_id"] = id.into();
        v["_rev"] = rev.into();
        if l.deleted {
            v["_deleted"] = true.into();
        }
        v
    }

    pub fn handle(&mut self, req: &HttpRequest) -> Result<HttpResponse, NetError> {
        self.log.push(format!("{} {}", req.method, req.url));
        if self.down {
            return Err(NetError::Unreachable);
        }
        if self.no_cors {
            return Err(NetError::Cors);
        }
        let Some(path) = req.url.strip_prefix(BASE) else {
            return Err(NetError::Unreachable);
        };
        let auth = req
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .and_then(|(_, v)| v.strip_prefix("Basic "))
            .and_then(base64::decode)
            .and_then(|b| String::from_utf8(b).ok());
        let ok_user = auth
            .as_deref()
            .and_then(|a| a.split_once(':'))
            .is_some_and(|(u, p)| self.users.get(u).is_some_and(|x| x == p));
        if path.is_empty() {
            return resp(200, json!({"couchdb": "Welcome", "version": "3.3.3"}));
        }
        if !ok_user {
            return resp(
                401,
                json!({"error": "unauthorized", "reason": "Name or password is incorrect."}),
            );
        }
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let q: BTreeMap<&str, &str> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let (db_name, rest) = path.split_once('/').unwrap_or((path, ""));
        let body: Value = req
            .body
            .as_deref()
            .map(|b| serde_json::from_str(b).unwrap())
            .unwrap_or(Value::Null);
        if !self.dbs.contains_key(db_name) {
            if req.method == "PUT" && rest.is_empty() {
                self.dbs.insert(db_name.into(), Db::default());
                return resp(201, json!({"ok": true}));
            }
            return resp(
                404,
                json!({"error": "not_found", "reason": "Database does not exist."}),
            );
        }
        let db = db_name.to_owned();
        match (req.method, rest) {
            ("GET", "") => {
                let d = &self.dbs[&db];
                resp(
                    200,
                    json!({"db_name": db, "doc_count": d.docs.len(), "update_seq": d.seq}),
                )
            }
            ("GET", "_changes") => {
                let since: u64 = q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0);
                let limit: usize = q
                    .get("limit")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(usize::MAX);
                let d = &self.dbs[&db];
                let mut rows: Vec<(&String, &Tree)> =
                    d.docs.iter().filter(|(_, t)| t.seq > since).collect();
                rows.sort_by_key(|(_, t)| t.seq);
                rows.truncate(limit);
                let last = rows.last().map_or(since, |(_, t)| t.seq);
                let results: Vec<Value> = rows
                    .iter()
                    .map(|(id, t)| {
                        let changes: Vec<Value> =
                            t.leaves.keys().map(|r| json!({"rev": r})).collect();
                        let deleted = t.winner().is_some_and(|(_, l)| l.deleted);
                        json!({"id": id, "seq": t.seq, "changes": changes, "deleted": deleted})
                    })
                    .collect();
                resp(200, json!({"results": results, "last_seq": last}))
            }
            ("POST", "_all_docs") => {
                let d = &self.dbs[&db];
                let rows: Vec<Value> = body["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        let id = k.as_str().unwrap();
                        match d.docs.get(id).and_then(|t| Some((t, t.winner()?))) {
                            None => json!({"key": id, "error": "not_found"}),
                            Some((t, (rev, l))) => {
                                let mut doc = Self::doc_json(id, rev, l);
                                let conflicts: Vec<&String> = t
                                    .leaves
                                    .iter()
                                    .filter(|(r, x)| *r != rev && !x.deleted)
                                    .map(|(r, _)| r)
                                    .collect();
                                if !conflicts.is_empty() {
                                    doc["_conflicts"] = json!(conflicts);
                                }
                                if l.deleted {
                                    json!({"key": id, "id": id, "value": {"rev": rev, "deleted": true}, "doc": null})
                                } else {
                                    json!({"key": id, "id": id, "value": {"rev": rev}, "doc": doc})
                                }
                            }
                        }
                    })
                    .collect();
                resp(200, json!({"rows": rows}))
            }
            ("POST", "_bulk_docs") => {
                let new_edits = body.get("new_edits") != Some(&Value::Bool(false));
                let out: Vec<Value> = body["docs"]
                    .as_array()
                    .unwrap()
                    .clone()
                    .into_iter()
                    .map(|d| self.write(&db, d, new_edits))
                    .collect();
                resp(201, Value::Array(out))
            }
            (m, local) if local.starts_with("_local/") => {
                let d = self.db(&db);
                match m {
                    "GET" => match d.local.get(local) {
                        Some(v) => resp(200, v.clone()),
                        None => resp(404, json!({"error": "not_found", "reason": "missing"})),
                    },
                    _ => {
                        let cur = d
                            .local
                            .get(local)
                            .and_then(|v| v["_rev"].as_str().map(str::to_owned));
                        if cur.as_deref() != body.get("_rev").and_then(Value::as_str) {
                            return resp(409, json!({"error": "conflict"}));
                        }
                        let n = cur.map_or(1, |r| generation(&r) + 1);
                        let rev = format!("0-{n}");
                        let mut v = body.clone();
                        v["_rev"] = rev.clone().into();
                        v["_id"] = local.into();
                        d.local.insert(local.into(), v);
                        resp(201, json!({"ok": true, "id": local, "rev": rev}))
                    }
                }
            }
            ("GET", id) => {
                let d = &self.dbs[&db];
                let Some(t) = d.docs.get(id) else {
                    return resp(404, json!({"error": "not_found", "reason": "missing"}));
                };
                if q.get("open_revs") == Some(&"all") {
                    let all: Vec<Value> = t
                        .leaves
                        .iter()
                        .map(|(r, l)| json!({"ok": Self::doc_json(id, r, l)}))
                        .collect();
                    return resp(200, Value::Array(all));
                }
                match t.winner() {
                    Some((r, l)) if !l.deleted => resp(200, Self::doc_json(id, r, l)),
                    _ => resp(404, json!({"error": "not_found", "reason": "deleted"})),
                }
            }
            ("PUT", id) => {
                let mut doc = body.clone();
                doc["_id"] = id.into();
                let r = self.write(&db, doc, true);
                if r.get("error").is_some() {
                    resp(409, r)
                } else {
                    resp(201, r)
                }
            }
            _ => resp(400, json!({"error": "bad_request"})),
        }
    }
}

// --- A toy cipher with AES-GCM's behaviour: authenticated, with additional data ------------

fn key_of(passphrase: &str, salt: &[u8], iterations: u32) -> String {
    crate::annotation::text_hash(&format!(
        "{passphrase}|{}|{iterations}",
        base64::encode(salt)
    ))
}

fn stream(key: &str, iv: &[u8], n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            let h = crate::annotation::text_hash(&format!("{key}|{iv:?}|{}", i / 8));
            u8::from_str_radix(&h[8 + (i % 8) * 2..8 + (i % 8) * 2 + 2], 16).unwrap()
        })
        .collect()
}

fn tag(key: &str, aad: &str, iv: &[u8], data: &[u8]) -> Vec<u8> {
    let h = crate::annotation::text_hash(&format!("{key}|{aad}|{iv:?}|{data:?}"));
    let mut t = h.as_bytes()[8..].to_vec();
    t.truncate(16);
    t
}

struct Cipher {
    key: Option<String>,
    counter: u32,
}

impl Cipher {
    fn seal(&mut self, aad: &str, plain: &str) -> Sealed {
        let key = self.key.clone().expect("unlocked");
        self.counter += 1;
        let mut iv = [0u8; 12];
        iv[..4].copy_from_slice(&self.counter.to_be_bytes());
        let ks = stream(&key, &iv, plain.len());
        let mut data: Vec<u8> = plain.bytes().zip(ks).map(|(a, b)| a ^ b).collect();
        let t = tag(&key, aad, &iv, &data);
        data.extend(t);
        crypto::seal(&iv, &data)
    }

    fn open(&self, aad: &str, s: &Sealed) -> Option<String> {
        let key = self.key.as_ref()?;
        let (iv, data) = crypto::sealed_bytes(s).ok()?;
        let (ct, t) = data.split_at(data.len() - 16);
        if tag(key, aad, &iv, ct) != t {
            return None;
        }
        let ks = stream(key, &iv, ct.len());
        String::from_utf8(ct.iter().zip(ks).map(|(a, b)| a ^ b).collect()).ok()
    }
}

// --- Devices ---------------------------------------------------------------------------------

pub struct Device {
    pub store: MemoryStore,
    pub config: SyncConfig,
    pub secrets: SyncSecrets,
    first: bool,
    n: u8,
    cipher: Cipher,
}

impl Device {
    pub fn new(n: u8) -> Device {
        Device {
            store: MemoryStore::default(),
            config: SyncConfig::new(BASE, "lectern", "alice", Auth::Password, false, "").unwrap(),
            secrets: SyncSecrets {
                password: "pw".into(),
                passphrase: String::new(),
            },
            first: true,
            n,
            cipher: Cipher {
                key: None,
                counter: u32::from(n) << 24,
            },
        }
    }

    pub fn encrypting(mut self, passphrase: &str) -> Device {
        self.config.encrypt = true;
        self.secrets.passphrase = passphrase.into();
        self
    }

    /// One round, its needs answered by `server` and the toy cipher.
    pub fn sync(&mut self, server: &mut Server) -> Result<RoundReport, SyncProblem> {
        self.sync_at(server, "2026-06-01T00:00:00.000Z")
    }

    pub fn sync_at(&mut self, server: &mut Server, now: &str) -> Result<RoundReport, SyncProblem> {
        let mut random = [self.n; 32];
        random[31] = self.cipher.counter as u8;
        let opts = RoundOpts {
            limit: 3,
            ..RoundOpts::sync(self.first, Scope::All, now, random)
        };
        let mut round = Round::new(&self.store, &self.config, &self.secrets, opts);
        let mut input = Input::Start;
        for _ in 0..10_000 {
            input = match round.step(&self.store, input) {
                Need::Http(req) => Input::Http(server.handle(&req)),
                Need::Unlock {
                    salt,
                    iterations,
                    check,
                } => {
                    self.cipher.key = Some(key_of(&self.secrets.passphrase, &salt, iterations));
                    match self.cipher.open("crypto", &check) {
                        Some(p) if p == crypto::CHECK_PLAINTEXT => Input::Unlocked(Ok(())),
                        _ => {
                            self.cipher.key = None;
                            Input::Unlocked(Err(CryptoError::WrongKey))
                        }
                    }
                }
                Need::NewKey { salt, iterations } => {
                    self.cipher.key = Some(key_of(&self.secrets.passphrase, &salt, iterations));
                    Input::KeyMade(Ok(self.cipher.seal("crypto", crypto::CHECK_PLAINTEXT)))
                }
                Need::Seal(items) => Input::Sealed(Ok(items
                    .iter()
                    .map(|(aad, p)| self.cipher.seal(aad, p))
                    .collect())),
                Need::Open(items) => Input::Opened(
                    items
                        .iter()
                        .map(|(aad, s)| self.cipher.open(aad, s))
                        .collect(),
                ),
                Need::Done(r) => {
                    if r.is_ok() {
                        self.first = false;
                    }
                    return r;
                }
            };
        }
        panic!("the round did not end");
    }

    pub fn annotations(&self, article: &str) -> AnnotationsDoc {
        let text = super::local::article_text(&self.store, article).map(|a| a.text());
        annotations_doc::load_annotations(&self.store, article, text.as_deref()).value
    }

    pub fn save(&self, article: &str, doc: &AnnotationsDoc) {
        annotations_doc::save_annotations(&self.store, article, doc, None).unwrap();
    }

    pub fn library(&self) -> library::LibraryDoc {
        library::load_library(&self.store, &library::seed_article()).value
    }

    /// Everything a reader sees: the library, each listed article's text and annotations.
    pub fn snapshot(&self) -> String {
        let lib = self.library();
        let mut out = serde_json::to_string(&lib).unwrap();
        for m in &lib.articles {
            out.push_str(&format!(
                "\n{}: {:?} {}",
                m.id,
                super::local::article_text(&self.store, &m.id)
                    .map(|a| crate::annotation::text_hash(&a.text())),
                serde_json::to_string(&self.annotations(&m.id)).unwrap()
            ));
        }
        out.push_str(&format!(
            "\n{:?}",
            crate::storage::load_settings(&self.store).value
        ));
        out
    }
}

pub fn note(id: &str, article: &str, modified: &str, text: &str) -> Annotation {
    Annotation {
        id: id.into(),
        article_id: article.into(),
        target: None,
        color: Color::Yellow,
        note: text.into(),
        tags: vec![],
        created: "2026-01-01T00:00:00.000Z".into(),
        modified: modified.into(),
    }
}

/// `n` seconds into 2026.
fn t(n: u32) -> String {
    format!(
        "2026-01-01T{:02}:{:02}:{:02}.000Z",
        n / 3600,
        n / 60 % 60,
        n % 60
    )
}

fn with(doc: &AnnotationsDoc, a: Annotation) -> AnnotationsDoc {
    annotations_doc::merge(
        doc,
        &AnnotationsDoc {
            annotations: vec![a],
            tombstones: vec![],
        },
    )
}

fn deleted(doc: &AnnotationsDoc, id: &str, at: &str) -> AnnotationsDoc {
    let mut d = doc.clone();
    d.annotations.retain(|a| a.id != id);
    d.tombstones.push(annotations_doc::Tombstone {
        id: id.into(),
        deleted: at.into(),
    });
    annotations_doc::merge(&d, &AnnotationsDoc::default())
}

// --- Scenarios -------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_highlight_on_one_device_reaches_the_other_and_nothing_is_sent_twice() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        let mut b = Device::new(2);
        a.save(
            SEED_ID,
            &with(
                &AnnotationsDoc::default(),
                note("h1", SEED_ID, &t(1), "A's"),
            ),
        );
        let r = a.sync(&mut server).unwrap();
        assert_eq!(r.pushed, 2, "article.seed and annotations.seed: {r:?}");
        let r = b.sync(&mut server).unwrap();
        assert_eq!(r.pulled, 1, "{r:?}");
        assert_eq!(b.annotations(SEED_ID).annotations[0].note, "A's");
        assert!(r.written.contains("lectern.v1.annotations.seed"));
        assert_eq!(a.snapshot(), b.snapshot());
        // In step: rounds without changes send nothing and fetch nothing.
        for d in [&mut a, &mut b] {
            let before = server.log.len();
            let r = d.sync(&mut server).unwrap();
            assert_eq!((r.pushed, r.pulled, r.pending), (0, 0, 0), "{r:?}");
            let fetched = server.log[before..]
                .iter()
                .filter(|l| l.contains("_all_docs?include_docs=true&conflicts"))
                .count();
            assert_eq!(fetched, 0, "{:?}", &server.log[before..]);
        }
    }

    #[test]
    fn offline_edits_on_both_devices_converge_with_every_edit_kept_by_the_merge_rules() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        let mut b = Device::new(2);
        let base = ["x", "y", "z"]
            .iter()
            .fold(AnnotationsDoc::default(), |d, id| {
                with(&d, note(id, SEED_ID, &t(1), ""))
            });
        a.save(SEED_ID, &base);
        a.sync(&mut server).unwrap();
        b.sync(&mut server).unwrap();
        // Offline: A edits x's note (t5) and adds p; B edits x's note later (t7), deletes y
        // (t6) and adds q; A edits z (t8) after B… B recolours z earlier (t4).
        let mut da = a.annotations(SEED_ID);
        da = with(&da, note("x", SEED_ID, &t(5), "A on x"));
        da = with(&da, note("p", SEED_ID, &t(5), "A's new"));
        da = with(&da, note("z", SEED_ID, &t(8), "A on z"));
        a.save(SEED_ID, &da);
        let mut db = b.annotations(SEED_ID);
        db = with(&db, note("x", SEED_ID, &t(7), "B on x"));
        db = deleted(&db, "y", &t(6));
        db = with(&db, note("q", SEED_ID, &t(6), "B's new"));
        let mut z = note("z", SEED_ID, &t(4), "");
        z.color = Color::Pink;
        db = with(&db, z);
        b.save(SEED_ID, &db);
        a.sync(&mut server).unwrap();
        b.sync(&mut server).unwrap();
        a.sync(&mut server).unwrap();
        assert_eq!(a.snapshot(), b.snapshot());
        let got = a.annotations(SEED_ID);
        let notes: Vec<(&str, &str)> = got
            .annotations
            .iter()
            .map(|x| (x.id.as_str(), x.note.as_str()))
            .collect();
        assert_eq!(
            notes,
            [
                ("p", "A's new"),
                ("q", "B's new"),
                ("x", "B on x"),
                ("z", "A on z")
            ]
        );
        assert_eq!(
            got,
            annotations_doc::merge(&da, &db),
            "exactly the merge of both"
        );
        assert_eq!(
            server.leaf_count("lectern", "annotations.seed"),
            1,
            "no conflict left"
        );
    }

    #[test]
    fn a_conflict_made_on_the_server_is_merged_and_the_loser_deleted() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        a.save(
            SEED_ID,
            &with(&AnnotationsDoc::default(), note("base", SEED_ID, &t(1), "")),
        );
        a.sync(&mut server).unwrap();
        // Two revisions of one document written as another replicator would (new_edits=false).
        let mk = |rev: &str, n: &Annotation| {
            json!({"_id": "annotations.seed", "_rev": rev, "lectern": "annotations", "schema": 1,
                   "annotations": [n], "tombstones": []})
        };
        server.write(
            "lectern",
            mk("9-aaa", &note("left", SEED_ID, &t(2), "L")),
            false,
        );
        server.write(
            "lectern",
            mk("9-bbb", &note("right", SEED_ID, &t(3), "R")),
            false,
        );
        assert_eq!(server.leaf_count("lectern", "annotations.seed"), 3);
        let before = server.log.len();
        let r = a.sync(&mut server).unwrap();
        assert_eq!(r.resolved, 1, "{r:?}");
        // Fetched once; the losers' deleted leaves, listed in `_changes` beside the winner
        // when the round reads its own writes back, are not news.
        let fetched = server.log[before..]
            .iter()
            .filter(|l| l.contains("_all_docs?include_docs=true&conflicts"))
            .count();
        assert_eq!(fetched, 1, "{:?}", &server.log[before..]);
        assert_eq!(
            server.leaf_count("lectern", "annotations.seed"),
            1,
            "losers deleted"
        );
        let ids: Vec<String> = a
            .annotations(SEED_ID)
            .annotations
            .into_iter()
            .map(|x| x.id)
            .collect();
        assert_eq!(ids, ["base", "left", "right"]);
        let body = &server.bodies("lectern")["annotations.seed"];
        assert_eq!(
            body["annotations"].as_array().unwrap().len(),
            3,
            "the join is on the server"
        );
        // The deleted losers stay listed in `_changes` beside the winner: not news.
        let before = server.log.len();
        let r = a.sync(&mut server).unwrap();
        assert_eq!((r.pulled, r.pushed, r.resolved), (0, 0, 0), "{r:?}");
        let fetched = server.log[before..]
            .iter()
            .filter(|l| l.contains("_all_docs?include_docs=true&conflicts"))
            .count();
        assert_eq!(fetched, 0, "{:?}", &server.log[before..]);
        // Another device reads the join.
        let mut b = Device::new(2);
        b.sync(&mut server).unwrap();
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn a_new_empty_database_is_filled_not_mirrored() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        let art = parse_plain("a1", "Статья\nТекст статьи.");
        library::add_article(&a.store, &art, &ArticleMeta::of(&art, &t(1), None)).unwrap();
        a.save(
            "a1",
            &with(&AnnotationsDoc::default(), note("n", "a1", &t(2), "note")),
        );
        a.sync(&mut server).unwrap();
        let before = a.snapshot();
        server.drop_db("lectern");
        let r = a.sync(&mut server).unwrap();
        assert_eq!(a.snapshot(), before, "nothing local deleted");
        assert_eq!(r.pushed, 3, "everything sent again: {r:?}");
        let mut b = Device::new(2);
        b.sync(&mut server).unwrap();
        assert_eq!(b.snapshot(), before);
    }

    #[test]
    fn a_removed_article_is_removed_everywhere_and_an_undo_after_it_wins() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        let mut b = Device::new(2);
        let art = parse_plain("a1", "Статья\nТекст.");
        library::add_article(&a.store, &art, &ArticleMeta::of(&art, &t(1), None)).unwrap();
        a.sync(&mut server).unwrap();
        b.sync(&mut server).unwrap();
        assert!(b.library().get("a1").is_some());
        let mut lib = a.library();
        lib.articles.retain(|m| m.id != "a1");
        lib.removed.push(annotations_doc::Tombstone {
            id: "a1".into(),
            deleted: t(5),
        });
        library::save_library(&a.store, &lib).unwrap();
        a.sync(&mut server).unwrap();
        let body = &server.bodies("lectern")["article.a1"];
        assert!(
            body["content"].is_null(),
            "the text leaves the server with the entry"
        );
        b.sync(&mut server).unwrap();
        assert!(b.library().get("a1").is_none());
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn hostile_documents_are_refused_with_reasons_and_change_nothing_else() {
        let mut server = Server::with_db("lectern");
        let mut b = Device::new(2);
        let mine = with(
            &AnnotationsDoc::default(),
            note("mine", SEED_ID, &t(1), "kept"),
        );
        b.save(SEED_ID, &mine);
        let far = note(
            "far",
            SEED_ID,
            "9999-12-31T23:59:59.999Z",
            "from the future",
        );
        // An article whose link and source point at a script (a backup may carry those too).
        let mut evil = parse_plain("evil", "Title\nClick me now");
        evil.source = Some(crate::article::Source {
            label: "s".into(),
            name: "n".into(),
            url: Some("javascript:alert(1)".into()),
        });
        evil.blocks[0].marks.push(crate::article::Mark {
            start: 0,
            end: 5,
            kind: crate::article::MarkKind::Link {
                href: "javascript:alert(1)".into(),
            },
        });
        let evil_article = json!({"_id": "article.evil", "lectern": "article", "schema": 1,
            "entry": ArticleMeta::of(&evil, &t(1), None), "content": evil});
        for doc in [
            json!({"_id": "annotations.seed", "lectern": "annotations", "schema": 1,
                   "annotations": [far], "tombstones": []}),
            json!({"_id": "annotations.other", "lectern": "annotations", "schema": 1,
                   "annotations": "not a list"}),
            json!({"_id": "settings", "lectern": "settings", "schema": 1, "settings": {"theme": 5},
                   "modified": t(1)}),
            json!({"_id": "article.x", "lectern": "article", "schema": 7}),
            json!({"_id": "_design/evil", "views": {}}),
            evil_article,
        ] {
            server.write("lectern", doc, true);
        }
        let r = b.sync_at(&mut server, "2026-06-01T00:00:00.000Z").unwrap();
        let refused: Vec<&str> = r.refused.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(refused, ["annotations.other", "settings"], "{r:?}");
        assert!(r.refused[0].why.contains("$.annotations"), "{r:?}");
        assert_eq!(r.newer, ["article.x"]);
        let got = b.annotations(SEED_ID);
        assert_eq!(got.annotations.len(), 2);
        let far = got.annotations.iter().find(|a| a.id == "far").unwrap();
        assert_eq!(far.modified, "2026-06-01T00:00:00.000Z", "clamped to now");
        assert!(got.annotations.iter().any(|a| a.note == "kept"));
        // The script link arrives as a backup's would, and is never rendered as a link.
        let evil = library::load_article(&b.store, "evil").value.unwrap();
        let html = crate::render::reader_html(&evil, crate::i18n::Lang::En);
        assert!(!html.contains("javascript:"), "{html}");
        // What the server refused to give is not written over by this device either.
        assert!(!server.bodies("lectern")["annotations.other"]["annotations"].is_array());
    }

    #[test]
    fn encrypted_the_server_holds_no_text_and_only_the_passphrase_opens_it() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1).encrypting("correct horse");
        let art = parse_plain("a1", "Секретная статья\nСекретный текст статьи.");
        library::add_article(&a.store, &art, &ArticleMeta::of(&art, &t(1), None)).unwrap();
        a.save(
            "a1",
            &with(
                &AnnotationsDoc::default(),
                note("n", "a1", &t(2), "тайная заметка"),
            ),
        );
        let r = a.sync(&mut server).unwrap();
        assert!(r.encrypted);
        let everything = serde_json::to_string(&server.bodies("lectern")).unwrap();
        for secret in ["Секрет", "тайная", "Pk", "fileName"] {
            assert!(!everything.contains(secret), "{secret} in {everything}");
        }
        assert!(server.bodies("lectern").contains_key("crypto"));
        // Right passphrase: everything; wrong: a clear problem and nothing written.
        let mut b = Device::new(2).encrypting("correct horse");
        b.sync(&mut server).unwrap();
        assert_eq!(a.snapshot(), b.snapshot());
        let mut c = Device::new(3).encrypting("wrong");
        assert_eq!(c.sync(&mut server), Err(SyncProblem::WrongPassphrase));
        let mut d = Device::new(4);
        assert_eq!(
            d.sync(&mut server),
            Err(SyncProblem::EncryptedNeedsPassphrase)
        );
        for x in [&c, &d] {
            assert!(x
                .store
                .keys()
                .unwrap()
                .iter()
                .all(|k| !k.contains("article.a1")));
        }
        // A plaintext document slipped in by the server is refused.
        server.write(
            "lectern",
            json!({"_id": "annotations.seed", "lectern": "annotations", "schema": 1,
                   "annotations": [note("evil", SEED_ID, &t(1), "")]}),
            true,
        );
        let r = b.sync(&mut server).unwrap();
        assert_eq!(r.refused.len(), 1, "{r:?}");
        assert!(b.annotations(SEED_ID).annotations.is_empty());
    }

    #[test]
    fn turning_encryption_on_for_a_plain_database_seals_every_document() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        a.save(
            SEED_ID,
            &with(
                &AnnotationsDoc::default(),
                note("n", SEED_ID, &t(2), "plain words"),
            ),
        );
        a.sync(&mut server).unwrap();
        assert!(serde_json::to_string(&server.bodies("lectern"))
            .unwrap()
            .contains("plain words"));
        a.config.encrypt = true;
        a.secrets.passphrase = "pp".into();
        a.first = true; // as the app does when the settings change
        a.sync(&mut server).unwrap();
        let all = serde_json::to_string(&server.bodies("lectern")).unwrap();
        assert!(!all.contains("plain words"), "{all}");
        let mut b = Device::new(2).encrypting("pp");
        b.sync(&mut server).unwrap();
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn faults_are_problems_and_local_data_waits_for_the_next_round() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        a.secrets.password = "nope".into();
        assert_eq!(
            a.sync(&mut server),
            Err(SyncProblem::Auth { cookie: false })
        );
        a.secrets.password = "pw".into();
        a.config.database = "missing".into();
        assert_eq!(
            a.sync(&mut server),
            Err(SyncProblem::NoDatabase {
                database: "missing".into()
            })
        );
        a.config.database = "lectern".into();
        a.save(
            SEED_ID,
            &with(&AnnotationsDoc::default(), note("n", SEED_ID, &t(2), "x")),
        );
        server.down = true;
        assert_eq!(a.sync(&mut server), Err(SyncProblem::Unreachable));
        server.down = false;
        server.no_cors = true;
        assert!(matches!(a.sync(&mut server), Err(SyncProblem::Cors { .. })));
        server.no_cors = false;
        let memo = super::super::memo::Memo::load(&a.store);
        assert_eq!(
            super::super::local::count_pending(&a.store, &memo, &Scope::All),
            2
        );
        let r = a.sync(&mut server).unwrap();
        assert_eq!((r.pushed, r.pending), (2, 0));
    }

    #[test]
    fn a_full_store_stops_the_round_and_the_next_one_takes_up_where_it_stopped() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        for i in 0..6 {
            let art = parse_plain(
                &format!("a{i}"),
                &format!("Статья {i}\n{}", "Текст. ".repeat(40)),
            );
            library::add_article(&a.store, &art, &ArticleMeta::of(&art, &t(i), None)).unwrap();
        }
        a.sync(&mut server).unwrap();
        let mut b = Device::new(2);
        b.store.quota_bytes = Some(3_000);
        let err = b.sync(&mut server).unwrap_err();
        assert!(matches!(err, SyncProblem::LocalStore(_)), "{err:?}");
        let partial = b.library().articles.len();
        assert!(partial < 7, "{partial}");
        b.store.quota_bytes = None;
        b.sync(&mut server).unwrap();
        assert_eq!(a.snapshot(), b.snapshot());
    }

    #[test]
    fn settings_changed_on_one_device_reach_the_others() {
        let mut server = Server::with_db("lectern");
        let mut a = Device::new(1);
        let mut b = Device::new(2);
        let s = crate::settings::Settings {
            font_size_px: 14,
            ..Default::default()
        };
        crate::storage::save_settings(&a.store, &s).unwrap();
        let r = a.sync(&mut server).unwrap();
        assert!(server.bodies("lectern").contains_key("settings"), "{r:?}");
        b.sync(&mut server).unwrap();
        assert_eq!(crate::storage::load_settings(&b.store).value, s);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Edit { device: usize, id: u8, minute: u32 },
        Delete { device: usize, id: u8, minute: u32 },
        Sync { device: usize },
        ServerConflict { id: u8, minute: u32 },
        AddArticle { device: usize, k: u8 },
        RemoveArticle { device: usize, k: u8 },
        Settings { device: usize, size: u8 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..3, 0u8..5, 1u32..50).prop_map(|(device, id, minute)| Op::Edit {
                device,
                id,
                minute
            }),
            (0usize..3, 0u8..5, 1u32..50).prop_map(|(device, id, minute)| Op::Delete {
                device,
                id,
                minute
            }),
            (0usize..3).prop_map(|device| Op::Sync { device }),
            (0u8..5, 1u32..50).prop_map(|(id, minute)| Op::ServerConflict { id, minute }),
            (0usize..3, 0u8..3).prop_map(|(device, k)| Op::AddArticle { device, k }),
            (0usize..3, 0u8..3).prop_map(|(device, k)| Op::RemoveArticle { device, k }),
            (0usize..3, 14u8..20).prop_map(|(device, size)| Op::Settings { device, size }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        // Each op happens at `100·n + minute`: every device's clock runs forward, and devices'
    // clocks disagree by up to 50 units.
    fn devices_converge_to_the_merge_of_every_edit(ops in prop::collection::vec(op(), 1..25)) {
            let mut server = Server::with_db("lectern");
            let mut devices: Vec<Device> = (1..=3).map(Device::new).collect();
            // Every version ever written anywhere: the end state must be their merge.
            let mut all = AnnotationsDoc::default();
            let mut n = 0;
            for op in ops {
                n += 1;
                match op {
                    Op::Edit { device, id, minute } => {
                        let d = &devices[device];
                        let a = note(&format!("n{id}"), SEED_ID, &t(n * 100 + minute), &format!("{device}@{minute}"));
                        let doc = with(&d.annotations(SEED_ID), a.clone());
                        d.save(SEED_ID, &doc);
                        all = with(&all, a);
                    }
                    Op::Delete { device, id, minute } => {
                        let d = &devices[device];
                        let doc = deleted(&d.annotations(SEED_ID), &format!("n{id}"), &t(n * 100 + minute));
                        d.save(SEED_ID, &doc);
                        all = annotations_doc::merge(&all, &doc);
                    }
                    Op::Sync { device } => {
                        devices[device].sync_at(&mut server, &t(n * 100)).unwrap();
                    }
                    Op::AddArticle { device, k } => {
                        // The same article (its id) may be added on several devices.
                        let d = &devices[device];
                        let art = parse_plain(&format!("k{k}"), &format!("Статья {k}\nТекст {k}."));
                        let mut meta = ArticleMeta::of(&art, &t(n * 100), None);
                        meta.modified = t(n * 100);
                        library::add_article(&d.store, &art, &meta).unwrap();
                    }
                    Op::RemoveArticle { device, k } => {
                        let d = &devices[device];
                        let mut lib = d.library();
                        lib.articles.retain(|m| m.id != format!("k{k}"));
                        lib.removed.push(annotations_doc::Tombstone { id: format!("k{k}"), deleted: t(n * 100) });
                        library::save_merged(&d.store, &lib).unwrap();
                    }
                    Op::Settings { device, size } => {
                        let s = crate::settings::Settings { font_size_px: size, ..Default::default() };
                        crate::storage::save_settings(&devices[device].store, &s).unwrap();
                    }
                    Op::ServerConflict { id, minute } => {
                        let a = note(&format!("n{id}"), SEED_ID, &t(n * 100 + minute), "server");
                        let rev = format!("50-{n:03}");
                        server.write("lectern", json!({"_id": "annotations.seed", "_rev": rev,
                            "lectern": "annotations", "schema": 1, "annotations": [a.clone()]}), false);
                        all = with(&all, a);
                    }
                }
            }
            for round in 0..2 {
                for d in &mut devices {
                    d.sync_at(&mut server, &t(10_000 + round)).unwrap();
                }
            }
            let first = devices[0].snapshot();
            for d in &devices[1..] {
                prop_assert_eq!(&d.snapshot(), &first);
            }
            prop_assert_eq!(devices[0].annotations(SEED_ID), annotations_doc::merge(&all, &AnnotationsDoc::default()));
            if server.bodies("lectern").contains_key("annotations.seed") {
                prop_assert_eq!(server.leaf_count("lectern", "annotations.seed"), 1);
            }
        }
    }
}
