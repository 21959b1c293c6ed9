//! Transcripts: per chat, every event in order (agent-only notes included) and, for
//! scripted visitors, what they sent and received. The ground truth for no-loss checks.

use crate::clock::iso;
use crate::engine::{ChatState, Event, State};
use crate::simulator::VisitorRecord;
use serde::Serialize;

/// One chat's transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    /// Chat id.
    pub chat_id: String,
    /// Current state.
    pub state: ChatState,
    /// Skill name.
    pub skill: Option<String>,
    /// Login name of the current agent.
    pub agent: Option<String>,
    /// Login names of every agent that had the chat.
    pub agents: Vec<String>,
    /// Every event, in id order.
    pub events: Vec<TranscriptEvent>,
    /// The scripted visitor of this chat, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitor: Option<VisitorRecord>,
}

/// An event with its timestamp written out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TranscriptEvent {
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// ISO-8601 form of `time_ms`.
    pub time: String,
    /// Whether the visitor sees it.
    #[serde(rename = "visibleToVisitor")]
    pub visible_to_visitor: bool,
}

/// The transcript of one chat.
pub fn of(st: &State, visitors: &[VisitorRecord], chat_id: &str, tz: i32) -> Option<Transcript> {
    let c = st.chats.get(chat_id)?;
    let login = |a: usize| st.world.agents.get(a).map(|x| x.login_name.clone());
    Some(Transcript {
        chat_id: c.id.clone(),
        state: c.state,
        skill: c
            .skill
            .and_then(|s| st.world.skills.get(s))
            .map(|s| s.name.clone()),
        agent: c.agent.and_then(login),
        agents: c.past_agents.iter().filter_map(|a| login(*a)).collect(),
        events: c
            .events
            .iter()
            .map(|e| TranscriptEvent {
                event: e.clone(),
                time: iso(e.time_ms, tz),
                visible_to_visitor: e.visible_to_visitor(),
            })
            .collect(),
        visitor: visitors
            .iter()
            .find(|v| v.chat_id.as_deref() == Some(chat_id))
            .cloned(),
    })
}

/// Transcripts of every chat in creation order.
pub fn all(st: &State, visitors: &[VisitorRecord], tz: i32) -> Vec<Transcript> {
    st.chat_order
        .iter()
        .filter_map(|id| of(st, visitors, id, tz))
        .collect()
}
