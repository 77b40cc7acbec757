//! Clock, randomness, clipboard and downloads.

use lectern_core::annotation::uuid_v4_from_bytes;
use wasm_bindgen::JsCast;

/// Now as ISO 8601 UTC with milliseconds (`2026-11-29T11:50:19.123Z`), the format annotation
/// timestamps use and compare as strings.
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A random UUID v4 from `crypto.getRandomValues`; falls back to `Math.random` where there is
/// no `crypto` (ids only need to be unique, not secret).
pub fn random_uuid() -> String {
    uuid_v4_from_bytes(random_bytes())
}

/// 16 random bytes from `crypto.getRandomValues` (`Math.random` where there is no `crypto`).
pub fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// Put `text` on the clipboard (asynchronously; failures are ignored: the browser may refuse
/// without a user gesture, and the text is still selectable on the page).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Offer `content` as a file download named `filename`.
pub fn download(filename: &str, mime: &str, content: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "cannot make a file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make a URL")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "cannot make a link")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    let body = doc.body().ok_or("no body")?;
    let _ = body.append_child(&a);
    a.click();
    a.remove();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
