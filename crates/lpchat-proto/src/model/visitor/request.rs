//! Bodies the visitor sends: chat request (V8), authenticated pre-step (V9), transcript
//! request (V18) and custom variables (V19).

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codec::{lenient, Resource, UNROOTED};
use crate::model::ids::{SkillId, VisitorId};
use crate::model::login::Secret;
use crate::model::survey::SurveyAnswers;

crate::wrapped_list!(mod custom_variable_list = "customVariable");

/// A chat request (V8): `{"request":{…}}`, every field optional. The chat's URI comes back
/// in the `Location` header.
///
/// `skill` (a name) or `skillId` route the chat; `serviceQueue` needs `maxWaitTime`; `agent`
/// excludes all three. `Debug` does not show `ssoKey`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatRequest {
    /// The skill's name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub skill: Option<String>,
    /// The skill's id (what LivePerson's Postman collection sends instead of `skill`).
    #[serde(rename = "skillId", default, skip_serializing_if = "Option::is_none")]
    pub skill_id: Option<SkillId>,
    /// A service queue (2017 docs); requires `max_wait_time`.
    #[serde(
        rename = "serviceQueue",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_queue: Option<String>,
    /// Longest acceptable wait, in seconds (0-86400).
    #[serde(
        rename = "maxWaitTime",
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_wait_time: Option<i64>,
    /// A specific agent's login name (2017 docs); excludes skill, queue and wait time.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent: Option<String>,
    /// Seconds of visitor silence after which the server ends the chat (40 in the example).
    #[serde(
        rename = "interactionTimeout",
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub interaction_timeout: Option<i64>,
    /// The visitor's browser.
    #[serde(
        rename = "userAgent",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_agent: Option<String>,
    /// The visitor's IP address.
    #[serde(
        rename = "visitorIp",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub visitor_ip: Option<String>,
    /// The page the chat starts from.
    #[serde(
        rename = "chatReferrer",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub chat_referrer: Option<String>,
    /// Links the chat to an earlier visitor.
    #[serde(rename = "visitorId", default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<VisitorId>,
    /// Lines shown to the agent before the chat starts. Read from `{"line":[…]}` (docs) or
    /// `{"lines":[…]}` (browser SDK); written as `line`.
    #[serde(
        rename = "preChatLines",
        default,
        with = "pre_chat_lines",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub pre_chat_lines: Vec<String>,
    /// The App Engagement visitor id.
    #[serde(
        rename = "LETagVisitorId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub le_tag_visitor_id: Option<String>,
    /// The App Engagement session id.
    #[serde(
        rename = "LETagSessionId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub le_tag_session_id: Option<String>,
    /// The App Engagement context id.
    #[serde(
        rename = "LETagContextId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub le_tag_context_id: Option<String>,
    /// The engagement (a number on the wire in the example).
    #[serde(
        rename = "engagementId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engagement_id: Option<String>,
    /// The campaign (a number on the wire in the example).
    #[serde(
        rename = "campaignId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub campaign_id: Option<String>,
    /// The visitor's language (`en-US`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub language: Option<String>,
    /// Answers to the pre-chat survey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyAnswers>,
    /// Custom variables of the session (`customVariables.customVariable`).
    #[serde(
        rename = "customVariables",
        default,
        with = "custom_variable_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub custom_variables: Vec<CustomVariable>,
    /// Authenticated visitors: the participant id from the pre-step (V9).
    #[serde(
        rename = "participantId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub participant_id: Option<String>,
    /// Authenticated visitors: the conversation id from the pre-step's `Location`.
    #[serde(
        rename = "conversationId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub conversation_id: Option<String>,
    /// Authenticated visitors (2017 docs): the SSO key.
    #[serde(rename = "ssoKey", default, skip_serializing_if = "Option::is_none")]
    pub sso_key: Option<Secret>,
}

impl ChatRequest {
    /// A request for a chat with `skill` (a skill name).
    pub fn for_skill(skill: impl Into<String>) -> Self {
        ChatRequest {
            skill: Some(skill.into()),
            ..ChatRequest::default()
        }
    }
}

impl Resource for ChatRequest {
    const ROOT: &'static str = "request";
    const NAME: &'static str = "request-chat";
}

/// `preChatLines`: a container of `line` (docs) or `lines` (browser SDK) items.
mod pre_chat_lines {
    use super::*;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(LinesVisitor)
    }

    pub(super) fn serialize<S: Serializer>(lines: &[String], s: S) -> Result<S::Ok, S::Error> {
        lenient::serialize_wrapped(lines, "line", s)
    }

    struct Lines(Vec<String>);

    impl<'de> Deserialize<'de> for Lines {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            crate::model::survey::string_list(d).map(Lines)
        }
    }

    struct LinesVisitor;

    impl<'de> Visitor<'de> for LinesVisitor {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a container of `line` items")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "line" || key == "lines" {
                    out.extend(map.next_value::<Lines>()?.0);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(out)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
            if v.trim().is_empty() {
                Ok(Vec::new())
            } else {
                Err(E::invalid_type(de::Unexpected::Str(v), &self))
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
            d.deserialize_any(self)
        }
    }
}

/// The authenticated-visitor pre-step (V9, `POST /conversation.json`): a body with no root
/// key. Answered 201 with an empty body and a `Location` header. `Debug` does not show
/// `ssoKey`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationRequest {
    /// The authentication connector's id.
    #[serde(
        rename = "authChatConnId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub auth_chat_conn_id: Option<String>,
    /// The OAuth 2 code or JWT of the visitor's authentication.
    #[serde(rename = "ssoKey", default, skip_serializing_if = "Option::is_none")]
    pub sso_key: Option<Secret>,
    /// The engagement.
    #[serde(
        rename = "engagementId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub engagement_id: Option<String>,
    /// The App Engagement context id.
    #[serde(
        rename = "LETagContextId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub le_tag_context_id: Option<String>,
    /// The App Engagement session id.
    #[serde(
        rename = "LETagSessionId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub le_tag_session_id: Option<String>,
    /// The App Engagement visitor id.
    #[serde(
        rename = "LETagVisitorId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub le_tag_visitor_id: Option<String>,
    /// Where the OAuth 2 code was issued for (code flow only).
    #[serde(
        rename = "redirectUri",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_uri: Option<String>,
}

impl Resource for ConversationRequest {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "request-conversation";
}

/// E-mail the transcript (V18): `{"email":"…"}` / `<email>…</email>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TranscriptRequest(pub String);

impl TranscriptRequest {
    /// The address to send the transcript to.
    pub fn email(&self) -> &str {
        &self.0
    }
}

impl Serialize for TranscriptRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TranscriptRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::string(d).map(TranscriptRequest)
    }
}

impl Resource for TranscriptRequest {
    const ROOT: &'static str = "email";
    const NAME: &'static str = "request-transcript";
}

/// A custom variable: a name and its value (session scope; the last value set wins).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomVariable {
    /// The name.
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// The value (`""` when empty or absent).
    #[serde(default, deserialize_with = "lenient::string")]
    pub value: String,
}

impl CustomVariable {
    /// A variable.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        CustomVariable {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Set custom variables (V19, deprecated by LivePerson):
/// `{"customVariables":{"customVariable":[{"name","value"}]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomVariables {
    /// The variables.
    #[serde(
        rename = "customVariable",
        default,
        deserialize_with = "lenient::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub variables: Vec<CustomVariable>,
}

impl CustomVariables {
    /// A body setting these variables.
    pub fn new(variables: Vec<CustomVariable>) -> Self {
        CustomVariables { variables }
    }
}

impl Resource for CustomVariables {
    const ROOT: &'static str = "customVariables";
    const NAME: &'static str = "request-custom-variables";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn read<T: Resource>(format: Format, s: &str) -> T {
        decode(format, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn pre_chat_lines_in_both_spellings_written_as_line() {
        let docs: ChatRequest = read(
            Format::Json,
            r#"{"request":{"skill":"Sales","preChatLines":{"line":["a","b"]},"engagementId":27469613}}"#,
        );
        let sdk: ChatRequest = read(
            Format::Json,
            r#"{"request":{"skill":"Sales","preChatLines":{"lines":["a","b"]},"engagementId":"27469613","runWithRules":true}}"#,
        );
        assert_eq!(docs, sdk);
        assert_eq!(docs.pre_chat_lines, vec!["a", "b"]);
        assert_eq!(docs.engagement_id.as_deref(), Some("27469613"));
        let one: ChatRequest = read(Format::Json, r#"{"request":{"preChatLines":{"line":"x"}}}"#);
        assert_eq!(one.pre_chat_lines, vec!["x"]);
        let none: ChatRequest = read(Format::Xml, "<request><preChatLines/></request>");
        assert!(none.pre_chat_lines.is_empty());
        assert_eq!(
            &encode(Format::Json, &docs).unwrap()[..],
            br#"{"request":{"skill":"Sales","preChatLines":{"line":["a","b"]},"engagementId":"27469613"}}"#
        );
    }

    #[test]
    fn sso_keys_do_not_show_in_debug() {
        let mut r = ChatRequest::for_skill("Sales");
        r.sso_key = Some("sso-secret-1".into());
        let c: ConversationRequest = read(
            Format::Json,
            r#"{"authChatConnId":568046210,"ssoKey":"sso-secret-2","engagementId":567609310}"#,
        );
        assert_eq!(c.auth_chat_conn_id.as_deref(), Some("568046210"));
        assert_eq!(c.sso_key.as_ref().map(Secret::expose), Some("sso-secret-2"));
        let shown = format!("{r:?} {c:?}");
        assert!(!shown.contains("sso-secret"), "{shown}");
    }

    #[test]
    fn transcript_and_custom_variables() {
        let t: TranscriptRequest = read(Format::Xml, "<email>v@example.com</email>");
        assert_eq!(t.email(), "v@example.com");
        assert_eq!(
            &encode(Format::Json, &t).unwrap()[..],
            br#"{"email":"v@example.com"}"#
        );
        let v: CustomVariables = read(
            Format::Json,
            r#"{"customVariables":{"customVariable":{"name":"a","value":1}}}"#,
        );
        assert_eq!(v.variables, vec![CustomVariable::new("a", "1")]);
        let x: CustomVariables = read(
            Format::Xml,
            "<customVariables><customVariable><name>a</name><value></value></customVariable></customVariables>",
        );
        assert_eq!(x.variables, vec![CustomVariable::new("a", "")]);
    }
}
