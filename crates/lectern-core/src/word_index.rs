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
    }
}
