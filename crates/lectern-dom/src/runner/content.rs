//! Where article content lives, for the runner: IndexedDB ([`ContentDb`]) as the source of
//! truth, with the most recently opened articles also in `localStorage` (the first paint reads
//! them at once); or `localStorage` alone where the browser has no usable IndexedDB.
//!
//! The transactions that span both stores are here, in the order that keeps them all or
//! nothing: content before the list entry (and out again if the entry cannot be written); a
//! restore's journal (naming the contents it writes) before the contents, the contents before
//! the other keys. Moving contents out of `localStorage` copies each, reads it back and
//! compares before the `localStorage` copy goes, so a migration cut short just resumes.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use js_sys::Promise;
use lectern_core::article::Article;
use lectern_core::export::backup::{
    apply_local, begin_journal, clamp_times, merge_backup, plan_changes, Backup, CurrentData,
    Restored, RESTORE_JOURNAL_KEY,
};
use lectern_core::library::{
    self, article_key, article_record, parse_article, ArticleMeta, LibraryDoc, SEED_ID,
};
use lectern_core::storage::{KeyValueStore, StoreError};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::content_db::{ContentDb, DB_NAME};

/// Where contents are.
#[derive(Clone)]
pub enum Tier {
    /// Not decided yet (IndexedDB is being opened).
    Starting,
    Idb(ContentDb),
    /// No usable IndexedDB: `localStorage` holds every content.
    Local,
}

/// The content tier and a promise that settles once it is decided.
pub struct Contents {
    pub tier: RefCell<Tier>,
    ready: Promise,
    resolve: RefCell<Option<js_sys::Function>>,
}

impl Default for Contents {
    fn default() -> Contents {
        Contents::new()
    }
}

impl Contents {
    pub fn new() -> Contents {
        let slot: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
        let s = slot.clone();
        let ready = Promise::new(&mut move |resolve, _| *s.borrow_mut() = Some(resolve));
        let resolve = slot.borrow_mut().take();
        Contents {
            tier: RefCell::new(Tier::Starting),
            ready,
            resolve: RefCell::new(resolve),
        }
    }

    /// Resolves once the tier is decided.
    pub async fn ready(&self) {
        let _ = JsFuture::from(self.ready.clone()).await;
    }

    fn decide(&self, tier: Tier) {
        *self.tier.borrow_mut() = tier;
        if let Some(r) = self.resolve.borrow_mut().take() {
            let _ = r.call0(&JsValue::NULL);
        }
    }

    pub(crate) fn db(&self) -> Option<ContentDb> {
        match &*self.tier.borrow() {
            Tier::Idb(db) => Some(db.clone()),
            _ => None,
        }
    }

    /// Open the database, move contents over from `localStorage`, and find stored articles the
    /// list lost; `discard` are contents a restore cut short wrote. Returns why there is no
    /// IndexedDB (contents stay in `localStorage`), and the entries to merge into the list:
    /// articles listed again, and entries given the excerpt they lacked (lists written before
    /// excerpts; changed at `now`).
    pub async fn start(
        &self,
        store: &dyn KeyValueStore,
        discard: &[String],
        seed: &Article,
        now: &str,
    ) -> (Option<String>, Vec<ArticleMeta>) {
        self.start_in(DB_NAME, store, discard, seed, now).await
    }

    /// [`Contents::start`] with the database named `name` (tests use their own).
    pub async fn start_in(
        &self,
        name: &str,
        store: &dyn KeyValueStore,
        discard: &[String],
        seed: &Article,
        now: &str,
    ) -> (Option<String>, Vec<ArticleMeta>) {
        let db = match ContentDb::open(name).await {
            Ok(db) => db,
            Err(e) => {
                self.decide(Tier::Local);
                let found = backfill(store, None, seed, now).await;
                return (Some(e.to_string()), found);
            }
        };
        let _ = db.delete_all(discard).await;
        // Contents still in localStorage: copied, read back and compared, then (but for the
        // first paint's few) taken out of localStorage.
        let prefix = article_key("");
        let local: Vec<(String, String)> = store
            .keys()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|k| {
                let id = k.strip_prefix(&prefix)?.to_owned();
                lectern_core::route::is_valid_id(&id).then_some(id)
            })
            .filter_map(|id| Some((id.clone(), store.get(&article_key(&id)).ok()??)))
            .collect();
        if !local.is_empty() && db.put_all(&local).await.is_ok() {
            super::derived::note_sizes(&db, &local).await;
            let mut copied = Vec::new();
            for (id, record) in &local {
                if db.get(id).await.ok().flatten().as_deref() == Some(record.as_str()) {
                    copied.push(id.clone());
                }
            }
            let lib = library::load_library(store, seed).value;
            let opened = opened_times(store, &copied);
            for id in library::cache_to_drop(&copied, &opened, &lib) {
                let _ = store.remove(&article_key(id));
            }
        }
        // Stored articles the list lost (a list that did not parse, a write cut short).
        let lib = library::load_library(store, seed).value;
        let keys = db.keys().await.unwrap_or_default();
        let mut recovered = Vec::new();
        for id in library::unlisted(&lib, &keys) {
            if let Some(a) = db
                .get(id)
                .await
                .ok()
                .flatten()
                .and_then(|r| parse_article(&r).ok())
                .filter(|a| a.id == id)
            {
                recovered.push(ArticleMeta::of(&a, "", None));
            }
        }
        recovered.extend(backfill(store, Some(&db), seed, now).await);
        self.decide(Tier::Idb(db));
        (None, recovered)
    }

    /// Article `id`'s record: `localStorage` first (the cache, or every content without
    /// IndexedDB), then IndexedDB.
    pub async fn get(
        &self,
        store: &dyn KeyValueStore,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        if let Some(r) = store.get(&article_key(id))? {
            return Ok(Some(r));
        }
        self.ready().await;
        match self.db() {
            Some(db) => db.get(id).await,
            None => Ok(None),
        }
    }

    /// Every stored content, by id.
    pub async fn all(
        &self,
        store: &dyn KeyValueStore,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        self.ready().await;
        let mut out: BTreeMap<String, String> = match self.db() {
            Some(db) => db.get_all().await?.into_iter().collect(),
            None => BTreeMap::new(),
        };
        // localStorage copies (all of them without IndexedDB; the cache otherwise).
        let prefix = article_key("");
        for k in store.keys().unwrap_or_default() {
            if let Some(id) = k
                .strip_prefix(&prefix)
                .filter(|id| lectern_core::route::is_valid_id(id))
            {
                if !out.contains_key(id) {
                    if let Ok(Some(r)) = store.get(&k) {
                        out.insert(id.to_owned(), r);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Store an imported article: its content first, then its list entry; the content goes
    /// again if the entry cannot be written. Returns the list as now stored.
    pub async fn add(
        &self,
        store: &dyn KeyValueStore,
        article: &Article,
        meta: &ArticleMeta,
    ) -> Result<LibraryDoc, StoreError> {
        self.ready().await;
        let Some(db) = self.db() else {
            return library::add_article(store, article, meta);
        };
        let record = article_record(article);
        db.put_all(&[(article.id.clone(), record.clone())])
            .await
            .map_err(|e| match e {
                // IndexedDB does not say what did not fit: say it, as localStorage's errors do.
                StoreError::QuotaExceeded { .. } => StoreError::QuotaExceeded {
                    key: article_key(&article.id),
                    bytes: record.len(),
                },
                e => e,
            })?;
        super::derived::note_sizes(&db, &[(article.id.clone(), record)]).await;
        match library::list_added(store, meta) {
            Ok(doc) => Ok(doc),
            Err(e) => {
                let _ = db.delete_all(std::slice::from_ref(&article.id)).await;
                Err(e)
            }
        }
    }

    /// Delete the contents of `ids` everywhere; returns those that were stored.
    pub async fn delete(&self, store: &dyn KeyValueStore, ids: &[String]) -> Vec<String> {
        let mut found = Vec::new();
        for id in ids {
            if matches!(store.get(&article_key(id)), Ok(Some(_)))
                && store.remove(&article_key(id)).is_ok()
            {
                found.push(id.clone());
            }
        }
        if ids.is_empty() {
            return found;
        }
        self.ready().await;
        if let Some(db) = self.db() {
            let stored = db.keys().await.unwrap_or_default();
            let present: Vec<String> = ids
                .iter()
                .filter(|id| stored.contains(id))
                .cloned()
                .collect();
            if db.delete_all(&present).await.is_ok() {
                for id in present {
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
            }
        }
        found
    }

    /// Keep article `id`'s `record` in `localStorage` for the first paint, and only the few
    /// opened last (with IndexedDB; without it every content is there anyway).
    pub fn cache(
        &self,
        store: &dyn KeyValueStore,
        id: &str,
        record: &str,
        seed: &Article,
        now: &str,
    ) {
        if id == SEED_ID || self.db().is_none() {
            return;
        }
        if store.get(&article_key(id)).ok().flatten().is_none() {
            // No room is fine: the first paint then leaves this article to the app.
            let _ = store.set(&article_key(id), record);
        }
        let prefix = article_key("");
        let cached: Vec<String> = store
            .keys()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned))
            .filter(|id| lectern_core::route::is_valid_id(id))
            .collect();
        let lib = library::load_library(store, seed).value;
        let mut opened = opened_times(store, &cached);
        opened.insert(id.to_owned(), now.to_owned());
        for drop in library::cache_to_drop(&cached, &opened, &lib) {
            let _ = store.remove(&article_key(drop));
        }
    }

    /// Restore `backup` at `now`: with IndexedDB, a journal naming the new contents first, the
    /// contents (one transaction), then the other keys under the journal; any failure undoes
    /// what was written. Without it, [`lectern_core::export::backup::restore`].
    pub async fn restore(
        &self,
        store: &dyn KeyValueStore,
        backup: &Backup,
        seed: &Article,
        now: &str,
    ) -> Result<Restored, StoreError> {
        self.ready().await;
        let Some(db) = self.db() else {
            return lectern_core::export::backup::restore(store, backup, seed, now);
        };
        let mut backup = backup.clone();
        clamp_times(&mut backup, now);
        let contents = self.all(store).await?;
        let loaded = CurrentData::load_with(store, seed, Some(&contents));
        let (merged, report) = merge_backup(&loaded.data, &backup);
        if report.is_unchanged() {
            return Ok(Restored {
                report,
                data: merged,
            });
        }
        let plan = plan_changes(&loaded.data, &merged);
        let ids: Vec<String> = plan.contents.iter().map(|(id, _)| id.clone()).collect();
        if !ids.is_empty() {
            begin_journal(store, now, &ids)?;
            if let Err(e) = db.put_all(&plan.contents).await {
                let _ = store.remove(RESTORE_JOURNAL_KEY);
                return Err(e);
            }
            super::derived::note_sizes(&db, &plan.contents).await;
        }
        if let Err(e) = apply_local(store, &plan.local, &loaded.read_only, now, &ids) {
            let _ = db.delete_all(&ids).await;
            let _ = store.remove(RESTORE_JOURNAL_KEY);
            return Err(e);
        }
        Ok(Restored {
            report,
            data: merged,
        })
    }

    /// Every stored article's record size in bytes (UTF-16, as browsers count), by id: from
    /// the sizes kept beside the texts, reading only the records whose size is not kept
    /// ([`super::derived::sizes`]).
    pub async fn sizes(&self, store: &dyn KeyValueStore) -> HashMap<String, u64> {
        // Asked for as the app starts: wait for the tier, or a database not yet open reads as
        // no database (and the library reported 0 bytes for hundreds of articles).
        self.ready().await;
        let Some(db) = self.db() else {
            return HashMap::new();
        };
        let mut sizes = super::derived::sizes(&db).await;
        // Copies only in localStorage (none, normally: the first paint's are in both).
        let prefix = article_key("");
        for k in store.keys().unwrap_or_default() {
            if let Some(id) = k
                .strip_prefix(&prefix)
                .filter(|id| lectern_core::route::is_valid_id(id) && !sizes.contains_key(*id))
            {
                if let Ok(Some(r)) = store.get(&k) {
                    sizes.insert(id.to_owned(), lectern_core::content_sizes::record_bytes(&r));
                }
            }
        }
        sizes
    }
}

/// Listed entries without an excerpt, given the one their content has (changed at `now`, so
/// the merge keeps it).
async fn backfill(
    store: &dyn KeyValueStore,
    db: Option<&ContentDb>,
    seed: &Article,
    now: &str,
) -> Vec<ArticleMeta> {
    let lib = library::load_library(store, seed).value;
    let mut out = Vec::new();
    for m in lib.articles.iter().filter(|m| m.excerpt.is_empty()) {
        let article = if m.id == SEED_ID {
            Some(seed.clone())
        } else {
            let record = match store.get(&article_key(&m.id)) {
                Ok(Some(r)) => Some(r),
                _ => match db {
                    Some(db) => db.get(&m.id).await.ok().flatten(),
                    None => None,
                },
            };
            record.and_then(|r| parse_article(&r).ok())
        };
        let excerpt = article.as_ref().map(library::excerpt).unwrap_or_default();
        if !excerpt.is_empty() {
            out.push(ArticleMeta {
                excerpt,
                modified: now.to_owned(),
                ..m.clone()
            });
        }
    }
    out
}

/// When each of `ids` was last opened (its reading record), for the cache's order.
fn opened_times(store: &dyn KeyValueStore, ids: &[String]) -> HashMap<String, String> {
    ids.iter()
        .map(|id| {
            (
                id.clone(),
                lectern_core::reading::load_reading(store, id).opened,
            )
        })
        .collect()
}

/// `store` as the core's functions that read article texts through a [`KeyValueStore`] (the
/// notebook's edits and exports, sync) need it: a text not in `localStorage` is found in
/// IndexedDB ([`Contents::with_texts`]). Writes and removals of texts are kept here (see
/// [`TextView::written`]) when texts live in IndexedDB, and go to `store` otherwise; every
/// other key is `store`'s.
pub struct TextView<'s> {
    store: &'s dyn KeyValueStore,
    /// Texts read from IndexedDB (or written here), by id; `None`: removed here.
    texts: RefCell<BTreeMap<String, Option<String>>>,
    /// Texts asked for and found nowhere yet.
    missed: RefCell<std::collections::BTreeSet<String>>,
    /// Ids whose text was written or removed here.
    changed: RefCell<std::collections::BTreeSet<String>>,
    database: bool,
}

impl TextView<'_> {
    fn id_of(key: &str) -> Option<&str> {
        key.strip_prefix(lectern_core::storage::PREFIX)
            .and_then(|k| k.strip_prefix("article."))
            .filter(|id| lectern_core::route::is_valid_id(id))
    }

    /// The texts written (`Some`) or removed (`None`) through this view, by id.
    pub fn written(&self) -> Vec<(String, Option<String>)> {
        let texts = self.texts.borrow();
        self.changed
            .borrow()
            .iter()
            .map(|id| (id.clone(), texts.get(id).cloned().flatten()))
            .collect()
    }
}

impl KeyValueStore for TextView<'_> {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(id) = Self::id_of(key) {
            if let Some(t) = self.texts.borrow().get(id) {
                return Ok(t.clone());
            }
            let found = self.store.get(key)?;
            if found.is_none() && self.database {
                self.missed.borrow_mut().insert(id.to_owned());
            }
            return Ok(found);
        }
        self.store.get(key)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        match Self::id_of(key) {
            Some(id) if self.database => {
                self.texts
                    .borrow_mut()
                    .insert(id.to_owned(), Some(value.to_owned()));
                self.changed.borrow_mut().insert(id.to_owned());
                Ok(())
            }
            _ => self.store.set(key, value),
        }
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        match Self::id_of(key) {
            Some(id) if self.database => {
                self.texts.borrow_mut().insert(id.to_owned(), None);
                self.changed.borrow_mut().insert(id.to_owned());
                let _ = self.store.remove(key);
                Ok(())
            }
            _ => self.store.remove(key),
        }
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys: std::collections::BTreeSet<String> = self.store.keys()?.into_iter().collect();
        for (id, t) in self.texts.borrow().iter() {
            match t {
                Some(_) => keys.insert(article_key(id)),
                None => keys.remove(&article_key(id)),
            };
        }
        Ok(keys.into_iter().collect())
    }
}

impl Contents {
    /// Run `f` over a [`TextView`] of `store`: when it asked for texts that are only in
    /// IndexedDB, they are read and `f` runs again (what it did the first time is discarded:
    /// `f` must write nothing it did not have the text for, as the core's functions do).
    /// Returns `f`'s result and the texts it wrote or removed (to store with [`Contents::put`]).
    pub async fn with_texts<T>(
        &self,
        store: &dyn KeyValueStore,
        mut f: impl FnMut(&dyn KeyValueStore) -> T,
    ) -> (T, Vec<(String, Option<String>)>) {
        self.ready().await;
        let db = self.db();
        let view = TextView {
            store,
            texts: RefCell::default(),
            missed: RefCell::default(),
            changed: RefCell::default(),
            database: db.is_some(),
        };
        let mut out = f(&view);
        let missed = std::mem::take(&mut *view.missed.borrow_mut());
        if let (Some(db), false) = (db, missed.is_empty()) {
            for id in missed {
                if let Ok(Some(r)) = db.get(&id).await {
                    view.texts.borrow_mut().insert(id, Some(r));
                }
            }
            view.changed.borrow_mut().clear();
            out = f(&view);
        }
        let written = view.written();
        (out, written)
    }

    /// Store texts written elsewhere (`Some`) and delete removed ones (`None`), in IndexedDB
    /// (or `localStorage` without it).
    pub async fn put(
        &self,
        store: &dyn KeyValueStore,
        texts: &[(String, Option<String>)],
    ) -> Result<(), StoreError> {
        self.ready().await;
        let puts: Vec<(String, String)> = texts
            .iter()
            .filter_map(|(id, t)| Some((id.clone(), t.clone()?)))
            .collect();
        let removed: Vec<String> = texts
            .iter()
            .filter(|(_, t)| t.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        match self.db() {
            Some(db) => {
                db.put_all(&puts).await?;
                super::derived::note_sizes(&db, &puts).await;
                // A copy kept for the first paint follows (or goes, if it cannot).
                for (id, t) in &puts {
                    let key = article_key(id);
                    if matches!(store.get(&key), Ok(Some(_))) && store.set(&key, t).is_err() {
                        let _ = store.remove(&key);
                    }
                }
                if !removed.is_empty() {
                    db.delete_all(&removed).await?;
                }
            }
            None => {
                for (id, t) in &puts {
                    store.set(&article_key(id), t)?;
                }
                for id in &removed {
                    store.remove(&article_key(id))?;
                }
            }
        }
        Ok(())
    }
}

impl Contents {
    /// A [`TextView`] of `store` holding every stored text already (for sync's rounds, which
    /// look at every article and cannot stop to read one: one `getAll` per round). Texts a
    /// round writes are kept in the view: store them with [`Contents::put`].
    pub async fn text_view<'s>(&self, store: &'s dyn KeyValueStore) -> TextView<'s> {
        self.ready().await;
        let database = self.db().is_some();
        let texts = if database {
            self.all(store)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|(id, r)| (id, Some(r)))
                .collect()
        } else {
            BTreeMap::new()
        };
        TextView {
            store,
            texts: RefCell::new(texts),
            missed: RefCell::default(),
            changed: RefCell::default(),
            database,
        }
    }
}

impl TextView<'_> {
    /// The texts written or removed since the last call (see [`TextView::written`]).
    pub fn take_written(&self) -> Vec<(String, Option<String>)> {
        let out = self.written();
        self.changed.borrow_mut().clear();
        out
    }
}
