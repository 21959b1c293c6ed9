//! The `/_emulator/` control API: state, world, quirks, faults, transcripts, scripted
//! visitors. Plain JSON; never faulted.

use crate::app::{lock, App};
use crate::faults::FaultRule;
use crate::simulator::{self, Scenario};
use crate::transcript;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

type Shared = State<Arc<App>>;

/// The control routes (state attached by the caller).
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/_emulator/state", get(state))
        .route("/_emulator/world", get(world))
        .route(
            "/_emulator/quirks",
            get(get_quirks)
                .put(patch_quirks)
                .patch(patch_quirks)
                .post(patch_quirks)
                .delete(reset_quirks),
        )
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_emulator/faults/{id}", delete(remove_fault))
        .route("/_emulator/transcripts", get(transcripts))
        .route("/_emulator/transcripts/{chat}", get(one_transcript))
        .route(
            "/_emulator/visitors",
            get(list_visitors).post(start_visitors),
        )
}

fn bad(msg: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"message": msg}})),
    )
        .into_response()
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| Box::new(bad(format!("invalid JSON body: {e}"))))
}

/// A snapshot of the service state (no secrets: tokens are not shown).
pub fn snapshot(app: &App) -> Value {
    let now = app.now();
    let st = app.state();
    let agents: Vec<Value> = st
        .world
        .agents
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "loginName": a.login_name,
                "availability": st.agents.get(i).map(|r| r.availability.clone()),
                "loggedIn": st.agent_logged_in(i),
                "chats": st.agent_chats(i),
                "ringing": st.chats.values().filter(|c| c.ringing.is_some_and(|r| r.agent == i)).map(|c| c.id.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let sessions: Vec<Value> = st
        .sessions
        .values()
        .map(|s| {
            json!({
                "id": s.id,
                "agent": st.world.agents.get(s.agent).map(|a| a.login_name.clone()),
                "alive": s.alive,
                "endReason": s.end_reason,
                "idleMs": now - s.last_activity_ms,
                "signed": s.login.is_none(),
            })
        })
        .collect();
    let chats: Vec<Value> = st
        .chat_order
        .iter()
        .filter_map(|id| st.chats.get(id))
        .map(|c| {
            json!({
                "chatId": c.id,
                "state": c.state,
                "skill": c.skill.and_then(|s| st.world.skills.get(s)).map(|s| s.name.clone()),
                "agent": c.agent.and_then(|a| st.world.agents.get(a)).map(|a| a.login_name.clone()),
                "ringingFor": c.ringing.and_then(|r| st.world.agents.get(r.agent)).map(|a| a.login_name.clone()),
                "events": c.events.len(),
            })
        })
        .collect();
    let logins = st.logins.values().filter(|l| l.alive).count();
    json!({
        "nowMs": now,
        "timeFactor": app.clock.factor(),
        "baseUrl": app.base,
        "account": st.world.account,
        "agents": agents,
        "agentSessions": sessions,
        "liveLogins": logins,
        "chats": chats,
        "faults": lock(&app.faults).list(),
        "quirks": *app.quirks(),
    })
}

async fn state(State(app): Shared) -> Response {
    Json(snapshot(&app)).into_response()
}

async fn world(State(app): Shared) -> Response {
    Json(app.state().world.clone()).into_response()
}

async fn get_quirks(State(app): Shared) -> Response {
    Json((*app.quirks()).clone()).into_response()
}

async fn patch_quirks(State(app): Shared, body: axum::body::Bytes) -> Response {
    let patch: Value = match parse(&body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match app.quirks().merged(&patch) {
        Ok(q) => {
            app.set_quirks(q.clone());
            Json(q).into_response()
        }
        Err(e) => bad(e),
    }
}

async fn reset_quirks(State(app): Shared) -> Response {
    app.set_quirks(crate::quirks::Quirks::default());
    Json(crate::quirks::Quirks::default()).into_response()
}

async fn list_faults(State(app): Shared) -> Response {
    Json(lock(&app.faults).list()).into_response()
}

async fn add_fault(State(app): Shared, body: axum::body::Bytes) -> Response {
    let rule: FaultRule = match parse(&body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match lock(&app.faults).add(rule) {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => bad(e),
    }
}

async fn clear_faults(State(app): Shared) -> Response {
    lock(&app.faults).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn remove_fault(State(app): Shared, Path(id): Path<u64>) -> Response {
    if lock(&app.faults).remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"message": "no such fault"}})),
        )
            .into_response()
    }
}

async fn transcripts(State(app): Shared) -> Response {
    let visitors = lock(&app.visitors).clone();
    Json(transcript::all(&app.state(), &visitors, app.tz)).into_response()
}

async fn one_transcript(State(app): Shared, Path(chat): Path<String>) -> Response {
    let visitors = lock(&app.visitors).clone();
    match transcript::of(&app.state(), &visitors, &chat, app.tz) {
        Some(t) => Json(t).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"message": "no such chat"}})),
        )
            .into_response(),
    }
}

async fn list_visitors(State(app): Shared) -> Response {
    Json(lock(&app.visitors).clone()).into_response()
}

async fn start_visitors(State(app): Shared, body: axum::body::Bytes) -> Response {
    let scenario: Scenario = match parse(&body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    if let Err(e) = scenario.validate() {
        return bad(e);
    }
    let group = simulator::start(&app, scenario);
    (
        StatusCode::ACCEPTED,
        Json(json!({ "visitors": group.records })),
    )
        .into_response()
}
