//! The `lpchat-emulator` binary: prints its address and world, loads a world file and a
//! scenario file.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_loads_world_and_scenario_files() {
    let dir = std::env::temp_dir().join(format!("lpchat-emu-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.json");
    std::fs::write(
        &world,
        r#"{"account":"555","skills":[{"id":7,"name":"Support"}],
            "agents":[{"id":1,"loginName":"ann","password":"pw","nickname":"Ann","maxChats":2,"skills":[7]}],
            "visitorAppKeys":["k1"]}"#,
    )
    .unwrap();
    let scenario = dir.join("scenario.json");
    std::fs::write(
        &scenario,
        r#"{"visitors":2,"skill":"Support","lines":["hi"],"waitForAnswer":false,"end":false}"#,
    )
    .unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_lpchat-emulator"))
            .args(["--port", "0", "--seed", "3", "--time-factor", "5"])
            .arg("--world")
            .arg(&world)
            .arg("--scenario")
            .arg(&scenario)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("lpchat-emulator listening on ")
        .unwrap()
        .to_owned();
    let mut banner = String::new();
    for l in lines.by_ref() {
        let l = l.unwrap();
        banner.push_str(&l);
        banner.push('\n');
        if l.starts_with("control API") {
            break;
        }
    }
    assert!(
        banner.contains("account 555") && banner.contains("agent ann") && banner.contains("seed 3"),
        "{banner}"
    );
    assert!(!banner.contains("pw"), "no passwords printed");

    let http = client();
    let r = send(
        http.post(format!("{base}/api/account/555/login"))
            .header("content-type", "application/json")
            .body(r#"{"username":"ann","password":"pw"}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        eventually(5.0, || async {
            let s = send(http.get(format!("{base}/_emulator/visitors")))
                .await
                .json();
            s.as_array()
                .is_some_and(|a| a.len() == 2 && a.iter().all(|v| v["outcome"] == "completed"))
        })
        .await
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_lpchat-emulator"))
        .args(["--port", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
