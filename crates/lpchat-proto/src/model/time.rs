//! Times on the wire: ISO-8601 with milliseconds and a numeric offset
//! (`2018-01-29T08:19:43.963-05:00`), and epoch milliseconds (`chatSessions.startTime`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codec::lenient;

/// An instant with the UTC offset the server wrote it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    unix_millis: i64,
    offset_minutes: i16,
}

/// A time string that is not ISO-8601 with an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError;

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected an ISO-8601 time such as 2018-01-29T08:19:43.963-05:00")
    }
}

impl std::error::Error for TimestampError {}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0i64, |acc, d| {
        acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    })
}

impl Timestamp {
    /// A timestamp from epoch milliseconds and an offset in minutes east of UTC.
    pub fn new(unix_millis: i64, offset_minutes: i16) -> Self {
        Timestamp {
            unix_millis,
            offset_minutes,
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.unix_millis
    }

    /// The offset the server wrote, in minutes east of UTC.
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (a space may stand for `T`; no offset
    /// means UTC; fractions beyond milliseconds are dropped).
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| b.get(r).and_then(digits).ok_or(TimestampError);
        let sep = |i: usize, c: &[u8]| match b.get(i) {
            Some(x) if c.contains(x) => Ok(()),
            _ => Err(TimestampError),
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        sep(4, b"-")?;
        sep(7, b"-")?;
        sep(10, b"Tt ")?;
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        sep(13, b":")?;
        sep(16, b":")?;
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(TimestampError);
        }
        let (millis, i) = fraction(b, 19)?;
        let offset_minutes = offset(b, i)?;
        let days = days_from_civil(year, month, day);
        let local_secs = days * 86_400 + hour * 3600 + minute * 60 + second;
        let utc_millis = (local_secs - offset_minutes * 60) * 1000 + millis;
        Ok(Timestamp {
            unix_millis: utc_millis,
            offset_minutes: i16::try_from(offset_minutes).map_err(|_| TimestampError)?,
        })
    }
}

/// The fraction of a second at `i` (`.fff…`, cut to milliseconds), and where it ends; none
/// is 0 ms.
fn fraction(b: &[u8], i: usize) -> Result<(i64, usize), TimestampError> {
    if b.get(i) != Some(&b'.') {
        return Ok((0, i));
    }
    let start = i + 1;
    let mut end = start;
    while b.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    let frac = b.get(start..end).ok_or(TimestampError)?;
    if frac.is_empty() {
        return Err(TimestampError);
    }
    let mut ms = [b'0'; 3];
    for (slot, d) in ms.iter_mut().zip(frac) {
        *slot = *d;
    }
    Ok((digits(&ms).ok_or(TimestampError)?, end))
}

/// The offset from `i` to the end, in minutes east of UTC: none or `Z` (UTC), `±HH:MM`,
/// `±HHMM` or `±HH`.
fn offset(b: &[u8], i: usize) -> Result<i64, TimestampError> {
    match b.get(i) {
        None => Ok(0),
        Some(b'Z' | b'z') if i + 1 == b.len() => Ok(0),
        Some(sign @ (b'+' | b'-')) => {
            let rest = b.get(i + 1..).ok_or(TimestampError)?;
            let (h, m) = match rest.len() {
                5 if rest.get(2) == Some(&b':') => (
                    rest.get(0..2).and_then(digits),
                    rest.get(3..5).and_then(digits),
                ),
                4 => (
                    rest.get(0..2).and_then(digits),
                    rest.get(2..4).and_then(digits),
                ),
                2 => (rest.get(0..2).and_then(digits), Some(0)),
                _ => (None, None),
            };
            let (h, m) = (h.ok_or(TimestampError)?, m.ok_or(TimestampError)?);
            if h > 23 || m > 59 {
                return Err(TimestampError);
            }
            let total = h * 60 + m;
            Ok(if *sign == b'-' { -total } else { total })
        }
        Some(_) => Err(TimestampError),
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = i64::from(self.offset_minutes);
        let local = self.unix_millis + offset * 60_000;
        let days = local.div_euclid(86_400_000);
        let ms_of_day = local.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss, ms) = (
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000,
        );
        let sign = if offset < 0 { '-' } else { '+' };
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{ms:03}{sign}{:02}:{:02}",
            offset.abs() / 60,
            offset.abs() % 60
        )
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = lenient::string(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Milliseconds since the Unix epoch, as `chatSessions.startTime` and `serverCurrentTime` carry
/// them (number or numeric string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EpochMillis(pub i64);

impl<'de> Deserialize<'de> for EpochMillis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::int(d).map(EpochMillis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_parses_and_prints_back() {
        let t = Timestamp::parse("2018-01-29T08:19:43.963-05:00").unwrap();
        assert_eq!(t.unix_millis(), 1_517_231_983_963);
        assert_eq!(t.offset_minutes(), -300);
        assert_eq!(t.to_string(), "2018-01-29T08:19:43.963-05:00");
    }

    #[test]
    fn variants_of_the_format() {
        let a = Timestamp::parse("2009-08-05T16:49:25.794+03:00").unwrap();
        let b = Timestamp::parse("2009-08-05T13:49:25.794Z").unwrap();
        assert_eq!(a.unix_millis(), b.unix_millis());
        assert_eq!(
            Timestamp::parse("2009-08-05T16:49:25+0300")
                .unwrap()
                .unix_millis()
                % 1000,
            0
        );
        assert_eq!(
            Timestamp::parse("1969-12-31T23:59:59.999Z")
                .unwrap()
                .unix_millis(),
            -1
        );
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "yesterday",
            "2018-13-01T00:00:00Z",
            "2018-01-01T00:00:00+25:00",
            "2018-01-01T00:00:00.Z",
            "Sep 22, 2016 4:10:15 PM",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }
}
