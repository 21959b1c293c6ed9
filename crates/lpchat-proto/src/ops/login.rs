//! Login Service operations (L1-L3): log in, keep the login alive, log out. JSON only, on
//! the `agentVep` host; no `Authorization` header.
//!
//! The login answer sets the `Session_id` cookie that refresh and logout need: store the
//! response's cookies in the session's [`CookieJar`](crate::auth::CookieJar) before parsing
//! it, and pass the jar to the context of the later calls.

use bytes::Bytes;
use http::{Method, Request, Response};

use super::context::Context;
use super::error::Error;
use super::request::{Plan, Service};
use super::response::{decode_body, expect_status, OK};
use super::url::Loc;
use super::{Idempotency, Operation};
use crate::auth::{Credentials, Secret};
use crate::codec::{encode, Limits};
use crate::model::login::{LoginRequest, LoginResponse, RefreshRequest};
use crate::Format;

/// The `v` of login URLs (the documented version; clients have used 1.1 and 1.2 too).
pub const LOGIN_VERSION: &str = "1.3";

/// Refresh and logout answer 200 with an empty body; a 204 means the same.
const EMPTY_OK: &[u16] = &[200, 204];

/// L1: log in, `POST {account}/login?v=1.3` with a user, API-key or JWT body. Answers 200
/// with the bearer, the csrf token and `sessionTTl`, and sets the `Session_id` cookie.
///
/// The request body holds the credentials in clear: do not log the built request's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    loc: Loc,
    body: LoginRequest,
}

impl Login {
    /// Logs in under the context's base URI (the account's `agentVep` host).
    pub fn new(body: LoginRequest) -> Self {
        Login {
            loc: Loc::account(&["login"]),
            body,
        }
    }

    /// The login body of credentials that log in (user, API key, JWT); `None` for an
    /// existing bearer or a visitor app key.
    pub fn from_credentials(credentials: &Credentials) -> Option<Self> {
        let body = match credentials {
            Credentials::User(user) => LoginRequest::User {
                username: user.username.clone(),
                password: user.password.clone(),
            },
            Credentials::ApiKey { username, key } => LoginRequest::AppKey {
                username: username.clone(),
                app_key: key.app_key.expose().to_owned(),
                secret: key.secret.clone(),
                access_token: key.access_token.clone(),
                access_token_secret: key.access_token_secret.clone(),
            },
            Credentials::Jwt(jwt) => LoginRequest::Jwt { jwt: jwt.clone() },
            _ => return None,
        };
        Some(Login::new(body))
    }

    /// Logs in at exactly this URL.
    pub fn at(href: impl AsRef<str>, body: LoginRequest) -> Self {
        Login {
            loc: Loc::href(href.as_ref()),
            body,
        }
    }
}

impl Operation for Login {
    type Output = LoginResponse;
    const ENDPOINT: &'static str = "L1";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        Plan::new(Method::POST, self.loc.clone())
            .service(Service::Login(Some(LOGIN_VERSION)))
            .body(encode(Format::Json, &self.body)?)
            .build(ctx)
    }

    fn parse_with(
        &self,
        response: Response<Bytes>,
        limits: &Limits,
    ) -> Result<LoginResponse, Error> {
        expect_status(&response, OK)?;
        decode_body(&response, limits)
    }
}

/// L2 and L3 share their shape: `POST {account}/{refresh|logout}` with `{"csrf":"…"}` and
/// the `Session_id` cookie, answered 200 with an empty body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CsrfPost {
    loc: Loc,
    body: RefreshRequest,
}

impl CsrfPost {
    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        Plan::new(Method::POST, self.loc.clone())
            .service(Service::Login(None))
            .body(encode(Format::Json, &self.body)?)
            .build(ctx)
    }
}

/// L2: keep the login alive, `POST {account}/refresh` with `{"csrf":"…"}` and the
/// `Session_id` cookie (every 3-5 minutes; spec §7.3). A wrong csrf gives 401 with internal
/// code 10.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresh(CsrfPost);

impl Refresh {
    /// Refreshes the login whose csrf token this is.
    pub fn new(csrf: Secret) -> Self {
        Refresh(CsrfPost {
            loc: Loc::account(&["refresh"]),
            body: RefreshRequest::new(csrf),
        })
    }

    /// Refreshes at exactly this URL.
    pub fn at(href: impl AsRef<str>, csrf: Secret) -> Self {
        Refresh(CsrfPost {
            loc: Loc::href(href.as_ref()),
            body: RefreshRequest::new(csrf),
        })
    }
}

impl Operation for Refresh {
    type Output = ();
    const ENDPOINT: &'static str = "L2";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        self.0.build(ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, _limits: &Limits) -> Result<(), Error> {
        expect_status(&response, EMPTY_OK)
    }
}

/// L3: end the login, `POST {account}/logout` with `{"csrf":"…"}` and the `Session_id`
/// cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logout(CsrfPost);

impl Logout {
    /// Ends the login whose csrf token this is.
    pub fn new(csrf: Secret) -> Self {
        Logout(CsrfPost {
            loc: Loc::account(&["logout"]),
            body: RefreshRequest::new(csrf),
        })
    }

    /// Logs out at exactly this URL.
    pub fn at(href: impl AsRef<str>, csrf: Secret) -> Self {
        Logout(CsrfPost {
            loc: Loc::href(href.as_ref()),
            body: RefreshRequest::new(csrf),
        })
    }
}

impl Operation for Logout {
    type Output = ();
    const ENDPOINT: &'static str = "L3";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        self.0.build(ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, _limits: &Limits) -> Result<(), Error> {
        expect_status(&response, EMPTY_OK)
    }
}
