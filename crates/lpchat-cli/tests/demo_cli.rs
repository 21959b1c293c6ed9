//! `lpchat demo` run as a user runs it: the built binary, its summary, its exit codes.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lpchat"))
        .arg("demo")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run lpchat")
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one line a failed check leaves on stderr.
fn failure_line(out: &Output) -> String {
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {err:?}");
    lines[0].to_owned()
}

#[test]
fn a_small_run_handles_every_chat_and_loses_nothing() {
    let out = demo(&["--visitors", "3", "--json", "--seed", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["check"], "passed", "{s}");
    assert_eq!(s["visitors"], 3);
    assert_eq!(s["chatsHandled"], 3);
    assert_eq!(s["transferred"], true);
    // Three lines a visitor, each delivered to the bot and answered once.
    assert_eq!(s["visitorLines"]["sent"], 9);
    assert_eq!(s["visitorLines"]["delivered"], 9);
    assert_eq!(s["botLines"]["sent"], 9);
    assert_eq!(s["botLines"]["received"], 9);
    assert_eq!(s["lost"], 0);
    assert_eq!(s["doubled"], 0);
    assert_eq!(s["events"]["lost"], 0);
    assert_eq!(s["events"]["doubled"], 0);
    let latency = &s["latencyMs"];
    assert_eq!(latency["samples"], 9);
    let (p50, p99) = (
        latency["p50"].as_f64().unwrap(),
        latency["p99"].as_f64().unwrap(),
    );
    assert!(p50 > 0.0 && p50 <= p99, "{latency}");
    assert!(s["faults"].is_null(), "no faults without --chaos");
    assert!(s["retries"].is_u64() && s["requests"].as_u64().unwrap() > 0);
}

#[test]
fn chaos_injects_faults_and_loses_nothing() {
    let out = demo(&["--visitors", "3", "--chaos", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["check"], "passed", "{s}");
    assert!(s["faults"]["injected"].as_u64().unwrap() > 0, "{s}");
    assert!(s["retries"].as_u64().unwrap() > 0, "{s}");
    assert_eq!(s["chatsHandled"], 3);
    assert_eq!(s["lost"], 0);
    assert_eq!(s["doubled"], 0);
    assert_eq!(s["visitorLines"]["sent"], s["visitorLines"]["delivered"]);
    assert_eq!(s["botLines"]["sent"], s["botLines"]["received"]);
}

#[test]
fn a_doubled_line_fails_the_check_with_exit_8() {
    let out = demo(&["--visitors", "2", "--sabotage", "double"]);
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let line = failure_line(&out);
    assert!(line.starts_with("lpchat: demo check failed:"), "{line}");
    assert!(line.contains("doubled"), "{line}");
    // The summary still shows what happened.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 doubled"), "{text}");
    assert!(text.contains("FAILED"), "{text}");
}

#[test]
fn a_lost_line_fails_the_check_with_exit_8() {
    let out = demo(&["--visitors", "2", "--sabotage", "drop", "--json"]);
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let line = failure_line(&out);
    assert!(line.contains("lost"), "{line}");
    let s = summary(&out);
    assert_eq!(s["check"], "failed");
    assert_eq!(s["visitorLines"]["lost"], 1);
    assert_eq!(s["lost"], 1);
}

#[test]
fn a_wrong_visitor_count_is_a_usage_error() {
    let out = demo(&["--visitors", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
