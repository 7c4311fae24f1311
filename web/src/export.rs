//! Exports of a run: per-node, per-second series as CSV (one row per node and second, the
//! columns of `NodeSecond` in the report's own order and number format).
//!
//! Why through serde: the columns follow the report type, so a new series field appears in
//! the CSV without touching this file, and the numbers are written exactly as the CLI's
//! JSON writes them.

use serde_json::Value;
use surge_core::Report;

/// The per-second series of every node as CSV.
pub fn series_csv(report: &Report) -> String {
    let mut out = String::new();
    let mut header: Option<Vec<String>> = None;
    for node in &report.nodes {
        for (second, row) in node.series.iter().enumerate() {
            let Ok(Value::Object(fields)) = serde_json::to_value(row) else {
                continue;
            };
            if header.is_none() {
                let cols: Vec<String> = fields.keys().cloned().collect();
                out.push_str("node,second,");
                out.push_str(&cols.join(","));
                out.push('\n');
                header = Some(cols);
            }
            out.push_str(&csv_cell(&node.id));
            out.push(',');
            out.push_str(&second.to_string());
            for v in fields.values() {
                out.push(',');
                out.push_str(&match v {
                    Value::String(s) => csv_cell(s),
                    other => other.to_string(),
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
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
