//! `surge`: validate and run Surge scenarios from the terminal.
//!
//! Why a CLI: the same engine the browser runs can be scripted, diffed and tested here;
//! `surge run --json` prints the very report the web page shows for the same scenario and
//! seed, which is how the end-to-end tests prove the page's numbers came from the core.
//!
//! Exit codes: 0 ok, 1 invalid scenario (or unreadable file), 2 usage.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod check;
mod input;
mod table;
mod trace;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use surge_core::{Limits, Scenario, SimTime, Simulation};

use input::{load, printable};

#[derive(Debug, Parser)]
#[command(name = "surge", version, about = "Validate and run Surge scenarios")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs a scenario and prints its report.
    Run {
        /// Scenario JSON file.
        file: PathBuf,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Stops after this many simulated seconds (default: the scenario's duration).
        #[arg(long)]
        until: Option<f64>,
        /// Prints the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Stops the run cleanly once it holds more than this many MiB (nominal).
        #[arg(long, default_value_t = Limits::CLI.max_memory_mib)]
        max_memory_mib: u32,
    },
    /// Runs a scenario with request tracing and prints one request's calls hop by hop
    /// (the slowest by default).
    Trace {
        /// Scenario JSON file.
        file: PathBuf,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// The request with this number (as `--list` shows).
        #[arg(long, conflicts_with_all = ["slowest", "failed", "list"])]
        request: Option<u64>,
        /// The slowest request (the default).
        #[arg(long, conflicts_with_all = ["failed", "list"])]
        slowest: bool,
        /// The first request that failed or timed out.
        #[arg(long, conflicts_with = "list")]
        failed: bool,
        /// Lists the kept traces instead: number, latency, outcome, why kept.
        #[arg(long)]
        list: bool,
        /// Prints the trace (or the list) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Checks a scenario and lists every problem with its field path.
    Validate {
        /// Scenario JSON file.
        file: PathBuf,
    },
    /// Times the engine on a fixed 1 M-request Erlang B scenario; prints events per second.
    Bench {
        /// Repetitions (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Prints the JSON Schema of the scenario format.
    Schema,
    /// Grades a solution of an exercise on its seeds: each goal, the result code of a
    /// pass; with --code, whether a student's code matches this solution. Exit codes: 0
    /// pass, 1 fail, 2 usage.
    Check {
        /// The exercise file.
        exercise: PathBuf,
        /// The solution (a scenario file).
        solution: PathBuf,
        /// A result code to verify against this solution.
        #[arg(long)]
        code: Option<String>,
        /// Prints an Exercism-style result (version, status, one entry per goal).
        #[arg(long)]
        json: bool,
    },
    /// Share links: a scenario in a URL fragment.
    Link {
        #[command(subcommand)]
        action: LinkAction,
    },
    /// Turns an AWS SAM or CloudFormation template (YAML or JSON) into a scenario; lists
    /// on stderr what is not simulated and what was assumed.
    Import {
        /// The template file.
        template: PathBuf,
    },
    /// Writes a scenario as an AWS SAM template (JSON) that imports back to the same
    /// scenario.
    ExportSam {
        /// Scenario JSON file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum LinkAction {
    /// Prints the share link of a scenario file.
    Encode {
        /// Scenario JSON file.
        file: PathBuf,
        /// The address Surge is published at (the link is this plus `#…`).
        #[arg(long, default_value = "https://surge.example/")]
        base: String,
        /// Open paused at this simulated second.
        #[arg(long)]
        t: Option<f64>,
        /// Select this node.
        #[arg(long)]
        select: Option<String>,
        /// Open this panel: inspector, faults, run or charts.
        #[arg(long)]
        panel: Option<String>,
        /// Run the scenario and put its report digest in the link, so an opener's page
        /// says whether its replay is the same.
        #[arg(long)]
        with_digest: bool,
    },
    /// Prints the link of an exercise file (students open it to start), with a solution
    /// in it if given.
    Exercise {
        /// The exercise file.
        file: PathBuf,
        /// A solution to carry in the link (a scenario file).
        #[arg(long)]
        solution: Option<PathBuf>,
        /// The address Surge is published at (the link is this plus `#…`).
        #[arg(long, default_value = "https://surge.example/")]
        base: String,
    },
    /// Prints the scenario (the file format) of a share link.
    Decode {
        /// The link, or its fragment.
        link: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Bench { runs } => bench(runs),
        Command::Check {
            exercise,
            solution,
            code,
            json,
        } => check::check(&exercise, &solution, code.as_deref(), json),
        Command::Schema => {
            println!("{}", surge_core::json_schema());
            ExitCode::SUCCESS
        }
        Command::Link { action } => link(action),
        Command::Import { template } => import(&template),
        Command::ExportSam { file } => match load(&file) {
            Ok(scenario) => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&surge_import::to_sam(&scenario))
                        .unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(msg) => invalid(&msg),
        },
        Command::Validate { file } => match load(&file) {
            Ok(scenario) => {
                warn(&scenario);
                println!("{}: valid", printable(&file.display().to_string()));
                ExitCode::SUCCESS
            }
            Err(msg) => invalid(&msg),
        },
        Command::Run {
            file,
            seed,
            until,
            json,
            max_memory_mib,
        } => run(file, seed, until, json, max_memory_mib),
        Command::Trace {
            file,
            seed,
            request,
            slowest: _,
            failed,
            list,
            json,
        } => {
            let pick = match (request, failed) {
                (Some(n), _) => trace::Pick::Request(n),
                (None, true) => trace::Pick::Failed,
                (None, false) => trace::Pick::Slowest,
            };
            trace_cmd(&file, seed, pick, list, json)
        }
    }
}

/// `surge trace`: runs with tracing and prints the chosen trace or the list.
fn trace_cmd(
    file: &std::path::Path,
    seed: Option<u64>,
    pick: trace::Pick,
    list: bool,
    json: bool,
) -> ExitCode {
    let mut scenario = match load(file) {
        Ok(s) => s,
        Err(msg) => return invalid(&msg),
    };
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let mut sim = match Simulation::with_limits(&scenario, Limits::CLI) {
        Ok(sim) => sim,
        Err(e) => return invalid(&input::errors(&e)),
    };
    sim.enable_tracing();
    sim.step_until(sim.end());
    let traces = sim.traces();
    if list {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(&traces).unwrap_or_default()
            );
        } else {
            for t in &traces {
                println!(
                    "request {:>9}  {:>10.1} ms  {:>8}  {:?}  {:?}",
                    t.request,
                    (t.end_s - t.start_s) * 1000.0,
                    t.spans.len(),
                    t.outcome,
                    t.reasons
                );
            }
        }
        return ExitCode::SUCCESS;
    }
    match trace::pick(&traces, pick) {
        Some(t) if json => {
            println!("{}", serde_json::to_string_pretty(t).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Some(t) => {
            print!("{}", trace::waterfall(t));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("surge: no such trace was kept (see `surge trace FILE --list`)");
            ExitCode::from(1)
        }
    }
}

fn import(template: &std::path::Path) -> ExitCode {
    let text = match std::fs::read_to_string(template) {
        Ok(t) => t,
        Err(e) => {
            return invalid(&format!(
                "{}: {e}",
                printable(&template.display().to_string())
            ));
        }
    };
    let dir = template
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    // A state machine's `DefinitionUri`: a file beside the template, never outside it.
    let read_file = |uri: &str| -> Option<String> {
        let rel = std::path::Path::new(uri);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| c == std::path::Component::ParentDir)
        {
            return None;
        }
        std::fs::read_to_string(dir.join(rel)).ok()
    };
    match surge_import::import(&text, &read_file) {
        Ok(imported) => {
            println!("{}", imported.scenario.to_json());
            for n in &imported.not_simulated {
                eprintln!(
                    "not simulated: {} ({}): {}",
                    printable(&n.logical_id),
                    printable(&n.kind),
                    n.reason
                );
            }
            for n in &imported.notes {
                eprintln!("note: {}", printable(n));
            }
            ExitCode::SUCCESS
        }
        Err(e) => invalid(&e),
    }
}

fn link(action: LinkAction) -> ExitCode {
    match action {
        LinkAction::Exercise {
            file,
            solution,
            base,
        } => {
            let exercise = match input::read_capped(&file).and_then(|t| {
                surge_core::exercise::Exercise::from_json(&t)
                    .map_err(|e| format!("{}: {e}", printable(&file.display().to_string())))
            }) {
                Ok(e) => e,
                Err(msg) => return invalid(&msg),
            };
            let solution = match solution.as_deref().map(load).transpose() {
                Ok(s) => s,
                Err(msg) => return invalid(&msg),
            };
            let base = base.split('#').next().unwrap_or_default();
            println!(
                "{base}#{}",
                surge_core::link::encode_exercise(&exercise, solution.as_ref())
            );
            ExitCode::SUCCESS
        }
        LinkAction::Encode {
            file,
            base,
            t,
            select,
            panel,
            with_digest,
        } => {
            let scenario = match load(&file) {
                Ok(s) => s,
                Err(msg) => return invalid(&msg),
            };
            if let Some(id) = &select
                && scenario.node_index(id).is_none()
            {
                eprintln!("surge: no node {} to select", printable(id));
                return ExitCode::from(2);
            }
            let report = if with_digest {
                match Simulation::new(&scenario) {
                    Ok(mut sim) => Some(sim.run().digest()[..8].to_owned()),
                    Err(e) => return invalid(&input::errors(&e)),
                }
            } else {
                None
            };
            let extras = surge_core::LinkExtras {
                at_s: t,
                select,
                panel,
                report,
                model: Some(surge_core::MODEL_VERSION),
            };
            let text = surge_core::link::link(&base, &scenario, &extras);
            if text.len() > surge_core::link::CHAT_SAFE_CHARS {
                eprintln!(
                    "surge: the link is {} characters; chat tools and mail mangle links past about {}: share the file instead",
                    text.len(),
                    surge_core::link::CHAT_SAFE_CHARS
                );
            }
            println!("{text}");
            ExitCode::SUCCESS
        }
        LinkAction::Decode { link } => match surge_core::link::decode(&link) {
            Ok(decoded) => {
                println!("{}", decoded.scenario.to_json());
                ExitCode::SUCCESS
            }
            Err(e) => invalid(&input::errors(&e)),
        },
    }
}

fn run(
    file: PathBuf,
    seed: Option<u64>,
    until: Option<f64>,
    json: bool,
    max_memory_mib: u32,
) -> ExitCode {
    let mut scenario = match load(&file) {
        Ok(s) => s,
        Err(msg) => return invalid(&msg),
    };
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    warn(&scenario);
    let limits = Limits {
        max_memory_mib,
        ..Limits::CLI
    };
    let mut sim = match Simulation::with_limits(&scenario, limits) {
        Ok(sim) => sim,
        Err(e) => return invalid(&input::errors(&e)),
    };
    let report = match until {
        Some(secs) if secs >= 0.0 => {
            sim.step_until(SimTime::from_secs_f64(secs));
            sim.report()
        }
        Some(_) => {
            eprintln!("surge: --until must not be negative");
            return ExitCode::from(2);
        }
        None => sim.run(),
    };
    if let Some(stop) = &report.stopped {
        eprintln!("surge: {}", printable(&stop.message));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if json {
        // Streamed: a long run's report is never one string in memory.
        report
            .write_json(&mut out)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush())
    } else {
        write!(out, "{}", table::table(&report)).and_then(|()| out.flush())
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("surge: cannot write the report: {e}");
            ExitCode::from(1)
        }
    }
}

/// Prints the scenario's warnings (a long run ahead, say) to standard error.
fn warn(scenario: &Scenario) {
    for w in scenario.warnings() {
        eprintln!("warning: {}", printable(&w.to_string()));
    }
}

/// Runs the benchmark scenario `runs` times and prints each run and the median.
fn bench(runs: u32) -> ExitCode {
    for (name, scenario) in [
        ("Erlang B, 1 M requests", surge_core::bench_scenario()),
        (
            "SQS → Lambda, 1 M messages",
            surge_core::bench_queue_scenario(),
        ),
    ] {
        println!("{name}:");
        if let Err(code) = bench_one(&scenario, runs) {
            return code;
        }
    }
    ExitCode::SUCCESS
}

fn bench_one(scenario: &Scenario, runs: u32) -> Result<(), ExitCode> {
    let mut rates = Vec::new();
    for i in 0..runs.max(1) {
        let start = std::time::Instant::now();
        let mut sim = Simulation::new(scenario).map_err(|e| invalid(&e.to_string()))?;
        let report = sim.run();
        let secs = start.elapsed().as_secs_f64();
        let rate = report.events as f64 / secs;
        println!(
            "  run {}: {} requests, {} events in {:.3} s = {:.2} M events/s",
            i + 1,
            report.ledger.arrived,
            report.events,
            secs,
            rate / 1e6
        );
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    println!("  median: {:.2} M events/s", rates[rates.len() / 2] / 1e6);
    Ok(())
}

fn invalid(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}
