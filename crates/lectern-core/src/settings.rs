//! Reader settings: what they are, their defaults and their bounds.
//!
//! Schema history (the envelope stays version 1: every change is a field added with a serde
//! default, so older stored values load unchanged; golden tests below pin both shapes):
//! - issue 18 added `speech` (reading aloud: speed and a voice per language).

use std::collections::BTreeMap;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    // --- issue 18 ---
    /// Reading aloud.
    pub speech: SpeechSettings,
}

// --- issue 18: reading aloud -------------------------------------------------------------------

/// Speech rate in tenths (10 = the voice's normal speed): 0.5× to 2×.
pub const SPEECH_RATE_TENTHS: (u8, u8) = (5, 20);
/// Most languages a voice is remembered for.
pub const MAX_SPEECH_VOICES: usize = 32;
/// Longest voice name or language code kept, in bytes.
pub const MAX_VOICE_BYTES: usize = 200;

/// How articles are read aloud: the speed, and the voice chosen for each language (by the
/// language's primary subtag, `ru`; the voice by its `voiceURI`). A language without a chosen
/// voice uses the browser's default voice for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SpeechSettings {
    pub rate_tenths: u8,
    pub voices: BTreeMap<String, String>,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        SpeechSettings {
            rate_tenths: 10,
            voices: BTreeMap::new(),
        }
    }
}

impl SpeechSettings {
    /// The rate as the Web Speech API takes it (1.0 = normal).
    pub fn rate(&self) -> f32 {
        f32::from(self.rate_tenths) / 10.0
    }

    /// The voice chosen for language `lang` (`ru-RU` and `ru` are one language).
    pub fn voice_for(&self, lang: &str) -> Option<&str> {
        self.voices.get(&primary_language(lang)).map(String::as_str)
    }

    fn clamped(mut self) -> SpeechSettings {
        self.rate_tenths = self
            .rate_tenths
            .clamp(SPEECH_RATE_TENTHS.0, SPEECH_RATE_TENTHS.1);
        self.voices.retain(|k, v| {
            !k.is_empty() && k.len() <= MAX_VOICE_BYTES && v.len() <= MAX_VOICE_BYTES
        });
        while self.voices.len() > MAX_SPEECH_VOICES {
            self.voices.pop_last();
        }
        self
    }
}

/// The primary subtag of a language tag, lowercase: `ru-RU` → `ru`.
pub fn primary_language(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
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
            speech: SpeechSettings::default(),
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
            speech: self.speech.clamped(),
            theme: self.theme,
            font: self.font,
            ui_lang: self.ui_lang,
            images: self.images,
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

    // --- issue 18 ---

    /// Settings as stored before reading aloud existed: they load as they were, with the
    /// default speech settings, and are written back with them.
    #[test]
    fn golden_settings_without_speech_still_load() {
        let golden = r#"{"theme":"dark","font":"sans","fontSizePx":21,"lineWidthCh":60,"lineHeightTenths":18,"uiLang":"ru"}"#;
        let s: Settings = serde_json::from_str(golden).unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.font_size_px, 21);
        assert_eq!(s.speech, SpeechSettings::default());
        assert_eq!(s.speech.rate(), 1.0);
    }

    /// The shape with speech settings, pinned both ways.
    #[test]
    fn golden_settings_with_speech_are_pinned() {
        let golden = r#"{"theme":"system","font":"serif","fontSizePx":19,"lineWidthCh":66,"lineHeightTenths":16,"uiLang":"auto","images":"ask","speech":{"rateTenths":12,"voices":{"en":"Samantha","ru":"Google русский"}}}"#;
        let s: Settings = serde_json::from_str(golden).unwrap();
        assert_eq!(s.speech.rate_tenths, 12);
        assert_eq!(s.speech.voice_for("ru-RU"), Some("Google русский"));
        assert_eq!(s.speech.voice_for("EN_gb"), Some("Samantha"));
        assert_eq!(s.speech.voice_for("de"), None);
        assert_eq!(serde_json::to_string(&s).unwrap(), golden);
        // Partial speech settings take defaults for the rest; out-of-bounds values are clamped.
        let partial: Settings = serde_json::from_str(r#"{"speech":{"rateTenths":99}}"#).unwrap();
        assert_eq!(partial.clamped().speech.rate_tenths, SPEECH_RATE_TENTHS.1);
        let mut many = Settings::default();
        for i in 0..100 {
            many.speech.voices.insert(format!("l{i:03}"), "v".into());
        }
        many.speech.voices.insert("x".into(), "v".repeat(1000));
        let c = many.clamped();
        assert_eq!(c.speech.voices.len(), MAX_SPEECH_VOICES);
        assert!(c.speech.voices.values().all(|v| v.len() <= MAX_VOICE_BYTES));
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
