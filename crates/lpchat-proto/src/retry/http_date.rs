//! HTTP-date (RFC 9110 §5.6.7), the second form of `Retry-After`: all three formats a
//! recipient must accept.
//!
//! - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (what servers send)
//! - RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete)
//! - asctime: `Sun Nov  6 08:49:37 1994` (obsolete)
//!
//! The weekday is checked for being a weekday name, not against the date (RFC 9110 lets a
//! recipient ignore it). A two-digit RFC 850 year is 20yy below 70 and 19yy from 70 on.

use crate::model::time::{civil_from_days, days_from_civil};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The unix time (seconds) of an HTTP-date; `None` when `s` is not one. Dates before 1970
/// give negative numbers.
pub(crate) fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    match s.split_once(',') {
        Some((day, rest)) => {
            // IMF-fixdate takes a three-letter day, RFC 850 a full one.
            let day_ok = DAYS.iter().any(|d| *d == day || d.get(..3) == Some(day));
            if !day_ok {
                return None;
            }
            let parts: Vec<&str> = rest.split_ascii_whitespace().collect();
            match parts.as_slice() {
                [d, m, y, time, zone] if y.len() == 4 => {
                    gmt(zone)?;
                    build(year(y)?, month(m)?, two_digits(d)?, time)
                }
                [date, time, zone] => {
                    gmt(zone)?;
                    let mut it = date.split('-');
                    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
                    if it.next().is_some() || y.len() != 2 {
                        return None;
                    }
                    let yy = i64::from(two_digits(y)?);
                    let y = if yy < 70 { 2000 + yy } else { 1900 + yy };
                    build(y, month(m)?, two_digits(d)?, time)
                }
                _ => None,
            }
        }
        None => {
            let parts: Vec<&str> = s.split_ascii_whitespace().collect();
            match parts.as_slice() {
                [day, m, d, time, y] if y.len() == 4 && (1..=2).contains(&d.len()) => {
                    if !DAYS.iter().any(|w| w.get(..3) == Some(*day)) {
                        return None;
                    }
                    build(year(y)?, month(m)?, number(d)?, time)
                }
                _ => None,
            }
        }
    }
}

fn gmt(zone: &str) -> Option<()> {
    // GMT is the only zone HTTP allows; UTC is the same instant and sometimes seen.
    (zone == "GMT" || zone == "UTC").then_some(())
}

fn month(s: &str) -> Option<u32> {
    let i = MONTHS.iter().position(|m| *m == s)?;
    u32::try_from(i + 1).ok()
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn two_digits(s: &str) -> Option<u32> {
    (s.len() == 2).then(|| number(s)).flatten()
}

fn year(s: &str) -> Option<i64> {
    number(s).map(i64::from)
}

fn build(y: i64, m: u32, d: u32, time: &str) -> Option<i64> {
    let mut it = time.split(':');
    let (h, min, sec) = (
        two_digits(it.next()?)?,
        two_digits(it.next()?)?,
        two_digits(it.next()?)?,
    );
    // 60 is a leap second.
    if it.next().is_some() || h > 23 || min > 59 || sec > 60 || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, i64::from(m), i64::from(d));
    // 31 Feb would silently become 3 Mar: refuse dates that do not exist.
    if civil_from_days(days) != (y, i64::from(m), i64::from(d)) {
        return None;
    }
    Some(days * 86_400 + i64::from(h) * 3600 + i64::from(min) * 60 + i64::from(sec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_formats_of_rfc_9110() {
        // RFC 9110's own example, 784111777 seconds after the epoch.
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), Some(784_111_777));
        assert_eq!(parse("  Thu, 01 Jan 1970 00:00:00 GMT "), Some(0));
        assert_eq!(parse("Wed, 31 Dec 1969 23:59:59 GMT"), Some(-1));
        assert_eq!(parse("Tue, 29 Feb 2028 12:00:00 GMT"), Some(1_835_438_400));
        assert_eq!(parse("Friday, 01-Jan-21 00:00:00 GMT"), Some(1_609_459_200));
        assert_eq!(parse("Sat, 31 Dec 2016 23:59:60 GMT"), Some(1_483_228_800));
    }

    #[test]
    fn not_dates() {
        for s in [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 EST",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37:01 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 994 08:49:37 GMT",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-94-1 08:49:37 GMT",
            "Sun Nov 123 08:49:37 1994",
            "Sun Nov 6 08:49:37 94",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "日, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }
}
