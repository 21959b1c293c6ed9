//! The visitor side (Server Chat API) as one-off calls with the app key.
//!
//! The visitor machine (polling, ordered queue, 30 s info keepalive) is not on main yet;
//! until it is, [`VisitorChat`] offers the calls and [`VisitorChat::poll`] reads new
//! events through a cursor, so each event is returned once.

use lpchat_proto::model::{
    ChatId, ChatInfo, ChatRequest, EstimatedWaitTime, Event, NewEvent, Survey, VisitorAvailability,
};
use lpchat_proto::ops::{self, ChatRef, Context};
use lpchat_proto::{ChatCursor, Limits, Operation};

use crate::error::Error;
use crate::transport::Transport;

/// The Server Chat API of an account, with an app key.
#[derive(Clone)]
pub struct Visitor {
    ctx: Context,
    transport: Transport,
    limits: Limits,
}

impl std::fmt::Debug for Visitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Visitor")
    }
}

impl Visitor {
    pub(crate) fn new(ctx: Context, transport: Transport, limits: Limits) -> Self {
        Visitor {
            ctx,
            transport,
            limits,
        }
    }

    /// Runs one visitor operation.
    pub async fn call<O: Operation>(&self, op: O) -> Result<O::Output, Error> {
        let response = self.transport.execute(op.build(&self.ctx)?).await?;
        Ok(op.parse_with(response, &self.limits)?)
    }

    /// Whether a chat can be requested (V2), optionally for a skill.
    pub async fn availability(&self, skill: Option<&str>) -> Result<VisitorAvailability, Error> {
        let op = ops::GetVisitorAvailability::new();
        self.call(match skill {
            Some(s) => op.skill(s),
            None => op,
        })
        .await
    }

    /// The estimated wait time (V4).
    pub async fn wait_time(&self) -> Result<EstimatedWaitTime, Error> {
        self.call(ops::GetEstimatedWaitTime::new()).await
    }

    /// The pre-chat survey (V5).
    pub async fn pre_chat_survey(&self) -> Result<Survey, Error> {
        self.call(ops::GetPreChatSurvey::new()).await
    }

    /// Requests a chat (V8).
    pub async fn request_chat(&self, request: ChatRequest) -> Result<VisitorChat, Error> {
        let created = self.call(ops::RequestChat::new(request)).await?;
        let chat = ChatRef::from_created(&created);
        let id = chat
            .id()
            .ok_or_else(|| Error::Config("chat location without an id".into()))?;
        Ok(VisitorChat {
            visitor: self.clone(),
            cursor: ChatCursor::new(id.clone()),
            id,
            chat,
        })
    }
}

/// One visitor chat.
#[derive(Debug)]
pub struct VisitorChat {
    visitor: Visitor,
    id: ChatId,
    chat: ChatRef,
    cursor: ChatCursor,
}

impl VisitorChat {
    /// The chat id.
    pub fn id(&self) -> &ChatId {
        &self.id
    }

    /// The events that came since the last poll, each once.
    pub async fn poll(&mut self) -> Result<Vec<Event>, Error> {
        let op = ops::GetEvents::new(&self.chat).from(self.cursor.from());
        let events = self.visitor.call(op).await?;
        Ok(self.cursor.accept(lpchat_proto::Page::from_events(&events)))
    }

    /// Sends a plain line (V12).
    pub async fn send_line(&self, text: &str) -> Result<(), Error> {
        self.visitor
            .call(ops::SendVisitorEvent::new(
                &self.chat,
                NewEvent::plain(text),
            ))
            .await
            .map(|_| ())
    }

    /// Ends the chat (V12).
    pub async fn end(&self) -> Result<(), Error> {
        self.visitor
            .call(ops::SendVisitorEvent::new(&self.chat, NewEvent::End))
            .await
            .map(|_| ())
    }

    /// The chat's information (V13); also keeps the chat from its visitor idle timeout.
    pub async fn info(&self) -> Result<ChatInfo, Error> {
        self.visitor.call(ops::GetChatInfo::new(&self.chat)).await
    }
}
