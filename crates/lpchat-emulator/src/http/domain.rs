//! Domain API (D1-D3): every service lives on this emulator.

use super::request::Req;
use super::response;
use crate::app::App;
use crate::engine::ApiError;
use crate::wire::json::{obj, Ordered};
use axum::response::Response;

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

/// One service's entry, `{"service","account","baseURI"}` in the documented key order.
fn entry(app: &App, a: &str, svc: &str) -> Ordered {
    obj([
        ("service", svc.into()),
        ("account", a.into()),
        ("baseURI", app.host_port.as_str().into()),
    ])
}

/// D1: `GET /api/account/{a}/service/{svc}/baseURI.json`, and the same lookup under the
/// CSDS path `/csdr/account/{a}/service/{svc}/baseURI.json` that LivePerson's sample agent
/// app calls: both answer the one-service object documented clients read `baseURI` from.
pub fn one(app: &App, _req: &Req, a: &str, svc: &str, account: &str) -> Result<Response, ApiError> {
    check_account(a, account)?;
    check_service(svc)?;
    Ok(response::ordered_json(200, &entry(app, a, svc)))
}

/// D2: `GET /csdr/account/{a}/service/baseURI.json`, every service.
pub fn all(app: &App, _req: &Req, a: &str, account: &str) -> Result<Response, ApiError> {
    check_account(a, account)?;
    let list = SERVICES.iter().map(|s| entry(app, a, s)).collect();
    Ok(response::ordered_json(
        200,
        &obj([("baseURIs", Ordered::Arr(list))]),
    ))
}

/// D3: `GET /csdr/account/{a}/service/{svc}/baseURI.lpCsds` (the browser SDK's legacy
/// form): the `ResultSet.lpData[]` answer, only under the `.lpCsds` suffix.
pub fn legacy(
    app: &App,
    _req: &Req,
    a: &str,
    svc: &str,
    account: &str,
) -> Result<Response, ApiError> {
    check_account(a, account)?;
    check_service(svc)?;
    let data = obj([
        ("lpServer", app.host_port.as_str().into()),
        ("lpServiceName", svc.into()),
    ]);
    Ok(response::ordered_json(
        200,
        &obj([("ResultSet", obj([("lpData", Ordered::Arr(vec![data]))]))]),
    ))
}
