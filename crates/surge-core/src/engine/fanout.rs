//! S3 buckets, SNS topics and EventBridge schedules: nodes that notify their targets.
//!
//! Why together: all three turn one event (an object written, a message published, a
//! schedule's tick) into a call on every connected edge that nobody waits for. S3 and SNS
//! notifications to Lambda are asynchronous invokes (Lambda's queue and retries apply, and
//! nothing rate-limits them: lesson 9); to SQS they are SendMessage; a schedule invokes its
//! functions asynchronously at a fixed rate.
//!
//! Every delivery to a target is tracked in the delivery ledger until the target accepts
//! it. A target refuses only while it is down (an outage fault): S3 and schedules then
//! lose the notification here, while SNS follows its delivery policy for AWS-managed
//! endpoints (Lambda, SQS): 3 immediate retries, 2 after 1 s, 10 backing off from 1 s to
//! 20 s, then 100,000 every 20 s (about 23 days), then the message is dropped.

use super::lineage::Chain;
use super::{CallId, CallState, Event, NodeRt, Outcome, Parent, Simulation};

pub(crate) type DeliveryId = super::Id<Delivery>;
use crate::scenario::{Cron, FanoutParams, ScheduleParams};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct FanoutRt {
    latency: SimTime,
    outs: Vec<u32>,
    /// SNS: refused deliveries are retried by the delivery policy.
    retries: bool,
}

impl FanoutRt {
    pub(crate) fn new(p: &FanoutParams, outs: Vec<u32>, retries: bool) -> Self {
        FanoutRt {
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            outs,
            retries,
        }
    }
}

/// One notification on its way to one target.
#[derive(Debug, Default)]
pub(crate) struct Delivery {
    edge: u32,
    retries: u32,
    retried_by_policy: bool,
    /// The chain of events it belongs to (recursive loop detection, long work).
    chain: Chain,
}

/// The wait before SNS's retry number `n` (from 1) to an AWS-managed endpoint, before
/// jitter; `None` once the policy's 100,015 retries are spent.
fn sns_retry_delay_s(n: u32) -> Option<f64> {
    match n {
        1..=3 => Some(0.0),
        4..=5 => Some(1.0),
        // Ten backoff retries, geometrically from 1 s to 20 s.
        6..=15 => Some(libm::pow(20.0, f64::from(n - 6) / 9.0)),
        16..=100_015 => Some(20.0),
        _ => None,
    }
}

#[derive(Debug)]
pub(crate) struct ScheduleRt {
    every: SimTime,
    first: SimTime,
    /// A cron schedule fires on whole minutes of the run's clock instead.
    cron: Option<Cron>,
    outs: Vec<u32>,
}

impl ScheduleRt {
    pub(crate) fn new(p: &ScheduleParams, outs: Vec<u32>) -> Self {
        let every = SimTime::from_secs_f64(p.every_s);
        let cron = p.cron.as_deref().and_then(|c| Cron::parse(c).ok());
        ScheduleRt {
            every,
            first: match &cron {
                Some(c) => SimTime::from_secs(60 * c.next_minute(0)),
                None => p.first_at_s.map_or(every, SimTime::from_secs_f64),
            },
            cron,
            outs,
        }
    }

    /// How long after a tick at `now` the next one comes.
    fn next_after(&self, now: SimTime) -> SimTime {
        match &self.cron {
            Some(c) => {
                let minute = now.as_nanos() / SimTime::from_secs(60).as_nanos();
                SimTime::from_secs(60 * c.next_minute(minute + 1)) - now
            }
            None => self.every,
        }
    }
}

impl Simulation {
    /// PutObject or Publish arrives: it takes the node's latency, then notifies.
    pub(super) fn fanout_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let NodeRt::Fanout(f) = &self.nodes[node as usize] else {
            return;
        };
        let latency = f.latency + self.fault_state[node as usize].extra_latency;
        self.calls[call].state = CallState::Publish;
        self.resume_in_lane(call, latency, node);
    }

    pub(super) fn fanout_done(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let (outs, retries) = match &self.nodes[node as usize] {
            NodeRt::Fanout(f) => (f.outs.clone(), f.retries),
            _ => (Vec::new(), false),
        };
        let chain = self.calls[call].chain;
        self.deliver_all(&outs, retries, chain);
        self.complete(call, Ok(()));
    }

    /// Starts one delivery per target edge.
    fn deliver_all(&mut self, outs: &[u32], retries: bool, chain: Chain) {
        for &edge in outs {
            let d = Delivery {
                edge,
                retries: 0,
                retried_by_policy: retries,
                chain,
            };
            let id = self.in_delivery.insert(d);
            self.deliveries.sent += 1;
            self.deliveries.pending += 1;
            self.new_call(edge, Parent::Delivery(id), false);
        }
    }

    /// The target accepted or refused a delivery.
    pub(super) fn delivery_result(&mut self, id: DeliveryId, outcome: Outcome) {
        let d = &mut self.in_delivery[id];
        let delay = match outcome {
            Ok(()) => None,
            Err(_) if d.retried_by_policy => sns_retry_delay_s(d.retries + 1),
            Err(_) => None,
        };
        let Some(delay) = delay else {
            self.deliveries.pending -= 1;
            if outcome.is_ok() {
                self.deliveries.delivered += 1;
            } else {
                self.deliveries.dropped += 1;
            }
            self.in_delivery.release(id);
            return;
        };
        d.retries += 1;
        self.deliveries.retries += 1;
        // Jitter: the backoff waits are drawn between half and all of the policy's value.
        let wait = if delay > 0.0 {
            delay * (0.5 + 0.5 * self.rng.uniform())
        } else {
            0.0
        };
        self.schedule(
            SimTime::from_secs_f64(wait),
            Event::DeliveryRetry { delivery: id },
        );
    }

    pub(super) fn delivery_chain(&self, id: DeliveryId) -> Chain {
        self.in_delivery[id].chain
    }

    pub(super) fn delivery_retry(&mut self, id: DeliveryId) {
        let edge = self.in_delivery[id].edge;
        self.new_call(edge, Parent::Delivery(id), true);
    }

    /// Arms every schedule's first tick.
    pub(super) fn start_schedules(&mut self) {
        for node in 0..self.nodes.len() {
            if let NodeRt::Schedule(s) = &self.nodes[node] {
                let first = s.first;
                self.queue
                    .push(first, Event::ScheduleFire { node: node as u32 });
            }
        }
    }

    pub(super) fn schedule_fire(&mut self, node: u32) {
        let NodeRt::Schedule(s) = &self.nodes[node as usize] else {
            return;
        };
        let (outs, next) = (s.outs.clone(), s.next_after(self.now));
        self.deliver_all(&outs, false, Chain::NONE);
        self.schedule(next, Event::ScheduleFire { node });
    }
}
