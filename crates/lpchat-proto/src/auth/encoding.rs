//! Percent-encoding (RFC 3986) and base64 (RFC 4648): the two encodings that URL building and
//! OAuth 1.0 signing need, small enough to own rather than depend on.

/// Whether `b` is an RFC 3986 unreserved character (`A-Z a-z 0-9 - . _ ~`), the only bytes
/// OAuth 1.0 leaves unencoded (RFC 5849 §3.6).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The upper-case hex digit of a nibble (`n` < 16).
fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'A' + (n - 10) })
}

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(hex_digit(b >> 4));
    out.push(hex_digit(b & 0x0F));
}

/// Percent-encodes every byte but the unreserved ones, with upper-case hex digits: the
/// encoding of RFC 5849 §3.6 (`a b+c` → `a%20b%2Bc`).
pub fn percent_encode(s: &str) -> String {
    percent_encode_bytes(s.as_bytes(), b"")
}

/// Percent-encodes `bytes`, leaving the unreserved characters and the bytes in `keep` as
/// they are.
pub fn percent_encode_bytes(bytes: &[u8], keep: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if is_unreserved(b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_as_space`, the form encoding of
/// query strings). A `%` not followed by two hex digits is kept as it is, as browsers do.
pub fn percent_decode(s: &str, plus_as_space: bool) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(if plus_as_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(index: u32) -> char {
    // `index` is masked to 6 bits by every caller, so the lookup cannot miss.
    char::from(BASE64.get((index & 0x3F) as usize).copied().unwrap_or(b'A'))
}

/// Standard base64 with padding (RFC 4648 §4), as OAuth 1.0 writes HMAC-SHA1 signatures.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = b0 << 16 | b1 << 8 | b2;
        out.push(b64(n >> 18));
        out.push(b64(n >> 12));
        out.push(if chunk.len() > 1 { b64(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { b64(n) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
        }
        assert_eq!(base64_encode(&[0xFB, 0xFF, 0xBF]), "+/+/");
    }

    #[test]
    fn rfc5849_percent_encoding() {
        // RFC 5849 §3.4.1.3.2 and §3.6 examples.
        assert_eq!(percent_encode("r b"), "r%20b");
        assert_eq!(percent_encode("="), "%3D");
        assert_eq!(percent_encode("%3D"), "%253D");
        assert_eq!(percent_encode("c@"), "c%40");
        assert_eq!(percent_encode("2 q"), "2%20q");
        assert_eq!(percent_encode("a-._~Z9"), "a-._~Z9");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("+*/,"), "%2B%2A%2F%2C");
        assert_eq!(percent_encode_bytes(b"a,b c", b","), "a,b%20c");
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("%3D%253D", false), b"=%3D");
        assert_eq!(percent_decode("2+q", true), b"2 q");
        assert_eq!(percent_decode("2+q", false), b"2+q");
        assert_eq!(percent_decode("100%", false), b"100%");
        assert_eq!(percent_decode("%zz%4", false), b"%zz%4");
        assert_eq!(percent_decode("%c3%A9", false), "é".as_bytes());
    }

    #[test]
    fn round_trip_of_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(percent_decode(&percent_encode_bytes(&all, b""), false), all);
    }
}
