//! `Anchorer::anchor` on large texts and large targets: never panics, a placement is a range of
//! the text on character boundaries (an exact one holds the quote), and the work is bounded by
//! the sizes of the text and the target (a 300,000-character quote must not cost
//! text × quote), plus at most ~16·m² for approximate matching of a quote of m ≤
//! `MAX_FUZZY_QUOTE` code points.
//!
//! Input: two repetition bytes, then `text ␞ exact ␞ prefix ␞ suffix ␞ start ␞ end ␞ hash?`
//! (␞ = U+001E); the text is repeated 1–64 times and the quote 1–256 times, so small inputs
//! make large targets.
#![no_main]

use lectern_core::anchor::{Anchorer, Placement, MAX_FUZZY_QUOTE};
use lectern_core::annotation::{text_hash, Target, TextPositionSelector, TextQuoteSelector};
use lectern_core::text::CodePointOffset;
use lectern_fuzz::{metered, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [t_rep, q_rep, rest @ ..] = data else {
        return;
    };
    let input = text(rest);
    let mut parts = input.split('\u{1e}');
    let mut next = || parts.next().unwrap_or("").to_owned();
    let text = next().repeat(1 + usize::from(*t_rep % 64));
    let exact = next().repeat(1 + usize::from(*q_rep));
    let prefix = next();
    let suffix = next();
    let start: usize = next().trim().parse().unwrap_or(0);
    let end: usize = next().trim().parse().unwrap_or(0);
    let with_hash = !next().is_empty();
    let target = Target {
        quote: TextQuoteSelector {
            exact,
            prefix,
            suffix,
        },
        position: TextPositionSelector {
            start: CodePointOffset(start),
            end: CodePointOffset(end),
        },
        text_hash: if with_hash {
            text_hash(&text)
        } else {
            String::new()
        },
    };
    let size = text.len()
        + target.quote.exact.len()
        + target.quote.prefix.len()
        + target.quote.suffix.len();
    let (placement, work) = metered(|| Anchorer::new(&text).anchor(&target));
    // Linear in text and target, plus approximate matching's evaluations: each aligns the
    // quote (m code points, at most MAX_FUZZY_QUOTE) with up to m + m/3 characters at m/64 words
    // a step, for at most 24 ends per region and tier: about 16·m² steps at worst.
    let m = target.quote.exact.chars().count().min(MAX_FUZZY_QUOTE) as u64;
    let evaluations = 16 * m * m + (1 << 21);
    assert!(
        work.steps <= 256 * (size as u64 + 256) + evaluations,
        "anchor: {} steps for {size} bytes and a quote of {m} code points",
        work.steps
    );
    // Memory: linear in text and target, plus what approximate matching's evaluations allocate
    // and free again (each aligns the quote's words and its context: O(m) bytes; there are as
    // many evaluations as the steps above allow): at most 128·m² bytes of churn.
    let churn = 128 * m * m;
    assert!(
        work.allocated <= 1024 * (size as u64 + 256) + churn,
        "anchor (memory): {} bytes allocated for {size} bytes and a quote of {m} code points",
        work.allocated
    );
    if let Some(r) = placement.range() {
        assert!(r.start.0 <= r.end.0 && r.end.0 <= text.len());
        assert!(text.is_char_boundary(r.start.0) && text.is_char_boundary(r.end.0));
        if let Placement::Exact { .. } = placement {
            assert_eq!(&text[r.start.0..r.end.0], target.quote.exact);
        }
    }
});
