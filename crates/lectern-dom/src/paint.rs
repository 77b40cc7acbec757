//! Painting highlights with the CSS Custom Highlight API: one `Highlight` per style (a fill
//! per colour, an underline per colour for an older overlapping highlight, a dashed underline
//! for fuzzy placements, the keyboard cursor), registered in `CSS.highlights` under the names
//! the stylesheet's `::highlight(…)` rules use. The article's DOM is never touched, so painting
//! causes no re-render and no re-layout.
//!
//! Positions come from the core ([`lectern_core::paint::Span`]: block index + UTF-16 offsets
//! in the block's text) and become DOM `Range`s over the block's text nodes. The reverse, a
//! click point back to a (block, UTF-16 offset), is [`char_at_point`].

use std::cell::RefCell;
use std::collections::HashMap;

use lectern_core::annotation::Color;
use lectern_core::paint::Span;
use lectern_core::text::Utf16Offset;
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

/// The registry's names for a fill of `color`.
pub fn fill_name(color: Color) -> String {
    format!("lectern-{}", color.as_str())
}

/// The registry's name for an underline of `color` (an older highlight under a newer one).
pub fn under_name(color: Color) -> String {
    format!("lectern-under-{}", color.as_str())
}

pub const FUZZY: &str = "lectern-fuzzy";
/// The highlight the keyboard cursor (`j`/`k`, a jump from the panel) is on.
pub const CURSOR: &str = "lectern-cursor";

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

/// The registry's names, in the order of [`Painter::layers`]: a fill per colour, an underline
/// per colour, fuzzy, cursor.
fn layer_names() -> Vec<(String, i32)> {
    let mut names: Vec<(String, i32)> = Color::ALL.iter().map(|&c| (fill_name(c), 1)).collect();
    names.extend(Color::ALL.iter().map(|&c| (under_name(c), 2)));
    names.push((FUZZY.to_owned(), 3));
    names.push((CURSOR.to_owned(), 4));
    names
}

const LAYER_FUZZY: usize = 10;
const LAYER_CURSOR: usize = 11;

fn color_index(c: Color) -> usize {
    Color::ALL.iter().position(|&x| x == c).unwrap_or(0)
}

/// What one span paints: its UTF-16 range in the block and a bit per layer.
type Sig = (usize, usize, u16);

/// What is painted in one block: the spans' signatures and their ranges.
struct BlockPaint {
    sigs: Vec<Sig>,
    ranges: Vec<web_sys::Range>,
}

struct Painter {
    layers: Vec<JsHighlight>,
    /// Painted blocks by index, for repainting only the blocks whose spans changed.
    blocks: HashMap<usize, BlockPaint>,
    /// Which rendering of which article the ranges belong to (see [`paint`]'s `key`).
    key: Option<u64>,
    /// Ids of the annotations painted last, for [`is_painted`].
    painted: std::collections::HashSet<String>,
    /// Ranges painted last (each span once).
    ranges: usize,
    /// Blocks repainted by the last [`paint`].
    repainted: usize,
    /// How long the last [`paint`] took (ms).
    ms: f64,
}

thread_local! {
    static PAINTER: RefCell<Option<Painter>> = const { RefCell::new(None) };
}

fn with_painter<R>(f: impl FnOnce(&mut Painter) -> R) -> Option<R> {
    PAINTER.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            let reg = registry()?;
            let layers = layer_names()
                .into_iter()
                .map(|(name, priority)| {
                    let h = JsHighlight::new();
                    h.set_priority(priority);
                    reg.set(&name, &h);
                    h
                })
                .collect();
            *p = Some(Painter {
                layers,
                blocks: HashMap::new(),
                key: None,
                painted: Default::default(),
                ranges: 0,
                repainted: 0,
                ms: 0.0,
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

/// Paints `spans` (from [`lectern_core::paint::spans`]) in `article`, replacing what was
/// painted before; `ids[i]` is the id of the `i`-th placed highlight the spans refer to, and
/// `cursor` the covering index the keyboard cursor is on. `key` names the rendering of the
/// article the blocks belong to (a new article, or blocks rendered anew, needs a new key):
/// with the same key, only blocks whose spans changed are repainted, so adding one highlight
/// to 1,000 touches one block. Returns false when the browser has no CSS Custom Highlight API
/// (nothing is painted).
pub fn paint(
    article: &web_sys::Element,
    key: u64,
    spans: &[Span],
    ids: &[&str],
    cursor: Option<usize>,
) -> bool {
    let Some(doc) = article.owner_document() else {
        return false;
    };
    let t0 = now();
    with_painter(|p| {
        if p.key != Some(key) {
            for h in &p.layers {
                h.clear();
            }
            p.blocks.clear();
            p.key = Some(key);
        }
        // The new signatures, block by block (spans come in document order).
        let mut wanted: Vec<(usize, Vec<Sig>, Vec<&Span>)> = Vec::new();
        for s in spans {
            let mut mask = 1u16 << color_index(s.color);
            if let Some(u) = s.under {
                mask |= 1 << (5 + color_index(u));
            }
            if s.fuzzy {
                mask |= 1 << LAYER_FUZZY;
            }
            if cursor.is_some_and(|c| s.covering.contains(&c)) {
                mask |= 1 << LAYER_CURSOR;
            }
            let sig = (s.start.0, s.end.0, mask);
            match wanted.last_mut() {
                Some((b, sigs, list)) if *b == s.block => {
                    sigs.push(sig);
                    list.push(s);
                }
                _ => wanted.push((s.block, vec![sig], vec![s])),
            }
        }
        let keep: std::collections::HashSet<usize> = wanted.iter().map(|w| w.0).collect();
        // Blocks no longer painted.
        let gone: Vec<usize> = p
            .blocks
            .keys()
            .copied()
            .filter(|b| !keep.contains(b))
            .collect();
        for b in gone {
            if let Some(old) = p.blocks.remove(&b) {
                unpaint(&p.layers, &old);
            }
        }
        let changed: Vec<usize> = wanted
            .iter()
            .enumerate()
            .filter(|(_, (b, sigs, _))| p.blocks.get(b).is_none_or(|old| old.sigs != *sigs))
            .map(|(i, _)| i)
            .collect();
        // Few blocks: find each; many: one query for all.
        let all = (changed.len() > 16).then(|| blocks(article));
        p.repainted = changed.len();
        for i in changed {
            let (b, sigs, list) = &wanted[i];
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
            let mut ranges = Vec::with_capacity(list.len());
            for (s, sig) in list.iter().zip(sigs) {
                let Some(r) = range_in_block(&doc, &text, s.start, s.end) else {
                    continue;
                };
                for (l, h) in p.layers.iter().enumerate() {
                    if sig.2 & (1 << l) != 0 {
                        h.add(&r);
                    }
                }
                ranges.push(r);
            }
            p.blocks.insert(
                *b,
                BlockPaint {
                    sigs: sigs.clone(),
                    ranges,
                },
            );
        }
        p.ranges = spans.len();
        let mut covered = vec![false; ids.len()];
        for s in spans {
            for &i in &s.covering {
                if let Some(c) = covered.get_mut(i) {
                    *c = true;
                }
            }
        }
        p.painted = ids
            .iter()
            .zip(covered)
            .filter(|(_, c)| *c)
            .map(|(id, _)| (*id).to_owned())
            .collect();
        p.ms = now() - t0;
    })
    .is_some()
}

/// Takes a block's ranges out of every layer they were added to.
fn unpaint(layers: &[JsHighlight], old: &BlockPaint) {
    for (r, sig) in old.ranges.iter().zip(&old.sigs) {
        for (l, h) in layers.iter().enumerate() {
            if sig.2 & (1 << l) != 0 {
                h.delete(r);
            }
        }
    }
}

/// How many blocks the last [`paint`] repainted (the rest kept their ranges).
pub fn last_repainted_blocks() -> usize {
    PAINTER.with(|p| p.borrow().as_ref().map_or(0, |p| p.repainted))
}

/// Whether highlight `id` was painted by the last [`paint`].
pub fn is_painted(id: &str) -> bool {
    PAINTER.with(|p| p.borrow().as_ref().is_some_and(|p| p.painted.contains(id)))
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// How long the last [`paint`] took, in ms (finding the blocks' text nodes, making the ranges,
/// adding them to the highlights).
pub fn last_paint_ms() -> f64 {
    PAINTER.with(|p| p.borrow().as_ref().map_or(0.0, |p| p.ms))
}

/// How many ranges (spans) the last [`paint`] painted.
pub fn painted_ranges() -> usize {
    PAINTER.with(|p| p.borrow().as_ref().map_or(0, |p| p.ranges))
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
