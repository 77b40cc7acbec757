//! The first paint (ADR 0003): a small wasm module, loaded before the app, that shows the
//! article the app is about to open, styled by the reader settings and with its highlights
//! painted, then hands over. The app (`src/`, Yew) loads after it and takes the article's body
//! element over (`Reader` in `src/components/reader.rs`), so the reader sees the article as
//! soon as ~100 kB have arrived instead of the whole interface.
//!
//! What is shown is decided by the core ([`first_paint`]): the reader view of an article
//! whose storage reads without a problem. Anything else (the library, a corrupt value, no
//! storage) is left to the app, which reports it. Nothing is written to storage.
//!
//! The markup is `#boot`: a bar with the brand (the app's bar has the same height), the
//! reader's `<article>` built by the core ([`reader_html`]) and an empty side panel, in the
//! same layout as the app's, so nothing moves when the app replaces it.

use lectern_core::annotations_doc::AnnotationsDoc;
use lectern_core::article::Article;
use lectern_core::first_paint::first_paint;
use lectern_core::i18n::Lang;
use lectern_core::library::seed_article;
use lectern_core::paint::place_all;
use lectern_core::render::reader_html;
use lectern_dom::local_store::LocalStore;
use lectern_dom::page;

#[cfg(feature = "bench")]
mod bench;

fn main() {
    #[cfg(feature = "bench")]
    if let Some(text_url) = bench::requested() {
        return bench::start(text_url);
    }
    let _ = show_stored();
}

/// Shows what storage says is open; `None` when it is left to the app.
fn show_stored() -> Option<()> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let local = LocalStore::from_window();
    let fp = first_paint(&local, &hash, seed_article)?;
    let root = window.document()?.document_element()?;
    page::apply_reader_settings(&root, &fp.settings);
    let lang = Lang::resolve(fp.settings.ui_lang, &page::browser_languages());
    page::set_document_lang(&root, lang.code());
    show(&fp.article, &fp.doc, lang)?;
    // Where the reader left it; the app sees `data-resumed` and does not scroll again.
    if let Some((block, offset)) = fp.resume_at() {
        let el = window.document()?.query_selector("#boot #article").ok()??;
        page::scroll_to_reading(&el, block, offset);
        let _ = root.set_attribute("data-resumed", &fp.reading.progress.to_string());
    }
    Some(())
}

/// Puts `#boot` (the bar and the article) at the start of `<body>` and paints the highlights
/// of `doc` over it.
pub(crate) fn show(article: &Article, doc: &AnnotationsDoc, lang: Lang) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let boot = document.create_element("div").ok()?;
    boot.set_id("boot");
    let t = lang.strings();
    let html = reader_html(article, lang);
    boot.set_inner_html(&format!(
        "<header class=\"app-bar\"><div class=\"app-bar__inner\"><span class=\"brand\">\
         <span class=\"brand__mark\" aria-hidden=\"true\"></span><span class=\"brand__name\">{}</span>\
         </span></div></header><div class=\"layout\"><main class=\"main\" id=\"main\">{}</main>\
         <aside class=\"panel\" aria-hidden=\"true\"></aside></div>",
        t.app_name,
        html
    ));
    document.body()?.prepend_with_node_1(&boot).ok()?;
    let el = boot.query_selector("#article").ok()??;
    let text = article.article_text();
    let placements = place_all(text.as_str(), &doc.annotations);
    lectern_dom::paint::paint_article(&el, 0, &text, &doc.annotations, &placements, None);
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark("lectern-first-paint");
    }
    Some(())
}
