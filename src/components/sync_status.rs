//! The sync status in the app bar (issue 17): synced · syncing · offline with N changes
//! waiting · a problem. Shown once sync is set up; a click opens Settings → Sync, which says
//! the reason and what to do. `data-sync-status` names the state (for tests and styles).

use lectern_core::state::sync::Status;
use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn SyncStatus() -> Html {
    let app = use_app();
    let lang = app.lang();
    let t = lang.sync();
    let sync = &app.state().sync;
    if sync.config.is_none() {
        return html! {};
    }
    let open = app.ui().sync_open;
    let toggle = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.set_ui(|ui| ui.sync_open = !ui.sync_open))
    };
    let (kind, icon, label, detail) = match sync.status() {
        Status::Off => ("off", "○", t.status_off.to_owned(), String::new()),
        Status::ElsewhereTab => (
            "elsewhere",
            "⇄",
            t.status_elsewhere.to_owned(),
            String::new(),
        ),
        Status::Syncing => ("syncing", "⟳", t.status_syncing.to_owned(), String::new()),
        Status::Synced { refused } => (
            "synced",
            "✓",
            t.status_synced.to_owned(),
            if refused > 0 {
                lang.sync_refused(refused)
            } else {
                String::new()
            },
        ),
        Status::Offline { pending } => ("offline", "⌁", lang.sync_offline(pending), String::new()),
        Status::Error { problem, pending } => {
            let (what, _) = lang.sync_problem(&problem, "");
            let mut label = t.status_error.to_owned();
            if pending > 0 {
                label = format!("{label} · {}", lang.sync_waiting(pending));
            }
            ("error", "!", label, what)
        }
    };
    let title = if detail.is_empty() {
        label.clone()
    } else {
        format!("{label}: {detail}")
    };
    html! {
        <>
        // Said to screen readers as it changes.
        <span class="visually-hidden" role="status">{ label.clone() }</span>
        <button type="button" id="sync-status" class={classes!("icon-button", "sync-status", format!("sync-status--{kind}"))}
            data-sync-status={kind} aria-expanded={open.to_string()} aria-controls="sync-panel"
            title={title.clone()} aria-label={title} onclick={toggle}>
            <span class="sync-status__icon" aria-hidden="true">{ icon }</span>
            <span class="sync-status__label" aria-hidden="true">{ label }</span>
        </button>
        </>
    }
}
