//! The agent-side fixtures (agent session, availability, available agents, agent info,
//! incoming requests, chat sessions, transfer, participant info, the location bodies, the
//! scalar bodies and their request twins) decode to the values their manifest entries state,
//! and JSON/XML twins decode equal.

mod support;

use lpchat_proto::model::*;
use lpchat_proto::{Limits, Resource};
use serde_json::{json, Map, Value};
use support::fixtures::{self, load, opt, rels, Fixture};

/// The variant part of a fixture's file name (`agent/chat-location.end.json` → `end`).
fn variant(f: &Fixture) -> &str {
    f.file
        .rsplit('/')
        .next()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
}

fn facts<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Checks every fixture of `resource` with `check`, and that there are at least `min`.
fn each(resources: &[&str], min: usize, mut check: impl FnMut(&Fixture)) {
    let all = fixtures::good(resources);
    assert!(all.len() >= min, "{resources:?}: {} fixtures", all.len());
    for f in &all {
        check(f);
    }
}

fn location_facts(href: Option<&str>, rel: Option<&Rel>, last: Option<&str>) -> Map<String, Value> {
    facts([
        ("link_rel", opt(rel)),
        ("link_href", opt(href)),
        ("last_segment", opt(last)),
    ])
}

#[test]
fn agent_session_location_fixtures() {
    each(&["agent-session-location"], 4, |f| {
        let l: AgentSessionLocation = load(f);
        let loc = l.location();
        fixtures::assert_facts(
            f,
            &location_facts(l.href(), loc.map(|x| &x.rel), l.last_segment()),
        );
        assert_eq!(
            l.agent_session_id().map(|s| s.0),
            l.last_segment().map(str::to_owned)
        );
    });
}

#[test]
fn chat_location_fixtures() {
    each(&["chat-location"], 4, |f| {
        let l: ChatLocation = load(f);
        let loc = l.location();
        fixtures::assert_facts(
            f,
            &location_facts(l.href(), loc.map(|x| &x.rel), l.last_segment()),
        );
        // Accept (A11) names the chat; end (A17) names the `ended` event of the chat.
        assert_eq!(
            l.chat_id().map(|c| c.0).as_deref(),
            Some("H2170755172687460894-b7d761017809489ea1a257461eb373eeK8457415"),
            "{}",
            f.file
        );
        match variant(f) {
            "end" => assert_eq!(l.event_id(), Some(EventId(9))),
            _ => assert_eq!(l.event_id(), None),
        }
    });
}

#[test]
fn chat_event_location_fixtures() {
    each(&["chat-event-location"], 3, |f| {
        let l: ChatEventLocation = load(f);
        let loc = l.location();
        fixtures::assert_facts(
            f,
            &location_facts(l.href(), loc.map(|x| &x.rel), l.last_segment()),
        );
        assert_eq!(l.event_id(), Some(EventId(5)));
        assert!(l.chat_id().is_some());
    });
}

#[test]
fn agent_session_fixtures() {
    each(&["agent-session"], 6, |f| {
        let s: AgentSession = load(f);
        fixtures::assert_facts(f, &facts([("link_rels", rels(&s.links))]));
        assert!(s.href(&Rel::SelfLink).is_some(), "{}", f.file);
        if s.links.len() > 1 {
            assert!(s
                .incoming_requests_href()
                .is_some_and(|h| h.ends_with("/incomingRequests")));
            assert!(s
                .available_slots_href()
                .is_some_and(|h| h.ends_with("/chat/availableSlots")));
        }
    });
}

#[test]
fn availability_fixtures() {
    each(&["availability", "request-availability"], 12, |f| {
        let a: Availability = load(f);
        fixtures::assert_facts(
            f,
            &facts([
                ("chat", opt(a.chat.as_ref())),
                ("voice", opt(a.voice.as_ref())),
                ("chat_reason_id", opt(a.chat_reason_id.as_ref())),
            ]),
        );
    });
}

#[test]
fn available_agents_fixtures() {
    each(&["available-agents"], 16, |f| {
        let a: AvailableAgents = load(f);
        let first = a.agents.first();
        let facts = facts([
            ("agent_count", json!(a.agents.len())),
            (
                "agent_ids",
                json!(a.agents.iter().map(|x| x.id.as_str()).collect::<Vec<_>>()),
            ),
            (
                "chat_states",
                json!(a
                    .agents
                    .iter()
                    .map(|x| opt(x.chat_state.as_ref()))
                    .collect::<Vec<_>>()),
            ),
            (
                "voice_states",
                json!(a
                    .agents
                    .iter()
                    .map(|x| opt(x.voice_state.as_ref()))
                    .collect::<Vec<_>>()),
            ),
            (
                "chat_counts",
                json!(a.agents.iter().map(|x| x.chats).collect::<Vec<_>>()),
            ),
            (
                "skill_counts",
                json!(a.agents.iter().map(|x| x.skills.len()).collect::<Vec<_>>()),
            ),
            (
                "first_agent_chat_state",
                opt(first.and_then(|x| x.chat_state.as_ref())),
            ),
            (
                "first_agent_voice_state",
                opt(first.and_then(|x| x.voice_state.as_ref())),
            ),
            (
                "first_agent_max_chats",
                json!(first.and_then(|x| x.max_chats)),
            ),
            (
                "first_agent_skills",
                json!(first
                    .map(|x| x.skills.iter().map(SkillId::as_str).collect::<Vec<_>>())
                    .unwrap_or_default()),
            ),
            ("first_agent_chats", json!(first.and_then(|x| x.chats))),
            ("link_rels", rels(&a.links)),
            ("next_href", opt(a.next_href())),
        ]);
        fixtures::assert_facts(f, &facts);
        // The next link always carries the time stamp to pass on.
        let stamp = a.next_time_stamp().expect("timeStamp");
        assert!(a
            .next_href()
            .unwrap()
            .ends_with(&format!("timeStamp={}", stamp.0)));
    });
}

#[test]
fn numeric_and_named_agent_states_decode_to_the_same_model() {
    let all = fixtures::good(&["available-agents"]);
    for format in ["json", "xml"] {
        let pick = |variant: &str| {
            let f = all
                .iter()
                .find(|f| f.file == format!("agent/available-agents.{variant}.{format}"))
                .unwrap();
            load::<AvailableAgents>(f)
        };
        let numeric = pick("numeric-states");
        let named = pick("named-states");
        assert_eq!(numeric, named, "{format}");
        let online: Vec<_> = numeric.online().map(|a| a.id.as_str()).collect();
        assert_eq!(online, ["25025413"]);
    }
}

#[test]
fn available_slots_fixtures() {
    each(&["available-slots"], 10, |f| {
        let s: AvailableSlots = load(f);
        fixtures::assert_facts(f, &facts([("available_slots", json!(s.0))]));
        assert_eq!(s.is_unlimited(), s.0 == -1);
    });
}

#[test]
fn scalar_text_fixtures() {
    each(&["visitor-name", "request-visitor-name"], 10, |f| {
        let n: VisitorName = load(f);
        fixtures::assert_facts(f, &facts([("visitor_name", json!(n.as_str()))]));
    });
    each(&["visitor-typing"], 8, |f| {
        let t: VisitorTyping = load(f);
        fixtures::assert_facts(f, &facts([("visitor_typing", json!(t.0.as_str()))]));
    });
    each(&["agent-typing"], 10, |f| {
        let t: AgentTyping = load(f);
        fixtures::assert_facts(f, &facts([("agent_typing", json!(t.0.as_str()))]));
        // `unknown` is a documented value, not an unknown one.
        if t.0.as_str() == "unknown" {
            assert_eq!(t.0, TypingState::TypingUnknown);
        }
    });
    // A22 and V15 bodies: the same shapes, told apart by their root.
    each(&["request-typing"], 4, |f| {
        if f.expect.contains_key("agent_typing") {
            let t: AgentTyping = load(f);
            fixtures::assert_facts(f, &facts([("agent_typing", json!(t.0.as_str()))]));
        } else {
            let t: VisitorTyping = load(f);
            fixtures::assert_facts(f, &facts([("visitor_typing", json!(t.0.as_str()))]));
        }
    });
}

#[test]
fn agent_info_fixtures() {
    each(&["agent-info"], 8, |f| {
        let i: AgentInfo = load(f);
        fixtures::assert_facts(
            f,
            &facts([
                ("agent_id", opt(i.id.as_ref())),
                ("agent_name", opt(i.agent_name.as_ref())),
                ("login_name", opt(i.login_name.as_ref())),
                ("max_chats", json!(i.max_chats)),
                ("chat_availability", opt(i.chat_state())),
                (
                    "skill_ids",
                    json!(i.skill_ids().map(SkillId::as_str).collect::<Vec<_>>()),
                ),
                (
                    "skill_names",
                    json!(i.skills.iter().map(|s| s.name.clone()).collect::<Vec<_>>()),
                ),
                ("link_rels", rels(&i.links)),
            ]),
        );
    });
}

#[test]
fn incoming_requests_fixtures() {
    each(&["incoming-requests"], 7, |f| {
        let r: IncomingRequests = load(f);
        fixtures::assert_facts(
            f,
            &facts([
                ("ringing_count", json!(r.ringing_count)),
                ("link_rels", rels(&r.links)),
                ("accept_href", opt(r.accept_href())),
            ]),
        );
        assert_eq!(r.is_ringing(), r.ringing_count > 0);
        assert_eq!(r.is_ringing(), r.accept_href().is_some(), "{}", f.file);
    });
}

#[test]
fn chat_sessions_fixtures() {
    each(&["chat-sessions"], 10, |f| {
        let s: ChatSessions = load(f);
        fixtures::assert_facts(
            f,
            &facts([
                ("session_count", json!(s.sessions.len())),
                (
                    "chat_session_keys",
                    json!(s
                        .sessions
                        .iter()
                        .map(|x| opt(x.chat_session_key.as_ref()))
                        .collect::<Vec<_>>()),
                ),
                (
                    "start_times",
                    json!(s
                        .sessions
                        .iter()
                        .map(|x| x.start_time.map(|t| t.0))
                        .collect::<Vec<_>>()),
                ),
                (
                    "first_href",
                    opt(s.sessions.first().and_then(ChatSession::href)),
                ),
            ]),
        );
        // The chat id read from the key agrees with the one the link names.
        for session in &s.sessions {
            assert!(session
                .href()
                .unwrap()
                .ends_with(session.chat_id().unwrap().as_str()));
        }
    });
}

#[test]
fn transfer_skills_fixtures() {
    each(&["transfer-skills"], 7, |f| {
        let t: TransferSkills = load(f);
        fixtures::assert_facts(
            f,
            &facts([
                ("skill_count", json!(t.skills.len())),
                (
                    "skill_ids",
                    json!(t.skills.iter().map(|s| s.id.as_str()).collect::<Vec<_>>()),
                ),
                (
                    "skill_names",
                    json!(t.skills.iter().map(|s| s.name.clone()).collect::<Vec<_>>()),
                ),
                (
                    "online_agents",
                    json!(t.skills.iter().map(|s| s.online_agents).collect::<Vec<_>>()),
                ),
            ]),
        );
    });
}

/// The model is what the server acts on (spec A24): when an agent is named the skill is
/// ignored, and of several skills only the first counts. The `skill_id` of an entry that
/// also names an agent, and the skills after the first, describe the wire rather than the
/// request, so they are checked against the raw body instead.
#[test]
fn transfer_request_fixtures() {
    each(&["request-transfer"], 8, |f| {
        let r: TransferRequest = load(f);
        let (skill, agent) = match &r.target {
            TransferTarget::Skill(s) => (Some(s.as_str()), None),
            TransferTarget::Agent(a) => (None, Some(a.as_str())),
            _ => unreachable!(),
        };
        let mut expect = f.clone();
        if agent.is_some() {
            let ignored = expect.expect.remove("skill_id");
            if let Some(Value::String(id)) = ignored {
                assert!(
                    String::from_utf8_lossy(&f.body()).contains(&id),
                    "{}",
                    f.file
                );
            }
        }
        if let Some(Value::Array(ids)) = expect.expect.remove("skill_ids") {
            assert_eq!(ids.first().and_then(Value::as_str), skill, "{}", f.file);
        }
        fixtures::assert_facts(
            &expect,
            &facts([
                ("skill_id", opt(skill)),
                ("agent_id", opt(agent)),
                ("text", opt(r.text.as_ref())),
            ]),
        );
    });
}

#[test]
fn participant_info_fixtures() {
    each(&["participant-info"], 2, |f| {
        let p: ParticipantInfo = load(f);
        fixtures::assert_facts(
            f,
            &facts([
                ("participant_id", opt(p.participant_id())),
                ("is_authenticated", json!(p.is_authenticated())),
                ("customer_id", opt(p.customer_id())),
                ("name", opt(p.name())),
                ("emails", json!(p.emails().collect::<Vec<_>>())),
            ]),
        );
    });
    let basic = fixtures::good(&["participant-info"])
        .into_iter()
        .find(|f| variant(f) == "basic")
        .unwrap();
    let p: ParticipantInfo = load(&basic);
    let info = p.participant.unwrap();
    assert_eq!(info.balance, Some(-400.99));
    assert_eq!(info.registration_date, Some(SdeDate::new(2013, 5, 23)));
    assert_eq!(info.last_payment_date, Some(SdeDate::new(2014, 10, 15)));
    assert_eq!(info.company_size, Some(500));
    assert_eq!(info.role.as_deref(), Some("broker"));
    assert!(info.other.is_empty(), "{:?}", info.other);
    assert_eq!(
        p.personal.unwrap().contacts[0].phone.as_deref(),
        Some("+1-10-344-3765333")
    );
}

#[test]
fn request_body_fixtures() {
    each(&["request-accept"], 2, |f| {
        let a: AcceptChat = load(f);
        let keys: Vec<&str> = a.chat.iter().map(|_| "chat").collect();
        fixtures::assert_facts(f, &facts([("body_keys", json!(keys))]));
    });
    each(&["request-agent-session"], 3, |f| {
        let s: StartAgentSession = load(f);
        let kind = match &s {
            StartAgentSession::Blank => "empty-string",
            StartAgentSession::EmptyObject => "empty-object",
            StartAgentSession::Credentials { .. } => "credentials",
            _ => unreachable!(),
        };
        fixtures::assert_facts(f, &facts([("login_data_kind", json!(kind))]));
        assert!(!format!("{s:?}").contains("secret"), "password in Debug");
    });
}

/// The model of a fixture as a JSON value, by its decode name.
fn model_value(f: &Fixture) -> Value {
    fn v<T: Resource>(f: &Fixture) -> Value {
        serde_json::to_value(load::<T>(f)).unwrap()
    }
    match f.resource.as_str() {
        "request-typing" if f.expect.contains_key("agent_typing") => v::<AgentTyping>(f),
        "request-typing" => v::<VisitorTyping>(f),
        name => lpchat_proto::resources::find(name)
            .unwrap_or_else(|| panic!("{name} is not registered"))
            .decode_to_json(f.format.unwrap(), &f.body(), &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.file)),
    }
}

const RESOURCES: &[&str] = &[
    "agent-session-location",
    "agent-session",
    "availability",
    "request-availability",
    "available-agents",
    "available-slots",
    "agent-info",
    "incoming-requests",
    "chat-location",
    "chat-event-location",
    "chat-sessions",
    "visitor-name",
    "request-visitor-name",
    "visitor-typing",
    "agent-typing",
    "request-typing",
    "transfer-skills",
    "request-transfer",
    "participant-info",
    "request-accept",
    "request-agent-session",
];

#[test]
fn json_and_xml_twins_decode_equal() {
    let manifest = fixtures::manifest();
    let mut pairs = 0;
    for f in fixtures::good(RESOURCES) {
        let Some(twin) = &f.same_as else { continue };
        let g = manifest.iter().find(|g| &g.file == twin).unwrap();
        assert_eq!(model_value(&f), model_value(g), "{} vs {}", f.file, g.file);
        pairs += 1;
    }
    assert!(pairs >= 100, "{pairs}");
}

#[test]
fn every_fixture_survives_re_encoding() {
    for f in fixtures::good(RESOURCES) {
        if let Some(entry) = lpchat_proto::resources::find(&f.resource) {
            entry
                .check_round_trip(f.format.unwrap(), &f.body(), &Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", f.file));
        }
    }
}

#[test]
fn bad_fixtures_fail_with_their_category() {
    assert!(fixtures::check_bad(&["available-slots"]) >= 4);
}
