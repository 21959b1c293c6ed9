//! [`Outbox`]: the events waiting to be handed out, and the requests in flight with what
//! each was for.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use super::contract::RequestId;
use super::event::MachineEvent;

/// A request in flight.
#[derive(Debug, Clone)]
pub(crate) struct Pending<P> {
    /// What the request is for (machine-specific).
    pub(crate) purpose: P,
    /// The login generation the request was authenticated with (see [`super::login`]).
    pub(crate) generation: u64,
    /// When it was handed out.
    pub(crate) sent_at: Instant,
}

/// Events to hand out, and requests in flight.
///
/// `Debug` lists the ids in flight only: what a request is for may hold credentials (a
/// login body).
///
/// Both stay small while a session is idle, as thousands of sessions may be: the requests in
/// flight are boxed (a map node has room for 11 entries, and an agent's purpose is about
/// 200 bytes, so an unboxed node cost 2.3 KiB for the one or two requests of a poll), and
/// the event queue gives its buffer back once drained.
pub(crate) struct Outbox<P> {
    next_id: u64,
    pending: BTreeMap<RequestId, Box<Pending<P>>>,
    events: VecDeque<MachineEvent>,
}

impl<P> Default for Outbox<P> {
    fn default() -> Self {
        Outbox {
            next_id: 1,
            pending: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }
}

impl<P> fmt::Debug for Outbox<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox")
            .field("in_flight", &self.pending.keys().collect::<Vec<_>>())
            .field("events", &self.events.len())
            .finish()
    }
}

impl<P> Outbox<P> {
    /// Registers a request about to be sent and gives it a fresh id.
    pub(crate) fn register(&mut self, purpose: P, generation: u64, now: Instant) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        self.pending.insert(
            id,
            Box::new(Pending {
                purpose,
                generation,
                sent_at: now,
            }),
        );
        id
    }

    /// Takes the request in flight with this id; `None` for unknown or settled ids.
    pub(crate) fn settle(&mut self, id: RequestId) -> Option<Pending<P>> {
        self.pending.remove(&id).map(|p| *p)
    }

    /// The oldest request in flight handed out at least `deadline` before `now`: its answer
    /// is lost (a send task that died, a socket that hangs past every transport timeout),
    /// and the machine handles it as a timeout. Ids rise with the instant they were handed
    /// out at (the machines' clock never goes back), so the first in the map is the oldest.
    pub(crate) fn overdue(&self, now: Instant, deadline: Duration) -> Option<RequestId> {
        let (id, pending) = self.pending.first_key_value()?;
        (now.saturating_duration_since(pending.sent_at) >= deadline).then_some(*id)
    }

    /// When the oldest request in flight passes `deadline`, if any is in flight.
    pub(crate) fn next_deadline(&self, deadline: Duration) -> Option<Instant> {
        let (_, pending) = self.pending.first_key_value()?;
        Some(super::reply::after(pending.sent_at, deadline))
    }

    /// Forgets every request in flight (their results will be ignored).
    pub(crate) fn forget_all(&mut self) {
        self.pending.clear();
    }

    /// Queues an event.
    pub(crate) fn emit(&mut self, event: MachineEvent) {
        self.events.push_back(event);
    }

    /// Whether events wait to be handed out.
    pub(crate) fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// The next queued event.
    pub(crate) fn next_event(&mut self) -> Option<MachineEvent> {
        let event = self.events.pop_front();
        if self.events.is_empty() && self.events.capacity() > 0 {
            // Events come in bursts (a login, a poll's answer); between them the queue is
            // empty, and an idle session should not keep a buffer of 232-byte slots.
            self.events = VecDeque::new();
        }
        event
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fresh_and_settle_once() {
        let now = Instant::now();
        let mut out: Outbox<&str> = Outbox::default();
        let a = out.register("a", 0, now);
        let b = out.register("b", 1, now);
        assert_ne!(a, b);
        assert_eq!(out.settle(a).map(|p| p.purpose), Some("a"));
        assert!(out.settle(a).is_none());
        out.emit(MachineEvent::LoggedIn);
        assert_eq!(out.next_event(), Some(MachineEvent::LoggedIn));
        assert_eq!(out.next_event(), None);
        let c = out.register("c", 0, now + Duration::from_secs(5));
        assert_eq!(
            out.overdue(now + Duration::from_secs(64), Duration::from_secs(60)),
            Some(b)
        );
        assert_eq!(
            out.next_deadline(Duration::from_secs(60)),
            Some(now + Duration::from_secs(60))
        );
        out.settle(b);
        assert_eq!(
            out.overdue(now + Duration::from_secs(64), Duration::from_secs(60)),
            None
        );
        assert_eq!(
            out.overdue(now + Duration::from_secs(65), Duration::from_secs(60)),
            Some(c)
        );
        out.forget_all();
        assert_eq!(out.next_deadline(Duration::from_secs(60)), None);
        assert!(out.settle(b).is_none());
    }
}
