//! What a documented LivePerson client does, with a plain HTTP client and no lpchat code:
//! the Domain API lookup at both documented paths, `scheme://` + `baseURI` for every later
//! call, login, agent session with the session URL read as the first value of the
//! `location` link, availability, incoming requests, accept, events, a line and the end;
//! the visitor side through the engagement step. Over plain HTTP, and over `--tls` with
//! the certificate the binary printed as the only trust root.

mod common;
use common::*;
use reqwest::Client;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const ACCOUNT: &str = "12345678";

/// The first value of a link object, as clients that do `Object.values(link)[0]` read it.
fn first_value_of_link(text: &str, root: &str) -> String {
    let n = Node::parse(text);
    let link = n
        .get(root)
        .and_then(|r| r.get("link"))
        .unwrap_or_else(|| panic!("{root}.link in {text}"));
    link.first_value()
        .unwrap_or_else(|| panic!("first value of {root}.link in {text}"))
}

async fn get_json(http: &Client, url: &str, auth: &str) -> Value {
    let r = send(
        http.get(url)
            .header("authorization", auth)
            .header("accept", "application/json"),
    )
    .await;
    assert_eq!(r.status, 200, "GET {url}: {}", r.text);
    r.json()
}

async fn post(http: &Client, url: &str, auth: &str, body: &str, put: bool) -> Resp {
    let mut rb = http
        .post(url)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_owned());
    if put {
        rb = rb.header("x-http-method-override", "PUT");
    }
    send(rb).await
}

/// Adds `.json` to the last path segment, as the sample app and the browser SDK do.
fn json_suffix(url: &str) -> String {
    match url.split_once('?') {
        Some((path, q)) => format!("{path}.json?{q}"),
        None => format!("{url}.json"),
    }
}

/// Event texts of an events page, and its `next` link.
fn page(events: &Value) -> (Vec<(String, String)>, String) {
    let items = list(&events["event"])
        .iter()
        .map(|e| {
            let kind = f(e, "type").as_str().unwrap_or_default().to_owned();
            let what = match kind.as_str() {
                "state" => e["state"].as_str().unwrap_or_default().to_owned(),
                _ => e["text"].as_str().unwrap_or_default().to_owned(),
            };
            (kind, what)
        })
        .collect();
    (items, link(events, "next").expect("next link"))
}

async fn documented_flow(http: Client, origin: &str, scheme: &str) {
    // Domain API: the CSDS path the sample agent app uses, and the api.liveperson.net path.
    let csds = format!("{origin}/csdr/account/{ACCOUNT}/service/agentVep/baseURI.json?version=1.0");
    let agent_vep = get_json(&http, &csds, "")
        .await
        .get("baseURI")
        .and_then(Value::as_str)
        .expect("baseURI")
        .to_owned();
    let d1 = |svc: &str| {
        format!("{origin}/api/account/{ACCOUNT}/service/{svc}/baseURI.json?version=1.0")
    };
    let conversation_vep = get_json(&http, &d1("conversationVep"), "").await["baseURI"]
        .as_str()
        .unwrap()
        .to_owned();
    let smt = get_json(&http, &d1("smt"), "").await["baseURI"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent_base = format!("{scheme}://{agent_vep}/api/account/{ACCOUNT}");
    let visitor_base = format!("{scheme}://{conversation_vep}/api/account/{ACCOUNT}");
    let smt_base = format!("{scheme}://{smt}/api/account/{ACCOUNT}");

    // Login, then the agent session; its URL is the first value of the location link.
    let r = post(
        &http,
        &format!("{agent_base}/login?v=1.3"),
        "",
        r#"{"username":"agent1","password":"password"}"#,
        false,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let bearer = format!("Bearer {}", r.json()["bearer"].as_str().unwrap());
    let r = post(
        &http,
        &format!("{agent_base}/agentSession.json?v=1&NC=true"),
        &bearer,
        r#"{"loginData":""}"#,
        false,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let session = first_value_of_link(&r.text, "agentSessionLocation");
    assert!(
        session.starts_with(&format!("{agent_base}/agentSession/")),
        "{session}"
    );
    let session_id = session.rsplit('/').next().unwrap();
    assert!(
        session_id.chars().all(|c| c.is_ascii_digit()),
        "{session_id}"
    );

    let r = post(
        &http,
        &format!("{session}/availability.json?v=1&NC=true"),
        &bearer,
        r#"{"availability":{"chat":"Online"}}"#,
        true,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Visitor: the engagement step (smt), then the chat request with its ids.
    let app_key = format!("LivePerson appKey={KEY}");
    let r = post(
        &http,
        &format!("{smt_base}/app/engagement/visitors/?v=1.0"),
        &app_key,
        r#"{"appType":"EXTERNAL","consumerSections":["Sales"]}"#,
        false,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let eng = r.json();
    assert_eq!(eng["status"], "Available", "{eng}");
    let vid = eng["visitorId"].as_str().unwrap().to_owned();
    let sid = eng["sessionId"].as_str().unwrap().to_owned();
    let d = &eng["engagementDetails"];
    let request = serde_json::json!({"request": {
        "skill": d["skillName"], "LETagVisitorId": vid, "LETagSessionId": sid,
        "LETagContextId": d["contextId"], "engagementId": d["engagementId"],
        "campaignId": d["campaignId"]}});
    let r = post(
        &http,
        &format!("{visitor_base}/chat/request.json?v=1&NC=true"),
        &app_key,
        &request.to_string(),
        false,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let visitor_chat = r.header("location").expect("Location");
    assert!(visitor_chat.starts_with(&format!("{visitor_base}/chat/")));

    // Agent: ringing, accept through the link's first value, then the chat.
    let r = send(
        http.get(format!("{session}/incomingRequests.json?v=1&NC=true"))
            .header("authorization", &bearer)
            .header("accept", "application/json"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["incomingRequests"]["ringingCount"],
        "1",
        "{}",
        r.text
    );
    let accept = first_value_of_link(&r.text, "incomingRequests");
    let r = post(
        &http,
        &json_suffix(&format!("{accept}?v=1&NC=true")),
        &bearer,
        "{}",
        false,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let chat = first_value_of_link(&r.text, "chatLocation");
    assert!(chat.starts_with(&format!("{session}/chat/")), "{chat}");
    let chat_id = chat.rsplit('/').next().unwrap();
    assert!(visitor_chat.ends_with(chat_id));

    let c = get_json(&http, &json_suffix(&format!("{chat}?v=1&NC=true")), &bearer).await;
    let (events, mut next) = page(&c["chat"]["events"]);
    assert_eq!(events.first().map(|e| e.1.as_str()), Some("waiting"));
    assert!(events.iter().any(|e| e.1 == "chatting"), "{events:?}");

    // The visitor says a line; the agent sees it through its `next` link and answers.
    let r = post(
        &http,
        &format!("{visitor_chat}/events.json?v=1&NC=true"),
        &app_key,
        r#"{"event":{"@type":"line","text":"hello from the visitor"}}"#,
        false,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let next_events = next.replace("/events?", "/events.json?");
    let e = get_json(&http, &format!("{next_events}&v=1&NC=true"), &bearer).await;
    let (events, n) = page(&e["events"]);
    next = n;
    assert!(
        events.iter().any(|e| e.1 == "hello from the visitor"),
        "{events:?}"
    );
    let r = post(
        &http,
        &format!("{chat}/events.json?v=1&NC=true"),
        &bearer,
        r#"{"event":{"@type":"line","text":"hello from the agent","textType":"plain"}}"#,
        false,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        first_value_of_link(&r.text, "chatEventLocation").starts_with(&format!("{chat}/events/"))
    );

    // The end, seen by both sides.
    let r = post(
        &http,
        &format!("{chat}/events.json?v=1&NC=true"),
        &bearer,
        r#"{"event":{"@type":"state","state":"ended"}}"#,
        false,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = get_json(
        &http,
        &format!("{}&v=1&NC=true", next.replace("/events?", "/events.json?")),
        &bearer,
    )
    .await;
    let (events, _) = page(&e["events"]);
    assert!(
        events
            .iter()
            .any(|e| e == &("state".into(), "ended".into())),
        "{events:?}"
    );
    let v = get_json(
        &http,
        &format!("{visitor_chat}/events.json?v=1&NC=true"),
        &app_key,
    )
    .await;
    let (events, _) = page(&v["events"]);
    assert!(
        events.iter().any(|e| e.1 == "hello from the agent"),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e.1 == "ended"), "{events:?}");

    // Visit Information for that visitor, as an agent reads it.
    let v = get_json(
        &http,
        &format!(
            "{smt_base}/monitoring/visitors/{vid}/visits/current/state?v=1&filter=agent&sid={sid}"
        ),
        &bearer,
    )
    .await;
    assert_eq!(v["id"], sid.as_str());
}

#[tokio::test]
async fn documented_client_over_http() {
    let emu = start_default().await;
    documented_flow(client(), &emu.base_url(), "http").await;
    emu.shutdown().await;
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with `--tls`: the banner's URL is `https://`, the certificate it printed is
/// the only root the client trusts, and a client that trusts nothing extra is refused.
#[tokio::test]
async fn documented_client_over_tls_trusting_the_printed_certificate() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_lpchat-emulator"))
            .args(["--port", "0", "--tls"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let base = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("lpchat-emulator listening on ")
        .unwrap()
        .to_owned();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem_path = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("TLS certificate (PEM) ")
        .expect("the certificate path is printed second")
        .to_owned();
    let pem = std::fs::read(&pem_path).unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = reqwest::Certificate::from_pem(&pem).unwrap();
    let http = Client::builder()
        .no_proxy()
        .tls_certs_only([cert])
        .build()
        .unwrap();

    // Without the certificate the handshake fails: the server really is self-signed.
    let untrusting = Client::builder()
        .no_proxy()
        .tls_certs_only([])
        .build()
        .unwrap();
    let refused = untrusting
        .get(format!("{base}/_emulator/state"))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a client without the root must be refused"
    );
    // Nor is plain HTTP answered on the TLS port.
    let plain = client()
        .get(format!(
            "{}/_emulator/state",
            base.replacen("https", "http", 1)
        ))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));

    documented_flow(http, &base, "https").await;
}

/// The library form: `EmulatorConfig::tls` gives the same, and `Emulator::cert_pem` is the
/// PEM of the file at `Emulator::cert_path`, which shutdown removes.
#[tokio::test]
async fn library_tls_exposes_the_certificate() {
    let emu = start(lpchat_emulator::EmulatorConfig {
        tls: true,
        ..Default::default()
    })
    .await;
    let path = emu.cert_path().unwrap().to_owned();
    let pem = emu.cert_pem().unwrap().to_owned();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
    assert!(emu.banner().contains(&path.display().to_string()));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    // Links are https:// too.
    let r = send(
        http.post(format!("{}/login?v=1.3", emu.account_url()))
            .header("content-type", "application/json")
            .body(r#"{"username":"agent1","password":"password"}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let bearer = r.json()["bearer"].as_str().unwrap().to_owned();
    let r = send(
        http.post(format!("{}/agentSession?v=1&NC=true", emu.account_url()))
            .header("authorization", format!("Bearer {bearer}"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(r#"{"loginData":""}"#),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(first_value_of_link(&r.text, "agentSessionLocation").starts_with("https://127.0.0.1:"));
    emu.shutdown().await;
    assert!(!path.exists(), "the PEM file is removed at shutdown");
}
