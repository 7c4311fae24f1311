//! Amazon States Language from a template or the AWS console, read for a scenario: the
//! definition is kept as written, and what a simulation needs beside it (the node each
//! Task calls) is resolved here.
//!
//! Why resolution here: a Task names its target by ARN, by `FunctionName`, or through a
//! template's substitutions, which only the caller can resolve to a diagram node. What is
//! approximated is said, one sentence per state (a Choice taken with equal shares, a Map's
//! item count, a service Surge does not model); what cannot be simulated is refused by the
//! core's compiler, naming the state and the reason.

use serde_json::{Value, json};
use surge_core::asl::{Simulation, compile, state_mut};

pub use surge_core::asl::DEFAULT_MAP_ITEMS;

/// What a Task's `Resource` (and its `Parameters`) point at, resolved by the caller: the
/// node id of a function, table or service, or none when Surge does not model it.
pub type ResolveTask<'a> = dyn Fn(&str, &Value) -> Option<String> + 'a;

/// One state machine read for a scenario.
#[derive(Debug, Default)]
pub struct Translated {
    /// The ASL, as given.
    pub definition: Value,
    /// The settings beside it: the node each Task calls.
    pub simulation: Simulation,
    /// Nodes the Tasks call, in order of appearance, without repeats.
    pub calls: Vec<String>,
    /// What was approximated, one sentence each.
    pub notes: Vec<String>,
}

/// Reads an ASL definition (`StartAt`, `States`): resolves its Tasks and checks that it
/// can be simulated.
pub fn translate(asl: &Value, resolve: &ResolveTask<'_>) -> Result<Translated, String> {
    let mut out = Translated {
        definition: asl.clone(),
        ..Translated::default()
    };
    surge_core::asl::canonical_numbers(&mut out.definition);
    walk(asl, resolve, &mut out, 0);
    compile(&out.definition, &out.simulation).map_err(|e| format!("{}: {}", e.path, e.reason))?;
    Ok(out)
}

fn walk(asl: &Value, resolve: &ResolveTask<'_>, out: &mut Translated, depth: usize) {
    if depth > surge_core::asl::MAX_ASL_DEPTH {
        return;
    }
    let Some(states) = asl.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, s) in states {
        match s.get("Type").and_then(Value::as_str).unwrap_or("") {
            "Task" => {
                let resource = s.get("Resource").map(resource_text).unwrap_or_default();
                let params = s
                    .get("Parameters")
                    .or_else(|| s.get("Arguments"))
                    .cloned()
                    .unwrap_or(Value::Null);
                match resolve(&resource, &params) {
                    Some(node) => {
                        if !out.calls.contains(&node) {
                            out.calls.push(node.clone());
                        }
                        out.simulation.tasks.insert(name.clone(), node);
                    }
                    None => out.notes.push(format!(
                        "state `{name}` calls `{resource}`, which Surge does not simulate: it takes no time"
                    )),
                }
            }
            "Wait" if s.get("Seconds").is_none() => out.notes.push(format!(
                "state `{name}` waits for a time from its input: simulated as 1 s (set it in the simulation settings)"
            )),
            "Choice" => {
                let rules = s.get("Choices").and_then(Value::as_array).map_or(0, Vec::len);
                let shares = rules + usize::from(s.get("Default").is_some());
                if rules > 0 {
                    out.notes.push(format!(
                        "Choice `{name}`: each of its {shares} ways taken with equal probability (set them in the inspector)"
                    ));
                }
            }
            "Parallel" => {
                for b in s.get("Branches").and_then(Value::as_array).into_iter().flatten() {
                    walk(b, resolve, out, depth + 1);
                }
            }
            "Map" => {
                let processor = s.get("ItemProcessor").or_else(|| s.get("Iterator"));
                if processor
                    .and_then(|p| p.pointer("/ProcessorConfig/Mode"))
                    .and_then(Value::as_str)
                    == Some("DISTRIBUTED")
                {
                    out.notes.push(format!(
                        "Map `{name}` is distributed: simulated as an inline Map"
                    ));
                }
                if s.get("Items").and_then(Value::as_array).is_none() {
                    out.notes.push(format!(
                        "Map `{name}`: its items come from the input, simulated as {DEFAULT_MAP_ITEMS}"
                    ));
                }
                if let Some(p) = processor {
                    walk(p, resolve, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// A Resource as text: a string, or an intrinsic's text (`${Fn.Arn}` for `!GetAtt`).
fn resource_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A stored definition for an exported template: each Task that calls a node gets the
/// integration `arn` gives for it (its `Resource`, and `Parameters` naming the exported
/// resource); everything else stays as written. Probabilities and the other settings have
/// no place in ASL and stay in the template's Surge metadata.
pub fn to_asl(
    definition: &Value,
    simulation: &Simulation,
    arn: &dyn Fn(&str) -> (String, Value),
) -> Value {
    let mut asl = definition.clone();
    for (state, node) in &simulation.tasks {
        let (resource, params) = arn(node);
        let Some(s) = state_mut(&mut asl, state) else {
            continue;
        };
        s["Resource"] = json!(resource);
        let mut merged = s
            .get("Parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Value::Object(p) = params {
            for (k, v) in p {
                merged.insert(k, v);
            }
        }
        s["Parameters"] = Value::Object(merged);
    }
    asl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_asl_is_kept_and_its_tasks_resolved() {
        let asl: Value = serde_json::from_str(
            r#"{"Comment":"orders","StartAt":"Validate","States":{
              "Validate":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                "Parameters":{"FunctionName":"arn:aws:lambda:us-east-1:1:function:validate","Payload.$":"$"},
                "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":2,"MaxAttempts":6,"BackoffRate":2}],
                "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}],"Next":"Route"},
              "Route":{"Type":"Choice","Choices":[{"Variable":"$.big","BooleanEquals":true,"Next":"Fan"}],"Default":"Done"},
              "Fan":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":5,"ItemProcessor":{"StartAt":"One","States":{"One":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","End":true}}},"Next":"Done"},
              "Done":{"Type":"Succeed"},
              "Failed":{"Type":"Fail","Error":"OrderFailed"}}}"#,
        )
        .expect("json");
        let t = translate(&asl, &|resource, params| {
            (resource.contains("lambda:invoke")
                && params["FunctionName"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(":validate")))
            .then(|| "validate".to_owned())
        })
        .expect("translated");
        assert_eq!(t.definition, asl, "kept as written");
        assert_eq!(t.simulation.tasks["Validate"], "validate");
        assert_eq!(t.calls, ["validate"]);
        for said in ["Fan", "Route", "`One` calls `arn:aws:states:::sns:publish`"] {
            assert!(
                t.notes.iter().any(|n| n.contains(said)),
                "{said}: {:?}",
                t.notes
            );
        }
    }

    #[test]
    fn what_cannot_be_read_names_the_state() {
        let asl = json!({"StartAt":"X","States":{"X":{"Type":"Teleport"}}});
        let e = translate(&asl, &|_, _| None).expect_err("refused");
        assert!(e.contains("States.X") && e.contains("Teleport"), "{e}");
    }

    #[test]
    fn an_export_points_each_task_at_its_resource_and_keeps_the_rest() {
        let asl = json!({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","Parameters":{"FunctionName":"f","Payload.$":"$"},"Comment":"kept","End":true}}});
        let mut sim = Simulation::default();
        sim.tasks.insert("T".into(), "f".into());
        let out = to_asl(&asl, &sim, &|node| {
            (
                "arn:aws:states:::lambda:invoke".into(),
                json!({"FunctionName": {"Fn::GetAtt": [node, "Arn"]}}),
            )
        });
        assert_eq!(
            out["States"]["T"]["Resource"],
            "arn:aws:states:::lambda:invoke"
        );
        assert_eq!(
            out["States"]["T"]["Parameters"]["FunctionName"]["Fn::GetAtt"][0],
            "f"
        );
        assert_eq!(out["States"]["T"]["Parameters"]["Payload.$"], "$");
        assert_eq!(out["States"]["T"]["Comment"], "kept");
    }
}
