//! Articles from the web in the browser (issue 16): the core's origins agree with the
//! browser's URL parser, image placeholders get their `<img>` only when asked (https only, no
//! referrer, lazily), and a selection across a placeholder counts the text alone.
#![cfg(target_arch = "wasm32")]

use lectern_core::article::{Article, Block, BlockKind, Image};
use lectern_core::render::body_html;
use lectern_core::text::Utf16Offset;
use lectern_core::web::url::origin_of;
use lectern_dom::selection::range_in;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn origins_agree_with_the_browser() {
    let urls = [
        "https://example.org/a/b?c#d",
        "HTTPS://EXAMPLE.org",
        "http://example.org:80/",
        "https://example.org:443/x",
        "http://example.org:443/",
        "http://127.0.0.1:08080/x",
        "http://127.0.0.1:/x",
        "https://user:pw@example.org/",
        "https://evil.org@example.org/",
        "http://[::1]:9000/a",
        "https://example.org?x",
        "https://example.org#x",
        "https://sub.example.co.uk:8443/",
        "http://localhost:3000/path/to?q=1",
    ];
    for u in urls {
        let browser = web_sys::Url::new(u).unwrap().origin();
        assert_eq!(origin_of(u).as_deref(), Some(browser.as_str()), "{u}");
    }
    // Where the core refuses, the browser would have rewritten the host (so the page's
    // address could never match a message's origin as written) or it is not http(s).
    for u in [
        "https://пример.рф/",
        "ftp://example.org/",
        "https://example.org:99999/",
    ] {
        assert_eq!(origin_of(u), None, "{u}");
    }
}

fn article() -> Article {
    let p = |t: &str| Block::new(BlockKind::Paragraph, t);
    Article {
        id: "img".into(),
        title: "Pictures".into(),
        lang: "en".into(),
        blocks: vec![
            p("Before the picture."),
            Block::new(BlockKind::Figure, "A lock gate"),
            p("After the picture."),
        ],
        images: vec![
            Image {
                at: 1,
                url: "https://img.example/lock.png".into(),
                alt: "A lock gate".into(),
                caption: String::new(),
                width: Some(480),
                height: Some(320),
            },
            Image {
                at: 3,
                url: "https://img.example/end.png".into(),
                alt: "The end".into(),
                caption: String::new(),
                width: None,
                height: None,
            },
        ],
        ..Default::default()
    }
}

fn mount(article: &Article) -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("article").unwrap();
    el.set_inner_html(&format!(
        "<div class=\"reader__body\">{}</div>",
        body_html(article)
    ));
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

#[wasm_bindgen_test]
fn images_are_put_in_their_placeholders_only_when_asked() {
    let el = mount(&article());
    assert_eq!(el.query_selector_all("img").unwrap().length(), 0);
    assert_eq!(el.query_selector_all("figure.image").unwrap().length(), 2);
    assert_eq!(lectern_dom::images::show(&el, true, "Could not load"), 2);
    let imgs = el.query_selector_all("figure.image img").unwrap();
    assert_eq!(imgs.length(), 2);
    let first: web_sys::Element = imgs.item(0).unwrap().unchecked_into();
    assert_eq!(
        first.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(first.get_attribute("loading").as_deref(), Some("lazy"));
    assert_eq!(
        first.get_attribute("src").as_deref(),
        Some("https://img.example/lock.png")
    );
    assert_eq!(first.get_attribute("width").as_deref(), Some("480"));
    // Its alt text is the block under it, so it is not read twice; the last one's is its own.
    assert_eq!(first.get_attribute("alt").as_deref(), Some(""));
    let last: web_sys::Element = imgs.item(1).unwrap().unchecked_into();
    assert_eq!(last.get_attribute("alt").as_deref(), Some("The end"));
    // Asking again adds nothing; hiding takes them out.
    assert_eq!(lectern_dom::images::show(&el, true, "Could not load"), 0);
    lectern_dom::images::show(&el, false, "Could not load");
    assert_eq!(el.query_selector_all("img").unwrap().length(), 0);
    // A placeholder whose address is not https (a hand-edited page) never gets one.
    el.query_selector("figure.image")
        .unwrap()
        .unwrap()
        .set_attribute("data-src", "http://img.example/lock.png")
        .unwrap();
    assert_eq!(lectern_dom::images::show(&el, true, "Could not load"), 1);
    el.remove();
}

#[wasm_bindgen_test]
fn a_selection_across_a_placeholder_counts_only_the_text() {
    let el = mount(&article());
    lectern_dom::images::show(&el, true, "x");
    let doc = web_sys::window().unwrap().document().unwrap();
    let block = |i: usize| {
        el.query_selector(&format!("[data-block=\"{i}\"]"))
            .unwrap()
            .unwrap()
            .first_child()
            .unwrap()
    };
    let range = doc.create_range().unwrap();
    range.set_start(&block(0), 7).unwrap(); // "Before |the picture."
    range.set_end(&block(2), 5).unwrap(); // "After| the picture."
    let (a, b) = range_in(&el, &range).unwrap();
    assert_eq!((a.block, a.offset), (0, Utf16Offset(7)));
    assert_eq!((b.block, b.offset), (2, Utf16Offset(5)));
    // Ending inside a placeholder (no block) ends the selection at the block before it.
    let fig = el.query_selector("figure.image").unwrap().unwrap();
    range.set_end(&fig, 0).unwrap();
    let (_, b) = range_in(&el, &range).unwrap();
    assert_eq!(
        (b.block, b.offset),
        (0, Utf16Offset("Before the picture.".len()))
    );
    el.remove();
}
