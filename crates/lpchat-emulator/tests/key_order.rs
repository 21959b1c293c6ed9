//! Key order: every object is written with its keys in the order LivePerson's documented
//! examples show (links `href` then `rel`; events `id`, `type`, `time`, …), in the `@` and
//! the plain JSON styles and as XML attributes. Clients that read a link's first value as
//! its address depend on it.

mod common;
use common::*;
use reqwest::Method;

/// Every link and event anywhere in a JSON body has its keys in the documented order.
fn json_links_and_events(text: &str) {
    let n = Node::parse(text);
    let mut links = Vec::new();
    n.all_named("link", &mut links);
    for l in &links {
        let k = l.keys();
        assert!(
            k == ["@href", "@rel"] || k == ["href", "rel"],
            "link keys {k:?} in {text}"
        );
    }
    let mut events = Vec::new();
    n.all_named("event", &mut events);
    for e in &events {
        let k = e.keys();
        assert!(
            k.starts_with(&["@id", "@type", "time"]) || k.starts_with(&["id", "type", "time"]),
            "event keys {k:?} in {text}"
        );
    }
}

/// Every `<link>` and `<event>` of an XML body carries its attributes in the documented order.
fn xml_links_and_events(text: &str) {
    for (open, first, second) in [
        ("<link ", "href=\"", "\" rel=\""),
        ("<event ", "id=\"", "\" type=\""),
    ] {
        for (i, _) in text.match_indices(open) {
            let rest = &text[i + open.len()..];
            let tag = &rest[..rest.find('>').unwrap()];
            assert!(tag.starts_with(first), "{open}{tag}> in {text}");
            assert!(tag.contains(second), "{open}{tag}> in {text}");
        }
    }
}

/// The elements `tags` appear in this order in an XML body.
fn xml_order(text: &str, tags: &[&str]) {
    let mut at = 0;
    for t in tags {
        let open = format!("<{t}");
        let pos = text[at..]
            .find(&open)
            .unwrap_or_else(|| panic!("<{t}> missing or out of order in {text}"));
        at += pos + open.len();
    }
}

fn body(r: &Resp, status: u16) -> &str {
    assert_eq!(r.status, status, "{}", r.text);
    &r.text
}

const INFO_AGENT: [&str; 22] = [
    "link",
    "state",
    "chatSessionKey",
    "agentName",
    "agentId",
    "startTime",
    "duration",
    "lastUpdate",
    "chatTimeout",
    "visitorId",
    "agentTyping",
    "visitorTyping",
    "visitorName",
    "rtSessionId",
    "sharkVisitorId",
    "sharkSessionId",
    "sharkContextId",
    "engagementId",
    "campaignId",
    "language",
    "participantId",
    "",
];

async fn agent_side(fmt: Fmt) {
    let emu = start_default().await;
    let api = Api::new(&emu);

    // A2 through the raw answer: the session id is the first value of the location link.
    let (bearer, ..) = api.login("agent1").await;
    let r = send(
        api.http
            .post(format!("{}/agentSession?v=1&NC=true", api.acct))
            .header("authorization", format!("Bearer {bearer}"))
            .header("content-type", fmt.mime())
            .header("accept", fmt.mime())
            .body(match fmt {
                Fmt::Json => r#"{"loginData":""}"#,
                Fmt::Xml => "<loginData/>",
            }),
    )
    .await;
    let t = body(&r, 201);
    match fmt {
        Fmt::Json => {
            json_links_and_events(t);
            let n = Node::parse(t);
            let link = n.get("agentSessionLocation").unwrap().get("link").unwrap();
            assert_eq!(link.keys(), ["@href", "@rel"]);
            let href = link.first_value().unwrap();
            assert!(
                href.starts_with(&format!("{}/agentSession/", api.acct)),
                "{href}"
            );
        }
        Fmt::Xml => {
            xml_links_and_events(t);
            assert!(xml_link(t, "location").is_some(), "{t}");
        }
    }

    let a = api.agent("agent1").await;
    let r = api
        .agent_put(
            &a,
            "/availability",
            Fmt::Json,
            r#"{"availability":{"chat":"Online"}}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    api.request_chat("Sales", Fmt::Json).await;

    // A10 with a chat ringing: ringingCount, then the accept link.
    let r = api.agent_get(&a, "/incomingRequests", fmt).await;
    let t = body(&r, 200);
    match fmt {
        Fmt::Json => {
            json_links_and_events(t);
            let n = Node::parse(t);
            assert_eq!(
                n.get("incomingRequests").unwrap().keys(),
                ["ringingCount", "link"]
            );
        }
        Fmt::Xml => {
            xml_links_and_events(t);
            xml_order(t, &["incomingRequests", "ringingCount", "link"]);
        }
    }

    // A11.
    let accept_body = if fmt == Fmt::Json { "{}" } else { "" };
    let r = api
        .agent_post(&a, "/incomingRequests", fmt, accept_body)
        .await;
    let t = body(&r, 201).to_owned();
    let cid = match fmt {
        Fmt::Json => {
            json_links_and_events(&t);
            let n = Node::parse(&t);
            n.get("chatLocation")
                .unwrap()
                .get("link")
                .unwrap()
                .first_value()
                .unwrap()
        }
        Fmt::Xml => {
            xml_links_and_events(&t);
            xml_link(&t, "location").unwrap()
        }
    }
    .rsplit('/')
    .next()
    .unwrap()
    .to_owned();

    // A16 and a line from the visitor side, so the chat holds both event kinds.
    let line = match fmt {
        Fmt::Json => r#"{"event":{"@type":"line","text":"hello"}}"#,
        Fmt::Xml => r#"<event type="line"><text>hello</text></event>"#,
    };
    let r = api
        .agent_post(&a, &format!("/chat/{cid}/events"), fmt, line)
        .await;
    let t = body(&r, 201);
    match fmt {
        Fmt::Json => json_links_and_events(t),
        Fmt::Xml => xml_links_and_events(t),
    }

    // A5, A7, A9, A12, A13, A14, A15, A18, A23 and A3.
    for path in [
        "/availability".to_owned(),
        "/availableAgents".to_owned(),
        "/info".to_owned(),
        "/chatSessions".to_owned(),
        format!("/chat?chatSessionKeys={cid}&fromEventIds=0"),
        format!("/chat/{cid}"),
        format!("/chat/{cid}/events"),
        format!("/chat/{cid}/info"),
        format!("/chat/{cid}/transfer"),
        String::new(),
    ] {
        let r = api.agent_get(&a, &path, fmt).await;
        let t = body(&r, 200);
        match fmt {
            Fmt::Json => json_links_and_events(t),
            Fmt::Xml => xml_links_and_events(t),
        }
    }

    match fmt {
        Fmt::Json => {
            let n = Node::parse(&api.agent_get(&a, "/availableAgents", fmt).await.text);
            let aa = n.get("availableAgents").unwrap();
            assert_eq!(aa.keys(), ["agents", "link"]);
            let mut agents = Vec::new();
            aa.all_named("agent", &mut agents);
            let k = agents[0].keys();
            assert_eq!(
                k[..9],
                [
                    "@chatState",
                    "@id",
                    "@maxChats",
                    "@voiceState",
                    "email",
                    "nickname",
                    "privilegeGroup",
                    "skills",
                    "userName"
                ]
            );

            let n = Node::parse(&api.agent_get(&a, "/info", fmt).await.text);
            assert_eq!(
                n.get("info").unwrap().keys(),
                [
                    "link",
                    "agentName",
                    "displayName",
                    "loginName",
                    "id",
                    "maxChats",
                    "availability",
                    "skillsInfo"
                ]
            );
            let mut skills = Vec::new();
            n.all_named("skillInfo", &mut skills);
            assert_eq!(skills[0].keys(), ["id", "name"]);

            let n = Node::parse(&api.agent_get(&a, "/availability", fmt).await.text);
            assert_eq!(n.get("availability").unwrap().keys(), ["chat", "voice"]);

            let n = Node::parse(&api.agent_get(&a, "/chatSessions", fmt).await.text);
            let mut cs = Vec::new();
            n.all_named("chatSession", &mut cs);
            assert_eq!(cs[0].keys(), ["link", "chatSessionKey", "startTime"]);

            let n = Node::parse(&api.agent_get(&a, &format!("/chat/{cid}"), fmt).await.text);
            let chat = n.get("chat").unwrap();
            assert_eq!(chat.keys(), ["link", "events", "info"]);
            assert_eq!(chat.get("events").unwrap().keys(), ["link", "event"]);
            let info = chat.get("info").unwrap().keys();
            let want: Vec<&str> = INFO_AGENT
                .iter()
                .copied()
                .filter(|k| !k.is_empty())
                .collect();
            assert_eq!(info, want[..info.len()]);
            let mut events = Vec::new();
            chat.all_named("event", &mut events);
            let line = events
                .iter()
                .find(|e| e.get("systemMessageId").is_some())
                .unwrap();
            assert_eq!(
                line.keys(),
                [
                    "@id",
                    "@type",
                    "time",
                    "textType",
                    "text",
                    "by",
                    "source",
                    "systemMessageId",
                    "subType"
                ]
            );
            assert_eq!(events[0].keys(), ["@id", "@type", "time", "state"]);

            let n = Node::parse(
                &api.agent_get(&a, &format!("/chat/{cid}/transfer"), fmt)
                    .await
                    .text,
            );
            let mut skills = Vec::new();
            n.all_named("skill", &mut skills);
            for s in skills {
                assert_eq!(s.keys(), ["id", "name", "onlineAgents"]);
            }
        }
        Fmt::Xml => {
            let t = api.agent_get(&a, "/availableAgents", fmt).await.text;
            assert!(
                t.contains("<agent chatState=\"2\" id=\""),
                "agent attributes out of order: {t}"
            );
            xml_order(
                &t,
                &[
                    "agents",
                    "agent",
                    "email",
                    "nickname",
                    "privilegeGroup",
                    "skills",
                    "userName",
                    "link",
                ],
            );
            let t = api.agent_get(&a, "/info", fmt).await.text;
            xml_order(
                &t,
                &[
                    "info",
                    "link",
                    "agentName",
                    "displayName",
                    "loginName",
                    "id",
                    "maxChats",
                    "availability",
                    "skillsInfo",
                ],
            );
            let t = api.agent_get(&a, &format!("/chat/{cid}"), fmt).await.text;
            xml_order(
                &t,
                &[
                    "chat", "link", "events", "link", "event", "time", "state", "info", "link",
                    "state",
                ],
            );
            let t = api
                .agent_get(&a, &format!("/chat/{cid}/info"), fmt)
                .await
                .text;
            let want: Vec<&str> = INFO_AGENT
                .iter()
                .copied()
                .filter(|k| !k.is_empty())
                .collect();
            xml_order(&t, &want[..want.len() - 1]);
        }
    }

    // A17: the end answers `chatLocation`, its link `href` first.
    let end = match fmt {
        Fmt::Json => r#"{"event":{"@type":"state","state":"ended"}}"#,
        Fmt::Xml => r#"<event type="state"><state>ended</state></event>"#,
    };
    let r = api
        .agent_post(&a, &format!("/chat/{cid}/events"), fmt, end)
        .await;
    let t = body(&r, 201);
    match fmt {
        Fmt::Json => {
            json_links_and_events(t);
            let href = Node::parse(t)
                .get("chatLocation")
                .and_then(|c| c.get("link"))
                .and_then(Node::first_value)
                .unwrap();
            assert!(href.contains(&format!("/chat/{cid}/events/")), "{href}");
        }
        Fmt::Xml => {
            xml_links_and_events(t);
            assert!(xml_link(t, "location").is_some(), "{t}");
        }
    }
}

#[tokio::test]
async fn agent_resources_json() {
    agent_side(Fmt::Json).await;
}

#[tokio::test]
async fn agent_resources_xml() {
    agent_side(Fmt::Xml).await;
}

async fn visitor_side(fmt: Fmt) {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let a = api.agent("agent1").await;
    api.agent_put(
        &a,
        "/availability",
        Fmt::Json,
        r#"{"availability":{"chat":"Online"}}"#,
    )
    .await;
    let chat = api.request_chat("Sales", fmt).await;
    api.accept(&a).await;
    api.visitor_line(&chat, "hi", fmt).await;

    // V1, V10, V11, V13 and the pre-chat survey.
    for url in [
        format!("{}?v=1", api.acct),
        chat.clone(),
        format!("{chat}/events"),
        format!("{chat}/info"),
        format!("{}/chat/preSurvey?skill=Sales", api.acct),
    ] {
        let r = send(api.visitor_req(Method::GET, &url, fmt)).await;
        let t = body(&r, 200);
        match fmt {
            Fmt::Json => json_links_and_events(t),
            Fmt::Xml => xml_links_and_events(t),
        }
    }
    let r = send(api.visitor_req(Method::GET, &format!("{chat}/info"), fmt)).await;
    let info_keys = [
        "link",
        "state",
        "chatSessionKey",
        "skillName",
        "skillId",
        "agentName",
        "agentId",
        "startTime",
        "duration",
        "lastUpdate",
        "chatTimeout",
        "visitorId",
        "agentTyping",
        "visitorTyping",
        "visitorName",
        "rtSessionId",
        "sharkVisitorId",
        "sharkSessionId",
        "sharkContextId",
        "engagementId",
        "campaignId",
        "language",
    ];
    match fmt {
        Fmt::Json => {
            let n = Node::parse(&r.text);
            let info = n.get("info").unwrap();
            assert_eq!(info.keys()[..info_keys.len()], info_keys);
            let mut links = Vec::new();
            info.all_named("link", &mut links);
            assert_eq!(links[0].keys(), ["href", "rel"], "V13 links are plain");
        }
        Fmt::Xml => xml_order(&r.text, &info_keys),
    }
    // V5: survey questions carry their attributes in the documented order
    // (`mandatory`, `order`, `logicId`, `id`, `validationType`, `type`), then `label`.
    let r = send(api.visitor_req(
        Method::GET,
        &format!("{}/chat/preSurvey?skill=Sales", api.acct),
        fmt,
    ))
    .await;
    let want = [
        "mandatory",
        "order",
        "logicId",
        "id",
        "validationType",
        "type",
        "label",
    ];
    match fmt {
        Fmt::Json => {
            let n = Node::parse(&r.text);
            let mut qs = Vec::new();
            n.all_named("question", &mut qs);
            assert!(!qs.is_empty(), "{}", r.text);
            for q in qs {
                let k: Vec<&str> = q
                    .keys()
                    .into_iter()
                    .map(|k| k.trim_start_matches('@'))
                    .collect();
                assert_eq!(k[..want.len()], want, "{}", r.text);
            }
        }
        Fmt::Xml => assert!(
            r.text.contains("<question mandatory=\"") && r.text.contains("\" logicId=\""),
            "{}",
            r.text
        ),
    }
    let r = send(api.visitor_req(Method::GET, &format!("{}?v=1", api.acct), fmt)).await;
    match fmt {
        Fmt::Json => assert_eq!(
            Node::parse(&r.text).get("account").unwrap().keys()[0],
            "@id"
        ),
        Fmt::Xml => assert!(r.text.contains("<account id=\""), "{}", r.text),
    }
}

#[tokio::test]
async fn visitor_resources_json() {
    visitor_side(Fmt::Json).await;
}

#[tokio::test]
async fn visitor_resources_xml() {
    visitor_side(Fmt::Xml).await;
}

/// L1 and D1-D3: JSON-only bodies, keys in the documented order.
#[tokio::test]
async fn login_and_domain_bodies() {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let r = send(
        api.http
            .post(format!("{}/login?v=1.3", api.acct))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(r#"{"username":"agent1","password":"password"}"#),
    )
    .await;
    let n = Node::parse(body(&r, 200));
    assert_eq!(
        n.keys(),
        [
            "csrf",
            "wsuk",
            "config",
            "csdsCollectionResponse",
            "accountData",
            "sessionTTl",
            "bearer"
        ]
    );
    assert_eq!(
        n.get("config").unwrap().keys(),
        [
            "loginName",
            "userId",
            "userPrivileges",
            "serverCurrentTime",
            "timeDiff",
            "serverTimeZoneName",
            "serverTimeGMTDiff",
            "isLPA",
            "isAdmin",
            "accountTimeZoneId"
        ]
    );
    let mut uris = Vec::new();
    n.all_named("baseURIs", &mut uris);
    assert_eq!(uris[0].keys(), ["account", "baseURI", "service"]);

    let root = emu.base_url();
    let acct = emu.account();
    for path in [
        format!("/api/account/{acct}/service/agentVep/baseURI.json?version=1.0"),
        format!("/csdr/account/{acct}/service/agentVep/baseURI.json?version=1.0"),
    ] {
        let r = send(api.http.get(format!("{root}{path}"))).await;
        let n = Node::parse(body(&r, 200));
        assert_eq!(n.keys(), ["service", "account", "baseURI"], "{path}");
        assert_eq!(n.get("service").unwrap(), &Node::Leaf("agentVep".into()));
    }
    let r = send(api.http.get(format!(
        "{root}/csdr/account/{acct}/service/baseURI.json?version=1.0"
    )))
    .await;
    let n = Node::parse(body(&r, 200));
    let mut all = Vec::new();
    n.all_named("baseURIs", &mut all);
    assert!(all.len() >= 3);
    for e in all {
        assert_eq!(e.keys(), ["service", "account", "baseURI"]);
    }
    let r = send(api.http.get(format!(
        "{root}/csdr/account/{acct}/service/adminArea/baseURI.lpCsds?version=1.0"
    )))
    .await;
    let n = Node::parse(body(&r, 200));
    let mut data = Vec::new();
    n.all_named("lpData", &mut data);
    assert_eq!(data[0].keys(), ["lpServer", "lpServiceName"]);
}
