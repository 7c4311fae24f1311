//! The engine: a discrete-event loop over calls travelling through the node graph.
//!
//! Why calls: every request is a chain of synchronous calls (client → API Gateway →
//! Lambda → RDS Proxy → RDS …). Each call lives in an arena slot at one node; a parent waits
//! for its child's result. When a caller gives up (client timeout, API Gateway's 29 s, a
//! Lambda timeout) the child is *orphaned*, not cancelled: the backend keeps working and
//! its work is counted as wasted, which is what happens on AWS.
//!
//! Ordering: heap events are processed in `(time, insertion)` order; the work they cause at
//! the same instant (delivering a call to a node, returning a result to a parent) goes
//! through a FIFO task list drained before the next event, so no handler re-enters another.
//! Stale timers are ignored by checking the call slot's generation.

mod alarms;
mod arena;
mod async_invoke;
mod async_result;
mod breaker;
mod client;
mod cost;
mod dynamodb;
mod env_pool;
mod fanout;
mod faults;
mod gateway;
mod guard;
mod kinesis;
mod lambda;
mod lineage;
use lineage::Chain;
mod message;
mod pool;
mod proxy_pool;
mod rds;
mod report;
mod retry_budget;
mod service;
mod sqs;
mod stats;
mod timers;
mod trace;
mod workflows;

use std::collections::VecDeque;

use crate::error::ScenarioErrors;
use crate::queue::EventQueue;
use crate::report::{ErrorKind, Ledger};
use crate::rng::SimRng;
use crate::scenario::{Fault, NodeKind, Scenario, StreamMapping};
use crate::time::SimTime;

use client::{ClientRt, Req};
use cost::CostMeter;
use faults::FaultState;
use gateway::GatewayRt;
pub use guard::{Limits, MAX_WORK_PER_INSTANT, RunStop, StopCause, group as group_thousands};
use lambda::{AccountPool, LambdaRt};
use rds::{ProxyRt, RdsRt};
use service::ServiceRt;
use stats::{Histogram, Integrator, TokenBucket};

pub(crate) use arena::{Arena, Id};

pub(crate) type CallId = Id<Call>;
pub(crate) type ReqId = Id<Req>;
pub(crate) type BranchId = Id<workflows::Branch>;

/// Success, or the kind of failure.
pub(crate) type Outcome = Result<(), ErrorKind>;

/// Who waits for a call's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parent {
    /// A client request.
    Client(ReqId),
    /// Another call.
    Call(CallId),
    /// An event source mapping waiting for a batch's result.
    Batch(sqs::BatchId),
    /// Lambda's async queue waiting for an event's invocation.
    Async(async_invoke::EventId),
    /// A stream's event source mapping waiting for a batch's result.
    Stream(Id<kinesis::StreamBatch>),
    /// A Step Functions branch waiting for its Task.
    Machine(BranchId),
    /// Nobody any more: the caller gave up.
    Orphan,
    /// A notification (S3, SNS, a schedule) waiting for its target to accept it.
    Delivery(fanout::DeliveryId),
}

/// What a call is doing at its node.
#[derive(Clone, Copy, Debug)]
pub(crate) enum CallState {
    /// The slot is unused.
    Free,
    /// Created and delivered (or about to be), not yet handled by its node.
    Arrived,
    Gateway {
        child: Option<CallId>,
    },
    Lambda(lambda::LambdaCall),
    Proxy(rds::ProxyCall),
    Rds(rds::RdsCall),
    Service {
        /// How the call ends when its time is up (none: success).
        fail: Option<ErrorKind>,
        /// Whether it holds one of the service's in-flight places (a shed call does not).
        admitted: bool,
    },
    /// SendMessage in progress at a queue.
    Send,
    /// PutRecord in progress at a stream.
    Put,
    /// PutObject or Publish in progress.
    Publish,
    /// A request that only takes time and then succeeds (DynamoDB).
    Respond,
    /// At a worker pool's worker: waiting, or served until its resume.
    Pool {
        worker: u32,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) generation: u32,
    pub(crate) node: u32,
    /// The edge it travels along (none for a function's internal invocations).
    pub(crate) edge: Option<u32>,
    pub(crate) parent: Parent,
    pub(crate) arrived: SimTime,
    /// Part of a client retry (for cost attribution).
    pub(crate) retry: bool,
    /// Counted in the node's level (not for calls refused on arrival).
    counted: bool,
    /// `complete` was called; the result is on its way to the parent.
    finishing: bool,
    /// Not recorded in the node's figures (an async invoke accepted with 202).
    quiet: bool,
    /// A deadline is armed at the call's node and has not fired.
    pub(crate) deadline_armed: bool,
    /// The chain of events it belongs to, for recursive loop detection (a function's own
    /// invocation carries the chain extended by that function), and the client request
    /// whose long work it is.
    pub(crate) chain: Chain,
    pub(crate) state: CallState,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    /// Every whole simulated second: close the second's statistics, scale, reclaim.
    Tick,
    Arrival {
        client: u32,
    },
    SpikeArrival {
        fault: u32,
    },
    ClientRetry {
        req: ReqId,
        generation: u32,
    },
    /// An attempt the adaptive send-rate limiter held back may go.
    ClientSend {
        req: ReqId,
        generation: u32,
        attempt: u32,
    },
    /// A timed phase of a call finished (latency, compute, query, init …).
    Resume {
        call: CallId,
        generation: u32,
    },
    /// The head of a node's timeout queue is due.
    Timer {
        slot: u32,
    },
    /// A timer armed out of order, kept in the heap.
    LateTimer {
        slot: u32,
        id: u32,
        generation: u32,
        extra: u32,
    },
    /// Re-check a queue whose batching window may have elapsed.
    PollCheck {
        node: u32,
    },
    /// The oldest message of a queue nobody consumes reached its retention period.
    UnreadExpire {
        node: u32,
    },
    /// A Step Functions branch continues after a Wait state.
    MachineResume {
        branch: BranchId,
        generation: u32,
    },
    /// A Step Functions Task is retried.
    MachineRetry {
        branch: BranchId,
        generation: u32,
    },
    /// An Express execution reaches its 5-minute limit.
    MachineDeadline {
        branch: BranchId,
        generation: u32,
    },
    /// Standard state-transition tokens have refilled for the branch first in line.
    TransitionWake,
    /// An SNS delivery is due for its next attempt.
    DeliveryRetry {
        delivery: fanout::DeliveryId,
    },
    /// An EventBridge schedule invokes its targets.
    ScheduleFire {
        node: u32,
    },
    /// A stream consumer's lane retries its failed batch.
    StreamPoll {
        node: u32,
        consumer: u32,
        shard: u32,
        lane: u32,
    },
    /// A stream consumer reads a shard (`GetRecords`, or an enhanced fan-out push).
    StreamRead {
        node: u32,
        consumer: u32,
        shard: u32,
    },
    /// A function's async poller stops backing off.
    AsyncWake {
        node: u32,
    },
    /// An async event is due for its next attempt after a function error.
    AsyncRetry {
        node: u32,
        event: async_invoke::EventId,
        generation: u32,
    },
    /// A request's async result may be due, a status request is due, or its client
    /// gives up waiting.
    ResultCheck {
        req: ReqId,
        generation: u32,
    },
    FaultStart {
        fault: u32,
    },
    FaultEnd {
        fault: u32,
    },
}

#[derive(Clone, Copy, Debug)]
enum Task {
    Deliver(CallId),
    Complete(CallId, Outcome),
    /// A Parallel branch or Map iteration starts (queued, so a Map of 100,000 items runs
    /// as a loop, not as 100,000 nested calls).
    RunBranch {
        branch: BranchId,
        generation: u32,
    },
}

/// The runtime model of one node.
#[derive(Debug)]
pub(crate) enum NodeRt {
    Client(ClientRt),
    Gateway(GatewayRt),
    Lambda(LambdaRt),
    Proxy(ProxyRt),
    Rds(RdsRt),
    Service(ServiceRt),
    Queue(sqs::QueueRt),
    Stream(kinesis::StreamRt),
    Machine(workflows::MachineRt),
    Fanout(fanout::FanoutRt),
    Schedule(fanout::ScheduleRt),
    Table(dynamodb::TableRt),
    Pool(pool::PoolRt),
}

/// Per-node measurements.
#[derive(Debug)]
pub(crate) struct NodeStats {
    pub(crate) arrivals: u64,
    pub(crate) ok: u64,
    pub(crate) errors: crate::report::ErrorCounts,
    pub(crate) orphaned: u64,
    pub(crate) cold_starts: u64,
    pub(crate) in_node: Integrator,
    pub(crate) queue: Integrator,
    pub(crate) connections: Integrator,
    /// Messages received and not yet deleted (queues).
    pub(crate) in_flight: Integrator,
    /// First receives of messages, how many of them waited, and the total wait (queues).
    pub(crate) received: u64,
    pub(crate) waited: u64,
    pub(crate) wait_sum: u128,
    pub(crate) time_in_node: u128,
    pub(crate) latency: Histogram,
    pub(crate) second_latency: Histogram,
    pub(crate) series: Vec<crate::report::NodeSecond>,
    /// Messages put into a queue, whichever way (sends, redrives, notifications).
    pub(crate) enqueued: u64,
    /// A queue's oldest message or a stream's oldest unread record, at the last tick.
    pub(crate) oldest_age_s: f64,
}

impl NodeStats {
    fn new(seconds: usize, step_s: u64) -> Self {
        NodeStats {
            arrivals: 0,
            ok: 0,
            errors: Default::default(),
            orphaned: 0,
            cold_starts: 0,
            in_node: Integrator::new(seconds, step_s),
            queue: Integrator::new(seconds, step_s),
            connections: Integrator::new(seconds, step_s),
            in_flight: Integrator::new(seconds, step_s),
            received: 0,
            waited: 0,
            wait_sum: 0,
            time_in_node: 0,
            latency: Histogram::default(),
            second_latency: Histogram::default(),
            series: vec![Default::default(); seconds],
            enqueued: 0,
            oldest_age_s: 0.0,
        }
    }
}

/// A running simulation of one scenario.
#[derive(Debug)]
pub struct Simulation {
    seed: u64,
    now: SimTime,
    end: SimTime,
    /// Samples in each node's series, and the seconds each covers.
    seconds: usize,
    step_s: u64,
    queue: EventQueue<Event>,
    tasks: VecDeque<Task>,
    rng: SimRng,
    scenario: Scenario,
    nodes: Vec<NodeRt>,
    stats: Vec<NodeStats>,
    fault_state: Vec<FaultState>,
    timers: Vec<timers::TimerQueue>,
    faults: Vec<Fault>,
    /// The node each fault hits.
    fault_nodes: Vec<Option<u32>>,
    calls: Arena<Call>,
    reqs: Arena<Req>,
    msgs: Arena<message::Msg>,
    batches: Arena<sqs::Batch>,
    sbatches: Arena<kinesis::StreamBatch>,
    branches: Arena<workflows::Branch>,
    executions: crate::report::ExecutionLedger,
    transitions: workflows::TransitionLine,
    messages: crate::report::MessageLedger,
    async_events: Arena<async_invoke::AsyncEvent>,
    async_ledger: crate::report::AsyncLedger,
    deliveries: crate::report::DeliveryLedger,
    in_delivery: Arena<fanout::Delivery>,
    /// Whether each edge is an asynchronous invoke.
    edge_async: Vec<bool>,
    edges: Vec<(u32, u32)>,
    edge_load: Vec<u32>,
    edge_calls: Vec<u64>,
    /// Each edge's circuit breaker, if it has one.
    breakers: Vec<Option<breaker::Breaker>>,
    /// Whether any edge has one (the hot path skips the lookups otherwise).
    has_breakers: bool,
    /// Whether any service or function propagates deadlines (else an orphan's chain is not
    /// walked).
    has_deadlines: bool,
    /// The scenario's alarms.
    alarms: Vec<alarms::AlarmRt>,
    /// Request traces, when the host asked for them.
    tracer: Option<Box<trace::Tracer>>,
    /// Requests started by each client node (zero for other nodes).
    client_requests: Vec<u64>,
    /// Nodes where some client's long work finishes (`async_result.done_at`).
    result_sinks: Vec<bool>,
    /// The account's new WebSocket connections per second.
    websocket_bucket: TokenBucket,
    account: AccountPool,
    ledger: Ledger,
    e2e_latency: Histogram,
    /// Time from arrival to the end of requests that failed or timed out.
    failed_latency: Histogram,
    goodput: Vec<u64>,
    cost: CostMeter,
    events: u64,
    limits: Limits,
    guard: guard::Guard,
    /// Chains of events, for recursive loop detection.
    lineages: lineage::Lineages,
    /// Functions that sit on a loop of events (Lambda, SQS, SNS, S3).
    in_loop: Vec<bool>,
    stopped: Option<RunStop>,
    /// Things the run noticed, for the report and the event log (deduplicated).
    notes: Vec<crate::report::RunNote>,
}

impl Simulation {
    /// Validates `scenario` and prepares its run at time zero, within the default
    /// [`Limits`].
    pub fn new(scenario: &Scenario) -> Result<Simulation, ScenarioErrors> {
        Simulation::with_limits(scenario, Limits::default())
    }

    /// Like [`Simulation::new`], within the host's `limits` (a run that passes them stops
    /// cleanly: see [`Simulation::stopped`]).
    pub fn with_limits(scenario: &Scenario, limits: Limits) -> Result<Simulation, ScenarioErrors> {
        scenario.validate()?;
        let end = SimTime::from_secs_f64(scenario.duration_s);
        let step_s = scenario.series_step_s();
        let seconds = step_s.map_or(0, |step| scenario.seconds_covered().div_ceil(step) as usize);
        let step_s = step_s.unwrap_or(1);
        let ix = crate::scenario::index::Index::new(scenario);
        let index = |id: &str| ix.node(id).map(|i| i as u32);
        let edges: Vec<(u32, u32)> = ix
            .ends
            .iter()
            .map(|&(f, t)| match (f, t) {
                (Some(f), Some(t)) => (f as u32, t as u32),
                _ => unreachable!("validation resolves both ends of every edge"),
            })
            .collect();
        let edge_to = |from: usize, to: &str| ix.edge(from, to).map(|i| i as u32);
        // Clients, gateways and proxies have exactly one outgoing edge (validated).
        let target_edge = |from: usize| ix.outgoing[from][0] as u32;
        let account = AccountPool::new(scenario);
        let outs =
            |from: usize| -> Vec<u32> { ix.outgoing[from].iter().map(|&k| k as u32).collect() };
        let edge_async: Vec<bool> = scenario
            .edges
            .iter()
            .zip(&ix.ends)
            .map(|(e, ends)| match *ends {
                (Some(f), Some(t)) => {
                    e.invocation_for(scenario.nodes[f].kind.tag(), scenario.nodes[t].kind.tag())
                        == Some(crate::scenario::Invocation::Async)
                }
                _ => false,
            })
            .collect();
        let mut nodes = Vec::with_capacity(scenario.nodes.len());
        // Event-list lanes: lane `i` is node `i`'s latency; function steps take the next.
        let mut lanes = scenario.nodes.len() as u32;
        for (i, node) in scenario.nodes.iter().enumerate() {
            nodes.push(match &node.kind {
                NodeKind::Client(p) => {
                    let queue = p.backpressure.as_ref().and_then(|b| index(&b.queue));
                    let status = p.async_result.as_ref().and_then(|a| a.status.as_deref());
                    let status_edge = status.and_then(|s| edge_to(i, s));
                    // The submit edge is the one that is not to the status endpoint.
                    let submit = ix.outgoing[i]
                        .iter()
                        .map(|&k| k as u32)
                        .find(|&k| Some(k) != status_edge)
                        .unwrap_or_else(|| target_edge(i));
                    let result = p.async_result.as_ref().and_then(|a| {
                        let done_at = index(&a.done_at)?;
                        Some(Box::new(async_result::ResultRt::new(
                            a,
                            done_at,
                            status_edge,
                        )))
                    });
                    NodeRt::Client(ClientRt::new(p, submit, queue, result))
                }
                NodeKind::ApiGateway(p) => NodeRt::Gateway(GatewayRt::new(p, target_edge(i))),
                NodeKind::Lambda(p) => {
                    let on_failure = p.on_failure.as_deref().and_then(index);
                    let source = p.process_new.as_ref().and_then(|j| index(&j.source));
                    let mut l = LambdaRt::new(p, i, &edge_to, on_failure, source, &mut lanes);
                    l.backpressure = p
                        .backpressure
                        .as_ref()
                        .and_then(|b| Some((index(&b.queue)?, b.max_depth, b.max_age_s)));
                    NodeRt::Lambda(l)
                }
                NodeKind::RdsProxy(p) => {
                    let target = target_edge(i);
                    let rds = edges[target as usize].1;
                    let max = match &scenario.nodes[rds as usize].kind {
                        NodeKind::Rds(r) => r.effective_max_connections(),
                        _ => 1,
                    };
                    NodeRt::Proxy(ProxyRt::new(p, target, rds, max))
                }
                NodeKind::Rds(p) => NodeRt::Rds(RdsRt::new(p)),
                NodeKind::Service(p) => NodeRt::Service(ServiceRt::new(p)),
                NodeKind::Sqs(p) => {
                    let dlq = p.dead_letter_queue.as_deref().and_then(index);
                    let consumer = ix.outgoing[i]
                        .first()
                        .map(|&k| (k as u32, scenario.edges[k].esm.clone().unwrap_or_default()));
                    NodeRt::Queue(sqs::QueueRt::new(
                        p,
                        dlq,
                        consumer.as_ref().map(|(k, m)| (*k, m)),
                        &index,
                    ))
                }
                NodeKind::Dynamodb(p) => NodeRt::Table(dynamodb::TableRt::new(p)),
                NodeKind::WorkerPool(p) => NodeRt::Pool(pool::PoolRt::new(p, scenario.seed)),
                NodeKind::S3(p) => NodeRt::Fanout(fanout::FanoutRt::new(p, outs(i), false)),
                NodeKind::Sns(p) => NodeRt::Fanout(fanout::FanoutRt::new(p, outs(i), true)),
                NodeKind::Schedule(p) => NodeRt::Schedule(fanout::ScheduleRt::new(p, outs(i))),
                NodeKind::StepFunctions(p) => {
                    NodeRt::Machine(workflows::MachineRt::new(p, &|resource: &str| {
                        edge_to(i, resource)
                    }))
                }
                NodeKind::Kinesis(p) => {
                    let consumers: Vec<(u32, StreamMapping)> = ix.outgoing[i]
                        .iter()
                        .map(|&k| {
                            (
                                k as u32,
                                scenario.edges[k].stream.clone().unwrap_or_default(),
                            )
                        })
                        .collect();
                    NodeRt::Stream(kinesis::StreamRt::new(p, &consumers))
                }
            });
        }
        let mut sim = Simulation {
            seed: scenario.seed,
            now: SimTime::ZERO,
            end,
            seconds,
            step_s,
            queue: EventQueue::new(),
            tasks: VecDeque::new(),
            rng: SimRng::new(scenario.seed),
            scenario: scenario.clone(),
            stats: (0..nodes.len())
                .map(|_| NodeStats::new(seconds, step_s))
                .collect(),
            fault_state: vec![FaultState::default(); nodes.len()],
            timers: vec![timers::TimerQueue::default(); nodes.len() * timers::KINDS],
            nodes,
            faults: scenario.faults.clone(),
            fault_nodes: scenario.faults.iter().map(|f| index(&f.node)).collect(),
            calls: Arena::default(),
            reqs: Arena::default(),
            msgs: Arena::default(),
            batches: Arena::default(),
            sbatches: Arena::default(),
            branches: Arena::default(),
            executions: Default::default(),
            transitions: workflows::TransitionLine::new(
                scenario.account.step_functions_transition_rate_per_s,
                scenario.account.step_functions_transition_burst,
            ),
            messages: Default::default(),
            async_events: Arena::default(),
            async_ledger: Default::default(),
            deliveries: Default::default(),
            in_delivery: Arena::default(),
            edge_async,
            edge_load: vec![0; edges.len()],
            edge_calls: vec![0; edges.len()],
            breakers: scenario
                .edges
                .iter()
                .map(|e| {
                    e.breaker
                        .as_ref()
                        .map(|b| breaker::Breaker::new(b, seconds))
                })
                .collect(),
            alarms: scenario
                .alarms
                .iter()
                .filter_map(|a| Some(alarms::AlarmRt::new(a, ix.node(&a.node)?)))
                .collect(),
            tracer: None,
            has_breakers: scenario.edges.iter().any(|e| e.breaker.is_some()),
            has_deadlines: scenario.nodes.iter().any(|n| match &n.kind {
                NodeKind::Service(p) => p.admission.drop_abandoned,
                NodeKind::Lambda(p) => p.drop_abandoned,
                _ => false,
            }),
            client_requests: vec![0; scenario.nodes.len()],
            result_sinks: {
                let mut sinks = vec![false; scenario.nodes.len()];
                for n in &scenario.nodes {
                    if let NodeKind::Client(c) = &n.kind {
                        if let Some(k) = c.async_result.as_ref().and_then(|a| ix.node(&a.done_at)) {
                            sinks[k] = true;
                        }
                    }
                }
                sinks
            },
            websocket_bucket: {
                let rate = scenario.account.websocket_connections_per_s;
                TokenBucket::new(rate, rate.max(1.0))
            },
            edges,
            account,
            ledger: Ledger::default(),
            e2e_latency: Histogram::default(),
            failed_latency: Histogram::default(),
            goodput: vec![0; seconds],
            cost: CostMeter::default(),
            events: 0,
            limits,
            guard: guard::Guard::new(&limits),
            lineages: lineage::Lineages::default(),
            in_loop: event_loops(scenario, &ix),
            stopped: None,
            notes: Vec::new(),
        };
        sim.start_provisioned();
        sim.start_schedules();
        for client in 0..sim.nodes.len() {
            if matches!(sim.nodes[client], NodeRt::Client(_)) {
                sim.schedule_arrival(client as u32);
            }
        }
        for fault in 0..sim.faults.len() {
            let at = SimTime::from_secs_f64(sim.faults[fault].at_s);
            sim.queue.push(
                at,
                Event::FaultStart {
                    fault: fault as u32,
                },
            );
        }
        sim.kinesis_start();
        sim.queue.push(SimTime::from_secs(1), Event::Tick);
        Ok(sim)
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The time at which the run ends.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// The scenario being run (with any faults injected so far).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Whether the run is over: no event remains before its end, or it stopped.
    pub fn is_finished(&self) -> bool {
        self.stopped.is_some() || self.queue.peek_time().is_none_or(|t| t > self.end)
    }

    /// Why the run stopped before its end, if it did (a loop that takes no time, or the
    /// memory budget of its [`Limits`]).
    pub fn stopped(&self) -> Option<&RunStop> {
        self.stopped.as_ref()
    }

    /// Number of events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Processes the next event if it falls within the run; returns its time.
    pub fn step(&mut self) -> Option<SimTime> {
        if self.stopped.is_some() {
            return None;
        }
        let t = self.queue.peek_time().filter(|&t| t <= self.end)?;
        let (_, event) = self.queue.pop()?;
        self.now = t;
        self.events += 1;
        if !self.guard_step() {
            return None;
        }
        self.handle(event);
        self.drain_tasks();
        Some(t)
    }

    /// Processes every event up to and including `t` (capped at the end), then moves the
    /// clock to that time (not past a stop).
    pub fn step_until(&mut self, t: SimTime) {
        let target = t.min(self.end);
        while self.stopped.is_none() && self.queue.peek_time().is_some_and(|next| next <= target) {
            self.step();
        }
        if target > self.now && self.stopped.is_none() {
            self.now = target;
        }
    }

    /// Runs to the end of the scenario and returns the final report.
    pub fn run(&mut self) -> crate::report::Report {
        self.step_until(self.end);
        self.report()
    }

    /// Injects a fault starting now (e.g. while a run is paused); it is recorded in
    /// [`Simulation::scenario`]'s fault schedule so the run can be replayed.
    pub fn inject(&mut self, mut fault: Fault) -> Result<(), ScenarioErrors> {
        fault.at_s = self.now.as_secs_f64();
        let mut candidate = self.scenario.clone();
        candidate.faults.push(fault.clone());
        candidate.validate()?;
        self.scenario = candidate;
        let index = self.faults.len() as u32;
        let node = self.scenario.node_index(&fault.node).map(|i| i as u32);
        self.fault_nodes.push(node);
        self.faults.push(fault);
        self.queue
            .push(self.now, Event::FaultStart { fault: index });
        Ok(())
    }

    /// The client-level ledger: every request that arrived, by state.
    pub fn ledger(&self) -> Ledger {
        self.ledger
    }

    /// The async ledger: every event accepted for asynchronous invocation, by state.
    pub fn async_events(&self) -> crate::report::AsyncLedger {
        self.async_ledger
    }

    /// The notification ledger: every delivery to a target, by state.
    pub fn deliveries(&self) -> crate::report::DeliveryLedger {
        self.deliveries
    }

    /// The Step Functions ledger: every execution started, by state.
    pub fn executions(&self) -> crate::report::ExecutionLedger {
        self.executions
    }

    /// The message ledger: every message sent to a queue, by state.
    pub fn messages(&self) -> crate::report::MessageLedger {
        self.messages
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Tick => self.on_tick(),
            Event::Arrival { client } => self.on_client_arrival(client),
            Event::SpikeArrival { fault } => self.on_spike_arrival(fault),
            Event::ClientRetry { req, generation } => self.on_client_retry(req, generation),
            Event::ClientSend {
                req,
                generation,
                attempt,
            } => self.on_client_send(req, generation, attempt),
            Event::ResultCheck { req, generation } => self.on_result_check(req, generation),
            Event::Resume { call, generation } => {
                if self.live(call, generation) {
                    self.on_resume(call);
                }
            }
            Event::Timer { slot } => self.on_timer(slot),
            Event::LateTimer {
                slot,
                id,
                generation,
                extra,
            } => self.fire(slot, id, generation, extra),
            Event::PollCheck { node } => self.poll_check(node),
            Event::UnreadExpire { node } => self.unread_expire(node),
            Event::AsyncWake { node } => self.async_wake(node),
            Event::StreamPoll {
                node,
                consumer,
                shard,
                lane,
            } => self.stream_retry(node, consumer, shard, lane),
            Event::StreamRead {
                node,
                consumer,
                shard,
            } => self.stream_read(node, consumer, shard),
            Event::ScheduleFire { node } => self.schedule_fire(node),
            Event::MachineResume { branch, generation } => self.machine_resume(branch, generation),
            Event::MachineRetry { branch, generation } => self.machine_retry(branch, generation),
            Event::MachineDeadline { branch, generation } => {
                self.machine_deadline(branch, generation);
            }
            Event::TransitionWake => self.transition_wake(),
            Event::DeliveryRetry { delivery } => self.delivery_retry(delivery),
            Event::AsyncRetry {
                node,
                event,
                generation,
            } => self.async_retry(node, event, generation),
            Event::FaultStart { fault } => self.on_fault_start(fault),
            Event::FaultEnd { fault } => self.on_fault_end(fault),
        }
    }

    fn drain_tasks(&mut self) {
        while let Some(task) = self.tasks.pop_front() {
            if !self.guard_step() {
                return;
            }
            match task {
                Task::Deliver(call) => self.on_deliver(call),
                Task::Complete(call, outcome) => self.on_complete(call, outcome),
                Task::RunBranch { branch, generation } => {
                    let node = self.branch_node(branch);
                    self.guard_tally(node);
                    self.machine_resume(branch, generation);
                }
            }
        }
    }

    /// Records something the run noticed (once per node and message; repeats counted).
    pub(crate) fn note(&mut self, node: usize, message: String) {
        let id = &self.scenario.nodes[node].id;
        if let Some(n) = self
            .notes
            .iter_mut()
            .find(|n| &n.node == id && n.message == message)
        {
            n.count += 1;
        } else if self.notes.len() < 100 {
            self.notes.push(crate::report::RunNote {
                at_s: self.now.as_secs_f64(),
                node: id.clone(),
                message,
                count: 1,
            });
        }
    }

    fn live(&self, call: CallId, generation: u32) -> bool {
        self.calls
            .get(call)
            .is_some_and(|c| c.generation == generation && !matches!(c.state, CallState::Free))
    }

    /// Creates a call along `edge` and queues its delivery to the edge's target.
    pub(crate) fn new_call(&mut self, edge: u32, parent: Parent, retry: bool) -> CallId {
        let node = self.edges[edge as usize].1;
        self.new_call_at(node, Some(edge), parent, retry)
    }

    /// Creates a call to `node` (along `edge`, or none for internal invocations).
    pub(crate) fn new_call_at(
        &mut self,
        node: u32,
        edge: Option<u32>,
        parent: Parent,
        retry: bool,
    ) -> CallId {
        if let Some(edge) = edge {
            self.edge_load[edge as usize] += 1;
            self.edge_calls[edge as usize] += 1;
        }
        let chain = self.chain_of(parent);
        let call = Call {
            generation: 0,
            node,
            edge,
            parent,
            arrived: self.now,
            retry,
            counted: false,
            finishing: false,
            quiet: false,
            deadline_armed: false,
            chain,
            state: CallState::Arrived,
        };
        let id = self.calls.insert_carrying(call, |old, new| Call {
            generation: old.generation,
            ..new
        });
        if self.tracer.is_some() {
            let attempt = match parent {
                Parent::Client(r) => self.reqs[r].attempt(),
                _ => 0,
            };
            self.trace_call(id, node, parent, attempt);
        }
        self.tasks.push_back(Task::Deliver(id));
        id
    }

    /// The chain of events a new call with this parent belongs to: its caller's, or the
    /// batch's, event's or notification's; a client's submit starts one that carries its
    /// request; a stream or a state machine starts a new one (recursive loop detection
    /// does not follow Kinesis or Step Functions).
    fn chain_of(&self, parent: Parent) -> Chain {
        match parent {
            Parent::Call(p) => self.calls[p].chain,
            Parent::Batch(b) => self.batch_chain(b),
            Parent::Async(e) => self.async_chain(e),
            Parent::Delivery(d) => self.delivery_chain(d),
            Parent::Client(r) => Chain {
                lineage: lineage::NO_LINEAGE,
                job: self.submit_job(r),
            },
            Parent::Stream(_) | Parent::Machine(_) | Parent::Orphan => Chain::NONE,
        }
    }

    /// Finishes a call with `outcome` (its parent learns of it in the task list).
    pub(crate) fn complete(&mut self, call: CallId, outcome: Outcome) {
        self.calls[call].finishing = true;
        self.tasks.push_back(Task::Complete(call, outcome));
    }

    pub(crate) fn schedule(&mut self, after: SimTime, event: Event) {
        self.queue.push(self.now + after, event);
    }

    pub(crate) fn resume_after(&mut self, call: CallId, after: SimTime) {
        let generation = self.calls[call].generation;
        self.schedule(after, Event::Resume { call, generation });
    }

    /// Like [`Simulation::resume_after`] for a delay that is a constant of `lane`'s owner
    /// (see [`crate::queue`]: the same order, a cheaper event list). Lane `i` is node `i`'s
    /// own latency; a function's fixed steps have lanes of their own.
    pub(crate) fn resume_in_lane(&mut self, call: CallId, after: SimTime, lane: u32) {
        let generation = self.calls[call].generation;
        self.queue
            .push_in_lane(lane, self.now + after, Event::Resume { call, generation });
    }

    pub(crate) fn deadline_after(&mut self, call: CallId, after: SimTime) {
        let c = &mut self.calls[call];
        debug_assert!(!c.deadline_armed, "one deadline per call");
        c.deadline_armed = true;
        let (node, generation) = (c.node, c.generation);
        self.arm(node, after, call, generation, 0);
    }

    /// The caller of `child` stops waiting: the child keeps running, its result unwanted
    /// (unless a service down its chain propagates deadlines: see `abandoned`).
    pub(crate) fn orphan(&mut self, child: Option<CallId>) {
        let Some(child) = child else { return };
        let now = self.now;
        if let Some(c) = self.calls.get_mut(child) {
            if !matches!(c.state, CallState::Free) && c.parent != Parent::Orphan {
                c.parent = Parent::Orphan;
                // The caller gave up: a failure for the breaker it holds on this edge.
                if self.has_breakers {
                    if let Some(b) = c.edge.and_then(|e| self.breakers[e as usize].as_mut()) {
                        b.record(now, false);
                    }
                }
                if self.has_deadlines {
                    self.abandoned(child);
                }
            }
        }
    }

    /// A call's caller gave up: follow the chain of calls it is waiting for, and let a
    /// service that propagates deadlines stop its part of the work (the callers above it
    /// then hear `deadline_exceeded` at once instead of waiting for a useless answer).
    fn abandoned(&mut self, call: CallId) {
        let mut current = Some(call);
        // Synchronous chains are acyclic (validated), so this ends; the bound is a guard.
        for _ in 0..64 {
            let Some(c) = current else { return };
            current = match self.calls[c].state {
                CallState::Gateway { child } => child,
                CallState::Lambda(l) => {
                    if self.lambda_abandoned(c) {
                        return;
                    }
                    l.child
                }
                CallState::Proxy(p) => p.child,
                CallState::Service { .. } => {
                    self.service_abandoned(c);
                    return;
                }
                _ => return,
            };
        }
    }

    fn on_deliver(&mut self, call: CallId) {
        let edge = self.calls[call].edge;
        let node = self.calls[call].node as usize;
        // An open circuit breaker fails the call fast: it never reaches the node.
        let now = self.now;
        if let (true, Some(e)) = (self.has_breakers, edge) {
            if let Some(b) = self.breakers[e as usize].as_mut() {
                if !b.admit(now) {
                    self.edge_calls[e as usize] -= 1;
                    let c = &mut self.calls[call];
                    c.quiet = true;
                    c.finishing = true;
                    self.tasks
                        .push_back(Task::Complete(call, Err(ErrorKind::CircuitOpen)));
                    return;
                }
            }
        }
        // An async invoke is accepted into the function's queue, unless the function is
        // down (then the caller sees the refusal, like any other call).
        if edge.is_some_and(|e| self.edge_async[e as usize]) && self.fault_state[node].outage == 0 {
            self.async_accept(call);
            return;
        }
        let now = self.now;
        self.guard_tally(node);
        let st = &mut self.stats[node];
        st.arrivals += 1;
        if let Some(s) = st
            .series
            .get_mut((now.second_index() / self.step_s) as usize)
        {
            s.arrivals += 1;
        }
        if self.fault_state[node].outage > 0 {
            self.complete(call, Err(ErrorKind::Unavailable));
            return;
        }
        self.dispatch_arrival(node, call);
        // Calls refused on arrival never occupy the node.
        let c = &mut self.calls[call];
        if !c.finishing {
            c.counted = true;
            self.stats[node].in_node.add(now, 1);
        }
    }

    fn dispatch_arrival(&mut self, node: usize, call: CallId) {
        match &self.nodes[node] {
            NodeRt::Gateway(_) => self.gateway_arrive(call),
            NodeRt::Lambda(_) => self.lambda_arrive(call),
            NodeRt::Proxy(_) => self.proxy_arrive(call),
            NodeRt::Rds(_) => self.rds_arrive(call),
            NodeRt::Service(_) => self.service_arrive(call),
            NodeRt::Queue(_) => self.sqs_arrive(call),
            NodeRt::Stream(_) => self.kinesis_arrive(call),
            NodeRt::Machine(_) => self.sfn_arrive(call),
            NodeRt::Fanout(_) => self.fanout_arrive(call),
            NodeRt::Table(_) => self.table_arrive(call),
            NodeRt::Pool(_) => self.pool_arrive(call),
            NodeRt::Schedule(_) => self.complete(call, Err(ErrorKind::Unavailable)),
            NodeRt::Client(_) => self.complete(call, Err(ErrorKind::Unavailable)),
        }
    }

    fn on_resume(&mut self, call: CallId) {
        match self.calls[call].state {
            CallState::Gateway { .. } => self.gateway_resume(call),
            CallState::Lambda(_) => self.lambda_resume(call),
            CallState::Proxy(_) => self.proxy_resume(call),
            CallState::Rds(_) => self.rds_resume(call),
            CallState::Service { fail, admitted } => {
                if admitted {
                    self.service_done(call);
                }
                self.complete(call, fail.map_or(Ok(()), Err));
            }
            CallState::Send => self.sqs_send_done(call),
            CallState::Put => self.kinesis_put(call),
            CallState::Publish => self.fanout_done(call),
            CallState::Respond => self.complete(call, Ok(())),
            CallState::Pool { worker } => self.pool_done(call, worker),
            CallState::Free | CallState::Arrived => {}
        }
    }

    fn on_deadline(&mut self, call: CallId) {
        match self.calls[call].state {
            CallState::Gateway { child } => {
                self.orphan(child);
                self.complete(call, Err(ErrorKind::IntegrationTimeout));
            }
            CallState::Lambda(_) => self.lambda_timeout(call),
            CallState::Proxy(_) => self.proxy_borrow_timeout(call),
            _ => {}
        }
    }

    /// Records the end of a call at its node, tells its parent, and frees the slot.
    fn on_complete(&mut self, call: CallId, mut outcome: Outcome) {
        let c = &self.calls[call];
        if matches!(c.state, CallState::Free) {
            return;
        }
        let (node, parent, arrived, edge, counted, quiet) = (
            c.node as usize,
            c.parent,
            c.arrived,
            c.edge,
            c.counted,
            c.quiet,
        );
        if quiet {
            self.finish_quiet(call, edge, parent, outcome);
            return;
        }

        // A batch holding a poison record fails: the function threw on it, so its errors
        // count the invocation (the batch is then retried, bisected or skipped).
        if outcome.is_ok() && matches!(parent, Parent::Stream(b) if self.stream_batch_poisoned(b)) {
            outcome = Err(ErrorKind::InjectedError);
        }
        // An injected error rate turns a success into a failure at this node.
        if outcome.is_ok() {
            let p = self.fault_state[node].error_probability;
            if p > 0.0 {
                let failed = match parent {
                    // Records of a batch fail one by one (lesson 17).
                    Parent::Batch(b) => self.fail_records(b, p),
                    _ => self.rng.chance(p),
                };
                if failed {
                    outcome = Err(ErrorKind::InjectedError);
                }
            }
        }
        // Long work finishes here: the results of the requests it carries are ready.
        if outcome.is_ok() && self.result_sinks[node] {
            self.finish_jobs(call, node as u32);
        }
        let now = self.now;
        let st = &mut self.stats[node];
        if counted {
            st.in_node.add(now, -1);
        }
        let time = now - arrived;
        st.time_in_node += u128::from(time.as_nanos());
        st.latency.record(time);
        st.second_latency.record(time);
        let second = st
            .series
            .get_mut((now.second_index() / self.step_s) as usize);
        match outcome {
            Ok(()) => {
                st.ok += 1;
                if let Some(s) = second {
                    s.ok += 1;
                }
            }
            Err(kind) => {
                st.errors.add(kind);
                if let Some(s) = second {
                    s.errors += 1;
                    if kind.is_throttle() {
                        s.throttled += 1;
                    }
                }
            }
        }
        if parent == Parent::Orphan {
            st.orphaned += 1;
        }
        if let Some(edge) = edge {
            self.edge_load[edge as usize] -= 1;
            if self.has_breakers && parent != Parent::Orphan {
                if let Some(b) = self.breakers[edge as usize].as_mut() {
                    b.record(now, outcome.is_ok());
                }
            }
        }
        if self.tracer.is_some() {
            self.trace_end(call, outcome.err());
        }
        match parent {
            Parent::Client(req) => self.client_result(req, call, outcome),
            Parent::Call(p) => self.child_result(p, call, outcome),
            Parent::Batch(b) => self.batch_result(b, outcome),
            Parent::Async(e) => self.async_result(node as u32, e, outcome),
            Parent::Stream(b) => self.stream_result(b, outcome),
            Parent::Machine(b) => self.machine_task_result(b, outcome),
            Parent::Delivery(d) => self.delivery_result(d, outcome),
            Parent::Orphan => {}
        }
        self.free_call(call);
    }

    /// Ends a call that is not part of its node's figures (an accepted async invoke).
    fn finish_quiet(&mut self, call: CallId, edge: Option<u32>, parent: Parent, outcome: Outcome) {
        if let Some(edge) = edge {
            self.edge_load[edge as usize] -= 1;
        }
        self.trace_end(call, outcome.err());
        match parent {
            Parent::Client(req) => self.client_result(req, call, outcome),
            Parent::Call(p) => self.child_result(p, call, outcome),
            Parent::Delivery(d) => self.delivery_result(d, outcome),
            // A Task's call failed fast by a circuit breaker.
            Parent::Machine(b) => self.machine_task_result(b, outcome),
            Parent::Batch(_) | Parent::Async(_) | Parent::Stream(_) | Parent::Orphan => {}
        }
        self.free_call(call);
    }

    /// Frees a finished call's slot (cancelling its deadline if it never fired).
    fn free_call(&mut self, call: CallId) {
        let slot = &mut self.calls[call];
        slot.state = CallState::Free;
        slot.generation = slot.generation.wrapping_add(1);
        if std::mem::take(&mut slot.deadline_armed) {
            let node = slot.node;
            self.cancel_timer(node, timers::TimerKind::Deadline);
        }
        self.calls.release(call);
    }

    fn child_result(&mut self, parent: CallId, child: CallId, outcome: Outcome) {
        match self.calls[parent].state {
            CallState::Gateway { child: c } if c == Some(child) => {
                self.complete(parent, outcome);
            }
            CallState::Lambda(l) if l.child == Some(child) => {
                self.lambda_child_result(parent, outcome);
            }
            CallState::Proxy(p) if p.child == Some(child) => {
                self.proxy_child_result(parent, outcome);
            }
            _ => {}
        }
    }

    fn on_tick(&mut self) {
        let second = self.now.second_index();
        if second > 0 && second % self.step_s == 0 {
            self.close_second((second / self.step_s - 1) as usize);
        }
        self.guard_tick();
        self.lambda_tick();
        self.sqs_tick();
        self.kinesis_tick();
        self.table_tick();
        self.alarms_tick();
        if self.now < self.end {
            self.schedule(SimTime::from_secs(1), Event::Tick);
        }
    }

    /// The series sample that time `t` falls in.
    pub(crate) fn bucket(&self, t: SimTime) -> usize {
        (t.second_index() / self.step_s) as usize
    }

    /// Stores the latency quantiles of sample `s` and starts the next one.
    fn close_second(&mut self, s: usize) {
        let now = self.now;
        for b in self.breakers.iter_mut().flatten() {
            b.close_sample(s, now);
        }
        for st in &mut self.stats {
            if let Some(sample) = st.series.get_mut(s) {
                sample.p50_ms = st.second_latency.quantile_ms(0.5);
                sample.p90_ms = st.second_latency.quantile_ms(0.9);
                sample.p99_ms = st.second_latency.quantile_ms(0.99);
            }
            st.second_latency.clear();
        }
    }
}

/// Takes the next event-list lane number (see [`crate::queue`]).
pub(crate) fn new_lane(lanes: &mut u32) -> u32 {
    let lane = *lanes;
    *lanes += 1;
    lane
}

/// Which functions sit on a loop that events can travel around: Lambda, SQS, SNS and S3
/// connected by edges, dead-letter queues, on-failure destinations and priority splits
/// (the services whose loops Lambda detects).
fn event_loops(s: &Scenario, ix: &crate::scenario::index::Index<'_>) -> Vec<bool> {
    let traced = |k: &NodeKind| {
        matches!(
            k,
            NodeKind::Lambda(_) | NodeKind::Sqs(_) | NodeKind::Sns(_) | NodeKind::S3(_)
        )
    };
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); s.nodes.len()];
    for (k, &(from, to)) in ix.ends.iter().enumerate() {
        if let (Some(f), Some(t)) = (from, to) {
            if traced(&s.nodes[f].kind) && traced(&s.nodes[t].kind) {
                succ[f].push(t);
            }
            if let Some(o) = s.edges[k]
                .esm
                .as_ref()
                .and_then(|m| m.backlog.overflow.as_ref())
            {
                succ[f].extend(ix.node(&o.queue));
            }
        }
    }
    for (i, n) in s.nodes.iter().enumerate() {
        match &n.kind {
            NodeKind::Lambda(l) => succ[i].extend(l.on_failure.as_deref().and_then(|d| ix.node(d))),
            NodeKind::Sqs(q) => {
                succ[i].extend(q.dead_letter_queue.as_deref().and_then(|d| ix.node(d)));
            }
            _ => {}
        }
    }
    let cyclic = lineage::on_cycle(&succ);
    s.nodes
        .iter()
        .zip(cyclic)
        .map(|(n, c)| c && matches!(n.kind, NodeKind::Lambda(_)))
        .collect()
}
