//! The result of a run: headline numbers, a chart, and the exact scenario that ran.

use yew::prelude::*;

use super::{ConcurrencyChart, Ledgers, NodeTable};
use crate::state::Outcome;

/// Props of [`Results`].
#[derive(Properties, PartialEq, Debug)]
pub struct ResultsProps {
    /// What the last Run produced.
    pub outcome: Outcome,
    /// The document (for the traces' node names and "Go to").
    pub doc: std::rc::Rc<surge_core::Scenario>,
    /// Where a finding's node selection goes.
    pub dispatch: Callback<crate::state::Action>,
    /// Whether a run is on screen (its results come with its report).
    #[prop_or_default]
    pub running: bool,
}

/// Headline numbers of the last run, or the reasons it could not run.
#[component]
pub fn Results(props: &ResultsProps) -> Html {
    match &props.outcome {
        Outcome::Idle if props.running => html! {
            <p class="results-idle">{ "The results come when the run reaches its end." }</p>
        },
        Outcome::Idle => html! {
            <p class="results-idle">{ "Press Run to simulate." }</p>
        },
        Outcome::Invalid(errors) => html! {
            <div class="results-errors" role="alert">
                <h3>{ "Cannot run" }</h3>
                <ul>{ for errors.iter().map(|e| html! { <li>{ e }</li> }) }</ul>
            </div>
        },
        Outcome::Done {
            report,
            scenario_json,
            traces,
            ..
        } => {
            let l = report.ledger;
            let rejected = l.failed.total();
            let rejected_pct = if l.arrived == 0 {
                0.0
            } else {
                100.0 * rejected as f64 / l.arrived as f64
            };
            let function = report.node_of_kind("lambda");
            let mean_concurrency = function.map_or(0.0, |f| f.mean_in_node);
            // Chart the likely bottleneck: database connections if there is a database,
            // else the function's concurrency.
            let queue = report.node_of_kind("sqs");
            let stream = report.node_of_kind("kinesis");
            let (series, limit, label) = match (report.node_of_kind("rds"), function) {
                (_, _) if stream.is_some() => {
                    let k = stream.expect("checked");
                    (
                        k.series.iter().map(|s| s.oldest_age_s).collect(),
                        0,
                        format!("{} iterator age (s)", k.name),
                    )
                }
                (_, _) if queue.is_some_and(|q| q.peak_queue > 0) => {
                    let q = queue.expect("checked");
                    (
                        q.series.iter().map(|s| s.mean_queue).collect(),
                        0,
                        format!("{} depth", q.name),
                    )
                }
                (Some(db), _) => (
                    db.series.iter().map(|s| s.mean_connections).collect(),
                    db.limit.unwrap_or(0),
                    format!("{} connections", db.name),
                ),
                (None, Some(f)) => (
                    f.series.iter().map(|s| s.mean_in_node).collect(),
                    f.limit.unwrap_or(0),
                    format!("{} concurrency", f.name),
                ),
                (None, None) => (Vec::new(), 0, String::new()),
            };
            let on_csv = {
                let report = report.clone();
                Callback::from(move |_| {
                    crate::dom::download_text(
                        "surge-series.csv",
                        "text/csv",
                        &crate::export::series_csv(&report),
                    );
                })
            };
            let on_json = {
                let report = report.clone();
                Callback::from(move |_| {
                    crate::dom::download_text(
                        "surge-report.json",
                        "application/json",
                        &report.to_json(),
                    );
                })
            };
            let stopped = report.stopped.as_ref().map(|s| {
                html! {
                    <div class="results-stopped" role="alert" id="run-stopped">
                        <h3>{ format!("Stopped at t = {:.0} s", s.at_s) }</h3>
                        <p>{ &s.message }</p>
                    </div>
                }
            });
            let notes = (!report.notes.is_empty()).then(|| {
                html! {
                    <div class="warnings" id="run-notes">
                        <h4>{ "What the run noticed" }</h4>
                        <ul>{ for report.notes.iter().map(|n| html! {
                            <li>{ format!("t = {:.0} s, {}: {}{}", n.at_s, n.node, n.message,
                                if n.count > 1 { format!(" ({} times)", n.count) } else { String::new() }) }</li>
                        }) }</ul>
                    </div>
                }
            });
            html! {
                <section class="results" aria-live="polite">
                    { for stopped }
                    { for notes }
                    <dl class="kpis">
                        <div><dt>{ "Requests" }</dt><dd id="kpi-requests">{ l.arrived }</dd></div>
                        <div><dt>{ "Failed" }</dt><dd id="kpi-rejected">{ rejected }</dd></div>
                        <div><dt>{ "Failed %" }</dt><dd>{ format!("{rejected_pct:.2}") }</dd></div>
                        <div><dt>{ "Mean concurrency" }</dt><dd id="kpi-mean-concurrency">{ format!("{mean_concurrency:.2}") }</dd></div>
                        <div><dt>{ "Goodput /s" }</dt><dd id="kpi-goodput">{ format!("{:.1}", report.goodput_per_s) }</dd></div>
                        <div><dt>{ "p99 ms" }</dt><dd id="kpi-p99">{ format!("{:.0}", report.p99_ms) }</dd></div>
                        <div><dt>{ "$ per M requests" }</dt><dd id="kpi-cost">{ format!("{:.2}", report.cost.per_million_requests_usd) }</dd></div>
                        <div><dt>{ "Retries" }</dt><dd>{ l.retries }</dd></div>
                    </dl>
                    <p class="ledger">{ format!(
                        "{} succeeded · {} timed out · {} still running · {} events · seed {}",
                        l.succeeded, l.timed_out, l.in_flight, report.events, report.seed
                    ) }</p>
                    <super::Findings report={report.clone()} doc={props.doc.clone()} dispatch={props.dispatch.clone()} />
                    <NodeTable nodes={report.nodes.clone()} />
                    <super::Traces traces={traces.clone()} doc={props.doc.clone()} />
                    <Ledgers report={report.clone()} />
                    <ConcurrencyChart {series} {limit} label={label} />
                    <div class="button-row">
                        <button type="button" id="export-csv" onclick={on_csv}>{ "Export series CSV" }</button>
                        <button type="button" id="export-report" onclick={on_json}>{ "Export report JSON" }</button>
                    </div>
                    <details>
                        <summary>{ "Scenario that ran" }</summary>
                        <pre id="scenario-json">{ scenario_json.to_string() }</pre>
                    </details>
                </section>
            }
        }
    }
}
