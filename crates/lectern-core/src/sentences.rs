//! Sentences of an article, for reading it aloud: where each one starts and ends.
//!
//! The rules are the plain-text parser's ([`crate::parse::plain`]), which already decides where
//! a full stop glued to a capital letter ends a sentence (`…персонала.В заключение…`) and where
//! it does not (initials `А.С.`, abbreviations `г.Москва`, `Mr.Smith`, decimals, domains and
//! URLs). Here the same exceptions apply to the ordinary case, punctuation followed by a space:
//!
//! - a sentence ends after a run of `.`, `!`, `?`, `…` (and the closing quotes or brackets
//!   after it) followed by whitespace and then a capital letter or a digit (opening quotes or
//!   brackets before it are skipped: `сказал он. «Мы…`), or glued to a capital letter as the
//!   parser splits paragraphs ([`crate::parse::plain::glued_break`]);
//! - not after a single letter (`А. С. Пушкин`, `т. е.`) or an abbreviation of the parser's list
//!   (`г. Москва`, `Mr. Smith`, `ул. Ленина`), nor after a number (`1. Введение`);
//! - a block (paragraph, heading, list item) always ends a sentence;
//! - whitespace between sentences belongs to neither.
//!
//! Offsets are **UTF-8 bytes**: of the string given ([`split`]), or of the article's text
//! ([`article_sentences`], which also names the block). The reader converts them to the DOM's
//! UTF-16 through [`crate::text::ArticleText`]. Linear in the text (counted by [`crate::work`]).

use std::ops::Range;

use crate::parse::plain::{glued_break, is_abbreviation_before, punctuation_run_end, SENTENCE_END};
use crate::text::{ArticleText, ByteOffset};
use crate::work;

/// Opening quotes and brackets that may stand before a sentence's first letter.
const OPENERS: [char; 8] = ['«', '"', '“', '„', '‘', '\'', '(', '['];

/// One sentence of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The block it is in.
    pub block: usize,
    /// Bytes of the article's text (blocks joined by `"\n"`), without surrounding whitespace.
    pub range: Range<ByteOffset>,
}

/// The sentences of `text` (one block's text), as byte ranges without the whitespace between
/// them, in order. Blank text has none.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    work::tick(chars.len());
    let mut ends: Vec<usize> = Vec::new();
    let mut token = None;
    let mut i = 0;
    while i < chars.len() {
        if !SENTENCE_END.contains(&chars[i].1) {
            i += 1;
            continue;
        }
        let run_start = i;
        let j = punctuation_run_end(&chars, i);
        i = j.max(i + 1);
        let Some(&(after, next)) = chars.get(j) else {
            break;
        };
        let ends_here = if next.is_whitespace() {
            spaced_break(&chars, run_start, j)
        } else {
            glued_break(text, &chars, run_start, j, &mut token)
        };
        if ends_here {
            ends.push(after);
        }
    }
    ends.push(text.len());
    let mut out = Vec::with_capacity(ends.len());
    let mut from = 0;
    for end in ends {
        let piece = &text[from..end];
        let start = from + (piece.len() - piece.trim_start().len());
        let stop = from + piece.trim_end().len();
        if start < stop {
            out.push(start..stop);
        }
        from = end;
    }
    out
}

/// Whether the punctuation `chars[run_start..j]`, followed by whitespace at `chars[j]`, ends a
/// sentence (see the module documentation).
fn spaced_break(chars: &[(usize, char)], run_start: usize, j: usize) -> bool {
    let mut k = j;
    while k < chars.len() && chars[k].1.is_whitespace() {
        k += 1;
    }
    while k < chars.len() && OPENERS.contains(&chars[k].1) {
        k += 1;
    }
    work::tick(k - j);
    let Some(&(_, next)) = chars.get(k) else {
        return false;
    };
    if !(next.is_uppercase() || next.is_ascii_digit()) {
        return false;
    }
    // A lone full stop after an initial, an abbreviation or a number is not a sentence end.
    let lone_stop = chars[run_start].1 == '.'
        && !chars[run_start + 1..j]
            .iter()
            .any(|&(_, c)| SENTENCE_END.contains(&c));
    !(lone_stop && is_abbreviation_before(chars, run_start))
}

/// Every sentence of the article whose text is `text`, in reading order.
pub fn article_sentences(text: &ArticleText) -> Vec<Sentence> {
    let mut out = Vec::new();
    for block in 0..text.block_count() {
        let start = text.block_range(block).start;
        for r in split(text.block_text(block)) {
            out.push(Sentence {
                block,
                range: ByteOffset(start.0 + r.start)..ByteOffset(start.0 + r.end),
            });
        }
    }
    out
}

/// The index of the sentence that contains `at` (bytes of the article's text), or the first
/// one after it (`at` between two sentences); `None` after the last.
pub fn sentence_at(sentences: &[Sentence], at: ByteOffset) -> Option<usize> {
    let i = sentences.partition_point(|s| s.range.end <= at);
    (i < sentences.len()).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::seed_article;
    use proptest::prelude::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn the_samples_sentences() {
        let seed = seed_article();
        let at = seed.article_text();
        let all = article_sentences(&at);
        let of_block = |b: usize| -> Vec<&str> {
            all.iter()
                .filter(|s| s.block == b)
                .map(|s| &at.as_str()[s.range.start.0..s.range.end.0])
                .collect()
        };
        // The lead is one sentence.
        assert_eq!(
            of_block(0),
            ["В условиях продолжающейся динамики международных отношений Россия и Азербайджан сохраняют активный диалог на высоком дипломатическом уровне."]
        );
        // A paragraph of five sentences, the second starting "В ходе беседы".
        let b1 = of_block(1);
        assert_eq!(b1.len(), 5, "{b1:#?}");
        assert!(b1[0].starts_with("21 ноября в Москве"));
        assert!(b1[0].ends_with("Рахманом Мустафаевым."));
        assert!(b1[1].starts_with("В ходе беседы"));
        assert!(b1[4].ends_with("с азербайджанской стороной."));
        // A sentence may start with a number ("14 ноября …").
        let b2 = of_block(2);
        assert!(b2[0].starts_with("В последние дни"));
        assert!(
            b2[1].starts_with("14 ноября азербайджанская сторона"),
            "{b2:#?}"
        );
        // "ЗРК Patriot" and "ПВО" are inside sentences; "РИА Новости" too.
        assert!(all.iter().all(|s| {
            let t = &at.as_str()[s.range.start.0..s.range.end.0];
            !t.starts_with("Patriot") && !t.starts_with("Новости")
        }));
        // Every sentence is non-blank, trimmed, inside its block, in order, without overlaps.
        let mut last = ByteOffset(0);
        for s in &all {
            let t = &at.as_str()[s.range.start.0..s.range.end.0];
            assert_eq!(t, t.trim());
            assert!(!t.is_empty());
            assert!(s.range.start >= last);
            assert!(at.block_range(s.block).start <= s.range.start);
            assert!(s.range.end <= at.block_range(s.block).end);
            last = s.range.end;
        }
        // Sentences per block, counted by hand: 29 in all after the title.
        let per_block: Vec<usize> = (0..at.block_count())
            .map(|b| all.iter().filter(|s| s.block == b).count())
            .collect();
        assert_eq!(per_block, [1, 5, 4, 3, 2, 5, 4, 3, 2]);
    }

    #[test]
    fn sentence_cases() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("two sentences", "Первое. Второе.", &["Первое.", "Второе."]),
            (
                "question and exclamation",
                "Кто там? Я! Ну…  Да.",
                &["Кто там?", "Я!", "Ну…", "Да."],
            ),
            (
                "initials with spaces",
                "Об этом писал А. С. Пушкин. Потом Л. Н. Толстой.",
                &["Об этом писал А. С. Пушкин.", "Потом Л. Н. Толстой."],
            ),
            (
                "glued initials",
                "Это А.С.Пушкин написал. Да.",
                &["Это А.С.Пушкин написал.", "Да."],
            ),
            (
                "abbreviations",
                "Он живёт в г. Москва на ул. Ленина. Mr. Smith agrees. Dr. Who too.",
                &[
                    "Он живёт в г. Москва на ул. Ленина.",
                    "Mr. Smith agrees.",
                    "Dr. Who too.",
                ],
            ),
            (
                "lowercase after a stop",
                "Это т. е. то самое. И всё.",
                &["Это т. е. то самое.", "И всё."],
            ),
            (
                "glued sentences, as the parser splits them",
                "Конец фразы.Новая фраза. Ещё.",
                &["Конец фразы.", "Новая фраза.", "Ещё."],
            ),
            (
                "quotes close and open",
                "Он сказал: «Уходи!» Она ответила. «Нет», — сказала.",
                &["Он сказал: «Уходи!»", "Она ответила.", "«Нет», — сказала."],
            ),
            (
                "numbers, decimals and domains",
                "Цена 3.5 рубля на ria.ru сегодня. 1. Введение. 2024 год был долгим.",
                &[
                    "Цена 3.5 рубля на ria.ru сегодня.",
                    "1. Введение.",
                    "2024 год был долгим.",
                ],
            ),
            (
                "a sentence starting with a number",
                "Встреча прошла. 14 ноября пришёл ответ.",
                &["Встреча прошла.", "14 ноября пришёл ответ."],
            ),
            ("no final stop", "Без точки в конце", &["Без точки в конце"]),
            ("blank", "   ", &[]),
            (
                "English with U.S.",
                "The U.S. Senate voted. It passed.",
                &["The U.S. Senate voted.", "It passed."],
            ),
        ];
        for (name, text, want) in cases {
            assert_eq!(texts(text), *want, "{name}");
        }
    }

    #[test]
    fn sentence_at_finds_the_sentence_or_the_next() {
        let a = crate::article::Article::from_lines("x", "T", "Один. Два.\nТри.");
        let t = a.article_text();
        let s = article_sentences(&t);
        assert_eq!(s.len(), 3);
        assert_eq!(sentence_at(&s, ByteOffset(0)), Some(0));
        // The space between "Один." and "Два.": the next sentence.
        let space = t.as_str().find(' ').unwrap();
        assert_eq!(sentence_at(&s, ByteOffset(space)), Some(1));
        assert_eq!(sentence_at(&s, ByteOffset(space + 1)), Some(1));
        assert_eq!(s[2].block, 1);
        assert_eq!(sentence_at(&s, ByteOffset(t.as_str().len())), None);
    }

    #[test]
    fn splitting_is_linear() {
        for rep in ["А. ", "a. B", "Ab.Cd ", "?! «", " . "] {
            let text = rep.repeat(20_000);
            work::take();
            let _ = split(&text);
            let steps = work::take() / text.len() as u64;
            assert!(steps <= 16, "{rep:?}: {steps} steps per byte");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Sentences tile the text: in order, trimmed, non-empty, and only whitespace is left
        /// between them.
        #[test]
        fn sentences_tile_the_text(text in "[a-zA-Zа-яА-ЯёЁ0-9 .!?…«»\"()\n]{0,120}") {
            let ranges = split(&text);
            let mut at = 0;
            for r in &ranges {
                prop_assert!(r.start >= at && r.start < r.end);
                prop_assert!(text[at..r.start].trim().is_empty());
                prop_assert_eq!(text[r.clone()].trim(), &text[r.clone()]);
                at = r.end;
            }
            prop_assert!(text[at..].trim().is_empty());
        }
    }
}
