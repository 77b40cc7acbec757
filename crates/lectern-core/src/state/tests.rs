//! The reducer, slice by slice.

use super::*;
use crate::anchor::Placement;
use crate::annotations_doc::Tombstone;
use crate::parse::plain::parse_plain;
use crate::settings::Theme;

/// The next state (the effects are checked where they matter).
fn reduce(s: &State, a: Action) -> State {
    super::reduce(s, a).0
}

/// The effects of one action.
fn effects(s: &State, a: Action) -> Vec<Effect> {
    super::reduce(s, a).1
}

/// A state as start-up would make it from these loads, on the reader view.
fn new_state(article: Article, settings: Loaded<Settings>, doc: Loaded<AnnotationsDoc>) -> State {
    State::new(Startup {
        settings,
        library: loaded(LibraryDoc::first_open(&crate::library::seed_article())),
        article,
        annotations: doc,
        view: View::Reader,
        problem: None,
        pending: None,
        discard: Vec::new(),
        reading: Default::default(),
        route: crate::route::Route::Default,
    })
}

fn loaded<T: Default>(v: T) -> Loaded<T> {
    Loaded {
        value: v,
        writable: true,
        problem: None,
    }
}

fn start() -> State {
    new_state(
        parse_plain(
            "a",
            "Заголовок\nПервый абзац про Киев.\nВторой абзац про Москву.",
        ),
        loaded(Settings::default()),
        loaded(AnnotationsDoc::default()),
    )
}

fn at(n: u32) -> String {
    format!("2026-01-01T00:00:{n:02}.000Z")
}

/// Byte range of `needle` in the state's text.
fn range_of(s: &State, needle: &str) -> Range<ByteOffset> {
    let i = s.reader.text_str().find(needle).unwrap();
    ByteOffset(i)..ByteOffset(i + needle.len())
}

fn add(s: &State, id: &str, needle: &str, color: Color, n: u32) -> State {
    reduce(
        s,
        Action::AddHighlight {
            id: id.into(),
            range: range_of(s, needle),
            color,
            now: at(n),
        },
    )
}

#[test]
fn settings_are_set_clamped_and_reset() {
    let s = start();
    let s = reduce(
        &s,
        Action::SetSettings(Settings {
            theme: Theme::Dark,
            font_size_px: 99,
            ..Settings::default()
        }),
    );
    assert_eq!(
        (s.settings.value.theme, s.settings.value.font_size_px),
        (Theme::Dark, 28)
    );
    assert_eq!(
        reduce(&s, Action::ResetSettings).settings.value,
        Settings::default()
    );
}

#[test]
fn load_problems_become_notices_that_can_be_dismissed() {
    let s = new_state(
        parse_plain("a", "T\nx"),
        Loaded {
            value: Settings::default(),
            writable: false,
            problem: Some(Problem::Unavailable { why: "x".into() }),
        },
        loaded(AnnotationsDoc::default()),
    );
    assert!(!s.settings.writable);
    assert_eq!(s.notices.len(), 1);
    let id = s.notices.list[0].id;
    assert!(reduce(&s, Action::DismissNotice(id)).notices.is_empty());
}

#[test]
fn no_storage_is_one_notice() {
    fn gone<T: Default>() -> Loaded<T> {
        Loaded {
            value: T::default(),
            writable: false,
            problem: Some(Problem::Unavailable {
                why: "SecurityError".into(),
            }),
        }
    }
    let s = new_state(parse_plain("a", "T\nx"), gone(), gone());
    assert_eq!(s.notices.len(), 1);
    assert!(!s.reader.writable && !s.settings.writable);
}

#[test]
fn repeated_save_failures_keep_one_notice_per_subject() {
    let mut s = start();
    for subject in [
        Subject::Annotations,
        Subject::Annotations,
        Subject::Settings,
    ] {
        s = reduce(
            &s,
            Action::SaveFailed {
                subject,
                key: "k".into(),
                error: StoreError::QuotaExceeded {
                    key: "k".into(),
                    bytes: 1,
                },
            },
        );
    }
    assert_eq!(s.notices.len(), 2);
}

#[test]
fn a_highlight_is_described_placed_exactly_and_bumps_the_revision() {
    let s = add(&start(), "h1", "про Киев", Color::Green, 1);
    let a = s.reader.annotation("h1").unwrap();
    let target = a.target.as_ref().unwrap();
    assert_eq!(target.quote.exact, "про Киев");
    assert_eq!(a.color, Color::Green);
    assert_eq!(s.reader.last_color, Color::Green);
    assert_eq!(
        s.reader.placements["h1"],
        Placement::Exact {
            range: range_of(&s, "про Киев")
        }
    );
    assert_eq!(s.reader.revision, 1);
    assert_eq!(
        s.reader.placed_ranges(),
        vec![("h1".to_string(), range_of(&s, "про Киев"))]
    );
}

#[test]
fn whitespace_and_empty_selections_do_nothing() {
    let s = start();
    let space = s.reader.text_str().find(' ').unwrap();
    for range in [
        ByteOffset(space)..ByteOffset(space + 1),
        ByteOffset(3)..ByteOffset(3),
    ] {
        let next = reduce(
            &s,
            Action::AddHighlight {
                id: "x".into(),
                range,
                color: Color::Yellow,
                now: at(1),
            },
        );
        assert!(next.reader.doc.annotations.is_empty());
        assert_eq!(next.reader.revision, 0);
    }
}

#[test]
fn undo_and_redo_create_recolor_note_tags_delete() {
    let s0 = start();
    let s1 = add(&s0, "h1", "Первый абзац", Color::Yellow, 1);
    let s2 = reduce(
        &s1,
        Action::Recolor {
            id: "h1".into(),
            color: Color::Blue,
            now: at(2),
        },
    );
    let s3 = reduce(
        &s2,
        Action::EditNote {
            id: "h1".into(),
            note: "з".into(),
            now: at(3),
        },
    );
    let s3 = reduce(
        &s3,
        Action::EditNote {
            id: "h1".into(),
            note: "за".into(),
            now: at(4),
        },
    );
    let s4 = reduce(
        &s3,
        Action::SetTags {
            id: "h1".into(),
            tags: vec!["тег".into()],
            now: at(5),
        },
    );
    let s5 = reduce(
        &s4,
        Action::Remove {
            id: "h1".into(),
            now: at(6),
        },
    );
    assert!(s5.reader.annotation("h1").is_none());
    assert_eq!(s5.reader.just_deleted.as_deref(), Some("h1"));
    assert_eq!(s5.reader.doc.tombstones.len(), 1);
    // Two note edits in a row are one undo step: 5 steps in all.
    assert_eq!(s5.reader.undo.len(), 5);

    let u1 = reduce(&s5, Action::Undo { now: at(7) });
    let a = u1.reader.annotation("h1").unwrap();
    assert_eq!(
        (a.color, a.note.as_str(), a.tags.len()),
        (Color::Blue, "за", 1)
    );
    assert!(
        a.modified.as_str() > "2026-01-01T00:00:06.000Z",
        "restored is newer than its tombstone"
    );
    assert!(u1.reader.doc.tombstones.is_empty());
    assert!(u1.reader.placements["h1"].is_exact());
    let u2 = reduce(&u1, Action::Undo { now: at(8) });
    assert!(u2.reader.annotation("h1").unwrap().tags.is_empty());
    let u3 = reduce(&u2, Action::Undo { now: at(9) });
    assert_eq!(u3.reader.annotation("h1").unwrap().note, "");
    let u4 = reduce(&u3, Action::Undo { now: at(10) });
    assert_eq!(u4.reader.annotation("h1").unwrap().color, Color::Yellow);
    let u5 = reduce(&u4, Action::Undo { now: at(11) });
    assert!(u5.reader.annotation("h1").is_none());
    assert!(u5.reader.placements.is_empty());
    // Nothing more to undo; redo walks forward again.
    assert_eq!(
        reduce(&u5, Action::Undo { now: at(12) }).reader.doc,
        u5.reader.doc
    );
    let r1 = reduce(&u5, Action::Redo { now: at(13) });
    assert_eq!(r1.reader.annotation("h1").unwrap().color, Color::Yellow);
    let r2 = reduce(&r1, Action::Redo { now: at(14) });
    assert_eq!(r2.reader.annotation("h1").unwrap().color, Color::Blue);
    // A new action clears redo.
    let n = reduce(
        &r2,
        Action::Recolor {
            id: "h1".into(),
            color: Color::Pink,
            now: at(15),
        },
    );
    assert!(n.reader.redo.is_empty());
    assert!(u1.reader.revision > s5.reader.revision);
}

#[test]
fn the_article_note_is_created_once_and_edited() {
    let s = reduce(
        &start(),
        Action::SetArticleNote {
            new_id: "n1".into(),
            note: String::new(),
            now: at(1),
        },
    );
    assert!(
        s.reader.article_note().is_none(),
        "an empty note creates nothing"
    );
    let s = reduce(
        &s,
        Action::SetArticleNote {
            new_id: "n1".into(),
            note: "мысль".into(),
            now: at(2),
        },
    );
    let s = reduce(
        &s,
        Action::SetArticleNote {
            new_id: "n2".into(),
            note: "мысль 2".into(),
            now: at(3),
        },
    );
    let notes: Vec<_> = s
        .reader
        .doc
        .annotations
        .iter()
        .filter(|a| a.target.is_none())
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        (notes[0].id.as_str(), notes[0].note.as_str()),
        ("n1", "мысль 2")
    );
    assert!(s.reader.highlights_in_order().is_empty());
}

#[test]
fn highlights_are_listed_in_document_order_with_orphans_last() {
    let s = add(&start(), "b", "Москву", Color::Yellow, 1);
    let mut s = add(&s, "a", "Киев", Color::Yellow, 2);
    let mut orphan = s.reader.annotation("a").unwrap().clone();
    orphan.id = "o".into();
    orphan.created = at(0);
    orphan.target.as_mut().unwrap().quote.exact = "Совсем другой текст, которого нет".into();
    orphan.target.as_mut().unwrap().quote.prefix = "ничего".into();
    Rc::make_mut(&mut s.reader.doc).annotations.push(orphan);
    s.reader.place_all();
    assert!(s.reader.placements["o"].is_orphan());
    let order: Vec<&str> = s
        .reader
        .highlights_in_order()
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(order, ["a", "b", "o"]);
}

#[test]
fn reattach_and_confirm_describe_anew() {
    let s = add(&start(), "h", "Киев", Color::Yellow, 1);
    let s = reduce(
        &s,
        Action::Reattach {
            id: "h".into(),
            range: range_of(&s, "Москву"),
            now: at(2),
        },
    );
    assert_eq!(
        s.reader
            .annotation("h")
            .unwrap()
            .target
            .as_ref()
            .unwrap()
            .quote
            .exact,
        "Москву"
    );
    assert_eq!(
        s.reader.placements["h"].range(),
        Some(range_of(&s, "Москву"))
    );
    // Confirming an exact placement keeps it where it is.
    let c = reduce(
        &s,
        Action::ConfirmPlacement {
            id: "h".into(),
            now: at(3),
        },
    );
    assert_eq!(
        c.reader.placements["h"].range(),
        Some(range_of(&s, "Москву"))
    );
}

#[test]
fn another_tabs_changes_merge_in_and_ours_are_written_back() {
    let ours = add(&start(), "mine", "Киев", Color::Yellow, 1);
    let theirs_state = add(&start(), "theirs", "Москву", Color::Pink, 2);
    let merged = reduce(
        &ours,
        Action::AnnotationsChangedElsewhere((*theirs_state.reader.doc).clone()),
    );
    assert!(
        merged.reader.annotation("mine").is_some() && merged.reader.annotation("theirs").is_some()
    );
    assert!(merged.reader.placements["theirs"].is_exact());
    // Theirs lacked "mine": write the merge back.
    assert!(merged.reader.revision > ours.reader.revision);
    // When the other tab already has everything we have, nothing needs writing.
    let again = reduce(
        &merged,
        Action::AnnotationsChangedElsewhere((*merged.reader.doc).clone()),
    );
    assert_eq!(again.reader.revision, merged.reader.revision);
    // A deletion elsewhere removes ours if ours is older.
    let mut gone = (*merged.reader.doc).clone();
    gone.annotations.retain(|a| a.id != "mine");
    gone.tombstones.push(Tombstone {
        id: "mine".into(),
        deleted: at(9),
    });
    let after = reduce(&merged, Action::AnnotationsChangedElsewhere(gone));
    assert!(after.reader.annotation("mine").is_none());
    assert!(!after.reader.placements.contains_key("mine"));
}

/// The library list's writes in `fx`.
fn library_writes(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::SaveLibrary(_)))
        .count()
}

#[test]
fn the_library_adds_renames_removes_and_undoes_removal() {
    let s = start();
    // An import: the article is stored (content, then list) by one effect…
    let s = reduce(
        &s,
        Action::ImportText {
            name: "pasted".into(),
            text: "Новая статья\nТекст.".into(),
        },
    );
    let a = parse_plain("x1", "Новая статья\nТекст.");
    let (s, fx) = super::reduce(
        &s,
        Action::ArticleImported {
            batch: 1,
            name: "pasted".into(),
            article: Ok(a.clone()),
            now: at(1),
        },
    );
    let meta = match &fx[..] {
        [Effect::AddArticle { meta, .. }] => meta.clone(),
        other => panic!("{other:?}"),
    };
    // …whose outcome lists it and opens it (one article added).
    let mut stored = s.library.doc.clone();
    stored.articles.insert(0, meta.clone());
    let (s, fx) = super::reduce(
        &s,
        Action::ArticleAdded {
            batch: 1,
            meta,
            library: stored,
        },
    );
    assert_eq!(s.library.doc.articles[0].id, "x1");
    assert_eq!(fx, vec![Effect::Navigate(Route::Article("x1".into()))]);
    let rename = |s: &State, title: &str, n| {
        super::reduce(
            s,
            Action::RenameArticle {
                id: "x1".into(),
                title: title.into(),
                now: at(n),
            },
        )
    };
    let (s, fx) = rename(&s, "  Другое имя ", 2);
    assert_eq!(s.library.doc.articles[0].title, "Другое имя");
    assert_eq!(library_writes(&fx), 1);
    let (s, fx) = rename(&s, "   ", 3);
    assert_eq!(s.library.doc.articles[0].title, "Другое имя");
    assert_eq!(library_writes(&fx), 0);
    let (s, fx) = super::reduce(
        &s,
        Action::RemoveArticle {
            id: "x1".into(),
            now: at(4),
        },
    );
    assert!(s.library.doc.get("x1").is_none());
    assert_eq!(library_writes(&fx), 1);
    let (s, fx) = super::reduce(&s, Action::UndoRemoveArticle { now: at(5) });
    assert_eq!(s.library.doc.articles[0].id, "x1");
    assert_eq!(library_writes(&fx), 1);
}

#[test]
fn opening_an_article_switches_text_annotations_and_history() {
    let s = add(&start(), "h", "Киев", Color::Yellow, 1);
    assert_eq!(s.reader.undo.len(), 1);
    let other = parse_plain("b", "Другая\nСовсем другой текст.");
    let o = reduce(
        &s,
        Action::ArticleOpened {
            article: Box::new(other),
            annotations: loaded(AnnotationsDoc::default()),
            reading: Default::default(),
            now: at(50),
        },
    );
    assert_eq!(o.reader.text_str(), "Совсем другой текст.");
    assert!(
        o.reader.doc.annotations.is_empty()
            && o.reader.placements.is_empty()
            && o.reader.undo.is_empty()
    );
    assert_eq!(o.view, View::Reader);
    assert_eq!(
        reduce(&o, Action::RouteChanged(Route::Library)).view,
        View::Library
    );
}

#[test]
fn imported_annotations_are_added_placed_and_undoable() {
    let s = start();
    let donor = add(&start(), "imp", "Москву", Color::Pink, 1);
    let mut a = donor.reader.annotation("imp").unwrap().clone();
    a.article_id = s.reader.article.id.clone();
    let mut other = a.clone();
    other.id = "elsewhere".into();
    other.article_id = "another-article".into();
    let s2 = reduce(&s, Action::ImportAnnotations(vec![a.clone(), other]));
    assert!(s2.reader.annotation("imp").is_some());
    assert!(
        s2.reader.annotation("elsewhere").is_none(),
        "only this article's"
    );
    assert!(s2.reader.placements["imp"].is_exact());
    assert_eq!(s2.reader.revision, s.reader.revision + 1);
    // Importing the same again adds nothing; undo takes the import back.
    assert_eq!(
        reduce(&s2, Action::ImportAnnotations(vec![a]))
            .reader
            .revision,
        s2.reader.revision
    );
    assert!(reduce(&s2, Action::Undo { now: at(5) })
        .reader
        .annotation("imp")
        .is_none());
}

#[test]
fn read_only_annotations_ignore_edits() {
    let s = new_state(
        parse_plain("a", "T\nКиев и Москва."),
        loaded(Settings::default()),
        Loaded {
            value: AnnotationsDoc::default(),
            writable: false,
            problem: Some(Problem::NewerVersion {
                key: "k".into(),
                found: 2,
                supported: 1,
            }),
        },
    );
    let n = add(&s, "h", "Киев", Color::Yellow, 1);
    assert!(n.reader.doc.annotations.is_empty());
    assert_eq!(n.reader.revision, 0);
    assert_eq!(n.notices.len(), 1);
}

// --- Effects --------------------------------------------------------------------------------

fn saves_of(fx: &[Effect]) -> Vec<&str> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::SaveAnnotations { article_id, .. } => Some(article_id.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn edits_ask_for_their_article_to_be_written_and_read_only_asks_nothing() {
    let s = start();
    let fx = effects(
        &s,
        Action::AddHighlight {
            id: "h".into(),
            range: range_of(&s, "Киев"),
            color: Color::Blue,
            now: at(1),
        },
    );
    assert_eq!(saves_of(&fx), ["a"]);
    // The written document is the new one.
    match &fx[0] {
        Effect::SaveAnnotations { doc, .. } => assert_eq!(doc.annotations.len(), 1),
        other => panic!("{other:?}"),
    }
    // Nothing changed: nothing written.
    let s = add(&s, "h", "Киев", Color::Blue, 1);
    assert!(effects(
        &s,
        Action::Recolor {
            id: "missing".into(),
            color: Color::Pink,
            now: at(2)
        }
    )
    .is_empty());
    // Read-only: the edit is ignored and nothing is written.
    let mut ro = s.clone();
    ro.reader.make_read_only();
    for a in [
        Action::Recolor {
            id: "h".into(),
            color: Color::Pink,
            now: at(3),
        },
        Action::Remove {
            id: "h".into(),
            now: at(3),
        },
        Action::Undo { now: at(3) },
        Action::ImportAnnotations(vec![]),
    ] {
        let (n, fx) = super::reduce(&ro, a);
        assert!(fx.is_empty());
        assert_eq!(n.reader.doc, ro.reader.doc);
    }
}

#[test]
fn settings_are_written_when_they_change_and_may_be_written() {
    let s = start();
    let dark = Settings {
        theme: Theme::Dark,
        ..Settings::default()
    };
    assert_eq!(
        effects(&s, Action::SetSettings(dark.clone())),
        vec![Effect::SaveSettings(dark.clone())]
    );
    assert!(effects(&s, Action::SetSettings(Settings::default())).is_empty());
    let mut ro = s.clone();
    ro.settings.make_read_only();
    let (n, fx) = super::reduce(&ro, Action::SetSettings(dark));
    assert!(fx.is_empty());
    assert_eq!(n.settings.value.theme, Theme::Dark, "shown for this visit");
}

#[test]
fn routes_open_through_the_one_decision() {
    let s = add(&start(), "h", "Киев", Color::Yellow, 1);
    // To the library and back to the same article: nothing is read again, memory is kept.
    let (lib, fx) = super::reduce(&s, Action::RouteChanged(Route::Library));
    assert_eq!(lib.view, View::Library);
    assert_eq!(
        fx,
        vec![Effect::LoadLibraryDetails, Effect::LoadStorageUsage]
    );
    let (back, fx) = super::reduce(&lib, Action::RouteChanged(Route::Article("a".into())));
    assert_eq!(back.view, View::Reader);
    assert!(fx.is_empty());
    assert!(back.reader.annotation("h").is_some());
    // Another article is loaded by the runner.
    assert_eq!(
        effects(&s, Action::RouteChanged(Route::Article("b".into()))),
        vec![Effect::OpenArticle { id: "b".into() }]
    );
    // No hash: the sample while it is listed, the library once it is deleted (as at start-up).
    assert_eq!(
        effects(&s, Action::RouteChanged(Route::Default)),
        vec![Effect::OpenArticle { id: "seed".into() }]
    );
    let gone = reduce(
        &s,
        Action::RemoveArticle {
            id: "seed".into(),
            now: at(2),
        },
    );
    let (n, fx) = super::reduce(&gone, Action::RouteChanged(Route::Default));
    assert_eq!(n.view, View::Library);
    assert_eq!(
        fx,
        vec![Effect::LoadLibraryDetails, Effect::LoadStorageUsage]
    );
    // An article that cannot be opened: the library, with the problem.
    let (n, _) = super::reduce(
        &s,
        Action::OpenFailed {
            id: "b".into(),
            problem: Problem::Corrupt {
                key: "k".into(),
                error: "missing".into(),
                backup_key: None,
            },
        },
    );
    assert_eq!(n.view, View::Library);
    assert_eq!(n.notices.list[0].subject, Subject::Article);
}

#[test]
fn unsaved_annotations_survive_opening_other_articles_until_written() {
    let s = add(&start(), "h", "Киев", Color::Yellow, 1);
    let key = crate::annotations_doc::annotations_key("a");
    let quota = StoreError::QuotaExceeded {
        key: key.clone(),
        bytes: 10,
    };
    let s = reduce(
        &s,
        Action::AnnotationsNotSaved {
            article_id: "a".into(),
            key,
            doc: Rc::clone(&s.reader.doc),
            error: quota,
        },
    );
    assert_eq!(s.notices.len(), 1);
    // Another article, then this one again, as storage has it (without the highlight).
    let s = reduce(
        &s,
        Action::ArticleOpened {
            article: Box::new(parse_plain("b", "B\nДругой текст.")),
            annotations: loaded(AnnotationsDoc::default()),
            reading: Default::default(),
            now: at(50),
        },
    );
    let (s, fx) = super::reduce(
        &s,
        Action::ArticleOpened {
            article: Box::new(parse_plain(
                "a",
                "Заголовок\nПервый абзац про Киев.\nВторой абзац про Москву.",
            )),
            annotations: loaded(AnnotationsDoc::default()),
            reading: Default::default(),
            now: at(51),
        },
    );
    assert!(s.reader.annotation("h").is_some(), "kept in memory");
    assert!(s.reader.placements["h"].is_exact());
    assert_eq!(saves_of(&fx), ["a"], "and written again");
    assert!(s
        .notices
        .list
        .iter()
        .any(|n| matches!(n.problem, Problem::WriteFailed { .. })));
    // Written at last: the message goes.
    let s = reduce(
        &s,
        Action::AnnotationsSaved {
            article_id: "a".into(),
        },
    );
    assert!(s.reader.unsaved.is_empty());
    assert!(s.notices.is_empty());
}

#[test]
fn a_newer_lectern_writing_a_key_makes_it_read_only_here() {
    let s = add(&start(), "h", "Киев", Color::Yellow, 1);
    let key = crate::annotations_doc::annotations_key("a");
    let s = reduce(
        &s,
        Action::AnnotationsNotSaved {
            article_id: "a".into(),
            key: key.clone(),
            doc: Rc::clone(&s.reader.doc),
            error: StoreError::Newer { key, found: 2 },
        },
    );
    assert!(!s.reader.writable);
    assert!(matches!(
        s.notices.list[0].problem,
        Problem::NewerVersion { found: 2, .. }
    ));
    assert!(effects(
        &s,
        Action::Remove {
            id: "h".into(),
            now: at(5)
        }
    )
    .is_empty());
    let s = reduce(
        &s,
        Action::SaveFailed {
            subject: Subject::Library,
            key: crate::library::LIBRARY_KEY.into(),
            error: StoreError::Newer {
                key: crate::library::LIBRARY_KEY.into(),
                found: 3,
            },
        },
    );
    assert!(!s.library.writable);
    assert!(effects(
        &s,
        Action::RemoveArticle {
            id: "seed".into(),
            now: at(6)
        }
    )
    .is_empty());
}

fn file(handle: u32, name: &str, size: u64) -> FileRef {
    FileRef {
        handle,
        name: name.into(),
        size,
    }
}

#[test]
fn an_import_batch_reports_each_file_and_navigates_once() {
    let s = start();
    let (s, fx) = super::reduce(
        &s,
        Action::ImportFiles(vec![
            file(1, "a.txt", 10),
            file(2, "copy.txt", 10),
            file(3, "huge.txt", 30 * 1024 * 1024),
        ]),
    );
    // The huge one is refused without being read.
    assert_eq!(
        fx,
        vec![Effect::ImportFiles {
            batch: 1,
            files: vec![file(1, "a.txt", 10), file(2, "copy.txt", 10)]
        }]
    );
    assert!(matches!(
        s.library.import.lines[2].outcome,
        ImportOutcome::Failed(ImportError::TooLarge { .. })
    ));
    let text = "Статья\nТекст статьи.";
    let (s, fx) = super::reduce(
        &s,
        Action::ArticleImported {
            batch: 1,
            name: "a.txt".into(),
            article: Ok(parse_plain("id1", text)),
            now: at(1),
        },
    );
    assert!(matches!(&fx[..], [Effect::AddArticle { .. }]));
    // The same text again in the same batch, before the first is stored: a duplicate.
    let (s, fx) = super::reduce(
        &s,
        Action::ArticleImported {
            batch: 1,
            name: "copy.txt".into(),
            article: Ok(parse_plain("id2", text)),
            now: at(2),
        },
    );
    assert!(fx.is_empty());
    assert!(matches!(
        &s.library.import.lines[1].outcome,
        ImportOutcome::Duplicate { id, .. } if id == "id1"
    ));
    // The first could not be stored: the batch settles and shows the library.
    let (s, fx) = super::reduce(
        &s,
        Action::ArticleNotSaved {
            batch: 1,
            id: "id1".into(),
            why: "storage full".into(),
        },
    );
    assert_eq!(fx, vec![Effect::Navigate(Route::Library)]);
    assert!(s.library.doc.get("id1").is_none());
    // A late answer for an old batch changes nothing.
    let (_, fx) = super::reduce(
        &s,
        Action::ArticleImported {
            batch: 0,
            name: "a.txt".into(),
            article: Ok(parse_plain("id3", "Другая\nстатья")),
            now: at(3),
        },
    );
    assert!(fx.is_empty());
}

#[test]
fn an_import_batch_in_the_library_reads_the_space_used_once_it_has_settled() {
    let (s, _) = super::reduce(&start(), Action::RouteChanged(Route::Library));
    assert_eq!(s.view, View::Library);
    let names = ["a.txt", "b.txt", "c.txt"];
    let files: Vec<FileRef> = (1..).zip(names).map(|(h, n)| file(h, n, 10)).collect();
    let (mut s, _) = super::reduce(&s, Action::ImportFiles(files));
    assert_eq!(s.library.import.batch, 1);
    let usage_reads = |fx: &[Effect]| {
        fx.iter()
            .filter(|e| matches!(e, Effect::LoadStorageUsage))
            .count()
    };
    let mut stored = s.library.doc.clone();
    for (i, name) in names.iter().enumerate() {
        let (n, fx) = super::reduce(
            &s,
            Action::ArticleImported {
                batch: 1,
                name: (*name).into(),
                article: Ok(parse_plain(
                    &format!("id{i}"),
                    &format!("Статья {i}\nТекст {i}."),
                )),
                now: at(i as u32 + 1),
            },
        );
        let meta = match &fx[..] {
            [Effect::AddArticle { meta, .. }] => meta.clone(),
            other => panic!("{other:?}"),
        };
        stored.articles.insert(0, meta.clone());
        let action = if i == 1 {
            Action::ArticleNotSaved {
                batch: 1,
                id: meta.id,
                why: "storage full".into(),
            }
        } else {
            Action::ArticleAdded {
                batch: 1,
                meta,
                library: stored.clone(),
            }
        };
        let (n, fx) = super::reduce(&n, action);
        // Not after each file (every stored text is read for it): once, when the last settles.
        assert_eq!(usage_reads(&fx), usize::from(i == 2), "after file {i}");
        s = n;
    }
    assert!(s.library.import.done);
    // The same when the last file to settle is one the worker could not import.
    let (mut s, _) = super::reduce(
        &s,
        Action::ImportFiles(vec![file(9, "d.txt", 10), file(10, "e.txt", 10)]),
    );
    let batch = s.library.import.batch;
    let (n, fx) = super::reduce(
        &s,
        Action::ArticleImported {
            batch,
            name: "d.txt".into(),
            article: Ok(parse_plain("x0", "Другая\nСтатья.")),
            now: at(10),
        },
    );
    let meta = match &fx[..] {
        [Effect::AddArticle { meta, .. }] => meta.clone(),
        other => panic!("{other:?}"),
    };
    stored.articles.insert(0, meta.clone());
    let (n, fx) = super::reduce(
        &n,
        Action::ArticleAdded {
            batch,
            meta,
            library: stored,
        },
    );
    assert_eq!(usage_reads(&fx), 0, "e.txt is still being imported");
    s = n;
    let (s, fx) = super::reduce(
        &s,
        Action::ImportFailed {
            batch,
            name: "e.txt".into(),
            why: "the import worker stopped".into(),
        },
    );
    assert!(s.library.import.done);
    assert_eq!(usage_reads(&fx), 1);
}

#[test]
fn pasted_text_over_the_file_limit_is_refused_without_importing() {
    let (s, fx) = super::reduce(
        &start(),
        Action::ImportText {
            name: "pasted".into(),
            text: "x".repeat(crate::import::MAX_IMPORT_BYTES + 1),
        },
    );
    assert_eq!(fx, vec![Effect::Navigate(Route::Library)]);
    assert!(matches!(
        s.library.import.lines[0].outcome,
        ImportOutcome::Failed(ImportError::TooLarge { .. })
    ));
}

#[test]
fn data_files_are_validated_before_anything_changes() {
    let s = start();
    let read = |scope, text: &str| {
        super::reduce(
            &s,
            Action::DataFileRead {
                scope,
                name: "f.json".into(),
                text: Ok(text.to_owned()),
                id_seed: [7; 16],
                now: at(1),
            },
        )
    };
    // A broken backup: the problem, with the path of the bad field; nothing to do.
    let (n, fx) = read(
        DataScope::Library,
        r#"{"format":"lectern-backup","version":1,"exported":"x","library":{"articles":[]},"articles":[],"annotations":{},"settings":{"theme":7}}"#,
    );
    assert!(fx.is_empty());
    match &n.transfer.status {
        Some((
            _,
            DataStatus::Failed {
                why: DataProblem::Invalid(p),
                ..
            },
        )) => assert!(p.path.is_some(), "{p:?}"),
        other => panic!("{other:?}"),
    }
    // Annotations need an article.
    let jsonld = r#"{"@context":"http://www.w3.org/ns/anno.jsonld","type":"Annotation","body":{"type":"TextualBody","value":"n"},"target":{"source":"x","selector":{"type":"TextQuoteSelector","exact":"Киев"}}}"#;
    let (n, fx) = read(DataScope::Library, jsonld);
    assert!(fx.is_empty());
    assert!(matches!(
        n.transfer.status,
        Some((
            _,
            DataStatus::Failed {
                why: DataProblem::NeedsArticle,
                ..
            }
        ))
    ));
    // On the article: attached, with fresh UUIDs, as one undoable step written once.
    let (n, fx) = read(DataScope::Article, jsonld);
    assert_eq!(saves_of(&fx), ["a"]);
    let a = n.reader.highlights_in_order()[0];
    assert_eq!(a.id.len(), 36);
    assert!(n.reader.placements[&a.id].is_exact());
    // A valid backup goes to the runner to be restored.
    let backup = crate::export::backup::to_backup(&Default::default(), &at(1));
    let (_, fx) = read(DataScope::Library, &backup);
    assert!(matches!(&fx[..], [Effect::RestoreBackup { .. }]));
}

/// Another tab stored `doc` as the library list.
fn elsewhere(doc: &LibraryDoc) -> Action {
    Action::StoredElsewhere {
        key: Some(crate::library::LIBRARY_KEY.into()),
        value: Some(crate::storage::to_envelope(1, doc)),
    }
}

#[test]
fn another_tabs_library_merges_and_ours_is_written_back_when_theirs_lacks_it() {
    let s = start();
    let mut theirs = s.library.doc.clone();
    let other = parse_plain("t1", "Их\nстатья");
    theirs
        .articles
        .insert(0, crate::library::ArticleMeta::of(&other, &at(5), None));
    // Theirs has everything we have and more: take it, write nothing.
    let (n, fx) = super::reduce(&s, elsewhere(&theirs));
    assert!(n.library.doc.get("t1").is_some() && n.library.doc.get("seed").is_some());
    assert!(fx.is_empty());
    // Theirs lacks ours (the seed): keep both and write the merge back.
    let mut lacking = theirs;
    lacking.articles.retain(|m| m.id != "seed");
    let (n, fx) = super::reduce(&s, elsewhere(&lacking));
    assert_eq!(n.library.doc.articles.len(), 2);
    assert_eq!(library_writes(&fx), 1);
}

#[test]
fn a_newer_value_stored_by_another_tab_makes_the_key_read_only() {
    let s = start();
    let newer = |key: String| Action::StoredElsewhere {
        key: Some(key),
        value: Some(r#"{"version":9,"data":{}}"#.into()),
    };
    let s = reduce(&s, newer(crate::annotations_doc::annotations_key("a")));
    assert!(!s.reader.writable);
    let s = reduce(&s, newer(crate::library::LIBRARY_KEY.into()));
    assert!(!s.library.writable);
    let s = reduce(&s, newer(crate::storage::SETTINGS_KEY.into()));
    assert!(!s.settings.writable);
    assert_eq!(s.notices.len(), 3);
    assert!(s
        .notices
        .list
        .iter()
        .all(|n| matches!(n.problem, Problem::NewerVersion { found: 9, .. })));
    // Garbage from another tab is left to that tab: nothing changes here.
    let t = start();
    let same = reduce(
        &t,
        Action::StoredElsewhere {
            key: Some(crate::library::LIBRARY_KEY.into()),
            value: Some("{garbage".into()),
        },
    );
    assert_eq!(same, t);
}

#[test]
fn library_search_asks_the_word_index_and_title_matches_at_once() {
    let s = reduce(&start(), Action::RouteChanged(Route::Library));
    let title = s.library.doc.articles[0].title.clone();
    let word = title.split_whitespace().next().unwrap().to_lowercase();
    let (s, fx) = super::reduce(&s, Action::SearchLibrary(word.clone()));
    assert_eq!(
        fx,
        vec![Effect::SearchLibrary {
            query: word.clone(),
            ids: s
                .library
                .doc
                .articles
                .iter()
                .map(|m| m.id.clone())
                .collect(),
        }]
    );
    // The title matches before the index answers.
    assert_eq!(s.library.rows(None).len(), 1);
    let (s, fx) = super::reduce(&s, Action::SearchLibrary("ёжик".into()));
    assert_eq!(fx.len(), 1);
    assert!(s.library.rows(None).is_empty());
    // A late answer for an older query is ignored; the current one is used.
    let s = reduce(
        &s,
        Action::LibraryMatches {
            query: word,
            ids: vec!["seed".into()],
        },
    );
    assert!(s.library.rows(None).is_empty());
    let s = reduce(
        &s,
        Action::LibraryMatches {
            query: "ёжик".into(),
            ids: vec!["seed".into()],
        },
    );
    assert_eq!(s.library.rows(None).len(), 1);
}

#[test]
fn the_library_filters_by_status_and_sorts() {
    use crate::library::ArticleMeta;
    use crate::reading::Reading;
    let mut s = start();
    let mk = |id: &str, title: &str, words: usize, added: u32| {
        let mut m = ArticleMeta::of(
            &parse_plain(id, &format!("{title}\nтекст")),
            &at(added),
            None,
        );
        m.words = words;
        m
    };
    s.library.doc.articles = vec![
        mk("a", "Бета", 300, 3),
        mk("b", "Альфа", 100, 2),
        mk("c", "Гамма", 200, 1),
    ];
    let mut details = LibraryDetails::default();
    details
        .reading
        .insert("a".into(), Reading::default().opened_at(&at(9)));
    details.reading.insert(
        "b".into(),
        Reading {
            archived: true,
            ..Reading::default()
        },
    );
    s.library.details = Rc::new(details);
    let ids =
        |s: &State| -> Vec<String> { s.library.rows(None).iter().map(|m| m.id.clone()).collect() };
    assert_eq!(ids(&s), ["a", "c"], "archived left out, newest first");
    let s2 = reduce(&s, Action::FilterLibrary(StatusFilter::Archived));
    assert_eq!(ids(&s2), ["b"]);
    let s2 = reduce(&s, Action::FilterLibrary(StatusFilter::Unread));
    assert_eq!(ids(&s2), ["c"]);
    let s2 = reduce(&s, Action::SortLibrary(SortKey::Title));
    assert_eq!(ids(&s2), ["a", "c"]);
    let s2 = reduce(&s, Action::SortLibrary(SortKey::Length));
    assert_eq!(ids(&s2), ["c", "a"]);
    let s2 = reduce(&s, Action::SortLibrary(SortKey::Opened));
    assert_eq!(ids(&s2), ["a", "c"]);
    // Archiving writes the record and moves it out of the main list.
    let (s3, fx) = super::reduce(
        &s,
        Action::SetArchived {
            id: "a".into(),
            archived: true,
            now: at(10),
        },
    );
    assert!(
        matches!(&fx[..], [Effect::SaveReading { id, reading }] if id == "a" && reading.archived)
    );
    assert_eq!(ids(&s3), ["c"]);
}

#[test]
fn the_reading_position_is_kept_and_written_when_it_moves() {
    let s = start();
    let (s, fx) = super::reduce(
        &s,
        Action::ReadingAt {
            block: 1,
            offset: crate::text::Utf16Offset(4),
            progress: 50,
            now: at(3),
        },
    );
    assert_eq!((s.reader.reading.block, s.reader.reading.progress), (1, 50));
    assert!(matches!(&fx[..], [Effect::SaveReading { .. }]));
    // The same place again writes nothing.
    let (_, fx) = super::reduce(
        &s,
        Action::ReadingAt {
            block: 1,
            offset: crate::text::Utf16Offset(4),
            progress: 50,
            now: at(4),
        },
    );
    assert!(fx.is_empty());
}

#[test]
fn a_removed_article_can_be_undone_until_its_window_ends_then_its_data_goes() {
    let s = start();
    let (s, fx) = super::reduce(
        &s,
        Action::RemoveArticle {
            id: "seed".into(),
            now: at(1),
        },
    );
    let final_action = fx.iter().find_map(|e| match e {
        Effect::After { ms, action } => Some((*ms, (**action).clone())),
        _ => None,
    });
    assert_eq!(
        final_action,
        Some((
            crate::library::UNDO_WINDOW_MS,
            Action::RemovalFinal { id: "seed".into() }
        ))
    );
    assert!(s.library.just_removed.is_some());
    let (s, fx) = super::reduce(&s, Action::RemovalFinal { id: "seed".into() });
    assert!(s.library.just_removed.is_none(), "no undo after the window");
    assert_eq!(fx, vec![Effect::PurgeRemoved]);
}

#[test]
fn another_tabs_restore_is_read_when_it_has_finished_not_piece_by_piece() {
    let s = start();
    let journal = crate::export::backup::RESTORE_JOURNAL_KEY;
    let s = reduce(
        &s,
        Action::StoredElsewhere {
            key: Some(journal.into()),
            value: Some("{}".into()),
        },
    );
    assert!(s.restoring_elsewhere);
    // A piece of the restore: not merged, not written back.
    let mut theirs = s.library.doc.clone();
    theirs.articles.clear();
    let (n, fx) = super::reduce(&s, elsewhere(&theirs));
    assert!(fx.is_empty());
    assert_eq!(n.library.doc, s.library.doc);
    // Finished: what is stored now is read.
    let (n, fx) = super::reduce(
        &n,
        Action::StoredElsewhere {
            key: Some(journal.into()),
            value: None,
        },
    );
    assert!(!n.restoring_elsewhere);
    assert!(matches!(&fx[..], [Effect::ReloadStored { keys }] if keys.len() == 3));
}

#[test]
fn a_hundred_thousand_imported_annotations_are_added_in_one_pass() {
    // Quadratic adding (one search of the list per annotation) would take minutes here; the
    // test is a guard by completing, not a timing.
    let s = start();
    let donor = add(&start(), "x", "Киев", Color::Yellow, 1);
    let template = donor.reader.annotation("x").unwrap().clone();
    let list: Vec<Annotation> = (0..100_000)
        .map(|i| {
            let mut a = template.clone();
            a.id = format!("imp-{i}");
            a.article_id = s.reader.article.id.clone();
            a
        })
        .collect();
    let s = reduce(&s, Action::ImportAnnotations(list.clone()));
    assert_eq!(s.reader.doc.annotations.len(), 100_000);
    assert_eq!(s.reader.undo.len(), 1, "one undo step");
    // The same again adds nothing.
    let again = reduce(&s, Action::ImportAnnotations(list));
    assert_eq!(again.reader.revision, s.reader.revision);
    // Undo takes all of them back in one step, redo brings them again.
    let undone = reduce(&s, Action::Undo { now: at(9) });
    assert!(undone.reader.doc.annotations.is_empty());
    assert_eq!(undone.reader.doc.tombstones.len(), 100_000);
    let redone = reduce(&undone, Action::Redo { now: at(10) });
    assert_eq!(redone.reader.doc.annotations.len(), 100_000);
}

/// A note over the limit (pasted, say) is not saved, the reader is told by how much, and the
/// note already saved stays; a note within the limit saves and the message goes.
#[test]
fn a_note_over_the_limit_is_refused_with_a_message_and_the_saved_note_stays() {
    use crate::note_markup::MAX_NOTE_BYTES;
    let s0 = start();
    let s1 = add(&s0, "h1", "Первый абзац", Color::Yellow, 1);
    let s2 = reduce(
        &s1,
        Action::EditNote {
            id: "h1".into(),
            note: "короткая".into(),
            now: at(2),
        },
    );
    let huge = "я".repeat(MAX_NOTE_BYTES / 2 + 1);
    let s3 = reduce(
        &s2,
        Action::EditNote {
            id: "h1".into(),
            note: huge.clone(),
            now: at(3),
        },
    );
    assert_eq!(s3.reader.annotation("h1").unwrap().note, "короткая");
    assert_eq!(s3.reader.revision, s2.reader.revision, "nothing to write");
    let too_long: Vec<_> = s3
        .notices
        .list
        .iter()
        .filter(|n| {
            matches!(n.problem, Problem::NoteTooLong { bytes, limit }
                if bytes == huge.len() && limit == MAX_NOTE_BYTES)
        })
        .collect();
    assert_eq!(too_long.len(), 1);
    // The article note too.
    let s4 = reduce(
        &s3,
        Action::SetArticleNote {
            new_id: "n1".into(),
            note: huge,
            now: at(4),
        },
    );
    assert!(s4.reader.article_note().is_none());
    // Within the limit again: saved, and the message goes.
    let s5 = reduce(
        &s4,
        Action::EditNote {
            id: "h1".into(),
            note: "снова короткая".into(),
            now: at(5),
        },
    );
    assert_eq!(s5.reader.annotation("h1").unwrap().note, "снова короткая");
    assert!(!s5
        .notices
        .list
        .iter()
        .any(|n| matches!(n.problem, Problem::NoteTooLong { .. })));
}
