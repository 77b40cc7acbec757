//! Text offsets in explicitly named units, and every conversion between the three units of a
//! text.
//!
//! Unit convention (the one place where units meet):
//! - [`ByteOffset`]: UTF-8 bytes, what Rust `&str` slicing uses (Cyrillic letter = 2, emoji = 4).
//! - [`Utf16Offset`]: UTF-16 code units, what the DOM uses (`Range.startOffset`, `Text.length`;
//!   Cyrillic letter = 1, astral emoji = 2).
//! - [`CodePointOffset`]: Unicode scalar values, what W3C Web Annotation selectors use ("positions
//!   MUST be in terms of unicode code points").
//! - [`NormOffset`]: UTF-8 bytes of the *normalised* text that anchoring searches (spaces,
//!   quotes, dashes and `ё` folded: `anchor::normalize`), which is a different string from the
//!   text. It converts to and from [`ByteOffset`] only through the normaliser's map
//!   (`Normalized::to_orig`, `Normalized::orig_to_norm`), which knows what was folded where.
//!
//! An offset is valid in a text when it is at most the text's length in that unit and does not
//! fall inside a character (a UTF-8 continuation byte, or between the two halves of a surrogate
//! pair). Conversions never panic: an invalid offset gives an [`OffsetError`] carrying the unit,
//! the offending index and the text's length in that unit; the `*_clamped` variants instead round
//! down to the previous valid position (and clamp to the end).
//!
//! The free functions scan the text from the start: O(n) per call. For many conversions on one
//! text, build a [`TextIndex`] once (O(n)) and convert in O(log n + [`CHECKPOINT_EVERY`]).

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// An offset in UTF-8 bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ByteOffset(pub usize);

/// An offset in UTF-16 code units.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Utf16Offset(pub usize);

/// An offset in Unicode code points (scalar values, `char`s).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct CodePointOffset(pub usize);

/// An offset in UTF-8 bytes of a normalised text (see the module docs): never an offset into
/// the text itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NormOffset(pub usize);

impl NormOffset {
    /// `n` bytes earlier, or 0.
    pub fn saturating_sub(self, n: usize) -> Self {
        NormOffset(self.0.saturating_sub(n))
    }

    /// Bytes between two offsets of the same normalised text.
    pub fn abs_diff(self, other: Self) -> usize {
        self.0.abs_diff(other.0)
    }
}

/// `n` bytes later in the same normalised text.
impl std::ops::Add<usize> for NormOffset {
    type Output = NormOffset;
    fn add(self, n: usize) -> NormOffset {
        NormOffset(self.0 + n)
    }
}

/// `n` bytes earlier in the same normalised text (`n` at most the offset).
impl std::ops::Sub<usize> for NormOffset {
    type Output = NormOffset;
    fn sub(self, n: usize) -> NormOffset {
        NormOffset(self.0 - n)
    }
}

/// Which unit an offset (and an [`OffsetError`]) is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Byte,
    Utf16,
    CodePoint,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Byte => "UTF-8 byte",
            Unit::Utf16 => "UTF-16 code unit",
            Unit::CodePoint => "code point",
        })
    }
}

/// Why an offset is not valid in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffsetErrorKind {
    /// `index > len`.
    PastEnd,
    /// `index` falls inside a multi-unit character.
    InsideChar,
}

/// An offset that is not a valid position in a text, with the evidence: the unit, the index and
/// the text's length in that unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OffsetError {
    pub unit: Unit,
    pub kind: OffsetErrorKind,
    pub index: usize,
    /// The text's length in `unit`.
    pub len: usize,
}

impl fmt::Display for OffsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            OffsetErrorKind::PastEnd => write!(
                f,
                "{} offset {} is past the end of a text of length {}",
                self.unit, self.index, self.len
            ),
            OffsetErrorKind::InsideChar => write!(
                f,
                "{} offset {} falls inside a character (text length {})",
                self.unit, self.index, self.len
            ),
        }
    }
}

impl std::error::Error for OffsetError {}

/// Length of `text` in UTF-16 code units. O(n).
pub fn utf16_len(text: &str) -> usize {
    let (continuation, four) = count_bytes::<true>(text.as_bytes());
    text.len() - continuation + four
}

/// Length of `text` in code points. O(n).
pub fn cp_len(text: &str) -> usize {
    text.len() - count_bytes::<false>(text.as_bytes()).0
}

/// (continuation bytes, lead bytes of four-byte chars — counted only if `FOUR`) in `bytes`,
/// eight at a time without decoding: a char is one code point per lead byte, and one UTF-16
/// unit more when its lead byte is 0xF0 or above. (The standard library's `chars().count()`
/// counts short strings a byte at a time, which the browser's baseline wasm compiler makes
/// slow.)
fn count_bytes<const FOUR: bool>(bytes: &[u8]) -> (usize, usize) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (words, rest) = bytes.as_chunks::<8>();
    let (mut continuation, mut four) = (0usize, 0usize);
    for w in words {
        let x = u64::from_le_bytes(*w);
        continuation += (x & !(x << 1) & HIGH).count_ones() as usize;
        if FOUR {
            four += (x & (x << 1) & (x << 2) & (x << 3) & HIGH).count_ones() as usize;
        }
    }
    for &b in rest {
        continuation += usize::from(b & 0xC0 == 0x80);
        if FOUR {
            four += usize::from(b >= 0xF0);
        }
    }
    (continuation, four)
}

fn byte_check(text: &str, b: ByteOffset) -> Result<(), OffsetError> {
    let err = |kind| OffsetError {
        unit: Unit::Byte,
        kind,
        index: b.0,
        len: text.len(),
    };
    if b.0 > text.len() {
        Err(err(OffsetErrorKind::PastEnd))
    } else if !text.is_char_boundary(b.0) {
        Err(err(OffsetErrorKind::InsideChar))
    } else {
        Ok(())
    }
}

/// Byte offset → UTF-16 offset. O(b). Errors if `b` is past the end or inside a character.
pub fn byte_to_utf16(text: &str, b: ByteOffset) -> Result<Utf16Offset, OffsetError> {
    byte_check(text, b)?;
    Ok(Utf16Offset(utf16_len(&text[..b.0])))
}

/// Byte offset → code point offset. O(b). Errors if `b` is past the end or inside a character.
pub fn byte_to_cp(text: &str, b: ByteOffset) -> Result<CodePointOffset, OffsetError> {
    byte_check(text, b)?;
    Ok(CodePointOffset(text[..b.0].chars().count()))
}

/// Walks `text` from `(byte, u16, cp)` (a char boundary with its offsets in all units) until the
/// counter selected by `key` reaches `target`. Returns the position reached and whether it hit
/// `target` exactly (false: `target` is inside a character, and the position is just before it,
/// or `target` is past the end, and the position is the end).
fn walk(
    text: &str,
    mut at: (usize, usize, usize),
    target: usize,
    key: fn(&(usize, usize, usize)) -> usize,
) -> ((usize, usize, usize), bool) {
    for c in text[at.0..].chars() {
        if key(&at) >= target {
            break;
        }
        let next = (at.0 + c.len_utf8(), at.1 + c.len_utf16(), at.2 + 1);
        if key(&next) > target {
            return (at, false);
        }
        at = next;
    }
    let hit = key(&at) == target;
    (at, hit)
}

fn key_u16(p: &(usize, usize, usize)) -> usize {
    p.1
}
fn key_cp(p: &(usize, usize, usize)) -> usize {
    p.2
}

fn convert(
    text: &str,
    from: (usize, usize, usize),
    target: usize,
    unit: Unit,
) -> Result<(usize, usize, usize), OffsetError> {
    let key = match unit {
        Unit::Utf16 => key_u16,
        Unit::CodePoint => key_cp,
        Unit::Byte => unreachable!("byte offsets are checked with is_char_boundary"),
    };
    let (at, hit) = walk(text, from, target, key);
    if hit {
        return Ok(at);
    }
    // Only pay for the length when reporting an error.
    let len = match unit {
        Unit::Utf16 => utf16_len(text),
        _ => cp_len(text),
    };
    let kind = if target > len {
        OffsetErrorKind::PastEnd
    } else {
        OffsetErrorKind::InsideChar
    };
    Err(OffsetError {
        unit,
        kind,
        index: target,
        len,
    })
}

/// UTF-16 offset → byte offset. O(n). Errors if past the end or between a surrogate pair.
pub fn utf16_to_byte(text: &str, u: Utf16Offset) -> Result<ByteOffset, OffsetError> {
    convert(text, (0, 0, 0), u.0, Unit::Utf16).map(|p| ByteOffset(p.0))
}

/// Code point offset → byte offset. O(n). Errors if past the end.
pub fn cp_to_byte(text: &str, c: CodePointOffset) -> Result<ByteOffset, OffsetError> {
    convert(text, (0, 0, 0), c.0, Unit::CodePoint).map(|p| ByteOffset(p.0))
}

/// UTF-16 offset → code point offset. O(n). Errors if past the end or between a surrogate pair.
pub fn utf16_to_cp(text: &str, u: Utf16Offset) -> Result<CodePointOffset, OffsetError> {
    convert(text, (0, 0, 0), u.0, Unit::Utf16).map(|p| CodePointOffset(p.2))
}

/// Code point offset → UTF-16 offset. O(n). Errors if past the end.
pub fn cp_to_utf16(text: &str, c: CodePointOffset) -> Result<Utf16Offset, OffsetError> {
    convert(text, (0, 0, 0), c.0, Unit::CodePoint).map(|p| Utf16Offset(p.1))
}

/// Rounds `b` down to a char boundary of `text` (and to `text.len()` if past the end). O(1).
pub fn floor_char_boundary(text: &str, b: ByteOffset) -> ByteOffset {
    let mut i = b.0.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    ByteOffset(i)
}

/// Like [`byte_to_utf16`], but an invalid offset is rounded down to a char boundary (and clamped
/// to the end) instead of failing.
pub fn byte_to_utf16_clamped(text: &str, b: ByteOffset) -> Utf16Offset {
    let b = floor_char_boundary(text, b);
    Utf16Offset(utf16_len(&text[..b.0]))
}

/// Like [`byte_to_cp`], but rounding down / clamping instead of failing.
pub fn byte_to_cp_clamped(text: &str, b: ByteOffset) -> CodePointOffset {
    let b = floor_char_boundary(text, b);
    CodePointOffset(text[..b.0].chars().count())
}

/// Like [`utf16_to_byte`], but an offset between a surrogate pair rounds down to before the pair,
/// and one past the end clamps to the end.
pub fn utf16_to_byte_clamped(text: &str, u: Utf16Offset) -> ByteOffset {
    ByteOffset(walk(text, (0, 0, 0), u.0, key_u16).0 .0)
}

/// Like [`cp_to_byte`], but clamping to the end instead of failing.
pub fn cp_to_byte_clamped(text: &str, c: CodePointOffset) -> ByteOffset {
    ByteOffset(walk(text, (0, 0, 0), c.0, key_cp).0 .0)
}

/// Like [`utf16_to_cp`], but rounding down / clamping instead of failing.
pub fn utf16_to_cp_clamped(text: &str, u: Utf16Offset) -> CodePointOffset {
    CodePointOffset(walk(text, (0, 0, 0), u.0, key_u16).0 .2)
}

/// Like [`cp_to_utf16`], but clamping to the end instead of failing.
pub fn cp_to_utf16_clamped(text: &str, c: CodePointOffset) -> Utf16Offset {
    Utf16Offset(walk(text, (0, 0, 0), c.0, key_cp).0 .1)
}

/// A checkpoint is recorded every this many code points (and at the end of the text).
pub const CHECKPOINT_EVERY: usize = 64;

/// Precomputed checkpoints over one text, so that each conversion costs O(log n) for the
/// binary search plus at most [`CHECKPOINT_EVERY`] characters of scanning, instead of O(n).
///
/// Building is O(n) time; memory is three `usize`s per [`CHECKPOINT_EVERY`] code points
/// (about 0.4 bytes per code point on 64-bit). Results and errors are identical to the free
/// functions of this module (a proptest checks this against slow oracles).
#[derive(Debug, Clone)]
pub struct TextIndex<'a> {
    text: &'a str,
    /// `(byte, utf16, cp)` at every [`CHECKPOINT_EVERY`]-th code point, starting with `(0,0,0)`
    /// and ending with the end of the text; strictly increasing in every column (bar an empty
    /// text, which has just the one).
    checkpoints: Vec<(usize, usize, usize)>,
}

impl<'a> TextIndex<'a> {
    /// Indexes `text`. O(n).
    pub fn new(text: &'a str) -> Self {
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT_EVERY + 2);
        checkpoints.push((0, 0, 0));
        // The text is valid UTF-8: a char starts at every byte that is not a continuation byte
        // (0b10xx_xxxx), and takes two UTF-16 units if that byte is 0xF0 or above. Eight bytes
        // at a time (as one u64) until a checkpoint falls inside them, then byte by byte.
        let bytes = text.as_bytes();
        let (mut utf16, mut cp) = (0usize, 0usize);
        let mut i = 0;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        while i < bytes.len() {
            if i + 8 <= bytes.len() {
                let x = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
                // Bit 7 of each byte: set for a continuation byte (bit 7 set, bit 6 clear)...
                let cont = (x & !(x << 1) & HIGH).count_ones() as usize;
                // ...and for a 4-byte lead (its top four bits set).
                let four = (x & (x << 1) & (x << 2) & (x << 3) & HIGH).count_ones() as usize;
                let starts = 8 - cont;
                // A checkpoint goes before a char that starts when `cp` (the chars before it)
                // is a positive multiple of CHECKPOINT_EVERY: byte by byte if one starts here.
                let due = if cp % CHECKPOINT_EVERY == 0 && cp > 0 {
                    cp
                } else {
                    (cp / CHECKPOINT_EVERY + 1) * CHECKPOINT_EVERY
                };
                if starts == 0 || cp + starts - 1 < due {
                    cp += starts;
                    utf16 += starts + four;
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            if b & 0xC0 != 0x80 {
                if cp % CHECKPOINT_EVERY == 0 && cp > 0 {
                    checkpoints.push((i, utf16, cp));
                }
                cp += 1;
                utf16 += 1 + usize::from(b >= 0xF0);
            }
            i += 1;
        }
        let end = (text.len(), utf16, cp);
        if *checkpoints.last().expect("non-empty") != end {
            checkpoints.push(end);
        }
        TextIndex { text, checkpoints }
    }

    /// The indexed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    fn end(&self) -> (usize, usize, usize) {
        *self.checkpoints.last().expect("non-empty")
    }

    /// Length in bytes.
    pub fn len_bytes(&self) -> ByteOffset {
        ByteOffset(self.text.len())
    }

    /// Length in UTF-16 code units. O(1).
    pub fn len_utf16(&self) -> Utf16Offset {
        Utf16Offset(self.end().1)
    }

    /// Length in code points. O(1).
    pub fn len_cp(&self) -> CodePointOffset {
        CodePointOffset(self.end().2)
    }

    /// The last checkpoint whose `key` column is ≤ `target`.
    fn checkpoint(
        &self,
        target: usize,
        key: impl Fn(&(usize, usize, usize)) -> usize,
    ) -> (usize, usize, usize) {
        let i = self.checkpoints.partition_point(|p| key(p) <= target);
        self.checkpoints[i.saturating_sub(1)]
    }

    fn locate(&self, target: usize, unit: Unit) -> Result<(usize, usize, usize), OffsetError> {
        if target == 0 {
            // The start, in every unit (a selector stored without a position says 0..0).
            return Ok((0, 0, 0));
        }
        if unit == Unit::Byte {
            byte_check(self.text, ByteOffset(target))?;
            // Count the chars between the checkpoint and the (valid) boundary.
            let start = self.checkpoint(target, |p| p.0);
            let (continuation, four) = count_bytes::<true>(&self.text.as_bytes()[start.0..target]);
            let cps = target - start.0 - continuation;
            return Ok((target, start.1 + cps + four, start.2 + cps));
        }
        let (key, len) = match unit {
            Unit::Utf16 => (key_u16 as fn(&_) -> usize, self.end().1),
            Unit::CodePoint => (key_cp as fn(&_) -> usize, self.end().2),
            Unit::Byte => unreachable!("bytes are located above"),
        };
        if target > len {
            return Err(OffsetError {
                unit,
                kind: OffsetErrorKind::PastEnd,
                index: target,
                len,
            });
        }
        let start = self.checkpoint(target, key);
        let (at, hit) = walk(self.text, start, target, key);
        if hit {
            Ok(at)
        } else {
            Err(OffsetError {
                unit,
                kind: OffsetErrorKind::InsideChar,
                index: target,
                len,
            })
        }
    }

    fn clamped(&self, target: usize, unit: Unit) -> (usize, usize, usize) {
        match unit {
            Unit::Byte => {
                let b = floor_char_boundary(self.text, ByteOffset(target)).0;
                self.locate(b, Unit::Byte).expect("a char boundary")
            }
            Unit::Utf16 => {
                let t = target.min(self.end().1);
                walk(self.text, self.checkpoint(t, key_u16), t, key_u16).0
            }
            Unit::CodePoint => {
                let t = target.min(self.end().2);
                walk(self.text, self.checkpoint(t, key_cp), t, key_cp).0
            }
        }
    }

    /// Byte → UTF-16. Errors as [`byte_to_utf16`]. O(log n).
    pub fn byte_to_utf16(&self, b: ByteOffset) -> Result<Utf16Offset, OffsetError> {
        self.locate(b.0, Unit::Byte).map(|p| Utf16Offset(p.1))
    }
    /// Byte → code point. Errors as [`byte_to_cp`]. O(log n).
    pub fn byte_to_cp(&self, b: ByteOffset) -> Result<CodePointOffset, OffsetError> {
        self.locate(b.0, Unit::Byte).map(|p| CodePointOffset(p.2))
    }
    /// UTF-16 → byte. Errors as [`utf16_to_byte`]. O(log n).
    pub fn utf16_to_byte(&self, u: Utf16Offset) -> Result<ByteOffset, OffsetError> {
        self.locate(u.0, Unit::Utf16).map(|p| ByteOffset(p.0))
    }
    /// UTF-16 → code point. Errors as [`utf16_to_cp`]. O(log n).
    pub fn utf16_to_cp(&self, u: Utf16Offset) -> Result<CodePointOffset, OffsetError> {
        self.locate(u.0, Unit::Utf16).map(|p| CodePointOffset(p.2))
    }
    /// Code point → byte. Errors as [`cp_to_byte`]. O(log n).
    pub fn cp_to_byte(&self, c: CodePointOffset) -> Result<ByteOffset, OffsetError> {
        self.locate(c.0, Unit::CodePoint).map(|p| ByteOffset(p.0))
    }
    /// Code point → UTF-16. Errors as [`cp_to_utf16`]. O(log n).
    pub fn cp_to_utf16(&self, c: CodePointOffset) -> Result<Utf16Offset, OffsetError> {
        self.locate(c.0, Unit::CodePoint).map(|p| Utf16Offset(p.1))
    }

    /// Byte → UTF-16, rounding down to a char boundary and clamping to the end.
    pub fn byte_to_utf16_clamped(&self, b: ByteOffset) -> Utf16Offset {
        Utf16Offset(self.clamped(b.0, Unit::Byte).1)
    }
    /// Byte → code point, rounding down to a char boundary and clamping to the end.
    pub fn byte_to_cp_clamped(&self, b: ByteOffset) -> CodePointOffset {
        CodePointOffset(self.clamped(b.0, Unit::Byte).2)
    }
    /// UTF-16 → byte, rounding down out of a surrogate pair and clamping to the end.
    pub fn utf16_to_byte_clamped(&self, u: Utf16Offset) -> ByteOffset {
        ByteOffset(self.clamped(u.0, Unit::Utf16).0)
    }
    /// UTF-16 → code point, rounding down out of a surrogate pair and clamping to the end.
    pub fn utf16_to_cp_clamped(&self, u: Utf16Offset) -> CodePointOffset {
        CodePointOffset(self.clamped(u.0, Unit::Utf16).2)
    }
    /// Code point → byte, clamping to the end.
    pub fn cp_to_byte_clamped(&self, c: CodePointOffset) -> ByteOffset {
        ByteOffset(self.clamped(c.0, Unit::CodePoint).0)
    }
    /// Code point → UTF-16, clamping to the end.
    pub fn cp_to_utf16_clamped(&self, c: CodePointOffset) -> Utf16Offset {
        Utf16Offset(self.clamped(c.0, Unit::CodePoint).1)
    }
}

/// An article's annotatable text — its blocks' texts joined by `"\n"` — with where each block
/// starts. The one place that knows about the `"\n"` between blocks: every conversion between a
/// position in the whole text (UTF-8 bytes, what placements use) and a position in one block
/// (UTF-16 code units, what the block's DOM text nodes count) goes through it.
///
/// Block `i` spans `block_range(i)`; the `"\n"` after it belongs to no block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    text: String,
    /// Byte offset where each block starts, in order.
    starts: Vec<usize>,
}

impl ArticleText {
    /// The text of `blocks`, in order. O(total length).
    pub fn new<'a>(blocks: impl IntoIterator<Item = &'a str>) -> ArticleText {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (i, b) in blocks.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            starts.push(text.len());
            text.push_str(b);
        }
        ArticleText { text, starts }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How many blocks there are.
    pub fn block_count(&self) -> usize {
        self.starts.len()
    }

    /// Where block `i` starts, in bytes of the whole text (`None` past the last block).
    pub fn block_start(&self, i: usize) -> Option<ByteOffset> {
        self.starts.get(i).map(|&s| ByteOffset(s))
    }

    /// Block `i`'s bytes in the whole text, without the `"\n"` that follows it. Empty past the
    /// last block.
    pub fn block_range(&self, i: usize) -> Range<ByteOffset> {
        let Some(&start) = self.starts.get(i) else {
            return ByteOffset(self.text.len())..ByteOffset(self.text.len());
        };
        let end = self.starts.get(i + 1).map_or(self.text.len(), |&n| n - 1);
        ByteOffset(start)..ByteOffset(end)
    }

    /// Block `i`'s text (empty past the last block).
    pub fn block_text(&self, i: usize) -> &str {
        let r = self.block_range(i);
        &self.text[r.start.0..r.end.0]
    }

    /// The block whose range contains byte `b` or ends at it (the `"\n"` after a block counts as
    /// its end). O(log blocks).
    pub fn block_at(&self, b: ByteOffset) -> usize {
        self.starts.partition_point(|&s| s <= b.0).saturating_sub(1)
    }

    /// The part of `range` (bytes of the whole text) inside block `i`, in bytes of the block's
    /// own text; `None` when they share no character.
    pub fn clip_to_block(&self, range: &Range<ByteOffset>, i: usize) -> Option<Range<ByteOffset>> {
        let b = self.block_range(i);
        (range.start < b.end && range.end > b.start).then(|| {
            ByteOffset(range.start.max(b.start).0 - b.start.0)
                ..ByteOffset(range.end.min(b.end).0 - b.start.0)
        })
    }

    /// Byte offset in the whole text of UTF-16 offset `offset` inside block `block` (as the DOM
    /// counts), clamped to the block and rounded down to a character boundary. `None` for a
    /// block index past the end.
    pub fn from_block_utf16(&self, block: usize, offset: Utf16Offset) -> Option<ByteOffset> {
        let start = *self.starts.get(block)?;
        Some(ByteOffset(
            start + utf16_to_byte_clamped(self.block_text(block), offset).0,
        ))
    }

    /// Block and UTF-16 offset inside it of byte `b` of the whole text (rounded down to a
    /// character boundary; a position on a `"\n"` between blocks is the end of the block before).
    pub fn to_block_utf16(&self, b: ByteOffset) -> (usize, Utf16Offset) {
        let i = self.block_at(b);
        let r = self.block_range(i);
        let local = ByteOffset(b.0.clamp(r.start.0, r.end.0) - r.start.0);
        (i, byte_to_utf16_clamped(self.block_text(i), local))
    }

    /// Whether `range` holds nothing but whitespace (the `"\n"`s between blocks are whitespace).
    pub fn is_blank(&self, range: Range<ByteOffset>) -> bool {
        let s = floor_char_boundary(&self.text, range.start);
        let e = floor_char_boundary(&self.text, range.end.max(range.start));
        self.text[s.0..e.0].trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious oracle: every char boundary with its offset in all three units.
    fn boundaries(text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = vec![(0, 0, 0)];
        let (mut b, mut u, mut c) = (0, 0, 0);
        for ch in text.chars() {
            b += ch.len_utf8();
            u += ch.len_utf16();
            c += 1;
            out.push((b, u, c));
        }
        out
    }

    fn oracle(
        text: &str,
        target: usize,
        from: fn(&(usize, usize, usize)) -> usize,
    ) -> Option<(usize, usize, usize)> {
        boundaries(text).into_iter().find(|p| from(p) == target)
    }

    fn oracle_clamped(
        text: &str,
        target: usize,
        from: fn(&(usize, usize, usize)) -> usize,
    ) -> (usize, usize, usize) {
        boundaries(text)
            .into_iter()
            .rev()
            .find(|p| from(p) <= target)
            .expect("(0,0,0) is always there")
    }

    const SAMPLE: &str = "Ёж\r\nе\u{301} 😀x\u{1F469}\u{200D}\u{1F4BB}";

    #[test]
    fn known_values_in_each_unit() {
        // "Ёж" = 4 bytes, 2 u16, 2 cp; "\r\n" = 2/2/2; "е\u{301}" = 4/2/2; " " = 1/1/1; "😀" = 4/2/1.
        let t = SAMPLE;
        assert_eq!(byte_to_utf16(t, ByteOffset(4)), Ok(Utf16Offset(2)));
        assert_eq!(byte_to_cp(t, ByteOffset(11)), Ok(CodePointOffset(7)));
        assert_eq!(utf16_to_byte(t, Utf16Offset(7)), Ok(ByteOffset(11)));
        assert_eq!(utf16_to_byte(t, Utf16Offset(9)), Ok(ByteOffset(15)));
        assert_eq!(cp_to_byte(t, CodePointOffset(8)), Ok(ByteOffset(15)));
        assert_eq!(cp_to_utf16(t, CodePointOffset(8)), Ok(Utf16Offset(9)));
        assert_eq!(utf16_to_cp(t, Utf16Offset(9)), Ok(CodePointOffset(8)));
    }

    #[test]
    fn invalid_offsets_are_errors_with_evidence() {
        let t = SAMPLE;
        assert_eq!(
            byte_to_utf16(t, ByteOffset(1)),
            Err(OffsetError {
                unit: Unit::Byte,
                kind: OffsetErrorKind::InsideChar,
                index: 1,
                len: t.len()
            })
        );
        // Between the surrogates of 😀 (u16 7..9).
        let e = utf16_to_byte(t, Utf16Offset(8)).unwrap_err();
        assert_eq!(
            (e.unit, e.kind, e.index, e.len),
            (Unit::Utf16, OffsetErrorKind::InsideChar, 8, utf16_len(t))
        );
        let e = cp_to_byte(t, CodePointOffset(999)).unwrap_err();
        assert_eq!(
            (e.kind, e.len),
            (OffsetErrorKind::PastEnd, t.chars().count())
        );
        assert!(e.to_string().contains("999"));
        assert_eq!(utf16_to_byte_clamped(t, Utf16Offset(8)), ByteOffset(11));
        assert_eq!(byte_to_cp_clamped(t, ByteOffset(1)), CodePointOffset(0));
        assert_eq!(
            cp_to_byte_clamped(t, CodePointOffset(999)),
            ByteOffset(t.len())
        );
    }

    #[test]
    fn empty_text_has_only_offset_zero() {
        let idx = TextIndex::new("");
        assert_eq!(idx.byte_to_utf16(ByteOffset(0)), Ok(Utf16Offset(0)));
        assert!(idx.cp_to_byte(CodePointOffset(1)).is_err());
        assert_eq!(idx.len_cp(), CodePointOffset(0));
        assert_eq!(idx.utf16_to_byte_clamped(Utf16Offset(5)), ByteOffset(0));
    }

    #[test]
    fn serde_is_transparent() {
        assert_eq!(serde_json::to_string(&CodePointOffset(7)).unwrap(), "7");
        let u: Utf16Offset = serde_json::from_str("12").unwrap();
        assert_eq!(u, Utf16Offset(12));
    }

    /// The checkpoints the plain char-by-char loop makes (the word-at-a-time scan's oracle).
    fn reference_checkpoints(text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = vec![(0, 0, 0)];
        let mut at = (0, 0, 0);
        for c in text.chars() {
            at = (at.0 + c.len_utf8(), at.1 + c.len_utf16(), at.2 + 1);
            if at.2 % CHECKPOINT_EVERY == 0 {
                out.push(at);
            }
        }
        if *out.last().unwrap() != at {
            out.push(at);
        }
        out
    }

    #[test]
    fn checkpoints_are_those_of_the_char_by_char_scan() {
        for text in [
            String::new(),
            "a".repeat(64),
            "a".repeat(63) + "ж" + &"😀".repeat(70),
            "жёлтый 😀 ".repeat(40),
            "x".repeat(7) + &"ж".repeat(200),
        ] {
            assert_eq!(
                TextIndex::new(&text).checkpoints,
                reference_checkpoints(&text)
            );
        }
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        // Cyrillic (2 bytes), ASCII, CRLF, combining marks, astral emoji and ZWJ sequences.
        let piece = prop::sample::select(vec![
            "a",
            "Z",
            " ",
            "\r\n",
            "\n",
            "ж",
            "Ё",
            "е\u{301}",
            "\u{308}",
            "😀",
            "\u{1F469}\u{200D}\u{1F4BB}",
            "€",
            "\u{A0}",
            "𝔸",
        ]);
        prop::collection::vec(piece, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn lengths_are_those_of_the_standard_library(text in "\\PC{0,40}") {
            prop_assert_eq!(cp_len(&text), text.chars().count());
            prop_assert_eq!(utf16_len(&text), text.encode_utf16().count());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn conversions_agree_with_oracle(text in text_strategy(), probes in prop::collection::vec(0usize..900, 1..12)) {
            let idx = TextIndex::new(&text);
            prop_assert_eq!(&idx.checkpoints, &reference_checkpoints(&text));
            prop_assert_eq!(idx.len_utf16().0, text.encode_utf16().count());
            prop_assert_eq!(idx.len_cp().0, text.chars().count());
            for &t in &probes {
                let fb = |p: &(usize, usize, usize)| p.0;
                let fu = |p: &(usize, usize, usize)| p.1;
                let fc = |p: &(usize, usize, usize)| p.2;
                // bytes
                let o = oracle(&text, t, fb);
                prop_assert_eq!(byte_to_utf16(&text, ByteOffset(t)).ok(), o.map(|p| Utf16Offset(p.1)));
                prop_assert_eq!(idx.byte_to_utf16(ByteOffset(t)).ok(), o.map(|p| Utf16Offset(p.1)));
                prop_assert_eq!(byte_to_cp(&text, ByteOffset(t)).ok(), o.map(|p| CodePointOffset(p.2)));
                prop_assert_eq!(idx.byte_to_cp(ByteOffset(t)).ok(), o.map(|p| CodePointOffset(p.2)));
                let oc = oracle_clamped(&text, t, fb);
                prop_assert_eq!(byte_to_utf16_clamped(&text, ByteOffset(t)), Utf16Offset(oc.1));
                prop_assert_eq!(idx.byte_to_utf16_clamped(ByteOffset(t)), Utf16Offset(oc.1));
                prop_assert_eq!(byte_to_cp_clamped(&text, ByteOffset(t)), CodePointOffset(oc.2));
                prop_assert_eq!(idx.byte_to_cp_clamped(ByteOffset(t)), CodePointOffset(oc.2));
                // utf16
                let o = oracle(&text, t, fu);
                prop_assert_eq!(utf16_to_byte(&text, Utf16Offset(t)).ok(), o.map(|p| ByteOffset(p.0)));
                prop_assert_eq!(idx.utf16_to_byte(Utf16Offset(t)).ok(), o.map(|p| ByteOffset(p.0)));
                prop_assert_eq!(utf16_to_cp(&text, Utf16Offset(t)).ok(), o.map(|p| CodePointOffset(p.2)));
                prop_assert_eq!(idx.utf16_to_cp(Utf16Offset(t)).ok(), o.map(|p| CodePointOffset(p.2)));
                let oc = oracle_clamped(&text, t, fu);
                prop_assert_eq!(utf16_to_byte_clamped(&text, Utf16Offset(t)), ByteOffset(oc.0));
                prop_assert_eq!(idx.utf16_to_byte_clamped(Utf16Offset(t)), ByteOffset(oc.0));
                prop_assert_eq!(utf16_to_cp_clamped(&text, Utf16Offset(t)), CodePointOffset(oc.2));
                prop_assert_eq!(idx.utf16_to_cp_clamped(Utf16Offset(t)), CodePointOffset(oc.2));
                // code points
                let o = oracle(&text, t, fc);
                prop_assert_eq!(cp_to_byte(&text, CodePointOffset(t)).ok(), o.map(|p| ByteOffset(p.0)));
                prop_assert_eq!(idx.cp_to_byte(CodePointOffset(t)).ok(), o.map(|p| ByteOffset(p.0)));
                prop_assert_eq!(cp_to_utf16(&text, CodePointOffset(t)).ok(), o.map(|p| Utf16Offset(p.1)));
                prop_assert_eq!(idx.cp_to_utf16(CodePointOffset(t)).ok(), o.map(|p| Utf16Offset(p.1)));
                let oc = oracle_clamped(&text, t, fc);
                prop_assert_eq!(cp_to_byte_clamped(&text, CodePointOffset(t)), ByteOffset(oc.0));
                prop_assert_eq!(idx.cp_to_byte_clamped(CodePointOffset(t)), ByteOffset(oc.0));
                prop_assert_eq!(cp_to_utf16_clamped(&text, CodePointOffset(t)), Utf16Offset(oc.1));
                prop_assert_eq!(idx.cp_to_utf16_clamped(CodePointOffset(t)), Utf16Offset(oc.1));
                // Errors from the index carry the same evidence as the free functions.
                prop_assert_eq!(idx.utf16_to_byte(Utf16Offset(t)).err(), utf16_to_byte(&text, Utf16Offset(t)).err());
                prop_assert_eq!(idx.byte_to_cp(ByteOffset(t)).err(), byte_to_cp(&text, ByteOffset(t)).err());
                prop_assert_eq!(idx.cp_to_byte(CodePointOffset(t)).err(), cp_to_byte(&text, CodePointOffset(t)).err());
            }
        }
    }

    #[test]
    fn index_is_fast_enough_for_a_megabyte() {
        // 1,000 conversions on ~1 MB must not be 1,000 full scans; this is a smoke check on
        // the checkpoint logic at positions far from the start (correctness is the proptest's).
        let text = "Съешь же ещё этих мягких французских булок 😀\n".repeat(12_000);
        let idx = TextIndex::new(&text);
        let n = text.chars().count();
        for i in 0..1000 {
            let c = CodePointOffset(i * (n / 1000));
            let b = idx.cp_to_byte(c).unwrap();
            assert_eq!(idx.byte_to_cp(b), Ok(c));
        }
        assert_eq!(idx.len_cp().0, n);
    }

    proptest! {
        /// Block points and whole-text bytes convert both ways as the obvious definition says
        /// (blocks joined by "\n", UTF-16 counted by `encode_utf16`).
        #[test]
        fn article_text_block_points_match_the_oracle(
            blocks in prop::collection::vec("[a-zё😀\u{301} ]{0,8}", 1..5),
            block in 0usize..6,
            unit in 0usize..20,
        ) {
            let t = ArticleText::new(blocks.iter().map(String::as_str));
            prop_assert_eq!(t.as_str(), blocks.join("\n"));
            let got = t.from_block_utf16(block, Utf16Offset(unit));
            if block >= blocks.len() {
                prop_assert_eq!(got, None);
            } else {
                // Oracle: walk the block's chars, stop before the one that would pass `unit`.
                let start: usize = blocks[..block].iter().map(|b| b.len() + 1).sum();
                let mut u = 0;
                let mut bytes = 0;
                for c in blocks[block].chars() {
                    if u + c.len_utf16() > unit {
                        break;
                    }
                    u += c.len_utf16();
                    bytes += c.len_utf8();
                }
                prop_assert_eq!(got, Some(ByteOffset(start + bytes)));
                prop_assert_eq!(t.to_block_utf16(ByteOffset(start + bytes)), (block, Utf16Offset(u)));
                prop_assert_eq!(t.block_text(block), blocks[block].as_str());
            }
        }
    }
}
