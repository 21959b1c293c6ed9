//! Bodies whose root holds a single value (spec §3.1 rule 2): `{"availableSlots":1}` ↔
//! `<availableSlots>1</availableSlots>`. The same shapes serve as request bodies (A22 / V15
//! typing, V14 visitor name).

use serde::{Deserialize, Serialize};

use super::chat::TypingState;
use crate::codec::{lenient, Resource};

/// Free chat slots (A8 agent side, V3 visitor side): `{"availableSlots":1}`; `-1` = unlimited.
/// A number, or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AvailableSlots(#[serde(deserialize_with = "lenient::int")] pub i64);

impl AvailableSlots {
    /// The value that means "unlimited".
    pub const UNLIMITED: AvailableSlots = AvailableSlots(-1);

    /// Whether the slots are unlimited (`-1`; any negative value is read so).
    pub fn is_unlimited(self) -> bool {
        self.0 < 0
    }

    /// Whether a chat could start now: unlimited or at least one slot.
    pub fn has_room(self) -> bool {
        self.0 != 0
    }

    /// The number of slots, `None` when unlimited.
    pub fn count(self) -> Option<u64> {
        u64::try_from(self.0).ok()
    }
}

impl Resource for AvailableSlots {
    const ROOT: &'static str = "availableSlots";
    const NAME: &'static str = "available-slots";
}

/// A chat's visitor name (A19 / V14 GET, and the V14 PUT body): `{"visitorName":"visitor"}`.
/// The default name is `visitor` (agent side) or `You` (visitor side); it may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VisitorName(#[serde(deserialize_with = "lenient::string")] pub String);

impl VisitorName {
    /// A visitor-name body.
    pub fn new(name: impl Into<String>) -> Self {
        VisitorName(name.into())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Resource for VisitorName {
    const ROOT: &'static str = "visitorName";
    const NAME: &'static str = "visitor-name";
}

/// Whether the visitor is typing (A20 / V15 GET, and the V15 PUT body):
/// `{"visitorTyping":"typing"}`; `typing`, `not-typing` or `unknown`, other values kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VisitorTyping(pub TypingState);

impl VisitorTyping {
    /// Whether the value is `typing`.
    pub fn is_typing(&self) -> bool {
        self.0 == TypingState::Typing
    }
}

impl Resource for VisitorTyping {
    const ROOT: &'static str = "visitorTyping";
    const NAME: &'static str = "visitor-typing";
}

/// Whether the agent is typing (A21 / V16 GET, and the A22 PUT body):
/// `{"agentTyping":"not-typing"}`; the PUT takes only `typing` or `not-typing`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentTyping(pub TypingState);

impl AgentTyping {
    /// Whether the value is `typing`.
    pub fn is_typing(&self) -> bool {
        self.0 == TypingState::Typing
    }
}

impl Resource for AgentTyping {
    const ROOT: &'static str = "agentTyping";
    const NAME: &'static str = "agent-typing";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, DecodeErrorKind, Format, Limits};

    fn both<T: Resource + PartialEq + std::fmt::Debug>(json: &str, xml: &str) -> T {
        let l = Limits::default();
        let j: T = decode(Format::Json, json.as_bytes(), &l).unwrap();
        let x: T = decode(Format::Xml, xml.as_bytes(), &l).unwrap();
        assert_eq!(j, x);
        j
    }

    #[test]
    fn slots_as_number_or_string() {
        let s: AvailableSlots = both(
            r#"{"availableSlots":1}"#,
            "<availableSlots>1</availableSlots>",
        );
        assert_eq!(s, AvailableSlots(1));
        let s: AvailableSlots = both(
            r#"{"availableSlots":"-1"}"#,
            "<availableSlots> -1 </availableSlots>",
        );
        assert!(s.is_unlimited() && s.has_room());
        assert_eq!(s.count(), None);
        assert_eq!(AvailableSlots(0).count(), Some(0));
        assert_eq!(
            &encode(Format::Xml, &AvailableSlots::UNLIMITED).unwrap()[..],
            b"<availableSlots>-1</availableSlots>"
        );
        assert_eq!(
            &encode(Format::Json, &AvailableSlots(2)).unwrap()[..],
            br#"{"availableSlots":2}"#
        );
    }

    #[test]
    fn bad_slots_are_type_errors() {
        let l = Limits::default();
        for body in [
            r#"{"availableSlots":"many"}"#,
            r#"{"availableSlots":99999999999999999999999}"#,
            r#"{"availableSlots":{"x":1}}"#,
            r#"{"availableSlots":1.5}"#,
        ] {
            let e = decode::<AvailableSlots>(Format::Json, body.as_bytes(), &l).unwrap_err();
            assert_eq!(e.kind(), &DecodeErrorKind::Type, "{body}");
        }
        let e = decode::<AvailableSlots>(Format::Xml, b"<availableSlots/>", &l).unwrap_err();
        assert_eq!(e.kind(), &DecodeErrorKind::Type);
    }

    #[test]
    fn names_and_typing() {
        let n: VisitorName = both(r#"{"visitorName":""}"#, "<visitorName></visitorName>");
        assert_eq!(n.as_str(), "");
        let n: VisitorName = both(r#"{"visitorName":42}"#, "<visitorName>42</visitorName>");
        assert_eq!(n, VisitorName::new("42"));
        let t: VisitorTyping = both(
            r#"{"visitorTyping":"typing"}"#,
            "<visitorTyping>typing</visitorTyping>",
        );
        assert!(t.is_typing());
        let t: AgentTyping = both(
            r#"{"agentTyping":"thinking"}"#,
            "<agentTyping>thinking</agentTyping>",
        );
        assert_eq!(t.0, TypingState::Unknown("thinking".into()));
        let t: AgentTyping = both(
            r#"{"agentTyping":"unknown"}"#,
            "<agentTyping>unknown</agentTyping>",
        );
        assert_eq!(t.0, TypingState::TypingUnknown);
        assert_eq!(
            &encode(Format::Json, &AgentTyping(TypingState::NotTyping)).unwrap()[..],
            br#"{"agentTyping":"not-typing"}"#
        );
    }
}
