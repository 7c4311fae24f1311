//! One edge on the canvas, styled by its invocation kind (sync, async, poll, stream,
//! integration) and labelled with it.

use yew::prelude::*;

/// Props of [`CanvasEdge`].
#[derive(Properties, PartialEq, Clone, Debug)]
pub struct CanvasEdgeProps {
    /// `from→to`, the edge's key as a data attribute.
    pub key_attr: AttrValue,
    /// SVG path.
    pub d: AttrValue,
    /// Invocation kind ("sync"…).
    pub invocation: &'static str,
    /// Label position.
    pub mid: (f64, f64),
    /// Selected?
    pub selected: bool,

    /// Calls in flight along the edge while a run is watched.
    #[prop_or_default]
    pub in_flight: Option<u32>,
}

/// An edge.
#[component]
pub fn CanvasEdge(p: &CanvasEdgeProps) -> Html {
    let mut class = classes!("edge", format!("inv-{}", p.invocation));
    if p.selected {
        class.push("selected");
    }
    if p.in_flight.is_some_and(|n| n > 0) {
        class.push("busy");
    }
    html! {
        <g {class} data-edge={p.key_attr.clone()}>
            <path class="edge-hit" d={p.d.clone()} />
            <path class="edge-line" d={p.d.clone()} marker-end="url(#arrow)" />
            <text class="edge-label" x={format!("{:.1}", p.mid.0)} y={format!("{:.1}", p.mid.1 - 6.0)} text-anchor="middle">
                { p.invocation }
                if let Some(n) = p.in_flight {
                    { format!(" · {n}") }
                }
            </text>
        </g>
    }
}
