//! End-to-end, session events through the stream and the handlers: a refresh renews the
//! login (`SessionRenewed`), a bearer that cannot be renewed loses the session
//! (`SessionLost`), and a one-off call on a lost session says so; in JSON and XML.

use crate::common::{self, both_formats, wait_for};
use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lpchat::{Credentials, Error, ExistingBearer, MachineEvent, SessionLostReason};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_renews_the_session() {
    both_formats(|format| async move {
        let (emu, client) = common::setup(71, format).await;
        let renewed = Arc::new(AtomicUsize::new(0));
        let (session, mut events) = common::agent(&client, support::agent1(), |mut c| {
            c.login.refresh_max = Duration::from_secs(1);
            c
        })
        .await;
        let counted = renewed.clone();
        session.handlers().on_session(move |e| {
            if matches!(e, MachineEvent::SessionRenewed) {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
        wait_for(&mut events, |e| matches!(e, MachineEvent::SessionRenewed)).await;
        assert!(
            renewed.load(Ordering::SeqCst) >= 1,
            "the handler saw it too"
        );
        session.agent_info().await.unwrap();
        session.close().await.unwrap();
        emu.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrenewable_bearer_refused_loses_the_session() {
    both_formats(|format| async move {
        let (emu, client) = common::setup(72, format).await;
        let config = client
            .agent_config(Credentials::Bearer(ExistingBearer::new("not-a-bearer")))
            .await
            .unwrap();
        let session = client.start_agent(config);
        let mut events = session.events().unwrap();
        let lost = loop {
            match tokio::time::timeout(Duration::from_secs(20), events.next()).await {
                Ok(Some(MachineEvent::SessionLost(reason))) => break reason,
                Ok(Some(_)) => {}
                other => panic!("no SessionLost: {other:?}"),
            }
        };
        assert_eq!(lost, SessionLostReason::Unauthorized);
        let call = session.agent_info().await;
        assert!(
            matches!(call, Err(Error::Lost(_) | Error::Closed)),
            "{call:?}"
        );
        emu.shutdown().await;
    })
    .await;
}
