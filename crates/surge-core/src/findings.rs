//! Findings: what a finished run shows, in plain words, for any scenario.
//!
//! Why rules over the report and nothing else: a finding must never claim what the run did
//! not show, and it must read the same wherever the report is read (the page, the CLI, a
//! test). Each rule is a row of [`RULES`]: which node kinds it looks at, the figures it
//! reads, the threshold past which it speaks, and the standard remedy it names. A rule
//! that finds nothing says nothing, so a healthy run has no findings at all.

use serde::{Deserialize, Serialize};

use crate::report::{AlarmState, NodeReport, NodeSecond, Report};

/// One thing the run showed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that found it (stable: tests and the page key on it).
    pub rule: String,
    /// The node it is about, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The simulated second it starts, if it has a moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// What happened, in words, with the report's figures.
    pub text: String,
    /// The standard remedy, where the rule knows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
}

/// What a rule looks at.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Every node of these kinds, one finding each at most.
    Nodes(&'static [&'static str]),
    /// The run as a whole.
    Run,
}

/// A rule: where it looks, how it detects, what it recommends.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Its stable id.
    pub id: &'static str,
    /// What it looks at.
    pub scope: Scope,
    /// The remedy it names when it fires ("" for none).
    pub remedy: &'static str,
    /// Detection over a node (for `Scope::Nodes`) or the run: (text, moment).
    detect: Detect,
}

/// What a node rule found: the text and its moment.
type Found = Option<(String, Option<f64>)>;
/// What a run rule found: the text, its node and its moment.
type RunFound = (String, Option<String>, Option<f64>);

#[derive(Clone, Copy)]
enum Detect {
    Node(fn(&Report, &NodeReport) -> Found),
    Run(fn(&Report) -> Vec<RunFound>),
}

impl std::fmt::Debug for Detect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Detect::Node(_) => "node rule",
            Detect::Run(_) => "run rule",
        })
    }
}

/// Every rule, in the order findings are listed.
pub const RULES: &[Rule] = &[
    Rule {
        id: "run_stopped",
        scope: Scope::Run,
        remedy: "",
        detect: Detect::Run(run_stopped),
    },
    Rule {
        id: "concurrency_throttled",
        scope: Scope::Nodes(&["lambda"]),
        remedy: "reserved concurrency for it, a higher account limit, or a queue in front \
                 (which absorbs the burst) would stop the throttles",
        detect: Detect::Node(concurrency_throttled),
    },
    Rule {
        id: "function_timeouts",
        scope: Scope::Nodes(&["lambda"]),
        remedy: "a longer timeout, smaller batches, or Step Functions for long work \
                 (lessons 14 and 15)",
        detect: Detect::Node(function_timeouts),
    },
    Rule {
        id: "reprocessed_records",
        scope: Scope::Nodes(&["lambda"]),
        remedy: "smaller runs (max_records), or several scheduled functions each taking a \
                 slice (lesson 14)",
        detect: Detect::Node(reprocessed_records),
    },
    Rule {
        id: "integration_timeout",
        scope: Scope::Nodes(&["api_gateway"]),
        remedy: "submit and answer at once, then let the client poll or receive the result \
                 (lesson 10's async patterns)",
        detect: Detect::Node(integration_timeout),
    },
    Rule {
        id: "connections_refused",
        scope: Scope::Nodes(&["rds"]),
        remedy: "RDS Proxy pools and shares connections, so thousands of environments need \
                 only a few (lesson 7)",
        detect: Detect::Node(connections_refused),
    },
    Rule {
        id: "borrow_timeouts",
        scope: Scope::Nodes(&["rds_proxy"]),
        remedy: "a larger max_connections_percent, fewer pinned sessions, or a bigger \
                 database instance (lesson 7)",
        detect: Detect::Node(borrow_timeouts),
    },
    Rule {
        id: "queue_backlog",
        scope: Scope::Nodes(&["sqs"]),
        remedy: "more consumer concurrency or larger batches drain it faster; a TTL, newest \
                 first or a low-priority queue stop stale messages delaying fresh ones \
                 (lesson 16)",
        detect: Detect::Node(queue_backlog),
    },
    Rule {
        id: "iterator_age",
        scope: Scope::Nodes(&["kinesis"]),
        remedy: "more shards, a higher parallelization factor, or bisecting failed batches \
                 (lesson 18)",
        detect: Detect::Node(iterator_age),
    },
    Rule {
        id: "service_throttled",
        scope: Scope::Nodes(&["service", "dynamodb"]),
        remedy: "a queue with a controlled consumer rate, or caching, keeps calls under the \
                 service's rate (lessons 8 and 9)",
        detect: Detect::Node(service_throttled),
    },
    Rule {
        id: "cold_starts",
        scope: Scope::Nodes(&["lambda"]),
        remedy: "provisioned concurrency keeps environments initialized (lesson 6)",
        detect: Detect::Node(cold_starts),
    },
    Rule {
        id: "failed_requests",
        scope: Scope::Run,
        remedy: "",
        detect: Detect::Run(failed_requests),
    },
    Rule {
        id: "client_timeouts",
        scope: Scope::Run,
        remedy: "",
        detect: Detect::Run(client_timeouts),
    },
    Rule {
        id: "retry_amplification",
        scope: Scope::Run,
        remedy: "the SDK's standard retry mode (a retry quota), backoff with jitter, or a \
                 circuit breaker bound the extra load (lesson 13)",
        detect: Detect::Run(retry_amplification),
    },
    Rule {
        id: "wasted_work",
        scope: Scope::Run,
        remedy: "server timeouts aligned with the client's, deadline propagation, or \
                 shedding load early stop work nobody waits for (lesson 12)",
        detect: Detect::Run(wasted_work),
    },
    Rule {
        id: "duplicate_deliveries",
        scope: Scope::Run,
        remedy: "ReportBatchItemFailures returns only the failed records of a batch \
                 (lesson 17); idempotent handlers make duplicates harmless",
        detect: Detect::Run(duplicate_deliveries),
    },
    Rule {
        id: "async_events_lost",
        scope: Scope::Run,
        remedy: "an on-failure destination keeps the failed events; a queue in front of the \
                 function retries at a rate its dependency can take (lesson 9)",
        detect: Detect::Run(async_events_lost),
    },
    Rule {
        id: "dead_letters",
        scope: Scope::Run,
        remedy: "",
        detect: Detect::Run(dead_letters),
    },
    Rule {
        id: "results_given_up",
        scope: Scope::Run,
        remedy: "",
        detect: Detect::Run(results_given_up),
    },
    Rule {
        id: "alarms",
        scope: Scope::Run,
        remedy: "",
        detect: Detect::Run(alarms),
    },
];

/// The findings of a run, rule by rule.
pub fn findings(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        let remedy = (!rule.remedy.is_empty()).then(|| rule.remedy.to_owned());
        match (rule.scope, rule.detect) {
            (Scope::Nodes(kinds), Detect::Node(detect)) => {
                for n in report
                    .nodes
                    .iter()
                    .filter(|n| kinds.contains(&n.kind.as_str()))
                {
                    if let Some((text, at_s)) = detect(report, n) {
                        out.push(Finding {
                            rule: rule.id.to_owned(),
                            node: Some(n.id.clone()),
                            at_s,
                            text,
                            remedy: remedy.clone(),
                        });
                    }
                }
            }
            (_, Detect::Run(detect)) => {
                for (text, node, at_s) in detect(report) {
                    out.push(Finding {
                        rule: rule.id.to_owned(),
                        node,
                        at_s,
                        text,
                        remedy: remedy.clone(),
                    });
                }
            }
            (Scope::Run, Detect::Node(_)) => {}
        }
    }
    out
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The moment of series sample `i`: the end of the seconds it covers, as the event log
/// and the player's frames count them (the state after second 46 is shown at t = 47 s).
fn moment(r: &Report, i: usize) -> f64 {
    (((i as u64 + 1) * r.series_step_s.max(1)) as f64).min(r.time_s)
}

/// The moment of the first series sample where `f` holds.
fn first_second(r: &Report, n: &NodeReport, f: impl Fn(&NodeSecond) -> bool) -> Option<f64> {
    n.series.iter().position(f).map(|i| moment(r, i))
}

fn duration(seconds: f64) -> String {
    if seconds >= 120.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{seconds:.0} s")
    }
}

fn concurrency_throttled(r: &Report, n: &NodeReport) -> Found {
    let throttled = n.errors.concurrency_throttled;
    if throttled < 10 || pct(throttled, n.arrivals) < 1.0 {
        return None;
    }
    let step = r.series_step_s.max(1);
    let first = first_second(r, n, |s| s.throttled > 0);
    let at_limit = n
        .limit
        .and_then(|l| first_second(r, n, |s| s.peak_in_node >= l && s.throttled > 0));
    let at = match (first, at_limit) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    // The share of invocations throttled from the first throttle on.
    let from = at
        .map_or(0, |t| (t as u64 / step) as usize)
        .saturating_sub(1);
    let (arrived, thr) = n.series[from.min(n.series.len())..]
        .iter()
        .fold((0, 0), |(a, t), s| (a + s.arrivals, t + s.throttled));
    let share = if arrived > 0 {
        pct(thr, arrived)
    } else {
        pct(throttled, n.arrivals)
    };
    let tail =
        format!("{share:.0} % of its invocations were throttled from then on ({throttled} in all)");
    let text = match (n.limit, at_limit, first) {
        (Some(limit), Some(t), Some(f)) if f < t => format!(
            "{} was throttled while scaling up from t = {f:.0} s, then hit its concurrency limit of {limit} at t = {t:.0} s; {tail}.",
            n.name
        ),
        (Some(limit), Some(t), _) => format!(
            "{} hit its concurrency limit of {limit} at t = {t:.0} s; {tail}.",
            n.name
        ),
        (Some(limit), None, Some(f)) => format!(
            "{} was throttled from t = {f:.0} s below its own limit (it peaked at {} of {limit}): new environments come at a limited rate, and functions without reserved concurrency share the account's pool; {tail}.",
            n.name, n.peak_in_node
        ),
        _ => format!("{} was throttled; {tail}.", n.name),
    };
    Some((text, at))
}

/// A node's failures of one kind, from the first second with errors: none if there were
/// none; otherwise the text `say(count, share %)` gives.
fn failures(r: &Report, n: &NodeReport, count: u64, say: impl FnOnce(u64, f64) -> String) -> Found {
    (count > 0).then(|| {
        let at = first_second(r, n, |s| s.errors > 0);
        (say(count, pct(count, n.arrivals)), at)
    })
}

/// The sample where a queue's oldest message (or a stream's oldest record) was oldest, if
/// that reached a minute: (its index, the age).
fn oldest_peak(n: &NodeReport) -> Option<(usize, f64)> {
    n.series
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.oldest_age_s))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|&(_, age)| age >= 60.0)
}

fn function_timeouts(r: &Report, n: &NodeReport) -> Found {
    failures(r, n, n.errors.function_timeout, |t, share| {
        format!(
            "{t} invocations of {} ({share:.0} %) ran into the function's timeout and were stopped.",
            n.name
        )
    })
}

fn borrow_timeouts(r: &Report, n: &NodeReport) -> Found {
    failures(r, n, n.errors.borrow_timeout, |t, share| {
        format!(
            "{} could not lend a database connection within its borrow timeout to {t} calls ({share:.0} %): its pool was saturated.",
            n.name
        )
    })
}

fn integration_timeout(r: &Report, n: &NodeReport) -> Found {
    failures(r, n, n.errors.integration_timeout, |t, share| {
        format!(
            "{} gave up on {t} requests ({share:.0} %) at its integration timeout and answered 504; the backend kept working on them.",
            n.name
        )
    })
}

fn connections_refused(r: &Report, n: &NodeReport) -> Found {
    let refused = n.errors.connection_refused;
    if refused == 0 {
        return None;
    }
    let at = first_second(r, n, |s| s.errors > 0);
    let limit = n
        .limit
        .map_or(String::new(), |l| format!(" (max_connections {l})"));
    Some((
        format!(
            "{} refused {refused} new connections: every one it allows{limit} was in use, at a peak of {} connections.",
            n.name, n.peak_connections
        ),
        at,
    ))
}

fn queue_backlog(r: &Report, n: &NodeReport) -> Found {
    // A queue nothing consumes (a dead-letter queue, a sink) holds messages by design.
    if n.received == 0 {
        return None;
    }
    let (peak_at, peak) = oldest_peak(n)?;
    let step = r.series_step_s.max(1);
    // Rates while the backlog built: from the first waiting message to the oldest peak.
    let from = n
        .series
        .iter()
        .position(|s| s.mean_queue >= 1.0)
        .unwrap_or(0);
    let window = &n.series[from.min(peak_at)..=peak_at];
    let secs = (window.len() as u64 * step) as f64;
    let arrived: u64 = window.iter().map(|s| s.arrivals).sum();
    let received: u64 = window.iter().map(|s| s.received).sum();
    let at = moment(r, peak_at);
    Some((
        format!(
            "{}'s oldest message reached {} at t = {at:.0} s: {:.0}/s arrived while consumers took {:.0}/s, and {} waited at the peak.",
            n.name,
            duration(peak),
            arrived as f64 / secs,
            received as f64 / secs,
            n.peak_queue
        ),
        Some(at),
    ))
}

fn iterator_age(r: &Report, n: &NodeReport) -> Found {
    let (peak_at, peak) = oldest_peak(n)?;
    let at = moment(r, peak_at);
    Some((
        format!(
            "{}'s iterator age reached {} at t = {at:.0} s: its consumers fell behind the records written.",
            n.name,
            duration(peak)
        ),
        Some(at),
    ))
}

fn service_throttled(r: &Report, n: &NodeReport) -> Found {
    let throttled = n.errors.service_throttled + n.errors.throttled;
    if throttled < 10 || pct(throttled, n.arrivals) < 1.0 {
        return None;
    }
    let at = first_second(r, n, |s| s.throttled > 0);
    Some((
        format!(
            "{} throttled {throttled} calls ({:.0} %) after its callers' SDK retries ran out.",
            n.name,
            pct(throttled, n.arrivals)
        ),
        at,
    ))
}

/// Seconds at the start of a run when every environment is new anyway.
const WARM_UP_S: u64 = 10;

fn cold_starts(r: &Report, n: &NodeReport) -> Found {
    // The second with the most cold starts after the warm-up: a surge makes them a mode,
    // not a rarity.
    let skip = WARM_UP_S.div_ceil(r.series_step_s.max(1)) as usize;
    let (i, worst) = n
        .series
        .iter()
        .enumerate()
        .skip(skip)
        .max_by_key(|(i, s)| (s.cold_starts, std::cmp::Reverse(*i)))?;
    let share = pct(worst.cold_starts, worst.arrivals);
    if worst.cold_starts < 50 || share < 10.0 {
        return None;
    }
    let at = moment(r, i);
    Some((
        format!(
            "At t = {at:.0} s, {share:.0} % of {}'s invocations started cold ({} that second, {} in the run), each waiting for a new environment's initialization.",
            n.name, worst.cold_starts, n.cold_starts
        ),
        Some(at),
    ))
}

fn run_stopped(r: &Report) -> Vec<RunFound> {
    r.stopped
        .iter()
        .map(|s| {
            (
                format!("The run stopped at t = {:.0} s: {}", s.at_s, s.message),
                None,
                Some(s.at_s),
            )
        })
        .collect()
}

fn failed_requests(r: &Report) -> Vec<RunFound> {
    let l = &r.ledger;
    let failed = l.failed.total();
    if failed == 0 || pct(failed, l.arrived) < 1.0 {
        return Vec::new();
    }
    let top = crate::report::ErrorKind::ALL
        .iter()
        .map(|&k| (k, l.failed.get(k)))
        .max_by_key(|&(_, n)| n)
        .filter(|&(_, n)| n > 0);
    let most = top.map_or(String::new(), |(k, n)| {
        let name = serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        format!(
            "; the most common error was {} ({n})",
            name.replace('_', " ")
        )
    });
    vec![(
        format!(
            "{failed} requests ({:.0} %) failed{most}.",
            pct(failed, l.arrived)
        ),
        None,
        None,
    )]
}

fn client_timeouts(r: &Report) -> Vec<RunFound> {
    let l = &r.ledger;
    let t = l.timed_out;
    if t == 0 || pct(t, l.arrived) < 1.0 {
        return Vec::new();
    }
    vec![(
        format!(
            "{t} requests ({:.0} %) timed out at their client: the answer came too late or never.",
            pct(t, l.arrived)
        ),
        None,
        None,
    )]
}

fn retry_amplification(r: &Report) -> Vec<RunFound> {
    let l = &r.ledger;
    if l.arrived == 0 || pct(l.retries, l.arrived) < 30.0 {
        return Vec::new();
    }
    let load = (l.arrived + l.retries) as f64 / l.arrived as f64;
    vec![(
        format!(
            "Retries added {} attempts to {} requests: {load:.1}× the offered load.",
            l.retries, l.arrived
        ),
        None,
        None,
    )]
}

fn wasted_work(r: &Report) -> Vec<RunFound> {
    let c = &r.cost;
    if c.wasted_usd <= 0.0 || c.wasted_usd < 0.2 * c.total_usd {
        return Vec::new();
    }
    vec![(
        format!(
            "{:.0} % of the cost (${:.2} of ${:.2}) went to work whose caller had already given up.",
            100.0 * c.wasted_usd / c.total_usd,
            c.wasted_usd,
            c.total_usd
        ),
        None,
        None,
    )]
}

fn reprocessed_records(_: &Report, n: &NodeReport) -> Found {
    let again = n.reprocessed_records;
    if again == 0 {
        return None;
    }
    Some((
        format!(
            "{} handled {again} records again after runs that did not finish: each one is a duplicate downstream.",
            n.name
        ),
        None,
    ))
}

fn duplicate_deliveries(r: &Report) -> Vec<RunFound> {
    let m = &r.messages;
    if m.duplicates == 0 || pct(m.duplicates, m.sent) < 1.0 {
        return Vec::new();
    }
    vec![(
        format!(
            "{} messages were processed more than once ({:.0} % of those sent): a message comes back when its batch fails or its visibility timeout ends before it is deleted.",
            m.duplicates,
            pct(m.duplicates, m.sent)
        ),
        None,
        None,
    )]
}

fn dead_letters(r: &Report) -> Vec<RunFound> {
    let d = r.messages.dead_lettered;
    if d == 0 {
        return Vec::new();
    }
    vec![(
        format!("{d} messages went to a dead-letter queue after their last allowed receive."),
        None,
        None,
    )]
}

fn async_events_lost(r: &Report) -> Vec<RunFound> {
    let a = r.async_events;
    let lost = a.dropped + a.expired;
    if lost == 0 {
        return Vec::new();
    }
    vec![(
        format!(
            "{lost} asynchronous events ({:.0} % of {}) were dropped after Lambda's retries ran out or they grew too old: their work is lost.",
            pct(lost, a.accepted),
            a.accepted
        ),
        None,
        None,
    )]
}

fn results_given_up(r: &Report) -> Vec<RunFound> {
    r.nodes
        .iter()
        .filter_map(|n| {
            let a = n.async_result?;
            (a.gave_up > 0).then(|| {
                (
                    format!(
                        "{} gave up waiting for {} results ({:.0} % of its submits).",
                        n.name,
                        a.gave_up,
                        pct(a.gave_up, a.submitted)
                    ),
                    Some(n.id.clone()),
                    None,
                )
            })
        })
        .collect()
}

fn alarms(r: &Report) -> Vec<RunFound> {
    r.alarms
        .iter()
        .filter_map(|a| {
            let first = a
                .transitions
                .iter()
                .find(|t| t.state == AlarmState::Alarm)?;
            Some((
                format!(
                    "Alarm \"{}\" went off at t = {:.0} s ({} s in alarm in all).",
                    a.name, first.at_s, a.alarm_s
                ),
                Some(a.node.clone()),
                Some(first.at_s),
            ))
        })
        .collect()
}
