//! The Markdown importer on a table of named cases and on XSS payloads.

use lectern_core::article::{Article, BlockKind, MarkKind, SourceFormat};
use lectern_core::lang::Direction;
use lectern_core::parse::markdown_article::parse_markdown;

/// The blocks as `(kind, text)` pairs, for compact expectations.
fn blocks(a: &Article) -> Vec<(BlockKind, &str)> {
    a.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect()
}

/// The marks as `(kind, marked text)`.
fn marks(a: &Article) -> Vec<(String, String)> {
    a.blocks
        .iter()
        .flat_map(|b| {
            b.marks.iter().map(move |m| {
                let kind = match &m.kind {
                    MarkKind::Link { href } => format!("link {href}"),
                    other => format!("{other:?}").to_lowercase(),
                };
                (kind, b.text[m.start..m.end].to_owned())
            })
        })
        .collect()
}

/// (name, input, expected title, expected blocks).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(BlockKind, &'static str)>,
);

const P: BlockKind = BlockKind::Paragraph;

fn li(ordered: bool, number: u32, depth: u8) -> BlockKind {
    BlockKind::ListItem {
        ordered,
        number,
        depth,
    }
}

#[test]
fn named_cases() {
    let cases: Vec<Case> = vec![
        ("empty", "", "", vec![]),
        (
            "title from the first h1, removed from the body",
            "# The Title\n\nFirst para.\n\n## Part\n\nSecond.",
            "The Title",
            vec![(P, "First para."), (BlockKind::Heading(2), "Part"), (P, "Second.")],
        ),
        (
            "no h1: title derived from the first block, body kept",
            "Just a paragraph of text.\n\nAnother.",
            "Just a paragraph of text.",
            vec![(P, "Just a paragraph of text."), (P, "Another.")],
        ),
        (
            "second h1 is a level-2 heading; h6 kept",
            "# A\n\n# B\n\n###### F",
            "A",
            vec![(BlockKind::Heading(2), "B"), (BlockKind::Heading(6), "F")],
        ),
        (
            "soft and hard breaks become spaces",
            "# T\n\nline one\nline two  \nline three",
            "T",
            vec![(P, "line one line two line three")],
        ),
        (
            "bullet list with nesting",
            "# T\n\n- one\n- two\n  - two.a\n  - two.b\n- three",
            "T",
            vec![
                (li(false, 1, 0), "one"),
                (li(false, 2, 0), "two"),
                (li(false, 1, 1), "two.a"),
                (li(false, 2, 1), "two.b"),
                (li(false, 3, 0), "three"),
            ],
        ),
        (
            "ordered list keeps its start number; loose items",
            "# T\n\n3. three\n\n4. four\n\n   more of four",
            "T",
            vec![
                (li(true, 3, 0), "three"),
                (li(true, 4, 0), "four"),
                (li(true, 4, 0), "more of four"),
            ],
        ),
        (
            "block quote, nested quote flattens",
            "# T\n\n> quoted\n> text\n>\n> > inner\n\nafter",
            "T",
            vec![
                (BlockKind::Quote, "quoted text"),
                (BlockKind::Quote, "inner"),
                (P, "after"),
            ],
        ),
        (
            "fenced code: one block per line, spaces kept, empty lines kept",
            "# T\n\n```rust\nfn main() {\n\n    let x = 1;\n}\n```\n",
            "T",
            vec![
                (BlockKind::Code, "fn main() {"),
                (BlockKind::Code, ""),
                (BlockKind::Code, "    let x = 1;"),
                (BlockKind::Code, "}"),
            ],
        ),
        (
            "indented code",
            "# T\n\npara\n\n    code line\n",
            "T",
            vec![(P, "para"), (BlockKind::Code, "code line")],
        ),
        (
            "image becomes a figure with alt text, splitting its paragraph",
            "# T\n\nbefore ![A *cat* photo](cat.png \"t\") after\n\n![](empty-alt.png)",
            "T",
            vec![(P, "before"), (BlockKind::Figure, "A cat photo"), (P, "after")],
        ),
        (
            "table rows with tab-separated cells",
            "# T\n\n| a | b |\n|---|---|\n| 1 | **2** |\n|   | x |",
            "T",
            vec![
                (BlockKind::TableRow { header: true }, "a\tb"),
                (BlockKind::TableRow { header: false }, "1\t2"),
                (BlockKind::TableRow { header: false }, "\tx"),
            ],
        ),
        (
            "thematic break dropped",
            "# T\n\na\n\n---\n\nb",
            "T",
            vec![(P, "a"), (P, "b")],
        ),
        (
            "task list and strikethrough keep their text",
            "# T\n\n- [x] done ~~not~~\n- [ ] todo",
            "T",
            vec![(li(false, 1, 0), "☑ done not"), (li(false, 2, 0), "☐ todo")],
        ),
        (
            "inline HTML tags dropped, text kept",
            "# T\n\nsome <b>bold</b> and <img src=x onerror=alert(1)> more",
            "T",
            vec![(P, "some bold and more")],
        ),
        (
            "HTML block keeps only text; script contents removed",
            "# T\n\n<div onclick=\"alert(1)\">\nhello <script>alert(1)</script> world\n</div>\n\nend",
            "T",
            vec![(P, "hello world"), (P, "end")],
        ),
        (
            "CRLF and BOM",
            "\u{feff}# Заголовок\r\n\r\nТекст.\r\n",
            "Заголовок",
            vec![(P, "Текст.")],
        ),
    ];
    let mut failures = Vec::new();
    for (name, input, title, expected) in cases {
        let a = parse_markdown("x", input);
        if a.title != title || blocks(&a) != expected {
            failures.push(format!(
                "{name}:\n  got title {:?}, blocks {:?}\n  expected {title:?}, {expected:?}",
                a.title,
                blocks(&a)
            ));
        }
        for b in &a.blocks {
            assert!(!b.text.contains('\n'), "{name}: newline in a block");
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn marks_cover_the_right_bytes() {
    let a = parse_markdown(
        "x",
        "Мир *курсив* и **жирный _вложенный_** `код` [ссылка](https://e.org/a) <mailto@e.org>",
    );
    assert_eq!(
        marks(&a),
        vec![
            ("emphasis".into(), "курсив".into()),
            ("strong".into(), "жирный вложенный".into()),
            ("emphasis".into(), "вложенный".into()),
            ("code".into(), "код".into()),
            ("link https://e.org/a".into(), "ссылка".into()),
            ("link mailto:mailto@e.org".into(), "mailto@e.org".into()),
        ]
    );
    assert_eq!(a.lang, "ru");
    assert_eq!(a.format, SourceFormat::Markdown);
    // Marks are sorted and on char boundaries.
    for b in &a.blocks {
        for w in b.marks.windows(2) {
            assert!(w[0].start <= w[1].start);
        }
        for m in &b.marks {
            assert!(b.text.is_char_boundary(m.start) && b.text.is_char_boundary(m.end));
        }
    }
}

#[test]
fn rtl_and_cjk_language_guess() {
    let a = parse_markdown("x", "# כותרת\n\nזהו טקסט בעברית.");
    assert_eq!((a.lang.as_str(), a.dir), ("he", Direction::Rtl));
    let a = parse_markdown("x", "# 标题\n\n这是中文文本。");
    assert_eq!((a.lang.as_str(), a.dir), ("zh", Direction::Ltr));
}

/// Known XSS payloads: none may become a link mark with an unsafe target, and none may leave
/// markup in the text that a renderer could mistake for HTML (the UI renders text as text, but
/// tags should not survive anyway).
#[test]
fn xss_payloads_leave_no_unsafe_links() {
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "[![img](x.png)](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<svg onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "[x](//evil.example/)",
        "[x](/relative)",
    ];
    for p in payloads {
        let a = parse_markdown("x", &format!("# T\n\nbefore\n\n{p}\n\nafter"));
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
            for tag in [
                "<script", "<img", "<svg", "<iframe", "<a ", "<style", "onerror=",
            ] {
                assert!(
                    !b.text.to_lowercase().contains(tag),
                    "{p}: {tag} in {:?}",
                    b.text
                );
            }
        }
        assert!(
            a.text().contains("before") && a.text().contains("after"),
            "{p}"
        );
    }
    // Safe links still work.
    let a = parse_markdown("x", "[ok](https://example.org)");
    assert_eq!(
        marks(&a),
        vec![("link https://example.org".into(), "ok".into())]
    );
}

#[test]
fn never_panics_on_odd_input() {
    for input in [
        "*",
        "**",
        "[",
        "![",
        "|a|\n|-|",
        "> > > >",
        "- - - -",
        "```",
        "<",
        "<!--",
        "\0",
        "# ",
        "1.\n2.",
        "[a]: <>",
        "***a*** _b_ __c__",
    ] {
        let a = parse_markdown("x", input);
        for b in &a.blocks {
            assert!(!b.text.contains('\n'));
            for m in &b.marks {
                assert!(m.start < m.end && m.end <= b.text.len(), "{input:?}");
            }
        }
    }
}
