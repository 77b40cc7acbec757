//! Safe Markdown for notes: a small CommonMark-like subset parsed into a tree ([`MdBlock`],
//! [`Inline`]) that the UI renders as elements and text nodes only, never as raw HTML.
//!
//! Why a tree and not HTML: nothing in a note can then run script. Raw HTML (`<script>`,
//! `<img onerror=…>`) is kept as literal text; links survive only with an `http:`, `https:` or
//! `mailto:` URL ([`safe_href`]); any other link keeps its text and loses the link.
//!
//! Supported: paragraphs (single newlines become [`Inline::LineBreak`]), ATX headings, bullet and
//! ordered lists (items are single inline runs; no nesting), block quotes (nested up to
//! [`MAX_QUOTE_DEPTH`]), fenced code (```` ``` ```` or `~~~`; the info string is dropped),
//! thematic breaks; `**strong**`, `*em*` (and `_` forms, with CommonMark's flanking rules),
//! `` `code` ``, `[text](url)` (no titles, no reference links), `<https://…>` autolinks,
//! backslash escapes.
//!
//! Differences from CommonMark, on purpose or for size: no indented code blocks, no setext
//! headings (`---` under a line is a rule), no HTML entities (`&amp;` stays literal), no lazy
//! quote continuation (a quote ends at the first line without `>`), list items cannot hold
//! blocks, emphasis nests at most [`MAX_INLINE_DEPTH`] deep; a backtick inside a link
//! destination can open a code span when later labels are paired. Parsing is linear in the note
//! length (checked by counting steps, [`crate::work`], in the tests and the `note_markup` fuzz
//! target): label ends and code span ends are found in one pass over the note, link labels and
//! destinations are bounded ([`MAX_LINK_BYTES`]); notes are at most [`MAX_NOTE_BYTES`].

use std::collections::BTreeMap;
use std::ops::Range;

use crate::work;

/// A block of a note.
#[derive(Debug, Clone, PartialEq)]
pub enum MdBlock {
    Paragraph(Vec<Inline>),
    /// `level` is 1..=6.
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    /// `start` is the first item's number for ordered lists (`3.` → 3), 1 for bullet lists.
    List {
        ordered: bool,
        start: u32,
        items: Vec<Vec<Inline>>,
    },
    Quote(Vec<MdBlock>),
    /// The code, lines joined by `\n`, without the fences.
    Code(String),
    Rule,
}

/// Inline content. Adjacent `Text`s are always merged.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Emph(Vec<Inline>),
    Code(String),
    /// `href` always passed [`safe_href`].
    Link {
        href: String,
        children: Vec<Inline>,
    },
    LineBreak,
}

/// Longest note, in UTF-8 bytes (1 MiB): what an import accepts
/// ([`crate::export::MAX_NOTE_BYTES`] must stay equal) and what the editor may save.
pub const MAX_NOTE_BYTES: usize = 1024 * 1024;

/// A note longer than [`MAX_NOTE_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteTooLong {
    pub bytes: usize,
    pub limit: usize,
}

/// Whether `note` may be saved: `Err` (to show as "this note is too long: N of at most M
/// bytes") when it is longer than [`MAX_NOTE_BYTES`]. Parsing is linear in the note whatever
/// its length; the limit keeps storage and the notes list usable.
pub fn check_note(note: &str) -> Result<(), NoteTooLong> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteTooLong {
            bytes: note.len(),
            limit: MAX_NOTE_BYTES,
        });
    }
    Ok(())
}

/// Block quotes nested deeper than this are literal `>` text.
pub const MAX_QUOTE_DEPTH: usize = 8;
/// Emphasis and links nested deeper than this stay literal.
pub const MAX_INLINE_DEPTH: u8 = 16;
/// Longest link label and longest link destination considered, in bytes.
pub const MAX_LINK_BYTES: usize = 2048;

/// Parse a note. Never fails and never panics: anything it does not understand is text.
/// `\r\n` and `\r` count as newlines; NUL becomes U+FFFD.
pub fn parse_note(md: &str) -> Vec<MdBlock> {
    work::tick(md.len());
    let text = md
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\0', "\u{FFFD}");
    let lines: Vec<&str> = text.split('\n').collect();
    parse_blocks(&lines, 0)
}

/// The note without markup, for excerpts and search: blocks and list items on their own lines,
/// line breaks as `\n`, link text without the URL, code as written, rules dropped. No trailing
/// newline.
pub fn plain_text(md: &str) -> String {
    let mut out = String::new();
    blocks_text(&parse_note(md), &mut out);
    let len = out.trim_end_matches('\n').len();
    out.truncate(len);
    out
}

/// `Some(url)` (trimmed, control characters removed) when `raw` is an `http:`, `https:` or
/// `mailto:` URL, checked case-insensitively after trimming and ignoring control characters
/// (browsers ignore tabs and newlines inside a scheme, so `java\tscript:` must not slip through;
/// here it is rejected like every scheme not on the list). Relative URLs, `javascript:`,
/// `data:`, `vbscript:`, entity-encoded schemes (`jav&#x09;ascript:`) and anything with an
/// invisible prefix give `None`.
pub fn safe_href(raw: &str) -> Option<String> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    let lower = cleaned
        .get(..7.min(cleaned.len()))
        .unwrap_or(cleaned)
        .to_ascii_lowercase();
    ["http:", "https:", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then(|| cleaned.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Blocks

fn strip_indent(line: &str) -> &str {
    line.trim_start_matches([' ', '\t'])
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn run_len(b: &[u8], i: usize, c: u8) -> usize {
    b[i..].iter().take_while(|&&x| x == c).count()
}

/// An opening fence: its character and length.
fn fence_open(t: &str) -> Option<(u8, usize)> {
    let b = t.as_bytes();
    let c = *b.first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = run_len(b, 0, c);
    // A backtick "fence" whose info string has a backtick is inline code (CommonMark).
    (n >= 3 && !(c == b'`' && t[n..].contains('`'))).then_some((c, n))
}

fn is_fence_close(t: &str, c: u8, n: usize) -> bool {
    let m = run_len(t.as_bytes(), 0, c);
    m >= n && t[m..].trim().is_empty()
}

fn heading(t: &str) -> Option<(u8, &str)> {
    let level = run_len(t.as_bytes(), 0, b'#');
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let content = rest.trim();
    // An optional closing sequence of `#`s, preceded by a space (`# C#` keeps its `#`).
    let before = content.trim_end_matches('#');
    let content = if before.is_empty() {
        ""
    } else if before.len() < content.len() && before.ends_with([' ', '\t']) {
        before.trim_end()
    } else {
        content
    };
    Some((level as u8, content))
}

fn is_rule(t: &str) -> bool {
    let mut marks = t.chars().filter(|c| !matches!(c, ' ' | '\t'));
    let Some(first) = marks.next() else {
        return false;
    };
    matches!(first, '-' | '*' | '_') && {
        let mut count = 1;
        for c in marks {
            if c != first {
                return false;
            }
            count += 1;
        }
        count >= 3
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Bullet(u8),
    Ordered(u8),
}

struct Marker<'a> {
    kind: ListKind,
    start: u32,
    content: &'a str,
}

impl Marker<'_> {
    /// CommonMark: only a non-empty item, and for ordered lists only one starting at 1, may
    /// interrupt a paragraph (so "in\n2024. it rained" stays one paragraph).
    fn can_interrupt(&self) -> bool {
        !self.content.is_empty() && (matches!(self.kind, ListKind::Bullet(_)) || self.start == 1)
    }
}

fn list_marker(t: &str) -> Option<Marker<'_>> {
    if is_rule(t) {
        return None;
    }
    let b = t.as_bytes();
    let (kind, start, len) = match *b.first()? {
        c @ (b'-' | b'*' | b'+') => (ListKind::Bullet(c), 1, 1),
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            let delim = *b.get(digits)?;
            if digits > 9 || !matches!(delim, b'.' | b')') {
                return None;
            }
            let start = t[..digits].parse().ok()?;
            (ListKind::Ordered(delim), start, digits + 1)
        }
        _ => return None,
    };
    let rest = &t[len..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some(Marker {
        kind,
        start,
        content: rest.trim(),
    })
}

/// Whether `t` (indent stripped) starts a block that ends a paragraph or list item.
fn interrupts(t: &str, depth: usize) -> bool {
    fence_open(t).is_some()
        || heading(t).is_some()
        || is_rule(t)
        || (depth < MAX_QUOTE_DEPTH && t.starts_with('>'))
        || list_marker(t).is_some_and(|m| m.can_interrupt())
}

fn flush_paragraph(para: &mut Vec<&str>, blocks: &mut Vec<MdBlock>) {
    if !para.is_empty() {
        blocks.push(MdBlock::Paragraph(parse_inlines(&para.join("\n"))));
        para.clear();
    }
}

fn parse_blocks(lines: &[&str], depth: usize) -> Vec<MdBlock> {
    work::tick(lines.len());
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = strip_indent(line);
        if is_blank(t) {
            flush_paragraph(&mut para, &mut blocks);
            i += 1;
        } else if let Some((c, n)) = fence_open(t) {
            flush_paragraph(&mut para, &mut blocks);
            let indent = line.len() - t.len();
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if is_fence_close(strip_indent(l), c, n) {
                    break;
                }
                // Content loses up to the opening fence's indentation (CommonMark).
                let spaces = l.bytes().take(indent).take_while(|&b| b == b' ').count();
                body.push(&l[spaces..]);
            }
            blocks.push(MdBlock::Code(body.join("\n")));
        } else if let Some((level, content)) = heading(t) {
            flush_paragraph(&mut para, &mut blocks);
            blocks.push(MdBlock::Heading {
                level,
                content: parse_inlines(content),
            });
            i += 1;
        } else if is_rule(t) {
            flush_paragraph(&mut para, &mut blocks);
            blocks.push(MdBlock::Rule);
            i += 1;
        } else if depth < MAX_QUOTE_DEPTH && t.starts_with('>') {
            flush_paragraph(&mut para, &mut blocks);
            let mut inner = Vec::new();
            while let Some(rest) = lines.get(i).and_then(|l| strip_indent(l).strip_prefix('>')) {
                inner.push(rest.strip_prefix([' ', '\t']).unwrap_or(rest));
                i += 1;
            }
            blocks.push(MdBlock::Quote(parse_blocks(&inner, depth + 1)));
        } else if let Some(m) = list_marker(t).filter(|m| para.is_empty() || m.can_interrupt()) {
            flush_paragraph(&mut para, &mut blocks);
            let (list, next) = parse_list(lines, i, m.kind, m.start, depth);
            blocks.push(list);
            i = next;
        } else {
            para.push(t.trim_end());
            i += 1;
        }
    }
    flush_paragraph(&mut para, &mut blocks);
    blocks
}

/// The list starting at `lines[i]` (an item of `kind`), and the index after it. Items continue
/// over following lines until a blank line or another block; blank lines between items of the
/// same kind keep the list going.
fn parse_list(
    lines: &[&str],
    mut i: usize,
    kind: ListKind,
    start: u32,
    depth: usize,
) -> (MdBlock, usize) {
    let mut items = Vec::new();
    while let Some(m) = lines.get(i).and_then(|l| list_marker(strip_indent(l))) {
        let mut item: Vec<&str> = Vec::new();
        if !m.content.is_empty() {
            item.push(m.content);
        }
        i += 1;
        while let Some(t) = lines.get(i).map(|l| strip_indent(l)) {
            if is_blank(t) || interrupts(t, depth) || list_marker(t).is_some() {
                break;
            }
            item.push(t.trim_end());
            i += 1;
        }
        items.push(parse_inlines(&item.join("\n")));
        let next = (i..lines.len()).find(|&j| !is_blank(lines[j]));
        work::tick(next.unwrap_or(lines.len()) - i);
        match next.and_then(|j| list_marker(strip_indent(lines[j])).map(|m| (j, m))) {
            Some((j, m)) if m.kind == kind => i = j,
            _ => break,
        }
    }
    let list = MdBlock::List {
        ordered: matches!(kind, ListKind::Ordered(_)),
        start,
        items,
    };
    (list, i)
}

// ---------------------------------------------------------------------------------------------
// Inlines

#[derive(Debug)]
struct Delim {
    ch: u8,
    /// Characters not yet used by a match.
    count: usize,
    /// The run's original length (CommonMark's "rule of 3" looks at it).
    orig: usize,
    can_open: bool,
    can_close: bool,
}

#[derive(Debug)]
enum Tok {
    /// A finished inline and its nesting depth.
    Node(Inline, u8),
    Delim(Delim),
}

fn parse_inlines(s: &str) -> Vec<Inline> {
    parse_inlines_in(s, true)
}

/// `links: false` inside link labels: links do not nest (the inner one stays text).
fn parse_inlines_in(s: &str, links: bool) -> Vec<Inline> {
    resolve_emphasis(tokenize(s, links))
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace() && !c.is_control())
}

fn push_text(toks: &mut Vec<Tok>, text: &mut String) {
    if !text.is_empty() {
        toks.push(Tok::Node(Inline::Text(std::mem::take(text)), 0));
    }
}

fn depth_of(inline: &Inline, children_depth: u8) -> u8 {
    match inline {
        Inline::Strong(_) | Inline::Emph(_) | Inline::Link { .. } => children_depth + 1,
        _ => 0,
    }
}

fn tokenize(s: &str, links: bool) -> Vec<Tok> {
    work::tick(s.len());
    let runs = CodeRuns::new(s);
    let labels = if links {
        label_closes(s, &runs)
    } else {
        Vec::new()
    };
    let b = s.as_bytes();
    let mut toks = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => match b.get(i + 1) {
                Some(&c) if c.is_ascii_punctuation() => {
                    text.push(c as char);
                    i += 2;
                }
                Some(b'\n') => {
                    push_text(&mut toks, &mut text);
                    toks.push(Tok::Node(Inline::LineBreak, 0));
                    i += 2;
                }
                _ => {
                    text.push('\\');
                    i += 1;
                }
            },
            b'\n' => {
                push_text(&mut toks, &mut text);
                toks.push(Tok::Node(Inline::LineBreak, 0));
                i += 1;
            }
            b'`' => {
                let n = run_len(b, i, b'`');
                match code_span(s, &runs, i, n) {
                    Some((code, end)) => {
                        push_text(&mut toks, &mut text);
                        toks.push(Tok::Node(Inline::Code(code), 0));
                        i = end;
                    }
                    None => {
                        text.push_str(&s[i..i + n]);
                        i += n;
                    }
                }
            }
            c @ (b'*' | b'_') => {
                let n = run_len(b, i, c);
                let prev = s[..i].chars().next_back().unwrap_or(' ');
                let next = s[i + n..].chars().next().unwrap_or(' ');
                let left = !next.is_whitespace()
                    && (!is_punct(next) || prev.is_whitespace() || is_punct(prev));
                let right = !prev.is_whitespace()
                    && (!is_punct(prev) || next.is_whitespace() || is_punct(next));
                let (can_open, can_close) = if c == b'*' {
                    (left, right)
                } else {
                    // `_` inside a word (snake_case) is not emphasis.
                    (
                        left && (!right || is_punct(prev)),
                        right && (!left || is_punct(next)),
                    )
                };
                push_text(&mut toks, &mut text);
                toks.push(Tok::Delim(Delim {
                    ch: c,
                    count: n,
                    orig: n,
                    can_open,
                    can_close,
                }));
                i += n;
            }
            b'[' if links => match parse_link(s, &labels, i) {
                Some((label, dest, end)) => {
                    push_text(&mut toks, &mut text);
                    let children = parse_inlines_in(&s[label], false);
                    match safe_href(&dest) {
                        Some(href) => {
                            let inner = children.iter().map(inline_depth).max().unwrap_or(0);
                            let link = Inline::Link { href, children };
                            let d = depth_of(&link, inner);
                            toks.push(Tok::Node(link, d));
                        }
                        // Unsafe or relative: keep the text, drop the link.
                        None => {
                            for child in children {
                                let d = inline_depth(&child);
                                toks.push(Tok::Node(child, d));
                            }
                        }
                    }
                    i = end;
                }
                None => {
                    text.push('[');
                    i += 1;
                }
            },
            b'<' if links => match autolink(s, i) {
                Some((url, end)) => {
                    push_text(&mut toks, &mut text);
                    let link = Inline::Link {
                        href: url.clone(),
                        children: vec![Inline::Text(url)],
                    };
                    toks.push(Tok::Node(link, 1));
                    i = end;
                }
                None => {
                    text.push('<');
                    i += 1;
                }
            },
            _ => {
                let c = s[i..].chars().next().expect("i is a char boundary");
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    push_text(&mut toks, &mut text);
    toks
}

fn inline_depth(inline: &Inline) -> u8 {
    match inline {
        Inline::Strong(c) | Inline::Emph(c) | Inline::Link { children: c, .. } => {
            1 + c.iter().map(inline_depth).max().unwrap_or(0)
        }
        _ => 0,
    }
}

/// Every maximal run of backticks in a string, by length, so that finding where a code span
/// ends is a look-up instead of a scan to the end of the note for every unmatched run (which,
/// with runs of many different lengths, is quadratic).
struct CodeRuns {
    /// Run length → where each run of that length starts, in order.
    by_len: BTreeMap<usize, Vec<usize>>,
}

impl CodeRuns {
    fn new(s: &str) -> CodeRuns {
        let b = s.as_bytes();
        let mut by_len: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut j = 0;
        while j < b.len() {
            if b[j] == b'`' {
                let n = run_len(b, j, b'`');
                by_len.entry(n).or_default().push(j);
                j += n;
            } else {
                j += 1;
            }
        }
        work::tick(b.len());
        CodeRuns { by_len }
    }

    /// Where the first run of exactly `n` backticks at or after `from` starts.
    fn next(&self, from: usize, n: usize) -> Option<usize> {
        work::tick(1);
        let starts = self.by_len.get(&n)?;
        starts.get(starts.partition_point(|&p| p < from)).copied()
    }
}

/// A code span opened by the `n` backticks at `i` (`runs` are `s`'s): its content and the
/// index after it, or `None` when no run of exactly `n` backticks follows.
fn code_span(s: &str, runs: &CodeRuns, i: usize, n: usize) -> Option<(String, usize)> {
    // The run at `i` goes on to `i + n` (it may be the end of a longer run whose first
    // backtick was escaped), so the closing run starts at or after `i + n`.
    let j = runs.next(i + n, n)?;
    work::tick(j - i);
    let raw = s[i + n..j].replace('\n', " ");
    let stripped = if raw.len() >= 2
        && raw.starts_with(' ')
        && raw.ends_with(' ')
        && !raw.bytes().all(|c| c == b' ')
    {
        raw[1..raw.len() - 1].to_owned()
    } else {
        raw
    };
    Some((stripped, j + n))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&n) if c == '\\' && n.is_ascii_punctuation() => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

fn escaped_punct(b: &[u8], i: usize) -> bool {
    b[i] == b'\\' && b.get(i + 1).is_some_and(u8::is_ascii_punctuation)
}

/// Where each `[` of `s` that opens a label is closed: `(open, close)` byte indices, sorted.
///
/// One pass over the note, left to right, with a stack: escaped brackets and brackets inside
/// code spans do not count, nested brackets pair up. (Finding each label's end by scanning
/// forward from its `[` would look at the same text again for every `[`, up to
/// [`MAX_LINK_BYTES`] each.) A `]` inside a link destination may close a bracket before it;
/// that only matters when the link fails, and then the text between is text either way.
fn label_closes(s: &str, runs: &CodeRuns) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut open = Vec::new();
    let mut out = Vec::new();
    let mut j = 0;
    while j < b.len() {
        match b[j] {
            _ if escaped_punct(b, j) => j += 2,
            b'`' => {
                let n = run_len(b, j, b'`');
                j = runs.next(j + n, n).map_or(j + n, |close| close + n);
            }
            b'[' => {
                open.push(j);
                j += 1;
            }
            b']' => {
                if let Some(o) = open.pop() {
                    out.push((o, j));
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    work::tick(b.len());
    out.sort_unstable();
    out
}

/// `[label](dest)` at `i` (`labels` are [`label_closes`] of `s`): the label's byte range, the
/// destination (escapes resolved) and the index after `)`. Destinations are `<…>` (no newline)
/// or bare (no spaces or controls, balanced parentheses). No titles. The label and the
/// destination are each at most [`MAX_LINK_BYTES`].
fn parse_link(
    s: &str,
    labels: &[(usize, usize)],
    i: usize,
) -> Option<(Range<usize>, String, usize)> {
    let b = s.as_bytes();
    work::tick(1);
    let close = labels
        .binary_search_by_key(&i, |&(open, _)| open)
        .ok()
        .map(|k| labels[k].1)
        .filter(|&close| close < i + MAX_LINK_BYTES)?;
    if b.get(close + 1) != Some(&b'(') {
        return None;
    }
    let skip_spaces = |mut k: usize| {
        while matches!(b.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        k
    };
    let mut k = skip_spaces(close + 2);
    let limit = b.len().min(k + MAX_LINK_BYTES);
    let dest = if b.get(k) == Some(&b'<') {
        let start = k + 1;
        k = start;
        loop {
            work::tick(1);
            match b.get(k) {
                _ if k >= limit => return None,
                None | Some(b'\n' | b'<') => return None,
                Some(b'>') => break,
                Some(_) if escaped_punct(b, k) => k += 2,
                Some(_) => k += 1,
            }
        }
        let dest = unescape(&s[start..k]);
        k += 1;
        dest
    } else {
        let start = k;
        let mut parens = 0usize;
        loop {
            work::tick(1);
            match b.get(k) {
                _ if k >= limit => return None,
                None => return None,
                Some(_) if escaped_punct(b, k) => k += 2,
                Some(b'(') => {
                    parens += 1;
                    if parens > 32 {
                        return None;
                    }
                    k += 1;
                }
                Some(b')') if parens == 0 => break,
                Some(b')') => {
                    parens -= 1;
                    k += 1;
                }
                Some(&c) if c <= b' ' || c == 0x7f => break,
                Some(_) => k += 1,
            }
        }
        unescape(&s[start..k])
    };
    let k = skip_spaces(k);
    (b.get(k) == Some(&b')')).then(|| (i + 1..close, dest, k + 1))
}

/// `<scheme:…>` at `i` with a [`safe_href`] scheme: the URL and the index after `>`. Anything
/// else (`<script>`, `<javascript:…>`) is not an autolink and stays text.
fn autolink(s: &str, i: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let limit = b.len().min(i + MAX_LINK_BYTES);
    let mut j = i + 1;
    while j < limit && !matches!(b[j], b'>' | b'<') && b[j] > b' ' && b[j] != 0x7f {
        work::tick(1);
        j += 1;
    }
    if b.get(j) != Some(&b'>') {
        return None;
    }
    let url = &s[i + 1..j];
    let scheme_len = url.find(':')?;
    let scheme = &url.as_bytes()[..scheme_len];
    let scheme_ok = (2..=32).contains(&scheme_len)
        && scheme[0].is_ascii_alphabetic()
        && scheme
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'));
    if !scheme_ok {
        return None;
    }
    safe_href(url).map(|href| (href, j + 1))
}

/// CommonMark's "rule of 3": a run that can both open and close does not pair with another if
/// the lengths sum to a multiple of 3, unless both are multiples of 3.
fn rule_of_three_forbids(opener: &Delim, closer: &Delim) -> bool {
    (opener.can_close || closer.can_open)
        && (opener.orig + closer.orig).is_multiple_of(3)
        && !(opener.orig.is_multiple_of(3) && closer.orig.is_multiple_of(3))
}

/// Pair `*`/`_` runs into `Strong`/`Emph` (CommonMark's delimiter algorithm, with a stack: the
/// tokens between an opener and its closer are always the tail of `out`). Unpaired runs become
/// text. Amortised linear, thanks to the per-kind "openers bottom" (where a failed search for
/// an opener stopped, so the next one does not repeat it).
fn resolve_emphasis(toks: Vec<Tok>) -> Vec<Inline> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    // Indices into `out` of runs that can still open.
    let mut openers: Vec<usize> = Vec::new();
    // [is `_`][closer can open][closer length % 3] → openers below this index cannot match.
    let mut bottoms = [[[0usize; 3]; 2]; 2];
    let clamp = |bottoms: &mut [[[usize; 3]; 2]; 2], len: usize| {
        for b in bottoms.iter_mut().flatten().flatten() {
            *b = (*b).min(len);
        }
    };
    for tok in toks {
        let mut closer = match tok {
            Tok::Delim(d) => d,
            node => {
                out.push(node);
                continue;
            }
        };
        while closer.can_close && closer.count > 0 {
            let key = (
                usize::from(closer.ch == b'_'),
                usize::from(closer.can_open),
                closer.orig % 3,
            );
            let bottom = bottoms[key.0][key.1][key.2].min(openers.len());
            let found = (bottom..openers.len()).rev().find(|&k| {
                work::tick(1);
                match &out[openers[k]] {
                    Tok::Delim(o) => o.ch == closer.ch && !rule_of_three_forbids(o, &closer),
                    Tok::Node(..) => false,
                }
            });
            let Some(k) = found else {
                bottoms[key.0][key.1][key.2] = openers.len();
                break;
            };
            let oi = openers[k];
            work::tick(out.len() - oi);
            let inner_depth = out[oi + 1..]
                .iter()
                .map(|t| match t {
                    Tok::Node(_, d) => *d,
                    Tok::Delim(_) => 0,
                })
                .max()
                .unwrap_or(0);
            if inner_depth >= MAX_INLINE_DEPTH {
                // Too deep: this opener stays literal text, and so does every older one this
                // closer could match (what they would enclose holds the same too-deep node).
                // Dropping them all at once, not one search and one scan each, keeps this
                // linear.
                let from = bottom.min(k);
                let before = openers.len();
                let mut kept = from;
                let mut first_removed = k;
                for x in from..openers.len() {
                    let oi = openers[x];
                    let matches = x <= k
                        && matches!(&out[oi], Tok::Delim(o)
                            if o.ch == closer.ch && !rule_of_three_forbids(o, &closer));
                    if matches {
                        if let Tok::Delim(o) = &mut out[oi] {
                            o.can_open = false;
                        }
                        first_removed = first_removed.min(x);
                    } else {
                        openers[kept] = oi;
                        kept += 1;
                    }
                }
                openers.truncate(kept);
                work::tick(before - from);
                clamp(&mut bottoms, first_removed);
                bottoms[key.0][key.1][key.2] = openers.len();
                break;
            }
            let Tok::Delim(opener) = &mut out[oi] else {
                unreachable!("openers index delimiter runs")
            };
            let used = if opener.count >= 2 && closer.count >= 2 {
                2
            } else {
                1
            };
            opener.count -= used;
            closer.count -= used;
            let opener_spent = opener.count == 0;
            let children = finish(out.drain(oi + 1..).collect());
            openers.truncate(k + 1);
            if opener_spent {
                out.pop();
                openers.pop();
            }
            clamp(&mut bottoms, openers.len());
            let node = if used == 2 {
                Inline::Strong(children)
            } else {
                Inline::Emph(children)
            };
            out.push(Tok::Node(node, inner_depth + 1));
        }
        if closer.count > 0 {
            if closer.can_open {
                openers.push(out.len());
            }
            out.push(Tok::Delim(closer));
        }
    }
    finish(out)
}

/// Tokens to inlines: leftover runs become text; adjacent texts merge.
fn finish(toks: Vec<Tok>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(toks.len());
    for tok in toks {
        let inline = match tok {
            Tok::Node(inline, _) => inline,
            Tok::Delim(d) if d.count == 0 => continue,
            Tok::Delim(d) => Inline::Text((d.ch as char).to_string().repeat(d.count)),
        };
        match (out.last_mut(), inline) {
            (Some(Inline::Text(prev)), Inline::Text(next)) => prev.push_str(&next),
            (_, inline) => out.push(inline),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Plain text

fn blocks_text(blocks: &[MdBlock], out: &mut String) {
    for block in blocks {
        match block {
            MdBlock::Paragraph(inlines)
            | MdBlock::Heading {
                content: inlines, ..
            } => {
                inlines_text(inlines, out);
                out.push('\n');
            }
            MdBlock::List { items, .. } => {
                for item in items {
                    inlines_text(item, out);
                    out.push('\n');
                }
            }
            MdBlock::Quote(inner) => blocks_text(inner, out),
            MdBlock::Code(code) => {
                out.push_str(code);
                out.push('\n');
            }
            MdBlock::Rule => {}
        }
    }
}

fn inlines_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(s) | Inline::Code(s) => out.push_str(s),
            Inline::Strong(c) | Inline::Emph(c) | Inline::Link { children: c, .. } => {
                inlines_text(c, out)
            }
            Inline::LineBreak => out.push('\n'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Inline::{LineBreak as BR, Text};

    fn t(s: &str) -> Inline {
        Text(s.into())
    }
    fn p(inlines: Vec<Inline>) -> MdBlock {
        MdBlock::Paragraph(inlines)
    }
    fn h(level: u8, inlines: Vec<Inline>) -> MdBlock {
        MdBlock::Heading {
            level,
            content: inlines,
        }
    }
    fn list(ordered: bool, start: u32, items: Vec<Vec<Inline>>) -> MdBlock {
        MdBlock::List {
            ordered,
            start,
            items,
        }
    }
    fn link(href: &str, children: Vec<Inline>) -> Inline {
        Inline::Link {
            href: href.into(),
            children,
        }
    }
    fn strong(c: Vec<Inline>) -> Inline {
        Inline::Strong(c)
    }
    fn em(c: Vec<Inline>) -> Inline {
        Inline::Emph(c)
    }
    fn code(s: &str) -> Inline {
        Inline::Code(s.into())
    }

    #[test]
    fn named_cases() {
        let cases: Vec<(&str, &str, Vec<MdBlock>)> = vec![
            ("empty", "", vec![]),
            ("blank lines only", "\n  \n\t\n", vec![]),
            ("one paragraph", "hello", vec![p(vec![t("hello")])]),
            (
                "soft break is a line break",
                "a\nb",
                vec![p(vec![t("a"), BR, t("b")])],
            ),
            ("crlf", "a \r\n  b", vec![p(vec![t("a"), BR, t("b")])]),
            (
                "blank line splits",
                "a\n\nb",
                vec![p(vec![t("a")]), p(vec![t("b")])],
            ),
            (
                "backslash newline",
                "a\\\nb",
                vec![p(vec![t("a"), BR, t("b")])],
            ),
            ("heading 1", "# Title", vec![h(1, vec![t("Title")])]),
            ("heading 6", "###### Six", vec![h(6, vec![t("Six")])]),
            ("seven hashes", "####### x", vec![p(vec![t("####### x")])]),
            ("hashtag is text", "#tag", vec![p(vec![t("#tag")])]),
            (
                "closing hashes",
                "## Closing ##",
                vec![h(2, vec![t("Closing")])],
            ),
            ("c sharp", "# C#", vec![h(1, vec![t("C#")])]),
            ("empty heading", "#", vec![h(1, vec![])]),
            (
                "heading interrupts",
                "a\n# b",
                vec![p(vec![t("a")]), h(1, vec![t("b")])],
            ),
            (
                "bullets",
                "- a\n- b",
                vec![list(false, 1, vec![vec![t("a")], vec![t("b")]])],
            ),
            (
                "other bullet char starts a new list",
                "* a\n+ b",
                vec![
                    list(false, 1, vec![vec![t("a")]]),
                    list(false, 1, vec![vec![t("b")]]),
                ],
            ),
            (
                "ordered start",
                "3. x\n4. y",
                vec![list(true, 3, vec![vec![t("x")], vec![t("y")]])],
            ),
            (
                "paren ordered",
                "1) x",
                vec![list(true, 1, vec![vec![t("x")]])],
            ),
            (
                "dash needs space",
                "-5 degrees",
                vec![p(vec![t("-5 degrees")])],
            ),
            (
                "bullet interrupts paragraph",
                "Things:\n- a",
                vec![p(vec![t("Things:")]), list(false, 1, vec![vec![t("a")]])],
            ),
            (
                "year does not interrupt",
                "In\n2024. it rained",
                vec![p(vec![t("In"), BR, t("2024. it rained")])],
            ),
            (
                "loose list",
                "- a\n\n- b",
                vec![list(false, 1, vec![vec![t("a")], vec![t("b")]])],
            ),
            (
                "item continuation",
                "- a\nb",
                vec![list(false, 1, vec![vec![t("a"), BR, t("b")]])],
            ),
            (
                "inline markup in items",
                "- **a**",
                vec![list(false, 1, vec![vec![strong(vec![t("a")])]])],
            ),
            (
                "quote",
                "> a\n> b",
                vec![MdBlock::Quote(vec![p(vec![t("a"), BR, t("b")])])],
            ),
            (
                "nested quote",
                "> > x",
                vec![MdBlock::Quote(vec![MdBlock::Quote(vec![p(vec![t("x")])])])],
            ),
            (
                "quote ends without >",
                "> a\nb",
                vec![MdBlock::Quote(vec![p(vec![t("a")])]), p(vec![t("b")])],
            ),
            (
                "fenced code keeps markup",
                "```rust\nlet **x** = <b>;\n\n  y\n```\nafter",
                vec![
                    MdBlock::Code("let **x** = <b>;\n\n  y".into()),
                    p(vec![t("after")]),
                ],
            ),
            (
                "tilde fence, unclosed",
                "~~~\na\nb",
                vec![MdBlock::Code("a\nb".into())],
            ),
            (
                "short closing fence is content",
                "````\n```\n````",
                vec![MdBlock::Code("```".into())],
            ),
            ("rule", "---", vec![MdBlock::Rule]),
            ("spaced rule", "* * *", vec![MdBlock::Rule]),
            ("underscore rule", "___", vec![MdBlock::Rule]),
            (
                "strong and em",
                "**b** and *i*",
                vec![p(vec![strong(vec![t("b")]), t(" and "), em(vec![t("i")])])],
            ),
            (
                "underscore forms",
                "__b__ _i_",
                vec![p(vec![strong(vec![t("b")]), t(" "), em(vec![t("i")])])],
            ),
            (
                "triple",
                "***x***",
                vec![p(vec![em(vec![strong(vec![t("x")])])])],
            ),
            (
                "nested em in strong",
                "**a *b* c**",
                vec![p(vec![strong(vec![t("a "), em(vec![t("b")]), t(" c")])])],
            ),
            (
                "snake_case stays",
                "snake_case_name",
                vec![p(vec![t("snake_case_name")])],
            ),
            (
                "intraword star is em",
                "a*b*c",
                vec![p(vec![t("a"), em(vec![t("b")]), t("c")])],
            ),
            ("unmatched strong", "**a", vec![p(vec![t("**a")])]),
            ("lone star", "a * b", vec![p(vec![t("a * b")])]),
            (
                "unbalanced runs",
                "**a*",
                vec![p(vec![t("*"), em(vec![t("a")])])],
            ),
            ("code span", "`a*b*`", vec![p(vec![code("a*b*")])]),
            (
                "double backtick code",
                "``a`b``",
                vec![p(vec![code("a`b")])],
            ),
            (
                "code span strips one space",
                "`` `x` ``",
                vec![p(vec![code("`x`")])],
            ),
            ("unmatched backtick", "`a", vec![p(vec![t("`a")])]),
            (
                "escapes",
                "\\*not em\\* \\[x\\]",
                vec![p(vec![t("*not em* [x]")])],
            ),
            ("backslash before letter", "\\a", vec![p(vec![t("\\a")])]),
            (
                "link",
                "[site](https://ex.com/a_(b))",
                vec![p(vec![link("https://ex.com/a_(b)", vec![t("site")])])],
            ),
            (
                "link with markup",
                "[**b**](http://x)",
                vec![p(vec![link("http://x", vec![strong(vec![t("b")])])])],
            ),
            (
                "mailto link",
                "[me](mailto:a@b.c)",
                vec![p(vec![link("mailto:a@b.c", vec![t("me")])])],
            ),
            (
                "pointy destination",
                "[x](<https://a b>)",
                vec![p(vec![link("https://a b", vec![t("x")])])],
            ),
            (
                "title is not supported",
                "[x](https://a \"t\")",
                vec![p(vec![t("[x](https://a \"t\")")])],
            ),
            (
                "no nested links",
                "[a [b](http://c)](http://d)",
                vec![p(vec![link("http://d", vec![t("a [b](http://c)")])])],
            ),
            (
                "relative link keeps text only",
                "[notes](notes.html)",
                vec![p(vec![t("notes")])],
            ),
            (
                "bracket without destination",
                "[x] y",
                vec![p(vec![t("[x] y")])],
            ),
            (
                "autolink",
                "<https://ok>",
                vec![p(vec![link("https://ok", vec![t("https://ok")])])],
            ),
            (
                "raw html is text",
                "<b>hi</b>",
                vec![p(vec![t("<b>hi</b>")])],
            ),
            (
                "entities stay literal",
                "&amp; &#106;",
                vec![p(vec![t("&amp; &#106;")])],
            ),
            ("nul replaced", "a\0b", vec![p(vec![t("a\u{FFFD}b")])]),
        ];
        for (name, md, want) in cases {
            assert_eq!(parse_note(md), want, "{name}: {md:?}");
        }
    }

    #[test]
    fn plain_text_drops_markup_only() {
        let cases: &[(&str, &str, &str)] = &[
            ("empty", "", ""),
            (
                "markup",
                "# Head\n\n**bold** and [link](https://x)",
                "Head\nbold and link",
            ),
            (
                "list and quote",
                "- a\n- b\n\n> q\n\n---\n```\nc d\n```",
                "a\nb\nq\nc d",
            ),
            ("line break", "a\nb", "a\nb"),
            (
                "unsafe link keeps its text",
                "[click](javascript:x)",
                "click",
            ),
        ];
        for (name, md, want) in cases {
            assert_eq!(plain_text(md), *want, "{name}");
        }
    }

    #[test]
    fn safe_href_allows_only_http_https_mailto() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://a.b/c", Some("https://a.b/c")),
            ("HTTP://A.B", Some("HTTP://A.B")),
            ("  mailto:x@y.z ", Some("mailto:x@y.z")),
            ("ht\ttps://a", Some("https://a")),
            ("javascript:alert(1)", None),
            (" JAVASCRIPT:alert(1)", None),
            ("java\tscript:alert(1)", None),
            ("java\nscript:alert(1)", None),
            ("\u{1}javascript:alert(1)", None),
            ("jav&#x09;ascript:alert(1)", None),
            ("data:text/html,<script>", None),
            ("vbscript:msgbox", None),
            ("//evil.example", None),
            ("notes.html", None),
            ("\u{200B}https://a", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(safe_href(raw).as_deref(), *want, "{raw:?}");
        }
    }

    // ---- safety ----

    /// Every link in the tree: its href.
    fn hrefs(blocks: &[MdBlock]) -> Vec<String> {
        fn inl(i: &[Inline], out: &mut Vec<String>) {
            for x in i {
                match x {
                    Inline::Link { href, children } => {
                        out.push(href.clone());
                        inl(children, out);
                    }
                    Inline::Strong(c) | Inline::Emph(c) => inl(c, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for b in blocks {
            match b {
                MdBlock::Paragraph(i) | MdBlock::Heading { content: i, .. } => inl(i, &mut out),
                MdBlock::List { items, .. } => items.iter().for_each(|i| inl(i, &mut out)),
                MdBlock::Quote(q) => out.extend(hrefs(q)),
                MdBlock::Code(_) | MdBlock::Rule => {}
            }
        }
        out
    }

    fn assert_hrefs_safe(md: &str, blocks: &[MdBlock]) {
        for href in hrefs(blocks) {
            let lower = href.to_ascii_lowercase();
            assert!(
                ["http:", "https:", "mailto:"]
                    .iter()
                    .any(|s| lower.starts_with(s)),
                "{md:?} gave href {href:?}"
            );
            assert!(!href.chars().any(char::is_control), "{md:?}: {href:?}");
        }
    }

    #[test]
    fn xss_payloads_are_inert() {
        // (payload, literal text that must be shown as text, expected hrefs)
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "<script>alert(1)</script>",
                "<script>alert(1)</script>",
                &[],
            ),
            (
                "<img src=x onerror=alert(1)>",
                "<img src=x onerror=alert(1)>",
                &[],
            ),
            ("<svg onload=alert(1)>", "<svg onload=alert(1)>", &[]),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "<a href=\"javascript:alert(1)\">x</a>",
                &[],
            ),
            (
                "<iframe src=\"data:text/html,x\">",
                "<iframe src=\"data:text/html,x\">",
                &[],
            ),
            ("[x](javascript:alert(1))", "x", &[]),
            ("[x](JAVASCRIPT:alert(1))", "x", &[]),
            ("[x]( javascript:alert(1) )", "x", &[]),
            ("[x](JaVaScRiPt:alert(1))", "x", &[]),
            ("[x](<java\tscript:alert(1)>)", "x", &[]),
            ("[x](<java\u{1}script:alert(1)>)", "x", &[]),
            ("[x](<\u{8} javascript:alert(1)>)", "x", &[]),
            (
                "[x](java\tscript:alert(1))",
                "[x](java\tscript:alert(1))",
                &[],
            ),
            ("[x](jav&#x09;ascript:alert(1))", "x", &[]),
            ("[x](&#106;avascript:alert(1))", "x", &[]),
            ("[x](javascript&colon;alert(1))", "x", &[]),
            ("[x](java\\script:alert(1))", "x", &[]),
            ("[x](%6aavascript:alert(1))", "x", &[]),
            ("[x](\u{200B}javascript:alert(1))", "x", &[]),
            ("[x](data:text/html;base64,PHNjcmlwdD4=)", "x", &[]),
            ("[x](vbscript:msgbox(1))", "x", &[]),
            ("[x](//evil.example)", "x", &[]),
            ("[x](javascript:alert(1)//https://ok)", "x", &[]),
            ("<javascript:alert(1)>", "<javascript:alert(1)>", &[]),
            ("<data:text/html,hi>", "<data:text/html,hi>", &[]),
            ("<JAVASCRIPT:alert(1)>", "<JAVASCRIPT:alert(1)>", &[]),
            (
                "[<img src=x onerror=alert(1)>](https://ok)",
                "<img src=x onerror=alert(1)>",
                &["https://ok"],
            ),
            ("**<script>x</script>**", "<script>x</script>", &[]),
            ("<https://ok>", "https://ok", &["https://ok"]),
            ("[ok](HTTPS://ok)", "ok", &["HTTPS://ok"]),
            ("> [x](javascript:alert(1))\n- [y](data:,z)", "x", &[]),
        ];
        for (md, literal, want_hrefs) in cases {
            let blocks = parse_note(md);
            assert_hrefs_safe(md, &blocks);
            assert_eq!(&hrefs(&blocks), want_hrefs, "{md:?}");
            let shown = text_nodes(&blocks);
            assert!(
                shown.contains(literal),
                "{md:?}: {literal:?} not in text {shown:?}"
            );
        }
        // `<` inside code is shown as code text, never interpreted.
        assert_eq!(parse_note("`<script>`"), vec![p(vec![code("<script>")])]);
    }

    /// Concatenated `Text` nodes only (not code), so "raw HTML appears inside Text" is checked.
    fn text_nodes(blocks: &[MdBlock]) -> String {
        fn inl(i: &[Inline], out: &mut String) {
            for x in i {
                match x {
                    Inline::Text(s) => out.push_str(s),
                    Inline::Link { children: c, .. } | Inline::Strong(c) | Inline::Emph(c) => {
                        inl(c, out)
                    }
                    _ => {}
                }
            }
        }
        let mut out = String::new();
        for b in blocks {
            match b {
                MdBlock::Paragraph(i) | MdBlock::Heading { content: i, .. } => inl(i, &mut out),
                MdBlock::List { items, .. } => items.iter().for_each(|i| inl(i, &mut out)),
                MdBlock::Quote(q) => out.push_str(&text_nodes(q)),
                MdBlock::Code(_) | MdBlock::Rule => {}
            }
        }
        out
    }

    #[test]
    fn pathological_inputs_stay_bounded() {
        let deep = format!("{}x{}", "*a ".repeat(200), " a*".repeat(200));
        let blocks = parse_note(&deep);
        fn depth(i: &[Inline]) -> usize {
            i.iter()
                .map(|x| match x {
                    Inline::Strong(c) | Inline::Emph(c) | Inline::Link { children: c, .. } => {
                        1 + depth(c)
                    }
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        let MdBlock::Paragraph(inl) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(depth(inl), usize::from(MAX_INLINE_DEPTH));
        assert_eq!(
            plain_text(&deep).replace('*', ""),
            deep.replace('*', ""),
            "nothing but markup lost when refusing to nest"
        );
        assert!(
            plain_text(&deep).starts_with("*a *a"),
            "refused runs stay literal"
        );
        let quotes = format!("{}x", "> ".repeat(50));
        let mut blocks = parse_note(&quotes);
        let mut levels = 0;
        while let [MdBlock::Quote(inner)] = blocks.as_slice() {
            levels += 1;
            blocks = inner.clone();
        }
        assert_eq!(levels, MAX_QUOTE_DEPTH);
        // Many unmatched brackets and stars finish quickly (would be quadratic unbounded).
        let brackets = "[".repeat(50_000) + &"`a".repeat(20_000) + &"*a".repeat(50_000);
        let started = std::time::Instant::now();
        let shown = plain_text(&brackets);
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
        let kept = |s: &str| {
            s.chars()
                .filter(|&c| c != '*' && c != '`')
                .collect::<String>()
        };
        assert!(kept(&shown) == kept(&brackets), "text lost");
    }

    // ---- work ----

    /// Families of notes that a parser which rescans what it has seen spends quadratic time on
    /// (each is `size` bytes or a little more).
    fn hostile_notes(size: usize) -> Vec<(&'static str, String)> {
        let rep = |s: &str| s.repeat(size / s.len() + 1);
        let mut growing_ticks = String::new();
        let mut k = 1;
        while growing_ticks.len() < size {
            growing_ticks.push_str(&"`".repeat(k));
            growing_ticks.push('a');
            k += 1;
        }
        vec![
            ("unmatched brackets", rep("[")),
            ("brackets then text", rep("[a")),
            ("labels without destinations", rep("[a]")),
            (
                "nested labels",
                "[".repeat(size / 2) + &"]".repeat(size / 2),
            ),
            ("destinations without closing", rep("[a](b")),
            ("pointy destinations", rep("[a](<b")),
            ("backtick runs of growing length", growing_ticks),
            ("unmatched backticks and brackets", rep("[`")),
            ("autolinks without end", rep("<https://a")),
            ("stars", rep("*a ")),
            (
                "too deep emphasis",
                format!("{}x{}", rep("*a "), rep(" a*")),
            ),
            ("mixed runs", rep("*_a ")),
            ("underscores in words", rep("a_b ")),
            ("list items with blank lines", rep("- a\n\n")),
            ("ordered items with blank lines", rep("1. a\n\n\n")),
            ("quote markers", rep("> ")),
            ("quotes of lists", rep(">>>> - a\n")),
            ("fences", rep("```\n")),
            ("headings", rep("# a\n")),
            ("escapes", rep("\\[")),
            ("line breaks", rep("a\\\n")),
        ]
    }

    /// Steps of work ([`crate::work`]) per byte of note for `parse_note`.
    fn steps_per_byte(note: &str) -> u64 {
        work::take();
        let _ = parse_note(note);
        work::take() / note.len() as u64
    }

    #[test]
    fn notes_are_bounded() {
        assert_eq!(MAX_NOTE_BYTES, crate::export::MAX_NOTE_BYTES);
        assert_eq!(check_note(&"я".repeat(MAX_NOTE_BYTES / 2)), Ok(()));
        assert_eq!(
            check_note(&("я".repeat(MAX_NOTE_BYTES / 2) + "!")),
            Err(NoteTooLong {
                bytes: MAX_NOTE_BYTES + 1,
                limit: MAX_NOTE_BYTES
            })
        );
        // The longest note parses in linear work.
        let note = "[a](b".repeat(MAX_NOTE_BYTES / 5);
        assert!(steps_per_byte(&note) <= 48);
    }

    #[test]
    fn parsing_is_linear_in_the_note() {
        // At 64 KB, a loop that rescans the rest of the note takes hundreds or thousands of
        // steps per byte (these families took up to 3,638 before label ends, code span ends and
        // too-deep emphasis were found in one pass); a linear parser takes a few, whatever the
        // size. The most is a bare link destination, read up to its 33rd unclosed parenthesis:
        // `[a](b` over and over costs about 37 steps a byte.
        for size in [4 * 1024, 64 * 1024] {
            for (name, note) in hostile_notes(size) {
                let steps = steps_per_byte(&note);
                assert!(steps <= 48, "{name}, {size} bytes: {steps} steps per byte");
            }
        }
    }

    // ---- properties ----

    /// Every character the tree shows: texts, code, link texts, line breaks; blocks separated.
    fn tree_text(blocks: &[MdBlock]) -> String {
        let mut out = String::new();
        blocks_text(blocks, &mut out);
        out
    }

    /// The input's alphanumerics that the parser must keep, in order. Left out (markup that may
    /// legitimately be consumed): ordered-list numbers at a line start (after indentation and
    /// `>`s), fence info strings, and link destinations (everything from `](` to the end of the
    /// line, since unsafe destinations are dropped). This over-approximates what is consumed,
    /// so the check is a little weaker than exact, never wrong.
    fn must_keep(md: &str) -> Vec<char> {
        let normalised = md.replace("\r\n", "\n").replace('\r', "\n");
        let mut out = Vec::new();
        for line in normalised.split('\n') {
            let start = line.trim_start_matches([' ', '\t', '>']);
            let mut rest = start.trim_start_matches(|c: char| c.is_ascii_digit());
            if !(rest.starts_with(['.', ')'])) {
                rest = start;
            }
            if rest.starts_with("```") || rest.starts_with("~~~") {
                let fence = rest.trim_start_matches(['`', '~']);
                rest = &rest[..rest.len() - fence.len()];
            }
            let kept = match rest.find("](") {
                Some(k) => &rest[..k],
                None => rest,
            };
            out.extend(kept.chars().filter(|c| c.is_alphanumeric()));
        }
        out
    }

    fn is_subsequence(needle: &[char], hay: &[char]) -> bool {
        let mut it = hay.iter();
        needle.iter().all(|c| it.any(|h| h == c))
    }

    fn markdownish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("*".to_string()),
            Just("**".to_string()),
            Just("_".to_string()),
            Just("`".to_string()),
            Just("```".to_string()),
            Just("~~~".to_string()),
            Just("[".to_string()),
            Just("](".to_string()),
            Just(")".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("> ".to_string()),
            Just("# ".to_string()),
            Just("- ".to_string()),
            Just("1. ".to_string()),
            Just("12) ".to_string()),
            Just("---".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("\r\n".to_string()),
            Just(" ".to_string()),
            Just("\t".to_string()),
            Just("\\".to_string()),
            Just("https://x".to_string()),
            Just("javascript:".to_string()),
            Just("<script>".to_string()),
            "[a-zA-Z0-9ёЖ]{1,4}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn nothing_is_lost_or_invented(md in prop_oneof![markdownish(), any::<String>()]) {
            let blocks = parse_note(&md);
            assert_hrefs_safe(&md, &blocks);
            let shown: Vec<char> = tree_text(&blocks).chars().filter(|c| c.is_alphanumeric()).collect();
            let input: Vec<char> = md.chars().filter(|c| c.is_alphanumeric()).collect();
            let keep = must_keep(&md);
            prop_assert!(is_subsequence(&keep, &shown), "lost text: {:?} -> {:?}", md, blocks);
            prop_assert!(is_subsequence(&shown, &input), "invented text: {:?} -> {:?}", md, blocks);
        }
    }
}
