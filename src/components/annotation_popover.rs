//! The popover of one highlight: colour, note, tags, copy, delete. Opens next to the
//! highlight (a bottom sheet on narrow screens); Escape closes it and returns focus to the
//! article, with the keyboard cursor on the highlight.

use gloo::events::EventListener;
use lectern_core::annotation::Color;
use lectern_dom::env::copy_text;
use lectern_dom::paint::span_rect;
use lectern_dom::selection::article_element;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::note_editor::NoteEditor;
use crate::components::tag_editor::TagEditor;
use crate::store::use_app;

#[component]
pub fn AnnotationPopover() -> Html {
    let app = use_app();
    let t = app.t();
    let popover_ref = use_node_ref();

    // A press anywhere outside the popover closes it (a click on a highlight then opens that
    // one).
    {
        let app = app.clone();
        let popover_ref = popover_ref.clone();
        let open = app.ui().popover.is_some();
        use_effect_with(open, move |&open| {
            let listener = open
                .then(|| web_sys::window().and_then(|w| w.document()))
                .flatten()
                .map(|d| {
                    EventListener::new(&d, "mousedown", move |e| {
                        let Some(target) = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        else {
                            return;
                        };
                        let inside = popover_ref
                            .cast::<web_sys::Element>()
                            .is_some_and(|p| p.contains(Some(&target)));
                        if !inside {
                            // A pointer user moved on: no keyboard cursor left behind.
                            app.set_ui(|ui| {
                                ui.popover = None;
                                ui.focus_note = false;
                                ui.cursor = None;
                            });
                        }
                    })
                });
            move || drop(listener)
        });
    }

    // Opening moves focus into the popover (its colour buttons, or the note when asked for).
    {
        let popover_ref = popover_ref.clone();
        let key = (app.ui().popover.clone(), app.ui().focus_note);
        use_effect_with(key, move |(id, focus_note)| {
            if id.is_some() && !focus_note {
                if let Some(first) = popover_ref
                    .cast::<web_sys::Element>()
                    .and_then(|p| p.query_selector("button").ok().flatten())
                {
                    let _ = first.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }
        });
    }

    let state = &app.state().reader;
    let ui = app.ui();
    let Some(id) = ui.popover.clone() else {
        return html! {};
    };
    let Some(a) = state.annotation(&id).cloned() else {
        return html! {};
    };
    let rect = article_element()
        .zip(state.first_span(&id))
        .and_then(|(el, s)| span_rect(&el, s.block, s.start, s.end));
    let (top, left) = rect
        .map(|r| {
            let (sx, sy) = web_sys::window()
                .map(|w| (w.scroll_x().unwrap_or(0.0), w.scroll_y().unwrap_or(0.0)))
                .unwrap_or((0.0, 0.0));
            (r.bottom() + sy + 10.0, r.left() + sx)
        })
        .unwrap_or((120.0, 40.0));
    let read_only = !state.writable;

    let close = {
        let app = app.clone();
        let id = id.clone();
        Callback::from(move |()| {
            let id = id.clone();
            app.set_ui(move |ui| {
                ui.popover = None;
                ui.focus_note = false;
                ui.cursor = Some(id);
            });
            if let Some(el) = article_element() {
                let _ = el.focus();
            }
        })
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                e.stop_propagation();
                close.emit(());
            }
        })
    };
    let colors = Color::ALL.iter().map(|&c| {
        let app = app.clone();
        let id = id.clone();
        let onclick = Callback::from(move |_: MouseEvent| app.recolor(&id, c));
        html! {
            <button type="button" class={classes!("swatch", format!("swatch--{}", c.as_str()))}
                aria-label={t.color(c)} title={t.color(c)} aria-pressed={(a.color == c).to_string()}
                {onclick} disabled={read_only}></button>
        }
    });
    let onsave = {
        let app = app.clone();
        let id = id.clone();
        Callback::from(move |note: String| app.edit_note(&id, note))
    };
    let quote = a
        .target
        .as_ref()
        .map(|t| t.quote.exact.clone())
        .unwrap_or_default();
    let copy = Callback::from(move |_: MouseEvent| copy_text(&quote));
    let delete = {
        let app = app.clone();
        let id = id.clone();
        Callback::from(move |_: MouseEvent| {
            app.remove(&id);
            app.set_ui(|ui| ui.popover = None);
        })
    };
    // Other highlights under the same text, to switch to.
    let mark_ids: Vec<String> = state.overlapping(&id);
    let also = mark_ids.iter().filter_map(|other| {
        let o = state.annotation(other)?;
        let app = app.clone();
        let other = other.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let other = other.clone();
            app.set_ui(move |ui| ui.popover = Some(other));
        });
        Some(html! {
            <button type="button" class={classes!("chip", format!("chip--{}", o.color.as_str()))} {onclick}>
                { t.color(o.color) }
            </button>
        })
    });
    let close_click = {
        let close = close.clone();
        Callback::from(move |_: MouseEvent| close.emit(()))
    };
    let style = format!("top:{}px;left:{}px", top.round(), left.round());
    html! {
        <section ref={popover_ref} class="popover" role="dialog" aria-label={t.highlight} {style} {onkeydown}>
            <div class="popover__head">
                <div class="popover__colors" role="group" aria-label={t.highlight}>{ for colors }</div>
                <button type="button" class="icon-button icon-button--small" aria-label={t.close} title={t.close} onclick={close_click}>
                    <span aria-hidden="true">{"×"}</span>
                </button>
            </div>
            if !mark_ids.is_empty() {
                <p class="popover__also">{ t.also_here }{" "}{ for also }</p>
            }
            <NoteEditor id={format!("note-{id}")} label={t.note} placeholder={t.note_placeholder}
                value={a.note.clone()} {onsave} autofocus={ui.focus_note} disabled={read_only} />
            <TagEditor id={id.clone()} tags={a.tags.clone()} disabled={read_only} />
            <div class="popover__actions">
                <button type="button" class="button" onclick={copy}>{ t.copy_quote }</button>
                <button type="button" class="button button--danger" onclick={delete} disabled={read_only}>{ t.delete }</button>
            </div>
        </section>
    }
}
