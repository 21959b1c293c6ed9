//! Shared helpers of the operation tests: contexts, canned responses, request checks, and
//! the error cases every operation must parse the same way.
#![allow(dead_code)]

use std::fmt::Debug;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use lpchat_proto::auth::{ApiKey, AppKey};
use lpchat_proto::ops::{Auth, BaseUri, Context, Error, Operation, RetryAfter};
use lpchat_proto::{DecodeErrorKind, Format};

pub const AGENT_HOST: &str = "va.agentvep.liveperson.net";
pub const VISITOR_HOST: &str = "server.iad.liveperson.net";
pub const ACCOUNT: &str = "25025413";
pub const BEARER: &str = "9cf6-bearer-secret";
pub const APP_KEY: &str = "721c180b09eb463d9f3191c41762bb68";
pub const SESSION: &str =
    "https://va.agentvep.liveperson.net/api/account/25025413/agentSession/1027882276";
pub const CHAT_ID: &str = "H2170755172687460894-b7d761017809489ea1a257461eb373eeK8457415";

pub fn agent_ctx(format: Format) -> Context {
    Context::new(format)
        .with_base(BaseUri::new(AGENT_HOST, ACCOUNT))
        .with_auth(Auth::Bearer(BEARER.into()))
}

pub fn visitor_ctx(format: Format) -> Context {
    Context::new(format)
        .with_base(BaseUri::new(VISITOR_HOST, ACCOUNT))
        .with_auth(Auth::AppKey(AppKey::new(APP_KEY)))
}

pub fn oauth_ctx(format: Format) -> Context {
    Context::new(format)
        .with_base(BaseUri::new(AGENT_HOST, ACCOUNT))
        .with_auth(Auth::OAuth(ApiKey::new(
            "appkey1",
            "consumer-secret",
            "token1",
            "token-secret",
        )))
        .sign_with(1_700_000_000, "n0nce")
}

pub fn fixture(path: &str) -> Bytes {
    let full = format!("{}/../../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    Bytes::from(std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}")))
}

pub fn response(
    status: u16,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Response<Bytes> {
    let mut b = Response::builder().status(status);
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    b.body(body.into()).unwrap()
}

pub fn json(status: u16, body: impl Into<Bytes>) -> Response<Bytes> {
    response(status, Some("application/json;charset=UTF-8"), body)
}

pub fn xml(status: u16, body: impl Into<Bytes>) -> Response<Bytes> {
    response(status, Some("application/xml"), body)
}

/// A fixture as the response body, with the content type of its extension.
pub fn fixture_response(status: u16, path: &str) -> Response<Bytes> {
    let ct = if path.ends_with(".xml") {
        "application/xml"
    } else {
        "application/json"
    };
    response(status, Some(ct), fixture(path))
}

pub fn header<'a>(req: &'a Request<Bytes>, name: &str) -> Option<&'a str> {
    req.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Checks method, URL, every header (exactly these, nothing else) and the body.
pub fn assert_request(
    req: &Request<Bytes>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) {
    assert_eq!(req.method().as_str(), method, "method");
    assert_eq!(req.uri().to_string(), uri, "uri");
    for (name, value) in headers {
        assert_eq!(header(req, name), Some(*value), "header {name}");
    }
    let mut names: Vec<_> = req
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect();
    names.sort();
    let mut expected: Vec<_> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    expected.sort();
    assert_eq!(names, expected, "header names");
    match body {
        Some(b) => assert_eq!(std::str::from_utf8(req.body()).unwrap(), b, "body"),
        None => assert!(req.body().is_empty(), "body should be empty"),
    }
}

/// The headers of an agent request with a bearer.
pub fn agent_headers(format: Format, with_body: bool) -> Vec<(&'static str, &'static str)> {
    let mt = format.media_type();
    let mut h = vec![
        ("accept", mt),
        ("authorization", "Bearer 9cf6-bearer-secret"),
    ];
    if with_body {
        h.push(("content-type", mt));
    }
    h
}

/// The headers of a visitor request with the app key in `Authorization`.
pub fn visitor_headers(format: Format, with_body: bool) -> Vec<(&'static str, &'static str)> {
    let mt = format.media_type();
    let mut h = vec![
        ("accept", mt),
        (
            "authorization",
            "LivePerson appKey=721c180b09eb463d9f3191c41762bb68",
        ),
    ];
    if with_body {
        h.push(("content-type", mt));
    }
    h
}

pub const ERROR_ENVELOPE: &str = r#"{"error":{"time":"Sep 22, 2016 4:10:15 PM","message":"CSRF token invalid! The CSRF token on request does not match the CSRF token on the session","internalCode":10,"responseStatus":"UNAUTHORIZED"}}"#;

/// The failure responses every operation parses the same way: 401 (envelope), 429 with
/// `Retry-After`, 500 with an envelope in XML, an OAuth problem, an HTML error page, and the
/// wrong 2xx. `decodes` says whether the operation reads a body (then a malformed 2xx body
/// must give a decode error) and `ok` is one of its success statuses.
pub fn assert_common_errors<O>(op: &O, ok: u16, decodes: bool)
where
    O: Operation,
    O::Output: Debug,
{
    let e = op.parse(json(401, ERROR_ENVELOPE)).unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
    let se = e.status_error().unwrap();
    assert_eq!(se.status, StatusCode::UNAUTHORIZED);
    let api = se.api_error.as_ref().unwrap();
    assert_eq!(api.internal_code, Some(10));
    assert_eq!(api.response_status.as_deref(), Some("UNAUTHORIZED"));
    assert!(e.to_string().contains("CSRF token invalid"), "{e}");

    let too_many = Response::builder()
        .status(429)
        .header("retry-after", "7")
        .body(Bytes::new())
        .unwrap();
    let e = op.parse(too_many).unwrap_err();
    assert!(matches!(e, Error::Status(_)), "{e:?}");
    assert_eq!(e.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(e.retry_after(), Some(RetryAfter::Seconds(7)));

    let e = op
        .parse(fixture_response(500, "errors/error.basic.xml"))
        .unwrap_err();
    let se = e.status_error().unwrap();
    assert_eq!(se.status.as_u16(), 500);
    assert_eq!(se.api_error.as_ref().unwrap().internal_code, Some(10));
    assert!(se.retry_after.is_none());

    let e = op
        .parse(response(
            401,
            Some("text/plain"),
            fixture("errors/oauth-problem.token-rejected.txt"),
        ))
        .unwrap_err();
    assert!(e.is_unauthorized());
    let p = e.status_error().unwrap().oauth_problem.as_ref().unwrap();
    assert_eq!(p.problem, "token_rejected");
    assert!(e.status_error().unwrap().api_error.is_none());

    let page = "<html><body>secret-looking 9cf6 page</body></html>";
    let e = op
        .parse(response(503, Some("text/html"), page))
        .unwrap_err();
    let se = e.status_error().unwrap();
    assert_eq!(se.body_len, page.len());
    assert!(se.api_error.is_none() && se.oauth_problem.is_none());
    assert!(!e.to_string().contains("9cf6") && !format!("{e:?}").contains("9cf6"));

    let e = op.parse(json(202, "")).unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(202));

    if decodes {
        for bad in ["{\"x\":", "<a><b></a>", "[1,2", "<<<"] {
            let e = op.parse(response(ok, None, bad)).unwrap_err();
            assert!(matches!(e, Error::Decode(_)), "{bad}: {e:?}");
        }
        let e = op.parse(json(ok, "{\"truncated\"")).unwrap_err();
        match e {
            Error::Decode(d) => assert_eq!(d.kind(), &DecodeErrorKind::Syntax),
            other => panic!("{other:?}"),
        }
    }
}
