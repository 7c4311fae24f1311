//! The open exercise beside the canvas: its story, its goals, hints one at a time, what
//! may be changed, and Check: every grading seed run in a worker of its own, with
//! progress, each goal met or missed with its measured figure, and for a pass the result
//! code and a link carrying the solution.
//!
//! Why a worker of its own: a check runs several whole simulations; the worker that plays
//! the run being watched keeps playing it, and the page's main thread runs none of them.

use std::cell::RefCell;
use std::rc::Rc;

use surge_core::Scenario;
use surge_core::exercise::{Grade, Status};
use yew::prelude::*;

use crate::state::{Action, Check, ExerciseState};

/// Props of [`ExercisePanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct ExercisePanelProps {
    /// The exercise being solved.
    pub state: Rc<ExerciseState>,
    /// The student's design.
    pub doc: Rc<Scenario>,
    /// Where hints, checks and closing go.
    pub dispatch: Callback<Action>,
}

/// A figure as the goals write it.
fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn verdict(grade: &Grade, link: Option<String>, go_to: &Callback<(u64, f64)>) -> Html {
    let status = match grade.status {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
    };
    html! {
        <div class={classes!("exercise-verdict", status)} id="exercise-verdict" data-status={status}>
            if let Some(why) = &grade.error {
                <p class="refusal">{ why.clone() }</p>
            }
            <ul class="exercise-results">
                { for grade.locked.iter().map(|l| html! {
                    <li class="missed">{ format!("✗ locked: {l}") }</li>
                }) }
                { for grade.goals.iter().map(|g| {
                    // A missed goal links to its moment: that seed's run at that second.
                    let moment = g.at_s.filter(|_| !g.met).map(|t| {
                        let (go_to, seed) = (go_to.clone(), g.seed);
                        html! {
                            <button type="button" class="link go-to" data-at={t.to_string()}
                                onclick={Callback::from(move |_| go_to.emit((seed, t)))}>
                                { format!("Go to t = {} s", figure(t)) }
                            </button>
                        }
                    });
                    html! {
                        <li class={if g.met { "met" } else { "missed" }} data-met={g.met.to_string()}>
                            { format!("{} {} — measured {} (worst on seed {}) ",
                                if g.met { "✓" } else { "✗" }, g.name, figure(g.measured), g.seed) }
                            { for moment }
                        </li>
                    }
                }) }
            </ul>
            if let Some(code) = &grade.code {
                <p class="exercise-code">{ "Passed. Your result code: " }<strong id="exercise-code">{ code.clone() }</strong></p>
                if let Some(link) = link {
                    <label class="exercise-link">{ "Your solution as a link (send it with the code):" }
                        <input id="exercise-solution-link" readonly=true value={link.clone()} />
                    </label>
                    <button type="button" onclick={Callback::from(move |_| crate::share::copy(&link))}>{ "Copy the link" }</button>
                }
            }
        </div>
    }
}

/// The exercise panel.
#[component]
pub fn ExercisePanel(p: &ExercisePanelProps) -> Html {
    let x = &p.state;
    let e = &x.exercise;
    let worker = use_mut_ref(|| None::<Rc<CheckWorker>>);
    let check = {
        let (worker, dispatch, doc, exercise) =
            (worker.clone(), p.dispatch.clone(), p.doc.clone(), e.clone());
        Callback::from(move |_: MouseEvent| {
            start_check(&worker, &dispatch, &exercise.to_json(), &doc.to_json());
        })
    };
    let hint = {
        let d = p.dispatch.clone();
        Callback::from(move |_| d.emit(Action::ExerciseHint))
    };
    let close = {
        let d = p.dispatch.clone();
        Callback::from(move |_| d.emit(Action::CloseExercise))
    };
    let running = matches!(x.check, Check::Running { .. });
    let progress = match &x.check {
        Check::Running { done, of } => Some(html! {
            <p class="exercise-progress" role="status" id="exercise-progress">
                <progress max={of.to_string()} value={done.to_string()} />
                { format!(" Grading seed {} of {of}…", (done + 1).min(*of)) }
            </p>
        }),
        _ => None,
    };
    // A missed goal's moment: the seed it was graded on, the run paused at that second.
    let run = use_context::<super::RunHandle>();
    let go_to = {
        let (dispatch, doc) = (p.dispatch.clone(), p.doc.clone());
        Callback::from(move |(seed, t): (u64, f64)| {
            dispatch.emit(Action::Editor(crate::editor::EditorAction::Edit(
                crate::editor::Edit::SetRun {
                    seed,
                    duration_s: doc.duration_s,
                    field: "seed".into(),
                },
            )));
            if let Some(run) = &run {
                let seeded = Rc::new(Scenario {
                    seed,
                    ..(*doc).clone()
                });
                run.input(crate::run::Input::Seek(seeded, t));
            }
        })
    };
    let result = match &x.check {
        Check::Done(grade) => Some(verdict(
            grade,
            grade.code.as_ref().map(|_| {
                format!(
                    "{}#{}",
                    crate::share::base_url(),
                    surge_core::link::encode_exercise(e, Some(&p.doc))
                )
            }),
            &go_to,
        )),
        _ => None,
    };
    let allowed = if e.allow.params.is_empty() && e.allow.add.is_empty() {
        "nothing but what the goals need".to_owned()
    } else {
        let mut parts: Vec<String> = e.allow.params.clone();
        if !e.allow.add.is_empty() {
            parts.push(format!(
                "adding {}{}",
                e.allow.add.join(", "),
                e.allow
                    .max_added
                    .map_or_else(String::new, |m| format!(" (at most {m})"))
            ));
        }
        parts.join(" · ")
    };
    html! {
        <section class="exercise-panel" id="exercise-panel" aria-label={format!("Exercise: {}", e.title)}>
            <h3>{ format!("Exercise · {}", e.title) }</h3>
            // The verdict first: it is what the student pressed Check for.
            { progress.unwrap_or_default() }
            { result.unwrap_or_default() }
            <details class="exercise-story" open={matches!(x.check, Check::Idle)}>
                <summary>{ "The story" }</summary>
                <p>{ e.story.clone() }</p>
            </details>
            <h4>{ "Goals, on every one of seeds " }{ format!("{:?}", e.seeds) }</h4>
            <ul class="exercise-goals">
                { for e.goals.iter().map(|g| html! { <li>{ g.words() }</li> }) }
                if let Some(b) = e.allow.budget_usd {
                    <li>{ format!("cost of the run ≤ ${b}") }</li>
                }
            </ul>
            <p class="muted">{ "You may change: " }{ allowed }{ ". Everything else is locked." }</p>
            if x.hints > 0 {
                <ol class="exercise-hints">{ for e.hints.iter().take(x.hints).map(|h| html! { <li>{ h.clone() }</li> }) }</ol>
            }
            <div class="lesson-actions">
                <button type="button" class="primary" id="exercise-check" onclick={check} disabled={running}>{ "Check" }</button>
                if x.hints < e.hints.len() {
                    <button type="button" id="exercise-hint" onclick={hint}>{ format!("Show a hint ({} left)", e.hints.len() - x.hints) }</button>
                }
                <button type="button" class="ghost" id="exercise-close" onclick={close}>{ "Leave the exercise" }</button>
            </div>
        </section>
    }
}

/// The worker a check runs in, and the number of the check whose events count.
struct CheckWorker {
    #[cfg(target_arch = "wasm32")]
    client: Rc<crate::run::client::Client>,
    run: Rc<std::cell::Cell<u32>>,
}

/// Starts a check in the check worker (a new one replaces one still running).
fn start_check(
    worker: &Rc<RefCell<Option<Rc<CheckWorker>>>>,
    dispatch: &Callback<Action>,
    exercise: &str,
    solution: &str,
) {
    dispatch.emit(Action::ExerciseCheck(Check::Running { done: 0, of: 1 }));
    let w = worker
        .borrow_mut()
        .get_or_insert_with(|| Rc::new(CheckWorker::new(dispatch.clone())))
        .clone();
    w.run.set(w.run.get() + 1);
    #[cfg(target_arch = "wasm32")]
    w.client.send(&crate::run::protocol::Command::Grade {
        run: w.run.get(),
        exercise: exercise.to_owned(),
        solution: solution.to_owned(),
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (exercise, solution);
}

impl CheckWorker {
    fn new(dispatch: Callback<Action>) -> CheckWorker {
        let run = Rc::new(std::cell::Cell::new(0));
        #[cfg(target_arch = "wasm32")]
        {
            use crate::run::protocol::Event;
            let expected = run.clone();
            let client = crate::run::client::Client::new(move |event| {
                let check = match event {
                    Event::Grading { run, done, of } if run == expected.get() => {
                        Check::Running { done, of }
                    }
                    Event::Graded { run, grade } if run == expected.get() => {
                        Check::Done(Rc::new(grade))
                    }
                    Event::Panicked { message } | Event::Error { message } => {
                        Check::Done(Rc::new(surge_core::exercise::Grading::failed(format!(
                            "the check stopped: {message}"
                        ))))
                    }
                    _ => return,
                };
                dispatch.emit(Action::ExerciseCheck(check));
            });
            CheckWorker { client, run }
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = dispatch;
            CheckWorker { run }
        }
    }
}
