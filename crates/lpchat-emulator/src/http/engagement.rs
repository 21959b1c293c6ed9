//! The `smt` service: the App Engagement request that opens a visitor session (step 2 of
//! the Server Chat visitor flow) and the Visit Information resource that reads it back.
//!
//! Both are documented as JSON with no root key; the XML form wraps the same members in
//! one root element (`<engagement>`, `<visit>`), as the emulator does for A31.

use super::request::Req;
use super::{agent, response, visitor};
use crate::app::App;
use crate::engine::{ApiError, State, Visit};
use crate::wire::json::{obj, Ordered};
use crate::wire::read::{as_list, get, get_str, scalar_text};
use crate::wire::{xml, Format};
use axum::http::Method;
use axum::response::Response;

/// The engagement the emulator offers (ids of the documented chat-request example).
const ENGAGEMENT_ID: &str = "27469613";
const CAMPAIGN_ID: &str = "26948813";
const WINDOW_ID: &str = "3346847910";
const CONTEXT_ID: &str = "1";
/// How long an offered engagement stays valid, as in the documented answer.
const VALID_FOR_S: i64 = 900;
/// Visitor sessions kept; beyond, the oldest is forgotten (Visit Information then answers
/// 404/37 for it), so a client that never sends its ids back cannot grow memory unbounded.
pub const MAX_VISITS: usize = 10_000;

fn respond(code: u16, format: Format, root: &'static str, body: &Ordered) -> Response {
    match format {
        Format::Json => response::ordered_json(code, body),
        Format::Xml => response::text(code, format.content_type(), xml::write_ordered(root, body)),
    }
}

/// An app key, when one is sent, must be valid; the App Engagement API is otherwise open
/// (its documentation names no authentication for the visitor's first call).
fn check_app_key(app: &App, req: &Req) -> Result<(), ApiError> {
    match visitor::app_key(req) {
        Some(_) => visitor::authenticate(app, req),
        None => Ok(()),
    }
}

/// `POST /api/account/{a}/app/engagement/visitors[/{visitorId}]?v=1.0[&sid=…]`.
///
/// Without a known visitor and session a new pair is created; the answer says whether an
/// agent can take a chat now (`Available`, with the engagement's details) or not.
pub fn create(app: &App, req: &Req, path_vid: Option<&str>) -> Result<Response, ApiError> {
    if req.method != Method::POST && req.method != Method::PUT {
        return Err(ApiError::method_not_allowed());
    }
    check_app_key(app, req)?;
    let body = req.body_rootless()?;
    let vid = path_vid
        .map(str::to_owned)
        .or_else(|| req.q("vid").map(str::to_owned))
        .filter(|v| !v.is_empty());
    let sid = req.q("sid").filter(|s| !s.is_empty()).map(str::to_owned);
    let sections: Vec<String> = as_list(get(&body, "consumerSections"))
        .into_iter()
        .filter_map(scalar_text)
        .collect();
    let details = get(&body, "appDetails").cloned().unwrap_or_default();
    let now = app.now();
    let mut st = app.state();
    let (vid, visit) = open_visit(&mut st, now, vid, sid, &sections, &details);
    let skill = visit
        .skill
        .and_then(|id| st.world.skill_by_id(id))
        .and_then(|i| st.world.skills.get(i))
        .cloned();
    let available = match &skill {
        Some(s) => agent::available_slots(&st, Some(s.name.as_str()), None)? != 0,
        None => agent::available_slots(&st, None, None)? != 0,
    };
    drop(st);
    let mut members = vec![
        (
            "status",
            if available {
                "Available"
            } else {
                "NotAvailable"
            }
            .into(),
        ),
        ("sessionId", visit.session_id.as_str().into()),
        ("visitorId", vid.as_str().into()),
        ("pageId", visit.page_id.as_str().into()),
    ];
    if available {
        let mut d = vec![
            ("campaignId", CAMPAIGN_ID.into()),
            ("engagementId", ENGAGEMENT_ID.into()),
            ("contextId", CONTEXT_ID.into()),
            ("windowId", WINDOW_ID.into()),
            ("language", "en-US".into()),
            ("engagementRevision", 1.into()),
            ("validForSeconds", VALID_FOR_S.into()),
        ];
        if let Some(s) = &skill {
            d.push(("skillId", s.id.into()));
            d.push(("skillName", s.name.as_str().into()));
        }
        members.push(("engagementDetails", Ordered::Obj(d)));
    }
    Ok(respond(
        200,
        req.format,
        "engagement",
        &Ordered::Obj(members),
    ))
}

/// Finds the visit of `vid`/`sid`, or opens one: a new visitor when `vid` is unknown, a new
/// session of that visitor when `sid` does not match its current one.
fn open_visit(
    st: &mut State,
    now: i64,
    vid: Option<String>,
    sid: Option<String>,
    sections: &[String],
    details: &serde_json::Value,
) -> (String, Visit) {
    if let Some(v) = &vid {
        if let Some(visit) = st.visits.get(v) {
            if sid.as_deref() == Some(visit.session_id.as_str()) {
                return (v.clone(), visit.clone());
            }
        }
    }
    let vid = match vid {
        Some(v) if st.visits.contains_key(&v) => v,
        _ => st.ids.hex(22),
    };
    // A consumer section that names a skill routes the engagement there, as sections
    // select engagements on the real service; otherwise the first skill.
    let skill = sections
        .iter()
        .find_map(|s| st.world.skill_by_name(s))
        .or(if st.world.skills.is_empty() {
            None
        } else {
            Some(0)
        })
        .and_then(|i| st.world.skills.get(i))
        .map(|s| s.id);
    let text = |k: &str| get_str(details, k).unwrap_or_default();
    let visit = Visit {
        session_id: st.ids.hex(22),
        page_id: st.ids.digits(10),
        start_ms: now,
        skill,
        sections: sections.to_vec(),
        os: text("os"),
        device_family: text("deviceFamily"),
        ip: text("ipAddress"),
        app_version: text("appVersion"),
    };
    if st.visits.len() >= MAX_VISITS && !st.visits.contains_key(&vid) {
        let oldest = st
            .visits
            .iter()
            .min_by_key(|(_, v)| v.start_ms)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            st.visits.remove(&k);
        }
    }
    st.visits.insert(vid.clone(), visit.clone());
    (vid, visit)
}

/// `GET /api/account/{a}/monitoring/visitors/{visitorId}/visits/current/state?v=1&sid=…`
/// (Visit Information): the visit opened by the engagement request, with its codes for a
/// missing `sid` (400/33), an unknown visitor (404/37) and another session (404/39).
pub fn visit_state(app: &App, req: &Req, vid: &str) -> Result<Response, ApiError> {
    if req.method != Method::GET {
        return Err(ApiError::method_not_allowed());
    }
    // Read by agents (bearer or OAuth, `filter=agent`) and by visitor-side apps (app key).
    if visitor::app_key(req).is_some() {
        visitor::authenticate(app, req)?;
    } else {
        let mut st = app.state();
        agent::authenticate(app, &mut st, req)?;
    }
    let sid = req
        .q("sid")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::new(400, 33, "sid is required"))?;
    let st = app.state();
    let visit = st
        .visits
        .get(vid)
        .ok_or_else(|| ApiError::not_found(37, format!("visitor {vid} not found")))?;
    if visit.session_id != sid {
        return Err(ApiError::not_found(
            39,
            format!("session {sid} not found for visitor {vid}"),
        ));
    }
    let skill = visit
        .skill
        .and_then(|id| st.world.skill_by_id(id))
        .and_then(|i| st.world.skills.get(i));
    let (skill_name, skill_id) = skill
        .map(|s| (s.name.clone(), s.id))
        .unwrap_or_else(|| ("*!@NULL*!@".to_owned(), -1));
    let engagement = obj([
        (
            "engagement",
            obj([
                ("state", 1.into()),
                ("pageId", visit.page_id.as_str().into()),
                ("campaignEntity", obj([("id", num(CAMPAIGN_ID))])),
                (
                    "engagementEntity",
                    obj([
                        ("id", num(ENGAGEMENT_ID)),
                        (
                            "engagementSkill",
                            obj([
                                ("skillName", skill_name.into()),
                                ("skillId", skill_id.into()),
                            ]),
                        ),
                    ]),
                ),
            ]),
        ),
        ("id", "1".into()),
    ]);
    let url = "app://emulator";
    let page = obj([
        (
            "pageBasic",
            obj([
                ("url", url.into()),
                ("startTime", visit.start_ms.into()),
                ("title", visit.sections.join(",").into()),
            ]),
        ),
        ("startTime", visit.start_ms.into()),
        ("id", visit.page_id.as_str().into()),
        ("url", url.into()),
    ]);
    let session = obj([
        ("engagements", Ordered::Arr(vec![engagement])),
        ("ipv4", visit.ip.as_str().into()),
        ("startTime", visit.start_ms.into()),
        ("id", visit.session_id.as_str().into()),
        ("deviceOS", visit.os.as_str().into()),
        ("userAgent", visit.app_version.as_str().into()),
        ("deviceFamily", visit.device_family.as_str().into()),
        ("externalReferrer", "".into()),
        ("pages", Ordered::Arr(vec![page])),
        ("events", Ordered::Arr(Vec::new())),
    ]);
    let body = obj([
        ("id", visit.session_id.as_str().into()),
        ("appSessions", Ordered::Arr(vec![session])),
    ]);
    drop(st);
    Ok(respond(200, req.format, "visit", &body))
}

fn num(digits: &str) -> Ordered {
    digits
        .parse::<i64>()
        .map(Ordered::Num)
        .unwrap_or_else(|_| Ordered::Str(digits.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::json;

    #[test]
    fn visits_are_bounded_oldest_first() {
        let mut st = State::new(&crate::EmulatorConfig::default());
        let none = serde_json::Value::Null;
        let (first, _) = open_visit(&mut st, 0, None, None, &[], &none);
        for t in 1..MAX_VISITS as i64 {
            open_visit(&mut st, t, None, None, &[], &none);
        }
        assert_eq!(st.visits.len(), MAX_VISITS);
        assert!(st.visits.contains_key(&first));
        let (last, _) = open_visit(&mut st, MAX_VISITS as i64, None, None, &[], &none);
        assert_eq!(st.visits.len(), MAX_VISITS);
        assert!(!st.visits.contains_key(&first), "the oldest went");
        assert!(st.visits.contains_key(&last));
        // A known visitor with its session is kept, not re-created.
        let sid = st.visits[&last].session_id.clone();
        let (again, v) = open_visit(
            &mut st,
            0,
            Some(last.clone()),
            Some(sid.clone()),
            &[],
            &none,
        );
        assert_eq!((again, v.session_id), (last, sid));
    }

    #[test]
    fn xml_form_wraps_members() {
        let b = obj([
            ("status", "Available".into()),
            ("list", Ordered::Arr(vec![1.into(), 2.into()])),
        ]);
        assert_eq!(
            xml::write_ordered("engagement", &b),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><engagement><status>Available</status><list>1</list><list>2</list></engagement>"
        );
        assert_eq!(
            json::write_ordered(&b),
            r#"{"status":"Available","list":[1,2]}"#
        );
    }
}
