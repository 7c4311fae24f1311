//! A run you can watch: the simulation advanced in bounded slices, a frame recorded every
//! simulated second (so the playhead can move back without re-running), and what the
//! canvas shows at the playhead: per-node gauges and a health state smoothed over the last
//! few seconds.
//!
//! Why slices and recorded frames: the page must never freeze, so the host advances the
//! core a little at a time and checks its time budget between slices; and the core is
//! deterministic, so however the run is sliced, the final report equals `Simulation::run()`
//! (a test checks it). Nothing here touches the DOM or a clock: the caller passes the
//! budget check in.

use std::rc::Rc;

use surge_core::{
    ErrorKind, Fault, FaultKind, Frame, Report, Scenario, ScenarioErrors, SimTime, Simulation,
};

/// Longest simulated slice between two budget checks, in seconds.
const SLICE_S: f64 = 0.05;

/// A run in progress.
#[derive(Debug)]
pub struct LiveRun {
    sim: Simulation,
    /// Shared with the views published from it, so a publish copies no frames.
    frames: Rc<Vec<Rc<Frame>>>,
    scenario_json: Rc<str>,
    callees: Rc<Vec<Vec<usize>>>,
    injected: Vec<LogLine>,
    /// Every log line so far (frames' lines and injections), oldest first.
    log: Vec<LogLine>,
    saturated: Vec<bool>,
}

impl LiveRun {
    /// Starts a run of `scenario` at time 0 (frame 0 recorded).
    pub fn start(scenario: &Scenario) -> Result<LiveRun, Vec<String>> {
        let sim = Simulation::new(scenario)
            .map_err(|ScenarioErrors(e)| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        let first = Rc::new(sim.frame());
        Ok(LiveRun {
            sim,
            frames: Rc::new(vec![first]),
            scenario_json: scenario.to_json().into(),
            callees: Rc::new(callees(scenario)),
            injected: Vec::new(),
            log: Vec::new(),
            saturated: Vec::new(),
        })
    }

    /// Injects a fault starting now; the core records it in the run's fault schedule.
    pub fn inject(&mut self, fault: Fault) -> Result<(), String> {
        let text = format!(
            "t={:.0} s {}: injected {} for {} s",
            self.computed_s(),
            fault.node,
            fault_name(&fault.kind),
            fault.duration_s
        );
        self.sim.inject(fault).map_err(|ScenarioErrors(e)| {
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let line = LogLine {
            time_s: self.computed_s().floor() as u64,
            text,
            severity: Severity::Info,
        };
        self.injected.push(line.clone());
        self.log.push(line);
        Ok(())
    }

    /// The fault schedule as run: the scenario's own faults and every injected one.
    pub fn faults(&self) -> Vec<Fault> {
        self.sim.scenario().faults.clone()
    }

    /// How many faults were injected into this run.
    pub fn injected(&self) -> usize {
        self.injected.len()
    }

    fn push_frame(&mut self) {
        let frame = Rc::new(self.sim.frame());
        Rc::make_mut(&mut self.frames).push(frame);
        let k = self.frames.len() - 1;
        log_second(
            &self.frames,
            k,
            &self.callees,
            &mut self.saturated,
            &mut self.log,
        );
    }

    /// The view at frame `at`: gauges, and the log up to then (injected faults included).
    pub fn view(&self, at: usize) -> Option<LiveView> {
        let frame = self.frames.get(at)?;
        let upto = self
            .log
            .partition_point(|l| l.time_s as f64 <= frame.time_s + 1e-9);
        let from = upto.saturating_sub(LOG_LINES);
        Some(LiveView {
            time_s: frame.time_s,
            nodes: gauges_at(&self.frames, at)?,
            edges: frame.edges.clone(),
            log: Rc::new(self.log[from..upto].to_vec()),
            frames: self.frames.clone(),
            at,
        })
    }

    /// For each node (scenario order), the nodes it calls.
    pub fn callees(&self) -> Rc<Vec<Vec<usize>>> {
        self.callees.clone()
    }

    /// Simulated seconds computed so far.
    pub fn computed_s(&self) -> f64 {
        self.sim.now().as_secs_f64()
    }

    /// Simulated second at which the run ends.
    pub fn end_s(&self) -> f64 {
        self.sim.end().as_secs_f64()
    }

    /// Whether the run has reached its end.
    pub fn finished(&self) -> bool {
        self.sim.now() >= self.sim.end()
    }

    /// Frames recorded so far: frame `k` is the state at `k` simulated seconds.
    pub fn frames(&self) -> &[Rc<Frame>] {
        &self.frames
    }

    /// The exact scenario JSON being run, with the faults injected so far in its schedule
    /// (running it from the start gives this run again).
    pub fn scenario_json(&self) -> Rc<str> {
        if self.injected.is_empty() {
            self.scenario_json.clone()
        } else {
            self.sim.scenario().to_json().into()
        }
    }

    /// Advances by up to `dt_s` simulated seconds, recording a frame at every whole second
    /// crossed; stops early when `out_of_time` says so (it is asked between slices).
    /// Returns the simulated seconds actually advanced.
    pub fn advance(&mut self, dt_s: f64, mut out_of_time: impl FnMut() -> bool) -> f64 {
        let start = self.computed_s();
        let target = (start + dt_s.max(0.0)).min(self.end_s());
        while self.computed_s() < target {
            let next_mark = self.frames.len() as f64;
            let stop = target.min(next_mark).min(self.computed_s() + SLICE_S);
            self.sim.step_until(SimTime::from_secs_f64(stop));
            if self.computed_s() >= next_mark {
                self.push_frame();
            }
            if out_of_time() {
                break;
            }
        }
        if self.finished() && self.frames.last().is_some_and(|f| f.time_s < self.end_s()) {
            self.push_frame();
        }
        self.computed_s() - start
    }

    /// The report so far (the final report once finished).
    pub fn report(&self) -> Rc<Report> {
        Rc::new(self.sim.report())
    }
}

/// A fault kind in words.
pub fn fault_name(kind: &FaultKind) -> String {
    match kind {
        FaultKind::Outage => "an outage".into(),
        FaultKind::AddedLatency { ms } => format!("{ms} ms of added latency"),
        FaultKind::ErrorRate { probability } => {
            format!("a {:.0} % error rate", probability * 100.0)
        }
        FaultKind::Failover => "a failover".into(),
        FaultKind::Poison => "poison records".into(),
        FaultKind::Spike { rate_per_s } => format!("a spike of +{rate_per_s} req/s"),
    }
}

/// For each node, the indices of the nodes its edges lead to.
pub fn callees(scenario: &Scenario) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); scenario.nodes.len()];
    for e in &scenario.edges {
        if let (Some(a), Some(b)) = (scenario.node_index(&e.from), scenario.node_index(&e.to)) {
            out[a].push(b);
        }
    }
    out
}

/// How loaded a node looks, smoothed over the last few seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Comfortably below its limit, nothing waiting.
    Ok,
    /// Busy: above 70 % of its limit, or a short queue.
    Busy,
    /// At its limit, or a queue that keeps growing.
    Saturated,
}

impl Health {
    /// CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Busy => "busy",
            Health::Saturated => "saturated",
        }
    }
}

/// One node's gauge at the playhead.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// Calls at the node.
    pub level: u32,
    /// Its limit, if it has one.
    pub limit: Option<u32>,
    /// Calls waiting.
    pub queue: u32,
    /// Open connections.
    pub connections: u32,
    /// Smoothed health.
    pub health: Health,
    /// What became of the calls that finished here in the last second.
    pub outcomes: Outcomes,
    /// Age of the oldest waiting message or record (queues, streams), in seconds.
    pub oldest_age_s: f64,
    /// Messages received and not yet deleted (queues), executions running (state machines).
    pub in_flight: u32,
}

/// Calls finished at a node in one second, by outcome.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Outcomes {
    /// Succeeded.
    pub ok: u64,
    /// Throttled (429 of any source).
    pub throttled: u64,
    /// Timed out (function, integration, client).
    pub timed_out: u64,
    /// Failed otherwise (5xx, refused, injected…).
    pub failed: u64,
}

impl Outcomes {
    fn between(before: &surge_core::NodeFrame, now: &surge_core::NodeFrame) -> Outcomes {
        let d = |k: ErrorKind| now.errors.get(k).saturating_sub(before.errors.get(k));
        let throttled = d(ErrorKind::Throttled)
            + d(ErrorKind::ConcurrencyThrottled)
            + d(ErrorKind::ServiceThrottled)
            + d(ErrorKind::StreamThrottled);
        let timed_out = d(ErrorKind::FunctionTimeout)
            + d(ErrorKind::IntegrationTimeout)
            + d(ErrorKind::ClientTimeout);
        let all = now.errors.total().saturating_sub(before.errors.total());
        Outcomes {
            ok: now.ok.saturating_sub(before.ok),
            throttled,
            timed_out,
            failed: all.saturating_sub(throttled + timed_out),
        }
    }

    /// The outcome (a CSS class suffix) of mark `j` of `marks`, so the marks on an edge
    /// split in the same shares as the outcomes.
    pub fn mark(&self, j: usize, marks: usize) -> &'static str {
        let total = self.ok + self.throttled + self.timed_out + self.failed;
        if total == 0 || marks == 0 {
            return "ok";
        }
        let at = (j as f64 + 0.5) / marks as f64 * total as f64;
        let mut cumulative = 0.0;
        for (count, name) in [
            (self.ok, "ok"),
            (self.throttled, "throttled"),
            (self.timed_out, "timeout"),
            (self.failed, "error"),
        ] {
            cumulative += count as f64;
            if at < cumulative {
                return name;
            }
        }
        "error"
    }
}

impl Gauge {
    /// The share of the limit in use (0 without a limit).
    pub fn fill(&self) -> f64 {
        match self.limit {
            Some(l) if l > 0 => (f64::from(self.level) / f64::from(l)).min(1.0),
            _ => 0.0,
        }
    }

    /// The gauge in a few characters: "12/100 · q 30".
    pub fn text(&self) -> String {
        let mut s = match self.limit {
            Some(l) => format!("{}/{l}", self.level),
            None => format!("{} in", self.level),
        };
        if self.queue > 0 {
            s.push_str(&format!(" · q {}", self.queue));
        }
        if self.connections > 0 {
            s.push_str(&format!(" · {} conn", self.connections));
        }
        if self.in_flight > 0 {
            s.push_str(&format!(" · {} in flight", self.in_flight));
        }
        if self.oldest_age_s >= 1.0 {
            s.push_str(&format!(" · age {:.0} s", self.oldest_age_s));
        }
        s
    }
}

/// What the canvas shows at one instant of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveView {
    /// Simulated time at the playhead.
    pub time_s: f64,
    /// Node id and gauge, in scenario order.
    pub nodes: Vec<(String, Gauge)>,
    /// Calls in flight per edge, in scenario order.
    pub edges: Vec<u32>,
    /// What happened up to the playhead, newest last (at most [`LOG_LINES`]).
    pub log: Rc<Vec<LogLine>>,
    /// Every frame recorded so far (the charts draw the seconds up to `at`).
    pub frames: Rc<Vec<Rc<Frame>>>,
    /// Index of the frame at the playhead.
    pub at: usize,
}

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
    pub by_kind: Vec<[u64; 13]>,
    /// Cost so far at each second (end-to-end series only), in dollars.
    pub cost: Vec<f64>,
}

fn kinds_between(b: &surge_core::ErrorCounts, n: &surge_core::ErrorCounts) -> [u64; 13] {
    let mut out = [0; 13];
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

/// How many event-log lines a view keeps.
pub const LOG_LINES: usize = 200;

/// How serious a log line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Something worth knowing (cold starts, a recovery).
    Info,
    /// Requests failed.
    Error,
}

/// One line of the event log: "t=61 s fn: 2,950 throttled (concurrency limit)".
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// Whole simulated second at which the second being described ended.
    pub time_s: u64,
    /// The line.
    pub text: String,
    /// Its severity.
    pub severity: Severity,
}

/// What a failure kind is called in the log.
pub fn error_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Throttled => "throttled by API Gateway (429)",
        ErrorKind::ConcurrencyThrottled => "throttled: concurrency limit (429)",
        ErrorKind::IntegrationTimeout => "integration timeouts (504)",
        ErrorKind::FunctionTimeout => "function timeouts",
        ErrorKind::ServerError => "server errors",
        ErrorKind::Unavailable => "refused: unavailable (503)",
        ErrorKind::ConnectionRefused => "connections refused",
        ErrorKind::BorrowTimeout => "proxy borrow timeouts",
        ErrorKind::ServiceThrottled => "throttled by the service",
        ErrorKind::PayloadTooLarge => "payloads too large (413)",
        ErrorKind::StreamThrottled => "stream writes throttled",
        ErrorKind::InjectedError => "injected errors",
        ErrorKind::ClientTimeout => "client timeouts",
        ErrorKind::RecursiveLoop => "stopped by recursive loop detection",
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The event log up to frame `at`: failures per node and kind in each second, cold
/// starts, and changes into and out of saturation. A failure a caller merely passes on
/// (a callee reported at least as many of that kind in that second) is named once, at
/// the callee.
pub fn log_until(frames: &[Rc<Frame>], at: usize, callees: &[Vec<usize>]) -> Vec<LogLine> {
    let mut lines = Vec::new();
    let mut saturated = Vec::new();
    for k in 1..=at.min(frames.len().saturating_sub(1)) {
        log_second(frames, k, callees, &mut saturated, &mut lines);
    }
    if lines.len() > LOG_LINES {
        lines.drain(..lines.len() - LOG_LINES);
    }
    lines
}

/// Lines for what the run's other ledgers did in one second: messages lost to a DLQ,
/// expiry or a drop policy; Express executions stopped; transitions waiting; SNS retries
/// and lost notifications.
fn ledger_lines(before: &Frame, now: &Frame, t: u64) -> Vec<LogLine> {
    let (m0, m1) = (&before.messages, &now.messages);
    let (e0, e1) = (&before.executions, &now.executions);
    let (d0, d1) = (&before.deliveries, &now.deliveries);
    let facts = [
        (
            m1.dead_lettered - m0.dead_lettered,
            "messages moved to a dead-letter queue",
            Severity::Error,
        ),
        (
            m1.expired - m0.expired,
            "messages or records expired unread",
            Severity::Error,
        ),
        (
            m1.dropped - m0.dropped,
            "messages dropped by a backlog policy",
            Severity::Error,
        ),
        (
            (e1.failed - e1.timed_out) - (e0.failed - e0.timed_out),
            "Step Functions executions failed",
            Severity::Error,
        ),
        (
            e1.timed_out - e0.timed_out,
            "Express executions stopped at 5 minutes",
            Severity::Error,
        ),
        (
            e1.throttled_transitions - e0.throttled_transitions,
            "Step Functions transitions waited for the account's bucket",
            Severity::Info,
        ),
        (
            d1.retries - d0.retries,
            "SNS delivery retries (a subscriber is down)",
            Severity::Info,
        ),
        (
            d1.dropped - d0.dropped,
            "notifications lost (the target was down)",
            Severity::Error,
        ),
    ];
    facts
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, what, severity)| LogLine {
            time_s: t,
            text: format!("t={t} s: {} {what}", thousands(n)),
            severity,
        })
        .collect()
}

/// Appends the lines for the second that ends at frame `k` (`saturated` carries each
/// node's saturation from one second to the next).
fn log_second(
    frames: &[Rc<Frame>],
    k: usize,
    callees: &[Vec<usize>],
    saturated: &mut Vec<bool>,
    lines: &mut Vec<LogLine>,
) {
    let (before, now) = (&frames[k - 1], &frames[k]);
    let t = now.time_s.round() as u64;
    let health = view_health(frames, k);
    saturated.resize(now.nodes.len(), false);
    let delta = |j: usize, kind: ErrorKind| match (now.nodes.get(j), before.nodes.get(j)) {
        (Some(x), Some(y)) => x.errors.get(kind).saturating_sub(y.errors.get(kind)),
        _ => 0,
    };
    for (i, n) in now.nodes.iter().enumerate() {
        let Some(b) = before.nodes.get(i) else {
            continue;
        };
        let refused = n.reads_refused.saturating_sub(b.reads_refused);
        if refused > 0 {
            lines.push(LogLine {
                time_s: t,
                text: format!(
                    "t={t} s {}: {} reads refused (5 reads/s per shard, shared by every polling consumer)",
                    n.id,
                    thousands(refused)
                ),
                severity: Severity::Info,
            });
        }
        let cold = n.cold_starts.saturating_sub(b.cold_starts);
        if cold > 0 {
            lines.push(LogLine {
                time_s: t,
                text: format!("t={t} s {}: {} cold starts", n.id, thousands(cold)),
                severity: Severity::Info,
            });
        }
        for kind in ErrorKind::ALL {
            let d = delta(i, kind);
            let passed_on = callees
                .get(i)
                .is_some_and(|cs| cs.iter().any(|&c| delta(c, kind) >= d));
            if d > 0 && !passed_on {
                lines.push(LogLine {
                    time_s: t,
                    text: format!("t={t} s {}: {} {}", n.id, thousands(d), error_label(kind)),
                    severity: Severity::Error,
                });
            }
        }
        let is_sat = health.get(i) == Some(&Health::Saturated);
        if is_sat != saturated[i] {
            lines.push(LogLine {
                time_s: t,
                text: if is_sat {
                    format!("t={t} s {} is saturated", n.id)
                } else {
                    format!("t={t} s {} recovered", n.id)
                },
                severity: if is_sat {
                    Severity::Error
                } else {
                    Severity::Info
                },
            });
            saturated[i] = is_sat;
        }
    }
    lines.extend(ledger_lines(before, now, t));
}

fn view_health(frames: &[Rc<Frame>], at: usize) -> Vec<Health> {
    gauges_at(frames, at)
        .map(|g| g.into_iter().map(|(_, g)| g.health).collect())
        .unwrap_or_default()
}

/// Seconds of history the health state is smoothed over.
pub const SMOOTHING_S: usize = 3;

/// The view at frame `at` of `frames`, health smoothed over the frames before it.
/// `callees` (see [`callees`]) lets the log name each failure once, where it happened.
pub fn view_at(frames: &[Rc<Frame>], at: usize, callees: &[Vec<usize>]) -> Option<LiveView> {
    let frame = frames.get(at)?;
    Some(LiveView {
        time_s: frame.time_s,
        nodes: gauges_at(frames, at)?,
        edges: frame.edges.clone(),
        log: Rc::new(log_until(frames, at, callees)),
        frames: Rc::new(frames.to_vec()),
        at,
    })
}

fn gauges_at(frames: &[Rc<Frame>], at: usize) -> Option<Vec<(String, Gauge)>> {
    let frame = frames.get(at)?;
    let from = at.saturating_sub(SMOOTHING_S - 1);
    let window = &frames[from..=at];
    let nodes: Vec<(String, Gauge)> = frame
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let util = |f: &Frame| {
                f.nodes.get(i).map_or(0.0, |m| match m.limit {
                    Some(l) if l > 0 => f64::from(m.in_node) / f64::from(l),
                    _ => 0.0,
                })
            };
            let mean_util = window.iter().map(|f| util(f)).sum::<f64>() / window.len() as f64;
            let oldest_queue = window[0].nodes.get(i).map_or(0, |m| m.queue);
            let growing = n.queue > 0 && n.queue >= oldest_queue && window.len() > 1;
            let health = if mean_util >= 0.95 || (growing && n.queue > 10) {
                Health::Saturated
            } else if mean_util >= 0.7 || n.queue > 0 {
                Health::Busy
            } else {
                Health::Ok
            };
            (
                n.id.clone(),
                Gauge {
                    level: n.in_node,
                    limit: n.limit,
                    queue: n.queue,
                    connections: n.connections,
                    health,
                    oldest_age_s: n.oldest_age_s,
                    in_flight: n.in_flight,
                    outcomes: at
                        .checked_sub(1)
                        .and_then(|k| frames[k].nodes.get(i))
                        .map_or_else(Outcomes::default, |b| Outcomes::between(b, n)),
                },
            )
        })
        .collect();
    Some(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sliced_live_run_ends_with_the_one_shot_report() {
        let scenario = crate::editor::starter();
        let mut live = LiveRun::start(&scenario).expect("valid");
        let mut budget = 0;
        // Uneven slices and an impatient budget: still the same run.
        for dt in [0.3, 1.7, 0.01, 5.0, 100.0].iter().cycle().take(200) {
            live.advance(*dt, || {
                budget += 1;
                budget % 7 == 0
            });
            if live.finished() {
                break;
            }
        }
        while !live.finished() {
            live.advance(10.0, || false);
        }
        let one_shot = Simulation::new(&scenario).expect("valid").run();
        assert_eq!(*live.report(), one_shot);
        // A frame per simulated second, in order, plus the end.
        let frames = live.frames();
        assert!(frames.len() as f64 >= live.end_s());
        for (k, f) in frames.iter().enumerate().take(frames.len() - 1) {
            assert!(
                (f.time_s - k as f64).abs() < 1e-9,
                "frame {k} at {}",
                f.time_s
            );
        }
    }

    #[test]
    fn an_injected_outage_shows_in_the_log_and_the_schedule() {
        let scenario = crate::editor::starter();
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(10.0, || false);
        live.inject(Fault {
            node: "fn".into(),
            at_s: 0.0,
            duration_s: 5.0,
            kind: FaultKind::Outage,
        })
        .expect("valid fault");
        live.advance(10.0, || false);
        let view = live.view(20).expect("frame 20");
        assert!(
            view.log
                .iter()
                .any(|l| l.text == "t=10 s fn: injected an outage for 5 s")
        );
        assert!(
            view.log
                .iter()
                .any(|l| l.text.contains("unavailable (503)")),
            "{:?}",
            view.log
        );
        let faults = live.faults();
        assert_eq!((faults.len(), faults[0].at_s), (1, 10.0));
        // Replaying the recorded schedule from the start gives the same run.
        while !live.finished() {
            live.advance(100.0, || false);
        }
        let replay = Scenario::from_json(&live.scenario_json()).expect("valid");
        assert_eq!(
            *live.report(),
            Simulation::new(&replay).expect("valid").run()
        );
        assert!(
            live.inject(Fault {
                node: "nowhere".into(),
                at_s: 0.0,
                duration_s: 5.0,
                kind: FaultKind::Outage,
            })
            .is_err()
        );
    }

    #[test]
    fn series_from_frames_agree_with_the_report() {
        let scenario = crate::editor::starter();
        let mut live = LiveRun::start(&scenario).expect("valid");
        while !live.finished() {
            live.advance(100.0, || false);
        }
        let report = live.report();
        let last = live.frames().len() - 1;
        let s = series(live.frames(), 1, last);
        let fn_report = report.node("fn").expect("fn");
        assert_eq!(s.goodput.iter().sum::<f64>() as u64, fn_report.ok);
        assert_eq!(
            s.errors.iter().sum::<f64>() as u64,
            fn_report.errors.total()
        );
        assert_eq!(s.limit, Some(10));
        let h = headline(live.frames(), last);
        assert_eq!(h.ok, report.ledger.succeeded);
        assert!((h.cost_usd - report.cost.total_usd).abs() < 1e-9);
        assert!(s.p99.iter().any(|&p| p > 0.0));
        let e2e = end_to_end(live.frames(), last);
        let throttled: u64 = e2e.by_kind.iter().map(|k| k[1]).sum();
        assert_eq!(throttled, report.ledger.failed.concurrency_throttled);
        assert!(
            h.success_pct() > 70.0 && h.success_pct() < 85.0,
            "{}",
            h.success_pct()
        );
    }

    #[test]
    fn retries_show_as_a_share_of_attempts() {
        let mut scenario = crate::editor::starter();
        if let surge_core::NodeKind::Client(c) = &mut scenario.nodes[0].kind {
            c.retry.max_attempts = 3;
        }
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(20.0, || false);
        let share = retried_share(live.frames(), 20);
        // About a fifth of first attempts are refused (Erlang B ≈ 21 %) and retried.
        assert!(share > 0.05 && share < 0.4, "{share}");
        assert_eq!(retried_share(live.frames(), 0), 0.0);
    }

    #[test]
    fn marks_split_like_the_outcomes() {
        let o = Outcomes {
            ok: 1,
            throttled: 3,
            timed_out: 0,
            failed: 0,
        };
        let marks: Vec<_> = (0..4).map(|j| o.mark(j, 4)).collect();
        assert_eq!(marks, ["ok", "throttled", "throttled", "throttled"]);
        assert_eq!(Outcomes::default().mark(0, 3), "ok");
        let t = Outcomes {
            ok: 0,
            throttled: 0,
            timed_out: 2,
            failed: 2,
        };
        assert_eq!((t.mark(0, 2), t.mark(1, 2)), ("timeout", "error"));
    }

    #[test]
    fn health_reads_as_a_state_not_flicker() {
        let scenario = crate::editor::starter();
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(20.0, || false);
        let view = view_at(live.frames(), 20, &live.callees()).expect("frame 20");
        let (id, gauge) = &view.nodes[1];
        assert_eq!(id, "fn");
        assert_eq!(gauge.limit, Some(10));
        // 100 req/s × 0.1 s = 10 Erlangs on 10 slots: busy or saturated, never idle.
        assert_ne!(gauge.health, Health::Ok);
        assert!(gauge.text().starts_with(&format!("{}/10", gauge.level)));
        assert!(view_at(live.frames(), 10_000, &[]).is_none());
    }

    #[test]
    fn the_log_reports_each_seconds_failures_and_saturation() {
        let preset = crate::presets::find("lesson2-burst-limit1000-current").expect("preset");
        let scenario = Scenario::from_json(preset.json).expect("valid");
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(70.0, || false);
        let log = log_until(live.frames(), 70, &live.callees());
        let throttles: Vec<&LogLine> = log
            .iter()
            .filter(|l| l.text.contains("concurrency limit"))
            .collect();
        // Named once, at the function (API Gateway only passes the 429s on).
        assert!(
            throttles.iter().all(|l| l.text.contains(" fn: ")),
            "{throttles:?}"
        );
        // The jump to 4,000 req/s at 60 s: three in four throttled each second after it.
        let after: Vec<_> = throttles.iter().filter(|l| l.time_s > 60).collect();
        assert_eq!(after.len(), 10, "{throttles:?}");
        assert!(
            log.iter().any(|l| l.text.ends_with("fn is saturated")),
            "{log:?}"
        );
        // The lines agree with the report's totals.
        let per_second: u64 = throttles
            .iter()
            .map(|l| {
                let n = l
                    .text
                    .split(": ")
                    .nth(1)
                    .and_then(|r| r.split(' ').next())
                    .unwrap_or("0");
                n.replace(',', "").parse::<u64>().unwrap_or(0)
            })
            .sum();
        let report = live.report();
        let fn_report = report.node("fn").expect("fn");
        assert_eq!(per_second, fn_report.errors.concurrency_throttled);
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn a_queue_gauge_shows_its_messages_in_flight() {
        let preset = crate::presets::find("lesson11-queue-buffer").expect("preset");
        let scenario = Scenario::from_json(preset.json).expect("valid");
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(30.0, || false);
        let view = live.view(30).expect("a view");
        let (_, queue) = view
            .nodes
            .iter()
            .find(|(id, _)| id == "orders")
            .expect("the queue");
        let frame = &live.frames()[30];
        let orders = frame
            .nodes
            .iter()
            .find(|n| n.id == "orders")
            .expect("orders");
        assert_eq!(queue.in_flight, orders.in_flight);
        assert!(queue.in_flight > 0, "the worker holds messages");
        assert!(
            queue
                .text()
                .contains(&format!("{} in flight", queue.in_flight)),
            "{}",
            queue.text()
        );
    }

    #[test]
    fn a_workflow_run_counts_its_executions_in_the_headline_and_the_log() {
        let preset = crate::presets::find("lesson15-order-workflow").expect("preset");
        let scenario = Scenario::from_json(preset.json).expect("valid");
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(600.0, || false);
        let last = live.frames().len() - 1;
        let (started, ok, failed) = headline(live.frames(), last).executions;
        let e = live.report().executions;
        assert_eq!((started, ok, failed), (e.started, e.succeeded, e.failed));
        assert!(failed > 0 && ok > 50 * failed, "{e:?}");
        // Every second's lines (the log itself keeps only the newest 200).
        let frames = live.frames();
        let logged: u64 = (1..=last)
            .flat_map(|k| ledger_lines(&frames[k - 1], &frames[k], k as u64))
            .filter(|l| l.text.contains("executions failed"))
            .map(|l| count_in(&l))
            .sum();
        assert_eq!(logged, failed);
    }

    /// The number a log line starts with, after "t=… s…: ".
    fn count_in(line: &LogLine) -> u64 {
        line.text
            .split(": ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .map_or(0, |n| n.replace(',', "").parse().unwrap_or(0))
    }

    #[test]
    fn the_log_names_refused_reads_and_expired_records_and_they_add_up() {
        let preset = crate::presets::find("lesson18-kinesis-consumers").expect("preset");
        let scenario = Scenario::from_json(preset.json).expect("valid");
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(60.0, || false);
        let log = log_until(live.frames(), 60, &live.callees());
        let refused: u64 = log
            .iter()
            .filter(|l| l.text.contains("reads refused"))
            .map(count_in)
            .sum();
        let last = live.frames()[60].clone();
        let stream = last
            .nodes
            .iter()
            .find(|n| n.id == "events")
            .expect("stream");
        assert!(refused > 0, "{log:?}");
        assert_eq!(refused, stream.reads_refused);

        let poison = crate::presets::find("lesson18-kinesis-poison").expect("preset");
        let scenario = Scenario::from_json(poison.json).expect("valid");
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(300.0, || false);
        let log = log_until(live.frames(), 300, &live.callees());
        let expired: u64 = log
            .iter()
            .filter(|l| l.text.contains("expired unread"))
            .map(count_in)
            .sum();
        assert!(
            expired > 0,
            "the poison record's shard skips records past their age"
        );
        assert_eq!(expired, live.report().messages.expired);
    }
}
