//! Agent availability (A5 get, A6 set; also inside A9 agent info) and the agent state it holds.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codec::{lenient, Resource};
use crate::model::wire_struct::wire_struct;

/// An agent's chat or voice state (spec §9.2).
///
/// The wire has two spellings: names (`Online`, A5/A6/A9 and the A7 filters) and numeric codes
/// (`1` Offline, `2` Online, `3` Occupied, `4` Away; A7's `@chatState`/`@voiceState`, as a
/// number or a numeric string). Both read; names in any case. Anything else is kept in
/// `Unknown`, never an error. It is always written as the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgentState {
    /// Logged off (code 1).
    Offline,
    /// Can take chats (code 2).
    Online,
    /// Receives transferred chats only (code 3).
    Occupied,
    /// Cannot take chats (code 4). The server forces this when an assigned chat is not
    /// accepted within 20 s.
    Away,
    /// A value this version does not know, kept as it came.
    Unknown(String),
}

impl AgentState {
    /// The documented name (`Online`), or the unknown value unchanged.
    pub fn as_str(&self) -> &str {
        match self {
            AgentState::Offline => "Offline",
            AgentState::Online => "Online",
            AgentState::Occupied => "Occupied",
            AgentState::Away => "Away",
            AgentState::Unknown(s) => s,
        }
    }

    /// The numeric code of A7 (1-4), for a known state.
    pub fn code(&self) -> Option<u8> {
        match self {
            AgentState::Offline => Some(1),
            AgentState::Online => Some(2),
            AgentState::Occupied => Some(3),
            AgentState::Away => Some(4),
            AgentState::Unknown(_) => None,
        }
    }

    /// The state of a numeric code; `None` outside 1-4.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(AgentState::Offline),
            2 => Some(AgentState::Online),
            3 => Some(AgentState::Occupied),
            4 => Some(AgentState::Away),
            _ => None,
        }
    }

    /// Reads a name (any case) or a numeric code; never fails.
    pub fn parse(s: &str) -> Self {
        let t = s.trim();
        if let Some(state) = t.parse::<i64>().ok().and_then(Self::from_code) {
            return state;
        }
        [
            AgentState::Offline,
            AgentState::Online,
            AgentState::Occupied,
            AgentState::Away,
        ]
        .into_iter()
        .find(|state| state.as_str().eq_ignore_ascii_case(t))
        .unwrap_or_else(|| AgentState::Unknown(s.to_owned()))
    }

    /// Whether the agent can take new chats.
    pub fn is_online(&self) -> bool {
        *self == AgentState::Online
    }
}

impl From<&str> for AgentState {
    fn from(s: &str) -> Self {
        Self::parse(s)
    }
}

impl std::str::FromStr for AgentState {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AgentState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AgentState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::string(d).map(|s| Self::parse(&s))
    }
}

/// An optional agent state; `null` and blank (an empty element or attribute) read as `None`.
pub(crate) fn opt_state<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AgentState>, D::Error> {
    Ok(lenient::opt_string(d)?
        .filter(|s| !s.trim().is_empty())
        .map(|s| AgentState::parse(&s)))
}

wire_struct! {
    /// An agent's availability: `{"availability":{"chat":"Online","voice":"Offline"}}`.
    ///
    /// The A5 response, the A6 request body and response, and the `availability` member of A9.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Availability {
        /// The chat state (`Online`, `Away`, `Occupied`).
        pub chat: Option<AgentState> as opt("chat", deserialize_with = "opt_state"),
        /// The voice state (often `Offline`); absent in older servers' bodies and in requests.
        pub voice: Option<AgentState> as opt("voice", deserialize_with = "opt_state"),
        /// Why the agent is in this state: an account-configured reason id (optional, A6; the
        /// list of ids cannot be retrieved through the API).
        pub chat_reason_id: Option<String> as opt_string("chatReasonId"),
    }
}

impl Availability {
    /// An A6 request body setting the chat state: `{"availability":{"chat":"Online"}}`.
    pub fn chat(state: AgentState) -> Self {
        Availability {
            chat: Some(state),
            ..Availability::default()
        }
    }

    /// The same with a reason id (`chatReasonId`).
    pub fn with_reason(mut self, chat_reason_id: impl Into<String>) -> Self {
        self.chat_reason_id = Some(chat_reason_id.into());
        self
    }

    /// Whether the agent can take chats now (chat state `Online`).
    pub fn is_online(&self) -> bool {
        self.chat.as_ref().is_some_and(AgentState::is_online)
    }
}

impl Resource for Availability {
    const ROOT: &'static str = "availability";
    const NAME: &'static str = "availability";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    #[test]
    fn states_read_by_name_in_any_case_and_by_code() {
        for (wire, state) in [
            ("Online", AgentState::Online),
            ("online", AgentState::Online),
            ("AWAY", AgentState::Away),
            ("2", AgentState::Online),
            (" 3 ", AgentState::Occupied),
            ("1", AgentState::Offline),
            ("4", AgentState::Away),
        ] {
            assert_eq!(AgentState::parse(wire), state, "{wire}");
        }
        assert_eq!(AgentState::parse("7"), AgentState::Unknown("7".into()));
        assert_eq!(AgentState::parse("0"), AgentState::Unknown("0".into()));
        assert_eq!(
            AgentState::parse("Invisible"),
            AgentState::Unknown("Invisible".into())
        );
        assert_eq!(AgentState::Away.code(), Some(4));
        assert_eq!(AgentState::Unknown("7".into()).as_str(), "7");
    }

    #[test]
    fn states_read_numbers_and_write_names() {
        let s: AgentState = serde_json::from_str("3").unwrap();
        assert_eq!(s, AgentState::Occupied);
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""Occupied""#);
        let s: AgentState = serde_json::from_str(r#""4""#).unwrap();
        assert_eq!(s, AgentState::Away);
    }

    #[test]
    fn availability_in_both_formats() {
        let l = Limits::default();
        let j: Availability = decode(
            Format::Json,
            br#"{"availability":{"chat":"Online","voice":"Offline","chatReasonId":123}}"#,
            &l,
        )
        .unwrap();
        let x: Availability = decode(
            Format::Xml,
            b"<availability><chat>Online</chat><voice>Offline</voice><chatReasonId>123</chatReasonId></availability>",
            &l,
        )
        .unwrap();
        assert_eq!(j, x);
        assert!(j.is_online());
        assert_eq!(j.chat_reason_id.as_deref(), Some("123"));
        let empty: Availability =
            decode(Format::Xml, b"<availability><chat/></availability>", &l).unwrap();
        assert_eq!(empty.chat, None);
    }

    #[test]
    fn set_request_encodes_as_documented() {
        let body = Availability::chat(AgentState::Away).with_reason("123");
        assert_eq!(
            &encode(Format::Json, &body).unwrap()[..],
            br#"{"availability":{"chat":"Away","chatReasonId":"123"}}"#
        );
        assert_eq!(
            &encode(Format::Xml, &Availability::chat(AgentState::Online)).unwrap()[..],
            b"<availability><chat>Online</chat></availability>"
        );
    }
}
