//! Validation against queueing theory: Erlang B for a function whose concurrency is
//! reserved and provisioned at c (an M/M/c/c loss system), checked with a 99 % confidence
//! interval from batch means.

use surge_core::Scenario;

use super::{node, run};

/// Erlang B blocking probability for `c` servers at offered load `a` Erlangs.
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Student t quantile for 0.995 with 19 degrees of freedom (20 batches).
const T_995_19: f64 = 2.861;

/// Blocking ratio and its 99 % confidence half-width from 20 batches of the series.
fn blocking_with_ci(c: u32, erlangs: f64, mean_ms: f64, seconds: f64, seed: u64) -> (f64, f64) {
    let rate = erlangs / (mean_ms / 1000.0);
    let report = run(&Scenario::client_to_function(
        rate, c, mean_ms, seconds, seed,
    ));
    let f = node(&report, "fn");
    let warmup = 10;
    let usable = &f.series[warmup..];
    let batch = usable.len() / 20;
    let ratios: Vec<f64> = usable
        .chunks(batch)
        .take(20)
        .map(|b| {
            let arrivals: u64 = b.iter().map(|s| s.arrivals).sum();
            let throttled: u64 = b.iter().map(|s| s.throttled).sum();
            throttled as f64 / arrivals as f64
        })
        .collect();
    let mean = ratios.iter().sum::<f64>() / 20.0;
    let var = ratios.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / 19.0;
    (mean, T_995_19 * (var / 20.0).sqrt())
}

#[test]
fn erlang_b_c10_at_8_erlangs() {
    let expected = erlang_b(10, 8.0);
    assert!((expected - 0.1217).abs() < 5e-5, "{expected}");
    let (observed, half) = blocking_with_ci(10, 8.0, 100.0, 1_210.0, 3);
    assert!(
        (observed - expected).abs() <= half,
        "blocked {observed:.4} ± {half:.4}, Erlang B {expected:.4}"
    );
}

#[test]
fn erlang_b_c100_at_90_erlangs() {
    let expected = erlang_b(100, 90.0);
    assert!((expected - 0.0270).abs() < 5e-4, "{expected}");
    let (observed, half) = blocking_with_ci(100, 90.0, 100.0, 410.0, 4);
    assert!(
        (observed - expected).abs() <= half,
        "blocked {observed:.4} ± {half:.4}, Erlang B {expected:.4}"
    );
}
