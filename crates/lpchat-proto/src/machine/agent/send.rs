//! The outgoing queues of the agent's chats: lines and ends (A16, A17) and transfers (A24),
//! and the events read (A15) to settle one whose outcome is unknown. The rules are in
//! [`crate::machine::outgoing`].

use std::time::Instant;

use super::purpose::{Purpose, SendOp};
use super::{parse, AgentMachine, Input, Phase, Sent};
use crate::codec::Limits;
use crate::cursor::Page;
use crate::machine::contract::Output;
use crate::machine::event::{CommandFailure, MachineEvent};
use crate::machine::outgoing::{Item, Keep, Settled, Stage};
use crate::machine::reply::{Reply, Retrier};
use crate::model::{ChatId, EventId, Events, NewEvent, Source};
use crate::ops::{EndChat, GetEvents, SendLine, TransferChat};

impl AgentMachine {
    pub(super) fn send_outgoing(&mut self, now: Instant) -> Option<Output> {
        // Chats whose head cannot be built fail it and the next chat is tried.
        loop {
            let (chat, stage) = self.outgoing.ready(now)?;
            let chat_ref = self.chat_ref(&chat)?;
            let purpose = match stage {
                Stage::Send => {
                    let head = self.outgoing.queue(&chat)?.head()?.item.clone();
                    let op = match head {
                        Item::Event(NewEvent::End) => SendOp::End(EndChat::new(&chat_ref)),
                        Item::Event(event) => SendOp::Line(SendLine::new(&chat_ref, event)),
                        Item::Transfer(request) => {
                            SendOp::Transfer(TransferChat::new(&chat_ref, request))
                        }
                    };
                    Purpose::Send(chat.clone(), op)
                }
                Stage::Check { .. } => {
                    let since = self
                        .outgoing
                        .queue(&chat)
                        .and_then(|q| q.since)
                        .unwrap_or_default();
                    Purpose::Check(chat.clone(), GetEvents::new(&chat_ref).from(since))
                }
            };
            match self.issue(purpose, now) {
                Ok(output) => {
                    if let Output::Send { id, .. } = &output {
                        match stage {
                            Stage::Send => {
                                let from = self.cursor_from(&chat);
                                self.outgoing.sending(&chat, *id, from);
                            }
                            Stage::Check { .. } => {
                                self.outgoing.checking(&chat, *id);
                            }
                        }
                    }
                    return Some(output);
                }
                Err(error) => {
                    let reason = CommandFailure::InvalidRequest(error.message);
                    if let Some(settled) = self.outgoing.unbuildable(&chat, reason, now) {
                        self.report(&chat, settled);
                    }
                }
            }
        }
    }

    /// The first event id of `chat` not yet delivered: where a send starts looking.
    fn cursor_from(&self, chat: &ChatId) -> EventId {
        self.following
            .cursors
            .get(chat)
            .map(|c| c.from())
            .unwrap_or_default()
    }

    pub(super) fn send_answered(
        &mut self,
        chat: ChatId,
        op: SendOp,
        input: Input,
        limits: &Limits,
        at: Sent,
    ) {
        let reply = match &op {
            SendOp::Line(op) => map(parse(op, input, limits), |l| l.event_id()),
            SendOp::End(op) => map(parse(op, input, limits), |l| l.event_id()),
            SendOp::Transfer(op) => map(parse(op, input, limits), |()| None),
        };
        let settled = match reply {
            Reply::Ok(event) => {
                self.login.agent_succeeded(at.generation);
                self.outgoing.sent_ok(&chat, event, at)
            }
            Reply::Unauthorized => {
                let stop = self.phase != Phase::Running;
                let settled = self.outgoing.unauthorized(&chat, at, stop);
                self.unauthorized(at.generation, at.now);
                settled
            }
            Reply::Failed { failure, .. } => {
                let stop = self.phase != Phase::Running;
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                self.outgoing
                    .sent_failed(&chat, &failure, &mut retrier, at, stop)
            }
        };
        if let Some(settled) = settled {
            self.report(&chat, settled);
        }
    }

    pub(super) fn check_answered(&mut self, chat: ChatId, reply: Reply<Events>, at: Sent) {
        let settled = match reply {
            Reply::Ok(events) => {
                self.login.agent_succeeded(at.generation);
                self.deliver_events(&chat, Page::from_events(&events));
                let stop = self.phase != Phase::Running;
                self.outgoing
                    .checked(&chat, &events.events, Source::Agent, at, stop)
            }
            Reply::Unauthorized => {
                let stop = self.phase != Phase::Running;
                let settled = self.outgoing.unauthorized(&chat, at, stop);
                self.unauthorized(at.generation, at.now);
                settled
            }
            Reply::Failed { failure, .. } => {
                let stop = self.phase != Phase::Running;
                let mut retrier = Retrier::new(&self.cfg.retry, &mut self.rng);
                self.outgoing
                    .check_failed(&chat, &failure, &mut retrier, at, stop)
            }
        };
        if let Some(settled) = settled {
            self.report(&chat, settled);
        }
    }

    /// Reports a settled item. A done transfer fails what was queued after it (the chat is
    /// no longer this agent's); the chat is followed until a poll sent after the transfer
    /// brings the events it added ([leaving](super#leaving)).
    pub(super) fn report(&mut self, chat: &ChatId, settled: Settled) {
        let chat_id = chat.clone();
        match settled {
            Settled::Delivered(queued, event) => match queued.item {
                Item::Transfer(_) => {
                    self.out.emit(MachineEvent::TransferDone {
                        id: queued.id,
                        chat: chat_id,
                    });
                    if self.following.cursors.contains(chat) {
                        self.following.transfer_done(chat);
                        self.fail_waiting(chat, Keep::SentHead, CommandFailure::ChatEnded);
                        let now = self.now;
                        self.schedule_poll(now);
                    }
                }
                Item::Event(_) => self.out.emit(MachineEvent::LineDelivered {
                    id: queued.id,
                    chat: chat_id,
                    event,
                }),
            },
            Settled::Failed(queued, reason) => {
                self.emit_failed(chat, queued.id, &queued.item, reason)
            }
        }
        if !self.following.cursors.contains(chat) {
            self.fail_waiting(chat, Keep::SentHead, CommandFailure::ChatEnded);
            self.forget_chat(chat);
        }
    }
}

/// Maps a success.
fn map<T, U>(reply: Reply<T>, f: impl FnOnce(T) -> U) -> Reply<U> {
    match reply {
        Reply::Ok(v) => Reply::Ok(f(v)),
        Reply::Unauthorized => Reply::Unauthorized,
        Reply::Failed {
            failure,
            error,
            op_error,
        } => Reply::Failed {
            failure,
            error,
            op_error,
        },
    }
}
