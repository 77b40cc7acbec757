//! `window.localStorage` behind [`lectern_core::storage::KeyValueStore`].

use lectern_core::storage::{KeyValueStore, StoreError};
use wasm_bindgen::{JsCast, JsValue};

/// A `localStorage` (or any `web_sys::Storage`), or the reason there is none.
pub struct LocalStore {
    storage: Result<web_sys::Storage, String>,
}

impl LocalStore {
    /// The window's `localStorage`. Accessing it can throw (storage disabled, sandboxed
    /// iframe): that becomes a store whose every call returns [`StoreError::Unavailable`].
    pub fn from_window() -> LocalStore {
        let storage = match web_sys::window() {
            None => Err("no window".to_owned()),
            Some(w) => match w.local_storage() {
                Ok(Some(s)) => Ok(s),
                Ok(None) => Err("localStorage is not available".to_owned()),
                Err(e) => Err(describe_js_error(&e)),
            },
        };
        LocalStore { storage }
    }

    pub fn new(storage: web_sys::Storage) -> LocalStore {
        LocalStore {
            storage: Ok(storage),
        }
    }

    fn storage(&self) -> Result<&web_sys::Storage, StoreError> {
        self.storage
            .as_ref()
            .map_err(|why| StoreError::Unavailable(why.clone()))
    }
}

impl KeyValueStore for LocalStore {
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.storage()?
            .get_item(key)
            .map_err(|e| StoreError::Other(describe_js_error(&e)))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.storage()?.set_item(key, value).map_err(|e| {
            if is_quota_error(&e) {
                StoreError::QuotaExceeded {
                    key: key.to_owned(),
                    bytes: value.len(),
                }
            } else {
                StoreError::Other(describe_js_error(&e))
            }
        })
    }

    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.storage()?
            .remove_item(key)
            .map_err(|e| StoreError::Other(describe_js_error(&e)))
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let s = self.storage()?;
        let n = s
            .length()
            .map_err(|e| StoreError::Other(describe_js_error(&e)))?;
        Ok((0..n).filter_map(|i| s.key(i).ok().flatten()).collect())
    }
}

/// `QuotaExceededError` (code 22), or Firefox's older `NS_ERROR_DOM_QUOTA_REACHED`.
fn is_quota_error(e: &JsValue) -> bool {
    e.dyn_ref::<web_sys::DomException>().is_some_and(|d| {
        d.code() == 22
            || d.name() == "QuotaExceededError"
            || d.name() == "NS_ERROR_DOM_QUOTA_REACHED"
    })
}

fn describe_js_error(e: &JsValue) -> String {
    if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
        format!("{}: {}", d.name(), d.message())
    } else if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        String::from(err.message())
    } else {
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    }
}
