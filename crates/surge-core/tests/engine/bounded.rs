//! Every scenario ends: random valid scenarios with loops through queues, topics, buckets
//! and functions (recursive loop detection on or off), state machines with zero-time
//! catch loops and huge Maps, backlogs nobody reads and latencies of 0 ms. None may
//! panic, hang or outgrow a small budget; each ends (or stops with a reason), every ledger
//! balances along the way, and a rerun gives the same report.
//!
//! `PROPTEST_CASES` sets the number of cases (1,000 by default here; `cargo xtask fuzz`
//! runs more).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use surge_core::testing::{build, plan};
use surge_core::*;

/// A small budget, so runaway cases stop quickly.
const LIMITS: Limits = Limits {
    max_memory_mib: 8,
    max_steps_per_instant: 200_000,
};

fn every_ledger_balances(sim: &Simulation) -> Result<(), String> {
    let r = sim.report();
    if !r.ledger.balances() {
        return Err(format!("requests {:?}", r.ledger));
    }
    if !r.messages.balances() {
        return Err(format!("messages {:?}", r.messages));
    }
    if !r.async_events.balances() {
        return Err(format!("async {:?}", r.async_events));
    }
    if !r.executions.balances() {
        return Err(format!("executions {:?}", r.executions));
    }
    if !r.deliveries.balances() {
        return Err(format!("deliveries {:?}", r.deliveries));
    }
    Ok(())
}

proptest! {
    #![proptest_config({
        let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000);
        ProptestConfig {
            cases,
            // About 5 % of plans are invalid (and skipped): allow for them in long runs.
            max_global_rejects: cases.max(1024),
            ..ProptestConfig::default()
        }
    })]

    #[test]
    fn random_loops_backlogs_and_state_machines_end_within_the_budget(p in plan()) {
        let s = build(&p);
        prop_assume!(s.validate().is_ok());
        let mut sim = Simulation::with_limits(&s, LIMITS).expect("valid");
        let mut t = 0.0;
        while sim.now() < sim.end() && sim.stopped().is_none() {
            t += 2.0;
            sim.step_until(SimTime::from_secs_f64(t));
            if let Err(e) = every_ledger_balances(&sim) {
                return Err(TestCaseError::fail(format!("at {t} s: {e}")));
            }
            prop_assert!(t <= p.seconds + 2.0, "never finishes");
        }
        let report = sim.report();
        prop_assert!(report.finished || report.stopped.is_some());
        if let Some(stop) = &report.stopped {
            prop_assert!(stop.message.starts_with("stopped at t="), "{}", stop.message);
        }
        // The same scenario and seed give the same run (one case in four: reruns cost).
        if p.seed % 4 == 0 {
            let again = Simulation::with_limits(&s, LIMITS).expect("valid").run();
            prop_assert_eq!(again.digest(), report.digest());
        }
    }
}

#[test]
fn the_generator_reaches_loops_stops_and_big_maps() {
    // The property above is only as good as what it generates: sample the plans and check
    // that each interesting situation occurs.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut stopped_loops, mut budget, mut no_progress, mut maps, mut valid) = (0, 0, 0, 0, 0);
    for _ in 0..150 {
        let p = plan().new_tree(&mut runner).expect("plan").current();
        let s = build(&p);
        if s.validate().is_err() {
            continue;
        }
        valid += 1;
        let r = Simulation::with_limits(&s, LIMITS).expect("valid").run();
        let loop_stops: u64 = r.nodes.iter().map(|n| n.errors.recursive_loop).sum();
        stopped_loops += u32::from(loop_stops > 0);
        match r.stopped.as_ref().map(|s| s.cause) {
            Some(StopCause::MemoryBudget) => budget += 1,
            Some(StopCause::NoProgress) => no_progress += 1,
            None => {}
        }
        maps += u32::from(p.machine.as_ref().is_some_and(|m| m.items == 30_000));
    }
    eprintln!(
        "{valid} valid plans of 150: {stopped_loops} stopped a loop, {budget} hit the budget, {no_progress} made no progress, {maps} had a 30,000-item Map"
    );
    assert!(valid > 60, "only {valid} of 150 plans are valid");
    assert!(stopped_loops > 3, "{stopped_loops} runs stopped a loop");
    assert!(
        budget > 0 && no_progress > 0,
        "budget {budget}, no progress {no_progress}"
    );
    assert!(maps > 2, "{maps} runs with a 30,000-item Map");
}
