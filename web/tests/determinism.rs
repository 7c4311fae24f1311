//! Same scenario + seed ⇒ byte-identical report in wasm and natively: the core compiled
//! to wasm32 must reproduce the digests the native golden test records, and the result
//! codes of workshop exercises' reference solutions (a student's browser and an
//! instructor's `surge check` must agree).

#![cfg(target_arch = "wasm32")]

use surge_core::{Scenario, Simulation};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DIGESTS: &str = include_str!("../../tests/scenarios/digests.txt");

/// Every golden scenario (a tidy test in `crates/xtask` checks this list against
/// `tests/scenarios/`).
const SCENARIOS: [(&str, &str); 48] = [
    (
        "lesson8-secret-per-call-today",
        include_str!("../../tests/scenarios/lesson8-secret-per-call-today.json"),
    ),
    (
        "lesson9-vendor-s3-direct",
        include_str!("../../tests/scenarios/lesson9-vendor-s3-direct.json"),
    ),
    (
        "lesson9-vendor-queue",
        include_str!("../../tests/scenarios/lesson9-vendor-queue.json"),
    ),
    (
        "lesson19-batch-of-1",
        include_str!("../../tests/scenarios/lesson19-batch-of-1.json"),
    ),
    (
        "lesson19-batch-of-10",
        include_str!("../../tests/scenarios/lesson19-batch-of-10.json"),
    ),
    (
        "lesson20-no-alarms",
        include_str!("../../tests/scenarios/lesson20-no-alarms.json"),
    ),
    (
        "lesson14-cron-all-new-records",
        include_str!("../../tests/scenarios/lesson14-cron-all-new-records.json"),
    ),
    (
        "lesson14-cron-sliced",
        include_str!("../../tests/scenarios/lesson14-cron-sliced.json"),
    ),
    (
        "lesson17-whole-batch",
        include_str!("../../tests/scenarios/lesson17-whole-batch.json"),
    ),
    (
        "lesson17-partial-batch",
        include_str!("../../tests/scenarios/lesson17-partial-batch.json"),
    ),
    (
        "lesson3-fast-dependency",
        include_str!("../../tests/scenarios/lesson3-fast-dependency.json"),
    ),
    (
        "lesson3-slow-dependency",
        include_str!("../../tests/scenarios/lesson3-slow-dependency.json"),
    ),
    (
        "lesson4-memory-512mb",
        include_str!("../../tests/scenarios/lesson4-memory-512mb.json"),
    ),
    (
        "lesson4-memory-1769mb",
        include_str!("../../tests/scenarios/lesson4-memory-1769mb.json"),
    ),
    (
        "lesson5-neighbour-shared",
        include_str!("../../tests/scenarios/lesson5-neighbour-shared.json"),
    ),
    (
        "lesson5-neighbour-reserved",
        include_str!("../../tests/scenarios/lesson5-neighbour-reserved.json"),
    ),
    (
        "lesson6-cold-starts-on-demand",
        include_str!("../../tests/scenarios/lesson6-cold-starts-on-demand.json"),
    ),
    (
        "lesson6-cold-starts-provisioned",
        include_str!("../../tests/scenarios/lesson6-cold-starts-provisioned.json"),
    ),
    (
        "lesson8-secret-per-call",
        include_str!("../../tests/scenarios/lesson8-secret-per-call.json"),
    ),
    (
        "lesson8-secret-at-init",
        include_str!("../../tests/scenarios/lesson8-secret-at-init.json"),
    ),
    (
        "lesson10-sync-29s",
        include_str!("../../tests/scenarios/lesson10-sync-29s.json"),
    ),
    (
        "lesson10-async-poll",
        include_str!("../../tests/scenarios/lesson10-async-poll.json"),
    ),
    (
        "lesson10-async-callback",
        include_str!("../../tests/scenarios/lesson10-async-callback.json"),
    ),
    (
        "lesson10-async-websocket",
        include_str!("../../tests/scenarios/lesson10-async-websocket.json"),
    ),
    (
        "lesson16-shared-pool",
        include_str!("../../tests/scenarios/lesson16-shared-pool.json"),
    ),
    (
        "lesson16-shuffle-sharding",
        include_str!("../../tests/scenarios/lesson16-shuffle-sharding.json"),
    ),
    (
        "lesson16-backpressure-depth",
        include_str!("../../tests/scenarios/lesson16-backpressure-depth.json"),
    ),
    (
        "lesson16-backpressure-none",
        include_str!("../../tests/scenarios/lesson16-backpressure-none.json"),
    ),
    (
        "lesson20-alarms",
        include_str!("../../tests/scenarios/lesson20-alarms.json"),
    ),
    (
        "circuit-breaker-outage",
        include_str!("../../tests/scenarios/circuit-breaker-outage.json"),
    ),
    (
        "lesson12-shedding-admission",
        include_str!("../../tests/scenarios/lesson12-shedding-admission.json"),
    ),
    (
        "lesson12-shedding-deadlines",
        include_str!("../../tests/scenarios/lesson12-shedding-deadlines.json"),
    ),
    (
        "lesson12-shedding-none",
        include_str!("../../tests/scenarios/lesson12-shedding-none.json"),
    ),
    (
        "lesson1-littles-law",
        include_str!("../../tests/scenarios/lesson1-littles-law.json"),
    ),
    (
        "lesson11-queue-buffer",
        include_str!("../../tests/scenarios/lesson11-queue-buffer.json"),
    ),
    (
        "lesson13-retry-storm-legacy",
        include_str!("../../tests/scenarios/lesson13-retry-storm-legacy.json"),
    ),
    (
        "lesson13-retry-storm-standard",
        include_str!("../../tests/scenarios/lesson13-retry-storm-standard.json"),
    ),
    (
        "lesson15-order-workflow",
        include_str!("../../tests/scenarios/lesson15-order-workflow.json"),
    ),
    (
        "lesson18-kinesis-consumers",
        include_str!("../../tests/scenarios/lesson18-kinesis-consumers.json"),
    ),
    (
        "lesson18-kinesis-poison",
        include_str!("../../tests/scenarios/lesson18-kinesis-poison.json"),
    ),
    (
        "lesson2-burst-limit1000-current",
        include_str!("../../tests/scenarios/lesson2-burst-limit1000-current.json"),
    ),
    (
        "lesson2-burst-limit4000-current",
        include_str!("../../tests/scenarios/lesson2-burst-limit4000-current.json"),
    ),
    (
        "lesson2-burst-limit4000-legacy",
        include_str!("../../tests/scenarios/lesson2-burst-limit4000-legacy.json"),
    ),
    (
        "lesson7-storm-direct",
        include_str!("../../tests/scenarios/lesson7-storm-direct.json"),
    ),
    (
        "lesson7-storm-proxy",
        include_str!("../../tests/scenarios/lesson7-storm-proxy.json"),
    ),
    (
        "lesson7-storm-proxy-saturated",
        include_str!("../../tests/scenarios/lesson7-storm-proxy-saturated.json"),
    ),
    (
        "steady-under-limit",
        include_str!("../../tests/scenarios/steady-under-limit.json"),
    ),
    (
        "tiny-throttle",
        include_str!("../../tests/scenarios/tiny-throttle.json"),
    ),
];

#[wasm_bindgen_test]
fn wasm_reports_match_native_digests() {
    for (name, json) in SCENARIOS {
        let scenario = Scenario::from_json(json).expect("valid golden scenario");
        let digest = Simulation::new(&scenario).expect("valid").run().digest();
        // Names match exactly (one golden's name may begin another's).
        let expected = DIGESTS
            .lines()
            .find_map(|l| match l.split_once(' ') {
                Some((n, d)) if n == name => Some(d.trim()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name} missing from digests.txt"));
        assert_eq!(
            digest, expected,
            "{name}: wasm report differs from the native one"
        );
    }
}

const CODES: &str = include_str!("../../tests/exercises/codes.txt");

/// The two exercises quickest to grade (a debug wasm build grades the others too slowly
/// for the browser test driver, which gives a blocked page 20 s); the code is computed by
/// the same functions for every exercise.
const EXERCISES: [(&str, &str, &str); 2] = [
    (
        "fix-the-vendor-meltdown",
        include_str!("../../tests/exercises/fix-the-vendor-meltdown/exercise.json"),
        include_str!("../../tests/exercises/fix-the-vendor-meltdown/solution.json"),
    ),
    (
        "poison-record",
        include_str!("../../tests/exercises/poison-record/exercise.json"),
        include_str!("../../tests/exercises/poison-record/solution.json"),
    ),
];

#[wasm_bindgen_test]
fn wasm_result_codes_match_the_native_ones() {
    for (id, exercise, solution) in EXERCISES {
        let e = surge_core::exercise::Exercise::from_json(exercise).expect("exercise");
        let s = Scenario::from_json(solution).expect("solution");
        let code = e
            .grade(&s)
            .code
            .unwrap_or_else(|| panic!("{id} does not pass in wasm"));
        assert!(
            CODES.lines().any(|l| l == format!("{id} {code}")),
            "{id}: wasm gives {code}"
        );
    }
}
