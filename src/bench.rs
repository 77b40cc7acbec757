//! The benchmark page: only when the URL has `?bench` (never in the normal UI).
//!
//! `index.html?bench&text=/data/article-1m.txt` fetches the text (one paragraph per line), mounts
//! the real `<App/>` with it as the open article (through the app's one seam, [`Services`]: a
//! store that holds the article beside `localStorage`, the URL `#/a/bench`, and an observer
//! that sees every render and paint), and defines `window.annotatorBench`, the page
//! interface of the peer benchmark harness (`../shared/bench/README.md`, "Page interface"):
//! `name`, `ready`, `articleText()`, `ops()` and `run(name, payload)`. `cargo xtask bench` drives
//! it. Everything measured goes through the real code: the core's `Anchorer` and `Describer`,
//! the store's reducer and write-through, the reader components; this module only converts and
//! times.
//!
//! Ops (each returns `{ms, done, results?, extra?}`, times from `performance.now()`):
//! - `anchor`: one `Anchorer` for the text, then every quote as a `Target` with only
//!   exact/prefix/suffix usable (position 0, no text hash), so the quote search is measured;
//!   results in UTF-16 offsets. `ms` includes building the `Anchorer`; the quotes are read from
//!   their JS objects into `Target`s before the clock starts (the app holds them as Rust values).
//! - `anchor-stored`: the same, but each `Target` also carries the quote's start/end as its
//!   stored position (code points; the corpus is all BMP) — what Lectern stores and uses on
//!   restore (still no text hash, so the position is only trusted if the text there agrees).
//!   Unlike the peers' anchor ops, this one uses `start`/`end`.
//! - `describe`: one `Describer`, then each quote's UTF-16 start/end → bytes → `Target`.
//! - `highlight`: N annotations (described beforehand, untimed) arrive in one store action
//!   (`AnnotationsChangedElsewhere`, what another tab's write does): reducer, anchoring (stored
//!   positions), Yew render, until every id is painted (`CSS.highlights`); `extra.paintMs` is
//!   the painting itself (spans + ranges), `extra.layoutMs` the forced layout after it.
//! - `restore`: the same N annotations written to `localStorage` first (untimed), then read,
//!   parsed, merged, anchored and painted; `extra` has the JS heap and wasm memory after it.
//! - `add-one`: N highlights present (untimed), then the DOM selection → `selected_range` →
//!   `AppContext::highlight` → painted + layout; then one note edit (`noteMs`, to the next task)
//!   and the bytes that action wrote (`noteWriteBytes`).
//! - `interactive`: when the page load put the article on screen (the first paint) and when
//!   the app's interface was up, from navigation start.
//! - `store`: N annotations written through `save_annotations` and read back with
//!   `load_annotations` (`localStorage`), with the bytes written.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use lectern_core::anchor::{Anchorer, Describer};
use lectern_core::annotation::{
    Annotation, Color, Target, TextPositionSelector, TextQuoteSelector,
};
use lectern_core::annotations_doc::{
    annotations_key, load_annotations, save_annotations, AnnotationsDoc,
};
use lectern_core::state::Action;
use lectern_core::storage::KeyValueStore;
use lectern_core::text::{ByteOffset, CodePointOffset, TextIndex, Utf16Offset};
use lectern_dom::env::now_iso;
use lectern_dom::local_store::LocalStore;
use lectern_dom::selection::selected_range;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::app::{App, AppProps};
use crate::store::{AppContext, Observer, Services};
use lectern_core::storage::StoreError;
use lectern_dom::paint::PaintStats;

/// Where the `store` op writes (not the open article's key).
const STORE_ID: &str = "bench-store";
const COLORS: [Color; 5] = [
    Color::Yellow,
    Color::Green,
    Color::Blue,
    Color::Pink,
    Color::Purple,
];

thread_local! {
    /// The app's context as of its latest render (set by [`Probe`]).
    static CTX: RefCell<Option<AppContext>> = const { RefCell::new(None) };
    /// Resolves `annotatorBench.ready`.
    static READY: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// What the reader's last paint did.
    static LAST_PAINT: std::cell::Cell<PaintStats> = std::cell::Cell::new(PaintStats::default());
}

pub use lectern_dom::bench::requested;

/// Defines `window.annotatorBench`, fetches the text and mounts the app on it.
pub fn start(text_url: Option<String>) {
    define_interface();
    wasm_bindgen_futures::spawn_local(async move {
        let article = lectern_dom::bench::article(text_url, crate::SEED_ARTICLE).await;
        let key = lectern_core::library::article_key(&article.id);
        let envelope =
            lectern_core::storage::to_envelope(lectern_core::library::ARTICLE_VERSION, &article);
        // Open it as the URL would.
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ =
                h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#/a/{}", article.id)));
        }
        let services = Services {
            store: Rc::new(BenchStore {
                inner: LocalStore::from_window(),
                key,
                envelope,
            }),
            observer: Some(Rc::new(Probe)),
        };
        yew::Renderer::<App>::with_root_and_props(crate::root(), AppProps { services }).render();
    });
}

/// `localStorage`, plus the benchmark's article (held in memory: 1 MB of text would fill a
/// good part of the quota).
struct BenchStore {
    inner: LocalStore,
    key: String,
    envelope: String,
}

impl KeyValueStore for BenchStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if key == self.key {
            return Ok(Some(self.envelope.clone()));
        }
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.inner.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = self.inner.keys()?;
        keys.push(self.key.clone());
        Ok(keys)
    }
}

/// Keeps the latest context for the ops, resolves `ready` once the first render is in the DOM
/// (effects run after the DOM is updated), and keeps the last paint's statistics.
struct Probe;

impl Observer for Probe {
    fn rendered(&self, ctx: &AppContext, first: bool) {
        CTX.with(|c| *c.borrow_mut() = Some(ctx.clone()));
        if !first {
            return;
        }
        let layout_ms = force_layout();
        let ready_ms = now();
        let text_len =
            with_ctx(|c| c.state().reader.text_str().encode_utf16().count()).unwrap_or(0);
        let info = obj(&[
            ("readyMs", ready_ms.into()),
            ("layoutMs", layout_ms.into()),
            ("textLength", (text_len as f64).into()),
        ]);
        if let Some(resolve) = READY.with(|r| r.borrow_mut().take()) {
            let _ = resolve.call1(&JsValue::NULL, &info);
        }
    }

    fn painted(&self, stats: PaintStats) {
        LAST_PAINT.with(|p| p.set(stats));
    }
}

fn with_ctx<R>(f: impl FnOnce(&AppContext) -> R) -> Option<R> {
    CTX.with(|c| c.borrow().as_ref().map(f))
}

/// `performance.now()`. The `Performance` object is looked up once: the ops read the clock
/// after every item (to stop at the budget, as the peers' loops do), and looking up `window`
/// and `performance` each time cost three calls out of wasm per read, a fifth of the measured
/// time of anchoring 1,000 quotes at 10 kB.
fn now() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}

thread_local! {
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|w| w.performance());
}

/// A `performance` mark (a trace of the page can then be cut to the timed loop:
/// `xtask/bench/trace-anchor.mjs`). Outside the timed part.
fn mark(name: &str) {
    PERFORMANCE.with(|p| {
        if let Some(p) = p {
            let _ = p.mark(name);
        }
    });
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// Reading geometry forces style recalculation and layout; returns its time.
fn force_layout() -> f64 {
    let t = now();
    let doc = document();
    if let Some(body) = doc.body() {
        let _ = body.offset_height();
    }
    if let Some(el) = doc.get_element_by_id("article") {
        let _ = el.get_bounding_client_rect();
    }
    now() - t
}

fn obj(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn get_str(o: &JsValue, k: &str) -> String {
    get(o, k).as_string().unwrap_or_default()
}

fn get_num(o: &JsValue, k: &str) -> f64 {
    get(o, k).as_f64().unwrap_or(0.0)
}

/// `{name, kind, mutates}` of every op.
const OPS: &[(&str, &str, bool)] = &[
    ("anchor", "anchor", false),
    ("anchor-stored", "anchor", false),
    ("describe", "describe", false),
    ("store", "store", false),
    ("highlight", "highlight", true),
    ("restore", "highlight", true),
    ("add-one", "highlight", true),
    ("interactive", "store", false),
];

fn define_interface() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let ready = Promise::new(&mut |resolve, _reject| {
        READY.with(|r| *r.borrow_mut() = Some(resolve));
    });
    let article_text = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_ctx(|c| JsValue::from_str(c.state().reader.text_str())).unwrap_or(JsValue::NULL)
    });
    let ops = Closure::<dyn Fn() -> JsValue>::new(|| {
        OPS.iter()
            .map(|(name, kind, mutates)| {
                JsValue::from(obj(&[
                    ("name", (*name).into()),
                    ("kind", (*kind).into()),
                    ("mutates", (*mutates).into()),
                ]))
            })
            .collect::<Array>()
            .into()
    });
    let run = Closure::<dyn Fn(String, JsValue) -> Promise>::new(|name: String, payload| {
        future_to_promise(async move { run_op(&name, &payload).await.map(JsValue::from) })
    });
    let bench = obj(&[
        ("name", "lectern".into()),
        ("version", 1.into()),
        ("ready", ready.clone().into()),
        ("articleText", article_text.into_js_value()),
        ("ops", ops.into_js_value()),
        ("run", run.into_js_value()),
    ]);
    // The first paint's page defined `annotatorBench` (its `ready` is the article on screen)
    // and waits for the app's ops: hand them over. Without it, this is the interface.
    let hand_over = Reflect::get(&window, &JsValue::from_str("lecternBenchApp"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match hand_over {
        Some(f) => {
            // Once the app is mounted on the article (`ready`), as the ops need it.
            let app = bench.clone();
            let give = Closure::once(move |_: JsValue| {
                let _ = f.call1(&JsValue::NULL, &app);
            });
            let _ = ready.then(&give);
            give.forget();
        }
        None => {
            let _ = Reflect::set(&window, &JsValue::from_str("annotatorBench"), &bench);
        }
    }
}

/// One quote of the harness's `quotes-*.json`.
struct Quote {
    id: u32,
    start: usize,
    end: usize,
    exact: String,
    prefix: String,
    suffix: String,
}

fn quotes_of(payload: &JsValue) -> Vec<JsValue> {
    get(payload, "quotes")
        .dyn_into::<Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn read_quote(q: &JsValue) -> Quote {
    Quote {
        id: get_num(q, "id") as u32,
        start: get_num(q, "start") as usize,
        end: get_num(q, "end") as usize,
        exact: get_str(q, "exact"),
        prefix: get_str(q, "prefix"),
        suffix: get_str(q, "suffix"),
    }
}

async fn run_op(name: &str, payload: &JsValue) -> Result<Object, JsValue> {
    let budget = get(payload, "budgetMs").as_f64().unwrap_or(20_000.0);
    let quotes = quotes_of(payload);
    let text: Rc<str> =
        with_ctx(|c| c.state().reader.text_str().into()).ok_or("the app is not mounted yet")?;
    match name {
        "anchor" => Ok(op_anchor(&text, &quotes, budget, false)),
        "anchor-stored" => Ok(op_anchor(&text, &quotes, budget, true)),
        "describe" => Ok(op_describe(&text, &quotes, budget)),
        "store" => op_store(&text, &quotes),
        "highlight" => op_paint(&text, &quotes, false).await,
        "restore" => op_paint(&text, &quotes, true).await,
        "add-one" => op_add_one(&text, &quotes).await,
        "interactive" => Ok(op_interactive(quotes.len())),
        other => Err(format!("unknown op {other}").into()),
    }
}

/// When the page load reached each step, from navigation start (`performance` marks; nothing
/// is timed by this op itself): `ms` is the app's interface up (`lectern-interactive`),
/// `extra.firstPaintMs` the article painted by the first paint (`lectern-first-paint`).
fn op_interactive(n: usize) -> Object {
    let mark = |name: &str| -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.get_entries_by_name(name))
            .and_then(|list| list.get(0).dyn_into::<web_sys::PerformanceEntry>().ok())
            .map_or(f64::NAN, |e| e.start_time())
    };
    obj(&[
        ("ms", mark("lectern-interactive").into()),
        ("done", (n as f64).into()),
        (
            "extra",
            obj(&[("firstPaintMs", mark("lectern-first-paint").into())]).into(),
        ),
    ])
}

fn op_anchor(text: &str, quotes: &[JsValue], budget: f64, positioned: bool) -> Object {
    // The selectors as Lectern holds them (read from JS objects here, untimed: in the app they
    // come out of storage as Rust values, as the peers' come as JS objects).
    let targets: Vec<Target> = quotes
        .iter()
        .map(|q| {
            let q = read_quote(q);
            let (start, end) = if positioned { (q.start, q.end) } else { (0, 0) };
            Target {
                quote: TextQuoteSelector {
                    exact: q.exact,
                    prefix: q.prefix,
                    suffix: q.suffix,
                },
                // No usable hash (and for `anchor`, no position): the quote search is measured.
                position: TextPositionSelector {
                    start: CodePointOffset(start),
                    end: CodePointOffset(end),
                },
                text_hash: String::new(),
            }
        })
        .collect();
    mark("lectern-anchor-start");
    let t0 = now();
    let anchorer = Anchorer::new(text);
    let prep_ms = now() - t0;
    let mut results: Vec<Option<(usize, usize)>> = Vec::with_capacity(quotes.len());
    let (mut fuzzy, mut orphans) = (0u32, 0u32);
    for target in &targets {
        let placement = anchorer.anchor(target);
        if placement.is_orphan() {
            orphans += 1;
        } else if !placement.is_exact() {
            fuzzy += 1;
        }
        results.push(
            placement
                .utf16_range(anchorer.index())
                .map(|r| (r.start.0, r.end.0)),
        );
        if now() - t0 > budget {
            break;
        }
    }
    let ms = now() - t0;
    mark("lectern-anchor-end");
    let done = results.len();
    let out: Array = results
        .into_iter()
        .map(|r| match r {
            Some((s, e)) => JsValue::from(obj(&[
                ("start", (s as f64).into()),
                ("end", (e as f64).into()),
            ])),
            None => JsValue::NULL,
        })
        .collect();
    obj(&[
        ("ms", ms.into()),
        ("done", (done as f64).into()),
        ("results", out.into()),
        (
            "extra",
            obj(&[
                ("prepMs", prep_ms.into()),
                ("fuzzy", fuzzy.into()),
                ("orphans", orphans.into()),
            ])
            .into(),
        ),
    ])
}

fn op_describe(text: &str, quotes: &[JsValue], budget: f64) -> Object {
    let t0 = now();
    let describer = Describer::new(text);
    let index = TextIndex::new(text);
    let prep_ms = now() - t0;
    let mut context = 0usize;
    let mut exacts = Vec::with_capacity(quotes.len());
    let mut thrown = 0u32;
    for q in quotes {
        let (s, e) = (get_num(q, "start"), get_num(q, "end"));
        let range = index
            .utf16_to_byte(Utf16Offset(s as usize))
            .and_then(|s| Ok(s..index.utf16_to_byte(Utf16Offset(e as usize))?));
        match range.and_then(|r| describer.describe(r)) {
            Ok(t) => {
                context += t.quote.prefix.chars().count() + t.quote.suffix.chars().count();
                exacts.push(Some(t.quote.exact));
            }
            Err(_) => {
                thrown += 1;
                exacts.push(None);
            }
        }
        if now() - t0 > budget {
            break;
        }
    }
    let ms = now() - t0;
    let done = exacts.len();
    // Checked after the clock stopped: the described quote is the corpus quote.
    let wrong = exacts
        .iter()
        .zip(quotes)
        .filter(|(got, q)| got.as_deref() != Some(get_str(q, "exact").as_str()))
        .count();
    obj(&[
        ("ms", ms.into()),
        ("done", (done as f64).into()),
        (
            "extra",
            obj(&[
                ("prepMs", prep_ms.into()),
                (
                    "meanContextChars",
                    (context as f64 / done.max(1) as f64).into(),
                ),
                ("thrown", thrown.into()),
                ("wrongQuote", (wrong as f64).into()),
            ])
            .into(),
        ),
    ])
}

/// The quotes as annotations of the open article, described by the core as the app would
/// (with notes when `notes`). Not timed by the ops that use it.
fn annotations_for(
    text: &str,
    article_id: &str,
    quotes: &[JsValue],
    notes: bool,
) -> AnnotationsDoc {
    let describer = Describer::new(text);
    let index = TextIndex::new(text);
    let stamp = now_iso();
    let annotations = quotes
        .iter()
        .map(read_quote)
        .filter_map(|q| {
            let s = index.utf16_to_byte(Utf16Offset(q.start)).ok()?;
            let e = index.utf16_to_byte(Utf16Offset(q.end)).ok()?;
            let target = describer.describe(s..e).ok()?;
            Some(Annotation {
                id: bench_id(q.id),
                article_id: article_id.to_owned(),
                target: Some(target),
                color: COLORS[q.id as usize % COLORS.len()],
                note: if notes {
                    format!("note {}", q.id)
                } else {
                    String::new()
                },
                tags: Vec::new(),
                created: stamp.clone(),
                modified: stamp.clone(),
            })
        })
        .collect();
    AnnotationsDoc {
        annotations,
        tombstones: Vec::new(),
    }
}

/// A UUID-shaped id derived from the quote id (deterministic across pages).
fn bench_id(id: u32) -> String {
    format!("00000000-0000-4000-8000-{id:012x}")
}

fn op_store(text: &str, quotes: &[JsValue]) -> Result<Object, JsValue> {
    let doc = annotations_for(text, STORE_ID, quotes, true);
    let local = LocalStore::from_window();
    let key = annotations_key(STORE_ID);
    let t0 = now();
    let hash = lectern_core::annotation::text_hash(text);
    let text_ref = Some(lectern_core::annotations_doc::TextRef { text, hash: &hash });
    save_annotations(&local, STORE_ID, &doc, text_ref).map_err(|e| e.to_string())?;
    let write_ms = now() - t0;
    let back = load_annotations(&local, STORE_ID, Some(text));
    let ms = now() - t0;
    let stored = local.get(&key).ok().flatten().unwrap_or_default();
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.remove_item(&key);
    }
    Ok(obj(&[
        ("ms", ms.into()),
        ("done", (back.value.annotations.len() as f64).into()),
        (
            "extra",
            obj(&[
                ("writeMs", write_ms.into()),
                ("readMs", (ms - write_ms).into()),
                (
                    "utf16Bytes",
                    ((stored.encode_utf16().count() * 2) as f64).into(),
                ),
                ("utf8Bytes", (stored.len() as f64).into()),
            ])
            .into(),
        ),
    ]))
}

/// Resolves after the current microtasks (Yew renders from the microtask queue).
async fn microtask() {
    let _ = JsFuture::from(Promise::resolve(&JsValue::UNDEFINED)).await;
}

/// Resolves after `requestAnimationFrame` → `setTimeout(0)`; returns the wait.
async fn next_frame() -> f64 {
    let t = now();
    let p = Promise::new(&mut |resolve, _| {
        let cb = Closure::once_into_js(move || {
            let timeout = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback(timeout.unchecked_ref());
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(cb.unchecked_ref());
        }
    });
    let _ = JsFuture::from(p).await;
    now() - t
}

/// Resolves after a `setTimeout(0)` (a new task: the scheduler may yield to the browser).
async fn next_task() {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Waits until every id is painted (`CSS.highlights`) (polling after each microtask, then each
/// task); false after `limit_ms`.
async fn until_painted(ids: &[&str], limit_ms: f64) -> bool {
    let t0 = now();
    let mut spins = 0u32;
    loop {
        if ids.iter().all(|id| lectern_dom::paint::is_painted(id)) {
            return true;
        }
        if now() - t0 > limit_ms {
            return false;
        }
        spins += 1;
        if spins < 64 {
            microtask().await;
        } else {
            next_task().await;
        }
    }
}

/// How long the core takes to cut the open article's placed highlights into spans (what the
/// reader does before each paint), timed again here on the same state.
fn spans_ms() -> f64 {
    with_ctx(|c| {
        let state = &c.state().reader;
        let t0 = now();
        let n = state.paint_plan(None).runs();
        let ms = now() - t0;
        std::hint::black_box(n);
        ms
    })
    .unwrap_or(0.0)
}

fn last_paint() -> PaintStats {
    LAST_PAINT.with(std::cell::Cell::get)
}

fn painted_ranges() -> f64 {
    last_paint().ranges as f64
}

/// JS heap in use (`performance.memory`, Chromium only) and the wasm linear memory.
fn memory() -> (f64, f64) {
    let js = web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| get_num(&get(&p, "memory"), "usedJSHeapSize"))
        .unwrap_or(0.0);
    let wasm = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0.0, |m| get_num(&m.buffer(), "byteLength"));
    (js, wasm)
}

/// `highlight` and `restore`: N annotations into the store in one action, until painted.
async fn op_paint(text: &str, quotes: &[JsValue], from_storage: bool) -> Result<Object, JsValue> {
    let article_id = with_ctx(|c| c.state().reader.article.id.clone()).ok_or("no app")?;
    let doc = annotations_for(text, &article_id, quotes, false);
    let ids: Vec<String> = doc.annotations.iter().map(|a| a.id.clone()).collect();
    let local = LocalStore::from_window();
    if from_storage {
        let hash = lectern_core::annotation::text_hash(text);
        let text_ref = Some(lectern_core::annotations_doc::TextRef { text, hash: &hash });
        save_annotations(&local, &article_id, &doc, text_ref).map_err(|e| e.to_string())?;
    }
    let idle_frame_ms = next_frame().await;
    let t0 = now();
    let doc = if from_storage {
        load_annotations(&local, &article_id, Some(text)).value
    } else {
        doc
    };
    let read_ms = now() - t0;
    with_ctx(|c| c.dispatch(Action::AnnotationsChangedElsewhere(doc))).ok_or("no app")?;
    let dispatch_ms = now() - t0;
    let probe: Vec<&str> = [ids.first(), ids.last()]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let painted = until_painted(&probe, 120_000.0).await;
    let ms = now() - t0;
    let layout_ms = force_layout();
    let frame_ms = next_frame().await;
    let (js_heap, wasm_mem) = memory();
    Ok(obj(&[
        ("ms", ms.into()),
        (
            "done",
            (if painted { quotes.len() } else { 0 } as f64).into(),
        ),
        (
            "extra",
            obj(&[
                ("layoutMs", layout_ms.into()),
                ("frameMs", frame_ms.into()),
                ("idleFrameMs", idle_frame_ms.into()),
                ("readMs", read_ms.into()),
                ("reduceMs", (dispatch_ms - read_ms).into()),
                ("paintedRanges", painted_ranges().into()),
                ("paintMs", last_paint().ms.into()),
                ("spansMs", spans_ms().into()),
                ("jsHeapBytes", js_heap.into()),
                ("wasmMemoryBytes", wasm_mem.into()),
            ])
            .into(),
        ),
    ]))
}

/// The first text node inside `el` (depth first).
fn first_text(el: &web_sys::Node) -> Option<web_sys::Node> {
    let mut n = el.first_child()?;
    while n.node_type() != web_sys::Node::TEXT_NODE {
        n = n.first_child().or_else(|| n.next_sibling())?;
    }
    Some(n)
}

/// `add-one`: N highlights present, then one more from a DOM selection, and a note typed.
async fn op_add_one(text: &str, quotes: &[JsValue]) -> Result<Object, JsValue> {
    let article_id = with_ctx(|c| c.state().reader.article.id.clone()).ok_or("no app")?;
    let doc = annotations_for(text, &article_id, quotes, false);
    let ids: Vec<String> = doc.annotations.iter().map(|a| a.id.clone()).collect();
    with_ctx(|c| c.dispatch(Action::AnnotationsChangedElsewhere(doc))).ok_or("no app")?;
    let probe: Vec<&str> = ids.last().map(String::as_str).into_iter().collect();
    until_painted(&probe, 120_000.0).await;
    force_layout();
    let idle_frame_ms = next_frame().await;

    // The reader selects the first 40 characters of the middle paragraph (untimed).
    let doc = document();
    let blocks = doc.query_selector_all("#article [data-block]")?;
    let block = blocks
        .item(blocks.length() / 2)
        .ok_or("no blocks in the article")?;
    let node = first_text(&block).ok_or("no text in the middle block")?;
    let len = node.text_content().map_or(0, |t| t.encode_utf16().count());
    let range = doc.create_range()?;
    range.set_start(&node, 0)?;
    range.set_end(&node, len.min(40) as u32)?;
    let selection = web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .ok_or("no selection")?;
    selection.remove_all_ranges()?;
    selection.add_range(&range)?;

    // Timed: what the toolbar's colour button does, until the new mark is painted.
    let t0 = now();
    let article_el = doc.get_element_by_id("article").ok_or("no #article")?;
    let (ctx, text) = with_ctx(|c| (c.clone(), c.state().reader.text.clone())).ok_or("no app")?;
    let range: std::ops::Range<ByteOffset> =
        selected_range(&article_el, &text).ok_or("nothing selected")?;
    let select_ms = now() - t0;
    let id = ctx.highlight(range, Color::Green);
    let dispatch_ms = now() - t0;
    let painted = until_painted(&[&id], 60_000.0).await;
    let paint_ms = last_paint().ms;
    let repainted = last_paint().repainted_blocks;
    let ms = now() - t0;
    let layout_ms = force_layout();
    let frame_ms = next_frame().await;
    selection.remove_all_ranges()?;

    // Typing in a note: one debounced save of the note (the whole article's annotations).
    let t1 = now();
    with_ctx(|c| c.edit_note(&id, "A note typed in the benchmark.".to_owned())).ok_or("no app")?;
    let note_dispatch_ms = now() - t1;
    next_task().await;
    let note_ms = now() - t1;
    let written = LocalStore::from_window()
        .get(&annotations_key(&article_id))
        .ok()
        .flatten()
        .unwrap_or_default();
    Ok(obj(&[
        ("ms", ms.into()),
        (
            "done",
            (if painted { quotes.len() } else { 0 } as f64).into(),
        ),
        (
            "extra",
            obj(&[
                ("layoutMs", layout_ms.into()),
                ("frameMs", frame_ms.into()),
                ("idleFrameMs", idle_frame_ms.into()),
                ("selectMs", select_ms.into()),
                ("dispatchMs", dispatch_ms.into()),
                ("noteDispatchMs", note_dispatch_ms.into()),
                ("noteMs", note_ms.into()),
                (
                    "writeUtf16Bytes",
                    ((written.encode_utf16().count() * 2) as f64).into(),
                ),
                ("present", (ids.len() as f64).into()),
                ("paintMs", paint_ms.into()),
                ("repaintedBlocks", (repainted as f64).into()),
                ("spansMs", spans_ms().into()),
            ])
            .into(),
        ),
    ]))
}
