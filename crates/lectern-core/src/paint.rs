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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use crate::anchor::{Anchorer, Placement};
use crate::annotation::{Annotation, Color};
use crate::segments::segments;
use crate::text::{utf16_len, ArticleText, ByteOffset, Utf16Offset};

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
pub fn spans(text: &ArticleText, placed: &[Placed<'_>]) -> Vec<Span> {
    // Highlights by start, so each block only looks at the ones that reach it.
    let mut order: Vec<usize> = (0..placed.len())
        .filter(|&i| placed[i].range.start < placed[i].range.end)
        .collect();
    order.sort_unstable_by_key(|&i| placed[i].range.start);
    let mut next = 0;
    let mut open: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for bi in 0..text.block_count() {
        let block = text.block_range(bi);
        open.retain(|&i| placed[i].range.end > block.start);
        while next < order.len() && placed[order[next]].range.start < block.end {
            let i = order[next];
            if placed[i].range.end > block.start {
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
            .filter_map(|&i| Some((i, text.clip_to_block(&placed[i].range, bi)?)))
            .collect();
        let block_text = text.block_text(bi);
        let mut utf16 = 0usize;
        let mut last = 0usize;
        for seg in segments(block_text, &local) {
            let (s, e) = (seg.range.start.0, seg.range.end.0);
            utf16 += utf16_len(&block_text[last..s]);
            let start = utf16;
            utf16 += utf16_len(&block_text[s..e]);
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

/// One layer of paint: a fill per colour, an underline per colour (an older highlight of
/// another colour under a newer one), a dashed underline for fuzzy placements, the keyboard
/// cursor. The platform registers one CSS `Highlight` per layer, under [`Layer::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Fill(Color),
    Under(Color),
    Fuzzy,
    Cursor,
}

impl Layer {
    /// Every layer, in bit order of [`Layers`].
    pub const ALL: [Layer; 12] = [
        Layer::Fill(Color::ALL[0]),
        Layer::Fill(Color::ALL[1]),
        Layer::Fill(Color::ALL[2]),
        Layer::Fill(Color::ALL[3]),
        Layer::Fill(Color::ALL[4]),
        Layer::Under(Color::ALL[0]),
        Layer::Under(Color::ALL[1]),
        Layer::Under(Color::ALL[2]),
        Layer::Under(Color::ALL[3]),
        Layer::Under(Color::ALL[4]),
        Layer::Fuzzy,
        Layer::Cursor,
    ];

    /// Its bit in [`Layers`].
    pub fn bit(self) -> u16 {
        let c = |c: Color| Color::ALL.iter().position(|&x| x == c).unwrap_or(0) as u16;
        1 << match self {
            Layer::Fill(col) => c(col),
            Layer::Under(col) => 5 + c(col),
            Layer::Fuzzy => 10,
            Layer::Cursor => 11,
        }
    }

    /// The name the stylesheet's `::highlight(…)` rules use.
    pub fn name(self) -> String {
        match self {
            Layer::Fill(c) => format!("lectern-{}", c.as_str()),
            Layer::Under(c) => format!("lectern-under-{}", c.as_str()),
            Layer::Fuzzy => "lectern-fuzzy".to_owned(),
            Layer::Cursor => "lectern-cursor".to_owned(),
        }
    }

    /// Paint order: fills under underlines under the fuzzy mark under the cursor.
    pub fn priority(self) -> i32 {
        match self {
            Layer::Fill(_) => 1,
            Layer::Under(_) => 2,
            Layer::Fuzzy => 3,
            Layer::Cursor => 4,
        }
    }
}

/// A set of [`Layer`]s, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Layers(pub u16);

impl Layers {
    pub fn contains(self, l: Layer) -> bool {
        self.0 & l.bit() != 0
    }

    pub fn with(self, l: Layer) -> Layers {
        Layers(self.0 | l.bit())
    }

    /// The layers in the set, in [`Layer::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Layer> {
        Layer::ALL.into_iter().filter(move |l| self.contains(*l))
    }
}

/// One run of a block painted with the same layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Run {
    /// UTF-16 code units from the start of the block's text.
    pub start: Utf16Offset,
    pub end: Utf16Offset,
    pub layers: Layers,
}

/// What to paint over an article: per painted block, its runs in order. Pure data, computed
/// and tested natively; the platform applies it ([`PaintPlan::changes_since`] says which
/// blocks need their ranges made anew).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaintPlan {
    pub blocks: BTreeMap<usize, Vec<Run>>,
    /// Ids of the highlights painted somewhere.
    pub painted: BTreeSet<String>,
}

/// Which blocks differ between two plans of the same rendering of an article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanChanges {
    /// Blocks whose runs are new or different: take the old ones away, paint these.
    pub repaint: Vec<usize>,
    /// Blocks painted before and not now: take their runs away.
    pub clear: Vec<usize>,
}

impl PaintPlan {
    /// The plan for `placed` (oldest first) over `text`, with the keyboard cursor on the
    /// highlight with id `cursor`.
    pub fn new(text: &ArticleText, placed: &[Placed<'_>], cursor: Option<&str>) -> PaintPlan {
        let cursor = cursor.and_then(|c| placed.iter().position(|p| p.id == c));
        let mut plan = PaintPlan::default();
        for s in spans(text, placed) {
            let mut layers = Layers::default().with(Layer::Fill(s.color));
            if let Some(u) = s.under {
                layers = layers.with(Layer::Under(u));
            }
            if s.fuzzy {
                layers = layers.with(Layer::Fuzzy);
            }
            if cursor.is_some_and(|c| s.covering.contains(&c)) {
                layers = layers.with(Layer::Cursor);
            }
            for &i in &s.covering {
                plan.painted.insert(placed[i].id.to_owned());
            }
            plan.blocks.entry(s.block).or_default().push(Run {
                start: s.start,
                end: s.end,
                layers,
            });
        }
        plan
    }

    /// How many runs (DOM ranges) the plan paints.
    pub fn runs(&self) -> usize {
        self.blocks.values().map(Vec::len).sum()
    }

    /// What must change on screen to go from `before` to this plan.
    pub fn changes_since(&self, before: &PaintPlan) -> PlanChanges {
        PlanChanges {
            repaint: self
                .blocks
                .iter()
                .filter(|(b, runs)| before.blocks.get(b) != Some(runs))
                .map(|(&b, _)| b)
                .collect(),
            clear: before
                .blocks
                .keys()
                .filter(|b| !self.blocks.contains_key(b))
                .copied()
                .collect(),
        }
    }
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
    use crate::article::{Article, Block, BlockKind};
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
        let s = spans(&a.article_text(), &placed);
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
        let s = spans(&a.article_text(), &placed);
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

    #[test]
    fn the_plan_names_layers_and_only_changed_blocks_are_repainted() {
        let a = article(&["один два", "три", "четыре"]);
        let text = a.article_text();
        let full = a.text();
        let p1 = [Placed {
            id: "h1",
            range: at(&full, "два"),
            color: Color::Pink,
            fuzzy: false,
        }];
        let plan1 = PaintPlan::new(&text, &p1, None);
        assert_eq!(
            plan1.blocks[&0],
            vec![Run {
                start: Utf16Offset(5),
                end: Utf16Offset(8),
                layers: Layers::default().with(Layer::Fill(Color::Pink)),
            }]
        );
        assert!(plan1.painted.contains("h1"));
        // A second highlight in another block: only that block is repainted.
        let p2 = [
            p1[0].clone(),
            Placed {
                id: "h2",
                range: at(&full, "четыре"),
                color: Color::Blue,
                fuzzy: true,
            },
        ];
        let plan2 = PaintPlan::new(&text, &p2, None);
        assert_eq!(
            plan2.changes_since(&plan1),
            PlanChanges {
                repaint: vec![2],
                clear: vec![]
            }
        );
        assert!(plan2.blocks[&2][0].layers.contains(Layer::Fuzzy));
        // The cursor moves onto h1: block 0 changes, nothing else.
        let plan3 = PaintPlan::new(&text, &p2, Some("h1"));
        assert_eq!(plan3.changes_since(&plan2).repaint, vec![0]);
        assert!(plan3.blocks[&0][0].layers.contains(Layer::Cursor));
        // Everything gone: every painted block is cleared.
        let empty = PaintPlan::new(&text, &[], None);
        assert_eq!(
            empty.changes_since(&plan3),
            PlanChanges {
                repaint: vec![],
                clear: vec![0, 2]
            }
        );
        assert_eq!(plan3.runs(), 2);
    }

    #[test]
    fn layer_names_and_bits_are_distinct() {
        let names: BTreeSet<String> = Layer::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(names.len(), Layer::ALL.len());
        let bits: BTreeSet<u16> = Layer::ALL.iter().map(|l| l.bit()).collect();
        assert_eq!(bits.len(), Layer::ALL.len());
        assert_eq!(Layer::Fill(Color::Yellow).name(), "lectern-yellow");
        assert_eq!(Layer::Under(Color::Blue).name(), "lectern-under-blue");
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
            let s = spans(&a.article_text(), &placed);
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
