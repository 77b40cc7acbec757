//! The store: the core reducer behind Yew's `use_reducer`, and hooks to reach it.
//!
//! Verbs that need a clock or a fresh id (`highlight`, `recolor`, …) live on [`AppContext`] so
//! components never build actions by hand; the reducer itself stays pure.

use std::ops::Range;
use std::rc::Rc;

use lectern_core::annotation::Color;
use lectern_core::i18n::{Lang, Strings};
use lectern_core::library;
use lectern_core::state::{reduce, Action, State, Subject};
use lectern_core::storage::KeyValueStore;
use lectern_core::storage::{self, SETTINGS_KEY};
use lectern_core::text::ByteOffset;
use lectern_dom::env::{now_iso, random_uuid};
use lectern_dom::local_store::LocalStore;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Store(pub State);

impl Reducible for Store {
    type Action = Action;

    /// The core reducer, then write-through of what changed. Settings and the library are
    /// written at once; the open article's annotations (up to 1.4 MB of JSON with 1,000 notes)
    /// right after the action's render and paint ([`writes`]), and at once while the page is
    /// being hidden, so a note flushed on `pagehide` still reaches storage before the page
    /// goes away. Failures come back as core events.
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let before = &self.0;
        let adding = match &action {
            Action::AddToLibrary(meta) => Some(meta.id.clone()),
            _ => None,
        };
        let mut next = reduce(before, action);
        let local = LocalStore::from_window();
        if next.settings != before.settings && next.settings_writable {
            if let Err(error) = storage::save_settings(&local, &next.settings) {
                next = reduce(
                    &next,
                    Action::SaveFailed {
                        subject: Subject::Settings,
                        key: SETTINGS_KEY.to_owned(),
                        error,
                    },
                );
            }
        }
        if next.revision != before.revision && next.annotations_writable {
            let pending = (next.article.id.clone(), Rc::clone(&next.doc));
            if writes::hiding() {
                // The page is going away: write now, there is no later.
                if let Err(error) = writes::save(&pending) {
                    next = reduce(&next, writes::failed(&pending.0, error));
                }
            } else {
                writes::defer(pending);
            }
        }
        if next.library_revision != before.library_revision && next.library_writable {
            if let Err(error) = library::save_library(&local, &next.library) {
                // Nothing half-written: an article whose list entry could not be saved is
                // taken out again, content and all.
                if let Some(id) = adding {
                    let _ = local.remove(&library::article_key(&id));
                    next = before.clone();
                }
                next = reduce(
                    &next,
                    Action::SaveFailed {
                        subject: Subject::Library,
                        key: library::LIBRARY_KEY.to_owned(),
                        error,
                    },
                );
            }
        }
        Rc::new(Store(next))
    }
}

pub type StoreHandle = UseReducerHandle<Store>;

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
    /// What the last import did, file by file.
    pub import_report: Vec<ImportLine>,
    /// A file is being dragged over the window.
    pub dragging: bool,
}

/// One file's (or one paste's) import outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    pub name: String,
    pub outcome: ImportOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    Added { id: String, title: String },
    Duplicate { id: String, title: String },
    Failed(lectern_core::import::ImportError),
    NotSaved(String),
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

/// What every component may read: the store, the interface state and the browser's
/// languages (read once).
#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub store: StoreHandle,
    pub ui_store: UseReducerHandle<UiStore>,
    pub browser_langs: Rc<Vec<String>>,
}

impl AppContext {
    pub fn state(&self) -> &State {
        &self.store.0
    }

    pub fn dispatch(&self, action: Action) {
        self.store.dispatch(action);
    }

    /// The interface language: the user's choice, else the browser's.
    pub fn lang(&self) -> Lang {
        Lang::resolve(self.state().settings.ui_lang, &self.browser_langs)
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
}

/// The app context; panics only if a component is mounted outside `<App/>`, a programming error.
#[hook]
pub fn use_app() -> AppContext {
    use_context::<AppContext>().expect("components are mounted inside <App/>")
}

/// The open article's annotations, written off the action's path: queued by the reducer,
/// written by a zero-delay timer (after the render and paint of the action), or at once when
/// the page is being hidden (`pagehide`, `beforeunload`, `visibilitychange` to hidden; a
/// capturing listener on the window runs before the note editors' own flush). Consecutive
/// actions before the timer fires are one write of the latest document.
pub mod writes {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use gloo::events::{EventListener, EventListenerOptions, EventListenerPhase};
    use gloo::timers::callback::Timeout;
    use lectern_core::annotations_doc::{self, AnnotationsDoc};
    use lectern_core::state::{Action, Subject};
    use lectern_core::storage::StoreError;
    use lectern_dom::local_store::LocalStore;
    use yew::prelude::*;

    use super::Store;

    /// Article id and the document to write under its key.
    pub type Pending = (String, Rc<AnnotationsDoc>);

    thread_local! {
        static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
        static TIMER: RefCell<Option<Timeout>> = const { RefCell::new(None) };
        static HIDING: Cell<bool> = const { Cell::new(false) };
        static DISPATCH: RefCell<Option<UseReducerDispatcher<Store>>> = const { RefCell::new(None) };
    }

    pub fn hiding() -> bool {
        HIDING.with(Cell::get)
    }

    pub fn save(p: &Pending) -> Result<(), StoreError> {
        annotations_doc::save_annotations(&LocalStore::from_window(), &p.0, &p.1)
    }

    pub fn failed(article_id: &str, error: StoreError) -> Action {
        Action::SaveFailed {
            subject: Subject::Annotations,
            key: annotations_doc::annotations_key(article_id),
            error,
        }
    }

    /// Queue `p` (replacing an older queued document of the same article; another article's
    /// is written first).
    pub fn defer(p: Pending) {
        let id = p.0.clone();
        let older = PENDING.with(|q| q.borrow_mut().replace(p));
        if let Some(older) = older.filter(|o| o.0 != id) {
            write(&older);
        }
        TIMER.with(|t| {
            let mut t = t.borrow_mut();
            if t.is_none() {
                *t = Some(Timeout::new(0, flush));
            }
        });
    }

    /// Write what is queued, now.
    pub fn flush() {
        TIMER.with(|t| t.borrow_mut().take());
        if let Some(p) = PENDING.with(|q| q.borrow_mut().take()) {
            write(&p);
        }
    }

    fn write(p: &Pending) {
        if let Err(error) = save(p) {
            let action = failed(&p.0, error);
            DISPATCH.with(|d| {
                if let Some(d) = d.borrow().as_ref() {
                    d.dispatch(action);
                }
            });
        }
    }

    /// Installs the page-hiding flush and where write failures are reported; the returned
    /// listeners live as long as the app.
    pub fn install(dispatcher: UseReducerDispatcher<Store>) -> Vec<EventListener> {
        DISPATCH.with(|d| *d.borrow_mut() = Some(dispatcher));
        let Some(window) = web_sys::window() else {
            return Vec::new();
        };
        let capture = EventListenerOptions {
            phase: EventListenerPhase::Capture,
            passive: true,
        };
        let mut out: Vec<EventListener> = ["pagehide", "beforeunload"]
            .into_iter()
            .map(|ev| {
                EventListener::new_with_options(&window, ev, capture, |_| {
                    HIDING.with(|h| h.set(true));
                    flush();
                })
            })
            .collect();
        out.push(EventListener::new(&window, "pageshow", |_| {
            HIDING.with(|h| h.set(false))
        }));
        if let Some(doc) = window.document() {
            let d = doc.clone();
            out.push(EventListener::new(&doc, "visibilitychange", move |_| {
                if d.visibility_state() == web_sys::VisibilityState::Hidden {
                    flush();
                }
            }));
        }
        out
    }
}
