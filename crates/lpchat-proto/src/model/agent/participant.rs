//! Authenticated visitor information (A31 `GET …/participantExtendedInfo/{participantId}`):
//! the consumer's authentication state and the SDEs it sent.
//!
//! Unlike the other agent resources this body is plain JSON with two top-level keys and real
//! numbers and booleans, so the whole body is the model (`Resource::ROOT` is [`crate::codec::UNROOTED`]). No
//! XML form is documented; in XML the root element's content is read, whatever its name, and
//! `participantExtendedInfo` is written (INF).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codec::Resource;
use crate::model::wire_struct::wire_struct;

/// An optional number given as a JSON number or as numeric text; `null` and blank read as
/// `None`.
fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct FloatVisitor;

    impl<'de> Visitor<'de> for FloatVisitor {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, a numeric string or nothing")
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    d.deserialize_any(FloatVisitor)
}

wire_struct! {
    /// A date SDE: `{"year":2013,"month":5,"day":23}`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct SdeDate {
        /// Year.
        pub year: Option<i64> as opt_int("year"),
        /// Month, 1-12.
        pub month: Option<i64> as opt_int("month"),
        /// Day of the month.
        pub day: Option<i64> as opt_int("day"),
    }
}

impl SdeDate {
    /// A date.
    pub fn new(year: i64, month: i64, day: i64) -> Self {
        SdeDate {
            year: Some(year),
            month: Some(month),
            day: Some(day),
        }
    }
}

wire_struct! {
    /// What the authenticated visitor's identity provider said about them (the customer-info
    /// SDE). The documented members are typed; any other member is kept in `other`.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AuthenticatedParticipantInfo {
        /// Whether the visitor is authenticated.
        pub is_user_authenticated: Option<bool> as opt_bool("isUserAuthenticated"),
        /// The participant id (a GUID; the chat info's `participantId`).
        pub participant_id: Option<String> as opt_string("participantId"),
        /// Account balance (a real number, `-400.99`).
        pub balance: Option<f64> as opt("balance", deserialize_with = "opt_float"),
        /// When the customer registered.
        pub registration_date: Option<SdeDate> as opt_struct("registrationDate"),
        /// When the customer last paid.
        pub last_payment_date: Option<SdeDate> as opt_struct("lastPaymentDate"),
        /// The customer id in the brand's systems.
        pub customer_id: Option<String> as opt_string("customerId"),
        /// Customer status (`cancelled`).
        pub customer_status: Option<String> as opt_string("customerStatus"),
        /// Customer type (`vip`).
        pub customer_type: Option<String> as opt_string("customerType"),
        /// Social network id.
        pub social_id: Option<String> as opt_string("socialId"),
        /// Device IMEI.
        pub imei: Option<String> as opt_string("imei"),
        /// The customer's user name.
        pub user_name: Option<String> as opt_string("userName"),
        /// Company size (employees).
        pub company_size: Option<i64> as opt_int("companySize"),
        /// Account name.
        pub account_name: Option<String> as opt_string("accountName"),
        /// Role (`broker`).
        pub role: Option<String> as opt_string("role"),
        /// Members not listed above, as they came (the SDE list is open-ended).
        #[serde(flatten)]
        pub other: Map<String, Value>,
    }
}

wire_struct! {
    /// A way to reach the visitor.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Contact {
        /// E-mail address.
        pub email: Option<String> as opt_string("email"),
        /// Phone number.
        pub phone: Option<String> as opt_string("phone"),
        /// Members not listed above, as they came.
        #[serde(flatten)]
        pub other: Map<String, Value>,
    }
}

wire_struct! {
    /// Further authenticated personal information (the personal-info SDE; optional).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AuthenticatedPersonalInfo {
        /// First name.
        pub name: Option<String> as opt_string("name"),
        /// Surname.
        pub surname: Option<String> as opt_string("surname"),
        /// Contacts (`[{"email":…,"phone":…}]`).
        pub contacts: Vec<Contact> as list("contacts"),
        /// Members not listed above, as they came.
        #[serde(flatten)]
        pub other: Map<String, Value>,
    }
}

wire_struct! {
    /// An authenticated visitor's information (A31): the whole body.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct ParticipantInfo {
        /// Authentication state and customer information (always sent).
        pub participant: Option<AuthenticatedParticipantInfo>
            as opt_struct("authenticatedParticipantInfo"),
        /// Personal information (optional).
        pub personal: Option<AuthenticatedPersonalInfo> as opt_struct("authenticatedPersonalInfo"),
    }
}

impl ParticipantInfo {
    /// Whether the visitor is authenticated (false when not said).
    pub fn is_authenticated(&self) -> bool {
        self.participant
            .as_ref()
            .and_then(|p| p.is_user_authenticated)
            .unwrap_or(false)
    }

    /// The participant id.
    pub fn participant_id(&self) -> Option<&str> {
        self.participant.as_ref()?.participant_id.as_deref()
    }

    /// The customer id.
    pub fn customer_id(&self) -> Option<&str> {
        self.participant.as_ref()?.customer_id.as_deref()
    }

    /// The visitor's first name.
    pub fn name(&self) -> Option<&str> {
        self.personal.as_ref()?.name.as_deref()
    }

    /// The visitor's e-mail addresses, in order.
    pub fn emails(&self) -> impl Iterator<Item = &str> {
        self.personal
            .iter()
            .flat_map(|p| p.contacts.iter())
            .filter_map(|c| c.email.as_deref())
    }
}

impl Resource for ParticipantInfo {
    const ROOT: &'static str = crate::codec::UNROOTED;
    const NAME: &'static str = "participant-info";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Format, Limits};

    const DOC: &str = r#"{"authenticatedParticipantInfo":{"isUserAuthenticated":true,"participantId":"55fc1779-83b0-4e8b-8eea-503a8eaf8822",
      "balance":-400.99,"registrationDate":{"year":2013,"month":5,"day":23},"lastPaymentDate":{"year":2014,"month":10,"day":15},
      "customerId":"57ac-072a-5d10-4506-721f-9ebf","customerStatus":"cancelled","customerType":"vip","socialId":"11256324780",
      "imei":"3543546543545688","userName":"testuser","companySize":500,"accountName":"bank corp","role":"broker","loyaltyTier":{"level":3}},
      "authenticatedPersonalInfo":{"name":"Test","surname":"User","contacts":[{"email":"testuser@liveperson.com","phone":"+1-10-344-3765333"}],"gender":"FEMALE"}}"#;

    #[test]
    fn documented_example_with_unknown_members_kept() {
        let l = Limits::default();
        let p: ParticipantInfo = decode(Format::Json, DOC.as_bytes(), &l).unwrap();
        assert!(p.is_authenticated());
        assert_eq!(
            p.participant_id(),
            Some("55fc1779-83b0-4e8b-8eea-503a8eaf8822")
        );
        let info = p.participant.as_ref().unwrap();
        assert_eq!(info.balance, Some(-400.99));
        assert_eq!(info.registration_date, Some(SdeDate::new(2013, 5, 23)));
        assert_eq!(info.company_size, Some(500));
        assert_eq!(
            info.other.get("loyaltyTier"),
            Some(&serde_json::json!({"level":3}))
        );
        assert_eq!(p.emails().collect::<Vec<_>>(), ["testuser@liveperson.com"]);
        assert_eq!(
            p.personal.as_ref().unwrap().other.get("gender"),
            Some(&serde_json::json!("FEMALE"))
        );
        let again: ParticipantInfo =
            decode(Format::Json, &encode(Format::Json, &p).unwrap(), &l).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn xml_reads_the_root_elements_content() {
        let l = Limits::default();
        let x: ParticipantInfo = decode(
            Format::Xml,
            b"<participantExtendedInfo><authenticatedParticipantInfo><isUserAuthenticated>false</isUserAuthenticated>\
              <balance>12.5</balance><participantId>p1</participantId></authenticatedParticipantInfo></participantExtendedInfo>",
            &l,
        )
        .unwrap();
        assert!(!x.is_authenticated());
        assert_eq!(x.participant.as_ref().unwrap().balance, Some(12.5));
        assert_eq!(x.name(), None);
        assert_eq!(x.emails().count(), 0);
        let body = encode(Format::Xml, &x).unwrap();
        assert!(body.starts_with(b"<participant-info>"));
        assert!(decode::<ParticipantInfo>(
            Format::Json,
            br#"{"authenticatedParticipantInfo":{"balance":"rich"}}"#,
            &l
        )
        .is_err());
    }
}
