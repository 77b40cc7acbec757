//! Full backups: one versioned JSON file with the library, the imported articles' contents,
//! every article's annotations (with tombstones) and the settings; and restoring one by merging.
//!
//! File shape (pretty-printed JSON):
//!
//! ```json
//! { "format": "lectern-backup", "version": 1, "exported": "2026-01-01T00:00:00.000Z",
//!   "library": { "articles": [ ArticleMeta… ] },
//!   "articles": [ Article… ],
//!   "annotations": { "<article id>": { "annotations": [ … ], "tombstones": [ … ] } },
//!   "settings": { … } }
//! ```
//!
//! `articles` holds the content of every *imported* article in the library. The sample article
//! ([`SEED_ID`]) is built into the app, so its content is never included (its library entry
//! and annotations are); a backup that carries an article with the seed's id is accepted and
//! that content ignored. Every article with content or annotations must be listed in
//! `library`: [`parse_backup`] refuses a file that is not consistent in this way.
//!
//! Restoring ([`merge_backup`]) never deletes what the backup does not mention and never
//! duplicates: library entries and contents are matched by article id (an entry already
//! present is kept as it is; a missing content is added), annotations by annotation id through
//! [`annotations_doc::merge`] (newer `modified` wins, tombstones delete older versions), and
//! the backup's settings replace the current ones.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;
use crate::annotations_doc::{self, annotations_key, merge, AnnotationsDoc};
use crate::article::Article;
use crate::library::{
    article_key, load_article, load_library, LibraryDoc, LIBRARY_KEY, LIBRARY_VERSION, SEED_ID,
};
use crate::settings::Settings;
use crate::storage::{
    load_settings, to_envelope, KeyValueStore, Problem, StoreError, SETTINGS_KEY, SETTINGS_VERSION,
};

use super::{
    is_utc_timestamp, parse_json, ImportProblem, MAX_ANNOTATIONS, MAX_ARTICLES, MAX_ID_BYTES,
    MAX_NOTE_BYTES, MAX_QUOTE_BYTES, MAX_SHORT_BYTES, MAX_TAGS, MAX_TAG_BYTES,
};

/// The `format` field of every backup file.
pub const BACKUP_FORMAT: &str = "lectern-backup";
/// Whether `raw` claims to be a Lectern backup (rather than annotations in JSON-LD): the
/// format marker appears in it. [`parse_backup`] then checks that it really is one.
pub fn looks_like_backup(raw: &str) -> bool {
    raw.contains("\"lectern-backup\"")
}

/// The backup version this build writes and reads.
pub const BACKUP_VERSION: u32 = 1;

/// The contents of a backup file (without its `format` marker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    /// [`BACKUP_VERSION`] when written by this build.
    pub version: u32,
    /// When the backup was made (ISO 8601 UTC).
    pub exported: String,
    pub library: LibraryDoc,
    /// Contents of the imported articles, in library order; never the built-in seed.
    pub articles: Vec<Article>,
    /// Each article's annotations and tombstones, by article id.
    pub annotations: BTreeMap<String, AnnotationsDoc>,
    pub settings: Settings,
}

/// Everything a backup covers, as the app holds it: load it from storage with
/// [`CurrentData::load`], merge with [`merge_backup`], write the result with [`save_changes`].
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentData {
    pub library: LibraryDoc,
    /// Stored contents of imported articles, by id (never the built-in seed).
    pub articles: BTreeMap<String, Article>,
    /// Annotations by article id (an absent article has none).
    pub annotations: BTreeMap<String, AnnotationsDoc>,
    pub settings: Settings,
}

impl Default for CurrentData {
    /// Nothing at all: an empty library (not even the seed), default settings.
    fn default() -> Self {
        CurrentData {
            library: LibraryDoc {
                articles: Vec::new(),
                removed: Vec::new(),
            },
            articles: BTreeMap::new(),
            annotations: BTreeMap::new(),
            settings: Settings::default(),
        }
    }
}

/// [`CurrentData`] as loaded from a store, with what went wrong on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedData {
    pub data: CurrentData,
    /// Problems met while loading (corrupt values moved aside, newer versions…).
    pub problems: Vec<Problem>,
    /// Keys that must not be overwritten (newer version, or corrupt with no backup copy). An
    /// import should be refused while this is not empty: [`save_changes`] refuses to write
    /// them.
    pub read_only: Vec<String>,
}

impl CurrentData {
    /// Loads the library, every listed imported article's content, every listed article's
    /// annotations and the settings. Never fails; see [`LoadedData`]. `seed` is the built-in
    /// article (its content is not stored).
    pub fn load(store: &dyn KeyValueStore, seed: &Article) -> LoadedData {
        CurrentData::load_with(store, seed, None)
    }

    /// [`CurrentData::load`], with the articles' contents taken from `contents` (records by id,
    /// as IndexedDB holds them) instead of the store, when given.
    pub fn load_with(
        store: &dyn KeyValueStore,
        seed: &Article,
        contents: Option<&BTreeMap<String, String>>,
    ) -> LoadedData {
        let mut problems = Vec::new();
        let mut read_only = Vec::new();
        let mut note = |key: String, writable: bool, problem: Option<Problem>| {
            if !writable {
                read_only.push(key);
            }
            problems.extend(problem);
        };
        let lib = load_library(store, seed);
        note(LIBRARY_KEY.to_owned(), lib.writable, lib.problem);
        let mut articles = BTreeMap::new();
        let mut annotations = BTreeMap::new();
        let seed_text = seed.text();
        for m in &lib.value.articles {
            let mut text = None;
            if m.id != SEED_ID {
                let article = match contents {
                    Some(c) => match c.get(&m.id).map(|raw| crate::library::parse_article(raw)) {
                        Some(Ok(a)) => Some(a),
                        Some(Err(error)) => {
                            note(
                                article_key(&m.id),
                                true,
                                Some(Problem::Corrupt {
                                    key: article_key(&m.id),
                                    error,
                                    backup_key: None,
                                }),
                            );
                            None
                        }
                        None => None,
                    },
                    None => {
                        let a = load_article(store, &m.id);
                        note(article_key(&m.id), a.writable, a.problem);
                        a.value
                    }
                };
                if let Some(article) = article {
                    text = Some(article.text());
                    articles.insert(m.id.clone(), article);
                }
            }
            let text = if m.id == SEED_ID {
                Some(seed_text.as_str())
            } else {
                text.as_deref()
            };
            let d = annotations_doc::load_annotations(store, &m.id, text);
            note(annotations_key(&m.id), d.writable, d.problem);
            if d.value != AnnotationsDoc::default() {
                annotations.insert(m.id.clone(), d.value);
            }
        }
        let s = load_settings(store);
        note(SETTINGS_KEY.to_owned(), s.writable, s.problem);
        LoadedData {
            data: CurrentData {
                library: lib.value,
                articles,
                annotations,
                settings: s.value,
            },
            problems,
            read_only,
        }
    }
}

impl Backup {
    /// The backup of `data`: only what the library lists (contents and annotations of
    /// unlisted articles are left out, as the app never shows them), contents in library order.
    pub fn of(data: &CurrentData, exported: &str) -> Backup {
        let listed: BTreeSet<&str> = data
            .library
            .articles
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        Backup {
            version: BACKUP_VERSION,
            exported: exported.to_owned(),
            library: data.library.clone(),
            articles: data
                .library
                .articles
                .iter()
                .filter(|m| m.id != SEED_ID)
                .filter_map(|m| data.articles.get(&m.id).cloned())
                .collect(),
            annotations: data
                .annotations
                .iter()
                .filter(|(id, _)| listed.contains(id.as_str()))
                .map(|(id, d)| (id.clone(), d.clone()))
                .collect(),
            settings: data.settings.clone(),
        }
    }
}

#[derive(Serialize)]
struct BackupOut<'a> {
    format: &'static str,
    #[serde(flatten)]
    backup: &'a Backup,
}

/// The backup file for `data` (pretty JSON, see the module docs). `exported` is the time of the
/// export (ISO 8601 UTC). O(size of the data).
pub fn to_backup(data: &CurrentData, exported: &str) -> String {
    backup_to_string(&Backup::of(data, exported))
}

/// Serialises an already built [`Backup`] (see [`to_backup`]).
pub fn backup_to_string(backup: &Backup) -> String {
    serde_json::to_string_pretty(&BackupOut {
        format: BACKUP_FORMAT,
        backup,
    })
    .expect("serialising plain data to JSON cannot fail")
}

/// Reads and validates a backup file. Nothing is changed by reading; an `Err` names the
/// problem and, when it is one value, its JSON path (`$.annotations.seed.annotations[3].created`).
///
/// Refused: more than [`super::MAX_IMPORT_BYTES`], not JSON, not a Lectern backup (`format`),
/// an unknown or newer `version`, wrong types or missing fields anywhere, ids that are empty,
/// too long or contain control characters, duplicate articles, contents or annotations of
/// articles the library does not list, annotations filed under another article than their
/// `articleId`, timestamps that are not ISO 8601 UTC, blocks containing `"\n"`, inline marks
/// outside their block or inside a character, and anything beyond the crate's size limits.
/// Settings are clamped into their bounds. O(size of the file).
pub fn parse_backup(raw: &str) -> Result<Backup, ImportProblem> {
    let mut doc = parse_json(raw)?;
    let Some(obj) = doc.as_object_mut() else {
        return Err(ImportProblem::at(
            "$",
            "not a Lectern backup: expected a JSON object",
        ));
    };
    match obj.remove("format") {
        None => {
            return Err(ImportProblem::at(
                "$",
                "not a Lectern backup: missing field `format`",
            ))
        }
        Some(serde_json::Value::String(f)) if f == BACKUP_FORMAT => {}
        Some(other) => {
            return Err(ImportProblem::at(
                "$.format",
                format!("not a Lectern backup: `format` is {other}, expected \"{BACKUP_FORMAT}\""),
            ))
        }
    }
    backup_from_value(doc)
}

/// Validates a backup already read as JSON, without its `format` marker (what
/// [`parse_backup`] does after checking the marker): the version, every field's type (a
/// problem names its JSON path), and everything [`parse_backup`] lists; settings are clamped
/// and annotation documents normalised. Sync puts every document a server sends through this
/// ([`crate::sync::docs`]), so a server can change nothing a backup file could not.
pub fn backup_from_value(doc: serde_json::Value) -> Result<Backup, ImportProblem> {
    let Some(obj) = doc.as_object() else {
        return Err(ImportProblem::at(
            "$",
            "not a Lectern backup: expected a JSON object",
        ));
    };
    match obj.get("version") {
        None => return Err(ImportProblem::at("$", "missing field `version`")),
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(BACKUP_VERSION) => {}
            Some(n) if n > u64::from(BACKUP_VERSION) => {
                return Err(ImportProblem::at(
                    "$.version",
                    format!(
                        "unknown backup version {n}: written by a newer Lectern, this build \
                         reads version {BACKUP_VERSION}"
                    ),
                ))
            }
            Some(n) => {
                return Err(ImportProblem::at(
                    "$.version",
                    format!(
                        "unknown backup version {n}: this build reads version {BACKUP_VERSION}"
                    ),
                ))
            }
            None => {
                return Err(ImportProblem::at(
                    "$.version",
                    format!("`version` must be a positive integer, found {v}"),
                ))
            }
        },
    }
    let mut backup: Backup = serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "$".to_owned()
        } else {
            format!("$.{path}")
        };
        ImportProblem::at(&path, e.into_inner().to_string())
    })?;
    validate(&backup)?;
    backup.settings = backup.settings.clamped();
    // Normalise annotation docs as loading them from storage does.
    for d in backup.annotations.values_mut() {
        *d = merge(d, &AnnotationsDoc::default());
    }
    Ok(backup)
}

/// An article id must follow the one grammar of routes and keys ([`crate::route::is_valid_id`]).
fn check_article_id(path: &str, id: &str) -> Result<(), ImportProblem> {
    check_id(path, "the article id", id)?;
    if !crate::route::is_valid_id(id) {
        return Err(ImportProblem::at(
            path,
            format!(
                "the article id {id:?} is not 1 to {} letters, digits and dashes",
                crate::route::MAX_ARTICLE_ID
            ),
        ));
    }
    Ok(())
}

fn check_id(path: &str, what: &str, id: &str) -> Result<(), ImportProblem> {
    if id.is_empty() {
        return Err(ImportProblem::at(path, format!("{what} is empty")));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(ImportProblem::at(
            path,
            format!(
                "{what} is too long: {} bytes, at most {MAX_ID_BYTES}",
                id.len()
            ),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(ImportProblem::at(
            path,
            format!("{what} contains control characters"),
        ));
    }
    Ok(())
}

fn check_len(path: &str, what: &str, s: &str, max: usize) -> Result<(), ImportProblem> {
    if s.len() > max {
        return Err(ImportProblem::at(
            path,
            format!("{what} is too long: {} bytes, at most {max}", s.len()),
        ));
    }
    Ok(())
}

fn check_time(path: &str, ts: &str) -> Result<(), ImportProblem> {
    if !is_utc_timestamp(ts) {
        return Err(ImportProblem::at(
            path,
            format!(
                "not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ): {}",
                serde_json::Value::from(ts.chars().take(40).collect::<String>())
            ),
        ));
    }
    Ok(())
}

/// Path of a map key: `$.annotations.seed` or `$.annotations["odd key"]`.
fn key(path: &str, k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        format!("{path}.{k}")
    } else {
        format!("{path}[{}]", serde_json::Value::from(k))
    }
}

fn validate(b: &Backup) -> Result<(), ImportProblem> {
    check_len("$.exported", "`exported`", &b.exported, MAX_SHORT_BYTES)?;
    let lib = &b.library.articles;
    if lib.len() > MAX_ARTICLES {
        return Err(ImportProblem::at(
            "$.library.articles",
            format!("too many articles: {}, at most {MAX_ARTICLES}", lib.len()),
        ));
    }
    let mut listed = BTreeSet::new();
    for (i, m) in lib.iter().enumerate() {
        let p = format!("$.library.articles[{i}]");
        check_article_id(&format!("{p}.id"), &m.id)?;
        if !listed.insert(m.id.as_str()) {
            return Err(ImportProblem::at(
                &format!("{p}.id"),
                format!("article {:?} is listed twice", m.id),
            ));
        }
        check_len(
            &format!("{p}.title"),
            "the title",
            &m.title,
            MAX_SHORT_BYTES,
        )?;
        for (field, v) in [
            ("source", m.source.as_deref()),
            ("fileName", m.file_name.as_deref()),
            ("lang", Some(m.lang.as_str())),
            ("added", Some(m.added.as_str())),
            ("hash", Some(m.hash.as_str())),
        ] {
            if let Some(v) = v {
                check_len(
                    &format!("{p}.{field}"),
                    &format!("`{field}`"),
                    v,
                    MAX_SHORT_BYTES,
                )?;
            }
        }
    }
    for (i, t) in b.library.removed.iter().enumerate() {
        let p = format!("$.library.removed[{i}]");
        check_article_id(&format!("{p}.id"), &t.id)?;
        check_time(&format!("{p}.deleted"), &t.deleted)?;
    }
    let mut contents = BTreeSet::new();
    for (i, a) in b.articles.iter().enumerate() {
        let p = format!("$.articles[{i}]");
        check_article_id(&format!("{p}.id"), &a.id)?;
        if !listed.contains(a.id.as_str()) {
            return Err(ImportProblem::at(
                &format!("{p}.id"),
                format!("article {:?} has content but is not in the library", a.id),
            ));
        }
        if !contents.insert(a.id.as_str()) {
            return Err(ImportProblem::at(
                &format!("{p}.id"),
                format!("article {:?} has its content twice", a.id),
            ));
        }
        check_len(
            &format!("{p}.title"),
            "the title",
            &a.title,
            MAX_SHORT_BYTES,
        )?;
        check_len(&format!("{p}.lang"), "`lang`", &a.lang, MAX_SHORT_BYTES)?;
        for (j, block) in a.blocks.iter().enumerate() {
            let bp = format!("{p}.blocks[{j}]");
            if block.text.contains('\n') {
                return Err(ImportProblem::at(
                    &format!("{bp}.text"),
                    "a block's text contains a line break",
                ));
            }
            for (k, m) in block.marks.iter().enumerate() {
                let ok = m.start < m.end
                    && m.end <= block.text.len()
                    && block.text.is_char_boundary(m.start)
                    && block.text.is_char_boundary(m.end);
                if !ok {
                    return Err(ImportProblem::at(
                        &format!("{bp}.marks[{k}]"),
                        format!(
                            "a mark ({}..{}) lies outside its block's {} bytes or inside a \
                             character",
                            m.start,
                            m.end,
                            block.text.len()
                        ),
                    ));
                }
            }
        }
    }
    let total: usize = b
        .annotations
        .values()
        .map(|d| d.annotations.len() + d.tombstones.len())
        .sum();
    if total > MAX_ANNOTATIONS {
        return Err(ImportProblem::at(
            "$.annotations",
            format!("too many annotations: {total}, at most {MAX_ANNOTATIONS}"),
        ));
    }
    for (article_id, d) in &b.annotations {
        let dp = key("$.annotations", article_id);
        if !listed.contains(article_id.as_str()) {
            return Err(ImportProblem::at(
                &dp,
                format!("annotations for article {article_id:?}, which is not in the library"),
            ));
        }
        for (i, a) in d.annotations.iter().enumerate() {
            check_annotation(&format!("{dp}.annotations[{i}]"), article_id, a)?;
        }
        for (i, t) in d.tombstones.iter().enumerate() {
            let p = format!("{dp}.tombstones[{i}]");
            check_id(&format!("{p}.id"), "the annotation id", &t.id)?;
            check_time(&format!("{p}.deleted"), &t.deleted)?;
        }
    }
    Ok(())
}

fn check_annotation(p: &str, article_id: &str, a: &Annotation) -> Result<(), ImportProblem> {
    check_id(&format!("{p}.id"), "the annotation id", &a.id)?;
    if a.article_id != article_id {
        return Err(ImportProblem::at(
            &format!("{p}.articleId"),
            format!(
                "annotation filed under article {article_id:?} says it belongs to {:?}",
                a.article_id
            ),
        ));
    }
    check_time(&format!("{p}.created"), &a.created)?;
    check_time(&format!("{p}.modified"), &a.modified)?;
    check_len(&format!("{p}.note"), "the note", &a.note, MAX_NOTE_BYTES)?;
    if a.tags.len() > MAX_TAGS {
        return Err(ImportProblem::at(
            &format!("{p}.tags"),
            format!("too many tags: {}, at most {MAX_TAGS}", a.tags.len()),
        ));
    }
    for (i, t) in a.tags.iter().enumerate() {
        check_len(&format!("{p}.tags[{i}]"), "a tag", t, MAX_TAG_BYTES)?;
    }
    if let Some(t) = &a.target {
        let q = &t.quote;
        for (f, v) in [
            ("exact", &q.exact),
            ("prefix", &q.prefix),
            ("suffix", &q.suffix),
        ] {
            check_len(
                &format!("{p}.target.quote.{f}"),
                &format!("`{f}`"),
                v,
                MAX_QUOTE_BYTES,
            )?;
        }
        if t.position.end < t.position.start {
            return Err(ImportProblem::at(
                &format!("{p}.target.position"),
                format!(
                    "the position ends ({}) before it starts ({})",
                    t.position.end.0, t.position.start.0
                ),
            ));
        }
        check_len(
            &format!("{p}.target.textHash"),
            "`textHash`",
            &t.text_hash,
            MAX_SHORT_BYTES,
        )?;
    }
    Ok(())
}

/// Counts for one kind of item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    /// New here.
    pub added: usize,
    /// Present, and changed by the backup (a newer version, a deletion, a missing content).
    pub updated: usize,
    /// Present already, as new as (or newer than) the backup's copy: left alone.
    pub skipped: usize,
}

/// What [`merge_backup`] did. `added`/`updated`/`skipped` are the totals over articles,
/// annotations and settings (settings count as one item).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeReport {
    pub added: usize,
    pub updated: usize,
    pub skipped: usize,
    /// Library entries (with their contents).
    pub articles: MergeCounts,
    /// Annotations, highlights and article notes alike.
    pub annotations: MergeCounts,
    /// Whether the backup's settings differed from the current ones (they were applied).
    pub settings_updated: bool,
}

impl MergeReport {
    /// True when the merge changed nothing.
    pub fn is_unchanged(&self) -> bool {
        self.added == 0 && self.updated == 0
    }
}

/// Merges `backup` into `current` (see the module docs for the rules) and says what changed.
/// Pure: `current` is untouched; write the result with [`save_changes`]. Merging the same
/// backup again changes nothing and reports everything skipped. O(size of both).
pub fn merge_backup(current: &CurrentData, backup: &Backup) -> (CurrentData, MergeReport) {
    let mut out = current.clone();
    let mut report = MergeReport::default();
    let contents: BTreeMap<&str, &Article> =
        backup.articles.iter().map(|a| (a.id.as_str(), a)).collect();

    for m in &backup.library.articles {
        let content = (m.id != SEED_ID)
            .then(|| contents.get(m.id.as_str()))
            .flatten();
        if out.library.get(&m.id).is_none() {
            out.library.articles.push(m.clone());
            if let Some(a) = content {
                out.articles.insert(m.id.clone(), (*a).clone());
            }
            report.articles.added += 1;
        } else if let (Some(a), false) = (content, out.articles.contains_key(&m.id)) {
            out.articles.insert(m.id.clone(), (*a).clone());
            report.articles.updated += 1;
        } else {
            report.articles.skipped += 1;
        }
    }

    for (article_id, doc) in &backup.annotations {
        let cur = out.annotations.get(article_id).cloned().unwrap_or_default();
        let merged = merge(&cur, doc);
        let before: BTreeMap<&str, &Annotation> =
            cur.annotations.iter().map(|a| (a.id.as_str(), a)).collect();
        let after: BTreeMap<&str, &Annotation> = merged
            .annotations
            .iter()
            .map(|a| (a.id.as_str(), a))
            .collect();
        let mut ids: BTreeSet<&str> = doc.annotations.iter().map(|a| a.id.as_str()).collect();
        // Current annotations that a tombstone in the backup removed.
        ids.extend(before.keys().filter(|id| !after.contains_key(*id)));
        for id in ids {
            match (before.get(id), after.get(id)) {
                (None, Some(_)) => report.annotations.added += 1,
                (Some(b), a) if a != Some(b) => report.annotations.updated += 1,
                _ => report.annotations.skipped += 1,
            }
        }
        if out.annotations.get(article_id) != Some(&merged) {
            out.annotations.insert(article_id.clone(), merged);
        }
    }

    let settings = backup.settings.clone().clamped();
    report.settings_updated = settings != out.settings;
    out.settings = settings;

    let s = usize::from(report.settings_updated);
    report.added = report.articles.added + report.annotations.added;
    report.updated = report.articles.updated + report.annotations.updated + s;
    report.skipped = report.articles.skipped + report.annotations.skipped + (1 - s);
    (out, report)
}

/// Writes what differs between `before` (as loaded) and `after` (as merged) to `store`:
/// article contents first, then annotations, then settings, and the library list last (so a
/// listed article always has its content). All or nothing, also across tabs and crashes: a
/// journal of the old values ([`RESTORE_JOURNAL_KEY`]) is written first and removed last; if a
/// write fails, every key already written is put back as it was (or removed if it was absent)
/// and the error returned; if the page goes away halfway, the next start puts them back
/// ([`recover_interrupted`]). Keys in `read_only` (see [`LoadedData`]) are never written: the
/// call fails before writing anything. Returns how many keys were written.
pub fn save_changes(
    store: &dyn KeyValueStore,
    before: &CurrentData,
    after: &CurrentData,
    read_only: &[String],
    now: &str,
) -> Result<usize, StoreError> {
    let plan = plan_changes(before, after);
    // Contents in the same store, first (so a listed article always has its content).
    let mut writes: Vec<(String, String)> = plan
        .contents
        .into_iter()
        .map(|(id, record)| (article_key(&id), record))
        .collect();
    writes.extend(plan.local);
    apply_local(store, &writes, read_only, now, &[])
}

/// What a restore writes: article contents (records by id — `localStorage` keys, or
/// IndexedDB records) and the other keys, in the order they must be written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub contents: Vec<(String, String)>,
    pub local: Vec<(String, String)>,
}

/// What differs between `before` (as loaded) and `after` (as merged): contents of imported
/// articles first, then annotations, settings, and the library list last.
pub fn plan_changes(before: &CurrentData, after: &CurrentData) -> Plan {
    let mut plan = Plan::default();
    for (id, a) in &after.articles {
        if id != SEED_ID && before.articles.get(id) != Some(a) {
            plan.contents
                .push((id.clone(), crate::library::article_record(a)));
        }
    }
    for (id, d) in &after.annotations {
        let old = before.annotations.get(id).cloned().unwrap_or_default();
        if old != *d {
            // Compact against the article's text where it is at hand; else every context is
            // kept whole (the sample's text is not in `after`).
            let text = after.articles.get(id).map(Article::text);
            let hash = text.as_deref().map(crate::annotation::text_hash);
            let text_ref = text
                .as_deref()
                .zip(hash.as_deref())
                .map(|(text, hash)| annotations_doc::TextRef { text, hash });
            plan.local
                .push((annotations_key(id), annotations_doc::to_stored(d, text_ref)));
        }
    }
    if after.settings != before.settings {
        plan.local.push((
            SETTINGS_KEY.to_owned(),
            to_envelope(SETTINGS_VERSION, &after.settings),
        ));
    }
    if after.library != before.library {
        plan.local.push((
            LIBRARY_KEY.to_owned(),
            to_envelope(LIBRARY_VERSION, &after.library),
        ));
    }
    plan
}

/// Start a restore whose article contents go elsewhere (IndexedDB): a journal naming them is
/// written before they are, so a page closed before the rest is written has them deleted at
/// the next start ([`recover_interrupted`]).
pub fn begin_journal(
    store: &dyn KeyValueStore,
    now: &str,
    contents: &[String],
) -> Result<(), StoreError> {
    let journal = Journal {
        started: now.to_owned(),
        before: BTreeMap::new(),
        contents: contents.to_vec(),
    };
    store.set(
        RESTORE_JOURNAL_KEY,
        &serde_json::to_string(&journal).expect("plain data serialises"),
    )
}

/// Write `writes` (keys of `store`, in order) all or nothing, under a journal of the old values
/// (which also names `contents`: records already written elsewhere for this restore, to delete
/// if it is undone). Keys in `read_only` are never written: the call fails before writing.
pub fn apply_local(
    store: &dyn KeyValueStore,
    writes: &[(String, String)],
    read_only: &[String],
    now: &str,
    contents: &[String],
) -> Result<usize, StoreError> {
    if let Some((k, _)) = writes.iter().find(|(k, _)| read_only.contains(k)) {
        return Err(StoreError::Other(format!(
            "{k} is read-only (written by a newer Lectern, or unreadable); nothing was imported"
        )));
    }
    if writes.is_empty() {
        if !contents.is_empty() {
            store.remove(RESTORE_JOURNAL_KEY)?;
        }
        return Ok(0);
    }
    // The journal first: every key's value before, so a failure — or a page closed halfway —
    // can put everything back ([`recover_interrupted`]); other tabs hold their merges while it
    // is there. No room for it: nothing is written.
    let mut journal = Journal {
        started: now.to_owned(),
        before: BTreeMap::new(),
        contents: contents.to_vec(),
    };
    for (k, _) in writes {
        journal.before.insert(k.clone(), store.get(k)?);
    }
    store.set(
        RESTORE_JOURNAL_KEY,
        &serde_json::to_string(&journal).expect("plain data serialises"),
    )?;
    for (i, (k, v)) in writes.iter().enumerate() {
        if let Err(e) = store.set(k, v) {
            let keys: Vec<&String> = writes[..i].iter().map(|(k, _)| k).collect();
            return Err(match roll_back(store, &journal, keys.into_iter().rev()) {
                Ok(()) => e,
                Err(again) => StoreError::Other(format!(
                    "{e}; putting back what was written failed too ({again}): it will be put back when Lectern next starts"
                )),
            });
        }
    }
    store.remove(RESTORE_JOURNAL_KEY)?;
    Ok(writes.len())
}

/// The key of the restore journal: while it exists, a restore is being written (other tabs
/// wait for it to go before reading what changed), or was cut short (the next start puts the
/// old values back).
pub const RESTORE_JOURNAL_KEY: &str = "lectern.v1.restoring";

/// What a restore is about to overwrite: each key's value before (`None`: absent).
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// When the restore began (ISO 8601 UTC).
    started: String,
    before: BTreeMap<String, Option<String>>,
    /// Article contents written elsewhere (IndexedDB) for this restore: deleted when it is
    /// undone.
    #[serde(default)]
    contents: Vec<String>,
}

/// A journal younger than this may belong to a restore still being written in another tab (a
/// restore takes well under a second); an older one was cut short.
pub const JOURNAL_STALE_MS: u64 = 10_000;

/// Put back the journal's values of `keys` (in that order), then remove the journal.
fn roll_back<'k>(
    store: &dyn KeyValueStore,
    journal: &Journal,
    keys: impl Iterator<Item = &'k String>,
) -> Result<(), StoreError> {
    for k in keys {
        match journal.before.get(k) {
            Some(Some(old)) => store.set(k, old)?,
            Some(None) => store.remove(k)?,
            None => {}
        }
    }
    store.remove(RESTORE_JOURNAL_KEY)
}

/// A restore was cut short (the page closed, the browser crashed): put every key it touched back
/// as it was, so nothing of it stays. `Some(contents)` when there was one: the article
/// contents it had written elsewhere (IndexedDB), for the caller to delete. `stale_before` is
/// the time before which a journal counts as abandoned (now − [`JOURNAL_STALE_MS`]): a younger
/// one may be a restore another tab is writing right now, and is left to it. A journal that
/// does not parse is left where it is (never guessed at).
pub fn recover_interrupted(
    store: &dyn KeyValueStore,
    stale_before: &str,
) -> Result<Option<Vec<String>>, StoreError> {
    let Some(raw) = store.get(RESTORE_JOURNAL_KEY)? else {
        return Ok(None);
    };
    let Ok(journal) = serde_json::from_str::<Journal>(&raw) else {
        return Ok(None);
    };
    if crate::annotations_doc::cmp_time(&journal.started, stale_before)
        == std::cmp::Ordering::Greater
    {
        return Ok(None);
    }
    let keys: Vec<String> = journal.before.keys().cloned().collect();
    roll_back(store, &journal, keys.iter())?;
    Ok(Some(journal.contents))
}

/// Times from a file later than `now` become `now`: a `modified` in the year 9999 would win
/// every future merge (edits would revert, deleted highlights come back).
pub fn clamp_times(backup: &mut Backup, now: &str) {
    let clamp = |t: &mut String| {
        if crate::annotations_doc::cmp_time(t, now) == std::cmp::Ordering::Greater {
            *t = now.to_owned();
        }
    };
    for m in &mut backup.library.articles {
        clamp(&mut m.added);
        if !m.modified.is_empty() {
            clamp(&mut m.modified);
        }
    }
    for t in &mut backup.library.removed {
        clamp(&mut t.deleted);
    }
    for d in backup.annotations.values_mut() {
        for a in &mut d.annotations {
            clamp(&mut a.created);
            clamp(&mut a.modified);
        }
        for t in &mut d.tombstones {
            clamp(&mut t.deleted);
        }
    }
}

/// What [`restore`] did: the report, and everything as now stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub report: MergeReport,
    pub data: CurrentData,
}

/// Restore `backup` into `store` at time `now`: its times are clamped to `now`
/// ([`clamp_times`]), what is stored is loaded, the backup merged in by id ([`merge_backup`])
/// and what changed written, all or nothing ([`save_changes`]). A backup that changes nothing
/// writes nothing. `seed` is the built-in article.
pub fn restore(
    store: &dyn KeyValueStore,
    backup: &Backup,
    seed: &Article,
    now: &str,
) -> Result<Restored, StoreError> {
    let mut backup = backup.clone();
    clamp_times(&mut backup, now);
    let loaded = CurrentData::load(store, seed);
    let (merged, report) = merge_backup(&loaded.data, &backup);
    if !report.is_unchanged() {
        save_changes(store, &loaded.data, &merged, &loaded.read_only, now)?;
    }
    Ok(Restored {
        report,
        data: merged,
    })
}
