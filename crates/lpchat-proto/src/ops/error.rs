//! Errors of building requests and parsing responses.
//!
//! No error carries a response body as it came: a LivePerson error envelope's fields
//! (`message`, `internalCode`, `responseStatus`, `time`) and an OAuth problem's code and advice
//! are kept, any other body only as its length. URLs are not kept either (a visitor URL may
//! carry the app key in its query).

use std::fmt;

use http::StatusCode;

use crate::codec::{DecodeError, EncodeError};
use crate::model::login::{ErrorBody, OAuthProblem};
use crate::model::Rel;
use crate::retry::RetryAfter;

/// A response with a status that is not the operation's success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The LivePerson error envelope, when the body is one.
    pub api_error: Option<ErrorBody>,
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
            write!(f, ": {}", e.message.as_deref().unwrap_or("no message"))?;
            if let Some(code) = e.internal_code {
                write!(f, " (internal code {code})")?;
            }
        } else if let Some(p) = &self.oauth_problem {
            write!(f, ": oauth_problem={}", p.problem)?;
            if let Some(advice) = &p.advice {
                write!(f, " ({advice})")?;
            }
        } else if self.body_len > 0 {
            write!(f, " ({} byte body)", self.body_len)?;
        }
        match self.retry_after {
            Some(RetryAfter::Seconds(s)) => write!(f, "; retry after {s} s")?,
            Some(RetryAfter::Date(at)) => write!(f, "; retry at {at} (unix)")?,
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
    ChatError(ErrorBody),
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
            Error::ChatError(e) => {
                write!(f, "the chat reports an error: ")?;
                f.write_str(e.message.as_deref().unwrap_or("no message"))?;
                match e.internal_code {
                    Some(code) => write!(f, " (internal code {code})"),
                    None => Ok(()),
                }
            }
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
