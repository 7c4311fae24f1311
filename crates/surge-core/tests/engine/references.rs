//! The reference walker on random valid scenarios: renaming any node through it equals
//! renaming the id's every occurrence in the text (so it misses no place), keeps the
//! scenario valid, and removing any node leaves no reference dangling.

use proptest::prelude::*;
use surge_core::testing::valid_scenario;
use surge_core::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn renaming_any_node_keeps_a_scenario_valid_and_misses_no_reference(
        s in valid_scenario(),
        pick in any::<prop::sample::Index>(),
    ) {
        let id = s.nodes[pick.index(s.nodes.len())].id.clone();
        let mut walked = s.clone();
        walked.rename_node(&id, "renamed-node");
        prop_assert!(walked.validate().is_ok(), "{:?}", walked.validate());
        // The generator's ids ("f0", "q1", "t0", "m", "api", "c") appear in the JSON only
        // where they are ids: their quoted form is every reference.
        let text = s.to_json().replace(&format!("\"{id}\""), "\"renamed-node\"");
        let texted = Scenario::parse_json(&text).expect("parses");
        // Both through the same JSON reading (floats print and read back the same way).
        let walked = Scenario::parse_json(&walked.to_json()).expect("parses");
        prop_assert_eq!(walked, texted);
    }

    #[test]
    fn removing_any_node_leaves_no_reference_behind(
        s in valid_scenario(),
        pick in any::<prop::sample::Index>(),
    ) {
        let id = s.nodes[pick.index(s.nodes.len())].id.clone();
        let mut t = s.clone();
        t.remove_node_and_refs(&id);
        let mut dangling = Vec::new();
        t.node_refs(|at, r| {
            if t.node_index(r).is_none() {
                dangling.push(at.path);
            }
        });
        prop_assert!(dangling.is_empty(), "removing {}: {:?}", id, dangling);
    }
}
