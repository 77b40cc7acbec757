//! The notebook (`#/notes`, issue 18): every highlight and note of the library — search,
//! filters, grouping, order (all kept in the URL), bulk changes on what is shown (with undo),
//! export, review mode, and the keyboard: `/` search, `j`/`k` move, Enter open in the
//! article, `1`–`5` recolour. What it shows is the core's (`lectern_core::notebook`); this
//! renders it and sends what the reader does as actions.

use std::rc::Rc;

use lectern_core::annotation::Color;
use lectern_core::effect::{Delivery, ExportFormat};
use lectern_core::i18n::Lang;
use lectern_core::notebook::{GroupBy, GroupKey, Hit, NotebookIndex, NotesQuery, Sort, Status};
use lectern_core::route::{href, Route};
use lectern_core::state::notebook::{BulkOp, Msg, Review};
use lectern_dom::selection::is_text_field;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::note_view::NoteView;
use crate::store::{use_app, AppContext};

/// Cards rendered per page (a screenful or two: a keystroke renders at most this many new
/// cards); the next page comes as the reader scrolls near the end, or asks.
const PAGE: usize = 20;

/// Compares an `Rc` by pointer (the index is replaced, never changed in place).
#[derive(Clone)]
struct PtrKey<T>(Rc<T>);

impl<T> PartialEq for PtrKey<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// One card as the keyboard moves over it.
#[derive(Clone, PartialEq)]
struct Nav {
    article: String,
    id: String,
}

/// Where a highlight opens: its article, scrolled to it (an article note: the article).
fn open_href(article: &str, id: &str, note: bool) -> String {
    if note {
        href(&Route::Article(article.to_owned()))
    } else {
        href(&Route::Highlight {
            article: article.to_owned(),
            annotation: id.to_owned(),
        })
    }
}

#[component]
pub fn NotebookView() -> Html {
    let app = use_app();
    let lang = app.lang();
    let t = lang.strings();
    let nb = lang.nb();
    let state = &app.state().notebook;
    let index = Rc::clone(&state.index);
    let query = state.query.clone();
    let selection = use_memo((PtrKey(Rc::clone(&index)), query.clone()), |(ix, q)| {
        ix.0.select(q)
    });
    let tags = use_memo(PtrKey(Rc::clone(&index)), |ix| ix.0.tags());
    let articles = use_memo(PtrKey(Rc::clone(&index)), |ix| ix.0.articles_with_entries());
    let (total, total_articles) = index.totals();
    let loading = !state.loaded();

    // The latest context, for callbacks and the key listener made in earlier renders.
    let latest = use_mut_ref(|| app.clone());
    *latest.borrow_mut() = app.clone();
    let set_query = {
        let latest = latest.clone();
        Rc::new(move |f: &dyn Fn(&mut NotesQuery)| {
            let app = latest.borrow().clone();
            let mut q = app.state().notebook.query.clone();
            f(&mut q);
            app.notebook(Msg::SetQuery(q));
        })
    };

    // Pages of cards: a new query starts from the first page and the top.
    // `_eq`: setting the same value again (a new query on the first page) renders nothing.
    let shown = use_state_eq(|| PAGE);
    let cursor = use_state_eq(|| None::<usize>);
    {
        let (shown, cursor) = (shown.clone(), cursor.clone());
        use_effect_with(query.clone(), move |_| {
            shown.set(PAGE);
            cursor.set(None);
        });
    }

    // The cards in the order shown (a highlight with two tags shows twice when grouped by
    // tag), up to the page limit.
    let mut nav: Vec<Nav> = Vec::new();
    let mut rendered_groups: Vec<Html> = Vec::new();
    let mut left = *shown;
    for group in selection.groups.iter() {
        if left == 0 {
            break;
        }
        let take = group.hits.len().min(left);
        left -= take;
        let first = nav.len();
        for h in &group.hits[..take] {
            nav.push(Nav {
                article: h.article.id.clone(),
                id: h.get().id.clone(),
            });
        }
        rendered_groups.push(group_view(
            lang,
            &index,
            &group.key,
            &group.hits[..take],
            group.hits.len(),
            first,
            *cursor,
        ));
    }
    let rows: usize = selection.groups.iter().map(|g| g.hits.len()).sum();
    let more = rows.saturating_sub(*shown);
    let nav = Rc::new(nav);

    // The keyboard.
    {
        let (latest, nav, cursor, shown) = (
            latest.clone(),
            Rc::clone(&nav),
            cursor.clone(),
            shown.clone(),
        );
        use_effect(move || {
            let doc = web_sys::window().and_then(|w| w.document());
            let listener = doc.as_ref().map(|d| {
                gloo::events::EventListener::new_with_options(
                    d,
                    "keydown",
                    gloo::events::EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        if let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                            on_key(&latest.borrow(), e, &nav, &cursor, &shown, rows);
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }
    // Near the end of the page, the next page.
    {
        let shown = shown.clone();
        use_effect_with((more > 0, *shown), move |(has_more, _)| {
            let has_more = *has_more;
            let window = web_sys::window();
            let listener = window.as_ref().filter(|_| has_more).map(|w| {
                let w2 = w.clone();
                gloo::events::EventListener::new(w, "scroll", move |_| {
                    let Some(doc) = w2.document().and_then(|d| d.document_element()) else {
                        return;
                    };
                    let y = w2.scroll_y().unwrap_or(0.0);
                    let h = w2
                        .inner_height()
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0);
                    if f64::from(doc.scroll_height()) - (y + h) < 600.0 {
                        shown.set(*shown + PAGE);
                    }
                })
            });
            move || drop(listener)
        });
    }
    // The card the cursor is on is focused and in view.
    {
        let cursor = *cursor;
        use_effect_with(cursor, move |cursor| {
            if let Some(i) = cursor {
                let el = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                    d.query_selector(&format!("[data-nb=\"{i}\"]"))
                        .ok()
                        .flatten()
                });
                if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                    let opts = web_sys::ScrollIntoViewOptions::new();
                    opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    el.scroll_into_view_with_scroll_into_view_options(&opts);
                }
            }
        });
    }

    let on_search = {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            set_query(&|q| q.text = v.clone());
        })
    };
    let on_group = {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            set_query(&|q| q.group = GroupBy::parse(&v).unwrap_or_default());
        })
    };
    let on_sort = {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            set_query(&|q| q.sort = Sort::parse(&v).unwrap_or_default());
        })
    };
    let on_tag = {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            set_query(&|q| q.tag = (!v.is_empty()).then(|| v.clone()));
        })
    };
    let on_article = {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            set_query(&|q| q.article = (!v.is_empty()).then(|| v.clone()));
        })
    };
    let on_date = |to: bool| {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            let v = (!v.is_empty()).then_some(v);
            set_query(&|q| {
                if to {
                    q.to = v.clone();
                } else {
                    q.from = v.clone();
                }
            });
        })
    };
    let check = |which: u8| {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            set_query(&|q| match which {
                0 => q.has_note = on,
                1 => q.needs_check = on,
                _ => q.orphans = on,
            });
        })
    };
    let clear = {
        let set_query = Rc::clone(&set_query);
        Callback::from(move |_: MouseEvent| set_query(&|q| *q = q.without_filters()))
    };
    let colour_filters = Color::ALL.iter().map(|&c| {
        let on = query.colors.contains(&c);
        let set_query = Rc::clone(&set_query);
        let onclick = Callback::from(move |_: MouseEvent| {
            set_query(&|q| {
                if let Some(i) = q.colors.iter().position(|x| *x == c) {
                    q.colors.remove(i);
                } else {
                    q.colors.push(c);
                }
            })
        });
        html! {
            <button type="button" class={classes!("swatch", format!("swatch--{}", c.as_str()))}
                aria-pressed={on.to_string()} aria-label={t.color(c)} title={t.color(c)} {onclick}></button>
        }
    });

    // Bulk changes on what is shown.
    let tag_input = use_node_ref();
    let bulk_tag = |remove: bool| {
        let (app, tag_input) = (app.clone(), tag_input.clone());
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            let Some(input) = tag_input.cast::<HtmlInputElement>() else {
                return;
            };
            let tag = input.value();
            if tag.trim().is_empty() {
                let _ = input.focus();
                return;
            }
            app.notebook_bulk(if remove {
                BulkOp::RemoveTag(tag)
            } else {
                BulkOp::AddTag(tag)
            });
            input.set_value("");
        })
    };
    let recolour_all = Color::ALL.iter().map(|&c| {
        let app = app.clone();
        let onclick = Callback::from(move |_: MouseEvent| app.notebook_bulk(BulkOp::Recolor(c)));
        let label = format!("{} {}", nb.recolour_all, t.color(c));
        html! {
            <button type="button" class={classes!("swatch", format!("swatch--{}", c.as_str()))}
                aria-label={label.clone()} title={label} {onclick}></button>
        }
    });
    let export = |format: ExportFormat| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook_export(format, Delivery::Download))
    };
    let undo = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook_undo())
    };
    let redo = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook_redo())
    };
    let dismiss = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook(Msg::DismissMessage))
    };
    let review = |random: bool| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook_review(random))
    };
    let show_more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };

    let filters_open = use_state(|| query.filtered());
    let bulk_open = use_state(|| false);
    let toggle_filters = {
        let open = filters_open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let toggle_bulk = {
        let open = bulk_open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let count = lang.notebook_count(selection.count, total, total_articles);
    let filters_on = query.filtered();
    let n_filters = [
        !query.colors.is_empty(),
        query.tag.is_some(),
        query.article.is_some(),
        query.from.is_some() || query.to.is_some(),
        query.has_note,
        query.needs_check || query.orphans,
    ]
    .iter()
    .filter(|x| **x)
    .count();

    if let Some(r) = &state.review {
        return html! {
            <section class="notebook" aria-labelledby="notebook-title">
                <h1 id="notebook-title" class="notebook__heading">{ nb.review }</h1>
                { review_view(&app, lang, &index, r) }
            </section>
        };
    }

    html! {
        <section class="notebook" aria-labelledby="notebook-title">
            <header class="notebook__head">
                <h1 id="notebook-title" class="notebook__heading">{ nb.notebook_title }</h1>
                <p class="notebook__count" role="status">{ count }</p>
            </header>
            <div class="notebook__controls">
                <label class="visually-hidden" for="nb-search">{ nb.nb_search }</label>
                <input id="nb-search" class="notebook__search" type="search" placeholder={nb.nb_search_hint}
                    title={nb.nb_search} value={query.text.clone()} oninput={on_search} autocomplete="off" />
                <label class="nb-field">
                    <span class="nb-field__label">{ nb.group_by }</span>
                    <select id="nb-group" onchange={on_group}>
                        { for GroupBy::ALL.iter().map(|g| {
                            let label = match g {
                                GroupBy::Article => nb.group_article,
                                GroupBy::Tag => nb.group_tag,
                                GroupBy::Color => nb.group_color,
                                GroupBy::None => nb.group_none,
                            };
                            html! { <option value={g.as_str()} selected={*g == query.group}>{ label }</option> }
                        }) }
                    </select>
                </label>
                <label class="nb-field">
                    <span class="nb-field__label">{ nb.sort_by }</span>
                    <select id="nb-sort" onchange={on_sort}>
                        { for Sort::ALL.iter().map(|s| {
                            let label = match s {
                                Sort::Newest => nb.sort_newest,
                                Sort::Oldest => nb.sort_oldest,
                                Sort::Article => nb.sort_article,
                            };
                            html! { <option value={s.as_str()} selected={*s == query.sort}>{ label }</option> }
                        }) }
                    </select>
                </label>
                <button type="button" class="button notebook__review" id="nb-review" onclick={review(true)}
                    disabled={selection.count == 0} title={nb.review_random}>{ nb.review }</button>
            </div>
            <div class="notebook__toggles">
                <button type="button" class="button button--small nb-toggle" id="nb-filters-button" onclick={toggle_filters}
                    aria-expanded={filters_open.to_string()} aria-controls="nb-filters">
                    { nb.filters }
                    if n_filters > 0 { {" "}<span class="nb-badge">{ n_filters }</span> }
                </button>
                if selection.count > 0 {
                    <button type="button" class="button button--small nb-toggle" id="nb-bulk-button" onclick={toggle_bulk}
                        aria-expanded={bulk_open.to_string()} aria-controls="nb-bulk">
                        { lang.applies_to(selection.count) }
                    </button>
                }
            </div>
            if *filters_open {
                <div class="notebook__filter-body" id="nb-filters" role="group" aria-label={nb.filters}>
                    <div class="nb-field nb-field--colours" role="group" aria-label={nb.colours}>
                        <span class="nb-field__label" aria-hidden="true">{ nb.colours }</span>
                        <span class="nb-swatches">{ for colour_filters }</span>
                    </div>
                    <label class="nb-field">
                        <span class="nb-field__label">{ nb.tag }</span>
                        <select id="nb-tag-filter" onchange={on_tag}>
                            <option value="" selected={query.tag.is_none()}>{ nb.any_tag }</option>
                            { for tags.iter().map(|g| {
                                let key = lectern_core::notebook::tag_key(g);
                                let on = query.tag.as_deref().map(lectern_core::notebook::tag_key) == Some(key);
                                html! { <option value={g.trim_start_matches('#').to_owned()} selected={on}>{ format!("#{}", g.trim_start_matches('#')) }</option> }
                            }) }
                        </select>
                    </label>
                    <label class="nb-field">
                        <span class="nb-field__label">{ nb.article }</span>
                        <select id="nb-article-filter" onchange={on_article}>
                            <option value="" selected={query.article.is_none()}>{ nb.any_article }</option>
                            { for articles.iter().map(|(id, title)| html! {
                                <option value={id.clone()} selected={query.article.as_deref() == Some(id.as_str())}>{ title.clone() }</option>
                            }) }
                        </select>
                    </label>
                    <label class="nb-field">
                        <span class="nb-field__label">{ nb.date_from }</span>
                        <input id="nb-from" type="date" value={query.from.clone().unwrap_or_default()} onchange={on_date(false)} />
                    </label>
                    <label class="nb-field">
                        <span class="nb-field__label">{ nb.date_to }</span>
                        <input id="nb-to" type="date" value={query.to.clone().unwrap_or_default()} onchange={on_date(true)} />
                    </label>
                    <label class="nb-check"><input type="checkbox" checked={query.has_note} onchange={check(0)} />{ nb.has_note }</label>
                    <label class="nb-check"><input type="checkbox" checked={query.needs_check} onchange={check(1)} />{ nb.needs_check }</label>
                    <label class="nb-check"><input type="checkbox" checked={query.orphans} onchange={check(2)} />{ nb.orphans }</label>
                    <button type="button" class="button button--small" onclick={clear} disabled={!filters_on}>{ nb.clear_filters }</button>
                </div>
            }
            if selection.count > 0 && *bulk_open {
                <form class="notebook__bulk" id="nb-bulk" aria-label={lang.applies_to(selection.count)} onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    <div class="nb-bulk-row">
                        <label class="visually-hidden" for="nb-tag">{ nb.tag_to_add }</label>
                        <input id="nb-tag" ref={tag_input.clone()} type="text" list="nb-tags" placeholder={nb.tag} autocomplete="off" />
                        <datalist id="nb-tags">{ for tags.iter().map(|g| html! { <option value={g.trim_start_matches('#').to_owned()} /> }) }</datalist>
                        <button type="submit" class="button button--small" onclick={bulk_tag(false)}>{ nb.add_tag }</button>
                        <button type="button" class="button button--small" onclick={bulk_tag(true)}>{ nb.remove_tag }</button>
                    </div>
                    <div class="nb-bulk-row">
                        <span class="nb-field__label" aria-hidden="true">{ nb.recolour_all }</span>
                        <span class="nb-swatches">{ for recolour_all }</span>
                    </div>
                    <div class="nb-bulk-row">
                        <span class="nb-field__label">{ nb.export_shown }</span>
                        <button type="button" class="button button--small" onclick={export(ExportFormat::Markdown)}>{ t.export_markdown }</button>
                        <button type="button" class="button button--small" onclick={export(ExportFormat::JsonLd)}>{ t.export_jsonld }</button>
                    </div>
                </form>
            }
            <div class="nb-message-region" aria-live="polite">
                if let Some(m) = &state.message {
                    <div class="nb-message">
                        <span>{ lang.bulk_done(&m.what, m.count) }</span>
                        <span class="nb-message__actions">
                            <button type="button" class="button button--small" onclick={undo} disabled={state.undo.is_empty()}>{ nb.undo }</button>
                            <button type="button" class="button button--small" onclick={redo} disabled={state.redo.is_empty()}>{ nb.redo }</button>
                            <button type="button" class="icon-button icon-button--small" aria-label={t.dismiss} title={t.dismiss} onclick={dismiss.clone()}>
                                <span aria-hidden="true">{"×"}</span>
                            </button>
                        </span>
                    </div>
                }
                if !state.failed.is_empty() {
                    <div class="nb-message nb-message--failed" role="alert">
                        <span>{ nb.not_saved }{" "}{ state.failed.iter().map(|(a, why)| format!("{a} ({why})")).collect::<Vec<_>>().join("; ") }</span>
                    </div>
                }
            </div>
            if loading && total == 0 {
                <p class="notebook__empty" role="status">{ nb.loading }</p>
            } else if total == 0 {
                <p class="notebook__empty">{ nb.empty }</p>
            } else if selection.count == 0 {
                <p class="notebook__empty">{ t.nothing_found }</p>
            }
            <div class="notebook__groups">{ for rendered_groups }</div>
            if more > 0 {
                <button type="button" class="button notebook__more" onclick={show_more}>{ lang.show_more(more.min(PAGE), more) }</button>
            }
            <p class="notebook__keys">{ nb.keys_help }</p>
        </section>
    }
}

/// One group: its heading and its cards (`first` is the first card's place among all).
fn group_view(
    lang: Lang,
    index: &NotebookIndex,
    key: &GroupKey,
    hits: &[Hit],
    all: usize,
    first: usize,
    cursor: Option<usize>,
) -> Html {
    let t = lang.strings();
    let nb = lang.nb();
    let title: Html = match key {
        GroupKey::All => Html::default(),
        GroupKey::Article(id) => {
            let info = index.info(id);
            let title = info.map_or(id.as_str(), |i| i.title.as_str()).to_owned();
            let article_lang = info.map(|i| i.lang.clone());
            html! { <a href={href(&Route::Article(id.clone()))} lang={article_lang}>{ title }</a> }
        }
        GroupKey::Tag(tag) => html! { format!("#{}", tag.trim_start_matches('#')) },
        GroupKey::Untagged => html! { nb.untagged },
        GroupKey::Color(c) => html! {
            <><span class={classes!("nb-dot", format!("nb-dot--{}", c.as_str()))} aria-hidden="true"></span>{ t.color(*c) }</>
        },
        GroupKey::ArticleNotes => html! { nb.article_notes_group },
    };
    let key_str = match key {
        GroupKey::All => "all".to_owned(),
        GroupKey::Article(id) => format!("a-{id}"),
        GroupKey::Tag(t) => format!("t-{t}"),
        GroupKey::Untagged => "untagged".to_owned(),
        GroupKey::Color(c) => format!("c-{}", c.as_str()),
        GroupKey::ArticleNotes => "notes".to_owned(),
    };
    let show_article = !matches!(key, GroupKey::Article(_));
    let cards = hits.iter().enumerate().map(|(i, h)| {
        let article = &h.article.id;
        let info = index.info(article);
        html! {
            <NbCard key={format!("{article}/{}", h.get().id)} hit={h.clone()} place={first + i}
                current={cursor == Some(first + i)} {lang}
                article_title={AttrValue::from(info.map_or(String::new(), |i| i.title.clone()))}
                article_lang={AttrValue::from(info.map_or(String::new(), |i| i.lang.clone()))}
                {show_article} />
        }
    });
    html! {
        <section class="nb-group" key={key_str} data-group={key_label(key)}>
            if *key != GroupKey::All {
                <h2 class="nb-group__title">{ title }{" "}<span class="nb-group__count">{ all }</span></h2>
            }
            <ol class="nb-list">{ for cards }</ol>
        </section>
    }
}

/// The group's key as the tests and styles see it (`article:<id>`, `tag:<tag>`, …).
fn key_label(key: &GroupKey) -> String {
    match key {
        GroupKey::All => "all".to_owned(),
        GroupKey::Article(id) => format!("article:{id}"),
        GroupKey::Tag(t) => format!("tag:{t}"),
        GroupKey::Untagged => "untagged".to_owned(),
        GroupKey::Color(c) => format!("color:{}", c.as_str()),
        GroupKey::ArticleNotes => "article-notes".to_owned(),
    }
}

#[derive(Properties, PartialEq)]
struct NbCardProps {
    hit: Hit,
    place: usize,
    current: bool,
    lang: Lang,
    article_title: AttrValue,
    article_lang: AttrValue,
    show_article: bool,
}

/// One highlight or article note. Re-renders only when its own entry (its article's entries,
/// compared by pointer) or its place changes.
#[component]
fn NbCard(props: &NbCardProps) -> Html {
    let e = props.hit.get();
    let article = props.hit.article.id.clone();
    let nb = props.lang.nb();
    let t = props.lang.strings();
    let note = e.is_article_note();
    let link = open_href(&article, &e.id, note);
    let color = if note { "note" } else { e.color.as_str() };
    let badge = match e.status {
        Status::Fuzzy => Some((t.please_check, "nb-badge--check")),
        Status::Orphan => Some((nb.orphan_badge, "nb-badge--orphan")),
        _ => None,
    };
    let colour_label = (!note).then(|| t.color(e.color));
    html! {
        <li class={classes!("nb-card", format!("nb-card--{color}"), props.current.then_some("nb-card--current"))}
            data-nb={props.place.to_string()} data-annotation={e.id.clone()} data-article={article.clone()}
            data-color={color} tabindex="-1" aria-current={props.current.then_some("true")}>
            if note {
                <p class="nb-card__kind">{ nb.article_note_entry }</p>
            } else {
                <blockquote class="nb-card__quote" lang={props.article_lang.clone()}>
                    <span class="visually-hidden">{ colour_label.unwrap_or_default() }{": "}</span>
                    <span class="nb-card__quote-text">{ e.quote.clone() }</span>
                </blockquote>
            }
            if !e.note.trim().is_empty() {
                <NoteView markdown={e.note.clone()} />
            }
            if !e.tags.is_empty() {
                <p class="nb-card__tags">{ for e.tags.iter().map(|g| html! { <span class="tag">{ format!("#{}", g.trim_start_matches('#')) }</span> }) }</p>
            }
            <p class="nb-card__meta">
                <a class="nb-card__open" href={link} title={nb.open_in_article}>
                    if props.show_article {
                        <span lang={props.article_lang.clone()}>{ props.article_title.clone() }</span>
                    } else {
                        { nb.open_in_article }
                    }
                </a>
                <span aria-hidden="true">{ " · " }</span>
                <time datetime={e.created.clone()}>{ e.day().to_owned() }</time>
                if let Some((text, class)) = badge {
                    <span class={classes!("nb-badge", class)}>{ text }</span>
                }
            </p>
        </li>
    }
}

/// Review mode: one highlight at a time.
fn review_view(app: &AppContext, lang: Lang, index: &NotebookIndex, r: &Review) -> Html {
    let t = lang.strings();
    let nb = lang.nb();
    let Some((article, id)) = r.order.get(r.at) else {
        return Html::default();
    };
    let entry = index
        .article(article)
        .and_then(|a| a.entries.iter().find(|e| &e.id == id));
    let info = index.info(article);
    let step = |by: i32| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook(Msg::ReviewMove(by)))
    };
    let done = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.notebook(Msg::ReviewEnd))
    };
    let body = match entry {
        None => html! { <p class="notebook__empty">{ t.nothing_found }</p> },
        Some(e) => {
            let note = e.is_article_note();
            let color = if note { "note" } else { e.color.as_str() };
            html! {
                <article class={classes!("review__card", format!("nb-card--{color}"))} data-annotation={e.id.clone()}>
                    if note {
                        <p class="nb-card__kind">{ nb.article_note_entry }</p>
                    } else {
                        <blockquote class="review__quote" lang={info.map(|i| i.lang.clone())}><span class="nb-card__quote-text">{ e.quote.clone() }</span></blockquote>
                    }
                    if !e.note.trim().is_empty() {
                        <NoteView markdown={e.note.clone()} />
                    }
                    if !e.tags.is_empty() {
                        <p class="nb-card__tags">{ for e.tags.iter().map(|g| html! { <span class="tag">{ format!("#{}", g.trim_start_matches('#')) }</span> }) }</p>
                    }
                    <p class="nb-card__meta">
                        <a class="nb-card__open review__open" href={open_href(article, &e.id, note)} lang={info.map(|i| i.lang.clone())}>
                            { info.map_or(String::new(), |i| i.title.clone()) }
                        </a>
                        <span aria-hidden="true">{ " · " }</span>
                        <time datetime={e.created.clone()}>{ e.day().to_owned() }</time>
                    </p>
                </article>
            }
        }
    };
    let order = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            app.notebook_review(v == "random");
        })
    };
    html! {
        <div class="review" data-review={if r.random { "random" } else { "oldest" }}>
            <div class="review__head">
                <p class="review__position" role="status">{ lang.review_position(r.at + 1, r.order.len()) }</p>
                <label class="nb-field nb-field--inline">
                    <span class="nb-field__label">{ nb.sort_by }</span>
                    <select id="review-order" onchange={order}>
                        <option value="random" selected={r.random}>{ nb.random }</option>
                        <option value="oldest" selected={!r.random}>{ nb.sort_oldest }</option>
                    </select>
                </label>
            </div>
            { body }
            <div class="review__nav">
                <button type="button" class="button" onclick={step(-1)} disabled={r.at == 0}
                    title={format!("{} (k)", nb.review_previous)}>{ format!("← {}", nb.review_previous) }</button>
                <button type="button" class="button button--primary" onclick={step(1)} disabled={r.at + 1 >= r.order.len()}
                    title={format!("{} (j)", nb.review_next)}>{ format!("{} →", nb.review_next) }</button>
                <button type="button" class="button button--quiet" onclick={done} title={format!("{} (Esc)", nb.review_done)}>{ nb.review_done }</button>
            </div>
            <p class="notebook__keys">{ "j, → · k, ← · Enter · 1–5 · Esc" }</p>
        </div>
    }
}

/// The notebook's keys (not while typing in a field, but `/` and Escape there too).
fn on_key(
    app: &AppContext,
    e: &web_sys::KeyboardEvent,
    nav: &[Nav],
    cursor: &UseStateHandle<Option<usize>>,
    shown: &UseStateHandle<usize>,
    rows: usize,
) {
    if e.alt_key() {
        return;
    }
    let key = e.key();
    let ctrl = e.ctrl_key() || e.meta_key();
    let typing = is_text_field(e.target());
    if ctrl {
        if typing {
            return;
        }
        let lower = key.to_lowercase();
        if lower == "z" && !e.shift_key() {
            e.prevent_default();
            app.notebook_undo();
        } else if (lower == "z" && e.shift_key()) || lower == "y" {
            e.prevent_default();
            app.notebook_redo();
        }
        return;
    }
    let doc = web_sys::window().and_then(|w| w.document());
    // Review mode.
    if let Some(r) = &app.state().notebook.review {
        if typing {
            return;
        }
        let current = r.order.get(r.at).cloned();
        match key.as_str() {
            "j" | "ArrowRight" | " " => {
                e.prevent_default();
                app.notebook(Msg::ReviewMove(1));
            }
            "k" | "ArrowLeft" => {
                e.prevent_default();
                app.notebook(Msg::ReviewMove(-1));
            }
            "Escape" => {
                e.prevent_default();
                app.notebook(Msg::ReviewEnd);
            }
            "Enter" => {
                if let Some(a) = doc.and_then(|d| d.query_selector(".review__open").ok().flatten())
                {
                    e.prevent_default();
                    a.unchecked_into::<web_sys::HtmlElement>().click();
                }
            }
            k if k.len() == 1 && ('1'..='5').contains(&k.chars().next().unwrap_or('0')) => {
                if let Some((article, id)) = current {
                    e.prevent_default();
                    let i = k.parse::<usize>().unwrap_or(1) - 1;
                    app.notebook_recolor(&article, &id, Color::ALL[i]);
                }
            }
            _ => {}
        }
        return;
    }
    if key == "/" && !typing {
        if let Some(input) = doc
            .and_then(|d| d.get_element_by_id("nb-search"))
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            e.prevent_default();
            let _ = input.focus();
        }
        return;
    }
    if typing {
        // Escape leaves the search for the list; Enter there too.
        if (key == "Escape" || key == "ArrowDown")
            && e.target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|t| t.id() == "nb-search")
            && !nav.is_empty()
        {
            e.prevent_default();
            cursor.set(Some(0));
        }
        return;
    }
    match key.as_str() {
        "j" | "k" => {
            if nav.is_empty() {
                return;
            }
            e.prevent_default();
            let next = match (key.as_str(), **cursor) {
                ("j", None) => 0,
                ("j", Some(i)) => (i + 1).min(nav.len() - 1),
                (_, None) => 0,
                (_, Some(i)) => i.saturating_sub(1),
            };
            // At the end of a page, the next page.
            if key == "j" && next + 1 >= nav.len() && rows > nav.len() {
                shown.set(**shown + PAGE);
            }
            cursor.set(Some(next));
        }
        "Enter" => {
            let Some(i) = **cursor else { return };
            let link = doc.and_then(|d| {
                d.query_selector(&format!("[data-nb=\"{i}\"] .nb-card__open"))
                    .ok()
                    .flatten()
            });
            if let Some(a) = link {
                e.prevent_default();
                a.unchecked_into::<web_sys::HtmlElement>().click();
            }
        }
        k if k.len() == 1 && ('1'..='5').contains(&k.chars().next().unwrap_or('0')) => {
            let Some(n) = (**cursor).and_then(|i| nav.get(i)) else {
                return;
            };
            e.prevent_default();
            let i = k.parse::<usize>().unwrap_or(1) - 1;
            app.notebook_recolor(&n.article, &n.id, Color::ALL[i]);
        }
        "Escape" => cursor.set(None),
        _ => {}
    }
}
