//! V1: the account base resource.

use serde::{Deserialize, Serialize};

use crate::codec::Resource;
use crate::model::ids::AccountId;
use crate::model::link::{Link, LinksExt, Rel};
use crate::model::wire_struct::wire_struct;

wire_struct! {
    /// The account base resource (V1): the links to the visitor entry points
    /// (`chat-availability`, `chat-available-slots`, `chat-estimatedWaitTime`, `chat-request`,
    /// `prechat-survey`, `chat-offline-survey`). Clients navigate from here by relation.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Account {
        /// The account id.
        pub id: Option<AccountId> as opt("@id" | "id"),
        /// The entry points, unknown relations included.
        pub links: Vec<Link> as list("link"),
    }
}

impl Account {
    /// The href of the first link with relation `rel`.
    pub fn href(&self, rel: &Rel) -> Option<&str> {
        self.links.href(rel)
    }
}

impl Resource for Account {
    const ROOT: &'static str = "account";
    const NAME: &'static str = "account";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, Format, Limits};

    #[test]
    fn links_by_relation_in_both_formats() {
        let x: Account = decode(
            Format::Xml,
            br#"<account id="12345678"><link rel="self" href="https://h/api/account/12345678"/><link rel="chat-request" href="https://h/api/account/12345678/chat/request"/></account>"#,
            &Limits::default(),
        )
        .unwrap();
        let j: Account = decode(
            Format::Json,
            br#"{"account":{"id":12345678,"link":[{"rel":"self","href":"https://h/api/account/12345678"},{"@rel":"chat-request","@href":"https://h/api/account/12345678/chat/request"}]}}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(x, j);
        assert_eq!(x.id, Some(AccountId::from("12345678")));
        assert_eq!(
            x.href(&Rel::ChatRequest),
            Some("https://h/api/account/12345678/chat/request")
        );
        assert_eq!(x.href(&Rel::PrechatSurvey), None);
    }
}
