//! The runner's part of issue 18: the notebook's reads, writes, exports and URL, and reading
//! aloud. Each outcome is reported as an action, as every other effect's.

use std::rc::Rc;

use lectern_core::library::{self, seed_article};
use lectern_core::notebook::{export_file, read_article, write_edits};
use lectern_core::state::listen::{Msg as Listen, SpeechFx};
use lectern_core::state::notebook::{Msg as Notebook, NotebookFx};
use lectern_core::state::Action;

use super::{deliver, Runner};
use crate::speech::{self, Event};

/// How long to wait for the browser's voices when it has none yet.
const VOICES_WAIT_MS: u32 = 1500;

/// How long the URL waits for typing to pause: `history.replaceState` costs milliseconds
/// (several a keystroke in Chromium), more than the search itself.
const URL_PAUSE_MS: u32 = 250;

thread_local! {
    /// The notebook's URL waiting to be written, and the timer that writes it.
    static URL: std::cell::RefCell<Option<(lectern_core::route::Route, gloo_timers::callback::Timeout)>> =
        const { std::cell::RefCell::new(None) };
}

/// Put `route` (the notebook's) in the URL once typing pauses. If the URL has meanwhile left
/// the notebook (a highlight was opened), it is left alone. Written at once when the page is
/// hidden or closed ([`flush_route`]).
fn replace_route_soon(route: lectern_core::route::Route) {
    let timer = gloo_timers::callback::Timeout::new(URL_PAUSE_MS, flush_route);
    URL.with(|u| *u.borrow_mut() = Some((route, timer)));
}

/// Write the notebook's URL now, if one is waiting.
pub(super) fn flush_route() {
    let Some((route, timer)) = URL.with(|u| u.borrow_mut().take()) else {
        return;
    };
    drop(timer);
    let current = super::current_hash();
    if !matches!(
        lectern_core::route::parse(&current),
        lectern_core::route::Route::Notes(_)
    ) {
        return;
    }
    let href = lectern_core::route::href(&route);
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
    }
}

impl Runner {
    pub(super) fn run_notebook(self: &Rc<Self>, effect: NotebookFx) {
        match effect {
            NotebookFx::Read { articles } => {
                // What this tab queued goes first, so what is read is what is on screen.
                self.flush();
                // Marks for the benchmark (xtask/bench/notebook.mjs): how long reading takes.
                let perf = web_sys::window().and_then(|w| w.performance());
                let mark = move |name: &str| {
                    if let Some(p) = &perf {
                        let _ = p.mark(name);
                    }
                };
                mark("lectern-notebook-read-start");
                // Texts are read (from IndexedDB too) only for articles whose highlights were
                // made on another text.
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let (list, _) = me
                        .contents
                        .with_texts(&*me.store, |store| {
                            articles
                                .iter()
                                .map(|m| read_article(store, m, seed_article))
                                .collect()
                        })
                        .await;
                    mark("lectern-notebook-read-end");
                    me.report(Action::Notebook(Notebook::Loaded(list)));
                });
            }
            NotebookFx::Write {
                seq,
                meta,
                edits,
                now,
            } => {
                self.flush();
                // The article's text (wherever it lives) is needed to write its highlights.
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let (result, _) = me
                        .contents
                        .with_texts(&*me.store, |store| {
                            write_edits(store, &meta, &edits, &now, seed_article)
                        })
                        .await;
                    me.report(Action::Notebook(Notebook::Written {
                        seq,
                        article: meta.id,
                        result: result.map_err(|e| e.to_string()),
                    }));
                });
            }
            NotebookFx::ReplaceRoute(route) => replace_route_soon(route),
            NotebookFx::Export {
                format,
                delivery,
                selection,
                now,
            } => {
                self.flush();
                let seed = seed_article();
                let library = library::load_library(&*self.store, &seed).value;
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let (file, _) = me
                        .contents
                        .with_texts(&*me.store, |store| {
                            export_file(store, &library, &selection, format, &now, seed_article)
                        })
                        .await;
                    deliver(delivery, &file.name, file.mime, &file.content);
                });
            }
        }
    }

    pub(super) fn run_speech(self: &Rc<Self>, effect: SpeechFx) {
        match effect {
            SpeechFx::LoadVoices => {
                let me = Rc::clone(self);
                speech::load_voices(VOICES_WAIT_MS, move |supported, voices| {
                    me.report(Action::Listen(Listen::Voices { supported, voices }));
                });
            }
            SpeechFx::Speak {
                seq,
                text,
                lang,
                voice,
                rate,
            } => {
                let me = Rc::clone(self);
                let on = Rc::new(move |e: Event| {
                    let msg = match e {
                        Event::Started => Listen::Started { seq },
                        Event::Boundary(char_index) => Listen::Boundary { seq, char_index },
                        Event::Ended => Listen::Ended { seq },
                        Event::Failed(error) => Listen::Failed { seq, error },
                    };
                    me.report(Action::Listen(msg));
                });
                if !speech::speak(&text, &lang, voice.as_deref(), rate, on) {
                    self.report(Action::Listen(Listen::Voices {
                        supported: false,
                        voices: Vec::new(),
                    }));
                }
            }
            SpeechFx::Pause => speech::pause(),
            SpeechFx::Resume => speech::resume(),
            SpeechFx::Cancel => speech::cancel(),
        }
    }
}
