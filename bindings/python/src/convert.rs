//! Rust models to Python objects.
//!
//! Chat events and session events are native frozen classes, one per variant, so that a
//! `match` statement tells them apart (`case Line(text=t)`). Every other result (agent info,
//! availability, surveys, chat information …) is a [`Model`]: a frozen object over the
//! model's serde form, whose attributes are the wire names in snake_case, converted when
//! read. Ids are `str`, event ids `int`, timestamps `datetime` (with the server's offset).

use std::sync::{Arc, Mutex};

use lpchat::proto::model::chat::EventKind;
use lpchat::proto::model::{Event, Timestamp};
use lpchat::Format;
use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

/// The name of a format, as Python sees it.
pub(crate) fn format_name(f: Format) -> &'static str {
    match f {
        Format::Xml => "xml",
        _ => "json",
    }
}

// ---- datetimes -----------------------------------------------------------------------------

static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIMEZONE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `timezone` objects by offset: a server writes every time in one or two offsets.
static ZONES: Mutex<Vec<(i16, Py<PyAny>)>> = Mutex::new(Vec::new());

fn datetime_attr(
    py: Python<'_>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<Py<PyAny>> {
    cell.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("datetime")?.getattr(name)?.unbind())
    })
    .map(|c| c.clone_ref(py))
}

fn zone(py: Python<'_>, offset_minutes: i16) -> PyResult<Py<PyAny>> {
    if let Ok(zones) = ZONES.lock() {
        if let Some((_, z)) = zones.iter().find(|(o, _)| *o == offset_minutes) {
            return Ok(z.clone_ref(py));
        }
    }
    let delta = datetime_attr(py, &TIMEDELTA, "timedelta")?;
    let tz = datetime_attr(py, &TIMEZONE, "timezone")?;
    let z = tz.call1(py, (delta.call1(py, (0, i64::from(offset_minutes) * 60))?,))?;
    if let Ok(mut zones) = ZONES.lock() {
        if zones.len() < 64 {
            zones.push((offset_minutes, z.clone_ref(py)));
        }
    }
    Ok(z)
}

/// (year, month, day) of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An aware `datetime` of epoch milliseconds at an offset from UTC, shown in that offset.
/// The limited API has no datetime constructors: one call of the `datetime` class with the
/// local date and time computed here, and a cached `timezone`.
pub(crate) fn datetime(
    py: Python<'_>,
    unix_millis: i64,
    offset_minutes: i16,
) -> PyResult<Py<PyAny>> {
    let local = unix_millis.saturating_add(i64::from(offset_minutes) * 60_000);
    let (days, ms) = (local.div_euclid(86_400_000), local.rem_euclid(86_400_000));
    let (y, mo, d) = civil_from_days(days);
    let secs = ms / 1000;
    let dt = datetime_attr(py, &DATETIME, "datetime")?;
    dt.call1(
        py,
        (
            y,
            mo,
            d,
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            (ms % 1000) * 1000,
            zone(py, offset_minutes)?,
        ),
    )
}

fn timestamp(py: Python<'_>, t: Option<Timestamp>) -> PyResult<Py<PyAny>> {
    match t {
        Some(t) => datetime(py, t.unix_millis(), t.offset_minutes()),
        None => Ok(py.None()),
    }
}

// ---- reprs -----------------------------------------------------------------------------

/// Longest field value shown in a `repr`: reprs stay short in logs and tracebacks.
const REPR_FIELD: usize = 60;

fn short(mut s: String) -> String {
    if s.chars().count() > REPR_FIELD {
        s = s.chars().take(REPR_FIELD - 3).collect::<String>() + "...";
    }
    s
}

pub(crate) fn repr_of(v: &Bound<'_, PyAny>) -> String {
    v.repr()
        .map(|r| short(r.to_string()))
        .unwrap_or_else(|_| "?".into())
}

// ---- event classes -----------------------------------------------------------------------

/// Declares a frozen class with getters, `__match_args__`, a short `__repr__` and `__eq__`.
#[macro_export]
macro_rules! convert_record {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[pyclass(frozen, module = "lpchat")]
        pub struct $name {
            $($(#[$fm])* #[pyo3(get)] pub(crate) $field: $ty,)*
        }

        #[pymethods]
        impl $name {
            /// Builds one (for a bot's own tests: events to feed its handlers).
            #[new]
            #[allow(clippy::too_many_arguments)]
            fn new($($field: $ty),*) -> Self {
                $name { $($field),* }
            }

            #[classattr]
            fn __match_args__(py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::types::PyTuple>> {
                let names: &[&str] = &[$(stringify!($field)),*];
                Ok(pyo3::types::PyTuple::new(py, names)?.unbind())
            }

            #[allow(unused_variables)]
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                #[allow(unused_mut)]
                let mut parts: Vec<String> = Vec::new();
                $(parts.push(format!(
                    "{}={}",
                    stringify!($field),
                    $crate::convert::repr_of(&pyo3::IntoPyObjectExt::into_bound_py_any(&self.$field, py)?)
                ));)*
                Ok(format!("{}({})", stringify!($name), parts.join(", ")))
            }

            #[allow(unused_variables)]
            fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
                let Ok(other) = other.cast::<$name>() else { return Ok(false) };
                #[allow(unused_variables)]
                let other = other.get();
                $(if !pyo3::IntoPyObjectExt::into_bound_py_any(&self.$field, py)?.eq(pyo3::IntoPyObjectExt::into_bound_py_any(&other.$field, py)?)? {
                    return Ok(false);
                })*
                Ok(true)
            }

            #[allow(unused_variables)]
            fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
                let values: Vec<pyo3::Bound<'_, pyo3::PyAny>> = vec![$(pyo3::IntoPyObjectExt::into_bound_py_any(&self.$field, py)?),*];
                pyo3::types::PyTuple::new(py, values)?.hash()
            }
        }
    };
}

crate::convert_record! {
    /// A line of a chat.
    Line {
        /// Event id (per chat, from 0).
        id: u64,
        /// When it was written (`datetime` with the server's offset), if known.
        time: Py<PyAny>,
        /// The text (empty for rich content).
        text: String,
        /// `plain`, `html` or `rich-content`.
        text_type: String,
        /// The writer's name.
        by: Option<String>,
        /// `visitor`, `agent` or `system`.
        source: Option<String>,
        /// The system message id of a system line.
        system_message_id: Option<i64>,
        /// `REGULAR`, or `ONLY_TO_REP` for a line only agents see.
        sub_type: Option<String>,
        /// The structured content of a rich-content line (plain Python values).
        json: Py<PyAny>,
    }
}

crate::convert_record! {
    /// The chat changed state (`waiting`, `chatting`, `ended`).
    StateChange {
        /// Event id.
        id: u64,
        /// When.
        time: Py<PyAny>,
        /// The new state.
        state: String,
    }
}

crate::convert_record! {
    /// A URL pushed to the visitor.
    UrlPushed {
        /// Event id.
        id: u64,
        /// When.
        time: Py<PyAny>,
        /// The address, if given.
        url: Option<String>,
    }
}

crate::convert_record! {
    /// An account-to-account transfer.
    A2aTransfer {
        /// Event id.
        id: u64,
        /// When.
        time: Py<PyAny>,
        /// The target account's domain.
        domain: Option<String>,
        /// The target account.
        remote_site_id: Option<String>,
        /// Parameters to pass to the new chat request (a `Model`), if any.
        chat_request_parameters: Py<PyAny>,
    }
}

crate::convert_record! {
    /// An event type this version does not know (kept, so that no event is dropped).
    UnknownEvent {
        /// Event id.
        id: u64,
        /// When.
        time: Py<PyAny>,
        /// The type as it came.
        event_type: String,
        /// Its text, if any.
        text: Option<String>,
    }
}

fn opt_str<T: std::fmt::Display>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|x| x.to_string())
}

/// A chat event as its Python class.
pub(crate) fn chat_event(py: Python<'_>, e: &Event) -> PyResult<Py<PyAny>> {
    let id = e.id.0;
    let time = timestamp(py, e.time)?;
    match &e.kind {
        EventKind::Line(l) => Line {
            id,
            time,
            text: l.text.clone(),
            text_type: l.text_type.as_str().to_owned(),
            by: l.by.clone(),
            source: opt_str(&l.source),
            system_message_id: l.system_message_id,
            sub_type: opt_str(&l.sub_type),
            json: match &l.json {
                Some(v) => plain(py, v)?,
                None => py.None(),
            },
        }
        .into_py_any(py),
        EventKind::State(s) => StateChange {
            id,
            time,
            state: s.to_string(),
        }
        .into_py_any(py),
        EventKind::Url(url) => UrlPushed {
            id,
            time,
            url: url.clone(),
        }
        .into_py_any(py),
        EventKind::A2aTransfer(t) => A2aTransfer {
            id,
            time,
            domain: t.domain.clone(),
            remote_site_id: t.remote_site_id.clone(),
            chat_request_parameters: match &t.chat_request_parameters {
                Some(p) => model(py, "ChatRequestParameters", p)?,
                None => py.None(),
            },
        }
        .into_py_any(py),
        EventKind::Unknown { event_type, text } => UnknownEvent {
            id,
            time,
            event_type: event_type.clone(),
            text: text.clone(),
        }
        .into_py_any(py),
        _ => UnknownEvent {
            id,
            time,
            event_type: e.event_type().to_string(),
            text: None,
        }
        .into_py_any(py),
    }
}

// ---- generic models ------------------------------------------------------------------------

/// Wire names whose capitals do not split well by rule (as `lpchat decode` prints them).
const OVERRIDES: &[(&str, &str)] = &[
    ("sessionTTl", "session_ttl"),
    ("baseURIs", "base_uris"),
    ("isLPA", "is_lpa"),
];

/// Wire names of members that hold credentials or session secrets: masked in reprs.
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

/// Wire names of times written as ISO-8601 strings or epoch milliseconds.
const TIME_KEYS: &[&str] = &["time", "startTime", "lastUpdate", "serverCurrentTime"];

/// `@chatState` -> `chat_state`, `LETagVisitorId` -> `le_tag_visitor_id`. The same rule as
/// `lpchat decode`'s output (crates/lpchat-cli/src/view.rs, which a library cannot depend
/// on: it is the binary's module).
pub(crate) fn snake_case(wire: &str) -> String {
    let name = wire.strip_prefix('@').unwrap_or(wire);
    if let Some((_, fixed)) = OVERRIDES.iter().find(|(w, _)| *w == name) {
        return (*fixed).to_owned();
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            let boundary = match prev {
                None => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                Some(_) => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// `agent-info` / `agentInfo` -> `AgentInfo`.
fn pascal(name: &str) -> String {
    snake_case(name)
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A decoded result: a frozen view of a model. Attributes are the model's fields in
/// snake_case (`info.chat_state`); lists are tuples; nested objects are `Model`s; chat
/// events are their event classes; times are `datetime`s.
#[pyclass(frozen, module = "lpchat")]
pub struct Model {
    kind: String,
    value: Arc<Value>,
    /// Members already converted (a chat's events), by wire name, kept out of `value`.
    extra: Vec<(&'static str, Py<PyAny>)>,
}

impl Model {
    /// The wire-shaped value (the model's serde form).
    pub(crate) fn value(&self) -> &Value {
        &self.value
    }

    fn extra_field(&self, py: Python<'_>, name: &str) -> Option<Py<PyAny>> {
        self.extra
            .iter()
            .find(|(k, _)| snake_case(k) == name)
            .map(|(_, v)| v.clone_ref(py))
    }

    fn field(&self, name: &str) -> Option<(&str, &Value)> {
        self.value
            .as_object()?
            .iter()
            .find(|(k, _)| snake_case(k) == name)
            .map(|(k, v)| (k.as_str(), v))
    }
}

#[pymethods]
impl Model {
    /// The model's name (`AgentInfo`, `Availability` …).
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    /// The field names.
    fn fields(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .value
            .as_object()
            .map(|m| m.keys().map(|k| snake_case(k)).collect())
            .unwrap_or_default();
        names.extend(self.extra.iter().map(|(k, _)| snake_case(k)));
        names
    }

    fn __dir__(&self) -> Vec<String> {
        let mut names = self.fields();
        names.extend(["kind", "fields", "to_dict"].map(String::from));
        names
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        if let Some(v) = self.extra_field(py, name) {
            return Ok(v);
        }
        match self.field(name) {
            Some((key, v)) => to_py(py, key, v),
            None => Err(PyAttributeError::new_err(format!(
                "{} has no field {name:?}",
                self.kind
            ))),
        }
    }

    /// The field's value, or `default` when the model has no such field.
    #[pyo3(signature = (name, default = None))]
    fn get(&self, py: Python<'_>, name: &str, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        if let Some(v) = self.extra_field(py, name) {
            return Ok(v);
        }
        match self.field(name) {
            Some((key, v)) => to_py(py, key, v),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    /// The model as plain Python values (dicts, lists, str, int, float, bool, None), keys
    /// in snake_case. Secrets are kept: this is the caller's data.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let out = plain_view(py, &self.value)?;
        if let Ok(dict) = out.bind(py).cast::<PyDict>() {
            for (k, v) in &self.extra {
                dict.set_item(snake_case(k), plain_object(v.bind(py))?)?;
            }
        }
        Ok(out)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(o) = other.cast::<Model>() else {
            return Ok(false);
        };
        let o = o.get();
        if o.kind != self.kind || o.value != self.value || o.extra.len() != self.extra.len() {
            return Ok(false);
        }
        let py = other.py();
        for ((ka, va), (kb, vb)) in self.extra.iter().zip(&o.extra) {
            if ka != kb || !va.bind(py).eq(vb.bind(py))? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn __repr__(&self) -> String {
        let mut parts = Vec::new();
        if let Some(map) = self.value.as_object() {
            for (k, v) in map.iter().take(6) {
                let shown = if SECRET_KEYS.contains(&k.trim_start_matches('@')) && !v.is_null() {
                    "'***'".to_owned()
                } else {
                    short(brief(v))
                };
                parts.push(format!("{}={}", snake_case(k), shown));
            }
            if map.len() > 6 {
                parts.push("...".into());
            }
        }
        for (k, _) in self.extra.iter().take(2) {
            parts.push(format!("{}=...", snake_case(k)));
        }
        format!("{}({})", self.kind, parts.join(", "))
    }
}

/// A compact form of a value for reprs (no nesting beyond a count).
fn brief(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!("[{} items]", a.len()),
        Value::Object(_) => "{...}".into(),
        other => other.to_string(),
    }
}

/// A `Model` of `value`'s serde form, named `kind`.
pub(crate) fn model<T: serde::Serialize>(
    py: Python<'_>,
    kind: &str,
    value: &T,
) -> PyResult<Py<PyAny>> {
    let value = serde_json::to_value(value).map_err(|e| crate::error::config(e.to_string()))?;
    // A scalar resource (free slots, a name, availability) is its plain value.
    if !value.is_object() {
        return plain(py, &value);
    }
    Model {
        kind: kind.to_owned(),
        value: Arc::new(value),
        extra: Vec::new(),
    }
    .into_py_any(py)
}

/// A `Model` of a wire-shaped value, named after `name`.
pub(crate) fn model_of_value(py: Python<'_>, name: &str, value: Value) -> PyResult<Py<PyAny>> {
    if !value.is_object() {
        return plain(py, &value);
    }
    Model {
        kind: pascal(name),
        value: Arc::new(value),
        extra: Vec::new(),
    }
    .into_py_any(py)
}

fn time_value(py: Python<'_>, v: &Value) -> Option<PyResult<Py<PyAny>>> {
    match v {
        Value::String(s) => Timestamp::parse(s)
            .ok()
            .map(|t| datetime(py, t.unix_millis(), t.offset_minutes())),
        Value::Number(n) => n.as_i64().map(|ms| datetime(py, ms, 0)),
        _ => None,
    }
}

/// The Python value of the member `key` of a model.
fn to_py(py: Python<'_>, key: &str, v: &Value) -> PyResult<Py<PyAny>> {
    let bare = key.trim_start_matches('@');
    if TIME_KEYS.contains(&bare) {
        if let Some(t) = time_value(py, v) {
            return t;
        }
    }
    match v {
        Value::Array(items) if bare == "event" => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(event_or_model(py, item)?);
            }
            Ok(PyTuple::new(py, out)?.into_any().unbind())
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(to_py(py, key, item)?);
            }
            Ok(PyTuple::new(py, out)?.into_any().unbind())
        }
        Value::Object(_) if bare == "event" => event_or_model(py, v),
        Value::Object(_) => model_of_value(py, bare, v.clone()),
        other => plain(py, other),
    }
}

fn event_or_model(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    match serde_json::from_value::<Event>(v.clone()) {
        Ok(e) => chat_event(py, &e),
        Err(_) => model_of_value(py, "event", v.clone()),
    }
}

/// Plain Python values of a JSON value (wire keys kept).
pub(crate) fn plain(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_py_any(py)?,
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_py_any(py)?,
            (None, Some(u)) => u.into_py_any(py)?,
            _ => n.as_f64().unwrap_or(f64::NAN).into_py_any(py)?,
        },
        Value::String(s) => s.into_py_any(py)?,
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(plain(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, plain(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// Plain Python values with snake_case keys (`Model.to_dict`).
fn plain_view(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(plain_view(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(snake_case(k), plain_view(py, item)?)?;
            }
            dict.into_any().unbind()
        }
        other => plain(py, other)?,
    })
}

/// Python values to JSON (rich-content templates, emulator settings).
pub(crate) fn to_json(v: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = v.py();
    let text: String = py.import("json")?.call_method1("dumps", (v,))?.extract()?;
    serde_json::from_str(&text).map_err(|e| crate::error::config(format!("not JSON: {e}")))
}

/// Plain Python values of a converted object: a `Model`'s `to_dict()`, a tuple's items, an
/// event's fields (with its class name as `type`).
fn plain_object(v: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let py = v.py();
    if let Ok(m) = v.cast::<Model>() {
        return m.get().to_dict(py);
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        let list = PyList::empty(py);
        for item in t.iter() {
            list.append(plain_object(&item)?)?;
        }
        return Ok(list.into_any().unbind());
    }
    if let Ok(names) = v.getattr("__match_args__") {
        if let Ok(names) = names.cast::<PyTuple>() {
            let dict = PyDict::new(py);
            dict.set_item("type", v.get_type().name()?)?;
            for name in names.iter() {
                let name: String = name.extract()?;
                dict.set_item(&name, plain_object(&v.getattr(name.as_str())?)?)?;
            }
            return Ok(dict.into_any().unbind());
        }
    }
    Ok(v.clone().unbind())
}

fn json_of<T: serde::Serialize>(v: &T) -> PyResult<Value> {
    serde_json::to_value(v).map_err(|e| crate::error::config(e.to_string()))
}

/// A chat's events (A15, V11) with each event converted once, straight from the model.
pub(crate) fn events_model(
    py: Python<'_>,
    mut events: lpchat::proto::model::Events,
) -> PyResult<Py<PyAny>> {
    let list = std::mem::take(&mut events.events);
    let mut out = Vec::with_capacity(list.len());
    for e in &list {
        out.push(chat_event(py, e)?);
    }
    Model {
        kind: "Events".into(),
        value: Arc::new(json_of(&events)?),
        extra: vec![("event", PyTuple::new(py, out)?.into_any().unbind())],
    }
    .into_py_any(py)
}

/// A chat resource (A14, V10), its events converted straight from the model.
pub(crate) fn chat_model(
    py: Python<'_>,
    mut chat: lpchat::proto::model::Chat,
) -> PyResult<Py<PyAny>> {
    let events = chat.events.take();
    let mut extra = Vec::new();
    if let Some(e) = events {
        extra.push(("events", events_model(py, e)?));
    }
    Model {
        kind: "Chat".into(),
        value: Arc::new(json_of(&chat)?),
        extra,
    }
    .into_py_any(py)
}

/// A multi-chat body (A13).
pub(crate) fn chats_model(
    py: Python<'_>,
    chats: lpchat::proto::model::Chats,
) -> PyResult<Py<PyAny>> {
    let mut out = Vec::with_capacity(chats.chats.len());
    for chat in chats.chats {
        out.push(chat_model(py, chat)?);
    }
    Model {
        kind: "Chats".into(),
        value: Arc::new(Value::Object(serde_json::Map::new())),
        extra: vec![("chat", PyTuple::new(py, out)?.into_any().unbind())],
    }
    .into_py_any(py)
}
