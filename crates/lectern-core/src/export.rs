//! Getting data out of Lectern and back in: Markdown, W3C Web Annotation JSON-LD and full backups.
//!
//! - [`markdown`]: an article's highlights and notes as readable Markdown (Obsidian/Logseq).
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
pub mod markdown;

use std::fmt;

use crate::annotation::Annotation;
use crate::article::Article;
use crate::library::ArticleMeta;

pub use backup::{
    merge_backup, parse_backup, save_changes, to_backup, Backup, CurrentData, LoadedData,
    MergeCounts, MergeReport,
};
pub use jsonld::{
    attach, parse_jsonld, to_jsonld, to_jsonld_library, AttachReport, ImportedAnnotation,
    PositionUnit,
};
pub use markdown::{to_markdown, to_markdown_library};

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
        return Err(ImportProblem::new(
            format!(
                "the file is too large: {} bytes, at most {} are accepted",
                raw.len(),
                MAX_IMPORT_BYTES
            ),
            None,
        ));
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
