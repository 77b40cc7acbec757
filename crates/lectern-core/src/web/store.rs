//! What the web import keeps in storage, under one key ([`WEB_KEY`], a versioned envelope):
//! the bookmarklet's token, the links shared to Lectern that it cannot fetch, and the articles
//! whose images the reader chose to see.
//!
//! Every change is read–change–write against what is stored ([`update`]), so two tabs that
//! change it one after the other never undo each other's change; a value from a newer Lectern
//! is never overwritten ([`StoreError::Newer`]).

use serde::{Deserialize, Serialize};

use crate::storage::{load, write_envelope, KeyValueStore, Loaded, Problem, StoreError};

pub const WEB_KEY: &str = "lectern.v1.web";
pub const WEB_VERSION: u32 = 1;

/// Links kept to fetch at most (the oldest go first).
pub const MAX_TO_FETCH: usize = 100;
/// Articles whose "show images" choice is remembered at most (the oldest choice goes first).
pub const MAX_IMAGES_SHOWN: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebDoc {
    /// The bookmarklet's token: a page sent with it is added without asking. Empty until the
    /// "Add from the web" page is first shown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Links shared to Lectern that it cannot fetch itself, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_fetch: Vec<ToFetch>,
    /// Articles whose images the reader asked to see ("Show images"), by id, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_shown: Vec<String>,
}

/// A link to fetch: a page shared to Lectern by its address alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToFetch {
    /// An http(s) URL ([`super::url::page_url`]).
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// When it was shared (ISO 8601 UTC).
    pub added: String,
}

/// One change of the [`WebDoc`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebOp {
    /// Nothing: read what is stored.
    Read,
    /// Set the bookmarklet's token, unless one is stored already.
    SetToken(String),
    /// Keep a link to fetch (once per URL: sharing it again moves it to the top).
    AddToFetch(ToFetch),
    /// Forget the link to fetch with this URL.
    RemoveToFetch(String),
    /// Remember that article `id`'s images are to be shown, or forget it.
    ShowImages { id: String, show: bool },
}

impl WebDoc {
    /// Whether the reader chose to see article `id`'s images.
    pub fn images_shown(&self, id: &str) -> bool {
        self.images_shown.iter().any(|x| x == id)
    }

    /// `self` changed by `op`.
    pub fn apply(&self, op: &WebOp) -> WebDoc {
        let mut d = self.clone();
        match op {
            WebOp::Read => {}
            WebOp::SetToken(t) => {
                if d.token.is_empty() {
                    d.token = t.clone();
                }
            }
            WebOp::AddToFetch(item) => {
                d.to_fetch.retain(|x| x.url != item.url);
                d.to_fetch.insert(0, item.clone());
                d.to_fetch.truncate(MAX_TO_FETCH);
            }
            WebOp::RemoveToFetch(url) => d.to_fetch.retain(|x| &x.url != url),
            WebOp::ShowImages { id, show } => {
                d.images_shown.retain(|x| x != id);
                if *show {
                    d.images_shown.push(id.clone());
                    let over = d.images_shown.len().saturating_sub(MAX_IMAGES_SHOWN);
                    d.images_shown.drain(..over);
                }
            }
        }
        d
    }
}

/// Migrations. Version 1 is the first; anything else is not ours.
pub fn migrate(version: u32, data: serde_json::Value) -> Result<serde_json::Value, String> {
    match version {
        1 => Ok(data),
        v => Err(format!("unknown web import version {v}")),
    }
}

/// Read what is stored (a value that does not parse is moved aside, as every load does).
pub fn load_web(store: &dyn KeyValueStore) -> Loaded<WebDoc> {
    load(store, WEB_KEY, WEB_VERSION, migrate)
}

/// Apply `op` to what is stored now and write the result when it changed; returns what is
/// stored afterwards.
pub fn update(store: &dyn KeyValueStore, op: &WebOp) -> Result<WebDoc, StoreError> {
    let loaded = load_web(store);
    match loaded.problem {
        Some(Problem::NewerVersion { key, found, .. }) => {
            return Err(StoreError::Newer { key, found })
        }
        Some(Problem::Unavailable { why }) => return Err(StoreError::Unavailable(why)),
        Some(Problem::Corrupt {
            backup_key: None,
            key,
            ..
        }) => {
            return Err(StoreError::Other(format!(
                "{key} does not parse and could not be copied aside"
            )))
        }
        _ => {}
    }
    let next = loaded.value.apply(op);
    if next != loaded.value {
        write_envelope(store, WEB_KEY, WEB_VERSION, &next)?;
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStore;

    fn item(url: &str) -> ToFetch {
        ToFetch {
            url: url.into(),
            title: "T".into(),
            added: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn changes_are_made_on_what_is_stored() {
        let store = MemoryStore::default();
        assert_eq!(update(&store, &WebOp::Read).unwrap(), WebDoc::default());
        assert!(store.map.borrow().is_empty(), "reading writes nothing");
        update(&store, &WebOp::SetToken("one".into())).unwrap();
        // Another tab's token stays: the first one made is the one.
        let d = update(&store, &WebOp::SetToken("two".into())).unwrap();
        assert_eq!(d.token, "one");
        update(&store, &WebOp::AddToFetch(item("https://a.example/"))).unwrap();
        update(&store, &WebOp::AddToFetch(item("https://b.example/"))).unwrap();
        let d = update(&store, &WebOp::AddToFetch(item("https://a.example/"))).unwrap();
        let urls: Vec<&str> = d.to_fetch.iter().map(|x| x.url.as_str()).collect();
        assert_eq!(urls, ["https://a.example/", "https://b.example/"]);
        let d = update(&store, &WebOp::RemoveToFetch("https://a.example/".into())).unwrap();
        assert_eq!(d.to_fetch.len(), 1);
        let d = update(
            &store,
            &WebOp::ShowImages {
                id: "x".into(),
                show: true,
            },
        )
        .unwrap();
        assert!(d.images_shown("x") && !d.images_shown("y"));
        let d = update(
            &store,
            &WebOp::ShowImages {
                id: "x".into(),
                show: false,
            },
        )
        .unwrap();
        assert!(!d.images_shown("x"));
        assert_eq!(load_web(&store).value, d);
    }

    #[test]
    fn golden_v1_loads_and_newer_is_never_overwritten() {
        let golden = r#"{"version":1,"data":{"token":"t","toFetch":[{"url":"https://a.example/","title":"A","added":"2026-01-01T00:00:00.000Z"}],"imagesShown":["imp-1"]}}"#;
        let store = MemoryStore::with(&[(WEB_KEY, golden)]);
        let l = load_web(&store);
        assert!(l.problem.is_none());
        assert_eq!(l.value.token, "t");
        assert_eq!(l.value.to_fetch[0].title, "A");
        assert!(l.value.images_shown("imp-1"));
        // Written back as it was read.
        assert_eq!(crate::storage::to_envelope(WEB_VERSION, &l.value), golden);
        let newer = r#"{"version":2,"data":{}}"#;
        let store = MemoryStore::with(&[(WEB_KEY, newer)]);
        assert!(matches!(
            update(&store, &WebOp::SetToken("x".into())),
            Err(StoreError::Newer { found: 2, .. })
        ));
        assert_eq!(store.map.borrow()[WEB_KEY], newer);
    }

    #[test]
    fn lists_are_bounded() {
        let mut d = WebDoc::default();
        for i in 0..MAX_TO_FETCH + 5 {
            d = d.apply(&WebOp::AddToFetch(item(&format!("https://e.example/{i}"))));
        }
        assert_eq!(d.to_fetch.len(), MAX_TO_FETCH);
        assert_eq!(
            d.to_fetch[0].url,
            format!("https://e.example/{}", MAX_TO_FETCH + 4)
        );
        for i in 0..MAX_IMAGES_SHOWN + 3 {
            d = d.apply(&WebOp::ShowImages {
                id: i.to_string(),
                show: true,
            });
        }
        assert_eq!(d.images_shown.len(), MAX_IMAGES_SHOWN);
        assert!(!d.images_shown("0") && d.images_shown(&(MAX_IMAGES_SHOWN + 2).to_string()));
    }
}
