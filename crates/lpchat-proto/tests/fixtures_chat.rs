//! The chat fixtures (events, chat, multi-chat, chat info, line and end requests) decode to
//! the values their manifest entries state, and JSON/XML twins decode equal.

mod support;

use lpchat_proto::model::chat::next_from;
use lpchat_proto::model::*;
use lpchat_proto::Limits;
use serde_json::{json, Map, Value};
use support::fixtures::{self, load, opt, rels, Fixture};

fn lines(events: &[Event]) -> Vec<&Line> {
    events.iter().filter_map(Event::line).collect()
}

fn event_facts(events: &[Event], facts: &mut Map<String, Value>) {
    let ls = lines(events);
    facts.insert("event_count".into(), json!(events.len()));
    facts.insert(
        "event_ids".into(),
        json!(events.iter().map(|e| e.id.to_string()).collect::<Vec<_>>()),
    );
    facts.insert(
        "event_types".into(),
        json!(events
            .iter()
            .map(|e| e.event_type().to_string())
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "states".into(),
        json!(events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::State(s) => Some(s.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "line_texts".into(),
        json!(ls.iter().map(|l| &l.text).collect::<Vec<_>>()),
    );
    facts.insert(
        "line_text_types".into(),
        json!(ls
            .iter()
            .map(|l| l.text_type.to_string())
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "line_sub_types".into(),
        json!(ls
            .iter()
            .map(|l| opt(l.sub_type.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "line_by".into(),
        json!(ls.iter().map(|l| opt(l.by.as_ref())).collect::<Vec<_>>()),
    );
    facts.insert(
        "line_sources".into(),
        json!(ls
            .iter()
            .map(|l| opt(l.source.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "system_message_ids".into(),
        json!(ls.iter().map(|l| l.system_message_id).collect::<Vec<_>>()),
    );
    facts.insert(
        "urls".into(),
        json!(events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Url(u) => Some(u.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()),
    );
    let a2a: Vec<&A2aTransfer> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::A2aTransfer(t) => Some(t),
            _ => None,
        })
        .collect();
    if let Some(t) = a2a.first() {
        let params = t.chat_request_parameters.clone().unwrap_or_default();
        facts.insert("a2a_domain".into(), opt(t.domain.as_ref()));
        facts.insert("a2a_remote_site_id".into(), opt(t.remote_site_id.as_ref()));
        facts.insert("a2a_event_id".into(), opt(params.a2a_event_id.as_ref()));
        facts.insert("a2a_skill".into(), opt(params.skill.as_ref()));
        facts.insert("a2a_href".into(), opt(t.links.href(&Rel::A2aTransfer)));
    }
}

/// Times are compared as instants with their offsets, not as text (milliseconds are always
/// written back, so `…:25+03:00` and `…:25.000+03:00` are the same time).
fn check_times(f: &Fixture, events: &[Event]) {
    if let Some(expected) = f.expect.get("event_times") {
        let expected: Vec<Option<Timestamp>> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().map(|s| Timestamp::parse(s).unwrap()))
            .collect();
        let actual: Vec<Option<Timestamp>> = events.iter().map(|e| e.time).collect();
        assert_eq!(actual, expected, "{}", f.file);
    }
}

fn without(f: &Fixture, keys: &[&str]) -> Fixture {
    let mut g = f.clone();
    for k in keys {
        g.expect.remove(*k);
    }
    g
}

#[test]
fn events_fixtures() {
    let all = fixtures::good(&["events"]);
    assert!(all.len() >= 20, "{}", all.len());
    for f in all {
        let e: Events = load(&f);
        let mut facts = Map::new();
        event_facts(&e.events, &mut facts);
        facts.insert("link_rels".into(), rels(&e.links));
        facts.insert("next_from".into(), json!(e.next_from().map(|i| i.0)));
        check_times(&f, &e.events);
        fixtures::assert_facts(&without(&f, &["event_times"]), &facts);
    }
}

fn chat_facts(c: &Chat) -> Map<String, Value> {
    let mut facts = Map::new();
    event_facts(c.event_list(), &mut facts);
    facts.insert("link_rels".into(), rels(&c.links));
    facts.insert("next_from".into(), json!(next_from(&c.links).map(|i| i.0)));
    facts.insert(
        "events_next_from".into(),
        json!(c.events.as_ref().and_then(Events::next_from).map(|i| i.0)),
    );
    let info = c.info.clone().unwrap_or_default();
    facts.insert("info_state".into(), opt(info.state.as_ref()));
    facts.insert("agent_name".into(), opt(info.agent_name.as_ref()));
    facts.insert(
        "chat_session_key".into(),
        opt(info.chat_session_key.as_ref()),
    );
    facts.insert("has_error".into(), json!(c.error.is_some()));
    facts.insert(
        "error_internal_code".into(),
        json!(c.error.as_ref().and_then(|e| e.internal_code)),
    );
    facts
}

#[test]
fn chat_fixtures() {
    let all = fixtures::good(&["chat"]);
    assert!(all.len() >= 10);
    for f in all {
        let c: Chat = load(&f);
        fixtures::assert_facts(&f, &chat_facts(&c));
    }
}

#[test]
fn multi_chat_fixtures() {
    for f in fixtures::good(&["chats"]) {
        let c: Chats = load(&f);
        let first = c.chats.first();
        let mut facts = Map::new();
        facts.insert("chat_count".into(), json!(c.chats.len()));
        facts.insert(
            "chat_session_keys".into(),
            json!(c
                .chats
                .iter()
                .map(|c| opt(c.info.as_ref().and_then(|i| i.chat_session_key.as_ref())))
                .collect::<Vec<_>>()),
        );
        facts.insert(
            "event_counts".into(),
            json!(c
                .chats
                .iter()
                .map(|c| c.event_list().len())
                .collect::<Vec<_>>()),
        );
        facts.insert(
            "info_states".into(),
            json!(c
                .chats
                .iter()
                .map(|c| opt(c.info.as_ref().and_then(|i| i.state.as_ref())))
                .collect::<Vec<_>>()),
        );
        let first_events = first.map(Chat::event_list).unwrap_or_default();
        facts.insert(
            "first_chat_event_ids".into(),
            json!(first_events
                .iter()
                .map(|e| e.id.to_string())
                .collect::<Vec<_>>()),
        );
        facts.insert(
            "first_chat_next_from".into(),
            json!(first.and_then(|c| next_from(&c.links)).map(|i| i.0)),
        );
        facts.insert(
            "first_chat_system_message_ids".into(),
            json!(lines(first_events)
                .iter()
                .filter_map(|l| l.system_message_id)
                .collect::<Vec<_>>()),
        );
        facts.insert(
            "first_chat_line_texts".into(),
            json!(lines(first_events)
                .iter()
                .map(|l| &l.text)
                .collect::<Vec<_>>()),
        );
        fixtures::assert_facts(&f, &facts);
    }
}

#[test]
fn chat_info_fixtures() {
    let all = fixtures::good(&["info"]);
    assert!(all.len() >= 10);
    for f in all {
        let i: ChatInfo = load(&f);
        let mut facts = Map::new();
        facts.insert("state".into(), opt(i.state.as_ref()));
        facts.insert("chat_session_key".into(), opt(i.chat_session_key.as_ref()));
        facts.insert("agent_name".into(), opt(i.agent_name.as_ref()));
        facts.insert("agent_id".into(), opt(i.agent_id.as_ref()));
        facts.insert("chat_timeout".into(), json!(i.chat_timeout));
        facts.insert("visitor_name".into(), opt(i.visitor_name.as_ref()));
        facts.insert("visitor_id".into(), opt(i.visitor_id.as_ref()));
        facts.insert("rt_session_id".into(), opt(i.rt_session_id.as_ref()));
        facts.insert("engagement_id".into(), opt(i.engagement_id.as_ref()));
        facts.insert("link_rels".into(), rels(&i.links));
        facts.insert("agent_typing".into(), opt(i.agent_typing.as_ref()));
        facts.insert("visitor_typing".into(), opt(i.visitor_typing.as_ref()));
        facts.insert("skill_id".into(), opt(i.skill_id.as_ref()));
        facts.insert("skill_name".into(), opt(i.skill_name.as_ref()));
        facts.insert("participant_id".into(), opt(i.participant_id.as_ref()));
        fixtures::assert_facts(&f, &facts);
    }
}

#[test]
fn request_event_fixtures() {
    for f in fixtures::good(&["request-line", "request-end"]) {
        let e: NewEvent = load(&f);
        let mut facts = Map::new();
        match &e {
            NewEvent::Line {
                text,
                text_type,
                sub_type,
                json,
            } => {
                facts.insert("event_type".into(), json!("line"));
                // A rich-content line carries no text on the wire.
                let absent = text.is_empty() && json.is_some();
                facts.insert(
                    "text".into(),
                    if absent { Value::Null } else { json!(text) },
                );
                facts.insert("text_type".into(), json!(text_type.as_str()));
                facts.insert("sub_type".into(), opt(sub_type.as_ref()));
                facts.insert("has_json".into(), json!(json.is_some()));
                facts.insert(
                    "json_type".into(),
                    json.as_ref()
                        .and_then(|j| j.get("type"))
                        .cloned()
                        .unwrap_or(Value::Null),
                );
            }
            NewEvent::End => {
                facts.insert("event_type".into(), json!("state"));
                facts.insert("state".into(), json!("ended"));
            }
            _ => unreachable!(),
        }
        fixtures::assert_facts(&f, &facts);
    }
}

#[test]
fn json_and_xml_twins_decode_equal() {
    let mut pairs = 0;
    let manifest = fixtures::manifest();
    for f in fixtures::good(&[
        "events",
        "chat",
        "chats",
        "info",
        "request-line",
        "request-end",
    ]) {
        let Some(twin) = &f.same_as else { continue };
        let g = manifest.iter().find(|g| &g.file == twin).unwrap();
        let a = lpchat_proto::resources::find(&f.resource)
            .unwrap()
            .decode_to_json(f.format.unwrap(), &f.body(), &Limits::default())
            .unwrap();
        let b = lpchat_proto::resources::find(&g.resource)
            .unwrap()
            .decode_to_json(g.format.unwrap(), &g.body(), &Limits::default())
            .unwrap();
        assert_eq!(a, b, "{} vs {}", f.file, g.file);
        pairs += 1;
    }
    assert!(pairs >= 20, "{pairs}");
}

#[test]
fn bad_fixtures_fail_with_their_category() {
    assert!(fixtures::check_bad(&["events", "chat"]) >= 20);
}
