//! Domain API (D1-D3): every service lives on this emulator.

use super::request::Req;
use super::response;
use crate::app::App;
use crate::engine::ApiError;
use axum::response::Response;
use serde_json::json;

/// Services the Domain API answers for (spec §7.1).
const SERVICES: [&str; 6] = [
    "agentVep",
    "conversationVep",
    "smt",
    "adminArea",
    "acCdnDomain",
    "liveEngageVep",
];

fn check_account(a: &str, account: &str) -> Result<(), ApiError> {
    if a == account {
        Ok(())
    } else {
        Err(ApiError::unauthorized(format!("invalid site {a}")))
    }
}

fn check_service(svc: &str) -> Result<(), ApiError> {
    if SERVICES.contains(&svc) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "unknown service {svc:?} (names are case-sensitive)"
        )))
    }
}

/// D1: `GET /api/account/{a}/service/{svc}/baseURI.json`.
pub fn one(app: &App, _req: &Req, a: &str, svc: &str, account: &str) -> Result<Response, ApiError> {
    check_account(a, account)?;
    check_service(svc)?;
    Ok(response::plain_json(
        200,
        &json!({"service": svc, "account": a, "baseURI": app.host_port}),
    ))
}

/// D2: `GET /csdr/account/{a}/service/baseURI.json`.
pub fn all(app: &App, _req: &Req, a: &str, account: &str) -> Result<Response, ApiError> {
    check_account(a, account)?;
    let list: Vec<_> = SERVICES
        .iter()
        .map(|s| json!({"service": s, "account": a, "baseURI": app.host_port}))
        .collect();
    Ok(response::plain_json(200, &json!({ "baseURIs": list })))
}

/// D3: `GET /csdr/account/{a}/service/{svc}/baseURI.lpCsds` (browser SDK legacy form).
pub fn legacy(
    app: &App,
    _req: &Req,
    a: &str,
    svc: &str,
    account: &str,
) -> Result<Response, ApiError> {
    check_account(a, account)?;
    check_service(svc)?;
    Ok(response::plain_json(
        200,
        &json!({"ResultSet": {"lpData": [{"lpServer": app.host_port, "lpServiceName": svc}]}}),
    ))
}
