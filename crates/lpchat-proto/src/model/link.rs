//! Relation links: the API is navigated by following them (spec §3.2).

use serde::{Deserialize, Serialize};

use super::wire_enum::wire_enum;

wire_enum! {
    /// A link relation. Unknown relations are kept, never an error.
    pub enum Rel {
        /// The resource itself.
        SelfLink = "self",
        /// Where to poll next (events after the last one seen; agents after a time stamp).
        Next = "next",
        /// A created resource (agent session, chat, chat event).
        Location = "location",
        /// A chat's events.
        Events = "events",
        /// A chat's information.
        Info = "info",
        /// Accept the next ringing chat (2017 name).
        AcceptNextChat = "acceptNextChat",
        /// A chat of the agent (chat sessions).
        ChatSession = "chat-session",
        /// Visitor name of a chat.
        VisitorName = "visitor-name",
        /// Visitor typing state of a chat.
        VisitorTyping = "visitor-typing",
        /// Agent typing state of a chat.
        AgentTyping = "agent-typing",
        /// Collaboration channels of a chat.
        CollaborationChannels = "collaboration-channels",
        /// The visit behind a chat.
        VisitId = "visit-id",
        /// Transfer of a chat.
        Transfer = "transfer",
        /// Account-to-account transfer.
        TransferAccount = "transfer-account",
        /// The agent's post-chat survey.
        AgentSurvey = "agent-survey",
        /// Visitor: e-mail the transcript.
        TranscriptRequest = "transcript-request",
        /// Visitor: e-mail the transcript with a subject.
        TranscriptWithSubjectRequest = "transcript-with-subject-request",
        /// Visitor: exit survey.
        ExitSurvey = "exit-survey",
        /// Visitor: custom variables (deprecated).
        CustomVariables = "custom-variables",
        /// Visitor: the visit session.
        VisitSession = "visit-session",
        /// Visitor base resource: availability.
        ChatAvailability = "chat-availability",
        /// Base resources: available slots.
        ChatAvailableSlots = "chat-available-slots",
        /// Visitor base resource: estimated wait time.
        ChatEstimatedWaitTime = "chat-estimatedWaitTime",
        /// Visitor base resource: request a chat.
        ChatRequest = "chat-request",
        /// Visitor base resource: pre-chat survey.
        PrechatSurvey = "prechat-survey",
        /// Visitor base resource: offline survey.
        ChatOfflineSurvey = "chat-offline-survey",
        /// Agent session: availability.
        Availability = "availability",
        /// Agent session: available agents.
        AvailableAgents = "available-agents",
        /// Agent session: incoming requests.
        IncomingRequests = "incoming-requests",
        /// Agent session: chat sessions.
        ChatSessions = "chat-sessions",
        /// An account-to-account transfer target.
        A2aTransfer = "a2a-transfer",
    }
}

/// A link: `{"@rel":…,"@href":…}`, `{"rel":…,"href":…}` or `<link rel=… href=…/>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Link {
    /// The relation.
    #[serde(rename = "@rel", alias = "rel")]
    pub rel: Rel,
    /// The absolute URL.
    #[serde(rename = "@href", alias = "href")]
    pub href: String,
}

impl Link {
    /// A link with the given relation and target.
    pub fn new(rel: Rel, href: impl Into<String>) -> Self {
        Link {
            rel,
            href: href.into(),
        }
    }

    /// The value of query parameter `name` in the href, if present (not percent-decoded: the
    /// values read here are numbers such as `from` and `timeStamp`).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let query = self.href.split_once('?')?.1;
        let query = query.split('#').next().unwrap_or(query);
        query
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// Finding links by relation in a resource's link list.
pub trait LinksExt {
    /// The first link with relation `rel`.
    fn find_rel(&self, rel: &Rel) -> Option<&Link>;
    /// The href of the first link with relation `rel`.
    fn href(&self, rel: &Rel) -> Option<&str> {
        self.find_rel(rel).map(|l| l.href.as_str())
    }
}

impl LinksExt for [Link] {
    fn find_rel(&self, rel: &Rel) -> Option<&Link> {
        self.iter().find(|l| &l.rel == rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_key_spellings_and_unknown_relations() {
        let a: Link = serde_json::from_str(r#"{"@rel":"next","@href":"h?from=4"}"#).unwrap();
        let b: Link = serde_json::from_str(r#"{"href":"h?from=4","rel":"next"}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.query_param("from"), Some("4"));
        let c: Link = serde_json::from_str(r#"{"rel":"brand-new","href":"x"}"#).unwrap();
        assert_eq!(c.rel, Rel::Unknown("brand-new".into()));
        assert_eq!(c.rel.as_str(), "brand-new");
    }

    #[test]
    fn query_params_are_found_exactly() {
        let l = Link::new(Rel::Next, "https://h/a?timeStamp=1331544926464&v=1");
        assert_eq!(l.query_param("timeStamp"), Some("1331544926464"));
        assert_eq!(l.query_param("v"), Some("1"));
        assert_eq!(l.query_param("time"), None);
        assert_eq!(Link::new(Rel::Next, "https://h/a").query_param("v"), None);
    }
}
