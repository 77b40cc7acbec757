//! What a URL opens: one decision for the app's start-up, for every later change of the URL
//! (`hashchange`, back/forward, a link) and for the first paint, so the same URL always shows
//! the same thing.
//!
//! [`decide`] is the rule (no storage): `#/` is the library, `#/a/<id>` that article, and no
//! hash the sample article while the library lists it — the library once the reader has
//! deleted the sample. [`Startup::load`] reads what that needs from storage; [`open`] loads one
//! article for a later route change.

use crate::annotations_doc::{load_annotations, AnnotationsDoc};
use crate::article::Article;
use crate::library::{load_library, open_stored, LibraryDoc, SEED_ID};
use crate::route::{Route, View};
use crate::settings::Settings;
use crate::storage::{load_settings, KeyValueStore, Loaded, Problem};

/// What a route shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opening {
    Library,
    Article(String),
    // --- issue 18 ---
    Notes,
    // --- web import (issue 16) ---
    /// "Add from the web" (`#/add`, and the bookmarklet's `#/receive`).
    Add,
}

/// The one rule from a route (and the library list) to what is shown.
pub fn decide(route: &Route, library: &LibraryDoc) -> Opening {
    match route {
        Route::Library => Opening::Library,
        // --- issue 18 ---
        Route::Notes(_) => Opening::Notes,
        Route::Highlight { article, .. } => Opening::Article(article.clone()),
        Route::Article(id) => Opening::Article(id.clone()),
        Route::Default if library.get(SEED_ID).is_some() => Opening::Article(SEED_ID.to_owned()),
        Route::Default => Opening::Library,
        Route::Add | Route::Receive => Opening::Add,
    }
}

/// Article `id` and its annotations: the sample from `seed`, others from storage. `Err` says
/// what to tell the reader (a missing article is reported like one that does not parse).
pub fn open(
    store: &dyn KeyValueStore,
    id: &str,
    seed: impl FnOnce() -> Article,
) -> Result<(Article, Loaded<AnnotationsDoc>), Problem> {
    let article = if id == SEED_ID {
        seed()
    } else {
        open_stored(store, id)?
    };
    let annotations = load_annotations(store, &article.id, Some(&article.text()));
    Ok((article, annotations))
}

/// Open article `id` from its stored `record`, read from wherever content lives (`None`:
/// there is none), with its annotations from `store`. A record that does not parse, or is
/// another article's, is reported and left where it is.
pub fn open_record(
    store: &dyn KeyValueStore,
    id: &str,
    record: Option<&str>,
    seed: impl FnOnce() -> Article,
) -> Result<(Article, Loaded<AnnotationsDoc>), Problem> {
    let article = if id == SEED_ID {
        seed()
    } else {
        let corrupt = |error: String| Problem::Corrupt {
            key: crate::library::article_key(id),
            error,
            backup_key: None,
        };
        let raw = record.ok_or_else(|| corrupt("missing".to_owned()))?;
        let a = crate::library::parse_article(raw).map_err(corrupt)?;
        if a.id != id {
            return Err(corrupt(format!("the record holds article {}", a.id)));
        }
        a
    };
    let annotations = load_annotations(store, &article.id, Some(&article.text()));
    Ok((article, annotations))
}

/// Everything the app starts with, read from storage for URL hash `hash`.
#[derive(Debug, Clone, PartialEq)]
pub struct Startup {
    pub settings: Loaded<Settings>,
    pub library: Loaded<LibraryDoc>,
    /// The open article (the sample when the view is the library: the reader keeps one).
    pub article: Article,
    pub annotations: Loaded<AnnotationsDoc>,
    pub view: View,
    /// Why the route's article could not be opened (the view is then the library).
    pub problem: Option<Problem>,
    /// The route's article is listed but its content is not in this store (it lives in
    /// IndexedDB): it is opened asynchronously; `article` is a placeholder meanwhile.
    pub pending: Option<String>,
    /// Article contents a restore cut short had written elsewhere (IndexedDB): to delete.
    pub discard: Vec<String>,
    /// The open article's reading record (where the reader left it).
    pub reading: crate::reading::Reading,
    // --- issue 18 ---
    /// The route it was loaded for (what the notebook shows comes from it).
    pub route: Route,
}

impl Startup {
    /// Read settings, the library, and what [`decide`] says `hash` opens. An article that
    /// cannot be opened shows the library with the problem. A restore cut short before
    /// `stale_before` (now − [`crate::export::backup::JOURNAL_STALE_MS`]) is undone first.
    pub fn load(
        store: &dyn KeyValueStore,
        hash: &str,
        seed: impl Fn() -> Article,
        stale_before: &str,
    ) -> Startup {
        // A restore cut short is undone before anything is read (all or nothing); the
        // contents it wrote elsewhere are deleted by the runner (`discard`).
        let recovered =
            crate::export::backup::recover_interrupted(store, stale_before).unwrap_or(None);
        let undone = recovered.is_some();
        let discard = recovered.unwrap_or_default();
        let settings = load_settings(store);
        let library = load_library(store, &seed());
        let mut pending = None;
        let route = crate::route::parse(hash);
        let (article, annotations, view, mut problem) = match decide(&route, &library.value) {
            Opening::Library => {
                let a = seed();
                let doc = load_annotations(store, &a.id, Some(&a.text()));
                (a, doc, View::Library, None)
            }
            // --- issue 18: the notebook (the reader keeps the sample, as the library does) ---
            Opening::Notes => {
                let a = seed();
                let doc = load_annotations(store, &a.id, Some(&a.text()));
                (a, doc, View::Notes, None)
            }
            Opening::Article(id)
                if id != SEED_ID
                    && library.value.get(&id).is_some()
                    && matches!(store.get(&crate::library::article_key(&id)), Ok(None)) =>
            {
                pending = Some(id.clone());
                let placeholder = Article {
                    id,
                    ..Article::default()
                };
                let doc = Loaded {
                    value: AnnotationsDoc::default(),
                    writable: false,
                    problem: None,
                };
                (placeholder, doc, View::Reader, None)
            }
            Opening::Add => {
                let a = seed();
                let doc = load_annotations(store, &a.id, Some(&a.text()));
                (a, doc, View::Add, None)
            }
            Opening::Article(id) => match open(store, &id, &seed) {
                Ok((a, doc)) => (a, doc, View::Reader, None),
                Err(p) => {
                    let a = seed();
                    let doc = load_annotations(store, &a.id, Some(&a.text()));
                    (a, doc, View::Library, Some(p))
                }
            },
        };
        if undone {
            problem = Some(Problem::RestoreUndone);
        }
        let reading = if view == View::Reader && pending.is_none() {
            crate::reading::load_reading(store, &article.id)
        } else {
            crate::reading::Reading::default()
        };
        Startup {
            reading,
            settings,
            library,
            article,
            annotations,
            view,
            problem,
            pending,
            discard,
            route,
        }
    }
}

impl Startup {
    /// The same start-up with the article shown at `now` (its reading record says it was
    /// opened then), when it is shown at once.
    pub fn opened_at(mut self, now: &str) -> Startup {
        if self.view == View::Reader && self.pending.is_none() {
            self.reading = self.reading.opened_at(now);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{article_key, save_article, save_library};
    use crate::parse::plain::parse_plain;
    use crate::route::parse;
    use crate::storage::MemoryStore;

    fn seed() -> Article {
        parse_plain(SEED_ID, "Заголовок\nТекст статьи.")
    }

    const T0: &str = "2026-01-01T00:00:00.000Z";

    fn shown(store: &MemoryStore, hash: &str) -> (String, View, bool) {
        let s = Startup::load(store, hash, seed, T0);
        (s.article.id, s.view, s.problem.is_some())
    }

    #[test]
    fn startup_follows_the_route() {
        let store = MemoryStore::default();
        assert_eq!(shown(&store, ""), (SEED_ID.to_owned(), View::Reader, false));
        assert_eq!(
            shown(&store, "#/a/seed"),
            (SEED_ID.to_owned(), View::Reader, false)
        );
        assert_eq!(
            shown(&store, "#/"),
            (SEED_ID.to_owned(), View::Library, false)
        );
        // A missing article: the library, and a problem naming its key.
        let s = Startup::load(&store, "#/a/gone", seed, T0);
        assert_eq!(s.view, View::Library);
        assert!(
            matches!(s.problem, Some(Problem::Corrupt { key, .. }) if key == article_key("gone"))
        );
        // A stored one opens.
        save_article(&store, &parse_plain("imp-1", "Imported\nText.")).unwrap();
        assert_eq!(
            shown(&store, "#/a/imp-1"),
            ("imp-1".to_owned(), View::Reader, false)
        );
    }

    #[test]
    fn the_default_route_is_the_library_once_the_sample_is_deleted() {
        let store = MemoryStore::default();
        save_library(&store, &LibraryDoc::default()).unwrap();
        assert_eq!(
            shown(&store, ""),
            (SEED_ID.to_owned(), View::Library, false)
        );
        // The same rule answers a later change of the URL.
        let lib = load_library(&store, &seed()).value;
        assert_eq!(decide(&parse(""), &lib), Opening::Library);
        assert_eq!(decide(&parse("#"), &lib), Opening::Library);
        assert_eq!(
            decide(&parse("#/a/seed"), &lib),
            Opening::Article(SEED_ID.to_owned())
        );
    }
}
