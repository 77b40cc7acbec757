//! Browser tests of reading aloud's platform part (issue 18): the sentence and word marks
//! (their own highlight layers, across inline elements), and one utterance spoken through a
//! stand-in `speechSynthesis` with its events reported.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use lectern_core::text::Utf16Offset;
use lectern_dom::speech::{self, Event};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn article() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("article").unwrap();
    el.set_inner_html(
        "<p data-block=\"0\">Один. Второе <em>предложение</em> тут.</p><p data-block=\"1\">😀 Третье.</p>",
    );
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn layer(name: &str) -> Vec<String> {
    let css = js_sys::Reflect::get(&js_sys::global(), &"CSS".into()).unwrap();
    let reg = js_sys::Reflect::get(&css, &"highlights".into()).unwrap();
    let get: js_sys::Function = js_sys::Reflect::get(&reg, &"get".into())
        .unwrap()
        .unchecked_into();
    let h = get.call1(&reg, &name.into()).unwrap();
    if h.is_undefined() {
        return Vec::new();
    }
    let values: js_sys::Function = js_sys::Reflect::get(&h, &"values".into())
        .unwrap()
        .unchecked_into();
    js_sys::Array::from(&values.call0(&h).unwrap())
        .iter()
        .map(|r| r.unchecked_into::<web_sys::Range>().to_string().into())
        .collect()
}

#[wasm_bindgen_test]
fn the_sentence_and_the_word_are_marked_on_their_own_layers() {
    let el = article();
    // "Второе предложение тут." spans a text node, an <em> and another text node.
    speech::mark(
        &el,
        Some((0, Utf16Offset(6), Utf16Offset(29))),
        Some((0, Utf16Offset(13), Utf16Offset(24))),
        false,
    );
    assert_eq!(layer(speech::SENTENCE_LAYER), ["Второе предложение тут."]);
    assert_eq!(layer(speech::WORD_LAYER), ["предложение"]);
    // The next sentence replaces it (UTF-16 units: the emoji counts two).
    speech::mark(&el, Some((1, Utf16Offset(3), Utf16Offset(10))), None, true);
    assert_eq!(layer(speech::SENTENCE_LAYER), ["Третье."]);
    assert!(layer(speech::WORD_LAYER).is_empty());
    // Highlights' layers are untouched; nothing marked after a stop.
    speech::mark(&el, None, None, false);
    assert!(layer(speech::SENTENCE_LAYER).is_empty());
    el.remove();
}

/// A stand-in `speechSynthesis` that keeps what it was asked to speak in `window.__spoken`.
fn install_stub() {
    let f = js_sys::Function::new_no_args(
        r#"
        const voices = [{ name: 'Ru', voiceURI: 'ru-1', lang: 'ru-RU', localService: true, default: false }];
        window.__spoken = [];
        window.__cancels = 0;
        const synth = new EventTarget();
        synth.paused = false;
        synth.getVoices = () => voices;
        synth.speak = (u) => { window.__spoken.push(u); };
        synth.cancel = () => { window.__cancels += 1; };
        synth.pause = () => { synth.paused = true; };
        synth.resume = () => { synth.paused = false; };
        Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
        window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
        "#,
    );
    f.call0(&wasm_bindgen::JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
fn one_utterance_is_spoken_with_its_voice_and_its_events_reported() {
    install_stub();
    assert!(speech::supported());
    let voices = speech::voices();
    assert_eq!(voices.len(), 1);
    assert_eq!(
        (
            voices[0].uri.as_str(),
            voices[0].lang.as_str(),
            voices[0].local
        ),
        ("ru-1", "ru-RU", true)
    );
    let events: Rc<RefCell<Vec<Event>>> = Rc::default();
    let seen = Rc::clone(&events);
    assert!(speech::speak(
        "Один.",
        "ru",
        Some("ru-1"),
        1.5,
        Rc::new(move |e| seen.borrow_mut().push(e))
    ));
    let spoken = js_sys::Reflect::get(&js_sys::global(), &"__spoken".into()).unwrap();
    let u = js_sys::Array::from(&spoken).get(0);
    let get = |k: &str| js_sys::Reflect::get(&u, &k.into()).unwrap();
    assert_eq!(get("text").as_string().unwrap(), "Один.");
    assert_eq!(get("lang").as_string().unwrap(), "ru");
    assert_eq!(get("rate").as_f64().unwrap(), 1.5);
    assert_eq!(
        js_sys::Reflect::get(&get("voice"), &"voiceURI".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "ru-1"
    );
    // Whatever was spoken before was cancelled first.
    assert_eq!(
        js_sys::Reflect::get(&js_sys::global(), &"__cancels".into())
            .unwrap()
            .as_f64(),
        Some(1.0)
    );
    // The engine's events, as it fires them.
    let fire = |name: &str, ev: &str| {
        let f: js_sys::Function = get(name).unchecked_into();
        let e = js_sys::JSON::parse(ev).unwrap();
        f.call1(&u, &e).unwrap();
    };
    fire("onstart", "{}");
    fire("onboundary", r#"{"charIndex": 3}"#);
    fire("onerror", r#"{"error": "interrupted"}"#);
    fire("onend", "{}");
    assert_eq!(
        *events.borrow(),
        [
            Event::Started,
            Event::Boundary(3),
            Event::Failed("interrupted".into()),
            Event::Ended
        ]
    );
}
