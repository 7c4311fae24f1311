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
    // Amazon States Language pasted as a definition (from the console or a template), or
    // into its `States` field, replaces the definition; its Tasks are resolved to the
    // nodes their functions or tables are named after.
    let in_definition =
        path.len() >= 2 && path[0] == "params" && path[1] == "definition" && path.len() <= 3;
    if let Some(v) = &value
        && in_definition
        && v.get("StartAt").is_some()
        && v.get("States").is_some()
    {
        return pasted_asl(doc, i, v);
    }
    let after = changed(doc, &format!("/nodes/{i}"), path, value)?;
    let node = after.nodes[i].clone();
    let prefix = format!("nodes[{i}].{}", path.join("."));
    match new_problem_at(doc, &after, &prefix) {
        Some(reason) => Err(reason),
        None => Ok(node),
    }
}

/// The state machine at `i` with `asl` as its definition: its Tasks resolved to the
/// document's nodes by name (a Lambda ARN's function name, a `FunctionName` or
/// `TableName`, a `${Name}` substitution, compared with node ids and display names), the
/// settings of states that are still there kept.
fn pasted_asl(doc: &Scenario, i: usize, asl: &Value) -> Result<Node, String> {
    let key = |s: &str| {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let resolve = |resource: &str, params: &Value| -> Option<String> {
        let mut names: Vec<String> = Vec::new();
        let mut texts: Vec<String> = vec![resource.to_owned()];
        for k in surge_core::asl::NAMING_PARAMETERS {
            if let Some(s) = params.get(k).and_then(Value::as_str) {
                texts.push(s.to_owned());
            }
        }
        for t in &texts {
            if let Some(after) = t.split(":function:").nth(1) {
                names.push(after.split(':').next().unwrap_or(after).to_owned());
            } else if let Some(after) = t.split(":table/").nth(1) {
                names.push(after.to_owned());
            } else if !t.starts_with("arn:") {
                names.push(t.trim_start_matches("${").trim_end_matches('}').to_owned());
            }
        }
        names.iter().find_map(|name| {
            let want = key(name.split('.').next().unwrap_or(name));
            doc.nodes
                .iter()
                .find(|n| {
                    matches!(n.kind.tag(), "lambda" | "dynamodb" | "service")
                        && (key(&n.id) == want || key(n.label()) == want)
                })
                .map(|n| n.id.clone())
        })
    };
    let t = surge_import::translate_asl(asl, &resolve)?;
    let mut after = doc.clone();
    let surge_core::NodeKind::StepFunctions(m) = &mut after.nodes[i].kind else {
        return Err("not a state machine".into());
    };
    let names = surge_core::asl::state_names(&t.definition);
    let mut sim = m.simulation.clone();
    sim.tasks.retain(|s, _| names.contains(s));
    sim.choices.retain(|s, _| names.contains(s));
    sim.map_items.retain(|s, _| names.contains(s));
    sim.seconds.retain(|s, _| names.contains(s));
    sim.tasks.extend(t.simulation.tasks);
    m.definition = t.definition;
    m.simulation = sim;
    match new_problem_at(doc, &after, &format!("nodes[{i}].params")) {
        Some(reason) => Err(reason),
        None => Ok(after.nodes[i].clone()),
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

    #[test]
    fn console_asl_pasted_as_a_definition_calls_the_named_function() {
        let doc = Scenario::parse_json(
            r#"{"format":"surge-scenario","version":2,"duration_s":60,"nodes":[
              {"id":"c","kind":"client","params":{"rate_per_s":1}},
              {"id":"flow","kind":"step_functions","params":{}},
              {"id":"validate-order","kind":"lambda","params":{}}],
              "edges":[{"from":"c","to":"flow"},{"from":"flow","to":"validate-order"}]}"#,
        )
        .expect("doc");
        let asl: Value = serde_json::from_str(
            r#"{"StartAt":"Check","States":{
              "Check":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                "Parameters":{"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:ValidateOrder:$LATEST"},
                "Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"Next":"Ok"},
              "Ok":{"Type":"Succeed"}}}"#,
        )
        .expect("asl");
        let node = change_node(
            &doc,
            "flow",
            &p(&["params", "definition", "States"]),
            Some(asl.clone()),
        )
        .expect("accepted");
        let v = serde_json::to_value(&node).expect("json");
        assert_eq!(v["params"]["definition"], asl, "kept as pasted");
        assert_eq!(
            v["params"]["simulation"]["tasks"]["Check"],
            "validate-order"
        );
        // ASL Surge cannot read is refused, naming the state.
        let bad = serde_json::json!({"StartAt":"X","States":{"X":{"Type":"Teleport"}}});
        let e = change_node(&doc, "flow", &p(&["params", "definition"]), Some(bad))
            .expect_err("refused");
        assert!(e.contains("`X`"), "{e}");
    }
}
