//! What an inspector change means for the document: the changed node, edge or account,
//! or the reason the core refuses it.
//!
//! Why through JSON: the inspector edits any parameter by its path in the scenario's JSON
//! (the same paths the schema and the validation errors use), so one function serves every
//! field of every kind. A change is refused when it does not parse, or when validation
//! reports a problem at that field that was not there before; problems elsewhere (a node
//! not yet connected) are the problems list's business, not a refusal.

use serde_json::Value;
use surge_core::{Account, Edge, Node, Scenario, ScenarioError};

use super::EdgeKey;
use super::schema;

fn problems(doc: &Scenario) -> Vec<ScenarioError> {
    doc.validate().err().map(|e| e.0).unwrap_or_default()
}

/// The document with the value at `path` below `item` (a JSON pointer to a node, an edge
/// or the account) changed, read back as a file is read.
///
/// Why the whole document through `parse_json`: the page then holds one reader and one
/// writer of the format (the file's), not one more per edited type; a change is rare and
/// small documents read in well under a millisecond.
fn changed(
    doc: &Scenario,
    item: &str,
    path: &[String],
    value: Option<Value>,
) -> Result<Scenario, String> {
    let mut v = serde_json::to_value(doc).map_err(|e| e.to_string())?;
    let target = v.pointer_mut(item).ok_or("no such item")?;
    *target = schema::with(target, path, value);
    Scenario::parse_json(&v.to_string()).map_err(|e| {
        e.0.first()
            .map_or_else(|| "not accepted".to_owned(), |e| e.reason.clone())
    })
}

/// The first problem at `prefix` in `after` that `before` did not have.
fn new_problem_at(before: &Scenario, after: &Scenario, prefix: &str) -> Option<String> {
    let old = problems(before);
    problems(after)
        .into_iter()
        .filter(|e| {
            e.path == prefix
                || e.path.starts_with(&format!("{prefix}."))
                || e.path.starts_with(&format!("{prefix}["))
        })
        .find(|e| !old.contains(e))
        .map(|e| e.reason)
}

/// The node with the value at `path` (below the node's JSON) changed, if the core accepts it.
pub fn change_node(
    doc: &Scenario,
    id: &str,
    path: &[String],
    value: Option<Value>,
) -> Result<Node, String> {
    let i = doc.node_index(id).ok_or_else(|| format!("no node {id}"))?;
    let after = changed(doc, &format!("/nodes/{i}"), path, value)?;
    let node = after.nodes[i].clone();
    let prefix = format!("nodes[{i}].{}", path.join("."));
    match new_problem_at(doc, &after, &prefix) {
        Some(reason) => Err(reason),
        None => Ok(node),
    }
}

/// The edge with a changed setting, if the core accepts it.
pub fn change_edge(
    doc: &Scenario,
    key: &EdgeKey,
    path: &[String],
    value: Option<Value>,
) -> Result<Edge, String> {
    let i = doc
        .edges
        .iter()
        .position(|e| EdgeKey::of(e) == *key)
        .ok_or("no such edge")?;
    let after = changed(doc, &format!("/edges/{i}"), path, value)?;
    let edge = after.edges[i].clone();
    let prefix = format!("edges[{i}]");
    match new_problem_at(doc, &after, &prefix) {
        Some(reason) => Err(reason),
        None => Ok(edge),
    }
}

/// The account with a changed setting, if the core accepts it.
pub fn change_account(
    doc: &Scenario,
    path: &[String],
    value: Option<Value>,
) -> Result<Account, String> {
    let after = changed(doc, "/account", path, value)?;
    let account = after.account.clone();
    let prefix = format!("account.{}", path.join("."));
    match new_problem_at(doc, &after, &prefix) {
        Some(reason) => Err(reason),
        None => Ok(account),
    }
}

/// Accepts a new fault schedule unless it brings a new problem at a fault.
pub fn change_faults(
    doc: &Scenario,
    faults: Vec<surge_core::Fault>,
) -> Result<Vec<surge_core::Fault>, String> {
    let mut after = doc.clone();
    after.faults = faults.clone();
    match new_problem_at(doc, &after, "faults") {
        Some(reason) => Err(reason),
        None => Ok(faults),
    }
}

/// Accepts a new run length unless the core refuses it.
pub fn change_duration(doc: &Scenario, duration_s: f64) -> Result<f64, String> {
    let mut after = doc.clone();
    after.duration_s = duration_s;
    match new_problem_at(doc, &after, "duration_s") {
        Some(reason) => Err(reason),
        None => Ok(duration_s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn valid_changes_apply_and_invalid_ones_say_why() {
        let doc = super::super::starter();
        let node = change_node(
            &doc,
            "fn",
            &p(&["params", "reserved_concurrency"]),
            Some(Value::from(50)),
        )
        .expect("accepted");
        let surge_core::NodeKind::Lambda(l) = &node.kind else {
            panic!()
        };
        assert_eq!(l.reserved_concurrency, Some(50));
        let refused = change_node(
            &doc,
            "fn",
            &p(&["params", "timeout_s"]),
            Some(Value::from(2000.0)),
        )
        .expect_err("above 900 s");
        assert!(refused.contains("900"), "{refused}");
        let wrong_type = change_node(
            &doc,
            "fn",
            &p(&["params", "memory_mb"]),
            Some(Value::from("lots")),
        );
        assert!(wrong_type.is_err());
        let nested = change_node(
            &doc,
            "client",
            &p(&["params", "retry", "max_attempts"]),
            Some(Value::from(3)),
        )
        .expect("accepted");
        assert!(
            serde_json::to_string(&nested)
                .unwrap()
                .contains("\"max_attempts\":3")
        );
        let account = change_account(&doc, &p(&["lambda_concurrency"]), Some(Value::from(3000)))
            .expect("accepted");
        assert_eq!(account.lambda_concurrency, 3000);
    }
}
