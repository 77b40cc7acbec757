//! The app's state and its one reducer. `reduce` does no I/O: the app persists what changed
//! in effects and reports failures back as events.
//!
//! Actions are commands (imperative: `SetSettings`) or events (past tense: `SaveFailed`).

use std::rc::Rc;

use crate::article::Article;
use crate::settings::Settings;
use crate::storage::{Loaded, Problem, StoreError};

/// Something the user should be told about until they dismiss it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u32,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub article: Rc<Article>,
    pub settings: Settings,
    /// False when the stored settings must not be overwritten (newer schema, unreadable and
    /// not backed up, or no storage at all).
    pub settings_writable: bool,
    pub notices: Vec<Notice>,
    next_notice: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Replace the reader settings (numbers are clamped into bounds).
    SetSettings(Settings),
    ResetSettings,
    DismissNotice(u32),
    /// A write to storage failed.
    SaveFailed {
        key: String,
        error: StoreError,
    },
}

impl State {
    /// The state at start-up: the article to show and the settings as loaded from storage.
    pub fn new(article: Article, settings: Loaded<Settings>) -> State {
        let mut state = State {
            article: Rc::new(article),
            settings: settings.value,
            settings_writable: settings.writable,
            notices: Vec::new(),
            next_notice: 1,
        };
        if let Some(p) = settings.problem {
            state.push_notice(p);
        }
        state
    }

    fn push_notice(&mut self, problem: Problem) {
        // One notice per kind of problem and key: a failing write on every keystroke must not
        // pile up messages.
        let same =
            |n: &Notice| std::mem::discriminant(&n.problem) == std::mem::discriminant(&problem);
        if let Some(existing) = self.notices.iter_mut().find(|n| same(n)) {
            existing.problem = problem;
            return;
        }
        self.notices.push(Notice {
            id: self.next_notice,
            problem,
        });
        self.next_notice += 1;
    }
}

pub fn reduce(state: &State, action: Action) -> State {
    let mut next = state.clone();
    match action {
        Action::SetSettings(s) => next.settings = s.clamped(),
        Action::ResetSettings => next.settings = Settings::default(),
        Action::DismissNotice(id) => next.notices.retain(|n| n.id != id),
        Action::SaveFailed { key, error } => next.push_notice(Problem::WriteFailed { key, error }),
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::plain::parse_plain;
    use crate::settings::Theme;

    fn start(problem: Option<Problem>) -> State {
        State::new(
            parse_plain("a", "T\nx"),
            Loaded {
                value: Settings::default(),
                writable: problem.is_none(),
                problem,
            },
        )
    }

    #[test]
    fn settings_are_set_clamped_and_reset() {
        let s = start(None);
        let s = reduce(
            &s,
            Action::SetSettings(Settings {
                theme: Theme::Dark,
                font_size_px: 99,
                ..Settings::default()
            }),
        );
        assert_eq!(
            (s.settings.theme, s.settings.font_size_px),
            (Theme::Dark, 28)
        );
        assert_eq!(
            reduce(&s, Action::ResetSettings).settings,
            Settings::default()
        );
    }

    #[test]
    fn load_problems_become_notices_that_can_be_dismissed() {
        let s = start(Some(Problem::Unavailable { why: "x".into() }));
        assert!(!s.settings_writable);
        assert_eq!(s.notices.len(), 1);
        let id = s.notices[0].id;
        assert!(reduce(&s, Action::DismissNotice(id)).notices.is_empty());
    }

    #[test]
    fn repeated_save_failures_keep_one_notice() {
        let mut s = start(None);
        for _ in 0..3 {
            s = reduce(
                &s,
                Action::SaveFailed {
                    key: "k".into(),
                    error: StoreError::QuotaExceeded {
                        key: "k".into(),
                        bytes: 1,
                    },
                },
            );
        }
        assert_eq!(s.notices.len(), 1);
    }
}
