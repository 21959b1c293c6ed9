//! [`WallClock`]: wall time without reading a clock.
//!
//! Machines measure time with the `Instant`s they are given. Two things need the wall
//! clock: OAuth 1.0 timestamps (seconds since the Unix epoch) and `Retry-After` given as an
//! HTTP date. The driver pins one `Instant` to the Unix time it stands for, once, and the
//! machine counts from there.

use std::time::{Duration, Instant};

/// An `Instant` and the Unix time (in seconds) it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    at: Instant,
    unix_secs: u64,
}

impl WallClock {
    /// `at` is `unix_secs` seconds after the Unix epoch. A driver writes
    /// `WallClock::new(Instant::now(), SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())`.
    pub fn new(at: Instant, unix_secs: u64) -> Self {
        WallClock { at, unix_secs }
    }

    /// The Unix time, in seconds, of `now`.
    pub fn unix_secs(&self, now: Instant) -> u64 {
        match now.checked_duration_since(self.at) {
            Some(after) => self.unix_secs.saturating_add(after.as_secs()),
            None => {
                let before = self.at.saturating_duration_since(now);
                self.unix_secs
                    .saturating_sub(before.as_secs() + u64::from(before.subsec_nanos() > 0))
            }
        }
    }

    /// The instant of a Unix time, as far as an `Instant` can represent it.
    pub fn instant_of(&self, unix_secs: u64) -> Instant {
        if unix_secs >= self.unix_secs {
            let ahead = Duration::from_secs(unix_secs - self.unix_secs);
            self.at.checked_add(ahead).unwrap_or(self.at)
        } else {
            let back = Duration::from_secs(self.unix_secs - unix_secs);
            self.at.checked_sub(back).unwrap_or(self.at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_the_pin() {
        let t0 = Instant::now();
        let clock = WallClock::new(t0, 1_700_000_000);
        assert_eq!(clock.unix_secs(t0), 1_700_000_000);
        assert_eq!(
            clock.unix_secs(t0 + Duration::from_millis(2500)),
            1_700_000_002
        );
        if let Some(before) = t0.checked_sub(Duration::from_millis(1500)) {
            assert_eq!(clock.unix_secs(before), 1_699_999_998);
        }
        assert_eq!(
            clock.instant_of(1_700_000_010),
            t0 + Duration::from_secs(10)
        );
    }
}
