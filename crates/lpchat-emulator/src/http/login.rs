//! Login Service (L1-L3): JSON only, as documented.

use super::request::Req;
use super::response;
use crate::app::App;
use crate::engine::ApiError;
use crate::wire::json::{obj, Ordered};
use crate::wire::read::get_str;
use axum::http::{header, Method};
use axum::response::Response;

const COOKIE: &str = "Session_id";

fn require_post(req: &Req) -> Result<(), ApiError> {
    if req.method == Method::POST {
        Ok(())
    } else {
        Err(ApiError::method_not_allowed())
    }
}

/// L1: user or application login.
pub fn login(app: &App, req: &Req) -> Result<Response, ApiError> {
    require_post(req)?;
    let body = req.body_value()?;
    let username =
        get_str(&body, "username").ok_or_else(|| ApiError::bad_request("username is required"))?;
    let now = app.now();
    let mut st = app.state();
    let login = if let Some(app_key) = get_str(&body, "appKey") {
        let field = |k: &str| get_str(&body, k).unwrap_or_default();
        st.login_app_key(
            now,
            &username,
            &app_key,
            &field("secret"),
            &field("accessToken"),
            &field("accessTokenSecret"),
        )
    } else {
        let password = get_str(&body, "password")
            .ok_or_else(|| ApiError::bad_request("password or appKey is required"))?;
        st.login_password(now, &username, &password)
    }?;
    let agent = st.world.agents.get(login.agent).cloned();
    let account = st.world.account.clone();
    let ttl = st.world.session_ttl_ms;
    drop(st);
    let (user_id, login_name) = agent.map(|a| (a.id, a.login_name)).unwrap_or_default();
    // Keys in the order of the documented example (L1), at every level.
    let services = ["agentVep", "conversationVep", "smt", "adminArea"]
        .iter()
        .map(|s| {
            obj([
                ("account", account.as_str().into()),
                ("baseURI", app.host_port.as_str().into()),
                ("service", (*s).into()),
            ])
        })
        .collect();
    let config = obj([
        ("loginName", login_name.into()),
        ("userId", user_id.to_string().into()),
        (
            "userPrivileges",
            Ordered::Arr(vec![100.into(), 101.into(), 1730.into()]),
        ),
        ("serverCurrentTime", now.into()),
        ("timeDiff", 0.into()),
        ("serverTimeZoneName", "America/New_York".into()),
        ("serverTimeGMTDiff", (i64::from(app.tz) * 60_000).into()),
        ("isLPA", false.into()),
        ("isAdmin", false.into()),
        ("accountTimeZoneId", "America/New_York".into()),
    ]);
    let group = obj([
        ("id", (-1).into()),
        ("deleted", false.into()),
        ("name", "Main Group".into()),
    ]);
    let body = obj([
        ("csrf", login.csrf.clone().into()),
        ("wsuk", user_id.to_string().into()),
        ("config", config),
        (
            "csdsCollectionResponse",
            obj([("baseURIs", Ordered::Arr(services))]),
        ),
        (
            "accountData",
            obj([(
                "agentGroupsData",
                obj([("items", Ordered::Arr(vec![group])), ("revision", 1.into())]),
            )]),
        ),
        ("sessionTTl", ttl.to_string().into()),
        ("bearer", login.bearer.clone().into()),
    ]);
    let r = response::ordered_json(200, &body);
    Ok(response::with_header(
        r,
        header::SET_COOKIE,
        &format!("{COOKIE}={}; Path=/; HttpOnly", login.id),
    ))
}

fn csrf_call(
    app: &App,
    req: &Req,
    op: impl FnOnce(&mut crate::engine::State, i64, Option<&str>, Option<&str>) -> Result<(), ApiError>,
) -> Result<Response, ApiError> {
    require_post(req)?;
    let body = req.body_value()?;
    let csrf = get_str(&body, "csrf");
    let cookie = req.cookies(COOKIE).into_iter().next();
    let now = app.now();
    op(&mut app.state(), now, cookie.as_deref(), csrf.as_deref())?;
    Ok(response::empty(200))
}

/// L2: refresh.
pub fn refresh(app: &App, req: &Req) -> Result<Response, ApiError> {
    csrf_call(app, req, |st, now, c, t| st.refresh(now, c, t))
}

/// L3: logout.
pub fn logout(app: &App, req: &Req) -> Result<Response, ApiError> {
    csrf_call(app, req, |st, now, c, t| st.logout(now, c, t))
}
