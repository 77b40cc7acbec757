//! Turning a file or pasted text into an article, or a reason why not.
//!
//! The kind of file is decided by its extension (`.txt`, `.md`/`.markdown`, `.html`/`.htm`),
//! then checked against its bytes: binaries are named (`photo.png` is an image), text is
//! decoded (UTF-8, UTF-16 with BOM, Windows-1251, KOI8-R) and never guessed into mojibake.

use serde::{Deserialize, Serialize};

#[cfg(feature = "import")]
use crate::article::Article;
#[cfg(feature = "import")]
use crate::parse::encoding::{decode, sniff_binary, DecodeError};
#[cfg(feature = "import")]
use crate::parse::markdown_article::parse_markdown;
#[cfg(feature = "import")]
use crate::parse::plain::parse_plain;

/// Files larger than this are refused before reading their text, and pasted text larger than
/// this (in UTF-8 bytes) is refused before parsing.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// [`ImportError::TooLarge`] when `len` bytes (of a file, or of pasted text in UTF-8) are over
/// [`MAX_IMPORT_BYTES`]. [`import_file`] and [`import_text`] check it; the app can too, before
/// handing a large paste to the import worker.
pub fn check_size(len: usize) -> Result<(), ImportError> {
    if len > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            bytes: len,
            limit: MAX_IMPORT_BYTES,
        });
    }
    Ok(())
}

/// The formats Lectern reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Markdown,
    Html,
}

/// Why a file could not become an article. The UI names the file and says this. (Serialised
/// between the import worker and the app.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ImportError {
    Empty,
    TooLarge {
        bytes: usize,
        limit: usize,
    },
    /// A known binary format (`a PNG image`).
    Binary {
        what: String,
    },
    /// Not a text encoding Lectern recognises.
    Undecodable,
    /// An extension Lectern does not read.
    UnsupportedType {
        extension: String,
    },
    /// The page or text has nothing readable in it.
    NoArticle,
}

/// The format a file name says, if Lectern reads it.
pub fn format_of(file_name: &str) -> Result<Format, ImportError> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" => Ok(Format::Plain),
        "md" | "markdown" => Ok(Format::Markdown),
        "html" | "htm" | "xhtml" => Ok(Format::Html),
        _ => Err(ImportError::UnsupportedType { extension: ext }),
    }
}

#[cfg(feature = "import")]
/// Read `bytes` of a file called `file_name` as an article with id `id`.
pub fn import_file(id: &str, file_name: &str, bytes: &[u8]) -> Result<Article, ImportError> {
    check_size(bytes.len())?;
    if let Some(kind) = sniff_binary(bytes) {
        return Err(ImportError::Binary {
            what: kind.to_owned(),
        });
    }
    let format = format_of(file_name)?;
    let text = match decode(bytes) {
        Ok(d) => d.text,
        Err(DecodeError::Binary { kind }) => {
            return Err(ImportError::Binary {
                what: kind.to_owned(),
            })
        }
        Err(_) => return Err(ImportError::Undecodable),
    };
    parse(id, &text, format)
}

#[cfg(feature = "import")]
/// Pasted text: Markdown when it looks like Markdown (a `#` heading, a link, a list), else
/// plain text. Text over [`MAX_IMPORT_BYTES`] (UTF-8) is [`ImportError::TooLarge`], as a file
/// would be.
pub fn import_text(id: &str, text: &str) -> Result<Article, ImportError> {
    check_size(text.len())?;
    parse(
        id,
        text,
        if looks_markdown(text) {
            Format::Markdown
        } else {
            Format::Plain
        },
    )
}

#[cfg(feature = "import")]
/// Whether pasted text reads as Markdown: a `#` heading or a link.
fn looks_markdown(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("# ") || l.starts_with("## ")) || (l.contains("](") && l.contains('['))
    })
}

#[cfg(feature = "import")]
fn parse(id: &str, text: &str, format: Format) -> Result<Article, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let article = match format {
        Format::Plain => parse_plain(id, text),
        Format::Markdown => parse_markdown(id, text),
        Format::Html => parse_html(id, text, None)?,
    };
    if article.blocks.is_empty() {
        return Err(ImportError::NoArticle);
    }
    Ok(article)
}

#[cfg(feature = "import")]
/// Fewer characters than this of body text is not an article (a menu, a cookie banner):
/// the threshold Readability's `isProbablyReaderable` uses.
const MIN_HTML_ARTICLE_CHARS: usize = 140;

#[cfg(feature = "import")]
fn parse_html(id: &str, text: &str, url: Option<&str>) -> Result<Article, ImportError> {
    let article =
        crate::parse::html::parse_html_at(id, text, url).map_err(|_| ImportError::NoArticle)?;
    if article
        .text()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
        < MIN_HTML_ARTICLE_CHARS
    {
        return Err(ImportError::NoArticle);
    }
    Ok(article)
}

// --- web import (issue 16) ---

#[cfg(feature = "import")]
/// Import something from the web ([`crate::web::WebImport`]) as article `id`, with the same
/// limits and messages as a file:
/// - a page the bookmarklet sent goes through the HTML importer at its own URL (its links and
///   images made absolute against it, the URL kept as the source); over
///   [`MAX_IMPORT_BYTES`] of HTML it is [`ImportError::TooLarge`], without an article
///   [`ImportError::NoArticle`];
/// - shared text is imported as pasted text ([`import_text`]), with the shared title first
///   (when the text does not start with it) and the shared URL as its source.
pub fn import_web(id: &str, what: &crate::web::WebImport) -> Result<Article, ImportError> {
    use crate::web::WebImport;
    match what {
        WebImport::Page { html, url, title } => {
            check_size(html.len())?;
            if html.trim().is_empty() {
                return Err(ImportError::Empty);
            }
            let mut article = parse_html(id, html, Some(url))?;
            if article.title.is_empty() && !title.trim().is_empty() {
                article.title = title.trim().to_owned();
            }
            Ok(article)
        }
        WebImport::Text { title, text, url } => {
            let starts_with_title = text
                .trim_start()
                .lines()
                .next()
                .is_some_and(|l| l.trim_start_matches(['#', ' ']).trim() == title.trim());
            let text = if title.trim().is_empty() || starts_with_title {
                text.clone()
            } else if looks_markdown(text) {
                format!("# {}\n\n{text}", title.trim())
            } else {
                format!("{}\n\n{text}", title.trim())
            };
            let mut article = import_text(id, &text)?;
            if let Some(url) = url.as_deref().and_then(crate::web::url::page_url) {
                article.source = Some(crate::article::Source {
                    label: String::new(),
                    name: crate::web::url::display_host(&url).unwrap_or_default(),
                    url: Some(url),
                });
            }
            Ok(article)
        }
    }
}

#[cfg(all(test, feature = "import"))]
mod tests {
    use super::*;

    #[test]
    fn bad_files_get_reasons() {
        assert_eq!(import_file("x", "a.txt", b""), Err(ImportError::Empty));
        assert_eq!(
            import_file("x", "a.txt", b"  \n\n "),
            Err(ImportError::Empty)
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(matches!(
            import_file("x", "photo.txt", png),
            Err(ImportError::Binary { .. })
        ));
        assert!(matches!(
            import_file("x", "doc.pdf", b"%PDF-1.7\n%\xe2\xe3"),
            Err(ImportError::Binary { .. })
        ));
        assert_eq!(
            import_file("x", "notes.docx", b"hello"),
            Err(ImportError::UnsupportedType {
                extension: "docx".into()
            })
        );
        let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
        assert!(matches!(
            import_file("x", "a.txt", &big),
            Err(ImportError::TooLarge { .. })
        ));
    }

    #[test]
    fn markdown_and_html_files_use_their_parsers() {
        let a = import_file(
            "x",
            "n.md",
            "# Заголовок\n\n- один\n- два\n\nТекст *курсив*.".as_bytes(),
        )
        .unwrap();
        assert_eq!(a.title, "Заголовок");
        assert!(a
            .blocks
            .iter()
            .any(|b| matches!(b.kind, crate::article::BlockKind::ListItem { .. })));
        let html = "<html lang=ru><head><title>Страница</title></head><body><nav>Меню</nav><article><h1>Страница</h1><p>Первый абзац статьи, достаточно длинный, чтобы его сочли текстом статьи, а не мусором вокруг неё.</p><p>Второй абзац тоже длинный и содержательный, с запятыми, точками и прочим.</p></article><script>alert(1)</script></body></html>";
        let a = import_file("x", "page.HTML", html.as_bytes()).unwrap();
        assert!(a.text().contains("Первый абзац"));
        assert!(!a.text().contains("alert"));
        assert_eq!(
            import_file(
                "x",
                "empty.html",
                b"<html><body><nav>menu</nav></body></html>"
            ),
            Err(ImportError::NoArticle)
        );
        // Pasted Markdown is recognised.
        let a = import_text("x", "# Title\n\nSee [a link](https://example.org).").unwrap();
        assert_eq!(a.title, "Title");
    }

    /// What the browser shows of each block: the reader's HTML parsed the way `innerHTML`
    /// parses it (html5ever implements the HTML standard's parser, as browsers do).
    fn dom_block_texts(article: &Article) -> Vec<String> {
        let html = crate::render::reader_html(article, crate::i18n::Lang::En);
        let doc = dom_query::Document::fragment(html);
        doc.select("[data-block]")
            .iter()
            .map(|b| b.text().to_string())
            .collect()
    }

    fn block_texts(article: &Article) -> Vec<&str> {
        article.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn control_characters_do_not_shift_offsets() {
        // NUL (the HTML parser drops it from the DOM), other C0 and C1 controls and DEL (drawn
        // as nothing), and whitespace controls, which must keep separating words. A NUL in the
        // first kilobyte makes a file binary, so the controls come after a long paragraph.
        let long =
            "Первый абзац статьи, достаточно длинный, чтобы его сочли текстом статьи. ".repeat(12);
        let dirty = "Текст\0 статьи\u{1}по-русски,\u{7f} довольно\u{9b} длинный.\u{b}Вторая\u{c}часть\tи\u{85}конец.";
        let code = "код\0\u{1}\tстрока\u{c}!";
        let files: Vec<(&str, String)> = vec![
            ("a.txt", format!("Заголовок\n\n{long}\n\n{dirty}")),
            (
                "a.md",
                format!("# Заголовок\n\n{long}\n\n{dirty}\n\n```\n{code}\n```\n"),
            ),
            (
                "a.html",
                format!(
                    "<html><body><article><h1>Т\u{1}</h1><p>{long}</p><p>{dirty}</p>\
                     <pre>{code}&#1;&#0;</pre></article></body></html>"
                ),
            ),
            ("utf16.txt", format!("Заголовок\n\n{dirty}")),
        ];
        for (name, content) in &files {
            let bytes = if name.starts_with("utf16") {
                let mut b = vec![0xFF, 0xFE];
                b.extend(content.encode_utf16().flat_map(u16::to_le_bytes));
                b
            } else {
                content.as_bytes().to_vec()
            };
            let a = import_file("x", name, &bytes).unwrap();
            assert_eq!(dom_block_texts(&a), block_texts(&a), "{name}: {a:?}");
            let text = a.text();
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\t' && c != '\n'),
                "{name}: {text:?}"
            );
            // Whitespace controls keep the words apart.
            assert!(
                text.contains("Текст статьипо-русски, довольно длинный. Вторая часть и конец."),
                "{name}: {text:?}"
            );
        }
        // Code keeps its tab (indentation means something there); a form feed is a space.
        let a = import_file("x", "a.md", files[1].1.as_bytes()).unwrap();
        assert!(block_texts(&a).contains(&"код\tстрока !"), "{a:?}");
        let a = import_file("x", "a.html", files[2].1.as_bytes()).unwrap();
        assert!(block_texts(&a).contains(&"код\tстрока !\u{fffd}"), "{a:?}");
        // Pasted text is cleaned the same way.
        let a = import_text("x", dirty).unwrap();
        assert_eq!(dom_block_texts(&a), block_texts(&a));
        assert_eq!(
            a.text(),
            "Текст статьипо-русски, довольно длинный. Вторая часть и конец."
        );
    }

    fn hostile_char() -> impl proptest::strategy::Strategy<Value = char> {
        use proptest::prelude::*;
        prop_oneof![
            any::<char>(),
            Just('\0'),
            Just('\u{1}'),
            Just('\u{7f}'),
            Just('\u{85}'),
            Just('\u{9f}'),
            Just('\r'),
            Just('\t'),
            Just('\u{c}'),
            Just('\n'),
            Just('<'),
            Just('&'),
            Just('*'),
            Just('`'),
            Just(' '),
            Just('a'),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

        /// Whatever the text, every parser's blocks are what the browser shows of them.
        #[test]
        fn the_dom_shows_the_model_text(
            chars in proptest::collection::vec(hostile_char(), 0..300)
        ) {
            let text: String = chars.into_iter().collect();
            let mut articles = vec![
                crate::parse::plain::parse_plain("x", &text),
                crate::parse::markdown_article::parse_markdown("x", &text),
            ];
            articles.extend(import_text("x", &text));
            articles.extend(crate::parse::html::parse_html("x", &format!("<p>{text}</p><pre>{text}</pre>")));
            for a in &articles {
                proptest::prop_assert_eq!(dom_block_texts(a), block_texts(a));
            }
        }
    }

    #[test]
    fn pasted_text_has_the_file_size_limit() {
        // Spaces parse quickly, so the test is about the limit, not the parser's speed.
        let at_limit = " ".repeat(MAX_IMPORT_BYTES - 3) + "big";
        assert_eq!(import_text("x", &at_limit).unwrap().text(), "big");
        let over = " ".repeat(MAX_IMPORT_BYTES - 2) + "big";
        assert_eq!(
            import_text("x", &over),
            Err(ImportError::TooLarge {
                bytes: MAX_IMPORT_BYTES + 1,
                limit: MAX_IMPORT_BYTES
            })
        );
    }

    #[test]
    fn text_files_become_articles() {
        let a = import_file("x", "Статья.TXT", "Заголовок\nПервый.Второй.".as_bytes()).unwrap();
        assert_eq!(a.title, "Заголовок");
        assert_eq!(a.blocks.len(), 2);
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251
            .encode("Заголовок\nТекст статьи по-русски, довольно длинный.");
        let a = import_file("x", "old.txt", &cp1251).unwrap();
        assert_eq!(a.title, "Заголовок");
    }
}
