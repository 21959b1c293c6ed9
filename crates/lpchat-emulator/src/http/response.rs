//! Response builders: wire bodies in the negotiated format, error envelopes, empty bodies.

use crate::clock::login_time;
use crate::engine::ApiError;
use crate::quirks::{resource, Quirks};
use crate::wire::{json, xml, Elem, Format, Scalar};
use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A body from text with a content type.
pub fn text(code: u16, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status(code);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A wire resource in `format`, written with the quirks of `res`.
pub fn wire(code: u16, format: Format, res: &str, quirks: &Quirks, elem: &Elem) -> Response {
    let body = match format {
        Format::Json => json::write(elem, &quirks.json_style(res)),
        Format::Xml => xml::write(elem),
    };
    text(code, format.content_type(), body)
}

/// The error envelope `{"error":{"time","message","internalCode","responseStatus"}}`
/// (spec §7.3, §10) in `format`.
pub fn error(format: Format, err: &ApiError, now_ms: i64, tz: i32) -> Response {
    if let Some(plain) = &err.plain {
        return text(err.status, "text/plain", plain.clone());
    }
    let reason = status(err.status)
        .canonical_reason()
        .unwrap_or("ERROR")
        .to_ascii_uppercase()
        .replace(' ', "_");
    let e = Elem::new("error")
        .field("time", login_time(now_ms, tz))
        .field("message", err.message.as_str())
        .field("internalCode", Scalar::Num(err.code))
        .field("responseStatus", reason);
    wire(err.status, format, resource::SCALAR, &Quirks::default(), &e)
}

/// An empty body.
pub fn empty(code: u16) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status(code);
    r
}

/// JSON whose keys keep their writing order (Login Service, Domain API, A31).
pub fn ordered_json(code: u16, value: &json::Ordered) -> Response {
    text(code, "application/json", json::write_ordered(value))
}

/// Adds a header, skipping values that are not valid header text.
pub fn with_header(mut r: Response, name: header::HeaderName, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(name, v);
    }
    r
}
