//! The article's body as HTML, built in one pass and handed to the browser's parser in one
//! piece: for a 1 MB article (1,100 paragraphs) this costs about what the static page costs,
//! where building the same elements one by one through a virtual DOM costs twice that. The
//! body never changes while the article is open (highlights are painted over it), so nothing
//! is lost by not diffing it.
//!
//! Every character of text is escaped; the only attributes are the block index, classes, a
//! list marker and depth, and link targets that pass [`safe_href`] again (a stored article
//! may have been edited by hand). Each block's `textContent` is exactly [`Block::text`], the
//! text that selections and highlights count in.
//!
//! An article's images ([`crate::article::Image`]) are placeholders between the blocks
//! (`<figure class="image">`, no `data-block`, no text), their addresses in `data-src`: nothing
//! here loads them. The app puts an `<img>` in a placeholder when the reader asks for images
//! (`lectern_dom::images`).

use crate::article::{is_image_url, Article, Block, BlockKind, Image, Mark, MarkKind};
use crate::i18n::Lang;
use crate::note_markup::safe_href;

/// The reader's whole `<article>` as the `Reader` component renders it (title, meta line in
/// the interface language `lang`, body, source line), for the first paint before the app's
/// interface has loaded (`crates/lectern-boot`). The app then takes the body element over
/// instead of building it again, so the two must not differ: an end-to-end test compares
/// them. `data-article` and `data-bytes` on the body say which article it is.
pub fn reader_html(article: &Article, lang: Lang) -> String {
    let body = body_html(article);
    let time = article.reading_time();
    let meta = format!(
        "{} · {}",
        lang.words(article.word_count()),
        lang.reading_time(time.min_minutes, time.max_minutes)
    );
    let mut out = String::with_capacity(body.len() + 1024);
    let bytes = body_bytes(article);
    out.push_str(if bytes > LONG_BYTES {
        "<article id=\"article\" class=\"reader reader--long\" lang=\""
    } else {
        "<article id=\"article\" class=\"reader\" lang=\""
    });
    escape_attr(&mut out, &article.lang);
    out.push_str("\" dir=\"");
    out.push_str(article.dir.as_str());
    out.push_str(
        "\" tabindex=\"-1\"><header class=\"reader__header\"><h1 class=\"reader__title\">",
    );
    escape_text(&mut out, &article.title);
    out.push_str("</h1><p class=\"reader__meta\" lang=\"");
    out.push_str(lang.code());
    out.push_str("\" dir=\"auto\">");
    escape_text(&mut out, &meta);
    out.push_str("</p></header><div class=\"reader__body\" data-article=\"");
    escape_attr(&mut out, &article.id);
    out.push_str(&format!("\" data-bytes=\"{bytes}\">"));
    out.push_str(&body);
    out.push_str("</div><p class=\"visually-hidden\" aria-live=\"polite\" data-cursor=\"\"></p>");
    if let Some(source) = &article.source {
        out.push_str("<footer class=\"reader__source\"><span class=\"reader__source-label\">");
        escape_text(&mut out, source_label(&source.label, lang));
        out.push_str(":</span> ");
        match source.url.as_deref().and_then(safe_href) {
            Some(url) => {
                out.push_str("<a href=\"");
                escape_attr(&mut out, &url);
                out.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
                escape_text(&mut out, &source.name);
                out.push_str("</a>");
            }
            None => {
                out.push_str("<span>");
                escape_text(&mut out, &source.name);
                out.push_str("</span>");
            }
        }
        out.push_str("</footer>");
    }
    // Where the app puts its "finished" and "archive" buttons: the same space, so nothing
    // moves when the app takes over.
    out.push_str("<div class=\"reader__end\"></div></article>");
    out
}

/// Block text bytes above which an article is long: the reader then lays out and paints only
/// the blocks near the screen (`.reader--long` in `styles/reader.css`).
pub const LONG_BYTES: usize = 100_000;

/// Whether the reader treats `article` as long (see [`LONG_BYTES`]).
pub fn is_long(article: &Article) -> bool {
    body_bytes(article) > LONG_BYTES
}

/// The bytes of the article's block texts: with its id, what tells the app that a body
/// rendered by [`reader_html`] is the article it is about to render (articles are never
/// edited in place, so a different article under the same id is a different import).
pub fn body_bytes(article: &Article) -> usize {
    article.blocks.iter().map(|b| b.text.len()).sum()
}

/// The HTML of every block, in order, each with `data-block="<index>"`, and the article's
/// image placeholders between them.
pub fn body_html(article: &Article) -> String {
    let mut out = String::with_capacity(article.blocks.iter().map(|b| b.text.len() + 40).sum());
    let mut images: Vec<(usize, &Image)> = article.images.iter().enumerate().collect();
    images.sort_by_key(|(_, im)| im.at);
    let mut next = images.into_iter().peekable();
    for (i, b) in article.blocks.iter().enumerate() {
        while let Some((k, im)) = next.next_if(|(_, im)| im.at <= i) {
            image_html(&mut out, k, im, article);
            out.push('\n');
        }
        block_html(&mut out, i, b);
        out.push('\n');
    }
    for (k, im) in next {
        image_html(&mut out, k, im, article);
        out.push('\n');
    }
    out
}

// --- images (issue 16) ---

/// What the source line is labelled: the label the article gives, else "Source" in the
/// interface's language (a web page's address has no label of its own).
pub fn source_label(label: &str, lang: Lang) -> &str {
    if label.is_empty() {
        lang.strings().source
    } else {
        label
    }
}

/// A placeholder for image `k` of `article`: its address, alternative text and size as data
/// attributes, and the address's host in a box; no `<img>`, so nothing loads. An address
/// that is not `https:` (a hand-edited store) gives nothing.
fn image_html(out: &mut String, k: usize, im: &Image, article: &Article) {
    if !is_image_url(&im.url) {
        return;
    }
    // The alternative text is read out once: as the text block below the image when it is
    // that block's text (as imported), else by the image itself.
    let alt_below = article
        .blocks
        .get(im.at)
        .is_some_and(|b| b.kind == BlockKind::Figure && b.text == im.alt);
    let host = crate::web::url::display_host(&im.url).unwrap_or_default();
    out.push_str(&format!(
        "<figure class=\"image\" data-image=\"{k}\" data-src=\""
    ));
    escape_attr(out, &im.url);
    out.push_str("\" data-alt=\"");
    if !alt_below {
        escape_attr(out, &im.alt);
    }
    out.push('"');
    if let (Some(w), Some(h)) = (im.width, im.height) {
        out.push_str(&format!(" data-width=\"{w}\" data-height=\"{h}\""));
    }
    out.push_str(
        "><span class=\"image__placeholder\" aria-hidden=\"true\"><span class=\"image__host\">",
    );
    escape_text(out, &host);
    out.push_str("</span></span></figure>");
}

fn block_html(out: &mut String, index: usize, b: &Block) {
    let (tag, attrs): (String, String) = match b.kind {
        BlockKind::Lead => ("p".into(), " class=\"lead\"".into()),
        BlockKind::Paragraph => ("p".into(), String::new()),
        BlockKind::Heading(level) => (format!("h{}", level.clamp(2, 6)), String::new()),
        BlockKind::ListItem {
            ordered,
            number,
            depth,
        } => {
            // The marker is CSS generated content, so it is not part of the text that
            // selections and highlights count.
            let marker = if ordered {
                format!("{number}.")
            } else {
                "•".to_owned()
            };
            (
                "p".into(),
                format!(
                    " class=\"list-item\" data-marker=\"{marker}\" style=\"--depth:{}\"",
                    depth.min(6)
                ),
            )
        }
        BlockKind::Quote => ("blockquote".into(), " class=\"quote\"".into()),
        BlockKind::Code => ("pre".into(), " class=\"code-line\"".into()),
        BlockKind::TableRow { header } => (
            "p".into(),
            if header {
                " class=\"table-row table-row--header\"".into()
            } else {
                " class=\"table-row\"".into()
            },
        ),
        BlockKind::Figure => ("p".into(), " class=\"figure\"".into()),
    };
    out.push('<');
    out.push_str(&tag);
    out.push_str(&attrs);
    out.push_str(&format!(" data-block=\"{index}\">"));
    if b.marks.is_empty() {
        escape_text(out, &b.text);
    } else {
        for (piece, marks) in runs(&b.text, &b.marks) {
            for m in &marks {
                open_mark(out, m);
            }
            escape_text(out, piece);
            for m in marks.iter().rev() {
                close_mark(out, m);
            }
        }
    }
    out.push_str("</");
    out.push_str(&tag);
    out.push('>');
}

/// The block's text cut where marks start or end, each piece with its marks, outermost first.
pub(crate) fn runs<'t>(text: &'t str, marks: &[Mark]) -> Vec<(&'t str, Vec<MarkKind>)> {
    let mut cuts: Vec<usize> = marks
        .iter()
        .flat_map(|m| [m.start, m.end])
        .filter(|&c| c > 0 && c < text.len() && text.is_char_boundary(c))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for to in cuts.into_iter().chain(std::iter::once(text.len())) {
        if from < to {
            let active = marks
                .iter()
                .filter(|m| m.start <= from && m.end >= to)
                .map(|m| m.kind.clone())
                .collect();
            out.push((&text[from..to], active));
        }
        from = to;
    }
    out
}

pub(crate) fn open_mark(out: &mut String, m: &MarkKind) {
    match m {
        MarkKind::Emphasis => out.push_str("<em>"),
        MarkKind::Strong => out.push_str("<strong>"),
        MarkKind::Code => out.push_str("<code>"),
        MarkKind::Link { href } => match safe_href(href) {
            Some(href) => {
                out.push_str("<a href=\"");
                escape_attr(out, &href);
                out.push_str("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
            }
            None => out.push_str("<span>"),
        },
    }
}

pub(crate) fn close_mark(out: &mut String, m: &MarkKind) {
    out.push_str(match m {
        MarkKind::Emphasis => "</em>",
        MarkKind::Strong => "</strong>",
        MarkKind::Code => "</code>",
        MarkKind::Link { href } if safe_href(href).is_some() => "</a>",
        MarkKind::Link { .. } => "</span>",
    });
}

/// Text content: `&`, `<`, `>` escaped; a carriage return as a character reference, so the
/// parser keeps it as written.
pub(crate) fn escape_text(out: &mut String, s: &str) {
    // Copy the runs between special characters whole (they are ASCII, so every cut is at a
    // character boundary).
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(esc);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

pub(crate) fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::plain::parse_plain;
    use proptest::prelude::*;

    fn article(blocks: Vec<Block>) -> Article {
        let mut a = parse_plain("t", "Title\nText.");
        a.blocks = blocks;
        a
    }

    fn block(kind: BlockKind, text: &str, marks: Vec<Mark>) -> Block {
        Block {
            kind,
            text: text.to_owned(),
            marks,
        }
    }

    #[test]
    fn blocks_marks_and_escaping() {
        let a = article(vec![
            block(BlockKind::Lead, "a <b> & \"c\"", vec![]),
            block(
                BlockKind::Paragraph,
                "see the link, bold",
                vec![
                    Mark {
                        start: 4,
                        end: 12,
                        kind: MarkKind::Link {
                            href: "https://example.org/?a=1&b=\"2\"".into(),
                        },
                    },
                    Mark {
                        start: 8,
                        end: 12,
                        kind: MarkKind::Strong,
                    },
                ],
            ),
            block(
                BlockKind::ListItem {
                    ordered: true,
                    number: 3,
                    depth: 9,
                },
                "пункт",
                vec![],
            ),
            block(BlockKind::Heading(1), "h", vec![]),
            block(
                BlockKind::Paragraph,
                "bad",
                vec![Mark {
                    start: 0,
                    end: 3,
                    kind: MarkKind::Link {
                        href: "javascript:alert(1)".into(),
                    },
                }],
            ),
        ]);
        let html = body_html(&a);
        let lines: Vec<&str> = html.lines().collect();
        assert_eq!(
            lines,
            vec![
                r#"<p class="lead" data-block="0">a &lt;b&gt; &amp; "c"</p>"#,
                r#"<p data-block="1">see <a href="https://example.org/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer nofollow" target="_blank">the </a><a href="https://example.org/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer nofollow" target="_blank"><strong>link</strong></a>, bold</p>"#,
                r#"<p class="list-item" data-marker="3." style="--depth:6" data-block="2">пункт</p>"#,
                r#"<h2 data-block="3">h</h2>"#,
                r#"<p data-block="4"><span>bad</span></p>"#,
            ]
        );
    }

    /// What a browser's `textContent` of the block would be: the text with tags removed and
    /// the four entities used here decoded.
    fn text_content(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#13;", "\r")
            .replace("&amp;", "&")
    }

    #[test]
    fn reader_html_has_title_meta_body_and_source() {
        let a = parse_plain(
            "a-1",
            "Title <with> & tags\nFirst paragraph here.\nИсточник и фото - ria.ru",
        );
        let html = reader_html(&a, Lang::En);
        assert!(html.starts_with("<article id=\"article\" class=\"reader\" lang=\""));
        assert!(html.contains("<h1 class=\"reader__title\">Title &lt;with&gt; &amp; tags</h1>"));
        assert!(
            html.contains("<p class=\"reader__meta\" lang=\"en\" dir=\"auto\">6 words · "),
            "{html}"
        );
        let body = format!(
            "<div class=\"reader__body\" data-article=\"a-1\" data-bytes=\"{}\">{}</div>",
            body_bytes(&a),
            body_html(&a)
        );
        assert!(html.contains(&body), "{html}");
        assert!(html.contains(
            "<span class=\"reader__source-label\">Источник и фото:</span> <a href=\"https://ria.ru\""
        ));
        assert!(html.ends_with(">ria.ru</a></footer><div class=\"reader__end\"></div></article>"));
        // In Russian, the meta line is Russian.
        let ru = reader_html(&a, Lang::Ru);
        assert!(
            ru.contains("lang=\"ru\" dir=\"auto\">6 слов · 1 мин чтения<"),
            "{ru}"
        );
    }

    #[test]
    fn long_articles_are_marked() {
        let short = parse_plain("s", "Title\nText.");
        assert!(!reader_html(&short, Lang::En).contains("reader--long"));
        let mut long = short.clone();
        long.blocks = (0..2_000)
            .map(|_| Block::new(BlockKind::Paragraph, "x".repeat(60)))
            .collect();
        assert!(is_long(&long));
        assert!(reader_html(&long, Lang::En)
            .starts_with("<article id=\"article\" class=\"reader reader--long\""));
    }

    #[test]
    fn reader_html_never_links_an_unsafe_source() {
        let mut a = parse_plain("a-2", "Title\nText.");
        a.source = Some(crate::article::Source {
            label: "Source".into(),
            name: "evil".into(),
            url: Some("javascript:alert(1)".into()),
        });
        let html = reader_html(&a, Lang::En);
        assert!(
            html.ends_with("<span>evil</span></footer><div class=\"reader__end\"></div></article>"),
            "{html}"
        );
        assert!(!html.contains("javascript:"));
    }

    proptest! {
        /// Every block's text comes out exactly, whatever characters and marks it has.
        #[test]
        fn text_content_is_the_block_text(
            texts in prop::collection::vec("[a-zё😀<>&\"' \r]{0,16}", 1..4),
            cut in 0usize..16,
        ) {
            let blocks: Vec<Block> = texts
                .iter()
                .map(|t| {
                    let mut c = cut.min(t.len());
                    while !t.is_char_boundary(c) {
                        c -= 1;
                    }
                    let marks = if c > 0 {
                        vec![Mark { start: 0, end: c, kind: MarkKind::Emphasis }]
                    } else {
                        vec![]
                    };
                    block(BlockKind::Paragraph, t, marks)
                })
                .collect();
            let a = article(blocks);
            let html = body_html(&a);
            for (line, t) in html.lines().zip(&texts) {
                prop_assert_eq!(text_content(line), t.clone());
            }
        }
    }
}
