//! The notebook's index, search, filters, grouping, URL, reading and bulk changes.

use super::*;
use crate::anchor::describe;
use crate::annotation::Target;
use crate::annotations_doc::{annotations_key, Tombstone};
use crate::library::{save_article, save_library, seed_article};
use crate::parse::plain::parse_plain;
use crate::storage::MemoryStore;
use crate::text::ByteOffset;

const T1: &str = "2026-03-01T10:00:00.000Z";
const T2: &str = "2026-03-05T10:00:00.000Z";
const T3: &str = "2026-03-09T10:00:00.000Z";
const NOW: &str = "2026-04-01T12:00:00.000Z";

fn highlight(article: &Article, id: &str, quote: &str, color: Color, created: &str) -> Annotation {
    let text = article.text();
    let start = text
        .find(quote)
        .unwrap_or_else(|| panic!("{quote} not in {}", article.id));
    Annotation {
        id: id.into(),
        article_id: article.id.clone(),
        target: Some(describe(&text, ByteOffset(start)..ByteOffset(start + quote.len())).unwrap()),
        color,
        note: String::new(),
        tags: vec![],
        created: created.into(),
        modified: created.into(),
    }
}

fn with(mut a: Annotation, note: &str, tags: &[&str]) -> Annotation {
    a.note = note.into();
    a.tags = tags.iter().map(|t| t.to_string()).collect();
    a
}

fn article_note(article: &Article, id: &str, note: &str, created: &str) -> Annotation {
    Annotation {
        id: id.into(),
        article_id: article.id.clone(),
        target: None,
        color: Color::Yellow,
        note: note.into(),
        tags: vec![],
        created: created.into(),
        modified: created.into(),
    }
}

fn store_doc(store: &MemoryStore, article: &Article, annotations: Vec<Annotation>) {
    let text = article.text();
    let hash = crate::annotation::text_hash(&text);
    save_annotations(
        store,
        &article.id,
        &AnnotationsDoc {
            annotations,
            tombstones: vec![],
        },
        Some(TextRef {
            text: &text,
            hash: &hash,
        }),
    )
    .unwrap();
}

struct Fixture {
    store: MemoryStore,
    library: LibraryDoc,
    seed: Article,
    elka: Article,
    english: Article,
}

/// Three articles (the sample, a Russian one about a ёлка, an English one), highlights in
/// several colours with notes and tags, an article note.
fn fixture() -> Fixture {
    let store = MemoryStore::default();
    let seed = seed_article();
    let elka = parse_plain(
        "elka-1",
        "Праздник у ёлки\nДети водили хоровод вокруг ЁЛКИ. Потом пили чай с пирогами.\nВечером зажгли гирлянду.",
    );
    let english = parse_plain(
        "en-1",
        "Reading in the garden\nThe garden was quiet. Reading slowly is a pleasure.\nBirds sang.",
    );
    save_article(&store, &elka).unwrap();
    save_article(&store, &english).unwrap();
    let mut library = LibraryDoc::first_open(&seed);
    library
        .articles
        .insert(0, ArticleMeta::of(&elka, "2026-02-02T00:00:00.000Z", None));
    library.articles.insert(
        0,
        ArticleMeta::of(&english, "2026-02-03T00:00:00.000Z", None),
    );
    save_library(&store, &library).unwrap();
    store_doc(
        &store,
        &seed,
        vec![
            with(
                highlight(&seed, "s1", "Михаил Галузин", Color::Green, T1),
                "замминистра",
                &["люди", "МИД"],
            ),
            highlight(&seed, "s2", "ЗРК Patriot", Color::Pink, T3),
        ],
    );
    store_doc(
        &store,
        &elka,
        vec![
            with(
                highlight(&elka, "e1", "хоровод вокруг ЁЛКИ", Color::Yellow, T2),
                "Весело",
                &["#Праздник"],
            ),
            highlight(&elka, "e2", "пили чай", Color::Blue, T1),
            article_note(&elka, "en", "Зимняя статья", T3),
        ],
    );
    store_doc(
        &store,
        &english,
        vec![with(
            highlight(
                &english,
                "g1",
                "Reading slowly is a pleasure",
                Color::Yellow,
                T3,
            ),
            "so *true*",
            &["reading", "мид"],
        )],
    );
    Fixture {
        store,
        library,
        seed,
        elka,
        english,
    }
}

fn index(f: &Fixture) -> NotebookIndex {
    let mut ix = NotebookIndex::default();
    let missing = ix.sync_library(&f.library);
    assert_eq!(
        missing,
        ["en-1", "elka-1", "seed"],
        "every listed article is to be read"
    );
    for id in missing {
        let meta = f.library.get(&id).unwrap();
        ix.put(read_article(&f.store, meta, seed_article));
    }
    ix
}

fn ids(ix: &NotebookIndex, q: &NotesQuery) -> Vec<String> {
    ix.matching(q).iter().map(|h| h.get().id.clone()).collect()
}

fn q(text: &str) -> NotesQuery {
    NotesQuery {
        text: text.into(),
        ..NotesQuery::default()
    }
}

#[test]
fn the_index_lists_every_highlight_and_note_of_the_library() {
    let f = fixture();
    let ix = index(&f);
    assert_eq!(ix.totals(), (6, 3));
    // Newest first by default; ties by library order.
    assert_eq!(
        ids(&ix, &NotesQuery::default()),
        ["g1", "en", "s2", "e1", "e2", "s1"]
    );
    let e1 = ix
        .article("elka-1")
        .unwrap()
        .entries
        .iter()
        .find(|e| e.id == "e1")
        .unwrap();
    assert_eq!(e1.quote, "хоровод вокруг ЁЛКИ");
    assert_eq!(e1.status, Status::Exact);
    assert_eq!(e1.tags, ["#Праздник"]);
    let note = ix.article("elka-1").unwrap().entries.first().unwrap();
    assert_eq!((note.id.as_str(), note.status), ("en", Status::ArticleNote));
    // Spelt as first seen in the library's order ("мид" before "МИД"), sorted by key.
    assert_eq!(ix.tags(), ["reading", "люди", "мид", "#Праздник"]);
    assert_eq!(
        ix.articles_with_entries()
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        ["en-1", "elka-1", "seed"]
    );
}

#[test]
fn search_is_cyrillic_aware_across_quotes_notes_tags_and_titles() {
    let f = fixture();
    let ix = index(&f);
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "ё in the text found by е, any case",
            "хоровод вокруг елки",
            &["e1"],
        ),
        ("ё in the query finds ЁЛКИ", "ВОКРУГ ёлки", &["e1"]),
        ("upper case finds lower", "ГАЛУЗИН", &["s1"]),
        ("a note", "весело", &["e1"]),
        ("a tag", "ЛЮДИ", &["s1"]),
        (
            "a title: the sample's (МИД …) has every one of its entries",
            "мид",
            &["g1", "s2", "s1"],
        ),
        (
            "an article's title finds all its entries",
            "праздник у ёлки",
            &["en", "e1", "e2"],
        ),
        ("title word and quote word together", "ёлки чай", &["e2"]),
        ("every word must match", "ёлки python", &[]),
        ("English, case-insensitive", "SLOWLY", &["g1"]),
        ("markup characters are literal", "*true*", &["g1"]),
        ("an article note's text", "зимняя", &["en"]),
        (
            "blank is everything",
            "   ",
            &["g1", "en", "s2", "e1", "e2", "s1"],
        ),
        ("words do not span fields", "весело#праздник", &[]),
    ];
    for (name, text, want) in cases {
        assert_eq!(ids(&ix, &q(text)), *want, "{name}");
    }
}

#[test]
fn filters_combine() {
    let f = fixture();
    let ix = index(&f);
    let all = NotesQuery::default;
    let cases: Vec<(&str, NotesQuery, &[&str])> = vec![
        (
            "colours (an article note has none)",
            NotesQuery {
                colors: vec![Color::Yellow, Color::Pink],
                ..all()
            },
            &["g1", "s2", "e1"],
        ),
        (
            "a tag, with # and another case",
            NotesQuery {
                tag: Some("#праздник".into()),
                ..all()
            },
            &["e1"],
        ),
        (
            "a tag in two spellings (мид, МИД)",
            NotesQuery {
                tag: Some("МИД".into()),
                ..all()
            },
            &["g1", "s1"],
        ),
        (
            "a tag is exact, not a prefix",
            NotesQuery {
                tag: Some("праздн".into()),
                ..all()
            },
            &[],
        ),
        (
            "an article",
            NotesQuery {
                article: Some("seed".into()),
                ..all()
            },
            &["s2", "s1"],
        ),
        (
            "from a day on",
            NotesQuery {
                from: Some("2026-03-05".into()),
                ..all()
            },
            &["g1", "en", "s2", "e1"],
        ),
        (
            "a date range",
            NotesQuery {
                from: Some("2026-03-02".into()),
                to: Some("2026-03-05".into()),
                ..all()
            },
            &["e1"],
        ),
        (
            "has a note",
            NotesQuery {
                has_note: true,
                ..all()
            },
            &["g1", "en", "e1", "s1"],
        ),
        (
            "nothing needs checking here",
            NotesQuery {
                needs_check: true,
                ..all()
            },
            &[],
        ),
        (
            "a filter and a search",
            NotesQuery {
                text: "мид".into(),
                colors: vec![Color::Green],
                ..all()
            },
            &["s1"],
        ),
    ];
    for (name, query, want) in cases {
        assert_eq!(ids(&ix, &query), want, "{name}");
        assert!(query.filtered() || !query.text.is_empty(), "{name}");
    }
}

#[test]
fn needs_checking_and_orphans_after_the_text_changed() {
    let store = MemoryStore::default();
    let before = parse_plain(
        "art-1",
        "Title\nThe quick brown fox jumps over the lazy dog. A second sentence here.",
    );
    let after = parse_plain(
        "art-1",
        "Title\nThe quick brown fox leaps over the lazy dog. Something else entirely.",
    );
    let fuzzy = highlight(
        &before,
        "fz",
        "quick brown fox jumps over the lazy dog",
        Color::Blue,
        T1,
    );
    let gone = highlight(&before, "or", "A second sentence here", Color::Pink, T2);
    let exact = highlight(&before, "ex", "The quick", Color::Yellow, T3);
    store_doc(&store, &before, vec![fuzzy, gone, exact]);
    // The stored article is now the edited text.
    save_article(&store, &after).unwrap();
    let meta = ArticleMeta::of(&after, T1, None);
    let notes = read_article(&store, &meta, seed_article);
    let status = |id: &str| notes.entries.iter().find(|e| e.id == id).unwrap().status;
    assert_eq!(status("ex"), Status::Exact);
    assert_eq!(status("fz"), Status::Fuzzy);
    assert_eq!(status("or"), Status::Orphan);
    // Article order: placed ones by position, the orphan last.
    let order: Vec<&str> = notes.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(order, ["ex", "fz", "or"]);

    let mut library = LibraryDoc::default();
    library.articles.push(meta);
    let mut ix = NotebookIndex::default();
    ix.sync_library(&library);
    ix.put(notes);
    let only = |needs_check, orphans| NotesQuery {
        needs_check,
        orphans,
        ..NotesQuery::default()
    };
    assert_eq!(ids(&ix, &only(true, false)), ["fz"]);
    assert_eq!(ids(&ix, &only(false, true)), ["or"]);
    assert_eq!(ids(&ix, &only(true, true)), ["or", "fz"]);
}

#[test]
fn the_text_is_read_only_when_a_highlight_was_made_on_another_text() {
    // An article whose stored text is missing: highlights made on it (same hash) are listed
    // as placed without reading it; one imported from another text cannot be placed.
    let f = fixture();
    f.store
        .map
        .borrow_mut()
        .remove(&crate::library::article_key("elka-1"));
    let meta = f.library.get("elka-1").unwrap();
    let notes = read_article(&f.store, meta, seed_article);
    assert!(notes.entries.iter().all(|e| e.status != Status::Orphan));
    let mut foreign = highlight(&f.elka, "x", "пили чай", Color::Green, T1);
    if let Some(t) = foreign.target.as_mut() {
        t.text_hash = "fnv1a64:0000000000000000".into();
    }
    let mut doc = load_annotations(&f.store, "elka-1", Some(&f.elka.text())).value;
    doc.annotations.push(foreign);
    store_doc(&f.store, &f.elka, doc.annotations);
    let notes = read_article(&f.store, meta, seed_article);
    let x = notes.entries.iter().find(|e| e.id == "x").unwrap();
    assert_eq!(
        x.status,
        Status::Orphan,
        "no text to place it in: listed, not dropped"
    );
}

#[test]
fn grouping_and_order() {
    let f = fixture();
    let ix = index(&f);
    let keys = |query: NotesQuery| -> Vec<(GroupKey, Vec<String>)> {
        ix.select(&query)
            .groups
            .into_iter()
            .map(|g| (g.key, g.hits.iter().map(|h| h.get().id.clone()).collect()))
            .collect()
    };
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // By article, newest first: articles in the order of their newest entry.
    assert_eq!(
        keys(NotesQuery::default()),
        vec![
            (GroupKey::Article("en-1".into()), v(&["g1"])),
            (GroupKey::Article("elka-1".into()), v(&["en", "e1", "e2"])),
            (GroupKey::Article("seed".into()), v(&["s2", "s1"])),
        ]
    );
    // Article order: the library's order, each article's note first, then the text's order.
    let article_order = NotesQuery {
        sort: Sort::Article,
        ..NotesQuery::default()
    };
    assert_eq!(
        ids(&ix, &article_order),
        ["g1", "en", "e1", "e2", "s1", "s2"]
    );
    // Oldest first, not grouped.
    let oldest = NotesQuery {
        sort: Sort::Oldest,
        group: GroupBy::None,
        ..NotesQuery::default()
    };
    assert_eq!(
        keys(oldest),
        vec![(GroupKey::All, v(&["e2", "s1", "e1", "g1", "en", "s2"]))]
    );
    // By tag: an entry with two tags is in both groups; tags compared folded (мид = МИД);
    // the untagged last.
    let by_tag = keys(NotesQuery {
        group: GroupBy::Tag,
        ..NotesQuery::default()
    });
    assert_eq!(
        by_tag,
        vec![
            (GroupKey::Tag("reading".into()), v(&["g1"])),
            (GroupKey::Tag("люди".into()), v(&["s1"])),
            (GroupKey::Tag("мид".into()), v(&["g1", "s1"])),
            (GroupKey::Tag("#Праздник".into()), v(&["e1"])),
            (GroupKey::Untagged, v(&["en", "s2", "e2"])),
        ]
    );
    // By colour, in the palette's order; article notes apart, last.
    let by_colour = keys(NotesQuery {
        group: GroupBy::Color,
        ..NotesQuery::default()
    });
    assert_eq!(
        by_colour,
        vec![
            (GroupKey::Color(Color::Yellow), v(&["g1", "e1"])),
            (GroupKey::Color(Color::Green), v(&["s1"])),
            (GroupKey::Color(Color::Blue), v(&["e2"])),
            (GroupKey::Color(Color::Pink), v(&["s2"])),
            (GroupKey::ArticleNotes, v(&["en"])),
        ]
    );
    // Counts are of entries, not of group rows.
    let s = ix.select(&NotesQuery {
        group: GroupBy::Tag,
        ..NotesQuery::default()
    });
    assert_eq!((s.count, s.articles), (6, 3));
}

#[test]
fn the_query_round_trips_through_the_url() {
    let query = NotesQuery {
        text: "ёлка & «чай» 100%".into(),
        colors: vec![Color::Green, Color::Pink],
        tag: Some("to-read".into()),
        article: Some("elka-1".into()),
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
        has_note: true,
        needs_check: true,
        orphans: true,
        group: GroupBy::Tag,
        sort: Sort::Oldest,
    };
    let qs = query.to_query_string();
    assert!(
        qs.is_ascii() && !qs.contains(' ') && !qs.contains('#'),
        "{qs}"
    );
    assert_eq!(NotesQuery::parse(&qs), query);
    assert_eq!(NotesQuery::parse(&format!("?{qs}")), query);
    assert_eq!(NotesQuery::default().to_query_string(), "");
    assert_eq!(
        NotesQuery::parse("q=%D1%91%D0%BB%D0%BA%D0%B0+%D0%B8").text,
        "ёлка и",
        "UTF-8 and + as a space"
    );
    // Junk is ignored, never an error.
    let junk = NotesQuery::parse(
        "color=red.yellow&from=yesterday&article=a/b&group=x&sort=&q=%zz%&unknown=1&tag=%20%23%20",
    );
    assert_eq!(junk.colors, [Color::Yellow]);
    assert_eq!((junk.from, junk.article, junk.tag), (None, None, None));
    assert_eq!((junk.group, junk.sort), (GroupBy::Article, Sort::Newest));
    assert_eq!(junk.text, "%zz%");
    assert_eq!(
        NotesQuery::parse(&format!("q={}", "я".repeat(2000)))
            .text
            .len(),
        1000
    );
}

#[test]
fn the_index_is_updated_one_article_at_a_time() {
    let f = fixture();
    let mut ix = index(&f);
    let seed_before = Rc::clone(ix.article("seed").unwrap());
    let english_before = Rc::clone(ix.article("en-1").unwrap());
    // One article's annotations change (the reader's edit): only it is rebuilt.
    let mut doc = load_annotations(&f.store, "elka-1", Some(&f.elka.text())).value;
    doc.annotations.push(highlight(
        &f.elka,
        "e3",
        "зажгли гирлянду",
        Color::Purple,
        NOW,
    ));
    let placements = crate::paint::place_all(&f.elka.text(), &doc.annotations);
    ix.put(ArticleNotes::from_placements("elka-1", &doc, &placements));
    assert!(Rc::ptr_eq(ix.article("seed").unwrap(), &seed_before));
    assert!(Rc::ptr_eq(ix.article("en-1").unwrap(), &english_before));
    assert_eq!(ids(&ix, &q("гирлянду")), ["e3"]);
    // The library changes: a rename is searchable at once, nothing is read again; an added
    // article is the only one to read; a removed one leaves.
    let mut library = f.library.clone();
    library.articles[0].title = "Чтение в саду".into();
    assert!(ix.sync_library(&library).is_empty());
    assert_eq!(ids(&ix, &q("саду")), ["g1"]);
    assert!(Rc::ptr_eq(ix.article("seed").unwrap(), &seed_before));
    let extra = parse_plain("new-1", "Новая\nТекст новой статьи.");
    library
        .articles
        .insert(0, ArticleMeta::of(&extra, NOW, None));
    library.articles.retain(|m| m.id != "seed");
    assert_eq!(ix.sync_library(&library), ["new-1"]);
    assert!(!ix.has("seed"));
    assert_eq!(ids(&ix, &q("галузин")), Vec::<String>::new());
    // Entries of an article no longer listed are not taken.
    ix.put(read_article(
        &f.store,
        f.library.get("seed").unwrap(),
        seed_article,
    ));
    assert!(!ix.has("seed"));
}

#[test]
fn ops_apply_and_undo_exactly() {
    let f = fixture();
    let base = with(
        highlight(&f.seed, "a", "ЗРК Patriot", Color::Pink, T1),
        "",
        &["Один", "два"],
    );
    /// The tags and colour after the op, or `None`: nothing changes.
    type After<'a> = Option<(Vec<&'a str>, Color)>;
    let cases: Vec<(Op, After)> = vec![
        (
            Op::AddTag("три".into(), None),
            Some((vec!["Один", "два", "три"], Color::Pink)),
        ),
        (Op::AddTag("#ОДИН".into(), None), None),
        (Op::AddTag("  ".into(), None), None),
        (
            Op::RemoveTag("один".into()),
            Some((vec!["два"], Color::Pink)),
        ),
        (Op::RemoveTag("пять".into()), None),
        (
            Op::SetColor(Color::Blue),
            Some((vec!["Один", "два"], Color::Blue)),
        ),
        (Op::SetColor(Color::Pink), None),
    ];
    for (op, want) in cases {
        let mut a = base.clone();
        let inverse = op.apply(&mut a);
        match want {
            None => {
                assert_eq!(inverse, None, "{op:?}");
                assert_eq!(a, base, "{op:?}");
            }
            Some((tags, color)) => {
                assert_eq!(
                    (a.tags.clone(), a.color),
                    (tags.iter().map(|t| t.to_string()).collect(), color),
                    "{op:?}"
                );
                let inverse = inverse.unwrap();
                assert!(inverse.apply(&mut a).is_some());
                assert_eq!(
                    a, base,
                    "undo of {op:?} puts it back exactly (tag order too)"
                );
            }
        }
    }
    // An article note has no colour to change.
    let mut n = article_note(&f.seed, "n", "x", T1);
    assert_eq!(Op::SetColor(Color::Green).apply(&mut n), None);
}

#[test]
fn bulk_edits_are_written_with_their_context_and_undone_with_newer_times() {
    let f = fixture();
    let meta = f.library.get("seed").unwrap().clone();
    let key = annotations_key("seed");
    let stored_before = load_annotations(&f.store, "seed", Some(&f.seed.text())).value;
    // The stored value keeps contexts as lengths read back from the text.
    let raw_before = f.store.map.borrow()[&key].clone();
    let edits = vec![
        Edit {
            id: "s1".into(),
            op: Op::AddTag("важное".into(), None),
        },
        Edit {
            id: "s2".into(),
            op: Op::AddTag("важное".into(), None),
        },
        Edit {
            id: "s2".into(),
            op: Op::SetColor(Color::Purple),
        },
        Edit {
            id: "gone".into(),
            op: Op::AddTag("важное".into(), None),
        },
    ];
    let w = write_edits(&f.store, &meta, &edits, NOW, seed_article).unwrap();
    assert_eq!(w.changed, 2);
    let after = load_annotations(&f.store, "seed", Some(&f.seed.text())).value;
    for (b, a) in stored_before.annotations.iter().zip(&after.annotations) {
        assert_eq!(a.target, b.target, "quote, context and position kept");
        assert_eq!(a.modified, NOW);
        assert!(a.tags.contains(&"важное".to_owned()));
    }
    assert_eq!(after.annotations[1].color, Color::Purple);
    let raw_after = f.store.map.borrow()[&key].clone();
    assert!(
        raw_after.len() < raw_before.len() + 80,
        "still compact: {raw_after}"
    );
    assert!(w
        .notes
        .entries
        .iter()
        .all(|e| e.tags.contains(&"важное".to_owned())));

    // Another tab edits s1's note meanwhile (newer), and deletes nothing.
    let mut other = after.clone();
    other.annotations[0].note = "из другой вкладки".into();
    other.annotations[0].modified = "2026-04-01T12:30:00.000Z".into();
    store_doc(&f.store, &f.seed, other.annotations.clone());

    // Undo: every touched annotation back as it was, with a newer time than both edits.
    let later = "2026-04-01T13:00:00.000Z";
    let u = write_edits(&f.store, &meta, &w.undo, later, seed_article).unwrap();
    assert_eq!(u.changed, 2);
    let undone = load_annotations(&f.store, "seed", Some(&f.seed.text())).value;
    assert_eq!(
        undone.annotations[0].tags,
        stored_before.annotations[0].tags
    );
    assert_eq!(
        undone.annotations[0].note, "из другой вкладки",
        "the other tab's edit stays"
    );
    assert_eq!(
        undone.annotations[1].tags,
        stored_before.annotations[1].tags
    );
    assert_eq!(undone.annotations[1].color, Color::Pink);
    assert!(undone.annotations.iter().all(|a| a.modified == later));
    // A tab still holding the bulk-edited version merges to the undone one.
    let merged = merge(&after, &undone);
    assert_eq!(merged.annotations, undone.annotations);
    // And the undo's undo is the edit again.
    let r = write_edits(
        &f.store,
        &meta,
        &u.undo,
        "2026-04-01T14:00:00.000Z",
        seed_article,
    )
    .unwrap();
    assert_eq!(r.changed, 2);
}

#[test]
fn bulk_edits_skip_deleted_annotations_and_refuse_read_only_or_missing_articles() {
    let f = fixture();
    let meta = f.library.get("elka-1").unwrap().clone();
    // e2 deleted in another tab.
    let mut doc = load_annotations(&f.store, "elka-1", Some(&f.elka.text())).value;
    doc.annotations.retain(|a| a.id != "e2");
    doc.tombstones.push(Tombstone {
        id: "e2".into(),
        deleted: T3.into(),
    });
    let text = f.elka.text();
    let hash = crate::annotation::text_hash(&text);
    save_annotations(
        &f.store,
        "elka-1",
        &doc,
        Some(TextRef {
            text: &text,
            hash: &hash,
        }),
    )
    .unwrap();
    let edits = vec![Edit {
        id: "e2".into(),
        op: Op::SetColor(Color::Green),
    }];
    let w = write_edits(&f.store, &meta, &edits, NOW, seed_article).unwrap();
    assert_eq!(w.changed, 0);
    assert!(w.undo.is_empty());
    assert!(
        !w.notes.entries.iter().any(|e| e.id == "e2"),
        "not brought back"
    );

    // Written by a newer Lectern: refused, nothing written.
    let key = annotations_key("elka-1");
    let newer = r#"{"version":9,"data":{}}"#;
    f.store.map.borrow_mut().insert(key.clone(), newer.into());
    let edits = vec![Edit {
        id: "e1".into(),
        op: Op::SetColor(Color::Green),
    }];
    assert_eq!(
        write_edits(&f.store, &meta, &edits, NOW, seed_article).unwrap_err(),
        EditError::ReadOnly
    );
    assert_eq!(f.store.map.borrow()[&key], newer);

    // The article's text is gone: refused (its annotations cannot be written back compactly).
    f.store
        .map
        .borrow_mut()
        .remove(&crate::library::article_key("elka-1"));
    f.store.map.borrow_mut().remove(&key);
    assert_eq!(
        write_edits(&f.store, &meta, &edits, NOW, seed_article).unwrap_err(),
        EditError::NoArticle
    );

    // A full store: the error, nothing half-written.
    let g = fixture();
    let mut store = MemoryStore::default();
    store.map = g.store.map.clone();
    store.quota_bytes = Some(
        store
            .map
            .borrow()
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum(),
    );
    let before = store.map.borrow().clone();
    let edits = vec![Edit {
        id: "g1".into(),
        op: Op::AddTag("очень-длинный-тег".into(), None),
    }];
    let err = write_edits(
        &store,
        g.library.get("en-1").unwrap(),
        &edits,
        NOW,
        seed_article,
    )
    .unwrap_err();
    assert!(
        matches!(err, EditError::Store(StoreError::QuotaExceeded { .. })),
        "{err:?}"
    );
    assert_eq!(*store.map.borrow(), before);
}

#[test]
fn apply_edits_changes_only_what_it_names() {
    let f = fixture();
    let doc = load_annotations(&f.store, "elka-1", Some(&f.elka.text())).value;
    let (changed, undo) = apply_edits(
        &doc,
        &[Edit {
            id: "e1".into(),
            op: Op::RemoveTag("праздник".into()),
        }],
        NOW,
    );
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id, "e1");
    assert!(changed[0].tags.is_empty());
    assert_eq!(changed[0].modified, NOW);
    assert_eq!(
        undo,
        [Edit {
            id: "e1".into(),
            op: Op::AddTag("#Праздник".into(), Some(0))
        }]
    );
    // Unknown targets keep their hash and everything else.
    let t: &Target = changed[0].target.as_ref().unwrap();
    assert_eq!(
        Some(t),
        doc.annotations
            .iter()
            .find(|a| a.id == "e1")
            .unwrap()
            .target
            .as_ref()
    );
    let _ = &f.english;
}

#[test]
fn creation_times_order_as_their_keys_do() {
    let times = [
        "2026-03-01T10:00:00.000Z",
        "2026-03-01T10:00:00Z",
        "2026-03-01T10:00:00.5Z",
        "2026-03-01T09:59:59.999Z",
        "2025-12-31T23:59:59.999999Z",
        "yesterday",
        "2026-03-01T10:00:00+03:00",
    ];
    let f = fixture();
    let base = highlight(&f.seed, "x", "ЗРК Patriot", Color::Pink, T1);
    let entries: Vec<Entry> = times
        .iter()
        .map(|t| {
            let mut a = base.clone();
            a.created = (*t).to_owned();
            Entry::new(&a, Status::Exact, (1, 0))
        })
        .collect();
    for x in &entries {
        for y in &entries {
            assert_eq!(
                x.cmp_created(y),
                timestamp_key(&x.created).cmp(&timestamp_key(&y.created)),
                "{} vs {}",
                x.created,
                y.created
            );
        }
    }
}
