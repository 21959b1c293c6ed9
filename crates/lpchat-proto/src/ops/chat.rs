//! Chat operations, agent side (A13-A30) and the visitor reads of the same resources (V10,
//! V11, V13-V16): the shapes are the same on both sides, only the context's auth differs.

use bytes::Bytes;
use http::{Method, Request, Response};

use super::context::Context;
use super::error::{ApiError, Error};
use super::macros::get_op;
use super::request::{body_of, comma_list, Plan};
use super::response::{decode_body, expect_status, OK};
use super::url::{ChatRef, Loc, SessionRef};
use super::{Idempotency, Operation};
use crate::codec::Limits;
use crate::model::{Chat, ChatId, ChatInfo, Chats, EventId, Events, LinksExt, NewEvent, Rel};

fn link_of(links: &[crate::model::Link], rel: Rel) -> Result<Loc, Error> {
    links
        .href(&rel)
        .map(Loc::href)
        .ok_or(Error::MissingLink(rel))
}

get_op! {
    /// A13: several chats of the agent session in one call:
    /// `GET {session}/chat?chatSessionKeys=K1,K2&fromEventIds=E1,E2`. No link exposes it
    /// (spec §5 A13). Each embedded chat may carry a `chat.error`; the caller checks them.
    GetChats => Chats, "A13", OK
}

impl GetChats {
    /// The chats `(chat id, first event id wanted)`, in this order, of the agent session.
    pub fn new(session: &SessionRef, chats: &[(ChatId, EventId)]) -> Self {
        let keys = comma_list(chats.iter().map(|(c, _)| c.as_str()));
        let from = chats
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join(",");
        GetChats::with_loc(session.loc().join(&["chat"]))
            .set_param("chatSessionKeys", keys)
            .set_param("fromEventIds", from)
    }
}

/// A14 / V10: the chat resource (links, events from `from` on, info).
///
/// Parsing fails with [`Error::ChatError`] when the 2xx body carries a `chat.error` (spec §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetChat {
    loc: Loc,
    from: Option<EventId>,
}

impl GetChat {
    /// The whole chat.
    pub fn new(chat: &ChatRef) -> Self {
        GetChat {
            loc: chat.loc(),
            from: None,
        }
    }

    /// The chat at exactly this link (its `self` link, or a `next` link that carries `from`).
    pub fn at(href: impl AsRef<str>) -> Self {
        GetChat {
            loc: Loc::href(href.as_ref()),
            from: None,
        }
    }

    /// The chat's chat-level `next` link: what follows the events of `chat`.
    pub fn next(chat: &Chat) -> Result<Self, Error> {
        Ok(GetChat {
            loc: link_of(&chat.links, Rel::Next)?,
            from: None,
        })
    }

    /// Only events with ids from `from` on (`?from=N`, replacing a `from` the link has).
    pub fn from(mut self, from: EventId) -> Self {
        self.from = Some(from);
        self
    }
}

impl Operation for GetChat {
    type Output = Chat;
    const ENDPOINT: &'static str = "A14/V10";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let plan = Plan::new(Method::GET, self.loc.clone());
        let plan = match self.from {
            Some(from) => plan.raw_param("from", from.to_string()),
            None => plan,
        };
        plan.build(ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, limits: &Limits) -> Result<Chat, Error> {
        expect_status(&response, OK)?;
        let chat: Chat = decode_body(&response, limits)?;
        match &chat.error {
            Some(error) => Err(Error::ChatError(ApiError::from(error))),
            None => Ok(chat),
        }
    }
}

get_op! {
    /// A15 / V11: a chat's events from `from` on; poll through the `next` link.
    GetEvents => Events, "A15/V11", OK
}

impl GetEvents {
    /// The chat's events (`{chat}/events`).
    pub fn new(chat: &ChatRef) -> Self {
        GetEvents::with_loc(chat.loc().join(&["events"]))
    }

    /// The `next` link of an events body: what follows its events.
    pub fn next(events: &Events) -> Result<Self, Error> {
        link_of(&events.links, Rel::Next).map(GetEvents::with_loc)
    }

    /// The `events` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        link_of(&chat.links, Rel::Events).map(GetEvents::with_loc)
    }

    /// Only events with ids from `from` on (`?from=N`, replacing a `from` the link has).
    pub fn from(self, from: EventId) -> Self {
        self.set_param("from", from.to_string())
    }
}

get_op! {
    /// A18 / V13: the chat's information. On the visitor side this is also the keep-alive
    /// call (every 30 s, spec §8).
    GetChatInfo => ChatInfo, "A18/V13", OK
}

impl GetChatInfo {
    /// The chat's info (`{chat}/info`).
    pub fn new(chat: &ChatRef) -> Self {
        GetChatInfo::with_loc(chat.loc().join(&["info"]))
    }

    /// The `info` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        link_of(&chat.links, Rel::Info).map(GetChatInfo::with_loc)
    }
}

/// The `events` URL of a chat: the chat's `events` link, else `{chat}/events`.
pub(crate) fn events_loc(chat: &ChatRef) -> Loc {
    chat.loc().join(&["events"])
}

/// The request plan of posting one event (A16, A17, V12).
pub(crate) fn post_event(
    loc: &Loc,
    event: &NewEvent,
    ctx: &Context,
) -> Result<Request<Bytes>, Error> {
    Plan::new(Method::POST, loc.clone())
        .body(body_of(ctx, event)?)
        .build(ctx)
}
