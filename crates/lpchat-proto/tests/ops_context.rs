//! What the context does to every request: auth modes (bearer, app key, OAuth 1.0 signing),
//! cookies, switches (suffix, real verbs, X-Requested-With, app key in the query), the
//! https rule, URL errors, and that no secret shows in any Debug or Display.

mod ops_support;

use bytes::Bytes;
use http::{Method, Response};
use lpchat_proto::auth::oauth::verify;
use lpchat_proto::auth::{
    ApiKey, AppKey, CookieJar, Credentials, ExistingBearer, Secret, UserPassword,
};
use lpchat_proto::model::agent::{AgentState, Availability};
use lpchat_proto::model::login::LoginRequest;
use lpchat_proto::model::*;
use lpchat_proto::ops::*;
use lpchat_proto::Format;
use ops_support::*;

fn session() -> SessionRef {
    SessionRef::Href(SESSION.into())
}

#[test]
fn oauth_signed_get_has_the_documented_header() {
    let req = GetIncomingRequests::new(&session())
        .build(&oauth_ctx(Format::Json))
        .unwrap();
    assert_request(
        &req,
        "GET",
        &format!("{SESSION}/incomingRequests?v=1&NC=true"),
        &[
            ("accept", "application/json"),
            (
                "authorization",
                "OAuth oauth_signature=\"ZzQqjdMfbLj8Dc2VlCKrhacDgz8%3D\", oauth_version=\"1.0\", \
                 oauth_nonce=\"n0nce\", oauth_consumer_key=\"appkey1\", \
                 oauth_signature_method=\"HMAC-SHA1\", oauth_token=\"token1\", \
                 oauth_timestamp=\"1700000000\"",
            ),
        ],
        None,
    );
    let auth = header(&req, "authorization").unwrap();
    verify(
        req.method(),
        req.uri(),
        auth,
        "consumer-secret",
        "token-secret",
    )
    .unwrap();
    assert!(req.headers()["authorization"].is_sensitive());
}

#[test]
fn oauth_signs_the_wire_method_and_final_url() {
    // A tunnelled PUT is signed as the POST it travels as, over the suffixed path.
    let mut ctx = oauth_ctx(Format::Json);
    ctx.options.format_suffix = true;
    let op = SetAvailability::new(&session(), Availability::chat(AgentState::Online));
    let req = op.build(&ctx).unwrap();
    assert_eq!(req.method(), Method::POST);
    assert_eq!(
        req.uri().to_string(),
        format!("{SESSION}/availability.json?v=1&NC=true")
    );
    let auth = header(&req, "authorization").unwrap();
    assert!(
        auth.starts_with("OAuth oauth_signature=\"GRKocnJLPBr06d%2FAe4OHVrHW9gA%3D\""),
        "{auth}"
    );
    verify(
        &Method::POST,
        req.uri(),
        auth,
        "consumer-secret",
        "token-secret",
    )
    .unwrap();
    assert!(verify(
        &Method::PUT,
        req.uri(),
        auth,
        "consumer-secret",
        "token-secret"
    )
    .is_err());
    // With real verbs the PUT itself is signed.
    ctx.options.real_verbs = true;
    let req = op.build(&ctx).unwrap();
    assert_eq!(req.method(), Method::PUT);
    verify(
        &Method::PUT,
        req.uri(),
        header(&req, "authorization").unwrap(),
        "consumer-secret",
        "token-secret",
    )
    .unwrap();
    // Query parameters of a server link are signed as sent.
    let next = GetAvailableAgents::at(format!("{SESSION}/availableAgents?timeStamp=1331544926464"))
        .skill("Sales Team");
    let req = next.build(&oauth_ctx(Format::Xml)).unwrap();
    assert_eq!(
        req.uri().query(),
        Some("timeStamp=1331544926464&skill=Sales%20Team&v=1&NC=true")
    );
    verify(
        req.method(),
        req.uri(),
        header(&req, "authorization").unwrap(),
        "consumer-secret",
        "token-secret",
    )
    .unwrap();
}

#[test]
fn oauth_without_a_nonce_is_refused() {
    let mut ctx = oauth_ctx(Format::Json);
    ctx.signing = None;
    let e = GetAgentInfo::new(&session()).build(&ctx).unwrap_err();
    assert_eq!(e, Error::Unsigned);
    assert!(e.to_string().contains("timestamp and a nonce"));
    // Operations without auth do not need it.
    assert!(
        LookupDomain::new("1", lpchat_proto::model::domain::Service::AgentVep)
            .build(&ctx)
            .is_ok()
    );
    assert!(Login::new(LoginRequest::user("a", "b")).build(&ctx).is_ok());
}

#[test]
fn app_key_header_or_query_and_no_auth() {
    let op = GetChatInfo::new(&ChatRef::Visitor("C1".into()));
    let req = op.build(&visitor_ctx(Format::Json)).unwrap();
    assert_eq!(
        header(&req, "authorization"),
        Some("LivePerson appKey=721c180b09eb463d9f3191c41762bb68")
    );
    assert!(req.headers()["authorization"].is_sensitive());
    let mut q = visitor_ctx(Format::Json);
    q.options.app_key_in_query = true;
    let req = op.build(&q).unwrap();
    assert_eq!(header(&req, "authorization"), None);
    assert_eq!(
        req.uri().query(),
        Some("v=1&NC=true&appKey=721c180b09eb463d9f3191c41762bb68")
    );
    // A key already in the link is replaced, not repeated.
    let linked = GetChatInfo::at(
        "https://server.iad.liveperson.net/api/account/1/chat/C1/info?appKey=old&v=1",
    );
    assert_eq!(
        linked.build(&q).unwrap().uri().query(),
        Some("v=1&NC=true&appKey=721c180b09eb463d9f3191c41762bb68")
    );
    let none = Context::new(Format::Json).with_base(BaseUri::new(VISITOR_HOST, ACCOUNT));
    let req = op.build(&none).unwrap();
    assert_request(
        &req,
        "GET",
        "https://server.iad.liveperson.net/api/account/25025413/chat/C1/info?v=1&NC=true",
        &[("accept", "application/json")],
        None,
    );
}

#[test]
fn cookies_and_requested_with() {
    let mut jar = CookieJar::new();
    jar.set_cookie("Session_id=abc; Path=/", None);
    jar.set_cookie("LPSID=xyz", None);
    let mut ctx = agent_ctx(Format::Json).with_cookies(&jar);
    ctx.options.requested_with = true;
    let req = GetChatSessions::new(&session()).build(&ctx).unwrap();
    let mut expected = agent_headers(Format::Json, false);
    expected.push(("cookie", "Session_id=abc; LPSID=xyz"));
    expected.push(("x-requested-with", "XMLHttpRequest"));
    assert_request(
        &req,
        "GET",
        &format!("{SESSION}/chatSessions?v=1&NC=true"),
        &expected,
        None,
    );
    assert!(req.headers()["cookie"].is_sensitive());
    // A jar emptied (logout) sends nothing.
    jar.clear();
    let req = GetChatSessions::new(&session())
        .build(&ctx.with_cookies(&jar))
        .unwrap();
    assert!(req.headers().get("cookie").is_none());
}

#[test]
fn version_parameters_are_never_duplicated() {
    let ctx = agent_ctx(Format::Json);
    for (href, query) in [
        ("https://h.example/a/events", "v=1&NC=true"),
        ("https://h.example/a/events?v=1", "v=1&NC=true"),
        ("https://h.example/a/events?NC=true&v=1", "NC=true&v=1"),
        (
            "https://h.example/a/events?from=4&v=1&NC=true",
            "from=4&v=1&NC=true",
        ),
        ("https://h.example/a/events?v=2", "v=2&NC=true"),
    ] {
        let req = GetEvents::at(href).build(&ctx).unwrap();
        assert_eq!(req.uri().query(), Some(query), "{href}");
    }
}

#[test]
fn suffix_switch() {
    let mut ctx = agent_ctx(Format::Json);
    ctx.options.format_suffix = true;
    let mut ctx_xml = ctx.clone();
    ctx_xml.format = Format::Xml;
    let chat = ChatRef::Agent {
        session: session(),
        chat: "C1".into(),
    };
    assert_eq!(
        GetEvents::new(&chat).build(&ctx).unwrap().uri().to_string(),
        format!("{SESSION}/chat/C1/events.json?v=1&NC=true")
    );
    assert_eq!(
        GetEvents::new(&chat)
            .build(&ctx_xml)
            .unwrap()
            .uri()
            .to_string(),
        format!("{SESSION}/chat/C1/events.xml?v=1&NC=true")
    );
    // A link with the suffix already: not doubled; below a suffixed link: moved to the end.
    let suffixed = SessionRef::Href(format!("{SESSION}.json?v=1&NC=true"));
    assert_eq!(
        GetAgentInfo::new(&suffixed)
            .build(&ctx)
            .unwrap()
            .uri()
            .to_string(),
        format!("{SESSION}/info.json?v=1&NC=true")
    );
    assert_eq!(
        GetAgentSession::new(&suffixed)
            .build(&ctx)
            .unwrap()
            .uri()
            .to_string(),
        format!("{SESSION}.json?v=1&NC=true")
    );
    assert_eq!(
        GetAgentSession::new(&suffixed)
            .build(&agent_ctx(Format::Json))
            .unwrap()
            .uri()
            .to_string(),
        format!("{SESSION}.json?v=1&NC=true")
    );
}

#[test]
fn https_everywhere_but_loopback() {
    let op = GetChatInfo::new(&ChatRef::Visitor("C1".into()));
    let remote =
        Context::new(Format::Json).with_base(BaseUri::http("server.iad.liveperson.net", "1"));
    assert_eq!(op.build(&remote).unwrap_err(), Error::InsecureScheme);
    let allowed = remote.clone().with_options({
        let mut o = Options::default();
        o.allow_insecure_http = true;
        o
    });
    assert_eq!(
        op.build(&allowed).unwrap().uri().to_string(),
        "http://server.iad.liveperson.net/api/account/1/chat/C1/info?v=1&NC=true"
    );
    for host in ["127.0.0.1:18080", "localhost:1", "[::1]:80"] {
        let local = Context::new(Format::Json).with_base(BaseUri::http(host, "1"));
        assert!(op.build(&local).is_ok(), "{host}");
    }
    // A server link to plain http elsewhere is refused as well.
    let link = GetEvents::at("http://evil.example/api/account/1/chat/C1/events");
    assert_eq!(
        link.build(&agent_ctx(Format::Json)).unwrap_err(),
        Error::InsecureScheme
    );
}

#[test]
fn bad_urls_and_headers_are_typed_errors() {
    let ctx = agent_ctx(Format::Json);
    for href in [
        "",
        "not a url",
        "ftp://h/x",
        "/relative",
        "https://",
        "https://h/a\u{7f}",
    ] {
        match GetEvents::at(href).build(&ctx) {
            Err(Error::InvalidUrl(_)) => {}
            other => panic!("{href:?}: {other:?}"),
        }
    }
    let bad_bearer = Context::new(Format::Json)
        .with_base(BaseUri::new(AGENT_HOST, ACCOUNT))
        .with_auth(Auth::Bearer("abc\r\nX-Evil: 1".into()));
    let e = GetAgentInfo::new(&session())
        .build(&bad_bearer)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidHeader(_)), "{e:?}");
    assert!(!e.to_string().contains("abc"));
    let empty_host = Context::new(Format::Json).with_base(BaseUri::new("", "1"));
    assert!(matches!(
        GetAccount::new().build(&empty_host),
        Err(Error::InvalidUrl(_))
    ));
}

#[test]
fn retry_after_as_a_date_and_www_authenticate() {
    let op = GetAgentInfo::new(&session());
    let r = Response::builder()
        .status(503)
        .header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")
        .body(Bytes::new())
        .unwrap();
    let e = op.parse(r).unwrap_err();
    assert_eq!(e.retry_after(), Some(RetryAfter::Date(1_445_412_480)));
    assert!(e.to_string().contains("503"));
    let r = Response::builder()
        .status(401)
        .header(
            "www-authenticate",
            "OAuth realm=\"\", oauth_problem=\"timestamp_refused\"",
        )
        .body(Bytes::new())
        .unwrap();
    let e = op.parse(r).unwrap_err();
    assert_eq!(
        e.status_error()
            .unwrap()
            .oauth_problem
            .as_ref()
            .unwrap()
            .problem,
        "timestamp_refused"
    );
    let e = op
        .parse(response(
            401,
            None,
            fixture("errors/oauth-problem.signature-invalid.txt"),
        ))
        .unwrap_err();
    let p = e.status_error().unwrap().oauth_problem.clone().unwrap();
    assert_eq!(p.problem, "signature_invalid");
    assert_eq!(p.advice.as_deref(), Some("the oauth_signature is invalid"));
    assert!(e.to_string().contains("signature_invalid"), "{e}");
}

#[test]
fn no_secret_in_any_debug_or_display() {
    const SECRETS: [&str; 9] = [
        "s3cr3t-bearer",
        "s3cr3t-csrf",
        "s3cr3t-pass",
        "s3cr3t-app",
        "s3cr3t-consumer",
        "s3cr3t-token",
        "s3cr3t-toksec",
        "s3cr3t-cookie",
        "s3cr3t-jwt",
    ];
    let key = ApiKey::new(
        "s3cr3t-app",
        "s3cr3t-consumer",
        "s3cr3t-token",
        "s3cr3t-toksec",
    );
    let mut jar = CookieJar::new();
    jar.set_cookie("Session_id=s3cr3t-cookie", None);
    let contexts = [
        agent_ctx(Format::Json)
            .with_auth(Auth::Bearer("s3cr3t-bearer".into()))
            .with_cookies(&jar),
        agent_ctx(Format::Json)
            .with_auth(Auth::OAuth(key.clone()))
            .sign_with(1, "n"),
        visitor_ctx(Format::Xml).with_auth(Auth::AppKey(AppKey::new("s3cr3t-app"))),
    ];
    let credentials = [
        Credentials::User(UserPassword::new("u", "s3cr3t-pass")),
        Credentials::ApiKey {
            username: "u".into(),
            key: key.clone(),
        },
        Credentials::Jwt("s3cr3t-jwt".into()),
        Credentials::Bearer(ExistingBearer::new("s3cr3t-bearer").with_csrf("s3cr3t-csrf")),
        Credentials::Visitor(AppKey::new("s3cr3t-app")),
    ];
    let error_body = r#"{"error":{"message":"nope","internalCode":10}} s3cr3t-bearer"#;
    let op = GetAgentInfo::new(&session());
    let errors = vec![
        op.parse(json(
            401,
            r#"{"error":{"message":"CSRF token invalid","internalCode":10}}"#,
        ))
        .unwrap_err(),
        op.parse(response(
            500,
            Some("text/html"),
            "<p>s3cr3t-bearer s3cr3t-csrf</p>",
        ))
        .unwrap_err(),
        op.parse(response(400, Some("application/json"), error_body))
            .unwrap_err(),
        op.parse(json(200, r#"{"info":{"agentName":{"s3cr3t-bearer":1}}}"#))
            .unwrap_err(),
        op.parse(json(200, r#"{"info": "s3cr3t-bearer"#))
            .unwrap_err(),
        Error::Unsigned,
        Error::InsecureScheme,
        Error::MissingLocation,
        Error::MissingBase,
        Error::MissingLink(Rel::Next),
        Error::InvalidUrl("x"),
        Error::InvalidHeader("the credential"),
    ];
    let login = Login::from_credentials(&credentials[0]).unwrap();
    let mut text = String::new();
    for c in &contexts {
        text += &format!("{c:?}{c:#?}");
        // http's own Debug of a built request hides the sensitive headers.
        text += &format!("{:?}", op.build(c).unwrap());
    }
    for c in &credentials {
        text += &format!("{c:?}");
    }
    for e in &errors {
        text += &format!("{e}{e:?}");
    }
    text += &format!("{jar:?}{login:?}{:?}", Refresh::new("s3cr3t-csrf".into()));
    text += &format!("{}", Secret::new("s3cr3t-bearer"));
    for s in SECRETS {
        assert!(!text.contains(s), "{s} leaked:\n{text}");
    }
    // The envelope's message is kept (it is the server's explanation).
    assert!(errors[0].to_string().contains("CSRF token invalid"));
}

#[test]
fn every_operation_names_its_endpoint() {
    let names = [
        OpenAgentSession::ENDPOINT,
        GetAgentSession::ENDPOINT,
        CloseAgentSession::ENDPOINT,
        GetAvailability::ENDPOINT,
        SetAvailability::ENDPOINT,
        GetAvailableAgents::ENDPOINT,
        GetAvailableSlots::ENDPOINT,
        GetAgentInfo::ENDPOINT,
        GetIncomingRequests::ENDPOINT,
        AcceptNextChat::ENDPOINT,
        GetChatSessions::ENDPOINT,
        GetChats::ENDPOINT,
        GetChat::ENDPOINT,
        GetEvents::ENDPOINT,
        SendLine::ENDPOINT,
        EndChat::ENDPOINT,
        GetChatInfo::ENDPOINT,
        GetVisitorName::ENDPOINT,
        GetVisitorTyping::ENDPOINT,
        GetAgentTyping::ENDPOINT,
        SetAgentTyping::ENDPOINT,
        GetTransferSkills::ENDPOINT,
        TransferChat::ENDPOINT,
        GetGeneric::ENDPOINT,
        GetAgentSurvey::ENDPOINT,
        SubmitAgentSurvey::ENDPOINT,
        GetParticipantInfo::ENDPOINT,
        GetAccount::ENDPOINT,
        GetVisitorAvailability::ENDPOINT,
        GetEstimatedWaitTime::ENDPOINT,
        GetPreChatSurvey::ENDPOINT,
        GetOfflineSurvey::ENDPOINT,
        SubmitOfflineSurvey::ENDPOINT,
        RequestChat::ENDPOINT,
        CreateConversation::ENDPOINT,
        SendVisitorEvent::ENDPOINT,
        SetVisitorName::ENDPOINT,
        SetVisitorTyping::ENDPOINT,
        GetExitSurvey::ENDPOINT,
        SubmitExitSurvey::ENDPOINT,
        RequestTranscript::ENDPOINT,
        SetCustomVariables::ENDPOINT,
        Login::ENDPOINT,
        Refresh::ENDPOINT,
        Logout::ENDPOINT,
        LookupDomain::ENDPOINT,
        LookupAllDomains::ENDPOINT,
        LookupLegacyDomain::ENDPOINT,
    ];
    let all = names.join(" ");
    let mut missing = Vec::new();
    for n in (2..=31)
        .map(|i| format!("A{i}"))
        .chain((1..=19).map(|i| format!("V{i}")))
    {
        let covered = all.split([' ', '/']).any(|p| p == n)
            // A28-A30 share the generic operation; V10, V11, V13 the chat reads.
            || matches!(n.as_str(), "A1" | "V20");
        if !covered {
            missing.push(n);
        }
    }
    for n in ["L1", "L2", "L3", "D1", "D2", "D3"] {
        if !all.split(' ').any(|p| p == n) {
            missing.push(n.to_owned());
        }
    }
    assert!(missing.is_empty(), "no operation for {missing:?}");
}
