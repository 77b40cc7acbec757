//! The library's word index kept between visits (`runner/kept_index.rs`), in headless
//! Chromium with real IndexedDB: a page's first search answers from the index an earlier page
//! kept (the texts are not read again: here they are gone, and it still answers), a kept
//! index that does not read back is built again from the texts and replaced, and one that
//! lacks an article gets it from its text; a deleted article's words leave it. And the record
//! sizes kept beside the texts for the storage usage (`runner/derived.rs`).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use lectern_core::article::Article;
use lectern_core::effect::Effect;
use lectern_core::library::{
    self, article_key, save_article, save_library, ArticleMeta, LibraryDoc,
};
use lectern_core::parse::plain::parse_plain;
use lectern_core::state::Action;
use lectern_core::storage::{KeyValueStore, MemoryStore};
use lectern_core::word_index::WordIndex;
use lectern_dom::content_db::{delete_database, ContentDb};
use lectern_dom::runner::Runner;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: &str = "2026-12-07T10:00:00.000Z";

fn seed() -> Article {
    parse_plain(library::SEED_ID, "Образец\n\nТекст образца статьи.")
}

/// Article `i`: its title does not have the word its text has (`слово<i>ж`).
fn article(i: usize) -> Article {
    parse_plain(
        &format!("art-{i}"),
        &format!("Статья {i}\n\nВ этом тексте есть слово{i}ж и больше ничего."),
    )
}

/// A library of `n` articles (texts in `store`, moved to IndexedDB as the runner starts).
fn library_of(n: usize) -> (Rc<MemoryStore>, Vec<String>) {
    let store = Rc::new(MemoryStore::default());
    let mut doc = LibraryDoc::first_open(&seed());
    for i in 0..n {
        let a = article(i);
        save_article(&*store, &a).unwrap();
        doc.articles.push(ArticleMeta::of(&a, NOW, None));
    }
    save_library(&*store, &doc).unwrap();
    let ids = doc.articles.iter().map(|m| m.id.clone()).collect();
    (store, ids)
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// A runner over `store` with its texts in the database `name`, as a page starts one.
async fn page(store: &Rc<MemoryStore>, name: &str) -> (Rc<Runner>, Rc<RefCell<Vec<Action>>>) {
    let runner = Runner::new(store.clone() as Rc<dyn KeyValueStore>);
    runner
        .contents()
        .start_in(name, &**store, &[], &seed(), NOW)
        .await;
    let seen: Rc<RefCell<Vec<Action>>> = Rc::default();
    let s = seen.clone();
    runner.set_dispatch(Rc::new(move |a| s.borrow_mut().push(a)));
    (runner, seen)
}

/// Search as the library does, and wait for the answer.
async fn search(
    runner: &Rc<Runner>,
    seen: &Rc<RefCell<Vec<Action>>>,
    query: &str,
    ids: &[String],
) -> Vec<String> {
    runner.run(vec![Effect::SearchLibrary {
        query: query.to_owned(),
        ids: ids.to_vec(),
    }]);
    for _ in 0..200 {
        let found = seen.borrow().iter().rev().find_map(|a| match a {
            Action::LibraryMatches { query: q, ids } if q == query => Some(ids.clone()),
            _ => None,
        });
        if let Some(ids) = found {
            return ids;
        }
        sleep(25).await;
    }
    panic!("no answer to {query:?}");
}

/// What the index database keeps, once it keeps something `ok` admits (waiting for the
/// write that follows an answer).
async fn kept(name: &str, ok: impl Fn(&str) -> bool) -> String {
    for _ in 0..200 {
        let db = ContentDb::open(&format!("{name}-search")).await.unwrap();
        let raw = db.get("words").await.unwrap();
        db.close();
        if let Some(raw) = raw.filter(|r| ok(r)) {
            return raw;
        }
        sleep(25).await;
    }
    panic!("nothing kept");
}

async fn fresh(name: &str) -> String {
    let name = format!("lectern-test-{name}");
    let _ = delete_database(&name).await;
    let _ = delete_database(&format!("{name}-search")).await;
    name
}

#[wasm_bindgen_test]
async fn the_next_page_answers_from_the_kept_index_without_the_texts() {
    let name = fresh("kept-index").await;
    let (store, ids) = library_of(12);
    let (first, seen) = page(&store, &name).await;
    assert_eq!(search(&first, &seen, "слово7ж", &ids).await, ["art-7"]);
    let raw = kept(&name, |_| true).await;
    let ix = WordIndex::from_stored(&raw).expect("the kept index reads back");
    assert_eq!(ix.len(), 13, "every listed article, the sample too");

    // The texts go: a page that read them again would find nothing.
    let db = ContentDb::open(&name).await.unwrap();
    db.delete_all(&ids).await.unwrap();
    db.close();
    for id in &ids {
        store.remove(&article_key(id)).unwrap();
    }
    let (second, seen) = page(&store, &name).await;
    assert_eq!(search(&second, &seen, "слово7ж", &ids).await, ["art-7"]);
    assert_eq!(search(&second, &seen, "слово11", &ids).await, ["art-11"]);
}

#[wasm_bindgen_test]
async fn a_kept_index_that_does_not_read_back_is_built_again_and_replaced() {
    let name = fresh("kept-index-bad").await;
    let (store, ids) = library_of(10);
    let bad = "lectern-word-index 1\n1\nart-3\nслово3ж\t0\n"; // cut short: no #end
    let db = ContentDb::open(&format!("{name}-search")).await.unwrap();
    db.put_all(&[("words".to_owned(), bad.to_owned())])
        .await
        .unwrap();
    db.close();
    let (runner, seen) = page(&store, &name).await;
    assert_eq!(search(&runner, &seen, "слово4ж", &ids).await, ["art-4"]);
    let raw = kept(&name, |r| r != bad).await;
    assert_eq!(WordIndex::from_stored(&raw).map(|ix| ix.len()), Some(11));
}

#[wasm_bindgen_test]
async fn an_article_the_kept_index_lacks_is_indexed_from_its_text_and_kept() {
    let name = fresh("kept-index-new").await;
    let (store, mut ids) = library_of(9);
    let (first, seen) = page(&store, &name).await;
    assert_eq!(search(&first, &seen, "слово2ж", &ids).await, ["art-2"]);
    kept(&name, |_| true).await;
    // Another tab adds an article; this page's next visit finds it too.
    let a = article(42);
    save_article(&*store, &a).unwrap();
    let mut doc = library::load_library(&*store, &seed()).value;
    doc.articles.push(ArticleMeta::of(&a, NOW, None));
    save_library(&*store, &doc).unwrap();
    ids.push(a.id.clone());
    let (second, seen) = page(&store, &name).await;
    assert_eq!(search(&second, &seen, "слово42ж", &ids).await, ["art-42"]);
    assert_eq!(search(&second, &seen, "слово2ж", &ids).await, ["art-2"]);
    let raw = kept(&name, |r| r.contains("слово42ж")).await;
    assert_eq!(WordIndex::from_stored(&raw).map(|ix| ix.len()), Some(11));
}

#[wasm_bindgen_test]
async fn a_deleted_articles_words_leave_the_kept_index_with_its_text() {
    let name = fresh("kept-index-purge").await;
    let (store, ids) = library_of(10);
    let (first, seen) = page(&store, &name).await;
    assert_eq!(search(&first, &seen, "слово5ж", &ids).await, ["art-5"]);
    kept(&name, |_| true).await;
    // Article 5 was deleted long ago (its undo window is over): its text goes at the next
    // purge, and its words with it.
    let mut doc = library::load_library(&*store, &seed()).value;
    doc.articles.retain(|m| m.id != "art-5");
    doc.removed.push(lectern_core::annotations_doc::Tombstone {
        id: "art-5".to_owned(),
        deleted: "2026-01-01T00:00:00.000Z".to_owned(),
    });
    save_library(&*store, &doc).unwrap();
    first.run(vec![Effect::PurgeRemoved]);
    let raw = kept(&name, |r| !r.contains("слово5ж")).await;
    let ix = WordIndex::from_stored(&raw).expect("reads back");
    assert!(!ix.contains("art-5"));
    assert_eq!(ix.search("слово6ж"), Some(vec!["art-6"]));
}

/// What the sizes record beside the texts holds.
async fn kept_sizes(name: &str) -> Option<std::collections::BTreeMap<String, u64>> {
    let db = ContentDb::open(&format!("{name}-search")).await.unwrap();
    let raw = db.get("sizes").await.unwrap();
    db.close();
    lectern_core::content_sizes::from_stored(&raw?)
}

#[wasm_bindgen_test]
async fn the_storage_usage_reads_kept_sizes_not_every_text() {
    use lectern_core::content_sizes::record_bytes;
    use lectern_core::library::article_record;
    let name = fresh("kept-sizes").await;
    let (store, _) = library_of(10);
    let (runner, _) = page(&store, &name).await;
    let contents = runner.contents();
    let sizes = contents.sizes(&*store).await;
    assert_eq!(sizes.len(), 10);
    assert_eq!(sizes["art-3"], record_bytes(&article_record(&article(3))));
    assert_eq!(kept_sizes(&name).await.map(|k| k.len()), Some(10));

    // A record changed behind Lectern's back (not through `Contents`) is not read again: the
    // sizes come from what is kept, not from the texts.
    let db = ContentDb::open(&name).await.unwrap();
    db.put_all(&[("art-3".to_owned(), "x".repeat(5))])
        .await
        .unwrap();
    assert_eq!(
        contents.sizes(&*store).await["art-3"],
        record_bytes(&article_record(&article(3)))
    );
    // Written through `Contents` (sync, the notebook), added, deleted: the kept sizes follow.
    let longer = article_record(&parse_plain(
        "art-3",
        "Статья 3\n\nСовсем другой, длинный текст.",
    ));
    contents
        .put(&*store, &[("art-3".to_owned(), Some(longer.clone()))])
        .await
        .unwrap();
    let a = article(77);
    let mut doc = library::load_library(&*store, &seed()).value;
    let meta = ArticleMeta::of(&a, NOW, None);
    contents.add(&*store, &a, &meta).await.unwrap();
    doc.articles.push(meta);
    contents.delete(&*store, &["art-4".to_owned()]).await;
    let sizes = contents.sizes(&*store).await;
    assert_eq!(sizes["art-3"], record_bytes(&longer));
    assert_eq!(sizes["art-77"], record_bytes(&article_record(&a)));
    assert!(!sizes.contains_key("art-4"));
    assert_eq!(sizes.len(), 10);
    assert_eq!(kept_sizes(&name).await.map(|k| k.len()), Some(10));
    db.close();

    // A kept record that does not read back: every text is read again.
    let side = ContentDb::open(&format!("{name}-search")).await.unwrap();
    side.put_all(&[(
        "sizes".to_owned(),
        "lectern-content-sizes 1\nart-3\t1\n".to_owned(),
    )])
    .await
    .unwrap();
    side.close();
    assert_eq!(
        contents.sizes(&*store).await["art-3"],
        record_bytes(&longer)
    );
}

#[wasm_bindgen_test]
async fn the_kept_index_is_read_when_the_library_opens_before_any_search() {
    let name = fresh("kept-index-warm").await;
    let (store, ids) = library_of(10);
    let (first, seen) = page(&store, &name).await;
    assert_eq!(search(&first, &seen, "слово7ж", &ids).await, ["art-7"]);
    kept(&name, |_| true).await;
    // The next page opens the library; nothing is typed yet.
    let (second, seen) = page(&store, &name).await;
    second.run(vec![Effect::LoadLibraryDetails]);
    sleep(1500).await;
    // Now the kept record and the texts go: only an index read before can still answer.
    let side = ContentDb::open(&format!("{name}-search")).await.unwrap();
    side.delete_all(&["words".to_owned()]).await.unwrap();
    side.close();
    let db = ContentDb::open(&name).await.unwrap();
    db.delete_all(&ids).await.unwrap();
    db.close();
    for id in &ids {
        store.remove(&article_key(id)).unwrap();
    }
    assert_eq!(search(&second, &seen, "слово7ж", &ids).await, ["art-7"]);
}
