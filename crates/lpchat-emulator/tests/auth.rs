//! Every authentication failure, and the signed (OAuth 1.0) path that succeeds.

mod common;
use common::*;
use lpchat_emulator::auth;
use lpchat_emulator::{EmulatorConfig, World};
use reqwest::Method;
use std::time::{SystemTime, UNIX_EPOCH};

const APP_KEY: &str = "emulatorbotappkey0000000000000001";
const SECRET: &str = "emulatorbotsecret01";
const TOKEN: &str = "emulatorbotaccesstoken00000000001";
const TOKEN_SECRET: &str = "emulatorbottokensecret01";

/// An `Authorization: OAuth …` header for `method url` signed with `secret`.
fn oauth_header(method: &str, url: &str, secret: &str, nonce: &str) -> String {
    let parsed = reqwest::Url::parse(url).unwrap();
    let host = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap());
    let query: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let oauth = vec![
        ("oauth_consumer_key".to_owned(), APP_KEY.to_owned()),
        ("oauth_nonce".to_owned(), nonce.to_owned()),
        ("oauth_signature_method".to_owned(), "HMAC-SHA1".to_owned()),
        ("oauth_timestamp".to_owned(), ts.clone()),
        ("oauth_token".to_owned(), TOKEN.to_owned()),
        ("oauth_version".to_owned(), "1.0".to_owned()),
    ];
    let base = auth::base_string(
        method,
        &auth::base_url("http", &host, parsed.path()),
        &query,
        &oauth,
    );
    let sig = auth::sign(&base, secret, TOKEN_SECRET);
    format!(
        r#"OAuth oauth_signature="{}", oauth_version="1.0", oauth_nonce="{nonce}", oauth_consumer_key="{APP_KEY}", oauth_signature_method="HMAC-SHA1", oauth_token="{TOKEN}", oauth_timestamp="{ts}""#,
        auth::encode(&sig)
    )
}

#[tokio::test]
async fn bad_password_and_bad_app_key_login() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    for body in [
        r#"{"username":"agent1","password":"nope"}"#,
        r#"{"username":"nobody","password":"password"}"#,
        r#"{"username":"bot","appKey":"emulatorbotappkey0000000000000001","secret":"wrong","accessToken":"x","accessTokenSecret":"y"}"#,
    ] {
        let r = send(
            api.http
                .post(format!("{}/login?v=1.3", api.acct))
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_eq!(r.status, 401, "{body}");
        assert_eq!(r.json()["error"]["responseStatus"], "UNAUTHORIZED");
    }
    let r = send(
        api.http
            .post(format!("{}/login", api.acct))
            .header("content-type", "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!(r.status, 400);
    // Application login with the documented keys works.
    let body = format!(
        r#"{{"username":"bot","appKey":"{APP_KEY}","secret":"{SECRET}","accessToken":"{TOKEN}","accessTokenSecret":"{TOKEN_SECRET}"}}"#
    );
    let r = send(
        api.http
            .post(format!("{}/login", api.acct))
            .header("content-type", "application/json")
            .body(body),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["sessionTTl"], "28800000");
    emu.shutdown().await;
}

#[tokio::test]
async fn signed_requests_and_bad_signatures() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let url = format!("{}/agentSession.json?v=1&NC=true", api.acct);
    let r = send(
        api.http
            .post(&url)
            .header("authorization", oauth_header("POST", &url, SECRET, "n1"))
            .header("content-type", "application/json")
            .body(r#"{"loginData":""}"#),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.cookie("LPAgentSession").is_none(),
        "signed sessions get no cookie"
    );
    let session = link(&r.json()["agentSessionLocation"], "location").unwrap();
    // A signed GET with query parameters in the base string.
    let url = format!("{session}/availability.json?v=1&NC=true");
    let r = send(
        api.http
            .get(&url)
            .header("authorization", oauth_header("GET", &url, SECRET, "n2")),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Replayed nonce.
    let h = oauth_header("GET", &url, SECRET, "n3");
    assert_eq!(
        send(api.http.get(&url).header("authorization", h.clone()))
            .await
            .status,
        200
    );
    let r = send(api.http.get(&url).header("authorization", h)).await;
    assert_eq!(
        (r.status, r.text.starts_with("oauth_problem=nonce_used")),
        (401, true),
        "{}",
        r.text
    );
    // Wrong secret -> signature_invalid, as a plain OAuth problem string.
    let r = send(
        api.http
            .get(&url)
            .header("authorization", oauth_header("GET", &url, "wrong", "n4")),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.text,
        "oauth_problem=signature_invalid&oauth_problem_advice=the oauth_signature is invalid"
    );
    // Signed for another URL (query changed after signing).
    let h = oauth_header("GET", &url, SECRET, "n5");
    let r = send(
        api.http
            .get(format!("{url}&x=1"))
            .header("authorization", h),
    )
    .await;
    assert!(r.text.contains("signature_invalid"));
    // Unknown token.
    let r = send(api.http.get(&url).header(
        "authorization",
        oauth_header("GET", &url, SECRET, "n6").replace(TOKEN, "other"),
    ))
    .await;
    assert!(r.text.contains("token_rejected"), "{}", r.text);
    emu.shutdown().await;
}

#[tokio::test]
async fn expired_bearer_and_refresh() {
    // sessionTTl 60 s emulated at factor 100 = 0.6 s real.
    let world = World {
        session_ttl_ms: 60_000,
        chat_timeout_s: 1_000_000,
        ..World::default()
    };
    let emu = start(EmulatorConfig {
        world,
        time_factor: 100.0,
        agent_idle_timeout_s: 1e6,
        ..EmulatorConfig::default()
    })
    .await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    // Refreshing keeps it alive past the TTL.
    for _ in 0..4 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let r = send(
            api.http
                .post(format!("{}/refresh", api.acct))
                .header("cookie", a.login_cookie.clone())
                .header("content-type", "application/json")
                .body(format!(r#"{{"csrf":"{}"}}"#, a.csrf)),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        api.agent_get(&a, "/availability", Fmt::Json).await.status,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let r = api.agent_get(&a, "/availability", Fmt::Json).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["message"], "Bearer token expired");
    emu.shutdown().await;
}

#[tokio::test]
async fn wrong_csrf_missing_cookies_bad_app_key() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let mut a = api.agent("agent1").await;
    let post = |cookie: Option<String>, csrf: &str| {
        let mut rb = api
            .http
            .post(format!("{}/refresh", api.acct))
            .header("content-type", "application/json");
        if let Some(c) = cookie {
            rb = rb.header("cookie", c);
        }
        send(rb.body(format!(r#"{{"csrf":"{csrf}"}}"#)))
    };
    let r = post(Some(a.login_cookie.clone()), "wrong").await;
    assert_eq!(r.status, 401);
    let err = &r.json()["error"];
    assert_eq!(
        err["message"],
        "CSRF token invalid! The CSRF token on request does not match the CSRF token on the session"
    );
    assert_eq!(err["internalCode"], 10);
    assert_eq!(err["responseStatus"], "UNAUTHORIZED");
    assert!(err["time"].as_str().unwrap().contains(", 20"));
    let r = post(None, &a.csrf).await;
    assert_eq!(r.status, 401);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Session_id"));

    // Missing Authorization / bad bearer.
    let r = send(api.http.get(format!(
        "{}/agentSession/{}/availability",
        api.acct, a.session
    )))
    .await;
    assert_eq!(r.status, 401);
    assert!(r
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("xml"));
    let mut bad = a.clone();
    bad.bearer = "0".repeat(64);
    assert_eq!(
        api.agent_get(&bad, "/availability", Fmt::Json).await.status,
        401
    );

    // Per-agent-session cookie, required by a switch.
    emu.update_quirks(|q| q.require_session_cookie = true);
    assert_eq!(
        api.agent_get(&a, "/availability", Fmt::Json).await.status,
        200
    );
    let mut no_cookie = a.clone();
    no_cookie.session_cookie = "other=1".into();
    let r = api.agent_get(&no_cookie, "/availability", Fmt::Json).await;
    assert_eq!(r.status, 401);
    // Each agent session has its own cookie: the first session's cookie does not open a second.
    let first_cookie = a.session_cookie.clone();
    api.new_session(&mut a).await;
    assert_ne!(first_cookie, a.session_cookie);
    let mut mixed = a.clone();
    mixed.session_cookie = first_cookie;
    assert_eq!(
        api.agent_get(&mixed, "/availability", Fmt::Json)
            .await
            .status,
        401
    );
    assert_eq!(
        api.agent_get(&a, "/availability", Fmt::Json).await.status,
        200
    );

    // Visitor: wrong or missing app key.
    let url = format!("{}/chat/availability?skill=Sales", api.acct);
    let r = send(
        api.http
            .get(&url)
            .header("authorization", "LivePerson appKey=nope")
            .header("accept", "application/json"),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["internalCode"], 10);
    assert_eq!(send(api.http.get(&url)).await.status, 401);
    let r = send(api.visitor_req(Method::GET, &url, Fmt::Json)).await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;
}
