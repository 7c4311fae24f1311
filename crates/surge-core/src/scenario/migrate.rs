//! Reading older scenario versions: each step migrates one version to the next, on the
//! JSON value, before the typed parse. Old steps are never removed, so every file that
//! ever loaded still loads.
//!
//! - v1 → v2 (Engine II): edges gained `invocation` and `esm`, nodes gained `sqs`, Lambda
//!   gained async-invoke settings. All new fields default to v1's behaviour, so the step
//!   only bumps the version; a v1 file gives the same report as before.
//! - v2 → v3 (every scenario ends): Lambda gained `recursive_loop`, the scenario gained
//!   `series`, and reading became strict (unknown fields anywhere are refused). The new
//!   fields default to v2's behaviour except where AWS's own behaviour changed: a v2 file
//!   whose functions loop through queues now has its loops stopped at the 17th invocation,
//!   as AWS does since 2023 (set `recursive_loop` to `allow` for the old figures).
//! - v3 → v4 (the resilience toolbox): clients' retry `mode`, `backpressure` and
//!   `tenants`, functions' `sdk_retry_mode` and `drop_abandoned`, `worker_pool` nodes,
//!   edges' circuit `breaker`, services' `admission`, the scenario's `alarms`, and client →
//!   service edges. Every new
//!   field defaults to v3's behaviour (legacy retries, no breaker, everything admitted, no
//!   alarms), so the step only bumps the version; a v4 file with the new fields is refused
//!   by older builds as "written by a newer Surge" rather than as unknown fields.
//! - v4 → v5 (talk mode): the scenario gained `talk`, a script of beats for the stage.
//!   The engine never reads it, so the step only bumps the version.
//! - v5 → v6 (Amazon States Language): a state machine's `definition` was Surge's own
//!   snake_case dialect (`start_at`, `states`, `type: task`, `resource`, probabilities in
//!   the rules); it is now standard ASL, with what ASL cannot say in `simulation` (the
//!   node each Task calls, Choice probabilities, Map items). The step rewrites each
//!   definition; it compiles back to exactly the old one (names repeated in different
//!   branches get a number, as ASL wants unique names), so runs are unchanged.

use serde_json::Value;

use crate::error::{ScenarioError, ScenarioErrors};

/// Migrates `value` to [`super::CURRENT_VERSION`]. A file of another format, or of a
/// version this build does not know (written by a newer Surge), is refused here: reading
/// it as if it were ours could drop what it says.
pub(super) fn to_current(mut value: Value) -> Result<Value, ScenarioErrors> {
    let mut refused = Vec::new();
    if let Some(format) = value.get("format").and_then(Value::as_str)
        && format != super::FORMAT_TAG
    {
        refused.push(ScenarioError::new(
            "format",
            format!("expected \"{}\", found \"{format}\"", super::FORMAT_TAG),
        ));
    }
    if let Some(version) = value.get("version").and_then(Value::as_u64)
        && (version == 0 || version > u64::from(super::CURRENT_VERSION))
    {
        refused.push(ScenarioError::new(
            "version",
            format!(
                "version {version} is not supported (1..={}): written by a newer Surge?",
                super::CURRENT_VERSION
            ),
        ));
    }
    if !refused.is_empty() {
        return Err(ScenarioErrors(refused));
    }
    if value.get("version").and_then(Value::as_u64) == Some(1) {
        value["version"] = Value::from(2);
    }
    if value.get("version").and_then(Value::as_u64) == Some(2) {
        value["version"] = Value::from(3);
    }
    if value.get("version").and_then(Value::as_u64) == Some(3) {
        value["version"] = Value::from(4);
    }
    if value.get("version").and_then(Value::as_u64) == Some(4) {
        value["version"] = Value::from(5);
    }
    if value.get("version").and_then(Value::as_u64) == Some(5) {
        definitions_to_asl(&mut value);
        value["version"] = Value::from(6);
    }
    Ok(value)
}

/// v5 → v6: every state machine's dialect definition as ASL and settings. A definition
/// that does not parse as the dialect is left as it is, for validation to refuse.
fn definitions_to_asl(value: &mut Value) {
    let kinds: Vec<(String, String)> = value
        .get("nodes")
        .and_then(Value::as_array)
        .map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| {
                    Some((
                        n.get("id")?.as_str()?.to_owned(),
                        n.get("kind")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let kind_of = |id: &str| kinds.iter().find(|(i, _)| i == id).map(|(_, k)| k.clone());
    let Some(nodes) = value.get_mut("nodes").and_then(Value::as_array_mut) else {
        return;
    };
    for n in nodes {
        if n.get("kind").and_then(Value::as_str) != Some("step_functions") {
            continue;
        }
        let Some(params) = n.get_mut("params").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(old) = params.get("definition") else {
            continue;
        };
        let Ok(d) = serde_json::from_value::<super::Definition>(old.clone()) else {
            continue;
        };
        let (asl, sim) = super::asl::to_asl(&d, &kind_of);
        params.insert("definition".into(), asl);
        if !sim.is_empty() {
            params.insert(
                "simulation".into(),
                serde_json::to_value(sim).unwrap_or(Value::Null),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialect_definition_becomes_asl_that_compiles_to_the_same_workflow() {
        let old = serde_json::json!({
            "start_at": "Pay",
            "states": {
                "Pay": {"type": "task", "resource": "pay", "next": "Route",
                    "retry": [{"error_equals": ["States.ALL"], "max_attempts": 4, "jitter_strategy": "FULL"}],
                    "catch": [{"error_equals": ["States.ALL"], "next": "Oops"}]},
                "Route": {"type": "choice", "choices": [{"probability": 0.25, "next": "Fan"}], "default": "Done"},
                "Fan": {"type": "map", "items": 7, "max_concurrency": 3, "next": "Done",
                    "iterator": {"start_at": "Put", "states": {"Put": {"type": "task", "resource": "tbl"}}}},
                "Done": {"type": "succeed"},
                "Oops": {"type": "fail", "error": "Nope"}
            }
        });
        let v5 = serde_json::json!({"format": "surge-scenario", "version": 5, "nodes": [
            {"id": "pay", "kind": "lambda"},
            {"id": "tbl", "kind": "dynamodb"},
            {"id": "m", "kind": "step_functions", "params": {"definition": old.clone()}}
        ]});
        let v6 = to_current(v5).expect("migrates");
        let params = &v6["nodes"][2]["params"];
        assert_eq!(params["definition"]["States"]["Pay"]["Type"], "Task");
        assert_eq!(
            params["definition"]["States"]["Fan"]["ItemProcessor"]["States"]["Put"]["Resource"],
            "arn:aws:states:::dynamodb:putItem"
        );
        assert_eq!(params["simulation"]["tasks"]["Put"], "tbl");
        assert_eq!(params["simulation"]["choices"]["Route"][0], 0.25);
        let typed: super::super::StateMachineParams =
            serde_json::from_value(params.clone()).expect("parses");
        let before: super::super::Definition = serde_json::from_value(old).expect("dialect");
        assert_eq!(typed.compiled().expect("compiles"), before);
    }

    #[test]
    fn old_versions_step_up_to_the_current_one_and_others_are_untouched() {
        let v1 = serde_json::json!({"format": "surge-scenario", "version": 1, "nodes": []});
        assert_eq!(to_current(v1).expect("migrates")["version"], 6);
        let v2 = serde_json::json!({"format": "surge-scenario", "version": 2, "nodes": []});
        assert_eq!(to_current(v2).expect("migrates")["version"], 6);
        let v3 = serde_json::json!({"format": "surge-scenario", "version": 3, "nodes": []});
        assert_eq!(to_current(v3).expect("migrates")["version"], 6);
        let v9 = serde_json::json!({"format": "surge-scenario", "version": 9});
        let e = to_current(v9).expect_err("newer").to_string();
        assert!(e.contains("version 9 is not supported"), "{e}");
        let other = serde_json::json!({"format": "other", "version": 1});
        assert!(to_current(other).is_err());
    }
}
