//! "Publish": an annotated article as **one self-contained HTML file** to share — the article
//! with its highlights painted as `<mark>`s, each note beside its highlight (in the margin on
//! wide screens, under the highlight on narrow ones and in print), the article note, the
//! highlights no longer found in the text, the source link and the date.
//!
//! The file has no script, loads nothing (no images, fonts, stylesheets or frames: one inline
//! `<style>`), and says so to the browser too: a Content-Security-Policy `<meta>` allows
//! nothing but that inline style. Every character of the article, the notes and the tags is
//! escaped; notes are the reader's Markdown rendered through the same safe tree as in the app
//! ([`crate::note_markup::parse_note`]: no raw HTML, links only http(s) and mailto), as phrasing
//! elements, so a note can sit inside the paragraph right after its highlight.
//!
//! Highlights are placed by the anchoring engine on the article's text ([`crate::anchor`]), as
//! the reader places them: exact and approximate placements are painted (approximate ones with
//! a dotted underline), orphans are listed at the end with their quotes. Overlapping highlights
//! are cut into runs ([`crate::segments`]); a run is painted in the newest covering highlight's
//! colour and lists every covering highlight's number in `data-h`.

use crate::anchor::{Anchorer, Placement};
use crate::annotation::{Annotation, Color};
use crate::annotations_doc::timestamp_key;
use crate::article::{Article, BlockKind, MarkKind};
use crate::export::jsonld::color_css;
use crate::i18n::Lang;
use crate::library::ArticleMeta;
use crate::note_markup::{parse_note, safe_href, Inline, MdBlock};
use crate::render::{close_mark, escape_attr, escape_text, open_mark};
use crate::segments::segments;
use crate::text::ByteOffset;

/// One highlight as the published page numbers it.
struct Numbered<'a> {
    /// 1, 2, … in document order.
    n: usize,
    a: &'a Annotation,
    /// Bytes of the article's text.
    range: std::ops::Range<ByteOffset>,
    approximate: bool,
}

/// The published page for `article` with its `annotations` (any order; article notes and
/// highlights), its library entry `meta` (the date it was added), made at `now` (ISO 8601),
/// its surrounding words in the interface language `lang`. Pure; O(text + k log k) plus
/// anchoring for k highlights.
pub fn publish_html(
    article: &Article,
    meta: Option<&ArticleMeta>,
    annotations: &[Annotation],
    now: &str,
    lang: Lang,
) -> String {
    let t = lang.nb();
    let text = article.article_text();
    let anchorer = Anchorer::new(text.as_str());
    let mut placed: Vec<(std::ops::Range<ByteOffset>, bool, &Annotation)> = Vec::new();
    let mut orphans: Vec<&Annotation> = Vec::new();
    for a in annotations {
        let Some(target) = &a.target else { continue };
        match anchorer.anchor(target) {
            Placement::Exact { range } => placed.push((range, false, a)),
            Placement::Fuzzy { range, .. } => placed.push((range, true, a)),
            Placement::Orphan => orphans.push(a),
        }
    }
    placed.sort_by_cached_key(|(r, _, a)| (r.start, r.end, timestamp_key(&a.created)));
    let numbered: Vec<Numbered<'_>> = placed
        .into_iter()
        .enumerate()
        .map(|(i, (range, approximate, a))| Numbered {
            n: i + 1,
            a,
            range,
            approximate,
        })
        .collect();
    orphans.sort_by_cached_key(|a| timestamp_key(&a.created));
    let mut notes: Vec<&Annotation> = annotations
        .iter()
        .filter(|a| a.target.is_none() && !a.note.trim().is_empty())
        .collect();
    notes.sort_by_cached_key(|a| timestamp_key(&a.created));

    let mut out = String::with_capacity(text.as_str().len() * 2 + 8192);
    out.push_str("<!doctype html>\n<html lang=\"");
    escape_attr(&mut out, &article.lang);
    out.push_str("\" dir=\"");
    out.push_str(article.dir.as_str());
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may load or run, whatever a browser makes of the rest.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    out.push_str("<meta name=\"generator\" content=\"Lectern\">\n<title>");
    escape_text(&mut out, &article.title);
    out.push_str("</title>\n<style>\n");
    out.push_str(&stylesheet());
    out.push_str("</style>\n</head>\n<body>\n<main class=\"page\">\n<header class=\"head\">\n<h1>");
    escape_text(&mut out, &article.title);
    out.push_str("</h1>\n");
    push_facts(&mut out, article, meta, lang);
    out.push_str("<p class=\"made\" lang=\"");
    out.push_str(lang.code());
    out.push_str("\">");
    escape_text(&mut out, t.published_from);
    out.push_str(" · <time datetime=\"");
    escape_attr(&mut out, now);
    out.push_str("\">");
    escape_text(&mut out, now.get(..10).unwrap_or(now));
    out.push_str("</time> · ");
    escape_text(
        &mut out,
        &format!(
            "{} {}",
            numbered.len() + orphans.len(),
            lang.strings().highlights_count
        ),
    );
    out.push_str("</p>\n</header>\n");

    if !notes.is_empty() {
        out.push_str("<section class=\"article-note\" lang=\"");
        out.push_str(lang.code());
        out.push_str("\">\n<h2>");
        escape_text(&mut out, t.pub_article_note);
        out.push_str("</h2>\n");
        for a in notes {
            out.push_str("<div class=\"note note--article\" dir=\"auto\">");
            push_note(&mut out, a);
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
    }

    out.push_str("<div class=\"body\">\n");
    for bi in 0..text.block_count() {
        push_block(&mut out, article, &text, bi, &numbered);
    }
    out.push_str("</div>\n");

    if !orphans.is_empty() {
        out.push_str("<section class=\"orphans\">\n<h2 lang=\"");
        out.push_str(lang.code());
        out.push_str("\">");
        escape_text(&mut out, t.pub_orphans);
        out.push_str("</h2>\n<ol>\n");
        for a in orphans {
            let quote = a.target.as_ref().map_or("", |t| t.quote.exact.as_str());
            out.push_str("<li><blockquote><mark class=\"hl hl-");
            out.push_str(a.color.as_str());
            out.push_str("\" data-color=\"");
            out.push_str(a.color.as_str());
            out.push_str("\" data-orphan=\"\">");
            escape_text(&mut out, quote);
            out.push_str("</mark></blockquote>");
            if has_note_or_tags(a) {
                out.push_str("<span class=\"note note--orphan\" dir=\"auto\">");
                push_note(&mut out, a);
                out.push_str("</span>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    }

    if let Some(source) = &article.source {
        out.push_str("<footer class=\"source\"><span>");
        escape_text(&mut out, &source.label);
        out.push_str(":</span> ");
        push_source_link(&mut out, &source.name, source.url.as_deref());
        out.push_str("</footer>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The line under the title: source, author, site, publication date, when it was added.
fn push_facts(out: &mut String, article: &Article, meta: Option<&ArticleMeta>, lang: Lang) {
    let mut facts: Vec<String> = Vec::new();
    if let Some(source) = &article.source {
        let mut s = String::new();
        escape_text(&mut s, lang.nb().pub_source);
        s.push_str(": ");
        push_source_link(&mut s, &source.name, source.url.as_deref());
        facts.push(s);
    }
    for v in [&article.byline, &article.site_name, &article.published]
        .into_iter()
        .flatten()
    {
        let mut s = String::new();
        escape_text(&mut s, v);
        facts.push(s);
    }
    if let Some(m) = meta.filter(|m| !m.added.is_empty()) {
        let mut s = String::new();
        escape_text(
            &mut s,
            &format!(
                "{} {}",
                lang.strings().added,
                m.added.get(..10).unwrap_or(&m.added)
            ),
        );
        facts.push(s);
    }
    if !facts.is_empty() {
        out.push_str("<p class=\"facts\">");
        out.push_str(&facts.join(" · "));
        out.push_str("</p>\n");
    }
}

/// A link to the source when its URL is http(s) (the link is not loaded: it is a link), else
/// its name as text.
fn push_source_link(out: &mut String, name: &str, url: Option<&str>) {
    match url.and_then(safe_href) {
        Some(url) => {
            out.push_str("<a href=\"");
            escape_attr(out, &url);
            out.push_str("\" rel=\"noopener noreferrer nofollow\">");
            escape_text(out, name);
            out.push_str("</a>");
        }
        None => escape_text(out, name),
    }
}

fn has_note_or_tags(a: &Annotation) -> bool {
    !a.note.trim().is_empty() || a.tags.iter().any(|t| !t.trim().is_empty())
}

/// One block: its text cut where the article's own marks (emphasis, links) and the highlights
/// start and end; each piece inside its marks, a highlighted piece inside a `<mark>`; after the
/// piece where a highlight with a note ends, its number and its note.
fn push_block(
    out: &mut String,
    article: &Article,
    text: &crate::text::ArticleText,
    bi: usize,
    numbered: &[Numbered<'_>],
) {
    let block = &article.blocks[bi];
    let block_text = text.block_text(bi);
    let local: Vec<(usize, std::ops::Range<ByteOffset>)> = numbered
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((i, text.clip_to_block(&h.range, bi)?)))
        .collect();
    // Highlight runs, then cut again where the article's marks start or end.
    let mut cuts: Vec<usize> = block
        .marks
        .iter()
        .flat_map(|m| [m.start, m.end])
        .filter(|&c| c > 0 && c < block_text.len() && block_text.is_char_boundary(c))
        .collect();
    let segs = segments(block_text, &local);
    cuts.extend(segs.iter().map(|s| s.range.end.0));
    cuts.push(block_text.len());
    cuts.sort_unstable();
    cuts.dedup();
    // Where each highlight of this block ends inside it (its note goes there), if it ends here.
    let ends_here: Vec<(usize, usize)> = local
        .iter()
        .filter(|(i, r)| {
            let whole = &numbered[*i].range;
            text.block_range(bi).start.0 + r.end.0 == whole.end.0
        })
        .map(|(i, r)| (r.end.0, *i))
        .collect();

    let (tag, attrs) = block_tag(&block.kind);
    out.push('<');
    out.push_str(&tag);
    out.push_str(&attrs);
    out.push('>');
    let mut from = 0;
    let mut seg = 0;
    let mut below: Vec<usize> = Vec::new();
    for to in cuts {
        if from >= to {
            continue;
        }
        while seg < segs.len() && segs[seg].range.end.0 <= from {
            seg += 1;
        }
        let covering: &[usize] = segs
            .get(seg)
            .filter(|s| s.range.start.0 <= from && s.range.end.0 >= to)
            .map_or(&[], |s| s.ids.as_slice());
        let marks: Vec<&MarkKind> = block
            .marks
            .iter()
            .filter(|m| m.start <= from && m.end >= to)
            .map(|m| &m.kind)
            .collect();
        for m in &marks {
            open_mark(out, m);
        }
        // The newest covering highlight paints the run (as in the reader).
        let top = covering
            .iter()
            .max_by_key(|&&i| (timestamp_key(&numbered[i].a.created), numbered[i].n));
        match top {
            Some(&top) => {
                let h = &numbered[top];
                out.push_str("<mark class=\"hl hl-");
                out.push_str(h.a.color.as_str());
                let under = covering
                    .iter()
                    .map(|&i| numbered[i].a.color)
                    .find(|&c| c != h.a.color);
                if let Some(c) = under {
                    out.push_str(" under-");
                    out.push_str(c.as_str());
                }
                if covering.iter().any(|&i| numbered[i].approximate) {
                    out.push_str(" approx");
                }
                out.push_str("\" data-color=\"");
                out.push_str(h.a.color.as_str());
                out.push_str("\" data-h=\"");
                let ns: Vec<String> = covering
                    .iter()
                    .map(|&i| numbered[i].n.to_string())
                    .collect();
                out.push_str(&ns.join(" "));
                out.push_str("\">");
                escape_text(out, &block_text[from..to]);
                out.push_str("</mark>");
            }
            None => escape_text(out, &block_text[from..to]),
        }
        for m in marks.iter().rev() {
            close_mark(out, m);
        }
        for &(_, i) in ends_here.iter().filter(|(end, _)| *end == to) {
            let h = &numbered[i];
            if !has_note_or_tags(h.a) {
                continue;
            }
            // The number after the highlight, and the note floated into the margin (shown on
            // wide screens only).
            out.push_str(&format!(
                "<sup class=\"ref\">{0}</sup><span class=\"note note--side note-{1}\" data-note=\"{0}\" dir=\"auto\"><span class=\"note__n\">{0}</span> ",
                h.n,
                h.a.color.as_str(),
            ));
            push_note(out, h.a);
            out.push_str("</span>");
            below.push(i);
        }
        from = to;
    }
    out.push_str("</");
    out.push_str(&tag);
    out.push_str(">\n");
    // The same notes under the paragraph (shown on narrow screens and in print): under the
    // highlight without cutting its sentence in two.
    for i in below {
        let h = &numbered[i];
        out.push_str(&format!(
            "<aside class=\"note note--below note-{1}\" id=\"note-{0}\" data-note=\"{0}\" dir=\"auto\"><span class=\"note__n\">{0}</span> ",
            h.n,
            h.a.color.as_str(),
        ));
        push_note(out, h.a);
        out.push_str("</aside>\n");
    }
}

/// The element a block is published as (the reader's choice, without its `data-block`).
fn block_tag(kind: &BlockKind) -> (String, String) {
    match kind {
        BlockKind::Lead => ("p".into(), " class=\"lead\"".into()),
        BlockKind::Paragraph => ("p".into(), String::new()),
        BlockKind::Heading(level) => (format!("h{}", level.clamp(&2, &6)), String::new()),
        BlockKind::ListItem {
            ordered,
            number,
            depth,
        } => {
            let marker = if *ordered {
                format!("{number}.")
            } else {
                "•".to_owned()
            };
            (
                "p".into(),
                format!(
                    " class=\"li\" data-marker=\"{marker}\" style=\"margin-left:{}em\"",
                    1.5 * f64::from((*depth).min(6) + 1)
                ),
            )
        }
        BlockKind::Quote => ("blockquote".into(), String::new()),
        BlockKind::Code => ("pre".into(), String::new()),
        BlockKind::TableRow { header } => (
            "p".into(),
            if *header {
                " class=\"row row--head\"".into()
            } else {
                " class=\"row\"".into()
            },
        ),
        BlockKind::Figure => ("p".into(), " class=\"figure\"".into()),
    }
}

/// An annotation's note (Markdown, as phrasing elements) and its tags.
fn push_note(out: &mut String, a: &Annotation) {
    let note = a.note.trim();
    if !note.is_empty() {
        for b in parse_note(note) {
            push_md_block(out, &b);
        }
    }
    let tags: Vec<&str> = a
        .tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if !tags.is_empty() {
        out.push_str("<span class=\"tags\">");
        for (i, tag) in tags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str("<span class=\"tag\">#");
            escape_text(out, tag.trim_start_matches('#'));
            out.push_str("</span>");
        }
        out.push_str("</span>");
    }
}

fn push_md_block(out: &mut String, b: &MdBlock) {
    match b {
        MdBlock::Paragraph(inl) => {
            out.push_str("<span class=\"p\">");
            push_inlines(out, inl);
            out.push_str("</span>");
        }
        MdBlock::Heading { content, .. } => {
            out.push_str("<span class=\"p\"><strong>");
            push_inlines(out, content);
            out.push_str("</strong></span>");
        }
        MdBlock::List {
            ordered,
            start,
            items,
        } => {
            for (i, item) in items.iter().enumerate() {
                out.push_str("<span class=\"p li-n\">");
                if *ordered {
                    out.push_str(&format!("{}. ", u64::from(*start) + i as u64));
                } else {
                    out.push_str("• ");
                }
                push_inlines(out, item);
                out.push_str("</span>");
            }
        }
        MdBlock::Quote(inner) => {
            out.push_str("<span class=\"p q\">");
            for b in inner {
                push_md_block(out, b);
            }
            out.push_str("</span>");
        }
        MdBlock::Code(code) => {
            out.push_str("<code class=\"p pre\">");
            escape_text(out, code);
            out.push_str("</code>");
        }
        MdBlock::Rule => out.push_str("<span class=\"p hr\"></span>"),
    }
}

fn push_inlines(out: &mut String, list: &[Inline]) {
    for i in list {
        match i {
            Inline::Text(t) => escape_text(out, t),
            Inline::Strong(c) => {
                out.push_str("<strong>");
                push_inlines(out, c);
                out.push_str("</strong>");
            }
            Inline::Emph(c) => {
                out.push_str("<em>");
                push_inlines(out, c);
                out.push_str("</em>");
            }
            Inline::Code(c) => {
                out.push_str("<code>");
                escape_text(out, c);
                out.push_str("</code>");
            }
            Inline::Link { href, children } => match safe_href(href) {
                Some(href) => {
                    out.push_str("<a href=\"");
                    escape_attr(out, &href);
                    out.push_str("\" rel=\"noopener noreferrer nofollow\">");
                    push_inlines(out, children);
                    out.push_str("</a>");
                }
                None => push_inlines(out, children),
            },
            Inline::LineBreak => out.push_str("<br>"),
        }
    }
}

/// The page's one stylesheet: reading typography, the highlight colours (the same as the
/// JSON-LD export's `styleClass`es), notes in the margin from 72rem up and under their
/// highlight below that, a dark scheme, and print.
fn stylesheet() -> String {
    let mut css = String::from(
        r#":root{color-scheme:light dark;--bg:#fbfaf7;--fg:#1f1d1a;--muted:#6b665e;--rule:#ddd8cf;--note-bg:#f3efe7;--link:#1d5fa8}
@media (prefers-color-scheme:dark){:root{--bg:#1b1b1f;--fg:#e8e4dc;--muted:#a39d93;--rule:#3a3a40;--note-bg:#26262c;--link:#8ab8ef}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1.1875rem/1.65 Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,"Times New Roman",serif;font-kerning:normal;hyphens:auto;overflow-wrap:break-word}
.page{max-width:40rem;margin:0 auto;padding:2.5rem 1.25rem 4rem}
.head h1{font-size:2rem;line-height:1.2;margin:0 0 .75rem;text-wrap:balance}
.facts,.made{margin:.25rem 0;color:var(--muted);font:.875rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.made{margin-bottom:2rem;padding-bottom:1.25rem;border-bottom:1px solid var(--rule)}
.made time{white-space:nowrap}
a{color:var(--link)}
h2{font:600 1.125rem/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2.5rem 0 .75rem}
.body p,.body blockquote,.body pre{margin:0 0 1.1em}
.body .lead{font-size:1.125em;color:var(--fg)}
.body blockquote{margin-left:0;padding-left:1em;border-left:3px solid var(--rule);font-style:italic}
.body pre{white-space:pre-wrap;font:.9em/1.5 ui-monospace,Menlo,Consolas,monospace}
.li::before{content:attr(data-marker);display:inline-block;min-width:1.5em;margin-left:-1.5em}
.row{font-family:system-ui,sans-serif;font-size:.9em;border-bottom:1px solid var(--rule);margin:0;padding:.25em 0}
.row--head{font-weight:600}
mark.hl{color:inherit;border-radius:.15em;padding:.05em 0;-webkit-box-decoration-break:clone;box-decoration-break:clone;-webkit-print-color-adjust:exact;print-color-adjust:exact}
mark.approx{text-decoration:underline dotted;text-underline-offset:.2em}
.ref{font:600 .7rem/0 system-ui,sans-serif;vertical-align:super;margin-left:.1em}
.ref a{text-decoration:none;padding:0 .15em}
.note{display:block;margin:.45rem 0 .9rem;padding:.55rem .8rem;background:var(--note-bg);border-left:4px solid var(--c,var(--rule));border-radius:0 .35rem .35rem 0;font:.9375rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-style:normal;hyphens:manual;text-indent:0}
.note--below{margin:-.45rem 0 1.2rem}
.note--side{display:none}
.note .p{display:block;margin:0 0 .35em}
.note .p:last-child{margin-bottom:0}
.note .q{padding-left:.75em;border-left:2px solid var(--rule);color:var(--muted)}
.note .pre{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace}
.note .hr{border-top:1px solid var(--rule);height:0}
.note__n{float:left;margin-right:.4em;font-weight:700;text-decoration:none;color:var(--muted)}
.tags{display:block;color:var(--muted);font-size:.875em;margin-top:.25em}
.tag{margin-right:.5em}
.article-note{margin:0 0 2rem}
.note--article{border-left-color:var(--muted)}
.orphans ol{padding-left:1.25em}
.orphans blockquote{margin:0 0 .5em}
.source{margin-top:2.5rem;padding-top:1rem;border-top:1px solid var(--rule);color:var(--muted);font:.875rem/1.5 system-ui,sans-serif}
@media (min-width:72rem){
.page{max-width:62rem;padding-right:1.5rem}
.head,.body,.article-note,.orphans,.source{max-width:40rem}
.body .note--side{display:block;float:right;clear:right;width:17rem;margin:.2rem -20rem .75rem 0;position:relative}
.body .note--below{display:none}
}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--note-bg:#f4f4f4;--link:#000}
body{font-size:11pt;line-height:1.45}
.page{max-width:none;padding:0}
.head,.body,.article-note,.orphans,.source{max-width:none}
.body .note--side{display:none}
.body .note--below{display:block;margin:-.2em 0 .8em 1.5em;break-inside:avoid}
.source a::after,.facts a::after{content:" (" attr(href) ")";font-size:.85em}
h2{break-after:avoid}
}
"#,
    );
    for c in Color::ALL {
        let name = c.as_str();
        css.push_str(&format!(
            ".hl-{name}{{{}}}\n.under-{name}{{text-decoration:underline 2px {};text-underline-offset:.25em}}\n.note-{name}{{--c:{}}}\n",
            color_css(c),
            solid(c),
            solid(c)
        ));
    }
    css
}

/// A colour at full strength (underlines, the note's border).
fn solid(c: Color) -> &'static str {
    match c {
        Color::Yellow => "#e0b400",
        Color::Green => "#2f9e55",
        Color::Blue => "#2f7fd8",
        Color::Pink => "#d9447f",
        Color::Purple => "#9150c0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::{Target, TextPositionSelector, TextQuoteSelector};
    use crate::library::seed_article;
    use crate::text::CodePointOffset;

    const NOW: &str = "2026-12-01T10:00:00.000Z";

    fn highlight(article: &Article, id: &str, quote: &str, color: Color, note: &str) -> Annotation {
        let text = article.text();
        let start = text.find(quote).expect("quote in the text");
        let target =
            crate::anchor::describe(&text, ByteOffset(start)..ByteOffset(start + quote.len()))
                .unwrap();
        Annotation {
            id: id.into(),
            article_id: article.id.clone(),
            target: Some(target),
            color,
            note: note.into(),
            tags: vec![],
            created: NOW.into(),
            modified: NOW.into(),
        }
    }

    fn sample() -> (Article, Vec<Annotation>) {
        let a = seed_article();
        let mut list = vec![
            highlight(
                &a,
                "h1",
                "Россия и Азербайджан сохраняют активный диалог",
                Color::Yellow,
                "Главная мысль **лида**",
            ),
            highlight(&a, "h2", "Михаил Галузин", Color::Green, ""),
            highlight(&a, "h3", "ЗРК Patriot", Color::Pink, "- первое\n- второе"),
            highlight(
                &a,
                "h4",
                "активный диалог на высоком",
                Color::Blue,
                "Перекрывает первое",
            ),
            highlight(&a, "h5", "Только совместными усилиями", Color::Green, ""),
        ];
        list[1].tags = vec!["люди".into(), "мид".into()];
        list.push(Annotation {
            id: "note".into(),
            article_id: a.id.clone(),
            target: None,
            color: Color::Yellow,
            note: "О статье целиком".into(),
            tags: vec![],
            created: NOW.into(),
            modified: NOW.into(),
        });
        // An orphan: its quote is not in the text.
        list.push(Annotation {
            id: "gone".into(),
            article_id: a.id.clone(),
            target: Some(Target {
                quote: TextQuoteSelector {
                    exact: "этих слов нет в статье вовсе".into(),
                    prefix: String::new(),
                    suffix: String::new(),
                },
                position: TextPositionSelector {
                    start: CodePointOffset(5),
                    end: CodePointOffset(33),
                },
                text_hash: "fnv1a64:0".into(),
            }),
            color: Color::Purple,
            note: "Заметка сироты".into(),
            tags: vec![],
            created: NOW.into(),
            modified: NOW.into(),
        });
        (a, list)
    }

    /// What a browser fetches or runs: none of it may appear in the markup (text is escaped,
    /// so every `<` starts a tag).
    fn assert_inert(html: &str) {
        let lower = html.to_lowercase();
        let style = lower
            .split("<style>")
            .nth(1)
            .unwrap()
            .split("</style>")
            .next()
            .unwrap();
        assert!(
            !style.contains("url(") && !style.contains("@import"),
            "the style loads nothing"
        );
        let tags: Vec<&str> = lower
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
            .filter(|t| !t.starts_with('/') && !t.starts_with('!'))
            .collect();
        for tag in &tags {
            let name = tag.split_whitespace().next().unwrap_or("");
            assert!(
                ![
                    "script", "link", "img", "iframe", "object", "embed", "video", "audio",
                    "source", "svg", "math", "base", "form", "input", "frame", "picture"
                ]
                .contains(&name),
                "<{tag}>"
            );
            let attrs = tag.split_whitespace().skip(1);
            for a in attrs {
                assert!(!a.starts_with("on"), "event handler in <{tag}>");
                assert!(!a.starts_with("src") && !a.starts_with("srcset"), "<{tag}>");
                assert!(!a.starts_with("http-equiv=\"refresh"), "<{tag}>");
            }
            assert!(!tag.contains("javascript:"), "<{tag}>");
            // Every link is in-page or a plain link out (never loaded).
            if let Some(url) = tag
                .split("href=\"")
                .nth(1)
                .and_then(|u| u.split('"').next())
            {
                assert!(
                    url.starts_with('#')
                        || url.starts_with("https://")
                        || url.starts_with("http://")
                        || url.starts_with("mailto:"),
                    "{url}"
                );
            }
            assert!(
                !tag.contains("style=\"") || !tag.contains("url("),
                "<{tag}>"
            );
        }
    }

    #[test]
    fn the_page_holds_every_highlight_and_note_and_nothing_that_runs_or_loads() {
        let (a, list) = sample();
        let html = publish_html(&a, None, &list, NOW, Lang::En);
        assert_inert(&html);
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'"));
        // Four placed highlights, numbered in document order; each painted in its colour.
        for (n, color) in [(1, "yellow"), (2, "blue"), (3, "green"), (4, "pink")] {
            let marked = html
                .split("<mark ")
                .skip(1)
                .filter_map(|m| m.split('>').next()?.split("data-h=\"").nth(1))
                .filter(|h| {
                    let h = h.split('"').next().unwrap();
                    h.split(' ').any(|x| x == n.to_string())
                })
                .count();
            assert!(marked >= 1, "highlight {n} is painted");
            assert!(html.contains(&format!("class=\"hl hl-{color}")), "{color}");
        }
        // The overlap: of two highlights made at the same time, the later one in the text is
        // drawn over the other; both numbers are on the shared run.
        assert!(html.contains("data-h=\"1 2\""), "{html}");
        // The whole quote of each highlight is in the marks, in order.
        let marks_text: String = html
            .split("<mark ")
            .skip(1)
            .map(|m| m.split('>').nth(1).unwrap().split("</mark").next().unwrap())
            .collect();
        assert!(marks_text.contains("Михаил Галузин"));
        assert!(marks_text.contains("ЗРК Patriot"));
        // Notes, rendered from Markdown (bold, a list), tags, the article note, the orphan.
        assert!(html.contains("Главная мысль <strong>лида</strong>"));
        assert!(html.contains("• первое</span><span class=\"p li-n\">• второе"));
        assert!(html.contains("<span class=\"tag\">#люди</span> <span class=\"tag\">#мид</span>"));
        assert!(html.contains("О статье целиком"));
        assert!(html.contains("этих слов нет в статье вовсе"));
        assert!(html.contains("Заметка сироты"));
        // Each note with its number: in the margin beside its highlight (wide screens) and
        // under its paragraph (narrow screens, print).
        assert!(html.contains(
            "<sup class=\"ref\">1</sup><span class=\"note note--side note-yellow\" data-note=\"1\""
        ));
        assert!(html.contains(
            "<aside class=\"note note--below note-yellow\" id=\"note-1\" data-note=\"1\""
        ));
        for n in 1..=4 {
            assert!(html.contains(&format!("id=\"note-{n}\"")), "note {n}");
        }
        assert!(
            !html.contains("id=\"note-5\""),
            "no note, no tags: no number"
        );
        // The source as a link, the date.
        assert!(html.contains(
            "<a href=\"https://ria.ru\" rel=\"noopener noreferrer nofollow\">ria.ru</a>"
        ));
        assert!(html.contains("<time datetime=\"2026-12-01T10:00:00.000Z\">2026-12-01</time>"));
        // The article's text is all there (every block).
        for b in &a.blocks {
            let first_words: String = b.text.chars().take(20).collect();
            assert!(html.contains(&first_words), "{first_words}");
        }
        // Wide screens: notes in the margin; print: notes inline.
        assert!(html.contains("@media (min-width:72rem)"));
        assert!(html.contains("@media print"));
    }

    #[test]
    fn hostile_notes_quotes_titles_and_tags_stay_text() {
        let mut a = crate::article::Article::from_lines(
            "x",
            "</title><script>alert(1)</script>",
            "Текст <script>alert(2)</script> и \"кавычки\" & <img src=x onerror=alert(3)>.\nВторой абзац.",
        );
        a.source = Some(crate::article::Source {
            label: "Source".into(),
            name: "<b>evil</b>".into(),
            url: Some("javascript:alert(4)".into()),
        });
        let mut h = highlight(&a, "h", "<script>alert(2)</script>", Color::Pink, "");
        h.note = "</span></p><script>alert(5)</script> <img src=x onerror=alert(6)> [x](javascript:alert(7)) [ok](https://example.org/\"onmouseover=\"alert(8))".into();
        h.tags = vec!["<svg onload=alert(9)>".into()];
        let html = publish_html(&a, None, &[h], NOW, Lang::Ru);
        assert_inert(&html);
        assert!(html.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;</mark>"));
        assert!(html.contains("&lt;img src=x onerror=alert(6)&gt;"));
        assert!(html.contains("#&lt;svg onload=alert(9)&gt;"));
        assert!(html.contains("&amp; &lt;img src=x onerror=alert(3)&gt;"));
        assert!(
            !html.contains("javascript"),
            "a javascript: link is no link"
        );
        // An attribute cannot be broken out of.
        assert!(html.contains("href=\"https://example.org/&quot;onmouseover=&quot;alert(8)\""));
    }

    #[test]
    fn nothing_highlighted_is_the_article_alone() {
        let a = seed_article();
        let html = publish_html(&a, None, &[], NOW, Lang::Ru);
        assert_inert(&html);
        assert!(!html.contains("<mark"));
        assert!(html.contains("<p class=\"lead\">"));
        assert!(html.contains("0 выделений"));
    }
}
