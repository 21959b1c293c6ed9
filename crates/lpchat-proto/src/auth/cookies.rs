//! A tiny cookie store for one agent session (spec §4.1: cookies are scoped to the agent
//! session and must be kept separately per session), sans-IO.
//!
//! One jar serves one session against one host, so domain and path scoping are not needed:
//! `Set-Cookie` is read as `name=value`, attributes are ignored except those that delete the
//! cookie (`Max-Age` ≤ 0, an `Expires` in the past), and every stored cookie is sent back.

use std::fmt;

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use super::cookie_date;
use super::secret::Secret;

/// At most this many cookies are kept: a hostile server cannot grow the jar without bound.
const MAX_COOKIES: usize = 64;
/// Longer `name=value` pairs are ignored (RFC 6265 §6.1 asks for at least 4096 bytes).
const MAX_COOKIE_LEN: usize = 4096;
/// Without a wall clock, an `Expires` at or before this instant (1971-01-01) is taken as the
/// deletion idiom (`Expires=Thu, 01 Jan 1970 00:00:00 GMT`); later dates are left alone.
const EPOCH_IDIOM_LIMIT: i64 = 31_536_000;

/// Cookies set by the server for one session, sent back on every request of that session.
///
/// `Debug` lists cookie names only; values are [`Secret`]s.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<(String, Secret)>,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        CookieJar::default()
    }

    /// Reads every `Set-Cookie` header of a response. `now_unix` is the wall clock in seconds
    /// since the epoch, used to tell whether an `Expires` lies in the past; without it only
    /// `Max-Age` and the 1970 deletion idiom delete a cookie.
    pub fn store(&mut self, headers: &HeaderMap, now_unix: Option<i64>) {
        for value in headers.get_all(SET_COOKIE) {
            if let Ok(line) = value.to_str() {
                self.set_cookie(line, now_unix);
            }
        }
    }

    /// Reads one `Set-Cookie` value (`name=value; Path=/; Max-Age=0`).
    pub fn set_cookie(&mut self, line: &str, now_unix: Option<i64>) {
        let mut parts = line.split(';');
        let pair = parts.next().unwrap_or_default();
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || pair.len() > MAX_COOKIE_LEN || !is_token(name) {
            return;
        }
        let mut max_age = None;
        let mut expires = None;
        for attribute in parts {
            let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
            let key = key.trim();
            if key.eq_ignore_ascii_case("max-age") {
                max_age = val.trim().parse::<i64>().ok();
            } else if key.eq_ignore_ascii_case("expires") {
                expires = cookie_date::parse(val.trim());
            }
        }
        // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
        let deleted = match (max_age, expires) {
            (Some(age), _) => age <= 0,
            (None, Some(at)) => match now_unix {
                Some(now) => at <= now,
                None => at <= EPOCH_IDIOM_LIMIT,
            },
            (None, None) => false,
        };
        if deleted {
            self.remove(name);
            return;
        }
        let value = Secret::new(value);
        if let Some(slot) = self.cookies.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        } else if self.cookies.len() < MAX_COOKIES {
            self.cookies.push((name.to_owned(), value));
        }
    }

    /// The value of cookie `name`.
    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Removes cookie `name`; returns whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.cookies.len();
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.len() != before
    }

    /// Forgets every cookie (after a logout).
    pub fn clear(&mut self) {
        self.cookies.clear();
    }

    /// How many cookies are stored.
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// Whether the jar is empty.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// The names of the stored cookies, in the order they were first set.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cookies.iter().map(|(n, _)| n.as_str())
    }

    /// The `Cookie` header value (`a=1; b=2`), or `None` when the jar is empty.
    pub fn header_value(&self) -> Option<Secret> {
        if self.cookies.is_empty() {
            return None;
        }
        let joined = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={}", v.expose()))
            .collect::<Vec<_>>()
            .join("; ");
        Some(Secret::new(joined))
    }

    /// Sets the `Cookie` header of a request (marked sensitive, so `http`'s own `Debug`
    /// hides it too). Leaves the headers alone when the jar is empty or a value cannot be a
    /// header.
    pub fn apply(&self, headers: &mut HeaderMap) {
        if let Some(value) = self.header_value() {
            if let Ok(mut value) = HeaderValue::from_str(value.expose()) {
                value.set_sensitive(true);
                headers.insert(COOKIE, value);
            }
        }
    }
}

/// Whether a cookie name is an RFC 7230 token.
fn is_token(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieJar")
            .field("names", &self.names().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(SET_COOKIE, HeaderValue::from_str(l).unwrap());
        }
        h
    }

    #[test]
    fn stores_and_sends_back() {
        let mut jar = CookieJar::new();
        jar.store(
            &response(&[
                "Session_id=abc123; Path=/; Secure; HttpOnly",
                "LP=x=y; Domain=.liveperson.net",
                "novalue",
                "=nameless",
            ]),
            None,
        );
        assert_eq!(jar.names().collect::<Vec<_>>(), ["Session_id", "LP"]);
        assert_eq!(jar.get("LP").unwrap().expose(), "x=y");
        assert_eq!(
            jar.header_value().unwrap().expose(),
            "Session_id=abc123; LP=x=y"
        );
        let mut headers = HeaderMap::new();
        jar.apply(&mut headers);
        assert!(headers[COOKIE].is_sensitive());
        assert_eq!(headers[COOKIE], "Session_id=abc123; LP=x=y");
    }

    #[test]
    fn replaces_and_deletes() {
        let mut jar = CookieJar::new();
        jar.set_cookie("a=1", None);
        jar.set_cookie("b=2", None);
        jar.set_cookie("a=3", None);
        assert_eq!(jar.header_value().unwrap().expose(), "a=3; b=2");
        jar.set_cookie("a=; Max-Age=0", None);
        assert!(jar.get("a").is_none());
        jar.set_cookie("b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", None);
        assert!(jar.is_empty());
        assert!(jar.header_value().is_none());
        // Max-Age wins over a past Expires; a future Expires keeps the cookie.
        jar.set_cookie(
            "c=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60",
            None,
        );
        jar.set_cookie("d=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", None);
        assert_eq!(jar.len(), 2);
        // With a clock, a past Expires deletes.
        jar.set_cookie(
            "d=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
            Some(1_700_000_000),
        );
        assert_eq!(jar.names().collect::<Vec<_>>(), ["c"]);
        jar.set_cookie("e=1; max-age=-5", None);
        assert!(jar.get("e").is_none());
        assert!(jar.remove("c") && !jar.remove("c"));
    }

    #[test]
    fn bounded() {
        let mut jar = CookieJar::new();
        for i in 0..200 {
            jar.set_cookie(&format!("c{i}=v"), None);
        }
        assert_eq!(jar.len(), MAX_COOKIES);
        jar.set_cookie(&format!("big={}", "x".repeat(5000)), None);
        assert!(jar.get("big").is_none());
        jar.set_cookie("bad name=1", None);
        assert!(jar.get("bad name").is_none());
    }

    #[test]
    fn debug_shows_names_only() {
        let mut jar = CookieJar::new();
        jar.set_cookie("Session_id=s3cr3t-cookie", None);
        let d = format!("{jar:?}");
        assert!(d.contains("Session_id") && !d.contains("s3cr3t"), "{d}");
    }
}
