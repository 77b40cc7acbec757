//! The DOM selection as positions in the article's blocks.
//!
//! The reader renders each block of the article as an element with `data-block="<index>"`; a
//! block's text may be split across text nodes and inline elements (emphasis, links). A selection boundary becomes
//! (block index, UTF-16 offset inside the block's text), the unit the DOM counts in; the core
//! converts that to byte offsets in the article text (`ArticleText::from_block_utf16`).

use lectern_core::text::{ArticleText, Utf16Offset};
use wasm_bindgen::JsCast;

/// A point in the article: block index and UTF-16 code units from the block's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockPoint {
    pub block: usize,
    pub offset: Utf16Offset,
}

/// The window's selection, clipped to the blocks inside `article`: a selection that starts in
/// the title or ends below the article keeps only its part inside the blocks. `None` when the
/// selection is collapsed or touches no block.
pub fn selection_in(article: &web_sys::Element) -> Option<(BlockPoint, BlockPoint)> {
    let selection = web_sys::window()?.get_selection().ok()??;
    if selection.is_collapsed() || selection.range_count() == 0 {
        return None;
    }
    let range = selection.get_range_at(0).ok()?;
    range_in(article, &range)
}

/// [`selection_in`] for any DOM range.
pub fn range_in(
    article: &web_sys::Element,
    range: &web_sys::Range,
) -> Option<(BlockPoint, BlockPoint)> {
    // Usually both ends are inside blocks: find those two directly (a long article has
    // thousands of blocks; walking them all costs milliseconds per selection change).
    if let (Some(a), Some(b)) = (
        boundary_block(article, &range.start_container().ok()?),
        boundary_block(article, &range.end_container().ok()?),
    ) {
        let start = offset_in(
            &a.1,
            &range.start_container().ok()?,
            range.start_offset().ok()?,
        )?;
        let end = offset_in(&b.1, &range.end_container().ok()?, range.end_offset().ok()?)?;
        let first = BlockPoint {
            block: a.0,
            offset: Utf16Offset(start.min(utf16_len_of(&a.1))),
        };
        let last = BlockPoint {
            block: b.0,
            offset: Utf16Offset(end.min(utf16_len_of(&b.1))),
        };
        return (first != last).then_some((first, last));
    }
    let blocks = article.query_selector_all("[data-block]").ok()?;
    let mut first: Option<BlockPoint> = None;
    let mut last: Option<BlockPoint> = None;
    for i in 0..blocks.length() {
        let Some(el) = blocks
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if !range.intersects_node(&el).unwrap_or(false) {
            continue;
        }
        let Some(index) = el.get_attribute("data-block").and_then(|v| v.parse().ok()) else {
            continue;
        };
        let len = utf16_len_of(&el);
        if first.is_none() {
            let start = if el.contains(Some(&range.start_container().ok()?)) {
                offset_in(
                    &el,
                    &range.start_container().ok()?,
                    range.start_offset().ok()?,
                )?
            } else {
                0
            };
            first = Some(BlockPoint {
                block: index,
                offset: Utf16Offset(start.min(len)),
            });
        }
        let end = if el.contains(Some(&range.end_container().ok()?)) {
            offset_in(&el, &range.end_container().ok()?, range.end_offset().ok()?)?
        } else {
            len
        };
        last = Some(BlockPoint {
            block: index,
            offset: Utf16Offset(end.min(len)),
        });
    }
    let (first, last) = (first?, last?);
    (first != last).then_some((first, last))
}

/// The block (index, element) inside `article` that holds `node`, if any.
pub(crate) fn boundary_block(
    article: &web_sys::Element,
    node: &web_sys::Node,
) -> Option<(usize, web_sys::Element)> {
    let el = match node.dyn_ref::<web_sys::Element>() {
        Some(el) => el.clone(),
        None => node.parent_element()?,
    };
    let block = el.closest("[data-block]").ok()??;
    if !article.contains(Some(&block)) {
        return None;
    }
    Some((block.get_attribute("data-block")?.parse().ok()?, block))
}

/// UTF-16 length of the text from the start of `block` to (`node`, `offset`): the length of
/// a range's string, which counts exactly the text the reader sees.
pub(crate) fn offset_in(
    block: &web_sys::Element,
    node: &web_sys::Node,
    offset: u32,
) -> Option<usize> {
    let doc = block.owner_document()?;
    let r = doc.create_range().ok()?;
    r.set_start(block, 0).ok()?;
    r.set_end(node, offset).ok()?;
    Some(String::from(r.to_string()).encode_utf16().count())
}

fn utf16_len_of(el: &web_sys::Element) -> usize {
    el.text_content().map_or(0, |t| t.encode_utf16().count())
}

/// The selection's bounding box in viewport coordinates, for placing the toolbar.
pub fn selection_rect() -> Option<web_sys::DomRect> {
    let selection = web_sys::window()?.get_selection().ok()??;
    if selection.range_count() == 0 {
        return None;
    }
    Some(selection.get_range_at(0).ok()?.get_bounding_client_rect())
}

pub fn clear_selection() {
    if let Some(Ok(Some(s))) = web_sys::window().map(|w| w.get_selection()) {
        let _ = s.remove_all_ranges();
    }
}

/// The selection inside the article element `article_el` as a byte range of the article's
/// text; `None` when nothing (or only whitespace) is selected there.
pub fn selected_range(
    article_el: &web_sys::Element,
    text: &ArticleText,
) -> Option<std::ops::Range<lectern_core::text::ByteOffset>> {
    let (a, b) = selection_in(article_el)?;
    let start = text.from_block_utf16(a.block, a.offset)?;
    let end = text.from_block_utf16(b.block, b.offset)?;
    (start < end && !text.is_blank(start..end)).then_some(start..end)
}

/// The reader's article element (`#article`), if it is shown.
pub fn article_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id("article")?
        .dyn_into()
        .ok()
}

/// [`selected_range`] in the document's article element (`#article`), if it is shown.
pub fn selected_range_in_document(
    doc: &web_sys::Document,
    text: &ArticleText,
) -> Option<std::ops::Range<lectern_core::text::ByteOffset>> {
    selected_range(&doc.get_element_by_id("article")?, text)
}

/// Whether `target` is a place the reader types into (a form field or editable text), where
/// the app's own keys and paste handling stay out of the way.
pub fn is_text_field(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
}
