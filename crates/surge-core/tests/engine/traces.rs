//! Request traces: kept by rule (slowest, failures, a uniform sample), consistent with the
//! run's own measurements, and free: a traced run's report is the untraced one's.

use surge_core::*;

use super::scenario;

fn traced(name: &str) -> (Report, Vec<Trace>) {
    let mut sim = Simulation::new(&scenario(name)).expect("valid");
    sim.enable_tracing();
    let report = sim.run();
    (report, sim.traces())
}

#[test]
fn tracing_changes_nothing_in_the_report() {
    for name in [
        "lesson7-storm-proxy",
        "lesson13-retry-storm-legacy",
        "circuit-breaker-outage",
    ] {
        let plain = Simulation::new(&scenario(name)).expect("valid").run();
        let (report, traces) = traced(name);
        assert_eq!(report.digest(), plain.digest(), "{name}");
        assert!(!traces.is_empty(), "{name}");
    }
}

#[test]
fn a_traced_requests_hop_times_add_up_to_its_end_to_end_latency() {
    // client → API Gateway → function → RDS Proxy → RDS: one call after another.
    let (report, traces) = traced("lesson7-storm-proxy");
    let mut checked = 0;
    for t in traces
        .iter()
        .filter(|t| t.outcome == TraceOutcome::Ok && t.attempts == 1)
    {
        let e2e = t.end_s - t.start_s;
        let span = |i: usize| &t.spans[i];
        let duration =
            |i: usize| span(i).end_s.expect("a success's calls all ended") - span(i).start_s;
        // Each hop's own time: its duration less the calls it waited for.
        let own: f64 = (0..t.spans.len())
            .map(|i| {
                let children: f64 = (0..t.spans.len())
                    .filter(|&c| span(c).parent == Some(i as u32))
                    .map(duration)
                    .sum();
                duration(i) - children
            })
            .sum();
        assert!(
            (own - e2e).abs() < 1e-6,
            "request {}: Σ hops {own} vs {e2e}",
            t.request
        );
        // The client's attempt spans the request; every call lies within its caller.
        assert_eq!(span(0).parent, None);
        assert!((span(0).start_s - t.start_s).abs() < 1e-9 && (duration(0) - e2e).abs() < 1e-9);
        for (i, s) in t.spans.iter().enumerate().skip(1) {
            let p = span(s.parent.expect("one root per attempt") as usize);
            assert!(
                s.start_s >= p.start_s && s.end_s <= p.end_s,
                "span {i} of {}",
                t.request
            );
        }
        let hops: Vec<&str> = t.spans.iter().map(|s| s.node.as_str()).collect();
        assert_eq!(hops[..2], ["api", "fn"], "{hops:?}");
        assert_eq!((t.depth(0), t.depth(1)), (0, 1));
        checked += 1;
    }
    assert!(checked >= 40, "{checked} traces checked");
    // The slowest kept request is at least as slow as the run's p99.
    let slowest = traces
        .iter()
        .filter(|t| t.reasons.contains(&TraceReason::Slowest))
        .map(|t| (t.end_s - t.start_s) * 1000.0)
        .fold(0.0, f64::max);
    assert!(
        slowest >= report.p99_ms * 0.94,
        "{slowest} vs p99 {}",
        report.p99_ms
    );
}

#[test]
fn traces_keep_the_slowest_some_of_each_failure_and_a_uniform_sample() {
    let (report, traces) = traced("lesson13-retry-storm-legacy");
    let count = |r: TraceReason| traces.iter().filter(|t| t.reasons.contains(&r)).count();
    assert_eq!(count(TraceReason::Slowest), 10);
    assert_eq!(count(TraceReason::Sample), 50);
    let timed_out = traces
        .iter()
        .filter(|t| {
            t.reasons.contains(&TraceReason::Failure) && t.outcome == TraceOutcome::TimedOut
        })
        .count();
    assert_eq!(timed_out, 5, "the first five timeouts");
    // A timed-out request's last attempt was abandoned, not cancelled: its call was still
    // running when the request ended; each attempt is its own root span.
    for t in traces
        .iter()
        .filter(|t| t.outcome == TraceOutcome::TimedOut)
    {
        let roots: Vec<&Span> = t.spans.iter().filter(|s| s.parent.is_none()).collect();
        assert_eq!(roots.len() as u32, t.attempts);
        assert_eq!(roots.last().expect("an attempt").end_s, None, "{t:?}");
    }
    assert!(
        traces
            .iter()
            .all(|t| t.request >= 1 && t.request <= report.ledger.arrived)
    );
    // Sorted by request number, each once.
    assert!(traces.windows(2).all(|w| w[0].request < w[1].request));
}

#[test]
fn a_cold_start_is_marked_on_its_span() {
    let (_, traces) = traced("lesson1-littles-law");
    let cold: Vec<&Span> = traces
        .iter()
        .flat_map(|t| &t.spans)
        .filter(|s| s.cold_start_ms > 0.0)
        .collect();
    assert!(!cold.is_empty());
    assert!(
        cold.iter()
            .all(|s| s.node == "fn" && s.cold_start_ms < 30_000.0)
    );
}
