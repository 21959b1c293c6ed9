//! Operations: one type per endpoint of the spec (§2), each building an
//! `http::Request<Bytes>` and parsing the `http::Response<Bytes>` into its model or a typed
//! [`Error`].
//!
//! - The URL comes from the server's link when the caller has one (`at`, `from_*`
//!   constructors), else from ids under the [`Context`]'s base URI (`new`).
//! - `v=1&NC=true` is added when missing, never twice (Login Service `v=1.3`, Domain API
//!   `version=1.0`).
//! - `Accept`, and `Content-Type` on requests with a body, name the context's [`Format`];
//!   the `.json` suffix, real PUT/DELETE verbs, `X-Requested-With` and the `appKey` query
//!   parameter are [`Options`].
//! - PUT and DELETE travel as POST + `X-HTTP-Method-Override`.
//! - Auth is the context's: `Bearer`, `LivePerson appKey=`, or OAuth 1.0 signing over the
//!   final method and URL with the timestamp and nonce the caller supplies.
//! - Plain http only to loopback hosts, unless the context allows it.
//!
//! Parsing accepts every documented success status, detects the body format from
//! `Content-Type` or the body itself, and returns the model; a 401 is
//! [`Error::Unauthorized`], other statuses [`Error::Status`] with the LivePerson error
//! envelope, OAuth problem and `Retry-After` when present.
//!
//! [`Format`]: crate::Format

pub mod agent;
pub mod chat;
pub mod context;
pub mod domain;
pub mod error;
pub mod login;
mod macros;
pub(crate) mod request;
pub(crate) mod response;
pub mod url;
pub mod visitor;

use bytes::Bytes;
use http::{Request, Response};

use crate::codec::Limits;

pub use crate::model::login::{ErrorBody, OAuthProblem};
pub use crate::retry::RetryAfter;
pub use agent::*;
pub use chat::*;
pub use context::{Auth, BaseUri, Context, Options, Signing};
pub use domain::*;
pub use error::{Error, StatusError};
pub use login::*;
pub use request::{METHOD_OVERRIDE, REQUESTED_WITH};
pub use response::Created;
pub use url::{ChatRef, SessionRef};
pub use visitor::*;

/// Whether repeating a request could change server state twice: what each operation tells
/// the [retry policy](crate::retry).
pub use crate::retry::Idempotency;

/// One endpoint: builds its request and parses its response.
pub trait Operation {
    /// What a successful response gives.
    type Output;

    /// The endpoint's number(s) in the spec's tables (`A14/V10`).
    const ENDPOINT: &'static str;

    /// Whether the request may be repeated blindly.
    fn idempotency(&self) -> Idempotency;

    /// Builds the request for this context.
    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error>;

    /// Parses the response with the given decode limits.
    fn parse_with(&self, response: Response<Bytes>, limits: &Limits)
        -> Result<Self::Output, Error>;

    /// Parses the response with the default decode limits.
    fn parse(&self, response: Response<Bytes>) -> Result<Self::Output, Error> {
        self.parse_with(response, &Limits::default())
    }
}
