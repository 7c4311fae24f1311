//! Validation: every rule a runnable scenario must meet, each violation with its path.
//!
//! Why collect everything: a user fixing a file wants the whole list, not one error per
//! attempt. Limits are AWS's documented ones where they exist (Lambda timeout 900 s,
//! memory 128–10,240 MB, API Gateway payload 10 MB) and "absurd" bounds elsewhere, so no
//! input can make the engine allocate without bound, loop forever or panic.

use std::collections::BTreeMap;

use super::index::Index;
use super::*;
use crate::error::{ScenarioError, ScenarioErrors};

/// Upper bound on any arrival or throttle rate (requests per second).
pub const MAX_RATE_PER_S: f64 = 10_000_000.0;
/// Upper bound on a run's simulated length (one week).
pub const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// Most nodes in one scenario.
pub const MAX_NODES: usize = 10_000;
/// Most edges in one scenario.
pub const MAX_EDGES: usize = 100_000;
/// Most faults in one scenario.
pub const MAX_FAULTS: usize = 10_000;
/// Most alarms in a scenario.
pub const MAX_ALARMS: usize = 1_000;
/// Most requests (client arrivals, spikes included) one run may start.
pub const MAX_REQUESTS: f64 = 2e9;
/// Longest node id, in characters.
pub const MAX_ID_CHARS: usize = 200;
/// Most concurrent branches one state machine execution may run (Parallel × Map).
pub const MAX_BRANCHES_PER_EXECUTION: f64 = 1_000_000.0;

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

    /// Every bound of a parameter type (see `bounds.rs`), under `prefix`.
    fn bounded<T: super::bounds::Bounded>(&mut self, prefix: &str, value: &T) {
        for (path, why) in super::bounds::check(prefix, value) {
            self.push(path, why);
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
    // Sizes first: past them nothing else is worth checking (and checking is cheap).
    for (what, n, max) in [
        ("nodes", s.nodes.len(), MAX_NODES),
        ("edges", s.edges.len(), MAX_EDGES),
        ("faults", s.faults.len(), MAX_FAULTS),
        ("alarms", s.alarms.len(), MAX_ALARMS),
    ] {
        if n > max {
            e.push(
                what,
                format!("{n} {what}: a scenario has at most {max} {what}"),
            );
        }
    }
    if !e.0.is_empty() {
        return ScenarioErrors::from_vec(e.0);
    }
    account(&mut e, &s.account);
    if s.nodes.is_empty() {
        e.push("nodes", "a scenario needs at least one node");
    }
    let ix = Index::new(s);
    let kind_of = |id: &str| ix.node(id).map(|k| &s.nodes[k].kind);
    // Every reference resolves (one walker knows every place an id appears); the checks
    // below look only at references that do.
    s.node_refs(|at, id| {
        if ix.node(id).is_none() {
            e.push(at.path, format!("no node with id {}", quoted(id)));
        }
    });
    let mut reserved_total: u64 = 0;
    let mut first_with_id: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, node) in s.nodes.iter().enumerate() {
        if node.id.trim().is_empty() {
            e.push(format!("nodes[{i}].id"), "must not be empty");
        } else if let Some(&first) = first_with_id.get(node.id.as_str()) {
            e.push(
                format!("nodes[{i}].id"),
                format!(
                    "duplicate node id {} (also nodes[{first}])",
                    quoted(&node.id)
                ),
            );
        } else {
            first_with_id.insert(&node.id, i);
        }
        text_rules(&mut e, &format!("nodes[{i}].id"), &node.id, MAX_ID_CHARS);
        text_rules(
            &mut e,
            &format!("nodes[{i}].name"),
            &node.name,
            MAX_ID_CHARS,
        );
        let p = |field: &str| format!("nodes[{i}].params.{field}");
        let p_params = format!("nodes[{i}].params");
        let outgoing = ix.outgoing[i].len();
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
                match &c.async_result {
                    Some(a) => async_result(&mut e, &p, &ix, i, a, &kind_of),
                    None => need_one_target(&mut e, "a client"),
                }
                if let Some(b) = &c.backpressure {
                    backpressure(&mut e, &p("backpressure"), b, &kind_of);
                }
            }
            NodeKind::ApiGateway(g) => {
                e.bounded(&p_params, g);
                let max_timeout = match g.flavour {
                    ApiGatewayFlavour::Rest => 300_000.0,
                    ApiGatewayFlavour::Http => 30_000.0,
                };
                e.range(p("timeout_ms"), g.timeout_ms, 50.0, max_timeout, " ms");
                need_one_target(&mut e, "an API gateway");
            }
            NodeKind::Lambda(l) => {
                e.bounded(&p_params, l);
                if let Some(b) = &l.backpressure {
                    backpressure(&mut e, &p("backpressure"), b, &kind_of);
                }
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
                // Provisioned concurrency of a function without a reservation comes out of
                // the same pool: AWS keeps the unreserved minimum free of both.
                if l.reserved_concurrency.is_none() {
                    reserved_total += u64::from(l.provisioned_concurrency);
                }
                if let Some(dest) = &l.on_failure {
                    if !matches!(kind_of(dest), Some(NodeKind::Sqs(_)) | None) {
                        e.push(
                            p("on_failure"),
                            format!("{} is not an sqs node", quoted(dest)),
                        );
                    }
                }
                if l.handler.is_empty() {
                    e.push(p("handler"), "a handler needs at least one step");
                }
                if let Some(job) = &l.process_new {
                    let ok = matches!(
                        kind_of(&job.source),
                        Some(NodeKind::Dynamodb(_) | NodeKind::S3(_)) | None
                    );
                    if !ok {
                        e.push(
                            p("process_new.source"),
                            format!("{} is not a dynamodb or s3 node", quoted(&job.source)),
                        );
                    }
                    if let Some(m) = job.max_records {
                        e.count(p("process_new.max_records"), m, 1, u32::MAX);
                    }
                }
                for (list, steps) in [("init_steps", &l.init_steps), ("handler", &l.handler)] {
                    if steps.len() > MAX_STEPS {
                        e.push(
                            p(list),
                            format!("{} steps: at most {MAX_STEPS}", steps.len()),
                        );
                        continue;
                    }
                    for (k, step) in steps.iter().enumerate() {
                        step_rules(&mut e, &ix, i, &p(&format!("{list}[{k}]")), step);
                    }
                }
            }
            NodeKind::Rds(r) => {
                e.bounded(&p_params, r);
            }
            NodeKind::RdsProxy(x) => {
                e.bounded(&p_params, x);
                need_one_target(&mut e, "an RDS proxy");
            }
            NodeKind::Sqs(q) => {
                e.bounded(&p_params, q);
                match (&q.dead_letter_queue, q.max_receive_count) {
                    (Some(dlq), Some(n)) => {
                        e.count(p("max_receive_count"), n, 1, 1_000);
                        if !matches!(kind_of(dlq), Some(NodeKind::Sqs(_)) | None) || dlq == &node.id
                        {
                            e.push(
                                p("dead_letter_queue"),
                                format!("{} is not another sqs node", quoted(dlq)),
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
                if outgoing > 1 {
                    e.push(
                        format!("nodes[{i}]"),
                        format!("a queue feeds at most one function, found {outgoing}"),
                    );
                }
                for &k in &ix.outgoing[i] {
                    if let Some(NodeKind::Lambda(l)) = ix.ends[k].1.map(|t| &s.nodes[t].kind) {
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
                e.bounded(&p_params, k);
                let request_kb = k.record_kb * f64::from(k.records_per_put);
                if request_kb > 10_240.0 {
                    e.push(
                        p("records_per_put"),
                        format!("a request of {request_kb} KB exceeds PutRecords' 10 MB"),
                    );
                }
                let fan_out = ix.outgoing[i]
                    .iter()
                    .filter(|&&k| {
                        s.edges[k]
                            .stream
                            .as_ref()
                            .is_some_and(|m| m.enhanced_fan_out)
                    })
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
                e.bounded(&p_params, m);
                let compiled = match m.compiled() {
                    Ok(d) => d,
                    Err(problem) => {
                        e.push(
                            format!("{}.{}", p("definition"), problem.path),
                            problem.reason,
                        );
                        continue;
                    }
                };
                let (def, sim) = (p("definition"), p("simulation"));
                definition(&mut e, &ix, i, (&def, &sim), &compiled, 0);
                simulation_settings(&mut e, &sim, m);
                let branches = max_branches(&compiled);
                if branches > MAX_BRANCHES_PER_EXECUTION {
                    e.push(
                        p("definition"),
                        format!(
                            "one execution could run {branches:.0} branches at once (Parallel × Map); at most {MAX_BRANCHES_PER_EXECUTION:.0}"
                        ),
                    );
                }
            }
            NodeKind::S3(f) | NodeKind::Sns(f) => {
                e.bounded(&p_params, f);
            }
            NodeKind::Schedule(sch) => {
                e.bounded(&p_params, sch);
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
                e.bounded(&p_params, t);
            }
            NodeKind::Service(v) => {
                e.bounded(&p_params, v);
                e.bounded(&format!("{p_params}.admission"), &v.admission);
            }
            // A shard larger than the pool is the whole pool (the engine caps k at n).
            NodeKind::WorkerPool(w) => e.bounded(&p_params, w),
        }
    }
    let pool = u64::from(
        s.account
            .lambda_concurrency
            .saturating_sub(s.account.unreserved_minimum),
    );
    if reserved_total > pool {
        e.push("nodes", format!("reserved (and unreserved functions' provisioned) concurrency totals {reserved_total}, above the {pool} the account can reserve (limit minus the unreserved minimum)"));
    }
    edges(&mut e, s, &ix);
    faults(&mut e, s, &ix);
    alarms(&mut e, s);
    talk(&mut e, s, &ix);
    annotations(&mut e, s);
    if let Some(step) = s.series_step_s() {
        let samples = s.seconds_covered().div_ceil(step) * s.nodes.len() as u64;
        if samples > MAX_SERIES_SAMPLES {
            e.push(
                "series",
                format!(
                    "{samples} samples ({} nodes over {} s at one per {step} s); at most {MAX_SERIES_SAMPLES}: use \"auto\", a coarser resolution or \"none\"",
                    s.nodes.len(),
                    s.seconds_covered() - 1
                ),
            );
        }
    }
    let requests = expected_requests(s);
    if requests > MAX_REQUESTS {
        e.push(
            "nodes",
            format!(
                "the clients would send about {:.1} billion requests (spikes included); at most 2 billion in one run: shorten the run or lower the rates",
                requests / 1e9
            ),
        );
    }
    if e.0.is_empty() {
        sync_cycles(&mut e, s, &ix);
    }
    if e.0.is_empty() {
        talk_settings(&mut e, s);
    }
    ScenarioErrors::from_vec(e.0)
}

/// Most steps in a handler or init list.
pub const MAX_STEPS: usize = 1_000;
/// Most states in one definition (each Parallel branch and Map iterator is one).
pub const MAX_STATES: usize = 1_000;

/// `"id"`, with control characters escaped (ids reach terminals and logs).
pub(crate) fn quoted(id: &str) -> String {
    format!("{:?}", id)
}

/// Ids and names: no control characters (they would reach terminals), bounded length.
fn text_rules(e: &mut Errors, path: &str, text: &str, max_chars: usize) {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        e.push(
            path,
            format!("contains a control character (U+{:04X})", u32::from(c)),
        );
    }
    let n = text.chars().count();
    if n > max_chars {
        e.push(path, format!("{n} characters: at most {max_chars}"));
    }
}

/// The requests the clients would start over the run (their peak rates, plus spikes).
pub(crate) fn expected_requests(s: &Scenario) -> f64 {
    let clients: f64 = s
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c.max_rate() * s.duration_s),
            _ => None,
        })
        .sum();
    let spikes: f64 = s
        .faults
        .iter()
        .filter_map(|f| match f.kind {
            FaultKind::Spike { rate_per_s } => {
                let until = (f.at_s + f.duration_s).min(s.duration_s);
                Some(rate_per_s * (until - f.at_s).max(0.0))
            }
            _ => None,
        })
        .sum();
    clients + spikes
}

fn account(e: &mut Errors, a: &Account) {
    e.bounded("account", a);
    e.count(
        "account.unreserved_minimum".into(),
        a.unreserved_minimum,
        0,
        a.lambda_concurrency,
    );
}

fn client(e: &mut Errors, p: &dyn Fn(&str) -> String, c: &ClientParams, duration_s: f64) {
    let params = p("");
    let params = params.trim_end_matches('.');
    e.bounded(params, c);
    e.bounded(&p("retry"), &c.retry);
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
        e.bounded(&p(&format!("schedule[{k}]")), phase);
        if phase.at_s.is_finite() {
            last = phase.at_s;
        }
    }
    if let Some(d) = &c.daily {
        e.bounded(&p("daily"), d);
    }
    if c.max_rate() * duration_s > MAX_REQUESTS {
        e.push(
            p("rate_per_s"),
            "more than 2 billion requests in one run: shorten the run or lower the rate",
        );
    }
    if c.schedule.len() > MAX_STEPS {
        e.push(
            p("schedule"),
            format!("{} phases: at most {MAX_STEPS}", c.schedule.len()),
        );
    }
}

/// A producer's backpressure: a limit to watch, on an SQS queue.
fn backpressure<'a>(
    e: &mut Errors,
    at: &str,
    b: &Backpressure,
    kind_of: &dyn Fn(&str) -> Option<&'a NodeKind>,
) {
    e.bounded(at, b);
    if b.max_depth.is_none() && b.max_age_s.is_none() {
        e.push(at, "backpressure needs max_depth, max_age_s or both");
    }
    if kind_of(&b.queue).is_some_and(|k| !matches!(k, NodeKind::Sqs(_))) {
        e.push(
            format!("{at}.queue"),
            format!("{} is not an sqs node", quoted(&b.queue)),
        );
    }
}

/// A client's async result: what finishes the work, and (polling) the status endpoint it
/// has an edge to besides its one submit edge.
fn async_result<'a>(
    e: &mut Errors,
    p: &dyn Fn(&str) -> String,
    ix: &Index<'_>,
    node: usize,
    a: &AsyncResult,
    kind_of: &dyn Fn(&str) -> Option<&'a NodeKind>,
) {
    let at = p("async_result");
    e.bounded(&at, a);
    if kind_of(&a.done_at).is_some_and(|k| matches!(k, NodeKind::Client(_))) {
        e.push(
            format!("{at}.done_at"),
            format!(
                "{} is a client: work is finished by a service",
                quoted(&a.done_at)
            ),
        );
    }
    let outgoing = ix.outgoing[node].len();
    match (a.pattern, &a.status) {
        (AsyncPattern::Poll, None) => {
            e.push(format!("{at}.status"), "polling needs a status endpoint");
        }
        (AsyncPattern::Poll, Some(status)) => {
            let target = ix.node(status);
            let to_status = ix.outgoing[node]
                .iter()
                .filter(|&&edge| target.is_some() && ix.ends[edge].1 == target)
                .count();
            if to_status != 1 || outgoing != 2 {
                e.push(
                    format!("nodes[{node}]"),
                    format!(
                        "a polling client needs two outgoing edges, one to its status endpoint {}, found {outgoing}",
                        quoted(status)
                    ),
                );
            }
        }
        (_, Some(_)) => {
            e.push(
                format!("{at}.status"),
                "only polling asks a status endpoint",
            );
        }
        (_, None) => {
            if outgoing != 1 {
                e.push(
                    format!("nodes[{node}]"),
                    format!("a client needs exactly one outgoing edge, found {outgoing}"),
                );
            }
        }
    }
}

fn step_rules(e: &mut Errors, ix: &Index<'_>, node: usize, path: &str, step: &Step) {
    match step {
        Step::Compute { ms, .. } => e.positive(format!("{path}.compute.ms"), *ms, 900_000.0, " ms"),
        Step::Sleep { ms } => e.range(format!("{path}.sleep.ms"), *ms, 0.0, 900_000.0, " ms"),
        Step::Call {
            node: target,
            times,
        } => {
            e.count(format!("{path}.call.times"), *times, 1, 1_000);
            if ix.node(target).is_some() && ix.edge(node, target).is_none() {
                e.push(
                    format!("{path}.call.node"),
                    format!(
                        "no edge from {} to {}; connect them first",
                        quoted(ix.id(node)),
                        quoted(target)
                    ),
                );
            }
        }
    }
}

fn edges(e: &mut Errors, s: &Scenario, ix: &Index<'_>) {
    for (i, edge) in s.edges.iter().enumerate() {
        if let (Some(f), Some(t)) = ix.ends[i] {
            match edge_rule(s.nodes[f].kind.tag(), s.nodes[t].kind.tag()) {
                Err(reason) => e.push(format!("edges[{i}]"), reason),
                Ok(rule) => edge_settings(e, s, ix, i, edge, rule),
            }
            if let Some(first) = ix.edge_between(f, t).filter(|&k| k != i) {
                e.push(
                    format!("edges[{i}]"),
                    format!(
                        "duplicate edge: {} → {} is already edges[{first}]",
                        quoted(&edge.from),
                        quoted(&edge.to)
                    ),
                );
            }
        }
    }
}

fn edge_settings(
    e: &mut Errors,
    s: &Scenario,
    ix: &Index<'_>,
    i: usize,
    edge: &Edge,
    rule: &EdgeRule,
) {
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
            e.bounded(&format!("edges[{i}].esm"), m);
            e.bounded(&p("backlog"), &m.backlog);
            if m.batch_size > 10 && m.batching_window_s < 1.0 {
                e.push(
                    p("batching_window_s"),
                    "batches above 10 need a batching window of at least 1 s",
                );
            }
            if let Some(o) = &m.backlog.overflow {
                e.bounded(&p("backlog.overflow"), o);
                let is_queue = ix
                    .node(&o.queue)
                    .is_none_or(|k| matches!(s.nodes[k].kind, NodeKind::Sqs(_)));
                if !is_queue || o.queue == edge.from {
                    e.push(
                        p("backlog.overflow.queue"),
                        format!("{} is not another sqs node", quoted(&o.queue)),
                    );
                }
            }
            if let Some(run) = &m.schedule {
                e.bounded(&p("schedule"), run);
            }
        }
        (Some(_), _) => e.push(
            format!("edges[{i}].esm"),
            "only poll edges have event source mapping settings",
        ),
        (None, _) => {}
    }
    match (&edge.breaker, invocation) {
        (Some(b), Invocation::Sync) => e.bounded(&format!("edges[{i}].breaker"), b),
        (Some(_), _) => e.push(
            format!("edges[{i}].breaker"),
            "only synchronous call edges have a circuit breaker (the caller waits for the answer)",
        ),
        (None, _) => {}
    }
    match (&edge.stream, invocation) {
        (Some(m), Invocation::Stream) => e.bounded(&format!("edges[{i}].stream"), m),
        (Some(_), _) => e.push(
            format!("edges[{i}].stream"),
            "only stream edges have stream mapping settings",
        ),
        (None, _) => {}
    }
}

/// A state machine definition: names resolve, resources are connected, numbers are sane.
fn definition(
    e: &mut Errors,
    ix: &Index<'_>,
    node: usize,
    (path, sim): (&str, &str),
    d: &Definition,
    depth: u32,
) {
    if depth > 8 {
        e.push(path.to_owned(), "definitions nest at most 8 deep");
        return;
    }
    if d.states.is_empty() {
        e.push(
            format!("{path}.States"),
            "a definition needs at least one state",
        );
    }
    if d.states.len() > MAX_STATES {
        e.push(
            format!("{path}.States"),
            format!("{} states: at most {MAX_STATES}", d.states.len()),
        );
        return;
    }
    let known = |name: &str| d.states.contains_key(name);
    if !known(&d.start_at) {
        e.push(
            format!("{path}.StartAt"),
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
        let at = format!("{path}.States.{name}");
        match state {
            State::Task {
                resource,
                retry,
                catch,
                next: n,
            } => {
                if ix.node(resource).is_some() && ix.edge(node, resource).is_none() {
                    e.push(
                        format!("{sim}.tasks.{name}"),
                        format!(
                            "no edge from {} to {}; connect them first",
                            quoted(ix.id(node)),
                            quoted(resource)
                        ),
                    );
                }
                for (k, r) in retry.iter().enumerate() {
                    e.range(
                        format!("{at}.Retry[{k}].IntervalSeconds"),
                        r.interval_seconds,
                        0.0,
                        99_999_999.0,
                        " s",
                    );
                    e.count(
                        format!("{at}.Retry[{k}].MaxAttempts"),
                        r.max_attempts,
                        0,
                        99_999_999,
                    );
                    e.range(
                        format!("{at}.Retry[{k}].BackoffRate"),
                        r.backoff_rate,
                        1.0,
                        1000.0,
                        "",
                    );
                }
                for (k, c) in catch.iter().enumerate() {
                    next(e, format!("{at}.Catch[{k}].Next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.Next"), n);
            }
            State::Choice { choices, default } => {
                let total: f64 = choices.iter().map(|c| c.probability).sum();
                if !(0.0..=1.000_001).contains(&total)
                    || choices
                        .iter()
                        .any(|c| c.probability.is_nan() || c.probability < 0.0)
                {
                    e.push(
                        format!("{sim}.choices.{name}"),
                        "probabilities must be ≥ 0 and sum to at most 1",
                    );
                }
                for (k, c) in choices.iter().enumerate() {
                    next(e, format!("{at}.Choices[{k}].Next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.Default"), &Some(default.clone()));
            }
            State::Wait { seconds, next: n } => {
                e.range(format!("{at}.Seconds"), *seconds, 0.0, 31_536_000.0, " s");
                next(e, format!("{at}.Next"), n);
            }
            State::Parallel {
                branches,
                catch,
                next: n,
            } => {
                if branches.is_empty() || branches.len() > 100 {
                    e.push(
                        format!("{at}.Branches"),
                        "a Parallel state needs 1 to 100 branches",
                    );
                }
                for (k, b) in branches.iter().enumerate() {
                    definition(
                        e,
                        ix,
                        node,
                        (&format!("{at}.Branches[{k}]"), sim),
                        b,
                        depth + 1,
                    );
                }
                for (k, c) in catch.iter().enumerate() {
                    next(e, format!("{at}.Catch[{k}].Next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.Next"), n);
            }
            State::Map {
                items,
                max_concurrency,
                iterator,
                catch,
                next: n,
            } => {
                e.count(format!("{sim}.map_items.{name}"), *items, 0, 100_000);
                e.count(format!("{at}.MaxConcurrency"), *max_concurrency, 0, 10_000);
                definition(
                    e,
                    ix,
                    node,
                    (&format!("{at}.ItemProcessor"), sim),
                    iterator,
                    depth + 1,
                );
                for (k, c) in catch.iter().enumerate() {
                    next(e, format!("{at}.Catch[{k}].Next"), &Some(c.next.clone()));
                }
                next(e, format!("{at}.Next"), n);
            }
            State::Succeed | State::Fail { .. } => {}
        }
    }
    if let Some(cycle) = zero_time_loop(d) {
        e.push(
            format!("{path}.States.{}", cycle[0]),
            format!(
                "states {} loop without taking any time (only Choice and 0-second Wait states): an execution would never end",
                cycle.join(" → ")
            ),
        );
    }
}

/// Settings that name no state of the right type, Choice probabilities that do not match
/// their rules, negative or endless times.
fn simulation_settings(e: &mut Errors, sim: &str, m: &StateMachineParams) {
    let kinds: BTreeMap<String, String> =
        super::asl::state_types(&m.definition).into_iter().collect();
    let must_be = |e: &mut Errors, field: &str, name: &str, want: &[&str]| match kinds.get(name) {
        Some(k) if want.contains(&k.as_str()) => true,
        Some(k) => {
            e.push(
                format!("{sim}.{field}.{name}"),
                format!("`{name}` is a {k} state, not a {}", want.join(" or ")),
            );
            false
        }
        None => {
            e.push(
                format!("{sim}.{field}.{name}"),
                format!("no state named \"{name}\""),
            );
            false
        }
    };
    for name in m.simulation.tasks.keys() {
        must_be(e, "tasks", name, &["Task"]);
    }
    for name in m.simulation.map_items.keys() {
        must_be(e, "map_items", name, &["Map"]);
    }
    for (name, seconds) in &m.simulation.seconds {
        if must_be(e, "seconds", name, &["Task", "Wait"]) {
            e.range(
                format!("{sim}.seconds.{name}"),
                *seconds,
                0.0,
                31_536_000.0,
                " s",
            );
        }
    }
    for (name, p) in &m.simulation.choices {
        if !must_be(e, "choices", name, &["Choice"]) {
            continue;
        }
        let rules = asl_rules(&m.definition, name);
        if p.len() != rules {
            e.push(
                format!("{sim}.choices.{name}"),
                format!(
                    "{} probabilities for {rules} rules: one per rule, in order",
                    p.len()
                ),
            );
        }
    }
}

/// How many rules the Choice state `name` has.
fn asl_rules(asl: &serde_json::Value, name: &str) -> usize {
    crate::scenario::asl::find_state(asl, name)
        .and_then(|s| s.get("Choices"))
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len)
}

/// Boxes and notes: how many, how long their text, where and how big.
fn annotations(e: &mut Errors, s: &Scenario) {
    if s.annotations.len() > MAX_ANNOTATIONS {
        e.push(
            "annotations",
            format!(
                "{} boxes and notes: at most {MAX_ANNOTATIONS}",
                s.annotations.len()
            ),
        );
        return;
    }
    for (i, a) in s.annotations.iter().enumerate() {
        let at = format!("annotations[{i}]");
        let chars = a.text.chars().count();
        if chars > MAX_ANNOTATION_CHARS {
            e.push(
                format!("{at}.text"),
                format!("{chars} characters: at most {MAX_ANNOTATION_CHARS}"),
            );
        }
        for (field, v) in [("x", a.x), ("y", a.y)] {
            if !v.is_finite() || v.abs() > 10_000_000.0 {
                e.push(
                    format!("{at}.{field}"),
                    "a position between −10,000,000 and 10,000,000",
                );
            }
        }
        for (field, v) in [("w", a.w), ("h", a.h)] {
            e.range(
                format!("{at}.{field}"),
                v,
                MIN_ANNOTATION_SIDE,
                MAX_ANNOTATION_SIDE,
                "",
            );
        }
    }
}

/// A cycle of states that take no simulated time (Choice, `wait` of 0 s), if any: such a
/// loop would spin forever at one instant, so it is refused before the run.
fn zero_time_loop(d: &Definition) -> Option<Vec<String>> {
    let names: Vec<&String> = d.states.keys().collect();
    let positions: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let index = |name: &str| positions.get(name).copied();
    // Successors through zero-time states only.
    let succ: Vec<Vec<usize>> = names
        .iter()
        .map(|name| match &d.states[*name] {
            State::Choice { choices, default } => choices
                .iter()
                .map(|c| c.next.as_str())
                .chain([default.as_str()])
                .filter_map(index)
                .collect(),
            State::Wait {
                seconds,
                next: Some(n),
            } if *seconds <= 0.0 => index(n).into_iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut state = vec![0u8; names.len()];
    for root in 0..names.len() {
        if state[root] != 0 {
            continue;
        }
        let mut path = vec![root];
        let mut stack = vec![(root, succ[root].clone())];
        state[root] = 1;
        while let Some((v, next)) = stack.last_mut() {
            let Some(w) = next.pop() else {
                state[*v] = 2;
                stack.pop();
                path.pop();
                continue;
            };
            match state[w] {
                1 => {
                    let from = path.iter().position(|&x| x == w).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[from..].iter().map(|&x| names[x].clone()).collect();
                    cycle.push(names[w].clone());
                    return Some(cycle);
                }
                0 => {
                    state[w] = 1;
                    path.push(w);
                    stack.push((w, succ[w].clone()));
                }
                _ => {}
            }
        }
    }
    None
}

fn alarms(e: &mut Errors, s: &Scenario) {
    for (i, a) in s.alarms.iter().enumerate() {
        let p = format!("alarms[{i}]");
        e.bounded(&p, a);
        if a.name.trim().is_empty() || a.name.chars().count() > 100 {
            e.push(
                format!("{p}.name"),
                "an alarm needs a name of 1 to 100 characters",
            );
        }
        if a.datapoints > a.evaluation_periods {
            e.push(
                format!("{p}.datapoints"),
                format!(
                    "{} datapoints cannot breach out of {} evaluation periods",
                    a.datapoints, a.evaluation_periods
                ),
            );
        }
    }
}

fn faults(e: &mut Errors, s: &Scenario, ix: &Index<'_>) {
    for (i, f) in s.faults.iter().enumerate() {
        fault(e, &format!("faults[{i}]"), f, s, ix);
    }
}

/// One fault's rules (a scheduled fault's, or a talk beat's).
fn fault(e: &mut Errors, at: &str, f: &Fault, s: &Scenario, ix: &Index<'_>) {
    let p = |field: &str| format!("{at}.{field}");
    e.range(p("at_s"), f.at_s, 0.0, MAX_DURATION_S, " s");
    e.positive(p("duration_s"), f.duration_s, MAX_DURATION_S, " s");
    let Some(node) = ix.node(&f.node).map(|k| &s.nodes[k]) else {
        return;
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

/// A talk's script: sizes, captions, seconds within the run, and what each beat changes
/// (a load on a client, a fault a node takes; a parameter is set on a copy and the copy
/// validated, once the scenario itself is valid).
fn talk(e: &mut Errors, s: &Scenario, ix: &Index<'_>) {
    let Some(t) = &s.talk else {
        return;
    };
    if t.beats.len() > MAX_BEATS {
        e.push(
            "talk.beats",
            format!("{} beats: a script has at most {MAX_BEATS}", t.beats.len()),
        );
        return;
    }
    if t.kpis.len() > 3 {
        e.push(
            "talk.kpis",
            format!("{} figures: talk mode shows at most 3", t.kpis.len()),
        );
    }
    if let Some(speed) = t.speed {
        e.positive(
            "talk.speed".into(),
            speed,
            MAX_TALK_SPEED,
            " simulated s per s",
        );
    }
    for (k, kpi) in t.kpis.iter().enumerate() {
        if t.kpis[..k].contains(kpi) {
            e.push(
                format!("talk.kpis[{k}]"),
                format!("{} is listed twice", kpi.label()),
            );
        }
    }
    let mut last_at = 0.0;
    for (i, beat) in t.beats.iter().enumerate() {
        let p = |field: &str| format!("talk.beats[{i}].{field}");
        // Beats come in order: a timed beat before an earlier one could never come.
        if let Some(at) = beat.at_s.filter(|a| a.is_finite()) {
            if at < last_at {
                e.push(
                    p("at_s"),
                    format!("{at} s comes before an earlier beat's {last_at} s: timed beats go in time order"),
                );
            }
            last_at = last_at.max(at);
        }
        if beat.caption.trim().is_empty() {
            e.push(p("caption"), "a beat needs a caption");
        }
        text_rules(e, &p("caption"), &beat.caption, MAX_CAPTION_CHARS);
        if let Some(at) = beat.at_s {
            e.range(p("at_s"), at, 0.0, s.duration_s, " s (within the run)");
        }
        match &beat.action {
            BeatAction::Caption | BeatAction::Play | BeatAction::Pause => {}
            BeatAction::Jump { to_s } => {
                e.range(
                    p("action.jump.to_s"),
                    *to_s,
                    0.0,
                    s.duration_s,
                    " s (within the run)",
                );
            }
            BeatAction::Load {
                node,
                rate_per_s,
                ramp_s,
            } => {
                e.range(
                    p("action.load.rate_per_s"),
                    *rate_per_s,
                    0.0,
                    MAX_RATE_PER_S,
                    " req/s",
                );
                e.range(p("action.load.ramp_s"), *ramp_s, 0.0, MAX_DURATION_S, " s");
                if let Some(k) = ix.node(node)
                    && !matches!(s.nodes[k].kind, NodeKind::Client(_))
                {
                    e.push(
                        p("action.load.node"),
                        format!("{} is not a client: only clients have load", quoted(node)),
                    );
                }
            }
            BeatAction::Fault(f) => fault(e, &p("action.fault"), f, s, ix),
            BeatAction::Set {
                node, edge, param, ..
            } => {
                if param.is_empty() || param.len() > 200 {
                    e.push(
                        p("action.set.param"),
                        "a parameter path of 1 to 200 characters",
                    );
                }
                if let Some(ends) = edge {
                    if node.is_some() {
                        e.push(p("action.set"), super::talk::BOTH_TARGETS);
                    } else if matches!(param.split('.').next(), Some("from" | "to")) {
                        e.push(p("action.set.param"), super::talk::EDGE_ENDS_FIXED);
                    } else if let (Some(from), Some(to)) = (ix.node(&ends.from), ix.node(&ends.to))
                        && ix.edge_between(from, to).is_none()
                    {
                        e.push(p("action.set.edge"), super::talk::no_edge(ends));
                    }
                }
            }
            BeatAction::Variant { preset } => {
                if preset.trim().is_empty() {
                    e.push(p("action.variant.preset"), "names no variant");
                }
                text_rules(e, &p("action.variant.preset"), preset, MAX_ID_CHARS);
            }
        }
    }
}

/// The script played in order on the scenario without it: each change (a load, a fault,
/// a parameter) applies to the scenario the beats before it left, as talk mode does, and
/// must give a valid scenario. Checked only once the scenario itself is valid (or its own
/// problems would be repeated for every beat); a variant switches to a design the core
/// does not know, so the beats after one are checked by the page's tests.
fn talk_settings(e: &mut Errors, s: &Scenario) {
    let Some(t) = &s.talk else {
        return;
    };
    let mut current = s.without_talk();
    let mut now = 0.0;
    for (i, beat) in t.beats.iter().enumerate() {
        now = beat.at_s.unwrap_or(now);
        match &beat.action {
            BeatAction::Variant { .. } => return,
            BeatAction::Jump { to_s } => now = *to_s,
            BeatAction::Load { .. } | BeatAction::Fault(_) | BeatAction::Set { .. } => {
                match beat.apply(&current, now) {
                    Ok(BeatEffect::Changed(next)) => current = *next,
                    Ok(_) => {}
                    Err(reason) => {
                        let what = match &beat.action {
                            BeatAction::Load { .. } => "load",
                            BeatAction::Fault(_) => "fault",
                            _ => "set",
                        };
                        e.push(format!("talk.beats[{i}].action.{what}"), reason);
                        return;
                    }
                }
            }
            BeatAction::Caption | BeatAction::Play | BeatAction::Pause => {}
        }
    }
}

/// Synchronous Lambda → Lambda calls must not form a cycle: each invocation would wait
/// for another of the same chain until every slot is taken. (Asynchronous loops are
/// allowed: Lambda's recursive loop detection stops them, as on AWS.)
fn sync_cycles(e: &mut Errors, s: &Scenario, ix: &Index<'_>) {
    let n = s.nodes.len();
    let is_lambda = |v: usize| matches!(s.nodes[v].kind, NodeKind::Lambda(_));
    // The functions a function waits for.
    let waits_for = |v: usize| {
        ix.outgoing[v].iter().filter_map(move |&k| {
            let w = ix.ends[k].1?;
            let sync = s.edges[k].invocation_for("lambda", "lambda") == Some(Invocation::Sync);
            (is_lambda(w) && sync).then_some(w)
        })
    };
    // Iterative depth-first search: 0 = unvisited, 1 = on the path, 2 = done.
    let mut state = vec![0u8; n];
    for root in (0..n).filter(|&v| is_lambda(v)) {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> = vec![(root, waits_for(root).collect())];
        state[root] = 1;
        while let Some((v, next)) = stack.last_mut() {
            let Some(w) = next.pop() else {
                state[*v] = 2;
                stack.pop();
                continue;
            };
            match state[w] {
                1 => {
                    e.push(
                        format!("nodes[{w}]"),
                        format!(
                            "functions call each other synchronously in a cycle (through {})",
                            quoted(&s.nodes[w].id)
                        ),
                    );
                    return;
                }
                0 => {
                    state[w] = 1;
                    let successors = waits_for(w).collect();
                    stack.push((w, successors));
                }
                _ => {}
            }
        }
    }
}

/// How many branches one execution of `d` may run at once: a Parallel runs all its
/// branches, a Map up to its concurrency (inline Map 40), nested ones multiply.
pub(crate) fn max_branches(d: &Definition) -> f64 {
    d.states
        .values()
        .map(|st| match st {
            State::Parallel { branches, .. } => branches.iter().map(max_branches).sum(),
            State::Map {
                items,
                max_concurrency,
                iterator,
                ..
            } => {
                let at_once = match *max_concurrency {
                    0 => (*items).min(40),
                    c => (*items).min(c),
                };
                f64::from(at_once.max(1)) * max_branches(iterator)
            }
            _ => 1.0,
        })
        .fold(1.0, f64::max)
}
