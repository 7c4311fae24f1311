//! Hostile input: every file in `tests/hostile/` runs through the `surge` binary under a
//! 1 GiB address-space limit and must end within 10 s with the outcome `expected.json`
//! gives it: refused with a reason, run to the end, or stopped cleanly with a message.
//! Whatever happens, the process never crashes, hangs or prints raw control characters,
//! and every ledger of a report balances.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(10);

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile")
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs `surge run FILE --json ARGS` under `ulimit -v` (1 GiB), killing it past the limit.
fn run(file: &Path, args: &[String]) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_surge"))
        .arg("run")
        .arg(file)
        .arg("--json")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Read the pipes on threads so a large report cannot block the child.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status.code();
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        code,
        stdout: reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        took: start.elapsed(),
    }
}

/// Every ledger of a report balances.
fn balanced(r: &Value) -> Result<(), String> {
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let l = &r["ledger"];
    let failed: u64 = l["failed"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    if n(l, "succeeded") + failed + n(l, "timed_out") + n(l, "in_flight") != n(l, "arrived") {
        return Err(format!("request ledger: {l}"));
    }
    let m = &r["messages"];
    let held = [
        "consumed",
        "dead_lettered",
        "expired",
        "dropped",
        "queued",
        "in_flight",
    ]
    .iter()
    .map(|k| n(m, k))
    .sum::<u64>();
    if held != n(m, "sent") {
        return Err(format!("message ledger: {m}"));
    }
    let a = &r["async_events"];
    let done = [
        "succeeded",
        "failed",
        "expired",
        "stopped",
        "queued",
        "in_flight",
    ]
    .iter()
    .map(|k| n(a, k))
    .sum::<u64>();
    if done != n(a, "accepted") {
        return Err(format!("async ledger: {a}"));
    }
    let e = &r["executions"];
    if n(e, "succeeded") + n(e, "failed") + n(e, "running") != n(e, "started") {
        return Err(format!("execution ledger: {e}"));
    }
    let d = &r["deliveries"];
    if n(d, "delivered") + n(d, "dropped") + n(d, "pending") != n(d, "sent") {
        return Err(format!("delivery ledger: {d}"));
    }
    Ok(())
}

#[test]
fn hostile_files_end_as_expected_within_ten_seconds_and_one_gib() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join("expected.json")).expect("expected.json"),
    )
    .expect("valid json");
    let cases = expected.as_object().expect("an object");
    // Every file in the folder has an expectation.
    for entry in std::fs::read_dir(dir()).expect("tests/hostile") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            name == "expected.json" || cases.contains_key(&name),
            "tests/hostile/{name} has no entry in expected.json"
        );
    }
    let mut failures = Vec::new();
    for (name, case) in cases {
        let path = case["path"]
            .as_str()
            .map_or_else(|| dir().join(name), PathBuf::from);
        let args: Vec<String> = case["args"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let want = case["outcome"].as_str().expect("outcome");
        let o = run(&path, &args);
        let mut problems = Vec::new();
        if o.code.is_none() {
            problems.push(format!("killed or crashed after {:?}", o.took));
        }
        if o.stderr.contains('\u{1b}') || o.stdout.contains('\u{1b}') {
            problems.push("printed a raw escape character".to_owned());
        }
        let got = match o.code {
            Some(1) => "refused".to_owned(),
            Some(0) => match serde_json::from_str::<Value>(&o.stdout) {
                Ok(r) => {
                    if let Err(e) = balanced(&r) {
                        problems.push(e);
                    }
                    if o.stdout.len() > 50_000_000 {
                        problems.push(format!("a report of {} bytes", o.stdout.len()));
                    }
                    if !r["stopped"].is_null() {
                        "stopped".to_owned()
                    } else if r["finished"] == Value::Bool(true) {
                        "finished".to_owned()
                    } else {
                        "ran".to_owned()
                    }
                }
                Err(e) => format!("unreadable report ({e})"),
            },
            other => format!("exit {other:?}"),
        };
        if got != want {
            problems.push(format!("{got}, expected {want}"));
        }
        if let Some(text) = case["contains"].as_str() {
            if !o.stdout.contains(text) && !o.stderr.contains(text) {
                problems.push(format!("no {text:?} in the output"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: {} (stderr: {})",
                problems.join("; "),
                o.stderr.chars().take(300).collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_hundred_thousand_nodes_or_a_million_edges_are_refused_quickly() {
    let tmp = std::env::temp_dir().join(format!("surge-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let nodes: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"id":"n{i}","kind":"sqs"}}"#))
        .collect();
    let many_nodes = tmp.join("nodes.json");
    std::fs::write(
        &many_nodes,
        format!(
            r#"{{"format":"surge-scenario","version":2,"nodes":[{}]}}"#,
            nodes.join(",")
        ),
    )
    .expect("writes");
    let edges: Vec<String> = (0..1_000_000)
        .map(|i| format!(r#"{{"from":"a","to":"b{i}"}}"#))
        .collect();
    let many_edges = tmp.join("edges.json");
    std::fs::write(
        &many_edges,
        format!(
            r#"{{"format":"surge-scenario","version":2,"nodes":[{{"id":"a","kind":"sns"}}],"edges":[{}]}}"#,
            edges.join(",")
        ),
    )
    .expect("writes");
    for (file, reason) in [
        (&many_nodes, "a scenario has at most 10000 nodes"),
        (&many_edges, "larger than 16 MB"),
    ] {
        let o = run(file, &[]);
        assert_eq!(o.code, Some(1), "{}: {}", file.display(), o.stderr);
        assert!(o.stderr.contains(reason), "{}", o.stderr);
        assert!(o.took < Duration::from_secs(5), "took {:?}", o.took);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
