//! The inspector: the selected node's or edge's parameters, read from the scenario schema;
//! with nothing selected, the account settings and the document's problems.
//!
//! Why every field goes through `editor::inspect`: the core decides what is valid, and the
//! inspector shows its reason beside the field.

use std::rc::Rc;

use serde_json::Value;
use surge_core::{NodeKind, Scenario, ScenarioError, edge_rule};
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::canvas::invocation_name;
use super::palette::icon;
use super::{Commit, ParamField, RunHandle, StateGraph};
use crate::editor::schema::{self, FieldKind, FieldSpec};
use crate::editor::{EdgeKey, Edit, EditorAction, SelectOp, Selection, catalog, inspect};
use crate::state::Action;
use surge_core::{Fault, FaultKind};

/// Props of [`Inspector`].
#[derive(Properties, PartialEq, Debug)]
pub struct InspectorProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Its problems.
    pub problems: Rc<Vec<ScenarioError>>,
    /// The selection.
    pub selection: Selection,
    /// The watched run at the playhead, if any (the node's chart follows it).
    pub live: Option<Rc<crate::run::LiveView>>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
    /// The open exercise, whose locked parameters show disabled.
    #[prop_or_default]
    pub exercise: Option<Rc<crate::state::ExerciseState>>,
}

impl InspectorProps {
    /// Whether the exercise locks the part at `path` (as `Allow::permits` names it).
    fn locked(&self, path: &str) -> bool {
        self.exercise
            .as_ref()
            .is_some_and(|x| !x.exercise.allow.permits(path))
    }

    /// Whether the exercise's start has what `has` looks for (what the student added is
    /// theirs to set).
    fn in_start(&self, has: impl Fn(&Scenario) -> bool) -> bool {
        self.exercise.as_ref().is_some_and(|x| has(&x.start))
    }
}

fn edit(dispatch: &Callback<Action>, e: Edit) {
    dispatch.emit(Action::Editor(EditorAction::Edit(e)));
}

/// A node's references to another node (a queue's dead-letter queue, a function's
/// on-failure destination) are chosen from the queues of the diagram, not typed.
fn pickers(mut specs: Vec<FieldSpec>, doc: &Scenario, me: &str) -> Vec<FieldSpec> {
    let queues: Vec<schema::Choice> = doc
        .nodes
        .iter()
        .filter(|n| n.kind.tag() == "sqs" && n.id != me)
        .map(|n| schema::Choice {
            value: n.id.clone(),
            doc: if n.name.is_empty() {
                String::new()
            } else {
                n.name.clone()
            },
        })
        .collect();
    let services: Vec<schema::Choice> = doc
        .nodes
        .iter()
        .filter(|n| n.kind.tag() != "client" && n.id != me)
        .map(|n| schema::Choice {
            value: n.id.clone(),
            doc: if n.name.is_empty() {
                format!("{} ({})", n.id, n.kind.tag())
            } else {
                n.name.clone()
            },
        })
        .collect();
    for f in &mut specs {
        if matches!(f.name.as_str(), "dead_letter_queue" | "on_failure") {
            f.kind = FieldKind::Choice(queues.clone());
            f.nullable = true;
        }
        // A client's backpressure watches one of the diagram's queues.
        if f.name == "backpressure" {
            if let FieldKind::Group(inner) = &mut f.kind {
                for g in inner.iter_mut().filter(|g| g.name == "queue") {
                    g.kind = FieldKind::Choice(queues.clone());
                }
            }
        }
        // Its long work finishes at one of the diagram's services; it polls another.
        if f.name == "async_result" {
            if let FieldKind::Group(inner) = &mut f.kind {
                for g in inner
                    .iter_mut()
                    .filter(|g| matches!(g.name.as_str(), "done_at" | "status"))
                {
                    g.kind = FieldKind::Choice(services.clone());
                }
            }
        }
    }
    specs
}

#[allow(clippy::too_many_arguments)]
fn fields(
    specs: Vec<FieldSpec>,
    base: &[&str],
    current: &Value,
    defaults: &Value,
    commit: &Commit,
    seal: &Callback<()>,
    prefix: &str,
    locked: &dyn Fn(&[String]) -> bool,
) -> Html {
    html! {
        { for specs.into_iter().map(|f| {
            let mut path: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
            path.push(f.name.clone());
            let value = schema::get(current, &path).cloned();
            let default = schema::get(defaults, &path).cloned();
            let key = f.name.clone();
            let locked = locked(&path);
            html! {
                <ParamField {key} spec={Rc::new(f)} {path} {value} {default} {locked}
                    on_commit={commit.clone()} on_blur={seal.clone()} id_prefix={prefix.to_owned()} />
            }
        }) }
    }
}

/// The inspector.
#[component]
pub fn Inspector(p: &InspectorProps) -> Html {
    let seal = {
        let d = p.dispatch.clone();
        Callback::from(move |()| d.emit(Action::Editor(EditorAction::Seal)))
    };
    // Keyed by what is inspected, so typed-but-refused text never carries over to the
    // next node's fields.
    let run = use_context::<RunHandle>();
    // The fault buttons show while a run is loaded and not over: follow that.
    let _running = super::use_player(|p| p.recording().is_some() && !p.over());
    let duration = use_state(|| 30.0_f64);
    let body = if let Some(id) = p.selection.single_node() {
        html! {
            <div key={format!("node:{id}")}>
                { inject_view(p, id, run.as_ref(), &duration) }
                if let (Some(live), Some(i)) = (&p.live, p.doc.node_index(id)) {
                    <super::LiveChart id="chart-node" title={id.to_owned()}
                        series={Rc::new(crate::run::series(&live.frames, i, live.at))}
                        level_label={if matches!(p.doc.nodes[i].kind, NodeKind::Rds(_) | NodeKind::RdsProxy(_)) { "in node" } else { "concurrency" }} />
                }
                { node_view(p, id, &seal) }
            </div>
        }
    } else if let Some(key) = p.selection.single_edge() {
        html! { <div key={format!("edge:{}→{}", key.from, key.to)}>{ edge_view(p, key, &seal) }</div> }
    } else if !p.selection.is_empty() {
        let n = p.selection.nodes.len();
        let e = p.selection.edges.len();
        let d = p.dispatch.clone();
        let delete = Callback::from(move |_| {
            d.emit(Action::Editor(EditorAction::DeleteSelection));
        });
        let d = p.dispatch.clone();
        let duplicate = Callback::from(move |_| d.emit(Action::Editor(EditorAction::Duplicate)));
        html! {
            <>
                <h3>{ format!("{n} nodes, {e} connections selected") }</h3>
                <p class="muted">{ "Drag any of them to move them together; arrow keys nudge." }</p>
                <div class="button-row">
                    <button type="button" onclick={duplicate}>{ "Duplicate" }</button>
                    <button type="button" class="danger" onclick={delete}>{ "Delete" }</button>
                </div>
            </>
        }
    } else {
        account_view(p, &seal)
    };
    html! {
        <div id="inspector" class="inspector">{ body }</div>
    }
}

/// What the core warns about a valid document (a run of billions of requests): shown
/// before it is run, so nobody waits minutes by surprise.
fn warning_list(warnings: &[ScenarioError]) -> Html {
    if warnings.is_empty() {
        return html! {};
    }
    html! {
        <div class="warnings" role="status" id="warnings">
            <h4>{ "Before you run" }</h4>
            <ul>{ for warnings.iter().map(|e| html! { <li>{ &e.reason }</li> }) }</ul>
        </div>
    }
}

fn problem_list(problems: &[&ScenarioError]) -> Html {
    if problems.is_empty() {
        return html! {};
    }
    html! {
        <div class="problems" role="status">
            <h4>{ format!("{} problem(s)", problems.len()) }</h4>
            <ul>{ for problems.iter().map(|e| html! { <li><code>{ &e.path }</code>{ " " }{ &e.reason }</li> }) }</ul>
        </div>
    }
}

/// While a run is being watched: inject a fault into it now, at this node.
fn inject_view(
    p: &InspectorProps,
    id: &str,
    run: Option<&RunHandle>,
    duration: &UseStateHandle<f64>,
) -> Html {
    let Some(run) = run else {
        return html! {};
    };
    // Injected at the playhead (a scrubbed-back playhead injects there).
    let (now, running) = {
        let player = run.player();
        match player.recording() {
            Some(_) if !player.over() => (player.view().map_or(0.0, |v| v.time_s), true),
            _ => (0.0, false),
        }
    };
    let Some(node) = p.doc.nodes.iter().find(|n| n.id == id) else {
        return html! {};
    };
    if !running {
        return html! {};
    }
    let mut kinds: Vec<(&str, FaultKind)> = Vec::new();
    match node.kind {
        NodeKind::Client(_) => kinds.push((
            "Spike +1,000 req/s",
            FaultKind::Spike { rate_per_s: 1000.0 },
        )),
        _ => {
            kinds.push(("Outage", FaultKind::Outage));
            kinds.push(("+500 ms latency", FaultKind::AddedLatency { ms: 500.0 }));
            kinds.push(("50 % errors", FaultKind::ErrorRate { probability: 0.5 }));
        }
    }
    if matches!(node.kind, NodeKind::Rds(_)) {
        kinds.push(("Failover", FaultKind::Failover));
    }
    let on_duration = {
        let duration = duration.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                .and_then(|s| s.value().parse::<f64>().ok())
            {
                duration.set(v);
            }
        })
    };
    html! {
        <section class="inject" aria-label="Inject a fault now">
            <h3>{ format!("Inject now · t = {now:.0} s") }</h3>
            <div class="button-row">
                <label class="speed">{ "for " }
                    <select id="inject-duration" onchange={on_duration}>
                        { for [10.0, 30.0, 60.0, 120.0].iter().map(|d| html! {
                            <option value={d.to_string()} selected={**duration == *d}>{ format!("{d} s") }</option>
                        }) }
                    </select>
                </label>
                { for kinds.into_iter().map(|(label, kind)| {
                    let run = run.clone();
                    let node = id.to_owned();
                    let seconds = **duration;
                    let onclick = Callback::from(move |_| {
                        run.input(crate::run::Input::Inject(Fault {
                            node: node.clone(),
                            at_s: 0.0,
                            duration_s: seconds,
                            kind,
                        }));
                    });
                    html! { <button type="button" class="inject-button" data-fault={super::fault_kind_name(&kind)} {onclick}>{ label }</button> }
                }) }
            </div>
        </section>
    }
}

fn node_view(p: &InspectorProps, id: &str, seal: &Callback<()>) -> Html {
    let started = p.exercise.is_some() && p.in_start(|s| s.node_index(id).is_some());
    let doc = &p.doc;
    let Some(i) = doc.node_index(id) else {
        return html! {};
    };
    let node = &doc.nodes[i];
    let tag = node.kind.tag();
    let item = catalog::for_node(&node.kind);
    let current = serde_json::to_value(node).unwrap_or(Value::Null);
    let mut fresh = node.clone();
    fresh.kind = NodeKind::with_defaults(tag).unwrap_or_else(|| node.kind.clone());
    let defaults = serde_json::to_value(&fresh).unwrap_or(Value::Null);
    let commit: Commit = {
        let doc = p.doc.clone();
        let dispatch = p.dispatch.clone();
        let id = id.to_owned();
        Callback::from(move |(path, value): (Vec<String>, Option<Value>)| {
            let node = inspect::change_node(&doc, &id, &path, value)?;
            edit(
                &dispatch,
                Edit::SetNode {
                    id: id.clone(),
                    node: Box::new(node),
                    field: path.join("."),
                },
            );
            Ok(())
        })
    };
    let name_spec = Rc::new(FieldSpec {
        name: "name".into(),
        title: "Name".into(),
        doc: "Display name on the canvas; the id stays as edges and faults refer to it.".into(),
        unit: "",
        range: None,
        kind: FieldKind::Text,
        nullable: true,
    });
    // The id is renamed when the field is left (not per keystroke: the inspector follows
    // the node by its id), and every reference follows it (the core's walker).
    let on_rename = {
        let dispatch = p.dispatch.clone();
        let id = id.to_owned();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                let to = input.value().trim().to_owned();
                if to != id {
                    edit(&dispatch, Edit::RenameNode { id: id.clone(), to });
                }
            }
        })
    };
    let problems: Vec<&ScenarioError> = {
        let exact = format!("nodes[{i}]");
        let nested = format!("nodes[{i}].");
        p.problems
            .iter()
            .filter(|e| e.path == exact || e.path.starts_with(&nested))
            .collect()
    };
    let outgoing: Vec<_> = doc.edges.iter().filter(|e| e.from == id).collect();
    let on_connect = {
        let dispatch = p.dispatch.clone();
        let from = id.to_owned();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                let to = s.value();
                if !to.is_empty() {
                    edit(
                        &dispatch,
                        Edit::Connect {
                            from: from.clone(),
                            to,
                        },
                    );
                    s.set_value("");
                }
            }
        })
    };
    let targets = doc.nodes.iter().filter(|n| n.id != id).map(|n| {
        let verdict = edge_rule(tag, n.kind.tag());
        let wired = outgoing.iter().any(|e| e.to == n.id);
        let (disabled, note) = match (&verdict, wired) {
            (_, true) => (true, "already connected".to_owned()),
            (Ok(rule), false) => (false, rule.meaning.to_owned()),
            (Err(reason), false) => (true, reason.clone()),
        };
        html! {
            <option value={n.id.clone()} {disabled} title={note.clone()}>
                { format!("{} ({}){}", n.label(), catalog::for_node(&n.kind).label, if disabled { format!(" — {note}") } else { String::new() }) }
            </option>
        }
    });
    let delete = {
        let dispatch = p.dispatch.clone();
        let id = id.to_owned();
        Callback::from(move |_| {
            edit(
                &dispatch,
                Edit::Delete {
                    nodes: vec![id.clone()],
                    edges: vec![],
                },
            );
        })
    };
    html! {
        <>
            <div class="inspector-head">
                { icon(item) }
                <div>
                    <h3>{ node.label() }</h3>
                    <p class="muted">{ item.label }{ " · id " }<code>{ &node.id }</code></p>
                </div>
            </div>
            <p class="kind-doc">{ schema::kind_doc(tag) }</p>
            { problem_list(&problems) }
            <label class="param" for="node-id">
                <span class="param-label">{ "Id" }</span>
                <span class="field-input"><input id="node-id" type="text" value={node.id.clone()} onchange={on_rename}
                    title="Renaming the id renames every reference to it" /></span>
            </label>
            <ParamField spec={name_spec} path={vec!["name".to_owned()]}
                value={(!node.name.is_empty()).then(|| Value::from(node.name.clone()))}
                default={None::<Value>} on_commit={commit.clone()} on_blur={seal.clone()} id_prefix="node" />
            if let NodeKind::StepFunctions(m) = &node.kind {
                <StateGraph machine={Rc::new(m.clone())}
                    targets={Rc::new(outgoing.iter().filter_map(|e| doc.node_index(&e.to).map(|j| (e.to.clone(), doc.nodes[j].label().to_owned()))).collect::<Vec<_>>())}
                    on_commit={commit.clone()} on_blur={seal.clone()}
                    locked={started && p.locked(&format!("{id}.definition"))} />
            }
            <h4>{ "Parameters" }</h4>
            { fields(pickers(schema::params_fields(tag), doc, id), &["params"], &current, &defaults, &commit, seal, "param",
                &|path: &[String]| started && p.locked(&format!("{id}.{}", path[1..].join(".")))) }
            <h4>{ "Connections" }</h4>
            if outgoing.is_empty() {
                <p class="muted">{ "No outgoing connections." }</p>
            } else {
                <ul class="edge-list">
                    { for outgoing.iter().map(|e| {
                        let key = EdgeKey::of(e);
                        let to_tag = doc.node_index(&e.to).map_or("", |j| doc.nodes[j].kind.tag());
                        let inv = e.invocation_for(tag, to_tag).map_or("sync", invocation_name);
                        let select = {
                            let d = p.dispatch.clone();
                            let key = key.clone();
                            Callback::from(move |_| d.emit(Action::Editor(EditorAction::Select(SelectOp::Edge(key.clone(), false)))))
                        };
                        html! {
                            <li><button type="button" class="link" onclick={select}>{ format!("→ {} ({inv})", e.to) }</button></li>
                        }
                    }) }
                </ul>
            }
            if doc.nodes.len() > 1 {
                <label class="param">
                    <span class="param-label">{ "Connect to" }</span>
                    <select id="connect-to" onchange={on_connect}>
                        <option value="" selected=true>{ "Choose a node…" }</option>
                        { for targets }
                    </select>
                </label>
            }
            <div class="button-row">
                <button type="button" class="danger" onclick={delete}>{ "Delete node" }</button>
            </div>
        </>
    }
}

fn edge_view(p: &InspectorProps, key: &EdgeKey, seal: &Callback<()>) -> Html {
    let doc = &p.doc;
    let Some(i) = doc.edges.iter().position(|e| EdgeKey::of(e) == *key) else {
        return html! {};
    };
    let e = &doc.edges[i];
    let kind = |id: &str| doc.node_index(id).map_or("", |j| doc.nodes[j].kind.tag());
    let rule = edge_rule(kind(&e.from), kind(&e.to)).ok();
    let inv = e.invocation_for(kind(&e.from), kind(&e.to));
    let current = serde_json::to_value(e).unwrap_or(Value::Null);
    let started = p.exercise.is_some()
        && p.in_start(|s| s.edges.iter().any(|x| x.from == e.from && x.to == e.to));
    let edge_name = format!("{}->{}", e.from, e.to);
    let edge_lock =
        |path: &[String]| started && p.locked(&format!("{edge_name}.{}", path.join(".")));
    let commit: Commit = {
        let doc = p.doc.clone();
        let dispatch = p.dispatch.clone();
        let key = key.clone();
        Callback::from(move |(path, value): (Vec<String>, Option<Value>)| {
            let edge = inspect::change_edge(&doc, &key, &path, value)?;
            edit(
                &dispatch,
                Edit::SetEdge {
                    key: key.clone(),
                    edge: Box::new(edge),
                    field: path.join("."),
                },
            );
            Ok(())
        })
    };
    let invocation_spec = Rc::new(FieldSpec {
        name: "invocation".into(),
        title: "Invocation".into(),
        doc: "How the callee is invoked; the core's rules allow these for this pair.".into(),
        unit: "",
        range: None,
        kind: FieldKind::Choice(
            rule.map(|r| {
                r.invocations
                    .iter()
                    .map(|i| schema::Choice {
                        value: invocation_name(*i).to_owned(),
                        doc: String::new(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ),
        nullable: false,
    });
    // What the model uses when a setting is left out, shown in each blank field.
    let defaults = serde_json::json!({
        "esm": surge_core::EventSourceMapping::default(),
        "stream": surge_core::StreamMapping::default(),
        "breaker": surge_core::CircuitBreaker::default(),
    });
    // A circuit breaker is there or not: the switch adds one with the defaults.
    let has_breaker = e.breaker.is_some();
    let toggle_breaker = {
        let commit = commit.clone();
        let seal = seal.clone();
        Callback::from(move |_| {
            let value = (!has_breaker)
                .then(|| serde_json::to_value(surge_core::CircuitBreaker::default()).ok())
                .flatten();
            let _ = commit.emit((vec!["breaker".to_owned()], value));
            seal.emit(());
        })
    };
    let delete = {
        let dispatch = p.dispatch.clone();
        let key = key.clone();
        Callback::from(move |_| {
            edit(
                &dispatch,
                Edit::Delete {
                    nodes: vec![],
                    edges: vec![key.clone()],
                },
            );
        })
    };
    let problems: Vec<&ScenarioError> = p
        .problems
        .iter()
        .filter(|x| x.path == format!("edges[{i}]") || x.path.starts_with(&format!("edges[{i}].")))
        .collect();
    html! {
        <>
            <h3>{ format!("{} → {}", e.from, e.to) }</h3>
            <p class="kind-doc">{ rule.map_or("", |r| r.meaning) }</p>
            { problem_list(&problems) }
            <ParamField spec={invocation_spec} path={vec!["invocation".to_owned()]}
                value={inv.map(|i| Value::from(invocation_name(i)))} default={rule.map(|r| Value::from(invocation_name(r.default_invocation())))}
                on_commit={commit.clone()} on_blur={seal.clone()} id_prefix="edge" />
            if inv == Some(surge_core::Invocation::Poll) {
                <h4>{ "Event source mapping" }</h4>
                { fields(schema::def_fields("EventSourceMapping"), &["esm"], &current, &defaults, &commit, seal, "esm", &edge_lock) }
            }
            if inv == Some(surge_core::Invocation::Stream) {
                <h4>{ "Stream mapping" }</h4>
                { fields(schema::def_fields("StreamMapping"), &["stream"], &current, &defaults, &commit, seal, "stream", &edge_lock) }
            }
            if inv == Some(surge_core::Invocation::Sync) {
                <label class="toggle">
                    <input type="checkbox" id="edge-breaker" checked={has_breaker} onchange={toggle_breaker} />
                    { " Circuit breaker (held by the caller: fail fast while the callee keeps failing)" }
                </label>
                if has_breaker {
                    { fields(schema::def_fields("CircuitBreaker"), &["breaker"], &current, &defaults, &commit, seal, "breaker", &edge_lock) }
                }
            }
            <div class="button-row">
                <button type="button" class="danger" onclick={delete}>{ "Delete connection" }</button>
            </div>
        </>
    }
}

fn account_view(p: &InspectorProps, seal: &Callback<()>) -> Html {
    let current = serde_json::to_value(&p.doc.account).unwrap_or(Value::Null);
    let defaults = serde_json::to_value(surge_core::Account::default()).unwrap_or(Value::Null);
    let commit: Commit = {
        let doc = p.doc.clone();
        let dispatch = p.dispatch.clone();
        Callback::from(move |(path, value): (Vec<String>, Option<Value>)| {
            let account = inspect::change_account(&doc, &path, value)?;
            edit(
                &dispatch,
                Edit::SetAccount {
                    account: Box::new(account),
                    field: path.join("."),
                },
            );
            Ok(())
        })
    };
    let all: Vec<&ScenarioError> = p.problems.iter().collect();
    // Alarms: the recommended set for this architecture (those not there yet), and each
    // alarm with a button that removes it; every change is one undo step.
    let set_alarms = |alarms: Vec<surge_core::Alarm>, field: String| {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_| {
            edit(
                &dispatch,
                Edit::SetAlarms {
                    alarms: alarms.clone(),
                    field: field.clone(),
                },
            );
        })
    };
    let missing: Vec<surge_core::Alarm> = p
        .doc
        .recommended_alarms()
        .into_iter()
        .filter(|r| !p.doc.alarms.iter().any(|a| a.name == r.name))
        .collect();
    let add_recommended = (!missing.is_empty()).then(|| {
        let mut all = p.doc.alarms.clone();
        all.extend(missing.iter().cloned());
        set_alarms(all, "add recommended".into())
    });
    let alarm_rows = p.doc.alarms.iter().enumerate().map(|(k, a)| {
        let mut rest = p.doc.alarms.clone();
        rest.remove(k);
        let remove = set_alarms(rest, format!("remove {}", a.name));
        html! {
            <li class="alarm-row">
                <span class="alarm-name">{ &a.name }</span>
                <span class="muted">{ format!(" {} {} {} per {} s, {} of {}", a.metric.words(), a.comparison.sign(), a.threshold, a.period_s, a.datapoints, a.evaluation_periods) }</span>
                <button type="button" class="link" aria-label={format!("Remove alarm {}", a.name)} onclick={remove}>{ "remove" }</button>
            </li>
        }
    });
    html! {
        <>
            <h3>{ "Nothing selected" }</h3>
            <p class="muted">{ "Click a node or a connection to edit it; Shift-drag on the canvas to select several. Press ? for shortcuts." }</p>
            { problem_list(&all) }
            { warning_list(&p.doc.warnings()) }
            <h4>{ "Alarms" }</h4>
            <p class="muted">{ "CloudWatch-style alarms on node metrics: their ALARM and OK moments go to the event log and the report." }</p>
            <ul class="alarm-list">{ for alarm_rows }</ul>
            if let Some(add) = add_recommended {
                <button type="button" id="add-recommended-alarms" onclick={add}>{ format!("Add {} recommended alarms", missing.len()) }</button>
            }
            <h4>{ "Account" }</h4>
            { fields(schema::def_fields("Account"), &[], &current, &defaults, &commit, seal, "account",
                &|path: &[String]| p.locked(&format!("account.{}", path.join(".")))) }
        </>
    }
}
