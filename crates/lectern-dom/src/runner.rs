//! The one effect runner: carries out the [`Effect`]s the core reducer returns, and turns every
//! outcome — success or failure — into an ordinary [`Action`], dispatched back.
//!
//! - Storage goes through the injected [`KeyValueStore`] (the browser's `localStorage`, or an
//!   in-memory or failing store in tests), always by the core's functions, so what is written
//!   and in which order (content before list, all or nothing) is decided and tested natively.
//! - Writes of an article's annotations are deferred (ADR 0002): queued, then written by a
//!   zero-delay timer right after the action is painted, consecutive ones as one write. While
//!   the page is hidden or being closed (`visibilitychange` to hidden, `pagehide`,
//!   `beforeunload`) they are written at once, and what is queued is flushed synchronously.
//! - Outcomes are never dispatched from inside `run` (which the app calls while its reducer is
//!   running): they are queued and dispatched from a microtask, in order.
//! - Subscriptions forward what the browser tells: another tab's `storage` events
//!   (`StoredElsewhere`) and URL changes (`RouteChanged`).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions, EventListenerPhase};
use gloo_timers::callback::Timeout;
use lectern_core::annotations_doc::{annotations_key, save_annotations, AnnotationsDoc, TextRef};
use lectern_core::effect::{DataScope, Delivery, Effect, FileRef};
use lectern_core::export::backup::CurrentData;
use lectern_core::library::{self, seed_article, LIBRARY_KEY};
use lectern_core::route;
use lectern_core::state::{Action, DataProblem, LibraryDetails, Subject};
use lectern_core::storage::{save_settings, KeyValueStore, SETTINGS_KEY};
use lectern_core::word_index::WordIndex;
use wasm_bindgen::JsCast;

use crate::env::{now_iso, random_bytes, random_uuid};

mod content;
pub use content::{Contents, Tier};
mod derived;
mod kept_index;
// --- issue 18: the notebook's and reading aloud's effects ---
mod issue18;
// --- sync (issue 17): the sync effects' arms ---
pub mod sync;

/// An article's annotations waiting to be written, with the text they are stored against.
struct Pending {
    article_id: String,
    doc: Rc<AnnotationsDoc>,
    text: Rc<lectern_core::text::ArticleText>,
    text_hash: Rc<str>,
}

/// Where outcomes go: the app's dispatcher.
pub type Dispatch = Rc<dyn Fn(Action)>;

/// See the module documentation.
pub struct Runner {
    store: Rc<dyn KeyValueStore>,
    dispatch: RefCell<Option<Dispatch>>,
    /// Outcomes waiting to be dispatched (in order).
    outbox: RefCell<VecDeque<Action>>,
    /// A microtask to empty the outbox is scheduled.
    draining: Cell<bool>,
    /// The annotations queued for writing (the latest of the article wins).
    pending: RefCell<Option<Pending>>,
    timer: RefCell<Option<Timeout>>,
    /// The page is being hidden or closed: write at once.
    hiding: Cell<bool>,
    /// Keys whose last write failed, so a later success is reported (`Saved`).
    failing: RefCell<BTreeSet<String>>,
    /// Where article content lives.
    contents: Rc<Contents>,
    /// The library's word index, built on first use.
    index: RefCell<Index>,
    // --- sync (issue 17) ---
    sync: sync::SyncRuntime,
}

/// How long after the library's details are shown the kept word index is read
/// ([`Runner::warm_index`]): out of the way of the library's first paint and its counts.
const WARM_INDEX_MS: u32 = 300;

/// The word index's state.
enum Index {
    Unbuilt,
    /// Being built; the latest query asked meanwhile.
    Building(Option<(String, Vec<String>)>),
    Ready(WordIndex),
}

impl Runner {
    pub fn new(store: Rc<dyn KeyValueStore>) -> Rc<Runner> {
        Rc::new(Runner {
            store,
            dispatch: RefCell::new(None),
            outbox: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            pending: RefCell::new(None),
            timer: RefCell::new(None),
            hiding: Cell::new(false),
            failing: RefCell::new(BTreeSet::new()),
            contents: Rc::new(Contents::new()),
            index: RefCell::new(Index::Unbuilt),
            sync: sync::SyncRuntime::default(),
        })
    }

    /// Where article content lives (tests and the benchmark read it).
    pub fn contents(&self) -> &Rc<Contents> {
        &self.contents
    }

    /// The store the runner writes to.
    pub fn store(&self) -> &Rc<dyn KeyValueStore> {
        &self.store
    }

    /// Where outcomes go from now on (outcomes of effects run before are delivered too).
    pub fn set_dispatch(self: &Rc<Self>, dispatch: Dispatch) {
        *self.dispatch.borrow_mut() = Some(dispatch);
        self.schedule_drain();
    }

    /// Report `action` (later, never from inside the caller's reducer).
    fn report(self: &Rc<Self>, action: Action) {
        self.outbox.borrow_mut().push_back(action);
        self.schedule_drain();
    }

    fn schedule_drain(self: &Rc<Self>) {
        if self.draining.replace(true) {
            return;
        }
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            me.draining.set(false);
            let Some(dispatch) = me.dispatch.borrow().clone() else {
                return;
            };
            loop {
                let next = me.outbox.borrow_mut().pop_front();
                match next {
                    Some(a) => dispatch(a),
                    None => break,
                }
            }
        });
    }

    /// Carry out `effects`, in order.
    pub fn run(self: &Rc<Self>, effects: Vec<Effect>) {
        for e in effects {
            self.run_one(e);
        }
    }

    fn run_one(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::SaveSettings(s) => {
                let outcome = save_settings(&*self.store, &s);
                self.settle(Subject::Settings, SETTINGS_KEY, outcome.map(|_| None));
            }
            Effect::SaveAnnotations {
                article_id,
                doc,
                text,
                text_hash,
            } => {
                let pending = Pending {
                    article_id,
                    doc,
                    text,
                    text_hash,
                };
                if self.page_hidden() {
                    // The page is going away: write now, there is no later.
                    self.flush();
                    self.write_annotations(&pending);
                } else {
                    self.defer(pending);
                }
            }
            Effect::SaveLibrary(doc) => {
                let outcome = library::save_merged(&*self.store, &doc);
                let stored = outcome.map(|stored| (stored != doc).then_some(stored));
                self.settle(Subject::Library, LIBRARY_KEY, stored);
            }
            Effect::AddArticle {
                batch,
                name: _,
                article,
                meta,
            } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let action = match me.contents.add(&*me.store, &article, &meta).await {
                        Ok(library) => {
                            if let Index::Ready(ix) = &mut *me.index.borrow_mut() {
                                ix.add(&article.id, &article.text());
                            }
                            Action::ArticleAdded {
                                batch,
                                meta,
                                library,
                            }
                        }
                        Err(e) => Action::ArticleNotSaved {
                            batch,
                            id: meta.id,
                            why: e.to_string(),
                        },
                    };
                    me.report(action);
                });
            }
            Effect::OpenArticle { id } => {
                // What this tab queued for the article it leaves goes first.
                self.flush();
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let action = me.open_article(&id).await;
                    me.report(action);
                });
            }
            Effect::ImportFiles { batch, files } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    for f in files {
                        let action = import_one(batch, &f).await;
                        me.report(action);
                    }
                });
            }
            Effect::ImportText { batch, name, text } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = crate::import_worker::import_text(&random_uuid(), &text).await;
                    me.report(imported(batch, name, result));
                });
            }
            Effect::ReadDataFile { scope, file } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let action = read_data_file(scope, &file).await;
                    me.report(action);
                });
            }
            Effect::RestoreBackup { name, backup } => {
                self.flush();
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let restored = me
                        .contents
                        .restore(&*me.store, &backup, &seed_article(), &now_iso())
                        .await;
                    // New texts: the word index is built again on the next search.
                    *me.index.borrow_mut() = Index::Unbuilt;
                    kept_index::forget(&me.contents).await;
                    let action = match restored {
                        Ok(r) => Action::BackupRestored {
                            name,
                            report: r.report,
                            library: r.data.library,
                            settings: r.data.settings,
                            annotations: r.data.annotations,
                        },
                        Err(e) => Action::DataImportFailed {
                            name,
                            why: DataProblem::NotSaved(e.to_string()),
                        },
                    };
                    me.report(action);
                });
            }
            Effect::ExportLibrary { format, delivery } => {
                self.flush();
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let seed = seed_article();
                    let contents = me.contents.all(&*me.store).await.ok();
                    let data = CurrentData::load_with(&*me.store, &seed, contents.as_ref()).data;
                    let file = lectern_core::export::library_file(&data, &seed, format, &now_iso());
                    deliver(delivery, &file.name, file.mime, &file.content);
                });
            }
            Effect::Deliver {
                delivery,
                name,
                mime,
                content,
            } => deliver(delivery, &name, mime, &content),
            Effect::Navigate(route) => {
                let hash = route::href(&route);
                let location = web_sys::window().map(|w| w.location());
                let current = location.as_ref().and_then(|l| l.hash().ok());
                let same = current.as_deref().map(route::parse) == Some(route.clone());
                match location {
                    Some(l) if !same => {
                        // The `hashchange` listener reports the new route.
                        let _ = l.set_hash(&hash);
                    }
                    _ => self.report(Action::RouteChanged(route)),
                }
            }
            Effect::LoadLibraryDetails => {
                // Counting reads every article's annotations (tens of thousands of highlights
                // in a big library): after the list is on screen, not before.
                let me = Rc::clone(self);
                after_paint(move || {
                    me.flush();
                    me.report(Action::LibraryDetails(Rc::new(me.library_details())));
                    // Then the word index kept by an earlier visit, so the first letter typed
                    // finds it read (a search asked meanwhile waits for it).
                    let me2 = Rc::clone(&me);
                    Timeout::new(WARM_INDEX_MS, move || me2.warm_index()).forget();
                });
            }
            Effect::SearchLibrary { query, ids } => self.search(query, ids),
            Effect::PurgeRemoved => {
                let cutoff = iso_ago(f64::from(library::UNDO_WINDOW_MS));
                let prune = iso_ago(f64::from(library::TOMBSTONE_DAYS) * 86_400_000.0);
                // Nothing else can go wrong here that the reader must act on: space not freed
                // now is freed at the next start.
                let past = library::removed_before(&self.listed(), &cutoff);
                let mut purged =
                    library::purge_removed(&*self.store, &cutoff, &prune).unwrap_or_default();
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let freed = me.contents.delete(&*me.store, &past).await;
                    for id in freed {
                        if !purged.contains(&id) {
                            purged.push(id);
                        }
                    }
                    // Their words go from the word index too (this page's and the kept one).
                    if let Index::Ready(ix) = &mut *me.index.borrow_mut() {
                        for id in &purged {
                            ix.remove(id);
                        }
                    }
                    let gone = purged.clone();
                    me.report(Action::Purged(purged));
                    kept_index::prune(&me.contents, &gone).await;
                });
            }
            Effect::LoadStorageUsage => {
                self.flush();
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let usage = me.usage().await;
                    me.report(Action::StorageUsage(Rc::new(usage)));
                });
            }
            Effect::StartContent { discard } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let (fallback, recovered) = me
                        .contents
                        .start(&*me.store, &discard, &seed_article(), &now_iso())
                        .await;
                    me.report(Action::ContentReady {
                        fallback,
                        recovered,
                    });
                });
            }
            Effect::SaveReading { id, reading } => {
                // A reading position is not the reader's work: a failed write is not reported.
                let _ = lectern_core::reading::save_reading(&*self.store, &id, &reading);
            }
            Effect::ReloadStored { keys } => {
                for key in keys {
                    let value = self.store.get(&key).ok().flatten();
                    self.report(Action::StoredElsewhere {
                        key: Some(key),
                        value,
                    });
                }
            }
            Effect::After { ms, action } => {
                let me = Rc::clone(self);
                Timeout::new(ms, move || me.report(*action)).forget();
            }
            // --- web import (issue 16) ---
            Effect::ImportWeb {
                batch,
                name,
                import,
            } => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = crate::import_worker::import_web(&random_uuid(), &import).await;
                    me.report(imported(batch, name, result));
                });
            }
            Effect::LoadWeb => {
                self.report(Action::WebLoaded(lectern_core::web::store::load_web(
                    &*self.store,
                )));
            }
            Effect::UpdateWeb(op) => self.update_web(&op),
            Effect::MakeWebToken => {
                let token: String = random_bytes().iter().map(|b| format!("{b:02x}")).collect();
                self.update_web(&lectern_core::web::store::WebOp::SetToken(token));
            }
            Effect::ForgetImages => {
                let me = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = crate::images::forget().await;
                    let usage = me.usage().await;
                    me.report(Action::StorageUsage(Rc::new(usage)));
                });
            }
            // --- issue 18 (runner/issue18.rs) ---
            Effect::Notebook(e) => self.run_notebook(e),
            Effect::Speech(e) => self.run_speech(e),
            // --- sync (issue 17) ---
            e @ (Effect::SyncLoad
            | Effect::SyncSaveConfig { .. }
            | Effect::SyncRound { .. }
            | Effect::SyncWatch { .. }
            | Effect::SyncStopWatch
            | Effect::SyncCountPending { .. }
            | Effect::SyncTest { .. }
            | Effect::SyncCreateDatabase { .. }
            | Effect::SyncSignIn { .. }) => self.run_sync(e),
        }
    }

    /// What is stored in this browser: `localStorage`, the texts (their kept sizes), the
    /// browser's estimate, the images.
    async fn usage(&self) -> lectern_core::state::StorageUsage {
        let mut usage = storage_usage(&*self.store).await;
        add_content_sizes(&mut usage, self.contents.sizes(&*self.store).await);
        usage
    }

    /// Change what the web import keeps ([`lectern_core::web::store::update`]).
    fn update_web(self: &Rc<Self>, op: &lectern_core::web::store::WebOp) {
        self.report(match lectern_core::web::store::update(&*self.store, op) {
            Ok(doc) => Action::WebSaved(doc),
            Err(e) => Action::WebNotSaved(e),
        });
    }

    /// Report the outcome of a write of `key` (about `subject`): a failure always, a success
    /// when it follows a failure (and `Some(stored)` for the library: what storage now holds,
    /// when it differs from what this tab wrote).
    fn settle(
        self: &Rc<Self>,
        subject: Subject,
        key: &str,
        outcome: Result<Option<library::LibraryDoc>, lectern_core::storage::StoreError>,
    ) {
        match outcome {
            Ok(stored) => {
                if self.failing.borrow_mut().remove(key) {
                    self.report(Action::Saved { subject });
                }
                if let Some(stored) = stored {
                    self.report(Action::LibrarySaved(stored));
                }
            }
            Err(error) => {
                self.failing.borrow_mut().insert(key.to_owned());
                self.report(Action::SaveFailed {
                    subject,
                    key: key.to_owned(),
                    error,
                });
            }
        }
    }

    fn page_hidden(&self) -> bool {
        self.hiding.get()
            || web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
    }

    /// Queue `p` (replacing an older queued document of the same article; another article's
    /// is written first) and make sure a timer will write it.
    fn defer(self: &Rc<Self>, p: Pending) {
        let id = p.article_id.clone();
        let older = self.pending.borrow_mut().replace(p);
        if let Some(older) = older.filter(|o| o.article_id != id) {
            self.write_annotations(&older);
        }
        if self.timer.borrow().is_none() {
            let me = Rc::clone(self);
            *self.timer.borrow_mut() = Some(Timeout::new(0, move || me.flush()));
        }
    }

    /// Write what is queued, now.
    pub fn flush(self: &Rc<Self>) {
        self.timer.borrow_mut().take();
        let queued = self.pending.borrow_mut().take();
        if let Some(p) = queued {
            self.write_annotations(&p);
        }
    }

    fn write_annotations(self: &Rc<Self>, p: &Pending) {
        let (article_id, doc) = (p.article_id.as_str(), &p.doc);
        let key = annotations_key(article_id);
        // Tombstones older than the stated age leave storage (lectern_core::library::TOMBSTONE_DAYS).
        let cutoff = iso_ago(f64::from(library::TOMBSTONE_DAYS) * 86_400_000.0);
        let pruned = lectern_core::annotations_doc::pruned(doc, &cutoff);
        let text = TextRef {
            text: p.text.as_str(),
            hash: &p.text_hash,
        };
        match save_annotations(
            &*self.store,
            article_id,
            pruned.as_ref().unwrap_or(doc),
            Some(text),
        ) {
            Ok(()) => {
                if self.failing.borrow_mut().remove(&key) {
                    self.report(Action::AnnotationsSaved {
                        article_id: article_id.to_owned(),
                    });
                }
            }
            Err(error) => {
                self.failing.borrow_mut().insert(key.clone());
                self.report(Action::AnnotationsNotSaved {
                    article_id: article_id.to_owned(),
                    key,
                    doc: Rc::clone(doc),
                    error,
                });
            }
        }
    }

    fn listed(&self) -> library::LibraryDoc {
        library::load_library(&*self.store, &seed_article()).value
    }

    fn library_details(&self) -> LibraryDetails {
        let listed = self.listed();
        let mut details = LibraryDetails::default();
        for m in &listed.articles {
            // Counting needs no context read back: no text.
            let doc = lectern_core::annotations_doc::load_annotations(&*self.store, &m.id, None);
            details.counts.insert(
                m.id.clone(),
                lectern_core::state::library::counts_of(&doc.value),
            );
            let r = lectern_core::reading::load_reading(&*self.store, &m.id);
            if r != lectern_core::reading::Reading::default() {
                details.reading.insert(m.id.clone(), r);
            }
        }
        details
    }

    /// Open article `id`: its content from wherever it lives, its annotations and reading
    /// record; then keep it in the first paint's cache.
    async fn open_article(self: &Rc<Self>, id: &str) -> Action {
        let record = if id == library::SEED_ID {
            Ok(None)
        } else {
            self.contents.get(&*self.store, id).await
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                return Action::OpenFailed {
                    id: id.to_owned(),
                    problem: lectern_core::storage::Problem::Unavailable { why: e.to_string() },
                }
            }
        };
        match lectern_core::startup::open_record(&*self.store, id, record.as_deref(), seed_article)
        {
            Ok((article, annotations)) => {
                if let Some(r) = &record {
                    self.contents
                        .cache(&*self.store, id, r, &seed_article(), &now_iso());
                }
                Action::ArticleOpened {
                    article: Box::new(article),
                    annotations,
                    reading: lectern_core::reading::load_reading(&*self.store, id),
                    now: now_iso(),
                }
            }
            Err(problem) => Action::OpenFailed {
                id: id.to_owned(),
                problem,
            },
        }
    }

    /// Answer `query` from the word index (built first if need be, and brought up to date with
    /// articles another tab added).
    /// Read the word index kept by an earlier visit, if none is read or being built. A search
    /// asked while it is read waits and is answered once it is in (indexing what it lacks).
    fn warm_index(self: &Rc<Self>) {
        if !matches!(*self.index.borrow(), Index::Unbuilt) || self.contents.db().is_none() {
            return;
        }
        *self.index.borrow_mut() = Index::Building(None);
        let me = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move {
            let kept = kept_index::load(&me.contents).await;
            let prev = std::mem::replace(&mut *me.index.borrow_mut(), Index::Unbuilt);
            match prev {
                Index::Building(asked) => {
                    if let Some(ix) = kept {
                        *me.index.borrow_mut() = Index::Ready(ix);
                    }
                    if let Some((query, listed)) = asked {
                        me.search(query, listed);
                    }
                }
                // Something else (a restore) changed it meanwhile: that stands.
                other => *me.index.borrow_mut() = other,
            }
        });
    }

    fn search(self: &Rc<Self>, query: String, listed: Vec<String>) {
        {
            let mut index = self.index.borrow_mut();
            match &mut *index {
                Index::Building(q) => {
                    *q = Some((query, listed));
                    return;
                }
                Index::Ready(ix) if listed.iter().all(|id| ix.contains(id)) => {
                    let ids = matches(ix, &query, &listed);
                    drop(index);
                    self.report(Action::LibraryMatches { query, ids });
                    return;
                }
                _ => {}
            }
            let wanted = listed.clone();
            let old = std::mem::replace(&mut *index, Index::Building(Some((query, listed))));
            let me = Rc::clone(self);
            wasm_bindgen_futures::spawn_local(async move {
                // The index of this page, or the one kept from an earlier visit, or none.
                let mut ix = match old {
                    Index::Ready(ix) => ix,
                    _ => kept_index::load(&me.contents).await.unwrap_or_default(),
                };
                let missing: Vec<String> = wanted
                    .iter()
                    .filter(|id| !ix.contains(id))
                    .cloned()
                    .collect();
                // Many missing (the first search): one read of everything; else one by one.
                let all = if missing.len() > 8 {
                    me.contents.all(&*me.store).await.unwrap_or_default()
                } else {
                    std::collections::BTreeMap::new()
                };
                let added = !missing.is_empty();
                for id in missing {
                    let text = if id == library::SEED_ID {
                        Some(seed_article().text())
                    } else {
                        let record = match all.get(&id) {
                            Some(r) => Some(r.clone()),
                            None => me.contents.get(&*me.store, &id).await.ok().flatten(),
                        };
                        record
                            .and_then(|r| library::parse_article(&r).ok())
                            .map(|a| a.text())
                    };
                    // An unreadable content is indexed as empty (its title still matches).
                    ix.add(&id, text.as_deref().unwrap_or(""));
                }
                drop(all);
                let prev = std::mem::replace(&mut *me.index.borrow_mut(), Index::Unbuilt);
                let Index::Building(asked) = prev else {
                    // A restore dropped the index meanwhile (its texts may differ from the
                    // ones read here): this one is neither used nor kept.
                    *me.index.borrow_mut() = prev;
                    return;
                };
                let answer = asked.map(|(q, listed)| {
                    let ids = matches(&ix, &q, &listed);
                    (q, ids)
                });
                *me.index.borrow_mut() = Index::Ready(ix);
                if let Some((query, ids)) = answer {
                    me.report(Action::LibraryMatches { query, ids });
                }
                if added {
                    // Kept once the answer is on screen, with the articles still listed.
                    kept_index::later(500).await;
                    let live: HashSet<String> =
                        me.listed().articles.into_iter().map(|m| m.id).collect();
                    let stored = match &*me.index.borrow() {
                        Index::Ready(ix) => Some(ix.to_stored(|id| live.contains(id))),
                        _ => None,
                    };
                    if let Some(stored) = stored {
                        kept_index::save(&me.contents, stored).await;
                    }
                }
            });
        }
    }

    /// Listen to the page being hidden or closed (flush the queued write synchronously), to
    /// other tabs' storage writes and to URL changes. The listeners live as long as the
    /// returned value.
    pub fn subscribe(self: &Rc<Self>) -> Vec<EventListener> {
        let Some(window) = web_sys::window() else {
            return Vec::new();
        };
        let capture = EventListenerOptions {
            phase: EventListenerPhase::Capture,
            passive: true,
        };
        let mut out = Vec::new();
        for ev in ["pagehide", "beforeunload"] {
            let me = Rc::clone(self);
            out.push(EventListener::new_with_options(
                &window,
                ev,
                capture,
                move |_| {
                    me.hiding.set(true);
                    me.flush();
                    // --- issue 18: the notebook's URL, if it waits for typing to pause ---
                    issue18::flush_route();
                },
            ));
        }
        let me = Rc::clone(self);
        out.push(EventListener::new(&window, "pageshow", move |_| {
            me.hiding.set(false)
        }));
        if let Some(doc) = window.document() {
            let me = Rc::clone(self);
            let d = doc.clone();
            out.push(EventListener::new_with_options(
                &doc,
                "visibilitychange",
                capture,
                move |_| {
                    let hidden = d.visibility_state() == web_sys::VisibilityState::Hidden;
                    me.hiding.set(hidden);
                    if hidden {
                        me.flush();
                    }
                },
            ));
        }
        let me = Rc::clone(self);
        out.push(EventListener::new(&window, "storage", move |e| {
            if let Some(e) = e.dyn_ref::<web_sys::StorageEvent>() {
                me.report(Action::StoredElsewhere {
                    key: e.key(),
                    value: e.new_value(),
                });
            }
        }));
        let me = Rc::clone(self);
        out.push(EventListener::new(&window, "hashchange", move |_| {
            let hash = current_hash();
            if is_route(&hash) {
                me.report(Action::RouteChanged(route::parse(&hash)));
            }
        }));
        // --- web import (issue 16): a share in the address; the bookmarklet's page ---
        let me = Rc::clone(self);
        out.extend(crate::web_import::subscribe(Rc::new(move |a| me.report(a))));
        // --- sync (issue 17) ---
        out.extend(self.subscribe_sync());
        out
    }
}

/// The listed articles `ix` finds for `query`.
fn matches(ix: &WordIndex, query: &str, listed: &[String]) -> Vec<String> {
    let Some(found) = ix.search(query) else {
        return Vec::new();
    };
    let found: HashSet<&str> = found.into_iter().collect();
    listed
        .iter()
        .filter(|id| found.contains(id.as_str()))
        .cloned()
        .collect()
}

/// Add the contents kept in IndexedDB (`sizes`, by id) to what each article takes.
fn add_content_sizes(usage: &mut lectern_core::state::StorageUsage, sizes: HashMap<String, u64>) {
    if sizes.is_empty() {
        return;
    }
    let mut by: HashMap<String, u64> = usage.by_article.drain(..).collect();
    usage.content_bytes = sizes.values().sum();
    for (id, bytes) in sizes {
        *by.entry(id).or_default() += bytes;
    }
    usage.by_article = by.into_iter().collect();
    usage
        .by_article
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

/// Run `f` once the browser has painted what is on screen now: at the next animation frame,
/// in a task of its own (so the frame is not held up).
/// A hidden page gets no frames: then it runs after 100 ms.
fn after_paint(f: impl FnOnce() + 'static) {
    let once = Rc::new(RefCell::new(Some(f)));
    let run = {
        let once = Rc::clone(&once);
        move || {
            let f = once.borrow_mut().take();
            if let Some(f) = f {
                f();
            }
        }
    };
    let by_frame = run.clone();
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        Timeout::new(0, by_frame).forget();
    });
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(cb.unchecked_ref());
    }
    Timeout::new(100, run).forget();
}

/// What an import of `name` (of `batch`) by the worker came to, as the action reporting it.
fn imported(
    batch: u32,
    name: String,
    result: Result<
        Result<lectern_core::article::Article, lectern_core::import::ImportError>,
        String,
    >,
) -> Action {
    match result {
        Ok(article) => Action::ArticleImported {
            batch,
            name,
            article,
            now: now_iso(),
        },
        Err(why) => Action::ImportFailed { batch, name, why },
    }
}

/// ISO 8601 UTC of `ms` milliseconds ago.
pub fn iso_ago(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(js_sys::Date::now() - ms));
    String::from(d.to_iso_string())
}

/// What Lectern keeps in `store`, by article, and the browser's estimate for the site.
async fn storage_usage(store: &dyn KeyValueStore) -> lectern_core::state::StorageUsage {
    let mut usage = lectern_core::state::StorageUsage::default();
    let mut by_article: HashMap<String, u64> = HashMap::new();
    let article = library::article_key("");
    let annotations = annotations_key("");
    for key in store.keys().unwrap_or_default() {
        if !key.starts_with(lectern_core::storage::PREFIX) {
            continue;
        }
        let Ok(Some(value)) = store.get(&key) else {
            continue;
        };
        // Browsers count localStorage in UTF-16 code units, two bytes each.
        let bytes = 2
            * (lectern_core::text::utf16_len(&key) + lectern_core::text::utf16_len(&value)) as u64;
        usage.local_bytes += bytes;
        let id = key
            .strip_prefix(&article)
            .or_else(|| key.strip_prefix(&annotations));
        if let Some(id) = id.filter(|id| lectern_core::route::is_valid_id(id)) {
            *by_article.entry(id.to_owned()).or_default() += bytes;
        }
    }
    usage.by_article = by_article.into_iter().collect();
    usage
        .by_article
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    usage.estimate = estimate().await;
    // --- images (issue 16) ---
    usage.images = crate::images::kept().await;
    usage
}

/// `navigator.storage.estimate()`: (usage, quota) in bytes, where the browser has it.
async fn estimate() -> Option<(u64, u64)> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.estimate().ok()?;
    let e = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let num = |k: &str| {
        js_sys::Reflect::get(&e, &k.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    Some((num("usage")? as u64, num("quota")? as u64))
}

/// The URL's hash (`#/a/…`), or empty.
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Only `#/…` and the empty hash are routes; `#article` (the skip link) is an in-page anchor.
pub fn is_route(hash: &str) -> bool {
    hash.is_empty() || hash == "#" || hash.starts_with("#/")
}

fn deliver(delivery: Delivery, name: &str, mime: &str, content: &str) {
    match delivery {
        Delivery::Download => {
            let _ = crate::env::download(name, mime, content);
        }
        Delivery::Clipboard => crate::env::copy_text(content),
    }
}

/// Read one file and import it in the worker.
async fn import_one(batch: u32, f: &FileRef) -> Action {
    let name = f.name.clone();
    let Some(file) = crate::files::take(f) else {
        return Action::ImportFailed {
            batch,
            name,
            why: "the file is no longer available".to_owned(),
        };
    };
    let read = crate::files::read(&file).await;
    match read.bytes {
        Err(why) => Action::ImportFailed { batch, name, why },
        Ok(bytes) => {
            let result = crate::import_worker::import_file(&random_uuid(), &name, &bytes).await;
            imported(batch, name, result)
        }
    }
}

/// Read a backup or annotations file as text.
async fn read_data_file(scope: DataScope, f: &FileRef) -> Action {
    let name = f.name.clone();
    let text = match crate::files::take(f) {
        None => Err(DataProblem::NotSaved(
            "the file is no longer available".to_owned(),
        )),
        Some(file) => match crate::files::read(&file).await.bytes {
            Err(why) => Err(DataProblem::NotSaved(why)),
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| DataProblem::Undecodable),
        },
    };
    Action::DataFileRead {
        scope,
        name,
        text,
        id_seed: random_bytes(),
        now: now_iso(),
    }
}
