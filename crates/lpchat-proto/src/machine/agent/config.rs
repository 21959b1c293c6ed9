//! [`AgentConfig`]: everything an agent machine is started with.

use std::time::Duration;

use crate::auth::Credentials;
use crate::codec::Limits;
use crate::cursor::{CursorSet, TokenError};
use crate::machine::clock::WallClock;
use crate::machine::login::LoginSettings;
use crate::model::AgentState;
use crate::ops::{BaseUri, Options};
use crate::retry::RetryPolicy;
use crate::Format;

/// The multi-chat poll is never sent more often than this (spec §8: chat sessions no faster
/// than every 2 s; the sample app polls every 2 s).
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The longest pause between two agent requests: the incoming poll never waits longer, so
/// the server's idle logout (400 s without an agent request, spec A2) never comes.
const MAX_IDLE: Duration = Duration::from_secs(300);

/// What the machine does when the server shows an availability the user did not ask for
/// (spec A6: a chat that rings unaccepted for 20 s sets the agent Away).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ForcedAwayPolicy {
    /// Set the wanted availability again at once (the documented advice for bots).
    #[default]
    Reassert,
    /// Take what the server shows as the new wanted availability.
    Adopt,
}

/// The configuration of an [`AgentMachine`](super::AgentMachine).
///
/// `Debug` shows no secret: credentials are [`crate::auth::Secret`]s.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AgentConfig {
    /// The account's `agentVep` host and account id (login and agent API).
    pub base: BaseUri,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Pins the machine's instants to Unix time, for OAuth timestamps and `Retry-After`
    /// dates.
    pub wall_clock: WallClock,
    /// Seeds the generator of jitter and OAuth nonces.
    pub seed: u64,
    /// The body format of agent requests: JSON.
    pub format: Format,
    /// Wire switches.
    pub options: Options,
    /// Decode limits for responses.
    pub limits: Limits,
    /// The retry policy: LivePerson's documented schedule.
    pub retry: RetryPolicy,
    /// The login lifecycle's settings.
    pub login: LoginSettings,
    /// The multi-chat poll (A13) interval: 2 s, never less.
    pub poll_interval: Duration,
    /// The incoming-requests poll (A10) interval: 2 s; at most 5 minutes, so the agent
    /// session never reaches its idle logout (400 s, spec A2).
    pub incoming_interval: Duration,
    /// How often the availability (A5) is read to catch a forced Away: 10 s.
    pub availability_interval: Duration,
    /// The availability set once the session starts: `Online`; `None` leaves it as it is.
    pub initial_availability: Option<AgentState>,
    /// What to do about a forced availability.
    pub forced_away: ForcedAwayPolicy,
    /// Accept every offered chat without waiting for [`super::AgentMachine::accept_next`]:
    /// whenever a poll counts chats ringing and no accept is under way, and again at once
    /// after an accept while the last poll counted more chats than were accepted since.
    pub auto_accept: bool,
    /// Chats to go on polling from where a saved token stopped (see
    /// [`super::AgentMachine::cursor_token`]).
    pub resume: CursorSet,
    /// How long an answer is waited for before the request counts as timed out:
    /// [`DEFAULT_REQUEST_DEADLINE`](crate::machine::DEFAULT_REQUEST_DEADLINE) (60 s), at
    /// least 1 s. Keep it above the transport's longest exchange.
    pub request_deadline: Duration,
}

impl AgentConfig {
    /// The documented defaults for this account, these credentials and this clock pin.
    pub fn new(base: BaseUri, credentials: Credentials, wall_clock: WallClock) -> Self {
        AgentConfig {
            base,
            credentials,
            wall_clock,
            seed: 0,
            format: Format::Json,
            options: Options::default(),
            limits: Limits::default(),
            retry: RetryPolicy::default(),
            login: LoginSettings::default(),
            poll_interval: MIN_POLL_INTERVAL,
            incoming_interval: Duration::from_secs(2),
            availability_interval: Duration::from_secs(10),
            initial_availability: Some(AgentState::Online),
            forced_away: ForcedAwayPolicy::default(),
            auto_accept: false,
            resume: CursorSet::new(),
            request_deadline: crate::machine::DEFAULT_REQUEST_DEADLINE,
        }
    }

    /// With a seed for jitter and nonces.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
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

    /// With another deadline for answers (at least 1 s).
    pub fn with_request_deadline(mut self, deadline: Duration) -> Self {
        self.request_deadline = deadline;
        self
    }

    /// With another multi-chat poll interval (raised to [`MIN_POLL_INTERVAL`]).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// With another availability to set at the start (`None`: leave it).
    pub fn with_initial_availability(mut self, state: Option<AgentState>) -> Self {
        self.initial_availability = state;
        self
    }

    /// With another forced-availability policy.
    pub fn with_forced_away(mut self, policy: ForcedAwayPolicy) -> Self {
        self.forced_away = policy;
        self
    }

    /// Accepting every offered chat.
    pub fn with_auto_accept(mut self, auto: bool) -> Self {
        self.auto_accept = auto;
        self
    }

    /// Resuming the chats of a token from [`super::AgentMachine::cursor_token`]: each goes
    /// on from its first undelivered event, none repeated, none skipped.
    pub fn resume_from(mut self, token: &str) -> Result<Self, TokenError> {
        self.resume = CursorSet::from_token(token)?;
        Ok(self)
    }

    /// The intervals as the machine uses them: none below one second, and the multi-chat
    /// poll none below [`MIN_POLL_INTERVAL`].
    pub(crate) fn normalized(mut self) -> Self {
        let second = Duration::from_secs(1);
        self.poll_interval = self.poll_interval.max(MIN_POLL_INTERVAL);
        self.incoming_interval = self.incoming_interval.clamp(second, MAX_IDLE);
        self.availability_interval = self.availability_interval.max(second);
        self.login.refresh_max = self.login.refresh_max.max(second);
        self.request_deadline = self.request_deadline.max(second);
        self
    }
}
