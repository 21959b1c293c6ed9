//! Plain-HTTP helpers shared by the integration tests (reqwest, no lpchat code).
#![allow(dead_code)]

use lpchat_emulator::{Emulator, EmulatorConfig};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;

pub const KEY: &str = "721c180b09eb463d9f3191c41762bb68";

pub async fn start(cfg: EmulatorConfig) -> Emulator {
    Emulator::start(cfg).await.expect("emulator starts")
}

pub async fn start_default() -> Emulator {
    start(EmulatorConfig::default()).await
}

pub fn client() -> Client {
    // Needed when the workspace build gives reqwest lpchat's `rustls-no-provider` feature.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder().no_proxy().build().unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fmt {
    Json,
    Xml,
}

impl Fmt {
    pub fn mime(self) -> &'static str {
        match self {
            Fmt::Json => "application/json",
            Fmt::Xml => "application/xml",
        }
    }
}

/// A response with its body read.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, n: &str) -> Option<String> {
        self.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|c| c.split(';').next())
            .filter_map(|c| c.split_once('='))
            .find(|(k, _)| k.starts_with(name))
            .map(|(k, v)| format!("{k}={v}"))
    }
}

pub async fn send(rb: RequestBuilder) -> Resp {
    let r: Response = rb.send().await.expect("request sent");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap_or_default();
    Resp {
        status,
        headers,
        text,
    }
}

/// Field under `k` or `@k`.
pub fn f<'a>(v: &'a Value, k: &str) -> &'a Value {
    match v.get(k) {
        Some(x) => x,
        None => v.get(format!("@{k}")).unwrap_or(&Value::Null),
    }
}

/// A list that may be a bare item.
pub fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::Null => vec![],
        Value::Array(a) => a.clone(),
        x => vec![x.clone()],
    }
}

pub fn link(v: &Value, rel: &str) -> Option<String> {
    list(f(v, "link"))
        .iter()
        .find(|l| f(l, "rel") == rel)
        .map(|l| f(l, "href").as_str().unwrap().to_owned())
}

/// Text of `<tag>…</tag>` (first occurrence) in an XML body.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_owned())
}

/// `href` of `<link href="…" rel="rel"/>` in an XML body (the documented attribute order;
/// a link written `rel` first is not found, so tests that use this also check the order).
pub fn xml_link(xml: &str, rel: &str) -> Option<String> {
    let tail = format!("\" rel=\"{rel}\"/>");
    let end = xml.find(&tail)?;
    let start = xml[..end].rfind("<link href=\"")? + "<link href=\"".len();
    Some(xml[start..end].replace("&amp;", "&"))
}

/// A logged-in agent with one agent session.
#[derive(Debug, Clone)]
pub struct Agent {
    pub bearer: String,
    pub csrf: String,
    pub login_cookie: String,
    pub session: String,
    pub session_cookie: String,
}

pub struct Api {
    pub http: Client,
    pub acct: String,
}

impl Api {
    pub fn new(emu: &Emulator) -> Api {
        Api {
            http: client(),
            acct: emu.account_url(),
        }
    }

    pub async fn login(&self, user: &str) -> (String, String, String) {
        let r = send(
            self.http
                .post(format!("{}/login?v=1.3", self.acct))
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .body(format!(r#"{{"username":"{user}","password":"password"}}"#)),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let j = r.json();
        (
            j["bearer"].as_str().unwrap().to_owned(),
            j["csrf"].as_str().unwrap().to_owned(),
            r.cookie("Session_id").unwrap(),
        )
    }

    pub async fn agent(&self, user: &str) -> Agent {
        let (bearer, csrf, login_cookie) = self.login(user).await;
        let mut a = Agent {
            bearer,
            csrf,
            login_cookie,
            session: String::new(),
            session_cookie: String::new(),
        };
        self.new_session(&mut a).await;
        a
    }

    pub async fn new_session(&self, a: &mut Agent) {
        let r = send(
            self.http
                .post(format!("{}/agentSession?v=1&NC=true", self.acct))
                .header("authorization", format!("Bearer {}", a.bearer))
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .body(r#"{"loginData":""}"#),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let href = link(&r.json()["agentSessionLocation"], "location").unwrap();
        a.session = href.rsplit('/').next().unwrap().to_owned();
        a.session_cookie = r.cookie("LPAgentSession").unwrap();
    }

    /// An agent-session request with bearer + cookie.
    pub fn agent_req(&self, a: &Agent, method: Method, path: &str, fmt: Fmt) -> RequestBuilder {
        let url = format!("{}/agentSession/{}{path}", self.acct, a.session);
        self.http
            .request(method, url)
            .header("authorization", format!("Bearer {}", a.bearer))
            .header("cookie", a.session_cookie.clone())
            .header("accept", fmt.mime())
            .header("content-type", fmt.mime())
    }

    pub async fn agent_get(&self, a: &Agent, path: &str, fmt: Fmt) -> Resp {
        send(self.agent_req(a, Method::GET, path, fmt)).await
    }

    pub async fn agent_post(&self, a: &Agent, path: &str, fmt: Fmt, body: &str) -> Resp {
        send(
            self.agent_req(a, Method::POST, path, fmt)
                .body(body.to_owned()),
        )
        .await
    }

    pub async fn agent_put(&self, a: &Agent, path: &str, fmt: Fmt, body: &str) -> Resp {
        send(
            self.agent_req(a, Method::POST, path, fmt)
                .header("x-http-method-override", "PUT")
                .body(body.to_owned()),
        )
        .await
    }

    pub fn visitor_req(&self, method: Method, url: &str, fmt: Fmt) -> RequestBuilder {
        self.http
            .request(method, url)
            .header("authorization", format!("LivePerson appKey={KEY}"))
            .header("accept", fmt.mime())
            .header("content-type", fmt.mime())
    }

    /// Requests a chat on `skill`; returns the chat URL from `Location`.
    pub async fn request_chat(&self, skill: &str, fmt: Fmt) -> String {
        let body = match fmt {
            Fmt::Json => format!(r#"{{"request":{{"skill":"{skill}","preChatLines":{{"line":["pre 1"]}}}}}}"#),
            Fmt::Xml => format!("<request><skill>{skill}</skill><preChatLines><line>pre 1</line></preChatLines></request>"),
        };
        let r = send(
            self.visitor_req(
                Method::POST,
                &format!("{}/chat/request?v=1&NC=true", self.acct),
                fmt,
            )
            .body(body),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.header("location").expect("Location header")
    }

    pub async fn visitor_line(&self, chat_url: &str, text: &str, fmt: Fmt) -> Resp {
        let body = match fmt {
            Fmt::Json => format!(r#"{{"event":{{"@type":"line","text":"{text}"}}}}"#),
            Fmt::Xml => format!(
                r#"<event type="line"><text>{}</text></event>"#,
                text.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            ),
        };
        send(
            self.visitor_req(Method::POST, &format!("{chat_url}/events"), fmt)
                .body(body),
        )
        .await
    }

    /// Accepts the next ringing chat; returns the chat id.
    pub async fn accept(&self, a: &Agent) -> String {
        let r = self
            .agent_post(a, "/incomingRequests", Fmt::Json, "{}")
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        link(&r.json()["chatLocation"], "location")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    }

    pub async fn ringing(&self, a: &Agent) -> i64 {
        let r = self.agent_get(a, "/incomingRequests", Fmt::Json).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["incomingRequests"]["ringingCount"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let base = self.acct.split("/api/").next().unwrap().to_owned();
        let mut rb = self.http.request(method, format!("{base}/_emulator{path}"));
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        send(rb).await
    }
}

/// Polls `cond` every 10 ms for up to `secs` seconds.
pub async fn eventually<F, Fut>(secs: f64, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(secs);
    while std::time::Instant::now() < deadline {
        if cond().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

/// A JSON value whose objects keep the order their keys had on the wire
/// (`serde_json::Value` sorts them, which would hide the order under test).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Leaf(Value),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Leaf(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Leaf(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Leaf(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Leaf(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Leaf(Value::String(v.to_owned())))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Leaf(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Node::Arr(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = a.next_entry::<String, Node>()? {
                    v.push((k, x));
                }
                Ok(Node::Obj(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    pub fn parse(text: &str) -> Node {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    /// The keys of this object in wire order (empty for anything else).
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Node::Obj(kv) => kv.iter().map(|(k, _)| k.as_str()).collect(),
            _ => vec![],
        }
    }

    /// Member `k` of an object.
    pub fn get(&self, k: &str) -> Option<&Node> {
        match self {
            Node::Obj(kv) => kv.iter().find(|(n, _)| n == k).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value of member `k` (or the first member, if `k` is empty) as text.
    pub fn first_value(&self) -> Option<String> {
        match self {
            Node::Obj(kv) => match kv.first().map(|(_, v)| v) {
                Some(Node::Leaf(Value::String(s))) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every object found under key `name`, at any depth, arrays flattened.
    pub fn all_named<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        match self {
            Node::Leaf(_) => {}
            Node::Arr(items) => items.iter().for_each(|i| i.all_named(name, out)),
            Node::Obj(kv) => {
                for (k, v) in kv {
                    if k == name {
                        match v {
                            Node::Arr(items) => out.extend(items.iter()),
                            other => out.push(other),
                        }
                    }
                    v.all_named(name, out);
                }
            }
        }
    }
}
