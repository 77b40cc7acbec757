//! Reading aloud with the Web Speech API (`speechSynthesis`), and the mark on the sentence
//! being read (CSS Custom Highlight API, a layer of its own beside the highlights').
//!
//! What to say and when is the core's (`lectern_core::state::listen`): this speaks one
//! utterance at a time and reports its events. Everything is read through property access
//! (not `instanceof`), so a page may stand in its own `speechSynthesis` (the end-to-end tests
//! do: headless Chromium has no voices).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::Reflect;
use lectern_core::state::listen::Voice;
use lectern_core::text::Utf16Offset;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What an utterance reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Started,
    /// The word at this UTF-16 index of the utterance's text.
    Boundary(u32),
    Ended,
    /// The engine's error code (`interrupted`, `synthesis-failed`, …).
    Failed(String),
}

thread_local! {
    /// The utterance being spoken: kept referenced until the next, or Chromium may collect it
    /// mid-sentence and never report its end.
    static CURRENT: RefCell<Option<web_sys::SpeechSynthesisUtterance>> = const { RefCell::new(None) };
}

/// `window.speechSynthesis`, where the browser has it.
fn synth() -> Option<web_sys::SpeechSynthesis> {
    let w = web_sys::window()?;
    let v = Reflect::get(&w, &"speechSynthesis".into()).ok()?;
    (v.is_object()).then(|| v.unchecked_into())
}

/// Whether the browser can speak at all.
pub fn supported() -> bool {
    synth().is_some()
}

fn prop_str(o: &JsValue, k: &str) -> String {
    Reflect::get(o, &k.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn prop_bool(o: &JsValue, k: &str) -> bool {
    Reflect::get(o, &k.into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The browser's voices now (possibly none yet: they may arrive later).
pub fn voices() -> Vec<Voice> {
    let Some(s) = synth() else {
        return Vec::new();
    };
    s.get_voices()
        .iter()
        .map(|v| Voice {
            name: prop_str(&v, "name"),
            uri: prop_str(&v, "voiceURI"),
            lang: prop_str(&v, "lang"),
            default: prop_bool(&v, "default"),
            local: prop_bool(&v, "localService"),
        })
        .collect()
}

/// Calls `done(supported, voices)` with the browser's voices: at once when it has some; else
/// at its `voiceschanged` event, or after `wait_ms` with what there is (none, in headless
/// browsers).
pub fn load_voices(wait_ms: u32, done: impl FnOnce(bool, Vec<Voice>) + 'static) {
    let Some(s) = synth() else {
        done(false, Vec::new());
        return;
    };
    let now = voices();
    if !now.is_empty() {
        done(true, now);
        return;
    }
    type Done = Box<dyn FnOnce(bool, Vec<Voice>)>;
    let done: Rc<RefCell<Option<Done>>> = Rc::new(RefCell::new(Some(Box::new(done))));
    let listener: Rc<RefCell<Option<EventListener>>> = Rc::default();
    let finish = {
        let (done, listener) = (Rc::clone(&done), Rc::clone(&listener));
        move || {
            listener.borrow_mut().take();
            if let Some(d) = done.borrow_mut().take() {
                d(true, voices());
            }
        }
    };
    let on_change = finish.clone();
    *listener.borrow_mut() = Some(EventListener::once(
        s.unchecked_ref::<web_sys::EventTarget>(),
        "voiceschanged",
        move |_| on_change(),
    ));
    Timeout::new(wait_ms, finish).forget();
}

/// Stop whatever is spoken, then speak `text` in `lang` with the voice whose `voiceURI` is
/// `voice` (the browser's choice for `lang` without one) at `rate`, reporting its events to
/// `on`. False when the browser cannot speak.
pub fn speak(
    text: &str,
    lang: &str,
    voice: Option<&str>,
    rate: f32,
    on: Rc<dyn Fn(Event)>,
) -> bool {
    let Some(s) = synth() else {
        return false;
    };
    s.cancel();
    // Chromium stays paused across a cancel: what is spoken next would not be heard.
    if s.paused() {
        s.resume();
    }
    let Ok(u) = web_sys::SpeechSynthesisUtterance::new_with_text(text) else {
        return false;
    };
    u.set_lang(lang);
    u.set_rate(rate);
    if let Some(uri) = voice {
        if let Some(v) = s
            .get_voices()
            .iter()
            .find(|v| prop_str(v, "voiceURI") == uri)
        {
            u.set_voice(Some(v.unchecked_ref()));
        }
    }
    // Each handler lives as long as the utterance (a cancelled one reports late).
    let handler = |f: Box<dyn Fn(JsValue)>| Closure::wrap(f).into_js_value();
    let o = Rc::clone(&on);
    u.set_onstart(Some(
        handler(Box::new(move |_| o(Event::Started))).unchecked_ref(),
    ));
    let o = Rc::clone(&on);
    u.set_onboundary(Some(
        handler(Box::new(move |e: JsValue| {
            let at = Reflect::get(&e, &"charIndex".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            o(Event::Boundary(at.max(0.0) as u32));
        }))
        .unchecked_ref(),
    ));
    let o = Rc::clone(&on);
    u.set_onend(Some(
        handler(Box::new(move |_| o(Event::Ended))).unchecked_ref(),
    ));
    let o = on;
    u.set_onerror(Some(
        handler(Box::new(move |e: JsValue| {
            let code = prop_str(&e, "error");
            o(Event::Failed(if code.is_empty() {
                "error".to_owned()
            } else {
                code
            }))
        }))
        .unchecked_ref(),
    ));
    CURRENT.with(|c| *c.borrow_mut() = Some(u.clone()));
    s.speak(&u);
    true
}

pub fn pause() {
    if let Some(s) = synth() {
        s.pause();
    }
}

pub fn resume() {
    if let Some(s) = synth() {
        s.resume();
    }
}

pub fn cancel() {
    if let Some(s) = synth() {
        s.cancel();
    }
    CURRENT.with(|c| c.borrow_mut().take());
}

// ---- The mark on the sentence being read -------------------------------------------------

#[wasm_bindgen]
extern "C" {
    /// `Highlight` (CSS Custom Highlight API), as in `paint`.
    #[wasm_bindgen(js_name = Highlight)]
    type SpeechHighlight;
    #[wasm_bindgen(constructor, js_class = "Highlight")]
    fn new() -> SpeechHighlight;
    #[wasm_bindgen(method, js_class = "Highlight")]
    fn add(this: &SpeechHighlight, range: &web_sys::Range);
    #[wasm_bindgen(method, js_class = "Highlight")]
    fn clear(this: &SpeechHighlight);
    #[wasm_bindgen(method, setter, js_class = "Highlight")]
    fn set_priority(this: &SpeechHighlight, priority: i32);
}

/// The names the stylesheet's `::highlight(…)` rules use for the sentence and the word.
pub const SENTENCE_LAYER: &str = "lectern-speech";
pub const WORD_LAYER: &str = "lectern-speech-word";

thread_local! {
    static LAYERS: RefCell<Option<(SpeechHighlight, SpeechHighlight)>> = const { RefCell::new(None) };
}

fn with_layers(f: impl FnOnce(&SpeechHighlight, &SpeechHighlight)) {
    LAYERS.with(|l| {
        let mut l = l.borrow_mut();
        if l.is_none() {
            let Some(reg) = registry() else { return };
            let make = |name: &str, priority: i32| {
                let h = SpeechHighlight::new();
                h.set_priority(priority);
                let set = Reflect::get(&reg, &"set".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
                if let Some(set) = set {
                    let _ = set.call2(&reg, &name.into(), &h);
                }
                h
            };
            // Over every highlight layer (theirs go up to 4).
            *l = Some((make(SENTENCE_LAYER, 30), make(WORD_LAYER, 31)));
        }
        if let Some((s, w)) = l.as_ref() {
            f(s, w);
        }
    });
}

fn registry() -> Option<JsValue> {
    let css = Reflect::get(&js_sys::global(), &"CSS".into()).ok()?;
    let reg = Reflect::get(&css, &"highlights".into()).ok()?;
    let has = Reflect::has(&js_sys::global(), &"Highlight".into()).unwrap_or(false);
    (has && reg.is_object()).then_some(reg)
}

/// A span of one block: (block, start, end) in UTF-16 code units of its text.
pub type BlockSpan = (usize, Utf16Offset, Utf16Offset);

/// Mark `sentence` (and the `word` being said) over `article`'s blocks, replacing the last
/// marks (`None`: no mark). With `keep_in_view`, a sentence off screen (or under the bars at
/// the top and bottom) is scrolled to a third of the way down.
pub fn mark(
    article: &web_sys::Element,
    sentence: Option<BlockSpan>,
    word: Option<BlockSpan>,
    keep_in_view: bool,
) {
    let range = |s: BlockSpan| crate::paint::block_range(article, s.0, s.1, s.2);
    let sentence_range = sentence.and_then(range);
    let word_range = word.and_then(range);
    with_layers(|s, w| {
        s.clear();
        w.clear();
        if let Some(r) = &sentence_range {
            s.add(r);
        }
        if let Some(r) = &word_range {
            w.add(r);
        }
    });
    if !keep_in_view {
        return;
    }
    let (Some(r), Some(window)) = (sentence_range, web_sys::window()) else {
        return;
    };
    let rect = r.get_bounding_client_rect();
    let vh = window
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(800.0);
    // The app bar above (about 3.5rem) and the player below (about 5rem).
    let (top, bottom) = (72.0, vh - 110.0);
    if rect.top() < top || rect.bottom() > bottom {
        window.scroll_by_with_x_and_y(0.0, rect.top() - vh / 3.0);
    }
}
