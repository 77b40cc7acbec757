//! Painting highlights with the CSS Custom Highlight API: one `Highlight` per layer of the
//! core's [`PaintPlan`] (a fill per colour, an underline per colour for an older overlapping
//! highlight, a dashed underline for fuzzy placements, the keyboard cursor), registered in
//! `CSS.highlights` under the names the stylesheet's `::highlight(…)` rules use. The article's
//! DOM is never touched, so painting causes no re-render and no re-layout.
//!
//! What to paint and which blocks changed are decided by the core ([`PaintPlan`]: a block
//! index and UTF-16 offsets in the block's text); this module only turns runs into DOM
//! `Range`s over the block's text nodes. The reverse, a click point back to a (block, UTF-16
//! offset), is [`char_at_point`].

use std::cell::RefCell;
use std::collections::HashMap;

use lectern_core::anchor::Placement;
use lectern_core::annotation::Annotation;
use lectern_core::paint::{Layer, PaintPlan, Run};
use lectern_core::text::{ArticleText, Utf16Offset};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::selection::{boundary_block, offset_in, BlockPoint};

#[wasm_bindgen]
extern "C" {
    /// `Highlight` (CSS Custom Highlight API), bound here: web-sys has it only behind
    /// `web_sys_unstable_apis`.
    #[wasm_bindgen(js_name = Highlight)]
    type JsHighlight;
    #[wasm_bindgen(constructor, js_class = "Highlight")]
    fn new() -> JsHighlight;
    #[wasm_bindgen(method, js_class = "Highlight")]
    fn add(this: &JsHighlight, range: &web_sys::Range);
    #[wasm_bindgen(method, js_class = "Highlight")]
    fn clear(this: &JsHighlight);
    #[wasm_bindgen(method, js_class = "Highlight")]
    fn delete(this: &JsHighlight, range: &web_sys::Range) -> bool;
    #[wasm_bindgen(method, setter, js_class = "Highlight")]
    fn set_priority(this: &JsHighlight, priority: i32);

    /// `CSS.highlights`.
    type HighlightRegistry;
    #[wasm_bindgen(method)]
    fn set(this: &HighlightRegistry, name: &str, highlight: &JsHighlight);
}

fn registry() -> Option<HighlightRegistry> {
    let css = js_sys::Reflect::get(&js_sys::global(), &"CSS".into()).ok()?;
    let reg = js_sys::Reflect::get(&css, &"highlights".into()).ok()?;
    let has_ctor = js_sys::Reflect::has(&js_sys::global(), &"Highlight".into()).unwrap_or(false);
    (has_ctor && reg.is_object()).then(|| reg.unchecked_into())
}

/// Whether this browser can paint highlights (Chromium 105+, Safari 17.2+, Firefox 140+).
pub fn supported() -> bool {
    registry().is_some()
}

/// What one [`paint`] did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PaintStats {
    /// Blocks whose ranges were made anew (the rest kept theirs).
    pub repainted_blocks: usize,
    /// Ranges the plan paints in all.
    pub ranges: usize,
    /// How long it took, in ms (finding the blocks' text nodes, making the ranges, adding
    /// them to the highlights).
    pub ms: f64,
}

/// The ranges painted in one block, in the order of the plan's runs.
struct BlockPaint {
    runs: Vec<Run>,
    ranges: Vec<web_sys::Range>,
}

struct Painter {
    /// One `Highlight` per [`Layer::ALL`].
    layers: Vec<JsHighlight>,
    /// Painted blocks by index.
    blocks: HashMap<usize, BlockPaint>,
    /// The plan painted last, and which rendering of which article it belongs to.
    plan: PaintPlan,
    key: Option<u64>,
}

thread_local! {
    static PAINTER: RefCell<Option<Painter>> = const { RefCell::new(None) };
}

fn with_painter<R>(f: impl FnOnce(&mut Painter) -> R) -> Option<R> {
    PAINTER.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            let reg = registry()?;
            let layers = Layer::ALL
                .into_iter()
                .map(|layer| {
                    let h = JsHighlight::new();
                    h.set_priority(layer.priority());
                    reg.set(&layer.name(), &h);
                    h
                })
                .collect();
            *p = Some(Painter {
                layers,
                blocks: HashMap::new(),
                plan: PaintPlan::default(),
                key: None,
            });
        }
        p.as_mut().map(f)
    })
}

/// The text nodes of one block with the UTF-16 offset each starts at.
struct BlockText {
    nodes: Vec<(web_sys::Node, usize)>,
    len: usize,
}

impl BlockText {
    fn of(block: &web_sys::Element) -> Option<Self> {
        // Most blocks are one text node: no tree walk.
        if let Some(only) = block.first_child().filter(|c| c.next_sibling().is_none()) {
            if let Some(t) = only.dyn_ref::<web_sys::CharacterData>() {
                let len = t.length() as usize;
                return Some(BlockText {
                    nodes: vec![(only, 0)],
                    len,
                });
            }
        }
        let doc = block.owner_document()?;
        // NodeFilter.SHOW_TEXT
        let walker = doc.create_tree_walker_with_what_to_show(block, 4).ok()?;
        let mut nodes = Vec::new();
        let mut at = 0;
        while let Ok(Some(n)) = walker.next_node() {
            let len = n
                .dyn_ref::<web_sys::CharacterData>()
                .map_or(0, |t| t.length() as usize);
            nodes.push((n, at));
            at += len;
        }
        Some(BlockText { nodes, len: at })
    }

    /// The (text node, offset) of UTF-16 offset `u` in the block; at a boundary between two
    /// nodes, the start of the later one when `start`, else the end of the earlier one.
    fn point(&self, u: usize, start: bool) -> Option<(&web_sys::Node, u32)> {
        let u = u.min(self.len);
        let i = if start {
            self.nodes
                .partition_point(|(_, s)| *s <= u)
                .checked_sub(1)?
        } else {
            self.nodes
                .partition_point(|(_, s)| *s < u)
                .saturating_sub(1)
        };
        let (node, s) = self.nodes.get(i)?;
        Some((node, (u - s) as u32))
    }
}

/// The block elements of `article`, by index: the reader renders them in order, one
/// `[data-block]` element per block, so the n-th match is block n.
fn blocks(article: &web_sys::Element) -> Vec<web_sys::Element> {
    let Ok(list) = article.query_selector_all("[data-block]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
        .collect()
}

/// Block `index`'s element in `article`.
fn block_element(article: &web_sys::Element, index: usize) -> Option<web_sys::Element> {
    article
        .query_selector(&format!("[data-block=\"{index}\"]"))
        .ok()
        .flatten()
}

/// A DOM range from `start` to `end` (UTF-16) of a block's text.
fn range_in_block(
    doc: &web_sys::Document,
    text: &BlockText,
    start: Utf16Offset,
    end: Utf16Offset,
) -> Option<web_sys::Range> {
    let (sn, so) = text.point(start.0, true)?;
    let (en, eo) = text.point(end.0, false)?;
    let r = doc.create_range().ok()?;
    r.set_start(sn, so).ok()?;
    r.set_end(en, eo).ok()?;
    Some(r)
}

/// Paints `plan` over `article`'s blocks, replacing what was painted before. `key` names the
/// rendering of the article the blocks belong to (a new article, or blocks rendered anew, needs
/// a new key): with the same key only the blocks the plan says changed
/// ([`PaintPlan::changes_since`]) get new ranges, so adding one highlight to 1,000 touches one
/// block. `None` when the browser has no CSS Custom Highlight API (nothing is painted).
pub fn paint(article: &web_sys::Element, key: u64, plan: &PaintPlan) -> Option<PaintStats> {
    let doc = article.owner_document()?;
    let t0 = now();
    with_painter(|p| {
        if p.key != Some(key) {
            for h in &p.layers {
                h.clear();
            }
            p.blocks.clear();
            p.plan = PaintPlan::default();
            p.key = Some(key);
        }
        let changes = plan.changes_since(&p.plan);
        for b in &changes.clear {
            if let Some(old) = p.blocks.remove(b) {
                unpaint(&p.layers, &old);
            }
        }
        // Few blocks: find each; many: one query for all.
        let all = (changes.repaint.len() > 16).then(|| blocks(article));
        for b in &changes.repaint {
            if let Some(old) = p.blocks.remove(b) {
                unpaint(&p.layers, &old);
            }
            let el = match &all {
                Some(all) => all.get(*b).cloned(),
                None => block_element(article, *b),
            };
            let Some(text) = el.as_ref().and_then(BlockText::of) else {
                continue;
            };
            let runs = plan.blocks.get(b).cloned().unwrap_or_default();
            let mut ranges = Vec::with_capacity(runs.len());
            for run in &runs {
                let Some(r) = range_in_block(&doc, &text, run.start, run.end) else {
                    continue;
                };
                for layer in run.layers.iter() {
                    p.layers[layer_index(layer)].add(&r);
                }
                ranges.push(r);
            }
            p.blocks.insert(*b, BlockPaint { runs, ranges });
        }
        p.plan = plan.clone();
        PaintStats {
            repainted_blocks: changes.repaint.len(),
            ranges: plan.runs(),
            ms: now() - t0,
        }
    })
}

/// The reader's highlights painted over `article_el`: the one pipeline the first paint and the
/// app's reader share. `text` is the article's text, `annotations` and `placements` what the
/// core anchored; the keyboard cursor is on `cursor`.
pub fn paint_article(
    article_el: &web_sys::Element,
    key: u64,
    text: &ArticleText,
    annotations: &[Annotation],
    placements: &HashMap<String, Placement>,
    cursor: Option<&str>,
) -> Option<PaintStats> {
    let placed = lectern_core::paint::placed(annotations, placements);
    paint(article_el, key, &PaintPlan::new(text, &placed, cursor))
}

/// Takes a block's ranges out of every layer they were added to.
fn unpaint(layers: &[JsHighlight], old: &BlockPaint) {
    for (r, run) in old.ranges.iter().zip(&old.runs) {
        for layer in run.layers.iter() {
            layers[layer_index(layer)].delete(r);
        }
    }
}

fn layer_index(l: Layer) -> usize {
    Layer::ALL.iter().position(|&x| x == l).unwrap_or(0)
}

/// Whether highlight `id` is painted now (in the plan painted last).
pub fn is_painted(id: &str) -> bool {
    PAINTER.with(|p| {
        p.borrow()
            .as_ref()
            .is_some_and(|p| p.plan.painted.contains(id))
    })
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The character under viewport point (`x`, `y`) in `article`'s blocks: its block and the
/// UTF-16 offset where it starts. `None` over anything but a block's text (margins, the gap
/// after a line's end).
pub fn char_at_point(article: &web_sys::Element, x: f64, y: f64) -> Option<BlockPoint> {
    let doc = article.owner_document()?;
    let caret = doc.caret_position_from_point(x as f32, y as f32)?;
    let node = caret.offset_node()?;
    let offset = caret.offset();
    if node.node_type() != web_sys::Node::TEXT_NODE {
        return None;
    }
    let (index, block) = boundary_block(article, &node)?;
    let len = node.dyn_ref::<web_sys::CharacterData>()?.length();
    // The caret sits between two characters: take the one whose box holds the point.
    let inside = |a: u32, b: u32| -> bool {
        let Ok(r) = doc.create_range() else {
            return false;
        };
        if r.set_start(&node, a).is_err() || r.set_end(&node, b).is_err() {
            return false;
        }
        let rect = r.get_bounding_client_rect();
        x >= rect.left() && x <= rect.right() && y >= rect.top() && y <= rect.bottom()
    };
    let at = if offset < len && inside(offset, offset + 1) {
        offset
    } else if offset > 0 && inside(offset - 1, offset) {
        offset - 1
    } else {
        return None;
    };
    Some(BlockPoint {
        block: index,
        offset: Utf16Offset(offset_in(&block, &node, at)?),
    })
}

/// The viewport rectangle of the first line of a span (for placing a popover next to a
/// highlight, or scrolling it into view).
pub fn span_rect(
    article: &web_sys::Element,
    block: usize,
    start: Utf16Offset,
    end: Utf16Offset,
) -> Option<web_sys::DomRect> {
    let doc = article.owner_document()?;
    let el = block_element(article, block)?;
    let r = range_in_block(&doc, &BlockText::of(&el)?, start, end)?;
    let rects = r.get_client_rects()?;
    rects.get(0).or_else(|| Some(r.get_bounding_client_rect()))
}

/// Scrolls block `block` of `article` so that the span's first line is in the middle of the
/// view.
pub fn scroll_to_span(
    article: &web_sys::Element,
    block: usize,
    start: Utf16Offset,
    end: Utf16Offset,
) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(rect) = span_rect(article, block, start, end) else {
        return;
    };
    let vh = window
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(800.0);
    let dy = rect.top() - vh / 2.0 + rect.height() / 2.0;
    window.scroll_by_with_x_and_y(0.0, dy);
}

/// Where the reader is in an article: the block at the top of the view and the UTF-16 offset
/// of the first character there, the last block showing above the bottom of the view, and the
/// number of blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadingPoint {
    pub block: usize,
    pub offset: Utf16Offset,
    pub bottom_block: usize,
    pub blocks: usize,
}

/// Where the reader is in `article`, whose text shows between viewport heights `top` and
/// `bottom` (below the app bar, above the window's bottom). `None` before it has blocks.
pub fn reading_point(article: &web_sys::Element, top: f64, bottom: f64) -> Option<ReadingPoint> {
    let all = blocks(article);
    if all.is_empty() {
        return None;
    }
    // Blocks are laid out top to bottom: the first ending below `top`, the last starting
    // above `bottom`.
    let first = all
        .partition_point(|b| b.get_bounding_client_rect().bottom() <= top)
        .min(all.len() - 1);
    let last = all
        .partition_point(|b| b.get_bounding_client_rect().top() < bottom)
        .saturating_sub(1)
        .max(first);
    let el = &all[first];
    let rect = el.get_bounding_client_rect();
    let offset = if rect.top() >= top {
        0
    } else {
        // The block starts above the view: the line at the top, from its left edge.
        caret_offset(article, rect.left() + 1.0, top + 1.0).map_or(0, |p| {
            if p.block == first {
                p.offset.0
            } else {
                0
            }
        })
    };
    Some(ReadingPoint {
        block: first,
        offset: Utf16Offset(offset),
        bottom_block: last,
        blocks: all.len(),
    })
}

/// The caret position at viewport point (`x`, `y`) as a block and UTF-16 offset (no need for
/// the point to be over a character, unlike [`char_at_point`]).
fn caret_offset(article: &web_sys::Element, x: f64, y: f64) -> Option<BlockPoint> {
    let doc = article.owner_document()?;
    let caret = doc.caret_position_from_point(x as f32, y as f32)?;
    let node = caret.offset_node()?;
    let (index, block) = boundary_block(article, &node)?;
    Some(BlockPoint {
        block: index,
        offset: Utf16Offset(offset_in(&block, &node, caret.offset())?),
    })
}

/// How far from the top of the view `block`/`offset` of `article` is (negative: above it).
/// `None` if there is no such block.
pub fn distance_to(
    article: &web_sys::Element,
    block: usize,
    offset: Utf16Offset,
    top: f64,
) -> Option<f64> {
    let el = block_element(article, block)?;
    let y = if offset.0 == 0 {
        el.get_bounding_client_rect().top()
    } else {
        let doc = article.owner_document()?;
        let text = BlockText::of(&el)?;
        let end = Utf16Offset((offset.0 + 1).min(text.len));
        let r = range_in_block(&doc, &text, offset, end)?;
        let rects = r.get_client_rects()?;
        rects
            .get(0)
            .unwrap_or_else(|| r.get_bounding_client_rect())
            .top()
    };
    Some(y - top)
}

// --- issue 18 ---
/// A DOM range over `start..end` (UTF-16 code units) of block `block`'s text in `article`:
/// the mark on the sentence being read aloud (`crate::speech`).
pub fn block_range(
    article: &web_sys::Element,
    block: usize,
    start: Utf16Offset,
    end: Utf16Offset,
) -> Option<web_sys::Range> {
    let doc = article.owner_document()?;
    let el = block_element(article, block)?;
    range_in_block(&doc, &BlockText::of(&el)?, start, end)
}
