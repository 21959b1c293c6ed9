//! Every fault kind, by route pattern, with count and probability, from Rust and HTTP.

mod common;
use common::*;
use lpchat_emulator::{FaultKind, FaultRule};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

async fn setup() -> (lpchat_emulator::Emulator, Api, Agent, String) {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    api.request_chat("Sales", Fmt::Json).await;
    let cid = api.accept(&a).await;
    (emu, api, a, cid)
}

#[tokio::test]
async fn status_codes_with_retry_after_and_count() {
    let (emu, api, a, cid) = setup().await;
    let path = format!("/chat/{cid}/events");
    for (status, retry) in [(500, None), (503, Some(5)), (429, Some(1))] {
        emu.add_fault(
            FaultRule::new(
                "*/events",
                FaultKind::Status {
                    status,
                    retry_after: retry,
                },
            )
            .times(1),
        )
        .unwrap();
        let r = api.agent_get(&a, &path, Fmt::Json).await;
        assert_eq!(r.status, status);
        assert_eq!(r.header("retry-after"), retry.map(|s| s.to_string()));
        assert!(r.json()["error"]["message"].is_string());
        assert_eq!(
            api.agent_get(&a, &path, Fmt::Json).await.status,
            200,
            "count 1 is used up"
        );
    }
    // Method filter: POST only.
    emu.add_fault(
        FaultRule::new(
            "*/events",
            FaultKind::Status {
                status: 500,
                retry_after: None,
            },
        )
        .on_method("POST"),
    )
    .unwrap();
    assert_eq!(api.agent_get(&a, &path, Fmt::Json).await.status, 200);
    assert_eq!(
        api.agent_post(
            &a,
            &path,
            Fmt::Json,
            r#"{"event":{"@type":"line","text":"x"}}"#
        )
        .await
        .status,
        500
    );
    assert_eq!(emu.faults()[0].fired, 1);
    emu.clear_faults();
    emu.shutdown().await;
}

#[tokio::test]
async fn latency_drop_and_truncate() {
    let (emu, api, a, cid) = setup().await;
    let path = format!("/chat/{cid}/events");
    emu.add_fault(FaultRule::new("*/events", FaultKind::Latency { ms: 300 }).times(1))
        .unwrap();
    let t = Instant::now();
    assert_eq!(api.agent_get(&a, &path, Fmt::Json).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    emu.add_fault(FaultRule::new("*/events", FaultKind::Drop).times(1))
        .unwrap();
    let err = api
        .agent_req(&a, Method::GET, &path, Fmt::Json)
        .send()
        .await;
    assert!(err.is_err(), "dropped connection: {err:?}");
    assert_eq!(api.agent_get(&a, &path, Fmt::Json).await.status, 200);

    emu.add_fault(FaultRule::new("*/events", FaultKind::Truncate).times(1))
        .unwrap();
    let resp = api
        .agent_req(&a, Method::GET, &path, Fmt::Json)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let full: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(full > 0);
    assert!(resp.bytes().await.is_err(), "body cut short");
    assert_eq!(api.agent_get(&a, &path, Fmt::Json).await.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn repeated_events_below_from() {
    let (emu, api, a, cid) = setup().await;
    emu.add_fault(FaultRule::new(
        "*/chat*",
        FaultKind::RepeatEvents { count: 2 },
    ))
    .unwrap();
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/events?from=4"), Fmt::Json)
        .await
        .json();
    let ids: Vec<String> = list(&j["events"]["event"])
        .iter()
        .map(|e| e["@id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["2", "3", "4"]);
    assert!(
        link(&j["events"], "next").unwrap().ends_with("from=5"),
        "next is unaffected"
    );
    let j = api
        .agent_get(
            &a,
            &format!("/chat?chatSessionKeys={cid}&fromEventIds=4"),
            Fmt::Json,
        )
        .await
        .json();
    assert_eq!(list(&j["chats"]["chat"][0]["events"]["event"])[0]["id"], 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn faults_over_http_with_probability() {
    let (emu, api, a, cid) = setup().await;
    let r = api.control(Method::POST, "/faults", Some(json!({"route": "*/info", "type": "status", "status": 503, "retryAfter": 2, "probability": 0.5}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_u64().unwrap();
    let mut failed = 0;
    for _ in 0..60 {
        if api
            .agent_get(&a, &format!("/chat/{cid}/info"), Fmt::Json)
            .await
            .status
            == 503
        {
            failed += 1;
        }
    }
    assert!((15..=45).contains(&failed), "{failed}");
    let list = api.control(Method::GET, "/faults", None).await.json();
    assert_eq!(list[0]["fired"], failed);
    assert_eq!(
        api.control(Method::DELETE, &format!("/faults/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        api.control(Method::DELETE, &format!("/faults/{id}"), None)
            .await
            .status,
        404
    );
    let r = api
        .control(
            Method::POST,
            "/faults",
            Some(json!({"route": "*", "type": "explode"})),
        )
        .await;
    assert_eq!(r.status, 400);
    // Control endpoints are never faulted.
    api.control(
        Method::POST,
        "/faults",
        Some(json!({"route": "*", "type": "drop"})),
    )
    .await;
    assert_eq!(api.control(Method::GET, "/state", None).await.status, 200);
    assert_eq!(
        api.control(Method::DELETE, "/faults", None).await.status,
        204
    );
    assert_eq!(
        api.agent_get(&a, "/availability", Fmt::Json).await.status,
        200
    );
    emu.shutdown().await;
}
