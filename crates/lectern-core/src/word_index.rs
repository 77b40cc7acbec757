//! A word index of the library's texts, for searching thousands of articles as the reader
//! types: each folded word ([`crate::search::fold`]: case, ё/е) maps to the articles that
//! contain it. A query matches the articles containing, for each of its words, a word that
//! starts with it (so "ежик" finds "Ёжика", and the word being typed matches as it grows).
//!
//! Built once from the stored texts, then kept up to date article by article ([`WordIndex::add`],
//! [`WordIndex::remove`]). A query costs the words that start with each query word (a range of
//! a sorted map) and a bit set per word — not a scan of the texts.

use std::collections::{BTreeMap, HashMap};

use crate::search::fold;

#[derive(Debug, Clone, Default)]
pub struct WordIndex {
    /// Article ids by number (a removed article's slot is `None`).
    ids: Vec<Option<String>>,
    numbers: HashMap<String, u32>,
    /// Folded word → the numbers of the articles containing it, ascending.
    words: BTreeMap<String, Vec<u32>>,
}

/// Whether `c` is a letter or digit ([`char::is_alphanumeric`]), answered without Unicode's
/// tables for ASCII and the Cyrillic block, which is most of what Lectern's texts are made of
/// (the tables made building the index of a big Russian library take seconds).
fn is_word_char(c: char) -> bool {
    match c {
        '0'..='9' | 'a'..='z' | 'A'..='Z' => true,
        '\0'..='\u{7f}' => false,
        // Cyrillic: letters, but for the thousands sign and the combining marks.
        '\u{400}'..='\u{481}' | '\u{48a}'..='\u{4ff}' => true,
        '\u{482}'..='\u{489}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// The words of `text`, unfolded: runs of letters and digits.
fn raw_words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// The words of `text`, folded.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    raw_words(text).map(fold)
}

/// The article numbers of a kept word line: the first as it is, then differences of at least
/// one, each below `count`; `None` for anything else.
fn read_numbers(list: &str, count: usize) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(list.len() / 2 + 1);
    let mut prev: Option<u32> = None;
    for d in list.split(',') {
        if d.is_empty() || d.len() > 10 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let d = d.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        let n = match prev {
            None => d,
            Some(_) if d == 0 => return None,
            Some(p) => u64::from(p) + d,
        };
        if n >= count as u64 {
            return None;
        }
        out.push(n as u32);
        prev = Some(n as u32);
    }
    Some(out)
}

/// The first line of a kept index ([`WordIndex::to_stored`]).
const STORED_FORMAT: &str = "lectern-word-index 1";

impl WordIndex {
    pub fn new() -> WordIndex {
        WordIndex::default()
    }

    /// How many articles are indexed.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.numbers.contains_key(id)
    }

    /// Index article `id`'s `text` (again, if it was: its old words go first).
    pub fn add(&mut self, id: &str, text: &str) {
        self.remove(id);
        let n = self.ids.len() as u32;
        self.ids.push(Some(id.to_owned()));
        self.numbers.insert(id.to_owned(), n);
        // Each distinct word once (folded once, not at every occurrence).
        let distinct: std::collections::HashSet<&str> = raw_words(text).collect();
        let seen: std::collections::HashSet<String> = distinct.into_iter().map(fold).collect();
        for w in seen {
            // Numbers only grow, so pushing keeps each list ascending.
            self.words.entry(w).or_default().push(n);
        }
    }

    /// Forget article `id` (its words stay in the map until they match nothing: a lookup skips
    /// removed numbers).
    pub fn remove(&mut self, id: &str) {
        if let Some(n) = self.numbers.remove(id) {
            self.ids[n as usize] = None;
        }
    }

    /// The index as text, to keep between visits ([`WordIndex::from_stored`]), with only the
    /// articles `keep` admits (the others' numbers are dropped and the rest renumbered).
    ///
    /// The format: a first line naming it and its version, the number of articles, one id
    /// per line, then one line per word: the word, a tab, and its article numbers as
    /// differences from the one before (the first as it is), separated by commas; and last
    /// `#end` with the number of word lines, so a text cut short is never taken for a
    /// smaller index (which would miss matches).
    pub fn to_stored(&self, keep: impl Fn(&str) -> bool) -> String {
        let mut renumber: Vec<Option<u32>> = vec![None; self.ids.len()];
        let mut kept: Vec<&str> = Vec::new();
        for (n, id) in self.ids.iter().enumerate() {
            if let Some(id) = id.as_deref().filter(|id| keep(id)) {
                renumber[n] = Some(kept.len() as u32);
                kept.push(id);
            }
        }
        let mut out = format!("{STORED_FORMAT}\n{}\n", kept.len());
        for id in &kept {
            out.push_str(id);
            out.push('\n');
        }
        let mut lines = 0usize;
        for (word, list) in &self.words {
            let mut prev: Option<u32> = None;
            for n in list.iter().filter_map(|&n| renumber[n as usize]) {
                if prev.is_none() {
                    out.push_str(word);
                    out.push('\t');
                } else {
                    out.push(',');
                }
                let d = n - prev.unwrap_or(0);
                out.push_str(&d.to_string());
                prev = Some(n);
            }
            if prev.is_some() {
                out.push('\n');
                lines += 1;
            }
        }
        out.push_str(&format!("#end {lines}\n"));
        out
    }

    /// An index kept by [`WordIndex::to_stored`]; `None` for anything else (another version,
    /// a cut or altered text): the caller builds the index again from the texts.
    pub fn from_stored(s: &str) -> Option<WordIndex> {
        let mut lines = s.split('\n');
        if lines.next()? != STORED_FORMAT {
            return None;
        }
        let count: usize = lines.next()?.parse().ok()?;
        let mut ix = WordIndex::new();
        for n in 0..count {
            let id = lines.next()?;
            if id.is_empty() || ix.numbers.insert(id.to_owned(), n as u32).is_some() {
                return None;
            }
            ix.ids.push(Some(id.to_owned()));
        }
        let mut last_word: Option<&str> = None;
        let mut words: Vec<(String, Vec<u32>)> = Vec::new();
        for (seen, line) in lines.by_ref().enumerate() {
            if let Some(n) = line.strip_prefix("#end ") {
                if n.parse() != Ok(seen) || !lines.all(str::is_empty) {
                    return None;
                }
                // In order already: the map is built in one pass, not word by word.
                ix.words = words.into_iter().collect();
                return Some(ix);
            }
            let (word, list) = line.split_once('\t')?;
            // Each word once, in order.
            if word.is_empty() || last_word.is_some_and(|w| w >= word) {
                return None;
            }
            last_word = Some(word);
            words.push((word.to_owned(), read_numbers(list, count)?));
        }
        // No `#end`: cut short.
        None
    }

    /// The ids of the articles that contain, for every word of `query`, a word starting with
    /// it; `None` for a query without words (everything matches).
    pub fn search(&self, query: &str) -> Option<Vec<&str>> {
        let q: Vec<String> = words(query).collect();
        if q.is_empty() {
            return None;
        }
        let slots = self.ids.len();
        let mut all: Option<Vec<u64>> = None;
        for w in &q {
            let mut bits = vec![0u64; slots.div_ceil(64)];
            let from: std::ops::Bound<&str> = std::ops::Bound::Included(w.as_str());
            for (word, list) in self
                .words
                .range::<str, _>((from, std::ops::Bound::Unbounded))
            {
                if !word.starts_with(w.as_str()) {
                    break;
                }
                for &n in list {
                    bits[n as usize / 64] |= 1 << (n % 64);
                }
            }
            all = Some(match all {
                None => bits,
                Some(mut acc) => {
                    for (a, b) in acc.iter_mut().zip(&bits) {
                        *a &= *b;
                    }
                    acc
                }
            });
        }
        let bits = all.unwrap_or_default();
        Some(
            (0..slots)
                .filter(|&n| bits[n / 64] & (1 << (n % 64)) != 0)
                .filter_map(|n| self.ids[n].as_deref())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_characters_are_exactly_the_alphanumeric_ones() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric(),
                "{c:?} U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn words_match_by_prefix_across_case_and_yo() {
        let mut ix = WordIndex::new();
        ix.add("a", "Ёжик в тумане увидел лошадь.");
        ix.add("b", "Ежи живут в лесу; ёжик — тоже.");
        ix.add("c", "Nothing about hedgehogs here.");
        let mut got = ix.search("ежик").unwrap();
        got.sort_unstable();
        assert_eq!(got, ["a", "b"]);
        assert_eq!(ix.search("ЁЖИК ТУМ").unwrap(), ["a"]);
        assert_eq!(ix.search("hedge").unwrap(), ["c"]);
        assert!(ix.search("нет такого").unwrap().is_empty());
        assert_eq!(ix.search("  ,. "), None);
        // Removed and re-added articles.
        ix.remove("a");
        assert_eq!(ix.search("туман").unwrap(), Vec::<&str>::new());
        ix.add("b", "Совсем другой текст");
        assert!(ix.search("ежик").unwrap().is_empty());
        assert_eq!(ix.search("друг").unwrap(), ["b"]);
        assert_eq!(ix.len(), 2);
    }

    #[test]
    fn a_kept_index_cut_short_or_altered_is_refused() {
        let mut ix = WordIndex::new();
        ix.add("a", "Ёжик в тумане");
        ix.add("b", "Медвежонок считал звёзды");
        let kept = ix.to_stored(|_| true);
        assert!(WordIndex::from_stored(&kept).is_some());
        // Cut anywhere before its end (at a line's end too), it is not an index.
        for cut in (0..kept.len() - 1).filter(|&i| kept.is_char_boundary(i)) {
            assert!(
                WordIndex::from_stored(&kept[..cut]).is_none(),
                "cut at {cut}"
            );
        }
        for bad in [
            kept.replace("lectern-word-index 1", "lectern-word-index 2"),
            kept.replacen("\n2\n", "\n3\n", 1),
            kept.replace("#end", "#fin"),
            kept.replacen("\t0", "\t7", 1),
            kept.replacen("\t1", "\t1,0", 1),
            kept.replacen("\t", "", 1),
            String::new(),
        ] {
            assert!(WordIndex::from_stored(&bad).is_none(), "{bad:?}");
        }
    }

    proptest! {
        /// The index answers as the obvious definition does: every query word is the start of
        /// some folded word of the text.
        #[test]
        fn the_index_agrees_with_scanning(
            texts in prop::collection::vec("[абвгдеёжa-c ,.]{0,40}", 1..6),
            query in "[абвгдеёжa-cАБЁ ]{0,8}",
        ) {
            let mut ix = WordIndex::new();
            for (i, t) in texts.iter().enumerate() {
                ix.add(&format!("id{i}"), t);
            }
            let qw: Vec<String> = words(&query).collect();
            let want: Vec<String> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    let tw: Vec<String> = words(t).collect();
                    qw.iter().all(|q| tw.iter().any(|w| w.starts_with(q.as_str())))
                })
                .map(|(i, _)| format!("id{i}"))
                .collect();
            match ix.search(&query) {
                None => prop_assert!(qw.is_empty()),
                Some(got) => prop_assert_eq!(got, want.iter().map(String::as_str).collect::<Vec<_>>()),
            }
        }

        /// A kept index, read back, answers every query as an index built from the kept
        /// articles' texts alone.
        #[test]
        fn a_kept_index_answers_as_one_built_again(
            texts in prop::collection::vec("[абвгдеёжa-cİ ,.]{0,40}", 1..7),
            keep in prop::collection::vec(any::<bool>(), 7),
            removed in 0usize..8,
            queries in prop::collection::vec("[абвгдеёжa-cАБЁi ]{0,6}", 1..5),
        ) {
            let mut ix = WordIndex::new();
            for (i, t) in texts.iter().enumerate() {
                ix.add(&format!("id{i}"), t);
            }
            ix.remove(&format!("id{removed}"));
            let kept_id = |i: usize| keep[i] && i != removed;
            let back = WordIndex::from_stored(&ix.to_stored(|id| {
                kept_id(id[2..].parse().unwrap())
            }))
            .expect("a kept index reads back");
            let mut fresh = WordIndex::new();
            for (i, t) in texts.iter().enumerate().filter(|(i, _)| kept_id(*i)) {
                fresh.add(&format!("id{i}"), t);
            }
            prop_assert_eq!(back.len(), fresh.len());
            for q in &queries {
                prop_assert_eq!(back.search(q), fresh.search(q));
            }
        }
    }
}
