//! The notes panel: the article note, then every highlight in document order (or newest
//! first) with its colour, quote, note, tags and time; filters by colour and tag and a search;
//! fuzzy placements marked "please check"; orphans in their own section. A column beside the
//! article on wide screens, a drawer on narrow ones.

use lectern_core::anchor::Placement;
use lectern_core::annotation::{Annotation, Color};
use lectern_core::i18n::Lang;
use lectern_core::search::{all_tags, matches, Filter};
use lectern_dom::selection::clear_selection;

use crate::components::reader::reveal;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::export_menu::ExportMenu;
use crate::components::note_editor::NoteEditor;
use crate::components::note_view::NoteView;
use crate::store::use_app;
use lectern_core::effect::DataScope;

/// Cards rendered per page of the list.
const PAGE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Document,
    Newest,
}

#[component]
pub fn NotesPanel() -> Html {
    let app = use_app();
    let t = app.t();
    let state = &app.state().reader;
    let filter = use_state(Filter::default);
    let sort = use_state(|| Sort::Document);
    let read_only = !state.writable;

    let highlights = state.highlights_in_order();
    let total = highlights.len();
    let tags = all_tags(&state.doc.annotations);
    let (mut placed, orphans): (Vec<&Annotation>, Vec<&Annotation>) = highlights
        .into_iter()
        .filter(|a| matches(a, &filter))
        .partition(|a| state.placements.get(&a.id).is_some_and(|p| !p.is_orphan()));
    if *sort == Sort::Newest {
        placed.sort_by(|a, b| b.created.cmp(&a.created));
    }

    let on_search = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let query = e.target_unchecked_into::<HtmlInputElement>().value();
            filter.set(Filter {
                query,
                ..(*filter).clone()
            });
        })
    };
    let on_tag = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            filter.set(Filter {
                tag: (!v.is_empty()).then_some(v),
                ..(*filter).clone()
            });
        })
    };
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            sort.set(if v == "newest" {
                Sort::Newest
            } else {
                Sort::Document
            });
        })
    };
    let color_filters = Color::ALL.iter().map(|&c| {
        let filter = filter.clone();
        let on = filter.colors.contains(&c);
        let onclick = Callback::from(move |_: MouseEvent| {
            let mut f = (*filter).clone();
            if let Some(i) = f.colors.iter().position(|x| *x == c) {
                f.colors.remove(i);
            } else {
                f.colors.push(c);
            }
            filter.set(f);
        });
        html! {
            <button type="button" class={classes!("swatch", "swatch--small", format!("swatch--{}", c.as_str()))}
                aria-pressed={on.to_string()} aria-label={t.color(c)} title={t.color(c)} {onclick}></button>
        }
    });

    let article_note = state
        .article_note()
        .map(|a| a.note.clone())
        .unwrap_or_default();
    let on_article_note = {
        let app = app.clone();
        Callback::from(move |note: String| app.set_article_note(note))
    };
    let close = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.set_ui(|ui| ui.panel_open = false))
    };

    // One callback for every card, stable across renders (it reads the latest store through a
    // ref), so a card re-renders only when its own annotation changes: with 1,000 highlights,
    // adding one renders one card.
    let latest = use_mut_ref(|| app.clone());
    *latest.borrow_mut() = app.clone();
    let onaction = use_callback((), move |(id, action): (String, CardAction), _| {
        let app = latest.borrow().clone();
        match action {
            CardAction::Jump => {
                reveal(&app.state().reader, &id);
                app.set_ui(move |ui| {
                    ui.cursor = Some(id);
                    ui.panel_open = false;
                });
            }
            CardAction::Confirm => app.confirm(&id),
            CardAction::Reattach => {
                if let Some(range) = app.ui().selection.clone() {
                    app.reattach(&id, range);
                    clear_selection();
                    app.set_ui(|ui| ui.selection = None);
                }
            }
            CardAction::Delete => app.remove(&id),
        }
    });
    let lang = app.lang();
    let article_lang = state.article.lang.clone();
    let can_reattach = app.ui().selection.is_some();
    let item = |a: &Annotation| -> Html {
        let status = match state.placements.get(&a.id) {
            Some(Placement::Fuzzy { .. }) => Status::Fuzzy,
            Some(p) if !p.is_orphan() => Status::Placed,
            _ => Status::Orphan,
        };
        html! {
            <NoteCard key={a.id.clone()} annotation={a.clone()} {status} {lang}
                article_lang={article_lang.clone()} {read_only}
                can_reattach={can_reattach && status == Status::Orphan} onaction={onaction.clone()} />
        }
    };

    // Long lists render a page at a time: the next page when the reader scrolls near the end
    // (or presses the button), so 1,000 highlights do not cost 1,000 cards up front.
    let shown = use_state(|| PAGE);
    let more = placed.len().saturating_sub(*shown);
    let show_more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };
    let onscroll = {
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::Element = e.target_unchecked_into();
            let near_end = f64::from(el.scroll_top() + el.client_height())
                > f64::from(el.scroll_height()) - 800.0;
            if more > 0 && near_end {
                shown.set(*shown + PAGE);
            }
        })
    };

    let open = app.ui().panel_open;
    html! {
        <aside id="notes-panel" class={classes!("panel", open.then_some("panel--open"))} aria-label={t.panel_open} {onscroll}>
            <div class="panel__head">
                <h2 class="panel__title">{ t.panel_title }{" "}<span class="panel__count">{ total }</span></h2>
                <button type="button" class="icon-button icon-button--small panel__close" aria-label={t.close} title={t.close} onclick={close}>
                    <span aria-hidden="true">{"×"}</span>
                </button>
            </div>
            <ExportMenu scope={DataScope::Article} />
            <NoteEditor id="article-note" label={t.article_note} placeholder={t.article_note_placeholder}
                value={article_note} onsave={on_article_note} disabled={read_only} />
            <div class="panel__filters">
                <label class="visually-hidden" for="notes-search">{ t.search }</label>
                <input id="notes-search" type="search" placeholder={t.search} value={filter.query.clone()} oninput={on_search} />
                <div class="panel__row">
                    <div class="panel__colors" role="group" aria-label={t.all_colors}>{ for color_filters }</div>
                    if !tags.is_empty() {
                        <select aria-label={t.tags} onchange={on_tag}>
                            <option value="" selected={filter.tag.is_none()}>{ t.all_tags }</option>
                            { for tags.iter().map(|g| html! { <option value={g.clone()} selected={filter.tag.as_deref() == Some(g.as_str())}>{ format!("#{g}") }</option> }) }
                        </select>
                    }
                    <select aria-label={t.sort} onchange={on_sort}>
                        <option value="document" selected={*sort == Sort::Document}>{ t.sort_document }</option>
                        <option value="newest" selected={*sort == Sort::Newest}>{ t.sort_newest }</option>
                    </select>
                </div>
            </div>
            if total == 0 {
                <p class="panel__empty">{ t.no_annotations }</p>
            } else if placed.is_empty() && orphans.is_empty() {
                <p class="panel__empty">{ t.nothing_found }</p>
            }
            <ol class="note-list">{ for placed.iter().take(*shown).map(|a| item(a)) }</ol>
            if more > 0 {
                <button type="button" class="button note-list__more" onclick={show_more}>
                    { lang.show_more(more.min(PAGE), more) }
                </button>
            }
            if !orphans.is_empty() {
                <section class="orphans" aria-labelledby="orphans-title">
                    <h3 id="orphans-title" class="orphans__title">{ t.orphans_title }{" "}<span class="panel__count">{ orphans.len() }</span></h3>
                    <p class="orphans__help">{ t.orphans_help }</p>
                    <ol class="note-list">{ for orphans.iter().map(|a| item(a)) }</ol>
                </section>
            }
        </aside>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Placed,
    Fuzzy,
    Orphan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardAction {
    Jump,
    Confirm,
    Reattach,
    Delete,
}

#[derive(Properties, PartialEq)]
struct NoteCardProps {
    annotation: Annotation,
    status: Status,
    lang: Lang,
    article_lang: String,
    read_only: bool,
    can_reattach: bool,
    onaction: Callback<(String, CardAction)>,
}

/// One highlight in the panel. Takes everything as props (no context), so it re-renders only
/// when they change.
#[component]
fn NoteCard(props: &NoteCardProps) -> Html {
    let a = &props.annotation;
    let t = props.lang.strings();
    let (fuzzy, orphan) = (
        props.status == Status::Fuzzy,
        props.status == Status::Orphan,
    );
    let read_only = props.read_only;
    let quote = a
        .target
        .as_ref()
        .map(|t| t.quote.exact.clone())
        .unwrap_or_default();
    let excerpt = excerpt(&quote, 220);
    let act = |action: CardAction| {
        let (onaction, id) = (props.onaction.clone(), a.id.clone());
        Callback::from(move |_: MouseEvent| onaction.emit((id.clone(), action)))
    };
    let lang = props.article_lang.clone();
    html! {
        <li class={classes!("note-card", format!("note-card--{}", a.color.as_str()))} data-annotation={a.id.clone()}>
            if orphan {
                <blockquote class="note-card__quote" {lang}>{ excerpt }</blockquote>
            } else {
                <button type="button" class="note-card__quote note-card__jump" onclick={act(CardAction::Jump)} title={t.jump}>
                    <span {lang}>{ excerpt }</span>
                </button>
            }
            if fuzzy {
                <p class="note-card__check">
                    <span class="badge">{ t.please_check }</span>
                    <button type="button" class="button button--small" onclick={act(CardAction::Confirm)} disabled={read_only}>{ t.its_right }</button>
                </p>
            }
            if !a.note.trim().is_empty() {
                <NoteView markdown={a.note.clone()} />
            }
            if !a.tags.is_empty() {
                <p class="note-card__tags">{ for a.tags.iter().map(|g| html! { <span class="tag">{ format!("#{g}") }</span> }) }</p>
            }
            <p class="note-card__meta">
                <time datetime={a.created.clone()}>{ short_time(&a.created) }</time>
                if orphan {
                    <button type="button" class="button button--small" onclick={act(CardAction::Reattach)}
                        disabled={read_only || !props.can_reattach}>{ t.reattach }</button>
                    <button type="button" class="button button--small button--danger" onclick={act(CardAction::Delete)} disabled={read_only}>{ t.delete }</button>
                }
            </p>
        </li>
    }
}

/// At most `max` characters of `s`, cut at a word, with an ellipsis.
fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// `2026-11-29T11:50:19.123Z` → `2026-11-29 11:50` (UTC).
fn short_time(iso: &str) -> String {
    iso.get(..16)
        .map_or_else(|| iso.to_owned(), |s| s.replace('T', " "))
}
