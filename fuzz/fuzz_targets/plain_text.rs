//! The plain-text parser and the paste path: never panics, every block is one line, and the
//! work is linear in the input (see `lectern_fuzz::assert_linear`).
#![no_main]

use lectern_core::import::import_text;
use lectern_core::parse::plain::parse_plain;
use lectern_fuzz::{assert_linear, metered, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = text(data);
    let (article, work) = metered(|| parse_plain("fuzz", &input));
    assert_linear("parse_plain", input.len(), work, 64, 256);
    for b in &article.blocks {
        assert!(
            !b.text.contains('\n'),
            "a block holds a line break: {:?}",
            b.text
        );
        assert!(!b.text.is_empty(), "an empty block");
    }
    let (pasted, work) = metered(|| import_text("fuzz", &input));
    assert_linear("import_text", input.len(), work, 64, 256);
    if let Ok(a) = pasted {
        assert!(a.blocks.iter().all(|b| !b.text.contains('\n')));
    }
});
