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
// --- sync (issue 17) ---
pub mod sync_panel;
pub mod sync_status;
