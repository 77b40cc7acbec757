//! Every interface string, in English and Russian, in one place.
//!
//! The interface language is chosen from the browser's language (or the user's setting); the
//! article keeps its own `lang` whatever the interface speaks.

use crate::settings::UiLang;

/// A resolved interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    /// The interface language for a setting and the browser's languages (`navigator.languages`):
    /// the first of those we speak, else English.
    pub fn resolve(setting: UiLang, browser_langs: &[String]) -> Lang {
        match setting {
            UiLang::En => Lang::En,
            UiLang::Ru => Lang::Ru,
            UiLang::Auto => browser_langs
                .iter()
                .find_map(|l| {
                    let p = l
                        .split(['-', '_'])
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    match p.as_str() {
                        "ru" => Some(Lang::Ru),
                        "en" => Some(Lang::En),
                        _ => None,
                    }
                })
                .unwrap_or(Lang::En),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }
}

/// The interface's words. Add a field here and the compiler asks for both languages.
#[derive(Debug)]
pub struct Strings {
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_article: &'static str,
    pub settings: &'static str,
    pub settings_open: &'static str,
    pub close: &'static str,
    pub theme: &'static str,
    pub theme_system: &'static str,
    pub theme_light: &'static str,
    pub theme_sepia: &'static str,
    pub theme_dark: &'static str,
    pub font: &'static str,
    pub font_serif: &'static str,
    pub font_sans: &'static str,
    pub font_size: &'static str,
    pub line_width: &'static str,
    pub line_height: &'static str,
    pub ui_language: &'static str,
    pub ui_language_auto: &'static str,
    pub reset: &'static str,
    pub dismiss: &'static str,
    pub source: &'static str,
    pub article_meta: &'static str,
    pub storage_unavailable: &'static str,
    pub settings_corrupt: &'static str,
    pub settings_lost: &'static str,
    pub settings_newer: &'static str,
    pub save_failed: &'static str,
    pub storage_full: &'static str,
}

pub static EN: Strings = Strings {
    app_name: "Lectern",
    tagline: "Read and annotate, in your browser",
    skip_to_article: "Skip to article",
    settings: "Reading settings",
    settings_open: "Reading settings",
    close: "Close",
    theme: "Theme",
    theme_system: "Auto",
    theme_light: "Light",
    theme_sepia: "Sepia",
    theme_dark: "Dark",
    font: "Font",
    font_serif: "Serif",
    font_sans: "Sans",
    font_size: "Text size",
    line_width: "Line width",
    line_height: "Line spacing",
    ui_language: "Interface language",
    ui_language_auto: "Browser default",
    reset: "Reset to defaults",
    dismiss: "Dismiss",
    source: "Source",
    article_meta: "About this article",
    storage_unavailable: "This browser does not let Lectern save anything (storage is unavailable), so default settings are used and changes last only until you close the page.",
    settings_corrupt: "Your saved settings could not be read, so defaults are used. The old value was kept under the key",
    settings_lost: "Your saved settings could not be read and could not be backed up, so they are left untouched and changes will not be saved.",
    settings_newer: "These settings were saved by a newer version of Lectern. They are used, but changes here will not be saved over them.",
    save_failed: "Settings could not be saved:",
    storage_full: "Browser storage is full.",
};

pub static RU: Strings = Strings {
    app_name: "Lectern",
    tagline: "Чтение и заметки прямо в браузере",
    skip_to_article: "Перейти к статье",
    settings: "Настройки чтения",
    settings_open: "Настройки чтения",
    close: "Закрыть",
    theme: "Тема",
    theme_system: "Авто",
    theme_light: "Светлая",
    theme_sepia: "Сепия",
    theme_dark: "Тёмная",
    font: "Шрифт",
    font_serif: "С засечками",
    font_sans: "Без засечек",
    font_size: "Размер текста",
    line_width: "Ширина строки",
    line_height: "Межстрочный интервал",
    ui_language: "Язык интерфейса",
    ui_language_auto: "Как в браузере",
    reset: "Сбросить",
    dismiss: "Скрыть",
    source: "Источник",
    article_meta: "Об этой статье",
    storage_unavailable: "Браузер не разрешает Lectern ничего сохранять (хранилище недоступно), поэтому действуют настройки по умолчанию, а изменения сохранятся только до закрытия страницы.",
    settings_corrupt: "Сохранённые настройки не удалось прочитать, поэтому действуют настройки по умолчанию. Прежнее значение сохранено под ключом",
    settings_lost: "Сохранённые настройки не удалось прочитать и не удалось скопировать, поэтому они не тронуты, а изменения не будут сохраняться.",
    settings_newer: "Эти настройки сохранены более новой версией Lectern. Они применены, но изменения не будут записаны поверх них.",
    save_failed: "Не удалось сохранить настройки:",
    storage_full: "Хранилище браузера переполнено.",
};

/// Russian plural category of `n`: 0 = one (1, 21), 1 = few (2–4, 22–24), 2 = many (5–20, 25).
fn ru_plural(n: usize) -> usize {
    let (d, h) = (n % 10, n % 100);
    if d == 1 && h != 11 {
        0
    } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
        1
    } else {
        2
    }
}

impl Lang {
    /// `631 words` / `631 слово`.
    pub fn words(self, n: usize) -> String {
        match self {
            Lang::En => format!("{n} {}", if n == 1 { "word" } else { "words" }),
            Lang::Ru => format!("{n} {}", ["слово", "слова", "слов"][ru_plural(n)]),
        }
    }

    /// `5–7 min read` / `5–7 мин чтения`; a single number when the range collapses.
    pub fn reading_time(self, min: u32, max: u32) -> String {
        let range = if min == max {
            min.to_string()
        } else {
            format!("{min}–{max}")
        };
        match self {
            Lang::En => format!("{range} min read"),
            Lang::Ru => format!("{range} мин чтения"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let got: Vec<String> = [1, 2, 5, 11, 12, 21, 22, 25, 111, 631]
            .iter()
            .map(|&n| Lang::Ru.words(n))
            .collect();
        assert_eq!(
            got,
            [
                "1 слово",
                "2 слова",
                "5 слов",
                "11 слов",
                "12 слов",
                "21 слово",
                "22 слова",
                "25 слов",
                "111 слов",
                "631 слово"
            ]
        );
        assert_eq!(Lang::En.words(1), "1 word");
        assert_eq!(Lang::Ru.reading_time(5, 7), "5–7 мин чтения");
        assert_eq!(Lang::En.reading_time(1, 1), "1 min read");
    }

    #[test]
    fn language_follows_setting_then_browser() {
        let br = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Lang::resolve(UiLang::Auto, &br(&["ru-RU", "en"])), Lang::Ru);
        assert_eq!(
            Lang::resolve(UiLang::Auto, &br(&["de-DE", "en-GB"])),
            Lang::En
        );
        assert_eq!(Lang::resolve(UiLang::Auto, &br(&["fr"])), Lang::En);
        assert_eq!(Lang::resolve(UiLang::En, &br(&["ru"])), Lang::En);
        assert_eq!(Lang::resolve(UiLang::Ru, &br(&[])), Lang::Ru);
    }
}
