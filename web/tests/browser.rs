//! Thin browser tests of the DOM glue: the app mounts with its palette and the starter
//! diagram, Run hands the run to the simulation worker (the end-to-end tests run it), and
//! the panic panel renders. Everything else is tested natively or end to end.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use gloo::storage::Storage;
use surge_web::app::App;
use surge_web::panic_panel;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> web_sys::Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(50)).await;
}

fn text(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_mounts_with_palette_and_hands_runs_to_the_worker() {
    gloo::storage::LocalStorage::clear();
    let root = mount();
    settle().await;
    let labels = root
        .query_selector_all(".palette-item .label")
        .expect("query");
    assert_eq!(
        labels.length() as usize,
        surge_web::editor::catalog::CATALOG.len()
    );
    assert_eq!(text(&root, "header h1"), "Surge");
    // The starter diagram: clients calling one function, drawn on the canvas.
    let nodes = root.query_selector_all("g.node").expect("query");
    assert_eq!(nodes.length(), 2);
    assert_eq!(
        root.query_selector_all("g.edge").expect("query").length(),
        1
    );

    let tab: HtmlElement = root
        .query_selector("#tab-run")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("Run tab");
    tab.click();
    settle().await;
    let run: HtmlElement = root
        .query_selector("#run")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("Run button");
    run.click();
    // The run goes to the simulation worker (the end-to-end tests run it: this harness
    // serves no worker script); the page itself computes nothing and stays alive.
    settle().await;
    let status = text(&root, "#player-status");
    assert!(
        status == "loading…" || status.starts_with("the simulation stopped"),
        "{status}"
    );
    assert!(root.query_selector("#play").ok().flatten().is_some());
    root.remove();
}

#[wasm_bindgen_test]
fn panic_panel_shows_the_message() {
    panic_panel::show("boom at core.rs:1");
    let panel = gloo::utils::document()
        .get_element_by_id(panic_panel::PANEL_ID)
        .expect("panel");
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        panel
            .text_content()
            .unwrap_or_default()
            .contains("boom at core.rs:1")
    );
    panic_panel::show("second");
    let panels = gloo::utils::document()
        .query_selector_all(".panic-panel")
        .expect("query");
    assert_eq!(panels.length(), 1, "a new panic replaces the panel");
    panel.remove();
}
