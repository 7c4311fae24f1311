//! `surge check EXERCISE SOLUTION [--code CODE] [--json]`: grades a solution on the
//! exercise's seeds, as the page's Check does, and verifies a student's result code.
//!
//! Why an Exercism-style JSON: a workshop repository grades pull requests in CI with the
//! same verdict the student saw, in a shape CI tooling already reads (`version`, `status`,
//! one entry per test with its message). Exit codes: 0 pass, 1 fail (a missed goal, a
//! locked change, a code that does not match, a solution that cannot run), 2 usage.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use surge_core::Scenario;
use surge_core::exercise::{Exercise, Grade, Status};

use crate::input::{printable, read_capped};

/// Runs `surge check`.
pub(crate) fn check(exercise: &Path, solution: &Path, code: Option<&str>, json: bool) -> ExitCode {
    let exercise = match read_capped(exercise)
        .and_then(|t| Exercise::from_json(&t).map_err(|e| format!("{}: {e}", exercise.display())))
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}", printable(&e));
            return ExitCode::from(2);
        }
    };
    let grade = match read_capped(solution) {
        Err(e) => {
            eprintln!("{}", printable(&e));
            return ExitCode::from(2);
        }
        Ok(text) => match Scenario::parse_json(&text) {
            Ok(s) => exercise.grade(&s),
            Err(e) => Grade {
                status: Status::Error,
                error: Some(format!("the solution cannot be read: {e}")),
                locked: Vec::new(),
                goals: Vec::new(),
                code: None,
            },
        },
    };
    // A code given must be this solution's.
    let code_matches = code.map(|c| {
        grade
            .code
            .as_deref()
            .is_some_and(|mine| surge_core::exercise::same_code(mine, c))
    });
    let pass = grade.status == Status::Pass && code_matches != Some(false);
    if json {
        println!("{}", exercism(&exercise, &grade, code, code_matches));
    } else {
        print_text(&exercise, &grade, code, code_matches);
    }
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

fn print_text(e: &Exercise, g: &Grade, code: Option<&str>, code_matches: Option<bool>) {
    println!(
        "{} ({}): graded on seeds {:?}",
        printable(&e.title),
        printable(&e.id),
        e.seeds
    );
    if let Some(why) = &g.error {
        println!("error: {}", printable(why));
    }
    for l in &g.locked {
        println!("✗ locked: {}", printable(l));
    }
    for r in &g.goals {
        let moment = r
            .at_s
            .filter(|_| !r.met)
            .map_or_else(String::new, |t| format!(", from t = {} s", number(t)));
        println!(
            "{} {} (measured {}, worst on seed {}{moment})",
            if r.met { "✓" } else { "✗" },
            printable(&r.name),
            number(r.measured),
            r.seed
        );
    }
    match (g.status, &g.code) {
        (Status::Pass, Some(c)) => println!("pass · result code {c}"),
        (Status::Fail, _) => println!("fail"),
        _ => println!("error"),
    }
    match (code, code_matches) {
        (Some(c), Some(true)) => println!("the code {} matches this solution", printable(c)),
        (Some(c), _) => println!(
            "the code {} does not match this solution (altered code, edited solution or another model version)",
            printable(c)
        ),
        _ => {}
    }
}

/// The result as Exercism's test runners write `results.json` (version 2).
fn exercism(
    e: &Exercise,
    g: &Grade,
    code: Option<&str>,
    code_matches: Option<bool>,
) -> serde_json::Value {
    let mut tests: Vec<serde_json::Value> = g
        .locked
        .iter()
        .map(|l| json!({"name": "only allowed changes", "status": "fail", "message": l}))
        .collect();
    if g.locked.is_empty() && g.status != Status::Error {
        tests.push(json!({"name": "only allowed changes", "status": "pass"}));
    }
    tests.extend(g.goals.iter().map(|r| {
        json!({
            "name": r.name,
            "status": if r.met { "pass" } else { "fail" },
            "message": format!("measured {} (worst on seed {})", number(r.measured), r.seed),
            "measured": r.measured,
            "seed": r.seed,
            "at_s": r.at_s,
        })
    }));
    if let (Some(c), Some(ok)) = (code, code_matches) {
        tests.push(json!({
            "name": "the result code matches",
            "status": if ok { "pass" } else { "fail" },
            "message": format!("code {c}"),
        }));
    }
    let status = match g.status {
        Status::Error => "error",
        Status::Pass if code_matches != Some(false) => "pass",
        _ => "fail",
    };
    let mut out = json!({
        "version": 2,
        "status": status,
        "exercise": e.id,
        "model_version": surge_core::MODEL_VERSION,
        "tests": tests,
    });
    if let Some(why) = &g.error {
        out["message"] = json!(why);
    }
    if let Some(c) = &g.code {
        out["code"] = json!(c);
    }
    out
}
