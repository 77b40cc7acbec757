//! The library: which articles the reader keeps, and where each one's text is stored.
//!
//! Keys: `lectern.v1.library` holds the list (an envelope of [`LibraryDoc`]); each imported
//! article's content is under `lectern.v1.article.<id>`, and its annotations under
//! `lectern.v1.annotations.<id>` (see [`crate::annotations_doc`]). The sample article is built
//! into the app: it is listed like any other and can be deleted, but its text is never stored.
//!
//! Adding an article writes its content first and the list second, so a failure (a full quota)
//! leaves at worst an unlisted article key, never a listed article without content.

use serde::{Deserialize, Serialize};

use crate::annotation::text_hash;
use crate::article::Article;
use crate::route::Route;
use crate::state::View;
use crate::storage::{load, to_envelope, KeyValueStore, Loaded, Problem, StoreError};

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
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryDoc {
    pub articles: Vec<ArticleMeta>,
}

impl LibraryDoc {
    /// The library of a first visit: the sample article alone.
    pub fn first_open(seed: &Article) -> LibraryDoc {
        LibraryDoc {
            articles: vec![ArticleMeta::of(seed, "2026-01-01T00:00:00.000Z", None)],
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

    /// Case-insensitive search in titles, sources and (through `text_of`, which returns an
    /// article's text if it can be had) the articles' text; ё and е count as one letter. Text
    /// is read only for articles whose title and source do not match.
    pub fn search(
        &self,
        query: &str,
        text_of: impl Fn(&str) -> Option<String>,
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
                    || text_of(&a.id).is_some_and(|t| crate::search::fold(&t).contains(&q))
            })
            .collect()
    }
}

/// Load the library; a missing key is the first open (just the sample article).
pub fn load_library(store: &dyn KeyValueStore, seed: &Article) -> Loaded<LibraryDoc> {
    let mut loaded: Loaded<Option<LibraryDoc>> =
        load(store, LIBRARY_KEY, LIBRARY_VERSION, |v, d| match v {
            1 => Ok(d),
            v => Err(format!("unknown library version {v}")),
        });
    let value = loaded
        .value
        .take()
        .unwrap_or_else(|| LibraryDoc::first_open(seed));
    Loaded {
        value,
        writable: loaded.writable,
        problem: loaded.problem,
    }
}

pub fn save_library(store: &dyn KeyValueStore, doc: &LibraryDoc) -> Result<(), StoreError> {
    store.set(LIBRARY_KEY, &to_envelope(LIBRARY_VERSION, doc))
}

/// Store an imported article's content (the library list is saved separately, after).
pub fn save_article(store: &dyn KeyValueStore, article: &Article) -> Result<(), StoreError> {
    store.set(
        &article_key(&article.id),
        &to_envelope(ARTICLE_VERSION, article),
    )
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

/// What the app opens at start-up for URL route `route`: the article, the view, and a problem
/// to report. An article that cannot be opened sends the reader to the library with the
/// problem; the default route opens the sample (`seed`) unless it was removed from `library`.
/// The first paint (`first_paint`) makes the same choice.
pub fn opening(
    store: &dyn KeyValueStore,
    route: Route,
    library: &LibraryDoc,
    seed: Article,
) -> (Article, View, Option<Problem>) {
    match route {
        Route::Library => (seed, View::Library, None),
        Route::Article(id) if id == SEED_ID => (seed, View::Reader, None),
        Route::Article(id) => match open_stored(store, &id) {
            Ok(a) => (a, View::Reader, None),
            Err(p) => (seed, View::Library, Some(p)),
        },
        Route::Default if library.get(SEED_ID).is_some() => (seed, View::Reader, None),
        Route::Default => (seed, View::Library, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::plain::parse_plain;
    use crate::storage::{MemoryStore, Problem};

    #[test]
    fn opening_follows_the_route() {
        let store = MemoryStore::default();
        let lib = load_library(&store, &seed()).value;
        let open = |hash: &str, lib: &LibraryDoc| {
            let (a, view, problem) = opening(&store, crate::route::parse(hash), lib, seed());
            (a.id, view, problem.is_some())
        };
        assert_eq!(open("", &lib), (SEED_ID.to_owned(), View::Reader, false));
        assert_eq!(
            open("#/a/seed", &lib),
            (SEED_ID.to_owned(), View::Reader, false)
        );
        assert_eq!(open("#/", &lib), (SEED_ID.to_owned(), View::Library, false));
        // A missing article: the library, and a problem naming its key.
        let (_, view, problem) = opening(&store, Route::Article("gone".into()), &lib, seed());
        assert_eq!(view, View::Library);
        assert!(
            matches!(problem, Some(Problem::Corrupt { key, .. }) if key == article_key("gone"))
        );
        // A stored one opens.
        let a = parse_plain("imp-1", "Imported\nText.");
        save_article(&store, &a).unwrap();
        assert_eq!(
            open("#/a/imp-1", &lib),
            ("imp-1".to_owned(), View::Reader, false)
        );
        // With the sample removed from the library, the default route is the library.
        let empty = LibraryDoc { articles: vec![] };
        assert_eq!(open("", &empty), (SEED_ID.to_owned(), View::Library, false));
    }

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
        save_library(&store, &LibraryDoc { articles: vec![] }).unwrap();
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
        let none = |_: &str| None;
        assert_eq!(lib.search("елка", none).len(), 1);
        assert_eq!(lib.search("КРЕМЛ", none).len(), 1);
        assert_eq!(lib.search("", none).len(), 2);
        assert!(lib.search("nothing", none).is_empty());
        // The text is searched too.
        let text = |id: &str| (id == "b").then(|| "Текст про Ёжика".to_owned());
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
}
