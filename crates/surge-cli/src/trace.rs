//! `surge trace`: one request's calls hop by hop, as a text waterfall.
//!
//! Why text: a trace is read top to bottom, each call indented under its caller, with its
//! start and duration and a bar on the request's time axis; that fits a terminal and a
//! bug report, and `--json` gives the same trace to other tools.

use surge_core::{Trace, TraceOutcome};

use crate::input::printable;

/// Bar width in characters.
const WIDTH: usize = 40;

/// Which trace to print.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pick {
    /// The request with this number.
    Request(u64),
    /// The slowest request.
    Slowest,
    /// The first failed or timed-out request.
    Failed,
}

/// The kept trace that `pick` names, if any.
pub(crate) fn pick(traces: &[Trace], pick: Pick) -> Option<&Trace> {
    match pick {
        Pick::Request(n) => traces.iter().find(|t| t.request == n),
        Pick::Slowest => traces
            .iter()
            .max_by(|a, b| (a.end_s - a.start_s).total_cmp(&(b.end_s - b.start_s))),
        Pick::Failed => traces.iter().find(|t| t.outcome != TraceOutcome::Ok),
    }
}

fn outcome(o: TraceOutcome) -> String {
    match o {
        TraceOutcome::Ok => "succeeded".into(),
        TraceOutcome::TimedOut => "timed out at the client".into(),
        TraceOutcome::Failed { error } => format!("failed: {}", words(&format!("{error:?}"))),
    }
}

/// `ConcurrencyThrottled` → "concurrency throttled".
fn words(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The waterfall of one trace.
pub(crate) fn waterfall(t: &Trace) -> String {
    let total = (t.end_s - t.start_s).max(1e-9);
    let mut out = format!(
        "request {} from {}: {:.1} ms, {} attempt{}, {} (t={:.3}–{:.3} s)\n",
        t.request,
        printable(&t.client),
        total * 1000.0,
        t.attempts,
        if t.attempts == 1 { "" } else { "s" },
        outcome(t.outcome),
        t.start_s,
        t.end_s
    );
    for (i, s) in t.spans.iter().enumerate() {
        let end = s.end_s.unwrap_or(t.end_s);
        let from = ((s.start_s - t.start_s) / total * WIDTH as f64) as usize;
        let to = (((end - t.start_s) / total * WIDTH as f64).ceil() as usize).max(from + 1);
        let fill = if s.end_s.is_none() { '~' } else { '█' };
        let bar: String = (0..WIDTH)
            .map(|k| {
                if k >= from && k < to.min(WIDTH) {
                    fill
                } else {
                    '·'
                }
            })
            .collect();
        let mut note = String::new();
        if s.cold_start_ms > 0.0 {
            note += &format!(" cold start {:.0} ms", s.cold_start_ms);
        }
        match (s.end_s, s.error) {
            (None, _) => note += " still running when the request ended (abandoned)",
            (Some(_), Some(e)) => note += &format!(" {}", words(&format!("{e:?}"))),
            (Some(_), None) => {}
        }
        out += &format!(
            "{bar} {:>9.1} ms +{:>9.1} ms {}{}{}{}\n",
            (end - s.start_s) * 1000.0,
            (s.start_s - t.start_s) * 1000.0,
            "  ".repeat(t.depth(i)),
            if s.parent.is_none() && t.attempts > 1 {
                format!("[attempt {}] ", s.attempt)
            } else {
                String::new()
            },
            printable(&s.node),
            note
        );
    }
    if t.spans_dropped > 0 {
        out += &format!("… {} more calls not recorded\n", t.spans_dropped);
    }
    out
}
