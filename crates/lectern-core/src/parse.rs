//! Parsers from outside formats into [`crate::article::Article`].

use std::borrow::Cow;

#[cfg(feature = "import")]
mod builder;
#[cfg(feature = "import")]
pub mod encoding;
#[cfg(feature = "import")]
pub mod html;
#[cfg(feature = "import")]
pub mod markdown_article;
pub mod plain;

/// Whether the importers remove `c` from an article's text: a control character (Unicode
/// `Cc`) that is not whitespace. The browser's HTML parser drops NUL from the DOM, and
/// browsers draw the other controls (U+0001–U+001F but for whitespace, DEL, U+0080–U+009F) as
/// nothing or as a box; left in a block's text they would be counted by offsets but not seen
/// by the reader, and every highlight after one would be off. Whitespace controls (tab, line
/// feed, vertical tab, form feed, carriage return, U+0085) keep their meaning: the parsers turn
/// them into spaces, line breaks or, in code, keep the tab.
pub fn is_removed_control(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
}

/// `s` without the characters [`is_removed_control`] names (borrowed when it has none).
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_removed_control) {
        Cow::Owned(s.chars().filter(|&c| !is_removed_control(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}
