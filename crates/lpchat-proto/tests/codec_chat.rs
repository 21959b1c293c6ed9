//! Chat bodies (events, chat, multi-chat) decode the same from every documented shape.

use lpchat_proto::model::*;
use lpchat_proto::{decode, encode, Format, Limits};

fn json<T: lpchat_proto::Resource>(s: &str) -> T {
    decode(Format::Json, s.as_bytes(), &Limits::default()).unwrap()
}

fn xml<T: lpchat_proto::Resource>(s: &str) -> T {
    decode(Format::Xml, s.as_bytes(), &Limits::default()).unwrap()
}

#[test]
fn events_from_json_and_xml_agree() {
    let j: Events = json(
        r#"{"events":{"link":[{"@href":"https://h/events","@rel":"self"},{"@href":"https://h/events?from=2","@rel":"next"}],
        "event":[{"@id":"0","@type":"state","time":"2018-01-29T08:19:43.963-05:00","state":"waiting"},
                 {"@id":"1","@type":"line","time":"2018-01-29T08:19:43.976-05:00","textType":"plain","text":"Thank you","by":"info","source":"system","systemMessageId":4,"subType":"REGULAR"}]}}"#,
    );
    let x: Events = xml(
        r#"<events><link rel="self" href="https://h/events"/><link rel="next" href="https://h/events?from=2"/>
        <event type="state" id="0"><time>2018-01-29T08:19:43.963-05:00</time><state>waiting</state></event>
        <event id="1" type="line"><time>2018-01-29T08:19:43.976-05:00</time><textType>plain</textType><text>Thank you</text><by>info</by><source>system</source><systemMessageId>4</systemMessageId><subType>REGULAR</subType></event></events>"#,
    );
    assert_eq!(j, x);
    assert_eq!(j.next_from(), Some(EventId(2)));
    assert_eq!(j.events[0].kind, EventKind::State(ChatState::Waiting));
    let line = j.events[1].line().unwrap();
    assert_eq!(line.text, "Thank you");
    assert_eq!(line.system_message_id, Some(4));
    assert_eq!(line.source, Some(Source::System));
    for f in [Format::Json, Format::Xml] {
        let back: Events = decode(f, &encode(f, &j).unwrap(), &Limits::default()).unwrap();
        assert_eq!(back, j, "{f}");
    }
}

#[test]
fn one_event_as_a_bare_object_and_plain_keys() {
    let e: Events = json(
        r#"{"events":{"link":{"href":"h?from=5","rel":"next"},"event":{"id":4,"type":"line","text":"hi","systemMessageId":"4"}}}"#,
    );
    assert_eq!(e.events.len(), 1);
    assert_eq!(e.events[0].id, EventId(4));
    assert_eq!(e.events[0].line().unwrap().system_message_id, Some(4));
    let empty: Events = json(r#"{"events":{"link":[]}}"#);
    assert!(empty.events.is_empty());
    let empty_xml: Events = xml("<events/>");
    assert!(empty_xml.events.is_empty());
}

#[test]
fn unknown_event_types_are_kept() {
    let e: Events = xml(r#"<events><event id="9" type="cobrowse"><text>x</text></event></events>"#);
    assert_eq!(
        e.events[0].kind,
        EventKind::Unknown {
            event_type: "cobrowse".into(),
            text: Some("x".into())
        }
    );
}

#[test]
fn multi_chat_body() {
    let c: Chats = json(
        r#"{"chats":{"chat":[{"link":[{"href":"https://h/chat/H1K2","rel":"self"}],"events":{"event":[{"id":0,"type":"state","state":"chatting"}]},"info":{"state":"chatting","chatSessionKey":"H1K2","agentId":25025413}}]}}"#,
    );
    assert_eq!(c.chats.len(), 1);
    assert_eq!(c.chats[0].chat_id(), Some(ChatId::from("H1K2")));
    assert_eq!(
        c.chats[0].info.as_ref().unwrap().agent_id,
        Some(AgentId::from("25025413"))
    );
}

#[test]
fn new_events_encode_as_documented() {
    let body = encode(Format::Json, &NewEvent::plain("hello")).unwrap();
    assert_eq!(
        &body[..],
        br#"{"event":{"@type":"line","text":"hello","textType":"plain"}}"#
    );
    let end = encode(Format::Xml, &NewEvent::End).unwrap();
    assert_eq!(
        &end[..],
        br#"<event type="state"><state>ended</state></event>"#
    );
}
