//! Exports of a run: per-node, per-second series as CSV (one row per node and second, the
//! columns of `NodeSecond` in the report's own order and number format).
//!
//! Why through serde: the columns follow the report type, so a new series field appears in
//! the CSV without touching this file (one the report leaves out when zero is named in
//! `series_csv`'s full sample, so every row has every column), and the numbers are
//! written exactly as the CLI's JSON writes them.

use serde_json::Value;
use surge_core::Report;

/// The per-second series of every node as CSV.
pub fn series_csv(report: &Report) -> String {
    // Every column, also those a sample leaves out when zero (functions' environments).
    let every = surge_core::NodeSecond {
        envs: 1,
        idle_envs: 1,
        ..Default::default()
    };
    let Ok(Value::Object(all)) = serde_json::to_value(every) else {
        return String::new();
    };
    let cols: Vec<&String> = all.keys().collect();
    let mut out = String::from("node,second,");
    out.push_str(
        &cols
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    for node in &report.nodes {
        for (second, row) in node.series.iter().enumerate() {
            let Ok(Value::Object(fields)) = serde_json::to_value(row) else {
                continue;
            };
            out.push_str(&csv_cell(&node.id));
            out.push(',');
            out.push_str(&second.to_string());
            for c in &cols {
                out.push(',');
                out.push_str(&match fields.get(*c) {
                    Some(Value::String(s)) => csv_cell(s),
                    Some(other) => other.to_string(),
                    None => "0".into(),
                });
            }
            out.push('\n');
        }
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_node_and_second_with_the_reports_numbers() {
        let report = surge_core::Simulation::new(&crate::editor::starter())
            .expect("valid")
            .run();
        let csv = series_csv(&report);
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        assert_eq!(&header[..4], &["node", "second", "arrivals", "ok"]);
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        let total: usize = report.nodes.iter().map(|n| n.series.len()).sum();
        assert_eq!(rows.len(), total);
        let fn_report = report.node("fn").expect("fn");
        let ok: u64 = rows
            .iter()
            .filter(|r| r[0] == "fn")
            .map(|r| r[3].parse::<u64>().expect("ok count"))
            .sum();
        assert_eq!(ok, fn_report.series.iter().map(|s| s.ok).sum::<u64>());
        // Every row has every column, the function's environments among them.
        assert!(rows.iter().all(|r| r.len() == header.len()));
        let envs = header
            .iter()
            .position(|c| *c == "envs")
            .expect("an envs column");
        assert!(rows.iter().any(|r| r[0] == "fn" && r[envs] != "0"));
        assert!(rows.iter().filter(|r| r[0] != "fn").all(|r| r[envs] == "0"));
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
