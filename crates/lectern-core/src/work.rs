//! A count of the work the parsers do, so that "linear in the input" is something a test can
//! check without a clock.
//!
//! The loops that scan text ([`crate::note_markup`]'s note markup, [`crate::parse::plain`]) call
//! [`tick`] with how many bytes, tokens or lines they looked at. The fuzz targets
//! (`fuzz/`, `cargo xtask fuzz`) and this crate's unit tests read the count with [`take`] and
//! check it against the input's length: a loop that starts rescanning what it has seen shows
//! as a count that grows faster than the input, whatever the machine's speed.
//!
//! Only builds with `cfg(fuzzing)` (cargo-fuzz sets it) or `cfg(test)` count; everywhere
//! else [`tick`] is an empty inline function and [`take`] returns 0.

#[cfg(any(fuzzing, test))]
mod imp {
    use std::cell::Cell;

    thread_local! {
        static STEPS: Cell<u64> = const { Cell::new(0) };
    }

    /// Counts `n` steps of work on this thread.
    #[inline]
    pub fn tick(n: usize) {
        STEPS.with(|s| s.set(s.get().saturating_add(n as u64)));
    }

    /// The steps counted on this thread since the last call, and starts again from 0.
    pub fn take() -> u64 {
        STEPS.with(|s| s.replace(0))
    }
}

#[cfg(not(any(fuzzing, test)))]
mod imp {
    /// Counts nothing outside fuzzing and tests.
    #[inline(always)]
    pub fn tick(_n: usize) {}

    /// Always 0 outside fuzzing and tests.
    pub fn take() -> u64 {
        0
    }
}

pub use imp::{take, tick};
