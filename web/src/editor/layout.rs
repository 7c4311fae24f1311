//! Automatic layout for documents without usable positions (older files, hand-written
//! JSON): layers by call depth, left to right.

use surge_core::{Position, Scenario};

use super::geometry::{GRID, NODE_H, NODE_W};

/// Whether the nodes need laying out: two or more share a position.
pub fn needs_layout(doc: &Scenario) -> bool {
    doc.nodes.iter().enumerate().any(|(i, a)| {
        doc.nodes[i + 1..]
            .iter()
            .any(|b| a.position.x == b.position.x && a.position.y == b.position.y)
    })
}

/// Places every node: a node's layer is one more than the deepest caller's (cycles are
/// cut); nodes in a layer stack downwards in document order.
pub fn auto_layout(doc: &mut Scenario) {
    let n = doc.nodes.len();
    let mut layer = vec![0usize; n];
    // Longest-path layering by relaxation; at most n rounds, so cycles terminate.
    for _ in 0..n {
        let mut changed = false;
        for e in &doc.edges {
            let (Some(a), Some(b)) = (doc.node_index(&e.from), doc.node_index(&e.to)) else {
                continue;
            };
            if layer[b] < layer[a] + 1 && layer[a] + 1 < n {
                layer[b] = layer[a] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut rows = vec![0usize; n.max(1)];
    for (i, node) in doc.nodes.iter_mut().enumerate() {
        let l = layer[i];
        node.position = Position {
            x: 2.0 * GRID + l as f64 * (NODE_W + 4.0 * GRID),
            y: 2.0 * GRID + rows[l] as f64 * (NODE_H + 2.0 * GRID),
        };
        rows[l] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_sit_left_of_callees() {
        let mut doc = Scenario::client_to_function(1.0, 1, 1.0, 1.0, 1);
        for n in &mut doc.nodes {
            n.position = Position::default();
        }
        assert!(needs_layout(&doc));
        auto_layout(&mut doc);
        assert!(!needs_layout(&doc));
        assert!(doc.nodes[0].position.x < doc.nodes[1].position.x);
    }
}
