//! Browser tests of the app's components (headless Chromium via wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use lectern::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mount `<App/>` in a fresh element and wait until it has rendered its article.
async fn mount() -> web_sys::Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    for _ in 0..200 {
        if root.query_selector("article h1").unwrap().is_some() {
            return root;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the app did not render an article");
}

#[wasm_bindgen_test]
async fn app_shows_the_seed_article_as_a_reader_view() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root = mount().await;
    let article = root.query_selector("article").unwrap().unwrap();
    assert_eq!(article.get_attribute("lang").as_deref(), Some("ru"));
    let h1 = root.query_selector("article h1").unwrap().unwrap();
    assert_eq!(
        h1.text_content().unwrap(),
        "МИД выразил сожаление по поводу инцидента с дипмиссией Азербайджана в Киеве"
    );
    let paragraphs = root.query_selector_all(".reader__body p").unwrap();
    assert_eq!(paragraphs.length(), 9);
    let source = root.query_selector(".reader__source a").unwrap().unwrap();
    assert_eq!(
        source.get_attribute("href").as_deref(),
        Some("https://ria.ru")
    );
    let body = root
        .query_selector(".reader__body")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(!body.contains("Источник"));
    root.remove();
}

#[wasm_bindgen_test]
async fn settings_button_opens_the_panel_and_theme_changes_apply_to_the_page() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root = mount().await;
    let button: web_sys::HtmlElement = root
        .query_selector("#settings-button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    let mut dark = None;
    for _ in 0..100 {
        dark = root.query_selector("#setting-theme-dark").unwrap();
        if dark.is_some() {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
    let dark: web_sys::HtmlElement = dark.expect("settings panel opened").unchecked_into();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    dark.click();
    let html = document().document_element().unwrap();
    for _ in 0..100 {
        if html.get_attribute("data-theme").as_deref() == Some("dark") {
            break;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some("dark"));
    let saved = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("lectern.v1.settings")
        .unwrap();
    assert!(saved.unwrap().contains("\"theme\":\"dark\""));
    root.remove();
}
