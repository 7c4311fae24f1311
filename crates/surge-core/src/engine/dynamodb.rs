//! DynamoDB tables: on-demand or provisioned capacity, per-partition limits, a hot key,
//! and throttles that the caller's SDK retries.
//!
//! Why partitions: a table's capacity is spread over partitions of at most 1,000 WCU and
//! 3,000 RCU each, so a hot key throttles while the table as a whole is far from its limit.
//! On-demand tables serve up to double their previous peak at once (a new table: 4,000
//! writes and 12,000 reads per second); beyond that they throttle while they grow.

use super::stats::TokenBucket;
use super::{CallId, CallState, NodeRt, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{CapacityMode, TableParams};
use crate::time::SimTime;

const PARTITION_WCU: f64 = 1000.0;
const PARTITION_RCU: f64 = 3000.0;
const ON_DEMAND_START_W: f64 = 4000.0;
const ON_DEMAND_START_R: f64 = 12000.0;

#[derive(Debug)]
pub(crate) struct TableRt {
    on_demand: bool,
    table_w: TokenBucket,
    table_r: TokenBucket,
    partitions: Vec<(TokenBucket, TokenBucket)>,
    hot: f64,
    read_share: f64,
    write_units: f64,
    read_units: f64,
    latency: SimTime,
    pub(crate) sdk_max_attempts: u32,
    used_w: f64,
    used_r: f64,
    peak_w: f64,
    peak_r: f64,
}

impl TableRt {
    pub(crate) fn new(p: &TableParams) -> Self {
        let (w, r) = match p.mode {
            CapacityMode::OnDemand => (ON_DEMAND_START_W, ON_DEMAND_START_R),
            CapacityMode::Provisioned => (f64::from(p.write_capacity), f64::from(p.read_capacity)),
        };
        let n = f64::from(p.partitions.max(1));
        TableRt {
            on_demand: p.mode == CapacityMode::OnDemand,
            table_w: TokenBucket::new(w, w),
            table_r: TokenBucket::new(r, r),
            partitions: (0..p.partitions.max(1))
                .map(|_| {
                    let pw = (w / n).min(PARTITION_WCU);
                    let pr = (r / n).min(PARTITION_RCU);
                    (TokenBucket::new(pw, pw), TokenBucket::new(pr, pr))
                })
                .collect(),
            hot: p.hot_key_share,
            read_share: p.read_share,
            write_units: libm::ceil(p.item_kb).max(1.0),
            read_units: libm::ceil(p.item_kb / 4.0).max(1.0),
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            sdk_max_attempts: p.sdk_max_attempts,
            used_w: 0.0,
            used_r: 0.0,
            peak_w: 0.0,
            peak_r: 0.0,
        }
    }
}

impl Simulation {
    fn table(&mut self, node: u32) -> &mut TableRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Table(t) => t,
            _ => unreachable!("table node"),
        }
    }

    pub(super) fn table_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let now = self.now;
        let (u_op, u_key, k) = (self.rng.uniform(), self.rng.uniform(), self.rng.next_u64());
        let extra = self.fault_state[node as usize].extra_latency;
        let t = self.table(node);
        let read = u_op < t.read_share;
        let n = t.partitions.len() as u64;
        let partition = if u_key < t.hot { 0 } else { (k % n) as usize };
        let units = if read { t.read_units } else { t.write_units };
        let (table, part) = if read {
            (&mut t.table_r, &mut t.partitions[partition].1)
        } else {
            (&mut t.table_w, &mut t.partitions[partition].0)
        };
        if !(table.has_n(now, units) && part.has_n(now, units)) {
            self.complete(call, Err(ErrorKind::ServiceThrottled));
            return;
        }
        table.take_n(units);
        part.take_n(units);
        if read {
            t.used_r += units;
        } else {
            t.used_w += units;
        }
        let latency = t.latency + extra;
        self.calls[call].state = CallState::Respond;
        self.resume_in_lane(call, latency, node);
    }

    /// Once a second: an on-demand table grows to double its previous peak.
    pub(super) fn table_tick(&mut self) {
        let now = self.now;
        for node in 0..self.nodes.len() {
            let NodeRt::Table(t) = &mut self.nodes[node] else {
                continue;
            };
            t.peak_w = t.peak_w.max(t.used_w);
            t.peak_r = t.peak_r.max(t.used_r);
            t.used_w = 0.0;
            t.used_r = 0.0;
            if t.on_demand {
                let w = ON_DEMAND_START_W.max(2.0 * t.peak_w);
                let r = ON_DEMAND_START_R.max(2.0 * t.peak_r);
                t.table_w.set_rate(now, w, w);
                t.table_r.set_rate(now, r, r);
                let n = t.partitions.len() as f64;
                for (pw, pr) in &mut t.partitions {
                    let (a, b) = ((w / n).min(PARTITION_WCU), (r / n).min(PARTITION_RCU));
                    pw.set_rate(now, a, a);
                    pr.set_rate(now, b, b);
                }
            }
        }
    }
}
