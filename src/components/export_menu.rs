//! Export and import: this article's highlights (Markdown, W3C JSON-LD) or the whole library
//! (plus a full backup), as a download or on the clipboard; and importing a backup (merged by
//! id, all or nothing) or annotations from a JSON-LD / Hypothesis file (anchored to the open
//! article). The formats, validation and merging are the core's (`lectern_core::export`).

use lectern_core::effect::{DataScope, Delivery, ExportFormat};
use lectern_core::export::ImportProblem;
use lectern_core::i18n::Strings;
use lectern_core::state::{DataProblem, DataStatus};
use lectern_dom::files::files_of;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::store::use_app;

#[derive(Properties, PartialEq)]
pub struct ExportMenuProps {
    pub scope: DataScope,
}

#[component]
pub fn ExportMenu(props: &ExportMenuProps) -> Html {
    let app = use_app();
    let t = app.t();
    let file_input = use_node_ref();
    let scope = props.scope;

    let action = |format: ExportFormat, delivery: Delivery| {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.export(scope, format, delivery))
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
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let files = files_of(input.files());
            input.set_value("");
            for file in files {
                app.import_data_file(scope, file);
            }
        })
    };

    let row = |label: &'static str, format: ExportFormat| {
        html! {
            <div class="export__row">
                <span class="export__label">{ label }</span>
                <button type="button" class="button button--small" onclick={action(format, Delivery::Download)}
                    aria-label={format!("{} {}", t.download, label)}>{ t.download }</button>
                <button type="button" class="button button--small" onclick={action(format, Delivery::Clipboard)}
                    aria-label={format!("{} {}", t.copy, label)}>{ t.copy }</button>
            </div>
        }
    };
    let (summary, import_label) = match scope {
        DataScope::Article => (t.export, t.import_annotations),
        DataScope::Library => (t.export_library, t.import_backup),
    };
    let status = app
        .state()
        .transfer
        .status
        .as_ref()
        .filter(|(s, _)| *s == scope)
        .map(|(_, st)| st);
    html! {
        <details class="export">
            <summary class="button button--small">{ summary }</summary>
            <div class="export__body">
                { row(t.export_markdown, ExportFormat::Markdown) }
                { row(t.export_jsonld, ExportFormat::JsonLd) }
                if scope == DataScope::Library {
                    { row(t.export_backup, ExportFormat::Backup) }
                }
                // --- issue 18 ---
                if scope == DataScope::Article {
                    <crate::components::publish_row::PublishRow />
                }
                <button type="button" class="button button--small export__import" onclick={choose}>{ import_label }</button>
                <input ref={file_input} type="file" class="visually-hidden" accept=".json,.jsonld,application/json,application/ld+json"
                    onchange={on_file} tabindex="-1" aria-hidden="true" />
                { status_view(t, status) }
            </div>
        </details>
    }
}

fn status_view(t: &Strings, status: Option<&DataStatus>) -> Html {
    let (text, failed) = match status {
        None | Some(DataStatus::Working { .. }) => (String::new(), false),
        Some(DataStatus::Restored { name, report }) => {
            let what = if report.is_unchanged() {
                t.nothing_changed.to_owned()
            } else {
                format!(
                    "{} {}, {} {}, {} {}.",
                    report.added,
                    t.added_n,
                    report.updated,
                    t.updated_n,
                    report.skipped,
                    t.skipped_n
                )
            };
            (format!("{name}: {} {what}", t.backup_restored), false)
        }
        Some(DataStatus::AnnotationsImported { name, report }) => (
            format!(
                "{name}: {} {} {}, {} {}, {} {}.",
                t.annotations_imported,
                report.exact,
                t.placed_exactly,
                report.fuzzy,
                t.placed_fuzzily,
                report.orphans,
                t.as_orphans
            ),
            false,
        ),
        Some(DataStatus::Failed { name, why }) => (
            format!("{name}: {} {}", t.import_failed, problem_text(t, why)),
            true,
        ),
    };
    if failed {
        html! { <div class="export__status export__status--failed" role="alert">{ text }</div> }
    } else {
        html! { <div class="export__status" role="status">{ text }</div> }
    }
}

fn problem_text(t: &Strings, why: &DataProblem) -> String {
    match why {
        DataProblem::Invalid(p) => invalid_text(t, p),
        DataProblem::NeedsArticle => t.jsonld_needs_article.to_owned(),
        DataProblem::Undecodable => t.err_undecodable.to_owned(),
        DataProblem::NotSaved(why) => why.clone(),
    }
}

fn invalid_text(t: &Strings, p: &ImportProblem) -> String {
    match &p.path {
        Some(path) => format!("{} ({} {path})", p.message, t.at_path),
        None => p.message.clone(),
    }
}
