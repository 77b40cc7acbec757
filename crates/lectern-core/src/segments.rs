//! Splitting a block of text into highlight segments.
//!
//! Highlights are data: the app paints one range per segment that some annotations cover
//! ([`crate::paint`]), knowing which annotations cover it, so overlapping highlights stay
//! distinct and no DOM surgery is needed.
//!
//! Unit convention: every range here is in **UTF-8 bytes relative to the start of the block**
//! (not the article). Use [`for_block`] to cut article-level byte ranges (e.g. from
//! [`crate::anchor::Placement`]) down to one block.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::text::{floor_char_boundary, ByteOffset};

/// A maximal run of the block covered by one set of annotations (possibly none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<Id> {
    /// Bytes relative to the block; never empty; on char boundaries.
    pub range: Range<ByteOffset>,
    /// The annotations covering the whole run, in the order they were given to [`segments`]
    /// (so the caller decides stacking, e.g. by creation time). Empty for unannotated text.
    pub ids: Vec<Id>,
}

/// Splits `block` into runs that tile it exactly, each carrying the ids of the placements that
/// cover it.
///
/// `placements` are `(id, byte range relative to the block)`. Ranges are clipped to the block;
/// boundaries inside a character are widened to the enclosing char boundaries (start rounds
/// down, end rounds up) so every segment can be sliced out of `block`; ranges that are empty
/// after clipping are ignored. Ids need not be unique (a repeated id is listed once per
/// placement). An empty block gives no segments.
///
/// O((n + k) log k) for k placements plus the size of the output (each segment lists its ids).
pub fn segments<Id: Clone>(
    block: &str,
    placements: &[(Id, Range<ByteOffset>)],
) -> Vec<Segment<Id>> {
    let len = block.len();
    let ceil = |b: usize| {
        let mut i = b.min(len);
        while !block.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    // (position, is_start, placement index). Ends sort before starts at the same position, so
    // adjacent ranges do not produce an empty overlap segment.
    let mut events: Vec<(usize, bool, usize)> = Vec::with_capacity(placements.len() * 2);
    for (i, (_, r)) in placements.iter().enumerate() {
        let s = floor_char_boundary(block, r.start).0;
        let e = ceil(r.end.0);
        if s < e {
            events.push((s, true, i));
            events.push((e, false, i));
        }
    }
    events.sort_unstable();

    let mut out = Vec::new();
    let mut active: BTreeSet<usize> = BTreeSet::new();
    let mut at = 0;
    let mut ev = events.into_iter().peekable();
    while at < len {
        // Apply every event at `at`.
        while let Some(&(pos, is_start, i)) = ev.peek() {
            if pos > at {
                break;
            }
            if is_start {
                active.insert(i);
            } else {
                active.remove(&i);
            }
            ev.next();
        }
        let next = ev.peek().map_or(len, |&(pos, _, _)| pos.min(len));
        out.push(Segment {
            range: ByteOffset(at)..ByteOffset(next),
            ids: active.iter().map(|&i| placements[i].0.clone()).collect(),
        });
        at = next;
    }
    out
}

/// Cuts article-level byte ranges down to one block: keeps the placements that intersect
/// `block_start .. block_start + block_len` and makes their ranges block-relative (clipped).
/// An empty placement range at the block is dropped. O(k).
pub fn for_block<Id: Clone>(
    block_start: ByteOffset,
    block_len: usize,
    placements: &[(Id, Range<ByteOffset>)],
) -> Vec<(Id, Range<ByteOffset>)> {
    let (bs, be) = (block_start.0, block_start.0 + block_len);
    placements
        .iter()
        .filter_map(|(id, r)| {
            let s = r.start.0.max(bs);
            let e = r.end.0.min(be);
            (s < e).then(|| (id.clone(), ByteOffset(s - bs)..ByteOffset(e - bs)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(a: usize, b: usize) -> Range<ByteOffset> {
        ByteOffset(a)..ByteOffset(b)
    }

    fn seg(a: usize, b: usize, ids: &[&'static str]) -> Segment<&'static str> {
        Segment {
            range: r(a, b),
            ids: ids.to_vec(),
        }
    }

    #[test]
    fn overlapping_highlights_stay_distinct() {
        let block = "0123456789";
        let got = segments(block, &[("a", r(2, 6)), ("b", r(4, 8))]);
        assert_eq!(
            got,
            vec![
                seg(0, 2, &[]),
                seg(2, 4, &["a"]),
                seg(4, 6, &["a", "b"]),
                seg(6, 8, &["b"]),
                seg(8, 10, &[]),
            ]
        );
    }

    #[test]
    fn clipping_empty_ranges_and_adjacency() {
        let block = "abcdef";
        let got = segments(
            block,
            &[
                ("x", r(0, 3)),
                ("y", r(3, 99)),
                ("e", r(2, 2)),
                ("o", r(7, 9)),
            ],
        );
        assert_eq!(got, vec![seg(0, 3, &["x"]), seg(3, 6, &["y"])]);
        assert!(segments::<u8>("", &[(1, r(0, 3))]).is_empty());
    }

    #[test]
    fn boundaries_inside_a_character_widen_to_whole_characters() {
        let block = "жук"; // 2 bytes per letter
        let got = segments(block, &[("a", r(1, 3))]);
        assert_eq!(got, vec![seg(0, 4, &["a"]), seg(4, 6, &[])]);
    }

    #[test]
    fn for_block_makes_ranges_relative() {
        let p = [("a", r(3, 12)), ("b", r(0, 5)), ("c", r(20, 30))];
        assert_eq!(for_block(ByteOffset(5), 10, &p), vec![("a", r(0, 7))]);
        assert_eq!(
            for_block(ByteOffset(0), 4, &p),
            vec![("a", r(3, 4)), ("b", r(0, 4))]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn runs_tile_the_block_and_ids_cover_exactly_their_ranges(
            len in 0usize..60,
            ranges in prop::collection::vec((0usize..70, 0usize..70), 0..8),
        ) {
            let block = "x".repeat(len);
            let placements: Vec<(usize, Range<ByteOffset>)> =
                ranges.iter().enumerate().map(|(i, &(a, b))| (i, r(a, b))).collect();
            let got = segments(&block, &placements);
            // Tiling: contiguous, non-empty, from 0 to len.
            let mut at = 0;
            for s in &got {
                prop_assert_eq!(s.range.start.0, at);
                prop_assert!(s.range.end.0 > s.range.start.0);
                at = s.range.end.0;
            }
            prop_assert_eq!(at, len);
            // Maximal runs: neighbours differ.
            for w in got.windows(2) {
                prop_assert_ne!(&w[0].ids, &w[1].ids);
            }
            // Coverage: byte by byte, the ids are exactly those whose clipped range holds it.
            for pos in 0..len {
                let s = got.iter().find(|s| s.range.contains(&ByteOffset(pos))).unwrap();
                let want: Vec<usize> = ranges
                    .iter()
                    .enumerate()
                    .filter(|&(_, &(a, b))| a <= pos && pos < b.min(len))
                    .map(|(i, _)| i)
                    .collect();
                prop_assert_eq!(&s.ids, &want);
            }
        }
    }
}
