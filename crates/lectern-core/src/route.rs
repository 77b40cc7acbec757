//! The URL says what is open: `#/` is the library, `#/a/<id>` an article; no hash opens the
//! sample article (what a first visit shows). Reload, back/forward and bookmarks follow.

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Reader,
    Library,
}

/// Where the URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// No hash: the default article.
    Default,
    Library,
    Article(String),
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
    match h.strip_prefix("/a/") {
        Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
            Route::Article(id.to_owned())
        }
        _ => Route::Default,
    }
}

/// The hash for a route (`#/a/<id>`, `#/`).
pub fn href(route: &Route) -> String {
    match route {
        Route::Default => "#".to_owned(),
        Route::Library => "#/".to_owned(),
        Route::Article(id) => format!("#/a/{id}"),
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
        ] {
            assert_eq!(parse(&href(&r)), r);
        }
        assert_eq!(parse(""), Route::Default);
        assert_eq!(parse("#"), Route::Default);
        assert_eq!(parse("#/a/"), Route::Default);
        assert_eq!(parse("#/a/<script>"), Route::Default);
        assert_eq!(parse("#article"), Route::Default);
    }
}
