//! Files dropped anywhere on the window, and text or files pasted on the library, are
//! imported (the store's `import_files` / `import_text`: the core decides, the runner reads
//! and stores).

use gloo::events::{EventListener, EventListenerOptions};
use lectern_core::state::View;
use lectern_dom::files::files_of;
use lectern_dom::selection::is_text_field;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::store::AppContext;

/// Files dropped anywhere on the window are imported; Ctrl+V on the library imports the
/// clipboard's text.
#[hook]
pub fn use_drop_import(ctx: &AppContext) {
    let ctx = ctx.clone();
    let view = ctx.state().view;
    use_effect_with((ctx, view), |(ctx, view)| {
        let mut listeners = Vec::new();
        if let Some(w) = web_sys::window() {
            let opts = EventListenerOptions::enable_prevent_default();
            let c = ctx.clone();
            listeners.push(EventListener::new_with_options(
                &w,
                "dragover",
                opts,
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::DragEvent>() else {
                        return;
                    };
                    let has_files = e.data_transfer().is_some_and(|dt| {
                        dt.types()
                            .iter()
                            .any(|t| t.as_string().as_deref() == Some("Files"))
                    });
                    if has_files {
                        e.prevent_default();
                        if !c.ui().dragging {
                            c.set_ui(|ui| ui.dragging = true);
                        }
                    }
                },
            ));
            let c = ctx.clone();
            listeners.push(EventListener::new_with_options(
                &w,
                "dragleave",
                opts,
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::DragEvent>() else {
                        return;
                    };
                    // Leaving the window (not moving between elements).
                    if e.related_target().is_none() {
                        c.set_ui(|ui| ui.dragging = false);
                    }
                },
            ));
            let c = ctx.clone();
            listeners.push(EventListener::new_with_options(
                &w,
                "drop",
                opts,
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::DragEvent>() else {
                        return;
                    };
                    let files = files_of(e.data_transfer().and_then(|dt| dt.files()));
                    if !files.is_empty() {
                        e.prevent_default();
                        c.import_files(files);
                    }
                    c.set_ui(|ui| ui.dragging = false);
                },
            ));
            if *view == View::Library {
                if let Some(d) = w.document() {
                    let c = ctx.clone();
                    listeners.push(EventListener::new_with_options(
                        &d,
                        "paste",
                        opts,
                        move |e| {
                            if is_text_field(e.target()) {
                                return;
                            }
                            let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                                return;
                            };
                            let dt = e.clipboard_data();
                            let files = files_of(dt.as_ref().and_then(|d| d.files()));
                            if !files.is_empty() {
                                e.prevent_default();
                                c.import_files(files);
                            } else if let Some(text) =
                                dt.and_then(|d| d.get_data("text/plain").ok())
                            {
                                if !text.trim().is_empty() {
                                    e.prevent_default();
                                    c.import_text(text);
                                }
                            }
                        },
                    ));
                }
            }
        }
        move || drop(listeners)
    });
}
