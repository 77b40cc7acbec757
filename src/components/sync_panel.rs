//! Settings → Sync (issue 17): the server, database, user, how to sign in, encryption; Test
//! connection, Save and sync, Sync now, on/off, Forget; what is stored where; what the last
//! round did and, for a problem, what to do. Every button dispatches an action: the runner
//! talks to the server.

use lectern_core::i18n::Lang;
use lectern_core::state::sync::{Check, Status};
use lectern_core::state::Action;
use lectern_core::sync::config::{Auth, ConfigProblem, Secret, SyncConfig};
use lectern_core::sync::SyncProblem;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::store::use_app;

#[derive(Properties, PartialEq)]
pub struct SyncPanelProps {
    pub onclose: Callback<()>,
}

/// The form's values.
struct Form {
    server: String,
    database: String,
    user: String,
    auth: Auth,
    password: String,
    encrypt: bool,
    passphrase: String,
}

/// This page's origin (what a server's CORS settings must allow).
fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// A problem as two lines: what happened, what to do.
pub fn problem_view(lang: Lang, p: &SyncProblem) -> Html {
    let (what, todo) = lang.sync_problem(p, &page_origin());
    html! {
        <div class="sync-problem" role="alert">
            <p class="sync-problem__what">{ what }</p>
            <p class="sync-problem__todo"><strong>{ lang.sync().what_to_do }</strong>{" "}{ todo }</p>
        </div>
    }
}

#[component]
pub fn SyncPanel(props: &SyncPanelProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let t = lang.sync();
    let sync = &app.state().sync;
    let current = sync.config.clone();
    // The form's fields, kept as they are typed (a re-render, such as ticking "Encrypt",
    // keeps them).
    let server = use_state(|| {
        current
            .as_ref()
            .map(|c| c.server.clone())
            .unwrap_or_default()
    });
    let database = use_state(|| {
        current
            .as_ref()
            .map_or_else(|| "lectern".to_owned(), |c| c.database.clone())
    });
    let user = use_state(|| current.as_ref().map(|c| c.user.clone()).unwrap_or_default());
    let password = use_state(String::new);
    let passphrase = use_state(String::new);
    let encrypting = use_state(|| current.as_ref().is_some_and(|c| c.encrypt));
    let cookie_auth = use_state(|| current.as_ref().is_some_and(|c| c.auth == Auth::Cookie));

    let read = {
        let (server, database, user, password, passphrase) = (
            server.clone(),
            database.clone(),
            user.clone(),
            password.clone(),
            passphrase.clone(),
        );
        let (encrypting, cookie_auth) = (encrypting.clone(), cookie_auth.clone());
        move || Form {
            server: (*server).clone(),
            database: (*database).clone(),
            user: (*user).clone(),
            auth: if *cookie_auth {
                Auth::Cookie
            } else {
                Auth::Password
            },
            password: (*password).clone(),
            encrypt: *encrypting,
            passphrase: (*passphrase).clone(),
        }
    };
    // The configuration the form says, or why it cannot be used (shown beside the form).
    let config_of = {
        let app = app.clone();
        move |f: &Form| -> Result<SyncConfig, ConfigProblem> {
            let kept = app.state().sync.has_passphrase && f.passphrase.is_empty();
            let pp = if kept { "kept" } else { f.passphrase.as_str() };
            SyncConfig::new(&f.server, &f.database, &f.user, f.auth, f.encrypt, pp)
        }
    };
    let secret = |s: &str| (!s.is_empty()).then(|| Secret(s.to_owned()));

    let onsubmit = {
        let (app, read, config_of) = (app.clone(), read.clone(), config_of.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = read();
            match config_of(&f) {
                Err(p) => app.dispatch(Action::SyncFormProblem(p)),
                Ok(config) => {
                    let cookie = config.auth == Auth::Cookie;
                    app.dispatch(Action::SyncSave {
                        config: config.clone(),
                        // A session cookie keeps no password.
                        password: if cookie {
                            Some(Secret::default())
                        } else {
                            secret(&f.password)
                        },
                        passphrase: if f.encrypt {
                            secret(&f.passphrase)
                        } else {
                            Some(Secret::default())
                        },
                    });
                    if cookie && !f.password.is_empty() {
                        app.dispatch(Action::SyncSignIn {
                            config,
                            password: Secret(f.password),
                        });
                    }
                }
            }
        })
    };
    let test = {
        let (app, read, config_of) = (app.clone(), read.clone(), config_of.clone());
        Callback::from(move |_: MouseEvent| {
            let f = read();
            match config_of(&f) {
                Err(p) => app.dispatch(Action::SyncFormProblem(p)),
                Ok(config) => app.dispatch(Action::SyncTest {
                    config,
                    password: Secret(f.password),
                    passphrase: Secret(if f.encrypt {
                        f.passphrase
                    } else {
                        String::new()
                    }),
                }),
            }
        })
    };
    let create = {
        let (app, read, config_of) = (app.clone(), read.clone(), config_of.clone());
        Callback::from(move |_: MouseEvent| {
            let f = read();
            if let Ok(config) = config_of(&f) {
                app.dispatch(Action::SyncCreateDatabase {
                    config,
                    password: Secret(f.password),
                });
            }
        })
    };
    let sign_in = {
        let (app, read, config_of) = (app.clone(), read.clone(), config_of.clone());
        Callback::from(move |_: MouseEvent| {
            let f = read();
            if let Ok(config) = config_of(&f) {
                app.dispatch(Action::SyncSignIn {
                    config,
                    password: Secret(f.password),
                });
            }
        })
    };
    let now = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::SyncNow))
    };
    let turn = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            app.dispatch(Action::SyncTurn(on));
        })
    };
    let forget = {
        let app = app.clone();
        Callback::from(move |_: MouseEvent| app.dispatch(Action::SyncForget))
    };
    let on_encrypt = {
        let encrypting = encrypting.clone();
        Callback::from(move |e: Event| {
            encrypting.set(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    let on_auth = |cookie: bool| {
        let cookie_auth = cookie_auth.clone();
        Callback::from(move |_: Event| cookie_auth.set(cookie))
    };
    let onkeydown = {
        let onclose = props.onclose.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                onclose.emit(());
            }
        })
    };
    let close = {
        let onclose = props.onclose.clone();
        Callback::from(move |_: MouseEvent| onclose.emit(()))
    };

    let c = current.as_ref();
    let field = |id: &'static str,
                 label: &str,
                 state: &UseStateHandle<String>,
                 kind: &'static str,
                 hint: Option<&str>,
                 autocomplete: &'static str| {
        let hint_id = format!("{id}-hint");
        let oninput = {
            let state = state.clone();
            Callback::from(move |e: InputEvent| {
                state.set(e.target_unchecked_into::<HtmlInputElement>().value())
            })
        };
        html! {
            <div class="field sync-field">
                <label for={id}>{ label.to_owned() }</label>
                <input {id} type={kind} value={(**state).clone()} {oninput} autocomplete={autocomplete} spellcheck="false"
                    aria-describedby={hint.map(|_| hint_id.clone())} />
                if let Some(h) = hint {
                    <p class="sync-field__hint" id={hint_id}>{ h.to_owned() }</p>
                }
            </div>
        }
    };
    let status_line = match sync.status() {
        Status::Off => t.status_off.to_owned(),
        Status::ElsewhereTab => t.status_elsewhere.to_owned(),
        Status::Syncing => t.status_syncing.to_owned(),
        Status::Synced { refused: 0 } => t.status_synced.to_owned(),
        Status::Synced { refused } => {
            format!("{} · {}", t.status_synced, lang.sync_refused(refused))
        }
        Status::Offline { pending } => lang.sync_offline(pending),
        Status::Error { pending: 0, .. } => t.status_error.to_owned(),
        Status::Error { pending, .. } => {
            format!("{} · {}", t.status_error, lang.sync_waiting(pending))
        }
    };
    let check = match &sync.check {
        None => html! {},
        Some(Check::Testing) => html! { <p class="sync-check">{ t.testing }</p> },
        Some(Check::Creating) => html! { <p class="sync-check">{ t.creating }</p> },
        Some(Check::SigningIn) => html! { <p class="sync-check">{ t.signing_in }</p> },
        Some(Check::Tested(Ok(r))) => html! {
            <p class="sync-check sync-check--ok">{ lang.sync_tested(r.server.as_deref(), r.doc_count, r.encrypted) }</p>
        },
        Some(Check::Created(Ok(()))) => {
            html! { <p class="sync-check sync-check--ok">{ t.created }</p> }
        }
        Some(Check::SignedIn(Ok(()))) => {
            html! { <p class="sync-check sync-check--ok">{ t.signed_in }</p> }
        }
        Some(Check::Tested(Err(p)) | Check::Created(Err(p)) | Check::SignedIn(Err(p))) => html! {
            <div class="sync-check">
                { problem_view(lang, p) }
                if matches!(p, SyncProblem::NoDatabase { .. }) {
                    <button type="button" class="button button--small" onclick={create.clone()}>{ t.create_db }</button>
                }
            </div>
        },
    };
    let refusals = |title: &str, list: Vec<(String, String)>| {
        if list.is_empty() {
            return html! {};
        }
        html! {
            <div class="sync-refused">
                <p>{ title.to_owned() }</p>
                <ul>{ for list.into_iter().map(|(id, why)| html! { <li><code>{ id }</code>{ ": " }{ why }</li> }) }</ul>
            </div>
        }
    };

    html! {
        <section id="sync-panel" class="settings sync-panel" aria-labelledby="sync-title" {onkeydown}>
            <div class="settings__head">
                <h2 class="settings__title" id="sync-title">{ t.title }</h2>
                <button type="button" class="icon-button icon-button--small" onclick={close} aria-label={app.t().close} title={app.t().close}>
                    <span aria-hidden="true">{"×"}</span>
                </button>
            </div>
            <p class="sync-panel__intro">{ t.intro }</p>
            if let Some(cfg) = c {
                <div class="sync-panel__state">
                    <p class="sync-panel__status" data-sync-status-text="">{ status_line }</p>
                    if let Some(p) = sync.problem.as_ref().filter(|_| sync.running.is_none()) {
                        { problem_view(lang, p) }
                    }
                    if let Some(last) = &sync.last {
                        <p class="sync-panel__last">{ lang.sync_counts(last.pulled, last.pushed, last.resolved) }</p>
                        { refusals(t.refused_title, last.refused.iter().map(|r| (r.id.clone(), r.why.clone())).collect()) }
                        { refusals(t.rejected_title, last.rejected.iter().map(|r| (r.id.clone(), r.why.clone())).collect()) }
                        { refusals(t.newer_title, last.newer.iter().map(|id| (id.clone(), String::new())).collect()) }
                    }
                    <div class="sync-panel__actions">
                        <label class="sync-switch">
                            <input type="checkbox" id="sync-on" checked={cfg.enabled} onchange={turn} />
                            { t.on }
                        </label>
                        <button type="button" class="button button--small" onclick={now} disabled={!cfg.enabled}>{ t.now }</button>
                    </div>
                </div>
            }
            <form class="sync-form" {onsubmit} novalidate=true>
                { field("sync-server", t.server, &server, "url", Some(t.server_hint), "url") }
                { field("sync-database", t.database, &database, "text", None, "off") }
                { field("sync-user", t.user, &user, "text", None, "username") }
                <fieldset class="sync-auth">
                    <legend>{ t.sign_in_with }</legend>
                    <label><input type="radio" name="sync-auth" id="sync-auth-password" checked={!*cookie_auth} onchange={on_auth(false)} />{ t.auth_password }</label>
                    <label><input type="radio" name="sync-auth" id="sync-auth-cookie" checked={*cookie_auth} onchange={on_auth(true)} />{ t.auth_cookie }</label>
                </fieldset>
                { field("sync-password", t.password, &password, "password",
                    (sync.has_password && !*cookie_auth).then_some(t.password_kept), "current-password") }
                <div class="field sync-field sync-field--check">
                    <label><input type="checkbox" id="sync-encrypt" checked={*encrypting} onchange={on_encrypt} />{ t.encrypt }</label>
                    <p class="sync-field__hint">{ t.encrypt_hint }</p>
                </div>
                if *encrypting {
                    { field("sync-passphrase", t.passphrase, &passphrase, "password",
                        sync.has_passphrase.then_some(t.passphrase_kept), "new-password") }
                }
                if let Some(p) = sync.form_problem {
                    <p class="sync-form__problem" role="alert">{ lang.sync_config_problem(p) }</p>
                }
                <div class="sync-panel__actions">
                    <button type="submit" class="button button--primary">{ t.save }</button>
                    <button type="button" class="button" onclick={test}>{ t.test }</button>
                    if *cookie_auth {
                        <button type="button" class="button" onclick={sign_in}>{ t.sign_in }</button>
                    }
                </div>
                { check }
            </form>
            <details class="sync-where">
                <summary>{ t.where_title }</summary>
                <p>{ t.where_device }{" "}<strong>{ t.where_never }</strong></p>
                <p>{ t.where_server }{" "}{ t.where_server_encrypted }</p>
                <p>{ t.not_done }</p>
                <p>{ t.where_forget }</p>
            </details>
            if c.is_some() {
                <button type="button" class="button button--quiet button--small sync-forget" onclick={forget}>{ t.forget }</button>
            }
        </section>
    }
}
