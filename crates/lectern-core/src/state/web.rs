//! Articles from the web (issue 16; docs/web-import.md): the page the bookmarklet sends (the
//! tab it opens at `#/receive`), "Share → Lectern", the links Lectern cannot fetch, and which
//! articles' images the reader chose to see.
//!
//! What is stored ([`WebDoc`]) is changed by read–change–write effects
//! ([`Effect::UpdateWeb`]); the state shows the change at once and takes what storage holds
//! when the write answers ([`Action::WebSaved`]).

use std::rc::Rc;

use crate::effect::{Effect, Effects};
use crate::import::{ImportError, MAX_IMPORT_BYTES};
use crate::route::Route;
use crate::state::library::{ImportLine, ImportOutcome, ImportReport, LibraryState};
use crate::state::{Action, State};
use crate::storage::{Loaded, StoreError};
use crate::web::share::{classify, Shared};
use crate::web::store::{ToFetch, WebDoc, WebOp};
use crate::web::{check_offer, Offer, PageOffer, WebImport};

/// How long the bookmarklet's tab waits for its page before saying nothing came (the page
/// sends it as soon as it hears "ready"; a huge page takes a moment to copy).
pub const RECEIVE_WAIT_MS: u32 = 30_000;

/// The bookmarklet's tab.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Receive {
    /// Not the bookmarklet's tab.
    #[default]
    Idle,
    /// "Ready" was sent to the page that opened this tab; its page has not come yet.
    Waiting,
    /// Nothing came in [`RECEIVE_WAIT_MS`] (still listening).
    TimedOut,
    /// Opened at `#/receive` with no page to hear from: bookmarked, reloaded, or opened from a
    /// page that does not let other windows talk to it (`Cross-Origin-Opener-Policy`).
    NoOpener,
    /// A page came without this Lectern's token: the reader is asked first.
    Confirm(Rc<PageOffer>),
    /// A page was taken and is being imported (the import report tells how it went).
    Taken { title: String },
    /// The reader did not want the page.
    Refused,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebState {
    /// What is stored: the bookmarklet's token, links to fetch, articles whose images are
    /// shown.
    pub doc: WebDoc,
    /// False when what is stored must not be overwritten (a newer Lectern wrote it).
    pub writable: bool,
    pub receive: Receive,
    /// Why the last change could not be stored, until one is.
    pub error: Option<String>,
    /// The link the last share kept (the "Add from the web" page points it out).
    pub shared: Option<String>,
    /// The import of the page the bookmarklet sent (batch and URL): once it is added, its
    /// link to fetch, if any, is done.
    pending: Option<(u32, String)>,
}

impl Default for WebState {
    fn default() -> Self {
        WebState {
            doc: WebDoc::default(),
            writable: true,
            receive: Receive::Idle,
            error: None,
            shared: None,
            pending: None,
        }
    }
}

impl WebState {
    /// Whether article `id`'s images are shown under `policy`.
    pub fn images_shown(&self, policy: crate::settings::ImagePolicy, id: &str) -> bool {
        policy.shows(self.doc.images_shown(id))
    }

    /// Show `op`'s change now and ask for it to be stored.
    fn change(&mut self, op: WebOp, fx: &mut Effects) {
        self.doc = self.doc.apply(&op);
        if self.writable {
            fx.push(Effect::UpdateWeb(op));
        }
    }
}

impl LibraryState {
    /// Start importing something from the web as a new batch of one line called `name`
    /// (refused without reading when over the size limit, as a file is). Returns the batch.
    pub(crate) fn import_web(&mut self, name: String, what: WebImport, fx: &mut Effects) -> u32 {
        let batch = self.import.batch + 1;
        let bytes = match &what {
            WebImport::Page { html, .. } => html.len(),
            WebImport::Text { text, .. } => text.len(),
        };
        let outcome = if bytes > MAX_IMPORT_BYTES {
            ImportOutcome::Failed(ImportError::TooLarge {
                bytes,
                limit: MAX_IMPORT_BYTES,
            })
        } else {
            fx.push(Effect::ImportWeb {
                batch,
                name: name.clone(),
                import: what,
            });
            ImportOutcome::Working
        };
        self.import = ImportReport {
            batch,
            lines: vec![ImportLine { name, outcome }],
            done: false,
        };
        self.settle(fx);
        batch
    }
}

/// What the import report calls a page: its title, else its address.
fn page_name(title: &str, url: &str) -> String {
    if title.trim().is_empty() {
        url.to_owned()
    } else {
        title.trim().to_owned()
    }
}

/// The app was opened at `#/receive`, with a page (the opener) to hear from or not.
pub(crate) fn receive_started(s: &mut State, opener: bool, fx: &mut Effects) {
    if opener {
        s.web.receive = Receive::Waiting;
        fx.push(Effect::After {
            ms: RECEIVE_WAIT_MS,
            action: Box::new(Action::ReceiveTimedOut),
        });
    } else {
        s.web.receive = Receive::NoOpener;
    }
}

pub(crate) fn receive_timed_out(s: &mut State) {
    if s.web.receive == Receive::Waiting {
        s.web.receive = Receive::TimedOut;
    }
}

/// The window that opened this tab sent a page (the platform checked it was that window).
/// One page per tab; only from the page's own origin ([`check_offer`]); with this Lectern's
/// token it is imported, otherwise the reader is asked.
pub(crate) fn page_offered(
    s: &mut State,
    origin: &str,
    url: &str,
    title: &str,
    html: Rc<str>,
    token: &str,
    fx: &mut Effects,
) {
    if !matches!(s.web.receive, Receive::Waiting | Receive::TimedOut) {
        return;
    }
    match check_offer(origin, url, title, html, token, &s.web.doc.token) {
        Offer::Ignore => {}
        Offer::Ask(offer) => s.web.receive = Receive::Confirm(Rc::new(offer)),
        Offer::Import(offer) => take(s, offer, fx),
    }
}

/// The reader answered the question about a page that came without the token.
pub(crate) fn confirm_page(s: &mut State, yes: bool, fx: &mut Effects) {
    let Receive::Confirm(offer) = &s.web.receive else {
        return;
    };
    if yes {
        let offer = (**offer).clone();
        take(s, offer, fx);
    } else {
        s.web.receive = Receive::Refused;
    }
}

/// Import the page: through the import worker, as a file would be.
fn take(s: &mut State, offer: PageOffer, fx: &mut Effects) {
    let name = page_name(&offer.title, &offer.url);
    s.web.receive = Receive::Taken {
        title: name.clone(),
    };
    let url = offer.url.clone();
    let batch = s.library.import_web(
        name,
        WebImport::Page {
            html: offer.html,
            url: offer.url,
            title: offer.title,
        },
        fx,
    );
    s.web.pending = Some((batch, url));
}

/// "Share → Lectern": text is imported; a link alone is kept to fetch, on the "Add from the
/// web" page, which says why.
pub(crate) fn shared(
    s: &mut State,
    title: &str,
    text: &str,
    url: &str,
    now: &str,
    fx: &mut Effects,
) {
    match classify(title, text, url) {
        Shared::Text { title, text, url } => {
            let name = if title.is_empty() {
                let first: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let short: String = first.chars().take(60).collect();
                if short.len() < first.len() {
                    format!("{short}…")
                } else {
                    short
                }
            } else {
                title.clone()
            };
            s.library
                .import_web(name, WebImport::Text { title, text, url }, fx);
            s.web.shared = None;
        }
        Shared::Link { url, title } => {
            s.web.change(
                WebOp::AddToFetch(ToFetch {
                    url: url.clone(),
                    title,
                    added: now.to_owned(),
                }),
                fx,
            );
            s.web.shared = Some(url);
            fx.push(Effect::Navigate(Route::Add));
        }
        Shared::Nothing => {
            s.web.shared = None;
            fx.push(Effect::Navigate(Route::Add));
        }
    }
}

/// An imported article was added (batch `batch`): the page the bookmarklet sent is no longer
/// a link to fetch.
pub(crate) fn added(s: &mut State, batch: u32, fx: &mut Effects) {
    let Some((b, url)) = s.web.pending.clone() else {
        return;
    };
    if b == batch {
        s.web.pending = None;
        if s.web.doc.to_fetch.iter().any(|x| x.url == url) {
            s.web.change(WebOp::RemoveToFetch(url), fx);
        }
    }
}

pub(crate) fn remove_to_fetch(s: &mut State, url: String, fx: &mut Effects) {
    if s.web.shared.as_deref() == Some(url.as_str()) {
        s.web.shared = None;
    }
    s.web.change(WebOp::RemoveToFetch(url), fx);
}

pub(crate) fn show_images(s: &mut State, id: String, show: bool, fx: &mut Effects) {
    if s.web.doc.images_shown(&id) != show {
        s.web.change(WebOp::ShowImages { id, show }, fx);
    }
}

/// The "Add from the web" page is shown (`receiving`: at `#/receive`): it needs the
/// bookmarklet's token. What the bookmarklet's tab said is over once its import has settled,
/// and is not said on the plain page.
pub(crate) fn add_page_shown(s: &mut State, receiving: bool, fx: &mut Effects) {
    if s.web.doc.token.is_empty() && s.web.writable {
        fx.push(Effect::MakeWebToken);
    }
    let over = match s.web.receive {
        Receive::Taken { .. } => s.library.import.done,
        Receive::Refused | Receive::NoOpener | Receive::TimedOut => !receiving,
        Receive::Idle | Receive::Waiting | Receive::Confirm(_) => false,
    };
    if over {
        s.web.receive = Receive::Idle;
    }
}

/// What storage held at start-up.
pub(crate) fn loaded(s: &mut State, l: Loaded<WebDoc>, fx: &mut Effects) {
    // Changes made before it was read (none are expected) were stored by their own effects.
    s.web.doc = l.value;
    s.web.writable = l.writable;
    s.web.error = l.problem.map(|p| problem_text(&p));
    if s.view == crate::state::View::Add {
        add_page_shown(s, false, fx);
    }
}

/// What to say about a problem reading what the web import keeps (after the interface's
/// `web_problem`).
fn problem_text(p: &crate::storage::Problem) -> String {
    use crate::storage::Problem;
    use crate::web::store::WEB_KEY;
    match p {
        Problem::Corrupt {
            backup_key: Some(k),
            ..
        } => format!("{WEB_KEY} could not be read; its value was kept under {k}"),
        Problem::Corrupt { .. } => {
            format!("{WEB_KEY} could not be read or copied aside, so it is left as it is")
        }
        Problem::NewerVersion { key, found, .. } => StoreError::Newer {
            key: key.clone(),
            found: *found,
        }
        .to_string(),
        Problem::Unavailable { why } => why.clone(),
        other => format!("{other:?}"),
    }
}

pub(crate) fn saved(s: &mut State, doc: WebDoc) {
    s.web.doc = doc;
    s.web.error = None;
}

pub(crate) fn not_saved(s: &mut State, error: StoreError) {
    if matches!(error, StoreError::Newer { .. }) {
        s.web.writable = false;
    }
    s.web.error = Some(error.to_string());
}

/// Another tab stored the web import's data.
pub(crate) fn stored_elsewhere(s: &mut State, raw: &str) {
    use crate::storage::{parse_stored, StoredElsewhere};
    use crate::web::store::{migrate, WEB_VERSION};
    match parse_stored::<WebDoc, _>(raw, WEB_VERSION, migrate) {
        Ok(doc) => s.web.doc = doc,
        Err(StoredElsewhere::Newer { .. }) => s.web.writable = false,
        Err(StoredElsewhere::Bad(_)) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::LibraryDoc;
    use crate::startup::Startup;
    use crate::state::{reduce, View};

    fn ok<T>(value: T) -> Loaded<T> {
        Loaded {
            value,
            writable: true,
            problem: None,
        }
    }

    fn state(view: View) -> State {
        let seed = crate::library::seed_article();
        State::new(Startup {
            settings: ok(crate::settings::Settings::default()),
            library: ok(LibraryDoc::first_open(&seed)),
            annotations: ok(Default::default()),
            article: seed,
            view,
            problem: None,
            pending: None,
            discard: Vec::new(),
            reading: Default::default(),
            route: crate::route::Route::Default,
        })
    }

    fn run(s: &State, a: Action) -> (State, Vec<Effect>) {
        reduce(s, a)
    }

    fn with_token(s: &State, token: &str) -> State {
        run(
            s,
            Action::WebLoaded(Loaded {
                value: WebDoc {
                    token: token.into(),
                    ..WebDoc::default()
                },
                writable: true,
                problem: None,
            }),
        )
        .0
    }

    fn offer(s: &State, origin: &str, url: &str, token: &str) -> (State, Vec<Effect>) {
        run(
            s,
            Action::PageOffered {
                origin: origin.into(),
                url: url.into(),
                title: "A page".into(),
                html: Rc::from("<html>…</html>"),
                token: token.into(),
            },
        )
    }

    #[test]
    fn the_bookmarklets_page_is_imported_like_a_file() {
        let s = with_token(&state(View::Add), "tok");
        let (s, fx) = run(&s, Action::ReceiveStarted { opener: true });
        assert_eq!(s.web.receive, Receive::Waiting);
        assert!(matches!(fx[..], [Effect::After { .. }]));
        // From another origin than the page's: ignored, still waiting.
        let (s, fx) = offer(&s, "https://evil.example", "https://news.example/a", "tok");
        assert_eq!((s.web.receive.clone(), fx.len()), (Receive::Waiting, 0));
        let (s, fx) = offer(&s, "https://news.example", "https://news.example/a", "tok");
        assert_eq!(
            s.web.receive,
            Receive::Taken {
                title: "A page".into()
            }
        );
        match &fx[..] {
            [Effect::ImportWeb {
                batch,
                name,
                import: WebImport::Page { url, .. },
            }] => {
                assert_eq!(
                    (*batch, name.as_str(), url.as_str()),
                    (1, "A page", "https://news.example/a")
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.library.import.lines[0].outcome, ImportOutcome::Working);
        // One page per tab.
        let (s2, fx) = offer(&s, "https://news.example", "https://news.example/b", "tok");
        assert!(fx.is_empty() && s2.web.receive == s.web.receive);
        // Too large: the file's message, nothing sent to the worker.
        let s = with_token(&state(View::Add), "tok");
        let (s, _) = run(&s, Action::ReceiveStarted { opener: true });
        let big: Rc<str> = Rc::from(" ".repeat(MAX_IMPORT_BYTES + 1));
        let (s, fx) = run(
            &s,
            Action::PageOffered {
                origin: "https://a.example".into(),
                url: "https://a.example/".into(),
                title: String::new(),
                html: big,
                token: "tok".into(),
            },
        );
        assert!(matches!(
            s.library.import.lines[0].outcome,
            ImportOutcome::Failed(ImportError::TooLarge { .. })
        ));
        assert_eq!(s.library.import.lines[0].name, "https://a.example/");
        assert_eq!(fx, vec![Effect::Navigate(Route::Library)]);
    }

    #[test]
    fn without_the_token_the_reader_is_asked() {
        let s = with_token(&state(View::Add), "tok");
        let (s, _) = run(&s, Action::ReceiveStarted { opener: true });
        let (asked, fx) = offer(&s, "https://news.example", "https://news.example/a", "old");
        assert!(fx.is_empty());
        assert!(matches!(asked.web.receive, Receive::Confirm(_)));
        let (no, fx) = run(&asked, Action::ConfirmPage(false));
        assert_eq!((no.web.receive, fx.len()), (Receive::Refused, 0));
        let (yes, fx) = run(&asked, Action::ConfirmPage(true));
        assert!(matches!(yes.web.receive, Receive::Taken { .. }));
        assert!(matches!(fx[..], [Effect::ImportWeb { .. }]));
        // No opener: nothing to wait for, nothing accepted.
        let (s, fx) = run(&state(View::Add), Action::ReceiveStarted { opener: false });
        assert_eq!((s.web.receive.clone(), fx.len()), (Receive::NoOpener, 0));
        assert!(offer(&s, "https://a.example", "https://a.example/", "")
            .1
            .is_empty());
        // Not the bookmarklet's tab: a message is ignored.
        assert!(offer(
            &state(View::Reader),
            "https://a.example",
            "https://a.example/",
            ""
        )
        .1
        .is_empty());
    }

    #[test]
    fn shares_import_text_or_keep_a_link_to_fetch() {
        let s = state(View::Reader);
        let (t, fx) = run(
            &s,
            Action::Shared {
                title: "".into(),
                text: "Words worth keeping, shared from a phone.".into(),
                url: "".into(),
                now: "2026-01-01T00:00:00.000Z".into(),
            },
        );
        assert!(matches!(
            &fx[..],
            [Effect::ImportWeb {
                import: WebImport::Text { .. },
                ..
            }]
        ));
        assert_eq!(
            t.library.import.lines[0].name,
            "Words worth keeping, shared from a phone."
        );
        let (l, fx) = run(
            &s,
            Action::Shared {
                title: "Page".into(),
                text: "https://news.example/a".into(),
                url: "".into(),
                now: "2026-01-01T00:00:00.000Z".into(),
            },
        );
        assert_eq!(l.web.shared.as_deref(), Some("https://news.example/a"));
        assert_eq!(l.web.doc.to_fetch[0].title, "Page");
        assert!(matches!(
            &fx[..],
            [
                Effect::UpdateWeb(WebOp::AddToFetch(_)),
                Effect::Navigate(Route::Add)
            ]
        ));
        // Once the page comes from the bookmarklet and is added, the link is done.
        let l = run(&l, Action::WebSaved(l.web.doc.clone())).0;
        let (l, _) = run(&l, Action::ReceiveStarted { opener: true });
        let (l, _) = offer(&l, "https://news.example", "https://news.example/a", "");
        let (l, _) = run(&l, Action::ConfirmPage(true));
        let batch = l.library.import.batch;
        let article = crate::parse::plain::parse_plain("new-1", "Title\nBody text.");
        let meta = crate::library::ArticleMeta::of(&article, "2026-01-01T00:00:01.000Z", None);
        let (_, fx) = run(
            &l,
            Action::ArticleAdded {
                batch,
                meta,
                library: l.library.doc.clone(),
            },
        );
        assert!(
            fx.contains(&Effect::UpdateWeb(WebOp::RemoveToFetch(
                "https://news.example/a".into()
            ))),
            "{fx:?}"
        );
    }

    #[test]
    fn what_the_receiving_tab_said_does_not_outlive_it() {
        let s = with_token(&state(View::Add), "tok");
        let (s, _) = run(&s, Action::ReceiveStarted { opener: true });
        let (s, _) = offer(&s, "https://a.example", "https://a.example/", "tok");
        // Back to `#/receive` while the import runs: still "Adding…".
        let (s, _) = run(&s, Action::RouteChanged(Route::Receive));
        assert!(matches!(s.web.receive, Receive::Taken { .. }));
        let (s, _) = run(
            &s,
            Action::ImportFailed {
                batch: 1,
                name: "A page".into(),
                why: "the worker stopped".into(),
            },
        );
        assert!(s.library.import.done);
        let (s, _) = run(&s, Action::RouteChanged(Route::Receive));
        assert_eq!(s.web.receive, Receive::Idle);
        // "Nothing to receive" is said in that tab only.
        let (s, _) = run(&state(View::Add), Action::ReceiveStarted { opener: false });
        assert_eq!(
            run(&s, Action::RouteChanged(Route::Receive)).0.web.receive,
            Receive::NoOpener
        );
        assert_eq!(
            run(&s, Action::RouteChanged(Route::Add)).0.web.receive,
            Receive::Idle
        );
        // A stored value that does not parse is said, with where it was kept.
        let (s, _) = run(
            &state(View::Add),
            Action::WebLoaded(Loaded {
                value: WebDoc::default(),
                writable: true,
                problem: Some(crate::storage::Problem::Corrupt {
                    key: crate::web::store::WEB_KEY.into(),
                    error: "x".into(),
                    backup_key: Some("lectern.v1.web.corrupt.1".into()),
                }),
            }),
        );
        assert_eq!(
            s.web.error.as_deref(),
            Some("lectern.v1.web could not be read; its value was kept under lectern.v1.web.corrupt.1")
        );
    }

    #[test]
    fn image_choices_and_the_token_are_stored_changes() {
        let s = state(View::Reader);
        let (s, fx) = run(
            &s,
            Action::ShowImages {
                id: "seed".into(),
                show: true,
            },
        );
        assert!(s
            .web
            .images_shown(crate::settings::ImagePolicy::Ask, "seed"));
        assert!(!s
            .web
            .images_shown(crate::settings::ImagePolicy::Never, "seed"));
        assert_eq!(
            fx,
            vec![Effect::UpdateWeb(WebOp::ShowImages {
                id: "seed".into(),
                show: true
            })]
        );
        // Showing the add page without a token asks for one to be made.
        let (_, fx) = run(&state(View::Reader), Action::RouteChanged(Route::Add));
        assert!(fx.contains(&Effect::MakeWebToken), "{fx:?}");
        let (_, fx) = run(
            &with_token(&state(View::Reader), "t"),
            Action::RouteChanged(Route::Add),
        );
        assert!(!fx.contains(&Effect::MakeWebToken));
        // A newer Lectern's data is never written over.
        let (s, _) = run(
            &state(View::Reader),
            Action::WebNotSaved(StoreError::Newer {
                key: crate::web::store::WEB_KEY.into(),
                found: 2,
            }),
        );
        let (_, fx) = run(
            &s,
            Action::ShowImages {
                id: "x".into(),
                show: true,
            },
        );
        assert!(fx.is_empty());
    }
}
