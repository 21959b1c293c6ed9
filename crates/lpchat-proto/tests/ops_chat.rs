//! Chat operations: A13-A18 agent side, V10-V13 visitor side. Exact requests in JSON and
//! XML, and parsing of canned responses (fixtures) and failures.

mod ops_support;

use lpchat_proto::model::*;
use lpchat_proto::ops::*;
use lpchat_proto::Format;
use ops_support::*;

fn agent_chat() -> ChatRef {
    ChatRef::Agent {
        session: SessionRef::Href(SESSION.into()),
        chat: CHAT_ID.into(),
    }
}

#[test]
fn a13_multi_chat_request() {
    let op = GetChats::new(
        &SessionRef::Href(SESSION.into()),
        &[("K1".into(), EventId(4)), ("K 2".into(), EventId(0))],
    );
    assert_eq!(op.idempotency(), Idempotency::Safe);
    assert_eq!(GetChats::ENDPOINT, "A13");
    for format in [Format::Json, Format::Xml] {
        let req = op.build(&agent_ctx(format)).unwrap();
        assert_request(
            &req,
            "GET",
            &format!("{SESSION}/chat?chatSessionKeys=K1,K%202&fromEventIds=4,0&v=1&NC=true"),
            &agent_headers(format, false),
            None,
        );
    }
    // By id under the base URI, with the .json suffix switch.
    let mut ctx = agent_ctx(Format::Json);
    ctx.options.format_suffix = true;
    let op = GetChats::new(&SessionRef::Id("77".into()), &[("K1".into(), EventId(1))]);
    assert_eq!(
        op.build(&ctx).unwrap().uri(),
        "https://va.agentvep.liveperson.net/api/account/25025413/agentSession/77/chat.json?chatSessionKeys=K1&fromEventIds=1&v=1&NC=true"
    );
}

#[test]
fn a13_multi_chat_parse() {
    let op = GetChats::new(&SessionRef::Href(SESSION.into()), &[]);
    for file in ["agent/chats.basic.json", "agent/chats.basic.xml"] {
        let chats = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(chats.chats.len(), 1, "{file}");
        let chat = &chats.chats[0];
        assert_eq!(
            chat.chat_id().unwrap().as_str(),
            "H4709474615328845423-2767456311409308813K8414056"
        );
        let ids: Vec<u64> = chat.event_list().iter().map(|e| e.id.0).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4]);
        assert_eq!(chat.next_from(), Some(EventId(214)));
    }
    let empty = op
        .parse(fixture_response(200, "agent/chats.empty.json"))
        .unwrap();
    assert!(empty.chats.is_empty());
    assert_common_errors(&op, 200, true);
}

#[test]
fn a14_chat_request_variants() {
    let ctx = agent_ctx(Format::Xml);
    let req = GetChat::new(&agent_chat()).build(&ctx).unwrap();
    assert_request(
        &req,
        "GET",
        &format!("{SESSION}/chat/{CHAT_ID}?v=1&NC=true"),
        &agent_headers(Format::Xml, false),
        None,
    );
    // A next link already carrying from and v: nothing duplicated.
    let next = format!("{SESSION}/chat/{CHAT_ID}?from=4&v=1");
    let req = GetChat::at(&next).build(&ctx).unwrap();
    assert_eq!(req.uri().to_string(), format!("{next}&NC=true"));
    // An explicit from replaces the link's.
    let req = GetChat::at(&next).from(EventId(9)).build(&ctx).unwrap();
    assert_eq!(
        req.uri().to_string(),
        format!("{SESSION}/chat/{CHAT_ID}?v=1&from=9&NC=true")
    );
    // The visitor side, by id, with the app key as a query parameter.
    let mut vctx = visitor_ctx(Format::Json);
    vctx.options.app_key_in_query = true;
    let req = GetChat::new(&ChatRef::Visitor("C1".into()))
        .from(EventId(3))
        .build(&vctx)
        .unwrap();
    assert_request(
        &req,
        "GET",
        "https://server.iad.liveperson.net/api/account/25025413/chat/C1?from=3&v=1&NC=true&appKey=721c180b09eb463d9f3191c41762bb68",
        &[("accept", "application/json")],
        None,
    );
}

#[test]
fn a14_chat_parse_and_next() {
    let op = GetChat::new(&agent_chat());
    for file in ["agent/chat.basic.json", "agent/chat.basic.xml"] {
        let chat = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(chat.next_from(), Some(EventId(4)), "{file}");
        assert_eq!(chat.event_list().len(), 4);
        assert_eq!(
            chat.info.as_ref().unwrap().agent_name.as_deref(),
            Some("Barber")
        );
        let next = GetChat::next(&chat)
            .unwrap()
            .build(&agent_ctx(Format::Json))
            .unwrap();
        assert!(
            next.uri().query().unwrap().starts_with("from=4"),
            "{}",
            next.uri()
        );
        let events = GetEvents::of_chat(&chat)
            .unwrap()
            .build(&agent_ctx(Format::Json))
            .unwrap();
        assert!(events.uri().path().ends_with("/events"));
        let info = GetChatInfo::of_chat(&chat)
            .unwrap()
            .build(&agent_ctx(Format::Json))
            .unwrap();
        assert!(info.uri().path().ends_with("/info"));
    }
    let bare = Chat::default();
    assert_eq!(GetChat::next(&bare), Err(Error::MissingLink(Rel::Next)));
    assert_eq!(
        GetEvents::of_chat(&bare).err(),
        Some(Error::MissingLink(Rel::Events))
    );
    assert_eq!(
        GetChatInfo::of_chat(&bare).err(),
        Some(Error::MissingLink(Rel::Info))
    );
    assert_common_errors(&op, 200, true);
}

#[test]
fn a14_chat_error_inside_2xx() {
    let op = GetChat::new(&agent_chat());
    for file in ["agent/chat.error.json", "agent/chat.error.xml"] {
        match op.parse(fixture_response(200, file)) {
            Err(Error::ChatError(e)) => {
                assert_eq!(e.internal_code, Some(39), "{file}");
                assert_eq!(e.message.as_deref(), Some("Chat session not found"));
                assert_eq!(e.response_status.as_deref(), Some("NOT_FOUND"));
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn v10_visitor_chat_parse() {
    let op = GetChat::new(&ChatRef::Visitor("C1".into()));
    for file in ["visitor/chat.basic.json", "visitor/chat.basic.xml"] {
        let chat = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(
            chat.chat_id().unwrap().as_str(),
            "H3079121553394024223-70f331aba40b4ae58fe9e1af832e31b9K8388834"
        );
        assert!(chat.links.href(&Rel::TranscriptRequest).is_some());
    }
}

#[test]
fn a15_events_request_and_parse() {
    let op = GetEvents::new(&agent_chat()).from(EventId(4));
    let req = op.build(&agent_ctx(Format::Json)).unwrap();
    assert_request(
        &req,
        "GET",
        &format!("{SESSION}/chat/{CHAT_ID}/events?from=4&v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    for file in ["agent/events.basic.json", "agent/events.basic.xml"] {
        let events = op.parse(fixture_response(200, file)).unwrap();
        let ids: Vec<u64> = events.events.iter().map(|e| e.id.0).collect();
        assert_eq!(ids, [0, 1, 2, 3], "{file}");
        assert_eq!(events.next_from(), Some(EventId(4)));
        let next = GetEvents::next(&events).unwrap();
        let req = next.build(&agent_ctx(Format::Json)).unwrap();
        assert_eq!(req.uri().query(), Some("from=4&v=1&NC=true"));
    }
    // No new events: the body has links only.
    let empty = op
        .parse(fixture_response(200, "agent/events.empty.json"))
        .unwrap();
    assert!(empty.events.is_empty());
    // Format from the body when Content-Type is missing or wrong.
    let xml_body = fixture("agent/events.basic.xml");
    let sniffed = op.parse(response(200, None, xml_body.clone())).unwrap();
    assert_eq!(sniffed.events.len(), 4);
    let mislabelled = op
        .parse(response(200, Some("text/plain"), xml_body))
        .unwrap();
    assert_eq!(mislabelled.events.len(), 4);
    assert_eq!(
        GetEvents::next(&Events::default()).err(),
        Some(Error::MissingLink(Rel::Next))
    );
    assert_common_errors(&op, 200, true);
}

#[test]
fn a18_v13_info() {
    let op = GetChatInfo::new(&agent_chat());
    let req = op.build(&agent_ctx(Format::Xml)).unwrap();
    assert_request(
        &req,
        "GET",
        &format!("{SESSION}/chat/{CHAT_ID}/info?v=1&NC=true"),
        &agent_headers(Format::Xml, false),
        None,
    );
    for file in ["agent/info.basic.json", "agent/info.basic.xml"] {
        let info = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(info.state, Some(ChatState::Chatting), "{file}");
        assert_eq!(info.chat_timeout, Some(40));
        assert_eq!(info.agent_id.as_ref().unwrap().as_str(), "311098910");
    }
    let vop = GetChatInfo::new(&ChatRef::Visitor("C9".into()));
    let req = vop.build(&visitor_ctx(Format::Json)).unwrap();
    assert_request(
        &req,
        "GET",
        "https://server.iad.liveperson.net/api/account/25025413/chat/C9/info?v=1&NC=true",
        &visitor_headers(Format::Json, false),
        None,
    );
    for file in ["visitor/info.basic.json", "visitor/info.basic.xml"] {
        let info = vop.parse(fixture_response(200, file)).unwrap();
        assert_eq!(info.skill_name.as_deref(), Some("Sales"), "{file}");
    }
    assert_common_errors(&op, 200, true);
}

#[test]
fn v12_visitor_event_posts_and_reads_location() {
    let chat =
        ChatRef::Href("https://server.iad.liveperson.net/api/account/25025413/chat/C1".into());
    let line = SendVisitorEvent::new(&chat, NewEvent::plain("hi"));
    assert_eq!(line.idempotency(), Idempotency::StateChanging);
    let req = line.build(&visitor_ctx(Format::Json)).unwrap();
    assert_request(
        &req,
        "POST",
        "https://server.iad.liveperson.net/api/account/25025413/chat/C1/events?v=1&NC=true",
        &visitor_headers(Format::Json, true),
        Some(r#"{"event":{"@type":"line","text":"hi","textType":"plain"}}"#),
    );
    let req = line.build(&visitor_ctx(Format::Xml)).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"<event type="line"><text>hi</text><textType>plain</textType></event>"#
    );
    let end = SendVisitorEvent::new(&chat, NewEvent::End);
    let req = end.build(&visitor_ctx(Format::Xml)).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"<event type="state"><state>ended</state></event>"#
    );
    let req = end.build(&visitor_ctx(Format::Json)).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"{"event":{"@type":"state","state":"ended"}}"#
    );

    let created = http::Response::builder()
        .status(201)
        .header(
            "location",
            "https://server.iad.liveperson.net/api/account/25025413/chat/C1/events/5",
        )
        .body(bytes::Bytes::new())
        .unwrap();
    let out = line.parse(created).unwrap();
    assert_eq!(out.id(), Some("5"));
    assert_eq!(line.parse(json(201, "")), Err(Error::MissingLocation));
    assert_common_errors(&line, 201, false);
}
