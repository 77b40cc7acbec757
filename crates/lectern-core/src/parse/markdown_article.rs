//! CommonMark (with GitHub tables, strikethrough and task lists) → [`Article`], via
//! `pulldown-cmark`.
//!
//! Mapping:
//! - the first level-1 heading is the title and leaves the body; without one, the title is the
//!   first block's first words (as [`super::plain::parse_plain`] derives one). Other headings
//!   become [`BlockKind::Heading`] with their level clamped to 2..=6;
//! - paragraphs → `Paragraph`; inside a list item → `ListItem` (nesting depth from 0, the
//!   number shown); inside a block quote → `Quote` (nested quotes flatten);
//! - fenced and indented code → one `Code` block per line (trailing empty line dropped);
//! - `*em*`, `**strong**`, `` `code` ``, `[links](…)` → [`Mark`]s; links only when their target
//!   passes [`crate::note_markup::safe_href`] (http, https, mailto; `<a@b.c>` autolinks become
//!   `mailto:`), any other link keeps its text and loses the link; strikethrough keeps its text;
//! - images → a `Figure` block with the alt text (dropped when the alt text is empty); an
//!   image inside a paragraph splits it. The image URL is never kept, so nothing is fetched;
//! - tables → one `TableRow` per row, header row first, cells joined by `'\t'`;
//! - thematic breaks, footnote definitions' labels and HTML comments are dropped; hard and soft
//!   line breaks become spaces;
//! - **raw HTML is never markup**: inline tags (`<b>`, `<img onerror=…>`) are dropped and the
//!   text between them stays; an HTML block keeps only its text, with tags, comments and the
//!   contents of `<script>`, `<style>` and `<template>` removed.
//!
//! [`Mark`]: crate::article::Mark

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

#[cfg(test)]
use super::builder::MAX_NESTING;
use super::builder::{BlockBuilder, Container, Nesting};
use super::plain::derive_title;
use crate::article::{Article, BlockKind, MarkKind, SourceFormat};
use crate::lang::guess_language;

/// Parse Markdown into an article with the given id. Never fails and never panics; empty input
/// gives an article with an empty title and no blocks. Linear in the input (pulldown-cmark's
/// guarantees), a leading BOM is dropped.
pub fn parse_markdown(id: &str, input: &str) -> Article {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut b = BlockBuilder::default();
    let mut stack = Nesting::default();
    let mut title: Option<String> = None;
    let mut heading: Option<u8> = None;
    let mut code: Option<String> = None;
    let mut html_block: Option<String> = None;
    let mut image_depth = 0usize;
    let mut in_table_head = false;
    let mut first_cell = true;

    for event in Parser::new_ext(input, options) {
        if image_depth > 0 {
            // Inside an image only its alt text counts.
            match event {
                Event::Start(Tag::Image { .. }) => image_depth += 1,
                Event::End(TagEnd::Image) => {
                    image_depth -= 1;
                    if image_depth == 0 {
                        b.finish(BlockKind::Figure);
                    }
                }
                Event::Text(t) | Event::Code(t) => b.push_text(&t),
                Event::SoftBreak | Event::HardBreak => b.push_text(" "),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                    flush(&mut b, &stack)
                }
                Tag::Heading { level, .. } => {
                    flush(&mut b, &stack);
                    heading = Some(heading_level(level));
                }
                Tag::BlockQuote(_) => {
                    flush(&mut b, &stack);
                    stack.push(Container::Quote);
                }
                Tag::CodeBlock(_) => {
                    flush(&mut b, &stack);
                    code = Some(String::new());
                }
                Tag::HtmlBlock => {
                    flush(&mut b, &stack);
                    html_block = Some(String::new());
                }
                Tag::List(start) => {
                    flush(&mut b, &stack);
                    stack.push(Container::List {
                        ordered: start.is_some(),
                        next: start.map_or(1, |s| u32::try_from(s).unwrap_or(u32::MAX)),
                    });
                }
                Tag::Item => {
                    flush(&mut b, &stack);
                    stack.open_item();
                }
                Tag::FootnoteDefinition(label) => {
                    flush(&mut b, &stack);
                    b.push_text(&format!("[{label}] "));
                }
                Tag::Table(_) => flush(&mut b, &stack),
                Tag::TableHead => {
                    in_table_head = true;
                    first_cell = true;
                }
                Tag::TableRow => first_cell = true,
                Tag::TableCell => {
                    b.cell_separator(first_cell);
                    first_cell = false;
                }
                Tag::Emphasis => b.open_mark(MarkKind::Emphasis),
                Tag::Strong => b.open_mark(MarkKind::Strong),
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    if link_type == LinkType::Email && !dest_url.contains(':') {
                        b.open_link(&format!("mailto:{dest_url}"));
                    } else {
                        b.open_link(&dest_url);
                    }
                }
                Tag::Image { .. } => {
                    flush(&mut b, &stack);
                    image_depth = 1;
                }
                Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::DefinitionList
                | Tag::MetadataBlock(_) => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
                | TagEnd::FootnoteDefinition => flush(&mut b, &stack),
                TagEnd::Heading(_) => {
                    let level = heading.take().unwrap_or(2);
                    if level == 1 && title.is_none() {
                        title = Some(b.take_text());
                    } else {
                        b.finish(BlockKind::Heading(level.clamp(2, 6)));
                    }
                }
                TagEnd::BlockQuote(_) => {
                    flush(&mut b, &stack);
                    stack.pop();
                }
                TagEnd::CodeBlock => {
                    let text = code.take().unwrap_or_default();
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    for line in text.split('\n') {
                        b.push_verbatim(line);
                        b.finish(BlockKind::Code);
                    }
                }
                TagEnd::HtmlBlock => {
                    let html = html_block.take().unwrap_or_default();
                    b.push_text(&strip_tags(&html));
                    flush(&mut b, &stack);
                }
                TagEnd::List(_) | TagEnd::Item => {
                    flush(&mut b, &stack);
                    stack.pop();
                }
                TagEnd::TableHead => {
                    b.finish(BlockKind::TableRow { header: true });
                    in_table_head = false;
                }
                TagEnd::TableRow => {
                    b.finish(BlockKind::TableRow {
                        header: in_table_head,
                    });
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link => b.close_mark(),
                _ => {}
            },
            Event::Text(t) => {
                if let Some(code) = code.as_mut() {
                    code.push_str(&t);
                } else {
                    b.push_text(&t);
                }
            }
            Event::Code(t) => {
                b.open_mark(MarkKind::Code);
                b.push_text(&t);
                b.close_mark();
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => b.push_text(&t),
            Event::Html(t) => {
                if let Some(h) = html_block.as_mut() {
                    h.push_str(&t);
                }
            }
            // Inline tags are dropped; the text between them arrives as Text events.
            Event::InlineHtml(_) => {}
            Event::FootnoteReference(label) => b.push_text(&format!("[{label}]")),
            Event::SoftBreak | Event::HardBreak => b.push_text(" "),
            Event::Rule => flush(&mut b, &stack),
            Event::TaskListMarker(done) => b.push_text(if done { "☑ " } else { "☐ " }),
        }
    }
    flush(&mut b, &stack);

    let blocks = b.blocks;
    let title = title.unwrap_or_else(|| {
        blocks
            .first()
            .map_or(String::new(), |b| derive_title(&b.text))
    });
    let body: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    let (lang, dir) = guess_language(&body.join("\n"));
    Article {
        id: id.to_owned(),
        title,
        source: None,
        lang: lang.to_owned(),
        dir,
        blocks,
        format: SourceFormat::Markdown,
        ..Default::default()
    }
}

/// Finish pending text as the kind its innermost container gives it.
fn flush(b: &mut BlockBuilder, stack: &Nesting) {
    b.finish(stack.kind());
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The text of an HTML fragment: tags and comments removed, `<script>`, `<style>` and
/// `<template>` removed with their contents. Entities are left as written. Linear time.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if !rest.starts_with('<') {
            let next = rest.find('<').map_or(html.len(), |j| i + j);
            out.push_str(&html[i..next]);
            i = next;
            continue;
        }
        if rest.starts_with("<!--") {
            i = lower[i..].find("-->").map_or(html.len(), |j| i + j + 3);
            continue;
        }
        let end = rest.find('>').map_or(html.len(), |j| i + j + 1);
        let tag = &lower[i + 1..end.min(html.len())];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        out.push(' ');
        i = end;
        if matches!(name.as_str(), "script" | "style" | "template") {
            let close = format!("</{name}");
            i = lower[i..]
                .find(&close)
                .and_then(|j| lower[i + j..].find('>').map(|k| i + j + k + 1))
                .unwrap_or(html.len());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_bounded_and_linear() {
        let n = 20_000;
        let mut indented = String::new();
        for i in 0..2_000 {
            indented.push_str(&" ".repeat(2 * i));
            indented.push_str("- item\n");
        }
        let cases = [
            ("bullets on one line", "- ".repeat(n) + "x\n"),
            ("quotes", "> ".repeat(n) + "x\n"),
            ("numbered on one line", "1. ".repeat(n) + "x\n"),
            ("indented items", indented),
            ("quoted lists", "> - ".repeat(n / 2) + "x\n"),
        ];
        for (name, md) in cases {
            crate::work::take();
            let a = parse_markdown("x", &md);
            let steps = crate::work::take() / md.len() as u64;
            // Finding a block's kind looks at the open containers (at most MAX_NESTING), up
            // to two blocks a byte: about 64 steps a byte at worst. Before nesting was bounded,
            // "bullets on one line" took 39,998 (the 20,000-deep stack for every block).
            assert!(
                steps <= 3 * MAX_NESTING as u64,
                "{name}: {steps} steps per byte"
            );
            assert!(
                a.text().ends_with('x') || a.text().ends_with("item"),
                "{name}"
            );
            for b in &a.blocks {
                if let BlockKind::ListItem { depth, .. } = b.kind {
                    assert!(
                        usize::from(depth) < MAX_NESTING / 2,
                        "{name}: depth {depth}"
                    );
                }
            }
        }
    }

    #[test]
    fn strip_tags_keeps_only_text() {
        assert_eq!(
            strip_tags("<div>a<script>alert(1)</script>b<!-- c -->d<style>x{}</style></div>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["a", "bd"]
        );
        assert_eq!(strip_tags("<unterminated").trim(), "");
        assert_eq!(strip_tags("<script>never closed").trim(), "");
        assert_eq!(
            strip_tags("Привет <b>мир</b>").split_whitespace().count(),
            2
        );
    }
}
