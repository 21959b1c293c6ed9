//! The login lifecycle of the agent machine, by script: login, the refresh timer derived
//! from `sessionTTl`, one re-login at a time after 401s, bad credentials, an existing
//! bearer, OAuth-signed API-key requests, logout on close, and no secret in `Debug`.

mod machine_support;

use std::time::{Duration, Instant};

use lpchat_proto::auth::{ApiKey, Credentials, ExistingBearer};
use lpchat_proto::machine::{
    AgentConfig, AgentMachine, Machine, MachineEvent, SessionLostReason, WallClock,
};
use lpchat_proto::ops::BaseUri;
use machine_support::*;

const MIN: Duration = Duration::from_secs(60);

#[test]
fn login_refresh_and_one_relogin_for_two_waiting_requests() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0);
    cfg.availability_interval = Duration::from_secs(10);
    cfg.incoming_interval = Duration::from_secs(2);
    let mut s = Script::new(AgentMachine::new(cfg, t0), t0);

    // L1: user login body, the login version, no Authorization.
    let login = s.expect("POST", "/api/account/1234/login");
    assert_eq!(login.query("v").as_deref(), Some("1.3"));
    assert_eq!(login.json()["username"], "bot");
    assert_eq!(login.json()["password"], "pa55word");
    assert!(login.header("authorization").is_none());
    s.assert_quiet();
    // sessionTTl of 4 minutes: refresh every 2 minutes (half, under the 5-minute cap).
    s.respond(&login, login_ok("240000", "bearer-1"));
    assert_eq!(s.take_events(), [MachineEvent::LoggedIn]);

    let start = s.expect("POST", "/api/account/1234/agentSession");
    assert_eq!(
        start.header("authorization").as_deref(),
        Some("Bearer bearer-1")
    );
    assert_eq!(
        start.header("cookie").as_deref(),
        Some("Session_id=sess-cookie-1")
    );
    assert_eq!(start.query("v").as_deref(), Some("1"));
    assert_eq!(start.query("NC").as_deref(), Some("true"));
    s.respond(&start, session_created());
    let info = s.expect("GET", "/agentSession/777/info");
    s.respond(&info, agent_info("Online"));
    let inc = s.expect("GET", "/agentSession/777/incomingRequests");
    s.respond(&inc, ringing(0));

    // Keep the loops answered until the refresh fires, at exactly 2 minutes.
    let refresh = loop {
        if let Some(r) = s.try_expect("POST", "/api/account/1234/refresh") {
            break r;
        }
        while let Some(r) = s.try_expect("GET", "/incomingRequests") {
            s.respond(&r, ringing(0));
        }
        while let Some(r) = s.try_expect("GET", "/availability") {
            s.respond(&r, availability("Online"));
        }
        s.until_timeout();
    };
    assert_eq!(refresh.at, t0 + 2 * MIN);
    assert_eq!(refresh.json()["csrf"], "csrf-bearer-1");
    assert_eq!(
        refresh.header("cookie").as_deref(),
        Some("Session_id=sess-cookie-1")
    );
    assert!(refresh.header("authorization").is_none());
    s.respond(&refresh, empty(200));
    assert!(s.take_events().contains(&MachineEvent::SessionRenewed));

    let (a, b) = two_in_flight(&mut s);
    s.take_events();

    // The first 401 starts one re-login; the second does not start another.
    s.respond(
        &a,
        json(
            401,
            r#"{"error":{"message":"bearer expired","internalCode":10}}"#,
        ),
    );
    let relogin = s.expect("POST", "/api/account/1234/login");
    s.respond(&b, json(401, ""));
    assert_eq!(s.count("POST", "/login"), 0, "a second re-login");
    // Nothing goes to the agent API while the login is under way.
    s.assert_quiet();
    s.advance(Duration::from_secs(3));
    s.assert_quiet();

    s.respond(&relogin, login_ok("240000", "bearer-2"));
    assert!(s.take_events().contains(&MachineEvent::LoggedIn));
    // Both waiting requests are sent again, once each, with the new bearer.
    let a2 = s.expect("GET", "/incomingRequests");
    let b2 = s.expect("GET", "/availability");
    s.assert_quiet();
    for r in [&a2, &b2] {
        assert_eq!(
            r.header("authorization").as_deref(),
            Some("Bearer bearer-2")
        );
    }
    s.respond(&a2, ringing(0));
    s.respond(&b2, availability("Online"));
    assert_eq!(s.count("POST", "/login"), 0);
    let logins = s
        .log
        .iter()
        .filter(|r| r.path().ends_with("/login"))
        .count();
    assert_eq!(logins, 2);
}

/// Gets two agent requests in flight at once: the incoming poll and the availability read
/// (whichever is sent first is held until the other joins it).
fn two_in_flight(s: &mut Script<AgentMachine>) -> (Req, Req) {
    while s.count("GET", "/incomingRequests") != 1 || s.count("GET", "/availability") != 1 {
        let at = s.timeout.unwrap();
        s.now = at;
        s.drain();
    }
    let a = s.expect("GET", "/incomingRequests");
    let b = s.expect("GET", "/availability");
    (a, b)
}

#[test]
fn a_late_answer_of_the_old_login_does_not_buy_another_relogin() {
    // The Node settings test of `login.maxRelogins` once counted one re-login too many: a
    // request sent before the first 401 was answered 200 while the re-login ran, and reset
    // the count of re-logins in a row.
    let t0 = Instant::now();
    let mut cfg = user_config(t0);
    cfg.availability_interval = Duration::from_secs(10);
    cfg.incoming_interval = Duration::from_secs(2);
    cfg.login.max_relogins = 1;
    let mut s = started(cfg, t0);
    let (a, b) = two_in_flight(&mut s);
    s.respond(&a, json(401, ""));
    let relogin = s.expect("POST", "/login");
    s.respond(&b, availability("Online"));
    s.respond(&relogin, login_ok("28800000", "bearer-2"));
    s.take_events();
    // Every request of the new login is refused too: one re-login was allowed, and it was had.
    let inc = s.wait_for("GET", "/incomingRequests", Duration::from_secs(5));
    assert_eq!(
        inc.header("authorization").as_deref(),
        Some("Bearer bearer-2")
    );
    s.respond(&inc, json(401, ""));
    assert_eq!(s.count("POST", "/login"), 0, "a second re-login");
    let events = s.take_events();
    assert!(
        events.contains(&MachineEvent::SessionLost(SessionLostReason::Unauthorized)),
        "{events:?}"
    );
}

#[test]
fn a_success_of_the_current_login_starts_the_count_again() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0);
    cfg.incoming_interval = Duration::from_secs(2);
    cfg.login.max_relogins = 1;
    let mut s = started(cfg, t0);
    for round in 2..5 {
        let inc = s.wait_for("GET", "/incomingRequests", Duration::from_secs(5));
        s.respond(&inc, json(401, ""));
        let relogin = s.expect("POST", "/login");
        s.respond(&relogin, login_ok("28800000", &format!("bearer-{round}")));
        let inc = s.wait_for("GET", "/incomingRequests", Duration::from_secs(5));
        s.respond(&inc, ringing(0));
    }
    assert!(!s.m.is_closed(), "each re-login was followed by a success");
}

#[test]
fn refresh_interval_is_capped_and_never_zero() {
    for (ttl, want) in [
        ("28800000", 5 * MIN),         // 8 h: the 5-minute cap
        ("240000", 2 * MIN),           // 4 min: half
        ("1", Duration::from_secs(1)), // 1 ms: never below a second
        ("0", 5 * MIN),                // unknown lifetime: the cap
    ] {
        let t0 = Instant::now();
        let mut s = Script::new(AgentMachine::new(user_config(t0), t0), t0);
        let login = s.expect("POST", "/login");
        s.respond(&login, json(200, &login_body(ttl, "b")));
        let start = s.expect("POST", "/agentSession");
        s.respond(&start, session_created());
        let refresh = s.wait_for("POST", "/refresh", 10 * MIN);
        assert_eq!(refresh.at - t0, want, "sessionTTl {ttl}");
    }
}

#[test]
fn a_refused_refresh_logs_in_again() {
    let t0 = Instant::now();
    let mut s = started(user_config(t0), t0);
    let refresh = s.wait_for("POST", "/refresh", 6 * MIN);
    s.respond(
        &refresh,
        json(401, r#"{"error":{"message":"CSRF token invalid!","internalCode":10,"responseStatus":"UNAUTHORIZED"}}"#),
    );
    let login = s.expect("POST", "/login");
    s.respond(&login, login_ok("28800000", "bearer-9"));
    assert!(s.take_events().contains(&MachineEvent::LoggedIn));
    let next = s.wait_for("POST", "/refresh", 6 * MIN);
    assert_eq!(next.json()["csrf"], "csrf-bearer-9");
}

#[test]
fn relogin_with_bad_credentials_loses_the_session() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0);
    cfg.incoming_interval = Duration::from_secs(2);
    let mut s = started(cfg, t0);
    let inc = s.wait_for("GET", "/incomingRequests", Duration::from_secs(5));
    s.respond(&inc, json(401, ""));
    let login = s.expect("POST", "/login");
    s.respond(
        &login,
        json(401, r#"{"error":{"message":"invalid credentials"}}"#),
    );
    let events = s.take_events();
    assert!(
        events.contains(&MachineEvent::SessionLost(
            SessionLostReason::BadCredentials {
                status: http::StatusCode::UNAUTHORIZED
            }
        )),
        "{events:?}"
    );
    assert!(s.m.is_closed());
    s.advance(10 * MIN);
    s.assert_quiet();
}

#[test]
fn initial_login_4xx_is_bad_credentials_and_5xx_is_retried() {
    let t0 = Instant::now();
    let mut s = Script::new(AgentMachine::new(user_config(t0), t0), t0);
    let login = s.expect("POST", "/login");
    s.respond(&login, json(503, ""));
    let again = s.wait_for("POST", "/login", Duration::from_secs(6));
    assert!(again.at - t0 >= Duration::from_millis(4500));
    s.respond(&again, json(400, r#"{"error":{"message":"bad request"}}"#));
    assert!(matches!(
        s.take_events().as_slice(),
        [MachineEvent::SessionLost(
            SessionLostReason::BadCredentials { .. }
        )]
    ));
}

#[test]
fn an_existing_bearer_does_not_log_in_and_cannot_recover_from_401() {
    let t0 = Instant::now();
    let mut cfg = AgentConfig::new(
        BaseUri::new(HOST, ACCOUNT),
        Credentials::Bearer(ExistingBearer::new("given-bearer")),
        WallClock::new(t0, UNIX0),
    )
    .with_initial_availability(None);
    cfg.availability_interval = Duration::from_secs(3600);
    let mut s = Script::new(AgentMachine::new(cfg, t0), t0);
    assert_eq!(s.take_events(), [MachineEvent::LoggedIn]);
    let start = s.expect("POST", "/agentSession");
    assert_eq!(
        start.header("authorization").as_deref(),
        Some("Bearer given-bearer")
    );
    s.respond(&start, session_created());
    let inc = s.expect("GET", "/incomingRequests");
    s.respond(&inc, json(401, ""));
    assert!(s
        .take_events()
        .contains(&MachineEvent::SessionLost(SessionLostReason::Unauthorized)));
    s.advance(MIN);
    assert_eq!(s.count("POST", "/login"), 0);
    assert!(s.m.is_closed());
}

#[test]
fn api_key_requests_are_oauth_signed_with_fresh_nonces() {
    let t0 = Instant::now();
    let mut cfg = AgentConfig::new(
        BaseUri::new(HOST, ACCOUNT),
        Credentials::ApiKey {
            username: "bot".into(),
            key: ApiKey::new("app-key-1", "app-secret-2", "token-3", "token-secret-4"),
        },
        WallClock::new(t0, UNIX0),
    )
    .with_seed(99)
    .with_initial_availability(None);
    cfg.incoming_interval = Duration::from_secs(2);
    let mut s = Script::new(AgentMachine::new(cfg, t0), t0);
    let login = s.expect("POST", "/login");
    assert_eq!(login.json()["appKey"], "app-key-1");
    // The login body in flight holds the whole key; the machine's Debug shows none of it.
    let d = format!("{:?}", s.m);
    for secret in ["app-key-1", "app-secret-2", "token-3", "token-secret-4"] {
        assert!(!d.contains(secret), "{secret} in {d}");
    }
    assert_eq!(login.json()["accessTokenSecret"], "token-secret-4");
    s.respond(&login, login_ok("28800000", "bearer-k"));
    let start = s.expect("POST", "/agentSession");
    let auth = start.header("authorization").unwrap();
    assert!(auth.starts_with("OAuth "), "{auth}");
    assert!(auth.contains("oauth_consumer_key=\"app-key-1\""), "{auth}");
    assert!(
        auth.contains(&format!("oauth_timestamp=\"{UNIX0}\"")),
        "{auth}"
    );
    s.respond(&start, session_created());
    s.advance(Duration::from_secs(3));
    let mut nonces = Vec::new();
    for r in s.outstanding.clone() {
        let auth = r.header("authorization").unwrap();
        assert!(
            auth.contains(&format!("oauth_timestamp=\"{}\"", UNIX0 + 3))
                || auth.contains(&format!("oauth_timestamp=\"{UNIX0}\"")),
            "{auth}"
        );
        let nonce = auth
            .split("oauth_nonce=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        nonces.push(nonce);
    }
    let mut all = vec![nonce_of(&start)];
    all.extend(nonces);
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "nonces repeat");
    assert!(n >= 2);
}

fn nonce_of(r: &Req) -> String {
    let auth = r.header("authorization").unwrap();
    auth.split("oauth_nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn close_ends_the_session_then_logs_out() {
    let t0 = Instant::now();
    let mut s = started(user_config(t0), t0);
    s.m.close();
    s.drain();
    let end = s.expect("DELETE", "/agentSession/777");
    assert_eq!(end.method, http::Method::POST, "tunnelled");
    s.assert_quiet();
    s.respond(&end, empty(200));
    let logout = s.expect("POST", "/api/account/1234/logout");
    assert_eq!(logout.json()["csrf"], "csrf-bearer-1");
    assert_eq!(
        logout.header("cookie").as_deref(),
        Some("Session_id=sess-cookie-1")
    );
    s.respond(&logout, empty(200));
    assert_eq!(s.take_events(), [MachineEvent::Closed]);
    assert!(s.m.is_closed());
    s.advance(10 * MIN);
    s.assert_quiet();
}

#[test]
fn debug_shows_no_secret() {
    let t0 = Instant::now();
    let s = started(user_config(t0), t0);
    let d = format!("{:?}", s.m);
    for secret in ["pa55word", "bearer-1", "csrf-bearer-1", "sess-cookie-1"] {
        assert!(!d.contains(secret), "{secret} in {d}");
    }
    let events = format!("{:?}", s.events);
    assert!(!events.contains("bearer-1"));
}
