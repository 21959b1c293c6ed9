//! Cookie dates (`Expires`), read with the tolerant algorithm of RFC 6265 §5.1.1: besides
//! the three HTTP-date forms it takes what servers really send in cookies
//! (`Thu, 01-Jan-1970 00:00:01 GMT`, four-digit years with dashes). `Retry-After` uses the
//! strict HTTP-date reader of [`crate::retry`].

use crate::model::time::days_from_civil;

fn month(token: &str) -> Option<i64> {
    let prefix = token.get(..3)?.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| *m == prefix)
        .and_then(|i| i64::try_from(i).ok())
        .map(|i| i + 1)
}

fn number(token: &str, min_digits: usize, max_digits: usize) -> Option<i64> {
    let end = token
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(token.len());
    let digits = token.get(..end)?;
    if digits.len() < min_digits || digits.len() > max_digits {
        return None;
    }
    digits.parse().ok()
}

fn time(token: &str) -> Option<(i64, i64, i64)> {
    let mut parts = token.split(':');
    let h = number(parts.next()?, 1, 2)?;
    let m = number(parts.next()?, 1, 2)?;
    let s = number(parts.next()?, 1, 2)?;
    Some((h, m, s))
}

/// Seconds since the Unix epoch of a cookie date, or `None` if it is not one.
pub(crate) fn parse(value: &str) -> Option<i64> {
    let mut t = None;
    let mut day = None;
    let mut mon = None;
    let mut year = None;
    let delimiter = |c: char| !(c.is_ascii_alphanumeric() || c == ':');
    for token in value.split(delimiter).filter(|t| !t.is_empty()) {
        if t.is_none() {
            if let Some(found) = time(token) {
                t = Some(found);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = number(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if mon.is_none() {
            if let Some(m) = month(token) {
                mon = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = number(token, 2, 4) {
                year = Some(y);
            }
        }
    }
    let (h, mi, s) = t?;
    let (day, mon, mut year) = (day?, mon?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if (0..=69).contains(&year) {
        year += 2000;
    }
    if !(1..=31).contains(&day) || year < 1601 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(year, mon, day) * 86_400 + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_and_the_cookie_form() {
        let t = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), Some(t));
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), Some(t));
        assert_eq!(parse("Thu, 01-Jan-1970 00:00:01 GMT"), Some(1));
        assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480));
    }

    #[test]
    fn not_dates() {
        for bad in [
            "",
            "120",
            "tomorrow",
            "Sun, 06 Nov 1994",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
