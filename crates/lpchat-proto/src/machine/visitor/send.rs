//! The visitor's outgoing queue (V12, checked through V11) and the name and typing
//! settings (V14, V15).

use std::time::Instant;

use super::{Phase, Sent, VisitorMachine};
use crate::cursor::Page;
use crate::machine::answer::retry_loop;
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, MachineEvent};
use crate::machine::outgoing::{Item, Settled, Stage};
use crate::machine::reply::{Reply, Retrier};
use crate::model::{Events, Source};
use crate::ops::{Created, GetEvents, SendVisitorEvent, SetVisitorName, SetVisitorTyping};

use super::purpose::Purpose;

impl VisitorMachine {
    pub(super) fn send_outgoing(&mut self, now: Instant) -> Option<Output> {
        let (chat_id, stage) = self.outgoing.ready(now)?;
        let joined = self.joined.as_ref()?;
        let chat = joined.chat.clone();
        let from = joined.cursor.from();
        let purpose = match stage {
            Stage::Send => {
                let head = self.outgoing.queue(&chat_id)?.head()?.item.clone();
                let Item::Event(event) = head else {
                    // Visitors queue no transfers; drop anything else as unbuildable.
                    let reason = CommandFailure::InvalidRequest("not a visitor event".into());
                    let settled = self.outgoing.unbuildable(&chat_id, reason, now)?;
                    self.report(settled);
                    return None;
                };
                Purpose::Send(SendVisitorEvent::new(&chat, event))
            }
            Stage::Check { .. } => {
                let since = self
                    .outgoing
                    .queue(&chat_id)
                    .and_then(|q| q.since)
                    .unwrap_or_default();
                Purpose::Check(GetEvents::new(&chat).from(since))
            }
        };
        match self.issue(purpose, now) {
            Ok(output) => {
                if let Output::Send { id, .. } = &output {
                    match stage {
                        Stage::Send => self.outgoing.sending(&chat_id, *id, from),
                        Stage::Check { .. } => {
                            self.outgoing.checking(&chat_id, *id);
                        }
                    }
                }
                Some(output)
            }
            Err(error) => {
                let reason = CommandFailure::InvalidRequest(error.message);
                if let Some(settled) = self.outgoing.unbuildable(&chat_id, reason, now) {
                    self.report(settled);
                }
                None
            }
        }
    }

    pub(super) fn send_answered(&mut self, reply: Reply<Created>, at: Sent) {
        let Some(chat) = self.chat_id().cloned() else {
            return;
        };
        // While the chat ends, the line sent before still settles by its answer or check.
        let stop = !matches!(self.phase, Phase::Chatting | Phase::Ending);
        let settled = match reply {
            Reply::Ok(created) => {
                let event = created
                    .id()
                    .and_then(|id| id.parse::<u64>().ok())
                    .map(crate::model::EventId);
                self.outgoing.sent_ok(&chat, event, at)
            }
            Reply::Unauthorized => self.outgoing.unauthorized(&chat, at, true),
            Reply::Failed { failure, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                self.outgoing
                    .sent_failed(&chat, &failure, &mut retrier, at, stop)
            }
        };
        if let Some(settled) = settled {
            self.report(settled);
        }
    }

    pub(super) fn check_answered(&mut self, reply: Reply<Events>, at: Sent) {
        let Some(chat) = self.chat_id().cloned() else {
            return;
        };
        let stop = !matches!(self.phase, Phase::Chatting | Phase::Ending);
        let settled = match reply {
            Reply::Ok(events) => {
                self.deliver(Page::from_events(&events));
                self.outgoing
                    .checked(&chat, &events.events, Source::Visitor, at, stop)
            }
            Reply::Unauthorized => self.outgoing.unauthorized(&chat, at, true),
            Reply::Failed { failure, .. } => {
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                self.outgoing
                    .check_failed(&chat, &failure, &mut retrier, at, stop)
            }
        };
        if let Some(settled) = settled {
            self.report(settled);
        }
    }

    /// Reports a settled item; the end asked for by `close()` finishes the machine when it
    /// failed (when it was delivered, the poll sees the end and finishes it), and so does
    /// the last item of a chat that is over.
    pub(super) fn report(&mut self, settled: Settled) {
        let Some(chat) = self.chat_id().cloned() else {
            return;
        };
        let (id, failed) = match settled {
            Settled::Delivered(queued, event) => {
                self.out.emit(MachineEvent::LineDelivered {
                    id: queued.id,
                    chat: chat.clone(),
                    event,
                });
                (queued.id, false)
            }
            Settled::Failed(queued, reason) => {
                self.out.emit(MachineEvent::LineFailed {
                    id: queued.id,
                    chat: chat.clone(),
                    reason,
                });
                (queued.id, true)
            }
        };
        if failed && self.closing == Some(id) {
            self.finish(None);
        } else if self.phase == Phase::Ending && self.outgoing.is_idle(&chat) {
            self.finish(Some(CommandFailure::ChatEnded));
        }
    }

    pub(super) fn send_name(&mut self, now: Instant) -> Option<Output> {
        if !self.name.ready(now) {
            return None;
        }
        let name = self.name_wanted.clone()?;
        let op = SetVisitorName::new(&self.joined.as_ref()?.chat, name);
        self.issue_setting(Purpose::Name(op), now, |m| &mut m.name)
    }

    pub(super) fn send_typing(&mut self, now: Instant) -> Option<Output> {
        if !self.typing.ready(now) {
            return None;
        }
        let typing = self.typing_wanted?;
        let op = SetVisitorTyping::new(&self.joined.as_ref()?.chat, typing);
        self.issue_setting(Purpose::Typing(op), now, |m| &mut m.typing)
    }

    fn issue_setting(
        &mut self,
        purpose: Purpose,
        now: Instant,
        task: fn(&mut VisitorMachine) -> &mut crate::machine::schedule::Schedule,
    ) -> Option<Output> {
        match self.issue(purpose, now) {
            Ok(output) => {
                if let Output::Send { id, .. } = &output {
                    task(self).sent(*id);
                }
                Some(output)
            }
            Err(error) => {
                task(self).cancel();
                self.out.emit(MachineEvent::Error(error));
                None
            }
        }
    }

    pub(super) fn name_answered(&mut self, reply: Reply<()>, asked: String, at: Sent) {
        if !self.name.settle(at.id) || self.phase != Phase::Chatting {
            return;
        }
        let changed = self.name_wanted.as_deref() != Some(asked.as_str());
        self.setting_answered(reply, changed, at, |m| &mut m.name);
    }

    pub(super) fn typing_answered(&mut self, reply: Reply<()>, asked: bool, at: Sent) {
        if !self.typing.settle(at.id) || self.phase != Phase::Chatting {
            return;
        }
        let changed = self.typing_wanted != Some(asked);
        self.setting_answered(reply, changed, at, |m| &mut m.typing);
    }

    /// A setting was answered: a newer wish is sent next, a failure retried by the policy.
    fn setting_answered(
        &mut self,
        reply: Reply<()>,
        changed: bool,
        at: Sent,
        task: fn(&mut VisitorMachine) -> &mut crate::machine::schedule::Schedule,
    ) {
        match reply {
            Reply::Ok(()) => {
                task(self).succeeded();
                if changed {
                    task(self).schedule(at.now);
                }
            }
            Reply::Unauthorized => {
                self.lose(crate::machine::event::SessionLostReason::BadCredentials {
                    status: http::StatusCode::UNAUTHORIZED,
                })
            }
            Reply::Failed { failure, error, .. } => {
                let mut t = std::mem::take(task(self));
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                let gave_up = retry_loop(&mut t, &mut retrier, &failure, error, at, false);
                *task(self) = t;
                if let Some(error) = gave_up {
                    self.out.emit(MachineEvent::Error(error));
                    if changed {
                        task(self).schedule(at.now);
                    }
                }
            }
        }
    }
}
