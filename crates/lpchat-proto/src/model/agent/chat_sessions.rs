//! The agent's chats (A12), for device continuity: a second agent session opened while the
//! first is active sees the first one's chats.

use serde::{Deserialize, Serialize};

use super::last_segment;
use crate::codec::Resource;
use crate::model::ids::ChatId;
use crate::model::link::{Link, LinksExt, Rel};
use crate::model::time::EpochMillis;
use crate::model::wire_struct::wire_struct;

wire_struct! {
    /// One chat of the agent (A12 `chatSession`). Its link keys are plain (`href`/`rel`).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ChatSession {
        /// `chat-session`: the chat resource.
        pub links: Vec<Link> as list("link"),
        /// The chat session key (= chat id).
        pub chat_session_key: Option<ChatId> as opt("chatSessionKey"),
        /// When the chat started, in epoch milliseconds.
        pub start_time: Option<EpochMillis> as opt("startTime"),
    }
}

impl ChatSession {
    /// The chat resource's href: the `chat-session` link, else the first link.
    pub fn href(&self) -> Option<&str> {
        self.links
            .href(&Rel::ChatSession)
            .or_else(|| self.links.first().map(|l| l.href.as_str()))
    }

    /// The chat id: the chat session key, else the last path segment of the href.
    pub fn chat_id(&self) -> Option<ChatId> {
        self.chat_session_key
            .clone()
            .filter(|k| !k.as_str().is_empty())
            .or_else(|| last_segment(self.href()?).map(ChatId::from))
    }
}

wire_struct! {
    /// The agent's chats (A12): `{"chatSessions":{"chatSession":[…]}}`; `<chatSessions/>` or
    /// `"chatSessions":""` when there are none. Poll it no faster than every 2 s.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ChatSessions {
        /// The chats.
        pub sessions: Vec<ChatSession> as list("chatSession"),
    }
}

impl ChatSessions {
    /// The chat ids, in order (sessions without one are skipped).
    pub fn chat_ids(&self) -> impl Iterator<Item = ChatId> + '_ {
        self.sessions.iter().filter_map(ChatSession::chat_id)
    }
}

impl Resource for ChatSessions {
    const ROOT: &'static str = "chatSessions";
    const NAME: &'static str = "chat-sessions";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    const KEY: &str = "H31879676690579736-632532233958645150K8414055";

    #[test]
    fn documented_example_and_the_empty_shapes() {
        let l = Limits::default();
        let j: ChatSessions = decode(
            Format::Json,
            format!(r#"{{"chatSessions":{{"chatSession":[{{"link":{{"href":"https://h/agentSession/1/chat/{KEY}","rel":"chat-session"}},
            "chatSessionKey":"{KEY}","startTime":1440934609097}}]}}}}"#).as_bytes(),
            &l,
        )
        .unwrap();
        let x: ChatSessions = decode(
            Format::Xml,
            format!(r#"<chatSessions><chatSession><link href="https://h/agentSession/1/chat/{KEY}" rel="chat-session"/>
            <chatSessionKey>{KEY}</chatSessionKey><startTime>1440934609097</startTime></chatSession></chatSessions>"#).as_bytes(),
            &l,
        )
        .unwrap();
        assert_eq!(j, x);
        assert_eq!(
            j.sessions[0].start_time,
            Some(EpochMillis(1_440_934_609_097))
        );
        assert_eq!(j.chat_ids().collect::<Vec<_>>(), [ChatId::from(KEY)]);
        for body in [
            r#"{"chatSessions":""}"#,
            r#"{"chatSessions":{}}"#,
            r#"{"chatSessions":null}"#,
        ] {
            let e: ChatSessions = decode(Format::Json, body.as_bytes(), &l).unwrap();
            assert!(e.sessions.is_empty(), "{body}");
        }
        let e: ChatSessions = decode(Format::Xml, b"<chatSessions/>", &l).unwrap();
        assert!(e.sessions.is_empty());
        assert_eq!(&encode(Format::Xml, &e).unwrap()[..], b"<chatSessions/>");
    }

    #[test]
    fn chat_id_falls_back_to_the_link() {
        let s: ChatSessions = decode(
            Format::Json,
            br#"{"chatSessions":{"chatSession":{"link":{"@href":"https://h/chat/H1K2.json","@rel":"chat-session"},"startTime":"5"}}}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(s.sessions[0].chat_id(), Some(ChatId::from("H1K2")));
        assert_eq!(s.sessions[0].start_time, Some(EpochMillis(5)));
    }
}
