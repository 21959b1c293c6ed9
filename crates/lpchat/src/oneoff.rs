//! One-off requests (operations the machines run no loop for: available agents, chat info,
//! surveys, a raw GET, the visitor's availability, exit survey, transcript …), sent with the
//! same policy as the machines' own requests, in one place for agent sessions and the
//! visitor side:
//!
//! - a 401 waits for the session's next login (one re-login at a time: the driver knows
//!   when a newer login generation is ready) and goes again once, with the new context;
//! - 5xx, 429 (with `Retry-After`) and transport failures follow the [`RetryPolicy`]
//!   (LivePerson's 5/10/15 s schedule with jitter) for requests that may be repeated
//!   ([`Idempotency::Safe`]: GETs, PUTs that set a state);
//! - a state-changing request whose outcome is unknown (a 5xx, a timeout, a dropped
//!   connection or a cut answer after it left) is not sent again blindly: the call fails
//!   with [`Error::OutcomeUnknown`]. Failures that prove it was not handled (no connection,
//!   429) are retried like the others.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::DATE;
use http::{HeaderMap, Response};
use lpchat_proto::machine::Rng;
use lpchat_proto::ops::Context;
use lpchat_proto::retry::{Attempt, Decision, Failure, RetryAfter};
use lpchat_proto::{Limits, Operation, RetryPolicy};

use crate::error::Error;
use crate::transport::Transport;

/// How long a one-off call waits for a login beyond the retry schedule (a login request's
/// own time).
const LOGIN_WAIT_SLACK: Duration = Duration::from_secs(30);

/// Who authenticates one-off requests: an agent session (its login, which can be renewed)
/// or a fixed context (the visitor's app key).
pub(crate) trait Authority {
    /// The context of the next attempt and its login generation. With `refused` (the
    /// generation a 401 came back with) it waits, at most `wait`, for a newer login.
    fn context(
        &self,
        refused: Option<u64>,
        wait: Duration,
    ) -> impl Future<Output = Result<(Context, u64), Error>> + Send;

    /// The response to an attempt sent with `generation`: the session keeps its cookies, and
    /// a 401 starts its re-login.
    fn observe(&self, generation: u64, response: &Response<Bytes>);

    /// Whether a 401 can be cured by logging in again (an app key cannot).
    fn can_relogin(&self) -> bool;
}

/// A fixed context (the visitor side): no login to renew.
impl Authority for Context {
    async fn context(
        &self,
        _refused: Option<u64>,
        _wait: Duration,
    ) -> Result<(Context, u64), Error> {
        Ok((self.clone(), 0))
    }

    fn observe(&self, _generation: u64, _response: &Response<Bytes>) {}

    fn can_relogin(&self) -> bool {
        false
    }
}

/// Sends one-off requests with retries: the transport, decode limits, the retry policy and
/// the randomness of its jitter.
#[derive(Debug)]
pub(crate) struct OneOff {
    transport: Transport,
    limits: Limits,
    policy: RetryPolicy,
    rng: Mutex<Rng>,
}

impl OneOff {
    /// One-off requests over `transport` with this policy; `seed` seeds the jitter.
    pub(crate) fn new(
        transport: Transport,
        limits: Limits,
        policy: RetryPolicy,
        seed: u64,
    ) -> Self {
        OneOff {
            transport,
            limits,
            policy,
            // Not the machine's sequence: another stream from the same seed.
            rng: Mutex::new(Rng::new(seed ^ 0x0ff0_0ff0_0ff0_0ff0)),
        }
    }

    /// How long a call waits for a login: the retry schedule plus a request's time.
    pub(crate) fn login_wait(&self) -> Duration {
        self.policy
            .schedule
            .iter()
            .fold(LOGIN_WAIT_SLACK, |sum, pause| sum.saturating_add(*pause))
    }

    fn jitter_sample(&self) -> f64 {
        self.rng.lock().map_or(0.5, |mut rng| rng.unit())
    }

    /// Runs `op` with `auth`'s context until it succeeds, the policy gives up, or a
    /// state-changing request's outcome is unknown.
    pub(crate) async fn run<O: Operation>(
        &self,
        op: O,
        auth: &impl Authority,
    ) -> Result<O::Output, Error> {
        let mut refused = None;
        let mut relogged = false;
        let mut attempt: u32 = 0;
        loop {
            let (ctx, generation) = auth.context(refused, self.login_wait()).await?;
            let request = op.build(&ctx)?;
            let (failure, error, headers) = match self.transport.execute(request).await {
                Ok(response) => {
                    auth.observe(generation, &response);
                    let failure = if response.status().is_success() {
                        Failure::BodyInvalid
                    } else {
                        Failure::from_response(&response)
                    };
                    let headers = response.headers().clone();
                    match op.parse_with(response, &self.limits) {
                        Ok(output) => return Ok(output),
                        Err(e) if e.is_unauthorized() && !relogged && auth.can_relogin() => {
                            // A 401 did not act on the server: go again once, logged in anew.
                            tracing::debug!(
                                endpoint = O::ENDPOINT,
                                "one-off request unauthorized: waiting for the next login"
                            );
                            relogged = true;
                            refused = Some(generation);
                            continue;
                        }
                        Err(
                            e @ (lpchat_proto::ops::Error::Status(_)
                            | lpchat_proto::ops::Error::Decode(_)),
                        ) => (failure, Error::Api(e), Some(headers)),
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(t) => (t.kind.as_failure(), Error::Transport(t), None),
            };
            attempt = attempt.saturating_add(1);
            let at = Attempt::new(
                attempt,
                op.idempotency(),
                now_unix(headers.as_ref()),
                self.jitter_sample(),
            );
            match self.policy.decide(&failure, &at) {
                Decision::Retry { after } => {
                    tracing::debug!(
                        endpoint = O::ENDPOINT,
                        attempt,
                        pause_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                        "one-off request retried"
                    );
                    tokio::time::sleep(after).await;
                }
                Decision::Reconcile { .. } => {
                    return Err(Error::OutcomeUnknown {
                        endpoint: O::ENDPOINT,
                        failure,
                    })
                }
                Decision::GiveUp => return Err(error),
            }
        }
    }
}

/// The Unix time to read a `Retry-After` date against: the response's own `Date` (the
/// server's clock), else the system clock.
fn now_unix(headers: Option<&HeaderMap>) -> u64 {
    let server = headers
        .and_then(|h| h.get(DATE))
        .and_then(|v| v.to_str().ok())
        .and_then(RetryAfter::parse)
        .and_then(|date| match date {
            RetryAfter::Date(secs) => u64::try_from(secs).ok(),
            RetryAfter::Seconds(_) => None,
        });
    server.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_dates_are_read_against_the_servers_clock() {
        let mut headers = HeaderMap::new();
        headers.insert(DATE, "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap());
        assert_eq!(now_unix(Some(&headers)), 784_111_777);
        headers.insert(DATE, "yesterday".parse().unwrap());
        assert!(now_unix(Some(&headers)) > 1_700_000_000, "the system clock");
        assert!(now_unix(None) > 1_700_000_000);
    }

    #[test]
    fn a_call_waits_for_a_login_as_long_as_the_schedule_and_a_request() {
        let transport = Transport::new(&crate::TransportConfig::default()).unwrap();
        let oneoff = OneOff::new(transport, Limits::default(), RetryPolicy::default(), 1);
        assert_eq!(oneoff.login_wait(), Duration::from_secs(5 + 10 + 15 + 30));
    }
}
