//! Reading aloud's keys in the reader (issue 18): `l` listen, pause or resume (from the
//! selection or the highlight the cursor is on), `Shift+L` stop, `]` next and `[` previous
//! sentence, Escape stops (when nothing else is open). Ignored while typing in a field.

use gloo::events::{EventListener, EventListenerOptions};
use lectern_core::state::listen::Msg;
use lectern_core::state::View;
use lectern_dom::selection::is_text_field;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::listen_bar::listen_from;
use crate::store::AppContext;

#[hook]
pub fn use_listen_keys(ctx: &AppContext) {
    let ctx = ctx.clone();
    use_effect_with(ctx, |ctx| {
        let ctx = ctx.clone();
        let listener = web_sys::window().and_then(|w| w.document()).map(|d| {
            EventListener::new_with_options(
                &d,
                "keydown",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if ctx.state().view != View::Reader
                        || is_text_field(e.target())
                        || e.alt_key()
                        || e.ctrl_key()
                        || e.meta_key()
                    {
                        return;
                    }
                    let active = ctx.state().listen.active();
                    let msg = match e.key().as_str() {
                        "l" => Msg::Toggle {
                            from: listen_from(&ctx),
                        },
                        "L" => Msg::Stop,
                        "]" if active => Msg::Next,
                        "[" if active => Msg::Previous,
                        "Escape"
                            if active
                                && ctx.ui().popover.is_none()
                                && ctx.ui().selection.is_none() =>
                        {
                            Msg::Stop
                        }
                        _ => return,
                    };
                    e.prevent_default();
                    ctx.listen(msg);
                },
            )
        });
        move || drop(listener)
    });
}
