//! End-to-end, a consumer that falls behind: with a small event buffer, a session whose
//! stream is not read stops polling its chats (the server keeps the events) instead of
//! growing its buffer, keeps its session alive, and once the stream is read again delivers
//! every event of the chat once, in order; in JSON and XML.

use crate::common::{self, both_formats, wait_for};
use crate::support;

use std::time::Duration;

use lpchat::{Events, Format, MachineEvent};
use lpchat_emulator::{FaultKind, FaultRule};

/// Unread events the stream may hold before the session pauses its polls.
const BUFFER: usize = 8;
/// Visitor lines sent while the agent does not read: well past the buffer.
const LINES: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_not_read_pauses_polling_and_loses_nothing() {
    both_formats(scenario).await;
}

async fn scenario(format: Format) {
    let emu = support::emulator(71).await;
    let client = support::builder(&emu)
        .format(format)
        .retry(support::fast_retry())
        .seed(7)
        .event_buffer(BUFFER)
        .build()
        .unwrap();
    let (agent, mut events) =
        common::agent(&client, support::agent1(), |c| c.with_auto_accept(true)).await;
    let visitor = common::visitor(&client).await;
    let (vchat, vevents) = common::visitor_chat(&visitor, "Sales").await;
    // Not read here: dropped, so it paces nothing (the visitor's polls keep its chat alive
    // at the emulator's time factor).
    drop(vevents);
    let chat = common::accepted(&mut events).await;
    let polls = emu
        .add_fault(
            FaultRule::new("*/agentSession/*/chat", FaultKind::Latency { ms: 0 }).on_method("GET"),
        )
        .unwrap();

    // The agent stops reading; the visitor writes far more than the buffer holds, in
    // batches a poll interval apart, so that later batches wait on the server.
    for batch in (0..LINES).collect::<Vec<_>>().chunks(BUFFER) {
        for i in batch {
            vchat.send_line(&format!("line {i}")).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }
    // Three poll intervals with no poll.
    let paused_at = common::fired(&emu, polls);
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        common::fired(&emu, polls),
        paused_at,
        "the session polled while its stream was full"
    );
    // The session stayed usable: a line still goes while polling is paused.
    agent.send_line(&chat, "sorry, busy").await.unwrap();

    // Reading again resumes polling: every line once, in order.
    let (texts, ids) = until_line(&mut events, &chat, &format!("line {}", LINES - 1)).await;
    let want: Vec<String> = (0..LINES).map(|i| format!("line {i}")).collect();
    assert_eq!(texts, want);
    assert!(
        common::fired(&emu, polls) > paused_at,
        "polling never resumed"
    );
    // Every event of the chat up to there, once, in the server's order.
    let transcript = emu.transcript(chat.as_str()).unwrap();
    let all: Vec<u64> = transcript.events.iter().map(|e| e.event.id).collect();
    assert_eq!(ids, all[..ids.len()]);
    vchat.close().await.unwrap();
    agent.close().await.unwrap();
}

/// The visitor lines of `chat` the stream delivers until the one saying `last`, and the ids
/// of every event of the chat delivered until then.
async fn until_line(
    events: &mut Events,
    chat: &lpchat::ChatId,
    last: &str,
) -> (Vec<String>, Vec<u64>) {
    let (mut texts, mut ids) = (Vec::new(), Vec::new());
    loop {
        let event = wait_for(events, |e| matches!(e, MachineEvent::ChatEvent { .. })).await;
        let MachineEvent::ChatEvent { chat: c, event } = event else {
            continue;
        };
        if c != *chat {
            continue;
        }
        ids.push(event.id.0);
        if let Some(line) = event.line().filter(|l| l.text.starts_with("line ")) {
            texts.push(line.text.clone());
            if line.text == last {
                return (texts, ids);
            }
        }
    }
}
