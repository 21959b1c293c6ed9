//! Session events as Python classes, the event stream (`for` and `async for`), and
//! per-type handlers.
//!
//! Handlers: the Rust client calls its handlers on the session's driver task. The closures
//! registered here only push the event into a channel (no GIL, no Python, never blocking);
//! a dispatcher thread per session takes them off and calls the Python function with the
//! GIL, or hands it to the asyncio loop it was registered on.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use lpchat::proto::machine::EndReason;
use lpchat::{ChatId, Event, MachineEvent};
use pyo3::exceptions::{PyStopAsyncIteration, PyTimeoutError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;
use pyo3::{PyTraverseError, PyVisit};

use crate::convert::{chat_event, model};
use crate::error::{command_reason, command_status, lost_reason, lost_status};

crate::convert_record! {
    /// Logged in (first, or again after a 401).
    LoggedIn {}
}
crate::convert_record! {
    /// A refresh kept the login alive.
    SessionRenewed {}
}
crate::convert_record! {
    /// The login cannot be kept or regained; the session is finished.
    SessionLost {
        /// `bad_credentials`, `unauthorized`, `unreachable`, `refused` or `outcome_unknown`.
        reason: String,
        /// The HTTP status behind it, if any.
        status: Option<u16>,
    }
}
crate::convert_record! {
    /// The agent session started.
    AgentSessionStarted {
        /// The agent session id, when known.
        session: Option<String>,
    }
}
crate::convert_record! {
    /// The logged-in agent's information, read once after the start.
    AgentInfoRead {
        /// The information (a `Model`).
        info: Py<PyAny>,
    }
}
crate::convert_record! {
    /// The server confirmed an availability the session set.
    AvailabilityChanged {
        /// `Online`, `Away`, `Occupied`, `Offline` (or a state this version does not know).
        state: String,
    }
}
crate::convert_record! {
    /// The server shows an availability the user did not ask for (typically `Away`).
    AvailabilityForced {
        /// What the user asked for.
        wanted: String,
        /// What the server shows.
        seen: String,
    }
}
crate::convert_record! {
    /// New chats ring for the agent.
    ChatOffered {
        /// How many ring.
        ringing_count: u64,
    }
}
crate::convert_record! {
    /// The ringing stopped without this session accepting.
    OfferWithdrawn {}
}
crate::convert_record! {
    /// A chat was accepted and is now polled.
    ChatAccepted {
        /// The chat id.
        chat: String,
    }
}
crate::convert_record! {
    /// An accept failed.
    AcceptFailed {
        /// The command failure's reason (as `CommandError.reason`).
        reason: String,
        /// The status of a rejection.
        status: Option<u16>,
    }
}
crate::convert_record! {
    /// A new event of a chat, delivered once, in id order per chat.
    ChatEvent {
        /// The chat id.
        chat: String,
        /// The event: `Line`, `StateChange`, `UrlPushed`, `A2aTransfer` or `UnknownEvent`.
        event: Py<PyAny>,
    }
}
crate::convert_record! {
    /// A chat's information changed.
    InfoUpdated {
        /// The chat id.
        chat: String,
        /// The information (a `Model`).
        info: Py<PyAny>,
    }
}
crate::convert_record! {
    /// A chat is over for this session, after all its events.
    ChatEnded {
        /// The chat id.
        chat: String,
        /// `ended`, `transferred`, `left`, `gone`, `unfollowed` or `server_error`.
        reason: String,
        /// The server's error text, for `server_error`.
        detail: Option<String>,
    }
}
crate::convert_record! {
    /// A queued line (or end) is in the chat, exactly once.
    LineDelivered {
        /// The item's number in the session.
        line: u64,
        /// The chat id.
        chat: String,
        /// Its event id, when known.
        event: Option<u64>,
    }
}
crate::convert_record! {
    /// A queued line (or end) was not delivered, or its fate stayed unknown.
    LineFailed {
        /// The item's number in the session.
        line: u64,
        /// The chat id.
        chat: String,
        /// The command failure's reason (as `CommandError.reason`).
        reason: String,
        /// The status of a rejection.
        status: Option<u16>,
    }
}
crate::convert_record! {
    /// A queued transfer was done.
    TransferDone {
        /// The item's number in the session.
        id: u64,
        /// The chat id.
        chat: String,
    }
}
crate::convert_record! {
    /// A queued transfer failed, or its fate stayed unknown.
    TransferFailed {
        /// The item's number in the session.
        id: u64,
        /// The chat id.
        chat: String,
        /// The command failure's reason.
        reason: String,
        /// The status of a rejection.
        status: Option<u16>,
    }
}
crate::convert_record! {
    /// Visitor: the chat was requested and exists.
    ChatStarted {
        /// The chat id.
        chat: String,
    }
}
crate::convert_record! {
    /// A request failed and was given up without ending the session; polling goes on.
    SessionError {
        /// The endpoint (`A13`, `L2` …).
        endpoint: String,
        /// The HTTP status, when the server answered.
        status: Option<u16>,
        /// What went wrong (no secret, no body).
        message: String,
    }
}
crate::convert_record! {
    /// The session or chat finished: nothing more will be sent.
    Closed {}
}

fn end_reason(r: &EndReason) -> (&'static str, Option<String>) {
    match r {
        EndReason::Ended => ("ended", None),
        EndReason::ServerError(m) => ("server_error", Some(m.clone())),
        EndReason::Transferred => ("transferred", None),
        EndReason::Left => ("left", None),
        EndReason::Gone => ("gone", None),
        EndReason::Unfollowed => ("unfollowed", None),
        _ => ("other", None),
    }
}

/// A session event as its Python class.
pub(crate) fn session_event(py: Python<'_>, e: &MachineEvent) -> PyResult<Py<PyAny>> {
    match e {
        MachineEvent::LoggedIn => LoggedIn {}.into_py_any(py),
        MachineEvent::SessionRenewed => SessionRenewed {}.into_py_any(py),
        MachineEvent::SessionLost(r) => SessionLost {
            reason: lost_reason(r).into(),
            status: lost_status(r),
        }
        .into_py_any(py),
        MachineEvent::AgentSessionStarted { session } => AgentSessionStarted {
            session: session.as_ref().map(|s| s.as_str().to_owned()),
        }
        .into_py_any(py),
        MachineEvent::AgentInfo(info) => AgentInfoRead {
            info: model(py, "AgentInfo", &**info)?,
        }
        .into_py_any(py),
        MachineEvent::AvailabilityChanged(s) => AvailabilityChanged {
            state: s.as_str().to_owned(),
        }
        .into_py_any(py),
        MachineEvent::AvailabilityForced { wanted, seen } => AvailabilityForced {
            wanted: wanted.as_str().to_owned(),
            seen: seen.as_str().to_owned(),
        }
        .into_py_any(py),
        MachineEvent::ChatOffered { ringing_count } => ChatOffered {
            ringing_count: *ringing_count,
        }
        .into_py_any(py),
        MachineEvent::OfferWithdrawn => OfferWithdrawn {}.into_py_any(py),
        MachineEvent::ChatAccepted(c) => ChatAccepted {
            chat: c.as_str().to_owned(),
        }
        .into_py_any(py),
        MachineEvent::AcceptFailed(f) => AcceptFailed {
            reason: command_reason(f).into(),
            status: command_status(f),
        }
        .into_py_any(py),
        MachineEvent::ChatEvent { chat, event } => ChatEvent {
            chat: chat.as_str().to_owned(),
            event: chat_event(py, event)?,
        }
        .into_py_any(py),
        MachineEvent::InfoUpdated { chat, info } => InfoUpdated {
            chat: chat.as_str().to_owned(),
            info: model(py, "ChatInfo", &**info)?,
        }
        .into_py_any(py),
        MachineEvent::ChatEnded { chat, reason } => {
            let (reason, detail) = end_reason(reason);
            ChatEnded {
                chat: chat.as_str().to_owned(),
                reason: reason.into(),
                detail,
            }
            .into_py_any(py)
        }
        MachineEvent::LineDelivered {
            id: line,
            chat,
            event,
        } => LineDelivered {
            line: line.0,
            chat: chat.as_str().to_owned(),
            event: event.map(|e| e.0),
        }
        .into_py_any(py),
        MachineEvent::LineFailed {
            id: line,
            chat,
            reason,
        } => LineFailed {
            line: line.0,
            chat: chat.as_str().to_owned(),
            reason: command_reason(reason).into(),
            status: command_status(reason),
        }
        .into_py_any(py),
        MachineEvent::TransferDone { id, chat } => TransferDone {
            id: id.0,
            chat: chat.as_str().to_owned(),
        }
        .into_py_any(py),
        MachineEvent::TransferFailed { id, chat, reason } => TransferFailed {
            id: id.0,
            chat: chat.as_str().to_owned(),
            reason: command_reason(reason).into(),
            status: command_status(reason),
        }
        .into_py_any(py),
        MachineEvent::ChatStarted(c) => ChatStarted {
            chat: c.as_str().to_owned(),
        }
        .into_py_any(py),
        MachineEvent::Error(m) => SessionError {
            endpoint: m.endpoint.to_owned(),
            status: m.status.map(|s| s.as_u16()),
            message: m.message.clone(),
        }
        .into_py_any(py),
        MachineEvent::Closed => Closed {}.into_py_any(py),
        _ => SessionError {
            endpoint: String::new(),
            status: None,
            message: "an event this version of the binding does not know".into(),
        }
        .into_py_any(py),
    }
}

// ---- the stream ------------------------------------------------------------------------------

type Shared = Arc<tokio::sync::Mutex<lpchat::Events>>;

/// Events a wait took from the session but could not hand out (Ctrl-C came, the awaitable
/// was cancelled): the next call hands them out first, so an interrupted loop loses none.
type Stash = Arc<std::sync::Mutex<VecDeque<MachineEvent>>>;

/// A session's events, in order: `for event in stream` (blocking, Ctrl-C works) or
/// `async for event in stream`. Ends when the session has finished.
#[pyclass(frozen, module = "lpchat")]
pub struct EventStream {
    inner: Shared,
    stash: Stash,
}

impl EventStream {
    pub(crate) fn new(events: lpchat::Events) -> Self {
        EventStream {
            inner: Arc::new(tokio::sync::Mutex::new(events)),
            stash: Arc::default(),
        }
    }
}

/// The oldest event a wait left behind.
fn stashed(stash: &Stash) -> Option<MachineEvent> {
    stash.lock().ok()?.pop_front()
}

/// Waits for the next event and puts it in `stash` before the task can end, so that an
/// abort (Ctrl-C) after the event was taken leaves it there; `Ok(false)` once the session
/// has finished, `Err(())` on timeout.
async fn next_of(inner: Shared, stash: Stash, timeout: Option<Duration>) -> Result<bool, ()> {
    let mut events = inner.lock().await;
    let got = match timeout {
        Some(t) => tokio::time::timeout(t, events.next())
            .await
            .map_err(|_| ())?,
        None => events.next().await,
    };
    match got {
        Some(event) => {
            if let Ok(mut s) = stash.lock() {
                s.push_back(event);
            }
            Ok(true)
        }
        None => Ok(false),
    }
}

/// An event already waiting in the channel, taken without going through the runtime (no
/// task, no thread hand-off): the common case of a bot that keeps up. `None` when none is
/// waiting or another reader holds the stream.
fn ready(inner: &Shared) -> Option<Option<MachineEvent>> {
    let mut events = inner.try_lock().ok()?;
    let fut = std::pin::pin!(events.next());
    // The channel's receive needs no runtime; polled once with a waker that does nothing,
    // it gives what is queued, or Pending (the wait then goes through the runtime).
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.poll(&mut cx) {
        std::task::Poll::Ready(e) => Some(e),
        std::task::Poll::Pending => None,
    }
}

#[pymethods]
impl EventStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        crate::runtime::check_not_forked()?;
        if let Some(e) = stashed(&self.stash) {
            return session_event(py, &e).map(Some);
        }
        if let Some(ready) = ready(&self.inner) {
            return ready.map(|e| session_event(py, &e)).transpose();
        }
        let waited = next_of(self.inner.clone(), self.stash.clone(), None);
        match crate::runtime::wait(py, waited)? {
            Ok(true) => stashed(&self.stash)
                .map(|e| session_event(py, &e))
                .transpose(),
            _ => Ok(None),
        }
    }

    /// The next event, waiting at most `timeout` seconds (`TimeoutError` then); `None`
    /// once the session has finished.
    #[pyo3(signature = (timeout = None))]
    fn next(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Py<PyAny>>> {
        let t = timeout.map(crate::client::duration).transpose()?;
        crate::runtime::check_not_forked()?;
        if let Some(e) = stashed(&self.stash) {
            return session_event(py, &e).map(Some);
        }
        if let Some(ready) = ready(&self.inner) {
            return ready.map(|e| session_event(py, &e)).transpose();
        }
        let waited = next_of(self.inner.clone(), self.stash.clone(), t);
        match crate::runtime::wait(py, waited)? {
            Ok(true) => stashed(&self.stash)
                .map(|e| session_event(py, &e))
                .transpose(),
            Ok(false) => Ok(None),
            Err(()) => Err(PyTimeoutError::new_err("no event in time")),
        }
    }

    /// Awaitable form of [`EventStream::next`].
    #[pyo3(signature = (timeout = None))]
    fn anext<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let t = timeout.map(crate::client::duration).transpose()?;
        let (inner, stash) = (self.inner.clone(), self.stash.clone());
        crate::runtime::runtime()?;
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let out = match stashed(&stash) {
                Some(e) => Ok(Some(e)),
                None => next_of(inner, stash.clone(), t)
                    .await
                    .map(|got| got.then(|| stashed(&stash)).flatten()),
            };
            Python::attach(|py| match out {
                Ok(Some(e)) => session_event(py, &e),
                Ok(None) => Ok(py.None()),
                Err(()) => Err(PyTimeoutError::new_err("no event in time")),
            })
        })
    }

    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (inner, stash) = (self.inner.clone(), self.stash.clone());
        crate::runtime::runtime()?;
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let out = match stashed(&stash) {
                Some(e) => Some(e),
                None => match next_of(inner, stash.clone(), None).await {
                    Ok(true) => stashed(&stash),
                    _ => None,
                },
            };
            Python::attach(|py| match out {
                Some(e) => session_event(py, &e),
                None => Err(PyStopAsyncIteration::new_err(())),
            })
        })
    }

    fn __repr__(&self) -> &'static str {
        "EventStream()"
    }
}

// ---- handlers --------------------------------------------------------------------------------

/// What a Rust handler hands to the dispatcher.
pub(crate) enum Payload {
    Event(Box<MachineEvent>),
    ChatEvent(ChatId, Box<Event>),
    Count(u64),
    Chat(ChatId),
}

struct Target {
    func: Py<PyAny>,
    /// The asyncio loop to run `func` on (async sessions), or `None`: the dispatcher thread.
    event_loop: Option<Py<PyAny>>,
}

type Job = (usize, Payload);

/// The handlers of one session and the dispatcher thread that calls them.
#[derive(Default)]
pub(crate) struct Dispatcher {
    state: Mutex<DispatchState>,
}

#[derive(Default)]
struct DispatchState {
    tx: Option<mpsc::Sender<Job>>,
    targets: Arc<Mutex<Vec<Target>>>,
}

impl Dispatcher {
    /// Registers `func` (on `event_loop` if given); returns the sender of its jobs and its
    /// index.
    pub(crate) fn add(
        &self,
        func: Py<PyAny>,
        event_loop: Option<Py<PyAny>>,
    ) -> PyResult<(mpsc::Sender<Job>, usize)> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| crate::error::config("handler registry poisoned"))?;
        let index = {
            let mut targets = state
                .targets
                .lock()
                .map_err(|_| crate::error::config("handler registry poisoned"))?;
            targets.push(Target { func, event_loop });
            targets.len() - 1
        };
        let tx = match &state.tx {
            Some(tx) => tx.clone(),
            None => {
                let (tx, rx) = mpsc::channel::<Job>();
                let targets = state.targets.clone();
                std::thread::Builder::new()
                    .name("lpchat-handlers".into())
                    .spawn(move || dispatch(rx, targets))
                    .map_err(|e| {
                        crate::error::config(format!("cannot start the handler thread: {e}"))
                    })?;
                state.tx = Some(tx.clone());
                tx
            }
        };
        Ok((tx, index))
    }

    /// Shows the garbage collector the handlers and loops held here (`__traverse__` of the
    /// session that owns this dispatcher), so that a handler closing over its own session
    /// is collected once unreachable. A registry busy elsewhere is skipped, not waited for.
    pub(crate) fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        let Ok(state) = self.state.try_lock() else {
            return Ok(());
        };
        let Ok(targets) = state.targets.try_lock() else {
            return Ok(());
        };
        for t in targets.iter() {
            visit.call(&t.func)?;
            visit.call(t.event_loop.as_ref())?;
        }
        Ok(())
    }

    /// Drops the handlers (`__clear__`): a job already queued for one finds it gone and is
    /// skipped.
    pub(crate) fn clear(&self) {
        let taken = self.state.lock().ok().and_then(|state| {
            state
                .targets
                .lock()
                .ok()
                .map(|mut t| std::mem::take(&mut *t))
        });
        // Dropped after the locks are released: a handler's drop may run Python code.
        drop(taken);
    }
}

/// The dispatcher thread: waits for jobs without the GIL, calls each handler with it. Ends
/// when every sender is gone (the session's handlers were dropped with the session).
fn dispatch(rx: mpsc::Receiver<Job>, targets: Arc<Mutex<Vec<Target>>>) {
    while let Ok((index, payload)) = rx.recv() {
        Python::attach(|py| {
            let call = || -> PyResult<()> {
                let args: Bound<'_, PyTuple> = match &payload {
                    Payload::Event(e) => PyTuple::new(py, [session_event(py, e)?])?,
                    Payload::ChatEvent(chat, e) => {
                        PyTuple::new(py, [chat.as_str().into_py_any(py)?, chat_event(py, e)?])?
                    }
                    Payload::Count(n) => PyTuple::new(py, [n.into_py_any(py)?])?,
                    Payload::Chat(chat) => PyTuple::new(py, [chat.as_str().into_py_any(py)?])?,
                };
                let (func, event_loop) = {
                    let targets = targets
                        .lock()
                        .map_err(|_| crate::error::config("handler registry poisoned"))?;
                    // Cleared (`__clear__`) targets are gone: their jobs are skipped.
                    match targets.get(index) {
                        Some(t) => (
                            t.func.clone_ref(py),
                            t.event_loop.as_ref().map(|l| l.clone_ref(py)),
                        ),
                        None => return Ok(()),
                    }
                };
                match event_loop {
                    Some(l) => {
                        // Through lpchat._call_handler, which also schedules the coroutine
                        // of an `async def` handler.
                        let helper = py.import("lpchat")?.getattr("_call_handler")?;
                        let mut all = vec![helper, func.into_bound(py)];
                        all.extend(args.iter());
                        l.call_method1(py, "call_soon_threadsafe", PyTuple::new(py, all)?)?;
                    }
                    None => {
                        func.call1(py, args)?;
                    }
                }
                Ok(())
            };
            if let Err(e) = call() {
                // A handler's exception must not stop the others: it goes where Python
                // reports exceptions it cannot raise (sys.unraisablehook).
                e.write_unraisable(py, None);
            }
        });
    }
}

/// The asyncio loop running on this thread, if any.
pub(crate) fn running_loop(py: Python<'_>) -> Option<Py<PyAny>> {
    py.import("asyncio")
        .and_then(|m| m.call_method0("get_running_loop"))
        .ok()
        .map(Bound::unbind)
}
