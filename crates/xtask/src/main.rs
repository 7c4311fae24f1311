//! `cargo xtask`: the project's only automation entry point.
//!
//! Why Rust and not shell: it runs wherever cargo runs, reads Cargo.lock to know which
//! wasm-bindgen-cli to install, and its tidy checks are ordinary `#[test]`s.
//!
//! ```text
//! cargo xtask setup   install whatever is missing (skip what is present)
//! cargo xtask serve   setup, then serve the playground on http://127.0.0.1:8080
//! cargo xtask test    setup, then every check CI runs, ending in one summary line
//! cargo xtask dist    setup, then the release bundle in dist/ with its sizes
//! cargo xtask bench   the engine benchmark natively and in headless Chromium (wasm)
//! cargo xtask fuzz [--cases N] [--links M]   the long property runs (random hostile
//!                                  scenarios; random and mutated share links)
//! ```

#![allow(clippy::print_stdout)]

mod dist;
mod fence;
mod proc;
mod setup;
mod test;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = proc::project_root();
    std::env::set_current_dir(&root).expect("project root is accessible");
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::ensure(setup::Needs::ALL).map(|_| ()),
        Some("serve") => serve(),
        Some("test") => test::run_all(),
        Some("bench") => setup::ensure(setup::Needs::ALL).and_then(|tools| bench(&tools)),
        Some("dist") => setup::ensure(setup::Needs::BUILD).and_then(|tools| dist::build(&tools)),
        Some("fuzz") => fuzz(&args[1..]),
        Some("import-corpus") => import_corpus(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|serve|test|dist|bench|fuzz [--cases N] [--links M]|import-corpus DIR>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve() -> Result<(), String> {
    let tools = setup::ensure(setup::Needs::BUILD)?;
    println!("\n==> serving the playground on http://127.0.0.1:8080 (Ctrl+C to stop)");
    proc::run(
        tools
            .command("trunk")
            .args(["serve", "--address", "127.0.0.1", "--port", "8080"]),
    )
}

/// Imports every `template.yaml` below DIR (a checkout of public SAM templates, such as
/// the serverless patterns collection) and prints how many import, validate and run, and
/// why the others were refused.
fn import_corpus(args: &[String]) -> Result<(), String> {
    let dir = args.first().ok_or(
        "usage: cargo xtask import-corpus DIR (a folder of SAM or CloudFormation templates)",
    )?;
    let dir = std::fs::canonicalize(dir).map_err(|e| format!("{dir}: {e}"))?;
    println!("\n==> importing the templates below {}", dir.display());
    proc::run(
        release_test(
            "surge-import",
            "corpus",
            "an_external_corpus_imports_and_runs",
            "--ignored",
        )
        .env("SURGE_TEMPLATE_CORPUS", &dir),
    )
}

/// `cargo test` of one test binary in the optimised native profile, printing its output.
fn release_test(package: &str, test: &str, filter: &str, extra: &str) -> std::process::Command {
    let mut c = std::process::Command::new("cargo");
    c.args([
        "test",
        "--profile",
        "release-native",
        "-p",
        package,
        "--test",
        test,
        filter,
        "--",
        "--nocapture",
    ]);
    if !extra.is_empty() {
        c.arg(extra);
    }
    c
}

/// The long property runs CI runs briefly, in an optimised build: random and mutated
/// share links (`--links M`, default 1,000,000), then random hostile scenarios (loops,
/// zero-time state machines, backlogs) through the engine with a small budget
/// (`--cases N`, default 20,000).
fn fuzz(args: &[String]) -> Result<(), String> {
    let (mut cases, mut links) = (20_000u64, 1_000_000u64);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a number"))?
            .parse::<u64>()
            .map_err(|e| format!("{flag}: {e}"))?;
        match flag.as_str() {
            "--cases" => cases = value,
            "--links" => links = value,
            _ => return Err("usage: cargo xtask fuzz [--cases N] [--links M]".into()),
        }
    }
    let long_run = |what: String, filter: &str, var: &str, n: u64| {
        println!("\n==> {n} {what}");
        let (result, took) = proc::timed(|| {
            proc::run(release_test("surge-core", "engine", filter, "").env(var, n.to_string()))
        });
        println!("==> {n} in {}", proc::human(took));
        result
    };
    long_run(
        "random and mutated share links (crates/surge-core/tests/engine/links.rs)".into(),
        "links::random_and_mutated_links_never_panic",
        "SURGE_LINK_FUZZ_CASES",
        links,
    )?;
    long_run(
        "random hostile scenarios (crates/surge-core/tests/engine/bounded.rs)".into(),
        "bounded::",
        "PROPTEST_CASES",
        cases,
    )
}

/// The engine benchmark: `surge bench` natively (opt-level 3), then the same scenario in
/// wasm in headless Chromium (same profile). Figures go into BENCHMARKS.md by hand.
fn bench(tools: &setup::Tools) -> Result<(), String> {
    println!("\n==> native: surge bench (profile release-native)");
    proc::run(tools.command("cargo").args([
        "run",
        "--quiet",
        "--profile",
        "release-native",
        "-p",
        "surge-cli",
        "--",
        "bench",
    ]))?;
    println!("\n==> wasm32 in headless Chromium (profile release-native)");
    proc::run(&mut tools.browser_test(&[
        "--profile",
        "release-native",
        "--features",
        "bench",
        "--test",
        "bench",
        "--",
        "--nocapture",
    ]))
}
