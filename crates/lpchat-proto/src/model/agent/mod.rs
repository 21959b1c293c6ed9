//! The Chat Agent API's own resources (spec §5): the agent session and what hangs off it
//! (availability, available agents, agent info, incoming requests, chat sessions), the bodies
//! that say where a created resource lives, transfer, and participant info.
//!
//! Chats, events and chat info, which the visitor side shares, are in [`super::chat`]; the
//! scalar bodies (available slots, visitor name, typing) are in [`super::scalars`].

mod agents;
mod availability;
mod chat_sessions;
mod incoming;
mod info;
mod location;
mod participant;
mod session;
mod transfer;

pub use agents::{AvailableAgent, AvailableAgents};
pub use availability::{AgentState, Availability};
pub use chat_sessions::{ChatSession, ChatSessions};
pub use incoming::{AcceptChat, IncomingRequests};
pub use info::{AgentInfo, SkillInfo};
pub use location::{AgentSessionLocation, ChatEventLocation, ChatLocation};
pub use participant::{
    AuthenticatedParticipantInfo, AuthenticatedPersonalInfo, Contact, ParticipantInfo, SdeDate,
};
pub use session::{AgentSession, StartAgentSession};
pub use transfer::{TransferRequest, TransferSkill, TransferSkills, TransferTarget};

/// The last path segment of an href, without query, fragment, trailing `/` or a `.json` /
/// `.xml` format suffix; `None` when there is none.
pub(crate) fn last_segment(href: &str) -> Option<&str> {
    let path = href.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let last = strip_format(last);
    (!last.is_empty() && !last.contains(':')).then_some(last)
}

/// The path segment that follows the segment `name` in an href (`chat` → the chat id).
pub(crate) fn segment_after<'a>(href: &'a str, name: &str) -> Option<&'a str> {
    let path = href.split(['?', '#']).next()?;
    let mut segments = path.split('/').map(strip_format);
    segments.find(|s| *s == name)?;
    segments.next().filter(|s| !s.is_empty())
}

fn strip_format(segment: &str) -> &str {
    segment
        .strip_suffix(".json")
        .or_else(|| segment.strip_suffix(".xml"))
        .unwrap_or(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_of_hrefs() {
        let h = "https://h/api/account/1/agentSession/1027882276.json?v=1&NC=true";
        assert_eq!(last_segment(h), Some("1027882276"));
        assert_eq!(last_segment("https://h/a/b/"), Some("b"));
        assert_eq!(last_segment("https://"), None);
        assert_eq!(last_segment(""), None);
        let e = "https://h/agentSession/1/chat/H1-2K3/events/5";
        assert_eq!(segment_after(e, "chat"), Some("H1-2K3"));
        assert_eq!(segment_after(e, "events"), Some("5"));
        assert_eq!(segment_after("https://h/chat", "chat"), None);
        assert_eq!(segment_after("https://h/chat.json?x", "chat"), None);
        assert_eq!(
            segment_after("https://h/chat/H1K2.json?v=1", "chat"),
            Some("H1K2")
        );
    }
}
