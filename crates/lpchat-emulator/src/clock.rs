//! Emulated time: real time since start multiplied by the time factor, so that the
//! documented durations (20 s ringing, 40 s chat timeout, 400 s agent idle, 8 h login)
//! pass quickly in tests while keeping their ratios.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The time factors a clock runs at. Past them emulated dates overflow their millisecond
/// arithmetic (a factor of 1e300 puts "now" past `i64::MAX` ms at once).
pub const FACTORS: std::ops::RangeInclusive<f64> = 0.001..=10_000.0;

/// The scaled clock of one emulator.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    epoch_ms: i64,
    factor: f64,
}

impl Clock {
    /// A clock starting now at `epoch_ms` (defaults to the wall clock) running `factor`
    /// times faster than real time (brought into [`FACTORS`]; 1 when not a positive number).
    pub fn new(factor: f64, epoch_ms: Option<i64>) -> Self {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let factor = if factor.is_finite() && factor > 0.0 {
            factor.clamp(*FACTORS.start(), *FACTORS.end())
        } else {
            1.0
        };
        Clock {
            start: Instant::now(),
            epoch_ms: epoch_ms.unwrap_or(wall),
            factor,
        }
    }

    /// The time factor.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// Emulated milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let real = self.start.elapsed().as_secs_f64() * 1000.0;
        self.epoch_ms.saturating_add((real * self.factor) as i64)
    }

    /// The real duration that an emulated duration of `emu_ms` takes.
    pub fn real(&self, emu_ms: f64) -> Duration {
        // Scenario pauses come from request bodies: saturate instead of panicking on huge values.
        Duration::try_from_secs_f64((emu_ms.max(0.0) / 1000.0) / self.factor)
            .unwrap_or(Duration::MAX)
    }

    /// Sleeps for an emulated duration.
    pub async fn sleep(&self, emu_ms: f64) {
        tokio::time::sleep(self.real(emu_ms)).await;
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn split(ms: i64, offset_min: i32) -> (i64, u32, u32, i64, i64, i64, i64) {
    let local = ms + i64::from(offset_min) * 60_000;
    let days = local.div_euclid(86_400_000);
    let rem = local.rem_euclid(86_400_000);
    let (y, m, d) = civil(days);
    (
        y,
        m,
        d,
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    )
}

/// ISO-8601 with milliseconds and a numeric offset, as in event `time`:
/// `2018-01-29T08:19:43.963-05:00`.
pub fn iso(ms: i64, offset_min: i32) -> String {
    let (y, mo, d, h, mi, s, milli) = split(ms, offset_min);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let off = offset_min.unsigned_abs();
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}{sign}{:02}:{:02}",
        off / 60,
        off % 60
    )
}

/// The Login Service's error `time` form: `Sep 22, 2016 4:10:15 PM`.
pub fn login_time(ms: i64, offset_min: i32) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s, _) = split(ms, offset_min);
    let month = MONTHS
        .get((mo as usize).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{month} {d}, {y} {h12}:{mi:02}:{s:02} {ampm}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_out_of_range_are_brought_into_it() {
        let fast = Clock::new(1e300, None);
        assert_eq!(fast.factor(), 10_000.0);
        assert!(fast.now_ms() >= 0);
        assert!(!iso(fast.now_ms(), 0).is_empty());
        assert_eq!(Clock::new(1e-300, None).factor(), 0.001);
        assert_eq!(Clock::new(f64::NAN, None).factor(), 1.0);
        assert_eq!(Clock::new(-2.0, None).factor(), 1.0);
    }

    #[test]
    fn formats_documented_shapes() {
        // 2018-01-29T13:19:43.963Z
        assert_eq!(
            iso(1_517_231_983_963, -300),
            "2018-01-29T08:19:43.963-05:00"
        );
        assert_eq!(iso(0, 0), "1970-01-01T00:00:00.000+00:00");
        // 2016-09-22T16:10:15Z
        assert_eq!(login_time(1_474_560_615_000, 0), "Sep 22, 2016 4:10:15 PM");
    }

    #[test]
    fn scales_time() {
        let c = Clock::new(100.0, Some(0));
        assert_eq!(c.real(20_000.0), Duration::from_millis(200));
        assert_eq!(Clock::new(-1.0, None).factor(), 1.0);
        assert_eq!(c.real(f64::MAX), Duration::MAX);
    }
}
