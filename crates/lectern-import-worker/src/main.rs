//! The import worker: a separate wasm module, loaded in a Web Worker the first time the reader
//! imports something, so the ~1 MB of importers (encodings, Markdown, Readability) never weighs
//! on opening the app.
//!
//! Protocol (structured-clone messages):
//! - worker → app, once: `{"ready": true}` (messages sent before the wasm loads would be lost);
//! - app → worker: `{"seq": n, "id": "<article id>", "name": "<file name>", "bytes": Uint8Array}`
//!   for a file, or `{"seq": n, "id": …, "text": "…"}` for pasted text; from the web (issue 16),
//!   `{"seq": n, "id": …, "web": "page", "html": "…", "url": "…", "title": "…"}` for a page the
//!   bookmarklet sent, `{"seq": n, "id": …, "web": "text", "title": …, "text": …, "url"?: …}`
//!   for shared text;
//! - worker → app: `{"seq": n, "article": "<Article JSON>"}` or `{"seq": n, "error": "<ImportError JSON>"}`.

use lectern_core::import::{import_file, import_text, import_web, ImportError};
use lectern_core::web::WebImport;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn answer(scope: &web_sys::DedicatedWorkerGlobalScope, seq: &JsValue, key: &str, json: String) {
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&out, &"seq".into(), seq);
    let _ = js_sys::Reflect::set(&out, &key.into(), &JsValue::from_str(&json));
    let _ = scope.post_message(&out);
}

fn handle(scope: &web_sys::DedicatedWorkerGlobalScope, data: &JsValue) {
    let seq = get(data, "seq");
    let id = get(data, "id").as_string().unwrap_or_default();
    let text = get(data, "text");
    let string = |k: &str| get(data, k).as_string().unwrap_or_default();
    let result = if let Some(web) = get(data, "web").as_string() {
        let what = if web == "page" {
            WebImport::Page {
                html: string("html").into(),
                url: string("url"),
                title: string("title"),
            }
        } else {
            WebImport::Text {
                title: string("title"),
                text: string("text"),
                url: get(data, "url").as_string(),
            }
        };
        import_web(&id, &what)
    } else if let Some(text) = text.as_string() {
        import_text(&id, &text)
    } else {
        let name = get(data, "name").as_string().unwrap_or_default();
        let bytes = js_sys::Uint8Array::new(&get(data, "bytes")).to_vec();
        import_file(&id, &name, &bytes)
    };
    match result {
        Ok(article) => answer(
            scope,
            &seq,
            "article",
            serde_json::to_string(&article).unwrap_or_default(),
        ),
        Err(e) => answer(scope, &seq, "error", error_json(&e)),
    }
}

fn error_json(e: &ImportError) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| r#"{"kind":"noArticle"}"#.to_owned())
}

fn main() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let s = scope.clone();
    let onmessage =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |msg: web_sys::MessageEvent| {
            handle(&s, &msg.data());
        });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &"ready".into(), &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}
