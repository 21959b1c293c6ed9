//! The path of an answer through a machine, the same for the agent and the visitor: from the
//! contract's `handle_response` / `handle_failure` (and the deadline of a request whose answer
//! never came) to the handler of the request's purpose.
//!
//! A machine implements [`Answering`]: where its requests in flight are, what it sends next,
//! when it wakes, and how it dispatches an answer by purpose. The functions here are its
//! [`Machine`](super::Machine) methods, so both machines drain events, time out lost answers
//! and stamp answers the same way. Every handler receives the answer's [`Sent`]: which request
//! it answers and the moment it is handled, the one shape in which time reaches a handler.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Response};

use super::clock::WallClock;
use super::contract::{FailureKind, Output, RequestId};
use super::event::MachineError;
use super::outbox::{Outbox, Pending};
use super::reply::{self, after, Reply, Retrier};
use super::schedule::Schedule;
use crate::codec::Limits;
use crate::ops::Operation;
use crate::retry::{Decision, Failure, Idempotency};

/// The request an answer is for, and the moment it is handled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sent {
    /// The request's id.
    pub(crate) id: RequestId,
    /// The login generation it was authenticated with (0 where there is no login).
    pub(crate) generation: u64,
    /// When it was handed out: loops count their interval from here.
    pub(crate) sent_at: Instant,
    /// When its answer is handled.
    pub(crate) now: Instant,
    /// The Unix time of `now`, for `Retry-After` dates: the response's `Date` (the server's
    /// clock), else the wall clock.
    pub(crate) now_unix: u64,
}

/// What came back for a request.
pub(crate) enum Input {
    /// The server's response, whatever its status.
    Response(Response<Bytes>),
    /// No usable response.
    Failure(Failure),
}

impl Input {
    fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Input::Response(r) => Some(r.headers()),
            Input::Failure(_) => None,
        }
    }
}

/// Parses the input with the operation.
pub(crate) fn parse<O: Operation>(op: &O, input: Input, limits: &Limits) -> Reply<O::Output> {
    match input {
        Input::Response(response) => reply::read(op, response, limits),
        Input::Failure(failure) => Reply::transport(failure, O::ENDPOINT),
    }
}

/// A failed request of a loop (a poll, a keepalive, a setting): `task` is scheduled again by
/// the retry policy, going on in the outer loop when `keep_going`. Returns the error when the
/// policy gives up; the task is then left unscheduled and its failure count reset.
pub(crate) fn retry_loop(
    task: &mut Schedule,
    retrier: &mut Retrier<'_>,
    failure: &Failure,
    error: MachineError,
    at: Sent,
    keep_going: bool,
) -> Option<MachineError> {
    let attempt = task.failed();
    match retrier.decide(failure, attempt, Idempotency::Safe, keep_going, at.now_unix) {
        Decision::Retry { after: pause } | Decision::Reconcile { after: pause } => {
            task.schedule(after(at.now, pause));
            None
        }
        Decision::GiveUp => {
            task.succeeded();
            Some(error)
        }
    }
}

/// What a machine gives the shared answer path.
pub(crate) trait Answering {
    /// What a request in flight is for.
    type Purpose;

    /// The events to hand out and the requests in flight.
    fn outbox(&mut self) -> &mut Outbox<Self::Purpose>;
    /// Takes `now` into the machine's clock, which never goes back, and returns it.
    fn clock(&mut self, now: Instant) -> Instant;
    /// How long an answer may take before it counts as lost.
    fn request_deadline(&self) -> Duration;
    /// The pin of the wall clock, where the machine has one.
    fn wall_clock(&self) -> Option<&WallClock>;
    /// The next request to send at `now`, if any.
    fn next_send(&mut self, now: Instant) -> Option<Output>;
    /// When the machine wants to wake next (never before `now`).
    fn wake(&self, now: Instant) -> Instant;
    /// Hands an answer to the handler of its purpose.
    fn dispatch(&mut self, purpose: Self::Purpose, input: Input, at: Sent);

    /// A response's headers as they arrive, before any handler (the agent keeps cookies).
    fn headers_seen(&mut self, _headers: &HeaderMap, _now_unix: u64) {}
    /// After every answer (the agent checks whether its login was lost).
    fn answered(&mut self) {}
}

/// [`Machine::poll_output`](super::Machine::poll_output) of an [`Answering`] machine.
pub(crate) fn poll_output<M: Answering>(m: &mut M, now: Instant) -> Output {
    let now = m.clock(now);
    loop {
        if let Some(event) = m.outbox().next_event() {
            return Output::Event(event);
        }
        // An answer that never came: handled as the timeout it is.
        let deadline = m.request_deadline();
        if let Some(id) = m.outbox().overdue(now, deadline) {
            handle(
                m,
                id,
                Input::Failure(FailureKind::Timeout.as_failure()),
                now,
            );
            continue;
        }
        if let Some(send) = m.next_send(now) {
            return send;
        }
        if !m.outbox().has_events() {
            return Output::Timeout(m.wake(now));
        }
    }
}

/// [`Machine::handle_response`](super::Machine::handle_response) and
/// [`Machine::handle_failure`](super::Machine::handle_failure) of an [`Answering`] machine:
/// an answer for a request not in flight (settled, or never sent) is ignored.
pub(crate) fn handle<M: Answering>(m: &mut M, id: RequestId, input: Input, now: Instant) {
    let now = m.clock(now);
    let Some(Pending {
        purpose,
        generation,
        sent_at,
    }) = m.outbox().settle(id)
    else {
        return;
    };
    let now_unix = reply::now_unix(input.headers(), m.wall_clock(), now);
    if let Some(headers) = input.headers() {
        m.headers_seen(headers, now_unix);
    }
    let at = Sent {
        id,
        generation,
        sent_at,
        now,
        now_unix,
    };
    m.dispatch(purpose, input, at);
    m.answered();
}
