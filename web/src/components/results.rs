//! The result of a run: headline numbers, a chart, and the exact scenario that ran.

use yew::prelude::*;

use super::ConcurrencyChart;
use crate::state::Outcome;

/// Props of [`Results`].
#[derive(Properties, PartialEq, Debug)]
pub struct ResultsProps {
    /// What the last Run produced.
    pub outcome: Outcome,
}

/// Headline numbers of the last run, or the reasons it could not run.
#[component]
pub fn Results(props: &ResultsProps) -> Html {
    match &props.outcome {
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
        } => {
            let l = report.ledger;
            let rejected = l.failed.total();
            let rejected_pct = if l.arrived == 0 {
                0.0
            } else {
                100.0 * rejected as f64 / l.arrived as f64
            };
            let function = report.node_of_kind("lambda");
            let series = function.map(|f| f.series.clone()).unwrap_or_default();
            let limit = function.and_then(|f| f.limit).unwrap_or(0);
            let mean_concurrency = function.map_or(0.0, |f| f.mean_in_node);
            html! {
                <section class="results" aria-live="polite">
                    <dl class="kpis">
                        <div><dt>{ "Requests" }</dt><dd id="kpi-requests">{ l.arrived }</dd></div>
                        <div><dt>{ "Rejected" }</dt><dd id="kpi-rejected">{ rejected }</dd></div>
                        <div><dt>{ "Rejected %" }</dt><dd>{ format!("{rejected_pct:.2}") }</dd></div>
                        <div><dt>{ "Mean concurrency" }</dt><dd id="kpi-mean-concurrency">{ format!("{mean_concurrency:.2}") }</dd></div>
                    </dl>
                    <p class="ledger">{ format!(
                        "{} succeeded · {} still running · {} events · seed {}",
                        l.succeeded, l.in_flight, report.events, report.seed
                    ) }</p>
                    <ConcurrencyChart {series} {limit} />
                    <details>
                        <summary>{ "Scenario that ran" }</summary>
                        <pre id="scenario-json">{ scenario_json.to_string() }</pre>
                    </details>
                </section>
            }
        }
    }
}
