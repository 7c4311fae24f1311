//! Clients: open-loop arrivals, per-attempt timeouts and retries.
//!
//! Why here and not in the nodes: whether a request "succeeded" is the caller's verdict.
//! A response that arrives after the client gave up is wasted work, not goodput; a retry
//! is new load on the system. The conservation ledger is kept at this level.

use super::{CallId, Event, NodeRt, Outcome, Parent, ReqId, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{Arrivals, ClientParams, FaultKind};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct ClientRt {
    pub(crate) params: ClientParams,
    pub(crate) edge: u32,
    max_rate: f64,
    timeout: SimTime,
}

impl ClientRt {
    pub(crate) fn new(params: &ClientParams, edge: u32) -> Self {
        ClientRt {
            max_rate: params.max_rate(),
            timeout: SimTime::from_secs_f64(params.timeout_ms / 1000.0),
            params: params.clone(),
            edge,
        }
    }
}

/// One logical request of a client, across its attempts.
#[derive(Clone, Debug)]
pub(crate) struct Req {
    generation: u32,
    client: u32,
    attempt: u32,
    first: SimTime,
    /// The call of the current attempt (none between attempts).
    call: Option<CallId>,
    live: bool,
}

impl Simulation {
    fn client(&self, client: u32) -> &ClientRt {
        match &self.nodes[client as usize] {
            NodeRt::Client(c) => c,
            _ => unreachable!("client index points at a client node"),
        }
    }

    /// Schedules the next candidate arrival of `client` (thinning for time-varying rates).
    pub(super) fn schedule_arrival(&mut self, client: u32) {
        let c = self.client(client);
        let gap_s = match c.params.arrivals {
            Arrivals::Poisson if c.max_rate > 0.0 => {
                let mean = 1.0 / c.max_rate;
                self.rng.exponential(mean)
            }
            Arrivals::Poisson => return,
            Arrivals::Constant => {
                let rate = c.params.rate_at(self.now.as_secs_f64());
                if rate > 0.0 { 1.0 / rate } else { 0.1 }
            }
        };
        let gap = SimTime::from_secs_f64(gap_s).max(SimTime::from_nanos(1));
        if self.now + gap < self.end {
            self.schedule(gap, Event::Arrival { client });
        }
    }

    pub(super) fn on_client_arrival(&mut self, client: u32) {
        let c = self.client(client);
        let accept = match c.params.arrivals {
            Arrivals::Poisson => {
                let rate = c.params.rate_at(self.now.as_secs_f64());
                let ratio = rate / c.max_rate;
                ratio >= 1.0 || self.rng.chance(ratio)
            }
            Arrivals::Constant => c.params.rate_at(self.now.as_secs_f64()) > 0.0,
        };
        if accept {
            self.start_request(client);
        }
        self.schedule_arrival(client);
    }

    /// A spike fault adds an independent Poisson stream for its duration.
    pub(super) fn on_spike_arrival(&mut self, fault: u32) {
        let f = &self.faults[fault as usize];
        let FaultKind::Spike { rate_per_s } = f.kind else {
            return;
        };
        let until = SimTime::from_secs_f64(f.at_s + f.duration_s);
        let Some(client) = self.fault_nodes[fault as usize] else {
            return;
        };
        if self.now < until {
            self.start_request(client);
        }
        let gap = SimTime::from_secs_f64(self.rng.exponential(1.0 / rate_per_s));
        if self.now + gap < until.min(self.end) {
            self.schedule(
                gap.max(SimTime::from_nanos(1)),
                Event::SpikeArrival { fault },
            );
        }
    }

    fn start_request(&mut self, client: u32) {
        let req = Req {
            generation: 0,
            client,
            attempt: 0,
            first: self.now,
            call: None,
            live: true,
        };
        let id = self.reqs.insert_carrying(req, |old, new| Req {
            generation: old.generation,
            ..new
        });
        self.ledger.arrived += 1;
        self.client_requests[client as usize] += 1;
        self.ledger.in_flight += 1;
        self.start_attempt(id);
    }

    fn start_attempt(&mut self, req: ReqId) {
        let r = &mut self.reqs[req];
        r.attempt += 1;
        let (client, attempt, generation) = (r.client, r.attempt, r.generation);
        let c = self.client(client);
        let (edge, timeout) = (c.edge, c.timeout);
        let call = self.new_call(edge, Parent::Client(req), attempt > 1);
        self.reqs[req].call = Some(call);
        if attempt > 1 {
            self.ledger.retries += 1;
        }
        self.arm(client, timeout, req, generation, attempt);
    }

    pub(super) fn client_result(&mut self, req: ReqId, call: CallId, outcome: Outcome) {
        let r = &self.reqs[req];
        if !r.live || r.call != Some(call) {
            return;
        }
        let (client, first) = (r.client, r.first);
        match outcome {
            Ok(()) => {
                let latency = self.now - first;
                self.e2e_latency.record(latency);
                let b = self.bucket(self.now);
                if let Some(g) = self.goodput.get_mut(b) {
                    *g += 1;
                }
                self.ledger.succeeded += 1;
                self.finish_request(req);
            }
            Err(kind) => self.after_failed_attempt(req, kind),
        }
        // The attempt ended before its timeout: that timer is no longer wanted.
        self.cancel_timer(client, super::timers::TimerKind::Deadline);
    }

    /// Whether the timeout timer of this attempt still matters.
    pub(super) fn client_timer_live(&self, req: ReqId, generation: u32, attempt: u32) -> bool {
        let r = &self.reqs[req];
        r.live && r.generation == generation && r.attempt == attempt && r.call.is_some()
    }

    pub(super) fn on_client_timeout(&mut self, req: ReqId, generation: u32, attempt: u32) {
        if !self.client_timer_live(req, generation, attempt) {
            return;
        }
        let r = &self.reqs[req];
        let call = r.call;
        self.orphan(call);
        self.after_failed_attempt(req, ErrorKind::ClientTimeout);
    }

    fn after_failed_attempt(&mut self, req: ReqId, kind: ErrorKind) {
        let r = &mut self.reqs[req];
        r.call = None;
        let (client, attempt, generation) = (r.client, r.attempt, r.generation);
        let policy = self.client(client).params.retry;
        if attempt < policy.max_attempts && kind != ErrorKind::PayloadTooLarge {
            let u = self.rng.uniform();
            let delay = SimTime::from_secs_f64(policy.delay_s(attempt + 1, u));
            self.schedule(delay, Event::ClientRetry { req, generation });
        } else {
            if kind == ErrorKind::ClientTimeout {
                self.ledger.timed_out += 1;
            } else {
                self.ledger.failed.add(kind);
            }
            self.finish_request(req);
        }
    }

    pub(super) fn on_client_retry(&mut self, req: ReqId, generation: u32) {
        let r = &self.reqs[req];
        if r.live && r.generation == generation && r.call.is_none() {
            self.start_attempt(req);
        }
    }

    fn finish_request(&mut self, req: ReqId) {
        let r = &mut self.reqs[req];
        r.live = false;
        r.generation = r.generation.wrapping_add(1);
        r.call = None;
        self.ledger.in_flight -= 1;
        self.reqs.release(req);
    }

    /// The payload of the request behind a call made directly by a client.
    pub(super) fn payload_kb_of(&self, parent: Parent) -> f64 {
        match parent {
            Parent::Client(req) => {
                let client = self.reqs[req].client;
                self.client(client).params.payload_kb
            }
            _ => 0.0,
        }
    }
}
