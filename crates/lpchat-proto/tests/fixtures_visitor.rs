//! The visitor-side, survey, login, domain, error and generic fixtures decode to the values
//! their manifest entries state, and `same_as` twins decode to equal models.

mod support;

use std::fmt::Debug;

use lpchat_proto::model::*;
use lpchat_proto::{decode, Limits, Resource};
use serde_json::{json, Map, Value};
use support::fixtures::{self, load, opt, rels, Fixture};

/// Every resource this file covers, with the least number of fixtures each must have.
const RESOURCES: &[(&str, usize)] = &[
    ("account", 7),
    ("visitor-availability", 6),
    ("estimated-wait-time", 9),
    ("survey", 17),
    ("request-survey", 7),
    ("request-chat", 7),
    ("request-conversation", 1),
    ("request-transcript", 2),
    ("request-custom-variables", 4),
    ("generic", 10),
    ("login", 5),
    ("request-login", 3),
    ("request-refresh", 1),
    ("error", 6),
    ("oauth-problem", 2),
    ("domain", 3),
    ("domain-all", 3),
];

fn names() -> Vec<&'static str> {
    RESOURCES.iter().map(|(n, _)| *n).collect()
}

fn strings<T: ToString>(items: impl IntoIterator<Item = T>) -> Value {
    json!(items.into_iter().map(|x| x.to_string()).collect::<Vec<_>>())
}

fn survey_facts(s: &Survey) -> Map<String, Value> {
    let mut facts = Map::new();
    let qs = &s.questions;
    let first = qs.first().map(|q| q.entries.as_slice()).unwrap_or_default();
    facts.insert("survey_id".into(), opt(s.id.as_ref()));
    facts.insert("header".into(), opt(s.header.as_ref()));
    facts.insert("question_count".into(), json!(qs.len()));
    facts.insert(
        "question_ids".into(),
        json!(qs.iter().map(|q| opt(q.id.as_ref())).collect::<Vec<_>>()),
    );
    facts.insert(
        "question_types".into(),
        json!(qs
            .iter()
            .map(|q| opt(q.question_type.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "mandatory".into(),
        json!(qs.iter().map(|q| q.mandatory).collect::<Vec<_>>()),
    );
    facts.insert(
        "validation_types".into(),
        json!(qs
            .iter()
            .map(|q| opt(q.validation_type.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "last_known_values".into(),
        json!(qs
            .iter()
            .map(|q| opt(q.last_known_value.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "first_question_entries".into(),
        json!(first
            .iter()
            .map(|e| opt(e.value.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts.insert(
        "first_question_checked".into(),
        json!(first.iter().map(|e| e.checked).collect::<Vec<_>>()),
    );
    facts.insert(
        "first_question_display_values".into(),
        json!(first
            .iter()
            .map(|e| opt(e.display_value.as_ref()))
            .collect::<Vec<_>>()),
    );
    facts
}

fn answer_facts(a: &SurveyAnswers, facts: &mut Map<String, Value>) {
    facts.insert("survey_id".into(), opt(a.id.as_ref()));
    facts.insert(
        "question_ids".into(),
        strings(a.questions.iter().map(|q| &q.id)),
    );
    facts.insert(
        "answers".into(),
        json!(a
            .questions
            .iter()
            .map(|q| q.answers.clone())
            .collect::<Vec<_>>()),
    );
}

/// Decodes `f` as its resource and computes every fact its resource's entries may state.
fn facts(f: &Fixture) -> Map<String, Value> {
    let mut facts = Map::new();
    match f.resource.as_str() {
        "account" => {
            let a: Account = load(f);
            facts.insert("account_id".into(), opt(a.id.as_ref()));
            facts.insert("link_rels".into(), rels(&a.links));
            facts.insert("chat_request_href".into(), opt(a.href(&Rel::ChatRequest)));
        }
        "visitor-availability" => {
            let a: VisitorAvailability = load(f);
            facts.insert("available".into(), json!(a.is_available()));
            facts.insert(
                "skills".into(),
                strings(a.skills().iter().map(|s| &s.skill)),
            );
            facts.insert(
                "skill_available".into(),
                json!(a
                    .skills()
                    .iter()
                    .map(|s| s.is_available)
                    .collect::<Vec<_>>()),
            );
        }
        "estimated-wait-time" => {
            let w: EstimatedWaitTime = load(f);
            facts.insert("estimated_wait_time".into(), json!(w.0));
        }
        "survey" => facts = survey_facts(&load(f)),
        "request-survey" => answer_facts(&load(f), &mut facts),
        "request-chat" => {
            let r: ChatRequest = load(f);
            facts.insert("skill".into(), opt(r.skill.as_ref()));
            facts.insert("skill_id".into(), opt(r.skill_id.as_ref()));
            facts.insert("pre_chat_lines".into(), json!(r.pre_chat_lines));
            facts.insert("engagement_id".into(), opt(r.engagement_id.as_ref()));
            facts.insert("campaign_id".into(), opt(r.campaign_id.as_ref()));
            facts.insert(
                "le_tag_visitor_id".into(),
                opt(r.le_tag_visitor_id.as_ref()),
            );
            facts.insert("interaction_timeout".into(), json!(r.interaction_timeout));
            facts.insert("max_wait_time".into(), json!(r.max_wait_time));
            facts.insert(
                "survey_id".into(),
                opt(r.survey.as_ref().and_then(|s| s.id.as_ref())),
            );
            facts.insert(
                "survey_question_ids".into(),
                strings(r.survey.iter().flat_map(|s| &s.questions).map(|q| &q.id)),
            );
            facts.insert(
                "custom_variable_names".into(),
                strings(r.custom_variables.iter().map(|v| &v.name)),
            );
        }
        "request-conversation" => {
            let c: ConversationRequest = load(f);
            facts.insert(
                "auth_chat_conn_id".into(),
                opt(c.auth_chat_conn_id.as_ref()),
            );
            facts.insert(
                "sso_key".into(),
                opt(c.sso_key.as_ref().map(Secret::expose)),
            );
            facts.insert("engagement_id".into(), opt(c.engagement_id.as_ref()));
        }
        "request-transcript" => {
            let t: TranscriptRequest = load(f);
            facts.insert("email".into(), json!(t.email()));
        }
        "request-custom-variables" => {
            let v: CustomVariables = load(f);
            facts.insert("names".into(), strings(v.variables.iter().map(|v| &v.name)));
            facts.insert(
                "values".into(),
                strings(v.variables.iter().map(|v| &v.value)),
            );
        }
        "generic" => {
            let g: Generic = load(f);
            facts.insert("root".into(), json!(g.root));
            facts.insert("link_rels".into(), rels(&g.links));
        }
        "login" => {
            let l: LoginResponse = load(f);
            let config = l.config.clone().unwrap_or_default();
            facts.insert("bearer".into(), json!(l.bearer.expose()));
            facts.insert("csrf".into(), json!(l.csrf.expose()));
            facts.insert(
                "session_ttl_ms".into(),
                json!(l.session_ttl.map(|d| d.as_millis() as u64)),
            );
            facts.insert("user_id".into(), opt(config.user_id.as_ref()));
            facts.insert("login_name".into(), opt(config.login_name.as_ref()));
            facts.insert(
                "base_uri_count".into(),
                json!(l
                    .csds_collection_response
                    .as_ref()
                    .map_or(0, |d| d.base_uris.len())),
            );
            facts.insert(
                "agent_vep_base_uri".into(),
                opt(l.base_uri(&Service::AgentVep)),
            );
            facts.insert(
                "session_id".into(),
                opt(l.session_id.as_ref().map(Secret::expose)),
            );
        }
        "request-login" => {
            let l: LoginRequest = load(f);
            facts.insert("username".into(), opt(l.username()));
            facts.insert("has_password".into(), json!(l.password().is_some()));
            facts.insert("app_key".into(), opt(l.app_key()));
            facts.insert("jwt".into(), opt(l.jwt().map(Secret::expose)));
        }
        "request-refresh" => {
            let r: RefreshRequest = load(f);
            facts.insert("csrf".into(), json!(r.csrf.expose()));
        }
        "error" => {
            let e: ErrorBody = load(f);
            facts.insert("internal_code".into(), json!(e.internal_code));
            facts.insert("response_status".into(), opt(e.response_status.as_ref()));
            facts.insert("message".into(), opt(e.message.as_ref()));
            facts.insert("time".into(), opt(e.time.as_ref()));
        }
        "oauth-problem" => {
            let p = OAuthProblem::parse(&f.body())
                .unwrap_or_else(|| panic!("{}: not an OAuth problem", f.file));
            facts.insert("oauth_problem".into(), json!(p.problem));
            facts.insert("oauth_problem_advice".into(), opt(p.advice.as_ref()));
        }
        "domain" => {
            let d: Domain = load(f);
            facts.insert("service".into(), opt(d.service.as_ref()));
            facts.insert("account".into(), opt(d.account.as_ref()));
            facts.insert("base_uri".into(), json!(d.base_uri()));
        }
        "domain-all" => {
            let d: DomainAll = load(f);
            facts.insert("base_uri_count".into(), json!(d.base_uris.len()));
            facts.insert(
                "services".into(),
                json!(d
                    .base_uris
                    .iter()
                    .map(|b| opt(b.service.as_ref()))
                    .collect::<Vec<_>>()),
            );
            facts.insert(
                "agent_vep_base_uri".into(),
                opt(d.base_uri(&Service::AgentVep)),
            );
            facts.insert(
                "conversation_vep_base_uri".into(),
                opt(d.base_uri(&Service::ConversationVep)),
            );
        }
        other => panic!("{}: resource {other} not covered", f.file),
    }
    facts
}

/// The fixtures of these resources, `oauth-problem` text bodies included.
fn entries() -> Vec<Fixture> {
    let names = names();
    fixtures::manifest()
        .into_iter()
        .filter(|f| names.contains(&f.resource.as_str()) && !f.is_bad())
        .collect()
}

#[test]
fn every_fixture_states_true_facts() {
    let all = entries();
    for (name, least) in RESOURCES {
        let n = all.iter().filter(|f| f.resource == *name).count();
        assert!(
            n >= *least,
            "{name}: {n} fixtures, expected at least {least}"
        );
    }
    for f in &all {
        let mut f = f.clone();
        // The status an emulator would send with the body is not part of the body.
        f.expect.remove("http_status");
        fixtures::assert_facts(&f, &facts(&f));
    }
}

fn twins_equal<T: Resource + PartialEq + Debug>(f: &Fixture, g: &Fixture) {
    let (a, b): (T, T) = (load(f), load(g));
    assert_eq!(a, b, "{} vs {}", f.file, g.file);
}

#[test]
fn same_as_twins_decode_equal() {
    let manifest = fixtures::manifest();
    let mut pairs = 0;
    for f in entries() {
        let Some(twin) = &f.same_as else { continue };
        let g = manifest
            .iter()
            .find(|g| &g.file == twin)
            .unwrap_or_else(|| panic!("{}: twin {twin} not in the manifest", f.file));
        assert_eq!(f.resource, g.resource, "{}", f.file);
        match f.resource.as_str() {
            "account" => twins_equal::<Account>(&f, g),
            "visitor-availability" => twins_equal::<VisitorAvailability>(&f, g),
            "estimated-wait-time" => twins_equal::<EstimatedWaitTime>(&f, g),
            "survey" => twins_equal::<Survey>(&f, g),
            "request-survey" => twins_equal::<SurveyAnswers>(&f, g),
            "request-chat" => twins_equal::<ChatRequest>(&f, g),
            "request-conversation" => twins_equal::<ConversationRequest>(&f, g),
            "request-transcript" => twins_equal::<TranscriptRequest>(&f, g),
            "request-custom-variables" => twins_equal::<CustomVariables>(&f, g),
            "generic" => twins_equal::<Generic>(&f, g),
            "login" => twins_equal::<LoginResponse>(&f, g),
            "request-login" => twins_equal::<LoginRequest>(&f, g),
            "request-refresh" => twins_equal::<RefreshRequest>(&f, g),
            "error" => twins_equal::<ErrorBody>(&f, g),
            "domain" => twins_equal::<Domain>(&f, g),
            "domain-all" => twins_equal::<DomainAll>(&f, g),
            other => panic!("{}: no twin check for {other}", f.file),
        }
        pairs += 1;
    }
    assert!(pairs >= 50, "{pairs}");
}

#[test]
fn every_fixture_survives_a_round_trip() {
    for f in entries() {
        let Some(format) = f.format else { continue };
        let entry = lpchat_proto::resources::find(&f.resource)
            .unwrap_or_else(|| panic!("{} is not registered", f.resource));
        entry
            .check_round_trip(format, &f.body(), &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.file));
    }
}

#[test]
fn login_secrets_stay_out_of_debug_output() {
    for f in entries() {
        let secrets: Vec<String> = ["bearer", "csrf", "session_id", "sso_key", "jwt"]
            .iter()
            .filter_map(|k| f.expect.get(*k)?.as_str().map(str::to_owned))
            .collect();
        if secrets.is_empty() {
            continue;
        }
        let shown = match f.resource.as_str() {
            "login" => format!("{:?}", load::<LoginResponse>(&f)),
            "request-login" => format!("{:?}", load::<LoginRequest>(&f)),
            "request-refresh" => format!("{:?}", load::<RefreshRequest>(&f)),
            "request-conversation" => format!("{:?}", load::<ConversationRequest>(&f)),
            _ => continue,
        };
        for s in secrets {
            assert!(!shown.contains(&s), "{}: a secret shows in {shown}", f.file);
        }
        let body = String::from_utf8(f.body()).unwrap();
        for marker in ["password", "accessTokenSecret", "wsuk"] {
            if let Some(value) = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get(marker)?.as_str().map(str::to_owned))
            {
                assert!(!shown.contains(&value), "{}: {marker} shows", f.file);
            }
        }
    }
}

#[test]
fn every_fixture_body_reads_as_a_generic_body() {
    for f in fixtures::manifest() {
        let Some(format) = f.format else { continue };
        if f.is_bad() {
            continue;
        }
        let g: Generic = decode(format, &f.body(), &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.file));
        if format == lpchat_proto::Format::Xml {
            assert!(!g.root.is_empty(), "{}", f.file);
        }
    }
}

/// What the `round_trip` fuzz target asserts, over the fixture corpus: whatever body one of
/// these resources decodes (another resource's, a bad one) re-encodes faithfully.
#[test]
fn whatever_decodes_round_trips() {
    let bodies: Vec<_> = fixtures::manifest()
        .into_iter()
        .filter_map(|f| Some((f.format?, f.body(), f.file)))
        .collect();
    for (name, _) in RESOURCES {
        let Some(entry) = lpchat_proto::resources::find(name) else {
            continue;
        };
        for (format, body, file) in &bodies {
            entry
                .check_round_trip(*format, body, &Limits::default())
                .unwrap_or_else(|e| panic!("{name} from {file}: {e}"));
        }
    }
}
