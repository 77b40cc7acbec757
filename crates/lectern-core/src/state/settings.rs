//! The reader settings: set, reset, written at once.

use crate::effect::{Effect, Effects};
use crate::settings::Settings;
use crate::storage::Loaded;

#[derive(Debug, Clone, PartialEq)]
pub struct SettingsState {
    pub value: Settings,
    /// False when the stored settings must not be overwritten.
    pub writable: bool,
}

impl SettingsState {
    pub fn new(loaded: &Loaded<Settings>) -> SettingsState {
        SettingsState {
            value: loaded.value.clone(),
            writable: loaded.writable,
        }
    }

    /// Replace the settings (numbers clamped into bounds); written when they changed and may
    /// be written. A read-only value still changes on screen for this visit.
    pub(crate) fn set(&mut self, s: Settings, fx: &mut Effects) {
        let s = s.clamped();
        if s == self.value {
            return;
        }
        if self.writable {
            fx.push(Effect::SaveSettings(s.clone()));
        }
        self.value = s;
    }

    pub(crate) fn make_read_only(&mut self) {
        self.writable = false;
    }
}
