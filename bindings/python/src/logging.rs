//! The Rust client's `tracing` output, forwarded to Python's `logging` under the `lpchat`
//! logger (`lpchat.<module>` by target).
//!
//! The driver never takes the GIL for a log line: the layer formats the event and pushes it
//! onto a bounded queue (dropping it when the queue is full, counted), and one thread,
//! `lpchat-log`, takes records off without the GIL and takes the GIL only to hand each to
//! `logging`. Events below the level Python's `lpchat` logger lets through are not even
//! formatted: the level is mirrored in an atomic (`lpchat.refresh_log_level()` updates it
//! after the logging configuration changed; it is also re-read after each record).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::OnceLock;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// Python logging levels (DEBUG 10 … ERROR 40); 0 lets everything through, 255 nothing.
static MIN_LEVEL: AtomicU8 = AtomicU8::new(30);
/// Records dropped because the queue was full.
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// How many records may wait for the log thread.
const QUEUE: usize = 4096;

static SENDER: OnceLock<mpsc::SyncSender<Record>> = OnceLock::new();

struct Record {
    level: u8,
    target: String,
    message: String,
}

fn python_level(level: &Level) -> u8 {
    match *level {
        Level::TRACE => 5,
        Level::DEBUG => 10,
        Level::INFO => 20,
        Level::WARN => 30,
        Level::ERROR => 40,
    }
}

struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.insert_str(0, value);
        } else {
            let _ = write!(self.0, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let text = format!("{value:?}");
            self.0.insert_str(0, &text);
        } else {
            let _ = write!(self.0, " {}={:?}", field.name(), value);
        }
    }
}

/// Span fields as formatted when the span opened (`agent_session{n=3}`).
struct SpanFields(String);

struct ToPython;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for ToPython {
    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        python_level(metadata.level()) >= MIN_LEVEL.load(Ordering::Relaxed) || metadata.is_span()
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = String::new();
        attrs.record(&mut Message(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let level = python_level(event.metadata().level());
        if level < MIN_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let mut message = String::new();
        event.record(&mut Message(&mut message));
        if let Some(scope) = ctx.event_scope(event) {
            let mut prefix = String::new();
            for span in scope.from_root() {
                let ext = span.extensions();
                let fields = ext.get::<SpanFields>().map(|f| f.0.trim()).unwrap_or("");
                let _ = write!(prefix, "{}{{{}}}: ", span.name(), fields);
            }
            message.insert_str(0, &prefix);
        }
        let record = Record {
            level,
            target: event.metadata().target().replace("::", "."),
            message,
        };
        if let Some(tx) = SENDER.get() {
            if tx.try_send(record).is_err() {
                DROPPED.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The logger name of a record: `lpchat` for the client's own targets, `lpchat.<target>`
/// for the others (the emulator, reqwest).
fn logger_name(target: &str) -> String {
    if target == "lpchat" || target.starts_with("lpchat.") {
        target.to_owned()
    } else {
        format!("lpchat.{target}")
    }
}

fn emit(py: Python<'_>, r: &Record) -> PyResult<()> {
    let logging = py.import("logging")?;
    let logger = logging.call_method1("getLogger", (logger_name(&r.target),))?;
    logger.call_method1("log", (r.level, "%s", &r.message))?;
    Ok(())
}

/// Reads the `lpchat` logger's effective level into the filter.
pub(crate) fn refresh(py: Python<'_>) -> PyResult<()> {
    let level: u8 = py
        .import("logging")?
        .call_method1("getLogger", ("lpchat",))?
        .call_method0("getEffectiveLevel")?
        .extract::<i64>()?
        .clamp(0, 255) as u8;
    MIN_LEVEL.store(level, Ordering::Relaxed);
    // Callsites cache whether they are enabled: make them ask again.
    tracing::callsite::rebuild_interest_cache();
    Ok(())
}

/// Installs the layer as the process's tracing subscriber (once; if another subscriber is
/// already installed, e.g. by another extension, it is kept) and starts the log thread.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    if SENDER.get().is_some() {
        return refresh(py);
    }
    let (tx, rx) = mpsc::sync_channel::<Record>(QUEUE);
    if SENDER.set(tx).is_err() {
        return refresh(py);
    }
    std::thread::Builder::new()
        .name("lpchat-log".into())
        .spawn(move || {
            while let Ok(record) = rx.recv() {
                Python::attach(|py| {
                    if let Err(e) = emit(py, &record) {
                        e.write_unraisable(py, None);
                    }
                    let _ = refresh_level_only(py);
                });
            }
        })
        .map_err(|e| crate::error::config(format!("cannot start the log thread: {e}")))?;
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(ToPython));
    refresh(py)
}

fn refresh_level_only(py: Python<'_>) -> PyResult<()> {
    let level: i64 = py
        .import("logging")?
        .call_method1("getLogger", ("lpchat",))?
        .call_method0("getEffectiveLevel")?
        .extract()?;
    MIN_LEVEL.store(level.clamp(0, 255) as u8, Ordering::Relaxed);
    Ok(())
}

/// Records dropped so far because Python did not keep up.
pub(crate) fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}
