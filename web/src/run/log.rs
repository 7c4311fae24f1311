//! The event log: what happened, in words, second by second, built from the frames'
//! counters: failures per node and kind (named once, where they happened), cold starts,
//! saturation and recovery, and what the other ledgers did.

use std::rc::Rc;

use surge_core::{ErrorKind, FaultKind, Frame};

use super::gauges::{Health, view_health};

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
pub(crate) fn ledger_lines(before: &Frame, now: &Frame, t: u64) -> Vec<LogLine> {
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
pub(crate) fn log_second(
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
