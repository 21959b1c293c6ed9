//! The built `lpchat` binary against an emulator started here: every command, the `--json`
//! shapes, every exit code, the session model (one-shot commands leave the chats of a
//! running `take` alone), and no secret in any output.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use lpchat_emulator::{Emulator, EmulatorConfig, FaultKind, FaultRule, Scenario};
use serde_json::Value;

const PASSWORD: &str = "pw-Cli-7731-unique";

/// An emulator on its own runtime; the test thread runs the binary.
struct Emu {
    emu: Emulator,
    _rt: tokio::runtime::Runtime,
}

fn emulator() -> Emu {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut config = EmulatorConfig {
        time_factor: 10.0,
        // No forced Away while a test's chat rings for a session that does not accept.
        ring_timeout_s: 3600.0,
        ..EmulatorConfig::default()
    };
    for agent in &mut config.world.agents {
        if agent.password.is_some() {
            agent.password = Some(PASSWORD.into());
        }
    }
    let emu = rt.block_on(Emulator::start(config)).unwrap();
    Emu { emu, _rt: rt }
}

impl Emu {
    fn visitors(&self, n: usize) {
        let _runtime = self._rt.enter();
        self.emu.run_visitors(Scenario {
            visitors: n,
            skill: Some("Sales".into()),
            lines: vec!["Hello".into(), "Where is my order?".into(), "Thanks".into()],
            pace_ms: 1000,
            // The visitor polls while it waits for each answer, so its chat stays open.
            wait_for_answer: true,
            answer_timeout_ms: 3_600_000,
            end: false,
            ..Scenario::default()
        });
    }

    /// `lpchat ARGS` as `user`, with a clean environment (no config file, no other
    /// credentials).
    fn lpchat(&self, user: &str, args: &[&str]) -> Command {
        let mut cmd = bare(args);
        cmd.env("LPCHAT_DOMAIN", self.emu.base_url())
            .env("LPCHAT_ACCOUNT", self.emu.account())
            .env("LPCHAT_USERNAME", user)
            .env("LPCHAT_PASSWORD", PASSWORD);
        cmd
    }

    fn run(&self, user: &str, args: &[&str]) -> Output {
        let out = self.lpchat(user, args).output().unwrap();
        assert_no_secret(&out);
        out
    }

    fn json(&self, user: &str, args: &[&str]) -> Value {
        let out = self.run(user, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert_eq!(stdout.lines().count(), 1, "one object: {stdout}");
        serde_json::from_str(&stdout).unwrap()
    }

    fn spawn(&self, user: &str, args: &[&str]) -> Stream {
        Stream::spawn(self.lpchat(user, args))
    }
}

/// The binary with no inherited LPCHAT_* settings and no config file.
fn bare(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lpchat"));
    cmd.args(args).stdin(Stdio::null());
    for (key, _) in std::env::vars() {
        if key.starts_with("LPCHAT_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    let home = std::env::temp_dir().join("lpchat-cli-tests-home");
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"));
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secret(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let s = text(stream);
        assert!(!s.contains(PASSWORD), "password in output: {s}");
        assert!(!s.contains("Bearer "), "bearer in output: {s}");
        assert!(!s.contains("Session_id"), "cookie in output: {s}");
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// A running command whose stdout is read line by line.
struct Stream {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Stream {
    fn spawn(mut cmd: Command) -> Stream {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        Stream {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// The next JSON line that `pred` accepts (a generous bound keeps a broken build from
    /// hanging the suite; nothing here measures time).
    fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no matching line; saw {:#?}", self.seen));
            self.seen.push(line.clone());
            assert!(!line.contains(PASSWORD), "password in output: {line}");
            let value: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if pred(&value) {
                return value;
            }
        }
    }

    /// Ctrl-C, then the exit code.
    fn interrupt(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status().unwrap();
        self.wait()
    }

    fn wait(&mut self) -> i32 {
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

impl Drop for Stream {
    /// A failed test leaves no command running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn is(kind: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["type"] == kind
}

#[test]
fn take_watch_say_transfer_end() {
    let emu = emulator();
    emu.visitors(1);
    let mut take = emu.spawn("agent1", &["take", "--json"]);
    take.until(is("online"));
    let accepted = take.until(is("accepted"));
    let chat = accepted["chat"].as_str().unwrap().to_owned();
    let hello = take.until(|v| v["kind"] == "line" && v["source"] == "visitor");
    assert_eq!(hello["type"], "event");
    assert_eq!(hello["chat"], chat.as_str());
    assert_eq!(hello["text"], "Hello");
    assert_eq!(hello["by"], "visitor1");
    assert!(hello["id"].as_u64().is_some() && hello["time"].is_string());

    let mut watch = emu.spawn("agent1", &["watch", "--json"]);
    assert_eq!(watch.until(is("following"))["chat"], chat.as_str());

    // One-shot commands open and close a session of their own...
    let chats = emu.json("agent1", &["chats", "--json"]);
    let listed = &chats["chats"][0];
    assert_eq!(listed["chat"], chat.as_str());
    assert_eq!(listed["state"], "chatting");
    assert_eq!(listed["visitor_name"], "visitor1");
    let said = emu.json("agent1", &["say", &chat, "Hi from say", "--json"]);
    assert_eq!(said["chat"], chat.as_str());
    let said_id = said["event_id"].as_u64().unwrap();
    for stream in [&mut take, &mut watch] {
        let line = stream.until(|v| v["text"] == "Hi from say");
        assert_eq!(line["source"], "agent");
        assert_eq!(line["id"].as_u64(), Some(said_id));
    }
    // ... and leave the chat with the agent: never requeued (system message 23).
    let transcript = emu.emu.transcript(&chat).unwrap();
    let json = serde_json::to_value(&transcript).unwrap();
    let requeued = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["systemMessageId"] == 23);
    assert!(!requeued, "the chat went back to the queue: {json}");
    assert_eq!(json["agent"], "agent1");

    // Transfer to Billing, where agent3 takes it; agent1's take and watch see it leave.
    let mut take3 = emu.spawn("agent3", &["take", "--json"]);
    take3.until(is("online"));
    let moved = emu.json(
        "agent1",
        &[
            "transfer",
            &chat,
            "--skill",
            "Billing",
            "--text",
            "over to you",
            "--json",
        ],
    );
    assert_eq!(moved["chat"], chat.as_str());
    assert_eq!(moved["transferred_to"]["skill"]["name"], "Billing");
    assert_eq!(take3.until(is("accepted"))["chat"], chat.as_str());
    let left = take.until(is("ended"));
    assert_eq!(left["reason"], "left");
    assert_eq!(take.wait(), 0, "take ends when its chat leaves");
    assert_eq!(watch.until(is("ended"))["chat"], chat.as_str());

    // agent1 can no longer write to it; agent3 ends it.
    let refused = emu.run("agent1", &["say", &chat, "still mine?"]);
    assert_eq!(code(&refused), 6, "{}", text(&refused.stderr));
    let ended = emu.json("agent3", &["end", &chat, "--json"]);
    assert_eq!(ended["ended"], true);
    let end = take3.until(is("ended"));
    assert_eq!(end["reason"], "ended");
    assert_eq!(take3.wait(), 0);
    assert_eq!(watch.interrupt(), 0, "Ctrl-C ends watch cleanly");
}

/// The availability's answer can come after the poll that shows a chat ringing (both go out
/// at the start): `take` still says "online" once, before the chat it accepts.
#[test]
fn take_says_online_before_the_chat_when_the_availability_answer_is_late() {
    let emu = emulator();
    emu.emu
        .add_fault(
            FaultRule::new(
                "*/agentSession/*/availability",
                FaultKind::SlowAnswer { ms: 1500 },
            )
            .on_method("POST")
            .times(1),
        )
        .unwrap();
    emu.visitors(1);
    // The chat waits before the agent comes Online, so it rings at the first poll.
    let waiting = std::time::Instant::now();
    while emu.emu.transcripts().is_empty() {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "no chat requested"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut take = emu.spawn("agent1", &["take", "--json"]);
    take.until(is("online"));
    let accepted = take.until(|v| v["type"] != "availability");
    assert_eq!(accepted["type"], "accepted", "{:#?}", take.seen);
    let onlines = take
        .seen
        .iter()
        .filter(|l| l.contains(r#""online""#))
        .count();
    assert_eq!(onlines, 1, "{:#?}", take.seen);
    assert_eq!(take.interrupt(), 0);
}

#[test]
fn agents_table_json_filters_and_watch() {
    let emu = emulator();
    let all = emu.json("agent1", &["agents", "--json"]);
    let agents = all["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 4);
    let me = agents.iter().find(|a| a["user_name"] == "agent1").unwrap();
    assert_eq!(me["id"], "101");
    assert_eq!(me["nickname"], "Agent1");
    assert_eq!(me["state"], "Online", "its own session is live");
    assert_eq!(me["chats"], 0);
    assert_eq!(me["max_chats"], 3);
    assert_eq!(me["skills"], serde_json::json!(["Sales", "Billing"]));
    assert!(all["time_stamp"].as_i64().is_some());

    let billing = emu.json("agent1", &["agents", "--skill", "Billing", "--json"]);
    let names: Vec<&str> = billing["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["agent1", "agent3", "bot"]);
    let offline = emu.json("agent1", &["agents", "--state", "offline", "--json"]);
    assert!(offline["agents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["state"] == "Offline"));
    assert_eq!(offline["agents"].as_array().unwrap().len(), 3);

    // Text: a table, no colour when not a terminal.
    let table = emu.run("agent1", &["agents"]);
    assert!(table.status.success());
    let table = text(&table.stdout);
    assert!(table.starts_with("ID"), "{table}");
    let agent1 = table.lines().find(|l| l.contains("Agent1")).unwrap();
    assert!(
        agent1.contains("Online") && agent1.contains("0/3"),
        "{agent1}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("Bot") && l.contains("0/∞")),
        "{table}"
    );
    assert!(
        !table.contains('\x1b'),
        "no ANSI codes off a terminal: {table:?}"
    );

    // Watching: each refresh is one object, through the `next` link (a later timeStamp).
    let mut watch = emu.spawn(
        "agent1",
        &["agents", "--watch", "--interval", "2", "--json"],
    );
    let first = watch.until(|v| v["agents"].is_array());
    let second = watch.until(|v| v["agents"].is_array());
    assert!(second["time_stamp"].as_i64() > first["time_stamp"].as_i64());
    assert_eq!(watch.interrupt(), 0);
}

#[test]
fn availability_shows_and_sets() {
    let emu = emulator();
    let shown = emu.json("agent1", &["availability", "--json"]);
    assert_eq!(shown["chat"], "Online");
    let set = emu.json("agent1", &["availability", "away", "--json"]);
    assert_eq!(set["chat"], "Away");
    let text_out = emu.run("agent1", &["availability"]);
    assert_eq!(text(&text_out.stdout).trim(), "chat Online");
    let bad = emu.run("agent1", &["availability", "sleepy"]);
    assert_eq!(code(&bad), 2);
}

#[test]
fn chats_is_empty_without_chats_and_works_in_xml() {
    let emu = emulator();
    let none = emu.json("agent1", &["chats", "--json", "--format", "xml"]);
    assert_eq!(none["chats"], serde_json::json!([]));
    let out = emu.run("agent1", &["chats"]);
    assert_eq!(text(&out.stdout).trim(), "no active chats");
}

#[test]
fn settings_from_a_config_file_and_the_environment_over_it() {
    let emu = emulator();
    let dir = std::env::temp_dir().join(format!("lpchat-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "account = \"{}\"\nusername = \"agent2\"\npassword = \"{PASSWORD}\"\ndomain = \"{}\"\n",
            emu.emu.account(),
            emu.emu.base_url()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let path = file.to_str().unwrap();
    let out = bare(&["availability", "--json", "--config", path])
        .output()
        .unwrap();
    assert_no_secret(&out);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).is_empty(),
        "no warning for a private file"
    );
    // Readable by others: a warning naming the file, never its secret.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = bare(&["availability", "--json", "--config", file.to_str().unwrap()])
            .output()
            .unwrap();
        assert_no_secret(&out);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let warning = text(&out.stderr);
        assert!(
            warning.contains("warning") && warning.contains("chmod 600"),
            "{warning}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // The environment beats the file: an unknown user is refused.
    let out = bare(&["availability", "--config", path])
        .env("LPCHAT_USERNAME", "nobody")
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    // A flag beats both.
    let out = bare(&["availability", "--json", "--config", path, "-u", "agent3"])
        .env("LPCHAT_USERNAME", "nobody")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let missing = bare(&["chats", "--config", "/nonexistent/lpchat.toml"])
        .output()
        .unwrap();
    assert_eq!(code(&missing), 1);
}

#[test]
fn api_key_login_from_the_environment() {
    let emu = emulator();
    let mut cmd = emu.lpchat("bot", &["availability", "--json"]);
    cmd.env_remove("LPCHAT_PASSWORD")
        .env("LPCHAT_APP_KEY", "emulatorbotappkey0000000000000001")
        .env("LPCHAT_APP_SECRET", "emulatorbotsecret01")
        .env("LPCHAT_ACCESS_TOKEN", "emulatorbotaccesstoken00000000001")
        .env("LPCHAT_ACCESS_TOKEN_SECRET", "emulatorbottokensecret01");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["chat"], "Online");
    for secret in [
        "emulatorbotsecret01",
        "emulatorbottokensecret01",
        "emulatorbotaccesstoken",
    ] {
        assert!(!text(&out.stdout).contains(secret) && !text(&out.stderr).contains(secret));
    }
}

#[test]
fn emulator_command_tls_prints_its_certificate() {
    let mut cmd = bare(&["emulator", "--tls", "--json"]);
    cmd.stdin(Stdio::null());
    let mut emu = Stream::spawn(cmd);
    let banner = emu.until(|v| v["base_url"].is_string());
    let base = banner["base_url"].as_str().unwrap();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let path = std::path::PathBuf::from(banner["tls_cert_path"].as_str().unwrap());
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(emu.interrupt(), 0);
    assert!(
        !path.exists(),
        "the certificate file is removed at the stop"
    );
}

#[test]
fn emulator_command_prints_its_address_and_world() {
    let mut cmd = bare(&["emulator", "--time-factor", "5", "--seed", "3", "--json"]);
    cmd.stdin(Stdio::null());
    let mut emu = Stream::spawn(cmd);
    let banner = emu.until(|v| v["base_url"].is_string());
    let base = banner["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(banner["account"], "12345678");
    assert_eq!(banner["seed"], 3);
    assert_eq!(banner["time_factor"], 5.0);
    assert_eq!(banner["control_url"], format!("{base}/_emulator/state"));
    assert!(banner["tls_cert_path"].is_null());
    // It serves: a command against it works.
    let mut agents = bare(&["agents", "--json"]);
    agents
        .env("LPCHAT_DOMAIN", base)
        .env("LPCHAT_ACCOUNT", "12345678")
        .env("LPCHAT_USERNAME", "agent2")
        .env("LPCHAT_PASSWORD", "password");
    let out = agents.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(emu.interrupt(), 0);

    // A factor that would overflow the emulated clock is refused up front.
    let absurd = bare(&["emulator", "--time-factor", "1e300"])
        .output()
        .unwrap();
    assert_eq!(code(&absurd), 2, "{}", text(&absurd.stderr));
    assert!(text(&absurd.stderr).contains("--time-factor must be from 0.001 to 10000"));

    // The text banner: the address first, then the world.
    let mut plain = bare(&["emulator"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(plain.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("lpchat-emulator listening on http://127.0.0.1:"));
    let rest: Vec<String> = lines
        .by_ref()
        .map(Result::unwrap)
        .take_while(|l| !l.starts_with("control API"))
        .collect();
    assert!(
        rest.iter().any(|l| l.starts_with("agent agent1 (id 101")),
        "{rest:?}"
    );
    assert!(!rest
        .iter()
        .any(|l| l.contains("password") && l.contains("=")));
    Command::new("kill")
        .args(["-INT", &plain.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(plain.wait().unwrap().code(), Some(0));
}

#[test]
fn exit_codes() {
    let emu = emulator();
    // 1: bad input (a body that does not decode; no password and no terminal).
    let mut decode = bare(&["decode", "login", "--format", "json"]);
    let out = decode
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"{not json")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(code(&out), 1);
    let mut no_pw = emu.lpchat("agent1", &["chats"]);
    no_pw.env_remove("LPCHAT_PASSWORD");
    let out = no_pw.output().unwrap();
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("no password"),
        "{}",
        text(&out.stderr)
    );

    // 1 too: a --domain the client will not send to (plain http beyond loopback).
    let mut insecure = emu.lpchat("agent1", &["chats"]);
    insecure.env("LPCHAT_DOMAIN", "http://example.invalid");
    let out = insecure.output().unwrap();
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("plain http"),
        "{}",
        text(&out.stderr)
    );

    // 2: usage.
    assert_eq!(code(&emu.run("agent1", &["say"])), 2);
    assert_eq!(code(&emu.run("agent1", &["transfer", "H1K1"])), 2);

    // 3: nothing listens on the Domain API's port.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut down = emu.lpchat("agent1", &["chats"]);
    down.env("LPCHAT_DOMAIN", format!("http://127.0.0.1:{closed}"));
    let out = down.output().unwrap();
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));

    // 4: wrong password, or an account the Domain API does not know.
    let mut unknown = emu.lpchat("agent1", &["chats"]);
    unknown.env("LPCHAT_ACCOUNT", "999");
    let out = unknown.output().unwrap();
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));

    let mut wrong = emu.lpchat("agent1", &["chats"]);
    wrong.env("LPCHAT_PASSWORD", "not-the-password");
    let out = wrong.output().unwrap();
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("not-the-password"));

    // 5: a bearer from an earlier login that has expired (or was revoked).
    let bearer = "expired-bearer-5521";
    let mut expired = emu.lpchat("agent1", &["chats"]);
    expired
        .env("LPCHAT_BEARER", bearer)
        .env_remove("LPCHAT_PASSWORD");
    let out = expired.output().unwrap();
    assert_eq!(code(&out), 5, "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(bearer), "{}", text(&out.stderr));

    // 6: a chat the agent does not have.
    for args in [
        &["say", "H000K000", "hi"][..],
        &["end", "H000K000"],
        &["transfer", "H000K000", "--skill", "Sales"],
    ] {
        let out = emu.run("agent1", args);
        assert_eq!(code(&out), 6, "{args:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr).lines().count(), 1, "one line");
    }

    // 7: the server refuses (a 400 on the chat sessions list).
    emu.emu
        .add_fault(FaultRule::new(
            "*/chatSessions",
            FaultKind::Status {
                status: 400,
                retry_after: None,
            },
        ))
        .unwrap();
    let out = emu.run("agent1", &["chats"]);
    assert_eq!(code(&out), 7, "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("lpchat: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
}

#[test]
fn say_resends_a_line_the_server_failed_even_when_the_agent_said_it_before() {
    let emu = emulator();
    emu.visitors(1);
    let mut take = emu.spawn("agent1", &["take", "--json"]);
    let chat = take.until(is("accepted"))["chat"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = emu.json("agent1", &["say", &chat, "Thanks", "--json"]);
    let first_id = first["event_id"].as_u64().unwrap();
    take.until(|v| v["id"].as_u64() == Some(first_id));
    // The same words again, and the server fails the POST without handling it (a 500:
    // its outcome is unknown to the client). The line must be looked up among the events
    // sent after this command started, not matched to the earlier "Thanks", and resent.
    emu.emu
        .add_fault(
            FaultRule::new(
                "*/agentSession/*/chat/*/events",
                FaultKind::Status {
                    status: 500,
                    retry_after: None,
                },
            )
            .on_method("POST")
            .times(1),
        )
        .unwrap();
    let second = emu.json("agent1", &["say", &chat, "Thanks", "--json"]);
    let second_id = second["event_id"].as_u64().unwrap();
    assert!(second_id > first_id, "{first_id} then {second_id}");
    let line = take.until(|v| v["id"].as_u64() == Some(second_id));
    assert_eq!(line["text"], "Thanks");
    let transcript = serde_json::to_value(emu.emu.transcript(&chat).unwrap()).unwrap();
    let thanks = transcript["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["text"] == "Thanks" && e["source"] == "agent")
        .count();
    assert_eq!(thanks, 2, "{transcript}");
}
