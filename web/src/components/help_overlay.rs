//! The shortcut overlay (`?`): every line of the table in `keymap`, which also drives the
//! key handler.

use yew::prelude::*;

use crate::keymap;

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
                    { for keymap::overlay_lines().map(|s| html! { <><dt><kbd>{ s.keys }</kbd></dt><dd>{ s.does }</dd></> }) }
                </dl>
                <h3>{ "In talk mode" }</h3>
                <dl>
                    { for keymap::TALK_KEYS.iter().map(|(keys, does, _, _)| html! { <><dt><kbd>{ *keys }</kbd></dt><dd>{ *does }</dd></> }) }
                </dl>
                <button type="button" class="primary" ref={button_ref} onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
