//! The page's views of a run (gauges, series, the event log), checked on real runs: each
//! is recorded here by the worker's own driver and compared with the engine's report.

use surge_core::{Limits, Report, Scenario};

use super::driver::Driver;
use super::gauges::{Health, Outcomes};
use super::log::{LogLine, RECOVERY_S, log_until, thousands};
use super::recording::Recording;
use super::series::{end_to_end, headline, retried_share, series};

/// A run of `scenario` up to `until_s`, as the page records it, and the report then.
fn record(scenario: &Scenario, until_s: f64) -> (Recording, Report) {
    let (mut driver, first) = Driver::load(scenario.clone(), Limits::BROWSER).expect("valid");
    let mut rec = Recording::new(scenario, first, driver.end_s(), driver.frame_step_s());
    loop {
        for f in driver.advance(until_s, || false) {
            rec.push(f);
        }
        if driver.reached(until_s) {
            break;
        }
    }
    (rec, driver.report())
}

#[test]
fn series_from_frames_agree_with_the_report() {
    let scenario = crate::editor::starter();
    let (live, report) = record(&scenario, 1e9);
    let last = live.frames().len() - 1;
    let s = series(live.frames(), 1, last);
    let fn_report = report.node("fn").expect("fn");
    assert_eq!(s.goodput.iter().sum::<f64>() as u64, fn_report.ok);
    assert_eq!(
        s.errors.iter().sum::<f64>() as u64,
        fn_report.errors.total()
    );
    assert_eq!(s.limit, Some(10));
    let h = headline(live.frames(), last);
    assert_eq!(h.ok, report.ledger.succeeded);
    assert!((h.cost_usd - report.cost.total_usd).abs() < 1e-9);
    assert!(s.p99.iter().any(|&p| p > 0.0));
    let e2e = end_to_end(live.frames(), last);
    let throttled: u64 = e2e.by_kind.iter().map(|k| k[1]).sum();
    assert_eq!(throttled, report.ledger.failed.concurrency_throttled);
    assert!(
        h.success_pct() > 70.0 && h.success_pct() < 85.0,
        "{}",
        h.success_pct()
    );
}

#[test]
fn retries_show_as_a_share_of_attempts() {
    let mut scenario = crate::editor::starter();
    if let surge_core::NodeKind::Client(c) = &mut scenario.nodes[0].kind {
        c.retry.max_attempts = 3;
    }
    let (live, _) = record(&scenario, 20.0);
    let share = retried_share(live.frames(), 20);
    // About a fifth of first attempts are refused (Erlang B ≈ 21 %) and retried.
    assert!(share > 0.05 && share < 0.4, "{share}");
    assert_eq!(retried_share(live.frames(), 0), 0.0);
}

#[test]
fn marks_split_like_the_outcomes() {
    let o = Outcomes {
        ok: 1,
        throttled: 3,
        timed_out: 0,
        failed: 0,
    };
    let marks: Vec<_> = (0..4).map(|j| o.mark(j, 4)).collect();
    assert_eq!(marks, ["ok", "throttled", "throttled", "throttled"]);
    assert_eq!(Outcomes::default().mark(0, 3), "ok");
    let t = Outcomes {
        ok: 0,
        throttled: 0,
        timed_out: 2,
        failed: 2,
    };
    assert_eq!((t.mark(0, 2), t.mark(1, 2)), ("timeout", "error"));
}

#[test]
fn health_reads_as_a_state_not_flicker() {
    let scenario = crate::editor::starter();
    let (live, _) = record(&scenario, 20.0);
    let view = live.view(20).expect("frame 20");
    let (id, gauge) = &view.nodes[1];
    assert_eq!(id, "fn");
    assert_eq!(gauge.limit, Some(10));
    // 100 req/s × 0.1 s = 10 Erlangs on 10 slots: busy or saturated, never idle.
    assert_ne!(gauge.health, Health::Ok);
    assert!(gauge.text().starts_with(&format!("{}/10", gauge.level)));
    assert!(live.view(10_000).is_none());
}

#[test]
fn the_log_groups_a_nodes_failures_and_names_them_once_where_they_happen() {
    let preset = crate::presets::find("lesson2-burst-limit1000-current").expect("preset");
    let scenario = Scenario::from_json(preset.json).expect("valid");
    let (live, report) = record(&scenario, 70.0);
    let log = log_until(&scenario, live.frames(), 70, 1);
    let throttles: Vec<&LogLine> = log
        .iter()
        .filter(|l| l.text.contains("concurrency limit"))
        .collect();
    // Named once, at the function (API Gateway only passes the 429s on), by the name on
    // the canvas, and linked to it.
    let fn_name = scenario.nodes[scenario.node_index("fn").expect("fn")].label();
    assert!(
        throttles
            .iter()
            .all(|l| l.node.as_deref() == Some("fn") && l.text.contains(&format!(" {fn_name}: "))),
        "{throttles:?}"
    );
    // The jump to 4,000 req/s at 60 s: throttled every second after it, in one line.
    let after: Vec<_> = throttles.iter().filter(|l| l.time_s > 60).collect();
    assert_eq!(after.len(), 1, "{throttles:?}");
    let line = after[0];
    assert!(
        line.from_s >= 60 && line.from_s <= 62 && line.time_s == 70,
        "{line:?}"
    );
    assert!(
        line.text.contains(" a second, ") && line.text.contains(" in all"),
        "{line:?}"
    );
    assert!(
        log.iter()
            .any(|l| l.text.ends_with(&format!("{fn_name} is saturated"))),
        "{log:?}"
    );
    // The lines agree with the report's totals.
    let total: u64 = throttles.iter().map(|l| l.total).sum();
    let fn_report = report.node("fn").expect("fn");
    assert_eq!(total, fn_report.errors.concurrency_throttled);
    assert_eq!(thousands(1234567), "1,234,567");
    // Cut at an earlier second, the line covers only the seconds up to it.
    let earlier = log_until(&scenario, live.frames(), 65, 1);
    let cut = earlier
        .iter()
        .find(|l| l.text.contains("concurrency limit") && l.time_s > 60)
        .expect("the line so far");
    assert_eq!(cut.time_s, 65);
    assert!(cut.total < line.total);
}

#[test]
fn saturation_is_told_with_hysteresis_and_counts_agree_in_the_singular() {
    // The starter diagram runs near its limit: it may drift in and out, but a recovery is
    // said only after calm seconds, so "saturated" and "recovered" alternate and never
    // twice in a row, and never closer than the calm period.
    let scenario = crate::editor::starter();
    let (live, _) = record(&scenario, 60.0);
    let log = log_until(&scenario, live.frames(), 60, 1);
    let states: Vec<&LogLine> = log
        .iter()
        .filter(|l| l.text.ends_with(" is saturated") || l.text.ends_with(" recovered"))
        .collect();
    for pair in states.windows(2) {
        assert_ne!(
            pair[0].text.ends_with("recovered"),
            pair[1].text.ends_with("recovered"),
            "{states:?}"
        );
        if pair[1].text.ends_with("recovered") {
            assert!(pair[1].time_s >= pair[0].time_s + RECOVERY_S, "{states:?}");
        }
    }
    // Grammar: one cold start is "1 cold start".
    for l in &log {
        assert!(!l.text.contains(": 1 cold starts"), "{l:?}");
    }
}

#[test]
fn a_queue_gauge_shows_its_messages_in_flight() {
    let preset = crate::presets::find("lesson11-queue-buffer").expect("preset");
    let scenario = Scenario::from_json(preset.json).expect("valid");
    let (live, _) = record(&scenario, 30.0);
    let view = live.view(30).expect("a view");
    let (_, queue) = view
        .nodes
        .iter()
        .find(|(id, _)| id == "orders")
        .expect("the queue");
    let frame = &live.frames()[30];
    let orders = frame
        .nodes
        .iter()
        .find(|n| n.id == "orders")
        .expect("orders");
    assert_eq!(queue.in_flight, orders.in_flight);
    assert!(queue.in_flight > 0, "the worker holds messages");
    assert!(
        queue
            .text()
            .contains(&format!("{} in flight", queue.in_flight)),
        "{}",
        queue.text()
    );
}

#[test]
fn a_workflow_run_counts_its_executions_in_the_headline_and_the_log() {
    let preset = crate::presets::find("lesson15-order-workflow").expect("preset");
    let scenario = Scenario::from_json(preset.json).expect("valid");
    let (live, report) = record(&scenario, 600.0);
    let last = live.frames().len() - 1;
    let (started, ok, failed) = headline(live.frames(), last).executions;
    let e = report.executions;
    assert_eq!((started, ok, failed), (e.started, e.succeeded, e.failed));
    assert!(failed > 0 && ok > 50 * failed, "{e:?}");
    // Every line's count (the log keeps the newest 200 lines; grouped, they are few).
    let logged: u64 = log_until(&scenario, live.frames(), last, live.step_s())
        .iter()
        .filter(|l| l.text.contains("executions failed") || l.text.contains("execution failed"))
        .map(|l| l.total)
        .sum();
    assert_eq!(logged, failed);
}

#[test]
fn the_log_names_refused_reads_and_expired_records_and_they_add_up() {
    let preset = crate::presets::find("lesson18-kinesis-consumers").expect("preset");
    let scenario = Scenario::from_json(preset.json).expect("valid");
    let (live, _) = record(&scenario, 60.0);
    let log = log_until(&scenario, live.frames(), 60, 1);
    let refused: u64 = log
        .iter()
        .filter(|l| l.text.contains("reads refused") || l.text.contains("read refused"))
        .map(|l| l.total)
        .sum();
    let last = live.frames()[60].clone();
    let stream = last
        .nodes
        .iter()
        .find(|n| n.id == "events")
        .expect("stream");
    assert!(refused > 0, "{log:?}");
    assert_eq!(refused, stream.reads_refused);

    let poison = crate::presets::find("lesson18-kinesis-poison").expect("preset");
    let scenario = Scenario::from_json(poison.json).expect("valid");
    let (live, report) = record(&scenario, 300.0);
    let log = log_until(&scenario, live.frames(), 300, 1);
    let expired: u64 = log
        .iter()
        .filter(|l| l.text.contains("expired unread"))
        .map(|l| l.total)
        .sum();
    assert!(
        expired > 0,
        "the poison record's shard skips records past their age"
    );
    assert_eq!(expired, report.messages.expired);
}

#[test]
fn alarms_and_circuit_breakers_are_said_in_the_log_when_they_change() {
    let alarms = Scenario::from_json(include_str!(
        "../../../tests/scenarios/lesson20-alarms.json"
    ))
    .expect("lesson 20");
    let (live, report) = record(&alarms, 200.0);
    let log = log_until(&alarms, live.frames(), 200, 1);
    let said: Vec<&LogLine> = log
        .iter()
        .filter(|l| l.text.contains("orders throttles"))
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!(said[0].text, "t=80 s Orders: ALARM “orders throttles”");
    assert_eq!(said[0].node.as_deref(), Some("orders"));
    assert_eq!(said[1].text, "t=140 s Orders: OK “orders throttles”");
    // The same moments as the report's.
    let at: Vec<u64> = report.alarms[0]
        .transitions
        .iter()
        .map(|t| t.at_s as u64)
        .collect();
    assert_eq!(at, [80, 140]);
    let breaker = crate::presets::find("circuit-breaker-outage").expect("preset");
    let breaker = Scenario::from_json(breaker.json).expect("valid");
    let (live, _) = record(&breaker, 140.0);
    let log = log_until(&breaker, live.frames(), 140, 1);
    let circuit: Vec<&str> = log
        .iter()
        .filter(|l| l.text.contains("circuit breaker"))
        .map(|l| l.text.as_str())
        .collect();
    assert!(
        circuit
            .first()
            .is_some_and(|t| t.starts_with("t=61 s fn opened")),
        "{circuit:?}"
    );
    assert!(
        circuit
            .last()
            .is_some_and(|t| t.contains("closed its circuit breaker")),
        "{circuit:?}"
    );
}
