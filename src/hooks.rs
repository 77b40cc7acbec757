//! One hook per file.

pub mod use_import;
pub mod use_shortcuts;
// --- issue 18 ---
pub mod use_listen_keys;
pub mod use_reveal;
