//! Myers' bit-parallel edit distance (Myers 1999, with Hyyrö's multi-word blocks), over chars.
//!
//! For a pattern `P` of `m` code points and a text `T` consumed one code point at a time, the
//! [`Myers`] state keeps one column of the edit-distance matrix `D` as bit vectors (a +1/−1
//! vertical delta per row, 64 rows per word) and reports `D[m][j]` after each text char, in
//! O(⌈m/64⌉) word operations per char:
//! - *search* mode: `D[0][j] = 0`, so `D[m][j]` is the least number of edits (insertions,
//!   deletions, substitutions, each cost 1) turning `P` into some substring of `T` ending at `j`;
//! - *anchored* mode: `D[0][j] = j`, so `D[m][j]` is the edit distance between `P` and `T[..j]`.
//!
//! Unit convention: everything here counts code points; callers map to bytes.

/// A pattern compiled into per-character match masks (`Peq`).
pub(crate) struct Pattern {
    m: usize,
    blocks: usize,
    /// Bit of the pattern's last row within the last block.
    last_bit: u64,
    /// `blocks` words per distinct pattern char; entry 0 (all zero) is for chars not in it.
    peq: Vec<u64>,
    /// Index into `peq` (in units of `blocks`) for chars below `SMALL`; 0 = absent.
    small: Vec<u32>,
    /// Sorted `(char, index)` for chars at or above `SMALL`.
    big: Vec<(char, u32)>,
}

/// Chars below this get an O(1) table lookup (covers Latin, Greek, Cyrillic, punctuation).
const SMALL: usize = 0x500;

impl Pattern {
    pub(crate) fn new(chars: &[char]) -> Self {
        let m = chars.len();
        crate::work::tick(m);
        let blocks = m.div_ceil(64).max(1);
        let mut peq = vec![0u64; blocks];
        let mut small = vec![0u32; SMALL];
        let mut big: Vec<(char, u32)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            let idx = if (c as usize) < SMALL {
                if small[c as usize] == 0 {
                    small[c as usize] = (peq.len() / blocks) as u32;
                    peq.extend(std::iter::repeat_n(0, blocks));
                }
                small[c as usize]
            } else {
                match big.iter().find(|&&(b, _)| b == c) {
                    Some(&(_, idx)) => idx,
                    None => {
                        let idx = (peq.len() / blocks) as u32;
                        peq.extend(std::iter::repeat_n(0, blocks));
                        big.push((c, idx));
                        idx
                    }
                }
            };
            peq[idx as usize * blocks + i / 64] |= 1 << (i % 64);
        }
        big.sort_unstable();
        Pattern {
            m,
            blocks,
            last_bit: 1 << ((m.max(1) - 1) % 64),
            peq,
            small,
            big,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.m
    }

    #[inline]
    fn eq(&self, c: char) -> &[u64] {
        let idx = if (c as usize) < SMALL {
            self.small[c as usize] as usize
        } else {
            match self.big.binary_search_by_key(&c, |&(b, _)| b) {
                Ok(k) => self.big[k].1 as usize,
                Err(_) => 0,
            }
        };
        &self.peq[idx * self.blocks..(idx + 1) * self.blocks]
    }
}

/// One column of the edit-distance matrix, advanced one text char at a time.
pub(crate) struct Myers<'p> {
    pat: &'p Pattern,
    pv: Vec<u64>,
    mv: Vec<u64>,
    score: usize,
    /// Horizontal delta entering the top row: 0 in search mode, +1 in anchored mode.
    top_hin: i32,
}

/// Advances one 64-row block by one column (Hyyrö's formulation, as in edlib). `hin` is the
/// horizontal delta (−1, 0, +1) entering the block's top; returns the delta leaving the row
/// marked by `high` (the block's last row).
#[inline]
fn advance_block(pv: &mut u64, mv: &mut u64, eq: u64, hin: i32, high: u64) -> i32 {
    let hin_neg = u64::from(hin < 0);
    let xv = eq | *mv;
    let eq = eq | hin_neg;
    let xh = (((eq & *pv).wrapping_add(*pv)) ^ *pv) | eq;
    let mut ph = *mv | !(xh | *pv);
    let mut mh = *pv & xh;
    let hout = i32::from(ph & high != 0) - i32::from(mh & high != 0);
    ph <<= 1;
    mh <<= 1;
    mh |= hin_neg;
    ph |= u64::from(hin > 0);
    *pv = mh | !(xv | ph);
    *mv = ph & xv;
    hout
}

impl<'p> Myers<'p> {
    pub(crate) fn new(pat: &'p Pattern, anchored: bool) -> Self {
        Myers {
            pat,
            pv: vec![!0; pat.blocks],
            mv: vec![0; pat.blocks],
            score: pat.m,
            top_hin: i32::from(anchored),
        }
    }

    /// Consumes one text char and returns `D[m][j]` for the new `j`.
    #[inline]
    pub(crate) fn step(&mut self, c: char) -> usize {
        let pat = self.pat;
        if pat.m == 0 {
            // An empty pattern matches everywhere (search) or costs j (anchored) — but callers
            // never build one; keep the arithmetic defined anyway.
            self.score += self.top_hin as usize;
            return self.score;
        }
        let eq = pat.eq(c);
        crate::work::tick(pat.blocks);
        let mut h = self.top_hin;
        let last = pat.blocks - 1;
        let blocks = self.pv.iter_mut().zip(self.mv.iter_mut()).zip(eq);
        for (b, ((pv, mv), &eq)) in blocks.enumerate() {
            let high = if b == last { pat.last_bit } else { 1 << 63 };
            h = advance_block(pv, mv, eq, h, high);
        }
        self.score = (self.score as i64 + i64::from(h)) as usize;
        self.score
    }
}

/// The least `D[m][j]` over `j ≤ max_len` in anchored mode, i.e. the best alignment of all of
/// `pat` with a prefix of `text` (of at most `max_len` chars), and that prefix's length.
/// Among equally good lengths, the one closest to `m` wins. O(max_len · ⌈m/64⌉).
pub(crate) fn best_prefix_alignment(
    pat: &Pattern,
    text: impl Iterator<Item = char>,
    max_len: usize,
) -> (usize, usize) {
    let m = pat.len();
    let mut st = Myers::new(pat, true);
    let mut best = (m, 0usize); // j = 0: delete the whole pattern
    for (j, c) in text.take(max_len).enumerate() {
        let d = st.step(c);
        let j = j + 1;
        if d < best.0 || (d == best.0 && j.abs_diff(m) < best.1.abs_diff(m)) {
            best = (d, j);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook O(m·n) dynamic programme: the last row of D for every j.
    fn dp_last_row(p: &[char], t: &[char], anchored: bool) -> Vec<usize> {
        let m = p.len();
        let mut col: Vec<usize> = (0..=m).collect();
        let mut out = Vec::with_capacity(t.len());
        for (j, &c) in t.iter().enumerate() {
            let mut next = vec![if anchored { j + 1 } else { 0 }; m + 1];
            for i in 1..=m {
                let sub = col[i - 1] + usize::from(p[i - 1] != c);
                next[i] = sub.min(col[i] + 1).min(next[i - 1] + 1);
            }
            out.push(next[m]);
            col = next;
        }
        out
    }

    fn run(p: &[char], t: &[char], anchored: bool) -> Vec<usize> {
        let pat = Pattern::new(p);
        let mut st = Myers::new(&pat, anchored);
        t.iter().map(|&c| st.step(c)).collect()
    }

    #[test]
    fn small_examples() {
        let p: Vec<char> = "жук".chars().collect();
        let t: Vec<char> = "большой жкук 😀".chars().collect();
        let got = run(&p, &t, false);
        assert_eq!(got.iter().min(), Some(&1));
        assert_eq!(got, dp_last_row(&p, &t, false));
        assert_eq!(
            best_prefix_alignment(&Pattern::new(&p), "жкук!".chars(), 10),
            // "жк" (drop у) and "жкук" (insert к) both cost 1 and are equally far from m = 3;
            // the shorter, found first, is kept.
            (1, 2)
        );
        assert_eq!(
            best_prefix_alignment(&Pattern::new(&p), "жукк".chars(), 10),
            (0, 3)
        );
    }

    fn chars_strategy(max: usize) -> impl Strategy<Value = Vec<char>> {
        // A small alphabet makes near-matches (and thus interesting distances) common.
        prop::collection::vec(
            prop::sample::select(vec!['a', 'b', 'c', 'ж', 'ё', '😀', ' ']),
            1..max,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn matches_the_dp_oracle_in_both_modes(p in chars_strategy(200), t in chars_strategy(300)) {
            prop_assert_eq!(run(&p, &t, false), dp_last_row(&p, &t, false));
            prop_assert_eq!(run(&p, &t, true), dp_last_row(&p, &t, true));
        }

        #[test]
        fn best_prefix_alignment_is_the_row_minimum(p in chars_strategy(100), t in chars_strategy(150)) {
            let row = dp_last_row(&p, &t, true);
            let want = row.iter().copied().chain([p.len()]).min().unwrap();
            let (d, j) = best_prefix_alignment(&Pattern::new(&p), t.iter().copied(), usize::MAX);
            prop_assert_eq!(d, want);
            prop_assert!(j == 0 && d == p.len() || row[j - 1] == d);
        }
    }
}
