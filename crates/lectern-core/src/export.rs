//! Getting data out of Lectern and back in: Markdown, W3C Web Annotation JSON-LD and full backups.
//!
//! - [`markdown_notes`]: an article's highlights and notes as readable Markdown (Obsidian/Logseq).
//! - [`jsonld`]: W3C Web Annotation JSON-LD out ([`to_jsonld`]) and in ([`parse_jsonld`], from
//!   Lectern or from Hypothesis-style exports), then [`attach`] to a chosen article.
//! - [`backup`]: one versioned JSON file with the library, imported articles, annotations and
//!   settings ([`to_backup`]); [`parse_backup`] validates everything before anything changes, and
//!   [`merge_backup`] merges it into the current data by id.
//!
//! Every function here is pure: failures are values ([`ImportProblem`]), and an error leaves the
//! caller's data untouched, so an import is all-or-nothing by construction. The app writes the
//! merged result with [`backup::save_changes`], which rolls back what it wrote if a write fails.
//!
//! Offset units: exported `TextPositionSelector`s are in **code points** (as the W3C model
//! requires, and as Lectern stores them). Hypothesis exports count UTF-16 code units; such
//! positions are converted and used only as a hint, the quote decides ([`jsonld::PositionUnit`]).

pub mod backup;
pub mod jsonld;
pub mod markdown_notes;

use std::fmt;

use crate::annotation::Annotation;
use crate::article::Article;
use crate::library::ArticleMeta;

pub use backup::{
    merge_backup, parse_backup, restore, save_changes, to_backup, Backup, CurrentData, LoadedData,
    MergeCounts, MergeReport, Restored,
};
pub use jsonld::{
    attach, parse_jsonld, to_jsonld, to_jsonld_library, AttachReport, ImportedAnnotation,
    PositionUnit,
};
pub use markdown_notes::{to_markdown, to_markdown_library};

/// Largest file accepted by [`parse_backup`] and [`parse_jsonld`], in bytes (50 MiB).
pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;
/// Most annotations one import may hold.
pub const MAX_ANNOTATIONS: usize = 100_000;
/// Most articles one backup may hold.
pub const MAX_ARTICLES: usize = 10_000;
/// Longest id (article or annotation), in bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Longest note, in bytes (1 MiB).
pub const MAX_NOTE_BYTES: usize = 1024 * 1024;
/// Longest quote, prefix or suffix, in bytes (1 MiB).
pub const MAX_QUOTE_BYTES: usize = 1024 * 1024;
/// Most tags on one annotation.
pub const MAX_TAGS: usize = 200;
/// Longest tag, in bytes.
pub const MAX_TAG_BYTES: usize = 1000;
/// Longest short text (title, label, timestamp, language, file name), in bytes.
pub const MAX_SHORT_BYTES: usize = 10_000;

/// Why an import was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// What is wrong, in English, naming the problem (for the user and for logs).
    pub message: String,
    /// The JSON path of the bad value, e.g. `$.annotations.seed.annotations[3].created`;
    /// `None` when the problem is the file as a whole (too big, not JSON at all).
    pub path: Option<String>,
}

impl ImportProblem {
    /// A file of `bytes` bytes, over [`MAX_IMPORT_BYTES`] (refused before it is read).
    pub fn too_large(bytes: u64) -> ImportProblem {
        ImportProblem::new(
            format!(
                "the file is too large: {bytes} bytes, at most {MAX_IMPORT_BYTES} are accepted"
            ),
            None,
        )
    }

    pub(crate) fn new(message: impl Into<String>, path: Option<String>) -> ImportProblem {
        ImportProblem {
            message: message.into(),
            path,
        }
    }

    pub(crate) fn at(path: &str, message: impl Into<String>) -> ImportProblem {
        ImportProblem::new(message, Some(path.to_owned()))
    }
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{} (at {p})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportProblem {}

/// One article with what the library knows about it and its annotations, for the
/// whole-library exports.
#[derive(Debug, Clone, Copy)]
pub struct ArticleExport<'a> {
    pub article: &'a Article,
    /// The library entry (adds the date it was added and the file name); optional.
    pub meta: Option<&'a ArticleMeta>,
    /// Highlights and article notes, in any order.
    pub annotations: &'a [Annotation],
}

/// Refuses `raw` if it is larger than [`MAX_IMPORT_BYTES`].
pub(crate) fn check_size(raw: &str) -> Result<(), ImportProblem> {
    if raw.len() > MAX_IMPORT_BYTES {
        return Err(ImportProblem::too_large(raw.len() as u64));
    }
    Ok(())
}

/// Parses `raw` as JSON, reporting where a syntax error is.
pub(crate) fn parse_json(raw: &str) -> Result<serde_json::Value, ImportProblem> {
    check_size(raw)?;
    if raw.trim().is_empty() {
        return Err(ImportProblem::new("the file is empty", None));
    }
    serde_json::from_str(raw.trim_start_matches('\u{feff}')).map_err(|e| {
        ImportProblem::new(
            format!(
                "not valid JSON: {} at line {}, column {}",
                describe_json_error(&e),
                e.line(),
                e.column()
            ),
            None,
        )
    })
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    // serde_json appends " at line L column C"; we say it our way.
    match s.find(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Whether `ts` is an ISO 8601 UTC timestamp of the shape Lectern writes and orders
/// (`YYYY-MM-DDTHH:MM:SS[.fff…]Z`, see [`crate::annotations_doc::timestamp_key`]).
pub fn is_utc_timestamp(ts: &str) -> bool {
    let k = crate::annotations_doc::timestamp_key(ts);
    let b = k.as_bytes();
    b.len() == 30
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            29 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    JsonLd,
    /// The full backup (library scope only).
    Backup,
}

/// A file to hand to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub mime: &'static str,
    pub content: String,
}

/// A file name from a title: letters and digits, dashes between words (at most eight).
pub fn file_stem(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "article".to_owned()
    } else {
        words.join("-")
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// One article's highlights and notes as Markdown or JSON-LD (a backup is library-wide: asked
/// of one article it gives the JSON-LD).
pub fn article_file(
    article: &Article,
    meta: Option<&ArticleMeta>,
    annotations: &[Annotation],
    format: ExportFormat,
    _now: &str,
) -> ExportFile {
    let stem = file_stem(&article.title);
    match format {
        ExportFormat::Markdown => ExportFile {
            name: format!("{stem}.md"),
            mime: "text/markdown",
            content: to_markdown(article, meta, annotations),
        },
        _ => ExportFile {
            name: format!("{stem}.annotations.jsonld"),
            mime: "application/ld+json",
            content: pretty(&to_jsonld(article, annotations)),
        },
    }
}

/// The whole library (as stored: `data`, with the built-in `seed` filled in when it is listed)
/// as Markdown, JSON-LD or a full backup.
pub fn library_file(
    data: &CurrentData,
    seed: &Article,
    format: ExportFormat,
    now: &str,
) -> ExportFile {
    let date = now.get(..10).unwrap_or("today");
    if format == ExportFormat::Backup {
        return ExportFile {
            name: format!("lectern-backup-{date}.json"),
            mime: "application/json",
            content: to_backup(data, now),
        };
    }
    let mut articles: std::collections::BTreeMap<&str, &Article> =
        data.articles.iter().map(|(k, v)| (k.as_str(), v)).collect();
    if data.library.get(crate::library::SEED_ID).is_some() {
        articles.insert(crate::library::SEED_ID, seed);
    }
    let empty = Vec::new();
    let items: Vec<ArticleExport<'_>> = data
        .library
        .articles
        .iter()
        .filter_map(|m| {
            Some(ArticleExport {
                article: articles.get(m.id.as_str())?,
                meta: Some(m),
                annotations: data
                    .annotations
                    .get(&m.id)
                    .map_or(&empty, |d| &d.annotations),
            })
        })
        .collect();
    match format {
        ExportFormat::Markdown => ExportFile {
            name: format!("lectern-library-{date}.md"),
            mime: "text/markdown",
            content: to_markdown_library(&items),
        },
        _ => ExportFile {
            name: format!("lectern-library-{date}.annotations.jsonld"),
            mime: "application/ld+json",
            content: pretty(&to_jsonld_library(&items)),
        },
    }
}
