//! [`VisitorConfig`]: everything a visitor machine is started with.

use std::time::Duration;

use crate::auth::AppKey;
use crate::codec::Limits;
use crate::cursor::{ChatCursor, TokenError};
use crate::machine::clock::WallClock;
use crate::model::ChatRequest;
use crate::ops::{BaseUri, Options};
use crate::retry::RetryPolicy;
use crate::Format;

/// The configuration of a [`VisitorMachine`](super::VisitorMachine).
///
/// `Debug` shows no secret: the app key is a [`crate::auth::Secret`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VisitorConfig {
    /// The account's `conversationVep` host and account id.
    pub base: BaseUri,
    /// The app key (`Authorization: LivePerson appKey=…`, or the `appKey` query parameter
    /// with [`Options::app_key_in_query`]).
    pub app_key: AppKey,
    /// The chat request (V8): skill, LETag ids, pre-chat lines, ….
    pub request: ChatRequest,
    /// Pins instants to Unix time, for `Retry-After` dates when a response has no `Date`.
    pub wall_clock: Option<WallClock>,
    /// Seeds the jitter.
    pub seed: u64,
    /// The body format: JSON.
    pub format: Format,
    /// Wire switches.
    pub options: Options,
    /// Decode limits for responses.
    pub limits: Limits,
    /// The retry policy: LivePerson's documented schedule.
    pub retry: RetryPolicy,
    /// The chat poll (V10, through `next`) interval: 2 s (the browser SDK's), at least 1 s.
    pub poll_interval: Duration,
    /// The keepalive (V13, Retrieve Chat Information) interval: 30 s (spec §8).
    pub keepalive_interval: Duration,
    /// A chat to go on with instead of requesting one: its URL and where its cursor stood.
    pub resume: Option<(String, ChatCursor)>,
    /// How long an answer is waited for before the request counts as timed out:
    /// [`DEFAULT_REQUEST_DEADLINE`](crate::machine::DEFAULT_REQUEST_DEADLINE) (60 s), at
    /// least 1 s. Keep it above the transport's longest exchange.
    pub request_deadline: Duration,
}

impl VisitorConfig {
    /// The documented defaults for this account, app key and chat request.
    pub fn new(base: BaseUri, app_key: AppKey, request: ChatRequest) -> Self {
        VisitorConfig {
            base,
            app_key,
            request,
            wall_clock: None,
            seed: 0,
            format: Format::Json,
            options: Options::default(),
            limits: Limits::default(),
            retry: RetryPolicy::default(),
            poll_interval: Duration::from_secs(2),
            keepalive_interval: Duration::from_secs(30),
            resume: None,
            request_deadline: crate::machine::DEFAULT_REQUEST_DEADLINE,
        }
    }

    /// With another deadline for answers (at least 1 s).
    pub fn with_request_deadline(mut self, deadline: Duration) -> Self {
        self.request_deadline = deadline;
        self
    }

    /// With a seed for the jitter.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// With a wall-clock pin.
    pub fn with_wall_clock(mut self, clock: WallClock) -> Self {
        self.wall_clock = Some(clock);
        self
    }

    /// With another body format.
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// With wire switches.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// With another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Going on with the chat at `chat_href` (the `Location` of its request, see
    /// [`super::VisitorMachine::chat_href`]) from where `token` (see
    /// [`super::VisitorMachine::cursor_token`]) stood: nothing repeated, nothing skipped.
    pub fn resume(mut self, chat_href: impl Into<String>, token: &str) -> Result<Self, TokenError> {
        self.resume = Some((chat_href.into(), ChatCursor::from_token(token)?));
        Ok(self)
    }

    /// The intervals as the machine uses them: none below one second.
    pub(crate) fn normalized(mut self) -> Self {
        let second = Duration::from_secs(1);
        self.poll_interval = self.poll_interval.max(second);
        self.keepalive_interval = self.keepalive_interval.max(second);
        self.request_deadline = self.request_deadline.max(second);
        self
    }
}
