//! The library: every article with its excerpt, source, language, date, size, reading progress
//! and annotation counts; open, rename, mark finished, archive, delete (with undo), search,
//! filter by status and sort; add articles by pasting, choosing files, or dropping them
//! anywhere.
//!
//! A library of thousands renders a page of entries at a time: the next page when the end of
//! the list comes near the view (and a button for it), so opening the library or typing in
//! its search builds a page of rows, not thousands.

use lectern_core::effect::DataScope;
use lectern_core::i18n::Strings;
use lectern_core::import::ImportError;
use lectern_core::library::ArticleMeta;
use lectern_core::reading::Status;
use lectern_core::state::{Action, ImportLine, ImportOutcome, Open, SortKey, StatusFilter};
use lectern_dom::files::files_of;
use lectern_dom::page::WhenVisible;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Entries rendered at first, and added each time the end of the list comes near.
const PAGE: usize = 50;

use crate::components::export_menu::ExportMenu;
use crate::store::use_app;

#[component]
pub fn LibraryView() -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.lang();
    let state = app.state();
    let pasting = use_state(|| false);
    let paste_text = use_state(String::new);
    let renaming = use_state(|| None::<String>);
    let file_input = use_node_ref();

    // The open article's counts and reading are newer in memory than in storage.
    let open = Open {
        id: state.reader.article.id.as_str(),
        doc: &state.reader.doc,
        reading: &state.reader.reading,
    };
    // Titles and sources at once; the texts' matches as the word index answers.
    let list = state.library.rows(Some(open));
    let total = list.len();
    let shown = use_state(|| PAGE);
    {
        // A new query, filter or order starts again from the first page.
        let shown = shown.clone();
        let key = (
            state.library.query.clone(),
            state.library.filter,
            state.library.sort,
        );
        use_effect_with(key, move |_| shown.set(PAGE));
    }
    let more_ref = use_node_ref();
    {
        let shown = shown.clone();
        let more_ref = more_ref.clone();
        use_effect_with((*shown, total), move |&(n, total)| {
            let watch = (n < total)
                .then(|| more_ref.cast::<web_sys::Element>())
                .flatten()
                .map(|el| WhenVisible::new(&el, "800px", move || shown.set(n + PAGE)));
            move || drop(watch)
        });
    }
    let show_more = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(*shown + PAGE))
    };
    let on_search = {
        let app = app.clone();
        Callback::from(move |e: InputEvent| {
            app.dispatch(Action::SearchLibrary(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let choose = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = file_input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_files = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            app.import_files(files_of(input.files()));
            input.set_value("");
        })
    };
    let toggle_paste = {
        let pasting = pasting.clone();
        Callback::from(move |_: MouseEvent| pasting.set(!*pasting))
    };
    let on_paste_input = {
        let paste_text = paste_text.clone();
        Callback::from(move |e: InputEvent| {
            paste_text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let add_pasted = {
        let app = app.clone();
        let paste_text = paste_text.clone();
        let pasting = pasting.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            app.import_text((*paste_text).clone());
            paste_text.set(String::new());
            pasting.set(false);
        })
    };

    // Highlight and note counts: read from storage by the runner when the library is shown
    // (and when another tab changes them); the open article's from memory.
    let row = |m: &ArticleMeta| -> Html {
        let (highlights, notes) = state.library.counts(&m.id, Some((open.id, open.doc)));
        let reading = state.library.reading(&m.id, Some((open.id, open.reading)));
        let status = reading.status();
        let id = m.id.clone();
        let is_renaming = renaming.as_deref() == Some(m.id.as_str());
        let start_rename = {
            let renaming = renaming.clone();
            let id = id.clone();
            Callback::from(move |_: MouseEvent| renaming.set(Some(id.clone())))
        };
        let save_rename = {
            let app = app.clone();
            let renaming = renaming.clone();
            let id = id.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                let form = e.target_unchecked_into::<web_sys::HtmlFormElement>();
                let title = form
                    .elements()
                    .named_item("title")
                    .map(|el| wasm_bindgen::JsCast::unchecked_into::<HtmlInputElement>(el).value())
                    .unwrap_or_default();
                app.rename_article(&id, title);
                renaming.set(None);
            })
        };
        let cancel_rename = {
            let renaming = renaming.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Escape" {
                    renaming.set(None);
                }
            })
        };
        let delete = {
            let app = app.clone();
            let id = id.clone();
            Callback::from(move |_: MouseEvent| app.remove_article(&id))
        };
        let finished = reading.finished;
        let toggle_finished = {
            let app = app.clone();
            let id = id.clone();
            Callback::from(move |_: MouseEvent| app.set_finished(&id, !finished))
        };
        let archived = reading.archived;
        let toggle_archived = {
            let app = app.clone();
            let id = id.clone();
            Callback::from(move |_: MouseEvent| app.set_archived(&id, !archived))
        };
        let progress = match status {
            Status::Finished => Some(t.finished.to_owned()),
            _ if reading.progress > 0 => Some(lang.progress(reading.progress)),
            _ => None,
        };
        let href = format!("#/a/{}", m.id);
        let meta_line = [
            m.source.clone(),
            Some(m.lang.to_uppercase()),
            // A list rebuilt from the stored articles does not know when they were added.
            (!m.added.is_empty())
                .then(|| format!("{} {}", t.added, m.added.get(..10).unwrap_or(&m.added))),
            Some(lang.words(m.words)),
            Some(format!("{highlights} {}", t.highlights_count)),
            Some(format!("{notes} {}", t.notes_count)),
            progress,
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        html! {
            <li class="library__item" data-article={m.id.clone()} data-status={status_name(status)}>
                if is_renaming {
                    <form class="library__rename" onsubmit={save_rename}>
                        <label class="visually-hidden" for={format!("rename-{}", m.id)}>{ t.rename }</label>
                        <input id={format!("rename-{}", m.id)} name="title" type="text" value={m.title.clone()}
                            onkeydown={cancel_rename} autofocus=true />
                        <button type="submit" class="button button--small">{ t.save }</button>
                    </form>
                } else {
                    <a class="library__title" {href} lang={m.lang.clone()}>{ m.title.clone() }</a>
                }
                if !m.excerpt.is_empty() {
                    <p class="library__excerpt" lang={m.lang.clone()}>{ m.excerpt.clone() }</p>
                }
                <p class="library__meta">{ meta_line }</p>
                if reading.progress > 0 && !finished {
                    <div class="library__progress" aria-hidden="true">
                        <span style={format!("width:{}%", reading.progress)}></span>
                    </div>
                }
                <div class="library__actions">
                    <button type="button" class="button button--small" onclick={start_rename}
                        aria-label={format!("{}: {}", t.rename, m.title)}>{ t.rename }</button>
                    <button type="button" class="button button--small" onclick={toggle_finished}
                        aria-pressed={finished.to_string()}
                        aria-label={format!("{}: {}", t.finished, m.title)}>{ t.finished }</button>
                    <button type="button" class="button button--small" onclick={toggle_archived}
                        aria-label={format!("{}: {}", if archived { t.unarchive } else { t.archive }, m.title)}>
                        { if archived { t.unarchive } else { t.archive } }</button>
                    <button type="button" class="button button--small button--danger" onclick={delete}
                        aria-label={format!("{}: {}", t.delete, m.title)}>{ t.delete }</button>
                </div>
            </li>
        }
    };

    let undo_remove = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.undo_remove_article())
    };
    html! {
        <section class="library" aria-labelledby="library-title">
            <h1 id="library-title" class="library__heading">{ t.library_title }</h1>
            <div class="library__import">
                <button type="button" class="button" onclick={toggle_paste.clone()} aria-expanded={pasting.to_string()}>{ t.new_article }</button>
                <button type="button" class="button" onclick={choose}>{ t.open_file }</button>
                <input ref={file_input} type="file" class="visually-hidden" id="file-input" multiple=true
                    accept=".txt,.text,.md,.markdown,.html,.htm,text/plain,text/markdown,text/html"
                    onchange={on_files} tabindex="-1" aria-hidden="true" />
                <a class="button" href="#/add">{ t.add_from_web }</a>
                <ExportMenu scope={DataScope::Library} />
                <p class="library__hint">{ t.drop_hint }</p>
            </div>
            if *pasting {
                <form class="library__paste" onsubmit={add_pasted}>
                    <label for="paste-text">{ t.paste_label }</label>
                    <textarea id="paste-text" rows="8" placeholder={t.paste_placeholder}
                        value={(*paste_text).clone()} oninput={on_paste_input} />
                    <div class="library__paste-actions">
                        <button type="submit" class="button button--primary" disabled={paste_text.trim().is_empty()}>{ t.add_article }</button>
                        <button type="button" class="button button--quiet" onclick={toggle_paste}>{ t.cancel }</button>
                    </div>
                </form>
            }
            <ImportReport />
            if state.library.just_removed.is_some() {
                <div class="notice notice--info" role="status">
                    <p class="notice__text">{ t.article_removed }</p>
                    <button type="button" class="button" onclick={undo_remove}>{ t.undo }</button>
                </div>
            }
            <label class="visually-hidden" for="library-search">{ t.search_library }</label>
            <input id="library-search" class="library__search" type="search" placeholder={t.search_library}
                value={state.library.query.clone()} oninput={on_search} />
            <LibraryControls />
            if state.library.doc.articles.is_empty() {
                <p class="library__empty">{ t.empty_library }</p>
            } else if total == 0 {
                <p class="library__empty">{ t.no_matches }</p>
            }
            <ul class="library__list" data-total={total.to_string()}>{ for list.into_iter().take(*shown).map(row) }</ul>
            if *shown < total {
                <div class="library__more" ref={more_ref}>
                    <button type="button" class="button" onclick={show_more}>
                        { lang.show_more(PAGE.min(total - *shown), total - *shown) }
                    </button>
                </div>
            }
            { usage_view(lang, &state.library, {
                let app = app.clone();
                Callback::from(move |_: MouseEvent| app.forget_images())
            }) }
        </section>
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Unread => "unread",
        Status::InProgress => "in-progress",
        Status::Finished => "finished",
        Status::Archived => "archived",
    }
}

/// Which articles to show (by status) and in which order.
#[component]
fn LibraryControls() -> Html {
    let app = use_app();
    let t = app.t();
    let library = &app.state().library;
    let filter_name = |f: StatusFilter| match f {
        StatusFilter::All => t.filter_all,
        StatusFilter::Unread => t.filter_unread,
        StatusFilter::InProgress => t.filter_in_progress,
        StatusFilter::Finished => t.filter_finished,
        StatusFilter::Archived => t.filter_archived,
    };
    let sort_name = |k: SortKey| match k {
        SortKey::Added => t.sort_added,
        SortKey::Opened => t.sort_opened,
        SortKey::Title => t.sort_title,
        SortKey::Length => t.sort_length,
        SortKey::Highlights => t.sort_highlights,
    };
    let on_sort = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let i: usize = e
                .target_unchecked_into::<HtmlSelectElement>()
                .value()
                .parse()
                .unwrap_or(0);
            if let Some(k) = SortKey::ALL.get(i) {
                app.dispatch(Action::SortLibrary(*k));
            }
        })
    };
    html! {
        <div class="library__controls">
            <div class="library__filters" role="group" aria-label={t.show_label}>
                { for StatusFilter::ALL.iter().map(|&f| {
                    let app = app.clone();
                    let onclick = Callback::from(move |_: MouseEvent| app.dispatch(Action::FilterLibrary(f)));
                    html! {
                        <button type="button" class="filter" aria-pressed={(library.filter == f).to_string()} {onclick}>
                            { filter_name(f) }
                        </button>
                    }
                }) }
            </div>
            <label class="library__sort">
                <span>{ t.sort_label }</span>
                <select onchange={on_sort}>
                    { for SortKey::ALL.iter().enumerate().map(|(i, &k)| html! {
                        <option value={i.to_string()} selected={library.sort == k}>{ sort_name(k) }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}

/// What the last import did, file by file.
#[component]
fn ImportReport() -> Html {
    let app = use_app();
    let t = app.t();
    let import = &app.state().library.import;
    // Shown once every file has its answer (then the batch has navigated here).
    if import.lines.is_empty() || !import.done {
        return html! {};
    }
    let report = &import.lines;
    let failed = report.iter().any(|l| {
        matches!(
            l.outcome,
            ImportOutcome::Failed(_) | ImportOutcome::NotSaved(_)
        )
    });
    html! {
        <div class={classes!("import-report", failed.then_some("import-report--failed"))}
            role={if failed { "alert" } else { "status" }}>
            <ul>{ for report.iter().map(|l| line(t, l)) }</ul>
        </div>
    }
}

fn line(t: &Strings, l: &ImportLine) -> Html {
    let name = html! { <strong>{ l.name.clone() }</strong> };
    match &l.outcome {
        ImportOutcome::Added { id, title } => html! {
            <li>{ t.imported }{" "}<a href={format!("#/a/{id}")}>{ title.clone() }</a></li>
        },
        ImportOutcome::Duplicate { id, .. } => html! {
            <li>{ name }{" "}{ t.already_in_library }{" "}<a href={format!("#/a/{id}")}>{ t.open_existing }</a></li>
        },
        ImportOutcome::Failed(e) => {
            let why = match e {
                ImportError::Empty => t.err_empty.to_owned(),
                ImportError::TooLarge { .. } => t.err_too_large.to_owned(),
                ImportError::Binary { what } => format!("{} {what}.", t.err_binary),
                ImportError::Undecodable => t.err_undecodable.to_owned(),
                ImportError::UnsupportedType { .. } => t.err_unsupported.to_owned(),
                ImportError::NoArticle => t.err_no_article.to_owned(),
            };
            html! { <li>{ name }{" "}{ why }</li> }
        }
        ImportOutcome::NotSaved(why) => {
            html! { <li>{ name }{" "}{ t.err_storage }{" "}{ why.clone() }</li> }
        }
        // Not shown: the report waits for every line to settle.
        ImportOutcome::Working | ImportOutcome::Saving { .. } => html! {},
    }
}

/// How much Lectern keeps in this browser, and which articles take the most.
fn usage_view(
    lang: lectern_core::i18n::Lang,
    library: &lectern_core::state::LibraryState,
    forget_images: Callback<MouseEvent>,
) -> Html {
    let Some(u) = &library.usage else {
        return html! {};
    };
    let t = lang.strings();
    let largest: Vec<Html> = u
        .by_article
        .iter()
        .filter_map(|(id, bytes)| Some((library.doc.get(id)?, bytes)))
        .take(3)
        .map(|(m, bytes)| {
            html! {
                <li><a href={format!("#/a/{}", m.id)} lang={m.lang.clone()}>{ m.title.clone() }</a>{ format!(" · {}", lang.size(*bytes)) }</li>
            }
        })
        .collect();
    html! {
        <section class="library__usage" aria-label={t.storage_heading}>
            <p data-usage-bytes={u.local_bytes.to_string()} data-content-bytes={u.content_bytes.to_string()}>
                { lang.storage_summary(u.local_bytes, u.content_bytes, u.estimate) }
            </p>
            if !largest.is_empty() {
                <p class="library__usage-largest">{ t.largest }</p>
                <ul class="library__usage-list">{ for largest }</ul>
            }
            // --- images (issue 16) ---
            if let Some((bytes, count)) = u.images.filter(|(_, n)| *n > 0) {
                <p data-images-bytes={bytes.to_string()}>
                    { lang.images_kept(bytes, count, lectern_core::web::IMAGE_BUDGET_BYTES) }
                    {" "}
                    <button type="button" class="button button--small" onclick={forget_images}>{ t.forget_images }</button>
                </p>
            }
        </section>
    }
}
