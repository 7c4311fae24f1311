//! Workload and faults over time: a small timeline of every client's rate and every
//! scheduled fault, with rows to add steps, spikes and faults.
//!
//! Why its own panel: load shapes and failure schedules are about *when*; a timeline
//! shows them together, which a per-node inspector cannot.

use std::rc::Rc;

use serde_json::Value;
use surge_core::{Fault, FaultKind, NodeKind, Phase, Scenario};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::editor::{Edit, EditorAction, inspect};
use crate::state::Action;

/// Props of [`Timeline`].
#[derive(Properties, PartialEq, Debug)]
pub struct TimelineProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

const W: f64 = 300.0;
const CHART_H: f64 = 80.0;
const ROW_H: f64 = 16.0;
const FAULT_KINDS: [&str; 6] = [
    "outage",
    "added_latency",
    "error_rate",
    "failover",
    "poison",
    "spike",
];

/// A fault kind's tag as the format spells it.
pub fn fault_kind_name(k: &FaultKind) -> &'static str {
    match k {
        FaultKind::Outage => "outage",
        FaultKind::AddedLatency { .. } => "added_latency",
        FaultKind::ErrorRate { .. } => "error_rate",
        FaultKind::Failover => "failover",
        FaultKind::Poison => "poison",
        FaultKind::Spike { .. } => "spike",
    }
}

fn magnitude(k: &FaultKind) -> Option<(f64, &'static str)> {
    match k {
        FaultKind::AddedLatency { ms } => Some((*ms, "ms")),
        FaultKind::ErrorRate { probability } => Some((*probability, "p")),
        FaultKind::Spike { rate_per_s } => Some((*rate_per_s, "/s")),
        _ => None,
    }
}

fn fault_kind(name: &str, magnitude: f64) -> FaultKind {
    match name {
        "added_latency" => FaultKind::AddedLatency { ms: magnitude },
        "error_rate" => FaultKind::ErrorRate {
            probability: magnitude.clamp(0.0, 1.0),
        },
        "failover" => FaultKind::Failover,
        "poison" => FaultKind::Poison,
        "spike" => FaultKind::Spike {
            rate_per_s: magnitude,
        },
        _ => FaultKind::Outage,
    }
}

/// When a phase added with "+ Step" or "+ Spike" starts: 10 s after the last phase's
/// ramp ends, or a third into the run.
fn next_phase_at(schedule: &[Phase], duration: f64) -> f64 {
    schedule
        .last()
        .map_or(duration / 3.0, |l| l.at_s + l.ramp_s + 10.0)
        .min(duration)
}

/// The rate curve of a client as (t, rate) corners.
pub fn rate_curve(base: f64, schedule: &[Phase], duration_s: f64) -> Vec<(f64, f64)> {
    let mut phases: Vec<&Phase> = schedule.iter().collect();
    phases.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    let mut points = vec![(0.0, base)];
    let mut rate = base;
    for ph in phases {
        let at = ph.at_s.min(duration_s);
        points.push((at, rate));
        let end = (ph.at_s + ph.ramp_s).min(duration_s);
        points.push((end, ph.rate_per_s));
        rate = ph.rate_per_s;
    }
    points.push((duration_s, rate));
    points
}

fn input_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .or_else(|| {
            e.target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                .map(|s| s.value())
        })
        .unwrap_or_default()
}

fn num(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("\"{text}\" is not a number"))
}

/// The workload and fault timeline.
#[component]
pub fn Timeline(p: &TimelineProps) -> Html {
    let error = use_state(|| None::<String>);
    let doc = &p.doc;
    let duration = doc.duration_s.max(1.0);
    let clients: Vec<(String, f64, Vec<Phase>)> = doc
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some((n.id.clone(), c.rate_per_s, c.schedule.clone())),
            _ => None,
        })
        .collect();
    let peak = clients
        .iter()
        .flat_map(|(_, base, sched)| {
            std::iter::once(*base).chain(sched.iter().map(|ph| ph.rate_per_s))
        })
        .fold(1.0_f64, f64::max);
    let x = |t: f64| 4.0 + (t / duration).clamp(0.0, 1.0) * (W - 8.0);
    let y = |r: f64| CHART_H - 4.0 - r / peak * (CHART_H - 16.0);
    let height = CHART_H + ROW_H * doc.faults.len() as f64 + 18.0;

    // Commits a new schedule for a client, or shows why the core refuses it.
    let set_schedule = {
        let doc = p.doc.clone();
        let dispatch = p.dispatch.clone();
        let error = error.clone();
        Rc::new(move |id: String, schedule: Vec<Phase>| {
            let value = serde_json::to_value(&schedule).unwrap_or(Value::Null);
            let path = vec!["params".to_owned(), "schedule".to_owned()];
            match inspect::change_node(&doc, &id, &path, Some(value)) {
                Ok(node) => {
                    error.set(None);
                    dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetNode {
                        id,
                        node: Box::new(node),
                        field: "schedule".into(),
                    })));
                    dispatch.emit(Action::Editor(EditorAction::Seal));
                }
                Err(reason) => error.set(Some(format!("Refused: {reason}"))),
            }
        })
    };
    let set_faults = {
        let doc = p.doc.clone();
        let dispatch = p.dispatch.clone();
        let error = error.clone();
        Rc::new(
            move |faults: Vec<Fault>| match inspect::change_faults(&doc, faults) {
                Ok(faults) => {
                    error.set(None);
                    dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetFaults {
                        faults,
                        field: "faults".into(),
                    })));
                    dispatch.emit(Action::Editor(EditorAction::Seal));
                }
                Err(reason) => error.set(Some(format!("Refused: {reason}"))),
            },
        )
    };
    let set_duration = {
        let doc = p.doc.clone();
        let dispatch = p.dispatch.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            match num(&input_value(&e)).and_then(|d| inspect::change_duration(&doc, d)) {
                Ok(d) => {
                    error.set(None);
                    dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetRun {
                        seed: doc.seed,
                        duration_s: d,
                        field: "duration_s".into(),
                    })));
                }
                Err(reason) => error.set(Some(format!("Refused: {reason}"))),
            }
        })
    };

    let client_rows = clients.iter().map(|(id, base, schedule)| {
        let rows = schedule.iter().enumerate().map(|(i, ph)| {
            let cell = |field: &'static str, value: f64| {
                let set = set_schedule.clone();
                let label = format!("{id} phase {} {field}", i + 1);
                let id = id.clone();
                let schedule = schedule.clone();
                let error = error.clone();
                let onchange = Callback::from(move |e: Event| match num(&input_value(&e)) {
                    Ok(v) => {
                        let mut s = schedule.clone();
                        match field {
                            "at_s" => s[i].at_s = v,
                            "rate_per_s" => s[i].rate_per_s = v,
                            _ => s[i].ramp_s = v,
                        }
                        set(id.clone(), s);
                    }
                    Err(reason) => error.set(Some(format!("Refused: {reason}"))),
                });
                html! {
                    <input type="text" inputmode="decimal" value={value.to_string()}
                        aria-label={label} {onchange} />
                }
            };
            let remove = {
                let set = set_schedule.clone();
                let id = id.clone();
                let schedule = schedule.clone();
                Callback::from(move |_| {
                    let mut s = schedule.clone();
                    s.remove(i);
                    set(id.clone(), s);
                })
            };
            html! {
                <tr>
                    <td>{ cell("at_s", ph.at_s) }</td>
                    <td>{ cell("rate_per_s", ph.rate_per_s) }</td>
                    <td>{ cell("ramp_s", ph.ramp_s) }</td>
                    <td><button type="button" class="ghost small" aria-label={format!("Remove phase {}", i + 1)} onclick={remove}>{ "×" }</button></td>
                </tr>
            }
        });
        let add_step = {
            let set = set_schedule.clone();
            let id = id.clone();
            let schedule = schedule.clone();
            let base = *base;
            Callback::from(move |_| {
                let mut s = schedule.clone();
                let at = next_phase_at(&s, duration);
                s.push(Phase { at_s: at.round(), rate_per_s: base * 2.0, ramp_s: 0.0 });
                set(id.clone(), s);
            })
        };
        let add_spike = {
            let set = set_schedule.clone();
            let id = id.clone();
            let schedule = schedule.clone();
            let base = *base;
            Callback::from(move |_| {
                let mut s = schedule.clone();
                let at = next_phase_at(&s, duration);
                let back = s.last().map_or(base, |l| l.rate_per_s);
                s.push(Phase { at_s: at.round(), rate_per_s: back * 5.0, ramp_s: 0.0 });
                s.push(Phase { at_s: (at + 10.0).round(), rate_per_s: back, ramp_s: 0.0 });
                set(id.clone(), s);
            })
        };
        html! {
            <section class="timeline-client">
                <h4>{ format!("{id} · base {base} req/s") }</h4>
                if !schedule.is_empty() {
                    <table class="compact">
                        <thead><tr><th>{ "at (s)" }</th><th>{ "rate (/s)" }</th><th>{ "ramp (s)" }</th><th></th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                }
                <div class="button-row">
                    <button type="button" onclick={add_step}>{ "+ Step" }</button>
                    <button type="button" onclick={add_spike}>{ "+ Spike" }</button>
                </div>
            </section>
        }
    });

    let fault_rows = doc.faults.iter().enumerate().map(|(i, f)| {
        let faults = doc.faults.clone();
        let update = {
            let set = set_faults.clone();
            let error = error.clone();
            move |field: &'static str| {
                let set = set.clone();
                let faults = faults.clone();
                let error = error.clone();
                Callback::from(move |e: Event| {
                    let text = input_value(&e);
                    let mut fs = faults.clone();
                    let f = &mut fs[i];
                    let parsed = match field {
                        "node" => {
                            f.node = text;
                            Ok(())
                        }
                        "kind" => {
                            f.kind = fault_kind(&text, magnitude(&f.kind).map_or(1.0, |m| m.0));
                            Ok(())
                        }
                        "at_s" => num(&text).map(|v| f.at_s = v),
                        "duration_s" => num(&text).map(|v| f.duration_s = v),
                        _ => num(&text).map(|v| f.kind = fault_kind(fault_kind_name(&f.kind), v)),
                    };
                    match parsed {
                        Ok(()) => set(fs),
                        Err(reason) => error.set(Some(format!("Refused: {reason}"))),
                    }
                })
            }
        };
        let remove = {
            let set = set_faults.clone();
            let faults = doc.faults.clone();
            Callback::from(move |_| {
                let mut fs = faults.clone();
                fs.remove(i);
                set(fs);
            })
        };
        let kind = fault_kind_name(&f.kind);
        let size_label = match magnitude(&f.kind) {
            Some((_, "ms")) => "extra ms",
            Some((_, "p")) => "probability",
            Some(_) => "extra req/s",
            None => "",
        };
        html! {
            <div class="fault-row">
                <label>{ "node" }
                    <select aria-label={format!("Fault {} node", i + 1)} onchange={update("node")}>
                        { for doc.nodes.iter().map(|n| html! { <option value={n.id.clone()} selected={n.id == f.node}>{ &n.id }</option> }) }
                    </select>
                </label>
                <label>{ "kind" }
                    <select aria-label={format!("Fault {} kind", i + 1)} onchange={update("kind")}>
                        { for FAULT_KINDS.iter().map(|k| html! { <option value={*k} selected={*k == kind}>{ k.replace('_', " ") }</option> }) }
                    </select>
                </label>
                <button type="button" class="ghost small" aria-label={format!("Remove fault {}", i + 1)} onclick={remove}>{ "×" }</button>
                <div class="fault-numbers">
                    <label>{ "at (s)" }
                        <input type="text" inputmode="decimal" value={f.at_s.to_string()} aria-label={format!("Fault {} start (s)", i + 1)} onchange={update("at_s")} />
                    </label>
                    <label>{ "for (s)" }
                        <input type="text" inputmode="decimal" value={f.duration_s.to_string()} aria-label={format!("Fault {} duration (s)", i + 1)} onchange={update("duration_s")} />
                    </label>
                    if let Some((m, unit)) = magnitude(&f.kind) {
                        <label>{ size_label }
                            <input type="text" inputmode="decimal" value={m.to_string()} title={unit} aria-label={format!("Fault {} {size_label}", i + 1)} onchange={update("magnitude")} />
                        </label>
                    }
                </div>
            </div>
        }
    });
    let add_fault = {
        let set = set_faults.clone();
        let doc = p.doc.clone();
        Callback::from(move |_| {
            let Some(target) = doc
                .nodes
                .iter()
                .find(|n| !matches!(n.kind, NodeKind::Client(_)))
                .or(doc.nodes.first())
            else {
                return;
            };
            let mut fs = doc.faults.clone();
            let kind = match target.kind {
                NodeKind::Client(_) => FaultKind::Spike { rate_per_s: 100.0 },
                NodeKind::Rds(_) => FaultKind::Failover,
                _ => FaultKind::Outage,
            };
            fs.push(Fault {
                node: target.id.clone(),
                at_s: (doc.duration_s / 3.0).round(),
                duration_s: (doc.duration_s / 6.0).round().max(1.0),
                kind,
            });
            set(fs);
        })
    };

    html! {
        <div class="timeline" id="timeline">
            <label class="param">
                <span class="param-label">{ "Simulated time" }</span>
                <span class="field-input">
                    <input id="duration" type="text" inputmode="decimal" value={doc.duration_s.to_string()} onchange={set_duration} />
                    <span class="unit">{ "s" }</span>
                </span>
            </label>
            <svg class="timeline-chart" viewBox={format!("0 0 {W} {height}")} role="img"
                aria-label={format!("Load and faults over {} s", doc.duration_s)}>
                <line class="axis" x1="4" x2={(W - 4.0).to_string()} y1={(CHART_H - 4.0).to_string()} y2={(CHART_H - 4.0).to_string()} />
                { for clients.iter().map(|(id, base, schedule)| {
                    let pts = rate_curve(*base, schedule, duration)
                        .iter()
                        .map(|(t, r)| format!("{:.1},{:.1}", x(*t), y(*r)))
                        .collect::<Vec<_>>()
                        .join(" ");
                    html! { <polyline class="rate" points={pts}><title>{ format!("{id}: requests per second") }</title></polyline> }
                }) }
                <text class="tick" x="4" y="10">{ format!("{peak:.0}/s") }</text>
                { for doc.faults.iter().enumerate().map(|(i, f)| {
                    let top = CHART_H + ROW_H * i as f64;
                    let x0 = x(f.at_s);
                    let x1 = x(f.at_s + f.duration_s).max(x0 + 2.0);
                    html! {
                        <g class={format!("fault fault-{}", fault_kind_name(&f.kind))}>
                            <rect x={format!("{x0:.1}")} y={format!("{:.1}", top + 2.0)} width={format!("{:.1}", x1 - x0)} height={(ROW_H - 4.0).to_string()} rx="3" />
                            <text x={format!("{:.1}", (x1 + 4.0).min(W - 80.0))} y={format!("{:.1}", top + ROW_H - 4.0)}>{ format!("{} {}", f.node, fault_kind_name(&f.kind).replace('_', " ")) }</text>
                        </g>
                    }
                }) }
                <text class="tick" x="4" y={(height - 4.0).to_string()}>{ "0 s" }</text>
                <text class="tick" x={(W - 4.0).to_string()} y={(height - 4.0).to_string()} text-anchor="end">{ format!("{} s", doc.duration_s) }</text>
            </svg>
            if let Some(e) = &*error {
                <p class="param-error" role="alert">{ e }</p>
            }
            <h3>{ "Workload" }</h3>
            if clients.is_empty() {
                <p class="muted">{ "Add a Clients node to send load." }</p>
            }
            { for client_rows }
            <h3>{ "Faults" }</h3>
            <div class="faults">{ for fault_rows }</div>
            <div class="button-row">
                <button type="button" id="add-fault" onclick={add_fault} disabled={doc.nodes.is_empty()}>{ "+ Fault" }</button>
            </div>
        </div>
    }
}
