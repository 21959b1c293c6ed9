//! The visitor chat machine by script: the chat request and its `Location`, polling through
//! `next` with each event delivered once, the 30 s keepalive, ordered lines reconciled
//! after a timeout, name and typing, close, resume, and what cannot be retried.

mod machine_support;

use std::time::{Duration, Instant};

use lpchat_proto::auth::AppKey;
use lpchat_proto::machine::{
    CommandFailure, EndReason, FailureKind, Machine, MachineEvent, SessionLostReason,
    VisitorConfig, VisitorMachine, WallClock,
};
use lpchat_proto::model::{ChatRequest, NewEvent};
use lpchat_proto::ops::BaseUri;
use machine_support::*;

const SEC: Duration = Duration::from_secs(1);
const VHOST: &str = "server.iad.example";
const CHAT_URL: &str = "https://server.iad.example/api/account/1234/chat/H5K5";

fn config(t0: Instant) -> VisitorConfig {
    VisitorConfig::new(
        BaseUri::new(VHOST, ACCOUNT),
        AppKey::new("app-key-721c"),
        ChatRequest::for_skill("Sales"),
    )
    .with_seed(3)
    .with_wall_clock(WallClock::new(t0, UNIX0))
}

fn created() -> http::Response<bytes::Bytes> {
    with_headers(200, &[("location", CHAT_URL)], "")
}

/// A V10 chat body: events (documented `@` shape), the `next` link, and the state.
fn chat_page(events: &[(u64, &str, &str)], next: u64, state: &str) -> http::Response<bytes::Bytes> {
    let events: Vec<String> = events
        .iter()
        .map(|(id, source, text)| {
            format!(
                r#"{{"@id":"{id}","@type":"line","text":"{text}","by":"x","source":"{source}"}}"#
            )
        })
        .collect();
    json(
        200,
        &format!(
            r#"{{"chat":{{"link":[{{"@rel":"self","@href":"{CHAT_URL}"}},{{"@rel":"next","@href":"{CHAT_URL}?from={next}"}},{{"@rel":"events","@href":"{CHAT_URL}/events"}}],
              "events":{{"link":{{"@rel":"next","@href":"{CHAT_URL}/events?from={next}"}},"event":[{}]}},
              "info":{{"state":"{state}","chatSessionKey":"H5K5","visitorName":"You","chatTimeout":40}}}}}}"#,
            events.join(",")
        ),
    )
}

fn ended_page(events: &[(u64, &str)], next: u64) -> http::Response<bytes::Bytes> {
    let events: Vec<String> = events
        .iter()
        .map(|(id, state)| format!(r#"{{"@id":"{id}","@type":"state","state":"{state}"}}"#))
        .collect();
    json(
        200,
        &format!(
            r#"{{"chat":{{"link":[{{"@rel":"next","@href":"{CHAT_URL}?from={next}"}}],"events":{{"event":[{}]}},"info":{{"state":"ended","chatSessionKey":"H5K5"}}}}}}"#,
            events.join(",")
        ),
    )
}

/// A machine whose chat was requested and created.
fn chatting(t0: Instant) -> Script<VisitorMachine> {
    let mut s = Script::new(VisitorMachine::new(config(t0), t0), t0);
    let req = s.expect("POST", "/api/account/1234/chat/request");
    s.respond(&req, created());
    s.take_events();
    s
}

#[test]
fn a_chat_is_requested_and_polled_through_next() {
    let t0 = Instant::now();
    let mut s = Script::new(VisitorMachine::new(config(t0), t0), t0);
    let req = s.expect("POST", "/api/account/1234/chat/request");
    assert_eq!(req.json()["request"]["skill"], "Sales");
    assert_eq!(
        req.header("authorization").as_deref(),
        Some("LivePerson appKey=app-key-721c")
    );
    assert_eq!(req.query("v").as_deref(), Some("1"));
    s.assert_quiet();
    s.respond(&req, created());
    assert_eq!(s.take_events(), [MachineEvent::ChatStarted(chat("H5K5"))]);
    assert_eq!(s.m.chat_href(), Some(CHAT_URL));

    let poll = s.expect("GET", "/chat/H5K5");
    assert_eq!(poll.query("from").as_deref(), Some("0"));
    s.respond(
        &poll,
        chat_page(&[(0, "system", "wait"), (1, "agent", "hi")], 2, "chatting"),
    );
    let events = s.take_events();
    assert_eq!(
        chat_events(&events),
        [("H5K5".into(), 0), ("H5K5".into(), 1)]
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, MachineEvent::InfoUpdated { .. })));

    // The next poll follows the `next` link, 2 s later, with our own `from`.
    let poll = s.wait_for("GET", "/chat/H5K5", 3 * SEC);
    assert_eq!(poll.at - t0, 2 * SEC);
    assert_eq!(poll.query("from").as_deref(), Some("2"));
    // The server repeats event 1: delivered once; the same info: no update.
    s.respond(
        &poll,
        chat_page(
            &[(1, "agent", "hi"), (2, "agent", "how can I help?")],
            3,
            "chatting",
        ),
    );
    let events = s.take_events();
    assert_eq!(chat_events(&events), [("H5K5".into(), 2)]);
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::InfoUpdated { .. })));
    assert_eq!(s.m.cursor_token().as_deref(), Some("lpc1.H5K5~2"));
}

#[test]
fn the_keepalive_reads_the_chat_information_every_30_seconds() {
    let t0 = Instant::now();
    let mut s = chatting(t0);
    let mut at = Vec::new();
    for _ in 0..2 {
        let info = loop {
            if let Some(r) = s.try_expect("GET", "/chat/H5K5/info") {
                break r;
            }
            while let Some(p) = s.try_expect("GET", "/chat/H5K5") {
                s.respond(&p, chat_page(&[], 0, "chatting"));
            }
            s.until_timeout();
        };
        at.push(info.at - t0);
        s.respond(
            &info,
            json(
                200,
                r#"{"info":{"state":"chatting","chatSessionKey":"H5K5","agentName":"Natalie"}}"#,
            ),
        );
    }
    assert_eq!(at, [30 * SEC, 60 * SEC]);
}

#[test]
fn lines_go_in_order_and_a_timed_out_line_is_looked_for_first() {
    let t0 = Instant::now();
    let mut s = chatting(t0);
    let poll = s.expect("GET", "/chat/H5K5");
    s.respond(&poll, chat_page(&[(0, "system", "wait")], 1, "chatting"));
    s.take_events();
    let l1 = s.m.send_line(NewEvent::plain("first"));
    let l2 = s.m.send_line(NewEvent::plain("second"));
    s.drain();
    let post = s.expect("POST", "/chat/H5K5/events");
    assert_eq!(post.json()["event"]["text"], "first");
    assert_eq!(s.count("POST", "/events"), 0, "one line in flight");
    s.fail(&post, FailureKind::Timeout);
    let check = loop {
        while let Some(p) = s.try_expect("GET", "/chat/H5K5") {
            s.respond(&p, chat_page(&[], 1, "chatting"));
        }
        if let Some(r) = s.try_expect("GET", "/chat/H5K5/events") {
            break r;
        }
        assert_eq!(s.count("POST", "/events"), 0, "blind re-send");
        s.until_timeout();
    };
    assert_eq!(check.query("from").as_deref(), Some("1"));
    s.respond(
        &check,
        json(200, r#"{"events":{"event":[{"@id":"1","@type":"line","text":"first","source":"visitor","by":"You"}]}}"#),
    );
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::LineDelivered {
        id: l1,
        chat: chat("H5K5"),
        event: Some(eid(1))
    }));
    assert_eq!(chat_events(&events), [("H5K5".into(), 1)]);
    let post = s.expect("POST", "/chat/H5K5/events");
    assert_eq!(post.json()["event"]["text"], "second");
    s.respond(
        &post,
        with_headers(201, &[("location", &format!("{CHAT_URL}/events/2"))], ""),
    );
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: l2,
        chat: chat("H5K5"),
        event: Some(eid(2))
    }));
}

#[test]
fn a_chat_request_of_unknown_outcome_is_not_repeated() {
    let t0 = Instant::now();
    let mut s = Script::new(VisitorMachine::new(config(t0), t0), t0);
    let req = s.expect("POST", "/chat/request");
    s.respond(&req, json(503, ""));
    let events = s.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [
                MachineEvent::SessionLost(SessionLostReason::OutcomeUnknown(_)),
                MachineEvent::Closed
            ]
        ),
        "{events:?}"
    );
    s.advance(60 * SEC);
    s.assert_quiet();

    // No connection at all: nothing was sent, so it is tried again after 5 s.
    let mut s = Script::new(VisitorMachine::new(config(t0), t0), t0);
    let req = s.expect("POST", "/chat/request");
    s.fail(&req, FailureKind::ConnectFailed);
    let again = s.wait_for("POST", "/chat/request", 6 * SEC);
    assert!(again.at - t0 >= Duration::from_millis(4500));
    // A refused app key.
    s.respond(&again, json(401, ""));
    assert!(s.take_events().contains(&MachineEvent::SessionLost(
        SessionLostReason::BadCredentials {
            status: http::StatusCode::UNAUTHORIZED
        }
    )));
    assert!(s.m.is_closed());
}

#[test]
fn name_and_typing_send_the_latest_wish() {
    let t0 = Instant::now();
    let mut s = chatting(t0);
    s.m.set_visitor_name("Natalie");
    s.m.set_typing(true);
    s.drain();
    let name = s.expect("PUT", "/chat/H5K5/info/visitorName");
    assert_eq!(name.json()["visitorName"], "Natalie");
    let typing = s.expect("PUT", "/chat/H5K5/info/visitorTyping");
    assert_eq!(typing.json()["visitorTyping"], "typing");
    s.m.set_typing(false);
    s.drain();
    assert_eq!(s.count("PUT", "/visitorTyping"), 0, "one at a time");
    s.respond(&typing, empty(200));
    let typing = s.expect("PUT", "/chat/H5K5/info/visitorTyping");
    assert_eq!(typing.json()["visitorTyping"], "not-typing");
    s.respond(&typing, empty(200));
    s.respond(&name, empty(201));
    assert_eq!(
        s.count("PUT", "/visitorName") + s.count("PUT", "/visitorTyping"),
        0
    );
}

#[test]
fn close_ends_the_chat_and_finishes_after_the_last_events() {
    let t0 = Instant::now();
    let mut s = chatting(t0);
    let poll = s.expect("GET", "/chat/H5K5");
    s.respond(&poll, chat_page(&[(0, "system", "wait")], 1, "chatting"));
    let bye = s.m.send_line(NewEvent::plain("bye"));
    s.m.close();
    s.drain();
    let post = s.expect("POST", "/chat/H5K5/events");
    assert_eq!(post.json()["event"]["text"], "bye");
    s.respond(
        &post,
        with_headers(201, &[("location", &format!("{CHAT_URL}/events/1"))], ""),
    );
    let end = s.expect("POST", "/chat/H5K5/events");
    assert_eq!(end.json()["event"]["state"], "ended");
    s.respond(
        &end,
        with_headers(201, &[("location", &format!("{CHAT_URL}/events/2"))], ""),
    );
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::LineDelivered {
        id: bye,
        chat: chat("H5K5"),
        event: Some(eid(1))
    }));
    // The answer that brings the `ended` event ends the chat: no poll more.
    let poll = s.wait_for("GET", "/chat/H5K5", 3 * SEC);
    s.respond(&poll, ended_page(&[(2, "ended")], 3));
    let events = s.take_events();
    assert_eq!(chat_events(&events), [("H5K5".into(), 2)]);
    assert_eq!(
        events[events.len() - 2..],
        [
            MachineEvent::ChatEnded {
                chat: chat("H5K5"),
                reason: EndReason::Ended
            },
            MachineEvent::Closed
        ]
    );
    assert!(s.m.is_closed());
    assert!(s.try_expect("GET", "/chat/H5K5").is_none());
    let late = s.m.send_line(NewEvent::plain("late"));
    s.drain();
    assert!(s.take_events().contains(&MachineEvent::LineFailed {
        id: late,
        chat: chat("H5K5"),
        reason: CommandFailure::Closed
    }));
    s.advance(60 * SEC);
    s.assert_quiet();
}

#[test]
fn a_chat_resumes_from_its_url_and_token() {
    let t0 = Instant::now();
    let cfg = config(t0).resume(CHAT_URL, "lpc1.H5K5~6").unwrap();
    let mut s = Script::new(VisitorMachine::new(cfg, t0), t0);
    assert_eq!(s.take_events(), [MachineEvent::ChatStarted(chat("H5K5"))]);
    assert_eq!(s.count("POST", "/chat/request"), 0);
    let poll = s.expect("GET", "/chat/H5K5");
    assert_eq!(poll.query("from").as_deref(), Some("7"));
    s.respond(
        &poll,
        chat_page(&[(6, "agent", "old"), (7, "agent", "new")], 8, "chatting"),
    );
    assert_eq!(chat_events(&s.take_events()), [("H5K5".into(), 7)]);
}

#[test]
fn a_chat_error_or_repeated_refusals_end_the_chat() {
    let t0 = Instant::now();
    let mut s = chatting(t0);
    let poll = s.expect("GET", "/chat/H5K5");
    s.respond(
        &poll,
        json(
            200,
            r#"{"chat":{"error":{"message":"chat not found","internalCode":39}}}"#,
        ),
    );
    assert_eq!(
        s.take_events(),
        [
            MachineEvent::ChatEnded {
                chat: chat("H5K5"),
                reason: EndReason::ServerError("chat not found".into())
            },
            MachineEvent::Closed
        ]
    );

    let mut s = chatting(t0);
    for _ in 0..3 {
        let poll = s.wait_for("GET", "/chat/H5K5", 3 * SEC);
        s.respond(
            &poll,
            json(
                404,
                r#"{"error":{"message":"not found","internalCode":12}}"#,
            ),
        );
    }
    let events = s.take_events();
    assert!(
        events.contains(&MachineEvent::ChatEnded {
            chat: chat("H5K5"),
            reason: EndReason::Gone
        }),
        "{events:?}"
    );
    assert!(s.m.is_closed());
}

#[test]
fn debug_shows_no_app_key() {
    let t0 = Instant::now();
    let s = chatting(t0);
    let d = format!("{:?}", s.m);
    assert!(!d.contains("app-key-721c"), "{d}");
}

/// The visitor's end is in flight when the poll sent beside it brings the `ended` event
/// (the server wrote the end before it answered the end's own request). The end is done:
/// it settles as delivered, not as an unknown outcome (a loaded e2e run saw
/// `Command(OutcomeUnknown)` from `VisitorChat::end` this way, with no fault injected).
#[test]
fn an_end_whose_answer_comes_after_the_ended_event_is_done() {
    let t0 = Instant::now();
    let mut s = chatting(t0);
    let poll = s.expect("GET", "/chat/H5K5");
    s.respond(&poll, chat_page(&[(0, "system", "wait")], 1, "chatting"));
    let poll = s.wait_for("GET", "/chat/H5K5", 3 * SEC);
    let end = s.m.end_chat();
    s.drain();
    let post = s.expect("POST", "/chat/H5K5/events");
    assert_eq!(post.json()["event"]["state"], "ended");
    // The poll's answer overtakes the end's.
    s.respond(&poll, ended_page(&[(1, "ended")], 2));
    let events = s.take_events();
    assert!(
        events.contains(&MachineEvent::LineDelivered {
            id: end,
            chat: chat("H5K5"),
            event: None
        }),
        "{events:#?}"
    );
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::LineFailed { .. })));
    assert_eq!(events.last(), Some(&MachineEvent::Closed));
    assert!(s.m.is_closed());
    // The late answer changes nothing.
    s.respond(
        &post,
        with_headers(201, &[("location", &format!("{CHAT_URL}/events/1"))], ""),
    );
    assert!(s.take_events().is_empty());
}

/// A line is in flight when the chat's `ended` event arrives (the agent ended the chat):
/// the machine waits for the line's answer before it finishes, so a line the server took
/// is reported delivered, and one it refused as rejected — never as unknown. Items queued
/// behind it were never sent and fail as `ChatEnded`.
#[test]
fn a_line_in_flight_when_the_chat_ends_settles_by_its_answer() {
    for (answer, want) in [
        (
            with_headers(201, &[("location", &format!("{CHAT_URL}/events/1"))], ""),
            None,
        ),
        (
            json(400, r#"{"error":{"message":"the chat has ended"}}"#),
            Some(CommandFailure::Rejected {
                status: http::StatusCode::BAD_REQUEST,
            }),
        ),
    ] {
        let t0 = Instant::now();
        let mut s = chatting(t0);
        let poll = s.expect("GET", "/chat/H5K5");
        s.respond(&poll, chat_page(&[(0, "system", "wait")], 1, "chatting"));
        let poll = s.wait_for("GET", "/chat/H5K5", 3 * SEC);
        let line = s.m.send_line(NewEvent::plain("still there?"));
        let behind = s.m.send_line(NewEvent::plain("hello?"));
        s.drain();
        let post = s.expect("POST", "/chat/H5K5/events");
        assert_eq!(post.json()["event"]["text"], "still there?");
        s.respond(&poll, ended_page(&[(1, "ended")], 2));
        let events = s.take_events();
        assert!(events.contains(&MachineEvent::ChatEnded {
            chat: chat("H5K5"),
            reason: EndReason::Ended
        }));
        assert!(events.contains(&MachineEvent::LineFailed {
            id: behind,
            chat: chat("H5K5"),
            reason: CommandFailure::ChatEnded
        }));
        assert!(!events.contains(&MachineEvent::Closed), "{events:#?}");
        assert!(!s.m.is_closed(), "finished with a line in flight");
        // Nothing else runs while the line settles.
        s.advance(10 * SEC);
        assert!(s.try_expect("GET", "/chat/H5K5").is_none());
        s.respond(&post, answer);
        let events = s.take_events();
        let settled = match want {
            None => MachineEvent::LineDelivered {
                id: line,
                chat: chat("H5K5"),
                event: Some(eid(1)),
            },
            Some(reason) => MachineEvent::LineFailed {
                id: line,
                chat: chat("H5K5"),
                reason,
            },
        };
        assert_eq!(events, [settled, MachineEvent::Closed]);
        assert!(s.m.is_closed());
    }
}

/// The visitor's poll whose answer never comes times out at the machine's deadline and the
/// chat goes on being polled.
#[test]
fn a_visitor_poll_whose_answer_never_comes_times_out_at_the_deadline() {
    let t0 = Instant::now();
    let mut s = Script::new(
        VisitorMachine::new(config(t0).with_request_deadline(15 * SEC), t0),
        t0,
    );
    let req = s.expect("POST", "/api/account/1234/chat/request");
    s.respond(&req, created());
    s.take_events();
    let lost = s.expect("GET", "/chat/H5K5");
    assert_eq!(s.timeout, Some(lost.at + 15 * SEC));
    let again = s.wait_for("GET", "/chat/H5K5", 25 * SEC);
    assert!(again.at - lost.at >= 15 * SEC);
    s.respond(&again, chat_page(&[(0, "system", "wait")], 1, "chatting"));
    assert_eq!(chat_events(&s.take_events()), [("H5K5".into(), 0)]);
    assert!(!s.m.is_closed());
}
