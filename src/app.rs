//! The root component: builds the store, applies and persists settings.

use std::rc::Rc;

use lectern_core::parse::plain::parse_plain;
use lectern_core::state::{Action, State};
use lectern_core::storage::{self, SETTINGS_KEY};
use lectern_dom::local_store::LocalStore;
use lectern_dom::page;
use yew::prelude::*;

use crate::components::header::Header;
use crate::components::notices::Notices;
use crate::components::reader::Reader;
use crate::store::{AppContext, Store};

#[component]
pub fn App() -> Html {
    let store = use_reducer(|| {
        let loaded = storage::load_settings(&LocalStore::from_window());
        Store(State::new(parse_plain("seed", crate::SEED_ARTICLE), loaded))
    });
    let browser_langs = use_memo((), |_| page::browser_languages());
    let ctx = AppContext {
        store: store.clone(),
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

    // Persist settings when they change (not on the first render: nothing changed yet, and a
    // read-only key must stay as it is).
    let first_render = use_mut_ref(|| true);
    {
        let store = store.clone();
        use_effect_with(settings, move |settings| {
            if std::mem::replace(&mut *first_render.borrow_mut(), false) {
                return;
            }
            if !store.0.settings_writable {
                return;
            }
            if let Err(error) = storage::save_settings(&LocalStore::from_window(), settings) {
                store.dispatch(Action::SaveFailed {
                    key: SETTINGS_KEY.to_owned(),
                    error,
                });
            }
        });
    }

    let t = ctx.t();
    html! {
        <ContextProvider<AppContext> context={ctx}>
            <a class="skip-link" href="#article">{ t.skip_to_article }</a>
            <Header />
            <Notices />
            <main class="main" id="main">
                <Reader />
            </main>
        </ContextProvider<AppContext>>
    }
}

fn document_root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}
