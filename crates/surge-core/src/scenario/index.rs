//! Lookups over a scenario's ids, built once: node by id, edges by caller, edge by pair.
//!
//! Why: validation and the engine's setup ask "which node is `db`?" and "is there an edge
//! from `fn` to `q`?" for every node, step, Task and fault. Scanning the lists each time
//! made validation quadratic (100,000 edges took a minute); with these tables every
//! question costs O(log n), so a scenario of any allowed size validates in well under a
//! second. Ordered maps only: the core never iterates in hash order.

use std::collections::BTreeMap;

use super::Scenario;

/// Ids resolved to positions, for one scenario.
#[derive(Debug)]
pub(crate) struct Index<'a> {
    /// Every node's id, by position.
    ids: Vec<&'a str>,
    /// The first node with each id.
    by_id: BTreeMap<&'a str, usize>,
    /// Each edge's endpoints, as node positions where they resolve.
    pub(crate) ends: Vec<(Option<usize>, Option<usize>)>,
    /// Edge positions by calling node, in edge order.
    pub(crate) outgoing: Vec<Vec<usize>>,
    /// The first edge of each (caller, callee) pair.
    pairs: BTreeMap<(usize, usize), usize>,
}

impl<'a> Index<'a> {
    pub(crate) fn new(s: &'a Scenario) -> Self {
        let mut by_id = BTreeMap::new();
        for (i, n) in s.nodes.iter().enumerate() {
            by_id.entry(n.id.as_str()).or_insert(i);
        }
        let mut outgoing = vec![Vec::new(); s.nodes.len()];
        let mut pairs = BTreeMap::new();
        let ends = s
            .edges
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let (from, to) = (
                    by_id.get(e.from.as_str()).copied(),
                    by_id.get(e.to.as_str()).copied(),
                );
                if let Some(f) = from {
                    outgoing[f].push(k);
                }
                if let (Some(f), Some(t)) = (from, to) {
                    pairs.entry((f, t)).or_insert(k);
                }
                (from, to)
            })
            .collect();
        Index {
            ids: s.nodes.iter().map(|n| n.id.as_str()).collect(),
            by_id,
            ends,
            outgoing,
            pairs,
        }
    }

    /// The position of the (first) node with this id.
    pub(crate) fn node(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The id of the node at `i`.
    pub(crate) fn id(&self, i: usize) -> &'a str {
        self.ids[i]
    }

    /// The first edge from node `from` to the node with id `to`.
    pub(crate) fn edge(&self, from: usize, to: &str) -> Option<usize> {
        let to = self.node(to)?;
        self.pairs.get(&(from, to)).copied()
    }

    /// The first edge from node `from` to node `to`.
    pub(crate) fn edge_between(&self, from: usize, to: usize) -> Option<usize> {
        self.pairs.get(&(from, to)).copied()
    }
}
