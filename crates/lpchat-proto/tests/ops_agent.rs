//! Agent-session operations A2-A12, A31 and the agent chat writes A16, A17, A19-A27:
//! exact requests in JSON and XML, and parsing of fixtures and failures.

mod ops_support;

use bytes::Bytes;
use lpchat_proto::model::agent::*;
use lpchat_proto::model::scalars::*;
use lpchat_proto::model::survey::SurveyAnswers;
use lpchat_proto::model::*;
use lpchat_proto::ops::*;
use lpchat_proto::Format;
use ops_support::*;

fn session() -> SessionRef {
    SessionRef::Href(SESSION.into())
}

fn chat() -> ChatRef {
    ChatRef::Agent {
        session: session(),
        chat: CHAT_ID.into(),
    }
}

fn body(req: &http::Request<Bytes>) -> &str {
    std::str::from_utf8(req.body()).unwrap()
}

/// The agent headers of a tunnelled PUT or DELETE.
fn override_headers(
    format: Format,
    verb: &'static str,
    with_body: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut h = agent_headers(format, with_body);
    h.push(("x-http-method-override", verb));
    h
}

#[test]
fn a2_open_session() {
    let op = OpenAgentSession::new();
    assert_eq!(op.idempotency(), Idempotency::Safe);
    let url = "https://va.agentvep.liveperson.net/api/account/25025413/agentSession?v=1&NC=true";
    let req = op.build(&agent_ctx(Format::Json)).unwrap();
    assert_request(
        &req,
        "POST",
        url,
        &agent_headers(Format::Json, true),
        Some(r#"{"loginData":""}"#),
    );
    let req = op.build(&agent_ctx(Format::Xml)).unwrap();
    assert_request(
        &req,
        "POST",
        url,
        &agent_headers(Format::Xml, true),
        Some("<loginData></loginData>"),
    );
    let req = OpenAgentSession::new()
        .login_data(StartAgentSession::EmptyObject)
        .build(&agent_ctx(Format::Json))
        .unwrap();
    assert_eq!(body(&req), r#"{"loginData":{}}"#);

    // 201 and the 2017 200, JSON and XML bodies.
    for (status, file) in [
        (201, "agent/agent-session-location.basic.json"),
        (200, "agent/agent-session-location.basic.xml"),
        (201, "agent/agent-session-location.plain-keys.json"),
    ] {
        let loc = op.parse(fixture_response(status, file)).unwrap();
        assert_eq!(
            loc.href(),
            Some(
                "https://va-a.agentvep.liveperson.net/api/account/25025413/agentSession/1027882276"
            ),
            "{file}"
        );
        let s = SessionRef::from_location(&loc).unwrap();
        assert_eq!(s.id().unwrap().as_str(), "1027882276");
    }
    // A blank body with a Location header.
    let header_only = http::Response::builder()
        .status(201)
        .header("location", SESSION)
        .body(Bytes::new())
        .unwrap();
    assert_eq!(op.parse(header_only).unwrap().href(), Some(SESSION));
    assert_eq!(op.parse(json(201, "")), Err(Error::MissingLocation));
    assert_eq!(
        op.parse(json(201, r#"{"agentSessionLocation":{}}"#)),
        Err(Error::MissingLink(Rel::Location))
    );
    assert_eq!(
        SessionRef::from_location(&AgentSessionLocation::default()),
        Err(Error::MissingLink(Rel::Location))
    );
    assert_common_errors(&op, 201, true);
    // Without a base URI the URL cannot be built from ids.
    let no_base = Context::new(Format::Json).with_auth(Auth::Bearer(BEARER.into()));
    assert_eq!(op.build(&no_base).unwrap_err(), Error::MissingBase);
}

#[test]
fn a3_a4_session_resource_and_logout() {
    let op = GetAgentSession::new(&session()).with_chats();
    let req = op.build(&agent_ctx(Format::Json)).unwrap();
    assert_request(
        &req,
        "GET",
        &format!("{SESSION}?cs=1&v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    for file in [
        "agent/agent-session.basic.json",
        "agent/agent-session.basic.xml",
    ] {
        let s = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(s.links.len(), 7, "{file}");
        // Every session link leads to its operation.
        let ctx = agent_ctx(Format::Json);
        let path = |r: http::Request<Bytes>| r.uri().path().to_owned();
        assert!(path(
            GetAvailability::of_session(&s)
                .unwrap()
                .build(&ctx)
                .unwrap()
        )
        .ends_with("/availability"));
        assert!(path(
            GetAvailableAgents::of_session(&s)
                .unwrap()
                .build(&ctx)
                .unwrap()
        )
        .ends_with("/availableAgents"));
        assert!(path(
            GetAvailableSlots::of_session(&s)
                .unwrap()
                .build(&ctx)
                .unwrap()
        )
        .ends_with("/availableSlots"));
        assert!(
            path(GetAgentInfo::of_session(&s).unwrap().build(&ctx).unwrap()).ends_with("/info")
        );
        assert!(path(
            GetIncomingRequests::of_session(&s)
                .unwrap()
                .build(&ctx)
                .unwrap()
        )
        .ends_with("/incomingRequests"));
        assert!(path(
            GetChatSessions::of_session(&s)
                .unwrap()
                .build(&ctx)
                .unwrap()
        )
        .ends_with("/chatSessions"));
    }
    assert_eq!(
        GetAvailability::of_session(&AgentSession::default()).err(),
        Some(Error::MissingLink(Rel::Availability))
    );
    assert_common_errors(&op, 200, true);

    let close = CloseAgentSession::new(&SessionRef::Id("77".into()));
    let url = "https://va.agentvep.liveperson.net/api/account/25025413/agentSession/77?v=1&NC=true";
    assert_request(
        &close.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        url,
        &override_headers(Format::Xml, "DELETE", false),
        None,
    );
    let mut real = agent_ctx(Format::Json);
    real.options.real_verbs = true;
    assert_request(
        &close.build(&real).unwrap(),
        "DELETE",
        url,
        &agent_headers(Format::Json, false),
        None,
    );
    for status in [200, 201, 204] {
        close.parse(json(status, "")).unwrap();
    }
    assert_common_errors(&close, 200, false);
}

#[test]
fn a5_a6_availability() {
    let get = GetAvailability::new(&session());
    assert_request(
        &get.build(&agent_ctx(Format::Xml)).unwrap(),
        "GET",
        &format!("{SESSION}/availability?v=1&NC=true"),
        &agent_headers(Format::Xml, false),
        None,
    );
    for file in [
        "agent/availability.basic.json",
        "agent/availability.basic.xml",
    ] {
        let a = get.parse(fixture_response(200, file)).unwrap();
        assert_eq!(a.chat, Some(AgentState::Online), "{file}");
    }
    assert_common_errors(&get, 200, true);

    let set = SetAvailability::new(&session(), Availability::chat(AgentState::Online));
    assert_eq!(set.idempotency(), Idempotency::Safe);
    let url = format!("{SESSION}/availability?v=1&NC=true");
    assert_request(
        &set.build(&agent_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &override_headers(Format::Json, "PUT", true),
        Some(r#"{"availability":{"chat":"Online"}}"#),
    );
    let with_reason = SetAvailability::new(
        &session(),
        Availability::chat(AgentState::Away).with_reason("123"),
    );
    assert_request(
        &with_reason.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &override_headers(Format::Xml, "PUT", true),
        Some("<availability><chat>Away</chat><chatReasonId>123</chatReasonId></availability>"),
    );
    let mut real = agent_ctx(Format::Json);
    real.options.real_verbs = true;
    assert_eq!(set.build(&real).unwrap().method(), "PUT");
    assert!(set
        .build(&real)
        .unwrap()
        .headers()
        .get("x-http-method-override")
        .is_none());
    // The answer's body when there is one, nothing when blank.
    let echoed = set
        .parse(xml(200, "<availability><chat>Away</chat></availability>"))
        .unwrap();
    assert_eq!(echoed.unwrap().chat, Some(AgentState::Away));
    assert_eq!(set.parse(json(200, "")).unwrap(), None);
    assert_eq!(set.parse(json(204, "")).unwrap(), None);
    assert_common_errors(&set, 200, true);
}

#[test]
fn a7_available_agents_filters_and_next() {
    let op = GetAvailableAgents::new(&session())
        .skill("Sales Team")
        .chat_state(&AgentState::Online)
        .voice_state(&AgentState::Offline)
        .chat_reason_id("7");
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{SESSION}/availableAgents?skill=Sales%20Team&chatState=Online&voiceState=Offline&chatReasonId=7&v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    for file in [
        "agent/available-agents.basic.json",
        "agent/available-agents.basic.xml",
    ] {
        let agents = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(agents.agents.len(), 1, "{file}");
        assert_eq!(agents.agents[0].chat_state, Some(AgentState::Away));
        let next = GetAvailableAgents::next(&agents)
            .unwrap()
            .chat_state(&AgentState::Online);
        assert_eq!(
            next.build(&agent_ctx(Format::Json)).unwrap().uri().to_string(),
            "https://webserver/api/account/20026006/agentSession/982759926/availableAgents?timeStamp=1331544926464&chatState=Online&v=1&NC=true"
        );
    }
    assert_eq!(
        GetAvailableAgents::next(&AvailableAgents::default()).err(),
        Some(Error::MissingLink(Rel::Next))
    );
    assert_common_errors(&op, 200, true);
}

#[test]
fn a8_v3_available_slots() {
    let op = GetAvailableSlots::new(&session()).skill("Sales", Some(60));
    assert_request(
        &op.build(&agent_ctx(Format::Xml)).unwrap(),
        "GET",
        &format!("{SESSION}/chat/availableSlots?skill=Sales&maxWaitTime=60&v=1&NC=true"),
        &agent_headers(Format::Xml, false),
        None,
    );
    let by_agent = GetAvailableSlots::visitor().agent("john@example.com");
    assert_request(
        &by_agent.build(&visitor_ctx(Format::Json)).unwrap(),
        "GET",
        "https://server.iad.liveperson.net/api/account/25025413/chat/availableSlots?agent=john%40example.com&v=1&NC=true",
        &visitor_headers(Format::Json, false),
        None,
    );
    for (file, n) in [
        ("agent/available-slots.basic.json", 1),
        ("agent/available-slots.basic.xml", 1),
        ("agent/available-slots.strings.json", 1),
        ("agent/available-slots.unlimited.json", -1),
    ] {
        assert_eq!(
            op.parse(fixture_response(200, file)).unwrap(),
            AvailableSlots(n),
            "{file}"
        );
    }
    assert_common_errors(&op, 200, true);
}

#[test]
fn a9_agent_info() {
    let op = GetAgentInfo::new(&session());
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{SESSION}/info?v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    for file in ["agent/agent-info.basic.json", "agent/agent-info.basic.xml"] {
        let info = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(
            info.login_name.as_deref(),
            Some("John@company.com"),
            "{file}"
        );
    }
    assert_common_errors(&op, 200, true);
}

#[test]
fn a10_a11_incoming_and_accept() {
    let get = GetIncomingRequests::new(&session());
    assert_request(
        &get.build(&agent_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{SESSION}/incomingRequests?v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    let idle = get
        .parse(fixture_response(200, "agent/incoming-requests.basic.json"))
        .unwrap();
    assert!(!idle.is_ringing());
    assert_eq!(
        AcceptNextChat::from_incoming(&idle).err(),
        Some(Error::MissingLink(Rel::AcceptNextChat))
    );
    let ringing = get
        .parse(fixture_response(200, "agent/incoming-requests.single.xml"))
        .unwrap();
    assert!(ringing.is_ringing());
    let accept = AcceptNextChat::from_incoming(&ringing).unwrap();
    assert_eq!(accept.idempotency(), Idempotency::StateChanging);
    let req = accept.build(&agent_ctx(Format::Json)).unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(req.uri().query(), Some("v=1&NC=true"));
    assert!(req.uri().path().ends_with("/incomingRequests"));
    assert_eq!(body(&req), "{}");
    assert_common_errors(&get, 200, true);

    let accept = AcceptNextChat::new(&session());
    let url = format!("{SESSION}/incomingRequests?v=1&NC=true");
    assert_request(
        &accept.build(&agent_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Json, true),
        Some("{}"),
    );
    assert_request(
        &accept.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Xml, false),
        None,
    );
    let mut start = AcceptChat::new();
    start.chat = Some("start".into());
    let sample = AcceptNextChat::new(&session()).with_body(start);
    assert_eq!(
        body(&sample.build(&agent_ctx(Format::Json)).unwrap()),
        r#"{"chat":"start"}"#
    );

    for file in [
        "agent/chat-location.basic.json",
        "agent/chat-location.basic.xml",
    ] {
        let loc = accept.parse(fixture_response(201, file)).unwrap();
        let chat = ChatRef::from_location(&loc).unwrap();
        assert_eq!(chat.id().unwrap().as_str(), CHAT_ID, "{file}");
    }
    assert_common_errors(&accept, 201, true);
}

#[test]
fn a12_chat_sessions() {
    let op = GetChatSessions::new(&session());
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{SESSION}/chatSessions?v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    for file in [
        "agent/chat-sessions.basic.json",
        "agent/chat-sessions.basic.xml",
    ] {
        let sessions = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(sessions.sessions.len(), 1, "{file}");
        let chat = ChatRef::from_chat_session(&sessions.sessions[0]).unwrap();
        assert_eq!(
            chat.id().unwrap().as_str(),
            "H31879676690579736-632532233958645150K8414055"
        );
    }
    let empty = op
        .parse(fixture_response(200, "agent/chat-sessions.empty.json"))
        .unwrap();
    assert!(empty.sessions.is_empty());
    assert_common_errors(&op, 200, true);
}

#[test]
fn a31_participant_info() {
    let op = GetParticipantInfo::new(&session(), "55fc1779-83b0");
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{SESSION}/participantExtendedInfo/55fc1779-83b0?v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    let info = op
        .parse(fixture_response(200, "agent/participant-info.basic.json"))
        .unwrap();
    assert!(info.is_authenticated());
    assert_eq!(info.name(), Some("Test"));
    assert_common_errors(&op, 200, true);
}

#[test]
fn a16_send_line() {
    let op = SendLine::plain(&chat(), "How can I help you?");
    assert_eq!(op.idempotency(), Idempotency::StateChanging);
    let url = format!("{SESSION}/chat/{CHAT_ID}/events?v=1&NC=true");
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Json, true),
        Some(r#"{"event":{"@type":"line","text":"How can I help you?","textType":"plain"}}"#),
    );
    let html = SendLine::new(
        &chat(),
        NewEvent::Line {
            text: "<i>How can I help you</i>".into(),
            text_type: TextType::Html,
            sub_type: Some(SubType::OnlyToRep),
            json: None,
        },
    );
    assert_request(
        &html.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Xml, true),
        Some(
            r#"<event type="line"><subType>ONLY_TO_REP</subType><text>&lt;i&gt;How can I help you&lt;/i&gt;</text><textType>html</textType></event>"#,
        ),
    );
    for file in [
        "agent/chat-event-location.basic.json",
        "agent/chat-event-location.basic.xml",
    ] {
        let loc = op.parse(fixture_response(201, file)).unwrap();
        assert_eq!(loc.last_segment(), Some("5"), "{file}");
    }
    // A server answering with the other location root is still understood.
    let other = op
        .parse(fixture_response(201, "agent/chat-location.end.json"))
        .unwrap();
    assert_eq!(other.last_segment(), Some("9"));
    assert_common_errors(&op, 201, true);
}

#[test]
fn a17_end_chat() {
    let op = EndChat::new(&chat());
    assert_eq!(op.idempotency(), Idempotency::StateChanging);
    let url = format!("{SESSION}/chat/{CHAT_ID}/events?v=1&NC=true");
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Json, true),
        Some(r#"{"event":{"@type":"state","state":"ended"}}"#),
    );
    assert_request(
        &op.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Xml, true),
        Some(r#"<event type="state"><state>ended</state></event>"#),
    );
    for file in [
        "agent/chat-location.end.json",
        "agent/chat-location.end.xml",
    ] {
        assert_eq!(
            op.parse(fixture_response(201, file))
                .unwrap()
                .last_segment(),
            Some("9")
        );
    }
    let other = op
        .parse(fixture_response(
            201,
            "agent/chat-event-location.basic.json",
        ))
        .unwrap();
    assert_eq!(other.last_segment(), Some("5"));
    assert_common_errors(&op, 201, true);
}

#[test]
fn a19_to_a22_name_and_typing() {
    let info: ChatInfo = lpchat_proto::decode(
        Format::Json,
        &fixture("agent/info.basic.json"),
        &Default::default(),
    )
    .unwrap();
    let ctx = agent_ctx(Format::Json);
    let base = format!("{SESSION}/chat/{CHAT_ID}/info");

    let name = GetVisitorName::new(&chat());
    assert_eq!(
        name.build(&ctx).unwrap().uri().to_string(),
        format!("{base}/visitorName?v=1&NC=true")
    );
    assert!(GetVisitorName::of_info(&info)
        .unwrap()
        .build(&ctx)
        .unwrap()
        .uri()
        .path()
        .ends_with("/info/visitorName"));
    for file in [
        "agent/visitor-name.basic.json",
        "agent/visitor-name.basic.xml",
    ] {
        assert_eq!(
            name.parse(fixture_response(200, file)).unwrap(),
            VisitorName::new("visitor")
        );
    }
    assert_common_errors(&name, 200, true);

    let vt = GetVisitorTyping::new(&chat());
    assert_eq!(
        vt.build(&ctx).unwrap().uri().to_string(),
        format!("{base}/visitorTyping?v=1&NC=true")
    );
    assert!(GetVisitorTyping::of_info(&info).is_ok());
    // Documented as 201, 200 in practice: both read.
    for (status, file) in [
        (200, "agent/visitor-typing.basic.json"),
        (201, "agent/visitor-typing.basic.xml"),
    ] {
        assert!(vt
            .parse(fixture_response(status, file))
            .unwrap()
            .is_typing());
    }
    assert_common_errors(&vt, 200, true);

    let at = GetAgentTyping::new(&chat());
    assert_eq!(
        at.build(&ctx).unwrap().uri().to_string(),
        format!("{base}/agentTyping?v=1&NC=true")
    );
    assert!(GetAgentTyping::of_info(&info).is_ok());
    assert_eq!(
        at.parse(fixture_response(
            201,
            "agent/agent-typing.documented-unknown.json"
        ))
        .unwrap(),
        AgentTyping(TypingState::TypingUnknown)
    );
    assert_common_errors(&at, 200, true);
    assert_eq!(
        GetAgentTyping::of_info(&ChatInfo::default()).err(),
        Some(Error::MissingLink(Rel::AgentTyping))
    );

    let set = SetAgentTyping::new(&chat(), true);
    assert_eq!(set.idempotency(), Idempotency::Safe);
    assert_request(
        &set.build(&ctx).unwrap(),
        "POST",
        &format!("{base}/agentTyping?v=1&NC=true"),
        &override_headers(Format::Json, "PUT", true),
        Some(r#"{"agentTyping":"typing"}"#),
    );
    let off = SetAgentTyping::new(&chat(), false);
    assert_eq!(
        body(&off.build(&agent_ctx(Format::Xml)).unwrap()),
        "<agentTyping>not-typing</agentTyping>"
    );
    set.parse(json(200, "")).unwrap();
    set.parse(json(201, "")).unwrap();
    let bad = set
        .parse(json(
            400,
            r#"{"error":{"message":"Bad request","internalCode":33}}"#,
        ))
        .unwrap_err();
    assert_eq!(bad.status().unwrap().as_u16(), 400);
    assert_common_errors(&set, 200, false);
}

#[test]
fn a23_a24_transfer() {
    let get = GetTransferSkills::new(&chat());
    assert_request(
        &get.build(&agent_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{SESSION}/chat/{CHAT_ID}/transfer?v=1&NC=true"),
        &agent_headers(Format::Json, false),
        None,
    );
    for file in [
        "agent/transfer-skills.basic.json",
        "agent/transfer-skills.basic.xml",
    ] {
        let skills = get.parse(fixture_response(200, file)).unwrap();
        assert_eq!(skills.skills.len(), 2, "{file}");
    }
    assert_common_errors(&get, 200, true);

    let op = TransferChat::new(
        &chat(),
        TransferRequest::to_skill("2").with_text("I think this person needs some help from you."),
    );
    assert_eq!(op.idempotency(), Idempotency::StateChanging);
    let url = format!("{SESSION}/chat/{CHAT_ID}/transfer?v=1&NC=true");
    assert_request(
        &op.build(&agent_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Json, true),
        Some(
            r#"{"transfer":{"skill":{"id":"2"},"text":"I think this person needs some help from you."}}"#,
        ),
    );
    let to_agent = TransferChat::new(&chat(), TransferRequest::to_agent("6"));
    assert_request(
        &to_agent.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &agent_headers(Format::Xml, true),
        Some("<transfer><agent><id>6</id></agent></transfer>"),
    );
    op.parse(json(200, "")).unwrap();
    assert_common_errors(&op, 200, false);
}

#[test]
fn a25_a28_to_a30_generic_by_link() {
    let chat: Chat = lpchat_proto::decode(
        Format::Json,
        &fixture("agent/chat.basic.json"),
        &Default::default(),
    )
    .unwrap();
    let ctx = agent_ctx(Format::Json);
    for (rel, tail) in [
        (Rel::TransferAccount, "/transferAccount"),
        (Rel::CollaborationChannels, "/collaborationChannels"),
        (Rel::VisitId, "/visits/visit/H2170755172687460894K8457415"),
    ] {
        let op = GetGeneric::follow(&chat.links, rel.clone()).unwrap();
        let req = op.build(&ctx).unwrap();
        assert!(req.uri().path().ends_with(tail), "{rel}: {}", req.uri());
        assert_eq!(req.uri().query(), Some("v=1&NC=true"));
    }
    let vars = GetGeneric::visit_custom_variables(&chat)
        .unwrap()
        .build(&ctx)
        .unwrap();
    assert!(vars
        .uri()
        .path()
        .ends_with("/visits/visit/H2170755172687460894K8457415/customVariables"));
    assert_eq!(
        GetGeneric::follow(&[], Rel::VisitId).err(),
        Some(Error::MissingLink(Rel::VisitId))
    );
    let op = GetGeneric::at("https://h.example/api/account/1/agentSession/2/visits/visit/V1");
    for file in ["agent/generic.visit.json", "agent/generic.visit.xml"] {
        let g = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(g.root, "visit", "{file}");
        assert_eq!(g.links.len(), 4);
    }
    assert_common_errors(&op, 200, false);
}

#[test]
fn a26_a27_agent_survey() {
    let get = GetAgentSurvey::new(&chat());
    assert_request(
        &get.build(&agent_ctx(Format::Xml)).unwrap(),
        "GET",
        &format!("{SESSION}/chat/{CHAT_ID}/survey?v=1&NC=true"),
        &agent_headers(Format::Xml, false),
        None,
    );
    for file in ["agent/survey.basic.json", "agent/survey.basic.xml"] {
        let survey = get.parse(fixture_response(200, file)).unwrap();
        assert_eq!(survey.id.as_ref().unwrap().as_str(), "41108", "{file}");
        assert_eq!(survey.questions.len(), 2);
    }
    assert_common_errors(&get, 200, true);

    let answers = SurveyAnswers::new("40292").answer("25245945", ["answer1"]);
    let put = SubmitAgentSurvey::new(&chat(), answers);
    let url = format!("{SESSION}/chat/{CHAT_ID}/survey?v=1&NC=true");
    assert_request(
        &put.build(&agent_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &override_headers(Format::Xml, "PUT", true),
        Some(
            r#"<survey id="40292"><question id="25245945"><answer>answer1</answer></question></survey>"#,
        ),
    );
    assert_request(
        &put.build(&agent_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &override_headers(Format::Json, "PUT", true),
        Some(r#"{"survey":{"@id":"40292","question":[{"@id":"25245945","answer":["answer1"]}]}}"#),
    );
    put.parse(json(200, "")).unwrap();
    assert_common_errors(&put, 200, false);
}
