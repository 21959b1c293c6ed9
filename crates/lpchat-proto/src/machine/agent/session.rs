//! The agent session itself: start (A2), the agent's information (A9), and its end (A4) on
//! close.

use super::{refusal_pause, retry_loop, AgentMachine, Phase, Sent};
use crate::machine::contract::Output;
use crate::machine::event::{MachineEvent, SessionLostReason};
use crate::machine::reply::{after, Reply};
use crate::model::{AgentInfo, AgentSessionLocation};
use crate::ops::{CloseAgentSession, GetAgentInfo, GetIncomingRequests, Operation, SessionRef};
use crate::retry::Failure;

use super::purpose::Purpose;
use std::time::Instant;

impl AgentMachine {
    pub(super) fn send_start(&mut self, now: Instant) -> Option<Output> {
        if !self.start.ready(now) {
            return None;
        }
        let op = crate::ops::OpenAgentSession::new();
        match self.issue(Purpose::StartSession(op), now) {
            Ok(output) => {
                sent(&mut self.start, &output);
                Some(output)
            }
            Err(error) => {
                self.lose_session(SessionLostReason::Refused(error));
                None
            }
        }
    }

    pub(super) fn start_answered(&mut self, reply: Reply<AgentSessionLocation>, at: Sent) {
        if !self.start.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(location) => match self.session_of(&location) {
                Some(session) => {
                    self.login.agent_succeeded(at.generation);
                    self.start.succeeded();
                    self.started(session, location, at.now);
                }
                None => {
                    let error = crate::machine::event::MachineError::new(
                        "A2",
                        None,
                        "the agent session location is not a usable URL",
                    );
                    self.retry_start(&Failure::BodyInvalid, error, at);
                }
            },
            Reply::Unauthorized => {
                self.start.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => match failure {
                Failure::Status { status, .. } if status.is_client_error() => {
                    self.lose_session(SessionLostReason::Refused(error))
                }
                _ => self.retry_start(&failure, error, at),
            },
        }
    }

    fn retry_start(
        &mut self,
        failure: &Failure,
        error: crate::machine::event::MachineError,
        at: Sent,
    ) {
        let mut retrier = crate::machine::reply::Retrier::new(&self.cfg.retry, &mut self.rng);
        if let Some(error) = retry_loop(&mut self.start, &mut retrier, failure, error, at, true) {
            self.lose_session(SessionLostReason::Unreachable(error));
        }
    }

    /// The session's reference: its link when requests can be built from it, else its id
    /// under the base URI.
    fn session_of(&self, location: &AgentSessionLocation) -> Option<SessionRef> {
        let href = location.href()?;
        let by_href = SessionRef::Href(href.to_owned());
        if GetIncomingRequests::new(&by_href)
            .build(&self.base_ctx)
            .is_ok()
        {
            return Some(by_href);
        }
        let by_id = SessionRef::Id(location.agent_session_id()?);
        GetIncomingRequests::new(&by_id)
            .build(&self.base_ctx)
            .is_ok()
            .then_some(by_id)
    }

    /// The session started: every loop begins.
    fn started(&mut self, session: SessionRef, location: AgentSessionLocation, now: Instant) {
        self.out.emit(MachineEvent::AgentSessionStarted {
            session: location.agent_session_id(),
        });
        self.session = Some(session);
        self.info.schedule(now);
        self.accepting.poll.schedule(now);
        if self.wanted.is_some() {
            self.set_availability.schedule(now);
        }
        self.get_availability
            .schedule(after(now, self.cfg.availability_interval));
        self.schedule_poll(now);
    }

    pub(super) fn send_info(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if !self.info.ready(now) {
            return None;
        }
        match self.issue(Purpose::Info(GetAgentInfo::new(&session)), now) {
            Ok(output) => {
                sent(&mut self.info, &output);
                Some(output)
            }
            Err(error) => {
                self.info.cancel();
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn info_answered(&mut self, reply: Reply<AgentInfo>, at: Sent) {
        if !self.info.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(info) => {
                self.login.agent_succeeded(at.generation);
                self.info.succeeded();
                let seen = info.availability.as_ref().and_then(|a| a.chat.clone());
                self.me = info.id.clone();
                self.out.emit(MachineEvent::AgentInfo(Box::new(info)));
                if let Some(seen) = seen {
                    self.availability_seen(seen, at.now);
                }
            }
            Reply::Unauthorized => {
                self.info.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier =
                    crate::machine::reply::Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) =
                    retry_loop(&mut self.info, &mut retrier, &failure, error, at, false)
                {
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// While closing: end the agent session (A4) once, then log out.
    pub(super) fn next_close_send(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if !self.close_session.ready(now) {
            return None;
        }
        match self.issue(Purpose::CloseSession(CloseAgentSession::new(&session)), now) {
            Ok(output) => {
                sent(&mut self.close_session, &output);
                Some(output)
            }
            Err(_) => {
                self.close_session.cancel();
                self.logout(now);
                None
            }
        }
    }

    /// The agent session's end was answered (or failed): best effort, log out next.
    pub(super) fn close_session_answered(&mut self, at: Sent) {
        if self.close_session.settle(at.id) {
            self.close_session.cancel();
            self.logout(at.now);
        }
    }

    /// The agent session cannot be had: the machine is finished.
    fn lose_session(&mut self, reason: SessionLostReason) {
        self.start.cancel();
        self.out.emit(MachineEvent::SessionLost(reason));
        self.login.abandon();
        self.check_lost();
    }

    /// Reschedules a loop after a refusal: the outer loop's pause.
    pub(super) fn after_refusal(&self, now: Instant) -> Instant {
        after(now, refusal_pause(&self.cfg.retry))
    }
}

/// Marks `task` as sending the request of `output`.
pub(super) fn sent(task: &mut crate::machine::schedule::Schedule, output: &Output) {
    if let Output::Send { id, .. } = output {
        task.sent(*id);
    }
}
