//! A worker pool with shuffle sharding: each tenant's calls go to the least busy of its
//! own `k` of the pool's `n` workers.
//!
//! Why a tenant's shard comes from a hash of its key and not from the run's PRNG: the shard
//! must be the same whenever the tenant shows up, and drawing it must not shift the run's
//! random stream. The pool also measures who suffers when one tenant is noisy: tenants are
//! grouped by how many workers they share with the busiest tenant, and the report gives
//! each group's calls, refusals and time at the pool, beside the overlap distribution of
//! the assignment and the one shuffle sharding predicts, C(k, j)·C(n−k, k−j)/C(n, k).

use std::collections::{BTreeMap, VecDeque};

use super::{CallId, CallState, NodeRt, Parent, Simulation};
use crate::report::{ErrorKind, OverlapClass, PoolReport, WorkerReport};
use crate::scenario::WorkerPoolParams;
use crate::time::SimTime;

/// Tenants whose pairs are counted for the overlap distribution (the first seen).
const OVERLAP_TENANTS: usize = 2_000;

#[derive(Debug, Default, Clone)]
struct Worker {
    busy: u32,
    waiting: VecDeque<CallId>,
    served: u64,
    shed: u64,
    peak_waiting: u32,
}

/// One tenant's figures at the pool.
#[derive(Debug, Default, Clone, Copy)]
struct TenantStats {
    calls: u64,
    shed: u64,
    time_ns: u128,
    done: u64,
}

#[derive(Debug)]
pub(crate) struct PoolRt {
    n: u32,
    k: u32,
    concurrency: u32,
    service_mean_s: f64,
    max_queue: u32,
    seed: u64,
    workers: Vec<Worker>,
    /// Per tenant key (client node, tenant number): its figures.
    tenants: BTreeMap<(u32, u32), TenantStats>,
}

/// SplitMix64: a fixed, well-mixed hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `k` distinct workers of `n` that a tenant key is given (in draw order).
pub(crate) fn shard(seed: u64, key: (u32, u32), n: u32, k: u32) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(k as usize);
    let mut h = mix(seed ^ (u64::from(key.0) << 32 | u64::from(key.1)));
    while out.len() < k.min(n) as usize {
        h = mix(h);
        let w = (h % u64::from(n)) as u32;
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// C(n, r) as a float (exact for the sizes a pool has).
fn choose(n: u32, r: u32) -> f64 {
    if r > n {
        return 0.0;
    }
    (0..r).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
}

/// The share of tenant pairs that shuffle sharding predicts share exactly `j` workers.
pub(crate) fn expected_overlap(n: u32, k: u32) -> Vec<f64> {
    (0..=k)
        .map(|j| choose(k, j) * choose(n - k, k - j) / choose(n, k))
        .collect()
}

impl PoolRt {
    pub(crate) fn new(p: &WorkerPoolParams, seed: u64) -> Self {
        PoolRt {
            n: p.workers,
            k: p.per_tenant.min(p.workers),
            concurrency: p.concurrency,
            service_mean_s: p.service_ms / 1000.0,
            max_queue: p.max_queue,
            seed,
            workers: vec![Worker::default(); p.workers as usize],
            tenants: BTreeMap::new(),
        }
    }
}

impl Simulation {
    fn pool(&mut self, node: usize) -> &mut PoolRt {
        match &mut self.nodes[node] {
            NodeRt::Pool(p) => p,
            _ => unreachable!("pool node"),
        }
    }

    /// The tenant a call belongs to: its request's client and tenant number (calls not
    /// made for a client's request all belong to one tenant of their caller's node).
    fn tenant_of(&self, call: CallId) -> (u32, u32) {
        let mut c = call;
        for _ in 0..64 {
            match self.calls[c].parent {
                Parent::Call(p) => c = p,
                Parent::Client(req) => return self.req_tenant(req),
                _ => break,
            }
        }
        (u32::MAX, self.calls[c].node)
    }

    pub(super) fn pool_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node as usize;
        let key = self.tenant_of(call);
        let extra = self.fault_state[node].extra_latency;
        let pool = self.pool(node);
        let shard = shard(pool.seed, key, pool.n, pool.k);
        let load = |w: &Worker| w.busy as usize + w.waiting.len();
        let best = shard
            .iter()
            .copied()
            .min_by_key(|&w| (load(&pool.workers[w as usize]), w))
            .unwrap_or(0);
        let (concurrency, max_queue) = (pool.concurrency, pool.max_queue);
        let w = &mut pool.workers[best as usize];
        let placed = if w.busy < concurrency {
            w.busy += 1;
            Some(true)
        } else if (w.waiting.len() as u32) < max_queue {
            w.waiting.push_back(call);
            w.peak_waiting = w.peak_waiting.max(w.waiting.len() as u32);
            Some(false)
        } else {
            w.shed += 1;
            None
        };
        let t = pool.tenants.entry(key).or_default();
        t.calls += 1;
        match placed {
            Some(true) => self.pool_serve(call, best, extra),
            Some(false) => {
                self.calls[call].state = CallState::Pool { worker: best };
                self.stats[node].queue.add(self.now, 1);
            }
            None => {
                t.shed += 1;
                self.complete(call, Err(ErrorKind::Shed));
            }
        }
    }

    fn pool_serve(&mut self, call: CallId, worker: u32, extra: SimTime) {
        let mean = self.pool(self.calls[call].node as usize).service_mean_s;
        let d = SimTime::from_secs_f64(self.rng.exponential(mean)) + extra;
        self.calls[call].state = CallState::Pool { worker };
        self.resume_after(call, d);
    }

    /// A call's service ended: it completes, and the worker takes its next waiting call.
    pub(super) fn pool_done(&mut self, call: CallId, worker: u32) {
        let node = self.calls[call].node as usize;
        let key = self.tenant_of(call);
        let spent = self.now - self.calls[call].arrived;
        let extra = self.fault_state[node].extra_latency;
        let pool = self.pool(node);
        if let Some(t) = pool.tenants.get_mut(&key) {
            t.done += 1;
            t.time_ns += u128::from(spent.as_nanos());
        }
        let w = &mut pool.workers[worker as usize];
        w.served += 1;
        let next = w.waiting.pop_front();
        match next {
            Some(next) => {
                self.stats[node].queue.add(self.now, -1);
                self.pool_serve(next, worker, extra);
            }
            None => w.busy -= 1,
        }
        self.complete(call, Ok(()));
    }

    /// The pool's figures for the report.
    pub(super) fn pool_report(&self, node: usize) -> Option<PoolReport> {
        let NodeRt::Pool(pool) = &self.nodes[node] else {
            return None;
        };
        let names = |key: (u32, u32)| match self.scenario.nodes.get(key.0 as usize) {
            Some(n) => format!("{}#{}", n.id, key.1),
            None => format!("internal#{}", key.1),
        };
        let shards: Vec<((u32, u32), Vec<u32>)> = pool
            .tenants
            .keys()
            .map(|&key| (key, shard(pool.seed, key, pool.n, pool.k)))
            .collect();
        let shared = |a: &[u32], b: &[u32]| a.iter().filter(|w| b.contains(w)).count();
        // Overlap of every pair among the first tenants.
        let mut counts = vec![0u64; pool.k as usize + 1];
        let first = &shards[..shards.len().min(OVERLAP_TENANTS)];
        for (i, (_, a)) in first.iter().enumerate() {
            for (_, b) in &first[i + 1..] {
                counts[shared(a, b)] += 1;
            }
        }
        let pairs: u64 = counts.iter().sum();
        let busiest = pool
            .tenants
            .iter()
            .max_by_key(|(key, t)| (t.calls, std::cmp::Reverse(**key)))
            .map(|(key, _)| *key);
        let mut classes: Vec<OverlapClass> = (0..=pool.k)
            .map(|j| OverlapClass {
                shared: j,
                ..OverlapClass::default()
            })
            .collect();
        if let Some(b) = busiest {
            let mine = shard(pool.seed, b, pool.n, pool.k);
            for (key, s) in &shards {
                if *key == b {
                    continue;
                }
                let t = pool.tenants[key];
                let c = &mut classes[shared(&mine, s)];
                c.tenants += 1;
                c.calls += t.calls;
                c.shed += t.shed;
                c.mean_ms += t.time_ns as f64 / 1e6;
                c.done += t.done;
            }
        }
        for c in &mut classes {
            c.mean_ms = if c.done == 0 {
                0.0
            } else {
                c.mean_ms / c.done as f64
            };
        }
        Some(PoolReport {
            workers: pool.n,
            per_tenant: pool.k,
            tenants: pool.tenants.len() as u32,
            overlap: counts
                .iter()
                .map(|&c| {
                    if pairs == 0 {
                        0.0
                    } else {
                        c as f64 / pairs as f64
                    }
                })
                .collect(),
            pairs,
            expected_overlap: expected_overlap(pool.n, pool.k),
            busiest: busiest.map(names),
            by_overlap: classes,
            per_worker: pool
                .workers
                .iter()
                .map(|w| WorkerReport {
                    served: w.served,
                    shed: w.shed,
                    peak_waiting: w.peak_waiting,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_is_k_distinct_workers_and_always_the_same() {
        let a = shard(7, (0, 42), 8, 2);
        assert_eq!(a.len(), 2);
        assert_ne!(a[0], a[1]);
        assert!(a.iter().all(|&w| w < 8));
        assert_eq!(a, shard(7, (0, 42), 8, 2));
        assert_eq!(shard(7, (0, 1), 4, 4).len(), 4, "k = n: every worker");
    }

    #[test]
    fn the_predicted_overlap_is_the_builders_library_arithmetic() {
        let e = expected_overlap(8, 2);
        let pct: Vec<f64> = e.iter().map(|p| (p * 1000.0).round() / 10.0).collect();
        assert_eq!(pct, [53.6, 42.9, 3.6]);
        assert!((e.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // n = 100, k = 5: 75,287,520 shards; two tenants share none 76.96 % of the time.
        assert!((choose(100, 5) - 75_287_520.0).abs() < 1e-3);
        assert!((expected_overlap(100, 5)[0] - 0.769_6).abs() < 1e-4);
    }
}
