//! Bad requests get a 4xx with an error body; the server keeps serving.

mod common;
use common::*;
use reqwest::Method;

#[tokio::test]
async fn burst_of_malformed_requests_then_a_valid_flow() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    let chat_url = api.request_chat("Sales", Fmt::Json).await;
    let cid = api.accept(&a).await;
    let events = format!("/chat/{cid}/events");
    let huge = "x".repeat(100 * 1024);
    let bodies: Vec<(Fmt, String)> = vec![
        (Fmt::Json, "{".into()),
        (Fmt::Json, "null".into()),
        (Fmt::Json, "[1,2,3]".into()),
        (Fmt::Json, r#"{"event":"line"}"#.into()),
        (
            Fmt::Json,
            r#"{"event":{"@type":"line","textType":"video"}}"#.into(),
        ),
        (
            Fmt::Json,
            r#"{"event":{"@type":"state","state":"chatting"}}"#.into(),
        ),
        (Fmt::Json, r#"{"event":{"@type":"teleport"}}"#.into()),
        (Fmt::Json, "[".repeat(10_000)),
        (
            Fmt::Xml,
            "<event type=\"line\"><text>unclosed</event>".into(),
        ),
        (
            Fmt::Xml,
            "<event type='line'><text>&nope;</text></event>".into(),
        ),
        (Fmt::Xml, "<".into()),
        (
            Fmt::Xml,
            format!("{}{}", "<a>".repeat(5000), "</a>".repeat(5000)),
        ),
        (Fmt::Xml, "\u{0}\u{1}garbage".into()),
        (
            Fmt::Json,
            format!(r#"{{"event":{{"@type":"line","text":"{huge}"}}}}"#),
        ),
    ];
    for (fmt, body) in &bodies {
        let r = api.agent_post(&a, &events, *fmt, body).await;
        assert!(
            (400..500).contains(&r.status),
            "{} for {:.60}",
            r.status,
            body
        );
        assert!(
            r.text.contains("error"),
            "error body for {body:.60}: {}",
            r.text
        );
        let r = send(
            api.visitor_req(Method::POST, &format!("{chat_url}/events"), *fmt)
                .body(body.clone()),
        )
        .await;
        assert!(
            (400..500).contains(&r.status),
            "visitor {} for {:.60}",
            r.status,
            body
        );
    }
    let r = api
        .agent_post(
            &a,
            &events,
            Fmt::Json,
            &format!(r#"{{"event":{{"@type":"line","text":"{huge}"}}}}"#),
        )
        .await;
    assert_eq!(r.status, 413);
    // Unknown things.
    let unknown = [
        "/chat/H0-0K0/events".to_owned(),
        format!("/chat/{cid}/nothing"),
        "/nothing".to_owned(),
        format!("/chat/{cid}/events?from=abc"),
        "/chat?fromEventIds=1".to_owned(),
        format!("/chat?chatSessionKeys={cid}&fromEventIds=x"),
        "/chat/availableSlots?skill=Nope".to_owned(),
        "/availableAgents?chatState=Sleepy".to_owned(),
    ];
    for p in &unknown {
        let r = api.agent_get(&a, p, Fmt::Json).await;
        assert!((400..500).contains(&r.status), "{p}: {}", r.status);
        assert!(r.json()["error"]["message"].is_string());
    }
    let mut ghost = a.clone();
    ghost.session = "123".into();
    assert_eq!(
        api.agent_get(&ghost, "/availability", Fmt::Xml)
            .await
            .status,
        404
    );
    for (m, url) in [
        (Method::GET, format!("{}/chat/H1-2K3", api.acct)),
        (Method::DELETE, format!("{chat_url}/events")),
        (Method::PATCH, format!("{}/chat/request", api.acct)),
        (Method::GET, format!("{}/../../etc/passwd", api.acct)),
        (
            Method::GET,
            format!("{}/api/account/%FF%FE/chat", emu.base_url()),
        ),
    ] {
        let r = send(api.visitor_req(m.clone(), &url, Fmt::Xml)).await;
        assert!((400..500).contains(&r.status), "{m} {url}: {}", r.status);
    }
    for body in [
        "{}",
        r#"{"request":{"skill":"Nope"}}"#,
        r#"{"request":{"skillId":"x"}}"#,
        r#"{"request":{"agent":"ghost"}}"#,
    ] {
        let r = send(
            api.visitor_req(
                Method::POST,
                &format!("{}/chat/request", api.acct),
                Fmt::Json,
            )
            .body(body),
        )
        .await;
        assert_eq!(r.status, 400, "{body}");
    }
    let r = send(
        api.http
            .post(format!("{}/login", api.acct))
            .header("content-type", "application/xml")
            .body("<x"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text.starts_with("{\"error\""),
        "login errors are JSON: {}",
        r.text
    );
    let r = send(
        api.http
            .post(format!("{}/login", api.acct))
            .body(huge.repeat(2)),
    )
    .await;
    assert_eq!(r.status, 413);

    // Control API: bad bodies and absurd scenarios are refused.
    for body in [
        serde_json::json!({"visitors": 100_000}),
        serde_json::json!({"visitors": "many"}),
        serde_json::json!("x"),
    ] {
        assert_eq!(
            api.control(Method::POST, "/visitors", Some(body))
                .await
                .status,
            400
        );
    }
    assert_eq!(
        api.control(
            Method::PATCH,
            "/quirks",
            Some(serde_json::json!({"numbers": {"x": "roman"}}))
        )
        .await
        .status,
        400
    );

    // Still serving: the existing chat works and a new flow completes.
    let r = api
        .agent_post(
            &a,
            &events,
            Fmt::Json,
            r#"{"event":{"@type":"line","text":"still here"}}"#,
        )
        .await;
    assert_eq!(r.status, 201);
    let chat2 = api.request_chat("Sales", Fmt::Xml).await;
    let c2 = api.accept(&a).await;
    assert!(chat2.ends_with(&c2));
    assert_eq!(api.visitor_line(&chat2, "ok", Fmt::Xml).await.status, 201);
    let t = emu.transcript(&cid).unwrap();
    assert_eq!(t.events.len(), 6, "no malformed request changed the chat");
    emu.shutdown().await;
}
