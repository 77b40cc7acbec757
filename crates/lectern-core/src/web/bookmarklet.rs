//! The bookmarklet: a `javascript:` link the reader keeps among their bookmarks. Clicked on any
//! page, it opens the reader's own Lectern (whose address it carries) at `#/receive` and hands
//! it the page once that Lectern says it is ready:
//!
//! 1. page → `open(<lectern>#/receive)`: a new tab, whose opener is the page;
//! 2. Lectern → opener: `{type: "lectern:ready"}` (nothing secret; any origin may see it);
//! 3. page: accepts "ready" only from that tab (`event.source`) at Lectern's origin
//!    (`event.origin`), then posts `{type: "lectern:page", v: 1, token, url, title, html}` with
//!    Lectern's origin as the target, so no other site can receive the page;
//! 4. Lectern accepts one page, only from its opener, only when the page's URL is on the
//!    origin the message came from, and without a confirmation only with its token
//!    ([`super::check_offer`]).
//!
//! The page's own script (if hostile) sees what the bookmarklet does there and could copy the
//! token: the worst it can then do is offer pages without a confirmation. Whatever arrives
//! goes through the same importer as a file: text, never markup or script.

use super::url::page_url;

/// What the bookmarklet's message is called (`type`), and Lectern's answer.
pub const PAGE_MESSAGE: &str = "lectern:page";
pub const READY_MESSAGE: &str = "lectern:ready";

/// The route the bookmarklet opens.
pub const RECEIVE_HASH: &str = "#/receive";

/// The bookmarklet for the Lectern at `app_url` (an http(s) URL without its hash: where the
/// app's page is) with `token`, as a `javascript:` URL to put in a link's `href`. `no_window`
/// is said (with `alert`) when the browser refused to open a tab. `None` when `app_url` is
/// not an http(s) URL.
pub fn bookmarklet(app_url: &str, token: &str, no_window: &str) -> Option<String> {
    let app = page_url(app_url)?;
    let app = app.split('#').next().unwrap_or(&app).to_owned();
    let js = |s: &str| serde_json::to_string(s).expect("a string serialises");
    let code = format!(
        "(()=>{{const L={app},O=new URL(L).origin,d=document,t=d.doctype,\
         h=(t?new XMLSerializer().serializeToString(t):'')+d.documentElement.outerHTML,\
         m={{type:{page},v:1,token:{token},url:location.href,title:d.title,html:h}},\
         w=open(L+{hash});if(!w){{alert({msg});return}}\
         const f=e=>{{if(e.source===w&&e.origin===O&&e.data&&e.data.type==={ready}){{\
         removeEventListener('message',f);w.postMessage(m,O)}}}};\
         addEventListener('message',f);setTimeout(()=>removeEventListener('message',f),12e4)}})()",
        app = js(&app),
        page = js(PAGE_MESSAGE),
        token = js(token),
        hash = js(RECEIVE_HASH),
        msg = js(no_window),
        ready = js(READY_MESSAGE),
    );
    Some(format!("javascript:{}", encode(&code)))
}

/// `code` percent-encoded for a `javascript:` URL: a browser decodes the URL before running
/// it, so `%` must be `%25`; `#` would start a fragment; spaces, quotes, brackets and anything
/// outside ASCII are encoded too, so the link survives being dragged to a bookmarks bar.
fn encode(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    for b in code.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'();:,/?@&=+$".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode`] (what a browser does before running a `javascript:` URL), for
/// tests.
pub fn decode(url: &str) -> Option<String> {
    let code = url.strip_prefix("javascript:")?;
    let b = code.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bookmarklet_carries_its_lectern_and_token() {
        let b = bookmarklet(
            "https://reader.example/lectern/#/add",
            "0123abcd",
            "Allow \"pop-ups\" 100%",
        )
        .unwrap();
        assert!(b.starts_with("javascript:"));
        // Nothing a link, a bookmark or a URL parser could cut or change.
        for c in [' ', '#', '"', '<', '>', '{', '}', '\n', '`'] {
            assert!(!b[11..].contains(c), "{c:?} in {b}");
        }
        let code = decode(&b).unwrap();
        assert!(
            code.contains(r#"const L="https://reader.example/lectern/""#),
            "{code}"
        );
        assert!(code.contains(r#"token:"0123abcd""#), "{code}");
        assert!(code.contains(r##"open(L+"#/receive")"##), "{code}");
        assert!(
            code.contains(r#"alert("Allow \"pop-ups\" 100%")"#),
            "{code}"
        );
        // The page goes only to Lectern's origin, after Lectern's "ready" from that window.
        assert!(code.contains("w.postMessage(m,O)"), "{code}");
        assert!(code.contains("e.source===w&&e.origin===O"), "{code}");
        assert!(code.contains(r#"e.data.type==="lectern:ready""#), "{code}");
    }

    #[test]
    fn only_web_addresses_get_a_bookmarklet() {
        assert!(bookmarklet("file:///home/me/dist/index.html", "t", "x").is_none());
        assert!(bookmarklet("javascript:alert(1)", "t", "x").is_none());
        // A token or message cannot break out of its string.
        let b = bookmarklet("http://127.0.0.1:8080/", "\"+alert(1)+\"", "');alert(2)//").unwrap();
        let code = decode(&b).unwrap();
        assert!(code.contains(r#"token:"\"+alert(1)+\"""#), "{code}");
        assert!(code.contains(r#"alert("');alert(2)//")"#), "{code}");
    }
}
