//! The reader view of the open article; highlights are painted over it from data.

use std::rc::Rc;

use lectern_core::note_markup::safe_href;
use lectern_core::render::{body_bytes, body_html, is_long};
use lectern_core::state::ReaderState;
use lectern_dom::first_paint;
use lectern_dom::paint::{char_at_point, paint_article};
use lectern_dom::selection::article_element;
use yew::prelude::*;

use crate::components::images_bar::ImagesBar;
use crate::store::use_app;

#[component]
pub fn Reader() -> Html {
    let app = use_app();
    let lang = app.lang();
    let state = &app.state().reader;
    let article = state.article.clone();
    // Counting words walks the whole text (1 MB for a long article): once per article.
    let counts = use_memo(article.clone(), |a| {
        (a.word_count(), a.reading_time(), is_long(a))
    });
    let (words, time, long) = *counts;
    let meta = format!(
        "{} · {}",
        lang.words(words),
        lang.reading_time(time.min_minutes, time.max_minutes)
    );

    // Which rendering of the blocks the painted ranges belong to: new on mount and whenever
    // the article changes (its blocks are rendered anew), so the painter starts over then and
    // otherwise repaints only the blocks whose highlights changed.
    let generation = use_mut_ref(|| (article.clone(), next_generation()));
    if !Rc::ptr_eq(&generation.borrow().0, &article) {
        *generation.borrow_mut() = (article.clone(), next_generation());
    }
    let generation = generation.borrow().1;

    // Paint the highlights over the rendered blocks (after each render that changed them).
    let cursor = app.ui().cursor.clone();
    {
        let state = state.clone();
        let observer = app.observer.clone();
        let key = (
            generation,
            PtrKey(state.placements.clone()),
            PtrKey(state.doc.clone()),
            cursor.clone(),
        );
        use_effect_with(key, move |(generation, _, _, cursor)| {
            let Some(el) = article_element() else {
                return;
            };
            let stats = paint_article(
                &el,
                *generation,
                &state.text,
                &state.doc.annotations,
                &state.placements,
                cursor.as_deref(),
            );
            if let (Some(o), Some(stats)) = (observer, stats) {
                o.painted(stats);
            }
        });
    }

    // Over highlighted text the pointer says it can be clicked (highlights are not elements,
    // so CSS cannot). Not while a button is down (selecting).
    let last_hover = use_mut_ref(|| false);
    let onmousemove = {
        let app = app.clone();
        Callback::from(move |e: MouseEvent| {
            if e.buttons() != 0 {
                return;
            }
            // (Yew delegates events: `current_target` is the app's root, not the article.)
            let Some(el) = article_element() else {
                return;
            };
            let over = highlight_under(&el, &app.state().reader, &e).is_some();
            let was = std::mem::replace(&mut *last_hover.borrow_mut(), over);
            if over != was {
                let _ = el
                    .style()
                    .set_property("cursor", if over { "pointer" } else { "" });
            }
        })
    };

    // A click on highlighted text (not the end of a selection) opens the newest highlight
    // there.
    let onclick = {
        let app = app.clone();
        Callback::from(move |e: MouseEvent| {
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if selecting {
                return;
            }
            let Some(id) =
                article_element().and_then(|el| highlight_under(&el, &app.state().reader, &e))
            else {
                // A click elsewhere in the article leaves no keyboard cursor behind.
                if app.ui().cursor.is_some() {
                    app.set_ui(|ui| ui.cursor = None);
                }
                return;
            };
            app.set_ui(move |ui| {
                ui.popover = Some(id.clone());
                ui.cursor = Some(id);
                ui.focus_note = false;
            });
        })
    };
    // --- images (issue 16) ---
    // Put the article's images into their placeholders (or take them out) when the reader asks,
    // after the body has rendered (its placeholders come from the core's HTML).
    {
        let shown = !article.images.is_empty()
            && app
                .state()
                .web
                .images_shown(app.state().settings.value.images, &article.id);
        let failed = app.t().image_failed;
        use_effect_with((generation, shown, failed), move |(_, shown, failed)| {
            if let Some(el) = article_element() {
                lectern_dom::images::show(&el, *shown, failed);
            }
        });
    }

    // What the keyboard cursor is on, for screen readers (the paint itself is not announced).
    // Where the reader left the article: restored when it opens (not for one marked finished:
    // that starts again at the top), then followed as they scroll.
    let resumed = use_state(|| None::<u8>);
    let opening = app.state().opening.is_some();
    // Opened at a highlight (the notebook's "Open in the article"): that highlight is shown,
    // not the place the reader left (`use_reveal` scrolls to it).
    let revealing = app
        .state()
        .notebook
        .reveal
        .as_ref()
        .is_some_and(|(a, _)| *a == state.article.id);
    {
        let reading = state.reading.clone();
        let resumed = resumed.clone();
        use_effect_with((generation, opening), move |&(_, opening)| {
            resumed.set(None);
            // The first paint's view is the reader's: they may have scrolled in it already.
            let shown = lectern_dom::first_paint::take_shown();
            if opening || revealing || (shown && !lectern_dom::first_paint::has_resumed()) {
                return;
            }
            let Some((block, offset)) = lectern_core::first_paint::resume_at(&reading) else {
                lectern_dom::page::scroll_to_top();
                return;
            };
            if lectern_dom::first_paint::take_resumed() {
                // The first paint showed it there already.
                resumed.set(Some(reading.progress));
            } else if let Some(el) = article_element() {
                lectern_dom::page::scroll_to_reading(&el, block, offset);
                resumed.set(Some(reading.progress));
            }
        });
    }
    {
        let app = app.clone();
        let resumed = resumed.clone();
        use_effect_with((generation, opening), move |&(_, opening)| {
            let listener = (!opening).then(|| follow_reading(app, resumed));
            move || drop(listener)
        });
    }
    let back_to_start = {
        let resumed = resumed.clone();
        Callback::from(move |_: MouseEvent| {
            resumed.set(None);
            lectern_dom::page::scroll_to_top();
        })
    };
    let dismiss_resumed = {
        let resumed = resumed.clone();
        Callback::from(move |_: MouseEvent| resumed.set(None))
    };
    let t = app.t();
    if opening && article.blocks.is_empty() {
        return html! {
            <article id="article" class="reader" aria-busy="true" tabindex="-1">
                <p class="reader__opening" role="status">{ t.opening }</p>
            </article>
        };
    }
    let finished = state.reading.finished;
    let archived = state.reading.archived;
    let toggle_finished = {
        let app = app.clone();
        let id = article.id.clone();
        Callback::from(move |_: MouseEvent| app.set_finished(&id, !finished))
    };
    let toggle_archived = {
        let app = app.clone();
        let id = article.id.clone();
        Callback::from(move |_: MouseEvent| app.set_archived(&id, !archived))
    };

    let cursor_text = cursor
        .as_ref()
        .and_then(|id| state.annotation(id))
        .and_then(|a| a.target.as_ref())
        .map(|t| format!("{}: {}", app.t().highlight, t.quote.exact))
        .unwrap_or_default();

    html! {
        <article id="article" class={classes!("reader", long.then_some("reader--long"))} lang={article.lang.clone()} dir={article.dir.as_str()} tabindex="-1" {onclick} {onmousemove}>
            <header class="reader__header">
                <h1 class="reader__title">{ article.title.clone() }</h1>
                <p class="reader__meta" lang={lang.code()} dir="auto">{ meta }</p>
            </header>
            if !lectern_dom::paint::supported() && state.placements.values().any(|p| !p.is_orphan()) {
                <p class="reader__notice" role="status">{ app.t().highlights_unsupported }</p>
            }
            <ImagesBar />
            <ArticleBody article={article.clone()} />
            <p class="visually-hidden" aria-live="polite" data-cursor="">{ cursor_text }</p>
            if let Some(source) = &article.source {
                <footer class="reader__source">
                    <span class="reader__source-label">{ format!("{}:", lectern_core::render::source_label(&source.label, lang)) }</span>
                    {" "}
                    // The same link policy as every renderer: a stored or imported URL is data.
                    if let Some(url) = source.url.as_deref().and_then(safe_href) {
                        <a href={url} rel="noopener noreferrer nofollow" target="_blank">{ source.name.clone() }</a>
                    } else {
                        <span>{ source.name.clone() }</span>
                    }
                </footer>
            }
            <div class="reader__end" lang={lang.code()}>
                <button type="button" class="button" aria-pressed={finished.to_string()} onclick={toggle_finished}>
                    { if finished { t.mark_unfinished } else { t.mark_finished } }
                </button>
                <button type="button" class="button button--quiet" onclick={toggle_archived}>
                    { if archived { t.unarchive } else { t.archive } }
                </button>
            </div>
            if let Some(progress) = *resumed {
                <div class="resume-region">
                    <div class="toast" role="status">
                        <span>{ lang.resumed(progress) }</span>
                        <button type="button" class="button" onclick={back_to_start}>{ t.back_to_start }</button>
                        <button type="button" class="button" onclick={dismiss_resumed} aria-label={t.dismiss}>{ "×" }</button>
                    </div>
                </div>
            }
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct ArticleBodyProps {
    /// Compared by pointer first (`Rc` of an `Eq` type), so an unchanged article is one
    /// comparison.
    article: Rc<lectern_core::article::Article>,
}

/// The article's blocks, as HTML built by the core in one string ([`body_html`]) and parsed by
/// the browser in one go. Takes the article as a prop (no context), so it renders when the
/// article changes and never when highlights, notes or the interface do.
///
/// When the first paint (`crates/lectern-boot`) already shows this article, its body element
/// is taken over as it is: not built twice, and the text the reader may be selecting or
/// scrolling stays the same nodes. The rest of the first paint goes after this render.
#[component]
fn ArticleBody(props: &ArticleBodyProps) -> Html {
    let body = use_memo(props.article.clone(), |a| {
        match first_paint::take_body(&a.id, body_bytes(a)) {
            Some(node) => Html::VRef(node),
            None => html! {
                <div class="reader__body">
                    { Html::from_html_unchecked(AttrValue::from(body_html(a))) }
                </div>
            },
        }
    });
    // Before the reader's own effects (children's effects run first), which look up
    // `#article`: the first paint's has the same id until it is gone.
    use_effect_with((), |_| first_paint::finish());
    (*body).clone()
}

/// Follow the reader through the article: once scrolling stops, say where they are
/// (`ReadingAt`); hide the "continuing where you left off" note once they have moved on a
/// screen. Stops when the returned listener is dropped.
fn follow_reading(
    app: crate::store::AppContext,
    resumed: UseStateHandle<Option<u8>>,
) -> (
    gloo::events::EventListener,
    Rc<std::cell::RefCell<Option<gloo::timers::callback::Timeout>>>,
) {
    let timer: Rc<std::cell::RefCell<Option<gloo::timers::callback::Timeout>>> = Rc::default();
    let start_y = std::cell::Cell::new(None::<f64>);
    let t = timer.clone();
    let window = web_sys::window().expect("a window");
    let listener = gloo::events::EventListener::new(&window, "scroll", move |_| {
        let app = app.clone();
        let resumed = resumed.clone();
        let y = lectern_dom::page::scroll_y();
        let from = start_y.get().unwrap_or(y);
        start_y.set(Some(from));
        if resumed.is_some() && (y - from).abs() > lectern_dom::page::view_height() {
            resumed.set(None);
        }
        *t.borrow_mut() = Some(gloo::timers::callback::Timeout::new(300, move || {
            let Some(el) = article_element() else {
                return;
            };
            let top = lectern_dom::page::top_inset();
            let bottom = lectern_dom::page::view_height();
            if let Some(p) = lectern_dom::paint::reading_point(&el, top, bottom) {
                app.reading_at(p);
            }
        }));
    });
    (listener, timer)
}

/// A number not handed out before in this page.
fn next_generation() -> u64 {
    thread_local! {
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

/// Compares an `Rc` by pointer (effect keys: the placements are replaced, never mutated in
/// place, when they change).
#[derive(Clone)]
struct PtrKey<T>(Rc<T>);

impl<T> PartialEq for PtrKey<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Scrolls highlight `id` into the middle of the view and puts keyboard focus on the article
/// (where `j`/`k` and Enter act on the cursor). False if it is not placed.
pub fn reveal(state: &ReaderState, id: &str) -> bool {
    let Some(el) = article_element() else {
        return false;
    };
    let Some(span) = state.first_span(id) else {
        return false;
    };
    lectern_dom::paint::scroll_to_span(&el, span.block, span.start, span.end);
    let opts = web_sys::FocusOptions::new();
    opts.set_prevent_scroll(true);
    let _ = el.focus_with_options(&opts);
    true
}

/// The newest highlight under the mouse pointer of `e`, if any (what a click there opens).
fn highlight_under(
    article: &web_sys::Element,
    state: &ReaderState,
    e: &MouseEvent,
) -> Option<String> {
    let p = char_at_point(article, f64::from(e.client_x()), f64::from(e.client_y()))?;
    state.highlight_at(state.text.from_block_utf16(p.block, p.offset)?)
}
