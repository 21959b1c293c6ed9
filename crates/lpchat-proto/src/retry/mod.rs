//! The retry policy: a pure function from a failure and the attempt to a decision.
//!
//! No clock and no randomness of its own: the caller passes the attempt number, the wall
//! time (unix seconds, for `Retry-After` dates) and a jitter sample in `[0, 1)`, so every
//! decision can be tested exactly. [`RetryPolicy::default`] is LivePerson's documented
//! schedule (spec §8):
//!
//! - 4xx (except 429): not retried, the request must be fixed.
//! - 429: retried after `max(Retry-After, 1 s)`, up to 10 times (the count is ours; the
//!   documentation gives none).
//! - 5xx: retried 3 times, pausing 5 s, 10 s, 15 s; a `Retry-After` lengthens a pause, never
//!   shortens it. Transport failures (no connection, timeout, dropped connection, bad body)
//!   follow the same schedule.
//! - After that, callers that keep going (a poll loop, a session that must come back) go on
//!   in a slower outer loop: every 2 minutes, or exponentially (2, 4, 8 min …, capped) with
//!   [`OuterLoop::Exponential`]. Other callers give up.
//! - Jitter: schedule pauses vary by ±10% around their value; pauses the server asked for
//!   (`Retry-After`, the 1 s floor of a 429) only upwards, so they are always honoured.
//! - `Retry-After` is read in both forms (delta-seconds and HTTP-date) and capped at
//!   5 minutes, so a wrong server cannot park a client for a day.
//!
//! # Requests that change server state
//!
//! A line, an accept, a transfer or an end ([`Idempotency::StateChanging`]) is never
//! repeated unless the failure proves the server did not act on it. When the outcome is
//! unknown, the decision is [`Decision::Reconcile`]: after the pause, read the server's state
//! (the chat's events: is the line there? is the chat ours?) and send again, as the next
//! attempt, only if the request did not take effect. A blind repeat would show a visitor the
//! same line twice.
//!
//! | Failure | [`Idempotency::Safe`] | [`Idempotency::StateChanging`] | Why |
//! |---|---|---|---|
//! | 4xx except 429, or a status below 400 or above 599 | `GiveUp` | `GiveUp` | The request is wrong; sending it again cannot help. 401 belongs to the login flow. |
//! | 429 | `Retry` after `max(Retry-After, 1 s)` | `Retry` after the same | A rate limiter refuses before the request is handled. |
//! | 5xx | `Retry` 5, 10, 15 s | `Reconcile` 5, 10, 15 s | A 500 or 504 may come after the server acted. |
//! | 503 with `Retry-After` | `Retry` after `max(schedule, Retry-After)` | `Reconcile` after the same | Proxies answer 503 for an upstream reset after forwarding the request, so a 503 does not prove the request was not handled. |
//! | [`Failure::ConnectFailed`] | `Retry` 5, 10, 15 s | `Retry` 5, 10, 15 s | No connection, so nothing was sent. |
//! | [`Failure::Timeout`] | `Retry` 5, 10, 15 s | `Reconcile` 5, 10, 15 s | The request was sent; its fate is unknown. |
//! | [`Failure::ConnectionDropped`] | `Retry` 5, 10, 15 s | `Reconcile` 5, 10, 15 s | The same. |
//! | [`Failure::BodyInvalid`] | `Retry` 5, 10, 15 s | `Reconcile` 5, 10, 15 s | The server answered, so it most likely acted; only the answer was lost. |
//! | any of the retried ones after the schedule | `Retry` in the outer loop, or `GiveUp` | `Retry`/`Reconcile` in the outer loop, or `GiveUp` | Only callers that keep going go on. |
//!
//! A `GiveUp` after a state-changing failure whose outcome was unknown leaves it unknown:
//! the caller reports it as such (or reads the server's state once more) rather than as
//! "not sent".

mod failure;
mod http_date;

use std::time::Duration;

use http::StatusCode;

pub use failure::{Failure, RetryAfter};

/// Whether a request may be sent twice without harm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// Reading (GET), or setting a value to the same thing again (availability, typing).
    Safe,
    /// A line, an accept, a transfer, an end: sent twice, it happens twice.
    StateChanging,
}

/// The failed attempt the policy decides about.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Attempt {
    /// Which attempt failed: 1 for the first try, 2 for the first retry, … (0 counts as 1).
    pub number: u32,
    /// Whether the request may be repeated blindly.
    pub idempotency: Idempotency,
    /// Whether the caller goes on after the schedule, in the outer loop (a poll loop).
    pub keep_going: bool,
    /// The wall time, in seconds since the unix epoch, for `Retry-After` dates.
    pub now_unix: u64,
    /// A uniform random sample in `[0, 1)` for the jitter (clamped into `[0, 1]`; `NaN`
    /// counts as 0.5, the middle).
    pub jitter_sample: f64,
}

impl Attempt {
    /// Attempt `number` of a request, failed at `now_unix`, with a jitter sample. The
    /// caller gives up after the schedule unless [`Attempt::keep_going`] is set.
    pub fn new(number: u32, idempotency: Idempotency, now_unix: u64, jitter_sample: f64) -> Self {
        Attempt {
            number,
            idempotency,
            keep_going: false,
            now_unix,
            jitter_sample,
        }
    }

    /// The same attempt, by a caller that goes on in the outer loop after the schedule.
    pub fn keep_going(mut self) -> Self {
        self.keep_going = true;
        self
    }
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send the same request again after this pause.
    Retry {
        /// The pause.
        after: Duration,
    },
    /// The outcome of a state-changing request is unknown: after this pause, read the
    /// server's state; send again (as the next attempt) only if the request did not take
    /// effect. Never a blind repeat.
    Reconcile {
        /// The pause.
        after: Duration,
    },
    /// Stop and report the failure.
    GiveUp,
}

impl Decision {
    /// The pause before the retry or the reconciliation; `None` for `GiveUp`.
    pub fn after(&self) -> Option<Duration> {
        match self {
            Decision::Retry { after } | Decision::Reconcile { after } => Some(*after),
            Decision::GiveUp => None,
        }
    }
}

/// The slower loop after the schedule, for callers that keep going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OuterLoop {
    /// The same pause every time (documented example: 2 minutes).
    Fixed(Duration),
    /// `first`, then doubling each time (2, 4, 8 min …), never above `max`.
    Exponential {
        /// The first pause.
        first: Duration,
        /// The longest pause.
        max: Duration,
    },
}

impl OuterLoop {
    /// The pause of the `step`-th attempt of the outer loop (from 0).
    pub fn pause(&self, step: u32) -> Duration {
        match *self {
            OuterLoop::Fixed(pause) => pause,
            OuterLoop::Exponential { first, max } => 1u32
                .checked_shl(step)
                .and_then(|factor| first.checked_mul(factor))
                .map_or(max, |pause| pause.min(max)),
        }
    }
}

/// The retry policy. Fields are public so that any of them can be configured; the
/// default is LivePerson's documented schedule (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The pauses before the retries of a 5xx or transport failure: 5, 10, 15 s.
    pub schedule: Vec<Duration>,
    /// After the schedule, for callers that keep going: every 2 minutes.
    pub outer: OuterLoop,
    /// The least pause after a 429: 1 s.
    pub rate_limit_floor: Duration,
    /// How many 429s in a row are retried before the outer loop or giving up: 10.
    pub rate_limit_retries: u32,
    /// The longest `Retry-After` honoured; longer ones are cut to it: 5 minutes.
    pub max_retry_after: Duration,
    /// The jitter proportion: 0.1 varies schedule pauses by ±10% (clamped into `[0, 1]`).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            schedule: vec![
                Duration::from_secs(5),
                Duration::from_secs(10),
                Duration::from_secs(15),
            ],
            outer: OuterLoop::Fixed(Duration::from_secs(120)),
            rate_limit_floor: Duration::from_secs(1),
            rate_limit_retries: 10,
            max_retry_after: Duration::from_secs(300),
            jitter: 0.1,
        }
    }
}

impl RetryPolicy {
    /// The same policy with another schedule of pauses.
    pub fn with_schedule(mut self, schedule: Vec<Duration>) -> Self {
        self.schedule = schedule;
        self
    }

    /// The same policy with another outer loop.
    pub fn with_outer(mut self, outer: OuterLoop) -> Self {
        self.outer = outer;
        self
    }

    /// The same policy with another jitter proportion (0 for none).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// The same policy with another cap on `Retry-After`.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// What to do after `failure` of `attempt`.
    pub fn decide(&self, failure: &Failure, attempt: &Attempt) -> Decision {
        let n = attempt.number.max(1);
        let jitter = Jitter::new(self.jitter, attempt.jitter_sample);
        let asked = failure
            .retry_after()
            .map(|ra| ra.delay(attempt.now_unix).min(self.max_retry_after));
        match failure {
            Failure::Status { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS => {
                let floor = jitter.up(asked.unwrap_or_default().max(self.rate_limit_floor));
                if n <= self.rate_limit_retries {
                    return Decision::Retry { after: floor };
                }
                let step = n - self.rate_limit_retries - 1;
                match self.outer_pause(step, attempt, &jitter) {
                    Some(pause) => Decision::Retry {
                        after: pause.max(floor),
                    },
                    None => Decision::GiveUp,
                }
            }
            Failure::Status { status, .. } if !status.is_server_error() => Decision::GiveUp,
            _ => {
                let index = usize::try_from(n - 1).unwrap_or(usize::MAX);
                let pause = match self.schedule.get(index) {
                    Some(pause) => jitter.both_ways(*pause),
                    None => {
                        let step = index.saturating_sub(self.schedule.len());
                        let step = u32::try_from(step).unwrap_or(u32::MAX);
                        match self.outer_pause(step, attempt, &jitter) {
                            Some(pause) => pause,
                            None => return Decision::GiveUp,
                        }
                    }
                };
                let after = match asked {
                    Some(asked) => pause.max(jitter.up(asked)),
                    None => pause,
                };
                if attempt.idempotency == Idempotency::Safe || failure.certainly_not_applied() {
                    Decision::Retry { after }
                } else {
                    Decision::Reconcile { after }
                }
            }
        }
    }

    fn outer_pause(&self, step: u32, attempt: &Attempt, jitter: &Jitter) -> Option<Duration> {
        attempt
            .keep_going
            .then(|| jitter.both_ways(self.outer.pause(step)))
    }
}

/// A jitter proportion and sample, made safe to compute with.
struct Jitter {
    proportion: f64,
    sample: f64,
}

impl Jitter {
    fn new(proportion: f64, sample: f64) -> Self {
        Jitter {
            proportion: if proportion.is_finite() {
                proportion.clamp(0.0, 1.0)
            } else {
                0.0
            },
            sample: if sample.is_finite() {
                sample.clamp(0.0, 1.0)
            } else {
                0.5
            },
        }
    }

    /// `pause` × (1 ± proportion): a sample of 0.5 keeps it as it is.
    fn both_ways(&self, pause: Duration) -> Duration {
        scale(pause, 1.0 + self.proportion * (2.0 * self.sample - 1.0))
    }

    /// `pause` × (1 + proportion × sample): never below what was asked for.
    fn up(&self, pause: Duration) -> Duration {
        scale(pause, 1.0 + self.proportion * self.sample)
    }
}

fn scale(pause: Duration, factor: f64) -> Duration {
    if factor == 1.0 {
        return pause;
    }
    // `factor` is within [0, 2]; only an enormous pause can overflow.
    Duration::try_from_secs_f64(pause.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn exponential_outer_loop_doubles_up_to_its_cap() {
        let outer = OuterLoop::Exponential {
            first: 2 * MIN,
            max: 8 * MIN,
        };
        let pauses: Vec<Duration> = (0..6).map(|s| outer.pause(s)).collect();
        assert_eq!(
            pauses,
            [2 * MIN, 4 * MIN, 8 * MIN, 8 * MIN, 8 * MIN, 8 * MIN]
        );
        assert_eq!(outer.pause(31), 8 * MIN);
        assert_eq!(outer.pause(32), 8 * MIN);
        assert_eq!(outer.pause(u32::MAX), 8 * MIN);
        let huge = OuterLoop::Exponential {
            first: Duration::MAX,
            max: Duration::MAX,
        };
        assert_eq!(huge.pause(1), Duration::MAX);
        assert_eq!(OuterLoop::Fixed(2 * MIN).pause(40), 2 * MIN);
    }

    #[test]
    fn jitter_inputs_are_made_safe() {
        let five = Duration::from_secs(5);
        assert_eq!(Jitter::new(0.1, 0.5).both_ways(five), five);
        assert_eq!(Jitter::new(0.1, f64::NAN).both_ways(five), five);
        assert_eq!(Jitter::new(f64::NAN, 0.0).both_ways(five), five);
        assert_eq!(
            Jitter::new(0.1, -3.0).both_ways(five),
            Duration::from_millis(4500)
        );
        assert_eq!(
            Jitter::new(0.1, 7.0).both_ways(five),
            Duration::from_millis(5500)
        );
        assert_eq!(Jitter::new(5.0, 0.0).both_ways(five), Duration::ZERO);
        assert_eq!(Jitter::new(f64::INFINITY, 1.0).up(five), five);
        assert_eq!(Jitter::new(1.0, 1.0).up(Duration::MAX), Duration::MAX);
        assert_eq!(Jitter::new(0.1, 0.0).up(five), five);
    }

    #[test]
    fn attempt_zero_counts_as_the_first() {
        let policy = RetryPolicy::default();
        let failure = Failure::status(StatusCode::INTERNAL_SERVER_ERROR);
        let zero = Attempt::new(0, Idempotency::Safe, 0, 0.5);
        let one = Attempt::new(1, Idempotency::Safe, 0, 0.5);
        assert_eq!(
            policy.decide(&failure, &zero),
            policy.decide(&failure, &one)
        );
        let last = Attempt::new(u32::MAX, Idempotency::Safe, 0, 0.5);
        assert_eq!(policy.decide(&failure, &last), Decision::GiveUp);
        assert_eq!(
            policy.decide(&failure, &last.keep_going()).after(),
            Some(2 * MIN)
        );
    }

    #[test]
    fn an_empty_schedule_goes_straight_to_the_outer_loop() {
        let policy = RetryPolicy::default().with_schedule(vec![]);
        let failure = Failure::Timeout;
        let attempt = Attempt::new(1, Idempotency::Safe, 0, 0.5);
        assert_eq!(policy.decide(&failure, &attempt), Decision::GiveUp);
        assert_eq!(
            policy.decide(&failure, &attempt.keep_going()),
            Decision::Retry { after: 2 * MIN }
        );
    }
}
