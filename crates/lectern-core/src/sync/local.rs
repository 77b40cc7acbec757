//! Local data ⇄ documents. Everything is read and written through the functions that own each
//! kind of data, so that where they keep it can change in one place:
//!
//! - the library list: [`library::load_library`], [`library::save_merged`];
//! - article content: [`library::load_article`], [`library::save_article`],
//!   [`library::add_article`] (never a raw key);
//! - annotations: [`annotations_doc::load_annotations`], [`annotations_doc::save_annotations`];
//! - settings: [`storage::load_settings`], [`storage::save_settings`].
//!
//! Applying a document from the server ([`apply`]) joins it with what is here and writes the
//! join: nothing local is ever deleted because the server lacks it (a new, empty database is
//! filled, not mirrored); a removal or a deleted annotation arrives as a tombstone and is
//! merged as another tab's would be. What this device has that the server lacks is sent by the
//! next push ([`collect`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::annotations_doc::{self, AnnotationsDoc, TextRef};
use crate::article::Article;
use crate::library::{self, LibraryDoc, LIBRARY_KEY, SEED_ID};
use crate::settings::Settings;
use crate::storage::{self, KeyValueStore, StoreError, SETTINGS_KEY};

use super::docs::{
    article_fingerprint, fingerprint, join_article, ArticleDoc, Body, DocId, SettingsDoc,
};
use super::memo::Memo;

/// Which annotation documents a push looks at (article documents and the settings are cheap
/// to check and always looked at).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every article's annotations (the first round after a start, after another tab wrote).
    #[default]
    All,
    /// Only these (what this tab changed since the last round).
    Only(BTreeSet<DocId>),
}

impl Scope {
    pub fn includes(&self, id: &DocId) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(ids) => ids.contains(id),
        }
    }

    /// Both scopes together.
    pub fn union(self, other: Scope) -> Scope {
        match (self, other) {
            (Scope::Only(mut a), Scope::Only(b)) => {
                a.extend(b);
                Scope::Only(a)
            }
            _ => Scope::All,
        }
    }
}

/// What is known locally while a round runs: the library list (kept up to date by [`apply`])
/// and article texts already read.
pub struct Local<'s> {
    store: &'s dyn KeyValueStore,
    pub library: LibraryDoc,
    texts: BTreeMap<String, Option<std::rc::Rc<(String, String)>>>,
}

impl<'s> Local<'s> {
    pub fn new(store: &'s dyn KeyValueStore) -> Local<'s> {
        Local {
            store,
            library: library::load_library(store, &library::seed_article()).value,
            texts: BTreeMap::new(),
        }
    }

    /// Article `id`'s text and its hash, when it is here: the sample's, or the stored
    /// content's (listed or not: a removed article keeps its text until it is purged).
    fn text(&mut self, id: &str) -> Option<std::rc::Rc<(String, String)>> {
        if let Some(t) = self.texts.get(id) {
            return t.clone();
        }
        let text = if id == SEED_ID {
            Some(library::seed_article().text())
        } else {
            library::load_article(self.store, id)
                .value
                .map(|a| a.text())
        };
        let t = text.map(|t| {
            let h = crate::annotation::text_hash(&t);
            std::rc::Rc::new((t, h))
        });
        self.texts.insert(id.to_owned(), t.clone());
        t
    }

    fn article_facts(&self, id: &str) -> ArticleDoc {
        ArticleDoc {
            entry: self.library.get(id).cloned(),
            removed: self
                .library
                .removed
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.deleted.clone()),
            content: None,
        }
    }

    fn listed(&self, id: &str) -> bool {
        self.library.get(id).is_some()
    }

    /// Every document that has local data, articles and settings first.
    fn ids(&self, scope: &Scope) -> Vec<DocId> {
        let mut ids: BTreeSet<DocId> = BTreeSet::new();
        for m in &self.library.articles {
            ids.insert(DocId::Article(m.id.clone()));
        }
        for t in &self.library.removed {
            ids.insert(DocId::Article(t.id.clone()));
        }
        let mut out: Vec<DocId> = ids.into_iter().collect();
        out.push(DocId::Settings);
        out.extend(
            self.library
                .articles
                .iter()
                .map(|m| DocId::Annotations(m.id.clone()))
                .filter(|id| scope.includes(id)),
        );
        out
    }

    /// The local fingerprint of document `id`, or `None` when there is nothing here to send
    /// for it (no such article; annotations whose article's text is not here, which their
    /// stored form may need to be read whole; never-changed settings on a device that has not
    /// synced them).
    pub fn fingerprint(&mut self, id: &DocId, memo: &Memo) -> Option<String> {
        match id {
            DocId::Article(aid) => {
                let f = self.article_facts(aid);
                if f.entry.is_none() && f.removed.is_none() {
                    return None;
                }
                let has_content = self.listed(aid) && aid != SEED_ID;
                Some(article_fingerprint(&f.entry, &f.removed, has_content))
            }
            DocId::Annotations(aid) => {
                let doc = self.annotations(aid)?;
                let known = memo.docs.contains_key(&id.to_string());
                if doc == AnnotationsDoc::default() && !known {
                    return None;
                }
                Some(fingerprint(&Body::Annotations(doc)))
            }
            DocId::Settings => {
                let s = storage::load_settings(self.store).value;
                let known = memo.docs.contains_key(&id.to_string());
                if s == Settings::default() && !known {
                    return None;
                }
                Some(settings_fingerprint(&s))
            }
            DocId::Crypto => None,
        }
    }

    /// Article `aid`'s annotations as stored, when they can be read whole (see
    /// [`Local::fingerprint`]).
    fn annotations(&mut self, aid: &str) -> Option<AnnotationsDoc> {
        let text = self.text(aid);
        let loaded =
            annotations_doc::load_annotations(self.store, aid, text.as_ref().map(|t| t.0.as_str()));
        if text.is_none() && loaded.value != AnnotationsDoc::default() {
            return None;
        }
        Some(loaded.value)
    }

    /// What document `id` says here, to send (`now` stamps changed settings), or `None` (see
    /// [`Local::fingerprint`]; a listed article whose text cannot be read is not sent, so
    /// the server's copy is not replaced by one without it).
    pub fn body(&mut self, id: &DocId, now: &str) -> Option<Body> {
        match id {
            DocId::Article(aid) => {
                let mut f = self.article_facts(aid);
                if f.entry.is_none() && f.removed.is_none() {
                    return None;
                }
                if self.listed(aid) && aid != SEED_ID {
                    f.content = Some(library::load_article(self.store, aid).value?);
                }
                Some(Body::Article(f))
            }
            DocId::Annotations(aid) => self.annotations(aid).map(Body::Annotations),
            DocId::Settings => Some(Body::Settings(SettingsDoc {
                settings: storage::load_settings(self.store).value,
                modified: now.to_owned(),
            })),
            DocId::Crypto => None,
        }
    }
}

/// The fingerprint of settings (what [`fingerprint`] gives a settings document).
pub fn settings_fingerprint(s: &Settings) -> String {
    fingerprint(&Body::Settings(SettingsDoc {
        settings: s.clone(),
        modified: String::new(),
    }))
}

/// A local document with changes the server has not seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: DocId,
    pub body: Body,
    pub fingerprint: String,
}

/// The ids of documents whose local data differs from what the server was last seen to hold
/// (or that it has never seen), in `scope`.
pub fn changed_ids(local: &mut Local<'_>, memo: &Memo, scope: &Scope) -> Vec<(DocId, String)> {
    local
        .ids(scope)
        .into_iter()
        .filter_map(|id| {
            let fp = local.fingerprint(&id, memo)?;
            let known = memo.docs.get(&id.to_string());
            (known.and_then(|r| r.hash.as_deref()) != Some(fp.as_str())).then_some((id, fp))
        })
        .collect()
}

/// The documents to send, with their bodies (see [`changed_ids`]).
pub fn collect(local: &mut Local<'_>, memo: &Memo, scope: &Scope, now: &str) -> Vec<Pending> {
    changed_ids(local, memo, scope)
        .into_iter()
        .filter_map(|(id, fp)| {
            let body = local.body(&id, now)?;
            Some(Pending {
                id,
                body,
                fingerprint: fp,
            })
        })
        .collect()
}

/// How many local changes wait to be sent (the status bar's "N changes waiting").
pub fn count_pending(store: &dyn KeyValueStore, memo: &Memo, scope: &Scope) -> usize {
    changed_ids(&mut Local::new(store), memo, scope).len()
}

/// What applying one document did here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// Local keys written (other parts of the app re-read them).
    pub written: BTreeSet<String>,
    /// The local fingerprint after.
    pub local: Option<String>,
    /// Whether local data changed.
    pub changed: bool,
}

/// Why a document was not applied (local data unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotApplied {
    /// Local storage failed (full, gone): stop, try again later.
    Store(StoreError),
    /// This document cannot be taken in, for a reason to tell (an article listed without its
    /// text; annotations of an article whose text is not here while some are stored).
    Refused(String),
}

impl From<StoreError> for NotApplied {
    fn from(e: StoreError) -> Self {
        NotApplied::Store(e)
    }
}

/// Join `remote` (document `id` as the server has it, validated) into local data and write the
/// join. `memo` says whether the local settings changed since the last sync (then they are
/// kept, and sent).
pub fn apply(
    local: &mut Local<'_>,
    memo: &Memo,
    id: &DocId,
    remote: &Body,
) -> Result<Applied, NotApplied> {
    let store = local.store;
    let mut out = Applied::default();
    match (id, remote) {
        (DocId::Article(aid), Body::Article(r)) => {
            let mine = local.article_facts(aid);
            let joined = join_article(aid, &mine, r);
            let newly_listed = joined.entry.is_some() && !local.listed(aid);
            if aid != SEED_ID && joined.entry.is_some() {
                let here = library::load_article(store, aid).value;
                match (here, &joined.content) {
                    (Some(_), _) => {}
                    (None, Some(content)) if newly_listed => {
                        let meta = joined.entry.clone().expect("listed");
                        local.library = library::add_article(store, content, &meta)?;
                        local.texts.remove(aid.as_str());
                        out.written.insert(library::article_key(aid));
                        out.written.insert(LIBRARY_KEY.to_owned());
                        out.changed = true;
                    }
                    (None, Some(content)) => {
                        library::save_article(store, content)?;
                        local.texts.remove(aid.as_str());
                        out.written.insert(library::article_key(aid));
                        out.changed = true;
                    }
                    (None, None) => {
                        return Err(NotApplied::Refused(
                            "the article is listed without its text".to_owned(),
                        ))
                    }
                }
            }
            if joined.entry != mine.entry || joined.removed != mine.removed {
                let one = super::docs::ArticleDoc {
                    content: None,
                    ..joined
                };
                let lib = LibraryDoc {
                    articles: one.entry.into_iter().collect(),
                    removed: one
                        .removed
                        .map(|d| annotations_doc::Tombstone {
                            id: aid.clone(),
                            deleted: d,
                        })
                        .into_iter()
                        .collect(),
                };
                local.library = library::save_merged(store, &lib)?;
                out.written.insert(LIBRARY_KEY.to_owned());
                out.changed = true;
            }
        }
        (DocId::Annotations(aid), Body::Annotations(r)) => {
            let text = local.text(aid);
            let loaded =
                annotations_doc::load_annotations(store, aid, text.as_ref().map(|t| t.0.as_str()));
            if !loaded.writable {
                return Err(NotApplied::Store(StoreError::Newer {
                    key: annotations_doc::annotations_key(aid),
                    found: 0,
                }));
            }
            if text.is_none() && loaded.value != AnnotationsDoc::default() {
                return Err(NotApplied::Refused(
                    "the article's text is not on this device".to_owned(),
                ));
            }
            let merged = annotations_doc::merge(&loaded.value, r);
            if merged != loaded.value {
                let text_ref = text.as_ref().map(|t| TextRef {
                    text: &t.0,
                    hash: &t.1,
                });
                annotations_doc::save_annotations(store, aid, &merged, text_ref)?;
                out.written.insert(annotations_doc::annotations_key(aid));
                out.changed = true;
            }
        }
        (DocId::Settings, Body::Settings(r)) => {
            let here = storage::load_settings(store).value;
            let record = memo.docs.get(&id.to_string());
            let unchanged_here =
                record.is_none_or(|r| r.hash.as_deref() == Some(&settings_fingerprint(&here)));
            if unchanged_here && here != r.settings {
                storage::save_settings(store, &r.settings)?;
                out.written.insert(SETTINGS_KEY.to_owned());
                out.changed = true;
            }
        }
        _ => return Err(NotApplied::Refused("not a document of this kind".into())),
    }
    out.local = local.fingerprint(id, memo);
    Ok(out)
}

/// Article `aid`'s text, if the device has it (for callers outside a round).
pub fn article_text(store: &dyn KeyValueStore, aid: &str) -> Option<Article> {
    if aid == SEED_ID {
        Some(library::seed_article())
    } else {
        library::load_article(store, aid).value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::{Annotation, Color};
    use crate::library::ArticleMeta;
    use crate::parse::plain::parse_plain;
    use crate::storage::MemoryStore;
    use crate::sync::memo::Record;

    const T1: &str = "2026-01-01T00:00:01.000Z";
    const T2: &str = "2026-01-01T00:00:02.000Z";
    const T3: &str = "2026-01-01T00:00:03.000Z";

    fn note(id: &str, article: &str, modified: &str, text: &str) -> Annotation {
        Annotation {
            id: id.into(),
            article_id: article.into(),
            target: None,
            color: Color::Yellow,
            note: text.into(),
            tags: vec![],
            created: T1.into(),
            modified: modified.into(),
        }
    }

    fn doc(list: Vec<Annotation>) -> AnnotationsDoc {
        AnnotationsDoc {
            annotations: list,
            tombstones: vec![],
        }
    }

    fn record(memo: &mut Memo, id: &DocId, hash: Option<String>) {
        memo.docs
            .insert(id.to_string(), Record::new("1-a".into(), hash));
    }

    #[test]
    fn a_new_article_from_the_server_is_added_with_its_text_and_listed() {
        let store = MemoryStore::default();
        let a = parse_plain("a1", "Заголовок\nТекст.");
        let remote = ArticleDoc {
            entry: Some(ArticleMeta::of(&a, T1, None)),
            removed: None,
            content: Some(a.clone()),
        };
        let id = DocId::Article("a1".into());
        let mut local = Local::new(&store);
        let done = apply(
            &mut local,
            &Memo::default(),
            &id,
            &Body::Article(remote.clone()),
        )
        .unwrap();
        assert!(done.changed);
        assert_eq!(library::load_article(&store, "a1").value, Some(a));
        let lib = library::load_library(&store, &library::seed_article()).value;
        assert!(
            lib.get("a1").is_some() && lib.get(SEED_ID).is_some(),
            "the sample stays"
        );
        assert_eq!(
            done.local,
            Some(fingerprint(&Body::Article(remote))),
            "in step: nothing to send"
        );
    }

    #[test]
    fn nothing_local_is_deleted_because_the_server_lacks_it() {
        let store = MemoryStore::default();
        let mine = note("m", SEED_ID, T2, "mine");
        annotations_doc::save_annotations(&store, SEED_ID, &doc(vec![mine.clone()]), None).unwrap();
        let theirs = note("t", SEED_ID, T1, "theirs");
        let id = DocId::Annotations(SEED_ID.into());
        let mut local = Local::new(&store);
        let remote = Body::Annotations(doc(vec![theirs.clone()]));
        let done = apply(&mut local, &Memo::default(), &id, &remote).unwrap();
        let now = annotations_doc::load_annotations(
            &store,
            SEED_ID,
            Some(&library::seed_article().text()),
        );
        assert_eq!(now.value.annotations, vec![mine, theirs]);
        assert!(done.changed);
        assert_ne!(
            done.local,
            Some(fingerprint(&remote)),
            "the server lacks ours: to send"
        );
        // An empty server document changes nothing either.
        let mut local = Local::new(&store);
        let again = apply(
            &mut local,
            &Memo::default(),
            &id,
            &Body::Annotations(AnnotationsDoc::default()),
        )
        .unwrap();
        assert!(!again.changed);
    }

    #[test]
    fn a_deletion_and_a_later_edit_resolve_by_the_merge_rules() {
        let store = MemoryStore::default();
        let edited = note("x", SEED_ID, T3, "edited after the deletion");
        annotations_doc::save_annotations(&store, SEED_ID, &doc(vec![edited.clone()]), None)
            .unwrap();
        let deleted = AnnotationsDoc {
            annotations: vec![],
            tombstones: vec![annotations_doc::Tombstone {
                id: "x".into(),
                deleted: T2.into(),
            }],
        };
        let id = DocId::Annotations(SEED_ID.into());
        apply(
            &mut Local::new(&store),
            &Memo::default(),
            &id,
            &Body::Annotations(deleted),
        )
        .unwrap();
        let now = annotations_doc::load_annotations(&store, SEED_ID, None).value;
        assert_eq!(
            now.annotations,
            vec![edited],
            "edited after it was deleted: kept"
        );
        assert_eq!(now.tombstones.len(), 1);
    }

    #[test]
    fn settings_changed_here_since_the_last_sync_are_kept_otherwise_the_servers_are_taken() {
        let store = MemoryStore::default();
        let mine = Settings {
            font_size_px: 20,
            ..Settings::default()
        };
        storage::save_settings(&store, &mine).unwrap();
        let theirs = Settings {
            font_size_px: 24,
            ..Settings::default()
        };
        let remote = Body::Settings(SettingsDoc {
            settings: theirs.clone(),
            modified: T2.into(),
        });
        let id = DocId::Settings;
        // Never synced: the server's settings are taken.
        apply(&mut Local::new(&store), &Memo::default(), &id, &remote).unwrap();
        assert_eq!(storage::load_settings(&store).value, theirs);
        // Changed here since the last sync (the fingerprint then was another): kept.
        storage::save_settings(&store, &mine).unwrap();
        let mut memo = Memo::default();
        record(&mut memo, &id, Some(settings_fingerprint(&theirs)));
        let done = apply(&mut Local::new(&store), &memo, &id, &remote).unwrap();
        assert!(!done.changed);
        assert_eq!(storage::load_settings(&store).value, mine);
        // Unchanged here since: the server's are taken.
        record(&mut memo, &id, Some(settings_fingerprint(&mine)));
        apply(&mut Local::new(&store), &memo, &id, &remote).unwrap();
        assert_eq!(storage::load_settings(&store).value, theirs);
    }

    #[test]
    fn what_changed_here_is_collected_and_nothing_else() {
        let store = MemoryStore::default();
        let a = parse_plain("a1", "Заголовок\nТекст.");
        library::add_article(&store, &a, &ArticleMeta::of(&a, T1, None)).unwrap();
        annotations_doc::save_annotations(&store, "a1", &doc(vec![note("n", "a1", T1, "x")]), None)
            .unwrap();
        let mut memo = Memo::default();
        let ids = |memo: &Memo, scope: &Scope| -> Vec<String> {
            let mut l = Local::new(&store);
            collect(&mut l, memo, scope, T3)
                .into_iter()
                .map(|p| p.id.to_string())
                .collect()
        };
        assert_eq!(
            ids(&memo, &Scope::All),
            ["article.a1", "article.seed", "annotations.a1"],
            "default settings and empty annotations are not sent"
        );
        for p in collect(&mut Local::new(&store), &memo, &Scope::All, T3) {
            record(&mut memo, &p.id, Some(p.fingerprint));
        }
        assert!(ids(&memo, &Scope::All).is_empty(), "in step");
        // A new note on a1: only that document; outside the scope, not looked at.
        annotations_doc::save_annotations(
            &store,
            "a1",
            &doc(vec![note("n", "a1", T1, "x"), note("o", "a1", T2, "y")]),
            None,
        )
        .unwrap();
        assert_eq!(ids(&memo, &Scope::All), ["annotations.a1"]);
        assert!(ids(&memo, &Scope::Only(BTreeSet::new())).is_empty());
        assert_eq!(count_pending(&store, &memo, &Scope::All), 1);
        // The article's text is sent with its entry; the sample's never is.
        let p = collect(
            &mut Local::new(&Store(&store)),
            &Memo::default(),
            &Scope::All,
            T3,
        );
        let art = p
            .iter()
            .find(|p| p.id == DocId::Article("a1".into()))
            .unwrap();
        assert!(matches!(&art.body, Body::Article(d) if d.content.as_ref() == Some(&a)));
        let seed = p
            .iter()
            .find(|p| p.id == DocId::Article(SEED_ID.into()))
            .unwrap();
        assert!(matches!(&seed.body, Body::Article(d) if d.content.is_none()));
    }

    struct Store<'a>(&'a MemoryStore);
    impl KeyValueStore for Store<'_> {
        fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
            self.0.set(key, value)
        }
        fn remove(&self, key: &str) -> Result<(), StoreError> {
            self.0.remove(key)
        }
        fn keys(&self) -> Result<Vec<String>, StoreError> {
            self.0.keys()
        }
    }

    #[test]
    fn a_full_store_is_a_failure_that_changes_nothing() {
        let a = parse_plain("a1", "Заголовок\nДлинный текст статьи.");
        let store = MemoryStore {
            quota_bytes: Some(200),
            ..MemoryStore::default()
        };
        let remote = ArticleDoc {
            entry: Some(ArticleMeta::of(&a, T1, None)),
            removed: None,
            content: Some(a),
        };
        let err = apply(
            &mut Local::new(&store),
            &Memo::default(),
            &DocId::Article("a1".into()),
            &Body::Article(remote),
        )
        .unwrap_err();
        assert!(
            matches!(err, NotApplied::Store(StoreError::QuotaExceeded { .. })),
            "{err:?}"
        );
        assert!(store.map.borrow().is_empty());
    }

    #[test]
    fn annotations_whose_article_text_is_missing_are_not_rewritten() {
        let store = MemoryStore::default();
        // Stored compactly against a text that is no longer here.
        let a = parse_plain("a1", "Заголовок\nТекст статьи.");
        let t = a.text();
        let h = crate::annotation::text_hash(&t);
        let mut x = note("x", "a1", T1, "");
        x.target =
            crate::anchor::describe(&t, crate::text::ByteOffset(0)..crate::text::ByteOffset(9))
                .ok();
        annotations_doc::save_annotations(
            &store,
            "a1",
            &doc(vec![x]),
            Some(TextRef { text: &t, hash: &h }),
        )
        .unwrap();
        let before = store.map.borrow().clone();
        let err = apply(
            &mut Local::new(&store),
            &Memo::default(),
            &DocId::Annotations("a1".into()),
            &Body::Annotations(doc(vec![note("y", "a1", T2, "new")])),
        )
        .unwrap_err();
        assert!(matches!(err, NotApplied::Refused(_)));
        assert_eq!(*store.map.borrow(), before);
    }
}
