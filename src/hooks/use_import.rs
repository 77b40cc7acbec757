//! Importing articles: files from the chooser or dropped on the window, and pasted text.
//! The core decides what a file is and turns it into an article; this stores it (content
//! first, then the list entry, so a full quota leaves nothing half-written) and reports each
//! file's outcome.

use gloo::events::{EventListener, EventListenerOptions};
use lectern_core::import::{ImportError, MAX_IMPORT_BYTES};
use lectern_core::library::{self, ArticleMeta};
use lectern_core::state::{Action, View};
use lectern_dom::env::{now_iso, random_uuid};
use lectern_dom::files::{files_of, read};
use lectern_dom::import_worker;
use lectern_dom::local_store::LocalStore;
use lectern_dom::selection::is_text_field;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::store::{AppContext, ImportLine, ImportOutcome};

/// Import `files`, one after another, and report each.
pub fn import_files(ctx: &AppContext, files: Vec<web_sys::File>) {
    if files.is_empty() {
        return;
    }
    let ctx = ctx.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut report = Vec::new();
        let mut library = ctx.state().library.clone();
        for file in files {
            let name = file.name();
            let size = file.size() as usize;
            let outcome = if size > MAX_IMPORT_BYTES {
                ImportOutcome::Failed(ImportError::TooLarge {
                    bytes: size,
                    limit: MAX_IMPORT_BYTES,
                })
            } else {
                let read = read(&file).await;
                match read.bytes {
                    Err(e) => ImportOutcome::NotSaved(e),
                    Ok(bytes) => {
                        let id = random_uuid();
                        match import_worker::import_file(&id, &name, &bytes).await {
                            Ok(Ok(article)) => {
                                store(&ctx, &mut library, article, Some(name.clone()))
                            }
                            Ok(Err(e)) => ImportOutcome::Failed(e),
                            Err(e) => ImportOutcome::NotSaved(e),
                        }
                    }
                }
            };
            report.push(ImportLine { name, outcome });
        }
        finish(&ctx, report);
    });
}

/// Import pasted text.
pub fn import_pasted(ctx: &AppContext, text: &str) {
    let ctx = ctx.clone();
    let text = text.to_owned();
    wasm_bindgen_futures::spawn_local(async move {
        let mut library = ctx.state().library.clone();
        let id = random_uuid();
        let name = ctx.t().pasted_text.to_owned();
        let outcome = match import_worker::import_text(&id, &text).await {
            Ok(Ok(article)) => store(&ctx, &mut library, article, None),
            Ok(Err(e)) => ImportOutcome::Failed(e),
            Err(e) => ImportOutcome::NotSaved(e),
        };
        finish(&ctx, vec![ImportLine { name, outcome }]);
    });
}

fn store(
    ctx: &AppContext,
    library: &mut library::LibraryDoc,
    article: lectern_core::article::Article,
    file_name: Option<String>,
) -> ImportOutcome {
    if let Some(existing) = library.same_content(&article) {
        return ImportOutcome::Duplicate {
            id: existing.id.clone(),
            title: existing.title.clone(),
        };
    }
    let local = LocalStore::from_window();
    if let Err(e) = library::save_article(&local, &article) {
        return ImportOutcome::NotSaved(e.to_string());
    }
    let meta = ArticleMeta::of(&article, &now_iso(), file_name);
    library.articles.insert(0, meta.clone());
    ctx.dispatch(Action::AddToLibrary(meta));
    ImportOutcome::Added {
        id: article.id.clone(),
        title: article.title.clone(),
    }
}

fn finish(ctx: &AppContext, report: Vec<ImportLine>) {
    // One file added: open it. Several, or any problem: show the library with the report.
    let added: Vec<&str> = report
        .iter()
        .filter_map(|l| match &l.outcome {
            ImportOutcome::Added { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let open_one = report.len() == 1 && added.len() == 1;
    let target = if open_one {
        format!("#/a/{}", added[0])
    } else {
        "#/".to_owned()
    };
    ctx.set_ui(move |ui| {
        ui.import_report = report;
        ui.dragging = false;
    });
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&target);
    }
}

/// Files dropped anywhere on the window are imported; Ctrl+V on the library imports the
/// clipboard's text.
#[hook]
pub fn use_drop_import(ctx: &AppContext) {
    let ctx = ctx.clone();
    let view = ctx.state().view;
    use_effect_with((ctx, view), |(ctx, view)| {
        let mut listeners = Vec::new();
        if let Some(w) = web_sys::window() {
            let opts = EventListenerOptions::enable_prevent_default();
            let c = ctx.clone();
            listeners.push(EventListener::new_with_options(
                &w,
                "dragover",
                opts,
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::DragEvent>() else {
                        return;
                    };
                    let has_files = e.data_transfer().is_some_and(|dt| {
                        dt.types()
                            .iter()
                            .any(|t| t.as_string().as_deref() == Some("Files"))
                    });
                    if has_files {
                        e.prevent_default();
                        if !c.ui().dragging {
                            c.set_ui(|ui| ui.dragging = true);
                        }
                    }
                },
            ));
            let c = ctx.clone();
            listeners.push(EventListener::new_with_options(
                &w,
                "dragleave",
                opts,
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::DragEvent>() else {
                        return;
                    };
                    // Leaving the window (not moving between elements).
                    if e.related_target().is_none() {
                        c.set_ui(|ui| ui.dragging = false);
                    }
                },
            ));
            let c = ctx.clone();
            listeners.push(EventListener::new_with_options(
                &w,
                "drop",
                opts,
                move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::DragEvent>() else {
                        return;
                    };
                    let files = files_of(e.data_transfer().and_then(|dt| dt.files()));
                    if !files.is_empty() {
                        e.prevent_default();
                        import_files(&c, files);
                    } else {
                        c.set_ui(|ui| ui.dragging = false);
                    }
                },
            ));
            if *view == View::Library {
                if let Some(d) = w.document() {
                    let c = ctx.clone();
                    listeners.push(EventListener::new_with_options(
                        &d,
                        "paste",
                        opts,
                        move |e| {
                            if is_text_field(e.target()) {
                                return;
                            }
                            let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                                return;
                            };
                            let dt = e.clipboard_data();
                            let files = files_of(dt.as_ref().and_then(|d| d.files()));
                            if !files.is_empty() {
                                e.prevent_default();
                                import_files(&c, files);
                            } else if let Some(text) =
                                dt.and_then(|d| d.get_data("text/plain").ok())
                            {
                                if !text.trim().is_empty() {
                                    e.prevent_default();
                                    import_pasted(&c, &text);
                                }
                            }
                        },
                    ));
                }
            }
        }
        move || drop(listeners)
    });
}
