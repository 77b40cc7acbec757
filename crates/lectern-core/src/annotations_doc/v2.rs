//! The compact stored form of one article's annotations (schema version 2).
//!
//! Version 1 stored each annotation as the W3C-shaped object it is in memory: field names
//! repeated per record, the article id in every record (the key already says it), `type`
//! names, the text hash in every record, 32 characters of context on each side, ISO timestamps
//! as strings — about 1 KB (UTF-16) per highlight with a short note on the sample. Version 2 is
//! positional and says each thing once:
//!
//! ```json
//! {"h": ["fnv1a64:…"],                                    text hashes, by index
//!  "a": [[id, created, modified, color, note, tags, target | null], …],
//!  "t": [[id, deleted], …]}
//! target: [start, end, exact, hash index, prefix, suffix]
//! ```
//!
//! - Times are milliseconds since 1970 when the ISO string is in the canonical
//!   `YYYY-MM-DDTHH:MM:SS.sssZ` form (what the app writes), else the string as it is. A
//!   `modified` stored as a number counts from `created` when that is a number too (an
//!   annotation never edited is `0`).
//! - Colours are their index in [`Color::ALL`].
//! - `prefix` and `suffix` are numbers when they are exactly that many code points of the
//!   article's text before `start` and after `end` (what the describer took), so they are read
//!   back from the text; otherwise (a fuzzy or orphaned placement, an import from another text)
//!   they are the strings. Without the text at hand a number cannot be read back: such a context
//!   comes back empty (see [`decode`]); the exact quote is always stored, so a highlight is
//!   never without its words.
//!
//! Nothing a reader sees or an export needs is dropped: [`encode`] then [`decode`] with the
//! same text gives the document back (property-tested).

use serde::{Deserialize, Serialize};

use super::{AnnotationsDoc, Tombstone};
use crate::annotation::{Annotation, Color, Target, TextPositionSelector, TextQuoteSelector};
use crate::text::{CodePointOffset, TextIndex};

/// The article text annotations are stored against, and its hash
/// ([`crate::annotation::text_hash`]).
#[derive(Debug, Clone, Copy)]
pub struct TextRef<'a> {
    pub text: &'a str,
    pub hash: &'a str,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DocV2 {
    #[serde(rename = "h", default, skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<String>,
    #[serde(rename = "a", default)]
    annotations: Vec<Rec>,
    #[serde(rename = "t", default, skip_serializing_if = "Vec::is_empty")]
    tombstones: Vec<(String, Time)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rec(
    String,
    Time,
    Time,
    u8,
    String,
    Vec<String>,
    Option<TargetV2>,
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TargetV2(usize, usize, String, usize, Context, Context);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Context {
    /// That many code points of the text.
    Len(usize),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Time {
    Ms(i64),
    Iso(String),
}

impl Time {
    fn of(ts: &str) -> Time {
        match iso_to_ms(ts) {
            Some(ms) if ms_to_iso(ms) == ts => Time::Ms(ms),
            _ => Time::Iso(ts.to_owned()),
        }
    }

    fn iso(self) -> String {
        match self {
            Time::Ms(ms) => ms_to_iso(ms),
            Time::Iso(s) => s,
        }
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SS.sssZ`; `None` for any other shape.
fn iso_to_ms(ts: &str) -> Option<i64> {
    let b = ts.as_bytes();
    if b.len() != 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[23] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = ts.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some((((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms)
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` of milliseconds since 1970 (what `Date.toISOString` gives).
fn ms_to_iso(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (rest / 3_600_000, rest % 3_600_000);
    let (mi, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
}

fn color_index(c: Color) -> u8 {
    Color::ALL.iter().position(|&x| x == c).unwrap_or(0) as u8
}

/// The compact form of `doc`; contexts become numbers where `text` gives them back.
pub fn encode(doc: &AnnotationsDoc, text: Option<TextRef<'_>>) -> DocV2 {
    // Built only when some target could use it.
    let index = text
        .filter(|_| doc.annotations.iter().any(|a| a.target.is_some()))
        .map(|t| TextIndex::new(t.text));
    let mut hashes: Vec<String> = Vec::new();
    let mut hash_index = |h: &str| match hashes.iter().position(|x| x == h) {
        Some(i) => i,
        None => {
            hashes.push(h.to_owned());
            hashes.len() - 1
        }
    };
    let annotations = doc
        .annotations
        .iter()
        .map(|a| {
            let target = a.target.as_ref().map(|t| {
                let (prefix, suffix) = match (text, &index) {
                    (Some(tr), Some(ix)) if tr.hash == t.text_hash => contexts(tr.text, ix, t),
                    _ => (
                        Context::Text(t.quote.prefix.clone()),
                        Context::Text(t.quote.suffix.clone()),
                    ),
                };
                TargetV2(
                    t.position.start.0,
                    t.position.end.0,
                    t.quote.exact.clone(),
                    hash_index(&t.text_hash),
                    prefix,
                    suffix,
                )
            });
            let created = Time::of(&a.created);
            let modified = match (&created, Time::of(&a.modified)) {
                (Time::Ms(c), Time::Ms(m)) => Time::Ms(m - c),
                (_, m) => m,
            };
            Rec(
                a.id.clone(),
                created,
                modified,
                color_index(a.color),
                a.note.clone(),
                a.tags.clone(),
                target,
            )
        })
        .collect();
    DocV2 {
        hashes,
        annotations,
        tombstones: doc
            .tombstones
            .iter()
            .map(|t| (t.id.clone(), Time::of(&t.deleted)))
            .collect(),
    }
}

/// The prefix and suffix of `t` as numbers when they are the text's own characters right
/// before and after the position, else as strings.
fn contexts(text: &str, ix: &TextIndex<'_>, t: &Target) -> (Context, Context) {
    let (Ok(s), Ok(e)) = (
        ix.cp_to_byte(t.position.start),
        ix.cp_to_byte(t.position.end),
    ) else {
        return (
            Context::Text(t.quote.prefix.clone()),
            Context::Text(t.quote.suffix.clone()),
        );
    };
    let prefix_len = t.quote.prefix.chars().count();
    let suffix_len = t.quote.suffix.chars().count();
    let before = text[..s.0]
        .char_indices()
        .rev()
        .nth(prefix_len.wrapping_sub(1))
        .map(|(i, _)| &text[i..s.0]);
    let before = if prefix_len == 0 { Some("") } else { before };
    let after_end = text[e.0..]
        .char_indices()
        .nth(suffix_len)
        .map_or(text.len(), |(i, _)| e.0 + i);
    let after = &text[e.0..after_end];
    let quote_here = text.get(s.0..e.0) == Some(t.quote.exact.as_str());
    let prefix = if quote_here && before == Some(t.quote.prefix.as_str()) {
        Context::Len(prefix_len)
    } else {
        Context::Text(t.quote.prefix.clone())
    };
    let suffix = if quote_here && after == t.quote.suffix && after.chars().count() == suffix_len {
        Context::Len(suffix_len)
    } else {
        Context::Text(t.quote.suffix.clone())
    };
    (prefix, suffix)
}

/// The document back from its compact form; `text` is the article's text (what numeric
/// contexts are read from; without it they come back empty).
pub fn decode(v2: DocV2, article_id: &str, text: Option<&str>) -> AnnotationsDoc {
    let index = text
        .filter(|_| v2.annotations.iter().any(|r| r.6.is_some()))
        .map(TextIndex::new);
    let read = |ctx: Context, at: CodePointOffset, before: bool| -> String {
        match ctx {
            Context::Text(s) => s,
            Context::Len(n) => {
                let (Some(text), Some(ix)) = (text, &index) else {
                    return String::new();
                };
                let Ok(b) = ix.cp_to_byte(at) else {
                    return String::new();
                };
                if before {
                    let start = text[..b.0]
                        .char_indices()
                        .rev()
                        .nth(n.wrapping_sub(1))
                        .map_or(0, |(i, _)| i);
                    if n == 0 {
                        String::new()
                    } else {
                        text[start..b.0].to_owned()
                    }
                } else {
                    let end = text[b.0..]
                        .char_indices()
                        .nth(n)
                        .map_or(text.len(), |(i, _)| b.0 + i);
                    text[b.0..end].to_owned()
                }
            }
        }
    };
    let annotations = v2
        .annotations
        .into_iter()
        .map(|Rec(id, created, modified, color, note, tags, target)| {
            let modified = match (&created, modified) {
                (Time::Ms(c), Time::Ms(d)) => Time::Ms(c + d),
                (_, m) => m,
            };
            let target = target.map(|TargetV2(start, end, exact, h, prefix, suffix)| {
                let (start, end) = (CodePointOffset(start), CodePointOffset(end));
                Target {
                    quote: TextQuoteSelector {
                        exact,
                        prefix: read(prefix, start, true),
                        suffix: read(suffix, end, false),
                    },
                    position: TextPositionSelector { start, end },
                    text_hash: v2.hashes.get(h).cloned().unwrap_or_default(),
                }
            });
            Annotation {
                id,
                article_id: article_id.to_owned(),
                target,
                color: Color::ALL
                    .get(usize::from(color))
                    .copied()
                    .unwrap_or_default(),
                note,
                tags,
                created: created.iso(),
                modified: modified.iso(),
            }
        })
        .collect();
    AnnotationsDoc {
        annotations,
        tombstones: v2
            .tombstones
            .into_iter()
            .map(|(id, t)| Tombstone {
                id,
                deleted: t.iso(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_times_become_milliseconds_and_back_others_stay_strings() {
        for ts in [
            "2026-12-06T10:00:00.000Z",
            "1970-01-01T00:00:00.000Z",
            "2000-02-29T23:59:59.999Z",
            "1969-12-31T23:59:59.999Z",
            "9999-12-31T23:59:59.999Z",
        ] {
            let t = Time::of(ts);
            assert!(matches!(t, Time::Ms(_)), "{ts}");
            assert_eq!(t.iso(), ts);
        }
        assert_eq!(
            iso_to_ms("2026-12-06T10:00:00.000Z"),
            Some(1_796_551_200_000)
        );
        for odd in [
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.123456Z",
            "2024-02-30T00:00:00.000Z",
            "yesterday",
            "",
        ] {
            assert_eq!(Time::of(odd), Time::Iso(odd.to_owned()), "{odd}");
        }
    }
}
