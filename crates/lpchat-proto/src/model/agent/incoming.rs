//! Incoming chat requests (A10) and the body that accepts the next one (A11).

use serde::{Deserialize, Deserializer, Serialize};

use crate::codec::{lenient, Resource};
use crate::model::link::{Link, LinksExt, Rel};
use crate::model::wire_struct::wire_struct;

/// A count that may be absent or blank, which means none.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    lenient::opt_int(d).map(Option::unwrap_or_default)
}

wire_struct! {
    /// Chats ringing for this agent (A10): `{"incomingRequests":{"ringingCount":"0"}}`, plus the
    /// link to accept the next one while something rings.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct IncomingRequests {
        /// How many chats are ringing (a numeric string on the wire).
        #[serde(rename = "ringingCount", default, deserialize_with = "count")]
        pub ringing_count: i64,
        /// The accept link while `ringing_count > 0` (2017 rel `acceptNextChat`; its href is
        /// this same `incomingRequests` URL, to POST to).
        pub links: Vec<Link> as list("link"),
    }
}

impl IncomingRequests {
    /// Whether a chat is waiting to be accepted.
    pub fn is_ringing(&self) -> bool {
        self.ringing_count > 0
    }

    /// Where to POST to accept the next chat: the `acceptNextChat` link, else a link whose
    /// rel mentions "accept", else the first link, whatever its rel (the rel's name is not
    /// certain across server versions; the href is the incoming-requests URL either way).
    pub fn accept_href(&self) -> Option<&str> {
        self.links
            .find_rel(&Rel::AcceptNextChat)
            .or_else(|| {
                self.links
                    .iter()
                    .find(|l| l.rel.as_str().to_ascii_lowercase().contains("accept"))
            })
            .or_else(|| self.links.first())
            .map(|l| l.href.as_str())
    }
}

impl Resource for IncomingRequests {
    const ROOT: &'static str = "incomingRequests";
    const NAME: &'static str = "incoming-requests";
}

wire_struct! {
    /// The A11 request body that accepts the next ringing chat: `{}` as documented ("for
    /// backwards compatibility"), or `{"chat":"start"}` as the official sample app sends.
    ///
    /// The whole JSON body is the model (there is no root key). No XML form is documented (the
    /// 2017 docs say "no body parameters"); in XML it is written as `<accept/>` (INF).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AcceptChat {
        /// `start` in the sample app's body; absent in the documented one.
        pub chat: Option<String> as opt_string("chat"),
    }
}

impl AcceptChat {
    /// The documented body, `{}`.
    pub fn new() -> Self {
        AcceptChat::default()
    }
}

impl Resource for AcceptChat {
    const ROOT: &'static str = crate::codec::UNROOTED;
    const NAME: &'static str = "request-accept";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn json(s: &str) -> IncomingRequests {
        decode(Format::Json, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn ringing_count_as_string_or_number_and_the_accept_link() {
        let idle = json(r#"{"incomingRequests":{"ringingCount":"0"}}"#);
        assert!(!idle.is_ringing());
        assert_eq!(idle.accept_href(), None);
        assert_eq!(
            json(r#"{"incomingRequests":{"ringingCount":2}}"#).ringing_count,
            2
        );
        assert_eq!(json(r#"{"incomingRequests":{}}"#).ringing_count, 0);
        let x: IncomingRequests = decode(
            Format::Xml,
            br#"<incomingRequests><ringingCount>1</ringingCount>
            <link rel="acceptNextChat" href="https://h/agentSession/7/incomingRequests"/></incomingRequests>"#,
            &Limits::default(),
        )
        .unwrap();
        assert!(x.is_ringing());
        assert_eq!(
            x.accept_href(),
            Some("https://h/agentSession/7/incomingRequests")
        );
    }

    #[test]
    fn accept_href_whatever_the_rel() {
        let other = json(
            r#"{"incomingRequests":{"ringingCount":"1","link":[{"rel":"self","href":"s"},{"rel":"accept-next-chat","href":"a"}]}}"#,
        );
        assert_eq!(other.accept_href(), Some("a"));
        let odd =
            json(r#"{"incomingRequests":{"ringingCount":"1","link":{"rel":"take","href":"t"}}}"#);
        assert_eq!(odd.accept_href(), Some("t"));
        assert!(decode::<IncomingRequests>(
            Format::Json,
            br#"{"incomingRequests":{"ringingCount":"many"}}"#,
            &Limits::default()
        )
        .is_err());
    }

    #[test]
    fn accept_body_is_the_whole_json() {
        let l = Limits::default();
        assert_eq!(
            &encode(Format::Json, &AcceptChat::new()).unwrap()[..],
            b"{}"
        );
        assert_eq!(
            &encode(Format::Xml, &AcceptChat::new()).unwrap()[..],
            b"<request-accept/>"
        );
        let start: AcceptChat = decode(Format::Json, br#"{"chat":"start"}"#, &l).unwrap();
        assert_eq!(start.chat.as_deref(), Some("start"));
        let empty: AcceptChat = decode(Format::Json, b"{}", &l).unwrap();
        assert_eq!(empty, AcceptChat::new());
        let x: AcceptChat =
            decode(Format::Xml, b"<anything><chat>start</chat></anything>", &l).unwrap();
        assert_eq!(x, start);
        assert!(decode::<AcceptChat>(Format::Json, br#""start""#, &l).is_err());
    }
}
