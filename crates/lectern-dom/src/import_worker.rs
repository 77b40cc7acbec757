//! The app's side of the import worker (see `crates/lectern-import-worker`): start it on first
//! use, wait until its wasm is ready, send one request at a time and await its answer.
//!
//! The worker's files sit next to the app's own (`lectern-import.js`, `lectern-import_bg.wasm`),
//! so their URL is taken from the app's script URL, which works under any sub-path.
//!
//! A worker that fails (its files do not load, its wasm traps on a hostile file) fails every
//! request it holds with a reason, and the next request starts a fresh one. A request not
//! answered within [`TIMEOUT_MS`] is failed the same way and its worker terminated, so one
//! pathological file can never leave the import hanging.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use lectern_core::article::Article;
use lectern_core::import::ImportError;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What the worker made of a request.
pub type Outcome = Result<Article, ImportError>;

/// How long one file may take in the worker (a 20 MB page on a slow phone takes seconds).
pub const TIMEOUT_MS: i32 = 90_000;

/// Resolve and reject of a request's promise.
type Pending = Rc<RefCell<HashMap<u32, (js_sys::Function, js_sys::Function)>>>;

struct Client {
    worker: web_sys::Worker,
    ready: js_sys::Promise,
    pending: Pending,
    next: u32,
    /// Set when the worker failed: the next request starts a new one.
    dead: Rc<Cell<bool>>,
    _onmessage: Closure<dyn Fn(web_sys::MessageEvent)>,
    _onerror: Closure<dyn Fn(web_sys::ErrorEvent)>,
}

impl Client {
    /// Fail every request this worker holds with `why`, and stop it.
    fn fail_all(pending: &Pending, dead: &Cell<bool>, why: &str) {
        dead.set(true);
        for (_, (_, reject)) in pending.borrow_mut().drain() {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(why));
        }
    }
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The directory the app's files are served from (`https://host/sub/path/`): the loader
/// script's `data-base` (see `Trunk.toml`), resolved against the document.
fn asset_base() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let base = doc
        .get_element_by_id("lectern-loader")?
        .get_attribute("data-base")?;
    let abs = web_sys::Url::new_with_base(&base, &doc.base_uri().ok()??)
        .ok()?
        .href();
    Some(abs[..abs.rfind('/')? + 1].to_owned())
}

/// `?build=<id>` with the page's build (the loader's `data-build`, written at build time by
/// tools/precache.mjs), or nothing. The worker's files have fixed names: with the build in
/// their URLs, the service worker answers them from the page's own build even after a newer
/// build has taken over in another tab, and no HTTP cache hands out another build's copy
/// (docs/adr/0005-service-worker.md).
fn build_query() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("lectern-loader"))
        .and_then(|e| e.get_attribute("data-build"))
        .filter(|b| !b.is_empty() && b.bytes().all(|c| c.is_ascii_hexdigit()))
        .map(|b| format!("?build={b}"))
        .unwrap_or_default()
}

fn start() -> Result<Client, String> {
    let base = asset_base().ok_or("cannot find the app's script URL")?;
    let v = build_query();
    // A classic worker that loads wasm-bindgen's no-modules glue, then the wasm. A wasm that
    // fails to load is thrown from a task of its own, so it reaches the worker's `error` event
    // (a rejected promise would not).
    let script = format!(
        "importScripts({js:?});wasm_bindgen({wasm:?}).catch((e)=>setTimeout(()=>{{throw e;}}));",
        js = format!("{base}lectern-import.js{v}"),
        wasm = format!("{base}lectern-import_bg.wasm{v}"),
    );
    let parts = js_sys::Array::of1(&JsValue::from_str(&script));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "cannot make the worker script")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "cannot make the worker URL")?;
    let worker = web_sys::Worker::new(&url).map_err(|_| "cannot start the import worker")?;

    let pending: Pending = Rc::default();
    let dead: Rc<Cell<bool>> = Rc::default();
    let ready_fns: Rc<RefCell<Option<(js_sys::Function, js_sys::Function)>>> = Rc::default();
    let rf = ready_fns.clone();
    let ready = js_sys::Promise::new(&mut move |resolve, reject| {
        *rf.borrow_mut() = Some((resolve, reject));
    });
    let p = pending.clone();
    let rf = ready_fns.clone();
    let onmessage =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |msg: web_sys::MessageEvent| {
            let data = msg.data();
            if get(&data, "ready").is_truthy() {
                if let Some((resolve, _)) = rf.borrow_mut().take() {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                return;
            }
            let seq = get(&data, "seq").as_f64().unwrap_or(-1.0) as u32;
            if let Some((resolve, _)) = p.borrow_mut().remove(&seq) {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    let (p, d, w) = (pending.clone(), dead.clone(), worker.clone());
    let onerror = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        e.prevent_default();
        let why = format!("the import worker stopped ({})", e.message());
        if let Some((_, reject)) = ready_fns.borrow_mut().take() {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
        }
        Client::fail_all(&p, &d, &why);
        w.terminate();
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        ready,
        pending,
        next: 1,
        dead,
        _onmessage: onmessage,
        _onerror: onerror,
    })
}

/// Resolves after `ms` with nothing (to race an answer against, or to wait).
pub(crate) fn timeout(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}

/// The text of a rejection (our own reasons are strings).
fn reason(e: JsValue) -> String {
    e.as_string()
        .unwrap_or_else(|| "the import worker failed".to_owned())
}

/// Send `request` (an object without `seq`) and await the worker's answer.
async fn call(request: js_sys::Object) -> Result<JsValue, String> {
    let (ready, answer, worker, pending, dead, seq) = CLIENT.with(|c| -> Result<_, String> {
        let mut c = c.borrow_mut();
        if c.as_ref().is_none_or(|client| client.dead.get()) {
            // First use, or the last worker failed: a fresh one.
            *c = Some(start()?);
        }
        let client = c.as_mut().expect("just started");
        let seq = client.next;
        client.next += 1;
        let _ = js_sys::Reflect::set(&request, &"seq".into(), &JsValue::from(seq));
        let pending = client.pending.clone();
        let answer = js_sys::Promise::new(&mut |resolve, reject| {
            pending.borrow_mut().insert(seq, (resolve, reject));
        });
        Ok((
            client.ready.clone(),
            answer,
            client.worker.clone(),
            pending,
            client.dead.clone(),
            seq,
        ))
    })?;
    let ready = js_sys::Promise::race(&js_sys::Array::of2(&ready, &timeout(TIMEOUT_MS)));
    JsFuture::from(ready).await.map_err(reason)?;
    if dead.get() {
        return Err("the import worker did not start".to_owned());
    }
    worker
        .post_message(&request)
        .map_err(|_| "the import worker refused the file")?;
    let timed = js_sys::Promise::race(&js_sys::Array::of2(&answer, &timeout(TIMEOUT_MS)));
    let data = JsFuture::from(timed).await.map_err(reason)?;
    if data.is_undefined() {
        // No answer in time: this worker is stuck on the file; the next request gets a new one.
        pending.borrow_mut().remove(&seq);
        Client::fail_all(
            &pending,
            &dead,
            "the import worker took too long and was stopped",
        );
        worker.terminate();
        return Err(format!(
            "the file took more than {} s to import and was given up",
            TIMEOUT_MS / 1000
        ));
    }
    Ok(data)
}

fn decode(answer: JsValue) -> Result<Outcome, String> {
    if let Some(json) = get(&answer, "article").as_string() {
        return serde_json::from_str::<Article>(&json)
            .map(Ok)
            .map_err(|e| e.to_string());
    }
    let json = get(&answer, "error")
        .as_string()
        .ok_or("the import worker gave no answer")?;
    serde_json::from_str::<ImportError>(&json)
        .map(Err)
        .map_err(|e| e.to_string())
}

/// Import a file's bytes as article `id`.
pub async fn import_file(id: &str, name: &str, bytes: &[u8]) -> Result<Outcome, String> {
    let req = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&req, &"id".into(), &id.into());
    let _ = js_sys::Reflect::set(&req, &"name".into(), &name.into());
    let _ = js_sys::Reflect::set(&req, &"bytes".into(), &js_sys::Uint8Array::from(bytes));
    decode(call(req).await?)
}

/// Import pasted text as article `id`.
pub async fn import_text(id: &str, text: &str) -> Result<Outcome, String> {
    let req = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&req, &"id".into(), &id.into());
    let _ = js_sys::Reflect::set(&req, &"text".into(), &text.into());
    decode(call(req).await?)
}

// --- web import (issue 16) ---

/// Import a page the bookmarklet sent, or shared text, as article `id`
/// (`lectern_core::import::import_web` in the worker).
pub async fn import_web(id: &str, what: &lectern_core::web::WebImport) -> Result<Outcome, String> {
    use lectern_core::web::WebImport;
    let req = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&req, &k.into(), v);
    };
    set("id", &id.into());
    match what {
        WebImport::Page { html, url, title } => {
            set("web", &"page".into());
            set("html", &JsValue::from_str(html));
            set("url", &url.into());
            set("title", &title.into());
        }
        WebImport::Text { title, text, url } => {
            set("web", &"text".into());
            set("title", &title.into());
            set("text", &text.into());
            if let Some(url) = url {
                set("url", &url.into());
            }
        }
    }
    decode(call(req).await?)
}
