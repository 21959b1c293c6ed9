//! A request as the protocol handlers see it: effective method (after
//! `X-HTTP-Method-Override`), decoded path segments with the format suffix stripped,
//! query pairs, the response format, and the body.

use crate::engine::ApiError;
use crate::quirks::SuffixMode;
use crate::wire::{read, Format};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method};

/// Path suffixes recognised on the last segment.
const SUFFIXES: [&str; 3] = ["json", "xml", "lpCsds"];

/// A parsed protocol request. `Debug` omits headers and body (they carry credentials).
pub struct Req {
    /// Method after `X-HTTP-Method-Override`.
    pub method: Method,
    /// Method on the wire (what an OAuth signature covers).
    pub wire_method: Method,
    /// Path as sent (still percent-encoded).
    pub raw_path: String,
    /// Decoded path segments, suffix stripped from the last.
    pub segs: Vec<String>,
    /// `json`, `xml` or `lpCsds` when the last segment carried one.
    pub suffix: Option<String>,
    /// Decoded query pairs in order (repeats kept).
    pub query: Vec<(String, String)>,
    /// Headers.
    pub headers: HeaderMap,
    /// Response format.
    pub format: Format,
    /// Body bytes.
    pub body: Bytes,
    /// Fault: repeat this many events below the requested `from`.
    pub repeat_below: u64,
}

impl std::fmt::Debug for Req {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Req")
            .field("method", &self.method)
            .field("path", &self.raw_path)
            .field("format", &self.format)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Percent-decodes `s`; `+` becomes a space when `plus` (query strings). Invalid escapes
/// are kept literally, as lenient servers do.
pub fn pct_decode(s: &str, plus: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b),
                }
            }
            b'+' if plus => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a query string into decoded pairs.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (pct_decode(k, true), pct_decode(v, true)),
            None => (pct_decode(p, true), String::new()),
        })
        .collect()
}

impl Req {
    /// Builds the request view (suffix stripped, method override applied, format chosen).
    pub fn new(
        method: Method,
        uri: &axum::http::Uri,
        headers: HeaderMap,
        body: Bytes,
        suffix_mode: SuffixMode,
    ) -> Req {
        let wire_method = method.clone();
        let method = match headers
            .get("x-http-method-override")
            .and_then(|v| v.to_str().ok())
        {
            Some(o) if method == Method::POST => {
                let o = o
                    .trim()
                    .trim_start_matches([':', '='])
                    .trim()
                    .to_ascii_uppercase();
                Method::from_bytes(o.as_bytes()).unwrap_or(method)
            }
            _ => method,
        };
        let raw_path = uri.path().to_owned();
        let mut segs: Vec<String> = raw_path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| pct_decode(s, false))
            .collect();
        let mut suffix = None;
        if let Some(last) = segs.last_mut() {
            if let Some((stem, ext)) = last.rsplit_once('.') {
                if SUFFIXES.contains(&ext) && !stem.is_empty() {
                    suffix = Some(ext.to_owned());
                    *last = stem.to_owned();
                }
            }
        }
        let query = uri.query().map(parse_query).unwrap_or_default();
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_ascii_lowercase)
        };
        let by_suffix = match (suffix_mode, suffix.as_deref()) {
            (SuffixMode::Override, Some("json" | "lpCsds")) => Some(Format::Json),
            (SuffixMode::Override, Some("xml")) => Some(Format::Xml),
            _ => None,
        };
        // Spec §3: suffix, then Accept, then the body's Content-Type; XML when nothing says JSON.
        let format =
            by_suffix.unwrap_or_else(|| match (header("accept"), header("content-type")) {
                (Some(a), _) if a.contains("json") => Format::Json,
                (Some(a), _) if a.contains("xml") => Format::Xml,
                (_, Some(c)) if c.contains("json") => Format::Json,
                _ => Format::Xml,
            });
        Req {
            method,
            wire_method,
            raw_path,
            segs,
            suffix,
            query,
            headers,
            format,
            body,
            repeat_below: 0,
        }
    }

    /// First value of query parameter `k`.
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Values of cookie `name` across all `Cookie` headers.
    pub fn cookies(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.trim_matches('"').to_owned())
            .collect()
    }

    /// The body parsed by its `Content-Type` (sniffed when absent); `Null` when empty.
    pub fn body_value(&self) -> Result<serde_json::Value, ApiError> {
        let ct = self.header("content-type");
        let fmt = read::body_format(ct, &self.body);
        read::parse(&self.body, fmt).map_err(ApiError::bad_request)
    }

    /// A body documented as a rootless JSON object: JSON as it is; in XML the root
    /// element's content, whatever the root is named (XML needs one, JSON has none).
    pub fn body_rootless(&self) -> Result<serde_json::Value, ApiError> {
        let ct = self.header("content-type");
        let fmt = read::body_format(ct, &self.body);
        let v = read::parse(&self.body, fmt).map_err(ApiError::bad_request)?;
        Ok(match (fmt, v) {
            (Format::Xml, serde_json::Value::Object(m)) => {
                m.into_iter().next().map(|(_, v)| v).unwrap_or_default()
            }
            (_, v) => v,
        })
    }

    /// The body's top-level element `root` (e.g. `event`, `availability`); 400 when missing.
    pub fn body_root(&self, root: &str) -> Result<serde_json::Value, ApiError> {
        let v = self.body_value()?;
        read::get(&v, root)
            .cloned()
            .ok_or_else(|| ApiError::bad_request(format!("request body must contain `{root}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, uri: &str, headers: &[(&'static str, &str)]) -> Req {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        Req::new(
            method,
            &uri.parse().unwrap(),
            h,
            Bytes::new(),
            SuffixMode::Override,
        )
    }

    #[test]
    fn suffix_accept_and_override() {
        let r = req(
            Method::POST,
            "/a/events.json?v=1&NC=true&v=1",
            &[("x-http-method-override", "PUT")],
        );
        assert_eq!(r.method, Method::PUT);
        assert_eq!(r.segs, vec!["a", "events"]);
        assert_eq!(r.format, Format::Json);
        assert_eq!(r.query.len(), 3);
        let r = req(
            Method::GET,
            "/a/events.xml",
            &[("accept", "application/json")],
        );
        assert_eq!(r.format, Format::Xml);
        let r = req(Method::GET, "/a/events", &[("accept", "*/*")]);
        assert_eq!(r.format, Format::Xml);
        let r = req(Method::GET, "/a/events", &[("accept", "application/json")]);
        assert_eq!(r.format, Format::Json);
    }

    #[test]
    fn decodes() {
        assert_eq!(pct_decode("a%20b+c%zz%", true), "a b c%zz%");
        assert_eq!(
            parse_query("k=a%26b&x"),
            vec![("k".into(), "a&b".into()), ("x".into(), String::new())]
        );
    }
}
