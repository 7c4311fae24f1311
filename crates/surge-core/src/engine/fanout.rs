//! S3 buckets, SNS topics and EventBridge schedules: nodes that notify their targets.
//!
//! Why together: all three turn one event (an object written, a message published, a
//! schedule's tick) into a call on every connected edge that nobody waits for. S3 and SNS
//! notifications to Lambda are asynchronous invokes (Lambda's queue and retries apply, and
//! nothing rate-limits them: lesson 9); to SQS they are SendMessage; a schedule invokes its
//! functions asynchronously at a fixed rate.

use super::{CallId, CallState, Event, NodeRt, Parent, Simulation};
use crate::scenario::{FanoutParams, ScheduleParams};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct FanoutRt {
    latency: SimTime,
    outs: Vec<u32>,
}

impl FanoutRt {
    pub(crate) fn new(p: &FanoutParams, outs: Vec<u32>) -> Self {
        FanoutRt {
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            outs,
        }
    }
}

#[derive(Debug)]
pub(crate) struct ScheduleRt {
    every: SimTime,
    first: SimTime,
    outs: Vec<u32>,
}

impl ScheduleRt {
    pub(crate) fn new(p: &ScheduleParams, outs: Vec<u32>) -> Self {
        let every = SimTime::from_secs_f64(p.every_s);
        ScheduleRt {
            every,
            first: p.first_at_s.map_or(every, SimTime::from_secs_f64),
            outs,
        }
    }
}

impl Simulation {
    /// PutObject or Publish arrives: it takes the node's latency, then notifies.
    pub(super) fn fanout_arrive(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        let NodeRt::Fanout(f) = &self.nodes[node as usize] else {
            return;
        };
        let latency = f.latency + self.fault_state[node as usize].extra_latency;
        self.calls[call as usize].state = CallState::Publish;
        self.resume_after(call, latency);
    }

    pub(super) fn fanout_done(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        let outs = match &self.nodes[node as usize] {
            NodeRt::Fanout(f) => f.outs.clone(),
            _ => Vec::new(),
        };
        for edge in outs {
            self.new_call(edge, Parent::Detached, false);
        }
        self.complete(call, Ok(()));
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
        let (outs, every) = (s.outs.clone(), s.every);
        for edge in outs {
            self.new_call(edge, Parent::Detached, false);
        }
        self.schedule(every, Event::ScheduleFire { node });
    }
}
