//! The article model: what the reader shows and what annotations point into.
//!
//! An article is a title, an optional source, a language, some metadata and a list of
//! [`Block`]s. The annotatable text ([`Article::text`]) is the blocks' texts joined by `"\n"`;
//! the title, the source line and the metadata are not part of it, so an edit of any of them
//! never moves an annotation.
//!
//! Imported articles (Markdown, HTML) carry more structure than plain text: list items, quotes,
//! code, table rows, figures ([`BlockKind`]) and inline [`Mark`]s (emphasis, strong, code,
//! links). Every field added after the first stored version has a serde default and is skipped
//! when empty, so JSON written before it still loads and plain articles serialise as before.

use serde::{Deserialize, Serialize};

use crate::lang::Direction;
pub use crate::text::ArticleText;

/// What kind of block a piece of body text is.
///
/// Because a block's text never contains `'\n'`, multi-line things are several blocks:
/// - a code listing is one [`BlockKind::Code`] block per line (empty lines are empty blocks);
///   consecutive `Code` blocks belong to one listing (render them in one `<pre>`);
/// - a table is one [`BlockKind::TableRow`] block per row, its cells joined by one `'\t'`
///   ([`TABLE_CELL_SEPARATOR`]); cell texts never contain `'\t'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// The article's lead (standfirst): the first paragraph, set a little larger.
    Lead,
    Paragraph,
    /// A heading inside the body, level 2..=6 (the title is level 1).
    Heading(u8),
    /// One list item. `ordered`: numbered list; `number`: the number shown for ordered lists
    /// (the list's start plus the item's index), the 1-based position for bullet lists;
    /// `depth`: nesting, 0 for a top-level list. A paragraph continuing an item (a second
    /// paragraph inside the same `<li>`) is another `ListItem` with the same number and depth.
    ListItem {
        ordered: bool,
        number: u32,
        depth: u8,
    },
    /// A paragraph of a block quote (nested quotes are flattened).
    Quote,
    /// One line of preformatted code, spaces kept as written; consecutive `Code` blocks are one
    /// listing.
    Code,
    /// One table row: cell texts joined by [`TABLE_CELL_SEPARATOR`]. `header`: a row of
    /// header cells (`<th>`, or a Markdown table's first row).
    TableRow {
        header: bool,
    },
    /// An image or figure, as text: its alt text and/or caption (never its URL).
    Figure,
}

/// Separates the cells of a [`BlockKind::TableRow`] block's text: a single tab character.
pub const TABLE_CELL_SEPARATOR: char = '\t';

/// Inline formatting over a byte range of one block's text.
///
/// `start..end` are UTF-8 byte offsets into [`Block::text`], on character boundaries, with
/// `start < end <= text.len()`. A block's marks are sorted by `start` (then longest first);
/// two marks are either disjoint or nested, never partly overlapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub kind: MarkKind,
}

/// What a [`Mark`] does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    Emphasis,
    Strong,
    /// Inline code.
    Code,
    /// A link. `href` always passed [`crate::note_markup::safe_href`] (http, https or mailto);
    /// links with any other target are dropped when importing and keep only their text.
    Link {
        href: String,
    },
}

/// One block of body text. `text` never contains `'\n'`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Inline formatting; empty for plain text (and for blocks stored before marks existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
}

impl Block {
    /// A block without marks.
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Block {
        Block {
            kind,
            text: text.into(),
            marks: Vec::new(),
        }
    }
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

/// The format an article was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    #[default]
    Plain,
    Markdown,
    Html,
}

impl SourceFormat {
    fn is_plain(&self) -> bool {
        *self == SourceFormat::Plain
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub source: Option<Source>,
    /// BCP 47 language tag of the article's text (`ru`, `en`, ...).
    pub lang: String,
    pub dir: Direction,
    pub blocks: Vec<Block>,
    /// The author(s) as the page names them (`By Jane Doe`), whitespace collapsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// The publishing site's name (`og:site_name`), e.g. `The Guardian`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// The publication time as the page states it (usually ISO 8601); not parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// A short summary (the page's description, or the first paragraph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// What the article was imported from; `Plain` for articles stored before this existed.
    #[serde(default, skip_serializing_if = "SourceFormat::is_plain")]
    pub format: SourceFormat,
    // --- images (issue 16) ---
    /// The article's images, in order ([`Image`]): where they stand between blocks and where
    /// they are, never their bytes. They carry no text, so they move no offset.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Image>,
}

// --- images (issue 16) ---

/// An image of an imported page, recorded when the page is imported: an `https:` URL, the
/// page's alternative text and caption, and its size when the page says it. Nothing is loaded
/// by recording it; the reader shows a placeholder until the reader asks for images
/// (docs/web-import.md).
///
/// An image has no text: it stands *between* blocks ([`Image::at`]), outside
/// [`Article::text`], so highlights, offsets and anchoring are the same with or without it.
/// Its alternative text and caption stay where the importer has always put them: `Figure`
/// blocks of text, right after it (so they can be highlighted and searched like any text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The index of the block the image comes before; `blocks.len()` for after the last one.
    pub at: usize,
    /// Where the image is: always an absolute `https:` URL ([`is_image_url`]).
    pub url: String,
    /// The page's alternative text (`alt`), whitespace collapsed; may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alt: String,
    /// The caption of the figure it is in (`<figcaption>`), whitespace collapsed; may be empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// Width and height in CSS pixels, when the page states them (`width`/`height`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Longest image URL kept, in bytes (longer ones are not recorded).
pub const MAX_IMAGE_URL: usize = 2048;

/// Images recorded per article at most (a gallery page has dozens; more are left out).
pub const MAX_IMAGES: usize = 200;

/// Whether `url` is an image URL Lectern may load: `https://` followed by a host, no
/// whitespace or control characters, no quote or angle bracket, at most [`MAX_IMAGE_URL`]
/// bytes. Checked when importing and again when rendering (a stored article may have been
/// edited by hand).
pub fn is_image_url(url: &str) -> bool {
    let Some(rest) = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
    else {
        return false;
    };
    url.len() <= MAX_IMAGE_URL
        && !rest.is_empty()
        && !rest.starts_with(['/', '\\', '?', '#', '@'])
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
        })
}

/// Reading time range in whole minutes, as Firefox Reader View shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadingTime {
    pub min_minutes: u32,
    pub max_minutes: u32,
}

impl Article {
    /// An article of one paragraph per line of `text` (the benchmark corpus's format), so
    /// that [`Article::text`] is `text` itself; language and direction guessed from it.
    pub fn from_lines(id: &str, title: &str, text: &str) -> Article {
        let (lang, dir) = crate::lang::guess_language(text);
        Article {
            id: id.to_owned(),
            title: title.to_owned(),
            lang: lang.to_owned(),
            dir,
            blocks: text
                .split('\n')
                .map(|t| Block::new(BlockKind::Paragraph, t))
                .collect(),
            ..Article::default()
        }
    }

    /// The annotatable text: block texts joined by `"\n"`.
    pub fn text(&self) -> String {
        self.article_text().as_str().to_owned()
    }

    /// The annotatable text with where each block starts ([`ArticleText`]): what placements,
    /// painting and the DOM selection convert through.
    pub fn article_text(&self) -> ArticleText {
        ArticleText::new(self.blocks.iter().map(|b| b.text.as_str()))
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

/// Whitespace-separated words that have a letter or digit (`"—"` alone is not a word). One
/// pass over the bytes, no allocation: the reader counts a 1 MB article before showing it.
fn count_words(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut count = 0;
    // Whether the current word has a letter or digit yet.
    let mut counted = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_whitespace() || b == 0x0b {
                counted = false;
            } else if !counted && b.is_ascii_alphanumeric() {
                counted = true;
                count += 1;
            }
            i += 1;
            continue;
        }
        let len = match b {
            0xf0.. => 4,
            0xe0.. => 3,
            _ => 2,
        };
        // Inside a counted word only whitespace matters, and every non-ASCII whitespace
        // character starts with one of these bytes (U+0085, U+00A0, U+1680, U+2000–U+205F,
        // U+3000): other characters are skipped undecoded.
        if counted && !matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3) {
            i += len;
            continue;
        }
        let c = s[i..i + len].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            counted = false;
        } else if !counted && c.is_alphanumeric() {
            counted = true;
            count += 1;
        }
        i += len;
    }
    count
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
    proptest::proptest! {
        /// The one-pass count is the obvious definition's.
        #[test]
        fn count_words_is_split_whitespace_with_a_letter(s in "[a-zёЯ1 \t\n\u{b}\u{c}\u{85}\u{a0}\u{1680}\u{2003}\u{2028}\u{3000}\u{202f}—.,!😀\u{301}\u{20ac}\u{e9}]{0,40}") {
            let oracle = s
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            proptest::prop_assert_eq!(count_words(&s), oracle);
        }
    }

    #[test]
    fn from_lines_keeps_the_text_exactly() {
        for text in ["одна строка", "a\nb\n\nc", "", "x\n"] {
            let a = Article::from_lines("b", "T", text);
            assert_eq!(a.text(), text);
            assert_eq!(a.blocks.len(), text.split('\n').count());
        }
        assert_eq!(Article::from_lines("b", "T", "Привет, мир").lang, "ru");
    }

    use super::*;
    use crate::text::{ByteOffset, Utf16Offset};

    fn art(blocks: &[&str]) -> Article {
        Article {
            id: "a".into(),
            title: "T".into(),
            source: None,
            lang: "ru".into(),
            dir: Direction::Ltr,
            blocks: blocks
                .iter()
                .map(|t| Block::new(BlockKind::Paragraph, *t))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn text_joins_blocks_with_newlines_and_starts_are_byte_offsets() {
        let a = art(&["Привет", "мир", ""]);
        assert_eq!(a.text(), "Привет\nмир\n");
        let t = a.article_text();
        let starts: Vec<usize> = (0..t.block_count())
            .map(|i| t.block_start(i).unwrap().0)
            .collect();
        assert_eq!(starts, vec![0, 13, 20]);
        assert_eq!(t.block_range(1), ByteOffset(13)..ByteOffset(19));
        assert_eq!(t.block_text(1), "мир");
        assert_eq!(t.block_at(ByteOffset(19)), 1, "the newline ends block 1");
        assert_eq!(t.block_at(ByteOffset(20)), 2);
    }

    #[test]
    fn block_points_become_article_bytes_and_back() {
        let a = art(&["Привет", "a😀b"]);
        let t = a.article_text();
        // Block 1 starts at byte 13; UTF-16 offset 3 is after the emoji (2 units, 4 bytes).
        assert_eq!(
            t.from_block_utf16(1, Utf16Offset(3)),
            Some(ByteOffset(13 + 5))
        );
        assert_eq!(t.to_block_utf16(ByteOffset(13 + 5)), (1, Utf16Offset(3)));
        // Inside the surrogate pair rounds down; past the end clamps.
        assert_eq!(
            t.from_block_utf16(1, Utf16Offset(2)),
            Some(ByteOffset(13 + 1))
        );
        assert_eq!(t.from_block_utf16(0, Utf16Offset(99)), Some(ByteOffset(12)));
        assert_eq!(t.from_block_utf16(2, Utf16Offset(0)), None);
    }

    #[test]
    fn json_without_new_fields_still_loads_and_plain_articles_serialise_as_before() {
        let old = r#"{"id":"a","title":"T","source":null,"lang":"ru","dir":"ltr",
            "blocks":[{"kind":"lead","text":"x"},{"kind":{"heading":2},"text":"y"}]}"#;
        let a: Article = serde_json::from_str(old).unwrap();
        assert_eq!(a.format, SourceFormat::Plain);
        assert!(a.byline.is_none() && a.blocks[0].marks.is_empty());
        let back = serde_json::to_string(&a).unwrap();
        assert!(!back.contains("marks") && !back.contains("format") && !back.contains("byline"));
        // New kinds and marks round-trip.
        let mut b = a.clone();
        b.format = SourceFormat::Html;
        b.byline = Some("Jane".into());
        b.blocks.push(Block {
            kind: BlockKind::ListItem {
                ordered: true,
                number: 3,
                depth: 1,
            },
            text: "item".into(),
            marks: vec![Mark {
                start: 0,
                end: 4,
                kind: MarkKind::Link {
                    href: "https://e.org".into(),
                },
            }],
        });
        b.blocks
            .push(Block::new(BlockKind::TableRow { header: true }, "a\tb"));
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Article>(&json).unwrap(), b);
    }

    #[test]
    fn blank_ranges_are_found() {
        let a = art(&["Привет мир", "  ", "ok"]);
        let text = a.text();
        let t = a.article_text();
        let r = |s: usize, e: usize| ByteOffset(s)..ByteOffset(e);
        for (s, e) in [
            (0, 4),
            (12, 13),
            (19, 22),
            (12, 19),
            (20, 22),
            (19, 25),
            (0, text.len()),
        ] {
            assert_eq!(
                t.is_blank(r(s, e)),
                text[s..e].trim().is_empty(),
                "{s}..{e}"
            );
        }
        assert!(t.is_blank(r(5, 5)));
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
