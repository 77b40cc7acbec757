//! W3C Web Annotation JSON-LD: Lectern's annotations out, and annotations from Lectern or from
//! Hypothesis-style exports back in.
//!
//! Out ([`to_jsonld`]): an `AnnotationCollection` whose embedded `first` page holds every
//! annotation of one article. A highlight is
//!
//! ```json
//! { "id": "urn:uuid:…", "type": "Annotation", "motivation": "commenting",
//!   "created": "…Z", "modified": "…Z",
//!   "body": [ { "type": "TextualBody", "value": "the note", "format": "text/markdown",
//!               "purpose": "commenting", "created": "…Z", "modified": "…Z" },
//!             { "type": "TextualBody", "value": "a-tag", "purpose": "tagging" } ],
//!   "stylesheet": { "type": "CssStylesheet", "value": ".lectern-yellow { … }" },
//!   "target": { "source": { "id": "urn:lectern:article:<id>", "type": "Text", "via": "<url>" },
//!               "styleClass": "lectern-yellow",
//!               "selector": [ { "type": "TextQuoteSelector", "exact": …, "prefix": …, "suffix": … },
//!                             { "type": "TextPositionSelector", "start": 4, "end": 6 } ] } }
//! ```
//!
//! `motivation` is `highlighting` when there is no note. An article-level note targets the
//! article itself (`"target": { "id": "urn:lectern:article:<id>", "type": "Text" }`). Positions
//! are code points of the article text (blocks joined by `"\n"`), as the model requires.
//! `via` (the article's source URL) appears only when it is known. Ids are absolute IRIs
//! (`urn:uuid:` for UUIDs, else `urn:lectern:annotation:<percent-encoded id>`).
//!
//! In ([`parse_jsonld`]): an `AnnotationCollection` with an embedded first page, an
//! `AnnotationPage`, one `Annotation`, an array of annotations, a Hypothesis API search result
//! (`{"rows": […]}`) or an array of Hypothesis rows. Hypothesis rows (`text`, `tags`, `updated`,
//! `target[0].selector` with `TextQuoteSelector`/`TextPositionSelector`/`RangeSelector`) count
//! positions in UTF-16 code units; annotations whose ids or sources name hypothes.is are read
//! the same way. Everything else counts code points. Either way positions are only a hint:
//! [`attach`] anchors by the quote.
//!
//! The module is cut by direction: [`write`] (Lectern → JSON-LD), [`read`] (a file → validated
//! [`ImportedAnnotation`]s, with its own validator naming JSON paths), [`attach`] (imported
//! annotations → this article's, through the anchoring engine).

mod attach;
mod read;
mod write;

pub use attach::{attach, AttachReport};
pub use read::{parse_jsonld, ImportedAnnotation, ImportedTarget, PositionUnit};
pub use write::{annotation_to_jsonld, color_css, to_jsonld, to_jsonld_library};

/// The JSON-LD context every exported document names.
pub const ANNO_CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";
/// Prefix of `styleClass` values: `lectern-yellow`, `lectern-green`, …
pub const STYLE_CLASS_PREFIX: &str = "lectern-";

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The stable IRI of an article: `urn:lectern:article:<percent-encoded id>`.
pub fn article_iri(article_id: &str) -> String {
    format!("urn:lectern:article:{}", pct(article_id))
}

/// The IRI of an annotation: `urn:uuid:<id>` when the id is a UUID, else
/// `urn:lectern:annotation:<percent-encoded id>`.
pub fn annotation_iri(id: &str) -> String {
    let is_uuid = id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if is_uuid {
        format!("urn:uuid:{}", id.to_ascii_lowercase())
    } else {
        format!("urn:lectern:annotation:{}", pct(id))
    }
}

/// The Lectern id inside an IRI made by [`annotation_iri`]; other ids are kept as they are.
fn id_from_iri(iri: &str) -> String {
    if let Some(rest) = iri.strip_prefix("urn:uuid:") {
        rest.to_owned()
    } else if let Some(rest) = iri.strip_prefix("urn:lectern:annotation:") {
        pct_decode(rest)
    } else {
        iri.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::read::clean_time;
    use super::*;

    #[test]
    fn iris_are_absolute_and_ids_come_back() {
        assert_eq!(article_iri("a b/ё"), "urn:lectern:article:a%20b%2F%D1%91");
        let u = "6c656374-6572-4e2d-a76f-6c64656e2d31";
        assert_eq!(annotation_iri(u), format!("urn:uuid:{u}"));
        assert_eq!(id_from_iri(&annotation_iri(u)), u);
        assert_eq!(id_from_iri(&annotation_iri("x y")), "x y");
        assert_eq!(pct_decode("%D1%91%2"), "ё%2");
    }

    #[test]
    fn times_are_cleaned() {
        assert_eq!(
            clean_time(Some("2024-01-01T10:00:00.123456+00:00")).as_deref(),
            Some("2024-01-01T10:00:00.123456Z")
        );
        assert_eq!(
            clean_time(Some("2024-01-01T10:00:00Z")).as_deref(),
            Some("2024-01-01T10:00:00Z")
        );
        assert_eq!(clean_time(Some("yesterday")), None);
        assert_eq!(clean_time(None), None);
    }
}
