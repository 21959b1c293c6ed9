//! `lpchat decode` run as a user runs it: the built binary, fixture files, exit codes.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures"))
}

fn lpchat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lpchat"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run lpchat")
}

fn lpchat_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lpchat"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lpchat");
    // The command stops reading past its size limit; a closed pipe is then expected.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

fn json_out(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn list_names_every_required_resource() {
    let out = lpchat(&["decode", "--list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for required in [
        "available-agents",
        "chats",
        "chat",
        "events",
        "info",
        "incoming-requests",
        "availability",
        "agent-info",
        "chat-sessions",
        "transfer-skills",
        "survey",
        "login",
        "domain",
        "account",
        "agent-session-location",
        "chat-location",
        "chat-event-location",
    ] {
        assert!(names.contains(&required), "missing {required}");
    }
}

#[test]
fn every_good_fixture_decodes_and_every_bad_one_fails_cleanly() {
    let manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("manifest.json")).unwrap())
            .unwrap();
    let listed = String::from_utf8(lpchat(&["decode", "--list"]).stdout).unwrap();
    let (mut good, mut bad) = (0, 0);
    for entry in manifest {
        let resource = entry["resource"].as_str().unwrap();
        let Some(format) = entry["format"]
            .as_str()
            .filter(|f| *f == "json" || *f == "xml")
        else {
            continue;
        };
        if !listed
            .lines()
            .any(|l| l.split_whitespace().next() == Some(resource))
        {
            continue;
        }
        let file = fixtures().join(entry["file"].as_str().unwrap());
        let out = lpchat(&[
            "decode",
            resource,
            "--format",
            format,
            file.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
        if entry["file"].as_str().unwrap().starts_with("bad/") {
            assert_eq!(out.status.code(), Some(1), "{}", file.display());
            assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", file.display());
            assert!(stderr.starts_with("lpchat: cannot decode"), "{stderr}");
            bad += 1;
        } else {
            let v = json_out(&out);
            assert!(
                v.is_object() || v.is_string() || v.is_number() || v.is_boolean(),
                "{}",
                file.display()
            );
            good += 1;
        }
    }
    assert!(good > 250, "{good}");
    assert!(bad >= 25, "{bad}");
}

#[test]
fn output_uses_snake_case_documented_names_and_arrays() {
    let v = json_out(&lpchat(&[
        "decode",
        "available-agents",
        fixtures()
            .join("agent/available-agents.basic.json")
            .to_str()
            .unwrap(),
    ]));
    // Containers keep their wire names: `agents.agent[]`, `skills.skill[]`.
    let agent = &v["agents"]["agent"][0];
    assert_eq!(agent["chat_state"], "Away");
    assert_eq!(agent["max_chats"], -1);
    assert_eq!(agent["id"], "2");
    assert_eq!(agent["skills"]["skill"], serde_json::json!(["2", "4"]));
    assert_eq!(agent["voice_state"], "Offline");
    assert_eq!(v["link"][0]["rel"], "next");
    assert!(v["link"][0]["href"]
        .as_str()
        .unwrap()
        .contains("timeStamp="));

    // The same body in XML, format detected, from standard input.
    let xml = std::fs::read(fixtures().join("agent/events.single.xml")).unwrap();
    let e = json_out(&lpchat_stdin(&["decode", "events"], &xml));
    assert!(e["event"].is_array());
    assert_eq!(e["event"].as_array().unwrap().len(), 1);
}

#[test]
fn secrets_are_masked_by_default() {
    let file = fixtures().join("login/login.basic.json");
    let body = std::fs::read_to_string(&file).unwrap();
    let raw: Value = serde_json::from_str(&body).unwrap();
    let bearer = raw["bearer"].as_str().unwrap();
    let out = lpchat(&["decode", "login", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(!text.contains(bearer));
    assert_eq!(json_out(&out)["bearer"], "***");
    let shown = json_out(&lpchat(&[
        "decode",
        "login",
        "--show-secrets",
        file.to_str().unwrap(),
    ]));
    assert_eq!(shown["bearer"], bearer);
}

#[test]
fn bad_invocations_exit_with_one_line() {
    let out = lpchat(&["decode", "no-such-resource", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    let out = lpchat(&["decode", "events", "/no/such/file"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    let out = lpchat_stdin(&["decode", "events"], b"oauth_problem=token_rejected");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format"));
    let mut huge = b"{\"events\":\"".to_vec();
    huge.resize(17 * 1024 * 1024, b'a');
    let out = lpchat_stdin(&["decode", "events", "--format", "json"], &huge);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exceeds the limit"));
}

#[test]
fn the_login_lifetime_prints_as_milliseconds_whichever_form_it_came_in() {
    // login.basic writes `"sessionTTl":"28800000"`, login.numbers `28800000`.
    for file in ["login.basic.json", "login.numbers.json"] {
        let path = fixtures().join("login").join(file);
        let out = json_out(&lpchat(&["decode", "login", path.to_str().unwrap()]));
        assert_eq!(
            out["session_ttl"],
            serde_json::json!(28_800_000u64),
            "{file}"
        );
    }
}
