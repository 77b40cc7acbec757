//! Articles from the web (issue 16; docs/web-import.md): the bookmarklet that sends the page
//! the reader is on, "Share → Lectern" on phones, the page addresses kept as sources, the
//! links Lectern cannot fetch, and what images cost.
//!
//! - [`url`]: page addresses, origins, hosts;
//! - [`bookmarklet`]: the bookmarklet and its handshake with the app;
//! - [`share`]: what a share brings (text, a link, nothing);
//! - [`store`]: what is kept in storage (the token, links to fetch, images shown).
//!
//! What runs where: the bookmarklet's code runs in the page the reader is on; the app's side
//! of the handshake is in the platform (`lectern_dom::web_import`), its decisions here
//! ([`check_offer`]); the pages themselves are imported by the same importer as files, in the
//! import worker ([`crate::import::import_web`]).

pub mod bookmarklet;
pub mod share;
pub mod store;
pub mod url;

use std::rc::Rc;

/// Bytes of images kept for offline reading at most (the service worker's cache
/// `lectern-images-v1`, `web/sw.js`; the oldest kept go first). A test checks that the worker
/// says the same.
pub const IMAGE_BUDGET_BYTES: u64 = 50_000_000;

/// An image larger than this is shown but not kept for offline reading.
pub const IMAGE_MAX_BYTES: u64 = 10_000_000;

/// The Cache Storage cache that holds the kept images (never deleted by an update).
pub const IMAGE_CACHE: &str = "lectern-images-v1";

/// Something from the web to import in the import worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebImport {
    /// A page the bookmarklet sent: its HTML as the browser had it, its URL and title.
    Page {
        html: Rc<str>,
        url: String,
        title: String,
    },
    /// Shared text, with the title and page address the share gave.
    Text {
        title: String,
        text: String,
        url: Option<String>,
    },
}

/// A page offered by a window (the bookmarklet's), as the app heard it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOffer {
    /// The page's URL (an http(s) URL on the origin the message came from).
    pub url: String,
    pub title: String,
    pub html: Rc<str>,
}

/// What to do with a page a window offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Import it: it came with this Lectern's token.
    Import(PageOffer),
    /// Ask the reader first: no token, or another one (an old bookmarklet, or a page that
    /// opened Lectern by itself).
    Ask(PageOffer),
    /// Ignore it: not an http(s) page on the origin the message came from.
    Ignore,
}

/// The decision on a message from the window that opened the app (the platform has checked
/// that it did): `origin` is the message's origin (`MessageEvent.origin`), the rest what it
/// says. A page is only taken from its own origin, so no site can send another site's
/// address; with `token` equal to the non-empty `own_token` it is imported, otherwise the
/// reader is asked.
pub fn check_offer(
    origin: &str,
    url: &str,
    title: &str,
    html: Rc<str>,
    token: &str,
    own_token: &str,
) -> Offer {
    let Some(url) = url::page_url(url) else {
        return Offer::Ignore;
    };
    if url::origin_of(&url).as_deref() != Some(origin) {
        return Offer::Ignore;
    }
    let title: String = crate::parse::strip_controls(title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(300)
        .collect();
    let offer = PageOffer { url, title, html };
    if !own_token.is_empty() && token == own_token {
        Offer::Import(offer)
    } else {
        Offer::Ask(offer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_taken_only_from_their_own_origin() {
        let html: Rc<str> = Rc::from("<p>x</p>");
        let offer = |origin: &str, url: &str, token: &str| {
            check_offer(origin, url, " A\n title ", html.clone(), token, "secret")
        };
        let page = PageOffer {
            url: "https://news.example/a/1".into(),
            title: "A title".into(),
            html: html.clone(),
        };
        assert_eq!(
            offer("https://news.example", "https://news.example/a/1", "secret"),
            Offer::Import(page.clone())
        );
        assert_eq!(
            offer("https://news.example", "https://news.example/a/1", "guess"),
            Offer::Ask(page.clone())
        );
        assert_eq!(
            offer("https://news.example", "https://news.example/a/1", ""),
            Offer::Ask(page)
        );
        // Another origin's address, a look-alike, another scheme or port: ignored.
        for (origin, url) in [
            ("https://evil.example", "https://news.example/a/1"),
            (
                "https://news.example.evil.example",
                "https://news.example/a/1",
            ),
            ("http://news.example", "https://news.example/a/1"),
            ("https://news.example:8443", "https://news.example/a/1"),
            ("null", "https://news.example/a/1"),
            ("null", "file:///home/me/page.html"),
            ("https://news.example", "javascript:alert(1)"),
            ("https://news.example", "about:blank"),
        ] {
            assert_eq!(
                offer(origin, url, "secret"),
                Offer::Ignore,
                "{origin} {url}"
            );
        }
        // No token of our own yet: always ask.
        assert!(matches!(
            check_offer("https://a.example", "https://a.example/", "", html, "", ""),
            Offer::Ask(_)
        ));
    }

    #[test]
    fn the_service_worker_keeps_images_within_the_stated_budget() {
        let sw = include_str!("../../../../web/sw.js");
        assert!(
            sw.contains(&format!("const IMAGE_BUDGET = {IMAGE_BUDGET_BYTES};")),
            "web/sw.js must state IMAGE_BUDGET = {IMAGE_BUDGET_BYTES}"
        );
        assert!(sw.contains(&format!("const IMAGE_MAX = {IMAGE_MAX_BYTES};")));
        assert!(sw.contains(&format!("const IMAGES = '{IMAGE_CACHE}';")));
    }
}
