//! `lpchat._lpchat`: the native core of the Python package `lpchat`.
//!
//! Thin: every operation goes through the `lpchat` client (and `lpchat-emulator` for
//! `lpchat.testing`); this crate only converts values, waits (sync or asyncio) and maps
//! errors. See docs/python.md.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod client;
mod convert;
mod emulator;
mod error;
mod events;
mod logging;
mod runtime;

use lpchat::proto::model::{Chat, Chats, Events};
use lpchat::proto::{resources, Format, Limits};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Decodes one response (or request) body of `resource` (`lpchat.resources()` lists the
/// names) into its model. `format` is `"json"` or `"xml"`; detected from the body's first
/// character when `None`. Bad input raises `DecodeError` (which shows no value of the body).
#[pyfunction]
#[pyo3(signature = (resource, body, format = None))]
fn decode(
    py: Python<'_>,
    resource: &str,
    body: &Bound<'_, PyAny>,
    format: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let entry = resources::find(resource).ok_or_else(|| {
        error::config(format!(
            "unknown resource {:?} (lpchat.resources() lists them)",
            resource.chars().take(40).collect::<String>()
        ))
    })?;
    let bytes: Vec<u8> = if let Ok(b) = body.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(s) = body.extract::<String>() {
        s.into_bytes()
    } else if let Ok(b) = body.extract::<Vec<u8>>() {
        b
    } else {
        return Err(error::config("body must be bytes or str"));
    };
    let format = match format {
        Some(f) if f.eq_ignore_ascii_case("json") => Format::Json,
        Some(f) if f.eq_ignore_ascii_case("xml") => Format::Xml,
        Some(_) => return Err(error::config("format must be \"json\", \"xml\" or None")),
        None => Format::sniff(&bytes).ok_or_else(|| {
            error::config("cannot tell the body's format; pass format=\"json\" or \"xml\"")
        })?,
    };
    // Decoding is pure CPU work on the caller's bytes: done with the GIL released so other
    // threads run meanwhile.
    let limits = Limits::default();
    // Chats, chat resources and events are converted straight from their models (their
    // events become event objects once); the rest through the model's serde form.
    match entry.name {
        "chats" => {
            let decoded = py.detach(|| lpchat::proto::decode::<Chats>(format, &bytes, &limits));
            return match decoded {
                Ok(m) => convert::chats_model(py, m),
                Err(e) => Err(error::decode_to_py(py, &e)),
            };
        }
        "chat" => {
            let decoded = py.detach(|| lpchat::proto::decode::<Chat>(format, &bytes, &limits));
            return match decoded {
                Ok(m) => convert::chat_model(py, m),
                Err(e) => Err(error::decode_to_py(py, &e)),
            };
        }
        "events" => {
            let decoded = py.detach(|| lpchat::proto::decode::<Events>(format, &bytes, &limits));
            return match decoded {
                Ok(m) => convert::events_model(py, m),
                Err(e) => Err(error::decode_to_py(py, &e)),
            };
        }
        _ => {}
    }
    let value = py.detach(|| entry.decode_to_json(format, &bytes, &limits));
    match value {
        Ok(v) => convert::model_of_value(py, entry.name, v),
        Err(e) => Err(error::decode_to_py(py, &e)),
    }
}

/// The resource names `decode` knows, with the endpoints that answer with each.
#[pyfunction]
fn resources_list() -> Vec<(&'static str, &'static str)> {
    resources::all()
        .iter()
        .map(|e| (e.name, e.endpoints))
        .collect()
}

/// Where each chat of a cursor token (`AgentSession.cursor_token()`) stands: the last event
/// id delivered per chat id (`None` for a chat none was delivered of). `ConfigError` for a
/// token that is not one.
#[pyfunction]
fn cursor_positions(token: &str) -> PyResult<std::collections::BTreeMap<String, Option<u64>>> {
    let set = lpchat::proto::CursorSet::from_token(token)
        .map_err(|_| error::config("not a cursor token"))?;
    Ok(set
        .iter()
        .map(|c| {
            (
                c.chat_id().as_str().to_owned(),
                c.last_delivered().map(|e| e.0),
            )
        })
        .collect())
}

/// Re-reads the `lpchat` logger's level (call after changing the logging configuration, so
/// that the Rust side stops formatting records nobody wants, or starts).
#[pyfunction]
fn refresh_log_level(py: Python<'_>) -> PyResult<()> {
    logging::refresh(py)
}

/// Log records dropped because Python did not take them fast enough.
#[pyfunction]
fn dropped_log_records() -> u64 {
    logging::dropped()
}

/// Test hook: calls `func()` on a worker thread of lpchat's runtime and returns what it
/// returns (or raises what it raises). Only for testing that blocking calls made there are
/// refused (`RuntimeMisuseError`) instead of stalling the runtime.
#[pyfunction]
fn _call_on_runtime_thread(py: Python<'_>, func: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let rt = runtime::runtime()?;
    let handle = rt.spawn(async move { Python::attach(|py| func.call0(py)) });
    runtime::wait(py, handle)?
        .map_err(|e| error::config(format!("the runtime task failed: {e}")))?
}

/// Closes every live agent session (end session, log out) and visitor chat, waiting at
/// most `timeout` seconds; `lpchat` registers it with `atexit`. Does nothing in a forked
/// child or before the runtime started.
#[pyfunction]
#[pyo3(signature = (timeout = 5.0))]
fn close_all(py: Python<'_>, timeout: f64) -> PyResult<()> {
    if runtime::check_not_forked().is_err() || !runtime::started() {
        return Ok(());
    }
    let t = client::duration(timeout)?;
    runtime::wait(py, client::live::close_all(t))
}

/// The native module.
#[pymodule]
fn _lpchat(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(resources_list, m)?)?;
    m.add_function(wrap_pyfunction!(cursor_positions, m)?)?;
    m.add_function(wrap_pyfunction!(refresh_log_level, m)?)?;
    m.add_function(wrap_pyfunction!(dropped_log_records, m)?)?;
    m.add_function(wrap_pyfunction!(_call_on_runtime_thread, m)?)?;
    m.add_function(wrap_pyfunction!(close_all, m)?)?;
    m.add_class::<convert::Model>()?;
    m.add_class::<convert::Line>()?;
    m.add_class::<convert::StateChange>()?;
    m.add_class::<convert::UrlPushed>()?;
    m.add_class::<convert::A2aTransfer>()?;
    m.add_class::<convert::UnknownEvent>()?;
    m.add_class::<events::EventStream>()?;
    m.add_class::<events::LoggedIn>()?;
    m.add_class::<events::SessionRenewed>()?;
    m.add_class::<events::SessionLost>()?;
    m.add_class::<events::AgentSessionStarted>()?;
    m.add_class::<events::AgentInfoRead>()?;
    m.add_class::<events::AvailabilityChanged>()?;
    m.add_class::<events::AvailabilityForced>()?;
    m.add_class::<events::ChatOffered>()?;
    m.add_class::<events::OfferWithdrawn>()?;
    m.add_class::<events::ChatAccepted>()?;
    m.add_class::<events::AcceptFailed>()?;
    m.add_class::<events::ChatEvent>()?;
    m.add_class::<events::InfoUpdated>()?;
    m.add_class::<events::ChatEnded>()?;
    m.add_class::<events::LineDelivered>()?;
    m.add_class::<events::LineFailed>()?;
    m.add_class::<events::TransferDone>()?;
    m.add_class::<events::TransferFailed>()?;
    m.add_class::<events::ChatStarted>()?;
    m.add_class::<events::SessionError>()?;
    m.add_class::<events::Closed>()?;
    m.add_class::<emulator::NativeEmulator>()?;
    client::register(m)?;
    logging::install(m.py())?;
    Ok(())
}
