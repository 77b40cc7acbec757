//! Reading aloud: sentence by sentence, events of old utterances ignored, the voice per
//! language, what is said when there is none.

use super::*;
use crate::effect::Effect;
use crate::library::seed_article;
use crate::parse::plain::parse_plain;
use crate::startup::Startup;
use crate::state::{Action, State};
use crate::storage::MemoryStore;

fn state() -> State {
    State::new(Startup::load(&MemoryStore::default(), "", seed_article, ""))
}

fn voice(name: &str, lang: &str, default: bool) -> Voice {
    Voice {
        name: name.into(),
        uri: format!("uri:{name}"),
        lang: lang.into(),
        default,
        local: true,
    }
}

fn voices() -> Vec<Voice> {
    vec![
        voice("Alex", "en-US", true),
        voice("Milena", "ru-RU", false),
        voice("Yuri", "ru-RU", false),
    ]
}

fn step(s: &State, msg: Msg) -> (State, Vec<Effect>) {
    crate::state::reduce(s, Action::Listen(msg))
}

/// The text of each `Speak` among `fx`, with its utterance number.
fn spoken(fx: &[Effect]) -> Vec<(u64, String)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Speech(SpeechFx::Speak { seq, text, .. }) => Some((*seq, text.clone())),
            _ => None,
        })
        .collect()
}

/// Listening started with the voices known: the state and the first utterance.
fn listening(from: Option<ByteOffset>) -> (State, Vec<Effect>) {
    let (s, fx) = step(&state(), Msg::Start { from });
    assert_eq!(fx, [Effect::Speech(SpeechFx::LoadVoices)]);
    assert_eq!(s.listen.playing, Playing::Waiting);
    step(
        &s,
        Msg::Voices {
            supported: true,
            voices: voices(),
        },
    )
}

#[test]
fn the_sample_is_read_sentence_by_sentence_in_russian() {
    let (s, fx) = listening(None);
    let first = spoken(&fx);
    assert_eq!(first.len(), 1);
    assert!(first[0].1.starts_with("В условиях продолжающейся динамики"));
    let Effect::Speech(SpeechFx::Speak {
        lang, voice, rate, ..
    }) = &fx[0]
    else {
        unreachable!()
    };
    assert_eq!(lang, "ru");
    assert_eq!(
        voice.as_deref(),
        Some("uri:Milena"),
        "the first Russian voice"
    );
    assert_eq!(*rate, 1.0);
    assert_eq!((s.listen.playing, s.listen.at), (Playing::Speaking, 0));
    // Each end speaks the next sentence; every sentence once, in order.
    let mut s = s;
    let mut said = vec![first[0].1.clone()];
    loop {
        let (next, fx) = step(&s, Msg::Ended { seq: s.listen.seq });
        s = next;
        match spoken(&fx).pop() {
            Some((_, text)) => said.push(text),
            None => break,
        }
    }
    assert_eq!(said.len(), 29);
    assert!(said[1].starts_with("21 ноября в Москве"));
    assert!(said[28].starts_with("Только совместными усилиями"));
    assert_eq!(s.listen.playing, Playing::Stopped, "the end of the article");
}

#[test]
fn events_of_older_utterances_are_ignored() {
    let (s, _) = listening(None);
    let old = s.listen.seq;
    let (s, fx) = step(&s, Msg::Next);
    assert_eq!(spoken(&fx).len(), 1);
    assert_eq!(s.listen.at, 1);
    // The cancelled utterance reports its end (or an "interrupted" error) late: nothing moves.
    let (s2, fx) = step(&s, Msg::Ended { seq: old });
    assert!(fx.is_empty());
    assert_eq!(s2.listen.at, 1);
    let (s3, fx) = step(
        &s2,
        Msg::Failed {
            seq: old,
            error: "interrupted".into(),
        },
    );
    assert!(fx.is_empty());
    assert_eq!(
        (s3.listen.playing, s3.listen.problem.clone()),
        (Playing::Speaking, None)
    );
    // An error of the current utterance stops, and is said.
    let (s4, fx) = step(
        &s3,
        Msg::Failed {
            seq: s3.listen.seq,
            error: "synthesis-failed".into(),
        },
    );
    assert_eq!(fx, [Effect::Speech(SpeechFx::Cancel)]);
    assert_eq!(s4.listen.playing, Playing::Stopped);
    assert_eq!(
        s4.listen.problem,
        Some(ListenProblem::Failed("synthesis-failed".into()))
    );
}

#[test]
fn boundary_events_mark_the_word_being_said() {
    let (s, _) = listening(None);
    // "В условиях продолжающейся …": the third word starts at UTF-16 index 11.
    let (s, _) = step(
        &s,
        Msg::Boundary {
            seq: s.listen.seq,
            char_index: 11,
        },
    );
    let w = s.listen.word.clone().unwrap();
    assert_eq!(&s.reader.text_str()[w.start.0..w.end.0], "продолжающейся");
    // Out of range is clamped, never a panic.
    let (s, _) = step(
        &s,
        Msg::Boundary {
            seq: s.listen.seq,
            char_index: 99_999,
        },
    );
    assert_eq!(s.listen.word, None);
}

#[test]
fn pause_resume_stop_next_previous() {
    let (s, _) = listening(None);
    let (s, fx) = step(&s, Msg::Toggle { from: None });
    assert_eq!(
        (s.listen.playing, fx),
        (Playing::Paused, vec![Effect::Speech(SpeechFx::Pause)])
    );
    let (s, fx) = step(&s, Msg::Toggle { from: None });
    assert_eq!(
        (s.listen.playing, fx),
        (Playing::Speaking, vec![Effect::Speech(SpeechFx::Resume)])
    );
    let (s, _) = step(&s, Msg::Next);
    let (s, _) = step(&s, Msg::Next);
    assert_eq!(s.listen.at, 2);
    let (s, fx) = step(&s, Msg::Previous);
    assert_eq!(s.listen.at, 1);
    assert!(spoken(&fx)[0].1.starts_with("21 ноября"));
    // Paused, next still moves (and speaks: the engine is resumed by the runner).
    let (s, _) = step(&s, Msg::Pause);
    let (s, fx) = step(&s, Msg::Next);
    assert_eq!((s.listen.at, s.listen.playing), (2, Playing::Speaking));
    assert_eq!(spoken(&fx).len(), 1);
    let (s, fx) = step(&s, Msg::Stop);
    assert_eq!(
        (s.listen.playing, fx),
        (Playing::Stopped, vec![Effect::Speech(SpeechFx::Cancel)])
    );
    // Stopped: next and previous do nothing.
    assert!(step(&s, Msg::Next).1.is_empty());
    assert!(step(&s, Msg::Previous).1.is_empty());
}

#[test]
fn reading_starts_at_a_selection_or_a_highlight() {
    let s0 = state();
    let text = s0.reader.text_str().to_owned();
    // A selection starting inside "представители МИД РФ": from that word.
    let from = ByteOffset(text.find("представители МИД").unwrap() + "пред".len());
    let (s, fx) = listening(Some(from));
    let said = spoken(&fx);
    assert!(
        said[0].1.starts_with("представители МИД РФ сообщили"),
        "{}",
        said[0].1
    );
    assert_eq!(s.listen.at, 3);
    // Previous goes to the start of that same sentence first.
    let (s, fx) = step(&s, Msg::Previous);
    assert!(spoken(&fx)[0].1.starts_with("Кроме того, представители"));
    assert_eq!(s.listen.at, 3);
    // From a point between sentences: the next sentence, whole.
    let gap = ByteOffset(text.find(" В ходе беседы").unwrap());
    let (_, fx) = listening(Some(gap));
    assert!(spoken(&fx)[0].1.starts_with("В ходе беседы"));
}

#[test]
fn no_voice_for_the_language_is_said_and_nothing_spoken() {
    let (s, _) = step(&state(), Msg::Start { from: None });
    let (s, fx) = step(
        &s,
        Msg::Voices {
            supported: true,
            voices: vec![voice("Alex", "en-US", true)],
        },
    );
    assert!(spoken(&fx).is_empty());
    assert_eq!(s.listen.problem, Some(ListenProblem::NoVoice("ru".into())));
    assert_eq!(s.listen.playing, Playing::Stopped);
    // Headless browsers: speech synthesis with no voices at all.
    let (s, _) = step(&state(), Msg::Start { from: None });
    let (s, _) = step(
        &s,
        Msg::Voices {
            supported: true,
            voices: vec![],
        },
    );
    assert_eq!(s.listen.problem, Some(ListenProblem::NoVoice("ru".into())));
    // No speech synthesis at all.
    let (s, _) = step(&state(), Msg::Start { from: None });
    let (s, _) = step(
        &s,
        Msg::Voices {
            supported: false,
            voices: vec![],
        },
    );
    assert_eq!(s.listen.problem, Some(ListenProblem::Unsupported));
    // An English article with the same voices is read.
    let mut s = state();
    s.reader = crate::state::ReaderState::new(
        parse_plain("en", "Title\nOne sentence. Two sentences."),
        crate::storage::Loaded {
            value: Default::default(),
            writable: true,
            problem: None,
        },
    );
    let (s, _) = step(&s, Msg::Start { from: None });
    let (_, fx) = step(
        &s,
        Msg::Voices {
            supported: true,
            voices: voices(),
        },
    );
    assert_eq!(spoken(&fx), [(1, "One sentence.".to_owned())]);
}

#[test]
fn the_voice_and_rate_are_remembered_per_language() {
    let (s, _) = listening(None);
    let (s, fx) = step(
        &s,
        Msg::SetVoice {
            lang: "ru-RU".into(),
            uri: "uri:Yuri".into(),
        },
    );
    assert_eq!(s.settings.value.speech.voice_for("ru"), Some("uri:Yuri"));
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveSettings(_))));
    // The sentence being read starts again with the new voice.
    assert!(fx.iter().any(
        |e| matches!(e, Effect::Speech(SpeechFx::Speak { voice: Some(v), .. }) if v == "uri:Yuri")
    ));
    let (s, fx) = step(&s, Msg::SetRate(15));
    assert_eq!(s.settings.value.speech.rate_tenths, 15);
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Speech(SpeechFx::Speak { rate, .. }) if *rate == 1.5)));
    // Next time, the remembered voice is chosen.
    let mut fresh = state();
    fresh.settings.value = s.settings.value.clone();
    let (fresh, _) = step(&fresh, Msg::Start { from: None });
    let (_, fx) = step(
        &fresh,
        Msg::Voices {
            supported: true,
            voices: voices(),
        },
    );
    assert!(
        matches!(&fx[..], [Effect::Speech(SpeechFx::Speak { voice: Some(v), .. })] if v == "uri:Yuri")
    );
    // The pick: chosen, else default, else local, else first.
    let vs = voices();
    assert_eq!(
        pick_voice(&vs, "ru", Some("uri:nope")).unwrap().name,
        "Milena"
    );
    assert_eq!(pick_voice(&vs, "en-GB", None).unwrap().name, "Alex");
    assert_eq!(pick_voice(&vs, "de", None), None);
}

#[test]
fn leaving_the_article_stops_reading() {
    let (s, _) = listening(None);
    let (s2, fx) = crate::state::reduce(&s, Action::RouteChanged(crate::route::Route::Library));
    assert_eq!(s2.listen.playing, Playing::Stopped);
    assert!(fx.contains(&Effect::Speech(SpeechFx::Cancel)));
}
