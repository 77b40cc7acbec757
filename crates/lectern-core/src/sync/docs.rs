//! The documents Lectern keeps in a CouchDB database, how each is read back (validated like a
//! backup), and how conflicting versions are joined.
//!
//! Ids follow the local keys' grammar (an article id passes [`crate::route::is_valid_id`]: no
//! `.`, so the prefix is unambiguous, and never a leading `_`, which CouchDB reserves):
//!
//! | id | local data | fields (schema 1) |
//! |---|---|---|
//! | `article.<id>` | the library entry, its removal, the imported text | `entry` ([`ArticleMeta`] or null), `removed` (ISO time or null), `content` ([`Article`] or null; never for the built-in sample) |
//! | `annotations.<id>` | `lectern.v1.annotations.<id>` | `annotations` (W3C-shaped, as a backup has them), `tombstones` |
//! | `settings` | `lectern.v1.settings` | `settings`, `modified` |
//! | `crypto` | — | the encryption's salt and key check ([`super::crypto`]) |
//!
//! Every document also carries `"lectern": "<kind>"` and `"schema": 1`. Encrypted, the fields
//! are replaced by `"sealed": {"iv", "data"}` ([`super::crypto`]); `_id`, `lectern` and
//! `schema` stay readable.
//!
//! Reading one back ([`validate`]) builds the backup a file with this one document would be and
//! runs the backup's own validation ([`backup_from_value`]) and time clamp ([`clamp_times`]):
//! types, id grammar, sizes, ISO times, marks inside their blocks, annotations filed under
//! their article, all exactly as for a restored file. A script URL in a link or source passes
//! (as in a backup) and is dropped where it would be shown ([`crate::render`]).
//!
//! [`join`] merges two versions with the local merges — per annotation
//! ([`annotations_doc::merge`]), per library entry ([`library::merge`]) — so it is
//! commutative, associative and idempotent (property tests below): conflicting revisions
//! resolve to the same document whichever device resolves them, in whatever order.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::annotations_doc::{self, cmp_time, AnnotationsDoc, Tombstone};
use crate::article::Article;
use crate::export::backup::{backup_from_value, clamp_times};
use crate::export::{is_utc_timestamp, ImportProblem, MAX_IMPORT_BYTES};
use crate::library::{self, ArticleMeta, LibraryDoc, SEED_ID};
use crate::settings::Settings;

/// The schema version of the documents this build writes and reads.
pub const SCHEMA: u64 = 1;

/// A document's id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocId {
    /// `article.<id>`: the library entry and the text of article `<id>`.
    Article(String),
    /// `annotations.<id>`: article `<id>`'s annotations and tombstones.
    Annotations(String),
    /// `settings`: the reader settings.
    Settings,
    /// `crypto`: the encryption's parameters, when the database is encrypted.
    Crypto,
}

impl DocId {
    /// The id of a document Lectern writes, or `None` for anything else (a design document,
    /// another application's documents, a malformed id).
    pub fn parse(s: &str) -> Option<DocId> {
        if let Some(id) = s.strip_prefix("article.") {
            return crate::route::is_valid_id(id).then(|| DocId::Article(id.to_owned()));
        }
        if let Some(id) = s.strip_prefix("annotations.") {
            return crate::route::is_valid_id(id).then(|| DocId::Annotations(id.to_owned()));
        }
        match s {
            "settings" => Some(DocId::Settings),
            "crypto" => Some(DocId::Crypto),
            _ => None,
        }
    }

    /// The `lectern` field of its documents.
    pub fn kind(&self) -> &'static str {
        match self {
            DocId::Article(_) => "article",
            DocId::Annotations(_) => "annotations",
            DocId::Settings => "settings",
            DocId::Crypto => "crypto",
        }
    }

    /// The article it concerns, if any.
    pub fn article(&self) -> Option<&str> {
        match self {
            DocId::Article(id) | DocId::Annotations(id) => Some(id),
            _ => None,
        }
    }
}

impl std::fmt::Display for DocId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocId::Article(id) => write!(f, "article.{id}"),
            DocId::Annotations(id) => write!(f, "annotations.{id}"),
            DocId::Settings => f.write_str("settings"),
            DocId::Crypto => f.write_str("crypto"),
        }
    }
}

/// One article: its library entry (absent once removed), the removal's time, its text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArticleDoc {
    pub entry: Option<ArticleMeta>,
    pub removed: Option<String>,
    pub content: Option<Article>,
}

/// The reader settings, and when they last changed on the device that wrote them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsDoc {
    pub settings: Settings,
    pub modified: String,
}

/// What a document holds.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // a few at a time, never stored in bulk
pub enum Body {
    Article(ArticleDoc),
    Annotations(AnnotationsDoc),
    Settings(SettingsDoc),
}

/// A document's fields, encrypted ([`super::crypto`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The 12-byte AES-GCM nonce, base64.
    pub iv: String,
    /// The ciphertext with its 16-byte tag, base64.
    pub data: String,
}

/// A document's fields as the server has them.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Plain(Value),
    Sealed(Sealed),
}

/// A document as read from the server, before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Doc {
        id: DocId,
        rev: String,
        payload: Payload,
    },
    /// Deleted on the server (never by Lectern: see [`super::local::apply`]).
    Deleted { id: DocId, rev: String },
    /// Not a document Lectern writes (a design document, another app's): left alone.
    Foreign { id: String },
    /// Written by a newer Lectern (a schema this build does not read): left alone, and never
    /// overwritten.
    Newer { id: DocId, rev: String, schema: u64 },
    /// Not readable: why, in English.
    Bad {
        id: DocId,
        rev: String,
        problem: String,
    },
}

impl Incoming {
    pub fn id(&self) -> Option<&DocId> {
        match self {
            Incoming::Doc { id, .. }
            | Incoming::Deleted { id, .. }
            | Incoming::Newer { id, .. }
            | Incoming::Bad { id, .. } => Some(id),
            Incoming::Foreign { .. } => None,
        }
    }
}

/// Read one document of a server's answer (`_all_docs`, `open_revs`): its id, revision and
/// fields, or why it is not one of ours or not readable. Nothing is trusted yet.
pub fn read_server_doc(v: &Value) -> Incoming {
    let raw_id = v.get("_id").and_then(Value::as_str).unwrap_or_default();
    let Some(id) = DocId::parse(raw_id) else {
        return Incoming::Foreign {
            id: raw_id.chars().take(300).collect(),
        };
    };
    let rev = v
        .get("_rev")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let bad = |problem: &str| Incoming::Bad {
        id: id.clone(),
        rev: rev.clone(),
        problem: problem.to_owned(),
    };
    if rev.is_empty() || rev.len() > 200 {
        return bad("it has no revision");
    }
    if v.get("_deleted") == Some(&Value::Bool(true)) {
        return Incoming::Deleted { id, rev };
    }
    let Some(obj) = v.as_object() else {
        return bad("it is not a JSON object");
    };
    match obj.get("schema").and_then(Value::as_u64) {
        Some(SCHEMA) => {}
        Some(n) if n > SCHEMA => return Incoming::Newer { id, rev, schema: n },
        _ => return bad("`schema` is not 1"),
    }
    if obj.get("lectern").and_then(Value::as_str) != Some(id.kind()) {
        return bad(&format!("`lectern` is not \"{}\"", id.kind()));
    }
    if let Some(sealed) = obj.get("sealed") {
        return match serde_json::from_value::<Sealed>(sealed.clone()) {
            Ok(s) => Incoming::Doc {
                id,
                rev,
                payload: Payload::Sealed(s),
            },
            Err(e) => bad(&format!("`sealed` is malformed: {e}")),
        };
    }
    let fields: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| !k.starts_with('_') && !matches!(k.as_str(), "lectern" | "schema"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Incoming::Doc {
        id,
        rev,
        payload: Payload::Plain(Value::Object(fields)),
    }
}

/// The JSON a document's fields are (what is encrypted, when encrypting).
pub fn fields_of(body: &Body) -> Value {
    match body {
        Body::Article(a) => json!({ "entry": a.entry, "removed": a.removed, "content": a.content }),
        Body::Annotations(d) => serde_json::to_value(d).expect("plain data serialises"),
        Body::Settings(s) => serde_json::to_value(s).expect("plain data serialises"),
    }
}

/// The document to write: `_id`, `_rev` (when updating), `lectern`, `schema`, and the fields
/// or their sealed form.
pub fn to_server(id: &DocId, rev: Option<&str>, payload: &Payload) -> Value {
    let mut m = Map::new();
    m.insert("_id".into(), id.to_string().into());
    if let Some(rev) = rev {
        m.insert("_rev".into(), rev.into());
    }
    m.insert("lectern".into(), id.kind().into());
    m.insert("schema".into(), SCHEMA.into());
    match payload {
        Payload::Plain(Value::Object(fields)) => {
            for (k, v) in fields {
                m.insert(k.clone(), v.clone());
            }
        }
        Payload::Plain(_) => {}
        Payload::Sealed(s) => {
            m.insert("sealed".into(), json!({ "iv": s.iv, "data": s.data }));
        }
    }
    Value::Object(m)
}

/// The meta a backup needs to file annotations under article `id` (only the annotations are
/// read back from that backup).
fn placeholder_entry(id: &str) -> Value {
    json!({
        "id": id, "title": "", "lang": "", "added": "2000-01-01T00:00:00.000Z",
        "words": 0, "hash": ""
    })
}

/// Where in a document a backup's JSON path points.
fn doc_path(backup_path: Option<String>, id: &DocId) -> Option<String> {
    let p = backup_path?;
    let article = id.article().unwrap_or_default();
    let map = [
        ("$.library.articles[0]", "$.entry".to_owned()),
        ("$.library.removed[0]", "$.removed".to_owned()),
        ("$.articles[0]", "$.content".to_owned()),
        (&format!("$.annotations.{article}") as &str, "$".to_owned()),
        (
            &format!("$.annotations[\"{article}\"]") as &str,
            "$".to_owned(),
        ),
    ];
    for (from, to) in map {
        if let Some(rest) = p.strip_prefix(from) {
            return Some(format!("{to}{rest}"));
        }
    }
    Some(p)
}

/// Read document `id`'s `fields` as a backup holding just this document would be read: the
/// backup's validation ([`backup_from_value`]), then its times clamped to `now`
/// ([`clamp_times`]: a `modified` in the year 9999 would win every later merge). `Err` names
/// what is wrong and where (`$.content.blocks[3].marks[0]`).
pub fn validate(id: &DocId, fields: &Value, now: &str) -> Result<Body, ImportProblem> {
    let Some(obj) = fields.as_object() else {
        return Err(ImportProblem::at("$", "the document is not a JSON object"));
    };
    let size = serde_json::to_string(fields).map_or(usize::MAX, |s| s.len());
    if size > MAX_IMPORT_BYTES {
        return Err(ImportProblem::too_large(size as u64));
    }
    let present = |k: &str| obj.get(k).filter(|v| !v.is_null()).cloned();
    let mut backup = json!({
        "version": crate::export::backup::BACKUP_VERSION,
        "exported": "",
        "library": { "articles": [], "removed": [] },
        "articles": [],
        "annotations": {},
        "settings": {},
    });
    let mut settings_modified = None;
    match id {
        DocId::Article(aid) => {
            let entry = present("entry");
            if let Some(e) = &entry {
                backup["library"]["articles"] = json!([e]);
                // The text of a listed, imported article (the sample's is built in).
                if let (Some(c), false) = (present("content"), aid == SEED_ID) {
                    backup["articles"] = json!([c]);
                }
            }
            if let Some(r) = present("removed") {
                backup["library"]["removed"] = json!([{ "id": aid, "deleted": r }]);
            }
        }
        DocId::Annotations(aid) => {
            backup["library"]["articles"] = json!([placeholder_entry(aid)]);
            backup["annotations"] = json!({ aid.as_str(): fields });
        }
        DocId::Settings => {
            backup["settings"] = present("settings").unwrap_or_else(|| json!({}));
            match obj.get("modified").and_then(Value::as_str) {
                Some(t) if t.len() <= 100 && is_utc_timestamp(t) => {
                    settings_modified = Some(t.to_owned());
                }
                _ => {
                    return Err(ImportProblem::at(
                        "$.modified",
                        "not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)",
                    ))
                }
            }
        }
        DocId::Crypto => {
            return Err(ImportProblem::at(
                "$",
                "the encryption document is not data",
            ))
        }
    }
    let mut b = backup_from_value(backup).map_err(|p| ImportProblem {
        path: doc_path(p.path, id),
        message: p.message,
    })?;
    clamp_times(&mut b, now);
    Ok(match id {
        DocId::Article(aid) => {
            let entry = b.library.articles.pop();
            if let Some(e) = &entry {
                if &e.id != aid {
                    return Err(ImportProblem::at(
                        "$.entry.id",
                        format!("the entry of article {aid:?} says it is {:?}", e.id),
                    ));
                }
            }
            Body::Article(ArticleDoc {
                entry,
                removed: b.library.removed.pop().map(|t| t.deleted),
                content: b.articles.pop(),
            })
        }
        DocId::Annotations(aid) => Body::Annotations(b.annotations.remove(aid).unwrap_or_default()),
        DocId::Settings => {
            let mut modified = settings_modified.unwrap_or_default();
            if cmp_time(&modified, now) == Ordering::Greater {
                modified = now.to_owned();
            }
            Body::Settings(SettingsDoc {
                settings: b.settings,
                modified,
            })
        }
        DocId::Crypto => unreachable!("refused above"),
    })
}

/// One entry's library view: its entry and its removal, as a [`LibraryDoc`] of one article.
fn as_library(id: &str, a: &ArticleDoc) -> LibraryDoc {
    LibraryDoc {
        articles: a.entry.iter().cloned().collect(),
        removed: a
            .removed
            .iter()
            .map(|d| Tombstone {
                id: id.to_owned(),
                deleted: d.clone(),
            })
            .collect(),
    }
}

/// Join two versions of article `id`: entry and removal by [`library::merge`] (the entry
/// changed last wins; a removal removes every entry not changed after it), the text whichever
/// has it (both: the greater JSON, so the choice does not depend on the order).
pub fn join_article(id: &str, a: &ArticleDoc, b: &ArticleDoc) -> ArticleDoc {
    let mut lib = library::merge(&as_library(id, a), &as_library(id, b));
    let content = match (&a.content, &b.content) {
        (Some(x), Some(y)) => {
            let sx = serde_json::to_string(x).expect("plain data serialises");
            let sy = serde_json::to_string(y).expect("plain data serialises");
            Some(if sx >= sy { x.clone() } else { y.clone() })
        }
        (x, y) => x.clone().or_else(|| y.clone()),
    };
    ArticleDoc {
        entry: lib.articles.pop(),
        removed: lib.removed.pop().map(|t| t.deleted),
        content,
    }
}

/// Join two versions of the settings: the later `modified` wins (equal: the greater JSON).
pub fn join_settings(a: &SettingsDoc, b: &SettingsDoc) -> SettingsDoc {
    let order = cmp_time(&a.modified, &b.modified).then_with(|| {
        let sa = serde_json::to_string(a).expect("plain data serialises");
        let sb = serde_json::to_string(b).expect("plain data serialises");
        sa.cmp(&sb)
    });
    if order == Ordering::Less {
        b.clone()
    } else {
        a.clone()
    }
}

/// Join two versions of document `id` (see the module docs). Bodies of another kind than the
/// id's cannot come out of [`validate`]; `a` is kept then.
pub fn join(id: &DocId, a: &Body, b: &Body) -> Body {
    match (a, b) {
        (Body::Article(x), Body::Article(y)) => {
            Body::Article(join_article(id.article().unwrap_or_default(), x, y))
        }
        (Body::Annotations(x), Body::Annotations(y)) => {
            Body::Annotations(annotations_doc::merge(x, y))
        }
        (Body::Settings(x), Body::Settings(y)) => Body::Settings(join_settings(x, y)),
        _ => a.clone(),
    }
}

/// What is compared to tell whether a document changed: for an article its entry, removal and
/// whether it has its text (the text of an id never changes), for annotations the normalised
/// document, for settings the settings (not when they changed).
#[derive(Serialize)]
struct ArticleFacts<'a> {
    entry: &'a Option<ArticleMeta>,
    removed: &'a Option<String>,
    content: bool,
}

/// A short fingerprint of what `body` says ([`crate::annotation::text_hash`] of its canonical
/// JSON; see [`ArticleFacts`]): equal fingerprints, same data.
pub fn fingerprint(body: &Body) -> String {
    let json = match body {
        Body::Article(a) => article_facts_json(&a.entry, &a.removed, a.content.is_some()),
        Body::Annotations(d) => {
            let normal = annotations_doc::merge(d, &AnnotationsDoc::default());
            serde_json::to_string(&normal).expect("plain data serialises")
        }
        Body::Settings(s) => serde_json::to_string(&s.settings).expect("plain data serialises"),
    };
    crate::annotation::text_hash(&json)
}

/// [`fingerprint`] of an article from its facts (the text need not be loaded to know it is
/// there).
pub fn article_fingerprint(
    entry: &Option<ArticleMeta>,
    removed: &Option<String>,
    has_content: bool,
) -> String {
    crate::annotation::text_hash(&article_facts_json(entry, removed, has_content))
}

fn article_facts_json(
    entry: &Option<ArticleMeta>,
    removed: &Option<String>,
    content: bool,
) -> String {
    serde_json::to_string(&ArticleFacts {
        entry,
        removed,
        content,
    })
    .expect("plain data serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::{Annotation, Color};
    use crate::parse::plain::parse_plain;
    use proptest::prelude::*;

    const NOW: &str = "2026-03-01T12:00:00.000Z";

    fn ann(id: &str, article: &str, modified: &str, note: &str) -> Annotation {
        Annotation {
            id: id.into(),
            article_id: article.into(),
            target: None,
            color: Color::Yellow,
            note: note.into(),
            tags: vec![],
            created: "2026-01-01T00:00:00.000Z".into(),
            modified: modified.into(),
        }
    }

    #[test]
    fn ids_follow_the_local_grammar() {
        for (raw, id) in [
            ("article.seed", DocId::Article("seed".into())),
            (
                "annotations.6c656374-6572",
                DocId::Annotations("6c656374-6572".into()),
            ),
            ("settings", DocId::Settings),
            ("crypto", DocId::Crypto),
        ] {
            assert_eq!(DocId::parse(raw), Some(id.clone()));
            assert_eq!(id.to_string(), raw);
        }
        for foreign in [
            "_design/x",
            "article.",
            "article.a.b",
            "article.<script>",
            "annotations.ё",
            "Settings",
            "library",
            &format!("article.{}", "a".repeat(65)),
        ] {
            assert_eq!(DocId::parse(foreign), None, "{foreign}");
        }
    }

    fn server(v: Value) -> Incoming {
        read_server_doc(&v)
    }

    #[test]
    fn server_documents_are_read_for_what_they_say_they_are() {
        let ok = server(
            json!({"_id": "settings", "_rev": "1-a", "lectern": "settings",
            "schema": 1, "settings": {}, "modified": NOW}),
        );
        assert!(
            matches!(
                ok,
                Incoming::Doc {
                    payload: Payload::Plain(_),
                    ..
                }
            ),
            "{ok:?}"
        );
        assert!(matches!(
            server(json!({"_id": "settings", "_rev": "2-b", "_deleted": true})),
            Incoming::Deleted { .. }
        ));
        assert!(matches!(
            server(json!({"_id": "settings", "_rev": "2-b", "lectern": "settings", "schema": 2})),
            Incoming::Newer { schema: 2, .. }
        ));
        assert!(matches!(
            server(json!({"_id": "_design/app", "_rev": "1-a"})),
            Incoming::Foreign { .. }
        ));
        for bad in [
            json!({"_id": "settings", "_rev": "1-a", "lectern": "settings"}),
            json!({"_id": "settings", "_rev": "1-a", "lectern": "article", "schema": 1}),
            json!({"_id": "settings", "lectern": "settings", "schema": 1}),
            json!({"_id": "settings", "_rev": "1-a", "lectern": "settings", "schema": "1"}),
            json!({"_id": "settings", "_rev": "1-a", "lectern": "settings", "schema": 1, "sealed": {"iv": 3}}),
        ] {
            assert!(matches!(server(bad.clone()), Incoming::Bad { .. }), "{bad}");
        }
        let sealed = server(json!({"_id": "annotations.seed", "_rev": "1-a",
            "lectern": "annotations", "schema": 1, "sealed": {"iv": "AAAA", "data": "AAAA"}}));
        assert!(matches!(
            sealed,
            Incoming::Doc {
                payload: Payload::Sealed(_),
                ..
            }
        ));
    }

    #[test]
    fn what_is_written_reads_back() {
        let article = parse_plain("a1", "Заголовок\nТекст статьи, и ещё.");
        let meta = ArticleMeta::of(&article, "2026-02-01T00:00:00.000Z", Some("a.txt".into()));
        let bodies = [
            (
                DocId::Article("a1".into()),
                Body::Article(ArticleDoc {
                    entry: Some(meta),
                    removed: None,
                    content: Some(article),
                }),
            ),
            (
                DocId::Annotations("a1".into()),
                Body::Annotations(AnnotationsDoc {
                    annotations: vec![ann("x", "a1", "2026-02-02T00:00:00.000Z", "заметка")],
                    tombstones: vec![Tombstone {
                        id: "y".into(),
                        deleted: "2026-02-03T00:00:00.000Z".into(),
                    }],
                }),
            ),
            (
                DocId::Settings,
                Body::Settings(SettingsDoc {
                    settings: Settings::default(),
                    modified: "2026-02-04T00:00:00.000Z".into(),
                }),
            ),
        ];
        for (id, body) in bodies {
            let doc = to_server(&id, Some("3-x"), &Payload::Plain(fields_of(&body)));
            let Incoming::Doc {
                id: rid,
                rev,
                payload: Payload::Plain(fields),
            } = read_server_doc(&doc)
            else {
                panic!("{doc}");
            };
            assert_eq!((rid, rev.as_str()), (id.clone(), "3-x"));
            assert_eq!(validate(&id, &fields, NOW).unwrap(), body, "{id}");
        }
    }

    #[test]
    fn a_hostile_document_changes_nothing_a_bad_backup_could_not() {
        let aid = DocId::Annotations("seed".into());
        let check = |id: &DocId, fields: Value| validate(id, &fields, NOW);
        // Wrong types, with where.
        let p = check(&aid, json!({"annotations": "x"})).unwrap_err();
        assert_eq!(p.path.as_deref(), Some("$.annotations"), "{p:?}");
        let p = check(&aid, json!({"annotations": [{"id": 3}]})).unwrap_err();
        assert!(
            p.path.as_deref().unwrap().starts_with("$.annotations[0]"),
            "{p:?}"
        );
        // Filed under another article.
        let mut other = ann("x", "other", NOW, "");
        let p = check(&aid, json!({"annotations": [other.clone()]})).unwrap_err();
        assert!(p.message.contains("belongs to"), "{p:?}");
        // A time in the year 9999 is clamped to now (it would win every later merge).
        other.article_id = "seed".into();
        other.modified = "9999-12-31T23:59:59.999Z".into();
        let Body::Annotations(d) = check(&aid, json!({"annotations": [other]})).unwrap() else {
            panic!()
        };
        assert_eq!(d.annotations[0].modified, NOW);
        // A note over the limit, with where.
        let big = ann("x", "seed", NOW, &"я".repeat(crate::export::MAX_NOTE_BYTES));
        let p = check(&aid, json!({"annotations": [big]})).unwrap_err();
        assert_eq!(p.path.as_deref(), Some("$.annotations[0].note"));
        // An entry that says it is another article; an id outside the grammar.
        let a = parse_plain("a1", "T\nText.");
        let meta = ArticleMeta::of(&a, NOW, None);
        let p = check(
            &DocId::Article("a2".into()),
            json!({"entry": meta, "content": a}),
        )
        .unwrap_err();
        assert!(p.path.as_deref().unwrap().starts_with("$."), "{p:?}");
        let mut bad_mark = a.clone();
        bad_mark.blocks[0].marks.push(crate::article::Mark {
            start: 0,
            end: 999,
            kind: crate::article::MarkKind::Emphasis,
        });
        let p = check(
            &DocId::Article("a1".into()),
            json!({"entry": meta, "content": bad_mark}),
        )
        .unwrap_err();
        assert_eq!(p.path.as_deref(), Some("$.content.blocks[0].marks[0]"));
        let p = check(
            &DocId::Article("a1".into()),
            json!({"entry": meta, "removed": "soon"}),
        )
        .unwrap_err();
        assert_eq!(p.path.as_deref(), Some("$.removed.deleted"));
        // Settings out of range are clamped, as in a backup; a bad time is refused.
        let s = check(
            &DocId::Settings,
            json!({"settings": {"fontSizePx": 200}, "modified": NOW}),
        )
        .unwrap();
        let Body::Settings(s) = s else { panic!() };
        assert_eq!(
            s.settings,
            Settings {
                font_size_px: 28,
                ..Settings::default()
            }
        );
        assert!(check(&DocId::Settings, json!({"settings": {}, "modified": 5})).is_err());
        assert!(check(&DocId::Settings, json!([])).is_err());
    }

    fn arb_article_doc() -> impl Strategy<Value = ArticleDoc> {
        let t = |n: u32| format!("2026-01-01T00:00:{n:02}.000Z");
        (0u32..3, 0u32..6, 0u32..6, 0u32..3, 0u32..3).prop_map(move |(e, m, title, r, c)| {
            let article = parse_plain("a1", if c == 1 { "T\nОдин." } else { "T\nДва." });
            let mut meta = ArticleMeta::of(&article, &t(1), None);
            meta.title = format!("t{title}");
            meta.modified = if m == 0 { String::new() } else { t(m + 1) };
            ArticleDoc {
                entry: (e > 0).then_some(meta),
                removed: (r > 0).then(|| t(r * 3)),
                content: (c > 0).then_some(article),
            }
        })
    }

    fn arb_settings_doc() -> impl Strategy<Value = SettingsDoc> {
        (14u8..17, 0u32..4).prop_map(|(size, m)| SettingsDoc {
            settings: Settings {
                font_size_px: size,
                ..Settings::default()
            },
            modified: format!("2026-01-01T00:00:0{m}.000Z"),
        })
    }

    proptest! {
        #[test]
        fn article_join_is_commutative_associative_idempotent(
            a in arb_article_doc(), b in arb_article_doc(), c in arb_article_doc()
        ) {
            let j = |x: &ArticleDoc, y: &ArticleDoc| join_article("a1", x, y);
            prop_assert_eq!(j(&a, &b), j(&b, &a));
            prop_assert_eq!(j(&j(&a, &b), &c), j(&a, &j(&b, &c)));
            let ab = j(&a, &b);
            prop_assert_eq!(j(&ab, &ab), ab.clone());
            prop_assert_eq!(j(&ab, &a), ab);
        }

        #[test]
        fn settings_join_is_commutative_associative_idempotent(
            a in arb_settings_doc(), b in arb_settings_doc(), c in arb_settings_doc()
        ) {
            prop_assert_eq!(join_settings(&a, &b), join_settings(&b, &a));
            prop_assert_eq!(
                join_settings(&join_settings(&a, &b), &c),
                join_settings(&a, &join_settings(&b, &c))
            );
            prop_assert_eq!(join_settings(&a, &a), a);
        }
    }

    #[test]
    fn a_removal_beats_an_older_entry_and_the_text_is_kept_by_the_join() {
        let article = parse_plain("a1", "T\nОдин.");
        let meta = ArticleMeta::of(&article, "2026-01-01T00:00:01.000Z", None);
        let listed = ArticleDoc {
            entry: Some(meta.clone()),
            removed: None,
            content: Some(article.clone()),
        };
        let removed = ArticleDoc {
            entry: None,
            removed: Some("2026-01-01T00:00:05.000Z".into()),
            content: None,
        };
        let j = join_article("a1", &listed, &removed);
        assert_eq!(j.entry, None);
        assert_eq!(j.content.as_ref(), Some(&article));
        let mut renamed = meta;
        renamed.modified = "2026-01-01T00:00:09.000Z".into();
        let back = ArticleDoc {
            entry: Some(renamed.clone()),
            ..ArticleDoc::default()
        };
        assert_eq!(join_article("a1", &removed, &back).entry, Some(renamed));
        assert_ne!(
            fingerprint(&Body::Article(listed.clone())),
            fingerprint(&Body::Article(removed))
        );
        assert_eq!(
            fingerprint(&Body::Article(listed.clone())),
            article_fingerprint(&listed.entry, &None, true)
        );
    }
}
