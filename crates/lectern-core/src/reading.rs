//! Where the reader is in each article, and what they made of it: the reading position (a block
//! and a UTF-16 offset in it — text, not pixels, so it survives another width or text size),
//! how far they got, when they last opened it, and whether they marked it finished or archived.
//!
//! One small record per article under `lectern.v1.reading.<id>` (a versioned envelope), so
//! scrolling writes a few dozen bytes, not the library list. Two tabs' records merge by the
//! newer `modified`.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::annotations_doc::cmp_time;
use crate::storage::{self, KeyValueStore, StoreError};
use crate::text::Utf16Offset;

pub const READING_VERSION: u32 = 1;

/// The key of article `id`'s reading record.
pub fn reading_key(id: &str) -> String {
    format!("{}reading.{id}", storage::PREFIX)
}

/// What the reader made of one article.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reading {
    /// When they last opened it (ISO 8601 UTC); empty: never.
    pub opened: String,
    /// The block at the top of the screen when they stopped, and the UTF-16 offset in it.
    pub block: usize,
    pub offset: Utf16Offset,
    /// How far into the article they got, in per cent of its blocks (the furthest seen).
    pub progress: u8,
    /// Marked finished (or read to the end).
    pub finished: bool,
    /// Taken out of the main list, not deleted.
    pub archived: bool,
    /// When this record last changed.
    pub modified: String,
}

/// Where an article stands, as the library's filters see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Unread,
    InProgress,
    Finished,
    Archived,
}

impl Reading {
    pub fn status(&self) -> Status {
        if self.archived {
            Status::Archived
        } else if self.finished {
            Status::Finished
        } else if self.opened.is_empty() && self.progress == 0 {
            Status::Unread
        } else {
            Status::InProgress
        }
    }

    /// The same record after the reader opened the article at `now`.
    pub fn opened_at(&self, now: &str) -> Reading {
        Reading {
            opened: now.to_owned(),
            modified: now.to_owned(),
            ..self.clone()
        }
    }

    /// The same record with the reader at `block`/`offset`, `progress` per cent in (kept if
    /// less than what they reached before); reaching the end marks it finished.
    pub fn at(&self, block: usize, offset: Utf16Offset, progress: u8, now: &str) -> Reading {
        let progress = progress.min(100).max(self.progress);
        Reading {
            block,
            offset,
            progress,
            finished: self.finished || progress >= 100,
            modified: now.to_owned(),
            ..self.clone()
        }
    }
}

/// The newer of two copies of one record (equal times: the greater, so the choice does not
/// depend on the order).
pub fn merge(a: &Reading, b: &Reading) -> Reading {
    match cmp_time(&a.modified, &b.modified) {
        Ordering::Greater => a.clone(),
        Ordering::Less => b.clone(),
        Ordering::Equal => {
            let ka = serde_json::to_string(a).unwrap_or_default();
            let kb = serde_json::to_string(b).unwrap_or_default();
            if ka >= kb {
                a.clone()
            } else {
                b.clone()
            }
        }
    }
}

fn migrate(version: u32, data: serde_json::Value) -> Result<serde_json::Value, String> {
    match version {
        1 => Ok(data),
        v => Err(format!("unknown reading version {v}")),
    }
}

/// Article `id`'s record; a missing or unreadable one is the default (unread at the start) —
/// losing a reading position is not losing work, so nothing is moved aside for it.
pub fn load_reading(store: &dyn KeyValueStore, id: &str) -> Reading {
    match store.get(&reading_key(id)) {
        Ok(Some(raw)) => parse(&raw).unwrap_or_default(),
        _ => Reading::default(),
    }
}

/// A stored record's value (another tab's, or ours), if it parses.
pub fn parse(raw: &str) -> Option<Reading> {
    storage::parse_stored(raw, READING_VERSION, migrate).ok()
}

/// Write article `id`'s record, merged with what is stored (another tab may have read on).
pub fn save_reading(
    store: &dyn KeyValueStore,
    id: &str,
    r: &Reading,
) -> Result<Reading, StoreError> {
    let key = reading_key(id);
    let stored = store.get(&key)?.as_deref().and_then(parse);
    let merged = stored.as_ref().map_or_else(|| r.clone(), |s| merge(s, r));
    if stored.as_ref() != Some(&merged) {
        storage::write_envelope(store, &key, READING_VERSION, &merged)?;
    }
    Ok(merged)
}

/// Progress in per cent of an article of `blocks` blocks with `block` at the top of the
/// screen and `bottom_block` at its bottom.
pub fn progress_of(blocks: usize, bottom_block: usize) -> u8 {
    if blocks == 0 {
        return 0;
    }
    (((bottom_block + 1).min(blocks) * 100) / blocks) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStore;

    fn t(n: u32) -> String {
        format!("2026-01-01T00:00:{n:02}.000Z")
    }

    #[test]
    fn status_follows_what_the_reader_did() {
        let r = Reading::default();
        assert_eq!(r.status(), Status::Unread);
        let r = r.opened_at(&t(1));
        assert_eq!(r.status(), Status::InProgress);
        let r = r.at(3, Utf16Offset(10), 40, &t(2));
        assert_eq!((r.block, r.progress), (3, 40));
        // Scrolling back keeps the furthest point reached.
        let r = r.at(1, Utf16Offset(0), 10, &t(3));
        assert_eq!((r.block, r.progress), (1, 40));
        let r = r.at(9, Utf16Offset(0), 100, &t(4));
        assert_eq!(r.status(), Status::Finished);
        let mut a = r.clone();
        a.archived = true;
        assert_eq!(a.status(), Status::Archived);
        assert_eq!(progress_of(10, 4), 50);
        assert_eq!(progress_of(0, 0), 0);
    }

    #[test]
    fn records_round_trip_and_merge_by_the_newer() {
        let store = MemoryStore::default();
        assert_eq!(load_reading(&store, "a"), Reading::default());
        let mine = Reading::default().at(2, Utf16Offset(5), 20, &t(5));
        save_reading(&store, "a", &mine).unwrap();
        assert_eq!(load_reading(&store, "a"), mine);
        // Another tab read further later: its record stays when an older one is written.
        let theirs = Reading::default().at(7, Utf16Offset(0), 70, &t(9));
        save_reading(&store, "a", &theirs).unwrap();
        let stale = Reading::default().at(1, Utf16Offset(0), 10, &t(6));
        assert_eq!(save_reading(&store, "a", &stale).unwrap(), theirs);
        assert_eq!(load_reading(&store, "a"), theirs);
        // Garbage is the default, not an error.
        store.set(&reading_key("b"), "{not json").unwrap();
        assert_eq!(load_reading(&store, "b"), Reading::default());
        assert_eq!(merge(&mine, &theirs), merge(&theirs, &mine));
    }
}
