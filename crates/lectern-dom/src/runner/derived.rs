//! What is derived from the article texts and kept beside them, in a database of its own
//! named after theirs (`lectern-search` beside `lectern`, [ADR 0011]): the library's word index
//! ([`super::kept_index`]) and each record's size ([`lectern_core::content_sizes`], for the
//! storage usage). Caches only: anything missing or unreadable there is worked out from the
//! texts again, and nothing the reader made is ever kept only here.
//!
//! [ADR 0011]: ../../../../docs/adr/0011-word-index-kept.md

use std::collections::{HashMap, HashSet};

use lectern_core::content_sizes::{self, record_bytes};

use crate::content_db::ContentDb;

/// The key of the record sizes.
const SIZES: &str = "sizes";

/// The database beside `texts`.
async fn open(texts: &ContentDb) -> Option<ContentDb> {
    ContentDb::open(&format!("{}-search", texts.name()))
        .await
        .ok()
}

/// The value kept under `key` beside `texts`, if any.
pub(super) async fn read(texts: &ContentDb, key: &str) -> Option<String> {
    let db = open(texts).await?;
    let raw = db.get(key).await.ok().flatten();
    db.close();
    raw
}

/// Keep `value` under `key` beside `texts`. A failure (a full quota) only means it is worked
/// out again next time.
pub(super) async fn write(texts: &ContentDb, key: &str, value: String) {
    if let Some(db) = open(texts).await {
        let _ = db.put_all(&[(key.to_owned(), value)]).await;
        db.close();
    }
}

/// Forget what is kept under `key` beside `texts`.
pub(super) async fn forget(texts: &ContentDb, key: &str) {
    if let Some(db) = open(texts).await {
        let _ = db.delete_all(&[key.to_owned()]).await;
        db.close();
    }
}

/// Every record's size in `texts`, by id: the database's keys, the sizes kept, and a read of
/// only the records whose size is not kept (then kept, with the sizes of records gone left
/// out).
pub(super) async fn sizes(texts: &ContentDb) -> HashMap<String, u64> {
    let Ok(keys) = texts.keys().await else {
        return HashMap::new();
    };
    let mut kept = read(texts, SIZES)
        .await
        .and_then(|raw| content_sizes::from_stored(&raw))
        .unwrap_or_default();
    let present: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let stale = kept.len();
    kept.retain(|id, _| present.contains(id.as_str()));
    let mut changed = kept.len() != stale;
    let missing: Vec<&String> = keys.iter().filter(|id| !kept.contains_key(*id)).collect();
    if missing.len() > 8 {
        // Many (the first time): one read of everything.
        for (id, record) in texts.get_all().await.unwrap_or_default() {
            if let std::collections::btree_map::Entry::Vacant(e) = kept.entry(id) {
                e.insert(record_bytes(&record));
                changed = true;
            }
        }
    } else {
        for id in missing {
            if let Ok(Some(record)) = texts.get(id).await {
                kept.insert(id.clone(), record_bytes(&record));
                changed = true;
            }
        }
    }
    if changed {
        write(texts, SIZES, content_sizes::to_stored(&kept)).await;
    }
    kept.into_iter().collect()
}

/// Records were written to `texts` (`(id, record)`): their sizes replace the kept ones. Nothing
/// is kept yet: nothing to do (the next [`sizes`] reads them all).
pub(super) async fn note_sizes(texts: &ContentDb, written: &[(String, String)]) {
    if written.is_empty() {
        return;
    }
    let Some(mut kept) = read(texts, SIZES)
        .await
        .and_then(|raw| content_sizes::from_stored(&raw))
    else {
        return;
    };
    for (id, record) in written {
        kept.insert(id.clone(), record_bytes(record));
    }
    write(texts, SIZES, content_sizes::to_stored(&kept)).await;
}
