//! Engine tests that go through the public API only: golden scenarios, queueing theory,
//! and properties (conservation, determinism, step-size independence).

use std::path::PathBuf;

use proptest::prelude::*;
use surge_core::{Report, Scenario, SimTime, Simulation};

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// A compact, human-readable summary of a report for snapshots.
fn summary(r: &Report) -> String {
    let mut out = format!(
        "t={:.3}s events={} ledger={:?}\nmean_concurrency={:.4}\n",
        r.time_s, r.events, r.ledger, r.mean_concurrency
    );
    for f in &r.functions {
        out += &format!(
            "{}: throttle_ratio={:.4} mean_conc={:.4} peak={} mean_duration_ms={:.3}\n",
            f.id, f.throttle_ratio, f.mean_concurrency, f.peak_concurrency, f.mean_duration_ms
        );
        for (i, s) in f.series.iter().take(3).enumerate() {
            out += &format!("  second {i}: {s:?}\n");
        }
    }
    out
}

#[test]
fn golden_scenarios() {
    let mut files: Vec<_> = std::fs::read_dir(scenarios_dir())
        .expect("tests/scenarios")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no golden scenarios found");
    for file in files {
        let name = file
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&file).expect("readable");
        let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = Simulation::new(&scenario).expect("valid").run();
        assert!(report.ledger.balances(), "{name}: ledger does not balance");
        insta::assert_snapshot!(name, summary(&report));
    }
}

/// Erlang B blocking probability for `c` servers at offered load `a` Erlangs.
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

#[test]
fn throttling_matches_erlang_b_and_littles_law() {
    // c = 10 slots, 80 req/s of 100 ms (8 Erlangs): Erlang B says 12.17 % are refused.
    let scenario = Scenario::client_to_function(80.0, 10, 100.0, 2_000.0, 3);
    let report = Simulation::new(&scenario).expect("valid").run();
    let expected = erlang_b(10, 8.0);
    assert!((expected - 0.1217).abs() < 1e-4);
    let observed = report.ledger.throttled as f64 / report.ledger.arrived as f64;
    // 160k arrivals: the standard error of the blocking ratio is ~0.15 points.
    assert!(
        (observed - expected).abs() < 0.006,
        "blocked {observed:.4} vs Erlang B {expected:.4}"
    );

    // Little's law: mean concurrency = throughput × mean time in the function.
    let f = &report.functions[0];
    let throughput = f.ledger.succeeded as f64 / report.time_s;
    let little = throughput * f.mean_duration_ms / 1000.0;
    assert!(
        (f.mean_concurrency / little - 1.0).abs() < 0.02,
        "{} vs {little}",
        f.mean_concurrency
    );
}

fn arbitrary_scenario() -> impl Strategy<Value = Scenario> {
    (
        1.0..3_000.0f64,
        1u32..200,
        1.0..2_000.0f64,
        1.0..20.0f64,
        any::<u64>(),
    )
        .prop_map(|(rate, limit, duration_ms, length_s, seed)| {
            Scenario::client_to_function(rate, limit, duration_ms, length_s, seed)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every arrival is accounted for after every event, and time never goes back.
    #[test]
    fn ledger_balances_after_every_event(scenario in arbitrary_scenario()) {
        let mut sim = Simulation::new(&scenario).expect("valid");
        let mut last = SimTime::ZERO;
        while let Some(t) = sim.step() {
            prop_assert!(t >= last);
            last = t;
            prop_assert!(sim.ledger().balances());
        }
        let report = sim.run();
        prop_assert!(report.ledger.balances());
        prop_assert!(report.finished);
        for f in &report.functions {
            prop_assert!(f.peak_concurrency <= f.concurrency_limit);
        }
    }

    /// Same scenario and seed ⇒ the same report, however the run is sliced into steps.
    #[test]
    fn runs_are_deterministic_and_step_size_independent(
        scenario in arbitrary_scenario(),
        slice_ms in 1u64..5_000,
    ) {
        let whole = Simulation::new(&scenario).expect("valid").run().to_json();
        let again = Simulation::new(&scenario).expect("valid").run().to_json();
        prop_assert_eq!(&whole, &again);
        let mut sliced = Simulation::new(&scenario).expect("valid");
        let mut t = SimTime::ZERO;
        while t < sliced.end() {
            t = t + SimTime::from_millis(slice_ms);
            sliced.step_until(t);
            prop_assert!(sliced.ledger().balances());
        }
        prop_assert_eq!(whole, sliced.report().to_json());
    }

    /// Arbitrary JSON-ish input is rejected with errors, never a panic.
    #[test]
    fn random_input_never_panics(text in "\\PC{0,200}") {
        let _ = Scenario::from_json(&text);
    }
}

#[test]
fn mutated_scenarios_are_rejected_or_run_but_never_panic() {
    let base = std::fs::read_to_string(scenarios_dir().join("tiny-throttle.json")).expect("file");
    // Replace each number in turn by extreme values; each result must be Ok or Err.
    let numbers: Vec<(usize, usize)> = {
        let bytes = base.as_bytes();
        let mut spans = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                spans.push((start, i));
            }
            i += 1;
        }
        spans
    };
    for (start, end) in numbers {
        for v in [
            "0",
            "-1",
            "1e308",
            "18446744073709551616",
            "0.0000001",
            "\"x\"",
            "null",
        ] {
            let mutated = format!("{}{v}{}", &base[..start], &base[end..]);
            if let Ok(s) = Scenario::from_json(&mutated) {
                let mut sim = Simulation::new(&s).expect("validated scenarios construct");
                sim.step_until(SimTime::from_secs(2));
                assert!(sim.ledger().balances());
            }
        }
    }
}
