//! Export and import: this article's highlights (Markdown, W3C JSON-LD) or the whole library
//! (plus a full backup), as a download or on the clipboard; and importing a backup (merged by
//! id, all or nothing) or annotations from a JSON-LD / Hypothesis file (anchored to the open
//! article). The formats, validation and merging are the core's (`lectern_core::export`).

use std::collections::BTreeMap;

use lectern_core::annotations_doc::load_annotations;
use lectern_core::article::Article;
use lectern_core::export::backup::{
    merge_backup, parse_backup, save_changes, to_backup, CurrentData,
};
use lectern_core::export::jsonld::{attach, parse_jsonld, to_jsonld, to_jsonld_library};
use lectern_core::export::markdown::{to_markdown, to_markdown_library};
use lectern_core::export::{ArticleExport, ImportProblem};
use lectern_core::i18n::Strings;
use lectern_core::library::SEED_ID;
use lectern_core::state::Action;
use lectern_dom::env::{copy_text, download, now_iso, random_uuid};
use lectern_dom::files::{files_of, read};
use lectern_dom::local_store::LocalStore;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::seed_article;
use crate::store::{use_app, AppContext};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The open article's highlights and notes.
    Article,
    /// Every article in the library.
    Library,
}

#[derive(Properties, PartialEq)]
pub struct ExportMenuProps {
    pub scope: Scope,
}

/// The outcome of an import, shown under the menu.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Done(String),
    Failed(String),
}

#[component]
pub fn ExportMenu(props: &ExportMenuProps) -> Html {
    let app = use_app();
    let t = app.t();
    let status = use_state(|| None::<Status>);
    let file_input = use_node_ref();
    let scope = props.scope;

    let action = |what: &'static str, copy: bool| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| {
            let (name, mime, content) = produce(&app, scope, what);
            if copy {
                copy_text(&content);
            } else {
                let _ = download(&name, mime, &content);
            }
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
    let on_file = {
        let app = app.clone();
        let status = status.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let files = files_of(input.files());
            input.set_value("");
            let app = app.clone();
            let status = status.clone();
            wasm_bindgen_futures::spawn_local(async move {
                for file in files {
                    let read = read(&file).await;
                    let result = match read.bytes {
                        Ok(bytes) => match String::from_utf8(bytes) {
                            Ok(raw) => import(&app, scope, &raw),
                            Err(_) => Err(app.t().err_undecodable.to_owned()),
                        },
                        Err(e) => Err(e),
                    };
                    status.set(Some(match result {
                        Ok(msg) => Status::Done(format!("{}: {msg}", read.name)),
                        Err(msg) => Status::Failed(format!(
                            "{}: {} {msg}",
                            read.name,
                            app.t().import_failed
                        )),
                    }));
                }
            });
        })
    };

    let row = |label: &'static str, what: &'static str| {
        html! {
            <div class="export__row">
                <span class="export__label">{ label }</span>
                <button type="button" class="button button--small" onclick={action(what, false)}
                    aria-label={format!("{} {}", t.download, label)}>{ t.download }</button>
                <button type="button" class="button button--small" onclick={action(what, true)}
                    aria-label={format!("{} {}", t.copy, label)}>{ t.copy }</button>
            </div>
        }
    };
    let (summary, import_label) = match scope {
        Scope::Article => (t.export, t.import_annotations),
        Scope::Library => (t.export_library, t.import_backup),
    };
    html! {
        <details class="export">
            <summary class="button button--small">{ summary }</summary>
            <div class="export__body">
                { row(t.export_markdown, "md") }
                { row(t.export_jsonld, "jsonld") }
                if scope == Scope::Library {
                    { row(t.export_backup, "backup") }
                }
                <button type="button" class="button button--small export__import" onclick={choose}>{ import_label }</button>
                <input ref={file_input} type="file" class="visually-hidden" accept=".json,.jsonld,application/json,application/ld+json"
                    onchange={on_file} tabindex="-1" aria-hidden="true" />
                { status_view(t, &status) }
            </div>
        </details>
    }
}

fn status_view(_t: &Strings, status: &Option<Status>) -> Html {
    match status {
        None => html! { <div class="export__status" role="status"></div> },
        Some(Status::Done(m)) => {
            html! { <div class="export__status" role="status">{ m.clone() }</div> }
        }
        Some(Status::Failed(m)) => html! {
            <div class="export__status export__status--failed" role="alert">{ m.clone() }</div>
        },
    }
}

/// Everything stored, with the built-in sample's text filled in when it is listed.
fn everything() -> (CurrentData, Vec<String>, Article) {
    let seed = seed_article();
    let loaded = CurrentData::load(&LocalStore::from_window(), &seed);
    (loaded.data, loaded.read_only, seed)
}

/// A file name from a title: letters and digits, dashes between words.
fn file_stem(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "article".to_owned()
    } else {
        words.join("-")
    }
}

/// (file name, MIME type, content) of an export.
fn produce(app: &AppContext, scope: Scope, what: &str) -> (String, &'static str, String) {
    let state = app.state();
    let date = now_iso().get(..10).unwrap_or("today").to_owned();
    match scope {
        Scope::Article => {
            let article = &state.article;
            let stem = file_stem(&article.title);
            let meta = state.library.get(&article.id);
            match what {
                "md" => (
                    format!("{stem}.md"),
                    "text/markdown",
                    to_markdown(article, meta, &state.doc.annotations),
                ),
                _ => (
                    format!("{stem}.annotations.jsonld"),
                    "application/ld+json",
                    pretty(&to_jsonld(article, &state.doc.annotations)),
                ),
            }
        }
        Scope::Library => {
            let (data, _, seed) = everything();
            if what == "backup" {
                return (
                    format!("lectern-backup-{date}.json"),
                    "application/json",
                    to_backup(&data, &now_iso()),
                );
            }
            let mut articles: BTreeMap<String, Article> = data.articles.clone();
            if data.library.get(SEED_ID).is_some() {
                articles.insert(SEED_ID.to_owned(), seed);
            }
            let empty = Vec::new();
            let items: Vec<ArticleExport<'_>> = data
                .library
                .articles
                .iter()
                .filter_map(|m| {
                    Some(ArticleExport {
                        article: articles.get(&m.id)?,
                        meta: Some(m),
                        annotations: data
                            .annotations
                            .get(&m.id)
                            .map_or(&empty, |d| &d.annotations),
                    })
                })
                .collect();
            match what {
                "md" => (
                    format!("lectern-library-{date}.md"),
                    "text/markdown",
                    to_markdown_library(&items),
                ),
                _ => (
                    format!("lectern-library-{date}.annotations.jsonld"),
                    "application/ld+json",
                    pretty(&to_jsonld_library(&items)),
                ),
            }
        }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn problem_text(t: &Strings, p: &ImportProblem) -> String {
    match &p.path {
        Some(path) => format!("{} ({} {path})", p.message, t.at_path),
        None => p.message.clone(),
    }
}

/// Import `raw`: a Lectern backup (merged into storage, all or nothing), or annotations in
/// JSON-LD / Hypothesis form (attached to the open article). Returns the summary to show.
fn import(app: &AppContext, scope: Scope, raw: &str) -> Result<String, String> {
    let t = app.t();
    let is_backup = raw.contains("\"lectern-backup\"");
    if is_backup {
        let backup = parse_backup(raw).map_err(|p| problem_text(t, &p))?;
        let (current, read_only, _) = everything();
        let (merged, report) = merge_backup(&current, &backup);
        if report.is_unchanged() {
            return Ok(format!("{} {}", t.backup_restored, t.nothing_changed));
        }
        let local = LocalStore::from_window();
        save_changes(&local, &current, &merged, &read_only).map_err(|e| e.to_string())?;
        // Show what is now stored: the library, this article's annotations, the settings.
        app.dispatch(Action::LibraryChangedElsewhere(merged.library.clone()));
        let id = app.state().article.id.clone();
        app.dispatch(Action::AnnotationsChangedElsewhere(
            load_annotations(&local, &id).value,
        ));
        app.dispatch(Action::SetSettings(merged.settings));
        return Ok(format!(
            "{} {} {}, {} {}, {} {}.",
            t.backup_restored,
            report.added,
            t.added_n,
            report.updated,
            t.updated_n,
            report.skipped,
            t.skipped_n
        ));
    }
    if scope == Scope::Library {
        // Annotations need an article to attach to; a parse error still says what is wrong.
        parse_jsonld(raw).map_err(|p| problem_text(t, &p))?;
        return Err(t.jsonld_needs_article.to_owned());
    }
    let imported = parse_jsonld(raw).map_err(|p| problem_text(t, &p))?;
    let state = app.state();
    let (annotations, report) = attach(&state.article, imported, random_uuid, &now_iso());
    app.dispatch(Action::ImportAnnotations(annotations));
    Ok(format!(
        "{} {} {}, {} {}, {} {}.",
        t.annotations_imported,
        report.exact,
        t.placed_exactly,
        report.fuzzy,
        t.placed_fuzzily,
        report.orphans,
        t.as_orphans
    ))
}
