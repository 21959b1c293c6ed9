//! The login lifecycle of an agent machine (spec §4, §7): log in (L1), keep the login alive
//! (L2), log in again after a 401 (one at a time, by generations), log out (L3) — and the
//! session's cookie jar. The rules are in the [machine docs](super#login-lifecycle).

use std::time::{Duration, Instant};

use http::HeaderMap;

use super::answer::{retry_loop, Sent};
use super::clock::WallClock;
use super::event::{MachineError, MachineEvent, SessionLostReason};
use super::outbox::Outbox;
use super::reply::{after, Reply, Retrier};
use super::rng::Rng;
use super::schedule::Schedule;
use super::states::{enter, start, States};
use crate::auth::{CookieJar, Credentials, Secret};
use crate::model::LoginResponse;
use crate::ops::{Auth, Context, Login as LoginOp, Logout, Refresh};
use crate::retry::Failure;

/// Settings of the login lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginSettings {
    /// The longest pause between refreshes: 5 minutes (spec §7.3, §8).
    pub refresh_max: Duration,
    /// Sign agent requests with OAuth 1.0 when the credentials are an API key: true.
    pub sign_requests: bool,
    /// How many re-logins in a row, without an agent request of the current login succeeding
    /// in between, before the session counts as lost: 3.
    pub max_relogins: u32,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings {
            refresh_max: Duration::from_secs(300),
            sign_requests: true,
            max_relogins: 3,
        }
    }
}

/// Where the login stands (the diagram `login` of `docs/architecture.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthState {
    /// A login (first or again) is due or in flight; agent requests wait.
    LoggingIn,
    /// Agent requests may go.
    Ready,
    /// Logging out after `close()`.
    LoggingOut,
    /// Logged out, or never logged in and closed.
    Done,
    /// Lost for good.
    Lost,
}

impl States for AuthState {
    const DIAGRAM: &'static str = "login";
    // An existing bearer moves to Ready at once; a visitor app key to Lost.
    const START: &'static [Self] = &[AuthState::LoggingIn];
    const MOVES: &'static [(Self, Self)] = &[
        (AuthState::LoggingIn, AuthState::Ready),
        (AuthState::LoggingIn, AuthState::Done),
        (AuthState::LoggingIn, AuthState::Lost),
        (AuthState::Ready, AuthState::LoggingIn),
        (AuthState::Ready, AuthState::LoggingOut),
        (AuthState::Ready, AuthState::Done),
        (AuthState::Ready, AuthState::Lost),
        (AuthState::LoggingOut, AuthState::Done),
        (AuthState::LoggingOut, AuthState::Lost),
    ];
    fn name(self) -> &'static str {
        match self {
            AuthState::LoggingIn => "LoggingIn",
            AuthState::Ready => "Ready",
            AuthState::LoggingOut => "LoggingOut",
            AuthState::Done => "Done",
            AuthState::Lost => "Lost",
        }
    }
}

/// Which Login Service call a request is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LoginCall {
    /// L1.
    Login(LoginOp),
    /// L2.
    Refresh(Refresh),
    /// L3.
    Logout(Logout),
}

/// The login lifecycle and the cookie jar of one agent session.
#[derive(Debug)]
pub(crate) struct LoginState {
    credentials: Credentials,
    settings: LoginSettings,
    bearer: Option<Secret>,
    csrf: Option<Secret>,
    jar: CookieJar,
    generation: u64,
    state: AuthState,
    login: Schedule,
    refresh: Schedule,
    logout: Schedule,
    relogins: u32,
    /// The refresh interval the last login's `sessionTTl` gave.
    refresh_every: Option<Duration>,
}

impl LoginState {
    /// The lifecycle of these credentials, starting at `now`. An existing bearer is ready at
    /// once (and `LoggedIn` is emitted); credentials that log in are due to log in now.
    pub(crate) fn new<P>(
        credentials: Credentials,
        settings: LoginSettings,
        now: Instant,
        out: &mut Outbox<P>,
    ) -> Self {
        let mut this = LoginState {
            credentials,
            settings,
            bearer: None,
            csrf: None,
            jar: CookieJar::new(),
            generation: 0,
            state: start(AuthState::LoggingIn),
            login: Schedule::default(),
            refresh: Schedule::default(),
            logout: Schedule::default(),
            relogins: 0,
            refresh_every: None,
        };
        match &this.credentials {
            Credentials::Bearer(existing) => {
                this.bearer = Some(existing.bearer.clone());
                this.csrf = existing.csrf.clone();
                enter(&mut this.state, AuthState::Ready);
                this.generation = 1;
                if this.csrf.is_some() {
                    this.refresh = Schedule::due_at(after(now, this.settings.refresh_max));
                }
                out.emit(MachineEvent::LoggedIn);
            }
            c if c.needs_login() => this.login = Schedule::due_at(now),
            _ => {
                // A visitor app key cannot authenticate agent requests.
                enter(&mut this.state, AuthState::Lost);
                out.emit(MachineEvent::SessionLost(SessionLostReason::Unauthorized));
            }
        }
        this
    }

    /// Whether agent requests may be sent.
    pub(crate) fn ready(&self) -> bool {
        self.state == AuthState::Ready
    }

    /// Where the login stands.
    pub(crate) fn state(&self) -> AuthState {
        self.state
    }

    /// The current generation (see the [module docs](self)).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The session's cookie jar.
    pub(crate) fn jar(&self) -> &CookieJar {
        &self.jar
    }

    /// Keeps the cookies a response sets (every response of the session).
    pub(crate) fn store_cookies(&mut self, headers: &HeaderMap, now_unix: u64) {
        self.jar
            .store(headers, i64::try_from(now_unix).ok().filter(|&n| n > 0));
    }

    /// The context of an agent request: `base` with the bearer or an OAuth signature (time
    /// and a fresh nonce), and the jar's cookies.
    pub(crate) fn agent_context(
        &self,
        base: &Context,
        rng: &mut Rng,
        wall: &WallClock,
        now: Instant,
    ) -> Context {
        let ctx = base.clone().with_cookies(&self.jar);
        match (&self.credentials, self.settings.sign_requests) {
            (Credentials::ApiKey { key, .. }, true) => ctx
                .with_auth(Auth::OAuth(key.clone()))
                .sign_with(wall.unix_secs(now), rng.nonce()),
            _ => match &self.bearer {
                Some(bearer) => ctx.with_auth(Auth::Bearer(bearer.clone())),
                None => ctx,
            },
        }
    }

    /// The context of a Login Service request: no `Authorization`, the jar's cookies.
    pub(crate) fn login_context(&self, base: &Context) -> Context {
        base.clone().with_auth(Auth::None).with_cookies(&self.jar)
    }

    /// The Login Service call due at `now`, if any. The caller sends it and reports with
    /// [`LoginState::sent`].
    pub(crate) fn due_call(&self, now: Instant) -> Option<LoginCall> {
        match self.state {
            AuthState::LoggingIn if self.login.ready(now) => {
                LoginOp::from_credentials(&self.credentials).map(LoginCall::Login)
            }
            AuthState::Ready if self.refresh.ready(now) => self
                .csrf
                .clone()
                .map(|c| LoginCall::Refresh(Refresh::new(c))),
            AuthState::LoggingOut if self.logout.ready(now) => {
                self.csrf.clone().map(|c| LoginCall::Logout(Logout::new(c)))
            }
            _ => None,
        }
    }

    /// The call was sent as request `id`.
    pub(crate) fn sent(&mut self, call: &LoginCall, id: super::contract::RequestId) {
        match call {
            LoginCall::Login(_) => self.login.sent(id),
            LoginCall::Refresh(_) => self.refresh.sent(id),
            LoginCall::Logout(_) => self.logout.sent(id),
        }
    }

    /// When the lifecycle needs to wake.
    pub(crate) fn wake(&self) -> Option<Instant> {
        match self.state {
            AuthState::LoggingIn => self.login.wake(),
            AuthState::Ready => self.refresh.wake(),
            AuthState::LoggingOut => self.logout.wake(),
            AuthState::Done | AuthState::Lost => None,
        }
    }

    /// A call could not even be built (cannot happen for well-formed settings): the
    /// lifecycle cannot go on.
    pub(crate) fn unbuildable<P>(
        &mut self,
        call: &LoginCall,
        error: MachineError,
        out: &mut Outbox<P>,
    ) {
        match call {
            LoginCall::Logout(_) => self.finish_logout(),
            _ => self.lose(SessionLostReason::Unreachable(error), out),
        }
    }

    /// A 401 to an agent request sent with `generation`: starts one re-login when none is
    /// under way. Returns false when the session is lost instead.
    pub(crate) fn unauthorized<P>(
        &mut self,
        generation: u64,
        now: Instant,
        out: &mut Outbox<P>,
    ) -> bool {
        match self.state {
            AuthState::Ready if generation >= self.generation => self.relogin(now, out),
            AuthState::Lost => false,
            _ => true,
        }
    }

    /// An agent request of login `generation` succeeded: when it is of the current login and
    /// no re-login is under way, the credentials work and the re-logins in a row start again
    /// from 0. A request sent before a 401 and answered after it says nothing of the login
    /// that follows: counting it would let a late answer buy one re-login more than
    /// `max_relogins`.
    pub(crate) fn agent_succeeded(&mut self, generation: u64) {
        if self.state == AuthState::Ready && generation >= self.generation {
            self.relogins = 0;
        }
    }

    fn relogin<P>(&mut self, now: Instant, out: &mut Outbox<P>) -> bool {
        let can = self.credentials.needs_login() && self.relogins < self.settings.max_relogins;
        if !can {
            self.lose(SessionLostReason::Unauthorized, out);
            return false;
        }
        self.relogins += 1;
        enter(&mut self.state, AuthState::LoggingIn);
        self.refresh.cancel();
        self.refresh.abandon();
        self.login = Schedule::due_at(now);
        true
    }

    /// The answer to a login (L1).
    pub(crate) fn login_answered<P>(
        &mut self,
        reply: Reply<LoginResponse>,
        at: Sent,
        retrier: &mut Retrier<'_>,
        out: &mut Outbox<P>,
    ) {
        if !self.login.settle(at.id) || self.state != AuthState::LoggingIn {
            return;
        }
        match reply {
            Reply::Ok(login) => {
                self.login.succeeded();
                self.bearer = Some(login.bearer.clone());
                self.csrf = Some(login.csrf.clone());
                self.generation = self.generation.saturating_add(1);
                enter(&mut self.state, AuthState::Ready);
                let interval = login.refresh_interval(self.settings.refresh_max);
                self.refresh_every = Some(interval);
                self.refresh = Schedule::due_at(after(at.now, interval));
                out.emit(MachineEvent::LoggedIn);
            }
            Reply::Unauthorized => self.lose(
                SessionLostReason::BadCredentials {
                    status: http::StatusCode::UNAUTHORIZED,
                },
                out,
            ),
            Reply::Failed { failure, error, .. } => {
                if let Some(error) = retry_loop(&mut self.login, retrier, &failure, error, at, true)
                {
                    let reason = match failure {
                        Failure::Status { status, .. } if status.is_client_error() => {
                            SessionLostReason::BadCredentials { status }
                        }
                        _ => SessionLostReason::Unreachable(error),
                    };
                    self.lose(reason, out);
                }
            }
        }
    }

    /// The answer to a refresh (L2). A refusal (401) means the login is gone: log in again.
    pub(crate) fn refresh_answered<P>(
        &mut self,
        reply: Reply<()>,
        at: Sent,
        retrier: &mut Retrier<'_>,
        out: &mut Outbox<P>,
    ) {
        if !self.refresh.settle(at.id) || self.state != AuthState::Ready {
            return;
        }
        match reply {
            Reply::Ok(()) => {
                self.refresh.succeeded();
                self.refresh
                    .schedule(after(at.now, self.refresh_interval()));
                out.emit(MachineEvent::SessionRenewed);
            }
            Reply::Unauthorized => {
                self.relogin(at.now, out);
            }
            Reply::Failed { failure, error, .. } => {
                let gave_up = retry_loop(&mut self.refresh, retrier, &failure, error, at, false);
                if let Some(error) = gave_up {
                    // The login may still live; try again at the next interval, and let a
                    // 401 elsewhere tell if it died.
                    self.refresh
                        .schedule(after(at.now, self.refresh_interval()));
                    out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// The answer to a logout (L3), or its failure: either way the login is over for us.
    pub(crate) fn logout_answered(&mut self, id: super::contract::RequestId) {
        if self.logout.settle(id) {
            self.finish_logout();
        }
    }

    /// Starts the logout of `close()`. Returns false when there is nothing to log out
    /// (an existing bearer, no login yet, a lost session): the lifecycle is done.
    pub(crate) fn close(&mut self, now: Instant) -> bool {
        self.login.cancel();
        self.login.abandon();
        self.refresh.cancel();
        self.refresh.abandon();
        let ours = self.credentials.needs_login();
        match self.state {
            AuthState::Ready if ours && self.csrf.is_some() => {
                enter(&mut self.state, AuthState::LoggingOut);
                self.logout = Schedule::due_at(now);
                true
            }
            AuthState::LoggingOut => true,
            AuthState::Lost => false,
            _ => {
                self.finish_logout();
                false
            }
        }
    }

    /// Gives the login up without an event of its own (the caller reported why).
    pub(crate) fn abandon(&mut self) {
        enter(&mut self.state, AuthState::Lost);
        self.bearer = None;
        self.csrf = None;
        self.jar.clear();
    }

    /// Whether the lifecycle is over (logged out, or lost).
    pub(crate) fn finished(&self) -> bool {
        matches!(self.state, AuthState::Done | AuthState::Lost)
    }

    fn finish_logout(&mut self) {
        enter(&mut self.state, AuthState::Done);
        self.bearer = None;
        self.csrf = None;
        self.jar.clear();
    }

    fn lose<P>(&mut self, reason: SessionLostReason, out: &mut Outbox<P>) {
        if self.state == AuthState::Lost {
            return;
        }
        enter(&mut self.state, AuthState::Lost);
        self.bearer = None;
        self.csrf = None;
        self.jar.clear();
        out.emit(MachineEvent::SessionLost(reason));
    }

    fn refresh_interval(&self) -> Duration {
        self.refresh_every.unwrap_or(self.settings.refresh_max)
    }
}
