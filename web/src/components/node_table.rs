//! Per-node figures of a run: what arrived, what failed and why, and how full each node got.

use surge_core::NodeReport;
use yew::prelude::*;

/// Props of [`NodeTable`].
#[derive(Properties, PartialEq, Debug)]
pub struct NodeTableProps {
    /// Nodes of the report, in scenario order.
    pub nodes: Vec<NodeReport>,
}

/// The main error kinds of a node, as "kind n" pairs.
fn main_errors(n: &NodeReport) -> String {
    let e = &n.errors;
    let kinds = [
        (
            "throttled",
            e.throttled + e.concurrency_throttled + e.service_throttled,
        ),
        ("refused", e.connection_refused),
        ("borrow timeout", e.borrow_timeout),
        ("timeout", e.integration_timeout + e.function_timeout),
        ("unavailable", e.unavailable),
        ("error", e.server_error + e.injected_error),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

/// A compact table of the non-client nodes.
#[component]
pub fn NodeTable(props: &NodeTableProps) -> Html {
    html! {
        <table class="nodes" aria-label="Per-node results">
            <thead>
                <tr>
                    <th scope="col">{ "Node" }</th>
                    <th scope="col">{ "OK" }</th>
                    <th scope="col">{ "Failed" }</th>
                    <th scope="col">{ "Mean / peak" }</th>
                    <th scope="col">{ "Limit" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.nodes.iter().filter(|n| n.kind != "client").map(|n| {
                    let (mean, peak) = match n.kind.as_str() {
                        "rds" | "rds_proxy" => (n.mean_connections, n.peak_connections),
                        "sqs" => (n.mean_queue, n.peak_queue),
                        _ => (n.mean_in_node, n.peak_in_node),
                    };
                    html! {
                        <tr data-node={n.id.clone()}>
                            <th scope="row">{ &n.name }<span class="kind">{ &n.kind }</span></th>
                            <td>{ n.ok }</td>
                            <td title={main_errors(n)}>{ n.errors.total() }</td>
                            <td>{ format!("{mean:.0} / {peak}") }</td>
                            <td>{ n.limit.map_or_else(|| "—".to_owned(), |l| l.to_string()) }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}
