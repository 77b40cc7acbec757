//! Messages about storage the user should know of, until dismissed.

use lectern_core::i18n::Lang;
use lectern_core::state::{Action, Subject};
use lectern_core::storage::{Problem, StoreError};
use yew::prelude::*;

use crate::store::use_app;

#[component]
pub fn Notices() -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.lang();
    let notices = &app.state().notices.list;
    if notices.is_empty() {
        return html! {};
    }
    html! {
        <div class="notices">
            { for notices.iter().map(|n| {
                let id = n.id;
                let export = {
                    let app = app.clone();
                    Callback::from(move |_: MouseEvent| app.dispatch(Action::DownloadAnnotations))
                };
                let offer_export = n.subject == Subject::Annotations && matches!(n.problem, Problem::WriteFailed { .. });
                let dismiss = {
                    let app = app.clone();
                    Callback::from(move |_: MouseEvent| app.dispatch(Action::DismissNotice(id)))
                };
                html! {
                    <div class="notice" role="alert" data-notice={kind(&n.problem)} data-subject={subject(n.subject)}>
                        <p class="notice__text">{ message(lang, n.subject, &n.problem) }</p>
                        <div class="notice__actions">
                            if offer_export {
                                <button type="button" class="button" onclick={export}>{ t.download_backup }</button>
                            }
                            <button type="button" class="button button--quiet" onclick={dismiss}>{ t.dismiss }</button>
                        </div>
                    </div>
                }
            }) }
        </div>
    }
}

fn kind(p: &Problem) -> &'static str {
    match p {
        Problem::Unavailable { .. } => "unavailable",
        Problem::Corrupt { .. } => "corrupt",
        Problem::NewerVersion { .. } => "newer",
        Problem::WriteFailed { .. } => "write-failed",
        Problem::Rebuilt { .. } => "rebuilt",
        Problem::RestoreUndone => "restore-undone",
        Problem::ContentInLocalStorage { .. } => "content-local",
        Problem::NoteTooLong { .. } => "note-too-long",
    }
}

fn subject(s: Subject) -> &'static str {
    match s {
        Subject::Settings => "settings",
        Subject::Annotations => "annotations",
        Subject::Library => "library",
        Subject::Article => "article",
    }
}

/// A list rebuilt from what else is stored (the library).
fn rebuilt(lang: Lang, backup_key: &str, found: usize) -> Html {
    html! {
        <>{ lang.library_rebuilt(found) }{" "}<code>{ backup_key.to_owned() }</code>{"."}</>
    }
}

fn message(lang: Lang, subject: Subject, p: &Problem) -> Html {
    let t = lang.strings();
    match p {
        Problem::Rebuilt {
            backup_key, found, ..
        } => return rebuilt(lang, backup_key, *found),
        Problem::RestoreUndone => return html! { t.restore_undone },
        Problem::ContentInLocalStorage { why } => return content_local(lang, why),
        Problem::NoteTooLong { bytes, limit } => {
            return html! { lang.note_too_long(*bytes, *limit) }
        }
        _ => {}
    }
    if subject == Subject::Library {
        return match p {
            Problem::Corrupt {
                backup_key: Some(k),
                ..
            } => html! {
                <>{ t.library_corrupt }{" "}<code>{ k.clone() }</code>{"."}</>
            },
            Problem::NewerVersion { .. } => html! { t.library_newer },
            Problem::WriteFailed {
                error: StoreError::QuotaExceeded { .. },
                ..
            } => html! {
                <>{ t.library_save_failed }{" "}{ t.storage_full }</>
            },
            Problem::WriteFailed { error, .. } => {
                html! { <>{ t.library_save_failed }{" "}{ error.to_string() }</> }
            }
            Problem::Unavailable { .. } => html! { t.storage_unavailable },
            Problem::Corrupt {
                backup_key: None, ..
            } => html! { t.article_missing },
            Problem::Rebuilt {
                backup_key, found, ..
            } => rebuilt(lang, backup_key, *found),
            Problem::RestoreUndone => html! { t.restore_undone },
            Problem::ContentInLocalStorage { why } => content_local(lang, why),
            Problem::NoteTooLong { bytes, limit } => html! { lang.note_too_long(*bytes, *limit) },
        };
    }
    if subject == Subject::Article {
        return match p {
            Problem::Corrupt {
                backup_key: Some(k),
                ..
            } => html! {
                <>{ t.article_corrupt }{" "}<code>{ k.clone() }</code>{"."}</>
            },
            _ => html! { t.article_missing },
        };
    }
    if subject == Subject::Annotations {
        return match p {
            Problem::Unavailable { .. } => html! { t.storage_unavailable },
            Problem::Corrupt {
                backup_key: Some(k),
                ..
            } => html! {
                <>{ t.annotations_corrupt }{" "}<code>{ k.clone() }</code>{"."}</>
            },
            Problem::Corrupt {
                backup_key: None, ..
            } => html! { t.annotations_lost },
            Problem::NewerVersion { .. } => html! { t.annotations_newer },
            Problem::WriteFailed {
                error: StoreError::QuotaExceeded { .. },
                ..
            } => html! {
                <>{ t.annotations_save_failed }{" "}{ t.storage_full }{" "}{ t.kept_in_memory }</>
            },
            Problem::WriteFailed { error, .. } => html! {
                <>{ t.annotations_save_failed }{" "}{ error.to_string() }{" "}{ t.kept_in_memory }</>
            },
            Problem::Rebuilt {
                backup_key, found, ..
            } => rebuilt(lang, backup_key, *found),
            Problem::RestoreUndone => html! { t.restore_undone },
            Problem::ContentInLocalStorage { why } => content_local(lang, why),
            Problem::NoteTooLong { bytes, limit } => html! { lang.note_too_long(*bytes, *limit) },
        };
    }
    match p {
        Problem::Unavailable { .. } => html! { t.storage_unavailable },
        Problem::Corrupt {
            backup_key: Some(k),
            ..
        } => html! {
            <>{ t.settings_corrupt }{" "}<code>{ k.clone() }</code>{"."}</>
        },
        Problem::Corrupt {
            backup_key: None, ..
        } => html! { t.settings_lost },
        Problem::NewerVersion { .. } => html! { t.settings_newer },
        Problem::WriteFailed {
            error: StoreError::QuotaExceeded { .. },
            ..
        } => html! {
            <>{ t.save_failed }{" "}{ t.storage_full }</>
        },
        Problem::WriteFailed { error, .. } => html! {
            <>{ t.save_failed }{" "}{ error.to_string() }</>
        },
        Problem::Rebuilt {
            backup_key, found, ..
        } => rebuilt(lang, backup_key, *found),
        Problem::RestoreUndone => html! { t.restore_undone },
        Problem::ContentInLocalStorage { why } => content_local(lang, why),
        Problem::NoteTooLong { bytes, limit } => html! { lang.note_too_long(*bytes, *limit) },
    }
}

/// Article texts stay in localStorage (no usable IndexedDB), and the browser's reason.
fn content_local(lang: Lang, why: &str) -> Html {
    html! { <>{ lang.strings().content_local }{" "}{ why.to_owned() }</> }
}
