//! The app's side of the first paint (`crates/lectern-boot`, ADR 0003): take over the article
//! body it rendered, then remove the rest of it, keeping the reader's selection and scroll.
//!
//! Order: [`keep_selection`] before the app's first render; [`take_body`] while rendering the
//! reader (the body element moves into the app's tree, which resets a selection inside it);
//! [`finish`] after that render, before anything looks up `#article` (the first paint's
//! `<article>` has the same id until it is removed).

use std::cell::RefCell;

use wasm_bindgen::JsCast;

thread_local! {
    /// The selection when the app started: (anchor node, offset, focus node, offset).
    static SELECTION: RefCell<Option<(web_sys::Node, u32, web_sys::Node, u32)>> = const { RefCell::new(None) };
    /// The app took the first paint's body over (and has not asked since).
    static SHOWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn boot() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id("boot")
}

/// Remember the selection, if the first paint is on screen and something is selected.
pub fn keep_selection() {
    let Some(boot) = boot() else { return };
    let Some(sel) = web_sys::window().and_then(|w| w.get_selection().ok().flatten()) else {
        return;
    };
    let (Some(a), Some(f)) = (sel.anchor_node(), sel.focus_node()) else {
        return;
    };
    if boot.contains(Some(&a)) && boot.contains(Some(&f)) {
        let kept = (a, sel.anchor_offset(), f, sel.focus_offset());
        SELECTION.with(|s| *s.borrow_mut() = Some(kept));
    }
}

/// The first paint's body element if it shows article `id` with `bytes` bytes of block text
/// ([`lectern_core::render::body_bytes`]); the caller puts it into its own tree.
pub fn take_body(id: &str, bytes: usize) -> Option<web_sys::Node> {
    let body = boot()?.query_selector(".reader__body").ok()??;
    let same = body.get_attribute("data-article").as_deref() == Some(id)
        && body.get_attribute("data-bytes") == Some(bytes.to_string());
    if same {
        SHOWN.with(|s| s.set(true));
    }
    same.then(|| body.unchecked_into())
}

/// Whether the app took the first paint's body over since the last call: the article is on
/// screen as the first paint showed it (and the reader may have scrolled it).
pub fn take_shown() -> bool {
    SHOWN.with(|s| s.replace(false))
}

/// Whether the first paint showed the article where the reader left it (see [`take_resumed`]).
pub fn has_resumed() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .is_some_and(|r| r.has_attribute("data-resumed"))
}

/// Remove what is left of the first paint and put the selection back. Safe to call again.
pub fn finish() {
    if let Some(boot) = boot() {
        // The layout is the same once the first paint is gone, but scroll anchoring would
        // follow the anchor it picked inside it (to the top of the page): off while the first
        // paint goes and the layout is brought up to date.
        let root = boot
            .owner_document()
            .and_then(|d| d.document_element())
            .and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(root) = &root {
            let _ = root.style().set_property("overflow-anchor", "none");
        }
        boot.remove();
        if let Some(root) = &root {
            let _ = root.scroll_top();
            let _ = root.style().remove_property("overflow-anchor");
        }
    }
    if let Some((a, ao, f, fo)) = SELECTION.with(|s| s.borrow_mut().take()) {
        let connected = a.is_connected() && f.is_connected();
        if let Some(sel) = web_sys::window().and_then(|w| w.get_selection().ok().flatten()) {
            if connected {
                let _ = sel.set_base_and_extent(&a, ao, &f, fo);
            }
        }
    }
}

/// Say that the interface has loaded: `<html data-app="ready">` (what end-to-end tests wait
/// for) and a `lectern-interactive` performance mark (what the benchmark reports).
pub fn mark_interactive() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-app", "ready");
    }
    if let Some(p) = window.performance() {
        let _ = p.mark("lectern-interactive");
    }
}

/// Whether the first paint showed the article where the reader left it (`data-resumed` on the
/// root, which this takes away).
pub fn take_resumed() -> bool {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return false;
    };
    let resumed = root.has_attribute("data-resumed");
    let _ = root.remove_attribute("data-resumed");
    resumed
}
