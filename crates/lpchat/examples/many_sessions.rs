//! Many agent sessions in one process, against an embedded emulator: memory per idle session
//! and CPU per delivered event.
//!
//! `cargo run --release -p lpchat --example many_sessions -- --sessions 1000`
//!
//! It starts the emulator, opens `--sessions` agent sessions (agents `agent1`..`agent3` in
//! turn; a LivePerson agent may hold several sessions), waits until every one has started and
//! polls, then reads the process's resident memory: (after - before) / sessions is the memory
//! per idle session. The emulator runs in the same process, so its own per-session state is
//! included: the figure is an upper bound for the client. Then scripted visitors chat with
//! three auto-accepting sessions while the rest stay idle, and the process CPU time spent per
//! delivered chat event is printed (emulator included again). Linux only (`/proc/self`).
//!
//! `--external URL` uses an emulator already running elsewhere (`lpchat-emulator --port N`,
//! URL `http://127.0.0.1:N`): the memory figure is then the client's alone, and the visitors
//! phase is skipped.
//!
//! The resident memory counts what the allocator keeps, not only what is allocated: the
//! buffers of a burst of requests at start are freed but mostly stay resident. To see the
//! live heap of the idle sessions and where it was allocated, run the example under a heap
//! profiler with `--exit-when-idle` (it exits right after the idle reading, so what is still
//! allocated then is the idle state): `heaptrack target/release/examples/many_sessions
//! --sessions 1000 --external URL --exit-when-idle`, then `heaptrack_print --print-leaks 1`.
//!
//! `--max-in-flight N` (0: no limit) and `--pool-max-idle N` set the transport's
//! [`TransportConfig::max_in_flight`] and [`TransportConfig::pool_max_idle_per_host`], to
//! compare with the defaults.

use std::time::{Duration, Instant};

use lpchat::{Client, Credentials, MachineEvent, TransportConfig, UserPassword};
use lpchat_emulator::{Emulator, EmulatorConfig, Scenario};

/// Resident memory of this process in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Open TCP connections of this process (its sockets: the emulator's too when in-process).
fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter_map(|fd| std::fs::read_link(fd.path()).ok())
                .filter(|target| target.to_string_lossy().starts_with("socket:"))
                .count()
        })
        .unwrap_or(0)
}

/// User + system CPU time of this process (clock ticks of 1/100 s, Linux's USER_HZ).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the parenthesised command name come field 3 (state) onwards: utime is field 14
    // and stime field 15, so the 12th and 13th entries here.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let field = |n: usize| -> u64 {
        rest.split_whitespace()
            .nth(n)
            .and_then(|f| f.parse().ok())
            .unwrap_or(0)
    };
    let ticks = field(11) + field(12);
    Duration::from_millis(ticks * 10)
}

fn arg(name: &str, default: usize) -> usize {
    arg_opt(name).unwrap_or(default)
}

fn arg_opt(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions = arg("--sessions", 1000);
    let visitors = arg("--visitors", 30);
    let args: Vec<String> = std::env::args().collect();
    let external = args
        .iter()
        .position(|a| a == "--external")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let emu = match &external {
        Some(_) => None,
        None => Some(
            Emulator::start(EmulatorConfig {
                ring_timeout_s: 600.0,
                ..Default::default()
            })
            .await?,
        ),
    };
    let (account, origin) = match (&emu, &external) {
        (Some(emu), _) => (emu.account().to_owned(), emu.base_url()),
        (None, Some(url)) => ("12345678".to_owned(), url.clone()),
        (None, None) => return Err("no emulator".into()),
    };
    let mut transport = TransportConfig::default();
    if let Some(n) = arg_opt("--max-in-flight") {
        transport.max_in_flight = (n > 0).then_some(n);
    }
    if let Some(n) = arg_opt("--pool-max-idle") {
        transport.pool_max_idle_per_host = n;
    }
    let client = Client::builder(account)
        .domain_origin(origin)
        .transport(transport)
        .build()?;

    let before = rss_kib();
    let started_at = Instant::now();
    let mut handles = Vec::with_capacity(sessions);
    let mut streams = Vec::with_capacity(sessions);
    for i in 0..sessions {
        let agent = format!("agent{}", i % 3 + 1);
        let config = client
            .agent_config(Credentials::User(UserPassword::new(agent, "password")))
            .await?
            .with_auto_accept(i < 3);
        let session = client.start_agent(config);
        streams.push(session.events().ok_or("events taken")?);
        handles.push(session);
    }
    // Every session must have started its agent session before memory is read.
    let mut workers = Vec::new();
    for (i, mut events) in streams.into_iter().enumerate() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        workers.push((
            rx,
            tokio::spawn(async move {
                let mut tx = Some(tx);
                let mut delivered = 0u64;
                while let Some(event) = events.next().await {
                    match event {
                        MachineEvent::AgentSessionStarted { .. } => {
                            if let Some(tx) = tx.take() {
                                let _ = tx.send(());
                            }
                        }
                        MachineEvent::ChatEvent { .. } => delivered += 1,
                        MachineEvent::SessionLost(reason) => {
                            eprintln!("session {i} lost: {reason:?}");
                            break;
                        }
                        MachineEvent::Closed => break,
                        _ => {}
                    }
                }
                delivered
            }),
        ));
    }
    let mut tasks = Vec::new();
    for (rx, task) in workers {
        rx.await.map_err(|_| "a session ended before it started")?;
        tasks.push(task);
    }
    let start_time = started_at.elapsed();
    // A few poll rounds, so every session's buffers have reached their steady size.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let idle = rss_kib();
    let idle_sockets = open_sockets();
    if args.iter().any(|a| a == "--exit-when-idle") {
        println!(
            "memory: {before} KiB before, {idle} KiB with all sessions idle, {idle_sockets} sockets open; exiting"
        );
        std::process::exit(0);
    }
    let cpu_idle_start = cpu_time();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let cpu_idle = cpu_time().saturating_sub(cpu_idle_start);

    let cpu_start = cpu_time();
    let busy_start = Instant::now();
    if let Some(emu) = &emu {
        // Visitors say their lines without waiting for answers: the bots only accept and read.
        let group = emu.run_visitors(Scenario {
            visitors,
            wait_for_answer: false,
            ..Default::default()
        });
        group.wait().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let cpu_busy = cpu_time().saturating_sub(cpu_start);
    // What the busy phase cost beyond the idle polling measured before it.
    let idle_share = cpu_idle.as_secs_f64() / 10.0 * busy_start.elapsed().as_secs_f64();
    let cpu_net = (cpu_busy.as_secs_f64() - idle_share).max(0.0);
    for h in &handles {
        let _ = h.close().await;
    }
    drop(handles);
    let mut delivered = 0;
    for task in tasks {
        delivered += task.await.unwrap_or(0);
    }
    if let Some(emu) = emu {
        emu.shutdown().await;
    }
    let included = if external.is_some() {
        "client only"
    } else {
        "emulator included"
    };

    let per_session = (idle.saturating_sub(before)) as f64 / sessions as f64;
    println!(
        "sessions: {sessions} started in {:.1} s",
        start_time.as_secs_f64()
    );
    println!("memory: {before} KiB before, {idle} KiB with all sessions idle: {per_session:.1} KiB per idle session ({included}); {idle_sockets} sockets open");
    println!(
        "idle CPU: {:.2} s over 10 s for {sessions} sessions ({:.1} µs per session-second, {included})",
        cpu_idle.as_secs_f64(),
        cpu_idle.as_secs_f64() * 1e6 / (sessions as f64 * 10.0)
    );
    println!(
        "events: {delivered} delivered to the bots during {visitors} chats; CPU {:.2} s, {:.2} s above idle polling: {:.0} µs per delivered event ({included})",
        cpu_busy.as_secs_f64(),
        cpu_net,
        if delivered > 0 { cpu_net * 1e6 / delivered as f64 } else { 0.0 }
    );
    Ok(())
}
