//! Long work and its result (lesson 10): a client's submit is accepted at once, the work
//! is done further on, and the request succeeds only when the result reaches the client:
//! by polling a status endpoint, by a callback, or by a WebSocket push.
//!
//! Why the request stays open across the async hops: the 202 is not what the user waited
//! for. Every call, message, async event and notification carries its request (`Job`, in
//! its `Chain`), so when the node named `done_at` completes work carrying it, the result
//! is ready. Polling then costs a status request per interval (each one a gateway request,
//! an invocation and a read), a callback costs one delivery, and a WebSocket costs its
//! connection minutes, heartbeats and one push; the report puts them side by side.

use super::lineage::Job;
use super::stats::Histogram;
use super::{CallId, Event, NodeRt, Outcome, Parent, ReqId, Simulation};
use crate::report::{AsyncResultReport, ErrorKind, TraceOutcome};
use crate::scenario::{AsyncPattern, AsyncResult};
use crate::time::SimTime;

/// Marks a client timer as a poll's (its number below the bit), not an attempt's.
pub(crate) const POLL_BIT: u32 = 1 << 31;
/// A WebSocket connection closes after 10 idle minutes: the client sends a heartbeat
/// message every 9.
const HEARTBEAT: SimTime = SimTime::from_secs(9 * 60);
/// A WebSocket connection lives at most 2 hours; the client then opens a new one.
const MAX_CONNECTION: SimTime = SimTime::from_secs(2 * 3600);
/// API Gateway WebSocket: $1.00 per million messages (32 KB each).
const WS_PER_MESSAGE: f64 = 1.00 / 1e6;
/// API Gateway WebSocket: $0.25 per million connection minutes.
const WS_PER_CONNECTION_MINUTE: f64 = 0.25 / 1e6;

/// A client's async-result settings and figures.
#[derive(Debug)]
pub(crate) struct ResultRt {
    params: AsyncResult,
    /// The node that finishes the work.
    pub(crate) done_at: u32,
    /// Polling: the edge to the status endpoint.
    status_edge: Option<u32>,
    notify: SimTime,
    interval: SimTime,
    give_up: SimTime,
    submitted: u64,
    completed: u64,
    gave_up: u64,
    polls: u64,
    poll_errors: u64,
    connections: u64,
    connections_refused: u64,
    messages: u64,
    connection_minutes: u64,
    /// From arrival to the result in hand, for completed requests.
    latency: Histogram,
    latency_sum: SimTime,
}

impl ResultRt {
    pub(crate) fn new(params: &AsyncResult, done_at: u32, status_edge: Option<u32>) -> Self {
        ResultRt {
            params: params.clone(),
            done_at,
            status_edge,
            notify: SimTime::from_secs_f64(params.notify_ms / 1000.0),
            interval: SimTime::from_secs_f64(params.poll_interval_s),
            give_up: SimTime::from_secs_f64(params.give_up_s),
            submitted: 0,
            completed: 0,
            gave_up: 0,
            polls: 0,
            poll_errors: 0,
            connections: 0,
            connections_refused: 0,
            messages: 0,
            connection_minutes: 0,
            latency: Histogram::default(),
            latency_sum: SimTime::ZERO,
        }
    }

    /// What the WebSocket API cost: messages and connection minutes.
    fn websocket_usd(&self) -> f64 {
        self.messages as f64 * WS_PER_MESSAGE
            + self.connection_minutes as f64 * WS_PER_CONNECTION_MINUTE
    }

    pub(crate) fn report(&self) -> AsyncResultReport {
        AsyncResultReport {
            pattern: self.params.pattern,
            submitted: self.submitted,
            completed: self.completed,
            gave_up: self.gave_up,
            polls: self.polls,
            poll_errors: self.poll_errors,
            connections: self.connections,
            connections_refused: self.connections_refused,
            messages: self.messages,
            connection_minutes: self.connection_minutes,
            websocket_usd: self.websocket_usd(),
            p50_ms: self.latency.quantile_ms(0.5),
            p99_ms: self.latency.quantile_ms(0.99),
            mean_ms: if self.completed == 0 {
                0.0
            } else {
                self.latency_sum.as_secs_f64() * 1000.0 / self.completed as f64
            },
        }
    }
}

/// Where a request with an async result stands.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ResultWait {
    /// The submit was accepted; the client now waits for the result.
    pub(crate) waiting: bool,
    /// When the submit was accepted.
    accepted: SimTime,
    /// When the work finished, if it has.
    ready: Option<SimTime>,
    /// Polling: when the status request in flight was sent, and how many were sent.
    poll_sent: SimTime,
    polls: u32,
    /// WebSocket: when the open connection was opened.
    connected: Option<SimTime>,
}

impl Simulation {
    fn result_rt(&self, client: u32) -> Option<&ResultRt> {
        match &self.nodes[client as usize] {
            NodeRt::Client(c) => c.result.as_deref(),
            _ => None,
        }
    }

    fn result_rt_mut(&mut self, client: u32) -> &mut ResultRt {
        match &mut self.nodes[client as usize] {
            NodeRt::Client(c) => c
                .result
                .as_deref_mut()
                .expect("a client with an async result"),
            _ => unreachable!("client index points at a client node"),
        }
    }

    /// The job a client's call carries: its request, for a submit whose result it awaits
    /// (a status request carries none).
    pub(super) fn submit_job(&self, req: ReqId) -> Job {
        let r = &self.reqs[req];
        if r.wait.waiting || self.result_rt(r.client).is_none() {
            return Job::NONE;
        }
        Job {
            req: req.slot(),
            generation: r.generation,
        }
    }

    /// Before an attempt is sent: a WebSocket client opens its connection first (within
    /// the account's new-connection rate). False if the connection was refused.
    pub(super) fn result_connect(&mut self, req: ReqId) -> bool {
        let client = self.reqs[req].client;
        let Some(rt) = self.result_rt(client) else {
            return true;
        };
        if rt.params.pattern != AsyncPattern::Websocket || self.reqs[req].wait.connected.is_some() {
            return true;
        }
        let now = self.now;
        if !self.websocket_bucket.take(now) {
            self.result_rt_mut(client).connections_refused += 1;
            return false;
        }
        self.result_rt_mut(client).connections += 1;
        self.reqs[req].wait.connected = Some(now);
        true
    }

    /// The submit was accepted: the client waits for the result.
    pub(super) fn result_accepted(&mut self, req: ReqId) {
        let now = self.now;
        let r = &mut self.reqs[req];
        r.wait.waiting = true;
        r.wait.accepted = now;
        let (client, generation, ready) = (r.client, r.generation, r.wait.ready);
        let rt = self.result_rt_mut(client);
        rt.submitted += 1;
        let (pattern, give_up, interval, notify) =
            (rt.params.pattern, rt.give_up, rt.interval, rt.notify);
        self.schedule(give_up, Event::ResultCheck { req, generation });
        match pattern {
            AsyncPattern::Poll => self.schedule(interval, Event::ResultCheck { req, generation }),
            _ => {
                if let Some(ready) = ready {
                    let at = (ready + notify).max(now);
                    self.schedule(at - now, Event::ResultCheck { req, generation });
                }
            }
        }
    }

    /// Work carrying `job` was completed by `node`: if that is where its client's work
    /// finishes, the result is ready.
    pub(super) fn result_ready(&mut self, job: Job, node: u32) {
        if !job.is_some() {
            return;
        }
        let req = ReqId::from_slot(job.req);
        let Some(r) = self.reqs.get(req) else { return };
        if !r.live || r.generation != job.generation || r.wait.ready.is_some() {
            return;
        }
        let (client, waiting, generation) = (r.client, r.wait.waiting, r.generation);
        let Some(rt) = self.result_rt(client) else {
            return;
        };
        if rt.done_at != node {
            return;
        }
        let (pattern, notify) = (rt.params.pattern, rt.notify);
        self.reqs[req].wait.ready = Some(self.now);
        if waiting && pattern != AsyncPattern::Poll {
            self.schedule(notify, Event::ResultCheck { req, generation });
        }
    }

    /// A request's result is due, a status request is due, or the client gives up.
    pub(super) fn on_result_check(&mut self, req: ReqId, generation: u32) {
        let r = &self.reqs[req];
        if !r.live || r.generation != generation || !r.wait.waiting {
            return;
        }
        let (client, w) = (r.client, r.wait);
        let Some(rt) = self.result_rt(client) else {
            return;
        };
        let (pattern, notify, give_up) = (rt.params.pattern, rt.notify, rt.give_up);
        let now = self.now;
        let arrived = match pattern {
            AsyncPattern::Poll => false,
            _ => w.ready.is_some_and(|t| t + notify <= now),
        };
        if arrived {
            if pattern == AsyncPattern::Websocket {
                // The push is one message.
                self.result_rt_mut(client).messages += 1;
                self.cost.api_gateway_usd += WS_PER_MESSAGE;
            }
            self.result_succeeded(req);
        } else if now >= w.accepted + give_up {
            self.result_rt_mut(client).gave_up += 1;
            if let Some(call) = self.reqs[req].call.take() {
                self.orphan(Some(call));
            }
            self.ledger.failed.add(ErrorKind::ResultGaveUp);
            self.finish_request(
                req,
                TraceOutcome::Failed {
                    error: ErrorKind::ResultGaveUp,
                },
            );
        } else if pattern == AsyncPattern::Poll && self.reqs[req].call.is_none() {
            self.send_poll(req);
        }
    }

    fn send_poll(&mut self, req: ReqId) {
        let now = self.now;
        let r = &mut self.reqs[req];
        r.wait.polls += 1;
        r.wait.poll_sent = now;
        let (client, generation, polls) = (r.client, r.generation, r.wait.polls);
        let rt = self.result_rt_mut(client);
        rt.polls += 1;
        let edge = rt
            .status_edge
            .expect("polling has a status edge (validated)");
        let call = self.new_call(edge, Parent::Client(req), false);
        self.reqs[req].call = Some(call);
        let timeout = self.client_timeout(client);
        self.arm(client, timeout, req, generation, POLL_BIT | polls);
    }

    /// A status request answered (or timed out: `Err(ClientTimeout)`).
    pub(super) fn poll_result(&mut self, req: ReqId, outcome: Outcome) {
        let r = &mut self.reqs[req];
        r.call = None;
        let (client, generation, w) = (r.client, r.generation, r.wait);
        if outcome.is_err() {
            self.result_rt_mut(client).poll_errors += 1;
        } else if w.ready.is_some_and(|t| t <= w.poll_sent) {
            self.result_succeeded(req);
            return;
        }
        let interval = self.result_rt_mut(client).interval;
        self.schedule(interval, Event::ResultCheck { req, generation });
    }

    /// Whether a client timer belongs to the status request in flight.
    pub(super) fn poll_timer_live(&self, req: ReqId, extra: u32) -> bool {
        let r = &self.reqs[req];
        r.wait.waiting && r.call.is_some() && extra == POLL_BIT | r.wait.polls
    }

    fn result_succeeded(&mut self, req: ReqId) {
        let r = &self.reqs[req];
        let (client, first) = (r.client, r.first_arrival());
        let latency = self.now - first;
        let rt = self.result_rt_mut(client);
        rt.completed += 1;
        rt.latency.record(latency);
        rt.latency_sum = rt.latency_sum + latency;
        self.request_succeeded(req);
    }

    /// The request ends: a WebSocket connection it held closes (its minutes, heartbeats
    /// and reconnections are billed).
    pub(super) fn result_closed(&mut self, req: ReqId) {
        let Some(since) = self.reqs[req].wait.connected.take() else {
            return;
        };
        let client = self.reqs[req].client;
        let held = self.now - since;
        let lives = held.as_nanos() / MAX_CONNECTION.as_nanos();
        let rt = self.result_rt_mut(client);
        rt.connections += lives;
        let heartbeats = held.as_nanos() / HEARTBEAT.as_nanos();
        rt.messages += heartbeats;
        // Each connection's minutes are rounded up.
        let minutes = held.as_nanos().div_ceil(60 * 1_000_000_000).max(1) + lives;
        rt.connection_minutes += minutes;
        // WebSocket APIs are billed as API Gateway.
        self.cost.api_gateway_usd +=
            heartbeats as f64 * WS_PER_MESSAGE + minutes as f64 * WS_PER_CONNECTION_MINUTE;
    }

    /// The async-result figures of a client, for the report.
    pub(super) fn result_report(&self, node: usize) -> Option<AsyncResultReport> {
        self.result_rt(node as u32).map(|r| r.report())
    }

    /// A call completed at `node`: the jobs it finishes (a batch's, all its messages').
    pub(super) fn finish_jobs(&mut self, call: CallId, node: u32) {
        match self.calls[call].parent {
            Parent::Batch(b) => {
                for job in self.batch_jobs(b) {
                    self.result_ready(job, node);
                }
            }
            _ => {
                let job = self.calls[call].chain.job;
                self.result_ready(job, node);
            }
        }
    }
}
