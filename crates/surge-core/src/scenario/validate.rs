//! Validation: every rule a runnable scenario must meet, each violation with its path.
//!
//! Why collect everything: a user fixing a file wants the whole list, not one error per
//! attempt. Limits are AWS's documented ones where they exist (Lambda timeout 900 s,
//! memory 128–10,240 MB, API Gateway payload 10 MB) and "absurd" bounds elsewhere, so no
//! input can make the engine allocate without bound, loop forever or panic.

use super::*;
use crate::error::{ScenarioError, ScenarioErrors};

/// Upper bound on any arrival or throttle rate (requests per second).
pub const MAX_RATE_PER_S: f64 = 10_000_000.0;
/// Upper bound on a run's simulated length (one week).
pub const MAX_DURATION_S: f64 = 7.0 * 86_400.0;

struct Errors(Vec<ScenarioError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.0.push(ScenarioError::new(path, reason));
    }

    /// Requires `lo <= v <= hi` (so NaN is refused too).
    fn range(&mut self, path: String, v: f64, lo: f64, hi: f64, unit: &str) {
        if !(v >= lo && v <= hi) {
            self.push(path, format!("{v} is outside {lo}..={hi}{unit}"));
        }
    }

    /// Requires `lo < v <= hi`.
    fn positive(&mut self, path: String, v: f64, hi: f64, unit: &str) {
        if !(v > 0.0 && v <= hi) {
            self.push(path, format!("{v} must be above 0 and at most {hi}{unit}"));
        }
    }

    fn count(&mut self, path: String, v: u32, lo: u32, hi: u32) {
        if !(lo..=hi).contains(&v) {
            self.push(path, format!("{v} is outside {lo}..={hi}"));
        }
    }
}

pub(super) fn validate(s: &Scenario) -> Result<(), ScenarioErrors> {
    let mut e = Errors(Vec::new());
    if s.format != FORMAT_TAG {
        e.push(
            "format",
            format!("expected \"{FORMAT_TAG}\", found \"{}\"", s.format),
        );
    }
    if s.version == 0 || s.version > CURRENT_VERSION {
        e.push(
            "version",
            format!(
                "version {} is not supported (1..={CURRENT_VERSION})",
                s.version
            ),
        );
    }
    e.positive("duration_s".into(), s.duration_s, MAX_DURATION_S, " s");
    account(&mut e, &s.account);
    if s.nodes.is_empty() {
        e.push("nodes", "a scenario needs at least one node");
    }
    let mut reserved_total: u64 = 0;
    for (i, node) in s.nodes.iter().enumerate() {
        if node.id.trim().is_empty() {
            e.push(format!("nodes[{i}].id"), "must not be empty");
        } else if s.nodes[..i].iter().any(|n| n.id == node.id) {
            e.push(
                format!("nodes[{i}].id"),
                format!("duplicate node id \"{}\"", node.id),
            );
        }
        let p = |field: &str| format!("nodes[{i}].params.{field}");
        let outgoing = s.edges.iter().filter(|x| x.from == node.id).count();
        let need_one_target = |e: &mut Errors, what: &str| {
            if outgoing != 1 {
                e.push(
                    format!("nodes[{i}]"),
                    format!("{what} needs exactly one outgoing edge, found {outgoing}"),
                );
            }
        };
        match &node.kind {
            NodeKind::Client(c) => {
                client(&mut e, &p, c, s.duration_s);
                need_one_target(&mut e, "a client");
            }
            NodeKind::ApiGateway(g) => {
                if let Some(r) = g.rate_per_s {
                    e.positive(p("rate_per_s"), r, MAX_RATE_PER_S, " req/s");
                }
                if let Some(b) = g.burst {
                    e.count(p("burst"), b, 1, 10_000_000);
                }
                let max_timeout = match g.flavour {
                    ApiGatewayFlavour::Rest => 300_000.0,
                    ApiGatewayFlavour::Http => 30_000.0,
                };
                e.range(p("timeout_ms"), g.timeout_ms, 50.0, max_timeout, " ms");
                e.range(p("latency_ms"), g.latency_ms, 0.0, 60_000.0, " ms");
                e.range(
                    p("max_payload_kb"),
                    g.max_payload_kb,
                    0.0,
                    10_240.0,
                    " KB (10 MB hard limit)",
                );
                need_one_target(&mut e, "an API gateway");
            }
            NodeKind::Lambda(l) => {
                if let Some(r) = l.reserved_concurrency {
                    reserved_total += u64::from(r);
                    e.count(
                        p("reserved_concurrency"),
                        r,
                        0,
                        s.account.lambda_concurrency,
                    );
                    if l.provisioned_concurrency > r {
                        e.push(
                            p("provisioned_concurrency"),
                            format!(
                                "{} exceeds reserved concurrency {r}",
                                l.provisioned_concurrency
                            ),
                        );
                    }
                }
                e.count(
                    p("provisioned_concurrency"),
                    l.provisioned_concurrency,
                    0,
                    s.account.lambda_concurrency,
                );
                e.count(p("memory_mb"), l.memory_mb, 128, 10_240);
                e.count(p("threads"), l.threads, 1, 6);
                e.positive(
                    p("timeout_s"),
                    l.timeout_s,
                    900.0,
                    " s (Lambda's maximum is 900 s)",
                );
                e.range(p("init_ms"), l.init_ms, 0.0, 600_000.0, " ms");
                e.positive(p("idle_reclaim_s"), l.idle_reclaim_s, MAX_DURATION_S, " s");
                e.count(p("async_max_retries"), l.async_max_retries, 0, 2);
                e.range(
                    p("async_max_event_age_s"),
                    l.async_max_event_age_s,
                    60.0,
                    21_600.0,
                    " s",
                );
                if let Some(dest) = &l.on_failure {
                    if !s
                        .nodes
                        .iter()
                        .any(|x| &x.id == dest && matches!(x.kind, NodeKind::Sqs(_)))
                    {
                        e.push(p("on_failure"), format!("\"{dest}\" is not an sqs node"));
                    }
                }
                if l.handler.is_empty() {
                    e.push(p("handler"), "a handler needs at least one step");
                }
                if let Some(job) = &l.process_new {
                    let ok = s.nodes.iter().any(|x| {
                        x.id == job.source
                            && matches!(x.kind, NodeKind::Dynamodb(_) | NodeKind::S3(_))
                    });
                    if !ok {
                        e.push(
                            p("process_new.source"),
                            format!("\"{}\" is not a dynamodb or s3 node", job.source),
                        );
                    }
                    if let Some(m) = job.max_records {
                        e.count(p("process_new.max_records"), m, 1, u32::MAX);
                    }
                }
                for (list, steps) in [("init_steps", &l.init_steps), ("handler", &l.handler)] {
                    for (k, step) in steps.iter().enumerate() {
                        step_rules(&mut e, s, node, &p(&format!("{list}[{k}]")), step);
                    }
                }
            }
            NodeKind::Rds(r) => {
                if let Some(m) = r.max_connections {
                    e.count(p("max_connections"), m, 1, 100_000);
                }
                e.positive(p("query_ms"), r.query_ms, 600_000.0, " ms");
                e.range(p("connect_ms"), r.connect_ms, 0.0, 60_000.0, " ms");
            }
            NodeKind::RdsProxy(x) => {
                e.count(
                    p("max_connections_percent"),
                    x.max_connections_percent,
                    1,
                    100,
                );
                e.range(
                    p("borrow_timeout_s"),
                    x.borrow_timeout_s,
                    0.0,
                    3_600.0,
                    " s",
                );
                e.range(p("pinned_fraction"), x.pinned_fraction, 0.0, 1.0, "");
                e.range(p("latency_ms"), x.latency_ms, 0.0, 60_000.0, " ms");
                need_one_target(&mut e, "an RDS proxy");
            }
            NodeKind::Sqs(q) => {
                e.range(
                    p("visibility_timeout_s"),
                    q.visibility_timeout_s,
                    0.0,
                    43_200.0,
                    " s",
                );
                e.range(p("retention_s"), q.retention_s, 60.0, 1_209_600.0, " s");
                e.range(p("delay_s"), q.delay_s, 0.0, 900.0, " s");
                e.count(p("max_in_flight"), q.max_in_flight, 1, 10_000_000);
                e.range(p("latency_ms"), q.latency_ms, 0.0, 60_000.0, " ms");
                match (&q.dead_letter_queue, q.max_receive_count) {
                    (Some(dlq), Some(n)) => {
                        e.count(p("max_receive_count"), n, 1, 1_000);
                        let target = s.nodes.iter().find(|x| &x.id == dlq);
                        if !matches!(target.map(|x| &x.kind), Some(NodeKind::Sqs(_)))
                            || dlq == &node.id
                        {
                            e.push(
                                p("dead_letter_queue"),
                                format!("\"{dlq}\" is not another sqs node"),
                            );
                        }
                    }
                    (Some(_), None) => e.push(
                        p("max_receive_count"),
                        "a dead-letter queue needs max_receive_count",
                    ),
                    (None, Some(_)) => e.push(
                        p("dead_letter_queue"),
                        "max_receive_count needs a dead-letter queue",
                    ),
                    (None, None) => {}
                }
                let consumers: Vec<&Edge> = s.edges.iter().filter(|x| x.from == node.id).collect();
                if consumers.len() > 1 {
                    e.push(
                        format!("nodes[{i}]"),
                        format!(
                            "a queue feeds at most one function, found {}",
                            consumers.len()
                        ),
                    );
                }
                for c in consumers {
                    if let Some(NodeKind::Lambda(l)) =
                        s.nodes.iter().find(|x| x.id == c.to).map(|x| &x.kind)
                    {
                        if q.visibility_timeout_s < l.timeout_s {
                            e.push(
                                p("visibility_timeout_s"),
                                format!(
                                    "{} s is shorter than the consumer's timeout ({} s)",
                                    q.visibility_timeout_s, l.timeout_s
                                ),
                            );
                        }
                    }
                }
            }
            NodeKind::Kinesis(k) => {
                e.count(p("shards"), k.shards, 1, 10_000);
                e.positive(
                    p("record_kb"),
                    k.record_kb,
                    1_024.0,
                    " KB (1 MB record limit)",
                );
                e.count(p("partition_keys"), k.partition_keys, 1, 1_000_000);
                e.range(p("hot_key_share"), k.hot_key_share, 0.0, 1.0, "");
                e.range(
                    p("retention_s"),
                    k.retention_s,
                    86_400.0,
                    31_536_000.0,
                    " s (24 h to 365 days)",
                );
                e.range(p("latency_ms"), k.latency_ms, 0.0, 60_000.0, " ms");
                e.count(p("records_per_put"), k.records_per_put, 1, 500);
                let request_kb = k.record_kb * f64::from(k.records_per_put);
                if request_kb > 10_240.0 {
                    e.push(
                        p("records_per_put"),
                        format!("a request of {request_kb} KB exceeds PutRecords' 10 MB"),
                    );
                }
                let fan_out = s
                    .edges
                    .iter()
                    .filter(|x| x.from == node.id)
                    .filter(|x| x.stream.as_ref().is_some_and(|m| m.enhanced_fan_out))
                    .count();
                if fan_out > 20 {
                    e.push(
                        format!("nodes[{i}]"),
                        format!(
                            "a stream takes at most 20 enhanced fan-out consumers, found {fan_out}"
                        ),
                    );
                }
            }
            NodeKind::StepFunctions(m) => {
                e.positive(
                    p("start_rate_per_s"),
                    m.start_rate_per_s,
                    MAX_RATE_PER_S,
                    " per s",
                );
                e.count(p("start_burst"), m.start_burst, 1, 10_000_000);
                definition(&mut e, s, node, &p("definition"), &m.definition, 0);
            }
            NodeKind::S3(f) | NodeKind::Sns(f) => {
                e.range(p("latency_ms"), f.latency_ms, 0.0, 60_000.0, " ms");
            }
            NodeKind::Schedule(sch) => {
                e.range(
                    p("every_s"),
                    sch.every_s,
                    60.0,
                    MAX_DURATION_S,
                    " s (rate expressions go down to one minute)",
                );
                if let Some(first) = sch.first_at_s {
                    e.range(p("first_at_s"), first, 0.0, MAX_DURATION_S, " s");
                }
                if let Some(Err(reason)) = sch.cron.as_deref().map(super::Cron::parse) {
                    e.push(p("cron"), reason);
                }
                if outgoing == 0 {
                    e.push(
                        format!("nodes[{i}]"),
                        "a schedule needs at least one target",
                    );
                }
            }
            NodeKind::Dynamodb(t) => {
                e.count(p("write_capacity"), t.write_capacity, 1, 40_000_000);
                e.count(p("read_capacity"), t.read_capacity, 1, 40_000_000);
                e.count(p("partitions"), t.partitions, 1, 100_000);
                e.range(p("hot_key_share"), t.hot_key_share, 0.0, 1.0, "");
                e.range(p("read_share"), t.read_share, 0.0, 1.0, "");
                e.positive(p("item_kb"), t.item_kb, 400.0, " KB (400 KB item limit)");
                e.range(p("latency_ms"), t.latency_ms, 0.0, 60_000.0, " ms");
                e.count(p("sdk_max_attempts"), t.sdk_max_attempts, 1, 20);
            }
            NodeKind::Service(v) => {
                if let Some(r) = v.rate_limit_per_s {
                    e.positive(p("rate_limit_per_s"), r, MAX_RATE_PER_S, " req/s");
                }
                if let Some(l) = v.latency_ms {
                    e.positive(p("latency_ms"), l, 600_000.0, " ms");
                }
                if let Some(c) = v.capacity {
                    e.count(p("capacity"), c, 1, 10_000_000);
                }
                e.count(p("sdk_max_attempts"), v.sdk_max_attempts, 1, 20);
                e.range(p("sdk_base_ms"), v.sdk_base_ms, 0.0, 60_000.0, " ms");
            }
        }
    }
    let pool = u64::from(
        s.account
            .lambda_concurrency
            .saturating_sub(s.account.unreserved_minimum),
    );
    if reserved_total > pool {
        e.push("nodes", format!("reserved concurrency totals {reserved_total}, above the {pool} the account can reserve (limit minus the unreserved minimum)"));
    }
    edges(&mut e, s);
    faults(&mut e, s);
    if e.0.is_empty() {
        lambda_cycles(&mut e, s);
    }
    ScenarioErrors::from_vec(e.0)
}

fn account(e: &mut Errors, a: &Account) {
    e.count(
        "account.lambda_concurrency".into(),
        a.lambda_concurrency,
        1,
        1_000_000,
    );
    e.count(
        "account.unreserved_minimum".into(),
        a.unreserved_minimum,
        0,
        a.lambda_concurrency,
    );
    e.count("account.legacy_burst".into(), a.legacy_burst, 1, 1_000_000);
    e.positive(
        "account.api_gateway_rate_per_s".into(),
        a.api_gateway_rate_per_s,
        MAX_RATE_PER_S,
        " req/s",
    );
    e.count(
        "account.api_gateway_burst".into(),
        a.api_gateway_burst,
        1,
        10_000_000,
    );
    e.positive(
        "account.step_functions_transition_rate_per_s".into(),
        a.step_functions_transition_rate_per_s,
        MAX_RATE_PER_S,
        " per s",
    );
    e.count(
        "account.step_functions_transition_burst".into(),
        a.step_functions_transition_burst,
        1,
        10_000_000,
    );
}

fn client(e: &mut Errors, p: &dyn Fn(&str) -> String, c: &ClientParams, duration_s: f64) {
    e.range(p("rate_per_s"), c.rate_per_s, 0.0, MAX_RATE_PER_S, " req/s");
    let mut last = 0.0;
    for (k, phase) in c.schedule.iter().enumerate() {
        let q = |f: &str| p(&format!("schedule[{k}].{f}"));
        e.range(
            q("at_s"),
            phase.at_s,
            last,
            MAX_DURATION_S,
            " s (phases in time order)",
        );
        e.range(
            q("rate_per_s"),
            phase.rate_per_s,
            0.0,
            MAX_RATE_PER_S,
            " req/s",
        );
        e.range(q("ramp_s"), phase.ramp_s, 0.0, MAX_DURATION_S, " s");
        if phase.at_s.is_finite() {
            last = phase.at_s;
        }
    }
    if let Some(d) = &c.daily {
        e.positive(p("daily.period_s"), d.period_s, MAX_DURATION_S, " s");
        e.range(p("daily.peak_at_s"), d.peak_at_s, 0.0, MAX_DURATION_S, " s");
        e.range(p("daily.min_ratio"), d.min_ratio, 0.0, 1.0, "");
    }
    if c.max_rate() * duration_s > 2e9 {
        e.push(
            p("rate_per_s"),
            "more than 2 billion requests in one run: shorten the run or lower the rate",
        );
    }
    e.positive(p("timeout_ms"), c.timeout_ms, 86_400_000.0, " ms");
    e.count(p("retry.max_attempts"), c.retry.max_attempts, 1, 100);
    e.range(p("retry.base_ms"), c.retry.base_ms, 0.0, 3_600_000.0, " ms");
    e.range(p("retry.cap_ms"), c.retry.cap_ms, 0.0, 3_600_000.0, " ms");
    e.range(p("payload_kb"), c.payload_kb, 0.0, 1_000_000.0, " KB");
}

fn step_rules(e: &mut Errors, s: &Scenario, node: &Node, path: &str, step: &Step) {
    match step {
        Step::Compute { ms, .. } => e.positive(format!("{path}.compute.ms"), *ms, 900_000.0, " ms"),
        Step::Sleep { ms } => e.range(format!("{path}.sleep.ms"), *ms, 0.0, 900_000.0, " ms"),
        Step::Call {
            node: target,
            times,
        } => {
            e.count(format!("{path}.call.times"), *times, 1, 1_000);
            if !s.nodes.iter().any(|n| &n.id == target) {
                e.push(
                    format!("{path}.call.node"),
                    format!("no node with id \"{target}\""),
                );
            } else if !s.edges.iter().any(|x| x.from == node.id && &x.to == target) {
                e.push(
                    format!("{path}.call.node"),
                    format!(
                        "no edge from \"{}\" to \"{target}\"; connect them first",
                        node.id
                    ),
                );
            }
        }
    }
}

fn edges(e: &mut Errors, s: &Scenario) {
    for (i, edge) in s.edges.iter().enumerate() {
        let from = s.nodes.iter().find(|n| n.id == edge.from);
        let to = s.nodes.iter().find(|n| n.id == edge.to);
        if from.is_none() {
            e.push(
                format!("edges[{i}].from"),
                format!("no node with id \"{}\"", edge.from),
            );
        }
        if to.is_none() {
            e.push(
                format!("edges[{i}].to"),
                format!("no node with id \"{}\"", edge.to),
            );
        }
        if let (Some(from), Some(to)) = (from, to) {
            match edge_rule(from.kind.tag(), to.kind.tag()) {
                Err(reason) => e.push(format!("edges[{i}]"), reason),
                Ok(rule) => edge_settings(e, s, i, edge, rule),
            }
        }
        if s.edges[..i].contains(edge) {
            e.push(format!("edges[{i}]"), "duplicate edge");
        }
    }
}

fn edge_settings(e: &mut Errors, s: &Scenario, i: usize, edge: &Edge, rule: &EdgeRule) {
    let invocation = edge.invocation.unwrap_or(rule.default_invocation());
    if !rule.invocations.contains(&invocation) {
        let allowed: Vec<String> = rule
            .invocations
            .iter()
            .map(|k| format!("{k:?}").to_lowercase())
            .collect();
        e.push(
            format!("edges[{i}].invocation"),
            format!(
                "a {} → {} edge can be {}",
                rule.from,
                rule.to,
                allowed.join(" or ")
            ),
        );
    }
    match (&edge.esm, invocation) {
        (Some(m), Invocation::Poll) => {
            let p = |f: &str| format!("edges[{i}].esm.{f}");
            e.count(p("batch_size"), m.batch_size, 1, 10_000);
            e.range(
                p("batching_window_s"),
                m.batching_window_s,
                0.0,
                300.0,
                " s",
            );
            if m.batch_size > 10 && m.batching_window_s < 1.0 {
                e.push(
                    p("batching_window_s"),
                    "batches above 10 need a batching window of at least 1 s",
                );
            }
            if let Some(c) = m.maximum_concurrency {
                e.count(p("maximum_concurrency"), c, 2, 1_000);
            }
            if let Some(t) = m.backlog.drop_older_than_s {
                e.positive(p("backlog.drop_older_than_s"), t, 1_209_600.0, " s");
            }
            if let Some(o) = &m.backlog.overflow {
                e.positive(
                    p("backlog.overflow.older_than_s"),
                    o.older_than_s,
                    1_209_600.0,
                    " s",
                );
                let is_queue = s
                    .nodes
                    .iter()
                    .any(|n| n.id == o.queue && matches!(n.kind, NodeKind::Sqs(_)));
                if !is_queue || o.queue == edge.from {
                    e.push(
                        p("backlog.overflow.queue"),
                        format!("\"{}\" is not another sqs node", o.queue),
                    );
                }
            }
            if let Some(run) = m.schedule {
                e.count(p("schedule.every_s"), run.every_s, 60, 86_400);
                e.count(
                    p("schedule.messages_per_run"),
                    run.messages_per_run,
                    1,
                    10_000_000,
                );
            }
        }
        (Some(_), _) => e.push(
            format!("edges[{i}].esm"),
            "only poll edges have event source mapping settings",
        ),
        (None, _) => {}
    }
    match (&edge.stream, invocation) {
        (Some(m), Invocation::Stream) => {
            let p = |f: &str| format!("edges[{i}].stream.{f}");
            e.count(p("batch_size"), m.batch_size, 1, 10_000);
            e.count(p("parallelization_factor"), m.parallelization_factor, 1, 10);
            if let Some(n) = m.maximum_retry_attempts {
                e.count(p("maximum_retry_attempts"), n, 0, 10_000);
            }
            if let Some(age) = m.maximum_record_age_s {
                e.range(
                    p("maximum_record_age_s"),
                    age,
                    60.0,
                    604_800.0,
                    " s (1 minute to 7 days)",
                );
            }
            e.range(p("poll_interval_s"), m.poll_interval_s, 0.2, 300.0, " s");
        }
        (Some(_), _) => e.push(
            format!("edges[{i}].stream"),
            "only stream edges have stream mapping settings",
        ),
        (None, _) => {}
    }
}

/// A state machine definition: names resolve, resources are connected, numbers are sane.
fn definition(e: &mut Errors, s: &Scenario, node: &Node, path: &str, d: &Definition, depth: u32) {
    if depth > 8 {
        e.push(path.to_owned(), "definitions nest at most 8 deep");
        return;
    }
    if d.states.is_empty() {
        e.push(
            format!("{path}.states"),
            "a definition needs at least one state",
        );
    }
    let known = |name: &str| d.states.contains_key(name);
    if !known(&d.start_at) {
        e.push(
            format!("{path}.start_at"),
            format!("no state named \"{}\"", d.start_at),
        );
    }
    let next = |e: &mut Errors, at: String, n: &Option<String>| {
        if let Some(n) = n {
            if !known(n) {
                e.push(at, format!("no state named \"{n}\""));
            }
        }
    };
    for (name, state) in &d.states {
        let at = format!("{path}.states.{name}");
        match state {
            State::Task {
                resource,
                retry,
                catch,
                next: n,
            } => {
                if !s
                    .edges
                    .iter()
                    .any(|x| x.from == node.id && &x.to == resource)
                {
                    e.push(
                        format!("{at}.resource"),
                        format!(
                            "no edge from \"{}\" to \"{resource}\"; connect them first",
                            node.id
                        ),
                    );
                }
                for (k, r) in retry.iter().enumerate() {
                    e.range(
                        format!("{at}.retry[{k}].interval_seconds"),
                        r.interval_seconds,
                        0.0,
                        99_999_999.0,
                        " s",
                    );
                    e.count(
                        format!("{at}.retry[{k}].max_attempts"),
                        r.max_attempts,
                        0,
                        99_999_999,
                    );
                    e.range(
                        format!("{at}.retry[{k}].backoff_rate"),
                        r.backoff_rate,
                        1.0,
                        1000.0,
                        "",
                    );
                }
                for (k, c) in catch.iter().enumerate() {
                    next(e, format!("{at}.catch[{k}].next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.next"), n);
            }
            State::Choice { choices, default } => {
                let total: f64 = choices.iter().map(|c| c.probability).sum();
                if !(0.0..=1.000_001).contains(&total)
                    || choices
                        .iter()
                        .any(|c| c.probability.is_nan() || c.probability < 0.0)
                {
                    e.push(
                        format!("{at}.choices"),
                        "probabilities must be ≥ 0 and sum to at most 1",
                    );
                }
                for (k, c) in choices.iter().enumerate() {
                    next(e, format!("{at}.choices[{k}].next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.default"), &Some(default.clone()));
            }
            State::Wait { seconds, next: n } => {
                e.range(format!("{at}.seconds"), *seconds, 0.0, 31_536_000.0, " s");
                next(e, format!("{at}.next"), n);
            }
            State::Parallel {
                branches,
                catch,
                next: n,
            } => {
                if branches.is_empty() || branches.len() > 100 {
                    e.push(
                        format!("{at}.branches"),
                        "a Parallel state needs 1 to 100 branches",
                    );
                }
                for (k, b) in branches.iter().enumerate() {
                    definition(e, s, node, &format!("{at}.branches[{k}]"), b, depth + 1);
                }
                for (k, c) in catch.iter().enumerate() {
                    next(e, format!("{at}.catch[{k}].next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.next"), n);
            }
            State::Map {
                items,
                max_concurrency,
                iterator,
                catch,
                next: n,
            } => {
                e.count(format!("{at}.items"), *items, 0, 100_000);
                e.count(format!("{at}.max_concurrency"), *max_concurrency, 0, 10_000);
                definition(e, s, node, &format!("{at}.iterator"), iterator, depth + 1);
                for (k, c) in catch.iter().enumerate() {
                    next(e, format!("{at}.catch[{k}].next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.next"), n);
            }
            State::Succeed | State::Fail { .. } => {}
        }
    }
}

fn faults(e: &mut Errors, s: &Scenario) {
    for (i, f) in s.faults.iter().enumerate() {
        let p = |field: &str| format!("faults[{i}].{field}");
        e.range(p("at_s"), f.at_s, 0.0, MAX_DURATION_S, " s");
        e.positive(p("duration_s"), f.duration_s, MAX_DURATION_S, " s");
        let Some(node) = s.nodes.iter().find(|n| n.id == f.node) else {
            e.push(p("node"), format!("no node with id \"{}\"", f.node));
            continue;
        };
        let tag = node.kind.tag();
        match f.kind {
            FaultKind::Failover if tag != "rds" => e.push(
                p("kind"),
                format!("failover applies to rds nodes, not a {tag}"),
            ),
            FaultKind::Spike { rate_per_s } => {
                if tag != "client" {
                    e.push(
                        p("kind"),
                        format!("spike applies to client nodes, not a {tag}"),
                    );
                }
                e.positive(p("rate_per_s"), rate_per_s, MAX_RATE_PER_S, " req/s");
            }
            FaultKind::AddedLatency { ms } => e.range(p("ms"), ms, 0.0, 900_000.0, " ms"),
            FaultKind::ErrorRate { probability } => {
                e.range(p("probability"), probability, 0.0, 1.0, "");
            }
            FaultKind::Outage | FaultKind::Failover | FaultKind::Poison => {}
        }
        if tag == "client" && !matches!(f.kind, FaultKind::Spike { .. }) {
            e.push(p("kind"), "a client only takes spike faults");
        }
    }
}

/// Lambda → Lambda calls must not form a cycle (each call would spawn another, forever).
fn lambda_cycles(e: &mut Errors, s: &Scenario) {
    let n = s.nodes.len();
    let idx = |id: &str| s.node_index(id).unwrap_or(usize::MAX);
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    fn visit(s: &Scenario, v: usize, state: &mut [u8], idx: &dyn Fn(&str) -> usize) -> bool {
        state[v] = 1;
        for edge in s.edges.iter().filter(|x| x.from == s.nodes[v].id) {
            let w = idx(&edge.to);
            if w >= state.len() || s.nodes[w].kind.tag() != "lambda" {
                continue;
            }
            if state[w] == 1 || (state[w] == 0 && visit(s, w, state, idx)) {
                return true;
            }
        }
        state[v] = 2;
        false
    }
    for v in 0..n {
        if state[v] == 0 && s.nodes[v].kind.tag() == "lambda" && visit(s, v, &mut state, &idx) {
            e.push(
                format!("nodes[{v}]"),
                "functions call each other in a cycle",
            );
            return;
        }
    }
}
