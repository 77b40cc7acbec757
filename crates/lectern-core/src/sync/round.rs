//! One replication round, as a state machine that does no I/O ("sans-I/O"): it says what it
//! needs next ([`Need`]: an HTTP request, a WebCrypto operation) and is handed the answer
//! ([`Input`]). The platform's runner carries the needs out; native tests answer them from an
//! in-memory CouchDB (`sync::sim`). Local storage is read and written through
//! [`super::local`], synchronously, between steps.
//!
//! A round, as CouchDB's replicator and PouchDB's `replicate` do it:
//!
//! 1. **Connect** (the first round of a session): `GET /db` (is it there, may we), the
//!    checkpoint `GET /db/_local/lectern-<replica>` (does the server remember what this device
//!    remembers: the same `session`? else start from `0`), the encryption document
//!    `GET /db/crypto` (then the key is derived and checked before anything is read).
//! 2. **Pull**: `GET /db/_changes?style=all_docs&since=S&limit=N`; documents whose revisions
//!    are not all known here are fetched (`POST /db/_all_docs?include_docs=true&conflicts=true`);
//!    a document with `_conflicts` has every leaf fetched (`GET /db/<id>?open_revs=all`);
//!    sealed ones are opened; each is validated like a backup, the leaves joined, joined with
//!    local data and written ([`super::local::apply`]). A conflict is resolved on the server
//!    at once: the join is written on the winning revision and the losing revisions deleted,
//!    in one `_bulk_docs`. The checkpoint advances after each batch.
//! 3. **Push**: the documents changed here ([`super::local::changed_ids`]) are fetched as the
//!    server has them now, joined with local data as in a pull, and the join is written on the
//!    winning revision (`_bulk_docs`). Nothing is ever written that is not the join of what the
//!    server holds and what is here, so no write can drop what another device sent. A `409`
//!    (written over between the fetch and the write) goes round again, at most
//!    [`MAX_CONFLICT_TRIES`] times a round.
//! 4. **Echo**: a pull again, which moves the checkpoint past this round's own writes (their
//!    revisions are known: nothing is fetched), then the checkpoint is written to the server.
//!
//! If the database is to be encrypted and is not yet, the `crypto` document is written after
//! the pull and everything local is sent again, sealed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{json, Value};

use crate::storage::{KeyValueStore, StoreError};

use super::base64;
use super::config::{Auth, SyncConfig, SyncSecrets};
use super::crypto::{self, CryptoDoc, KDF_ITERATIONS, SALT_BYTES};
use super::docs::{self, Body, DocId, Incoming, Payload, Sealed};
use super::local::{self, Local, NotApplied, Scope};
use super::memo::{since_param, Memo, Record};
use super::problem::SyncProblem;

/// A request for the runner to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Send the browser's cookies (session-cookie sign-in); otherwise none are sent.
    pub cookies: bool,
    pub timeout_ms: u32,
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// Why no answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetError {
    /// The browser is offline.
    Offline,
    /// Nothing answered.
    Unreachable,
    /// Something answered, but the browser refused the answer to this page (CORS).
    Cors,
    Timeout,
    /// Cancelled (the page hid, sync was turned off).
    Aborted,
}

/// Why a WebCrypto operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The key does not open it (wrong passphrase, or tampered data).
    WrongKey,
    /// No WebCrypto here, or it failed.
    Unavailable(String),
}

/// What the round needs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Need {
    Http(HttpRequest),
    /// Derive the key from the passphrase (PBKDF2-SHA-256, `salt`, `iterations`) and open
    /// `check` with it (AAD `crypto`): it must say [`crypto::CHECK_PLAINTEXT`].
    Unlock {
        salt: Vec<u8>,
        iterations: u32,
        check: Sealed,
    },
    /// Derive a key for a database being encrypted now, and seal
    /// [`crypto::CHECK_PLAINTEXT`] with it (AAD `crypto`).
    NewKey {
        salt: Vec<u8>,
        iterations: u32,
    },
    /// Seal each `(aad, plaintext)` with the key.
    Seal(Vec<(String, String)>),
    /// Open each `(aad, sealed)` with the key.
    Open(Vec<(String, Sealed)>),
    /// The round is over.
    Done(Result<RoundReport, SyncProblem>),
}

/// The answer to the last [`Need`].
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Nothing yet: the round's first step.
    Start,
    Http(Result<HttpResponse, NetError>),
    Unlocked(Result<(), CryptoError>),
    KeyMade(Result<Sealed, CryptoError>),
    Sealed(Result<Vec<Sealed>, CryptoError>),
    /// Each plaintext, in order; `None` for one that did not open.
    Opened(Vec<Option<String>>),
}

/// What the round is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Pull, push, checkpoint.
    Sync,
    /// "Test connection": is it CouchDB, is the database there, may we, is it encrypted and
    /// does the passphrase open it. Reads nothing else, writes nothing.
    Test,
}

/// How a round runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundOpts {
    pub purpose: Purpose,
    /// The first round since the page loaded (or since the settings changed): connect first.
    pub first: bool,
    /// Which annotation documents to look at for changes ([`Scope`]).
    pub scope: Scope,
    /// Now (ISO 8601 UTC): times from the server later than this are clamped to it.
    pub now: String,
    /// Random bytes: a new checkpoint session's id, a new encryption salt.
    pub random: [u8; 32],
    /// Changes per `_changes` batch.
    pub limit: usize,
}

impl RoundOpts {
    pub fn sync(first: bool, scope: Scope, now: &str, random: [u8; 32]) -> RoundOpts {
        RoundOpts {
            purpose: Purpose::Sync,
            first,
            scope,
            now: now.to_owned(),
            random,
            limit: CHANGES_LIMIT,
        }
    }
}

/// A document the round did not take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: String,
    pub why: String,
}

/// What a round did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundReport {
    /// Documents from the server that changed local data.
    pub pulled: usize,
    /// Documents sent.
    pub pushed: usize,
    /// Conflicts resolved (the join written, the losing revisions deleted).
    pub resolved: usize,
    /// Documents from the server refused (invalid, sealed with another key, …).
    pub refused: Vec<Refusal>,
    /// Documents written by a newer Lectern: neither read nor overwritten.
    pub newer: Vec<String>,
    /// Documents the server refused to store.
    pub rejected: Vec<Refusal>,
    /// Local keys written (the app reads them again).
    pub written: BTreeSet<String>,
    /// Local changes not sent yet.
    pub pending: usize,
    /// The database is encrypted (and the passphrase opens it).
    pub encrypted: bool,
    /// `Test`: what the server says it is (`CouchDB 3.3.3`).
    pub server: Option<String>,
    /// `Test`: how many documents the database holds.
    pub doc_count: Option<u64>,
    /// The checkpoint after the round (for the live feed).
    pub since: String,
}

/// Changes per batch: a library of a few hundred articles comes in a few batches.
pub const CHANGES_LIMIT: usize = 100;
/// Documents per `_bulk_docs` when pushing.
pub const PUSH_BATCH: usize = 50;
/// Bytes (about) per `_bulk_docs` when pushing.
pub const PUSH_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Times one document may conflict in one round before it waits for the next.
pub const MAX_CONFLICT_TRIES: u32 = 3;
/// Milliseconds a request may take.
pub const REQUEST_TIMEOUT_MS: u32 = 60_000;
/// How long the live feed's long poll waits on the server, in milliseconds.
pub const LONGPOLL_MS: u32 = 25_000;

/// Where fetched documents came from: the pull (the checkpoint advances after them) or a push
/// that conflicted.
#[derive(Debug, Clone, PartialEq)]
enum Origin {
    Pull { last_seq: Value, more: bool },
    Push,
}

/// What the round does next. A phase that asks for something from outside waits for the
/// answer (`Round::waiting`), takes it in [`Round::take`] and moves on.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// `GET /` (tests only): is it CouchDB.
    Welcome,
    /// `GET /db`.
    Probe,
    /// `GET /db/_local/lectern-<replica>`.
    Checkpoint,
    /// `GET /db/crypto`.
    ReadCrypto,
    /// Waiting for the key to be derived and checked.
    Unlocking,
    /// `GET /db/_changes`.
    Changes,
    /// `POST /db/_all_docs` for what the changes named.
    Fetch,
    /// `GET /db/<id>?open_revs=all` for each conflicted document.
    Leaves(Option<DocId>),
    /// Open sealed documents, then validate, join and apply.
    Open,
    /// Seal the conflicts' joins.
    ResolveSeal,
    /// `POST /db/_bulk_docs`: the joins on the winners, the losers deleted.
    ResolvePost,
    /// The fetched documents are applied: advance the checkpoint, or go on pushing.
    AfterApply,
    /// Derive a new key and seal the key check.
    MakeKey,
    /// `PUT /db/crypto`.
    PutCrypto,
    /// Collect what changed here; fetch the next batch of it as the server has it.
    PushCollect,
    /// `PUT /db/_local/lectern-<replica>`.
    SaveCheckpoint {
        retried: bool,
    },
    /// `GET /db/_local/lectern-<replica>` for its revision, after a 409.
    ReadCheckpointRev,
    Finished,
}

/// A document fetched: its leaves, the winning one first.
#[derive(Debug, Clone, PartialEq, Default)]
struct Fetched {
    leaves: Vec<Incoming>,
}

/// A join to write: on the winning revision (`None`: a new document, or one deleted on the
/// server), the losing revisions deleted.
#[derive(Debug, Clone, PartialEq)]
struct Resolution {
    id: DocId,
    winner: Option<String>,
    losers: Vec<String>,
    body: Body,
    fingerprint: String,
}

/// Most bytes (about) of one `_bulk_docs`.
const POST_BYTES: usize = PUSH_BATCH_BYTES;

/// Push → pull → push cycles one round makes at most (a pull that brings what needs sending
/// back goes round again).
const MAX_CYCLES: u32 = 3;

/// See the module documentation.
pub struct Round {
    config: SyncConfig,
    authorization: Option<String>,
    has_passphrase: bool,
    opts: RoundOpts,
    memo: Memo,
    phase: Phase,
    /// A need of `phase` is out; its answer is awaited.
    waiting: bool,
    report: RoundReport,
    /// The database's encryption, when it has one.
    crypto: Option<CryptoDoc>,
    /// Documents are sealed and opened (the key is unlocked).
    encrypted: bool,
    /// Encrypt the database after the pull.
    make_key: bool,
    origin: Origin,
    to_fetch: Vec<DocId>,
    leaves_queue: VecDeque<DocId>,
    fetched: BTreeMap<DocId, Fetched>,
    /// What is being opened: (id, leaf index) per sealed payload.
    opening: Vec<(DocId, usize)>,
    /// Ids asked for in the fetch that the server does not have.
    absent: BTreeSet<DocId>,
    /// Joins to write, their sealed forms (in order, when encrypted), and those posted now.
    resolutions: Vec<Resolution>,
    sealed: Vec<Sealed>,
    posting: Vec<Resolution>,
    /// Documents changed here still to push.
    push_ids: VecDeque<DocId>,
    conflict_tries: BTreeMap<DocId, u32>,
    collected: bool,
    /// The pull after the push is running (it ends the round).
    echo: bool,
    /// The echo pull fetched something: push again.
    echo_fetched: bool,
    cycles: u32,
    /// A `crypto` document seen in the changes feed.
    crypto_seen: Option<Value>,
    /// This round encrypted the database: its plaintext documents are read (as before) and
    /// written again, sealed.
    migrating: bool,
    /// Documents read in plaintext while migrating.
    plain_seen: BTreeSet<DocId>,
}

impl Round {
    /// A round against `config`, with what this device remembers of it ([`Memo`], loaded from
    /// `store`).
    pub fn new(
        store: &dyn KeyValueStore,
        config: &SyncConfig,
        secrets: &SyncSecrets,
        opts: RoundOpts,
    ) -> Round {
        let r = opts.random;
        let mut a = [0u8; 16];
        a.copy_from_slice(&r[..16]);
        let mut b = [0u8; 16];
        b.copy_from_slice(&r[16..]);
        let replica = crate::annotation::uuid_v4_from_bytes(a);
        let session = crate::annotation::uuid_v4_from_bytes(b);
        let memo = Memo::load(store).for_peer(&config.peer(), &replica, &session);
        let authorization = (config.auth == Auth::Password).then(|| {
            format!(
                "Basic {}",
                base64::encode(format!("{}:{}", config.user, secrets.password).as_bytes())
            )
        });
        // Every round checks the checkpoint (a database deleted and made anew meanwhile is
        // noticed at once); the first also checks the database and its encryption.
        let phase = match (opts.purpose, opts.first) {
            (Purpose::Test, _) => Phase::Welcome,
            (Purpose::Sync, true) => Phase::Probe,
            (Purpose::Sync, false) => Phase::Checkpoint,
        };
        // Without connecting first, the database's encryption is the one last seen.
        let encrypted = !opts.first && memo.crypto.is_some();
        Round {
            config: config.clone(),
            authorization,
            has_passphrase: !secrets.passphrase.is_empty(),
            opts,
            memo,
            phase,
            waiting: false,
            report: RoundReport {
                encrypted,
                ..RoundReport::default()
            },
            crypto: None,
            encrypted,
            make_key: false,
            origin: Origin::Push,
            to_fetch: Vec::new(),
            leaves_queue: VecDeque::new(),
            fetched: BTreeMap::new(),
            opening: Vec::new(),
            absent: BTreeSet::new(),
            resolutions: Vec::new(),
            sealed: Vec::new(),
            posting: Vec::new(),
            push_ids: VecDeque::new(),
            conflict_tries: BTreeMap::new(),
            collected: false,
            echo: false,
            echo_fetched: false,
            cycles: 0,
            crypto_seen: None,
            migrating: false,
            plain_seen: BTreeSet::new(),
        }
    }

    /// What this device remembers of the server, as the round has it now.
    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    /// Take `input` (the answer to the last need; [`Input::Start`] first) and say what is
    /// needed next. Local data is read and written through `store` on the way.
    pub fn step(&mut self, store: &dyn KeyValueStore, input: Input) -> Need {
        if self.phase == Phase::Finished && !self.waiting {
            return Need::Done(Err(SyncProblem::BadResponse("the round is over".into())));
        }
        if self.waiting {
            self.waiting = false;
            if let Err(p) = self.take(store, input) {
                return self.fail(store, p);
            }
        }
        match self.advance(store) {
            Ok(need) => need,
            Err(p) => self.fail(store, p),
        }
    }

    fn fail(&mut self, store: &dyn KeyValueStore, p: SyncProblem) -> Need {
        self.phase = Phase::Finished;
        self.waiting = false;
        // What was learnt so far stays learnt (each document's revision, the checkpoint).
        if self.opts.purpose == Purpose::Sync {
            let _ = self.memo.save(store);
        }
        Need::Done(Err(p))
    }

    // --- Requests ---------------------------------------------------------------------------

    fn request(&mut self, method: &'static str, url: String, body: Option<Value>) -> Need {
        self.waiting = true;
        Need::Http(http_request(
            &self.config,
            self.authorization.as_deref(),
            method,
            url,
            body,
        ))
    }

    fn wait(&mut self, need: Need) -> Need {
        self.waiting = true;
        need
    }

    fn db(&self, path: &str) -> String {
        format!("{}{path}", self.config.db_url())
    }

    /// The answer, or the problem it is (no answer, a status that is not 2xx).
    fn answer(&self, input: Input) -> Result<HttpResponse, SyncProblem> {
        let r = match input {
            Input::Http(r) => r,
            other => return Err(unexpected(&other)),
        };
        let resp = r.map_err(|e| net_problem(&self.config, e))?;
        if (200..300).contains(&resp.status) {
            return Ok(resp);
        }
        Err(status_problem(&self.config, &resp))
    }

    /// The body of a 2xx answer, `None` for a 404, or the problem.
    fn missing_or(&self, input: Input) -> Result<Option<String>, SyncProblem> {
        if let Input::Http(Ok(r)) = &input {
            if r.status == 404 {
                return Ok(None);
            }
        }
        self.answer(input).map(|r| Some(r.body))
    }

    // --- Taking answers ---------------------------------------------------------------------

    /// Take the answer to what the current phase asked, and choose the next phase.
    fn take(&mut self, store: &dyn KeyValueStore, input: Input) -> Result<(), SyncProblem> {
        match self.phase.clone() {
            Phase::Welcome => {
                let resp = self.answer(input)?;
                let v: Value =
                    serde_json::from_str(&resp.body).map_err(|_| SyncProblem::NotCouch)?;
                let version = v.get("version").and_then(Value::as_str).unwrap_or("?");
                let name = if v.get("couchdb").is_some() {
                    "CouchDB"
                } else if v.get("express-pouchdb").is_some() {
                    "PouchDB Server"
                } else {
                    return Err(SyncProblem::NotCouch);
                };
                self.report.server = Some(format!("{name} {version}"));
                self.phase = Phase::Probe;
            }
            Phase::Probe => {
                let resp = self.answer(input)?;
                let v: Value =
                    serde_json::from_str(&resp.body).map_err(|_| SyncProblem::NotCouch)?;
                if v.get("db_name").is_none() {
                    return Err(SyncProblem::NotCouch);
                }
                self.report.doc_count = v.get("doc_count").and_then(Value::as_u64);
                self.phase = match self.opts.purpose {
                    Purpose::Test => Phase::ReadCrypto,
                    Purpose::Sync => Phase::Checkpoint,
                };
            }
            Phase::Checkpoint => {
                let found = self.missing_or(input)?;
                let remote = found
                    .as_ref()
                    .and_then(|b| serde_json::from_str::<Value>(b).ok());
                let field = |k: &str| {
                    remote
                        .as_ref()
                        .and_then(|v| v.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                let same_session = field("session").as_deref() == Some(self.memo.session.as_str());
                let rev = field("_rev");
                self.memo.checkpoint_rev = rev;
                if same_session && !self.opts.first {
                    self.phase = Phase::Changes;
                    return Ok(());
                }
                if !same_session {
                    // The server does not remember what this device does (a new database,
                    // one restored, a lost checkpoint): read everything again.
                    let session = self.new_session();
                    let rev = self.memo.checkpoint_rev.take();
                    self.memo.reset(&session);
                    self.memo.checkpoint_rev = rev;
                    self.encrypted = false;
                    self.report.encrypted = false;
                }
                self.phase = Phase::ReadCrypto;
            }
            Phase::ReadCrypto => {
                // `_all_docs` rather than `GET /db/crypto`: a database without encryption is
                // an ordinary answer, not a 404 in the browser's console.
                let resp = self.answer(input)?;
                let v: Value = serde_json::from_str(&resp.body)
                    .map_err(|e| SyncProblem::BadResponse(format!("_all_docs: {e}")))?;
                let doc = v
                    .get("rows")
                    .and_then(Value::as_array)
                    .and_then(|rows| rows.first())
                    .and_then(|row| row.get("doc"))
                    .filter(|d| d.is_object())
                    .map(Value::to_string);
                self.crypto_found(doc)?;
            }
            Phase::Unlocking => match input {
                Input::Unlocked(Ok(())) => {
                    self.encrypted = true;
                    self.report.encrypted = true;
                    let fp = self.crypto.as_ref().map(CryptoDoc::fingerprint);
                    if self.memo.crypto != fp {
                        // Another key than the one this device last synced with (or the first
                        // time): everything local is sent again under it.
                        self.memo.mark_all_changed();
                        self.opts.scope = Scope::All;
                    }
                    self.memo.crypto = fp;
                    self.phase = match self.opts.purpose {
                        Purpose::Test => Phase::Finished,
                        Purpose::Sync => Phase::Changes,
                    };
                }
                Input::Unlocked(Err(CryptoError::WrongKey)) => {
                    return Err(SyncProblem::WrongPassphrase)
                }
                Input::Unlocked(Err(CryptoError::Unavailable(why))) => {
                    return Err(SyncProblem::CryptoUnavailable(why))
                }
                other => return Err(unexpected(&other)),
            },
            Phase::Changes => {
                let resp = self.answer(input)?;
                self.changes(&resp.body)?;
                self.phase = Phase::Fetch;
            }
            Phase::Fetch => {
                let resp = self.answer(input)?;
                self.all_docs(&resp.body)?;
                self.phase = Phase::Leaves(None);
            }
            Phase::Leaves(Some(id)) => {
                let found = self.missing_or(input)?;
                self.leaves(&id, found.as_deref())?;
                self.phase = Phase::Leaves(None);
            }
            Phase::Open => {
                let Input::Opened(plain) = input else {
                    return Err(unexpected(&input));
                };
                self.opened(plain);
                self.apply(store)?;
                self.phase = Phase::ResolveSeal;
            }
            Phase::ResolveSeal => {
                self.sealed = sealed_or(input)?;
                self.phase = Phase::ResolvePost;
            }
            Phase::ResolvePost => {
                let resp = self.answer(input)?;
                self.resolved(store, &resp.body)?;
                // More to post, or done.
                if self.resolutions.is_empty() {
                    self.phase = Phase::AfterApply;
                }
            }
            Phase::MakeKey => match input {
                Input::KeyMade(Ok(check)) => {
                    self.crypto = Some(CryptoDoc {
                        salt: self.opts.random[..SALT_BYTES].to_vec(),
                        iterations: KDF_ITERATIONS,
                        check,
                    });
                    self.phase = Phase::PutCrypto;
                }
                Input::KeyMade(Err(CryptoError::Unavailable(why))) => {
                    return Err(SyncProblem::CryptoUnavailable(why))
                }
                Input::KeyMade(Err(CryptoError::WrongKey)) => {
                    return Err(SyncProblem::CryptoUnavailable("no key was made".into()))
                }
                other => return Err(unexpected(&other)),
            },
            Phase::PutCrypto => {
                if matches!(&input, Input::Http(Ok(r)) if r.status == 409) {
                    // Another device encrypted it meanwhile: use theirs.
                    self.crypto = None;
                    self.make_key = false;
                    self.phase = Phase::ReadCrypto;
                    return Ok(());
                }
                self.answer(input)?;
                self.make_key = false;
                self.encrypted = true;
                self.report.encrypted = true;
                self.memo.crypto = self.crypto.as_ref().map(CryptoDoc::fingerprint);
                // Everything is sent again, sealed (the server keeps old revisions until it is
                // compacted: docs/sync.md).
                self.memo.mark_all_changed();
                self.opts.scope = Scope::All;
                self.collected = false;
                self.migrating = true;
                self.memo.save(store).map_err(SyncProblem::LocalStore)?;
                self.phase = Phase::PushCollect;
            }
            Phase::SaveCheckpoint { retried } => {
                match input {
                    Input::Http(Ok(r)) if (200..300).contains(&r.status) => {
                        let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                        self.memo.checkpoint_rev =
                            v.get("rev").and_then(Value::as_str).map(str::to_owned);
                    }
                    Input::Http(Ok(r)) if r.status == 409 && !retried => {
                        self.phase = Phase::ReadCheckpointRev;
                        return Ok(());
                    }
                    // The checkpoint on the server only saves work: a round that could not
                    // write it is still done (the next start reads from its session's start).
                    _ => {}
                }
                self.phase = Phase::Finished;
            }
            Phase::ReadCheckpointRev => {
                if let Input::Http(Ok(r)) = &input {
                    let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                    self.memo.checkpoint_rev =
                        v.get("_rev").and_then(Value::as_str).map(str::to_owned);
                }
                self.phase = Phase::SaveCheckpoint { retried: true };
            }
            Phase::Leaves(None) | Phase::AfterApply | Phase::PushCollect | Phase::Finished => {
                return Err(unexpected(&input))
            }
        }
        Ok(())
    }

    fn new_session(&self) -> String {
        let mut b = [0u8; 16];
        b.copy_from_slice(&self.opts.random[16..]);
        b[0] ^= 0x5a;
        crate::annotation::uuid_v4_from_bytes(b)
    }

    /// The `crypto` document was read (`None`: there is none).
    fn crypto_found(&mut self, found: Option<String>) -> Result<(), SyncProblem> {
        let next = match self.opts.purpose {
            Purpose::Test => Phase::Finished,
            Purpose::Sync => Phase::Changes,
        };
        match found {
            None => {
                if self.memo.crypto.is_some() || self.encrypted {
                    // It was encrypted and no longer is: never send plaintext on a guess.
                    return Err(SyncProblem::EncryptionChanged);
                }
                self.make_key = self.config.encrypt;
                self.phase = next;
            }
            Some(body) => {
                let v: Value = serde_json::from_str(&body)
                    .map_err(|_| SyncProblem::BadCrypto("not JSON".into()))?;
                let doc = crypto::read_crypto_doc(&v).map_err(SyncProblem::BadCrypto)?;
                if !self.config.encrypt || !self.has_passphrase {
                    return Err(SyncProblem::EncryptedNeedsPassphrase);
                }
                self.make_key = false;
                self.crypto = Some(doc);
                self.phase = Phase::Unlocking;
            }
        }
        Ok(())
    }

    /// A `_changes` answer: what to fetch.
    fn changes(&mut self, body: &str) -> Result<(), SyncProblem> {
        let v: Value = serde_json::from_str(body)
            .map_err(|e| SyncProblem::BadResponse(format!("_changes: {e}")))?;
        let results = v
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| SyncProblem::BadResponse("_changes without results".into()))?;
        let last_seq = v.get("last_seq").cloned().unwrap_or(Value::Null);
        let mut fetch = BTreeSet::new();
        for r in results {
            let raw = r.get("id").and_then(Value::as_str).unwrap_or_default();
            let Some(id) = DocId::parse(raw) else {
                continue;
            };
            let revs: Vec<&str> = r
                .get("changes")
                .and_then(Value::as_array)
                .map(|c| c.iter().filter_map(|x| x.get("rev")?.as_str()).collect())
                .unwrap_or_default();
            let known = self.memo.docs.get(&id.to_string());
            if id != DocId::Crypto && known.is_some_and(|r| r.knows(&revs)) {
                continue;
            }
            fetch.insert(id);
        }
        if self.echo && !fetch.is_empty() {
            self.echo_fetched = true;
        }
        self.origin = Origin::Pull {
            more: results.len() >= self.opts.limit && !last_seq.is_null(),
            last_seq,
        };
        self.to_fetch = fetch.into_iter().collect();
        Ok(())
    }

    /// An `_all_docs` answer: each document's winning revision, and which have conflicts.
    fn all_docs(&mut self, body: &str) -> Result<(), SyncProblem> {
        let v: Value = serde_json::from_str(body)
            .map_err(|e| SyncProblem::BadResponse(format!("_all_docs: {e}")))?;
        let rows = v
            .get("rows")
            .and_then(Value::as_array)
            .ok_or_else(|| SyncProblem::BadResponse("_all_docs without rows".into()))?;
        for row in rows {
            let Some(id) = row
                .get("key")
                .and_then(Value::as_str)
                .and_then(DocId::parse)
            else {
                continue;
            };
            let value = row.get("value");
            let rev = value
                .and_then(|x| x.get("rev"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let deleted = value.and_then(|x| x.get("deleted")) == Some(&Value::Bool(true));
            let doc = row.get("doc").filter(|d| d.is_object());
            let incoming = match (deleted, doc) {
                (true, _) => Incoming::Deleted {
                    id: id.clone(),
                    rev,
                },
                (false, Some(d)) => {
                    if id == DocId::Crypto {
                        self.crypto_seen = Some(d.clone());
                        continue;
                    }
                    let conflicted = d
                        .get("_conflicts")
                        .and_then(Value::as_array)
                        .is_some_and(|c| !c.is_empty());
                    if conflicted {
                        self.leaves_queue.push_back(id.clone());
                    }
                    docs::read_server_doc(d)
                }
                (false, None) if id == DocId::Crypto => {
                    // The encryption document went away (deleted and purged).
                    self.crypto_seen = Some(Value::Null);
                    continue;
                }
                // Not there: nothing to take (and, for a push, a new document).
                (false, None) => {
                    self.absent.insert(id);
                    continue;
                }
            };
            if id == DocId::Crypto {
                self.crypto_seen = Some(Value::Null);
                continue;
            }
            self.fetched.entry(id).or_default().leaves = vec![incoming];
        }
        Ok(())
    }

    /// An `open_revs=all` answer: every leaf of `id`, the winner first.
    fn leaves(&mut self, id: &DocId, body: Option<&str>) -> Result<(), SyncProblem> {
        let Some(body) = body else {
            self.fetched.remove(id);
            return Ok(());
        };
        let v: Value = serde_json::from_str(body)
            .map_err(|e| SyncProblem::BadResponse(format!("open_revs: {e}")))?;
        let items = v
            .as_array()
            .ok_or_else(|| SyncProblem::BadResponse("open_revs is not a list".into()))?;
        let mut leaves: Vec<Incoming> = items
            .iter()
            .filter_map(|x| x.get("ok"))
            .map(docs::read_server_doc)
            .filter(|l| l.id() == Some(id))
            .collect();
        // The winner first (what CouchDB picks: not deleted, the longest history, then the
        // greatest revision id), then the others by revision, so every device resolves alike.
        leaves.sort_by_key(|l| std::cmp::Reverse(winner_order(l)));
        let live = leaves
            .iter()
            .filter(|l| !matches!(l, Incoming::Deleted { .. }))
            .count();
        if live == 0 {
            // Only deleted leaves: the document is deleted.
            leaves.truncate(1);
        } else {
            leaves.retain(|l| !matches!(l, Incoming::Deleted { .. }));
        }
        if leaves.is_empty() {
            self.fetched.remove(id);
        } else {
            self.fetched.insert(id.clone(), Fetched { leaves });
        }
        Ok(())
    }

    /// In an encrypted database every document must be sealed; in another, none may be.
    fn police_payloads(&mut self) {
        let encrypted = self.encrypted;
        for f in self.fetched.values_mut() {
            for leaf in &mut f.leaves {
                let Incoming::Doc { id, rev, payload } = leaf else {
                    continue;
                };
                if self.migrating && matches!(payload, Payload::Plain(_)) {
                    // Written before this round encrypted the database: read, and rewritten.
                    self.plain_seen.insert(id.clone());
                    continue;
                }
                let problem = match (payload, encrypted) {
                    (Payload::Plain(_), true) => "it is not encrypted, in an encrypted database",
                    (Payload::Sealed(_), false) => {
                        "it is encrypted, and this database has no encryption key"
                    }
                    _ => continue,
                };
                *leaf = Incoming::Bad {
                    id: id.clone(),
                    rev: rev.clone(),
                    problem: problem.to_owned(),
                };
            }
        }
    }

    /// What must be opened, and whose it is.
    fn sealed_payloads(&mut self) -> Vec<(String, Sealed)> {
        self.opening.clear();
        let mut out = Vec::new();
        if !self.encrypted {
            return out;
        }
        for (id, f) in &self.fetched {
            for (i, l) in f.leaves.iter().enumerate() {
                if let Incoming::Doc {
                    payload: Payload::Sealed(s),
                    ..
                } = l
                {
                    self.opening.push((id.clone(), i));
                    out.push((crypto::aad(id), s.clone()));
                }
            }
        }
        out
    }

    /// Opened plaintexts take the sealed payloads' places; one that did not open is refused.
    fn opened(&mut self, plain: Vec<Option<String>>) {
        let opening = std::mem::take(&mut self.opening);
        let plain = plain.into_iter().chain(std::iter::repeat(None));
        for ((id, i), p) in opening.into_iter().zip(plain) {
            let Some(leaf) = self.fetched.get_mut(&id).and_then(|f| f.leaves.get_mut(i)) else {
                continue;
            };
            let Incoming::Doc { rev, .. } = leaf else {
                continue;
            };
            let rev = rev.clone();
            *leaf = match p.and_then(|p| serde_json::from_str::<Value>(&p).ok()) {
                Some(fields) => Incoming::Doc {
                    id: id.clone(),
                    rev,
                    payload: Payload::Plain(fields),
                },
                None => Incoming::Bad {
                    id: id.clone(),
                    rev,
                    problem: "it does not decrypt with this database's key (altered, or sealed \
                              with another passphrase)"
                        .into(),
                },
            };
        }
    }

    /// Validate, join and apply what was fetched; note the joins to write back (conflicts,
    /// documents this device holds more of, documents the server lacks).
    fn apply(&mut self, store: &dyn KeyValueStore) -> Result<(), SyncProblem> {
        let fetched = std::mem::take(&mut self.fetched);
        let absent = std::mem::take(&mut self.absent);
        let mut local = Local::new(store);
        for (id, f) in fetched {
            let key = id.to_string();
            let mut bodies: Vec<Body> = Vec::new();
            let mut revs: Vec<String> = Vec::new();
            let mut all_good = true;
            let mut deleted_rev = None;
            for leaf in f.leaves {
                match leaf {
                    Incoming::Doc { rev, payload, .. } => {
                        revs.push(rev);
                        let Payload::Plain(fields) = payload else {
                            // Sealed payloads were opened (or refused) before.
                            self.refuse(&id, "it is encrypted, and this database has no key");
                            all_good = false;
                            continue;
                        };
                        match docs::validate(&id, &fields, &self.opts.now) {
                            Ok(b) => bodies.push(b),
                            Err(p) => {
                                self.refuse(&id, &p.to_string());
                                all_good = false;
                            }
                        }
                    }
                    Incoming::Newer { rev, .. } => {
                        revs.push(rev);
                        self.report.newer.push(key.clone());
                        all_good = false;
                    }
                    Incoming::Bad { rev, problem, .. } => {
                        revs.push(rev);
                        self.refuse(&id, &problem);
                        all_good = false;
                    }
                    Incoming::Deleted { rev, .. } => deleted_rev = Some(rev),
                    Incoming::Foreign { .. } => {}
                }
            }
            if revs.is_empty() {
                if let Some(rev) = deleted_rev {
                    // Deleted on the server (never by Lectern): what is here is written
                    // again, as a new revision on the deleted branch.
                    self.memo.docs.insert(key, Record::new(rev, None));
                    self.write_back(&mut local, &id, None, Vec::new(), None);
                }
                continue;
            }
            let winner = revs[0].clone();
            if bodies.is_empty() {
                // Nothing readable: local data stays as it is, and is not written over it.
                let hash = self.memo.docs.get(&key).and_then(|r| r.hash.clone());
                self.memo.docs.insert(key, Record::new(winner, hash));
                self.give_up(&id);
                continue;
            }
            let mut joined = bodies[0].clone();
            for b in &bodies[1..] {
                joined = docs::join(&id, &joined, b);
            }
            let remote_fp = docs::fingerprint(&joined);
            let applied = match local::apply(&mut local, &self.memo, &id, &joined) {
                Ok(a) => a,
                Err(NotApplied::Store(StoreError::Newer { .. })) => {
                    self.report.newer.push(key);
                    self.give_up(&id);
                    continue;
                }
                Err(NotApplied::Store(e)) => {
                    // Storage is full or gone: what was applied so far is remembered; the
                    // rest (and the checkpoint) waits for the next round.
                    let _ = self.memo.save(store);
                    return Err(SyncProblem::LocalStore(e));
                }
                Err(NotApplied::Refused(why)) => {
                    self.refuse(&id, &why);
                    self.give_up(&id);
                    continue;
                }
            };
            if applied.changed {
                self.report.pulled += 1;
            }
            self.report.written.extend(applied.written);
            let conflicted = revs.len() > 1;
            let in_step = applied.local.as_deref() == Some(remote_fp.as_str());
            self.memo.docs.insert(
                key,
                Record::new(
                    winner.clone(),
                    applied.local.clone().filter(|_| in_step && !conflicted),
                ),
            );
            let rewrite = self.plain_seen.remove(&id);
            if all_good && (conflicted || rewrite || (!in_step && applied.local.is_some())) {
                // The join of every leaf and of what is here, on the winner; losers deleted.
                let losers = revs[1..].to_vec();
                self.write_back(&mut local, &id, Some(winner), losers, Some(joined));
            }
        }
        for id in absent {
            self.write_back(&mut local, &id, None, Vec::new(), None);
        }
        self.memo.save(store).map_err(SyncProblem::LocalStore)?;
        Ok(())
    }

    /// Note the join of document `id` (what is here now) to write on `winner`, deleting
    /// `losers`; `fallback`: what to write if nothing local can be (the leaves' join).
    fn write_back(
        &mut self,
        local: &mut Local<'_>,
        id: &DocId,
        winner: Option<String>,
        losers: Vec<String>,
        fallback: Option<Body>,
    ) {
        let Some(body) = local.body(id, &self.opts.now).or(fallback) else {
            return;
        };
        let fingerprint = local
            .fingerprint(id, &self.memo)
            .unwrap_or_else(|| docs::fingerprint(&body));
        self.resolutions.push(Resolution {
            id: id.clone(),
            winner,
            losers,
            body,
            fingerprint,
        });
    }

    /// Leave document `id` alone for the rest of the round (it cannot be taken or written).
    fn give_up(&mut self, id: &DocId) {
        self.conflict_tries
            .insert(id.clone(), MAX_CONFLICT_TRIES + 1);
        self.push_ids.retain(|x| x != id);
    }

    fn refuse(&mut self, id: &DocId, why: &str) {
        self.report.refused.push(Refusal {
            id: id.to_string(),
            why: why.chars().take(500).collect(),
        });
    }

    /// The next `_bulk_docs` of joins (and their losers' deletions): as many as fit in
    /// [`POST_BYTES`], at least one; sealed when the database is encrypted.
    fn post_next(&mut self) -> Need {
        let mut bytes = 0;
        let mut take = 0;
        for r in &self.resolutions {
            bytes += docs::fields_of(&r.body).to_string().len();
            take += 1;
            if bytes >= POST_BYTES {
                break;
            }
        }
        self.posting = self.resolutions.drain(..take).collect();
        let sealed: Vec<Sealed> = if self.encrypted {
            self.sealed.drain(..take.min(self.sealed.len())).collect()
        } else {
            Vec::new()
        };
        let mut sealed = sealed.into_iter();
        let mut docs_out = Vec::new();
        for r in &self.posting {
            let payload = match sealed.next() {
                Some(s) => Payload::Sealed(s),
                None => Payload::Plain(docs::fields_of(&r.body)),
            };
            docs_out.push(docs::to_server(&r.id, r.winner.as_deref(), &payload));
            for loser in &r.losers {
                docs_out.push(json!({ "_id": r.id.to_string(), "_rev": loser, "_deleted": true }));
            }
        }
        let url = self.db("_bulk_docs");
        self.request("POST", url, Some(json!({ "docs": docs_out })))
    }

    /// The plaintexts to seal for `bodies`.
    fn to_seal<'b>(bodies: impl Iterator<Item = (&'b DocId, &'b Body)>) -> Vec<(String, String)> {
        bodies
            .map(|(id, b)| (crypto::aad(id), docs::fields_of(b).to_string()))
            .collect()
    }

    /// The answer to writing joins: each written one is in step; one written over meanwhile
    /// goes round again.
    fn resolved(&mut self, store: &dyn KeyValueStore, body: &str) -> Result<(), SyncProblem> {
        let results = bulk_results(body)?;
        let posting = std::mem::take(&mut self.posting);
        for r in posting {
            let key = r.id.to_string();
            // The first result for an id is the join's (the losers' deletions follow).
            let items = results.get(&key).cloned().unwrap_or_default();
            match items.first().cloned() {
                Some((Some(rev), _)) => {
                    let mut record = Record::new(rev, Some(r.fingerprint));
                    record.dead = items[1..]
                        .iter()
                        .filter_map(|(rev, _)| rev.clone())
                        .collect();
                    self.memo.docs.insert(key, record);
                    if r.losers.is_empty() {
                        self.report.pushed += 1;
                    } else {
                        self.report.resolved += 1;
                    }
                }
                Some((None, Some((error, _)))) if error == "conflict" => {
                    let tries = self.conflict_tries.entry(r.id.clone()).or_default();
                    *tries += 1;
                    if *tries <= MAX_CONFLICT_TRIES {
                        self.push_ids.push_front(r.id.clone());
                    } else {
                        self.report.rejected.push(Refusal {
                            id: key,
                            why: "it was written over again and again; it is sent next time".into(),
                        });
                    }
                }
                Some((None, Some((error, reason)))) => {
                    self.report.rejected.push(Refusal {
                        id: key,
                        why: format!("{error}: {reason}").chars().take(500).collect(),
                    });
                    self.give_up(&r.id);
                }
                _ => self.report.rejected.push(Refusal {
                    id: key,
                    why: "the server did not say".into(),
                }),
            }
        }
        self.memo.save(store).map_err(SyncProblem::LocalStore)
    }

    fn put_checkpoint(&mut self) -> Need {
        let mut body = json!({
            "session": self.memo.session,
            "since": self.memo.since,
            "replica": self.memo.replica,
        });
        if let Some(rev) = &self.memo.checkpoint_rev {
            body["_rev"] = rev.clone().into();
        }
        let url = self.db(&self.memo.checkpoint_id());
        self.request("PUT", url, Some(body))
    }

    // --- Moving on --------------------------------------------------------------------------

    /// Run the steps that need nothing from outside, up to the next need.
    fn advance(&mut self, store: &dyn KeyValueStore) -> Result<Need, SyncProblem> {
        loop {
            match self.phase.clone() {
                Phase::Welcome => {
                    let url = self.config.server.clone();
                    return Ok(self.request("GET", url, None));
                }
                Phase::Probe => {
                    let url = self.db("");
                    return Ok(self.request("GET", url, None));
                }
                Phase::Checkpoint => {
                    let url = self.db(&self.memo.checkpoint_id());
                    return Ok(self.request("GET", url, None));
                }
                Phase::ReadCrypto => {
                    let url = self.db("_all_docs?include_docs=true");
                    let keys = json!({ "keys": [DocId::Crypto.to_string()] });
                    return Ok(self.request("POST", url, Some(keys)));
                }
                Phase::Unlocking => {
                    let c = self.crypto.clone().expect("read before unlocking");
                    return Ok(self.wait(Need::Unlock {
                        salt: c.salt,
                        iterations: c.iterations,
                        check: c.check,
                    }));
                }
                Phase::Changes => {
                    let url = self.db(&format!(
                        "_changes?style=all_docs&since={}&limit={}",
                        url_encode(&self.memo.since_param()),
                        self.opts.limit
                    ));
                    return Ok(self.request("GET", url, None));
                }
                Phase::Fetch => {
                    if self.to_fetch.is_empty() {
                        self.phase = Phase::Leaves(None);
                        continue;
                    }
                    let keys: Vec<String> = std::mem::take(&mut self.to_fetch)
                        .iter()
                        .map(DocId::to_string)
                        .collect();
                    let url = self.db("_all_docs?include_docs=true&conflicts=true");
                    return Ok(self.request("POST", url, Some(json!({ "keys": keys }))));
                }
                Phase::Leaves(_) => {
                    if let Some(id) = self.leaves_queue.pop_front() {
                        self.phase = Phase::Leaves(Some(id.clone()));
                        let url = self.db(&format!("{id}?open_revs=all"));
                        return Ok(self.request("GET", url, None));
                    }
                    self.phase = Phase::Open;
                }
                Phase::Open => {
                    if let Some(raw) = self.crypto_seen.take() {
                        let known = self.crypto.as_ref().map(CryptoDoc::fingerprint);
                        let seen = crypto::read_crypto_doc(&raw).ok().map(|d| d.fingerprint());
                        if seen.is_none() && known.is_some() {
                            return Err(SyncProblem::EncryptionChanged);
                        }
                        if seen.is_some() && seen != known {
                            // The database became encrypted, or another key: read it and
                            // unlock before taking anything.
                            self.fetched.clear();
                            self.leaves_queue.clear();
                            self.crypto = None;
                            self.encrypted = false;
                            self.phase = Phase::ReadCrypto;
                            continue;
                        }
                    }
                    self.police_payloads();
                    let sealed = self.sealed_payloads();
                    if !sealed.is_empty() {
                        return Ok(self.wait(Need::Open(sealed)));
                    }
                    self.apply(store)?;
                    self.phase = Phase::ResolveSeal;
                }
                Phase::ResolveSeal => {
                    if self.resolutions.is_empty() {
                        self.phase = Phase::AfterApply;
                        continue;
                    }
                    if self.encrypted {
                        let plain =
                            Self::to_seal(self.resolutions.iter().map(|r| (&r.id, &r.body)));
                        return Ok(self.wait(Need::Seal(plain)));
                    }
                    self.phase = Phase::ResolvePost;
                }
                Phase::ResolvePost => return Ok(self.post_next()),
                Phase::AfterApply => match std::mem::replace(&mut self.origin, Origin::Push) {
                    Origin::Pull { last_seq, more } => {
                        if !last_seq.is_null() {
                            self.memo.since = last_seq;
                        }
                        self.memo.save(store).map_err(SyncProblem::LocalStore)?;
                        self.phase = if more {
                            Phase::Changes
                        } else if self.echo && (!self.echo_fetched || self.cycles >= MAX_CYCLES) {
                            Phase::SaveCheckpoint { retried: false }
                        } else if self.echo {
                            // The echo brought something: push again what it left to send.
                            self.echo = false;
                            self.echo_fetched = false;
                            self.collected = false;
                            Phase::PushCollect
                        } else if self.make_key {
                            Phase::MakeKey
                        } else {
                            Phase::PushCollect
                        };
                    }
                    Origin::Push => self.phase = Phase::PushCollect,
                },
                Phase::MakeKey => {
                    let salt = self.opts.random[..SALT_BYTES].to_vec();
                    return Ok(self.wait(Need::NewKey {
                        salt,
                        iterations: KDF_ITERATIONS,
                    }));
                }
                Phase::PutCrypto => {
                    let doc = self.crypto.clone().expect("made before");
                    let url = self.db("crypto");
                    return Ok(self.request("PUT", url, Some(crypto::crypto_doc_json(&doc, None))));
                }
                Phase::PushCollect => {
                    if self.opts.purpose == Purpose::Test {
                        self.phase = Phase::Finished;
                        continue;
                    }
                    if !self.collected {
                        self.collected = true;
                        let mut local = Local::new(store);
                        let tries = &self.conflict_tries;
                        let mut ids: Vec<DocId> =
                            local::changed_ids(&mut local, &self.memo, &self.opts.scope)
                                .into_iter()
                                .map(|(id, _)| id)
                                .filter(|id| {
                                    tries.get(id).copied().unwrap_or(0) <= MAX_CONFLICT_TRIES
                                })
                                .collect();
                        ids.retain(|id| !self.push_ids.contains(id));
                        self.push_ids.extend(ids);
                    }
                    let batch: Vec<DocId> = (0..PUSH_BATCH)
                        .map_while(|_| self.push_ids.pop_front())
                        .collect();
                    if batch.is_empty() {
                        // Pushed everything: a last pull moves the checkpoint past it.
                        self.echo = true;
                        self.cycles += 1;
                        self.phase = Phase::Changes;
                        continue;
                    }
                    self.to_fetch = batch;
                    self.origin = Origin::Push;
                    self.phase = Phase::Fetch;
                }
                Phase::SaveCheckpoint { .. } => return Ok(self.put_checkpoint()),
                Phase::ReadCheckpointRev => {
                    let url = self.db(&self.memo.checkpoint_id());
                    return Ok(self.request("GET", url, None));
                }
                Phase::Finished => return Ok(self.finish(store)),
            }
        }
    }

    fn finish(&mut self, store: &dyn KeyValueStore) -> Need {
        self.report.since = self.memo.since_param();
        if self.opts.purpose == Purpose::Sync {
            if let Err(e) = self.memo.save(store) {
                return Need::Done(Err(SyncProblem::LocalStore(e)));
            }
            let mut local = Local::new(store);
            self.report.pending = local::changed_ids(&mut local, &self.memo, &self.opts.scope)
                .into_iter()
                .filter(|(id, _)| {
                    self.conflict_tries.get(id).copied().unwrap_or(0) <= MAX_CONFLICT_TRIES
                })
                .count();
        }
        Need::Done(Ok(std::mem::take(&mut self.report)))
    }
}

/// CouchDB's pick of a document's winning leaf: not deleted, the longest history (the number
/// before `-`), then the greatest revision.
fn winner_order(l: &Incoming) -> (bool, u64, String) {
    let (rev, deleted) = match l {
        Incoming::Doc { rev, .. } | Incoming::Bad { rev, .. } | Incoming::Newer { rev, .. } => {
            (rev.as_str(), false)
        }
        Incoming::Deleted { rev, .. } => (rev.as_str(), true),
        Incoming::Foreign { .. } => ("", true),
    };
    let generation = rev
        .split_once('-')
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(0);
    (!deleted, generation, rev.to_owned())
}

/// `_bulk_docs`'s answer by document id: per written item, the new revision, or the error
/// and its reason.
#[allow(clippy::type_complexity)]
fn bulk_results(
    body: &str,
) -> Result<BTreeMap<String, Vec<(Option<String>, Option<(String, String)>)>>, SyncProblem> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| SyncProblem::BadResponse(format!("_bulk_docs: {e}")))?;
    let items = v
        .as_array()
        .ok_or_else(|| SyncProblem::BadResponse("_bulk_docs did not answer a list".into()))?;
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for x in items {
        let Some(id) = x.get("id").and_then(Value::as_str) else {
            continue;
        };
        let rev = x
            .get("rev")
            .and_then(Value::as_str)
            .filter(|_| x.get("error").is_none())
            .map(str::to_owned);
        let error = x.get("error").and_then(Value::as_str).map(|e| {
            (
                e.to_owned(),
                x.get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            )
        });
        out.entry(id.to_owned()).or_default().push((rev, error));
    }
    Ok(out)
}

fn sealed_or(input: Input) -> Result<Vec<Sealed>, SyncProblem> {
    match input {
        Input::Sealed(Ok(s)) => Ok(s),
        Input::Sealed(Err(CryptoError::Unavailable(why))) => {
            Err(SyncProblem::CryptoUnavailable(why))
        }
        Input::Sealed(Err(CryptoError::WrongKey)) => {
            Err(SyncProblem::CryptoUnavailable("sealing failed".into()))
        }
        other => Err(unexpected(&other)),
    }
}

fn unexpected(input: &Input) -> SyncProblem {
    let what = match input {
        Input::Start => "a new start",
        Input::Http(_) => "an HTTP answer",
        Input::Unlocked(_) => "an unlocked key",
        Input::KeyMade(_) => "a new key",
        Input::Sealed(_) => "sealed documents",
        Input::Opened(_) => "opened documents",
    };
    SyncProblem::BadResponse(format!("unexpected {what}"))
}

/// The request to send: JSON both ways, Basic credentials when signing in with a password,
/// cookies only when signing in with a session cookie.
pub fn http_request(
    config: &SyncConfig,
    authorization: Option<&str>,
    method: &'static str,
    url: String,
    body: Option<Value>,
) -> HttpRequest {
    let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    if let Some(a) = authorization {
        headers.push(("Authorization".to_owned(), a.to_owned()));
    }
    HttpRequest {
        method,
        url,
        headers,
        body: body.map(|b| b.to_string()),
        cookies: config.auth == Auth::Cookie,
        timeout_ms: REQUEST_TIMEOUT_MS,
    }
}

/// The problem a failed request is.
pub fn net_problem(config: &SyncConfig, e: NetError) -> SyncProblem {
    match e {
        NetError::Offline => SyncProblem::Offline,
        NetError::Unreachable | NetError::Aborted => SyncProblem::Unreachable,
        NetError::Cors => SyncProblem::Cors {
            origin: config.origin().to_owned(),
        },
        NetError::Timeout => SyncProblem::Timeout,
    }
}

/// The problem a non-2xx answer is: 401 the credentials, 403 the database's members, 404 the
/// database, anything else the server (with its `reason`).
pub fn status_problem(config: &SyncConfig, resp: &HttpResponse) -> SyncProblem {
    let v: Value = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
    let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    match resp.status {
        401 => SyncProblem::Auth {
            cookie: config.auth == Auth::Cookie,
        },
        403 => SyncProblem::Forbidden,
        404 if field("reason").contains("not exist")
            || field("reason") == "missing"
            || field("error") == "not_found" =>
        {
            SyncProblem::NoDatabase {
                database: config.database.clone(),
            }
        }
        status => SyncProblem::Server {
            status,
            reason: {
                let reason = format!("{} {}", field("error"), field("reason"));
                reason.trim().chars().take(200).collect()
            },
        },
    }
}

/// `%`-encodes what a query value must not carry as it is.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The live feed's request: `_changes?feed=longpoll` since `since`, answered when something
/// changes or after [`LONGPOLL_MS`].
pub fn longpoll_request(config: &SyncConfig, secrets: &SyncSecrets, since: &str) -> HttpRequest {
    let mut r = http_request(
        config,
        authorization(config, secrets).as_deref(),
        "GET",
        format!(
            "{}_changes?feed=longpoll&since={}&timeout={LONGPOLL_MS}&limit=1",
            config.db_url(),
            url_encode(since)
        ),
        None,
    );
    r.timeout_ms = LONGPOLL_MS + 20_000;
    r
}

/// What the live feed's answer says: whether something changed, and the sequence to wait from
/// next.
pub fn longpoll_result(
    config: &SyncConfig,
    r: Result<HttpResponse, NetError>,
) -> Result<(bool, Option<String>), SyncProblem> {
    let resp = r.map_err(|e| net_problem(config, e))?;
    if !(200..300).contains(&resp.status) {
        return Err(status_problem(config, &resp));
    }
    let v: Value = serde_json::from_str(&resp.body)
        .map_err(|e| SyncProblem::BadResponse(format!("_changes: {e}")))?;
    let changed = v
        .get("results")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty());
    Ok((changed, v.get("last_seq").map(since_param)))
}

/// The `Authorization` header for `config` (password sign-in only).
pub fn authorization(config: &SyncConfig, secrets: &SyncSecrets) -> Option<String> {
    (config.auth == Auth::Password).then(|| {
        format!(
            "Basic {}",
            base64::encode(format!("{}:{}", config.user, secrets.password).as_bytes())
        )
    })
}

/// Signing in with a session cookie: `POST /_session` with the user name and `password` (not
/// stored); the browser keeps the cookie the server sets.
pub fn sign_in_request(config: &SyncConfig, password: &str) -> HttpRequest {
    let mut r = http_request(
        config,
        None,
        "POST",
        format!("{}_session", config.server),
        Some(json!({ "name": config.user, "password": password })),
    );
    r.cookies = true;
    r
}

pub fn sign_in_result(
    config: &SyncConfig,
    r: Result<HttpResponse, NetError>,
) -> Result<(), SyncProblem> {
    let resp = r.map_err(|e| net_problem(config, e))?;
    match resp.status {
        200..=299 => Ok(()),
        401 => Err(SyncProblem::Auth { cookie: false }),
        _ => Err(status_problem(config, &resp)),
    }
}

/// Creating the database (`PUT /db`), which only a server admin may do.
pub fn create_db_request(config: &SyncConfig, secrets: &SyncSecrets) -> HttpRequest {
    http_request(
        config,
        authorization(config, secrets).as_deref(),
        "PUT",
        config.db_url(),
        None,
    )
}

pub fn create_db_result(
    config: &SyncConfig,
    r: Result<HttpResponse, NetError>,
) -> Result<(), SyncProblem> {
    let resp = r.map_err(|e| net_problem(config, e))?;
    match resp.status {
        // 412: it exists already — fine.
        200..=299 | 412 => Ok(()),
        _ => Err(status_problem(config, &resp)),
    }
}
