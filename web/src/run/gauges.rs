//! What a node looks like at the playhead: its gauge (level against limit, queue,
//! connections, messages in flight, oldest age), the outcomes of the calls that just
//! finished there, and a health state smoothed over a few seconds.
//!
//! Why smoothed: a node that flips between "busy" and "saturated" every other second
//! reads as noise; the health shown is the mean utilisation over [`SMOOTHING_S`] frames,
//! plus whether a queue keeps growing.
//!
//! Why outcomes come first: a node can be far from its limit and still fail most of its
//! calls (a database outage leaves every caller idle and red). Failures, timeouts and
//! throttles over the same few seconds each have their own state and colour, matching
//! the outcome marks on the edges; saturation is judged only when calls succeed.

use std::rc::Rc;

use surge_core::{ErrorKind, Frame};

/// How a node looks, smoothed over the last few seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Comfortably below its limit, nothing waiting, calls succeeding.
    Ok,
    /// Busy: above 70 % of its limit, or a short queue.
    Busy,
    /// At its limit, or a queue that keeps growing.
    Saturated,
    /// At least [`TROUBLE_SHARE`] of its calls throttled (429s of any source).
    Throttling,
    /// At least [`TROUBLE_SHARE`] of its calls timed out.
    TimingOut,
    /// At least [`TROUBLE_SHARE`] of its calls failed otherwise (5xx, refused, injected).
    Failing,
}

/// The share of a node's finished calls over [`SMOOTHING_S`] seconds that makes it
/// throttling, timing out or failing.
pub const TROUBLE_SHARE: f64 = 0.05;

impl Health {
    /// CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Busy => "busy",
            Health::Saturated => "saturated",
            Health::Throttling => "throttling",
            Health::TimingOut => "timing-out",
            Health::Failing => "failing",
        }
    }

    /// In words, for the node's tooltip and screen readers.
    pub fn words(self) -> &'static str {
        match self {
            Health::Ok => "healthy",
            Health::Busy => "busy",
            Health::Saturated => "saturated",
            Health::Throttling => "throttling calls",
            Health::TimingOut => "timing out",
            Health::Failing => "failing",
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
    /// At its limit (or a queue that keeps growing), smoothed, whatever the outcomes.
    pub at_limit: bool,
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
    fn add(self, o: Outcomes) -> Outcomes {
        Outcomes {
            ok: self.ok + o.ok,
            throttled: self.throttled + o.throttled,
            timed_out: self.timed_out + o.timed_out,
            failed: self.failed + o.failed,
        }
    }

    /// The trouble these outcomes show, worst first: failures, then timeouts, then
    /// throttles, each when at least [`TROUBLE_SHARE`] of the calls.
    fn trouble(&self) -> Option<Health> {
        let total = (self.ok + self.throttled + self.timed_out + self.failed) as f64;
        let over = |n: u64| total > 0.0 && n as f64 >= TROUBLE_SHARE * total;
        if over(self.failed) {
            Some(Health::Failing)
        } else if over(self.timed_out) {
            Some(Health::TimingOut)
        } else if over(self.throttled) {
            Some(Health::Throttling)
        } else {
            None
        }
    }

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

/// Whether each node is at its limit at frame `at` (saturated by use, whatever its
/// calls' outcomes), as the event log tells it.
pub(crate) fn view_saturation(frames: &[Rc<Frame>], at: usize) -> Vec<bool> {
    // Called for every frame the worker sends: no gauge, no string, only the test.
    let Some(frame) = frames.get(at) else {
        return Vec::new();
    };
    let window = &frames[at.saturating_sub(SMOOTHING_S - 1)..=at];
    (0..frame.nodes.len())
        .map(|i| at_limit(window, i, mean_utilisation(window, i)))
        .collect()
}

/// Node `i`'s mean share of its limit in use over `window` (0 without a limit).
fn mean_utilisation(window: &[Rc<Frame>], i: usize) -> f64 {
    let util = |f: &Frame| {
        f.nodes.get(i).map_or(0.0, |m| match m.limit {
            Some(l) if l > 0 => f64::from(m.in_node) / f64::from(l),
            _ => 0.0,
        })
    };
    window.iter().map(|f| util(f)).sum::<f64>() / window.len() as f64
}

/// Whether node `i` is at its limit over `window` (the last frame is now), given its mean
/// utilisation: at least 95 %, or a queue of more than 10 that keeps growing.
fn at_limit(window: &[Rc<Frame>], i: usize, mean_util: f64) -> bool {
    let queue = window[window.len() - 1].nodes.get(i).map_or(0, |m| m.queue);
    let oldest_queue = window[0].nodes.get(i).map_or(0, |m| m.queue);
    let growing = queue > 0 && queue >= oldest_queue && window.len() > 1;
    mean_util >= 0.95 || (growing && queue > 10)
}

/// Seconds of history the health state is smoothed over.
pub const SMOOTHING_S: usize = 3;

pub fn gauges_at(frames: &[Rc<Frame>], at: usize) -> Option<Vec<(String, Gauge)>> {
    let frame = frames.get(at)?;
    let from = at.saturating_sub(SMOOTHING_S - 1);
    let window = &frames[from..=at];
    let nodes: Vec<(String, Gauge)> = frame
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mean_util = mean_utilisation(window, i);
            let outcomes_in_window = (from.max(1)..=at)
                .filter_map(|k| {
                    Some(Outcomes::between(
                        frames[k - 1].nodes.get(i)?,
                        frames[k].nodes.get(i)?,
                    ))
                })
                .fold(Outcomes::default(), Outcomes::add);
            let at_limit = at_limit(window, i, mean_util);
            let health = if let Some(trouble) = outcomes_in_window.trouble() {
                trouble
            } else if at_limit {
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
                    at_limit,
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
