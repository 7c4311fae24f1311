//! Every scenario in `tests/scenarios/` runs, balances its ledger, obeys Little's law on
//! every node, matches its snapshot, and gives the digest recorded in `digests.txt` (the
//! browser test checks the same digests in wasm: same scenario + seed ⇒ same bytes).

use std::fmt::Write;

use surge_core::Report;

use super::{golden_names, run, scenario, scenarios_dir};

/// What the findings rules must say about the goldens: each lesson's "before" names its
/// problem and its "after" does not; a healthy run says nothing at all.
const FINDINGS: &[(&str, &str, bool)] = &[
    (
        "lesson2-burst-limit1000-current",
        "concurrency_throttled",
        true,
    ),
    ("lesson3-fast-dependency", "concurrency_throttled", false),
    ("lesson3-slow-dependency", "concurrency_throttled", true),
    ("lesson5-neighbour-shared", "concurrency_throttled", true),
    ("lesson6-cold-starts-on-demand", "cold_starts", true),
    ("lesson6-cold-starts-provisioned", "cold_starts", false),
    ("lesson7-storm-direct", "connections_refused", true),
    ("lesson8-secret-per-call", "service_throttled", true),
    ("lesson8-secret-at-init", "service_throttled", false),
    ("lesson8-secret-per-call-today", "service_throttled", false),
    ("lesson9-vendor-s3-direct", "async_events_lost", true),
    ("lesson9-vendor-s3-direct", "service_throttled", true),
    ("lesson9-vendor-queue", "async_events_lost", false),
    ("lesson7-storm-proxy", "connections_refused", false),
    ("lesson7-storm-proxy-saturated", "borrow_timeouts", true),
    ("lesson10-sync-29s", "integration_timeout", true),
    ("lesson10-sync-29s", "wasted_work", true),
    ("lesson10-async-callback", "integration_timeout", false),
    ("lesson10-async-websocket", "wasted_work", false),
    ("lesson12-shedding-none", "client_timeouts", true),
    ("lesson12-shedding-admission", "client_timeouts", false),
    ("lesson13-retry-storm-legacy", "retry_amplification", true),
    (
        "lesson13-retry-storm-standard",
        "retry_amplification",
        false,
    ),
    ("lesson14-cron-all-new-records", "function_timeouts", true),
    ("lesson14-cron-all-new-records", "reprocessed_records", true),
    ("lesson14-cron-sliced", "function_timeouts", false),
    ("lesson14-cron-sliced", "reprocessed_records", false),
    ("lesson16-backpressure-none", "queue_backlog", true),
    ("lesson16-backpressure-depth", "queue_backlog", false),
    ("lesson18-kinesis-poison", "iterator_age", true),
    ("lesson17-whole-batch", "duplicate_deliveries", true),
    ("lesson17-partial-batch", "duplicate_deliveries", false),
    ("lesson20-no-alarms", "alarms", false),
    ("lesson20-alarms", "alarms", true),
    ("circuit-breaker-outage", "failed_requests", true),
];

/// Goldens where no rule may fire.
const HEALTHY: &[&str] = &[
    "steady-under-limit",
    "lesson7-storm-proxy",
    "lesson3-fast-dependency",
    "lesson4-memory-512mb",
    "lesson4-memory-1769mb",
    "lesson6-cold-starts-provisioned",
    "lesson8-secret-at-init",
    "lesson19-batch-of-1",
    "lesson19-batch-of-10",
];

/// A compact, human-readable summary of a report for snapshots.
fn summary(r: &Report) -> String {
    let mut out = String::new();
    let l = &r.ledger;
    let _ = writeln!(
        out,
        "t={:.1}s events={} arrived={} succeeded={} failed={} timed_out={} in_flight={} retries={}",
        r.time_s,
        r.events,
        l.arrived,
        l.succeeded,
        l.failed.total(),
        l.timed_out,
        l.in_flight,
        l.retries
    );
    // Only the kinds that occurred, so adding a kind does not touch every snapshot.
    let kinds = serde_json::to_value(l.failed).unwrap_or_default();
    let nonzero: Vec<String> = kinds
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.as_u64() != Some(0))
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(out, "failed by kind: {}", nonzero.join(" "));
    let _ = writeln!(
        out,
        "goodput={:.2}/s throughput={:.2}/s p50={:.1}ms p99={:.1}ms cost=${:.4}",
        r.goodput_per_s, r.throughput_per_s, r.p50_ms, r.p99_ms, r.cost.total_usd
    );
    if r.messages.sent > 0 {
        let _ = writeln!(out, "messages: {:?}", r.messages);
    }
    if r.async_events.accepted > 0 {
        let _ = writeln!(out, "async events: {:?}", r.async_events);
    }
    for n in r.nodes.iter().filter(|n| n.kind != "client") {
        let _ = writeln!(
            out,
            "{} ({}): arrivals={} ok={} errors={} orphaned={} cold={} mean_in={:.2} peak_in={} mean_q={:.2} peak_conn={} p99={:.1}ms",
            n.id,
            n.kind,
            n.arrivals,
            n.ok,
            n.errors.total(),
            n.orphaned,
            n.cold_starts,
            n.mean_in_node,
            n.peak_in_node,
            n.mean_queue,
            n.peak_connections,
            n.p99_ms
        );
    }
    // What the page says about the run: the findings, rule by rule.
    for f in surge_core::findings(r) {
        let _ = writeln!(
            out,
            "finding {} [{}{}]: {}",
            f.rule,
            f.node.as_deref().unwrap_or("run"),
            f.at_s.map_or(String::new(), |t| format!(" t={t:.0}")),
            f.text
        );
    }
    out
}

#[test]
fn golden_scenarios_snapshot_balance_and_obey_littles_law() {
    let digests = std::fs::read_to_string(scenarios_dir().join("digests.txt")).unwrap_or_default();
    let mut current = String::new();
    let mut mismatched = Vec::new();
    for name in golden_names() {
        let report = run(&scenario(&name));
        assert!(
            report.ledger.balances(),
            "{name}: ledger does not balance: {:?}",
            report.ledger
        );
        for n in report
            .nodes
            .iter()
            .filter(|n| n.kind != "client" && n.ok + n.errors.total() > 1000)
        {
            // Little's law with completed calls' times holds for a node that drained; one
            // still holding more than 1 % of its completions at the end (lesson 13's
            // metastable storm keeps 100,000 calls in the service) is skipped.
            let residual = n.series.last().map_or(0.0, |s| s.mean_in_node);
            if residual > 0.01 * (n.ok + n.errors.total()) as f64 {
                continue;
            }
            let little = n.throughput_per_s * n.mean_time_in_node_ms / 1000.0;
            let err = (n.mean_in_node - little).abs() / n.mean_in_node.max(1e-9);
            assert!(
                err < 0.02,
                "{name}/{}: L={} but λW={little} ({:.2}% off)",
                n.id,
                n.mean_in_node,
                err * 100.0
            );
        }
        // A finding points only at what the report has: a node of it, a moment within it.
        for f in surge_core::findings(&report) {
            if let Some(n) = &f.node {
                assert!(report.node(n).is_some(), "{name}: {f:?}");
            }
            assert!(
                f.at_s.is_none_or(|t| (0.0..=report.time_s).contains(&t)),
                "{name}: {f:?}"
            );
        }
        let rules: Vec<String> = surge_core::findings(&report)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        if HEALTHY.contains(&name.as_str()) {
            assert!(rules.is_empty(), "{name} is healthy, yet: {rules:?}");
        }
        for &(golden, rule, fires) in FINDINGS {
            if golden == name {
                assert_eq!(
                    rules.iter().any(|r| r == rule),
                    fires,
                    "{name}: {rule} should {}fire; it found {rules:?}",
                    if fires { "" } else { "not " }
                );
            }
        }
        insta::assert_snapshot!(name.clone(), summary(&report));
        let d = report.digest();
        let _ = writeln!(current, "{name} {d}");
        if !digests.lines().any(|l| l == format!("{name} {d}")) {
            mismatched.push(name);
        }
    }
    assert!(
        mismatched.is_empty(),
        "report digests changed for {mismatched:?}; if intended, write this to tests/scenarios/digests.txt:\n{current}"
    );
}

#[test]
fn the_committed_json_schema_is_current() {
    let path = scenarios_dir().join("../../docs/scenario.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = surge_core::json_schema();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "docs/scenario.schema.json is stale: run `cargo run -p surge-cli -- schema > docs/scenario.schema.json`"
    );
}
