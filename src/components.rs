//! One component per file.

pub mod header;
pub mod notices;
pub mod reader;
pub mod settings_panel;
