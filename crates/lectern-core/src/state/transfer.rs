//! Exports (this article's highlights, or the whole library) and data files brought back in (a
//! backup, or annotations as JSON-LD), with what the reader is told about the last one.

use crate::effect::DataScope;
use crate::export::backup::MergeReport;
use crate::export::jsonld::AttachReport;
use crate::export::ImportProblem;

/// What happened to the last data file, shown in the export menu it was chosen from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataStatus {
    /// Being read or restored.
    Working {
        name: String,
    },
    Restored {
        name: String,
        report: MergeReport,
    },
    AnnotationsImported {
        name: String,
        report: AttachReport,
    },
    Failed {
        name: String,
        why: DataProblem,
    },
}

/// Why a data file changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum DataProblem {
    /// Not valid: what is wrong and where (a JSON path).
    Invalid(ImportProblem),
    /// Annotations (JSON-LD) need an article to attach to: open one first.
    NeedsArticle,
    /// Not UTF-8 text.
    Undecodable,
    /// The file could not be read, or storage refused the restore (the browser's reason).
    NotSaved(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransferState {
    /// The last data file and where it was chosen.
    pub status: Option<(DataScope, DataStatus)>,
}
