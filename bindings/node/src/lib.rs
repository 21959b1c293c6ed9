//! `lpchat-node`: the Node.js binding of `lpchat` (napi-rs). Thin: every class holds clones
//! of the Rust client's handles, every operation goes through `crates/lpchat`, decoding
//! through `lpchat_proto::resources`, the emulator through `lpchat-emulator`. `index.js`
//! adds what napi cannot express: async iteration, `Symbol.asyncDispose`, handler
//! argument spreading and `LpchatError`.
//!
//! Secrets (passwords, keys, bearers) never appear in an error or a log line: errors are
//! built from variants, and a decoded body's secrets are masked unless asked for.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod client;
mod convert;
mod error;
mod options;
mod testing;

// Exported by napi (its registration is not a Rust use the dead-code lint sees).
pub use client::{live_objects, set_dispatcher};
pub use testing::token_position;

use lpchat::proto::{resources, Format, Limits};
use napi::bindgen_prelude::Buffer;
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use serde_json::Value;

use crate::error::BindingError;

/// `LPCHAT_LOG=debug` (or `error`, `warn`, `info`, `trace`): the client's `tracing` output on
/// stderr, as `lpchat`'s CLI does. The client never puts a password, bearer, csrf, key or
/// cookie in a log line, so any level is safe to share. Off by default.
#[napi_derive::module_init]
fn init_logging() {
    let Ok(value) = std::env::var("LPCHAT_LOG") else {
        return;
    };
    let level = match value.trim().to_ascii_lowercase().as_str() {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "info" => tracing::Level::INFO,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => return,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Options of `decode`.
#[napi(object)]
#[derive(Default)]
pub struct DecodeOptions {
    /// `"json"` or `"xml"`; detected from the first character when absent.
    #[napi(ts_type = "'json' | 'xml'")]
    pub format: Option<String>,
    /// Show bearer, csrf, passwords and other secrets instead of `***`.
    pub show_secrets: Option<bool>,
}

/// Decodes one response (or request) body of `resource` into its model, returned as JSON
/// text: `index.js`'s `decode` parses it with `JSON.parse`, which builds the objects about
/// five times faster than napi's property-by-property conversion of a value. Fails with
/// `LPCHAT_CONFIG` for an unknown resource or format, `LPCHAT_DECODE` for a body that does
/// not decode (the error names the path, never a value).
#[napi(ts_args_type = "resource: ResourceName, body: string | Buffer, options?: DecodeOptions")]
pub fn decode_json(
    resource: String,
    body: Either<String, Buffer>,
    options: Option<DecodeOptions>,
) -> napi::Result<String> {
    let options = options.unwrap_or_default();
    let entry = resources::find(&resource).ok_or_else(|| {
        BindingError::config(format!("unknown resource {resource:?} (see resources())"))
    })?;
    let bytes: &[u8] = match &body {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    };
    let format = match options.format.as_deref() {
        Some("json") => Format::Json,
        Some("xml") => Format::Xml,
        Some(other) => {
            return Err(BindingError::config(format!(
                "format must be \"json\" or \"xml\", not {other:?}"
            ))
            .into())
        }
        None => Format::sniff(bytes).ok_or_else(|| {
            BindingError::config("cannot tell the body's format; pass {format: 'json' | 'xml'}")
        })?,
    };
    let value = entry
        .decode_to_json(format, bytes, &Limits::default())
        .map_err(|e| error::decode_error(&e))?;
    let mut out = Vec::with_capacity(bytes.len());
    convert::write_view(&value, options.show_secrets.unwrap_or(false), &mut out);
    // The writer emits only serde_json's UTF-8 output and ASCII punctuation.
    String::from_utf8(out).map_err(|_| BindingError::config("decoded model is not UTF-8").into())
}

/// A decodable resource: its name and the endpoints that answer with it.
#[napi(object)]
pub struct ResourceInfo {
    /// The name `decode` takes.
    pub name: String,
    /// Which endpoints answer with it (`A15, V11`).
    pub endpoints: String,
}

/// Every resource `decode` knows.
#[napi]
pub fn resources() -> Vec<ResourceInfo> {
    resources::all()
        .iter()
        .map(|e| ResourceInfo {
            name: e.name.to_owned(),
            endpoints: e.endpoints.to_owned(),
        })
        .collect()
}

/// Every error code the binding produces (errors.md), for tests.
#[napi(ts_return_type = "ErrorCode[]")]
pub fn error_codes() -> Value {
    error::all_codes()
}
