//! The top bar: the app's name and the reading-settings button.

use yew::prelude::*;

use lectern_core::state::View;

use crate::components::settings_panel::SettingsPanel;
// --- sync (issue 17) ---
use crate::components::sync_panel::SyncPanel;
use crate::components::sync_status::SyncStatus;
use crate::store::use_app;

#[component]
pub fn Header() -> Html {
    let app = use_app();
    let t = app.t();
    let open = use_state(|| false);
    let button_ref = use_node_ref();

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        let button_ref = button_ref.clone();
        Callback::from(move |()| {
            open.set(false);
            // Give focus back to the control that opened the panel.
            if let Some(b) = button_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        })
    };

    // --- sync (issue 17) ---
    let close_sync = {
        let app = app.clone();
        Callback::from(move |()| {
            app.set_ui(|ui| ui.sync_open = false);
            if let Some(b) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("settings-button"))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = b.focus();
            }
        })
    };

    let undo = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.undo())
    };
    let redo = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.redo())
    };
    let toggle_panel = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.set_ui(|ui| ui.panel_open = !ui.panel_open))
    };
    let state = app.state();
    let count = state
        .reader
        .doc
        .annotations
        .iter()
        .filter(|a| a.target.is_some())
        .count();
    let panel_open = app.ui().panel_open;
    html! {
        <header class="app-bar">
            <div class="app-bar__inner">
                <a class="brand" href="#/" title={t.library}>
                    <span class="brand__mark" aria-hidden="true"></span>
                    <span class="brand__name">{ t.app_name }</span>
                </a>
                <div class="app-bar__actions">
                <a class="icon-button library-link" href="#/" aria-current={(state.view == View::Library).then_some("page")}>
                    <span class="library-link__label">{ t.library }</span>
                </a>
                // --- issue 18 ---
                <a class="icon-button library-link notebook-link" href="#/notes" aria-current={(state.view == View::Notes).then_some("page")}
                    title={app.lang().nb().notebook}>
                    <span class="notebook-link__label">{ app.lang().nb().notebook }</span>
                </a>
                if state.view == View::Reader {
                <button type="button" class="icon-button" id="undo-button" onclick={undo}
                    disabled={state.reader.undo.is_empty()} aria-label={t.undo} title={format!("{} (Ctrl+Z)", t.undo)}>
                    <span aria-hidden="true">{"↶"}</span>
                </button>
                <button type="button" class="icon-button" id="redo-button" onclick={redo}
                    disabled={state.reader.redo.is_empty()} aria-label={t.redo} title={format!("{} (Ctrl+Shift+Z)", t.redo)}>
                    <span aria-hidden="true">{"↷"}</span>
                </button>
                <button type="button" class="icon-button panel-toggle" id="panel-button" onclick={toggle_panel}
                    aria-expanded={panel_open.to_string()} aria-controls="notes-panel" title={t.panel_open}
                    aria-label={format!("{} {}", t.panel_title, count)}>
                    <span class="panel-toggle__label">{ t.panel_title }</span>
                    <span class="panel-toggle__count">{ count }</span>
                </button>
                }
                // --- sync (issue 17) ---
                <SyncStatus />
                <button
                    ref={button_ref}
                    type="button"
                    class="icon-button"
                    id="settings-button"
                    aria-expanded={(*open).to_string()}
                    aria-controls="settings-panel"
                    title={t.settings_open}
                    onclick={toggle}
                >
                    <span aria-hidden="true" class="icon-aa">{"Aa"}</span>
                    <span class="visually-hidden">{ t.settings_open }</span>
                </button>
                </div>
            </div>
            if *open {
                <SettingsPanel onclose={close} />
            }
            // --- sync (issue 17) ---
            if app.ui().sync_open {
                <SyncPanel onclose={close_sync} />
            }
        </header>
    }
}
