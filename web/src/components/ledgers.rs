//! The run's other ledgers in words: queue messages and stream records, async events,
//! Step Functions executions, notification deliveries, and each stream's shards. Only
//! the ledgers the scenario uses are shown, so a plain API run stays uncluttered.

use surge_core::Report;
use yew::prelude::*;

/// One ledger: a title and its (label, value) figures.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerGroup {
    /// What the ledger counts.
    pub title: String,
    /// Its figures, in reading order; zero figures other than the first are left out.
    pub figures: Vec<(&'static str, String)>,
}

fn group(title: impl Into<String>, figures: &[(&'static str, u64)]) -> LedgerGroup {
    LedgerGroup {
        title: title.into(),
        figures: figures
            .iter()
            .enumerate()
            .filter(|(i, (_, n))| *i == 0 || *n > 0)
            .map(|(_, (k, n))| (*k, n.to_string()))
            .collect(),
    }
}

/// The ledgers this report has something in, in a fixed order.
pub fn ledger_groups(report: &Report) -> Vec<LedgerGroup> {
    let mut out = Vec::new();
    let m = report.messages;
    if m.sent > 0 {
        out.push(group(
            "Messages and records",
            &[
                ("sent", m.sent),
                ("consumed", m.consumed),
                ("dead-lettered", m.dead_lettered),
                ("expired", m.expired),
                ("dropped", m.dropped),
                ("queued", m.queued),
                ("in flight", m.in_flight),
                ("duplicate deliveries", m.duplicates),
            ],
        ));
    }
    let a = report.async_events;
    if a.accepted > 0 {
        out.push(group(
            "Async invokes",
            &[
                ("accepted", a.accepted),
                ("succeeded", a.succeeded),
                ("failed", a.failed),
                ("too old", a.expired),
                ("to destination", a.to_destination),
                ("dropped", a.dropped),
                ("queued", a.queued),
                ("running", a.in_flight),
            ],
        ));
    }
    let e = report.executions;
    if e.started > 0 {
        out.push(group(
            "Step Functions executions",
            &[
                ("started", e.started),
                ("succeeded", e.succeeded),
                ("failed", e.failed),
                ("stopped at 5 min", e.timed_out),
                ("running", e.running),
                ("transitions", e.transitions),
                ("transitions throttled", e.throttled_transitions),
            ],
        ));
    }
    let d = report.deliveries;
    if d.sent > 0 {
        out.push(group(
            "Notifications",
            &[
                ("sent", d.sent),
                ("delivered", d.delivered),
                ("dropped", d.dropped),
                ("pending", d.pending),
                ("SNS retries", d.retries),
            ],
        ));
    }
    for n in report.nodes.iter().filter(|n| !n.shards.is_empty()) {
        let sum = |f: fn(&surge_core::ShardReport) -> u64| n.shards.iter().map(f).sum::<u64>();
        let mut g = group(
            format!("{} shards ({})", n.name, n.shards.len()),
            &[
                ("records written", sum(|s| s.written)),
                ("writes throttled", sum(|s| s.throttled)),
                ("reads", sum(|s| s.reads)),
                ("reads refused", sum(|s| s.read_throttled)),
            ],
        );
        let age = n
            .shards
            .iter()
            .map(|s| s.max_iterator_age_s)
            .fold(0.0, f64::max);
        g.figures
            .push(("worst iterator age", format!("{age:.1} s")));
        out.push(g);
    }
    out
}

/// Props of [`Ledgers`].
#[derive(Properties, PartialEq, Debug)]
pub struct LedgersProps {
    /// The finished run.
    pub report: std::rc::Rc<Report>,
}

/// The non-empty ledgers of a run, one small definition list each.
#[component]
pub fn Ledgers(props: &LedgersProps) -> Html {
    let groups = ledger_groups(&props.report);
    if groups.is_empty() {
        return Html::default();
    }
    html! {
        <div class="ledgers">
            { for groups.into_iter().map(|g| html! {
                <section class="ledger-group">
                    <h4>{ g.title }</h4>
                    <dl>
                        { for g.figures.into_iter().map(|(k, v)| html! {
                            <div><dt>{ k }</dt><dd>{ v }</dd></div>
                        }) }
                    </dl>
                </section>
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use surge_core::{Scenario, Simulation};

    fn report(name: &str) -> Report {
        let path = format!(
            "{}/../tests/scenarios/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let json = std::fs::read_to_string(path).expect("golden scenario");
        let s = Scenario::from_json(&json).expect("valid");
        Simulation::new(&s).expect("valid").run()
    }

    #[test]
    fn a_plain_api_run_has_no_extra_ledgers() {
        assert!(ledger_groups(&report("tiny-throttle")).is_empty());
    }

    #[test]
    fn a_stream_run_shows_its_records_and_shards() {
        let groups = ledger_groups(&report("lesson18-kinesis-poison"));
        let titles: Vec<&str> = groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(titles[0], "Messages and records", "{titles:?}");
        let shards = groups
            .iter()
            .find(|g| g.title.contains("shards"))
            .expect("a shard group");
        let figure = |k: &str| {
            shards
                .figures
                .iter()
                .find(|(label, _)| *label == k)
                .map(|(_, v)| v.clone())
        };
        assert!(figure("records written").is_some_and(|v| v != "0"));
        assert!(figure("reads").is_some(), "{shards:?}");
        assert!(figure("worst iterator age").is_some_and(|v| v.ends_with(" s")));
    }
}
