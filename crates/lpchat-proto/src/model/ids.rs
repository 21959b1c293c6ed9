//! Identifiers. Ids are strings on the wire (sometimes written as numbers); event ids are
//! numbers, ordered, since cursors compare them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::wire_enum::string_id;
use crate::codec::lenient;

string_id! {
    /// A chat id, which is also its chat session key
    /// (`H2170755172687460894-b7d761017809489ea1a257461eb373eeK8457415`).
    ChatId
}

string_id! {
    /// An agent session id (decimal, e.g. `1027882276`).
    AgentSessionId
}

string_id! {
    /// An agent's user id (`25025413`).
    AgentId
}

string_id! {
    /// A skill id (`25975313`).
    SkillId
}

string_id! {
    /// A visitor id (a long decimal number on the wire).
    VisitorId
}

string_id! {
    /// A survey, question or similar configuration id.
    SurveyId
}

string_id! {
    /// An account (site) id (`25025413`; some accounts have letters, e.g. `DEV37840287`).
    AccountId
}

/// A chat event id: per chat, starting at 0 and rising by 1 (spec §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EventId(pub u64);

impl EventId {
    /// The id after this one: the `from` that asks for what comes next.
    pub fn next(self) -> EventId {
        EventId(self.0.saturating_add(1))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for EventId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written as the documented `"@id":"4"`; both forms are read.
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = lenient::int(d)?;
        u64::try_from(n)
            .map(EventId)
            .map_err(|_| serde::de::Error::custom("event id must not be negative"))
    }
}
