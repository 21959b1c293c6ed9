//! End-to-end, a chat that leaves the agent: another session of agent1 transfers agent1's
//! chat to the Billing skill, where agent3 takes it. The session that had it delivers the
//! transfer's events, reports it left (`EndReason::Left`) and polls it no more; agent3
//! delivers every event of the chat; in JSON and XML.

use crate::common::{self, both_formats, wait_for};
use crate::support;

use std::time::Duration;

use lpchat::proto::model::{ChatRequest, TransferRequest};
use lpchat::{ChatId, EndReason, Events, Format, MachineEvent};
use lpchat_emulator::{FaultKind, FaultRule};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_transferred_by_another_session_leaves_and_is_polled_no_more() {
    both_formats(scenario).await;
}

/// The ids of the events of `chat` among `events`.
fn ids_of(events: &[MachineEvent], chat: &ChatId) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            MachineEvent::ChatEvent { chat: c, event } if c == chat => Some(event.id.0),
            _ => None,
        })
        .collect()
}

/// Every event until `stop` matches (included), within 20 s.
async fn collect_until(
    events: &mut Events,
    mut stop: impl FnMut(&MachineEvent) -> bool,
) -> Vec<MachineEvent> {
    let mut seen = Vec::new();
    wait_for(events, |e| {
        seen.push(e.clone());
        stop(e)
    })
    .await;
    seen
}

async fn scenario(format: Format) {
    let (emu, client) = common::setup(61, format).await;
    // agent1 on two devices: A takes the chat, B transfers it; agent3 (Billing) takes it.
    let config = client
        .agent_config(support::agent1())
        .await
        .unwrap()
        .with_auto_accept(true);
    let a = client.start_agent(config);
    let mut a_events = a.events().unwrap();
    let a_session = match wait_for(&mut a_events, |e| {
        matches!(e, MachineEvent::AgentSessionStarted { .. })
    })
    .await
    {
        MachineEvent::AgentSessionStarted {
            session: Some(session),
        } => session,
        other => panic!("no session id: {other:?}"),
    };
    let counter = emu
        .add_fault(FaultRule::new(
            &format!("*/agentSession/{a_session}/chat"),
            FaultKind::Latency { ms: 0 },
        ))
        .unwrap();
    let (b, _b_events) = common::agent(&client, support::agent1(), |c| c).await;
    let (agent3, mut events3) = common::agent(
        &client,
        lpchat::Credentials::User(lpchat::UserPassword::new("agent3", "password")),
        |c| c.with_auto_accept(true),
    )
    .await;

    let visitor = common::visitor(&client).await;
    let v = visitor
        .request_chat(ChatRequest::for_skill("Sales"))
        .await
        .unwrap();
    let chat = common::accepted(&mut a_events).await;
    v.send_line("hello").await.unwrap();
    let mut a_seen = collect_until(&mut a_events, |e| {
        matches!(e, MachineEvent::ChatEvent { chat: c, event } if *c == chat && event.line().is_some_and(|l| l.text == "hello"))
    })
    .await;
    a.send_line(&chat, "one moment").await.unwrap();

    // B adopts the chat (A12 continuity) and transfers it to Billing.
    b.follow(&chat).unwrap();
    b.transfer(
        &chat,
        TransferRequest::to_skill("2").with_text("over to billing"),
    )
    .await
    .unwrap();

    // A delivers what it can still read, then reports the chat left, and polls no more.
    a_seen.extend(
        collect_until(
            &mut a_events,
            |e| matches!(e, MachineEvent::ChatEnded { chat: c, .. } if *c == chat),
        )
        .await,
    );
    assert!(
        a_seen.contains(&MachineEvent::ChatEnded {
            chat: chat.clone(),
            reason: EndReason::Left,
        }),
        "{a_seen:?}"
    );
    let polls_at_left = common::fired(&emu, counter);
    assert!(polls_at_left > 0, "the counter sees A's polls");
    assert!(a.chats().await.unwrap().is_empty());

    // agent3 takes the chat and talks with the visitor; the visitor ends it.
    assert_eq!(common::accepted(&mut events3).await, chat);
    agent3.send_line(&chat, "billing here").await.unwrap();
    v.send_line("thanks").await.unwrap();
    let mut seen3 = collect_until(&mut events3, |e| {
        matches!(e, MachineEvent::ChatEvent { chat: c, event } if *c == chat && event.line().is_some_and(|l| l.text == "thanks"))
    })
    .await;
    v.end().await.unwrap();
    seen3.extend(
        collect_until(
            &mut events3,
            |e| matches!(e, MachineEvent::ChatEnded { chat: c, .. } if *c == chat),
        )
        .await,
    );
    // Three more poll intervals of A with nothing asked for the chat.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        common::fired(&emu, counter),
        polls_at_left,
        "A polled after it left"
    );

    let transcript = emu.transcript(chat.as_str()).unwrap();
    let all: Vec<u64> = transcript.events.iter().map(|e| e.event.id).collect();
    // agent3 delivered every event of the chat, once, in order.
    assert_eq!(ids_of(&seen3, &chat), all);
    // A delivered a prefix of them, once, in order, through the transfer's `waiting`.
    let a_ids = ids_of(&a_seen, &chat);
    assert_eq!(a_ids, all[..a_ids.len()]);
    let waiting = transcript
        .events
        .iter()
        .rposition(|e| serde_json::to_value(&e.event).unwrap()["state"] == "waiting")
        .unwrap();
    assert!(
        a_ids.len() > waiting,
        "A missed the transfer's events: {a_ids:?}"
    );

    for s in [a, b, agent3] {
        s.close().await.unwrap();
    }
}
