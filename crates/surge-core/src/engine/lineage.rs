//! Lambda's recursive loop detection: how many times each function has run in one chain
//! of events, so the 17th invocation of a function in the same chain can be stopped.
//!
//! Why per function: AWS counts, in the trace header an event carries through SQS, SNS,
//! S3 and Lambda itself, how many times each function was invoked by that chain (the
//! header's lineage); when a function would run a 17th time in one chain, Lambda stops
//! the invocation (`RecursiveInvocationException`). A pipeline of twenty different
//! functions is not a loop; a function feeding its own queue is.
//!
//! Representation: a lineage is a sorted list of (function, count) pairs, interned once
//! in a table; every call, message, async event and notification carries the 4-byte id of
//! its lineage (0: empty). Only functions that sit on a cycle of such services are ever
//! counted (elsewhere a function cannot come round again), and counts stop at 17, so the
//! table stays small; runs without loops never touch it.

use std::collections::BTreeMap;

/// Invocations of one function a chain may make; the next is stopped.
pub(crate) const MAX_IN_CHAIN: u8 = 16;

/// The empty lineage (an event no function has handled yet).
pub(crate) const NO_LINEAGE: u32 = 0;

/// The client request whose long work an event is (a submit with an async result), by
/// request slot and generation, so a result for a request that has ended (its slot
/// reused) is recognised and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Job {
    pub(crate) req: u32,
    pub(crate) generation: u32,
}

impl Job {
    /// Work no client waits on for a result.
    pub(crate) const NONE: Job = Job {
        req: u32::MAX,
        generation: 0,
    };

    /// Whether a client waits on this work's result.
    pub(crate) fn is_some(self) -> bool {
        self.req != u32::MAX
    }
}

/// What travels with every call, message, async event and notification: its lineage and
/// its job. Kept together so that wherever one is passed on, the other is too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chain {
    pub(crate) lineage: u32,
    pub(crate) job: Job,
}

impl Chain {
    /// A new chain: no function has run in it and no client waits on it.
    pub(crate) const NONE: Chain = Chain {
        lineage: NO_LINEAGE,
        job: Job::NONE,
    };
}

impl Default for Chain {
    fn default() -> Self {
        Chain::NONE
    }
}

/// Past this many distinct lineages, chains stop being counted further (the memory budget
/// still bounds a run that grows).
const MAX_LINEAGES: usize = 1 << 16;

/// The interned lineages of one run.
#[derive(Debug)]
pub(crate) struct Lineages {
    lists: Vec<Box<[(u32, u8)]>>,
    by_list: BTreeMap<Box<[(u32, u8)]>, u32>,
    /// (lineage, function) → the lineage after the function runs once more.
    next: BTreeMap<(u32, u32), u32>,
}

impl Default for Lineages {
    fn default() -> Self {
        let empty: Box<[(u32, u8)]> = Box::new([]);
        Lineages {
            lists: vec![empty.clone()],
            by_list: BTreeMap::from([(empty, NO_LINEAGE)]),
            next: BTreeMap::new(),
        }
    }
}

impl Lineages {
    /// How many times `function` already ran in `lineage`.
    pub(crate) fn count(&self, lineage: u32, function: u32) -> u8 {
        let list = &self.lists[lineage as usize];
        list.binary_search_by_key(&function, |&(f, _)| f)
            .map_or(0, |i| list[i].1)
    }

    /// The lineage of an event that `function` handles within `lineage`.
    pub(crate) fn extend(&mut self, lineage: u32, function: u32) -> u32 {
        if let Some(&l) = self.next.get(&(lineage, function)) {
            return l;
        }
        let mut list = self.lists[lineage as usize].to_vec();
        match list.binary_search_by_key(&function, |&(f, _)| f) {
            Ok(i) => list[i].1 = list[i].1.saturating_add(1).min(MAX_IN_CHAIN + 1),
            Err(i) => list.insert(i, (function, 1)),
        }
        let list = list.into_boxed_slice();
        let id = match self.by_list.get(&list) {
            Some(&id) => id,
            None if self.lists.len() >= MAX_LINEAGES => return lineage,
            None => {
                let id = self.lists.len() as u32;
                self.lists.push(list.clone());
                self.by_list.insert(list, id);
                id
            }
        };
        self.next.insert((lineage, function), id);
        id
    }

    /// Distinct lineages so far.
    pub(crate) fn len(&self) -> usize {
        self.lists.len()
    }
}

/// Which nodes sit on a cycle that events can travel around (Lambda, SQS, SNS and S3, with
/// dead-letter queues, on-failure destinations and priority splits): `succ[v]` lists
/// where an event at `v` can go next. Tarjan's strongly connected components, iteratively.
pub(crate) fn on_cycle(succ: &[Vec<usize>]) -> Vec<bool> {
    let n = succ.len();
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut result = vec![false; n];
    let mut counter = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, next successor to look at)
        let mut work = vec![(root, 0usize)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                if index[w] == UNSEEN {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = members.len() > 1 || succ[v].contains(&v);
                for w in members {
                    result[w] = cyclic;
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_per_function_and_stop_growing_past_the_limit() {
        let mut l = Lineages::default();
        let mut a = NO_LINEAGE;
        for _ in 0..40 {
            a = l.extend(a, 7);
            a = l.extend(a, 3);
        }
        assert_eq!(l.count(a, 7), MAX_IN_CHAIN + 1);
        assert_eq!(l.count(a, 3), MAX_IN_CHAIN + 1);
        assert_eq!(l.count(a, 5), 0);
        // The same chain again reuses the table.
        let before = l.len();
        let mut b = NO_LINEAGE;
        for _ in 0..40 {
            b = l.extend(b, 7);
            b = l.extend(b, 3);
        }
        assert_eq!((a, l.len()), (b, before));
    }

    #[test]
    fn cycles_are_found_and_chains_are_not() {
        // 0 → 1 → 2 → 1 (a loop), 3 → 3 (a self-loop), 4 → 0 (a chain into the loop).
        let succ = vec![vec![1], vec![2], vec![1], vec![3], vec![0]];
        assert_eq!(on_cycle(&succ), [false, true, true, true, false]);
    }
}
