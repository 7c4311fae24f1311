//! Engine tests through the public API only, as one test binary: golden scenarios,
//! queueing theory, the lessons' behaviours, properties, and cross-platform determinism.

mod async_invoke;
mod async_results;
mod bounded;
mod docs;
mod exercises;
mod fanout;
mod golden;
mod lessons;
mod links;
mod more_lessons;
mod pipelines;
mod properties;
mod queueing;
mod queues;
mod ranges;
mod references;
mod resilience;
mod streams;
mod tables;
mod traces;
mod workflows;

use std::path::PathBuf;

use surge_core::{NodeReport, Report, Scenario, Simulation};

/// `tests/scenarios` at the workspace root.
pub(crate) fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// The golden scenarios' file stems, sorted.
pub(crate) fn golden_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .expect("tests/scenarios")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no golden scenarios found");
    names
}

/// Loads a golden scenario by file stem.
pub(crate) fn scenario(name: &str) -> Scenario {
    let path = scenarios_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs a scenario to the end.
pub(crate) fn run(s: &Scenario) -> Report {
    Simulation::new(s).expect("valid scenario").run()
}

/// The node with this id.
pub(crate) fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.node(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// Mean of `f` over seconds `from..to` of a node's series.
pub(crate) fn window_mean(
    n: &NodeReport,
    from: usize,
    to: usize,
    f: impl Fn(&surge_core::NodeSecond) -> f64,
) -> f64 {
    let xs = &n.series[from..to];
    xs.iter().map(f).sum::<f64>() / xs.len() as f64
}
