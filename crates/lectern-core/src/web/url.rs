//! Web addresses as Lectern keeps and compares them: a page's own URL (sent by the bookmarklet,
//! or stated by a saved page), its origin, and the host shown for it.
//!
//! Relative references inside a page are not resolved here: the HTML importer hands the page's
//! URL to Readability, which makes the article's links and images absolute against it (and the
//! page's `<base>`), and every link then passes [`crate::note_markup::safe_href`] and every image
//! [`crate::article::is_image_url`].

/// Longest page URL kept, in bytes.
pub const MAX_URL: usize = 2048;

/// `s` as a page address Lectern keeps, or `None`: an absolute `http:` or `https:` URL with a
/// host, at most [`MAX_URL`] bytes, without whitespace, control characters, quotes, angle
/// brackets or backslashes once trimmed (tabs and newlines inside are removed first, as
/// browsers do). The scheme comes out lowercase; the rest as written.
pub fn page_url(s: &str) -> Option<String> {
    let cleaned: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find("://")?;
    let scheme = cleaned[..colon].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = &cleaned[colon + 3..];
    let ok = cleaned.len() <= MAX_URL
        && !rest.is_empty()
        && !rest.starts_with(['/', '?', '#', '@', ':'])
        && !cleaned.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
        });
    ok.then(|| format!("{scheme}://{rest}"))
}

/// The parts of an http(s) URL's authority: (scheme, host, port as written), or `None`.
fn authority(url: &str) -> Option<(String, &str, Option<&str>)> {
    let colon = url.find("://")?;
    let scheme = url[..colon].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = &url[colon + 3..];
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    // User info (`user:pass@`) is not part of the origin.
    let host_port = rest[..end].rsplit('@').next().unwrap_or("");
    let (host, port) = if host_port.starts_with('[') {
        let close = host_port.find(']')?;
        let after = &host_port[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (&host_port[..=close], port)
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    (!host.is_empty()).then_some((scheme, host, port))
}

/// The origin of an `http:` or `https:` URL the way browsers serialise it
/// (`MessageEvent.origin`, `location.origin`): `scheme://host[:port]`, scheme and host in
/// lowercase, the scheme's default port left out, user info dropped. `None` for other schemes
/// and for hosts a browser would have rewritten (non-ASCII, or characters a host cannot
/// have): such a URL never matches an origin, so a message claiming it is refused.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, host, port) = authority(url)?;
    let host = host.to_ascii_lowercase();
    let plain = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'[' | b']' | b':'));
    if !plain || (host.contains(':') && !host.starts_with('[')) {
        return None;
    }
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u16 = p.parse().ok()?;
            let default = if scheme == "https" { 443 } else { 80 };
            (n != default).then_some(n)
        }
        Some(_) => return None,
    };
    Some(match port {
        Some(n) => format!("{scheme}://{host}:{n}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The host to show for a page address (`example.org` for `https://www.example.org/a`), or
/// `None` when `url` is not an http(s) URL.
pub fn display_host(url: &str) -> Option<String> {
    let (_, host, _) = authority(url)?;
    let host = host.to_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_are_absolute_http_with_a_host() {
        for (raw, want) in [
            (
                "https://example.org/a?b#c",
                Some("https://example.org/a?b#c"),
            ),
            (" HTTPS://Example.org/ ", Some("https://Example.org/")),
            ("http://127.0.0.1:8080/x", Some("http://127.0.0.1:8080/x")),
            ("https://ex\nample.org/\ta", Some("https://example.org/a")),
            ("javascript:alert(1)", None),
            ("javascript://example.org/%0aalert(1)", None),
            ("data:text/html,x", None),
            ("file:///etc/passwd", None),
            ("https:///path", None),
            ("https://", None),
            ("//example.org/a", None),
            ("/relative", None),
            ("https://example.org/a b", None),
            ("https://example.org/\"onmouseover=", None),
            ("https://example.org/<x>", None),
            ("https://example.org\\@evil.org/", None),
        ] {
            assert_eq!(page_url(raw).as_deref(), want, "{raw:?}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL));
        assert_eq!(page_url(&long), None);
    }

    #[test]
    fn origins_as_browsers_serialise_them() {
        for (url, want) in [
            ("https://example.org/a/b?c#d", Some("https://example.org")),
            ("HTTPS://EXAMPLE.org", Some("https://example.org")),
            ("http://example.org:80/", Some("http://example.org")),
            ("https://example.org:443/", Some("https://example.org")),
            ("http://example.org:443/", Some("http://example.org:443")),
            ("http://127.0.0.1:08080/x", Some("http://127.0.0.1:8080")),
            ("http://127.0.0.1:/x", Some("http://127.0.0.1")),
            ("https://user:pw@example.org/", Some("https://example.org")),
            ("https://evil.org@example.org/", Some("https://example.org")),
            ("http://[::1]:9000/a", Some("http://[::1]:9000")),
            ("http://[::1]/a", Some("http://[::1]")),
            ("https://example.org?x", Some("https://example.org")),
            ("https://example.org#x", Some("https://example.org")),
            ("https://пример.рф/", None),
            ("https://example.org:99999/", None),
            ("https://example.org:8x/", None),
            ("ftp://example.org/", None),
            ("https://", None),
            ("not a url", None),
        ] {
            assert_eq!(origin_of(url).as_deref(), want, "{url:?}");
        }
    }

    #[test]
    fn hosts_for_people() {
        assert_eq!(
            display_host("https://www.Example.org/a").as_deref(),
            Some("example.org")
        );
        assert_eq!(
            display_host("http://127.0.0.1:8080/x").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(display_host("mailto:a@b.c"), None);
    }
}
