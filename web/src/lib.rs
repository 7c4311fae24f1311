//! Surge's browser playground (Yew, client-side rendered).
//!
//! Why a library with a thin binary: the `wasm-bindgen-test` browser tests mount the same
//! components the page uses. The app holds UI state in a pure reducer ([`state`]); side
//! effects (local storage, the URL, the clipboard, the parent frame) live in hooks and in
//! `share`; the simulation itself is `surge_core`, run in the worker (`worker`).

pub mod app;
pub mod authoring;
pub mod charts;
pub mod compare;
pub mod components;
pub mod dom;
pub mod editor;
pub mod embed;
pub mod embed_host;
pub mod export;
pub mod import;
pub mod keymap;
pub mod lessons;
pub mod panic_panel;
pub mod presets;
pub mod recent;
pub mod run;
pub mod share;
pub mod state;
pub mod talk;
#[cfg(target_arch = "wasm32")]
pub mod worker;

/// Installs the panic panel and renders the app into `<body>`.
pub fn start() {
    panic_panel::install();
    yew::Renderer::<app::App>::new().render();
}
