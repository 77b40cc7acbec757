//! Opening a highlight from the notebook (`#/a/<id>?h=<annotation>`, issue 18): once its
//! article is shown and painted, scroll to the highlight and put the keyboard cursor on it (an
//! orphan: the notes panel opens at its card).

use std::rc::Rc;

use lectern_core::state::notebook::Msg;
use lectern_core::state::View;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::reader::reveal;
use crate::store::AppContext;

#[derive(Clone)]
struct PtrKey<T>(Rc<T>);

impl<T> PartialEq for PtrKey<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[hook]
pub fn use_reveal(ctx: &AppContext) {
    let state = ctx.state();
    let wanted = state.notebook.reveal.clone();
    let key = (
        wanted,
        state.view,
        state.reader.article.id.clone(),
        PtrKey(Rc::clone(&state.reader.placements)),
    );
    let ctx = ctx.clone();
    // After the reader's own effects (children's run first), which paint the highlights.
    use_effect_with(key, move |(wanted, view, article, _)| {
        let Some((want_article, id)) = wanted else {
            return;
        };
        if *view != View::Reader || want_article != article {
            return;
        }
        let id = id.clone();
        if reveal(&ctx.state().reader, &id) {
            ctx.set_ui(move |ui| ui.cursor = Some(id));
        } else if ctx.state().reader.annotation(&id).is_some() {
            // Not placed (an orphan): its card in the notes panel.
            ctx.set_ui(|ui| ui.panel_open = true);
            let card = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                d.query_selector(&format!("#notes-panel [data-annotation=\"{id}\"]"))
                    .ok()
                    .flatten()
            });
            if let Some(card) = card {
                card.scroll_into_view();
                if let Ok(el) = card.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.set_attribute("tabindex", "-1");
                    let _ = el.focus();
                }
            }
        }
        ctx.notebook(Msg::Revealed);
    });
}
