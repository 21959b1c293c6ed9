//! `lpchat demo`: the whole toolkit in one command, with no LivePerson account. An embedded
//! emulator on a random loopback port, scripted visitors on the Sales skill, and a bot on
//! `lpchat` that takes their chats, answers each line, transfers one chat to Billing (where
//! a second session, agent3, takes and finishes it) and ends them; then a summary, and a
//! check of the visitors' transcripts against the bot's log.

mod bot;
mod progress;
mod summary;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lpchat::proto::retry::{OuterLoop, RetryPolicy};
use lpchat::{AgentSession, Client, Credentials, UserPassword};
use lpchat_emulator::{Emulator, EmulatorConfig, Scenario, World};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::CliError;
use bot::{Plan, Sabotage, SharedLog};
use progress::{Counts, Progress};
use summary::{Inputs, Summary};

/// Arguments of `lpchat demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many scripted visitors (one chat each).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub visitors: u16,
    /// Inject the fault mix: 5xx, 429 with Retry-After, dropped connections, truncated
    /// bodies, repeated events and an expiring bearer.
    #[arg(long)]
    pub chaos: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Seed of the emulator's ids, the visitors' pauses, the faults and the client's jitter.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// How many times faster than real time the emulator's clock runs (the visitors'
    /// pauses, timeouts, the bearer's lifetime); the client's 2 s polls stay real.
    #[arg(long, default_value_t = 10.0, value_parser = time_factor)]
    pub time_factor: f64,
    /// Testing only: make the bot lose or double one line, to see the check fail.
    #[arg(long, value_enum, hide = true)]
    pub sabotage: Option<Sabotage>,
}

fn time_factor(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (1.0..=50.0).contains(&f) => Ok(f),
        _ => Err("a number from 1 to 50".to_owned()),
    }
}

/// What the visitors say; the bot ends a chat after answering the last line.
const SCRIPT: [&str; 3] = ["Hello", "Where is my order?", FAREWELL];
const FAREWELL: &str = "Thanks, bye";
/// The skill the visitors ask for.
const SKILL: &str = "Sales";
/// The skill one chat is transferred to.
const TRANSFER_SKILL: &str = "Billing";
/// The bot (API key, unlimited chats) and the agent of the transfer skill only.
const BOT: &str = "bot";
const SECOND: &str = "agent3";

/// Runs the demo on its own runtime; prints the summary on stdout.
pub fn run(args: &DemoArgs) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start the runtime: {e}")))?;
    let summary = runtime.block_on(demo(args))?;
    let out = if args.json {
        format!("{}\n", summary.json())
    } else {
        summary.text()
    };
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(CliError::io)?;
    }
    let problems = summary.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::check_failed(format!(
            "demo check failed: {}",
            problems.join(", ")
        )))
    }
}

async fn demo(args: &DemoArgs) -> Result<Summary, CliError> {
    let started = Instant::now();
    let visitors = usize::from(args.visitors);
    let mut world = World::default();
    if args.chaos {
        // 60 emulated seconds: the bearer expires long before the client's refresh
        // (half the TTL, in real time), so the session gets a 401 and logs in again.
        world.session_ttl_ms = 60_000;
    }
    let bot_credentials = api_key_of(&world, BOT)?;
    let second_credentials = password_of(&world, SECOND)?;
    let transfer_skill = skill_id(&world, TRANSFER_SKILL)?;
    let emu = Emulator::start(EmulatorConfig {
        seed: args.seed,
        time_factor: args.time_factor,
        world,
        // Auto-accept takes a burst of chats one after another: none may time out ringing.
        ring_timeout_s: 600.0,
        ..EmulatorConfig::default()
    })
    .await
    .map_err(|e| failed(format!("cannot start the emulator: {e}")))?;
    if args.chaos {
        for rule in lpchat_emulator::faults::default_mix() {
            emu.add_fault(rule).map_err(failed)?;
        }
    }
    let client = Client::builder(emu.account())
        .domain_origin(emu.base_url())
        .retry(scaled_retry(args.time_factor))
        .seed(args.seed)
        .build()
        .map_err(|e| failed(format!("cannot build the client: {e}")))?;

    let log = SharedLog::new(2);
    let plan = Arc::new(Plan {
        farewell: FAREWELL.to_owned(),
        transfer_to: Some(transfer_skill),
        sabotage: args.sabotage,
    });
    let (stop, stopped) = watch::channel(false);
    let mut sessions = Vec::new();
    let mut bots = Vec::new();
    for (index, credentials) in [bot_credentials, second_credentials]
        .into_iter()
        .enumerate()
    {
        let session = start_session(&client, credentials).await?;
        let serve = bot::serve(
            session.clone(),
            index,
            plan.clone(),
            log.clone(),
            stopped.clone(),
        );
        bots.push(tokio::spawn(serve));
        sessions.push(session);
    }

    let progress = Progress::new(visitors);
    // Both agent sessions must have started before the visitors come (the transfer needs the
    // second); each sets itself Online as it starts.
    wait_for(&bots, Duration::from_secs(30), || log.lock().ready >= 2)
        .await
        .map_err(|e| failed(format!("the bot's sessions did not start: {e}")))?;
    let group = emu.run_visitors(scenario(visitors, args.seed));
    let deadline = Duration::from_secs(60) + Duration::from_millis(400) * u32::from(args.visitors);
    let finished = {
        let (emu, progress, log) = (&emu, &progress, &log);
        let tick = Instant::now();
        wait_for(&bots, deadline, move || {
            progress.draw(Counts::of_state(&emu.state()), tick.elapsed());
            log.lock().ended.len() >= visitors
        })
        .await
    };
    progress.clear();
    let _ = stop.send(true);
    for b in bots {
        if let Ok(Err(e)) = b.await {
            return Err(failed(e));
        }
    }
    finished.map_err(|e| {
        let ended = log.lock().ended.len();
        CliError::check_failed(format!(
            "demo check failed: {ended} of {visitors} chats ended ({e})"
        ))
    })?;
    // The visitors are done once their chats ended; a straggler stops with the emulator.
    let _ = tokio::time::timeout(Duration::from_secs(5), group.wait()).await;
    let (requests, retried) = sessions.iter().fold((0, 0), |(r, f), s| {
        let st = s.stats();
        (r + st.requests, f + st.retried)
    });
    close(&sessions).await;
    let transcripts = emu.transcripts();
    let faults = emu.faults();
    emu.shutdown().await;
    let log = log.lock();
    Ok(Summary::new(&Inputs {
        transcripts: &transcripts,
        log: &log,
        faults: &faults,
        requests,
        retried,
        visitors,
        time_factor: args.time_factor,
        seed: args.seed,
        chaos: args.chaos,
        elapsed: started.elapsed(),
    }))
}

/// An auto-accepting agent session.
async fn start_session(
    client: &Client,
    credentials: Credentials,
) -> Result<AgentSession, CliError> {
    let config = client
        .agent_config(credentials)
        .await
        .map_err(|e| failed(format!("cannot configure the bot: {e}")))?
        .with_auto_accept(true);
    Ok(client.start_agent(config))
}

/// The visitors' script: durations are emulated ms, so at the default factor 10 a visitor
/// comes every 0.25 s and says a line a second (after the answer to the previous one).
fn scenario(visitors: usize, seed: u64) -> Scenario {
    Scenario {
        visitors,
        skill: Some(SKILL.to_owned()),
        lines: SCRIPT.iter().map(|&l| l.to_owned()).collect(),
        pace_ms: 10_000,
        start_interval_ms: 2_500,
        jitter: 0.3,
        wait_for_answer: true,
        answer_timeout_ms: 600_000,
        // The bot ends the chats.
        end: false,
        seed: Some(seed),
        ..Scenario::default()
    }
}

/// Checks `done` ten times a second until it holds; fails when a bot task stopped first or
/// when `limit` passed.
async fn wait_for(
    bots: &[JoinHandle<Result<(), String>>],
    limit: Duration,
    mut done: impl FnMut() -> bool,
) -> Result<(), String> {
    let until = Instant::now() + limit;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        if done() {
            return Ok(());
        }
        if bots.iter().any(JoinHandle::is_finished) {
            return Err("a bot session stopped".to_owned());
        }
        if Instant::now() > until {
            return Err(format!("not done within {} s", limit.as_secs()));
        }
    }
}

/// Ends the sessions and logs out, a few seconds at most.
async fn close(sessions: &[AgentSession]) {
    for s in sessions {
        let _ = tokio::time::timeout(Duration::from_secs(5), s.close()).await;
    }
}

/// LivePerson's retry schedule (5, 10, 15 s, then every 2 minutes) shortened by the time
/// factor, like every other duration of the run.
fn scaled_retry(factor: f64) -> RetryPolicy {
    let scaled = |secs: f64| Duration::from_secs_f64(secs / factor);
    RetryPolicy::default()
        .with_schedule(vec![scaled(5.0), scaled(10.0), scaled(15.0)])
        .with_outer(OuterLoop::Fixed(scaled(120.0)))
}

/// A failure of the demo itself (not of its check): exit 1.
fn failed(message: String) -> CliError {
    CliError::input(message)
}

fn skill_id(world: &World, name: &str) -> Result<String, CliError> {
    world
        .skills
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.id.to_string())
        .ok_or_else(|| failed(format!("the emulator's world has no skill {name}")))
}

fn api_key_of(world: &World, login: &str) -> Result<Credentials, CliError> {
    let key = world
        .agents
        .iter()
        .find(|a| a.login_name == login)
        .and_then(|a| a.api_key.as_ref())
        .ok_or_else(|| failed(format!("the emulator's world has no API-key agent {login}")))?;
    Ok(Credentials::ApiKey {
        username: login.to_owned(),
        key: lpchat::ApiKey::new(
            key.app_key.as_str(),
            key.secret.expose(),
            key.access_token.as_str(),
            key.access_token_secret.expose(),
        ),
    })
}

fn password_of(world: &World, login: &str) -> Result<Credentials, CliError> {
    let password = world
        .agents
        .iter()
        .find(|a| a.login_name == login)
        .and_then(|a| a.password.as_ref())
        .ok_or_else(|| failed(format!("the emulator's world has no agent {login}")))?;
    Ok(Credentials::User(UserPassword::new(
        login,
        password.expose(),
    )))
}
