//! The table of decodable resources by name, for tools that pick a resource at run time
//! (`lpchat decode`, the fuzz targets, the bindings' test helpers).

use serde_json::Value;

use crate::codec::{decode, encode, DecodeError, EncodeError, Limits, Resource};
use crate::model::*;
use crate::Format;

/// One entry of the table.
#[derive(Clone, Copy)]
pub struct ResourceEntry {
    /// The name (`events`, `agent-info`, …).
    pub name: &'static str,
    /// Which endpoints answer with it (`A15, V11`).
    pub endpoints: &'static str,
    decode: fn(Format, &[u8], &Limits) -> Result<Value, DecodeError>,
    round_trip: fn(Format, &[u8], &Limits) -> Result<(), RoundTripError>,
}

impl std::fmt::Debug for ResourceEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceEntry")
            .field("name", &self.name)
            .field("endpoints", &self.endpoints)
            .finish()
    }
}

impl ResourceEntry {
    /// Decodes a body into the model and returns the model in its wire-shaped JSON form.
    pub fn decode_to_json(
        &self,
        format: Format,
        body: &[u8],
        limits: &Limits,
    ) -> Result<Value, DecodeError> {
        (self.decode)(format, body, limits)
    }

    /// Decodes a body, then checks that the model survives re-encoding: exactly through
    /// JSON, and through XML once it has been through XML once (XML cannot tell some values
    /// apart, e.g. a one-element list holding `""` from an empty list).
    pub fn check_round_trip(
        &self,
        format: Format,
        body: &[u8],
        limits: &Limits,
    ) -> Result<(), RoundTripError> {
        (self.round_trip)(format, body, limits)
    }
}

/// A decoded model that did not survive re-encoding: a codec defect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTripError(pub String);

impl std::fmt::Display for RoundTripError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "round trip failed: {}", self.0)
    }
}

impl std::error::Error for RoundTripError {}

fn decode_json<T: Resource>(
    format: Format,
    body: &[u8],
    limits: &Limits,
) -> Result<Value, DecodeError> {
    let model: T = decode(format, body, limits)?;
    // Serializing a model to a JSON value cannot fail: models hold no non-string map keys.
    Ok(serde_json::to_value(&model).unwrap_or(Value::Null))
}

fn round_trip<T: Resource + PartialEq + std::fmt::Debug>(
    format: Format,
    body: &[u8],
    limits: &Limits,
) -> Result<(), RoundTripError> {
    let Ok(model) = decode::<T>(format, body, limits) else {
        return Ok(());
    };
    let fail =
        |what: &str, e: &dyn std::fmt::Display| RoundTripError(format!("{}: {what}: {e}", T::NAME));
    let big = Limits {
        max_body: usize::MAX,
        ..*limits
    };
    let json = encode(Format::Json, &model).map_err(|e| fail("encode json", &e))?;
    let back: T = decode(Format::Json, &json, &big).map_err(|e| fail("decode json", &e))?;
    if back != model {
        return Err(RoundTripError(format!(
            "{}: JSON changed the model: {model:?} became {back:?}",
            T::NAME
        )));
    }
    let xml = match encode(Format::Xml, &model) {
        Ok(xml) => xml,
        // A value tree (rich content, an undocumented body) with a key XML cannot name has
        // no XML form: a typed error of the encoder, not a defect.
        Err(EncodeError::XmlName(_)) => return Ok(()),
        Err(e) => return Err(fail("encode xml", &e)),
    };
    let once: T = decode(Format::Xml, &xml, &big).map_err(|e| fail("decode xml", &e))?;
    let xml2 = encode(Format::Xml, &once).map_err(|e| fail("encode xml again", &e))?;
    let twice: T = decode(Format::Xml, &xml2, &big).map_err(|e| fail("decode xml again", &e))?;
    if twice != once {
        return Err(RoundTripError(format!(
            "{}: XML is not stable: {once:?} became {twice:?}",
            T::NAME
        )));
    }
    Ok(())
}

macro_rules! entries {
    ($( $name:literal => $ty:ty, $endpoints:literal; )+) => {
        &[ $(
            ResourceEntry {
                name: $name,
                endpoints: $endpoints,
                decode: decode_json::<$ty>,
                round_trip: round_trip::<$ty>,
            },
        )+ ]
    };
}

static ENTRIES: &[ResourceEntry] = entries! {
    "chats" => Chats, "A13";
    "chat" => Chat, "A14, V10";
    "events" => Events, "A15, V11";
    "info" => ChatInfo, "A18, V13";
    "request-line" => NewEvent, "A16, V12 request body (a line)";
    "request-end" => NewEvent, "A17, V12 request body (end the chat)";
    // Agent side (model::agent) and the scalar bodies (model::scalars).
    "agent-session-location" => AgentSessionLocation, "A2";
    "request-agent-session" => StartAgentSession, "A2 request body (loginData)";
    "agent-session" => AgentSession, "A3";
    "availability" => Availability, "A5, A6";
    "request-availability" => Availability, "A6 request body";
    "available-agents" => AvailableAgents, "A7";
    "available-slots" => AvailableSlots, "A8, V3";
    "agent-info" => AgentInfo, "A9";
    "incoming-requests" => IncomingRequests, "A10";
    "request-accept" => AcceptChat, "A11 request body";
    "chat-location" => ChatLocation, "A11, A17";
    "chat-sessions" => ChatSessions, "A12";
    "chat-event-location" => ChatEventLocation, "A16";
    "visitor-name" => VisitorName, "A19, V14";
    "request-visitor-name" => VisitorName, "V14 request body";
    "visitor-typing" => VisitorTyping, "A20, V15; V15 request body";
    "agent-typing" => AgentTyping, "A21, V16; A22 request body";
    "transfer-skills" => TransferSkills, "A23";
    "request-transfer" => TransferRequest, "A24 request body";
    "participant-info" => ParticipantInfo, "A31";
    // Visitor side, surveys, Login Service, Domain API, undocumented bodies.
    "account" => Account, "V1";
    "visitor-availability" => VisitorAvailability, "V2";
    "estimated-wait-time" => EstimatedWaitTime, "V4";
    "survey" => Survey, "A26, V5, V6, V17";
    "request-survey" => SurveyAnswers, "A27, V7, V17 request body";
    "request-chat" => ChatRequest, "V8 request body";
    "request-conversation" => ConversationRequest, "V9 request body";
    "request-transcript" => TranscriptRequest, "V18 request body";
    "request-custom-variables" => CustomVariables, "V19 request body";
    "generic" => Generic, "A25, A28-A30, V20 (undocumented bodies)";
    "login" => LoginResponse, "L1";
    "request-login" => LoginRequest, "L1 request body";
    "request-refresh" => RefreshRequest, "L2, L3 request body";
    "error" => ErrorBody, "Login Service error envelope";
    "domain" => Domain, "D1";
    "domain-all" => DomainAll, "D2";
    "domain-legacy" => LegacyDomain, "D3";
};

/// Every resource, in a stable order.
pub fn all() -> &'static [ResourceEntry] {
    ENTRIES
}

/// The resource with this name.
pub fn find(name: &str) -> Option<&'static ResourceEntry> {
    ENTRIES.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = all().iter().map(|e| e.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn decode_by_name() {
        let v = find("events")
            .unwrap()
            .decode_to_json(
                Format::Xml,
                br#"<events><event id="3" type="state"><state>ended</state></event></events>"#,
                &Limits::default(),
            )
            .unwrap();
        assert_eq!(v["event"][0]["@id"], "3");
        assert_eq!(v["event"][0]["state"], "ended");
    }
}
