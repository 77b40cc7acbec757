//! Finding annotations: a text query, colour and tag filters, and the tag helpers behind the tag
//! input (list, suggestions, normalisation).
//!
//! Matching is case-insensitive by [`fold`]: Unicode lowercase (so `КИЕВ` finds `Киев`), with
//! `ё` folded to `е` (Russian text is written both ways; a decomposed `е` + U+0308 folds too).
//! The same folding decides when two tags are "the same tag". No other normalisation (accents,
//! NFC/NFKC) is done: that would need Unicode tables this crate does not carry.

use std::collections::HashMap;

use crate::annotation::{Annotation, Color};

/// Longest tag [`normalize_tag`] keeps, in characters (code points).
pub const MAX_TAG_CHARS: usize = 64;

/// How many suggestions [`tag_suggestions`] returns at most.
pub const MAX_SUGGESTIONS: usize = 8;

/// What the annotation list is filtered by. The default matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// Whitespace-separated words; every word must occur (as a substring, after [`fold`]) in the
    /// quote, the note or a tag. Blank matches everything.
    pub query: String,
    /// Accepted colours; empty accepts all.
    pub colors: Vec<Color>,
    /// Only annotations carrying this tag (compared after [`fold`], surrounding whitespace and a
    /// leading `#` ignored). `Some("")` / blank means no tag filter.
    pub tag: Option<String>,
}

/// The comparison form of a string: Unicode lowercase, `ё` → `е`, and a combining diaeresis
/// (U+0308) after `е` dropped (the decomposed spelling of `ё`). O(n).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Latin and Cyrillic letters without a table lookup (the notebook folds every quote
        // and note of the library); everything else as Unicode lowercases it.
        match c {
            'a'..='z' | 'а'..='я' => out.push(c),
            _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            'А'..='Я' => out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
            'ё' | 'Ё' => out.push('е'),
            c => {
                for c in c.to_lowercase() {
                    match c {
                        'ё' => out.push('е'),
                        '\u{0308}' if out.ends_with('е') => {}
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out
}

/// The key under which tags are compared: trimmed, leading `#`s removed, folded.
fn tag_key(tag: &str) -> String {
    fold(tag.trim().trim_start_matches('#').trim())
}

/// Whether `a` passes every part of `f` (query AND colour AND tag). An article-level note
/// (`target: None`) has no quote; its note and tags are still searched. O(words × text length).
pub fn matches(a: &Annotation, f: &Filter) -> bool {
    if !f.colors.is_empty() && !f.colors.contains(&a.color) {
        return false;
    }
    if let Some(tag) = &f.tag {
        let want = tag_key(tag);
        if !want.is_empty() && !a.tags.iter().any(|t| tag_key(t) == want) {
            return false;
        }
    }
    let query = fold(&f.query);
    if query.trim().is_empty() {
        return true;
    }
    let mut fields: Vec<String> = Vec::with_capacity(2 + a.tags.len());
    if let Some(target) = &a.target {
        fields.push(fold(&target.quote.exact));
    }
    fields.push(fold(&a.note));
    fields.extend(a.tags.iter().map(|t| fold(t)));
    // Each word may match in a different field, but never across a field boundary.
    query
        .split_whitespace()
        .all(|word| fields.iter().any(|field| field.contains(word)))
}

/// Every tag used in `annotations`, once each (tags equal after [`fold`] count as one, spelt as
/// first seen), sorted by their folded form. Blank tags are skipped. O(n log n).
pub fn all_tags(annotations: &[Annotation]) -> Vec<String> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for tag in annotations.iter().flat_map(|a| &a.tags) {
        let key = tag_key(tag);
        if !key.is_empty() {
            seen.entry(key).or_insert_with(|| tag.clone());
        }
    }
    let mut tags: Vec<(String, String)> = seen.into_iter().collect();
    tags.sort();
    tags.into_iter().map(|(_, spelling)| spelling).collect()
}

/// Up to [`MAX_SUGGESTIONS`] existing tags whose folded form starts with the folded `typed`
/// (a leading `#` and surrounding whitespace in `typed` are ignored, so blank `typed` suggests
/// the most used tags), leaving out tags in `exclude` (e.g. those already on the annotation,
/// compared folded). Ordered by how many annotations use the tag, most first, then
/// alphabetically by folded form; spelt as first seen. O(n log n).
pub fn tag_suggestions(annotations: &[Annotation], typed: &str, exclude: &[String]) -> Vec<String> {
    let prefix = tag_key(typed);
    let excluded: Vec<String> = exclude.iter().map(|t| tag_key(t)).collect();
    // key -> (spelling, number of annotations using it)
    let mut counts: HashMap<String, (String, usize)> = HashMap::new();
    for a in annotations {
        let mut keys_here: Vec<String> = Vec::new();
        for tag in &a.tags {
            let key = tag_key(tag);
            if key.is_empty() || keys_here.contains(&key) {
                continue; // a tag repeated on one annotation counts once
            }
            keys_here.push(key.clone());
            counts.entry(key).or_insert_with(|| (tag.clone(), 0)).1 += 1;
        }
    }
    let mut found: Vec<(usize, String, String)> = counts
        .into_iter()
        .filter(|(key, _)| key.starts_with(&prefix) && !excluded.contains(key))
        .map(|(key, (spelling, n))| (n, key, spelling))
        .collect();
    found.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    found
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, spelling)| spelling)
        .collect()
}

/// Turns what the user typed into a tag: whitespace trimmed, leading `#`s removed, inner runs of
/// whitespace collapsed to one `-`, control characters dropped, at most [`MAX_TAG_CHARS`]
/// characters (a `-` left dangling by the cut is removed). Case is kept as typed. `None` when
/// nothing is left (`""`, `"  "`, `"#"`).
pub fn normalize_tag(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect();
    let body = cleaned.trim().trim_start_matches('#');
    let joined = body.split_whitespace().collect::<Vec<_>>().join("-");
    let capped: String = joined.chars().take(MAX_TAG_CHARS).collect();
    let tag = capped.trim_end_matches('-');
    if tag.is_empty() {
        None
    } else {
        Some(tag.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::{Target, TextPositionSelector, TextQuoteSelector};
    use crate::text::CodePointOffset;

    fn ann(id: &str, quote: Option<&str>, note: &str, tags: &[&str], color: Color) -> Annotation {
        Annotation {
            id: id.into(),
            article_id: "art".into(),
            target: quote.map(|q| Target {
                quote: TextQuoteSelector {
                    exact: q.into(),
                    prefix: String::new(),
                    suffix: String::new(),
                },
                position: TextPositionSelector {
                    start: CodePointOffset(0),
                    end: CodePointOffset(q.chars().count()),
                },
                text_hash: String::new(),
            }),
            color,
            note: note.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            created: "2024-11-21T10:00:00.000Z".into(),
            modified: "2024-11-21T10:00:00.000Z".into(),
        }
    }

    fn q(query: &str) -> Filter {
        Filter {
            query: query.into(),
            ..Filter::default()
        }
    }

    #[test]
    fn query_cases() {
        let a = ann(
            "1",
            Some("Поехали в Киев на ёлку"),
            "See *Rust* book",
            &["travel", "Еда"],
            Color::Green,
        );
        let note_only = ann("2", None, "An article-level thought", &[], Color::Yellow);
        // (name, annotation, query, expected)
        let cases: &[(&str, &Annotation, &str, bool)] = &[
            ("blank query matches", &a, "   ", true),
            ("cyrillic upper finds lower", &a, "КИЕВ", true),
            ("ё in text found by е", &a, "елку", true),
            ("ё in query finds е in tag", &a, "ёда", true),
            ("substring inside a word", &a, "хал", true),
            ("note, case-insensitive", &a, "rust", true),
            ("tag matches", &a, "trav", true),
            (
                "all words must match, in any field",
                &a,
                "киев rust travel",
                true,
            ),
            ("one missing word fails", &a, "киев python", false),
            ("words may match in different fields", &a, "ёлку see", true),
            ("words do not span fields", &a, "ёлкусее", false),
            ("article note without quote", &note_only, "THOUGHT", true),
            ("article note: missing word", &note_only, "киев", false),
            ("markup chars are literal", &a, "*rust*", true),
        ];
        for (name, ann, query, want) in cases {
            assert_eq!(matches(ann, &q(query)), *want, "{name}");
        }
    }

    proptest::proptest! {
        /// The fast paths fold exactly as Unicode lowercasing does (the definition).
        #[test]
        fn fold_is_unicode_lowercase_with_yo_as_ye(s in "[a-zA-Zа-яА-ЯёЁ0-9 .İΣßǅ\u{0308}\u{0301}-]{0,40}|\\PC{0,20}") {
            let mut want = String::new();
            for c in s.chars().flat_map(char::to_lowercase) {
                match c {
                    'ё' => want.push('е'),
                    '\u{0308}' if want.ends_with('е') => {}
                    c => want.push(c),
                }
            }
            proptest::prop_assert_eq!(fold(&s), want);
        }
    }

    #[test]
    fn required_cyrillic_examples() {
        let kiev = ann("1", Some("КИЕВ"), "", &[], Color::Yellow);
        assert!(matches(&kiev, &q("Киев")));
        let elka = ann("1", Some("елка"), "", &[], Color::Yellow);
        assert!(matches(&elka, &q("ёлка")));
        let decomposed = ann("1", Some("е\u{0308}лка"), "", &[], Color::Yellow);
        assert!(matches(&decomposed, &q("ЁЛКА")));
        assert!(!matches(&elka, &q("ялка")));
    }

    #[test]
    fn colour_and_tag_filters_combine_with_and() {
        let a = ann("1", Some("quote"), "", &["Work", "ideas"], Color::Blue);
        let f = |query: &str, colors: &[Color], tag: Option<&str>| Filter {
            query: query.into(),
            colors: colors.to_vec(),
            tag: tag.map(str::to_owned),
        };
        assert!(matches(&a, &f("", &[], None)));
        assert!(matches(&a, &f("", &[Color::Green, Color::Blue], None)));
        assert!(!matches(&a, &f("", &[Color::Green], None)));
        assert!(matches(&a, &f("", &[], Some("work"))));
        assert!(matches(&a, &f("", &[], Some(" #WORK "))));
        assert!(
            !matches(&a, &f("", &[], Some("wor"))),
            "tag filter is exact"
        );
        assert!(matches(&a, &f("", &[], Some(""))), "blank tag = no filter");
        assert!(matches(&a, &f("quo", &[Color::Blue], Some("ideas"))));
        assert!(!matches(&a, &f("quo", &[Color::Blue], Some("other"))));
        assert!(!matches(&a, &f("nope", &[Color::Blue], Some("ideas"))));
        assert!(!matches(&a, &f("quo", &[Color::Pink], Some("ideas"))));
    }

    #[test]
    fn all_tags_are_unique_sorted_and_keep_first_spelling() {
        let anns = vec![
            ann("1", None, "", &["Rust", "ёж", "b"], Color::Yellow),
            ann("2", None, "", &["rust", "Ежи", "A", ""], Color::Yellow),
            ann("3", None, "", &["ЕЖ", "  "], Color::Yellow),
        ];
        assert_eq!(all_tags(&anns), vec!["A", "b", "Rust", "ёж", "Ежи"]);
        assert!(all_tags(&[]).is_empty());
    }

    #[test]
    fn suggestions_are_prefix_matches_most_used_first() {
        let anns = vec![
            ann(
                "1",
                None,
                "",
                &["reading", "Research", "rust"],
                Color::Yellow,
            ),
            ann("2", None, "", &["research", "rust", "rust"], Color::Yellow),
            ann("3", None, "", &["rust", "other"], Color::Yellow),
        ];
        assert_eq!(
            tag_suggestions(&anns, "R", &[]),
            vec!["rust", "Research", "reading"]
        );
        assert_eq!(
            tag_suggestions(&anns, "#re", &["RESEARCH".into()]),
            vec!["reading"]
        );
        assert_eq!(tag_suggestions(&anns, "x", &[]), Vec::<String>::new());
        assert_eq!(tag_suggestions(&anns, "", &[]).len(), 4);
        let many: Vec<Annotation> = (0..20)
            .map(|i| {
                ann(
                    &i.to_string(),
                    None,
                    "",
                    &[&format!("t{i:02}")],
                    Color::Yellow,
                )
            })
            .collect();
        let s = tag_suggestions(&many, "t", &[]);
        assert_eq!(s.len(), MAX_SUGGESTIONS);
        assert_eq!(s[0], "t00", "ties are alphabetical");
    }

    #[test]
    fn normalize_tag_cases() {
        let long = "я".repeat(70);
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("plain", "rust", Some("rust")),
            ("trimmed", "  rust \n", Some("rust")),
            ("leading hash", "#rust", Some("rust")),
            ("hashes then space", "## to read", Some("to-read")),
            ("inner hash kept", "c#", Some("c#")),
            (
                "inner whitespace collapsed",
                "to \t  read\nlater",
                Some("to-read-later"),
            ),
            ("case kept", "ToRead", Some("ToRead")),
            ("control chars dropped", "a\u{0}b\u{7}", Some("ab")),
            ("empty", "", None),
            ("blank", " \t ", None),
            ("only hash", "#", None),
        ];
        for (name, raw, want) in cases {
            assert_eq!(normalize_tag(raw).as_deref(), *want, "{name}");
        }
        let capped = normalize_tag(&long).unwrap();
        assert_eq!(capped.chars().count(), MAX_TAG_CHARS);
        let dangling = format!("{} b", "a".repeat(63));
        assert_eq!(normalize_tag(&dangling).unwrap(), "a".repeat(63));
    }
}
