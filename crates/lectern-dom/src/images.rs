//! Articles' images in the reader (issue 16; docs/web-import.md). The reader's HTML has a
//! placeholder per image (`<figure class="image" data-src=…>`, `lectern_core::render`); these
//! put an `<img>` in each, or take it out, when the reader asks. Each image is loaded lazily,
//! with no referrer, and only from an `https:` address. The service worker keeps what it can
//! for offline reading in its cache ([`IMAGE_CACHE`]), within a budget.

use gloo_events::EventListener;
use lectern_core::article::is_image_url;
use lectern_core::web::IMAGE_CACHE;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Show (or hide) the images of the placeholders inside `root`; `failed` is said in a
/// placeholder whose image did not load. Returns how many `<img>` it added.
pub fn show(root: &web_sys::Element, show: bool, failed: &str) -> u32 {
    let Some(document) = root.owner_document() else {
        return 0;
    };
    let Ok(list) = root.query_selector_all("figure.image[data-src]") else {
        return 0;
    };
    let mut added = 0;
    for i in 0..list.length() {
        let Some(fig) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let existing = fig.query_selector("img").ok().flatten();
        if !show {
            if let Some(img) = existing {
                img.remove();
            }
            let _ = fig
                .class_list()
                .remove_3("image--shown", "image--loaded", "image--failed");
            continue;
        }
        let src = fig.get_attribute("data-src").unwrap_or_default();
        if existing.is_some() || !is_image_url(&src) {
            continue;
        }
        let Ok(img) = document.create_element("img") else {
            continue;
        };
        // Everything that governs the request is set before its address.
        let _ = img.set_attribute("referrerpolicy", "no-referrer");
        let _ = img.set_attribute("loading", "lazy");
        let _ = img.set_attribute("decoding", "async");
        let _ = img.set_attribute("alt", &fig.get_attribute("data-alt").unwrap_or_default());
        for (data, attr) in [("data-width", "width"), ("data-height", "height")] {
            if let Some(v) = fig.get_attribute(data) {
                let _ = img.set_attribute(attr, &v);
            }
        }
        let _ = fig.set_attribute("data-failed", failed);
        let f = fig.clone();
        EventListener::once(&img, "load", move |_| {
            let _ = f.class_list().add_1("image--loaded");
        })
        .forget();
        let f = fig.clone();
        EventListener::once(&img, "error", move |_| {
            let _ = f.class_list().add_1("image--failed");
        })
        .forget();
        let _ = fig.append_child(&img);
        let _ = img.set_attribute("src", &src);
        let _ = fig.class_list().add_1("image--shown");
        added += 1;
    }
    added
}

fn cache_storage() -> Option<web_sys::CacheStorage> {
    // Cache Storage exists only in secure contexts (https, localhost).
    let window = web_sys::window()?;
    if !js_sys::Reflect::has(&window, &"caches".into()).unwrap_or(false) {
        return None;
    }
    window.caches().ok()
}

/// Bytes and number of the images kept for offline reading (what the service worker wrote in
/// each entry's `x-lectern-bytes`); `None` without Cache Storage.
pub async fn kept() -> Option<(u64, u32)> {
    let caches = cache_storage()?;
    let has = JsFuture::from(caches.has(IMAGE_CACHE)).await.ok()?;
    if !has.as_bool().unwrap_or(false) {
        return Some((0, 0));
    }
    let cache: web_sys::Cache = JsFuture::from(caches.open(IMAGE_CACHE))
        .await
        .ok()?
        .unchecked_into();
    let all: js_sys::Array = JsFuture::from(cache.match_all())
        .await
        .ok()?
        .unchecked_into();
    let mut bytes = 0u64;
    let mut count = 0u32;
    for r in all.iter() {
        let r: web_sys::Response = r.unchecked_into();
        let n = r
            .headers()
            .get("x-lectern-bytes")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        bytes += n;
        count += 1;
    }
    Some((bytes, count))
}

/// Delete every image kept for offline reading.
pub async fn forget() -> Result<(), JsValue> {
    if let Some(caches) = cache_storage() {
        JsFuture::from(caches.delete(IMAGE_CACHE)).await?;
    }
    Ok(())
}
