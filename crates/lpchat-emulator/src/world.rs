//! The emulated account: its agents, skills, API keys and visitor app keys.
//!
//! The default world is the one documented in `docs/emulator.md`; another can be loaded
//! from a JSON file of the same shape ([`World::from_json`]).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A string that never shows in `Debug` output (passwords, secrets, tokens).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// A skill (routing queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    /// Skill id (written as a string in skill lists, as a number in visitor info).
    pub id: i64,
    /// Skill name; A7's and V2's `skill` filters and V8's `skill` use the name.
    pub name: String,
}

/// OAuth 1.0 credentials of an API-key agent (application login and signed requests).
/// `Debug` shows the app key only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// Consumer key (`oauth_consumer_key`).
    pub app_key: String,
    /// Consumer secret.
    pub secret: Secret,
    /// Access token (`oauth_token`).
    pub access_token: String,
    /// Access token secret.
    pub access_token_secret: Secret,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("app_key", &self.app_key)
            .finish_non_exhaustive()
    }
}

/// An agent (user) of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// Numeric user id.
    pub id: i64,
    /// Login name (`username` of the login body, `agent=` of slot queries).
    pub login_name: String,
    /// Password for user login; `None` for API-key-only agents.
    #[serde(default)]
    pub password: Option<Secret>,
    /// Name shown to visitors (`agentName`, line `by`).
    pub nickname: String,
    /// `displayName` of agent info.
    #[serde(default)]
    pub display_name: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// `privilegeGroup` of available agents.
    #[serde(default = "default_group")]
    pub privilege_group: String,
    /// Concurrent chat limit; -1 = unlimited.
    pub max_chats: i64,
    /// Skill ids.
    pub skills: Vec<i64>,
    /// API-key credentials for application login and signed requests.
    #[serde(default)]
    pub api_key: Option<ApiKey>,
}

fn default_group() -> String {
    "Agents".to_owned()
}

/// A whole emulated account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct World {
    /// Account (site) id.
    pub account: String,
    /// Skills.
    pub skills: Vec<Skill>,
    /// Agents.
    pub agents: Vec<Agent>,
    /// App keys accepted by the Server Chat API.
    pub visitor_app_keys: Vec<String>,
    /// Login session lifetime without refresh, ms (`sessionTTl`).
    #[serde(default = "default_ttl")]
    pub session_ttl_ms: u64,
    /// `chatTimeout` of new chats, seconds (visitor idle limit).
    #[serde(default = "default_chat_timeout")]
    pub chat_timeout_s: u64,
    /// Offset of the account time zone written in timestamps, minutes east of UTC.
    #[serde(default = "default_tz")]
    pub timezone_offset_minutes: i32,
}

fn default_ttl() -> u64 {
    28_800_000
}
fn default_chat_timeout() -> u64 {
    40
}
fn default_tz() -> i32 {
    -300
}

/// The published visitor app key of the Server Chat API documentation.
pub const PUBLIC_VISITOR_APP_KEY: &str = "721c180b09eb463d9f3191c41762bb68";

impl Default for World {
    fn default() -> Self {
        let agent = |id: i64, n: u32, max_chats: i64, skills: Vec<i64>| Agent {
            id,
            login_name: format!("agent{n}"),
            password: Some("password".into()),
            nickname: format!("Agent{n}"),
            display_name: Some(format!("Agent {n}")),
            email: format!("agent{n}@example.com"),
            privilege_group: default_group(),
            max_chats,
            skills,
            api_key: None,
        };
        World {
            account: "12345678".to_owned(),
            skills: vec![
                Skill {
                    id: 1,
                    name: "Sales".into(),
                },
                Skill {
                    id: 2,
                    name: "Billing".into(),
                },
            ],
            agents: vec![
                agent(101, 1, 3, vec![1, 2]),
                agent(102, 2, 3, vec![1]),
                agent(103, 3, 2, vec![2]),
                Agent {
                    id: 104,
                    login_name: "bot".into(),
                    password: None,
                    nickname: "Bot".into(),
                    display_name: Some("Bot".into()),
                    email: "bot@example.com".into(),
                    privilege_group: "Bots".into(),
                    max_chats: -1,
                    skills: vec![1, 2],
                    api_key: Some(ApiKey {
                        app_key: "emulatorbotappkey0000000000000001".into(),
                        secret: "emulatorbotsecret01".into(),
                        access_token: "emulatorbotaccesstoken00000000001".into(),
                        access_token_secret: "emulatorbottokensecret01".into(),
                    }),
                },
            ],
            visitor_app_keys: vec![PUBLIC_VISITOR_APP_KEY.to_owned()],
            session_ttl_ms: default_ttl(),
            chat_timeout_s: default_chat_timeout(),
            timezone_offset_minutes: default_tz(),
        }
    }
}

impl World {
    /// Reads a world from JSON text (same shape as `GET /_emulator/world` with secrets).
    pub fn from_json(text: &str) -> Result<World, String> {
        let w: World = serde_json::from_str(text).map_err(|e| format!("invalid world: {e}"))?;
        w.validate()?;
        Ok(w)
    }

    /// Checks references between agents and skills.
    pub fn validate(&self) -> Result<(), String> {
        for a in &self.agents {
            if let Some(bad) = a
                .skills
                .iter()
                .find(|s| !self.skills.iter().any(|k| k.id == **s))
            {
                return Err(format!("agent {} has unknown skill id {bad}", a.login_name));
            }
        }
        Ok(())
    }

    /// Index of the skill named `name` (exact, case-sensitive like every LivePerson name).
    pub fn skill_by_name(&self, name: &str) -> Option<usize> {
        self.skills.iter().position(|s| s.name == name)
    }

    /// Index of the skill with id `id`.
    pub fn skill_by_id(&self, id: i64) -> Option<usize> {
        self.skills.iter().position(|s| s.id == id)
    }

    /// Index of the agent with login name `name`.
    pub fn agent_by_login(&self, name: &str) -> Option<usize> {
        self.agents.iter().position(|a| a.login_name == name)
    }

    /// Index of the agent with user id `id`.
    pub fn agent_by_id(&self, id: i64) -> Option<usize> {
        self.agents.iter().position(|a| a.id == id)
    }

    /// A human-readable summary printed by the binary at start-up (no secrets but the
    /// documented, fixed test credentials).
    pub fn summary(&self) -> String {
        let mut out = format!("account {}\n", self.account);
        for s in &self.skills {
            out.push_str(&format!("skill {} (id {})\n", s.name, s.id));
        }
        for a in &self.agents {
            let skills: Vec<String> = a.skills.iter().map(|s| s.to_string()).collect();
            let login = match (&a.password, &a.api_key) {
                (Some(_), _) => "password login".to_owned(),
                (None, Some(k)) => format!("API key {}", k.app_key),
                (None, None) => "no login".to_owned(),
            };
            out.push_str(&format!(
                "agent {} (id {}, maxChats {}, skills [{}], {login})\n",
                a.login_name,
                a.id,
                a.max_chats,
                skills.join(",")
            ));
        }
        for k in &self.visitor_app_keys {
            out.push_str(&format!("visitor app key {k}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_round_trips_and_hides_secrets() {
        let w = World::default();
        let text = serde_json::to_string(&w).unwrap();
        assert_eq!(World::from_json(&text).unwrap(), w);
        let dbg = format!("{w:?}");
        assert!(!dbg.contains("emulatorbotsecret01"));
        assert!(!dbg.contains("emulatorbotaccesstoken"));
        assert!(!dbg.contains("\"password\""));
        assert!(World::from_json("{}").is_err());
    }
}
