//! Same scenario + seed ⇒ byte-identical report in wasm and natively: the core compiled
//! to wasm32 must reproduce the digests the native golden test records.

#![cfg(target_arch = "wasm32")]

use surge_core::{Scenario, Simulation};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DIGESTS: &str = include_str!("../../tests/scenarios/digests.txt");

const SCENARIOS: [(&str, &str); 4] = [
    (
        "tiny-throttle",
        include_str!("../../tests/scenarios/tiny-throttle.json"),
    ),
    (
        "steady-under-limit",
        include_str!("../../tests/scenarios/steady-under-limit.json"),
    ),
    (
        "lesson7-storm-direct",
        include_str!("../../tests/scenarios/lesson7-storm-direct.json"),
    ),
    (
        "lesson7-storm-proxy",
        include_str!("../../tests/scenarios/lesson7-storm-proxy.json"),
    ),
];

#[wasm_bindgen_test]
fn wasm_reports_match_native_digests() {
    for (name, json) in SCENARIOS {
        let scenario = Scenario::from_json(json).expect("valid golden scenario");
        let digest = Simulation::new(&scenario).expect("valid").run().digest();
        let expected = DIGESTS
            .lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
            .unwrap_or_else(|| panic!("{name} missing from digests.txt"));
        assert_eq!(
            digest, expected,
            "{name}: wasm report differs from the native one"
        );
    }
}
