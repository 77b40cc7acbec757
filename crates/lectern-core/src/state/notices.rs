//! Messages the reader should see until they dismiss them (storage problems, mostly).

use crate::storage::Problem;

/// Something the user should be told about until they dismiss it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u32,
    /// What the problem concerns.
    pub subject: Subject,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Settings,
    Annotations,
    Library,
    /// An imported article's stored content.
    Article,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notices {
    pub list: Vec<Notice>,
    next: u32,
}

impl Default for Notices {
    fn default() -> Self {
        Notices {
            list: Vec::new(),
            next: 1,
        }
    }
}

impl Notices {
    /// Add a notice. One per subject and kind of problem: a failing write on every keystroke
    /// must not pile up messages (the newest replaces the older); no storage at all is one
    /// problem, whatever it was meant for.
    pub fn push(&mut self, subject: Subject, problem: Problem) {
        let any_subject = matches!(problem, Problem::Unavailable { .. });
        let same = |n: &Notice| {
            (n.subject == subject || any_subject)
                && std::mem::discriminant(&n.problem) == std::mem::discriminant(&problem)
        };
        if let Some(existing) = self.list.iter_mut().find(|n| same(n)) {
            existing.problem = problem;
            return;
        }
        self.list.push(Notice {
            id: self.next,
            subject,
            problem,
        });
        self.next += 1;
    }

    pub fn dismiss(&mut self, id: u32) {
        self.list.retain(|n| n.id != id);
    }

    /// Forget notices about `subject` (its problems no longer hold).
    pub fn clear(&mut self, subject: Subject) {
        self.list.retain(|n| n.subject != subject);
    }

    /// Forget failed writes of `subject` (a later write succeeded).
    pub fn clear_write_failures(&mut self, subject: Subject) {
        self.list.retain(|n| {
            !(n.subject == subject && matches!(n.problem, Problem::WriteFailed { .. }))
        });
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}
