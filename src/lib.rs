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
pub const SEED_ARTICLE: &str = include_str!("../assets/seed-article-ru.txt");

/// Mount the app on `<body>` (the benchmark page instead with `?bench` in the URL).
pub fn start() {
    #[cfg(feature = "bench")]
    if let Some(text_url) = bench::requested() {
        return bench::start(text_url);
    }
    yew::Renderer::<app::App>::new().render();
}
