//! The KPI strip over the canvas: the headline numbers at the playhead, end to end; p99
//! and cost once the run has finished.
//!
//! Why it is always there: it takes its room before any run (dashes for numbers), so
//! starting a run never shrinks the canvas and never moves a node.

use std::rc::Rc;

use yew::prelude::*;

use crate::run::{LiveView, headline};
use crate::state::Outcome;

/// Props of [`KpiStrip`].
#[derive(Properties, PartialEq, Debug)]
pub struct KpiStripProps {
    /// The view at the playhead, while a run is watched.
    pub live: Option<Rc<LiveView>>,
    /// The finished run's outcome, if it finished.
    pub outcome: Outcome,
}

/// The strip.
#[component]
pub fn KpiStrip(p: &KpiStripProps) -> Html {
    let Some(live) = &p.live else {
        return html! {
            <div class="kpi-strip idle" role="group" aria-label="Headline numbers (no run yet)">
                <dl class="kpi-items">
                    { for ["success", "requests", "throttled", "in flight", "retries", "DLQ", "cost so far"]
                        .into_iter()
                        .map(|k| html! { <div><dt>{ k }</dt><dd>{ "—" }</dd></div> }) }
                </dl>
            </div>
        };
    };
    let h = headline(&live.frames, live.at);
    let finished = match &p.outcome {
        Outcome::Done { report, .. } => Some(report.clone()),
        _ => None,
    };
    html! {
        <div class="kpi-strip" role="group" aria-label="Headline numbers at the playhead" tabindex="0">
            <dl class="kpi-items">
            <div><dt>{ "success" }</dt><dd id="live-success">{ format!("{:.1} %", h.success_pct()) }</dd></div>
            <div><dt>{ "requests" }</dt><dd id="live-requests">{ h.arrived }</dd></div>
            <div><dt>{ "throttled" }</dt><dd id="live-throttled">{ h.throttled }</dd></div>
            <div><dt>{ "in flight" }</dt><dd>{ h.in_flight }</dd></div>
            <div><dt>{ "retries" }</dt><dd>{ h.retries }</dd></div>
            <div><dt>{ "DLQ" }</dt><dd id="live-dlq">{ h.dead_lettered }</dd></div>
            if h.executions.0 > 0 {
                <div><dt>{ "executions" }</dt><dd id="live-executions">{
                    format!("{} ok · {} failed", h.executions.1, h.executions.2)
                }</dd></div>
            }
            <div><dt>{ "cost so far" }</dt><dd id="live-cost">{ format!("${:.4}", h.cost_usd) }</dd></div>
            if let Some(r) = finished {
                <div><dt>{ "p99, whole run" }</dt><dd>{ format!("{:.0} ms", r.p99_ms) }</dd></div>
                <div><dt>{ "$ per M, whole run" }</dt><dd>{ format!("{:.2}", r.cost.per_million_requests_usd) }</dd></div>
            }
            </dl>
        </div>
    }
}
