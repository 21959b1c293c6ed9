//! OAuth 1.0 HMAC-SHA1 request signing (RFC 5849 §3.4), as LivePerson's agentVep accepts for
//! API-key sessions (spec §4.1).
//!
//! Sans-IO: the timestamp and nonce are parameters. Bodies are JSON or XML, never form
//! encoded, so only the query parameters and the `oauth_*` parameters are signed.

use std::fmt;

use hmac::{Hmac, Mac};
use http::{Method, Uri};
use sha1::Sha1;

use super::credentials::ApiKey;
use super::encoding::{base64_encode, percent_decode, percent_encode, percent_encode_bytes};
use super::secret::{constant_time_eq, Secret};

/// The only signature method supported, and the one LivePerson documents.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The protocol version sent in `oauth_version`.
pub const VERSION: &str = "1.0";

/// Signing or verification failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthError {
    /// The request URI has no scheme or host, so no base string URI exists.
    RelativeUri,
    /// The `Authorization` value is not an `OAuth` header of `name="value"` pairs.
    MalformedHeader,
    /// A required protocol parameter is missing from the header.
    MissingParameter(&'static str),
    /// The header names a signature method other than HMAC-SHA1.
    UnsupportedMethod,
    /// The signature does not match the request.
    SignatureMismatch,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::RelativeUri => f.write_str("cannot sign a URI without scheme and host"),
            OAuthError::MalformedHeader => f.write_str("malformed OAuth Authorization header"),
            OAuthError::MissingParameter(p) => write!(f, "OAuth parameter {p} is missing"),
            OAuthError::UnsupportedMethod => f.write_str("unsupported OAuth signature method"),
            OAuthError::SignatureMismatch => f.write_str("OAuth signature does not match"),
        }
    }
}

impl std::error::Error for OAuthError {}

/// The base string URI of RFC 5849 §3.4.1.2: scheme and host in lower case, the port only
/// when it is not the scheme's default, the path, and no query or fragment.
pub fn base_string_uri(uri: &Uri) -> Result<String, OAuthError> {
    let scheme = uri.scheme_str().ok_or(OAuthError::RelativeUri)?;
    let host = uri.host().ok_or(OAuthError::RelativeUri)?;
    let scheme = scheme.to_ascii_lowercase();
    let mut out = format!("{scheme}://{}", host.to_ascii_lowercase());
    if let Some(port) = uri.port_u16() {
        let default = matches!((scheme.as_str(), port), ("http", 80) | ("https", 443));
        if !default {
            out.push_str(&format!(":{port}"));
        }
    }
    let path = uri.path();
    out.push_str(if path.is_empty() { "/" } else { path });
    Ok(out)
}

/// The name/value pairs of a query string, decoded as `application/x-www-form-urlencoded`
/// (RFC 5849 §3.4.1.3.1). A pair without `=` has an empty value.
pub fn query_pairs(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

/// The normalized parameter string of RFC 5849 §3.4.1.3.2: every name and value encoded,
/// sorted by name then value, joined as `name=value` with `&`.
pub fn normalized_parameters(pairs: &[(Vec<u8>, Vec<u8>)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(n, v)| (percent_encode_bytes(n, b""), percent_encode_bytes(v, b"")))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature base string of RFC 5849 §3.4.1: method, base string URI and the normalized
/// parameters (the URI's query parameters plus `params`, given unencoded), each encoded and
/// joined with `&`. `params` holds the `oauth_*` parameters except `oauth_signature`.
pub fn signature_base_string(
    method: &Method,
    uri: &Uri,
    params: &[(&str, &str)],
) -> Result<String, OAuthError> {
    let base_uri = base_string_uri(uri)?;
    let mut pairs = uri.query().map(query_pairs).unwrap_or_default();
    pairs.extend(
        params
            .iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())),
    );
    Ok(format!(
        "{}&{}&{}",
        percent_encode(&method.as_str().to_ascii_uppercase()),
        percent_encode(&base_uri),
        percent_encode(&normalized_parameters(&pairs))
    ))
}

/// The HMAC-SHA1 signature of a base string (RFC 5849 §3.4.2), base64-encoded. The key is
/// `enc(consumer secret)&enc(token secret)`.
pub fn hmac_sha1_signature(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    );
    // HMAC accepts keys of any length; the error branch cannot happen.
    match Hmac::<Sha1>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(base_string.as_bytes());
            base64_encode(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The `oauth_*` parameters of a request signed with `key` (without the signature).
fn protocol_params<'a>(
    key: &'a ApiKey,
    timestamp: &'a str,
    nonce: &'a str,
) -> [(&'a str, &'a str); 6] {
    [
        ("oauth_consumer_key", key.app_key.expose()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", SIGNATURE_METHOD),
        ("oauth_timestamp", timestamp),
        ("oauth_token", key.access_token.expose()),
        ("oauth_version", VERSION),
    ]
}

/// Signs a request and returns its `Authorization` header value, one line, in the order
/// LivePerson documents: `OAuth oauth_signature="…", oauth_version="1.0", oauth_nonce="…",
/// oauth_consumer_key="…", oauth_signature_method="HMAC-SHA1", oauth_token="…",
/// oauth_timestamp="…"`.
///
/// `timestamp` is seconds since the Unix epoch; `nonce` must be unique per timestamp (a random
/// alphanumeric string).
pub fn authorization_header(
    method: &Method,
    uri: &Uri,
    key: &ApiKey,
    timestamp: u64,
    nonce: &str,
) -> Result<Secret, OAuthError> {
    let ts = timestamp.to_string();
    let params = protocol_params(key, &ts, nonce);
    let base = signature_base_string(method, uri, &params)?;
    let signature =
        hmac_sha1_signature(&base, key.secret.expose(), key.access_token_secret.expose());
    Ok(Secret::new(format!(
        "OAuth oauth_signature=\"{}\", oauth_version=\"{VERSION}\", oauth_nonce=\"{}\", \
         oauth_consumer_key=\"{}\", oauth_signature_method=\"{SIGNATURE_METHOD}\", \
         oauth_token=\"{}\", oauth_timestamp=\"{ts}\"",
        percent_encode(&signature),
        percent_encode(nonce),
        percent_encode(key.app_key.expose()),
        percent_encode(key.access_token.expose()),
    )))
}

/// The parameters of an `Authorization: OAuth …` header, decoded, in header order.
/// `realm` is dropped (RFC 5849 §3.4.1.3.1 excludes it from the signature).
pub fn parse_authorization(value: &str) -> Result<Vec<(String, String)>, OAuthError> {
    let value = value.trim();
    let rest = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("OAuth "))
        .and_then(|_| value.get(6..))
        .ok_or(OAuthError::MalformedHeader)?;
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, quoted) = part.split_once('=').ok_or(OAuthError::MalformedHeader)?;
        let inner = quoted
            .trim()
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .ok_or(OAuthError::MalformedHeader)?;
        let name = String::from_utf8_lossy(&percent_decode(name.trim(), false)).into_owned();
        let inner = String::from_utf8_lossy(&percent_decode(inner, false)).into_owned();
        if name != "realm" {
            out.push((name, inner));
        }
    }
    Ok(out)
}

/// Checks a request's OAuth header against the secrets: recomputes the signature over the
/// method, URI and the header's own `oauth_*` parameters and compares in constant time.
/// Used by tests and by anyone emulating the server.
pub fn verify(
    method: &Method,
    uri: &Uri,
    authorization: &str,
    consumer_secret: &str,
    token_secret: &str,
) -> Result<(), OAuthError> {
    let params = parse_authorization(authorization)?;
    let get = |name: &'static str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or(OAuthError::MissingParameter(name))
    };
    let signature = get("oauth_signature")?;
    if get("oauth_signature_method")? != SIGNATURE_METHOD {
        return Err(OAuthError::UnsupportedMethod);
    }
    get("oauth_consumer_key")?;
    get("oauth_timestamp")?;
    get("oauth_nonce")?;
    let signed: Vec<(&str, &str)> = params
        .iter()
        .filter(|(n, _)| n != "oauth_signature")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let base = signature_base_string(method, uri, &signed)?;
    let expected = hmac_sha1_signature(&base, consumer_secret, token_secret);
    if constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        Ok(())
    } else {
        Err(OAuthError::SignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5849_section_3_4_1_base_string() {
        // RFC 5849 §3.4.1.1, the body parameters passed as extra parameters.
        let uri: Uri = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
            .parse()
            .unwrap();
        let base = signature_base_string(
            &Method::POST,
            &uri,
            &[
                ("oauth_consumer_key", "9djdj82h48djs9d2"),
                ("oauth_token", "kkk9d7dh3k39sjv7"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131201"),
                ("oauth_nonce", "7d8f3e4a"),
                ("c2", ""),
                ("a3", "2 q"),
            ],
        )
        .unwrap();
        assert_eq!(
            base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
             key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
             ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
             9d7dh3k39sjv7"
        );
    }

    #[test]
    fn base_string_uri_rules() {
        let cases = [
            (
                "HTTP://EXAMPLE.COM:80/r%20v/X?id=123",
                "http://example.com/r%20v/X",
            ),
            (
                "https://www.example.net:8080/?q=1",
                "https://www.example.net:8080/",
            ),
            ("https://h.example:443/a", "https://h.example/a"),
            ("http://h.example:443/a", "http://h.example:443/a"),
            ("https://h.example", "https://h.example/"),
        ];
        for (uri, expected) in cases {
            assert_eq!(base_string_uri(&uri.parse().unwrap()).unwrap(), expected);
        }
        assert_eq!(
            base_string_uri(&"/relative".parse().unwrap()),
            Err(OAuthError::RelativeUri)
        );
    }

    #[test]
    fn header_parsing() {
        let p = parse_authorization(
            r#"OAuth realm="Example", oauth_consumer_key="a%20b",oauth_nonce="n""#,
        )
        .unwrap();
        assert_eq!(
            p,
            vec![
                ("oauth_consumer_key".to_owned(), "a b".to_owned()),
                ("oauth_nonce".to_owned(), "n".to_owned())
            ]
        );
        assert_eq!(
            parse_authorization("Bearer x"),
            Err(OAuthError::MalformedHeader)
        );
        assert_eq!(
            parse_authorization("OAuth a=b"),
            Err(OAuthError::MalformedHeader)
        );
    }
}
