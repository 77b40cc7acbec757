//! What to paint where: the article's placed highlights cut into per-block spans in the DOM's
//! unit, for the CSS Custom Highlight API (the platform layer turns each span into a DOM
//! `Range` and adds it to the `Highlight` named after its style).
//!
//! Painting highlights this way leaves the article's DOM untouched: no `<mark>` elements, no
//! re-render and no re-layout when highlights change, so 1,000 highlights paint in a few
//! milliseconds instead of hundreds.
//!
//! Unit convention: placements come in **UTF-8 bytes of [`Article::text`]**; spans go out in
//! **UTF-16 code units inside one block's text** (what DOM text nodes count), both named in
//! the types.

use std::collections::HashMap;
use std::ops::Range;

use crate::anchor::{Anchorer, Placement};
use crate::annotation::{Annotation, Color};
use crate::article::Article;
use crate::segments::segments;
use crate::text::{ByteOffset, Utf16Offset};

/// One placed highlight, as the painter needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed<'a> {
    pub id: &'a str,
    /// Bytes of [`Article::text`].
    pub range: Range<ByteOffset>,
    pub color: Color,
    /// Placed by fuzzy matching (shown with a dashed underline until confirmed).
    pub fuzzy: bool,
}

/// Anchors every highlight among `annotations` in `text` (the article's text): one normalised
/// text and index for all of them, built only when there is something to place.
pub fn place_all(text: &str, annotations: &[Annotation]) -> HashMap<String, Placement> {
    if annotations.iter().all(|a| a.target.is_none()) {
        // Nothing to place: no need to normalise and index the text (milliseconds per MB).
        return HashMap::new();
    }
    let anchorer = Anchorer::new(text);
    annotations
        .iter()
        .filter_map(|a| Some((a.id.clone(), anchorer.anchor(a.target.as_ref()?))))
        .collect()
}

/// Every placed highlight among `annotations` with what painting needs, in their order
/// (oldest first: newer ones paint on top); orphans and article notes are left out.
pub fn placed<'a>(
    annotations: &'a [Annotation],
    placements: &HashMap<String, Placement>,
) -> Vec<Placed<'a>> {
    annotations
        .iter()
        .filter_map(|a| {
            let p = placements.get(&a.id)?;
            Some(Placed {
                id: &a.id,
                range: p.range()?,
                color: a.color,
                fuzzy: matches!(p, Placement::Fuzzy { .. }),
            })
        })
        .collect()
}

/// A run of one block covered by the same highlights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub block: usize,
    /// UTF-16 code units from the start of the block's text.
    pub start: Utf16Offset,
    pub end: Utf16Offset,
    /// The newest covering highlight's colour: the fill.
    pub color: Color,
    /// An older covering highlight of another colour, shown as an underline so both stay
    /// visible.
    pub under: Option<Color>,
    /// Some covering highlight was placed by fuzzy matching.
    pub fuzzy: bool,
    /// Covering highlights' indexes into the `placed` slice given to [`spans`], oldest first.
    pub covering: Vec<usize>,
}

/// Cuts `placed` (oldest first: later ones paint on top) into spans per block, in document
/// order, tiling exactly the highlighted text of each block (the `"\n"` between blocks is not
/// painted). One sweep over the blocks: O(n + k log k + output) for k highlights.
pub fn spans(article: &Article, placed: &[Placed<'_>]) -> Vec<Span> {
    // Highlights by start, so each block only looks at the ones that reach it.
    let mut order: Vec<usize> = (0..placed.len())
        .filter(|&i| placed[i].range.start < placed[i].range.end)
        .collect();
    order.sort_unstable_by_key(|&i| placed[i].range.start);
    let mut next = 0;
    let mut open: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut at = 0usize;
    for (bi, block) in article.blocks.iter().enumerate() {
        let (bs, be) = (at, at + block.text.len());
        at = be + 1;
        open.retain(|&i| placed[i].range.end.0 > bs);
        while next < order.len() && placed[order[next]].range.start.0 < be {
            let i = order[next];
            if placed[i].range.end.0 > bs {
                open.push(i);
            }
            next += 1;
        }
        if open.is_empty() {
            continue;
        }
        // Oldest first within the block, as given.
        let mut here: Vec<usize> = open.clone();
        here.sort_unstable();
        let local: Vec<(usize, Range<ByteOffset>)> = here
            .iter()
            .map(|&i| {
                let r = &placed[i].range;
                (
                    i,
                    ByteOffset(r.start.0.max(bs) - bs)..ByteOffset(r.end.0.min(be) - bs),
                )
            })
            .collect();
        let mut utf16 = 0usize;
        let mut last = 0usize;
        for seg in segments(&block.text, &local) {
            let (s, e) = (seg.range.start.0, seg.range.end.0);
            utf16 += block.text[last..s].encode_utf16().count();
            let start = utf16;
            utf16 += block.text[s..e].encode_utf16().count();
            last = e;
            let Some(&top) = seg.ids.last() else {
                continue;
            };
            let color = placed[top].color;
            let under = seg
                .ids
                .iter()
                .rev()
                .skip(1)
                .map(|&i| placed[i].color)
                .find(|&c| c != color);
            out.push(Span {
                block: bi,
                start: Utf16Offset(start),
                end: Utf16Offset(utf16),
                color,
                under,
                fuzzy: seg.ids.iter().any(|&i| placed[i].fuzzy),
                covering: seg.ids,
            });
        }
    }
    out
}

/// The newest highlight covering the character that starts at `at` (bytes of
/// [`Article::text`]): the one a click on that character opens.
pub fn topmost_at(placed: &[Placed<'_>], at: ByteOffset) -> Option<usize> {
    placed
        .iter()
        .rposition(|p| p.range.start <= at && at < p.range.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::{Block, BlockKind};
    use crate::parse::plain::parse_plain;
    use proptest::prelude::*;

    fn article(blocks: &[&str]) -> Article {
        let mut a = parse_plain("t", "Title\nText.");
        a.blocks = blocks
            .iter()
            .map(|t| Block {
                kind: BlockKind::Paragraph,
                text: (*t).to_owned(),
                marks: Vec::new(),
            })
            .collect();
        a
    }

    fn at(text: &str, needle: &str) -> Range<ByteOffset> {
        let s = text.find(needle).expect("needle");
        ByteOffset(s)..ByteOffset(s + needle.len())
    }

    #[test]
    fn cross_block_highlight_is_cut_per_block_in_utf16() {
        let a = article(&["Ёжик 😀 бежит", "к речке"]);
        let text = a.text();
        let r = ByteOffset(text.find("😀").unwrap())..at(&text, "к речке").end;
        let placed = [Placed {
            id: "a",
            range: r,
            color: Color::Green,
            fuzzy: false,
        }];
        let s = spans(&a, &placed);
        assert_eq!(s.len(), 2);
        // "Ёжик " is 5 UTF-16 units; the emoji is 2; " бежит" 6.
        assert_eq!(
            (s[0].block, s[0].start, s[0].end),
            (0, Utf16Offset(5), Utf16Offset(13))
        );
        assert_eq!(
            (s[1].block, s[1].start, s[1].end),
            (1, Utf16Offset(0), Utf16Offset(7))
        );
        assert_eq!(s[0].color, Color::Green);
    }

    #[test]
    fn overlap_paints_newest_on_top_and_older_other_colour_under() {
        let a = article(&["один два три четыре"]);
        let text = a.text();
        let placed = [
            Placed {
                id: "old",
                range: at(&text, "один два три"),
                color: Color::Yellow,
                fuzzy: false,
            },
            Placed {
                id: "new",
                range: at(&text, "три четыре"),
                color: Color::Blue,
                fuzzy: true,
            },
        ];
        let s = spans(&a, &placed);
        let view: Vec<_> = s
            .iter()
            .map(|s| {
                (
                    s.start.0,
                    s.end.0,
                    s.color,
                    s.under,
                    s.fuzzy,
                    s.covering.clone(),
                )
            })
            .collect();
        assert_eq!(
            view,
            vec![
                (0, 9, Color::Yellow, None, false, vec![0]),
                (9, 12, Color::Blue, Some(Color::Yellow), true, vec![0, 1]),
                (12, 19, Color::Blue, None, true, vec![1]),
            ]
        );
        assert_eq!(
            topmost_at(&placed, ByteOffset(text.find("три").unwrap())),
            Some(1)
        );
        assert_eq!(topmost_at(&placed, ByteOffset(0)), Some(0));
        assert_eq!(topmost_at(&placed, ByteOffset(text.len())), None);
    }

    proptest! {
        /// Every highlighted UTF-16 unit of every block is covered by exactly the highlights
        /// whose byte range holds it, whatever the order and overlap.
        #[test]
        fn spans_cover_exactly_what_is_highlighted(
            blocks in prop::collection::vec("[a-zё😀 ]{0,12}", 1..5),
            raw in prop::collection::vec((0usize..80, 0usize..80, 0usize..5), 0..6),
        ) {
            let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
            let a = article(&refs);
            let text = a.text();
            let snap = |b: usize| crate::text::floor_char_boundary(&text, ByteOffset(b.min(text.len()))).0;
            let placed: Vec<Placed> = raw
                .iter()
                .map(|&(x, y, c)| Placed {
                    id: "x",
                    range: ByteOffset(snap(x.min(y)))..ByteOffset(snap(x.max(y))),
                    color: Color::ALL[c],
                    fuzzy: false,
                })
                .collect();
            let s = spans(&a, &placed);
            // Expected coverage per (block, utf16 unit).
            let mut start = 0;
            for (bi, b) in a.blocks.iter().enumerate() {
                let mut u = 0;
                for (off, ch) in b.text.char_indices() {
                    let byte = start + off;
                    let want: Vec<usize> = (0..placed.len())
                        .filter(|&i| placed[i].range.start.0 <= byte && byte < placed[i].range.end.0)
                        .collect();
                    for unit in u..u + ch.len_utf16() {
                        let got: Vec<usize> = s
                            .iter()
                            .filter(|sp| sp.block == bi && sp.start.0 <= unit && unit < sp.end.0)
                            .flat_map(|sp| sp.covering.clone())
                            .collect();
                        prop_assert_eq!(&got, &want);
                    }
                    u += ch.len_utf16();
                }
                start += b.text.len() + 1;
            }
        }
    }
}
