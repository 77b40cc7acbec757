//! The library's word index, kept between visits ([`WordIndex::to_stored`]) so the first
//! search of a page answers from it instead of reading every text again (reading and indexing
//! 2,000 articles took about 3 s). It is kept beside the texts, in a database of its own
//! named after theirs (`lectern-search` beside `lectern`), only when the texts are in
//! IndexedDB.
//!
//! It is a cache: what it says is derived from the texts, and anything wrong with it (no such
//! database, a record that does not read back) means it is built again from the texts. Ids it
//! lacks are indexed from their texts and added; the articles no longer listed are left out
//! when it is written again; a restore, which may bring other texts, forgets it.

use lectern_core::word_index::WordIndex;

use super::Contents;
use crate::content_db::ContentDb;

/// The record's key in the index database.
const KEY: &str = "words";

/// The index database beside the texts' (none when the texts are not in IndexedDB).
async fn open(contents: &Contents) -> Option<ContentDb> {
    contents.ready().await;
    let texts = contents.db()?;
    ContentDb::open(&format!("{}-search", texts.name()))
        .await
        .ok()
}

/// The kept index, if there is one that reads back.
pub(super) async fn load(contents: &Contents) -> Option<WordIndex> {
    let db = open(contents).await?;
    let raw = db.get(KEY).await.ok().flatten();
    db.close();
    WordIndex::from_stored(&raw?)
}

/// Keep `stored` ([`WordIndex::to_stored`]). A failure (a full quota) only means the next
/// visit builds the index again.
pub(super) async fn save(contents: &Contents, stored: String) {
    if let Some(db) = open(contents).await {
        let _ = db.put_all(&[(KEY.to_owned(), stored)]).await;
        db.close();
    }
}

/// Forget the kept index (the texts may have changed).
pub(super) async fn forget(contents: &Contents) {
    if let Some(db) = open(contents).await {
        let _ = db.delete_all(&[KEY.to_owned()]).await;
        db.close();
    }
}

/// Resolves after `ms` milliseconds (a task of its own: what was reported before is drawn).
pub(super) async fn later(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}
