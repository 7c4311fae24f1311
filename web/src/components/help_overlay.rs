//! The shortcut overlay (`?`): every key the editor understands.

use yew::prelude::*;

/// Every shortcut: keys and what they do.
pub const SHORTCUTS: [(&str, &str); 18] = [
    (
        "Tab / Shift+Tab",
        "Move between palette items, nodes and panels",
    ),
    (
        "Enter (on a palette item)",
        "Add the service at the centre of the view",
    ),
    ("Enter (on a node)", "Open its parameters in the inspector"),
    (
        "Arrow keys",
        "Move the selected nodes one grid step (Shift: five)",
    ),
    (
        "Delete / Backspace",
        "Remove the selected nodes and connections",
    ),
    ("Ctrl/⌘ + Z", "Undo"),
    ("Shift + Ctrl/⌘ + Z, Ctrl + Y", "Redo"),
    ("Ctrl/⌘ + C / X / V", "Copy, cut, paste"),
    ("Ctrl/⌘ + D", "Duplicate"),
    ("Ctrl/⌘ + A", "Select every node"),
    ("Escape", "Clear the selection, close this overlay"),
    ("Shift + drag on the canvas", "Box-select"),
    ("Drag the background, Space + drag", "Pan"),
    ("Wheel, pinch, + / −", "Zoom"),
    ("F", "Fit the diagram in view"),
    ("Drag from a right-hand port", "Connect to another node"),
    ("Connect to… (inspector)", "Connect without a pointer"),
    ("?", "Show this overlay"),
];

/// Props of [`HelpOverlay`].
#[derive(Properties, PartialEq, Debug)]
pub struct HelpOverlayProps {
    /// Closes the overlay.
    pub on_close: Callback<()>,
}

/// The overlay.
#[component]
pub fn HelpOverlay(p: &HelpOverlayProps) -> Html {
    let close = {
        let c = p.on_close.clone();
        Callback::from(move |_| c.emit(()))
    };
    let button_ref = use_node_ref();
    {
        let button_ref = button_ref.clone();
        use_effect_with((), move |()| {
            if let Some(b) = button_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    html! {
        <div class="overlay-backdrop">
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl>
                    { for SHORTCUTS.iter().map(|(k, v)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *v }</dd></> }) }
                </dl>
                <button type="button" class="primary" ref={button_ref} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
