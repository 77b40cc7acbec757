//! The library: which articles the reader keeps, and where each one's text is stored.
//!
//! Keys: `lectern.v1.library` holds the list (an envelope of [`LibraryDoc`]); each imported
//! article's content is under `lectern.v1.article.<id>`, and its annotations under
//! `lectern.v1.annotations.<id>` (see [`crate::annotations_doc`]). The sample article is built
//! into the app: it is listed like any other and can be deleted, but its text is never stored.
//!
//! Adding an article writes its content first and the list second, and takes the content out
//! again when the list cannot be written ([`add_article`]), so a full quota leaves nothing
//! half-written.
//!
//! Two tabs may change the list at the same moment (each importing a file). The list therefore
//! merges per article like annotations do ([`merge`]): the newer `modified` of an entry wins, a
//! removal leaves a [`Tombstone`] that removes every version not modified after it, and the
//! merge is commutative, associative and idempotent. Writes merge with what is stored first
//! ([`save_merged`]).

use serde::{Deserialize, Serialize};

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::annotation::text_hash;
use crate::annotations_doc::{cmp_time, timestamp_key, Tombstone};
use crate::article::Article;
use crate::storage::{load, to_envelope, KeyValueStore, Loaded, Problem, StoreError};

/// The sample article's text, built into the app (`assets/seed-article-ru.txt`).
pub const SEED_TEXT: &str = include_str!("../../../assets/seed-article-ru.txt");

/// The built-in sample article.
pub fn seed_article() -> Article {
    crate::parse::plain::parse_plain(SEED_ID, SEED_TEXT)
}

pub const LIBRARY_KEY: &str = "lectern.v1.library";
pub const LIBRARY_VERSION: u32 = 1;
pub const ARTICLE_VERSION: u32 = 1;
/// The id of the built-in sample article.
pub const SEED_ID: &str = "seed";

pub fn article_key(id: &str) -> String {
    format!("lectern.v1.article.{id}")
}

/// What the library list shows of an article, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleMeta {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub source: Option<String>,
    pub lang: String,
    /// ISO 8601 UTC.
    pub added: String,
    pub words: usize,
    /// [`text_hash`] of the article text, to notice the same content imported twice.
    pub hash: String,
    /// The file it came from, if any.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The start of the article's text, for the list (a couple of sentences).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub excerpt: String,
    /// When the entry last changed (ISO 8601 UTC); empty until the first change after adding,
    /// which counts as `added` ([`ArticleMeta::changed`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub modified: String,
}

impl ArticleMeta {
    pub fn of(article: &Article, added: &str, file_name: Option<String>) -> ArticleMeta {
        ArticleMeta {
            id: article.id.clone(),
            title: article.title.clone(),
            source: article.source.as_ref().map(|s| s.name.clone()),
            lang: article.lang.clone(),
            added: added.to_owned(),
            words: article.word_count(),
            hash: text_hash(&article.text()),
            file_name,
            excerpt: excerpt(article),
            modified: String::new(),
        }
    }

    /// When the entry last changed: `modified`, or `added` if it never did.
    pub fn changed(&self) -> &str {
        if self.modified.is_empty() {
            &self.added
        } else {
            &self.modified
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryDoc {
    /// Newest first (by `added`).
    pub articles: Vec<ArticleMeta>,
    /// Articles taken off the list, so a removal survives merging with a tab that still lists
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Tombstone>,
}

impl LibraryDoc {
    /// The library of a first visit: the sample article alone.
    pub fn first_open(seed: &Article) -> LibraryDoc {
        LibraryDoc {
            articles: vec![ArticleMeta::of(seed, "2026-01-01T00:00:00.000Z", None)],
            removed: Vec::new(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&ArticleMeta> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// An article already in the library with the same text, if any.
    pub fn same_content(&self, article: &Article) -> Option<&ArticleMeta> {
        let hash = text_hash(&article.text());
        self.articles.iter().find(|a| a.hash == hash)
    }

    /// Case-insensitive search in titles, sources and (through `folded_text_of`, which returns
    /// an article's text already folded by [`crate::search::fold`], if it can be had) the
    /// articles' text; ё and е count as one letter. Text is looked at only for articles whose
    /// title and source do not match.
    pub fn search<'t>(
        &self,
        query: &str,
        folded_text_of: impl Fn(&str) -> Option<&'t str>,
    ) -> Vec<&ArticleMeta> {
        let q = crate::search::fold(query.trim());
        self.articles
            .iter()
            .filter(|a| {
                q.is_empty()
                    || crate::search::fold(&a.title).contains(&q)
                    || a.source
                        .as_deref()
                        .is_some_and(|s| crate::search::fold(s).contains(&q))
                    || folded_text_of(&a.id).is_some_and(|t| t.contains(&q))
            })
            .collect()
    }
}

/// How long an excerpt is, in characters (about two lines of the list).
pub const EXCERPT_CHARS: usize = 180;

/// The start of `article`'s text for the library list: its excerpt if the page had one, else
/// its first paragraph, cut at a word before [`EXCERPT_CHARS`] characters with "…".
pub fn excerpt(article: &Article) -> String {
    let source = article.excerpt.clone().unwrap_or_else(|| {
        article
            .blocks
            .iter()
            .find(|b| {
                matches!(
                    b.kind,
                    crate::article::BlockKind::Lead | crate::article::BlockKind::Paragraph
                ) && !b.text.trim().is_empty()
            })
            .map(|b| b.text.clone())
            .unwrap_or_default()
    });
    let text = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!(
        "{}…",
        at_word.trim_end_matches([',', ';', ':', '—', '-', ' '])
    )
}

/// How many recently opened articles keep their content in `localStorage` as well (where the
/// first paint can read it at once) when content lives in IndexedDB.
pub const CACHE_ARTICLES: usize = 3;

/// The envelope an article's content is stored as (in `localStorage`, and as IndexedDB's
/// record, so both read the same way).
pub fn article_record(article: &Article) -> String {
    to_envelope(ARTICLE_VERSION, article)
}

/// An article from its stored record ([`article_record`]).
pub fn parse_article(raw: &str) -> Result<Article, String> {
    crate::storage::parse_stored(raw, ARTICLE_VERSION, |v, d| match v {
        1 => Ok(d),
        v => Err(format!("unknown article version {v}")),
    })
    .map_err(|e| match e {
        crate::storage::StoredElsewhere::Newer { found } => {
            format!("written by a newer Lectern (article version {found})")
        }
        crate::storage::StoredElsewhere::Bad(why) => why,
    })
}

/// List article `meta` (its content stored already, elsewhere) in the stored list, merged.
pub fn list_added(store: &dyn KeyValueStore, meta: &ArticleMeta) -> Result<LibraryDoc, StoreError> {
    save_merged(
        store,
        &LibraryDoc {
            articles: vec![meta.clone()],
            removed: Vec::new(),
        },
    )
}

/// Of the article ids `stored` (contents found wherever they live), those the list neither
/// lists nor marks removed: articles whose entry was lost.
pub fn unlisted<'a>(doc: &LibraryDoc, stored: &'a [String]) -> Vec<&'a str> {
    stored
        .iter()
        .map(String::as_str)
        .filter(|id| crate::route::is_valid_id(id))
        .filter(|id| doc.get(id).is_none() && !doc.removed.iter().any(|t| t.id == *id))
        .collect()
}

/// Which of the contents cached in `localStorage` (`cached`) to drop: all but the
/// [`CACHE_ARTICLES`] opened most recently (`opened`: id → when, ISO), and any that is no
/// longer listed.
pub fn cache_to_drop<'a>(
    cached: &'a [String],
    opened: &std::collections::HashMap<String, String>,
    doc: &LibraryDoc,
) -> Vec<&'a str> {
    let mut by_recency: Vec<&String> = cached.iter().filter(|id| doc.get(id).is_some()).collect();
    by_recency.sort_by(|a, b| {
        let ta = opened.get(*a).map_or("", String::as_str);
        let tb = opened.get(*b).map_or("", String::as_str);
        cmp_time(tb, ta).then_with(|| a.cmp(b))
    });
    let keep: Vec<&String> = by_recency.into_iter().take(CACHE_ARTICLES).collect();
    cached
        .iter()
        .filter(|id| !keep.contains(id))
        .map(String::as_str)
        .collect()
}

/// Which of two versions of one entry wins: the later [`ArticleMeta::changed`]; on equal times
/// the greater JSON serialisation, so the choice does not depend on argument order.
fn newer_entry(x: &ArticleMeta, y: &ArticleMeta) -> Ordering {
    cmp_time(x.changed(), y.changed()).then_with(|| {
        let sx = serde_json::to_string(x).expect("plain data serialises");
        let sy = serde_json::to_string(y).expect("plain data serialises");
        sx.cmp(&sy)
    })
}

/// Merge two copies of the library list (this tab's and another tab's, or the stored one).
///
/// - Per article id the entry changed last wins (equal times: the greater JSON).
/// - Per id the newest tombstone is kept; an entry changed at or before its tombstone is
///   removed (one changed after it, e.g. restored by undo, stays).
/// - Output: newest `added` first (then by id), tombstones by id.
///
/// Commutative, associative and idempotent (property tests below).
pub fn merge(a: &LibraryDoc, b: &LibraryDoc) -> LibraryDoc {
    let mut tombstones: BTreeMap<&str, &Tombstone> = BTreeMap::new();
    for t in a.removed.iter().chain(&b.removed) {
        let slot = tombstones.entry(&t.id).or_insert(t);
        let newer = cmp_time(&t.deleted, &slot.deleted).then_with(|| t.deleted.cmp(&slot.deleted));
        if newer == Ordering::Greater {
            *slot = t;
        }
    }
    let mut best: BTreeMap<&str, &ArticleMeta> = BTreeMap::new();
    for x in a.articles.iter().chain(&b.articles) {
        let slot = best.entry(&x.id).or_insert(x);
        if newer_entry(x, slot) == Ordering::Greater {
            *slot = x;
        }
    }
    let mut articles: Vec<ArticleMeta> = best
        .into_values()
        .filter(|x| match tombstones.get(x.id.as_str()) {
            Some(t) => cmp_time(x.changed(), &t.deleted) == Ordering::Greater,
            None => true,
        })
        .cloned()
        .collect();
    articles.sort_by_cached_key(|x| {
        (
            std::cmp::Reverse(timestamp_key(&x.added)),
            std::cmp::Reverse(x.added.clone()),
            x.id.clone(),
        )
    });
    LibraryDoc {
        articles,
        removed: tombstones.into_values().cloned().collect(),
    }
}

/// Write `doc` merged with the stored list (another tab may have added or removed articles
/// since this tab last read it). Returns what is now stored. A stored list of a newer schema is
/// never overwritten ([`StoreError::Newer`]); a stored value that does not parse is moved aside
/// first (as [`load`] does) and then replaced.
pub fn save_merged(store: &dyn KeyValueStore, doc: &LibraryDoc) -> Result<LibraryDoc, StoreError> {
    let stored = load_stored_library(store)?;
    // Nothing stored yet: the list a first visit shows (the sample) is what there is.
    let base = stored
        .clone()
        .unwrap_or_else(|| LibraryDoc::first_open(&seed_article()));
    let merged = merge(&base, doc);
    if stored.as_ref() != Some(&merged) {
        save_library(store, &merged)?;
    }
    Ok(merged)
}

/// The stored list as it is (`None` when absent or moved aside as corrupt), or why it must not
/// be written.
fn load_stored_library(store: &dyn KeyValueStore) -> Result<Option<LibraryDoc>, StoreError> {
    let loaded: Loaded<Option<LibraryDoc>> = load(store, LIBRARY_KEY, LIBRARY_VERSION, migrate);
    match loaded.problem {
        Some(Problem::NewerVersion { key, found, .. }) => Err(StoreError::Newer { key, found }),
        Some(Problem::Unavailable { why }) => Err(StoreError::Unavailable(why)),
        Some(Problem::Corrupt {
            backup_key: None,
            key,
            ..
        }) => Err(StoreError::Other(format!(
            "{key} does not parse and could not be copied aside"
        ))),
        _ => Ok(loaded.value),
    }
}

/// Library migrations. Version 1 is the first; anything else is not ours.
pub fn migrate(version: u32, data: serde_json::Value) -> Result<serde_json::Value, String> {
    match version {
        1 => Ok(data),
        v => Err(format!("unknown library version {v}")),
    }
}

/// Store an imported article: its content first, then its entry in the stored list. If the
/// list cannot be written, the content is taken out again, so nothing is half-written. Returns
/// the list as now stored.
pub fn add_article(
    store: &dyn KeyValueStore,
    article: &Article,
    meta: &ArticleMeta,
) -> Result<LibraryDoc, StoreError> {
    save_article(store, article)?;
    let one = LibraryDoc {
        articles: vec![meta.clone()],
        removed: Vec::new(),
    };
    save_merged(store, &one).inspect_err(|_| {
        let _ = store.remove(&article_key(&article.id));
    })
}

/// How long a removed article can be brought back ("Undo") before its stored content and
/// annotations are deleted to free the space.
pub const UNDO_WINDOW_MS: u32 = 30_000;

/// How long a tombstone (of a removed article or a deleted annotation) is kept, in days. A tab
/// closed for longer that still holds the removed item would bring it back when merged: weeks,
/// not hours.
pub const TOMBSTONE_DAYS: u32 = 60;

/// Free the space of articles removed from the list at or before `cutoff` (past the undo
/// window): their stored content and annotations are deleted (the sample has no stored
/// content). Tombstones older than `prune_before` leave the stored list. Articles listed again
/// meanwhile (an undo, another tab) are left alone. Returns the ids whose data was deleted.
pub fn purge_removed(
    store: &dyn KeyValueStore,
    cutoff: &str,
    prune_before: &str,
) -> Result<Vec<String>, StoreError> {
    let Some(mut stored) = load_stored_library(store)? else {
        return Ok(Vec::new());
    };
    let mut purged = Vec::new();
    for t in &stored.removed {
        let past = cmp_time(&t.deleted, cutoff) != Ordering::Greater;
        if !past || stored.get(&t.id).is_some() {
            continue;
        }
        let keys = [
            article_key(&t.id),
            crate::annotations_doc::annotations_key(&t.id),
        ];
        let mut any = false;
        for k in keys {
            if store.get(&k)?.is_some() {
                store.remove(&k)?;
                any = true;
            }
        }
        if any {
            purged.push(t.id.clone());
        }
    }
    let before = stored.removed.len();
    stored
        .removed
        .retain(|t| cmp_time(&t.deleted, prune_before) != Ordering::Less);
    if stored.removed.len() != before {
        save_library(store, &stored)?;
    }
    Ok(purged)
}

/// The articles removed from `doc` at or before `cutoff` (past their undo window) and not
/// listed again: their stored data may go.
pub fn removed_before(doc: &LibraryDoc, cutoff: &str) -> Vec<String> {
    doc.removed
        .iter()
        .filter(|t| cmp_time(&t.deleted, cutoff) != Ordering::Greater && doc.get(&t.id).is_none())
        .map(|t| t.id.clone())
        .collect()
}

/// Load the library; a missing key is the first open (just the sample article).
///
/// Articles whose content is stored but which the list neither lists nor marks removed are
/// listed again: their entry was lost (a list value that did not parse and was moved aside, a
/// write cut short). A corrupt list is thus rebuilt from the contents present, and the problem
/// says so ([`Problem::Rebuilt`]), naming where the unreadable value was kept.
pub fn load_library(store: &dyn KeyValueStore, seed: &Article) -> Loaded<LibraryDoc> {
    let mut loaded: Loaded<Option<LibraryDoc>> = load(store, LIBRARY_KEY, LIBRARY_VERSION, migrate);
    let mut value = loaded
        .value
        .take()
        .unwrap_or_else(|| LibraryDoc::first_open(seed));
    let found = unlisted_articles(store, &value);
    let mut problem = loaded.problem;
    if !found.is_empty() {
        if let Some(Problem::Corrupt {
            key,
            backup_key: Some(backup_key),
            ..
        }) = &problem
        {
            problem = Some(Problem::Rebuilt {
                key: key.clone(),
                backup_key: backup_key.clone(),
                found: found.len(),
            });
        }
        value = merge(
            &value,
            &LibraryDoc {
                articles: found,
                removed: Vec::new(),
            },
        );
    }
    Loaded {
        value,
        writable: loaded.writable,
        problem,
    }
}

/// Entries for the articles stored under `lectern.v1.article.<id>` that `doc` neither lists nor
/// marks removed (their `added` time is unknown: empty).
fn unlisted_articles(store: &dyn KeyValueStore, doc: &LibraryDoc) -> Vec<ArticleMeta> {
    let prefix = article_key("");
    let Ok(keys) = store.keys() else {
        return Vec::new();
    };
    keys.iter()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter(|id| crate::route::is_valid_id(id))
        .filter(|id| doc.get(id).is_none() && !doc.removed.iter().any(|t| t.id == *id))
        .filter_map(|id| {
            let article = load_article(store, id).value?;
            (article.id == *id).then(|| ArticleMeta::of(&article, "", None))
        })
        .collect()
}

pub fn save_library(store: &dyn KeyValueStore, doc: &LibraryDoc) -> Result<(), StoreError> {
    crate::storage::write_envelope(store, LIBRARY_KEY, LIBRARY_VERSION, doc)
}

/// Store an imported article's content (the library list is saved separately, after).
pub fn save_article(store: &dyn KeyValueStore, article: &Article) -> Result<(), StoreError> {
    crate::storage::write_envelope(store, &article_key(&article.id), ARTICLE_VERSION, article)
}

/// Load a stored article's content. `None` when it is missing or does not parse (the caller
/// reports it; the value is moved aside by `load`).
pub fn load_article(store: &dyn KeyValueStore, id: &str) -> Loaded<Option<Article>> {
    load(store, &article_key(id), ARTICLE_VERSION, |v, d| match v {
        1 => Ok(d),
        v => Err(format!("unknown article version {v}")),
    })
}

/// A stored (imported) article, or what to tell the reader when it cannot be opened (a missing
/// one is reported like a value that does not parse).
pub fn open_stored(store: &dyn KeyValueStore, id: &str) -> Result<Article, Problem> {
    let loaded = load_article(store, id);
    match loaded.value {
        Some(a) => Ok(a),
        None => Err(loaded.problem.unwrap_or_else(|| Problem::Corrupt {
            key: article_key(id),
            error: "missing".to_owned(),
            backup_key: None,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations_doc::Tombstone;
    use crate::parse::plain::parse_plain;
    use crate::storage::{to_envelope, MemoryStore, Problem};

    fn seed() -> Article {
        parse_plain(SEED_ID, "Заголовок\nТекст статьи.")
    }

    #[test]
    fn first_open_lists_the_seed_and_a_deleted_seed_stays_deleted() {
        let store = MemoryStore::default();
        let lib = load_library(&store, &seed());
        assert!(lib.problem.is_none());
        assert_eq!(lib.value.articles.len(), 1);
        assert_eq!(lib.value.articles[0].id, SEED_ID);
        save_library(&store, &LibraryDoc::default()).unwrap();
        assert!(load_library(&store, &seed()).value.articles.is_empty());
    }

    #[test]
    fn articles_round_trip_and_duplicates_are_found() {
        let store = MemoryStore::default();
        let a = parse_plain("a1", "Title\nBody text here.");
        save_article(&store, &a).unwrap();
        assert_eq!(load_article(&store, "a1").value, Some(a.clone()));
        assert_eq!(load_article(&store, "nope").value, None);
        let mut lib = LibraryDoc::first_open(&seed());
        lib.articles.push(ArticleMeta::of(
            &a,
            "2026-02-02T00:00:00.000Z",
            Some("a.txt".into()),
        ));
        let again = parse_plain("a2", "Title\nBody text here.");
        assert_eq!(lib.same_content(&again).map(|m| m.id.as_str()), Some("a1"));
        assert!(lib
            .same_content(&parse_plain("a3", "Other\ntext"))
            .is_none());
    }

    #[test]
    fn search_is_case_and_yo_insensitive() {
        let mut lib = LibraryDoc::first_open(&parse_plain(SEED_ID, "Ёлка в Кремле\nТекст."));
        lib.articles.push(ArticleMeta::of(
            &parse_plain("b", "Other news\nx y"),
            "t",
            None,
        ));
        let none = |_: &str| -> Option<&str> { None };
        assert_eq!(lib.search("елка", none).len(), 1);
        assert_eq!(lib.search("КРЕМЛ", none).len(), 1);
        assert_eq!(lib.search("", none).len(), 2);
        assert!(lib.search("nothing", none).is_empty());
        // The text is searched too.
        let folded = crate::search::fold("Текст про Ёжика");
        let text = |id: &str| (id == "b").then_some(folded.as_str());
        assert_eq!(
            lib.search("ежик", text)
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
    }

    #[test]
    fn a_corrupt_library_is_kept_aside_and_the_seed_shown() {
        let store = MemoryStore::with(&[(LIBRARY_KEY, "{oops")]);
        let lib = load_library(&store, &seed());
        assert_eq!(lib.value.articles.len(), 1);
        assert!(matches!(
            lib.problem,
            Some(Problem::Corrupt {
                backup_key: Some(_),
                ..
            })
        ));
    }

    fn meta(id: &str, added: &str, modified: &str, title: &str) -> ArticleMeta {
        ArticleMeta {
            id: id.into(),
            title: title.into(),
            source: None,
            lang: "ru".into(),
            added: added.into(),
            words: 1,
            hash: format!("h-{id}"),
            file_name: None,
            excerpt: String::new(),
            modified: modified.into(),
        }
    }

    fn t(n: u32) -> String {
        format!("2026-01-01T00:00:{n:02}.000Z")
    }

    use proptest::prelude::*;

    fn arb_doc() -> impl Strategy<Value = LibraryDoc> {
        let entry = (0u32..4, 0u32..6, 0u32..6, 0u32..3).prop_map(|(id, a, m, title)| {
            meta(
                &format!("a{id}"),
                &t(a),
                &if m == 0 { String::new() } else { t(a + m) },
                &format!("t{title}"),
            )
        });
        let tomb = (0u32..4, 0u32..12).prop_map(|(id, d)| Tombstone {
            id: format!("a{id}"),
            deleted: t(d),
        });
        (
            prop::collection::vec(entry, 0..5),
            prop::collection::vec(tomb, 0..3),
        )
            .prop_map(|(articles, removed)| LibraryDoc { articles, removed })
    }

    proptest! {
        #[test]
        fn library_merge_is_commutative_associative_idempotent(
            a in arb_doc(), b in arb_doc(), c in arb_doc()
        ) {
            prop_assert_eq!(merge(&a, &b), merge(&b, &a));
            prop_assert_eq!(merge(&merge(&a, &b), &c), merge(&a, &merge(&b, &c)));
            let ab = merge(&a, &b);
            prop_assert_eq!(merge(&ab, &ab), ab.clone());
            prop_assert_eq!(merge(&ab, &a), ab);
        }
    }

    #[test]
    fn merge_keeps_both_tabs_imports_and_removals_win_over_older_entries() {
        let base = LibraryDoc {
            articles: vec![meta("seed", &t(0), "", "Sample")],
            removed: vec![],
        };
        let mut a = base.clone();
        a.articles.insert(0, meta("x", &t(2), "", "From A"));
        let mut b = base.clone();
        b.articles.insert(0, meta("y", &t(3), "", "From B"));
        let m = merge(&a, &b);
        let ids: Vec<&str> = m.articles.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["y", "x", "seed"], "newest added first");
        // A removal in one tab removes the entry the other still lists…
        let mut gone = m.clone();
        gone.articles.retain(|x| x.id != "x");
        gone.removed.push(Tombstone {
            id: "x".into(),
            deleted: t(5),
        });
        assert!(merge(&m, &gone).get("x").is_none());
        // …but not one renamed after the removal (the rename is newer).
        let mut renamed = m.clone();
        renamed
            .articles
            .iter_mut()
            .find(|x| x.id == "x")
            .unwrap()
            .modified = t(6);
        assert!(merge(&renamed, &gone).get("x").is_some());
    }

    #[test]
    fn two_writers_that_each_add_an_article_both_stay_listed() {
        // Tab A wrote its list; tab B, which had not seen it, writes its own: merged on write.
        let store = MemoryStore::default();
        let a = parse_plain("a1", "A\nОдин.");
        let b = parse_plain("b1", "B\nДва.");
        let lib_a = add_article(&store, &a, &ArticleMeta::of(&a, &t(1), None)).unwrap();
        assert!(lib_a.get(SEED_ID).is_some() && lib_a.get("a1").is_some());
        let mut stale = LibraryDoc::first_open(&seed_article());
        stale.articles.insert(0, ArticleMeta::of(&b, &t(2), None));
        save_article(&store, &b).unwrap();
        let stored = save_merged(&store, &stale).unwrap();
        let listed = load_library(&store, &seed()).value;
        assert_eq!(stored, listed);
        for id in ["a1", "b1", SEED_ID] {
            assert!(listed.get(id).is_some(), "{id} listed");
        }
    }

    #[test]
    fn a_list_that_cannot_be_written_takes_the_content_out_again() {
        let a = parse_plain("a1", "A\nОдин два три.");
        let content = to_envelope(ARTICLE_VERSION, &a);
        // Room for the content but not for the list after it.
        let store = MemoryStore {
            quota_bytes: Some(article_key("a1").len() + content.len() + 10),
            ..MemoryStore::default()
        };
        let err = add_article(&store, &a, &ArticleMeta::of(&a, &t(1), None)).unwrap_err();
        assert!(matches!(err, StoreError::QuotaExceeded { .. }));
        assert!(store.map.borrow().is_empty(), "nothing half-written");
    }

    #[test]
    fn a_newer_stored_list_is_never_overwritten() {
        let newer = r#"{"version":2,"data":{"articles":[]}}"#;
        let store = MemoryStore::with(&[(LIBRARY_KEY, newer)]);
        let err = save_merged(&store, &LibraryDoc::first_open(&seed())).unwrap_err();
        assert!(matches!(err, StoreError::Newer { found: 2, .. }));
        assert_eq!(store.map.borrow()[LIBRARY_KEY], newer);
    }

    #[test]
    fn removed_articles_are_purged_after_the_undo_window_and_old_tombstones_pruned() {
        let store = MemoryStore::default();
        let a = parse_plain("a1", "A\nОдин.");
        let b = parse_plain("b1", "B\nДва.");
        for x in [&a, &b] {
            add_article(&store, x, &ArticleMeta::of(x, &t(1), None)).unwrap();
            crate::annotations_doc::save_annotations(
                &store,
                &x.id,
                &crate::annotations_doc::AnnotationsDoc::default(),
                None,
            )
            .unwrap();
        }
        // a1 removed at 2, b1 at 20; the window ends at 10.
        let mut lib = load_library(&store, &seed()).value;
        lib.articles.retain(|m| m.id == SEED_ID);
        lib.removed = vec![
            Tombstone {
                id: "a1".into(),
                deleted: t(2),
            },
            Tombstone {
                id: "b1".into(),
                deleted: t(20),
            },
        ];
        save_library(&store, &lib).unwrap();
        let purged = purge_removed(&store, &t(10), &t(0)).unwrap();
        assert_eq!(purged, ["a1"]);
        let keys = store.keys().unwrap();
        assert!(!keys.contains(&article_key("a1")));
        assert!(!keys.contains(&crate::annotations_doc::annotations_key("a1")));
        assert!(
            keys.contains(&article_key("b1")),
            "still in its undo window"
        );
        // Neither is listed again by the next load (tombstoned).
        let lib = load_library(&store, &seed()).value;
        assert!(lib.get("a1").is_none() && lib.get("b1").is_none());
        // Old tombstones go; the newer one stays.
        purge_removed(&store, &t(10), &t(5)).unwrap();
        let removed: Vec<String> = load_library(&store, &seed())
            .value
            .removed
            .into_iter()
            .map(|x| x.id)
            .collect();
        assert_eq!(removed, ["b1"]);
    }

    #[test]
    fn a_corrupt_list_is_rebuilt_from_the_stored_articles() {
        let store = MemoryStore::default();
        let a = parse_plain("a1", "Первая\nстатья.");
        let b = parse_plain("b1", "Вторая\nстатья.");
        for x in [&a, &b] {
            add_article(&store, x, &ArticleMeta::of(x, &t(1), None)).unwrap();
        }
        store
            .map
            .borrow_mut()
            .insert(LIBRARY_KEY.into(), "{garbage".into());
        let lib = load_library(&store, &seed());
        let mut ids: Vec<&str> = lib.value.articles.iter().map(|m| m.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a1", "b1", SEED_ID]);
        match lib.problem {
            Some(Problem::Rebuilt {
                backup_key, found, ..
            }) => {
                assert_eq!(found, 2);
                assert_eq!(store.map.borrow()[&backup_key], "{garbage");
            }
            other => panic!("{other:?}"),
        }
        assert!(lib.writable);
    }

    #[test]
    fn excerpts_are_the_first_paragraph_cut_at_a_word() {
        let a = parse_plain("x", "Заголовок\nКороткий абзац.");
        assert_eq!(excerpt(&a), "Короткий абзац.");
        let long = format!("Заголовок\n{}", "слово ".repeat(60));
        let e = excerpt(&parse_plain("y", &long));
        assert!(e.ends_with("слово…"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        let mut page = parse_plain("z", "T\nText.");
        page.excerpt = Some("The page's own   summary.".into());
        assert_eq!(excerpt(&page), "The page's own summary.");
    }

    #[test]
    fn the_cache_keeps_the_most_recently_opened_listed_articles() {
        let lib = LibraryDoc {
            articles: ["a", "b", "c", "d"]
                .iter()
                .map(|id| meta(id, &t(1), "", id))
                .collect(),
            removed: vec![],
        };
        let cached: Vec<String> = ["a", "b", "c", "d", "gone"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let opened: std::collections::HashMap<String, String> =
            [("a", t(5)), ("b", t(9)), ("c", t(7)), ("d", t(2))]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
        let mut drop = cache_to_drop(&cached, &opened, &lib);
        drop.sort_unstable();
        assert_eq!(drop, ["d", "gone"]);
        assert_eq!(unlisted(&lib, &cached), ["gone"]);
        // Records round-trip.
        let art = parse_plain("a", "A\nТекст.");
        assert_eq!(parse_article(&article_record(&art)).unwrap(), art);
        assert!(parse_article("{").is_err());
    }
}
