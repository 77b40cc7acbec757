//! One hook per file.

pub mod use_import;
pub mod use_shortcuts;
