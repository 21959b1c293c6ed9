//! Bodies the visitor sends: chat request (V8), authenticated pre-step (V9), transcript
//! request (V18) and custom variables (V19).

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codec::{lenient, Resource, UNROOTED};
use crate::model::ids::{SkillId, VisitorId};
use crate::model::login::Secret;
use crate::model::survey::SurveyAnswers;
use crate::model::wire_struct::wire_struct;

crate::wrapped_list!(mod custom_variable_list = "customVariable");

wire_struct! {
    /// A chat request (V8): `{"request":{…}}`, every field optional. The chat's URI comes back
    /// in the `Location` header.
    ///
    /// `skill` (a name) or `skillId` route the chat; `serviceQueue` needs `maxWaitTime`; `agent`
    /// excludes all three. `Debug` does not show `ssoKey`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ChatRequest {
        /// The skill's name.
        pub skill: Option<String> as opt_string("skill"),
        /// The skill's id (what LivePerson's Postman collection sends instead of `skill`).
        pub skill_id: Option<SkillId> as opt("skillId"),
        /// A service queue (2017 docs); requires `max_wait_time`.
        pub service_queue: Option<String> as opt_string("serviceQueue"),
        /// Longest acceptable wait, in seconds (0-86400).
        pub max_wait_time: Option<i64> as opt_int("maxWaitTime"),
        /// A specific agent's login name (2017 docs); excludes skill, queue and wait time.
        pub agent: Option<String> as opt_string("agent"),
        /// Seconds of visitor silence after which the server ends the chat (40 in the example).
        pub interaction_timeout: Option<i64> as opt_int("interactionTimeout"),
        /// The visitor's browser.
        pub user_agent: Option<String> as opt_string("userAgent"),
        /// The visitor's IP address.
        pub visitor_ip: Option<String> as opt_string("visitorIp"),
        /// The page the chat starts from.
        pub chat_referrer: Option<String> as opt_string("chatReferrer"),
        /// Links the chat to an earlier visitor.
        pub visitor_id: Option<VisitorId> as opt("visitorId"),
        /// Lines shown to the agent before the chat starts. Read from `{"line":[…]}` (docs) or
        /// `{"lines":[…]}` (browser SDK); written as `line`.
        pub pre_chat_lines: Vec<String> as list("preChatLines", with = "pre_chat_lines"),
        /// The App Engagement visitor id.
        pub le_tag_visitor_id: Option<String> as opt_string("LETagVisitorId"),
        /// The App Engagement session id.
        pub le_tag_session_id: Option<String> as opt_string("LETagSessionId"),
        /// The App Engagement context id.
        pub le_tag_context_id: Option<String> as opt_string("LETagContextId"),
        /// The engagement (a number on the wire in the example).
        pub engagement_id: Option<String> as opt_string("engagementId"),
        /// The campaign (a number on the wire in the example).
        pub campaign_id: Option<String> as opt_string("campaignId"),
        /// The visitor's language (`en-US`).
        pub language: Option<String> as opt_string("language"),
        /// Answers to the pre-chat survey.
        pub survey: Option<SurveyAnswers> as opt("survey"),
        /// Custom variables of the session (`customVariables.customVariable`).
        pub custom_variables: Vec<CustomVariable>
            as list("customVariables", with = "custom_variable_list"),
        /// Authenticated visitors: the participant id from the pre-step (V9).
        pub participant_id: Option<String> as opt_string("participantId"),
        /// Authenticated visitors: the conversation id from the pre-step's `Location`.
        pub conversation_id: Option<String> as opt_string("conversationId"),
        /// Authenticated visitors (2017 docs): the SSO key.
        pub sso_key: Option<Secret> as opt("ssoKey"),
    }
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

wire_struct! {
    /// The authenticated-visitor pre-step (V9, `POST /conversation.json`): a body with no root
    /// key. Answered 201 with an empty body and a `Location` header. `Debug` does not show
    /// `ssoKey`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ConversationRequest {
        /// The authentication connector's id.
        pub auth_chat_conn_id: Option<String> as opt_string("authChatConnId"),
        /// The OAuth 2 code or JWT of the visitor's authentication.
        pub sso_key: Option<Secret> as opt("ssoKey"),
        /// The engagement.
        pub engagement_id: Option<String> as opt_string("engagementId"),
        /// The App Engagement context id.
        pub le_tag_context_id: Option<String> as opt_string("LETagContextId"),
        /// The App Engagement session id.
        pub le_tag_session_id: Option<String> as opt_string("LETagSessionId"),
        /// The App Engagement visitor id.
        pub le_tag_visitor_id: Option<String> as opt_string("LETagVisitorId"),
        /// Where the OAuth 2 code was issued for (code flow only).
        pub redirect_uri: Option<String> as opt_string("redirectUri"),
    }
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

wire_struct! {
    /// A custom variable: a name and its value (session scope; the last value set wins).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct CustomVariable {
        /// The name.
        pub name: String as string("name"),
        /// The value (`""` when empty or absent).
        pub value: String as string("value", default),
    }
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

wire_struct! {
    /// Set custom variables (V19, deprecated by LivePerson):
    /// `{"customVariables":{"customVariable":[{"name","value"}]}}`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct CustomVariables {
        /// The variables.
        pub variables: Vec<CustomVariable> as list("customVariable"),
    }
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
