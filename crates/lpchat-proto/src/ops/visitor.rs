//! Visitor-side operations of the Server Chat API (V1-V19) that are not shared with the
//! agent side. The chat reads (V10 chat, V11 events, V13 info, V14-V16 name and typing
//! GETs) and V3 slots are the shared operations of [`super::chat`] and [`super::agent`].

use bytes::Bytes;
use http::{Method, Request, Response};

use super::chat::{events_link, events_loc, post_event};
use super::context::BaseUri;
use super::context::Context;
use super::error::Error;
use super::macros::{get_op, send_op};
use super::request::{body_of, enc, Plan, Service};
use super::response::{decode_body, expect_status, location, Created, UPDATED};
use super::url::{ChatRef, Loc};
use super::{Idempotency, Operation};
use crate::codec::Limits;
use crate::model::scalars::{VisitorName, VisitorTyping};
use crate::model::survey::{Survey, SurveyAnswers};
use crate::model::visitor::{
    Account, ChatRequest, ConversationRequest, CustomVariables, Engagement, EngagementRequest,
    EstimatedWaitTime, TranscriptRequest, VisitorAvailability,
};
use crate::model::{Chat, ChatInfo, LinksExt, NewEvent, Rel, TypingState};

/// V8 answers 200 as documented, though it creates a resource; 201 is read too.
const REQUESTED: &[u16] = &[200, 201];
/// V9 and V12 answer 201; 200 is read too.
const POSTED: &[u16] = &[201, 200];

fn account_link(account: &Account, rel: Rel) -> Result<Loc, Error> {
    account
        .href(&rel)
        .map(Loc::href)
        .ok_or(Error::MissingLink(rel))
}

fn chat_link(chat: &Chat, rel: Rel) -> Result<Loc, Error> {
    chat.links
        .href(&rel)
        .map(Loc::href)
        .ok_or(Error::MissingLink(rel))
}

get_op! {
    /// V1: the account base resource, `GET {account}` (links to the visitor entry points).
    GetAccount => Account, "V1", super::response::OK
}

impl GetAccount {
    /// The base resource under the context's base URI.
    pub fn new() -> Self {
        GetAccount::with_loc(Loc::account(&[]))
    }
}

impl Default for GetAccount {
    fn default() -> Self {
        GetAccount::new()
    }
}

get_op! {
    /// V2: whether a chat can be requested, `GET {account}/chat/availability`, by skill,
    /// service queue (with a wait time) or agent.
    GetVisitorAvailability => VisitorAvailability, "V2", super::response::OK
}

impl GetVisitorAvailability {
    /// Availability under the context's base URI.
    pub fn new() -> Self {
        GetVisitorAvailability::with_loc(Loc::account(&["chat", "availability"]))
    }

    /// From the base resource's `chat-availability` link.
    pub fn of_account(account: &Account) -> Result<Self, Error> {
        account_link(account, Rel::ChatAvailability).map(GetVisitorAvailability::with_loc)
    }

    /// For a skill (by name).
    pub fn skill(self, name: &str) -> Self {
        self.set_param("skill", enc(name))
    }

    /// For several skills, `skill` repeated as the browser SDK sends it; the server may then
    /// answer per skill (OBS).
    pub fn skills<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.params.retain(|(n, _)| *n != "skill");
        for name in names {
            self.params.push(("skill", enc(name)));
        }
        self
    }

    /// For a service queue, which needs a wait time.
    pub fn service_queue(self, queue: &str, max_wait_time: u32) -> Self {
        self.set_param("serviceQueue", enc(queue))
            .max_wait_time(max_wait_time)
    }

    /// Within this many seconds (`0`: an agent can take the chat now).
    pub fn max_wait_time(self, secs: u32) -> Self {
        self.set_param("maxWaitTime", secs.to_string())
    }

    /// For one agent (login name); excludes the other parameters.
    pub fn agent(self, login_name: &str) -> Self {
        self.set_param("agent", enc(login_name))
    }
}

impl Default for GetVisitorAvailability {
    fn default() -> Self {
        GetVisitorAvailability::new()
    }
}

get_op! {
    /// V4: the estimated wait in seconds, `GET {account}/chat/estimatedWaitTime` (0 free now,
    /// -1 nobody online, -2 not enough data).
    GetEstimatedWaitTime => EstimatedWaitTime, "V4", super::response::OK
}

impl GetEstimatedWaitTime {
    /// The estimate under the context's base URI.
    pub fn new() -> Self {
        GetEstimatedWaitTime::with_loc(Loc::account(&["chat", "estimatedWaitTime"]))
    }

    /// From the base resource's `chat-estimatedWaitTime` link.
    pub fn of_account(account: &Account) -> Result<Self, Error> {
        account_link(account, Rel::ChatEstimatedWaitTime).map(GetEstimatedWaitTime::with_loc)
    }

    /// For a skill (by name).
    pub fn skill(self, name: &str) -> Self {
        self.set_param("skill", enc(name))
    }

    /// For a service queue.
    pub fn service_queue(self, queue: &str) -> Self {
        self.set_param("serviceQueue", enc(queue))
    }
}

impl Default for GetEstimatedWaitTime {
    fn default() -> Self {
        GetEstimatedWaitTime::new()
    }
}

get_op! {
    /// V5: the pre-chat survey, `GET {account}/chat/preSurvey` (`surveyName` overrides the
    /// other selectors). Its answers go inside the chat request (V8).
    GetPreChatSurvey => Survey, "V5", super::response::OK
}

impl GetPreChatSurvey {
    /// The survey under the context's base URI.
    pub fn new() -> Self {
        GetPreChatSurvey::with_loc(Loc::account(&["chat", "preSurvey"]))
    }

    /// From the base resource's `prechat-survey` link.
    pub fn of_account(account: &Account) -> Result<Self, Error> {
        account_link(account, Rel::PrechatSurvey).map(GetPreChatSurvey::with_loc)
    }

    /// By survey name.
    pub fn survey_name(self, name: &str) -> Self {
        self.set_param("surveyName", enc(name))
    }

    /// By the chat window's pre-chat survey id (`surveyApiId`).
    pub fn survey_api_id(self, id: &str) -> Self {
        self.set_param("surveyApiId", enc(id))
    }

    /// By skill (by name).
    pub fn skill(self, name: &str) -> Self {
        self.set_param("skill", enc(name))
    }

    /// For this visitor (`visitorId`).
    pub fn visitor_id(self, id: &str) -> Self {
        self.set_param("visitorId", enc(id))
    }

    /// The visitor's IP address (`visitorIp`), for rules.
    pub fn visitor_ip(self, ip: &str) -> Self {
        self.set_param("visitorIp", enc(ip))
    }

    /// The visitor's user agent (`userAgent`), for rules.
    pub fn user_agent(self, user_agent: &str) -> Self {
        self.set_param("userAgent", enc(user_agent))
    }
}

impl Default for GetPreChatSurvey {
    fn default() -> Self {
        GetPreChatSurvey::new()
    }
}

get_op! {
    /// V6: the offline survey, `GET {account}/chat/offlineSurvey` (`visitorProfile` beats
    /// `skill`).
    GetOfflineSurvey => Survey, "V6", super::response::OK
}

impl GetOfflineSurvey {
    /// The survey under the context's base URI.
    pub fn new() -> Self {
        GetOfflineSurvey::with_loc(Loc::account(&["chat", "offlineSurvey"]))
    }

    /// From the base resource's `chat-offline-survey` link.
    pub fn of_account(account: &Account) -> Result<Self, Error> {
        account_link(account, Rel::ChatOfflineSurvey).map(GetOfflineSurvey::with_loc)
    }

    /// By skill (by name).
    pub fn skill(self, name: &str) -> Self {
        self.set_param("skill", enc(name))
    }

    /// By visitor profile.
    pub fn visitor_profile(self, profile: &str) -> Self {
        self.set_param("visitorProfile", enc(profile))
    }

    /// For this visitor (`visitorId`).
    pub fn visitor_id(self, id: &str) -> Self {
        self.set_param("visitorId", enc(id))
    }

    /// By survey name.
    pub fn survey_name(self, name: &str) -> Self {
        self.set_param("surveyName", enc(name))
    }
}

impl Default for GetOfflineSurvey {
    fn default() -> Self {
        GetOfflineSurvey::new()
    }
}

send_op! {
    /// V7: submit the offline survey, `PUT {account}/chat/offlineSurvey` (the page states
    /// PUT and POST; PUT is sent, tunnelled). 200.
    ///
    /// State-changing: each submission is a new offline message for the account.
    SubmitOfflineSurvey(SurveyAnswers) => (), "V7", PUT, StateChanging,
    |response, limits| expect_status(&response, UPDATED)
}

impl SubmitOfflineSurvey {
    /// Submits `answers` under the context's base URI.
    pub fn new(answers: SurveyAnswers) -> Self {
        SubmitOfflineSurvey::with_loc(Loc::account(&["chat", "offlineSurvey"]), answers)
    }

    /// Submits through the base resource's `chat-offline-survey` link.
    pub fn of_account(account: &Account, answers: SurveyAnswers) -> Result<Self, Error> {
        account_link(account, Rel::ChatOfflineSurvey)
            .map(|loc| SubmitOfflineSurvey::with_loc(loc, answers))
    }
}

send_op! {
    /// V8: request a chat, `POST {account}/chat/request` with `{"request":{…}}`. The chat's
    /// URI comes back in the `Location` header ([`ChatRef::from_created`]); documented 200,
    /// 201 read too.
    ///
    /// State-changing: a repeat queues a second chat.
    RequestChat(ChatRequest) => Created, "V8", POST, StateChanging,
    |response, limits| {
        expect_status(&response, REQUESTED)?;
        location(&response)
    }
}

impl RequestChat {
    /// Requests a chat under the context's base URI.
    pub fn new(request: ChatRequest) -> Self {
        RequestChat::with_loc(Loc::account(&["chat", "request"]), request)
    }

    /// Requests through the base resource's `chat-request` link (or an `a2a-transfer` link
    /// of an account-to-account transfer event, with its parameters in the request).
    pub fn of_account(account: &Account, request: ChatRequest) -> Result<Self, Error> {
        account_link(account, Rel::ChatRequest).map(|loc| RequestChat::with_loc(loc, request))
    }
}

/// V9: the authenticated-visitor pre-step, `POST {account}/conversation.json` with the SSO
/// key (JSON whatever the context's format: the documented path names it). Answers 201 with
/// an empty body and the conversation in `Location`.
///
/// State-changing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateConversation {
    loc: Loc,
    body: ConversationRequest,
}

impl CreateConversation {
    /// The pre-step under the context's base URI.
    pub fn new(request: ConversationRequest) -> Self {
        CreateConversation {
            loc: Loc::account(&["conversation.json"]),
            body: request,
        }
    }
}

impl Operation for CreateConversation {
    type Output = Created;
    const ENDPOINT: &'static str = "V9";

    fn idempotency(&self) -> Idempotency {
        Idempotency::StateChanging
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let json = Context {
            format: crate::Format::Json,
            ..ctx.clone()
        };
        Plan::new(Method::POST, self.loc.clone())
            .service(Service::ChatJson)
            .body(body_of(&json, &self.body)?)
            .build(ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, _limits: &Limits) -> Result<Created, Error> {
        expect_status(&response, POSTED)?;
        location(&response)
    }
}

/// Step 2 of the visitor flow (App Engagement, service `smt`):
/// `POST https://{smt}/api/account/{a}/app/engagement/visitors[/{visitorId}]?v=1.0[&sid=…]`
/// with an [`EngagementRequest`]; answers the visitor session and, when an agent can take a
/// chat, the engagement whose ids go into the chat request
/// ([`ChatRequest::with_engagement`]). JSON whatever the context's format, as documented;
/// the context's app key is sent. The URL is on the `smt` host, not the context's base.
///
/// State-changing (a repeat without the ids opens another visitor session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEngagement {
    href: String,
    session: Option<String>,
    body: EngagementRequest,
}

impl RequestEngagement {
    /// A first request (a new visitor and session) on the `smt` host of `smt`.
    pub fn new(smt: &BaseUri, body: EngagementRequest) -> Self {
        RequestEngagement {
            href: format!(
                "{}://{}/api/account/{}/app/engagement/visitors/",
                smt.scheme(),
                smt.host(),
                enc(smt.account())
            ),
            session: None,
            body,
        }
    }

    /// A later request of the same visit: the visitor and session of an earlier answer.
    pub fn again(mut self, visitor_id: &str, session_id: &str) -> Self {
        self.href.push_str(&enc(visitor_id));
        self.session = Some(session_id.to_owned());
        self
    }
}

impl Operation for RequestEngagement {
    type Output = Engagement;
    const ENDPOINT: &'static str = "smt";

    fn idempotency(&self) -> Idempotency {
        Idempotency::StateChanging
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let json = Context {
            format: crate::Format::Json,
            ..ctx.clone()
        };
        let mut plan = Plan::new(Method::POST, Loc::href(&self.href))
            .service(Service::ChatJson)
            .raw_param("v", "1.0".to_owned())
            .body(body_of(&json, &self.body)?);
        if let Some(sid) = &self.session {
            plan = plan.raw_param("sid", enc(sid));
        }
        plan.build(ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, limits: &Limits) -> Result<Engagement, Error> {
        expect_status(&response, &[200, 201])?;
        decode_body(&response, limits)
    }
}

/// V12: add a line or end the chat (one event per request). The server answers 201 and
/// names the new event in `Location`.
///
/// State-changing.
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

    /// Posts `event` to exactly this events URL.
    pub fn at(href: impl AsRef<str>, event: NewEvent) -> Self {
        SendVisitorEvent {
            loc: Loc::href(href.as_ref()),
            event,
        }
    }

    /// Posts `event` through the `events` link of a chat body.
    pub fn of_chat(chat: &Chat, event: NewEvent) -> Result<Self, Error> {
        events_link(chat).map(|loc| SendVisitorEvent { loc, event })
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
        expect_status(&response, POSTED)?;
        location(&response)
    }
}

send_op! {
    /// V14 (PUT): set the visitor's name, `PUT {chat}/info/visitorName` with
    /// `{"visitorName":"…"}` (201 documented, 200 read too).
    SetVisitorName(VisitorName) => (), "V14", PUT, Safe,
    |response, limits| expect_status(&response, UPDATED)
}

impl SetVisitorName {
    /// Sets the chat's visitor name.
    pub fn new(chat: &ChatRef, name: impl Into<String>) -> Self {
        SetVisitorName::with_loc(
            chat.loc().join(&["info", "visitorName"]),
            VisitorName::new(name),
        )
    }

    /// Through the `visitor-name` link of a chat info body.
    pub fn of_info(info: &ChatInfo, name: impl Into<String>) -> Result<Self, Error> {
        info.links
            .href(&Rel::VisitorName)
            .map(|h| SetVisitorName::at(h, VisitorName::new(name)))
            .ok_or(Error::MissingLink(Rel::VisitorName))
    }
}

send_op! {
    /// V15 (PUT): say whether the visitor is typing, `PUT {chat}/info/visitorTyping` with
    /// `{"visitorTyping":"typing"}` (200).
    SetVisitorTyping(VisitorTyping) => (), "V15", PUT, Safe,
    |response, limits| expect_status(&response, UPDATED)
}

impl SetVisitorTyping {
    /// Says whether the visitor is typing.
    pub fn new(chat: &ChatRef, typing: bool) -> Self {
        let state = if typing {
            TypingState::Typing
        } else {
            TypingState::NotTyping
        };
        SetVisitorTyping::with_loc(
            chat.loc().join(&["info", "visitorTyping"]),
            VisitorTyping(state),
        )
    }
}

get_op! {
    /// V17 (GET): the exit survey, `GET {chat}/exitSurvey[?surveyName=…]`.
    GetExitSurvey => Survey, "V17", super::response::OK
}

impl GetExitSurvey {
    /// The chat's exit survey.
    pub fn new(chat: &ChatRef) -> Self {
        GetExitSurvey::with_loc(chat.loc().join(&["exitSurvey"]))
    }

    /// From the `exit-survey` link of a chat body.
    pub fn of_chat(chat: &Chat) -> Result<Self, Error> {
        chat_link(chat, Rel::ExitSurvey).map(GetExitSurvey::with_loc)
    }

    /// A survey by name.
    pub fn survey_name(self, name: &str) -> Self {
        self.set_param("surveyName", enc(name))
    }
}

send_op! {
    /// V17 (PUT): submit the exit survey, `PUT {chat}/exitSurvey` (200).
    SubmitExitSurvey(SurveyAnswers) => (), "V17", PUT, Safe,
    |response, limits| expect_status(&response, UPDATED)
}

impl SubmitExitSurvey {
    /// Submits `answers` for the chat.
    pub fn new(chat: &ChatRef, answers: SurveyAnswers) -> Self {
        SubmitExitSurvey::with_loc(chat.loc().join(&["exitSurvey"]), answers)
    }

    /// Through the `exit-survey` link of a chat body.
    pub fn of_chat(chat: &Chat, answers: SurveyAnswers) -> Result<Self, Error> {
        chat_link(chat, Rel::ExitSurvey).map(|loc| SubmitExitSurvey::with_loc(loc, answers))
    }
}

send_op! {
    /// V18: e-mail the transcript, `PUT {chat}/transcriptRequest` with `{"email":"…"}` (200).
    ///
    /// State-changing: each request sends an e-mail.
    RequestTranscript(TranscriptRequest) => (), "V18", PUT, StateChanging,
    |response, limits| expect_status(&response, UPDATED)
}

impl RequestTranscript {
    /// Sends the chat's transcript to `email`.
    pub fn new(chat: &ChatRef, email: impl Into<String>) -> Self {
        RequestTranscript::with_loc(
            chat.loc().join(&["transcriptRequest"]),
            TranscriptRequest(email.into()),
        )
    }

    /// Through the chat body's `transcript-request` link, or with
    /// `with_subject` its `transcript-with-subject-request` link.
    pub fn of_chat(
        chat: &Chat,
        email: impl Into<String>,
        with_subject: bool,
    ) -> Result<Self, Error> {
        let rel = if with_subject {
            Rel::TranscriptWithSubjectRequest
        } else {
            Rel::TranscriptRequest
        };
        chat_link(chat, rel)
            .map(|loc| RequestTranscript::with_loc(loc, TranscriptRequest(email.into())))
    }
}

send_op! {
    /// V19: set custom variables (deprecated by LivePerson), `PUT {chat}/customVariables`
    /// with `{"customVariables":{"customVariable":[…]}}` (200).
    SetCustomVariables(CustomVariables) => (), "V19", PUT, Safe,
    |response, limits| expect_status(&response, UPDATED)
}

impl SetCustomVariables {
    /// Sets the chat's custom variables.
    pub fn new(chat: &ChatRef, variables: CustomVariables) -> Self {
        SetCustomVariables::with_loc(chat.loc().join(&["customVariables"]), variables)
    }

    /// Through the `custom-variables` link of a chat body.
    pub fn of_chat(chat: &Chat, variables: CustomVariables) -> Result<Self, Error> {
        chat_link(chat, Rel::CustomVariables)
            .map(|loc| SetCustomVariables::with_loc(loc, variables))
    }
}
