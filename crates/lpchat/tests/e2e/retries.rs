//! One-off calls (operations the machines run no loop for) follow the machines' policy: a
//! 401 waits for one re-login and goes again; 5xx, 429 with `Retry-After` and dropped
//! connections are retried when the request may be repeated; a state-changing request
//! whose outcome is unknown is not sent again.

use crate::common::{self, both_formats};
use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use lpchat::proto::model::AgentId;
use lpchat::{Error, Format, MachineEvent};
use lpchat_emulator::{FaultKind, FaultRule};

fn status(status: u16, retry_after: Option<u64>) -> FaultKind {
    FaultKind::Status {
        status,
        retry_after,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_off_call_succeeds_after_the_bearer_expired_with_one_relogin() {
    both_formats(|format| async move {
        let (emu, client) = common::setup(31, format).await;
        let logins = Arc::new(AtomicUsize::new(0));
        let (session, _events) = common::agent(&client, support::agent1(), |c| c).await;
        let counted = logins.clone();
        session.handlers().on_session(move |e| {
            if matches!(e, MachineEvent::LoggedIn) {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        emu.expire_logins();
        // The next request with the old bearer gets 401; the call waits for the re-login
        // (whoever got the 401 first) and goes again with the new bearer.
        let info = session.agent_info().await.unwrap();
        assert_eq!(info.login_name.as_deref(), Some("agent1"));
        let agents = session.available_agents().await.unwrap();
        assert_eq!(agents.agents.len(), 4);
        assert_eq!(logins.load(Ordering::SeqCst), 1, "exactly one re-login");
        // A 401 to the one-off request itself (the bearer is fine for the others): it starts
        // the re-login and goes again once.
        emu.add_fault(FaultRule::new("*/chat/availableSlots", status(401, None)).times(1))
            .unwrap();
        session.available_slots(None).await.unwrap();
        assert!(emu.faults().is_empty());
        assert_eq!(logins.load(Ordering::SeqCst), 2, "one more re-login");
        session.close().await.unwrap();
        emu.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_off_call_is_retried_after_503_429_and_a_dropped_connection() {
    both_formats(|format| async move {
        let (emu, client) = common::setup(32, format).await;
        let (session, _events) = common::agent(&client, support::agent1(), |c| c).await;
        // One fault at a time (rules matching one request all fire on it).
        let agents = "*/agentSession/*/availableAgents";
        for fault in [status(503, None), status(429, Some(1)), FaultKind::Drop] {
            emu.add_fault(FaultRule::new(agents, fault.clone()).times(1))
                .unwrap();
            let all = session.available_agents().await.unwrap();
            assert!(all.agents.iter().any(|a| a.id == AgentId::from("101")));
            assert!(emu.faults().is_empty(), "{fault:?} fired");
        }

        // A 4xx is not retried: of two 404s waiting, one is sent.
        emu.add_fault(FaultRule::new(agents, status(404, None)).times(2))
            .unwrap();
        let missing = session.available_agents().await;
        assert!(matches!(missing, Err(Error::Api(_))), "{missing:?}");
        let left = emu.faults();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].fired, 1, "sent once: {left:?}");
        emu.clear_faults();
        session.close().await.unwrap();
        emu.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitor_calls_retry_reads_and_never_resend_a_transcript_request_blindly() {
    let (emu, client) = common::setup(33, Format::Json).await;
    let visitor = common::visitor(&client).await;
    emu.add_fault(FaultRule::new("*/chat/availability", status(503, Some(1))).times(2))
        .unwrap();
    assert!(visitor.availability(Some("Sales")).await.is_ok());
    assert!(emu.faults().is_empty());

    let (chat, _events) = common::visitor_chat(&visitor, "Sales").await;
    // A 500 after the request left: the e-mail may have gone; it is not sent again.
    emu.add_fault(FaultRule::new("*/transcriptRequest", status(500, None)).times(1))
        .unwrap();
    let unknown = chat.request_transcript("me@example.com").await;
    assert!(
        matches!(
            unknown,
            Err(Error::OutcomeUnknown {
                endpoint: "V18",
                ..
            })
        ),
        "{unknown:?}"
    );
    // Refused for its rate: certainly not handled, so it goes again.
    emu.add_fault(FaultRule::new("*/transcriptRequest", status(429, Some(1))).times(1))
        .unwrap();
    chat.request_transcript("me@example.com").await.unwrap();
    // An app key cannot log in again: a 401 is the answer.
    let wrong = client
        .visitor("0000000000000000000000000000dead")
        .await
        .unwrap();
    assert!(matches!(wrong.wait_time().await, Err(Error::Api(_))));
    chat.close().await.unwrap();
    emu.shutdown().await;
}
