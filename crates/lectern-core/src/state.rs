//! The app's state and its one reducer. `reduce` does no I/O: ids and clocks arrive inside the
//! actions, the app persists what changed in effects and reports failures back as events.
//!
//! Actions are commands (imperative: `AddHighlight`) or events (past tense: `SaveFailed`,
//! `AnnotationsChangedElsewhere`).
//!
//! Undo works on annotations as *changes*, not snapshots: each undo entry records, per
//! annotation id, what it was before. Undoing writes that back with a fresh `modified` time (a
//! restored annotation is newer than its tombstone), so an undo in one tab merges correctly into
//! another tab's copy.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use crate::anchor::{Describer, Placement};
use crate::annotation::{Annotation, Color};
use crate::annotations_doc::{merge, AnnotationsDoc, Tombstone};
use crate::article::Article;
use crate::library::{ArticleMeta, LibraryDoc};
use crate::settings::Settings;
use crate::storage::{Loaded, Problem, StoreError};
use crate::text::ByteOffset;

/// Something the user should be told about until they dismiss it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u32,
    /// What the problem concerns: `settings` or `annotations`.
    pub subject: Subject,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Settings,
    Annotations,
    Library,
    /// An imported article's stored content.
    Article,
}

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Reader,
    Library,
}

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

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub article: Rc<Article>,
    /// `article.text()`, the coordinate system of every placement.
    pub text: Rc<str>,
    /// `text`'s hash (what new targets carry), computed on first use, shared by every state
    /// of the same open article.
    text_hash: Rc<std::cell::OnceCell<String>>,
    pub settings: Settings,
    /// False when the stored settings must not be overwritten.
    pub settings_writable: bool,
    pub notices: Vec<Notice>,
    next_notice: u32,
    /// The open article's annotations (highlights and, without a target, the article note).
    pub doc: Rc<AnnotationsDoc>,
    /// Where each highlight sits in `text`, by annotation id.
    pub placements: Rc<HashMap<String, Placement>>,
    /// False when the stored annotations must not be overwritten (newer schema, unreadable and
    /// not backed up): the reader is read-only.
    pub annotations_writable: bool,
    /// Bumped on every change that should be written to storage.
    pub revision: u64,
    pub undo: Vec<Change>,
    pub redo: Vec<Change>,
    pub last_color: Color,
    /// The annotation deleted last, for the "Undo" toast.
    pub just_deleted: Option<String>,
    pub view: View,
    pub library: LibraryDoc,
    /// False when the stored library list must not be overwritten.
    pub library_writable: bool,
    /// Bumped on every change of the library list that should be written.
    pub library_revision: u64,
    /// The article removed from the library last, with its place, for "Undo".
    pub just_removed_article: Option<(usize, ArticleMeta)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Replace the reader settings (numbers are clamped into bounds).
    SetSettings(Settings),
    ResetSettings,
    DismissNotice(u32),
    /// A write to storage failed.
    SaveFailed {
        subject: Subject,
        key: String,
        error: StoreError,
    },
    /// Highlight `range` (bytes of `text`). Empty or whitespace-only ranges do nothing.
    AddHighlight {
        id: String,
        range: Range<ByteOffset>,
        color: Color,
        now: String,
    },
    Recolor {
        id: String,
        color: Color,
        now: String,
    },
    EditNote {
        id: String,
        note: String,
        now: String,
    },
    SetTags {
        id: String,
        tags: Vec<String>,
        now: String,
    },
    Remove {
        id: String,
        now: String,
    },
    /// Write the article-level note (creating it with `new_id` if there is none).
    SetArticleNote {
        new_id: String,
        note: String,
        now: String,
    },
    /// "It's right": the fuzzy placement is accepted; the annotation is described anew there.
    ConfirmPlacement {
        id: String,
        now: String,
    },
    /// Put an annotation (an orphan, usually) on a new range.
    Reattach {
        id: String,
        range: Range<ByteOffset>,
        now: String,
    },
    Undo {
        now: String,
    },
    Redo {
        now: String,
    },
    DismissDeleted,
    /// Another tab wrote this article's annotations.
    AnnotationsChangedElsewhere(AnnotationsDoc),
    /// Annotations imported from a file, already attached to this article: add them (one undo
    /// step).
    ImportAnnotations(Vec<Annotation>),
    /// Show the library list.
    ShowLibrary,
    /// An article (loaded by the app, with what storage held for its annotations) is opened.
    ArticleOpened {
        article: Box<Article>,
        annotations: Loaded<AnnotationsDoc>,
    },
    /// An imported article's content is stored; list it.
    AddToLibrary(ArticleMeta),
    RenameArticle {
        id: String,
        title: String,
    },
    /// Take an article off the list (its stored data stays until the app prunes it).
    RemoveArticle {
        id: String,
    },
    UndoRemoveArticle,
    DismissRemovedArticle,
    /// Another tab changed the library list.
    LibraryChangedElsewhere(LibraryDoc),
    /// Report a problem found while loading something (an article's content, the library).
    Problem {
        subject: Subject,
        problem: Problem,
    },
}

/// How many changes undo remembers.
const UNDO_LIMIT: usize = 200;

impl State {
    /// The state at start-up: the article and what storage held for settings and annotations.
    /// The library is the article alone until [`State::with_library`] sets it.
    pub fn new(article: Article, settings: Loaded<Settings>, doc: Loaded<AnnotationsDoc>) -> State {
        let text: Rc<str> = article.text().into();
        let mut state = State {
            article: Rc::new(article),
            text,
            text_hash: Rc::default(),
            settings: settings.value,
            settings_writable: settings.writable,
            notices: Vec::new(),
            next_notice: 1,
            doc: Rc::new(doc.value),
            placements: Rc::new(HashMap::new()),
            annotations_writable: doc.writable,
            revision: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            last_color: Color::default(),
            just_deleted: None,
            view: View::Reader,
            library: LibraryDoc {
                articles: Vec::new(),
            },
            library_writable: true,
            library_revision: 0,
            just_removed_article: None,
        };
        if let Some(p) = settings.problem {
            state.push_notice(Subject::Settings, p);
        }
        if let Some(p) = doc.problem {
            state.push_notice(Subject::Annotations, p);
        }
        state.place_all();
        state
    }

    /// Set the library as loaded from storage, reporting its problem if any.
    pub fn with_library(mut self, library: Loaded<LibraryDoc>, view: View) -> State {
        self.library = library.value;
        self.library_writable = library.writable;
        self.view = view;
        if let Some(p) = library.problem {
            self.push_notice(Subject::Library, p);
        }
        self
    }

    fn open_article(&mut self, article: Article, annotations: Loaded<AnnotationsDoc>) {
        self.text = article.text().into();
        self.text_hash = Rc::default();
        self.article = Rc::new(article);
        self.doc = Rc::new(annotations.value);
        self.annotations_writable = annotations.writable;
        self.notices.retain(|n| n.subject != Subject::Annotations);
        if let Some(p) = annotations.problem {
            self.push_notice(Subject::Annotations, p);
        }
        self.undo.clear();
        self.redo.clear();
        self.just_deleted = None;
        self.view = View::Reader;
        self.place_all();
    }

    fn push_notice(&mut self, subject: Subject, problem: Problem) {
        // One notice per subject and kind of problem: a failing write on every keystroke must
        // not pile up messages.
        // No storage at all is one problem, whatever it was meant for.
        let any_subject = matches!(problem, Problem::Unavailable { .. });
        let same = |n: &Notice| {
            (n.subject == subject || any_subject)
                && std::mem::discriminant(&n.problem) == std::mem::discriminant(&problem)
        };
        if let Some(existing) = self.notices.iter_mut().find(|n| same(n)) {
            existing.problem = problem;
            return;
        }
        self.notices.push(Notice {
            id: self.next_notice,
            subject,
            problem,
        });
        self.next_notice += 1;
    }

    /// Anchor every highlight anew: one normalised text and index for all of them.
    fn place_all(&mut self) {
        self.placements = Rc::new(crate::paint::place_all(&self.text, &self.doc.annotations));
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
    /// top); see [`crate::paint::spans`].
    pub fn placed(&self) -> Vec<crate::paint::Placed<'_>> {
        crate::paint::placed(&self.doc.annotations, &self.placements)
    }

    /// Where highlight `id` starts on screen: the first span it covers.
    pub fn first_span(&self, id: &str) -> Option<crate::paint::Span> {
        let one: Vec<_> = self.placed().into_iter().filter(|p| p.id == id).collect();
        crate::paint::spans(&self.article, &one).into_iter().next()
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

    fn record(&mut self, change: Change) {
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
        self.revision += 1;
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
    fn edit(&mut self, id: &str, kind: ChangeKind, now: &str, f: impl FnOnce(&mut Annotation)) {
        let Some(mut a) = self.annotation(id).cloned() else {
            return;
        };
        let change = self.snapshot(&[id], kind);
        f(&mut a);
        a.modified = now.to_owned();
        self.upsert(a);
        self.record(change);
    }

    fn describe_at(&self, range: Range<ByteOffset>) -> Option<crate::annotation::Target> {
        let quote = self.text.get(range.start.0..range.end.0)?;
        if quote.trim().is_empty() {
            return None;
        }
        // One selection: no offset index for the whole text, and the hash only once per
        // article (1 MB of text costs milliseconds for each).
        let hash = self
            .text_hash
            .get_or_init(|| crate::annotation::text_hash(&self.text));
        Describer::one_off(&self.text, hash.clone())
            .describe(range)
            .ok()
    }

    /// Apply one undo/redo step: put every recorded `before` back (with a fresh `modified`) and
    /// return the inverse step.
    fn apply_change(&mut self, change: Change, now: &str) -> Change {
        let ids: Vec<&str> = change.before.iter().map(|(id, _)| id.as_str()).collect();
        let inverse = self.snapshot(&ids, change.kind);
        for (id, before) in change.before {
            match before {
                Some(mut a) => {
                    a.modified = now.to_owned();
                    self.upsert(a);
                }
                None => self.delete(&id, now),
            }
        }
        self.place_all();
        self.revision += 1;
        inverse
    }
}

pub fn reduce(state: &State, action: Action) -> State {
    let mut next = state.clone();
    let read_only = !state.annotations_writable;
    match action {
        Action::SetSettings(s) => next.settings = s.clamped(),
        Action::ResetSettings => next.settings = Settings::default(),
        Action::DismissNotice(id) => next.notices.retain(|n| n.id != id),
        Action::SaveFailed {
            subject,
            key,
            error,
        } => next.push_notice(subject, Problem::WriteFailed { key, error }),
        Action::DismissDeleted => next.just_deleted = None,
        Action::ShowLibrary => next.view = View::Library,
        Action::ArticleOpened {
            article,
            annotations,
        } => next.open_article(*article, annotations),
        Action::Problem { subject, problem } => next.push_notice(subject, problem),
        Action::DismissRemovedArticle => next.just_removed_article = None,
        Action::LibraryChangedElsewhere(remote) => {
            if remote != next.library {
                next.library = remote;
            }
        }
        Action::AddToLibrary(_)
        | Action::RenameArticle { .. }
        | Action::RemoveArticle { .. }
        | Action::UndoRemoveArticle
            if !next.library_writable => {}
        Action::AddToLibrary(meta) => {
            if next.library.get(&meta.id).is_none() {
                next.library.articles.insert(0, meta);
                next.library_revision += 1;
            }
        }
        Action::RenameArticle { id, title } => {
            let title = title.trim().to_owned();
            if let Some(m) = next.library.articles.iter_mut().find(|m| m.id == id) {
                if !title.is_empty() && m.title != title {
                    m.title = title;
                    next.library_revision += 1;
                }
            }
        }
        Action::RemoveArticle { id } => {
            if let Some(i) = next.library.articles.iter().position(|m| m.id == id) {
                let meta = next.library.articles.remove(i);
                next.just_removed_article = Some((i, meta));
                next.library_revision += 1;
            }
        }
        Action::UndoRemoveArticle => {
            if let Some((i, meta)) = next.just_removed_article.take() {
                let at = i.min(next.library.articles.len());
                next.library.articles.insert(at, meta);
                next.library_revision += 1;
            }
        }
        _ if read_only => {}
        Action::AddHighlight {
            id,
            range,
            color,
            now,
        } => {
            let Some(target) = next.describe_at(range.clone()) else {
                return next;
            };
            let change = next.snapshot(&[&id], ChangeKind::Create);
            next.upsert(Annotation {
                id: id.clone(),
                article_id: next.article.id.clone(),
                target: Some(target),
                color,
                note: String::new(),
                tags: Vec::new(),
                created: now.clone(),
                modified: now,
            });
            Rc::make_mut(&mut next.placements).insert(id, Placement::Exact { range });
            next.last_color = color;
            next.record(change);
        }
        Action::Recolor { id, color, now } => {
            next.edit(&id, ChangeKind::Recolor, &now, |a| a.color = color);
            next.last_color = color;
        }
        Action::EditNote { id, note, now } => {
            if next.annotation(&id).is_some_and(|a| a.note != note) {
                next.edit(&id, ChangeKind::Note, &now, |a| a.note = note);
            }
        }
        Action::SetTags { id, tags, now } => {
            if next.annotation(&id).is_some_and(|a| a.tags != tags) {
                next.edit(&id, ChangeKind::Tags, &now, |a| a.tags = tags);
            }
        }
        Action::Remove { id, now } => {
            if next.annotation(&id).is_some() {
                let change = next.snapshot(&[&id], ChangeKind::Delete);
                next.delete(&id, &now);
                next.record(change);
                next.just_deleted = Some(id);
            }
        }
        Action::SetArticleNote { new_id, note, now } => match next.article_note().cloned() {
            Some(existing) => {
                if existing.note != note {
                    next.edit(&existing.id, ChangeKind::Note, &now, |a| a.note = note);
                }
            }
            None if note.trim().is_empty() => {}
            None => {
                let change = next.snapshot(&[&new_id], ChangeKind::Note);
                next.upsert(Annotation {
                    id: new_id,
                    article_id: next.article.id.clone(),
                    target: None,
                    color: Color::default(),
                    note,
                    tags: Vec::new(),
                    created: now.clone(),
                    modified: now,
                });
                next.record(change);
            }
        },
        Action::ConfirmPlacement { id, now } => {
            let range = next.placements.get(&id).and_then(Placement::range);
            if let Some(target) = range.clone().and_then(|r| next.describe_at(r)) {
                next.edit(&id, ChangeKind::Reanchor, &now, |a| a.target = Some(target));
                if let Some(range) = range {
                    Rc::make_mut(&mut next.placements).insert(id, Placement::Exact { range });
                }
            }
        }
        Action::Reattach { id, range, now } => {
            if let Some(target) = next.describe_at(range.clone()) {
                next.edit(&id, ChangeKind::Reanchor, &now, |a| a.target = Some(target));
                Rc::make_mut(&mut next.placements).insert(id, Placement::Exact { range });
            }
        }
        Action::ImportAnnotations(list) => {
            let list: Vec<Annotation> = list
                .into_iter()
                .filter(|a| a.article_id == next.article.id && next.annotation(&a.id).is_none())
                .collect();
            if !list.is_empty() {
                let ids: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
                let change = next.snapshot(&ids, ChangeKind::Create);
                for a in list {
                    next.upsert(a);
                }
                next.place_all();
                next.record(change);
            }
        }
        Action::Undo { now } => {
            if let Some(change) = next.undo.pop() {
                let inverse = next.apply_change(change, &now);
                next.redo.push(inverse);
                next.just_deleted = None;
            }
        }
        Action::Redo { now } => {
            if let Some(change) = next.redo.pop() {
                let inverse = next.apply_change(change, &now);
                next.undo.push(inverse);
            }
        }
        Action::AnnotationsChangedElsewhere(remote) => {
            let merged = merge(&next.doc, &remote);
            if merged != *next.doc {
                next.doc = Rc::new(merged);
                next.place_all();
            }
            // If the other tab's copy lacks something of ours, write the merge back so both
            // converge; otherwise storage already holds what we have.
            if *next.doc != merge(&remote, &AnnotationsDoc::default()) {
                next.revision += 1;
            }
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::plain::parse_plain;
    use crate::settings::Theme;

    fn loaded<T: Default>(v: T) -> Loaded<T> {
        Loaded {
            value: v,
            writable: true,
            problem: None,
        }
    }

    fn start() -> State {
        State::new(
            parse_plain(
                "a",
                "Заголовок\nПервый абзац про Киев.\nВторой абзац про Москву.",
            ),
            loaded(Settings::default()),
            loaded(AnnotationsDoc::default()),
        )
    }

    fn at(n: u32) -> String {
        format!("2026-01-01T00:00:{n:02}.000Z")
    }

    /// Byte range of `needle` in the state's text.
    fn range_of(s: &State, needle: &str) -> Range<ByteOffset> {
        let i = s.text.find(needle).unwrap();
        ByteOffset(i)..ByteOffset(i + needle.len())
    }

    fn add(s: &State, id: &str, needle: &str, color: Color, n: u32) -> State {
        reduce(
            s,
            Action::AddHighlight {
                id: id.into(),
                range: range_of(s, needle),
                color,
                now: at(n),
            },
        )
    }

    #[test]
    fn settings_are_set_clamped_and_reset() {
        let s = start();
        let s = reduce(
            &s,
            Action::SetSettings(Settings {
                theme: Theme::Dark,
                font_size_px: 99,
                ..Settings::default()
            }),
        );
        assert_eq!(
            (s.settings.theme, s.settings.font_size_px),
            (Theme::Dark, 28)
        );
        assert_eq!(
            reduce(&s, Action::ResetSettings).settings,
            Settings::default()
        );
    }

    #[test]
    fn load_problems_become_notices_that_can_be_dismissed() {
        let s = State::new(
            parse_plain("a", "T\nx"),
            Loaded {
                value: Settings::default(),
                writable: false,
                problem: Some(Problem::Unavailable { why: "x".into() }),
            },
            loaded(AnnotationsDoc::default()),
        );
        assert!(!s.settings_writable);
        assert_eq!(s.notices.len(), 1);
        let id = s.notices[0].id;
        assert!(reduce(&s, Action::DismissNotice(id)).notices.is_empty());
    }

    #[test]
    fn no_storage_is_one_notice() {
        fn gone<T: Default>() -> Loaded<T> {
            Loaded {
                value: T::default(),
                writable: false,
                problem: Some(Problem::Unavailable {
                    why: "SecurityError".into(),
                }),
            }
        }
        let s = State::new(parse_plain("a", "T\nx"), gone(), gone());
        assert_eq!(s.notices.len(), 1);
        assert!(!s.annotations_writable && !s.settings_writable);
    }

    #[test]
    fn repeated_save_failures_keep_one_notice_per_subject() {
        let mut s = start();
        for subject in [
            Subject::Annotations,
            Subject::Annotations,
            Subject::Settings,
        ] {
            s = reduce(
                &s,
                Action::SaveFailed {
                    subject,
                    key: "k".into(),
                    error: StoreError::QuotaExceeded {
                        key: "k".into(),
                        bytes: 1,
                    },
                },
            );
        }
        assert_eq!(s.notices.len(), 2);
    }

    #[test]
    fn a_highlight_is_described_placed_exactly_and_bumps_the_revision() {
        let s = add(&start(), "h1", "про Киев", Color::Green, 1);
        let a = s.annotation("h1").unwrap();
        let target = a.target.as_ref().unwrap();
        assert_eq!(target.quote.exact, "про Киев");
        assert_eq!(a.color, Color::Green);
        assert_eq!(s.last_color, Color::Green);
        assert_eq!(
            s.placements["h1"],
            Placement::Exact {
                range: range_of(&s, "про Киев")
            }
        );
        assert_eq!(s.revision, 1);
        assert_eq!(
            s.placed_ranges(),
            vec![("h1".to_string(), range_of(&s, "про Киев"))]
        );
    }

    #[test]
    fn whitespace_and_empty_selections_do_nothing() {
        let s = start();
        let space = s.text.find(' ').unwrap();
        for range in [
            ByteOffset(space)..ByteOffset(space + 1),
            ByteOffset(3)..ByteOffset(3),
        ] {
            let next = reduce(
                &s,
                Action::AddHighlight {
                    id: "x".into(),
                    range,
                    color: Color::Yellow,
                    now: at(1),
                },
            );
            assert!(next.doc.annotations.is_empty());
            assert_eq!(next.revision, 0);
        }
    }

    #[test]
    fn undo_and_redo_create_recolor_note_tags_delete() {
        let s0 = start();
        let s1 = add(&s0, "h1", "Первый абзац", Color::Yellow, 1);
        let s2 = reduce(
            &s1,
            Action::Recolor {
                id: "h1".into(),
                color: Color::Blue,
                now: at(2),
            },
        );
        let s3 = reduce(
            &s2,
            Action::EditNote {
                id: "h1".into(),
                note: "з".into(),
                now: at(3),
            },
        );
        let s3 = reduce(
            &s3,
            Action::EditNote {
                id: "h1".into(),
                note: "за".into(),
                now: at(4),
            },
        );
        let s4 = reduce(
            &s3,
            Action::SetTags {
                id: "h1".into(),
                tags: vec!["тег".into()],
                now: at(5),
            },
        );
        let s5 = reduce(
            &s4,
            Action::Remove {
                id: "h1".into(),
                now: at(6),
            },
        );
        assert!(s5.annotation("h1").is_none());
        assert_eq!(s5.just_deleted.as_deref(), Some("h1"));
        assert_eq!(s5.doc.tombstones.len(), 1);
        // Two note edits in a row are one undo step: 5 steps in all.
        assert_eq!(s5.undo.len(), 5);

        let u1 = reduce(&s5, Action::Undo { now: at(7) });
        let a = u1.annotation("h1").unwrap();
        assert_eq!(
            (a.color, a.note.as_str(), a.tags.len()),
            (Color::Blue, "за", 1)
        );
        assert!(
            a.modified.as_str() > "2026-01-01T00:00:06.000Z",
            "restored is newer than its tombstone"
        );
        assert!(u1.doc.tombstones.is_empty());
        assert!(u1.placements["h1"].is_exact());
        let u2 = reduce(&u1, Action::Undo { now: at(8) });
        assert!(u2.annotation("h1").unwrap().tags.is_empty());
        let u3 = reduce(&u2, Action::Undo { now: at(9) });
        assert_eq!(u3.annotation("h1").unwrap().note, "");
        let u4 = reduce(&u3, Action::Undo { now: at(10) });
        assert_eq!(u4.annotation("h1").unwrap().color, Color::Yellow);
        let u5 = reduce(&u4, Action::Undo { now: at(11) });
        assert!(u5.annotation("h1").is_none());
        assert!(u5.placements.is_empty());
        // Nothing more to undo; redo walks forward again.
        assert_eq!(reduce(&u5, Action::Undo { now: at(12) }).doc, u5.doc);
        let r1 = reduce(&u5, Action::Redo { now: at(13) });
        assert_eq!(r1.annotation("h1").unwrap().color, Color::Yellow);
        let r2 = reduce(&r1, Action::Redo { now: at(14) });
        assert_eq!(r2.annotation("h1").unwrap().color, Color::Blue);
        // A new action clears redo.
        let n = reduce(
            &r2,
            Action::Recolor {
                id: "h1".into(),
                color: Color::Pink,
                now: at(15),
            },
        );
        assert!(n.redo.is_empty());
        assert!(u1.revision > s5.revision);
    }

    #[test]
    fn the_article_note_is_created_once_and_edited() {
        let s = reduce(
            &start(),
            Action::SetArticleNote {
                new_id: "n1".into(),
                note: String::new(),
                now: at(1),
            },
        );
        assert!(s.article_note().is_none(), "an empty note creates nothing");
        let s = reduce(
            &s,
            Action::SetArticleNote {
                new_id: "n1".into(),
                note: "мысль".into(),
                now: at(2),
            },
        );
        let s = reduce(
            &s,
            Action::SetArticleNote {
                new_id: "n2".into(),
                note: "мысль 2".into(),
                now: at(3),
            },
        );
        let notes: Vec<_> = s
            .doc
            .annotations
            .iter()
            .filter(|a| a.target.is_none())
            .collect();
        assert_eq!(notes.len(), 1);
        assert_eq!(
            (notes[0].id.as_str(), notes[0].note.as_str()),
            ("n1", "мысль 2")
        );
        assert!(s.highlights_in_order().is_empty());
    }

    #[test]
    fn highlights_are_listed_in_document_order_with_orphans_last() {
        let s = add(&start(), "b", "Москву", Color::Yellow, 1);
        let mut s = add(&s, "a", "Киев", Color::Yellow, 2);
        let mut orphan = s.annotation("a").unwrap().clone();
        orphan.id = "o".into();
        orphan.created = at(0);
        orphan.target.as_mut().unwrap().quote.exact = "Совсем другой текст, которого нет".into();
        orphan.target.as_mut().unwrap().quote.prefix = "ничего".into();
        Rc::make_mut(&mut s.doc).annotations.push(orphan);
        s.place_all();
        assert!(s.placements["o"].is_orphan());
        let order: Vec<&str> = s
            .highlights_in_order()
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "o"]);
    }

    #[test]
    fn reattach_and_confirm_describe_anew() {
        let s = add(&start(), "h", "Киев", Color::Yellow, 1);
        let s = reduce(
            &s,
            Action::Reattach {
                id: "h".into(),
                range: range_of(&s, "Москву"),
                now: at(2),
            },
        );
        assert_eq!(
            s.annotation("h")
                .unwrap()
                .target
                .as_ref()
                .unwrap()
                .quote
                .exact,
            "Москву"
        );
        assert_eq!(s.placements["h"].range(), Some(range_of(&s, "Москву")));
        // Confirming an exact placement keeps it where it is.
        let c = reduce(
            &s,
            Action::ConfirmPlacement {
                id: "h".into(),
                now: at(3),
            },
        );
        assert_eq!(c.placements["h"].range(), Some(range_of(&s, "Москву")));
    }

    #[test]
    fn another_tabs_changes_merge_in_and_ours_are_written_back() {
        let ours = add(&start(), "mine", "Киев", Color::Yellow, 1);
        let theirs_state = add(&start(), "theirs", "Москву", Color::Pink, 2);
        let merged = reduce(
            &ours,
            Action::AnnotationsChangedElsewhere((*theirs_state.doc).clone()),
        );
        assert!(merged.annotation("mine").is_some() && merged.annotation("theirs").is_some());
        assert!(merged.placements["theirs"].is_exact());
        // Theirs lacked "mine": write the merge back.
        assert!(merged.revision > ours.revision);
        // When the other tab already has everything we have, nothing needs writing.
        let again = reduce(
            &merged,
            Action::AnnotationsChangedElsewhere((*merged.doc).clone()),
        );
        assert_eq!(again.revision, merged.revision);
        // A deletion elsewhere removes ours if ours is older.
        let mut gone = (*merged.doc).clone();
        gone.annotations.retain(|a| a.id != "mine");
        gone.tombstones.push(Tombstone {
            id: "mine".into(),
            deleted: at(9),
        });
        let after = reduce(&merged, Action::AnnotationsChangedElsewhere(gone));
        assert!(after.annotation("mine").is_none());
        assert!(!after.placements.contains_key("mine"));
    }

    #[test]
    fn the_library_adds_renames_removes_and_undoes_removal() {
        use crate::library::ArticleMeta;
        let s = start();
        let a = parse_plain("x1", "Новая статья\nТекст.");
        let s = reduce(&s, Action::AddToLibrary(ArticleMeta::of(&a, &at(1), None)));
        assert_eq!(s.library.articles[0].id, "x1");
        assert_eq!(s.library_revision, 1);
        let s = reduce(
            &s,
            Action::RenameArticle {
                id: "x1".into(),
                title: "  Другое имя ".into(),
            },
        );
        assert_eq!(s.library.articles[0].title, "Другое имя");
        let s = reduce(
            &s,
            Action::RenameArticle {
                id: "x1".into(),
                title: "   ".into(),
            },
        );
        assert_eq!(s.library.articles[0].title, "Другое имя");
        let s = reduce(&s, Action::RemoveArticle { id: "x1".into() });
        assert!(s.library.get("x1").is_none());
        let s = reduce(&s, Action::UndoRemoveArticle);
        assert_eq!(s.library.articles[0].id, "x1");
        assert_eq!(s.library_revision, 4);
    }

    #[test]
    fn opening_an_article_switches_text_annotations_and_history() {
        let s = add(&start(), "h", "Киев", Color::Yellow, 1);
        assert_eq!(s.undo.len(), 1);
        let other = parse_plain("b", "Другая\nСовсем другой текст.");
        let o = reduce(
            &s,
            Action::ArticleOpened {
                article: Box::new(other),
                annotations: loaded(AnnotationsDoc::default()),
            },
        );
        assert_eq!(&*o.text, "Совсем другой текст.");
        assert!(o.doc.annotations.is_empty() && o.placements.is_empty() && o.undo.is_empty());
        assert_eq!(o.view, View::Reader);
        assert_eq!(reduce(&o, Action::ShowLibrary).view, View::Library);
    }

    #[test]
    fn imported_annotations_are_added_placed_and_undoable() {
        let s = start();
        let donor = add(&start(), "imp", "Москву", Color::Pink, 1);
        let mut a = donor.annotation("imp").unwrap().clone();
        a.article_id = s.article.id.clone();
        let mut other = a.clone();
        other.id = "elsewhere".into();
        other.article_id = "another-article".into();
        let s2 = reduce(&s, Action::ImportAnnotations(vec![a.clone(), other]));
        assert!(s2.annotation("imp").is_some());
        assert!(s2.annotation("elsewhere").is_none(), "only this article's");
        assert!(s2.placements["imp"].is_exact());
        assert_eq!(s2.revision, s.revision + 1);
        // Importing the same again adds nothing; undo takes the import back.
        assert_eq!(
            reduce(&s2, Action::ImportAnnotations(vec![a])).revision,
            s2.revision
        );
        assert!(reduce(&s2, Action::Undo { now: at(5) })
            .annotation("imp")
            .is_none());
    }

    #[test]
    fn read_only_annotations_ignore_edits() {
        let s = State::new(
            parse_plain("a", "T\nКиев и Москва."),
            loaded(Settings::default()),
            Loaded {
                value: AnnotationsDoc::default(),
                writable: false,
                problem: Some(Problem::NewerVersion {
                    key: "k".into(),
                    found: 2,
                    supported: 1,
                }),
            },
        );
        let n = add(&s, "h", "Киев", Color::Yellow, 1);
        assert!(n.doc.annotations.is_empty());
        assert_eq!(n.revision, 0);
        assert_eq!(n.notices.len(), 1);
    }
}
