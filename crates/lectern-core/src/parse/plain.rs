//! Plain text → [`Article`], recovering the structure that copying from the web loses.
//!
//! Real pasted text is messy: paragraphs separated by blank lines or one per line, paragraph
//! breaks lost altogether (`…персонала.В заключение…`: a sentence end glued to the next
//! sentence's capital letter), and a source credit glued to the end (`…конфликты.Источник и
//! фото - ria.ru`). The parser:
//!
//! 1. normalises line ends (CRLF, CR), drops a BOM and control characters the reader would not
//!    show ([`super::is_removed_control`]: NUL, DEL, …; tabs and form feeds stay whitespace);
//! 2. groups lines into paragraphs: by blank lines when the text has them (joining hard-wrapped
//!    lines), else one paragraph per line;
//! 3. takes the first paragraph as the title when it looks like one (short, no final full stop);
//! 4. splits paragraphs where sentence-ending punctuation is glued to a capital letter, leaving
//!    initials (`А.С. Пушкин`, `U.S.`), abbreviations (`т.е.`, `г.Москва`, `Mr.Smith`), decimals
//!    (`3.5`), domains and URLs (`ria.ru`, `www.Example.com`) alone;
//! 5. recognises a trailing source line (`Источник: …`, `Source - …`) and moves it out of the body.

use crate::article::{Article, Block, BlockKind, Source};
use crate::lang::guess_language;
use crate::work;

/// The longest first paragraph still taken as a title.
const MAX_TITLE_CHARS: usize = 200;

/// Parse plain text into an article with the given id. Never fails: empty input gives an
/// article with an empty title and no blocks.
pub fn parse_plain(id: &str, input: &str) -> Article {
    work::tick(input.len());
    let text = input.strip_prefix('\u{feff}').unwrap_or(input);
    let text = super::strip_controls(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = group_paragraphs(&text);

    let title = match paragraphs.first() {
        Some(first) if paragraphs.len() > 1 && looks_like_title(first) => paragraphs.remove(0),
        Some(first) => derive_title(first),
        None => String::new(),
    };

    let mut body: Vec<String> = paragraphs
        .iter()
        .flat_map(|p| split_glued_sentences(p))
        .map(str::to_owned)
        .collect();

    let source = take_source(&mut body);

    let (lang, dir) = guess_language(&body.join("\n"));
    let lead = body.len() > 2 && body[0].chars().count() <= 400;
    let blocks = body
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let kind = if i == 0 && lead {
                BlockKind::Lead
            } else {
                BlockKind::Paragraph
            };
            Block::new(kind, text)
        })
        .collect();

    Article {
        id: id.to_owned(),
        title,
        source,
        lang: lang.to_owned(),
        dir,
        blocks,
        ..Default::default()
    }
}

/// Paragraphs by blank lines when any line is blank between text; else one per line. Inner
/// whitespace runs collapse to one space.
fn group_paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let lines = &lines[first..=last];
    let blank_separated = lines.iter().any(|l| l.is_empty());
    let mut out = Vec::new();
    if blank_separated {
        for group in lines.split(|l| l.is_empty()) {
            if !group.is_empty() {
                out.push(collapse_spaces(&group.join(" ")));
            }
        }
    } else {
        out.extend(lines.iter().map(|l| collapse_spaces(l)));
    }
    out
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn looks_like_title(p: &str) -> bool {
    let n = p.chars().count();
    n <= MAX_TITLE_CHARS && !(p.ends_with('.') && !p.ends_with("..."))
}

/// A title for text that has none: its first words, at most about 80 characters.
pub(crate) fn derive_title(p: &str) -> String {
    let mut out = String::new();
    for w in p.split_whitespace() {
        if out.chars().count() + w.chars().count() > 80 {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Abbreviations that take a full stop and are followed by a capitalised name, so `г.Москва`
/// or `Mr.Smith` is not a lost paragraph break. Single letters (initials) are handled apart.
const ABBREVIATIONS: &[&str] = &[
    "г",
    "гг",
    "ул",
    "им",
    "пр",
    "просп",
    "пл",
    "проф",
    "акад",
    "ген",
    "св",
    "тов",
    "гр",
    "обл",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "prof",
    "vs",
    "jr",
    "sr",
    "no",
    "fig",
    "vol",
    "gen",
    "sen",
    "rep",
    "gov",
    "mt",
    "ft",
    "κ",
    "κα",
];

pub(crate) const SENTENCE_END: [char; 4] = ['.', '!', '?', '…'];
pub(crate) const CLOSERS: [char; 8] = ['»', '"', '”', '’', '\'', ')', ']', '“'];

/// Split `p` where sentence-ending punctuation is glued to a capital letter. Returns slices of
/// `p` that together (in order, with nothing between them) make up `p`.
pub fn split_glued_sentences(p: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    work::tick(chars.len());
    let mut cuts = Vec::new();
    // The whitespace-delimited token last looked at and whether it is URL-like: a paragraph
    // with no spaces is one token, to be read once, not once per sentence end in it.
    let mut token: Option<(std::ops::Range<usize>, bool)> = None;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !SENTENCE_END.contains(&c) {
            i += 1;
            continue;
        }
        // The run of sentence punctuation and closing quotes/brackets after it.
        let run_start = i;
        let j = punctuation_run_end(&chars, i);
        i = j.max(i + 1);
        let Some(&(cut, _)) = chars.get(j) else {
            break;
        };
        if glued_break(p, &chars, run_start, j, &mut token) {
            cuts.push(cut);
        }
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        out.push(&p[from..cut]);
        from = cut;
    }
    out.push(&p[from..]);
    out
}

/// Where the run of sentence punctuation starting at `chars[i]` ends, with the closing quotes
/// and brackets after it (the index of the first character after the run).
pub(crate) fn punctuation_run_end(chars: &[(usize, char)], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && SENTENCE_END.contains(&chars[j].1) {
        j += 1;
    }
    while j < chars.len() && CLOSERS.contains(&chars[j].1) {
        j += 1;
    }
    j
}

/// Whether the sentence punctuation `chars[run_start..j]` (with its closers), followed at once
/// by `chars[j]`, ends a sentence: `chars[j]` is a capital letter, and the stop is not part of
/// initials (`А.С.`, `U.S.A`), an abbreviation (`г.Москва`, `Mr.Smith`), a numbered item
/// (`1.Введение`), a URL or e-mail address, or a domain in capitals (`RIA.RU`). `token` caches
/// the last whitespace-delimited token looked at (see [`split_glued_sentences`]).
pub(crate) fn glued_break(
    p: &str,
    chars: &[(usize, char)],
    run_start: usize,
    j: usize,
    token: &mut Option<(std::ops::Range<usize>, bool)>,
) -> bool {
    let Some(&(_, next)) = chars.get(j) else {
        return false;
    };
    if !next.is_uppercase() {
        return false;
    }
    // `А.С.`, `U.S.A`: a capital followed at once by a full stop is an initial or acronym.
    if chars.get(j + 1).is_some_and(|&(_, c)| c == '.') {
        return false;
    }
    if chars[run_start].1 == '.' && j == run_start + 1 && is_abbreviation_before(chars, run_start) {
        return false;
    }
    let at = chars[run_start].0;
    let url_like = match &*token {
        Some((range, url_like)) if range.contains(&at) => *url_like,
        _ => {
            let (range, url_like) = url_like_token(p, at);
            *token = Some((range, url_like));
            url_like
        }
    };
    !(url_like || is_shouted_domain(chars, run_start, j))
}

/// Whether the word just before the full stop at `dot` makes it an abbreviation (or the stop
/// follows a digit, as in a numbered item `1.Введение`).
pub(crate) fn is_abbreviation_before(chars: &[(usize, char)], dot: usize) -> bool {
    let mut k = dot;
    while k > 0 && chars[k - 1].1.is_alphabetic() {
        k -= 1;
    }
    work::tick(dot - k);
    let word: String = chars[k..dot].iter().map(|&(_, c)| c).collect();
    if word.is_empty() {
        return k > 0 && chars[k - 1].1.is_ascii_digit();
    }
    // A lone letter after a non-letter is an initial or an abbreviation (`А.С.`, `т.`, `г.`).
    if word.chars().count() == 1 {
        return true;
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// `RIA.RU`: an all-caps ASCII word, a full stop, then 2–6 capital ASCII letters ending the word
/// is a domain written in capitals, not two sentences.
fn is_shouted_domain(chars: &[(usize, char)], dot: usize, next: usize) -> bool {
    let before = chars[..dot]
        .iter()
        .rev()
        .take_while(|&&(_, c)| c.is_alphanumeric())
        .collect::<Vec<_>>();
    let after = chars[next..]
        .iter()
        .take_while(|&&(_, c)| c.is_alphanumeric())
        .count();
    work::tick(before.len() + after);
    let after_is_caps = chars[next..next + after]
        .iter()
        .all(|&(_, c)| c.is_ascii_uppercase());
    !before.is_empty()
        && before
            .iter()
            .all(|&&(_, c)| c.is_ascii_uppercase() || c.is_ascii_digit())
        && after_is_caps
        && (2..=6).contains(&after)
}

/// The whitespace-delimited token around byte `at` (not whitespace), and whether it looks like
/// a URL or e-mail address.
fn url_like_token(p: &str, at: usize) -> (std::ops::Range<usize>, bool) {
    let start = p[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = p[at..]
        .find(char::is_whitespace)
        .map_or(p.len(), |i| at + i);
    work::tick(end - start);
    let token = p[start..end].to_lowercase();
    let url_like = token.contains("://") || token.starts_with("www.") || token.contains('@');
    (start..end, url_like)
}

/// Labels that introduce a source credit at the end of an article.
const SOURCE_LABELS: &[&str] = &[
    "источник и фото",
    "источник фото",
    "источник",
    "по материалам",
    "фото",
    "source",
    "photo",
    "via",
    "originally published at",
    "πηγή",
];

/// Find a source credit at the end of the last paragraph, remove it from the body and return it.
fn take_source(body: &mut Vec<String>) -> Option<Source> {
    let last = body.last()?;
    // The credit is either the whole last paragraph or its last sentence.
    let mut starts = vec![0];
    for (i, c) in last.char_indices() {
        if SENTENCE_END.contains(&c) || CLOSERS.contains(&c) {
            let after = i + c.len_utf8();
            let rest = &last[after..];
            let trimmed = rest.trim_start();
            starts.push(after + (rest.len() - trimmed.len()));
        }
    }
    work::tick(last.len());
    // Where a credit's name ends: before trailing whitespace, full stops and whitespace (the
    // same for every start, so found once: per start it made the search quadratic).
    let end = last.trim_end().trim_end_matches('.').trim_end().len();
    for start in starts {
        if let Some(source) = parse_source_line(last, start, end) {
            let kept = last[..start].trim_end().to_owned();
            if kept.is_empty() {
                body.pop();
            } else {
                *body.last_mut()? = kept;
            }
            return Some(source);
        }
    }
    None
}

/// The most characters of a label in [`SOURCE_LABELS`].
const MAX_LABEL_CHARS: usize = 24;
/// The most characters of a source's name.
const MAX_NAME_CHARS: usize = 120;

/// `Источник и фото - ria.ru` at `text[start..]` → label `Источник и фото`, name `ria.ru`.
/// `name_end` is where the name must end (see [`take_source`]). Looks at no more than a label
/// and a name's length of text, so trying every sentence of a paragraph stays linear.
fn parse_source_line(text: &str, start: usize, name_end: usize) -> Option<Source> {
    let line = text[start..].trim();
    let line_start = text.len() - text[start..].trim_start().len();
    // Only the first characters can hold a label: lowercase just those.
    let head: String = line
        .chars()
        .take(MAX_LABEL_CHARS)
        .flat_map(char::to_lowercase)
        .collect();
    work::tick(head.len());
    for label in SOURCE_LABELS {
        if !head.starts_with(label) {
            continue;
        }
        // Lowercasing can change byte lengths in general, but not for these labels' letters.
        let label_len = label.len();
        if !line.is_char_boundary(label_len) {
            continue;
        }
        let rest = &line[label_len..];
        let rest_trim = rest.trim_start();
        let mut sep = rest_trim.chars();
        let first = sep.next()?;
        if !matches!(first, '-' | '–' | '—' | ':') {
            continue;
        }
        // The text after the separator without the trailing whitespace and full stops.
        let after_sep = line_start + label_len + (rest.len() - rest_trim.len()) + first.len_utf8();
        let name = text.get(after_sep..name_end).unwrap_or("").trim();
        work::tick(name.len().min(4 * MAX_NAME_CHARS));
        if name.is_empty()
            || name.chars().nth(MAX_NAME_CHARS).is_some()
            || name.split_whitespace().nth(8).is_some()
        {
            continue;
        }
        return Some(Source {
            label: line[..label_len].trim().to_owned(),
            name: name.to_owned(),
            url: source_url(name),
        });
    }
    None
}

fn source_url(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return (!name.contains(char::is_whitespace)).then(|| name.to_owned());
    }
    let host = name.split('/').next()?;
    let labels: Vec<&str> = host.split('.').collect();
    let domain_like = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !l.starts_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(char::is_alphabetic));
    (domain_like && !name.contains(char::is_whitespace)).then(|| format!("https://{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts that a parser which rescans what it has seen spends quadratic time on.
    fn hostile_texts(size: usize) -> Vec<(&'static str, String)> {
        let rep = |s: &str| s.repeat(size / s.len() + 1);
        vec![
            ("glued sentences in one token", rep("a.Bc")),
            ("glued sentences with spaces", rep("a.Bc ")),
            ("sentence ends in the last paragraph", rep("a. ")),
            ("closing quotes in the last paragraph", rep("«a» ")),
            ("initials", rep("A.B.")),
            ("shouted domains", rep("AB.CD.")),
            ("long words before stops", rep(&("a".repeat(200) + ".B"))),
            ("one line per paragraph", rep("Ab.\n")),
            ("blank lines", rep("a\n\n")),
            ("spaces", rep(" \t a")),
            ("source labels", rep("Source: ")),
        ]
    }

    #[test]
    fn parsing_is_linear_in_the_text() {
        // Steps of work (crate::work) per byte, at 4 KB and 64 KB: a few for a linear parser,
        // hundreds or more for one that rescans the rest of a paragraph per sentence.
        for size in [4 * 1024, 64 * 1024] {
            for (name, text) in hostile_texts(size) {
                work::take();
                let _ = parse_plain("x", &text);
                let steps = work::take() / text.len() as u64;
                assert!(steps <= 24, "{name}, {size} bytes: {steps} steps per byte");
            }
        }
    }

    #[test]
    fn source_urls_are_https_or_none() {
        assert_eq!(source_url("ria.ru").as_deref(), Some("https://ria.ru"));
        assert_eq!(
            source_url("http://x.org/a").as_deref(),
            Some("http://x.org/a")
        );
        assert_eq!(source_url("javascript:alert(1)"), None);
        assert_eq!(source_url("РИА Новости"), None);
        assert_eq!(source_url("ria."), None);
    }
}
