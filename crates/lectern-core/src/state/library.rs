//! The library list and bringing articles into it: rename, remove (with undo), imports file by
//! file, and the counts and search text the library view shows.
//!
//! Every change of the list goes through [`LibraryState::changed`], which checks that the list
//! may be written and asks for the write ([`Effect::SaveLibrary`], merged with what is stored).
//! An import is a batch: one line per file, each `Working` until the importer and then storage
//! have answered; when the last line is settled the batch navigates (one article added: open
//! it; otherwise the library, where the report is shown).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::annotation::text_hash;
use crate::annotations_doc::{AnnotationsDoc, Tombstone};
use crate::article::Article;
use crate::effect::{Effect, Effects, FileRef};
use crate::import::{ImportError, MAX_IMPORT_BYTES};
use crate::library::{merge, ArticleMeta, LibraryDoc};
use crate::reading::{Reading, Status};
use crate::route::Route;
use crate::storage::Loaded;

/// The open article, whose counts and reading are newer in memory than in storage.
#[derive(Debug, Clone, Copy)]
pub struct Open<'a> {
    pub id: &'a str,
    pub doc: &'a AnnotationsDoc,
    pub reading: &'a Reading,
}

/// One file's (or one paste's) import outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    pub name: String,
    pub outcome: ImportOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    /// Being read or imported.
    Working,
    /// Imported; its content and list entry are being written.
    Saving {
        meta: ArticleMeta,
    },
    Added {
        id: String,
        title: String,
    },
    /// The same text is already in the library (or earlier in this batch).
    Duplicate {
        id: String,
        title: String,
    },
    Failed(ImportError),
    /// It could not be read or stored (the reason, from the browser).
    NotSaved(String),
}

impl ImportOutcome {
    pub fn is_settled(&self) -> bool {
        !matches!(self, ImportOutcome::Working | ImportOutcome::Saving { .. })
    }
}

/// The last import, file by file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportReport {
    pub batch: u32,
    pub lines: Vec<ImportLine>,
    /// Every line is settled and the batch has navigated.
    pub done: bool,
}

/// What the library view shows beside each entry, read from storage
/// ([`Effect::LoadLibraryDetails`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LibraryDetails {
    /// Highlights and notes per article id.
    pub counts: HashMap<String, (usize, usize)>,
    /// Reading records per article id (absent: unread).
    pub reading: HashMap<String, Reading>,
}

/// What is stored in this browser, measured ([`Effect::LoadStorageUsage`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StorageUsage {
    /// Everything Lectern keeps in `localStorage`, in bytes (UTF-16, as browsers count).
    pub local_bytes: u64,
    /// Article texts kept in IndexedDB, in bytes (UTF-16, as stored).
    pub content_bytes: u64,
    /// Each article's content and annotations, in bytes, largest first.
    pub by_article: Vec<(String, u64)>,
    /// The browser's estimate for the whole site (`navigator.storage.estimate()`): usage and
    /// quota in bytes, when it gives one.
    pub estimate: Option<(u64, u64)>,
    // --- images (issue 16) ---
    /// Images kept for offline reading (the service worker's cache): bytes and how many,
    /// when the browser has a cache to look in.
    pub images: Option<(u64, u32)>,
}

/// Which articles the library lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Everything but the archived.
    #[default]
    All,
    Unread,
    InProgress,
    Finished,
    Archived,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 5] = [
        StatusFilter::All,
        StatusFilter::Unread,
        StatusFilter::InProgress,
        StatusFilter::Finished,
        StatusFilter::Archived,
    ];

    fn admits(self, s: Status) -> bool {
        match self {
            StatusFilter::All => s != Status::Archived,
            StatusFilter::Unread => s == Status::Unread,
            StatusFilter::InProgress => s == Status::InProgress,
            StatusFilter::Finished => s == Status::Finished,
            StatusFilter::Archived => s == Status::Archived,
        }
    }
}

/// How the library is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Newest first.
    #[default]
    Added,
    /// Most recently opened first (never opened last).
    Opened,
    Title,
    /// Shortest first.
    Length,
    /// Most highlights first.
    Highlights,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Added,
        SortKey::Opened,
        SortKey::Title,
        SortKey::Length,
        SortKey::Highlights,
    ];
}

/// The text search's answer for a query: the listed articles whose text has its words.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextMatches {
    pub query: String,
    pub ids: Rc<HashSet<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LibraryState {
    pub doc: LibraryDoc,
    /// False when the stored list must not be overwritten.
    pub writable: bool,
    /// The article removed from the list last, for "Undo".
    pub just_removed: Option<ArticleMeta>,
    pub import: ImportReport,
    pub details: Rc<LibraryDetails>,
    /// What the reader searches the library for.
    pub query: String,
    /// The text search's latest answer (for this query or, while it is found, an earlier one).
    pub matches: TextMatches,
    pub filter: StatusFilter,
    pub sort: SortKey,
    /// What is stored, once measured.
    pub usage: Option<Rc<StorageUsage>>,
}

impl LibraryState {
    pub fn new(doc: Loaded<LibraryDoc>) -> LibraryState {
        LibraryState {
            doc: doc.value,
            writable: doc.writable,
            just_removed: None,
            import: ImportReport::default(),
            details: Rc::default(),
            query: String::new(),
            matches: TextMatches::default(),
            filter: StatusFilter::default(),
            sort: SortKey::default(),
            usage: None,
        }
    }

    /// The list changed: ask for it to be written (merged with what is stored).
    fn changed(&self, fx: &mut Effects) {
        if self.writable {
            fx.push(Effect::SaveLibrary(self.doc.clone()));
        }
    }

    /// The reading record of article `id` (the open article's from `open`, newer than what was
    /// read from storage).
    pub fn reading<'a>(&'a self, id: &str, open: Option<(&str, &'a Reading)>) -> Reading {
        match open {
            Some((open_id, r)) if open_id == id => r.clone(),
            _ => self.details.reading.get(id).cloned().unwrap_or_default(),
        }
    }

    /// The entries the library shows: matching the search (title or source containing the
    /// query, or the text having its words — case-insensitive, ё = е), admitted by the status
    /// filter, in the chosen order. `open` is the open article (its counts and reading are
    /// newer in memory).
    pub fn rows(&self, open: Option<Open<'_>>) -> Vec<&ArticleMeta> {
        let ids = &self.matches.ids;
        let mut rows: Vec<&ArticleMeta> = self
            .doc
            .search(&self.query, |_| None)
            .into_iter()
            .chain(
                self.doc
                    .articles
                    .iter()
                    .filter(|m| !self.query.trim().is_empty() && ids.contains(&m.id)),
            )
            .collect();
        // Title matches first in list order, text matches after: one each.
        let mut seen = HashSet::new();
        rows.retain(|m| seen.insert(m.id.as_str()));
        let reading_of = |m: &ArticleMeta| self.reading(&m.id, open.map(|o| (o.id, o.reading)));
        rows.retain(|m| self.filter.admits(reading_of(m).status()));
        let counts = |m: &ArticleMeta| self.counts(&m.id, open.map(|o| (o.id, o.doc))).0;
        match self.sort {
            SortKey::Added => {
                rows.sort_by(|a, b| crate::annotations_doc::cmp_time(&b.added, &a.added))
            }
            SortKey::Opened => rows.sort_by_cached_key(|m| {
                std::cmp::Reverse(crate::annotations_doc::timestamp_key(&reading_of(m).opened))
            }),
            SortKey::Title => rows.sort_by_cached_key(|m| crate::search::fold(&m.title)),
            SortKey::Length => rows.sort_by_key(|m| m.words),
            SortKey::Highlights => rows.sort_by_key(|m| std::cmp::Reverse(counts(m))),
        }
        rows
    }

    /// The listed articles' ids, in the list's order.
    fn listed_ids(&self) -> Vec<String> {
        self.doc.articles.iter().map(|m| m.id.clone()).collect()
    }

    /// The reader typed `query`: title and source match at once; the text search is asked for.
    pub(crate) fn set_query(&mut self, query: String, fx: &mut Effects) {
        if !query.trim().is_empty() && query != self.matches.query {
            fx.push(Effect::SearchLibrary {
                query: query.clone(),
                ids: self.listed_ids(),
            });
        }
        self.query = query;
    }

    /// The text search answered for `query`.
    pub(crate) fn matched(&mut self, query: String, ids: Vec<String>) {
        if query == self.query {
            self.matches = TextMatches {
                query,
                ids: Rc::new(ids.into_iter().collect()),
            };
        }
    }

    /// The list changed: the text search is asked again.
    fn texts_stale(&mut self, fx: &mut Effects) {
        if !self.query.trim().is_empty() {
            fx.push(Effect::SearchLibrary {
                query: self.query.clone(),
                ids: self.listed_ids(),
            });
        }
    }

    /// Highlights and notes of article `id` (the open article's from `open`, which is newer
    /// than what was read from storage).
    pub fn counts(&self, id: &str, open: Option<(&str, &AnnotationsDoc)>) -> (usize, usize) {
        match open {
            Some((open_id, doc)) if open_id == id => counts_of(doc),
            _ => self.details.counts.get(id).copied().unwrap_or((0, 0)),
        }
    }

    // --- Commands -------------------------------------------------------------------------

    pub(crate) fn rename(&mut self, id: &str, title: &str, now: &str, fx: &mut Effects) {
        if !self.writable {
            return;
        }
        let title = title.trim();
        let Some(m) = self.doc.articles.iter_mut().find(|m| m.id == id) else {
            return;
        };
        if title.is_empty() || m.title == title {
            return;
        }
        m.title = title.to_owned();
        m.modified = now.to_owned();
        self.changed(fx);
    }

    pub(crate) fn remove(&mut self, id: &str, now: &str, fx: &mut Effects) {
        if !self.writable {
            return;
        }
        let Some(i) = self.doc.articles.iter().position(|m| m.id == id) else {
            return;
        };
        let meta = self.doc.articles.remove(i);
        self.doc.removed.retain(|t| t.id != id);
        self.doc.removed.push(Tombstone {
            id: id.to_owned(),
            deleted: now.to_owned(),
        });
        self.just_removed = Some(meta);
        self.changed(fx);
        // Undo is offered for a while; then the article's stored data goes.
        fx.push(Effect::After {
            ms: crate::library::UNDO_WINDOW_MS,
            action: Box::new(crate::state::Action::RemovalFinal { id: id.to_owned() }),
        });
    }

    pub(crate) fn undo_remove(&mut self, now: &str, fx: &mut Effects) {
        if !self.writable {
            return;
        }
        let Some(mut meta) = self.just_removed.take() else {
            return;
        };
        // Changed after its removal, so it wins over the tombstone wherever they meet.
        meta.modified = now.to_owned();
        self.doc.removed.retain(|t| t.id != meta.id);
        self.doc = merge(
            &self.doc,
            &LibraryDoc {
                articles: vec![meta],
                removed: Vec::new(),
            },
        );
        self.changed(fx);
    }

    /// Start importing `files` as a new batch. Files over the size limit are refused here,
    /// without being read.
    pub(crate) fn import_files(&mut self, files: Vec<FileRef>, fx: &mut Effects) {
        let batch = self.import.batch + 1;
        let mut lines = Vec::with_capacity(files.len());
        let mut read = Vec::new();
        for f in files {
            let size = usize::try_from(f.size).unwrap_or(usize::MAX);
            let outcome = if size > MAX_IMPORT_BYTES {
                ImportOutcome::Failed(ImportError::TooLarge {
                    bytes: size,
                    limit: MAX_IMPORT_BYTES,
                })
            } else {
                read.push(f.clone());
                ImportOutcome::Working
            };
            lines.push(ImportLine {
                name: f.name,
                outcome,
            });
        }
        self.import = ImportReport {
            batch,
            lines,
            done: false,
        };
        if !read.is_empty() {
            fx.push(Effect::ImportFiles { batch, files: read });
        }
        self.settle(fx);
    }

    /// Start importing pasted `text` (named `name` in the report) as a new batch.
    pub(crate) fn import_text(&mut self, name: String, text: String, fx: &mut Effects) {
        let batch = self.import.batch + 1;
        let outcome = if text.len() > MAX_IMPORT_BYTES {
            ImportOutcome::Failed(ImportError::TooLarge {
                bytes: text.len(),
                limit: MAX_IMPORT_BYTES,
            })
        } else {
            fx.push(Effect::ImportText {
                batch,
                name: name.clone(),
                text,
            });
            ImportOutcome::Working
        };
        self.import = ImportReport {
            batch,
            lines: vec![ImportLine { name, outcome }],
            done: false,
        };
        self.settle(fx);
    }

    /// The line of file `name` in `batch` that is still being imported.
    fn working_line(&mut self, batch: u32, name: &str) -> Option<&mut ImportLine> {
        if batch != self.import.batch {
            return None;
        }
        self.import
            .lines
            .iter_mut()
            .find(|l| l.name == name && l.outcome == ImportOutcome::Working)
    }

    /// The importer answered for file `name`: store the article unless the library (or this
    /// batch) already has the same text.
    pub(crate) fn imported(
        &mut self,
        batch: u32,
        name: &str,
        article: Result<Article, ImportError>,
        now: &str,
        fx: &mut Effects,
    ) {
        let article = match article {
            Ok(a) => a,
            Err(e) => {
                if let Some(line) = self.working_line(batch, name) {
                    line.outcome = ImportOutcome::Failed(e);
                }
                self.settle(fx);
                return;
            }
        };
        let hash = text_hash(&article.text());
        // Added lines are in the list already; lines still being saved are not.
        let earlier = self.import.lines.iter().find_map(|l| match &l.outcome {
            ImportOutcome::Saving { meta } if meta.hash == hash => {
                Some((meta.id.clone(), meta.title.clone()))
            }
            _ => None,
        });
        let existing = self
            .doc
            .same_content(&article)
            .map(|m| (m.id.clone(), m.title.clone()))
            .or(earlier);
        let writable = self.writable;
        let Some(line) = self.working_line(batch, name) else {
            return;
        };
        line.outcome = match existing {
            Some((id, title)) => ImportOutcome::Duplicate { id, title },
            None if !writable => {
                ImportOutcome::NotSaved("the library list is read-only".to_owned())
            }
            None => {
                let meta = ArticleMeta::of(&article, now, Some(name.to_owned()));
                fx.push(Effect::AddArticle {
                    batch,
                    name: name.to_owned(),
                    article: Rc::new(article),
                    meta: meta.clone(),
                });
                ImportOutcome::Saving { meta }
            }
        };
        self.settle(fx);
    }

    /// File `name` could not be read, or the import worker failed.
    pub(crate) fn import_failed(&mut self, batch: u32, name: &str, why: String, fx: &mut Effects) {
        if let Some(line) = self.working_line(batch, name) {
            line.outcome = ImportOutcome::NotSaved(why);
        }
        self.settle(fx);
    }

    /// The saving line for article `id` in `batch`.
    fn saving_line(&mut self, batch: u32, id: &str) -> Option<&mut ImportLine> {
        if batch != self.import.batch {
            return None;
        }
        self.import
            .lines
            .iter_mut()
            .find(|l| matches!(&l.outcome, ImportOutcome::Saving { meta } if meta.id == id))
    }

    /// Article `meta` was stored and listed; `stored` is the list as now stored.
    pub(crate) fn added(
        &mut self,
        batch: u32,
        meta: ArticleMeta,
        stored: LibraryDoc,
        fx: &mut Effects,
    ) {
        self.doc = merge(&self.doc, &stored);
        self.texts_stale(fx);
        if let Some(line) = self.saving_line(batch, &meta.id) {
            line.outcome = ImportOutcome::Added {
                id: meta.id,
                title: meta.title,
            };
        }
        self.settle(fx);
    }

    /// Article `id` could not be stored (nothing of it was kept).
    pub(crate) fn not_saved(&mut self, batch: u32, id: &str, why: String, fx: &mut Effects) {
        if let Some(line) = self.saving_line(batch, id) {
            line.outcome = ImportOutcome::NotSaved(why);
        }
        self.settle(fx);
    }

    /// Once every line of the batch is settled: open the one article added, or show the
    /// library with the report (once per batch).
    pub(super) fn settle(&mut self, fx: &mut Effects) {
        let report = &mut self.import;
        if report.done || !report.lines.iter().all(|l| l.outcome.is_settled()) {
            return;
        }
        report.done = true;
        let route = match report.lines.as_slice() {
            [ImportLine {
                outcome: ImportOutcome::Added { id, .. },
                ..
            }] => Route::Article(id.clone()),
            _ => Route::Library,
        };
        fx.push(Effect::Navigate(route));
    }

    // --- Events ---------------------------------------------------------------------------

    /// Another tab changed the list: merge it in, and write the merge back when theirs lacks
    /// something of ours, so both converge.
    pub(crate) fn changed_elsewhere(&mut self, remote: LibraryDoc, fx: &mut Effects) {
        let merged = merge(&self.doc, &remote);
        let theirs = merge(&remote, &LibraryDoc::default());
        if merged != self.doc {
            self.texts_stale(fx);
        }
        self.doc = merged;
        if self.doc != theirs {
            self.changed(fx);
        }
    }

    /// The list was written; `stored` is what storage now holds (ours merged with another
    /// tab's).
    pub(crate) fn saved(&mut self, stored: LibraryDoc) {
        self.doc = merge(&self.doc, &stored);
    }

    pub(crate) fn make_read_only(&mut self) {
        self.writable = false;
    }
}

/// Highlights and notes in `doc`.
pub fn counts_of(doc: &AnnotationsDoc) -> (usize, usize) {
    let highlights = doc
        .annotations
        .iter()
        .filter(|a| a.target.is_some())
        .count();
    let notes = doc
        .annotations
        .iter()
        .filter(|a| !a.note.trim().is_empty())
        .count();
    (highlights, notes)
}
