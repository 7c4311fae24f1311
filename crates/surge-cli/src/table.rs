//! The human-readable summary `surge run` prints (without `--json`).
//!
//! Why its own file: the table is presentation only; every figure comes from the
//! [`Report`], and every name from the scenario goes through [`printable`] because a
//! scenario may come from anyone.

use surge_core::Report;

use crate::input::printable;

/// The human-readable summary.
pub(crate) fn table(r: &Report) -> String {
    let mut out = format!(
        "simulated {:.1} s, seed {}, {} events{}\n\n",
        r.time_s,
        r.seed,
        r.events,
        if r.finished { "" } else { " (stopped early)" }
    );
    out += &format!(
        "{:<18} {:<11} {:>9} {:>9} {:>8} {:>8} {:>9} {:>6} {:>7} {:>9}\n",
        "node",
        "kind",
        "arrivals",
        "ok",
        "errors",
        "throttl",
        "mean conc",
        "peak",
        "limit",
        "p99 ms"
    );
    for n in r.nodes.iter().filter(|n| n.kind != "client") {
        let throttles =
            n.errors.throttled + n.errors.concurrency_throttled + n.errors.service_throttled;
        out += &format!(
            "{:<18} {:<11} {:>9} {:>9} {:>8} {:>8} {:>9.2} {:>6} {:>7} {:>9.1}\n",
            printable(&n.name),
            n.kind,
            n.arrivals,
            n.ok,
            n.errors.total(),
            throttles,
            n.mean_in_node,
            n.peak_in_node,
            n.limit.map_or_else(|| "-".to_owned(), |l| l.to_string()),
            n.p99_ms
        );
    }
    for q in r.nodes.iter().filter(|n| n.kind == "sqs") {
        let oldest = q.series.iter().map(|s| s.oldest_age_s).fold(0.0, f64::max);
        out += &format!(
            "{:<18} queue: peak depth {}, oldest message {:.1} s, mean wait {:.1} ms, {} of {} waited\n",
            printable(&q.name),
            q.peak_queue,
            oldest,
            q.mean_wait_ms,
            q.waited,
            q.received
        );
    }
    let m = r.messages;
    if m.sent > 0 {
        out += &format!(
            "messages sent {}  consumed {}  dead-lettered {}  expired {}  queued {}  in flight {}  duplicates {}  ledger {}\n",
            m.sent,
            m.consumed,
            m.dead_lettered,
            m.expired,
            m.queued,
            m.in_flight,
            m.duplicates,
            if m.balances() {
                "balanced"
            } else {
                "UNBALANCED"
            }
        );
    }
    let l = r.ledger;
    let failed = l.failed.total();
    out += &format!(
        "\nrequests {}  succeeded {}  failed {} ({:.2}%)  timed out {}  in flight {}  retries {}  ledger {}\n",
        l.arrived,
        l.succeeded,
        failed,
        if l.arrived == 0 {
            0.0
        } else {
            100.0 * failed as f64 / l.arrived as f64
        },
        l.timed_out,
        l.in_flight,
        l.retries,
        if l.balances() {
            "balanced"
        } else {
            "UNBALANCED"
        }
    );
    out += &format!(
        "goodput {:.1}/s  throughput {:.1}/s  p50 {:.1} ms  p99 {:.1} ms  cost ${:.4} (${:.2} per M requests; retries ${:.4}, wasted ${:.4})\n",
        r.goodput_per_s,
        r.throughput_per_s,
        r.p50_ms,
        r.p99_ms,
        r.cost.total_usd,
        r.cost.per_million_requests_usd,
        r.cost.retries_usd,
        r.cost.wasted_usd
    );
    if let Some(stop) = &r.stopped {
        out += &format!("\n{}\n", printable(&stop.message));
    }
    for n in &r.notes {
        out += &format!(
            "note: {} at t={:.1} s: {}{}\n",
            printable(&n.node),
            n.at_s,
            printable(&n.message),
            if n.count > 1 {
                format!(" ({} times)", n.count)
            } else {
                String::new()
            }
        );
    }
    // Alarms and circuit breakers: each change of state, in time order.
    let mut moments: Vec<(f64, String)> = Vec::new();
    for a in &r.alarms {
        for t in &a.transitions {
            let word = match t.state {
                surge_core::AlarmState::Alarm => "ALARM",
                surge_core::AlarmState::Ok => "OK",
            };
            moments.push((
                t.at_s,
                format!(
                    "{word} at t={:.0} s: {} on {} (datapoint {:.2})",
                    t.at_s,
                    printable(&a.name),
                    printable(&a.node),
                    t.value
                ),
            ));
        }
    }
    for e in &r.edges {
        let Some(b) = &e.breaker else { continue };
        out += &format!(
            "circuit {} → {}: opened {} times, {} calls failed fast, {} now\n",
            printable(&e.from),
            printable(&e.to),
            b.opened,
            b.fast_failed,
            match b.state {
                surge_core::BreakerState::Closed => "closed",
                surge_core::BreakerState::HalfOpen => "half-open",
                surge_core::BreakerState::Open => "open",
            }
        );
    }
    for n in &r.nodes {
        if let Some(q) = &n.retry_budget {
            out += &format!(
                "retry quota of {}: {} tokens left (lowest {}), {} retries refused{}\n",
                printable(&n.id),
                q.tokens_left,
                q.lowest_tokens,
                q.retries_refused,
                q.limiter_rate_per_s.map_or(String::new(), |rate| format!(
                    "; send-rate limiter at {rate:.1}/s held {} attempts {:.0} ms on average",
                    q.limiter_delayed, q.limiter_mean_delay_ms
                ))
            );
        }
    }
    for n in &r.nodes {
        if let Some(a) = &n.async_result {
            let how = match a.pattern {
                surge_core::AsyncPattern::Poll => {
                    format!("{} status requests ({} failed)", a.polls, a.poll_errors)
                }
                surge_core::AsyncPattern::Callback => "called back".to_owned(),
                surge_core::AsyncPattern::Websocket => format!(
                    "{} WebSocket connections ({} refused), {} messages, {} connection-minutes, ${:.4}",
                    a.connections,
                    a.connections_refused,
                    a.messages,
                    a.connection_minutes,
                    a.websocket_usd
                ),
            };
            out += &format!(
                "results of {}: {} submitted, {} delivered (p50 {:.1} s, p99 {:.1} s), {} given up; {how}\n",
                printable(&n.id),
                a.submitted,
                a.completed,
                a.p50_ms / 1000.0,
                a.p99_ms / 1000.0,
                a.gave_up,
            );
        }
    }
    moments.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, line) in moments {
        out += &line;
        out.push('\n');
    }
    let findings = surge_core::findings(r);
    if !findings.is_empty() {
        out += "\nfindings:\n";
        for f in findings {
            out += &format!("- {}\n", printable(&f.text));
            if let Some(remedy) = f.remedy {
                out += &format!("  remedy: {remedy}\n");
            }
        }
    }
    out
}
