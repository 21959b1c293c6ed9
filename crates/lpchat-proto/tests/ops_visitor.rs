//! Visitor operations V1-V19: exact requests in JSON and XML (app key in the header or the
//! query), and parsing of fixtures, `Location` answers and failures.

mod ops_support;

use bytes::Bytes;
use lpchat_proto::model::scalars::*;
use lpchat_proto::model::survey::SurveyAnswers;
use lpchat_proto::model::visitor::*;
use lpchat_proto::model::*;
use lpchat_proto::ops::*;
use lpchat_proto::{decode, Format, Limits};
use ops_support::*;

const ACCT: &str = "https://server.iad.liveperson.net/api/account/25025413";

fn chat() -> ChatRef {
    ChatRef::Href(format!("{ACCT}/chat/C1"))
}

fn body(req: &http::Request<Bytes>) -> &str {
    std::str::from_utf8(req.body()).unwrap()
}

fn put_headers(format: Format) -> Vec<(&'static str, &'static str)> {
    let mut h = visitor_headers(format, true);
    h.push(("x-http-method-override", "PUT"));
    h
}

fn created(status: u16, location: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header("location", location)
        .body(Bytes::new())
        .unwrap()
}

fn account() -> Account {
    decode(
        Format::Xml,
        &fixture("visitor/account.basic.xml"),
        &Limits::default(),
    )
    .unwrap()
}

#[test]
fn v1_account_and_navigation_by_rel() {
    let op = GetAccount::new();
    assert_request(
        &op.build(&visitor_ctx(Format::Xml)).unwrap(),
        "GET",
        &format!("{ACCT}?v=1&NC=true"),
        &visitor_headers(Format::Xml, false),
        None,
    );
    for file in ["visitor/account.basic.json", "visitor/account.basic.xml"] {
        let a = op.parse(fixture_response(200, file)).unwrap();
        assert_eq!(a.links.len(), 7, "{file}");
    }
    assert_common_errors(&op, 200, true);

    let a = account();
    let ctx = visitor_ctx(Format::Json);
    let path = |r: http::Request<Bytes>| r.uri().path().to_owned();
    assert!(path(
        GetVisitorAvailability::of_account(&a)
            .unwrap()
            .build(&ctx)
            .unwrap()
    )
    .ends_with("/chat/availability"));
    assert!(path(
        GetEstimatedWaitTime::of_account(&a)
            .unwrap()
            .build(&ctx)
            .unwrap()
    )
    .ends_with("/chat/estimatedWaitTime"));
    assert!(path(
        GetPreChatSurvey::of_account(&a)
            .unwrap()
            .build(&ctx)
            .unwrap()
    )
    .ends_with("/chat/preSurvey"));
    assert!(path(
        GetOfflineSurvey::of_account(&a)
            .unwrap()
            .build(&ctx)
            .unwrap()
    )
    .ends_with("/chat/offlineSurvey"));
    let req = RequestChat::of_account(&a, ChatRequest::for_skill("Sales"))
        .unwrap()
        .build(&ctx)
        .unwrap();
    assert_eq!(
        req.uri().to_string(),
        format!("{ACCT}/chat/request?v=1&NC=true")
    );
    assert_eq!(
        RequestChat::of_account(&Account::default(), ChatRequest::default()).err(),
        Some(Error::MissingLink(Rel::ChatRequest))
    );
}

#[test]
fn v2_availability() {
    let op = GetVisitorAvailability::new()
        .skill("Sales")
        .max_wait_time(0);
    assert_request(
        &op.build(&visitor_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{ACCT}/chat/availability?skill=Sales&maxWaitTime=0&v=1&NC=true"),
        &visitor_headers(Format::Json, false),
        None,
    );
    let queue = GetVisitorAvailability::new().service_queue("Q 1", 60);
    assert_eq!(
        queue
            .build(&visitor_ctx(Format::Json))
            .unwrap()
            .uri()
            .query(),
        Some("serviceQueue=Q%201&maxWaitTime=60&v=1&NC=true")
    );
    // The browser SDK's repeated skill parameter.
    let many = GetVisitorAvailability::new().skills(["a", "b"]);
    assert_eq!(
        many.build(&visitor_ctx(Format::Json))
            .unwrap()
            .uri()
            .query(),
        Some("skill=a&skill=b&v=1&NC=true")
    );
    let by_agent = GetVisitorAvailability::new().agent("nat");
    assert_eq!(
        by_agent
            .build(&visitor_ctx(Format::Json))
            .unwrap()
            .uri()
            .query(),
        Some("agent=nat&v=1&NC=true")
    );
    for (file, available) in [
        ("visitor/visitor-availability.basic.json", true),
        ("visitor/visitor-availability.basic.xml", true),
        ("visitor/visitor-availability.false.xml", false),
        ("visitor/visitor-availability.strings.json", true),
    ] {
        assert_eq!(
            op.parse(fixture_response(200, file))
                .unwrap()
                .is_available(),
            available,
            "{file}"
        );
    }
    let per_skill = many
        .parse(fixture_response(
            200,
            "visitor/visitor-availability.per-skill.json",
        ))
        .unwrap();
    assert!(!per_skill.skills().is_empty());
    assert_common_errors(&op, 200, true);
}

#[test]
fn v3_v4_slots_and_wait_time() {
    let slots = GetAvailableSlots::visitor().skill("Sales", None);
    assert_request(
        &slots.build(&visitor_ctx(Format::Xml)).unwrap(),
        "GET",
        &format!("{ACCT}/chat/availableSlots?skill=Sales&v=1&NC=true"),
        &visitor_headers(Format::Xml, false),
        None,
    );
    assert_eq!(
        slots
            .parse(fixture_response(
                200,
                "visitor/available-slots.unlimited.xml"
            ))
            .unwrap(),
        AvailableSlots(-1)
    );

    let wait = GetEstimatedWaitTime::new().skill("Sales");
    assert_request(
        &wait.build(&visitor_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{ACCT}/chat/estimatedWaitTime?skill=Sales&v=1&NC=true"),
        &visitor_headers(Format::Json, false),
        None,
    );
    assert_eq!(
        GetEstimatedWaitTime::new()
            .service_queue("Q")
            .build(&visitor_ctx(Format::Json))
            .unwrap()
            .uri()
            .query(),
        Some("serviceQueue=Q&v=1&NC=true")
    );
    for (file, estimate) in [
        (
            "visitor/estimated-wait-time.basic.json",
            WaitEstimate::FreeNow,
        ),
        (
            "visitor/estimated-wait-time.unavailable.xml",
            WaitEstimate::NobodyOnline,
        ),
        (
            "visitor/estimated-wait-time.no-data.json",
            WaitEstimate::NotEnoughData,
        ),
    ] {
        assert_eq!(
            wait.parse(fixture_response(200, file)).unwrap().estimate(),
            estimate,
            "{file}"
        );
    }
    assert_common_errors(&wait, 200, true);
}

#[test]
fn v5_v6_v7_surveys() {
    let pre = GetPreChatSurvey::new()
        .survey_name("Pre chat")
        .survey_api_id("9")
        .skill("Sales")
        .visitor_id("V1")
        .visitor_ip("10.0.0.1")
        .user_agent("Mozilla/5.0 (X11)");
    assert_request(
        &pre.build(&visitor_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{ACCT}/chat/preSurvey?surveyName=Pre%20chat&surveyApiId=9&skill=Sales&visitorId=V1&visitorIp=10.0.0.1&userAgent=Mozilla%2F5.0%20%28X11%29&v=1&NC=true"),
        &visitor_headers(Format::Json, false),
        None,
    );
    for file in ["visitor/survey.basic.json", "visitor/survey.basic.xml"] {
        let s = pre.parse(fixture_response(200, file)).unwrap();
        assert_eq!(s.id.as_ref().unwrap().as_str(), "40216", "{file}");
    }
    assert_common_errors(&pre, 200, true);

    let offline = GetOfflineSurvey::new()
        .skill("Sales")
        .visitor_profile("p")
        .visitor_id("v")
        .survey_name("n");
    assert_eq!(
        offline.build(&visitor_ctx(Format::Json)).unwrap().uri().to_string(),
        format!("{ACCT}/chat/offlineSurvey?skill=Sales&visitorProfile=p&visitorId=v&surveyName=n&v=1&NC=true")
    );
    let single = offline
        .parse(fixture_response(200, "visitor/survey.single.json"))
        .unwrap();
    assert_eq!(single.questions.len(), 1);

    let submit =
        SubmitOfflineSurvey::new(SurveyAnswers::new("40290").answer("13387460", ["natalie"]));
    assert_eq!(submit.idempotency(), Idempotency::StateChanging);
    assert_request(
        &submit.build(&visitor_ctx(Format::Xml)).unwrap(),
        "POST",
        &format!("{ACCT}/chat/offlineSurvey?v=1&NC=true"),
        &put_headers(Format::Xml),
        Some(
            r#"<survey id="40290"><question id="13387460"><answer>natalie</answer></question></survey>"#,
        ),
    );
    submit.parse(json(200, "")).unwrap();
    assert_common_errors(&submit, 200, false);
}

#[test]
fn v8_request_chat_reads_location() {
    let request: ChatRequest = decode(
        Format::Json,
        &fixture("visitor/request-chat.basic.json"),
        &Limits::default(),
    )
    .unwrap();
    let op = RequestChat::new(request.clone());
    assert_eq!(op.idempotency(), Idempotency::StateChanging);
    let url = format!("{ACCT}/chat/request?v=1&NC=true");
    for format in [Format::Json, Format::Xml] {
        let req = op.build(&visitor_ctx(format)).unwrap();
        assert_request(
            &req,
            "POST",
            &url,
            &visitor_headers(format, true),
            Some(body(&req)),
        );
        // The body is the model, in the chosen format.
        let back: ChatRequest = decode(format, req.body(), &Limits::default()).unwrap();
        assert_eq!(back, request, "{format}");
    }
    let json_body = body(&op.build(&visitor_ctx(Format::Json)).unwrap()).to_owned();
    assert!(json_body.starts_with(r#"{"request":{"#), "{json_body}");
    assert!(
        json_body.contains(
            r#""preChatLines":{"line":["This is a pre-chat line 1","This is a pre-chat line 2"]}"#
        ),
        "{json_body}"
    );
    let xml_body = body(&op.build(&visitor_ctx(Format::Xml)).unwrap()).to_owned();
    assert!(
        xml_body.starts_with("<request>") && xml_body.contains("<skill>Sales</skill>"),
        "{xml_body}"
    );

    // Documented 200 with Location; 201 read too.
    for status in [200, 201] {
        let out = op
            .parse(created(status, &format!("{ACCT}/chat/H1-2K3")))
            .unwrap();
        assert_eq!(out.id(), Some("H1-2K3"));
        let chat = ChatRef::from_created(&out);
        assert_eq!(
            GetChat::new(&chat)
                .build(&visitor_ctx(Format::Json))
                .unwrap()
                .uri()
                .to_string(),
            format!("{ACCT}/chat/H1-2K3?v=1&NC=true")
        );
    }
    assert_eq!(op.parse(json(200, "")), Err(Error::MissingLocation));
    assert_common_errors(&op, 200, false);
}

#[test]
fn v9_conversation_pre_step_is_json() {
    let request: ConversationRequest = decode(
        Format::Json,
        &fixture("visitor/request-conversation.basic.json"),
        &Limits::default(),
    )
    .unwrap();
    let op = CreateConversation::new(request);
    assert_eq!(op.idempotency(), Idempotency::StateChanging);
    // Even with an XML context and the suffix switch: the documented path is conversation.json.
    let mut ctx = visitor_ctx(Format::Xml);
    ctx.options.format_suffix = true;
    let req = op.build(&ctx).unwrap();
    assert_request(
        &req,
        "POST",
        &format!("{ACCT}/conversation.json?v=1&NC=true"),
        &visitor_headers(Format::Json, true),
        Some(body(&req)),
    );
    let sent: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    // The documented fields, ids written as strings by the model.
    assert_eq!(
        sent,
        serde_json::json!({"authChatConnId":"568046210","ssoKey":"k12197","engagementId":"567609310",
            "LETagContextId":"2","LETagSessionId":"90o5l5twRUGu1rN7bzwNMA","LETagVisitorId":"RiM2JlOTcwOGIxZmNiNTk4"})
    );
    let out = op
        .parse(created(201, &format!("{ACCT}/conversation/abc")))
        .unwrap();
    assert_eq!(out.id(), Some("abc"));
    assert_eq!(op.parse(json(201, "")), Err(Error::MissingLocation));
    assert_common_errors(&op, 201, false);
}

#[test]
fn v10_to_v16_shared_reads_with_the_app_key() {
    let ctx = visitor_ctx(Format::Json);
    let events = GetEvents::new(&chat()).from(EventId(2));
    assert_request(
        &events.build(&ctx).unwrap(),
        "GET",
        &format!("{ACCT}/chat/C1/events?from=2&v=1&NC=true"),
        &visitor_headers(Format::Json, false),
        None,
    );
    for file in [
        "visitor/events.basic.json",
        "visitor/events.basic.xml",
        "visitor/events.a2a.xml",
    ] {
        let e = events.parse(fixture_response(200, file)).unwrap();
        assert!(!e.events.is_empty(), "{file}");
    }
    let info: ChatInfo = GetChatInfo::new(&chat())
        .parse(fixture_response(200, "visitor/info.basic.json"))
        .unwrap();
    let name = GetVisitorName::of_info(&info).unwrap();
    assert_eq!(
        name.parse(fixture_response(200, "visitor/visitor-name.basic.xml"))
            .unwrap(),
        VisitorName::new("You")
    );
    let typing = GetVisitorTyping::of_info(&info).unwrap();
    assert!(!typing
        .parse(fixture_response(200, "visitor/visitor-typing.basic.json"))
        .unwrap()
        .is_typing());
    let agent = GetAgentTyping::of_info(&info).unwrap();
    assert!(agent
        .parse(fixture_response(200, "visitor/agent-typing.typing.json"))
        .unwrap()
        .is_typing());
    assert!(agent
        .build(&ctx)
        .unwrap()
        .uri()
        .path()
        .ends_with("/info/agentTyping"));
}

#[test]
fn v12_events_by_chat_link() {
    let chat: Chat = decode(
        Format::Json,
        &fixture("visitor/chat.basic.json"),
        &Limits::default(),
    )
    .unwrap();
    let op = SendVisitorEvent::of_chat(&chat, NewEvent::plain("hello")).unwrap();
    let req = op.build(&visitor_ctx(Format::Json)).unwrap();
    assert!(req.uri().path().ends_with("/events"));
    assert_eq!(
        body(&req),
        r#"{"event":{"@type":"line","text":"hello","textType":"plain"}}"#
    );
    assert_eq!(
        SendVisitorEvent::of_chat(&Chat::default(), NewEvent::End).err(),
        Some(Error::MissingLink(Rel::Events))
    );
}

#[test]
fn v14_v15_sets() {
    let name = SetVisitorName::new(&chat(), "Natalie");
    assert_eq!(name.idempotency(), Idempotency::Safe);
    let url = format!("{ACCT}/chat/C1/info/visitorName?v=1&NC=true");
    assert_request(
        &name.build(&visitor_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &put_headers(Format::Json),
        Some(r#"{"visitorName":"Natalie"}"#),
    );
    assert_request(
        &name.build(&visitor_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &put_headers(Format::Xml),
        Some("<visitorName>Natalie</visitorName>"),
    );
    name.parse(json(201, "")).unwrap();
    name.parse(json(200, "")).unwrap();
    assert_common_errors(&name, 201, false);

    let typing = SetVisitorTyping::new(&chat(), true);
    assert_request(
        &typing.build(&visitor_ctx(Format::Json)).unwrap(),
        "POST",
        &format!("{ACCT}/chat/C1/info/visitorTyping?v=1&NC=true"),
        &put_headers(Format::Json),
        Some(r#"{"visitorTyping":"typing"}"#),
    );
    assert_eq!(
        body(
            &SetVisitorTyping::new(&chat(), false)
                .build(&visitor_ctx(Format::Xml))
                .unwrap()
        ),
        "<visitorTyping>not-typing</visitorTyping>"
    );
    typing.parse(json(200, "")).unwrap();
    assert_common_errors(&typing, 200, false);
}

#[test]
fn v17_exit_survey() {
    let get = GetExitSurvey::new(&chat()).survey_name("Exit");
    assert_request(
        &get.build(&visitor_ctx(Format::Json)).unwrap(),
        "GET",
        &format!("{ACCT}/chat/C1/exitSurvey?surveyName=Exit&v=1&NC=true"),
        &visitor_headers(Format::Json, false),
        None,
    );
    let s = get
        .parse(fixture_response(200, "visitor/survey.numbers.json"))
        .unwrap();
    assert!(!s.questions.is_empty());
    assert_common_errors(&get, 200, true);

    let put = SubmitExitSurvey::new(&chat(), SurveyAnswers::new("1").answer("123", ["answer1"]));
    assert_request(
        &put.build(&visitor_ctx(Format::Json)).unwrap(),
        "POST",
        &format!("{ACCT}/chat/C1/exitSurvey?v=1&NC=true"),
        &put_headers(Format::Json),
        Some(r#"{"survey":{"@id":"1","question":[{"@id":"123","answer":["answer1"]}]}}"#),
    );
    put.parse(json(200, "")).unwrap();
    assert_common_errors(&put, 200, false);
    let chat: Chat = decode(
        Format::Json,
        &fixture("visitor/chat.basic.json"),
        &Limits::default(),
    )
    .unwrap();
    assert!(GetExitSurvey::of_chat(&chat).is_ok());
    assert!(SubmitExitSurvey::of_chat(&chat, SurveyAnswers::new("1")).is_ok());
}

#[test]
fn v18_v19_transcript_and_custom_variables() {
    let op = RequestTranscript::new(&chat(), "visitorEmail@gmail.com");
    assert_eq!(op.idempotency(), Idempotency::StateChanging);
    let url = format!("{ACCT}/chat/C1/transcriptRequest?v=1&NC=true");
    assert_request(
        &op.build(&visitor_ctx(Format::Json)).unwrap(),
        "POST",
        &url,
        &put_headers(Format::Json),
        Some(r#"{"email":"visitorEmail@gmail.com"}"#),
    );
    assert_request(
        &op.build(&visitor_ctx(Format::Xml)).unwrap(),
        "POST",
        &url,
        &put_headers(Format::Xml),
        Some("<email>visitorEmail@gmail.com</email>"),
    );
    op.parse(json(200, "")).unwrap();
    assert_common_errors(&op, 200, false);
    let chat: Chat = decode(
        Format::Json,
        &fixture("visitor/chat.basic.json"),
        &Limits::default(),
    )
    .unwrap();
    let with_subject = RequestTranscript::of_chat(&chat, "a@b.c", true).unwrap();
    assert!(with_subject
        .build(&visitor_ctx(Format::Json))
        .unwrap()
        .uri()
        .path()
        .ends_with("/transcriptWithSubjectRequest"));

    let vars = SetCustomVariables::new(
        &chat_ref_by_id(),
        CustomVariables::new(vec![
            CustomVariable::new("a", "1"),
            CustomVariable::new("b", "2"),
        ]),
    );
    assert_request(
        &vars.build(&visitor_ctx(Format::Json)).unwrap(),
        "POST",
        "https://server.iad.liveperson.net/api/account/25025413/chat/C7/customVariables?v=1&NC=true",
        &put_headers(Format::Json),
        Some(r#"{"customVariables":{"customVariable":[{"name":"a","value":"1"},{"name":"b","value":"2"}]}}"#),
    );
    assert_eq!(
        body(&vars.build(&visitor_ctx(Format::Xml)).unwrap()),
        "<customVariables><customVariable><name>a</name><value>1</value></customVariable><customVariable><name>b</name><value>2</value></customVariable></customVariables>"
    );
    vars.parse(json(200, "")).unwrap();
    assert_common_errors(&vars, 200, false);
    assert!(SetCustomVariables::of_chat(&chat, CustomVariables::default()).is_ok());
}

fn chat_ref_by_id() -> ChatRef {
    ChatRef::Visitor("C7".into())
}
