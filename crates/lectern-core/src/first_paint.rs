//! What the first paint shows: the article the app is about to open, with its highlights,
//! read from storage before the app's interface has loaded (`crates/lectern-boot`, ADR 0003).
//!
//! It makes the app's start-up choice ([`Startup::load`], as the app does) and keeps the
//! common case only: the reader view of an article whose settings, library, article and
//! annotations all load without a problem. Anything else (the library view, a missing article,
//! a corrupt or newer value, an unavailable storage) gives `None`, and the app shows it, with
//! its notices, when it loads.
//! Storage is only read: a load that would write (moving a corrupt value aside) is refused by
//! [`ReadOnly`] and counts as a problem, so the app still sees and reports what it finds.

use std::cell::Cell;

use crate::annotations_doc::AnnotationsDoc;
use crate::article::Article;
use crate::route::View;
use crate::settings::Settings;
use crate::startup::Startup;
use crate::storage::{KeyValueStore, StoreError};

/// The open article, its annotations, the reader settings and where the reader left it.
#[derive(Debug)]
pub struct FirstPaint {
    pub article: Article,
    pub doc: AnnotationsDoc,
    pub settings: Settings,
    pub reading: crate::reading::Reading,
}

impl FirstPaint {
    /// Where to show the article from: the block and UTF-16 offset the reader left it at, if
    /// not its start (and not for an article marked finished, which starts again at the top —
    /// the app makes the same choice).
    pub fn resume_at(&self) -> Option<(usize, crate::text::Utf16Offset)> {
        resume_at(&self.reading)
    }
}

/// See [`FirstPaint::resume_at`].
pub fn resume_at(r: &crate::reading::Reading) -> Option<(usize, crate::text::Utf16Offset)> {
    let at_start = r.block == 0 && r.offset.0 == 0;
    (!at_start && !r.finished).then_some((r.block, r.offset))
}

/// A store that reads through and refuses every write, remembering that one was tried.
pub struct ReadOnly<'a> {
    inner: &'a dyn KeyValueStore,
    pub wrote: Cell<bool>,
}

impl<'a> ReadOnly<'a> {
    pub fn new(inner: &'a dyn KeyValueStore) -> Self {
        ReadOnly {
            inner,
            wrote: Cell::new(false),
        }
    }
}

impl KeyValueStore for ReadOnly<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.inner.get(key)
    }
    fn set(&self, _key: &str, _value: &str) -> Result<(), StoreError> {
        self.wrote.set(true);
        Err(StoreError::Unavailable("read-only".to_owned()))
    }
    fn remove(&self, _key: &str) -> Result<(), StoreError> {
        self.wrote.set(true);
        Err(StoreError::Unavailable("read-only".to_owned()))
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.inner.keys()
    }
}

/// The article at URL hash `hash` as the app would open it, or `None` when the app has more
/// to say than the article (see the module documentation). `seed` makes the sample article.
pub fn first_paint(
    store: &dyn KeyValueStore,
    hash: &str,
    seed: impl Fn() -> Article,
) -> Option<FirstPaint> {
    let store = ReadOnly::new(store);
    if store
        .get(crate::export::backup::RESTORE_JOURNAL_KEY)
        .map_or(true, |j| j.is_some())
    {
        // A restore is being written or was cut short: the app deals with it.
        return None;
    }
    // No restore journal (checked above): nothing to undo, whatever the time.
    let s = Startup::load(&store, hash, seed, "");
    let clean = s.settings.problem.is_none()
        && s.library.problem.is_none()
        && s.annotations.problem.is_none()
        && s.problem.is_none()
        && s.pending.is_none()
        && s.view == View::Reader
        && !store.wrote.get();
    clean.then_some(FirstPaint {
        article: s.article,
        doc: s.annotations.value,
        settings: s.settings.value,
        reading: s.reading,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::{Annotation, Color, Target, TextPositionSelector, TextQuoteSelector};
    use crate::annotations_doc::{annotations_key, save_annotations};
    use crate::library::{
        article_key, save_article, save_library, LibraryDoc, LIBRARY_KEY, SEED_ID,
    };
    use crate::parse::plain::parse_plain;
    use crate::storage::{save_settings, MemoryStore, SETTINGS_KEY};
    use crate::text::CodePointOffset;

    fn seed() -> Article {
        parse_plain(SEED_ID, "Заголовок\nТекст статьи о главном.")
    }

    fn highlight(id: &str, exact: &str) -> Annotation {
        Annotation {
            id: id.to_owned(),
            article_id: "imp-1".to_owned(),
            target: Some(Target {
                quote: TextQuoteSelector {
                    exact: exact.to_owned(),
                    prefix: String::new(),
                    suffix: String::new(),
                },
                position: TextPositionSelector {
                    start: CodePointOffset(0),
                    end: CodePointOffset(0),
                },
                text_hash: String::new(),
            }),
            color: Color::Green,
            note: String::new(),
            tags: Vec::new(),
            created: "2026-11-29T00:00:00Z".to_owned(),
            modified: "2026-11-29T00:00:00Z".to_owned(),
        }
    }

    fn snapshot(store: &MemoryStore) -> Vec<(String, String)> {
        store.map.borrow().clone().into_iter().collect()
    }

    #[test]
    fn a_new_reader_gets_the_sample_with_default_settings() {
        let store = MemoryStore::default();
        let fp = first_paint(&store, "", seed).expect("the sample");
        assert_eq!(fp.article.id, SEED_ID);
        assert_eq!(fp.settings, Settings::default());
        assert!(fp.doc.annotations.is_empty());
        for hash in ["#", "#/a/seed", "#article"] {
            assert_eq!(first_paint(&store, hash, seed).unwrap().article.id, SEED_ID);
        }
        // Nothing was written (not even the first library).
        assert!(store.map.borrow().is_empty());
    }

    #[test]
    fn stored_article_annotations_and_settings_come_back() {
        let store = MemoryStore::default();
        let a = parse_plain("imp-1", "Imported\nSome text to read.");
        save_article(&store, &a).unwrap();
        let mut doc = AnnotationsDoc::default();
        doc.annotations.push(highlight("h1", "text to"));
        save_annotations(&store, "imp-1", &doc, None).unwrap();
        let settings = Settings {
            font_size_px: 22,
            ..Settings::default()
        };
        save_settings(&store, &settings).unwrap();
        let fp = first_paint(&store, "#/a/imp-1", seed).unwrap();
        assert_eq!(fp.article, a);
        assert_eq!(fp.doc.annotations.len(), 1);
        assert_eq!(fp.settings.font_size_px, 22);
    }

    #[test]
    fn the_library_view_and_missing_articles_are_left_to_the_app() {
        let store = MemoryStore::default();
        assert!(first_paint(&store, "#/", seed).is_none());
        assert!(first_paint(&store, "#/library", seed).is_none());
        assert!(first_paint(&store, "#/a/nope", seed).is_none());
        // The sample was removed from the library: the app opens the library instead.
        let lib = LibraryDoc::default();
        save_library(&store, &lib).unwrap();
        assert!(first_paint(&store, "", seed).is_none());
    }

    #[test]
    fn problems_are_left_to_the_app_and_nothing_is_moved_aside() {
        for key in [
            SETTINGS_KEY.to_owned(),
            LIBRARY_KEY.to_owned(),
            annotations_key(SEED_ID),
        ] {
            let store = MemoryStore::with(&[(key.as_str(), "{not json")]);
            let before = snapshot(&store);
            assert!(first_paint(&store, "", seed).is_none(), "{key}");
            assert_eq!(snapshot(&store), before, "{key} was changed");
        }
        let store = MemoryStore::with(&[(article_key("imp-2").as_str(), "\u{0}\u{1}binary")]);
        let before = snapshot(&store);
        assert!(first_paint(&store, "#/a/imp-2", seed).is_none());
        assert_eq!(snapshot(&store), before);
        // A newer version than this build knows: the app says so.
        let store = MemoryStore::with(&[(
            annotations_key(SEED_ID).as_str(),
            r#"{"version":99,"data":{"annotations":[]}}"#,
        )]);
        assert!(first_paint(&store, "", seed).is_none());
    }

    #[test]
    fn a_restore_in_progress_or_cut_short_is_left_to_the_app() {
        let store = MemoryStore::with(&[(
            crate::export::backup::RESTORE_JOURNAL_KEY,
            r#"{"started":"2026-01-01T00:00:00.000Z","before":{}}"#,
        )]);
        let before = snapshot(&store);
        assert!(first_paint(&store, "", seed).is_none());
        assert_eq!(snapshot(&store), before);
    }

    #[test]
    fn read_only_refuses_writes() {
        let store = MemoryStore::default();
        let ro = ReadOnly::new(&store);
        assert!(ro.set("k", "v").is_err());
        assert!(ro.wrote.get());
        assert!(store.map.borrow().is_empty());
    }
}
