//! Article content in IndexedDB: one record per article (the same versioned envelope string
//! `localStorage` held), so a library of thousands fits — `localStorage` holds about 5 million
//! characters for the whole site.
//!
//! A thin typed wrapper over `IDBDatabase`: every call is a promise, every failure a
//! [`StoreError`] (`QuotaExceeded` for a full disk, `Unavailable` for no or blocked
//! IndexedDB, `Other` with the browser's words otherwise). Writes of several records are one
//! transaction: all are stored, or none (an aborted transaction leaves the previous state).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise};
use lectern_core::storage::StoreError;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The database and its one object store.
pub const DB_NAME: &str = "lectern";
pub const STORE: &str = "articles";
const VERSION: u32 = 1;
/// How long opening waits for another tab holding an older version open.
const OPEN_WAIT_MS: i32 = 5_000;

/// An open content database.
#[derive(Clone)]
pub struct ContentDb {
    db: web_sys::IdbDatabase,
}

fn describe(e: &JsValue) -> String {
    if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
        format!("{}: {}", d.name(), d.message())
    } else if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        String::from(err.message())
    } else {
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    }
}

/// The [`StoreError`] of a browser error: `QuotaExceededError` → `QuotaExceeded`, a closed or
/// forbidden database → `Unavailable`, anything else → `Other` with the browser's words.
pub fn error_of(e: &JsValue) -> StoreError {
    let name = e
        .dyn_ref::<web_sys::DomException>()
        .map(web_sys::DomException::name)
        .unwrap_or_default();
    match name.as_str() {
        "QuotaExceededError" => StoreError::QuotaExceeded {
            key: STORE.to_owned(),
            bytes: 0,
        },
        "InvalidStateError" | "SecurityError" | "UnknownError" => {
            StoreError::Unavailable(describe(e))
        }
        _ => StoreError::Other(describe(e)),
    }
}

/// A promise settled by `request`'s `success` (with its result) or `error` (its error).
fn request_promise(request: &web_sys::IdbRequest) -> Promise {
    let req = request.clone();
    Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let fail = Closure::once_into_js(move |e: web_sys::Event| {
            e.prevent_default();
            let err = r
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("the request failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &err);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(fail.unchecked_ref()));
    })
}

/// A promise settled when `tx` completes (resolve) or aborts / fails (reject with its error).
fn transaction_promise(tx: &web_sys::IdbTransaction) -> Promise {
    let t = tx.clone();
    Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let tt = t.clone();
        let reject2 = reject.clone();
        let failed = Closure::once_into_js(move |_: web_sys::Event| {
            let err = tt.error().map_or(
                JsValue::from_str("the transaction was aborted"),
                JsValue::from,
            );
            let _ = reject2.call1(&JsValue::NULL, &err);
        });
        let tt = t.clone();
        let aborted = Closure::once_into_js(move |_: web_sys::Event| {
            let err = tt.error().map_or(
                JsValue::from_str("the transaction was aborted"),
                JsValue::from,
            );
            let _ = reject.call1(&JsValue::NULL, &err);
        });
        t.set_oncomplete(Some(done.unchecked_ref()));
        t.set_onerror(Some(failed.unchecked_ref()));
        t.set_onabort(Some(aborted.unchecked_ref()));
    })
}

impl ContentDb {
    /// Open (creating on first use) the database named `name` ([`DB_NAME`] in the app; tests
    /// use their own). `Unavailable` when the browser has no IndexedDB, forbids it (some
    /// private modes, sandboxed frames) or another tab holds an older version open and will
    /// not let go (`blocked`).
    pub async fn open(name: &str) -> Result<ContentDb, StoreError> {
        Self::open_version(name, VERSION, OPEN_WAIT_MS).await
    }

    /// [`ContentDb::open`] at schema `version`, waiting at most `wait_ms` for other tabs to
    /// let go (tests: a newer version, a blocked upgrade).
    #[doc(hidden)]
    pub async fn open_version(
        name: &str,
        version: u32,
        wait_ms: i32,
    ) -> Result<ContentDb, StoreError> {
        let factory = web_sys::window()
            .ok_or_else(|| StoreError::Unavailable("no window".to_owned()))?
            .indexed_db()
            .map_err(|e| StoreError::Unavailable(describe(&e)))?
            .ok_or_else(|| StoreError::Unavailable("IndexedDB is not available".to_owned()))?;
        let request = factory
            .open_with_u32(name, version)
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
            move |e: web_sys::IdbVersionChangeEvent| {
                let Some(req) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::IdbOpenDbRequest>().ok())
                else {
                    return;
                };
                if let Ok(db) = req
                    .result()
                    .and_then(|r| r.dyn_into::<web_sys::IdbDatabase>())
                {
                    if !db.object_store_names().contains(STORE) {
                        let _ = db.create_object_store(STORE);
                    }
                }
            },
        );
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        // Another tab with an older version open: wait for it, but not forever.
        let blocked = Rc::new(RefCell::new(false));
        let b = blocked.clone();
        let on_blocked = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            *b.borrow_mut() = true;
        });
        request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
        let opened = request_promise(&request);
        let limit = Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, wait_ms);
            }
        });
        let result = JsFuture::from(Promise::race(&Array::of2(&opened, &limit))).await;
        drop(upgrade);
        drop(on_blocked);
        let value = result.map_err(|e| StoreError::Unavailable(describe(&e)))?;
        if value.is_undefined() {
            return Err(StoreError::Unavailable(if *blocked.borrow() {
                "IndexedDB is blocked by another tab".to_owned()
            } else {
                "IndexedDB did not open".to_owned()
            }));
        }
        let db: web_sys::IdbDatabase = value
            .dyn_into()
            .map_err(|_| StoreError::Unavailable("not a database".to_owned()))?;
        // A newer Lectern in another tab wants to upgrade: let it (this tab falls back).
        let d = db.clone();
        let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| d.close());
        db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        on_change.forget();
        Ok(ContentDb { db })
    }

    fn store(
        &self,
        mode: web_sys::IdbTransactionMode,
    ) -> Result<(web_sys::IdbTransaction, web_sys::IdbObjectStore), StoreError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(STORE, mode)
            .map_err(|e| error_of(&e))?;
        let store = tx.object_store(STORE).map_err(|e| error_of(&e))?;
        Ok((tx, store))
    }

    /// The record of article `id`, if any.
    pub async fn get(&self, id: &str) -> Result<Option<String>, StoreError> {
        let (_, store) = self.store(web_sys::IdbTransactionMode::Readonly)?;
        let req = store
            .get(&JsValue::from_str(id))
            .map_err(|e| error_of(&e))?;
        let v = JsFuture::from(request_promise(&req))
            .await
            .map_err(|e| error_of(&e))?;
        Ok(v.as_string())
    }

    /// Every article id stored.
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        let (_, store) = self.store(web_sys::IdbTransactionMode::Readonly)?;
        let req = store.get_all_keys().map_err(|e| error_of(&e))?;
        let v = JsFuture::from(request_promise(&req))
            .await
            .map_err(|e| error_of(&e))?;
        Ok(Array::from(&v)
            .iter()
            .filter_map(|k| k.as_string())
            .collect())
    }

    /// Every record, with its id, in id order (one read transaction).
    pub async fn get_all(&self) -> Result<Vec<(String, String)>, StoreError> {
        let (_, store) = self.store(web_sys::IdbTransactionMode::Readonly)?;
        let keys = JsFuture::from(request_promise(
            &store.get_all_keys().map_err(|e| error_of(&e))?,
        ));
        let values = JsFuture::from(request_promise(&store.get_all().map_err(|e| error_of(&e))?));
        let keys = keys.await.map_err(|e| error_of(&e))?;
        let values = values.await.map_err(|e| error_of(&e))?;
        Ok(Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)))
            .collect())
    }

    /// Store every `(id, record)` in one transaction: all of them, or (an error) none.
    pub async fn put_all(&self, items: &[(String, String)]) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let (tx, store) = self.store(web_sys::IdbTransactionMode::Readwrite)?;
        let done = transaction_promise(&tx);
        for (id, record) in items {
            if let Err(e) = store.put_with_key(&JsValue::from_str(record), &JsValue::from_str(id)) {
                let _ = tx.abort();
                let _ = JsFuture::from(done).await;
                return Err(error_of(&e));
            }
        }
        JsFuture::from(done).await.map_err(|e| error_of(&e))?;
        Ok(())
    }

    /// Like [`ContentDb::put_all`], but the transaction is aborted after `n` records are
    /// written (a test of what an interrupted write leaves: nothing).
    #[doc(hidden)]
    pub async fn put_all_aborting_after(
        &self,
        items: &[(String, String)],
        n: usize,
    ) -> Result<(), StoreError> {
        let (tx, store) = self.store(web_sys::IdbTransactionMode::Readwrite)?;
        let done = transaction_promise(&tx);
        for (id, record) in items.iter().take(n) {
            let _ = store.put_with_key(&JsValue::from_str(record), &JsValue::from_str(id));
        }
        let _ = tx.abort();
        JsFuture::from(done).await.map_err(|e| error_of(&e))?;
        Ok(())
    }

    /// Delete the records of `ids` (absent ones are fine), in one transaction.
    pub async fn delete_all(&self, ids: &[String]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let (tx, store) = self.store(web_sys::IdbTransactionMode::Readwrite)?;
        let done = transaction_promise(&tx);
        for id in ids {
            if let Err(e) = store.delete(&JsValue::from_str(id)) {
                let _ = tx.abort();
                let _ = JsFuture::from(done).await;
                return Err(error_of(&e));
            }
        }
        JsFuture::from(done).await.map_err(|e| error_of(&e))?;
        Ok(())
    }

    /// The database's name.
    pub fn name(&self) -> String {
        self.db.name()
    }

    /// Close the connection (tests, and before deleting the database).
    pub fn close(&self) {
        self.db.close();
    }
}

/// Delete the database named `name` (tests).
pub async fn delete_database(name: &str) -> Result<(), StoreError> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StoreError::Unavailable("IndexedDB is not available".to_owned()))?;
    let req = factory
        .delete_database(name)
        .map_err(|e| StoreError::Other(describe(&e)))?;
    JsFuture::from(request_promise(&req))
        .await
        .map_err(|e| error_of(&e))?;
    Ok(())
}
