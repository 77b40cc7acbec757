//! The root component: builds the store (which writes through to storage, see `store.rs`),
//! applies the reader settings, and listens to other tabs and to the keyboard.

use std::rc::Rc;

use gloo::events::EventListener;
use lectern_core::annotations_doc::{self, annotations_key};
use lectern_core::parse::plain::parse_plain;
use lectern_core::state::{Action, State};
use lectern_core::storage;
use lectern_dom::local_store::LocalStore;
use lectern_dom::page;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::annotation_popover::AnnotationPopover;
use crate::components::header::Header;
use crate::components::notes_panel::NotesPanel;
use crate::components::notices::Notices;
use crate::components::reader::Reader;
use crate::components::selection_toolbar::SelectionToolbar;
use crate::components::undo_toast::UndoToast;
use crate::hooks::use_shortcuts::use_shortcuts;
use crate::store::{AppContext, Store, UiStore};

/// The id of the sample article.
pub const SEED_ID: &str = "seed";

/// What the app is mounted with: nothing in the normal app; the benchmark page (`bench.rs`)
/// opens its own article and renders a probe inside the app's context.
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub article: Option<Rc<lectern_core::article::Article>>,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let injected = props.article.clone();
    let store = use_reducer(move || {
        let local = LocalStore::from_window();
        let settings = storage::load_settings(&local);
        let article = injected.map_or_else(
            || parse_plain(SEED_ID, crate::SEED_ARTICLE),
            |a| (*a).clone(),
        );
        let doc = annotations_doc::load_annotations(&local, &article.id);
        Store(State::new(article, settings, doc))
    });
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

    // Another tab wrote this article's annotations: merge them in.
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
                    if e.key().as_deref() != Some(key.as_str()) {
                        return;
                    }
                    if let Some(Ok(doc)) =
                        e.new_value().map(|raw| annotations_doc::parse_stored(&raw))
                    {
                        store.dispatch(Action::AnnotationsChangedElsewhere(doc));
                    }
                })
            });
            move || drop(listener)
        });
    }

    use_shortcuts(&ctx);

    let t = ctx.t();
    html! {
        <ContextProvider<AppContext> context={ctx}>
            <a class="skip-link" href="#article">{ t.skip_to_article }</a>
            <Header />
            <Notices />
            <div class="layout">
                <main class="main" id="main">
                    <Reader />
                </main>
                <NotesPanel />
            </div>
            <SelectionToolbar />
            <AnnotationPopover />
            <UndoToast />
            { props.children.clone() }
        </ContextProvider<AppContext>>
    }
}

fn document_root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}
