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
