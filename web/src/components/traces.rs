//! Request traces: the kept requests (the slowest first, then failures, then the uniform
//! sample) and, for the chosen one, a waterfall of its calls hop by hop on the request's
//! own time axis, each call under its caller. "Go to" seeks the run to the request's start.
//!
//! Why bars in HTML and not a chart: a trace has a few dozen rows that must carry text
//! (node, duration, cold start, error), be readable by a screen reader as a list, and be
//! clickable; positioned divs do that with no drawing code.

use std::rc::Rc;

use surge_core::{ErrorKind, Scenario, Trace, TraceOutcome, TraceReason};
use yew::prelude::*;

use crate::run::Input;

use super::RunHandle;

/// Rows listed before "show all".
const LISTED: usize = 12;

/// Props of [`Traces`].
#[derive(Properties, PartialEq, Debug)]
pub struct TracesProps {
    /// The kept traces, by request number.
    pub traces: Rc<Vec<Trace>>,
    /// The document (node names; "Go to" seeks in its run).
    pub doc: Rc<Scenario>,
}

fn latency_ms(t: &Trace) -> f64 {
    (t.end_s - t.start_s) * 1000.0
}

fn error_words(kind: ErrorKind) -> &'static str {
    crate::run::error_label(kind)
}

fn outcome_words(o: TraceOutcome) -> String {
    match o {
        TraceOutcome::Ok => "succeeded".into(),
        TraceOutcome::TimedOut => "timed out".into(),
        TraceOutcome::Failed { error } => error_words(error).to_owned(),
    }
}

/// The traces in the order a reader wants them: slowest first, then failures, then the
/// sample (each once).
fn ordered(traces: &[Trace]) -> Vec<&Trace> {
    let mut v: Vec<&Trace> = traces.iter().collect();
    let rank = |t: &Trace| {
        if t.reasons.contains(&TraceReason::Slowest) {
            0
        } else if t.reasons.contains(&TraceReason::Failure) {
            1
        } else {
            2
        }
    };
    v.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(latency_ms(b).total_cmp(&latency_ms(a)))
    });
    v
}

/// The kept traces and the chosen one's waterfall.
#[component]
pub fn Traces(p: &TracesProps) -> Html {
    let chosen = use_state(|| None::<u64>);
    let all = use_state(|| false);
    let run = use_context::<RunHandle>();
    let order = ordered(&p.traces);
    if order.is_empty() {
        return html! {};
    }
    let choose = |n: u64| {
        let chosen = chosen.clone();
        Callback::from(move |_| chosen.set(Some(n)))
    };
    let slowest = order[0].request;
    let rows = order
        .iter()
        .take(if *all { order.len() } else { LISTED })
        .map(|t| {
            let why: Vec<&str> = t
                .reasons
                .iter()
                .map(|r| match r {
                    TraceReason::Slowest => "slowest",
                    TraceReason::Failure => "failure",
                    TraceReason::Sample => "sample",
                })
                .collect();
            let current = *chosen == Some(t.request);
            html! {
                <tr class={classes!(current.then_some("current"))}>
                    <td><button type="button" class="link" id={format!("trace-{}", t.request)}
                        aria-pressed={current.to_string()} onclick={choose(t.request)}>
                        { format!("#{}", t.request) }</button></td>
                    <td class="num">{ format!("{:.1}", latency_ms(t)) }</td>
                    <td>{ outcome_words(t.outcome) }</td>
                    <td class="muted">{ why.join(", ") }</td>
                </tr>
            }
        });
    let waterfall = chosen
        .and_then(|n| p.traces.iter().find(|t| t.request == n))
        .map(|t| waterfall(t, &p.doc, run.as_ref()));
    let more = order.len() > LISTED && !*all;
    let show_all = {
        let all = all.clone();
        Callback::from(move |_| all.set(true))
    };
    html! {
        <section class="traces" id="traces" aria-labelledby="traces-title">
            <h3 id="traces-title">{ "Request traces" }</h3>
            <p class="muted">{ format!(
                "{} requests traced hop by hop: the slowest, the first of each failure kind, and a uniform sample.",
                order.len()
            ) }</p>
            <button type="button" id="trace-slowest" onclick={choose(slowest)}>{ "Show the slowest request" }</button>
            <table class="trace-list">
                <thead><tr><th>{ "Request" }</th><th>{ "ms" }</th><th>{ "Outcome" }</th><th>{ "Kept as" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if more {
                <button type="button" class="link" onclick={show_all}>{ format!("Show all {}", order.len()) }</button>
            }
            { waterfall.unwrap_or_default() }
        </section>
    }
}

fn waterfall(t: &Trace, doc: &Rc<Scenario>, run: Option<&RunHandle>) -> Html {
    let total = (t.end_s - t.start_s).max(1e-9);
    let name = |id: &str| {
        doc.node_index(id)
            .map_or(id.to_owned(), |i| doc.nodes[i].label().to_owned())
    };
    let goto = run.map(|run| {
        let run = run.clone();
        let doc = doc.clone();
        let at = t.start_s.floor();
        Callback::from(move |_| run.input(Input::Seek(doc.clone(), at)))
    });
    let rows = t.spans.iter().enumerate().map(|(i, s)| {
        let end = s.end_s.unwrap_or(t.end_s);
        let left = (s.start_s - t.start_s) / total * 100.0;
        let width = ((end - s.start_s) / total * 100.0).max(0.4);
        let class = match (s.end_s, s.error) {
            (None, _) => "bar abandoned",
            (Some(_), Some(_)) => "bar failed",
            (Some(_), None) => "bar ok",
        };
        let mut note = format!("{:.1} ms", (end - s.start_s) * 1000.0);
        if s.cold_start_ms > 0.0 {
            note += &format!(", cold start {:.0} ms", s.cold_start_ms);
        }
        match (s.end_s, s.error) {
            (None, _) => note += ", still running when the request ended",
            (Some(_), Some(e)) => note += &format!(", {}", error_words(e)),
            (Some(_), None) => {}
        }
        let attempt = if s.parent.is_none() && t.attempts > 1 {
            format!("attempt {} · ", s.attempt)
        } else {
            String::new()
        };
        let cold = (s.cold_start_ms > 0.0).then(|| {
            let w = (s.cold_start_ms / 1000.0 / total * 100.0).min(width);
            html! { <span class="cold" style={format!("left:{left:.3}%;width:{w:.3}%")}></span> }
        });
        html! {
            <li class="span-row">
                <span class="span-label" style={format!("padding-left:{}px", t.depth(i) * 12)}>
                    { format!("{attempt}{}", name(&s.node)) }
                </span>
                <span class="span-track" aria-hidden="true">
                    <span class={class} style={format!("left:{left:.3}%;width:{width:.3}%")}></span>
                    { for cold }
                </span>
                <span class="span-note">{ format!("+{:.1} ms · {note}", (s.start_s - t.start_s) * 1000.0) }</span>
            </li>
        }
    });
    html! {
        <div class="waterfall" id="trace-waterfall">
            <h4>{ format!(
                "Request #{} from {}: {:.1} ms, {} attempt{}, {}",
                t.request,
                name(&t.client),
                total * 1000.0,
                t.attempts,
                if t.attempts == 1 { "" } else { "s" },
                outcome_words(t.outcome)
            ) }</h4>
            if let Some(goto) = goto {
                <button type="button" id="trace-goto" onclick={goto}>{ format!("Go to t = {:.0} s", t.start_s.floor()) }</button>
            }
            <ol class="spans">{ for rows }</ol>
            if t.spans_dropped > 0 {
                <p class="muted">{ format!("{} more calls not recorded", t.spans_dropped) }</p>
            }
        </div>
    }
}
