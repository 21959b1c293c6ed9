//! Agent-side models and the scalar bodies survive encode then decode in JSON and in XML,
//! and both formats agree.

mod support;

use lpchat_proto::model::*;
use lpchat_proto::{decode, encode, Format, Limits};
use proptest::prelude::*;
use serde_json::{Map, Value};
use support::*;

fn agent_state() -> impl Strategy<Value = AgentState> {
    prop_oneof![
        Just(AgentState::Online),
        Just(AgentState::Offline),
        Just(AgentState::Occupied),
        Just(AgentState::Away),
        "[a-z]{3,8}x".prop_map(|s| AgentState::parse(&s)),
        (5u32..100).prop_map(|n| AgentState::parse(&n.to_string())),
    ]
}

fn typing_any() -> impl Strategy<Value = TypingState> {
    prop_oneof![typing(), "[a-z]{3,8}x".prop_map(|s| TypingState::parse(&s))]
}

fn availability() -> impl Strategy<Value = Availability> {
    (
        prop::option::of(agent_state()),
        prop::option::of(agent_state()),
        prop::option::of(any_text()),
    )
        .prop_map(|(chat, voice, reason)| {
            let mut a = Availability::default();
            a.chat = chat;
            a.voice = voice;
            a.chat_reason_id = reason;
            a
        })
}

fn available_agent() -> impl Strategy<Value = AvailableAgent> {
    (
        id_text(),
        prop::option::of(agent_state()),
        prop::option::of(agent_state()),
        prop::option::of(int()),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::collection::vec(id_text().prop_map(SkillId::from), 0..4),
        prop::option::of(0i64..20),
    )
        .prop_map(|(id, chat, voice, max, user, nick, email, skills, chats)| {
            let mut a = AvailableAgent::default();
            a.id = AgentId::from(id);
            a.chat_state = chat;
            a.voice_state = voice;
            a.max_chats = max;
            a.user_name = user;
            a.nickname = nick;
            a.email = email;
            a.skills = skills;
            a.chats = chats;
            a
        })
}

fn available_agents() -> impl Strategy<Value = AvailableAgents> {
    (prop::collection::vec(available_agent(), 0..4), links()).prop_map(|(agents, links)| {
        let mut a = AvailableAgents::default();
        a.agents = agents;
        a.links = links;
        a
    })
}

fn agent_info() -> impl Strategy<Value = AgentInfo> {
    (
        links(),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::option::of(id_text().prop_map(AgentId::from)),
        prop::option::of(int()),
        prop::option::of(availability()),
        prop::option::of(any_text()),
        prop::collection::vec(
            (id_text(), prop::option::of(any_text())).prop_map(|(id, name)| {
                let mut s = SkillInfo::default();
                s.id = SkillId::from(id);
                s.name = name;
                s
            }),
            0..4,
        ),
    )
        .prop_map(
            |(links, agent_name, login_name, id, max_chats, availability, reason, skills)| {
                let mut i = AgentInfo::default();
                i.links = links;
                i.agent_name = agent_name.clone();
                i.display_name = agent_name;
                i.login_name = login_name;
                i.id = id;
                i.max_chats = max_chats;
                i.availability = availability;
                i.chat_reason_id = reason;
                i.skills = skills;
                i
            },
        )
}

fn chat_sessions() -> impl Strategy<Value = ChatSessions> {
    // An empty chatSession element reads as "no session" in XML (an empty element in a list
    // is an empty list), so every generated session carries at least its link.
    let session = (
        prop::collection::vec(link(), 1..3),
        prop::option::of(id_text().prop_map(ChatId::from)),
        prop::option::of((0i64..4_102_444_800_000).prop_map(EpochMillis)),
    )
        .prop_map(|(links, key, start)| {
            let mut s = ChatSession::default();
            s.links = links;
            s.chat_session_key = key;
            s.start_time = start;
            s
        });
    prop::collection::vec(session, 0..4).prop_map(|sessions| {
        let mut s = ChatSessions::default();
        s.sessions = sessions;
        s
    })
}

fn transfer_skills() -> impl Strategy<Value = TransferSkills> {
    let skill = (
        id_text(),
        prop::option::of(any_text()),
        prop::option::of(0i64..50),
    )
        .prop_map(|(id, name, online)| {
            let mut s = TransferSkill::default();
            s.id = SkillId::from(id);
            s.name = name;
            s.online_agents = online;
            s
        });
    prop::collection::vec(skill, 0..4).prop_map(|skills| {
        let mut t = TransferSkills::default();
        t.skills = skills;
        t
    })
}

fn transfer_request() -> impl Strategy<Value = TransferRequest> {
    (any::<bool>(), id_text(), prop::option::of(any_text())).prop_map(|(to_agent, id, text)| {
        let r = if to_agent {
            TransferRequest::to_agent(id.as_str())
        } else {
            TransferRequest::to_skill(id.as_str())
        };
        match text {
            Some(t) => r.with_text(t),
            None => r,
        }
    })
}

/// Members the models do not know: names that no documented member has, text values (XML
/// has no other scalar type).
fn other_members() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("zz[a-z]{1,6}", any_text(), 0..3)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

fn sde_date() -> impl Strategy<Value = SdeDate> {
    (
        prop::option::of(1900i64..2100),
        prop::option::of(1i64..=12),
        prop::option::of(1i64..=31),
    )
        .prop_map(|(year, month, day)| {
            let mut d = SdeDate::default();
            d.year = year;
            d.month = month;
            d.day = day;
            d
        })
}

fn participant_info() -> impl Strategy<Value = ParticipantInfo> {
    let participant = (
        prop::option::of(any::<bool>()),
        prop::option::of(text()),
        // Any finite number: serde_json's `float_roundtrip` keeps JSON exact.
        prop::option::of(any::<f64>().prop_filter("finite", |f| f.is_finite())),
        prop::option::of(sde_date()),
        prop::option::of(sde_date()),
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::option::of(0i64..100_000),
        other_members(),
    )
        .prop_map(
            |(auth, id, balance, registered, paid, customer, role, size, other)| {
                let mut p = AuthenticatedParticipantInfo::default();
                p.is_user_authenticated = auth;
                p.participant_id = id;
                p.balance = balance;
                p.registration_date = registered;
                p.last_payment_date = paid;
                p.customer_id = customer;
                p.role = role;
                p.company_size = size;
                p.other = other;
                p
            },
        );
    // A contact with nothing in it reads as no contact in XML (see chat_sessions).
    let contact = (text(), prop::option::of(any_text()), other_members()).prop_map(
        |(email, phone, other)| {
            let mut c = Contact::default();
            c.email = Some(email);
            c.phone = phone;
            c.other = other;
            c
        },
    );
    let personal = (
        prop::option::of(any_text()),
        prop::option::of(any_text()),
        prop::collection::vec(contact, 0..3),
        other_members(),
    )
        .prop_map(|(name, surname, contacts, other)| {
            let mut p = AuthenticatedPersonalInfo::default();
            p.name = name;
            p.surname = surname;
            p.contacts = contacts;
            p.other = other;
            p
        });
    (prop::option::of(participant), prop::option::of(personal)).prop_map(
        |(participant, personal)| {
            let mut p = ParticipantInfo::default();
            p.participant = participant;
            p.personal = personal;
            p
        },
    )
}

proptest! {
    #[test]
    fn agent_session_location_round_trips(links in links()) {
        let mut l = AgentSessionLocation::default();
        l.links = links;
        assert_round_trip(&l)?;
    }

    #[test]
    fn chat_location_round_trips(href in href()) {
        assert_round_trip(&ChatLocation::new(href))?;
    }

    #[test]
    fn chat_event_location_round_trips(links in links()) {
        let mut l = ChatEventLocation::default();
        l.links = links;
        assert_round_trip(&l)?;
    }

    #[test]
    fn agent_session_round_trips(links in links()) {
        let mut s = AgentSession::default();
        s.links = links;
        assert_round_trip(&s)?;
    }

    #[test]
    fn start_agent_session_round_trips(user in any_text(), password in any_text()) {
        assert_round_trip(&StartAgentSession::Blank)?;
        assert_round_trip(&StartAgentSession::Credentials { user_name: user, password })?;
    }

    #[test]
    fn availability_round_trips(a in availability()) {
        assert_round_trip(&a)?;
    }

    #[test]
    fn available_agents_round_trip(a in available_agents()) {
        assert_round_trip(&a)?;
    }

    #[test]
    fn agent_info_round_trips(i in agent_info()) {
        assert_round_trip(&i)?;
    }

    #[test]
    fn incoming_requests_round_trip(count in int(), links in links()) {
        let mut r = IncomingRequests::default();
        r.ringing_count = count;
        r.links = links;
        assert_round_trip(&r)?;
    }

    #[test]
    fn accept_chat_round_trips(chat in prop::option::of(any_text())) {
        let mut a = AcceptChat::new();
        a.chat = chat;
        assert_round_trip(&a)?;
    }

    #[test]
    fn chat_sessions_round_trip(s in chat_sessions()) {
        assert_round_trip(&s)?;
    }

    #[test]
    fn transfer_skills_round_trip(t in transfer_skills()) {
        assert_round_trip(&t)?;
    }

    #[test]
    fn transfer_request_round_trips(r in transfer_request()) {
        assert_round_trip(&r)?;
    }

    #[test]
    fn participant_info_round_trips(p in participant_info()) {
        assert_round_trip(&p)?;
    }

    #[test]
    fn scalars_round_trip(
        slots in int(),
        name in any_text(),
        visitor in typing_any(),
        agent in typing_any(),
    ) {
        assert_round_trip(&AvailableSlots(slots))?;
        assert_round_trip(&VisitorName(name))?;
        assert_round_trip(&VisitorTyping(visitor))?;
        assert_round_trip(&AgentTyping(agent))?;
    }

    #[test]
    fn agent_states_read_back_from_their_codes(state in agent_state()) {
        if let Some(code) = state.code() {
            prop_assert_eq!(AgentState::parse(&code.to_string()), state.clone());
        }
        prop_assert_eq!(AgentState::parse(state.as_str()), state);
    }
}

/// `{}` and `""` differ in JSON only: XML writes both as `<loginData/>`.
#[test]
fn empty_object_login_data_round_trips_in_json() {
    let l = Limits::default();
    let body = encode(Format::Json, &StartAgentSession::EmptyObject).unwrap();
    assert_eq!(&body[..], br#"{"loginData":{}}"#);
    let back: StartAgentSession = decode(Format::Json, &body, &l).unwrap();
    assert_eq!(back, StartAgentSession::EmptyObject);
    let xml = encode(Format::Xml, &StartAgentSession::EmptyObject).unwrap();
    let back: StartAgentSession = decode(Format::Xml, &xml, &l).unwrap();
    assert_eq!(back, StartAgentSession::Blank);
}
