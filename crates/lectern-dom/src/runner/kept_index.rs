//! The library's word index, kept between visits ([`WordIndex::to_stored`]) so the first
//! search of a page answers from it instead of reading every text again (reading and indexing
//! 2,000 articles took about 3 s). It is kept beside the texts ([`super::derived`]), only when
//! the texts are in IndexedDB.
//!
//! It is a cache: what it says is derived from the texts, and anything wrong with it (no such
//! database, a record that does not read back) means it is built again from the texts. Ids it
//! lacks are indexed from their texts and added; the articles no longer listed are left out
//! when it is written again, and deleted ones are taken out when their texts are; a restore,
//! which may bring other texts, forgets it.

use lectern_core::word_index::WordIndex;

use super::{derived, Contents};

/// The record's key beside the texts.
const KEY: &str = "words";

/// The kept index, if there is one that reads back.
pub(super) async fn load(contents: &Contents) -> Option<WordIndex> {
    contents.ready().await;
    let raw = derived::read(&contents.db()?, KEY).await?;
    WordIndex::from_stored(&raw)
}

/// Keep `stored` ([`WordIndex::to_stored`]).
pub(super) async fn save(contents: &Contents, stored: String) {
    contents.ready().await;
    if let Some(db) = contents.db() {
        derived::write(&db, KEY, stored).await;
    }
}

/// Take `gone` (articles whose texts were deleted) out of the kept index, if it has them: a
/// deleted article's words do not stay behind in the cache.
pub(super) async fn prune(contents: &Contents, gone: &[String]) {
    if gone.is_empty() {
        return;
    }
    let Some(ix) = load(contents).await else {
        return;
    };
    if gone.iter().any(|id| ix.contains(id)) {
        save(contents, ix.to_stored(|id| !gone.iter().any(|g| g == id))).await;
    }
}

/// Forget the kept index (the texts may have changed).
pub(super) async fn forget(contents: &Contents) {
    contents.ready().await;
    if let Some(db) = contents.db() {
        derived::forget(&db, KEY).await;
    }
}

/// Resolves after `ms` milliseconds (a task of its own: what was reported before is drawn).
pub(super) async fn later(ms: i32) {
    let _ = wasm_bindgen_futures::JsFuture::from(crate::import_worker::timeout(ms)).await;
}
