//! `cargo xtask test`: every check CI runs, as named stages, ending in one summary line.
//!
//! Stages run in order and all of them run even after a failure, so one report shows
//! everything that is wrong; the command fails if any stage failed.

use std::process::Command;

use crate::proc::{human, run, timed};
use crate::setup::{self, Tools};
use crate::{dist, fence};

type StageFn = fn(&Tools) -> Result<(), String>;

const STAGES: [(&str, StageFn); 8] = [
    ("fmt", fmt),
    ("clippy native", clippy_native),
    ("clippy wasm32", clippy_wasm),
    ("native tests", native_tests),
    ("core wasm32 build", core_wasm_build),
    ("dependency fence", |_| fence::check()),
    ("browser unit tests", browser_unit_tests),
    ("e2e (playwright)", e2e),
];

/// Sets up the tools, runs every stage and prints the summary.
pub(crate) fn run_all() -> Result<(), String> {
    let (tools, setup_time) = timed(|| setup::ensure(setup::Needs::ALL));
    let tools = tools?;
    println!("    tools ready in {}", human(setup_time));
    let mut results = Vec::new();
    let (_, total) = timed(|| {
        for (i, (name, stage)) in STAGES.iter().enumerate() {
            println!("\n==> [{}/{}] {name}", i + 1, STAGES.len());
            let (result, took) = timed(|| stage(&tools));
            match &result {
                Ok(()) => println!(
                    "==> [{}/{}] {name}: ok ({})",
                    i + 1,
                    STAGES.len(),
                    human(took)
                ),
                Err(e) => {
                    println!(
                        "==> [{}/{}] {name}: FAILED ({}): {e}",
                        i + 1,
                        STAGES.len(),
                        human(took)
                    );
                }
            }
            results.push((*name, result.is_ok(), took));
        }
    });
    println!("\n---- summary ----");
    for (name, ok, took) in &results {
        println!(
            "  {} {name:<20} {}",
            if *ok { "ok  " } else { "FAIL" },
            human(*took)
        );
    }
    let failed = results.iter().filter(|r| !r.1).count();
    println!(
        "  total {} (plus {} setup)",
        human(total),
        human(setup_time)
    );
    println!("stages: {} passed, {failed} failed", results.len() - failed);
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} stage(s) failed"))
    }
}

fn cargo(tools: &Tools) -> Command {
    tools.command("cargo")
}

fn fmt(tools: &Tools) -> Result<(), String> {
    run(cargo(tools).args(["fmt", "--all", "--check"]))
}

fn clippy_native(tools: &Tools) -> Result<(), String> {
    run(cargo(tools).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn clippy_wasm(tools: &Tools) -> Result<(), String> {
    run(cargo(tools).args([
        "clippy",
        "-p",
        "surge-core",
        "-p",
        "surge-import",
        "-p",
        "surge-web",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))
}

fn native_tests(tools: &Tools) -> Result<(), String> {
    run(cargo(tools).args(["test", "--workspace"]))
}

fn core_wasm_build(tools: &Tools) -> Result<(), String> {
    run(cargo(tools).args([
        "build",
        "-p",
        "surge-core",
        "--target",
        "wasm32-unknown-unknown",
    ]))
}

fn browser_unit_tests(tools: &Tools) -> Result<(), String> {
    run(&mut tools.browser_test(&[]))
}

fn e2e(tools: &Tools) -> Result<(), String> {
    dist::build(tools)?;
    println!("\n==> building the CLI the e2e tests compare against");
    run(cargo(tools).args(["build", "-p", "surge-cli"]))?;
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    println!("\n==> node --test tests/e2e (serves dist/ on 127.0.0.1, headless Chromium)");
    let mut specs: Vec<_> = std::fs::read_dir("tests/e2e")
        .map_err(|e| format!("tests/e2e: {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    specs.sort();
    run(tools
        .command("node")
        // A test that hangs fails after 3 minutes instead of stalling CI.
        .args([
            "--test",
            "--test-reporter=spec",
            "--test-concurrency=1",
            "--test-timeout=180000",
        ])
        .args(&specs)
        .env("SURGE_DIST", root.join("dist"))
        .env("SURGE_BIN", root.join("target/debug/surge"))
        .env("CHROMIUM", setup::CHROMIUM))
}
