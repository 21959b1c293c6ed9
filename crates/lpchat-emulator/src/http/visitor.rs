//! Server Chat API, visitor side (V1-V19): app-key authentication, availability, surveys,
//! chat request and the chat resources.

use super::agent::{available_slots, custom_variables_elem, parse_from, posted_event, Posted};
use super::request::Req;
use super::response;
use crate::app::App;
use crate::engine::{ApiError, ChatRequest, ChatState, State};
use crate::quirks::{resource, Quirks, Render};
use crate::render::{self, Viewer};
use crate::surveys;
use crate::wire::read::{as_list, get, get_str, scalar_text};
use crate::wire::{Elem, Scalar};
use axum::http::{header, Method};
use axum::response::Response;

/// The app key of a visitor request: `Authorization: LivePerson appKey=…` or `?appKey=`.
pub fn app_key(req: &Req) -> Option<String> {
    if let Some(h) = req.header("authorization") {
        let (scheme, rest) = h.trim().split_once(' ').unwrap_or((h, ""));
        if scheme.eq_ignore_ascii_case("LivePerson") {
            let key = rest
                .trim()
                .strip_prefix("appKey=")
                .map(|k| k.trim().trim_matches('"').to_owned());
            if key.is_some() {
                return key;
            }
        }
    }
    req.q("appKey").map(str::to_owned)
}

/// Checks the app key against the world's visitor keys.
pub fn authenticate(app: &App, req: &Req) -> Result<(), ApiError> {
    let key = app_key(req).ok_or_else(|| ApiError::unauthorized("app key missing"))?;
    if app.state().world.visitor_app_keys.contains(&key) {
        Ok(())
    } else {
        Err(ApiError::unauthorized("app key not valid for this account"))
    }
}

struct Ctx<'a> {
    app: &'a App,
    req: &'a Req,
    quirks: &'a Quirks,
    now: i64,
    base: String,
}

impl Ctx<'_> {
    fn r(&self, res: &'static str) -> Render<'_> {
        Render {
            resource: res,
            quirks: self.quirks,
        }
    }
    fn ok(&self, code: u16, res: &'static str, e: &Elem) -> Result<Response, ApiError> {
        Ok(response::wire(code, self.req.format, res, self.quirks, e))
    }
}

/// Handles `/api/account/{a}/chat/...` and `/conversation`.
pub fn handle(app: &App, req: &Req, rest: &[&str]) -> Result<Response, ApiError> {
    authenticate(app, req)?;
    let quirks = app.quirks();
    let now = app.now();
    let cx = Ctx {
        app,
        req,
        quirks: &quirks,
        now,
        base: app.account_base(&app.account),
    };
    let m = &req.method;
    let mut st = app.state();
    match rest {
        ["chat", "availability"] if m == Method::GET => availability(&cx, &st),
        ["chat", "availableSlots"] if m == Method::GET => {
            let n = available_slots(&st, req.q("skill"), req.q("agent"))?;
            cx.ok(
                200,
                resource::SCALAR,
                &Elem::text(
                    "availableSlots",
                    cx.r(resource::SCALAR).num("availableSlots", n),
                ),
            )
        }
        ["chat", "estimatedWaitTime"] if m == Method::GET => {
            let n = estimated_wait(&st, req.q("skill"))?;
            let e = Elem::text(
                "estimatedWaitTime",
                cx.r(resource::SCALAR).num("estimatedWaitTime", n),
            );
            cx.ok(200, resource::SCALAR, &e)
        }
        ["chat", "preSurvey"] if m == Method::GET => {
            survey(&cx, surveys::Kind::PreChat, resource::SURVEY)
        }
        ["chat", "offlineSurvey"] if m == Method::GET => {
            survey(&cx, surveys::Kind::Offline, resource::SURVEY)
        }
        ["chat", "offlineSurvey"] if m == Method::PUT || m == Method::POST => {
            let body = req.body_root("survey")?;
            surveys::check(&surveys::survey(surveys::Kind::Offline), &body)?;
            Ok(response::empty(200))
        }
        ["chat", "request"] if m == Method::POST => {
            let body = req.body_root("request")?;
            let mut request = chat_request(&body)?;
            if let Some(conv) = get_str(&body, "conversationId") {
                if let Some(pid) = st.conversations.remove(&conv) {
                    request.participant_id = request.participant_id.or(Some(pid));
                }
            }
            let id = st.request_chat(now, request)?;
            let href = format!("{}/chat/{id}", cx.base);
            Ok(response::with_header(
                response::empty(200),
                header::LOCATION,
                &href,
            ))
        }
        ["conversation"] if m == Method::POST => {
            let body = req.body_value()?;
            let pid = get_str(&body, "participantId").unwrap_or_else(|| st.ids.hex(32));
            if get_str(&body, "ssoKey").is_none() {
                return Err(ApiError::bad_request("ssoKey is required"));
            }
            let conv = st.ids.hex(32);
            st.conversations.insert(conv.clone(), pid);
            let href = format!("{}/conversation/{conv}", cx.base);
            Ok(response::with_header(
                response::empty(201),
                header::LOCATION,
                &href,
            ))
        }
        ["chat", c, more @ ..] => chat_routes(&cx, &mut st, c, more),
        _ => Err(ApiError::not_found(
            12,
            format!("no resource at {}", req.raw_path),
        )),
    }
}

fn survey(cx: &Ctx<'_>, kind: surveys::Kind, res: &'static str) -> Result<Response, ApiError> {
    cx.ok(
        200,
        res,
        &surveys::render(cx.r(res), &surveys::survey(kind)),
    )
}

fn any_online(st: &State, skill: Option<i64>, free_now: bool) -> bool {
    st.world.agents.iter().enumerate().any(|(i, a)| {
        st.agent_logged_in(i)
            && st.agents.get(i).is_some_and(|r| r.availability == "Online")
            && skill.is_none_or(|s| a.skills.contains(&s))
            && (!free_now || a.max_chats < 0 || st.agent_load(i) < a.max_chats)
    })
}

fn skill_id(st: &State, name: &str) -> Result<i64, ApiError> {
    st.world
        .skill_by_name(name)
        .and_then(|i| st.world.skills.get(i))
        .map(|s| s.id)
        .ok_or_else(|| ApiError::bad_request(format!("unknown skill {name:?}")))
}

/// V2. `maxWaitTime=0` asks for a free slot now; otherwise any Online agent will do.
/// Several `skill` parameters get the browser SDK's per-skill form.
fn availability(cx: &Ctx<'_>, st: &State) -> Result<Response, ApiError> {
    let free_now = cx.req.q("maxWaitTime") == Some("0");
    let skills: Vec<&str> = cx
        .req
        .query
        .iter()
        .filter(|(k, _)| k == "skill")
        .map(|(_, v)| v.as_str())
        .collect();
    if skills.len() > 1 {
        let mut items = Vec::new();
        for s in skills {
            let ok = any_online(st, Some(skill_id(st, s)?), free_now);
            items.push(
                Elem::new("skillAvailability")
                    .field("skill", s)
                    .field("isAvailable", Scalar::Bool(ok)),
            );
        }
        let e = Elem::new("availability")
            .child(Elem::new("AvailabilityForSkills").list("skillAvailability", items));
        return cx.ok(200, resource::SCALAR, &e);
    }
    let ok = match (skills.first(), cx.req.q("agent")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request("skill and agent cannot be combined"))
        }
        (_, Some(agent)) => {
            let i = st
                .world
                .agent_by_login(agent)
                .ok_or_else(|| ApiError::bad_request(format!("unknown agent {agent:?}")))?;
            let online = st.agent_logged_in(i)
                && st.agents.get(i).is_some_and(|r| r.availability == "Online");
            online && (!free_now || available_slots(st, None, Some(agent))? != 0)
        }
        (Some(s), None) => any_online(st, Some(skill_id(st, s)?), free_now),
        (None, None) => any_online(st, None, free_now),
    };
    cx.ok(
        200,
        resource::SCALAR,
        &Elem::text("availability", Scalar::Bool(ok)),
    )
}

/// V4: 0 when an agent is free now, -1 when nobody is online, otherwise 30 s per waiting
/// chat ahead per online agent (a plausible statistic; the real one is not documented).
fn estimated_wait(st: &State, skill: Option<&str>) -> Result<i64, ApiError> {
    let sid = skill.map(|s| skill_id(st, s)).transpose()?;
    if !any_online(st, sid, false) {
        return Ok(-1);
    }
    if any_online(st, sid, true) {
        return Ok(0);
    }
    let online = (0..st.world.agents.len())
        .filter(|&i| {
            st.agent_logged_in(i) && st.agents.get(i).is_some_and(|r| r.availability == "Online")
        })
        .count()
        .max(1) as i64;
    let waiting = st
        .chats
        .values()
        .filter(|c| c.state == ChatState::Waiting)
        .count() as i64;
    Ok(30 * (waiting + 1) / online)
}

fn num_field(v: &serde_json::Value, k: &str) -> Result<Option<i64>, ApiError> {
    match get_str(v, k) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("{k} must be a number, got {s:?}"))),
    }
}

/// Reads the `request` of V8 (spec §6 V8), accepting both `preChatLines` shapes.
fn chat_request(b: &serde_json::Value) -> Result<ChatRequest, ApiError> {
    let lines_of = |v: Option<&serde_json::Value>| -> Vec<String> {
        let Some(v) = v else { return Vec::new() };
        let inner = get(v, "line").or_else(|| get(v, "lines")).unwrap_or(v);
        as_list(Some(inner))
            .into_iter()
            .filter_map(scalar_text)
            .collect()
    };
    let vars = get(b, "customVariables")
        .map(|cv| {
            as_list(get(cv, "customVariable"))
                .into_iter()
                .filter_map(|v| {
                    Some((get_str(v, "name")?, get_str(v, "value").unwrap_or_default()))
                })
                .collect()
        })
        .unwrap_or_default();
    let timeout = num_field(b, "interactionTimeout")?.map(|t| u64::try_from(t.max(1)).unwrap_or(1));
    Ok(ChatRequest {
        skill: get_str(b, "skill"),
        skill_id: num_field(b, "skillId")?,
        agent: get_str(b, "agent"),
        pre_chat_lines: lines_of(get(b, "preChatLines")),
        interaction_timeout: timeout,
        visitor_id: num_field(b, "visitorId")?,
        le_tag_visitor_id: get_str(b, "LETagVisitorId"),
        le_tag_session_id: get_str(b, "LETagSessionId"),
        le_tag_context_id: get_str(b, "LETagContextId"),
        engagement_id: num_field(b, "engagementId")?,
        campaign_id: num_field(b, "campaignId")?,
        language: get_str(b, "language"),
        custom_variables: vars,
        participant_id: get_str(b, "participantId"),
        referrer: get_str(b, "chatReferrer"),
        survey: get(b, "survey").cloned(),
        visitor_name: None,
    })
}

fn chat_routes(cx: &Ctx<'_>, st: &mut State, c: &str, more: &[&str]) -> Result<Response, ApiError> {
    let m = &cx.req.method;
    let now = cx.now;
    let tz = cx.app.tz;
    let viewer = Viewer::Visitor {
        chat_base: format!("{}/chat/{c}", cx.base),
    };
    // Any visitor call on the chat keeps it alive (spec §8).
    st.visitor_touch(now, c)?;
    match more {
        [] if m == Method::GET => {
            let chat = st.chat(c)?;
            let from = parse_from(cx.req.q("from"))?;
            let e = render::chat(
                cx.r(resource::CHAT),
                st,
                chat,
                &viewer,
                from,
                cx.req.repeat_below,
                tz,
            );
            cx.ok(200, resource::CHAT, &e)
        }
        ["events"] if m == Method::GET => {
            let chat = st.chat(c)?;
            let from = parse_from(cx.req.q("from"))?;
            let e = render::events(
                cx.r(resource::EVENTS),
                chat,
                &viewer,
                from,
                cx.req.repeat_below,
                tz,
            );
            cx.ok(200, resource::EVENTS, &e)
        }
        ["events"] if m == Method::POST => {
            let id = match posted_event(cx.req)? {
                Posted::Line(line) => st.visitor_line(now, c, line)?,
                Posted::End => st.visitor_end(now, c)?,
            };
            let href = format!("{}/chat/{c}/events/{id}", cx.base);
            Ok(response::with_header(
                response::empty(201),
                header::LOCATION,
                &href,
            ))
        }
        ["events", id] if m == Method::GET => {
            let chat = st.chat(c)?;
            let ev = id
                .parse::<usize>()
                .ok()
                .and_then(|i| chat.events.get(i))
                .filter(|e| e.visible_to_visitor())
                .ok_or_else(|| ApiError::not_found(12, format!("event {id} not found")))?;
            cx.ok(
                200,
                resource::EVENTS,
                &render::event(cx.r(resource::EVENTS), ev, tz),
            )
        }
        ["info"] if m == Method::GET => {
            let chat = st.chat(c)?;
            cx.ok(
                200,
                resource::VISITOR_INFO,
                &render::info(cx.r(resource::VISITOR_INFO), st, chat, &viewer, tz),
            )
        }
        ["info", "visitorName"] if m == Method::GET => cx.ok(
            200,
            resource::SCALAR,
            &Elem::text("visitorName", st.chat(c)?.visitor_name_or("You")),
        ),
        ["info", "visitorName"] if m == Method::PUT => {
            let v = cx.req.body_root("visitorName")?;
            let name = scalar_text(&v).filter(|n| !n.trim().is_empty());
            let name = name
                .ok_or_else(|| ApiError::bad_request("visitorName must be a non-empty string"))?;
            let chat = st.chat_mut(c)?;
            chat.visitor_name = Some(name.clone());
            chat.last_update_ms = now;
            cx.ok(201, resource::SCALAR, &Elem::text("visitorName", name))
        }
        ["info", "visitorTyping"] if m == Method::GET => {
            let t = st.chat(c)?.visitor_typing;
            cx.ok(
                200,
                resource::SCALAR,
                &Elem::text("visitorTyping", if t { "typing" } else { "not-typing" }),
            )
        }
        ["info", "visitorTyping"] if m == Method::PUT => {
            let v = cx.req.body_root("visitorTyping")?;
            let t = match scalar_text(&v).as_deref() {
                Some("typing") => true,
                Some("not-typing") => false,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "invalid visitorTyping {other:?}"
                    )))
                }
            };
            let chat = st.chat_mut(c)?;
            chat.visitor_typing = t;
            chat.last_update_ms = now;
            cx.ok(
                200,
                resource::SCALAR,
                &Elem::text("visitorTyping", if t { "typing" } else { "not-typing" }),
            )
        }
        ["info", "agentTyping"] if m == Method::GET => {
            let t = st.chat(c)?.agent_typing;
            cx.ok(
                200,
                resource::SCALAR,
                &Elem::text("agentTyping", if t { "typing" } else { "not-typing" }),
            )
        }
        ["exitSurvey"] if m == Method::GET => {
            survey(cx, surveys::Kind::Exit, resource::EXIT_SURVEY)
        }
        ["exitSurvey"] if m == Method::PUT || m == Method::POST => {
            let body = cx.req.body_root("survey")?;
            surveys::check(&surveys::survey(surveys::Kind::Exit), &body)?;
            st.chat_mut(c)?
                .surveys
                .push(serde_json::json!({"exitSurvey": body}));
            Ok(response::empty(200))
        }
        ["transcriptRequest" | "transcriptWithSubjectRequest"]
            if m == Method::PUT || m == Method::POST =>
        {
            let v = cx.req.body_root("email")?;
            let email = scalar_text(&v).filter(|e| e.contains('@'));
            let email =
                email.ok_or_else(|| ApiError::bad_request("email must be an e-mail address"))?;
            st.chat_mut(c)?.transcript_emails.push(email);
            Ok(response::empty(200))
        }
        ["customVariables"] if m == Method::PUT || m == Method::POST => {
            let body = cx.req.body_root("customVariables")?;
            let chat = st.chat_mut(c)?;
            for v in as_list(get(&body, "customVariable")) {
                let name = get_str(v, "name")
                    .ok_or_else(|| ApiError::bad_request("customVariable.name is required"))?;
                let value = get_str(v, "value").unwrap_or_default();
                chat.custom_variables.retain(|(n, _)| *n != name);
                chat.custom_variables.push((name, value));
            }
            Ok(response::empty(200))
        }
        ["customVariables"] if m == Method::GET => cx.ok(
            200,
            resource::VISIT,
            &custom_variables_elem(&st.chat(c)?.custom_variables),
        ),
        []
        | ["events" | "info" | "exitSurvey" | "transcriptRequest" | "transcriptWithSubjectRequest"]
        | ["events", _]
        | ["info", "visitorName" | "visitorTyping" | "agentTyping"] => {
            Err(ApiError::method_not_allowed())
        }
        _ => Err(ApiError::not_found(
            12,
            format!("no resource at {}", cx.req.raw_path),
        )),
    }
}
