//! The HTTP face: one axum router with the `/_emulator/` control API and a fallback that
//! routes the legacy protocol by hand (suffixes, overrides and odd paths like
//! `baseURI.lpCsds` do not fit a route table), behind the fault middleware.

pub mod agent;
pub mod control;
pub mod domain;
pub mod engagement;
pub mod login;
pub mod request;
pub mod response;
pub mod visitor;

use crate::app::App;
use crate::engine::ApiError;
use crate::faults;
use crate::quirks::{resource, SuffixMode};
use crate::wire::{Elem, Format};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use request::Req;
use std::sync::Arc;

/// The whole service.
pub fn router(app: Arc<App>) -> Router {
    control::routes()
        .fallback(protocol)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            faults::middleware,
        ))
        .with_state(app)
}

/// Repeat-events fault marker, set by the fault middleware for the protocol handler.
#[derive(Debug, Clone, Copy)]
pub struct RepeatBelow(pub u64);

async fn protocol(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let repeat = parts
        .extensions
        .get::<RepeatBelow>()
        .map(|r| r.0)
        .unwrap_or(0);
    let quirks = app.quirks();
    let bytes = match axum::body::to_bytes(body, app.max_body).await {
        Ok(b) => b,
        Err(_) => {
            let req = Req::new(
                parts.method,
                &parts.uri,
                parts.headers,
                Default::default(),
                quirks.suffix,
            );
            let err = ApiError::new(
                413,
                33,
                format!(
                    "request body larger than {} bytes (or unreadable)",
                    app.max_body
                ),
            );
            return response::error(req.format, &err, app.now(), app.tz);
        }
    };
    let mut req = Req::new(
        parts.method,
        &parts.uri,
        parts.headers,
        bytes,
        quirks.suffix,
    );
    req.repeat_below = repeat;
    match dispatch(&app, &req) {
        Ok(r) => r,
        Err(e) => response::error(error_format(&req), &e, app.now(), app.tz),
    }
}

/// The Login Service and the Domain API speak JSON only; their errors are JSON too.
fn error_format(req: &Req) -> Format {
    let json_only = matches!(req.segs.first().map(String::as_str), Some("csdr"))
        || matches!(
            req.segs.get(3).map(String::as_str),
            Some("login" | "refresh" | "logout" | "service")
        );
    if json_only {
        Format::Json
    } else {
        req.format
    }
}

fn not_found(req: &Req) -> ApiError {
    ApiError::not_found(12, format!("no resource at {}", req.raw_path))
}

fn dispatch(app: &App, req: &Req) -> Result<Response, ApiError> {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    let account = app.account.clone();
    match segs.as_slice() {
        ["csdr", "account", a, "service", "baseURI"] => domain::all(app, req, a, &account),
        ["csdr", "account", a, "service", svc, "baseURI"] => {
            if req.suffix.as_deref() == Some("lpCsds") {
                domain::legacy(app, req, a, svc, &account)
            } else {
                domain::one(app, req, a, svc, &account)
            }
        }
        ["api", "account", a, rest @ ..] => {
            if let ["service", svc, "baseURI"] = rest {
                return domain::one(app, req, a, svc, &account);
            }
            if *a != account {
                return Err(ApiError::not_found(6, format!("account {a} not found")));
            }
            match rest {
                ["login"] => login::login(app, req),
                ["refresh"] => login::refresh(app, req),
                ["logout"] => login::logout(app, req),
                _ if app.quirks().suffix == SuffixMode::Reject && req.suffix.is_some() => {
                    Err(not_found(req))
                }
                [] => base_resource(app, req, &account),
                ["agentSession", tail @ ..] => agent::handle(app, req, tail),
                ["chat", ..] | ["conversation"] => visitor::handle(app, req, rest),
                ["app", "engagement", "visitors"] => engagement::create(app, req, None),
                ["app", "engagement", "visitors", vid] => engagement::create(app, req, Some(vid)),
                ["monitoring", "visitors", vid, "visits", "current", "state"] => {
                    engagement::visit_state(app, req, vid)
                }
                _ => Err(not_found(req)),
            }
        }
        _ => Err(not_found(req)),
    }
}

/// A1/V1: the account base resource. The visitor form (app key) lists the visitor entry
/// points; the agent form (bearer or OAuth) links the agent session factory.
fn base_resource(app: &App, req: &Req, account: &str) -> Result<Response, ApiError> {
    let base = app.account_base(account);
    let links = if visitor::app_key(req).is_some() {
        visitor::authenticate(app, req)?;
        vec![
            Elem::link("self", &base),
            Elem::link("chat-availability", &format!("{base}/chat/availability")),
            Elem::link(
                "chat-available-slots",
                &format!("{base}/chat/availableSlots"),
            ),
            Elem::link(
                "chat-estimatedWaitTime",
                &format!("{base}/chat/estimatedWaitTime"),
            ),
            Elem::link("chat-request", &format!("{base}/chat/request")),
            Elem::link("prechat-survey", &format!("{base}/chat/preSurvey")),
            Elem::link("chat-offline-survey", &format!("{base}/chat/offlineSurvey")),
        ]
    } else {
        let mut st = app.state();
        agent::authenticate(app, &mut st, req)?;
        vec![
            Elem::link("self", &base),
            Elem::link("agent-session", &format!("{base}/agentSession")),
        ]
    };
    let e = Elem::new("account").attr("id", account).list("link", links);
    Ok(response::wire(
        200,
        req.format,
        resource::ACCOUNT,
        &app.quirks(),
        &e,
    ))
}
