//! What each request of an agent machine is for, with the operation that builds it and
//! parses its answer.

use bytes::Bytes;
use http::Request;

use crate::machine::login::LoginCall;
use crate::model::ChatId;
use crate::ops::{
    AcceptNextChat, CloseAgentSession, Context, EndChat, Error, GetAgentInfo, GetAvailability,
    GetChatSessions, GetChats, GetEvents, GetIncomingRequests, OpenAgentSession, Operation,
    SendLine, SetAvailability, TransferChat,
};

/// A request in flight of an agent machine.
#[derive(Debug, Clone)]
pub(crate) enum Purpose {
    /// L1, L2, L3.
    Login(LoginCall),
    /// A2.
    StartSession(OpenAgentSession),
    /// A9, once after the start.
    Info(GetAgentInfo),
    /// A5, the keepalive that catches a forced Away.
    GetAvailability(GetAvailability),
    /// A6.
    SetAvailability(SetAvailability),
    /// A10.
    Incoming(GetIncomingRequests),
    /// A11.
    Accept(AcceptNextChat),
    /// A12, to learn whether an accept whose outcome is unknown took a chat.
    AcceptCheck(GetChatSessions),
    /// A13, every chat at once.
    Chats(GetChats),
    /// A12, to learn whether chats missing from the multi-chat answers are gone.
    Verify(GetChatSessions),
    /// A16, A17, A24: the head of a chat's queue.
    Send(ChatId, SendOp),
    /// A15: the events of a chat, to learn whether its head arrived.
    Check(ChatId, GetEvents),
    /// A4, on close.
    CloseSession(CloseAgentSession),
}

/// The operation of a queued item.
#[derive(Debug, Clone)]
pub(crate) enum SendOp {
    /// A16.
    Line(SendLine),
    /// A17.
    End(EndChat),
    /// A24.
    Transfer(TransferChat),
}

impl Purpose {
    /// Builds the request.
    pub(crate) fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        match self {
            Purpose::Login(LoginCall::Login(op)) => op.build(ctx),
            Purpose::Login(LoginCall::Refresh(op)) => op.build(ctx),
            Purpose::Login(LoginCall::Logout(op)) => op.build(ctx),
            Purpose::StartSession(op) => op.build(ctx),
            Purpose::Info(op) => op.build(ctx),
            Purpose::GetAvailability(op) => op.build(ctx),
            Purpose::SetAvailability(op) => op.build(ctx),
            Purpose::Incoming(op) => op.build(ctx),
            Purpose::Accept(op) => op.build(ctx),
            Purpose::AcceptCheck(op) => op.build(ctx),
            Purpose::Chats(op) => op.build(ctx),
            Purpose::Verify(op) => op.build(ctx),
            Purpose::Send(_, SendOp::Line(op)) => op.build(ctx),
            Purpose::Send(_, SendOp::End(op)) => op.build(ctx),
            Purpose::Send(_, SendOp::Transfer(op)) => op.build(ctx),
            Purpose::Check(_, op) => op.build(ctx),
            Purpose::CloseSession(op) => op.build(ctx),
        }
    }

    /// Whether the request goes to the Login Service (not gated on being logged in).
    pub(crate) fn is_login(&self) -> bool {
        matches!(self, Purpose::Login(_))
    }
}
