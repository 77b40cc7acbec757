//! The open article and its annotations: highlights, notes, tags, undo and redo.
//!
//! Undo works on annotations as *changes*, not snapshots: each undo entry records, per
//! annotation id, what it was before. Undoing writes that back with a fresh `modified` time (a
//! restored annotation is newer than its tombstone), so an undo in one tab merges correctly into
//! another tab's copy.
//!
//! Every change that should reach storage goes through [`ReaderState::changed`], which checks
//! that the annotations may be written and asks for the write ([`Effect::SaveAnnotations`]);
//! every edit starts with [`ReaderState::editable`], so a read-only article (data from a newer
//! Lectern, or unreadable and not backed up) ignores edits by construction.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use crate::anchor::{Describer, Placement};
use crate::annotation::{Annotation, Color, Target};
use crate::annotations_doc::{merge, AnnotationsDoc, Tombstone};
use crate::article::Article;
use crate::effect::{Effect, Effects};
use crate::storage::Loaded;
use crate::text::{ArticleText, ByteOffset};

/// What one user action changed, for undo: each touched id with its value before (None = it
/// did not exist).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    pub before: Vec<(String, Option<Annotation>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Delete,
    Recolor,
    Note,
    Tags,
    Reanchor,
}

/// How many changes undo remembers.
const UNDO_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct ReaderState {
    pub article: Rc<Article>,
    /// The article's text and block geometry: the coordinate system of every placement.
    pub text: Rc<ArticleText>,
    /// The text's hash (what new targets carry), computed on first use, shared by every state
    /// of the same open article.
    text_hash: Rc<OnceCell<String>>,
    /// The open article's annotations (highlights and, without a target, the article note).
    pub doc: Rc<AnnotationsDoc>,
    /// Where each highlight sits in `text`, by annotation id.
    pub placements: Rc<HashMap<String, Placement>>,
    /// False when the stored annotations must not be overwritten (newer schema, unreadable and
    /// not backed up): the reader is read-only.
    pub writable: bool,
    /// Bumped on every change that is written to storage.
    pub revision: u64,
    pub undo: Vec<Change>,
    pub redo: Vec<Change>,
    pub last_color: Color,
    /// The annotation deleted last, for the "Undo" toast.
    pub just_deleted: Option<String>,
    /// Annotations whose last write failed, by article id: kept in memory (and merged back in
    /// when the article is opened again) until a write succeeds.
    pub unsaved: BTreeMap<String, Rc<AnnotationsDoc>>,
    /// Where the reader is in this article and what they made of it.
    pub reading: crate::reading::Reading,
}

impl ReaderState {
    pub fn new(article: Article, doc: Loaded<AnnotationsDoc>) -> ReaderState {
        let mut r = ReaderState {
            text: Rc::new(article.article_text()),
            article: Rc::new(article),
            text_hash: Rc::default(),
            doc: Rc::new(doc.value),
            placements: Rc::default(),
            writable: doc.writable,
            revision: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            last_color: Color::default(),
            just_deleted: None,
            unsaved: BTreeMap::new(),
            reading: crate::reading::Reading::default(),
        };
        r.place_all();
        r
    }

    /// Show `article` with what storage holds for its annotations, merged with what this tab
    /// could not save of them earlier (which is asked to be written again).
    pub(crate) fn open(&mut self, article: Article, doc: Loaded<AnnotationsDoc>, fx: &mut Effects) {
        let unsaved = self.unsaved.get(&article.id).cloned();
        let keep_unsaved = std::mem::take(&mut self.unsaved);
        *self = ReaderState::new(article, doc);
        self.unsaved = keep_unsaved;
        if let Some(mine) = unsaved {
            let merged = merge(&self.doc, &mine);
            if merged != *self.doc {
                self.doc = Rc::new(merged);
                self.place_all();
            }
            self.changed(fx);
        }
    }

    /// The article's text as one string.
    pub fn text_str(&self) -> &str {
        self.text.as_str()
    }

    /// Anchor every highlight anew: one normalised text and index for all of them.
    pub(crate) fn place_all(&mut self) {
        self.placements = Rc::new(crate::paint::place_all(
            self.text.as_str(),
            &self.doc.annotations,
        ));
    }

    pub fn annotation(&self, id: &str) -> Option<&Annotation> {
        self.doc.annotations.iter().find(|a| a.id == id)
    }

    /// The article-level note, if any.
    pub fn article_note(&self) -> Option<&Annotation> {
        self.doc.annotations.iter().find(|a| a.target.is_none())
    }

    /// Highlights (annotations with a target) in document order: placed ones by position, then
    /// orphans by creation time.
    pub fn highlights_in_order(&self) -> Vec<&Annotation> {
        let mut list: Vec<&Annotation> = self
            .doc
            .annotations
            .iter()
            .filter(|a| a.target.is_some())
            .collect();
        // One placement lookup per annotation, not per comparison.
        list.sort_by_cached_key(|a| {
            let r = self.placements.get(&a.id).and_then(Placement::range);
            (
                r.is_none(),
                r.map_or((0, 0), |r| (r.start.0, r.end.0)),
                a.created.as_str(),
            )
        });
        list
    }

    /// Every placed highlight with what painting needs, oldest first (newer ones paint on
    /// top); see [`crate::paint::PaintPlan`].
    pub fn placed(&self) -> Vec<crate::paint::Placed<'_>> {
        crate::paint::placed(&self.doc.annotations, &self.placements)
    }

    /// What to paint over the article, with the keyboard cursor on highlight `cursor`.
    pub fn paint_plan(&self, cursor: Option<&str>) -> crate::paint::PaintPlan {
        crate::paint::PaintPlan::new(&self.text, &self.placed(), cursor)
    }

    /// Where highlight `id` starts on screen: the first span it covers.
    pub fn first_span(&self, id: &str) -> Option<crate::paint::Span> {
        let one: Vec<_> = self.placed().into_iter().filter(|p| p.id == id).collect();
        crate::paint::spans(&self.text, &one).into_iter().next()
    }

    /// The newest highlight covering the character at `at` (bytes of the text): what a click
    /// there opens.
    pub fn highlight_at(&self, at: ByteOffset) -> Option<String> {
        let placed = self.placed();
        crate::paint::topmost_at(&placed, at).map(|i| placed[i].id.to_owned())
    }

    /// Other placed highlights sharing text with `id`, oldest first.
    pub fn overlapping(&self, id: &str) -> Vec<String> {
        let placed = self.placed();
        let Some(me) = placed.iter().find(|p| p.id == id) else {
            return Vec::new();
        };
        placed
            .iter()
            .filter(|p| p.id != id && p.range.start < me.range.end && me.range.start < p.range.end)
            .map(|p| p.id.to_owned())
            .collect()
    }

    /// Every placed highlight as `(id, byte range)`, oldest first (so newer ones paint on top).
    pub fn placed_ranges(&self) -> Vec<(String, Range<ByteOffset>)> {
        self.doc
            .annotations
            .iter()
            .filter_map(|a| Some((a.id.clone(), self.placements.get(&a.id)?.range()?)))
            .collect()
    }

    /// Whether edits may change the annotations (false: read-only, and the edit is ignored).
    fn editable(&self) -> bool {
        self.writable
    }

    /// The annotations changed: bump the revision and ask for them to be written.
    fn changed(&mut self, fx: &mut Effects) {
        if !self.writable {
            return;
        }
        self.revision += 1;
        let hash = self.text_hash();
        fx.push(Effect::SaveAnnotations {
            article_id: self.article.id.clone(),
            doc: Rc::clone(&self.doc),
            text: Rc::clone(&self.text),
            text_hash: hash.into(),
        });
    }

    /// Record `before` values of `ids` (call before changing them).
    fn snapshot(&self, ids: &[&str], kind: ChangeKind) -> Change {
        Change {
            kind,
            before: ids
                .iter()
                .map(|id| (id.to_string(), self.annotation(id).cloned()))
                .collect(),
        }
    }

    fn record(&mut self, change: Change, fx: &mut Effects) {
        // Consecutive note edits of one annotation are one undo step (typing is debounced into
        // many saves).
        let coalesce = matches!(
            (self.undo.last(), change.kind),
            (Some(last), ChangeKind::Note) if last.kind == ChangeKind::Note
                && last.before.iter().map(|b| &b.0).eq(change.before.iter().map(|b| &b.0))
        );
        if !coalesce {
            self.undo.push(change);
            if self.undo.len() > UNDO_LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.changed(fx);
    }

    fn upsert(&mut self, a: Annotation) {
        let doc = Rc::make_mut(&mut self.doc);
        doc.tombstones.retain(|t| t.id != a.id);
        match doc.annotations.iter_mut().find(|x| x.id == a.id) {
            Some(slot) => *slot = a,
            None => doc.annotations.push(a),
        }
    }

    fn delete(&mut self, id: &str, now: &str) {
        let doc = Rc::make_mut(&mut self.doc);
        doc.annotations.retain(|a| a.id != id);
        doc.tombstones.retain(|t| t.id != id);
        doc.tombstones.push(Tombstone {
            id: id.to_owned(),
            deleted: now.to_owned(),
        });
        Rc::make_mut(&mut self.placements).remove(id);
    }

    /// Edit annotation `id` with `f`, recording an undo step of `kind`.
    fn edit(
        &mut self,
        id: &str,
        kind: ChangeKind,
        now: &str,
        fx: &mut Effects,
        f: impl FnOnce(&mut Annotation),
    ) {
        let Some(mut a) = self.annotation(id).cloned() else {
            return;
        };
        let change = self.snapshot(&[id], kind);
        f(&mut a);
        a.modified = now.to_owned();
        self.upsert(a);
        self.record(change, fx);
    }

    /// The hash of the article's text (computed once per open article).
    fn text_hash(&self) -> &str {
        self.text_hash
            .get_or_init(|| crate::annotation::text_hash(self.text.as_str()))
    }

    fn describe_at(&self, range: Range<ByteOffset>) -> Option<Target> {
        let text = self.text.as_str();
        let quote = text.get(range.start.0..range.end.0)?;
        if quote.trim().is_empty() {
            return None;
        }
        // One selection: no offset index for the whole text, and the hash only once per
        // article (1 MB of text costs milliseconds for each).
        Describer::one_off(text, self.text_hash().to_owned())
            .describe(range)
            .ok()
    }

    /// Apply one undo/redo step: put every recorded `before` back (with a fresh `modified`) and
    /// return the inverse step. One pass over the document, however many annotations the step
    /// touches (an import of thousands is one step).
    fn apply_change(&mut self, change: Change, now: &str, fx: &mut Effects) -> Change {
        let touched: HashSet<&str> = change.before.iter().map(|(id, _)| id.as_str()).collect();
        let inverse = Change {
            kind: change.kind,
            before: {
                let current: HashMap<&str, &Annotation> = self
                    .doc
                    .annotations
                    .iter()
                    .filter(|a| touched.contains(a.id.as_str()))
                    .map(|a| (a.id.as_str(), a))
                    .collect();
                change
                    .before
                    .iter()
                    .map(|(id, _)| (id.clone(), current.get(id.as_str()).map(|a| (*a).clone())))
                    .collect()
            },
        };
        // Each touched annotation goes back where it is in the list (its place is its paint
        // order), or to the end if it is not there; `None` deletes it.
        let mut back: HashMap<String, Option<Annotation>> = change
            .before
            .into_iter()
            .map(|(id, before)| {
                let before = before.map(|mut a| {
                    a.modified = now.to_owned();
                    a
                });
                (id, before)
            })
            .collect();
        let doc = Rc::make_mut(&mut self.doc);
        doc.tombstones.retain(|t| !back.contains_key(&t.id));
        let mut kept = Vec::with_capacity(doc.annotations.len());
        for a in std::mem::take(&mut doc.annotations) {
            match back.remove(&a.id) {
                None => kept.push(a),
                Some(Some(b)) => kept.push(b),
                Some(None) => doc.tombstones.push(Tombstone {
                    id: a.id,
                    deleted: now.to_owned(),
                }),
            }
        }
        // Not in the list: restored ones are added, deleted ones leave a tombstone all the same.
        let mut rest: Vec<(String, Option<Annotation>)> = back.into_iter().collect();
        rest.sort_by(|x, y| x.0.cmp(&y.0));
        for (id, b) in rest {
            match b {
                Some(b) => kept.push(b),
                None => doc.tombstones.push(Tombstone {
                    id,
                    deleted: now.to_owned(),
                }),
            }
        }
        doc.annotations = kept;
        self.place_all();
        self.changed(fx);
        inverse
    }

    // --- Commands -------------------------------------------------------------------------

    pub(crate) fn add_highlight(
        &mut self,
        id: String,
        range: Range<ByteOffset>,
        color: Color,
        now: String,
        fx: &mut Effects,
    ) {
        if !self.editable() {
            return;
        }
        let Some(target) = self.describe_at(range.clone()) else {
            return;
        };
        let change = self.snapshot(&[&id], ChangeKind::Create);
        self.upsert(Annotation {
            id: id.clone(),
            article_id: self.article.id.clone(),
            target: Some(target),
            color,
            note: String::new(),
            tags: Vec::new(),
            created: now.clone(),
            modified: now,
        });
        Rc::make_mut(&mut self.placements).insert(id, Placement::Exact { range });
        self.last_color = color;
        self.record(change, fx);
    }

    pub(crate) fn recolor(&mut self, id: &str, color: Color, now: &str, fx: &mut Effects) {
        if !self.editable() {
            return;
        }
        self.edit(id, ChangeKind::Recolor, now, fx, |a| a.color = color);
        self.last_color = color;
    }

    pub(crate) fn edit_note(&mut self, id: &str, note: String, now: &str, fx: &mut Effects) {
        if !self.editable() || self.annotation(id).is_none_or(|a| a.note == note) {
            return;
        }
        self.edit(id, ChangeKind::Note, now, fx, |a| a.note = note);
    }

    pub(crate) fn set_tags(&mut self, id: &str, tags: Vec<String>, now: &str, fx: &mut Effects) {
        if !self.editable() || self.annotation(id).is_none_or(|a| a.tags == tags) {
            return;
        }
        self.edit(id, ChangeKind::Tags, now, fx, |a| a.tags = tags);
    }

    pub(crate) fn remove(&mut self, id: String, now: &str, fx: &mut Effects) {
        if !self.editable() || self.annotation(&id).is_none() {
            return;
        }
        let change = self.snapshot(&[&id], ChangeKind::Delete);
        self.delete(&id, now);
        self.record(change, fx);
        self.just_deleted = Some(id);
    }

    pub(crate) fn set_article_note(
        &mut self,
        new_id: String,
        note: String,
        now: String,
        fx: &mut Effects,
    ) {
        if !self.editable() {
            return;
        }
        match self.article_note().cloned() {
            Some(existing) => {
                if existing.note != note {
                    self.edit(&existing.id, ChangeKind::Note, &now, fx, |a| a.note = note);
                }
            }
            None if note.trim().is_empty() => {}
            None => {
                let change = self.snapshot(&[&new_id], ChangeKind::Note);
                self.upsert(Annotation {
                    id: new_id,
                    article_id: self.article.id.clone(),
                    target: None,
                    color: Color::default(),
                    note,
                    tags: Vec::new(),
                    created: now.clone(),
                    modified: now,
                });
                self.record(change, fx);
            }
        }
    }

    pub(crate) fn confirm_placement(&mut self, id: String, now: &str, fx: &mut Effects) {
        if !self.editable() {
            return;
        }
        let range = self.placements.get(&id).and_then(Placement::range);
        if let Some(target) = range.clone().and_then(|r| self.describe_at(r)) {
            self.edit(&id, ChangeKind::Reanchor, now, fx, |a| {
                a.target = Some(target)
            });
            if let Some(range) = range {
                Rc::make_mut(&mut self.placements).insert(id, Placement::Exact { range });
            }
        }
    }

    pub(crate) fn reattach(
        &mut self,
        id: String,
        range: Range<ByteOffset>,
        now: &str,
        fx: &mut Effects,
    ) {
        if !self.editable() {
            return;
        }
        if let Some(target) = self.describe_at(range.clone()) {
            self.edit(&id, ChangeKind::Reanchor, now, fx, |a| {
                a.target = Some(target)
            });
            Rc::make_mut(&mut self.placements).insert(id, Placement::Exact { range });
        }
    }

    /// Annotations from a file, already attached to this article: added as one undo step (only
    /// this article's, and only ids not present). One pass over both lists, whatever their
    /// sizes (100,000 rows is one import).
    pub(crate) fn import(&mut self, list: Vec<Annotation>, fx: &mut Effects) {
        if !self.editable() {
            return;
        }
        let mut taken: HashSet<String> =
            self.doc.annotations.iter().map(|a| a.id.clone()).collect();
        let list: Vec<Annotation> = list
            .into_iter()
            .filter(|a| a.article_id == self.article.id && taken.insert(a.id.clone()))
            .collect();
        if list.is_empty() {
            return;
        }
        let change = Change {
            kind: ChangeKind::Create,
            before: list.iter().map(|a| (a.id.clone(), None)).collect(),
        };
        let new: HashSet<&str> = list.iter().map(|a| a.id.as_str()).collect();
        let doc = Rc::make_mut(&mut self.doc);
        doc.tombstones.retain(|t| !new.contains(t.id.as_str()));
        doc.annotations.extend(list);
        self.place_all();
        self.record(change, fx);
    }

    pub(crate) fn undo(&mut self, now: &str, fx: &mut Effects) {
        if !self.editable() {
            return;
        }
        if let Some(change) = self.undo.pop() {
            let inverse = self.apply_change(change, now, fx);
            self.redo.push(inverse);
            self.just_deleted = None;
        }
    }

    pub(crate) fn redo(&mut self, now: &str, fx: &mut Effects) {
        if !self.editable() {
            return;
        }
        if let Some(change) = self.redo.pop() {
            let inverse = self.apply_change(change, now, fx);
            self.undo.push(inverse);
        }
    }

    // --- Events ---------------------------------------------------------------------------

    /// Another tab wrote this article's annotations: merge them in; if theirs lacks something
    /// of ours, write the merge back so both converge.
    pub(crate) fn changed_elsewhere(&mut self, remote: AnnotationsDoc, fx: &mut Effects) {
        let merged = merge(&self.doc, &remote);
        if merged != *self.doc {
            self.doc = Rc::new(merged);
            self.place_all();
        }
        if *self.doc != merge(&remote, &AnnotationsDoc::default()) {
            self.changed(fx);
        }
    }

    /// A write of `article_id`'s annotations (`doc`) failed: keep them, to merge back in when
    /// the article is opened again, until a write succeeds.
    pub(crate) fn save_failed(&mut self, article_id: String, doc: Rc<AnnotationsDoc>) {
        self.unsaved.insert(article_id, doc);
    }

    /// A write of `article_id`'s annotations succeeded.
    pub(crate) fn saved(&mut self, article_id: &str) {
        self.unsaved.remove(article_id);
    }

    /// The stored annotations may no longer be written (a newer Lectern wrote them).
    pub(crate) fn make_read_only(&mut self) {
        self.writable = false;
    }

    // --- issue 18 ---
    /// Newer versions of some of this article's annotations, changed by the notebook (a bulk
    /// change or its undo, whose undo is the notebook's): merged in and written. Their targets
    /// are unchanged, so nothing is anchored again.
    pub(crate) fn merge_changed(&mut self, changed: Vec<Annotation>, fx: &mut Effects) {
        if !self.editable() {
            return;
        }
        let theirs = AnnotationsDoc {
            annotations: changed,
            tombstones: Vec::new(),
        };
        let merged = merge(&self.doc, &theirs);
        if merged != *self.doc {
            self.doc = Rc::new(merged);
            self.changed(fx);
        }
    }
}
