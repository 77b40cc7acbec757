//! "Highlight deleted. Undo" — shown after a delete until undone, dismissed, or timed out.

use gloo::timers::callback::Timeout;
use lectern_core::state::Action;
use yew::prelude::*;

use crate::store::use_app;

const SHOW_MS: u32 = 10_000;

#[component]
pub fn UndoToast() -> Html {
    let app = use_app();
    let t = app.t();
    let deleted = app.state().reader.just_deleted.clone();
    {
        let app = app.clone();
        use_effect_with(deleted.clone(), move |deleted| {
            let timer = deleted.is_some().then(|| {
                let app = app.clone();
                Timeout::new(SHOW_MS, move || app.dispatch(Action::DismissDeleted))
            });
            move || drop(timer)
        });
    }
    let undo = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.undo())
    };
    html! {
        <div class="toast-region" role="status" aria-live="polite">
            if deleted.is_some() {
                <div class="toast">
                    <span>{ t.deleted_toast }</span>
                    <button type="button" class="button button--small toast__undo" onclick={undo}>{ t.undo }</button>
                </div>
            }
        </div>
    }
}
