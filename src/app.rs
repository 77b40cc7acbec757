//! The root component: builds the store (which writes through to storage, see `store.rs`),
//! follows the URL hash (library or an article), applies the reader settings, and listens to
//! other tabs, the keyboard, and files dropped on the window.

use std::rc::Rc;

use gloo::events::EventListener;
use lectern_core::annotations_doc::{self, annotations_key};
use lectern_core::article::Article;
use lectern_core::library::{self, LIBRARY_KEY, SEED_ID};
use lectern_core::parse::plain::parse_plain;
use lectern_core::route::{self, Route};
use lectern_core::state::{Action, State, Subject, View};
use lectern_core::storage::{self, Problem};
use lectern_dom::local_store::LocalStore;
use lectern_dom::page;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::annotation_popover::AnnotationPopover;
use crate::components::header::Header;
use crate::components::library_view::LibraryView;
use crate::components::notes_panel::NotesPanel;
use crate::components::notices::Notices;
use crate::components::reader::Reader;
use crate::components::selection_toolbar::SelectionToolbar;
use crate::components::undo_toast::UndoToast;
use crate::hooks::use_import::use_drop_import;
use crate::hooks::use_shortcuts::use_shortcuts;
use crate::store::{AppContext, Store, UiStore};

/// The built-in sample article.
pub fn seed_article() -> Article {
    parse_plain(SEED_ID, crate::SEED_ARTICLE)
}

/// Load article `id`: the sample from the build, others from storage. `Err` carries what to
/// tell the user.
pub fn load_article(local: &LocalStore, id: &str) -> Result<Article, Problem> {
    if id == SEED_ID {
        return Ok(seed_article());
    }
    library::open_stored(local, id)
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Only `#/…` and the empty hash are routes; `#article` (the skip link) is an in-page anchor.
fn is_route(hash: &str) -> bool {
    hash.is_empty() || hash == "#" || hash.starts_with("#/")
}

/// What the app is mounted with: nothing in the normal app; the benchmark page (`bench.rs`)
/// opens its own article and renders a probe inside the app's context.
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub article: Option<Rc<Article>>,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let injected = props.article.clone();
    let store = use_reducer(move || {
        let local = LocalStore::from_window();
        let settings = storage::load_settings(&local);
        let seed = seed_article();
        let lib = library::load_library(&local, &seed);
        let (article, view, problem) =
            library::opening(&local, route::parse(&current_hash()), &lib.value, seed);
        let (article, view) = match injected {
            Some(a) => ((*a).clone(), View::Reader),
            None => (article, view),
        };
        let doc = annotations_doc::load_annotations(&local, &article.id);
        let mut state = State::new(article, settings, doc).with_library(lib, view);
        if let Some(problem) = problem {
            state = lectern_core::state::reduce(
                &state,
                Action::Problem {
                    subject: Subject::Article,
                    problem,
                },
            );
        }
        Store(state)
    });
    {
        let dispatcher = store.dispatcher();
        use_effect_with((), move |_| {
            // The interface is up, and has taken the first paint over (see `Reader`).
            lectern_dom::first_paint::finish();
            lectern_dom::first_paint::mark_interactive();
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                page::set_icon(&document);
            }
            let listeners = crate::store::writes::install(dispatcher);
            move || {
                crate::store::writes::flush();
                drop(listeners);
            }
        });
    }
    let ui_store = use_reducer(UiStore::default);
    let browser_langs = use_memo((), |_| page::browser_languages());
    let ctx = AppContext {
        store: store.clone(),
        ui_store,
        browser_langs: Rc::clone(&browser_langs),
    };
    let lang = ctx.lang();
    let settings = store.0.settings;

    use_effect_with((settings, lang), |(settings, lang)| {
        if let Some(root) = document_root() {
            page::apply_reader_settings(&root, settings);
            page::set_document_lang(&root, lang.code());
        }
    });

    // The URL hash decides what is open; back/forward and bookmarks follow it. Re-registered
    // when the open article or view changes, so the handler sees the current ones.
    {
        let store = store.clone();
        let deps = (store.0.article.id.clone(), store.0.view);
        use_effect_with(deps, move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = current_hash();
                    if !is_route(&hash) {
                        return;
                    }
                    match route::parse(&hash) {
                        Route::Library => store.dispatch(Action::ShowLibrary),
                        Route::Default => open(&store, SEED_ID),
                        Route::Article(id) => open(&store, &id),
                    }
                })
            });
            move || drop(listener)
        });
    }

    // Another tab wrote this article's annotations, or the library: merge them in.
    {
        let store = store.clone();
        let key = annotations_key(&store.0.article.id);
        use_effect_with(key, move |key| {
            let key = key.clone();
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "storage", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::StorageEvent>() else {
                        return;
                    };
                    let changed = e.key();
                    if changed.as_deref() == Some(key.as_str()) {
                        if let Some(Ok(doc)) =
                            e.new_value().map(|raw| annotations_doc::parse_stored(&raw))
                        {
                            store.dispatch(Action::AnnotationsChangedElsewhere(doc));
                        }
                    } else if changed.as_deref() == Some(LIBRARY_KEY) {
                        let lib =
                            library::load_library(&LocalStore::from_window(), &seed_article());
                        if lib.problem.is_none() {
                            store.dispatch(Action::LibraryChangedElsewhere(lib.value));
                        }
                    }
                })
            });
            move || drop(listener)
        });
    }

    use_shortcuts(&ctx);
    use_drop_import(&ctx);

    // While files are dragged over the window, the whole window is the drop target.
    {
        let dragging = ctx.ui().dragging;
        let hint = ctx.t().drop_here;
        use_effect_with(dragging, move |&dragging| {
            if let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                let _ = body.set_attribute("data-drop-hint", hint);
                let _ = body.class_list().toggle_with_force("dragging", dragging);
            }
        });
    }

    let t = ctx.t();
    let skip = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| {
            d.get_element_by_id("article")
                .or_else(|| d.get_element_by_id("main"))
        }) {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
    let view = store.0.view;
    html! {
        <ContextProvider<AppContext> context={ctx}>
            <a class="skip-link" href="#article" onclick={skip}>{ t.skip_to_article }</a>
            <Header />
            <Notices />
            if view == View::Library {
                <main class="main main--library" id="main" tabindex="-1">
                    <LibraryView />
                </main>
            } else {
                <div class="layout">
                    <main class="main" id="main">
                        <Reader />
                    </main>
                    <NotesPanel />
                </div>
                <SelectionToolbar />
                <AnnotationPopover />
                <UndoToast />
            }
            { props.children.clone() }
        </ContextProvider<AppContext>>
    }
}

/// Open article `id` (already open: just show the reader).
fn open(store: &UseReducerHandle<Store>, id: &str) {
    if store.0.article.id == id {
        if store.0.view != View::Reader {
            let local = LocalStore::from_window();
            let annotations = annotations_doc::load_annotations(&local, id);
            store.dispatch(Action::ArticleOpened {
                article: Box::new((*store.0.article).clone()),
                annotations,
            });
        }
        return;
    }
    let local = LocalStore::from_window();
    match load_article(&local, id) {
        Ok(article) => {
            let annotations = annotations_doc::load_annotations(&local, id);
            store.dispatch(Action::ArticleOpened {
                article: Box::new(article),
                annotations,
            });
        }
        Err(problem) => {
            store.dispatch(Action::ShowLibrary);
            store.dispatch(Action::Problem {
                subject: Subject::Article,
                problem,
            });
        }
    }
}

fn document_root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}
