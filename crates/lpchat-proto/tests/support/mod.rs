//! Shared test support: proptest strategies for the base types and round-trip checks.
#![allow(dead_code)]

pub mod fixtures;

use std::fmt::Debug;

use lpchat_proto::model::*;
use lpchat_proto::{decode, encode, Format, Limits, Resource};
use proptest::prelude::*;

/// Text that XML can carry: printable, markup characters included. Never blank, since an
/// empty element reads as "nothing" where a list or an optional number is expected.
pub fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 <>&\"'!?.,:;/=é日-]{0,24}[a-zA-Z0-9<>&!?é日]"
}

/// Any text, empty included: for plain string fields, where `""` survives both formats.
pub fn any_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 <>&\"'!?.,:;/=é日-]{0,24}"
}

/// A decimal id as the server writes them.
pub fn id_text() -> impl Strategy<Value = String> {
    "[0-9]{1,12}"
}

pub fn href() -> impl Strategy<Value = String> {
    "https://h\\.example/api/account/[0-9]{4}/[a-zA-Z]{1,8}(\\?from=[0-9]{1,3}&v=1)?"
}

pub fn rel() -> impl Strategy<Value = Rel> {
    prop_oneof![
        Just(Rel::SelfLink),
        Just(Rel::Next),
        Just(Rel::Events),
        Just(Rel::Info),
        Just(Rel::Location),
        Just(Rel::ChatSession),
        "[a-z]{3,10}-x".prop_map(|s| Rel::parse(&s)),
    ]
}

pub fn link() -> impl Strategy<Value = Link> {
    (rel(), href()).prop_map(|(r, h)| Link::new(r, h))
}

pub fn links() -> impl Strategy<Value = Vec<Link>> {
    prop::collection::vec(link(), 0..4)
}

pub fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0i64..4_102_444_800_000, -720i16..=840)
        .prop_map(|(ms, off)| Timestamp::new(ms, off - off % 15))
}

pub fn int() -> impl Strategy<Value = i64> {
    prop_oneof![Just(-1i64), Just(0i64), -1000i64..1_000_000_000_000]
}

pub fn chat_state() -> impl Strategy<Value = ChatState> {
    prop_oneof![
        Just(ChatState::Waiting),
        Just(ChatState::Chatting),
        Just(ChatState::Ended),
        "[a-z]{4,8}x".prop_map(|s| ChatState::parse(&s)),
    ]
}

pub fn typing() -> impl Strategy<Value = TypingState> {
    prop_oneof![
        Just(TypingState::Typing),
        Just(TypingState::NotTyping),
        Just(TypingState::TypingUnknown)
    ]
}

fn line() -> impl Strategy<Value = EventKind> {
    (
        any_text(),
        prop_oneof![
            Just(TextType::Plain),
            Just(TextType::Html),
            Just(TextType::parse("markdown"))
        ],
        prop::option::of(text()),
        prop::option::of(prop_oneof![
            Just(Source::System),
            Just(Source::Agent),
            Just(Source::Visitor)
        ]),
        prop::option::of(0i64..30),
        prop::option::of(prop_oneof![
            Just(SubType::Regular),
            Just(SubType::OnlyToRep)
        ]),
    )
        .prop_map(
            |(text, text_type, by, source, system_message_id, sub_type)| {
                let mut e = Event {
                    id: EventId(0),
                    time: None,
                    kind: EventKind::State(ChatState::Ended),
                };
                // Built through the wire form so the test needs no constructor for Line.
                let json = serde_json::json!({
                    "@id": "0", "@type": "line", "text": text, "textType": text_type.as_str(),
                    "by": by, "source": source.as_ref().map(|s| s.as_str().to_owned()),
                    "systemMessageId": system_message_id,
                    "subType": sub_type.as_ref().map(|s| s.as_str().to_owned()),
                });
                let json = strip_nulls(json);
                if let Ok(ev) = serde_json::from_value::<Event>(json) {
                    e = ev;
                }
                e.kind
            },
        )
}

/// Removes `null` members, which the encoder never writes.
pub fn strip_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

pub fn event() -> impl Strategy<Value = Event> {
    (
        0u64..100_000,
        prop::option::of(timestamp()),
        prop_oneof![
            chat_state().prop_map(EventKind::State),
            line(),
            prop::option::of(text()).prop_map(EventKind::Url),
            ("[a-z]{3,8}x", prop::option::of(text()))
                .prop_map(|(event_type, text)| EventKind::Unknown { event_type, text }),
        ],
    )
        .prop_map(|(id, time, kind)| Event {
            id: EventId(id),
            time,
            kind,
        })
}

/// Asserts that `value` survives encode+decode in both formats, and that its JSON and its XML
/// decode to the same model.
pub fn assert_round_trip<T: Resource + PartialEq + Debug>(value: &T) -> Result<(), TestCaseError> {
    let limits = Limits::default();
    let json = encode(Format::Json, value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let xml = encode(Format::Xml, value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let from_json: T = decode(Format::Json, &json, &limits)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&json))))?;
    let from_xml: T = decode(Format::Xml, &xml, &limits)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&xml))))?;
    prop_assert_eq!(&from_json, value, "JSON {}", String::from_utf8_lossy(&json));
    prop_assert_eq!(&from_xml, value, "XML {}", String::from_utf8_lossy(&xml));
    Ok(())
}
