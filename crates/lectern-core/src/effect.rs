//! What the reducer asks the outside world to do: effects as data.
//!
//! [`crate::state::reduce`] returns the next state and a list of [`Effect`]s, as Elm's
//! `update : Msg -> Model -> (Model, Cmd Msg)` does. One runner in the platform layer
//! (`lectern_dom::runner`) carries them out — writes and reads of storage, files, the import
//! worker, downloads, the clipboard, the URL — and turns every outcome, success or failure, into
//! an ordinary [`crate::state::Action`]. Nothing here does I/O; core tests assert the list.
//!
//! Effects that write several keys (storing an imported article and listing it, restoring a
//! backup) name one core function each that does the whole transaction against a
//! [`crate::storage::KeyValueStore`], so "all or nothing" is decided and tested here, natively.

use std::rc::Rc;

use crate::annotations_doc::AnnotationsDoc;
use crate::article::Article;
use crate::export::backup::Backup;
use crate::library::{ArticleMeta, LibraryDoc};
use crate::route::Route;
use crate::settings::Settings;
use crate::text::ArticleText;

pub use crate::export::ExportFormat;

/// A file the reader chose or dropped, held by the platform until an effect reads it (the
/// browser's `File` is not data the core can hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The platform's handle for the file.
    pub handle: u32,
    pub name: String,
    /// Bytes.
    pub size: u64,
}

/// Where an export goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Download,
    Clipboard,
}

/// What a data file chosen in an export menu is imported into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    /// The open article (JSON-LD annotations attach to it; a backup restores everything).
    Article,
    /// The library (a backup; JSON-LD needs an article and is refused with a reason).
    Library,
}

/// Something the runner does for the reducer. Each names the action(s) its outcome comes back
/// as.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the reader settings. Failure → `SaveFailed`.
    SaveSettings(Settings),
    /// Write one article's annotations, merged with what another tab may have stored meanwhile
    /// ([`crate::annotations_doc::save_merged`]). Deferred: written right after the action is
    /// painted (consecutive saves of one article are one write), at once while the page is
    /// hidden or closing. Failure → `SaveFailed`; success after a failure → `Saved`.
    SaveAnnotations {
        article_id: String,
        doc: Rc<AnnotationsDoc>,
        /// The article's text and its hash, which the stored form is compact against.
        text: Rc<ArticleText>,
        text_hash: Rc<str>,
    },
    /// Write the library list, merged per article with what is stored
    /// ([`crate::library::save_merged`]). Outcome → `LibrarySaved` (with the merged list) or
    /// `SaveFailed`.
    SaveLibrary(LibraryDoc),
    /// Store an imported article's content, then list it ([`crate::library::add_article`]: all
    /// or nothing). Outcome → `ArticleAdded` or `ArticleNotSaved`.
    AddArticle {
        batch: u32,
        name: String,
        article: Rc<Article>,
        meta: ArticleMeta,
    },
    /// Load article `id` with its annotations ([`crate::startup::open`]). Outcome →
    /// `ArticleOpened` or `OpenFailed`.
    OpenArticle { id: String },
    /// Read and import these files, one after another, in the import worker. Outcome → one
    /// `ArticleImported` per file.
    ImportFiles { batch: u32, files: Vec<FileRef> },
    /// Import pasted text in the import worker. Outcome → `ArticleImported`.
    ImportText {
        batch: u32,
        name: String,
        text: String,
    },
    /// Read a backup or annotations file as text. Outcome → `DataFileRead`.
    ReadDataFile { scope: DataScope, file: FileRef },
    /// Restore a validated backup: merged by id into what is stored, written all or nothing
    /// ([`crate::export::backup::restore`]). Outcome → `BackupRestored` or `DataImportFailed`.
    RestoreBackup { name: String, backup: Box<Backup> },
    /// Build a whole-library export from what is stored, then deliver it. Failure →
    /// `DataImportFailed` is not used: an export cannot fail short of storage being gone, in
    /// which case the file says what it could read.
    ExportLibrary {
        format: ExportFormat,
        delivery: Delivery,
    },
    /// Hand a file to the reader: a download, or the clipboard.
    Deliver {
        delivery: Delivery,
        name: String,
        mime: &'static str,
        content: String,
    },
    /// Put `route` in the URL (back/forward and bookmarks follow). The route's view comes back
    /// as `RouteChanged`, whether the URL changed or not.
    Navigate(Route),
    /// Read each listed article's highlight and note counts. Outcome → `LibraryDetails`.
    LoadLibraryDetails,
    /// Delete the stored data of articles removed longer ago than the undo window, and prune
    /// old tombstones ([`crate::library::purge_removed`]). Outcome → `Purged`.
    PurgeRemoved,
    /// Measure what is stored: the total, each article's share, and the browser's estimate of
    /// usage and quota. Outcome → `StorageUsage`.
    LoadStorageUsage,
    /// Read `keys` as they are stored now and report each as `StoredElsewhere` (after another
    /// tab's restore has finished).
    ReloadStored { keys: Vec<String> },
    /// Open where article content lives (IndexedDB, or `localStorage` where there is none),
    /// move contents still in `localStorage` there (each verified before its copy goes), list
    /// stored articles whose entry was lost, and keep the first paint's cache small; first
    /// delete the contents in `discard` (written by a restore cut short). Outcome →
    /// `ContentReady`.
    StartContent { discard: Vec<String> },
    /// Write article `id`'s reading record (merged with what is stored). Failures are not
    /// reported: a reading position is not the reader's work.
    SaveReading {
        id: String,
        reading: crate::reading::Reading,
    },
    /// Find the listed articles whose text has every word of `query` (the word index, built
    /// from the stored texts on first use); `ids` are the listed articles, in the list's order
    /// (what the answer is drawn from). Outcome → `LibraryMatches`.
    SearchLibrary { query: String, ids: Vec<String> },
    /// Report `action` after `ms` milliseconds (the end of an undo window, say).
    After {
        ms: u32,
        action: Box<crate::state::Action>,
    },
    // --- web import (issue 16) ---
    /// Import a page the bookmarklet sent, or shared text, in the import worker
    /// ([`crate::import::import_web`]). Outcome → `ArticleImported` (or `ImportFailed`).
    ImportWeb {
        batch: u32,
        name: String,
        import: crate::web::WebImport,
    },
    /// Read what the web import keeps ([`crate::web::store::load_web`]). Outcome →
    /// `WebLoaded`.
    LoadWeb,
    /// Change what the web import keeps, read–change–write ([`crate::web::store::update`]).
    /// Outcome → `WebSaved` or `WebNotSaved`.
    UpdateWeb(crate::web::store::WebOp),
    /// Make the bookmarklet's token from random bytes and store it, unless one is stored.
    /// Outcome → `WebSaved` or `WebNotSaved`.
    MakeWebToken,
    /// Delete the images kept for offline reading. Outcome → `StorageUsage`, measured again.
    ForgetImages,
    // --- issue 18 ---
    /// The notebook's reads, writes, exports and URL ([`crate::state::notebook::NotebookFx`]).
    Notebook(crate::state::notebook::NotebookFx),
    /// Reading aloud ([`crate::state::listen::SpeechFx`]).
    Speech(crate::state::listen::SpeechFx),

    // --- sync (issue 17): carried out by `lectern_dom::runner::sync` ---
    /// Read Settings → Sync and whether secrets are remembered, and ask to be the tab that
    /// syncs. Outcome → `SyncLoaded`, then `SyncLeader`.
    SyncLoad,
    /// Write Settings → Sync (`None`: forget it, its secrets and what was remembered of the
    /// server; local data stays). `password`/`passphrase`: `None` keeps the stored one, an
    /// empty one removes it. Failure → `SyncSaveFailed`.
    SyncSaveConfig {
        config: Option<crate::sync::SyncConfig>,
        password: Option<crate::sync::config::Secret>,
        passphrase: Option<crate::sync::config::Secret>,
    },
    /// Run one round ([`crate::sync::round::Round`]). Outcome → `SyncRoundDone`.
    SyncRound {
        run: u32,
        config: crate::sync::SyncConfig,
        first: bool,
        scope: crate::sync::local::Scope,
    },
    /// Wait for the server's next change (`_changes?feed=longpoll`). Outcome → `SyncWatched`.
    SyncWatch {
        run: u32,
        config: crate::sync::SyncConfig,
        since: String,
    },
    /// Stop waiting for the server's changes (the page is hidden, sync went off).
    SyncStopWatch,
    /// Count the local changes not sent. Outcome → `SyncPendingCounted`.
    SyncCountPending {
        config: crate::sync::SyncConfig,
        scope: crate::sync::local::Scope,
    },
    /// Test the form's settings (empty secrets: the remembered ones). Outcome → `SyncTested`.
    SyncTest {
        config: crate::sync::SyncConfig,
        password: crate::sync::config::Secret,
        passphrase: crate::sync::config::Secret,
    },
    /// Create the database (a server admin may). Outcome → `SyncDatabaseCreated`.
    SyncCreateDatabase {
        config: crate::sync::SyncConfig,
        password: crate::sync::config::Secret,
    },
    /// Sign in with a session cookie (`POST /_session`; the password is not stored).
    /// Outcome → `SyncSignedIn`.
    SyncSignIn {
        config: crate::sync::SyncConfig,
        password: crate::sync::config::Secret,
    },
}

/// The effects of one reduction, in order.
#[derive(Debug, Default)]
pub struct Effects(pub Vec<Effect>);

impl Effects {
    pub fn push(&mut self, e: Effect) {
        self.0.push(e);
    }
}
