//! What the fuzz targets share: a work meter (the core's step count plus every byte allocated),
//! the linearity check built on it, the browser-equivalent HTML check, and a small store
//! holding a library to restore into.
//!
//! Why a meter and not a clock: libFuzzer runs thousands of inputs a second on a machine
//! shared with other work, so a time limit per input is either too loose to catch a quadratic
//! loop or flaky. The meter counts the same for the same input everywhere: the core's scanning
//! loops report what they looked at ([`lectern_core::work`]), and a counting allocator catches
//! work done by copying (`to_lowercase` of the rest of a paragraph, once per sentence).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use lectern_core::article::Article;
use lectern_core::export::CurrentData;
use lectern_core::storage::{KeyValueStore, MemoryStore};

struct Counting;

static ALLOCATED: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The work one call did.
#[derive(Debug, Clone, Copy)]
pub struct Work {
    /// Steps the core's loops reported.
    pub steps: u64,
    /// Bytes allocated (reallocations count their new size).
    pub allocated: u64,
}

/// Runs `f` and meters it.
pub fn metered<T>(f: impl FnOnce() -> T) -> (T, Work) {
    lectern_core::work::take();
    let before = ALLOCATED.load(Ordering::Relaxed);
    let out = f();
    let work = Work {
        steps: lectern_core::work::take(),
        allocated: ALLOCATED.load(Ordering::Relaxed) - before,
    };
    (out, work)
}

/// Panics (a crash libFuzzer saves) when `work` is more than `per_byte` steps and bytes
/// allocated per input byte, plus a fixed allowance. The allowances are a few times what the
/// seed corpora need at their worst: a loop that rescans its input passes them within a few
/// kilobytes of input, which the fuzzer reaches in seconds.
pub fn assert_linear(
    what: &str,
    input_len: usize,
    work: Work,
    steps_per_byte: u64,
    alloc_per_byte: u64,
) {
    let n = input_len as u64 + 256;
    assert!(
        work.steps <= steps_per_byte * n,
        "{what}: {} steps for {input_len} bytes (at most {steps_per_byte} per byte)",
        work.steps
    );
    assert!(
        work.allocated <= alloc_per_byte * n,
        "{what}: {} bytes allocated for {input_len} bytes of input (at most {alloc_per_byte} per byte)",
        work.allocated
    );
}

/// `data` as text the way the app gets it: pasted or decoded text is always valid UTF-8, so
/// invalid bytes become U+FFFD (keeping every other byte the fuzzer chose).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Checks what the browser would show against what offsets count: parses `html` as the app
/// does (`innerHTML` of a `<div>`: html5ever's fragment parser in body context, which is the
/// HTML standard's algorithm) and compares every `[data-block]` element's text content, in
/// order, with the article's block texts, and the title with `h1`'s text.
pub fn assert_dom_matches(article: &Article, html: &str) {
    let doc = dom_query::Document::fragment(html);
    let blocks = doc.select("[data-block]");
    let shown: Vec<String> = blocks.iter().map(|b| b.text().to_string()).collect();
    let model: Vec<&str> = article.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(
        shown.len(),
        model.len(),
        "the DOM has {} blocks, the article {}",
        shown.len(),
        model.len()
    );
    for (i, (dom, text)) in shown.iter().zip(&model).enumerate() {
        assert_eq!(
            dom, text,
            "block {i}: the browser's text differs from the text offsets count in"
        );
        let index = blocks
            .iter()
            .nth(i)
            .and_then(|b| b.attr("data-block"))
            .map(|a| a.to_string());
        assert_eq!(
            index.as_deref(),
            Some(i.to_string().as_str()),
            "block order"
        );
    }
    let title = doc.select("h1.reader__title");
    if title.length() == 1 {
        assert_eq!(title.text().to_string(), article.title, "title");
    }
}

/// The time restores are made at (their journal's start).
pub const NOW: &str = "2026-12-06T10:00:00.000Z";

/// After a failed save, what the next start does: put back a restore the failure left half
/// done (its journal). Then the store must be as it was.
pub fn recover(store: &MemoryStore) {
    let _ = lectern_core::export::backup::recover_interrupted(store, "9999-12-31T23:59:59.999Z");
}

/// A store holding a small library: the sample article and one imported article with
/// annotations, as the app would have written them. `quota` as for [`MemoryStore`].
pub fn store_with_library(quota: Option<usize>) -> MemoryStore {
    use lectern_core::export::{merge_backup, parse_backup, save_changes};
    let store = MemoryStore::default();
    let seed = seed_article();
    let loaded = CurrentData::load(&store, &seed);
    let backup = parse_backup(include_str!("../seeds/backup_restore/small.json"))
        .expect("the checked-in small backup is valid");
    let (merged, _) = merge_backup(&loaded.data, &backup);
    save_changes(&store, &loaded.data, &merged, &loaded.read_only, NOW)
        .expect("an unlimited store takes the small backup");
    MemoryStore {
        map: store.map,
        quota_bytes: quota,
    }
}

/// The built-in sample article (as the app builds it from `assets/seed-article-ru.txt`).
pub fn seed_article() -> Article {
    lectern_core::parse::plain::parse_plain(
        lectern_core::library::SEED_ID,
        include_str!("../../assets/seed-article-ru.txt"),
    )
}

/// Every key and value of the store, to compare before and after.
pub fn snapshot(store: &MemoryStore) -> std::collections::BTreeMap<String, String> {
    store.map.borrow().clone()
}

/// Bytes the store holds (keys and values, as [`MemoryStore`] counts its quota).
pub fn used_bytes(store: &MemoryStore) -> usize {
    store
        .map
        .borrow()
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum()
}

/// Panics if any key looks like a corrupt value's copy.
pub fn assert_no_corrupt_keys(store: &MemoryStore) {
    for k in store.map.borrow().keys() {
        assert!(!k.contains(".corrupt."), "wrote {k}");
    }
}

/// The store, unchanged: reading it back through the trait gives the same values.
pub fn assert_unchanged(store: &MemoryStore, before: &std::collections::BTreeMap<String, String>) {
    let now = snapshot(store);
    assert_eq!(now.len(), before.len(), "keys were added or removed");
    for (k, v) in before {
        assert_eq!(
            store.get(k).ok().flatten().as_deref(),
            Some(v.as_str()),
            "{k} changed"
        );
    }
}

/// `data` without empty annotation documents (an empty document and none at all are the same:
/// neither is stored).
pub fn without_empty_docs(mut data: CurrentData) -> CurrentData {
    data.annotations.retain(|_, d| *d != Default::default());
    data
}
