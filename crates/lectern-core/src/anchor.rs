//! Describing a selection as a [`Target`], and placing a [`Target`] back into a (possibly
//! revised) text.
//!
//! Unit convention: ranges passed to [`describe`] and returned in a [`Placement`] are **UTF-8
//! byte ranges into the text given** (the article text: blocks joined by `"\n"`). The stored
//! [`TextPositionSelector`] is in **code points**, as the W3C model requires; conversions go
//! through [`crate::text`]. Use [`Placement::cp_range`] / [`Placement::utf16_range`] for other
//! units.
//!
//! Anchoring goes from precise to robust (as Hypothesis's `anchoring/html.ts` does), and prefers
//! an honest orphan to a wrong placement:
//! 1. the stored position, accepted if the text there is literally `exact` and either the text
//!    is unchanged (same [`text_hash`]) or the stored prefix and suffix surround it literally;
//! 2. occurrences of the quote in the [normalised](normalize) text, scored by how well the
//!    text before and after agrees with the stored prefix and suffix, and by nearness;
//! 3. approximate occurrences ([`myers`], at most a third of the quote's code points in
//!    errors), scored by quote, prefix and suffix similarity and nearness;
//! 4. otherwise [`Placement::Orphan`].
//!
//! Steps 2–3 first look in a window around the stored position (if the target has one: a
//! position that does not span as many code points as the quote, such as 0..0, does not count)
//! and only then in the whole text, stopping at the first *confident* candidate (quote at least
//! 90% alike, and any stored context at least 80%). They run twice if need be:
//! - a fast pass: exact occurrences come from a [q-gram index](qgram) of the normalised text
//!   (built on the first search, O(n / 8)), and approximate ones only from small windows around
//!   the places where many pieces of the quote occur exactly (a pigeonhole filter: a quote with
//!   at most a tenth of its code points edited keeps most of its pieces intact);
//! - if that finds nothing confident (a heavily edited or deleted quote, or one too short to
//!   cut into pieces), the full search: Myers over the whole window, then the whole text, the
//!   best accepted candidate winning.
//!
//! A candidate must reach [`MIN_SCORE`] *and* carry enough evidence
//! that it is the same passage: matching quote code points plus agreeing context code points
//! must be at least [`MIN_AGREEMENT`] of the stored quote and context, with at least
//! [`MIN_CONTEXT_EVIDENCE`] of them from the context — unless the quote alone matches at least
//! [`LONG_QUOTE`] code points. Context counts only where it is clearly more alike than
//! unrelated text of the same language is. This is what keeps a
//! short quote ("Linus") from landing on a similar word ("chines"), or on the same word in an
//! unrelated sentence.
//!
//! Targets from files may be far larger than a selection, so the work is bounded by the sizes
//! of the text and the target (checked by counting steps, [`crate::work`], in the tests and the
//! `anchor` fuzz target): quotes over [`MAX_FUZZY_QUOTE`] code points are only placed where
//! they stand exactly, context beyond [`MAX_CONTEXT_USED`] is not used, and occurrences of a
//! quote are ranked only until they cost a few times the text.
//!
//! [`Placement::Exact`] means the text at the range is byte-for-byte `exact` (it may have
//! moved); anything else that is placed — a typo fixed, `ё` → `е`, NBSP → space — is
//! [`Placement::Fuzzy`], so the user can be asked to check.

pub(crate) mod myers;
pub(crate) mod normalize;
pub(crate) mod qgram;

use std::cell::OnceCell;
use std::ops::Range;

use crate::annotation::{text_hash, Target, TextPositionSelector, TextQuoteSelector};
use crate::text::{ByteOffset, CodePointOffset, OffsetError, TextIndex, Utf16Offset};
use myers::{best_prefix_alignment, Myers, Pattern};
use normalize::{normalize_str, Normalized};
use qgram::GramIndex;

/// Least context kept on each side by [`describe`], in code points.
pub const MIN_CONTEXT: usize = 32;
/// Most context kept on each side by [`describe`], in code points: beyond this, a quote that is
/// still ambiguous stays ambiguous and anchoring falls back on the position.
pub const MAX_CONTEXT: usize = 256;
/// Quotes longer than this (code points, after normalisation) are placed only where they occur
/// exactly (after normalisation); otherwise they are orphans. Approximate matching costs the
/// text's length times the quote's length over 64, per pass: a 300,000-character quote from an
/// imported file would freeze the reader for seconds on every load. No selection a reader
/// makes is this long (the benchmark's quotes are at most 551).
pub const MAX_FUZZY_QUOTE: usize = 2048;
/// Stored context beyond this many code points next to the quote is not used to anchor
/// (Lectern stores at most [`MAX_CONTEXT`]; imported files may carry any length).
pub const MAX_CONTEXT_USED: usize = 2 * MAX_CONTEXT;
/// Placements scoring below this (0..=1) are orphans.
pub const MIN_SCORE: f32 = 0.5;
/// Fraction of the stored quote + prefix + suffix code points that must agree (matching quote
/// code points, plus context weighted by its similarity) for a placement, unless the quote is
/// [`LONG_QUOTE`].
pub const MIN_AGREEMENT: f32 = 0.5;
/// Code points of agreeing context a placement needs (fewer if less context was stored, at a
/// text edge), unless the quote is [`LONG_QUOTE`].
pub const MIN_CONTEXT_EVIDENCE: f32 = 8.0;
/// A candidate whose quote matches at least this many code points needs no agreeing context.
pub const LONG_QUOTE: usize = 64;
/// Quotes shorter than this (code points) must have their stored context right next to them on
/// at least one side: the nearest [`ABUT_CHARS`] letters and digits, exactly (after
/// normalisation; punctuation and spaces between are ignored).
pub const SHORT_QUOTE: usize = 32;
/// How many characters of context next to a short quote must match exactly.
pub const ABUT_CHARS: usize = 6;
/// How far (bytes of normalised text) a short quote may be from its stored position with only
/// one side of its context intact.
pub const SHORT_QUOTE_DRIFT: usize = 256;

/// Where an annotation lands in a text.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// The text at `range` (bytes) is exactly the stored quote.
    Exact { range: Range<ByteOffset> },
    /// The text at `range` (bytes) is similar to the stored quote, or equal only after
    /// normalisation. `score` is in `MIN_SCORE..=1.0`.
    Fuzzy {
        range: Range<ByteOffset>,
        score: f32,
    },
    /// Not found with enough confidence.
    Orphan,
}

impl Placement {
    /// The byte range, unless orphaned.
    pub fn range(&self) -> Option<Range<ByteOffset>> {
        match self {
            Placement::Exact { range } | Placement::Fuzzy { range, .. } => Some(range.clone()),
            Placement::Orphan => None,
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Placement::Exact { .. })
    }

    pub fn is_orphan(&self) -> bool {
        matches!(self, Placement::Orphan)
    }

    /// The range in code points of the text `index` was built on (the one anchored into).
    /// `None` if orphaned or if the range is not valid in that text.
    pub fn cp_range(&self, index: &TextIndex<'_>) -> Option<Range<CodePointOffset>> {
        let r = self.range()?;
        Some(index.byte_to_cp(r.start).ok()?..index.byte_to_cp(r.end).ok()?)
    }

    /// The range in UTF-16 code units (for the DOM). `None` as for [`Placement::cp_range`].
    pub fn utf16_range(&self, index: &TextIndex<'_>) -> Option<Range<Utf16Offset>> {
        let r = self.range()?;
        Some(index.byte_to_utf16(r.start).ok()?..index.byte_to_utf16(r.end).ok()?)
    }
}

/// Describes `range` (bytes; a reversed range is taken as its swap) of `text` as a [`Target`].
///
/// Computes the text hash and scans for the quote: O(n). To describe many selections in one
/// text, build a [`Describer`] once. Errors if an end is past the text or inside a character.
pub fn describe(text: &str, range: Range<ByteOffset>) -> Result<Target, OffsetError> {
    Describer::new(text).describe(range)
}

/// [`describe`] for many selections of one text: hashes and indexes the text once.
#[derive(Debug, Clone)]
pub struct Describer<'a> {
    text: &'a str,
    /// `None` for [`Describer::one_off`]: positions are counted from the start instead.
    index: Option<TextIndex<'a>>,
    hash: String,
}

impl<'a> Describer<'a> {
    /// O(n).
    pub fn new(text: &'a str) -> Self {
        Describer {
            text,
            index: Some(TextIndex::new(text)),
            hash: text_hash(text),
        }
    }

    /// For one selection when the text's [`text_hash`] is already known (`hash`): no index is
    /// built, each position is counted from the start of the text (O(n) per describe, cheaper
    /// than building the index for one).
    pub fn one_off(text: &'a str, hash: String) -> Self {
        Describer {
            text,
            index: None,
            hash,
        }
    }

    fn cp(&self, b: ByteOffset) -> Result<CodePointOffset, OffsetError> {
        match &self.index {
            Some(index) => index.byte_to_cp(b),
            None => crate::text::byte_to_cp(self.text, b),
        }
    }

    /// Describes `range` (bytes into the text; reversed ranges are swapped).
    ///
    /// The quote gets at least [`MIN_CONTEXT`] code points of prefix and suffix (fewer at the
    /// text's edges), extended on both sides up to [`MAX_CONTEXT`] until `prefix + exact +
    /// suffix` occurs only once in the text (compared literally, not normalised). An empty
    /// selection gets [`MIN_CONTEXT`] without the uniqueness extension.
    ///
    /// Cost: one scan for the quote's occurrences, O(n) with a fast substring search, plus
    /// O(k · [`MAX_CONTEXT`]) for k other occurrences (usually none), plus O(log n) to convert
    /// the position to code points.
    pub fn describe(&self, range: Range<ByteOffset>) -> Result<Target, OffsetError> {
        let (a, b) = if range.start <= range.end {
            (range.start, range.end)
        } else {
            (range.end, range.start)
        };
        let start = self.cp(a)?;
        let end = self.cp(b)?;
        let (s, e) = (a.0, b.0);
        let text = self.text;
        let n = context_len(text, s, e);
        Ok(Target {
            quote: TextQuoteSelector {
                exact: text[s..e].to_owned(),
                prefix: text[back_chars(text, s, n)..s].to_owned(),
                suffix: text[e..fwd_chars(text, e, n)].to_owned(),
            },
            position: TextPositionSelector { start, end },
            text_hash: self.hash.clone(),
        })
    }
}

/// Byte offset `n` chars before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    if n == 0 {
        return at;
    }
    text[..at]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(0, |(i, _)| i)
}

/// Byte offset `n` chars after `at` (or the end).
fn fwd_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// How many code points of context (each side) make the quote at `s..e` unique.
fn context_len(text: &str, s: usize, e: usize) -> usize {
    let exact = &text[s..e];
    let Some(first) = exact.chars().next() else {
        return MIN_CONTEXT;
    };
    let cap = MAX_CONTEXT + 1;
    let avail_p = text[..s].chars().rev().take(cap).count();
    let avail_s = text[e..].chars().take(cap).count();
    let mut need = MIN_CONTEXT;
    let mut from = 0;
    while let Some(i) = text[from..].find(exact) {
        let o = from + i;
        from = o + first.len_utf8();
        if o == s {
            continue;
        }
        let lp = text[..o]
            .chars()
            .rev()
            .zip(text[..s].chars().rev())
            .take(cap)
            .take_while(|(x, y)| x == y)
            .count();
        let ls = text[o + exact.len()..]
            .chars()
            .zip(text[e..].chars())
            .take(cap)
            .take_while(|(x, y)| x == y)
            .count();
        // Context of length t tells `o` apart if t > lp (and the prefix can be that long) or
        // t > ls (likewise); take the cheaper side.
        let by_p = (lp < avail_p).then_some(lp + 1);
        let by_s = (ls < avail_s).then_some(ls + 1);
        if let Some(t) = by_p.into_iter().chain(by_s).min() {
            need = need.max(t);
        }
        if need >= MAX_CONTEXT {
            return MAX_CONTEXT;
        }
    }
    need
}

/// Places many [`Target`]s in one text: normalises and indexes it once (O(n); the text hash
/// and the q-gram index are built on first need), then each [`Anchorer::anchor`] costs
/// O(log n) when the stored position still holds the quote, and otherwise, for a quote of m
/// code points (L bytes), about O(L) index look-ups plus, per occurrence or filter window,
/// O(m) to check and O(L · ⌈m/64⌉) of Myers. Only a quote with nothing confident anywhere (edited
/// beyond recognition, deleted, or too short for the filter) pays for Myers over the window
/// (w ≈ 8 KiB around the stored position) and the whole text: O((w + n) · ⌈m/64⌉).
pub struct Anchorer<'a> {
    text: &'a str,
    index: TextIndex<'a>,
    norm: Normalized,
    /// [`text_hash`] of the text, computed the first time a target brings a hash to compare.
    hash: OnceCell<String>,
    /// Q-gram index of the normalised text, built the first time a quote is searched for.
    grams: OnceCell<GramIndex>,
}

/// Half-width, in bytes of normalised text, of the first search window (at least; grows with
/// the quote).
const WINDOW: usize = 4096;
/// Exact occurrences evaluated in full per region (the rest are ranked by cheap context runs).
const MAX_EXACT_EVAL: usize = 8;
/// Ends with the same fewest errors kept per run of approximate matches.
const MAX_TIED_ENDS: usize = 8;
/// Approximate candidates evaluated in full per region.
const MAX_FUZZY_EVAL: usize = 24;
/// Pieces of a quote occurring more often than this cast no votes in the q-gram filter.
const MAX_PIECE_OCCURRENCES: usize = 16;
/// Votes whose diagonals are at most this far apart (bytes) belong to one cluster: edits
/// between pieces shift them a little.
const FILTER_GAP: usize = 32;
/// Most clusters of the q-gram filter searched with Myers, per region.
const MAX_CLUSTERS: usize = 8;
/// Bytes searched beyond a cluster on each side, plus a quarter of the quote's length.
const FILTER_PAD: usize = 16;
/// Context similarity below this counts as no evidence at all (unrelated text of the same
/// language aligns at roughly 40–55%); above it, evidence grows linearly to the full length.
const CONTEXT_FLOOR: f32 = 0.6;

/// Which passes of [`Anchorer::anchor`] run: both (the fast pass, then the full search if it
/// found nothing confident), or one of them (for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Passes {
    Both,
    #[cfg_attr(not(test), allow(dead_code))]
    Fast,
    #[cfg_attr(not(test), allow(dead_code))]
    Full,
}

/// One normalised query, compiled once per [`Anchorer::anchor`] call.
struct Query {
    /// Code points in `nq`, `np`, `ns`.
    m: usize,
    pm: usize,
    sm: usize,
    /// Compiled on first use (only approximate matching needs them).
    quote_rev: OnceCell<Pattern>,
    quote_pat: OnceCell<Pattern>,
    prefix_rev: OnceCell<Pattern>,
    suffix_pat: OnceCell<Pattern>,
    nq: String,
    np: String,
    ns: String,
    /// Expected start in normalised bytes.
    expected: usize,
    /// Every exact occurrence of `nq` in the whole normalised text (when `nq` is long enough for
    /// the q-gram index), found on first use.
    occurrences: OnceCell<Option<Vec<usize>>>,
}

impl Query {
    fn quote_rev(&self) -> &Pattern {
        self.quote_rev
            .get_or_init(|| Pattern::new(&self.nq.chars().rev().collect::<Vec<_>>()))
    }

    fn quote_pat(&self) -> &Pattern {
        self.quote_pat
            .get_or_init(|| Pattern::new(&self.nq.chars().collect::<Vec<_>>()))
    }

    fn prefix_rev(&self) -> &Pattern {
        self.prefix_rev
            .get_or_init(|| Pattern::new(&self.np.chars().rev().collect::<Vec<_>>()))
    }

    fn suffix_pat(&self) -> &Pattern {
        self.suffix_pat
            .get_or_init(|| Pattern::new(&self.ns.chars().collect::<Vec<_>>()))
    }
}

/// One exact occurrence of a piece of the quote: where the quote would start (normalised
/// bytes, `occurrence − offset of the piece in the quote`), and which piece.
#[derive(Debug, Clone, Copy)]
struct Vote {
    diagonal: usize,
    piece: u32,
}

#[derive(Debug, Clone)]
struct Candidate {
    /// Normalised byte range.
    range: Range<usize>,
    score: f32,
    accepted: bool,
    confident: bool,
}

impl<'a> Anchorer<'a> {
    /// O(n) in the text's length.
    pub fn new(text: &'a str) -> Self {
        Anchorer {
            text,
            index: TextIndex::new(text),
            norm: Normalized::new(text),
            hash: OnceCell::new(),
            grams: OnceCell::new(),
        }
    }

    /// The text anchored into.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The offset index of the text (for [`Placement::cp_range`] and friends).
    pub fn index(&self) -> &TextIndex<'a> {
        &self.index
    }

    /// Places `target`; see the module docs for the steps. Never panics.
    pub fn anchor(&self, target: &Target) -> Placement {
        self.anchor_with(target, Passes::Both)
    }

    /// [`Anchorer::anchor`] with only some of its passes (tests compare them).
    fn anchor_with(&self, target: &Target, passes: Passes) -> Placement {
        let q = &target.quote;
        // 1. The stored position.
        if let Some(r) = self.stored_range(&target.position) {
            if self.text[r.clone()] == *q.exact
                && ((!target.text_hash.is_empty()
                    && target.text_hash == *self.hash.get_or_init(|| text_hash(self.text)))
                    || (self.text[..r.start].ends_with(&q.prefix)
                        && self.text[r.end..].starts_with(&q.suffix)))
            {
                return Placement::Exact {
                    range: ByteOffset(r.start)..ByteOffset(r.end),
                };
            }
        }
        let expected_orig = self.index.cp_to_byte_clamped(target.position.start).0;
        let expected = self.norm.orig_to_norm(expected_orig);
        let nq = normalize_str(&q.exact);
        let np = normalize_str(&q.prefix);
        let ns = normalize_str(&q.suffix);
        // Only the context next to the quote counts (aligning it costs its length squared).
        let np = np[back_chars(&np, np.len(), MAX_CONTEXT_USED)..].to_owned();
        let ns = ns[..fwd_chars(&ns, 0, MAX_CONTEXT_USED)].to_owned();
        if nq.is_empty() {
            return self.anchor_empty(&np, &ns, expected);
        }
        let query = Query {
            m: nq.chars().count(),
            pm: np.chars().count(),
            sm: ns.chars().count(),
            quote_rev: OnceCell::new(),
            quote_pat: OnceCell::new(),
            prefix_rev: OnceCell::new(),
            suffix_pat: OnceCell::new(),
            nq,
            np,
            ns,
            expected,
            occurrences: OnceCell::new(),
        };

        // 2–3, in a window first, then in the whole text. A position that does not span as
        // many code points as the quote was not taken with it (an annotation that kept only
        // its quote, stored as 0..0): no window then.
        let len = self.norm.text.len();
        let half = WINDOW.max(4 * query.nq.len());
        let window = self.floor(expected.saturating_sub(half))
            ..self.floor((expected + half + query.nq.len()).min(len));
        let spans_quote = target.position.end.0.checked_sub(target.position.start.0)
            == Some(q.exact.chars().count());
        let mut regions = Vec::with_capacity(2);
        if spans_quote && window != (0..len) {
            regions.push(window);
        }
        regions.push(0..len);
        // The fast pass: exact occurrences and the q-gram filter's few approximate ones (or,
        // for a quote too short for the filter, all approximate ones in the window).
        let mut best: Option<Candidate> = None;
        let fast = passes != Passes::Full;
        let fuzzy = query.m <= MAX_FUZZY_QUOTE;
        for (i, region) in regions.iter().enumerate().filter(|_| fast) {
            if keep_best(&mut best, self.exact_candidates(&query, region.clone())) {
                return self.place(best.expect("confident"), &q.exact);
            }
            match self.filter_tiers(&query, region.clone()).filter(|_| fuzzy) {
                Some(tiers) => {
                    for windows in tiers {
                        let mut ends = Vec::new();
                        for w in windows {
                            self.myers_ends(&query, w, &mut ends);
                        }
                        if keep_best(&mut best, self.evaluate_ends(&query, ends)) {
                            return self.place(best.expect("confident"), &q.exact);
                        }
                    }
                }
                // (Too short for the filter: the whole window, which is cheap for it.)
                None if fuzzy
                    && i + 1 < regions.len()
                    && keep_best(&mut best, self.fuzzy_candidates(&query, region.clone())) =>
                {
                    return self.place(best.expect("confident"), &q.exact);
                }
                None => {}
            }
        }
        if passes == Passes::Fast {
            return Placement::Orphan;
        }
        // Nothing convincing: the full search, every approximate occurrence region by region.
        let mut best: Option<Candidate> = None;
        for region in regions {
            if keep_best(&mut best, self.exact_candidates(&query, region.clone()))
                || (fuzzy && keep_best(&mut best, self.fuzzy_candidates(&query, region.clone())))
            {
                return self.place(best.expect("confident"), &q.exact);
            }
        }
        match best {
            Some(b) if b.accepted => self.place(b, &q.exact),
            _ => Placement::Orphan,
        }
    }

    fn grams(&self) -> &GramIndex {
        self.grams
            .get_or_init(|| GramIndex::new(self.norm.text.as_bytes()))
    }

    fn floor(&self, j: usize) -> usize {
        crate::text::floor_char_boundary(&self.norm.text, ByteOffset(j)).0
    }

    /// The stored position as a byte range, if valid in this text.
    fn stored_range(&self, p: &TextPositionSelector) -> Option<Range<usize>> {
        let s = self.index.cp_to_byte(p.start).ok()?.0;
        let e = self.index.cp_to_byte(p.end).ok()?.0;
        (s <= e).then_some(s..e)
    }

    fn place(&self, c: Candidate, exact: &str) -> Placement {
        let r = self.norm.to_orig(c.range);
        let range = ByteOffset(r.start)..ByteOffset(r.end);
        if self.text[r] == *exact {
            Placement::Exact { range }
        } else {
            Placement::Fuzzy {
                range,
                score: c.score,
            }
        }
    }

    /// An empty quote: place it where the stored prefix and suffix meet (exact only).
    fn anchor_empty(&self, np: &str, ns: &str, expected: usize) -> Placement {
        let joined = format!("{np}{ns}");
        if joined.is_empty() {
            return Placement::Orphan;
        }
        let hay = &self.norm.text;
        let best = occurrences(hay, &joined, 0..hay.len())
            .map(|o| o + np.len())
            .min_by_key(|&p| p.abs_diff(expected));
        match best {
            Some(p) => {
                let o = self.norm.to_orig_start(p);
                Placement::Exact {
                    range: ByteOffset(o)..ByteOffset(o),
                }
            }
            None => Placement::Orphan,
        }
    }

    /// Exact occurrences of the normalised quote starting in `region`, the best few evaluated.
    ///
    /// Each occurrence costs a comparison of the quote and of its context. In a periodic text
    /// (`аааа…`) a periodic quote occurs at almost every position, so occurrences are taken in
    /// text order only until they have cost a few times the text's length
    /// ([`exact_budget`]); a quote that common says nothing about where it is anyway.
    fn exact_candidates(&self, q: &Query, region: Range<usize>) -> Vec<Candidate> {
        let hay = &self.norm.text;
        let compare = 1 + q.nq.len() / 16;
        let budget = exact_budget(hay.len() + q.nq.len());
        let all = q.occurrences.get_or_init(|| {
            // A lookup verifies every sampled position of the quote's rarest gram: refuse
            // (and search in text order instead) when that alone is over budget.
            let cap = (budget / compare).max(1024);
            (q.nq.len() >= qgram::MIN_NEEDLE)
                .then(|| {
                    self.grams()
                        .find_in(hay.as_bytes(), q.nq.as_bytes(), 0..=hay.len(), cap)
                })
                .flatten()
        });
        let found: Box<dyn Iterator<Item = usize>> = match all {
            Some(all) => {
                let from = all.partition_point(|&o| o < region.start);
                Box::new(
                    all[from..]
                        .iter()
                        .copied()
                        .take_while(move |&o| o <= region.end),
                )
            }
            None => Box::new(occurrences(hay, &q.nq, region)),
        };
        // Cheap ranking: how many chars of context agree literally, then nearness.
        let mut ranked: Vec<(usize, usize, usize)> = Vec::new();
        let mut spent = 0usize;
        for o in found {
            let e = o + q.nq.len();
            let rp = common_run(hay[..o].chars().rev(), q.np.chars().rev());
            let rs = common_run(hay[e..].chars(), q.ns.chars());
            ranked.push((rp + rs, o.abs_diff(q.expected), o));
            spent += compare + rp + rs;
            if spent > budget {
                break;
            }
        }
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
            .into_iter()
            .take(MAX_EXACT_EVAL)
            .map(|(_, _, o)| self.evaluate(q, o..o + q.nq.len(), 0))
            .collect()
    }

    /// Approximate occurrences (Myers) ending in `region`, the best few evaluated.
    fn fuzzy_candidates(&self, q: &Query, region: Range<usize>) -> Vec<Candidate> {
        let k = max_errors(q.m);
        if k == 0 {
            return Vec::new();
        }
        let mut ends = Vec::new();
        self.myers_ends(q, region, &mut ends);
        self.evaluate_ends(q, ends)
    }

    /// Pushes `(errors, end byte)` for the best ends in each run of ends within
    /// [`max_errors`] of the quote, scanning `region`: every end with the run's fewest errors
    /// (up to [`MAX_TIED_ENDS`]). When the quote's last letters were rewritten, ending before
    /// them, after them, or one character further can all cost the same; which one is right,
    /// the stored suffix tells, in [`Anchorer::evaluate`].
    fn myers_ends(&self, q: &Query, region: Range<usize>, ends: &mut Vec<(usize, usize)>) {
        let k = max_errors(q.m);
        let mut st = Myers::new(q.quote_pat(), false);
        // The run's fewest errors and the ends that have them.
        let mut run: Option<(usize, Vec<usize>)> = None;
        let push = |ends: &mut Vec<(usize, usize)>, (d, at): (usize, Vec<usize>)| {
            ends.extend(at.into_iter().map(|e| (d, e)));
        };
        for (i, c) in self.norm.text[region.clone()].char_indices() {
            let d = st.step(c);
            let end = region.start + i + c.len_utf8();
            if d <= k {
                match &mut run {
                    Some((bd, at)) if d == *bd => {
                        if at.len() < MAX_TIED_ENDS {
                            at.push(end);
                        }
                    }
                    Some((bd, _)) if d > *bd => {}
                    _ => run = Some((d, vec![end])),
                }
            } else if let Some(r) = run.take() {
                push(ends, r);
            }
        }
        if let Some(r) = run {
            push(ends, r);
        }
    }

    /// Evaluates the best few of `ends` (fewest errors, then nearest), each aligned backwards
    /// to its best start.
    fn evaluate_ends(&self, q: &Query, mut ends: Vec<(usize, usize)>) -> Vec<Candidate> {
        let hay = &self.norm.text;
        let m = q.m;
        let k = max_errors(m);
        ends.sort_unstable_by_key(|&(d, e)| (d, e.abs_diff(q.expected + q.nq.len())));
        ends.dedup();
        ends.truncate(MAX_FUZZY_EVAL);
        ends.into_iter()
            .filter_map(|(_, end)| {
                let (d, len) =
                    best_prefix_alignment(q.quote_rev(), hay[..end].chars().rev(), m + k);
                if len == 0 || d > k {
                    return None;
                }
                let start = back_chars(hay, end, len);
                Some(self.evaluate(q, start..end, d))
            })
            .collect()
    }

    /// The q-gram filter's votes for `q` (see [`Vote`]) with diagonals in `diagonals`, sorted
    /// by diagonal: the exact occurrences of each piece of the quote, the quote cut into as many
    /// pieces as the [index](qgram) can look up. `None` if the quote makes fewer than two
    /// pieces (then any edit may hide it from the filter).
    ///
    /// Also returns how many pieces were looked up (pieces found too often are not).
    fn votes(
        &self,
        q: &Query,
        diagonals: std::ops::RangeInclusive<usize>,
    ) -> Option<(Vec<Vote>, usize)> {
        let nq = q.nq.as_bytes();
        let mut cuts = vec![0];
        let mut at = qgram::MIN_NEEDLE;
        while at + qgram::MIN_NEEDLE <= nq.len() {
            while !q.nq.is_char_boundary(at) {
                at += 1;
            }
            if at + qgram::MIN_NEEDLE > nq.len() {
                break;
            }
            cuts.push(at);
            at += qgram::MIN_NEEDLE;
        }
        if cuts.len() < 2 {
            return None;
        }
        cuts.push(nq.len());
        let hay = self.norm.text.as_bytes();
        let mut votes = Vec::new();
        let mut looked_up = 0;
        for (piece, w) in cuts.windows(2).enumerate() {
            let starts = diagonals.start() + w[0]..=diagonals.end() + w[0];
            // A piece found all over the text says little about where the quote is.
            let Some(found) =
                self.grams()
                    .find_in(hay, &nq[w[0]..w[1]], starts, 4 * MAX_PIECE_OCCURRENCES)
            else {
                continue;
            };
            if found.len() > MAX_PIECE_OCCURRENCES {
                continue;
            }
            looked_up += 1;
            votes.extend(found.into_iter().map(|o| Vote {
                diagonal: o - w[0],
                piece: piece as u32,
            }));
        }
        votes.sort_unstable_by_key(|v| v.diagonal);
        Some((votes, looked_up))
    }

    /// Where to look (with Myers) for approximate occurrences ending in `region`: windows
    /// around the best-voted diagonals of the q-gram filter, in tiers of equal votes, most
    /// votes first. `None` if the filter does not apply to this quote ([`Anchorer::votes`]).
    ///
    /// Only what could be a *confident* candidate is looked for (the fast pass needs no
    /// other): its quote has at most a tenth of its code points in edits, and each edit breaks
    /// at most one piece, so it has at least that many fewer votes than pieces looked up; only
    /// clusters with that many votes are searched, the [`MAX_CLUSTERS`] best-voted.
    fn filter_tiers(&self, q: &Query, region: Range<usize>) -> Option<Vec<Vec<Range<usize>>>> {
        let m = q.m;
        if max_errors(m) == 0 {
            return Some(Vec::new());
        }
        let len = q.nq.len();
        let pad = FILTER_PAD + len / 4;
        let lo = region.start.saturating_sub(len + pad);
        let hi = region.end + pad;
        let (votes, looked_up) = self.votes(q, lo..=hi)?;
        // Edits a confident candidate may have (q_sim ≥ 0.9), rounded up.
        let confident_edits = m / 10 + 1;
        let min_votes = looked_up.saturating_sub(confident_edits).max(1);
        // Clusters of nearby diagonals: (distinct pieces voting, first, last diagonal).
        let mut clusters: Vec<(usize, usize, usize)> = Vec::new();
        let mut seen: Vec<usize> = vec![
            usize::MAX;
            votes
                .iter()
                .map(|v| v.piece as usize + 1)
                .max()
                .unwrap_or(0)
        ];
        for v in &votes {
            match clusters.last_mut() {
                Some(c) if v.diagonal - c.2 <= FILTER_GAP => c.2 = v.diagonal,
                _ => clusters.push((0, v.diagonal, v.diagonal)),
            }
            let id = clusters.len() - 1;
            if seen[v.piece as usize] != id {
                seen[v.piece as usize] = id;
                clusters.last_mut().expect("pushed").0 += 1;
            }
        }
        clusters.retain(|c| c.0 >= min_votes);
        clusters.sort_unstable_by_key(|c| (std::cmp::Reverse(c.0), c.1.abs_diff(q.expected)));
        clusters.truncate(MAX_CLUSTERS);
        let mut tiers: Vec<Vec<Range<usize>>> = Vec::new();
        for tier in clusters.chunk_by(|a, b| a.0 == b.0) {
            let mut windows: Vec<Range<usize>> = tier
                .iter()
                .map(|&(_, first, last)| {
                    let s = self.floor(first.saturating_sub(pad).max(region.start));
                    let e = self.floor((last + len + pad).min(region.end));
                    s..e
                })
                .filter(|w| w.start < w.end)
                .collect();
            windows.sort_unstable_by_key(|w| w.start);
            let mut merged: Vec<Range<usize>> = Vec::with_capacity(windows.len());
            for w in windows {
                match merged.last_mut() {
                    Some(m) if w.start <= m.end => m.end = m.end.max(w.end),
                    _ => merged.push(w),
                }
            }
            tiers.push(merged);
        }
        Some(tiers)
    }

    /// The stretch of text around the stored position where a short quote may sit with one
    /// intact side: its context, the quote, and [`SHORT_QUOTE_DRIFT`] either way.
    fn spot(&self, q: &Query) -> Range<usize> {
        let hay = &self.norm.text;
        let lo = self.floor(q.expected.saturating_sub(q.np.len() + SHORT_QUOTE_DRIFT));
        let hi = self
            .floor((q.expected + 2 * q.nq.len() + q.ns.len() + SHORT_QUOTE_DRIFT).min(hay.len()));
        lo..hi
    }

    /// Whether the stored prefix or suffix still stands, verbatim, in `spot`.
    fn spot_survives(&self, q: &Query, spot: &Range<usize>) -> bool {
        let w = &self.norm.text[spot.clone()];
        (!q.np.is_empty() && w.contains(q.np.as_str()))
            || (!q.ns.is_empty() && w.contains(q.ns.as_str()))
    }

    /// Scores a candidate (normalised byte range with `errors` edits against the quote).
    fn evaluate(&self, q: &Query, range: Range<usize>, errors: usize) -> Candidate {
        let hay = &self.norm.text;
        let m = q.m;
        let q_sim = 1.0 - errors as f32 / m as f32;
        let side = |pat: &Pattern, len: usize, it: &mut dyn Iterator<Item = char>| -> f32 {
            let (d, _) = best_prefix_alignment(pat, it, len + len / 2 + 4);
            1.0 - d as f32 / len as f32
        };
        // Stored context standing verbatim next to the range (the usual case): similarity 1
        // without aligning.
        let pre = !q.np.is_empty() && hay[..range.start].ends_with(q.np.as_str());
        let suf = !q.ns.is_empty() && hay[range.end..].starts_with(q.ns.as_str());
        let p_sim = (!q.np.is_empty()).then(|| {
            if pre {
                return 1.0;
            }
            side(q.prefix_rev(), q.pm, &mut hay[..range.start].chars().rev())
        });
        let s_sim = (!q.ns.is_empty()).then(|| {
            if suf {
                return 1.0;
            }
            side(q.suffix_pat(), q.sm, &mut hay[range.end..].chars())
        });
        let pos_sim = 1.0 - range.start.abs_diff(q.expected) as f32 / hay.len().max(1) as f32;

        let (mut total, mut weight) = (50.0 * q_sim + 2.0 * pos_sim, 52.0);
        for s in [p_sim, s_sim].into_iter().flatten() {
            total += 20.0 * s;
            weight += 20.0;
        }
        let score = total / weight;

        let rescale = |s: Option<f32>| {
            s.map_or(0.0, |s| {
                ((s - CONTEXT_FLOOR) / (1.0 - CONTEXT_FLOOR)).clamp(0.0, 1.0)
            })
        };
        let evidence = rescale(p_sim) * q.pm as f32 + rescale(s_sim) * q.sm as f32;
        // Near a text edge less context was stored; ask for a quarter of it at most.
        let ctx_needed = MIN_CONTEXT_EVIDENCE.min((q.pm + q.sm) as f32 / 4.0);
        let matched = (m - errors) as f32;
        let stored = (m + q.pm + q.sm) as f32;
        // A short quote must also touch its context on at least one side: edit-distance
        // similarity forgives a shift of a few characters, so without this a two-letter quote
        // whose own occurrence was edited would land on the same letters a few characters away
        // (their context, shifted, still looks alike).
        // Letters and digits only: re-punctuation next to a quote does not move it.
        let abuts = |ctx: &str, hay: Box<dyn Iterator<Item = char> + '_>, from_end: bool| {
            let side: Vec<char> = if from_end {
                ctx.chars().rev().filter(|c| c.is_alphanumeric()).collect()
            } else {
                ctx.chars().filter(|c| c.is_alphanumeric()).collect()
            };
            let k = side.len().min(ABUT_CHARS);
            let mut hay = hay.filter(|c| c.is_alphanumeric());
            // A side with no letters at all (`.` at the end) has nothing to contradict.
            side[..k].iter().all(|c| hay.next() == Some(*c))
        };
        // No stored context on a side means the quote sat at that edge of the text: being at
        // the same edge counts as touching it.
        // (Verbatim context abuts by definition.)
        let before = (q.np.is_empty() && range.start == 0)
            || pre
            || abuts(&q.np, Box::new(hay[..range.start].chars().rev()), true);
        let after = (q.ns.is_empty() && range.end == hay.len())
            || suf
            || abuts(&q.ns, Box::new(hay[range.end..].chars()), false);
        // Away from where it was, a short quote needs more (below): the same few words in a
        // repeated phrase elsewhere could otherwise take its place. Near it (an edit next to
        // it shifts it a little), one intact side is enough.
        let spot = self.spot(q);
        let far = range.start < spot.start || range.end > spot.end;
        let touches = m >= SHORT_QUOTE
            || (q.np.is_empty() && q.ns.is_empty())
            || if far {
                // One side's whole stored context verbatim (a moved paragraph keeps the side
                // inside it) or both sides' nearest letters, and the place it was no longer there (an edited quote whose
                // context still stands where it was must not jump to the same words elsewhere).
                (pre || suf || (before && after)) && !self.spot_survives(q, &spot)
            } else {
                before || after
            };
        let accepted = touches
            && score >= MIN_SCORE
            && (m - errors >= LONG_QUOTE
                // (The epsilon keeps exact halves from failing on float rounding.)
                || (evidence + 1e-3 >= ctx_needed
                    && matched + evidence + 1e-3 >= MIN_AGREEMENT * stored));
        let confident = accepted
            && q_sim >= 0.9
            && p_sim.is_none_or(|s| s >= 0.8)
            && s_sim.is_none_or(|s| s >= 0.8);
        Candidate {
            range,
            score,
            accepted,
            confident,
        }
    }
}

/// Keeps the best-scoring of `best` and `found` in `best`; whether it is confident.
fn keep_best(best: &mut Option<Candidate>, found: Vec<Candidate>) -> bool {
    for c in found {
        if best.as_ref().is_none_or(|b| c.score > b.score) {
            *best = Some(c);
        }
    }
    best.as_ref().is_some_and(|b| b.confident)
}

/// Places `target` in `text`: [`Anchorer::new`] + [`Anchorer::anchor`], O(n).
pub fn anchor(text: &str, target: &Target) -> Placement {
    Anchorer::new(text).anchor(target)
}

/// Most edits tolerated in an approximate match of a quote of `m` code points: a third.
pub fn max_errors(m: usize) -> usize {
    m / 3
}

/// Work [`Anchorer::exact_candidates`] may spend on occurrences of one quote in one region of
/// a text and quote of `size` bytes: a few times their size (in [`crate::work`] steps).
fn exact_budget(size: usize) -> usize {
    8 * size + (1 << 20)
}

/// Starts (bytes) of every occurrence of `needle` in `hay` that starts inside `region`,
/// overlapping ones included. `needle` must not be empty.
fn occurrences<'h>(
    hay: &'h str,
    needle: &'h str,
    region: Range<usize>,
) -> impl Iterator<Item = usize> + 'h {
    let first = needle.chars().next().map_or(1, char::len_utf8);
    let mut from = region.start;
    let stop = region.end;
    std::iter::from_fn(move || {
        if from > stop || from >= hay.len() {
            return None;
        }
        let found = hay[from..].find(needle);
        // A search costs the distance it skips and a comparison of the needle (Two-Way).
        crate::work::tick(found.unwrap_or(hay.len() - from) + needle.len() / 16);
        let o = from + found?;
        if o > stop {
            from = hay.len();
            return None;
        }
        from = o + first;
        Some(o)
    })
}

/// Length of the common leading run of two char sequences.
fn common_run(a: impl Iterator<Item = char>, b: impl Iterator<Item = char>) -> usize {
    let run = a.zip(b).take_while(|(x, y)| x == y).count();
    crate::work::tick(run + 1);
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    fn br(a: usize, b: usize) -> Range<ByteOffset> {
        ByteOffset(a)..ByteOffset(b)
    }

    fn find(text: &str, needle: &str) -> Range<ByteOffset> {
        let s = text.find(needle).expect("needle in text");
        br(s, s + needle.len())
    }

    /// Targets far larger than any selection: imported files may carry them (a quote, prefix
    /// and suffix may each be 1 MiB).
    fn large_targets() -> Vec<(&'static str, String, Target)> {
        let seed = include_str!("../../../assets/seed-article-ru.txt");
        let text = seed.repeat(10); // about 180 KB
        let target = |exact: String, prefix: String, suffix: String| Target {
            quote: TextQuoteSelector {
                exact,
                prefix,
                suffix,
            },
            position: TextPositionSelector {
                start: CodePointOffset(0),
                end: CodePointOffset(0),
            },
            text_hash: String::new(),
        };
        let whole: String = seed.chars().take(5_000).collect();
        let edited: String = whole
            .chars()
            .enumerate()
            .map(|(i, c)| if i % 40 == 0 { 'ж' } else { c })
            .collect();
        let edited_short: String = edited.chars().skip(100).take(1_500).collect();
        let absent = "Это предложение не встречается в тексте статьи вовсе. ".repeat(6_000);
        let periodic = "а".repeat(100_000);
        vec![
            (
                "a 300,000-character quote not in the text",
                text.clone(),
                target(absent, String::new(), String::new()),
            ),
            (
                "a 5,000-character quote in the text",
                text.clone(),
                target(whole.clone(), String::new(), String::new()),
            ),
            (
                "a 5,000-character quote, edited",
                text.clone(),
                target(edited.clone(), String::new(), String::new()),
            ),
            (
                "a 1,500-character quote, edited",
                text.clone(),
                target(edited_short, String::new(), String::new()),
            ),
            (
                "a short quote with 100,000-character context",
                text.clone(),
                target(
                    "Азербайджан".to_owned(),
                    "ж".repeat(100_000),
                    "ж".repeat(100_000),
                ),
            ),
            (
                "a periodic quote in a periodic text",
                periodic.clone(),
                target("а".repeat(10_000), String::new(), String::new()),
            ),
            (
                "an edited quote in a periodic text",
                periodic,
                target("аб".repeat(3_000), String::new(), String::new()),
            ),
        ]
    }

    #[test]
    fn anchoring_large_targets_is_bounded() {
        // Steps of work (crate::work) per byte of text and target. Before quotes over
        // MAX_FUZZY_QUOTE were kept out of approximate matching, context was capped at
        // MAX_CONTEXT_USED and occurrences at exact_budget, these took 391 (the 300,000-character
        // quote: Myers over the text with 4,700 words per column), 6,690 (aligning 100,000
        // characters of context, for each candidate) and 571 (every overlapping occurrence
        // compared in full).
        let mut placed = Vec::new();
        for (name, text, target) in large_targets() {
            let size = text.len()
                + target.quote.exact.len()
                + target.quote.prefix.len()
                + target.quote.suffix.len();
            crate::work::take();
            let placement = Anchorer::new(&text).anchor(&target);
            let steps = crate::work::take() / size as u64;
            assert!(steps <= 64, "{name}: {steps} steps per byte");
            placed.push((name, placement));
        }
        let kind = |name: &str| {
            let p = &placed.iter().find(|(n, _)| *n == name).expect("a family").1;
            (p.is_exact(), p.is_orphan())
        };
        // Long quotes are still found where they stand, and edited ones up to the limit.
        assert_eq!(kind("a 5,000-character quote in the text"), (true, false));
        assert_eq!(kind("a periodic quote in a periodic text"), (true, false));
        assert_eq!(kind("a 1,500-character quote, edited"), (false, false));
        // Beyond it an edited quote is an orphan (shown, never dropped, re-attachable).
        assert_eq!(kind("a 5,000-character quote, edited"), (false, true));
    }

    #[test]
    fn describe_keeps_32_chars_and_code_point_positions() {
        let text = format!("{}ёж😀{}", "а".repeat(40), "б".repeat(40));
        let t = describe(&text, find(&text, "ёж😀")).unwrap();
        assert_eq!(t.quote.exact, "ёж😀");
        assert_eq!(t.quote.prefix, "а".repeat(32));
        assert_eq!(t.quote.suffix, "б".repeat(32));
        assert_eq!(t.position.start, CodePointOffset(40));
        assert_eq!(t.position.end, CodePointOffset(43));
        assert_eq!(t.text_hash, text_hash(&text));
    }

    #[test]
    fn describe_extends_context_until_unique() {
        // The quote occurs twice with the same 39 chars before and after it, then differs.
        let pad = "x".repeat(39);
        let text = format!("A{pad}QUOTE{pad}B---C{pad}QUOTE{pad}D");
        let second = text.rfind("QUOTE").unwrap();
        let t = describe(&text, br(second, second + 5)).unwrap();
        assert_eq!(t.quote.prefix.chars().count(), 40);
        assert_eq!(t.quote.prefix, format!("C{pad}"));
        // Fewer than 40 chars are left after the second occurrence: the suffix is all of it.
        assert_eq!(t.quote.suffix, format!("{pad}D"));
    }

    #[test]
    fn one_off_describer_agrees_with_the_indexed_one() {
        let text = "Ёж 😀 бежит к речке, ёж 😀 бежит к речке.\nВторой абзац с e\u{301}.";
        let full = Describer::new(text);
        let once = Describer::one_off(text, text_hash(text));
        for (a, b) in [
            (0, 2),
            (3, 20),
            (text.len() - 5, text.len()),
            (7, 7),
            (1, 4),
            (0, 999),
        ] {
            assert_eq!(full.describe(br(a, b)), once.describe(br(a, b)), "{a}..{b}");
        }
    }

    #[test]
    fn describe_rejects_offsets_inside_characters() {
        assert!(describe("жук", br(1, 4)).is_err());
        assert!(describe("жук", br(0, 99)).is_err());
        // A reversed range is a backwards selection.
        assert_eq!(describe("жук", br(4, 2)).unwrap().quote.exact, "у");
    }

    #[test]
    fn unchanged_text_anchors_exactly_at_the_stored_position() {
        let text = "раз два три, раз два три, раз два три";
        let r = br(
            text.rfind("два").unwrap(),
            text.rfind("два").unwrap() + "два".len(),
        );
        let t = describe(text, r.clone()).unwrap();
        assert_eq!(anchor(text, &t), Placement::Exact { range: r });
    }

    #[test]
    fn moved_quote_is_found_by_context() {
        let text = "Первый абзац про котов.\nВторой абзац про собак, и коты тут ни при чём.";
        let t = describe(text, find(text, "про собак")).unwrap();
        let revised = format!("Вставка в начале.\n{text}");
        let p = anchor(&revised, &t);
        assert_eq!(
            p,
            Placement::Exact {
                range: find(&revised, "про собак")
            }
        );
    }

    #[test]
    fn normalisation_only_change_is_fuzzy_not_exact() {
        let text = "Он сказал: «ещё раз» — и ушёл домой, не оглядываясь назад.";
        let t = describe(text, find(text, "«ещё раз» — и ушёл")).unwrap();
        let revised = "Он сказал: \"еще раз\" - и ушел домой, не оглядываясь назад.";
        match anchor(revised, &t) {
            Placement::Fuzzy { range, score } => {
                assert_eq!(&revised[range.start.0..range.end.0], "\"еще раз\" - и ушел");
                assert!(score > 0.9, "{score}");
            }
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn edited_quote_is_fuzzy() {
        let text = "Внешнеполитическое ведомство России продолжит информировать общественность.";
        let t = describe(text, find(text, "продолжит информировать")).unwrap();
        let revised = text.replace("информировать", "информирвоать");
        match anchor(&revised, &t) {
            Placement::Fuzzy { range, .. } => {
                assert_eq!(
                    &revised[range.start.0..range.end.0],
                    "продолжит информирвоать"
                )
            }
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn a_rewritten_end_of_the_quote_is_kept_not_trimmed() {
        // The last five letters rewritten (same length): ending before them costs as much as
        // ending after them; the intact suffix decides, and the whole passage is placed.
        let text = "Символы мирного взаимодействия между государствами. Дальше идёт другой текст.";
        let t = describe(
            text,
            find(text, "мирного взаимодействия между государствами"),
        )
        .unwrap();
        let revised = text.replace("государствами", "государсжтлко");
        match anchor(&revised, &t) {
            Placement::Fuzzy { range, .. } => assert_eq!(
                &revised[range.start.0..range.end.0],
                "мирного взаимодействия между государсжтлко"
            ),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn short_quote_never_lands_on_a_similar_word_in_unrelated_text() {
        // Hypothesis client #7571: "Linus" anchored to "chines".
        let text = "The kernel was started by Linus Torvalds in 1991 as a hobby.";
        let t = describe(text, find(text, "Linus")).unwrap();
        let unrelated = "Vending machines sell snacks, and the machines take coins only.";
        assert_eq!(anchor(unrelated, &t), Placement::Orphan);
        // Nor on the exact word in unrelated context.
        let other = "Linus is also a character in Peanuts, who carries a blanket.";
        assert_eq!(anchor(other, &t), Placement::Orphan);
    }

    #[test]
    fn empty_selection_anchors_between_its_context() {
        let text = "Один два три четыре пять шесть семь восемь девять десять одиннадцать.";
        let at = text.find("пять").unwrap();
        let t = describe(text, br(at, at)).unwrap();
        assert_eq!(t.quote.exact, "");
        let revised = format!("Ноль. {text}");
        let want = revised.find("пять").unwrap();
        assert_eq!(
            anchor(&revised, &t),
            Placement::Exact {
                range: br(want, want)
            }
        );
    }

    #[test]
    fn invalid_stored_position_is_not_a_panic() {
        let text = "короткий текст";
        let mut t = describe(text, find(text, "текст")).unwrap();
        t.position.start = CodePointOffset(1000);
        t.position.end = CodePointOffset(3);
        t.text_hash = "x".into();
        assert_eq!(
            anchor(text, &t),
            Placement::Exact {
                range: find(text, "текст")
            }
        );
        assert_eq!(anchor("", &t), Placement::Orphan);
    }

    /// About `bytes` of the seed article's sentences with their words shuffled (as in the
    /// benchmark): the same words and short phrases recur all over, whole sentences do not.
    fn shuffled_text(mut state: u64, bytes: usize) -> String {
        let seed = include_str!("../../../assets/seed-article-ru.txt");
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % n as u64) as usize
        };
        let mut out = String::new();
        while out.len() < bytes {
            for line in seed.lines().skip(1) {
                for sentence in line.split_inclusive(['.', '!', '?']) {
                    let mut words: Vec<&str> = sentence.split_whitespace().collect();
                    for i in (1..words.len()).rev() {
                        words.swap(i, next(i + 1));
                    }
                    out.push_str(&words.join(" "));
                    out.push(' ');
                }
                out.push('\n');
            }
        }
        out
    }

    /// Byte range of words `w..w + n` of `text` (words split on ASCII space / newline).
    fn words_range(text: &str, w: usize, n: usize) -> Option<Range<usize>> {
        let starts: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| {
                !c.is_whitespace() && (i == 0 || text[..i].ends_with(char::is_whitespace))
            })
            .map(|(i, _)| i)
            .collect();
        let s = *starts.get(w)?;
        let last = *starts.get(w + n - 1)?;
        let e = last + text[last..].find(char::is_whitespace)?;
        Some(s..e)
    }

    fn quote_only(t: &Target) -> Target {
        let mut t = t.clone();
        t.text_hash.clear();
        t.position.start = CodePointOffset(0);
        t.position.end = CodePointOffset(0);
        t
    }

    /// Replaces the Cyrillic letter nearest after the middle of `r` by another of the same
    /// length (so nothing moves).
    fn substitute_letter(text: &str, r: &Range<usize>, shift: usize) -> Option<String> {
        let mut mid = r.start + (r.end - r.start) * (1 + shift % 3) / 4;
        while !text.is_char_boundary(mid) {
            mid -= 1;
        }
        let (i, c) = text[mid..r.end]
            .char_indices()
            .find(|&(_, c)| ('а'..='я').contains(&c))?;
        let i = mid + i;
        let repl = if c == 'ж' { "ш" } else { "ж" };
        Some(format!("{}{repl}{}", &text[..i], &text[i + c.len_utf8()..]))
    }

    #[test]
    fn quote_only_targets_are_found_in_a_large_text_by_the_index() {
        let text = shuffled_text(7, 120_000);
        let d = Describer::new(&text);
        let a = Anchorer::new(&text);
        for (w, n) in [(0, 5), (2000, 12), (5000, 40), (7000, 60)] {
            let r = words_range(&text, w, n).expect("in the text");
            let t = d.describe(br(r.start, r.end)).unwrap();
            assert_eq!(
                a.anchor(&quote_only(&t)),
                Placement::Exact {
                    range: br(r.start, r.end)
                },
                "{:?}",
                t.quote.exact
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// On a large text (two search regions, many repeated words), with one letter of the
        /// quote substituted, the fast pass (q-gram filter) alone places every target where the
        /// full Myers scan does, and that is where the quote is.
        #[test]
        fn filter_places_one_edit_quotes_as_the_full_scan_does(
            seed in 0u64..1000,
            w in 0usize..8000,
            n in 5usize..40,
            shift in 0usize..3,
            positioned in proptest::bool::ANY,
        ) {
            let text = shuffled_text(seed, 60_000);
            let Some(r) = words_range(&text, w, n) else { return Ok(()) };
            let t = describe(&text, br(r.start, r.end)).unwrap();
            let Some(edited) = substitute_letter(&text, &r, shift) else { return Ok(()) };
            let t = if positioned {
                let mut t = t;
                t.text_hash.clear();
                t
            } else {
                quote_only(&t)
            };
            let a = Anchorer::new(&edited);
            let fast = a.anchor_with(&t, Passes::Fast);
            let full = a.anchor_with(&t, Passes::Full);
            proptest::prop_assert_eq!(&fast, &full);
            let got = fast.range().expect("one edit in a 5+ word quote is placed");
            proptest::prop_assert!(
                got.start.0.abs_diff(r.start) <= 6 && got.end.0.abs_diff(r.end) <= 6,
                "{:?} vs {:?}", got, r
            );
        }

        /// Several letters of the quote changed, in a text where its words recur everywhere:
        /// with or without its position, the target lands on the edited quote or is orphaned,
        /// never elsewhere (by default and by the full search alone).
        #[test]
        fn many_edits_never_misplace_in_a_large_text(
            seed in 0u64..1000,
            w in 0usize..8000,
            n in 5usize..40,
            edits in 1usize..12,
            positioned in proptest::bool::ANY,
        ) {
            let text = shuffled_text(seed, 60_000);
            let Some(r) = words_range(&text, w, n) else { return Ok(()) };
            let t = describe(&text, br(r.start, r.end)).unwrap();
            let mut edited = text.clone();
            for e in 0..edits {
                // Each edit a little further into the quote.
                let mut o = r.start + (r.end - r.start) * e / edits;
                while !edited.is_char_boundary(o) {
                    o -= 1;
                }
                let Some(next) = substitute_letter(&edited, &(o..r.end), 0) else { break };
                edited = next;
            }
            let t = if positioned {
                let mut t = t;
                t.text_hash.clear();
                t
            } else {
                quote_only(&t)
            };
            let a = Anchorer::new(&edited);
            for passes in [Passes::Both, Passes::Full] {
                if let Some(got) = a.anchor_with(&t, passes).range() {
                    proptest::prop_assert!(
                        got.start.0 < r.end && r.start < got.end.0,
                        "{:?}: {:?} vs {:?}", passes, got, r
                    );
                }
            }
        }
    }

    #[test]
    fn placement_converts_units() {
        let text = "ж😀ab";
        let a = Anchorer::new(text);
        let p = Placement::Exact { range: br(2, 7) };
        assert_eq!(
            p.cp_range(a.index()),
            Some(CodePointOffset(1)..CodePointOffset(3))
        );
        assert_eq!(
            p.utf16_range(a.index()),
            Some(Utf16Offset(1)..Utf16Offset(4))
        );
        assert_eq!(Placement::Orphan.cp_range(a.index()), None);
    }
}
