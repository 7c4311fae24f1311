//! A wasm panic becomes a visible error panel, not a blank page.
//!
//! Why outside Yew: after a panic the app's state can no longer be trusted (with
//! `panic = "abort"` the module is dead), so the hook writes plain DOM directly and asks the
//! user to reload. The message is also sent to the console for bug reports.

use wasm_bindgen::JsCast;

/// Id of the panel element (tests look for it).
pub const PANEL_ID: &str = "panic-panel";

/// Routes every panic to [`show`] and the console. Goes through Yew's hook setter, since
/// Yew's renderer otherwise replaces any hook with its console-only default.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        gloo::console::error!(format!("Surge panicked: {message}"));
        show(&message);
    }));
}

/// Puts (or replaces) the error panel at the top of the page.
pub fn show(message: &str) {
    let document = gloo::utils::document();
    if let Some(old) = document.get_element_by_id(PANEL_ID) {
        old.remove();
    }
    let Ok(panel) = document.create_element("div") else {
        return;
    };
    panel.set_id(PANEL_ID);
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alert");
    let heading = document.create_element("h2").ok();
    let body = document.create_element("pre").ok();
    let hint = document.create_element("p").ok();
    if let (Some(heading), Some(body), Some(hint)) = (heading, body, hint) {
        heading.set_text_content(Some("Surge stopped because of an internal error"));
        body.set_text_content(Some(message));
        hint.set_text_content(Some(
            "Your work in this tab may be lost. Reload the page to start again, and please \
             report the message above.",
        ));
        let _ = panel.append_child(&heading);
        let _ = panel.append_child(&body);
        let _ = panel.append_child(&hint);
    }
    let body = document
        .body()
        .map(|b| b.unchecked_into::<web_sys::Element>());
    if let Some(body) = body {
        let _ = body.prepend_with_node_1(&panel);
    }
}
