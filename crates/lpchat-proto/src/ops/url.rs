//! Where an operation goes: references to agent sessions and chats, and the URL building
//! rules of spec §3 (server links first, `v=1&NC=true` added once, `.json` suffix).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::context::BaseUri;
use super::error::Error;
use super::response::Created;
use crate::auth::encoding::percent_encode;
use crate::model::agent::{AgentSessionLocation, ChatLocation, ChatSession};
use crate::model::{AgentSessionId, ChatId, Rel};
use crate::Format;

/// An agent session: its URL (the `location` link of A2, preferred) or its id under the
/// context's base URI (`…/api/account/{a}/agentSession/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SessionRef {
    /// The session's absolute URL, as the server gave it.
    Href(String),
    /// The session id.
    Id(AgentSessionId),
}

impl SessionRef {
    /// The session id: the id itself, or the last path segment of the URL (as LivePerson's
    /// Postman tests derive it).
    pub fn id(&self) -> Option<AgentSessionId> {
        match self {
            SessionRef::Id(id) => Some(id.clone()),
            SessionRef::Href(href) => last_segment(href).map(AgentSessionId::from),
        }
    }

    /// The session an A2 answer created (its `location` link).
    pub fn from_location(location: &AgentSessionLocation) -> Result<SessionRef, Error> {
        location
            .href()
            .map(|h| SessionRef::Href(h.to_owned()))
            .ok_or(Error::MissingLink(Rel::Location))
    }

    pub(crate) fn loc(&self) -> Loc {
        match self {
            SessionRef::Href(href) => Loc::href(href),
            SessionRef::Id(id) => Loc::account(&["agentSession", id.as_str()]),
        }
    }
}

/// A chat, agent side or visitor side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChatRef {
    /// The chat's absolute URL: its `self` link, an A11 `chatLocation` link, a
    /// `chat-session` link, or the `Location` of a visitor chat request.
    Href(String),
    /// An agent-side chat by ids: `{session}/chat/{chat}`.
    Agent {
        /// The agent session.
        session: SessionRef,
        /// The chat id.
        chat: ChatId,
    },
    /// A visitor-side chat by id: `…/api/account/{a}/chat/{chat}`.
    Visitor(ChatId),
}

impl ChatRef {
    /// The chat id: the id itself, or the last path segment of the URL.
    pub fn id(&self) -> Option<ChatId> {
        match self {
            ChatRef::Agent { chat, .. } | ChatRef::Visitor(chat) => Some(chat.clone()),
            ChatRef::Href(href) => last_segment(href).map(ChatId::from),
        }
    }

    /// The chat an A11 accept answer names (its `location` link).
    pub fn from_location(location: &ChatLocation) -> Result<ChatRef, Error> {
        location
            .href()
            .map(|h| ChatRef::Href(h.to_owned()))
            .ok_or(Error::MissingLink(Rel::Location))
    }

    /// The chat of an A12 chat session (its `chat-session` link).
    pub fn from_chat_session(session: &ChatSession) -> Result<ChatRef, Error> {
        session
            .href()
            .map(|h| ChatRef::Href(h.to_owned()))
            .ok_or(Error::MissingLink(Rel::ChatSession))
    }

    /// The visitor chat a V8 chat request created (its `Location` header).
    pub fn from_created(created: &Created) -> ChatRef {
        ChatRef::Href(created.href.clone())
    }

    pub(crate) fn loc(&self) -> Loc {
        match self {
            ChatRef::Href(href) => Loc::href(href),
            ChatRef::Agent { session, chat } => session.loc().join(&["chat", chat.as_str()]),
            ChatRef::Visitor(chat) => Loc::account(&["chat", chat.as_str()]),
        }
    }
}

/// The last path segment of a URL, without query, fragment or format suffix.
pub(crate) fn last_segment(href: &str) -> Option<&str> {
    let before_query = href.split(['?', '#']).next()?;
    let path = match before_query.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .and_then(|i| rest.get(i..))
            .unwrap_or_default(),
        None => before_query,
    };
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let last = strip_suffix(last);
    (!last.is_empty()).then_some(last)
}

fn strip_suffix(segment: &str) -> &str {
    for suffix in [".json", ".xml"] {
        if let Some(stem) = segment
            .len()
            .checked_sub(suffix.len())
            .and_then(|at| segment.get(at..).map(|tail| (at, tail)))
            .filter(|(_, tail)| tail.eq_ignore_ascii_case(suffix))
            .and_then(|(at, _)| segment.get(..at))
        {
            return stem;
        }
    }
    segment
}

/// Where a request goes before the context is known: a server link, or path segments under
/// a server link or under the account URL of the context's base URI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Loc {
    root: Root,
    segments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Root {
    Href(String),
    Account,
}

impl Loc {
    /// Exactly this server link.
    pub(crate) fn href(href: &str) -> Loc {
        Loc {
            root: Root::Href(href.to_owned()),
            segments: Vec::new(),
        }
    }

    /// `{base}/api/account/{a}/{segments}`.
    pub(crate) fn account(segments: &[&str]) -> Loc {
        Loc {
            root: Root::Account,
            segments: Vec::new(),
        }
        .join(segments)
    }

    /// Appends path segments (ids are percent-encoded).
    pub(crate) fn join(mut self, segments: &[&str]) -> Loc {
        self.segments
            .extend(segments.iter().map(|s| (*s).to_owned()));
        self
    }

    /// The URL, before switches and parameters are applied.
    pub(crate) fn resolve(&self, base: Option<&BaseUri>) -> Result<Url, Error> {
        let mut url = match &self.root {
            Root::Href(href) => Url::parse(href)?,
            Root::Account => {
                let base = base.ok_or(Error::MissingBase)?;
                if base.host().is_empty() {
                    return Err(Error::InvalidUrl("the base URI has no host"));
                }
                Url {
                    scheme: base.scheme().to_owned(),
                    authority: base.host().to_owned(),
                    path: format!("/api/account/{}", percent_encode(base.account())),
                    query: Vec::new(),
                }
            }
        };
        if !self.segments.is_empty() {
            // Below a link: the link's query belongs to it, not to its sub-resources, and a
            // format suffix on it would land in the middle of the path.
            url.query.clear();
            let trimmed = url.path.trim_end_matches('/');
            let (dir, last) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
            url.path = format!("{dir}/{}", strip_suffix(last));
            for segment in &self.segments {
                url.path.push('/');
                url.path.push_str(&percent_encode(segment));
            }
        }
        Ok(url)
    }
}

/// An absolute URL under construction. The query is kept as the raw `name=value` items so a
/// server link's encoding survives unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    scheme: String,
    authority: String,
    path: String,
    query: Vec<String>,
}

impl Url {
    /// Splits an absolute http(s) URL; the fragment is dropped.
    pub(crate) fn parse(href: &str) -> Result<Url, Error> {
        let href = href.trim();
        if href.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(Error::InvalidUrl(
                "the URL contains spaces or control characters",
            ));
        }
        let href = href.split('#').next().unwrap_or_default();
        let (scheme, rest) = href
            .split_once("://")
            .ok_or(Error::InvalidUrl("not an absolute URL"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(Error::InvalidUrl("the scheme is not http or https"));
        }
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at_checked(end).unwrap_or((rest, ""));
        if authority.is_empty() || authority.contains('@') {
            return Err(Error::InvalidUrl("the URL has no host or has user info"));
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Ok(Url {
            scheme,
            authority: authority.to_owned(),
            path: if path.is_empty() {
                "/".to_owned()
            } else {
                path.to_owned()
            },
            query: query
                .split('&')
                .filter(|q| !q.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    fn name_of(item: &str) -> &str {
        item.split_once('=').map_or(item, |(n, _)| n)
    }

    /// Whether the query has parameter `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.query.iter().any(|q| Self::name_of(q) == name)
    }

    /// Sets `name` to an already-encoded value, replacing every earlier occurrence.
    pub(crate) fn set(&mut self, name: &str, encoded: &str) {
        self.remove(name);
        self.push(name, encoded);
    }

    /// Removes every occurrence of `name`.
    pub(crate) fn remove(&mut self, name: &str) {
        self.query.retain(|q| Self::name_of(q) != name);
    }

    /// Appends `name=value` (already encoded), even if `name` is there.
    pub(crate) fn push(&mut self, name: &str, encoded: &str) {
        self.query.push(format!("{name}={encoded}"));
    }

    /// Adds `name=value` unless the query has `name` already (never duplicated).
    pub(crate) fn ensure(&mut self, name: &str, encoded: &str) {
        if !self.has(name) {
            self.query.push(format!("{name}={encoded}"));
        }
    }

    /// Puts the format suffix on the last path segment, replacing one that is there.
    pub(crate) fn apply_suffix(&mut self, format: Format) {
        if self.path.ends_with('/') {
            return;
        }
        let (dir, last) = self.path.rsplit_once('/').unwrap_or(("", &self.path));
        self.path = format!("{dir}/{}{}", strip_suffix(last), format.suffix());
    }

    /// Whether the host is loopback (`localhost`, `127.0.0.0/8`, `::1`).
    pub(crate) fn is_loopback(&self) -> bool {
        let host = if let Some(v6) = self.authority.strip_prefix('[') {
            v6.split(']').next().unwrap_or_default()
        } else {
            self.authority
                .rsplit_once(':')
                .map_or(self.authority.as_str(), |(h, _)| h)
        };
        let host = host.to_ascii_lowercase();
        host == "localhost"
            || host.ends_with(".localhost")
            || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
            || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// Whether the scheme is plain http.
    pub(crate) fn is_plain_http(&self) -> bool {
        self.scheme == "http"
    }

    /// The full URL text.
    pub(crate) fn to_uri(&self) -> Result<http::Uri, Error> {
        let mut s = format!("{}://{}{}", self.scheme, self.authority, self.path);
        if !self.query.is_empty() {
            s.push('?');
            s.push_str(&self.query.join("&"));
        }
        http::Uri::try_from(s).map_err(|_| Error::InvalidUrl("not a valid URI"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> BaseUri {
        BaseUri::new("va.agentvep.liveperson.net", "25025413")
    }

    fn uri(loc: &Loc) -> String {
        loc.resolve(Some(&base()))
            .unwrap()
            .to_uri()
            .unwrap()
            .to_string()
    }

    #[test]
    fn references_resolve() {
        let by_id = ChatRef::Agent {
            session: SessionRef::Id("1027882276".into()),
            chat: "H1-abcK2".into(),
        };
        assert_eq!(
            uri(&by_id.loc().join(&["events"])),
            "https://va.agentvep.liveperson.net/api/account/25025413/agentSession/1027882276/chat/H1-abcK2/events"
        );
        let by_href = ChatRef::Agent {
            session: SessionRef::Href(
                "https://h.example/api/account/1/agentSession/9.json?v=1".into(),
            ),
            chat: "c 1".into(),
        };
        assert_eq!(
            uri(&by_href.loc()),
            "https://h.example/api/account/1/agentSession/9/chat/c%201"
        );
        assert_eq!(
            uri(&ChatRef::Visitor("C9".into()).loc().join(&["info"])),
            "https://va.agentvep.liveperson.net/api/account/25025413/chat/C9/info"
        );
        let link = ChatRef::Href("https://h.example/api/account/1/chat/C9?from=4#x".into());
        assert_eq!(
            uri(&link.loc()),
            "https://h.example/api/account/1/chat/C9?from=4"
        );
        assert_eq!(
            uri(&link.loc().join(&["events"])),
            "https://h.example/api/account/1/chat/C9/events"
        );
        assert_eq!(link.id(), Some(ChatId::from("C9")));
        assert_eq!(
            SessionRef::Href("https://h/api/account/1/agentSession/77/".into()).id(),
            Some(AgentSessionId::from("77"))
        );
        assert_eq!(
            ChatRef::Visitor("C1".into()).loc().resolve(None),
            Err(Error::MissingBase)
        );
    }

    #[test]
    fn query_rules() {
        let mut u = Url::parse("https://h.example/a/events?from=4&v=1").unwrap();
        u.ensure("v", "1");
        u.ensure("NC", "true");
        u.set("from", "5");
        assert_eq!(
            u.to_uri().unwrap().to_string(),
            "https://h.example/a/events?v=1&NC=true&from=5"
        );
        u.apply_suffix(Format::Json);
        u.apply_suffix(Format::Json);
        assert_eq!(
            u.to_uri().unwrap().to_string(),
            "https://h.example/a/events.json?v=1&NC=true&from=5"
        );
        u.apply_suffix(Format::Xml);
        assert!(u.to_uri().unwrap().path().ends_with("/events.xml"));
    }

    #[test]
    fn bad_urls() {
        for bad in [
            "ftp://h/x",
            "/relative/path",
            "https:///nohost",
            "https://user@h/x",
            "https://h/a b",
            "https://h/a\nb",
            "",
        ] {
            assert!(
                matches!(Url::parse(bad), Err(Error::InvalidUrl(_))),
                "{bad:?}"
            );
        }
        assert!(Url::parse("HTTPS://h.example").is_ok());
    }

    #[test]
    fn loopback_hosts() {
        for (href, expected) in [
            ("http://127.0.0.1:8080/x", true),
            ("http://127.9.9.9/x", true),
            ("http://localhost:1/x", true),
            ("http://LOCALHOST/x", true),
            ("http://[::1]:80/x", true),
            ("http://emu.localhost/x", true),
            ("http://10.0.0.1/x", false),
            ("http://127.0.0.1.example.com/x", false),
            ("http://[::2]/x", false),
        ] {
            assert_eq!(Url::parse(href).unwrap().is_loopback(), expected, "{href}");
        }
    }

    #[test]
    fn last_segments() {
        assert_eq!(last_segment("https://h/a/b/events/5"), Some("5"));
        assert_eq!(last_segment("https://h/a/chat/C1.json?v=1"), Some("C1"));
        assert_eq!(last_segment("https://h"), None);
    }
}
