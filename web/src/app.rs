//! The page: header, palette, canvas area and run panel, wired to one reducer.
//!
//! Why so thin: `App` only owns the state handle and the local-storage effect; every
//! visible part is its own component in `components/`.

use gloo::storage::{LocalStorage, Storage};
use yew::prelude::*;

use crate::components::{CanvasArea, Header, Palette, RunPanel};
use crate::state::{AppState, RunForm};

/// Local-storage key of the run form (versioned: a format change gets a new key).
pub const FORM_STORAGE_KEY: &str = "surge.run-form.v1";

/// Query parameter that makes the app panic on start, to exercise the panic panel.
pub const SIMULATE_PANIC_QUERY: &str = "simulate-panic";

/// The whole playground.
#[component]
pub fn App() -> Html {
    if wants_simulated_panic() {
        panic!("simulated panic requested by ?{SIMULATE_PANIC_QUERY}");
    }
    let state = use_reducer(|| {
        AppState::with_form(LocalStorage::get::<RunForm>(FORM_STORAGE_KEY).unwrap_or_default())
    });
    {
        let form = state.form.clone();
        use_effect_with(form, |form| {
            // Losing the saved inputs is harmless, so a full or disabled storage is ignored.
            let _ = LocalStorage::set(FORM_STORAGE_KEY, form);
        });
    }
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    html! {
        <div class="app">
            <Header />
            <main class="workspace">
                <Palette />
                <CanvasArea />
                <RunPanel state={(*state).clone()} {dispatch} />
            </main>
        </div>
    }
}

fn wants_simulated_panic() -> bool {
    gloo::utils::window().location().search().is_ok_and(|q| {
        q.trim_start_matches('?')
            .split('&')
            .any(|p| p == SIMULATE_PANIC_QUERY)
    })
}
