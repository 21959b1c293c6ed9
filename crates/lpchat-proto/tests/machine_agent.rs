//! The agent session machine by script: retries on schedule (5xx, 429 with `Retry-After`),
//! lines that timed out are reconciled instead of re-sent blindly, multi-chat polling that
//! delivers each event once, forced Away, resuming from a token, accepting, ending,
//! ordering and transfers.

mod machine_support;

use std::time::{Duration, Instant};

use lpchat_proto::machine::{
    AgentMachine, CommandFailure, EndReason, FailureKind, ForcedAwayPolicy, Machine, MachineEvent,
};
use lpchat_proto::model::{AgentState, NewEvent, TransferRequest};
use machine_support::*;

const SEC: Duration = Duration::from_secs(1);

fn within(d: Duration, lo: f64, hi: f64) -> bool {
    let s = d.as_secs_f64();
    (lo..=hi).contains(&s)
}

/// A started machine whose only fast loop is the incoming poll.
fn incoming_only(t0: Instant) -> Script<AgentMachine> {
    let mut cfg = user_config(t0);
    cfg.incoming_interval = Duration::from_secs(2);
    started(cfg, t0)
}

/// A started machine following chats from `token`, with the incoming poll quiet.
fn following(t0: Instant, token: &str) -> Script<AgentMachine> {
    let cfg = user_config(t0).resume_from(token).unwrap();
    started(cfg, t0)
}

#[test]
fn server_errors_are_retried_after_5_10_15_seconds_then_the_outer_loop() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    let mut req = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    let mut pauses = Vec::new();
    for _ in 0..4 {
        let failed_at = s.now;
        s.respond(&req, json(500, ""));
        req = s.wait_for("GET", "/incomingRequests", 200 * SEC);
        pauses.push(req.at - failed_at);
    }
    assert!(within(pauses[0], 4.5, 5.5), "{pauses:?}");
    assert!(within(pauses[1], 9.0, 11.0), "{pauses:?}");
    assert!(within(pauses[2], 13.5, 16.5), "{pauses:?}");
    assert!(within(pauses[3], 108.0, 132.0), "{pauses:?}");
    // Success brings the 2 s cadence back.
    s.respond(&req, ringing(0));
    let ok_at = s.now;
    let next = s.wait_for("GET", "/incomingRequests", 5 * SEC);
    assert_eq!(next.at - ok_at, 2 * SEC);
}

#[test]
fn jitter_comes_from_the_seed() {
    let pause_with = |seed: u64| {
        let t0 = Instant::now();
        let mut cfg = user_config(t0).with_seed(seed);
        cfg.incoming_interval = Duration::from_secs(2);
        let mut s = started(cfg, t0);
        let req = s.wait_for("GET", "/incomingRequests", 3 * SEC);
        let at = s.now;
        s.respond(&req, json(502, ""));
        s.wait_for("GET", "/incomingRequests", 10 * SEC).at - at
    };
    assert_eq!(pause_with(1), pause_with(1));
    let pauses: Vec<Duration> = (0..8).map(pause_with).collect();
    assert!(pauses.iter().any(|p| *p != pauses[0]), "{pauses:?}");
}

#[test]
fn too_many_requests_waits_as_long_as_retry_after_says() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    let req = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    let at = s.now;
    s.respond(&req, with_headers(429, &[("retry-after", "7")], ""));
    let again = s.wait_for("GET", "/incomingRequests", 20 * SEC);
    assert!(within(again.at - at, 7.0, 7.7), "{:?}", again.at - at);

    // The date form, read against the response's own Date.
    let at = s.now;
    s.respond(
        &again,
        with_headers(
            429,
            &[
                ("date", "Sun, 06 Nov 1994 08:49:37 GMT"),
                ("retry-after", "Sun, 06 Nov 1994 08:50:07 GMT"),
            ],
            "",
        ),
    );
    let third = s.wait_for("GET", "/incomingRequests", 60 * SEC);
    assert!(within(third.at - at, 30.0, 33.0), "{:?}", third.at - at);
    // A 429 without Retry-After waits at least a second.
    let at = s.now;
    s.respond(&third, json(429, ""));
    let fourth = s.wait_for("GET", "/incomingRequests", 60 * SEC);
    assert!(within(fourth.at - at, 1.0, 1.1), "{:?}", fourth.at - at);
}

/// Answers every multi-chat poll outstanding with its chats and nothing new.
fn quiet_polls(s: &mut Script<AgentMachine>) {
    while let Some(p) = s.try_expect("GET", "/agentSession/777/chat") {
        let keys = p.query("chatSessionKeys").unwrap_or_default();
        let chats: Vec<String> = keys.split(',').map(|k| chat_body(k, &[])).collect();
        s.respond(&p, json(200, &chats_body(&chats)));
    }
}

#[test]
fn a_line_that_timed_out_is_found_in_the_events_and_not_sent_again() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C1~4");
    let poll = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("C1"));
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("5"));
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[chat_body("C1", &[line(5, "visitor", "hi")])]),
        ),
    );
    assert_eq!(chat_events(&s.take_events()), [("C1".to_owned(), 5)]);

    let id = s.m.send_line(&chat("C1"), NewEvent::plain("hello"));
    s.drain();
    let post = s.expect("POST", "/agentSession/777/chat/C1/events");
    assert_eq!(post.json()["event"]["@type"], "line");
    assert_eq!(post.json()["event"]["text"], "hello");
    s.fail(&post, FailureKind::Timeout);
    s.assert_quiet();

    // After the pause the machine reads the events from where the chat stood, not a POST.
    let check = loop {
        quiet_polls(&mut s);
        if let Some(r) = s.try_expect("GET", "/agentSession/777/chat/C1/events") {
            break r;
        }
        assert_eq!(s.count("POST", "/events"), 0, "blind re-send");
        s.until_timeout();
    };
    assert!(within(check.at - post.at, 4.5, 5.5));
    assert_eq!(check.query("from").as_deref(), Some("6"));
    s.respond(
        &check,
        json(
            200,
            &events_body(&[line(6, "agent", "hello"), line(7, "visitor", "thanks")]),
        ),
    );
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::LineDelivered {
        id,
        chat: chat("C1"),
        event: Some(eid(6)),
    }));
    assert_eq!(
        chat_events(&events),
        [("C1".to_owned(), 6), ("C1".to_owned(), 7)]
    );

    // The poll repeats the events: nothing is delivered twice, nothing is posted again.
    s.advance(3 * SEC);
    let poll = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("8"));
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[chat_body(
                "C1",
                &[line(6, "agent", "hello"), line(7, "visitor", "thanks")],
            )]),
        ),
    );
    assert!(chat_events(&s.take_events()).is_empty());
    s.advance(60 * SEC);
    quiet_polls(&mut s);
    let posts = s
        .log
        .iter()
        .filter(|r| r.method == http::Method::POST && r.path().ends_with("/events"))
        .count();
    assert_eq!(posts, 1);
}

#[test]
fn a_line_that_timed_out_and_is_not_in_the_events_is_sent_once_more() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C1~4");
    quiet_polls(&mut s);
    let id = s.m.send_line(&chat("C1"), NewEvent::plain("hello"));
    s.drain();
    let post = s.expect("POST", "/chat/C1/events");
    s.fail(&post, FailureKind::ConnectionDropped);
    let check = loop {
        quiet_polls(&mut s);
        if let Some(r) = s.try_expect("GET", "/chat/C1/events") {
            break r;
        }
        s.until_timeout();
    };
    assert_eq!(check.query("from").as_deref(), Some("5"));
    // Someone else's line with the same text does not count.
    s.respond(
        &check,
        json(200, &events_body(&[line(5, "visitor", "hello")])),
    );
    let again = s.expect("POST", "/chat/C1/events");
    assert_eq!(again.json()["event"]["text"], "hello");
    s.assert_quiet();
    s.respond(
        &again,
        json(
            201,
            &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/C1/events/6","@rel":"location"}}}}}}"#),
        ),
    );
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id,
        chat: chat("C1"),
        event: Some(eid(6)),
    }));
    s.advance(60 * SEC);
    quiet_polls(&mut s);
    let posts = s
        .log
        .iter()
        .filter(|r| r.method == http::Method::POST && r.path().ends_with("/events"))
        .count();
    assert_eq!(posts, 2);
}

#[test]
fn a_line_refused_with_4xx_fails_and_the_next_one_goes() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C1~4");
    quiet_polls(&mut s);
    let first = s.m.send_line(&chat("C1"), NewEvent::plain("one"));
    let second = s.m.send_line(&chat("C1"), NewEvent::plain("two"));
    s.drain();
    // One line in flight per chat.
    let post = s.expect("POST", "/chat/C1/events");
    assert_eq!(post.json()["event"]["text"], "one");
    s.assert_quiet();
    s.respond(&post, json(400, r#"{"error":{"message":"bad line"}}"#));
    assert!(s.take_events().contains(&MachineEvent::LineFailed {
        id: first,
        chat: chat("C1"),
        reason: CommandFailure::Rejected {
            status: http::StatusCode::BAD_REQUEST
        },
    }));
    let post = s.expect("POST", "/chat/C1/events");
    assert_eq!(post.json()["event"]["text"], "two");
    s.respond(&post, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/C1/events/9","@rel":"location"}}}}}}"#)));
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: second,
        chat: chat("C1"),
        event: Some(eid(9)),
    }));
    // A chat the machine does not follow.
    let other = s.m.send_line(&chat("NOPE"), NewEvent::plain("x"));
    s.drain();
    assert!(s.take_events().contains(&MachineEvent::LineFailed {
        id: other,
        chat: chat("NOPE"),
        reason: CommandFailure::UnknownChat,
    }));
    s.assert_quiet();
}

#[test]
fn multi_chat_polling_delivers_each_event_once() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.A~.B~2");
    let poll = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("A,B"));
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("0,3"));
    let a = |ids: &[u64]| {
        chat_body(
            "A",
            &ids.iter()
                .map(|i| line(*i, "visitor", &format!("a{i}")))
                .collect::<Vec<_>>(),
        )
    };
    let b = |ids: &[u64]| {
        chat_body(
            "B",
            &ids.iter()
                .map(|i| line(*i, "visitor", &format!("b{i}")))
                .collect::<Vec<_>>(),
        )
    };
    s.respond(
        &poll,
        json(200, &chats_body(&[b(&[2, 3, 4]), a(&[0, 1, 2])])),
    );
    let mut all = chat_events(&s.take_events());
    assert_eq!(
        all,
        [
            ("B".into(), 3),
            ("B".into(), 4),
            ("A".into(), 0),
            ("A".into(), 1),
            ("A".into(), 2)
        ]
    );

    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert_eq!(poll.at - t0, 2 * SEC, "the poll interval");
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("3,5"));
    s.respond(
        &poll,
        json(200, &chats_body(&[a(&[3, 1, 2, 3]), b(&[4, 5, 5])])),
    );
    let got = chat_events(&s.take_events());
    assert_eq!(got, [("A".into(), 3), ("B".into(), 5)]);
    all.extend(got);

    // The same answer again, and an empty one: nothing.
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("4,6"));
    s.respond(
        &poll,
        json(200, &chats_body(&[a(&[3, 1, 2, 3]), b(&[4, 5, 5])])),
    );
    assert!(chat_events(&s.take_events()).is_empty());
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    s.respond(&poll, json(200, r#"{"chats":""}"#));
    assert!(chat_events(&s.take_events()).is_empty());
    assert_eq!(
        s.m.chats().len(),
        2,
        "a chat missing from one answer is not gone"
    );
    assert_eq!(s.m.cursor_token(), "lpc1.A~3.B~5");
    let mut dedup = all.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), all.len());
}

#[test]
fn the_poll_is_never_faster_than_two_seconds() {
    let t0 = Instant::now();
    let cfg = user_config(t0)
        .resume_from("lpc1.A~")
        .unwrap()
        .with_poll_interval(Duration::from_millis(100));
    let mut s = started(cfg, t0);
    let mut last = None;
    for _ in 0..5 {
        let p = s.wait_for("GET", "/agentSession/777/chat", 5 * SEC);
        if let Some(prev) = last {
            assert!(p.at - prev >= 2 * SEC);
        }
        last = Some(p.at);
        s.respond(&p, json(200, &chats_body(&[chat_body("A", &[])])));
    }
}

#[test]
fn forced_away_is_detected_and_online_set_again() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0).with_initial_availability(Some(AgentState::Online));
    cfg.availability_interval = Duration::from_secs(10);
    let mut s = Script::new(AgentMachine::new(cfg, t0), t0);
    let login = s.expect("POST", "/login");
    s.respond(&login, login_ok("28800000", "b"));
    let start = s.expect("POST", "/agentSession");
    s.respond(&start, session_created());
    let set = s.expect("PUT", "/agentSession/777/availability");
    assert_eq!(set.json()["availability"]["chat"], "Online");
    s.respond(&set, availability("Online"));
    assert!(s
        .take_events()
        .contains(&MachineEvent::AvailabilityChanged(AgentState::Online)));

    let get = s.wait_for("GET", "/agentSession/777/availability", 11 * SEC);
    assert_eq!(get.at - t0, 10 * SEC);
    s.respond(&get, availability("Away"));
    assert!(s.take_events().contains(&MachineEvent::AvailabilityForced {
        wanted: AgentState::Online,
        seen: AgentState::Away,
    }));
    let set = s.expect("PUT", "/agentSession/777/availability");
    assert_eq!(set.json()["availability"]["chat"], "Online");
    s.respond(&set, availability("Online"));
    let get = s.wait_for("GET", "/agentSession/777/availability", 11 * SEC);
    s.respond(&get, availability("Online"));
    let events = s.take_events();
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::AvailabilityForced { .. })));

    // With the Adopt policy the machine takes Away as the new wish.
    s.m.set_forced_away_policy(ForcedAwayPolicy::Adopt);
    let get = s.wait_for("GET", "/agentSession/777/availability", 11 * SEC);
    s.respond(&get, availability("Away"));
    assert!(s
        .take_events()
        .iter()
        .any(|e| matches!(e, MachineEvent::AvailabilityForced { .. })));
    assert_eq!(s.m.wanted_availability(), Some(&AgentState::Away));
    assert_eq!(s.count("PUT", "/availability"), 0);
}

#[test]
fn a_session_resumes_from_a_token_with_nothing_repeated_or_skipped() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.H1-abK2~7");
    let poll = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("H1-abK2"));
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("8"));
    let events: Vec<String> = (5..=10).map(|i| line(i, "visitor", "x")).collect();
    s.respond(
        &poll,
        json(200, &chats_body(&[chat_body("H1-abK2", &events)])),
    );
    assert_eq!(
        chat_events(&s.take_events()),
        [
            ("H1-abK2".into(), 8),
            ("H1-abK2".into(), 9),
            ("H1-abK2".into(), 10)
        ]
    );
    let token = s.m.cursor_token();
    assert_eq!(token, "lpc1.H1-abK2~10");

    // A second machine from that token goes on at 11.
    let t1 = s.now;
    let mut s2 = following(t1, &token);
    let poll = s2.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("11"));
    let events: Vec<String> = (9..=11).map(|i| line(i, "visitor", "x")).collect();
    s2.respond(
        &poll,
        json(200, &chats_body(&[chat_body("H1-abK2", &events)])),
    );
    assert_eq!(chat_events(&s2.take_events()), [("H1-abK2".into(), 11)]);
}

#[test]
fn an_offered_chat_is_accepted_and_polled() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(1));
    assert!(s
        .take_events()
        .contains(&MachineEvent::ChatOffered { ringing_count: 1 }));
    s.m.accept_next();
    s.drain();
    let accept = s.expect("POST", "/agentSession/777/incomingRequests");
    assert_eq!(accept.json(), serde_json::json!({}));
    s.respond(
        &accept,
        json(201, &format!(r#"{{"chatLocation":{{"link":{{"@href":"{SESSION}/chat/H9K9","@rel":"location"}}}}}}"#)),
    );
    assert!(s
        .take_events()
        .contains(&MachineEvent::ChatAccepted(chat("H9K9"))));
    let poll = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("H9K9"));
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("0"));
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[chat_body("H9K9", &[state(0, "chatting")])]),
        ),
    );
    assert_eq!(chat_events(&s.take_events()), [("H9K9".into(), 0)]);
    // The last count said nothing rings: accepting counts again at once (that count may be
    // a poll interval old), and on a fresh 0 fails without an accept request.
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(0));
    s.advance(SEC / 2);
    s.m.accept_next();
    s.drain();
    let recount = s.expect("GET", "/incomingRequests");
    assert_eq!(recount.at, s.now, "the count waited for the poll interval");
    assert_eq!(s.count("POST", "/incomingRequests"), 0);
    s.respond(&recount, ringing(0));
    assert!(s
        .take_events()
        .contains(&MachineEvent::AcceptFailed(CommandFailure::NothingToDo)));
    assert_eq!(s.count("POST", "/incomingRequests"), 0);
}

/// A chat that rings between two incoming polls is accepted when asked for: the stale count
/// of 0 is read again, not taken as the answer (under load, a chat that rang for its few
/// seconds between two polls could never be accepted).
#[test]
fn an_accept_after_a_count_of_zero_reads_the_count_again_and_accepts() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(0));
    s.advance(SEC);
    s.m.accept_next();
    s.drain();
    let recount = s.expect("GET", "/incomingRequests");
    s.respond(&recount, ringing(1));
    let accept = s.expect("POST", "/agentSession/777/incomingRequests");
    s.respond(
        &accept,
        json(
            201,
            &format!(
                r#"{{"chatLocation":{{"link":{{"@href":"{SESSION}/chat/R1","@rel":"location"}}}}}}"#
            ),
        ),
    );
    assert!(s
        .take_events()
        .contains(&MachineEvent::ChatAccepted(chat("R1"))));
    // Paused polling still lets the count an accept waits for go out.
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(0));
    s.m.set_polling_paused(true);
    s.m.accept_next();
    s.drain();
    let recount = s.expect("GET", "/incomingRequests");
    s.respond(&recount, ringing(0));
    assert!(s
        .take_events()
        .contains(&MachineEvent::AcceptFailed(CommandFailure::NothingToDo)));
}

/// An accept asked for just after the session started, before its first count, waits for
/// that count rather than posting blind: on 0 it fails with `NothingToDo` (not with the
/// server's answer to an accept with nothing ringing), on 1 it accepts.
#[test]
fn an_accept_before_the_first_count_waits_for_it() {
    let t0 = Instant::now();
    let first_count = |count: u64| {
        let mut cfg = user_config(t0);
        cfg.incoming_interval = Duration::from_secs(2);
        let mut s = started_before_count(cfg, t0);
        let first = s.expect("GET", "/agentSession/777/incomingRequests");
        s.m.accept_next();
        s.drain();
        let blind = s.count("POST", "/incomingRequests");
        assert_eq!(blind, 0, "an accept went out before the first count");
        s.respond(&first, ringing(count));
        s
    };

    let mut s = first_count(0);
    assert!(s
        .take_events()
        .contains(&MachineEvent::AcceptFailed(CommandFailure::NothingToDo)));
    assert_eq!(s.count("POST", "/incomingRequests"), 0);

    let mut s = first_count(1);
    let accept = s.expect("POST", "/agentSession/777/incomingRequests");
    s.respond(
        &accept,
        json(
            201,
            &format!(
                r#"{{"chatLocation":{{"link":{{"@href":"{SESSION}/chat/F1","@rel":"location"}}}}}}"#
            ),
        ),
    );
    assert!(s
        .take_events()
        .contains(&MachineEvent::ChatAccepted(chat("F1"))));
}

#[test]
fn a_chat_that_rings_while_others_ring_is_offered_too() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    let offers = |events: &[MachineEvent]| {
        events
            .iter()
            .filter_map(|e| match e {
                MachineEvent::ChatOffered { ringing_count } => Some(*ringing_count),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(2));
    assert_eq!(offers(&s.take_events()), [2]);
    // One of the two is accepted here; the next poll shows one still ringing: nothing new.
    s.m.accept_next();
    s.drain();
    let accept = s.expect("POST", "/agentSession/777/incomingRequests");
    s.respond(&accept, accepted_at("A1K1"));
    s.take_events();
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(1));
    assert_eq!(offers(&s.take_events()), Vec::<u64>::new());
    // A new chat rings beside the one left, the count never falling to 0: offered.
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(2));
    assert_eq!(offers(&s.take_events()), [2]);
}

fn accepted_at(key: &str) -> http::Response<bytes::Bytes> {
    json(
        201,
        &format!(
            r#"{{"chatLocation":{{"link":{{"@href":"{SESSION}/chat/{key}","@rel":"location"}}}}}}"#
        ),
    )
}

#[test]
fn auto_accept_takes_every_ringing_chat_at_once_then_what_rings_later() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0).with_auto_accept(true);
    cfg.incoming_interval = Duration::from_secs(2);
    let mut s = started(cfg, t0);
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(3));
    // Three chats ring: three accepts, one after the other, with no wait for a poll.
    let polled_at = s.now;
    for key in ["A1K1", "A2K2", "A3K3"] {
        s.drain();
        let accept = s.expect("POST", "/agentSession/777/incomingRequests");
        assert_eq!(accept.at, polled_at, "{key} waited");
        s.respond(&accept, accepted_at(key));
        assert!(s
            .take_events()
            .contains(&MachineEvent::ChatAccepted(chat(key))));
    }
    s.drain();
    assert_eq!(s.count("POST", "/incomingRequests"), 0, "a fourth accept");
    // A chat that rings later (or one still counted) is taken from the next poll on.
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(1));
    s.drain();
    let accept = s.expect("POST", "/agentSession/777/incomingRequests");
    s.respond(&accept, accepted_at("A4K4"));
    assert!(s
        .take_events()
        .contains(&MachineEvent::ChatAccepted(chat("A4K4"))));
    s.drain();
    assert_eq!(s.count("POST", "/incomingRequests"), 0);
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(0));
    s.drain();
    assert_eq!(s.count("POST", "/incomingRequests"), 0);
    for key in ["A1K1", "A2K2", "A3K3", "A4K4"] {
        assert!(s.m.chats().contains(&chat(key)), "{key} not followed");
    }
}

#[test]
fn an_accept_of_unknown_outcome_is_settled_through_chat_sessions() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    let inc = s.wait_for("GET", "/incomingRequests", 3 * SEC);
    s.respond(&inc, ringing(2));
    s.m.accept_next();
    s.drain();
    let accept = s.expect("POST", "/incomingRequests");
    s.respond(&accept, json(504, ""));
    let check = loop {
        if let Some(r) = s.try_expect("GET", "/agentSession/777/chatSessions") {
            break r;
        }
        while let Some(r) = s.try_expect("GET", "/incomingRequests") {
            s.respond(&r, ringing(2));
        }
        assert_eq!(s.count("POST", "/incomingRequests"), 0, "blind re-accept");
        s.until_timeout();
    };
    s.respond(
        &check,
        json(200, &format!(r#"{{"chatSessions":{{"chatSession":[{{"link":{{"href":"{SESSION}/chat/NEW1","rel":"chat-session"}},"chatSessionKey":"NEW1","startTime":1440934609097}}]}}}}"#)),
    );
    assert!(s
        .take_events()
        .contains(&MachineEvent::ChatAccepted(chat("NEW1"))));
    assert_eq!(s.count("POST", "/incomingRequests"), 0);
    assert!(s.m.chats().contains(&chat("NEW1")));
}

#[test]
fn an_ended_chat_ends_with_the_answer_that_brings_its_end() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.E~1");
    let poll = s.expect("GET", "/agentSession/777/chat");
    // The end's system line may come before or after the `ended` event: both are in the
    // answer, as one server operation wrote them.
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[chat_body(
                "E",
                &[
                    line(2, "visitor", "bye"),
                    state(3, "ended"),
                    line(4, "system", "ended by agent"),
                ],
            )]),
        ),
    );
    let events = s.take_events();
    assert_eq!(
        chat_events(&events),
        [("E".into(), 2), ("E".into(), 3), ("E".into(), 4)]
    );
    // ChatEnded comes with that answer, after its events: no poll more.
    assert_eq!(
        events.last(),
        Some(&MachineEvent::ChatEnded {
            chat: chat("E"),
            reason: EndReason::Ended,
        })
    );
    assert!(s.m.chats().is_empty());
    assert_eq!(s.m.cursor_token(), "lpc1.");
    s.advance(30 * SEC);
    assert_eq!(polled_after(&s, 0), ["E"]);
    let line_id = s.m.send_line(&chat("E"), NewEvent::plain("late"));
    s.drain();
    assert!(s.take_events().contains(&MachineEvent::LineFailed {
        id: line_id,
        chat: chat("E"),
        reason: CommandFailure::UnknownChat,
    }));
}

#[test]
fn a_chat_whose_information_says_ended_before_its_event_is_polled_until_nothing_new() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.E~1");
    let poll = s.expect("GET", "/agentSession/777/chat");
    let ended_info =
        |events: &[String]| chats_body(&[chat_with_info("E", events, r#""state":"ended""#)]);
    s.respond(&poll, json(200, &ended_info(&[line(2, "visitor", "bye")])));
    let events = s.take_events();
    assert_eq!(chat_events(&events), [("E".into(), 2)]);
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::ChatEnded { .. })));
    // The `ended` event was not in that answer: the next one brings it.
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("3"));
    s.respond(&poll, json(200, &ended_info(&[])));
    assert!(s.take_events().contains(&MachineEvent::ChatEnded {
        chat: chat("E"),
        reason: EndReason::Ended,
    }));
    assert!(s.m.chats().is_empty());
}

/// One chat of a multi-chat body, with these members in its information.
fn chat_with_info(id: &str, events: &[String], info: &str) -> String {
    format!(
        r#"{{"link":[{{"href":"{SESSION}/chat/{id}","rel":"self"}}],"events":{{"event":[{}]}},"info":{{"chatSessionKey":"{id}",{info}}}}}"#,
        events.join(",")
    )
}

/// One chat of a multi-chat body with no information.
fn chat_without_info(id: &str, events: &[String]) -> String {
    format!(
        r#"{{"link":[{{"href":"{SESSION}/chat/{id}","rel":"self"}}],"events":{{"event":[{}]}}}}"#,
        events.join(",")
    )
}

/// The chat ids every multi-chat poll logged after index `from` asked for.
fn polled_after(s: &Script<AgentMachine>, from: usize) -> Vec<String> {
    s.log
        .iter()
        .skip(from)
        .filter(|r| r.path().ends_with("/agentSession/777/chat"))
        .filter_map(|r| r.query("chatSessionKeys"))
        .collect()
}

/// Asserts that `events` delivered `ids` of `chat`, then ended it for `reason`.
fn delivered_then_over(events: &[MachineEvent], chat_id: &str, ids: &[u64], reason: EndReason) {
    let mine: Vec<u64> = chat_events(events)
        .into_iter()
        .filter(|(c, _)| c == chat_id)
        .map(|(_, id)| id)
        .collect();
    assert_eq!(mine, ids, "{events:?}");
    let ended = events
        .iter()
        .position(|e| {
            *e == MachineEvent::ChatEnded {
                chat: chat(chat_id),
                reason: reason.clone(),
            }
        })
        .unwrap_or_else(|| panic!("no ChatEnded {reason:?}: {events:?}"));
    let last_event = events.iter().rposition(
        |e| matches!(e, MachineEvent::ChatEvent { chat, .. } if chat.as_str() == chat_id),
    );
    assert!(last_event.is_none_or(|i| i < ended), "{events:?}");
}

#[test]
fn a_chat_back_in_the_queue_leaves_after_its_events() {
    // Requeued (system message 23) or transferred by another session (15): the server
    // still answers for the chat, and shows it waiting.
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.Q~3.K~3");
    let poll = s.expect("GET", "/agentSession/777/chat");
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[
                chat_body("K", &[]),
                chat_with_info(
                    "Q",
                    &[line(4, "system", "requeued"), state(5, "waiting")],
                    r#""state":"waiting""#,
                ),
            ]),
        ),
    );
    delivered_then_over(&s.take_events(), "Q", &[4, 5], EndReason::Left);
    assert_eq!(s.m.chats(), [chat("K")]);
    let mark = s.log.len();
    for _ in 0..3 {
        let p = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
        s.respond(&p, json(200, &chats_body(&[chat_body("K", &[])])));
    }
    assert_eq!(polled_after(&s, mark), ["K", "K", "K"]);
}

#[test]
fn a_chat_taken_by_another_agent_leaves() {
    // A9 named this agent 42; the chat's information named it too, then another agent.
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.T~0");
    let p = s.expect("GET", "/agentSession/777/chat");
    let mine = r#""state":"chatting","agentId":42"#;
    s.respond(
        &p,
        json(200, &chats_body(&[chat_with_info("T", &[], mine)])),
    );
    assert!(!s
        .take_events()
        .iter()
        .any(|e| matches!(e, MachineEvent::ChatEnded { .. })));
    let p = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    let theirs = r#""state":"chatting","agentId":"99""#;
    s.respond(
        &p,
        json(
            200,
            &chats_body(&[chat_with_info(
                "T",
                &[
                    line(1, "system", "transferred"),
                    line(2, "system", "now with Bob"),
                ],
                theirs,
            )]),
        ),
    );
    delivered_then_over(&s.take_events(), "T", &[1, 2], EndReason::Left);
    assert!(s.m.chats().is_empty());
    s.advance(20 * SEC);
    assert!(s.try_expect("GET", "/agentSession/777/chat").is_none());
}

#[test]
fn an_agent_id_never_seen_as_this_agent_does_not_make_a_chat_leave() {
    // A server whose chat information writes agent ids unlike A9: never a false "left".
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.T~0");
    for _ in 0..2 {
        let p = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
        let info = r#""state":"chatting","agentId":"agent-x""#;
        s.respond(
            &p,
            json(200, &chats_body(&[chat_with_info("T", &[], info)])),
        );
    }
    assert_eq!(s.m.chats(), [chat("T")]);
}

#[test]
fn a_chat_without_information_leaves_on_a_waiting_state_event() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.W~2");
    let p = s.expect("GET", "/agentSession/777/chat");
    s.respond(
        &p,
        json(
            200,
            &chats_body(&[chat_without_info(
                "W",
                &[line(3, "system", "transferred"), state(4, "waiting")],
            )]),
        ),
    );
    delivered_then_over(&s.take_events(), "W", &[3, 4], EndReason::Left);
}

#[test]
fn a_chat_refused_with_403_is_found_by_polling_each_chat_alone_then_leaves() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.A~0.B~0");
    let p = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(p.query("chatSessionKeys").as_deref(), Some("A,B"));
    s.respond(&p, json(403, r#"{"error":{"message":"not your chat"}}"#));
    // The next round asks for each chat alone, the first after the interval.
    let a = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert!(a.at - p.at >= 2 * SEC);
    assert_eq!(a.query("chatSessionKeys").as_deref(), Some("A"));
    s.respond(
        &a,
        json(
            200,
            &chats_body(&[chat_body("A", &[line(1, "visitor", "hi")])]),
        ),
    );
    assert_eq!(chat_events(&s.take_events()), [("A".into(), 1)]);
    let b = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(b.query("chatSessionKeys").as_deref(), Some("B"));
    assert_eq!(b.query("fromEventIds").as_deref(), Some("1"));
    s.respond(&b, json(404, ""));
    // Refused alone: the agent's chat sessions tell whether it is still the agent's.
    let verify = s.expect("GET", "/agentSession/777/chatSessions");
    s.respond(
        &verify,
        json(
            200,
            r#"{"chatSessions":{"chatSession":[{"chatSessionKey":"A","startTime":1}]}}"#,
        ),
    );
    assert!(s.take_events().contains(&MachineEvent::ChatEnded {
        chat: chat("B"),
        reason: EndReason::Left,
    }));
    assert_eq!(s.m.chats(), [chat("A")]);
    let mark = s.log.len();
    for _ in 0..2 {
        let p = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
        s.respond(&p, json(200, &chats_body(&[chat_body("A", &[])])));
    }
    assert_eq!(polled_after(&s, mark), ["A", "A"]);
}

#[test]
fn a_refusal_of_the_session_itself_leaves_no_chat() {
    // 404 to the chat and to the chat sessions: the agent session is the trouble, not the
    // chat. It stays followed, polled again after the pause of a refused poll.
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C~0");
    let p = s.expect("GET", "/agentSession/777/chat");
    s.respond(&p, json(404, ""));
    let verify = s.expect("GET", "/agentSession/777/chatSessions");
    s.respond(&verify, json(404, ""));
    let events = s.take_events();
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::ChatEnded { .. })));
    assert!(events.iter().any(|e| matches!(e, MachineEvent::Error(_))));
    assert_eq!(s.m.chats(), [chat("C")]);
    let again = s.wait_for("GET", "/agentSession/777/chat", 200 * SEC);
    assert!(again.at - p.at >= 100 * SEC);
    assert_eq!(again.query("chatSessionKeys").as_deref(), Some("C"));
}

#[test]
fn unfollow_stops_polling_a_chat_and_fails_what_is_queued_on_it() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.U~0.K~0");
    quiet_polls(&mut s);
    let sent = s.m.send_line(&chat("U"), NewEvent::plain("one"));
    let queued = s.m.send_line(&chat("U"), NewEvent::plain("two"));
    s.drain();
    let post = s.expect("POST", "/chat/U/events");
    s.m.unfollow(&chat("U"));
    s.drain();
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::ChatEnded {
        chat: chat("U"),
        reason: EndReason::Unfollowed,
    }));
    assert!(events.contains(&MachineEvent::LineFailed {
        id: queued,
        chat: chat("U"),
        reason: CommandFailure::UnknownChat,
    }));
    // The line already sent still settles.
    s.respond(&post, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/U/events/1","@rel":"location"}}}}}}"#)));
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: sent,
        chat: chat("U"),
        event: Some(eid(1)),
    }));
    let mark = s.log.len();
    s.advance(3 * SEC);
    quiet_polls(&mut s);
    assert_eq!(polled_after(&s, mark), ["K"]);
    // Followed again, it goes on from where it stopped.
    s.m.follow_chat(chat("U"));
    s.drain();
    s.advance(3 * SEC);
    let p = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(p.query("chatSessionKeys").as_deref(), Some("K,U"));
    assert_eq!(p.query("fromEventIds").as_deref(), Some("1,1"));
}

#[test]
fn chats_missing_from_the_answers_are_looked_up_before_they_count_as_gone() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.K~0.G~0");
    for _ in 0..3 {
        let p = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
        s.respond(&p, json(200, r#"{"chats":{}}"#));
    }
    let verify = s.expect("GET", "/agentSession/777/chatSessions");
    s.respond(
        &verify,
        json(
            200,
            r#"{"chatSessions":{"chatSession":[{"chatSessionKey":"K","startTime":1}]}}"#,
        ),
    );
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::ChatEnded {
        chat: chat("G"),
        reason: EndReason::Gone
    }));
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::ChatEnded { chat, .. } if chat.as_str() == "K")));
    assert_eq!(s.m.chats(), [chat("K")]);
}

#[test]
fn end_and_transfer_follow_the_lines_before_them() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.T~0.U~0");
    quiet_polls(&mut s);
    let l1 = s.m.send_line(&chat("T"), NewEvent::plain("one moment"));
    let tr = s.m.transfer(
        &chat("T"),
        TransferRequest::to_skill("12").with_text("over to you"),
    );
    let end = s.m.end_chat(&chat("U"));
    s.drain();
    let post_t = s.expect("POST", "/chat/T/events");
    let post_u = s.expect("POST", "/chat/U/events");
    assert_eq!(post_u.json()["event"]["state"], "ended");
    s.assert_quiet();
    s.respond(&post_u, json(201, &format!(r#"{{"chatLocation":{{"link":{{"@href":"{SESSION}/chat/U/events/3","@rel":"location"}}}}}}"#)));
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: end,
        chat: chat("U"),
        event: Some(eid(3))
    }));
    s.respond(&post_t, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/T/events/1","@rel":"location"}}}}}}"#)));
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: l1,
        chat: chat("T"),
        event: Some(eid(1))
    }));
    let after_transfer = s.m.send_line(&chat("T"), NewEvent::plain("too late"));
    s.drain();
    let transfer = s.expect("POST", "/chat/T/transfer");
    assert_eq!(transfer.json()["transfer"]["skill"]["id"], "12");
    s.respond(&transfer, empty(200));
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::TransferDone {
        id: tr,
        chat: chat("T")
    }));
    // What was queued after the transfer will not go: the chat is no longer the agent's.
    assert!(events.contains(&MachineEvent::LineFailed {
        id: after_transfer,
        chat: chat("T"),
        reason: CommandFailure::ChatEnded,
    }));
    // Followed until a poll sent after the transfer brings what the transfer added.
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::ChatEnded { .. })));
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("T,U"));
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[
                chat_body(
                    "T",
                    &[
                        line(2, "agent", "over to you"),
                        line(3, "system", "to Billing"),
                    ],
                ),
                chat_body("U", &[]),
            ]),
        ),
    );
    delivered_then_over(&s.take_events(), "T", &[2, 3], EndReason::Transferred);
    assert_eq!(s.m.chats(), [chat("U")]);
}

#[test]
fn close_fails_what_was_not_sent() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C~0");
    quiet_polls(&mut s);
    let a = s.m.send_line(&chat("C"), NewEvent::plain("a"));
    let b = s.m.send_line(&chat("C"), NewEvent::plain("b"));
    s.drain();
    let post = s.expect("POST", "/chat/C/events");
    s.m.close();
    s.drain();
    assert!(s.take_events().contains(&MachineEvent::LineFailed {
        id: b,
        chat: chat("C"),
        reason: CommandFailure::Closed
    }));
    let end = s.expect("DELETE", "/agentSession/777");
    s.respond(&post, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/C/events/1","@rel":"location"}}}}}}"#)));
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: a,
        chat: chat("C"),
        event: Some(eid(1))
    }));
    s.respond(&end, empty(200));
    let logout = s.expect("POST", "/logout");
    s.respond(&logout, json(500, ""));
    assert_eq!(s.take_events(), [MachineEvent::Closed]);
    assert!(s.m.is_closed());
}

#[test]
fn the_incoming_poll_keeps_the_session_from_its_idle_logout() {
    let t0 = Instant::now();
    let mut s = started(user_config(t0), t0); // incoming interval asked: 1 hour
    let inc = s.wait_for("GET", "/incomingRequests", 301 * SEC);
    assert!(inc.at - t0 <= Duration::from_secs(300));
}

mod model {
    //! A model-based test: a server that repeats, reorders and duplicates events (never
    //! skipping ahead of what was asked) and fails now and then; the machine must deliver
    //! every event of every chat exactly once, in order.

    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Answer {
        /// Events from `back` below the asked `from`, `ahead` past it, shuffled by `seed`,
        /// each repeated when `dup`.
        Page {
            back: u8,
            ahead: u8,
            seed: u64,
            dup: bool,
        },
        ServerError,
        Timeout,
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            6 => (0u8..4, 0u8..6, any::<u64>(), any::<bool>())
                .prop_map(|(back, ahead, seed, dup)| Answer::Page { back, ahead, seed, dup }),
            1 => Just(Answer::ServerError),
            1 => Just(Answer::Timeout),
        ]
    }

    fn page(
        chat_id: &str,
        from: u64,
        total: u64,
        back: u8,
        ahead: u8,
        seed: u64,
        dup: bool,
    ) -> String {
        let lo = from.saturating_sub(u64::from(back));
        let hi = (from + u64::from(ahead)).min(total);
        let mut ids: Vec<u64> = (lo..hi).collect();
        if dup {
            ids.extend(lo..hi);
        }
        // A small deterministic shuffle.
        let mut x = seed | 1;
        for i in (1..ids.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ids.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let events: Vec<String> = ids
            .iter()
            .map(|i| line(*i, "visitor", &format!("m{i}")))
            .collect();
        chat_body(chat_id, &events)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_event_once_in_order(
            totals in prop::collection::vec(0u64..25, 1..4),
            starts in prop::collection::vec(0u64..5, 3),
            answers in prop::collection::vec(answer(), 10..60),
        ) {
            let names = ["A", "B", "C"];
            let token = format!(
                "lpc1.{}",
                totals.iter().enumerate().map(|(i, _)| {
                    let start = starts[i];
                    if start == 0 { format!("{}~", names[i]) } else { format!("{}~{}", names[i], start - 1) }
                }).collect::<Vec<_>>().join(".")
            );
            let t0 = Instant::now();
            let mut s = following(t0, &token);
            let mut script = answers.into_iter();
            // Then pages that give everything asked, until every chat is complete.
            for round in 0..200 {
                let poll = s.wait_for("GET", "/agentSession/777/chat", 200 * SEC);
                let keys = poll.query("chatSessionKeys").unwrap();
                let froms = poll.query("fromEventIds").unwrap();
                let pairs: Vec<(String, u64)> = keys.split(',').map(str::to_owned)
                    .zip(froms.split(',').map(|f| f.parse().unwrap())).collect();
                match script.next() {
                    Some(Answer::ServerError) => s.respond(&poll, json(500, "")),
                    Some(Answer::Timeout) => s.fail(&poll, FailureKind::Timeout),
                    next => {
                        let (back, ahead, seed, dup) = match next {
                            Some(Answer::Page { back, ahead, seed, dup }) => (back, ahead, seed, dup),
                            _ => (0, 25, round, false),
                        };
                        let chats: Vec<String> = pairs.iter().map(|(c, f)| {
                            let i = names.iter().position(|n| n == c).unwrap();
                            page(c, *f, totals[i], back, ahead, seed, dup)
                        }).collect();
                        s.respond(&poll, json(200, &chats_body(&chats)));
                    }
                }
                let done = pairs.iter().all(|(c, f)| {
                    let i = names.iter().position(|n| n == c).unwrap();
                    *f >= totals[i]
                });
                if done && script.len() == 0 {
                    break;
                }
            }
            let got = chat_events(&s.log_events());
            for (i, total) in totals.iter().enumerate() {
                let mine: Vec<u64> = got.iter().filter(|(c, _)| c == names[i]).map(|(_, id)| *id).collect();
                let want: Vec<u64> = (starts[i].min(*total)..*total).collect();
                prop_assert_eq!(mine, want, "chat {}", names[i]);
            }
        }
    }
}

#[test]
fn a_chat_followed_before_the_session_starts_is_polled_once_it_has() {
    let t0 = Instant::now();
    let mut s = Script::new(AgentMachine::new(user_config(t0), t0), t0);
    // Asked before login: kept, and polled as soon as the agent session exists.
    s.m.follow_chat(chat("K"));
    let login = s.expect("POST", "/api/account/1234/login");
    s.respond(&login, login_ok("28800000", "bearer-1"));
    let start = s.expect("POST", "/api/account/1234/agentSession");
    s.respond(&start, session_created());
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("K"));
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("0"));
}

#[test]
fn a_chat_of_another_session_is_followed_and_written_to() {
    let t0 = Instant::now();
    let mut s = incoming_only(t0);
    // A12 continuity: the chat was accepted by another session of the agent.
    s.m.follow_chat(chat("K"));
    s.drain();
    let poll = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("K"));
    assert_eq!(poll.query("fromEventIds").as_deref(), Some("0"));
    s.respond(
        &poll,
        json(
            200,
            &chats_body(&[chat_body("K", &[line(0, "visitor", "hi")])]),
        ),
    );
    let events = s.take_events();
    assert_eq!(chat_events(&events), [("K".into(), 0)]);
    let sent = s.m.send_line(&chat("K"), NewEvent::plain("hello"));
    s.drain();
    let post = s.expect("POST", "/chat/K/events");
    assert_eq!(post.json()["event"]["text"], "hello");
    s.respond(&post, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/K/events/1","@rel":"location"}}}}}}"#)));
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: sent,
        chat: chat("K"),
        event: Some(eid(1)),
    }));
}

#[test]
fn a_transferred_chat_the_server_no_longer_answers_for_ends_as_transferred() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.T~0.U~0");
    quiet_polls(&mut s);
    let tr = s.m.transfer(&chat("T"), TransferRequest::to_skill("12"));
    s.drain();
    let post = s.expect("POST", "/chat/T/transfer");
    s.respond(&post, empty(200));
    assert!(s.take_events().contains(&MachineEvent::TransferDone {
        id: tr,
        chat: chat("T")
    }));
    // The next answer leaves the chat out (a server that hides chats no longer the agent's).
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert_eq!(poll.query("chatSessionKeys").as_deref(), Some("T,U"));
    s.respond(&poll, json(200, &chats_body(&[chat_body("U", &[])])));
    assert!(s.take_events().contains(&MachineEvent::ChatEnded {
        chat: chat("T"),
        reason: EndReason::Transferred,
    }));
    assert_eq!(s.m.chats(), [chat("U")]);
}

/// A poll whose answer never comes (a send task that died, a socket that hangs past every
/// transport timeout) is handled by the machine's own deadline as a timeout: the poll goes
/// on instead of stalling for good, and the answer that comes late changes nothing.
#[test]
fn a_poll_whose_answer_never_comes_times_out_at_the_deadline_and_polling_goes_on() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0).resume_from("lpc1.C1~4").unwrap();
    cfg.request_deadline = 20 * SEC;
    let mut s = started(cfg, t0);
    let lost = s.expect("GET", "/agentSession/777/chat");
    // Nothing else is due: the machine wakes for the deadline, not later.
    assert_eq!(s.timeout, Some(lost.at + 20 * SEC));
    s.until_timeout();
    let again = s.wait_for("GET", "/agentSession/777/chat", 30 * SEC);
    assert_eq!(again.query("fromEventIds").as_deref(), Some("5"));
    s.respond(
        &again,
        json(
            200,
            &chats_body(&[chat_body("C1", &[line(5, "visitor", "hi")])]),
        ),
    );
    assert_eq!(chat_events(&s.take_events()), [("C1".to_owned(), 5)]);
    // The lost answer arrives after all: ignored, nothing delivered twice.
    s.respond(
        &lost,
        json(
            200,
            &chats_body(&[chat_body("C1", &[line(5, "visitor", "hi")])]),
        ),
    );
    assert!(chat_events(&s.take_events()).is_empty());
}

/// A line whose answer never comes is a line of unknown outcome: at the deadline it is
/// looked for in the chat's events, found, and reported delivered once, never re-sent.
#[test]
fn a_line_whose_answer_never_comes_is_looked_for_at_the_deadline() {
    let t0 = Instant::now();
    let mut cfg = user_config(t0).resume_from("lpc1.C1~4").unwrap();
    cfg.request_deadline = 20 * SEC;
    let mut s = started(cfg, t0);
    let poll = s.expect("GET", "/agentSession/777/chat");
    s.respond(&poll, json(200, &chats_body(&[chat_body("C1", &[])])));
    let id = s.m.send_line(&chat("C1"), NewEvent::plain("hello"));
    s.drain();
    let post = s.expect("POST", "/agentSession/777/chat/C1/events");
    let check = loop {
        quiet_polls(&mut s);
        if let Some(r) = s.try_expect("GET", "/agentSession/777/chat/C1/events") {
            break r;
        }
        assert!(s.now - post.at < 40 * SEC, "the line was never checked");
        s.until_timeout();
    };
    assert!(
        check.at - post.at >= 20 * SEC,
        "checked before the deadline"
    );
    s.respond(
        &check,
        json(200, &events_body(&[line(5, "agent", "hello")])),
    );
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id,
        chat: chat("C1"),
        event: Some(eid(5)),
    }));
    s.respond(&post, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/C1/events/9","@rel":"location"}}}}}}"#)));
    assert!(!s.take_events().iter().any(|e| matches!(
        e,
        MachineEvent::LineDelivered { .. } | MachineEvent::LineFailed { .. }
    )));
    let posts = s
        .log
        .iter()
        .filter(|r| r.method == http::Method::POST && r.path().ends_with("/events"))
        .count();
    assert_eq!(posts, 1);
}

/// A driver whose consumer is behind pauses the polls: no chat poll goes out while paused,
/// lines still go, and the poll that came due goes at once when resumed.
#[test]
fn paused_polling_sends_no_poll_until_resumed_and_lines_still_go() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C1~4");
    let poll = s.expect("GET", "/agentSession/777/chat");
    s.respond(&poll, json(200, &chats_body(&[chat_body("C1", &[])])));
    s.m.set_polling_paused(true);
    s.advance(10 * SEC);
    assert_eq!(
        s.count("GET", "/agentSession/777/chat"),
        0,
        "polled while paused"
    );
    let id = s.m.send_line(&chat("C1"), NewEvent::plain("still here"));
    s.drain();
    let post = s.expect("POST", "/agentSession/777/chat/C1/events");
    s.respond(&post, json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/C1/events/9","@rel":"location"}}}}}}"#)));
    assert!(s
        .take_events()
        .iter()
        .any(|e| matches!(e, MachineEvent::LineDelivered { id: line, .. } if *line == id)));
    s.m.set_polling_paused(false);
    s.drain();
    let resumed = s.expect("GET", "/agentSession/777/chat");
    assert_eq!(resumed.at, s.now, "the due poll waits no longer");
}

/// The visitor ends the chat while the agent's line is in flight and its end is queued
/// behind it: the line settles by its own answer, the end is done (the chat is over, as it
/// asked), nothing is reported as of unknown outcome.
#[test]
fn an_end_queued_on_a_chat_that_ended_is_done_and_the_line_in_flight_settles() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.E~1");
    let poll = s.expect("GET", "/agentSession/777/chat");
    s.respond(&poll, json(200, &chats_body(&[chat_body("E", &[])])));
    let line_id = s.m.send_line(&chat("E"), NewEvent::plain("one more thing"));
    let end_id = s.m.end_chat(&chat("E"));
    s.drain();
    let post = s.expect("POST", "/agentSession/777/chat/E/events");
    let poll = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    s.respond(
        &poll,
        json(200, &chats_body(&[chat_body("E", &[state(2, "ended")])])),
    );
    let events = s.take_events();
    assert!(events.contains(&MachineEvent::LineDelivered {
        id: end_id,
        chat: chat("E"),
        event: None,
    }));
    assert!(!events
        .iter()
        .any(|e| matches!(e, MachineEvent::LineFailed { .. })));
    s.respond(
        &post,
        json(201, &format!(r#"{{"chatEventLocation":{{"link":{{"@href":"{SESSION}/chat/E/events/3","@rel":"location"}}}}}}"#)),
    );
    assert!(s.take_events().contains(&MachineEvent::LineDelivered {
        id: line_id,
        chat: chat("E"),
        event: Some(eid(3)),
    }));
    assert_eq!(
        s.count("POST", "/events"),
        0,
        "the end was sent to an ended chat"
    );
}

/// A process starved of CPU wakes long after its timers: it sends one poll, not the polls it
/// "missed", and the next one waits the full interval after it. Timers are lower bounds.
#[test]
fn a_late_wake_up_sends_one_poll_and_keeps_the_interval() {
    let t0 = Instant::now();
    let mut s = following(t0, "lpc1.C1~4");
    let poll = s.expect("GET", "/agentSession/777/chat");
    s.respond(&poll, json(200, &chats_body(&[chat_body("C1", &[])])));
    // Thirty seconds pass in one step (the driver's task did not run).
    s.advance(30 * SEC);
    assert_eq!(
        s.count("GET", "/agentSession/777/chat"),
        1,
        "catch-up polls"
    );
    let late = s.expect("GET", "/agentSession/777/chat");
    // Its answer is read long after, too: the next poll is still 2 s after it was sent.
    s.advance(5 * SEC);
    s.respond(&late, json(200, &chats_body(&[chat_body("C1", &[])])));
    assert_eq!(s.count("GET", "/agentSession/777/chat"), 1);
    let next = s.expect("GET", "/agentSession/777/chat");
    assert!(next.at - late.at >= 2 * SEC);
    s.respond(&next, json(200, &chats_body(&[chat_body("C1", &[])])));
    let after = s.wait_for("GET", "/agentSession/777/chat", 3 * SEC);
    assert!(after.at - next.at >= 2 * SEC, "faster than the interval");
}
