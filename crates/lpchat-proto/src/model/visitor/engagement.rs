//! App Engagement (service `smt`): the engagement request a visitor sends before its chat
//! request (step 2 of the Server Chat visitor flow), and its answer. Both are JSON with no
//! root key, as documented; the answer's ids go into the chat request
//! ([`ChatRequest::with_engagement`]).

use serde::{Deserialize, Serialize};

use super::ChatRequest;
use crate::codec::{Resource, UNROOTED};
use crate::model::wire_struct::wire_struct;

wire_struct! {
    /// `POST https://{smt}/api/account/{a}/app/engagement/visitors[/{visitorId}]?v=1.0[&sid=…]`
    /// body: which kind of application asks, and where in it the visitor is.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct EngagementRequest {
        /// `MSDK` or `EXTERNAL` (what a server-side or third-party client is).
        pub app_type: String as string("appType"),
        /// The application and device, for LivePerson's troubleshooting.
        pub app_details: Option<AppDetails> as opt_struct("appDetails"),
        /// Locations in the application, which select the engagement.
        pub consumer_sections: Vec<String> as list("consumerSections"),
    }
}

impl EngagementRequest {
    /// An `EXTERNAL` application's request.
    pub fn external() -> Self {
        EngagementRequest {
            app_type: "EXTERNAL".to_owned(),
            ..EngagementRequest::default()
        }
    }

    /// Adds consumer sections (a skill's name selects that skill on the emulator).
    pub fn sections<'a>(mut self, sections: impl IntoIterator<Item = &'a str>) -> Self {
        self.consumer_sections
            .extend(sections.into_iter().map(str::to_owned));
        self
    }
}

impl Resource for EngagementRequest {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "engagement-request";
}

wire_struct! {
    /// `appDetails` of an [`EngagementRequest`].
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct AppDetails {
        /// `WINDOWS`, `MAC_OSX`, `LINUX`, `IOS`, `ANDROID`.
        pub os: Option<String> as opt_string("os"),
        /// The operating system's version.
        pub os_version: Option<String> as opt_string("osVersion"),
        /// The application's version.
        pub app_version: Option<String> as opt_string("appVersion"),
        /// `DESKTOP`, `TABLET`, `MOBILE`.
        pub device_family: Option<String> as opt_string("deviceFamily"),
        /// The visitor's IP address.
        pub ip_address: Option<String> as opt_string("ipAddress"),
    }
}

wire_struct! {
    /// The answer: the visitor session (to send back on the next requests of the same visit)
    /// and, when `status` is `Available`, the engagement a chat may be requested on.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct Engagement {
        /// `Available` or `NotAvailable`.
        pub status: String as string("status", default),
        /// The visit's session id (`sid`).
        pub session_id: Option<String> as opt_string("sessionId"),
        /// The visitor id.
        pub visitor_id: Option<String> as opt_string("visitorId"),
        /// The page the engagement was offered on.
        pub page_id: Option<String> as opt_string("pageId"),
        /// The engagement, when available.
        pub details: Option<EngagementDetails> as opt_struct("engagementDetails"),
    }
}

impl Engagement {
    /// Whether an engagement is offered (`status` `Available`, any case).
    pub fn is_available(&self) -> bool {
        self.status.eq_ignore_ascii_case("Available")
    }
}

impl Resource for Engagement {
    const ROOT: &'static str = UNROOTED;
    const NAME: &'static str = "engagement";
}

wire_struct! {
    /// `engagementDetails` of an [`Engagement`]. Ids are kept as text (documented as numbers
    /// and as strings).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[non_exhaustive]
    pub struct EngagementDetails {
        /// The campaign.
        pub campaign_id: Option<String> as opt_string("campaignId"),
        /// The engagement.
        pub engagement_id: Option<String> as opt_string("engagementId"),
        /// The context, the chat request's `LETagContextId`.
        pub context_id: Option<String> as opt_string("contextId"),
        /// The window.
        pub window_id: Option<String> as opt_string("windowId"),
        /// The language (`en-US`).
        pub language: Option<String> as opt_string("language"),
        /// Seconds the engagement stays valid.
        pub valid_for_seconds: Option<i64> as opt_int("validForSeconds"),
        /// The engagement's skill id.
        pub skill_id: Option<String> as opt_string("skillId"),
        /// The engagement's skill name.
        pub skill_name: Option<String> as opt_string("skillName"),
    }
}

impl ChatRequest {
    /// Carries an engagement's ids (visitor, session, context, engagement, campaign) as
    /// the `LETag…` fields the chat request documents, and its skill when none is set.
    pub fn with_engagement(mut self, engagement: &Engagement) -> Self {
        self.le_tag_visitor_id = engagement.visitor_id.clone();
        self.le_tag_session_id = engagement.session_id.clone();
        if let Some(d) = &engagement.details {
            self.le_tag_context_id = d.context_id.clone();
            self.engagement_id = d.engagement_id.clone();
            self.campaign_id = d.campaign_id.clone();
            if self.skill.is_none() && self.skill_id.is_none() {
                self.skill = d.skill_name.clone();
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{decode, encode};
    use crate::Format;

    #[test]
    fn reads_the_documented_answers_and_fills_the_chat_request() {
        let body = br#"{"status":"Available","sessionId":"abc","visitorId":"xyz","pageId":"4743822558",
            "engagementDetails":{"campaignId":"3346848610","engagementId":3562981110,"contextId":"1",
            "windowId":"3346847910","language":"en-US","engagementRevision":44,"validForSeconds":900,
            "skillId":23,"skillName":"TestSkill"}}"#;
        let e: Engagement = decode(Format::Json, body, &Default::default()).unwrap();
        assert!(e.is_available());
        let d = e.details.clone().unwrap();
        assert_eq!(d.engagement_id.as_deref(), Some("3562981110"));
        assert_eq!(d.skill_id.as_deref(), Some("23"));
        assert_eq!(d.valid_for_seconds, Some(900));
        let r = ChatRequest::default().with_engagement(&e);
        assert_eq!(r.le_tag_visitor_id.as_deref(), Some("xyz"));
        assert_eq!(r.le_tag_session_id.as_deref(), Some("abc"));
        assert_eq!(r.le_tag_context_id.as_deref(), Some("1"));
        assert_eq!(r.campaign_id.as_deref(), Some("3346848610"));
        assert_eq!(r.skill.as_deref(), Some("TestSkill"));

        let none: Engagement = decode(
            Format::Json,
            br#"{"status":"NotAvailable","sessionId":"abc","visitorId":"xyz","pageId":"1"}"#,
            &Default::default(),
        )
        .unwrap();
        assert!(!none.is_available() && none.details.is_none());
    }

    #[test]
    fn writes_the_request() {
        let r = EngagementRequest::external().sections(["Sales"]);
        let json = encode(Format::Json, &r).unwrap();
        assert_eq!(
            std::str::from_utf8(&json).unwrap(),
            r#"{"appType":"EXTERNAL","consumerSections":["Sales"]}"#
        );
    }
}
