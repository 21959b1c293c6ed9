//! The [`Emulator`] handle: start, inspect, steer, stop.

use crate::app::{lock, App};
use crate::config::EmulatorConfig;
use crate::faults::FaultRule;
use crate::quirks::Quirks;
use crate::simulator::{self, Scenario, VisitorGroup, VisitorRecord};
use crate::tls::{self, TlsCert, TlsListener};
use crate::transcript::{self, Transcript};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running emulator. Dropping it stops the server and its timers.
#[derive(Debug)]
pub struct Emulator {
    app: Arc<App>,
    addr: SocketAddr,
    server: JoinHandle<()>,
    ticker: JoinHandle<()>,
    stop: Option<oneshot::Sender<()>>,
    tls: Option<TlsCert>,
}

impl Emulator {
    /// Binds, starts serving and starts the timers. Must run inside a tokio runtime.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        config.world.validate().map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(SocketAddr::new(config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App::new(&config, addr.to_string()));
        let router = crate::http::router(Arc::clone(&app));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let stopped = async {
            let _ = stop_rx.await;
        };
        let (server, tls) = if config.tls {
            let (cert, acceptor) = tls::setup(addr)?;
            let listener = TlsListener::new(listener, acceptor)?;
            let server = tokio::spawn(async move {
                let serve = axum::serve(listener, router).with_graceful_shutdown(stopped);
                if let Err(e) = serve.await {
                    eprintln!("lpchat-emulator: server stopped: {e}");
                }
            });
            (server, Some(cert))
        } else {
            let server = tokio::spawn(async move {
                let serve = axum::serve(listener, router).with_graceful_shutdown(stopped);
                if let Err(e) = serve.await {
                    eprintln!("lpchat-emulator: server stopped: {e}");
                }
            });
            (server, None)
        };
        let ticker = tokio::spawn(tick_loop(Arc::clone(&app)));
        Ok(Emulator {
            app,
            addr,
            server,
            ticker,
            stop: Some(stop_tx),
            tls,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The self-signed certificate's PEM when serving TLS ([`EmulatorConfig::tls`]): the one
    /// root a client must trust.
    pub fn cert_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.pem.as_str())
    }

    /// Where that PEM was written (printed in the banner); removed when the emulator stops.
    pub fn cert_path(&self) -> Option<&std::path::Path> {
        self.tls.as_ref().map(|t| t.path.as_path())
    }

    /// `http://127.0.0.1:port` (`https://` under TLS).
    pub fn base_url(&self) -> String {
        self.app.base.clone()
    }

    /// The account id.
    pub fn account(&self) -> String {
        self.app.state().world.account.clone()
    }

    /// `http://127.0.0.1:port/api/account/{account}`.
    pub fn account_url(&self) -> String {
        self.app.account_base(&self.account())
    }

    /// The quirks in force.
    pub fn quirks(&self) -> Quirks {
        (*self.app.quirks()).clone()
    }

    /// Replaces the quirks.
    pub fn set_quirks(&self, quirks: Quirks) {
        self.app.set_quirks(quirks);
    }

    /// Changes the quirks in place.
    pub fn update_quirks(&self, f: impl FnOnce(&mut Quirks)) {
        let mut q = self.quirks();
        f(&mut q);
        self.app.set_quirks(q);
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> Result<u64, String> {
        lock(&self.app.faults).add(rule)
    }

    /// Removes one fault rule.
    pub fn remove_fault(&self, id: u64) -> bool {
        lock(&self.app.faults).remove(id)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.app.faults).clear();
    }

    /// The fault rules in force (with their firing counts).
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.app.faults).list()
    }

    /// The transcript of one chat.
    pub fn transcript(&self, chat_id: &str) -> Option<Transcript> {
        let visitors = lock(&self.app.visitors).clone();
        transcript::of(&self.app.state(), &visitors, chat_id, self.app.tz)
    }

    /// Transcripts of all chats in creation order.
    pub fn transcripts(&self) -> Vec<Transcript> {
        let visitors = lock(&self.app.visitors).clone();
        transcript::all(&self.app.state(), &visitors, self.app.tz)
    }

    /// The state snapshot served at `/_emulator/state`.
    pub fn state(&self) -> serde_json::Value {
        crate::http::control::snapshot(&self.app)
    }

    /// Starts scripted visitors.
    pub fn run_visitors(&self, scenario: Scenario) -> VisitorGroup {
        simulator::start(&self.app, scenario)
    }

    /// Records of every scripted visitor so far.
    pub fn visitor_records(&self) -> Vec<VisitorRecord> {
        lock(&self.app.visitors).clone()
    }

    /// Expires every live login now, as if `sessionTTl` had passed without a refresh: its
    /// bearer is refused (401) from the next request on, and a new login is needed.
    pub fn expire_logins(&self) {
        let now = self.app.now();
        let mut state = self.app.state();
        let ttl = i64::try_from(state.world.session_ttl_ms).unwrap_or(i64::MAX);
        for login in state.logins.values_mut() {
            login.refreshed_ms = now.saturating_sub(ttl).saturating_sub(1);
        }
    }

    /// Emulated now, ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.app.now()
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.app.seed
    }

    /// How many times faster than real time the emulated clock runs.
    pub fn time_factor(&self) -> f64 {
        self.app.clock.factor()
    }

    /// What a served emulator prints at start (the `lpchat-emulator` binary and
    /// `lpchat emulator`): its address first, then the account base, seed and time factor,
    /// the world (no passwords) and the control URL, one item a line.
    pub fn banner(&self) -> String {
        let summary = self.app.state().world.summary();
        let cert = match self.cert_path() {
            Some(p) => format!("TLS certificate (PEM) {}\n", p.display()),
            None => String::new(),
        };
        format!(
            "lpchat-emulator listening on {base}\n{cert}account base {account}\nseed {seed}, time factor {factor}\n{summary}control API {base}/_emulator/state\n",
            base = self.base_url(),
            account = self.account_url(),
            seed = self.seed(),
            factor = self.time_factor(),
        )
    }

    /// Serves until Ctrl-C: starts, calls `started` (which prints the banner, or another
    /// form of it), runs `scenario`'s visitors, and shuts down on the signal.
    pub async fn serve_until_ctrl_c(
        config: EmulatorConfig,
        scenario: Option<Scenario>,
        started: impl FnOnce(&Emulator),
    ) -> std::io::Result<()> {
        let emu = Emulator::start(config).await?;
        // Listen before anything is printed: a Ctrl-C right after the banner must stop the
        // server gracefully, not kill the process before a handler exists.
        let mut signal = Box::pin(tokio::signal::ctrl_c());
        let early = tokio::select! {
            biased;
            r = &mut signal => Some(r),
            () = std::future::ready(()) => None,
        };
        started(&emu);
        let group = scenario.map(|s| emu.run_visitors(s));
        let signal = match early {
            Some(r) => r,
            None => signal.await,
        };
        if let Some(g) = group {
            g.abort();
        }
        emu.shutdown().await;
        signal
    }

    /// Stops serving: open connections are closed after at most one second.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.ticker.abort();
        let server = &mut self.server;
        if tokio::time::timeout(Duration::from_secs(1), server)
            .await
            .is_err()
        {
            self.server.abort();
        }
        if let Some(cert) = self.tls.take() {
            tls::remove(&cert);
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.ticker.abort();
        self.server.abort();
        if let Some(cert) = self.tls.take() {
            tls::remove(&cert);
        }
    }
}

/// Runs the timers often enough that a 20 s ring at the configured factor is late by at
/// most a few percent, and at least every 100 ms of real time.
async fn tick_loop(app: Arc<App>) {
    let real_ms = (1000.0 / app.clock.factor()).clamp(2.0, 100.0);
    let mut interval = tokio::time::interval(Duration::from_secs_f64(real_ms / 1000.0));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let now = app.now();
        app.state().tick(now);
    }
}
