//! The sync slice: whether sync is set up and on, what the status bar says, and when the next
//! round runs (issue 17; the rounds themselves are [`crate::sync::round`], run by the
//! platform's runner).
//!
//! When rounds run:
//! - when the page starts (sync on), when the settings change, on "Sync now";
//! - shortly after a local change (a write of annotations, the library, the settings; another
//!   tab's write), [`DEBOUNCE_MS`] later, so a burst of edits is one round;
//! - when the live feed (`_changes?feed=longpoll`, while the page is visible) says the server
//!   changed;
//! - after a failure, on the backoff schedule ([`crate::sync::backoff`]), and at once when the
//!   browser comes back online; never on a timer for problems only the reader can fix.
//!
//! One round at a time: a change during a round runs another right after it.

use std::collections::BTreeSet;

use crate::effect::{Effect, Effects};
use crate::sync::config::{ConfigProblem, Secret, SyncConfig, SyncSecrets};
use crate::sync::local::Scope;
use crate::sync::problem::Retry;
use crate::sync::round::{Refusal, RoundReport};
use crate::sync::{DocId, SyncProblem};

/// Milliseconds between a local change and the round that sends it.
pub const DEBOUNCE_MS: u32 = 300;

/// What the status bar says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not set up, or turned off.
    Off,
    /// Another tab of this browser syncs.
    ElsewhereTab,
    /// A round is running (or about to).
    Syncing,
    /// Everything sent and received (`refused`: documents from the server not taken).
    Synced { refused: usize },
    /// No network (or no server): `pending` local changes wait.
    Offline { pending: usize },
    /// A problem to act on; `pending` local changes wait.
    Error {
        problem: SyncProblem,
        pending: usize,
    },
}

/// What the last round did, for Settings → Sync.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LastRound {
    /// When it ended (ISO 8601 UTC).
    pub at: String,
    pub pulled: usize,
    pub pushed: usize,
    pub resolved: usize,
    pub refused: Vec<Refusal>,
    pub newer: Vec<String>,
    pub rejected: Vec<Refusal>,
    pub encrypted: bool,
}

/// A connection test, a database being created, a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Testing,
    Tested(Result<RoundReport, SyncProblem>),
    Creating,
    Created(Result<(), SyncProblem>),
    SigningIn,
    SignedIn(Result<(), SyncProblem>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncState {
    /// Settings → Sync (`None`: never set up).
    pub config: Option<SyncConfig>,
    /// A password is remembered on this device.
    pub has_password: bool,
    /// An encryption passphrase is remembered on this device.
    pub has_passphrase: bool,
    /// This tab is the one that syncs (Web Locks; another tab of the browser may).
    pub leader: bool,
    /// The page is visible (the live feed runs only then).
    pub visible: bool,
    /// The round running, by number.
    pub running: Option<u32>,
    /// The scope of the round running (given back if it fails).
    running_scope: Scope,
    next_run: u32,
    /// The live feed waiting, by number.
    pub watching: Option<u32>,
    /// The timer that will start the next round, by number.
    timer: Option<u32>,
    /// Consecutive failed rounds.
    pub failures: u32,
    /// Why the last round failed (cleared by a round that succeeds).
    pub problem: Option<SyncProblem>,
    /// Local changes waiting to be sent.
    pub pending: usize,
    /// What changed here since the running round began (looked at by the next).
    scope: Scope,
    /// A change came during a round: run another right after.
    again: bool,
    /// A round has succeeded since the settings were loaded (else the next connects first).
    connected: bool,
    /// The checkpoint after the last round.
    pub since: Option<String>,
    pub last: Option<LastRound>,
    pub check: Option<Check>,
    /// Why the form's values cannot be used.
    pub form_problem: Option<ConfigProblem>,
    /// Keys the last round wrote: their `StoredElsewhere` echo is not a local change.
    echo: BTreeSet<String>,
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState {
            config: None,
            has_password: false,
            has_passphrase: false,
            leader: false,
            visible: true,
            running: None,
            running_scope: Scope::All,
            next_run: 1,
            watching: None,
            timer: None,
            failures: 0,
            problem: None,
            pending: 0,
            scope: Scope::All,
            again: false,
            connected: false,
            since: None,
            last: None,
            check: None,
            form_problem: None,
            echo: BTreeSet::new(),
        }
    }
}

impl SyncState {
    /// Sync is set up and on.
    pub fn enabled(&self) -> bool {
        self.config.as_ref().is_some_and(|c| c.enabled)
    }

    /// What the status bar shows.
    pub fn status(&self) -> Status {
        if !self.enabled() {
            return Status::Off;
        }
        if !self.leader {
            return Status::ElsewhereTab;
        }
        match &self.problem {
            Some(p) if p.is_offline() => Status::Offline {
                pending: self.pending,
            },
            Some(p) if self.running.is_none() => Status::Error {
                problem: p.clone(),
                pending: self.pending,
            },
            _ if self.running.is_some() || self.last.is_none() => Status::Syncing,
            _ => Status::Synced {
                refused: self.last.as_ref().map_or(0, |l| l.refused.len()),
            },
        }
    }

    fn take_run(&mut self) -> u32 {
        let n = self.next_run;
        self.next_run += 1;
        n
    }

    /// Start a round now, unless one is running (then one runs right after it).
    pub(crate) fn start(&mut self, fx: &mut Effects) {
        let Some(config) = self.config.clone().filter(|c| c.enabled) else {
            return;
        };
        if !self.leader {
            return;
        }
        if self.running.is_some() {
            self.again = true;
            return;
        }
        self.timer = None;
        self.again = false;
        let run = self.take_run();
        self.running = Some(run);
        let scope = std::mem::replace(&mut self.scope, Scope::Only(BTreeSet::new()));
        self.running_scope = scope.clone();
        fx.push(Effect::SyncRound {
            run,
            config,
            first: !self.connected,
            scope,
        });
    }

    /// Start a round in `ms` (replacing a later one).
    fn start_in(&mut self, ms: u32, fx: &mut Effects) {
        let timer = self.take_run();
        self.timer = Some(timer);
        fx.push(Effect::After {
            ms,
            action: Box::new(crate::state::Action::SyncKick { timer }),
        });
    }

    fn stop_watching(&mut self, fx: &mut Effects) {
        if self.watching.take().is_some() {
            fx.push(Effect::SyncStopWatch);
        }
    }

    fn watch(&mut self, fx: &mut Effects) {
        let (Some(config), Some(since)) = (self.config.clone(), self.since.clone()) else {
            return;
        };
        if !self.enabled() || !self.visible || !self.leader || self.watching.is_some() {
            return;
        }
        let run = self.take_run();
        self.watching = Some(run);
        fx.push(Effect::SyncWatch { run, config, since });
    }

    /// Something changed here (`doc`: which annotations; `None`: something cheap to look at,
    /// or everything when `all`).
    pub(crate) fn changed_here(&mut self, doc: Option<DocId>, all: bool, fx: &mut Effects) {
        let add = if all {
            Scope::All
        } else {
            Scope::Only(doc.into_iter().collect())
        };
        let scope = std::mem::take(&mut self.scope);
        self.scope = scope.union(add);
        if !self.enabled() || !self.leader {
            return;
        }
        if self.running.is_some() {
            self.again = true;
            return;
        }
        match &self.problem {
            // Waiting to retry, or for the reader: only count what waits.
            Some(_) => fx.push(Effect::SyncCountPending {
                config: self.config.clone().expect("enabled"),
                scope: Scope::All,
            }),
            None if self.timer.is_none() => self.start_in(DEBOUNCE_MS, fx),
            None => {}
        }
    }

    pub(crate) fn loaded(
        &mut self,
        config: Option<SyncConfig>,
        has_password: bool,
        has_passphrase: bool,
        fx: &mut Effects,
    ) {
        let changed = self.config != config;
        self.config = config;
        self.has_password = has_password;
        self.has_passphrase = has_passphrase;
        if changed {
            self.reconnect(fx);
        }
    }

    /// The settings changed (here or in another tab): connect anew.
    fn reconnect(&mut self, fx: &mut Effects) {
        self.connected = false;
        self.problem = None;
        self.failures = 0;
        self.scope = Scope::All;
        self.last = None;
        self.stop_watching(fx);
        if self.enabled() {
            self.start(fx);
        }
    }

    /// The reader saved Settings → Sync.
    pub(crate) fn save(
        &mut self,
        config: SyncConfig,
        password: Option<Secret>,
        passphrase: Option<Secret>,
        fx: &mut Effects,
    ) {
        if let Some(p) = &password {
            self.has_password = !p.0.is_empty();
        }
        if let Some(p) = &passphrase {
            self.has_passphrase = !p.0.is_empty();
        }
        self.form_problem = None;
        self.config = Some(config.clone());
        fx.push(Effect::SyncSaveConfig {
            config: Some(config),
            password,
            passphrase,
        });
        self.reconnect(fx);
    }

    pub(crate) fn turn(&mut self, on: bool, fx: &mut Effects) {
        let Some(mut config) = self.config.clone() else {
            return;
        };
        config.enabled = on;
        self.config = Some(config.clone());
        fx.push(Effect::SyncSaveConfig {
            config: Some(config),
            password: None,
            passphrase: None,
        });
        self.reconnect(fx);
    }

    pub(crate) fn forget(&mut self, fx: &mut Effects) {
        self.stop_watching(fx);
        *self = SyncState {
            leader: self.leader,
            visible: self.visible,
            next_run: self.next_run,
            ..SyncState::default()
        };
        fx.push(Effect::SyncSaveConfig {
            config: None,
            password: None,
            passphrase: None,
        });
    }

    /// "Sync now": at once, whatever the backoff said.
    pub(crate) fn now(&mut self, fx: &mut Effects) {
        self.failures = 0;
        if self.problem.is_some() {
            self.connected = false;
        }
        self.start(fx);
    }

    pub(crate) fn kick(&mut self, timer: u32, fx: &mut Effects) {
        if self.timer == Some(timer) {
            self.timer = None;
            self.start(fx);
        }
    }

    /// A round ended. Returns the keys it wrote that this tab shows (to read again).
    pub(crate) fn round_done(
        &mut self,
        run: u32,
        result: Result<RoundReport, SyncProblem>,
        pending: usize,
        jitter: f64,
        now: &str,
        fx: &mut Effects,
    ) -> BTreeSet<String> {
        if self.running != Some(run) {
            return BTreeSet::new();
        }
        self.running = None;
        let mut written = BTreeSet::new();
        match result {
            Ok(report) => {
                self.connected = true;
                self.failures = 0;
                self.problem = None;
                self.pending = report.pending;
                self.since = Some(report.since.clone());
                self.echo = report.written.clone();
                written = report.written;
                self.last = Some(LastRound {
                    at: now.to_owned(),
                    pulled: report.pulled,
                    pushed: report.pushed,
                    resolved: report.resolved,
                    refused: report.refused,
                    newer: report.newer,
                    rejected: report.rejected,
                    encrypted: report.encrypted,
                });
                if self.again || report.pending > 0 && report.pushed > 0 {
                    self.start(fx);
                } else {
                    self.watch(fx);
                }
            }
            Err(problem) => {
                // Its changes are still to be looked at.
                let scope = std::mem::take(&mut self.scope);
                self.scope = scope.union(std::mem::take(&mut self.running_scope));
                self.failures += 1;
                self.connected = false;
                self.pending = pending;
                self.stop_watching(fx);
                if problem.retry() != Retry::Never && self.enabled() {
                    let ms = crate::sync::backoff::delay_ms(self.failures, jitter);
                    self.start_in(ms, fx);
                }
                self.problem = Some(problem);
            }
        }
        written
    }

    /// The live feed answered: `changed` (run a round), or nothing (wait again), or a problem.
    pub(crate) fn watched(
        &mut self,
        run: u32,
        result: Result<(bool, Option<String>), SyncProblem>,
        jitter: f64,
        fx: &mut Effects,
    ) {
        if self.watching != Some(run) {
            return;
        }
        self.watching = None;
        match result {
            Ok((true, _)) => self.start(fx),
            Ok((false, since)) => {
                if let Some(s) = since {
                    self.since = Some(s);
                }
                self.watch(fx);
            }
            Err(problem) => {
                self.failures += 1;
                self.connected = false;
                if problem.retry() != Retry::Never {
                    let ms = crate::sync::backoff::delay_ms(self.failures, jitter);
                    self.start_in(ms, fx);
                }
                self.problem = Some(problem);
                if let Some(config) = self.config.clone() {
                    fx.push(Effect::SyncCountPending {
                        config,
                        scope: Scope::All,
                    });
                }
            }
        }
    }

    pub(crate) fn visibility(&mut self, visible: bool, fx: &mut Effects) {
        self.visible = visible;
        if !visible {
            self.stop_watching(fx);
        } else if self.enabled() && self.problem.is_none() {
            // Back: catch up, then watch.
            self.start(fx);
        }
    }

    pub(crate) fn online(&mut self, online: bool, fx: &mut Effects) {
        if online && self.problem.as_ref().is_some_and(SyncProblem::is_offline) {
            self.start(fx);
        }
    }

    pub(crate) fn leader(&mut self, leader: bool, fx: &mut Effects) {
        self.leader = leader;
        if leader {
            self.start(fx);
        }
    }

    /// Another tab's write echoes a key the last round wrote: not a change made here.
    pub(crate) fn is_echo(&mut self, key: &str) -> bool {
        self.echo.remove(key)
    }
}

/// Secrets as the form gives them: `None` keeps what is stored.
pub fn secrets_from_form(password: &str, passphrase: &str, stored: &SyncSecrets) -> SyncSecrets {
    SyncSecrets {
        password: if password.is_empty() {
            stored.password.clone()
        } else {
            password.to_owned()
        },
        passphrase: if passphrase.is_empty() {
            stored.passphrase.clone()
        } else {
            passphrase.to_owned()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Color;
    use crate::annotations_doc::AnnotationsDoc;
    use crate::library::{LibraryDoc, LIBRARY_KEY};
    use crate::parse::plain::parse_plain;
    use crate::startup::Startup;
    use crate::state::{reduce, Action, State, View};
    use crate::storage::Loaded;
    use crate::sync::config::Auth;
    use crate::text::ByteOffset;

    fn loaded<T>(value: T) -> Loaded<T> {
        Loaded {
            value,
            writable: true,
            problem: None,
        }
    }

    fn config() -> SyncConfig {
        SyncConfig::new(
            "https://couch.test",
            "lectern",
            "alice",
            Auth::Password,
            false,
            "",
        )
        .unwrap()
    }

    fn state() -> State {
        State::new(Startup {
            settings: loaded(Default::default()),
            library: loaded(LibraryDoc::first_open(&crate::library::seed_article())),
            article: parse_plain("a", "Заголовок\nПервый абзац.\nВторой абзац."),
            annotations: loaded(AnnotationsDoc::default()),
            view: View::Reader,
            problem: None,
            pending: None,
            discard: Vec::new(),
            reading: Default::default(),
            route: crate::route::Route::Default,
        })
    }

    /// Apply `actions` in turn; the effects of the last.
    fn run(s: &mut State, actions: Vec<Action>) -> Vec<Effect> {
        let mut fx = Vec::new();
        for a in actions {
            let (next, e) = reduce(s, a);
            *s = next;
            fx = e;
        }
        fx
    }

    fn rounds(fx: &[Effect]) -> Vec<(u32, bool, Scope)> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::SyncRound {
                    run, first, scope, ..
                } => Some((*run, *first, scope.clone())),
                _ => None,
            })
            .collect()
    }

    fn timer(fx: &[Effect]) -> Option<(u32, u32)> {
        fx.iter().find_map(|e| match e {
            Effect::After { ms, action } => match **action {
                Action::SyncKick { timer } => Some((*ms, timer)),
                _ => None,
            },
            _ => None,
        })
    }

    fn done(run: u32, result: Result<RoundReport, SyncProblem>) -> Action {
        Action::SyncRoundDone {
            run,
            result,
            pending: 3,
            jitter: 0.5,
            now: "2026-01-01T00:00:09.000Z".into(),
        }
    }

    /// A synced state: set up, leader, one round done.
    fn synced() -> (State, u32) {
        let mut s = state();
        let fx = run(
            &mut s,
            vec![
                Action::SyncLoaded {
                    config: Some(config()),
                    has_password: true,
                    has_passphrase: false,
                },
                Action::SyncLeader(true),
            ],
        );
        let (r, first, scope) = rounds(&fx)[0].clone();
        assert!(first);
        assert_eq!(scope, Scope::All);
        let report = RoundReport {
            since: "5".into(),
            ..RoundReport::default()
        };
        let fx = run(&mut s, vec![done(r, Ok(report))]);
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::SyncWatch { since, .. } if since == "5")),
            "{fx:?}"
        );
        assert_eq!(s.sync.status(), Status::Synced { refused: 0 });
        (s, r)
    }

    #[test]
    fn nothing_runs_until_set_up_and_this_tab_leads() {
        let mut s = state();
        assert_eq!(s.sync.status(), Status::Off);
        let fx = run(&mut s, vec![Action::SyncLeader(true)]);
        assert!(rounds(&fx).is_empty());
        let mut s = state();
        let fx = run(
            &mut s,
            vec![Action::SyncLoaded {
                config: Some(config()),
                has_password: true,
                has_passphrase: false,
            }],
        );
        assert!(rounds(&fx).is_empty(), "another tab may be the one");
        assert_eq!(s.sync.status(), Status::ElsewhereTab);
        assert_eq!(
            rounds(&run(&mut s, vec![Action::SyncLeader(true)])).len(),
            1
        );
        assert_eq!(s.sync.status(), Status::Syncing);
    }

    #[test]
    fn a_highlight_is_sent_shortly_after_in_a_round_that_looks_at_its_article_only() {
        let (mut s, _) = synced();
        let fx = run(
            &mut s,
            vec![Action::AddHighlight {
                id: "h".into(),
                range: ByteOffset(0)..ByteOffset(6),
                color: Color::Yellow,
                now: "2026-01-01T00:00:10.000Z".into(),
            }],
        );
        let (ms, t) = timer(&fx).expect("a round soon");
        assert_eq!(ms, DEBOUNCE_MS);
        let fx = run(&mut s, vec![Action::SyncKick { timer: t }]);
        let (_, first, scope) = rounds(&fx)[0].clone();
        assert!(!first);
        assert_eq!(scope, Scope::Only([DocId::Annotations("a".into())].into()));
        // A stale timer does nothing.
        assert!(rounds(&run(&mut s, vec![Action::SyncKick { timer: t }])).is_empty());
    }

    #[test]
    fn a_change_during_a_round_runs_another_right_after() {
        let (mut s, _) = synced();
        let fx = run(&mut s, vec![Action::SyncNow]);
        let (r, ..) = rounds(&fx)[0].clone();
        let fx = run(
            &mut s,
            vec![Action::SetSettings(crate::settings::Settings {
                font_size_px: 20,
                ..Default::default()
            })],
        );
        assert!(timer(&fx).is_none() && rounds(&fx).is_empty());
        let fx = run(&mut s, vec![done(r, Ok(RoundReport::default()))]);
        assert_eq!(rounds(&fx).len(), 1);
    }

    #[test]
    fn offline_waits_with_the_count_and_retries_on_the_schedule_and_when_back_online() {
        let (mut s, _) = synced();
        let (r, ..) = rounds(&run(&mut s, vec![Action::SyncNow]))[0].clone();
        let fx = run(&mut s, vec![done(r, Err(SyncProblem::Unreachable))]);
        assert_eq!(s.sync.status(), Status::Offline { pending: 3 });
        let (ms, _) = timer(&fx).unwrap();
        assert!((500..=1_000).contains(&ms), "{ms}");
        // Local changes meanwhile are counted, not sent.
        let fx = run(
            &mut s,
            vec![Action::SetSettings(crate::settings::Settings {
                font_size_px: 22,
                ..Default::default()
            })],
        );
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::SyncCountPending { .. })),
            "{fx:?}"
        );
        assert!(rounds(&fx).is_empty());
        let fx = run(&mut s, vec![Action::SyncOnline(true)]);
        let (_, first, _) = rounds(&fx)[0].clone();
        assert!(first, "connects anew after a failure");
    }

    #[test]
    fn problems_only_the_reader_can_fix_are_not_retried_on_a_timer() {
        let (mut s, _) = synced();
        let (r, ..) = rounds(&run(&mut s, vec![Action::SyncNow]))[0].clone();
        let fx = run(
            &mut s,
            vec![done(r, Err(SyncProblem::Auth { cookie: false }))],
        );
        assert!(timer(&fx).is_none());
        assert_eq!(
            s.sync.status(),
            Status::Error {
                problem: SyncProblem::Auth { cookie: false },
                pending: 3
            }
        );
        assert!(rounds(&run(&mut s, vec![Action::SyncOnline(true)])).is_empty());
        assert_eq!(rounds(&run(&mut s, vec![Action::SyncNow])).len(), 1);
    }

    #[test]
    fn what_a_round_wrote_is_read_again_once_and_its_echo_is_not_a_change() {
        let (mut s, _) = synced();
        let (r, ..) = rounds(&run(&mut s, vec![Action::SyncNow]))[0].clone();
        let key = crate::annotations_doc::annotations_key("a");
        let report = RoundReport {
            written: [
                key.clone(),
                LIBRARY_KEY.to_owned(),
                "lectern.v1.article.x".into(),
            ]
            .into(),
            since: "9".into(),
            ..RoundReport::default()
        };
        let fx = run(&mut s, vec![done(r, Ok(report))]);
        let reload = fx.iter().find_map(|e| match e {
            Effect::ReloadStored { keys } => Some(keys.clone()),
            _ => None,
        });
        assert_eq!(reload, Some(vec![LIBRARY_KEY.to_owned(), key.clone()]));
        // The reload comes back as StoredElsewhere: merged, but not a change to send.
        let fx = run(
            &mut s,
            vec![Action::StoredElsewhere {
                key: Some(LIBRARY_KEY.into()),
                value: None,
            }],
        );
        assert!(timer(&fx).is_none() && rounds(&fx).is_empty(), "{fx:?}");
        // Another tab's write of the same key later is one.
        let fx = run(
            &mut s,
            vec![Action::StoredElsewhere {
                key: Some(LIBRARY_KEY.into()),
                value: None,
            }],
        );
        assert!(timer(&fx).is_some());
    }

    #[test]
    fn the_live_feed_runs_while_visible_and_a_change_on_the_server_runs_a_round() {
        let (mut s, _) = synced();
        let w = s.sync.watching.unwrap();
        let fx = run(&mut s, vec![Action::SyncVisibility(false)]);
        assert!(fx.contains(&Effect::SyncStopWatch));
        assert!(s.sync.watching.is_none());
        // A late answer of the stopped feed is ignored.
        let fx = run(
            &mut s,
            vec![Action::SyncWatched {
                run: w,
                result: Ok((true, None)),
                jitter: 0.5,
            }],
        );
        assert!(rounds(&fx).is_empty());
        let fx = run(&mut s, vec![Action::SyncVisibility(true)]);
        let (r, ..) = rounds(&fx)[0].clone();
        let fx = run(
            &mut s,
            vec![done(
                r,
                Ok(RoundReport {
                    since: "7".into(),
                    ..RoundReport::default()
                }),
            )],
        );
        let w = fx.iter().find_map(|e| match e {
            Effect::SyncWatch { run, .. } => Some(*run),
            _ => None,
        });
        let fx = run(
            &mut s,
            vec![Action::SyncWatched {
                run: w.unwrap(),
                result: Ok((true, None)),
                jitter: 0.5,
            }],
        );
        assert_eq!(rounds(&fx).len(), 1);
    }

    #[test]
    fn saving_the_settings_connects_anew_and_forgetting_stops_everything() {
        let (mut s, _) = synced();
        let mut c = config();
        c.database = "other".into();
        let fx = run(
            &mut s,
            vec![Action::SyncSave {
                config: c.clone(),
                password: Some(Secret("pw".into())),
                passphrase: None,
            }],
        );
        assert!(matches!(&fx[0], Effect::SyncSaveConfig { config: Some(x), .. } if *x == c));
        assert!(fx.contains(&Effect::SyncStopWatch));
        assert!(rounds(&fx)[0].1, "first round again");
        let fx = run(&mut s, vec![Action::SyncForget]);
        assert!(fx.contains(&Effect::SyncSaveConfig {
            config: None,
            password: None,
            passphrase: None
        }));
        assert_eq!(s.sync.status(), Status::Off);
        assert!(format!("{:?}", Secret("hunter2".into()))
            .find("hunter2")
            .is_none());
    }
}
