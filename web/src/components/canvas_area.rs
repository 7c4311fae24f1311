//! The (still empty) canvas where architectures will be drawn.

use yew::prelude::*;

/// Canvas area with a dotted grid.
#[component]
pub fn CanvasArea() -> Html {
    html! {
        <section class="canvas" aria-label="Canvas">
            <div class="canvas-empty">
                <p class="big">{ "Your architecture goes here" }</p>
                <p>{ "Until the editor lands, pick a lesson preset or the custom model in the \
                      Run panel and press Run: the engine runs in your browser." }</p>
            </div>
        </section>
    }
}
