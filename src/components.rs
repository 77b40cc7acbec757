//! One component per file.

pub mod annotation_popover;
pub mod export_menu;
pub mod header;
pub mod library_view;
pub mod note_editor;
pub mod note_view;
pub mod notes_panel;
pub mod notices;
pub mod reader;
pub mod selection_toolbar;
pub mod settings_panel;
pub mod tag_editor;
pub mod undo_toast;
// --- web import (issue 16) ---
pub mod add_page;
pub mod images_bar;
// --- issue 18 ---
pub mod listen_bar;
pub mod notebook;
pub mod publish_row;
// --- sync (issue 17) ---
pub mod sync_panel;
pub mod sync_status;
