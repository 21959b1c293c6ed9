//! Every quirk switch, from Rust and over the control API.

mod common;
use common::*;
use lpchat_emulator::{NumStyle, SuffixMode};
use reqwest::Method;
use serde_json::json;

/// An emulator with agent1 chatting in one chat; returns (api, agent, chat id).
async fn chatting() -> (lpchat_emulator::Emulator, Api, Agent, String) {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    api.request_chat("Sales", Fmt::Json).await;
    let cid = api.accept(&a).await;
    (emu, api, a, cid)
}

async fn ev(api: &Api, a: &Agent, cid: &str) -> serde_json::Value {
    api.agent_get(a, &format!("/chat/{cid}/events?from=4"), Fmt::Json)
        .await
        .json()
}

#[tokio::test]
async fn at_prefix_per_resource() {
    let (emu, api, a, cid) = chatting().await;
    let j = ev(&api, &a, &cid).await;
    assert_eq!(j["events"]["event"]["@type"], "line");
    assert!(j["events"]["link"][0].get("@rel").is_some());
    emu.update_quirks(|q| {
        q.at_prefix.insert("events".into(), false);
        q.at_prefix.insert("chatSessions".into(), true);
    });
    let j = ev(&api, &a, &cid).await;
    assert_eq!(j["events"]["event"]["type"], "line");
    assert_eq!(j["events"]["event"]["id"], "4");
    assert!(j["events"]["link"][0].get("rel").is_some());
    let j = api.agent_get(&a, "/chatSessions", Fmt::Json).await.json();
    assert_eq!(
        j["chatSessions"]["chatSession"][0]["link"]["@rel"],
        "chat-session"
    );
    // Visitor info stand-alone is plain by default, embedded in the chat it is prefixed.
    let chat_url = format!("{}/chat/{cid}", api.acct);
    let r = send(api.visitor_req(Method::GET, &format!("{chat_url}/info"), Fmt::Json))
        .await
        .json();
    assert!(r["info"]["link"][0].get("rel").is_some());
    let r = send(api.visitor_req(Method::GET, &chat_url, Fmt::Json))
        .await
        .json();
    assert!(r["chat"]["info"]["link"][0].get("@rel").is_some());
    emu.shutdown().await;
}

#[tokio::test]
async fn one_item_lists() {
    let (emu, api, a, cid) = chatting().await;
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/events?from=4"), Fmt::Json)
        .await
        .json();
    assert!(j["events"]["event"].is_object());
    let j = api.agent_get(&a, "/chatSessions", Fmt::Json).await.json();
    assert!(
        j["chatSessions"]["chatSession"].is_array(),
        "other lists stay arrays by default"
    );
    emu.update_quirks(|q| {
        q.collapse.insert("event".into(), false);
        q.collapse.insert("link".into(), false);
        q.collapse_others = true;
    });
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/events?from=4"), Fmt::Json)
        .await
        .json();
    assert!(j["events"]["event"].is_array());
    let j = api.agent_get(&a, "/info", Fmt::Json).await.json();
    assert!(j["info"]["link"].is_array());
    let j = api.agent_get(&a, "/chatSessions", Fmt::Json).await.json();
    assert!(j["chatSessions"]["chatSession"].is_object());
    let j = api
        .agent_get(&a, "/availableAgents", Fmt::Json)
        .await
        .json();
    let agent3 = j["availableAgents"]["agents"]["agent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["userName"] == "agent3")
        .cloned()
        .unwrap();
    assert_eq!(
        agent3["skills"]["skill"], "2",
        "a single skill collapses to a bare string"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn numbers_as_strings_per_field() {
    let (emu, api, a, cid) = chatting().await;
    let events = |j: serde_json::Value| j["events"]["event"].clone();
    let j = events(
        api.agent_get(&a, &format!("/chat/{cid}/events?from=1"), Fmt::Json)
            .await
            .json(),
    );
    assert_eq!(j[0]["systemMessageId"], 4);
    emu.update_quirks(|q| {
        q.numbers.insert("systemMessageId".into(), NumStyle::String);
        q.numbers.insert("events.@id".into(), NumStyle::Number);
    });
    let j = events(
        api.agent_get(&a, &format!("/chat/{cid}/events?from=1"), Fmt::Json)
            .await
            .json(),
    );
    assert_eq!(j[0]["systemMessageId"], "4");
    assert_eq!(j[0]["@id"], 1);
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/info"), Fmt::Json)
        .await
        .json();
    assert_eq!(j["info"]["agentId"], 101);
    emu.update_quirks(|q| q.all_numbers = Some(NumStyle::String));
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/info"), Fmt::Json)
        .await
        .json();
    assert_eq!(j["info"]["agentId"], "101");
    assert_eq!(j["info"]["chatTimeout"], "40");
    emu.update_quirks(|q| q.all_numbers = Some(NumStyle::Number));
    let j = api
        .agent_get(&a, "/incomingRequests", Fmt::Json)
        .await
        .json();
    assert_eq!(j["incomingRequests"]["ringingCount"], 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn suffix_handling() {
    let (emu, api, a, _) = chatting().await;
    let url = format!(
        "{}/agentSession/{}/availability.json?v=1&NC=true",
        api.acct, a.session
    );
    let get = |accept: &'static str| {
        send(
            api.http
                .get(&url)
                .header("authorization", format!("Bearer {}", a.bearer))
                .header("accept", accept),
        )
    };
    assert!(
        get("application/xml")
            .await
            .text
            .starts_with("{\"availability\""),
        "suffix wins over Accept"
    );
    emu.update_quirks(|q| q.suffix = SuffixMode::Ignore);
    assert!(get("application/xml").await.text.starts_with("<?xml"));
    assert!(
        get("*/*").await.text.starts_with("<?xml"),
        "XML when nothing says JSON"
    );
    emu.update_quirks(|q| q.suffix = SuffixMode::Reject);
    assert_eq!(get("application/json").await.status, 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn quirks_over_the_control_api() {
    let (emu, api, a, cid) = chatting().await;
    let r = api
        .control(
            Method::PATCH,
            "/quirks",
            Some(json!({"atPrefix": {"events": false}, "collapse": {"event": false}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["atPrefix"]["events"], false);
    assert_eq!(
        r.json()["atPrefix"]["chatSessions"],
        false,
        "other entries kept"
    );
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/events?from=4"), Fmt::Json)
        .await
        .json();
    assert_eq!(j["events"]["event"][0]["type"], "line");
    let r = api
        .control(Method::PUT, "/quirks", Some(json!({"suffix": "nonsense"})))
        .await;
    assert_eq!(r.status, 400);
    let r = api.control(Method::DELETE, "/quirks", None).await;
    assert_eq!(r.status, 200);
    let j = api
        .agent_get(&a, &format!("/chat/{cid}/events?from=4"), Fmt::Json)
        .await
        .json();
    assert_eq!(j["events"]["event"]["@type"], "line");
    let state = api.control(Method::GET, "/state", None).await.json();
    assert_eq!(state["chats"][0]["state"], "chatting");
    assert!(
        !state.to_string().contains(&a.bearer),
        "no tokens in the state dump"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn one_question_survey_is_a_bare_object() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let r = send(api.visitor_req(
        Method::GET,
        &format!("{}/chat/offlineSurvey", api.acct),
        Fmt::Json,
    ))
    .await
    .json();
    assert!(r["survey"]["questions"]["question"].is_object(), "{r}");
    assert_eq!(r["survey"]["questions"]["question"]["mandatory"], "true");
    emu.update_quirks(|q| {
        q.collapse.insert("question".into(), false);
    });
    let r = send(api.visitor_req(
        Method::GET,
        &format!("{}/chat/offlineSurvey", api.acct),
        Fmt::Json,
    ))
    .await
    .json();
    assert!(r["survey"]["questions"]["question"].is_array());
    emu.shutdown().await;
}
