//! Article content in IndexedDB, in headless Chromium: the database wrapper (round trip,
//! all-or-nothing writes, typed errors, no or newer or blocked IndexedDB) and the content tier
//! over it (moving contents out of localStorage, resuming a move cut short, finding articles
//! the list lost, a restore that fails half-way leaving nothing behind). No IndexedDB at all:
//! `content_db_absent.rs` (a page of its own: it hides IndexedDB from the window).
#![cfg(target_arch = "wasm32")]

use lectern_core::article::Article;
use lectern_core::export::backup::{Backup, RESTORE_JOURNAL_KEY};
use lectern_core::library::{
    self, article_key, article_record, save_article, save_library, ArticleMeta, LibraryDoc,
    CACHE_ARTICLES,
};
use lectern_core::parse::plain::parse_plain;
use lectern_core::reading::{save_reading, Reading};
use lectern_core::storage::{KeyValueStore, MemoryStore, StoreError};
use lectern_dom::content_db::{delete_database, error_of, ContentDb};
use lectern_dom::runner::Contents;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: &str = "2026-12-01T10:00:00.000Z";

/// A database name of its own per test (tests share the origin).
async fn fresh(name: &str) -> String {
    let name = format!("lectern-test-{name}");
    let _ = delete_database(&name).await;
    name
}

fn items(n: usize, tag: &str) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("a{i}"), format!("{tag} record {i}")))
        .collect()
}

#[wasm_bindgen_test]
async fn records_round_trip() {
    let name = fresh("round-trip").await;
    let db = ContentDb::open(&name).await.expect("opens");
    assert_eq!(db.get("a0").await.unwrap(), None);
    db.put_all(&items(3, "first")).await.unwrap();
    assert_eq!(
        db.get("a1").await.unwrap().as_deref(),
        Some("first record 1")
    );
    assert_eq!(db.keys().await.unwrap(), ["a0", "a1", "a2"]);
    assert_eq!(db.get_all().await.unwrap(), items(3, "first"));
    // A put replaces; a delete of absent ids is fine.
    db.put_all(&[("a1".into(), "second".into())]).await.unwrap();
    assert_eq!(db.get("a1").await.unwrap().as_deref(), Some("second"));
    db.delete_all(&["a0".into(), "nope".into()]).await.unwrap();
    assert_eq!(db.keys().await.unwrap(), ["a1", "a2"]);
    // Another connection (another tab) sees the same.
    let other = ContentDb::open(&name).await.unwrap();
    assert_eq!(
        other.get("a2").await.unwrap().as_deref(),
        Some("first record 2")
    );
    db.close();
    other.close();
}

#[wasm_bindgen_test]
async fn a_write_aborted_half_way_leaves_the_previous_state() {
    let name = fresh("abort").await;
    let db = ContentDb::open(&name).await.unwrap();
    db.put_all(&items(4, "old")).await.unwrap();
    let outcome = db.put_all_aborting_after(&items(4, "new"), 2).await;
    assert!(matches!(outcome, Err(StoreError::Other(_))), "{outcome:?}");
    assert_eq!(db.get_all().await.unwrap(), items(4, "old"));
    db.close();
}

#[wasm_bindgen_test]
fn browser_errors_are_typed() {
    let dom = |name: &str| -> JsValue {
        web_sys::DomException::new_with_message_and_name("m", name)
            .unwrap()
            .into()
    };
    assert!(matches!(
        error_of(&dom("QuotaExceededError")),
        StoreError::QuotaExceeded { .. }
    ));
    assert!(matches!(
        error_of(&dom("InvalidStateError")),
        StoreError::Unavailable(_)
    ));
    assert!(matches!(
        error_of(&dom("ConstraintError")),
        StoreError::Other(s) if s.contains("ConstraintError")
    ));
}

#[wasm_bindgen_test]
async fn a_newer_database_or_a_blocked_upgrade_is_unavailable() {
    let name = fresh("versions").await;
    // A newer Lectern made version 2.
    let newer = ContentDb::open_version(&name, 2, 1000).await.unwrap();
    newer.close();
    let outcome = ContentDb::open(&name).await;
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{:?}",
        outcome.err()
    );

    // Another tab holds version 1 open and does not let go: opening version 2 is blocked.
    let name = fresh("blocked").await;
    let held = js_sys::Promise::new(&mut |resolve, _| {
        let f = js_sys::Function::new_with_args(
            "name, resolve",
            "const r = indexedDB.open(name, 1); r.onsuccess = () => { window.heldDb = r.result; resolve(); };",
        );
        f.call2(&JsValue::NULL, &JsValue::from_str(&name), &resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(held).await.unwrap();
    let outcome = ContentDb::open_version(&name, 2, 300).await;
    match outcome {
        Err(StoreError::Unavailable(why)) => assert!(why.contains("blocked"), "{why}"),
        other => panic!("{:?}", other.err()),
    }
    js_sys::eval("window.heldDb.close()").unwrap();
}

fn seed() -> Article {
    parse_plain(library::SEED_ID, "Образец\n\nТекст образца статьи.")
}

fn article(id: &str, title: &str) -> Article {
    parse_plain(
        id,
        &format!("{title}\n\nТекст статьи «{title}», её первый абзац."),
    )
}

/// A v1 library in localStorage: `n` articles with content there, each opened at minute i.
fn v1_library(n: usize) -> (MemoryStore, Vec<Article>) {
    let store = MemoryStore::default();
    let mut doc = LibraryDoc::first_open(&seed());
    let mut all = Vec::new();
    for i in 0..n {
        let a = article(&format!("art-{i}"), &format!("Статья {i}"));
        save_article(&store, &a).unwrap();
        let mut meta = ArticleMeta::of(&a, NOW, None);
        meta.excerpt.clear(); // written before excerpts
        doc.articles.push(meta);
        let r = Reading {
            opened: format!("2026-11-01T10:{i:02}:00.000Z"),
            ..Reading::default()
        };
        save_reading(&store, &a.id, &r).unwrap();
        all.push(a);
    }
    save_library(&store, &doc).unwrap();
    (store, all)
}

#[wasm_bindgen_test]
async fn contents_move_out_of_local_storage_verified_and_the_recent_stay_cached() {
    let name = fresh("migrate").await;
    let (store, all) = v1_library(6);
    let contents = Contents::new();
    let (fallback, found) = contents.start_in(&name, &store, &[], &seed(), NOW).await;
    assert_eq!(fallback, None);
    // Every content is in IndexedDB, byte for byte.
    let db = ContentDb::open(&name).await.unwrap();
    for a in &all {
        assert_eq!(db.get(&a.id).await.unwrap(), Some(article_record(a)));
    }
    // localStorage keeps the most recently opened few (the first paint reads them).
    let cached: Vec<String> = all
        .iter()
        .filter(|a| store.get(&article_key(&a.id)).unwrap().is_some())
        .map(|a| a.id.clone())
        .collect();
    assert_eq!(cached.len(), CACHE_ARTICLES);
    assert_eq!(cached, ["art-3", "art-4", "art-5"]);
    // Entries written before excerpts get theirs (changed now, so the merge keeps them).
    assert_eq!(found.len(), 6, "{found:?}");
    assert!(found
        .iter()
        .all(|m| !m.excerpt.is_empty() && m.modified == NOW));
    // Every article reads back, wherever it is.
    for a in &all {
        let r = contents.get(&store, &a.id).await.unwrap().unwrap();
        assert_eq!(library::parse_article(&r).unwrap(), *a);
    }
    db.close();
}

/// A store whose removals fail after `left` of them (a page closed during the move).
struct Interrupted {
    inner: MemoryStore,
    left: std::cell::Cell<usize>,
}

impl KeyValueStore for Interrupted {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        if self.left.get() == 0 {
            return Err(StoreError::Other("the page went away".into()));
        }
        self.left.set(self.left.get() - 1);
        self.inner.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.inner.keys()
    }
}

#[wasm_bindgen_test]
async fn a_move_cut_short_resumes_at_the_next_start() {
    let name = fresh("resume").await;
    let (inner, all) = v1_library(8);
    let store = Interrupted {
        inner,
        left: std::cell::Cell::new(2),
    };
    Contents::new()
        .start_in(&name, &store, &[], &seed(), NOW)
        .await;
    let local = |s: &Interrupted| {
        all.iter()
            .filter(|a| s.get(&article_key(&a.id)).unwrap().is_some())
            .count()
    };
    assert_eq!(local(&store), 6, "two removed before the page went away");
    // The next start finishes the move; nothing is lost either way.
    store.left.set(usize::MAX);
    let contents = Contents::new();
    contents.start_in(&name, &store, &[], &seed(), NOW).await;
    assert_eq!(local(&store), CACHE_ARTICLES);
    for a in &all {
        let r = contents.get(&store, &a.id).await.unwrap().unwrap();
        assert_eq!(library::parse_article(&r).unwrap(), *a);
    }
}

#[wasm_bindgen_test]
async fn articles_whose_entry_was_lost_are_listed_again_and_discarded_ones_go() {
    let name = fresh("unlisted").await;
    let store = MemoryStore::default();
    save_library(&store, &LibraryDoc::first_open(&seed())).unwrap();
    let db = ContentDb::open(&name).await.unwrap();
    let lost = article("lost-1", "Потерянная");
    let partial = article("partial-1", "Недописанная");
    db.put_all(&[
        (lost.id.clone(), article_record(&lost)),
        (partial.id.clone(), article_record(&partial)),
    ])
    .await
    .unwrap();
    let (_, found) = Contents::new()
        .start_in(&name, &store, &["partial-1".to_owned()], &seed(), NOW)
        .await;
    let ids: Vec<&str> = found.iter().map(|m| m.id.as_str()).collect();
    assert!(ids.contains(&"lost-1"), "{ids:?}");
    assert!(!ids.contains(&"partial-1"), "{ids:?}");
    assert_eq!(db.get("partial-1").await.unwrap(), None);
    db.close();
}

/// A store that refuses to write the library list (a full quota at the last step).
struct NoListWrites(MemoryStore);

impl KeyValueStore for NoListWrites {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if key == library::LIBRARY_KEY {
            return Err(StoreError::QuotaExceeded {
                key: key.into(),
                bytes: value.len(),
            });
        }
        self.0.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.0.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.0.keys()
    }
}

#[wasm_bindgen_test]
async fn an_add_or_restore_that_fails_at_the_list_leaves_no_content_behind() {
    let name = fresh("all-or-nothing").await;
    let store = NoListWrites(MemoryStore::default());
    let contents = Contents::new();
    contents.start_in(&name, &store, &[], &seed(), NOW).await;
    let db = ContentDb::open(&name).await.unwrap();

    let a = article("new-1", "Новая");
    let outcome = contents
        .add(&store, &a, &ArticleMeta::of(&a, NOW, None))
        .await;
    assert!(matches!(outcome, Err(StoreError::QuotaExceeded { .. })));
    assert_eq!(db.get("new-1").await.unwrap(), None);

    let b = article("restored-1", "Из копии");
    let backup: Backup = serde_json::from_value(serde_json::json!({
        "format": "lectern-backup", "version": 1, "exported": NOW,
        "library": { "articles": [ArticleMeta::of(&b, NOW, None)] },
        "articles": [b], "annotations": {}, "settings": {}
    }))
    .unwrap();
    let outcome = contents.restore(&store, &backup, &seed(), NOW).await;
    assert!(outcome.is_err());
    assert_eq!(db.get("restored-1").await.unwrap(), None);
    assert_eq!(store.get(RESTORE_JOURNAL_KEY).unwrap(), None);
    db.close();
}

/// Core functions that read texts through a `KeyValueStore` (the notebook's edits and exports,
/// sync) see the texts that live only in IndexedDB: `with_texts` runs the function again once
/// they are read; a text it writes goes to IndexedDB (and the first paint's copy follows), not
/// to localStorage; a removal removes it there.
#[wasm_bindgen_test]
async fn core_functions_read_and_write_texts_that_live_in_indexeddb() {
    let name = fresh("text-view").await;
    let (store, all) = v1_library(6);
    let contents = Contents::new();
    contents.start_in(&name, &store, &[], &seed(), NOW).await;
    let only_idb = &all[0];
    let cached = &all[5];
    assert_eq!(store.get(&article_key(&only_idb.id)).unwrap(), None);

    // Read: the first run misses the text, the second has it.
    let mut runs = 0;
    let (title, written) = contents
        .with_texts(&store, |s| {
            runs += 1;
            library::load_article(s, &only_idb.id)
                .value
                .map(|a| a.title)
        })
        .await;
    assert_eq!(title.as_deref(), Some(only_idb.title.as_str()));
    assert_eq!(runs, 2);
    assert!(written.is_empty());
    // A text already in localStorage needs one run.
    let mut runs = 0;
    contents
        .with_texts(&store, |s| {
            runs += 1;
            library::load_article(s, &cached.id).value.is_some()
        })
        .await;
    assert_eq!(runs, 1);

    // Write through a view holding every text: kept aside, then stored in IndexedDB.
    let view = contents.text_view(&store).await;
    assert_eq!(
        library::load_article(&view, &only_idb.id).value.as_ref(),
        Some(only_idb)
    );
    let mut changed = cached.clone();
    changed.title = "Новое название".into();
    let new = parse_plain("from-server", "Статья с сервера\nТекст.");
    save_article(&view, &changed).unwrap();
    save_article(&view, &new).unwrap();
    view.remove(&article_key(&only_idb.id)).unwrap();
    assert_eq!(
        store.get(&article_key(&new.id)).unwrap(),
        None,
        "not in localStorage"
    );
    let written = view.take_written();
    assert_eq!(written.len(), 3);
    contents.put(&store, &written).await.unwrap();
    let db = ContentDb::open(&name).await.unwrap();
    assert_eq!(db.get(&new.id).await.unwrap(), Some(article_record(&new)));
    assert_eq!(
        db.get(&cached.id).await.unwrap(),
        Some(article_record(&changed))
    );
    assert_eq!(db.get(&only_idb.id).await.unwrap(), None);
    // The first paint's copy of the changed text follows.
    assert_eq!(
        store.get(&article_key(&cached.id)).unwrap(),
        Some(article_record(&changed))
    );
    assert_eq!(store.get(&article_key(&new.id)).unwrap(), None);
    db.close();
}
