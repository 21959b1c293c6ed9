//! OAuth 1.0 HMAC-SHA1 request signatures (RFC 5849 §3.4), as LivePerson's API keys use
//! them on signed Chat Agent API requests (spec §4.1).

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 3986 percent-encoding of everything but unreserved characters (RFC 5849 §3.6).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(T.get((i & 63) as usize).copied().unwrap_or(b'='));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied(),
            chunk.get(1).copied(),
            chunk.get(2).copied(),
        ];
        let n = (u32::from(b[0].unwrap_or(0)) << 16)
            | (u32::from(b[1].unwrap_or(0)) << 8)
            | u32::from(b[2].unwrap_or(0));
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if b[1].is_some() { sym(n >> 6) } else { '=' });
        out.push(if b[2].is_some() { sym(n) } else { '=' });
    }
    out
}

/// The parameters of an `Authorization: OAuth …` header, decoded; `None` when the header
/// is not an OAuth header.
pub fn parse_header(value: &str) -> Option<Vec<(String, String)>> {
    let rest = value.trim();
    let (scheme, params) = rest.split_once(' ').unwrap_or((rest, ""));
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    Some(
        params
            .split(',')
            .filter_map(|p| p.trim().split_once('='))
            .map(|(k, v)| {
                let v = v.trim().trim_matches('"');
                (
                    crate::http::request::pct_decode(k.trim(), false),
                    crate::http::request::pct_decode(v, false),
                )
            })
            .collect(),
    )
}

/// The signature base string (RFC 5849 §3.4.1): method, base URL and the normalised
/// parameters from the query and the OAuth header (without `oauth_signature` and `realm`).
pub fn base_string(
    method: &str,
    base_url: &str,
    query: &[(String, String)],
    oauth: &[(String, String)],
) -> String {
    let mut params: Vec<(String, String)> = query
        .iter()
        .chain(
            oauth
                .iter()
                .filter(|(k, _)| k != "oauth_signature" && k != "realm"),
        )
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    params.sort();
    let normalized: Vec<String> = params
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(base_url),
        encode(&normalized.join("&"))
    )
}

/// The base string URI (RFC 5849 §3.4.1.2): lowercase scheme and host, default port
/// dropped, path as sent, no query.
pub fn base_url(scheme: &str, host: &str, path: &str) -> String {
    let scheme = scheme.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(&host);
    format!("{scheme}://{host}{path}")
}

/// HMAC-SHA1 signature (RFC 5849 §3.4.2) of `base` with the consumer and token secrets.
pub fn sign(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(base.as_bytes());
            base64(&mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm cannot happen, and an empty signature
        // never matches a real one.
        Err(_) => String::new(),
    }
}

/// Compares two signatures without an early exit on the first difference.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    /// The worked example of RFC 5849 §3.4.1.1 / §3.4.2 (photos.example.net, HMAC-SHA1).
    #[test]
    fn rfc5849_example() {
        let oauth = vec![
            (
                "oauth_consumer_key".to_owned(),
                "dpf43f3p2l4k3l03".to_owned(),
            ),
            ("oauth_token".to_owned(), "nnch734d00sl2jdk".to_owned()),
            ("oauth_nonce".to_owned(), "kllo9940pd9333jh".to_owned()),
            ("oauth_timestamp".to_owned(), "1191242096".to_owned()),
            ("oauth_signature_method".to_owned(), "HMAC-SHA1".to_owned()),
            ("oauth_version".to_owned(), "1.0".to_owned()),
        ];
        let query = vec![
            ("file".to_owned(), "vacation.jpg".to_owned()),
            ("size".to_owned(), "original".to_owned()),
        ];
        let base = base_string(
            "GET",
            &base_url("http", "Photos.example.net:80", "/photos"),
            &query,
            &oauth,
        );
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        assert_eq!(
            sign(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
    }

    #[test]
    fn parses_header() {
        let p = parse_header(r#"OAuth oauth_signature="a%2Bb%3D", oauth_version="1.0""#).unwrap();
        assert_eq!(p[0], ("oauth_signature".into(), "a+b=".into()));
        assert!(parse_header("Bearer x").is_none());
    }
}
