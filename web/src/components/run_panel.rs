//! The Run tab: load a lesson, set the seed, Run, and read the results.

use std::rc::Rc;

use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::Results;
use crate::editor::{Edit, EditorAction};
use crate::presets::{self, PRESETS};
use crate::state::{Action, Outcome};

/// Props of [`RunPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct RunPanelProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Whether the document holds unsaved work.
    pub dirty: bool,
    /// The last run.
    pub outcome: Outcome,
    /// The watched run at the playhead, if any.
    pub live: Option<Rc<crate::run::LiveView>>,
    /// The pinned comparison run, if any.
    pub baseline: Option<Rc<crate::compare::Baseline>>,
    /// The open lesson and variant, if one is loaded.
    #[prop_or_default]
    pub lesson: Option<(u8, usize)>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// Asks before replacing unsaved work.
pub fn may_discard(dirty: bool) -> bool {
    !dirty
        || gloo::dialogs::confirm(
            "Replace the diagram? Your changes are not saved to a file (they stay in this browser's undo history until you reload).",
        )
}

/// Lesson menu, seed, Run and results.
#[component]
pub fn RunPanel(p: &RunPanelProps) -> Html {
    let chosen = use_state(String::new);
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                chosen.set(s.value());
            }
        })
    };
    let on_load = {
        let chosen = chosen.clone();
        let dispatch = p.dispatch.clone();
        let dirty = p.dirty;
        Callback::from(move |_| {
            let Some(preset) = presets::find(&chosen) else {
                return;
            };
            if !may_discard(dirty) {
                return;
            }
            match Scenario::parse_json(preset.json) {
                Ok(doc) => dispatch.emit(Action::Editor(EditorAction::Load {
                    doc: Box::new(doc),
                    label: format!("Load {}", preset.title),
                    dirty: false,
                })),
                Err(e) => gloo::console::error!(format!("preset {}: {e}", preset.id)),
            }
        })
    };
    let on_seed = {
        let dispatch = p.dispatch.clone();
        let doc = p.doc.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                && let Ok(seed) = i.value().trim().parse::<u64>()
            {
                dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetRun {
                    seed,
                    duration_s: doc.duration_s,
                    field: "seed".into(),
                })));
            }
        })
    };
    let on_reseed = {
        let dispatch = p.dispatch.clone();
        let doc = p.doc.clone();
        Callback::from(move |_| {
            dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetRun {
                seed: u64::from(rand::random::<u32>()),
                duration_s: doc.duration_s,
                field: "reseed".into(),
            })));
            dispatch.emit(Action::Editor(EditorAction::Seal));
        })
    };
    // One way to run: the player, at "max" (in the worker, as fast as it can).
    let run = use_context::<super::RunHandle>();
    let on_run = {
        let doc = p.doc.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(run) = &run {
                run.input(crate::run::Input::Speed(crate::run::MAX_SPEED));
                run.input(crate::run::Input::Play(doc.clone()));
            }
        })
    };
    let on_pin = {
        let dispatch = p.dispatch.clone();
        let live = p.live.clone();
        let doc = p.doc.clone();
        Callback::from(move |_| {
            if let Some(b) = live
                .as_deref()
                .and_then(|l| crate::compare::Baseline::from_live(l, doc.clone()))
            {
                dispatch.emit(Action::Pin(Some(Rc::new(b))));
            }
        })
    };
    let on_unpin = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_| dispatch.emit(Action::Pin(None)))
    };
    let narrative = presets::find(&chosen).map(|p| p.narrative);
    let authoring = use_state(|| false);
    let finished = match &p.outcome {
        Outcome::Done { report, .. } => Some(report.clone()),
        _ => None,
    };
    html! {
        <div class="run-tab">
            if let Some(lesson) = p.lesson {
                <super::LessonPanel {lesson} doc={p.doc.clone()} dirty={p.dirty} live={p.live.clone()}
                    dispatch={p.dispatch.clone()} />
            }
            <label class="param" for="preset">
                <span class="param-label">{ "Lessons" }</span>
                <span class="field-input">
                    <select id="preset" onchange={on_choose}>
                        <option value="" selected={chosen.is_empty()}>{ "Choose a lesson…" }</option>
                        { for PRESETS.iter().map(|x| html! {
                            <option value={x.id} selected={*chosen == x.id}>{ x.title }</option>
                        }) }
                    </select>
                    <button type="button" id="load-preset" onclick={on_load} disabled={chosen.is_empty()}>{ "Load" }</button>
                </span>
            </label>
            if let Some(n) = narrative {
                <p class="narrative">{ n }</p>
            }
            <form onsubmit={on_run}>
                <div class="seed-row">
                    <label class="param" for="seed">
                        <span class="param-label">{ "Seed" }</span>
                        <span class="field-input">
                            <input id="seed" type="text" inputmode="numeric" value={p.doc.seed.to_string()} oninput={on_seed} />
                        </span>
                    </label>
                    <button type="button" class="ghost" onclick={on_reseed} aria-label="Random seed" title="Random seed">{ "⚄" }</button>
                </div>
                <p class="muted">{ format!("Simulates {} s (set it in the Load & faults tab). Same diagram and seed, same numbers: here and in the CLI.", p.doc.duration_s) }</p>
                <button type="submit" class="primary" id="run" title="Play at max speed to the end">{ "Run to the end" }</button>
            </form>
            if let Some(live) = &p.live {
                <super::LiveChart id="chart-e2e" title="end to end"
                    series={Rc::new(crate::run::end_to_end(&live.frames, live.at))} level_label="in flight" />
                <div class="button-row">
                    <button type="button" id="pin" onclick={on_pin}
                        title="Keep this run to compare the next one against it">{ "Pin as A (baseline)" }</button>
                    if p.baseline.is_some() {
                        <button type="button" id="unpin" onclick={on_unpin}>{ "Unpin A" }</button>
                    }
                </div>
                if let Some(a) = &p.baseline {
                    <super::CompareChart
                        a={Rc::new(crate::run::end_to_end(&a.frames, a.frames.len().saturating_sub(1)))}
                        b={Rc::new(crate::run::end_to_end(&live.frames, live.at))}
                        differences={Rc::new(crate::compare::differences(&a.scenario, &p.doc, 6))} />
                }
            } else if p.baseline.is_some() {
                <p class="muted" id="pinned-note">{ "Run A is pinned: press Play to watch B against it." }</p>
            }
            <Results outcome={p.outcome.clone()} doc={p.doc.clone()} dispatch={p.dispatch.clone()} running={p.live.is_some()} />
            if let Some(report) = finished {
                <button type="button" id="make-exercise" onclick={{
                    let a = authoring.clone();
                    Callback::from(move |_| a.set(true))
                }} title="Students start from this design and must reach goals you pick from this run's figures">
                    { "Make an exercise from this design…" }</button>
                if *authoring {
                    <super::AuthorDialog doc={p.doc.clone()} {report} lesson={p.lesson.map(|(n, _)| n)}
                        dispatch={p.dispatch.clone()} on_close={{
                            let a = authoring.clone();
                            Callback::from(move |()| a.set(false))
                        }} />
                }
            }
        </div>
    }
}
