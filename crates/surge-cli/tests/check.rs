//! `surge check`: a workshop's grader. The reference solution passes with its code; the
//! code altered by one character, and the solution with one parameter changed, are
//! refused; the JSON is Exercism's shape; exit codes are 0 pass, 1 fail, 2 usage.

mod common;

use common::surge;

fn exercise(file: &str) -> String {
    format!(
        "{}/../../tests/exercises/stop-the-connection-storm/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn code_of(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("pass · result code "))
        .expect("a code")
        .to_owned()
}

#[test]
fn a_pass_gives_a_code_that_only_this_solution_matches() {
    let (ex, sol) = (exercise("exercise.json"), exercise("solution.json"));
    let (status, out, _) = surge(&["check", &ex, &sol]);
    assert_eq!(status, 0, "{out}");
    let code = code_of(&out);
    assert_eq!(code.len(), 14, "{code}");
    // The code as a student might type it.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, out, _) = surge(&["check", &ex, &sol, "--code", &typed]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("matches this solution"), "{out}");
    // One character altered.
    let mut altered: Vec<char> = code.chars().collect();
    altered[0] = if altered[0] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    let (status, out, _) = surge(&["check", &ex, &sol, "--code", &altered]);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("does not match"), "{out}");
    // The solution with one allowed parameter changed: it still passes, with another
    // code, so the student's code does not match it.
    let text = std::fs::read_to_string(&sol).expect("solution");
    let changed = text.replacen(
        "\"max_connections_percent\": 5",
        "\"max_connections_percent\": 6",
        1,
    );
    assert_ne!(text, changed);
    let dir = std::env::temp_dir().join(format!("surge-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let edited = dir.join("edited.json");
    std::fs::write(&edited, changed).expect("write");
    let edited = edited.display().to_string();
    let (status, out, _) = surge(&["check", &ex, &edited]);
    assert_eq!(status, 0, "{out}");
    assert_ne!(code_of(&out), code);
    let (status, out, _) = surge(&["check", &ex, &edited, "--code", &code, "--json"]);
    assert_eq!(status, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["status"], "fail");
    assert_eq!(json["version"], 2);
    let tests = json["tests"].as_array().expect("tests");
    assert!(
        tests
            .iter()
            .any(|t| t["name"] == "the result code matches" && t["status"] == "fail")
    );
    assert!(
        tests
            .iter()
            .all(|t| t["name"].is_string() && t["status"].is_string())
    );
}

#[test]
fn the_starting_design_fails_and_a_locked_change_is_named() {
    let ex = exercise("exercise.json");
    let text = std::fs::read_to_string(&ex).expect("exercise");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let dir = std::env::temp_dir().join(format!("surge-check-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let start = dir.join("start.json");
    std::fs::write(&start, v["start"].to_string()).expect("write");
    let (status, out, _) = surge(&["check", &ex, &start.display().to_string(), "--json"]);
    assert_eq!(status, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["status"], "fail");
    assert!(json.get("code").is_none());
    // The database made bigger: locked.
    let sol = std::fs::read_to_string(exercise("solution.json")).expect("solution");
    let mut s: serde_json::Value = serde_json::from_str(&sol).expect("json");
    for n in s["nodes"].as_array_mut().expect("nodes") {
        if n["id"] == "db" {
            n["params"]["max_connections"] = serde_json::json!(5000);
        }
    }
    let locked = dir.join("locked.json");
    std::fs::write(&locked, s.to_string()).expect("write");
    let (status, out, _) = surge(&["check", &ex, &locked.display().to_string()]);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("db.max_connections is locked"), "{out}");
}

#[test]
fn usage_errors_exit_2_and_an_unreadable_solution_is_an_error() {
    let ex = exercise("exercise.json");
    assert_eq!(surge(&["check", &ex]).0, 2);
    assert_eq!(surge(&["check", "/no/such/exercise.json", &ex]).0, 2);
    let sol = exercise("solution.json");
    // A scenario is not an exercise.
    assert_eq!(surge(&["check", &sol, &sol]).0, 2);
    // An exercise is not a solution: graded as an error, exit 1.
    let (status, out, _) = surge(&["check", &ex, &ex, "--json"]);
    assert_eq!(status, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["status"], "error");
}
