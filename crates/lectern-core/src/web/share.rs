//! "Share → Lectern" on a phone (Web Share Target, `share_target` in the manifest): the
//! system opens Lectern's page with the shared title, text and URL in its query
//! (`?share-title=…&share-text=…&share-url=…`, the names the manifest gives them).
//!
//! Shared text is imported as text. A URL alone cannot be: Lectern is a static site running in
//! the browser, and a browser does not let one site read another site's pages; so the URL is
//! kept as a link "to fetch", with that said, and the bookmarklet suggested.

use super::url::page_url;

/// The query parameters the manifest's `share_target` names.
pub const TITLE_PARAM: &str = "share-title";
pub const TEXT_PARAM: &str = "share-text";
pub const URL_PARAM: &str = "share-url";

/// What a share brings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shared {
    /// Text to import (its title and the page it came from when the share said).
    Text {
        title: String,
        text: String,
        url: Option<String>,
    },
    /// A web page's address and nothing else to read.
    Link { url: String, title: String },
    /// Nothing usable (empty, or only whitespace).
    Nothing,
}

/// Most characters of a shared title kept.
const MAX_TITLE_CHARS: usize = 300;

/// What the three shared values mean. Apps fill them differently: Android's Chrome shares a
/// page as `text` holding only its URL; others add the URL at the end of the text. So a text
/// that is one http(s) URL is a link, and a URL ending a longer text is taken as its source.
pub fn classify(title: &str, text: &str, url: &str) -> Shared {
    let title: String = one_line(title).chars().take(MAX_TITLE_CHARS).collect();
    let mut text = crate::parse::strip_controls(text).trim().to_owned();
    let mut link = page_url(url);
    if link.is_none() && !url.trim().is_empty() {
        // Not a web address: keep it as words.
        text = format!("{text}\n\n{}", url.trim()).trim().to_owned();
    }
    if link.is_none() {
        let last = text.rsplit(char::is_whitespace).next().unwrap_or("");
        if let Some(u) = page_url(last) {
            link = Some(u);
            text = text[..text.len() - last.len()].trim_end().to_owned();
        }
    } else if let Some(u) = &link {
        // The same URL repeated at the end of the text adds nothing.
        if let Some(rest) = text.strip_suffix(u.as_str()) {
            text = rest.trim_end().to_owned();
        }
    }
    match (text.is_empty(), link) {
        (false, url) => Shared::Text { title, text, url },
        (true, Some(url)) => Shared::Link { url, title },
        (true, None) if !title.is_empty() => Shared::Text {
            text: title.clone(),
            title,
            url: None,
        },
        (true, None) => Shared::Nothing,
    }
}

/// Whitespace collapsed, control characters removed.
fn one_line(s: &str) -> String {
    crate::parse::strip_controls(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(title: &str, text: &str, url: Option<&str>) -> Shared {
        Shared::Text {
            title: title.into(),
            text: text.into(),
            url: url.map(Into::into),
        }
    }

    #[test]
    fn shares_are_text_links_or_nothing() {
        let link = |u: &str, t: &str| Shared::Link {
            url: u.into(),
            title: t.into(),
        };
        // A URL alone, in either field (Android's Chrome puts it in the text).
        assert_eq!(
            classify("Page", "", "https://example.org/a"),
            link("https://example.org/a", "Page")
        );
        assert_eq!(
            classify("", " https://example.org/a ", ""),
            link("https://example.org/a", "")
        );
        assert_eq!(
            classify("Page", "https://example.org/a", "https://example.org/a"),
            link("https://example.org/a", "Page")
        );
        // Text, with the URL at its end taken as its source.
        assert_eq!(
            classify("T", "Quoted words.\nhttps://example.org/a", ""),
            text("T", "Quoted words.", Some("https://example.org/a"))
        );
        assert_eq!(
            classify("T", "Quoted words.", "https://example.org/a"),
            text("T", "Quoted words.", Some("https://example.org/a"))
        );
        assert_eq!(classify("", "Just words", ""), text("", "Just words", None));
        // A "URL" that is not a web address stays words; so does a title alone.
        assert_eq!(
            classify("", "Words", "javascript:alert(1)"),
            text("", "Words\n\njavascript:alert(1)", None)
        );
        assert_eq!(
            classify("Only a title", "", ""),
            text("Only a title", "Only a title", None)
        );
        assert_eq!(classify(" ", "\u{0}\n ", ""), Shared::Nothing);
        assert_eq!(classify("A\u{1}\nB", "x", ""), text("A B", "x", None));
    }
}
