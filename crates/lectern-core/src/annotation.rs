//! The annotation model, shaped after the W3C Web Annotation Data Model.
//!
//! Serialized as camelCase JSON. Field names follow the W3C model where they correspond
//! (`target`, `created`, `modified`; selectors `TextQuoteSelector {exact, prefix, suffix}` and
//! `TextPositionSelector {start, end}`, each with its `"type"`).
//!
//! Unit convention: positions in a stored [`TextPositionSelector`] are **Unicode code points**
//! into the article text ([`crate::article::Article::text`], blocks joined by `"\n"`), as the W3C
//! specification requires. Convert with [`crate::text`]; never store bytes or UTF-16 units.

use serde::{Deserialize, Serialize};

use crate::text::CodePointOffset;

/// A highlight colour. Serialized in lowercase (`"yellow"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    #[default]
    Yellow,
    Green,
    Blue,
    Pink,
    Purple,
}

impl Color {
    /// Every colour, in the order a palette shows them.
    pub const ALL: [Color; 5] = [
        Color::Yellow,
        Color::Green,
        Color::Blue,
        Color::Pink,
        Color::Purple,
    ];

    /// The serialized name (`"yellow"`), also usable as a CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Color::Yellow => "yellow",
            Color::Green => "green",
            Color::Blue => "blue",
            Color::Pink => "pink",
            Color::Purple => "purple",
        }
    }
}

/// W3C `TextQuoteSelector`: the selected text and some context on either side, as it was in the
/// original article (not normalised). `prefix`/`suffix` may be empty at the text's edges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "TextQuoteSelector")]
pub struct TextQuoteSelector {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
}

/// W3C `TextPositionSelector`: `[start, end)` in **code points** of the article text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "TextPositionSelector")]
pub struct TextPositionSelector {
    pub start: CodePointOffset,
    pub end: CodePointOffset,
}

/// Where an annotation points: a quote, a position, and the hash ([`text_hash`]) of the text
/// both were taken from (equal hash ⇒ the position can be trusted without searching).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub quote: TextQuoteSelector,
    pub position: TextPositionSelector,
    pub text_hash: String,
}

/// One annotation: a highlight (with `target`) or an article-level note (`target: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    /// A UUID v4 string ([`uuid_v4_from_bytes`]).
    pub id: String,
    pub article_id: String,
    /// `None` for a note about the whole article.
    pub target: Option<Target>,
    pub color: Color,
    /// Markdown.
    pub note: String,
    pub tags: Vec<String>,
    /// ISO 8601 UTC, e.g. `2024-11-21T10:00:00Z`.
    pub created: String,
    /// ISO 8601 UTC; equal to `created` until the first edit.
    pub modified: String,
}

/// Formats 16 random bytes as a version-4 (random) UUID, lowercase hyphenated
/// (`xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx`, N ∈ 8..=b), setting the version and RFC 4122 variant
/// bits. The caller supplies the randomness (in the browser: `crypto.getRandomValues`), which
/// keeps this crate free of JS-dependent RNG crates.
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A stable fingerprint of an article text: `"fnv1a64:"` followed by 16 lowercase hex digits of
/// the 64-bit FNV-1a hash of the text's UTF-8 bytes (offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3). Not cryptographic: it only tells "same text" from "edited text" so that a
/// stored position can be trusted without a search. O(n).
pub fn text_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Annotation {
        Annotation {
            id: uuid_v4_from_bytes([0xff; 16]),
            article_id: "art-1".into(),
            target: Some(Target {
                quote: TextQuoteSelector {
                    exact: "ёж".into(),
                    prefix: "Ein ".into(),
                    suffix: " 😀".into(),
                },
                position: TextPositionSelector {
                    start: CodePointOffset(4),
                    end: CodePointOffset(6),
                },
                text_hash: text_hash("Ein ёж 😀"),
            }),
            color: Color::Purple,
            note: "*why*".into(),
            tags: vec!["ru".into()],
            created: "2024-11-21T10:00:00Z".into(),
            modified: "2024-11-21T10:00:00Z".into(),
        }
    }

    #[test]
    fn uuid_sets_version_and_variant_bits() {
        assert_eq!(
            uuid_v4_from_bytes([0; 16]),
            "00000000-0000-4000-8000-000000000000"
        );
        assert_eq!(
            uuid_v4_from_bytes([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        let id = uuid_v4_from_bytes(*b"0123456789abcdef");
        assert_eq!(id, "30313233-3435-4637-b839-616263646566");
    }

    #[test]
    fn text_hash_matches_published_fnv1a_vectors() {
        // Reference values for FNV-1a 64 (Fowler/Noll/Vo test suite).
        assert_eq!(text_hash(""), "fnv1a64:cbf29ce484222325");
        assert_eq!(text_hash("a"), "fnv1a64:af63dc4c8601ec8c");
        assert_eq!(text_hash("foobar"), "fnv1a64:85944171f73967e8");
        assert_ne!(text_hash("ёж"), text_hash("еж"));
    }

    #[test]
    fn json_shape_is_w3c_like_and_round_trips() {
        let a = sample();
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["articleId"], "art-1");
        assert_eq!(v["color"], "purple");
        let t = &v["target"];
        assert_eq!(t["textHash"], text_hash("Ein ёж 😀"));
        assert_eq!(t["quote"]["type"], "TextQuoteSelector");
        assert_eq!(t["quote"]["exact"], "ёж");
        assert_eq!(t["position"]["type"], "TextPositionSelector");
        assert_eq!(t["position"]["start"], 4);
        assert_eq!(t["position"]["end"], 6);
        let back: Annotation = serde_json::from_value(v).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn article_note_has_null_target_and_colours_are_lowercase() {
        let mut a = sample();
        a.target = None;
        let v = serde_json::to_value(&a).unwrap();
        assert!(v["target"].is_null());
        for c in Color::ALL {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::from(c.as_str())
            );
        }
        assert!(serde_json::from_str::<Color>("\"Yellow\"").is_err());
    }

    #[test]
    fn selectors_are_read_leniently() {
        // Written with their W3C "type"; read without insisting on it, so selectors from other
        // tools' exports (or hand-written ones) load.
        let json = r#"{"exact":"a","prefix":"","suffix":"b"}"#;
        let q: TextQuoteSelector = serde_json::from_str(json).unwrap();
        assert_eq!(q.suffix, "b");
        assert!(serde_json::from_str::<TextPositionSelector>(r#"{"start":1}"#).is_err());
    }
}
