//! Browser tests of the painter and of selections over the article's blocks (headless
//! Chromium via wasm-bindgen-test-runner): what ends up in `CSS.highlights`, in which units.
#![cfg(target_arch = "wasm32")]

use lectern_core::annotation::Color;
use lectern_core::paint::{Layer, Layers, PaintPlan, Run};
use lectern_core::text::Utf16Offset;
use lectern_dom::paint::{is_painted, paint};
use lectern_dom::selection::{range_in, BlockPoint};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// An article element with two blocks, the first split by an inline element, the second
/// starting with an emoji (two UTF-16 units).
fn article() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("article").unwrap();
    el.set_inner_html(
        "<p data-block=\"0\">Ёжик <em>бежит</em> к речке</p><p data-block=\"1\">😀 и обратно</p>",
    );
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

/// A plan painting `runs` (block, start, end, fill colour, cursor on it) for highlights `ids`.
fn plan(runs: &[(usize, usize, usize, Color, bool)], ids: &[&str]) -> PaintPlan {
    let mut p = PaintPlan::default();
    for &(block, start, end, color, cursor) in runs {
        let mut layers = Layers::default().with(Layer::Fill(color));
        if cursor {
            layers = layers.with(Layer::Cursor);
        }
        p.blocks.entry(block).or_default().push(Run {
            start: Utf16Offset(start),
            end: Utf16Offset(end),
            layers,
        });
    }
    p.painted = ids.iter().map(|s| (*s).to_owned()).collect();
    p
}

/// The text of every range in highlight `name`, in insertion order.
fn painted(name: &str) -> Vec<String> {
    let css = js_sys::Reflect::get(&js_sys::global(), &"CSS".into()).unwrap();
    let reg = js_sys::Reflect::get(&css, &"highlights".into()).unwrap();
    let get: js_sys::Function = js_sys::Reflect::get(&reg, &"get".into())
        .unwrap()
        .unchecked_into();
    let h = get.call1(&reg, &name.into()).unwrap();
    if h.is_undefined() {
        return Vec::new();
    }
    let values: js_sys::Function = js_sys::Reflect::get(&h, &"values".into())
        .unwrap()
        .unchecked_into();
    let it = values.call0(&h).unwrap();
    js_sys::Array::from(&it)
        .iter()
        .map(|r| String::from(r.unchecked_into::<web_sys::Range>().to_string()))
        .collect()
}

#[wasm_bindgen_test]
fn runs_become_ranges_across_inline_elements_and_surrogate_pairs() {
    let el = article();
    let p = plan(
        &[
            // "жик бежит" crosses into the <em>.
            (0, 1, 10, Color::Green, false),
            // The emoji and the space after it: UTF-16 units 0..3.
            (1, 0, 3, Color::Blue, false),
        ],
        &["a", "b"],
    );
    assert!(paint(&el, 1, &p).is_some());
    assert_eq!(painted("lectern-green"), vec!["жик бежит"]);
    assert_eq!(painted("lectern-blue"), vec!["😀 "]);
    assert!(is_painted("a") && is_painted("b") && !is_painted("c"));
    el.remove();
}

#[wasm_bindgen_test]
fn only_changed_blocks_are_repainted_until_the_key_changes() {
    let el = article();
    let first = plan(
        &[
            (0, 0, 4, Color::Yellow, false),
            (1, 3, 4, Color::Pink, false),
        ],
        &["a", "b"],
    );
    let stats = paint(&el, 10, &first).unwrap();
    assert_eq!(stats.repainted_blocks, 2);
    assert_eq!(stats.ranges, 2);
    // Block 1 changes colour, and the cursor goes onto block 0's highlight: both repainted.
    let second = plan(
        &[
            (0, 0, 4, Color::Yellow, true),
            (1, 3, 4, Color::Purple, false),
        ],
        &["a", "b"],
    );
    assert_eq!(paint(&el, 10, &second).unwrap().repainted_blocks, 2);
    assert_eq!(painted("lectern-pink"), Vec::<String>::new());
    assert_eq!(painted("lectern-purple"), vec!["и"]);
    assert_eq!(painted("lectern-cursor"), vec!["Ёжик"]);
    // The same plan again: nothing to do.
    assert_eq!(paint(&el, 10, &second).unwrap().repainted_blocks, 0);
    // A new key (the blocks were rendered anew): everything is painted again.
    assert_eq!(paint(&el, 11, &second).unwrap().repainted_blocks, 2);
    assert_eq!(painted("lectern-yellow"), vec!["Ёжик"]);
    // Nothing left to paint: everything is taken away.
    paint(&el, 11, &PaintPlan::default());
    assert_eq!(painted("lectern-yellow"), Vec::<String>::new());
    assert_eq!(painted("lectern-purple"), Vec::<String>::new());
    assert!(!is_painted("a"));
    el.remove();
}

#[wasm_bindgen_test]
fn a_range_over_blocks_becomes_block_points_in_utf16() {
    let el = article();
    let doc = el.owner_document().unwrap();
    let em_text = el
        .query_selector("em")
        .unwrap()
        .unwrap()
        .first_child()
        .unwrap();
    let second = el
        .query_selector("[data-block=\"1\"]")
        .unwrap()
        .unwrap()
        .first_child()
        .unwrap();
    let r = doc.create_range().unwrap();
    // From "жит" inside the <em> to after "😀 " in block 1.
    r.set_start(&em_text, 2).unwrap();
    r.set_end(&second, 3).unwrap();
    assert_eq!(
        range_in(&el, &r),
        Some((
            BlockPoint {
                block: 0,
                offset: Utf16Offset(7)
            },
            BlockPoint {
                block: 1,
                offset: Utf16Offset(3)
            }
        ))
    );
    // A range that starts before the article is clipped to its first block.
    let outside = doc.create_element("p").unwrap();
    outside.set_text_content(Some("before"));
    el.before_with_node_1(&outside).unwrap();
    r.set_start(&outside.first_child().unwrap(), 1).unwrap();
    assert_eq!(
        range_in(&el, &r).map(|(a, _)| a),
        Some(BlockPoint {
            block: 0,
            offset: Utf16Offset(0)
        })
    );
    outside.remove();
    el.remove();
}
