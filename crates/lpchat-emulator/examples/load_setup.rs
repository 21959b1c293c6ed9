//! Prepares a running emulator for the load benchmark (`benches/load.sh`): logs `agent1`
//! in, opens an agent session, has a visitor request a Sales chat, accepts it and adds a
//! few lines, then prints the events-poll URL and the `Authorization` header for `wrk`.
//!
//! ```text
//! cargo run --example load_setup -- http://127.0.0.1:18765
//! ```

use serde_json::Value;

const KEY: &str = "721c180b09eb463d9f3191c41762bb68";

async fn post(c: &reqwest::Client, url: &str, auth: &str, body: &str) -> reqwest::Response {
    c.post(url)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request")
}

fn href(v: &Value) -> String {
    v["link"]["@href"].as_str().expect("href").to_owned()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:18765".into());
    let acct = format!("{base}/api/account/12345678");
    // Needed when the workspace build gives reqwest lpchat's `rustls-no-provider` feature.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let c = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let login: Value = post(
        &c,
        &format!("{acct}/login"),
        "",
        r#"{"username":"agent1","password":"password"}"#,
    )
    .await
    .json_value()
    .await;
    let bearer = format!("Bearer {}", login["bearer"].as_str().expect("bearer"));
    let s: Value = post(
        &c,
        &format!("{acct}/agentSession.json"),
        &bearer,
        r#"{"loginData":""}"#,
    )
    .await
    .json_value()
    .await;
    let session = href(&s["agentSessionLocation"]);
    let r = post(
        &c,
        &format!("{acct}/chat/request.json"),
        &format!("LivePerson appKey={KEY}"),
        r#"{"request":{"skill":"Sales"}}"#,
    )
    .await;
    assert_eq!(r.status(), 200, "chat request");
    let a: Value = post(
        &c,
        &format!("{session}/incomingRequests.json"),
        &bearer,
        "{}",
    )
    .await
    .json_value()
    .await;
    let chat = href(&a["chatLocation"]);
    for i in 0..4 {
        let body = format!(
            r#"{{"event":{{"@type":"line","text":"line {i} of the load benchmark chat"}}}}"#
        );
        post(&c, &format!("{chat}/events.json"), &bearer, &body).await;
    }
    println!("URL={chat}/events.json?v=1&NC=true&from=0");
    println!("AUTH={bearer}");
}

trait JsonValue {
    async fn json_value(self) -> Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> Value {
        let text = self.text().await.expect("body");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}
