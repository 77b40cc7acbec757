//! The runner's sync arms (issue 17): HTTP with the browser's `fetch`, the encryption with
//! WebCrypto, one syncing tab with Web Locks, and the live feed. Every decision — what to
//! request, what an answer means, what is written locally — is the core's
//! ([`lectern_core::sync::round::Round`]); this carries out its needs and reports outcomes as
//! actions.
//!
//! HTTP goes through `web_sys` `fetch` directly (no `gloo-net`): the round needs an
//! `AbortController` (timeouts, stopping the live feed) and the credentials mode per request,
//! and the answer as text — a few lines each with `web_sys`, and no new dependency in the
//! app's wasm.
//!
//! A request that fails without an answer is told apart: the browser offline
//! (`navigator.onLine`), a timeout, or — by a second, `no-cors` request to the server's origin
//! and a third in CORS mode with the same headers — a server that answers but whose CORS
//! settings refuse this page, from a connection cut mid-request, from one that does not
//! answer at all.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Array, Uint8Array};
use lectern_core::effect::Effect;
use lectern_core::state::Action;
use lectern_core::sync::config::{self, Secret, SyncConfig, SyncSecrets};
use lectern_core::sync::crypto;
use lectern_core::sync::docs::Sealed;
use lectern_core::sync::local::{count_pending, Scope};
use lectern_core::sync::memo::Memo;
use lectern_core::sync::round::{
    self, CryptoError, HttpRequest, HttpResponse, Input, Need, NetError, Purpose, Round, RoundOpts,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::Runner;
use crate::env::{now_iso, random_bytes};

/// What the runner keeps for sync between effects.
#[derive(Default)]
pub(super) struct SyncRuntime {
    /// Aborts the live feed's request.
    watch: RefCell<Option<web_sys::AbortController>>,
    /// The key derived for (passphrase, salt, iterations): derived once per session.
    key: RefCell<Option<(String, web_sys::CryptoKey)>>,
    /// The sync lock has been asked for.
    locking: Cell<bool>,
}

impl Runner {
    /// Carry out a sync effect.
    pub(super) fn run_sync(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::SyncLoad => {
                let loaded = config::load_config(&*self.store).value;
                let secrets = config::load_secrets(&*self.store);
                let wants_lock = loaded.as_ref().is_some_and(|c| c.enabled);
                self.report(Action::SyncLoaded {
                    config: loaded,
                    has_password: !secrets.password.is_empty(),
                    has_passphrase: !secrets.passphrase.is_empty(),
                });
                if wants_lock {
                    self.ask_lock();
                }
            }
            Effect::SyncSaveConfig {
                config: cfg,
                password,
                passphrase,
            } => {
                let outcome = self.save_sync_config(cfg.as_ref(), password, passphrase);
                if let Err(why) = outcome {
                    self.report(Action::SyncSaveFailed(why));
                } else if cfg.is_some_and(|c| c.enabled) {
                    self.ask_lock();
                }
            }
            Effect::SyncRound {
                run,
                config: cfg,
                first,
                scope,
            } => {
                // What this tab queued is written first: the round reads storage.
                self.flush();
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let secrets = config::load_secrets(&*me.store);
                    let opts = RoundOpts::sync(first, scope, &now_iso(), random32());
                    let result = me.drive(&cfg, &secrets, opts).await;
                    let pending = if result.is_err() {
                        me.count(&cfg).await
                    } else {
                        0
                    };
                    me.report(Action::SyncRoundDone {
                        run,
                        result,
                        pending,
                        jitter: js_sys::Math::random(),
                        now: now_iso(),
                    });
                });
            }
            Effect::SyncWatch {
                run,
                config: cfg,
                since,
            } => {
                let controller = web_sys::AbortController::new().ok();
                if let Some(old) = self.sync.watch.replace(controller.clone()) {
                    old.abort();
                }
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let secrets = config::load_secrets(&*me.store);
                    let req = round::longpoll_request(&cfg, &secrets, &since);
                    let answer = send(&req, controller.as_ref()).await;
                    if answer == Err(NetError::Aborted) {
                        return; // stopped on purpose
                    }
                    me.report(Action::SyncWatched {
                        run,
                        result: round::longpoll_result(&cfg, answer),
                        jitter: js_sys::Math::random(),
                    });
                });
            }
            Effect::SyncStopWatch => {
                if let Some(c) = self.sync.watch.take() {
                    c.abort();
                }
            }
            Effect::SyncCountPending { config: cfg, scope } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let n = if scope == Scope::All {
                        me.count(&cfg).await
                    } else {
                        let memo = Memo::load(&*me.store);
                        let view = me.contents.text_view(&*me.store).await;
                        count_pending(&view, &memo, &scope)
                    };
                    me.report(Action::SyncPendingCounted(n));
                });
            }
            Effect::SyncTest {
                config: cfg,
                password,
                passphrase,
            } => {
                let secrets = lectern_core::state::sync::secrets_from_form(
                    &password.0,
                    &passphrase.0,
                    &config::load_secrets(&*self.store),
                );
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let opts = RoundOpts {
                        purpose: Purpose::Test,
                        ..RoundOpts::sync(true, Scope::All, &now_iso(), random32())
                    };
                    let result = me.drive(&cfg, &secrets, opts).await;
                    me.report(Action::SyncTested(result));
                });
            }
            Effect::SyncCreateDatabase {
                config: cfg,
                password,
            } => {
                let secrets = lectern_core::state::sync::secrets_from_form(
                    &password.0,
                    "",
                    &config::load_secrets(&*self.store),
                );
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let req = round::create_db_request(&cfg, &secrets);
                    let answer = send(&req, None).await;
                    me.report(Action::SyncDatabaseCreated(round::create_db_result(
                        &cfg, answer,
                    )));
                });
            }
            Effect::SyncSignIn {
                config: cfg,
                password,
            } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let req = round::sign_in_request(&cfg, &password.0);
                    let answer = send(&req, None).await;
                    me.report(Action::SyncSignedIn(round::sign_in_result(&cfg, answer)));
                });
            }
            other => {
                web_sys::console::error_1(&format!("not a sync effect: {other:?}").into());
            }
        }
    }

    /// Write Settings → Sync and the secrets (`None` keeps a stored one; empty removes it).
    fn save_sync_config(
        &self,
        cfg: Option<&SyncConfig>,
        password: Option<Secret>,
        passphrase: Option<Secret>,
    ) -> Result<(), String> {
        let store = &*self.store;
        let Some(cfg) = cfg else {
            self.sync.key.take();
            return config::forget(store).map_err(|e| e.to_string());
        };
        config::save_config(store, cfg).map_err(|e| e.to_string())?;
        let mut secrets = config::load_secrets(store);
        if let Some(p) = password {
            secrets.password = p.0;
        }
        if let Some(p) = passphrase {
            secrets.passphrase = p.0;
            self.sync.key.take();
        }
        if cfg.auth == config::Auth::Cookie {
            secrets.password.clear();
        }
        config::save_secrets(store, &secrets).map_err(|e| e.to_string())
    }

    /// Local changes waiting for `cfg`'s server (all of them if this device remembers
    /// another).
    async fn count(&self, cfg: &SyncConfig) -> usize {
        let memo = Memo::load(&*self.store);
        let memo = if memo.peer == cfg.peer() {
            memo
        } else {
            Memo::default()
        };
        let view = self.contents.text_view(&*self.store).await;
        count_pending(&view, &memo, &Scope::All)
    }

    /// Run a round to its end, carrying out what it needs.
    async fn drive(
        &self,
        cfg: &SyncConfig,
        secrets: &SyncSecrets,
        opts: RoundOpts,
    ) -> Result<round::RoundReport, lectern_core::sync::SyncProblem> {
        // Article texts live in IndexedDB: the round reads and writes them through a view
        // that holds them all, and what it writes is stored there after each step.
        let view = self.contents.text_view(&*self.store).await;
        let store: &dyn lectern_core::storage::KeyValueStore = &view;
        let mut round = Round::new(store, cfg, secrets, opts);
        let mut input = Input::Start;
        loop {
            let need = round.step(store, input);
            let written = view.take_written();
            if !written.is_empty() {
                if let Err(e) = self.contents.put(&*self.store, &written).await {
                    web_sys::console::error_1(
                        &format!("sync: article texts could not be stored: {e}").into(),
                    );
                }
            }
            input = match need {
                Need::Http(req) => Input::Http(send(&req, None).await),
                Need::Unlock {
                    salt,
                    iterations,
                    check,
                } => Input::Unlocked(
                    self.unlock(&secrets.passphrase, &salt, iterations, &check)
                        .await,
                ),
                Need::NewKey { salt, iterations } => Input::KeyMade(
                    match self.key(&secrets.passphrase, &salt, iterations).await {
                        Ok(key) => seal(&key, "crypto", crypto::CHECK_PLAINTEXT).await,
                        Err(e) => Err(e),
                    },
                ),
                Need::Seal(items) => Input::Sealed(self.seal_all(items).await),
                Need::Open(items) => Input::Opened(self.open_all(items).await),
                Need::Done(result) => return result,
            };
        }
    }

    /// The key for (passphrase, salt, iterations), derived once.
    async fn key(
        &self,
        passphrase: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<web_sys::CryptoKey, CryptoError> {
        let id = lectern_core::annotation::text_hash(&format!(
            "{passphrase}\u{0}{}\u{0}{iterations}",
            lectern_core::sync::base64::encode(salt)
        ));
        if let Some((have, key)) = &*self.sync.key.borrow() {
            if *have == id {
                return Ok(key.clone());
            }
        }
        let key = derive(passphrase, salt, iterations).await?;
        *self.sync.key.borrow_mut() = Some((id, key.clone()));
        Ok(key)
    }

    async fn unlock(
        &self,
        passphrase: &str,
        salt: &[u8],
        iterations: u32,
        check: &Sealed,
    ) -> Result<(), CryptoError> {
        let key = self.key(passphrase, salt, iterations).await?;
        match open(&key, "crypto", check).await {
            Some(p) if p == crypto::CHECK_PLAINTEXT => Ok(()),
            _ => {
                self.sync.key.take();
                Err(CryptoError::WrongKey)
            }
        }
    }

    fn current_key(&self) -> Result<web_sys::CryptoKey, CryptoError> {
        self.sync
            .key
            .borrow()
            .as_ref()
            .map(|(_, k)| k.clone())
            .ok_or_else(|| CryptoError::Unavailable("the key is not unlocked".into()))
    }

    async fn seal_all(&self, items: Vec<(String, String)>) -> Result<Vec<Sealed>, CryptoError> {
        let key = self.current_key()?;
        let mut out = Vec::with_capacity(items.len());
        for (aad, plain) in items {
            out.push(seal(&key, &aad, &plain).await?);
        }
        Ok(out)
    }

    async fn open_all(&self, items: Vec<(String, Sealed)>) -> Vec<Option<String>> {
        let Ok(key) = self.current_key() else {
            return vec![None; items.len()];
        };
        let mut out = Vec::with_capacity(items.len());
        for (aad, s) in items {
            out.push(open(&key, &aad, &s).await);
        }
        out
    }

    /// Ask to be the tab that syncs (Web Locks: one tab of the browser at a time; the lock
    /// passes to another tab when this one closes). Without Web Locks, this tab syncs.
    fn ask_lock(self: &Rc<Self>) {
        if self.sync.locking.replace(true) {
            return;
        }
        let locks = web_sys::window()
            .map(|w| w.navigator())
            .and_then(|n| js_sys::Reflect::get(&n, &"locks".into()).ok())
            .filter(|l| !l.is_undefined() && !l.is_null());
        let request = locks.as_ref().and_then(|l| {
            js_sys::Reflect::get(l, &"request".into())
                .ok()?
                .dyn_into::<js_sys::Function>()
                .ok()
        });
        let (Some(locks), Some(request)) = (locks, request) else {
            self.report(Action::SyncLeader(true));
            return;
        };
        let me = Rc::clone(self);
        let granted = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock| {
            me.report(Action::SyncLeader(true));
            // Held for the page's life: a promise that never settles.
            js_sys::Promise::new(&mut |_, _| {})
        });
        if request
            .call2(&locks, &"lectern-sync".into(), granted.as_ref())
            .is_err()
        {
            self.report(Action::SyncLeader(true));
        }
        granted.forget();
    }

    /// Page visibility and the network, for the live feed and retries.
    pub(super) fn subscribe_sync(self: &Rc<Self>) -> Vec<EventListener> {
        let Some(window) = web_sys::window() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (ev, online) in [("online", true), ("offline", false)] {
            let me = Rc::clone(self);
            out.push(EventListener::new(&window, ev, move |_| {
                me.report(Action::SyncOnline(online))
            }));
        }
        if let Some(doc) = window.document() {
            let me = Rc::clone(self);
            let d = doc.clone();
            out.push(EventListener::new(&doc, "visibilitychange", move |_| {
                let visible = d.visibility_state() != web_sys::VisibilityState::Hidden;
                me.report(Action::SyncVisibility(visible));
            }));
            if doc.visibility_state() == web_sys::VisibilityState::Hidden {
                self.report(Action::SyncVisibility(false));
            }
        }
        out
    }
}

/// 32 random bytes.
fn random32() -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&random_bytes());
    out[16..].copy_from_slice(&random_bytes());
    out
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Send `req` (cancelled by `abort`, or after its timeout) and read the answer as text.
pub async fn send(
    req: &HttpRequest,
    abort: Option<&web_sys::AbortController>,
) -> Result<HttpResponse, NetError> {
    let window = web_sys::window().ok_or(NetError::Unreachable)?;
    if !online() {
        return Err(NetError::Offline);
    }
    let init = cors_init(req).ok_or(NetError::Unreachable)?;
    init.set_method(req.method);
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body));
    }
    let controller = match abort {
        Some(c) => c.clone(),
        None => web_sys::AbortController::new().map_err(|_| NetError::Unreachable)?,
    };
    init.set_signal(Some(&controller.signal()));
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let (c, t) = (controller.clone(), Rc::clone(&timed_out));
        Timeout::new(req.timeout_ms, move || {
            t.set(true);
            c.abort();
        })
    };
    let request = web_sys::Request::new_with_str_and_init(&req.url, &init)
        .map_err(|_| NetError::Unreachable)?;
    let failed = |e: &JsValue| -> NetError {
        if timed_out.get() {
            NetError::Timeout
        } else if is_abort(e) {
            NetError::Aborted
        } else if !online() {
            NetError::Offline
        } else {
            NetError::Unreachable
        }
    };
    let answer = match JsFuture::from(window.fetch_with_request(&request)).await {
        Ok(v) => {
            let resp: web_sys::Response = v.unchecked_into();
            let status = resp.status();
            match resp.text() {
                Ok(p) => match JsFuture::from(p).await {
                    Ok(t) => Ok(HttpResponse {
                        status,
                        body: t.as_string().unwrap_or_default(),
                    }),
                    Err(e) => Err(failed(&e)),
                },
                Err(e) => Err(failed(&e)),
            }
        }
        Err(e) => match failed(&e) {
            // Nothing came back: a server that answers but refuses this page (CORS), a
            // connection cut in the middle (the server answers, and lets this page in), or no
            // server at all?
            NetError::Unreachable if answers(&req.url).await => {
                if lets_this_page_in(req).await {
                    Err(NetError::Unreachable)
                } else {
                    Err(NetError::Cors)
                }
            }
            other => Err(other),
        },
    };
    drop(timer);
    answer
}

/// Whether the server at `req`'s origin lets this page read its answers to a request with
/// `req`'s headers (its credentials among them): a `GET` of its root in CORS mode, preflighted
/// as `req` was, within 5 seconds. When it does, a request of this page that got no answer
/// was cut, not refused.
async fn lets_this_page_in(req: &HttpRequest) -> bool {
    match cors_init(req) {
        Some(init) => reaches_origin(&req.url, init).await,
        None => false,
    }
}

/// A CORS-mode request carrying `req`'s headers and credentials, not cached (method and body
/// are the caller's).
fn cors_init(req: &HttpRequest) -> Option<web_sys::RequestInit> {
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_cache(web_sys::RequestCache::NoStore);
    init.set_credentials(if req.cookies {
        web_sys::RequestCredentials::Include
    } else {
        web_sys::RequestCredentials::Omit
    });
    let headers = web_sys::Headers::new().ok()?;
    for (k, v) in &req.headers {
        let _ = headers.set(k, v);
    }
    init.set_headers(&headers);
    Some(init)
}

/// Whether a request made with `init` to the root of `url`'s origin gets an answer within 5
/// seconds.
async fn reaches_origin(url: &str, init: web_sys::RequestInit) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(origin) = web_sys::Url::new(url).map(|u| u.origin()) else {
        return false;
    };
    let Ok(controller) = web_sys::AbortController::new() else {
        return false;
    };
    init.set_signal(Some(&controller.signal()));
    let timer = Timeout::new(5_000, move || controller.abort());
    let ok = JsFuture::from(window.fetch_with_str_and_init(&format!("{origin}/"), &init))
        .await
        .is_ok();
    drop(timer);
    ok
}

fn is_abort(e: &JsValue) -> bool {
    e.dyn_ref::<web_sys::DomException>()
        .is_some_and(|d| d.name() == "AbortError")
}

/// Whether anything answers at `url`'s origin: a `no-cors` request (its answer is opaque, but
/// it arrives) within 5 seconds.
async fn answers(url: &str) -> bool {
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::NoCors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_cache(web_sys::RequestCache::NoStore);
    reaches_origin(url, init).await
}

fn subtle() -> Result<web_sys::SubtleCrypto, CryptoError> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or_else(|| CryptoError::Unavailable("no crypto".into()))?;
    let subtle = js_sys::Reflect::get(&crypto, &"subtle".into())
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())
        .ok_or_else(|| {
            CryptoError::Unavailable("WebCrypto needs a secure page (https, or localhost)".into())
        })?;
    Ok(subtle.unchecked_into())
}

fn js_error(e: JsValue) -> CryptoError {
    CryptoError::Unavailable(
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}")),
    )
}

/// PBKDF2-HMAC-SHA-256 (`iterations`, `salt`) over the passphrase: a non-extractable
/// AES-GCM-256 key for encrypting and decrypting.
pub async fn derive(
    passphrase: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<web_sys::CryptoKey, CryptoError> {
    let subtle = subtle()?;
    let raw = Uint8Array::from(passphrase.as_bytes());
    let base = subtle
        .import_key_with_str(
            "raw",
            &raw,
            "PBKDF2",
            false,
            &Array::of1(&"deriveKey".into()),
        )
        .map_err(js_error)?;
    let base: web_sys::CryptoKey = JsFuture::from(base)
        .await
        .map_err(js_error)?
        .unchecked_into();
    let params = web_sys::Pbkdf2Params::new(
        "PBKDF2",
        &"SHA-256".into(),
        iterations,
        &Uint8Array::from(salt),
    );
    let aes = web_sys::AesDerivedKeyParams::new("AES-GCM", 256);
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let key = subtle
        .derive_key_with_object_and_object(&params, &base, &aes, false, &usages)
        .map_err(js_error)?;
    Ok(JsFuture::from(key)
        .await
        .map_err(js_error)?
        .unchecked_into())
}

/// AES-GCM with a fresh random 12-byte nonce, `aad` as the additional data.
pub async fn seal(
    key: &web_sys::CryptoKey,
    aad: &str,
    plaintext: &str,
) -> Result<Sealed, CryptoError> {
    let subtle = subtle()?;
    let iv: Vec<u8> = random_bytes()[..crypto::IV_BYTES].to_vec();
    let params = web_sys::AesGcmParams::new("AES-GCM", &Uint8Array::from(iv.as_slice()));
    params.set_additional_data(&Uint8Array::from(aad.as_bytes()));
    let p = subtle
        .encrypt_with_object_and_u8_array(&params, key, plaintext.as_bytes())
        .map_err(js_error)?;
    let buf = JsFuture::from(p).await.map_err(js_error)?;
    Ok(crypto::seal(&iv, &Uint8Array::new(&buf).to_vec()))
}

/// The plaintext of `s`, or `None` when `key` does not open it (another key, or altered).
pub async fn open(key: &web_sys::CryptoKey, aad: &str, s: &Sealed) -> Option<String> {
    let subtle = subtle().ok()?;
    let (iv, data) = crypto::sealed_bytes(s).ok()?;
    let params = web_sys::AesGcmParams::new("AES-GCM", &Uint8Array::from(iv.as_slice()));
    params.set_additional_data(&Uint8Array::from(aad.as_bytes()));
    let p = subtle
        .decrypt_with_object_and_u8_array(&params, key, &data)
        .ok()?;
    let buf = JsFuture::from(p).await.ok()?;
    String::from_utf8(Uint8Array::new(&buf).to_vec()).ok()
}
