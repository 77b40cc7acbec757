//! Browser tests of the app's side of the first paint (headless Chromium via
//! wasm-bindgen-test-runner): taking the body over and the selection. (The scroll position
//! is tested end to end, `e2e/tests/first-paint.test.mjs`: scroll anchoring needs real frames.)
#![cfg(target_arch = "wasm32")]

use lectern_dom::first_paint::{finish, keep_selection, mark_interactive, take_body};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A first paint as `crates/lectern-boot` puts it: `#boot` with a bar and the article, whose
/// body is `height` pixels tall.
fn first_paint(height: u32) -> web_sys::Element {
    let doc = document();
    let boot = doc.create_element("div").unwrap();
    boot.set_id("boot");
    boot.set_inner_html(&format!(
        "<header style=\"height:60px\">Lectern</header><article id=\"article\"><h1>Заголовок</h1>\
         <div class=\"reader__body\" data-article=\"a-1\" data-bytes=\"23\">\
         <p data-block=\"0\" style=\"height:{height}px\">Привет, мир 😀</p></div></article>"
    ));
    let body = doc.body().unwrap();
    body.insert_before(&boot, body.first_child().as_ref())
        .unwrap();
    boot
}

/// What the app does with a taken body: the same page around it, in its own tree.
fn app_with(body: &web_sys::Node) -> web_sys::Element {
    let doc = document();
    let app = doc.create_element("div").unwrap();
    app.set_inner_html(
        "<header style=\"height:60px\">Lectern</header><article><h1>Заголовок</h1></article>",
    );
    app.first_element_child()
        .unwrap()
        .next_element_sibling()
        .unwrap()
        .append_child(body)
        .unwrap();
    app
}

#[wasm_bindgen_test]
fn the_body_is_taken_over_only_for_the_same_article() {
    let boot = first_paint(40);
    assert!(take_body("a-1", 24).is_none(), "another size");
    assert!(take_body("a-2", 23).is_none(), "another article");
    let body = take_body("a-1", 23).expect("the same article");
    assert!(boot.contains(Some(&body)));
    finish();
    assert!(document().get_element_by_id("boot").is_none());
    // Nothing left to take, and finishing again does nothing.
    assert!(take_body("a-1", 23).is_none());
    finish();
}

#[wasm_bindgen_test]
fn a_selection_made_in_the_first_paint_survives_the_move() {
    let boot = first_paint(40);
    let text = boot
        .query_selector("[data-block]")
        .unwrap()
        .unwrap()
        .first_child()
        .unwrap();
    let sel = web_sys::window().unwrap().get_selection().unwrap().unwrap();
    // "мир 😀": code units 8..14 (the emoji is two).
    sel.set_base_and_extent(&text, 8, &text, 14).unwrap();
    assert_eq!(String::from(sel.to_string()), "мир 😀");
    keep_selection();
    let body = take_body("a-1", 23).unwrap();
    let app = app_with(&body);
    document().body().unwrap().append_child(&app).unwrap();
    // Moving the body resets a selection inside it…
    assert_ne!(String::from(sel.to_string()), "мир 😀");
    finish();
    // …and finishing puts it back, on the same text nodes, now in the app's tree.
    assert_eq!(String::from(sel.to_string()), "мир 😀");
    assert!(app.contains(sel.anchor_node().as_ref()));
    sel.remove_all_ranges().unwrap();
    app.remove();
}

#[wasm_bindgen_test]
fn interactive_is_marked_for_tests_and_the_benchmark() {
    mark_interactive();
    let root = document().document_element().unwrap();
    assert_eq!(root.get_attribute("data-app").as_deref(), Some("ready"));
    let perf = web_sys::window().unwrap().performance().unwrap();
    assert_eq!(perf.get_entries_by_name("lectern-interactive").length(), 1);
}
