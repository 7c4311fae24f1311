//! A state machine's graph in the inspector, and the form of the state picked in it:
//! which node a Task calls, its Retry and Catch lists, a Choice's probabilities, a Map's
//! items and concurrency, a Wait's seconds, a Fail's error.
//!
//! Why a graph and forms over raw JSON: a definition reads as a flow, and Retry and Catch
//! are where workflows go wrong; the forms write standard ASL (or the simulation settings
//! beside it), so what the user builds goes back to the console as it is.

use std::rc::Rc;

use serde_json::{Value, json};
use surge_core::StateMachineParams;
use surge_core::asl::{DEFAULT_INPUT_WAIT_S, DEFAULT_MAP_ITEMS, find_state, state_mut};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::Commit;
use crate::editor::state_graph::{ArrowKind, Layout, StateBox, layout};

/// Props of [`StateGraph`].
#[derive(Properties, PartialEq, Clone, Debug)]
pub struct StateGraphProps {
    /// The machine's parameters.
    pub machine: Rc<StateMachineParams>,
    /// Nodes the machine is connected to (id, display name): what a Task may call.
    pub targets: Rc<Vec<(String, String)>>,
    /// Applies a change below the node (`params.definition`, `params.simulation.…`).
    pub on_commit: Commit,
    /// Seals the undo step.
    pub on_blur: Callback<()>,
    /// Locked by an open exercise.
    #[prop_or_default]
    pub locked: bool,
}

fn input_value(e: &Event) -> Option<String> {
    let t = e.target()?;
    if let Ok(i) = t.clone().dyn_into::<HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_into::<HtmlSelectElement>().ok().map(|s| s.value())
}

fn p(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| (*s).to_owned()).collect()
}

/// The graph, and the picked state's form.
#[function_component]
pub fn StateGraph(props: &StateGraphProps) -> Html {
    let picked = use_state(|| None::<String>);
    let refused = use_state(|| None::<String>);
    let m = &props.machine;
    let targets = props.targets.clone();
    let label = move |id: &str| {
        targets
            .iter()
            .find(|(t, _)| t == id)
            .map_or_else(|| id.to_owned(), |(_, l)| l.clone())
    };
    let l = layout(&m.definition, &m.simulation, &label);
    let pick = {
        let picked = picked.clone();
        let refused = refused.clone();
        Callback::from(move |name: String| {
            refused.set(None);
            picked.set(if picked.as_deref() == Some(name.as_str()) {
                None
            } else {
                Some(name)
            });
        })
    };
    // A picked state that is gone (undo, a paste) is forgotten.
    let current = picked
        .as_ref()
        .filter(|n| find_state(&m.definition, n).is_some())
        .cloned();
    let commit = {
        let on_commit = props.on_commit.clone();
        let refused = refused.clone();
        Callback::from(move |(path, value): (Vec<String>, Option<Value>)| {
            refused.set(on_commit.emit((path, value)).err());
        })
    };
    html! {
        <section class="state-graph-panel" aria-label="State machine graph">
            <h4>{ "Workflow" }</h4>
            <div class="state-graph" tabindex="0" role="region" aria-label="States of the workflow; pick one to edit it">
                { svg(&l, current.as_deref(), &pick) }
            </div>
            if let Some(name) = current {
                { state_form(props, &name, &commit) }
            } else {
                <p class="muted">{ "Pick a state to edit its Retry, Catch and timing. The ASL and the settings are below." }</p>
            }
            if let Some(r) = (*refused).clone() {
                <p class="refused-inline" role="alert">{ format!("Refused: {r}") }</p>
            }
        </section>
    }
}

fn svg(l: &Layout, picked: Option<&str>, pick: &Callback<String>) -> Html {
    let boxes = l.boxes.iter().map(|b| state_box(b, picked, pick));
    let arrows = l.arrows.iter().map(|a| {
        let [p0, p1, p2, p3] = a.points;
        let d = format!(
            "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            p0.0, p0.1, p1.0, p1.1, p2.0, p2.1, p3.0, p3.1
        );
        let (class, text) = match a.kind {
            ArrowKind::Next | ArrowKind::Terminal => ("sg-arrow", String::new()),
            ArrowKind::Catch => ("sg-arrow catch", "catch".to_owned()),
            ArrowKind::Rule(_, p) => ("sg-arrow rule", format!("{:.0} %", p * 100.0)),
            ArrowKind::Default(p) => ("sg-arrow rule", format!("default {:.0} %", p * 100.0)),
        };
        // The label sits where the curve is halfway.
        let mid = (
            0.125 * p0.0 + 0.375 * p1.0 + 0.375 * p2.0 + 0.125 * p3.0,
            0.125 * p0.1 + 0.375 * p1.1 + 0.375 * p2.1 + 0.125 * p3.1,
        );
        html! {
            <g class={class}>
                <path d={d} marker-end="url(#sg-head)" />
                if !text.is_empty() {
                    <text x={format!("{:.1}", mid.0 + 4.0)} y={format!("{:.1}", mid.1)} class="sg-arrow-label">{ text }</text>
                }
            </g>
        }
    });
    html! {
        <svg class="sg" width={format!("{:.0}", l.width)} height={format!("{:.0}", l.height)}
            viewBox={format!("0 0 {:.0} {:.0}", l.width, l.height)} role="group" aria-label="Workflow graph">
            <defs>
                <marker id="sg-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L10,5 L0,10 z" class="sg-head" />
                </marker>
            </defs>
            { for boxes }
            { for arrows }
        </svg>
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn state_box(b: &StateBox, picked: Option<&str>, pick: &Callback<String>) -> Html {
    if b.kind == "Start" || b.kind == "End" {
        return html! {
            <g class="sg-pill" aria-hidden="true">
                <rect x={format!("{:.1}", b.x)} y={format!("{:.1}", b.y)} width={format!("{:.1}", b.w)} height={format!("{:.1}", b.h)} rx="11" />
                <text x={format!("{:.1}", b.x + b.w / 2.0)} y={format!("{:.1}", b.y + 15.0)} text-anchor="middle">{ &b.kind }</text>
            </g>
        };
    }
    let selected = picked == Some(b.name.as_str());
    let class = classes!(
        "sg-state",
        format!("sg-{}", b.kind.to_ascii_lowercase()),
        b.frame.then_some("frame"),
        selected.then_some("selected")
    );
    let name = b.name.clone();
    let onclick = {
        let pick = pick.clone();
        let name = name.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            pick.emit(name.clone());
        })
    };
    let onkeydown = {
        let pick = pick.clone();
        let name = name.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                pick.emit(name.clone());
            }
        })
    };
    let badges = match (b.retries, b.catches) {
        (0, 0) => String::new(),
        (r, 0) => format!("↻{r}"),
        (0, c) => format!("⤳{c}"),
        (r, c) => format!("↻{r} ⤳{c}"),
    };
    let aria = format!(
        "{} state {}: {}{}",
        b.kind,
        b.name,
        b.summary,
        match (b.retries, b.catches) {
            (0, 0) => String::new(),
            (r, c) => format!(", {r} retriers, {c} catchers"),
        }
    );
    html! {
        <g {class} role="button" tabindex="0" aria-pressed={selected.to_string()}
            data-state={name.clone()} {onclick} {onkeydown}>
            // The title is the accessible name (the box's text may be cut to fit).
            <title>{ aria }</title>
            <rect x={format!("{:.1}", b.x)} y={format!("{:.1}", b.y)} width={format!("{:.1}", b.w)} height={format!("{:.1}", b.h)} rx="6" />
            <text x={format!("{:.1}", b.x + 8.0)} y={format!("{:.1}", b.y + 16.0)} class="sg-name">{ cut(&b.name, 19) }</text>
            <text x={format!("{:.1}", b.x + 8.0)} y={format!("{:.1}", b.y + 32.0)} class="sg-summary">
                { cut(&format!("{} · {}", b.kind, b.summary), if b.frame { 40 } else { 24 }) }
            </text>
            if !badges.is_empty() {
                <text x={format!("{:.1}", b.x + b.w - 6.0)} y={format!("{:.1}", b.y + 16.0)} text-anchor="end" class="sg-badge">{ badges }</text>
            }
        </g>
    }
}

/// The definition with `edit` applied to the state `name`, committed as one change.
fn edit_state(
    props: &StateGraphProps,
    commit: &Callback<(Vec<String>, Option<Value>)>,
    name: &str,
    edit: impl Fn(&mut Value, &str) + 'static,
) -> Callback<Event> {
    let definition = props.machine.definition.clone();
    let commit = commit.clone();
    let name = name.to_owned();
    Callback::from(move |e: Event| {
        let mut d = definition.clone();
        if let Some(s) = state_mut(&mut d, &name) {
            edit(s, &input_value(&e).unwrap_or_default());
            commit.emit((p(&["params", "definition"]), Some(d)));
        }
    })
}

fn number(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().map(|f| {
        if f.fract() == 0.0 && f.abs() < 9e15 {
            json!(f as i64)
        } else {
            json!(f)
        }
    })
}

fn names_list(text: &str) -> Value {
    let list: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if list.is_empty() {
        json!(["States.ALL"])
    } else {
        json!(list)
    }
}

/// Sets (to the number typed) or removes (when blank) `key` of entry `k` of a state's
/// list `list`.
fn set_entry(list: &'static str, k: usize, key: &'static str) -> impl Fn(&mut Value, &str) {
    move |s: &mut Value, typed: &str| {
        if let Some(entry) = s
            .get_mut(list)
            .and_then(|l| l.get_mut(k))
            .and_then(Value::as_object_mut)
        {
            match number(typed) {
                Some(v) => {
                    entry.insert(key.to_owned(), v);
                }
                None => {
                    entry.remove(key);
                }
            }
        }
    }
}

fn state_form(
    props: &StateGraphProps,
    name: &str,
    commit: &Callback<(Vec<String>, Option<Value>)>,
) -> Html {
    let m = &props.machine;
    let Some(s) = find_state(&m.definition, name) else {
        return html! {};
    };
    let kind = s
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let disabled = props.locked;
    let blur = {
        let b = props.on_blur.clone();
        Callback::from(move |_: FocusEvent| b.emit(()))
    };
    let id = |field: &str| {
        format!(
            "sg-{}-{field}",
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        )
    };
    let field = |label: &str, field_id: String, input: Html| {
        html! {
            <label class="param" for={field_id}>
                <span class="param-label">{ label.to_owned() }</span>
                <span class="field-input">{ input }</span>
            </label>
        }
    };
    let sim_commit = |path: Vec<String>| {
        let commit = commit.clone();
        Callback::from(move |e: Event| {
            let v = input_value(&e).unwrap_or_default();
            commit.emit((path.clone(), number(&v)));
        })
    };
    let mut body: Vec<Html> = Vec::new();
    match kind.as_str() {
        "Task" => {
            let calls = m.simulation.tasks.get(name).cloned().unwrap_or_default();
            let on_calls = {
                let commit = commit.clone();
                let path = p(&["params", "simulation", "tasks", name]);
                Callback::from(move |e: Event| {
                    let v = input_value(&e).unwrap_or_default();
                    commit.emit((path.clone(), (!v.is_empty()).then(|| json!(v))));
                })
            };
            body.push(field(
                "Calls",
                id("calls"),
                html! {
                    <select id={id("calls")} onchange={on_calls} {disabled}>
                        <option value="" selected={calls.is_empty()}>{ "nothing Surge models" }</option>
                        { for props.targets.iter().map(|(t, l)| html! {
                            <option value={t.clone()} selected={*t == calls}>{ l.clone() }</option>
                        }) }
                    </select>
                },
            ));
            if calls.is_empty() {
                let secs = m
                    .simulation
                    .seconds
                    .get(name)
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                body.push(field(
                    "Takes (s)",
                    id("seconds"),
                    html! { <input id={id("seconds")} type="number" min="0" step="any" placeholder="0" value={secs}
                        onchange={sim_commit(p(&["params", "simulation", "seconds", name]))} onblur={blur.clone()} {disabled} /> },
                ));
            }
            body.push(retry_form(props, name, s, commit, &id, disabled));
            body.push(catch_form(props, name, s, commit, &id, disabled));
        }
        "Parallel" => body.push(catch_form(props, name, s, commit, &id, disabled)),
        "Map" => {
            let items = m
                .simulation
                .map_items
                .get(name)
                .map(|v| v.to_string())
                .unwrap_or_default();
            body.push(field(
                "Items (simulated)",
                id("items"),
                html! { <input id={id("items")} type="number" min="0" step="1" placeholder={DEFAULT_MAP_ITEMS.to_string()} value={items}
                    onchange={sim_commit(p(&["params", "simulation", "map_items", name]))} onblur={blur.clone()} {disabled} /> },
            ));
            let max = s
                .get("MaxConcurrency")
                .map(|v| v.to_string())
                .unwrap_or_default();
            let on_max = edit_state(props, commit, name, |s, t| match number(t) {
                Some(v) => s["MaxConcurrency"] = v,
                None => {
                    if let Some(o) = s.as_object_mut() {
                        o.remove("MaxConcurrency");
                    }
                }
            });
            body.push(field(
                "MaxConcurrency",
                id("max"),
                html! { <input id={id("max")} type="number" min="0" step="1" placeholder="0 (40 inline)" value={max}
                    onchange={on_max} onblur={blur.clone()} {disabled} /> },
            ));
            body.push(catch_form(props, name, s, commit, &id, disabled));
        }
        "Wait" => {
            if let Some(v) = s.get("Seconds") {
                let on_secs = edit_state(props, commit, name, |s, t| {
                    if let Some(v) = number(t) {
                        s["Seconds"] = v;
                    }
                });
                body.push(field(
                    "Seconds",
                    id("wait"),
                    html! { <input id={id("wait")} type="number" min="0" step="any" value={v.to_string()} onchange={on_secs} onblur={blur.clone()} {disabled} /> },
                ));
            } else {
                let secs = m
                    .simulation
                    .seconds
                    .get(name)
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                body.push(field(
                    "Waits (s, simulated; the time comes from the input)",
                    id("wait"),
                    html! { <input id={id("wait")} type="number" min="0" step="any" placeholder={DEFAULT_INPUT_WAIT_S.to_string()} value={secs}
                        onchange={sim_commit(p(&["params", "simulation", "seconds", name]))} onblur={blur.clone()} {disabled} /> },
                ));
            }
        }
        "Choice" => {
            let rules = s
                .get("Choices")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let has_default = s.get("Default").is_some();
            let shares = rules.len() + usize::from(has_default);
            let given = m.simulation.choices.get(name).cloned();
            let probs: Vec<f64> = given
                .clone()
                .unwrap_or_else(|| vec![1.0 / shares.max(1) as f64; rules.len()]);
            let rows = rules.iter().enumerate().map(|(k, r)| {
                let next = r.get("Next").and_then(Value::as_str).unwrap_or("?").to_owned();
                let on_p = {
                    let commit = commit.clone();
                    let probs = probs.clone();
                    let path = p(&["params", "simulation", "choices", name]);
                    Callback::from(move |e: Event| {
                        let v = input_value(&e).unwrap_or_default();
                        let mut list = probs.clone();
                        if let Ok(pct) = v.trim().parse::<f64>() {
                            list[k] = pct / 100.0;
                        }
                        commit.emit((path.clone(), Some(json!(list))));
                    })
                };
                let fid = id(&format!("rule{k}"));
                html! {
                    <label class="param" for={fid.clone()}>
                        <span class="param-label">{ format!("Rule {} → {next} (%)", k + 1) }</span>
                        <span class="field-input"><input id={fid} type="number" min="0" max="100" step="any"
                            value={format!("{}", (probs[k] * 1000.0).round() / 10.0)} onchange={on_p} onblur={blur.clone()} {disabled} /></span>
                    </label>
                }
            });
            body.push(html! { <>{ for rows }</> });
            if let Some(d) = s.get("Default").and_then(Value::as_str) {
                let rest = (1.0 - probs.iter().sum::<f64>()).max(0.0);
                body.push(html! { <p class="muted">{ format!("Default → {d}: the rest, {:.1} %", rest * 100.0) }</p> });
            }
            body.push(html! { <p class="muted">{ "Surge simulates load, not data: the rules' conditions are kept as written and each rule is taken with its probability." }</p> });
        }
        "Fail" => {
            let error = s
                .get("Error")
                .and_then(Value::as_str)
                .unwrap_or("States.Fail")
                .to_owned();
            let on_error = edit_state(props, commit, name, |s, t| {
                s["Error"] = json!(if t.trim().is_empty() {
                    "States.Fail".to_owned()
                } else {
                    t.trim().to_owned()
                });
            });
            body.push(field(
                "Error",
                id("error"),
                html! { <input id={id("error")} type="text" value={error} onchange={on_error} onblur={blur.clone()} {disabled} /> },
            ));
        }
        _ => body
            .push(html! { <p class="muted">{ "Nothing to set: this state takes no time." }</p> }),
    }
    html! {
        <div class="state-form" data-state={name.to_owned()}>
            <h5>{ format!("{kind} · {name}") }</h5>
            { for body }
        </div>
    }
}

fn retry_form(
    props: &StateGraphProps,
    name: &str,
    s: &Value,
    commit: &Callback<(Vec<String>, Option<Value>)>,
    id: &dyn Fn(&str) -> String,
    disabled: bool,
) -> Html {
    let list = s
        .get("Retry")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let add = edit_state(
        props,
        commit,
        name,
        push_entry(
            "Retry",
            json!({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}),
        ),
    );
    let rows = list.iter().enumerate().map(|(k, r)| {
        let text = |key: &str| r.get(key).map(|v| v.to_string()).unwrap_or_default();
        let errors = error_names_text(r);
        let on_errors = edit_state(props, commit, name, set_error_names("Retry", k));
        let remove = click(edit_state(props, commit, name, remove_entry("Retry", k)));
        let jitter = r.get("JitterStrategy").and_then(Value::as_str).unwrap_or("NONE").to_owned();
        let on_jitter = edit_state(props, commit, name, move |s, t| {
            if let Some(e) = s.get_mut("Retry").and_then(|l| l.get_mut(k)).and_then(Value::as_object_mut) {
                if t == "FULL" {
                    e.insert("JitterStrategy".into(), json!("FULL"));
                } else {
                    e.remove("JitterStrategy");
                }
            }
        });
        let num = |key: &'static str, label: &str, placeholder: &str| {
            let fid = id(&format!("retry{k}-{key}"));
            html! {
                <label class="mini" for={fid.clone()}>
                    <span>{ label.to_owned() }</span>
                    <input id={fid} type="number" min="0" step="any" placeholder={placeholder.to_owned()} value={text(key)}
                        onchange={edit_state(props, commit, name, set_entry("Retry", k, key))} {disabled} />
                </label>
            }
        };
        let eid = id(&format!("retry{k}-errors"));
        let jid = id(&format!("retry{k}-jitter"));
        html! {
            <li class="rule-row" data-retry={k.to_string()}>
                <label class="mini wide" for={eid.clone()}>
                    <span>{ "ErrorEquals" }</span>
                    <input id={eid} type="text" value={errors} onchange={on_errors} {disabled} />
                </label>
                { num("IntervalSeconds", "Interval (s)", "1") }
                { num("MaxAttempts", "Attempts", "3") }
                { num("BackoffRate", "Backoff", "2") }
                { num("MaxDelaySeconds", "Max delay (s)", "none") }
                <label class="mini" for={jid.clone()}>
                    <span>{ "Jitter" }</span>
                    <select id={jid} onchange={on_jitter} {disabled}>
                        <option value="NONE" selected={jitter != "FULL"}>{ "NONE" }</option>
                        <option value="FULL" selected={jitter == "FULL"}>{ "FULL" }</option>
                    </select>
                </label>
                <button type="button" class="link" onclick={remove} {disabled} aria-label={format!("Remove retrier {}", k + 1)}>{ "Remove" }</button>
            </li>
        }
    });
    rule_list(
        (
            "Retry",
            "No retrier: an error goes to Catch, or fails the execution.",
        ),
        rows.collect(),
        ("add-retry", "Add retrier"),
        click(add),
        disabled,
    )
}

fn catch_form(
    props: &StateGraphProps,
    name: &str,
    s: &Value,
    commit: &Callback<(Vec<String>, Option<Value>)>,
    id: &dyn Fn(&str) -> String,
    disabled: bool,
) -> Html {
    let list = s
        .get("Catch")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // A catcher goes to a state of the same scope.
    let siblings = surge_core::asl::scope_names(&props.machine.definition, name);
    let first_other = siblings
        .iter()
        .find(|n| n.as_str() != name)
        .cloned()
        .unwrap_or_default();
    let add = edit_state(
        props,
        commit,
        name,
        push_entry(
            "Catch",
            json!({"ErrorEquals": ["States.ALL"], "Next": first_other}),
        ),
    );
    let rows = list.iter().enumerate().map(|(k, c)| {
        let errors = error_names_text(c);
        let next = c.get("Next").and_then(Value::as_str).unwrap_or("").to_owned();
        let on_errors = edit_state(props, commit, name, set_error_names("Catch", k));
        let on_next = edit_state(props, commit, name, move |s, t| {
            if let Some(e) = s.get_mut("Catch").and_then(|l| l.get_mut(k)) {
                e["Next"] = json!(t);
            }
        });
        let remove = click(edit_state(props, commit, name, remove_entry("Catch", k)));
        let eid = id(&format!("catch{k}-errors"));
        let nid = id(&format!("catch{k}-next"));
        html! {
            <li class="rule-row" data-catch={k.to_string()}>
                <label class="mini wide" for={eid.clone()}>
                    <span>{ "ErrorEquals" }</span>
                    <input id={eid} type="text" value={errors} onchange={on_errors} {disabled} />
                </label>
                <label class="mini" for={nid.clone()}>
                    <span>{ "Next" }</span>
                    <select id={nid} onchange={on_next} {disabled}>
                        { for siblings.iter().filter(|n| n.as_str() != name).map(|n| html! {
                            <option value={n.clone()} selected={*n == next}>{ n.clone() }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="link" onclick={remove} {disabled} aria-label={format!("Remove catcher {}", k + 1)}>{ "Remove" }</button>
            </li>
        }
    });
    rule_list(
        (
            "Catch",
            "No catcher: an error that retries do not fix fails the branch.",
        ),
        rows.collect(),
        ("add-catch", "Add catcher"),
        click(add),
        disabled,
    )
}

/// Appends `entry` to a state's list `list`, creating the list.
fn push_entry(list: &'static str, entry: Value) -> impl Fn(&mut Value, &str) {
    move |s: &mut Value, _: &str| match s.get_mut(list).and_then(Value::as_array_mut) {
        Some(l) => l.push(entry.clone()),
        None => s[list] = json!([entry.clone()]),
    }
}

/// An entry's `ErrorEquals` as the comma-separated text its field shows.
fn error_names_text(entry: &Value) -> String {
    entry
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Sets entry `k`'s `ErrorEquals` of a state's list `list` from the text typed.
fn set_error_names(list: &'static str, k: usize) -> impl Fn(&mut Value, &str) {
    move |s: &mut Value, typed: &str| {
        if let Some(e) = s.get_mut(list).and_then(|l| l.get_mut(k)) {
            e["ErrorEquals"] = names_list(typed);
        }
    }
}

/// A change callback fired by a click.
fn click(cb: Callback<Event>) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| cb.emit(e.into()))
}

/// Removes entry `k` of a state's list `list`, and the list when it is left empty.
fn remove_entry(list: &'static str, k: usize) -> impl Fn(&mut Value, &str) {
    move |s: &mut Value, _: &str| {
        if let Some(l) = s.get_mut(list).and_then(Value::as_array_mut) {
            if k < l.len() {
                l.remove(k);
            }
            if l.is_empty()
                && let Some(o) = s.as_object_mut()
            {
                o.remove(list);
            }
        }
    }
}

/// A Retry or Catch list: its rows, or what having none means, and the add button.
fn rule_list(
    (title, none): (&str, &str),
    rows: Vec<Html>,
    (class, label): (&'static str, &str),
    add: Callback<MouseEvent>,
    disabled: bool,
) -> Html {
    html! {
        <div class="rule-list">
            <h5>{ title.to_owned() }</h5>
            if rows.is_empty() {
                <p class="muted">{ none.to_owned() }</p>
            } else {
                <ul>{ for rows }</ul>
            }
            <button type="button" class={class} onclick={add} {disabled}>{ label.to_owned() }</button>
        </div>
    }
}
