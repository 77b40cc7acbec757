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
//! Steps 2–3 first take every exact occurrence of the quote in the whole text (from a [q-gram
//! index](qgram) of the normalised text, built on the first search, O(n / 8)), then look for
//! approximate ones in a window around the stored position (if the target has one: a position
//! that does not span as many code points as the quote, such as 0..0, does not count) and only
//! then in the whole text, stopping at the first *confident* candidate (quote at least 90%
//! alike, and any stored context at least 80%). They run twice if need be:
//! - a fast pass: approximate occurrences only from small windows around the places where many
//!   pieces of the quote occur exactly (a pigeonhole filter: a quote with at most a tenth of
//!   its code points edited keeps most of its pieces intact);
//! - if that finds nothing confident (a heavily edited or deleted quote, or one too short to
//!   cut into pieces), the full search: Myers over the whole window, then the whole text.
//!
//! A candidate must reach [`MIN_SCORE`] *and* carry enough evidence that it is the same
//! passage: matching quote code points plus agreeing context code points must be at least
//! [`MIN_AGREEMENT`] of the stored quote and context, with at least [`MIN_CONTEXT_EVIDENCE`] of
//! them from the context — unless the quote alone matches at least [`LONG_QUOTE`] code points.
//! Context counts only where it is clearly more alike than unrelated text of the same language
//! is. This is what keeps a short quote ("Linus") from landing on a similar word ("chines"), or
//! on the same word in an unrelated sentence.
//!
//! # When the evidence is split (issue 14)
//!
//! News and legal text repeat themselves, and a revision may delete a passage while a
//! look-alike (the same words, a word or two changed, in other surroundings) stays elsewhere,
//! or keep an edited copy beside the original. The quote is then found, but the rest of the
//! evidence — the context next to it, and where it was — points elsewhere or nowhere. So a
//! candidate is weighed on each part of the evidence (the quote; the stored context next to
//! it on each side, its [`NEAR_CONTEXT`] code points; the stored position), and placed only
//! when they agree, in proportion to how far it moved and how short the quote is:
//! 1. **A side agrees** when its near context is at most [`SIDE_EDITS`] edits away, or all its
//!    words are still there in order, each at most a typo (a third of its letters) away.
//!    Where it does not agree, it either **changed at a boundary** — the text shared with the
//!    stored context, read from the quote outwards, reaches a sentence end: the passage moved
//!    as a block, or a sentence beside it was inserted or deleted — or it **disagrees**: the
//!    same words in the middle of other sentences, a look-alike. A side stored shorter than
//!    [`MIN_CONTEXT`] (counted as stored, before normalising) reached the text's edge; with
//!    more text beyond it now, it changed at a boundary.
//! 2. **In place** (the target has a position, and the candidate starts within
//!    [`IN_PLACE_DRIFT`] of it with a side agreeing — or within [`IN_PLACE_SPLIT_DRIFT`] with
//!    a side changed at a boundary, or with both sides edited around an exact quote of at
//!    least [`SHORT_QUOTE`] code points), edits around the quote are edits of the passage
//!    itself: it is placed — unless the rest of its own sentence was rewritten, for a quote
//!    shorter than [`SHORT_QUOTE`] (more than a quarter of it, or a word of it replaced, for a
//!    word or two or a quote that begins or ends its sentence; more than half of it for a few
//!    words, or a third further than [`IN_PLACE_SPLIT_DRIFT`] from where they were) or one
//!    shorter than [`LONG_QUOTE`] that begins or ends its sentence (more than half): the
//!    paragraph after a deleted one may begin with the same words, after the same unchanged
//!    paragraph, and only the rest of the quote's own sentence tells them apart. Nor is a
//!    changed quote, or one shorter than [`SHORT_QUOTE`], placed in place when the context on
//!    a side was more than half rewritten in the middle of a sentence (unless the quote spans
//!    a sentence break, where its evidence may be split): a look-alike sharing one side with
//!    it. Context disagreeing on both sides is not the passage edited in place but other
//!    sentences.
//! 3. **Moved, or no position**: an exact quote needs each side agreeing or changed at a
//!    boundary, and one side agreeing unless the quote is at least [`LONG_QUOTE`] code points
//!    (a sentence moved whole); where one side changed at a boundary (a block moved), its own
//!    sentence must stand verbatim on the other — a move and an edit beside the quote at once
//!    is what a look-alike elsewhere looks like. A quote shorter than [`SHORT_QUOTE`], or an
//!    exact one, brings its context with a typo or two in all ([`SIDE_EDITS`]), not on each
//!    side. A changed quote needs both sides agreeing — or its evidence split at a sentence
//!    end inside the quote (one side and the quote up to there verbatim, the rest moved away
//!    or rewritten: only that part is placed). A quote with typos in
//!    several of its words ([`NOISY_QUOTE_TYPOS`], and a quarter of them) marks a passage whose
//!    letters were edited throughout; its context is then allowed the same wear (above the
//!    floor of unrelated text, or half its words intact).
//! 4. **Rivals.** The best accepted candidate is given up for an orphan, with both places
//!    offered ([`Anchored::ambiguous`]), when a candidate elsewhere (not overlapping it, and
//!    starting more than [`RIVAL_GAP`] away — or nearer, both exact, in other surroundings:
//!    a one-letter quote and the same letter inserted two letters from it) is nearly as well
//!    supported ([`RIVAL_TIE`] of its support: matching quote plus agreeing context code
//!    points), or is clearly better on one part of the evidence — fewer edits in the quote
//!    (none, or at most three quarters as many), or a side more alike by
//!    [`RIVAL_SIDE_MARGIN`] or with [`RIVAL_RUN_MARGIN`] more code points verbatim — while
//!    having [`RIVAL_RATIO`] of its support, or would itself be placed with a quote as good
//!    and [`RIVAL_ACCEPTED`] of the support, or holds the whole quote exactly (at least
//!    [`RIVAL_EXACT_QUOTE`] code points) where the best has it changed, or holds it exactly in its own sentence verbatim where the best's own sentence was
//!    edited (a passage moved, a look-alike left in its place). A rival worse on every part (a
//!    repeated phrase whose context agrees on one side where the best agrees on both) leaves
//!    the best standing; so does one better only on a side where the best agrees anyway and
//!    [`RIVAL_WORSE_SIDE`] less alike on the other.
//!
//! The numbers come from the adversarial corpus `tests/decoys.rs` (1,800 placements, 0 wrong;
//! 243 wrong before this rule), its property test and the cases random sweeps of it found
//! (`FOUND_BY_SWEEPS`), `tests/drift.rs`, `tests/anchoring.rs` and the peer benchmark's
//! corpus (`examples/anchor_bench.rs`); each constant says what moves when it moves.
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
//!
//! Offsets into the normalised text are [`NormOffset`]s; only the normaliser's map
//! ([`normalize::Normalized`]) turns them into [`ByteOffset`]s of the text.

pub(crate) mod myers;
pub(crate) mod normalize;
pub(crate) mod qgram;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

use crate::annotation::{text_hash, Target, TextPositionSelector, TextQuoteSelector};
use crate::text::{ByteOffset, CodePointOffset, NormOffset, OffsetError, TextIndex, Utf16Offset};
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

/// A [`Placement`] and why an orphan is one, from [`Anchorer::anchor_explained`].
#[derive(Debug, Clone, PartialEq)]
pub struct Anchored {
    pub placement: Placement,
    /// When `placement` is [`Placement::Orphan`] because two places in the text fit the target
    /// about equally well (neither clearly better: see the module docs), those places (byte
    /// ranges, the best-scoring first), for the reader to choose from. Empty otherwise.
    pub ambiguous: Vec<Range<ByteOffset>>,
}

impl From<Placement> for Anchored {
    fn from(placement: Placement) -> Self {
        Anchored {
            placement,
            ambiguous: Vec::new(),
        }
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

/// `a == b`, eight bytes at a time. (Slice equality calls `memcmp`, which on wasm32 is a loop
/// over single bytes: for a quote of a few hundred bytes, compared two or three times, that
/// was a sixth of anchoring's time in the browser.)
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (aw, ar) = a.as_chunks::<8>();
    let (bw, br) = b.as_chunks::<8>();
    aw.iter()
        .zip(bw)
        .all(|(x, y)| u64::from_ne_bytes(*x) == u64::from_ne_bytes(*y))
        && ar.iter().zip(br).all(|(x, y)| x == y)
}

/// `hay.ends_with(pat)` by [`same_bytes`].
#[inline]
fn ends_with(hay: &str, pat: &str) -> bool {
    hay.len() >= pat.len() && same_bytes(&hay.as_bytes()[hay.len() - pat.len()..], pat.as_bytes())
}

/// `hay.starts_with(pat)` by [`same_bytes`].
#[inline]
fn starts_with(hay: &str, pat: &str) -> bool {
    hay.len() >= pat.len() && same_bytes(&hay.as_bytes()[..pat.len()], pat.as_bytes())
}

/// Byte offset `n` chars before `at` (or 0). Byte-wise: a char starts at every byte that is
/// not a continuation byte (no decoding, which the browser's baseline wasm compiler makes
/// slow).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    if n == 0 {
        return at;
    }
    let mut left = n;
    for (i, &b) in text.as_bytes()[..at].iter().enumerate().rev() {
        if b & 0xC0 != 0x80 {
            left -= 1;
            if left == 0 {
                return i;
            }
        }
    }
    0
}

/// Byte offset `n` chars after `at` (or the end). Byte-wise, as [`back_chars`].
fn fwd_chars(text: &str, at: usize, n: usize) -> usize {
    let mut seen = 0;
    for (i, &b) in text.as_bytes()[at..].iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == n {
                return at + i;
            }
            seen += 1;
        }
    }
    text.len()
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
/// Code points of stored context on each side, next to the quote, that decide whether that side
/// of a candidate agrees ([`SIDE_EDITS`]).
const NEAR_CONTEXT: usize = 32;
/// A side agrees when its [`NEAR_CONTEXT`] code points are at most this many edits away
/// (proportionally fewer for less stored context), or all its words are there, each at most a
/// typo away.
const SIDE_EDITS: usize = 2;
/// A rival (a candidate not overlapping the best) with at least this fraction of the best's
/// support makes the target ambiguous.
const RIVAL_TIE: f32 = 0.9;
/// A rival that is clearly better than the best on some part of the evidence makes the target
/// ambiguous from this fraction of the best's support.
const RIVAL_RATIO: f32 = 0.4;
/// A rival that would be placed on its own (accepted) with a quote as good as the best's makes
/// the target ambiguous from this fraction of the best's support.
const RIVAL_ACCEPTED: f32 = 0.6;
/// An exact occurrence of a quote of at least this many code points (three or four words)
/// elsewhere makes a changed best candidate ambiguous, whatever the context: the quote's own
/// words, intact, are there too.
const RIVAL_EXACT_QUOTE: usize = 24;
/// How much more alike a rival's [`NEAR_CONTEXT`] on one side must be to count as better there.
const RIVAL_SIDE_MARGIN: f32 = 0.05;
/// How much less alike a rival's [`NEAR_CONTEXT`] on one side may be and still count as better
/// on another part of the evidence.
const RIVAL_WORSE_SIDE: f32 = 0.25;
/// How many more code points of a rival's context must stand verbatim next to its quote, on
/// one side, for it to count as better there.
const RIVAL_RUN_MARGIN: usize = 4;
/// Bytes of normalised text a rival's start must be away from the best candidate's: closer, it
/// is the same place seen a letter aside (a quote of one letter in "рр" matches at both), and
/// its context is the best's, shifted. Two exact occurrences nearer than this are two places
/// unless the text without one is the text without the other.
const RIVAL_GAP: usize = 16;
/// How far (bytes of normalised text) from its stored position a candidate may start and still
/// be taken as the passage in place, whose context may have been edited.
const IN_PLACE_DRIFT: usize = 64;
/// [`IN_PLACE_DRIFT`] when no side of the context agrees, and one changed at a boundary; and
/// the drift past which a quote of a few words in place needs two thirds of the rest of its
/// own sentence (not half) standing. 16: same corpus counts; 48: same; 64: two sweep cases
/// wrong (look-alikes arriving where a deleted passage was).
const IN_PLACE_SPLIT_DRIFT: usize = 32;
/// Quote words with typos (at least this many, and a quarter of its words) that mark a passage
/// edited throughout rather than a look-alike.
const NOISY_QUOTE_TYPOS: usize = 2;
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
struct Query<'a> {
    /// Code points in `nq`, `np`, `ns`.
    m: usize,
    pm: usize,
    sm: usize,
    /// Compiled on first use (only approximate matching needs them).
    quote_rev: OnceCell<Pattern>,
    quote_pat: OnceCell<Pattern>,
    prefix_rev: OnceCell<Pattern>,
    suffix_pat: OnceCell<Pattern>,
    nq: Cow<'a, str>,
    np: Cow<'a, str>,
    ns: Cow<'a, str>,
    /// The [`NEAR_CONTEXT`] code points of `np` and `ns` next to the quote, and their lengths
    /// in code points.
    np_near_at: usize,
    ns_near_end: usize,
    pnm: usize,
    snm: usize,
    prefix_near_rev: OnceCell<Pattern>,
    suffix_near_pat: OnceCell<Pattern>,
    /// Where the quote is expected to start.
    expected: NormOffset,
    /// Whether the target's stored position is usable (it spans the quote).
    positioned: bool,
    /// Every exact occurrence of `nq` in the whole normalised text (when `nq` is long enough for
    /// the q-gram index), found on first use.
    occurrences: OnceCell<Option<Vec<usize>>>,
    /// The stored prefix (suffix) has fewer code points than [`describe`] keeps
    /// ([`MIN_CONTEXT`]), counted as stored (normalising may shorten it: a paragraph break's
    /// `\n\n` becomes one space): it reached that edge of the text.
    p_short: bool,
    s_short: bool,
}

impl Query<'_> {
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

    /// The [`NEAR_CONTEXT`] code points of the stored prefix next to the quote.
    fn np_near(&self) -> &str {
        &self.np[self.np_near_at..]
    }

    /// The [`NEAR_CONTEXT`] code points of the stored suffix next to the quote.
    fn ns_near(&self) -> &str {
        &self.ns[..self.ns_near_end]
    }

    fn prefix_near_rev(&self) -> &Pattern {
        self.prefix_near_rev
            .get_or_init(|| Pattern::new(&self.np_near().chars().rev().collect::<Vec<_>>()))
    }

    fn suffix_near_pat(&self) -> &Pattern {
        self.suffix_near_pat
            .get_or_init(|| Pattern::new(&self.ns_near().chars().collect::<Vec<_>>()))
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
    range: Range<NormOffset>,
    score: f32,
    accepted: bool,
    confident: bool,
    /// Edits between the quote and the text at `range`.
    errors: usize,
    /// How much of what was stored the text here bears out, in code points: the quote's
    /// matching code points plus the context's, each side weighted by how far its similarity
    /// rises above [`CONTEXT_FLOOR`]. What rivals are compared by.
    support: f32,
    /// Similarity of the [`NEAR_CONTEXT`] next to the quote on each side (1 without stored
    /// context).
    p_near: f32,
    s_near: f32,
    /// Code points of the stored context standing verbatim next to the quote, each side.
    p_run: usize,
    s_run: usize,
    /// Whether the quote's own sentence stands verbatim around it: on each side, the stored
    /// context next to the quote up to its sentence's end, or all of its [`NEAR_CONTEXT`].
    own_intact: bool,
}

/// Every candidate evaluated for one target.
#[derive(Default)]
struct Pool {
    all: Vec<Candidate>,
}

/// What a [`Pool`] supports.
enum Decision<'a> {
    Place(&'a Candidate),
    /// The best accepted candidate and a rival elsewhere about as well supported.
    Ambiguous([&'a Candidate; 2]),
    None,
}

impl Pool {
    fn extend(&mut self, found: Vec<Candidate>) {
        for c in found {
            self.add(c);
        }
    }

    /// `c`, unless a candidate with its range is in already.
    fn add(&mut self, c: Candidate) {
        if !self.all.iter().any(|x| x.range == c.range) {
            self.all.push(c);
        }
    }

    /// The best-scoring accepted candidate (the first found among equals).
    fn best(&self) -> Option<&Candidate> {
        let mut best: Option<&Candidate> = None;
        for c in self.all.iter().filter(|c| c.accepted) {
            if best.is_none_or(|b| c.score > b.score) {
                best = Some(c);
            }
        }
        best
    }

    fn confident(&self) -> bool {
        self.best().is_some_and(|b| b.confident)
    }

    /// The best accepted candidate, unless a candidate that does not overlap it makes the
    /// target ambiguous: one nearly as well supported in all ([`RIVAL_TIE`]), or one that is
    /// clearly better on some part of the evidence (the quote, or one side's context) while
    /// having at least [`RIVAL_RATIO`] of the best's support — then the evidence is split
    /// between two places, and the stored quote and context cannot tell which is the
    /// annotated one. (A rival that is worse on every part — a repeated phrase whose context
    /// agrees on one side where the best agrees on both — leaves the best standing.)
    fn decide(&self, m: usize, hay: &str) -> Decision<'_> {
        let Some(w) = self.best() else {
            return Decision::None;
        };
        let beats = |r: &Candidate| {
            let p_better =
                r.p_near > w.p_near + RIVAL_SIDE_MARGIN || r.p_run > w.p_run + RIVAL_RUN_MARGIN;
            let s_better =
                r.s_near > w.s_near + RIVAL_SIDE_MARGIN || r.s_run > w.s_run + RIVAL_RUN_MARGIN;
            // A side where the best agrees anyway (a letter lost beside the quote) does not
            // make a rival far worse on the other side its equal: a phrase repeated elsewhere.
            let agrees =
                |near: f32| near * NEAR_CONTEXT as f32 + 1e-3 >= (NEAR_CONTEXT - SIDE_EDITS) as f32;
            let counts = |better: bool, w_here: f32, r_there: f32, w_there: f32| {
                better && !(agrees(w_here) && r_there + RIVAL_WORSE_SIDE < w_there)
            };
            // (Clearly fewer edits: in a text edited all over, a rival matching the quote
            // with 6 edits to the best's 7 is no better.)
            (r.errors < w.errors && (r.errors == 0 || r.errors * 4 <= w.errors * 3))
                || counts(p_better, w.p_near, r.s_near, w.s_near)
                || counts(s_better, w.s_near, r.p_near, w.p_near)
        };
        let rival = self
            .all
            .iter()
            .filter(|c| {
                (c.range.start >= w.range.end || c.range.end <= w.range.start)
                    && (c.range.start.abs_diff(w.range.start) > RIVAL_GAP
                        || (c.errors == 0 && w.errors == 0 && !same_surroundings(hay, c, w)))
            })
            .filter(|c| {
                c.support >= RIVAL_TIE * w.support
                    || (c.support >= RIVAL_RATIO * w.support && beats(c))
                    || (c.accepted
                        && c.errors <= w.errors
                        && c.support >= RIVAL_ACCEPTED * w.support)
                    || (c.errors == 0 && w.errors > 0 && m >= RIVAL_EXACT_QUOTE)
                    // The quote exactly, in its own sentence verbatim, where the best's own
                    // sentence was edited beside it: the passage moved, and what stands in its
                    // place may be a look-alike left behind.
                    || (c.errors == 0 && c.own_intact && !w.own_intact)
            })
            .max_by(|a, b| a.support.total_cmp(&b.support));
        match rival {
            Some(r) => Decision::Ambiguous([w, r]),
            None => Decision::Place(w),
        }
    }
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
        self.anchor_with(target, Passes::Both).placement
    }

    /// [`Anchorer::anchor`], and, when the target is orphaned because two places fit it about
    /// equally well, those places (for the reader to choose from).
    pub fn anchor_explained(&self, target: &Target) -> Anchored {
        self.anchor_with(target, Passes::Both)
    }

    /// [`Anchorer::anchor_explained`] with only some of its passes (tests compare them).
    fn anchor_with(&self, target: &Target, passes: Passes) -> Anchored {
        let q = &target.quote;
        // 1. The stored position.
        if let Some(r) = self.stored_range(&target.position) {
            if same_bytes(&self.text.as_bytes()[r.clone()], q.exact.as_bytes())
                && ((!target.text_hash.is_empty()
                    && target.text_hash == *self.hash.get_or_init(|| text_hash(self.text)))
                    || (ends_with(&self.text[..r.start], &q.prefix)
                        && starts_with(&self.text[r.end..], &q.suffix)))
            {
                return Placement::Exact {
                    range: ByteOffset(r.start)..ByteOffset(r.end),
                }
                .into();
            }
        }
        let query = self.query(target);
        if query.nq.is_empty() {
            return self
                .anchor_empty(&query.np, &query.ns, query.expected)
                .into();
        }

        // 2–3. Every exact occurrence in the whole text first (the index finds them all at
        // once, and a confident candidate in the window must still be weighed against an exact
        // one elsewhere: a passage moved away, with a look-alike left in its place); then the
        // approximate ones, in a window first, then in the whole text.
        let mut pool = Pool::default();
        self.exact_candidates(&query, NormOffset(0)..self.norm.len(), &mut pool);
        if pool.confident() {
            return self.verdict(&pool, &q.exact, query.m);
        }
        self.search_approximately(&query, pool, passes, &q.exact)
    }

    /// What the anchoring of `target` searches for and weighs: its quote and context
    /// normalised, and where it was.
    fn query<'q>(&self, target: &'q Target) -> Query<'q> {
        let q = &target.quote;
        let expected_orig = self.index.cp_to_byte_clamped(target.position.start);
        let expected = self.norm.orig_to_norm(expected_orig);
        let nq = normalize_str(&q.exact);
        let mut np = normalize_str(&q.prefix);
        let mut ns = normalize_str(&q.suffix);
        // Only the context next to the quote counts (aligning it costs its length squared).
        // (No more bytes than that many chars: nothing to cut, no need to count.)
        if np.len() > MAX_CONTEXT_USED {
            let cut = back_chars(&np, np.len(), MAX_CONTEXT_USED);
            np.to_mut().drain(..cut);
        }
        if ns.len() > MAX_CONTEXT_USED {
            let cut = fwd_chars(&ns, 0, MAX_CONTEXT_USED);
            ns.to_mut().truncate(cut);
        }
        let pm = crate::text::cp_len(&np);
        let sm = crate::text::cp_len(&ns);
        let np_near_at = if pm <= NEAR_CONTEXT {
            0
        } else {
            back_chars(&np, np.len(), NEAR_CONTEXT)
        };
        let ns_near_end = if sm <= NEAR_CONTEXT {
            ns.len()
        } else {
            fwd_chars(&ns, 0, NEAR_CONTEXT)
        };
        Query {
            m: crate::text::cp_len(&nq),
            pm,
            sm,
            pnm: pm.min(NEAR_CONTEXT),
            snm: sm.min(NEAR_CONTEXT),
            np_near_at,
            ns_near_end,
            prefix_near_rev: OnceCell::new(),
            suffix_near_pat: OnceCell::new(),
            quote_rev: OnceCell::new(),
            quote_pat: OnceCell::new(),
            prefix_rev: OnceCell::new(),
            suffix_pat: OnceCell::new(),
            nq,
            np,
            ns,
            expected,
            // (Counting the quote only when the position spans something.)
            positioned: target
                .position
                .end
                .0
                .checked_sub(target.position.start.0)
                .is_some_and(|n| {
                    (n > 0 || q.exact.is_empty()) && n == crate::text::cp_len(&q.exact)
                }),
            occurrences: OnceCell::new(),
            p_short: stored_short(&q.prefix),
            s_short: stored_short(&q.suffix),
        }
    }

    /// Steps 2–3 of [`Anchorer::anchor_with`] after the exact occurrences (in `pool`) left no
    /// confident candidate: the approximate ones, region by region. (Out of line: most targets
    /// never get here, and the browser compiles a hot function whole.)
    #[inline(never)]
    fn search_approximately(
        &self,
        q: &Query,
        mut pool: Pool,
        passes: Passes,
        exact: &str,
    ) -> Anchored {
        // A position that does not span as many code points as the quote was not taken with
        // it (an annotation that kept only its quote, stored as 0..0): no window then.
        let expected = q.expected;
        let len = self.norm.len();
        let half = WINDOW.max(4 * q.nq.len());
        let window = self.norm.floor(expected.saturating_sub(half))
            ..self.norm.floor((expected + half + q.nq.len()).min(len));
        let spans_quote = q.positioned;
        let whole = NormOffset(0)..len;
        let mut regions = Vec::with_capacity(2);
        if spans_quote && window != whole {
            regions.push(window);
        }
        regions.push(whole.clone());
        // The fast pass: the q-gram filter's few approximate occurrences (or, for a quote too
        // short for the filter, all approximate ones in the window).
        let fast = passes != Passes::Full;
        let fuzzy = q.m <= MAX_FUZZY_QUOTE;
        for (i, region) in regions.iter().enumerate().filter(|_| fast) {
            match self.filter_tiers(q, region.clone()).filter(|_| fuzzy) {
                Some(tiers) => {
                    for windows in tiers {
                        let mut ends = Vec::new();
                        for w in windows {
                            self.myers_ends(q, w, &mut ends);
                        }
                        pool.extend(self.evaluate_ends(q, ends));
                        if pool.confident() {
                            return self.verdict(&pool, exact, q.m);
                        }
                    }
                }
                // (Too short for the filter: the whole window, which is cheap for it.)
                None if fuzzy && i + 1 < regions.len() => {
                    pool.extend(self.fuzzy_candidates(q, region.clone()));
                    if pool.confident() {
                        return self.verdict(&pool, exact, q.m);
                    }
                }
                None => {}
            }
        }
        if passes == Passes::Fast {
            return Placement::Orphan.into();
        }
        // Nothing convincing: the full search, every approximate occurrence region by region.
        if passes == Passes::Full {
            pool = Pool::default();
            self.exact_candidates(q, whole, &mut pool);
        }
        for region in regions {
            if !fuzzy {
                break;
            }
            pool.extend(self.fuzzy_candidates(q, region.clone()));
            if pool.confident() {
                return self.verdict(&pool, exact, q.m);
            }
        }
        self.verdict(&pool, exact, q.m)
    }

    /// The placement the candidates found support: the best accepted one, unless a rival
    /// elsewhere is nearly as well supported (see [`Pool::decide`]).
    fn verdict(&self, pool: &Pool, exact: &str, m: usize) -> Anchored {
        match pool.decide(m, &self.norm.text) {
            Decision::Place(c) => self.place(c.clone(), exact).into(),
            Decision::Ambiguous(both) => Anchored {
                placement: Placement::Orphan,
                ambiguous: both
                    .iter()
                    .map(|c| self.norm.to_orig(c.range.clone()))
                    .collect(),
            },
            Decision::None => Placement::Orphan.into(),
        }
    }

    fn grams(&self) -> &GramIndex {
        self.grams
            .get_or_init(|| GramIndex::new(self.norm.text.as_bytes()))
    }

    /// The stored position as a byte range, if valid in this text.
    fn stored_range(&self, p: &TextPositionSelector) -> Option<Range<usize>> {
        let s = self.index.cp_to_byte(p.start).ok()?.0;
        let e = self.index.cp_to_byte(p.end).ok()?.0;
        (s <= e).then_some(s..e)
    }

    fn place(&self, c: Candidate, exact: &str) -> Placement {
        let range = self.norm.to_orig(c.range);
        if same_bytes(
            &self.text.as_bytes()[range.start.0..range.end.0],
            exact.as_bytes(),
        ) {
            Placement::Exact { range }
        } else {
            Placement::Fuzzy {
                range,
                score: c.score,
            }
        }
    }

    /// An empty quote: place it where the stored prefix and suffix meet (exact only).
    #[inline(never)]
    fn anchor_empty(&self, np: &str, ns: &str, expected: NormOffset) -> Placement {
        let joined = format!("{np}{ns}");
        if joined.is_empty() {
            return Placement::Orphan;
        }
        let hay = &self.norm.text;
        let best = occurrences(hay, &joined, 0..hay.len())
            .map(|o| NormOffset(o + np.len()))
            .min_by_key(|&p| p.abs_diff(expected));
        match best {
            Some(p) => {
                let o = self.norm.to_orig_start(p);
                Placement::Exact { range: o..o }
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
    fn exact_candidates(&self, q: &Query, region: Range<NormOffset>, pool: &mut Pool) {
        let hay = &self.norm.text;
        let region = region.start.0..region.end.0;
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
        // In text order, until they have cost the budget: as many as it pays for, and one
        // more counted as spent when there are more.
        let affordable = budget / compare;
        let searched;
        let (found, more): (&[usize], bool) = match all {
            // (Ascending: the region's occurrences are a slice of them.)
            Some(all) => {
                let from = all.partition_point(|&o| o < region.start);
                let to = from + all[from..].partition_point(|&o| o <= region.end);
                let end = to.min(from + affordable);
                (&all[from..end], end < to)
            }
            None => {
                searched = occurrences(hay, &q.nq, region)
                    .take(affordable + 1)
                    .collect::<Vec<_>>();
                let more = searched.len() > affordable;
                (&searched[..searched.len().min(affordable)], more)
            }
        };
        let spent = (found.len() + usize::from(more)) * compare;
        // More than the few evaluated: the best by a cheap ranking.
        let ranked;
        let picked = if found.len() <= MAX_EXACT_EVAL {
            found
        } else {
            ranked = self.rank_exact(q, found, budget.saturating_sub(spent), compare);
            &ranked[..]
        };
        for &o in picked {
            pool.add(self.evaluate(q, NormOffset(o)..NormOffset(o + q.nq.len()), 0));
        }
    }

    /// The [`MAX_EXACT_EVAL`] of the exact occurrences `found` (starts in the normalised text)
    /// with the most bytes of stored context agreeing literally, then the nearest — ranked in
    /// text order until the ranking has cost `budget` (each occurrence `compare` and its runs).
    #[inline(never)]
    fn rank_exact(&self, q: &Query, found: &[usize], budget: usize, compare: usize) -> Vec<usize> {
        let hay = self.norm.text.as_bytes();
        let (p, s) = (q.np.as_bytes(), q.ns.as_bytes());
        let mut ranked: Vec<(usize, usize, usize)> = Vec::with_capacity(found.len());
        let mut spent = 0usize;
        for &o in found {
            let e = o + q.nq.len();
            let rp = common_run(hay[..o].iter().rev(), p.iter().rev());
            let rs = common_run(hay[e..].iter(), s.iter());
            ranked.push((rp + rs, o.abs_diff(q.expected.0), o));
            spent += compare + rp + rs;
            if spent > budget {
                break;
            }
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
            .into_iter()
            .take(MAX_EXACT_EVAL)
            .map(|(_, _, o)| o)
            .collect()
    }

    /// Approximate occurrences (Myers) ending in `region`, the best few evaluated.
    #[inline(never)]
    fn fuzzy_candidates(&self, q: &Query, region: Range<NormOffset>) -> Vec<Candidate> {
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
    fn myers_ends(
        &self,
        q: &Query,
        region: Range<NormOffset>,
        ends: &mut Vec<(usize, NormOffset)>,
    ) {
        let k = max_errors(q.m);
        let mut st = Myers::new(q.quote_pat(), false);
        // The run's fewest errors and the ends that have them.
        let mut run: Option<(usize, Vec<NormOffset>)> = None;
        let push = |ends: &mut Vec<(usize, NormOffset)>, (d, at): (usize, Vec<NormOffset>)| {
            ends.extend(at.into_iter().map(|e| (d, e)));
        };
        for (i, c) in self.norm.slice(region.clone()).char_indices() {
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
    #[inline(never)]
    fn evaluate_ends(&self, q: &Query, mut ends: Vec<(usize, NormOffset)>) -> Vec<Candidate> {
        let hay = &self.norm.text;
        let m = q.m;
        let k = max_errors(m);
        ends.sort_unstable_by_key(|&(d, e)| (d, e.abs_diff(q.expected + q.nq.len())));
        ends.dedup();
        ends.truncate(MAX_FUZZY_EVAL);
        ends.into_iter()
            .filter_map(|(_, end)| {
                let (d, len) =
                    best_prefix_alignment(q.quote_rev(), hay[..end.0].chars().rev(), m + k);
                if len == 0 || d > k {
                    return None;
                }
                let start = NormOffset(back_chars(hay, end.0, len));
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
    #[inline(never)]
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
    #[inline(never)]
    fn filter_tiers(
        &self,
        q: &Query,
        region: Range<NormOffset>,
    ) -> Option<Vec<Vec<Range<NormOffset>>>> {
        // (Diagonals are starts in the normalised text, in bytes, as the q-gram index has them.)
        let region = region.start.0..region.end.0;
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
        clusters.sort_unstable_by_key(|c| (std::cmp::Reverse(c.0), c.1.abs_diff(q.expected.0)));
        clusters.truncate(MAX_CLUSTERS);
        let mut tiers: Vec<Vec<Range<NormOffset>>> = Vec::new();
        for tier in clusters.chunk_by(|a, b| a.0 == b.0) {
            let mut windows: Vec<Range<NormOffset>> = tier
                .iter()
                .map(|&(_, first, last)| {
                    let s = self
                        .norm
                        .floor(NormOffset(first.saturating_sub(pad).max(region.start)));
                    let e = self
                        .norm
                        .floor(NormOffset((last + len + pad).min(region.end)));
                    s..e
                })
                .filter(|w| w.start < w.end)
                .collect();
            windows.sort_unstable_by_key(|w| w.start);
            let mut merged: Vec<Range<NormOffset>> = Vec::with_capacity(windows.len());
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
    fn spot(&self, q: &Query) -> Range<NormOffset> {
        let lo = self
            .norm
            .floor(q.expected.saturating_sub(q.np.len() + SHORT_QUOTE_DRIFT));
        let hi = self.norm.floor(
            (q.expected + 2 * q.nq.len() + q.ns.len() + SHORT_QUOTE_DRIFT).min(self.norm.len()),
        );
        lo..hi
    }

    /// Whether a short quote at `s..e` (normalised bytes) is where it may be: within its
    /// [`Anchorer::spot`], or anywhere if its stored context no longer stands there. (Out of
    /// line: [`Anchorer::evaluate`]'s hot path never needs it for quotes of [`SHORT_QUOTE`] or
    /// more, and the browser compiles a hot function whole.)
    #[inline(never)]
    fn short_quote_touches(&self, q: &Query, s: usize, e: usize) -> bool {
        let spot = self.spot(q);
        let far = s < spot.start.0 || e > spot.end.0;
        !far || !self.spot_survives(q, &spot)
    }

    /// Whether the stored prefix or suffix still stands, verbatim, in `spot`.
    fn spot_survives(&self, q: &Query, spot: &Range<NormOffset>) -> bool {
        let w = self.norm.slice(spot.clone());
        (!q.np.is_empty() && w.contains(&*q.np)) || (!q.ns.is_empty() && w.contains(&*q.ns))
    }

    /// Scores a candidate (normalised byte range with `errors` edits against the quote).
    fn evaluate(&self, q: &Query, range: Range<NormOffset>, errors: usize) -> Candidate {
        let hay = &self.norm.text;
        let (s, e) = (range.start.0, range.end.0);
        // The usual case, kept small (the browser compiles a hot function whole before it
        // runs fast): both sides of the stored context stand verbatim next to the range, or
        // one does and none was stored on the other, where the range is at that edge of the
        // text. Both sides agree, so the rules of `evaluate_split` reduce to the score, the
        // evidence, and a short quote's distance from where it was
        // (`the_fast_evaluation_is_the_full_one` checks that they do). One rule is not
        // applied to context verbatim on both sides: a side stored short at a text edge with
        // more text beyond it now ([`past_edge`]) — imported annotations may carry less
        // context anywhere (`short_foreign_context_standing_verbatim_places_the_quote`), and
        // all of it standing around the quote is no split evidence. With the other side absent
        // it is applied.
        let pre = !q.np.is_empty() && ends_with(&hay[..s], &q.np);
        let suf = !q.ns.is_empty() && starts_with(&hay[e..], &q.ns);
        let fast = (pre && suf)
            || (pre && q.ns.is_empty() && e == hay.len() && !past_edge(q.p_short, q.np.len(), s))
            || (suf
                && q.np.is_empty()
                && s == 0
                && !past_edge(q.s_short, q.ns.len(), hay.len() - e));
        if !fast {
            return self.evaluate_split(q, range, errors);
        }
        let m = q.m;
        let q_sim = 1.0 - errors as f32 / m as f32;
        let pos_sim = 1.0 - s.abs_diff(q.expected.0) as f32 / hay.len().max(1) as f32;
        // (Summed as `evaluate_split` sums it: each side with context weighs 20.)
        let (mut total, mut weight) = (50.0 * q_sim + 2.0 * pos_sim, 52.0);
        for stored in [!q.np.is_empty(), !q.ns.is_empty()] {
            if stored {
                total += 20.0;
                weight += 20.0;
            }
        }
        let score = total / weight;
        let evidence = (q.pm + q.sm) as f32;
        let matched = (m - errors) as f32;
        let touches = m >= SHORT_QUOTE || self.short_quote_touches(q, s, e);
        let accepted = touches
            && score >= MIN_SCORE
            && (m - errors >= LONG_QUOTE
                || (evidence + 1e-3 >= MIN_CONTEXT_EVIDENCE.min(evidence / 4.0)
                    && matched + evidence + 1e-3 >= MIN_AGREEMENT * (m + q.pm + q.sm) as f32));
        Candidate {
            range,
            score,
            accepted,
            confident: accepted && q_sim >= 0.9,
            errors,
            support: matched + evidence,
            p_near: 1.0,
            s_near: 1.0,
            p_run: q.pm,
            s_run: q.sm,
            own_intact: true,
        }
    }

    /// [`Anchorer::evaluate`] when a side of the stored context does not stand verbatim next
    /// to the range: every rule of the module docs.
    #[inline(never)]
    fn evaluate_split<'q>(
        &self,
        q: &Query<'q>,
        range: Range<NormOffset>,
        errors: usize,
    ) -> Candidate {
        let hay = &self.norm.text;
        // (Byte offsets into `hay`, the normalised text, from here on.)
        let range = range.start.0..range.end.0;
        let expected = q.expected.0;
        let m = q.m;
        let q_sim = 1.0 - errors as f32 / m as f32;
        let side = |pat: &Pattern, len: usize, it: &mut dyn Iterator<Item = char>| -> f32 {
            let (d, _) = best_prefix_alignment(pat, it, len + len / 2 + 4);
            1.0 - d as f32 / len as f32
        };
        // Stored context standing verbatim next to the range (the usual case): similarity 1
        // without aligning.
        let pre = !q.np.is_empty() && ends_with(&hay[..range.start], &q.np);
        let suf = !q.ns.is_empty() && starts_with(&hay[range.end..], &q.ns);
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
        let pos_sim = 1.0 - range.start.abs_diff(expected) as f32 / hay.len().max(1) as f32;

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
        let far = range.start < spot.start.0 || range.end > spot.end.0;
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
        // Split evidence: the quote is found, but does the text around it agree? One side of
        // the context next to the quote must (a passage keeps at least one side when it is
        // moved, or has a sentence inserted or deleted beside it; a look-alike elsewhere has
        // both sides different), unless the quote alone is long and exact.
        let near = |full: bool,
                    pat: for<'r> fn(&'r Query<'q>) -> &'r Pattern,
                    len: usize,
                    it: &mut dyn Iterator<Item = char>| {
            if full {
                1.0
            } else {
                side(pat(q), len, it)
            }
        };
        let p_near = (!q.np.is_empty()).then(|| {
            near(
                pre || hay[..range.start].ends_with(q.np_near()),
                Query::prefix_near_rev,
                q.pnm,
                &mut hay[..range.start].chars().rev(),
            )
        });
        let s_near = (!q.ns.is_empty()).then(|| {
            near(
                suf || hay[range.end..].starts_with(q.ns_near()),
                Query::suffix_near_pat,
                q.snm,
                &mut hay[range.end..].chars(),
            )
        });
        // Where a side does not agree, did the text change at a sentence boundary (the passage
        // moved as a block, or a sentence next to it was inserted or deleted), or in the
        // middle of a sentence (a look-alike: the same words in other surroundings)? The
        // stored context and the text here share a verbatim run next to the quote; a boundary
        // is where that run ends at the end of a sentence.
        let (rp, rp_b) = if pre {
            (q.pm, q.np.len())
        } else {
            let rp = common_run(hay[..range.start].chars().rev(), q.np.chars().rev());
            (rp, q.np.chars().rev().take(rp).map(char::len_utf8).sum())
        };
        let (rs, rs_b) = if suf {
            (q.sm, q.ns.len())
        } else {
            let rs = common_run(hay[range.end..].chars(), q.ns.chars());
            (rs, q.ns.chars().take(rs).map(char::len_utf8).sum())
        };
        // (Both texts may end their sentences alike — ". " — so the boundary may lie inside
        // the shared run: any sentence end from the run's far end up to the quote counts.)
        // (Computed only for a side that does not agree; only after a space or a closing mark
        // can a sentence end.)
        let closes = |b: u8| matches!(b, b' ' | b'.' | b'!' | b'?' | b'"' | b'\'' | b')' | b']');
        let (start0, end0) = (range.start, range.end);
        let p_boundary = || {
            let np = q.np.as_bytes();
            q.np.is_empty()
                || (0..=rp_b)
                    .filter(|&j| j == np.len() || closes(np[np.len() - j - 1]))
                    .any(|j| breaks_at(&q.np, q.np.len() - j) && breaks_at(hay, start0 - j))
        };
        let s_boundary = || {
            q.ns.is_empty()
                || (0..=rs_b)
                    .filter(|&j| closes(hay.as_bytes()[end0 + j - 1]))
                    .any(|j| breaks_at(hay, end0 + j))
        };
        // A side agrees when its near context is nearly verbatim, or when every word of it is
        // still there in order, each at most a typo away (letters edited all over a passage
        // leave its words recognisable; a look-alike has other words).
        // (Word comparisons only where the edit count does not settle it.)
        // (A side stored shorter than MIN_CONTEXT reached the text's edge: its last word is
        // whole.)
        let p_words = || {
            word_diff(
                q.np_near().chars().rev(),
                hay[..start0].chars().rev(),
                !q.p_short,
            )
        };
        let s_words = || word_diff(q.ns_near().chars(), hay[end0..].chars(), !q.s_short);
        // Edits between a side's near context (`len` code points) and the text, from its
        // similarity.
        let edits = |near: Option<f32>, len: usize| {
            near.map_or(0, |s| ((1.0 - s) * len as f32).round() as usize)
        };
        let agrees = |sim: Option<f32>,
                      len: usize,
                      words: &dyn Fn() -> WordDiff,
                      at_edge: bool,
                      noisy: bool| match sim {
            Some(sim) if noisy => {
                sim >= CONTEXT_FLOOR || {
                    let w = words();
                    w.replaced <= w.words / 2
                }
            }
            // (Fewer edits where less context was stored, at a text edge: two stored
            // letters are no evidence if two edits may change them.)
            Some(_) => {
                edits(sim, len) <= SIDE_EDITS * len / NEAR_CONTEXT || {
                    let w = words();
                    w.letters >= ABUT_CHARS && w.replaced == 0
                }
            }
            None => at_edge,
        };
        // A side stored short at a text edge with more text beyond it here does not agree
        // ([`past_edge`]).
        let mut p_agrees = agrees(p_near, q.pnm, &p_words, range.start == 0, false)
            && !past_edge(q.p_short, q.np.len(), range.start);
        let mut s_agrees = agrees(s_near, q.snm, &s_words, range.end == hay.len(), false)
            && !past_edge(q.s_short, q.ns.len(), hay.len() - range.end);
        // A short quote is a word or a few: the rest of its own sentence must not have been
        // rewritten on either side (a deleted paragraph's neighbour may begin with the same
        // words, after the same unchanged paragraph), not a word of it for a word or two.
        // (A quote that begins or ends its sentence has its own sentence on one side only,
        // all the evidence that this is that sentence — the other side is a neighbouring
        // sentence, which a deleted paragraph's neighbour shares: a short one is held to a
        // typo or two there, one up to LONG_QUOTE to half of it.)
        let drift = range.start.abs_diff(expected);
        let own_rewritten = || {
            // (The stored context up to twice NEAR_CONTEXT: more was stored where the quote
            // with 32 code points each side was not unique.)
            let slice_p = &q.np[back_chars(&q.np, q.np.len(), 2 * NEAR_CONTEXT)..];
            let slice_s = &q.ns[..fwd_chars(&q.ns, 0, 2 * NEAR_CONTEXT)];
            let own_p = own_sentence_before(slice_p);
            let own_s = own_sentence_after(slice_s);
            let has = |s: &str| s.chars().any(char::is_alphanumeric);
            let one_sided = !has(own_p) || !has(own_s);
            let strict = m < SHORT_QUOTE / 2 || (m < SHORT_QUOTE && one_sided);
            // (A few words further than IN_PLACE_SPLIT_DRIFT from where they were: a third of
            // a part rewritten is too much — a look-alike sharing the words and one side with
            // them, arriving near where a deleted paragraph was.)
            let div = if m < SHORT_QUOTE && drift > IN_PLACE_SPLIT_DRIFT {
                3
            } else {
                2
            };
            // (A changed quote's own edits may shift where its range ends, and the text
            // beside it with them: its words are compared only when it is exact.)
            let words = errors == 0;
            // (A part running to the end of what was stored may end inside a word; one that
            // reached the text's edge or a sentence end does not.)
            let cut_p = own_p.len() == slice_p.len() && !q.p_short;
            let cut_s = own_s.len() == slice_s.len() && !q.s_short;
            (m < SHORT_QUOTE || (m < LONG_QUOTE && one_sided))
                && ((!q.np.is_empty()
                    && own_sentence_rewritten(
                        strict,
                        div,
                        own_p.chars().rev(),
                        hay[..start0].chars().rev(),
                        words.then_some(cut_p),
                    ))
                    || (!q.ns.is_empty()
                        && own_sentence_rewritten(
                            strict,
                            div,
                            own_s.chars(),
                            hay[end0..].chars(),
                            words.then_some(cut_s),
                        )))
        };
        // In place: near the stored position, with a side of the context agreeing — or,
        // nearer still, changed at a boundary (the sentences beside it replaced). Context
        // disagreeing on both sides is no passage edited in place but other sentences: a
        // look-alike arriving where a deleted passage was.
        let in_place = q.positioned
            && drift <= IN_PLACE_DRIFT
            && (p_agrees
                || s_agrees
                || (drift <= IN_PLACE_SPLIT_DRIFT
                    && (p_boundary() || s_boundary() || (errors == 0 && m >= SHORT_QUOTE))));
        // Moved (or without a position), a short quote — a word or a few, which a repeated
        // phrase elsewhere may hold — or an exact one must bring its context nearly intact: a
        // typo or two in all, not on each side (a look-alike with a word changed on each side;
        // a passage that moved keeps its context or changes it at a boundary). (A changed long
        // quote is a passage edited throughout, whose context wears with it.)
        if !in_place
            && (m < SHORT_QUOTE || errors == 0)
            && p_agrees
            && s_agrees
            && edits(p_near, q.pnm).min(edits(s_near, q.snm)) > 0
            && edits(p_near, q.pnm) + edits(s_near, q.snm) > SIDE_EDITS
        {
            p_agrees = false;
            s_agrees = false;
        }
        if !(p_agrees && s_agrees) && !in_place && errors > 0 {
            // Letters edited throughout (typos in several of the quote's words): the passage's
            // own words are worn, and so may its context be, as long as it is not unrelated
            // text (above the floor, or up to half its words worn past recognition).
            let qw = word_diff(q.nq.chars(), hay[range.clone()].chars(), false);
            if qw.typos >= NOISY_QUOTE_TYPOS && qw.typos * 4 >= qw.words {
                p_agrees = agrees(p_near, q.pnm, &p_words, range.start == 0, true);
                s_agrees = agrees(s_near, q.snm, &s_words, range.end == hay.len(), true);
            }
        }
        // A changed quote, or one of a few words, in place with the context on a side more
        // than half rewritten in the middle of a sentence: a look-alike (the same words, a
        // word or two changed, one side shared) arriving near where a deleted passage was —
        // unless the quote spans a sentence break (its evidence may be split there: a part
        // moved away).
        let changed_beside_rewritten = || {
            let rewritten = |agrees: bool, boundary: &dyn Fn() -> bool, near: Option<f32>| {
                !agrees && near.is_some_and(|s| s < 0.5) && !boundary()
            };
            (errors > 0 || m < SHORT_QUOTE)
                && (rewritten(p_agrees, &p_boundary, p_near)
                    || rewritten(s_agrees, &s_boundary, s_near))
                && !(1..q.nq.len()).any(|i| q.nq.is_char_boundary(i) && breaks_at(&q.nq, i))
        };
        let p_ok = || p_agrees || p_boundary();
        let s_ok = || s_agrees || s_boundary();
        // The quote's own sentence, verbatim on a side: the shared run covers the near context,
        // or reaches a sentence break.
        let p_intact = || rp >= q.pnm || p_boundary();
        let s_intact = || rs >= q.snm || s_boundary();
        let own_intact = p_intact() && s_intact();
        let no_context = q.np.is_empty() && q.ns.is_empty();
        // A changed quote whose one side agrees: is the rest of it elsewhere (the quote
        // spanned a boundary, and the text beyond it moved or was rewritten)? Then the verbatim
        // part up to that boundary is what is here.
        let mut range = range;
        let mut split = false;
        if errors > 0 && q_sim < 0.9 && !in_place && !no_context && (p_agrees != s_agrees) {
            // The last sentence end inside the verbatim run (the run may go on past it when
            // the text beyond happens to begin alike).
            let piece = if p_agrees {
                let r = common_run(hay[range.start..].chars(), q.nq.chars());
                let b = q.nq.chars().take(r).map(char::len_utf8).sum::<usize>();
                (1..=b)
                    .rev()
                    .filter(|&j| q.nq.is_char_boundary(j) && j < q.nq.len())
                    .find(|&j| breaks_at(&q.nq, j))
                    .map(|j| range.start..range.start + j)
            } else {
                let r = common_run(hay[..range.end].chars().rev(), q.nq.chars().rev());
                let b =
                    q.nq.chars()
                        .rev()
                        .take(r)
                        .map(char::len_utf8)
                        .sum::<usize>();
                (1..=b)
                    .rev()
                    .map(|j| q.nq.len() - j)
                    .filter(|&i| q.nq.is_char_boundary(i) && i > 0)
                    .find(|&i| breaks_at(&q.nq, i))
                    .map(|i| range.end - (q.nq.len() - i)..range.end)
            };
            if let Some(p) = piece {
                range = p;
                split = true;
            }
        }
        let supported = no_context
            // In place, edits around the quote are edits of the passage, unless the rest of a
            // short quote's own sentence was rewritten.
            || (in_place && !own_rewritten() && !changed_beside_rewritten())
            || if errors == 0 {
                // An exact quote elsewhere: each side agrees or changed at a boundary, and one
                // side agrees unless the quote is long enough to stand alone. A side changed at
                // a boundary means the passage moved as a block (or a sentence beside it came
                // or went): its own sentence then stands whole on the other side — a move and
                // an edit next to the quote at once is what a look-alike elsewhere looks like.
                (p_agrees || s_agrees || m >= LONG_QUOTE)
                    && p_ok()
                    && s_ok()
                    && (p_agrees == s_agrees || if p_agrees { p_intact() } else { s_intact() })
            } else {
                // A changed quote elsewhere: both sides agree, or the evidence is split at a
                // boundary inside the quote.
                (p_agrees && s_agrees) || split
            };
        let accepted = touches
            && supported
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
            range: NormOffset(range.start)..NormOffset(range.end),
            score,
            accepted,
            confident,
            errors,
            support: matched + evidence,
            p_near: p_near.unwrap_or(1.0),
            s_near: s_near.unwrap_or(1.0),
            p_run: rp,
            s_run: rs,
            own_intact,
        }
    }
}

/// Whether a side of stored context stored `short` (see [`Query::p_short`]; `bytes` bytes
/// normalised), which ended at the text's edge, has `room` bytes of text beyond it now: that
/// side changed at a boundary (text added at the edge, or a passage from the edge moved
/// inward), so it does not agree.
fn past_edge(short: bool, bytes: usize, room: usize) -> bool {
    short && room > 2 * bytes + 8
}

/// Whether stored context has fewer code points than [`describe`] keeps ([`MIN_CONTEXT`]).
fn stored_short(stored: &str) -> bool {
    // (Four bytes at most a code point: longer needs no count.)
    stored.len() < 4 * MIN_CONTEXT && crate::text::cp_len(stored) < MIN_CONTEXT
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

/// How the words of `stored` (stored text, read from the quote outwards for context) fare in
/// `text` (the text of a candidate, read the same way), taken in order.
#[derive(Debug, Clone, Copy, Default)]
struct WordDiff {
    words: usize,
    /// Letters and digits in the stored words.
    letters: usize,
    /// Words found at most one edit in three letters away (at least one edit allowed), but not
    /// verbatim.
    typos: usize,
    /// Word edits: words replaced by another, gone, or added.
    replaced: usize,
}

/// Compares the words of `stored` with those of `text` (as many characters of it as `stored`
/// has, and half as many again), in order: a word-level edit distance to the best prefix of the
/// text's words. With `cut_last`, the last word of `stored` may be cut where the stored context
/// stops, and is compared with as many letters of the text's word.
fn word_diff(
    stored: impl Iterator<Item = char>,
    text: impl Iterator<Item = char>,
    cut_last: bool,
) -> WordDiff {
    let words = |it: &mut dyn Iterator<Item = char>, limit: usize| -> Vec<Vec<char>> {
        let mut out: Vec<Vec<char>> = Vec::new();
        let mut cur: Vec<char> = Vec::new();
        for c in it.take(limit) {
            if c.is_alphanumeric() {
                cur.push(c);
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    };
    let stored: Vec<char> = stored.collect();
    let want = words(&mut stored.iter().copied(), stored.len());
    let last_cut = cut_last && stored.last().is_some_and(|c| c.is_alphanumeric());
    let have = words(&mut text.into_iter(), stored.len() + stored.len() / 2 + 8);
    // Word-level edit distance of `want` to the best prefix of `have` (a word matching one at
    // most a typo away costs nothing; a word missing, added or replaced costs one), fewest
    // typos among equals.
    let tol = |w: &[char]| w.len().div_ceil(3);
    let dist = |i: usize, h: &[char]| {
        let w = &want[i];
        let h = if last_cut && i + 1 == want.len() {
            &h[..h.len().min(w.len())]
        } else {
            h
        };
        edit_distance(w, h)
    };
    let (n, k) = (want.len(), have.len());
    // row[j]: (cost, typos) of want[..i] against have[..j].
    let mut row: Vec<(usize, usize)> = (0..=k).map(|j| (j, 0)).collect();
    for (i, w) in want.iter().enumerate() {
        let mut next = vec![(i + 1, 0); k + 1];
        for j in 1..=k {
            let d = dist(i, &have[j - 1]);
            let diag = if d <= tol(w) {
                (row[j - 1].0, row[j - 1].1 + usize::from(d > 0))
            } else {
                (row[j - 1].0 + 1, row[j - 1].1)
            };
            let del = (row[j].0 + 1, row[j].1);
            let ins = (next[j - 1].0 + 1, next[j - 1].1);
            next[j] = diag.min(del).min(ins);
        }
        row = next;
    }
    let (cost, typos) = row.iter().copied().min().unwrap_or((n, 0));
    WordDiff {
        words: n,
        letters: want.iter().map(Vec::len).sum(),
        typos,
        replaced: cost,
    }
}

/// Levenshtein distance of two short words.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(x != y)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The part of `near` (stored context before a quote, normalised) after the last sentence
/// break in it: the quote's own sentence.
fn own_sentence_before(near: &str) -> &str {
    let cut = (1..=near.len())
        .rev()
        .filter(|&i| near.is_char_boundary(i) && near[..i].ends_with(' '))
        .find(|&i| breaks_at(near, i));
    cut.map_or(near, |i| &near[i..])
}

/// The part of `near` (stored context after a quote, normalised) up to the first sentence end
/// in it, included: the rest of the quote's own sentence.
fn own_sentence_after(near: &str) -> &str {
    let cut = (1..near.len())
        .filter(|&i| near.is_char_boundary(i) && !near[..i].ends_with(' '))
        .find(|&i| breaks_at(near, i));
    cut.map_or(near, |i| &near[..i])
}

/// Whether `own` (part of the own sentence of a quote, read from the quote outwards) was
/// rewritten beside a candidate in `text` (read the same way). When `strict` (a quote of a
/// word or two, or one with its own sentence on one side only): more edits than a quarter of
/// it, or — if `words` is given (whether the last word of `own` is cut short) — than a typo or
/// two (two) with a word of it replaced (a typo fixed in each of its words leaves it
/// standing); otherwise more than half.
fn own_sentence_rewritten(
    strict: bool,
    div: usize,
    own: impl Iterator<Item = char>,
    text: impl Iterator<Item = char> + Clone,
    words: Option<bool>,
) -> bool {
    let own: Vec<char> = own.collect();
    if own.iter().all(|c| !c.is_alphanumeric()) {
        return false;
    }
    let n = own.len();
    let (d, _) = best_prefix_alignment(&Pattern::new(&own), text.clone(), n + n / 2 + 4);
    if strict {
        d > (n / 4).max(2)
            || words.is_some_and(|cut_last| {
                d > 2 && word_diff(own.iter().copied(), text, cut_last).replaced > 0
            })
    } else {
        d * div > n
    }
}

/// Whether a sentence ends at byte `i` of `s` (normalised text): the text's start, or
/// [`sentence_end`] of what is before it and a space (or nothing) after the punctuation ("4.3"
/// is no sentence end).
fn breaks_at(s: &str, i: usize) -> bool {
    i == 0
        || (sentence_end(&s[..i])
            && (s[..i].ends_with(' ') || s[i..].is_empty() || s[i..].starts_with(' ')))
}

/// Whether `s` (normalised text) ends a sentence: it is empty (the text's start), or, past
/// trailing spaces and closing quotes or brackets, ends with `.`, `!`, `?` (or `...`).
fn sentence_end(s: &str) -> bool {
    let t = s.trim_end_matches([' ', '"', '\'', ')', ']']);
    t.is_empty() || t.ends_with(['.', '!', '?'])
}

/// Whether two exact occurrences of a quote a few letters apart are the same quote in the same
/// surroundings (the text without one is the text without the other: "рр", the quote "р"),
/// so that choosing either places it right; otherwise they are two places.
fn same_surroundings(hay: &str, a: &Candidate, b: &Candidate) -> bool {
    let (x, y) = if a.range.start <= b.range.start {
        (a, b)
    } else {
        (b, a)
    };
    let (s, t, len) = (
        x.range.start.0,
        y.range.start.0,
        x.range.end.0 - x.range.start.0,
    );
    t + len <= hay.len() && hay.get(s..t) == hay.get(s + len..t + len)
}

/// Length of the common leading run of two sequences (of chars, or bytes).
fn common_run<T: PartialEq>(a: impl Iterator<Item = T>, b: impl Iterator<Item = T>) -> usize {
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
        // About 180 KB: the seed once (its passages are unique), then filler of other words.
        let text = format!(
            "{seed}{}",
            "Другой текст, совсем не похожий на статью. ".repeat(2_000)
        );
        // Stored where the quote stood, as an imported annotation carries it.
        let at = |start: usize, exact: String, prefix: String, suffix: String| Target {
            position: TextPositionSelector {
                start: CodePointOffset(start),
                end: CodePointOffset(start + exact.chars().count()),
            },
            quote: TextQuoteSelector {
                exact,
                prefix,
                suffix,
            },
            text_hash: String::new(),
        };
        let target = |exact: String, prefix: String, suffix: String| at(0, exact, prefix, suffix);
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
                at(100, edited_short, String::new(), String::new()),
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

    /// Annotations from elsewhere may carry less context than Lectern's 32 code points (the
    /// Hypothesis-style row of the e2e import test: 24 and 27, in the middle of the text):
    /// standing verbatim on both sides, it places the quote, exactly — with or without a
    /// (wrong) position, and with a letter of the quote changed (fuzzy).
    #[test]
    fn short_foreign_context_standing_verbatim_places_the_quote() {
        let text = include_str!("../../../assets/seed-article-ru.txt");
        let quote = |exact: &str, start: usize| Target {
            quote: TextQuoteSelector {
                exact: exact.into(),
                prefix: "провел важную встречу с ".into(),
                suffix: " Азербайджанской Республики".into(),
            },
            position: TextPositionSelector {
                start: CodePointOffset(start),
                end: CodePointOffset(start + exact.chars().count()),
            },
            text_hash: String::new(),
        };
        let a = Anchorer::new(text);
        let at = text.find("чрезвычайным и полномочным послом").unwrap();
        let want = br(at, at + "чрезвычайным и полномочным послом".len());
        for start in [0, 5] {
            assert_eq!(
                a.anchor(&quote("чрезвычайным и полномочным послом", start)),
                Placement::Exact {
                    range: want.clone()
                }
            );
            let fuzzy = a.anchor(&quote("чрезвычайным и полнамочным послом", start));
            assert!(!fuzzy.is_exact(), "{fuzzy:?}");
            assert_eq!(fuzzy.range(), Some(want.clone()), "{fuzzy:?}");
        }
    }

    /// Lectern's own context across a paragraph break (`\n\n` folds to one space, so it is
    /// shorter once normalised), with a letter of the suffix edited: the quote is placed as it
    /// is without the break.
    #[test]
    fn own_context_across_a_paragraph_break_survives_an_edit_beside_the_quote() {
        for sep in ["\n\n", " "] {
            let text = format!(
                "Вступление, которое идёт первым и довольно длинное, чтобы перед цитатой было много \
                 текста. Первый абзац кончается здесь, и точка.{sep}Второй абзац начинается словами, \
                 которые цитируют, а дальше идёт продолжение второго абзаца с подробностями."
            );
            let exact = "Второй абзац начинается словами";
            let at = text.find(exact).unwrap();
            let t = quote_only(&describe(&text, br(at, at + exact.len())).unwrap());
            let edited = text.replace("которые цитируют", "которые цитирует");
            let a = Anchorer::new(&edited);
            let at = edited.find(exact).unwrap();
            assert_eq!(
                a.anchor(&t),
                Placement::Exact {
                    range: br(at, at + exact.len())
                },
                "{sep:?} {:?}",
                t.quote
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// `evaluate`'s fast path (for context standing verbatim next to a candidate) weighs
        /// every candidate it takes as `evaluate_split`, which applies every rule, does: the
        /// text revised at its edges (stored context short of where it now is), quotes and
        /// context at the text's edges, repeated words, exact and edited candidates.
        #[test]
        fn the_fast_evaluation_is_the_full_one(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "мир", "дом", "и", "в", "мир.", "Дом", "ёж", "a", "b.", "«да»", "—",
                ]),
                1..40,
            ),
            at in 0usize..1000,
            len in 1usize..40,
            pl in 0usize..40,
            sl in 0usize..40,
            before in proptest::sample::select(vec!["", "Начало. ", "мир ", "x", "Начало новой главы, и "]),
            after in proptest::sample::select(vec!["", " Конец.", " мир", "x"]),
            positioned in proptest::bool::ANY,
            errors in 0usize..3,
        ) {
            let text = words.join(" ");
            let chars: Vec<char> = text.chars().collect();
            let n = chars.len();
            let (s, e) = (at % n, (at % n + len).min(n));
            let take = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
            let target = Target {
                quote: TextQuoteSelector {
                    exact: take(s, e),
                    prefix: take(s.saturating_sub(pl), s),
                    suffix: take(e, (e + sl).min(n)),
                },
                position: if positioned {
                    TextPositionSelector { start: CodePointOffset(s), end: CodePointOffset(e) }
                } else {
                    TextPositionSelector { start: CodePointOffset(0), end: CodePointOffset(0) }
                },
                text_hash: String::new(),
            };
            let revised = format!("{before}{text}{after}");
            let a = Anchorer::new(&revised);
            let q = a.query(&target);
            proptest::prop_assume!(q.m > errors);
            let hay = &a.norm.text;
            for o in occurrences(hay, &q.nq, 0..hay.len()) {
                let r = NormOffset(o)..NormOffset(o + q.nq.len());
                // (Context verbatim on both sides is taken however short: see `evaluate`.)
                let e = o + q.nq.len();
                if !q.np.is_empty()
                    && !q.ns.is_empty()
                    && hay[..o].ends_with(&*q.np)
                    && hay[e..].starts_with(&*q.ns)
                    && (past_edge(q.p_short, q.np.len(), o) || past_edge(q.s_short, q.ns.len(), hay.len() - e))
                {
                    continue;
                }
                let fast = a.evaluate(&q, r.clone(), errors);
                let full = a.evaluate_split(&q, r, errors);
                let same = fast.range == full.range
                    && fast.score == full.score
                    && fast.accepted == full.accepted
                    && fast.confident == full.confident
                    && fast.errors == full.errors
                    && fast.support == full.support
                    && fast.p_near == full.p_near
                    && fast.s_near == full.s_near
                    && fast.p_run == full.p_run
                    && fast.s_run == full.s_run
                    && fast.own_intact == full.own_intact;
                proptest::prop_assert!(
                    same,
                    "{:?} in {:?}: fast {:?}, full {:?}", target.quote, revised, fast, full
                );
            }
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
            let fast = a.anchor_with(&t, Passes::Fast).placement;
            let full = a.anchor_with(&t, Passes::Full).placement;
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
                if let Some(got) = a.anchor_with(&t, passes).placement.range() {
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
