//! Every importer (`.txt` with its encodings, `.md`, `.html`) → `reader_html` → the browser's
//! HTML parser (html5ever, as the app's `innerHTML`): each block's text in the DOM must be the
//! article's block text, or offsets count characters the reader does not show (a NUL, a
//! stray control character) and highlights shift. The same bytes go through all three.
#![no_main]

use lectern_core::i18n::Lang;
use lectern_core::import::import_file;
use lectern_core::render::reader_html;
use lectern_fuzz::assert_dom_matches;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["fuzz.txt", "fuzz.md", "fuzz.html"] {
        let Ok(article) = import_file("fuzz", name, data) else {
            continue;
        };
        for b in &article.blocks {
            assert!(!b.text.contains('\n'), "{name}: a block holds a line break");
            for m in &b.marks {
                assert!(
                    m.start < m.end && m.end <= b.text.len(),
                    "{name}: mark out of its block"
                );
                assert!(b.text.is_char_boundary(m.start) && b.text.is_char_boundary(m.end));
            }
        }
        // Images (issue 16): https addresses only, each between blocks.
        for im in &article.images {
            assert!(
                lectern_core::article::is_image_url(&im.url),
                "{name}: {im:?}"
            );
            assert!(im.at <= article.blocks.len(), "{name}: image past the end");
        }
        assert_dom_matches(&article, &reader_html(&article, Lang::En));
    }
});
