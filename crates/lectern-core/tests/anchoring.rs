//! describe → anchor round trips: a table of named cases, a golden JSON file, and property
//! tests on unchanged text, on edits outside the selection and on edits inside it.
//!
//! All ranges are UTF-8 byte ranges into the text they were made on.

use std::ops::Range;

use lectern_core::anchor::{
    anchor, describe, Anchorer, Describer, Placement, ABUT_CHARS, SHORT_QUOTE,
};
use lectern_core::annotation::{uuid_v4_from_bytes, Annotation, Color, Target};
use lectern_core::text::{ByteOffset, CodePointOffset};
use proptest::prelude::*;

#[path = "fixtures/cases.rs"]
mod cases;
#[path = "fixtures/seed.rs"]
mod seed;

use cases::{unmark, Expect, CASES};

const SEED: &str = include_str!("../../../assets/seed-article-ru.txt");

fn br(r: Range<usize>) -> Range<ByteOffset> {
    ByteOffset(r.start)..ByteOffset(r.end)
}

#[test]
fn fixture_cases_round_trip_and_survive_their_revision() {
    let mut failures = Vec::new();
    for case in CASES {
        let (text, sel) = unmark(case.text);
        let sel = sel.expect("every case marks a selection");
        let target = describe(&text, br(sel.clone())).unwrap();
        assert_eq!(target.quote.exact, text[sel.clone()], "{}", case.name);

        // Unchanged text: exactly where it was, also after a JSON round trip.
        let json = serde_json::to_string(&target).unwrap();
        let back: Target = serde_json::from_str(&json).unwrap();
        let p = anchor(&text, &back);
        if p != (Placement::Exact {
            range: br(sel.clone()),
        }) {
            failures.push(format!("{}: unchanged text gave {p:?}", case.name));
        }

        // Revised text: the expected kind, at the marked place.
        let (revised, want) = unmark(case.revised);
        let got = anchor(&revised, &target);
        let ok = match (case.expect, &got, &want) {
            (Expect::Exact, Placement::Exact { range }, Some(w)) => *range == br(w.clone()),
            (Expect::Fuzzy, Placement::Fuzzy { range, .. }, Some(w)) => *range == br(w.clone()),
            (Expect::Orphan, Placement::Orphan, None) => true,
            _ => false,
        };
        if !ok {
            let shown = got
                .range()
                .map(|r| revised[r.start.0..r.end.0].to_owned())
                .unwrap_or_default();
            failures.push(format!(
                "{}: expected {:?} at {:?}, got {got:?} = {shown:?}",
                case.name, case.expect, want
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn annotation_json_matches_the_golden_file() {
    let (text, sel) = unmark(CASES[0].text);
    let a = Annotation {
        id: uuid_v4_from_bytes(*b"lectern-golden-1"),
        article_id: "seed".into(),
        target: Some(describe(&text, br(sel.unwrap())).unwrap()),
        color: Color::Green,
        note: "**Булки** — см. также _чай_.".into(),
        tags: vec!["еда".into(), "pangram".into()],
        created: "2024-11-21T10:00:00Z".into(),
        modified: "2024-11-22T08:30:00Z".into(),
    };
    let json = serde_json::to_string_pretty(&a).unwrap() + "\n";
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/annotation-v1.json"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &json).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(json, golden, "the stored annotation format changed");
    let back: Annotation = serde_json::from_str(&golden).unwrap();
    assert_eq!(back, a);
}

/// A one-letter quote with letters inserted next to it, one of them the same letter two
/// letters away (`edits_outside_keep_the_same_text`, `PROPTEST_RNG_SEED=3721961`): the quote
/// with its prefix verbatim and its suffix two letters off, or the inserted letter with its
/// suffix verbatim and its prefix two letters off, is a tie the context cannot break. Both
/// are offered; neither is placed (it was placed, exactly, on the inserted letter).
#[test]
fn a_one_letter_quote_beside_the_same_letter_inserted_is_not_placed_on_it() {
    let text = " дальнейшие конфликты.";
    let at = text.find("онф").unwrap();
    for revised in [
        " дальнейшие коеонфликты.".to_owned(),
        "а дальнейшие коеонфликты.".to_owned(),
    ] {
        let t = describe(text, br(at..at + "о".len())).unwrap();
        let truth = revised.find("ое").unwrap();
        match anchor(&revised, &t) {
            Placement::Exact { range } | Placement::Fuzzy { range, .. } => {
                assert_eq!(range, br(truth..truth + "о".len()), "{revised}")
            }
            Placement::Orphan => {}
        }
    }
}

#[test]
fn repeated_phrase_in_the_seed_is_told_apart_and_positions_are_code_points() {
    let text = seed::article_text(SEED);
    let phrase = "сторона выразила глубокое сожаление в связи с";
    let hits: Vec<usize> = text.match_indices(phrase).map(|(i, _)| i).collect();
    assert!(hits.len() >= 2, "the seed repeats this phrase");
    let d = Describer::new(&text);
    let a = Anchorer::new(&text);
    for &h in &hits {
        let r = br(h..h + phrase.len());
        let t = d.describe(r.clone()).unwrap();
        assert_eq!(t.position.start, CodePointOffset(text[..h].chars().count()));
        // Force the search path: no trusted hash, no position.
        let mut blind = t.clone();
        blind.text_hash.clear();
        blind.position.start = CodePointOffset(0);
        blind.position.end = CodePointOffset(0);
        assert_eq!(a.anchor(&blind), Placement::Exact { range: r });
    }
}

/// A text to annotate: a slice of the seed article, or a synthetic mix with astral emoji,
/// combining marks, CRLF and other awkward characters.
fn text_strategy() -> impl Strategy<Value = String> {
    let body = seed::article_text(SEED);
    let seed_slice = (0usize..body.len(), 200usize..4000).prop_map(move |(a, n)| {
        let fl = |mut i: usize| {
            i = i.min(body.len());
            while !body.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        body[fl(a)..fl(a + n)].to_owned()
    });
    let piece = prop::sample::select(vec![
        "слово ",
        "ещё ",
        "word ",
        "😀",
        "🚶\u{200D}♀️",
        "e\u{301}",
        "\r\n",
        "\n",
        "\u{A0}",
        "«",
        "»",
        "—",
        "ж",
        "Ё",
        "a",
        " ",
    ]);
    let mix = prop::collection::vec(piece, 1..120).prop_map(|v| v.concat());
    prop_oneof![3 => seed_slice, 1 => mix]
}

/// Natural text only: slices of the seed article. Edit tests use these, because in a
/// synthetic text over a dozen pieces every context resembles every other one, so a short quote
/// whose own copy was edited is not identifiable at all.
fn natural_text_strategy() -> impl Strategy<Value = String> {
    let body = seed::article_text(SEED);
    (0usize..body.len(), 200usize..4000).prop_map(move |(a, n)| {
        let fl = |mut i: usize| {
            i = i.min(body.len());
            while !body.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        body[fl(a)..fl(a + n)].to_owned()
    })
}

/// Char boundaries of `text`.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect()
}

/// A non-empty range from two picks, trimmed so it neither starts nor ends with whitespace;
/// `None` if nothing but whitespace is left.
fn pick_range(text: &str, a: usize, b: usize) -> Option<Range<usize>> {
    let bs = boundaries(text);
    let (i, j) = (a % bs.len(), b % bs.len());
    let (s, e) = (bs[i.min(j)], bs[i.max(j)]);
    let inner = text[s..e].trim();
    if inner.is_empty() {
        return None;
    }
    let s = s + text[s..e].find(inner).expect("trimmed slice is inside");
    Some(s..s + inner.len())
}

/// Characters that edits insert: letters, spaces, punctuation that normalisation folds.
const EDIT_ALPHABET: &[&str] = &[
    "а", "б", "о", "е", "ё", "x", " ", "\u{A0}", ",", "«", "—", "😀", "\n",
];

/// One random edit: delete `del` chars at boundary index `at`, insert `ins`.
#[derive(Debug, Clone)]
struct Edit {
    at: usize,
    del: usize,
    ins: String,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    (
        any::<usize>(),
        0usize..4,
        prop::collection::vec(prop::sample::select(EDIT_ALPHABET.to_vec()), 0..4),
    )
        .prop_map(|(at, del, ins)| Edit {
            at,
            del,
            ins: ins.concat(),
        })
}

/// Applies `e` to `text` where it does not touch `range` (moved outside it if needed), and
/// returns the range's new position. `inside` instead confines the edit strictly to the
/// range's interior.
fn apply(text: &mut String, range: &mut Range<usize>, e: &Edit, inside: bool) -> bool {
    let bs = boundaries(text);
    let (lo, hi) = if inside {
        // Interior boundaries strictly between the range's first and last char boundary.
        let lo = bs.iter().position(|&b| b > range.start);
        let hi = bs.iter().position(|&b| b >= range.end);
        match (lo, hi) {
            (Some(lo), Some(hi)) if lo < hi => (lo, hi),
            _ => return false,
        }
    } else {
        (0, bs.len())
    };
    let i = lo + e.at % (hi - lo);
    let start = bs[i];
    let end_idx = if inside {
        (i + e.del).min(hi)
    } else {
        (i + e.del).min(bs.len() - 1)
    };
    let end = bs[end_idx];
    if !inside && start < range.end && end > range.start {
        return false; // would touch the range
    }
    if !inside && start == range.end && end == start && e.ins.is_empty() {
        return false;
    }
    let delta = e.ins.len() as isize - (end - start) as isize;
    if text[start..end] == *e.ins {
        return false; // a no-op
    }
    text.replace_range(start..end, &e.ins);
    if inside {
        range.end = (range.end as isize + delta) as usize;
    } else if end <= range.start {
        range.start = (range.start as isize + delta) as usize;
        range.end = (range.end as isize + delta) as usize;
    }
    true
}

/// Edits between the 32 code points of `stored` context next to a quote and the text on that
/// side of it in `revised` (its best-aligned stretch), read from the quote outwards.
fn side_edits(stored: &str, revised: &str, before: bool) -> usize {
    // (Runs of white space count as one space, as anchoring compares them.)
    let take = |s: &str, n: usize| -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        let chars: Box<dyn Iterator<Item = char>> = if before {
            Box::new(s.chars().rev())
        } else {
            Box::new(s.chars())
        };
        for c in chars {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !(c == ' ' && out.last() == Some(&' ')) {
                out.push(c);
            }
            if out.len() == n {
                break;
            }
        }
        out
    };
    let want = take(stored, 32);
    let have = take(revised, want.len() + 16);
    // Levenshtein of `want` against every prefix of `have`; the best one.
    let mut row: Vec<usize> = (0..=have.len()).collect();
    for (i, &w) in want.iter().enumerate() {
        let mut next = vec![i + 1; have.len() + 1];
        for (j, &h) in have.iter().enumerate() {
            next[j + 1] = (row[j] + usize::from(w != h))
                .min(row[j + 1] + 1)
                .min(next[j] + 1);
        }
        row = next;
    }
    row.into_iter().min().unwrap_or(0)
}

/// Whether `text` without `a` is `text` without `b`: the same quote in the same surroundings,
/// which no anchoring can tell apart.
fn same_outside(text: &str, a: &Range<ByteOffset>, b: &Range<usize>) -> bool {
    let a = a.start.0..a.end.0;
    [&text[..a.start], &text[a.end..]].concat() == [&text[..b.start], &text[b.end..]].concat()
}

fn overlaps(a: &Range<ByteOffset>, b: &Range<usize>) -> bool {
    a.start.0 < b.end && b.start < a.end.0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn unchanged_text_anchors_exactly(text in text_strategy(), a in any::<usize>(), b in any::<usize>()) {
        let Some(r) = pick_range(&text, a, b) else { return Ok(()) };
        let t = describe(&text, br(r.clone())).unwrap();
        prop_assert_eq!(anchor(&text, &t), Placement::Exact { range: br(r) });
    }

    #[test]
    fn edits_outside_keep_the_same_text(
        text in natural_text_strategy(),
        a in any::<usize>(),
        len in 1usize..120,
        edits in prop::collection::vec(edit_strategy(), 1..4),
    ) {
        let bs = boundaries(&text);
        let i = a % bs.len();
        let Some(mut r) = pick_range(&text, i, i + len) else { return Ok(()) };
        let t = describe(&text, br(r.clone())).unwrap();
        let mut revised = text.clone();
        let mut edited = 0;
        for e in &edits {
            if apply(&mut revised, &mut r, e, false) {
                edited += e.del + e.ins.chars().count();
            }
        }
        prop_assert_eq!(&revised[r.clone()], &t.quote.exact);
        let p = anchor(&revised, &t);
        // Ambiguity is real when the quote and all its stored context occur more than once.
        let ctx = format!("{}{}{}", t.quote.prefix, t.quote.exact, t.quote.suffix);
        if text.matches(&ctx).count() > 1 {
            return Ok(());
        }
        // Near a text edge the stored context is short, and a few edits can rewrite much of
        // it; an orphan is then an honest outcome (a wrong placement never is). The annotation
        // must survive when the edits amount to at most a quarter of the stored context.
        let context = t.quote.prefix.chars().count() + t.quote.suffix.chars().count();
        // A short quote is trusted only next to its own context (see `SHORT_QUOTE`): edits
        // touching the letters right beside it may honestly orphan it.
        let near = |s: &str, from_end: bool| -> String {
            let letters = s.chars().filter(|c| c.is_alphanumeric());
            if from_end {
                let v: Vec<char> = letters.collect();
                v[v.len().saturating_sub(ABUT_CHARS)..].iter().collect()
            } else {
                letters.take(ABUT_CHARS).collect()
            }
        };
        let short = t.quote.exact.chars().count() < SHORT_QUOTE;
        let side_touched = near(&revised[..r.start], true) != near(&t.quote.prefix, true)
            || near(&revised[r.end..], false) != near(&t.quote.suffix, false);
        // Nor, in proportion to how short it is, more than a typo or two (two edits) in the
        // 32 code points of context beside it on a side: the same few words may stand in
        // other sentences (`anchor`'s "a side agrees").
        // (Proportionally fewer where less context was stored, at a text edge.)
        let allowed = |side: &str| 2 * side.chars().count().min(32) / 32;
        let side_rewritten = side_edits(&t.quote.prefix, &revised[..r.start], true)
            > allowed(&t.quote.prefix)
            || side_edits(&t.quote.suffix, &revised[r.end..], false) > allowed(&t.quote.suffix);
        let identifiable = edited * 4 <= context && !(short && (side_touched || side_rewritten));
        match &p {
            // (Another range is as true when the text without it is the text without the
            // truth: " ,о" inserted before the quote "о" is " ," before it and "о" after it.)
            Placement::Exact { range } => prop_assert!(
                *range == br(r.clone()) || same_outside(&revised, range, &r),
                "{:?} vs {:?}: {:?}", range, r, t
            ),
            Placement::Fuzzy { range, .. } => prop_assert!(overlaps(range, &r), "{:?} vs {:?}", p, r),
            Placement::Orphan => prop_assert!(!identifiable, "orphaned after edits outside: {:?}\nrevised: {:?}", t, revised),
        }
    }

    #[test]
    fn edits_inside_are_fuzzy_near_the_original_or_orphan(
        text in natural_text_strategy(),
        a in any::<usize>(),
        len in 2usize..120,
        edit in edit_strategy(),
    ) {
        let bs = boundaries(&text);
        let i = a % bs.len();
        let Some(mut r) = pick_range(&text, i, i + len) else { return Ok(()) };
        let t = describe(&text, br(r.clone())).unwrap();
        let mut revised = text.clone();
        if !apply(&mut revised, &mut r, &edit, true) {
            return Ok(());
        }
        let ctx = format!("{}{}{}", t.quote.prefix, t.quote.exact, t.quote.suffix);
        if text.matches(&ctx).count() > 1 {
            return Ok(());
        }
        let p = anchor(&revised, &t);
        match &p {
            Placement::Exact { range } => {
                // Only legitimate if the edit produced the very same quote text again.
                prop_assert_eq!(&revised[range.start.0..range.end.0], &t.quote.exact);
                prop_assert!(overlaps(range, &r), "{:?} vs {:?}", p, r);
            }
            Placement::Fuzzy { range, .. } => prop_assert!(overlaps(range, &r), "{:?} vs {:?}", p, r),
            Placement::Orphan => {}
        }
    }

    #[test]
    fn arbitrary_targets_never_panic(
        text in text_strategy(),
        exact in text_strategy(),
        prefix in ".{0,40}",
        suffix in ".{0,40}",
        start in 0usize..5000,
        len in 0usize..300,
    ) {
        let exact: String = exact.chars().take(len).collect();
        let t = Target {
            quote: lectern_core::annotation::TextQuoteSelector { exact, prefix, suffix },
            position: lectern_core::annotation::TextPositionSelector {
                start: CodePointOffset(start),
                end: CodePointOffset(start + len),
            },
            text_hash: String::new(),
        };
        let p = anchor(&text, &t);
        if let Some(r) = p.range() {
            prop_assert!(text.get(r.start.0..r.end.0).is_some());
        }
    }
}
