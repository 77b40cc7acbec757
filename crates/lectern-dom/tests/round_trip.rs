//! The named describe → anchor cases of the core (`crates/lectern-core/tests/fixtures/cases.rs`)
//! through every layer, in headless Chromium: the article rendered by the core's HTML, a DOM
//! range over the marked text → block points → bytes → describe; the revised article rendered,
//! anchored, planned and painted → the text the browser paints is the marked text of the
//! revision (nothing painted for an orphan).
#![cfg(target_arch = "wasm32")]

use lectern_core::anchor::{Anchorer, Describer, Placement};
use lectern_core::annotation::{Annotation, Color};
use lectern_core::article::Article;
use lectern_core::render::body_html;
use lectern_dom::paint::paint_article;
use lectern_dom::selection::range_in;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[allow(dead_code)]
#[path = "../../lectern-core/tests/fixtures/cases.rs"]
mod cases;

use cases::{Expect, CASES};

wasm_bindgen_test_configure!(run_in_browser);

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

/// The text without marks, and the marked part as (start, end) UTF-16 offsets of that text.
fn unmark(marked: &str) -> (String, Option<(usize, usize)>) {
    let mut text = String::new();
    let (mut s, mut e) = (None, None);
    for c in marked.chars() {
        match c {
            OPEN => s = Some(text.encode_utf16().count()),
            CLOSE => e = Some(text.encode_utf16().count()),
            c => text.push(c),
        }
    }
    (text, s.zip(e))
}

/// The article of `text` (one block per line) rendered into a fresh element.
fn render(id: &str, text: &str) -> (Article, web_sys::Element) {
    let article = Article::from_lines(id, "T", text);
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("article").unwrap();
    el.set_inner_html(&body_html(&article));
    doc.body().unwrap().append_child(&el).unwrap();
    (article, el)
}

/// The DOM position of UTF-16 offset `u` of the whole text (blocks joined by "\n"), found by
/// walking the rendered blocks' text as the browser holds it.
fn dom_point(el: &web_sys::Element, mut u: usize) -> (web_sys::Node, u32) {
    let blocks = el.query_selector_all("[data-block]").unwrap();
    for i in 0..blocks.length() {
        let block = blocks.item(i).unwrap();
        let len = block
            .text_content()
            .unwrap_or_default()
            .encode_utf16()
            .count();
        if u <= len {
            let node = block.first_child().unwrap_or(block);
            return (node, u as u32);
        }
        u -= len + 1;
    }
    panic!("offset past the text");
}

/// Every range of every lectern layer, as the browser would paint it: (block, text).
fn painted_text() -> String {
    let css = js_sys::Reflect::get(&js_sys::global(), &"CSS".into()).unwrap();
    let reg = js_sys::Reflect::get(&css, &"highlights".into()).unwrap();
    let get: js_sys::Function = js_sys::Reflect::get(&reg, &"get".into())
        .unwrap()
        .unchecked_into();
    let mut ranges: Vec<web_sys::Range> = Vec::new();
    for c in Color::ALL {
        let h = get
            .call1(&reg, &format!("lectern-{}", c.as_str()).into())
            .unwrap();
        if h.is_undefined() {
            continue;
        }
        let values: js_sys::Function = js_sys::Reflect::get(&h, &"values".into())
            .unwrap()
            .unchecked_into();
        for r in js_sys::Array::from(&values.call0(&h).unwrap()).iter() {
            ranges.push(r.unchecked_into());
        }
    }
    // In document order; ranges in different blocks are joined as the text joins them.
    ranges.sort_by(|a, b| {
        let c = a
            .compare_boundary_points(web_sys::Range::START_TO_START, b)
            .unwrap();
        c.cmp(&0)
    });
    ranges
        .iter()
        .map(|r| String::from(r.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[wasm_bindgen_test]
fn every_named_case_round_trips_through_the_dom() {
    for (n, case) in CASES.iter().enumerate() {
        let (text, marked) = unmark(case.text);
        let (s, e) = marked.expect("every case marks a selection");
        // The reader selects the marked text in the rendered article.
        let (article, el) = render("orig", &text);
        let article_text = article.article_text();
        let doc = el.owner_document().unwrap();
        let range = doc.create_range().unwrap();
        let (sn, so) = dom_point(&el, s);
        let (en, eo) = dom_point(&el, e);
        range.set_start(&sn, so).unwrap();
        range.set_end(&en, eo).unwrap();
        let points = range_in(&el, &range);
        el.remove();
        let Some((a, b)) = points else {
            assert_eq!(
                s, e,
                "{}: only an empty selection has no block points",
                case.name
            );
            continue;
        };
        let start = article_text.from_block_utf16(a.block, a.offset).unwrap();
        let end = article_text.from_block_utf16(b.block, b.offset).unwrap();
        let target = Describer::new(article_text.as_str())
            .describe(start..end)
            .unwrap_or_else(|err| panic!("{}: describe: {err:?}", case.name));
        assert_eq!(
            target.quote.exact,
            &article_text.as_str()[start.0..end.0],
            "{}",
            case.name
        );

        // The revision is opened: anchored, planned, painted.
        let (revised, want) = unmark(case.revised);
        let (rev_article, rev_el) = render("rev", &revised);
        let rev_text = rev_article.article_text();
        let placement = Anchorer::new(rev_text.as_str()).anchor(&target);
        let annotation = Annotation {
            id: format!("case-{n}"),
            article_id: "rev".into(),
            target: Some(target),
            color: Color::Green,
            note: String::new(),
            tags: Vec::new(),
            created: "2026-01-01T00:00:00Z".into(),
            modified: "2026-01-01T00:00:00Z".into(),
        };
        let placements = [(annotation.id.clone(), placement.clone())].into();
        paint_article(
            &rev_el,
            1000 + n as u64,
            &rev_text,
            std::slice::from_ref(&annotation),
            &placements,
            None,
        )
        .expect("this browser paints highlights");
        let got = painted_text();
        match (case.expect, want) {
            (Expect::Orphan, _) | (_, None) => {
                assert!(matches!(placement, Placement::Orphan), "{}", case.name);
                assert_eq!(got, "", "{}: an orphan paints nothing", case.name);
            }
            (_, Some((ws, we))) => {
                let units: Vec<u16> = revised.encode_utf16().collect();
                let want_text = String::from_utf16(&units[ws..we]).unwrap();
                assert_eq!(got, want_text, "{}: {placement:?}", case.name);
            }
        }
        rev_el.remove();
    }
}
