//! Helpers of the end-to-end scenarios: waiting for an event, starting a session and a
//! visitor, and running one scenario in JSON and XML at once.

use crate::support;

use std::future::Future;
use std::time::Duration;

use lpchat::proto::model::chat::Line;
use lpchat::proto::model::ChatRequest;
use lpchat::{
    AgentConfig, AgentSession, ChatId, Client, Credentials, Events, Format, MachineEvent,
};
use lpchat::{Visitor, VisitorChat};
use lpchat_emulator::Emulator;

/// The emulator's visitor app key (the published one).
pub const APP_KEY: &str = "721c180b09eb463d9f3191c41762bb68";

/// Runs `scenario` in JSON and in XML concurrently (each on its own emulator), so that a
/// test covers both formats in the wall time of one.
pub async fn both_formats<F, Fut>(scenario: F)
where
    F: Fn(Format) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let json = tokio::spawn(scenario(Format::Json));
    let xml = tokio::spawn(scenario(Format::Xml));
    let (json, xml) = tokio::join!(json, xml);
    if let Err(e) = json {
        std::panic::resume_unwind(e.into_panic());
    }
    if let Err(e) = xml {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// The first event matching `pred` within 20 s; panics on a lost or finished session.
pub async fn wait_for(
    events: &mut Events,
    mut pred: impl FnMut(&MachineEvent) -> bool,
) -> MachineEvent {
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::time::timeout_at(until, events.next()).await {
            Ok(Some(e)) if pred(&e) => return e,
            Ok(Some(MachineEvent::SessionLost(r))) => panic!("session lost: {r:?}"),
            Ok(Some(_)) => {}
            Ok(None) => panic!("session finished"),
            Err(_) => panic!("timed out waiting"),
        }
    }
}

/// Polls `check` every 100 ms until it gives a value, at most 20 s (for state the server
/// shows with no event: typing, names).
pub async fn eventually<T, Fut>(what: &str, mut check: impl FnMut() -> Fut) -> T
where
    Fut: Future<Output = Option<T>>,
{
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < until, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts an agent session with `tweak`ed configuration and waits until it has started.
pub async fn agent(
    client: &Client,
    credentials: Credentials,
    tweak: impl FnOnce(AgentConfig) -> AgentConfig,
) -> (AgentSession, Events) {
    let config = tweak(client.agent_config(credentials).await.unwrap());
    let session = client.start_agent(config);
    let mut events = session.events().unwrap();
    wait_for(&mut events, |e| {
        matches!(e, MachineEvent::AgentSessionStarted { .. })
    })
    .await;
    (session, events)
}

/// The visitor side of the client.
pub async fn visitor(client: &Client) -> Visitor {
    client.visitor(APP_KEY).await.unwrap()
}

/// A visitor chat on `skill`, with its event stream.
pub async fn visitor_chat(visitor: &Visitor, skill: &str) -> (VisitorChat, Events) {
    let chat = visitor
        .request_chat(ChatRequest::for_skill(skill))
        .await
        .unwrap();
    let events = chat.events().unwrap();
    (chat, events)
}

/// Waits for the next accepted chat.
pub async fn accepted(events: &mut Events) -> ChatId {
    match wait_for(events, |e| matches!(e, MachineEvent::ChatAccepted(_))).await {
        MachineEvent::ChatAccepted(chat) => chat,
        _ => unreachable!(),
    }
}

/// The lines a stream delivers until its chat ends.
pub async fn lines_until_end(events: &mut Events) -> Vec<Line> {
    let mut seen = Vec::new();
    while let MachineEvent::ChatEvent { event, .. } = wait_for(events, |e| {
        matches!(
            e,
            MachineEvent::ChatEvent { .. } | MachineEvent::ChatEnded { .. }
        )
    })
    .await
    {
        seen.extend(event.line().cloned());
    }
    seen
}

/// An emulator and a client in `format`.
pub async fn setup(seed: u64, format: Format) -> (Emulator, Client) {
    let emu = support::emulator(seed).await;
    let client = support::client(&emu, format);
    (emu, client)
}

/// How many agent sessions the emulator holds alive (its control state).
pub fn alive_sessions(emu: &Emulator) -> usize {
    emu.state()["agentSessions"]
        .as_array()
        .map_or(0, |s| s.iter().filter(|s| s["alive"] == true).count())
}

/// How many requests matched the fault rule `rule` (one that does nothing but count).
pub fn fired(emu: &Emulator, rule: u64) -> u64 {
    emu.faults()
        .iter()
        .find(|r| r.id == rule)
        .map_or(0, |r| r.fired)
}
