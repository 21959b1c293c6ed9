//! The visitor flow over HTTP in JSON and XML, and scripted visitors.

mod common;
use common::*;
use lpchat_emulator::{EmulatorConfig, Scenario};
use reqwest::Method;

async fn visitor_flow(fmt: Fmt) {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let get = |url: String| send(api.visitor_req(Method::GET, &url, fmt));

    // V1 base resource with the documented rels.
    let r = get(format!("{}?v=1", api.acct)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("chat-request") && r.text.contains("prechat-survey"));
    // V2-V4 before any agent is online.
    let r = get(format!("{}/chat/availability?skill=Sales", api.acct)).await;
    assert!(r.text.contains("false"), "{}", r.text);
    let r = get(format!("{}/chat/estimatedWaitTime?skill=Sales", api.acct)).await;
    assert!(r.text.contains("-1"), "{}", r.text);
    let a = api.agent("agent2").await;
    let r = get(format!(
        "{}/chat/availability?skill=Sales&maxWaitTime=0",
        api.acct
    ))
    .await;
    assert!(r.text.contains("true"));
    let r = get(format!("{}/chat/availableSlots?skill=Sales", api.acct)).await;
    match fmt {
        Fmt::Json => assert_eq!(r.json()["availableSlots"], 3),
        Fmt::Xml => assert!(
            r.text.ends_with("<availableSlots>3</availableSlots>"),
            "{}",
            r.text
        ),
    }
    // V5 pre-chat survey: unprefixed attribute keys.
    let r = get(format!("{}/chat/preSurvey", api.acct)).await;
    match fmt {
        Fmt::Json => {
            let s = &r.json()["survey"];
            assert_eq!(s["id"], "40216");
            assert_eq!(s["questions"]["question"][0]["mandatory"], "true");
        }
        Fmt::Xml => assert!(r.text.contains(r#"<survey id="40216">"#)),
    }

    // V8 request: chat URL in Location.
    let chat_url = api.request_chat("Sales", fmt).await;
    assert_eq!(api.ringing(&a).await, 1);
    // V10: the chat with its next link; poll by next.
    let r = get(chat_url.clone()).await;
    let next = match fmt {
        Fmt::Json => {
            let chat = &r.json()["chat"];
            assert_eq!(chat["info"]["state"], "waiting");
            assert!(link(chat, "exit-survey").is_some());
            link(chat, "next").unwrap()
        }
        Fmt::Xml => xml_link(&r.text, "next").unwrap(),
    };
    assert!(next.ends_with("?from=3"));
    let cid = api.accept(&a).await;
    assert!(chat_url.ends_with(&cid));
    let r = get(next).await;
    match fmt {
        Fmt::Json => {
            let ev = list(&r.json()["chat"]["events"]["event"]);
            assert_eq!(ev[0]["state"], "chatting");
            assert_eq!(ev[1]["text"], "You are now chatting with Agent2.");
        }
        Fmt::Xml => assert!(r.text.contains("<state>chatting</state>")),
    }

    // V12 line: 201 with the event URI in Location.
    let r = api.visitor_line(&chat_url, "hello & bye", fmt).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.header("location").unwrap().ends_with("/events/5"));
    let r = api
        .agent_get(&a, &format!("/chat/{cid}/events?from=5"), Fmt::Json)
        .await;
    assert_eq!(r.json()["events"]["event"]["text"], "hello & bye");

    // V13 info: links without @, skill fields.
    let r = get(format!("{chat_url}/info?v=1&NC=true")).await;
    match fmt {
        Fmt::Json => {
            let info = &r.json()["info"];
            assert_eq!(info["link"][0]["rel"], "self");
            assert_eq!(info["skillName"], "Sales");
            assert_eq!(info["skillId"], 1);
            assert_eq!(info["visitorName"], "You");
        }
        Fmt::Xml => assert!(r.text.contains("<skillName>Sales</skillName>")),
    }
    // V14/V15 name and typing.
    let (name_body, typing_body) = match fmt {
        Fmt::Json => (
            r#"{"visitorName":"Natalie"}"#,
            r#"{"visitorTyping":"typing"}"#,
        ),
        Fmt::Xml => (
            "<visitorName>Natalie</visitorName>",
            "<visitorTyping>typing</visitorTyping>",
        ),
    };
    let put = |url: String, body: &'static str| {
        send(
            api.visitor_req(Method::POST, &url, fmt)
                .header("x-http-method-override", "PUT")
                .body(body),
        )
    };
    assert_eq!(
        put(format!("{chat_url}/info/visitorName"), name_body)
            .await
            .status,
        201
    );
    assert_eq!(
        put(format!("{chat_url}/info/visitorTyping"), typing_body)
            .await
            .status,
        200
    );
    let r = api
        .agent_get(&a, &format!("/chat/{cid}/info"), Fmt::Json)
        .await;
    assert_eq!(r.json()["info"]["visitorName"], "Natalie");
    assert_eq!(r.json()["info"]["visitorTyping"], "typing");
    // V17-V19.
    let r = get(format!("{chat_url}/exitSurvey")).await;
    assert_eq!(r.status, 200);
    let survey = match fmt {
        Fmt::Json => r#"{"survey":{"id":40292,"question":{"id":"25245945","answer":"Very"}}}"#,
        Fmt::Xml => {
            r#"<survey id="40292"><question id="25245945"><answer>Very</answer></question></survey>"#
        }
    };
    assert_eq!(
        put(format!("{chat_url}/exitSurvey"), survey).await.status,
        200
    );
    let missing = if fmt == Fmt::Json {
        r#"{"survey":{"id":40292}}"#
    } else {
        r#"<survey id="40292"/>"#
    };
    assert_eq!(
        put(format!("{chat_url}/exitSurvey"), missing).await.status,
        400
    );
    let email = if fmt == Fmt::Json {
        r#"{"email":"v@example.com"}"#
    } else {
        "<email>v@example.com</email>"
    };
    assert_eq!(
        put(format!("{chat_url}/transcriptRequest"), email)
            .await
            .status,
        200
    );
    let vars = match fmt {
        Fmt::Json => r#"{"customVariables":{"customVariable":[{"name":"a","value":"1"},{"name":"b","value":"2"}]}}"#,
        Fmt::Xml => "<customVariables><customVariable><name>a</name><value>1</value></customVariable></customVariables>",
    };
    assert_eq!(
        put(format!("{chat_url}/customVariables"), vars)
            .await
            .status,
        200
    );

    // Visitor ends: state ended, no system line; readable afterwards.
    let end = match fmt {
        Fmt::Json => r#"{"event":{"@type":"state","state":"ended"}}"#,
        Fmt::Xml => r#"<event type="state"><state>ended</state></event>"#,
    };
    let r = send(
        api.visitor_req(Method::POST, &format!("{chat_url}/events"), fmt)
            .body(end),
    )
    .await;
    assert_eq!(r.status, 201);
    let t = emu.transcript(&cid).unwrap();
    assert_eq!(
        serde_json::to_value(&t.events.last().unwrap().event).unwrap()["state"],
        "ended"
    );
    assert_eq!(get(chat_url.clone()).await.status, 200);
    assert_eq!(api.visitor_line(&chat_url, "late", fmt).await.status, 400);
    emu.shutdown().await;
}

#[tokio::test]
async fn visitor_flow_json() {
    visitor_flow(Fmt::Json).await;
}

#[tokio::test]
async fn visitor_flow_xml() {
    visitor_flow(Fmt::Xml).await;
}

#[tokio::test]
async fn app_key_in_query_and_domain_api() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let host = emu.addr().to_string();
    for url in [
        format!(
            "{}/api/account/12345678/service/conversationVep/baseURI.json?version=1.0",
            emu.base_url()
        ),
        format!(
            "{}/csdr/account/12345678/service/baseURI.json?version=1.0",
            emu.base_url()
        ),
        format!(
            "{}/csdr/account/12345678/service/adminArea/baseURI.lpCsds?version=1.0",
            emu.base_url()
        ),
    ] {
        let r = send(api.http.get(url)).await;
        assert_eq!(r.status, 200);
        assert!(r.text.contains(&host), "{}", r.text);
    }
    let r = send(api.http.get(format!(
        "{}/api/account/999/service/agentVep/baseURI.json",
        emu.base_url()
    )))
    .await;
    assert_eq!(r.status, 401);
    let r = send(api.http.get(format!(
        "{}/chat/availability.json?v=1&appKey={KEY}&skill=Sales",
        api.acct
    )))
    .await;
    assert_eq!(r.json()["availability"], false);
    emu.shutdown().await;
}

#[tokio::test]
async fn scripted_visitors_talk_to_an_agent() {
    // Ringing never times out here: a slow machine must not turn agent1 Away.
    let emu = start(EmulatorConfig {
        time_factor: 20.0,
        ring_timeout_s: 1e6,
        ..EmulatorConfig::default()
    })
    .await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    let group = emu.run_visitors(Scenario {
        visitors: 2,
        lines: vec!["hi".into(), "bye".into()],
        pace_ms: 500,
        start_interval_ms: 100,
        jitter: 0.5,
        ..Scenario::default()
    });
    // A minimal agent bot: accept, answer each visitor line once.
    let mut answered = std::collections::HashSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if api.ringing(&a).await > 0 {
            api.accept(&a).await;
        }
        for t in emu.transcripts() {
            for e in t.events.iter() {
                let v = serde_json::to_value(&e.event).unwrap();
                if v["source"] == "visitor"
                    && t.state == lpchat_emulator::engine::ChatState::Chatting
                    && answered.insert((t.chat_id.clone(), e.event.id))
                {
                    let body = format!(
                        r#"{{"event":{{"@type":"line","text":"re {}"}}}}"#,
                        v["text"].as_str().unwrap()
                    );
                    api.agent_post(&a, &format!("/chat/{}/events", t.chat_id), Fmt::Json, &body)
                        .await;
                }
            }
        }
        if emu.visitor_records().iter().all(|r| r.outcome != "running") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    group.wait().await;
    let recs = emu.visitor_records();
    assert_eq!(recs.len(), 2);
    for r in &recs {
        assert_eq!(r.outcome, "completed", "{r:?}");
        assert_eq!(r.sent.len(), 2);
        let replies: Vec<&str> = r
            .received
            .iter()
            .filter(|e| e.by == "Agent1")
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(replies, ["re hi", "re bye"]);
        let t = emu.transcript(r.chat_id.as_deref().unwrap()).unwrap();
        assert_eq!(t.visitor.as_ref().unwrap().name, r.name);
    }
    // Over HTTP too.
    let r = api.control(Method::GET, "/visitors", None).await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = api
        .control(Method::POST, "/visitors", Some(serde_json::json!({"visitors": 1, "waitForAnswer": false, "lines": ["x"], "end": false})))
        .await;
    assert_eq!(r.status, 202);
    assert!(
        eventually(5.0, || async {
            emu.visitor_records().len() == 3 && emu.visitor_records()[2].outcome == "completed"
        })
        .await
    );
    emu.shutdown().await;
}
