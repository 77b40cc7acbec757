//! Reader settings: what they are, their defaults and their bounds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system's `prefers-color-scheme` (light or dark).
    #[default]
    System,
    Light,
    Sepia,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 4] = [Theme::System, Theme::Light, Theme::Sepia, Theme::Dark];
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Sepia => "sepia",
            Theme::Dark => "dark",
        }
    }
    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FontFamily {
    #[default]
    Serif,
    Sans,
}

impl FontFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            FontFamily::Serif => "serif",
            FontFamily::Sans => "sans",
        }
    }
}

/// The interface language; `Auto` follows the browser's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UiLang {
    #[default]
    Auto,
    En,
    Ru,
}

impl UiLang {
    pub const ALL: [UiLang; 3] = [UiLang::Auto, UiLang::En, UiLang::Ru];
    pub fn as_str(self) -> &'static str {
        match self {
            UiLang::Auto => "auto",
            UiLang::En => "en",
            UiLang::Ru => "ru",
        }
    }
    pub fn parse(s: &str) -> Option<UiLang> {
        UiLang::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

// --- images (issue 16) ---

/// Whether an article's images are loaded (docs/web-import.md). Nothing remote loads by
/// itself unless the reader chose `Always`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ImagePolicy {
    /// Every article's images load as it is read.
    Always,
    /// Placeholders only.
    Never,
    /// Placeholders, and a "Show images" control per article (remembered per article). Also
    /// what an unknown value (from a newer Lectern) reads as: nothing loads by itself. (Last:
    /// serde's catch-all must be.)
    #[default]
    #[serde(other)]
    Ask,
}

impl ImagePolicy {
    pub const ALL: [ImagePolicy; 3] = [ImagePolicy::Ask, ImagePolicy::Always, ImagePolicy::Never];
    pub fn as_str(self) -> &'static str {
        match self {
            ImagePolicy::Ask => "ask",
            ImagePolicy::Always => "always",
            ImagePolicy::Never => "never",
        }
    }
    pub fn parse(s: &str) -> Option<ImagePolicy> {
        ImagePolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }
    /// Whether an article's images are shown, `chosen` saying whether the reader asked for
    /// this article's ("Show images").
    pub fn shows(self, chosen: bool) -> bool {
        match self {
            ImagePolicy::Ask => chosen,
            ImagePolicy::Always => true,
            ImagePolicy::Never => false,
        }
    }
}

pub const FONT_SIZE_PX: (u8, u8) = (14, 28);
pub const LINE_WIDTH_CH: (u8, u8) = (45, 90);
/// Line height in tenths (16 = 1.6).
pub const LINE_HEIGHT_TENTHS: (u8, u8) = (12, 22);

/// Reader settings. Every numeric field is kept inside its bounds by [`Settings::clamped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub theme: Theme,
    pub font: FontFamily,
    pub font_size_px: u8,
    pub line_width_ch: u8,
    pub line_height_tenths: u8,
    pub ui_lang: UiLang,
    // --- images (issue 16) ---
    /// Loading articles' images: ask (default), always, never. Settings stored before it
    /// existed read as `Ask` (`#[serde(default)]` on the struct).
    pub images: ImagePolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            font: FontFamily::Serif,
            font_size_px: 19,
            line_width_ch: 66,
            line_height_tenths: 16,
            ui_lang: UiLang::Auto,
            images: ImagePolicy::Ask,
        }
    }
}

impl Settings {
    /// The same settings with every number moved into its bounds.
    pub fn clamped(self) -> Settings {
        Settings {
            font_size_px: self.font_size_px.clamp(FONT_SIZE_PX.0, FONT_SIZE_PX.1),
            line_width_ch: self.line_width_ch.clamp(LINE_WIDTH_CH.0, LINE_WIDTH_CH.1),
            line_height_tenths: self
                .line_height_tenths
                .clamp(LINE_HEIGHT_TENTHS.0, LINE_HEIGHT_TENTHS.1),
            ..self
        }
    }

    /// `1.6` for 16 tenths, as CSS wants it.
    pub fn line_height_css(&self) -> String {
        format!(
            "{}.{}",
            self.line_height_tenths / 10,
            self.line_height_tenths % 10
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamping_keeps_numbers_in_bounds() {
        let s = Settings {
            font_size_px: 200,
            line_width_ch: 1,
            line_height_tenths: 0,
            ..Settings::default()
        }
        .clamped();
        assert_eq!(
            (s.font_size_px, s.line_width_ch, s.line_height_tenths),
            (28, 45, 12)
        );
        assert_eq!(Settings::default().line_height_css(), "1.6");
    }

    #[test]
    fn the_image_setting_is_ask_unless_chosen() {
        // Settings written before the image setting existed.
        let s: Settings = serde_json::from_str(r#"{"theme":"dark","uiLang":"ru"}"#).unwrap();
        assert_eq!(s.images, ImagePolicy::Ask);
        for p in ImagePolicy::ALL {
            assert_eq!(ImagePolicy::parse(p.as_str()), Some(p));
        }
        assert!(!ImagePolicy::Ask.shows(false) && ImagePolicy::Ask.shows(true));
        assert!(ImagePolicy::Always.shows(false) && !ImagePolicy::Never.shows(true));
        // An unknown value (from a newer Lectern) is "ask": the other settings stay.
        let s: Settings =
            serde_json::from_str(r#"{"images":"sometimes","fontSizePx":22}"#).unwrap();
        assert_eq!((s.images, s.font_size_px), (ImagePolicy::Ask, 22));
    }

    #[test]
    fn missing_fields_take_defaults() {
        let s: Settings = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.font_size_px, 19);
    }
}
