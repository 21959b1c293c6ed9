//! End-to-end, agent side without a chat of its own: availability get and set, the
//! keepalive that holds the session past the server's idle logout, a forced `Away`
//! re-asserted, available agents with a skill filter and the `next` link's `timeStamp`,
//! available slots, incoming requests and an explicit accept; in JSON and XML.

use crate::common::{self, both_formats, eventually, wait_for};
use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lpchat::proto::model::{AgentId, LinksExt, Rel};
use lpchat::{AgentState, Format, MachineEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_keepalive_forced_away_agents_slots_and_accept() {
    both_formats(scenario).await;
}

async fn scenario(format: Format) {
    // A chat rings 2 s (real) before the server forces Away; an agent session with no
    // request for 3 s (real) is logged out.
    let emu = support::emulator_with(41, |c| {
        c.ring_timeout_s = 20.0;
        c.agent_idle_timeout_s = 30.0;
    })
    .await;
    let client = support::client(&emu, format);
    let started_ms = emu.now_ms();
    let (session, mut events) = common::agent(&client, support::agent1(), |mut c| {
        c.availability_interval = Duration::from_secs(2);
        c
    })
    .await;
    let availability_events = Arc::new(Mutex::new(Vec::new()));
    let seen = availability_events.clone();
    session
        .handlers()
        .on_availability(move |e| seen.lock().unwrap().push(e.clone()));

    // Availability: get, set Away, back Online.
    assert_eq!(
        session.availability().await.unwrap().chat,
        Some(AgentState::Online)
    );
    session.set_availability(AgentState::Away).unwrap();
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AvailabilityChanged(AgentState::Away))
    })
    .await;
    assert_eq!(
        session.availability().await.unwrap().chat,
        Some(AgentState::Away)
    );
    session.set_availability(AgentState::Online).unwrap();
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AvailabilityChanged(AgentState::Online))
    })
    .await;

    // Available agents: the skill filter, and the `next` link (with `timeStamp`).
    let billing = session.available_agents_of_skill("Billing").await.unwrap();
    let ids: Vec<&AgentId> = billing.agents.iter().map(|a| &a.id).collect();
    assert!(ids.contains(&&AgentId::from("103")), "{ids:?}");
    assert!(!ids.contains(&&AgentId::from("102")), "{ids:?}");
    let all = session.available_agents().await.unwrap();
    let next = all.links.href(&Rel::Next).unwrap();
    assert!(next.contains("timeStamp="), "{next}");
    let later = session.available_agents_next(&all).await.unwrap();
    assert_eq!(later.agents.len(), all.agents.len());
    let slots = session.available_slots(Some("Sales")).await.unwrap();
    assert_eq!(slots.0, 3, "agent1's three free slots");

    // A chat rings and is not accepted: the server forces Away, the session re-asserts
    // Online (the default policy), the chat rings again and is accepted.
    let visitor = common::visitor(&client).await;
    let (vchat, _vevents) = common::visitor_chat(&visitor, "Sales").await;
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::ChatOffered { .. })
    })
    .await;
    assert!(session.incoming_requests().await.unwrap().ringing_count >= 1);
    let forced = wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AvailabilityForced { .. })
    })
    .await;
    assert!(
        matches!(
            &forced,
            MachineEvent::AvailabilityForced {
                wanted: AgentState::Online,
                seen: AgentState::Away
            }
        ),
        "{forced:?}"
    );
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AvailabilityChanged(AgentState::Online))
    })
    .await;
    // It rings again (the count may not be seen at 0 in between: no second offer event).
    let chat = eventually("the chat is accepted", || async {
        session.accept_next().await.ok()
    })
    .await;
    assert_eq!(&chat, vchat.id());
    assert!(availability_events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, MachineEvent::AvailabilityForced { .. })));

    // The keepalive held the session past the idle logout (3 s real).
    let lived_ms = emu.now_ms() - started_ms;
    assert!(lived_ms > 30_000, "lived {lived_ms} emulated ms");
    assert_eq!(common::alive_sessions(&emu), 1, "{}", emu.state());
    vchat.close().await.unwrap();
    session.close().await.unwrap();
    emu.shutdown().await;
}
