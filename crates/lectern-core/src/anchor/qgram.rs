//! A sampled q-gram index of one text, for finding every exact occurrence of a string without
//! scanning the text, and for the pigeonhole filter of approximate search.
//!
//! The index holds the start of every [`Q`]-byte gram that begins at a multiple of [`STEP`]
//! (bytes, so a gram may begin or end inside a character), grouped by a hash of the gram
//! (a counting sort into buckets, each bucket in ascending position order). A needle of at
//! least [`MIN_NEEDLE`] bytes, occurring at `t`, contains the sampled gram at the first multiple
//! of [`STEP`] at or after `t`, whichever `t mod STEP` is; so looking up one of the needle's
//! grams for each of the [`STEP`] possible offsets, and checking the candidates byte for byte,
//! finds every occurrence, overlapping ones included.
//!
//! Unit convention: byte offsets into the indexed text.

/// Gram length in bytes (one `u64`).
pub(crate) const Q: usize = 8;
/// Sampling step in bytes: grams start at every `STEP`-th byte of the text.
pub(crate) const STEP: usize = 8;
/// Shortest needle [`GramIndex::find_all`] handles: every offset class has a whole gram.
pub(crate) const MIN_NEEDLE: usize = Q + STEP - 1;
/// Grams considered per offset class when picking the rarest (bounds the cost for long needles).
const CHOICES: usize = 8;

/// See the module docs. Memory: about `n / STEP` `u32`s of positions and half as many bucket
/// starts (0.75 MB for a 1 MB text).
pub(crate) struct GramIndex {
    /// `64 - log2(buckets)`.
    shift: u32,
    /// Bucket `b` is `pos[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    pos: Vec<u32>,
}

#[inline(always)]
fn gram(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + Q].try_into().expect("Q bytes"))
}

impl GramIndex {
    /// Indexes `hay` (at most `u32::MAX` bytes). O(n / STEP).
    pub(crate) fn new(hay: &[u8]) -> Self {
        let n = hay.len().min(u32::MAX as usize);
        crate::work::tick(n);
        let grams = if n >= Q { (n - Q) / STEP + 1 } else { 0 };
        // About two grams per bucket.
        let bits = (grams / 2)
            .max(2)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        // Counting sort by bucket: count, then place from the back of each bucket (so
        // `starts[b]` ends up at the bucket's start, and positions come out ascending).
        let mut starts = vec![0u32; buckets + 1];
        for g in 0..grams {
            starts[hash(gram(hay, g * STEP), shift) as usize] += 1;
        }
        let mut sum = 0;
        for s in starts.iter_mut() {
            sum += *s;
            *s = sum;
        }
        let mut pos = vec![0u32; grams];
        for g in (0..grams).rev() {
            let s = &mut starts[hash(gram(hay, g * STEP), shift) as usize];
            *s -= 1;
            pos[*s as usize] = (g * STEP) as u32;
        }
        GramIndex { shift, starts, pos }
    }

    #[inline(always)]
    fn bucket(&self, g: u64) -> &[u32] {
        let h = hash(g, self.shift) as usize;
        &self.pos[self.starts[h] as usize..self.starts[h + 1] as usize]
    }

    /// Every start of `needle` in `hay` (the indexed text), ascending, overlapping occurrences
    /// included. `needle` must be at least [`MIN_NEEDLE`] bytes.
    #[cfg(test)]
    pub(crate) fn find_all(&self, hay: &[u8], needle: &[u8]) -> Vec<usize> {
        self.find_in(hay, needle, 0..=hay.len(), usize::MAX)
            .expect("no cap")
    }

    /// The starts `t` of `needle` in `hay` (the indexed text) with `t` in `starts`, ascending,
    /// overlapping occurrences included; `None` if, for some offset class, even the rarest of
    /// the needle's grams has more than `cap` sampled positions in range (a needle that common
    /// costs more to look up than it is worth). `needle` must be at least [`MIN_NEEDLE`] bytes.
    pub(crate) fn find_in(
        &self,
        hay: &[u8],
        needle: &[u8],
        starts: std::ops::RangeInclusive<usize>,
        cap: usize,
    ) -> Option<Vec<usize>> {
        debug_assert!(needle.len() >= MIN_NEEDLE);
        let mut out = Vec::new();
        if needle.len() > hay.len() || starts.is_empty() {
            return Some(out);
        }
        let whole = *starts.start() == 0 && *starts.end() >= hay.len();
        // An occurrence at t has its first sampled gram at t + j, j = (-t) mod STEP: for each j,
        // one of the grams at j, j + STEP, ... (all inside the needle) finds it. Take the
        // rarest.
        for j in 0..STEP {
            let mut best: Option<(usize, &[u32])> = None;
            for o in (j..needle.len().saturating_sub(Q - 1))
                .step_by(STEP)
                .take(CHOICES)
            {
                let b = self.bucket(gram(needle, o));
                let b = if whole {
                    b
                } else {
                    // Buckets are in ascending position order.
                    let lo = b.partition_point(|&p| (p as usize) < starts.start() + o);
                    let hi = b.partition_point(|&p| p as usize <= starts.end() + o);
                    &b[lo..hi.max(lo)]
                };
                if best.is_none_or(|(_, c)| b.len() < c.len()) {
                    best = Some((o, b));
                    // (None rarer is worth looking for.)
                    if b.len() <= 1 {
                        break;
                    }
                }
            }
            let (off, cand) = best.expect("needle has a gram at every offset below STEP");
            if cand.len() > cap {
                return None;
            }
            let g = gram(needle, off);
            for &p in cand {
                let p = p as usize;
                if p < off || gram(hay, p) != g {
                    continue;
                }
                let t = p - off;
                crate::work::tick(1 + needle.len() / 16);
                if starts.contains(&t)
                    && hay
                        .get(t..t + needle.len())
                        .is_some_and(|h| super::same_bytes(h, needle))
                {
                    out.push(t);
                }
            }
        }
        out.sort_unstable();
        Some(out)
    }
}

#[inline]
fn hash(g: u64, shift: u32) -> u32 {
    (g.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every start of `needle` in `hay`, overlapping ones included, the slow way.
    fn naive(hay: &str, needle: &str) -> Vec<usize> {
        (0..hay.len())
            .filter(|&i| hay.as_bytes()[i..].starts_with(needle.as_bytes()))
            .collect()
    }

    #[test]
    fn finds_overlapping_and_edge_occurrences() {
        let hay = "абабабабабабабабабаб конец абабабабабабабаб";
        let idx = GramIndex::new(hay.as_bytes());
        let needle = "абабабабаб";
        assert_eq!(
            idx.find_all(hay.as_bytes(), needle.as_bytes()),
            naive(hay, needle)
        );
        let tail = "бабабабабаб";
        assert_eq!(
            idx.find_all(hay.as_bytes(), tail.as_bytes()),
            naive(hay, tail)
        );
        assert!(idx
            .find_all(hay.as_bytes(), "нет такого текста".as_bytes())
            .is_empty());
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!["а", "б", "ё", "😀", " ", "ab", "абв", "x", "\n"]),
            0..400,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn index_finds_exactly_the_naive_occurrences(
            hay in text_strategy(),
            from in any::<prop::sample::Index>(),
            len in MIN_NEEDLE..80usize,
            other in text_strategy(),
        ) {
            let idx = GramIndex::new(hay.as_bytes());
            // A needle cut from the text (on char boundaries) and a made-up one.
            let chars: Vec<(usize, char)> = hay.char_indices().collect();
            if !chars.is_empty() {
                let s = chars[from.index(chars.len())].0;
                let mut e = (s + len).min(hay.len());
                while !hay.is_char_boundary(e) {
                    e += 1;
                }
                let needle = &hay[s..e];
                if needle.len() >= MIN_NEEDLE {
                    let got = idx.find_all(hay.as_bytes(), needle.as_bytes());
                    prop_assert!(got.contains(&s));
                    prop_assert_eq!(got, naive(&hay, needle));
                }
            }
            // Restricted to a range of starts.
            if chars.len() > 2 && hay.len() >= MIN_NEEDLE + 4 {
                let needle = &hay[chars[from.index(chars.len())].0..];
                let mut e = MIN_NEEDLE.min(needle.len());
                while !needle.is_char_boundary(e) {
                    e += 1;
                }
                let needle = &needle[..e];
                if needle.len() >= MIN_NEEDLE {
                    let (lo, hi) = (hay.len() / 4, hay.len() / 2);
                    let want: Vec<usize> = naive(&hay, needle)
                        .into_iter()
                        .filter(|t| (lo..=hi).contains(t))
                        .collect();
                    prop_assert_eq!(
                        idx.find_in(hay.as_bytes(), needle.as_bytes(), lo..=hi, usize::MAX),
                        Some(want)
                    );
                }
            }
            if other.len() >= MIN_NEEDLE {
                prop_assert_eq!(
                    idx.find_all(hay.as_bytes(), other.as_bytes()),
                    naive(&hay, &other)
                );
            }
        }
    }
}
