//! The logged-in agent's information (A9).

use serde::{Deserialize, Serialize};

use super::availability::{AgentState, Availability};
use crate::codec::Resource;
use crate::model::ids::{AgentId, SkillId};
use crate::model::link::Link;
use crate::model::wire_struct::wire_struct;

crate::wrapped_list!(mod skill_info_list = "skillInfo");

wire_struct! {
    /// One of the agent's skills (`skillsInfo.skillInfo`).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct SkillInfo {
        /// The skill id.
        pub id: SkillId,
        /// The skill's name (`Sales`), the name A7's `skill` filter takes.
        pub name: Option<String> as opt_string("name"),
    }
}

wire_struct! {
    /// The logged-in agent (A9 `GET …/agentSession/{s}/info`). Its root is `info`, like the chat
    /// information of A18, which is a different resource.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AgentInfo {
        /// `self` (one, usually a bare object).
        pub links: Vec<Link> as list("link"),
        /// The nickname visitors see.
        pub agent_name: Option<String> as opt_string("agentName"),
        /// The display name.
        pub display_name: Option<String> as opt_string("displayName"),
        /// The login name.
        pub login_name: Option<String> as opt_string("loginName"),
        /// The agent's user id.
        pub id: Option<AgentId> as opt("id"),
        /// Most chats at once; `-1` = unlimited.
        pub max_chats: Option<i64> as opt_int("maxChats"),
        /// The agent's current availability.
        pub availability: Option<Availability> as opt_struct("availability"),
        /// The reason id of the current state, when one was set (optional).
        pub chat_reason_id: Option<String> as opt_string("chatReasonId"),
        /// The agent's skills (`"skillsInfo":{"skillInfo":[…]}`).
        pub skills: Vec<SkillInfo> as list("skillsInfo", with = "skill_info_list"),
    }
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
