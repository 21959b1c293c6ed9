//! Bodies of `201 Created` answers that say where the new resource lives: a `link` with rel
//! `location` wrapped in `agentSessionLocation` (A2), `chatLocation` (A11 accept, and A17 end
//! chat, whose href names the new event) or `chatEventLocation` (A16 send a line).

use serde::{Deserialize, Serialize};

use super::{last_segment, segment_after};
use crate::codec::Resource;
use crate::model::ids::{AgentSessionId, ChatId, EventId};
use crate::model::link::{Link, LinksExt, Rel};
use crate::model::wire_struct::wire_struct;

/// The `location` link of a link list, else its first link (the server's link is the
/// authority even if it were named differently).
fn location(links: &[Link]) -> Option<&Link> {
    links.find_rel(&Rel::Location).or_else(|| links.first())
}

fn event_id(href: &str) -> Option<EventId> {
    segment_after(href, "events")?
        .trim()
        .parse::<u64>()
        .ok()
        .map(EventId)
}

macro_rules! location_body {
    ($(#[$meta:meta])* $name:ident, $root:literal, $decode:literal) => {
        wire_struct! {
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
            #[non_exhaustive]
            pub struct $name {
                /// The `location` link (one, as a bare object or a one-element array).
                pub links: Vec<Link> as list("link"),
            }
        }

        impl $name {
            /// A body with one `location` link.
            pub fn new(href: impl Into<String>) -> Self {
                $name {
                    links: vec![Link::new(Rel::Location, href)],
                }
            }

            /// The `location` link, else the body's first link.
            pub fn location(&self) -> Option<&Link> {
                location(&self.links)
            }

            /// The href of [`Self::location`].
            pub fn href(&self) -> Option<&str> {
                self.location().map(|l| l.href.as_str())
            }

            /// The last path segment of the href (`.json` stripped): the new resource's id.
            pub fn last_segment(&self) -> Option<&str> {
                last_segment(self.href()?)
            }
        }

        impl Resource for $name {
            const ROOT: &'static str = $root;
            const NAME: &'static str = $decode;
        }
    };
}

location_body! {
    /// A2 `201`: the new agent session,
    /// `{"agentSessionLocation":{"link":{"@href":"…/agentSession/{s}","@rel":"location"}}}`.
    /// Its href is the base of every later agent call.
    AgentSessionLocation, "agentSessionLocation", "agent-session-location"
}

location_body! {
    /// A11 `201` (accepted chat: href `…/chat/{c}`) and A17 `201` (ended chat: href
    /// `…/chat/{c}/events/{n}`, the `ended` event; documented under this root, not
    /// `chatEventLocation`).
    ChatLocation, "chatLocation", "chat-location"
}

location_body! {
    /// A16 `201`: the line just sent, href `…/chat/{c}/events/{n}`.
    ChatEventLocation, "chatEventLocation", "chat-event-location"
}

impl AgentSessionLocation {
    /// The agent session id: the last path segment of the href.
    pub fn agent_session_id(&self) -> Option<AgentSessionId> {
        self.last_segment().map(AgentSessionId::from)
    }
}

impl ChatLocation {
    /// The chat id: the segment after `chat` in the href.
    pub fn chat_id(&self) -> Option<ChatId> {
        segment_after(self.href()?, "chat").map(ChatId::from)
    }

    /// The event id when the href names an event (A17 end chat).
    pub fn event_id(&self) -> Option<EventId> {
        event_id(self.href()?)
    }
}

impl ChatEventLocation {
    /// The chat id: the segment after `chat` in the href.
    pub fn chat_id(&self) -> Option<ChatId> {
        segment_after(self.href()?, "chat").map(ChatId::from)
    }

    /// The new event's id: the segment after `events`.
    pub fn event_id(&self) -> Option<EventId> {
        event_id(self.href()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    const CHAT: &str = "H2170755172687460894-b7d761017809489ea1a257461eb373eeK8457415";

    #[test]
    fn agent_session_id_from_every_link_shape() {
        let l = Limits::default();
        let href = "https://va.agentvep.liveperson.net/api/account/1/agentSession/1027882276";
        for body in [
            format!(
                r#"{{"agentSessionLocation":{{"link":{{"@href":"{href}","@rel":"location"}}}}}}"#
            ),
            format!(
                r#"{{"agentSessionLocation":{{"link":[{{"href":"{href}","rel":"location"}}]}}}}"#
            ),
        ] {
            let a: AgentSessionLocation = decode(Format::Json, body.as_bytes(), &l).unwrap();
            assert_eq!(
                a.agent_session_id(),
                Some(AgentSessionId::from("1027882276"))
            );
            assert_eq!(a.href(), Some(href));
        }
        let x: AgentSessionLocation = decode(
            Format::Xml,
            format!(r#"<agentSessionLocation><link rel="location" href="{href}.json"/></agentSessionLocation>"#)
                .as_bytes(),
            &l,
        )
        .unwrap();
        assert_eq!(
            x.agent_session_id(),
            Some(AgentSessionId::from("1027882276"))
        );
        assert_eq!(AgentSessionLocation::default().agent_session_id(), None);
    }

    #[test]
    fn chat_and_event_ids() {
        let accepted = ChatLocation::new(format!(
            "https://h/api/account/1/agentSession/2/chat/{CHAT}"
        ));
        assert_eq!(accepted.chat_id(), Some(ChatId::from(CHAT)));
        assert_eq!(accepted.event_id(), None);
        let ended = ChatLocation::new(format!("https://h/agentSession/2/chat/{CHAT}/events/9"));
        assert_eq!(ended.chat_id(), Some(ChatId::from(CHAT)));
        assert_eq!(ended.event_id(), Some(EventId(9)));
        assert_eq!(ended.last_segment(), Some("9"));
        let line = ChatEventLocation::new(format!("https://h/agentSession/2/chat/{CHAT}/events/5"));
        assert_eq!(line.event_id(), Some(EventId(5)));
        assert_eq!(line.chat_id(), Some(ChatId::from(CHAT)));
    }

    #[test]
    fn encodes_with_attributes() {
        let body = ChatEventLocation::new("https://h/chat/c/events/5");
        assert_eq!(
            &encode(Format::Xml, &body).unwrap()[..],
            br#"<chatEventLocation><link href="https://h/chat/c/events/5" rel="location"/></chatEventLocation>"#
        );
        assert_eq!(
            &encode(Format::Json, &body).unwrap()[..],
            br#"{"chatEventLocation":{"link":[{"@rel":"location","@href":"https://h/chat/c/events/5"}]}}"#
        );
    }
}
