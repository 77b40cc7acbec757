//! The URL says what is open: `#/` is the library, `#/a/<id>` an article; no hash opens the
//! sample article (what a first visit shows). Reload, back/forward and bookmarks follow.
//! Issue 18: `#/notes?…` is the notebook with its search and filters
//! ([`crate::notebook::NotesQuery`]), `#/a/<id>?h=<annotation id>` an article scrolled to one
//! of its highlights.
//! `#/add` is "Add from the web"; `#/receive` is where the bookmarklet opens Lectern.

use crate::notebook::NotesQuery;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Reader,
    // --- issue 18 ---
    /// The notebook: every highlight and note of the library.
    Notes,
    Library,
    // --- web import (issue 16) ---
    /// "Add from the web": the bookmarklet, links to fetch, and a page being received.
    Add,
}

/// Where the URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    // --- issue 18 ---
    /// `#/notes?…`: the notebook showing this query.
    Notes(NotesQuery),
    /// `#/a/<id>?h=<annotation id>`: an article, scrolled to one of its highlights.
    Highlight {
        article: String,
        annotation: String,
    },
    /// No hash: the default article.
    Default,
    Library,
    Article(String),
    // --- web import (issue 16) ---
    /// `#/add`: "Add from the web".
    Add,
    /// `#/receive`: the bookmarklet's tab, waiting for its page.
    Receive,
}

/// Longest article id, in bytes.
pub const MAX_ARTICLE_ID: usize = 64;

/// The one grammar of article ids, shared by routes (`#/a/<id>`) and storage keys
/// (`lectern.v1.article.<id>`): 1 to [`MAX_ARTICLE_ID`] ASCII letters, digits and `-` (a UUID,
/// `seed`). No `.`, so an article's key can never be another key's `.corrupt.<n>` copy, and
/// every listed article can be opened.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ARTICLE_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Parse `location.hash` (with or without the leading `#`). Unknown hashes are the default.
pub fn parse(hash: &str) -> Route {
    let h = hash.trim_start_matches('#');
    if h.is_empty() {
        return Route::Default;
    }
    if h == "/" || h == "/library" {
        return Route::Library;
    }
    // --- web import (issue 16) ---
    if h == "/add" {
        return Route::Add;
    }
    if h == "/receive" {
        return Route::Receive;
    }
    // --- issue 18 ---
    if h == "/notes" {
        return Route::Notes(NotesQuery::default());
    }
    if let Some(qs) = h.strip_prefix("/notes?") {
        return Route::Notes(NotesQuery::parse(qs));
    }
    if let Some((id, qs)) = h.strip_prefix("/a/").and_then(|r| r.split_once('?')) {
        if !is_valid_id(id) {
            return Route::Default;
        }
        return match qs.strip_prefix("h=") {
            Some(a) if is_valid_id(a) => Route::Highlight {
                article: id.to_owned(),
                annotation: a.to_owned(),
            },
            _ => Route::Article(id.to_owned()),
        };
    }
    // ---
    match h.strip_prefix("/a/") {
        Some(id) if is_valid_id(id) => Route::Article(id.to_owned()),
        _ => Route::Default,
    }
}

/// The hash for a route (`#/a/<id>`, `#/`).
pub fn href(route: &Route) -> String {
    match route {
        Route::Default => "#".to_owned(),
        Route::Library => "#/".to_owned(),
        Route::Article(id) => format!("#/a/{id}"),
        // --- issue 18 ---
        Route::Notes(q) => {
            let qs = q.to_query_string();
            if qs.is_empty() {
                "#/notes".to_owned()
            } else {
                format!("#/notes?{qs}")
            }
        }
        Route::Highlight {
            article,
            annotation,
        } => format!("#/a/{article}?h={annotation}"),
        Route::Add => "#/add".to_owned(),
        Route::Receive => "#/receive".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_and_junk_is_default() {
        for r in [
            Route::Library,
            Route::Article("seed".into()),
            Route::Article("3f2a-9b".into()),
            Route::Add,
            Route::Receive,
        ] {
            assert_eq!(parse(&href(&r)), r);
        }
        assert_eq!(parse(""), Route::Default);
        assert_eq!(parse("#"), Route::Default);
        assert_eq!(parse("#/a/"), Route::Default);
        assert_eq!(parse("#/a/<script>"), Route::Default);
        assert_eq!(parse("#article"), Route::Default);
        assert_eq!(parse(&format!("#/a/{}", "a".repeat(65))), Route::Default);
    }

    // --- issue 18 ---
    #[test]
    fn notebook_and_highlight_routes() {
        let q = NotesQuery {
            text: "ёлка".into(),
            has_note: true,
            ..NotesQuery::default()
        };
        for r in [
            Route::Notes(NotesQuery::default()),
            Route::Notes(q.clone()),
            Route::Highlight {
                article: "seed".into(),
                annotation: "6c656374-6572-4e2d-a76f-6c64656e2d31".into(),
            },
        ] {
            assert_eq!(parse(&href(&r)), r);
        }
        assert_eq!(href(&Route::Notes(NotesQuery::default())), "#/notes");
        assert_eq!(parse("#/notes?"), Route::Notes(NotesQuery::default()));
        assert_eq!(parse("#/a/seed?x=1"), Route::Article("seed".into()));
        assert_eq!(parse("#/a/seed?h=<b>"), Route::Article("seed".into()));
        assert_eq!(parse("#/a/bad.id?h=x"), Route::Default);
        assert_eq!(parse("#/notesx"), Route::Default);
    }

    #[test]
    fn ids_follow_one_grammar() {
        for ok in ["seed", "6c656374-6572-4e2d-a76f-6c64656e2d31", "A-1"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "seed.corrupt.1", "a b", "ё", "a/b", &"x".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
