//! A browser without IndexedDB (some private modes, sandboxed frames): the database is
//! `Unavailable`, and the content tier keeps articles in localStorage, saying why. In a test
//! binary of its own: it hides `indexedDB` from the window, which other tests running
//! alongside would notice.
#![cfg(target_arch = "wasm32")]

use lectern_core::article::Article;
use lectern_core::library::{self, article_key, ArticleMeta};
use lectern_core::parse::plain::parse_plain;
use lectern_core::storage::{KeyValueStore, MemoryStore, StoreError};
use lectern_dom::content_db::ContentDb;
use lectern_dom::runner::{Contents, Tier};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: &str = "2026-12-01T10:00:00.000Z";

fn seed() -> Article {
    parse_plain(library::SEED_ID, "Образец\n\nТекст образца статьи.")
}

fn article(id: &str, title: &str) -> Article {
    parse_plain(
        id,
        &format!("{title}\n\nТекст статьи «{title}», её первый абзац."),
    )
}

#[wasm_bindgen_test]
async fn no_indexeddb_is_unavailable() {
    let window = web_sys::window().unwrap();
    // A browser (or a private mode) without IndexedDB.
    js_sys::eval(
        "Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true })",
    )
    .unwrap();
    let outcome = ContentDb::open("lectern-test-absent").await;
    js_sys::Reflect::delete_property(&window, &"indexedDB".into()).unwrap();
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{:?}",
        outcome.err()
    );
    // And the content tier falls back to localStorage, saying why.
    let store = MemoryStore::default();
    js_sys::eval(
        "Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true })",
    )
    .unwrap();
    let contents = Contents::new();
    let (fallback, _) = contents
        .start_in("lectern-test-absent", &store, &[], &seed(), NOW)
        .await;
    js_sys::Reflect::delete_property(&window, &"indexedDB".into()).unwrap();
    assert!(fallback.is_some());
    assert!(matches!(&*contents.tier.borrow(), Tier::Local));
    // Articles are then stored in localStorage, as before.
    let a = article("x1", "Без базы данных");
    contents
        .add(&store, &a, &ArticleMeta::of(&a, NOW, None))
        .await
        .unwrap();
    assert!(store.get(&article_key("x1")).unwrap().is_some());
}
