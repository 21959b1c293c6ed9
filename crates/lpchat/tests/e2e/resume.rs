//! End-to-end: a session started from another's cursor token, taken mid-chat while lines
//! keep coming, goes on with no event repeated and none skipped (compared with the
//! emulator's transcript); in JSON and XML.

use crate::common::{self, both_formats, wait_for};
use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use lpchat::proto::CursorSet;
use lpchat::{Events, Format, MachineEvent};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_resumed_from_a_cursor_token_repeats_and_skips_nothing() {
    both_formats(scenario).await;
}

/// The chat event ids a stream delivers until `done` says stop, counted per id.
async fn collect(
    events: &mut Events,
    ids: &mut BTreeMap<u64, usize>,
    done: impl Fn(&BTreeMap<u64, usize>, &MachineEvent) -> bool,
) {
    loop {
        let e = wait_for(events, |_| true).await;
        if let MachineEvent::ChatEvent { event, .. } = &e {
            *ids.entry(event.id.0).or_default() += 1;
        }
        if done(ids, &e) {
            return;
        }
    }
}

async fn scenario(format: Format) {
    let (emu, client) = common::setup(81, format).await;
    let (first, mut first_events) =
        common::agent(&client, support::agent1(), |c| c.with_auto_accept(true)).await;
    let visitor = common::visitor(&client).await;
    let (vchat, _vevents) = common::visitor_chat(&visitor, "Sales").await;
    let chat = common::accepted(&mut first_events).await;

    // The visitor keeps writing while the sessions change hands.
    let writer = vchat.clone();
    let lines = tokio::spawn(async move {
        for n in 0..8 {
            writer.send_line(&format!("line {n}")).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        writer.end().await.unwrap();
    });

    let mut before = BTreeMap::new();
    collect(&mut first_events, &mut before, |ids, _| ids.len() >= 5).await;
    let token = first.cursor_token().await.unwrap();
    let position = CursorSet::from_token(&token)
        .unwrap()
        .get(&chat)
        .and_then(|c| c.last_delivered())
        .unwrap()
        .0;

    // A second session of the same agent goes on from the token; the first one stops.
    let (second, mut second_events) = common::agent(&client, support::agent1(), |c| {
        c.resume_from(&token).unwrap()
    })
    .await;
    first.close().await.unwrap();
    collect(&mut first_events, &mut before, |_, e| {
        matches!(e, MachineEvent::Closed)
    })
    .await;

    let mut after = BTreeMap::new();
    collect(&mut second_events, &mut after, |_, e| {
        matches!(e, MachineEvent::ChatEnded { .. })
    })
    .await;
    lines.await.unwrap();

    let transcript: Vec<u64> = emu
        .transcript(chat.as_str())
        .unwrap()
        .events
        .iter()
        .map(|e| e.event.id)
        .collect();
    let expected_after: Vec<u64> = transcript
        .iter()
        .copied()
        .filter(|id| *id > position)
        .collect();
    let expected_before: Vec<u64> = transcript
        .iter()
        .copied()
        .filter(|id| *id <= position)
        .collect();
    assert!(!expected_after.is_empty(), "the token was taken mid-chat");
    assert_eq!(
        after.keys().copied().collect::<Vec<_>>(),
        expected_after,
        "none skipped, none from before the token"
    );
    assert!(after.values().all(|n| *n == 1), "none repeated: {after:?}");
    let first_up_to: Vec<u64> = before
        .keys()
        .copied()
        .filter(|id| *id <= position)
        .collect();
    assert_eq!(
        first_up_to, expected_before,
        "the first session had delivered the rest"
    );
    second.close().await.unwrap();
    emu.shutdown().await;
}
