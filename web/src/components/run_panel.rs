//! The run panel: the tiny model's inputs, the Run button, and the results.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::Results;
use crate::presets::{self, PRESETS};
use crate::state::{Action, AppState, Field};

/// Props of [`RunPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct RunPanelProps {
    /// Current state (read only).
    pub state: AppState,
    /// Sends actions to the reducer.
    pub dispatch: Callback<Action>,
}

/// Inputs, Run button and results.
#[component]
pub fn RunPanel(props: &RunPanelProps) -> Html {
    let form = &props.state.form;
    let input = |field: Field,
                 id: &'static str,
                 label: &'static str,
                 unit: &'static str,
                 value: &str| {
        let dispatch = props.dispatch.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                dispatch.emit(Action::Set(field, el.value()));
            }
        });
        html! {
            <label class="field" for={id}>
                <span class="field-label">{ label }</span>
                <span class="field-input">
                    <input {id} type="text" inputmode="decimal" value={value.to_owned()} {oninput} />
                    <span class="unit">{ unit }</span>
                </span>
            </label>
        }
    };
    let on_run = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatch.emit(Action::Run);
        })
    };
    let on_reseed = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| dispatch.emit(Action::Reseed(u64::from(rand::random::<u32>()))))
    };
    let on_preset = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                dispatch.emit(Action::ChoosePreset(el.value()));
            }
        })
    };
    let preset = presets::find(&form.preset);
    let selected = |id: &str| form.preset == id;
    html! {
        <aside class="run-panel" aria-label="Run">
            <h2>{ "Run" }</h2>
            <label class="field" for="preset">
                <span class="field-label">{ "Scenario" }</span>
                <select id="preset" onchange={on_preset}>
                    <option value="" selected={selected("")}>{ "Custom · Clients → Lambda" }</option>
                    { for PRESETS.iter().map(|p| html! {
                        <option value={p.id} selected={selected(p.id)}>{ p.title }</option>
                    }) }
                </select>
            </label>
            <form onsubmit={on_run}>
                if let Some(p) = preset {
                    <p class="model narrative">{ p.narrative }</p>
                } else {
                    <p class="model">{ "Poisson arrivals into a function with reserved and provisioned concurrency at the limit, exponential durations." }</p>
                    { input(Field::Rate, "rate", "Requests per second", "req/s", &form.rate_per_s) }
                    { input(Field::Limit, "limit", "Concurrency limit", "", &form.concurrency_limit) }
                    { input(Field::Duration, "duration", "Mean duration", "ms", &form.mean_duration_ms) }
                    { input(Field::RunLength, "length", "Simulated time", "s", &form.duration_s) }
                }
                <div class="seed-row">
                    { input(Field::Seed, "seed", "Seed", "", &form.seed) }
                    <button type="button" class="ghost" onclick={on_reseed} aria-label="Random seed" title="Random seed">{ "⚄" }</button>
                </div>
                <button type="submit" class="primary" id="run">{ "Run" }</button>
            </form>
            <Results outcome={props.state.outcome.clone()} />
        </aside>
    }
}
