//! The event log: what happened, in words, built from the frames' counters: failures per
//! node and kind (named once, where they happened), cold starts, refused reads, saturation
//! and recovery, and what the other ledgers did.
//!
//! Why grouped: a throttled function throttles every second for minutes, and a line per
//! second buries everything else. The same fact at the same node in seconds close together
//! is one line: "t=61–90 s Orders: 2,949–3,103 throttled: concurrency limit (429) a second,
//! 91,200 in all", while a jump in the count starts a new line. Why hysteresis: a node near its limit drifts in and out of saturation;
//! it is said to recover only after [`RECOVERY_S`] calm seconds. Nodes are named as on the
//! canvas, and every line keeps its first second and node so the page can go there.

use std::rc::Rc;

use surge_core::{AlarmState, BreakerState, ErrorKind, FaultKind, Frame, Scenario};

use super::gauges::view_saturation;

/// How many event-log lines a view keeps.
pub const LOG_LINES: usize = 200;

/// A fact continues its line when it comes back within this many seconds (or two frames,
/// for runs recorded every few seconds).
pub const GROUP_GAP_S: u64 = 3;

/// Counts within this factor of each other continue a line; a jump (4 throttles a
/// second, then 3,000) starts a new one, so a surge stands out from the trickle before.
pub const SIMILAR_FACTOR: u64 = 3;

/// Counts this small are alike whatever their ratio (1, 4, 2… is one trickle).
const SMALL_COUNT: u64 = 20;

fn similar(a: u64, b: u64) -> bool {
    let (lo, hi) = (a.min(b), a.max(b));
    hi <= SMALL_COUNT || hi <= lo.saturating_mul(SIMILAR_FACTOR)
}

/// Calm seconds before a saturated node is said to have recovered.
pub const RECOVERY_S: u64 = 5;

/// How serious a log line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Something worth knowing (cold starts, a recovery).
    Info,
    /// Requests failed.
    Error,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// The first second the line speaks of (where a click on it goes).
    pub from_s: u64,
    /// The last second it speaks of (lines are ordered by it).
    pub time_s: u64,
    /// The node it is about, by id (none for run-wide ledgers).
    pub node: Option<String>,
    /// The line.
    pub text: String,
    /// Its severity.
    pub severity: Severity,
    /// How many of the thing it counts (requests, cold starts, messages…).
    pub total: u64,
}

/// What a fact is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Failed(ErrorKind),
    ColdStarts,
    ReadsRefused,
    Saturated,
    Recovered,
    /// A circuit breaker the node holds changed state.
    Circuit(BreakerState),
    /// Alarm number `.0` of the scenario went into state `.1`.
    Alarm(usize, AlarmState),
    /// A row of [`LEDGER`].
    Ledger(usize),
}

/// The run-wide ledgers the log speaks of: singular, plural, severity.
const LEDGER: [(&str, &str, Severity); 8] = [
    (
        "message moved to a dead-letter queue",
        "messages moved to a dead-letter queue",
        Severity::Error,
    ),
    (
        "message or record expired unread",
        "messages or records expired unread",
        Severity::Error,
    ),
    (
        "message dropped by a backlog policy",
        "messages dropped by a backlog policy",
        Severity::Error,
    ),
    (
        "Step Functions execution failed",
        "Step Functions executions failed",
        Severity::Error,
    ),
    (
        "Express execution stopped at 5 minutes",
        "Express executions stopped at 5 minutes",
        Severity::Error,
    ),
    (
        "Step Functions transition waited for the account's bucket",
        "Step Functions transitions waited for the account's bucket",
        Severity::Info,
    ),
    (
        "SNS delivery retry (a subscriber is down)",
        "SNS delivery retries (a subscriber is down)",
        Severity::Info,
    ),
    (
        "notification lost (the target was down)",
        "notifications lost (the target was down)",
        Severity::Error,
    ),
];

/// The ledgers' counts in one second, in [`LEDGER`]'s order.
fn ledger_counts(before: &Frame, now: &Frame) -> [u64; 8] {
    let (m0, m1) = (&before.messages, &now.messages);
    let (e0, e1) = (&before.executions, &now.executions);
    let (d0, d1) = (&before.deliveries, &now.deliveries);
    [
        m1.dead_lettered - m0.dead_lettered,
        m1.expired - m0.expired,
        m1.dropped - m0.dropped,
        (e1.failed - e1.timed_out) - (e0.failed - e0.timed_out),
        e1.timed_out - e0.timed_out,
        e1.throttled_transitions - e0.throttled_transitions,
        d1.retries - d0.retries,
        d1.dropped - d0.dropped,
    ]
}

/// What a failure kind is called (plural), as in the charts' readouts.
pub fn error_label(kind: ErrorKind) -> &'static str {
    error_words(kind).1
}

/// A failure kind in words: one, several.
fn error_words(kind: ErrorKind) -> (&'static str, &'static str) {
    match kind {
        ErrorKind::Throttled => (
            "throttled by API Gateway (429)",
            "throttled by API Gateway (429)",
        ),
        ErrorKind::ConcurrencyThrottled => (
            "throttled: concurrency limit (429)",
            "throttled: concurrency limit (429)",
        ),
        ErrorKind::IntegrationTimeout => {
            ("integration timeout (504)", "integration timeouts (504)")
        }
        ErrorKind::FunctionTimeout => ("function timeout", "function timeouts"),
        ErrorKind::ServerError => ("server error", "server errors"),
        ErrorKind::Unavailable => ("refused: unavailable (503)", "refused: unavailable (503)"),
        ErrorKind::ConnectionRefused => ("connection refused", "connections refused"),
        ErrorKind::BorrowTimeout => ("proxy borrow timeout", "proxy borrow timeouts"),
        ErrorKind::ServiceThrottled => ("throttled by the service", "throttled by the service"),
        ErrorKind::PayloadTooLarge => ("payload too large (413)", "payloads too large (413)"),
        ErrorKind::StreamThrottled => ("stream write throttled", "stream writes throttled"),
        ErrorKind::InjectedError => ("injected error", "injected errors"),
        ErrorKind::ClientTimeout => ("client timeout", "client timeouts"),
        ErrorKind::RecursiveLoop => (
            "stopped by recursive loop detection",
            "stopped by recursive loop detection",
        ),
        ErrorKind::CircuitOpen => (
            "failed fast: circuit breaker open",
            "failed fast: circuit breaker open",
        ),
        ErrorKind::Shed => ("shed (503, admission limit)", "shed (503, admission limit)"),
        ErrorKind::DeadlineExceeded => (
            "dropped: its caller had given up",
            "dropped: their callers had given up",
        ),
        ErrorKind::ClientRateLimited => (
            "held too long by the client's rate limiter",
            "held too long by the client's rate limiter",
        ),
        ErrorKind::Backpressure => (
            "held back: a downstream queue is too deep",
            "held back: a downstream queue is too deep",
        ),
        ErrorKind::ResultGaveUp => (
            "gave up waiting for its result",
            "gave up waiting for their results",
        ),
    }
}

impl What {
    /// One, several.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            What::Failed(kind) => error_words(kind),
            What::ColdStarts => ("cold start", "cold starts"),
            What::ReadsRefused => (
                "read refused (5 reads/s per shard, shared by every polling consumer)",
                "reads refused (5 reads/s per shard, shared by every polling consumer)",
            ),
            What::Saturated => ("is saturated", "is saturated"),
            What::Recovered => ("recovered", "recovered"),
            What::Circuit(BreakerState::Open) => (
                "opened its circuit breaker: calls fail fast",
                "opened its circuit breaker: calls fail fast",
            ),
            What::Circuit(BreakerState::HalfOpen) => (
                "circuit breaker half-open: probing",
                "circuit breaker half-open: probing",
            ),
            What::Alarm(_, AlarmState::Alarm) => ("ALARM", "ALARM"),
            What::Alarm(_, AlarmState::Ok) => ("OK", "OK"),
            What::Circuit(BreakerState::Closed) => (
                "closed its circuit breaker: calls pass again",
                "closed its circuit breaker: calls pass again",
            ),
            What::Ledger(i) => (LEDGER[i].0, LEDGER[i].1),
        }
    }

    fn severity(self) -> Severity {
        match self {
            What::Failed(_)
            | What::Saturated
            | What::Circuit(BreakerState::Open)
            | What::Alarm(_, AlarmState::Alarm) => Severity::Error,
            What::ColdStarts
            | What::ReadsRefused
            | What::Recovered
            | What::Circuit(_)
            | What::Alarm(..) => Severity::Info,
            What::Ledger(i) => LEDGER[i].2,
        }
    }

    /// A change of state is said once, never merged with the next.
    fn is_state(self) -> bool {
        matches!(
            self,
            What::Saturated | What::Recovered | What::Circuit(_) | What::Alarm(..)
        )
    }
}

pub(crate) fn thousands(n: u64) -> String {
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

/// The same fact at the same node over nearby seconds.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    node: Option<usize>,
    what: What,
    /// (second, count), oldest first.
    seconds: Vec<(u64, u64)>,
}

/// A node's saturation as the log tells it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct Saturation {
    said: bool,
    calm_since: Option<u64>,
}

/// The log of one run, built second by second as frames arrive, read up to any second.
#[derive(Clone, Debug, PartialEq)]
pub struct Log {
    ids: Rc<Vec<String>>,
    names: Rc<Vec<String>>,
    callees: Rc<Vec<Vec<usize>>>,
    gap_s: u64,
    groups: Vec<Group>,
    /// The calling node of each edge (where its circuit breaker is said).
    edge_callers: Vec<usize>,
    /// Each alarm's name and node.
    alarms: Vec<(String, usize)>,
    /// Groups that may still continue: indices into `groups`.
    open: Vec<usize>,
    saturation: Vec<Saturation>,
}

impl Log {
    /// An empty log for a run of `scenario` recorded every `step_s` seconds.
    pub fn new(scenario: &Scenario, callees: Rc<Vec<Vec<usize>>>, step_s: u64) -> Log {
        Log {
            ids: Rc::new(scenario.nodes.iter().map(|n| n.id.clone()).collect()),
            names: Rc::new(
                scenario
                    .nodes
                    .iter()
                    .map(|n| n.label().to_owned())
                    .collect(),
            ),
            alarms: scenario
                .alarms
                .iter()
                .map(|a| {
                    let node = scenario.nodes.iter().position(|n| n.id == a.node);
                    (a.name.clone(), node.unwrap_or(0))
                })
                .collect(),
            edge_callers: scenario
                .edges
                .iter()
                .map(|e| {
                    scenario
                        .nodes
                        .iter()
                        .position(|n| n.id == e.from)
                        .unwrap_or(0)
                })
                .collect(),
            callees,
            gap_s: GROUP_GAP_S.max(2 * step_s),
            groups: Vec::new(),
            open: Vec::new(),
            saturation: Vec::new(),
        }
    }

    /// Forgets everything (the frames are about to be read again).
    pub fn clear(&mut self) {
        self.groups.clear();
        self.open.clear();
        self.saturation.clear();
    }

    fn add(&mut self, t: u64, node: Option<usize>, what: What, count: u64) {
        if count == 0 {
            return;
        }
        let gap = self.gap_s;
        let groups = &self.groups;
        self.open.retain(|&g| {
            groups[g]
                .seconds
                .last()
                .is_some_and(|&(last, _)| last + gap >= t)
        });
        let continues = (!what.is_state())
            .then(|| {
                self.open.iter().copied().find(|&g| {
                    let group = &self.groups[g];
                    group.node == node
                        && group.what == what
                        && group
                            .seconds
                            .last()
                            .is_some_and(|&(_, last)| similar(last, count))
                })
            })
            .flatten();
        match continues {
            Some(g) => self.groups[g].seconds.push((t, count)),
            None => {
                self.groups.push(Group {
                    node,
                    what,
                    seconds: vec![(t, count)],
                });
                self.open.push(self.groups.len() - 1);
            }
        }
    }

    /// Reads the second that ends at frame `k`: failures per node and kind (a failure a
    /// caller merely passes on, because a callee reported at least as many of that kind
    /// in that second, is named once, at the callee), cold starts, refused reads,
    /// saturation with hysteresis, and the ledgers.
    pub fn second(&mut self, frames: &[Rc<Frame>], k: usize) {
        let (before, now) = (&frames[k - 1], &frames[k]);
        let t = now.time_s.round() as u64;
        let saturated = view_saturation(frames, k);
        self.saturation
            .resize(now.nodes.len(), Saturation::default());
        let delta = |j: usize, kind: ErrorKind| match (now.nodes.get(j), before.nodes.get(j)) {
            (Some(x), Some(y)) => x.errors.get(kind).saturating_sub(y.errors.get(kind)),
            _ => 0,
        };
        let callees = self.callees.clone();
        for (i, n) in now.nodes.iter().enumerate() {
            let Some(b) = before.nodes.get(i) else {
                continue;
            };
            self.add(
                t,
                Some(i),
                What::ReadsRefused,
                n.reads_refused.saturating_sub(b.reads_refused),
            );
            self.add(
                t,
                Some(i),
                What::ColdStarts,
                n.cold_starts.saturating_sub(b.cold_starts),
            );
            for kind in ErrorKind::ALL {
                let d = delta(i, kind);
                let passed_on = callees
                    .get(i)
                    .is_some_and(|cs| cs.iter().any(|&c| delta(c, kind) >= d));
                if !passed_on {
                    self.add(t, Some(i), What::Failed(kind), d);
                }
            }
            let is_sat = saturated.get(i).copied().unwrap_or(false);
            let s = self.saturation[i];
            let next = match (s.said, is_sat) {
                (false, true) => {
                    self.add(t, Some(i), What::Saturated, 1);
                    Saturation {
                        said: true,
                        calm_since: None,
                    }
                }
                (true, true) => Saturation {
                    said: true,
                    calm_since: None,
                },
                (true, false) => {
                    let since = s.calm_since.unwrap_or(t);
                    if t >= since + RECOVERY_S {
                        self.add(t, Some(i), What::Recovered, 1);
                        Saturation::default()
                    } else {
                        Saturation {
                            said: true,
                            calm_since: Some(since),
                        }
                    }
                }
                (false, false) => s,
            };
            self.saturation[i] = next;
        }
        // Circuit breakers, said at the caller that holds them (half-open only when it
        // lasts until the frame: a probe that fails at once reads as "still open").
        for (e, (&was, &is)) in before.breakers.iter().zip(&now.breakers).enumerate() {
            if was != is {
                let caller = self.edge_callers.get(e).copied();
                self.add(t, caller, What::Circuit(is), 1);
            }
        }
        // Alarms, said at the node they watch, by name.
        for (a, (&was, &is)) in before.alarms.iter().zip(&now.alarms).enumerate() {
            if was != is {
                let node = self.alarms.get(a).map(|x| x.1);
                self.add(t, node, What::Alarm(a, is), 1);
            }
        }
        for (row, count) in ledger_counts(before, now).into_iter().enumerate() {
            self.add(t, None, What::Ledger(row), count);
        }
    }

    /// The lines up to second `t` (groups cut there), ordered by their last second, the
    /// newest [`LOG_LINES`].
    pub fn lines_until(&self, t: f64) -> Vec<LogLine> {
        let mut lines: Vec<LogLine> = self
            .groups
            .iter()
            .filter_map(|g| {
                let upto = g.seconds.partition_point(|&(s, _)| s as f64 <= t + 1e-9);
                (upto > 0).then(|| self.line(g, &g.seconds[..upto]))
            })
            .collect();
        lines.sort_by_key(|l| l.time_s);
        let from = lines.len().saturating_sub(LOG_LINES);
        lines.split_off(from)
    }

    fn line(&self, g: &Group, seconds: &[(u64, u64)]) -> LogLine {
        let (from_s, to_s) = (seconds[0].0, seconds[seconds.len() - 1].0);
        let total: u64 = seconds.iter().map(|s| s.1).sum();
        let (one, many) = g.what.words();
        let name = g.node.and_then(|i| self.names.get(i));
        let subject = name.map_or_else(String::new, |n| format!(" {n}"));
        let text = if let What::Alarm(a, _) = g.what {
            let name = self.alarms.get(a).map_or("", |x| x.0.as_str());
            format!("t={from_s} s{subject}: {one} “{name}”")
        } else if g.what.is_state() {
            format!("t={from_s} s{subject} {one}")
        } else if seconds.len() == 1 {
            let noun = if total == 1 { one } else { many };
            format!("t={from_s} s{subject}: {} {noun}", thousands(total))
        } else {
            let (lo, hi) = seconds
                .iter()
                .fold((u64::MAX, 0), |(lo, hi), s| (lo.min(s.1), hi.max(s.1)));
            let range = if lo == hi {
                thousands(lo)
            } else {
                format!("{}–{}", thousands(lo), thousands(hi))
            };
            format!(
                "t={from_s}–{to_s} s{subject}: {range} {many} a second, {} in all",
                thousands(total)
            )
        };
        LogLine {
            from_s,
            time_s: to_s,
            node: g.node.and_then(|i| self.ids.get(i)).cloned(),
            text,
            severity: g.what.severity(),
            total,
        }
    }
}

/// The log of the frames up to `at` (for tests and one-off reads).
pub fn log_until(
    scenario: &Scenario,
    frames: &[Rc<Frame>],
    at: usize,
    step_s: u64,
) -> Vec<LogLine> {
    let mut log = Log::new(
        scenario,
        Rc::new(super::recording::callees(scenario)),
        step_s,
    );
    for k in 1..=at.min(frames.len().saturating_sub(1)) {
        log.second(frames, k);
    }
    frames
        .get(at.min(frames.len().saturating_sub(1)))
        .map_or_else(Vec::new, |f| log.lines_until(f.time_s))
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
