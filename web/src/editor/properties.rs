//! Copy and paste keep any scenario valid: random valid scenarios (every kind of node
//! reference, loops, state machines), a random selection copied and pasted, and the
//! result still validates, with each copy's references pointing at the copies.

use proptest::prelude::*;
use surge_core::testing::valid_scenario;

use super::{Editor, EditorAction, SelectOp};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn copy_and_paste_of_any_selection_keeps_a_scenario_valid(
        s in valid_scenario(),
        mask in any::<u64>(),
    ) {
        let picked: Vec<String> = s
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| mask >> (i % 64) & 1 == 1)
            .map(|(_, n)| n.id.clone())
            .collect();
        prop_assume!(!picked.is_empty());
        let before = s.nodes.len();
        let ed = Editor::new(s, false)
            .apply(EditorAction::Select(SelectOp::Only(picked.clone())))
            .apply(EditorAction::Copy)
            .apply(EditorAction::Paste)
            .apply(EditorAction::Paste);
        prop_assert_eq!(ed.doc.nodes.len(), before + 2 * picked.len());
        prop_assert!(ed.doc.validate().is_ok(), "{:?}", ed.doc.validate());
        // A copy never points at an original that was copied with it.
        let copies: Vec<usize> = (before..ed.doc.nodes.len()).collect();
        let mut wrong = Vec::new();
        ed.doc.node_refs(|at, id| {
            if at.node.is_some_and(|i| copies.contains(&i)) && picked.contains(id) {
                wrong.push((at.path, id.clone()));
            }
        });
        prop_assert!(wrong.is_empty(), "{:?}", wrong);
        // No pasted node covers another.
        let rects: Vec<_> = ed.doc.nodes.iter().map(|n| super::geometry::node_rect(n.position)).collect();
        for i in before..rects.len() {
            prop_assert!(!(0..rects.len()).any(|j| j != i && rects[i].intersects(&rects[j])), "copy {i} lands on a node");
        }
    }
}
