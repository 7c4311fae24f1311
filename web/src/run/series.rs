//! Per-frame series for the charts and the KPI strip, from the frames' cumulative counters
//! (two frames give the counts in between), so the charts follow the playhead without
//! asking the engine for anything.

use std::rc::Rc;

use surge_core::{ErrorKind, Frame};

/// Failure kinds, in the order of [`ErrorKind::ALL`].
pub const KINDS: usize = ErrorKind::ALL.len();

/// One node's per-second series up to the playhead, from the frames' counters.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Series {
    /// Calls finished per second (ok + failed).
    pub throughput: Vec<f64>,
    /// Calls that succeeded per second.
    pub goodput: Vec<f64>,
    /// Failures per second (all kinds).
    pub errors: Vec<f64>,
    /// Throttles per second (429s of every source).
    pub throttled: Vec<f64>,
    /// Cold starts per second.
    pub cold_starts: Vec<f64>,
    /// Calls at the node at each second's end.
    pub level: Vec<f64>,
    /// Calls waiting at each second's end.
    pub queue: Vec<f64>,
    /// Open connections at each second's end.
    pub connections: Vec<f64>,
    /// The node's limit, if any.
    pub limit: Option<u32>,
    /// Latency percentiles per second (ms).
    pub p50: Vec<f64>,
    /// 90th percentile per second (ms).
    pub p90: Vec<f64>,
    /// 99th percentile per second (ms).
    pub p99: Vec<f64>,
    /// Age of the oldest waiting message or record, per second (s).
    pub oldest_age: Vec<f64>,
    /// Failures per second by kind, in the order of `ErrorKind::ALL`.
    pub by_kind: Vec<[u64; KINDS]>,
    /// Cost so far at each second (end-to-end series only), in dollars.
    pub cost: Vec<f64>,
}

fn kinds_between(b: &surge_core::ErrorCounts, n: &surge_core::ErrorCounts) -> [u64; KINDS] {
    let mut out = [0; KINDS];
    for (slot, kind) in out.iter_mut().zip(ErrorKind::ALL) {
        *slot = n.get(kind).saturating_sub(b.get(kind));
    }
    out
}

/// The series of node `i` over frames `1..=at`.
pub fn series(frames: &[Rc<Frame>], i: usize, at: usize) -> Series {
    let mut s = Series::default();
    for k in 1..=at.min(frames.len().saturating_sub(1)) {
        let (Some(b), Some(n)) = (frames[k - 1].nodes.get(i), frames[k].nodes.get(i)) else {
            continue;
        };
        let ok = n.ok.saturating_sub(b.ok) as f64;
        let failed = n.errors.total().saturating_sub(b.errors.total()) as f64;
        let throttles = |c: &surge_core::ErrorCounts| {
            c.throttled + c.concurrency_throttled + c.service_throttled + c.stream_throttled
        };
        s.throughput.push(ok + failed);
        s.goodput.push(ok);
        s.errors.push(failed);
        s.throttled
            .push(throttles(&n.errors).saturating_sub(throttles(&b.errors)) as f64);
        s.cold_starts
            .push(n.cold_starts.saturating_sub(b.cold_starts) as f64);
        s.level.push(f64::from(n.in_node));
        s.queue.push(f64::from(n.queue));
        s.connections.push(f64::from(n.connections));
        s.limit = n.limit;
        s.p50.push(n.p50_ms);
        s.p90.push(n.p90_ms);
        s.p99.push(n.p99_ms);
        s.oldest_age.push(n.oldest_age_s);
        s.by_kind.push(kinds_between(&b.errors, &n.errors));
    }
    s
}

/// End-to-end series (the clients' ledger): requests finished, succeeded and failed per
/// second, and requests in flight as the level.
pub fn end_to_end(frames: &[Rc<Frame>], at: usize) -> Series {
    let mut s = Series::default();
    for k in 1..=at.min(frames.len().saturating_sub(1)) {
        let (b, n) = (&frames[k - 1].ledger, &frames[k].ledger);
        let ok = n.succeeded.saturating_sub(b.succeeded) as f64;
        let failed =
            (n.failed.total() + n.timed_out).saturating_sub(b.failed.total() + b.timed_out) as f64;
        let thr = |l: &surge_core::Ledger| {
            l.failed.throttled + l.failed.concurrency_throttled + l.failed.service_throttled
        };
        s.throughput.push(ok + failed);
        s.goodput.push(ok);
        s.errors.push(failed);
        s.throttled.push(thr(n).saturating_sub(thr(b)) as f64);
        s.level.push(n.in_flight as f64);
        s.by_kind.push(kinds_between(&b.failed, &n.failed));
        s.cost.push(frames[k].cost_usd);
    }
    s
}

/// Share of the clients' attempts in the last second that were retries (0 to 1).
pub fn retried_share(frames: &[Rc<Frame>], at: usize) -> f64 {
    let (Some(b), Some(n)) = (
        at.checked_sub(1).and_then(|k| frames.get(k)),
        frames.get(at),
    ) else {
        return 0.0;
    };
    let retries = n.ledger.retries.saturating_sub(b.ledger.retries);
    let arrived = n.ledger.arrived.saturating_sub(b.ledger.arrived);
    let attempts = retries + arrived;
    if attempts == 0 {
        0.0
    } else {
        retries as f64 / attempts as f64
    }
}

/// Headline numbers at the playhead, end to end (the clients' ledger).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Headline {
    /// Requests that arrived.
    pub arrived: u64,
    /// Requests finished (succeeded, failed or timed out).
    pub finished: u64,
    /// Of which succeeded.
    pub ok: u64,
    /// Of which were throttled somewhere (429).
    pub throttled: u64,
    /// Requests still in flight.
    pub in_flight: u64,
    /// Retries sent.
    pub retries: u64,
    /// Queue messages moved to a dead-letter queue.
    pub dead_lettered: u64,
    /// Step Functions executions started, succeeded and failed (the outcome a state
    /// machine's callers do not wait for).
    pub executions: (u64, u64, u64),
    /// Cost so far, in dollars.
    pub cost_usd: f64,
}

impl Headline {
    /// Success share in percent (100 before anything finished).
    pub fn success_pct(&self) -> f64 {
        if self.finished == 0 {
            100.0
        } else {
            100.0 * self.ok as f64 / self.finished as f64
        }
    }
}

/// The headline at frame `at`.
pub fn headline(frames: &[Rc<Frame>], at: usize) -> Headline {
    let Some(f) = frames.get(at) else {
        return Headline::default();
    };
    let l = f.ledger;
    Headline {
        arrived: l.arrived,
        finished: l.succeeded + l.failed.total() + l.timed_out,
        ok: l.succeeded,
        throttled: l.failed.throttled
            + l.failed.concurrency_throttled
            + l.failed.service_throttled
            + l.failed.stream_throttled,
        in_flight: l.in_flight,
        retries: l.retries,
        dead_lettered: f.messages.dead_lettered,
        executions: (
            f.executions.started,
            f.executions.succeeded,
            f.executions.failed,
        ),
        cost_usd: f.cost_usd,
    }
}
