//! Building the plain-data [`Report`] and [`Frame`] from the engine's state.

use super::cost::{
    KINESIS_EFO_PER_GB, KINESIS_EFO_PER_SHARD_HOUR, KINESIS_PER_PUT_UNIT, KINESIS_PER_SHARD_HOUR,
    LAMBDA_PER_REQUEST, PC_CONFIGURED_PER_GBS, PROXY_PER_VCPU_HOUR, SQS_PER_REQUEST,
};
use super::{NodeRt, Simulation};
use crate::report::{CostReport, EdgeReport, Frame, NodeFrame, NodeReport, NodeSecond, Report};
use crate::scenario::NodeKind;

impl Simulation {
    /// The limit drawn next to a node's gauge.
    fn node_limit(&self, node: usize) -> Option<u32> {
        match (&self.nodes[node], &self.scenario.nodes[node].kind) {
            (NodeRt::Lambda(_), NodeKind::Lambda(p)) => Some(
                p.reserved_concurrency
                    .unwrap_or(self.scenario.account.lambda_concurrency),
            ),
            (NodeRt::Rds(r), _) => Some(r.max_connections),
            (NodeRt::Proxy(p), _) => Some(p.pool.max()),
            (NodeRt::Pool(_), NodeKind::WorkerPool(p)) => Some(p.workers * p.concurrency),
            _ => None,
        }
    }

    /// What the canvas should show now.
    pub fn frame(&self) -> Frame {
        // The last whole sample: its quantiles are closed at the tick that starts the next.
        let last = (self.bucket(self.now)).checked_sub(1);
        let second = |i: usize| last.and_then(|s| self.stats[i].series.get(s));
        Frame {
            time_s: self.now.as_secs_f64(),
            nodes: (0..self.nodes.len())
                .map(|i| NodeFrame {
                    id: self.scenario.nodes[i].id.clone(),
                    in_node: self.stats[i].in_node.level,
                    queue: self.stats[i].queue.level,
                    connections: self.stats[i].connections.level,
                    limit: self.node_limit(i),
                    ok: self.stats[i].ok,
                    errors: self.stats[i].errors,
                    cold_starts: self.stats[i].cold_starts,
                    p50_ms: second(i).map_or(0.0, |s| s.p50_ms),
                    p90_ms: second(i).map_or(0.0, |s| s.p90_ms),
                    p99_ms: second(i).map_or(0.0, |s| s.p99_ms),
                    oldest_age_s: second(i).map_or(0.0, |s| s.oldest_age_s),
                    in_flight: self.stats[i].in_flight.level,
                    reads_refused: match &self.nodes[i] {
                        NodeRt::Stream(s) => s.reads_refused(),
                        _ => 0,
                    },
                })
                .collect(),
            edges: self.edge_load.clone(),
            ledger: self.ledger,
            messages: self.messages(),
            executions: self.executions,
            deliveries: self.deliveries,
            async_events: self.async_ledger,
            cost_usd: self.cost_report(self.now.as_secs_f64()).total_usd,
            breakers: if self.breakers.iter().any(Option::is_some) {
                self.breakers
                    .iter()
                    .map(|b| b.as_ref().map_or(Default::default(), |b| b.state(self.now)))
                    .collect()
            } else {
                Vec::new()
            },
            alarms: self.alarms.iter().map(|a| a.state).collect(),
        }
    }

    /// Results up to the current time.
    pub fn report(&self) -> Report {
        let now = self.now;
        let elapsed = now.as_secs_f64();
        let per_s = |n: u64| {
            if elapsed > 0.0 {
                n as f64 / elapsed
            } else {
                0.0
            }
        };
        let step_ns = self.step_s * crate::time::NANOS_PER_SEC;
        let seconds = (now.as_nanos().div_ceil(step_ns) as usize).min(self.seconds);
        let closed = (now.as_nanos() / step_ns) as usize;
        let nodes: Vec<NodeReport> = (0..self.nodes.len())
            .map(|i| {
                let st = &self.stats[i];
                let node = &self.scenario.nodes[i];
                let completed = st.ok + st.errors.total();
                let series = (0..seconds)
                    .map(|s| {
                        let base = st.series[s];
                        let open = s + 1 == seconds && now.as_nanos() % step_ns != 0;
                        let (p50, p90, p99) = if open || s + 1 > closed {
                            (
                                st.second_latency.quantile_ms(0.5),
                                st.second_latency.quantile_ms(0.9),
                                st.second_latency.quantile_ms(0.99),
                            )
                        } else {
                            (base.p50_ms, base.p90_ms, base.p99_ms)
                        };
                        NodeSecond {
                            mean_in_node: st.in_node.second_mean(s, now),
                            peak_in_node: st.in_node.second_peak(s),
                            mean_queue: st.queue.second_mean(s, now),
                            mean_connections: st.connections.second_mean(s, now),
                            mean_in_flight: st.in_flight.second_mean(s, now),
                            p50_ms: p50,
                            p90_ms: p90,
                            p99_ms: p99,
                            ..base
                        }
                    })
                    .collect();
                NodeReport {
                    id: node.id.clone(),
                    name: node.label().to_owned(),
                    kind: node.kind.tag().to_owned(),
                    arrivals: st.arrivals,
                    ok: st.ok,
                    errors: st.errors,
                    orphaned: st.orphaned,
                    cold_starts: st.cold_starts,
                    pool: self.pool_report(i),
                    retry_budget: match &self.nodes[i] {
                        NodeRt::Client(c) => c.retry_budget(),
                        NodeRt::Lambda(l) => l.retry_budget(),
                        _ => None,
                    },
                    async_result: self.result_report(i),
                    reprocessed_records: match &self.nodes[i] {
                        NodeRt::Lambda(l) => l.reprocessed,
                        _ => 0,
                    },
                    throughput_per_s: per_s(completed),
                    mean_in_node: st.in_node.mean(now),
                    peak_in_node: st.in_node.peak,
                    mean_time_in_node_ms: if completed == 0 {
                        0.0
                    } else {
                        st.time_in_node as f64 / completed as f64 / 1e6
                    },
                    p50_ms: st.latency.quantile_ms(0.5),
                    p90_ms: st.latency.quantile_ms(0.9),
                    p99_ms: st.latency.quantile_ms(0.99),
                    mean_queue: st.queue.mean(now),
                    peak_queue: st.queue.peak,
                    mean_connections: st.connections.mean(now),
                    peak_connections: st.connections.peak,
                    received: st.received,
                    waited: st.waited,
                    mean_wait_ms: if st.received == 0 {
                        0.0
                    } else {
                        st.wait_sum as f64 / st.received as f64 / 1e6
                    },
                    mean_in_flight: st.in_flight.mean(now),
                    peak_in_flight: st.in_flight.peak,
                    shards: match &self.nodes[i] {
                        NodeRt::Stream(s) => s.shard_reports(now),
                        _ => Vec::new(),
                    },
                    limit: self.node_limit(i),
                    series,
                }
            })
            .collect();
        let entry_ok: u64 = self
            .edges
            .iter()
            .filter(|&&(from, _)| matches!(self.nodes.get(from as usize), Some(NodeRt::Client(_))))
            .map(|&(_, to)| self.stats[to as usize].ok)
            .sum();
        let cost = self.cost_report(elapsed);
        let mut cost = cost;
        cost.per_million_requests_usd = if self.ledger.arrived == 0 {
            0.0
        } else {
            cost.total_usd / self.ledger.arrived as f64 * 1e6
        };
        Report {
            seed: self.seed,
            time_s: elapsed,
            finished: now >= self.end,
            events: self.events,
            ledger: self.ledger,
            messages: self.messages,
            async_events: self.async_ledger,
            executions: self.executions,
            deliveries: self.deliveries,
            goodput_per_s: per_s(self.ledger.succeeded),
            throughput_per_s: per_s(entry_ok),
            p50_ms: self.e2e_latency.quantile_ms(0.5),
            p90_ms: self.e2e_latency.quantile_ms(0.9),
            p99_ms: self.e2e_latency.quantile_ms(0.99),
            cost,
            nodes,
            goodput_series: self.goodput[..seconds].to_vec(),
            series_step_s: self.step_s,
            edges: self.edge_reports(),
            failed_latency_ms: (self.ledger.failed.total() + self.ledger.timed_out > 0).then(
                || crate::report::FailedLatency {
                    p50: self.failed_latency.quantile_ms(0.5),
                    p99: self.failed_latency.quantile_ms(0.99),
                },
            ),
            stopped: self.stopped.clone(),
            notes: self.notes.clone(),
            alarms: self.alarm_reports(),
        }
    }

    fn breaker_report(&self, edge: usize) -> Option<crate::report::BreakerReport> {
        let b = self.breakers[edge].as_ref()?;
        let step_ns = self.step_s * crate::time::NANOS_PER_SEC;
        let samples = (self.now.as_nanos().div_ceil(step_ns) as usize).min(self.seconds);
        let closed = (self.now.as_nanos() / step_ns) as usize;
        let state = b.state(self.now);
        Some(crate::report::BreakerReport {
            opened: b.opened,
            fast_failed: b.fast_failed,
            state,
            transitions: b.transitions.clone(),
            series: (0..samples)
                .map(|s| if s < closed { b.series[s] } else { state })
                .collect(),
        })
    }

    fn edge_reports(&self) -> Vec<EdgeReport> {
        self.scenario
            .edges
            .iter()
            .zip(&self.edges)
            .zip(&self.edge_calls)
            .enumerate()
            .map(|(k, ((e, &(from, _)), &calls))| {
                let upstream = match self.nodes.get(from as usize) {
                    Some(NodeRt::Client(_)) => self.client_requests[from as usize],
                    Some(_) => self.stats[from as usize].arrivals,
                    None => 0,
                };
                EdgeReport {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    calls,
                    per_upstream: if upstream == 0 {
                        0.0
                    } else {
                        calls as f64 / upstream as f64
                    },
                    breaker: self.breaker_report(k),
                }
            })
            .collect()
    }

    fn cost_report(&self, elapsed_s: f64) -> CostReport {
        let c = &self.cost;
        let mut provisioned = 0.0;
        let mut proxy = 0.0;
        let mut shard_hours = 0.0;
        let mut fan_out_shard_hours = 0.0;
        for (i, node) in self.scenario.nodes.iter().enumerate() {
            match &node.kind {
                NodeKind::Lambda(p) => {
                    let gb = f64::from(p.memory_mb) / 1024.0;
                    provisioned += f64::from(p.provisioned_concurrency)
                        * gb
                        * elapsed_s
                        * PC_CONFIGURED_PER_GBS;
                }
                NodeKind::Kinesis(k) => {
                    shard_hours += f64::from(k.shards) * elapsed_s / 3600.0;
                    let fan_out = match &self.nodes[i] {
                        NodeRt::Stream(st) => st.fan_out_consumers(),
                        _ => 0,
                    };
                    fan_out_shard_hours +=
                        (fan_out as f64) * f64::from(k.shards) * elapsed_s / 3600.0;
                }
                NodeKind::RdsProxy(_) => {
                    let target = match &self.nodes[i] {
                        NodeRt::Proxy(p) => self.scenario.nodes.get(p.rds as usize),
                        _ => None,
                    };
                    let vcpus = match target.map(|n| &n.kind) {
                        Some(NodeKind::Rds(r)) => r.instance_class.vcpus(),
                        _ => 2,
                    };
                    proxy += PROXY_PER_VCPU_HOUR * f64::from(vcpus.max(2)) * elapsed_s / 3600.0;
                }
                _ => {}
            }
        }
        let requests = c.lambda_requests as f64 * LAMBDA_PER_REQUEST;
        let step_functions = c.step_functions_usd;
        let sqs = c.sqs_requests as f64 * SQS_PER_REQUEST;
        let kinesis = shard_hours * KINESIS_PER_SHARD_HOUR
            + c.kinesis_put_units as f64 * KINESIS_PER_PUT_UNIT
            + fan_out_shard_hours * KINESIS_EFO_PER_SHARD_HOUR
            + c.kinesis_efo_kb / 1024.0 / 1024.0 * KINESIS_EFO_PER_GB;
        let total = requests
            + c.lambda_duration_usd
            + provisioned
            + c.api_gateway_usd
            + c.services_usd
            + sqs
            + kinesis
            + step_functions
            + proxy;
        CostReport {
            total_usd: total,
            lambda_requests_usd: requests,
            lambda_duration_usd: c.lambda_duration_usd,
            lambda_provisioned_usd: provisioned,
            api_gateway_usd: c.api_gateway_usd,
            services_usd: c.services_usd,
            rds_proxy_usd: proxy,
            sqs_usd: sqs,
            kinesis_usd: kinesis,
            step_functions_usd: step_functions,
            retries_usd: c.retries_usd,
            wasted_usd: c.wasted_usd,
            per_million_requests_usd: 0.0,
        }
    }
}
