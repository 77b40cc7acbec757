//! One article's annotations as stored (`lectern.v1.annotations.<article id>`), and the merge that
//! lets two tabs edit them without losing each other's work.
//!
//! The stored value is a versioned envelope (`{"version":1,"data":{"annotations":[…],
//! "tombstones":[…]}}`) loaded through [`storage::load`], so corrupt values are moved aside and
//! newer versions open read-only, exactly like settings.
//!
//! Merging is per annotation id: the newer `modified` wins, and a deletion leaves a [`Tombstone`]
//! that removes every version of the annotation not modified after it. [`merge`] is commutative,
//! associative and idempotent (proptests below), so tabs converge whatever order their `storage`
//! events arrive in.
//!
//! Timestamps are ISO 8601 UTC strings. They are compared as strings after one normalisation
//! ([`timestamp_key`]): the fraction of a second is padded, so the `…:00Z` written by older data
//! and the `…:00.000Z` written by `Date.toISOString()` compare by the instant they name (plain
//! string comparison would put `10:00:00.500Z` *before* `10:00:00Z`, since `.` < `Z`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;
use crate::storage::{self, KeyValueStore, Loaded, StoreError};

mod v2;

pub use v2::TextRef;

/// Schema version of the annotations envelope this build writes: 2, the compact form
/// ([`v2`]); version 1 (each annotation as its full W3C-shaped object) is still read, and is
/// what a portable copy is written in ([`to_portable`]).
pub const ANNOTATIONS_VERSION: u32 = 2;

/// The storage key of one article's annotations: `lectern.v1.annotations.<article_id>`. The id is
/// used as given (article ids are generated, not typed by users).
pub fn annotations_key(article_id: &str) -> String {
    format!("{}annotations.{article_id}", storage::PREFIX)
}

/// One article's annotations and the record of deleted ones.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AnnotationsDoc {
    pub annotations: Vec<Annotation>,
    /// Deleted ids, kept so a deletion survives merging with a tab that still has the annotation.
    pub tombstones: Vec<Tombstone>,
}

/// "Annotation `id` was deleted at `deleted`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub id: String,
    /// ISO 8601 UTC as `Date.toISOString()` gives it (`YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub deleted: String,
}

/// What a stored envelope holds, by its version.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Stored {
    V1(AnnotationsDoc),
    V2(v2::DocV2),
}

impl Default for Stored {
    fn default() -> Self {
        Stored::V1(AnnotationsDoc::default())
    }
}

impl Stored {
    /// The document, whatever version it was stored in (see [`v2::decode`] for `text`).
    fn into_doc(self, article_id: &str, text: Option<&str>) -> AnnotationsDoc {
        match self {
            Stored::V1(d) => d,
            Stored::V2(d) => v2::decode(d, article_id, text),
        }
    }
}

/// Annotations migrations: version 1 (full objects) and 2 (compact) are read; anything else is
/// not ours.
pub fn migrate_annotations(
    version: u32,
    data: serde_json::Value,
) -> Result<serde_json::Value, String> {
    match version {
        1 => Ok(serde_json::json!({ "v1": data })),
        2 => Ok(serde_json::json!({ "v2": data })),
        v => Err(format!("unknown annotations version {v}")),
    }
}

/// `doc` as a version-1 envelope: every annotation whole (quote, context, hash), readable
/// without the article's text — the "Download a copy" of annotations that cannot be saved.
pub fn to_portable(doc: &AnnotationsDoc) -> String {
    storage::to_envelope(1, doc)
}

/// `doc` as the envelope this build stores ([`ANNOTATIONS_VERSION`], compact against `text`).
pub fn to_stored(doc: &AnnotationsDoc, text: Option<TextRef<'_>>) -> String {
    storage::to_envelope(ANNOTATIONS_VERSION, &v2::encode(doc, text))
}

/// Load one article's annotations (see [`storage::load`]: missing → empty and writable; corrupt
/// → moved aside to `<key>.corrupt.<n>` and reported; newer version → shown read-only). `text`
/// is the article's text, which compact contexts are read back from (without it they come
/// back empty: fine for counting, not for writing back). The result is normalised as by
/// `merge(doc, empty)`: one version per id, annotations covered by a tombstone dropped, sorted.
pub fn load_annotations(
    store: &dyn KeyValueStore,
    article_id: &str,
    text: Option<&str>,
) -> Loaded<AnnotationsDoc> {
    let loaded: Loaded<Stored> = storage::load(
        store,
        &annotations_key(article_id),
        ANNOTATIONS_VERSION,
        migrate_annotations,
    );
    Loaded {
        value: merge(
            &loaded.value.into_doc(article_id, text),
            &AnnotationsDoc::default(),
        ),
        writable: loaded.writable,
        problem: loaded.problem,
    }
}

/// Write `doc` as a version-[`ANNOTATIONS_VERSION`] envelope, compact against the article's
/// `text` and its hash. A full store gives [`StoreError::QuotaExceeded`]; a value written by a
/// newer Lectern gives [`StoreError::Newer`]; nothing is written then.
pub fn save_annotations(
    store: &dyn KeyValueStore,
    article_id: &str,
    doc: &AnnotationsDoc,
    text: Option<TextRef<'_>>,
) -> Result<(), StoreError> {
    let key = annotations_key(article_id);
    storage::check_not_newer(store, &key, ANNOTATIONS_VERSION)?;
    store.set(&key, &to_stored(doc, text))
}

/// Parse an envelope as it arrives in another tab's `storage` event. Unlike [`load_annotations`]
/// this never writes (no backup): the other tab owns that value. Newer versions are an error
/// ([`storage::StoredElsewhere::Newer`]): they must not be merged into (and then written back
/// as) this version. The result is normalised like [`load_annotations`]'s.
pub fn parse_stored_doc(
    raw: &str,
    article_id: &str,
    text: Option<&str>,
) -> Result<AnnotationsDoc, storage::StoredElsewhere> {
    let stored: Stored = storage::parse_stored(raw, ANNOTATIONS_VERSION, migrate_annotations)?;
    Ok(merge(
        &stored.into_doc(article_id, text),
        &AnnotationsDoc::default(),
    ))
}

/// The comparison form of an ISO 8601 UTC timestamp: `YYYY-MM-DDTHH:MM:SS` followed by the
/// fraction padded (or cut) to nine digits and `Z`, so `…:00Z`, `…:00.0Z` and `…:00.000Z` are
/// equal and `…:00.5Z` sorts after `…:00Z`. Anything not of the shape
/// `YYYY-MM-DDTHH:MM:SS[.fff…]Z` is returned unchanged (compared as a plain string).
pub fn timestamp_key(ts: &str) -> String {
    let b = ts.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shaped = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[b.len() - 1] == b'Z';
    if !shaped {
        return ts.to_owned();
    }
    let fraction = match &ts[19..ts.len() - 1] {
        "" => "",
        f if f.len() > 1 && f.starts_with('.') && f[1..].bytes().all(|c| c.is_ascii_digit()) => {
            &f[1..]
        }
        _ => return ts.to_owned(),
    };
    let mut out = String::with_capacity(30);
    out.push_str(&ts[..19]);
    out.push('.');
    out.extend(fraction.chars().chain(std::iter::repeat('0')).take(9));
    out.push('Z');
    out
}

/// Compare two timestamps by [`timestamp_key`]. Two timestamps in the form the app writes
/// (`YYYY-MM-DDTHH:MM:SS.sssZ`) compare as written, with nothing allocated (their keys differ
/// only by the same padding).
pub fn cmp_time(a: &str, b: &str) -> Ordering {
    if is_canonical(a) && is_canonical(b) {
        return a.cmp(b);
    }
    timestamp_key(a).cmp(&timestamp_key(b))
}

/// Whether `ts` is `YYYY-MM-DDTHH:MM:SS.sssZ` (what `Date.toISOString()` gives).
fn is_canonical(ts: &str) -> bool {
    let b = ts.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Which of two versions of one annotation wins: the newer `modified`; on equal times the one
/// whose JSON serialisation is greater, so the choice does not depend on argument order.
fn newer_version(x: &Annotation, y: &Annotation) -> Ordering {
    cmp_time(&x.modified, &y.modified).then_with(|| {
        let sx = serde_json::to_string(x).expect("plain data serialises");
        let sy = serde_json::to_string(y).expect("plain data serialises");
        sx.cmp(&sy)
    })
}

/// Merge two copies of one article's annotations (this tab's and another tab's).
///
/// - Per id the version with the newer `modified` wins (equal times: the one with the
///   greater JSON serialisation, so the choice does not depend on argument order).
/// - Per id the newest tombstone is kept (older ones are dropped).
/// - An annotation whose `modified` is at or before its tombstone's `deleted` is removed; one
///   edited after its deletion (e.g. restored by undo) survives, and the tombstone stays.
/// - Output: annotations sorted by (`created`, `id`), tombstones by `id`.
///
/// Duplicates inside one input are resolved the same way, so `merge(doc, &empty)` normalises a
/// doc. Commutative, associative, idempotent. O((n + m) log(n + m)).
pub fn merge(a: &AnnotationsDoc, b: &AnnotationsDoc) -> AnnotationsDoc {
    let mut tombstones: BTreeMap<&str, &Tombstone> = BTreeMap::new();
    for t in a.tombstones.iter().chain(&b.tombstones) {
        let slot = tombstones.entry(&t.id).or_insert(t);
        let newer = cmp_time(&t.deleted, &slot.deleted).then_with(|| t.deleted.cmp(&slot.deleted));
        if newer == Ordering::Greater {
            *slot = t;
        }
    }
    let mut best: BTreeMap<&str, &Annotation> = BTreeMap::new();
    for x in a.annotations.iter().chain(&b.annotations) {
        // Versions are compared only when there are two (the comparison may serialise both).
        match best.entry(&x.id) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(x);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                if newer_version(x, o.get()) == Ordering::Greater {
                    o.insert(x);
                }
            }
        }
    }
    let mut annotations: Vec<Annotation> = best
        .into_values()
        .filter(|x| match tombstones.get(x.id.as_str()) {
            Some(t) => cmp_time(&x.modified, &t.deleted) == Ordering::Greater,
            None => true,
        })
        .cloned()
        .collect();
    // By (timestamp_key(created), created, id), compared without building the keys.
    annotations.sort_by(|x, y| {
        cmp_time(&x.created, &y.created)
            .then_with(|| x.created.cmp(&y.created))
            .then_with(|| x.id.cmp(&y.id))
    });
    AnnotationsDoc {
        annotations,
        tombstones: tombstones.into_values().cloned().collect(),
    }
}

/// Forget tombstones deleted before `older_than` (compared by [`timestamp_key`]). Keeps the
/// stored value small, at a price: a tab that has been closed since before `older_than` and
/// still holds the deleted annotation would bring it back when merged. Choose a generous cutoff
/// (weeks).
pub fn prune_tombstones(doc: &mut AnnotationsDoc, older_than: &str) {
    doc.tombstones
        .retain(|t| cmp_time(&t.deleted, older_than) != Ordering::Less);
}

/// `doc` without tombstones deleted before `older_than`, or `None` when it has none (no copy
/// is made then).
pub fn pruned(doc: &AnnotationsDoc, older_than: &str) -> Option<AnnotationsDoc> {
    let old = |t: &Tombstone| cmp_time(&t.deleted, older_than) == Ordering::Less;
    doc.tombstones.iter().any(old).then(|| {
        let mut d = doc.clone();
        prune_tombstones(&mut d, older_than);
        d
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Color;
    use crate::storage::{MemoryStore, Problem};
    use proptest::prelude::*;

    const GOLDEN: &str = include_str!("../tests/fixtures/annotations-doc-v1.json");

    fn ann(id: &str, created: &str, modified: &str) -> Annotation {
        Annotation {
            id: id.into(),
            article_id: "art".into(),
            target: None,
            color: Color::Yellow,
            note: String::new(),
            tags: vec![],
            created: created.into(),
            modified: modified.into(),
        }
    }

    fn tomb(id: &str, deleted: &str) -> Tombstone {
        Tombstone {
            id: id.into(),
            deleted: deleted.into(),
        }
    }

    fn doc(annotations: Vec<Annotation>, tombstones: Vec<Tombstone>) -> AnnotationsDoc {
        AnnotationsDoc {
            annotations,
            tombstones,
        }
    }

    const T0: &str = "2024-11-21T10:00:00.000Z";
    const T1: &str = "2024-11-21T10:00:01.000Z";
    const T2: &str = "2024-11-21T10:00:02.000Z";
    const T3: &str = "2024-11-21T10:00:03.000Z";

    #[test]
    fn key_is_namespaced_per_article() {
        assert_eq!(annotations_key("abc"), "lectern.v1.annotations.abc");
    }

    #[test]
    fn timestamps_compare_by_instant_across_precisions() {
        let cases: &[(&str, &str, &str, Ordering)] = &[
            ("same string", T0, T0, Ordering::Equal),
            (
                "no fraction = .000",
                "2024-11-21T10:00:00Z",
                T0,
                Ordering::Equal,
            ),
            (
                "half second after whole",
                "2024-11-21T10:00:00.500Z",
                "2024-11-21T10:00:00Z",
                Ordering::Greater,
            ),
            (
                "micro vs milli",
                "2024-11-21T10:00:00.000001Z",
                T0,
                Ordering::Greater,
            ),
            ("later second", T1, T0, Ordering::Greater),
            (
                "later year",
                "2025-01-01T00:00:00Z",
                "2024-12-31T23:59:59.999Z",
                Ordering::Greater,
            ),
        ];
        for (name, a, b, want) in cases {
            assert_eq!(cmp_time(a, b), *want, "{name}");
            assert_eq!(cmp_time(b, a), want.reverse(), "{name} reversed");
        }
        // Not our shape: compared as written.
        assert_eq!(timestamp_key("yesterday"), "yesterday");
        assert_eq!(
            timestamp_key("2024-11-21T10:00:00+03:00"),
            "2024-11-21T10:00:00+03:00"
        );
        assert_eq!(
            timestamp_key("2024-11-21T10:00:00.Z"),
            "2024-11-21T10:00:00.Z"
        );
    }

    #[test]
    fn two_tabs_adding_different_annotations_keep_both() {
        let a = doc(vec![ann("x", T0, T0)], vec![]);
        let b = doc(vec![ann("y", T1, T1)], vec![]);
        let m = merge(&a, &b);
        let ids: Vec<&str> = m.annotations.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["x", "y"]);
    }

    #[test]
    fn later_edit_wins_whichever_tab_made_it() {
        let mut noted = ann("x", T0, T1);
        noted.note = "my note".into();
        let mut recoloured = ann("x", T0, T2);
        recoloured.color = Color::Pink;
        for m in [
            merge(
                &doc(vec![noted.clone()], vec![]),
                &doc(vec![recoloured.clone()], vec![]),
            ),
            merge(
                &doc(vec![recoloured.clone()], vec![]),
                &doc(vec![noted.clone()], vec![]),
            ),
        ] {
            assert_eq!(m.annotations, vec![recoloured.clone()]);
        }
    }

    #[test]
    fn deletion_beats_older_edit_but_not_newer_edit() {
        let deleted = doc(vec![], vec![tomb("x", T2)]);
        let older_edit = doc(vec![ann("x", T0, T1)], vec![]);
        let m = merge(&deleted, &older_edit);
        assert!(m.annotations.is_empty());
        assert_eq!(m.tombstones, vec![tomb("x", T2)]);

        let same_time = doc(vec![ann("x", T0, T2)], vec![]);
        assert!(
            merge(&deleted, &same_time).annotations.is_empty(),
            "ties delete"
        );

        let newer_edit = doc(vec![ann("x", T0, T3)], vec![]);
        let m = merge(&newer_edit, &deleted);
        assert_eq!(m.annotations, vec![ann("x", T0, T3)]);
        assert_eq!(m.tombstones, vec![tomb("x", T2)], "the tombstone stays");
    }

    #[test]
    fn mixed_precision_edit_after_deletion_survives() {
        // 10:00:02.500 is after 10:00:02; as plain strings it would sort before it.
        let deleted = doc(vec![], vec![tomb("x", "2024-11-21T10:00:02Z")]);
        let edited = doc(vec![ann("x", T0, "2024-11-21T10:00:02.500Z")], vec![]);
        assert_eq!(merge(&deleted, &edited).annotations.len(), 1);
    }

    #[test]
    fn one_tombstone_per_id_the_newest() {
        let m = merge(
            &doc(vec![], vec![tomb("x", T1), tomb("y", T0)]),
            &doc(vec![], vec![tomb("x", T3), tomb("x", T2)]),
        );
        assert_eq!(m.tombstones, vec![tomb("x", T3), tomb("y", T0)]);
    }

    #[test]
    fn output_is_sorted_by_created_then_id() {
        let m = merge(
            &doc(vec![ann("b", T1, T1), ann("z", T0, T0)], vec![]),
            &doc(
                vec![ann("a", T1, T1), ann("c", "2024-11-21T10:00:00.500Z", T1)],
                vec![],
            ),
        );
        let ids: Vec<&str> = m.annotations.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["z", "c", "a", "b"]);
    }

    #[test]
    fn prune_drops_only_old_tombstones() {
        let mut d = doc(vec![], vec![tomb("a", T0), tomb("b", T2), tomb("c", T1)]);
        assert_eq!(
            pruned(&d, T1).unwrap().tombstones,
            vec![tomb("b", T2), tomb("c", T1)]
        );
        prune_tombstones(&mut d, T1);
        assert_eq!(d.tombstones, vec![tomb("b", T2), tomb("c", T1)]);
        assert_eq!(pruned(&d, T1), None, "nothing old: no copy");
    }

    // ---- storage ----

    /// The text the golden files' highlight was made on.
    const GOLDEN_TEXT: &str = "Съешь же ещё этих мягких французских булок, да выпей же чаю.";

    #[test]
    fn golden_v1_doc_still_loads_and_is_written_back_compact_losing_nothing() {
        let key = annotations_key("seed");
        let store = MemoryStore::with(&[(key.as_str(), GOLDEN)]);
        let l = load_annotations(&store, "seed", Some(GOLDEN_TEXT));
        assert!(l.writable && l.problem.is_none(), "{:?}", l.problem);
        let d = &l.value;
        assert_eq!(d.annotations.len(), 2);
        assert_eq!(d.annotations[0].id, "6c656374-6572-4e2d-a76f-6c64656e2d31");
        assert_eq!(d.annotations[0].color, Color::Green);
        assert_eq!(d.annotations[0].tags, vec!["еда", "pangram"]);
        let t = d.annotations[0].target.as_ref().unwrap();
        assert_eq!(t.quote.exact, "мягких французских");
        assert_eq!(t.position.start.0, 18);
        assert!(d.annotations[1].target.is_none());
        assert_eq!(d.annotations[1].note, "Whole-article note");
        assert_eq!(
            d.tombstones,
            vec![tomb(
                "6c656374-6572-4e2d-a76f-6c64656e2d33",
                "2024-11-23T09:15:00.000Z"
            )]
        );
        assert_eq!(parse_stored_doc(GOLDEN, "seed", None).unwrap(), *d);
        // Written back in the compact form (version 2), every field comes back — with the
        // article's text, and without it (contexts stored as strings then).
        let hash = crate::annotation::text_hash(GOLDEN_TEXT);
        for text in [
            Some(TextRef {
                text: GOLDEN_TEXT,
                hash: &hash,
            }),
            None,
        ] {
            let out = MemoryStore::default();
            save_annotations(&out, "seed", d, text).unwrap();
            let raw = out.get(&key).unwrap().unwrap();
            assert!(raw.starts_with(r#"{"version":2,"data":{"#), "{raw}");
            let back = load_annotations(&out, "seed", Some(GOLDEN_TEXT)).value;
            assert_eq!(back, *d, "{raw}");
        }
        // The portable copy is version 1, whole.
        let portable: serde_json::Value = serde_json::from_str(&to_portable(d)).unwrap();
        let golden: serde_json::Value = serde_json::from_str(GOLDEN).unwrap();
        assert_eq!(portable, golden);
    }

    #[test]
    fn golden_v2_doc_is_pinned_both_ways() {
        const GOLDEN_V2: &str = include_str!("../tests/fixtures/annotations-doc-v2.json");
        let key = annotations_key("seed");
        let store = MemoryStore::with(&[(key.as_str(), GOLDEN_V2)]);
        let l = load_annotations(&store, "seed", Some(GOLDEN_TEXT));
        assert!(l.problem.is_none(), "{:?}", l.problem);
        // The same document as the golden version 1.
        let v1 = parse_stored_doc(GOLDEN, "seed", None).unwrap();
        assert_eq!(l.value, v1);
        let hash = crate::annotation::text_hash(GOLDEN_TEXT);
        let text = TextRef {
            text: GOLDEN_TEXT,
            hash: &hash,
        };
        let written: serde_json::Value =
            serde_json::from_str(&to_stored(&l.value, Some(text))).unwrap();
        let golden: serde_json::Value = serde_json::from_str(GOLDEN_V2).unwrap();
        assert_eq!(written, golden);
    }

    #[test]
    fn missing_is_empty_and_writable_and_round_trips() {
        let store = MemoryStore::default();
        let l = load_annotations(&store, "a1", None);
        assert_eq!(l.value, AnnotationsDoc::default());
        assert!(l.writable && l.problem.is_none());
        let mut d = doc(vec![ann("x", T0, T1)], vec![tomb("y", T2)]);
        d.annotations[0].article_id = "a1".into();
        save_annotations(&store, "a1", &d, None).unwrap();
        let raw = store.get("lectern.v1.annotations.a1").unwrap().unwrap();
        assert!(raw.starts_with(r#"{"version":2,"data":{"a":["#), "{raw}");
        assert_eq!(load_annotations(&store, "a1", None).value, d);
        assert_eq!(
            load_annotations(&store, "other", None).value,
            AnnotationsDoc::default()
        );
    }

    #[test]
    fn corrupt_values_are_moved_aside_never_overwritten() {
        let key = annotations_key("a1");
        let backup1 = format!("{key}.corrupt.1");
        for bad in [
            "{not json",
            "[]",
            r#"{"version":0,"data":{}}"#,
            r#"{"version":1,"data":{"annotations":7}}"#,
        ] {
            let store =
                MemoryStore::with(&[(key.as_str(), bad), (backup1.as_str(), "older backup")]);
            let l = load_annotations(&store, "a1", None);
            assert_eq!(l.value, AnnotationsDoc::default(), "{bad}");
            assert!(l.writable, "{bad}");
            match l.problem {
                Some(Problem::Corrupt { backup_key, .. }) => {
                    assert_eq!(backup_key, Some(format!("{key}.corrupt.2")), "{bad}")
                }
                other => panic!("{bad}: {other:?}"),
            }
            let map = store.map.borrow();
            assert_eq!(map[&backup1], "older backup");
            assert_eq!(map[&format!("{key}.corrupt.2")], bad);
            assert_eq!(map[&key], bad);
        }
    }

    #[test]
    fn corrupt_value_with_no_room_for_a_backup_is_read_only() {
        let key = annotations_key("a1");
        let mut store = MemoryStore::with(&[(key.as_str(), "garbage")]);
        store.quota_bytes = Some(40);
        let l = load_annotations(&store, "a1", None);
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
    fn newer_versions_are_read_only_but_shown() {
        let key = annotations_key("a1");
        // A newer schema's data is shown as far as it fits a shape this build knows.
        let newer = format!(
            r#"{{"version":3,"data":{{"v1":{{"annotations":[{}],"tombstones":[],"future":true}}}}}}"#,
            serde_json::to_string(&ann("x", T0, T0)).unwrap()
        );
        let store = MemoryStore::with(&[(key.as_str(), newer.as_str())]);
        let l = load_annotations(&store, "a1", None);
        assert!(!l.writable);
        assert_eq!(l.value.annotations, vec![ann("x", T0, T0)]);
        assert!(matches!(
            l.problem,
            Some(Problem::NewerVersion {
                found: 3,
                supported: 2,
                ..
            })
        ));
        assert_eq!(store.map.borrow().len(), 1, "nothing moved aside");
        assert_eq!(
            parse_stored_doc(&newer, "a1", None).unwrap_err(),
            storage::StoredElsewhere::Newer { found: 3 }
        );
    }

    #[test]
    fn quota_errors_are_typed_and_write_nothing() {
        let store = MemoryStore {
            quota_bytes: Some(60),
            ..MemoryStore::default()
        };
        let d = doc(vec![ann("x", T0, T1)], vec![]);
        let err = save_annotations(&store, "a1", &d, None).unwrap_err();
        assert!(matches!(err, StoreError::QuotaExceeded { .. }));
        assert!(store.map.borrow().is_empty());
    }

    #[test]
    fn parse_stored_cases() {
        let ok = storage::to_envelope(1, &doc(vec![ann("x", T0, T1)], vec![]));
        assert_eq!(
            parse_stored_doc(&ok, "art", None)
                .unwrap()
                .annotations
                .len(),
            1
        );
        assert_eq!(
            parse_stored_doc(r#"{"version":1,"data":{}}"#, "art", None).unwrap(),
            AnnotationsDoc::default(),
            "missing lists are empty"
        );
        for bad in [
            "",
            "null",
            "{not json",
            r#"{"version":0,"data":{}}"#,
            r#"{"data":{}}"#,
            r#"{"version":1,"data":null}"#,
        ] {
            assert!(parse_stored_doc(bad, "art", None).is_err(), "{bad}");
        }
        // Stored duplicates and shadowed annotations are normalised away.
        let messy = storage::to_envelope(
            1,
            &doc(
                vec![ann("x", T0, T1), ann("x", T0, T3), ann("y", T0, T0)],
                vec![tomb("y", T1)],
            ),
        );
        let d = parse_stored_doc(&messy, "art", None).unwrap();
        assert_eq!(d.annotations, vec![ann("x", T0, T3)]);
    }

    // ---- the compact form ----

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every highlight described on a text, and the same with its quote or context changed
        /// (as fuzzy and imported ones are), comes back whole from the compact form.
        #[test]
        fn the_compact_form_gives_every_annotation_back(
            text in "[a-zё😀\u{301} .\n]{1,80}",
            ranges in prop::collection::vec((0usize..100, 0usize..100, 0usize..4), 0..6),
            times in prop::collection::vec(0usize..TIMES.len(), 6),
        ) {
            let hash = crate::annotation::text_hash(&text);
            let describer = crate::anchor::Describer::new(&text);
            let snap = |b: usize| crate::text::floor_char_boundary(&text, crate::text::ByteOffset(b.min(text.len())));
            let mut annotations = Vec::new();
            for (i, &(x, y, edit)) in ranges.iter().enumerate() {
                let (s, e) = (snap(x.min(y)), snap(x.max(y)));
                let Ok(mut t) = describer.describe(s..e) else { continue };
                match edit {
                    1 => t.quote.exact.push('x'),
                    2 => t.quote.prefix = format!("z{}", t.quote.prefix),
                    3 => t.text_hash = "fnv1a64:other".into(),
                    _ => {}
                }
                let mut a = ann(&format!("id-{i}"), TIMES[times[i % 6]], TIMES[times[(i + 1) % 6]]);
                a.article_id = "art".into();
                a.target = Some(t);
                annotations.push(a);
            }
            let d = doc(annotations, vec![tomb("gone", TIMES[times[0]])]);
            let text_ref = TextRef { text: &text, hash: &hash };
            let raw = to_stored(&d, Some(text_ref));
            let back = parse_stored_doc(&raw, "art", Some(&text)).unwrap();
            prop_assert_eq!(back, merge(&d, &AnnotationsDoc::default()));
        }
    }

    proptest! {
        /// The comparison without keys agrees with the keys', in every form.
        #[test]
        fn cmp_time_agrees_with_timestamp_keys(
            a in "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?Z|x",
            b in "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?Z|x",
        ) {
            prop_assert_eq!(cmp_time(&a, &b), timestamp_key(&a).cmp(&timestamp_key(&b)));
        }
    }

    // ---- merge properties ----

    const IDS: [&str; 4] = ["a", "b", "c", "d"];
    // Mixed precisions on purpose: index 1 and 2 are the same instant, spelt differently.
    const TIMES: [&str; 5] = [
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:01.000Z",
        "2024-01-01T00:00:01Z",
        "2024-01-01T00:00:01.500Z",
        "2024-01-01T00:00:02.000Z",
    ];

    fn arb_annotation() -> impl Strategy<Value = Annotation> {
        (
            0..IDS.len(),
            0..TIMES.len(),
            0..TIMES.len(),
            0..2usize,
            0..3usize,
        )
            .prop_map(|(id, c, m, colour, note)| {
                let mut a = ann(IDS[id], TIMES[c], TIMES[m]);
                a.color = Color::ALL[colour];
                a.note = ["", "x", "y"][note].into();
                a
            })
    }

    fn arb_doc() -> impl Strategy<Value = AnnotationsDoc> {
        (
            prop::collection::vec(arb_annotation(), 0..6),
            prop::collection::vec(
                (0..IDS.len(), 0..TIMES.len()).prop_map(|(i, t)| tomb(IDS[i], TIMES[t])),
                0..3,
            ),
        )
            .prop_map(|(annotations, tombstones)| doc(annotations, tombstones))
    }

    fn normal(d: &AnnotationsDoc) -> AnnotationsDoc {
        merge(d, &AnnotationsDoc::default())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn merge_is_commutative(a in arb_doc(), b in arb_doc()) {
            prop_assert_eq!(merge(&a, &b), merge(&b, &a));
        }

        #[test]
        fn merge_is_idempotent(a in arb_doc()) {
            let n = normal(&a);
            prop_assert_eq!(merge(&n, &n), n.clone());
            prop_assert_eq!(merge(&a, &a), n.clone());
            prop_assert_eq!(normal(&n), n);
        }

        #[test]
        fn merge_is_associative(a in arb_doc(), b in arb_doc(), c in arb_doc()) {
            prop_assert_eq!(merge(&merge(&a, &b), &c), merge(&a, &merge(&b, &c)));
        }

        #[test]
        fn merge_keeps_the_newest_and_invents_nothing(a in arb_doc(), b in arb_doc()) {
            let m = merge(&a, &b);
            let all_anns: Vec<&Annotation> = a.annotations.iter().chain(&b.annotations).collect();
            let all_tombs: Vec<&Tombstone> = a.tombstones.iter().chain(&b.tombstones).collect();
            for x in &all_anns {
                let newest_version = all_anns
                    .iter()
                    .filter(|y| y.id == x.id && **y != *x)
                    .all(|y| cmp_time(&x.modified, &y.modified) == Ordering::Greater);
                let after_every_deletion = all_tombs
                    .iter()
                    .filter(|t| t.id == x.id)
                    .all(|t| cmp_time(&x.modified, &t.deleted) == Ordering::Greater);
                if newest_version && after_every_deletion {
                    prop_assert!(m.annotations.contains(x), "lost {:?}", x);
                }
            }
            let mut seen = std::collections::HashSet::new();
            for x in &m.annotations {
                prop_assert!(all_anns.contains(&x), "invented {:?}", x);
                prop_assert!(seen.insert(&x.id), "duplicate id {}", x.id);
                for t in m.tombstones.iter().filter(|t| t.id == x.id) {
                    prop_assert_eq!(cmp_time(&x.modified, &t.deleted), Ordering::Greater);
                }
            }
            for t in &m.tombstones {
                prop_assert!(all_tombs.contains(&t));
            }
            let tomb_ids: Vec<&str> = m.tombstones.iter().map(|t| t.id.as_str()).collect();
            let mut sorted = tomb_ids.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(tomb_ids, sorted);
        }
    }
}
