//! The whole agent flow over HTTP, in JSON and in XML.

mod common;
use common::*;
use reqwest::Method;

async fn agent_flow(fmt: Fmt) {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;

    // A5/A6: availability, set through a tunnelled PUT.
    let body = match fmt {
        Fmt::Json => r#"{"availability":{"chat":"Online"}}"#,
        Fmt::Xml => "<availability><chat>Online</chat></availability>",
    };
    let r = api.agent_put(&a, "/availability", fmt, body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    match fmt {
        Fmt::Json => assert_eq!(r.json()["availability"]["chat"], "Online"),
        Fmt::Xml => assert_eq!(xml_text(&r.text, "chat").as_deref(), Some("Online")),
    }

    // A visitor asks; the chat rings for agent1 with an accept link.
    let chat_url = api.request_chat("Sales", Fmt::Json).await;
    let r = api.agent_get(&a, "/incomingRequests", fmt).await;
    let accept = match fmt {
        Fmt::Json => {
            assert_eq!(r.json()["incomingRequests"]["ringingCount"], "1");
            link(&r.json()["incomingRequests"], "acceptNextChat").unwrap()
        }
        Fmt::Xml => {
            assert_eq!(xml_text(&r.text, "ringingCount").as_deref(), Some("1"));
            xml_link(&r.text, "acceptNextChat").unwrap()
        }
    };
    assert!(accept.ends_with("/incomingRequests"));

    // A11 accept.
    let r = send(
        api.http
            .post(format!("{accept}?v=1&NC=true"))
            .header("authorization", format!("Bearer {}", a.bearer))
            .header("accept", fmt.mime())
            .header("content-type", fmt.mime())
            .body(if fmt == Fmt::Json { "{}" } else { "" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let chat_href = match fmt {
        Fmt::Json => link(&r.json()["chatLocation"], "location").unwrap(),
        Fmt::Xml => xml_link(&r.text, "location").unwrap(),
    };
    let chat_id = chat_href.rsplit('/').next().unwrap().to_owned();
    assert!(chat_url.ends_with(&chat_id));
    let cpath = format!("/chat/{chat_id}");

    // A14: the chat so far: waiting, system 4, pre-chat line, chatting, system 3.
    let r = api.agent_get(&a, &cpath, fmt).await;
    assert_eq!(r.status, 200);
    match fmt {
        Fmt::Json => {
            let chat = &r.json()["chat"];
            let events = list(&chat["events"]["event"]);
            let ids: Vec<&str> = events.iter().map(|e| e["@id"].as_str().unwrap()).collect();
            assert_eq!(ids, ["0", "1", "2", "3", "4"]);
            assert_eq!(events[0]["state"], "waiting");
            assert_eq!(events[1]["systemMessageId"], 4);
            assert_eq!(events[2]["text"], "pre 1");
            assert_eq!(events[3]["state"], "chatting");
            assert_eq!(events[4]["text"], "You are now chatting with Agent1.");
            assert!(link(chat, "next").unwrap().ends_with("?from=5"));
            assert!(link(&chat["events"], "next")
                .unwrap()
                .ends_with("/events?from=5"));
            assert_eq!(chat["info"]["agentName"], "Agent1");
            assert!(link(chat, "agent-survey").is_some());
        }
        Fmt::Xml => {
            assert!(
                r.text.contains(r#"<event id="0" type="state">"#),
                "{}",
                r.text
            );
            assert!(r.text.contains("<systemMessageId>4</systemMessageId>"));
            assert!(r
                .text
                .contains("<text>You are now chatting with Agent1.</text>"));
            assert!(xml_link(&r.text, "next").unwrap().ends_with("?from=5"));
        }
    }

    // A16: a line with characters that need escaping in either format.
    let body = match fmt {
        Fmt::Json => r#"{"event":{"@type":"line","text":"<b>Hi</b> & \"welcome\"","textType":"html"}}"#.to_owned(),
        Fmt::Xml => r#"<event type="line"><text>&lt;b&gt;Hi&lt;/b&gt; &amp; "welcome"</text><textType>html</textType></event>"#.to_owned(),
    };
    let r = api
        .agent_post(&a, &format!("{cpath}/events"), fmt, &body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let loc = match fmt {
        Fmt::Json => link(&r.json()["chatEventLocation"], "location").unwrap(),
        Fmt::Xml => {
            assert!(r.text.contains("<chatEventLocation>"));
            xml_link(&r.text, "location").unwrap()
        }
    };
    assert!(loc.ends_with("/events/5"));

    // The visitor sees it and answers; the agent polls from 6.
    let r =
        send(api.visitor_req(Method::GET, &format!("{chat_url}/events?from=5"), Fmt::Json)).await;
    assert_eq!(
        list(&r.json()["events"]["event"])[0]["text"],
        "<b>Hi</b> & \"welcome\""
    );
    assert_eq!(
        api.visitor_line(&chat_url, "I need help", Fmt::Json)
            .await
            .status,
        201
    );
    let r = api
        .agent_get(&a, &format!("{cpath}/events?from=6"), fmt)
        .await;
    match fmt {
        Fmt::Json => {
            let ev = &r.json()["events"]["event"];
            assert!(ev.is_object(), "one event is a bare object: {ev}");
            assert_eq!(ev["text"], "I need help");
            assert_eq!(ev["source"], "visitor");
            assert!(link(&r.json()["events"], "next")
                .unwrap()
                .ends_with("from=7"));
        }
        Fmt::Xml => {
            assert!(
                r.text
                    .contains("<text>I need help</text><by>visitor</by><source>visitor</source>"),
                "{}",
                r.text
            );
        }
    }

    // A18-A22: info and typing.
    let r = api.agent_get(&a, &format!("{cpath}/info"), fmt).await;
    match fmt {
        Fmt::Json => {
            let info = &r.json()["info"];
            assert_eq!(info["state"], "chatting");
            assert_eq!(info["agentId"], 101);
            assert_eq!(info["chatTimeout"], 40);
            assert_eq!(info["visitorName"], "visitor");
            assert!(link(info, "agent-typing").is_some());
        }
        Fmt::Xml => assert_eq!(xml_text(&r.text, "state").as_deref(), Some("chatting")),
    }
    let body = if fmt == Fmt::Json {
        r#"{"agentTyping":"typing"}"#
    } else {
        "<agentTyping>typing</agentTyping>"
    };
    assert_eq!(
        api.agent_put(&a, &format!("{cpath}/info/agentTyping"), fmt, body)
            .await
            .status,
        200
    );
    let r = send(api.visitor_req(
        Method::GET,
        &format!("{chat_url}/info/agentTyping"),
        Fmt::Json,
    ))
    .await;
    assert_eq!(r.json()["agentTyping"], "typing");
    let r = api
        .agent_get(&a, &format!("{cpath}/info/visitorName"), fmt)
        .await;
    assert!(r.text.contains("visitor"));

    // A12 chat sessions, A13 multi-chat, A3 session, A7 agents, A8 slots, A9 info.
    let r = api.agent_get(&a, "/chatSessions", fmt).await;
    match fmt {
        Fmt::Json => {
            let s = list(&r.json()["chatSessions"]["chatSession"]);
            assert_eq!(s[0]["chatSessionKey"], chat_id.as_str());
            assert_eq!(s[0]["link"]["rel"], "chat-session");
            assert!(s[0]["startTime"].is_i64());
        }
        Fmt::Xml => assert!(r
            .text
            .contains(&format!("<chatSessionKey>{chat_id}</chatSessionKey>"))),
    }
    let r = api
        .agent_get(
            &a,
            &format!("/chat?chatSessionKeys={chat_id}&fromEventIds=6"),
            fmt,
        )
        .await;
    match fmt {
        Fmt::Json => {
            let chats = list(&r.json()["chats"]["chat"]);
            let ev = list(&chats[0]["events"]["event"]);
            assert_eq!(ev[0]["id"], 6);
        }
        Fmt::Xml => assert!(
            r.text.contains(r#"<event id="6" type="line">"#),
            "{}",
            r.text
        ),
    }
    let r = api.agent_get(&a, "?cs=1", fmt).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("incoming-requests") && r.text.contains(&chat_id));
    let r = api
        .agent_get(&a, "/availableAgents?chatState=Online", fmt)
        .await;
    assert!(
        r.text.contains("agent1") && !r.text.contains("agent2"),
        "{}",
        r.text
    );
    let r = api
        .agent_get(&a, "/chat/availableSlots?skill=Sales", fmt)
        .await;
    assert!(r.text.contains('2'), "{}", r.text);
    let r = api.agent_get(&a, "/info", fmt).await;
    assert!(r.text.contains("Sales") && r.text.contains("Billing"));

    // A17 end: system 5 then ended; the chat stays readable.
    let body = match fmt {
        Fmt::Json => r#"{"event":{"@type":"state","state":"ended"}}"#,
        Fmt::Xml => r#"<event type="state"><state>ended</state></event>"#,
    };
    let r = api
        .agent_post(&a, &format!("{cpath}/events"), fmt, body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.text.contains("chatLocation"));
    let r =
        send(api.visitor_req(Method::GET, &format!("{chat_url}/events?from=7"), Fmt::Json)).await;
    let ev = list(&r.json()["events"]["event"]);
    assert_eq!(ev[0]["systemMessageId"], 5);
    assert_eq!(ev[1]["state"], "ended");
    assert_eq!(api.agent_get(&a, &cpath, fmt).await.status, 200);

    // Transcript: ground truth with every event.
    let t = emu.transcript(&chat_id).unwrap();
    assert_eq!(t.events.len(), 9);

    // L2 refresh, L3 logout; the bearer is dead afterwards.
    let csrf = format!(r#"{{"csrf":"{}"}}"#, a.csrf);
    for op in ["refresh", "logout"] {
        let r = send(
            api.http
                .post(format!("{}/{op}?v=1.2", api.acct))
                .header("cookie", a.login_cookie.clone())
                .header("content-type", "application/json")
                .body(csrf.clone()),
        )
        .await;
        assert_eq!(r.status, 200, "{op}: {}", r.text);
        assert!(r.text.is_empty());
    }
    assert_eq!(api.agent_get(&a, "/availability", fmt).await.status, 401);
    emu.shutdown().await;
}

#[tokio::test]
async fn agent_flow_json() {
    agent_flow(Fmt::Json).await;
}

#[tokio::test]
async fn agent_flow_xml() {
    agent_flow(Fmt::Xml).await;
}

#[tokio::test]
async fn agent_session_logout_and_real_verbs() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a = api.agent("agent2").await;
    // Real PUT works like the tunnelled one.
    let r = send(
        api.agent_req(&a, Method::PUT, "/availability", Fmt::Json)
            .body(r#"{"availability":{"chat":"Away"}}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["availability"]["chat"], "Away");
    // v/NC anywhere and repeated; `.json` suffix on the last segment.
    let url = format!(
        "{}/agentSession/{}/availability.json?NC=true&v=1&v=1&NC=true",
        api.acct, a.session
    );
    let r = send(
        api.http
            .get(url)
            .header("authorization", format!("Bearer {}", a.bearer)),
    )
    .await;
    assert_eq!(r.json()["availability"]["chat"], "Away");
    // A4 tunnelled DELETE ends the session.
    let r = send(
        api.agent_req(&a, Method::POST, "", Fmt::Json)
            .header("x-http-method-override", "DELETE"),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = api.agent_get(&a, "/availability", Fmt::Json).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["internalCode"], 39);
    emu.shutdown().await;
}
