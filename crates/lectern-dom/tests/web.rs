//! Browser tests of the platform layer (headless Chromium via wasm-bindgen-test-runner).
#![cfg(target_arch = "wasm32")]

use lectern_core::settings::{Settings, Theme};
use lectern_core::storage::{self, KeyValueStore, Problem, StoreError, SETTINGS_KEY};
use lectern_dom::local_store::LocalStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn clear() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
}

#[wasm_bindgen_test]
fn settings_survive_a_round_trip_through_local_storage() {
    clear();
    let store = LocalStore::from_window();
    let s = Settings {
        theme: Theme::Dark,
        ..Settings::default()
    };
    storage::save_settings(&store, &s).unwrap();
    assert_eq!(storage::load_settings(&LocalStore::from_window()).value, s);
}

#[wasm_bindgen_test]
fn a_full_quota_is_a_typed_error_and_keeps_the_old_value() {
    clear();
    let store = LocalStore::from_window();
    store.set("lectern.v1.keep", "precious").unwrap();
    // Chromium gives an origin about 5 MiB (UTF-16, so ~10 MB of bytes); 6 M characters cannot fit.
    let huge = "x".repeat(6 * 1024 * 1024);
    match store.set("lectern.v1.huge", &huge) {
        Err(StoreError::QuotaExceeded { key, bytes }) => {
            assert_eq!(key, "lectern.v1.huge");
            assert_eq!(bytes, huge.len());
        }
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    assert_eq!(
        store.get("lectern.v1.keep").unwrap().as_deref(),
        Some("precious")
    );
    clear();
}

#[wasm_bindgen_test]
fn corrupt_settings_in_local_storage_are_backed_up_not_lost() {
    clear();
    let store = LocalStore::from_window();
    store.set(SETTINGS_KEY, "{{garbage").unwrap();
    let loaded = storage::load_settings(&store);
    assert_eq!(loaded.value, Settings::default());
    let Some(Problem::Corrupt {
        backup_key: Some(backup),
        ..
    }) = loaded.problem
    else {
        panic!("expected a corrupt report with a backup")
    };
    assert_eq!(store.get(&backup).unwrap().as_deref(), Some("{{garbage"));
    clear();
}

#[wasm_bindgen_test]
fn reader_settings_land_on_the_root_element() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    let s = Settings {
        theme: Theme::Sepia,
        font_size_px: 22,
        ..Settings::default()
    };
    lectern_dom::page::apply_reader_settings(&el, &s);
    assert_eq!(el.get_attribute("data-theme").as_deref(), Some("sepia"));
    assert!(el
        .get_attribute("style")
        .unwrap()
        .contains("--reader-font-size:22px"));
}

#[wasm_bindgen_test]
fn the_icon_is_added_once() {
    let document = web_sys::window().unwrap().document().unwrap();
    let count = || {
        document
            .query_selector_all("link[rel=icon]")
            .unwrap()
            .length()
    };
    let before = count();
    lectern_dom::page::set_icon(&document);
    lectern_dom::page::set_icon(&document);
    assert_eq!(count(), before.max(1));
    let link = document.query_selector("link[rel=icon]").unwrap().unwrap();
    assert!(link
        .get_attribute("href")
        .unwrap()
        .starts_with("data:image/svg+xml,"));
}
