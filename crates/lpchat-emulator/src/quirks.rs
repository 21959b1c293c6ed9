//! The switchable serialisation quirks of spec §3.1, per resource, list and field.
//!
//! Defaults reproduce the documented examples: `@` attribute keys everywhere except the
//! chat-sessions list, the multi-chat response, the stand-alone visitor chat info and the
//! surveys (§3.1.4); a lone `event`, `link` or survey `question` written as a bare object
//! (the last as in the one-question offline-survey example), other one-item lists as arrays
//! (§3.1.6); numbers as strings or numbers per field as in the newest example
//! (§3.1.9); a `.json`/`.xml` path suffix overriding `Accept` (§3).

use crate::wire::{JsonStyle, Scalar};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Resource names used as keys of [`Quirks::at_prefix`] and as the `resource.` part of
/// [`Quirks::numbers`] keys. Each names the top-level body of one response family.
pub mod resource {
    /// Base resource of the account (A1/V1).
    pub const ACCOUNT: &str = "account";
    /// Agent session resource (A3).
    pub const AGENT_SESSION: &str = "agentSession";
    /// `agentSessionLocation` body of A2.
    pub const AGENT_SESSION_LOCATION: &str = "agentSessionLocation";
    /// Agent availability (A5/A6).
    pub const AVAILABILITY: &str = "availability";
    /// Available agents (A7).
    pub const AVAILABLE_AGENTS: &str = "availableAgents";
    /// Agent info (A9).
    pub const AGENT_INFO: &str = "agentInfo";
    /// Incoming requests (A10).
    pub const INCOMING_REQUESTS: &str = "incomingRequests";
    /// `chatLocation` / `chatEventLocation` bodies (A11, A16, A17).
    pub const LOCATION: &str = "location";
    /// Chat sessions list (A12).
    pub const CHAT_SESSIONS: &str = "chatSessions";
    /// Multi-chat response (A13).
    pub const CHATS: &str = "chats";
    /// Chat resource (A14, V10), including its embedded events and info.
    pub const CHAT: &str = "chat";
    /// Events (A15, V11).
    pub const EVENTS: &str = "events";
    /// Agent-side chat info (A18).
    pub const CHAT_INFO: &str = "chatInfo";
    /// Visitor-side stand-alone chat info (V13).
    pub const VISITOR_INFO: &str = "visitorInfo";
    /// Skills for transfer (A23).
    pub const TRANSFER: &str = "transfer";
    /// Surveys: agent survey, pre-chat, offline (A26, V5, V6).
    pub const SURVEY: &str = "survey";
    /// Exit survey (V17), whose documented JSON uses real numbers and booleans.
    pub const EXIT_SURVEY: &str = "exitSurvey";
    /// Visit, custom variables, collaboration channels, transfer account (A25, A28-A30).
    pub const VISIT: &str = "visit";
    /// Scalar resources (slots, wait time, typing, names) and error bodies.
    pub const SCALAR: &str = "scalar";
}

/// Whether a numeric field is written as a JSON number or a JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumStyle {
    /// `"id": 4`
    Number,
    /// `"id": "4"`
    String,
}

/// What a `.json`/`.xml` suffix on the last path segment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum SuffixMode {
    /// The suffix is stripped before routing and chooses the response format (spec §3).
    #[default]
    Override,
    /// The suffix is stripped before routing; the format comes from `Accept` alone.
    Ignore,
    /// A suffixed path is unknown: 404 (a server that never learnt the suffix).
    Reject,
}

/// The runtime-switchable quirks. Partial JSON updates merge into the current value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Quirks {
    /// Per resource name (see [`resource`]): `true` writes attributes as `@key` in JSON.
    pub at_prefix: BTreeMap<String, bool>,
    /// Per list item name (`event`, `link`, `agent`, `skill`, ...): `true` writes a
    /// one-item list as the bare item instead of a one-element array.
    pub collapse: BTreeMap<String, bool>,
    /// Collapse for list item names not in `collapse`.
    pub collapse_others: bool,
    /// Number style overrides, keyed `field` or `resource.field`; the longer key wins.
    pub numbers: BTreeMap<String, NumStyle>,
    /// Overrides every numeric field when set.
    pub all_numbers: Option<NumStyle>,
    /// Handling of `.json` / `.xml` path suffixes.
    pub suffix: SuffixMode,
    /// Require the per-agent-session cookie set by A2 on every unsigned call below the session.
    pub require_session_cookie: bool,
}

impl Default for Quirks {
    fn default() -> Self {
        let at_prefix = [
            resource::CHAT_SESSIONS,
            resource::CHATS,
            resource::VISITOR_INFO,
            resource::SURVEY,
            resource::EXIT_SURVEY,
        ]
        .into_iter()
        .map(|r| (r.to_owned(), false))
        .collect();
        let collapse = ["event", "link", "question"]
            .into_iter()
            .map(|n| (n.to_owned(), true))
            .collect();
        Quirks {
            at_prefix,
            collapse,
            collapse_others: false,
            numbers: BTreeMap::new(),
            all_numbers: None,
            suffix: SuffixMode::Override,
            require_session_cookie: false,
        }
    }
}

impl Quirks {
    /// Merges a partial JSON object into these quirks (objects merge key by key; `null`
    /// removes a map entry or resets a setting to its default).
    pub fn merged(&self, patch: &serde_json::Value) -> Result<Quirks, String> {
        let mut base = serde_json::to_value(self).map_err(|e| e.to_string())?;
        merge(&mut base, patch);
        serde_json::from_value(base).map_err(|e| format!("invalid quirks: {e}"))
    }

    /// Whether `resource` writes attributes with `@`.
    pub fn at_prefix_for(&self, resource: &str) -> bool {
        self.at_prefix.get(resource).copied().unwrap_or(true)
    }

    /// The JSON writer settings for a response whose top-level resource is `resource`.
    pub fn json_style(&self, resource: &str) -> JsonStyle {
        JsonStyle {
            at_prefix: self.at_prefix_for(resource),
            collapse: self.collapse.clone(),
            collapse_others: self.collapse_others,
        }
    }

    /// The style of numeric field `field` (attributes as `@name`) in `resource`.
    pub fn num_style(&self, resource: &str, field: &str) -> NumStyle {
        if let Some(all) = self.all_numbers {
            return all;
        }
        // Hot path (every numeric field of every response): no key building without overrides.
        if !self.numbers.is_empty() {
            if let Some(s) = self.numbers.get(&format!("{resource}.{field}")) {
                return *s;
            }
            if let Some(s) = self.numbers.get(field) {
                return *s;
            }
        }
        default_num_style(resource, field)
    }
}

fn merge(base: &mut serde_json::Value, patch: &serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(slot) = b.get_mut(k) {
                    merge(slot, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// The per-field number style of the newest documented example (spec §3.1.9, §5, §6).
fn default_num_style(resource: &str, field: &str) -> NumStyle {
    use self::resource as r;
    match (resource, field) {
        // Multi-chat: event ids are JSON numbers, systemMessageId a string.
        (r::CHATS, "@id") => NumStyle::Number,
        (r::CHATS, "systemMessageId") => NumStyle::String,
        // Attributes are strings in every example.
        (_, f) if f.starts_with('@') => NumStyle::String,
        (r::EXIT_SURVEY, _) => NumStyle::Number,
        (
            _,
            "ringingCount" | "id" | "maxChats" | "chats" | "onlineAgents" | "skill"
            | "sharkContextId" | "engagementId" | "campaignId" | "order" | "logicId"
            | "chatReasonId",
        ) => NumStyle::String,
        _ => NumStyle::Number,
    }
}

/// Builds scalars for one response: knows its resource and the quirks in force.
#[derive(Debug, Clone, Copy)]
pub struct Render<'a> {
    /// The top-level resource being written.
    pub resource: &'static str,
    /// The quirks in force.
    pub quirks: &'a Quirks,
}

impl Render<'_> {
    /// A numeric child field, as a number or a string per the quirks.
    pub fn num(&self, field: &str, value: i64) -> Scalar {
        match self.quirks.num_style(self.resource, field) {
            NumStyle::Number => Scalar::Num(value),
            NumStyle::String => Scalar::Str(value.to_string()),
        }
    }

    /// A numeric attribute; looked up as `@name` so attribute and child styles differ.
    pub fn num_attr(&self, attr: &'static str, value: i64) -> Scalar {
        let key = match attr {
            "id" => "@id",
            "chatState" => "@chatState",
            "voiceState" => "@voiceState",
            "maxChats" => "@maxChats",
            "order" => "@order",
            "logicId" => "@logicId",
            other => return self.num(&format!("@{other}"), value),
        };
        self.num(key, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_examples() {
        let q = Quirks::default();
        assert!(q.at_prefix_for(resource::EVENTS));
        assert!(!q.at_prefix_for(resource::CHAT_SESSIONS));
        assert_eq!(
            q.num_style(resource::EVENTS, "systemMessageId"),
            NumStyle::Number
        );
        assert_eq!(
            q.num_style(resource::CHATS, "systemMessageId"),
            NumStyle::String
        );
        assert_eq!(q.num_style(resource::CHATS, "@id"), NumStyle::Number);
        assert_eq!(q.num_style(resource::EVENTS, "@id"), NumStyle::String);
        assert_eq!(
            q.num_style(resource::INCOMING_REQUESTS, "ringingCount"),
            NumStyle::String
        );
    }

    #[test]
    fn merges_partial_updates() {
        let q = Quirks::default()
            .merged(&serde_json::json!({"atPrefix": {"events": false}, "numbers": {"events.systemMessageId": "string"}}))
            .unwrap();
        assert!(!q.at_prefix_for(resource::EVENTS));
        assert!(!q.at_prefix_for(resource::CHATS));
        assert_eq!(
            q.num_style(resource::EVENTS, "systemMessageId"),
            NumStyle::String
        );
        let q = q
            .merged(&serde_json::json!({"numbers": {"events.systemMessageId": null}}))
            .unwrap();
        assert_eq!(
            q.num_style(resource::EVENTS, "systemMessageId"),
            NumStyle::Number
        );
        assert!(Quirks::default()
            .merged(&serde_json::json!({"suffix": "bogus"}))
            .is_err());
    }
}
