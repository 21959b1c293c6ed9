//! The Domain API (CSDS, spec §7.1): which host serves a service of an account.
//!
//! D1 and D2 bodies have no root key ([`crate::codec::UNROOTED`]). The API is JSON only; the
//! XML form used here is this crate's choice (INF): the root element's name is free
//! (`<domain>`, `<domain-all>` when written), D1's fields are its children, and D2 repeats a
//! `<baseURIs>` element per service, as the JSON maps to XML by spec §3.1. A D2 document
//! written as `<baseURIs><baseURI>…</baseURI>…</baseURIs>` is read too.

use serde::{Deserialize, Serialize};

use super::ids::AccountId;
use super::wire_enum::wire_enum;
use super::wire_struct::wire_struct;
use crate::codec::{Resource, UNROOTED};

wire_enum! {
    /// A service name of the Domain API (case-sensitive on the wire).
    pub enum Service {
        /// Chat Agent API and Login Service.
        AgentVep = "agentVep",
        /// Server Chat API (visitor side).
        ConversationVep = "conversationVep",
        /// Visit Information / App Engagement.
        Smt = "smt",
        /// The admin area; also the legacy browser SDK's lookup.
        AdminArea = "adminArea",
        /// The account's CDN.
        AcCdnDomain = "acCdnDomain",
        /// LiveEngage.
        LiveEngageVep = "liveEngageVep",
    }
}

wire_struct! {
    /// The host of one service (D1; also an item of D2 and of the login's
    /// `csdsCollectionResponse`): `{"service":"agentVep","account":"1234","baseURI":"…"}`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Domain {
        /// The service.
        pub service: Option<Service> as opt("service"),
        /// The account.
        pub account: Option<AccountId> as opt("account"),
        /// The host, bare (`va.agentvep.liveperson.net`, no scheme). See [`Domain::base_uri`].
        pub base_uri: String as string("baseURI"),
    }
}

impl Domain {
    /// A service's host.
    pub fn new(
        service: Service,
        account: impl Into<AccountId>,
        base_uri: impl Into<String>,
    ) -> Self {
        Domain {
            service: Some(service),
            account: Some(account.into()),
            base_uri: base_uri.into(),
        }
    }

    /// The host to build URLs on: `baseURI` without a scheme or trailing slash, should a
    /// server add them (the documented value is a bare host).
    pub fn base_uri(&self) -> &str {
        host_of(&self.base_uri)
    }
}

fn host_of(uri: &str) -> &str {
    let uri = uri.trim();
    let uri = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .unwrap_or(uri);
    uri.trim_end_matches('/')
}

impl Resource for Domain {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "domain";
}

wire_struct! {
    /// The hosts of all services of an account (D2): `{"baseURIs":[…]}`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct DomainAll {
        /// One entry per service.
        pub base_uris: Vec<Domain> as list("baseURIs" | "baseURI"),
    }
}

impl DomainAll {
    /// The entry of `service`, if listed.
    pub fn find(&self, service: &Service) -> Option<&Domain> {
        self.base_uris
            .iter()
            .find(|d| d.service.as_ref() == Some(service))
    }

    /// The host of `service` (see [`Domain::base_uri`]), if listed.
    pub fn base_uri(&self, service: &Service) -> Option<&str> {
        self.find(service).map(Domain::base_uri)
    }
}

impl Resource for DomainAll {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "domain-all";
}

wire_struct! {
    /// One server of the legacy lookup.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct LpData {
        /// The host.
        pub lp_server: Option<String> as opt_string("lpServer"),
    }
}

wire_struct! {
    /// The legacy lookup of the browser SDK (D3): `{"ResultSet":{"lpData":[{"lpServer":…}]}}`.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct LegacyDomain {
        /// The servers, first one preferred.
        pub lp_data: Vec<LpData> as list("lpData"),
    }
}

impl LegacyDomain {
    /// The first server's host.
    pub fn server(&self) -> Option<&str> {
        self.lp_data
            .iter()
            .find_map(|d| d.lp_server.as_deref())
            .map(host_of)
    }
}

impl Resource for LegacyDomain {
    const ROOT: &'static str = "ResultSet";
    const NAME: &'static str = "domain-legacy";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    fn read<T: Resource>(format: Format, s: &str) -> T {
        decode(format, s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn one_service_has_no_root_key() {
        let d: Domain = read(
            Format::Json,
            r#"{"service":"agentVep","account":"1234","baseURI":"exampleDomain.liveperson.net"}"#,
        );
        assert_eq!(d.service, Some(Service::AgentVep));
        assert_eq!(d.account, Some(AccountId::from("1234")));
        assert_eq!(d.base_uri(), "exampleDomain.liveperson.net");
        let x: Domain = read(
            Format::Xml,
            "<anything><service>agentVep</service><account>1234</account><baseURI>exampleDomain.liveperson.net</baseURI></anything>",
        );
        assert_eq!(x, d);
        assert_eq!(
            &encode(Format::Xml, &d).unwrap()[..],
            b"<domain><account>1234</account><baseURI>exampleDomain.liveperson.net</baseURI><service>agentVep</service></domain>"
        );
    }

    #[test]
    fn base_uri_is_a_bare_host() {
        let mut d = Domain::new(Service::Smt, "1", "https://va.sy.liveperson.net/");
        assert_eq!(d.base_uri(), "va.sy.liveperson.net");
        d.base_uri = "va.sy.liveperson.net".into();
        assert_eq!(d.base_uri(), "va.sy.liveperson.net");
    }

    #[test]
    fn all_services_in_both_xml_spellings() {
        let j: DomainAll = read(
            Format::Json,
            r#"{"baseURIs":[{"service":"agentVep","account":"1","baseURI":"a.example"},{"service":"newThing","account":"1","baseURI":"n.example"}]}"#,
        );
        assert_eq!(j.base_uri(&Service::AgentVep), Some("a.example"));
        assert_eq!(j.base_uri(&Service::ConversationVep), None);
        assert_eq!(
            j.base_uris[1].service,
            Some(Service::Unknown("newThing".into()))
        );
        let x1: DomainAll = read(
            Format::Xml,
            "<domain-all><baseURIs><service>agentVep</service><account>1</account><baseURI>a.example</baseURI></baseURIs><baseURIs><service>newThing</service><account>1</account><baseURI>n.example</baseURI></baseURIs></domain-all>",
        );
        let x2: DomainAll = read(
            Format::Xml,
            "<baseURIs><baseURI><service>agentVep</service><account>1</account><baseURI>a.example</baseURI></baseURI><baseURI><service>newThing</service><account>1</account><baseURI>n.example</baseURI></baseURI></baseURIs>",
        );
        assert_eq!(x1, j);
        assert_eq!(x2, j);
        let empty: DomainAll = read(Format::Json, r#"{"baseURIs":[]}"#);
        assert!(empty.base_uris.is_empty());
    }

    #[test]
    fn legacy_lookup() {
        let d: LegacyDomain = read(
            Format::Json,
            r#"{"ResultSet":{"lpData":[{"lpServer":"sales.liveperson.net","lpNumber":"1"}]}}"#,
        );
        assert_eq!(d.server(), Some("sales.liveperson.net"));
        let x: LegacyDomain = read(
            Format::Xml,
            "<ResultSet><lpData><lpServer>sales.liveperson.net</lpServer></lpData></ResultSet>",
        );
        assert_eq!(x, d);
    }
}
