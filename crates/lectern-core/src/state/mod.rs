//! The app's state and its one reducer: `reduce(state, action) -> (State, Vec<Effect>)`.
//!
//! `reduce` does no I/O: ids and clocks arrive inside the actions, and what should happen
//! outside — writes, reads, downloads, navigation — comes back as [`Effect`]s for the platform's
//! runner, whose outcomes arrive as actions again (`SaveFailed`, `ArticleOpened`, …).
//!
//! Actions are commands (imperative: `AddHighlight`) or events (past tense: `SaveFailed`,
//! `AnnotationsChangedElsewhere`). The state is cut into slices that each own their data and
//! decide for themselves whether it may be written:
//! - [`settings`]: the reader settings;
//! - [`reader`]: the open article, its annotations, undo/redo;
//! - [`library`]: the list of articles, imports, what the library view shows;
//! - [`transfer`]: exports and data files brought back in;
//! - [`notices`]: messages until dismissed.
//!
//! [`reduce`] matches every action explicitly (no catch-all arm), so a new action cannot be
//! silently ignored.

pub mod library;
pub mod notices;
pub mod reader;
pub mod settings;
pub mod transfer;
// --- web import (issue 16) ---
pub mod web;
// --- issue 18 ---
pub mod listen;
pub mod notebook;
// --- sync (issue 17) ---
pub mod sync;

use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;

use crate::annotation::{Annotation, Color};
use crate::annotations_doc::AnnotationsDoc;
use crate::article::Article;
use crate::effect::{DataScope, Delivery, Effect, Effects, ExportFormat, FileRef};
use crate::export::backup::MergeReport;
use crate::import::ImportError;
use crate::library::{ArticleMeta, LibraryDoc};
use crate::route::Route;
use crate::settings::Settings;
use crate::startup::{decide, Opening, Startup};
use crate::storage::{Loaded, Problem, StoreError};
use crate::text::ByteOffset;

pub use crate::route::View;
pub use library::{
    ImportLine, ImportOutcome, LibraryDetails, LibraryState, Open, SortKey, StatusFilter,
    StorageUsage, TextMatches,
};
pub use notices::{Notice, Notices, Subject};
pub use reader::{Change, ChangeKind, ReaderState};
pub use settings::SettingsState;
pub use transfer::{DataProblem, DataStatus, TransferState};
pub use web::{Receive, WebState};

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub settings: SettingsState,
    pub reader: ReaderState,
    pub library: LibraryState,
    pub transfer: TransferState,
    pub notices: Notices,
    /// Which screen is showing.
    pub view: View,
    /// Another tab is restoring a backup: what it writes is read once it has finished, not
    /// merged piece by piece.
    pub restoring_elsewhere: bool,
    /// The article being opened (its content is read asynchronously), if any.
    pub opening: Option<String>,
    /// Where article contents live, once decided.
    pub content: ContentStore,
    /// Contents a restore cut short had written elsewhere, to delete at start.
    discard: Vec<String>,
    // --- web import (issue 16) ---
    /// The bookmarklet's page, shares, links to fetch, images shown.
    pub web: WebState,
    // --- issue 18 ---
    /// The notebook: every highlight and note of the library.
    pub notebook: notebook::NotebookState,
    /// Reading the open article aloud.
    pub listen: listen::ListenState,
    // --- sync (issue 17) ---
    pub sync: sync::SyncState,
}

/// Where article contents live ([`Effect::StartContent`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentStore {
    /// Being opened (and contents moved over).
    #[default]
    Starting,
    /// IndexedDB, with the recently opened few in `localStorage` too.
    Database,
    /// `localStorage` alone: the browser has no usable IndexedDB.
    LocalStorage,
}

impl ContentStore {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentStore::Starting => "starting",
            ContentStore::Database => "database",
            ContentStore::LocalStorage => "local-storage",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // Settings.
    /// Replace the reader settings (numbers are clamped into bounds).
    SetSettings(Settings),
    ResetSettings,

    // Notices and storage outcomes.
    DismissNotice(u32),
    /// A write of the settings or the library list failed.
    SaveFailed {
        subject: Subject,
        key: String,
        error: StoreError,
    },
    /// A write of `subject` succeeded after an earlier one failed.
    Saved {
        subject: Subject,
    },
    /// A write of article `article_id`'s annotations (`doc`) failed.
    AnnotationsNotSaved {
        article_id: String,
        key: String,
        doc: Rc<AnnotationsDoc>,
        error: StoreError,
    },
    /// A write of article `article_id`'s annotations succeeded after an earlier one failed.
    AnnotationsSaved {
        article_id: String,
    },
    /// Report a problem found while loading something.
    Problem {
        subject: Subject,
        problem: Problem,
    },

    // The open article's annotations.
    /// Highlight `range` (bytes of the text). Empty or whitespace-only ranges do nothing.
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
    /// Download the open article's annotations as stored JSON (offered while they cannot be
    /// saved).
    DownloadAnnotations,

    // What is shown.
    /// The URL now says `route` (start-up, `hashchange`, back/forward, a link).
    RouteChanged(Route),
    /// Article `article` was loaded for a route at `now`, with what storage held for its
    /// annotations and its reading record.
    ArticleOpened {
        article: Box<Article>,
        annotations: Loaded<AnnotationsDoc>,
        reading: crate::reading::Reading,
        now: String,
    },
    /// The reader is at `block`/`offset` of the open article, `progress` per cent in.
    ReadingAt {
        block: usize,
        offset: crate::text::Utf16Offset,
        progress: u8,
        now: String,
    },
    /// Mark article `id` finished (or not).
    SetFinished {
        id: String,
        finished: bool,
        now: String,
    },
    /// Archive article `id` (take it out of the main list without deleting it), or bring it
    /// back.
    SetArchived {
        id: String,
        archived: bool,
        now: String,
    },
    /// Where article content lives is ready: IndexedDB, or `localStorage` alone (`fallback`:
    /// why); `recovered` are entries to merge into the list (stored articles whose entry was
    /// lost, and entries completed with their excerpt).
    ContentReady {
        fallback: Option<String>,
        recovered: Vec<ArticleMeta>,
    },
    /// Article `id` could not be loaded.
    OpenFailed {
        id: String,
        problem: Problem,
    },

    // The library.
    RenameArticle {
        id: String,
        title: String,
        now: String,
    },
    /// Take an article off the list.
    RemoveArticle {
        id: String,
        now: String,
    },
    UndoRemoveArticle {
        now: String,
    },
    DismissRemovedArticle,
    /// The library list was written; this is what storage holds now.
    LibrarySaved(LibraryDoc),
    /// Counts read for the library view.
    LibraryDetails(Rc<LibraryDetails>),
    /// The text search's answer: the listed articles whose text has the words of `query`.
    LibraryMatches {
        query: String,
        ids: Vec<String>,
    },
    /// Show only the articles with this status.
    FilterLibrary(StatusFilter),
    /// Order the library this way.
    SortLibrary(SortKey),
    /// The reader searches the library for this.
    SearchLibrary(String),
    /// The undo window of removing article `id` is over.
    RemovalFinal {
        id: String,
    },
    /// The stored data of these removed articles was deleted.
    Purged(Vec<String>),
    /// What is stored, measured.
    StorageUsage(Rc<StorageUsage>),
    /// Another tab (or window) stored `value` under `key` (`None`: removed; a `None` key: the
    /// whole storage was cleared) — the `storage` event.
    StoredElsewhere {
        key: Option<String>,
        value: Option<String>,
    },

    // Importing articles.
    /// Import these files (chosen, dropped or pasted).
    ImportFiles(Vec<FileRef>),
    /// Import pasted text, called `name` in the report.
    ImportText {
        name: String,
        text: String,
    },
    /// The importer answered for file `name` of import `batch`.
    ArticleImported {
        batch: u32,
        name: String,
        article: Result<Article, ImportError>,
        now: String,
    },
    /// File `name` of `batch` could not be read, or the importer failed.
    ImportFailed {
        batch: u32,
        name: String,
        why: String,
    },
    /// An imported article was stored and listed; `library` is the list as now stored.
    ArticleAdded {
        batch: u32,
        meta: ArticleMeta,
        library: LibraryDoc,
    },
    /// An imported article could not be stored (nothing of it was kept).
    ArticleNotSaved {
        batch: u32,
        id: String,
        why: String,
    },
    DismissImportReport,

    // Exports and data files.
    Export {
        scope: DataScope,
        format: ExportFormat,
        delivery: Delivery,
        now: String,
    },
    /// Import a backup or annotations file chosen in the export menu of `scope`.
    ImportDataFile {
        scope: DataScope,
        file: FileRef,
    },
    /// A data file was read (`Err`: why it could not be); `id_seed` (random bytes) makes
    /// fresh annotation ids for what it brings.
    DataFileRead {
        scope: DataScope,
        name: String,
        text: Result<String, DataProblem>,
        id_seed: [u8; 16],
        now: String,
    },
    /// A backup was restored: what changed, and what storage now holds.
    BackupRestored {
        name: String,
        report: MergeReport,
        library: LibraryDoc,
        settings: Settings,
        annotations: BTreeMap<String, AnnotationsDoc>,
    },
    /// A data file changed nothing.
    DataImportFailed {
        name: String,
        why: DataProblem,
    },

    // --- web import (issue 16) ---
    /// The app was opened at `#/receive` (by the bookmarklet): with a window that opened it to
    /// hear from, or none.
    ReceiveStarted {
        opener: bool,
    },
    /// Nothing came from the bookmarklet's page in time.
    ReceiveTimedOut,
    /// The window that opened this tab sent a page: `origin` is the message's origin, the
    /// rest what it says (the platform checked that the sender is the opener).
    PageOffered {
        origin: String,
        url: String,
        title: String,
        html: Rc<str>,
        token: String,
    },
    /// The reader's answer about a page that came without this Lectern's token.
    ConfirmPage(bool),
    /// "Share → Lectern" opened the app with these (empty when not given).
    Shared {
        title: String,
        text: String,
        url: String,
        now: String,
    },
    /// Forget the link to fetch with this URL.
    RemoveToFetch {
        url: String,
    },
    /// Show (or stop showing) article `id`'s images.
    ShowImages {
        id: String,
        show: bool,
    },
    /// Delete the images kept for offline reading.
    ForgetImages,
    /// What the web import keeps, read at start-up.
    WebLoaded(Loaded<crate::web::store::WebDoc>),
    /// What the web import keeps, as stored after a change.
    WebSaved(crate::web::store::WebDoc),
    /// A change of it could not be stored.
    WebNotSaved(StoreError),
    // --- issue 18: the notebook, publishing, reading aloud ---
    /// The notebook ([`notebook::Msg`]).
    Notebook(notebook::Msg),
    /// Reading aloud ([`listen::Msg`]).
    Listen(listen::Msg),
    /// Download the open article as one self-contained web page ([`crate::publish`]), its
    /// surrounding words in `lang`.
    Publish {
        now: String,
        lang: crate::i18n::Lang,
    },
    // --- sync (issue 17): see `state::sync` ---
    /// Settings → Sync as stored, and whether secrets are remembered.
    SyncLoaded {
        config: Option<crate::sync::SyncConfig>,
        has_password: bool,
        has_passphrase: bool,
    },
    /// This tab is (or is no longer) the one that syncs.
    SyncLeader(bool),
    /// The reader saved Settings → Sync (`None` keeps a remembered secret).
    SyncSave {
        config: crate::sync::SyncConfig,
        password: Option<crate::sync::config::Secret>,
        passphrase: Option<crate::sync::config::Secret>,
    },
    /// The form's values cannot be used.
    SyncFormProblem(crate::sync::config::ConfigProblem),
    /// Settings → Sync could not be written.
    SyncSaveFailed(String),
    /// Sync on or off.
    SyncTurn(bool),
    /// Forget the server (local data stays).
    SyncForget,
    /// "Sync now".
    SyncNow,
    /// A sync timer fired (debounce or backoff).
    SyncKick {
        timer: u32,
    },
    /// A round ended; `pending` local changes wait (counted after a failure); `jitter` in
    /// `[0, 1)` spreads the retry.
    SyncRoundDone {
        run: u32,
        result: Result<crate::sync::RoundReport, crate::sync::SyncProblem>,
        pending: usize,
        jitter: f64,
        now: String,
    },
    /// The live feed answered: something changed (or not, and the sequence to wait from).
    SyncWatched {
        run: u32,
        result: Result<(bool, Option<String>), crate::sync::SyncProblem>,
        jitter: f64,
    },
    SyncPendingCounted(usize),
    /// The page became visible or hidden.
    SyncVisibility(bool),
    /// The browser went online or offline.
    SyncOnline(bool),
    /// "Test connection" with the form's values.
    SyncTest {
        config: crate::sync::SyncConfig,
        password: crate::sync::config::Secret,
        passphrase: crate::sync::config::Secret,
    },
    SyncTested(Result<crate::sync::RoundReport, crate::sync::SyncProblem>),
    /// "Create the database".
    SyncCreateDatabase {
        config: crate::sync::SyncConfig,
        password: crate::sync::config::Secret,
    },
    SyncDatabaseCreated(Result<(), crate::sync::SyncProblem>),
    /// "Sign in" (session cookie).
    SyncSignIn {
        config: crate::sync::SyncConfig,
        password: crate::sync::config::Secret,
    },
    SyncSignedIn(Result<(), crate::sync::SyncProblem>),
}

impl State {
    /// The state at start-up, from what storage held; each load problem becomes a notice.
    pub fn new(start: Startup) -> State {
        let mut notices = Notices::default();
        if let Some(p) = start.settings.problem.clone() {
            notices.push(Subject::Settings, p);
        }
        if let Some(p) = start.annotations.problem.clone() {
            notices.push(Subject::Annotations, p);
        }
        if let Some(p) = start.library.problem.clone() {
            notices.push(Subject::Library, p);
        }
        if let Some(p) = start.problem {
            notices.push(Subject::Article, p);
        }
        let mut reader = ReaderState::new(start.article, start.annotations);
        reader.reading = start.reading;
        // --- issue 18 ---
        let notebook = notebook::NotebookState::new(&start.library.value, &start.route, start.view);
        State {
            settings: SettingsState::new(&start.settings),
            reader,
            library: LibraryState::new(start.library),
            transfer: TransferState::default(),
            notices,
            view: start.view,
            restoring_elsewhere: false,
            opening: start.pending,
            content: ContentStore::Starting,
            discard: start.discard,
            web: WebState::default(),
            notebook,
            listen: listen::ListenState::default(),
            sync: sync::SyncState::default(),
        }
    }

    /// The open article.
    pub fn article(&self) -> &Rc<Article> {
        &self.reader.article
    }

    /// The effects to run once the app is up: what the view needs read, the space of articles
    /// removed before (past their undo window) freed, and a library list rebuilt from the
    /// stored articles written back.
    pub fn startup_effects(&self) -> Vec<Effect> {
        let mut fx = vec![
            Effect::StartContent {
                discard: self.discard.clone(),
            },
            Effect::PurgeRemoved,
        ];
        if let Some(id) = &self.opening {
            fx.push(Effect::OpenArticle { id: id.clone() });
        } else if self.view == View::Reader && !self.reader.reading.opened.is_empty() {
            fx.push(Effect::SaveReading {
                id: self.reader.article.id.clone(),
                reading: self.reader.reading.clone(),
            });
        }
        // --- sync (issue 17): SyncLoad reads Settings → Sync ---
        fx.push(Effect::SyncLoad);
        let rebuilt =
            self.notices.list.iter().any(|n| {
                n.subject == Subject::Library && matches!(n.problem, Problem::Rebuilt { .. })
            });
        if rebuilt && self.library.writable {
            fx.push(Effect::SaveLibrary(self.library.doc.clone()));
        }
        if self.view == View::Library {
            fx.push(Effect::LoadLibraryDetails);
            fx.push(Effect::LoadStorageUsage);
        }
        // --- web import (issue 16) ---
        fx.push(Effect::LoadWeb);
        // --- issue 18 ---
        fx.extend(self.notebook.startup_effects(&self.library.doc));
        fx
    }
}

/// The one reducer: the next state, and what should happen outside.
pub fn reduce(state: &State, action: Action) -> (State, Vec<Effect>) {
    let mut next = state.clone();
    let mut fx = Effects::default();
    // --- sync (issue 17): what another tab's write touched ---
    let elsewhere = match &action {
        Action::StoredElsewhere { key: Some(k), .. } => Some(k.clone()),
        _ => None,
    };
    // --- issue 18: what the notebook must follow, noted before the action is consumed ---
    let seen = notebook::seen(&action);
    apply(&mut next, action, &mut fx);
    // --- issue 15: the space used, read again once an import batch has settled ---
    if !state.library.import.done && next.library.import.done && next.view == View::Library {
        fx.push(Effect::LoadStorageUsage);
    }
    // --- issue 18: the notebook's index and reading aloud follow every change ---
    notebook::after(state, &mut next, seen, &mut fx);
    listen::after(state, &mut next, &mut fx);
    // --- sync (issue 17): local changes start a round ---
    sync_after(&mut next, elsewhere, &mut fx);
    (next, fx.0)
}

fn apply(s: &mut State, action: Action, fx: &mut Effects) {
    match action {
        Action::SetSettings(v) => s.settings.set(v, fx),
        Action::ResetSettings => s.settings.set(Settings::default(), fx),

        Action::DismissNotice(id) => s.notices.dismiss(id),
        Action::SaveFailed {
            subject,
            key,
            error,
        } => {
            if matches!(error, StoreError::Newer { .. }) {
                newer_elsewhere(s, subject, key, &error);
            } else {
                s.notices.push(subject, Problem::WriteFailed { key, error });
            }
        }
        Action::Saved { subject } => s.notices.clear_write_failures(subject),
        Action::AnnotationsNotSaved {
            article_id,
            key,
            doc,
            error,
        } => {
            if matches!(error, StoreError::Newer { .. }) {
                if article_id == s.reader.article.id {
                    newer_elsewhere(s, Subject::Annotations, key, &error);
                }
            } else {
                s.reader.save_failed(article_id, doc);
                s.notices
                    .push(Subject::Annotations, Problem::WriteFailed { key, error });
            }
        }
        Action::AnnotationsSaved { article_id } => {
            s.reader.saved(&article_id);
            if s.reader.unsaved.is_empty() {
                s.notices.clear_write_failures(Subject::Annotations);
            }
        }
        Action::Problem { subject, problem } => s.notices.push(subject, problem),

        Action::AddHighlight {
            id,
            range,
            color,
            now,
        } => s.reader.add_highlight(id, range, color, now, fx),
        Action::Recolor { id, color, now } => s.reader.recolor(&id, color, &now, fx),
        Action::EditNote { id, note, now } => {
            if note_fits(s, &note) {
                s.reader.edit_note(&id, note, &now, fx);
            }
        }
        Action::SetTags { id, tags, now } => s.reader.set_tags(&id, tags, &now, fx),
        Action::Remove { id, now } => s.reader.remove(id, &now, fx),
        Action::SetArticleNote { new_id, note, now } => {
            if note_fits(s, &note) {
                s.reader.set_article_note(new_id, note, now, fx);
            }
        }
        Action::ConfirmPlacement { id, now } => s.reader.confirm_placement(id, &now, fx),
        Action::Reattach { id, range, now } => s.reader.reattach(id, range, &now, fx),
        Action::Undo { now } => s.reader.undo(&now, fx),
        Action::Redo { now } => s.reader.redo(&now, fx),
        Action::DismissDeleted => s.reader.just_deleted = None,
        Action::AnnotationsChangedElsewhere(remote) => s.reader.changed_elsewhere(remote, fx),
        Action::ImportAnnotations(list) => s.reader.import(list, fx),
        Action::DownloadAnnotations => fx.push(Effect::Deliver {
            delivery: Delivery::Download,
            name: format!("lectern-{}-highlights.json", s.reader.article.id),
            mime: "application/json",
            content: crate::annotations_doc::to_portable(&s.reader.doc),
        }),

        Action::RouteChanged(route) => match decide(&route, &s.library.doc) {
            Opening::Library => {
                if s.view != View::Library {
                    s.view = View::Library;
                    fx.push(Effect::LoadLibraryDetails);
                    fx.push(Effect::LoadStorageUsage);
                }
            }
            // The open article is shown as it is in memory: nothing newer is in storage
            // (another tab's writes merge in as they happen), and what could not be saved stays.
            Opening::Article(id) if id == s.reader.article.id => s.view = View::Reader,
            Opening::Article(id) => {
                s.opening = Some(id.clone());
                fx.push(Effect::OpenArticle { id });
            }
            // --- web import (issue 16) ---
            Opening::Add => {
                s.view = View::Add;
                web::add_page_shown(s, route == Route::Receive, fx);
            }
            // --- issue 18 ---
            Opening::Notes => notebook::open(s, &route, fx),
        },
        Action::ArticleOpened {
            article,
            annotations,
            reading,
            now,
        } => {
            s.opening = None;
            s.notices.clear(Subject::Annotations);
            if let Some(p) = annotations.problem.clone() {
                s.notices.push(Subject::Annotations, p);
            }
            s.reader.open(*article, annotations, fx);
            s.reader.reading = reading.opened_at(&now);
            fx.push(Effect::SaveReading {
                id: s.reader.article.id.clone(),
                reading: s.reader.reading.clone(),
            });
            if !s.reader.unsaved.is_empty() {
                // What could not be saved is still not saved: keep saying so.
                s.notices.push(
                    Subject::Annotations,
                    Problem::WriteFailed {
                        key: crate::annotations_doc::annotations_key(&s.reader.article.id),
                        error: StoreError::Other("not saved yet".to_owned()),
                    },
                );
            }
            s.view = View::Reader;
        }
        Action::ReadingAt {
            block,
            offset,
            progress,
            now,
        } => {
            if s.opening.is_none() {
                let r = s.reader.reading.at(block, offset, progress, &now);
                if r.block != s.reader.reading.block
                    || r.offset != s.reader.reading.offset
                    || r.progress != s.reader.reading.progress
                    || r.finished != s.reader.reading.finished
                {
                    s.reader.reading = r;
                    fx.push(Effect::SaveReading {
                        id: s.reader.article.id.clone(),
                        reading: s.reader.reading.clone(),
                    });
                }
            }
        }
        Action::SetFinished { id, finished, now } => set_reading(s, &id, &now, fx, |r| {
            r.finished = finished;
            if !finished {
                r.progress = r.progress.min(99);
            }
        }),
        Action::SetArchived { id, archived, now } => {
            set_reading(s, &id, &now, fx, |r| r.archived = archived)
        }
        Action::ContentReady {
            fallback,
            recovered,
        } => {
            s.content = if fallback.is_some() {
                ContentStore::LocalStorage
            } else {
                ContentStore::Database
            };
            if let Some(why) = fallback {
                s.notices
                    .push(Subject::Article, Problem::ContentInLocalStorage { why });
            }
            if !recovered.is_empty() {
                let found = LibraryDoc {
                    articles: recovered,
                    removed: Vec::new(),
                };
                s.library
                    .saved(crate::library::merge(&s.library.doc, &found));
                if s.library.writable {
                    fx.push(Effect::SaveLibrary(s.library.doc.clone()));
                }
                if s.view == View::Library {
                    fx.push(Effect::LoadLibraryDetails);
                }
            }
        }
        Action::OpenFailed { id: _, problem } => {
            s.opening = None;
            s.notices.push(Subject::Article, problem);
            if s.view != View::Library {
                s.view = View::Library;
                fx.push(Effect::LoadLibraryDetails);
            }
        }

        Action::RenameArticle { id, title, now } => s.library.rename(&id, &title, &now, fx),
        Action::RemoveArticle { id, now } => s.library.remove(&id, &now, fx),
        Action::RemovalFinal { id } => {
            if s.library.just_removed.as_ref().is_some_and(|m| m.id == id) {
                s.library.just_removed = None;
            }
            fx.push(Effect::PurgeRemoved);
        }
        Action::Purged(ids) => {
            if !ids.is_empty() && s.view == View::Library {
                fx.push(Effect::LoadStorageUsage);
            }
        }
        Action::StorageUsage(u) => s.library.usage = Some(u),
        Action::UndoRemoveArticle { now } => s.library.undo_remove(&now, fx),
        Action::DismissRemovedArticle => s.library.just_removed = None,
        Action::LibrarySaved(stored) => s.library.saved(stored),
        Action::LibraryDetails(details) => s.library.details = details,
        Action::LibraryMatches { query, ids } => s.library.matched(query, ids),
        Action::FilterLibrary(f) => s.library.filter = f,
        Action::SortLibrary(k) => s.library.sort = k,
        Action::SearchLibrary(query) => s.library.set_query(query, fx),
        Action::StoredElsewhere { key, value } => stored_elsewhere(s, key, value, fx),

        Action::ImportFiles(files) => s.library.import_files(files, fx),
        Action::ImportText { name, text } => s.library.import_text(name, text, fx),
        Action::ArticleImported {
            batch,
            name,
            article,
            now,
        } => s.library.imported(batch, &name, article, &now, fx),
        Action::ImportFailed { batch, name, why } => s.library.import_failed(batch, &name, why, fx),
        Action::ArticleAdded {
            batch,
            meta,
            library,
        } => {
            // The space used is read again once the import batch has settled (`reduce`), not
            // after each of its files: reading it reads every stored text, and a batch of a
            // hundred files into a library of hundreds had that many reads of every text at once
            // (the page ran out of memory: docs/performance.md, "Library of thousands"). An
            // article added with no batch waiting (a late answer) reads it as before.
            let in_batch = !s.library.import.done;
            s.library.added(batch, meta, library, fx);
            if s.view == View::Library && !in_batch {
                fx.push(Effect::LoadStorageUsage);
            }
            web::added(s, batch, fx);
        }
        Action::ArticleNotSaved { batch, id, why } => s.library.not_saved(batch, &id, why, fx),
        Action::DismissImportReport => s.library.import.lines.clear(),

        Action::Export {
            scope,
            format,
            delivery,
            now,
        } => match scope {
            DataScope::Library => fx.push(Effect::ExportLibrary { format, delivery }),
            DataScope::Article => {
                let r = &s.reader;
                let meta = s.library.doc.get(&r.article.id);
                let file =
                    crate::export::article_file(&r.article, meta, &r.doc.annotations, format, &now);
                fx.push(Effect::Deliver {
                    delivery,
                    name: file.name,
                    mime: file.mime,
                    content: file.content,
                });
            }
        },
        Action::ImportDataFile { scope, file }
            if file.size > crate::export::MAX_IMPORT_BYTES as u64 =>
        {
            s.transfer.status = Some((
                scope,
                DataStatus::Failed {
                    name: file.name,
                    why: DataProblem::Invalid(crate::export::ImportProblem::too_large(file.size)),
                },
            ));
        }
        Action::ImportDataFile { scope, file } => {
            s.transfer.status = Some((
                scope,
                DataStatus::Working {
                    name: file.name.clone(),
                },
            ));
            fx.push(Effect::ReadDataFile { scope, file });
        }
        Action::DataFileRead {
            scope,
            name,
            text,
            id_seed,
            now,
        } => data_file_read(s, scope, name, text, id_seed, &now, fx),
        Action::BackupRestored {
            name,
            report,
            library,
            settings,
            annotations,
        } => {
            s.library.saved(library);
            // Stored already: shown, not written again.
            s.settings.value = settings;
            if let Some(doc) = annotations.get(&s.reader.article.id) {
                s.reader.changed_elsewhere(doc.clone(), fx);
            }
            if s.view == View::Library {
                fx.push(Effect::LoadLibraryDetails);
            }
            set_status(s, DataStatus::Restored { name, report });
        }
        Action::DataImportFailed { name, why } => set_status(s, DataStatus::Failed { name, why }),

        // --- web import (issue 16) ---
        Action::ReceiveStarted { opener } => web::receive_started(s, opener, fx),
        Action::ReceiveTimedOut => web::receive_timed_out(s),
        Action::PageOffered {
            origin,
            url,
            title,
            html,
            token,
        } => web::page_offered(s, &origin, &url, &title, html, &token, fx),
        Action::ConfirmPage(yes) => web::confirm_page(s, yes, fx),
        Action::Shared {
            title,
            text,
            url,
            now,
        } => web::shared(s, &title, &text, &url, &now, fx),
        Action::RemoveToFetch { url } => web::remove_to_fetch(s, url, fx),
        Action::ShowImages { id, show } => web::show_images(s, id, show, fx),
        Action::ForgetImages => fx.push(Effect::ForgetImages),
        Action::WebLoaded(l) => web::loaded(s, l, fx),
        Action::WebSaved(doc) => web::saved(s, doc),
        Action::WebNotSaved(e) => web::not_saved(s, e),
        // --- issue 18 ---
        Action::Notebook(msg) => notebook::apply(s, msg, fx),
        Action::Listen(msg) => listen::apply(s, msg, fx),
        Action::Publish { now, lang } => {
            let r = &s.reader;
            let meta = s.library.doc.get(&r.article.id);
            let html =
                crate::publish::publish_html(&r.article, meta, &r.doc.annotations, &now, lang);
            fx.push(Effect::Deliver {
                delivery: Delivery::Download,
                name: format!("{}.html", crate::export::file_stem(&r.article.title)),
                mime: "text/html",
                content: html,
            });
        }
        // --- sync (issue 17) ---
        Action::SyncLoaded {
            config,
            has_password,
            has_passphrase,
        } => s.sync.loaded(config, has_password, has_passphrase, fx),
        Action::SyncLeader(leader) => s.sync.leader(leader, fx),
        Action::SyncSave {
            config,
            password,
            passphrase,
        } => s.sync.save(config, password, passphrase, fx),
        Action::SyncFormProblem(p) => s.sync.form_problem = Some(p),
        Action::SyncSaveFailed(why) => s.notices.push(
            Subject::Settings,
            Problem::WriteFailed {
                key: crate::sync::config::CONFIG_KEY.to_owned(),
                error: StoreError::Other(why),
            },
        ),
        Action::SyncTurn(on) => s.sync.turn(on, fx),
        Action::SyncForget => s.sync.forget(fx),
        Action::SyncNow => s.sync.now(fx),
        Action::SyncKick { timer } => s.sync.kick(timer, fx),
        Action::SyncRoundDone {
            run,
            result,
            pending,
            jitter,
            now,
        } => {
            let written = s.sync.round_done(run, result, pending, jitter, &now, fx);
            sync_written(s, written, fx);
        }
        Action::SyncWatched {
            run,
            result,
            jitter,
        } => s.sync.watched(run, result, jitter, fx),
        Action::SyncPendingCounted(n) => s.sync.pending = n,
        Action::SyncVisibility(v) => s.sync.visibility(v, fx),
        Action::SyncOnline(on) => s.sync.online(on, fx),
        Action::SyncTest {
            config,
            password,
            passphrase,
        } => {
            s.sync.check = Some(sync::Check::Testing);
            fx.push(Effect::SyncTest {
                config,
                password,
                passphrase,
            });
        }
        Action::SyncTested(r) => s.sync.check = Some(sync::Check::Tested(r)),
        Action::SyncCreateDatabase { config, password } => {
            s.sync.check = Some(sync::Check::Creating);
            fx.push(Effect::SyncCreateDatabase { config, password });
        }
        Action::SyncDatabaseCreated(r) => {
            let ok = r.is_ok();
            s.sync.check = Some(sync::Check::Created(r));
            if ok {
                s.sync.now(fx);
            }
        }
        Action::SyncSignIn { config, password } => {
            s.sync.check = Some(sync::Check::SigningIn);
            fx.push(Effect::SyncSignIn { config, password });
        }
        Action::SyncSignedIn(r) => {
            let ok = r.is_ok();
            s.sync.check = Some(sync::Check::SignedIn(r));
            if ok {
                s.sync.now(fx);
            }
        }
    }
}

/// Whether `note` may be saved ([`crate::note_markup::check_note`]); if not, the reader is told
/// by how much (and the note saved before stays); once one fits, that message goes.
fn note_fits(s: &mut State, note: &str) -> bool {
    match crate::note_markup::check_note(note) {
        Ok(()) => {
            s.notices
                .list
                .retain(|n| !matches!(n.problem, Problem::NoteTooLong { .. }));
            true
        }
        Err(e) => {
            s.notices.push(
                Subject::Annotations,
                Problem::NoteTooLong {
                    bytes: e.bytes,
                    limit: e.limit,
                },
            );
            false
        }
    }
}

// --- sync (issue 17) ---

/// After every action: a local write (or another tab's) is a change for sync to send; a
/// change to Settings → Sync in another tab is read again.
fn sync_after(s: &mut State, elsewhere: Option<String>, fx: &mut Effects) {
    use crate::sync::DocId;
    if let Some(key) = elsewhere {
        if key.starts_with(crate::sync::config::CONFIG_KEY)
            || key == crate::sync::config::SECRET_KEY
        {
            fx.push(Effect::SyncLoad);
        } else if s.sync.is_echo(&key) {
            // What the last round wrote, read again here: not a change.
        } else if let Some(id) = key.strip_prefix(&crate::annotations_doc::annotations_key("")) {
            s.sync
                .changed_here(DocId::parse(&format!("annotations.{id}")), false, fx);
        } else if key == crate::library::LIBRARY_KEY || key == crate::storage::SETTINGS_KEY {
            s.sync.changed_here(None, false, fx);
        }
    }
    let mut touched: Vec<(Option<DocId>, bool)> = Vec::new();
    for e in &fx.0 {
        match e {
            Effect::SaveAnnotations { article_id, .. } => {
                touched.push((Some(DocId::Annotations(article_id.clone())), false));
            }
            Effect::SaveSettings(_)
            | Effect::SaveLibrary(_)
            | Effect::AddArticle { .. }
            | Effect::PurgeRemoved => touched.push((None, false)),
            Effect::RestoreBackup { .. } => touched.push((None, true)),
            _ => {}
        }
    }
    for (doc, all) in touched {
        s.sync.changed_here(doc, all, fx);
    }
}

/// A round wrote `written` here: what this tab shows of it is read again (the library list,
/// the settings, the open article's annotations), as if another tab had written it.
fn sync_written(s: &mut State, written: std::collections::BTreeSet<String>, fx: &mut Effects) {
    let open = crate::annotations_doc::annotations_key(&s.reader.article.id);
    let shown = [
        crate::library::LIBRARY_KEY.to_owned(),
        crate::storage::SETTINGS_KEY.to_owned(),
        open,
    ];
    let keys: Vec<String> = shown.into_iter().filter(|k| written.contains(k)).collect();
    let others = written
        .iter()
        .any(|k| k.starts_with(&crate::annotations_doc::annotations_key("")));
    if !keys.is_empty() {
        fx.push(Effect::ReloadStored { keys });
    }
    if others && s.view == View::Library {
        fx.push(Effect::LoadLibraryDetails);
    }
}

/// Another Lectern, newer than this one, wrote `key`: it becomes read-only here, with the
/// message, and is never overwritten.
fn newer_elsewhere(s: &mut State, subject: Subject, key: String, error: &StoreError) {
    let found = match error {
        StoreError::Newer { found, .. } => *found,
        _ => 0,
    };
    let supported = match subject {
        Subject::Settings => {
            s.settings.make_read_only();
            crate::storage::SETTINGS_VERSION
        }
        Subject::Library => {
            s.library.make_read_only();
            crate::library::LIBRARY_VERSION
        }
        Subject::Annotations => {
            s.reader.make_read_only();
            crate::annotations_doc::ANNOTATIONS_VERSION
        }
        Subject::Article => crate::library::ARTICLE_VERSION,
    };
    s.notices.push(
        subject,
        Problem::NewerVersion {
            key,
            found,
            supported,
        },
    );
}

/// Another tab stored something: merge in what concerns this tab, and stop writing any key a
/// newer Lectern has written (read-only, with the message).
fn stored_elsewhere(s: &mut State, key: Option<String>, value: Option<String>, fx: &mut Effects) {
    use crate::storage::{parse_stored, StoredElsewhere};
    let Some(key) = key else {
        return;
    };
    if key == crate::export::backup::RESTORE_JOURNAL_KEY {
        s.restoring_elsewhere = value.is_some();
        if value.is_none() {
            // Finished (or undone): read what is there now.
            fx.push(Effect::ReloadStored {
                keys: vec![
                    crate::library::LIBRARY_KEY.to_owned(),
                    crate::storage::SETTINGS_KEY.to_owned(),
                    crate::annotations_doc::annotations_key(&s.reader.article.id),
                ],
            });
        }
        return;
    }
    let Some(raw) = value else {
        return;
    };
    if s.restoring_elsewhere {
        return;
    }
    let open_key = crate::annotations_doc::annotations_key(&s.reader.article.id);
    if key == open_key {
        match crate::annotations_doc::parse_stored_doc(
            &raw,
            &s.reader.article.id,
            Some(s.reader.text.as_str()),
        ) {
            Ok(doc) => s.reader.changed_elsewhere(doc, fx),
            Err(StoredElsewhere::Newer { found }) => newer_elsewhere(
                s,
                Subject::Annotations,
                key.clone(),
                &StoreError::Newer { key, found },
            ),
            Err(StoredElsewhere::Bad(_)) => {}
        }
    } else if key == crate::library::LIBRARY_KEY {
        match parse_stored::<LibraryDoc, _>(
            &raw,
            crate::library::LIBRARY_VERSION,
            crate::library::migrate,
        ) {
            Ok(doc) => {
                s.library.changed_elsewhere(doc, fx);
                if s.view == View::Library {
                    fx.push(Effect::LoadLibraryDetails);
                }
            }
            Err(StoredElsewhere::Newer { found }) => newer_elsewhere(
                s,
                Subject::Library,
                key.clone(),
                &StoreError::Newer { key, found },
            ),
            Err(StoredElsewhere::Bad(_)) => {}
        }
    } else if key == crate::storage::SETTINGS_KEY {
        match parse_stored::<Settings, _>(
            &raw,
            crate::storage::SETTINGS_VERSION,
            crate::storage::migrate_settings,
        ) {
            // Shown here too; written by the other tab already.
            Ok(v) => s.settings.value = v.clamped(),
            Err(StoredElsewhere::Newer { found }) => newer_elsewhere(
                s,
                Subject::Settings,
                key.clone(),
                &StoreError::Newer { key, found },
            ),
            Err(StoredElsewhere::Bad(_)) => {}
        }
    } else if key.starts_with(&crate::annotations_doc::annotations_key(""))
        && s.view == View::Library
    {
        fx.push(Effect::LoadLibraryDetails);
    } else if key == crate::web::store::WEB_KEY {
        // --- web import (issue 16) ---
        web::stored_elsewhere(s, &raw);
    }
}

/// Change article `id`'s reading record with `f` (the open article's in memory too) and ask
/// for it to be written.
fn set_reading(
    s: &mut State,
    id: &str,
    now: &str,
    fx: &mut Effects,
    f: impl FnOnce(&mut crate::reading::Reading),
) {
    let open = (s.reader.article.id.as_str(), &s.reader.reading);
    let mut r = s.library.reading(id, Some(open));
    f(&mut r);
    r.modified = now.to_owned();
    if id == s.reader.article.id {
        s.reader.reading = r.clone();
    }
    let details = Rc::make_mut(&mut s.library.details);
    details.reading.insert(id.to_owned(), r.clone());
    fx.push(Effect::SaveReading {
        id: id.to_owned(),
        reading: r,
    });
}

/// Keep `status` for the export menu the last data file was chosen from.
fn set_status(s: &mut State, status: DataStatus) {
    let scope = s
        .transfer
        .status
        .as_ref()
        .map_or(DataScope::Library, |x| x.0);
    s.transfer.status = Some((scope, status));
}

/// A data file was read: a backup is validated and restored (by the runner, all or nothing);
/// annotations are validated and attached to the open article here.
fn data_file_read(
    s: &mut State,
    scope: DataScope,
    name: String,
    text: Result<String, DataProblem>,
    id_seed: [u8; 16],
    now: &str,
    fx: &mut Effects,
) {
    let fail = |s: &mut State, why| {
        s.transfer.status = Some((
            scope,
            DataStatus::Failed {
                name: name.clone(),
                why,
            },
        ));
    };
    let raw = match text {
        Ok(raw) => raw,
        Err(why) => return fail(s, why),
    };
    if crate::export::backup::looks_like_backup(&raw) {
        match crate::export::backup::parse_backup(&raw) {
            Ok(backup) => {
                s.transfer.status = Some((scope, DataStatus::Working { name: name.clone() }));
                fx.push(Effect::RestoreBackup {
                    name,
                    backup: Box::new(backup),
                });
            }
            Err(p) => fail(s, DataProblem::Invalid(p)),
        }
        return;
    }
    let imported = match crate::export::jsonld::parse_jsonld(&raw) {
        Ok(list) => list,
        Err(p) => return fail(s, DataProblem::Invalid(p)),
    };
    if scope == DataScope::Library {
        return fail(s, DataProblem::NeedsArticle);
    }
    // Fresh UUIDs: the seed's random bytes with a counter mixed into the last four.
    let mut n = 0u32;
    let ids = || {
        n += 1;
        let mut bytes = id_seed;
        for (b, c) in bytes[12..].iter_mut().zip(n.to_be_bytes()) {
            *b ^= c;
        }
        crate::annotation::uuid_v4_from_bytes(bytes)
    };
    let (annotations, report) =
        crate::export::jsonld::attach(&s.reader.article, imported, ids, now);
    s.reader.import(annotations, fx);
    s.transfer.status = Some((scope, DataStatus::AnnotationsImported { name, report }));
}

#[cfg(test)]
mod tests;
