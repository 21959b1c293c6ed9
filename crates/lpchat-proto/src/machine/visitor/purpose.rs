//! What each request of a visitor machine is for, with the operation that builds it and
//! parses its answer.

use bytes::Bytes;
use http::Request;

use crate::ops::{
    Context, Error, GetChat, GetChatInfo, GetEvents, Operation, RequestChat, SendVisitorEvent,
    SetVisitorName, SetVisitorTyping,
};

/// A request in flight of a visitor machine.
#[derive(Debug, Clone)]
pub(crate) enum Purpose {
    /// V8.
    Request(Box<RequestChat>),
    /// V10, through the chat's `next` link.
    Poll(GetChat),
    /// V13, the keepalive.
    Keepalive(GetChatInfo),
    /// V12: the head of the outgoing queue.
    Send(SendVisitorEvent),
    /// V11: the events, to learn whether the head arrived.
    Check(GetEvents),
    /// V14 (PUT).
    Name(SetVisitorName),
    /// V15 (PUT).
    Typing(SetVisitorTyping),
}

impl Purpose {
    /// Builds the request.
    pub(crate) fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        match self {
            Purpose::Request(op) => op.build(ctx),
            Purpose::Poll(op) => op.build(ctx),
            Purpose::Keepalive(op) => op.build(ctx),
            Purpose::Send(op) => op.build(ctx),
            Purpose::Check(op) => op.build(ctx),
            Purpose::Name(op) => op.build(ctx),
            Purpose::Typing(op) => op.build(ctx),
        }
    }

    /// The endpoint, for reports.
    pub(crate) fn endpoint(&self) -> &'static str {
        match self {
            Purpose::Request(_) => RequestChat::ENDPOINT,
            Purpose::Poll(_) => GetChat::ENDPOINT,
            Purpose::Keepalive(_) => GetChatInfo::ENDPOINT,
            Purpose::Send(_) => SendVisitorEvent::ENDPOINT,
            Purpose::Check(_) => GetEvents::ENDPOINT,
            Purpose::Name(_) => SetVisitorName::ENDPOINT,
            Purpose::Typing(_) => SetVisitorTyping::ENDPOINT,
        }
    }
}
