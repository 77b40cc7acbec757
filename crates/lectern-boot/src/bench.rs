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

/// The harness's interface (`text` returns the article text), with the app's ops handed over
/// later through `window.lecternBenchApp(appInterface)`.
const INTERFACE: &str = "
let handOver;
const app = new Promise((r) => { handOver = r; });
window.lecternBenchApp = handOver;
window.annotatorBench = {
  name: 'lectern',
  version: 1,
  ready: Promise.resolve(info),
  articleText: text,
  ops: () => app.then((a) => a.ops()),
  run: (name, payload) => app.then((a) => a.run(name, payload)),
};";

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
    let define = js_sys::Function::new_with_args("info, text", INTERFACE);
    let _ = define.call2(&JsValue::NULL, &info, &text.into_js_value());
}
