//! One hook per file.

pub mod use_shortcuts;
