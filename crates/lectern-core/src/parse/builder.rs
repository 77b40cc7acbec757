//! Shared by the Markdown and HTML importers: collects inline text and marks into [`Block`]s.
//!
//! Text pushed with [`BlockBuilder::push_text`] has its whitespace collapsed the way browsers
//! render normal text (every run of whitespace, line breaks included, becomes one space; none at
//! the start of a block, none at its end), so a block's text never contains `'\n'`. Marks are
//! opened and closed around text; a mark still open when a block is finished is cut at the
//! block's end and continues at the start of the next block.

use crate::article::{Block, BlockKind, Mark, MarkKind, TABLE_CELL_SEPARATOR};
use crate::note_markup::safe_href;

/// A container the importers keep open around the text they read (innermost last on a stack):
/// it decides the kind of the blocks inside it ([`container_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// A list; `next` is the number its next item gets.
    List {
        ordered: bool,
        next: u32,
    },
    Item {
        ordered: bool,
        number: u32,
    },
    Quote,
    Figure,
}

/// Containers (lists, list items, quotes, figures) kept open at most: deeper ones are not kept
/// (see [`Nesting`]), so a hostile file of 100,000 nested lists neither grows the stack nor
/// makes finding a block's kind cost its depth for every block.
pub(crate) const MAX_NESTING: usize = 32;

/// The kind of a block read inside `stack` (outermost first): its innermost item, quote or
/// figure, else a paragraph. An item's depth counts the lists around it.
pub(crate) fn container_kind(stack: &[Container]) -> BlockKind {
    crate::work::tick(stack.len());
    for (i, c) in stack.iter().enumerate().rev() {
        match c {
            Container::Item { ordered, number } => {
                let lists = stack[..i]
                    .iter()
                    .filter(|c| matches!(c, Container::List { .. }))
                    .count();
                return BlockKind::ListItem {
                    ordered: *ordered,
                    number: *number,
                    depth: u8::try_from(lists.saturating_sub(1)).unwrap_or(u8::MAX),
                };
            }
            Container::Quote => return BlockKind::Quote,
            Container::Figure => return BlockKind::Figure,
            Container::List { .. } => {}
        }
    }
    BlockKind::Paragraph
}

/// Opens a list item in `stack`, numbered by the list it is in (and counted there); outside a
/// list, an unordered item numbered 1.
pub(crate) fn open_item(stack: &mut Vec<Container>) {
    let (ordered, number) = match stack.last_mut() {
        Some(Container::List { ordered, next }) => {
            let n = *next;
            *next = next.saturating_add(1);
            (*ordered, n)
        }
        _ => (false, 1),
    };
    stack.push(Container::Item { ordered, number });
}

/// The containers open around the text being read (innermost last), at most [`MAX_NESTING`]:
/// deeper ones are counted, not kept, and their text takes the kind of the innermost kept one.
#[derive(Debug, Default)]
pub(crate) struct Nesting {
    stack: Vec<Container>,
    /// Containers opened past [`MAX_NESTING`] and not yet closed.
    hidden: usize,
}

impl Nesting {
    fn full(&self) -> bool {
        self.hidden > 0 || self.stack.len() >= MAX_NESTING
    }

    pub fn push(&mut self, c: Container) {
        if self.full() {
            self.hidden += 1;
        } else {
            self.stack.push(c);
        }
    }

    /// A list item ([`open_item`]).
    pub fn open_item(&mut self) {
        if self.full() {
            self.hidden += 1;
        } else {
            open_item(&mut self.stack);
        }
    }

    /// Closes the innermost container.
    pub fn pop(&mut self) {
        if self.hidden > 0 {
            self.hidden -= 1;
        } else {
            self.stack.pop();
        }
    }

    /// The kind of a block read here ([`container_kind`]).
    pub fn kind(&self) -> BlockKind {
        container_kind(&self.stack)
    }
}

#[derive(Debug, Default)]
pub(crate) struct BlockBuilder {
    text: String,
    marks: Vec<Mark>,
    /// Open marks: where each started (bytes into `text`) and what it is; `None` stands for a
    /// link whose target was unsafe (kept so opens and closes still pair up).
    open: Vec<(usize, Option<MarkKind>)>,
    pub blocks: Vec<Block>,
}

impl BlockBuilder {
    /// Append text, collapsing whitespace. Tabs become spaces, so a table cell never contains
    /// the cell separator.
    pub fn push_text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                if !self.text.is_empty() && !self.text.ends_with([' ', TABLE_CELL_SEPARATOR]) {
                    self.text.push(' ');
                }
            } else if !c.is_control() || c == '\u{ad}' {
                self.text.push(c);
            }
        }
    }

    /// Append text exactly, for one line of code: `'\n'`, `'\r'` and the control characters
    /// the reader would not show ([`super::is_removed_control`]) are dropped, the other
    /// whitespace controls but tab (vertical tab, form feed, U+0085) become spaces.
    pub fn push_verbatim(&mut self, s: &str) {
        self.text.extend(s.chars().filter_map(|c| match c {
            '\n' | '\r' => None,
            '\t' => Some(c),
            c if c.is_control() && c.is_whitespace() => Some(' '),
            c if super::is_removed_control(c) => None,
            c => Some(c),
        }));
    }

    /// Start a new table cell: a separator unless this is the row's first cell.
    pub fn cell_separator(&mut self, first: bool) {
        if !first {
            self.trim_end_spaces();
            self.text.push(TABLE_CELL_SEPARATOR);
        }
    }

    /// Whether the pending block has any text that is not a space.
    pub fn has_text(&self) -> bool {
        self.text.chars().any(|c| c != ' ')
    }

    pub fn open_mark(&mut self, kind: MarkKind) {
        self.open.push((self.text.len(), Some(kind)));
    }

    /// Open a link mark if `href` is safe (http, https, mailto); otherwise the text stays plain.
    pub fn open_link(&mut self, href: &str) {
        let kind = safe_href(href).map(|href| MarkKind::Link { href });
        self.open.push((self.text.len(), kind));
    }

    /// Close the innermost open mark. Unbalanced closes are ignored.
    pub fn close_mark(&mut self) {
        if let Some((start, Some(kind))) = self.open.pop() {
            let end = self.text.trim_end_matches(' ').len();
            if start < end {
                self.marks.push(Mark { start, end, kind });
            }
        }
    }

    fn trim_end_spaces(&mut self) {
        let len = self.text.trim_end_matches(' ').len();
        self.text.truncate(len);
    }

    /// Finish the pending text as a block of `kind` if it has any; returns whether it did.
    pub fn finish(&mut self, kind: BlockKind) -> bool {
        self.trim_end_spaces();
        let keep = kind == BlockKind::Code || self.has_text();
        let len = self.text.len();
        for (start, kind) in &mut self.open {
            if let Some(k) = kind {
                if *start < len {
                    self.marks.push(Mark {
                        start: *start,
                        end: len,
                        kind: k.clone(),
                    });
                }
            }
            *start = 0;
        }
        let text = std::mem::take(&mut self.text);
        let mut marks = std::mem::take(&mut self.marks);
        if !keep {
            return false;
        }
        for m in &mut marks {
            m.end = m.end.min(len);
        }
        marks.retain(|m| m.start < m.end);
        marks.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        self.blocks.push(Block { kind, text, marks });
        true
    }

    /// Drop the pending text and marks (and forget where open marks started).
    pub fn discard(&mut self) {
        self.text.clear();
        self.marks.clear();
        for (start, _) in &mut self.open {
            *start = 0;
        }
    }

    /// The pending text (for callers that take it as something else, like an image's alt text).
    pub fn take_text(&mut self) -> String {
        self.trim_end_spaces();
        let t = std::mem::take(&mut self.text);
        self.discard();
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_and_marks_survive_trimming() {
        let mut b = BlockBuilder::default();
        b.push_text("  Hello\n  ");
        b.open_mark(MarkKind::Strong);
        b.push_text(" big ");
        b.close_mark();
        b.open_link("javascript:alert(1)");
        b.push_text("world ");
        b.close_mark();
        assert!(b.finish(BlockKind::Paragraph));
        let block = &b.blocks[0];
        assert_eq!(block.text, "Hello big world");
        assert_eq!(
            block.marks,
            vec![Mark {
                start: 6,
                end: 9,
                kind: MarkKind::Strong
            }]
        );
        assert!(!b.finish(BlockKind::Paragraph), "empty blocks are dropped");
    }

    #[test]
    fn open_marks_continue_into_the_next_block() {
        let mut b = BlockBuilder::default();
        b.open_mark(MarkKind::Emphasis);
        b.push_text("one");
        b.finish(BlockKind::Paragraph);
        b.push_text("two");
        b.close_mark();
        b.finish(BlockKind::Quote);
        assert_eq!(b.blocks[0].marks[0].end, 3);
        assert_eq!(
            (b.blocks[1].marks[0].start, b.blocks[1].marks[0].end),
            (0, 3)
        );
    }
}
