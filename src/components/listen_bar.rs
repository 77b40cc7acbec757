//! "Listen" (issue 18): a button at the bottom of the reader that reads the article aloud,
//! which becomes a player while reading — previous, pause or resume, next, stop, the voice and
//! the speed — and says when there is no voice for the article's language. The sentence being
//! read is marked over the article (and the word being said), and kept in view.

use lectern_core::settings::{primary_language, SPEECH_RATE_TENTHS};
use lectern_core::state::listen::{ListenProblem, Msg, Playing};
use lectern_core::text::ByteOffset;
use lectern_dom::selection::article_element;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::store::{use_app, AppContext};

/// The speeds offered, in tenths.
const RATES: [u8; 9] = [5, 7, 8, 9, 10, 11, 12, 15, 20];

/// Where "Listen" starts: the selection's start, else the highlight the keyboard cursor or the
/// open popover is on, else the beginning.
pub fn listen_from(app: &AppContext) -> Option<ByteOffset> {
    let state = &app.state().reader;
    let doc = web_sys::window().and_then(|w| w.document());
    let selected = doc
        .as_ref()
        .and_then(|d| lectern_dom::selection::selected_range_in_document(d, &state.text))
        .or_else(|| app.ui().selection.clone());
    if let Some(r) = selected {
        return Some(r.start);
    }
    let ui = app.ui();
    ui.popover
        .as_ref()
        .or(ui.cursor.as_ref())
        .and_then(|id| state.placements.get(id))
        .and_then(|p| p.range())
        .map(|r| r.start)
}

#[component]
pub fn ListenBar() -> Html {
    let app = use_app();
    let lang = app.lang();
    let nb = lang.nb();
    let state = app.state();
    let listen = &state.listen;

    // The mark: the sentence being read and the word being said, kept in view.
    {
        let text = state.reader.text.clone();
        let sentence = listen.sentence().map(|s| s.range.clone());
        let word = listen.active().then(|| listen.word.clone()).flatten();
        let key = (sentence.clone(), word.clone(), listen.seq);
        use_effect_with(key, move |(sentence, word, _)| {
            let Some(el) = article_element() else {
                return;
            };
            let span = |r: &std::ops::Range<ByteOffset>| {
                let (block, start) = text.to_block_utf16(r.start);
                let (end_block, end) = text.to_block_utf16(r.end);
                (block == end_block).then_some((block, start, end))
            };
            let s = sentence.as_ref().and_then(span);
            let w = word.as_ref().and_then(span);
            // The view follows the sentence, not each word.
            lectern_dom::speech::mark(&el, s, w, word.is_none());
        });
    }
    // Marks go when the player does.
    use_effect_with((), |_| {
        move || {
            if let Some(el) = article_element() {
                lectern_dom::speech::mark(&el, None, None, false);
            }
        }
    });

    let send = |msg: Msg| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.listen(msg.clone()))
    };
    let start = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let from = listen_from(&app);
            app.listen(Msg::Toggle { from });
        })
    };

    let problem = listen.problem.as_ref().map(|p| match p {
        ListenProblem::NoVoice(code) => lang.no_voice(code),
        ListenProblem::Unsupported => nb.no_speech.to_owned(),
        ListenProblem::Failed(why) => format!("{} {why}", nb.speech_failed),
    });
    let dismiss = send(Msg::DismissProblem);

    if !listen.active() {
        return html! {
            <div class="listen" role="region" aria-label={nb.listen_bar}>
                if let Some(text) = problem {
                    <div class="listen__problem" role="alert">
                        <span>{ text }</span>
                        <button type="button" class="icon-button icon-button--small" aria-label={lang.strings().dismiss}
                            title={lang.strings().dismiss} onclick={dismiss}>
                            <span aria-hidden="true">{"×"}</span>
                        </button>
                    </div>
                }
                <button type="button" class="listen__start button" id="listen-button" onclick={start}
                    title={format!("{} (L)", nb.listen)} aria-keyshortcuts="l">
                    { icon(Icon::Play) }
                    <span>{ nb.listen }</span>
                </button>
            </div>
        };
    }

    let playing = listen.playing;
    let (toggle_label, toggle_glyph) = if playing == Playing::Paused {
        (nb.resume, icon(Icon::Play))
    } else {
        (nb.pause, icon(Icon::Pause))
    };
    let toggle = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.listen(Msg::Toggle { from: None }))
    };
    let article_lang = state.reader.article.lang.clone();
    let theirs: Vec<lectern_core::state::listen::Voice> = listen
        .voices
        .as_ref()
        .map(|v| {
            v.iter()
                .filter(|v| primary_language(&v.lang) == primary_language(&article_lang))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let chosen = listen.voice.as_ref().map(|v| v.uri.clone());
    let on_voice = {
        let (app, article_lang) = (app.clone(), article_lang.clone());
        Callback::from(move |e: Event| {
            let uri = e.target_unchecked_into::<HtmlSelectElement>().value();
            app.listen(Msg::SetVoice {
                lang: article_lang.clone(),
                uri,
            });
        })
    };
    let rate = state.settings.value.speech.rate_tenths;
    let on_rate = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(tenths) = v.parse::<u8>() {
                app.listen(Msg::SetRate(tenths));
            }
        })
    };
    let mut rates: Vec<u8> = RATES.to_vec();
    if !rates.contains(&rate) {
        rates.push(rate.clamp(SPEECH_RATE_TENTHS.0, SPEECH_RATE_TENTHS.1));
        rates.sort_unstable();
    }
    let position = lang.sentence_position(listen.at + 1, listen.sentences.len());
    html! {
        <div class={classes!("listen", "listen--active", (playing == Playing::Paused).then_some("listen--paused"))}
            role="region" aria-label={nb.listen_bar} data-playing={format!("{playing:?}").to_lowercase()}>
            <div class="listen__player">
                <p class="listen__position" data-sentence={listen.at.to_string()}>{ position }</p>
                <div class="listen__controls">
                    <button type="button" class="icon-button" onclick={send(Msg::Previous)}
                        aria-label={nb.previous_sentence} title={format!("{} ([)", nb.previous_sentence)} aria-keyshortcuts="[">
                        { icon(Icon::Previous) }
                    </button>
                    <button type="button" class="icon-button listen__toggle" onclick={toggle} id="listen-toggle"
                        aria-label={toggle_label} title={format!("{toggle_label} (L)")} aria-keyshortcuts="l">
                        { toggle_glyph }
                    </button>
                    <button type="button" class="icon-button" onclick={send(Msg::Next)}
                        aria-label={nb.next_sentence} title={format!("{} (])", nb.next_sentence)} aria-keyshortcuts="]">
                        { icon(Icon::Next) }
                    </button>
                    <button type="button" class="icon-button" onclick={send(Msg::Stop)} id="listen-stop"
                        aria-label={nb.stop} title={format!("{} (Shift+L)", nb.stop)} aria-keyshortcuts="Shift+L">
                        { icon(Icon::Stop) }
                    </button>
                </div>
                <div class="listen__options">
                    if theirs.len() > 1 {
                        <label class="listen__field">
                            <span class="visually-hidden">{ nb.voice }</span>
                            <select onchange={on_voice} title={nb.voice} id="listen-voice">
                                { for theirs.iter().map(|v| html! {
                                    <option value={v.uri.clone()} selected={chosen.as_deref() == Some(v.uri.as_str())}>{ v.name.clone() }</option>
                                }) }
                            </select>
                        </label>
                    }
                    <label class="listen__field">
                        <span class="visually-hidden">{ nb.rate }</span>
                        <select onchange={on_rate} title={nb.rate} id="listen-rate">
                            { for rates.into_iter().map(|r| html! {
                                <option value={r.to_string()} selected={r == rate}>{ format!("{}×", r as f32 / 10.0) }</option>
                            }) }
                        </select>
                    </label>
                </div>
            </div>
            <p class="visually-hidden">{ nb.listen_keys }</p>
        </div>
    }
}

#[derive(Clone, Copy)]
enum Icon {
    Play,
    Pause,
    Previous,
    Next,
    Stop,
}

/// The player's icons, drawn (the fonts' media symbols are missing on many systems).
fn icon(which: Icon) -> Html {
    let path = match which {
        Icon::Play => "M5 3.5v13l11-6.5z",
        Icon::Pause => "M5 3.5h3.5v13H5zM11.5 3.5H15v13h-3.5z",
        Icon::Previous => "M4 4h2.5v12H4zM16 4v12L7.5 10z",
        Icon::Next => "M13.5 4H16v12h-2.5zM4 4v12l8.5-6z",
        Icon::Stop => "M5 5h10v10H5z",
    };
    html! {
        <svg class="listen__svg" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}
