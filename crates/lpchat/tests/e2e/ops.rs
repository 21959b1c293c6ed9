//! End-to-end: an API-key bot (OAuth-signed requests) and the one-off operations of an
//! agent session and of the visitor side; closing and dropping end the session.

use crate::common::{self, wait_for};
use crate::support;

use std::time::Duration;

use lpchat::proto::model::chat::{SubType, TextType};
use lpchat::proto::model::ChatRequest;
use lpchat::{Format, MachineEvent, NewEvent};

async fn ops_flow(format: Format, seed: u64) {
    let emu = support::emulator(seed).await;
    let client = support::client(&emu, format);
    let config = client
        .agent_config(support::bot())
        .await
        .unwrap()
        .with_auto_accept(true);
    let session = client.start_agent(config);
    let mut events = session.events().unwrap();
    assert!(session.events().is_none(), "the stream is taken once");
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AgentSessionStarted { .. })
    })
    .await;

    let agents = session.available_agents().await.unwrap();
    assert_eq!(agents.agents.len(), 4);
    let sales = session.available_agents_of_skill("Sales").await.unwrap();
    assert!(!sales.agents.is_empty());
    session.available_slots(None).await.unwrap();
    let info = session.agent_info().await.unwrap();
    assert_eq!(info.login_name.as_deref(), Some("bot"));
    session.availability().await.unwrap();

    // A visitor asks for a chat; the bot takes it.
    let visitor = client
        .visitor("721c180b09eb463d9f3191c41762bb68")
        .await
        .unwrap();
    visitor.availability(Some("Sales")).await.unwrap();
    visitor.wait_time().await.unwrap();
    let vchat = visitor
        .request_chat(ChatRequest::for_skill("Sales"))
        .await
        .unwrap();
    let chat = match wait_for(&mut events, |e| matches!(e, MachineEvent::ChatAccepted(_))).await {
        MachineEvent::ChatAccepted(chat) => chat,
        _ => unreachable!(),
    };
    assert_eq!(&chat, vchat.id());

    let chat_info = session.chat_info(&chat).await.unwrap();
    assert!(chat_info.agent_name.is_some());
    session.visitor_name(&chat).await.unwrap();
    session.set_typing(&chat, true).await.unwrap();
    session.agent_typing(&chat).await.unwrap();
    session.visitor_typing(&chat).await.unwrap();
    session.transfer_skills(&chat).await.unwrap();
    session.agent_survey(&chat).await.unwrap();
    let sessions = session.chat_sessions().await.unwrap();
    assert!(!sessions.sessions.is_empty());

    vchat.send_line("hi bot").await.unwrap();
    let id = session.send_line(&chat, "hello visitor").await.unwrap();
    assert!(id.is_some());
    let note = NewEvent::Line {
        text: "agents only".into(),
        text_type: TextType::Plain,
        sub_type: Some(SubType::OnlyToRep),
        json: None,
    };
    session.send(&chat, note).await.unwrap();
    let html = NewEvent::Line {
        text: "<b>bold</b>".into(),
        text_type: TextType::Html,
        sub_type: None,
        json: None,
    };
    session.send(&chat, html).await.unwrap();
    let all = session.chat_events(&chat, None).await.unwrap();
    assert!(all.events.len() >= 6);
    session.end_chat(&chat).await.unwrap();
    wait_for(&mut events, |e| matches!(e, MachineEvent::ChatEnded { .. })).await;

    // The visitor saw the agent's plain and html lines, not the note, before the end.
    let mut vevents = vchat.events().unwrap();
    let seen: Vec<String> = common::lines_until_end(&mut vevents)
        .await
        .into_iter()
        .map(|l| l.text)
        .collect();
    // The chat's task finished with the chat.
    assert!(vchat.send_line("late").await.is_err());
    assert!(seen.iter().any(|t| t == "hello visitor"), "{seen:?}");
    assert!(!seen.iter().any(|t| t == "agents only"), "{seen:?}");

    session.close().await.unwrap();
    assert!(matches!(
        events.next().await,
        Some(MachineEvent::Closed) | None
    ));
    assert_eq!(common::alive_sessions(&emu), 0, "{}", emu.state());
    assert!(session.send_line(&chat, "late").await.is_err());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_bot_operations_json() {
    ops_flow(Format::Json, 21).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_bot_operations_xml() {
    ops_flow(Format::Xml, 22).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_last_handle_ends_the_session() {
    let emu = support::emulator(23).await;
    let client = support::client(&emu, Format::Json);
    let session = client.agent_session(support::agent1()).await.unwrap();
    let mut events = session.events().unwrap();
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AgentSessionStarted { .. })
    })
    .await;
    let clone = session.clone();
    drop(session);
    drop(clone);
    // The task ends the session and logs out, then the stream ends.
    wait_for(&mut events, |e| matches!(e, MachineEvent::Closed)).await;
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    assert!(tokio::time::timeout_at(until, events.next())
        .await
        .unwrap()
        .is_none());
    assert_eq!(emu.state()["liveLogins"], 0);
    emu.shutdown().await;
}
