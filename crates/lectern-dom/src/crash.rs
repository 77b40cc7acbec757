//! What the reader sees when Lectern hits a bug (a Rust panic, which in a release build aborts
//! the app): a clear message that their data is safe, a link to download a copy of everything
//! Lectern keeps, and a link to reload — built with plain DOM calls and links only (no event
//! handler into the app, which is gone after the panic), and writing nothing to storage.

use lectern_core::i18n::Lang;
use wasm_bindgen::JsCast;

/// Install [`show`] as the panic hook: a panic shows the message instead of freezing silently.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        show(&info.to_string());
    }));
}

/// Every `lectern.*` key of `localStorage` with its raw value, as one JSON object: the rescue
/// copy (restorable value by value; nothing is interpreted, so nothing can fail to parse).
/// The sync password and passphrase ([`lectern_core::sync::config::SECRET_KEY`]) are never in
/// it: a copy is a file that travels.
pub fn rescue_json() -> String {
    let mut out = serde_json::Map::new();
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let n = s.length().unwrap_or(0);
        for i in 0..n {
            let Some(k) = s.key(i).ok().flatten() else {
                continue;
            };
            if !k.starts_with("lectern.") || k == lectern_core::sync::config::SECRET_KEY {
                continue;
            }
            if let Ok(Some(v)) = s.get_item(&k) {
                out.insert(k, serde_json::Value::String(v));
            }
        }
    }
    serde_json::Value::Object(out).to_string()
}

/// Show the "Lectern hit a bug" message over the page (once), with `detail` for a bug report.
pub fn show(detail: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc.get_element_by_id("lectern-crash").is_some() {
        return;
    }
    let Some(body) = doc.body() else {
        return;
    };
    let root = doc.document_element();
    let lang = match root.as_ref().and_then(|r| r.get_attribute("lang")) {
        Some(l) if l.starts_with("ru") => Lang::Ru,
        _ => Lang::En,
    };
    let t = lang.strings();
    if let Some(r) = &root {
        let _ = r.set_attribute("data-crashed", "");
    }
    let make = |tag: &str| doc.create_element(tag).ok();
    let Some(box_) = make("div") else { return };
    box_.set_id("lectern-crash");
    box_.set_class_name("crash");
    let _ = box_.set_attribute("role", "alertdialog");
    let _ = box_.set_attribute("aria-labelledby", "lectern-crash-title");
    let _ = box_.set_attribute("aria-describedby", "lectern-crash-text");
    if let Some(h) = make("h2") {
        h.set_id("lectern-crash-title");
        h.set_text_content(Some(t.crash_title));
        let _ = box_.append_child(&h);
    }
    if let Some(p) = make("p") {
        p.set_id("lectern-crash-text");
        p.set_text_content(Some(t.crash_text));
        let _ = box_.append_child(&p);
    }
    let actions = make("p");
    if let Some(actions) = &actions {
        actions.set_class_name("crash__actions");
        // The copy as a file link: a blob made now, while the data is readable.
        let json = rescue_json();
        let parts = js_sys::Array::of1(&json.into());
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("application/json");
        let url = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
            .ok()
            .and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok());
        if let (Some(url), Some(a)) = (url, make("a")) {
            let _ = a.set_attribute("href", &url);
            let _ = a.set_attribute("download", "lectern-rescue-copy.json");
            a.set_class_name("button button--primary");
            a.set_text_content(Some(t.crash_download));
            let _ = actions.append_child(&a);
        }
        if let Some(a) = make("a") {
            let here = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let _ = a.set_attribute("href", &here);
            a.set_class_name("button");
            a.set_text_content(Some(t.crash_reload));
            let _ = actions.append_child(&a);
        }
        let _ = box_.append_child(actions);
    }
    if let (Some(d), Some(s), Some(pre)) = (make("details"), make("summary"), make("pre")) {
        s.set_text_content(Some(t.crash_details));
        pre.set_text_content(Some(detail));
        let _ = d.append_child(&s);
        let _ = d.append_child(&pre);
        let _ = box_.append_child(&d);
    }
    let _ = body.append_child(&box_);
    if let Some(first) = box_
        .query_selector("a")
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = first.focus();
    }
}
