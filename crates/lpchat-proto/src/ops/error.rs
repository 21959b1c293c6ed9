//! Errors of building requests and parsing responses.
//!
//! No error carries a response body as it came: a LivePerson error envelope's fields
//! (`message`, `internalCode`, `responseStatus`, `time`) and an OAuth problem's code and advice
//! are kept, any other body only as its length. URLs are not kept either (a visitor URL may
//! carry the app key in its query).

use std::fmt;

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::auth::encoding::percent_decode;
use crate::codec::{lenient, DecodeError, EncodeError, Resource};
use crate::model::chat::ChatError;
use crate::model::Rel;

/// LivePerson's error envelope: `{"error":{"time":…,"message":…,"internalCode":…,
/// "responseStatus":…}}` (spec §7.3, §10), in JSON or XML. Also the (undocumented) shape of
/// `chat.error` inside a 2xx chat body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiError {
    /// When it happened, as the server wrote it (`Sep 22, 2016 4:10:15 PM`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<String>,
    /// The server's message.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    /// LivePerson's internal code (10 = CSRF/authorization, 12 = not found, 33 = bad request).
    #[serde(
        rename = "internalCode",
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub internal_code: Option<i64>,
    /// The status name (`UNAUTHORIZED`, `BAD_REQUEST`, …).
    #[serde(
        rename = "responseStatus",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub response_status: Option<String>,
}

impl Resource for ApiError {
    const ROOT: &'static str = "error";
    const NAME: &'static str = "error";
}

impl From<&ChatError> for ApiError {
    fn from(e: &ChatError) -> Self {
        ApiError {
            time: e.time.clone(),
            message: e.message.clone(),
            internal_code: e.internal_code,
            response_status: e.response_status.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.as_deref().unwrap_or("no message"))?;
        if let Some(code) = self.internal_code {
            write!(f, " (internal code {code})")?;
        }
        Ok(())
    }
}

/// Longest OAuth problem advice kept; the rest is cut.
const MAX_ADVICE: usize = 200;

/// An OAuth 1.0 failure body: `oauth_problem=signature_invalid&oauth_problem_advice=…`
/// (spec §4.1, §10).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthProblem {
    /// The problem code (`token_rejected`, `signature_invalid`, `timestamp_refused`, …).
    pub problem: String,
    /// The advice text, percent-decoded, cut to 200 characters.
    pub advice: Option<String>,
}

impl OAuthProblem {
    /// Reads a problem body (form-encoded pairs; the first `oauth_problem` wins). Only the
    /// problem and its advice are kept: other parameters (such as `oauth_parameters_absent`)
    /// may echo request values.
    pub fn parse(body: &[u8]) -> Option<OAuthProblem> {
        let text = std::str::from_utf8(body).ok()?.trim();
        let decode = |v: &str| String::from_utf8_lossy(&percent_decode(v, true)).into_owned();
        let mut problem = None;
        let mut advice = None;
        for pair in text.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name.trim() {
                "oauth_problem" if problem.is_none() => problem = Some(decode(value)),
                "oauth_problem_advice" if advice.is_none() => {
                    advice = Some(decode(value).chars().take(MAX_ADVICE).collect())
                }
                _ => {}
            }
        }
        let problem: String = problem?;
        // A problem code is a short identifier; anything else is not an OAuth problem body.
        let valid = !problem.is_empty()
            && problem.len() <= 64
            && problem
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        valid.then_some(OAuthProblem { problem, advice })
    }
}

impl fmt::Display for OAuthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oauth_problem={}", self.problem)?;
        if let Some(advice) = &self.advice {
            write!(f, " ({advice})")?;
        }
        Ok(())
    }
}

/// A `Retry-After` value (RFC 9110 §10.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// Wait this many seconds.
    Seconds(u64),
    /// Wait until this instant, in seconds since the Unix epoch.
    At(i64),
}

impl RetryAfter {
    /// Reads a header value: delta-seconds or an HTTP date.
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            // Absurdly long values saturate rather than fail.
            return Some(RetryAfter::Seconds(value.parse().unwrap_or(u64::MAX)));
        }
        super::http_date::parse(value).map(RetryAfter::At)
    }

    /// The delay to wait, given the wall clock in seconds since the epoch (needed only for the
    /// date form; a date in the past means no wait).
    pub fn delay_secs(&self, now_unix: i64) -> u64 {
        match *self {
            RetryAfter::Seconds(s) => s,
            RetryAfter::At(at) => u64::try_from(at.saturating_sub(now_unix)).unwrap_or(0),
        }
    }
}

/// A response with a status that is not the operation's success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The LivePerson error envelope, when the body is one.
    pub api_error: Option<ApiError>,
    /// The OAuth problem, when the body (or `WWW-Authenticate`) names one.
    pub oauth_problem: Option<OAuthProblem>,
    /// The `Retry-After` header, when present and readable.
    pub retry_after: Option<RetryAfter>,
    /// The body's length in bytes (the body itself is not kept).
    pub body_len: usize,
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status.as_u16())?;
        if let Some(reason) = self.status.canonical_reason() {
            write!(f, " {reason}")?;
        }
        if let Some(e) = &self.api_error {
            write!(f, ": {e}")?;
        } else if let Some(p) = &self.oauth_problem {
            write!(f, ": {p}")?;
        } else if self.body_len > 0 {
            write!(f, " ({} byte body)", self.body_len)?;
        }
        match self.retry_after {
            Some(RetryAfter::Seconds(s)) => write!(f, "; retry after {s} s")?,
            Some(RetryAfter::At(at)) => write!(f, "; retry at {at} (unix)")?,
            None => {}
        }
        Ok(())
    }
}

/// Why an operation could not build its request or read its response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// 401: the bearer, the session or the signature was refused. Kept apart from
    /// [`Error::Status`] so that a machine can log in again.
    Unauthorized(Box<StatusError>),
    /// Any other status that is not the operation's success.
    Status(Box<StatusError>),
    /// A success body could not be decoded into its model.
    Decode(DecodeError),
    /// A request body could not be encoded.
    Encode(EncodeError),
    /// A 2xx chat body carried a `chat.error` member (spec §10; fatal for the chat).
    ChatError(ApiError),
    /// The resource the operation was built from has no link with this relation.
    MissingLink(Rel),
    /// The response should have named the created resource in `Location` and did not.
    MissingLocation,
    /// The operation needs the context's base URI (it was built from ids, not a link) and the
    /// context has none.
    MissingBase,
    /// The URL cannot be built or is not an absolute http(s) URL. The reason says what is
    /// wrong; the URL itself is not kept.
    InvalidUrl(&'static str),
    /// Plain `http` to a host that is not loopback, and the context does not allow it.
    InsecureScheme,
    /// The context signs with OAuth 1.0 but has no timestamp and nonce for this request
    /// (see [`super::Context::sign_with`]).
    Unsigned,
    /// A header value (credential, cookie) contains bytes a header cannot carry.
    InvalidHeader(&'static str),
}

impl Error {
    /// The status error of [`Error::Unauthorized`] and [`Error::Status`].
    pub fn status_error(&self) -> Option<&StatusError> {
        match self {
            Error::Unauthorized(e) | Error::Status(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, for status errors.
    pub fn status(&self) -> Option<StatusCode> {
        self.status_error().map(|e| e.status)
    }

    /// The `Retry-After` of a status error.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.status_error().and_then(|e| e.retry_after)
    }

    /// Whether logging in again may cure this error (401).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Unauthorized(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unauthorized(e) => write!(f, "unauthorized: {e}"),
            Error::Status(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Encode(e) => e.fmt(f),
            Error::ChatError(e) => write!(f, "the chat reports an error: {e}"),
            Error::MissingLink(rel) => write!(f, "the resource has no `{rel}` link"),
            Error::MissingLocation => f.write_str("the response has no Location header"),
            Error::MissingBase => {
                f.write_str("no base URI in the context to build the URL from ids")
            }
            Error::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            Error::InsecureScheme => {
                f.write_str("plain http is only allowed to loopback hosts unless enabled")
            }
            Error::Unsigned => f.write_str("OAuth signing needs a timestamp and a nonce"),
            Error::InvalidHeader(which) => write!(f, "{which} cannot be sent as a header"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode(e) => Some(e),
            Error::Encode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Error::Encode(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_problems() {
        let p = OAuthProblem::parse(
            b"oauth_problem=token_rejected&oauth_problem_advice=the oauth_token is unacceptable to the Service Provider",
        )
        .unwrap();
        assert_eq!(p.problem, "token_rejected");
        assert_eq!(
            p.advice.as_deref(),
            Some("the oauth_token is unacceptable to the Service Provider")
        );
        let p = OAuthProblem::parse(b"oauth_problem=signature_invalid").unwrap();
        assert_eq!(p.advice, None);
        assert!(OAuthProblem::parse(b"{\"error\":{}}").is_none());
        assert!(OAuthProblem::parse(b"oauth_problem=<script>").is_none());
        assert!(OAuthProblem::parse(b"\xff\xfe").is_none());
        let long = format!("oauth_problem=x&oauth_problem_advice={}", "a".repeat(1000));
        assert_eq!(
            OAuthProblem::parse(long.as_bytes())
                .unwrap()
                .advice
                .unwrap()
                .len(),
            MAX_ADVICE
        );
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(RetryAfter::parse("120"), Some(RetryAfter::Seconds(120)));
        assert_eq!(RetryAfter::parse(" 0 "), Some(RetryAfter::Seconds(0)));
        assert_eq!(
            RetryAfter::parse("99999999999999999999999"),
            Some(RetryAfter::Seconds(u64::MAX))
        );
        let at = RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(at, RetryAfter::At(1_445_412_480));
        assert_eq!(at.delay_secs(1_445_412_470), 10);
        assert_eq!(at.delay_secs(1_445_412_490), 0);
        assert_eq!(RetryAfter::parse("-1"), None);
        assert_eq!(RetryAfter::parse("soon"), None);
    }

    #[test]
    fn chat_errors_convert() {
        let c: ChatError = serde_json::from_value(
            serde_json::json!({"message":"Chat session not found","internalCode":"39"}),
        )
        .unwrap();
        let e = ApiError::from(&c);
        assert_eq!(e.internal_code, Some(39));
        assert_eq!(e.to_string(), "Chat session not found (internal code 39)");
        assert_eq!(ApiError::default().to_string(), "no message");
    }
}
