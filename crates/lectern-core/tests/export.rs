//! Export and import: Markdown, W3C JSON-LD (out, in, attach), backups (round trip, merge,
//! validation table, all-or-nothing save). The WPT schema checks are in `export_wpt.rs`.

mod export_common;

use std::collections::BTreeMap;

use export_common::*;
use lectern_core::annotation::{Annotation, Color};
use lectern_core::annotations_doc::{merge, AnnotationsDoc, Tombstone};
use lectern_core::article::{Article, Block, BlockKind, Mark, MarkKind};
use lectern_core::export::backup::{backup_to_string, BACKUP_FORMAT};
use lectern_core::export::jsonld::PositionUnit;
use lectern_core::export::{
    attach, merge_backup, parse_backup, parse_jsonld, save_changes, to_backup, to_jsonld,
    to_jsonld_library, to_markdown, to_markdown_library, ArticleExport, Backup, CurrentData,
    ImportProblem, MAX_IMPORT_BYTES,
};
use lectern_core::library::{ArticleMeta, LibraryDoc, SEED_ID};
use lectern_core::parse::plain::parse_plain;
use lectern_core::settings::{FontFamily, Settings, Theme, UiLang};
use lectern_core::storage::{KeyValueStore, MemoryStore};
use lectern_core::text::{cp_len, utf16_len};
use proptest::prelude::*;
use serde_json::{json, Value};

// ---- Markdown ----

#[test]
fn markdown_orders_highlights_by_document_and_puts_orphans_last() {
    let a = article();
    let meta = ArticleMeta::of(&a, "2024-11-21T09:00:00.000Z", Some("ёжик.md".into()));
    let md = to_markdown(&a, Some(&meta), &annotations(&a));
    println!("{md}");
    assert!(
        md.starts_with("# Ёжики и звёзды: \\*заметки\\*\n\n"),
        "{md}"
    );
    for fact in [
        "- Source: [example.org](<https://example.org>)\n",
        "- Author: Сергей Козлов\n",
        "- Published: 2024-11-20\n",
        "- Added: 2024-11-21T09:00:00.000Z\n",
        "- Highlights: 4 (1 orphaned)\n",
    ] {
        assert!(md.contains(fact), "missing {fact:?}");
    }
    let pos = |s: &str| {
        md.find(s)
            .unwrap_or_else(|| panic!("missing {s:?} in\n{md}"))
    };
    // Article note first, then highlights in document order (not input order), orphans last.
    let order = [
        "## Article note",
        "Очень **добрая** сказка.",
        "## Highlights",
        "> Ёжик вышел",
        "> \\*звёздочками\\* 🦔",
        "> ёжик ушёл домой",
        "## Orphaned highlights",
        "> совсем другой текст, которого нет",
    ];
    for w in order.windows(2) {
        assert!(
            pos(w[0]) < pos(w[1]),
            "{:?} should come before {:?}",
            w[0],
            w[1]
        );
    }
    assert!(md.contains(
        "- Colour: green\n- Tags: #финал #to-read\n\nКонец *истории*.\n\nВторой абзац.\n"
    ));
    assert!(md.contains("- Colour: blue\n- Status: orphan\n"));
    assert!(md.contains("- Tags: #сказки"));
    assert!(md.ends_with("---\n"), "{md:?}");
}

#[test]
fn markdown_library_is_articles_one_after_another_each_under_h1() {
    let a = article();
    let anns = annotations(&a);
    let b = parse_plain("b", "Второй текст\nПросто абзац.");
    let md = to_markdown_library(&[
        ArticleExport {
            article: &a,
            meta: None,
            annotations: &anns,
        },
        ArticleExport {
            article: &b,
            meta: None,
            annotations: &[],
        },
    ]);
    let h1: Vec<&str> = md.lines().filter(|l| l.starts_with("# ")).collect();
    assert_eq!(h1, ["# Ёжики и звёзды: \\*заметки\\*", "# Второй текст"]);
}

// ---- JSON-LD out ----

#[test]
fn jsonld_collection_has_w3c_shape_and_code_point_positions() {
    let a = article();
    let anns = annotations(&a);
    let doc = to_jsonld(&a, &anns);
    assert_eq!(doc["@context"], "http://www.w3.org/ns/anno.jsonld");
    assert_eq!(doc["type"], "AnnotationCollection");
    assert_eq!(doc["id"], "urn:lectern:collection:art-1");
    assert_eq!(doc["total"], 5);
    let items = doc["first"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    // The article note comes first and targets the article itself.
    assert_eq!(items[0]["target"]["id"], "urn:lectern:article:art-1");
    assert!(items[0]["target"].get("selector").is_none());
    assert_eq!(items[0]["motivation"], "commenting");

    let text = a.text();
    let by_id = |id: &str| {
        items
            .iter()
            .find(|x| x["id"] == format!("urn:uuid:{id}"))
            .unwrap_or_else(|| panic!("{id}"))
    };
    let pink = by_id("6c656374-6572-4e2d-a76f-000000000002");
    let t = &pink["target"];
    assert_eq!(t["source"]["id"], "urn:lectern:article:art-1");
    assert_eq!(t["source"]["via"], "https://example.org");
    assert_eq!(t["styleClass"], "lectern-pink");
    assert_eq!(pink["stylesheet"]["type"], "CssStylesheet");
    assert!(pink["stylesheet"]["value"]
        .as_str()
        .unwrap()
        .starts_with(".lectern-pink {"));
    assert_eq!(t["selector"][0]["type"], "TextQuoteSelector");
    assert_eq!(t["selector"][0]["exact"], "*звёздочками* 🦔");
    assert!(!t["selector"][0]["prefix"].as_str().unwrap().is_empty());
    assert_eq!(t["selector"][1]["type"], "TextPositionSelector");
    // Code points, not bytes or UTF-16 units: two emoji before it in the lead.
    let start_byte = text.find("*звёздочками*").unwrap();
    let start_cp = text[..start_byte].chars().count();
    assert_eq!(t["selector"][1]["start"], start_cp);
    assert_eq!(
        t["selector"][1]["end"],
        start_cp + cp_len("*звёздочками* 🦔")
    );
    assert_ne!(start_cp, utf16_len(&text[..start_byte]));
    assert_eq!(pink["motivation"], "commenting");
    assert_eq!(
        pink["body"],
        json!([
            {"type": "TextualBody", "value": "Проверка экранирования", "format": "text/markdown", "purpose": "commenting", "created": T0, "modified": T0},
            {"type": "TextualBody", "value": "markdown", "purpose": "tagging"}
        ])
    );
    assert_eq!(pink["created"], T0);
    assert_eq!(pink["modified"], T0);
    let plain = by_id("6c656374-6572-4e2d-a76f-000000000001");
    assert_eq!(plain["motivation"], "highlighting");
    assert!(plain.get("body").is_none());
}

#[test]
fn jsonld_library_names_each_annotations_article() {
    let a = article();
    let anns = annotations(&a);
    let b = parse_plain("b", "Второй текст\nПросто абзац.");
    let note = article_note(&b, "n-b", "Заметка", T0);
    let doc = to_jsonld_library(&[
        ArticleExport {
            article: &a,
            meta: None,
            annotations: &anns,
        },
        ArticleExport {
            article: &b,
            meta: None,
            annotations: std::slice::from_ref(&note),
        },
    ]);
    assert_eq!(doc["id"], "urn:lectern:library");
    assert_eq!(doc["total"], 6);
    assert_eq!(
        doc["first"]["items"][5]["target"]["id"],
        "urn:lectern:article:b"
    );
    assert_eq!(doc["first"]["items"][5]["id"], "urn:lectern:annotation:n-b");
}

// ---- JSON-LD in ----

fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new-{n}")
    }
}

#[test]
fn lectern_jsonld_round_trips_through_parse_and_attach() {
    let a = article();
    let anns = annotations(&a);
    let raw = serde_json::to_string_pretty(&to_jsonld(&a, &anns)).unwrap();
    let imported = parse_jsonld(&raw).unwrap();
    assert_eq!(imported.len(), 5);
    assert!(imported
        .iter()
        .filter_map(|i| i.target.as_ref())
        .all(|t| t.unit == PositionUnit::CodePoint));
    let (back, report) = attach(&a, imported, counter(), "2030-01-01T00:00:00.000Z");
    assert_eq!(
        (report.exact, report.fuzzy, report.orphans, report.notes),
        (3, 0, 1, 1)
    );
    assert_eq!(back.len(), 5);
    for orig in &anns {
        let got = back
            .iter()
            .find(|b| b.note == orig.note && b.created == orig.created && b.color == orig.color)
            .unwrap_or_else(|| panic!("lost {:?}", orig.id));
        assert_eq!(got.article_id, a.id);
        assert!(got.id.starts_with("new-"));
        assert_eq!(got.modified, orig.modified);
        // Tags normalised the same way the app does (spaces → '-').
        let want: Vec<String> = orig
            .tags
            .iter()
            .filter_map(|t| lectern_core::search::normalize_tag(t))
            .collect();
        assert_eq!(got.tags, want);
        match (&orig.target, &got.target) {
            (None, None) => {}
            (Some(o), Some(g)) => {
                assert_eq!(g.quote.exact, o.quote.exact);
                if o.text_hash == lectern_core::annotation::text_hash(&a.text()) {
                    // Placed exactly: re-described identically.
                    assert_eq!(g, o);
                } else {
                    // The orphan keeps its quote and context.
                    assert_eq!(g.quote, o.quote);
                }
            }
            other => panic!("target kind changed: {other:?}"),
        }
    }
}

/// A Hypothesis API row for the `nth` occurrence of `needle`, with positions in UTF-16 code
/// units as Hypothesis counts them.
fn hypothesis_row(text: &str, needle: &str, nth: usize, note: &str, tags: &[&str]) -> Value {
    let start = text.match_indices(needle).nth(nth).unwrap().0;
    let end = start + needle.len();
    let ctx = 20;
    let prefix: String = text[..start]
        .chars()
        .rev()
        .take(ctx)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let suffix: String = text[end..].chars().take(ctx).collect();
    json!({
        "id": "AbCdEf123",
        "created": "2024-05-01T12:00:00.123456+00:00",
        "updated": "2024-05-02T08:00:00.000000+00:00",
        "user": "acct:reader@hypothes.is",
        "uri": "https://example.org/hedgehog",
        "text": note,
        "tags": tags,
        "target": [{
            "source": "https://example.org/hedgehog",
            "selector": [
                {"type": "RangeSelector", "endOffset": 12, "startOffset": 3,
                 "endContainer": "/div[1]/p[3]", "startContainer": "/div[1]/p[3]"},
                {"type": "TextPositionSelector", "start": utf16_len(&text[..start]), "end": utf16_len(&text[..end])},
                {"type": "TextQuoteSelector", "exact": needle, "prefix": prefix, "suffix": suffix}
            ]
        }],
        "document": {"title": ["Ёжик"]},
        "links": {"html": "https://hypothes.is/a/AbCdEf123"}
    })
}

#[test]
fn hypothesis_utf16_positions_are_hints_and_the_quote_decides() {
    // Emoji before the quotes: UTF-16 positions are off by one per emoji when read as code
    // points, and "ёжик" occurs several times, so a wrong position would pick another one.
    let a = article();
    let text = a.text();
    let rows = json!({"total": 3, "rows": [
        hypothesis_row(&text, "ёжик", 1, "второй ёжик", &["h"]),
        hypothesis_row(&text, "звёзды", 0, "", &[]),
        {
            "id": "PageNote1", "created": "2024-05-01T12:00:00+00:00", "updated": "2024-05-01T12:00:00+00:00",
            "user": "acct:reader@hypothes.is", "uri": "https://example.org/hedgehog",
            "text": "A page note", "tags": ["page"], "target": [{"source": "https://example.org/hedgehog"}]
        }
    ]});
    let imported = parse_jsonld(&rows.to_string()).unwrap();
    assert_eq!(imported.len(), 3);
    let t0 = imported[0].target.as_ref().unwrap();
    assert_eq!(t0.unit, PositionUnit::Utf16);
    let want_byte = text.match_indices("ёжик").nth(1).unwrap().0;
    let (start_u16, _) = t0.position.unwrap();
    // The premise: read as code points, the UTF-16 position does not point at the quote.
    let as_cp: String = text.chars().skip(start_u16).take(4).collect();
    assert_ne!(as_cp, "ёжик");
    assert_eq!(
        imported[0].created.as_deref(),
        Some("2024-05-01T12:00:00.123456Z")
    );
    assert_eq!(
        imported[0].modified.as_deref(),
        Some("2024-05-02T08:00:00.000000Z")
    );

    let (got, report) = attach(&a, imported.clone(), counter(), T2);
    assert_eq!(
        (report.exact, report.fuzzy, report.orphans, report.notes),
        (2, 0, 0, 1)
    );
    let t = got[0].target.as_ref().unwrap();
    assert_eq!(t.position.start.0, text[..want_byte].chars().count());
    assert_eq!(t.quote.exact, "ёжик");
    assert_eq!(got[0].note, "второй ёжик");
    assert_eq!(got[0].tags, ["h"]);
    assert_eq!(got[1].target.as_ref().unwrap().quote.exact, "звёзды");
    assert!(got[2].target.is_none());
    assert_eq!(got[2].note, "A page note");

    // Even a position that is plain wrong (0..4) does not move it: the context decides.
    let mut bogus = imported;
    bogus[0].target.as_mut().unwrap().position = Some((0, 4));
    let (got, report) = attach(&a, bogus, counter(), T2);
    assert_eq!(report.exact, 2);
    assert_eq!(
        got[0].target.as_ref().unwrap().position.start.0,
        text[..want_byte].chars().count()
    );
}

#[test]
fn attach_on_an_edited_article_is_fuzzy_or_orphan_never_lost() {
    let a = article();
    let raw = to_jsonld(&a, &annotations(&a)).to_string();
    let mut edited = a.clone();
    edited.blocks[2].text = "Ежик сказал: «Звезды — как ежики». Потом ежик ушел домой.".into();
    let (got, report) = attach(&edited, parse_jsonld(&raw).unwrap(), counter(), T2);
    assert_eq!(got.len(), 5);
    assert_eq!(
        report.exact + report.fuzzy + report.orphans + report.notes,
        5
    );
    assert!(report.fuzzy >= 1, "{report:?}");
    let moved = got.iter().find(|g| g.note.starts_with("Конец")).unwrap();
    // Fuzzy keeps the imported quote so the app asks the user to check it.
    assert_eq!(
        moved.target.as_ref().unwrap().quote.exact,
        "ёжик ушёл домой"
    );
}

#[test]
fn jsonld_problems_name_the_field_and_its_path() {
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("not json", "{\"type\":", "not valid JSON", None),
        ("empty", "  ", "empty", None),
        (
            "a number",
            "42",
            "not W3C Web Annotation JSON-LD",
            Some("$"),
        ),
        (
            "other object",
            r#"{"hello":1}"#,
            "not W3C Web Annotation JSON-LD",
            Some("$"),
        ),
        (
            "exact not a string",
            r#"{"type":"Annotation","target":{"source":"urn:x","selector":{"type":"TextQuoteSelector","exact":5}}}"#,
            "`exact` must be a string, found a number",
            Some("$.target.selector.exact"),
        ),
        (
            "negative position",
            r#"[{"type":"Annotation","target":{"source":"urn:x","selector":[{"type":"TextPositionSelector","start":-1,"end":3}]}}]"#,
            "`start` must be a non-negative integer, found -1",
            Some("$[0].target.selector[0].start"),
        ),
        (
            "missing exact",
            r#"{"rows":[{"target":[{"source":"s","selector":[{"type":"TextQuoteSelector","prefix":"a"}]}]}]}"#,
            "missing field `exact`",
            Some("$.rows[0].target[0].selector[0]"),
        ),
        (
            "missing target",
            r#"{"type":"AnnotationPage","items":[{"type":"Annotation","body":{"value":"x"}}]}"#,
            "missing field `target`",
            Some("$.items[0]"),
        ),
        (
            "items not an array",
            r#"{"type":"AnnotationCollection","first":{"items":{}}}"#,
            "`items` must be an array",
            Some("$.first.items"),
        ),
        (
            "linked first page",
            r#"{"type":"AnnotationCollection","first":"https://x/page1"}"#,
            "only linked",
            Some("$.first"),
        ),
        (
            "tag not a string",
            r#"{"rows":[{"tags":["a",7],"target":[{"source":"s"}]}]}"#,
            "a tag must be a string",
            Some("$.rows[0].tags[1]"),
        ),
        (
            "body of a wrong kind",
            r#"{"type":"Annotation","body":[true],"target":"urn:x"}"#,
            "a body must be an object or an IRI",
            Some("$.body[0]"),
        ),
        (
            "reversed position",
            r#"{"type":"Annotation","target":{"source":"urn:x","selector":{"type":"TextPositionSelector","start":9,"end":3}}}"#,
            "ends (3) before it starts (9)",
            Some("$.target.selector"),
        ),
    ];
    for (name, raw, msg, path) in cases {
        let err = parse_jsonld(raw).expect_err(name);
        assert!(err.message.contains(msg), "{name}: {err}");
        assert_eq!(err.path.as_deref(), *path, "{name}: {err}");
    }
}

// ---- Backups ----

fn state() -> CurrentData {
    let a = article();
    let seed = parse_plain(SEED_ID, "Пример\nТекст примера 😀.");
    let mut annotations = BTreeMap::new();
    annotations.insert(
        a.id.clone(),
        merge(
            &AnnotationsDoc {
                annotations: annotations_of(&a),
                tombstones: vec![Tombstone {
                    id: "gone".into(),
                    deleted: T1.into(),
                }],
            },
            &AnnotationsDoc::default(),
        ),
    );
    annotations.insert(
        SEED_ID.to_owned(),
        AnnotationsDoc {
            annotations: vec![article_note(&seed, "seed-note", "Про пример", T2)],
            tombstones: vec![],
        },
    );
    CurrentData {
        library: LibraryDoc {
            articles: vec![
                ArticleMeta::of(&seed, "2026-01-01T00:00:00.000Z", None),
                ArticleMeta::of(&a, T0, Some("ёжик.md".into())),
            ],
            removed: Vec::new(),
        },
        articles: BTreeMap::from([(a.id.clone(), a)]),
        annotations,
        settings: Settings {
            theme: Theme::Sepia,
            font: FontFamily::Sans,
            font_size_px: 21,
            ui_lang: UiLang::Ru,
            ..Settings::default()
        },
    }
}

fn annotations_of(a: &Article) -> Vec<Annotation> {
    annotations(a)
}

#[test]
fn backup_file_has_the_versioned_envelope_and_omits_the_seed_content() {
    let s = state();
    let raw = to_backup(&s, T2);
    let v: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v["format"], BACKUP_FORMAT);
    assert_eq!(v["version"], 1);
    assert_eq!(v["exported"], T2);
    assert!(
        raw.starts_with("{\n  \"format\": \"lectern-backup\",\n  \"version\": 1,"),
        "{}",
        &raw[..80]
    );
    assert_eq!(v["library"]["articles"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["articles"].as_array().unwrap().len(),
        1,
        "the seed's text is built in"
    );
    assert_eq!(
        v["annotations"][SEED_ID]["annotations"][0]["note"],
        "Про пример"
    );
    assert_eq!(v["settings"]["theme"], "sepia");
}

#[test]
fn backup_restores_into_an_empty_library_and_a_second_import_changes_nothing() {
    let s = state();
    let backup = parse_backup(&to_backup(&s, T2)).unwrap();
    let (restored, report) = merge_backup(&CurrentData::default(), &backup);
    assert_eq!(restored, s);
    assert_eq!(report.articles.added, 2);
    assert_eq!(report.annotations.added, 6);
    assert!(report.settings_updated);
    assert_eq!((report.added, report.updated, report.skipped), (8, 1, 0));

    let (again, report) = merge_backup(&restored, &backup);
    assert_eq!(again, restored);
    assert!(report.is_unchanged(), "{report:?}");
    assert_eq!(
        (report.added, report.updated, report.skipped),
        (0, 0, 2 + 6 + 1)
    );
}

#[test]
fn merge_keeps_newer_local_edits_takes_newer_backup_ones_and_never_duplicates() {
    let s = state();
    let backup = parse_backup(&to_backup(&s, T2)).unwrap();
    let mut current = s.clone();
    let doc = current.annotations.get_mut("art-1").unwrap();
    // Local: one annotation edited after the backup, one older than the backup's copy
    // (simulated by making the backup's newer), one deleted locally after the backup.
    doc.annotations[0].note = "edited locally".into();
    doc.annotations[0].modified = "2030-01-01T00:00:00.000Z".into();
    let deleted_id = doc.annotations[1].id.clone();
    doc.annotations.remove(1);
    doc.tombstones.push(Tombstone {
        id: deleted_id.clone(),
        deleted: "2030-01-01T00:00:00.000Z".into(),
    });
    let mut newer_backup = backup.clone();
    let bdoc = newer_backup.annotations.get_mut("art-1").unwrap();
    bdoc.annotations[2].color = Color::Purple;
    bdoc.annotations[2].modified = "2029-01-01T00:00:00.000Z".into();
    let (merged, report) = merge_backup(&current, &newer_backup);
    let m = &merged.annotations["art-1"];
    assert_eq!(
        m.annotations.len(),
        4,
        "no duplicates, the local deletion holds"
    );
    assert!(m.annotations.iter().all(|a| a.id != deleted_id));
    assert!(m.annotations.iter().any(|a| a.note == "edited locally"));
    assert!(m.annotations.iter().any(|a| a.color == Color::Purple));
    assert_eq!(report.annotations.updated, 1, "{report:?}");
    assert_eq!(report.annotations.added, 0);
    assert_eq!(merged.library, s.library);
}

#[test]
fn merge_adds_missing_content_and_articles_but_keeps_existing_entries() {
    let s = state();
    let backup = parse_backup(&to_backup(&s, T2)).unwrap();
    let mut current = CurrentData::default();
    let mut renamed = s.library.articles[1].clone();
    renamed.title = "Renamed here".into();
    current.library.articles.push(renamed.clone());
    let (merged, report) = merge_backup(&current, &backup);
    assert_eq!(
        merged.library.articles[0], renamed,
        "an existing entry is kept as it is"
    );
    assert_eq!(merged.library.articles[1].id, SEED_ID);
    assert_eq!(
        merged.articles["art-1"], s.articles["art-1"],
        "missing content restored"
    );
    assert_eq!((report.articles.added, report.articles.updated), (1, 1));
}

#[test]
fn saving_is_all_or_nothing() {
    let s = state();
    let backup = parse_backup(&to_backup(&s, T2)).unwrap();
    let empty = CurrentData::default();
    let (merged, _) = merge_backup(&empty, &backup);

    let store = MemoryStore::default();
    let n = save_changes(&store, &empty, &merged, &[], T2).unwrap();
    assert_eq!(
        n,
        1 + 2 + 1 + 1,
        "content, two annotation docs, settings, library"
    );
    let seed = parse_plain(SEED_ID, "Пример\nТекст примера 😀.");
    let loaded = CurrentData::load(&store, &seed);
    assert!(loaded.problems.is_empty() && loaded.read_only.is_empty());
    assert_eq!(loaded.data, merged);

    // A quota that lets the first writes through but not the library list: nothing stays.
    let before = MemoryStore::with(&[("lectern.v1.settings", r#"{"version":1,"data":{}}"#)]);
    let total: usize = store
        .map
        .borrow()
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum();
    let mut tight = before;
    tight.quota_bytes = Some(total - 50);
    let snapshot = tight.map.borrow().clone();
    let err = save_changes(&tight, &empty, &merged, &[], T2).unwrap_err();
    assert!(
        matches!(err, lectern_core::storage::StoreError::QuotaExceeded { .. }),
        "{err:?}"
    );
    assert_eq!(*tight.map.borrow(), snapshot, "every write rolled back");

    // Read-only keys refuse the whole import up front.
    let fresh = MemoryStore::default();
    assert!(save_changes(&fresh, &empty, &merged, &["lectern.v1.library".into()], T2).is_err());
    assert!(fresh.get("lectern.v1.settings").unwrap().is_none());
}

/// A valid backup as JSON, to break in one place.
fn good() -> Value {
    serde_json::from_str(&to_backup(&state(), T2)).unwrap()
}

fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut v = good();
    f(&mut v);
    v.to_string()
}

#[test]
fn malformed_backups_are_refused_with_the_problem_and_its_path() {
    let huge = format!(
        "{{\"format\":\"lectern-backup\",\"pad\":\"{}\"}}",
        "x".repeat(MAX_IMPORT_BYTES)
    );
    let many = with(|v| {
        let tomb = json!({"id": "t", "deleted": T0});
        v["annotations"]["art-1"]["tombstones"] = Value::Array(vec![tomb; 100_001]);
    });
    let cases: Vec<(&str, String, &str, Option<&str>)> = vec![
        (
            "not json",
            "{\"format\": \"lectern-backup\",".into(),
            "not valid JSON",
            None,
        ),
        ("empty file", "".into(), "empty", None),
        ("too large", huge, "too large", None),
        (
            "an array",
            "[1,2]".into(),
            "expected a JSON object",
            Some("$"),
        ),
        (
            "no format",
            with(|v| {
                v.as_object_mut().unwrap().remove("format");
            }),
            "missing field `format`",
            Some("$"),
        ),
        (
            "other format",
            with(|v| v["format"] = "zotero".into()),
            "not a Lectern backup",
            Some("$.format"),
        ),
        (
            "newer version",
            with(|v| v["version"] = 2.into()),
            "newer Lectern",
            Some("$.version"),
        ),
        (
            "version zero",
            with(|v| v["version"] = 0.into()),
            "unknown backup version 0",
            Some("$.version"),
        ),
        (
            "version as text",
            with(|v| v["version"] = "1".into()),
            "must be a positive integer",
            Some("$.version"),
        ),
        (
            "no version",
            with(|v| {
                v.as_object_mut().unwrap().remove("version");
            }),
            "missing field `version`",
            Some("$"),
        ),
        (
            "no library",
            with(|v| {
                v.as_object_mut().unwrap().remove("library");
            }),
            "missing field `library`",
            Some("$"),
        ),
        (
            "created is a number",
            with(|v| v["annotations"]["art-1"]["annotations"][3]["created"] = 5.into()),
            "invalid type: integer `5`, expected a string",
            Some("$.annotations.art-1.annotations[3].created"),
        ),
        (
            "created is not a timestamp",
            with(|v| v["annotations"]["seed"]["annotations"][0]["created"] = "yesterday".into()),
            "not an ISO 8601 UTC timestamp",
            Some("$.annotations.seed.annotations[0].created"),
        ),
        (
            "unknown colour",
            with(|v| v["annotations"]["art-1"]["annotations"][1]["color"] = "red".into()),
            "unknown variant `red`",
            Some("$.annotations.art-1.annotations[1].color"),
        ),
        (
            "missing note",
            with(|v| {
                v["annotations"]["art-1"]["annotations"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("note");
            }),
            "missing field `note`",
            Some("$.annotations.art-1.annotations[0]"),
        ),
        (
            "quote is not a string",
            with(|v| {
                v["annotations"]["art-1"]["annotations"][1]["target"]["quote"]["exact"] =
                    json!(["x"])
            }),
            "invalid type: sequence, expected a string",
            Some("$.annotations.art-1.annotations[1].target.quote.exact"),
        ),
        (
            "negative position",
            with(|v| {
                v["annotations"]["art-1"]["annotations"][1]["target"]["position"]["start"] =
                    (-3).into()
            }),
            "invalid value: integer `-3`",
            Some("$.annotations.art-1.annotations[1].target.position.start"),
        ),
        (
            "reversed position",
            with(|v| {
                v["annotations"]["art-1"]["annotations"][1]["target"]["position"]["start"] =
                    1000.into()
            }),
            "ends",
            Some("$.annotations.art-1.annotations[1].target.position"),
        ),
        (
            "annotations of an unlisted article",
            with(|v| v["annotations"]["ghost"] = json!({"annotations": []})),
            "not in the library",
            Some("$.annotations.ghost"),
        ),
        (
            "annotation filed under another article",
            with(|v| v["annotations"]["art-1"]["annotations"][0]["articleId"] = "seed".into()),
            "says it belongs to",
            Some("$.annotations.art-1.annotations[0].articleId"),
        ),
        (
            "article listed twice",
            with(|v| {
                let first = v["library"]["articles"][0].clone();
                v["library"]["articles"].as_array_mut().unwrap().push(first);
            }),
            "listed twice",
            Some("$.library.articles[2].id"),
        ),
        (
            "content of an unlisted article",
            with(|v| v["articles"][0]["id"] = "stray".into()),
            "not in the library",
            Some("$.articles[0].id"),
        ),
        (
            "empty article id",
            with(|v| v["library"]["articles"][1]["id"] = "".into()),
            "the article id is empty",
            Some("$.library.articles[1].id"),
        ),
        (
            "block with a line break",
            with(|v| v["articles"][0]["blocks"][1]["text"] = "a\nb".into()),
            "line break",
            Some("$.articles[0].blocks[1].text"),
        ),
        (
            "mark outside its block",
            with(|v| {
                v["articles"][0]["blocks"][0]["marks"] =
                    json!([{"start": 0, "end": 999, "kind": "strong"}])
            }),
            "outside its block",
            Some("$.articles[0].blocks[0].marks[0]"),
        ),
        (
            "mark inside a character",
            with(|v| {
                v["articles"][0]["blocks"][0]["marks"] =
                    json!([{"start": 1, "end": 4, "kind": "emphasis"}])
            }),
            "inside a character",
            Some("$.articles[0].blocks[0].marks[0]"),
        ),
        (
            "tag too long",
            with(|v| {
                v["annotations"]["art-1"]["annotations"][0]["tags"] = json!(["x".repeat(5000)])
            }),
            "a tag is too long",
            Some("$.annotations.art-1.annotations[0].tags[0]"),
        ),
        (
            "settings of the wrong type",
            with(|v| v["settings"]["theme"] = 42.into()),
            "invalid type: integer `42`",
            Some("$.settings.theme"),
        ),
        (
            "too many annotations",
            many,
            "too many annotations: 100007, at most 100000",
            Some("$.annotations"),
        ),
    ];
    for (name, raw, msg, path) in &cases {
        let err: ImportProblem = parse_backup(raw).expect_err(name);
        println!("{name:<40} {err}");
        assert!(err.message.contains(msg), "{name}: {err}");
        assert_eq!(err.path.as_deref(), *path, "{name}: {err}");
    }
    // And the unbroken file parses.
    assert!(parse_backup(&good().to_string()).is_ok());
}

#[test]
fn out_of_range_settings_are_clamped_not_refused() {
    let raw = with(|v| v["settings"]["fontSizePx"] = 200.into());
    assert_eq!(parse_backup(&raw).unwrap().settings.font_size_px, 28);
}

// ---- Round-trip property ----

// Article ids follow the grammar of routes and keys (`route::is_valid_id`); others are refused.
const IDS: [&str; 4] = ["seed", "a-1", "B2", "x-y-3"];
const TIMES: [&str; 4] = [
    "2024-01-01T00:00:00.000Z",
    "2024-01-01T00:00:01Z",
    "2024-06-30T12:00:00.500Z",
    "2025-12-31T23:59:59.999Z",
];
const TEXTS: [&str; 3] = [
    "Заголовок\nПервый абзац 😀 с ёжиком.\nВторой абзац.",
    "Title\nPlain English text, with a quote: «hi».",
    "T\n🦔🦔🦔\n\nпустая строка выше",
];

fn arb_annotation(article: Article) -> impl Strategy<Value = Annotation> {
    let text = article.text();
    let n = text.chars().count();
    (
        0..1000usize,
        prop::option::of((0..=n, 0..=n)),
        0..5usize,
        "[a-zа-яё *#😀]{0,12}",
        prop::collection::vec("[a-zа-я]{1,6}", 0..3),
        0..4usize,
        0..4usize,
    )
        .prop_map(move |(id, range, color, note, tags, c, m)| {
            let target = range.map(|(x, y)| {
                let (s, e) = (x.min(y), x.max(y));
                let idx = lectern_core::text::TextIndex::new(&text);
                lectern_core::anchor::describe(
                    &text,
                    idx.cp_to_byte_clamped(lectern_core::text::CodePointOffset(s))
                        ..idx.cp_to_byte_clamped(lectern_core::text::CodePointOffset(e)),
                )
                .unwrap()
            });
            Annotation {
                id: format!("ann-{id}"),
                article_id: article.id.clone(),
                target,
                color: Color::ALL[color],
                note,
                tags,
                created: TIMES[c].into(),
                modified: TIMES[c.max(m)].into(),
            }
        })
}

fn arb_state() -> impl Strategy<Value = CurrentData> {
    (
        prop::sample::subsequence(IDS.to_vec(), 0..=IDS.len()),
        prop::collection::vec(0..TEXTS.len(), IDS.len()),
        prop::collection::vec(any::<bool>(), IDS.len()),
        any::<u8>(),
        0..4usize,
    )
        .prop_flat_map(|(ids, texts, has_content, font, theme)| {
            let articles: Vec<Article> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let mut a = parse_plain(id, TEXTS[texts[i]]);
                    if let (0, Some(c)) = (i, a.blocks[0].text.chars().next()) {
                        a.blocks[0].marks = vec![Mark {
                            start: 0,
                            end: c.len_utf8(),
                            kind: MarkKind::Strong,
                        }];
                    }
                    a.blocks
                        .push(Block::new(BlockKind::Quote, format!("цитата {i}")));
                    a
                })
                .collect();
            let docs: Vec<_> = articles
                .iter()
                .map(|a| {
                    (
                        prop::collection::vec(arb_annotation(a.clone()), 0..5),
                        prop::collection::vec((0..1000usize, 0..4usize), 0..2),
                    )
                })
                .collect();
            let has_content = has_content.clone();
            (
                Just(articles),
                docs,
                Just(has_content),
                Just(font),
                Just(theme),
            )
        })
        .prop_map(|(articles, docs, has_content, font, theme)| {
            let mut data = CurrentData::default();
            for (i, (a, (anns, tombs))) in articles.iter().zip(docs).enumerate() {
                data.library.articles.push(ArticleMeta::of(
                    a,
                    TIMES[i % 4],
                    (i % 2 == 0).then(|| format!("{}.txt", a.id)),
                ));
                if a.id != SEED_ID && has_content[i] {
                    data.articles.insert(a.id.clone(), a.clone());
                }
                let doc = merge(
                    &AnnotationsDoc {
                        annotations: anns,
                        tombstones: tombs
                            .into_iter()
                            .map(|(id, t)| Tombstone {
                                id: format!("ann-{id}"),
                                deleted: TIMES[t].into(),
                            })
                            .collect(),
                    },
                    &AnnotationsDoc::default(),
                );
                if i % 3 != 2 {
                    data.annotations.insert(a.id.clone(), doc);
                }
            }
            data.settings = Settings {
                font_size_px: font,
                theme: Theme::ALL[theme],
                ..Settings::default()
            }
            .clamped();
            data
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// export(state) → import into an empty state → the same state; importing again changes
    /// nothing and reports everything skipped; importing into the state itself changes nothing.
    #[test]
    fn backup_round_trip(s in arb_state()) {
        let raw = to_backup(&s, "2026-02-02T00:00:00.000Z");
        let backup: Backup = parse_backup(&raw).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (restored, first) = merge_backup(&CurrentData::default(), &backup);
        prop_assert_eq!(&restored, &s);
        prop_assert_eq!(first.articles.added, s.library.articles.len());
        let (again, second) = merge_backup(&restored, &backup);
        prop_assert_eq!(&again, &restored);
        prop_assert!(second.is_unchanged(), "{:?}", second);
        prop_assert_eq!(second.skipped, first.added + first.updated + first.skipped);
        let (same, third) = merge_backup(&s, &backup);
        prop_assert_eq!(&same, &s);
        prop_assert!(third.is_unchanged());
        // The file is stable: exporting the restored state gives the same bytes.
        prop_assert_eq!(to_backup(&restored, "2026-02-02T00:00:00.000Z"), raw.clone());
        prop_assert_eq!(backup_to_string(&backup), raw);
    }
}

#[test]
fn exports_never_carry_a_script_url_from_a_stored_source() {
    let mut a = article();
    for bad in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>1</script>",
    ] {
        a.source.as_mut().unwrap().url = Some(bad.to_owned());
        let md = to_markdown(&a, None, &annotations(&a));
        assert!(!md.to_lowercase().contains("javascript:"), "{md}");
        assert!(!md.contains("data:text"), "{md}");
        let ld = to_jsonld(&a, &annotations(&a)).to_string();
        assert!(!ld.to_lowercase().contains("javascript:"), "{ld}");
        assert!(!ld.contains("data:text"), "{ld}");
    }
}

#[test]
fn article_ids_outside_the_one_grammar_are_refused_with_their_path() {
    // `.corrupt.1` would land on a corrupt value's copy; a space could never be opened.
    for (bad, path) in [
        ("art-1.corrupt.1", "$.library.articles[0].id"),
        ("a b", "$.library.articles[0].id"),
    ] {
        let raw = with(|v| {
            let old = v["library"]["articles"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            v["library"]["articles"][0]["id"] = bad.into();
            for a in v["articles"].as_array_mut().unwrap() {
                if a["id"] == old.as_str() {
                    a["id"] = bad.into();
                }
            }
            if let Some(d) = v["annotations"].as_object_mut().unwrap().remove(&old) {
                v["annotations"][bad] = d;
            }
        });
        let p = parse_backup(&raw).unwrap_err();
        assert_eq!(p.path.as_deref(), Some(path), "{bad}: {p:?}");
        assert!(p.message.contains("letters, digits and dashes"), "{p:?}");
    }
}

#[test]
fn removed_articles_tombstones_are_checked_like_the_rest() {
    // A removal's time decides merges (library::merge), and its id names a key: both are
    // checked like an entry's.
    for (tomb, path, says) in [
        (
            json!({"id": "gone", "deleted": "yesterday"}),
            "$.library.removed[0].deleted",
            "ISO 8601",
        ),
        (
            json!({"id": "a b", "deleted": T1}),
            "$.library.removed[0].id",
            "letters, digits and dashes",
        ),
    ] {
        let raw = with(|v| v["library"]["removed"] = json!([tomb]));
        let p = parse_backup(&raw).unwrap_err();
        assert_eq!(p.path.as_deref(), Some(path), "{p:?}");
        assert!(p.message.contains(says), "{p:?}");
    }
    let fine = with(|v| v["library"]["removed"] = json!([{"id": "gone", "deleted": T1}]));
    assert!(parse_backup(&fine).is_ok());
}

#[test]
fn times_from_the_future_are_clamped_to_the_restore_so_later_edits_still_win() {
    let mut data = state();
    let far = "9999-12-31T23:59:59.999Z";
    for d in data.annotations.values_mut() {
        for a in &mut d.annotations {
            a.modified = far.to_owned();
        }
    }
    let backup = parse_backup(&to_backup(&data, T2)).unwrap();
    let store = MemoryStore::default();
    let now = "2026-12-06T10:00:00.000Z";
    let seed = parse_plain(SEED_ID, "Seed\nText.");
    let restored = lectern_core::export::restore(&store, &backup, &seed, now).unwrap();
    for d in restored.data.annotations.values() {
        for a in &d.annotations {
            assert!(a.modified.as_str() <= now, "{}", a.modified);
        }
    }
    // A later local edit wins the merge.
    let (id, doc) = restored.data.annotations.iter().next().unwrap();
    let mut mine = doc.clone();
    mine.annotations[0].note = "edited later".into();
    mine.annotations[0].modified = "2026-12-07T00:00:00.000Z".into();
    let merged = merge(&mine, doc);
    assert_eq!(merged.annotations[0].note, "edited later", "{id}");
}

/// A store whose write fails after `ok` have succeeded — that one write only (a full quota:
/// putting back older, smaller values fits again) or, with `dies`, every later call too (the page
/// was closed; what was written stays written).
struct Flaky {
    inner: MemoryStore,
    ok: std::cell::Cell<usize>,
    dies: bool,
    dead: std::cell::Cell<bool>,
}

impl KeyValueStore for Flaky {
    fn get(&self, key: &str) -> Result<Option<String>, lectern_core::storage::StoreError> {
        if self.dead.get() {
            return Err(lectern_core::storage::StoreError::Unavailable(
                "closed".into(),
            ));
        }
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), lectern_core::storage::StoreError> {
        if self.dead.get() || self.ok.get() == 0 {
            self.dead.set(self.dies);
            self.ok.set(usize::MAX);
            return Err(lectern_core::storage::StoreError::QuotaExceeded {
                key: key.into(),
                bytes: value.len(),
            });
        }
        self.ok.set(self.ok.get() - 1);
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), lectern_core::storage::StoreError> {
        if self.dead.get() {
            return Err(lectern_core::storage::StoreError::Unavailable(
                "closed".into(),
            ));
        }
        self.inner.remove(key)
    }
    fn keys(&self) -> Result<Vec<String>, lectern_core::storage::StoreError> {
        self.inner.keys()
    }
}

#[test]
fn a_restore_failing_after_any_write_or_cut_short_leaves_everything_as_it_was() {
    use lectern_core::export::backup::{recover_interrupted, RESTORE_JOURNAL_KEY};
    let s = state();
    let backup = parse_backup(&to_backup(&s, T2)).unwrap();
    let seed = parse_plain(SEED_ID, "Пример\nТекст примера 😀.");
    // What is there before: settings, a library with the seed, the seed's annotations.
    let start = || {
        let m = MemoryStore::default();
        m.set(
            "lectern.v1.settings",
            r#"{"version":1,"data":{"theme":"dark"}}"#,
        )
        .unwrap();
        let lib = LibraryDoc::first_open(&seed);
        lectern_core::library::save_library(&m, &lib).unwrap();
        m
    };
    let snapshot = start().map.borrow().clone();
    // The writes a restore makes: the journal, then each change.
    let full = start();
    lectern_core::export::restore(&full, &backup, &seed, T2).unwrap();
    assert!(full.get(RESTORE_JOURNAL_KEY).unwrap().is_none());
    let writes = 1 + 1 + s.annotations.len() + 1 + 1;
    for ok in 0..writes {
        for dies in [false, true] {
            let store = Flaky {
                inner: start(),
                ok: std::cell::Cell::new(ok),
                dies,
                dead: std::cell::Cell::new(false),
            };
            assert!(
                lectern_core::export::restore(&store, &backup, &seed, T2).is_err(),
                "ok={ok} dies={dies}"
            );
            if dies {
                // The page was closed mid-restore: the next start puts everything back.
                let after_crash = store.inner;
                // A journal younger than the staleness limit may be another tab's restore in
                // progress: left alone.
                assert_eq!(
                    recover_interrupted(&after_crash, "2000-01-01T00:00:00.000Z").unwrap(),
                    None
                );
                assert_eq!(
                    recover_interrupted(&after_crash, "9999-01-01T00:00:00.000Z")
                        .unwrap()
                        .is_some(),
                    ok > 0
                );
                assert_eq!(*after_crash.map.borrow(), snapshot, "ok={ok}: recovered");
            } else {
                assert_eq!(*store.inner.map.borrow(), snapshot, "ok={ok}: rolled back");
            }
        }
    }
}

#[test]
fn a_restore_with_contents_elsewhere_cut_short_names_them_for_deletion() {
    use lectern_core::export::backup::{
        apply_local, begin_journal, plan_changes, recover_interrupted, RESTORE_JOURNAL_KEY,
    };
    let s = state();
    let backup = parse_backup(&to_backup(&s, T2)).unwrap();
    let empty = CurrentData::default();
    let (merged, _) = merge_backup(&empty, &backup);
    let plan = plan_changes(&empty, &merged);
    let ids: Vec<String> = plan.contents.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids, ["art-1"], "contents apart from the other keys");
    assert!(plan
        .local
        .iter()
        .all(|(k, _)| !k.starts_with("lectern.v1.article.")));
    // Closed after the contents went to IndexedDB, before the rest: the next start names them.
    let store = MemoryStore::default();
    begin_journal(&store, T2, &ids).unwrap();
    assert_eq!(
        recover_interrupted(&store, "9999-01-01T00:00:00.000Z").unwrap(),
        Some(ids.clone())
    );
    assert!(store.get(RESTORE_JOURNAL_KEY).unwrap().is_none());
    // Finished: no journal left, nothing to recover.
    begin_journal(&store, T2, &ids).unwrap();
    apply_local(&store, &plan.local, &[], T2, &ids).unwrap();
    assert!(store.get(RESTORE_JOURNAL_KEY).unwrap().is_none());
    assert_eq!(
        recover_interrupted(&store, "9999-01-01T00:00:00.000Z").unwrap(),
        None
    );
}
