//! Domain API (CSDS) operations (D1-D3): which host serves a service of an account. JSON
//! only; no authentication and no cookies.

use bytes::Bytes;
use http::{Method, Request, Response};

use super::context::Context;
use super::error::Error;
use super::request::{enc, Plan, Service as Api};
use super::response::{decode_body, expect_status, OK};
use super::url::Loc;
use super::{Idempotency, Operation};
use crate::codec::{Limits, Resource};
use crate::model::domain::{Domain, DomainAll, LegacyDomain, Service};

/// The Domain API's host.
pub const DEFAULT_DOMAIN_HOST: &str = "api.liveperson.net";

/// `https://{host}`, `http://{host}` or a bare host (taken as https), without a trailing
/// slash.
fn origin_of(origin: &str) -> String {
    let origin = origin.trim().trim_end_matches('/');
    if origin.contains("://") {
        origin.to_owned()
    } else {
        format!("https://{origin}")
    }
}

/// What the three lookups share: where the Domain API is and which account is asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lookup {
    origin: String,
    account: String,
}

impl Lookup {
    fn new(account: &str) -> Lookup {
        Lookup {
            origin: origin_of(DEFAULT_DOMAIN_HOST),
            account: account.to_owned(),
        }
    }

    fn build(&self, path: &str, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let href = format!("{}{path}", self.origin);
        Plan::new(Method::GET, Loc::href(&href))
            .service(Api::Domain)
            .build(ctx)
    }

    fn parse<T: Resource>(response: &Response<Bytes>, limits: &Limits) -> Result<T, Error> {
        expect_status(response, OK)?;
        decode_body(response, limits)
    }
}

macro_rules! origin_setter {
    ($name:ident) => {
        impl $name {
            /// Asks another Domain API host: `https://host`, `http://127.0.0.1:port` (an
            /// emulator; plain http only to loopback unless the context allows it), or a
            /// bare host (https).
            pub fn origin(mut self, origin: &str) -> Self {
                self.lookup.origin = origin_of(origin);
                self
            }
        }
    };
}

/// D1: the host of one service of an account,
/// `GET https://api.liveperson.net/api/account/{a}/service/{service}/baseURI.json?version=1.0`
/// → `{"service":"agentVep","account":"1234","baseURI":"…"}` (a bare host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupDomain {
    lookup: Lookup,
    service: Service,
}

impl LookupDomain {
    /// The host of `service` (`agentVep` for the Chat Agent API and Login Service,
    /// `conversationVep` for the Server Chat API; names are case-sensitive).
    pub fn new(account: &str, service: Service) -> Self {
        LookupDomain {
            lookup: Lookup::new(account),
            service,
        }
    }
}

origin_setter!(LookupDomain);

impl Operation for LookupDomain {
    type Output = Domain;
    const ENDPOINT: &'static str = "D1";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let path = format!(
            "/api/account/{}/service/{}/baseURI.json",
            enc(&self.lookup.account),
            enc(self.service.as_str())
        );
        self.lookup.build(&path, ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, limits: &Limits) -> Result<Domain, Error> {
        Lookup::parse(&response, limits)
    }
}

/// D2: the hosts of every service of an account,
/// `GET https://{csds}/csdr/account/{a}/service/baseURI.json?version=1.0`
/// → `{"baseURIs":[…]}` (OBS, LivePerson's Postman collection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupAllDomains {
    lookup: Lookup,
}

impl LookupAllDomains {
    /// Every service's host.
    pub fn new(account: &str) -> Self {
        LookupAllDomains {
            lookup: Lookup::new(account),
        }
    }
}

origin_setter!(LookupAllDomains);

impl Operation for LookupAllDomains {
    type Output = DomainAll;
    const ENDPOINT: &'static str = "D2";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let path = format!(
            "/csdr/account/{}/service/baseURI.json",
            enc(&self.lookup.account)
        );
        self.lookup.build(&path, ctx)
    }

    fn parse_with(&self, response: Response<Bytes>, limits: &Limits) -> Result<DomainAll, Error> {
        Lookup::parse(&response, limits)
    }
}

/// D3: the legacy lookup of LivePerson's browser SDK,
/// `GET https://api.liveperson.net/csdr/account/{a}/service/adminArea/baseURI.lpCsds?version=1.0`
/// → `{"ResultSet":{"lpData":[{"lpServer":…}]}}` (OBS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupLegacyDomain {
    lookup: Lookup,
}

impl LookupLegacyDomain {
    /// The account's server by the legacy lookup.
    pub fn new(account: &str) -> Self {
        LookupLegacyDomain {
            lookup: Lookup::new(account),
        }
    }
}

origin_setter!(LookupLegacyDomain);

impl Operation for LookupLegacyDomain {
    type Output = LegacyDomain;
    const ENDPOINT: &'static str = "D3";

    fn idempotency(&self) -> Idempotency {
        Idempotency::Safe
    }

    fn build(&self, ctx: &Context) -> Result<Request<Bytes>, Error> {
        let path = format!(
            "/csdr/account/{}/service/adminArea/baseURI.lpCsds",
            enc(&self.lookup.account)
        );
        self.lookup.build(&path, ctx)
    }

    fn parse_with(
        &self,
        response: Response<Bytes>,
        limits: &Limits,
    ) -> Result<LegacyDomain, Error> {
        Lookup::parse(&response, limits)
    }
}
