//! The `smt` service: the engagement request (step 2 of the visitor flow) and Visit
//! Information, in JSON and XML, with their documented bodies and error codes.

mod common;
use common::*;
use reqwest::Method;

fn engagement_url(api: &Api, vid: Option<&str>, sid: Option<&str>) -> String {
    let mut u = format!("{}/app/engagement/visitors/", api.acct);
    if let Some(v) = vid {
        u.push_str(v);
    }
    u.push_str("?v=1.0");
    if let Some(s) = sid {
        u.push_str(&format!("&sid={s}"));
    }
    u
}

const BODY_JSON: &str = r#"{"appType":"EXTERNAL","appDetails":{"os":"LINUX","osVersion":"6","appVersion":"lpchat-test/1","deviceFamily":"DESKTOP","ipAddress":"192.0.2.7"},"consumerSections":["Billing"]}"#;
const BODY_XML: &str = "<engagement><appType>EXTERNAL</appType><appDetails><os>LINUX</os><appVersion>lpchat-test/1</appVersion><deviceFamily>DESKTOP</deviceFamily><ipAddress>192.0.2.7</ipAddress></appDetails><consumerSections>Billing</consumerSections></engagement>";

/// (status, sessionId, visitorId, pageId, skillName) of an engagement answer.
fn read_engagement(fmt: Fmt, r: &Resp) -> (String, String, String, String, Option<String>) {
    assert_eq!(r.status, 200, "{}", r.text);
    match fmt {
        Fmt::Json => {
            let n = Node::parse(&r.text);
            let k = n.keys();
            assert_eq!(k[..4], ["status", "sessionId", "visitorId", "pageId"]);
            let s = |k: &str| match n.get(k) {
                Some(Node::Leaf(serde_json::Value::String(s))) => s.clone(),
                other => panic!("{k}: {other:?}"),
            };
            let skill = n.get("engagementDetails").map(|d| {
                assert_eq!(
                    d.keys(),
                    [
                        "campaignId",
                        "engagementId",
                        "contextId",
                        "windowId",
                        "language",
                        "engagementRevision",
                        "validForSeconds",
                        "skillId",
                        "skillName"
                    ]
                );
                r.json()["engagementDetails"]["skillName"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            });
            (
                s("status"),
                s("sessionId"),
                s("visitorId"),
                s("pageId"),
                skill,
            )
        }
        Fmt::Xml => {
            let t = |k: &str| xml_text(&r.text, k).unwrap_or_else(|| panic!("{k}: {}", r.text));
            assert!(r.text.contains("<engagement><status>"), "{}", r.text);
            (
                t("status"),
                t("sessionId"),
                t("visitorId"),
                t("pageId"),
                xml_text(&r.text, "skillName"),
            )
        }
    }
}

async fn engagement_flow(fmt: Fmt) {
    let emu = start_default().await;
    let api = Api::new(&emu);
    let body = if fmt == Fmt::Json {
        BODY_JSON
    } else {
        BODY_XML
    };

    // Nobody online: a new visitor and session, no engagement offered.
    let r = send(
        api.visitor_req(Method::POST, &engagement_url(&api, None, None), fmt)
            .body(body),
    )
    .await;
    let (status, sid, vid, page, skill) = read_engagement(fmt, &r);
    assert_eq!(status, "NotAvailable");
    assert!(skill.is_none());
    assert!(!sid.is_empty() && !vid.is_empty() && !page.is_empty());

    // An agent of the section's skill goes Online: the same visitor and session (sent
    // back as the documentation asks) now get the engagement, on that skill.
    let a = api.agent("agent1").await;
    let r = api
        .agent_put(
            &a,
            "/availability",
            Fmt::Json,
            r#"{"availability":{"chat":"Online"}}"#,
        )
        .await;
    assert_eq!(r.status, 200);
    let r = send(
        api.visitor_req(
            Method::POST,
            &engagement_url(&api, Some(&vid), Some(&sid)),
            fmt,
        )
        .body(body),
    )
    .await;
    let (status, sid2, vid2, _, skill) = read_engagement(fmt, &r);
    assert_eq!(status, "Available");
    assert_eq!((sid2.as_str(), vid2.as_str()), (sid.as_str(), vid.as_str()));
    assert_eq!(skill.as_deref(), Some("Billing"));

    // Visit Information reads that session back, for the visitor app and for an agent.
    let state = format!(
        "{}/monitoring/visitors/{vid}/visits/current/state?v=1&filter=agent&sid={sid}",
        api.acct
    );
    let r = send(api.visitor_req(Method::GET, &state, fmt)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    match fmt {
        Fmt::Json => {
            let n = Node::parse(&r.text);
            assert_eq!(n.keys(), ["id", "appSessions"]);
            let j = r.json();
            assert_eq!(j["id"], sid.as_str());
            let s = &j["appSessions"][0];
            assert_eq!(s["id"], sid.as_str());
            assert_eq!(s["ipv4"], "192.0.2.7");
            assert_eq!(s["deviceOS"], "LINUX");
            assert_eq!(s["deviceFamily"], "DESKTOP");
            assert_eq!(s["pages"][0]["id"], page.as_str());
            assert_eq!(
                s["engagements"][0]["engagement"]["engagementEntity"]["engagementSkill"]
                    ["skillName"],
                "Billing"
            );
        }
        Fmt::Xml => {
            assert!(r.text.contains("<visit><id>"), "{}", r.text);
            assert_eq!(xml_text(&r.text, "ipv4").as_deref(), Some("192.0.2.7"));
            assert_eq!(xml_text(&r.text, "skillName").as_deref(), Some("Billing"));
        }
    }
    let r = send(
        api.http
            .get(&state)
            .header("authorization", format!("Bearer {}", a.bearer))
            .header("accept", fmt.mime()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The documented error codes.
    let code = |r: &Resp| match fmt {
        Fmt::Json => r.json()["error"]["internalCode"].as_i64().unwrap(),
        Fmt::Xml => xml_text(&r.text, "internalCode").unwrap().parse().unwrap(),
    };
    for (url, status, internal) in [
        (
            format!(
                "{}/monitoring/visitors/{vid}/visits/current/state?v=1",
                api.acct
            ),
            400,
            33,
        ),
        (
            format!(
                "{}/monitoring/visitors/nobody/visits/current/state?v=1&sid={sid}",
                api.acct
            ),
            404,
            37,
        ),
        (
            format!(
                "{}/monitoring/visitors/{vid}/visits/current/state?v=1&sid=other",
                api.acct
            ),
            404,
            39,
        ),
    ] {
        let r = send(api.visitor_req(Method::GET, &url, fmt)).await;
        assert_eq!(r.status, status, "{url}: {}", r.text);
        assert_eq!(code(&r), internal, "{url}");
    }
    let r = send(api.http.get(&state).header("accept", fmt.mime())).await;
    assert_eq!(r.status, 401, "no credentials: {}", r.text);
    let r = send(
        api.http
            .post(engagement_url(&api, None, None))
            .header("authorization", "LivePerson appKey=wrong")
            .header("content-type", fmt.mime())
            .body(body),
    )
    .await;
    assert_eq!(r.status, 401, "a wrong app key: {}", r.text);

    // Step 3 with the engagement's ids: the chat carries them.
    let req = match fmt {
        Fmt::Json => format!(
            r#"{{"request":{{"skill":"Billing","LETagVisitorId":"{vid}","LETagSessionId":"{sid}","LETagContextId":"1","engagementId":27469613,"campaignId":26948813}}}}"#
        ),
        Fmt::Xml => format!(
            "<request><skill>Billing</skill><LETagVisitorId>{vid}</LETagVisitorId><LETagSessionId>{sid}</LETagSessionId><LETagContextId>1</LETagContextId><engagementId>27469613</engagementId><campaignId>26948813</campaignId></request>"
        ),
    };
    let r = send(
        api.visitor_req(
            Method::POST,
            &format!("{}/chat/request?v=1&NC=true", api.acct),
            fmt,
        )
        .body(req),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let chat = r.header("location").unwrap();
    let r = send(api.visitor_req(Method::GET, &format!("{chat}/info"), Fmt::Json)).await;
    let info = &r.json()["info"];
    assert_eq!(info["sharkVisitorId"], vid.as_str());
    assert_eq!(info["sharkSessionId"], sid.as_str());
    emu.shutdown().await;
}

#[tokio::test]
async fn engagement_and_visit_information_json() {
    engagement_flow(Fmt::Json).await;
}

#[tokio::test]
async fn engagement_and_visit_information_xml() {
    engagement_flow(Fmt::Xml).await;
}
