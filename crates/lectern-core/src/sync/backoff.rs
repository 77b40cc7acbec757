//! When to try again after a round failed: exponential backoff with jitter.
//!
//! The n-th consecutive failure waits between half and all of `min(1 s · 2ⁿ, 5 min)` ("equal
//! jitter": many devices that lost the same server do not come back in step). A network coming
//! back (`online`) or the reader's "Sync now" tries at once and starts the count again.
//! Problems only the reader can fix (a wrong password, a missing database, a refused origin, a
//! wrong passphrase) are not retried on a timer at all ([`super::SyncProblem::retry`]).

/// The first wait, in milliseconds.
pub const BASE_MS: u32 = 1_000;
/// The longest wait, in milliseconds (5 minutes).
pub const MAX_MS: u32 = 300_000;

/// How long to wait after `failures` consecutive failed rounds (1 for the first), given a
/// random `jitter` in `[0, 1)`. Never below `BASE_MS / 2`, never above [`MAX_MS`].
pub fn delay_ms(failures: u32, jitter: f64) -> u32 {
    let exp = failures.saturating_sub(1).min(20);
    let ceiling = (u64::from(BASE_MS) << exp).min(u64::from(MAX_MS)) as f64;
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.5
    };
    (ceiling / 2.0 + jitter * ceiling / 2.0)
        .round()
        .min(f64::from(MAX_MS)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_a_second_up_to_five_minutes() {
        let top: Vec<u32> = (1..=12).map(|n| delay_ms(n, 1.0)).collect();
        assert_eq!(
            top,
            [
                1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000,
                300_000, 300_000
            ]
        );
        let bottom: Vec<u32> = (1..=4).map(|n| delay_ms(n, 0.0)).collect();
        assert_eq!(bottom, [500, 1_000, 2_000, 4_000]);
        assert_eq!(delay_ms(u32::MAX, 0.99), 298_500);
        assert_eq!(delay_ms(0, 1.0), 1_000, "no failure counts as one");
    }

    #[test]
    fn jitter_is_bounded_whatever_it_is() {
        for j in [-3.0, f64::NAN, f64::INFINITY, 7.0] {
            let d = delay_ms(3, j);
            assert!((2_000..=4_000).contains(&d), "{j}: {d}");
        }
    }
}
