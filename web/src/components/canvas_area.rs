//! The (still empty) canvas where architectures will be drawn.

use yew::prelude::*;

/// Canvas area with a dotted grid.
#[component]
pub fn CanvasArea() -> Html {
    html! {
        <section class="canvas" aria-label="Canvas">
            <div class="canvas-empty">
                <p class="big">{ "Your architecture goes here" }</p>
                <p>{ "Until the editor lands, Run simulates clients calling one function with a \
                      concurrency limit: requests beyond the limit are throttled (HTTP 429)." }</p>
            </div>
        </section>
    }
}
