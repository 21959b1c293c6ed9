//! Properties of request building and response parsing over arbitrary input: no panic,
//! version parameters once, ids survive the URL, OAuth signatures verify, every failing
//! status is a typed error.

mod ops_support;

use bytes::Bytes;
use http::Method;
use lpchat_proto::auth::encoding::percent_decode;
use lpchat_proto::auth::oauth::verify;
use lpchat_proto::auth::ApiKey;
use lpchat_proto::cursor::{ChatCursor, CursorSet, Page};
use lpchat_proto::model::*;
use lpchat_proto::ops::*;
use lpchat_proto::Format;
use ops_support::*;
use proptest::prelude::*;

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Json), Just(Format::Xml)]
}

fn count(query: &str, name: &str) -> usize {
    query
        .split('&')
        .filter(|p| p.split('=').next() == Some(name))
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ids_survive_the_url(chat in any::<String>(), session in "[0-9]{1,12}", from in any::<u64>(),
                           suffix in any::<bool>(), format in format()) {
        let mut ctx = agent_ctx(format);
        ctx.options.format_suffix = suffix;
        let chat_ref = ChatRef::Agent { session: SessionRef::Id(session.as_str().into()), chat: chat.as_str().into() };
        let req = GetEvents::new(&chat_ref).from(EventId(from)).build(&ctx).unwrap();
        let query = req.uri().query().unwrap();
        prop_assert_eq!(count(query, "v"), 1);
        prop_assert_eq!(count(query, "NC"), 1);
        prop_assert_eq!(count(query, "from"), 1);
        let segments: Vec<&str> = req.uri().path().split('/').collect();
        let chat_segment = segments[segments.len() - 2];
        prop_assert_eq!(percent_decode(chat_segment, false), chat.as_bytes().to_vec());
        prop_assert_eq!(segments[segments.len() - 4], session.as_str());
    }

    #[test]
    fn any_href_builds_or_fails_typed(href in any::<String>(), format in format()) {
        match GetEvents::at(&href).build(&agent_ctx(format)) {
            Ok(req) => {
                prop_assert!(req.uri().scheme_str() == Some("https") || req.uri().scheme_str() == Some("http"));
                prop_assert_eq!(count(req.uri().query().unwrap(), "NC"), 1);
            }
            Err(Error::InvalidUrl(_) | Error::InsecureScheme) => {}
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn oauth_signatures_verify(app_key in "[ -~]{1,20}", secret in "[ -~]{0,20}", token in "[ -~]{1,20}",
                               token_secret in "[ -~]{0,20}", nonce in "[a-zA-Z0-9]{1,32}",
                               timestamp in 0u64..4_000_000_000, skill in any::<String>(),
                               put in any::<bool>()) {
        let ctx = agent_ctx(Format::Json)
            .with_auth(Auth::OAuth(ApiKey::new(app_key.as_str(), secret.as_str(), token.as_str(), token_secret.as_str())))
            .sign_with(timestamp, nonce.as_str());
        let session = SessionRef::Href(SESSION.into());
        let req = if put {
            SetAgentTyping::new(&ChatRef::Agent { session, chat: "C1".into() }, true).build(&ctx).unwrap()
        } else {
            GetAvailableAgents::new(&session).skill(&skill).build(&ctx).unwrap()
        };
        let auth = header(&req, "authorization").unwrap().to_owned();
        prop_assert!(verify(req.method(), req.uri(), &auth, &secret, &token_secret).is_ok());
        let later = auth.replace(&format!("oauth_timestamp=\"{timestamp}\""), &format!("oauth_timestamp=\"{}\"", timestamp + 1));
        prop_assert!(verify(req.method(), req.uri(), &later, &secret, &token_secret).is_err());
        let other = if req.method() == Method::GET { Method::POST } else { Method::GET };
        prop_assert!(verify(&other, req.uri(), &auth, &secret, &token_secret).is_err());
    }

    #[test]
    fn any_response_parses_or_fails_typed(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300),
                                          content_type in proptest::option::of(prop_oneof![
                                              Just("application/json"), Just("application/xml"), Just("text/plain")])) {
        let op = GetChat::new(&ChatRef::Visitor("C1".into()));
        let result = op.parse(response(status, content_type, Bytes::from(body)));
        match (status, &result) {
            (200, Ok(_)) => {}
            (200, Err(Error::Decode(_) | Error::ChatError(_))) => {}
            (401, Err(Error::Unauthorized(e))) => prop_assert_eq!(e.status.as_u16(), 401),
            (_, Err(Error::Status(e))) => prop_assert_eq!(e.status.as_u16(), status),
            (s, r) => prop_assert!(false, "status {s}: {r:?}"),
        }
        let send = SendLine::plain(&ChatRef::Visitor("C1".into()), "hi");
        let _ = send.parse(response(status, content_type, Bytes::from_static(b"{\"chatEventLocation\":")));
    }
}

#[test]
fn multi_chat_from_a_cursor_set() {
    let session = SessionRef::Href(SESSION.into());
    assert!(GetChats::from_cursors(&session, &CursorSet::new()).is_none());
    let mut set = CursorSet::new();
    set.add_from("K 2".into(), EventId(7));
    set.add("K1".into());
    let from_set = GetChats::from_cursors(&session, &set).unwrap();
    let mut by_hand = Vec::new();
    for c in set.iter() {
        by_hand.push((c.chat_id().clone(), c.from()));
    }
    let ctx = agent_ctx(Format::Json);
    assert_eq!(
        from_set.build(&ctx).unwrap().uri(),
        GetChats::new(&session, &by_hand).build(&ctx).unwrap().uri()
    );
    assert_eq!(
        from_set.build(&ctx).unwrap().uri().query(),
        Some("chatSessionKeys=K%202,K1&fromEventIds=7,0&v=1&NC=true")
    );
}

#[test]
fn chat_poll_from_a_cursor() {
    let chat_ref = ChatRef::Agent {
        session: SessionRef::Href(SESSION.into()),
        chat: CHAT_ID.into(),
    };
    let ctx = agent_ctx(Format::Json);
    let mut cursor = ChatCursor::new(CHAT_ID.into());
    let first = GetChat::for_cursor(&chat_ref, &cursor).build(&ctx).unwrap();
    assert_eq!(
        first.uri().to_string(),
        format!("{SESSION}/chat/{CHAT_ID}?from=0&v=1&NC=true")
    );
    let chat: Chat = GetChat::new(&chat_ref)
        .parse(fixture_response(200, "agent/chat.basic.json"))
        .unwrap();
    let delivered = cursor.accept(Page::from_chat(&chat));
    assert_eq!(delivered.len(), 4);
    // The server's next link, with the cursor's own from.
    let next = GetChat::for_cursor(&chat_ref, &cursor).build(&ctx).unwrap();
    assert!(
        next.uri().query().unwrap().contains("from=4"),
        "{}",
        next.uri()
    );
    assert_eq!(count(next.uri().query().unwrap(), "from"), 1);
}
