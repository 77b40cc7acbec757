//! The HTML importer: structure, metadata, pages without an article, and XSS payloads.

use lectern_core::article::{BlockKind, MarkKind, SourceFormat};
use lectern_core::lang::Direction;
use lectern_core::parse::html::{extract_html, parse_html, ImportError};

/// A paragraph long enough for Readability to take the page as an article.
const FILLER: &str = "Readability needs a few sentences of real prose before it believes \
    that a page holds an article, so this paragraph talks at some length, with commas, about \
    nothing in particular, and then it goes on a little more, for good measure, to be safe.";

fn page(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Page title</title>{head}</head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav>\
         <article><h1>Page title</h1><p>{FILLER}</p>{body}<p>{FILLER}</p></article>\
         <footer>Copyright footer text</footer></body></html>"
    )
}

#[test]
fn structure_survives_as_block_kinds_and_marks() {
    let html = page(
        "<meta name=\"author\" content=\"Jane Doe\"><meta property=\"og:site_name\" content=\"Example News\">\
         <meta property=\"article:published_time\" content=\"2024-05-01T10:00:00Z\">",
        "<h2>Section <em>two</em></h2>\
         <p>Some <strong>bold</strong>, <i>italic</i>, <code>code</code> and a \
            <a href=\"https://example.org/x\">link</a> and a <a href=\"/relative\">relative one</a>.</p>\
         <ol start=\"3\"><li>three</li><li>four<ul><li>inner</li></ul></li></ol>\
         <blockquote><p>Quoted words.</p></blockquote>\
         <pre>fn main() {\n    println!(\"hi\");\n}</pre>\
         <table><thead><tr><th>Name</th><th>Age</th></tr></thead>\
                <tbody><tr><td>Ann</td><td>31</td></tr><tr><td>Bob</td><td>42</td></tr></tbody></table>\
         <figure><img src=\"https://tracker.example/cat.png\" alt=\"A cat\"><figcaption>The cat, asleep.</figcaption></figure>",
    );
    let a = parse_html("h", &html).unwrap();
    assert_eq!(a.format, SourceFormat::Html);
    assert_eq!(a.title, "Page title");
    assert_eq!(a.lang, "en");
    assert_eq!(a.dir, Direction::Ltr);
    assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
    assert_eq!(a.site_name.as_deref(), Some("Example News"));
    assert_eq!(a.published.as_deref(), Some("2024-05-01T10:00:00Z"));
    let kinds: Vec<(BlockKind, &str)> =
        a.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect();
    let has = |kind: BlockKind, text: &str| kinds.contains(&(kind, text));
    assert!(has(BlockKind::Heading(2), "Section two"), "{kinds:#?}");
    let li = |ordered, number, depth| BlockKind::ListItem {
        ordered,
        number,
        depth,
    };
    assert!(has(li(true, 3, 0), "three"), "{kinds:#?}");
    assert!(has(li(true, 4, 0), "four"), "{kinds:#?}");
    assert!(has(li(false, 1, 1), "inner"), "{kinds:#?}");
    assert!(has(BlockKind::Quote, "Quoted words."), "{kinds:#?}");
    assert!(has(BlockKind::Code, "    println!(\"hi\");"), "{kinds:#?}");
    assert!(
        has(BlockKind::TableRow { header: true }, "Name\tAge"),
        "{kinds:#?}"
    );
    assert!(
        has(BlockKind::TableRow { header: false }, "Bob\t42"),
        "{kinds:#?}"
    );
    assert!(has(BlockKind::Figure, "A cat"), "{kinds:#?}");
    assert!(has(BlockKind::Figure, "The cat, asleep."), "{kinds:#?}");
    // Navigation and footer are gone; the image's address is recorded as data, never text.
    let text = a.text();
    assert!(
        !text.contains("About") && !text.contains("Copyright"),
        "{text}"
    );
    assert!(!text.contains("tracker.example"));
    assert_eq!(a.images.len(), 1);
    assert_eq!(a.images[0].url, "https://tracker.example/cat.png");
    assert_eq!(a.images[0].caption, "The cat, asleep.");
    assert_eq!(a.blocks[a.images[0].at].text, "A cat");

    let p = a
        .blocks
        .iter()
        .find(|b| b.text.starts_with("Some bold"))
        .unwrap();
    let marks: Vec<(String, &str)> = p
        .marks
        .iter()
        .map(|m| (format!("{:?}", m.kind), &p.text[m.start..m.end]))
        .collect();
    assert_eq!(
        marks,
        vec![
            ("Strong".to_string(), "bold"),
            ("Emphasis".to_string(), "italic"),
            ("Code".to_string(), "code"),
            (
                "Link { href: \"https://example.org/x\" }".to_string(),
                "link"
            ),
        ]
    );
}

#[test]
fn rtl_and_declared_language() {
    let html = format!(
        "<html lang=\"he\" dir=\"rtl\"><head><title>כותרת</title></head><body><article>\
         <p>זהו טקסט ארוך בעברית שנועד לבדוק את הכיוון של המאמר, והוא ממשיך עוד קצת, ועוד קצת, \
         כדי שיהיה ארוך מספיק בשביל האלגוריתם, עם פסיקים, ועם עוד מילים, ועוד מילים רבות.</p>\
         <p>{FILLER}</p></article></body></html>"
    );
    let e = extract_html("r", &html).unwrap();
    assert_eq!(e.article.dir, Direction::Rtl);
    assert_eq!(e.article.lang, "he");
    assert_eq!(e.declared.lang.as_deref(), Some("he"));
}

#[test]
fn pages_without_an_article_are_errors() {
    for html in [
        "",
        "<html><body></body></html>",
        "<html><head><script>var x = 1;</script></head><body><nav></nav></body></html>",
        "<html><body><img src=x></body></html>",
    ] {
        assert_eq!(
            parse_html("x", html),
            Err(ImportError::NoArticle),
            "{html:?}"
        );
    }
}

#[test]
fn xss_payloads_leave_no_markup_and_no_unsafe_links() {
    let payloads = [
        "<script>window.pwned = 1</script>",
        "<img src=x onerror=\"window.pwned = 1\" alt=\"img alt\">",
        "<a href=\"javascript:window.pwned=1\">js link</a>",
        "<a href=\" JaVaScRiPt:window.pwned=1\">js link 2</a>",
        "<a href=\"java&#x09;script:window.pwned=1\">js link 3</a>",
        "<a href=\"data:text/html,<script>window.pwned=1</script>\">data link</a>",
        "<a href=\"vbscript:msgbox(1)\">vb link</a>",
        "<svg onload=\"window.pwned=1\"><text>svg text</text></svg>",
        "<iframe src=\"javascript:window.pwned=1\"></iframe>",
        "<body onload=\"window.pwned=1\">",
        "<style>body { background: url(javascript:window.pwned=1) }</style>",
        "<div style=\"background:url(javascript:window.pwned=1)\">styled div</div>",
        "<math><mtext><table><mglyph><style><img src=x onerror=window.pwned=1>",
        "<noscript><p title=\"</noscript><img src=x onerror=window.pwned=1>\"></noscript>",
        "<form action=\"javascript:window.pwned=1\"><button>go</button></form>",
        "<object data=\"javascript:window.pwned=1\"></object>",
        "<p>&lt;script&gt;window.pwned=1&lt;/script&gt; as text</p>",
    ];
    for p in payloads {
        let html = page("", &format!("<p>before</p>{p}<p>after</p>"));
        let a = match parse_html("x", &html) {
            Ok(a) => a,
            Err(e) => panic!("{p}: {e}"),
        };
        for b in &a.blocks {
            for m in &b.marks {
                if let MarkKind::Link { href } = &m.kind {
                    let lower = href.to_ascii_lowercase();
                    assert!(
                        lower.starts_with("http://")
                            || lower.starts_with("https://")
                            || lower.starts_with("mailto:"),
                        "{p}: unsafe link {href}"
                    );
                }
            }
        }
        let json = serde_json::to_string(&a).unwrap();
        for bad in [
            "onerror",
            "onload",
            "javascript:",
            "vbscript:",
            "<img",
            "<svg",
            "<iframe",
        ] {
            assert!(!json.to_lowercase().contains(bad), "{p}: {bad} in {json}");
        }
        // Script and style contents never become text.
        assert!(!a.text().contains("window.pwned = 1"), "{p}");
    }
}

#[test]
#[ignore = "diagnostic: prints one fixture's blocks; run with PEEK=<page> -- --ignored --nocapture"]
fn peek() {
    let name = std::env::var("PEEK").unwrap_or_else(|_| "wikipedia".into());
    let path = format!(
        "{}/tests/fixtures/readability/{name}/source.html",
        env!("CARGO_MANIFEST_DIR")
    );
    let a = parse_html(&name, &std::fs::read_to_string(path).unwrap()).unwrap();
    for b in &a.blocks {
        println!("{:?} | {} | marks {}", b.kind, b.text, b.marks.len());
    }
}
