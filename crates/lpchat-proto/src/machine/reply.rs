//! Reading a response through its operation, and deciding what a failure means for the
//! request's schedule.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::DATE;
use http::{HeaderMap, Response};

use super::clock::WallClock;
use super::event::MachineError;
use super::rng::Rng;
use crate::codec::Limits;
use crate::ops::{self, Operation};
use crate::retry::{Attempt, Decision, Failure, Idempotency, RetryAfter, RetryPolicy};

/// What a response means for the machine.
#[derive(Debug)]
pub(crate) enum Reply<T> {
    /// Success, with the operation's output.
    Ok(T),
    /// 401: the credential was refused; the request did not act.
    Unauthorized,
    /// Anything else: the failure as the retry policy reads it, and the operation's error.
    Failed {
        /// For the retry policy.
        failure: Failure,
        /// For reports.
        error: MachineError,
        /// The operation's error, for callers that look closer (a `chat.error`); `None`
        /// for a failure in transit.
        op_error: Option<Box<ops::Error>>,
    },
}

impl<T> Reply<T> {
    /// A failure in transit (no response the machine could read) of `endpoint`.
    pub(crate) fn transport(failure: Failure, endpoint: &'static str) -> Self {
        let message = match failure {
            Failure::ConnectFailed => "no connection could be made",
            Failure::Timeout => "no response in time",
            Failure::ConnectionDropped => "the connection dropped",
            _ => "the response body was cut short",
        };
        Reply::Failed {
            failure,
            error: MachineError::new(endpoint, None, message),
            op_error: None,
        }
    }
}

/// Parses `response` with `op`: its output, or its error with the failure as the retry
/// policy reads it. A success status whose body cannot be used is a bad body, not a status
/// failure.
pub(crate) fn outcome<O: Operation>(
    op: &O,
    response: Response<Bytes>,
    limits: &Limits,
) -> Result<O::Output, (Failure, ops::Error)> {
    let failure = if response.status().is_success() {
        Failure::BodyInvalid
    } else {
        Failure::from_response(&response)
    };
    op.parse_with(response, limits).map_err(|e| (failure, e))
}

/// Parses `response` with `op`, as a machine reads it.
pub(crate) fn read<O: Operation>(
    op: &O,
    response: Response<Bytes>,
    limits: &Limits,
) -> Reply<O::Output> {
    match outcome(op, response, limits) {
        Ok(output) => Reply::Ok(output),
        Err((_, e)) if e.is_unauthorized() => Reply::Unauthorized,
        Err((failure, e)) => Reply::Failed {
            failure,
            error: MachineError::from_op(O::ENDPOINT, &e),
            op_error: Some(Box::new(e)),
        },
    }
}

/// The Unix time to read a `Retry-After` date against: the response's own `Date` (the
/// server's clock, so skew does not matter), else the wall clock, else 0 (a date then
/// counts as far away and is cut to the policy's longest wait).
pub(crate) fn now_unix(headers: Option<&HeaderMap>, wall: Option<&WallClock>, now: Instant) -> u64 {
    headers
        .and_then(|h| h.get(DATE))
        .and_then(|v| v.to_str().ok())
        .and_then(http_date)
        .and_then(|secs| u64::try_from(secs).ok())
        .or_else(|| wall.map(|w| w.unix_secs(now)))
        .unwrap_or(0)
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix seconds: the retry module reads
/// the same format for `Retry-After`.
fn http_date(value: &str) -> Option<i64> {
    match RetryAfter::parse(value)? {
        RetryAfter::Date(secs) => Some(secs),
        RetryAfter::Seconds(_) => None,
    }
}

/// The retry policy and the randomness for its jitter.
pub(crate) struct Retrier<'a> {
    pub(crate) policy: &'a RetryPolicy,
    pub(crate) rng: &'a mut Rng,
}

impl<'a> Retrier<'a> {
    /// The machine's policy with its jitter source.
    pub(crate) fn new(policy: &'a RetryPolicy, rng: &'a mut Rng) -> Self {
        Retrier { policy, rng }
    }

    /// The decision for the failed `attempt` (1 for the first try) of a request.
    pub(crate) fn decide(
        &mut self,
        failure: &Failure,
        attempt: u32,
        idempotency: Idempotency,
        keep_going: bool,
        now_unix: u64,
    ) -> Decision {
        let mut a = Attempt::new(attempt, idempotency, now_unix, self.rng.unit());
        if keep_going {
            a = a.keep_going();
        }
        self.policy.decide(failure, &a)
    }
}

/// `now + after`, saturating at a far instant.
pub(crate) fn after(now: Instant, pause: Duration) -> Instant {
    now.checked_add(pause)
        .or_else(|| now.checked_add(super::contract::IDLE_WAKE))
        .unwrap_or(now)
}
