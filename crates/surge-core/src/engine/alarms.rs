//! Alarms evaluated as the run goes: one value per node metric per second, a datapoint per
//! period, "N of the last M datapoints breach" → ALARM, fewer → OK.
//!
//! Why from the engine's own counters and not from the report's series: a long run keeps
//! its series per minute or not at all, and an alarm must still fire at the second its
//! period ends. Cumulative counters and integrator areas are read at each tick; their
//! differences are the second's values, whatever the series resolution.

use super::{NodeStats, Simulation};
use crate::report::{AlarmReport, AlarmState, AlarmTransition};
use crate::scenario::{Alarm, AlarmMetric, Statistic};
use crate::time::{NANOS_PER_SEC, SimTime};

/// Transitions kept per alarm (the counts stay exact).
const MAX_TRANSITIONS: usize = 500;

/// One alarm's running state.
#[derive(Clone, Debug)]
pub(crate) struct AlarmRt {
    pub(crate) spec: Alarm,
    node: usize,
    /// The cumulative count or area at the last tick.
    last: u128,
    /// The period so far: seconds, sum, highest and lowest second.
    seconds: u32,
    sum: f64,
    max: f64,
    min: f64,
    /// The latest datapoints' breaches, newest in bit 0 (M ≤ 100).
    recent: u128,
    evaluated: u64,
    breaching: u64,
    pub(crate) state: AlarmState,
    since: SimTime,
    alarm_time: SimTime,
    transitions: Vec<AlarmTransition>,
}

impl AlarmRt {
    pub(crate) fn new(spec: &Alarm, node: usize) -> Self {
        AlarmRt {
            spec: spec.clone(),
            node,
            last: 0,
            seconds: 0,
            sum: 0.0,
            max: f64::NEG_INFINITY,
            min: f64::INFINITY,
            recent: 0,
            evaluated: 0,
            breaching: 0,
            state: AlarmState::Ok,
            since: SimTime::ZERO,
            alarm_time: SimTime::ZERO,
            transitions: Vec::new(),
        }
    }

    /// The metric's cumulative value (a count, or an area in level × ns), if it is one.
    fn cumulative(metric: AlarmMetric, st: &NodeStats, queue_node: bool, now: SimTime) -> u128 {
        match metric {
            AlarmMetric::Arrivals if queue_node => u128::from(st.enqueued),
            AlarmMetric::Arrivals => u128::from(st.arrivals),
            AlarmMetric::Successes => u128::from(st.ok),
            AlarmMetric::Errors => u128::from(st.errors.total()),
            AlarmMetric::Throttles => crate::report::ErrorKind::ALL
                .iter()
                .filter(|k| k.is_throttle())
                .map(|&k| u128::from(st.errors.get(k)))
                .sum(),
            AlarmMetric::ConnectionErrors => u128::from(st.errors.connection_refused),
            AlarmMetric::ColdStarts => u128::from(st.cold_starts),
            AlarmMetric::Concurrency => st.in_node.area_until(now),
            AlarmMetric::Queued => st.queue.area_until(now),
            AlarmMetric::Connections => st.connections.area_until(now),
            AlarmMetric::OldestAgeS => 0,
        }
    }

    /// Takes the second that ends at `now`; at a period's end, evaluates its datapoint.
    fn second(&mut self, st: &NodeStats, queue_node: bool, now: SimTime) {
        let metric = self.spec.metric;
        let value = match metric {
            AlarmMetric::OldestAgeS => st.oldest_age_s,
            _ => {
                let c = Self::cumulative(metric, st, queue_node, now);
                let d = c.saturating_sub(self.last) as f64;
                self.last = c;
                match metric {
                    AlarmMetric::Concurrency | AlarmMetric::Queued | AlarmMetric::Connections => {
                        d / NANOS_PER_SEC as f64
                    }
                    _ => d,
                }
            }
        };
        self.seconds += 1;
        self.sum += value;
        self.max = self.max.max(value);
        self.min = self.min.min(value);
        if self.seconds < self.spec.period_s {
            return;
        }
        let datapoint = match self.spec.statistic {
            Statistic::Sum => self.sum,
            Statistic::Average => self.sum / f64::from(self.seconds),
            Statistic::Maximum => self.max,
            Statistic::Minimum => self.min,
        };
        self.seconds = 0;
        self.sum = 0.0;
        self.max = f64::NEG_INFINITY;
        self.min = f64::INFINITY;
        let breach = self
            .spec
            .comparison
            .breaches(datapoint, self.spec.threshold);
        let window = self.spec.evaluation_periods.min(100);
        let mask = (1u128 << window) - 1;
        self.recent = ((self.recent << 1) | u128::from(breach)) & mask;
        self.evaluated += 1;
        self.breaching += u64::from(breach);
        let next = if self.recent.count_ones() >= self.spec.datapoints {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        };
        if next != self.state {
            if self.state == AlarmState::Alarm {
                self.alarm_time = self.alarm_time + (now - self.since);
            }
            self.state = next;
            self.since = now;
            if self.transitions.len() < MAX_TRANSITIONS {
                self.transitions.push(AlarmTransition {
                    at_s: now.as_secs_f64(),
                    state: next,
                    value: datapoint,
                });
            }
        }
    }

    pub(crate) fn report(&self, node: &str, now: SimTime) -> AlarmReport {
        let open = if self.state == AlarmState::Alarm {
            now - self.since
        } else {
            SimTime::ZERO
        };
        AlarmReport {
            name: self.spec.name.clone(),
            node: node.to_owned(),
            state: self.state,
            alarm_s: (self.alarm_time + open).as_secs_f64(),
            datapoints: self.evaluated,
            breaching: self.breaching,
            transitions: self.transitions.clone(),
        }
    }
}

impl Simulation {
    /// At each whole second: every alarm takes the second that just ended.
    pub(super) fn alarms_tick(&mut self) {
        let now = self.now;
        for a in &mut self.alarms {
            let queue_node = matches!(self.nodes[a.node], super::NodeRt::Queue(_));
            a.second(&self.stats[a.node], queue_node, now);
        }
    }

    /// The alarms for the report.
    pub(super) fn alarm_reports(&self) -> Vec<AlarmReport> {
        self.alarms
            .iter()
            .map(|a| a.report(&self.scenario.nodes[a.node].id, self.now))
            .collect()
    }
}
