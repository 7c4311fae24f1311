//! Talk mode: the canvas fills the screen, two or three figures are large, the beat's
//! caption reads from the back of the room, and nothing else competes. Keys are
//! reveal.js's (a clicker sends PageDown and PageUp); inside an embed, stepping past the
//! last beat or before the first hands the key to the host deck (reveal.js's
//! `postMessage` API), so one clicker drives both.
//!
//! Why the session is not in the reducer: a beat's cue depends on the player's playhead
//! and clock at the moment the key is pressed, which only the run handle knows. The
//! session itself is the pure `talk::Session`; this component reads the player, asks the
//! session, and sends the player the cue.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions, EventListenerPhase};
use surge_core::{Scenario, TalkKpi, group_thousands as group};
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::{Canvas, RunHandle};
use crate::editor::Selection;
use crate::editor::geometry::fit_up_to;
use crate::keymap::{TalkCommand, talk_command_for};
use crate::run::{Input, LiveView, Status, headline};
use crate::state::Action;
use crate::talk::{Cue, Session, preset_variant};

/// Room below the canvas for the figures and the caption, and above it for the title.
const CHROME_PX: f64 = 300.0;

/// Props of [`TalkView`].
#[derive(Properties, PartialEq, Debug)]
pub struct TalkViewProps {
    /// The scenario the talk starts from (its script is the talk's).
    pub doc: Rc<Scenario>,
    /// What the canvas shows at the playhead.
    pub live: Option<Rc<LiveView>>,
    /// The title card's words (a lesson's title, or the scenario's).
    pub title: AttrValue,
    /// Inside an embed (keys past the ends go to the host deck).
    #[prop_or_default]
    pub embedded: bool,
    /// Where "leave talk mode" goes.
    pub dispatch: Callback<Action>,
}

/// The player's playhead second and whether its clock runs.
fn player_now(run: &RunHandle) -> (f64, bool) {
    let p = run.player();
    let t = p.view().map_or(0.0, |v| v.time_s);
    (t, p.status == Status::Playing)
}

/// Sends the player what a cue asks, skipping what it already shows.
fn apply_cue(run: &RunHandle, cue: &Cue) {
    let (now, playing) = player_now(run);
    let same = run.player().is_for(&cue.scenario) && (now - cue.at_s).abs() < 1e-6;
    if same {
        match (cue.play, playing) {
            (true, false) => run.input(Input::Play(cue.scenario.clone())),
            (false, true) => run.input(Input::Pause),
            _ => {}
        }
    } else {
        run.input(Input::Cue(cue.scenario.clone(), cue.at_s, cue.play));
    }
}

/// Asks the host deck (reveal.js) for its next or previous slide.
fn to_deck(method: &str) {
    let message = serde_json::json!({ "method": method, "args": [] }).to_string();
    crate::share::post_to_parent(&message, "*");
}

/// One large figure.
fn kpi(kind: TalkKpi, live: Option<&LiveView>) -> Html {
    let value = live.map(|l| {
        let h = headline(&l.frames, l.at);
        match kind {
            TalkKpi::SuccessPct => format!("{:.1} %", h.success_pct()),
            TalkKpi::Failed => group(h.finished - h.ok),
            TalkKpi::Throttled => group(h.throttled),
            TalkKpi::InFlight => group(h.in_flight),
            TalkKpi::Queued => group(
                l.frames
                    .get(l.at)
                    .map_or(0, |f| f.messages.queued + f.messages.in_flight),
            ),
            // Lessons cost cents: small sums keep four decimals, as the KPI strip does.
            TalkKpi::DeadLettered => group(h.dead_lettered),
            TalkKpi::Lost => group(l.frames.get(l.at).map_or(0, |f| {
                f.async_events.dropped
                    + f.async_events.expired
                    + f.messages.expired
                    + f.messages.dropped
                    + f.deliveries.dropped
            })),
            TalkKpi::Cost if h.cost_usd < 10.0 => format!("${:.4}", h.cost_usd),
            TalkKpi::Cost => format!("${:.2}", h.cost_usd),
        }
    });
    let id = format!("talk-kpi-{}", kpi_id(kind));
    html! {
        <div class="talk-kpi">
            <span class="talk-kpi-value" {id}>{ value.unwrap_or_else(|| "—".into()) }</span>
            <span class="talk-kpi-label">{ kind.label() }</span>
        </div>
    }
}

fn kpi_id(kind: TalkKpi) -> &'static str {
    match kind {
        TalkKpi::SuccessPct => "success",
        TalkKpi::Failed => "failed",
        TalkKpi::Throttled => "throttled",
        TalkKpi::InFlight => "in-flight",
        TalkKpi::Queued => "queued",
        TalkKpi::DeadLettered => "dead-lettered",
        TalkKpi::Lost => "lost",
        TalkKpi::Cost => "cost",
    }
}

/// Talk mode.
#[component]
pub fn TalkView(p: &TalkViewProps) -> Html {
    let run = use_context::<RunHandle>().unwrap_or_default();
    let session = use_mut_ref(|| Session::start(p.doc.clone()));
    let force = use_force_update();
    // The clock's "playing" and the Pause button follow the player.
    let playing = super::use_player(|p| p.status == Status::Playing);
    let size = use_state(window_size);
    // Start: the talk's clock, the script's scenario at 0, paused; leaving restores the
    // page's speed.
    {
        let run = run.clone();
        let session = session.clone();
        use_effect_with((), move |()| {
            let speed_before = run.player().speed;
            let (scenario, speed) = {
                let s = session.borrow();
                (s.cue.scenario.clone(), s.speed())
            };
            run.input(Input::Speed(speed));
            run.input(Input::Cue(scenario, 0.0, false));
            move || run.input(Input::Speed(speed_before))
        });
    }
    // The player moves: a beat whose second the playing run reached comes by itself.
    {
        let run = run.clone();
        let session = session.clone();
        let force = force.clone();
        use_effect_with(p.live.clone(), move |_| {
            let (now, playing) = player_now(&run);
            let due = session.borrow().due(now, playing);
            if due {
                let cue = session.borrow_mut().next(now, playing, &preset_variant);
                if let Some(cue) = cue {
                    apply_cue(&run, &cue);
                }
                force.force_update();
            }
        });
    }
    // Keys, before the page's own shortcuts (capture phase, stopped here).
    {
        let run = run.clone();
        let session = session.clone();
        let force = force.clone();
        let dispatch = p.dispatch.clone();
        let embedded = p.embedded;
        use_effect_with((), move |()| {
            let options = EventListenerOptions {
                phase: EventListenerPhase::Capture,
                passive: false,
            };
            let listener = EventListener::new_with_options(
                &gloo::utils::window(),
                "keydown",
                options,
                move |e| {
                    let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    let modified = k.ctrl_key() || k.meta_key() || k.alt_key();
                    let Some(command) = talk_command_for(&k.key(), modified) else {
                        return;
                    };
                    k.prevent_default();
                    k.stop_immediate_propagation();
                    on_command(command, &run, &session, &dispatch, embedded);
                    force.force_update();
                },
            );
            move || drop(listener)
        });
    }
    // The canvas follows the window (a projector's size, full screen on and off).
    {
        let size = size.clone();
        use_effect_with((), move |()| {
            let listener = EventListener::new(&gloo::utils::window(), "resize", move |_| {
                size.set(window_size());
            });
            move || drop(listener)
        });
    }
    let s = session.borrow();
    let scenario = s.cue.scenario.clone();
    let (w, h) = *size;
    // Margins of a fifth, so the marks along the edges and the gauges stay clear of the
    // figures; zoomed in up to 2.2 (a three-node lesson fills a projector).
    let viewport = fit_up_to(&scenario, w * 0.9, (h - CHROME_PX).max(200.0), 2.2);
    let viewport = crate::editor::Viewport {
        x: viewport.x + w * 0.05,
        ..viewport
    };
    let live = p.live.clone();
    let clock = live.as_ref().map_or_else(
        || "t = 0 s".to_owned(),
        |l| format!("t = {:.0} s", l.time_s),
    );
    let caption = match s.beat() {
        Some(b) => b.caption.clone(),
        None if s.talk.beats.is_empty() => {
            "This scenario has no script: press B to play and pause, Escape to leave.".into()
        }
        None => "Press → or PageDown to begin.".into(),
    };
    let button = |command: TalkCommand| {
        let (run, session, force, dispatch) = (
            run.clone(),
            session.clone(),
            force.clone(),
            p.dispatch.clone(),
        );
        let embedded = p.embedded;
        Callback::from(move |_: MouseEvent| {
            on_command(command, &run, &session, &dispatch, embedded);
            force.force_update();
        })
    };
    html! {
        <div class="talk" id="talk" role="region" aria-label="Talk mode">
            <div class="talk-top">
                <span class="talk-title">{ p.title.clone() }</span>
                <span class="talk-progress" id="talk-progress">{ format!("{} / {}", s.done, s.talk.beats.len()) }</span>
                <span class="talk-clock" id="talk-clock" data-playing={playing.to_string()}>{ clock }{ if playing { " · playing" } else { " · paused" } }</span>
                <span class="talk-buttons">
                    <button type="button" class="ghost" aria-label="Previous beat" onclick={button(TalkCommand::Previous)}>{ "←" }</button>
                    <button type="button" class="ghost" id="talk-pause" aria-label="Pause or resume" onclick={button(TalkCommand::Pause)}>{ if playing { "Pause" } else { "Play" } }</button>
                    <button type="button" class="ghost" id="talk-next" aria-label="Next beat" onclick={button(TalkCommand::Next)}>{ "→" }</button>
                    <button type="button" class="ghost" onclick={button(TalkCommand::Fullscreen)}>{ "Full screen" }</button>
                    <button type="button" class="ghost" id="talk-exit" onclick={button(TalkCommand::Exit)}>{ "Leave" }</button>
                </span>
            </div>
            <div class="talk-canvas">
                <Canvas doc={scenario} problems={Rc::new(Vec::new())} selection={Selection::default()}
                    {viewport} notice={None} live={live.clone()} dispatch={p.dispatch.clone()} />
            </div>
            <div class="talk-bottom">
                <div class="talk-kpis">{ for s.kpis().into_iter().map(|k| kpi(k, live.as_deref())) }</div>
                <p class="talk-caption" id="talk-caption" aria-live="polite">{ caption }</p>
                if let Some(why) = &s.refused {
                    <p class="talk-refused" role="status">{ why.clone() }</p>
                }
            </div>
        </div>
    }
}

/// Carries out a talk command.
fn on_command(
    command: TalkCommand,
    run: &RunHandle,
    session: &Rc<RefCell<Session>>,
    dispatch: &Callback<Action>,
    embedded: bool,
) {
    match command {
        TalkCommand::Next => {
            let (now, playing) = player_now(run);
            let cue = session.borrow_mut().next(now, playing, &preset_variant);
            match cue {
                Some(cue) => apply_cue(run, &cue),
                None if embedded => to_deck("next"),
                None => {}
            }
        }
        TalkCommand::Previous => {
            let cue = session.borrow_mut().previous();
            match cue {
                Some(cue) => apply_cue(run, &cue),
                None if embedded => to_deck("prev"),
                None => {}
            }
        }
        TalkCommand::Pause => {
            let (_, playing) = player_now(run);
            let scenario = session.borrow().cue.scenario.clone();
            run.input(if playing {
                Input::Pause
            } else {
                Input::Play(scenario)
            });
        }
        TalkCommand::Fullscreen => toggle_fullscreen(),
        TalkCommand::Exit => {
            exit_fullscreen();
            dispatch.emit(Action::Talk(false));
        }
    }
}

fn window_size() -> (f64, f64) {
    let w = gloo::utils::window();
    let px = |v: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>, d: f64| {
        v.ok().and_then(|v| v.as_f64()).unwrap_or(d)
    };
    (px(w.inner_width(), 1280.0), px(w.inner_height(), 800.0))
}

fn toggle_fullscreen() {
    let document = gloo::utils::document();
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    } else if let Some(root) = document.document_element() {
        let _ = root.request_fullscreen();
    }
}

fn exit_fullscreen() {
    let document = gloo::utils::document();
    if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    }
}
