//! Turning an operation's request plan into an `http::Request`: URL switches, version
//! parameters, verb tunnelling, format and auth headers, cookies (spec §3, §4).

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE};
use http::{HeaderName, HeaderValue, Method, Request};

use super::context::{Auth, Context};
use super::error::Error;
use super::url::Loc;
use crate::auth::encoding::{percent_encode, percent_encode_bytes};

/// Encodes a query value (RFC 3986 unreserved characters kept).
pub(crate) fn enc(value: &str) -> String {
    percent_encode(value)
}
use crate::auth::oauth;
use crate::codec::{encode, Resource};
use crate::Format;

/// `X-HTTP-Method-Override`, how PUT and DELETE travel as POST.
pub const METHOD_OVERRIDE: HeaderName = HeaderName::from_static("x-http-method-override");
/// `X-Requested-With`, sent by the sample app on agent calls.
pub const REQUESTED_WITH: HeaderName = HeaderName::from_static("x-requested-with");

/// Which service a request goes to: its version parameters, format and auth rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Chat Agent and Server Chat APIs: `v=1&NC=true`; format suffix allowed; auth and
    /// cookies sent.
    Chat,
    /// A chat-API call whose documented path ends in `.json` and whose body is JSON only
    /// (V9 `conversation.json`): like `Chat`, but always JSON and no suffix switch.
    ChatJson,
    /// Login Service: the given `v` if any (`1.3` for login), JSON only, no suffix, no
    /// `Authorization`; cookies sent (refresh and logout need `Session_id`).
    Login(Option<&'static str>),
    /// Domain API: `version=1.0`, JSON only, no suffix, no auth, no cookies.
    Domain,
}

/// What an operation asks for, before the context is applied.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) method: Method,
    pub(crate) loc: Loc,
    /// Query parameters, values already encoded; each replaces one of the same name.
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) service: Service,
    pub(crate) body: Option<Bytes>,
}

impl Plan {
    /// A plan for a chat-API call without a body.
    pub(crate) fn new(method: Method, loc: Loc) -> Plan {
        Plan {
            method,
            loc,
            params: Vec::new(),
            service: Service::Chat,
            body: None,
        }
    }

    /// Adds a query parameter whose value is already encoded.
    pub(crate) fn raw_param(mut self, name: &'static str, encoded: String) -> Plan {
        self.params.push((name, encoded));
        self
    }

    /// Sets the body, encoded in the context's format at build time.
    pub(crate) fn body(mut self, body: Bytes) -> Plan {
        self.body = Some(body);
        self
    }

    /// Sets the service.
    pub(crate) fn service(mut self, service: Service) -> Plan {
        self.service = service;
        self
    }

    /// The body and header format: the context's, except for the JSON-only services.
    pub(crate) fn format(service: Service, ctx: &Context) -> Format {
        match service {
            Service::Chat => ctx.format,
            Service::ChatJson | Service::Login(_) | Service::Domain => Format::Json,
        }
    }

    /// Builds the request.
    pub(crate) fn build(self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let format = Plan::format(self.service, ctx);
        let uri = self.uri(ctx, format)?;
        let tunnel = matches!(self.method, Method::PUT | Method::DELETE) && !ctx.options.real_verbs;
        let wire_method = if tunnel {
            Method::POST
        } else {
            self.method.clone()
        };
        let mut builder = Request::builder()
            .method(wire_method.clone())
            .uri(uri.clone())
            .header(ACCEPT, format.media_type());
        if self.body.is_some() {
            builder = builder.header(CONTENT_TYPE, format.media_type());
        }
        if tunnel {
            builder = builder.header(METHOD_OVERRIDE, self.method.as_str());
        }
        if ctx.options.requested_with && self.service != Service::Domain {
            builder = builder.header(REQUESTED_WITH, "XMLHttpRequest");
        }
        if self.authenticates() {
            if let Some(value) = authorization(ctx, &wire_method, &uri)? {
                builder = builder.header(AUTHORIZATION, sensitive(&value, "the credential")?);
            }
        }
        if self.service != Service::Domain {
            if let Some(cookies) = &ctx.cookies {
                builder = builder.header(COOKIE, sensitive(cookies.expose(), "a cookie")?);
            }
        }
        builder
            .body(self.body.unwrap_or_default())
            .map_err(|_| Error::InvalidUrl("the request cannot be assembled"))
    }

    /// Whether the request carries the context's credential: the chat APIs' requests do,
    /// the Login Service and the Domain API take none.
    fn authenticates(&self) -> bool {
        matches!(self.service, Service::Chat | Service::ChatJson)
    }

    /// The request's URL: the location resolved, the format suffix, the plan's parameters,
    /// the service's versions, the app key when it goes in the query; plain HTTP only to
    /// loopback unless allowed.
    fn uri(&self, ctx: &Context, format: Format) -> Result<http::Uri, Error> {
        let mut url = self.loc.resolve(ctx.base.as_ref())?;
        if self.service == Service::Chat && ctx.options.format_suffix {
            url.apply_suffix(format);
        }
        // The plan's parameters replace the link's of the same name; a name may repeat.
        for (name, _) in &self.params {
            url.remove(name);
        }
        for (name, value) in &self.params {
            url.push(name, value);
        }
        match self.service {
            Service::Chat | Service::ChatJson => {
                url.ensure("v", "1");
                url.ensure("NC", "true");
            }
            Service::Login(Some(version)) => url.ensure("v", version),
            Service::Login(None) => {}
            Service::Domain => url.ensure("version", "1.0"),
        }
        if let (true, Auth::AppKey(key)) = (self.authenticates(), &ctx.auth) {
            if ctx.options.app_key_in_query {
                url.set("appKey", &percent_encode(key.0.expose()));
            }
        }
        if url.is_plain_http() && !url.is_loopback() && !ctx.options.allow_insecure_http {
            return Err(Error::InsecureScheme);
        }
        url.to_uri()
    }
}

/// The `Authorization` value of the context's credential, if it goes in a header: a bearer,
/// the app key (unless in the query), or an OAuth 1.0 signature of `method` and `uri`.
fn authorization(ctx: &Context, method: &Method, uri: &http::Uri) -> Result<Option<String>, Error> {
    Ok(match &ctx.auth {
        Auth::None => None,
        Auth::Bearer(bearer) => Some(format!("Bearer {}", bearer.expose())),
        Auth::AppKey(_) if ctx.options.app_key_in_query => None,
        Auth::AppKey(key) => Some(format!("LivePerson appKey={}", key.0.expose())),
        Auth::OAuth(key) => {
            let signing = ctx.signing.as_ref().ok_or(Error::Unsigned)?;
            let header =
                oauth::authorization_header(method, uri, key, signing.timestamp, &signing.nonce)
                    .map_err(|_| Error::InvalidUrl("the URL cannot be signed"))?;
            Some(header.into_exposed())
        }
    })
}

/// A header value marked sensitive, so `http`'s `Debug` prints `Sensitive`.
fn sensitive(value: &str, what: &'static str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| Error::InvalidHeader(what))?;
    v.set_sensitive(true);
    Ok(v)
}

/// Encodes a body model in the context's format.
pub(crate) fn body_of<T: Resource>(ctx: &Context, value: &T) -> Result<Bytes, Error> {
    Ok(encode(ctx.format, value)?)
}

/// A list query value (`K1,K2`): each item encoded, commas literal as documented.
pub(crate) fn comma_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|i| percent_encode_bytes(i.as_bytes(), b""))
        .collect::<Vec<_>>()
        .join(",")
}
