//! The note markup (safe Markdown for notes): never panics, links only to safe URLs, emphasis
//! no deeper than its limit, and parsing linear in the note (steps and bytes allocated per
//! byte of note, see `lectern_fuzz::assert_linear`).
#![no_main]

use lectern_core::note_markup::{
    parse_note, plain_text, safe_href, Inline, MdBlock, MAX_INLINE_DEPTH,
};
use lectern_fuzz::{assert_linear, metered, text};
use libfuzzer_sys::fuzz_target;

fn check_inlines(inlines: &[Inline], depth: usize) {
    assert!(
        depth <= usize::from(MAX_INLINE_DEPTH) + 1,
        "inline nesting {depth}"
    );
    for i in inlines {
        match i {
            Inline::Link { href, children } => {
                assert_eq!(
                    safe_href(href).as_deref(),
                    Some(href.as_str()),
                    "unsafe href {href:?}"
                );
                check_inlines(children, depth + 1);
            }
            Inline::Strong(c) | Inline::Emph(c) => check_inlines(c, depth + 1),
            Inline::Text(_) | Inline::Code(_) | Inline::LineBreak => {}
        }
    }
}

fn check_blocks(blocks: &[MdBlock]) {
    for b in blocks {
        match b {
            MdBlock::Paragraph(i) | MdBlock::Heading { content: i, .. } => check_inlines(i, 0),
            MdBlock::List { items, .. } => items.iter().for_each(|i| check_inlines(i, 0)),
            MdBlock::Quote(q) => check_blocks(q),
            MdBlock::Code(_) | MdBlock::Rule => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let note = text(data);
    let (blocks, work) = metered(|| parse_note(&note));
    assert_linear("parse_note", note.len(), work, 64, 512);
    check_blocks(&blocks);
    let (_, work) = metered(|| plain_text(&note));
    assert_linear("plain_text", note.len(), work, 64, 512);
});
