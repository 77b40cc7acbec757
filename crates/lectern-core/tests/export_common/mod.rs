//! Shared fixtures for the export/import tests: an article with Cyrillic, emoji and Markdown
//! syntax in it, and annotations described on it by the crate's own `Describer`.
#![allow(dead_code)]

use lectern_core::anchor::Describer;
use lectern_core::annotation::{Annotation, Color};
use lectern_core::article::{Article, Block, BlockKind, Source};
use lectern_core::text::ByteOffset;

pub const T0: &str = "2024-11-21T10:00:00.000Z";
pub const T1: &str = "2024-11-21T11:30:00.000Z";
pub const T2: &str = "2024-11-22T09:15:00.000Z";

pub fn article() -> Article {
    Article {
        id: "art-1".into(),
        title: "Ёжики и звёзды: *заметки*".into(),
        source: Some(Source {
            label: "Источник".into(),
            name: "example.org".into(),
            url: Some("https://example.org".into()),
        }),
        lang: "ru".into(),
        blocks: vec![
            Block::new(
                BlockKind::Lead,
                "😀😀 Ёжик вышел из тумана и увидел звёзды.",
            ),
            Block::new(
                BlockKind::Paragraph,
                "# Не заголовок, а текст с *звёздочками* 🦔.",
            ),
            Block::new(
                BlockKind::Paragraph,
                "Ёжик сказал: «Звёзды — как ёжики». Потом ёжик ушёл домой.",
            ),
        ],
        published: Some("2024-11-20".into()),
        byline: Some("Сергей Козлов".into()),
        ..Default::default()
    }
}

/// A highlight on the `nth` (0-based) occurrence of `needle` in `article`'s text.
#[allow(clippy::too_many_arguments)]
pub fn highlight(
    article: &Article,
    id: &str,
    needle: &str,
    nth: usize,
    color: Color,
    note: &str,
    tags: &[&str],
    time: &str,
) -> Annotation {
    let text = article.text();
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the text"))
        .0;
    let target = Describer::new(&text)
        .describe(ByteOffset(start)..ByteOffset(start + needle.len()))
        .unwrap();
    Annotation {
        id: id.into(),
        article_id: article.id.clone(),
        target: Some(target),
        color,
        note: note.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        created: time.into(),
        modified: time.into(),
    }
}

pub fn article_note(article: &Article, id: &str, note: &str, time: &str) -> Annotation {
    Annotation {
        id: id.into(),
        article_id: article.id.clone(),
        target: None,
        color: Color::Yellow,
        note: note.into(),
        tags: vec!["сказки".into()],
        created: time.into(),
        modified: time.into(),
    }
}

/// Highlights given out of document order, an article note, and one orphan.
pub fn annotations(article: &Article) -> Vec<Annotation> {
    let mut orphan = highlight(
        article,
        "6c656374-6572-4e2d-a76f-000000000009",
        "туман",
        0,
        Color::Blue,
        "",
        &[],
        T2,
    );
    if let Some(t) = orphan.target.as_mut() {
        t.quote.exact = "совсем другой текст, которого нет".into();
        t.quote.prefix = "ничего общего ".into();
        t.quote.suffix = " с этой статьёй".into();
        t.text_hash = "fnv1a64:0000000000000000".into();
    }
    vec![
        highlight(
            article,
            "6c656374-6572-4e2d-a76f-000000000003",
            "ёжик ушёл домой",
            0,
            Color::Green,
            "Конец *истории*.\n\nВторой абзац.",
            &["финал", "to read"],
            T1,
        ),
        highlight(
            article,
            "6c656374-6572-4e2d-a76f-000000000001",
            "Ёжик вышел",
            0,
            Color::Yellow,
            "",
            &[],
            T0,
        ),
        article_note(
            article,
            "6c656374-6572-4e2d-a76f-000000000000",
            "Очень **добрая** сказка.",
            T0,
        ),
        highlight(
            article,
            "6c656374-6572-4e2d-a76f-000000000002",
            "*звёздочками* 🦔",
            0,
            Color::Pink,
            "Проверка экранирования",
            &["markdown"],
            T0,
        ),
        orphan,
    ]
}
