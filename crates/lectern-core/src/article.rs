//! The article model: what the reader shows and what annotations point into.
//!
//! An article is a title, an optional source, a language and a list of [`Block`]s. The
//! annotatable text ([`Article::text`]) is the blocks' texts joined by `"\n"`; the title and the
//! source line are not part of it, so an edit of either never moves an annotation.

use serde::{Deserialize, Serialize};

use crate::lang::Direction;
use crate::text::{utf16_to_byte_clamped, ByteOffset, Utf16Offset};

/// What kind of block a piece of body text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// The article's lead (standfirst): the first paragraph, set a little larger.
    Lead,
    Paragraph,
    /// A heading inside the body, level 2..=6 (the title is level 1).
    Heading(u8),
}

/// One block of body text. `text` never contains `'\n'`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

/// Where an article came from, as the article itself says (`Источник и фото - ria.ru`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The label as written, e.g. `Источник и фото`.
    pub label: String,
    /// What the label names, e.g. `ria.ru`.
    pub name: String,
    /// An `https://` URL when `name` is a bare domain or an http(s) URL; never another scheme.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub source: Option<Source>,
    /// BCP 47 language tag of the article's text (`ru`, `en`, ...).
    pub lang: String,
    pub dir: Direction,
    pub blocks: Vec<Block>,
}

/// Reading time range in whole minutes, as Firefox Reader View shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadingTime {
    pub min_minutes: u32,
    pub max_minutes: u32,
}

impl Article {
    /// The annotatable text: block texts joined by `"\n"`.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.blocks.iter().map(|b| b.text.len() + 1).sum());
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&b.text);
        }
        out
    }

    /// Byte offset in [`Article::text`] where each block starts.
    pub fn block_starts_bytes(&self) -> Vec<usize> {
        let mut at = 0;
        self.blocks
            .iter()
            .map(|b| {
                let start = at;
                at += b.text.len() + 1;
                start
            })
            .collect()
    }

    /// The byte offset in [`Article::text`] of UTF-16 offset `offset` inside block `block` (as
    /// the DOM counts), clamped to the block and rounded down to a character boundary. `None`
    /// for a block index past the end.
    pub fn block_utf16_to_byte(&self, block: usize, offset: Utf16Offset) -> Option<ByteOffset> {
        let b = self.blocks.get(block)?;
        let start: usize = self.blocks[..block].iter().map(|b| b.text.len() + 1).sum();
        Some(ByteOffset(start + utf16_to_byte_clamped(&b.text, offset).0))
    }

    /// Words in the title and body, counted as runs of characters that contain a letter or digit.
    pub fn word_count(&self) -> usize {
        count_words(&self.title)
            + self
                .blocks
                .iter()
                .map(|b| count_words(&b.text))
                .sum::<usize>()
    }

    /// Characters (code points) of the title and body, the measure reading speed tables use.
    pub fn char_count(&self) -> usize {
        self.title.chars().count()
            + self
                .blocks
                .iter()
                .map(|b| b.text.chars().count())
                .sum::<usize>()
    }

    /// Estimated reading time, from Firefox Reader View's characters-per-minute table.
    pub fn reading_time(&self) -> ReadingTime {
        reading_time(self.char_count(), &self.lang)
    }
}

fn count_words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Reading speed in characters per minute and its spread, per language.
///
/// These are the figures Firefox Reader View uses (`AboutReader.sys.mjs`,
/// `_getReadingSpeedForLanguage`); unknown languages read at the English speed.
pub fn reading_speed_cpm(lang: &str) -> (u32, u32) {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "ar" => (612, 88),
        "de" => (920, 86),
        "es" => (1025, 127),
        "fi" => (1078, 121),
        "fr" => (998, 126),
        "he" => (833, 130),
        "it" => (950, 140),
        "ja" | "jw" => (357, 56),
        "nl" => (978, 143),
        "pl" => (916, 126),
        "pt" => (913, 145),
        "ru" => (986, 175),
        "sk" => (885, 145),
        "sv" => (917, 156),
        "tr" => (1054, 156),
        "zh" => (255, 29),
        _ => (987, 118),
    }
}

/// Reading time for `chars` characters in `lang`: `ceil(chars / (cpm ± variance))` minutes, at
/// least one minute.
pub fn reading_time(chars: usize, lang: &str) -> ReadingTime {
    let (cpm, var) = reading_speed_cpm(lang);
    let chars = chars as u64;
    let fast = (cpm + var) as u64;
    let slow = (cpm - var) as u64;
    ReadingTime {
        min_minutes: chars.div_ceil(fast).max(1) as u32,
        max_minutes: chars.div_ceil(slow).max(1) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(blocks: &[&str]) -> Article {
        Article {
            id: "a".into(),
            title: "T".into(),
            source: None,
            lang: "ru".into(),
            dir: Direction::Ltr,
            blocks: blocks
                .iter()
                .map(|t| Block {
                    kind: BlockKind::Paragraph,
                    text: t.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn text_joins_blocks_with_newlines_and_starts_are_byte_offsets() {
        let a = art(&["Привет", "мир", ""]);
        assert_eq!(a.text(), "Привет\nмир\n");
        assert_eq!(a.block_starts_bytes(), vec![0, 13, 20]);
    }

    #[test]
    fn block_points_become_article_bytes() {
        let a = art(&["Привет", "a😀b"]);
        // Block 1 starts at byte 13; UTF-16 offset 3 is after the emoji (2 units, 4 bytes).
        assert_eq!(
            a.block_utf16_to_byte(1, Utf16Offset(3)),
            Some(ByteOffset(13 + 5))
        );
        // Inside the surrogate pair rounds down; past the end clamps.
        assert_eq!(
            a.block_utf16_to_byte(1, Utf16Offset(2)),
            Some(ByteOffset(13 + 1))
        );
        assert_eq!(
            a.block_utf16_to_byte(0, Utf16Offset(99)),
            Some(ByteOffset(12))
        );
        assert_eq!(a.block_utf16_to_byte(2, Utf16Offset(0)), None);
    }

    #[test]
    fn words_ignore_punctuation_only_tokens() {
        let a = art(&["Один — два, три 3.5 !"]);
        assert_eq!(a.word_count(), 1 + 4);
    }

    #[test]
    fn russian_reading_time_is_a_range_from_firefox_figures() {
        // 5,000 characters at 986 ± 175 cpm: 5000/1161 = 4.3 → 5, 5000/811 = 6.2 → 7.
        assert_eq!(
            reading_time(5000, "ru"),
            ReadingTime {
                min_minutes: 5,
                max_minutes: 7
            }
        );
        // Chinese reads far fewer characters per minute.
        assert_eq!(reading_time(1000, "zh-CN").min_minutes, 4);
        assert_eq!(reading_time(0, "en").min_minutes, 1);
    }
}
