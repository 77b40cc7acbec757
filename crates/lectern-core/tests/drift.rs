//! A drift corpus: annotations made on the seed article, anchored into realistic revisions of
//! it. For each revision the test prints a table (exact / fuzzy-correct / wrong / orphaned) and
//! fails on any wrong placement: one that does not overlap where the annotated text really is
//! now. The true position is computed independently of the anchoring code, by building every
//! revision from pieces of the original and tracking which original bytes land where; text
//! that an edit rewrote counts as being where its replacement is.
//!
//! All ranges are UTF-8 byte ranges.

use std::ops::Range;

use lectern_core::anchor::{Anchorer, Describer, Placement};
use lectern_core::annotation::Target;
use lectern_core::text::ByteOffset;

#[path = "fixtures/seed.rs"]
mod seed;

const SEED: &str = include_str!("../../../assets/seed-article-ru.txt");

/// A piece of a revision: a run of the original (bytes), or new text replacing an original
/// range (empty for a pure insertion; `None` for a paragraph break).
#[derive(Debug, Clone)]
enum Piece {
    Orig(Range<usize>),
    New(String, Option<Range<usize>>),
}

/// A revision: which paragraphs, in what order, with which in-paragraph edits.
struct Revision {
    name: &'static str,
    /// Paragraph order (indices into the original's paragraphs); missing ones are deleted.
    order: Vec<usize>,
    /// `(original byte range, replacement)`; an empty range is an insertion. Each edit lies
    /// within one paragraph; edits do not overlap.
    edits: Vec<(Range<usize>, String)>,
}

/// Byte ranges of the paragraphs of `text` (without their `"\n"`).
fn paragraph_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for p in text.split('\n') {
        out.push(at..at + p.len());
        at += p.len() + 1;
    }
    out
}

fn build(orig: &str, rev: &Revision) -> Vec<Piece> {
    let paras = paragraph_ranges(orig);
    let mut edits = rev.edits.clone();
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut pieces = Vec::new();
    for (k, &p) in rev.order.iter().enumerate() {
        if k > 0 {
            pieces.push(Piece::New("\n".into(), None));
        }
        let pr = paras[p].clone();
        let mut at = pr.start;
        for (r, new) in edits
            .iter()
            .filter(|(r, _)| pr.start <= r.start && r.end <= pr.end)
        {
            pieces.push(Piece::Orig(at..r.start));
            pieces.push(Piece::New(new.clone(), Some(r.clone())));
            at = r.end;
        }
        pieces.push(Piece::Orig(at..pr.end));
    }
    pieces
}

/// Where pieces of the original went: verbatim runs, and rewritten ranges.
struct Map {
    /// Original run → where it starts in the revision.
    kept: Vec<(Range<usize>, usize)>,
    /// Original range (empty: insertion point) → the revision's replacement text range.
    rewritten: Vec<(Range<usize>, Range<usize>)>,
}

fn render(orig: &str, pieces: &[Piece]) -> (String, Map) {
    let mut text = String::new();
    let mut map = Map {
        kept: Vec::new(),
        rewritten: Vec::new(),
    };
    for p in pieces {
        match p {
            Piece::Orig(r) => {
                map.kept.push((r.clone(), text.len()));
                text.push_str(&orig[r.clone()]);
            }
            Piece::New(s, replaces) => {
                if let Some(o) = replaces {
                    map.rewritten
                        .push((o.clone(), text.len()..text.len() + s.len()));
                }
                text.push_str(s);
            }
        }
    }
    (text, map)
}

/// Where the original bytes `r` are in the revision (possibly several runs; none if deleted):
/// their surviving runs, plus the replacement of any edit inside or overlapping them.
fn true_ranges(map: &Map, r: &Range<usize>) -> Vec<Range<usize>> {
    let kept = map.kept.iter().filter_map(|(o, at)| {
        let s = r.start.max(o.start);
        let e = r.end.min(o.end);
        (s < e).then(|| at + (s - o.start)..at + (e - o.start))
    });
    let rewritten = map.rewritten.iter().filter_map(|(o, new)| {
        let touches = if o.is_empty() {
            r.start < o.start && o.start < r.end
        } else {
            o.start < r.end && r.start < o.end
        };
        (touches && !new.is_empty()).then(|| new.clone())
    });
    kept.chain(rewritten).collect()
}

/// `(range, replacement)` for the `nth` occurrence of `needle`.
fn edit(orig: &str, needle: &str, nth: usize, new: &str) -> (Range<usize>, String) {
    let (i, _) = orig
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the seed"));
    (i..i + needle.len(), new.to_owned())
}

/// Edits replacing every occurrence of `from`.
fn replace_all(orig: &str, from: &str, to: &str) -> Vec<(Range<usize>, String)> {
    orig.match_indices(from)
        .map(|(i, _)| (i..i + from.len(), to.to_owned()))
        .collect()
}

/// An insertion right after the `nth` occurrence of `needle`.
fn insert_after(orig: &str, needle: &str, nth: usize, new: &str) -> (Range<usize>, String) {
    let (r, _) = edit(orig, needle, nth, "");
    (r.end..r.end, new.to_owned())
}

fn typo_fixes(orig: &str) -> Vec<(Range<usize>, String)> {
    vec![
        edit(orig, "провел", 0, "провёл"),
        edit(
            orig,
            "Вооружённых сил Украины",
            0,
            "Вооружённых Сил Украины",
        ),
        edit(orig, "скорее всего", 0, "вероятнее всего"),
        edit(orig, "РИА Новости", 0, "РИА «Новости»"),
        edit(orig, "минимизируя риски", 0, "минимизируя риск"),
        edit(orig, "тщательном рассмотрении", 0, "тщательном расмотрении"),
    ]
}

fn inserted_sentences(orig: &str) -> Vec<(Range<usize>, String)> {
    vec![
        insert_after(
            orig,
            "Рахманом Мустафаевым.",
            0,
            " Об этом сообщила пресс-служба внешнеполитического ведомства.",
        ),
        insert_after(
            orig,
            "\n",
            2,
            "Напомним, что инцидент произошёл в середине ноября. ",
        ),
    ]
}

fn repunctuation(orig: &str) -> Vec<(Range<usize>, String)> {
    let mut e = vec![
        edit(orig, "21 ноября", 0, "21\u{A0}ноября"),
        edit(orig, "ЗРК Patriot", 0, "ЗРК «Patriot»"),
        edit(orig, ", скорее всего,", 0, " — скорее всего —"),
        edit(orig, "В заключение,", 0, "В заключение"),
        edit(
            orig,
            "оборонно-промышленного",
            0,
            "оборонно\u{2011}промышленного",
        ),
    ];
    // Typographer's non-breaking space after one-letter prepositions and conjunctions.
    for w in [" в ", " с ", " и ", " о ", " к "] {
        for (r, _) in replace_all(orig, w, "") {
            let nb = format!(" {}\u{A0}", w.trim());
            if e.iter().all(|(x, _)| x.end <= r.start || r.end <= x.start) {
                e.push((r, nb));
            }
        }
    }
    e
}

fn revisions(orig: &str) -> Vec<Revision> {
    let n = paragraph_ranges(orig).len();
    let all: Vec<usize> = (0..n).collect();
    let without = |d: usize| all.iter().copied().filter(|&p| p != d).collect::<Vec<_>>();
    let yo = replace_all(orig, "ё", "е");
    let mut combined_edits = yo.clone();
    combined_edits.extend(inserted_sentences(orig));
    vec![
        Revision {
            name: "unchanged",
            order: all.clone(),
            edits: vec![],
        },
        Revision {
            name: "typo fixes",
            order: all.clone(),
            edits: typo_fixes(orig),
        },
        Revision {
            name: "ё → е",
            order: all.clone(),
            edits: yo,
        },
        Revision {
            name: "inserted sentences",
            order: all.clone(),
            edits: inserted_sentences(orig),
        },
        Revision {
            name: "deleted paragraph 6",
            order: without(6),
            edits: vec![],
        },
        Revision {
            name: "re-punctuation, NBSP",
            order: all.clone(),
            edits: repunctuation(orig),
        },
        Revision {
            name: "paragraphs reordered",
            order: vec![8, 0, 1, 2, 4, 3, 5, 7, 6],
            edits: vec![],
        },
        Revision {
            name: "ё→е + sentences + p2 deleted + reordered",
            order: vec![0, 1, 4, 3, 5, 6, 8, 7],
            edits: combined_edits,
        },
    ]
}

/// The annotations made on the original: `(label, byte range)`.
fn annotations(orig: &str) -> Vec<(String, Range<usize>)> {
    let at = |needle: &str, nth: usize| {
        let (i, _) = orig
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} #{nth}"));
        (format!("{needle} #{nth}"), i..i + needle.len())
    };
    let paras = paragraph_ranges(orig);
    let mut out = vec![
        at("Россия и Азербайджан", 0),
        at("Михаил Галузин", 0),
        at("провел важную встречу", 0),
        at("выразила глубокое сожаление в связи с", 0),
        at("выразила глубокое сожаление в связи с", 1),
        at("сторона выразила", 2),
        at("нанесённый территории", 0),
        at("тщательном рассмотрении", 0),
        at("Вооружённых сил Украины", 0),
        at("ЗРК Patriot", 0),
        at("России", 1),
        at("и", 40),
        at("ПВО", 0),
        at("скорее всего", 0),
        at("21 ноября в Москве", 0),
        at("В заключение", 1),
        at("оборонно-промышленного комплекса", 0),
        at("РИА Новости", 0),
        at("опровержению заявлений о якобы целенаправленных ударах", 0),
        at("Российская сторона акцентировала внимание", 0),
        at("вновь", 1),
        at("якобы", 0),
        at("якобы", 1),
        at("подчёркивают важность международного диалога", 0),
        at("минимизируя риски для мирных жителей", 0),
        at("Рахманом Мустафаевым. В ходе беседы", 0),
        at("В последние дни", 0),
        at("Кроме того", 1),
    ];
    // Across a paragraph break: the end of paragraph 3 and the start of paragraph 4.
    out.push((
        "p3 end + p4 start".into(),
        paras[3].end - 25..paras[4].start + 12,
    ));
    // A whole paragraph, and a long sentence-sized run.
    out.push(("all of p8".into(), paras[8].clone()));
    out.push((
        "long run in p5".into(),
        paras[5].start + 100..paras[5].start + 400,
    ));
    // Snap hand-computed ranges to char boundaries.
    for (_, r) in &mut out {
        while !orig.is_char_boundary(r.start) {
            r.start -= 1;
        }
        while !orig.is_char_boundary(r.end) {
            r.end += 1;
        }
    }
    out
}

#[derive(Default, Debug)]
struct Tally {
    exact: usize,
    fuzzy: usize,
    wrong: usize,
    orphaned: usize,
    /// Orphans whose text was deleted (the right answer).
    orphaned_deleted: usize,
}

#[test]
fn drift_corpus_has_no_wrong_placements() {
    let orig = seed::article_text(SEED);
    let describer = Describer::new(&orig);
    let notes: Vec<(String, Range<usize>, Target)> = annotations(&orig)
        .into_iter()
        .map(|(label, r)| {
            let t = describer
                .describe(ByteOffset(r.start)..ByteOffset(r.end))
                .unwrap();
            (label, r, t)
        })
        .collect();

    let mut problems = Vec::new();
    let mut table = vec![format!(
        "{:<44} {:>5} {:>6} {:>5} {:>8} {:>16}",
        "revision", "exact", "fuzzy", "wrong", "orphaned", "of them deleted"
    )];
    for rev in revisions(&orig) {
        let (text, map) = render(&orig, &build(&orig, &rev));
        let anchorer = Anchorer::new(&text);
        let mut t = Tally::default();
        for (label, r, target) in &notes {
            let truth = true_ranges(&map, r);
            // How much of the annotated text survived, in bytes.
            let kept: usize = truth.iter().map(|x| x.len()).sum();
            let p = anchorer.anchor(target);
            let describe = |p: &Placement| {
                p.range()
                    .map(|x| format!("{:?}", &text[x.start.0..x.end.0]))
                    .unwrap_or_default()
            };
            match &p {
                Placement::Orphan if truth.is_empty() => t.orphaned_deleted += 1,
                Placement::Orphan => {
                    t.orphaned += 1;
                    // Orphaning a fully surviving annotation is a miss worth seeing.
                    if kept * 4 >= r.len() * 3 {
                        problems.push(format!(
                            "[{}] {label}: orphaned although {kept}/{} bytes survive",
                            rev.name,
                            r.len()
                        ));
                    }
                }
                Placement::Exact { range } | Placement::Fuzzy { range, .. } => {
                    let ok = truth
                        .iter()
                        .any(|x| range.start.0 < x.end && x.start < range.end.0);
                    if !ok {
                        t.wrong += 1;
                        problems.push(format!(
                            "[{}] {label}: placed on {} ({p:?}), truly at {truth:?}",
                            rev.name,
                            describe(&p)
                        ));
                    } else if p.is_exact() {
                        t.exact += 1;
                    } else {
                        t.fuzzy += 1;
                    }
                    if p.is_exact() && text[range.start.0..range.end.0] != target.quote.exact {
                        problems.push(format!("[{}] {label}: Exact on changed text", rev.name));
                    }
                }
            }
            if rev.name == "unchanged"
                && p != (Placement::Exact {
                    range: ByteOffset(r.start)..ByteOffset(r.end),
                })
            {
                problems.push(format!("[unchanged] {label}: {p:?}"));
            }
        }
        table.push(format!(
            "{:<44} {:>5} {:>6} {:>5} {:>8} {:>16}",
            rev.name,
            t.exact,
            t.fuzzy,
            t.wrong,
            t.orphaned + t.orphaned_deleted,
            t.orphaned_deleted
        ));
    }
    println!(
        "{} annotations on the seed article\n{}",
        notes.len(),
        table.join("\n")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
