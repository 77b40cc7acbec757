//! How many bytes one stored highlight costs: highlights made on the sample article (every
//! sentence-ish stretch of 5–12 words, with a short note and a tag), stored in the version-1
//! envelope and in the compact version 2 the app writes; printed as UTF-16 bytes (what
//! browsers count against the localStorage quota) and UTF-8.
//!
//! `cargo run -p lectern-core --example annotation_bytes`

use lectern_core::anchor::Describer;
use lectern_core::annotation::text_hash;
use lectern_core::annotation::{Annotation, Color};
use lectern_core::annotations_doc::{to_portable, to_stored, AnnotationsDoc, TextRef};
use lectern_core::library::seed_article;
use lectern_core::text::{utf16_len, ByteOffset};

fn main() {
    let article = seed_article();
    let text = article.text();
    let describer = Describer::new(&text);
    let words: Vec<(usize, usize)> = text
        .char_indices()
        .filter(|(i, c)| {
            !c.is_whitespace() && (*i == 0 || text[..*i].ends_with(char::is_whitespace))
        })
        .map(|(i, _)| {
            let end = text[i..]
                .find(char::is_whitespace)
                .map_or(text.len(), |e| i + e);
            (i, end)
        })
        .collect();
    let mut annotations = Vec::new();
    let mut w = 0;
    let mut n = 0;
    while w + 8 < words.len() {
        let len = 5 + n % 8;
        let (s, _) = words[w];
        let (_, e) = words[(w + len).min(words.len() - 1)];
        let target = describer.describe(ByteOffset(s)..ByteOffset(e)).unwrap();
        annotations.push(Annotation {
            id: format!("6c656374-6572-4e2d-a76f-{n:012x}"),
            article_id: article.id.clone(),
            target: Some(target),
            color: Color::ALL[n % 5],
            note: format!("Заметка {n}: важно"),
            tags: vec!["мид".into()],
            created: "2026-12-06T10:00:00.000Z".into(),
            modified: "2026-12-06T10:05:00.000Z".into(),
        });
        w += len + 3;
        n += 1;
    }
    let doc = AnnotationsDoc {
        annotations,
        tombstones: Vec::new(),
    };
    let hash = text_hash(&text);
    let count = doc.annotations.len();
    for (name, stored) in [
        ("version 1 (every annotation whole)", to_portable(&doc)),
        (
            "version 2 (compact)",
            to_stored(
                &doc,
                Some(TextRef {
                    text: &text,
                    hash: &hash,
                }),
            ),
        ),
    ] {
        println!(
            "{name}: {count} highlights with a short note and a tag on the sample: {} UTF-16 bytes ({} per highlight), {} UTF-8 bytes ({} per highlight)",
            2 * utf16_len(&stored),
            2 * utf16_len(&stored) / count,
            stored.len(),
            stored.len() / count
        );
    }
    if std::env::var("SHOW").is_ok() {
        println!(
            "{}",
            serde_json::to_string_pretty(&doc.annotations[3]).unwrap()
        );
    }
}
