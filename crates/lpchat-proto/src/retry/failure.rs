//! What went wrong with a request, as the retry policy needs to know it.

use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderMap, Response, StatusCode};

use super::http_date;

/// A `Retry-After` header value: a number of seconds, or an HTTP-date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: 120`.
    Seconds(u64),
    /// `Retry-After: Sun, 06 Nov 1994 08:49:37 GMT`, as unix seconds (negative before 1970).
    Date(i64),
}

impl RetryAfter {
    /// Reads a header value in either form; `None` for anything else (a bad value is
    /// ignored, as if absent). Seconds too large for 64 bits saturate.
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim();
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            return Some(RetryAfter::Seconds(v.parse().unwrap_or(u64::MAX)));
        }
        http_date::parse(v).map(RetryAfter::Date)
    }

    /// The `Retry-After` header of a response, if it has a readable one.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        RetryAfter::parse(headers.get(RETRY_AFTER)?.to_str().ok()?)
    }

    /// How long to wait from `now_unix` (seconds since the epoch): a date in the past
    /// means no wait.
    pub fn delay(&self, now_unix: u64) -> Duration {
        match *self {
            RetryAfter::Seconds(s) => Duration::from_secs(s),
            RetryAfter::Date(at) => {
                let now = i64::try_from(now_unix).unwrap_or(i64::MAX);
                Duration::from_secs(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
            }
        }
    }
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The server answered with an error status (a 2xx whose body could not be read is
    /// [`Failure::BodyInvalid`]).
    Status {
        /// The status.
        status: StatusCode,
        /// The response's `Retry-After`, if it had a readable one.
        retry_after: Option<RetryAfter>,
    },
    /// No connection could be made (refused, DNS, TLS handshake, connect timeout): the
    /// request was certainly not sent.
    ConnectFailed,
    /// The request was sent, or may have been, and no response came in time.
    Timeout,
    /// The connection was dropped or reset after the request was sent, before a response.
    ConnectionDropped,
    /// A response came but its body was cut short or could not be decoded.
    BodyInvalid,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status { status, .. } => write!(f, "HTTP {status}"),
            Failure::ConnectFailed => f.write_str("no connection could be made"),
            Failure::Timeout => f.write_str("no response came in time"),
            Failure::ConnectionDropped => f.write_str("the connection dropped before the response"),
            Failure::BodyInvalid => f.write_str("the response body was cut short or unreadable"),
        }
    }
}

impl Failure {
    /// An error status without `Retry-After`.
    pub fn status(status: StatusCode) -> Self {
        Failure::Status {
            status,
            retry_after: None,
        }
    }

    /// An error status with the `Retry-After` of its headers.
    pub fn from_parts(status: StatusCode, headers: &HeaderMap) -> Self {
        Failure::Status {
            status,
            retry_after: RetryAfter::from_headers(headers),
        }
    }

    /// The failure a response stands for: its status and `Retry-After`.
    pub fn from_response<B>(response: &Response<B>) -> Self {
        Failure::from_parts(response.status(), response.headers())
    }

    /// Whether the request certainly did not change server state, so that even a
    /// state-changing request may be sent again: no connection was made, or the server
    /// refused it for its rate (429).
    pub fn certainly_not_applied(&self) -> bool {
        match self {
            Failure::ConnectFailed => true,
            Failure::Status { status, .. } => *status == StatusCode::TOO_MANY_REQUESTS,
            Failure::Timeout | Failure::ConnectionDropped | Failure::BodyInvalid => false,
        }
    }

    /// The `Retry-After` of a status failure.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_both_forms() {
        assert_eq!(RetryAfter::parse("120"), Some(RetryAfter::Seconds(120)));
        assert_eq!(RetryAfter::parse(" 0 "), Some(RetryAfter::Seconds(0)));
        assert_eq!(
            RetryAfter::parse("99999999999999999999999"),
            Some(RetryAfter::Seconds(u64::MAX))
        );
        assert_eq!(
            RetryAfter::parse("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(RetryAfter::Date(784_111_777))
        );
        for bad in ["", "-1", "1.5", "+3", "soon", "Sun, 06 Nov 1994"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad:?}");
        }
        let at = RetryAfter::Date(784_111_777);
        assert_eq!(at.delay(784_111_700), Duration::from_secs(77));
        assert_eq!(at.delay(784_111_777), Duration::ZERO);
        assert_eq!(at.delay(u64::MAX), Duration::ZERO);
        assert_eq!(RetryAfter::Date(-5).delay(0), Duration::ZERO);
    }

    #[test]
    fn from_a_response() {
        let response = Response::builder()
            .status(503)
            .header("Retry-After", "7")
            .body(())
            .expect("response");
        assert_eq!(
            Failure::from_response(&response),
            Failure::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: Some(RetryAfter::Seconds(7))
            }
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            RETRY_AFTER,
            http::HeaderValue::from_bytes(b"\xff").expect("opaque bytes are a header value"),
        );
        assert_eq!(
            Failure::from_parts(StatusCode::TOO_MANY_REQUESTS, &headers).retry_after(),
            None
        );
    }
}
