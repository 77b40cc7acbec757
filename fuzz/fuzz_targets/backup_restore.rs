//! Backup files: parse → merge into a stored library → save on a store with a quota. On any
//! error the store is byte-for-byte unchanged; no `.corrupt.` key is ever written; what was
//! saved loads back as it was merged.
#![no_main]

use lectern_core::export::{merge_backup, parse_backup, save_changes, CurrentData};
use lectern_fuzz::{
    assert_no_corrupt_keys, assert_unchanged, seed_article, snapshot, store_with_library, text,
    used_bytes, without_empty_docs,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = text(data);
    let Ok(backup) = parse_backup(&raw) else {
        return;
    };
    let seed = seed_article();
    // Unlimited first: how much the restore needs. Then quotas that fail at other writes.
    let probe = store_with_library(None);
    let before_size = used_bytes(&probe);
    let loaded = CurrentData::load(&probe, &seed);
    assert!(
        loaded.problems.is_empty(),
        "the stored library loads cleanly"
    );
    let (merged, _) = merge_backup(&loaded.data, &backup);
    let full = save_changes(
        &probe,
        &loaded.data,
        &merged,
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
            without_empty_docs(merged.clone()),
            "what was saved is what was merged"
        );
    }
    let needed = full.unwrap_or(before_size + raw.len() * 2);
    let hash = data
        .iter()
        .fold(0usize, |h, &b| h.wrapping_mul(31).wrapping_add(b.into()));
    let between = before_size + hash % (needed.saturating_sub(before_size) + 1);
    // Quotas a browser's storage can have: at least what it already holds. (Below that, as
    // when another tab fills storage between two writes, `save_changes` cannot put back what
    // it wrote until space is freed; its journal keeps the old values meanwhile: seeds/backup_restore/rollback-over-quota.json.)
    for quota in [
        before_size,
        between,
        needed.saturating_sub(1).max(before_size),
    ] {
        let store = store_with_library(Some(quota));
        let loaded = CurrentData::load(&store, &seed);
        let before = snapshot(&store);
        let (merged, _) = merge_backup(&loaded.data, &backup);
        let result = save_changes(
            &store,
            &loaded.data,
            &merged,
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
