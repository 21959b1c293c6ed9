//! [`OneOffCall`]: the retry state of one one-off request, an operation the machines run no
//! loop for (available agents, chat info, surveys, a raw GET, the visitor's availability,
//! exit survey, transcript …), decided with the same rules as the machines' own requests.
//!
//! The driver sends each attempt itself and hands its outcome in
//! ([`OneOffCall::handle_response`] or [`OneOffCall::handle_failure`]); the call answers
//! what to do next ([`OneOffStep`]):
//!
//! - a 401 waits for the session's next login and goes again once, with the new context
//!   ([`OneOffStep::Relogin`]; only for a call made [`OneOffCall::with_relogin`]: an app
//!   key cannot be renewed); a second 401 is the call's error;
//! - 5xx, 429 (with `Retry-After`, read against the response's `Date`), a 2xx whose body
//!   cannot be read and transport failures follow the [`RetryPolicy`] (LivePerson's
//!   5/10/15 s schedule with jitter), for requests that may be repeated
//!   ([`Idempotency::Safe`]: GETs, PUTs that set a state);
//! - a state-changing request whose outcome is unknown (a 5xx, a timeout, a dropped
//!   connection or a cut answer after it left) is not sent again blindly: the call ends as
//!   [`OneOffStep::OutcomeUnknown`]. Failures that prove it was not handled (no connection,
//!   429) are retried like the others;
//! - any other error of the operation (a 4xx, a `chat.error`, a missing `Location`) ends
//!   the call at once: sent again, it would fail the same.
//!
//! How an agent session's one-off requests get the login's context and report its cookies
//! and 401s is part of the machines' contract: see
//! [One-off requests](super#one-off-requests).

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Response;

use super::clock::WallClock;
use super::contract::FailureKind;
use super::reply::{self, Retrier};
use super::rng::Rng;
use crate::codec::Limits;
use crate::ops::{self, Operation};
use crate::retry::{Decision, Failure, Idempotency, RetryPolicy};

/// How long a one-off call waits for a login beyond the retry schedule (a login request's
/// own time).
const LOGIN_WAIT_SLACK: Duration = Duration::from_secs(30);

/// What a one-off call does after an attempt.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum OneOffStep<T, E> {
    /// The call succeeded, with the operation's output.
    Done(T),
    /// A 401 that logging in again may cure (it did not act on the server): wait, at most
    /// [`OneOffCall::login_wait`], for a login of a generation newer than `refused`, then
    /// send again with its context. A call answers this once.
    Relogin {
        /// The login generation the 401 came back with.
        refused: u64,
    },
    /// Send the request again after this pause, built anew (a fresh context, so a fresh
    /// OAuth signature).
    Retry {
        /// The pause.
        after: Duration,
    },
    /// The call failed: with the operation's error after a response
    /// ([`OneOffCall::handle_response`]), with the failure after a transport failure
    /// ([`OneOffCall::handle_failure`]).
    Fail(E),
    /// A state-changing request may have taken effect; it is not sent again. The caller
    /// reads the server's state before sending it again.
    OutcomeUnknown {
        /// How it failed.
        failure: Failure,
    },
}

impl<T, E> OneOffStep<T, E> {
    /// The same step with the error of [`OneOffStep::Fail`] mapped by `f`, so that a
    /// driver can meet the steps of responses and of transport failures in one `match`.
    pub fn map_err<F>(self, f: impl FnOnce(E) -> F) -> OneOffStep<T, F> {
        match self {
            OneOffStep::Done(output) => OneOffStep::Done(output),
            OneOffStep::Relogin { refused } => OneOffStep::Relogin { refused },
            OneOffStep::Retry { after } => OneOffStep::Retry { after },
            OneOffStep::Fail(error) => OneOffStep::Fail(f(error)),
            OneOffStep::OutcomeUnknown { failure } => OneOffStep::OutcomeUnknown { failure },
        }
    }
}

/// The retry state of one one-off call: its failed attempts, whether its re-login is still
/// to come, the policy and the randomness of its jitter. Sans-IO: the driver builds and
/// sends each attempt, sleeps the pauses and waits for the logins.
#[derive(Debug)]
pub struct OneOffCall {
    policy: RetryPolicy,
    limits: Limits,
    idempotency: Idempotency,
    rng: Rng,
    wall_clock: Option<WallClock>,
    /// Failed attempts the policy has judged (a 401 that waits for a login is not one).
    attempts: u32,
    /// Whether a 401 may still wait for a login and go again.
    relogin: bool,
}

impl OneOffCall {
    /// A call of `op` (for its [`Operation::idempotency`]), retried by `policy`, its
    /// responses decoded within `limits`. Until set otherwise: no re-login
    /// ([`OneOffCall::with_relogin`]), jitter from `Rng::new(0)` ([`OneOffCall::with_rng`]),
    /// and no wall clock ([`OneOffCall::with_wall_clock`]).
    pub fn new<O: Operation>(op: &O, policy: RetryPolicy, limits: Limits) -> Self {
        OneOffCall {
            policy,
            limits,
            idempotency: op.idempotency(),
            rng: Rng::new(0),
            wall_clock: None,
            attempts: 0,
            relogin: false,
        }
    }

    /// Whether a 401 may be cured by logging in again (an agent session's login can; a
    /// visitor's app key cannot).
    pub fn with_relogin(mut self, allowed: bool) -> Self {
        self.relogin = allowed;
        self
    }

    /// The generator of the retry pauses' jitter.
    pub fn with_rng(mut self, rng: Rng) -> Self {
        self.rng = rng;
        self
    }

    /// The wall clock to read a `Retry-After` date against when the response has no
    /// readable `Date`; without one such a date counts as far away and is cut to the
    /// policy's longest wait.
    pub fn with_wall_clock(mut self, wall_clock: WallClock) -> Self {
        self.wall_clock = Some(wall_clock);
        self
    }

    /// How long a call under `policy` waits for a login (the session's first, or the
    /// re-login after a 401): the retry schedule plus a login request's own time.
    pub fn login_wait(policy: &RetryPolicy) -> Duration {
        policy
            .schedule
            .iter()
            .fold(LOGIN_WAIT_SLACK, |sum, pause| sum.saturating_add(*pause))
    }

    /// The failed attempts judged so far (the policy's number of the last one).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The response to an attempt of `op` sent with the context of login `generation`
    /// (any number for a fixed context), received at `now`.
    pub fn handle_response<O: Operation>(
        &mut self,
        op: &O,
        response: Response<Bytes>,
        generation: u64,
        now: Instant,
    ) -> OneOffStep<O::Output, ops::Error> {
        let now_unix = reply::now_unix(Some(response.headers()), self.wall_clock.as_ref(), now);
        match reply::outcome(op, response, &self.limits) {
            Ok(output) => OneOffStep::Done(output),
            Err((_, error)) if error.is_unauthorized() => {
                if !std::mem::take(&mut self.relogin) {
                    // After the re-login, or where no login cures it: the call's error.
                    return OneOffStep::Fail(error);
                }
                OneOffStep::Relogin {
                    refused: generation,
                }
            }
            // Statuses and bad bodies are the policy's to judge; any other error (a
            // `chat.error`, a missing `Location`) would come back the same.
            Err((failure, error @ (ops::Error::Status(_) | ops::Error::Decode(_)))) => {
                self.decide(failure, now_unix, error)
            }
            Err((_, error)) => OneOffStep::Fail(error),
        }
    }

    /// An attempt that got no readable response, at `now`.
    pub fn handle_failure<T>(
        &mut self,
        kind: FailureKind,
        now: Instant,
    ) -> OneOffStep<T, FailureKind> {
        let now_unix = reply::now_unix(None, self.wall_clock.as_ref(), now);
        self.decide(kind.as_failure(), now_unix, kind)
    }

    /// The policy's decision on a failed attempt: a retry, an unknown outcome (a one-off
    /// call has no server state to read, unlike a machine's line or accept), or `error`.
    fn decide<T, E>(&mut self, failure: Failure, now_unix: u64, error: E) -> OneOffStep<T, E> {
        self.attempts = self.attempts.saturating_add(1);
        let decision = Retrier::new(&self.policy, &mut self.rng).decide(
            &failure,
            self.attempts,
            self.idempotency,
            false,
            now_unix,
        );
        match decision {
            Decision::Retry { after } => OneOffStep::Retry { after },
            Decision::Reconcile { .. } => OneOffStep::OutcomeUnknown { failure },
            Decision::GiveUp => OneOffStep::Fail(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::visitor::ChatRequest;
    use crate::ops::{GetVisitorAvailability, RequestChat};
    use http::StatusCode;

    const S: Duration = Duration::from_secs(1);

    fn response(status: u16, headers: &[(&str, &str)], body: &'static [u8]) -> Response<Bytes> {
        let mut b = Response::builder().status(status);
        for (name, value) in headers {
            b = b.header(*name, *value);
        }
        b.body(Bytes::from_static(body)).unwrap()
    }

    /// No jitter, so that pauses are exact.
    fn call<O: Operation>(op: &O) -> OneOffCall {
        OneOffCall::new(
            op,
            RetryPolicy::default().with_jitter(0.0),
            Limits::default(),
        )
    }

    fn safe() -> GetVisitorAvailability {
        GetVisitorAvailability::new()
    }

    fn state_changing() -> RequestChat {
        RequestChat::new(ChatRequest::default())
    }

    #[test]
    fn a_503_on_a_safe_call_is_retried_on_the_schedule_then_is_the_error() {
        let op = safe();
        let mut c = call(&op);
        let now = Instant::now();
        for pause in [5, 10, 15] {
            let step = c.handle_response(&op, response(503, &[], b""), 0, now);
            assert_eq!(step, OneOffStep::Retry { after: pause * S });
        }
        match c.handle_response(&op, response(503, &[], b""), 0, now) {
            OneOffStep::Fail(e @ ops::Error::Status(_)) => {
                assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(c.attempts(), 4);
    }

    #[test]
    fn jitter_comes_from_the_calls_generator() {
        let op = safe();
        let pause = |seed| {
            let mut c = OneOffCall::new(&op, RetryPolicy::default(), Limits::default())
                .with_rng(Rng::new(seed));
            c.handle_response(&op, response(500, &[], b""), 0, Instant::now())
        };
        let OneOffStep::Retry { after } = pause(9) else {
            panic!("retried");
        };
        assert!((4500..=5500).contains(&after.as_millis()), "{after:?}");
        assert_eq!(pause(9), OneOffStep::Retry { after });
    }

    #[test]
    fn a_429_waits_its_retry_after_even_when_the_call_changes_state() {
        let op = state_changing();
        let mut c = call(&op);
        let step = c.handle_response(
            &op,
            response(429, &[("Retry-After", "7")], b""),
            0,
            Instant::now(),
        );
        assert_eq!(step, OneOffStep::Retry { after: 7 * S });
    }

    #[test]
    fn retry_after_dates_are_read_against_the_responses_date_else_the_wall_clock() {
        let op = safe();
        let now = Instant::now();
        let at = [("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT")];
        let dated = [at[0], ("Date", "Sun, 06 Nov 1994 08:49:37 GMT")];
        let badly_dated = [at[0], ("Date", "yesterday")];
        // The server's clock first, whatever the wall clock says.
        let wall = WallClock::new(now, 784_111_777 - 60);
        let mut c = call(&op).with_wall_clock(wall);
        let step = c.handle_response(&op, response(429, &dated, b""), 0, now);
        assert_eq!(step, OneOffStep::Retry { after: 30 * S });
        for headers in [&at[..], &badly_dated[..]] {
            let mut c = call(&op).with_wall_clock(wall);
            let step = c.handle_response(&op, response(429, headers, b""), 0, now);
            assert_eq!(step, OneOffStep::Retry { after: 90 * S });
        }
        // No clock at all: the date is far away, cut to the policy's longest wait.
        let step = call(&op).handle_response(&op, response(429, &at, b""), 0, now);
        assert_eq!(step, OneOffStep::Retry { after: 300 * S });
    }

    #[test]
    fn a_5xx_to_a_state_changing_call_leaves_its_outcome_unknown() {
        let op = state_changing();
        let mut c = call(&op);
        let step = c.handle_response(&op, response(500, &[], b""), 0, Instant::now());
        assert_eq!(
            step,
            OneOffStep::OutcomeUnknown {
                failure: Failure::status(StatusCode::INTERNAL_SERVER_ERROR)
            }
        );
    }

    #[test]
    fn a_401_waits_for_one_relogin_then_is_the_error() {
        let op = safe();
        let mut c = call(&op).with_relogin(true);
        let now = Instant::now();
        let step = c.handle_response(&op, response(401, &[], b""), 3, now);
        assert_eq!(step, OneOffStep::Relogin { refused: 3 });
        match c.handle_response(&op, response(401, &[], b""), 4, now) {
            OneOffStep::Fail(e) => assert!(e.is_unauthorized(), "{e:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.attempts(), 0, "a 401 is not the retry policy's");
        // Without a login to renew, the first 401 is the error.
        match call(&op).handle_response(&op, response(401, &[], b""), 0, now) {
            OneOffStep::Fail(e) => assert!(e.is_unauthorized(), "{e:?}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_body_on_a_2xx_is_retried_then_is_the_decode_error() {
        let op = safe();
        let mut c = call(&op);
        let now = Instant::now();
        let bad = || response(200, &[("Content-Type", "application/json")], b"{\"nope");
        for pause in [5, 10, 15] {
            assert_eq!(
                c.handle_response(&op, bad(), 0, now),
                OneOffStep::Retry { after: pause * S }
            );
        }
        match c.handle_response(&op, bad(), 0, now) {
            OneOffStep::Fail(ops::Error::Decode(_)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_the_policy_cannot_cure_end_the_call() {
        let op = safe();
        let mut c = call(&op);
        match c.handle_response(&op, response(404, &[], b""), 0, Instant::now()) {
            OneOffStep::Fail(e) => assert_eq!(e.status(), Some(StatusCode::NOT_FOUND)),
            other => panic!("{other:?}"),
        }
        // A chat request answered without the chat's location: not a failure to retry.
        let op = state_changing();
        let mut c = call(&op);
        let step = c.handle_response(&op, response(201, &[], b""), 0, Instant::now());
        assert_eq!(step, OneOffStep::Fail(ops::Error::MissingLocation));
        assert_eq!(c.attempts(), 0);
    }

    #[test]
    fn transport_failures_follow_the_policy() {
        let now = Instant::now();
        let op = state_changing();
        let mut c = call(&op);
        // Nothing was sent: even a state-changing request goes again.
        let step: OneOffStep<(), _> = c.handle_failure(FailureKind::ConnectFailed, now);
        assert_eq!(step, OneOffStep::Retry { after: 5 * S });
        let step: OneOffStep<(), _> = c.handle_failure(FailureKind::Timeout, now);
        assert_eq!(
            step,
            OneOffStep::OutcomeUnknown {
                failure: Failure::Timeout
            }
        );
        let op = safe();
        let mut c = call(&op);
        for _ in 0..3 {
            let step: OneOffStep<(), _> = c.handle_failure(FailureKind::BodyTruncated, now);
            assert!(matches!(step, OneOffStep::Retry { .. }), "{step:?}");
        }
        let step: OneOffStep<(), _> = c.handle_failure(FailureKind::ConnectionDropped, now);
        assert_eq!(step, OneOffStep::Fail(FailureKind::ConnectionDropped));
    }

    #[test]
    fn a_call_waits_for_a_login_as_long_as_the_schedule_and_a_request() {
        assert_eq!(
            OneOffCall::login_wait(&RetryPolicy::default()),
            Duration::from_secs(5 + 10 + 15 + 30)
        );
        let step: OneOffStep<(), u8> = OneOffStep::Fail(1);
        assert_eq!(step.map_err(u16::from), OneOffStep::Fail(1u16));
    }
}
