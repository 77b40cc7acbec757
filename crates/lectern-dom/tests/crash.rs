//! The panic hook's message, in headless Chromium: shown once, with a download of everything
//! Lectern keeps and a reload link, writing nothing.
#![cfg(target_arch = "wasm32")]

use lectern_dom::crash::show;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn snapshot() -> Vec<(String, String)> {
    let s = storage();
    let mut out: Vec<(String, String)> = (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .map(|k| {
            let v = s.get_item(&k).unwrap().unwrap();
            (k, v)
        })
        .collect();
    out.sort();
    out
}

#[wasm_bindgen_test]
async fn a_bug_shows_the_message_with_a_copy_of_the_data_and_writes_nothing() {
    let s = storage();
    s.clear().unwrap();
    s.set_item(
        "lectern.v1.annotations.seed",
        r#"{"version":1,"data":{"annotations":[]}}"#,
    )
    .unwrap();
    s.set_item("lectern.v1.settings", "{not json").unwrap();
    s.set_item("other.app", "x").unwrap();
    let before = snapshot();
    show("panicked at src/x.rs:1:1: boom");
    show("a second panic is not a second message");
    let doc = web_sys::window().unwrap().document().unwrap();
    assert_eq!(doc.query_selector_all(".crash").unwrap().length(), 1);
    let dialog = doc.get_element_by_id("lectern-crash").unwrap();
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("alertdialog"));
    assert!(dialog.text_content().unwrap().contains("boom"));
    let link = dialog.query_selector("a[download]").unwrap().unwrap();
    let href = link.get_attribute("href").unwrap();
    assert!(href.starts_with("blob:"), "{href}");
    // The copy holds every lectern.* value as it is (even one that does not parse), nothing else.
    let resp: web_sys::Response = JsFuture::from(web_sys::window().unwrap().fetch_with_str(&href))
        .await
        .unwrap()
        .unchecked_into();
    let text = JsFuture::from(resp.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let copy: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(copy["lectern.v1.settings"], "{not json");
    assert!(copy["lectern.v1.annotations.seed"]
        .as_str()
        .unwrap()
        .contains("annotations"));
    assert!(copy.get("other.app").is_none());
    assert_eq!(snapshot(), before, "nothing written");
    dialog.remove();
    s.clear().unwrap();
}

#[wasm_bindgen_test]
fn the_rescue_copy_never_holds_the_sync_password_or_passphrase() {
    let s = storage();
    s.clear().unwrap();
    let secret = lectern_core::sync::config::SECRET_KEY;
    s.set_item(secret, r#"{"version":1,"data":{"password":"hunter2"}}"#)
        .unwrap();
    s.set_item(lectern_core::sync::config::CONFIG_KEY, "{}")
        .unwrap();
    let copy: serde_json::Value = serde_json::from_str(&lectern_dom::crash::rescue_json()).unwrap();
    assert!(copy.get(secret).is_none(), "{copy}");
    assert!(!copy.to_string().contains("hunter2"));
    assert!(copy.get(lectern_core::sync::config::CONFIG_KEY).is_some());
    s.clear().unwrap();
}
