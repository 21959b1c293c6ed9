//! Visitor-side operations of the Server Chat API (V1-V20) that are not shared with the
//! agent side (see [`super::chat`] for V10, V11, V13-V16).

use bytes::Bytes;
use http::{Request, Response};

use super::chat::{events_loc, post_event};
use super::context::Context;
use super::error::Error;
use super::response::{expect_status, location, Created};
use super::url::{ChatRef, Loc};
use super::{Idempotency, Operation};
use crate::codec::Limits;
use crate::model::NewEvent;

/// V12: add a line or end the chat (one event per request). The server answers 201 and
/// names the new event in `Location`.
#[derive(Debug, Clone, PartialEq)]
pub struct SendVisitorEvent {
    loc: Loc,
    event: NewEvent,
}

impl SendVisitorEvent {
    /// Posts `event` to the chat's events (`{chat}/events`).
    pub fn new(chat: &ChatRef, event: NewEvent) -> Self {
        SendVisitorEvent {
            loc: events_loc(chat),
            event,
        }
    }

    /// Posts `event` to exactly this events URL (the chat's `events` link).
    pub fn at(href: impl AsRef<str>, event: NewEvent) -> Self {
        SendVisitorEvent {
            loc: Loc::href(href.as_ref()),
            event,
        }
    }
}

impl Operation for SendVisitorEvent {
    type Output = Created;
    const ENDPOINT: &'static str = "V12";

    fn idempotency(&self) -> Idempotency {
        Idempotency::StateChanging
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        post_event(&self.loc, &self.event, ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, _limits: &Limits) -> Result<Created, Error> {
        expect_status(&response, &[201, 200])?;
        location(&response)
    }
}
