//! Chat models survive encode then decode in JSON and in XML, and both formats agree.

mod support;

use lpchat_proto::model::*;
use proptest::prelude::*;
use support::*;

fn events() -> impl Strategy<Value = Events> {
    (links(), prop::collection::vec(event(), 0..5)).prop_map(|(links, events)| {
        let mut e = Events::default();
        e.links = links;
        e.events = events;
        e
    })
}

fn info() -> impl Strategy<Value = ChatInfo> {
    (
        links(),
        prop::option::of(chat_state()),
        prop::option::of(id_text()),
        prop::option::of(text()),
        prop::option::of(int()),
        prop::option::of(timestamp()),
        prop::option::of(typing()),
        prop::option::of(any_text()),
    )
        .prop_map(|(links, state, key, agent, timeout, start, typing, name)| {
            let mut i = ChatInfo::default();
            i.links = links;
            i.state = state;
            i.chat_session_key = key.map(ChatId::from);
            i.agent_name = agent;
            i.chat_timeout = timeout;
            i.start_time = start;
            i.agent_typing = typing;
            i.visitor_name = name;
            i
        })
}

fn chat() -> impl Strategy<Value = Chat> {
    // A chat element with no content at all reads as "no chat" in XML (an empty element in a
    // list is an empty list), so every generated chat carries at least its self link.
    (
        prop::collection::vec(link(), 1..4),
        prop::option::of(events()),
        prop::option::of(info()),
    )
        .prop_map(|(links, events, info)| {
            let mut c = Chat::default();
            c.links = links;
            c.events = events;
            c.info = info;
            c
        })
}

proptest! {
    #[test]
    fn events_round_trip(e in events()) {
        assert_round_trip(&e)?;
    }

    #[test]
    fn chat_info_round_trips(i in info()) {
        assert_round_trip(&i)?;
    }

    #[test]
    fn chats_round_trip(chats in prop::collection::vec(chat(), 0..4)) {
        let mut c = Chats::default();
        c.chats = chats;
        assert_round_trip(&c)?;
    }

    #[test]
    fn new_lines_round_trip(t in any_text()) {
        assert_round_trip(&NewEvent::plain(t))?;
    }
}
