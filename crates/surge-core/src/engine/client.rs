//! Clients: open-loop arrivals, per-attempt timeouts and retries.
//!
//! Why here and not in the nodes: whether a request "succeeded" is the caller's verdict.
//! A response that arrives after the client gave up is wasted work, not goodput; a retry
//! is new load on the system. The conservation ledger is kept at this level.

use super::async_result::{POLL_BIT, ResultRt, ResultWait};
use super::retry_budget::{RetryQuota, SendRateLimiter};
use super::{CallId, Event, NodeRt, Outcome, Parent, ReqId, Simulation};
use crate::report::{ErrorKind, TraceOutcome};
use crate::scenario::{Arrivals, ClientParams, FaultKind, RetryMode};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct ClientRt {
    pub(crate) params: ClientParams,
    pub(crate) edge: u32,
    max_rate: f64,
    timeout: SimTime,
    /// The SDK client's retry quota (standard and adaptive modes).
    pub(crate) quota: Option<RetryQuota>,
    /// The adaptive mode's send-rate limiter.
    pub(crate) limiter: Option<SendRateLimiter>,
    /// Backpressure: the queue watched, its depth and age limits.
    backpressure: Option<Watch>,
    /// Long work: where it finishes and how its result comes back.
    pub(crate) result: Option<Box<ResultRt>>,
}

impl ClientRt {
    pub(crate) fn new(
        params: &ClientParams,
        edge: u32,
        queue: Option<u32>,
        result: Option<Box<ResultRt>>,
    ) -> Self {
        let mode = params.retry.mode;
        ClientRt {
            max_rate: params.max_rate(),
            timeout: SimTime::from_secs_f64(params.timeout_ms / 1000.0),
            params: params.clone(),
            edge,
            quota: mode.has_quota().then(RetryQuota::default),
            limiter: (mode == RetryMode::Adaptive).then(SendRateLimiter::default),
            backpressure: params
                .backpressure
                .as_ref()
                .zip(queue)
                .map(|(b, q)| (q, b.max_depth, b.max_age_s)),
            result,
        }
    }

    /// The quota and limiter figures for the report (standard and adaptive modes).
    pub(crate) fn retry_budget(&self) -> Option<crate::report::RetryBudgetReport> {
        let q = self.quota?;
        let l = self.limiter.unwrap_or_default();
        Some(crate::report::RetryBudgetReport {
            tokens_left: q.tokens(),
            lowest_tokens: q.lowest,
            retries_refused: q.refused,
            limiter_delayed: l.delayed,
            limiter_mean_delay_ms: if l.delayed == 0 {
                0.0
            } else {
                l.delay_s / l.delayed as f64 * 1000.0
            },
            limiter_rate_per_s: l.rate(),
        })
    }
}

/// A backpressure watch: the queue, its depth limit and its age limit.
pub(crate) type Watch = (u32, Option<u32>, Option<f64>);

/// One logical request of a client, across its attempts.
#[derive(Clone, Debug)]
pub(crate) struct Req {
    pub(crate) generation: u32,
    pub(crate) client: u32,
    attempt: u32,
    pub(crate) first: SimTime,
    /// The call of the current attempt (none between attempts).
    pub(crate) call: Option<CallId>,
    pub(crate) live: bool,
    /// What the last retry took from the retry quota (given back if it succeeds).
    retry_cost: Option<u32>,
    /// When the current attempt asked to be sent (it may wait in the send-rate limiter).
    asked: SimTime,
    /// Which of the client's tenants it belongs to.
    tenant: u32,
    /// Long work: where its result stands.
    pub(crate) wait: ResultWait,
}

impl Req {
    /// The attempt in progress (1 for the first).
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// When the request arrived.
    pub(crate) fn first_arrival(&self) -> SimTime {
        self.first
    }
}

impl Simulation {
    /// The tenant key of a request: its client node and tenant number.
    pub(super) fn req_tenant(&self, req: ReqId) -> (u32, u32) {
        let r = &self.reqs[req];
        (r.client, r.tenant)
    }
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
        let tenants = self.client(client).params.tenants;
        // Only a client with several tenants draws one (others keep the run's stream).
        let tenant = if tenants > 1 {
            (self.rng.next_u64() % u64::from(tenants)) as u32
        } else {
            0
        };
        let req = Req {
            generation: 0,
            client,
            attempt: 0,
            first: self.now,
            call: None,
            live: true,
            retry_cost: None,
            asked: self.now,
            tenant,
            wait: ResultWait::default(),
        };
        let id = self.reqs.insert_carrying(req, |old, new| Req {
            generation: old.generation,
            ..new
        });
        self.ledger.arrived += 1;
        let number = self.ledger.arrived;
        self.trace_request(id, number);
        self.client_requests[client as usize] += 1;
        self.ledger.in_flight += 1;
        if self.held_back(client) {
            self.ledger.failed.add(ErrorKind::Backpressure);
            let error = ErrorKind::Backpressure;
            self.finish_request(id, TraceOutcome::Failed { error });
            return;
        }
        self.start_attempt(id);
    }

    fn start_attempt(&mut self, req: ReqId) {
        let r = &mut self.reqs[req];
        r.attempt += 1;
        r.asked = self.now;
        let (client, attempt, generation) = (r.client, r.attempt, r.generation);
        if attempt > 1 {
            self.ledger.retries += 1;
        }
        let now = self.now;
        let c = self.client_mut(client);
        let timeout = c.timeout;
        let wait = match c.limiter.as_mut() {
            Some(l) => l.acquire(now, timeout),
            None => Some(SimTime::ZERO),
        };
        match wait {
            Some(SimTime::ZERO) => self.send_attempt(req, timeout),
            Some(wait) => self.schedule(
                wait,
                Event::ClientSend {
                    req,
                    generation,
                    attempt,
                },
            ),
            None => {
                // The caller will not wait in its own limiter longer than its timeout.
                self.ledger.failed.add(ErrorKind::ClientRateLimited);
                self.finish_request(
                    req,
                    TraceOutcome::Failed {
                        error: ErrorKind::ClientRateLimited,
                    },
                );
            }
        }
    }

    /// Whether the client's backpressure holds new requests back now.
    fn held_back(&self, client: u32) -> bool {
        self.client(client)
            .backpressure
            .is_some_and(|w| self.over_limit(w))
    }

    /// Whether a watched queue is deeper than its limit, or its oldest message older.
    pub(super) fn over_limit(&self, (queue, depth, age): Watch) -> bool {
        let st = &self.stats[queue as usize];
        depth.is_some_and(|d| st.queue.level > d) || age.is_some_and(|a| st.oldest_age_s > a)
    }

    /// An attempt leaves the client: its call starts and its timeout is armed (the
    /// caller's clock for an attempt starts when it is sent, as an SDK's does).
    fn send_attempt(&mut self, req: ReqId, timeout: SimTime) {
        let r = &self.reqs[req];
        let (client, attempt, generation, asked) = (r.client, r.attempt, r.generation, r.asked);
        let now = self.now;
        let c = self.client_mut(client);
        let edge = c.edge;
        if let Some(l) = c.limiter.as_mut() {
            l.on_send(now, now - asked);
        }
        if !self.result_connect(req) {
            // The WebSocket connection was refused (429): the attempt fails unsent.
            self.after_failed_attempt(req, ErrorKind::Throttled);
            return;
        }
        let call = self.new_call(edge, Parent::Client(req), attempt > 1);
        self.reqs[req].call = Some(call);
        self.arm(client, timeout, req, generation, attempt);
    }

    /// An attempt held by the adaptive limiter may go now.
    pub(super) fn on_client_send(&mut self, req: ReqId, generation: u32, attempt: u32) {
        let r = &self.reqs[req];
        if r.live && r.generation == generation && r.attempt == attempt && r.call.is_none() {
            let timeout = self.client(r.client).timeout;
            self.send_attempt(req, timeout);
        }
    }

    fn client_mut(&mut self, client: u32) -> &mut ClientRt {
        match &mut self.nodes[client as usize] {
            NodeRt::Client(c) => c,
            _ => unreachable!("client index points at a client node"),
        }
    }

    pub(super) fn client_result(&mut self, req: ReqId, call: CallId, outcome: Outcome) {
        let r = &self.reqs[req];
        if !r.live || r.call != Some(call) {
            return;
        }
        if r.wait.waiting {
            let client = r.client;
            self.poll_result(req, outcome);
            self.cancel_timer(client, super::timers::TimerKind::Deadline);
            return;
        }
        let (client, retry_cost, asked) = (r.client, r.retry_cost, r.asked);
        let now = self.now;
        let c = self.client_mut(client);
        if let Some(l) = c.limiter.as_mut() {
            l.on_response(now, asked, matches!(outcome, Err(k) if k.is_throttle()));
        }
        if let (Ok(()), Some(q)) = (outcome, c.quota.as_mut()) {
            q.on_success(retry_cost);
        }
        match outcome {
            Ok(()) if self.client(client).result.is_some() => {
                self.reqs[req].call = None;
                self.result_accepted(req);
            }
            Ok(()) => self.request_succeeded(req),
            Err(kind) => self.after_failed_attempt(req, kind),
        }
        // The attempt ended before its timeout: that timer is no longer wanted.
        self.cancel_timer(client, super::timers::TimerKind::Deadline);
    }

    /// The request's answer reached its client: goodput.
    pub(super) fn request_succeeded(&mut self, req: ReqId) {
        let latency = self.now - self.reqs[req].first;
        self.e2e_latency.record(latency);
        let b = self.bucket(self.now);
        if let Some(g) = self.goodput.get_mut(b) {
            *g += 1;
        }
        self.ledger.succeeded += 1;
        self.finish_request(req, TraceOutcome::Ok);
    }

    /// The client's per-attempt timeout.
    pub(super) fn client_timeout(&self, client: u32) -> SimTime {
        self.client(client).timeout
    }

    /// Whether the timeout timer of this attempt (or status request) still matters.
    pub(super) fn client_timer_live(&self, req: ReqId, generation: u32, attempt: u32) -> bool {
        let r = &self.reqs[req];
        if !r.live || r.generation != generation {
            return false;
        }
        if attempt & POLL_BIT != 0 {
            return self.poll_timer_live(req, attempt);
        }
        !r.wait.waiting && r.attempt == attempt && r.call.is_some()
    }

    pub(super) fn on_client_timeout(&mut self, req: ReqId, generation: u32, attempt: u32) {
        if !self.client_timer_live(req, generation, attempt) {
            return;
        }
        let r = &self.reqs[req];
        let call = r.call;
        self.orphan(call);
        if attempt & POLL_BIT != 0 {
            self.poll_result(req, Err(ErrorKind::ClientTimeout));
            return;
        }
        self.after_failed_attempt(req, ErrorKind::ClientTimeout);
    }

    fn after_failed_attempt(&mut self, req: ReqId, kind: ErrorKind) {
        let r = &mut self.reqs[req];
        r.call = None;
        let (client, attempt, generation) = (r.client, r.attempt, r.generation);
        let policy = self.client(client).params.retry;
        let retryable = !matches!(
            kind,
            ErrorKind::PayloadTooLarge | ErrorKind::CircuitOpen | ErrorKind::ClientRateLimited
        );
        let mut retry = attempt < policy.max_attempts && retryable;
        if retry {
            if let Some(q) = self.client_mut(client).quota.as_mut() {
                // The standard mode's quota: an empty bucket fails the request fast.
                let cost = q.acquire(kind == ErrorKind::ClientTimeout);
                retry = cost.is_some();
                self.reqs[req].retry_cost = cost;
                if !retry {
                    self.ledger.retries_refused += 1;
                }
            }
        }
        if retry {
            let u = self.rng.uniform();
            let delay = SimTime::from_secs_f64(policy.delay_s(attempt + 1, u));
            self.schedule(delay, Event::ClientRetry { req, generation });
        } else {
            let outcome = if kind == ErrorKind::ClientTimeout {
                self.ledger.timed_out += 1;
                TraceOutcome::TimedOut
            } else {
                self.ledger.failed.add(kind);
                TraceOutcome::Failed { error: kind }
            };
            self.finish_request(req, outcome);
        }
    }

    pub(super) fn on_client_retry(&mut self, req: ReqId, generation: u32) {
        let r = &self.reqs[req];
        if r.live && r.generation == generation && r.call.is_none() {
            self.start_attempt(req);
        }
    }

    pub(super) fn finish_request(&mut self, req: ReqId, outcome: TraceOutcome) {
        if outcome != TraceOutcome::Ok {
            let waited = self.now - self.reqs[req].first;
            self.failed_latency.record(waited);
        }
        if self.tracer.is_some() {
            let r = &self.reqs[req];
            let (client, first, attempts) = (r.client, r.first, r.attempt);
            self.trace_finish(req, client, first, attempts, outcome);
        }
        self.result_closed(req);
        let r = &mut self.reqs[req];
        r.live = false;
        r.generation = r.generation.wrapping_add(1);
        r.call = None;
        r.wait = ResultWait::default();
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
