//! The store: the core reducer behind Yew's `use_reducer`, its effects handed to the platform's
//! runner, and the verbs components use.
//!
//! Verbs that need a clock, a fresh id or a browser object (`highlight`, `import_files`, …)
//! live on [`AppContext`], so components never build actions by hand and never touch storage;
//! the reducer itself stays pure.

use std::ops::Range;
use std::rc::Rc;

use lectern_core::annotation::Color;
use lectern_core::effect::{DataScope, Delivery, ExportFormat};
use lectern_core::i18n::{Lang, Strings};
use lectern_core::state::{reduce, Action, State};
use lectern_core::storage::KeyValueStore;
use lectern_core::text::ByteOffset;
use lectern_dom::env::{now_iso, random_uuid};
use lectern_dom::local_store::LocalStore;
use lectern_dom::paint::PaintStats;
use lectern_dom::runner::Runner;
use yew::prelude::*;

/// The app's state, and the runner its effects go to.
pub struct Store {
    pub state: State,
    runner: Rc<Runner>,
}

impl Store {
    pub fn new(state: State, runner: Rc<Runner>) -> Store {
        Store { state, runner }
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && Rc::ptr_eq(&self.runner, &other.runner)
    }
}

impl Reducible for Store {
    type Action = Action;

    /// The core reducer; its effects go to the runner, whose outcomes come back as actions.
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let (state, effects) = reduce(&self.state, action);
        self.runner.run(effects);
        Rc::new(Store {
            state,
            runner: Rc::clone(&self.runner),
        })
    }
}

pub type StoreHandle = UseReducerHandle<Store>;

/// What the app is mounted with: where it stores everything, and who watches it work. The
/// default is the browser's `localStorage` and no observer; tests hand in an in-memory or a
/// failing store, the benchmark page an observer.
#[derive(Clone)]
pub struct Services {
    pub store: Rc<dyn KeyValueStore>,
    pub observer: Option<Rc<dyn Observer>>,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            store: Rc::new(LocalStore::from_window()),
            observer: None,
        }
    }
}

impl PartialEq for Services {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.store, &other.store)
            && match (&self.observer, &other.observer) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// Watches the app work (the benchmark page): every render's context, and every paint.
pub trait Observer {
    /// The app rendered; `first` on its first render's effects (the DOM is up to date).
    fn rendered(&self, _ctx: &AppContext, _first: bool) {}
    /// The reader painted the highlights.
    fn painted(&self, _stats: PaintStats) {}
}

/// Interface state that is not the document's: what is open, where the keyboard cursor is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ui {
    /// The annotation whose popover is open.
    pub popover: Option<String>,
    /// Whether the notes panel is open (it is always shown on wide screens).
    pub panel_open: bool,
    /// The selection the toolbar acts on, in article bytes.
    pub selection: Option<Range<ByteOffset>>,
    /// Id of the highlight `j`/`k` last moved to.
    pub cursor: Option<String>,
    /// Open the popover's note editor focused (after `n` or "Add note").
    pub focus_note: bool,
    /// A file is being dragged over the window.
    pub dragging: bool,
    // --- sync (issue 17) ---
    /// Settings → Sync is open.
    pub sync_open: bool,
}

/// The interface state behind `use_reducer`, so every update applies to the latest value
/// (callbacks made in an earlier render never write back a stale copy).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UiStore(pub Ui);

/// An update of [`Ui`].
pub struct UiUpdate(pub Box<dyn FnOnce(&mut Ui)>);

impl Reducible for UiStore {
    type Action = UiUpdate;

    fn reduce(self: Rc<Self>, action: UiUpdate) -> Rc<Self> {
        let mut ui = self.0.clone();
        (action.0)(&mut ui);
        Rc::new(UiStore(ui))
    }
}

/// What every component may read: the store, the interface state, the browser's languages
/// (read once) and the observer, if any.
#[derive(Clone)]
pub struct AppContext {
    pub store: StoreHandle,
    pub ui_store: UseReducerHandle<UiStore>,
    pub browser_langs: Rc<Vec<String>>,
    pub observer: Option<Rc<dyn Observer>>,
}

impl PartialEq for AppContext {
    fn eq(&self, other: &Self) -> bool {
        self.store == other.store
            && self.ui_store == other.ui_store
            && self.browser_langs == other.browser_langs
    }
}

impl AppContext {
    pub fn state(&self) -> &State {
        &self.store.state
    }

    pub fn dispatch(&self, action: Action) {
        self.store.dispatch(action);
    }

    /// The interface language: the user's choice, else the browser's.
    pub fn lang(&self) -> Lang {
        Lang::resolve(self.state().settings.value.ui_lang, &self.browser_langs)
    }

    pub fn t(&self) -> &'static Strings {
        self.lang().strings()
    }

    pub fn ui(&self) -> &Ui {
        &self.ui_store.0
    }

    pub fn set_ui(&self, f: impl FnOnce(&mut Ui) + 'static) {
        self.ui_store.dispatch(UiUpdate(Box::new(f)));
    }

    /// Highlight `range` in `color`; returns the new annotation's id.
    pub fn highlight(&self, range: Range<ByteOffset>, color: Color) -> String {
        let id = random_uuid();
        self.dispatch(Action::AddHighlight {
            id: id.clone(),
            range,
            color,
            now: now_iso(),
        });
        id
    }

    pub fn recolor(&self, id: &str, color: Color) {
        self.dispatch(Action::Recolor {
            id: id.to_owned(),
            color,
            now: now_iso(),
        });
    }

    pub fn edit_note(&self, id: &str, note: String) {
        self.dispatch(Action::EditNote {
            id: id.to_owned(),
            note,
            now: now_iso(),
        });
    }

    pub fn set_tags(&self, id: &str, tags: Vec<String>) {
        self.dispatch(Action::SetTags {
            id: id.to_owned(),
            tags,
            now: now_iso(),
        });
    }

    pub fn remove(&self, id: &str) {
        self.dispatch(Action::Remove {
            id: id.to_owned(),
            now: now_iso(),
        });
    }

    pub fn set_article_note(&self, note: String) {
        self.dispatch(Action::SetArticleNote {
            new_id: random_uuid(),
            note,
            now: now_iso(),
        });
    }

    pub fn confirm(&self, id: &str) {
        self.dispatch(Action::ConfirmPlacement {
            id: id.to_owned(),
            now: now_iso(),
        });
    }

    pub fn reattach(&self, id: &str, range: Range<ByteOffset>) {
        self.dispatch(Action::Reattach {
            id: id.to_owned(),
            range,
            now: now_iso(),
        });
    }

    pub fn undo(&self) {
        self.dispatch(Action::Undo { now: now_iso() });
    }

    pub fn redo(&self) {
        self.dispatch(Action::Redo { now: now_iso() });
    }

    pub fn rename_article(&self, id: &str, title: String) {
        self.dispatch(Action::RenameArticle {
            id: id.to_owned(),
            title,
            now: now_iso(),
        });
    }

    pub fn remove_article(&self, id: &str) {
        self.dispatch(Action::RemoveArticle {
            id: id.to_owned(),
            now: now_iso(),
        });
    }

    /// The reader is at `p` of the open article.
    pub fn reading_at(&self, p: lectern_dom::paint::ReadingPoint) {
        self.dispatch(Action::ReadingAt {
            block: p.block,
            offset: p.offset,
            progress: lectern_core::reading::progress_of(p.blocks, p.bottom_block),
            now: now_iso(),
        });
    }

    pub fn set_finished(&self, id: &str, finished: bool) {
        self.dispatch(Action::SetFinished {
            id: id.to_owned(),
            finished,
            now: now_iso(),
        });
    }

    pub fn set_archived(&self, id: &str, archived: bool) {
        self.dispatch(Action::SetArchived {
            id: id.to_owned(),
            archived,
            now: now_iso(),
        });
    }

    pub fn undo_remove_article(&self) {
        self.dispatch(Action::UndoRemoveArticle { now: now_iso() });
    }

    /// Import files the reader chose, dropped or pasted.
    pub fn import_files(&self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let refs = files.into_iter().map(lectern_dom::files::hold).collect();
        self.dispatch(Action::ImportFiles(refs));
    }

    /// Import pasted text.
    pub fn import_text(&self, text: String) {
        self.dispatch(Action::ImportText {
            name: self.t().pasted_text.to_owned(),
            text,
        });
    }

    /// Import a backup or annotations file chosen in the export menu of `scope`.
    pub fn import_data_file(&self, scope: DataScope, file: web_sys::File) {
        let file = lectern_dom::files::hold(file);
        self.dispatch(Action::ImportDataFile { scope, file });
    }

    pub fn export(&self, scope: DataScope, format: ExportFormat, delivery: Delivery) {
        self.dispatch(Action::Export {
            scope,
            format,
            delivery,
            now: now_iso(),
        });
    }

    // --- web import (issue 16) ---

    /// Add (or not) the page that came without this Lectern's token.
    pub fn confirm_page(&self, yes: bool) {
        self.dispatch(Action::ConfirmPage(yes));
    }

    pub fn remove_to_fetch(&self, url: &str) {
        self.dispatch(Action::RemoveToFetch {
            url: url.to_owned(),
        });
    }

    /// Show (or hide) article `id`'s images, and remember it.
    pub fn show_images(&self, id: &str, show: bool) {
        self.dispatch(Action::ShowImages {
            id: id.to_owned(),
            show,
        });
    }

    /// Delete the images kept for offline reading.
    pub fn forget_images(&self) {
        self.dispatch(Action::ForgetImages);
    }

    // --- issue 18: the notebook, publishing, reading aloud ---

    /// A message to the notebook.
    pub fn notebook(&self, msg: lectern_core::state::notebook::Msg) {
        self.dispatch(Action::Notebook(msg));
    }

    /// Apply `op` to everything the notebook shows.
    pub fn notebook_bulk(&self, op: lectern_core::state::notebook::BulkOp) {
        self.notebook(lectern_core::state::notebook::Msg::Bulk { op, now: now_iso() });
    }

    /// Recolour one highlight from the notebook.
    pub fn notebook_recolor(&self, article: &str, id: &str, color: Color) {
        self.notebook(lectern_core::state::notebook::Msg::Recolor {
            article: article.to_owned(),
            id: id.to_owned(),
            color,
            now: now_iso(),
        });
    }

    pub fn notebook_undo(&self) {
        self.notebook(lectern_core::state::notebook::Msg::Undo { now: now_iso() });
    }

    pub fn notebook_redo(&self) {
        self.notebook(lectern_core::state::notebook::Msg::Redo { now: now_iso() });
    }

    /// Review what the notebook shows, in random order or oldest first.
    pub fn notebook_review(&self, random: bool) {
        let b = lectern_dom::env::random_bytes();
        let seed = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        self.notebook(lectern_core::state::notebook::Msg::Review { random, seed });
    }

    /// Export what the notebook shows.
    pub fn notebook_export(&self, format: ExportFormat, delivery: Delivery) {
        self.notebook(lectern_core::state::notebook::Msg::Export {
            format,
            delivery,
            now: now_iso(),
        });
    }

    /// A message to reading aloud.
    pub fn listen(&self, msg: lectern_core::state::listen::Msg) {
        self.dispatch(Action::Listen(msg));
    }

    /// Download the open article as one self-contained web page.
    pub fn publish(&self) {
        self.dispatch(Action::Publish {
            now: now_iso(),
            lang: self.lang(),
        });
    }
}

/// The app context; panics only if a component is mounted outside `<App/>`, a programming error.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components are mounted inside <App/>")
}
