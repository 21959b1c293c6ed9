//! The logged-in agent's information (A9).

use serde::{Deserialize, Serialize};

use super::availability::{AgentState, Availability};
use crate::codec::{lenient, Resource};
use crate::model::ids::{AgentId, SkillId};
use crate::model::link::Link;

crate::wrapped_list!(mod skill_info_list = "skillInfo");

/// One of the agent's skills (`skillsInfo.skillInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SkillInfo {
    /// The skill id.
    pub id: SkillId,
    /// The skill's name (`Sales`), the name A7's `skill` filter takes.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
}

/// The logged-in agent (A9 `GET …/agentSession/{s}/info`). Its root is `info`, like the chat
/// information of A18, which is a different resource.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentInfo {
    /// `self` (one, usually a bare object).
    #[serde(
        rename = "link",
        default,
        deserialize_with = "lenient::list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// The nickname visitors see.
    #[serde(
        rename = "agentName",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_name: Option<String>,
    /// The display name.
    #[serde(
        rename = "displayName",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// The login name.
    #[serde(
        rename = "loginName",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub login_name: Option<String>,
    /// The agent's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AgentId>,
    /// Most chats at once; `-1` = unlimited.
    #[serde(
        rename = "maxChats",
        default,
        deserialize_with = "lenient::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_chats: Option<i64>,
    /// The agent's current availability.
    #[serde(
        default,
        deserialize_with = "lenient::opt_struct",
        skip_serializing_if = "Option::is_none"
    )]
    pub availability: Option<Availability>,
    /// The reason id of the current state, when one was set (optional).
    #[serde(
        rename = "chatReasonId",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub chat_reason_id: Option<String>,
    /// The agent's skills (`"skillsInfo":{"skillInfo":[…]}`).
    #[serde(
        rename = "skillsInfo",
        default,
        with = "skill_info_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub skills: Vec<SkillInfo>,
}

impl AgentInfo {
    /// The agent's chat state.
    pub fn chat_state(&self) -> Option<&AgentState> {
        self.availability.as_ref()?.chat.as_ref()
    }

    /// Whether `max_chats` says unlimited (`-1`).
    pub fn has_unlimited_chats(&self) -> bool {
        self.max_chats == Some(-1)
    }

    /// The skill ids, in order.
    pub fn skill_ids(&self) -> impl Iterator<Item = &SkillId> {
        self.skills.iter().map(|s| &s.id)
    }

    /// The id of the skill with this name (names compare ignoring ASCII case).
    pub fn skill_named(&self, name: &str) -> Option<&SkillId> {
        self.skills
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|s| &s.id)
    }
}

impl Resource for AgentInfo {
    const ROOT: &'static str = "info";
    const NAME: &'static str = "agent-info";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, Format, Limits};

    #[test]
    fn documented_examples_in_both_formats() {
        let l = Limits::default();
        let j: AgentInfo = decode(
            Format::Json,
            br#"{"info":{"link":{"@href":"https://h/agentSession/1/info","@rel":"self"},
            "agentName":"John Smith","displayName":"John Smith","loginName":"John@company.com","id":"25025413","maxChats":"-1",
            "availability":{"chat":"Online","voice":"Offline"},
            "skillsInfo":{"skillInfo":[{"id":"25975313","name":"Sales"},{"id":26060413,"name":"Billing"}]}}}"#,
            &l,
        )
        .unwrap();
        assert_eq!(j.id, Some(AgentId::from("25025413")));
        assert!(j.has_unlimited_chats());
        assert_eq!(j.chat_state(), Some(&AgentState::Online));
        assert_eq!(j.skill_named("billing"), Some(&SkillId::from("26060413")));
        assert_eq!(j.skill_ids().count(), 2);
        let x: AgentInfo = decode(
            Format::Xml,
            br#"<info><link rel="self" href="https://h/info"/><agentName>John</agentName><displayName>John</displayName><loginName>John</loginName><id>3</id><maxChats>4</maxChats><availability><chat>Away</chat></availability></info>"#,
            &l,
        )
        .unwrap();
        assert_eq!(x.max_chats, Some(4));
        assert_eq!(x.chat_state(), Some(&AgentState::Away));
        assert!(x.skills.is_empty());
        let single: AgentInfo = decode(
            Format::Json,
            br#"{"info":{"skillsInfo":{"skillInfo":{"id":"1","name":"Sales"}}}}"#,
            &l,
        )
        .unwrap();
        assert_eq!(single.skills.len(), 1);
    }
}
