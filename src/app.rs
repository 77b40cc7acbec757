//! The root component: builds the store over the injected services (the core reducer, its
//! effects carried out by the platform's runner), follows the URL through the runner's
//! subscriptions, applies the reader settings, and listens to the keyboard and to files
//! dropped on the window.

use std::rc::Rc;

use lectern_core::library::seed_article;
use lectern_core::startup::Startup;
use lectern_core::state::{State, View};
use lectern_dom::page;
use lectern_dom::runner::{current_hash, Runner};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::add_page::AddPage;
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
use crate::store::{AppContext, Services, Store, UiStore};
// --- issue 18 ---
use crate::components::listen_bar::ListenBar;
use crate::components::notebook::NotebookView;
use crate::hooks::use_listen_keys::use_listen_keys;
use crate::hooks::use_reveal::use_reveal;

/// What the app is mounted with (see [`Services`]): the browser's storage by default.
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub services: Services,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let services = props.services.clone();
    let runner = use_memo((), {
        let store = Rc::clone(&services.store);
        move |_| Runner::new(store)
    });
    let store = use_reducer({
        let runner = runner.clone();
        move || {
            // The same decision as every later change of the URL and as the first paint.
            let stale =
                lectern_dom::runner::iso_ago(lectern_core::export::backup::JOURNAL_STALE_MS as f64);
            let start = Startup::load(&**runner.store(), &current_hash(), seed_article, &stale)
                .opened_at(&lectern_dom::env::now_iso());
            Store::new(State::new(start), Rc::clone(&*runner))
        }
    });
    {
        let runner = Rc::clone(&runner);
        let dispatcher = store.dispatcher();
        let startup = store.state.startup_effects();
        use_effect_with((), move |_| {
            runner.set_dispatch(Rc::new(move |a| dispatcher.dispatch(a)));
            runner.run(startup);
            let subscriptions = runner.subscribe();
            // The interface is up, and has taken the first paint over (see `Reader`).
            lectern_dom::first_paint::finish();
            lectern_dom::first_paint::mark_interactive();
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                page::set_icon(&document);
            }
            move || {
                runner.flush();
                drop(subscriptions);
            }
        });
    }
    let ui_store = use_reducer(UiStore::default);
    let browser_langs = use_memo((), |_| page::browser_languages());
    let ctx = AppContext {
        store: store.clone(),
        ui_store,
        browser_langs: Rc::clone(&browser_langs),
        observer: services.observer.clone(),
    };
    let lang = ctx.lang();
    let settings = store.state.settings.value.clone();

    use_effect_with((settings, lang), |(settings, lang)| {
        if let Some(root) = document_root() {
            page::apply_reader_settings(&root, settings);
            page::set_document_lang(&root, lang.code());
        }
    });

    // Where article texts live, for tests and support (`<html data-content="database">`).
    use_effect_with(store.state.content, |content| {
        if let Some(root) = document_root() {
            let _ = root.set_attribute("data-content", content.as_str());
        }
    });

    use_shortcuts(&ctx);
    use_drop_import(&ctx);
    // --- issue 18 ---
    use_listen_keys(&ctx);
    use_reveal(&ctx);

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
    if let Some(observer) = &services.observer {
        observer.rendered(&ctx, false);
    }
    {
        let (observer, ctx) = (services.observer.clone(), ctx.clone());
        use_effect_with((), move |_| {
            if let Some(observer) = observer {
                observer.rendered(&ctx, true);
            }
        });
    }
    let view = store.state.view;
    html! {
        <ContextProvider<AppContext> context={ctx}>
            <a class="skip-link" href="#article" onclick={skip}>{ t.skip_to_article }</a>
            <Header />
            <Notices />
            if view == View::Library {
                <main class="main main--library" id="main" tabindex="-1">
                    <LibraryView />
                </main>
            } else if view == View::Add {
                // --- web import (issue 16) ---
                <main class="main main--library" id="main" tabindex="-1">
                    <AddPage />
                </main>
            } else if view == View::Notes {
                // --- issue 18 ---
                <main class="main main--notes" id="main" tabindex="-1">
                    <NotebookView />
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
                // --- issue 18 ---
                <ListenBar />
            }
        </ContextProvider<AppContext>>
    }
}

fn document_root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}
