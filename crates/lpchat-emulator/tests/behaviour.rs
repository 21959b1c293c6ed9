//! Behaviour of spec §11: ringing timeout, visitor idle, agent idle, continuity, transfer,
//! routing by skill and slots, determinism under a seed.

mod common;
use common::*;
use lpchat_emulator::{EmulatorConfig, World};
use reqwest::Method;
use serde_json::Value;

fn fast(factor: f64) -> EmulatorConfig {
    EmulatorConfig {
        time_factor: factor,
        ..EmulatorConfig::default()
    }
}

fn event_json(emu: &lpchat_emulator::Emulator, cid: &str) -> Vec<Value> {
    emu.transcript(cid)
        .unwrap()
        .events
        .iter()
        .map(|e| serde_json::to_value(&e.event).unwrap())
        .collect()
}

#[tokio::test]
async fn unaccepted_chat_sets_agent_away_and_requeues() {
    // 20 s ring at factor 10 = 2 s; the visitor idle timeout is kept out of the way.
    let world = World {
        chat_timeout_s: 1_000_000,
        ..World::default()
    };
    let emu = start(EmulatorConfig {
        world,
        ..fast(10.0)
    })
    .await;
    let api = Api::new(&emu);
    let a1 = api.agent("agent1").await;
    let url = api.request_chat("Billing", Fmt::Json).await;
    let cid = url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(api.ringing(&a1).await, 1);
    let a3 = api.agent("agent3").await;
    // Keep the visitor alive while waiting.
    assert!(
        eventually(8.0, || async {
            send(api.visitor_req(Method::GET, &format!("{url}/info"), Fmt::Json)).await;
            api.ringing(&a3).await == 1
        })
        .await
    );
    let r = api.agent_get(&a1, "/availability", Fmt::Json).await;
    assert_eq!(r.json()["availability"]["chat"], "Away");
    assert!(event_json(&emu, &cid)
        .iter()
        .any(|e| e["systemMessageId"] == 23));
    let got = api.accept(&a3).await;
    assert_eq!(got, cid);
    emu.shutdown().await;
}

#[tokio::test]
async fn visitor_idle_ends_the_chat_with_message_6() {
    // chatTimeout 40 s at factor 40 = 1 s without visitor calls.
    let emu = start(EmulatorConfig {
        ring_timeout_s: 1e6,
        ..fast(40.0)
    })
    .await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    let url = api.request_chat("Sales", Fmt::Json).await;
    let cid = api.accept(&a).await;
    // Agent polling does not count as visitor activity.
    assert!(
        eventually(8.0, || async {
            api.agent_get(&a, &format!("/chat/{cid}/events"), Fmt::Json)
                .await;
            emu.transcript(&cid).unwrap().state == lpchat_emulator::engine::ChatState::Ended
        })
        .await
    );
    let ev = event_json(&emu, &cid);
    assert_eq!(ev[ev.len() - 2]["systemMessageId"], 6);
    assert_eq!(
        send(api.visitor_req(Method::GET, &url, Fmt::Json))
            .await
            .status,
        200
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn agent_idle_logout_requeues_its_chats() {
    // Agent idle 40 s at factor 20 = 2 s; visitor idle and ringing kept out of the way.
    let world = World {
        chat_timeout_s: 1_000_000,
        ..World::default()
    };
    let emu = start(EmulatorConfig {
        world,
        agent_idle_timeout_s: 40.0,
        ring_timeout_s: 1e6,
        ..fast(20.0)
    })
    .await;
    let api = Api::new(&emu);
    let a1 = api.agent("agent1").await;
    let url = api.request_chat("Sales", Fmt::Json).await;
    let cid = api.accept(&a1).await;
    let a2 = api.agent("agent2").await;
    // agent2 keeps polling, agent1 goes silent; the chat moves to agent2.
    assert!(
        eventually(8.0, || async {
            send(api.visitor_req(Method::GET, &format!("{url}/info"), Fmt::Json)).await;
            api.ringing(&a2).await == 1
        })
        .await
    );
    let r = api.agent_get(&a1, "/availability", Fmt::Json).await;
    assert_eq!(r.status, 404);
    assert!(r.text.contains("idle"));
    assert_eq!(api.accept(&a2).await, cid);
    let ev = event_json(&emu, &cid);
    assert!(ev.iter().any(|e| e["systemMessageId"] == 23));
    assert_eq!(ev.iter().filter(|e| e["state"] == "chatting").count(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn second_session_sees_chats_and_transfer_to_skill_and_agent() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let mut a1 = api.agent("agent1").await;
    api.request_chat("Sales", Fmt::Json).await;
    let cid = api.accept(&a1).await;
    // A12 continuity: a second session of agent1 sees the chat.
    let first = a1.clone();
    api.new_session(&mut a1).await;
    let j = api.agent_get(&a1, "/chatSessions", Fmt::Json).await.json();
    assert_eq!(
        j["chatSessions"]["chatSession"][0]["chatSessionKey"],
        cid.as_str()
    );
    assert_eq!(
        api.agent_get(&a1, &format!("/chat/{cid}"), Fmt::Json)
            .await
            .status,
        200
    );

    // A23: Billing needs an online agent other than agent1.
    let j = api
        .agent_get(&first, &format!("/chat/{cid}/transfer"), Fmt::Json)
        .await
        .json();
    assert!(j["transfer"]["skill"].is_null(), "{j}");
    let a3 = api.agent("agent3").await;
    let j = api
        .agent_get(&first, &format!("/chat/{cid}/transfer"), Fmt::Json)
        .await
        .json();
    assert_eq!(j["transfer"]["skill"][0]["name"], "Billing");
    assert_eq!(j["transfer"]["skill"][0]["onlineAgents"], "1");
    // A24 to skill 2 with an agent-only note.
    let r = api
        .agent_post(
            &first,
            &format!("/chat/{cid}/transfer"),
            Fmt::Json,
            r#"{"transfer":{"skill":{"id":2},"text":"billing question"}}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(api.ringing(&a3).await, 1);
    assert_eq!(api.accept(&a3).await, cid);
    let chat_url = format!("{}/chat/{cid}", api.acct);
    let vis = send(api.visitor_req(Method::GET, &format!("{chat_url}/events"), Fmt::Json))
        .await
        .json();
    let vis_events = list(&vis["events"]["event"]);
    assert!(
        vis_events.iter().all(|e| e["text"] != "billing question"),
        "note hidden from the visitor"
    );
    assert!(vis_events.iter().any(|e| e["systemMessageId"] == 15));
    let ag = api
        .agent_get(&a3, &format!("/chat/{cid}/events"), Fmt::Json)
        .await
        .json();
    assert!(list(&ag["events"]["event"])
        .iter()
        .any(|e| e["subType"] == "ONLY_TO_REP"));
    // Transfer to an agent (agent wins over skill), then an unavailable one.
    let r = api
        .agent_post(
            &a3,
            &format!("/chat/{cid}/transfer"),
            Fmt::Xml,
            "<transfer><agent><id>101</id></agent><skill><id>1</id></skill></transfer>",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(api.ringing(&first).await, 1);
    api.accept(&first).await;
    assert!(event_json(&emu, &cid)
        .iter()
        .any(|e| e["systemMessageId"] == 13));
    let r = api
        .agent_post(
            &first,
            &format!("/chat/{cid}/transfer"),
            Fmt::Json,
            r#"{"transfer":{"agent":{"id":102}}}"#,
        )
        .await;
    assert_eq!(r.status, 400);
    // The old agent can read but not write.
    let r = api
        .agent_post(
            &a3,
            &format!("/chat/{cid}/events"),
            Fmt::Json,
            r#"{"event":{"@type":"line","text":"x"}}"#,
        )
        .await;
    assert_eq!(r.status, 403);
    // Agent survey.
    let r = api
        .agent_get(&first, &format!("/chat/{cid}/survey"), Fmt::Xml)
        .await;
    assert!(r.text.contains(r#"<survey id="41108">"#));
    let r = api
        .agent_put(&first, &format!("/chat/{cid}/survey"), Fmt::Xml, r#"<survey id="41108"><question id="26386685"><answer>Yes</answer></question></survey>"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Undocumented resources answer with plausible bodies.
    for p in ["transferAccount", "collaborationChannels"] {
        assert_eq!(
            api.agent_get(&first, &format!("/chat/{cid}/{p}"), Fmt::Json)
                .await
                .status,
            200
        );
    }
    let chat = api
        .agent_get(&first, &format!("/chat/{cid}"), Fmt::Json)
        .await
        .json();
    let visit = link(&chat["chat"], "visit-id").unwrap();
    let r = send(
        api.http
            .get(format!("{visit}/customVariables"))
            .header("authorization", format!("Bearer {}", first.bearer)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    emu.shutdown().await;
}

#[tokio::test]
async fn routing_respects_skills_slots_and_availability() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a3 = api.agent("agent3").await; // Billing only, 2 slots
    api.request_chat("Sales", Fmt::Json).await;
    assert_eq!(api.ringing(&a3).await, 0);
    for _ in 0..3 {
        api.request_chat("Billing", Fmt::Json).await;
    }
    assert_eq!(
        api.ringing(&a3).await,
        2,
        "maxChats 2 caps ringing + chatting"
    );
    api.agent_put(
        &a3,
        "/availability",
        Fmt::Json,
        r#"{"availability":{"chat":"Away"}}"#,
    )
    .await;
    let r = api
        .agent_put(
            &a3,
            "/availability",
            Fmt::Json,
            r#"{"availability":{"chat":"Sleepy"}}"#,
        )
        .await;
    assert_eq!(r.status, 400);
    let a1 = api.agent("agent1").await;
    // agent1 takes the Sales chat and the third Billing chat.
    assert_eq!(api.ringing(&a1).await, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn same_seed_same_ids() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let emu = start(EmulatorConfig {
            seed: 42,
            ..EmulatorConfig::default()
        })
        .await;
        let api = Api::new(&emu);
        let a = api.agent("agent1").await;
        let url = api.request_chat("Sales", Fmt::Json).await;
        ids.push((
            a.session.clone(),
            a.bearer.clone(),
            url.rsplit('/').next().unwrap().to_owned(),
        ));
        emu.shutdown().await;
    }
    assert_eq!(ids[0], ids[1]);
}
