//! Hostile and broken bodies give typed errors, quickly and with bounded memory, never a panic.

use lpchat_proto::model::{Chats, Events};
use lpchat_proto::{decode, DecodeErrorKind, Format, Limits};

fn kind_of(format: Format, body: &[u8]) -> DecodeErrorKind {
    match decode::<Events>(format, body, &Limits::default()) {
        Ok(v) => panic!("decoded {v:?}"),
        Err(e) => e.kind().clone(),
    }
}

#[test]
fn truncated_bodies() {
    let json = br#"{"events":{"event":[{"@id":"0","@type":"state","state":"waiting"}"#;
    let xml = br#"<events><event id="0" type="state"><state>waiting</state></event>"#;
    for cut in [1, json.len() / 2, json.len() - 1] {
        assert_eq!(
            kind_of(Format::Json, &json[..cut]),
            DecodeErrorKind::Syntax,
            "cut {cut}"
        );
    }
    for cut in [1, xml.len() / 2, xml.len() - 1] {
        assert_eq!(
            kind_of(Format::Xml, &xml[..cut]),
            DecodeErrorKind::Syntax,
            "cut {cut}"
        );
    }
}

#[test]
fn malformed_bodies() {
    assert_eq!(
        kind_of(Format::Json, br#"{"events":{"event":[}}"#),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        kind_of(Format::Xml, b"<events><event></events>"),
        DecodeErrorKind::Syntax
    );
    assert_eq!(
        kind_of(Format::Xml, b"<events><a b=c/></events>"),
        DecodeErrorKind::Syntax
    );
    assert_eq!(kind_of(Format::Json, b"   "), DecodeErrorKind::Empty);
}

#[test]
fn wrong_types_name_the_path() {
    let e = decode::<Events>(
        Format::Json,
        br#"{"events":{"event":[{"@id":"0","@type":"state","state":"waiting"},{"@id":"abc","@type":"line"}]}}"#,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), &DecodeErrorKind::Type);
    let path = e.path().unwrap();
    assert!(path.contains("event"), "{path}");
    let x = decode::<Events>(
        Format::Xml,
        br#"<events><event id="x1" type="line"/></events>"#,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(x.kind(), &DecodeErrorKind::Type);
    assert_eq!(
        kind_of(Format::Json, br#"{"other":{}}"#),
        DecodeErrorKind::Root
    );
    assert_eq!(kind_of(Format::Xml, b"<other/>"), DecodeErrorKind::Root);
}

#[test]
fn invalid_utf8() {
    assert_eq!(
        kind_of(Format::Json, b"{\"events\":{\"x\":\"\xff\xfe\"}}"),
        DecodeErrorKind::Utf8
    );
    assert_eq!(
        kind_of(Format::Xml, b"<events>\xc3\x28</events>"),
        DecodeErrorKind::Utf8
    );
}

#[test]
fn nesting_one_hundred_thousand_deep() {
    let depth = 100_000;
    // Inside a rich-content payload, which is read as a free value tree.
    let json = format!(
        r#"{{"events":{{"event":{{"@id":"1","@type":"line","json":{}{}}}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_eq!(
        kind_of(Format::Json, json.as_bytes()),
        DecodeErrorKind::TooDeep
    );
    // Where a number is expected, the wrong type is seen before the depth.
    let json = format!(
        r#"{{"events":{{"event":{}{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_eq!(
        kind_of(Format::Json, json.as_bytes()),
        DecodeErrorKind::Type
    );
    let xml = format!(
        "<events>{}{}</events>",
        "<e>".repeat(depth),
        "</e>".repeat(depth)
    );
    assert_eq!(
        kind_of(Format::Xml, xml.as_bytes()),
        DecodeErrorKind::TooDeep
    );
    // Deep unknown members are skipped without recursion (serde_json skips iteratively).
    let json = format!(
        r#"{{"chats":{{"x":{}1{}}}}}"#,
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    );
    let chats = decode::<Chats>(Format::Json, json.as_bytes(), &Limits::default()).unwrap();
    assert!(chats.chats.is_empty());
    let xml = format!(
        "<chats><x>{}{}</x></chats>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let err = decode::<Chats>(Format::Xml, xml.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(err.kind(), &DecodeErrorKind::TooDeep);
}

#[test]
fn fifty_megabyte_body_is_refused_before_parsing() {
    let mut body = Vec::with_capacity(50 * 1024 * 1024);
    body.extend_from_slice(br#"{"events":{"event":[{"@id":"0","@type":"line","text":""#);
    body.resize(50 * 1024 * 1024, b'a');
    match kind_of(Format::Json, &body) {
        DecodeErrorKind::TooLarge { size, limit } => {
            assert_eq!(size, 50 * 1024 * 1024);
            assert_eq!(limit, Limits::default().max_body);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn entity_expansion_and_external_entities_are_refused() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<events><event id="0" type="line"><text>&lol9;</text></event></events>"#;
    assert_eq!(kind_of(Format::Xml, laughs), DecodeErrorKind::Entity);
    let xxe = br#"<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<events><event id="0" type="line"><text>&x;</text></event></events>"#;
    assert_eq!(kind_of(Format::Xml, xxe), DecodeErrorKind::Entity);
    let in_attribute =
        br#"<!DOCTYPE e [<!ENTITY x "y">]><events><link rel="&x;" href="h"/></events>"#;
    assert_eq!(kind_of(Format::Xml, in_attribute), DecodeErrorKind::Entity);
}

#[test]
fn errors_never_carry_values_from_the_body() {
    let secret = "9cf6d2a1b3c4e5f60718293a4b5c6d7e";
    let bodies: [(Format, String); 3] = [
        (
            Format::Json,
            format!(r#"{{"events":{{"event":[{{"@id":"{secret}","@type":"line"}}]}}}}"#),
        ),
        (
            Format::Json,
            format!(r#"{{"events":{{"event":[{{"@id":"1","text":"{secret}""#),
        ),
        (
            Format::Xml,
            format!(r#"<events><event id="{secret}" type="line"/></events>"#),
        ),
    ];
    for (format, body) in bodies {
        let e = decode::<Events>(format, body.as_bytes(), &Limits::default()).unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(!shown.contains("9cf6"), "{shown}");
    }
}

#[test]
fn a_summary_quotes_nothing_of_the_body_and_begins_the_message() {
    let body = br#"{"events":{"event":[{"@id":"1","@type":"line","text":{"secret":1}}]}}"#;
    let Err(e) = decode::<Events>(Format::Json, body, &Limits::default()) else {
        panic!("a line's text must be a string");
    };
    let summary = e.summary();
    assert!(
        summary.starts_with("cannot decode events (json): "),
        "{summary}"
    );
    assert!(
        !summary.contains("secret") && !summary.contains('`'),
        "{summary}"
    );
    assert!(e.to_string().starts_with(&summary), "{e}");
}
