//! What both benchmark pages (the first paint's and the app's, `?bench`) need from the
//! browser: the query that asks for them and the text they load. Only the `bench` builds
//! call these.

use lectern_core::article::Article;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The id of the benchmark's article (its annotations live under their own storage key).
pub const BENCH_ID: &str = "bench";
const BENCH_TITLE: &str = "Benchmark article";

/// The benchmark's article, the same for the first paint and the app (so the app takes the
/// first paint's body over): the text at `text_url` (the seed's lines without one), one
/// paragraph per line. A failed fetch is logged and gives an empty article.
pub async fn article(text_url: Option<String>, seed: &str) -> Article {
    let text = match text_url {
        Some(url) => fetch_text(&url).await.unwrap_or_else(|e| {
            web_sys::console::error_1(&e);
            String::new()
        }),
        None => seed.trim_end().replace("\r\n", "\n"),
    };
    Article::from_lines(BENCH_ID, BENCH_TITLE, &text)
}

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
async fn fetch_text(url: &str) -> Result<String, wasm_bindgen::JsValue> {
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
