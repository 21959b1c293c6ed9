//! [`Context`]: what every request of a session shares (base URI, format, authentication,
//! cookies, wire switches).

use crate::auth::{ApiKey, AppKey, CookieJar, Secret};
use crate::Format;

/// Where a service lives for one account: scheme, host (with port, if any) and account id.
/// URLs built from ids are `{scheme}://{host}/api/account/{account}/…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUri {
    scheme: &'static str,
    host: String,
    account: String,
}

impl BaseUri {
    /// `https://{host}/api/account/{account}`; `host` is what the Domain API returns (a bare
    /// host name, possibly with a port).
    pub fn new(host: impl Into<String>, account: impl Into<String>) -> Self {
        BaseUri {
            scheme: "https",
            host: host.into(),
            account: account.into(),
        }
    }

    /// Plain `http://{host}/api/account/{account}`, for the emulator on loopback. Requests to
    /// other hosts fail with [`super::Error::InsecureScheme`] unless
    /// [`Options::allow_insecure_http`] is set.
    pub fn http(host: impl Into<String>, account: impl Into<String>) -> Self {
        BaseUri {
            scheme: "http",
            host: host.into(),
            account: account.into(),
        }
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The host (and port).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The account id.
    pub fn account(&self) -> &str {
        &self.account
    }
}

/// How requests authenticate (spec §4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header (Domain API, Login Service).
    #[default]
    None,
    /// `Authorization: Bearer …` (agent API after a login).
    Bearer(Secret),
    /// OAuth 1.0 HMAC-SHA1 signing with an API key (agent API, spec §4.1). Each request
    /// needs a timestamp and a nonce: see [`Context::sign_with`].
    OAuth(ApiKey),
    /// `Authorization: LivePerson appKey=…` (visitor API), or the `appKey` query parameter
    /// when [`Options::app_key_in_query`] is set.
    AppKey(AppKey),
}

/// Wire switches. Each defaults to what the documentation describes; official clients use
/// some of the alternatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Options {
    /// Append `.json` (or `.xml`) to the last path segment, as LivePerson's sample app and
    /// browser SDK do (spec §3). Not applied to Login Service and Domain API URLs.
    pub format_suffix: bool,
    /// Send PUT and DELETE as themselves instead of POST + `X-HTTP-Method-Override`.
    pub real_verbs: bool,
    /// Send `X-Requested-With: XMLHttpRequest`, as the sample app does on agent calls.
    pub requested_with: bool,
    /// Visitor side: send the app key as the `appKey` query parameter instead of a header.
    pub app_key_in_query: bool,
    /// Allow plain `http` to any host, not only loopback.
    pub allow_insecure_http: bool,
}

/// The timestamp and nonce of one OAuth-signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
    /// A value unique for this timestamp (random alphanumerics).
    pub nonce: String,
}

/// What every request of a session shares. Cheap to clone; a machine keeps one and updates
/// its fields (a new bearer after a re-login, the cookies after each response).
///
/// `Debug` shows no secret: bearers, keys and cookies are [`Secret`]s.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Context {
    /// The service's base URI, for operations built from ids rather than links.
    pub base: Option<BaseUri>,
    /// The body format for `Accept` and `Content-Type` (Login and Domain are always JSON).
    pub format: Format,
    /// How to authenticate.
    pub auth: Auth,
    /// Wire switches.
    pub options: Options,
    /// The `Cookie` header value of this session's jar (see [`Context::with_cookies`]).
    pub cookies: Option<Secret>,
    /// Timestamp and nonce for the next OAuth-signed request.
    pub signing: Option<Signing>,
}

impl Context {
    /// A context with the given format and nothing else.
    pub fn new(format: Format) -> Self {
        Context {
            format,
            ..Context::default()
        }
    }

    /// With a base URI.
    pub fn with_base(mut self, base: BaseUri) -> Self {
        self.base = Some(base);
        self
    }

    /// With an authentication.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// With wire switches.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// With the jar's current cookies (a snapshot: call again after the jar changes).
    pub fn with_cookies(mut self, jar: &CookieJar) -> Self {
        self.cookies = jar.header_value();
        self
    }

    /// With the timestamp (seconds since the epoch) and nonce for signing the next request.
    /// Sans-IO: the caller owns the clock and the randomness.
    pub fn sign_with(mut self, timestamp: u64, nonce: impl Into<String>) -> Self {
        self.signing = Some(Signing {
            timestamp,
            nonce: nonce.into(),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let mut jar = CookieJar::new();
        jar.set_cookie("Session_id=cookie-secret", None);
        let ctx = Context::new(Format::Xml)
            .with_base(BaseUri::new("va.agentvep.liveperson.net", "123"))
            .with_auth(Auth::OAuth(ApiKey::new("ak", "s3c", "t0k", "ts3c")))
            .with_cookies(&jar)
            .sign_with(1, "nonce");
        let d = format!("{ctx:?}");
        for s in ["cookie-secret", "\"ak\"", "s3c", "t0k"] {
            assert!(!d.contains(s), "{d}");
        }
        assert!(d.contains("va.agentvep.liveperson.net"));
        let bearer = Context::default().with_auth(Auth::Bearer("b34r3r".into()));
        assert!(!format!("{bearer:?}").contains("b34r3r"));
    }
}
