//! The little URL work cursors need: setting one query parameter, percent-encoding ids.

/// `url` with query parameter `name` set to `value`: the first occurrence is replaced in
/// place, later ones are removed, and the parameter is appended when absent. The path, the
/// other parameters (in order) and a fragment are kept as they are. `value` is written as
/// given, so it must already be encoded for a query.
pub fn set_query_param(url: &str, name: &str, value: &str) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, q),
        None => (before_fragment, ""),
    };
    let mut out = String::with_capacity(url.len() + name.len() + value.len() + 2);
    out.push_str(path);
    let mut sep = '?';
    let mut written = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        out.push(sep);
        sep = '&';
        if key == name {
            if written {
                // A repeated parameter would leave the server to pick one of the values.
                out.pop();
                continue;
            }
            written = true;
            push_pair(&mut out, name, value);
        } else {
            out.push_str(pair);
        }
    }
    if !written {
        out.push(sep);
        push_pair(&mut out, name, value);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn push_pair(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push('=');
    out.push_str(value);
}

/// Whether `b` is written as itself by [`encode_component`].
pub(crate) fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Percent-encodes every byte but ASCII letters, digits, `-` and `_`: safe in a query value,
/// a path segment, a header and a token whose separators are `.`, `~` and `,`.
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
    out
}

/// Reverses [`encode_component`]; `None` on a bad escape, a byte that should have been
/// escaped, or bytes that are not UTF-8.
pub(crate) fn decode_component(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut iter = s.bytes();
    while let Some(b) = iter.next() {
        match b {
            b'%' => {
                let hi = hex_value(iter.next()?)?;
                let lo = hex_value(iter.next()?)?;
                bytes.push(hi << 4 | lo);
            }
            b if is_plain(b) => bytes.push(b),
            _ => return None,
        }
    }
    String::from_utf8(bytes).ok()
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).map_or('0', |c| c.to_ascii_uppercase())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_is_replaced_added_and_deduplicated() {
        let base = "https://h/api/account/1/agentSession/2/chat/C/events";
        assert_eq!(set_query_param(base, "from", "4"), format!("{base}?from=4"));
        assert_eq!(
            set_query_param(&format!("{base}?from=9&v=1"), "from", "4"),
            format!("{base}?from=4&v=1")
        );
        assert_eq!(
            set_query_param(&format!("{base}?v=1&from=9&NC=true&from=2"), "from", "4"),
            format!("{base}?v=1&from=4&NC=true")
        );
        assert_eq!(
            set_query_param(&format!("{base}?v=1&NC=true"), "from", "0"),
            format!("{base}?v=1&NC=true&from=0")
        );
        assert_eq!(
            set_query_param(&format!("{base}?from#frag"), "from", "7"),
            format!("{base}?from=7#frag")
        );
        // Names are case-sensitive (spec §3) and matched whole.
        assert_eq!(
            set_query_param("h?From=1&fromX=2&", "from", "3"),
            "h?From=1&fromX=2&from=3"
        );
        assert_eq!(set_query_param("h?", "from", "3"), "h?from=3");
    }

    #[test]
    fn components_round_trip_and_reject_garbage() {
        for s in ["", "H1-abcK2", "a.b~c%d,e f", "日本", "%", "_-"] {
            let e = encode_component(s);
            assert!(e
                .bytes()
                .all(|b| is_plain(b) || b == b'%' || b.is_ascii_hexdigit()));
            assert_eq!(decode_component(&e).as_deref(), Some(s));
        }
        assert_eq!(encode_component("a.b~c"), "a%2Eb%7Ec");
        assert_eq!(decode_component("%2e").as_deref(), Some("."));
        for bad in ["%", "%2", "%zz", "a.b", "a b", "%FF"] {
            assert_eq!(decode_component(bad), None, "{bad}");
        }
    }
}
