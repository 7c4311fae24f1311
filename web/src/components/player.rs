//! The player bar (Play/Pause, Step, Stop, Restart, speed, scrubber, status) and the
//! [`RunHandle`] that drives a run: the player's pure state machine, the worker bridge and
//! the animation frame.
//!
//! Why a handle in a context: the player bar, the inspector (fault injection), the Run tab
//! ("Run to the end") and the keyboard all drive the same run. The handle applies each
//! input to [`Player`], carries out what it asks (send a command, terminate the worker),
//! and publishes what the canvas shows to the app's reducer. Any edit of the document
//! ends the run (its frames would describe another diagram).

use std::cell::{Cell, Ref, RefCell};
use std::rc::{Rc, Weak};

use gloo::render::{AnimationFrame, request_animation_frame};
use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::editor::{Edit, EditorAction};
use crate::run::{Input, MAX_SPEED, Output, Player, Status};
use crate::state::{Action, Outcome};

/// Playback speeds offered (simulated seconds per second); "max" is as fast as possible.
const SPEEDS: [(f64, &str); 7] = [
    (0.25, "0.25×"),
    (1.0, "1×"),
    (4.0, "4×"),
    (10.0, "10×"),
    (30.0, "30×"),
    (100.0, "100×"),
    (MAX_SPEED, "max"),
];

/// At "max" the canvas is refreshed at most this often (ms).
const MAX_SPEED_REFRESH_MS: f64 = 100.0;

/// Everything behind a [`RunHandle`].
struct Ctl {
    player: RefCell<Player>,
    #[cfg(target_arch = "wasm32")]
    client: RefCell<Option<Rc<crate::run::client::Client>>>,
    dispatch: RefCell<Option<Callback<Action>>>,
    redraw: RefCell<Vec<(u32, Callback<()>)>>,
    next_listener: Cell<u32>,
    raf: RefCell<Option<AnimationFrame>>,
    last_ts: Cell<Option<f64>>,
    last_publish: Cell<f64>,
    /// What was last published, to skip re-rendering when nothing changed.
    published: RefCell<Option<Published>>,
    /// A publication put off to a task of its own (see [`RunHandle::input`]).
    soon: RefCell<Option<gloo::timers::callback::Timeout>>,
    /// Whether the reducer holds a finished run's results from this handle, which a new
    /// run (in the same document) takes back until its own report comes.
    reported: Cell<bool>,
    me: RefCell<Weak<Ctl>>,
}

/// What the page last showed of the run: the playhead, how many frames, the status,
/// whether the report came, how many faults were injected (an injected fault replaces
/// the frames from its second on), and the speed.
#[derive(Clone, PartialEq)]
struct Published {
    at: usize,
    frames: usize,
    status: Status,
    has_report: bool,
    injected: usize,
    /// The speed: the moving marks draw differently at "max".
    speed: f64,
}

/// A handle on the run being watched, provided by `App` as a context.
#[derive(Clone)]
pub struct RunHandle(Rc<Ctl>);

impl std::fmt::Debug for RunHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunHandle")
    }
}

impl PartialEq for RunHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for RunHandle {
    fn default() -> Self {
        let ctl = Rc::new(Ctl {
            player: RefCell::new(Player::default()),
            #[cfg(target_arch = "wasm32")]
            client: RefCell::new(None),
            dispatch: RefCell::new(None),
            redraw: RefCell::new(Vec::new()),
            next_listener: Cell::new(0),
            raf: RefCell::new(None),
            last_ts: Cell::new(None),
            last_publish: Cell::new(0.0),
            soon: RefCell::new(None),
            reported: Cell::new(false),
            published: RefCell::new(None),
            me: RefCell::new(Weak::new()),
        });
        *ctl.me.borrow_mut() = Rc::downgrade(&ctl);
        RunHandle(ctl)
    }
}

impl RunHandle {
    /// Connects the handle to the app's reducer.
    pub fn connect(&self, dispatch: Callback<Action>) {
        *self.0.dispatch.borrow_mut() = Some(dispatch);
    }

    /// The player's state.
    pub fn player(&self) -> Ref<'_, Player> {
        self.0.player.borrow()
    }

    /// Calls `redraw` whenever the player changes; returns a key for [`Self::unlisten`].
    pub fn listen(&self, redraw: Callback<()>) -> u32 {
        let id = self.0.next_listener.get();
        self.0.next_listener.set(id + 1);
        self.0.redraw.borrow_mut().push((id, redraw));
        id
    }

    /// Stops calling a listener.
    pub fn unlisten(&self, id: u32) {
        self.0.redraw.borrow_mut().retain(|(k, _)| *k != id);
    }

    /// Applies one input and carries out what the player asks.
    pub fn input(&self, input: Input) {
        // A run's report (236 KB for lesson 2) is decoded in its message's task; the
        // results it fills are rendered in a task of their own, so that decoding and
        // rendering are not one long main-thread task.
        let report = matches!(&input, Input::Worker(e) if matches!(**e, crate::run::protocol::Event::Report { .. }));
        let outputs = self.0.player.borrow_mut().apply(input);
        for out in outputs {
            match out {
                Output::Send(command) => self.send(&command),
                Output::Terminate => self.terminate(),
            }
        }
        if report {
            let me = self.0.me.borrow().clone();
            *self.0.soon.borrow_mut() = Some(gloo::timers::callback::Timeout::new(0, move || {
                if let Some(ctl) = me.upgrade() {
                    RunHandle(ctl).publish();
                }
            }));
        } else {
            self.publish();
        }
        self.animate();
    }

    /// Starts the worker ahead of the first run (its script, its wasm's compilation), so a
    /// first Play does not wait ~0.1 s for it. Idempotent.
    pub fn warm(&self) {
        #[cfg(target_arch = "wasm32")]
        self.client().start();
    }

    #[cfg(target_arch = "wasm32")]
    fn client(&self) -> Rc<crate::run::client::Client> {
        self.0
            .client
            .borrow_mut()
            .get_or_insert_with(|| {
                let me = self.0.me.borrow().clone();
                crate::run::client::Client::new(move |event| {
                    if let Some(ctl) = me.upgrade() {
                        RunHandle(ctl).input(Input::Worker(Box::new(event)));
                    }
                })
            })
            .clone()
    }

    #[cfg(target_arch = "wasm32")]
    fn send(&self, command: &crate::run::protocol::Command) {
        self.client().send(command);
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn send(&self, _command: &crate::run::protocol::Command) {}

    fn terminate(&self) {
        #[cfg(target_arch = "wasm32")]
        if let Some(client) = self.0.client.borrow().as_ref() {
            client.terminate();
        }
    }

    /// Sends the reducer what the canvas shows (throttled at "max"), and the report once
    /// the run is over.
    fn publish(&self) {
        let dispatch = self.0.dispatch.borrow().clone();
        let p = self.0.player.borrow();
        let frames = p.recording().map_or(0, |r| r.frames().len());
        // What the page shows changes with the playhead, the frames, the status, the report,
        // an injected fault (which replaces the frames from its second on) and the speed.
        let injected = p.recording().map_or(0, |r| r.injected_count());
        let key = Published {
            at: p.at(),
            frames,
            status: p.status.clone(),
            has_report: p.report.is_some(),
            injected,
            speed: p.speed,
        };
        let (changed, same_status) = match self.0.published.borrow().as_ref() {
            Some(old) => (old != &key, old.status == key.status),
            None => (true, false),
        };
        let now = now_ms();
        // At "max", frames arrive faster than anyone can read them: the view follows at
        // a steady rate (whether a tick or the worker brought them), and a change of
        // status (paused, finished) shows at once.
        let throttled = p.speed == MAX_SPEED
            && p.status == Status::Playing
            && same_status
            && now - self.0.last_publish.get() < MAX_SPEED_REFRESH_MS;
        if !changed || throttled {
            return;
        }
        self.0.last_publish.set(now);
        *self.0.published.borrow_mut() = Some(key);
        // Everything is read first: an action may re-render a component that reads the
        // player (or drives it) before `emit` returns.
        let view = p.view().map(Rc::new);
        let done = match (&p.report, p.recording(), &p.status) {
            (_, _, Status::Invalid(errors)) => Some(Outcome::Invalid(errors.clone())),
            (Some(report), Some(rec), _) => Some(Outcome::Done {
                report: report.clone(),
                scenario_json: rec.scenario_json(),
                digest: p.report_digest.clone(),
                traces: p.traces.clone(),
            }),
            // A new run whose report has not come: the last run's whole-run figures
            // (the KPI strip's, the results') are not this run's.
            (None, Some(_), _) if self.0.reported.get() => Some(Outcome::Idle),
            _ => None,
        };
        if let Some(outcome) = &done {
            self.0.reported.set(matches!(outcome, Outcome::Done { .. }));
        }
        if let Status::Crashed(message) = &p.status {
            gloo::console::error!(format!("Surge's simulation worker stopped: {message}"));
        }
        drop(p);
        if let Some(d) = &dispatch {
            d.emit(Action::Live(view));
            if let Some(outcome) = done {
                d.emit(Action::Finished(outcome));
            }
        }
        let listeners: Vec<Callback<()>> = self
            .0
            .redraw
            .borrow()
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        for l in listeners {
            l.emit(());
        }
    }

    /// Keeps an animation frame requested while playing.
    fn animate(&self) {
        let playing = self.0.player.borrow().status == Status::Playing;
        if !playing {
            self.0.raf.borrow_mut().take();
            self.0.last_ts.set(None);
            return;
        }
        if self.0.raf.borrow().is_some() {
            return;
        }
        let me = self.0.me.borrow().clone();
        let handle = request_animation_frame(move |ts| {
            let Some(ctl) = me.upgrade() else { return };
            ctl.raf.borrow_mut().take();
            let dt = ctl
                .last_ts
                .get()
                .map_or(16.7, |last| (ts - last).clamp(0.0, 250.0));
            ctl.last_ts.set(Some(ts));
            RunHandle(ctl).input(Input::Tick { dt_ms: dt });
        });
        *self.0.raf.borrow_mut() = Some(handle);
    }
}

fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// Re-renders the calling component when `read` of the player changes, and returns it.
///
/// Why: components re-render when their props change, and the player is not a prop (it
/// lives in [`RunHandle`]); one that shows something of the player beyond the live view
/// (whether it plays, whether a run is loaded) subscribes with this, and re-renders only
/// when that value changes, not on every frame.
#[hook]
pub fn use_player<T>(read: fn(&Player) -> T) -> T
where
    T: PartialEq + 'static,
{
    let handle = use_context::<RunHandle>().unwrap_or_default();
    let seen = use_state_eq(|| read(&handle.player()));
    {
        let handle = handle.clone();
        let seen = seen.setter();
        use_effect_with((), move |()| {
            let reader = handle.clone();
            let id = handle.listen(Callback::from(move |()| seen.set(read(&reader.player()))));
            move || handle.unlisten(id)
        });
    }
    read(&handle.player())
}

/// Props of [`PlayerBar`].
#[derive(Properties, PartialEq, Debug)]
pub struct PlayerBarProps {
    /// The document to run.
    pub doc: Rc<Scenario>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
    /// The selected node (for "Copy link to this moment").
    #[prop_or_default]
    pub selected: Option<AttrValue>,
    /// The open panel (for the same link).
    #[prop_or_default]
    pub panel: crate::state::Panel,
    /// How many controls (an embed may ask for fewer).
    #[prop_or_default]
    pub controls: Option<crate::embed::Controls>,
}

/// The player bar under the toolbar.
#[component]
pub fn PlayerBar(props: &PlayerBarProps) -> Html {
    let handle = use_context::<RunHandle>().unwrap_or_default();
    let force = use_force_update();
    {
        let handle = handle.clone();
        use_effect_with((), move |()| {
            let id = handle.listen(Callback::from(move |()| force.force_update()));
            move || handle.unlisten(id)
        });
    }
    // An edit ends the run: its frames would describe another diagram.
    {
        let handle = handle.clone();
        use_effect_with(props.doc.clone(), move |doc| {
            let p = handle.player();
            let busy = p.recording().is_some() || p.status != Status::Idle;
            // A run already loaded for this very document (a link's moment, an embed
            // host's seek) is kept.
            let same = p.is_for(doc);
            drop(p);
            if busy && !same {
                handle.input(Input::Reset);
            }
        });
    }
    let input = |make: fn(Rc<Scenario>) -> Input| {
        let handle = handle.clone();
        let doc = props.doc.clone();
        Callback::from(move |_: MouseEvent| handle.input(make(doc.clone())))
    };
    let p = handle.player();
    let playing = p.status == Status::Playing;
    let on_play = if playing {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| handle.input(Input::Pause))
    } else {
        input(Input::Play)
    };
    let on_step = input(Input::Step);
    let on_restart = input(Input::Restart);
    let on_stop = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| handle.input(Input::Halt))
    };
    let on_speed = {
        let handle = handle.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                && let Some((v, _)) = SPEEDS.iter().find(|(_, l)| *l == s.value())
            {
                handle.input(Input::Speed(*v));
            }
        })
    };
    let on_scrub = {
        let handle = handle.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<usize>().ok())
            {
                handle.input(Input::Scrub(v));
            }
        })
    };
    let on_keep = {
        let handle = handle.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| {
            let faults = handle.player().recording().map(|r| r.faults().to_vec());
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
    let injected = p.recording().map_or(0, |r| r.injected_count());
    let frames = p.recording().map_or(0, |r| r.frames().len());
    let step = p.recording().map_or(1, |r| r.step_s());
    let (computed, end) = p.progress();
    let end = if p.recording().is_some() {
        end
    } else {
        props.doc.duration_s
    };
    let last = frames.saturating_sub(1);
    let at = p.at();
    let time = p.view().map_or(0.0, |v| v.time_s);
    let status = match &p.status {
        Status::Idle => "ready".to_owned(),
        Status::Loading => "loading…".to_owned(),
        Status::Playing if p.speed == MAX_SPEED => {
            format!("computing · {:.0} %", 100.0 * computed / end.max(1e-9))
        }
        Status::Playing => "playing".to_owned(),
        Status::Paused if p.busy() => "paused · computing".to_owned(),
        Status::Paused => "paused".to_owned(),
        Status::Finished => "finished".to_owned(),
        Status::Stopped(stop) => stop.message.clone(),
        Status::Halted => format!("stopped by you at t = {computed:.0} s"),
        Status::Invalid(_) => "cannot run: see the Run tab".to_owned(),
        Status::Crashed(message) => format!("the simulation stopped: {message}"),
    };
    let busy = p.busy();
    let refused = p.refused.clone();
    let speed_label = SPEEDS
        .iter()
        .find(|(v, _)| *v == p.speed)
        .map_or("10×", |(_, l)| *l);
    drop(p);
    let full = props
        .controls
        .is_none_or(|c| c == crate::embed::Controls::Full);
    let on_moment = {
        let doc = props.doc.clone();
        let dispatch = props.dispatch.clone();
        let selected = props.selected.clone();
        let panel = props.panel;
        Callback::from(move |_| {
            let extras = surge_core::LinkExtras {
                at_s: Some(time.round()),
                select: selected.as_ref().map(ToString::to_string),
                panel: Some(panel.name().to_owned()),
                ..surge_core::LinkExtras::default()
            };
            super::copy_link(
                &dispatch,
                &super::share_link(&doc, extras),
                "Link to this moment",
            );
        })
    };
    html! {
        <div class={classes!("player", (!full).then_some("minimal"))} role="group" aria-label="Run controls">
            <button type="button" id="play" class="primary" onclick={on_play}
                aria-label={if playing { "Pause" } else { "Play" }}>
                { if playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            if full {
            <button type="button" id="step" onclick={on_step} title="Advance one frame">{ if step > 1 { format!("Step {step} s") } else { "Step 1 s".to_owned() } }</button>
            <button type="button" id="stop" onclick={on_stop} disabled={!busy}
                title="Stop computing now (the seconds computed stay)">{ "■ Stop" }</button>
            <button type="button" id="restart" onclick={on_restart} title="Start again from 0 s">{ "↺ Restart" }</button>
            <label class="speed">{ "Speed " }
                <select id="speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|(_, l)| html! { <option value={*l} selected={*l == speed_label}>{ *l }</option> }) }
                </select>
            </label>
            }
            <input type="range" id="scrubber" min="0" max={last.to_string()} value={at.to_string()}
                disabled={frames < 2} aria-label="Playhead (simulated seconds)" oninput={on_scrub} />
            <span class="clock" id="clock" aria-live="off">{ format!("t = {time:.0} s / {end:.0} s") }</span>
            <span class="status" id="player-status" role="status">{ status }</span>
            if let Some(reason) = refused {
                <span class="refused" role="alert">{ format!("Refused: {reason}") }</span>
            }
            if full && props.controls.is_none() {
                <button type="button" id="copy-moment" class="ghost small" onclick={on_moment}
                    title="Copy a link that opens here: this second, the selected node, this panel">{ "Link to this moment" }</button>
            }
            if injected > 0 {
                <button type="button" id="keep-faults" class="small" onclick={on_keep}
                    title="Add the faults injected during this run to the diagram's fault schedule (ends the run)">
                    { format!("Keep {injected} injected fault{}", if injected == 1 { "" } else { "s" }) }
                </button>
            }
        </div>
    }
}
