//! The notebook's slice: what the URL shows, incremental updates, bulk changes and their undo
//! across the open article and stored ones, review, export.

use super::*;
use crate::anchor::describe;
use crate::annotation::Annotation;
use crate::annotations_doc::{
    annotations_key, load_annotations, save_annotations, AnnotationsDoc, TextRef,
};
use crate::article::Article;
use crate::library::{save_article, save_library, seed_article};
use crate::notebook::{read_article, write_edits, GroupBy, Status};
use crate::parse::plain::parse_plain;
use crate::startup::Startup;
use crate::storage::{KeyValueStore, MemoryStore};
use crate::text::ByteOffset;

const T1: &str = "2026-03-01T10:00:00.000Z";
const T2: &str = "2026-03-05T10:00:00.000Z";
const NOW: &str = "2026-04-01T12:00:00.000Z";
const LATER: &str = "2026-04-01T12:05:00.000Z";

fn highlight(article: &Article, id: &str, quote: &str, color: Color, created: &str) -> Annotation {
    let text = article.text();
    let start = text.find(quote).unwrap();
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

fn store_doc(store: &MemoryStore, article: &Article, annotations: Vec<Annotation>) {
    let text = article.text();
    let hash = crate::annotation::text_hash(&text);
    let doc = AnnotationsDoc {
        annotations,
        tombstones: vec![],
    };
    let text = TextRef {
        text: &text,
        hash: &hash,
    };
    save_annotations(store, &article.id, &doc, Some(text)).unwrap();
}

/// The sample (open in the reader) and two stored articles, each with highlights.
fn library() -> (MemoryStore, Article, Article) {
    let store = MemoryStore::default();
    let seed = seed_article();
    let a = parse_plain(
        "art-a",
        "Первая статья\nДети водили хоровод вокруг ёлки. Потом пили чай.",
    );
    let b = parse_plain("art-b", "Second article\nThe garden was quiet. Birds sang.");
    save_article(&store, &a).unwrap();
    save_article(&store, &b).unwrap();
    let mut lib = LibraryDoc::first_open(&seed);
    lib.articles
        .insert(0, ArticleMeta::of(&a, "2026-02-02T00:00:00.000Z", None));
    lib.articles
        .insert(0, ArticleMeta::of(&b, "2026-02-03T00:00:00.000Z", None));
    save_library(&store, &lib).unwrap();
    store_doc(
        &store,
        &seed,
        vec![highlight(&seed, "s1", "Михаил Галузин", Color::Green, T1)],
    );
    store_doc(
        &store,
        &a,
        vec![
            highlight(&a, "a1", "хоровод вокруг ёлки", Color::Yellow, T1),
            highlight(&a, "a2", "пили чай", Color::Blue, T2),
        ],
    );
    store_doc(
        &store,
        &b,
        vec![highlight(&b, "b1", "Birds sang", Color::Pink, T2)],
    );
    (store, a, b)
}

fn load(store: &MemoryStore, hash: &str) -> State {
    State::new(Startup::load(store, hash, seed_article, ""))
}

/// Carry out the notebook's effects the way the runner does (with the core's functions),
/// returning the actions they report; other effects are returned as they are.
fn run(store: &MemoryStore, fx: Vec<Effect>) -> (Vec<Action>, Vec<Effect>) {
    let mut actions = Vec::new();
    let mut rest = Vec::new();
    for e in fx {
        match e {
            Effect::Notebook(NotebookFx::Read { articles }) => {
                let list = articles
                    .iter()
                    .map(|m| read_article(store, m, seed_article))
                    .collect();
                actions.push(Action::Notebook(Msg::Loaded(list)));
            }
            Effect::Notebook(NotebookFx::Write {
                seq,
                meta,
                edits,
                now,
            }) => {
                let result = write_edits(store, &meta, &edits, &now, seed_article)
                    .map_err(|e| e.to_string());
                actions.push(Action::Notebook(Msg::Written {
                    seq,
                    article: meta.id,
                    result,
                }));
            }
            Effect::SaveAnnotations {
                article_id,
                doc,
                text,
                text_hash,
            } => {
                let t = TextRef {
                    text: text.as_str(),
                    hash: &text_hash,
                };
                save_annotations(store, &article_id, &doc, Some(t)).unwrap();
            }
            other => rest.push(other),
        }
    }
    (actions, rest)
}

/// Reduce `action`, then run what it asks and reduce what comes back, until quiet.
fn settle(store: &MemoryStore, s: &State, action: Action) -> (State, Vec<Effect>) {
    let (mut s, fx) = crate::state::reduce(s, action);
    let (mut queue, mut other) = run(store, fx);
    while let Some(a) = queue.pop() {
        let (next, fx) = crate::state::reduce(&s, a);
        s = next;
        let (more, rest) = run(store, fx);
        queue.extend(more);
        other.extend(rest);
    }
    (s, other)
}

fn shown(s: &State) -> Vec<String> {
    s.notebook
        .index
        .matching(&s.notebook.query)
        .iter()
        .map(|h| h.get().id.clone())
        .collect()
}

fn tags_of(store: &MemoryStore, article: &Article, id: &str) -> Vec<String> {
    let text = article.text();
    load_annotations(store, &article.id, Some(&text))
        .value
        .annotations
        .into_iter()
        .find(|a| a.id == id)
        .unwrap()
        .tags
}

fn q(text: &str) -> NotesQuery {
    NotesQuery {
        text: text.into(),
        ..NotesQuery::default()
    }
}

#[test]
fn the_url_opens_the_notebook_with_its_query_and_reads_the_library_once() {
    let (store, ..) = library();
    let s = load(&store, "#/notes?q=%D1%91%D0%BB%D0%BA%D0%B8&group=none");
    assert_eq!(s.view, View::Notes);
    assert_eq!(s.notebook.query.text, "ёлки");
    assert_eq!(s.notebook.query.group, GroupBy::None);
    let fx = s.startup_effects();
    let reads: Vec<Vec<String>> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Notebook(NotebookFx::Read { articles }) => {
                Some(articles.iter().map(|m| m.id.clone()).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(reads, [["art-b", "art-a", "seed"]]);
    let (actions, _) = run(&store, fx);
    let mut s = s;
    for a in actions {
        s = crate::state::reduce(&s, a).0;
    }
    assert!(s.notebook.loaded());
    assert_eq!(shown(&s), ["a1"]);
    // A keystroke: the query changes, the URL is replaced; nothing is read.
    let (s2, fx) = crate::state::reduce(&s, Action::Notebook(Msg::SetQuery(q("чай"))));
    assert_eq!(shown(&s2), ["a2"]);
    assert_eq!(
        fx,
        [Effect::Notebook(NotebookFx::ReplaceRoute(Route::Notes(q(
            "чай"
        ))))]
    );
    // Back to the library and to the notebook: nothing is read again.
    let (s3, _) = crate::state::reduce(&s2, Action::RouteChanged(Route::Library));
    let (s4, fx) = crate::state::reduce(&s3, Action::RouteChanged(Route::Notes(q("сад"))));
    assert_eq!(s4.view, View::Notes);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Notebook(_))),
        "{fx:?}"
    );
}

#[test]
fn the_index_follows_the_reader_other_tabs_and_the_library_one_article_at_a_time() {
    let (store, a, _) = library();
    let (s, _) = settle(
        &store,
        &load(&store, "#/"),
        Action::RouteChanged(Route::Notes(NotesQuery::default())),
    );
    assert_eq!(s.notebook.index.totals(), (4, 3));
    // The reader highlights in the open article (the sample): the index has it, nothing read.
    let range = {
        let i = s.reader.text_str().find("ЗРК Patriot").unwrap();
        ByteOffset(i)..ByteOffset(i + "ЗРК Patriot".len())
    };
    let (s, fx) = crate::state::reduce(
        &s,
        Action::AddHighlight {
            id: "s2".into(),
            range,
            color: Color::Pink,
            now: NOW.into(),
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Notebook(_))));
    assert_eq!(shown(&s)[0], "s2");
    // Another tab writes article A: only A is read again.
    let mut doc = load_annotations(&store, "art-a", Some(&a.text())).value;
    doc.annotations[0].note = "из другой вкладки".into();
    doc.annotations[0].modified = NOW.into();
    store_doc(&store, &a, doc.annotations);
    let raw = store.get(&annotations_key("art-a")).unwrap();
    let untouched = Rc::clone(s.notebook.index.article("art-b").unwrap());
    let (s2, fx) = crate::state::reduce(
        &s,
        Action::StoredElsewhere {
            key: Some(annotations_key("art-a")),
            value: raw,
        },
    );
    assert!(
        matches!(&fx[..], [Effect::Notebook(NotebookFx::Read { articles })] if articles.len() == 1 && articles[0].id == "art-a"),
        "{fx:?}"
    );
    let (actions, _) = run(&store, fx);
    let mut s = s2;
    for x in actions {
        s = crate::state::reduce(&s, x).0;
    }
    let mut query = q("другой вкладки");
    assert_eq!(shown_with(&s, &query), ["a1"]);
    assert!(Rc::ptr_eq(
        s.notebook.index.article("art-b").unwrap(),
        &untouched
    ));
    // A rename is searchable at once, with nothing read.
    let (s, fx) = crate::state::reduce(
        &s,
        Action::RenameArticle {
            id: "art-b".into(),
            title: "Сад".into(),
            now: NOW.into(),
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Notebook(_))));
    query.text = "сад".into();
    assert_eq!(shown_with(&s, &query), ["b1"]);
    // A removed article leaves the notebook.
    let (s, _) = crate::state::reduce(
        &s,
        Action::RemoveArticle {
            id: "art-b".into(),
            now: NOW.into(),
        },
    );
    assert_eq!(shown_with(&s, &query), Vec::<String>::new());
    // An imported article is the only one read.
    let c = parse_plain("art-c", "Третья\nНовый текст.");
    save_article(&store, &c).unwrap();
    let mut list = s.library.doc.clone();
    list.articles.insert(0, ArticleMeta::of(&c, NOW, None));
    let (_, fx) = crate::state::reduce(
        &s,
        Action::ArticleAdded {
            batch: 1,
            meta: ArticleMeta::of(&c, NOW, None),
            library: list,
        },
    );
    let reads: Vec<&Effect> = fx
        .iter()
        .filter(|e| matches!(e, Effect::Notebook(NotebookFx::Read { .. })))
        .collect();
    assert!(
        matches!(reads[..], [Effect::Notebook(NotebookFx::Read { articles })] if articles.len() == 1 && articles[0].id == "art-c"),
        "{fx:?}"
    );
}

fn shown_with(s: &State, query: &NotesQuery) -> Vec<String> {
    s.notebook
        .index
        .matching(query)
        .iter()
        .map(|h| h.get().id.clone())
        .collect()
}

#[test]
fn a_bulk_tag_across_articles_and_its_undo_restore_every_annotation() {
    let (store, a, b) = library();
    let seed = seed_article();
    let (s, _) = settle(
        &store,
        &load(&store, "#/"),
        Action::RouteChanged(Route::Notes(NotesQuery::default())),
    );
    let before_a = load_annotations(&store, "art-a", Some(&a.text())).value;
    // Everything shown: the open article's highlight, A's two, B's one.
    let (s, other) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Bulk {
            op: BulkOp::AddTag("#важное".into()),
            now: NOW.into(),
        }),
    );
    assert!(other.is_empty(), "{other:?}");
    assert_eq!(
        s.notebook.message,
        Some(BulkMessage {
            what: BulkWhat::AddTag("важное".into()),
            count: 4
        })
    );
    // In storage (the open article's through the reader's own write) and in the index.
    assert_eq!(tags_of(&store, &seed, "s1"), ["важное"]);
    assert_eq!(tags_of(&store, &a, "a1"), ["важное"]);
    assert_eq!(tags_of(&store, &a, "a2"), ["важное"]);
    assert_eq!(tags_of(&store, &b, "b1"), ["важное"]);
    assert_eq!(s.reader.annotation("s1").unwrap().tags, ["важное"]);
    let tagged = NotesQuery {
        tag: Some("важное".into()),
        ..NotesQuery::default()
    };
    assert_eq!(shown_with(&s, &tagged).len(), 4);
    // The undo entry holds the exact inverse for every article.
    let change = s.notebook.undo.last().unwrap();
    assert_eq!(change.inverse.len(), 3);
    assert_eq!(change.inverse.values().map(Vec::len).sum::<usize>(), 4);

    // Undo: every touched annotation is back, with a newer `modified`.
    let (s, other) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Undo { now: LATER.into() }),
    );
    assert!(other.is_empty(), "{other:?}");
    assert!(tags_of(&store, &a, "a1").is_empty());
    assert!(tags_of(&store, &b, "b1").is_empty());
    assert!(tags_of(&store, &seed, "s1").is_empty());
    assert!(s.reader.annotation("s1").unwrap().tags.is_empty());
    assert_eq!(shown_with(&s, &tagged).len(), 0);
    let after_a = load_annotations(&store, "art-a", Some(&a.text())).value;
    for (x, y) in before_a.annotations.iter().zip(&after_a.annotations) {
        assert_eq!(x.target, y.target);
        assert_eq!(x.tags, y.tags);
        assert_eq!(y.modified, LATER, "newer than the edit, so merges agree");
    }
    assert_eq!(s.notebook.message.as_ref().unwrap().what, BulkWhat::Undone);
    // Redo brings it back; undo again takes it away.
    let (s, _) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Redo {
            now: "2026-04-01T12:06:00.000Z".into(),
        }),
    );
    assert_eq!(tags_of(&store, &b, "b1"), ["важное"]);
    let (_, _) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Undo {
            now: "2026-04-01T12:07:00.000Z".into(),
        }),
    );
    assert!(tags_of(&store, &b, "b1").is_empty());
}

#[test]
fn bulk_changes_apply_to_what_is_shown_only() {
    let (store, a, b) = library();
    let (s, _) = settle(
        &store,
        &load(&store, "#/"),
        Action::RouteChanged(Route::Notes(NotesQuery::default())),
    );
    let (s, _) = settle(
        &store,
        &s,
        Action::Notebook(Msg::SetQuery(NotesQuery {
            colors: vec![Color::Yellow, Color::Pink],
            ..NotesQuery::default()
        })),
    );
    let (s, _) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Bulk {
            op: BulkOp::Recolor(Color::Purple),
            now: NOW.into(),
        }),
    );
    let colour = |article: &Article, id: &str| {
        load_annotations(&store, &article.id, Some(&article.text()))
            .value
            .annotations
            .into_iter()
            .find(|x| x.id == id)
            .unwrap()
            .color
    };
    assert_eq!(colour(&a, "a1"), Color::Purple);
    assert_eq!(colour(&a, "a2"), Color::Blue, "not shown: untouched");
    assert_eq!(colour(&b, "b1"), Color::Purple);
    assert_eq!(s.notebook.message.as_ref().unwrap().count, 2);
    // Nothing changes: no undo entry.
    let (s2, fx) = crate::state::reduce(
        &s,
        Action::Notebook(Msg::Bulk {
            op: BulkOp::RemoveTag("нет-такого".into()),
            now: NOW.into(),
        }),
    );
    assert!(fx.is_empty());
    assert_eq!(s2.notebook.undo.len(), s.notebook.undo.len());
    // One highlight recoloured by key: its own undo step.
    let (s3, _) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Recolor {
            article: "art-a".into(),
            id: "a2".into(),
            color: Color::Green,
            now: NOW.into(),
        }),
    );
    assert_eq!(colour(&a, "a2"), Color::Green);
    let (_, _) = settle(
        &store,
        &s3,
        Action::Notebook(Msg::Undo { now: LATER.into() }),
    );
    assert_eq!(colour(&a, "a2"), Color::Blue);
}

#[test]
fn a_failed_write_is_said_and_the_stored_version_shown() {
    let (store, ..) = library();
    let (s, _) = settle(
        &store,
        &load(&store, "#/"),
        Action::RouteChanged(Route::Notes(NotesQuery::default())),
    );
    // Article B's annotations were written by a newer Lectern meanwhile.
    store.map.borrow_mut().insert(
        annotations_key("art-b"),
        r#"{"version":9,"data":{}}"#.into(),
    );
    let (s, _) = settle(
        &store,
        &s,
        Action::Notebook(Msg::Bulk {
            op: BulkOp::AddTag("x".into()),
            now: NOW.into(),
        }),
    );
    assert_eq!(s.notebook.failed.len(), 1);
    assert_eq!(s.notebook.failed[0].0, "Second article");
    assert!(s.notebook.failed[0].1.contains("read-only"));
    // B shows what storage holds (its newer data, as far as this build reads it: nothing).
    let b = s.notebook.index.article("art-b").unwrap();
    assert!(b.entries.iter().all(|e| e.tags.is_empty()));
}

#[test]
fn review_order_and_moves() {
    let (store, ..) = library();
    let (s, _) = settle(
        &store,
        &load(&store, "#/"),
        Action::RouteChanged(Route::Notes(NotesQuery::default())),
    );
    let (s1, _) = crate::state::reduce(
        &s,
        Action::Notebook(Msg::Review {
            random: false,
            seed: 0,
        }),
    );
    let r = s1.notebook.review.as_ref().unwrap();
    let ids: Vec<&str> = r.order.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(
        ids,
        ["a1", "s1", "a2", "b1"],
        "oldest first (ties by article id)"
    );
    let (s2, _) = crate::state::reduce(&s1, Action::Notebook(Msg::ReviewMove(-1)));
    assert_eq!(s2.notebook.review.as_ref().unwrap().at, 0);
    let mut s3 = s2;
    for _ in 0..10 {
        s3 = crate::state::reduce(&s3, Action::Notebook(Msg::ReviewMove(1))).0;
    }
    assert_eq!(s3.notebook.review.as_ref().unwrap().at, 3);
    let (s4, _) = crate::state::reduce(
        &s,
        Action::Notebook(Msg::Review {
            random: true,
            seed: 42,
        }),
    );
    let mut random: Vec<String> = s4
        .notebook
        .review
        .as_ref()
        .unwrap()
        .order
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    let again = crate::state::reduce(
        &s,
        Action::Notebook(Msg::Review {
            random: true,
            seed: 42,
        }),
    )
    .0;
    assert_eq!(
        again.notebook.review, s4.notebook.review,
        "the same seed, the same order"
    );
    random.sort();
    assert_eq!(random, ["a1", "a2", "b1", "s1"], "each once");
    assert_eq!(
        crate::state::reduce(&s4, Action::Notebook(Msg::ReviewEnd))
            .0
            .notebook
            .review,
        None
    );
}

#[test]
fn export_and_the_highlight_route() {
    let (store, ..) = library();
    let (s, _) = settle(
        &store,
        &load(&store, "#/"),
        Action::RouteChanged(Route::Notes(q("пили чай"))),
    );
    let (_, fx) = crate::state::reduce(
        &s,
        Action::Notebook(Msg::Export {
            format: ExportFormat::Markdown,
            delivery: Delivery::Download,
            now: NOW.into(),
        }),
    );
    let [Effect::Notebook(NotebookFx::Export { selection, .. })] = &fx[..] else {
        panic!("{fx:?}");
    };
    assert_eq!(selection, &[("art-a".to_owned(), vec!["a2".to_owned()])]);
    let file = crate::notebook::export_file(
        &store,
        &s.library.doc,
        selection,
        ExportFormat::Markdown,
        NOW,
        seed_article,
    );
    assert!(file.content.contains("> пили чай"), "{}", file.content);
    assert!(!file.content.contains("хоровод"));
    assert_eq!(file.name, "lectern-notebook-2026-04-01.md");

    // Opening a highlight from the notebook: the article opens, and the highlight is to be
    // scrolled to once it is shown.
    let route = Route::Highlight {
        article: "art-a".into(),
        annotation: "a2".into(),
    };
    let (s2, fx) = crate::state::reduce(&s, Action::RouteChanged(route));
    assert_eq!(fx, [Effect::OpenArticle { id: "art-a".into() }]);
    assert_eq!(s2.notebook.reveal, Some(("art-a".into(), "a2".into())));
    let (s3, _) = crate::state::reduce(&s2, Action::Notebook(Msg::Revealed));
    assert_eq!(s3.notebook.reveal, None);
}

#[test]
fn statuses_come_from_the_readers_placements_for_the_open_article() {
    let (store, ..) = library();
    let (s, _) = settle(
        &store,
        &load(&store, "#/notes"),
        Action::Notebook(Msg::DismissMessage),
    );
    let (s, _) = settle(
        &store,
        &s,
        Action::RouteChanged(Route::Notes(NotesQuery::default())),
    );
    // (The startup read has not been run in this test: run it.)
    let (actions, _) = run(&store, s.startup_effects());
    let mut s = s;
    for a in actions {
        s = crate::state::reduce(&s, a).0;
    }
    let seed = s.notebook.index.article("seed").unwrap();
    assert_eq!(seed.entries[0].status, Status::Exact);
    assert!(s.notebook.loaded());
}
