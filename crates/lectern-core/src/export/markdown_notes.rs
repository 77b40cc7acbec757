//! An article's highlights and notes as Markdown that reads well as is and pastes into
//! Obsidian or Logseq.
//!
//! Shape (one article):
//!
//! ```text
//! # Title
//!
//! - Source: [ria.ru](https://ria.ru)
//! - Published: 2024-11-21
//! - Added: 2024-11-22T08:00:00.000Z
//! - Highlights: 3
//!
//! ## Article note
//!
//! The note, as written (Markdown).
//!
//! ## Highlights
//!
//! > the highlighted text
//!
//! - Colour: yellow
//! - Tags: #history #to-read
//!
//! The highlight's note.
//!
//! ---
//! ```
//!
//! Highlights come in document order (placed with [`Anchorer`] on the article's current text);
//! those that cannot be placed follow under "Orphaned highlights", and ones placed only
//! approximately are marked "approximate match". Quotes are escaped so Markdown syntax in the
//! article text shows literally; notes are the user's Markdown and are kept as written. Tags
//! become `#tag` (whitespace turned into `-`, as Obsidian tags cannot hold spaces).

use crate::anchor::{Anchorer, Placement};
use crate::annotation::Annotation;
use crate::annotations_doc::timestamp_key;
use crate::article::Article;
use crate::library::ArticleMeta;

use super::ArticleExport;

/// One article as Markdown (see the module docs). `meta` adds the date it was added and its
/// file name. `annotations` may come in any order; article-level notes (no target) come first,
/// then highlights in document order, then orphans. O(n + k·m) for text length n and k
/// highlights (anchoring).
pub fn to_markdown(
    article: &Article,
    meta: Option<&ArticleMeta>,
    annotations: &[Annotation],
) -> String {
    let text = article.text();
    let anchorer = Anchorer::new(&text);
    let mut out = String::new();
    out.push_str("# ");
    out.push_str(&escape_inline(one_line(&article.title)));
    out.push_str("\n\n");

    let mut facts: Vec<String> = Vec::new();
    if let Some(src) = &article.source {
        let name = escape_inline(one_line(&src.name));
        // Only links the app itself would follow (a file's URL is data, not a script).
        match src.url.as_deref().and_then(crate::note_markup::safe_href) {
            Some(url) => facts.push(format!("Source: [{name}](<{}>)", url.replace('>', "%3E"))),
            None => facts.push(format!("Source: {name}")),
        }
    }
    if let Some(site) = &article.site_name {
        facts.push(format!("Site: {}", escape_inline(one_line(site))));
    }
    if let Some(by) = &article.byline {
        facts.push(format!("Author: {}", escape_inline(one_line(by))));
    }
    if let Some(p) = &article.published {
        facts.push(format!("Published: {}", escape_inline(one_line(p))));
    }
    if let Some(m) = meta {
        facts.push(format!("Added: {}", escape_inline(one_line(&m.added))));
        if let Some(f) = &m.file_name {
            facts.push(format!("File: {}", escape_inline(one_line(f))));
        }
    }

    let mut notes: Vec<&Annotation> = annotations.iter().filter(|a| a.target.is_none()).collect();
    notes.sort_by_cached_key(|a| (timestamp_key(&a.created), a.id.clone()));
    let mut placed: Vec<(usize, usize, &Annotation, bool)> = Vec::new();
    let mut orphans: Vec<&Annotation> = Vec::new();
    for a in annotations {
        let Some(t) = &a.target else { continue };
        match anchorer.anchor(t) {
            Placement::Exact { range } => placed.push((range.start.0, range.end.0, a, false)),
            Placement::Fuzzy { range, .. } => placed.push((range.start.0, range.end.0, a, true)),
            Placement::Orphan => orphans.push(a),
        }
    }
    placed.sort_by_cached_key(|(s, e, a, _)| (*s, *e, timestamp_key(&a.created), a.id.clone()));
    orphans.sort_by_cached_key(|a| {
        (
            a.target.as_ref().map_or(0, |t| t.position.start.0),
            timestamp_key(&a.created),
            a.id.clone(),
        )
    });
    let highlights = placed.len() + orphans.len();
    if highlights > 0 {
        facts.push(if orphans.is_empty() {
            format!("Highlights: {highlights}")
        } else {
            format!("Highlights: {highlights} ({} orphaned)", orphans.len())
        });
    }
    for f in &facts {
        out.push_str("- ");
        out.push_str(f);
        out.push('\n');
    }
    if !facts.is_empty() {
        out.push('\n');
    }

    if !notes.is_empty() {
        out.push_str("## Article note\n\n");
        for n in &notes {
            push_note_and_tags(&mut out, n, None);
        }
    }
    if !placed.is_empty() {
        out.push_str("## Highlights\n\n");
        for (_, _, a, fuzzy) in &placed {
            push_highlight(
                &mut out,
                a,
                fuzzy.then_some("approximate match, please check"),
            );
        }
    }
    if !orphans.is_empty() {
        out.push_str("## Orphaned highlights\n\n");
        out.push_str("*Not found in the article's current text; kept with their quotes.*\n\n");
        for a in &orphans {
            push_highlight(&mut out, a, Some("orphan"));
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Every article one after another, each under its own H1, separated by a blank line and a
/// rule. O(sum of [`to_markdown`]).
pub fn to_markdown_library(items: &[ArticleExport<'_>]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| to_markdown(i.article, i.meta, i.annotations))
        .collect();
    let mut out = parts.join("\n\n---\n\n");
    out.push('\n');
    out
}

fn push_highlight(out: &mut String, a: &Annotation, status: Option<&str>) {
    let Some(t) = &a.target else { return };
    let exact = &t.quote.exact;
    if exact.trim().is_empty() {
        out.push_str("> *(empty selection)*\n");
    } else {
        for line in exact.split('\n') {
            if line.trim().is_empty() {
                out.push_str(">\n");
            } else {
                out.push_str("> ");
                out.push_str(&escape_quote_line(line));
                out.push('\n');
            }
        }
    }
    out.push('\n');
    push_note_and_tags(out, a, Some(status));
}

/// The colour (highlights only), status, tags and note of one annotation, then a rule.
fn push_note_and_tags(out: &mut String, a: &Annotation, highlight: Option<Option<&str>>) {
    let mut any = false;
    if let Some(status) = highlight {
        out.push_str("- Colour: ");
        out.push_str(a.color.as_str());
        out.push('\n');
        if let Some(s) = status {
            out.push_str("- Status: ");
            out.push_str(s);
            out.push('\n');
        }
        any = true;
    }
    let tags: Vec<String> = a.tags.iter().filter_map(|t| hashtag(t)).collect();
    if !tags.is_empty() {
        out.push_str("- Tags: ");
        out.push_str(&tags.join(" "));
        out.push('\n');
        any = true;
    }
    if any {
        out.push('\n');
    }
    let note = a.note.trim();
    if !note.is_empty() {
        out.push_str(&note.replace("\r\n", "\n"));
        out.push_str("\n\n");
    }
    out.push_str("---\n\n");
}

/// `#tag` for a tag: leading `#`s dropped, whitespace runs → `-`, characters that end a tag in
/// Obsidian/Logseq (`#`, `,`, brackets, quotes…) → `-`. `None` for an empty tag.
fn hashtag(tag: &str) -> Option<String> {
    let body = tag.trim().trim_start_matches('#');
    let mut out = String::from("#");
    let mut dash = false;
    for c in body.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '_' | '-' | '/');
        if keep {
            out.push(c);
            dash = false;
        } else if !dash && out.len() > 1 {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() == 1 {
        return None;
    }
    // A tag made only of digits is not a tag in Obsidian.
    if out[1..].chars().all(|c| c.is_ascii_digit()) {
        out.insert(1, '_');
    }
    Some(out)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes Markdown's inline syntax so the text shows literally.
fn escape_inline(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '=' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// [`escape_inline`] plus what would start a block at the beginning of a line (`#`, `-`, `+`,
/// `1.`), so a quoted line stays a plain quoted line.
fn escape_quote_line(line: &str) -> String {
    let mut s = escape_inline(line.to_owned());
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    let first = trimmed.chars().next();
    if matches!(first, Some('#' | '-' | '+')) {
        s.insert(lead, '\\');
    } else if first.is_some_and(|c| c.is_ascii_digit()) {
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        if matches!(trimmed[digits..].chars().next(), Some('.' | ')')) {
            s.insert(lead + digits, '\\');
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_obsidian_safe() {
        assert_eq!(hashtag("to read").as_deref(), Some("#to-read"));
        assert_eq!(hashtag("#история").as_deref(), Some("#история"));
        assert_eq!(hashtag("a, b").as_deref(), Some("#a-b"));
        assert_eq!(hashtag("2024").as_deref(), Some("#_2024"));
        assert_eq!(hashtag("  #  "), None);
    }

    #[test]
    fn quotes_are_escaped_so_they_stay_text() {
        assert_eq!(escape_quote_line("# not a heading"), "\\# not a heading");
        assert_eq!(escape_quote_line("1. not a list"), "1\\. not a list");
        assert_eq!(escape_quote_line("a *b* [c]"), "a \\*b\\* \\[c\\]");
        assert_eq!(escape_quote_line("- dash"), "\\- dash");
    }
}
