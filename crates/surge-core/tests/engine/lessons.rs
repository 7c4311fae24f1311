//! The lessons' behaviours emerge from the model (no special cases): burst scaling under
//! both models (lesson 2), Little's law at scale (lesson 1), the connection storm with and
//! without RDS Proxy (lesson 7).

use surge_core::NodeReport;

use super::{node, run, scenario, window_mean};

/// Share of the function's arrivals throttled in seconds `from..to`.
fn throttled_share(f: &NodeReport, from: usize, to: usize) -> f64 {
    let arrivals: u64 = f.series[from..to].iter().map(|s| s.arrivals).sum();
    let throttled: u64 = f.series[from..to].iter().map(|s| s.throttled).sum();
    throttled as f64 / arrivals as f64
}

/// Concurrency reached in second `s` (its peak).
fn peak_at(f: &NodeReport, s: usize) -> u32 {
    f.series[s].peak_in_node
}

#[test]
fn lesson2_limit_1000_throttles_three_quarters_after_the_jump() {
    let r = run(&scenario("lesson2-burst-limit1000-current"));
    let f = node(&r, "fn");
    let share = throttled_share(f, 70, 240);
    assert!(
        (share - 0.75).abs() < 0.02,
        "throttled {share:.3} after the jump"
    );
    assert!(
        throttled_share(f, 10, 60) < 0.05,
        "steady state mostly served"
    );
}

#[test]
fn lesson2_legacy_model_bursts_to_3000_then_adds_500_per_minute() {
    let r = run(&scenario("lesson2-burst-limit4000-legacy"));
    let f = node(&r, "fn");
    let at = |s| peak_at(f, s);
    assert!((2950..=3000).contains(&at(62)), "at once: {}", at(62));
    assert!(
        at(115) <= 3000,
        "still 3,000 just before a minute: {}",
        at(115)
    );
    assert!(
        (3450..=3500).contains(&at(125)),
        "a minute later: {}",
        at(125)
    );
    assert!(
        (3950..=4000).contains(&at(185)),
        "two minutes later: {}",
        at(185)
    );
    assert!(
        throttled_share(f, 200, 240) < 0.05,
        "throttles fade once at 4,000"
    );
}

#[test]
fn lesson2_current_model_reaches_4000_within_30_seconds() {
    let r = run(&scenario("lesson2-burst-limit4000-current"));
    let f = node(&r, "fn");
    let reached = (60..120)
        .find(|&s| peak_at(f, s) >= 3950)
        .expect("reaches 4,000");
    assert!(
        reached <= 90,
        "reached 4,000 at t={reached}s, more than 30 s after the jump"
    );
    assert!(peak_at(f, 62) >= 1900, "+1,000 at once: {}", peak_at(f, 62));
}

#[test]
fn lesson1_3000_rps_of_3s_is_9000_concurrent() {
    let r = run(&scenario("lesson1-littles-law"));
    let f = node(&r, "fn");
    let mean = window_mean(f, 110, 150, |s| s.mean_in_node);
    assert!(
        (mean / 9000.0 - 1.0).abs() < 0.02,
        "mean concurrency {mean:.0}"
    );
}

#[test]
fn lesson7_direct_connections_are_refused_once_concurrency_passes_max_connections() {
    let r = run(&scenario("lesson7-storm-direct"));
    let db = node(&r, "db");
    let f = node(&r, "fn");
    let max = db.limit.expect("max_connections");
    let first = db
        .series
        .iter()
        .position(|s| s.errors > 0)
        .expect("connection errors appear");
    let peak_so_far = f.series[..=first]
        .iter()
        .map(|s| s.peak_in_node)
        .max()
        .unwrap_or(0);
    assert!(
        f64::from(peak_so_far) >= 0.9 * f64::from(max),
        "refusals began at t={first}s with concurrency only {peak_so_far} (max_connections {max})"
    );
    assert!(db.errors.connection_refused > 0);
    assert_eq!(db.errors.total(), db.errors.connection_refused);
    assert_eq!(
        db.peak_connections, max,
        "connections reach max_connections"
    );
    assert!(
        r.ledger.failed.connection_refused > 0,
        "clients see the refusals"
    );
}

#[test]
fn lesson7_proxy_has_no_connection_errors_only_borrow_waits() {
    let r = run(&scenario("lesson7-storm-proxy"));
    let proxy = node(&r, "proxy");
    let db = node(&r, "db");
    assert_eq!(db.errors.connection_refused, 0);
    assert_eq!(r.ledger.failed.total(), 0, "{:?}", r.ledger.failed);
    assert!(
        proxy.mean_queue > 0.0 && proxy.peak_queue > 0,
        "borrow waits appear"
    );
    assert_eq!(
        proxy.errors.borrow_timeout, 0,
        "no borrow timeouts below saturation"
    );
    assert!(db.peak_connections <= proxy.limit.expect("pool size"));
}

#[test]
fn lesson7_a_saturated_pool_times_out_borrowers() {
    let r = run(&scenario("lesson7-storm-proxy-saturated"));
    let proxy = node(&r, "proxy");
    assert!(
        proxy.errors.borrow_timeout > 0,
        "borrow timeouts once the pool is saturated"
    );
    assert_eq!(node(&r, "db").errors.connection_refused, 0);
}
