//! Where the notebook's time goes, natively (issue 18): a library of 200 articles with 50
//! highlights each stored as the app stores them, then reading every article's entries
//! (`read_article`: parse, decode, normalise, fold) and one search over the index, each phase
//! timed. The browser's figures are `node xtask/bench/notebook.mjs`'s; this shows the split.
//!
//!   cargo run --release -p lectern-core --example notebook_bench

use std::time::Instant;

use lectern_core::annotation::{text_hash, Annotation, Color};
use lectern_core::annotations_doc::{load_annotations, save_annotations, AnnotationsDoc, TextRef};
use lectern_core::library::{save_article, seed_article, ArticleMeta, LibraryDoc};
use lectern_core::notebook::{read_article, NotebookIndex, NotesQuery};
use lectern_core::parse::plain::parse_plain;
use lectern_core::storage::MemoryStore;
use lectern_core::text::ByteOffset;

const WORDS: &[&str] = &[
    "стороны",
    "обсудили",
    "соглашение",
    "детали",
    "формулировки",
    "сроки",
    "министерство",
    "встреча",
    "диалог",
    "отношения",
    "сотрудничество",
    "безопасность",
    "экономика",
    "торговля",
    "культура",
    "образование",
    "наука",
    "история",
    "общество",
    "город",
    "страна",
    "весна",
];

fn main() {
    let store = MemoryStore::default();
    let mut lib = LibraryDoc::default();
    let mut x: u64 = 7;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..200 {
        let mut text = format!("Статья {i}\n");
        for p in 0..22 {
            for s in 0..3 {
                let n = 8 + next() % 10;
                let words: Vec<&str> = (0..n)
                    .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
                    .collect();
                text.push_str(&words.join(" "));
                text.push_str(if s == 2 { ".\n" } else { ". " });
            }
            let _ = p;
        }
        let a = parse_plain(&format!("bench-{i:03}"), &text);
        save_article(&store, &a).unwrap();
        let t = a.text();
        let hash = text_hash(&t);
        let describer = lectern_core::anchor::Describer::new(&t);
        let mut annotations = Vec::new();
        let step = t.len() / 52;
        for k in 0..50 {
            let mut s = (k + 1) * step;
            while !t.is_char_boundary(s) {
                s += 1;
            }
            let mut e = (s + 60).min(t.len());
            while !t.is_char_boundary(e) {
                e += 1;
            }
            let Ok(target) = describer.describe(ByteOffset(s)..ByteOffset(e)) else {
                continue;
            };
            annotations.push(Annotation {
                id: format!("bench-{i:03}-h{k:03}"),
                article_id: a.id.clone(),
                target: Some(target),
                color: Color::ALL[k % 5],
                note: if k % 3 == 0 {
                    format!("Заметка {k}")
                } else {
                    String::new()
                },
                tags: if k % 4 == 0 {
                    vec!["важное".into()]
                } else {
                    vec![]
                },
                created: format!("2026-01-{:02}T10:{:02}:00.000Z", 1 + i % 28, k % 60),
                modified: format!("2026-01-{:02}T10:{:02}:00.000Z", 1 + i % 28, k % 60),
            });
        }
        let doc = AnnotationsDoc {
            annotations,
            tombstones: vec![],
        };
        save_annotations(
            &store,
            &a.id,
            &doc,
            Some(TextRef {
                text: &t,
                hash: &hash,
            }),
        )
        .unwrap();
        lib.articles
            .push(ArticleMeta::of(&a, "2026-01-01T00:00:00.000Z", None));
    }
    let _ = seed_article;
    let t0 = Instant::now();
    let docs: Vec<_> = lib
        .articles
        .iter()
        .map(|m| load_annotations(&store, &m.id, None))
        .collect();
    let load = t0.elapsed();
    let n: usize = docs.iter().map(|d| d.value.annotations.len()).sum();
    let tm = Instant::now();
    for d in &docs {
        std::hint::black_box(lectern_core::annotations_doc::merge(
            &d.value,
            &AnnotationsDoc::default(),
        ));
    }
    println!("merge(doc, empty) × 200 alone: {:?}", tm.elapsed());
    let tj = Instant::now();
    for m in &lib.articles {
        let raw = lectern_core::storage::KeyValueStore::get(
            &store,
            &lectern_core::annotations_doc::annotations_key(&m.id),
        )
        .unwrap()
        .unwrap();
        std::hint::black_box(serde_json::from_str::<serde_json::Value>(&raw).unwrap());
    }
    println!("JSON parse to Value × 200 alone: {:?}", tj.elapsed());
    let t1 = Instant::now();
    let mut ix = NotebookIndex::default();
    ix.sync_library(&lib);
    for m in &lib.articles {
        ix.put(read_article(&store, m, seed_article));
    }
    let read = t1.elapsed();
    let q = |t: &str| NotesQuery {
        text: t.into(),
        ..NotesQuery::default()
    };
    let t2 = Instant::now();
    let sel = ix.select(&q("с"));
    let key1 = t2.elapsed();
    let t3 = Instant::now();
    let sel2 = ix.select(&q("сог"));
    let key2 = t3.elapsed();
    let t4 = Instant::now();
    let sel3 = ix.select(&NotesQuery::default());
    let all = t4.elapsed();
    println!("{n} highlights in {} articles", lib.articles.len());
    println!("load_annotations × 200 (parse, decode, normalise): {load:?}");
    println!("read_article × 200 (the above + entries, folded): {read:?}");
    println!("select \"с\": {key1:?} ({} hits); \"сог\": {key2:?} ({} hits); everything: {all:?} ({} hits)", sel.count, sel2.count, sel3.count);
}
