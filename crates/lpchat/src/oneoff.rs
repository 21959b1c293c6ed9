//! One-off requests (operations the machines run no loop for: available agents, chat info,
//! surveys, a raw GET, the visitor's availability, exit survey, transcript …), for agent
//! sessions and the visitor side alike. This is the I/O loop only: it takes a context, builds
//! and sends each attempt, sleeps the pauses and waits for the logins; what each outcome
//! means (a re-login, a retry, the error, an unknown outcome) is decided by the core's
//! [`OneOffCall`], with the same rules as the machines' own requests.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Response;
use lpchat_proto::machine::{OneOffCall, OneOffStep, Rng};
use lpchat_proto::ops::Context;
use lpchat_proto::{Limits, Operation, RetryPolicy};

use crate::error::Error;
use crate::transport::Transport;

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
        OneOffCall::login_wait(&self.policy)
    }

    /// The jitter of one call: its own stream, seeded from the shared one, so that calls
    /// running at once do not share a lock.
    fn call_rng(&self) -> Rng {
        // Nothing panics while holding the lock; a poisoned one still holds a usable state.
        let mut shared = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        Rng::new(shared.next_u64())
    }

    /// Runs `op` with `auth`'s context until it succeeds, the policy gives up, or a
    /// state-changing request's outcome is unknown.
    pub(crate) async fn run<O: Operation>(
        &self,
        op: O,
        auth: &impl Authority,
    ) -> Result<O::Output, Error> {
        let mut call = OneOffCall::new(&op, self.policy.clone(), self.limits)
            .with_relogin(auth.can_relogin())
            .with_rng(self.call_rng())
            .with_wall_clock(crate::client::wall_clock());
        let mut refused = None;
        loop {
            let (ctx, generation) = auth.context(refused, self.login_wait()).await?;
            let request = op.build(&ctx)?;
            let step = match self.transport.execute(request).await {
                Ok(response) => {
                    auth.observe(generation, &response);
                    call.handle_response(&op, response, generation, Instant::now())
                        .map_err(Error::Api)
                }
                Err(t) => call
                    .handle_failure(t.kind, Instant::now())
                    .map_err(|_| Error::Transport(t)),
            };
            match step {
                OneOffStep::Done(output) => return Ok(output),
                OneOffStep::Relogin { refused: g } => {
                    tracing::debug!(
                        endpoint = O::ENDPOINT,
                        "one-off request unauthorized: waiting for the next login"
                    );
                    refused = Some(g);
                }
                OneOffStep::Retry { after } => {
                    tracing::debug!(
                        endpoint = O::ENDPOINT,
                        attempt = call.attempts(),
                        pause_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                        "one-off request retried"
                    );
                    tokio::time::sleep(after).await;
                }
                OneOffStep::Fail(error) => return Err(error),
                OneOffStep::OutcomeUnknown { failure } => {
                    return Err(Error::OutcomeUnknown {
                        endpoint: O::ENDPOINT,
                        failure,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_waits_for_a_login_as_long_as_the_schedule_and_a_request() {
        let transport = Transport::new(&crate::TransportConfig::default()).unwrap();
        let oneoff = OneOff::new(transport, Limits::default(), RetryPolicy::default(), 1);
        assert_eq!(oneoff.login_wait(), Duration::from_secs(5 + 10 + 15 + 30));
    }
}
