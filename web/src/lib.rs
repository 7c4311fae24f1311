//! Surge's browser playground (Yew, client-side rendered).
//!
//! Why a library with a thin binary: the `wasm-bindgen-test` browser tests mount the same
//! components the page uses. The app holds UI state in a pure reducer ([`state`]); side
//! effects (local storage) live in hooks inside components; the simulation itself is
//! `surge_core`, compiled to wasm with the page.

pub mod app;
pub mod charts;
pub mod compare;
pub mod components;
pub mod dom;
pub mod editor;
pub mod export;
pub mod keymap;
pub mod panic_panel;
pub mod presets;
pub mod run;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod worker;

/// Installs the panic panel and renders the app into `<body>`.
pub fn start() {
    panic_panel::install();
    yew::Renderer::<app::App>::new().render();
}
