//! The KPI strip over the canvas while a run is watched: the headline numbers at the
//! playhead, end to end; p99 and cost once the run has finished.

use std::rc::Rc;

use yew::prelude::*;

use crate::run::{LiveView, headline};
use crate::state::Outcome;

/// Props of [`KpiStrip`].
#[derive(Properties, PartialEq, Debug)]
pub struct KpiStripProps {
    /// The view at the playhead.
    pub live: Rc<LiveView>,
    /// The finished run's outcome, if it finished.
    pub outcome: Outcome,
}

/// The strip.
#[component]
pub fn KpiStrip(p: &KpiStripProps) -> Html {
    let h = headline(&p.live.frames, p.live.at);
    let finished = match &p.outcome {
        Outcome::Done { report, .. } => Some(report.clone()),
        _ => None,
    };
    html! {
        <dl class="kpi-strip" aria-label="Headline numbers at the playhead">
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
            <div class="marks-legend" aria-hidden="true">
                <i class="m-ok" />{ "ok" }<i class="m-retried" />{ "retried" }<i class="m-throttled" />{ "throttled" }
                <i class="m-timeout" />{ "timed out" }<i class="m-error" />{ "failed" }
            </div>
        </dl>
    }
}
