//! Login Service (L1-L3) and Domain API (D1-D3) operations: exact requests, cookies, and
//! parsing of fixtures and failures (the CSRF envelope, OAuth problems).

mod ops_support;

use bytes::Bytes;
use lpchat_proto::auth::{ApiKey, CookieJar, Credentials, ExistingBearer, Secret, UserPassword};
use lpchat_proto::model::domain::Service;
use lpchat_proto::model::login::LoginRequest;
use lpchat_proto::ops::*;
use lpchat_proto::Format;
use ops_support::*;

const LOGIN_URL: &str = "https://va.agentvep.liveperson.net/api/account/25025413/login?v=1.3";

fn json_value(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap()
}

fn login_ctx(format: Format) -> Context {
    // Whatever the context's format and auth, login is JSON with no Authorization.
    agent_ctx(format)
}

#[test]
fn l1_login_bodies_for_every_credential() {
    let json_headers = [
        ("accept", "application/json"),
        ("content-type", "application/json"),
    ];
    let cases = [
        (
            Credentials::User(UserPassword::new("name", "password")),
            "login/request-login.user.json",
        ),
        (
            Credentials::ApiKey {
                username: "name".into(),
                key: ApiKey::new(
                    "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
                    "1a2b3c4d5e6f7a8b",
                    "f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4",
                    "0f1e2d3c4b5a6978",
                ),
            },
            "login/request-login.app-key.json",
        ),
        (
            Credentials::Jwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZ2VudDEifQ.c2lnbmF0dXJl".into()),
            "login/request-login.jwt.json",
        ),
    ];
    for (credentials, file) in cases {
        let op = Login::from_credentials(&credentials).unwrap();
        assert_eq!(op.idempotency(), Idempotency::Safe);
        for format in [Format::Json, Format::Xml] {
            let req = op.build(&login_ctx(format)).unwrap();
            assert_request(
                &req,
                "POST",
                LOGIN_URL,
                &json_headers,
                Some(std::str::from_utf8(req.body()).unwrap()),
            );
            assert_eq!(json_value(req.body()), json_value(&fixture(file)), "{file}");
        }
        // Nothing of the credentials in the operation's Debug.
        let d = format!("{op:?}");
        for s in [
            "password\"",
            "1a2b3c4d5e6f7a8b",
            "f9e8d7c6",
            "0f1e2d3c",
            "eyJhbGci",
        ] {
            assert!(!d.contains(s), "{d}");
        }
    }
    assert!(Login::from_credentials(&Credentials::Bearer(ExistingBearer::new("b"))).is_none());

    // Suffix and version switches do not touch the Login Service URL.
    let mut ctx = agent_ctx(Format::Json);
    ctx.options.format_suffix = true;
    let op = Login::new(LoginRequest::user("name", "password"));
    assert_eq!(op.build(&ctx).unwrap().uri().to_string(), LOGIN_URL);
    let at = Login::at(
        "https://h.example/api/account/1/login?v=1.2",
        LoginRequest::user("a", "b"),
    );
    assert_eq!(
        at.build(&ctx).unwrap().uri().to_string(),
        "https://h.example/api/account/1/login?v=1.2"
    );
}

#[test]
fn l1_login_response_and_cookie() {
    let op = Login::new(LoginRequest::user("name", "password"));
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("set-cookie", "Session_id=sess-123; Path=/; HttpOnly")
        .body(fixture("login/login.basic.json"))
        .unwrap();
    // The machine keeps the cookies before parsing.
    let mut jar = CookieJar::new();
    jar.store(response.headers(), None);
    let login = op.parse(response).unwrap();
    assert_eq!(
        login.session_ttl,
        Some(std::time::Duration::from_secs(8 * 3600))
    );
    assert!(login.bearer.expose().starts_with("9cf6d9e8"));
    assert!(!format!("{login:?}").contains("9cf6d9e8"));
    assert_eq!(jar.get("Session_id").unwrap().expose(), "sess-123");

    // Bad credentials: 401 with the envelope; a bad body: 400.
    let e = op
        .parse(fixture_response(401, "errors/error.basic.json"))
        .unwrap_err();
    assert!(e.is_unauthorized());
    assert_eq!(
        e.status_error()
            .unwrap()
            .api_error
            .as_ref()
            .unwrap()
            .internal_code,
        Some(10)
    );
    let e = op
        .parse(fixture_response(400, "errors/error.bad-request.json"))
        .unwrap_err();
    let se = e.status_error().unwrap();
    assert_eq!(se.api_error.as_ref().unwrap().internal_code, Some(33));
    assert!(
        e.to_string().contains("Bad request: missing username"),
        "{e}"
    );
    // An envelope with string numbers and a minimal one.
    let e = op
        .parse(fixture_response(401, "errors/error.strings.json"))
        .unwrap_err();
    assert_eq!(
        e.status_error()
            .unwrap()
            .api_error
            .as_ref()
            .unwrap()
            .internal_code,
        Some(10)
    );
    let e = op
        .parse(fixture_response(500, "errors/error.minimal.json"))
        .unwrap_err();
    assert_eq!(
        e.status_error()
            .unwrap()
            .api_error
            .as_ref()
            .unwrap()
            .message
            .as_deref(),
        Some("Internal Server Error")
    );
    assert_common_errors(&op, 200, true);
}

#[test]
fn l2_l3_refresh_and_logout_send_csrf_and_cookie() {
    let mut jar = CookieJar::new();
    jar.set_cookie("Session_id=sess-123", None);
    let ctx = Context::new(Format::Xml)
        .with_base(BaseUri::new(AGENT_HOST, ACCOUNT))
        .with_auth(Auth::Bearer(BEARER.into()))
        .with_cookies(&jar);
    let csrf = Secret::new("d5d0c3f4a1b26e7890f1234567890abcdef1234567890abcdef1234567890ab");
    let headers = [
        ("accept", "application/json"),
        ("content-type", "application/json"),
        ("cookie", "Session_id=sess-123"),
    ];
    let refresh = Refresh::new(csrf.clone());
    let req = refresh.build(&ctx).unwrap();
    assert_request(
        &req,
        "POST",
        "https://va.agentvep.liveperson.net/api/account/25025413/refresh",
        &headers,
        Some(
            std::str::from_utf8(&fixture("login/request-refresh.basic.json"))
                .unwrap()
                .replace([' ', '\n'], "")
                .as_str(),
        ),
    );
    // The cookie header is marked sensitive, so http's own Debug hides it.
    let debug = format!("{req:?}");
    assert!(!debug.contains("sess-123"), "{debug}");
    refresh.parse(json(200, "")).unwrap();
    refresh.parse(json(204, "")).unwrap();
    let e = refresh
        .parse(fixture_response(401, "errors/error.basic.json"))
        .unwrap_err();
    assert!(e.is_unauthorized());
    assert_common_errors(&refresh, 200, false);

    let logout = Logout::new(csrf);
    let req = logout.build(&ctx).unwrap();
    assert_eq!(
        req.uri().to_string(),
        "https://va.agentvep.liveperson.net/api/account/25025413/logout"
    );
    assert_eq!(req.headers()["cookie"], "Session_id=sess-123");
    logout.parse(json(200, "")).unwrap();
    assert_common_errors(&logout, 200, false);
    assert!(!format!("{refresh:?}{logout:?}").contains("d5d0c3f4"));
}

#[test]
fn d1_d2_d3_domain_lookups() {
    // No auth, no cookies, JSON only, whatever the context holds.
    let mut jar = CookieJar::new();
    jar.set_cookie("Session_id=s", None);
    let ctx = agent_ctx(Format::Xml).with_cookies(&jar);
    let headers = [("accept", "application/json")];

    let d1 = LookupDomain::new("25025413", Service::AgentVep);
    assert_request(
        &d1.build(&ctx).unwrap(),
        "GET",
        "https://api.liveperson.net/api/account/25025413/service/agentVep/baseURI.json?version=1.0",
        &headers,
        None,
    );
    let domain = d1
        .parse(fixture_response(200, "domain/domain.basic.json"))
        .unwrap();
    assert_eq!(domain.base_uri(), "exampleDomain.liveperson.net");
    let e = d1.parse(json(401, "")).unwrap_err();
    assert!(e.is_unauthorized());
    assert_common_errors(&d1, 200, true);

    let d2 = LookupAllDomains::new("25025413").origin("adminlogin.liveperson.net/");
    assert_request(
        &d2.build(&ctx).unwrap(),
        "GET",
        "https://adminlogin.liveperson.net/csdr/account/25025413/service/baseURI.json?version=1.0",
        &headers,
        None,
    );
    let all = d2
        .parse(fixture_response(200, "domain/domain-all.basic.json"))
        .unwrap();
    assert_eq!(
        all.base_uri(&Service::ConversationVep),
        Some("server.iad.liveperson.net")
    );
    assert_common_errors(&d2, 200, true);

    let d3 = LookupLegacyDomain::new("25025413");
    assert_request(
        &d3.build(&ctx).unwrap(),
        "GET",
        "https://api.liveperson.net/csdr/account/25025413/service/adminArea/baseURI.lpCsds?version=1.0",
        &headers,
        None,
    );
    let legacy = d3
        .parse(json(
            200,
            r#"{"ResultSet":{"lpData":[{"lpServer":"server.iad.liveperson.net"}]}}"#,
        ))
        .unwrap();
    assert_eq!(legacy.server(), Some("server.iad.liveperson.net"));

    // An emulator on loopback over plain http is fine; another host is not.
    let emu = LookupDomain::new("1", Service::ConversationVep).origin("http://127.0.0.1:8080");
    assert_eq!(
        emu.build(&ctx).unwrap().uri().to_string(),
        "http://127.0.0.1:8080/api/account/1/service/conversationVep/baseURI.json?version=1.0"
    );
    let remote = LookupDomain::new("1", Service::AgentVep).origin("http://api.liveperson.net");
    assert_eq!(remote.build(&ctx).unwrap_err(), Error::InsecureScheme);
    let _: Bytes = Bytes::new();
}
