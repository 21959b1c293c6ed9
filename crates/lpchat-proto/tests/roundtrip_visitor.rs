//! Visitor, survey, login, domain and generic models survive encode then decode in JSON and
//! in XML, and both formats agree.

mod support;

use lpchat_proto::model::*;
use proptest::prelude::*;
use serde_json::Value;
use support::*;

fn secret() -> impl Strategy<Value = Secret> {
    any_text().prop_map(Secret::new)
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(any_text())
}

/// A wire enum: one of its documented values, or an unknown one.
fn wire<T: Clone + std::fmt::Debug + 'static>(
    known: Vec<T>,
    parse: fn(&str) -> T,
) -> impl Strategy<Value = T> {
    prop_oneof![
        prop::sample::select(known),
        "[A-Z][a-z]{2,6} [a-z]{2,6}".prop_map(move |s| parse(&s)),
    ]
}

fn account() -> impl Strategy<Value = Account> {
    (prop::option::of(id_text()), links()).prop_map(|(id, links)| {
        let mut a = Account::default();
        a.id = id.map(AccountId::from);
        a.links = links;
        a
    })
}

fn visitor_availability() -> impl Strategy<Value = VisitorAvailability> {
    prop_oneof![
        any::<bool>().prop_map(VisitorAvailability::Any),
        prop::collection::vec(
            (text(), any::<bool>()).prop_map(|(s, b)| SkillAvailability::new(s, b)),
            0..4
        )
        .prop_map(VisitorAvailability::PerSkill),
    ]
}

fn question_type() -> impl Strategy<Value = QuestionType> {
    wire(
        vec![
            QuestionType::DropdownBox,
            QuestionType::Checkbox,
            QuestionType::RadioButtonSideBySide,
            QuestionType::RadioButton,
            QuestionType::TextField,
            QuestionType::TextArea,
        ],
        QuestionType::parse,
    )
}

fn validation_type() -> impl Strategy<Value = ValidationType> {
    wire(
        vec![
            ValidationType::AlphaNumeric,
            ValidationType::Numeric,
            ValidationType::Email,
        ],
        ValidationType::parse,
    )
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        any_text(),
        opt_text(),
        prop::option::of(any::<bool>()),
        prop::collection::vec(int(), 0..3),
    )
        .prop_map(|(value, display, checked, logic)| {
            let mut e = Entry::default();
            // An entry with no member at all would be an empty element, read as no entry.
            e.value = Some(value);
            e.display_value = display;
            e.checked = checked;
            e.show_logic_ids = logic;
            e
        })
}

fn question() -> impl Strategy<Value = Question> {
    (
        id_text(),
        prop::option::of(question_type()),
        prop::option::of(any::<bool>()),
        prop::option::of(int()),
        prop::option::of(int()),
        prop::option::of(validation_type()),
        opt_text(),
        opt_text(),
        prop::collection::vec(entry(), 0..3),
    )
        .prop_map(
            |(id, kind, mandatory, order, logic, validation, label, last, entries)| {
                let mut q = Question::default();
                q.id = Some(SurveyId::from(id));
                q.question_type = kind;
                q.mandatory = mandatory;
                q.order = order;
                q.logic_id = logic;
                q.validation_type = validation;
                q.label = label;
                q.last_known_value = last;
                q.entries = entries;
                q
            },
        )
}

fn survey() -> impl Strategy<Value = Survey> {
    (
        prop::option::of(id_text()),
        links(),
        opt_text(),
        opt_text(),
        prop::collection::vec(question(), 0..4),
    )
        .prop_map(|(id, links, title, header, questions)| {
            let mut s = Survey::default();
            s.id = id.map(SurveyId::from);
            s.links = links;
            s.title = title;
            s.header = header;
            s.questions = questions;
            s
        })
}

fn survey_answers() -> impl Strategy<Value = SurveyAnswers> {
    (
        prop::option::of(id_text()),
        prop::collection::vec((id_text(), prop::collection::vec(text(), 0..3)), 0..4),
        (opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
    )
        .prop_map(|(id, answers, (visitor, session, context, skill, agent))| {
            let mut a = SurveyAnswers::default();
            a.id = id.map(SurveyId::from);
            for (q, values) in answers {
                a = a.answer(q, values);
            }
            a.le_tag_visitor_id = visitor;
            a.le_tag_session_id = session;
            a.le_tag_context_id = context;
            a.skill = skill;
            a.user_agent = agent;
            a
        })
}

fn custom_variable() -> impl Strategy<Value = CustomVariable> {
    (any_text(), any_text()).prop_map(|(n, v)| CustomVariable::new(n, v))
}

fn chat_request() -> impl Strategy<Value = ChatRequest> {
    (
        (
            opt_text(),
            prop::option::of(id_text()),
            opt_text(),
            prop::option::of(int()),
            opt_text(),
            prop::option::of(int()),
            opt_text(),
            opt_text(),
            opt_text(),
            prop::option::of(id_text()),
        ),
        (
            prop::collection::vec(text(), 0..3),
            opt_text(),
            opt_text(),
            opt_text(),
            prop::option::of(id_text()),
            prop::option::of(id_text()),
            opt_text(),
        ),
        (
            prop::option::of(survey_answers()),
            prop::collection::vec(custom_variable(), 0..3),
            opt_text(),
            opt_text(),
            prop::option::of(secret()),
        ),
    )
        .prop_map(|(a, b, c)| {
            let mut r = ChatRequest::default();
            (
                r.skill,
                r.skill_id,
                r.service_queue,
                r.max_wait_time,
                r.agent,
                r.interaction_timeout,
                r.user_agent,
                r.visitor_ip,
                r.chat_referrer,
                r.visitor_id,
            ) = (
                a.0,
                a.1.map(SkillId::from),
                a.2,
                a.3,
                a.4,
                a.5,
                a.6,
                a.7,
                a.8,
                a.9.map(VisitorId::from),
            );
            (
                r.pre_chat_lines,
                r.le_tag_visitor_id,
                r.le_tag_session_id,
                r.le_tag_context_id,
                r.engagement_id,
                r.campaign_id,
                r.language,
            ) = b;
            (
                r.survey,
                r.custom_variables,
                r.participant_id,
                r.conversation_id,
                r.sso_key,
            ) = c;
            r
        })
}

fn conversation_request() -> impl Strategy<Value = ConversationRequest> {
    (
        prop::option::of(id_text()),
        prop::option::of(secret()),
        prop::option::of(id_text()),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
    )
        .prop_map(
            |(conn, sso, engagement, context, session, visitor, redirect)| {
                let mut c = ConversationRequest::default();
                c.auth_chat_conn_id = conn;
                c.sso_key = sso;
                c.engagement_id = engagement;
                c.le_tag_context_id = context;
                c.le_tag_session_id = session;
                c.le_tag_visitor_id = visitor;
                c.redirect_uri = redirect;
                c
            },
        )
}

/// An XML name that is not `link` and does not start with `xml`.
fn key() -> impl Strategy<Value = String> {
    "[a-wyzA-Z_][a-zA-Z0-9_]{0,6}".prop_filter("links are taken out", |k| k != "link")
}

/// A value tree XML can carry unchanged: text leaves, objects with at least one member,
/// arrays of at least two items that are not arrays.
fn tree() -> impl Strategy<Value = Value> {
    any_text()
        .prop_map(Value::String)
        .prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::btree_map(key(), inner.clone(), 1..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                prop::collection::vec(inner.prop_filter("flat", |v| !v.is_array()), 2..4)
                    .prop_map(Value::Array),
            ]
        })
        .prop_filter("a tree, not a bare array", |v| !v.is_array())
}

fn generic() -> impl Strategy<Value = Generic> {
    (
        "[a-wyzA-Z][a-zA-Z0-9]{0,8}",
        links(),
        prop::collection::btree_map(key(), tree(), 0..4),
        any_text(),
    )
        .prop_map(|(root, links, members, text)| {
            let mut g = Generic::default();
            g.root = root;
            // Links sit beside members, so a scalar content only comes without links.
            g.value = if members.is_empty() && links.is_empty() {
                Value::String(text)
            } else {
                Value::Object(members.into_iter().collect())
            };
            g.links = links;
            g
        })
}

fn service() -> impl Strategy<Value = Service> {
    wire(
        vec![
            Service::AgentVep,
            Service::ConversationVep,
            Service::Smt,
            Service::AdminArea,
            Service::AcCdnDomain,
            Service::LiveEngageVep,
        ],
        Service::parse,
    )
}

fn domain() -> impl Strategy<Value = Domain> {
    (
        prop::option::of(service()),
        prop::option::of(id_text()),
        any_text(),
    )
        .prop_map(|(service, account, base_uri)| {
            let mut d = Domain::default();
            d.service = service;
            d.account = account.map(AccountId::from);
            d.base_uri = base_uri;
            d
        })
}

fn domain_all() -> impl Strategy<Value = DomainAll> {
    prop::collection::vec(domain(), 0..4).prop_map(|base_uris| {
        let mut d = DomainAll::default();
        d.base_uris = base_uris;
        d
    })
}

fn login_config() -> impl Strategy<Value = LoginConfig> {
    (
        opt_text(),
        prop::option::of(id_text()),
        prop::collection::vec(int(), 0..4),
        prop::option::of(int()),
        prop::option::of(int()),
        opt_text(),
        prop::option::of(int()),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        opt_text(),
    )
        .prop_map(
            |(name, user, privileges, now, diff, zone, gmt, lpa, admin, account_zone)| {
                let mut c = LoginConfig::default();
                c.login_name = name;
                c.user_id = user.map(AgentId::from);
                c.user_privileges = privileges;
                c.server_current_time = now.map(EpochMillis);
                c.time_diff = diff;
                c.server_time_zone_name = zone;
                c.server_time_gmt_diff = gmt;
                c.is_lpa = lpa;
                c.is_admin = admin;
                c.account_time_zone_id = account_zone;
                c
            },
        )
}

fn login_response() -> impl Strategy<Value = LoginResponse> {
    (
        secret(),
        prop::option::of(secret()),
        prop::option::of(login_config()),
        prop::option::of(domain_all()),
        prop::option::of(tree()),
        prop::option::of(1u64..=u64::from(u32::MAX)),
        secret(),
        prop::option::of(secret()),
    )
        .prop_map(|(csrf, wsuk, config, csds, data, ttl, bearer, session)| {
            let mut l = LoginResponse::default();
            l.csrf = csrf;
            l.wsuk = wsuk;
            l.config = config;
            l.csds_collection_response = csds;
            l.account_data = data;
            l.session_ttl = ttl.map(std::time::Duration::from_millis);
            l.bearer = bearer;
            l.session_id = session;
            l
        })
}

fn login_request() -> impl Strategy<Value = LoginRequest> {
    prop_oneof![
        (any_text(), secret()).prop_map(|(u, p)| LoginRequest::User {
            username: u,
            password: p
        }),
        (any_text(), any_text(), secret(), secret(), secret()).prop_map(|(u, k, s, t, ts)| {
            LoginRequest::AppKey {
                username: u,
                app_key: k,
                secret: s,
                access_token: t,
                access_token_secret: ts,
            }
        }),
        secret().prop_map(|jwt| LoginRequest::Jwt { jwt }),
    ]
}

fn error_body() -> impl Strategy<Value = ErrorBody> {
    (opt_text(), opt_text(), prop::option::of(int()), opt_text()).prop_map(
        |(time, message, code, status)| {
            let mut e = ErrorBody::default();
            e.time = time;
            e.message = message;
            e.internal_code = code;
            e.response_status = status;
            e
        },
    )
}

fn legacy_domain() -> impl Strategy<Value = LegacyDomain> {
    prop::collection::vec(text(), 0..3).prop_map(|servers| {
        let mut d = LegacyDomain::default();
        d.lp_data = servers
            .into_iter()
            .map(|s| {
                let mut l = LpData::default();
                l.lp_server = Some(s);
                l
            })
            .collect();
        d
    })
}

/// Names of this family's wire keys, their `@` forms, and oddities.
const KEYS: &[&str] = &[
    "link",
    "@link",
    "rel",
    "@rel",
    "href",
    "@href",
    "id",
    "@id",
    "question",
    "questions",
    "entry",
    "answer",
    "line",
    "lines",
    "preChatLines",
    "customVariable",
    "customVariables",
    "baseURIs",
    "baseURI",
    "service",
    "account",
    "AvailabilityForSkills",
    "skillAvailability",
    "skill",
    "isAvailable",
    "csrf",
    "bearer",
    "sessionTTl",
    "config",
    "userPrivileges",
    "accountData",
    "csdsCollectionResponse",
    "survey",
    "request",
    "availability",
    "estimatedWaitTime",
    "email",
    "error",
    "internalCode",
    "lpData",
    "ResultSet",
    "logic",
    "showLogicId",
    "value",
    "checked",
    "mandatory",
    "order",
    "username",
    "password",
    "jwt",
    "appKey",
    "secret",
    "accessToken",
    "accessTokenSecret",
    "name",
    "",
    "$text",
    "1a",
    "x",
];

/// Arbitrary JSON built from this family's keys: what a broken or hostile server could send.
fn wild_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..30).prop_map(Value::from),
        prop::sample::select(vec!["", "true", "1", "-2", "x", " ", "Sales"]).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), inner, 0..5).prop_map(
                |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            ),
        ]
    })
}

/// Every resource of this family re-encodes whatever it decodes (as the `round_trip` fuzz
/// target asserts), from the JSON body and from the XML a generic body writes of it.
fn check_all(body: &[u8], format: lpchat_proto::Format) -> Result<(), TestCaseError> {
    const FAMILY: &[&str] = &[
        "account",
        "visitor-availability",
        "estimated-wait-time",
        "survey",
        "request-survey",
        "request-chat",
        "request-conversation",
        "request-transcript",
        "request-custom-variables",
        "generic",
        "login",
        "request-login",
        "request-refresh",
        "error",
        "domain",
        "domain-all",
        "domain-legacy",
    ];
    for name in FAMILY {
        let entry = lpchat_proto::resources::find(name)
            .ok_or_else(|| TestCaseError::fail(format!("{name} is not registered")))?;
        entry
            .check_round_trip(format, body, &lpchat_proto::Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(body))))?;
    }
    Ok(())
}

proptest! {
    #[test]
    fn whatever_decodes_round_trips(v in wild_json()) {
        let json = serde_json::to_vec(&v).unwrap();
        check_all(&json, lpchat_proto::Format::Json)?;
        let limits = lpchat_proto::Limits::default();
        if let Ok(g) = lpchat_proto::decode::<Generic>(lpchat_proto::Format::Json, &json, &limits) {
            if let Ok(xml) = lpchat_proto::encode(lpchat_proto::Format::Xml, &g) {
                check_all(&xml, lpchat_proto::Format::Xml)?;
            }
        }
    }

    #[test]
    fn accounts_round_trip(a in account()) {
        assert_round_trip(&a)?;
    }

    #[test]
    fn visitor_availability_round_trips(a in visitor_availability()) {
        assert_round_trip(&a)?;
    }

    #[test]
    fn estimated_wait_times_round_trip(n in any::<i64>()) {
        assert_round_trip(&EstimatedWaitTime(n))?;
    }

    #[test]
    fn surveys_round_trip(s in survey()) {
        assert_round_trip(&s)?;
    }

    #[test]
    fn survey_answers_round_trip(a in survey_answers()) {
        assert_round_trip(&a)?;
    }

    #[test]
    fn chat_requests_round_trip(r in chat_request()) {
        assert_round_trip(&r)?;
    }

    #[test]
    fn conversation_requests_round_trip(c in conversation_request()) {
        assert_round_trip(&c)?;
    }

    #[test]
    fn transcript_requests_round_trip(email in any_text()) {
        assert_round_trip(&TranscriptRequest(email))?;
    }

    #[test]
    fn custom_variables_round_trip(v in prop::collection::vec(custom_variable(), 0..4)) {
        assert_round_trip(&CustomVariables::new(v))?;
    }

    #[test]
    fn generic_bodies_round_trip(g in generic()) {
        assert_round_trip(&g)?;
    }

    #[test]
    fn login_responses_round_trip(l in login_response()) {
        assert_round_trip(&l)?;
    }

    #[test]
    fn login_requests_round_trip(l in login_request()) {
        assert_round_trip(&l)?;
    }

    #[test]
    fn refresh_requests_round_trip(csrf in secret()) {
        assert_round_trip(&RefreshRequest::new(csrf))?;
    }

    #[test]
    fn error_bodies_round_trip(e in error_body()) {
        assert_round_trip(&e)?;
    }

    #[test]
    fn domains_round_trip(d in domain()) {
        assert_round_trip(&d)?;
    }

    #[test]
    fn domain_lists_round_trip(d in domain_all()) {
        assert_round_trip(&d)?;
    }

    #[test]
    fn legacy_domains_round_trip(d in legacy_domain()) {
        assert_round_trip(&d)?;
    }

    #[test]
    fn oauth_problem_parsing_never_panics(body in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = OAuthProblem::parse(&body);
    }

    #[test]
    fn oauth_problems_read_back(problem in "[a-z_]{1,20}", advice in "[a-zA-Z .,]{0,40}") {
        let body = format!("oauth_problem={problem}&oauth_problem_advice={advice}");
        let p = OAuthProblem::parse(body.as_bytes()).unwrap();
        prop_assert_eq!(p.problem, problem);
        prop_assert_eq!(p.advice.as_deref(), Some(advice.trim_end()));
    }
}
