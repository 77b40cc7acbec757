//! Lectern, the app: Yew components and hooks over one store. Algorithms live in
//! `lectern-core`; browser access in `lectern-dom`.
//!
//! - [`app`]: the root component, which owns the store and its persistence effects.
//! - [`store`]: the Yew side of the core reducer (`Reducible`) and the `use_store` hooks.
//! - [`components`]: one component per file.
//! - [`hooks`]: one hook per file (keyboard shortcuts).

pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod components;
pub mod hooks;
pub mod store;

/// The sample article a new reader sees, embedded in the build.
pub use lectern_core::library::SEED_TEXT as SEED_ARTICLE;

/// Mount the app (the benchmark page instead with `?bench` in the URL).
pub fn start() {
    // A bug shows a message with a copy of the data instead of a silently frozen page.
    lectern_dom::crash::install_panic_hook();
    // The first paint may be on screen, with a selection the app's render would reset.
    lectern_dom::first_paint::keep_selection();
    #[cfg(feature = "bench")]
    if let Some(text_url) = bench::requested() {
        return bench::start(text_url);
    }
    yew::Renderer::<app::App>::with_root(root()).render();
}

/// The element the app renders into: `<div id="app">` at the end of `<body>`, a box-less
/// wrapper (`display: contents`). Not `<body>` itself: Yew empties its root first, and the
/// first paint is still in `<body>` until the app has taken it over.
pub fn root() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let root = document.create_element("div").expect("a div");
    root.set_id("app");
    let body = document.body().expect("a body");
    body.append_child(&root).expect("append to body");
    root
}
