//! The player: Play, Pause, Step (one simulated second), speed, Restart and a scrubber over
//! the seconds already computed.
//!
//! Why the run lives here and not in the reducer: a `Simulation` is engine state (not
//! cloneable, never serialized); the player owns it, advances it once per animation frame
//! within a time budget (so the page stays responsive even on long runs), and sends the
//! reducer only plain views: the canvas' gauges at the playhead, and the final report.
//! Any edit of the document ends the run (it would no longer match the diagram).

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{AnimationFrame, request_animation_frame};
use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::editor::{Edit, EditorAction};
use crate::live::LiveRun;
use crate::state::{Action, Outcome};

/// Wall-clock milliseconds the player may spend computing per animation frame; "max"
/// speed takes a little more of each frame (the page still answers within a frame).
const BUDGET_MS: f64 = 10.0;
const MAX_SPEED_BUDGET_MS: f64 = 14.0;

/// Playback speeds offered (simulated seconds per second); infinity is "as fast as possible".
const SPEEDS: [(f64, &str); 7] = [
    (0.25, "0.25×"),
    (1.0, "1×"),
    (4.0, "4×"),
    (10.0, "10×"),
    (30.0, "30×"),
    (100.0, "100×"),
    (f64::INFINITY, "max"),
];

/// The player's state, shared (through a context) with the inspector, which injects faults
/// into the running simulation.
#[derive(Default, Debug)]
pub struct Player {
    /// The run being watched.
    pub run: Option<LiveRun>,
    playing: bool,
    speed: f64,
    /// `None`: follow the newest computed second.
    playhead: Option<usize>,
    raf: Option<AnimationFrame>,
    last_ts: Option<f64>,
    last_publish: f64,
    errors: Vec<String>,
}

/// At "max" speed the canvas is refreshed at most this often (ms), leaving the frames'
/// time to the engine.
const MAX_SPEED_REFRESH_MS: f64 = 100.0;

type Shared = Rc<RefCell<Player>>;

/// A handle on the player's state, provided by `App` as a context.
#[derive(Clone, Debug, Default)]
pub struct RunHandle(pub Shared);

impl PartialEq for RunHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Sends the reducer what the canvas shows at the playhead.
pub fn publish(p: &Player, dispatch: &Callback<Action>) {
    let Some(run) = &p.run else {
        dispatch.emit(Action::Live(None));
        return;
    };
    let last = run.frames().len().saturating_sub(1);
    let at = p.playhead.unwrap_or(last).min(last);
    dispatch.emit(Action::Live(run.view(at).map(Rc::new)));
}

/// Stops the animation loop (the run and its frames stay).
fn pause(p: &mut Player) {
    p.playing = false;
    p.raf = None;
    p.last_ts = None;
}

fn finish(p: &mut Player, dispatch: &Callback<Action>) {
    pause(p);
    if let Some(run) = &p.run {
        dispatch.emit(Action::Finished(Outcome::Done {
            report: run.report(),
            scenario_json: run.scenario_json(),
        }));
    }
}

fn ensure_run(p: &mut Player, doc: &Scenario, dispatch: &Callback<Action>) -> bool {
    if p.run
        .as_ref()
        .is_some_and(|r| !r.finished() || p.playhead.is_some())
    {
        return true;
    }
    match LiveRun::start(doc) {
        Ok(run) => {
            p.run = Some(run);
            p.playhead = None;
            p.errors.clear();
            true
        }
        Err(errors) => {
            dispatch.emit(Action::Finished(Outcome::Invalid(errors.clone())));
            p.errors = errors;
            false
        }
    }
}

fn schedule(shared: Shared, dispatch: Callback<Action>, redraw: Callback<()>) {
    let inner = shared.clone();
    let handle = request_animation_frame(move |ts| {
        let mut p = inner.borrow_mut();
        if !p.playing {
            return;
        }
        let dt_ms = p.last_ts.map_or(16.7, |last| (ts - last).clamp(0.0, 100.0));
        p.last_ts = Some(ts);
        let speed = p.speed;
        let budget = if speed.is_finite() {
            BUDGET_MS
        } else {
            MAX_SPEED_BUDGET_MS
        };
        let deadline = now_ms() + budget;
        let done = if let Some(run) = p.run.as_mut() {
            let dt_s = if speed.is_finite() {
                speed * dt_ms / 1000.0
            } else {
                f64::MAX
            };
            run.advance(dt_s, || now_ms() > deadline);
            run.finished()
        } else {
            true
        };
        if done || speed.is_finite() || ts - p.last_publish >= MAX_SPEED_REFRESH_MS {
            p.last_publish = ts;
            publish(&p, &dispatch);
        }
        if done {
            finish(&mut p, &dispatch);
            drop(p);
            redraw.emit(());
            return;
        }
        drop(p);
        redraw.emit(());
        schedule(inner.clone(), dispatch.clone(), redraw.clone());
    });
    shared.borrow_mut().raf = Some(handle);
}

/// Props of [`PlayerBar`].
#[derive(Properties, PartialEq, Debug)]
pub struct PlayerBarProps {
    /// The document to run.
    pub doc: Rc<Scenario>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The player bar under the toolbar.
#[component]
pub fn PlayerBar(props: &PlayerBarProps) -> Html {
    let handle = use_context::<RunHandle>().unwrap_or_default();
    let shared: Shared = handle.0.clone();
    if shared.borrow().speed == 0.0 {
        shared.borrow_mut().speed = 10.0;
    }
    let force = use_force_update();
    let redraw = {
        let force = force.clone();
        Callback::from(move |()| force.force_update())
    };

    // An edit ends the run: its frames would describe another diagram.
    {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        use_effect_with(props.doc.clone(), move |_| {
            let mut p = shared.borrow_mut();
            if p.run.is_some() {
                *p = Player {
                    speed: p.speed,
                    ..Player::default()
                };
                dispatch.emit(Action::Live(None));
            }
        });
    }

    let on_play = {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        let doc = props.doc.clone();
        let redraw = redraw.clone();
        Callback::from(move |_| {
            let playing = shared.borrow().playing;
            if playing {
                pause(&mut shared.borrow_mut());
            } else {
                {
                    let mut p = shared.borrow_mut();
                    if !ensure_run(&mut p, &doc, &dispatch) {
                        drop(p);
                        redraw.emit(());
                        return;
                    }
                    p.playing = true;
                    p.playhead = None;
                }
                schedule(shared.clone(), dispatch.clone(), redraw.clone());
            }
            redraw.emit(());
        })
    };
    let on_step = {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        let doc = props.doc.clone();
        let redraw = redraw.clone();
        Callback::from(move |_| {
            let mut p = shared.borrow_mut();
            pause(&mut p);
            if ensure_run(&mut p, &doc, &dispatch) {
                p.playhead = None;
                if let Some(run) = p.run.as_mut() {
                    run.advance(1.0, || false);
                }
                publish(&p, &dispatch);
                if p.run.as_ref().is_some_and(LiveRun::finished) {
                    finish(&mut p, &dispatch);
                }
            }
            drop(p);
            redraw.emit(());
        })
    };
    let on_restart = {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        let doc = props.doc.clone();
        let redraw = redraw.clone();
        Callback::from(move |_| {
            let mut p = shared.borrow_mut();
            let was_playing = p.playing;
            p.run = None;
            p.playhead = None;
            let ok = ensure_run(&mut p, &doc, &dispatch);
            publish(&p, &dispatch);
            drop(p);
            if ok && was_playing {
                schedule(shared.clone(), dispatch.clone(), redraw.clone());
            }
            redraw.emit(());
        })
    };
    let on_speed = {
        let shared = shared.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                && let Some((v, _)) = SPEEDS.iter().find(|(_, l)| *l == s.value())
            {
                shared.borrow_mut().speed = *v;
            }
        })
    };
    let on_scrub = {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        let redraw = redraw.clone();
        Callback::from(move |e: InputEvent| {
            let Some(v) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<usize>().ok())
            else {
                return;
            };
            let mut p = shared.borrow_mut();
            let last = p
                .run
                .as_ref()
                .map_or(0, |r| r.frames().len().saturating_sub(1));
            // Back to the newest second: follow the run again.
            p.playhead = (v < last).then_some(v);
            publish(&p, &dispatch);
            drop(p);
            redraw.emit(());
        })
    };

    let on_keep = {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| {
            let faults = shared.borrow().run.as_ref().map(LiveRun::faults);
            if let Some(faults) = faults {
                // Changing the diagram ends the run, as any edit does.
                dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetFaults {
                    faults,
                    field: "injected".into(),
                })));
                dispatch.emit(Action::Editor(EditorAction::Seal));
            }
        })
    };
    let p = shared.borrow();
    let injected = p.run.as_ref().map_or(0, LiveRun::injected);
    let (computed, end, frames) = p.run.as_ref().map_or((0.0, props.doc.duration_s, 0), |r| {
        (r.computed_s(), r.end_s(), r.frames().len())
    });
    let last = frames.saturating_sub(1);
    let at = p.playhead.unwrap_or(last);
    let finished = p.run.as_ref().is_some_and(LiveRun::finished);
    let status = if !p.errors.is_empty() {
        "cannot run: see the Run tab".to_owned()
    } else if p.run.is_none() {
        "ready".to_owned()
    } else if finished {
        "finished".to_owned()
    } else if p.playing {
        format!(
            "running · computed {:.0} %",
            100.0 * computed / end.max(1e-9)
        )
    } else {
        "paused".to_owned()
    };
    let speed_label = SPEEDS
        .iter()
        .find(|(v, _)| *v == p.speed)
        .map_or("10×", |(_, l)| *l);
    html! {
        <div class="player" role="group" aria-label="Run controls">
            <button type="button" id="play" class="primary" onclick={on_play}
                aria-label={if p.playing { "Pause" } else { "Play" }}>
                { if p.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button type="button" id="step" onclick={on_step} title="Advance one simulated second">{ "Step 1 s" }</button>
            <button type="button" id="restart" onclick={on_restart} title="Start again from 0 s">{ "↺ Restart" }</button>
            <label class="speed">{ "Speed " }
                <select id="speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|(_, l)| html! { <option value={*l} selected={*l == speed_label}>{ *l }</option> }) }
                </select>
            </label>
            <input type="range" id="scrubber" min="0" max={last.to_string()} value={at.to_string()}
                disabled={frames < 2} aria-label="Playhead (simulated seconds)" oninput={on_scrub} />
            <span class="clock" id="clock" aria-live="off">{ format!("t = {at} s / {end:.0} s") }</span>
            <span class="status" id="player-status" role="status">{ status }</span>
            if injected > 0 {
                <button type="button" id="keep-faults" onclick={on_keep}
                    title="Add the faults injected during this run to the diagram's fault schedule (ends the run)">
                    { format!("Keep {injected} injected fault(s)") }
                </button>
            }
        </div>
    }
}
