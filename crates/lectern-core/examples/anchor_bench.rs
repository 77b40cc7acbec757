//! Anchoring benchmark: 1,000 annotations on a ~1 MB Russian text.
//!
//! Builds the text by repeating the seed article with the words of every sentence shuffled (a
//! deterministic PRNG, so runs are comparable), picks 1,000 quotes of 5–60 words, describes
//! them, and anchors them (a) on the same text and (b) on a copy in which one Cyrillic letter
//! near the middle of every quote is replaced by another (same byte length, so true positions
//! do not move). Prints timings and correctness counts.
//!
//! Then, in "quote only" mode (as the browser benchmark anchors: position 0..0 and no text
//! hash, so only the quote and its context are usable), the same on both texts; and, if the
//! shared harness corpus exists (`/work/shared/corpus/annotator-bench/`, or the directory in
//! `ANNOTATOR_BENCH_DIR`), its 1 MB article, its edited copy and its 1,000 quotes, with and
//! without positions. There, "correct" means within ±3 code points of the true range at both
//! ends.
//!
//! Run: `cargo run --release -p lectern-core --example anchor_bench` (add `-- --corpus-only`
//! for the harness corpus alone, and `--only=<part of a run's name>` for some of its runs).

use std::ops::Range;
use std::time::Instant;

use lectern_core::anchor::{Anchorer, Describer, Placement};
use lectern_core::annotation::{text_hash, Target, TextPositionSelector, TextQuoteSelector};
use lectern_core::text::{ByteOffset, CodePointOffset};

const SEED: &str = include_str!("../../../assets/seed-article-ru.txt");
const TARGET_BYTES: usize = 1_000_000;
const QUOTES: usize = 1_000;

/// SplitMix64: tiny, deterministic, good enough for shuffling.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn build_text(rng: &mut Rng) -> String {
    let body: Vec<&str> = SEED.lines().skip(1).collect();
    let mut out = String::with_capacity(TARGET_BYTES + 20_000);
    while out.len() < TARGET_BYTES {
        for line in &body {
            for sentence in line.split_inclusive(['.', '!', '?']) {
                let mut words: Vec<&str> = sentence.split_whitespace().collect();
                for i in (1..words.len()).rev() {
                    words.swap(i, rng.below(i + 1));
                }
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push(' ');
                }
                out.push_str(&words.join(" "));
            }
            out.push('\n');
        }
    }
    out
}

fn word_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() && prev_space {
            starts.push(i);
        }
        prev_space = c.is_whitespace();
    }
    starts
}

/// End of the word starting at `s`.
fn word_end(text: &str, s: usize) -> usize {
    s + text[s..]
        .find(char::is_whitespace)
        .unwrap_or(text.len() - s)
}

fn overlaps(a: &Range<ByteOffset>, b: &Range<usize>) -> bool {
    a.start.0 < b.end && b.start < a.end.0
}

fn main() {
    let corpus_only = std::env::args().any(|a| a == "--corpus-only");
    if !corpus_only {
        synthetic();
    }
    corpus();
}

/// The same target with only the quote usable: position 0..0, no hash.
fn quote_only(t: &Target) -> Target {
    Target {
        quote: t.quote.clone(),
        position: TextPositionSelector {
            start: CodePointOffset(0),
            end: CodePointOffset(0),
        },
        text_hash: String::new(),
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Anchors `targets` in `on` and compares with `truth` (code point ranges; a placement is
/// correct if both ends are within `slack` code points).
fn run_cp(name: &str, on: &str, targets: &[Target], truth: &[Range<usize>], slack: usize) {
    if let Some(only) = std::env::args().find_map(|a| a.strip_prefix("--only=").map(String::from)) {
        if !name.contains(&only) {
            return;
        }
    }
    let t0 = Instant::now();
    let anchorer = Anchorer::new(on);
    let t_new = t0.elapsed();
    let t0 = Instant::now();
    let mut worst = std::time::Duration::ZERO;
    let placements: Vec<Placement> = targets
        .iter()
        .map(|t| {
            let s = Instant::now();
            let p = anchorer.anchor(t);
            worst = worst.max(s.elapsed());
            p
        })
        .collect();
    let t_anchor = t0.elapsed();
    let (mut exact, mut fuzzy, mut wrong, mut orphan) = (0, 0, 0, 0);
    for (p, want) in placements.iter().zip(truth) {
        match p.cp_range(anchorer.index()) {
            None => {
                orphan += 1;
                if std::env::var_os("SHOW_ORPHANS").is_some() {
                    let cut = |r: &Range<usize>| {
                        on.chars()
                            .skip(r.start)
                            .take(r.end - r.start)
                            .collect::<String>()
                    };
                    println!("  orphaned: want {want:?} {:?}", cut(want));
                }
            }
            Some(r) => {
                if r.start.0.abs_diff(want.start) <= slack && r.end.0.abs_diff(want.end) <= slack {
                    if p.is_exact() {
                        exact += 1;
                    } else {
                        fuzzy += 1;
                    }
                } else {
                    wrong += 1;
                    if std::env::var_os("SHOW_WRONG").is_some() {
                        let cut = |r: &Range<usize>| {
                            on.chars()
                                .skip(r.start)
                                .take(r.end - r.start)
                                .collect::<String>()
                        };
                        println!(
                            "  wrong: want {want:?} {:?}\n         got  {:?} {:?} ({p:?})",
                            cut(want),
                            r.start.0..r.end.0,
                            cut(&(r.start.0..r.end.0)),
                        );
                    }
                }
            }
        }
    }
    println!(
        "{name}: Anchorer::new {:.1} ms; anchor {:.1} ms ({:.3} ms/quote, worst {:.2} ms); \
         total {:.1} ms; correct exact {exact}, correct fuzzy {fuzzy}, wrong {wrong}, orphaned {orphan}",
        ms(t_new),
        ms(t_anchor),
        ms(t_anchor) / targets.len() as f64,
        ms(worst),
        ms(t_new) + ms(t_anchor),
    );
}

/// The shared harness corpus (the browser benchmark's inputs), if present.
fn corpus() {
    let dir = std::env::var("ANNOTATOR_BENCH_DIR")
        .unwrap_or_else(|_| "/work/shared/corpus/annotator-bench".into());
    let dir = std::path::Path::new(&dir);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    // ANNOTATOR_BENCH_SIZE=10k|100k|1m (default 1m).
    let size = std::env::var("ANNOTATOR_BENCH_SIZE").unwrap_or_else(|_| "1m".into());
    let (Some(text), Some(edited), Some(quotes)) = (
        read(&format!("article-{size}.txt")),
        read(&format!("article-{size}-edited-n1000.txt")),
        read(&format!("quotes-{size}-n1000.json")),
    ) else {
        println!("corpus: {} not found, skipped", dir.display());
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&quotes).expect("quotes JSON");
    let s = |q: &serde_json::Value, k: &str| q[k].as_str().expect("string field").to_owned();
    let u = |q: &serde_json::Value, k: &str| q[k].as_u64().expect("number field") as usize;
    // The corpus is all BMP: UTF-16 offsets are code point offsets.
    assert_eq!(
        text.chars().count(),
        text.encode_utf16().count(),
        "corpus text is BMP"
    );
    let hash = text_hash(&text);
    let mut truth = Vec::new();
    let targets: Vec<Target> = v["quotes"]
        .as_array()
        .expect("quotes array")
        .iter()
        .map(|q| {
            truth.push(u(q, "start")..u(q, "end"));
            Target {
                quote: TextQuoteSelector {
                    exact: s(q, "exact"),
                    prefix: s(q, "prefix"),
                    suffix: s(q, "suffix"),
                },
                position: TextPositionSelector {
                    start: CodePointOffset(u(q, "start")),
                    end: CodePointOffset(u(q, "end")),
                },
                text_hash: hash.clone(),
            }
        })
        .collect();
    println!(
        "corpus: {} bytes, {} code points, {} quotes",
        text.len(),
        text.chars().count(),
        targets.len()
    );
    let qo: Vec<Target> = targets.iter().map(quote_only).collect();
    run_cp("corpus quote-only original", &text, &qo, &truth, 0);
    run_cp("corpus quote-only edited", &edited, &qo, &truth, 3);
    run_cp("corpus with-position original", &text, &targets, &truth, 0);
    run_cp("corpus with-position edited", &edited, &targets, &truth, 3);
}

fn synthetic() {
    let mut rng = Rng(0x1ec7e2);
    let text = build_text(&mut rng);
    let words = word_starts(&text);
    let mut quotes: Vec<Range<usize>> = Vec::with_capacity(QUOTES);
    while quotes.len() < QUOTES {
        let n = 5 + rng.below(56);
        let i = rng.below(words.len() - n);
        quotes.push(words[i]..word_end(&text, words[i + n - 1]));
    }
    println!(
        "text: {} bytes, {} code points, {} words; {} quotes of 5-60 words",
        text.len(),
        text.chars().count(),
        words.len(),
        quotes.len()
    );

    // The copy: one letter substituted near the middle of every quote.
    let mut changed = text.clone().into_bytes();
    let mut substituted = 0;
    for q in &quotes {
        let mut mid = q.start + (q.end - q.start) / 2;
        while !text.is_char_boundary(mid) {
            mid -= 1;
        }
        let Some((i, c)) = text[mid..q.end]
            .char_indices()
            .map(|(i, c)| (mid + i, c))
            .find(|&(i, c)| {
                ('а'..='я').contains(&c) && changed[i..i + 2] == *c.to_string().as_bytes()
            })
        else {
            continue;
        };
        let repl = if c == 'ж' { 'ш' } else { 'ж' };
        changed[i..i + 2].copy_from_slice(repl.to_string().as_bytes());
        substituted += 1;
    }
    let changed = String::from_utf8(changed).expect("same-length letter swaps keep UTF-8");
    println!("substituted a letter in {substituted} quotes");

    let t0 = Instant::now();
    let describer = Describer::new(&text);
    let t_describer = t0.elapsed();
    let t0 = Instant::now();
    let mut worst_describe = std::time::Duration::ZERO;
    let targets: Vec<_> = quotes
        .iter()
        .map(|q| {
            let t = Instant::now();
            let d = describer
                .describe(ByteOffset(q.start)..ByteOffset(q.end))
                .expect("word boundaries are char boundaries");
            worst_describe = worst_describe.max(t.elapsed());
            d
        })
        .collect();
    let t_describe = t0.elapsed();

    let report = |name: &str, on: &str, targets: &[Target]| {
        let t0 = Instant::now();
        let anchorer = Anchorer::new(on);
        let t_new = t0.elapsed();
        let t0 = Instant::now();
        let mut worst = std::time::Duration::ZERO;
        let placements: Vec<Placement> = targets
            .iter()
            .map(|t| {
                let s = Instant::now();
                let p = anchorer.anchor(t);
                worst = worst.max(s.elapsed());
                p
            })
            .collect();
        let t_anchor = t0.elapsed();
        let (mut exact, mut exact_same, mut fuzzy_ok, mut wrong, mut orphan) = (0, 0, 0, 0, 0);
        for (p, q) in placements.iter().zip(&quotes) {
            match p {
                Placement::Exact { range } if overlaps(range, q) => {
                    exact += 1;
                    if range.start.0 == q.start && range.end.0 == q.end {
                        exact_same += 1;
                    }
                }
                Placement::Fuzzy { range, .. } if overlaps(range, q) => fuzzy_ok += 1,
                Placement::Orphan => orphan += 1,
                _ => wrong += 1,
            }
        }
        println!(
            "{name}: Anchorer::new {:.1} ms; anchor total {:.1} ms, {:.3} ms/quote (worst {:.2} ms); \
             exact {exact} (at the original range {exact_same}), fuzzy-correct {fuzzy_ok}, wrong {wrong}, orphaned {orphan}",
            t_new.as_secs_f64() * 1e3,
            t_anchor.as_secs_f64() * 1e3,
            t_anchor.as_secs_f64() * 1e3 / targets.len() as f64,
            worst.as_secs_f64() * 1e3,
        );
    };

    println!(
        "describe: Describer::new {:.1} ms; total {:.1} ms, {:.3} ms/quote (worst {:.2} ms)",
        t_describer.as_secs_f64() * 1e3,
        t_describe.as_secs_f64() * 1e3,
        t_describe.as_secs_f64() * 1e3 / targets.len() as f64,
        worst_describe.as_secs_f64() * 1e3,
    );
    report("unchanged text", &text, &targets);
    report("one letter changed per quote", &changed, &targets);
    let qo: Vec<Target> = targets.iter().map(quote_only).collect();
    report("quote-only, unchanged text", &text, &qo);
    report("quote-only, one letter changed per quote", &changed, &qo);
}
