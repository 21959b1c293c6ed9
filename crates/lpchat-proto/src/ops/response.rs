//! Reading responses: status check, typed errors, body decoding, `Location`.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use http::{Response, StatusCode};

use super::error::{Error, StatusError};
use super::url::last_segment;
use crate::auth::oauth::parse_authorization;
use crate::codec::{decode_detect, DecodeErrorKind, Limits, Resource};
use crate::model::agent::{AgentSessionLocation, ChatEventLocation, ChatLocation};
use crate::model::login::{ErrorBody, OAuthProblem};
use crate::model::Rel;
use crate::retry::RetryAfter;
use crate::Format;

/// A resource the server created and named in the `Location` header (V8, V9, V12).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Created {
    /// The `Location` value, as sent.
    pub href: String,
}

impl Created {
    /// The last path segment of the location: the chat id (V8) or the event id (V12).
    pub fn id(&self) -> Option<&str> {
        last_segment(&self.href)
    }
}

/// Success statuses of operations that create with 201 but were documented with 200 too.
pub(crate) const CREATED: &[u16] = &[201, 200];
/// Plain success.
pub(crate) const OK: &[u16] = &[200];
/// Updates whose response body nobody needs; a 204 is as good as a 200.
pub(crate) const UPDATED: &[u16] = &[200, 201, 204];

/// Fails unless the status is one of `ok`.
pub(crate) fn expect_status(response: &Response<Bytes>, ok: &[u16]) -> Result<(), Error> {
    if ok.contains(&response.status().as_u16()) {
        Ok(())
    } else {
        Err(status_error(response))
    }
}

/// The typed error of a failed response: 401 apart, the LivePerson envelope or OAuth problem
/// when the body is one, `Retry-After`, and the body's length.
pub(crate) fn status_error(response: &Response<Bytes>) -> Error {
    let body = response.body();
    let api_error = if body.is_empty() {
        None
    } else {
        decode_detect::<ErrorBody>(
            content_type(response),
            Format::Json,
            body,
            &Limits::default(),
        )
        .ok()
    };
    // An OAuth problem is plain text; a JSON or XML body is never read as one.
    let plain_text = api_error.is_none() && Format::sniff(body).is_none();
    let from_body = if plain_text {
        OAuthProblem::parse(body)
    } else {
        None
    };
    let oauth_problem = from_body.or_else(|| {
        response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| parse_authorization(v).ok())
            .flatten()
            .find(|(name, _)| name == "oauth_problem")
            .and_then(|(_, value)| OAuthProblem::parse(format!("oauth_problem={value}").as_bytes()))
    });
    let retry_after = RetryAfter::from_headers(response.headers());
    let error = Box::new(StatusError {
        status: response.status(),
        api_error,
        oauth_problem,
        retry_after,
        body_len: body.len(),
    });
    if response.status() == StatusCode::UNAUTHORIZED {
        Error::Unauthorized(error)
    } else {
        Error::Status(error)
    }
}

fn content_type(response: &Response<Bytes>) -> Option<&str> {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// Decodes the body: format from `Content-Type`, else sniffed, else JSON.
pub(crate) fn decode_body<T: Resource>(
    response: &Response<Bytes>,
    limits: &Limits,
) -> Result<T, Error> {
    Ok(decode_detect::<T>(
        content_type(response),
        Format::Json,
        response.body(),
        limits,
    )?)
}

/// Decodes the body if there is one (blank bodies give `None`).
pub(crate) fn decode_optional<T: Resource>(
    response: &Response<Bytes>,
    limits: &Limits,
) -> Result<Option<T>, Error> {
    if response.body().iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        decode_body(response, limits).map(Some)
    }
}

/// The `Location` header.
pub(crate) fn location(response: &Response<Bytes>) -> Result<Created, Error> {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|href| Created {
            href: href.to_owned(),
        })
        .ok_or(Error::MissingLocation)
}

/// The bodies of `201 Created` agent answers: a `link rel="location"` under a root that
/// names what was created.
pub(crate) trait LocationBody: Resource {
    fn href_of(&self) -> Option<&str>;
    fn from_href(href: String) -> Self;
}

macro_rules! location_body {
    ($($t:ty),+) => {$(
        impl LocationBody for $t {
            fn href_of(&self) -> Option<&str> {
                self.href()
            }
            fn from_href(href: String) -> Self {
                <$t>::new(href)
            }
        }
    )+};
}

location_body!(AgentSessionLocation, ChatLocation, ChatEventLocation);

/// Reads a location body (A2, A11, A16, A17). Servers disagree on the root (A17 is
/// documented as `chatLocation` while A16 answers `chatEventLocation`), so another location
/// root is accepted too; a blank body falls back to the `Location` header (spec A2, INF).
pub(crate) fn decode_location<T: LocationBody>(
    response: &Response<Bytes>,
    limits: &Limits,
) -> Result<T, Error> {
    if response.body().iter().all(u8::is_ascii_whitespace) {
        return location(response).map(|c| T::from_href(c.href));
    }
    let header = || location(response).ok().map(|c| T::from_href(c.href));
    match decode_body::<T>(response, limits) {
        Ok(body) if body.href_of().is_some() => Ok(body),
        Ok(_) => header().ok_or(Error::MissingLink(Rel::Location)),
        Err(Error::Decode(e)) if *e.kind() == DecodeErrorKind::Root => {
            let other = |href: Option<&str>| href.map(|h| T::from_href(h.to_owned()));
            decode_body::<ChatLocation>(response, limits)
                .ok()
                .and_then(|b| other(b.href()))
                .or_else(|| {
                    decode_body::<ChatEventLocation>(response, limits)
                        .ok()
                        .and_then(|b| other(b.href()))
                })
                .or_else(|| {
                    decode_body::<AgentSessionLocation>(response, limits)
                        .ok()
                        .and_then(|b| other(b.href()))
                })
                .ok_or(Error::Decode(e))
        }
        Err(e) => Err(e),
    }
}
