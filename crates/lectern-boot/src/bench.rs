//! The first paint of the benchmark page (`index.html?bench&text=URL`, bench builds only):
//! fetches the text, shows it as the article the app's benchmark page opens (same id, same
//! blocks, so the app takes the body over), and defines `window.annotatorBench` (the peer
//! harness's page interface) with `ready` = this article on screen and laid out. Its `ops()`
//! and `run()` wait for the app, which hands its own over (`src/bench.rs`).

use lectern_core::annotations_doc::AnnotationsDoc;
use lectern_core::i18n::Lang;
use lectern_core::settings::UiLang;
use lectern_dom::page;
use wasm_bindgen::prelude::*;

pub use lectern_dom::bench::requested;

/// The harness's interface, `window.annotatorBench`: `name`, `version`, `ready` (this
/// article on screen), `articleText()`, and `ops()` / `run(name, payload)`, which wait for the
/// app to hand its own over through `window.lecternBenchApp(appInterface)`. Built with
/// `js_sys` (the page's Content-Security-Policy allows no JavaScript from strings).
fn interface(info: &js_sys::Object, text: JsValue) -> js_sys::Object {
    use js_sys::{Function, Object, Promise, Reflect};
    let mut hand_over: Option<Function> = None;
    let app = Promise::new(&mut |resolve, _| hand_over = Some(resolve));
    if let (Some(w), Some(h)) = (web_sys::window(), hand_over) {
        let _ = Reflect::set(&w, &"lecternBenchApp".into(), &h);
    }
    // `app.then((a) => a[method](...args))`.
    fn call_on_app(app: &Promise, method: &'static str, args: js_sys::Array) -> Promise {
        let call = Closure::once_into_js(move |a: JsValue| -> JsValue {
            Reflect::get(&a, &method.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .and_then(|f| f.apply(&a, &args).ok())
                .unwrap_or(JsValue::UNDEFINED)
        });
        // `then` through Reflect: the callback's result is what the promise resolves to.
        Reflect::get(app, &"then".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|then| then.call1(app, &call).ok())
            .map_or_else(
                || Promise::resolve(&JsValue::UNDEFINED),
                Promise::unchecked_from_js,
            )
    }
    let ops = {
        let app = app.clone();
        Closure::<dyn Fn() -> JsValue>::new(move || {
            call_on_app(&app, "ops", js_sys::Array::new()).into()
        })
    };
    let run = {
        let app = app.clone();
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
            move |name: JsValue, payload: JsValue| {
                call_on_app(&app, "run", js_sys::Array::of2(&name, &payload)).into()
            },
        )
    };
    let o = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&o, &k.into(), v);
    };
    set("name", &"lectern".into());
    set("version", &1.into());
    set("ready", &Promise::resolve(info).into());
    set("articleText", &text);
    set("ops", &ops.into_js_value());
    set("run", &run.into_js_value());
    o
}

pub fn start(text_url: Option<String>) {
    let done = js_sys::Promise::new(&mut |resolve, _| {
        let text_url = text_url.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let article =
                lectern_dom::bench::article(text_url, lectern_core::library::SEED_TEXT).await;
            let lang = Lang::resolve(UiLang::Auto, &page::browser_languages());
            let _ = crate::show(&article, &AnnotationsDoc::default(), lang);
            define_interface(article);
            let _ = resolve.call0(&JsValue::NULL);
        });
    });
    // The loader waits for this before it loads the app (see Trunk.toml).
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"lecternBoot".into(), &done);
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn define_interface(article: lectern_core::article::Article) {
    // Reading geometry forces style and layout.
    let t = now();
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.offset_height();
    }
    let layout_ms = now() - t;
    let info = js_sys::Object::new();
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(&info, &k.into(), &v.into());
    };
    set("readyMs", now());
    set("layoutMs", layout_ms);
    // The text is joined and crosses into JS only when the harness asks for it (after the load
    // is measured).
    let text = Closure::<dyn Fn() -> JsValue>::new(move || JsValue::from_str(&article.text()));
    let bench = interface(&info, text.into_js_value());
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"annotatorBench".into(), &bench);
    }
}
