//! Moving marks for a watched run, drawn on a `<canvas>` laid over the diagram: one mark
//! per call in flight along each edge (up to [`MAX_PER_EDGE`], [`MAX_TOTAL`] in all),
//! split by the callee's outcomes in the last second (ok, throttled, timed out, failed);
//! on the edges leaving clients, the share of attempts that were retries shows as retried.
//!
//! Why a canvas and not SVG elements: thousands of marks must move at 60 fps; a 2D canvas
//! redraws them in four filled paths per frame, while as many animated SVG nodes would
//! each cost layout and style work. Under a reduced-motion preference nothing moves: the
//! edges' in-flight counters, the gauges and the log carry the same information.
//!
//! At speed "max" the marks are redrawn when what they show changes (a new view, every
//! 100 ms there), not at every animation frame: simulated seconds pass in milliseconds,
//! so motion at the wall clock's pace tells nothing, and a canvas the diagram's size
//! redrawn 60 times a second took the page's main thread and the compositor CPU the
//! worker needs (lesson 2 at "max": the main thread 209–458 → 157–257 ms busy per run,
//! the compositor 100–201 → 41–62 ms; BENCHMARKS.md).

use std::rc::Rc;

use gloo::render::{AnimationFrame, request_animation_frame};
use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::editor::Viewport;
use crate::editor::routing::Route;
use crate::run::{LiveView, MAX_SPEED, Outcomes, retried_share};

/// Most marks on one edge.
pub const MAX_PER_EDGE: u32 = 400;
/// Most marks on the canvas.
pub const MAX_TOTAL: u32 = 8000;
/// At "max", animation frames between a new view and its marks (see `Scene::due_in`).
const DRAW_AFTER_FRAMES: u8 = 2;
/// Seconds a mark takes along an edge.
const TRAVEL_S: f64 = 1.6;

/// Props of [`ParticleLayer`].
#[derive(Properties, PartialEq, Debug)]
pub struct ParticleLayerProps {
    /// The diagram.
    pub doc: Rc<Scenario>,
    /// The watched run at the playhead.
    pub live: Option<Rc<LiveView>>,
    /// Pan and zoom.
    pub viewport: Viewport,
    /// Whether the user asked for reduced motion.
    pub reduced_motion: bool,
    /// Each edge's line (as the canvas draws it), in edge order.
    pub routes: Rc<Vec<Option<Route>>>,
    /// The canvas' size in CSS pixels as the diagram measured it (the layer covers it);
    /// `None` until then, when the layer measures itself.
    pub size: Option<(f64, f64)>,
}

struct Scene {
    doc: Rc<Scenario>,
    live: Option<Rc<LiveView>>,
    viewport: Viewport,
    routes: Rc<Vec<Option<Route>>>,
    size: Option<(f64, f64)>,
    /// Whether the marks move at every animation frame (all speeds but "max").
    animate: bool,
    /// At "max": animation frames to let pass before drawing what changed (`None`: drawn;
    /// unused while `animate`).
    /// The view's other changes are laid out, painted and committed in the first frame
    /// after it and the live charts draw in the second; the marks wait for the third, so
    /// no one frame does all three.
    due_in: Option<u8>,
}

/// How many marks each edge gets: one per call in flight, capped per edge and in total
/// (scaled down evenly when the total would exceed the cap).
pub fn mark_counts(in_flight: &[u32]) -> Vec<u32> {
    let capped: Vec<u32> = in_flight.iter().map(|&n| n.min(MAX_PER_EDGE)).collect();
    let total: u64 = capped.iter().map(|&n| u64::from(n)).sum();
    if total <= u64::from(MAX_TOTAL) {
        return capped;
    }
    let scale = f64::from(MAX_TOTAL) / total as f64;
    capped
        .iter()
        .map(|&n| (f64::from(n) * scale).floor() as u32)
        .collect()
}

/// The layer.
#[component]
pub fn ParticleLayer(p: &ParticleLayerProps) -> Html {
    let canvas = use_node_ref();
    let at_max = super::use_player(|p| p.speed == MAX_SPEED);
    let scene = use_mut_ref(|| Scene {
        doc: p.doc.clone(),
        live: None,
        viewport: p.viewport,
        routes: p.routes.clone(),
        size: p.size,
        animate: true,
        due_in: None,
    });
    {
        let mut s = scene.borrow_mut();
        s.doc = p.doc.clone();
        s.live = p.live.clone();
        s.viewport = p.viewport;
        s.routes = p.routes.clone();
        s.size = p.size;
        s.animate = !at_max;
        s.due_in = Some(DRAW_AFTER_FRAMES);
    }
    let raf = use_mut_ref(|| None::<AnimationFrame>);
    let active = p.live.is_some() && !p.reduced_motion;
    {
        let canvas = canvas.clone();
        let scene = scene.clone();
        let raf = raf.clone();
        use_effect_with(active, move |active| {
            if *active {
                schedule(canvas.clone(), scene.clone(), raf.clone());
            } else {
                *raf.borrow_mut() = None;
                if let Some(el) = canvas.cast::<HtmlCanvasElement>()
                    && let Some(ctx) = context(&el)
                {
                    ctx.clear_rect(0.0, 0.0, f64::from(el.width()), f64::from(el.height()));
                    let _ = el.set_attribute("data-marks", "0");
                }
            }
            move || *raf.borrow_mut() = None
        });
    }
    html! { <canvas ref={canvas} class="particle-layer" aria-hidden="true" data-marks="0" /> }
}

/// What the marks on the edges and the nodes' colours mean: a key in the canvas' corner
/// while a run is watched. Why there and not in the KPI strip: the strip keeps a fixed
/// height (Play never moves a node), and at 1280 px a finished run's two whole-run figures
/// pushed the key to a third line the strip cut in half.
pub(super) fn legend() -> Html {
    html! {
        <div class="marks-legend" aria-hidden="true">
            <i class="m-ok" />{ "ok" }<i class="m-retried" />{ "retried" }<i class="m-throttled" />{ "throttled" }
            <i class="m-timeout" />{ "timed out" }<i class="m-error" />{ "failed" }<i class="m-saturated" />{ "at its limit" }
        </div>
    }
}

fn context(el: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    el.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn schedule(
    canvas: NodeRef,
    scene: Rc<std::cell::RefCell<Scene>>,
    raf: Rc<std::cell::RefCell<Option<AnimationFrame>>>,
) {
    let next = raf.clone();
    let handle = request_animation_frame(move |ts| {
        if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
            let mut s = scene.borrow_mut();
            if s.animate {
                draw(&el, &s, ts / 1000.0);
            } else if let Some(n) = s.due_in {
                s.due_in = n.checked_sub(1);
                if n == 0 {
                    draw(&el, &s, ts / 1000.0);
                }
            }
        }
        if next.borrow().is_some() {
            schedule(canvas.clone(), scene.clone(), next.clone());
        }
    });
    *raf.borrow_mut() = Some(handle);
}

fn draw(el: &HtmlCanvasElement, scene: &Scene, now_s: f64) {
    let ratio = gloo::utils::window().device_pixel_ratio().max(1.0);
    // The measured size, not a fresh measurement: reading the layout in an animation
    // frame, after the page's own update in an earlier callback, forces a layout per frame.
    let (css_w, css_h) = scene.size.unwrap_or_else(|| {
        let rect = el.get_bounding_client_rect();
        (rect.width(), rect.height())
    });
    let (w, h) = ((css_w * ratio) as u32, (css_h * ratio) as u32);
    if el.width() != w || el.height() != h {
        el.set_width(w);
        el.set_height(h);
    }
    let Some(ctx) = context(el) else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    let Some(live) = &scene.live else {
        return;
    };
    let doc = &scene.doc;
    let vp = scene.viewport;
    let counts = mark_counts(&live.edges);
    let phase = (now_s / TRAVEL_S).fract();
    let size = (3.0 * vp.zoom).clamp(2.0, 5.0) * ratio;
    let mut drawn = 0u32;
    let retried = retried_share(&live.frames, live.at);
    // Per edge once a frame: its end nodes and the callee's outcomes.
    let ends: Vec<Option<(&surge_core::Node, &Route, Outcomes)>> = doc
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let a = doc.nodes.iter().find(|n| n.id == e.from)?;
            let b = scene.routes.get(i)?.as_ref()?;
            let outcomes = live
                .nodes
                .iter()
                .find(|(id, _)| *id == e.to)
                .map(|(_, g)| g.outcomes)
                .unwrap_or_default();
            Some((a, b, outcomes))
        })
        .collect();
    for (class, colour) in [
        ("retried", "#2563eb"),
        ("ok", "#16a34a"),
        ("throttled", "#ea580c"),
        ("timeout", "#7c3aed"),
        ("error", "#dc2626"),
    ] {
        ctx.begin_path();
        for (end, &count) in ends.iter().zip(&counts) {
            let Some((a, b, outcomes)) = end else {
                continue;
            };
            if count == 0 {
                continue;
            }
            let from_client = matches!(a.kind, surge_core::NodeKind::Client(_));
            let retried_marks = if from_client {
                (retried * f64::from(count)).round() as usize
            } else {
                0
            };
            for j in 0..count as usize {
                let mark = if j < retried_marks {
                    "retried"
                } else {
                    outcomes.mark(j, count as usize)
                };
                if mark != class {
                    continue;
                }
                let t = (phase + j as f64 / f64::from(count)).fract();
                let p = vp.to_screen(b.point_at(t));
                ctx.rect(
                    p.x * ratio - size / 2.0,
                    p.y * ratio - size / 2.0,
                    size,
                    size,
                );
                drawn += 1;
            }
        }
        ctx.set_fill_style_str(colour);
        ctx.fill();
    }
    let _ = el.set_attribute("data-marks", &drawn.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mark_per_call_capped_per_edge_and_in_total() {
        assert_eq!(mark_counts(&[0, 3, 10_000]), vec![0, 3, MAX_PER_EDGE]);
        let many = vec![MAX_PER_EDGE; 40];
        let counts = mark_counts(&many);
        assert!(counts.iter().sum::<u32>() <= MAX_TOTAL);
        assert!(counts.iter().all(|&c| c == counts[0]), "scaled evenly");
    }
}
