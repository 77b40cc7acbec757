//! Reading the open article aloud (issue 18): which sentence is being read, with which voice,
//! and what to say when it cannot be.
//!
//! The article is read one sentence at a time ([`crate::sentences`]): one utterance per
//! sentence, the next spoken when the last one ends, so pausing, stopping and moving to the
//! next or previous sentence are exact, and no utterance runs long (some engines cut long
//! ones off). Each utterance has a number (`seq`); events of an older utterance (a cancelled
//! one reports its end late) are ignored. The sentence being read is the one whose utterance
//! reports (`start`, `boundary`); a `boundary` event also marks the word being said.
//!
//! The voice: the one chosen for the article's language in the settings
//! ([`crate::settings::SpeechSettings`]), else the browser's default for that language, else
//! its first. With none for the language, nothing is spoken and the reader is told so.

use std::ops::Range;
use std::rc::Rc;

use crate::effect::{Effect, Effects};
use crate::sentences::{article_sentences, sentence_at, Sentence};
use crate::settings::primary_language;
use crate::state::State;
use crate::text::{utf16_to_byte_clamped, ByteOffset, Utf16Offset};

/// A voice the browser offers (`SpeechSynthesisVoice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voice {
    pub name: String,
    /// `voiceURI`: what the settings remember.
    pub uri: String,
    /// BCP 47 (`ru-RU`).
    pub lang: String,
    /// The browser's default voice.
    pub default: bool,
    /// Speaks without the network.
    pub local: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Playing {
    #[default]
    Stopped,
    /// Waiting for the browser's list of voices.
    Waiting,
    Speaking,
    Paused,
}

/// Why reading aloud cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenProblem {
    /// No voice for this language (its code).
    NoVoice(String),
    /// The browser has no speech synthesis.
    Unsupported,
    /// The engine reported an error.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListenState {
    pub playing: Playing,
    /// The sentences of `article_id` (worked out when reading starts).
    pub sentences: Rc<Vec<Sentence>>,
    pub article_id: String,
    /// The sentence being read.
    pub at: usize,
    /// Where the utterance being spoken starts in the text (a selection may start inside its
    /// sentence).
    pub utterance_start: ByteOffset,
    /// The word being said (bytes of the text), from the engine's boundary events.
    pub word: Option<Range<ByteOffset>>,
    /// The utterance whose events count.
    pub seq: u64,
    /// The browser's voices (`None`: not asked yet).
    pub voices: Option<Rc<Vec<Voice>>>,
    /// Whether the browser can speak at all (known with the voices).
    pub supported: bool,
    /// The voice reading the open article.
    pub voice: Option<Voice>,
    pub problem: Option<ListenProblem>,
    /// Where to start once the voices are known.
    pending_from: Option<Option<ByteOffset>>,
}

/// Reading aloud's messages (`Action::Listen`).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Read from `from` (bytes of the text: a selection's or a highlight's start), or from the
    /// beginning.
    Start {
        from: Option<ByteOffset>,
    },
    /// Start (from `from`), pause or resume: the one key and the one button.
    Toggle {
        from: Option<ByteOffset>,
    },
    Pause,
    Resume,
    Stop,
    Next,
    Previous,
    /// The browser's voices (`supported`: it has speech synthesis at all).
    Voices {
        supported: bool,
        voices: Vec<Voice>,
    },
    /// Utterance `seq` started.
    Started {
        seq: u64,
    },
    /// Utterance `seq` reached the word at `char_index` (UTF-16 code units of its text).
    Boundary {
        seq: u64,
        char_index: u32,
    },
    /// Utterance `seq` ended.
    Ended {
        seq: u64,
    },
    /// Utterance `seq` failed (`error`: the engine's code).
    Failed {
        seq: u64,
        error: String,
    },
    /// Use voice `uri` for language `lang` from now on (remembered in the settings).
    SetVoice {
        lang: String,
        uri: String,
    },
    /// Speak at this rate (tenths) from now on (remembered in the settings).
    SetRate(u8),
    DismissProblem,
}

/// What reading aloud asks the runner to do (`Effect::Speech`).
#[derive(Debug, Clone, PartialEq)]
pub enum SpeechFx {
    /// Report the browser's voices (`Msg::Voices`), waiting a moment for them if the list is
    /// still empty.
    LoadVoices,
    /// Cancel whatever is spoken, then speak `text` as utterance `seq`, reporting its events
    /// (`Started`, `Boundary`, `Ended`, `Failed`).
    Speak {
        seq: u64,
        text: String,
        lang: String,
        /// A `voiceURI`, or the browser's choice for `lang`.
        voice: Option<String>,
        rate: f32,
    },
    Pause,
    Resume,
    Cancel,
}

impl ListenState {
    /// Whether reading aloud is under way (speaking, paused, or about to).
    pub fn active(&self) -> bool {
        self.playing != Playing::Stopped
    }

    /// The sentence being read, while active.
    pub fn sentence(&self) -> Option<&Sentence> {
        self.active().then(|| self.sentences.get(self.at)).flatten()
    }
}

/// The voice for `lang` among `voices`: `chosen` (a `voiceURI`) if it is one of them, else the
/// browser's default for the language, else one that works offline, else the first.
pub fn pick_voice(voices: &[Voice], lang: &str, chosen: Option<&str>) -> Option<Voice> {
    let want = primary_language(lang);
    let theirs: Vec<&Voice> = voices
        .iter()
        .filter(|v| primary_language(&v.lang) == want)
        .collect();
    theirs
        .iter()
        .find(|v| Some(v.uri.as_str()) == chosen)
        .or_else(|| theirs.iter().find(|v| v.default))
        .or_else(|| theirs.iter().find(|v| v.local))
        .or_else(|| theirs.first())
        .map(|v| (*v).clone())
}

pub(crate) fn apply(s: &mut State, msg: Msg, fx: &mut Effects) {
    match msg {
        Msg::Start { from } => start(s, from, fx),
        Msg::Toggle { from } => match s.listen.playing {
            Playing::Speaking => pause(s, fx),
            Playing::Paused => resume(s, fx),
            Playing::Waiting => {}
            Playing::Stopped => start(s, from, fx),
        },
        Msg::Pause => pause(s, fx),
        Msg::Resume => resume(s, fx),
        Msg::Stop => stop(s, fx),
        Msg::Next => {
            if matches!(s.listen.playing, Playing::Speaking | Playing::Paused)
                && s.listen.at + 1 < s.listen.sentences.len()
            {
                speak(s, s.listen.at + 1, None, fx);
            }
        }
        Msg::Previous => {
            if matches!(s.listen.playing, Playing::Speaking | Playing::Paused) {
                // Back to the start of this sentence if the reading started inside it.
                let this = s.listen.sentences.get(s.listen.at).map(|x| x.range.start);
                let at = if this.is_some_and(|st| st < s.listen.utterance_start) {
                    s.listen.at
                } else {
                    s.listen.at.saturating_sub(1)
                };
                speak(s, at, None, fx);
            }
        }
        Msg::Voices { supported, voices } => {
            s.listen.supported = supported;
            s.listen.voices = Some(Rc::new(voices));
            if let Some(from) = s.listen.pending_from.take() {
                s.listen.playing = Playing::Stopped;
                start(s, from, fx);
            }
        }
        Msg::Started { seq } => {
            if seq == s.listen.seq && s.listen.playing == Playing::Speaking {
                s.listen.word = None;
            }
        }
        Msg::Boundary { seq, char_index } => {
            if seq != s.listen.seq || !s.listen.active() {
                return;
            }
            let Some(sentence) = s.listen.sentences.get(s.listen.at) else {
                return;
            };
            let text = s.reader.text.as_str();
            let start = s.listen.utterance_start;
            let Some(said) = text.get(start.0..sentence.range.end.0) else {
                return;
            };
            let at = utf16_to_byte_clamped(said, Utf16Offset(char_index as usize)).0;
            let rest = &said[at..];
            let word_len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
            s.listen.word = (word_len > 0)
                .then(|| ByteOffset(start.0 + at)..ByteOffset(start.0 + at + word_len));
        }
        Msg::Ended { seq } => {
            if seq != s.listen.seq || !s.listen.active() {
                return;
            }
            if s.listen.at + 1 < s.listen.sentences.len() {
                speak(s, s.listen.at + 1, None, fx);
            } else {
                // The end of the article.
                s.listen.playing = Playing::Stopped;
                s.listen.word = None;
                s.listen.seq += 1;
            }
        }
        Msg::Failed { seq, error } => {
            if seq != s.listen.seq || !s.listen.active() {
                return;
            }
            s.listen.problem = Some(ListenProblem::Failed(error));
            stop(s, fx);
        }
        Msg::SetVoice { lang, uri } => {
            let mut settings = s.settings.value.clone();
            settings
                .speech
                .voices
                .insert(primary_language(&lang), uri.clone());
            s.settings.set(settings, fx);
            if let Some(voices) = s.listen.voices.clone() {
                s.listen.voice = pick_voice(&voices, &lang, Some(&uri));
            }
            restart(s, fx);
        }
        Msg::SetRate(tenths) => {
            let mut settings = s.settings.value.clone();
            settings.speech.rate_tenths = tenths;
            s.settings.set(settings, fx);
            restart(s, fx);
        }
        Msg::DismissProblem => s.listen.problem = None,
    }
}

fn start(s: &mut State, from: Option<ByteOffset>, fx: &mut Effects) {
    if s.listen.active() && s.listen.playing != Playing::Waiting {
        stop(s, fx);
    }
    s.listen.problem = None;
    if s.listen.article_id != s.reader.article.id || s.listen.sentences.is_empty() {
        s.listen.sentences = Rc::new(article_sentences(&s.reader.text));
        s.listen.article_id = s.reader.article.id.clone();
    }
    if s.listen.sentences.is_empty() {
        return;
    }
    let Some(voices) = s.listen.voices.clone() else {
        s.listen.pending_from = Some(from);
        s.listen.playing = Playing::Waiting;
        fx.push(Effect::Speech(SpeechFx::LoadVoices));
        return;
    };
    if !s.listen.supported {
        s.listen.problem = Some(ListenProblem::Unsupported);
        return;
    }
    let lang = s.reader.article.lang.clone();
    let chosen = s.settings.value.speech.voice_for(&lang).map(str::to_owned);
    let Some(voice) = pick_voice(&voices, &lang, chosen.as_deref()) else {
        s.listen.problem = Some(ListenProblem::NoVoice(primary_language(&lang)));
        s.listen.playing = Playing::Stopped;
        return;
    };
    s.listen.voice = Some(voice);
    let at = from
        .and_then(|f| sentence_at(&s.listen.sentences, f))
        .unwrap_or(0);
    // From inside a sentence: from that word on (a selection's start, snapped back to the
    // start of its word).
    let inside = from.filter(|f| {
        let r = &s.listen.sentences[at].range;
        r.start < *f && *f < r.end
    });
    let inside = inside.map(|f| {
        let text = s.reader.text.as_str();
        let r = &s.listen.sentences[at].range;
        let before = &text[r.start.0..f.0];
        ByteOffset(r.start.0 + before.rfind(char::is_whitespace).map_or(0, |i| i + 1))
    });
    speak(s, at, inside, fx);
}

/// Speak sentence `at` (from `from` inside it, if given) as a new utterance.
fn speak(s: &mut State, at: usize, from: Option<ByteOffset>, fx: &mut Effects) {
    let Some(sentence) = s.listen.sentences.get(at) else {
        return;
    };
    let start = from
        .filter(|f| sentence.range.start <= *f && *f < sentence.range.end)
        .unwrap_or(sentence.range.start);
    let Some(text) = s.reader.text.as_str().get(start.0..sentence.range.end.0) else {
        return;
    };
    s.listen.seq += 1;
    s.listen.at = at;
    s.listen.utterance_start = start;
    s.listen.word = None;
    s.listen.playing = Playing::Speaking;
    fx.push(Effect::Speech(SpeechFx::Speak {
        seq: s.listen.seq,
        text: text.to_owned(),
        lang: s.reader.article.lang.clone(),
        voice: s.listen.voice.as_ref().map(|v| v.uri.clone()),
        rate: s.settings.value.speech.rate(),
    }));
}

/// A new voice or rate: the sentence being read starts again with it.
fn restart(s: &mut State, fx: &mut Effects) {
    if s.listen.playing == Playing::Speaking {
        let from = s.listen.utterance_start;
        speak(s, s.listen.at, Some(from), fx);
    }
}

fn pause(s: &mut State, fx: &mut Effects) {
    if s.listen.playing == Playing::Speaking {
        s.listen.playing = Playing::Paused;
        fx.push(Effect::Speech(SpeechFx::Pause));
    }
}

fn resume(s: &mut State, fx: &mut Effects) {
    if s.listen.playing == Playing::Paused {
        s.listen.playing = Playing::Speaking;
        fx.push(Effect::Speech(SpeechFx::Resume));
    }
}

fn stop(s: &mut State, fx: &mut Effects) {
    if !s.listen.active() {
        return;
    }
    s.listen.pending_from = None;
    s.listen.playing = Playing::Stopped;
    s.listen.word = None;
    // Whatever the cancelled utterance still reports is ignored.
    s.listen.seq += 1;
    fx.push(Effect::Speech(SpeechFx::Cancel));
}

/// After every action: reading stops when another article is opened or the reader is left.
pub(crate) fn after(before: &State, s: &mut State, fx: &mut Effects) {
    if s.listen.active()
        && (!Rc::ptr_eq(&before.reader.article, &s.reader.article)
            || s.view != crate::route::View::Reader)
    {
        stop(s, fx);
    }
}

#[cfg(test)]
mod tests;
