//! Keyboard shortcuts for the reader: `h` highlight, `n` highlight and note, `j`/`k` next and
//! previous highlight, Enter open the highlight the cursor is on, Escape close, Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo.
//! Ignored while typing in a field, so notes and search keep their own keys.

use gloo::events::{EventListener, EventListenerOptions};
use lectern_dom::selection::{clear_selection, is_text_field, selected_range_in_document};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::reader::reveal;
use crate::store::AppContext;

#[hook]
pub fn use_shortcuts(ctx: &AppContext) {
    let ctx = ctx.clone();
    // Re-registered on every change of the store or the interface state, so the handler
    // always sees the current ones.
    use_effect_with(ctx, |ctx| {
        let ctx = ctx.clone();
        let doc = web_sys::window().and_then(|w| w.document());
        let listener = doc.clone().map(|d| {
            EventListener::new_with_options(
                &d,
                "keydown",
                EventListenerOptions::enable_prevent_default(),
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if let Some(doc) = &doc {
                        handle(&ctx, doc, e);
                    }
                },
            )
        });
        move || drop(listener)
    });
}

fn handle(ctx: &AppContext, doc: &web_sys::Document, e: &web_sys::KeyboardEvent) {
    if is_text_field(e.target()) || e.alt_key() {
        return;
    }
    // --- issue 18: the notebook has its own keys (src/components/notebook.rs) ---
    if ctx.state().view == lectern_core::state::View::Notes {
        return;
    }
    let key = e.key();
    let ctrl = e.ctrl_key() || e.meta_key();
    if ctrl {
        let lower = key.to_lowercase();
        if lower == "z" && !e.shift_key() {
            e.prevent_default();
            ctx.undo();
        } else if (lower == "z" && e.shift_key()) || lower == "y" {
            e.prevent_default();
            ctx.redo();
        }
        return;
    }
    let state = &ctx.state().reader;
    match key.as_str() {
        "h" | "n" | "H" | "N" => {
            // Only while the article is shown (the saved selection may outlive it).
            if doc.get_element_by_id("article").is_none() {
                return;
            }
            let Some(range) =
                selected_range_in_document(doc, &state.text).or_else(|| ctx.ui().selection.clone())
            else {
                return;
            };
            e.prevent_default();
            let id = ctx.highlight(range, state.last_color);
            clear_selection();
            let note = key.eq_ignore_ascii_case("n");
            ctx.set_ui(move |ui| {
                ui.selection = None;
                if note {
                    ui.popover = Some(id);
                    ui.focus_note = true;
                }
            });
        }
        "j" | "k" => {
            let order: Vec<String> = state
                .highlights_in_order()
                .into_iter()
                .filter(|a| state.placements.get(&a.id).is_some_and(|p| !p.is_orphan()))
                .map(|a| a.id.clone())
                .collect();
            if order.is_empty() {
                return;
            }
            e.prevent_default();
            let at = ctx
                .ui()
                .cursor
                .as_ref()
                .and_then(|c| order.iter().position(|id| id == c));
            let next = match (key.as_str(), at) {
                ("j", None) => 0,
                ("j", Some(i)) => (i + 1).min(order.len() - 1),
                (_, None) => order.len() - 1,
                (_, Some(i)) => i.saturating_sub(1),
            };
            let id = order[next].clone();
            reveal(state, &id);
            ctx.set_ui(move |ui| ui.cursor = Some(id));
        }
        // Enter on the article (after `j`/`k` or a jump) opens the highlight the cursor is on.
        "Enter" if ctx.ui().popover.is_none() && on_article(doc, e) => {
            let Some(id) = ctx.ui().cursor.clone() else {
                return;
            };
            if state.first_span(&id).is_none() {
                return;
            }
            e.prevent_default();
            ctx.set_ui(move |ui| {
                ui.popover = Some(id);
                ui.focus_note = false;
            });
        }
        "Escape" if ctx.ui().popover.is_some() || ctx.ui().selection.is_some() => {
            e.prevent_default();
            clear_selection();
            ctx.set_ui(|ui| {
                ui.popover = None;
                ui.selection = None;
            });
        }
        _ => {}
    }
}

/// Whether the key went to the article itself (or the page), not to a button or link.
fn on_article(doc: &web_sys::Document, e: &web_sys::KeyboardEvent) -> bool {
    let target = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    match target {
        None => true,
        Some(t) => t.id() == "article" || doc.body().is_some_and(|b| b.is_same_node(Some(&t))),
    }
}
