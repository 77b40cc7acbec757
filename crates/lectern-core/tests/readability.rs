//! HTML import quality against Mozilla Readability's own test pages
//! (`tests/fixtures/readability`, Apache-2.0, see its README).
//!
//! For every page: word-level F1 of the imported article's text against the text of
//! `expected.html`, and whether title, byline, lang and dir equal `expected-metadata.json`.
//! Words are Unicode words (UAX #29), lowercased; F1 is over multisets of words. Metadata values
//! are compared with whitespace collapsed and trimmed; a JSON `null` or absent key equals our
//! `None` and nothing else. `lang` and `dir` are what the page declares ([`Declared`]), not our
//! guesses, since that is what the metadata records.
//!
//! Prints a per-page table and the means; fails below mean F1 0.95 or a title match under 90%.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use dom_query::{Document, NodeRef};
use lectern_core::parse::html::{extract_html, Declared};
use unicode_segmentation::UnicodeSegmentation;

const MIN_MEAN_F1: f64 = 0.95;
const MIN_TITLE_SHARE: f64 = 0.90;

fn words(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for w in text.unicode_words() {
        *counts.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

/// Word-level F1 of `got` against `expected` (both multisets). Two empty texts score 1.
fn f1(got: &HashMap<String, usize>, expected: &HashMap<String, usize>) -> f64 {
    let n_got: usize = got.values().sum();
    let n_exp: usize = expected.values().sum();
    if n_got == 0 && n_exp == 0 {
        return 1.0;
    }
    let overlap: usize = got
        .iter()
        .map(|(w, n)| (*n).min(expected.get(w).copied().unwrap_or(0)))
        .sum();
    if overlap == 0 {
        return 0.0;
    }
    let p = overlap as f64 / n_got as f64;
    let r = overlap as f64 / n_exp as f64;
    2.0 * p * r / (p + r)
}

/// The text of an HTML document as a browser would lay it out, roughly: text nodes in order,
/// a space at element boundaries that are blocks, `<script>`/`<style>` skipped. Independent of
/// the importer's own walker so the two cannot share a mistake.
fn html_text(html: &str) -> String {
    fn walk(node: &NodeRef, out: &mut String) {
        if node.is_text() {
            out.push_str(&node.text());
            return;
        }
        let name = node.node_name().map(|n| n.to_ascii_lowercase());
        if matches!(
            name.as_deref(),
            Some("script" | "style" | "noscript" | "template")
        ) {
            return;
        }
        let inline = matches!(
            name.as_deref(),
            Some(
                "a" | "b"
                    | "i"
                    | "em"
                    | "strong"
                    | "span"
                    | "code"
                    | "sup"
                    | "sub"
                    | "small"
                    | "abbr"
                    | "cite"
                    | "q"
                    | "u"
                    | "s"
                    | "mark"
                    | "time"
                    | "font"
                    | "kbd"
                    | "var"
                    | "dfn"
            )
        );
        if !inline {
            out.push(' ');
        }
        for child in node.children_it(false) {
            walk(&child, out);
        }
        if !inline {
            out.push(' ');
        }
    }
    let doc = Document::from(html);
    let mut out = String::new();
    walk(&doc.root(), &mut out);
    out
}

fn norm(s: Option<&str>) -> Option<String> {
    let s = s?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn meta(json: &serde_json::Value, key: &str) -> Option<String> {
    norm(json.get(key).and_then(|v| v.as_str()))
}

struct Row {
    name: String,
    f1: f64,
    title: bool,
    byline: bool,
    lang: bool,
    dir: bool,
    note: String,
}

#[test]
fn readability_pages_import_with_high_fidelity() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readability");
    let mut names: Vec<String> = fs::read_dir(&root)
        .expect("fixtures present")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 44, "expected the 44 Readability test pages");

    let mut rows = Vec::new();
    for name in &names {
        let dir = root.join(name);
        let source = fs::read_to_string(dir.join("source.html")).unwrap();
        let expected_html = fs::read_to_string(dir.join("expected.html")).unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("expected-metadata.json")).unwrap())
                .unwrap();
        let expected_words = words(&html_text(&expected_html));
        let row = match extract_html(name, &source) {
            Ok(e) => {
                let a = &e.article;
                let Declared { lang, dir } = &e.declared;
                let exp_title = meta(&expected, "title");
                let exp_byline = meta(&expected, "byline");
                let exp_lang = meta(&expected, "lang");
                let exp_dir = meta(&expected, "dir");
                let mut note = String::new();
                let title = norm(Some(&a.title)) == exp_title;
                if !title {
                    note += &format!("title {:?} ≠ {:?}; ", a.title, exp_title);
                }
                let byline = norm(a.byline.as_deref()) == exp_byline;
                if !byline {
                    note += &format!("byline {:?} ≠ {:?}; ", a.byline, exp_byline);
                }
                let lang_ok = norm(lang.as_deref()) == exp_lang;
                if !lang_ok {
                    note += &format!("lang {lang:?} ≠ {exp_lang:?}; ");
                }
                let dir_ok = norm(dir.as_deref()) == exp_dir;
                if !dir_ok {
                    note += &format!("dir {dir:?} ≠ {exp_dir:?}; ");
                }
                Row {
                    name: name.clone(),
                    f1: f1(&words(&a.text()), &expected_words),
                    title,
                    byline,
                    lang: lang_ok,
                    dir: dir_ok,
                    note,
                }
            }
            Err(err) => Row {
                name: name.clone(),
                f1: 0.0,
                title: false,
                byline: false,
                lang: false,
                dir: false,
                note: format!("error: {err}"),
            },
        };
        rows.push(row);
    }

    let yes = |b: bool| if b { "yes" } else { "NO" };
    println!(
        "\n{:<40} {:>6}  {:<5} {:<6} {:<5} {:<5} notes",
        "page", "F1", "title", "byline", "lang", "dir"
    );
    for r in &rows {
        println!(
            "{:<40} {:>6.3}  {:<5} {:<6} {:<5} {:<5} {}",
            r.name,
            r.f1,
            yes(r.title),
            yes(r.byline),
            yes(r.lang),
            yes(r.dir),
            r.note
        );
    }
    let n = rows.len() as f64;
    let share = |f: fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n;
    let mean_f1 = rows.iter().map(|r| r.f1).sum::<f64>() / n;
    let (title, byline, lang, dir) = (
        share(|r| r.title),
        share(|r| r.byline),
        share(|r| r.lang),
        share(|r| r.dir),
    );
    println!(
        "\nmeans over {} pages: F1 {mean_f1:.4}, title {:.1}%, byline {:.1}%, lang {:.1}%, dir {:.1}%",
        rows.len(),
        title * 100.0,
        byline * 100.0,
        lang * 100.0,
        dir * 100.0
    );
    assert!(
        mean_f1 >= MIN_MEAN_F1,
        "mean F1 {mean_f1:.4} is below {MIN_MEAN_F1}"
    );
    assert!(
        title >= MIN_TITLE_SHARE,
        "title match {:.1}% is below {:.0}%",
        title * 100.0,
        MIN_TITLE_SHARE * 100.0
    );
}

#[test]
fn f1_counts_multisets() {
    let a = words("the cat the hat");
    assert!((f1(&a, &a) - 1.0).abs() < 1e-9);
    let b = words("the cat");
    // overlap 2, precision 2/2, recall 2/4 → F1 = 2/3.
    assert!((f1(&b, &a) - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(f1(&words(""), &words("")), 1.0);
    assert_eq!(f1(&words("x"), &words("")), 0.0);
}
