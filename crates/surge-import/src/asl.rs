//! Amazon States Language (as a template or the AWS console holds it) into Surge's state
//! machine definition.
//!
//! Why a translation and not the text itself: Surge simulates load, not data, so a Choice
//! becomes probabilities (equal shares, the default taking the rest), a Map's item count
//! comes from a setting (ten items unless told), a Pass or an unsimulated service call
//! takes no time, and a Task names the node it calls. What cannot be simulated is said,
//! naming the state and the reason; nothing is dropped silently.

use serde_json::{Map, Value, json};

/// Items a Map iterates over when the template cannot say (they come from the input).
pub const DEFAULT_MAP_ITEMS: u32 = 10;

/// What a Task's `Resource` (and its `Parameters`) point at, resolved by the caller: the
/// node id of a function, table or service, or none when Surge does not model it.
pub type ResolveTask<'a> = dyn Fn(&str, &Value) -> Option<String> + 'a;

/// The translation of one state machine.
#[derive(Debug, Default)]
pub struct Translated {
    /// Surge's definition (`start_at`, `states`).
    pub definition: Value,
    /// Nodes the Tasks call, in order of appearance, without repeats.
    pub calls: Vec<String>,
    /// What was approximated or left out, one sentence each.
    pub notes: Vec<String>,
}

/// Translates an ASL definition (`StartAt`, `States`).
pub fn translate(asl: &Value, resolve: &ResolveTask<'_>) -> Result<Translated, String> {
    let mut out = Translated::default();
    out.definition = definition(asl, resolve, &mut out, 0)?;
    Ok(out)
}

fn definition(
    asl: &Value,
    resolve: &ResolveTask<'_>,
    out: &mut Translated,
    depth: usize,
) -> Result<Value, String> {
    if depth > 16 {
        return Err("state machines nested deeper than 16 levels are not read".into());
    }
    let start = asl
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or("the definition has no `StartAt`")?;
    let states = asl
        .get("States")
        .and_then(Value::as_object)
        .ok_or("the definition has no `States`")?;
    let mut surge = Map::new();
    for (name, s) in states {
        surge.insert(name.clone(), state(name, s, resolve, out, depth)?);
    }
    Ok(json!({ "start_at": start, "states": surge }))
}

fn next_of(s: &Value) -> Option<String> {
    s.get("Next").and_then(Value::as_str).map(str::to_owned)
}

fn with_next(mut v: Value, s: &Value) -> Value {
    if let Some(n) = next_of(s) {
        v["next"] = Value::from(n);
    }
    v
}

fn state(
    name: &str,
    s: &Value,
    resolve: &ResolveTask<'_>,
    out: &mut Translated,
    depth: usize,
) -> Result<Value, String> {
    let kind = s
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("state `{name}` has no `Type`"))?;
    Ok(match kind {
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
                    let mut task = json!({ "type": "task", "resource": node });
                    let retry = retriers(s);
                    if !retry.is_empty() {
                        task["retry"] = Value::Array(retry);
                    }
                    let catch = catchers(s);
                    if !catch.is_empty() {
                        task["catch"] = Value::Array(catch);
                    }
                    with_next(task, s)
                }
                None => {
                    out.notes.push(format!(
                        "state `{name}` calls `{resource}`, which Surge does not simulate: it takes no time"
                    ));
                    with_next(json!({ "type": "wait", "seconds": 0 }), s)
                }
            }
        }
        "Pass" => with_next(json!({ "type": "wait", "seconds": 0 }), s),
        "Wait" => {
            let seconds = s.get("Seconds").and_then(Value::as_f64).unwrap_or_else(|| {
                out.notes.push(format!(
                    "state `{name}` waits for a time from its input: simulated as 1 s"
                ));
                1.0
            });
            with_next(json!({ "type": "wait", "seconds": seconds }), s)
        }
        "Choice" => {
            let rules = s
                .get("Choices")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let default = s.get("Default").and_then(Value::as_str).map(str::to_owned);
            let targets: Vec<String> = rules.iter().filter_map(next_of).collect();
            // Equal shares for the branches and the default; without a default, the
            // branches share everything and the last takes what rounding leaves.
            let shares = targets.len() + usize::from(default.is_some());
            let p = if shares == 0 {
                0.0
            } else {
                1.0 / shares as f64
            };
            let choices: Vec<Value> = targets
                .iter()
                .map(|t| json!({ "probability": p, "next": t }))
                .collect();
            let default = match (default, targets.last()) {
                (Some(d), _) => d,
                (None, Some(last)) => last.clone(),
                (None, None) => return Err(format!("Choice state `{name}` has no branch")),
            };
            if !targets.is_empty() {
                out.notes.push(format!(
                    "Choice `{name}`: each of its {shares} ways taken with equal probability (set them in the inspector)"
                ));
            }
            json!({ "type": "choice", "choices": choices, "default": default })
        }
        "Parallel" => {
            let branches = s
                .get("Branches")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("Parallel state `{name}` has no `Branches`"))?
                .iter()
                .map(|b| definition(b, resolve, out, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            let mut v = json!({ "type": "parallel", "branches": branches });
            let catch = catchers(s);
            if !catch.is_empty() {
                v["catch"] = Value::Array(catch);
            }
            with_next(v, s)
        }
        "Map" => {
            let iterator = s
                .get("ItemProcessor")
                .or_else(|| s.get("Iterator"))
                .ok_or_else(|| format!("Map state `{name}` has no `ItemProcessor`"))?;
            let distributed = iterator
                .pointer("/ProcessorConfig/Mode")
                .and_then(Value::as_str)
                == Some("DISTRIBUTED");
            if distributed {
                out.notes.push(format!(
                    "Map `{name}` is distributed: simulated as an inline Map"
                ));
            }
            let items = match s.get("Items").and_then(Value::as_array) {
                Some(a) => u32::try_from(a.len()).unwrap_or(u32::MAX),
                None => {
                    out.notes.push(format!(
                        "Map `{name}`: its items come from the input, simulated as {DEFAULT_MAP_ITEMS}"
                    ));
                    DEFAULT_MAP_ITEMS
                }
            };
            let max = s
                .get("MaxConcurrency")
                .and_then(Value::as_u64)
                .map_or(0, |m| u32::try_from(m).unwrap_or(u32::MAX));
            let mut v = json!({
                "type": "map",
                "items": items,
                "max_concurrency": max,
                "iterator": definition(iterator, resolve, out, depth + 1)?,
            });
            let catch = catchers(s);
            if !catch.is_empty() {
                v["catch"] = Value::Array(catch);
            }
            with_next(v, s)
        }
        "Succeed" => json!({ "type": "succeed" }),
        "Fail" => {
            let error = s
                .get("Error")
                .and_then(Value::as_str)
                .unwrap_or("States.Fail");
            json!({ "type": "fail", "error": error })
        }
        other => return Err(format!("state `{name}` has an unknown `Type` `{other}`")),
    })
}

/// A Resource as text: a string, or an intrinsic's text (`${Fn.Arn}` for `!GetAtt`).
fn resource_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn retriers(s: &Value) -> Vec<Value> {
    s.get("Retry")
        .and_then(Value::as_array)
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    let mut v = json!({
                        "error_equals": r.get("ErrorEquals").cloned().unwrap_or(json!(["States.ALL"])),
                    });
                    for (from, to) in [
                        ("IntervalSeconds", "interval_seconds"),
                        ("MaxAttempts", "max_attempts"),
                        ("BackoffRate", "backoff_rate"),
                        ("MaxDelaySeconds", "max_delay_seconds"),
                        ("JitterStrategy", "jitter_strategy"),
                    ] {
                        if let Some(x) = r.get(from) {
                            v[to] = x.clone();
                        }
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default()
}

fn catchers(s: &Value) -> Vec<Value> {
    s.get("Catch")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| {
                    Some(json!({
                        "error_equals": c.get("ErrorEquals").cloned().unwrap_or(json!(["States.ALL"])),
                        "next": c.get("Next")?.as_str()?,
                    }))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Surge's definition back into ASL, for an exported template: a Task calls its node
/// through the service integration of its kind (`arn` gives the node's integration and
/// its parameters); probabilities have no place in ASL and stay in the template's Surge
/// metadata.
pub fn to_asl(definition: &Value, arn: &dyn Fn(&str) -> (String, Value)) -> Value {
    let mut states = Map::new();
    if let Some(map) = definition.get("states").and_then(Value::as_object) {
        for (name, s) in map {
            states.insert(name.clone(), state_to_asl(s, arn));
        }
    }
    json!({ "StartAt": definition.get("start_at").cloned().unwrap_or(Value::Null), "States": states })
}

fn state_to_asl(s: &Value, arn: &dyn Fn(&str) -> (String, Value)) -> Value {
    let mut out = Map::new();
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "task" => {
            let (resource, params) = arn(s.get("resource").and_then(Value::as_str).unwrap_or(""));
            out.insert("Type".into(), json!("Task"));
            out.insert("Resource".into(), json!(resource));
            if !params.is_null() {
                out.insert("Parameters".into(), params);
            }
            if let Some(r) = s.get("retry").and_then(Value::as_array) {
                let rs: Vec<Value> = r
                    .iter()
                    .map(|r| {
                        let mut m = Map::new();
                        for (from, to) in [
                            ("error_equals", "ErrorEquals"),
                            ("interval_seconds", "IntervalSeconds"),
                            ("max_attempts", "MaxAttempts"),
                            ("backoff_rate", "BackoffRate"),
                            ("max_delay_seconds", "MaxDelaySeconds"),
                            ("jitter_strategy", "JitterStrategy"),
                        ] {
                            if let Some(v) = r.get(from) {
                                m.insert(to.into(), v.clone());
                            }
                        }
                        Value::Object(m)
                    })
                    .collect();
                out.insert("Retry".into(), Value::Array(rs));
            }
        }
        "choice" => {
            out.insert("Type".into(), json!("Choice"));
            let choices: Vec<Value> = s
                .get("choices")
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            json!({"Variable": "$.branch", "NumericEquals": i, "Next": c.get("next").cloned().unwrap_or(Value::Null)})
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.insert("Choices".into(), Value::Array(choices));
            out.insert(
                "Default".into(),
                s.get("default").cloned().unwrap_or(Value::Null),
            );
        }
        "wait" => {
            out.insert("Type".into(), json!("Wait"));
            out.insert(
                "Seconds".into(),
                s.get("seconds").cloned().unwrap_or(json!(0)),
            );
        }
        "parallel" => {
            out.insert("Type".into(), json!("Parallel"));
            let branches: Vec<Value> = s
                .get("branches")
                .and_then(Value::as_array)
                .map(|bs| bs.iter().map(|b| to_asl(b, arn)).collect())
                .unwrap_or_default();
            out.insert("Branches".into(), Value::Array(branches));
        }
        "map" => {
            out.insert("Type".into(), json!("Map"));
            out.insert("ItemsPath".into(), json!("$.items"));
            out.insert(
                "MaxConcurrency".into(),
                s.get("max_concurrency").cloned().unwrap_or(json!(0)),
            );
            let iterator = s
                .get("iterator")
                .map(|d| to_asl(d, arn))
                .unwrap_or(Value::Null);
            out.insert("ItemProcessor".into(), iterator);
        }
        "succeed" => {
            out.insert("Type".into(), json!("Succeed"));
        }
        "fail" => {
            out.insert("Type".into(), json!("Fail"));
            out.insert(
                "Error".into(),
                s.get("error").cloned().unwrap_or(json!("States.Fail")),
            );
        }
        _ => {}
    }
    if matches!(ty, "task" | "parallel" | "map") {
        if let Some(c) = s.get("catch").and_then(Value::as_array) {
            let cs: Vec<Value> = c
                .iter()
                .map(|c| json!({"ErrorEquals": c.get("error_equals").cloned().unwrap_or(Value::Null), "Next": c.get("next").cloned().unwrap_or(Value::Null)}))
                .collect();
            out.insert("Catch".into(), Value::Array(cs));
        }
    }
    if matches!(ty, "task" | "wait" | "parallel" | "map") {
        match s.get("next") {
            Some(n) => {
                out.insert("Next".into(), n.clone());
            }
            None => {
                out.insert("End".into(), json!(true));
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_asl_becomes_a_surge_definition() {
        let asl: Value = serde_json::from_str(
            r#"{"Comment":"orders","StartAt":"Validate","States":{
              "Validate":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                "Parameters":{"FunctionName":"arn:aws:lambda:us-east-1:1:function:validate","Payload.$":"$"},
                "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":2,"MaxAttempts":6,"BackoffRate":2}],
                "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}],"Next":"Route"},
              "Route":{"Type":"Choice","Choices":[{"Variable":"$.big","BooleanEquals":true,"Next":"Fan"}],"Default":"Done"},
              "Fan":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":5,"ItemProcessor":{"StartAt":"One","States":{"One":{"Type":"Pass","End":true}}},"Next":"Done"},
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
        let d = &t.definition;
        assert_eq!(d["start_at"], "Validate");
        assert_eq!(d["states"]["Validate"]["type"], "task");
        assert_eq!(d["states"]["Validate"]["resource"], "validate");
        assert_eq!(d["states"]["Validate"]["retry"][0]["max_attempts"], 6);
        assert_eq!(d["states"]["Validate"]["catch"][0]["next"], "Failed");
        assert_eq!(d["states"]["Route"]["choices"][0]["probability"], 0.5);
        assert_eq!(d["states"]["Fan"]["items"], DEFAULT_MAP_ITEMS);
        assert_eq!(
            d["states"]["Fan"]["iterator"]["states"]["One"]["type"],
            "wait"
        );
        assert_eq!(d["states"]["Failed"]["error"], "OrderFailed");
        assert_eq!(t.calls, ["validate"]);
        assert!(t.notes.iter().any(|n| n.contains("Fan")), "{:?}", t.notes);
    }

    #[test]
    fn what_cannot_be_read_names_the_state() {
        let asl = json!({"StartAt":"X","States":{"X":{"Type":"Teleport"}}});
        let e = translate(&asl, &|_, _| None).expect_err("refused");
        assert!(e.contains("`X`") && e.contains("Teleport"), "{e}");
    }
}
