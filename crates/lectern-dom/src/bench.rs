//! What both benchmark pages (the first paint's and the app's, `?bench`) need from the
//! browser: the query that asks for them and the text they load. Only the `bench` builds
//! call these.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `Some(text URL)` when the page was opened with `?bench` (`&text=URL`; `None` inside: the
/// seed article's lines are the text), `None` for the normal app.
pub fn requested() -> Option<Option<String>> {
    let search = web_sys::window()?.location().search().ok()?;
    let query = search.strip_prefix('?')?;
    let mut bench = false;
    let mut text = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "bench" => bench = true,
            "text" => {
                text = js_sys::decode_uri_component(v)
                    .ok()
                    .map(String::from)
                    .filter(|s| !s.is_empty())
            }
            _ => {}
        }
    }
    bench.then_some(text)
}

/// The text at `url` (UTF-8). Read as bytes and copied into wasm memory as they are, not
/// decoded to a JS string first and encoded back.
pub async fn fetch_text(url: &str) -> Result<String, wasm_bindgen::JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await?
        .dyn_into()?;
    if !resp.ok() {
        return Err(format!("GET {url}: {}", resp.status()).into());
    }
    let buf = JsFuture::from(resp.array_buffer()?).await?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    String::from_utf8(bytes).map_err(|_| "not UTF-8".into())
}
