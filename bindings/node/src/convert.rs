//! Values across the boundary: models and events out as plain JS objects, requests in.
//!
//! Models leave as their serde (wire-shaped) JSON with the `@` of XML-born attributes
//! dropped, so a model from a session and the same body through `decode` look alike and
//! keep the wire's camelCase names. Request bodies come in the same shape and are read by
//! the models' own `Deserialize` (which accepts names with or without `@`). Nothing here
//! knows the protocol beyond the names of the events.

use lpchat::proto::model::AgentInfo;
use lpchat::{EndReason, MachineEvent};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::{command_reason, lost_error, lost_reason, lost_status, BindingError, Result};

/// Drops the `@` that marks XML attributes from every key.
pub fn strip_at(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k.strip_prefix('@') {
                        Some(rest) => rest.to_owned(),
                        None => k,
                    };
                    (key, strip_at(v))
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_at).collect()),
        other => other,
    }
}

/// A model as a JS object.
pub fn model<T: Serialize>(m: &T) -> Value {
    // Models hold no non-string map keys, so serializing to a value cannot fail.
    serde_json::to_value(m).map(strip_at).unwrap_or(Value::Null)
}

/// A request body from a JS object, through the model's own reading rules.
pub fn request<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    // The message names the field (its path) and the expected type; serde can quote a value
    // the user passed (their own data, never a secret of the session).
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            BindingError::config(format!("invalid {what}: {}", e.inner()))
        } else {
            BindingError::config(format!("invalid {what}: {path}: {}", e.inner()))
        }
    })
}

/// Wire names of members that hold credentials or session secrets (as `lpchat decode`
/// masks them): a decoded login body printed with `console.log` must not show its bearer.
const SECRET_KEYS: &[&str] = &[
    "bearer",
    "csrf",
    "sessionId",
    "wsuk",
    "password",
    "secret",
    "appKey",
    "accessToken",
    "accessTokenSecret",
    "jwt",
    "ssoKey",
];

/// Writes `value` as JSON text with the `@` of every key dropped and, unless
/// `show_secrets`, the values of secret members as `"***"`: what dropping `@` (as `strip_at`),
/// masking and `to_string` give, in one pass with no intermediate tree (decode's hot path).
pub fn write_view(value: &Value, show_secrets: bool, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            out.push(b'{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let key = k.strip_prefix('@').unwrap_or(k);
                write_str(key, out);
                out.push(b':');
                if !show_secrets && !v.is_null() && SECRET_KEYS.contains(&key) {
                    out.extend_from_slice(b"\"***\"");
                } else {
                    write_view(v, show_secrets, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_view(v, show_secrets, out);
            }
            out.push(b']');
        }
        // Scalars as serde_json writes them (escaping, number forms); writing to a Vec
        // cannot fail.
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, s);
}

fn end_reason(r: &EndReason) -> Value {
    match r {
        EndReason::Ended => json!({"kind": "ended"}),
        EndReason::ServerError(m) => json!({"kind": "server_error", "message": m}),
        EndReason::Transferred => json!({"kind": "transferred"}),
        EndReason::Left => json!({"kind": "left"}),
        EndReason::Gone => json!({"kind": "gone"}),
        EndReason::Unfollowed => json!({"kind": "unfollowed"}),
        _ => json!({"kind": "other"}),
    }
}

fn command_failure(f: &lpchat::CommandFailure) -> Value {
    let mut v = json!({"kind": command_reason(f)});
    if let lpchat::CommandFailure::Rejected { status } = f {
        v["status"] = status.as_u16().into();
    }
    if let lpchat::CommandFailure::InvalidRequest(why) = f {
        v["message"] = why.clone().into();
    }
    v
}

fn agent_info(info: &AgentInfo) -> Value {
    model(info)
}

/// A machine event as a JS object discriminated by `type` (see `models.d.ts`).
pub fn event(e: &MachineEvent) -> Value {
    match e {
        MachineEvent::LoggedIn => json!({"type": "loggedIn"}),
        MachineEvent::SessionRenewed => json!({"type": "sessionRenewed"}),
        MachineEvent::SessionLost(r) => {
            let mut reason = json!({"kind": lost_reason(r)});
            if let Some(s) = lost_status(r) {
                reason["status"] = s.as_u16().into();
            }
            if let Some(m) = lost_error(r) {
                reason["endpoint"] = m.endpoint.into();
                reason["message"] = m.message.clone().into();
            }
            json!({"type": "sessionLost", "reason": reason})
        }
        MachineEvent::AgentSessionStarted { session } => {
            json!({"type": "agentSessionStarted", "session": session.as_ref().map(|s| s.as_str())})
        }
        MachineEvent::AgentInfo(info) => json!({"type": "agentInfo", "info": agent_info(info)}),
        MachineEvent::AvailabilityChanged(s) => {
            json!({"type": "availabilityChanged", "state": s.as_str()})
        }
        MachineEvent::AvailabilityForced { wanted, seen } => {
            json!({"type": "availabilityForced", "wanted": wanted.as_str(), "seen": seen.as_str()})
        }
        MachineEvent::ChatOffered { ringing_count } => {
            json!({"type": "chatOffered", "ringingCount": ringing_count})
        }
        MachineEvent::OfferWithdrawn => json!({"type": "offerWithdrawn"}),
        MachineEvent::ChatAccepted(c) => json!({"type": "chatAccepted", "chat": c.as_str()}),
        MachineEvent::AcceptFailed(f) => {
            json!({"type": "acceptFailed", "reason": command_failure(f)})
        }
        MachineEvent::ChatEvent { chat, event } => {
            json!({"type": "chatEvent", "chat": chat.as_str(), "event": model(event)})
        }
        MachineEvent::InfoUpdated { chat, info } => {
            json!({"type": "infoUpdated", "chat": chat.as_str(), "info": model(&**info)})
        }
        MachineEvent::ChatEnded { chat, reason } => {
            json!({"type": "chatEnded", "chat": chat.as_str(), "reason": end_reason(reason)})
        }
        MachineEvent::LineDelivered {
            id: line,
            chat,
            event,
        } => json!({
            "type": "lineDelivered",
            "line": line.0,
            "chat": chat.as_str(),
            "event": event.map(|id| id.0.to_string()),
        }),
        MachineEvent::LineFailed {
            id: line,
            chat,
            reason,
        } => json!({
            "type": "lineFailed",
            "line": line.0,
            "chat": chat.as_str(),
            "reason": command_failure(reason),
        }),
        MachineEvent::TransferDone { id, chat } => {
            json!({"type": "transferDone", "id": id.0, "chat": chat.as_str()})
        }
        MachineEvent::TransferFailed { id, chat, reason } => json!({
            "type": "transferFailed",
            "id": id.0,
            "chat": chat.as_str(),
            "reason": command_failure(reason),
        }),
        MachineEvent::ChatStarted(c) => json!({"type": "chatStarted", "chat": c.as_str()}),
        MachineEvent::Error(m) => json!({
            "type": "error",
            "endpoint": m.endpoint,
            "status": m.status.map(|s| s.as_u16()),
            "message": m.message,
        }),
        MachineEvent::Closed => json!({"type": "closed"}),
        _ => json!({"type": "other"}),
    }
}
