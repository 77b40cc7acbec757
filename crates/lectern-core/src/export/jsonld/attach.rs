//! Imported annotations tied to one article: each placed by its quote through the anchoring
//! engine (positions are only a hint) and described anew where it lands.

use std::collections::BTreeSet;

use super::read::{ImportedAnnotation, PositionUnit};
use crate::anchor::{Anchorer, Describer, Placement};
use crate::annotation::{Annotation, Target, TextPositionSelector, TextQuoteSelector};
use crate::article::Article;
use crate::search::normalize_tag;
use crate::text::CodePointOffset;

/// How [`attach`] placed the imported annotations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttachReport {
    /// Highlights whose quote was found exactly; re-described on the article.
    pub exact: usize,
    /// Highlights placed approximately: the app shows them as "please check".
    pub fuzzy: usize,
    /// Highlights not found: kept with their quotes, as orphans to re-attach.
    pub orphans: usize,
    /// Notes about the whole article.
    pub notes: usize,
}

/// Ties imported annotations to `article`, anchoring each by its quote (the position is only a
/// hint, converted from UTF-16 when the file counted that way). Never drops one:
/// - found exactly → re-described on the article (fresh prefix, suffix, position and hash);
/// - found approximately → keeps its quote, position set to where it was found, so the app
///   shows it as "moved/fuzzy, please check";
/// - not found (or no quote) → an orphan with its quote, to re-attach by hand;
/// - no target → a note about the whole article.
///
/// Every annotation gets a fresh id from `ids` (so importing never collides with existing
/// ones), `article.id`, its tags normalised ([`normalize_tag`], duplicates dropped), yellow if
/// no colour was given, and `now` for missing timestamps and for any later than `now`. O(n + k·m) for k annotations.
pub fn attach(
    article: &Article,
    imported: Vec<ImportedAnnotation>,
    mut ids: impl FnMut() -> String,
    now: &str,
) -> (Vec<Annotation>, AttachReport) {
    let text = article.text();
    let anchorer = Anchorer::new(&text);
    let describer = Describer::new(&text);
    let index = anchorer.index();
    let len_cp = index.len_cp();
    let mut report = AttachReport::default();
    let mut out = Vec::with_capacity(imported.len());
    for imp in imported {
        // No time from a file is later than the import: a `modified` in the year 9999 would win
        // every merge after it.
        let not_after_now = |t: String| {
            if crate::annotations_doc::cmp_time(&t, now) == std::cmp::Ordering::Greater {
                now.to_owned()
            } else {
                t
            }
        };
        let created = not_after_now(imp.created.clone().unwrap_or_else(|| now.to_owned()));
        let modified = not_after_now(imp.modified.clone().unwrap_or_else(|| created.clone()));
        let mut seen = BTreeSet::new();
        let tags: Vec<String> = imp
            .tags
            .iter()
            .filter_map(|t| normalize_tag(t))
            .filter(|t| seen.insert(crate::search::fold(t)))
            .collect();
        let target = match imp.target {
            None => {
                report.notes += 1;
                None
            }
            Some(t) => {
                let hint = t.position.map(|(s, e)| match t.unit {
                    PositionUnit::CodePoint => (
                        CodePointOffset(s.min(len_cp.0)),
                        CodePointOffset(e.min(len_cp.0)),
                    ),
                    PositionUnit::Utf16 => (
                        index.utf16_to_cp_clamped(crate::text::Utf16Offset(s)),
                        index.utf16_to_cp_clamped(crate::text::Utf16Offset(e)),
                    ),
                });
                let position = hint.map_or(
                    TextPositionSelector {
                        start: CodePointOffset(0),
                        end: CodePointOffset(0),
                    },
                    |(start, end)| TextPositionSelector { start, end },
                );
                Some(place(&anchorer, &describer, t.quote, position, &mut report))
            }
        };
        out.push(Annotation {
            id: ids(),
            article_id: article.id.clone(),
            target,
            color: imp.color.unwrap_or_default(),
            note: imp.note,
            tags,
            created,
            modified,
        });
    }
    (out, report)
}

fn place(
    anchorer: &Anchorer<'_>,
    describer: &Describer<'_>,
    quote: Option<TextQuoteSelector>,
    position: TextPositionSelector,
    report: &mut AttachReport,
) -> Target {
    let index = anchorer.index();
    let Some(quote) = quote else {
        // Only a position: take the text there, if there is any, and let the user check it.
        let r = index.cp_to_byte_clamped(position.start)..index.cp_to_byte_clamped(position.end);
        if r.start < r.end {
            if let Ok(mut t) = describer.describe(r) {
                t.text_hash = String::new();
                report.fuzzy += 1;
                return t;
            }
        }
        report.orphans += 1;
        return Target {
            quote: TextQuoteSelector {
                exact: String::new(),
                prefix: String::new(),
                suffix: String::new(),
            },
            position,
            text_hash: String::new(),
        };
    };
    let hinted = Target {
        quote,
        position,
        text_hash: String::new(),
    };
    match anchorer.anchor(&hinted) {
        Placement::Exact { range } => match describer.describe(range) {
            Ok(t) => {
                report.exact += 1;
                t
            }
            Err(_) => {
                report.orphans += 1;
                hinted
            }
        },
        Placement::Fuzzy { range, .. } => {
            report.fuzzy += 1;
            let start = index.byte_to_cp_clamped(range.start);
            let end = index.byte_to_cp_clamped(range.end);
            Target {
                position: TextPositionSelector { start, end },
                ..hinted
            }
        }
        Placement::Orphan => {
            report.orphans += 1;
            hinted
        }
    }
}
