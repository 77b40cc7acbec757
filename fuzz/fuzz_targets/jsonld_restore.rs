//! JSON-LD (W3C Web Annotation, Hypothesis) files: parse → attach to a stored article → merge
//! into its annotations → save on a store with a quota. On any error the store is
//! byte-for-byte unchanged and no `.corrupt.` key is written.
#![no_main]

use lectern_core::annotations_doc::{merge, AnnotationsDoc};
use lectern_core::export::{attach, parse_jsonld, save_changes, CurrentData};
use lectern_fuzz::{
    assert_no_corrupt_keys, assert_unchanged, seed_article, snapshot, store_with_library, text,
    used_bytes, without_empty_docs,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = text(data);
    let Ok(imported) = parse_jsonld(&raw) else {
        return;
    };
    let seed = seed_article();
    let probe = store_with_library(None);
    let before_size = used_bytes(&probe);
    let loaded = CurrentData::load(&probe, &seed);
    let mut n = 0u32;
    let ids = move || {
        n += 1;
        format!("00000000-0000-4000-8000-{n:012}")
    };
    let (annotations, _) = attach(&seed, imported, ids, "2026-01-02T00:00:00.000Z");
    let mut after = loaded.data.clone();
    let cur = after.annotations.get(&seed.id).cloned().unwrap_or_default();
    let add = AnnotationsDoc {
        annotations,
        tombstones: Vec::new(),
    };
    after.annotations.insert(seed.id.clone(), merge(&cur, &add));
    let full = save_changes(
        &probe,
        &loaded.data,
        &after,
        &loaded.read_only,
        lectern_fuzz::NOW,
    )
    .map(|_| used_bytes(&probe));
    assert_no_corrupt_keys(&probe);
    if full.is_ok() {
        let again = CurrentData::load(&probe, &seed);
        assert!(
            again.problems.is_empty(),
            "saved data loads back: {:?}",
            again.problems
        );
        assert_eq!(
            again.data,
            without_empty_docs(after.clone()),
            "what was saved is what was merged"
        );
    }
    let needed = full.unwrap_or(before_size + raw.len() * 2);
    // Quotas a browser's storage can have: at least what it already holds (see
    // backup_restore.rs).
    for quota in [before_size, needed.saturating_sub(1).max(before_size)] {
        let store = store_with_library(Some(quota));
        let before = snapshot(&store);
        let result = save_changes(
            &store,
            &loaded.data,
            &after,
            &loaded.read_only,
            lectern_fuzz::NOW,
        );
        assert_no_corrupt_keys(&store);
        if result.is_err() {
            lectern_fuzz::recover(&store);
            assert_unchanged(&store, &before);
        }
    }
});
