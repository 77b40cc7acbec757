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
