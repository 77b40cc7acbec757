//! A saved web page → [`Article`]: the readable part and its metadata, as text and safe marks.
//!
//! Two steps:
//! 1. **Extraction** with `dom_smoothie`, a Rust port of Mozilla Readability (the algorithm of
//!    Firefox Reader View) on html5ever: it scores the page's blocks, keeps the article body and
//!    drops navigation, ads, comments, share bars, scripts and styles; it also reads the title,
//!    byline, site name, publication time and excerpt (from `<meta>`, JSON-LD and the page),
//!    `<html lang>` and the article's `dir`.
//! 2. **Conversion** of the extracted HTML to [`Block`]s by walking its DOM: headings, paragraphs,
//!    list items (with depth and number), quotes, code lines (`<pre>`), table rows (cells joined
//!    by `'\t'`; a table whose cells hold paragraphs or lists is a layout table and becomes
//!    ordinary blocks), figures (image alt text and captions), and inline marks (`<em>`/`<i>`,
//!    `<strong>`/`<b>`, `<code>`, `<a href>` with http/https/mailto targets only — relative and
//!    other links keep their text and lose the link).
//!
//! Nothing from the page survives as markup: no element, attribute, style or event handler
//! reaches the [`Article`]; only text, block kinds, checked link targets, and the page's images
//! as data ([`Image`]: an `https:` URL, alt text, caption, size) that nothing loads by itself.
//!
//! The page's own address ([`own_url`]: `<link rel=canonical>`, `og:url`, `<base href>`, or the
//! comment browsers write into saved pages), or the URL the bookmarklet sent, becomes the
//! article's source, and Readability makes relative links and images absolute against it.
//!
//! [`Block`]: crate::article::Block

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use dom_query::{Document, NodeRef};
use dom_smoothie::{Config, Readability};

use super::builder::{BlockBuilder, Container, Nesting};
use super::plain::derive_title;
use crate::article::{is_image_url, Article, BlockKind, Image, MarkKind, Source, SourceFormat};
use crate::lang::{guess_language, Direction};

/// Why a page could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The page has no readable content (nothing Readability would show, or only empty blocks).
    NoArticle,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NoArticle => write!(f, "the page has no article text to read"),
        }
    }
}

impl std::error::Error for ImportError {}

/// What the page itself declares, kept apart from the guesses [`Article`] falls back on, so a
/// caller (or a test) can tell "the page says `en`" from "it looked English".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declared {
    /// `<html lang>` as written (trimmed), if any.
    pub lang: Option<String>,
    /// The article's `dir` (`ltr`/`rtl`) as Readability finds it on the article or its
    /// ancestors, if any.
    pub dir: Option<String>,
}

/// An extracted article with what the page declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extraction {
    pub article: Article,
    pub declared: Declared,
}

/// Elements dropped with everything inside them.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "video", "audio", "button", "input", "select", "textarea", "head", "title", "meta", "link",
    "base", "map", "dialog",
];

/// Elements that start and end a block (besides those handled one by one below).
const BLOCKS: &[&str] = &[
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "address",
    "details", "summary", "dl", "dt", "dd", "center", "caption", "body", "html", "fieldset",
    "legend", "form", "hgroup", "picture", "tr", "td", "th", "thead", "tbody", "tfoot",
];

/// Deeper nesting than this is read as plain text, so a hostile page cannot exhaust the stack.
const MAX_DEPTH: usize = 200;

/// Import a saved web page (`html` as decoded text) as an article with the given id.
///
/// Errors with [`ImportError::NoArticle`] when nothing readable is left. The article's `lang` is
/// `<html lang>` when the page declares a plausible tag, else guessed from the text; `dir` is
/// the declared one, else the guess's. The title falls back to the first words of the body.
/// Time is roughly linear in the page size (Readability may re-run its scoring up to four
/// times with looser rules on pages where it finds too little).
pub fn parse_html(id: &str, html: &str) -> Result<Article, ImportError> {
    extract_html(id, html).map(|e| e.article)
}

/// [`parse_html`] of a page at `page_url` (the bookmarklet's page: its address as the
/// browser had it), or, with `None`, at the address the page states ([`own_url`]).
pub fn parse_html_at(id: &str, html: &str, page_url: Option<&str>) -> Result<Article, ImportError> {
    extract_page(id, html, page_url).map(|e| e.article)
}

/// [`parse_html`], also returning what the page declared about its language and direction.
pub fn extract_html(id: &str, html: &str) -> Result<Extraction, ImportError> {
    extract_page(id, html, None)
}

/// [`parse_html_at`], also returning what the page declared.
pub fn extract_page(
    id: &str,
    html: &str,
    page_url: Option<&str>,
) -> Result<Extraction, ImportError> {
    let doc = parse_page(html);
    let url = page_url
        .and_then(crate::web::url::page_url)
        .or_else(|| own_url(&doc, html));
    let mut readability = Readability::with_document(doc, url.as_deref(), Some(Config::default()))
        .map_err(|_| ImportError::NoArticle)?;
    let extracted = readability.parse().map_err(|_| ImportError::NoArticle)?;

    let fragment = Document::fragment(extracted.content.to_string());
    let mut w = Walker::default();
    w.walk(&fragment.root(), 0);
    w.flush();
    let blocks = w.b.blocks;
    if blocks.is_empty() {
        return Err(ImportError::NoArticle);
    }
    let mut images = w.images;
    for image in &mut images {
        image.at = image.at.min(blocks.len());
    }

    let declared = Declared {
        lang: clean(extracted.lang.as_deref()),
        dir: clean(extracted.dir.as_deref()).map(|d| d.to_ascii_lowercase()),
    };
    let body: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
    let (guessed_lang, guessed_dir) = guess_language(&body.join("\n"));
    let lang = declared
        .lang
        .clone()
        .filter(|l| is_language_tag(l))
        .unwrap_or_else(|| guessed_lang.to_owned());
    let dir = match declared.dir.as_deref() {
        Some("rtl") => Direction::Rtl,
        Some("ltr") => Direction::Ltr,
        _ => guessed_dir,
    };
    let title = clean(Some(&extracted.title)).unwrap_or_else(|| derive_title(&blocks[0].text));
    let article = Article {
        id: id.to_owned(),
        title,
        source: url.map(|url| Source {
            // Said in the interface's language when shown ("Source").
            label: String::new(),
            name: crate::web::url::display_host(&url).unwrap_or_default(),
            url: Some(url),
        }),
        lang,
        dir,
        blocks,
        byline: clean(extracted.byline.as_deref()),
        site_name: clean(extracted.site_name.as_deref()),
        published: clean(extracted.published_time.as_deref()),
        excerpt: clean(extracted.excerpt.as_deref()),
        format: SourceFormat::Html,
        images,
    };
    Ok(Extraction { article, declared })
}

/// The page as a document, parsed as a browser parses it (html5ever) after
/// [`limit_nesting`].
pub fn parse_page(html: &str) -> Document {
    Document::from(limit_nesting(html).as_ref())
}

/// The address a saved page states for itself, if any is an absolute http(s) URL: its
/// `<link rel="canonical">`, its `og:url`, its `<base href>`, or the comment browsers write at
/// the top of a saved page (`<!-- saved from url=(0043)https://… -->`), in that order.
pub fn own_url(doc: &Document, html: &str) -> Option<String> {
    let page_url = crate::web::url::page_url;
    let canonical = doc.select("link[rel][href]").nodes().iter().find_map(|l| {
        let rel = l.attr("rel")?;
        rel.split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("canonical"))
            .then(|| l.attr("href"))
            .flatten()
            .and_then(|h| page_url(&h))
    });
    let og = || {
        doc.select("meta[content]").nodes().iter().find_map(|m| {
            let key = m.attr("property").or_else(|| m.attr("name"))?;
            key.eq_ignore_ascii_case("og:url")
                .then(|| m.attr("content"))
                .flatten()
                .and_then(|c| page_url(&c))
        })
    };
    let base = || {
        doc.select("base[href]")
            .nodes()
            .first()
            .and_then(|b| b.attr("href"))
            .and_then(|h| page_url(&h))
    };
    let saved_from = || {
        let head = &html[..floor_char_boundary(html, 2048)];
        let at = head.find("<!-- saved from url=(")?;
        let rest = &head[at + "<!-- saved from url=(".len()..];
        let rest = &rest[rest.find(')')? + 1..];
        page_url(rest.split(|c: char| c.is_whitespace() || c == '-').next()?)
    };
    canonical.or_else(og).or_else(base).or_else(saved_from)
}

/// The largest character boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Open elements a page may nest, as [`limit_nesting`] counts them.
pub const MAX_PAGE_NESTING: usize = 128;

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements the parser closes by itself when the same element (or a sibling of its kind)
/// starts again, so repeating them does not nest: not counted.
const SIBLINGS: &[&str] = &[
    "a", "body", "button", "caption", "colgroup", "dd", "dt", "form", "head", "html", "li", "nobr",
    "optgroup", "option", "p", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// Elements whose content is text, not markup, up to their end tag.
const RAW_TEXT: &[&str] = &[
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
];

/// `html` with the start tags that would open more than [`MAX_PAGE_NESTING`] elements left
/// out (and as many of their end tags), the text inside them kept: their content joins the
/// deepest element kept. Borrowed when nothing is left out, as for every real page in the test
/// corpus (the deepest, Wikipedia, nests 39).
///
/// A browser's parser, and html5ever, check "is a `<p>` open?" by walking the open elements
/// at every block's start, and Readability walks ancestors and descendants: 20,000 nested
/// `<div>`s took 13 s to import, and nothing bounded it. Chromium's parser stops nesting at
/// 512 in the same way. The count is an estimate made in one pass over the text, without
/// building a tree: every start tag opens an element except void ones, self-closed ones
/// inside `<svg>`/`<math>`, and those of [`SIBLINGS`]; every end tag closes one. It
/// overestimates (an unclosed `<b>` counts forever), never by less than the real depth of
/// elements that nest.
pub fn limit_nesting(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut out = String::new();
    // `html[copied..]` is not yet in `out` (only used once something is left out).
    let mut copied = 0;
    let mut edited = false;
    let mut depth = 0usize;
    let mut foreign = 0usize;
    // Start tags left out, by name, whose end tags are still to come.
    let mut dropped: BTreeMap<String, usize> = BTreeMap::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|k| i + k) {
        crate::work::tick(lt - i);
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = html[lt + 4..]
                .find("-->")
                .map_or(b.len(), |k| lt + 4 + k + 3);
            continue;
        }
        let (is_end, name_at) = match rest.first() {
            Some(b'/') => (true, lt + 2),
            Some(c) if c.is_ascii_alphabetic() => (false, lt + 1),
            Some(b'!' | b'?') => {
                i = html[lt..].find('>').map_or(b.len(), |k| lt + k + 1);
                continue;
            }
            _ => {
                i = lt + 1;
                continue;
            }
        };
        let name_len = b[name_at..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && **c != b'/' && **c != b'>')
            .count();
        let name = html[name_at..name_at + name_len].to_ascii_lowercase();
        let end = tag_end(b, name_at + name_len);
        if name.is_empty() {
            i = end;
            continue;
        }
        crate::work::tick(end - lt);
        let self_closed = b[..end].ends_with(b"/>");
        let mut keep = true;
        if is_end {
            if let Some(n) = dropped.get_mut(&name).filter(|n| **n > 0) {
                *n -= 1;
                keep = false;
            } else if !VOID.contains(&name.as_str()) && !SIBLINGS.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
                if name == "svg" || name == "math" {
                    foreign = foreign.saturating_sub(1);
                }
            }
        } else if !VOID.contains(&name.as_str())
            && !SIBLINGS.contains(&name.as_str())
            && !(self_closed && foreign > 0)
        {
            if depth >= MAX_PAGE_NESTING {
                *dropped.entry(name.clone()).or_default() += 1;
                keep = false;
            } else {
                depth += 1;
                if name == "svg" || name == "math" {
                    foreign += 1;
                }
            }
        }
        if !keep {
            out.push_str(&html[copied..lt]);
            copied = end;
            edited = true;
        }
        i = end;
        if !is_end && RAW_TEXT.contains(&name.as_str()) {
            // Its text up to its end tag is not markup (the end tag is read next).
            let close = format!("</{name}");
            let lower_from = i;
            i = find_ascii_ci(&b[lower_from..], close.as_bytes())
                .map_or(b.len(), |k| lower_from + k);
            crate::work::tick(i - lower_from);
        }
    }
    if !edited {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// The index after the `>` ending the tag whose attributes start at `from` (quoted attribute
/// values may hold `>`), or the end of the text.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut j = from;
    let mut after_eq = false;
    while j < b.len() {
        match b[j] {
            b'>' => return j + 1,
            q @ (b'"' | b'\'') if after_eq => {
                j = b[j + 1..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |k| j + 1 + k + 1);
                after_eq = false;
                continue;
            }
            b'=' => after_eq = true,
            c if c.is_ascii_whitespace() => {}
            _ => after_eq = false,
        }
        j += 1;
    }
    b.len()
}

/// Where `needle` (ASCII, lowercase) first occurs in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Whitespace collapsed to single spaces, control characters removed, trimmed; `None` when
/// nothing is left.
fn clean(s: Option<&str>) -> Option<String> {
    let s = super::strip_controls(s?);
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// `en`, `en-US`, `zh-Hans-CN`: ASCII letters, digits and hyphens, starting with 2–8 letters.
fn is_language_tag(s: &str) -> bool {
    let primary = s.split(['-', '_']).next().unwrap_or("");
    s.len() <= 35
        && (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Default)]
struct Walker {
    b: BlockBuilder,
    stack: Nesting,
    /// Inside a table cell: block boundaries are spaces, not new blocks.
    in_cell: usize,
    /// The images recorded so far.
    images: Vec<Image>,
    /// The caption of the figure being read, if any.
    caption: Option<String>,
}

impl Walker {
    fn kind(&self) -> BlockKind {
        self.stack.kind()
    }

    /// End the pending block (a space inside a table cell).
    fn flush(&mut self) {
        if self.in_cell > 0 {
            self.b.push_text(" ");
        } else {
            let kind = self.kind();
            self.b.finish(kind);
        }
    }

    fn children(&mut self, node: &NodeRef, depth: usize) {
        for child in node.children_it(false) {
            self.walk(&child, depth + 1);
        }
    }

    fn walk(&mut self, node: &NodeRef, depth: usize) {
        if node.is_text() {
            self.b.push_text(&node.text());
            return;
        }
        if !(node.is_element() || node.is_document() || node.is_fragment()) {
            return; // comments, doctypes, processing instructions
        }
        if depth > MAX_DEPTH {
            self.b.push_text(&node.text());
            return;
        }
        let Some(name) = node.node_name() else {
            self.children(node, depth);
            return;
        };
        let name = name.to_ascii_lowercase();
        let name = name.as_str();
        if SKIPPED.contains(&name) || node.has_attr("hidden") {
            return;
        }
        match name {
            "br" | "hr" => self.flush(),
            "img" | "area" => self.image(node),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if self.in_cell > 0 {
                    self.flush();
                    self.children(node, depth);
                    self.flush();
                    return;
                }
                self.flush();
                self.children(node, depth);
                let level = name.as_bytes()[1] - b'0';
                self.b.finish(BlockKind::Heading(level.clamp(2, 6)));
            }
            "pre" if self.in_cell == 0 => {
                self.flush();
                let text = node.text();
                let text = text.strip_prefix('\n').unwrap_or(&text);
                let text = text.trim_end_matches(['\n', '\r', ' ', '\t']);
                for line in text.split('\n') {
                    self.b.push_verbatim(line);
                    self.b.finish(BlockKind::Code);
                }
            }
            "ul" | "ol" | "menu" => {
                self.flush();
                let start = node
                    .attr("start")
                    .and_then(|s| s.trim().parse::<u32>().ok())
                    .unwrap_or(1);
                self.stack.push(Container::List {
                    ordered: name == "ol",
                    next: start,
                });
                self.children(node, depth);
                self.flush();
                self.stack.pop();
            }
            "li" => {
                self.flush();
                self.stack.open_item();
                self.children(node, depth);
                self.flush();
                self.stack.pop();
            }
            "blockquote" | "figure" => {
                self.flush();
                self.stack.push(if name == "figure" {
                    Container::Figure
                } else {
                    Container::Quote
                });
                let outer = (name == "figure").then(|| {
                    let caption = node
                        .element_children()
                        .into_iter()
                        .find(|c| c.node_name().as_deref() == Some("figcaption"))
                        .and_then(|c| clean(Some(&c.text())));
                    std::mem::replace(&mut self.caption, caption)
                });
                self.children(node, depth);
                if let Some(outer) = outer {
                    self.caption = outer;
                }
                self.flush();
                self.stack.pop();
            }
            "table" if self.in_cell == 0 && !is_layout_table(node) => self.table(node, depth),
            "a" => {
                let href = node.attr("href").map(|h| h.to_string()).unwrap_or_default();
                self.b.open_link(&href);
                self.children(node, depth);
                self.b.close_mark();
            }
            "em" | "i" | "cite" | "dfn" => self.marked(node, depth, MarkKind::Emphasis),
            "strong" | "b" => self.marked(node, depth, MarkKind::Strong),
            "code" | "kbd" | "samp" | "tt" | "var" => self.marked(node, depth, MarkKind::Code),
            _ if BLOCKS.contains(&name) || name == "table" || name == "figcaption" => {
                self.flush();
                self.children(node, depth);
                self.flush();
            }
            _ => self.children(node, depth),
        }
    }

    fn marked(&mut self, node: &NodeRef, depth: usize, kind: MarkKind) {
        self.b.open_mark(kind);
        self.children(node, depth);
        self.b.close_mark();
    }

    /// An image's alt text is a `Figure` block, or words in the line inside a table cell.
    /// Outside tables an `<img>` with an `https:` address is also recorded ([`Image`]) where
    /// it stands between blocks: before its alt text's block, or, without alt text, after the
    /// block it is inline in. The text is the same as when images were not recorded.
    fn image(&mut self, node: &NodeRef) {
        let alt = node.attr("alt").map(|a| a.to_string()).unwrap_or_default();
        let img = node.node_name().as_deref() == Some("img");
        if self.in_cell > 0 {
            if !alt.trim().is_empty() {
                self.b.push_text(&alt);
                self.b.push_text(" ");
            }
            return;
        }
        if alt.trim().is_empty() {
            if img {
                let at = self.b.blocks.len() + usize::from(self.b.has_text());
                self.record_image(node, "", at);
            }
            return;
        }
        self.flush();
        if img {
            self.record_image(node, &alt, self.b.blocks.len());
        }
        self.b.push_text(&alt);
        self.b.finish(BlockKind::Figure);
    }

    /// Record `<img>` `node` before block `at`, when it has an `https:` address and is not
    /// an icon or a tracking pixel (stated as narrower or lower than [`MIN_IMAGE_PX`]).
    fn record_image(&mut self, node: &NodeRef, alt: &str, at: usize) {
        if self.images.len() >= crate::article::MAX_IMAGES {
            return;
        }
        let Some(url) = image_source(node) else {
            return;
        };
        let size = |key: &str| {
            node.attr(key)
                .and_then(|v| v.trim().parse::<u32>().ok())
                .filter(|n| (1..=MAX_IMAGE_PX).contains(n))
        };
        let (width, height) = (size("width"), size("height"));
        if width.is_some_and(|w| w < MIN_IMAGE_PX) || height.is_some_and(|h| h < MIN_IMAGE_PX) {
            return;
        }
        // The same picture twice in one place (a thumbnail and its enlargement): once.
        if self
            .images
            .last()
            .is_some_and(|i| i.url == url && i.at == at)
        {
            return;
        }
        self.images.push(Image {
            at,
            url,
            alt: clean(Some(alt)).unwrap_or_default(),
            caption: self.caption.clone().unwrap_or_default(),
            width,
            height,
        });
    }

    /// A data table: one `TableRow` block per row, cells joined by the separator.
    fn table(&mut self, node: &NodeRef, depth: usize) {
        self.flush();
        let mut rows = Vec::new();
        collect_rows(node, false, &mut rows, 0);
        for (row, in_head) in rows {
            let cells: Vec<NodeRef> = row
                .element_children()
                .into_iter()
                .filter(|c| matches!(c.node_name().as_deref(), Some("td" | "th")))
                .collect();
            if cells.is_empty() {
                continue;
            }
            let header = in_head || cells.iter().all(|c| c.node_name().as_deref() == Some("th"));
            self.in_cell += 1;
            for (i, cell) in cells.iter().enumerate() {
                self.b.cell_separator(i == 0);
                self.children(cell, depth + 2);
            }
            self.in_cell -= 1;
            if self.b.has_text() {
                self.b.finish(BlockKind::TableRow { header });
            } else {
                self.b.discard();
            }
        }
        // A caption is a paragraph after the rows.
        for child in node.element_children() {
            if child.node_name().as_deref() == Some("caption") {
                self.children(&child, depth + 1);
                self.flush();
            }
        }
    }
}

/// Images stated smaller than this (in CSS pixels, either way) are icons, emoji or tracking
/// pixels: not recorded.
const MIN_IMAGE_PX: u32 = 48;
/// Larger stated sizes are not believed.
const MAX_IMAGE_PX: u32 = 20_000;
/// The widest `srcset` candidate chosen when `src` will not do.
const SRCSET_MAX_WIDTH: u32 = 1600;

/// The `https:` address of `<img>` `node` (made absolute by Readability against the page's
/// address): its `src`, else from its `srcset` the widest candidate up to
/// [`SRCSET_MAX_WIDTH`] pixels (the narrowest if all are wider; the first without widths).
fn image_source(node: &NodeRef) -> Option<String> {
    if let Some(src) = node.attr("src").map(|s| s.trim().to_owned()) {
        if is_image_url(&src) {
            return Some(src);
        }
    }
    let srcset = node.attr("srcset")?;
    let candidates: Vec<(String, Option<u32>)> = srcset
        .split(", ")
        .filter_map(|c| {
            let mut parts = c.split_whitespace();
            let url = parts.next()?.trim_end_matches(',').to_owned();
            let width = parts
                .next()
                .and_then(|d| d.strip_suffix('w'))
                .and_then(|w| w.parse().ok());
            is_image_url(&url).then_some((url, width))
        })
        .collect();
    let fitting = candidates
        .iter()
        .filter(|(_, w)| w.is_some_and(|w| w <= SRCSET_MAX_WIDTH))
        .max_by_key(|(_, w)| *w);
    let narrowest = candidates
        .iter()
        .filter(|(_, w)| w.is_some())
        .min_by_key(|(_, w)| *w);
    fitting
        .or(narrowest)
        .or(candidates.first())
        .map(|(u, _)| u.clone())
}

/// The rows of `table` in document order, not descending into nested tables, with whether each
/// is in a `<thead>`.
fn collect_rows<'a>(
    node: &NodeRef<'a>,
    in_head: bool,
    rows: &mut Vec<(NodeRef<'a>, bool)>,
    depth: usize,
) {
    if depth > 4 {
        return;
    }
    for child in node.element_children() {
        match child.node_name().as_deref() {
            Some("tr") => rows.push((child, in_head)),
            Some("thead") => collect_rows(&child, true, rows, depth + 1),
            Some("tbody" | "tfoot") => collect_rows(&child, in_head, rows, depth + 1),
            _ => {}
        }
    }
}

/// A table used for layout rather than data: a cell holds paragraphs, lists, headings, quotes,
/// code or another table, or every row has a single cell.
fn is_layout_table(table: &NodeRef) -> bool {
    let block_inside = table.descendants_it().any(|n| {
        matches!(
            n.node_name().as_deref(),
            Some(
                "p" | "ul"
                    | "ol"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "blockquote"
                    | "pre"
                    | "table"
                    | "div"
                    | "figure"
            )
        )
    });
    if block_inside {
        return true;
    }
    let mut rows = Vec::new();
    collect_rows(table, false, &mut rows, 0);
    rows.iter().all(|(row, _)| {
        row.element_children()
            .iter()
            .filter(|c| matches!(c.node_name().as_deref(), Some("td" | "th")))
            .count()
            <= 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deepest element of `doc` (the root is 0), found without recursion.
    fn max_depth(doc: &Document) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(doc.root(), 0usize)];
        while let Some((node, d)) = stack.pop() {
            deepest = deepest.max(d);
            stack.extend(node.children().into_iter().map(|c| (c, d + 1)));
        }
        deepest
    }

    #[test]
    fn deep_pages_are_flattened() {
        let text = "Первый абзац статьи, достаточно длинный, чтобы его сочли текстом статьи. ";
        let n = 5_000;
        let distinct_bold: String = (0..n).map(|i| format!("<p><b class=c{i}>")).collect();
        let cases: Vec<(&str, String, String)> = vec![
            ("divs", "<div>".repeat(n), "</div>".repeat(n)),
            ("spans", "<span>".repeat(n), "</span>".repeat(n)),
            ("unclosed bold", "<b>".repeat(n), String::new()),
            ("self-closed divs", "<div/>".repeat(n), String::new()),
            ("quotes", "<blockquote>".repeat(n), String::new()),
            ("lists", "<ul><li>".repeat(n), String::new()),
            ("tables", "<table><tr><td>".repeat(n), String::new()),
            ("bold in paragraphs", distinct_bold, String::new()),
            (
                "svg",
                format!("<svg>{}", "<g><path/>".repeat(n)),
                String::new(),
            ),
        ];
        for (name, open, close) in cases {
            let html = format!(
                "<html><body>{open}<p>{}</p>{close}</body></html>",
                text.repeat(4)
            );
            let depth = max_depth(&parse_page(&html));
            assert!(
                depth <= 4 * MAX_PAGE_NESTING + 8,
                "{name}: the page nests {depth} deep"
            );
            if name != "svg" {
                let a = parse_html("x", &html).expect(name);
                assert!(a.text().contains(text.trim()), "{name}: {:?}", a.text());
            }
        }
    }

    #[test]
    fn real_pages_are_not_flattened() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readability");
        let mut deepest = (0, String::new());
        for entry in std::fs::read_dir(dir).expect("the readability fixtures") {
            let path = entry.expect("a fixture").path().join("source.html");
            if !path.exists() {
                continue; // the licence and the README
            }
            let html = std::fs::read_to_string(&path).expect("a page");
            assert!(
                matches!(limit_nesting(&html), Cow::Borrowed(_)),
                "{} was changed",
                path.display()
            );
            deepest = deepest.max((
                max_depth(&Document::from(html.as_str())),
                path.display().to_string(),
            ));
        }
        eprintln!("deepest page: {deepest:?}");
        assert!(deepest.0 < MAX_PAGE_NESTING / 2, "{deepest:?}");
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "en-US", "zh-Hans-CN", "fil", "pt_BR"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "english language", "<script>", "1en", "en-😀"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
