//! The printed form of a decoded model: wire names in snake_case without `@`.

use serde_json::{Map, Value};

/// Wire names whose capitals do not split well by rule.
const OVERRIDES: &[(&str, &str)] = &[
    ("sessionTTl", "session_ttl"),
    ("baseURIs", "base_uris"),
    ("isLPA", "is_lpa"),
];

/// `@chatState` -> `chat_state`, `maxChats` -> `max_chats`, `LETagVisitorId` ->
/// `le_tag_visitor_id`, `baseURI` -> `base_uri`.
pub fn snake_case(wire: &str) -> String {
    let name = wire.strip_prefix('@').unwrap_or(wire);
    if let Some((_, fixed)) = OVERRIDES.iter().find(|(w, _)| *w == name) {
        return (*fixed).to_owned();
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            let boundary = match prev {
                None => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                Some(_) => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// Wire names of members that hold credentials or session secrets.
const SECRET_KEYS: &[&str] = &[
    "bearer",
    "csrf",
    "sessionId",
    "wsuk",
    "password",
    "secret",
    "appKey",
    "accessToken",
    "accessTokenSecret",
    "jwt",
    "ssoKey",
];

/// What a secret prints as.
pub const MASK: &str = "***";

/// Renames every key of a wire-shaped value to snake_case and, unless `show_secrets`, masks
/// the values of credential members, so a decoded login body can be shown or logged safely.
pub fn to_view(value: Value, show_secrets: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = !show_secrets && SECRET_KEYS.contains(&k.trim_start_matches('@'));
                    let v = if secret && !v.is_null() {
                        Value::String(MASK.to_owned())
                    } else {
                        to_view(v, show_secrets)
                    };
                    (snake_case(&k), v)
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| to_view(v, show_secrets))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_unless_asked_for() {
        let wire = json!({"bearer": "9cf6", "config": {"loginName": "n"}, "csrf": "d5d0"});
        assert_eq!(
            to_view(wire.clone(), false),
            json!({"bearer": "***", "config": {"login_name": "n"}, "csrf": "***"})
        );
        assert_eq!(to_view(wire, true)["bearer"], "9cf6");
    }

    #[test]
    fn wire_names_become_snake_case() {
        for (wire, view) in [
            ("@chatState", "chat_state"),
            ("maxChats", "max_chats"),
            ("chatSessionKey", "chat_session_key"),
            ("LETagVisitorId", "le_tag_visitor_id"),
            ("baseURI", "base_uri"),
            ("baseURIs", "base_uris"),
            ("sessionTTl", "session_ttl"),
            ("a2aEventId", "a2a_event_id"),
            ("rel", "rel"),
            ("@href", "href"),
        ] {
            assert_eq!(snake_case(wire), view, "{wire}");
        }
    }
}
