//! Events out of a session: a [`Stream`] over the driver's channel, and per-event-type
//! handlers.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_core::Stream;
use lpchat_proto::machine::MachineEvent;
use lpchat_proto::model::{ChatId, Event};
use tokio::sync::mpsc;

/// The driver's side of a session's event channel.
///
/// Events travel boxed: tokio's unbounded channel allocates its slots 32 at a time, from the
/// first one on, and a [`MachineEvent`] is 232 bytes, so a block of unboxed events cost every
/// session over 7 KiB, mostly never used.
#[derive(Debug)]
pub(crate) struct EventSender(mpsc::UnboundedSender<Box<MachineEvent>>);

impl EventSender {
    /// Queues `event` for the stream; gives it back if the stream was dropped.
    pub(crate) fn send(&self, event: MachineEvent) -> Result<(), Box<MachineEvent>> {
        self.0.send(Box::new(event)).map_err(|e| e.0)
    }
}

/// The stream's side of the event channel, until [`Events`] takes it.
pub(crate) type EventReceiver = mpsc::UnboundedReceiver<Box<MachineEvent>>;

/// An event channel (see [`EventSender`]).
pub(crate) fn channel() -> (EventSender, EventReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    (EventSender(tx), rx)
}

/// The events of a session, in the order the machine produced them. Ends when the session
/// has finished (after [`MachineEvent::Closed`] or [`MachineEvent::SessionLost`]).
///
/// Events are buffered until read; a session whose stream is never taken keeps them.
#[derive(Debug)]
pub struct Events {
    rx: EventReceiver,
}

impl Events {
    pub(crate) fn new(rx: EventReceiver) -> Self {
        Events { rx }
    }

    /// The next event, `None` once the session has finished.
    pub async fn next(&mut self) -> Option<MachineEvent> {
        self.rx.recv().await.map(|event| *event)
    }
}

impl Stream for Events {
    type Item = MachineEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<MachineEvent>> {
        self.rx.poll_recv(cx).map(|event| event.map(|e| *e))
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
