//! `surge`: validate and run Surge scenarios from the terminal.
//!
//! Why a CLI: the same engine the browser runs can be scripted, diffed and tested here;
//! `surge run --json` prints the very report the web page shows for the same scenario and
//! seed, which is how the end-to-end tests prove the page's numbers came from the core.
//!
//! Exit codes: 0 ok, 1 invalid scenario (or unreadable file), 2 usage.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use surge_core::{Report, Scenario, SimTime, Simulation};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Bench { runs } => bench(runs),
        Command::Schema => {
            println!("{}", surge_core::json_schema());
            ExitCode::SUCCESS
        }
        Command::Validate { file } => match load(&file) {
            Ok(_) => {
                println!("{}: valid", file.display());
                ExitCode::SUCCESS
            }
            Err(msg) => invalid(&msg),
        },
        Command::Run {
            file,
            seed,
            until,
            json,
        } => {
            let mut scenario = match load(&file) {
                Ok(s) => s,
                Err(msg) => return invalid(&msg),
            };
            if let Some(seed) = seed {
                scenario.seed = seed;
            }
            let mut sim = match Simulation::new(&scenario) {
                Ok(sim) => sim,
                Err(e) => return invalid(&e.to_string()),
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
            if json {
                println!("{}", report.to_json());
            } else {
                print!("{}", table(&report));
            }
            ExitCode::SUCCESS
        }
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

fn load(file: &PathBuf) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    Scenario::from_json(&text).map_err(|e| format!("{}: invalid scenario\n{e}", file.display()))
}

fn invalid(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}

/// The human-readable summary.
fn table(r: &Report) -> String {
    let mut out = format!(
        "simulated {:.1} s, seed {}, {} events{}\n\n",
        r.time_s,
        r.seed,
        r.events,
        if r.finished { "" } else { " (stopped early)" }
    );
    out += &format!(
        "{:<18} {:<11} {:>9} {:>9} {:>8} {:>8} {:>9} {:>6} {:>7} {:>9}\n",
        "node",
        "kind",
        "arrivals",
        "ok",
        "errors",
        "throttl",
        "mean conc",
        "peak",
        "limit",
        "p99 ms"
    );
    for n in r.nodes.iter().filter(|n| n.kind != "client") {
        let throttles =
            n.errors.throttled + n.errors.concurrency_throttled + n.errors.service_throttled;
        out += &format!(
            "{:<18} {:<11} {:>9} {:>9} {:>8} {:>8} {:>9.2} {:>6} {:>7} {:>9.1}\n",
            n.name,
            n.kind,
            n.arrivals,
            n.ok,
            n.errors.total(),
            throttles,
            n.mean_in_node,
            n.peak_in_node,
            n.limit.map_or_else(|| "-".to_owned(), |l| l.to_string()),
            n.p99_ms
        );
    }
    for q in r.nodes.iter().filter(|n| n.kind == "sqs") {
        let oldest = q.series.iter().map(|s| s.oldest_age_s).fold(0.0, f64::max);
        out += &format!(
            "{:<18} queue: peak depth {}, oldest message {:.1} s, mean wait {:.1} ms, {} of {} waited\n",
            q.name, q.peak_queue, oldest, q.mean_wait_ms, q.waited, q.received
        );
    }
    let m = r.messages;
    if m.sent > 0 {
        out += &format!(
            "messages sent {}  consumed {}  dead-lettered {}  expired {}  queued {}  in flight {}  duplicates {}  ledger {}\n",
            m.sent,
            m.consumed,
            m.dead_lettered,
            m.expired,
            m.queued,
            m.in_flight,
            m.duplicates,
            if m.balances() {
                "balanced"
            } else {
                "UNBALANCED"
            }
        );
    }
    let l = r.ledger;
    let failed = l.failed.total();
    out += &format!(
        "\nrequests {}  succeeded {}  failed {} ({:.2}%)  timed out {}  in flight {}  retries {}  ledger {}\n",
        l.arrived,
        l.succeeded,
        failed,
        if l.arrived == 0 {
            0.0
        } else {
            100.0 * failed as f64 / l.arrived as f64
        },
        l.timed_out,
        l.in_flight,
        l.retries,
        if l.balances() {
            "balanced"
        } else {
            "UNBALANCED"
        }
    );
    out += &format!(
        "goodput {:.1}/s  throughput {:.1}/s  p50 {:.1} ms  p99 {:.1} ms  cost ${:.4} (${:.2} per M requests; retries ${:.4}, wasted ${:.4})\n",
        r.goodput_per_s,
        r.throughput_per_s,
        r.p50_ms,
        r.p99_ms,
        r.cost.total_usd,
        r.cost.per_million_requests_usd,
        r.cost.retries_usd,
        r.cost.wasted_usd
    );
    out
}
