//! "Make an exercise": the current design becomes an exercise's start, goals are picked
//! from the last run's figures, the author says which nodes and settings students may
//! change, writes the story and hints, and shares the exercise as a link or a file (or
//! opens it as a student would).

use std::rc::Rc;

use surge_core::exercise::Metric;
use surge_core::{Report, Scenario};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::authoring::{Form, Proposal, build, proposals};
use crate::state::Action;

/// Props of [`AuthorDialog`].
#[derive(Properties, PartialEq, Debug)]
pub struct AuthorDialogProps {
    /// The design (the exercise's start).
    pub doc: Rc<Scenario>,
    /// The last run's report (the goals' figures).
    pub report: Rc<Report>,
    /// The lesson loaded, if any.
    pub lesson: Option<u8>,
    /// Where "open as a student" goes.
    pub dispatch: Callback<Action>,
    /// Closes the dialog.
    pub on_close: Callback<()>,
}

fn metric_name(m: Metric) -> String {
    serde_json::to_value(m)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn text_of(e: &Event) -> String {
    e.target()
        .and_then(|t| {
            t.dyn_ref::<HtmlInputElement>()
                .map(HtmlInputElement::value)
                .or_else(|| {
                    t.dyn_ref::<HtmlTextAreaElement>()
                        .map(HtmlTextAreaElement::value)
                })
        })
        .unwrap_or_default()
}

fn checked(e: &Event) -> bool {
    e.target()
        .and_then(|t| {
            t.dyn_ref::<HtmlInputElement>()
                .map(HtmlInputElement::checked)
        })
        .unwrap_or(false)
}

/// A bound as the author starts from: the run's figure, rounded.
fn rounded(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 100.0).round() / 100.0
    }
}

/// The dialog.
#[component]
pub fn AuthorDialog(p: &AuthorDialogProps) -> Html {
    let props = use_memo(p.report.clone(), |r| proposals(r));
    let form = use_state(|| Form {
        seeds: "1, 2, 3".into(),
        lesson: p.lesson,
        ..Form::default()
    });
    // Bounds typed per proposal (the run's figure until edited).
    let bounds = use_state(|| {
        props
            .iter()
            .map(|x| rounded(x.measured))
            .collect::<Vec<f64>>()
    });
    let chosen = use_state(|| vec![false; props.len()]);
    let link = use_state(|| None::<String>);
    let error = use_state(|| None::<String>);
    let current = {
        let (form, bounds, chosen, props) =
            (form.clone(), bounds.clone(), chosen.clone(), props.clone());
        move || Form {
            goals: props
                .iter()
                .zip(bounds.iter())
                .zip(chosen.iter())
                .filter(|(_, on)| **on)
                .map(|((x, b), _)| (x.metric, *b, x.at_most))
                .collect(),
            ..(*form).clone()
        }
    };
    let set = |f: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            f(&mut next, text_of(&e));
            form.set(next);
        })
    };
    let made = {
        let (current, doc, error) = (current.clone(), p.doc.clone(), error.clone());
        move || match build(&current(), &doc) {
            Ok(e) => {
                error.set(None);
                Some(e)
            }
            Err(why) => {
                error.set(Some(why));
                None
            }
        }
    };
    let on_link = {
        let (made, link) = (made.clone(), link.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(e) = made() {
                let text = format!(
                    "{}#{}",
                    crate::share::base_url(),
                    surge_core::link::encode_exercise(&e, None)
                );
                crate::share::copy(&text);
                link.set(Some(text));
            }
        })
    };
    let on_save = {
        let made = made.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(e) = made() {
                crate::dom::download_text(
                    &format!("{}.exercise.json", e.id),
                    "application/json",
                    &e.to_json(),
                );
            }
        })
    };
    let on_try = {
        let (made, dispatch, close) = (made.clone(), p.dispatch.clone(), p.on_close.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(e) = made() {
                dispatch.emit(Action::OpenExercise {
                    exercise: Box::new(e),
                    solution: None,
                });
                close.emit(());
            }
        })
    };
    let cancel = {
        let close = p.on_close.clone();
        Callback::from(move |_: MouseEvent| close.emit(()))
    };
    let goal_row = |(i, x): (usize, &Proposal)| {
        let name = metric_name(x.metric);
        let (what, unit) = x.metric.words();
        let toggle = {
            let chosen = chosen.clone();
            Callback::from(move |e: Event| {
                let mut next = (*chosen).clone();
                next[i] = checked(&e);
                chosen.set(next);
            })
        };
        let bound = {
            let bounds = bounds.clone();
            Callback::from(move |e: Event| {
                if let Ok(v) = text_of(&e).trim().parse::<f64>() {
                    let mut next = (*bounds).clone();
                    next[i] = v;
                    bounds.set(next);
                }
            })
        };
        html! {
            <li class="author-goal">
                <label>
                    <input type="checkbox" id={format!("author-goal-{name}")} checked={chosen[i]} onchange={toggle} />
                    { format!(" {what} {} ", if x.at_most { "≤" } else { "≥" }) }
                </label>
                <input type="text" inputmode="decimal" class="author-bound" id={format!("author-bound-{name}")}
                    value={bounds[i].to_string()} onchange={bound} aria-label={format!("bound for {what}")} />
                <span class="muted">{ format!("{unit} · this run: {}", rounded(x.measured)) }</span>
            </li>
        }
    };
    let node_row = |id: &String| {
        let toggle = {
            let (form, id) = (form.clone(), id.clone());
            Callback::from(move |e: Event| {
                let mut next = (*form).clone();
                next.open_nodes.retain(|n| *n != id);
                if checked(&e) {
                    next.open_nodes.push(id.clone());
                }
                form.set(next);
            })
        };
        html! {
            <label class="author-node">
                <input type="checkbox" id={format!("author-open-{id}")} checked={form.open_nodes.contains(id)} onchange={toggle} />
                { format!(" {id}") }
            </label>
        }
    };
    let account = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            form.set(Form {
                open_account: checked(&e),
                ..(*form).clone()
            });
        })
    };
    let rewire = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            form.set(Form {
                rewire: checked(&e),
                ..(*form).clone()
            });
        })
    };
    let ids: Vec<String> = p.doc.nodes.iter().map(|n| n.id.clone()).collect();
    html! {
        <div class="overlay-backdrop">
            <div class="help author" role="dialog" aria-modal="true" aria-labelledby="author-title-h" id="author-dialog">
                <h2 id="author-title-h">{ "Make an exercise from this design" }</h2>
                <p class="muted">{ "Students start from this design and must reach the goals on every grading seed, changing only what you open." }</p>
                <label class="param">{ "Title" }
                    <input type="text" id="author-title" value={form.title.clone()} onchange={set(|f, v| f.title = v)} />
                </label>
                <label class="param">{ "Story (read out as is)" }
                    <textarea id="author-story" rows="3" value={form.story.clone()} onchange={set(|f, v| f.story = v)} />
                </label>
                <label class="param">{ "Hints, one per line (shown one at a time)" }
                    <textarea id="author-hints" rows="3" value={form.hints.clone()} onchange={set(|f, v| f.hints = v)} />
                </label>
                <h3>{ "Goals, from this run's figures" }</h3>
                <ul class="author-goals">{ for props.iter().enumerate().map(goal_row) }</ul>
                <h3>{ "What students may change" }</h3>
                <div class="author-nodes">{ for ids.iter().map(node_row) }</div>
                <label class="author-node"><input type="checkbox" id="author-account" checked={form.open_account} onchange={account} />{ " the account's settings" }</label>
                <label class="author-node"><input type="checkbox" id="author-rewire" checked={form.rewire} onchange={rewire} />{ " the connections" }</label>
                <label class="param">{ "Node kinds they may add (comma separated, e.g. sqs, rds_proxy)" }
                    <input type="text" id="author-add" value={form.add.clone()} onchange={set(|f, v| f.add = v)} />
                </label>
                <label class="param">{ "Grading seeds" }
                    <input type="text" id="author-seeds" value={form.seeds.clone()} onchange={set(|f, v| f.seeds = v)} />
                </label>
                if let Some(why) = &*error {
                    <p class="refusal" id="author-error" role="alert">{ why.clone() }</p>
                }
                if let Some(l) = &*link {
                    <input id="author-link-text" readonly=true value={l.clone()} />
                }
                <div class="lesson-actions">
                    <button type="button" class="primary" id="author-link" onclick={on_link}>{ "Copy the link" }</button>
                    <button type="button" id="author-save" onclick={on_save}>{ "Save as a file" }</button>
                    <button type="button" id="author-try" onclick={on_try}>{ "Open it as a student" }</button>
                    <button type="button" class="ghost" id="author-cancel" onclick={cancel}>{ "Close" }</button>
                </div>
            </div>
        </div>
    }
}
