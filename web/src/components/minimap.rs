//! The minimap: every node as a dot-sized box and the visible area as a frame; a click
//! centres the view there.

use std::rc::Rc;

use surge_core::Scenario;
use yew::prelude::*;

use crate::editor::geometry::{self, Point};
use crate::editor::{EditorAction, Viewport};
use crate::state::Action;

/// Minimap width in pixels.
const W: f64 = 168.0;
/// Minimap height in pixels.
const H: f64 = 112.0;

/// Props of [`Minimap`].
#[derive(Properties, PartialEq, Debug)]
pub struct MinimapProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Pan and zoom of the canvas.
    pub viewport: Viewport,
    /// The canvas' size in pixels, as the canvas measured it (never measured here: a
    /// measurement during a render forces a layout of the page mid-update).
    pub canvas_size: Option<(f64, f64)>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The minimap.
#[component]
pub fn Minimap(p: &MinimapProps) -> Html {
    let Some(b) = geometry::bounds(&p.doc) else {
        return html! {};
    };
    // Not measured yet (the first render): the frame waits for the measurement.
    let Some((cw, ch)) = p.canvas_size else {
        return html! {};
    };
    let view_tl = p.viewport.to_world(Point::new(0.0, 0.0));
    let view_br = p.viewport.to_world(Point::new(cw, ch));
    // The map shows the union of the diagram and the visible area.
    let x0 = b.x.min(view_tl.x);
    let y0 = b.y.min(view_tl.y);
    let x1 = (b.x + b.w).max(view_br.x);
    let y1 = (b.y + b.h).max(view_br.y);
    let scale = (W / (x1 - x0)).min(H / (y1 - y0));
    // Centre the map in its box along the axis with room to spare.
    let (ox, oy) = ((W - (x1 - x0) * scale) / 2.0, (H - (y1 - y0) * scale) / 2.0);
    let map = move |x: f64, y: f64| ((x - x0) * scale + ox, (y - y0) * scale + oy);
    let onclick = {
        let dispatch = p.dispatch.clone();
        let vp = p.viewport;
        Callback::from(move |e: MouseEvent| {
            let world = Point::new(
                (f64::from(e.offset_x()) - ox) / scale + x0,
                (f64::from(e.offset_y()) - oy) / scale + y0,
            );
            let target = Viewport {
                x: cw / 2.0 - world.x * vp.zoom,
                y: ch / 2.0 - world.y * vp.zoom,
                zoom: vp.zoom,
            };
            dispatch.emit(Action::Editor(EditorAction::SetViewport(target)));
        })
    };
    let (vx, vy) = map(view_tl.x, view_tl.y);
    html! {
        <svg class="minimap" width={W.to_string()} height={H.to_string()} role="img"
            aria-label="Minimap: click to centre the view there" {onclick}>
            { for p.doc.nodes.iter().map(|n| {
                let (x, y) = map(n.position.x, n.position.y);
                html! { <rect class="mini-node" x={format!("{x:.1}")} y={format!("{y:.1}")}
                    width={format!("{:.1}", (geometry::NODE_W * scale).max(2.0))}
                    height={format!("{:.1}", (geometry::NODE_H * scale).max(2.0))} /> }
            }) }
            <rect class="mini-view" x={format!("{vx:.1}")} y={format!("{vy:.1}")}
                width={format!("{:.1}", (view_br.x - view_tl.x) * scale)}
                height={format!("{:.1}", (view_br.y - view_tl.y) * scale)} />
        </svg>
    }
}
