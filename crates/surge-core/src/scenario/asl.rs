//! Amazon States Language as the stored form of a state machine, with Surge's simulation
//! settings beside it.
//!
//! Why ASL verbatim and settings apart: users bring their definitions from the console
//! or a template and take them back. A definition kept as written (conditions, paths,
//! `Parameters`, comments) round-trips; what a load simulation needs and ASL cannot say
//! lives in [`Simulation`], keyed by state name (ASL names are unique in a whole
//! machine): which diagram node a Task calls, each Choice rule's probability, how many
//! items a Map gets, how long an unmodelled Task or an input-timed Wait takes.
//!
//! [`compile`] turns the pair into the engine's [`Definition`]. What cannot be simulated
//! is refused naming the state and the reason ([`AslError`]).

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::workflows::{Catcher, ChoiceRule, Definition, Jitter, Retrier, State};

/// Items a Map iterates over when neither the settings nor an `Items` array say.
pub const DEFAULT_MAP_ITEMS: u32 = 10;
/// Seconds a Wait takes when its time comes from the input (`SecondsPath`, timestamps).
pub const DEFAULT_INPUT_WAIT_S: f64 = 1.0;
/// Deepest nesting of Parallel branches and Map processors read.
pub const MAX_ASL_DEPTH: usize = 16;

/// What a load simulation needs that ASL cannot say, by state name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Simulation {
    /// The diagram node each Task calls (a function, a table or a service wired to the
    /// machine). A Task not listed calls nothing Surge models and takes its `seconds`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tasks: BTreeMap<String, String>,
    /// Each Choice rule's probability, in the order of `Choices` (they sum to at most 1;
    /// `Default` takes the rest). Not listed: the rules and the default share equally.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub choices: BTreeMap<String, Vec<f64>>,
    /// Items a Map state iterates over. Not listed: its `Items` array's length, else 10.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub map_items: BTreeMap<String, u32>,
    /// Seconds a Task that calls no modelled node takes (default 0), or a Wait timed by
    /// its input takes (default 1).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub seconds: BTreeMap<String, f64>,
}

impl Simulation {
    /// No setting at all.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
            && self.choices.is_empty()
            && self.map_items.is_empty()
            && self.seconds.is_empty()
    }
}

/// ASL that cannot be simulated: where (below the definition, e.g. `States.Pay.Retry`)
/// and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AslError {
    /// Path below the definition, in ASL's own field names.
    pub path: String,
    /// The reason, naming the state.
    pub reason: String,
}

impl AslError {
    fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        AslError {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Where each state sits in the ASL, by name: its path below the definition
/// (`States.Fan.Branches[0].States.One`).
pub type StatePaths = BTreeMap<String, String>;

/// Compiles an ASL definition and its settings into the engine's form.
pub fn compile(asl: &Value, sim: &Simulation) -> Result<Definition, AslError> {
    compile_with_paths(asl, sim).map(|(d, _)| d)
}

/// [`compile`], also returning where each state is.
pub fn compile_with_paths(
    asl: &Value,
    sim: &Simulation,
) -> Result<(Definition, StatePaths), AslError> {
    let mut paths = StatePaths::new();
    let d = definition(asl, sim, "", 0, &mut paths)?;
    Ok((d, paths))
}

fn definition(
    asl: &Value,
    sim: &Simulation,
    at: &str,
    depth: usize,
    paths: &mut StatePaths,
) -> Result<Definition, AslError> {
    let here = |field: &str| {
        if at.is_empty() {
            field.to_owned()
        } else {
            format!("{at}.{field}")
        }
    };
    if depth > MAX_ASL_DEPTH {
        return Err(AslError::new(
            at,
            format!("state machines nested deeper than {MAX_ASL_DEPTH} levels are not read"),
        ));
    }
    if !asl.is_object() {
        return Err(AslError::new(
            at,
            "a definition is an object with `StartAt` and `States`",
        ));
    }
    let start_at = asl
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or_else(|| AslError::new(here("StartAt"), "the definition has no `StartAt`"))?;
    let states = asl
        .get("States")
        .and_then(Value::as_object)
        .ok_or_else(|| AslError::new(here("States"), "the definition has no `States` object"))?;
    let mut out = BTreeMap::new();
    for (name, s) in states {
        let path = format!("{}.{name}", here("States"));
        if paths.insert(name.clone(), path.clone()).is_some() {
            return Err(AslError::new(
                path,
                format!("a second state named `{name}`: names are unique in a whole state machine"),
            ));
        }
        out.insert(name.clone(), state(name, s, sim, &path, depth, paths)?);
    }
    Ok(Definition {
        start_at: start_at.to_owned(),
        states: out,
    })
}

fn next_of(s: &Value) -> Option<String> {
    s.get("Next").and_then(Value::as_str).map(str::to_owned)
}

fn state(
    name: &str,
    s: &Value,
    sim: &Simulation,
    at: &str,
    depth: usize,
    paths: &mut StatePaths,
) -> Result<State, AslError> {
    let kind = s.get("Type").and_then(Value::as_str).ok_or_else(|| {
        AslError::new(
            format!("{at}.Type"),
            format!("state `{name}` has no `Type`"),
        )
    })?;
    let refuse_retry = |what: &str| -> Result<(), AslError> {
        if s.get("Retry")
            .is_some_and(|r| r.as_array().is_some_and(|a| !a.is_empty()))
        {
            return Err(AslError::new(
                format!("{at}.Retry"),
                format!(
                    "{what} `{name}` has a Retry: Surge simulates Retry on Task states only (retry inside the {})",
                    if what == "Map" {
                        "item processor"
                    } else {
                        "branches"
                    }
                ),
            ));
        }
        Ok(())
    };
    Ok(match kind {
        "Task" => match sim.tasks.get(name).filter(|n| !n.is_empty()) {
            Some(node) => State::Task {
                resource: node.clone(),
                retry: retriers(s, at)?,
                catch: catchers(s, at)?,
                next: next_of(s),
            },
            None => State::Wait {
                seconds: sim.seconds.get(name).copied().unwrap_or(0.0),
                next: next_of(s),
            },
        },
        "Pass" => State::Wait {
            seconds: 0.0,
            next: next_of(s),
        },
        "Wait" => State::Wait {
            seconds: match s.get("Seconds") {
                Some(v) => v.as_f64().ok_or_else(|| {
                    AslError::new(
                        format!("{at}.Seconds"),
                        format!("Wait `{name}`: `Seconds` is a number"),
                    )
                })?,
                None => sim
                    .seconds
                    .get(name)
                    .copied()
                    .unwrap_or(DEFAULT_INPUT_WAIT_S),
            },
            next: next_of(s),
        },
        "Choice" => {
            let rules = match s.get("Choices") {
                None => Vec::new(),
                Some(v) => v.as_array().cloned().ok_or_else(|| {
                    AslError::new(
                        format!("{at}.Choices"),
                        format!("Choice `{name}`: `Choices` is a list"),
                    )
                })?,
            };
            let mut targets = Vec::with_capacity(rules.len());
            for (k, r) in rules.iter().enumerate() {
                targets.push(next_of(r).ok_or_else(|| {
                    AslError::new(
                        format!("{at}.Choices[{k}].Next"),
                        format!("Choice `{name}`: rule {} has no `Next`", k + 1),
                    )
                })?);
            }
            let default = s.get("Default").and_then(Value::as_str).map(str::to_owned);
            let shares = targets.len() + usize::from(default.is_some());
            let probabilities: Vec<f64> = match sim.choices.get(name) {
                Some(p) => p.clone(),
                None if shares == 0 => Vec::new(),
                None => vec![1.0 / shares as f64; targets.len()],
            };
            let mut choices: Vec<ChoiceRule> = targets
                .iter()
                .enumerate()
                .map(|(k, t)| ChoiceRule {
                    probability: probabilities.get(k).copied().unwrap_or(0.0),
                    next: t.clone(),
                })
                .collect();
            // Without a Default, the last rule takes what the others leave.
            let default = match default {
                Some(d) => d,
                None => match choices.pop() {
                    Some(last) => last.next,
                    None => {
                        return Err(AslError::new(
                            format!("{at}.Choices"),
                            format!("Choice `{name}` has neither rules nor a `Default`"),
                        ));
                    }
                },
            };
            State::Choice { choices, default }
        }
        "Parallel" => {
            refuse_retry("Parallel")?;
            let list = s.get("Branches").and_then(Value::as_array).ok_or_else(|| {
                AslError::new(
                    format!("{at}.Branches"),
                    format!("Parallel `{name}` has no `Branches` list"),
                )
            })?;
            let mut branches = Vec::with_capacity(list.len());
            for (k, b) in list.iter().enumerate() {
                branches.push(definition(
                    b,
                    sim,
                    &format!("{at}.Branches[{k}]"),
                    depth + 1,
                    paths,
                )?);
            }
            State::Parallel {
                branches,
                catch: catchers(s, at)?,
                next: next_of(s),
            }
        }
        "Map" => {
            refuse_retry("Map")?;
            let (key, processor) = match (s.get("ItemProcessor"), s.get("Iterator")) {
                (Some(p), _) => ("ItemProcessor", p),
                (None, Some(p)) => ("Iterator", p),
                (None, None) => {
                    return Err(AslError::new(
                        format!("{at}.ItemProcessor"),
                        format!("Map `{name}` has no `ItemProcessor`"),
                    ));
                }
            };
            let items = match sim.map_items.get(name) {
                Some(n) => *n,
                None => s
                    .get("Items")
                    .and_then(Value::as_array)
                    .map_or(DEFAULT_MAP_ITEMS, |a| {
                        u32::try_from(a.len()).unwrap_or(u32::MAX)
                    }),
            };
            let max_concurrency = match s.get("MaxConcurrency") {
                None => 0,
                Some(v) => v
                    .as_u64()
                    .map(|m| u32::try_from(m).unwrap_or(u32::MAX))
                    .ok_or_else(|| {
                        AslError::new(
                            format!("{at}.MaxConcurrency"),
                            format!("Map `{name}`: `MaxConcurrency` is a whole number"),
                        )
                    })?,
            };
            State::Map {
                items,
                max_concurrency,
                iterator: definition(processor, sim, &format!("{at}.{key}"), depth + 1, paths)?,
                catch: catchers(s, at)?,
                next: next_of(s),
            }
        }
        "Succeed" => State::Succeed,
        "Fail" => State::Fail {
            error: s
                .get("Error")
                .and_then(Value::as_str)
                .unwrap_or("States.Fail")
                .to_owned(),
        },
        other => {
            return Err(AslError::new(
                format!("{at}.Type"),
                format!("state `{name}` has an unknown `Type` `{other}`"),
            ));
        }
    })
}

fn error_names(v: Option<&Value>, at: &str) -> Result<Vec<String>, AslError> {
    let Some(v) = v else {
        return Err(AslError::new(at, "`ErrorEquals` is required"));
    };
    v.as_array()
        .and_then(|a| a.iter().map(|e| e.as_str().map(str::to_owned)).collect())
        .ok_or_else(|| AslError::new(at, "`ErrorEquals` is a list of error names"))
}

fn number(r: &Value, key: &str, at: &str) -> Result<Option<f64>, AslError> {
    match r.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| AslError::new(format!("{at}.{key}"), format!("`{key}` is a number"))),
    }
}

/// A state's optional list field (`Retry`, `Catch`): empty when absent.
fn list_of<'a>(s: &'a Value, key: &str, at: &str) -> Result<&'a [Value], AslError> {
    match s.get(key) {
        None => Ok(&[]),
        Some(v) => v
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| AslError::new(format!("{at}.{key}"), format!("`{key}` is a list"))),
    }
}

fn retriers(s: &Value, at: &str) -> Result<Vec<Retrier>, AslError> {
    let list = list_of(s, "Retry", at)?;
    let mut out = Vec::with_capacity(list.len());
    for (k, r) in list.iter().enumerate() {
        let here = format!("{at}.Retry[{k}]");
        let d = Retrier::default();
        let attempts = number(r, "MaxAttempts", &here)?;
        out.push(Retrier {
            error_equals: error_names(r.get("ErrorEquals"), &format!("{here}.ErrorEquals"))?,
            interval_seconds: number(r, "IntervalSeconds", &here)?.unwrap_or(d.interval_seconds),
            max_attempts: match attempts {
                None => d.max_attempts,
                Some(a) if a >= 0.0 && a.fract() == 0.0 && a <= f64::from(u32::MAX) => a as u32,
                Some(_) => {
                    return Err(AslError::new(
                        format!("{here}.MaxAttempts"),
                        "`MaxAttempts` is a whole number ≥ 0",
                    ));
                }
            },
            backoff_rate: number(r, "BackoffRate", &here)?.unwrap_or(d.backoff_rate),
            max_delay_seconds: number(r, "MaxDelaySeconds", &here)?,
            jitter_strategy: match r.get("JitterStrategy").and_then(Value::as_str) {
                None | Some("NONE") => Jitter::None,
                Some("FULL") => Jitter::Full,
                Some(other) => {
                    return Err(AslError::new(
                        format!("{here}.JitterStrategy"),
                        format!("`JitterStrategy` is FULL or NONE, found `{other}`"),
                    ));
                }
            },
        });
    }
    Ok(out)
}

fn catchers(s: &Value, at: &str) -> Result<Vec<Catcher>, AslError> {
    let list = list_of(s, "Catch", at)?;
    let mut out = Vec::with_capacity(list.len());
    for (k, c) in list.iter().enumerate() {
        let here = format!("{at}.Catch[{k}]");
        out.push(Catcher {
            error_equals: error_names(c.get("ErrorEquals"), &format!("{here}.ErrorEquals"))?,
            next: next_of(c)
                .ok_or_else(|| AslError::new(format!("{here}.Next"), "a catcher needs `Next`"))?,
        });
    }
    Ok(out)
}

/// The Task `Resource` and `Parameters` that call a node of `kind` named `node` through
/// Step Functions' service integrations (the optimised Lambda invoke, DynamoDB PutItem,
/// the HTTP task for a third-party API).
pub fn task_call(kind: &str, node: &str) -> (String, Value) {
    match kind {
        "dynamodb" => (
            "arn:aws:states:::dynamodb:putItem".into(),
            json!({ "TableName": node, "Item": { "pk": { "S.$": "$.id" } } }),
        ),
        "service" => (
            "arn:aws:states:::http:invoke".into(),
            json!({ "ApiEndpoint": format!("https://{node}.example.com"), "Method": "POST" }),
        ),
        _ => (
            "arn:aws:states:::lambda:invoke".into(),
            json!({ "FunctionName": node, "Payload.$": "$" }),
        ),
    }
}

/// The ASL and settings of an engine-form definition (how version 5 files and tests that
/// build a [`Definition`] reach the stored form). `kind_of` names a node's kind for its
/// Task's integration. Names repeated in different branches (allowed before ASL) get a
/// number, so every name is unique in the machine.
pub fn to_asl(d: &Definition, kind_of: &dyn Fn(&str) -> Option<String>) -> (Value, Simulation) {
    let mut sim = Simulation::default();
    let mut taken = BTreeSet::new();
    let mut asl = scope_to_asl(d, kind_of, &mut sim, &mut taken);
    canonical_numbers(&mut asl);
    (asl, sim)
}

fn scope_to_asl(
    d: &Definition,
    kind_of: &dyn Fn(&str) -> Option<String>,
    sim: &mut Simulation,
    taken: &mut BTreeSet<String>,
) -> Value {
    // This scope's names, made unique in the machine.
    let mut rename: BTreeMap<&str, String> = BTreeMap::new();
    for name in d.states.keys() {
        let mut unique = name.clone();
        let mut n = 2;
        while taken.contains(&unique) {
            unique = format!("{name} {n}");
            n += 1;
        }
        taken.insert(unique.clone());
        rename.insert(name, unique);
    }
    let to = |n: &str| rename.get(n).cloned().unwrap_or_else(|| n.to_owned());
    let mut states = Map::new();
    for (name, s) in &d.states {
        let me = to(name);
        let mut o = Map::new();
        let next = |o: &mut Map<String, Value>, n: &Option<String>| match n {
            Some(n) => {
                o.insert("Next".into(), json!(to(n)));
            }
            None => {
                o.insert("End".into(), json!(true));
            }
        };
        let catch = |o: &mut Map<String, Value>, c: &[Catcher]| {
            if !c.is_empty() {
                let list: Vec<Value> = c
                    .iter()
                    .map(|c| json!({ "ErrorEquals": c.error_equals, "Next": to(&c.next) }))
                    .collect();
                o.insert("Catch".into(), Value::Array(list));
            }
        };
        match s {
            State::Task {
                resource,
                retry,
                catch: c,
                next: n,
            } => {
                let (arn, params) =
                    task_call(kind_of(resource).as_deref().unwrap_or("lambda"), resource);
                o.insert("Type".into(), json!("Task"));
                o.insert("Resource".into(), json!(arn));
                o.insert("Parameters".into(), params);
                if !retry.is_empty() {
                    o.insert(
                        "Retry".into(),
                        Value::Array(retry.iter().map(retrier_to_asl).collect()),
                    );
                }
                catch(&mut o, c);
                next(&mut o, n);
                sim.tasks.insert(me.clone(), resource.clone());
            }
            State::Choice { choices, default } => {
                o.insert("Type".into(), json!("Choice"));
                let rules: Vec<Value> = choices
                    .iter()
                    .enumerate()
                    .map(|(k, c)| json!({ "Variable": "$.branch", "NumericEquals": k, "Next": to(&c.next) }))
                    .collect();
                o.insert("Choices".into(), Value::Array(rules));
                o.insert("Default".into(), json!(to(default)));
                sim.choices
                    .insert(me.clone(), choices.iter().map(|c| c.probability).collect());
            }
            State::Wait { seconds, next: n } => {
                o.insert("Type".into(), json!("Wait"));
                o.insert("Seconds".into(), json!(seconds));
                next(&mut o, n);
            }
            State::Parallel {
                branches,
                catch: c,
                next: n,
            } => {
                o.insert("Type".into(), json!("Parallel"));
                let list: Vec<Value> = branches
                    .iter()
                    .map(|b| scope_to_asl(b, kind_of, sim, taken))
                    .collect();
                o.insert("Branches".into(), Value::Array(list));
                catch(&mut o, c);
                next(&mut o, n);
            }
            State::Map {
                items,
                max_concurrency,
                iterator,
                catch: c,
                next: n,
            } => {
                o.insert("Type".into(), json!("Map"));
                o.insert("ItemsPath".into(), json!("$.items"));
                o.insert("MaxConcurrency".into(), json!(max_concurrency));
                let mut processor = scope_to_asl(iterator, kind_of, sim, taken);
                if let Some(p) = processor.as_object_mut() {
                    let mut with_mode = Map::new();
                    with_mode.insert("ProcessorConfig".into(), json!({ "Mode": "INLINE" }));
                    with_mode.append(p);
                    processor = Value::Object(with_mode);
                }
                o.insert("ItemProcessor".into(), processor);
                catch(&mut o, c);
                next(&mut o, n);
                sim.map_items.insert(me.clone(), *items);
            }
            State::Succeed => {
                o.insert("Type".into(), json!("Succeed"));
            }
            State::Fail { error } => {
                o.insert("Type".into(), json!("Fail"));
                o.insert("Error".into(), json!(error));
            }
        }
        states.insert(me, Value::Object(o));
    }
    json!({ "StartAt": to(&d.start_at), "States": states })
}

/// One Retry entry in ASL, leaving out what equals ASL's defaults.
pub fn retrier_to_asl(r: &Retrier) -> Value {
    let d = Retrier::default();
    let mut o = Map::new();
    o.insert("ErrorEquals".into(), json!(r.error_equals));
    if r.interval_seconds != d.interval_seconds {
        o.insert("IntervalSeconds".into(), json!(r.interval_seconds));
    }
    if r.max_attempts != d.max_attempts {
        o.insert("MaxAttempts".into(), json!(r.max_attempts));
    }
    if r.backoff_rate != d.backoff_rate {
        o.insert("BackoffRate".into(), json!(r.backoff_rate));
    }
    if let Some(m) = r.max_delay_seconds {
        o.insert("MaxDelaySeconds".into(), json!(m));
    }
    if r.jitter_strategy == Jitter::Full {
        o.insert("JitterStrategy".into(), json!("FULL"));
    }
    Value::Object(o)
}

/// One scope of a definition (the top level, a Parallel branch, a Map's processor): its
/// JSON pointer and its path below the definition as validation writes it ("" for the
/// top level, `States.P.Branches[0]`).
struct Scope {
    pointer: String,
    path: String,
    depth: usize,
}

/// Every scope of a definition, outermost first, at most [`MAX_ASL_DEPTH`] deep. The one
/// walk over nesting that finding, naming and listing states share.
fn scopes(asl: &Value) -> Vec<Scope> {
    let mut out = vec![Scope {
        pointer: String::new(),
        path: String::new(),
        depth: 0,
    }];
    let mut k = 0;
    while k < out.len() {
        let (pointer, path, depth) = (
            out[k].pointer.clone(),
            out[k].path.clone(),
            out[k].depth + 1,
        );
        k += 1;
        if depth > MAX_ASL_DEPTH {
            continue;
        }
        let Some(states) = asl
            .pointer(&pointer)
            .and_then(|v| v.get("States"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let at = |rest: &str| {
            if path.is_empty() {
                rest.to_owned()
            } else {
                format!("{path}.{rest}")
            }
        };
        for (name, st) in states {
            let here = format!("{pointer}/States/{}", pointer_escape(name));
            for (b, _) in st
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                out.push(Scope {
                    pointer: format!("{here}/Branches/{b}"),
                    path: at(&format!("States.{name}.Branches[{b}]")),
                    depth,
                });
            }
            for key in ["ItemProcessor", "Iterator"] {
                if st.get(key).is_some() {
                    out.push(Scope {
                        pointer: format!("{here}/{key}"),
                        path: at(&format!("States.{name}.{key}")),
                        depth,
                    });
                    break;
                }
            }
        }
    }
    out
}

/// The scope that holds the state `name`.
fn scope_of(asl: &Value, name: &str) -> Option<Scope> {
    scopes(asl).into_iter().find(|sc| {
        asl.pointer(&sc.pointer)
            .and_then(|v| v.get("States"))
            .is_some_and(|st| st.get(name).is_some())
    })
}

/// The state object named `name`, wherever it is nested.
pub fn state_mut<'a>(asl: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    let sc = scope_of(asl, name)?;
    asl.pointer_mut(&format!("{}/States/{}", sc.pointer, pointer_escape(name)))
}

/// The state object named `name`, wherever it is nested.
pub fn find_state<'a>(asl: &'a Value, name: &str) -> Option<&'a Value> {
    let sc = scope_of(asl, name)?;
    asl.pointer(&sc.pointer)?.get("States")?.get(name)
}

/// Where the state named `name` is, below the definition (`States.P.Branches[0].States.X`).
pub fn state_path(asl: &Value, name: &str) -> Option<String> {
    let sc = scope_of(asl, name)?;
    Some(if sc.path.is_empty() {
        format!("States.{name}")
    } else {
        format!("{}.States.{name}", sc.path)
    })
}

/// The names of the states in the same scope as `name` (where its `Next` and catchers
/// may lead), `name` included.
pub fn scope_names(asl: &Value, name: &str) -> Vec<String> {
    scope_of(asl, name)
        .and_then(|sc| {
            asl.pointer(&sc.pointer)?
                .get("States")?
                .as_object()
                .map(|m| m.keys().cloned().collect())
        })
        .unwrap_or_default()
}

/// The integration parameters that name a Task's node (`FunctionName`, `TableName`).
pub const NAMING_PARAMETERS: [&str; 2] = ["FunctionName", "TableName"];

/// Every state with its `Type` ("" when it has none), nested ones included.
pub fn state_types(asl: &Value) -> Vec<(String, String)> {
    scopes(asl)
        .iter()
        .filter_map(|sc| asl.pointer(&sc.pointer)?.get("States")?.as_object())
        .flat_map(|states| {
            states.iter().map(|(name, st)| {
                let ty = st.get("Type").and_then(Value::as_str).unwrap_or("");
                (name.clone(), ty.to_owned())
            })
        })
        .collect()
}

/// Every state name in the machine, nested ones included.
pub fn state_names(asl: &Value) -> Vec<String> {
    state_types(asl).into_iter().map(|(name, _)| name).collect()
}

/// Adds a Task calling `node` (of `kind`) at the start of the machine's top level, named
/// `Call <node>` (numbered if taken). Returns its name.
pub fn prepend_task(asl: &mut Value, sim: &mut Simulation, kind: &str, node: &str) -> String {
    let names = state_names(asl);
    let want = format!("Call {node}");
    let name = if names.contains(&want) {
        (2..)
            .map(|n| format!("{want} {n}"))
            .find(|s| !names.contains(s))
            .unwrap_or(want)
    } else {
        want
    };
    let (arn, params) = task_call(kind, node);
    let mut task = Map::new();
    task.insert("Type".into(), json!("Task"));
    task.insert("Resource".into(), json!(arn));
    task.insert("Parameters".into(), params);
    match asl.get("StartAt").and_then(Value::as_str) {
        Some(start)
            if asl
                .pointer(&format!("/States/{}", pointer_escape(start)))
                .is_some() =>
        {
            task.insert("Next".into(), json!(start));
        }
        _ => {
            task.insert("End".into(), json!(true));
        }
    }
    if !asl.is_object() {
        *asl = json!({});
    }
    if !asl.get("States").is_some_and(Value::is_object) {
        asl["States"] = json!({});
    }
    // The new Task first, so a reader sees the machine in its order.
    let old = asl["States"].as_object().cloned().unwrap_or_default();
    let mut states = Map::new();
    states.insert(name.clone(), Value::Object(task));
    for (k, v) in old {
        states.insert(k, v);
    }
    asl["States"] = Value::Object(states);
    asl["StartAt"] = json!(name);
    sim.tasks.insert(name.clone(), node.to_owned());
    name
}

/// Removes the top-level Tasks that call `node` and are reached only through `Next` (or
/// start the machine), linking what led to each to what it led to. Other Tasks calling
/// `node` lose their call (they then take no time) and stay for the user to rewire.
pub fn remove_tasks_calling(asl: &mut Value, sim: &mut Simulation, node: &str) {
    let calling: Vec<String> = sim
        .tasks
        .iter()
        .filter(|(_, n)| n.as_str() == node)
        .map(|(s, _)| s.clone())
        .collect();
    for name in calling {
        sim.tasks.remove(&name);
        sim.seconds.remove(&name);
        let Some(states) = asl.get_mut("States").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(next) = states.get(&name).and_then(next_of) else {
            continue;
        };
        let pointed_otherwise = states.values().any(|s| {
            s.get("Default").and_then(Value::as_str) == Some(name.as_str())
                || ["Choices", "Catch"].iter().any(|k| {
                    s.get(*k).and_then(Value::as_array).is_some_and(|a| {
                        a.iter()
                            .any(|r| r.get("Next").and_then(Value::as_str) == Some(name.as_str()))
                    })
                })
        });
        if pointed_otherwise {
            continue;
        }
        states.remove(&name);
        for s in states.values_mut() {
            if s.get("Next").and_then(Value::as_str) == Some(name.as_str()) {
                s["Next"] = json!(next);
            }
        }
        if asl.get("StartAt").and_then(Value::as_str) == Some(name.as_str()) {
            asl["StartAt"] = json!(next);
        }
    }
}

/// `s` escaped for a JSON pointer.
fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Whole numbers as integers, in place (`120.0` becomes `120`), so a definition compares
/// and encodes the same however its numbers were written (a share link writes `120`).
pub fn canonical_numbers(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64()
                && n.is_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *v = if f < 0.0 {
                    Value::from(f as i64)
                } else {
                    Value::from(f as u64)
                };
            }
        }
        Value::Array(a) => a.iter_mut().for_each(canonical_numbers),
        Value::Object(o) => o.values_mut().for_each(canonical_numbers),
        _ => {}
    }
}

/// Reads a definition with [`canonical_numbers`].
pub(crate) fn deserialize_asl<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    let mut v = Value::deserialize(d)?;
    canonical_numbers(&mut v);
    Ok(v)
}

/// The default definition: one Succeed state.
pub fn default_asl() -> Value {
    json!({ "StartAt": "Done", "States": { "Done": { "Type": "Succeed" } } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn console() -> Value {
        serde_json::from_str(
            r#"{"Comment":"orders","StartAt":"Validate","States":{
              "Validate":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                "Parameters":{"FunctionName":"validate","Payload.$":"$"},
                "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":2,"MaxAttempts":6,"BackoffRate":2,"JitterStrategy":"FULL"}],
                "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}],"Next":"Route"},
              "Route":{"Type":"Choice","Choices":[{"Variable":"$.big","BooleanEquals":true,"Next":"Fan"}],"Default":"Done"},
              "Fan":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":5,"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"One","States":{"One":{"Type":"Pass","End":true}}},"Next":"Done"},
              "Done":{"Type":"Succeed"},
              "Failed":{"Type":"Fail","Error":"OrderFailed"}}}"#,
        )
        .expect("json")
    }

    #[test]
    fn console_asl_compiles_with_settings_beside_it() {
        let mut sim = Simulation::default();
        sim.tasks.insert("Validate".into(), "validate".into());
        let d = compile(&console(), &sim).expect("compiles");
        assert_eq!(d.start_at, "Validate");
        let State::Task {
            resource,
            retry,
            catch,
            next,
        } = &d.states["Validate"]
        else {
            panic!("a task: {:?}", d.states["Validate"]);
        };
        assert_eq!(resource, "validate");
        assert_eq!(
            (retry[0].max_attempts, retry[0].jitter_strategy),
            (6, Jitter::Full)
        );
        assert_eq!(catch[0].next, "Failed");
        assert_eq!(next.as_deref(), Some("Route"));
        // One rule and a default: equal shares.
        let State::Choice { choices, default } = &d.states["Route"] else {
            panic!()
        };
        assert_eq!((choices[0].probability, default.as_str()), (0.5, "Done"));
        let State::Map {
            items,
            max_concurrency,
            iterator,
            ..
        } = &d.states["Fan"]
        else {
            panic!()
        };
        assert_eq!((*items, *max_concurrency), (DEFAULT_MAP_ITEMS, 5));
        assert_eq!(
            iterator.states["One"],
            State::Wait {
                seconds: 0.0,
                next: None
            }
        );
        assert_eq!(
            d.states["Failed"],
            State::Fail {
                error: "OrderFailed".into()
            }
        );
        // Settings change the simulation, not the ASL.
        sim.choices.insert("Route".into(), vec![0.9]);
        sim.map_items.insert("Fan".into(), 250);
        let d = compile(&console(), &sim).expect("compiles");
        let State::Choice { choices, .. } = &d.states["Route"] else {
            panic!()
        };
        assert_eq!(choices[0].probability, 0.9);
        let State::Map { items, .. } = &d.states["Fan"] else {
            panic!()
        };
        assert_eq!(*items, 250);
        // A Task calling nothing modelled takes its seconds.
        sim.tasks.clear();
        sim.seconds.insert("Validate".into(), 0.25);
        let d = compile(&console(), &sim).expect("compiles");
        assert_eq!(
            d.states["Validate"],
            State::Wait {
                seconds: 0.25,
                next: Some("Route".into())
            }
        );
    }

    #[test]
    fn what_cannot_be_simulated_is_refused_naming_the_state() {
        let cases = [
            (
                json!({"StartAt":"X","States":{"X":{"Type":"Teleport"}}}),
                "States.X.Type",
                "Teleport",
            ),
            (json!({"States":{}}), "StartAt", "StartAt"),
            (
                json!({"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[],"Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}),
                "States.P.Retry",
                "Parallel `P` has a Retry",
            ),
            (
                json!({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"P","States":{"P":{"Type":"Succeed"}}}]}}}),
                "States.P.Branches[0].States.P",
                "a second state named `P`",
            ),
            (
                json!({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","Retry":[{"ErrorEquals":["States.ALL"],"JitterStrategy":"SOME"}],"End":true}}}),
                "States.T.Retry[0].JitterStrategy",
                "FULL or NONE",
            ),
            (
                json!({"StartAt":"C","States":{"C":{"Type":"Choice"}}}),
                "States.C.Choices",
                "neither rules nor",
            ),
        ];
        for (asl, path, reason) in cases {
            let mut sim = Simulation::default();
            sim.tasks.insert("T".into(), "f".into());
            let e = compile(&asl, &sim).expect_err("refused");
            assert_eq!(e.path, path, "{e:?}");
            assert!(e.reason.contains(reason), "{e:?}");
        }
    }

    #[test]
    fn an_engine_definition_goes_to_asl_and_back_unchanged() {
        let mut sim = Simulation::default();
        sim.tasks.insert("Validate".into(), "validate".into());
        sim.choices.insert("Route".into(), vec![0.3]);
        let d = compile(&console(), &sim).expect("compiles");
        let (asl, back) = to_asl(&d, &|_| Some("lambda".into()));
        assert_eq!(compile(&asl, &back).expect("compiles again"), d);
        assert_eq!(back.tasks["Validate"], "validate");
        assert_eq!(back.map_items["Fan"], DEFAULT_MAP_ITEMS);
    }

    #[test]
    fn names_repeated_across_branches_are_made_unique() {
        let one = |name: &str| Definition {
            start_at: name.into(),
            states: [(name.to_owned(), State::Succeed)].into(),
        };
        let d = Definition {
            start_at: "P".into(),
            states: [(
                "P".to_owned(),
                State::Parallel {
                    branches: vec![one("A"), one("A")],
                    catch: vec![],
                    next: None,
                },
            )]
            .into(),
        };
        let (asl, sim) = to_asl(&d, &|_| None);
        assert_eq!(asl["States"]["P"]["Branches"][1]["StartAt"], "A 2");
        assert!(compile(&asl, &sim).is_ok());
    }

    #[test]
    fn nested_states_are_found_named_and_listed_by_scope() {
        let mut asl = json!({"StartAt":"Fan","States":{
            "Fan":{"Type":"Parallel","End":true,"Branches":[
                {"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
                {"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"Iterator":
                    {"StartAt":"Leaf","States":{"Leaf":{"Type":"Task","Resource":"x","Next":"Leaf2"},"Leaf2":{"Type":"Succeed"}}}}}}]},
            "a/b~c":{"Type":"Succeed"}}});
        assert_eq!(
            state_path(&asl, "Leaf").as_deref(),
            Some("States.Fan.Branches[1].States.Each.Iterator.States.Leaf")
        );
        assert_eq!(state_path(&asl, "Fan").as_deref(), Some("States.Fan"));
        assert_eq!(scope_names(&asl, "Leaf2"), ["Leaf", "Leaf2"]);
        assert_eq!(
            find_state(&asl, "a/b~c").and_then(|s| s.get("Type")),
            Some(&json!("Succeed"))
        );
        state_mut(&mut asl, "Leaf").expect("found")["Comment"] = json!("edited");
        assert_eq!(
            asl.pointer("/States/Fan/Branches/1/States/Each/Iterator/States/Leaf/Comment"),
            Some(&json!("edited"))
        );
        assert_eq!(
            state_names(&asl),
            ["Fan", "a/b~c", "A", "Each", "Leaf", "Leaf2"]
        );
        assert!(state_path(&asl, "Nope").is_none());
    }

    #[test]
    fn tasks_are_added_at_the_start_and_removed_with_their_node() {
        let mut asl = default_asl();
        let mut sim = Simulation::default();
        let a = prepend_task(&mut asl, &mut sim, "lambda", "f");
        let b = prepend_task(&mut asl, &mut sim, "dynamodb", "t");
        assert_eq!((a.as_str(), b.as_str()), ("Call f", "Call t"));
        assert_eq!(asl["StartAt"], "Call t");
        assert_eq!(asl["States"]["Call t"]["Next"], "Call f");
        assert_eq!(asl["States"]["Call t"]["Parameters"]["TableName"], "t");
        assert_eq!(state_names(&asl), ["Call t", "Call f", "Done"]);
        remove_tasks_calling(&mut asl, &mut sim, "f");
        assert_eq!(asl["States"]["Call t"]["Next"], "Done");
        assert!(asl["States"].get("Call f").is_none());
        remove_tasks_calling(&mut asl, &mut sim, "t");
        assert_eq!(asl["StartAt"], "Done");
        assert!(sim.is_empty());
        assert!(state_mut(&mut asl, "Done").is_some());
    }
}
