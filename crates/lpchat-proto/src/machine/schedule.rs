//! [`Schedule`]: the schedule of one kind of request (a poll loop, a keepalive, a queued
//! command): when it is due, whether a request of it is in flight, and how many times in a
//! row it failed.
//!
//! One task never has two requests in flight, which is how a machine keeps "one line in
//! flight per chat" and "one poll at a time".

use std::time::Instant;

use super::contract::RequestId;

/// When a kind of request is due, and its request in flight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Schedule {
    due: Option<Instant>,
    in_flight: Option<RequestId>,
    failures: u32,
}

impl Schedule {
    /// A task due at `at`.
    pub(crate) fn due_at(at: Instant) -> Self {
        Schedule {
            due: Some(at),
            ..Schedule::default()
        }
    }

    /// Makes the task due at `at` (replacing an earlier schedule).
    pub(crate) fn schedule(&mut self, at: Instant) {
        self.due = Some(at);
    }

    /// Makes the task due at `at`, unless it is due earlier already.
    pub(crate) fn schedule_by(&mut self, at: Instant) {
        self.due = Some(self.due.map_or(at, |d| d.min(at)));
    }

    /// Unschedules the task (a request in flight stays in flight).
    pub(crate) fn cancel(&mut self) {
        self.due = None;
    }

    /// Whether a request should be sent now: due, and none in flight.
    pub(crate) fn ready(&self, now: Instant) -> bool {
        self.in_flight.is_none() && self.due.is_some_and(|d| d <= now)
    }

    /// When the machine must wake for this task, if it waits on a timer.
    pub(crate) fn wake(&self) -> Option<Instant> {
        if self.in_flight.is_some() {
            None
        } else {
            self.due
        }
    }

    /// Whether a request of this task is in flight.
    pub(crate) fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Whether the task is due or busy.
    pub(crate) fn active(&self) -> bool {
        self.in_flight.is_some() || self.due.is_some()
    }

    /// Request `id` was sent for this task: it is no longer due.
    pub(crate) fn sent(&mut self, id: RequestId) {
        self.in_flight = Some(id);
        self.due = None;
    }

    /// Request `id` finished; false when it was not this task's request.
    pub(crate) fn settle(&mut self, id: RequestId) -> bool {
        if self.in_flight == Some(id) {
            self.in_flight = None;
            true
        } else {
            false
        }
    }

    /// Forgets the request in flight (its result will be ignored).
    pub(crate) fn abandon(&mut self) {
        self.in_flight = None;
    }

    /// The request succeeded: the failure count starts again.
    pub(crate) fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// The request failed: returns the number of the attempt that failed (1 for the first).
    pub(crate) fn failed(&mut self) -> u32 {
        self.failures = self.failures.saturating_add(1);
        self.failures
    }

    /// How many attempts failed in a row.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }
}

/// The earliest of several wake-up times.
pub(crate) fn earliest(times: impl IntoIterator<Item = Option<Instant>>) -> Option<Instant> {
    times.into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn lifecycle() {
        let t0 = Instant::now();
        let mut task = Schedule::default();
        assert!(!task.ready(t0) && task.wake().is_none() && !task.active());
        task.schedule(t0 + Duration::from_secs(2));
        assert!(!task.ready(t0));
        assert!(task.ready(t0 + Duration::from_secs(2)));
        task.schedule_by(t0 + Duration::from_secs(5));
        assert_eq!(task.wake(), Some(t0 + Duration::from_secs(2)));
        task.schedule_by(t0 + Duration::from_secs(1));
        assert_eq!(task.wake(), Some(t0 + Duration::from_secs(1)));
        task.sent(RequestId(3));
        assert!(task.busy() && task.wake().is_none() && !task.ready(t0 + Duration::from_secs(9)));
        assert!(!task.settle(RequestId(4)));
        assert!(task.settle(RequestId(3)));
        assert_eq!((task.failed(), task.failed()), (1, 2));
        task.succeeded();
        assert_eq!(task.failures(), 0);
        assert_eq!(
            earliest([None, Some(t0 + Duration::from_secs(3)), Some(t0)]),
            Some(t0)
        );
        assert_eq!(Schedule::due_at(t0).wake(), Some(t0));
    }
}
