//! The platform's side of articles from the web (issue 16; decisions in
//! `lectern_core::web` and `lectern_core::state::web`):
//! - at `#/receive`, the bookmarklet's tab: says "ready" to the window that opened it and
//!   reports the page that window sends (only that window's messages; the core then checks
//!   the page's origin and the token);
//! - "Share → Lectern": the shared title, text and URL in the page's query, reported once and
//!   taken out of the address (a reload does not share again);
//! - the app's own address, for the bookmarklet.

use std::rc::Rc;

use gloo_events::EventListener;
use lectern_core::route::{self, Route};
use lectern_core::state::Action;
use lectern_core::web::bookmarklet::{PAGE_MESSAGE, READY_MESSAGE};
use lectern_core::web::share::{TEXT_PARAM, TITLE_PARAM, URL_PARAM};
use wasm_bindgen::{JsCast, JsValue};

use crate::env::now_iso;

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Where outcomes go (the runner's report).
pub type Report = Rc<dyn Fn(Action)>;

/// Report a share in the address and, at `#/receive`, listen to the window that opened this
/// tab and tell it this Lectern is ready. The listener lives as long as the returned value.
pub fn subscribe(report: Report) -> Vec<EventListener> {
    let mut out = Vec::new();
    let Some(window) = web_sys::window() else {
        return out;
    };
    if let Some(shared) = take_shared(&window) {
        report(shared);
    }
    let hash = window.location().hash().unwrap_or_default();
    if route::parse(&hash) != Route::Receive {
        return out;
    }
    let opener = window
        .opener()
        .ok()
        .filter(|o| !o.is_null() && !o.is_undefined());
    let Some(opener) = opener else {
        report(Action::ReceiveStarted { opener: false });
        return out;
    };
    let r = Rc::clone(&report);
    let from = opener.clone();
    out.push(EventListener::new(&window, "message", move |e| {
        let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        // Only the window that opened this tab: a message from any other is not looked at.
        let source = e.source().map(JsValue::from);
        if !source.is_some_and(|s| js_sys::Object::is(&s, &from)) {
            return;
        }
        let data = e.data();
        let text = |key: &str| get(&data, key).as_string();
        if text("type").as_deref() != Some(PAGE_MESSAGE) || get(&data, "v").as_f64() != Some(1.0) {
            return;
        }
        let (Some(url), Some(html)) = (text("url"), text("html")) else {
            return;
        };
        r(Action::PageOffered {
            origin: e.origin(),
            url,
            title: text("title").unwrap_or_default(),
            html: Rc::from(html),
            token: text("token").unwrap_or_default(),
        });
    }));
    report(Action::ReceiveStarted { opener: true });
    // "Ready": only its type, so any origin may hear it; the page answers to this origin only.
    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &"type".into(), &READY_MESSAGE.into());
    let _ = opener
        .unchecked_into::<web_sys::Window>()
        .post_message(&ready, "*");
    out
}

/// The share in the page's query (`?share-title=…&share-text=…&share-url=…`), taken out of the
/// address so that a reload does not bring it again.
fn take_shared(window: &web_sys::Window) -> Option<Action> {
    let location = window.location();
    let search = location.search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let [title, text, url] = [TITLE_PARAM, TEXT_PARAM, URL_PARAM].map(|k| params.get(k));
    if title.is_none() && text.is_none() && url.is_none() {
        return None;
    }
    for k in [TITLE_PARAM, TEXT_PARAM, URL_PARAM] {
        params.delete(k);
    }
    let rest = String::from(params.to_string());
    let path = location.pathname().ok()?;
    let hash = location.hash().unwrap_or_default();
    let clean = if rest.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{rest}{hash}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&clean));
    }
    Some(Action::Shared {
        title: title.unwrap_or_default(),
        text: text.unwrap_or_default(),
        url: url.unwrap_or_default(),
        now: now_iso(),
    })
}

/// The address of this Lectern's page (origin and path: no query, no hash), which the
/// bookmarklet opens.
pub fn app_url() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!(
        "{}{}",
        location.origin().ok()?,
        location.pathname().ok()?
    ))
}
