//! The document outside the app's own tree: the root element's reader attributes, the
//! browser's languages.

use lectern_core::settings::Settings;

/// Put the reader settings on `root` (normally `<html>`): `data-theme` and `data-font` select
/// CSS rules; the numbers become custom properties the stylesheet reads.
pub fn apply_reader_settings(root: &web_sys::Element, settings: &Settings) {
    // Attribute writes on an element we own cannot fail in practice; ignore the Result rather
    // than panic in the render path.
    let _ = root.set_attribute("data-theme", settings.theme.as_str());
    let _ = root.set_attribute("data-font", settings.font.as_str());
    let style = format!(
        "--reader-font-size:{}px;--reader-measure:{}ch;--reader-line-height:{}",
        settings.font_size_px,
        settings.line_width_ch,
        settings.line_height_css()
    );
    let _ = root.set_attribute("style", &style);
}

/// Set the interface language on `root` (`<html lang>`), so screen readers speak the chrome
/// right; the article element carries its own `lang`.
pub fn set_document_lang(root: &web_sys::Element, lang: &str) {
    let _ = root.set_attribute("lang", lang);
}

/// `navigator.languages`, falling back to `navigator.language`.
pub fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let langs: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if langs.is_empty() {
        nav.language().into_iter().collect()
    } else {
        langs
    }
}

/// The tab's icon (an "L" on a dark rounded square), as an SVG data URL.
const ICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%231d1d1f'/%3E%3Ctext x='16' y='23' font-family='Georgia,serif' font-size='20' font-weight='700' text-anchor='middle' fill='%23fbfaf7'%3EL%3C/text%3E%3C/svg%3E";

/// Give the page its icon. Called once the app is up: `index.html` has an empty one (which
/// also keeps the browser from asking for `/favicon.ico`), because Chromium builds a whole SVG
/// document for an SVG icon on the main thread (~10 ms here), which the first paint of the
/// article does not need.
pub fn set_icon(document: &web_sys::Document) {
    let link = match document.query_selector("link[rel=icon]").ok().flatten() {
        Some(link) => link,
        None => {
            let (Ok(link), Some(head)) = (document.create_element("link"), document.head()) else {
                return;
            };
            let _ = link.set_attribute("rel", "icon");
            let _ = head.append_child(&link);
            link
        }
    };
    let _ = link.set_attribute("href", ICON);
}

/// Calls a function whenever an element comes within a margin of the view (an
/// `IntersectionObserver`); stops when dropped.
pub struct WhenVisible {
    observer: Option<web_sys::IntersectionObserver>,
    _callback: Option<wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>>,
}

impl WhenVisible {
    /// Call `f` whenever `el` comes within `margin` (CSS, e.g. `"800px"`) of the view.
    pub fn new(el: &web_sys::Element, margin: &str, mut f: impl FnMut() + 'static) -> WhenVisible {
        use wasm_bindgen::JsCast;
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
            move |entries: js_sys::Array| {
                let visible = entries.iter().any(|e| {
                    e.dyn_into::<web_sys::IntersectionObserverEntry>()
                        .is_ok_and(|e| e.is_intersecting())
                });
                if visible {
                    f();
                }
            },
        );
        let init = web_sys::IntersectionObserverInit::new();
        init.set_root_margin(margin);
        let observer = web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &init,
        )
        .ok();
        if let Some(o) = &observer {
            o.observe(el);
        }
        WhenVisible {
            observer,
            _callback: Some(callback),
        }
    }
}

impl Drop for WhenVisible {
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.disconnect();
        }
    }
}

/// Where the reader's view of the page starts: the bottom of the app bar (it stays on top of
/// the page while scrolling), or the window's top.
pub fn top_inset() -> f64 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".app-bar").ok().flatten())
        .map_or(0.0, |bar| bar.get_bounding_client_rect().bottom().max(0.0))
}

/// The window's height in CSS pixels.
pub fn view_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(800.0)
}

/// How far the page is scrolled, in CSS pixels.
pub fn scroll_y() -> f64 {
    web_sys::window()
        .and_then(|w| w.scroll_y().ok())
        .unwrap_or(0.0)
}

/// Scroll the page so that block `block`, UTF-16 offset `offset`, of `article` is at the top of
/// the reader's view ([`top_inset`]). Blocks far away may be laid out only once near (the
/// reader's `content-visibility`), which moves the target as it comes into view: the scroll
/// is corrected a few times, a frame apart.
pub fn scroll_to_reading(
    article: &web_sys::Element,
    block: usize,
    offset: lectern_core::text::Utf16Offset,
) {
    fn step(
        article: web_sys::Element,
        block: usize,
        offset: lectern_core::text::Utf16Offset,
        left: u32,
    ) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(d) = crate::paint::distance_to(&article, block, offset, top_inset() + 8.0) else {
            return;
        };
        if d.abs() > 1.0 {
            window.scroll_by_with_x_and_y(0.0, d);
        }
        if left > 0 && d.abs() > 1.0 {
            gloo_timers::callback::Timeout::new(16, move || step(article, block, offset, left - 1))
                .forget();
        }
    }
    step(article.clone(), block, offset, 6);
}

/// Scroll the page to its top.
pub fn scroll_to_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}
