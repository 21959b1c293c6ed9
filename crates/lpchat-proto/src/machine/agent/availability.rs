//! The availability keepalive: set the wanted availability (A6), read it back every
//! interval (A5), and catch the server forcing another one.

use std::time::Instant;

use super::session::sent;
use super::{retry_loop, AgentMachine, ForcedAwayPolicy, Phase, Sent};
use crate::machine::contract::Output;
use crate::machine::event::MachineEvent;
use crate::machine::reply::{after, Reply, Retrier};
use crate::model::{AgentState, Availability};
use crate::ops::{GetAvailability, SetAvailability};

use super::purpose::Purpose;

impl AgentMachine {
    pub(super) fn send_set_availability(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        let wanted = self.wanted.clone()?;
        if !self.set_availability.ready(now) {
            return None;
        }
        let op = SetAvailability::new(&session, Availability::chat(wanted));
        match self.issue(Purpose::SetAvailability(op), now) {
            Ok(output) => {
                sent(&mut self.set_availability, &output);
                Some(output)
            }
            Err(error) => {
                self.set_availability.cancel();
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn set_availability_answered(
        &mut self,
        reply: Reply<Option<Availability>>,
        asked: Option<AgentState>,
        at: Sent,
    ) {
        if !self.set_availability.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        match reply {
            Reply::Ok(body) => {
                self.login.agent_succeeded(at.generation);
                self.set_availability.succeeded();
                let confirmed = body.and_then(|b| b.chat).or(asked.clone());
                if self.wanted != asked {
                    // Changed while in flight: set the newer wish.
                    self.set_availability.schedule(at.now);
                } else if let Some(state) = confirmed {
                    self.out.emit(MachineEvent::AvailabilityChanged(state));
                }
            }
            Reply::Unauthorized => {
                self.set_availability.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                // A 4xx gives up at once; anything else is retried until it works.
                if let Some(error) = retry_loop(
                    &mut self.set_availability,
                    &mut retrier,
                    &failure,
                    error,
                    at,
                    true,
                ) {
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    pub(super) fn send_get_availability(&mut self, now: Instant) -> Option<Output> {
        let session = self.session.clone()?;
        if !self.get_availability.ready(now) {
            return None;
        }
        match self.issue(
            Purpose::GetAvailability(GetAvailability::new(&session)),
            now,
        ) {
            Ok(output) => {
                sent(&mut self.get_availability, &output);
                Some(output)
            }
            Err(error) => {
                self.get_availability.schedule(self.after_refusal(now));
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn get_availability_answered(&mut self, reply: Reply<Availability>, at: Sent) {
        if !self.get_availability.settle(at.id) || self.phase != Phase::Running {
            return;
        }
        let next = after(at.sent_at, self.cfg.availability_interval).max(at.now);
        match reply {
            Reply::Ok(availability) => {
                self.login.agent_succeeded(at.generation);
                self.get_availability.succeeded();
                self.get_availability.schedule(next);
                if let Some(seen) = availability.chat {
                    self.availability_seen(seen, at.now);
                }
            }
            Reply::Unauthorized => {
                self.get_availability.schedule(at.now);
                self.unauthorized(at.generation, at.now);
            }
            Reply::Failed { failure, error, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                if let Some(error) = retry_loop(
                    &mut self.get_availability,
                    &mut retrier,
                    &failure,
                    error,
                    at,
                    true,
                ) {
                    let again = self.after_refusal(at.now);
                    self.get_availability.schedule(again);
                    self.out.emit(MachineEvent::Error(error));
                }
            }
        }
    }

    /// The server shows `seen` (A5, A9): when it is not what the user wants and no change
    /// of ours is under way, the server forced it.
    pub(super) fn availability_seen(&mut self, seen: AgentState, now: Instant) {
        let Some(wanted) = self.wanted.clone() else {
            return;
        };
        if seen == wanted || self.set_availability.active() {
            return;
        }
        self.out.emit(MachineEvent::AvailabilityForced {
            wanted,
            seen: seen.clone(),
        });
        match self.cfg.forced_away {
            ForcedAwayPolicy::Reassert => self.set_availability.schedule(now),
            ForcedAwayPolicy::Adopt => self.wanted = Some(seen),
        }
    }
}
