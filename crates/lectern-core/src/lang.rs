//! Language and direction guessed from the script a text is written in.
//!
//! Plain text carries no `lang` attribute, but the browser needs one to hyphenate, to pick
//! quotes and fonts, and to read aloud. Counting letters per script is enough to tell the
//! languages whose script is distinctive; Latin-script text defaults to English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// Guess a BCP 47 language tag and direction from the letters of `text`.
///
/// Looks at most at the first 20,000 characters. Cyrillic with Ukrainian-only letters
/// (і ї є ґ) is `uk`, other Cyrillic `ru`; Greek `el`; Hebrew `he`; Arabic `ar`; Han with kana
/// `ja`, Hangul `ko`, Han alone `zh`; anything else `en`.
pub fn guess_language(text: &str) -> (&'static str, Direction) {
    let (mut latin, mut cyr, mut greek, mut hebrew, mut arabic, mut han, mut kana, mut hangul) = (
        0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize,
    );
    let mut ukrainian = 0usize;
    for c in text.chars().take(20_000) {
        match c as u32 {
            0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F => latin += 1,
            0x400..=0x4FF => {
                cyr += 1;
                if matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ') {
                    ukrainian += 1;
                }
            }
            0x370..=0x3FF | 0x1F00..=0x1FFF => greek += 1,
            0x590..=0x5FF => hebrew += 1,
            0x600..=0x6FF | 0x750..=0x77F => arabic += 1,
            0x3040..=0x30FF => kana += 1,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF => han += 1,
            0xAC00..=0xD7AF => hangul += 1,
            _ => {}
        }
    }
    let cjk = han + kana + hangul;
    let best = [latin, cyr, greek, hebrew, arabic, cjk]
        .into_iter()
        .max()
        .unwrap_or(0);
    if best == 0 {
        return ("en", Direction::Ltr);
    }
    if best == cyr {
        let lang = if ukrainian * 50 > cyr { "uk" } else { "ru" };
        (lang, Direction::Ltr)
    } else if best == greek {
        ("el", Direction::Ltr)
    } else if best == hebrew {
        ("he", Direction::Rtl)
    } else if best == arabic {
        ("ar", Direction::Rtl)
    } else if best == cjk && best > latin {
        if kana > 0 {
            ("ja", Direction::Ltr)
        } else if hangul > han {
            ("ko", Direction::Ltr)
        } else {
            ("zh", Direction::Ltr)
        }
    } else {
        ("en", Direction::Ltr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_told_apart() {
        let cases = [
            ("Москва — столица России.", "ru", Direction::Ltr),
            ("Київ — столиця України, її історія.", "uk", Direction::Ltr),
            ("Η Αθήνα είναι η πρωτεύουσα.", "el", Direction::Ltr),
            ("ירושלים היא עיר", "he", Direction::Rtl),
            ("القاهرة هي عاصمة مصر", "ar", Direction::Rtl),
            ("東京は日本の首都です", "ja", Direction::Ltr),
            ("北京是中国的首都", "zh", Direction::Ltr),
            ("서울은 한국의 수도입니다", "ko", Direction::Ltr),
            ("London is a city.", "en", Direction::Ltr),
            ("1234 — 5678", "en", Direction::Ltr),
        ];
        for (text, lang, dir) in cases {
            assert_eq!(guess_language(text), (lang, dir), "{text}");
        }
    }
}
