//! CloudWatch-style metric alarms: a node's metric, a statistic over a period, a
//! threshold, and "N of M" periods that must breach.
//!
//! Why in the scenario: lesson 20 is "the metrics that would have warned you". An alarm is
//! part of the design under test, travels with it in links, and its ALARM and OK moments
//! are facts of the run, in the report and the event log, not something a chart reader
//! must notice.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{NodeKind, Scenario};

/// A metric alarm on one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<Alarm>)]
pub struct Alarm {
    /// The alarm's name, as the log and the report show it.
    pub name: String,
    /// Id of the node whose metric is watched.
    pub node: String,
    /// What is measured, per second.
    pub metric: AlarmMetric,
    /// How a period's seconds are combined.
    #[serde(default)]
    pub statistic: Statistic,
    /// Length of one period (one datapoint), in seconds.
    #[serde(default = "default_period_s")]
    pub period_s: u32,
    /// How a datapoint compares with the threshold to breach.
    #[serde(default)]
    pub comparison: Comparison,
    /// The threshold.
    pub threshold: f64,
    /// M: how many of the latest datapoints are looked at.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// N: how many of those must breach for ALARM (at most M).
    #[serde(default = "one")]
    pub datapoints: u32,
}

fn default_period_s() -> u32 {
    60
}

fn one() -> u32 {
    1
}

/// A node's per-second metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlarmMetric {
    /// Calls that arrived (a queue: messages sent to it, so a dead-letter queue's inflow).
    Arrivals,
    /// Calls that completed successfully.
    Successes,
    /// Calls that failed, throttles included.
    Errors,
    /// Calls throttled (429s, concurrency and service throttles).
    Throttles,
    /// Connections refused by a database.
    ConnectionErrors,
    /// Lambda cold starts.
    ColdStarts,
    /// Mean calls at the node (a function's concurrency).
    Concurrency,
    /// Mean calls waiting (a database's run queue, a proxy's borrowers).
    Queued,
    /// Mean open connections.
    Connections,
    /// Age of the oldest message (a queue) or record (a stream's iterator age), in seconds.
    OldestAgeS,
}

/// How a period's per-second values become one datapoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// The total over the period.
    #[default]
    Sum,
    /// The mean per second.
    Average,
    /// The highest second.
    Maximum,
    /// The lowest second.
    Minimum,
}

/// How a datapoint breaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Above the threshold.
    #[default]
    GreaterThan,
    /// At or above it.
    GreaterOrEqual,
    /// Below it.
    LessThan,
    /// At or below it.
    LessOrEqual,
}

impl Comparison {
    /// Whether `value` breaches `threshold`.
    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThan => value > threshold,
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::LessThan => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
        }
    }

    /// The comparison as a sign (for the log).
    pub fn sign(self) -> &'static str {
        match self {
            Comparison::GreaterThan => ">",
            Comparison::GreaterOrEqual => "≥",
            Comparison::LessThan => "<",
            Comparison::LessOrEqual => "≤",
        }
    }
}

impl AlarmMetric {
    /// The metric in words.
    pub fn words(self) -> &'static str {
        match self {
            AlarmMetric::Arrivals => "arrivals",
            AlarmMetric::Successes => "successes",
            AlarmMetric::Errors => "errors",
            AlarmMetric::Throttles => "throttles",
            AlarmMetric::ConnectionErrors => "connection errors",
            AlarmMetric::ColdStarts => "cold starts",
            AlarmMetric::Concurrency => "concurrency",
            AlarmMetric::Queued => "calls waiting",
            AlarmMetric::Connections => "connections",
            AlarmMetric::OldestAgeS => "oldest age (s)",
        }
    }
}

impl Scenario {
    /// The alarms a careful operator would switch on for this architecture (lesson 20):
    /// every function's throttles, every dead-letter queue's inflow, every stream's
    /// iterator age above a minute, every database's refused connections, and every
    /// queue whose oldest message passes five minutes. One datapoint of one minute each.
    pub fn recommended_alarms(&self) -> Vec<Alarm> {
        let alarm = |node: &str, name: &str, metric, threshold| Alarm {
            name: format!("{node} {name}"),
            node: node.to_owned(),
            metric,
            statistic: if metric == AlarmMetric::OldestAgeS {
                Statistic::Maximum
            } else {
                Statistic::Sum
            },
            period_s: 60,
            comparison: Comparison::GreaterThan,
            threshold,
            evaluation_periods: 1,
            datapoints: 1,
        };
        let dlqs: Vec<&str> = self
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Sqs(q) => q.dead_letter_queue.as_deref(),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for n in &self.nodes {
            let id = n.id.as_str();
            match &n.kind {
                NodeKind::Lambda(_) => {
                    out.push(alarm(id, "throttles", AlarmMetric::Throttles, 0.0));
                }
                NodeKind::Sqs(_) if dlqs.contains(&id) => {
                    out.push(alarm(id, "DLQ inflow", AlarmMetric::Arrivals, 0.0));
                }
                NodeKind::Sqs(_) => {
                    out.push(alarm(id, "message age", AlarmMetric::OldestAgeS, 300.0));
                }
                NodeKind::Kinesis(_) => {
                    out.push(alarm(id, "iterator age", AlarmMetric::OldestAgeS, 60.0));
                }
                NodeKind::Rds(_) => out.push(alarm(
                    id,
                    "connection errors",
                    AlarmMetric::ConnectionErrors,
                    0.0,
                )),
                _ => {}
            }
        }
        out
    }
}

use super::bounds::bounds;

bounds!(Alarm {
    period_s: Count(1.0, 86_400.0), " s";
    threshold: Range(-1e15, 1e15);
    evaluation_periods: Count(1.0, 100.0);
    datapoints: Count(1.0, 100.0);
});
