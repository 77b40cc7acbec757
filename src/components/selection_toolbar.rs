//! The toolbar that appears next to a text selection in the article: five colours, "Add
//! note", "Copy quote". Announced to screen readers; Tab moves into it.

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Timeout;
use lectern_core::annotation::Color;
use lectern_dom::env::copy_text;
use lectern_dom::selection::{clear_selection, selected_range_in_document, selection_rect};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::store::use_app;

/// Where the toolbar sits, in page coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spot {
    top: f64,
    left: f64,
}

#[component]
pub fn SelectionToolbar() -> Html {
    let app = use_app();
    let t = app.t();
    let spot = use_state(|| None::<Spot>);
    let copied = use_state(|| false);
    let toolbar_ref = use_node_ref();

    // Follow the selection: recompute shortly after it settles (not on every mouse move of
    // a drag), and on pointer/key release.
    {
        let app = app.clone();
        let spot = spot.clone();
        let copied = copied.clone();
        let toolbar_ref = toolbar_ref.clone();
        use_effect_with(app.state().reader.text.clone(), move |article| {
            let article = article.clone();
            let pending = std::rc::Rc::new(std::cell::RefCell::new(None::<Timeout>));
            // While a mouse button is down the reader is still selecting: no toolbar yet.
            let pressing = std::rc::Rc::new(std::cell::Cell::new(false));
            let pressing_in_update = pressing.clone();
            let update = move || {
                let pressing = pressing_in_update.clone();
                let spot = spot.clone();
                let app = app.clone();
                let article = article.clone();
                let copied = copied.clone();
                let toolbar_ref = toolbar_ref.clone();
                Timeout::new(120, move || {
                    if pressing.get() {
                        return;
                    }
                    // Focus inside the toolbar keeps it open on the saved range.
                    let focus_inside = toolbar_ref
                        .cast::<web_sys::Element>()
                        .zip(
                            web_sys::window()
                                .and_then(|w| w.document())
                                .and_then(|d| d.active_element()),
                        )
                        .is_some_and(|(bar, active)| bar.contains(Some(&active)));
                    if focus_inside {
                        return;
                    }
                    let range = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| selected_range_in_document(&d, &article));
                    match (range, selection_rect()) {
                        (Some(range), Some(rect)) => {
                            let (sx, sy, vw) = web_sys::window()
                                .map(|w| {
                                    (
                                        w.scroll_x().unwrap_or(0.0),
                                        w.scroll_y().unwrap_or(0.0),
                                        w.inner_width()
                                            .ok()
                                            .and_then(|v| v.as_f64())
                                            .unwrap_or(800.0),
                                    )
                                })
                                .unwrap_or((0.0, 0.0, 800.0));
                            // Keep the whole toolbar (about 380 px wide) on screen.
                            let center = (rect.left() + rect.width() / 2.0)
                                .clamp(200.0, (vw - 200.0).max(200.0));
                            spot.set(Some(Spot {
                                top: rect.bottom() + sy + 10.0,
                                left: center + sx,
                            }));
                            copied.set(false);
                            app.set_ui(move |ui| ui.selection = Some(range));
                        }
                        _ => {
                            spot.set(None);
                            app.set_ui(|ui| ui.selection = None);
                        }
                    }
                })
            };
            let doc = web_sys::window().and_then(|w| w.document());
            let listeners: Vec<EventListener> = doc
                .map(|d| {
                    let mut ls: Vec<EventListener> =
                        ["selectionchange", "mouseup", "keyup", "touchend"]
                            .into_iter()
                            .map(|ev| {
                                let update = update.clone();
                                let pending = pending.clone();
                                let pressing = pressing.clone();
                                EventListener::new(&d, ev, move |_| {
                                    if ev == "mouseup" {
                                        pressing.set(false);
                                    }
                                    *pending.borrow_mut() = Some(update());
                                })
                            })
                            .collect();
                    let pressing = pressing.clone();
                    ls.push(EventListener::new(&d, "mousedown", move |e| {
                        // A press inside the toolbar itself is not a new selection.
                        let on_toolbar = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .and_then(|el| el.closest(".toolbar").ok().flatten())
                            .is_some();
                        if !on_toolbar {
                            pressing.set(true);
                        }
                    }));
                    ls
                })
                .unwrap_or_default();
            move || drop(listeners)
        });
    }

    // Tab while a selection has the toolbar open moves focus into it.
    {
        let toolbar_ref = toolbar_ref.clone();
        let visible = spot.is_some();
        use_effect_with(visible, move |&visible| {
            let listener = visible.then(|| {
                let doc = web_sys::window().and_then(|w| w.document());
                doc.map(|d| {
                    let d2 = d.clone();
                    EventListener::new_with_options(
                        &d,
                        "keydown",
                        EventListenerOptions::enable_prevent_default(),
                        move |e| {
                            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                                return;
                            };
                            if e.key() != "Tab" || e.shift_key() {
                                return;
                            }
                            let Some(bar) = toolbar_ref.cast::<web_sys::Element>() else {
                                return;
                            };
                            let inside =
                                d2.active_element().is_some_and(|a| bar.contains(Some(&a)));
                            if !inside {
                                if let Some(first) = bar.query_selector("button").ok().flatten() {
                                    e.prevent_default();
                                    let _ = first.unchecked_into::<web_sys::HtmlElement>().focus();
                                }
                            }
                        },
                    )
                })
            });
            move || drop(listener)
        });
    }

    let Some(at) = *spot else {
        return html! { <div class="visually-hidden" aria-live="polite"></div> };
    };
    let Some(range) = app.ui().selection.clone() else {
        return html! { <div class="visually-hidden" aria-live="polite"></div> };
    };

    let close = {
        let spot = spot.clone();
        let app = app.clone();
        move || {
            clear_selection();
            spot.set(None);
            app.set_ui(|ui| ui.selection = None);
        }
    };
    let swatches = Color::ALL.iter().map(|&color| {
        let app = app.clone();
        let range = range.clone();
        let close = close.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            app.highlight(live_range(&app).unwrap_or_else(|| range.clone()), color);
            close();
        });
        let label = format!("{} {}", t.highlight_in, t.color(color).to_lowercase());
        html! {
            <button type="button" class={classes!("swatch", format!("swatch--{}", color.as_str()))}
                aria-label={label.clone()} title={label} {onclick}>
            </button>
        }
    });
    let add_note = {
        let app = app.clone();
        let range = range.clone();
        let close = close.clone();
        Callback::from(move |_: MouseEvent| {
            let range = live_range(&app).unwrap_or_else(|| range.clone());
            let id = app.highlight(range, app.state().reader.last_color);
            close();
            app.set_ui(move |ui| {
                ui.popover = Some(id);
                ui.focus_note = true;
            });
        })
    };
    let copy = {
        let app = app.clone();
        let range = range.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(q) = app
                .state()
                .reader
                .text_str()
                .get(range.start.0..range.end.0)
            {
                copy_text(q);
                copied.set(true);
            }
        })
    };
    let onkeydown = {
        let close = close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                close();
            }
        })
    };
    // Keep the text selection when pressing a button with the mouse.
    let keep_selection = Callback::from(|e: MouseEvent| e.prevent_default());
    let style = format!("top:{}px;left:{}px", at.top.round(), at.left.round());
    html! {
        <>
            <div class="visually-hidden" aria-live="polite">{ t.toolbar_hint }</div>
            <div ref={toolbar_ref} class="toolbar" role="toolbar" aria-label={t.highlight_toolbar} {style}
                onmousedown={keep_selection} {onkeydown}>
                <div class="toolbar__swatches">{ for swatches }</div>
                <span class="toolbar__sep" aria-hidden="true"></span>
                <button type="button" class="toolbar__button" onclick={add_note}>{ t.add_note }</button>
                <button type="button" class="toolbar__button" onclick={copy}>
                    { if *copied { t.copied } else { t.copy_quote } }
                </button>
            </div>
        </>
    }
}

/// The selection in the article right now (it may have grown since the toolbar appeared).
fn live_range(
    app: &crate::store::AppContext,
) -> Option<std::ops::Range<lectern_core::text::ByteOffset>> {
    selected_range_in_document(&web_sys::window()?.document()?, &app.state().reader.text)
}
