//! The notebook's slice (issue 18): the index of every highlight and note of the library, what
//! it shows (the query, from the URL), bulk changes with undo and redo, review mode, and the
//! highlight to scroll to when an article is opened from it.
//!
//! The index ([`NotebookIndex`]) is read once, when the notebook is first opened in a page
//! ([`NotebookFx::Read`] for every listed article), and then kept up to date one article at a
//! time ([`after`], run after every action): the open article's entries are rebuilt from the
//! reader's memory whenever its annotations change here; another tab's write of an article's
//! annotations (`storage` event) has just that article read again; a change of the library list
//! renames, drops, or reads only the articles not read yet.
//!
//! A bulk change applies to everything the notebook shows. The open article's annotations are
//! changed in the reader's memory (and written as the reader writes them); every other
//! article's are written by the runner ([`NotebookFx::Write`], [`crate::notebook::write_edits`]:
//! read, changed, merged, written — one key). Each write reports the exact edits that undo what
//! it changed; they make up the change's undo entry. Undo applies them with a newer `modified`
//! (so every tab's merge agrees), and its own inverse is the redo.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::annotation::Color;
use crate::effect::{Delivery, Effect, Effects, ExportFormat};
use crate::i18n::BulkWhat;
use crate::library::{ArticleMeta, LibraryDoc};
use crate::notebook::{
    apply_edits, shuffle, ArticleNotes, Edit, NotebookIndex, NotesQuery, Op, Written,
};
use crate::route::{Route, View};
use crate::state::{Action, State};

/// How many bulk changes undo remembers.
const UNDO_LIMIT: usize = 50;

/// A bulk change, for undo (or redo).
#[derive(Debug, Clone, PartialEq)]
pub struct BulkChange {
    /// Which writes belong to it.
    pub seq: u64,
    pub what: BulkWhat,
    /// Highlights it changed (as the index counted them).
    pub count: usize,
    /// What undoes it, per article id (filled in as each article's write reports).
    pub inverse: BTreeMap<String, Vec<Edit>>,
}

/// What the last bulk change (or its undo) did: the message with "Undo".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMessage {
    pub what: BulkWhat,
    pub count: usize,
}

/// Review mode: one highlight at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// (article id, annotation id), in review order.
    pub order: Vec<(String, String)>,
    pub at: usize,
    pub random: bool,
}

/// A bulk operation on everything the notebook shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOp {
    AddTag(String),
    RemoveTag(String),
    Recolor(Color),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NotebookState {
    pub index: Rc<NotebookIndex>,
    /// The index is kept (the notebook was opened in this page).
    pub active: bool,
    /// Articles asked to be read, not yet arrived.
    pub pending: BTreeSet<String>,
    /// What the notebook shows (the URL says it too).
    pub query: NotesQuery,
    pub undo: Vec<BulkChange>,
    pub redo: Vec<BulkChange>,
    pub message: Option<BulkMessage>,
    /// Articles a bulk change could not be written to: (title, why).
    pub failed: Vec<(String, String)>,
    pub review: Option<Review>,
    /// (article id, annotation id) to scroll to once that article is shown.
    pub reveal: Option<(String, String)>,
    next_seq: u64,
}

/// The notebook's messages (`Action::Notebook`).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The reader changed the search, filters, grouping or order (the URL follows).
    SetQuery(NotesQuery),
    /// These articles' entries were read from storage.
    Loaded(Vec<ArticleNotes>),
    /// Apply `op` to everything shown.
    Bulk {
        op: BulkOp,
        now: String,
    },
    /// Recolour one highlight (the keys 1–5).
    Recolor {
        article: String,
        id: String,
        color: Color,
        now: String,
    },
    Undo {
        now: String,
    },
    Redo {
        now: String,
    },
    /// A write of change `seq` to `article` came back.
    Written {
        seq: u64,
        article: String,
        result: Result<Written, String>,
    },
    DismissMessage,
    /// Review what is shown, one at a time (in an order drawn from `seed` when `random`).
    Review {
        random: bool,
        seed: u64,
    },
    /// Move in review mode by `by` (±1).
    ReviewMove(i32),
    ReviewEnd,
    /// The highlight asked for by the URL was scrolled to (or cannot be).
    Revealed,
    /// Export what is shown.
    Export {
        format: ExportFormat,
        delivery: Delivery,
        now: String,
    },
}

/// What the notebook asks the runner to do (`Effect::Notebook`).
#[derive(Debug, Clone, PartialEq)]
pub enum NotebookFx {
    /// Read these articles' entries ([`crate::notebook::read_article`]). Outcome →
    /// `Msg::Loaded`.
    Read { articles: Vec<ArticleMeta> },
    /// Write `edits` to article `meta`'s stored annotations
    /// ([`crate::notebook::write_edits`]). Outcome → `Msg::Written`.
    Write {
        seq: u64,
        meta: ArticleMeta,
        edits: Vec<Edit>,
        now: String,
    },
    /// Put `route` in the URL in place of the current one (no new history entry, no
    /// `hashchange`).
    ReplaceRoute(Route),
    /// Build a file of these annotations (per article id) and deliver it
    /// ([`crate::notebook::export_file`]).
    Export {
        format: ExportFormat,
        delivery: Delivery,
        selection: Vec<(String, Vec<String>)>,
        now: String,
    },
}

impl NotebookState {
    /// At start-up: what `route` asks the notebook to show; read the library when it is shown.
    pub fn new(library: &LibraryDoc, route: &Route, view: View) -> NotebookState {
        let mut s = NotebookState {
            index: Rc::default(),
            active: false,
            pending: BTreeSet::new(),
            query: NotesQuery::default(),
            undo: Vec::new(),
            redo: Vec::new(),
            message: None,
            failed: Vec::new(),
            review: None,
            reveal: None,
            next_seq: 1,
        };
        match route {
            Route::Notes(q) => s.query = q.clone(),
            Route::Highlight {
                article,
                annotation,
            } => s.reveal = Some((article.clone(), annotation.clone())),
            _ => {}
        }
        if view == View::Notes {
            s.active = true;
            let missing = Rc::make_mut(&mut s.index).sync_library(library);
            s.pending.extend(missing);
        }
        s
    }

    /// What start-up asks for: the articles to read, if the notebook is shown.
    pub fn startup_effects(&self, library: &LibraryDoc) -> Vec<Effect> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let articles = library
            .articles
            .iter()
            .filter(|m| self.pending.contains(&m.id))
            .cloned()
            .collect();
        vec![Effect::Notebook(NotebookFx::Read { articles })]
    }

    /// Whether the whole library has been read.
    pub fn loaded(&self) -> bool {
        self.active && self.pending.is_empty()
    }

    fn seq(&mut self) -> u64 {
        let n = self.next_seq;
        self.next_seq += 1;
        n
    }

    /// The change `seq` (on either stack).
    fn change_mut(&mut self, seq: u64) -> Option<&mut BulkChange> {
        self.undo
            .iter_mut()
            .chain(self.redo.iter_mut())
            .find(|c| c.seq == seq)
    }
}

/// Ask for articles `ids` to be read (again), unless already asked.
fn request(s: &mut State, ids: Vec<String>, fx: &mut Effects) {
    let nb = &mut s.notebook;
    let articles: Vec<ArticleMeta> = ids
        .into_iter()
        .filter(|id| nb.pending.insert(id.clone()))
        .filter_map(|id| s.library.doc.get(&id).cloned())
        .collect();
    if !articles.is_empty() {
        fx.push(Effect::Notebook(NotebookFx::Read { articles }));
    }
}

/// Start keeping the index, if not yet: read every listed article.
fn activate(s: &mut State, fx: &mut Effects) {
    if s.notebook.active {
        return;
    }
    s.notebook.active = true;
    let missing = Rc::make_mut(&mut s.notebook.index).sync_library(&s.library.doc);
    request(s, missing, fx);
    put_open_article(s);
}

/// The open article's entries from the reader's memory (newer than storage).
fn put_open_article(s: &mut State) {
    if !s.notebook.active {
        return;
    }
    let r = &s.reader;
    let notes = ArticleNotes::from_placements(&r.article.id, &r.doc, &r.placements);
    Rc::make_mut(&mut s.notebook.index).put(notes);
}

/// The URL asks for the notebook (`#/notes?…`).
pub(crate) fn open(s: &mut State, route: &Route, fx: &mut Effects) {
    if let Route::Notes(q) = route {
        s.notebook.query = q.clone();
    }
    s.view = View::Notes;
    activate(s, fx);
}

/// Handle one notebook message.
pub(crate) fn apply(s: &mut State, msg: Msg, fx: &mut Effects) {
    match msg {
        Msg::SetQuery(q) => {
            if q != s.notebook.query {
                s.notebook.query = q.clone();
                if s.view == View::Notes {
                    fx.push(Effect::Notebook(NotebookFx::ReplaceRoute(Route::Notes(q))));
                }
            }
        }
        Msg::Loaded(list) => {
            let index = Rc::make_mut(&mut s.notebook.index);
            for notes in list {
                s.notebook.pending.remove(&notes.id);
                index.put(notes);
            }
            // What storage held for the open article may be older than what is on screen.
            put_open_article(s);
        }
        Msg::Bulk { op, now } => bulk(s, op, &now, fx),
        Msg::Recolor {
            article,
            id,
            color,
            now,
        } => {
            let op = Op::SetColor(color);
            let changes = s
                .notebook
                .index
                .article(&article)
                .and_then(|a| a.entries.iter().find(|e| e.id == id))
                .is_some_and(|e| e.changed_by(&op));
            if changes {
                let edits = BTreeMap::from([(article, vec![Edit { id, op }])]);
                record(s, BulkWhat::Recolor(color), 1, edits, &now, fx);
            }
        }
        Msg::Undo { now } => {
            let Some(change) = s.notebook.undo.pop() else {
                return;
            };
            let seq = s.notebook.seq();
            s.notebook.redo.push(BulkChange {
                seq,
                what: change.what.clone(),
                count: change.count,
                inverse: BTreeMap::new(),
            });
            s.notebook.message = Some(BulkMessage {
                what: BulkWhat::Undone,
                count: change.count,
            });
            run_edits(s, seq, change.inverse, &now, fx);
        }
        Msg::Redo { now } => {
            let Some(change) = s.notebook.redo.pop() else {
                return;
            };
            let seq = s.notebook.seq();
            s.notebook.undo.push(BulkChange {
                seq,
                what: change.what.clone(),
                count: change.count,
                inverse: BTreeMap::new(),
            });
            s.notebook.message = Some(BulkMessage {
                what: change.what,
                count: change.count,
            });
            run_edits(s, seq, change.inverse, &now, fx);
        }
        Msg::Written {
            seq,
            article,
            result,
        } => match result {
            Ok(w) => {
                Rc::make_mut(&mut s.notebook.index).put(w.notes);
                if let Some(c) = s.notebook.change_mut(seq) {
                    c.inverse.entry(article).or_default().extend(w.undo);
                }
            }
            Err(why) => {
                let title = s
                    .library
                    .doc
                    .get(&article)
                    .map_or_else(|| article.clone(), |m| m.title.clone());
                s.notebook.failed.push((title, why));
                // Show what is stored, not what was hoped for.
                s.notebook.pending.remove(&article);
                request(s, vec![article], fx);
            }
        },
        Msg::DismissMessage => {
            s.notebook.message = None;
            s.notebook.failed.clear();
        }
        Msg::Review { random, seed } => {
            let hits = s.notebook.index.matching(&s.notebook.query);
            let mut order: Vec<(String, String, String)> = hits
                .iter()
                .map(|h| {
                    let e = h.get();
                    (
                        crate::annotations_doc::timestamp_key(&e.created),
                        h.article.id.clone(),
                        e.id.clone(),
                    )
                })
                .collect();
            if random {
                shuffle(&mut order, seed);
            } else {
                order.sort();
            }
            s.notebook.review = (!order.is_empty()).then(|| Review {
                order: order.into_iter().map(|(_, a, id)| (a, id)).collect(),
                at: 0,
                random,
            });
        }
        Msg::ReviewMove(by) => {
            if let Some(r) = &mut s.notebook.review {
                let at = r.at as i64 + i64::from(by);
                r.at = at.clamp(0, r.order.len() as i64 - 1) as usize;
            }
        }
        Msg::ReviewEnd => s.notebook.review = None,
        Msg::Revealed => s.notebook.reveal = None,
        Msg::Export {
            format,
            delivery,
            now,
        } => {
            let mut selection: Vec<(String, Vec<String>)> = Vec::new();
            for h in s.notebook.index.matching(&s.notebook.query) {
                let id = h.get().id.clone();
                match selection.iter_mut().find(|(a, _)| *a == h.article.id) {
                    Some((_, ids)) => ids.push(id),
                    None => selection.push((h.article.id.clone(), vec![id])),
                }
            }
            if !selection.is_empty() {
                fx.push(Effect::Notebook(NotebookFx::Export {
                    format,
                    delivery,
                    selection,
                    now,
                }));
            }
        }
    }
}

/// Apply `op` to everything the notebook shows that it would change.
fn bulk(s: &mut State, op: BulkOp, now: &str, fx: &mut Effects) {
    let (op, what) = match op {
        BulkOp::AddTag(t) => match crate::search::normalize_tag(&t) {
            Some(t) => (Op::AddTag(t.clone(), None), BulkWhat::AddTag(t)),
            None => return,
        },
        BulkOp::RemoveTag(t) => match crate::search::normalize_tag(&t) {
            Some(t) => (Op::RemoveTag(t.clone()), BulkWhat::RemoveTag(t)),
            None => return,
        },
        BulkOp::Recolor(c) => (Op::SetColor(c), BulkWhat::Recolor(c)),
    };
    let mut edits: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    let mut count = 0;
    for h in s.notebook.index.matching(&s.notebook.query) {
        let e = h.get();
        if e.changed_by(&op) {
            count += 1;
            edits.entry(h.article.id.clone()).or_default().push(Edit {
                id: e.id.clone(),
                op: op.clone(),
            });
        }
    }
    if count > 0 {
        record(s, what, count, edits, now, fx);
    }
}

/// Record a new change (undoable) and carry it out.
fn record(
    s: &mut State,
    what: BulkWhat,
    count: usize,
    edits: BTreeMap<String, Vec<Edit>>,
    now: &str,
    fx: &mut Effects,
) {
    let seq = s.notebook.seq();
    s.notebook.undo.push(BulkChange {
        seq,
        what: what.clone(),
        count,
        inverse: BTreeMap::new(),
    });
    if s.notebook.undo.len() > UNDO_LIMIT {
        s.notebook.undo.remove(0);
    }
    s.notebook.redo.clear();
    s.notebook.message = Some(BulkMessage { what, count });
    s.notebook.failed.clear();
    run_edits(s, seq, edits, now, fx);
}

/// Carry out `edits` (per article) as part of change `seq`: the open article's in the reader's
/// memory, the others by the runner; the index shows them at once.
fn run_edits(
    s: &mut State,
    seq: u64,
    edits: BTreeMap<String, Vec<Edit>>,
    now: &str,
    fx: &mut Effects,
) {
    for (article, edits) in edits {
        if edits.is_empty() {
            continue;
        }
        if article == s.reader.article.id {
            if !s.reader.writable {
                s.notebook
                    .failed
                    .push((s.reader.article.title.clone(), "read-only".to_owned()));
                continue;
            }
            let (changed, undo) = apply_edits(&s.reader.doc, &edits, now);
            if !changed.is_empty() {
                s.reader.merge_changed(changed, fx);
            }
            if let Some(c) = s.notebook.change_mut(seq) {
                c.inverse.entry(article).or_default().extend(undo);
            }
            continue;
        }
        let Some(meta) = s.library.doc.get(&article).cloned() else {
            continue;
        };
        if let Some(notes) = s.notebook.index.article(&article) {
            let shown = notes.with_edits(&edits);
            Rc::make_mut(&mut s.notebook.index).put(shown);
        }
        fx.push(Effect::Notebook(NotebookFx::Write {
            seq,
            meta,
            edits,
            now: now.to_owned(),
        }));
    }
}

/// What an action says that the notebook must follow, noted before the reducer consumes it.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// Another tab wrote this article's annotations.
    stored: Option<String>,
    /// A backup was restored (any article may have changed).
    restored: bool,
    /// The URL asks for this highlight.
    reveal: Option<(String, String)>,
}

pub(crate) fn seen(action: &Action) -> Seen {
    let mut seen = Seen::default();
    match action {
        Action::StoredElsewhere { key: Some(k), .. } => {
            seen.stored = k
                .strip_prefix(&crate::annotations_doc::annotations_key(""))
                .filter(|id| crate::route::is_valid_id(id))
                .map(str::to_owned);
        }
        Action::BackupRestored { .. } => seen.restored = true,
        Action::RouteChanged(Route::Highlight {
            article,
            annotation,
        }) => seen.reveal = Some((article.clone(), annotation.clone())),
        _ => {}
    }
    seen
}

/// After every action: keep the index up to date (see the module documentation).
pub(crate) fn after(before: &State, s: &mut State, seen: Seen, fx: &mut Effects) {
    if let Some(r) = seen.reveal {
        s.notebook.reveal = Some(r);
    }
    if !s.notebook.active {
        return;
    }
    if before.library.doc != s.library.doc {
        let missing = Rc::make_mut(&mut s.notebook.index).sync_library(&s.library.doc);
        request(s, missing, fx);
    }
    let r0 = &before.reader;
    let r1 = &s.reader;
    if !Rc::ptr_eq(&r0.doc, &r1.doc)
        || !Rc::ptr_eq(&r0.placements, &r1.placements)
        || !Rc::ptr_eq(&r0.article, &r1.article)
    {
        put_open_article(s);
    }
    if let Some(id) = seen.stored.filter(|id| *id != s.reader.article.id) {
        s.notebook.pending.remove(&id);
        request(s, vec![id], fx);
    }
    if seen.restored {
        let all: Vec<String> = s
            .library
            .doc
            .articles
            .iter()
            .map(|m| m.id.clone())
            .collect();
        for id in &all {
            s.notebook.pending.remove(id);
        }
        request(s, all, fx);
    }
}

#[cfg(test)]
mod tests;
