//! The agent session: the A2 request body that starts one and the A3 resource (its links).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::codec::{lenient, Resource};
use crate::model::link::{Link, LinksExt, Rel};
use crate::model::wire_struct::wire_struct;

/// The A2 request body, `{"loginData": …}`: the value of `loginData`.
///
/// The docs require `""` "for backwards compatibility"; Postman sends `{}` and the official
/// sample app sends the agent's credentials. All three read and write as they came (in XML
/// `{}` and `""` are both `<loginData/>`, which reads as [`StartAgentSession::Blank`]). The
/// password never appears in `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StartAgentSession {
    /// `"loginData": ""`, the documented body.
    #[default]
    Blank,
    /// `"loginData": {}`.
    EmptyObject,
    /// `"loginData": {"userName": …, "password": …}`.
    Credentials {
        /// The agent's login name.
        user_name: String,
        /// The agent's password.
        password: String,
    },
}

impl fmt::Debug for StartAgentSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartAgentSession::Blank => f.write_str("Blank"),
            StartAgentSession::EmptyObject => f.write_str("EmptyObject"),
            StartAgentSession::Credentials { user_name, .. } => f
                .debug_struct("Credentials")
                .field("user_name", user_name)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

impl Serialize for StartAgentSession {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StartAgentSession::Blank => s.serialize_str(""),
            StartAgentSession::EmptyObject => s.serialize_map(Some(0))?.end(),
            StartAgentSession::Credentials {
                user_name,
                password,
            } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("userName", user_name)?;
                map.serialize_entry("password", password)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for StartAgentSession {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LoginDataVisitor;

        impl<'de> Visitor<'de> for LoginDataVisitor {
            type Value = StartAgentSession;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#""", {} or {"userName":…,"password":…}"#)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.trim().is_empty() {
                    Ok(StartAgentSession::Blank)
                } else {
                    Err(E::invalid_type(
                        de::Unexpected::Other("a non-empty string"),
                        &self,
                    ))
                }
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StartAgentSession::Blank)
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StartAgentSession::Blank)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut user_name, mut password) = (None, None);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match &*key {
                        "userName" => user_name = Some(map.next_value::<lenient::Text>()?.0),
                        "password" => password = Some(map.next_value::<lenient::Text>()?.0),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(match (user_name, password) {
                    (None, None) => StartAgentSession::EmptyObject,
                    (user_name, password) => StartAgentSession::Credentials {
                        user_name: user_name.unwrap_or_default(),
                        password: password.unwrap_or_default(),
                    },
                })
            }
        }

        d.deserialize_any(LoginDataVisitor)
    }
}

impl Resource for StartAgentSession {
    const ROOT: &'static str = "loginData";
    const NAME: &'static str = "request-agent-session";
}

wire_struct! {
    /// The agent session resource (A3, `GET …/agentSession/{s}`): links to what the session
    /// offers. Its body was never published; the rel names come from the 2017 docs (spec §12.1).
    /// With `cs=1` it may also carry `chat-session` links to the ongoing chats.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AgentSession {
        /// `self`, `availability`, `available-agents`, `chat-available-slots`, `info`,
        /// `incoming-requests`, `chat-sessions`, possibly `chat-session` per chat.
        pub links: Vec<Link> as list("link"),
    }
}

impl AgentSession {
    /// The href of the link with relation `rel`.
    pub fn href(&self, rel: &Rel) -> Option<&str> {
        self.links.href(rel)
    }

    /// `availability` (A5/A6).
    pub fn availability_href(&self) -> Option<&str> {
        self.href(&Rel::Availability)
    }

    /// `available-agents` (A7).
    pub fn available_agents_href(&self) -> Option<&str> {
        self.href(&Rel::AvailableAgents)
    }

    /// `chat-available-slots` (A8).
    pub fn available_slots_href(&self) -> Option<&str> {
        self.href(&Rel::ChatAvailableSlots)
    }

    /// `info` (A9).
    pub fn info_href(&self) -> Option<&str> {
        self.href(&Rel::Info)
    }

    /// `incoming-requests` (A10/A11).
    pub fn incoming_requests_href(&self) -> Option<&str> {
        self.href(&Rel::IncomingRequests)
    }

    /// `chat-sessions` (A12).
    pub fn chat_sessions_href(&self) -> Option<&str> {
        self.href(&Rel::ChatSessions)
    }

    /// The hrefs of the `chat-session` links (ongoing chats, with `cs=1`).
    pub fn chat_session_hrefs(&self) -> impl Iterator<Item = &str> {
        self.links
            .iter()
            .filter(|l| l.rel == Rel::ChatSession)
            .map(|l| l.href.as_str())
    }
}

impl Resource for AgentSession {
    const ROOT: &'static str = "agentSession";
    const NAME: &'static str = "agent-session";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn json(s: &str) -> StartAgentSession {
        decode(Format::Json, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn login_data_in_its_three_forms() {
        assert_eq!(json(r#"{"loginData":""}"#), StartAgentSession::Blank);
        assert_eq!(json(r#"{"loginData":{}}"#), StartAgentSession::EmptyObject);
        let c = json(r#"{"loginData":{"userName":"agent1","password":"secret"}}"#);
        assert_eq!(
            c,
            StartAgentSession::Credentials {
                user_name: "agent1".into(),
                password: "secret".into()
            }
        );
        assert!(!format!("{c:?}").contains("secret"));
        assert!(decode::<StartAgentSession>(
            Format::Json,
            br#"{"loginData":"x"}"#,
            &Limits::default()
        )
        .is_err());
        for v in [
            StartAgentSession::Blank,
            StartAgentSession::EmptyObject,
            c.clone(),
        ] {
            let body = encode(Format::Json, &v).unwrap();
            assert_eq!(json(std::str::from_utf8(&body).unwrap()), v);
        }
        assert_eq!(
            &encode(Format::Json, &StartAgentSession::Blank).unwrap()[..],
            br#"{"loginData":""}"#
        );
        let x: StartAgentSession =
            decode(Format::Xml, b"<loginData/>", &Limits::default()).unwrap();
        assert_eq!(x, StartAgentSession::Blank);
    }

    #[test]
    fn session_links_by_relation() {
        let s: AgentSession = decode(
            Format::Xml,
            br#"<agentSession><link rel="self" href="https://h/s/1"/><link rel="incoming-requests" href="https://h/s/1/incomingRequests"/>
            <link rel="chat-session" href="https://h/s/1/chat/A"/><link rel="chat-session" href="https://h/s/1/chat/B"/><newField>x</newField></agentSession>"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            s.incoming_requests_href(),
            Some("https://h/s/1/incomingRequests")
        );
        assert_eq!(s.availability_href(), None);
        assert_eq!(
            s.chat_session_hrefs().collect::<Vec<_>>(),
            ["https://h/s/1/chat/A", "https://h/s/1/chat/B"]
        );
    }
}
