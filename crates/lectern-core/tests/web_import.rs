//! Articles from the web (issue 16): a saved page's own address, a page sent by the
//! bookmarklet, shared text, and images recorded without moving a single offset.

use std::rc::Rc;

use dom_query::Document;
use lectern_core::anchor::{anchor, describe, Placement};
use lectern_core::article::{Article, BlockKind, Image, MarkKind, MAX_IMAGES};
use lectern_core::i18n::Lang;
use lectern_core::import::{import_file, import_web, ImportError, MAX_IMPORT_BYTES};
use lectern_core::parse::html::parse_html;
use lectern_core::render::{body_html, reader_html};
use lectern_core::text::ByteOffset;
use lectern_core::web::WebImport;
use proptest::prelude::*;

const FILLER: &str = "Readability needs a few sentences of real prose before it believes \
    that a page holds an article, so this paragraph talks at some length, with commas, about \
    nothing in particular, and then it goes on a little more, for good measure, to be safe.";

fn page(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Page title</title>{head}</head><body>\
         <nav><a href=\"/\">Home</a></nav><article><h1>Page title</h1><p>{FILLER}</p>{body}\
         <p>{FILLER}</p></article></body></html>"
    )
}

fn file(html: &str) -> Article {
    import_file("x", "saved.html", html.as_bytes()).unwrap()
}

fn sent(html: &str, url: &str) -> Result<Article, ImportError> {
    import_web(
        "x",
        &WebImport::Page {
            html: Rc::from(html),
            url: url.into(),
            title: "Sent title".into(),
        },
    )
}

/// Every link target in the article, with its text.
fn links(a: &Article) -> Vec<(String, String)> {
    a.blocks
        .iter()
        .flat_map(|b| {
            b.marks.iter().filter_map(|m| match &m.kind {
                MarkKind::Link { href } => Some((b.text[m.start..m.end].to_owned(), href.clone())),
                _ => None,
            })
        })
        .collect()
}

const LINKS: &str =
    "<p>See <a href=\"/about/team\">the team</a>, <a href=\"notes.html?x=1\">the notes</a>, \
    <a href=\"#part-2\">part two</a>, <a href=\"//cdn.example/x\">the cdn</a> and \
    <a href=\"javascript:alert(1)\">a script</a>.</p>";

#[test]
fn a_saved_page_keeps_its_own_address_and_its_relative_links_resolve() {
    // Each way a saved page states its address, alone.
    let cases = [
        (
            "<link rel=\"Canonical stylesheet\" href=\"https://news.example/2024/story\">",
            "https://news.example/2024/story",
        ),
        (
            "<meta property=\"og:url\" content=\"https://news.example/2024/story\">",
            "https://news.example/2024/story",
        ),
        (
            "<base href=\"https://news.example/2024/\">",
            "https://news.example/2024/",
        ),
        ("", "https://news.example/2024/story"), // the comment "Save page as" writes
    ];
    for (head, want) in cases {
        let mut html = page(head, LINKS);
        if head.is_empty() {
            html = format!("<!-- saved from url=(0031)https://news.example/2024/story -->\n{html}");
        }
        let a = file(&html);
        let source = a
            .source
            .as_ref()
            .unwrap_or_else(|| panic!("{head}: no source"));
        assert_eq!(source.url.as_deref(), Some(want), "{head}");
        assert_eq!(source.name, "news.example");
        assert!(source.label.is_empty(), "shown as the interface's word");
        let got = links(&a);
        assert!(
            got.contains(&("the team".into(), "https://news.example/about/team".into())),
            "{head}: {got:?}"
        );
        assert!(
            got.contains(&(
                "the notes".into(),
                "https://news.example/2024/notes.html?x=1".into()
            )),
            "{head}: {got:?}"
        );
        assert!(
            got.contains(&("the cdn".into(), "https://cdn.example/x".into())),
            "{head}: {got:?}"
        );
        // The link policy stays: http(s) and mailto only.
        assert!(
            got.iter().all(|(_, h)| h.starts_with("https://")),
            "{head}: {got:?}"
        );
        assert!(a.text().contains("a script"), "the link's text stays");
        // The source shows in the reader, under the interface's word, and goes into exports.
        let html = reader_html(&a, Lang::En);
        assert!(
            html.contains(&format!(
                "<span class=\"reader__source-label\">Source:</span> <a href=\"{want}\""
            )),
            "{html}"
        );
        assert!(reader_html(&a, Lang::Ru).contains(">Источник:<"));
    }
    // Canonical comes first; addresses that are not http(s) are not kept.
    let a = file(&page(
        "<base href=\"https://mirror.example/\"><link rel=canonical href=\"https://news.example/a\">",
        "",
    ));
    assert_eq!(
        a.source.unwrap().url.as_deref(),
        Some("https://news.example/a")
    );
    for head in [
        "<link rel=canonical href=\"javascript:alert(1)\">",
        "<meta property=\"og:url\" content=\"/relative\">",
        "<base href=\"file:///home/me/\">",
    ] {
        let a = file(&page(head, LINKS));
        assert_eq!(a.source, None, "{head}");
        // Without an address, relative links keep their text only, as before.
        assert!(links(&a).is_empty(), "{head}: {:?}", links(&a));
    }
}

#[test]
fn a_sent_page_is_read_at_its_url_with_the_file_limits() {
    let html = page(
        "",
        &format!(
            "{LINKS}<p><img src=\"pics/cat.jpg\" alt=\"A cat\" width=\"640\" height=\"480\"></p>"
        ),
    );
    let a = sent(&html, "https://blog.example/posts/1").unwrap();
    assert_eq!(
        a.source.as_ref().unwrap().url.as_deref(),
        Some("https://blog.example/posts/1")
    );
    assert_eq!(a.title, "Page title", "the page's own title");
    let got = links(&a);
    assert!(
        got.contains(&("the team".into(), "https://blog.example/about/team".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "the notes".into(),
            "https://blog.example/posts/notes.html?x=1".into()
        )),
        "{got:?}"
    );
    assert_eq!(a.images.len(), 1);
    assert_eq!(a.images[0].url, "https://blog.example/posts/pics/cat.jpg");
    assert_eq!(
        (a.images[0].width, a.images[0].height),
        (Some(640), Some(480))
    );
    // The URL the bookmarklet sent wins over what the page says of itself.
    let a = sent(
        &page(
            "<link rel=canonical href=\"https://elsewhere.example/\">",
            "",
        ),
        "https://blog.example/p",
    )
    .unwrap();
    assert_eq!(
        a.source.unwrap().url.as_deref(),
        Some("https://blog.example/p")
    );
    // An http page is fine; its images are not (https only).
    let a = sent(
        &page("", "<p><img src=\"/a.png\" alt=\"x\"></p>"),
        "http://plain.example/p",
    )
    .unwrap();
    assert_eq!(
        a.source.unwrap().url.as_deref(),
        Some("http://plain.example/p")
    );
    assert!(a.images.is_empty());
    // The same messages as a file.
    assert_eq!(sent("   ", "https://a.example/"), Err(ImportError::Empty));
    assert_eq!(
        sent(
            "<html><body><nav>menu</nav></body></html>",
            "https://a.example/"
        ),
        Err(ImportError::NoArticle)
    );
    let big = format!("{}{}", page("", ""), " ".repeat(MAX_IMPORT_BYTES));
    assert!(matches!(
        sent(&big, "https://a.example/"),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn shared_text_is_text_with_its_title_and_source() {
    let share = |title: &str, text: &str, url: Option<&str>| {
        import_web(
            "s",
            &WebImport::Text {
                title: title.into(),
                text: text.into(),
                url: url.map(Into::into),
            },
        )
    };
    let a = share(
        "A shared title",
        "The shared words, quoted from somewhere.",
        Some("https://q.example/a"),
    )
    .unwrap();
    assert_eq!(a.title, "A shared title");
    assert_eq!(a.text(), "The shared words, quoted from somewhere.");
    assert_eq!(
        a.source.unwrap().url.as_deref(),
        Some("https://q.example/a")
    );
    // A text that starts with its title is not given it twice.
    let a = share("Title", "Title\n\nBody text here.\n\nMore.", None).unwrap();
    assert_eq!(
        (a.title.as_str(), a.text().as_str()),
        ("Title", "Body text here.\nMore.")
    );
    assert_eq!(share("", "  ", None), Err(ImportError::Empty));
}

#[test]
fn images_are_recorded_as_data_https_only() {
    let body = "\
        <figure><img src=\"https://img.example/one.jpg\" alt=\"First\" width=\"800\" height=\"600\">\
          <figcaption>The first <b>caption</b>.</figcaption></figure>\
        <p>Text before <img src=\"https://img.example/inline.png\" width=\"300\"> and after.</p>\
        <p><img src=\"http://img.example/plain.jpg\" alt=\"Not https\"></p>\
        <p><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"Inline data\"></p>\
        <p><img src=\"https://img.example/pixel.gif\" width=\"1\" height=\"1\" alt=\"\"></p>\
        <p><img srcset=\"https://img.example/s-400.jpg 400w, https://img.example/s-1200.jpg 1200w, https://img.example/s-3000.jpg 3000w\" alt=\"Set\"></p>\
        <table><tr><td><img src=\"https://img.example/cell.jpg\" alt=\"In a cell\"></td><td>x</td></tr>\
               <tr><td>y</td><td>z</td></tr></table>";
    let a = file(&page("", body));
    let urls: Vec<&str> = a.images.iter().map(|i| i.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://img.example/one.jpg",
            "https://img.example/inline.png",
            "https://img.example/s-1200.jpg"
        ],
        "{:#?}",
        a.images
    );
    let first = &a.images[0];
    assert_eq!(
        (first.alt.as_str(), first.caption.as_str()),
        ("First", "The first caption.")
    );
    assert_eq!(a.blocks[first.at].text, "First");
    assert_eq!(a.blocks[first.at + 1].text, "The first caption.");
    // An inline image without alt text comes after the paragraph it was in, which stays whole.
    let inline = &a.images[1];
    assert_eq!(a.blocks[inline.at - 1].text, "Text before and after.");
    assert_eq!(
        (inline.width, inline.height, inline.alt.as_str()),
        (Some(300), None, "")
    );
    // Alt texts of images not recorded are text as before.
    for t in ["Not https", "Inline data", "Set"] {
        assert!(
            a.blocks
                .iter()
                .any(|b| b.kind == BlockKind::Figure && b.text == t),
            "{t}"
        );
    }
    assert!(a.text().contains("In a cell"));
    // Bounded.
    let many: String = (0..MAX_IMAGES + 20)
        .map(|i| {
            format!("<p>Paragraph {i} of a gallery.</p><img src=\"https://img.example/{i}.jpg\">")
        })
        .collect();
    assert_eq!(file(&page("", &many)).images.len(), MAX_IMAGES);
}

/// `html` with every image address made `http:`, which is never recorded: what the importer
/// made of the page before images were recorded. (The `<img>` elements stay: Readability drops
/// an image without an address, and with it its alt text.)
fn without_addresses(html: &str) -> String {
    html.replace("=\"https://i", "=\"http://i")
        .replace(", https://i", ", http://i")
}

/// The text of each `[data-block]` element as a browser shows it, from the reader's HTML
/// parsed the way `innerHTML` parses it (html5ever, as browsers do).
fn dom_block_texts(a: &Article) -> Vec<String> {
    Document::fragment(reader_html(a, Lang::En))
        .select("[data-block]")
        .iter()
        .map(|b| b.text().to_string())
        .collect()
}

#[test]
fn images_move_no_offset_and_no_highlight() {
    let body = "<p>Before the picture, a sentence to highlight across.</p>\
        <figure><img src=\"https://img.example/a.jpg\" alt=\"Alt words\"><figcaption>Caption words</figcaption></figure>\
        <p>After the picture, <img src=\"https://img.example/b.jpg\" width=\"120\" height=\"90\"> more words.</p>\
        <img src=\"https://img.example/c.jpg\">";
    let html = page("", body);
    let with = file(&html);
    let without = file(&without_addresses(&html));
    assert_eq!(with.images.len(), 3, "{:#?}", with.images);
    assert!(without.images.is_empty());
    // The same blocks, so the same text, the same offsets in every unit.
    assert_eq!(with.blocks, without.blocks);
    assert_eq!(with.text(), without.text());
    // A highlight described on one places exactly, at the same bytes, on the other, across
    // the pictures.
    let text = without.text();
    let start = text.find("a sentence to highlight").unwrap();
    let end = text.find(" more words").unwrap() + " more words".len();
    let target = describe(&text, ByteOffset(start)..ByteOffset(end)).unwrap();
    assert_eq!(
        anchor(&with.text(), &target),
        Placement::Exact {
            range: ByteOffset(start)..ByteOffset(end)
        }
    );
    // In the reader's HTML each block is still its text, in order, with the placeholders
    // between them holding none.
    let blocks: Vec<&str> = with.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(dom_block_texts(&with), blocks);
    let doc = Document::fragment(body_html(&with));
    assert_eq!(doc.select("figure.image").length(), 3);
    assert_eq!(
        doc.select("figure.image")
            .text()
            .trim()
            .replace(char::is_whitespace, ""),
        "img.exampleimg.exampleimg.example"
    );
    // Each placeholder stands where its image was.
    let order: Vec<String> = doc
        .select("[data-block], figure.image")
        .iter()
        .map(|n| match n.attr("data-block") {
            Some(i) => format!("b{i}"),
            None => format!("i{}", n.attr("data-image").unwrap()),
        })
        .collect();
    let at: Vec<usize> = with.images.iter().map(|i| i.at).collect();
    let mut expected = Vec::new();
    for i in 0..=with.blocks.len() {
        for (k, _) in at.iter().enumerate().filter(|(_, a)| **a == i) {
            expected.push(format!("i{k}"));
        }
        if i < with.blocks.len() {
            expected.push(format!("b{i}"));
        }
    }
    assert_eq!(order, expected);
    assert_eq!(
        at[2],
        with.blocks.len() - 1,
        "the last image is before the closing paragraph"
    );
}

#[test]
fn placeholders_load_nothing_and_carry_no_markup_from_the_page() {
    let hostile = [
        "<img src=\"https://img.example/a.jpg\" alt='x\" onerror=\"window.pwned=1'>",
        "<img src='https://img.example/a.jpg\" onload=\"window.pwned=1' alt=\"q\">",
        "<img src=\"javascript:window.pwned=1\" alt=\"js\">",
        "<img srcset=\"javascript:window.pwned=1 1w\" alt=\"js set\">",
        "<img src=\"https://img.example/<script>.jpg\" alt=\"<script>window.pwned=1</script>\">",
        "<figure><img src=\"https://img.example/b.jpg\"><figcaption><img src=x onerror=window.pwned=1>cap</figcaption></figure>",
    ];
    for h in hostile {
        let a = file(&page("", &format!("<p>before</p>{h}<p>after</p>")));
        for im in &a.images {
            assert!(lectern_core::article::is_image_url(&im.url), "{h}: {im:?}");
        }
        let html = reader_html(&a, Lang::En);
        let doc = Document::fragment(html.clone());
        assert_eq!(
            doc.select("img, script, [onerror], [onload]").length(),
            0,
            "{h}: {html}"
        );
        for fig in doc.select("figure").iter() {
            let names: Vec<String> = fig
                .attrs()
                .iter()
                .map(|a| a.name.local.to_string())
                .collect();
            for n in &names {
                assert!(
                    [
                        "class",
                        "data-image",
                        "data-src",
                        "data-alt",
                        "data-width",
                        "data-height"
                    ]
                    .contains(&n.as_str()),
                    "{h}: attribute {n} in {html}"
                );
            }
            assert!(fig.attr("data-src").unwrap().starts_with("https://"), "{h}");
        }
    }
    // A hand-edited store with a non-https address shows no placeholder for it.
    let mut a = file(&page(
        "",
        "<p><img src=\"https://img.example/a.jpg\" alt=\"A\"></p>",
    ));
    a.images[0].url = "http://img.example/a.jpg".into();
    assert!(!body_html(&a).contains("<figure"));
    // Stored before images existed: reads as no images, written as before.
    let json = serde_json::to_string(&without_images(&a)).unwrap();
    assert!(!json.contains("images"));
    let back: Article = serde_json::from_str(&json).unwrap();
    assert!(back.images.is_empty());
}

fn without_images(a: &Article) -> Article {
    Article {
        images: Vec::new(),
        ..a.clone()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever mix of paragraphs, figures and inline images a page has, its text is the text
    /// it has without image addresses, and the reader shows each block's text exactly.
    #[test]
    fn any_page_with_images_keeps_its_text(parts in prop::collection::vec(0u8..5, 1..14)) {
        let body: String = parts
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                0 => format!("<p>Paragraph {i} says something.</p>"),
                1 => format!("<figure><img src=\"https://i.example/{i}.jpg\" alt=\"Alt {i}\"><figcaption>Cap {i}</figcaption></figure>"),
                2 => format!("<p>Inline {i} <img src=\"https://i.example/{i}.png\"> goes on.</p>"),
                3 => format!("<img src=\"https://i.example/{i}.gif\" alt=\"Loose {i}\">"),
                _ => format!("<ul><li>Item {i} <img src=\"https://i.example/{i}.webp\" alt=\"\"></li></ul>"),
            })
            .collect();
        let html = page("", &body);
        let (Ok(with), Ok(without)) = (
            import_file("x", "p.html", html.as_bytes()),
            import_file("x", "p.html", without_addresses(&html).as_bytes()),
        ) else {
            return Ok(());
        };
        prop_assert_eq!(&with.blocks, &without.blocks);
        let texts: Vec<String> = with.blocks.iter().map(|b| b.text.clone()).collect();
        prop_assert_eq!(dom_block_texts(&with), texts);
        for w in with.images.windows(2) {
            prop_assert!(w[0].at <= w[1].at);
        }
        prop_assert!(with.images.iter().all(|i: &Image| i.at <= with.blocks.len()));
        prop_assert_eq!(
            Document::fragment(body_html(&with)).select("figure.image").length(),
            with.images.len()
        );
    }
}

#[test]
fn what_the_file_importer_did_before_still_holds() {
    // Without any address, a page imports as it always did: no source, no images.
    let a = parse_html("x", &page("", "<p><img src=\"cat.png\" alt=\"A cat\"></p>")).unwrap();
    assert!(a.source.is_none() && a.images.is_empty());
    assert!(a
        .blocks
        .iter()
        .any(|b| b.kind == BlockKind::Figure && b.text == "A cat"));
}
