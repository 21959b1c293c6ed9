//! Events out of a session: a [`Stream`] over the driver's channel, and per-event-type
//! handlers.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_core::Stream;
use lpchat_proto::machine::MachineEvent;
use lpchat_proto::model::{ChatId, Event};
use tokio::sync::{mpsc, Notify};

/// How many events a session's stream holds unread before the session pauses its polls
/// (see [`crate::ClientBuilder::event_buffer`]).
pub const DEFAULT_EVENT_BUFFER: usize = 1024;

/// The count of events queued for a stream and not read yet, shared by both ends, and the
/// signal that wakes a paused driver once the stream has room again.
#[derive(Debug)]
struct Backlog {
    queued: AtomicUsize,
    bound: usize,
    room: Notify,
    /// The stream was dropped: nothing is buffered, nothing paces the polls.
    dropped: AtomicBool,
    /// Until the stream is first read (or taken as [`Events`]): the latest `bound` events,
    /// oldest first. A session used with handlers only never reads it, and must neither
    /// pause nor grow; `None` once the reader has started.
    early: Mutex<Option<VecDeque<Box<MachineEvent>>>>,
}

/// The driver's view of its stream's backlog: whether to pause the polls, and when to look
/// again.
#[derive(Debug, Clone)]
pub(crate) struct Pacer(Arc<Backlog>);

impl Pacer {
    /// Whether the stream holds its bound of unread events (and is still wanted).
    pub(crate) fn is_full(&self) -> bool {
        !self.0.dropped.load(Ordering::Acquire)
            && self.0.queued.load(Ordering::Acquire) >= self.0.bound
    }

    /// Completes once the reader has taken an event since the stream was full (or dropped
    /// it).
    pub(crate) async fn room(&self) {
        self.0.room.notified().await;
    }

    /// The bound.
    pub(crate) fn bound(&self) -> usize {
        self.0.bound
    }
}

/// The driver's side of a session's event channel.
///
/// Events travel boxed: tokio's channels allocate their slots 32 at a time, from the first
/// one on, and a [`MachineEvent`] is 232 bytes, so a block of unboxed events cost every
/// session over 7 KiB, mostly never used.
///
/// Once the stream is read, the channel refuses nothing: an event the machine has produced
/// is never dropped. The bound is applied upstream: while the stream holds `bound` unread events or
/// more, the driver pauses the polls that bring new ones ([`Pacer::is_full`]), so a slow
/// consumer slows polling instead of growing memory without limit. What is already in
/// flight (one poll's answer at most, and the lines being settled) still comes in.
#[derive(Debug)]
pub(crate) struct EventSender {
    tx: mpsc::UnboundedSender<Box<MachineEvent>>,
    backlog: Arc<Backlog>,
}

impl EventSender {
    /// Queues `event` for the stream; a dropped stream takes nothing (handlers-only use).
    pub(crate) fn send(&self, event: MachineEvent) {
        if self.backlog.dropped.load(Ordering::Acquire) {
            return;
        }
        if let Ok(mut early) = self.backlog.early.lock() {
            if let Some(ring) = early.as_mut() {
                ring.push_back(Box::new(event));
                if ring.len() > self.backlog.bound {
                    ring.pop_front();
                }
                return;
            }
        }
        // Counted before it can be read, so the reader's decrement never goes below zero.
        self.backlog.queued.fetch_add(1, Ordering::AcqRel);
        if self.tx.send(Box::new(event)).is_err() {
            self.backlog.queued.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// What paces the driver's polls.
    pub(crate) fn pacer(&self) -> Pacer {
        Pacer(self.backlog.clone())
    }
}

/// The stream's side of the event channel, until [`Events`] takes it.
#[derive(Debug)]
pub(crate) struct EventReceiver {
    rx: mpsc::UnboundedReceiver<Box<MachineEvent>>,
    backlog: Arc<Backlog>,
    /// The events kept before the reader started, read first.
    early: VecDeque<Box<MachineEvent>>,
    started: bool,
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        self.backlog.dropped.store(true, Ordering::Release);
        self.backlog.room.notify_one();
    }
}

impl EventReceiver {
    /// Starts reading: the events kept so far come first, and from now on every event goes
    /// to the channel, whose backlog paces the polls.
    fn start(&mut self) {
        if self.started {
            return;
        }
        self.started = true;
        if let Ok(mut early) = self.backlog.early.lock() {
            self.early = early.take().unwrap_or_default();
        }
    }

    /// The next event already queued, without waiting.
    pub(crate) fn try_next(&mut self) -> Option<MachineEvent> {
        self.start();
        if let Some(event) = self.early.pop_front() {
            return Some(*event);
        }
        let event = self.rx.try_recv().ok();
        self.taken(event)
    }

    fn taken(&self, event: Option<Box<MachineEvent>>) -> Option<MachineEvent> {
        let event = event?;
        let before = self.backlog.queued.fetch_sub(1, Ordering::AcqRel);
        if before >= self.backlog.bound {
            self.backlog.room.notify_one();
        }
        Some(*event)
    }
}

/// An event channel (see [`EventSender`]) whose stream may hold `bound` unread events
/// (at least 1) before polling pauses.
pub(crate) fn channel(bound: usize) -> (EventSender, EventReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    let backlog = Arc::new(Backlog {
        queued: AtomicUsize::new(0),
        bound: bound.max(1),
        room: Notify::new(),
        dropped: AtomicBool::new(false),
        early: Mutex::new(Some(VecDeque::new())),
    });
    (
        EventSender {
            tx,
            backlog: backlog.clone(),
        },
        EventReceiver {
            rx,
            backlog,
            early: VecDeque::new(),
            started: false,
        },
    )
}

/// The events of a session, in the order the machine produced them. Ends when the session
/// has finished (after [`MachineEvent::Closed`] or [`MachineEvent::SessionLost`]).
///
/// Events are buffered for the stream from the session's start. Until the stream is taken,
/// it keeps the latest [`crate::ClientBuilder::event_buffer`] events (1,024 by default;
/// older ones are dropped, so a session used with handlers only neither grows nor stalls:
/// take the stream before the events you need). Once taken, nothing is dropped: while the
/// stream holds `event_buffer` unread events, the session pauses its polls (chats, incoming
/// requests) until it is read; keepalives, lines and closing go on. A dropped stream
/// buffers nothing.
#[derive(Debug)]
pub struct Events {
    rx: EventReceiver,
}

impl Events {
    pub(crate) fn new(mut rx: EventReceiver) -> Self {
        rx.start();
        Events { rx }
    }

    /// The next event, `None` once the session has finished.
    pub async fn next(&mut self) -> Option<MachineEvent> {
        if let Some(event) = self.rx.early.pop_front() {
            return Some(*event);
        }
        let event = self.rx.rx.recv().await;
        self.rx.taken(event)
    }
}

impl Stream for Events {
    type Item = MachineEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<MachineEvent>> {
        let this = &mut self.rx;
        if let Some(event) = this.early.pop_front() {
            return Poll::Ready(Some(*event));
        }
        match this.rx.poll_recv(cx) {
            Poll::Ready(event) => Poll::Ready(this.taken(event)),
            Poll::Pending => Poll::Pending,
        }
    }
}

type Handler<T> = Box<dyn FnMut(&T) + Send>;
type ChatHandler = Box<dyn FnMut(&ChatId, &Event) + Send>;

/// Callbacks per event type, called on the session's task before the event goes to the
/// stream. Keep them short: they run inline with the driver.
#[derive(Default)]
pub(crate) struct Handlers {
    any: Vec<Handler<MachineEvent>>,
    chat_event: Vec<ChatHandler>,
    offered: Vec<Handler<u64>>,
    accepted: Vec<Handler<ChatId>>,
    ended: Vec<Handler<ChatId>>,
    session: Vec<Handler<MachineEvent>>,
    availability: Vec<Handler<MachineEvent>>,
}

/// Shared handler registry of one session.
pub(crate) type SharedHandlers = Arc<Mutex<Handlers>>;

impl Handlers {
    pub(crate) fn dispatch(&mut self, event: &MachineEvent) {
        for h in &mut self.any {
            h(event);
        }
        match event {
            MachineEvent::ChatEvent { chat, event } => {
                for h in &mut self.chat_event {
                    h(chat, event);
                }
            }
            MachineEvent::ChatOffered { ringing_count } => {
                for h in &mut self.offered {
                    h(ringing_count);
                }
            }
            MachineEvent::ChatAccepted(chat) => {
                for h in &mut self.accepted {
                    h(chat);
                }
            }
            MachineEvent::ChatEnded { chat, .. } => {
                for h in &mut self.ended {
                    h(chat);
                }
            }
            MachineEvent::LoggedIn
            | MachineEvent::SessionRenewed
            | MachineEvent::SessionLost(_)
            | MachineEvent::AgentSessionStarted { .. }
            | MachineEvent::Closed => {
                for h in &mut self.session {
                    h(event);
                }
            }
            MachineEvent::AvailabilityChanged(_) | MachineEvent::AvailabilityForced { .. } => {
                for h in &mut self.availability {
                    h(event);
                }
            }
            _ => {}
        }
    }
}

/// Registers handlers on a session (`session.handlers().on_chat_event(…)`).
#[derive(Clone)]
pub struct HandlerRegistry {
    pub(crate) inner: SharedHandlers,
}

impl std::fmt::Debug for HandlerRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandlerRegistry")
    }
}

impl HandlerRegistry {
    fn with(&self, f: impl FnOnce(&mut Handlers)) -> &Self {
        if let Ok(mut h) = self.inner.lock() {
            f(&mut h);
        }
        self
    }

    /// Every event.
    pub fn on_any(&self, f: impl FnMut(&MachineEvent) + Send + 'static) -> &Self {
        self.with(|h| h.any.push(Box::new(f)))
    }

    /// Each chat event (line, state, url, a2a-transfer, unknown), once, in order per chat.
    pub fn on_chat_event(&self, f: impl FnMut(&ChatId, &Event) + Send + 'static) -> &Self {
        self.with(|h| h.chat_event.push(Box::new(f)))
    }

    /// Chats ring (the ringing count rose from 0).
    pub fn on_chat_offered(&self, f: impl FnMut(&u64) + Send + 'static) -> &Self {
        self.with(|h| h.offered.push(Box::new(f)))
    }

    /// A chat was accepted.
    pub fn on_chat_accepted(&self, f: impl FnMut(&ChatId) + Send + 'static) -> &Self {
        self.with(|h| h.accepted.push(Box::new(f)))
    }

    /// A chat ended (after all its events).
    pub fn on_chat_ended(&self, f: impl FnMut(&ChatId) + Send + 'static) -> &Self {
        self.with(|h| h.ended.push(Box::new(f)))
    }

    /// Login and session changes: logged in, renewed, lost, started, closed.
    pub fn on_session(&self, f: impl FnMut(&MachineEvent) + Send + 'static) -> &Self {
        self.with(|h| h.session.push(Box::new(f)))
    }

    /// Availability confirmed or forced by the server.
    pub fn on_availability(&self, f: impl FnMut(&MachineEvent) + Send + 'static) -> &Self {
        self.with(|h| h.availability.push(Box::new(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lpchat_proto::machine::LineId;

    fn ev(n: u64) -> MachineEvent {
        MachineEvent::LineDelivered {
            id: LineId(n),
            chat: ChatId::from("C"),
            event: None,
        }
    }

    fn id(e: Option<MachineEvent>) -> Option<u64> {
        match e? {
            MachineEvent::LineDelivered { id: line, .. } => Some(line.0),
            _ => None,
        }
    }

    #[test]
    fn a_stream_never_read_keeps_the_latest_events_and_never_pauses() {
        let (tx, mut rx) = channel(3);
        let pacer = tx.pacer();
        for n in 1..=5 {
            tx.send(ev(n));
        }
        assert!(
            !pacer.is_full(),
            "a stream never read must not stall the session"
        );
        // Read: the three latest, in order, then what comes after, nothing dropped.
        assert_eq!(id(rx.try_next()), Some(3));
        tx.send(ev(6));
        assert_eq!(
            [id(rx.try_next()), id(rx.try_next()), id(rx.try_next())],
            [Some(4), Some(5), Some(6)]
        );
        assert_eq!(id(rx.try_next()), None);
    }

    #[test]
    fn a_stream_being_read_pauses_at_its_bound_and_drops_nothing() {
        let (tx, rx) = channel(2);
        let pacer = tx.pacer();
        let mut events = Events::new(rx);
        for n in 1..=3 {
            tx.send(ev(n));
        }
        assert!(pacer.is_full());
        assert_eq!(id(events.rx.try_next()), Some(1));
        assert!(pacer.is_full(), "two still unread");
        assert_eq!(id(events.rx.try_next()), Some(2));
        assert!(!pacer.is_full());
        assert_eq!(id(events.rx.try_next()), Some(3));
        drop(events);
        tx.send(ev(4));
        assert!(!pacer.is_full(), "a dropped stream paces nothing");
    }
}
