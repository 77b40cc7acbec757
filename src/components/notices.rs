//! Messages about storage the user should know of, until dismissed.

use lectern_core::i18n::Strings;
use lectern_core::state::Action;
use lectern_core::storage::{Problem, StoreError};
use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn Notices() -> Html {
    let app = use_app();
    let t = app.t();
    let notices = &app.state().notices;
    if notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices">
            { for notices.iter().map(|n| {
                let id = n.id;
                let app = app.clone();
                let dismiss = Callback::from(move |_: MouseEvent| app.dispatch(Action::DismissNotice(id)));
                html! {
                    <div class="notice" role="alert" data-notice={kind(&n.problem)}>
                        <p class="notice__text">{ message(t, &n.problem) }</p>
                        <button type="button" class="button button--quiet" onclick={dismiss}>{ t.dismiss }</button>
                    </div>
                }
            }) }
        </div>
    }
}

fn kind(p: &Problem) -> &'static str {
    match p {
        Problem::Unavailable { .. } => "unavailable",
        Problem::Corrupt { .. } => "corrupt",
        Problem::NewerVersion { .. } => "newer",
        Problem::WriteFailed { .. } => "write-failed",
    }
}

fn message(t: &Strings, p: &Problem) -> Html {
    match p {
        Problem::Unavailable { .. } => html! { t.storage_unavailable },
        Problem::Corrupt {
            backup_key: Some(k),
            ..
        } => html! {
            <>{ t.settings_corrupt }{" "}<code>{ k.clone() }</code>{"."}</>
        },
        Problem::Corrupt {
            backup_key: None, ..
        } => html! { t.settings_lost },
        Problem::NewerVersion { .. } => html! { t.settings_newer },
        Problem::WriteFailed {
            error: StoreError::QuotaExceeded { .. },
            ..
        } => html! {
            <>{ t.save_failed }{" "}{ t.storage_full }</>
        },
        Problem::WriteFailed { error, .. } => html! {
            <>{ t.save_failed }{" "}{ error.to_string() }</>
        },
    }
}
