//! Reader-level text normalisation for matching, with a map back to original byte offsets.
//!
//! What is folded (and why: these differ between revisions of the same article, or between the
//! page and what a reader believes they selected, without changing what the text says):
//! - every Unicode white space character (`char::is_whitespace`: NBSP, thin and other spaces,
//!   tabs, CR, LF, ...) → `' '`, and a run of them → one `' '`;
//! - soft hyphen U+00AD, zero-width space U+200B, word joiner U+2060, BOM U+FEFF → removed;
//! - quotes `« » „ “ ” ‟ " ″` → `"`; `‘ ’ ‚ ‛ ' ′` → `'`;
//! - dashes and minus `‐ ‑ ‒ – — ― − ⸺ ⸻` → `-`;
//! - `…` → `...`;
//! - `ё`/`Ё` → `е`/`Е`, including the decomposed `е` + U+0308.
//!
//! Case is **not** folded: a case change is an edit, counted as such by fuzzy matching. No
//! Unicode normalisation (NFC/NFD) is done beyond the `ё` case, to stay dependency-free.
//!
//! Unit convention: [`Normalized`] maps [`NormOffset`]s (bytes of the normalised text) to
//! [`ByteOffset`]s (bytes of the original text) and back; it is the only place the two meet.

use std::borrow::Cow;
use std::ops::Range;

use crate::text::{ByteOffset, NormOffset};

/// What one original character becomes.
enum Fold {
    Keep,
    Remove,
    Space,
    Into(&'static str),
}

fn fold(c: char) -> Fold {
    match c {
        c if c.is_whitespace() => Fold::Space,
        '\u{AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' => Fold::Remove,
        '«' | '»' | '„' | '“' | '”' | '‟' | '″' => Fold::Into("\""),
        '‘' | '’' | '‚' | '‛' | '′' => Fold::Into("'"),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{2E3A}' | '\u{2E3B}' => Fold::Into("-"),
        '…' => Fold::Into("..."),
        'ё' => Fold::Into("е"),
        'Ё' => Fold::Into("Е"),
        _ => Fold::Keep,
    }
}

/// Normalises `s` without keeping a map (for quotes and context strings); `s` itself when
/// there is nothing to fold (most quotes: no copy).
pub(crate) fn normalize_str(s: &str) -> Cow<'_, str> {
    let first = next_special(s.as_bytes(), 0);
    if first == s.len() {
        // Nothing to fold: one verbatim run.
        return Cow::Borrowed(s);
    }
    // (The text only: no map, no allocation but the copy.)
    crate::work::tick(s.len());
    let mut text = String::with_capacity(s.len());
    fold_str(s, first, &mut text, None);
    Cow::Owned(text)
}

/// A run of the normalised text and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Start in the normalised text (bytes).
    norm: usize,
    /// Start in the original text (bytes).
    orig: usize,
    norm_len: usize,
    orig_len: usize,
    /// Copied byte for byte (so inner offsets map 1:1); otherwise one replaced character (or
    /// whitespace char), whose inside maps to its edges.
    verbatim: bool,
}

/// A normalised text and the map from its byte offsets back to the original's.
///
/// Removed characters (and the 2nd.. characters of a whitespace run) are gaps in the map: a
/// start offset maps to the first kept character at or after it, an end offset to the end of
/// the last kept character before it, so a match never swallows a neighbouring soft hyphen or
/// extra space. Memory is one [`Piece`] per change, not per byte.
#[derive(Debug, Clone)]
pub(crate) struct Normalized {
    pub(crate) text: String,
    orig_len: usize,
    pieces: Vec<Piece>,
}

impl Normalized {
    /// Normalises `orig`. O(n); runs of characters that are kept as they are (most of any
    /// text) are found byte-wise and copied in bulk.
    pub(crate) fn new(orig: &str) -> Self {
        crate::work::tick(orig.len());
        let mut text = String::with_capacity(orig.len());
        let mut pieces: Vec<Piece> = Vec::new();
        fold_str(orig, 0, &mut text, Some(&mut pieces));
        Normalized {
            text,
            orig_len: orig.len(),
            pieces,
        }
    }

    /// The piece holding normalised byte `j` (`j < text.len()`).
    fn piece_at(&self, j: usize) -> &Piece {
        let k = self.pieces.partition_point(|p| p.norm <= j);
        &self.pieces[k - 1]
    }

    /// The normalised text's length.
    pub(crate) fn len(&self) -> NormOffset {
        NormOffset(self.text.len())
    }

    /// The normalised text from `r`. Panics if `r` is out of bounds or not on char boundaries,
    /// as slicing does.
    pub(crate) fn slice(&self, r: Range<NormOffset>) -> &str {
        &self.text[r.start.0..r.end.0]
    }

    /// The char boundary of the normalised text at or before `j` (clamped to its end).
    pub(crate) fn floor(&self, j: NormOffset) -> NormOffset {
        NormOffset(crate::text::floor_char_boundary(&self.text, ByteOffset(j.0)).0)
    }

    /// Original offset for a normalised *start* offset `j` (≤ len). O(log n).
    pub(crate) fn to_orig_start(&self, j: NormOffset) -> ByteOffset {
        let j = j.0;
        if j >= self.text.len() {
            return ByteOffset(self.orig_len);
        }
        let p = self.piece_at(j);
        ByteOffset(if p.verbatim {
            p.orig + (j - p.norm)
        } else if j == p.norm {
            p.orig
        } else {
            p.orig + p.orig_len
        })
    }

    /// Original offset for a normalised *end* offset `j` (≤ len). O(log n).
    pub(crate) fn to_orig_end(&self, j: NormOffset) -> ByteOffset {
        let j = j.0;
        if j == 0 {
            return ByteOffset(self.pieces.first().map_or(0, |p| p.orig));
        }
        let p = self.piece_at(j.min(self.text.len()) - 1);
        ByteOffset(if p.verbatim {
            p.orig + (j - p.norm)
        } else if j == p.norm {
            p.orig
        } else {
            p.orig + p.orig_len
        })
    }

    /// A normalised range as an original range: the original characters that became it, without
    /// the removed ones (soft hyphens, extra spaces) at its edges.
    pub(crate) fn to_orig(&self, r: Range<NormOffset>) -> Range<ByteOffset> {
        let s = self.to_orig_start(r.start);
        let e = self.to_orig_end(r.end).max(s);
        s..e
    }

    /// Normalised offset for an original offset `o` (approximate inside gaps and replaced
    /// characters: rounds to the nearest normalised boundary at or after). O(log n).
    pub(crate) fn orig_to_norm(&self, o: ByteOffset) -> NormOffset {
        let o = o.0;
        let k = self.pieces.partition_point(|p| p.orig <= o);
        if k == 0 {
            return NormOffset(0);
        }
        let p = &self.pieces[k - 1];
        NormOffset(if p.verbatim && o < p.orig + p.orig_len {
            let mut j = p.norm + (o - p.orig);
            while !self.text.is_char_boundary(j) {
                j -= 1;
            }
            j
        } else if o == p.orig {
            p.norm
        } else {
            p.norm + p.norm_len
        })
    }
}

/// Appends `s`, copied from original byte `i`, extending the last piece if it is verbatim and
/// ends right there.
/// Flags of a byte for [`next_special`]: [`SINGLE`] if the byte starts a character that `fold`
/// may change on its own, plus the pair bits below if it starts a pair that does.
const SINGLE: u8 = 0x80;
/// `Ё` = D0 81.
const PAIR_D0_81: u8 = 1;
/// `ё` = D1 91.
const PAIR_D1_91: u8 = 2;
/// A second space in a row.
const PAIR_SPACES: u8 = 4;

/// [`SINGLE`] and first-of-pair bits, by byte.
static FIRST: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0x09;
    while b <= 0x0D {
        t[b] = SINGLE; // \t \n \v \f \r
        b += 1;
    }
    // Lead bytes of U+0085, U+00A0, U+00AB, U+00AD, U+00BB (C2); U+0308 (CC); U+1680 (E1);
    // U+2000–U+2E3B (E2); U+3000 (E3); U+FEFF (EF).
    t[0xC2] = SINGLE;
    t[0xCC] = SINGLE;
    t[0xE1] = SINGLE;
    t[0xE2] = SINGLE;
    t[0xE3] = SINGLE;
    t[0xEF] = SINGLE;
    t[0xD0] = PAIR_D0_81;
    t[0xD1] = PAIR_D1_91;
    t[0x20] = PAIR_SPACES;
    t
};

/// Second-of-pair bits, by byte (and [`SINGLE`] for every byte, so that `FIRST & SECOND` keeps
/// it).
static SECOND: [u8; 256] = {
    let mut t = [SINGLE; 256];
    t[0x81] |= PAIR_D0_81;
    t[0x91] |= PAIR_D1_91;
    t[0x20] |= PAIR_SPACES;
    t
};

/// The first byte at or after `i` where a character starts that `fold` may change (in its
/// context: `Ё`, `ё`, a second space), or `bytes.len()`.
///
/// Eight bytes at a time: a word-wide test (a few `u64` operations, no table look-ups) rules
/// out most words of any text; a word it does not rule out (a control byte, a lead byte of
/// `C0`–`CF` or `E0`–`EF`, two spaces, `Ё`/`ё`) is looked at byte by byte with the tables. In a
/// browser's baseline compiler this is what the anchoring of a quote spends most on.
fn next_special(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The high bit of every byte of `t` that is zero (exact: no carry crosses a byte).
    let zero = |t: u64| !(((t & LOW7).wrapping_add(LOW7)) | t | LOW7);
    let flag = |j: usize| {
        FIRST[bytes[j] as usize] & SECOND[bytes.get(j + 1).copied().unwrap_or(0) as usize]
    };
    while let (Some(w), Some(n)) = (bytes.get(i..i + 8), bytes.get(i + 1..i + 9)) {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        let n = u64::from_le_bytes(n.try_into().expect("8 bytes"));
        // Bytes below 0x20 (\t..\r and other controls).
        let low = !((w & LOW7).wrapping_add(ONES * 0x60)) & !w & HIGH;
        // Lead bytes C0–CF and E0–EF (C2, CC, E1–E3 and EF among them).
        let lead = zero((w & (ONES * 0xD0)) ^ (ONES * 0xC0));
        // A space followed by a space; D0 81 (Ё); D1 91 (ё).
        let pair = |a: u8, b: u8| zero((w ^ (ONES * a as u64)) | (n ^ (ONES * b as u64)));
        if low | lead | pair(0x20, 0x20) | pair(0xD0, 0x81) | pair(0xD1, 0x91) != 0 {
            if let Some(j) = (i..i + 8).find(|&j| flag(j) != 0) {
                return j;
            }
        }
        i += 8;
    }
    while i < bytes.len() && flag(i) == 0 {
        i += 1;
    }
    i
}

/// Appends `orig` normalised to `text` and, with `pieces`, where each piece of it came from.
/// `orig[..from]` must be kept as it is (a verbatim run: [`next_special`] found nothing in it);
/// it is copied first.
fn fold_str(orig: &str, from: usize, text: &mut String, mut pieces: Option<&mut Vec<Piece>>) {
    let bytes = orig.as_bytes();
    let mut in_space = false;
    let mut prev_e = false; // previous kept char was е/Е (for a decomposed ё)
    let mut i = from;
    if from > 0 {
        let b = &bytes[..from];
        prev_e = b.ends_with("е".as_bytes()) || b.ends_with("Е".as_bytes());
        in_space = b.ends_with(b" ");
        push_verbatim_str(text, pieces.as_deref_mut(), 0, &orig[..from]);
    }
    while i < bytes.len() {
        // A verbatim run: characters that `fold` keeps (and single spaces), which only
        // change `in_space` and `prev_e` (set from the run's end below).
        let run = i;
        if !(in_space && bytes[i] == b' ') {
            i = next_special(bytes, i);
        }
        if i > run {
            let s = &orig[run..i];
            let b = s.as_bytes();
            prev_e = b.ends_with("е".as_bytes()) || b.ends_with("Е".as_bytes());
            in_space = b.ends_with(b" ");
            push_verbatim_str(text, pieces.as_deref_mut(), run, s);
            continue;
        }
        // One character that may be folded.
        let c = orig[i..].chars().next().expect("i < len, on a boundary");
        let f = fold(c);
        let f = if c == '\u{308}' && prev_e {
            Fold::Remove
        } else {
            f
        };
        prev_e = false;
        let push_atomic = |text: &mut String, pieces: Option<&mut Vec<Piece>>, s: &str| {
            if let Some(pieces) = pieces {
                pieces.push(Piece {
                    norm: text.len(),
                    orig: i,
                    norm_len: s.len(),
                    orig_len: c.len_utf8(),
                    verbatim: false,
                });
            }
            text.push_str(s);
        };
        match f {
            Fold::Remove => {}
            Fold::Space if in_space => {}
            Fold::Space if c == ' ' => {
                in_space = true;
                push_verbatim_str(text, pieces.as_deref_mut(), i, " ");
            }
            Fold::Space => {
                in_space = true;
                push_atomic(text, pieces.as_deref_mut(), " ");
            }
            Fold::Into(s) => {
                in_space = false;
                prev_e = s == "е" || s == "Е";
                push_atomic(text, pieces.as_deref_mut(), s);
            }
            Fold::Keep => {
                in_space = false;
                prev_e = c == 'е' || c == 'Е';
                push_verbatim_str(text, pieces.as_deref_mut(), i, &orig[i..i + c.len_utf8()]);
            }
        }
        i += c.len_utf8();
    }
}

fn push_verbatim_str(text: &mut String, pieces: Option<&mut Vec<Piece>>, i: usize, s: &str) {
    let n = s.len();
    let Some(pieces) = pieces else {
        text.push_str(s);
        return;
    };
    if let Some(p) = pieces.last_mut() {
        if p.verbatim && p.orig + p.orig_len == i {
            p.norm_len += n;
            p.orig_len += n;
            text.push_str(s);
            return;
        }
    }
    pieces.push(Piece {
        norm: text.len(),
        orig: i,
        norm_len: n,
        orig_len: n,
        verbatim: true,
    });
    text.push_str(s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain one-character-at-a-time normaliser (the byte-wise fast path's oracle).
    fn reference(orig: &str) -> (String, Vec<Piece>) {
        let mut text = String::new();
        let mut pieces: Vec<Piece> = Vec::new();
        let mut in_space = false;
        let mut prev_e = false;
        for (i, c) in orig.char_indices() {
            let f = if c == '\u{308}' && prev_e {
                Fold::Remove
            } else {
                fold(c)
            };
            prev_e = false;
            let mut atomic = |text: &mut String, s: &str| {
                pieces.push(Piece {
                    norm: text.len(),
                    orig: i,
                    norm_len: s.len(),
                    orig_len: c.len_utf8(),
                    verbatim: false,
                });
                text.push_str(s);
            };
            match f {
                Fold::Remove => {}
                Fold::Space if in_space => {}
                Fold::Space if c == ' ' => {
                    in_space = true;
                    push_verbatim_str(&mut text, Some(&mut pieces), i, " ");
                }
                Fold::Space => {
                    in_space = true;
                    atomic(&mut text, " ");
                }
                Fold::Into(s) => {
                    in_space = false;
                    prev_e = s == "е" || s == "Е";
                    atomic(&mut text, s);
                }
                Fold::Keep => {
                    in_space = false;
                    prev_e = c == 'е' || c == 'Е';
                    push_verbatim_str(&mut text, Some(&mut pieces), i, &orig[i..i + c.len_utf8()]);
                }
            }
        }
        (text, pieces)
    }

    /// [`next_special`] one byte at a time (its oracle).
    fn next_special_bytewise(bytes: &[u8], mut i: usize) -> usize {
        while i < bytes.len()
            && FIRST[bytes[i] as usize] & SECOND[bytes.get(i + 1).copied().unwrap_or(0) as usize]
                == 0
        {
            i += 1;
        }
        i
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn next_special_is_the_first_flagged_byte(
            bytes in prop::collection::vec(
                prop_oneof![
                    any::<u8>(),
                    prop::sample::select(vec![0x20u8, 0xD0, 0xD1, 0x81, 0x91, 0xC2, 0xCC, 0xE2]),
                ],
                0..80,
            ),
            from in 0usize..80,
        ) {
            let from = from.min(bytes.len());
            prop_assert_eq!(next_special(&bytes, from), next_special_bytewise(&bytes, from));
        }

        #[test]
        fn fast_path_matches_the_per_character_normaliser(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "Z", " ", "  ", "\t", "\n", "\r\n", "\u{B}", "\u{1C}", "\u{85}",
                    "\u{A0}", "\u{AD}", "«", "»", "\"", "'", "е", "Е", "ё", "Ё", "\u{308}",
                    "ж", "Ж", "ю", "Ѐ", "Ё", "©", "é", "\u{1680}", "\u{2003}", "\u{2009}",
                    "\u{200B}", "\u{2014}", "\u{2026}", "\u{2019}", "\u{201C}", "\u{2060}",
                    "\u{2212}", "\u{2E3A}", "\u{3000}", "\u{FEFF}", "\u{FF01}", "中", "😀",
                    "\u{E000}", "\u{205F}", "\u{2028}",
                ]),
                0..60,
            )
        ) {
            let orig = parts.concat();
            let n = Normalized::new(&orig);
            let (text, pieces) = reference(&orig);
            prop_assert_eq!(&n.text, &text);
            prop_assert_eq!(&normalize_str(&orig), &text);
            prop_assert_eq!(&n.pieces, &pieces);
        }
    }

    #[test]
    fn folds_what_readers_consider_the_same() {
        assert_eq!(
            normalize_str("«Ёлки»\u{A0}— ещё\u{AD}раз…  „да“\r\nнет’"),
            "\"Елки\" - ещераз... \"да\" нет'"
        );
        assert_eq!(normalize_str("е\u{308}ж"), "еж");
        assert_eq!(normalize_str("a\u{308}"), "a\u{308}");
    }

    #[test]
    fn maps_match_edges_back_to_original_characters() {
        let nr = |a: usize, b: usize| NormOffset(a)..NormOffset(b);
        let br = |a: usize, b: usize| ByteOffset(a)..ByteOffset(b);
        let cut = |r: Range<ByteOffset>| r.start.0..r.end.0;
        let orig = "a\u{AD}b  «ё»\u{A0}c";
        let n = Normalized::new(orig);
        assert_eq!(n.text, "ab \"е\" c");
        // "b" in normalised text is 1..2; in the original, after the soft hyphen.
        assert_eq!(n.to_orig(nr(1, 2)), br(3, 4));
        // "ab" spans the soft hyphen.
        assert_eq!(n.to_orig(nr(0, 2)), br(0, 4));
        // "b " ends after the first space only.
        assert_eq!(n.to_orig(nr(1, 3)), br(3, 5));
        // "\"е\"" is the guillemets with ё.
        assert_eq!(&orig[cut(n.to_orig(nr(3, 7)))], "«ё»");
        assert_eq!(&orig[cut(n.to_orig(nr(8, 9)))], "c");
        assert_eq!(n.to_orig(nr(9, 9)), br(orig.len(), orig.len()));
        assert_eq!(n.orig_to_norm(ByteOffset(3)), NormOffset(1));
        assert_eq!(n.orig_to_norm(ByteOffset(orig.len())), n.len());
    }

    /// Every normalised range maps to an original range on char boundaries whose text
    /// normalises back to it (up to a space at an edge, which may come from a longer run), and
    /// both directions keep order.
    fn map_is_sound(orig: &str) -> Result<(), TestCaseError> {
        let n = Normalized::new(orig);
        let bounds: Vec<usize> = (0..=n.text.len())
            .filter(|&j| n.text.is_char_boundary(j))
            .collect();
        let mut prev = ByteOffset(0);
        for &j in &bounds {
            let s = n.to_orig_start(NormOffset(j));
            prop_assert!(s >= prev, "to_orig_start not monotone at {}", j);
            prev = s;
            for &k in bounds.iter().filter(|&&k| k >= j) {
                let r = n.to_orig(NormOffset(j)..NormOffset(k));
                prop_assert!(orig.is_char_boundary(r.start.0) && orig.is_char_boundary(r.end.0));
                let back = normalize_str(&orig[r.start.0..r.end.0]);
                let want = &n.text[j..k];
                prop_assert!(
                    back == want || back.trim_matches(' ') == want.trim_matches(' '),
                    "{}..{} -> {:?}: {:?} vs {:?}",
                    j,
                    k,
                    r,
                    back,
                    want
                );
            }
        }
        let mut prev = NormOffset(0);
        for o in (0..=orig.len()).filter(|&o| orig.is_char_boundary(o)) {
            let j = n.orig_to_norm(ByteOffset(o));
            prop_assert!(j >= prev && j <= n.len() && n.text.is_char_boundary(j.0));
            prev = j;
        }
        Ok(())
    }

    #[test]
    fn every_normalised_boundary_maps_to_an_original_boundary() {
        // (No "…" here: its expansion has inner boundaries that map to its edges.)
        map_is_sound("Съешь\u{A0}\u{A0}ещё — «этих»\r\n\u{AD}мягких 😀 е\u{308}").unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_map_is_sound_on_any_text(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "a", " ", "  ", "\t", "\r\n", "\u{A0}", "\u{AD}", "«", "»", "\"", "е", "ё",
                    "Ё", "\u{308}", "ж", "😀", "\u{2014}", "\u{200B}", "\u{FEFF}", "é",
                ]),
                0..40,
            )
        ) {
            map_is_sound(&parts.concat())?;
        }
    }
}
