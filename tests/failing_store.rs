//! The whole app over a store that fails (headless Chromium via wasm-bindgen-test-runner):
//! every failure becomes a message, what the reader did stays on screen and in memory across
//! navigation, and it reaches storage once storage works again. The store is injected through
//! the app's one seam (`Services`), as a test of the whole app can.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use lectern::app::{App, AppProps};
use lectern::store::Services;
use lectern_core::storage::{KeyValueStore, StoreError};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Works,
    /// Every write throws an error that is not about space.
    Throws,
    /// Every write is refused for space.
    Full,
}

/// An in-memory store whose writes can be made to fail.
struct TestStore {
    map: RefCell<BTreeMap<String, String>>,
    mode: Cell<Mode>,
    writes: Cell<usize>,
}

impl KeyValueStore for TestStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.writes.set(self.writes.get() + 1);
        match self.mode.get() {
            Mode::Works => {
                self.map.borrow_mut().insert(key.into(), value.into());
                Ok(())
            }
            Mode::Throws => Err(StoreError::Other("SecurityError: denied".into())),
            Mode::Full => Err(StoreError::QuotaExceeded {
                key: key.into(),
                bytes: value.len(),
            }),
        }
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        if self.mode.get() == Mode::Works {
            self.map.borrow_mut().remove(key);
        }
        Ok(())
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.map.borrow().keys().cloned().collect())
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..300 {
        if f() {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn count(selector: &str) -> u32 {
    document().query_selector_all(selector).unwrap().length()
}

/// Select the first `n` characters of block `block` and press `h` (highlight).
fn highlight_start_of(block: usize, n: u32) {
    let doc = document();
    let el = doc
        .query_selector(&format!("#article [data-block=\"{block}\"]"))
        .unwrap()
        .expect("the block");
    let text = el.first_child().unwrap();
    let range = doc.create_range().unwrap();
    range.set_start(&text, 0).unwrap();
    range.set_end(&text, n).unwrap();
    let sel = web_sys::window().unwrap().get_selection().unwrap().unwrap();
    sel.remove_all_ranges().unwrap();
    sel.add_range(&range).unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("h");
    init.set_bubbles(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    doc.dispatch_event(&ev).unwrap();
}

fn set_hash(hash: &str) {
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(hash)
        .unwrap();
}

/// Highlights stored for the sample, read back by the core's decoder (the stored form is
/// compact, schema 2: no `"exact"` key to count).
fn stored_highlights(store: &TestStore) -> usize {
    store
        .map
        .borrow()
        .get("lectern.v1.annotations.seed")
        .and_then(|raw| lectern_core::annotations_doc::parse_stored_doc(raw, "seed", None).ok())
        .map_or(0, |doc| {
            doc.annotations
                .iter()
                .filter(|a| a.target.is_some())
                .count()
        })
}

#[wasm_bindgen_test]
async fn every_failure_is_a_message_and_nothing_is_lost() {
    set_hash("");
    let settings = r#"{"version":1,"data":{"theme":"sepia"}}"#;
    let store = Rc::new(TestStore {
        map: RefCell::new(BTreeMap::from([(
            "lectern.v1.settings".to_owned(),
            settings.to_owned(),
        )])),
        mode: Cell::new(Mode::Throws),
        writes: Cell::new(0),
    });
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let services = Services {
        store: store.clone(),
        observer: None,
    };
    let app =
        yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { services }).render();
    until("the article", || count("#article [data-block]") > 0).await;

    // Every write throws: a highlight is refused by storage, said so, and stays on screen.
    highlight_start_of(1, 12);
    until("a write-failed notice about annotations", || {
        count(".notice[data-notice=\"write-failed\"][data-subject=\"annotations\"]") == 1
    })
    .await;
    assert!(store.writes.get() > 0, "a write was tried");
    until("the highlight in the panel", || count(".note-card") == 1).await;
    // The settings the store holds were never overwritten.
    assert_eq!(store.map.borrow()["lectern.v1.settings"], settings);

    // The store is full now: another highlight, another failure, the message says so.
    store.mode.set(Mode::Full);
    highlight_start_of(2, 10);
    until("two highlights in the panel", || count(".note-card") == 2).await;
    until("the storage-full message", || {
        document()
            .query_selector(".notice[data-subject=\"annotations\"]")
            .unwrap()
            .and_then(|n| n.text_content())
            .is_some_and(|t| t.contains("full"))
    })
    .await;

    // To the library and back: what could not be saved is still there, and still said.
    set_hash("#/");
    until("the library", || count(".library") == 1).await;
    set_hash("#/a/seed");
    until("the reader again", || count("#article") == 1).await;
    until("both highlights kept", || count(".note-card") == 2).await;
    assert_eq!(
        count(".notice[data-notice=\"write-failed\"][data-subject=\"annotations\"]"),
        1
    );
    assert_eq!(stored_highlights(&store), 0);

    // Storage works again: the next change writes everything, and the message goes.
    store.mode.set(Mode::Works);
    highlight_start_of(3, 8);
    until("three highlights stored", || stored_highlights(&store) == 3).await;
    until("the message gone", || {
        count(".notice[data-notice=\"write-failed\"][data-subject=\"annotations\"]") == 0
    })
    .await;
    assert_eq!(store.map.borrow()["lectern.v1.settings"], settings);
    app.destroy();
    root.remove();
    set_hash("");
}

#[wasm_bindgen_test]
async fn the_same_url_opens_the_same_view_from_a_reload_and_from_a_hashchange() {
    // The sample was deleted from the library: no hash means the library, whether the app
    // starts there or the URL changes to it later.
    let library = r#"{"version":1,"data":{"articles":[],"removed":[{"id":"seed","deleted":"2026-01-02T00:00:00.000Z"}]}}"#;
    let make = || {
        Rc::new(TestStore {
            map: RefCell::new(BTreeMap::from([(
                "lectern.v1.library".to_owned(),
                library.to_owned(),
            )])),
            mode: Cell::new(Mode::Works),
            writes: Cell::new(0),
        })
    };
    set_hash("");
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let services = Services {
        store: make(),
        observer: None,
    };
    let app =
        yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { services }).render();
    until("the library at start-up", || count(".library") == 1).await;
    // Open the sample explicitly, then go to the same no-hash URL.
    set_hash("#/a/seed");
    until("the sample", || count("#article") == 1).await;
    set_hash("#/");
    until("the library", || count(".library") == 1).await;
    set_hash("#/a/seed");
    until("the sample again", || count("#article") == 1).await;
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#"))
        .unwrap();
    // pushState does not fire hashchange: tell the app as the browser would on navigation.
    let ev = web_sys::HashChangeEvent::new("hashchange").unwrap();
    web_sys::window()
        .unwrap()
        .dispatch_event(ev.unchecked_ref())
        .unwrap();
    until("the library for no hash, as at start-up", || {
        count(".library") == 1 && count("#article") == 0
    })
    .await;
    app.destroy();
    root.remove();
    set_hash("");
}
