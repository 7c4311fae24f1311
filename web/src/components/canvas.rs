//! The canvas: nodes and edges in an SVG with pan, zoom, pinch, drag, connect by dragging
//! from an output port, box-select, a minimap and the notice bar.
//!
//! Why one pointer handler on the `<svg>`: nodes, ports and edges only carry data
//! attributes, so a 200-node diagram has no per-node closures. The gestures themselves
//! (pan, drag, connect, box-select, pinch) are the pure state machine of
//! `editor::gestures`; this component reads what the pointer is over, feeds it, and
//! applies the effects that come out.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use surge_core::{Invocation, NodeKind, RefKind, Scenario, edge_rule, edge_rules};
use wasm_bindgen::JsCast;
use web_sys::{Element, PointerEvent, WheelEvent};
use yew::prelude::*;

use super::{CanvasEdge, CanvasNode, DropHint, Minimap, ParticleLayer};
use crate::dom::{self, CANVAS_ID};
use crate::editor::catalog;
use crate::editor::geometry::{self, Point, edge_midpoint, edge_path, in_port, out_port};
use crate::editor::gestures::{Effect, Gestures, Hit, Overlay, Press};
use crate::editor::{EdgeKey, EditorAction, Notice, SelectOp, Selection, Viewport};
use crate::run::LiveView;
use crate::state::{Action, Panel};

/// The canvas' own styles, inside the SVG so an exported PNG looks like the screen.
const CANVAS_CSS: &str = include_str!("canvas.css");

/// Props of [`Canvas`].
#[derive(Properties, PartialEq, Debug)]
pub struct CanvasProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Validation problems of the document.
    pub problems: Rc<Vec<surge_core::ScenarioError>>,
    /// The selection.
    pub selection: Selection,
    /// Pan and zoom.
    pub viewport: Viewport,
    /// The notice to show.
    pub notice: Option<Notice>,
    /// Gauges at the player's playhead, while a run is watched.
    pub live: Option<Rc<LiveView>>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The name of an invocation kind as the format spells it.
pub fn invocation_name(i: Invocation) -> &'static str {
    match i {
        Invocation::Sync => "sync",
        Invocation::Async => "async",
        Invocation::Poll => "poll",
        Invocation::Stream => "stream",
        Invocation::Integration => "integration",
    }
}

/// The invocation kinds a kind's input and output ports take ("sync, async"), from the
/// core's rules; computed once, as they never change.
fn port_kinds(tag: &str) -> (AttrValue, AttrValue) {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, String, String)>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let kinds = |tag: &str, outputs: bool| {
            let mut kinds: Vec<&str> = Vec::new();
            for r in edge_rules() {
                if (outputs && r.from == tag) || (!outputs && r.to == tag) {
                    for i in r.invocations {
                        let n = invocation_name(*i);
                        if !kinds.contains(&n) {
                            kinds.push(n);
                        }
                    }
                }
            }
            kinds.join(", ")
        };
        NodeKind::TAGS
            .iter()
            .map(|t| (*t, kinds(t, false), kinds(t, true)))
            .collect()
    });
    table
        .iter()
        .find(|(t, ..)| *t == tag)
        .map_or((AttrValue::default(), AttrValue::default()), |(_, i, o)| {
            (AttrValue::from(i.clone()), AttrValue::from(o.clone()))
        })
}

/// What a context menu was opened on.
#[derive(Clone, Debug, PartialEq)]
enum MenuTarget {
    Node(String),
    /// An edge, by its `data-edge` key ("from→to").
    Edge(String),
    Canvas,
}

fn closest_attr(target: Option<web_sys::EventTarget>, attr: &str) -> Option<String> {
    let el = target?.dyn_into::<Element>().ok()?;
    el.closest(&format!("[{attr}]"))
        .ok()
        .flatten()?
        .get_attribute(attr)
}

fn local(e: &web_sys::MouseEvent) -> Point {
    dom::canvas_point(f64::from(e.client_x()), f64::from(e.client_y())).0
}

/// The canvas.
/// What the pointer is over, read from the data attributes of the element under it.
fn hit_of(target: Option<web_sys::EventTarget>) -> Hit {
    let node = closest_attr(target.clone(), "data-node");
    let port = closest_attr(target.clone(), "data-port");
    let edge = closest_attr(target, "data-edge");
    match (node, port.as_deref(), edge) {
        (Some(id), Some("out"), _) => Hit::OutPort(id),
        (Some(id), _, _) => Hit::Node(id),
        (None, _, Some(key)) => key.split_once('→').map_or(Hit::Background, |(a, b)| {
            Hit::Edge(EdgeKey {
                from: a.to_owned(),
                to: b.to_owned(),
            })
        }),
        _ => Hit::Background,
    }
}

#[component]
pub fn Canvas(props: &CanvasProps) -> Html {
    let gestures = use_mut_ref(Gestures::default);
    let overlay = use_state(|| Overlay::None);
    // Latest props for listeners registered once.
    let latest = use_mut_ref(|| (props.viewport, props.doc.clone(), props.selection.clone()));
    *latest.borrow_mut() = (props.viewport, props.doc.clone(), props.selection.clone());
    let svg_ref = use_node_ref();
    // The context menu: where it opened (in the canvas' pixels) and on what.
    let menu = use_state(|| None::<(f64, f64, MenuTarget)>);
    // Under a reduced-motion preference, no marks move: the counters and log remain.
    let reduced_motion = *use_memo((), |()| dom::prefers_reduced_motion());

    // Wheel zoom needs a non-passive listener to stop the page from scrolling; Space is
    // tracked for Space+drag panning.
    {
        let svg_ref = svg_ref.clone();
        let latest = latest.clone();
        let gestures = gestures.clone();
        let dispatch = props.dispatch.clone();
        use_effect_with((), move |()| {
            let mut listeners = Vec::new();
            if let Some(svg) = svg_ref.cast::<Element>() {
                let opts = EventListenerOptions::enable_prevent_default();
                let dispatch = dispatch.clone();
                listeners.push(EventListener::new_with_options(
                    &svg,
                    "wheel",
                    opts,
                    move |e| {
                        let Some(e) = e.dyn_ref::<WheelEvent>() else {
                            return;
                        };
                        e.prevent_default();
                        let vp = latest.borrow().0;
                        let unit = if e.delta_mode() == 1 { 16.0 } else { 1.0 };
                        let factor = (-e.delta_y() * unit * 0.0015).exp();
                        dispatch.emit(Action::Editor(EditorAction::SetViewport(
                            vp.zoomed_at(factor, local(e)),
                        )));
                    },
                ));
            }
            let window = gloo::utils::window();
            let down = gestures.clone();
            listeners.push(EventListener::new(&window, "keydown", move |e| {
                if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>()
                    && k.key() == " "
                    && !dom::is_typing(k.target())
                {
                    down.borrow_mut().set_space(true);
                }
            }));
            let up = gestures.clone();
            listeners.push(EventListener::new(&window, "keyup", move |e| {
                if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>()
                    && k.key() == " "
                {
                    up.borrow_mut().set_space(false);
                }
            }));
            move || drop(listeners)
        });
    }

    let dispatch = props.dispatch.clone();
    let editor = move |a: EditorAction| dispatch.emit(Action::Editor(a));
    // Applies what a gesture asks for.
    let apply = {
        let dispatch = props.dispatch.clone();
        let overlay = overlay.clone();
        Rc::new(move |effects: Vec<Effect>| {
            for effect in effects {
                match effect {
                    Effect::Editor(a) => dispatch.emit(Action::Editor(a)),
                    Effect::ShowInspector => dispatch.emit(Action::Show(Panel::Inspector)),
                    Effect::Overlay(o) => overlay.set(o),
                }
            }
        })
    };

    let onpointerdown = {
        let menu = menu.clone();
        let svg_ref = svg_ref.clone();
        let gestures = gestures.clone();
        let latest = latest.clone();
        let apply = apply.clone();
        Callback::from(move |e: PointerEvent| {
            if menu.is_some() {
                menu.set(None);
            }
            // The right button opens the context menu; it starts no gesture.
            if e.button() == 2 {
                return;
            }
            let (vp, doc, selection) = latest.borrow().clone();
            // Capture on the SVG itself (Yew delegates events from the root, so the event's
            // current target is not the canvas): moves and the release keep coming here.
            if let Some(svg) = svg_ref.cast::<Element>() {
                let _ = svg.set_pointer_capture(e.pointer_id());
            }
            let press = Press {
                pointer: e.pointer_id(),
                at: local(&e),
                button: e.button(),
                mouse: e.pointer_type() == "mouse",
                shift: e.shift_key(),
                hit: hit_of(e.target()),
            };
            let effects = gestures.borrow_mut().down(press, vp, &doc, &selection);
            apply(effects);
        })
    };

    let onpointermove = {
        let gestures = gestures.clone();
        let latest = latest.clone();
        let apply = apply.clone();
        Callback::from(move |e: PointerEvent| {
            let vp = latest.borrow().0;
            let effects = gestures.borrow_mut().moved(e.pointer_id(), local(&e), vp);
            apply(effects);
        })
    };

    let onpointerup = {
        let gestures = gestures.clone();
        let latest = latest.clone();
        let apply = apply.clone();
        Callback::from(move |e: PointerEvent| {
            let (vp, doc, _) = latest.borrow().clone();
            let cancelled = e.type_() != "pointerup";
            let effects = gestures
                .borrow_mut()
                .up(e.pointer_id(), local(&e), cancelled, vp, &doc);
            apply(effects);
        })
    };

    let open_inspector = {
        let dispatch = props.dispatch.clone();
        move |id: String| {
            dispatch.emit(Action::Editor(EditorAction::Select(SelectOp::Only(vec![
                id,
            ]))));
            dispatch.emit(Action::Show(Panel::Inspector));
            focus_inspector();
        }
    };
    let ondblclick = {
        let open = open_inspector.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = closest_attr(e.target(), "data-node") {
                open(id);
            }
        })
    };
    let onkeydown = {
        let open = open_inspector.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter"
                && let Some(id) = closest_attr(e.target(), "data-node")
            {
                e.prevent_default();
                open(id);
            }
        })
    };
    let onfocusin = {
        let gestures = gestures.clone();
        let latest = latest.clone();
        let editor = editor.clone();
        Callback::from(move |e: FocusEvent| {
            if gestures.borrow().active() {
                return; // a click selects through pointerdown, with Shift semantics
            }
            if let Some(id) = closest_attr(e.target(), "data-node") {
                let selected = latest.borrow().2.nodes.contains(&id);
                if !selected {
                    editor(EditorAction::Select(SelectOp::Only(vec![id])));
                }
            }
        })
    };

    // What a dragged connection may end on: asked of the core's rules.
    let connecting = match &*overlay {
        Overlay::Line { from, .. } => props
            .doc
            .nodes
            .iter()
            .find(|n| &n.id == from)
            .map(|n| (from.clone(), n.kind.tag())),
        _ => None,
    };
    let doc = &props.doc;
    let live = props.live.as_deref();
    let by_id: std::collections::BTreeMap<&str, &surge_core::Node> =
        doc.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let edges = doc.edges.iter().enumerate().filter_map(|(ei, e)| {
        let a = *by_id.get(e.from.as_str())?;
        let b = *by_id.get(e.to.as_str())?;
        let (pa, pb) = (
            out_port(a.position),
            in_port(b.position),
        );
        let inv = e
            .invocation_for(a.kind.tag(), b.kind.tag())
            .map_or("sync", invocation_name);
        let key = EdgeKey::of(e);
        let mid = edge_midpoint(pa, pb);
        Some(html! {
            <CanvasEdge key={format!("{}→{}", e.from, e.to)} key_attr={format!("{}→{}", e.from, e.to)}
                d={edge_path(pa, pb)} invocation={inv} mid={(mid.x, mid.y)}
                selected={props.selection.edges.contains(&key)}
                in_flight={live.and_then(|l| l.edges.get(ei).copied())} />
        })
    });
    // References that are not calls (a queue's dead-letter queue, a function's on-failure
    // destination, a priority split's overflow queue) drawn in a style of their own.
    let mut references = Vec::new();
    doc.node_refs(|at, id| {
        let label = match at.kind {
            RefKind::DeadLetterQueue => "DLQ",
            RefKind::OnFailure => "on failure",
            RefKind::OverflowQueue => "overflow",
            RefKind::ProcessNewSource => "new records",
            _ => return,
        };
        let (Some(from), Some(to)) = (at.node.and_then(|i| doc.nodes.get(i)), by_id.get(id.as_str())) else {
            return;
        };
        // A straight dashed line between the boxes' facing sides (top or bottom), so it
        // never loops around like a call's curve.
        let (w, h) = (geometry::NODE_W, geometry::NODE_H);
        let below = to.position.y > from.position.y;
        let (ay, by) = if below {
            (from.position.y + h, to.position.y)
        } else {
            (from.position.y, to.position.y + h)
        };
        let (ax, bx) = (from.position.x + w / 2.0, to.position.x + w / 2.0);
        let (mx, my) = ((ax + bx) / 2.0, (ay + by) / 2.0);
        references.push(html! {
            <g class="ref" data-ref={format!("{}→{}", from.id, to.id)}>
                <path class="ref-line" d={format!("M {ax} {ay} L {bx} {by}")} marker-end="url(#arrow)" />
                <text class="ref-label" x={(mx + 4.0).to_string()} y={my.to_string()}>{ label }</text>
            </g>
        });
    });
    let nodes = doc.nodes.iter().enumerate().map(|(i, n)| {
        let item = catalog::for_node(&n.kind);
        let tag = n.kind.tag();
        let exact = format!("nodes[{i}]");
        let nested = format!("nodes[{i}].");
        let problems = props
            .problems
            .iter()
            .filter(|e| e.path == exact || e.path.starts_with(&nested))
            .count();
        let drop = match &connecting {
            Some((from, _)) if *from == n.id => DropHint::Idle,
            Some((_, from_tag)) => {
                if edge_rule(from_tag, tag).is_ok() {
                    DropHint::Accepts
                } else {
                    DropHint::Refuses
                }
            }
            None => DropHint::Idle,
        };
        let gauge = live
            .and_then(|l| l.nodes.get(i).filter(|(id, _)| *id == n.id))
            .map(|(_, g)| {
                (
                    AttrValue::from(g.text()),
                    g.fill(),
                    g.health.class(),
                    g.health.words(),
                )
            });
        let (inputs, outputs) = port_kinds(tag);
        html! {
            <CanvasNode key={n.id.clone()} id={n.id.clone()} label={n.label().to_owned()}
                kind_label={item.label} kind={tag} icon={item.icon}
                x={n.position.x} y={n.position.y}
                selected={props.selection.nodes.contains(&n.id)} {problems}
                {inputs} {outputs} {drop} {gauge} />
        }
    });
    let overlay_html = match &*overlay {
        Overlay::None => html! {},
        Overlay::Line { a, b, .. } => html! {
            <path class="overlay connecting" d={edge_path(*a, *b)} />
        },
        Overlay::Box(r) => html! {
            <rect class="overlay box-select" x={r.x.to_string()} y={r.y.to_string()}
                width={r.w.to_string()} height={r.h.to_string()} />
        },
    };
    let vp = props.viewport;
    let grid = geometry::GRID * vp.zoom;
    let notice = props.notice.clone().map(|n| {
        let dismiss = {
            let editor = editor.clone();
            Callback::from(move |_| editor(EditorAction::Notice(None)))
        };
        html! {
            <div class={classes!("notice", n.refused.then_some("refused"))} role={if n.refused { "alert" } else { "status" }}>
                <span>{ n.text }</span>
                <button type="button" class="ghost small" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
            </div>
        }
    });
    let oncontextmenu = {
        let menu = menu.clone();
        let svg_ref = svg_ref.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            let Some(svg) = svg_ref.cast::<Element>() else {
                return;
            };
            let r = svg.get_bounding_client_rect();
            // Kept inside the canvas (it clips what overflows).
            let (x, y) = (
                (f64::from(e.client_x()) - r.left())
                    .min(r.width() - 170.0)
                    .max(0.0),
                (f64::from(e.client_y()) - r.top())
                    .min(r.height() - 120.0)
                    .max(0.0),
            );
            let target = if let Some(id) = closest_attr(e.target(), "data-node") {
                dispatch.emit(Action::Editor(EditorAction::Select(SelectOp::Only(vec![
                    id.clone(),
                ]))));
                MenuTarget::Node(id)
            } else if let Some(key) = closest_attr(e.target(), "data-edge") {
                MenuTarget::Edge(key)
            } else {
                MenuTarget::Canvas
            };
            menu.set(Some((x, y, target)));
        })
    };
    let menu_html = (*menu).clone().map(|(x, y, target)| {
        let item = |id: &'static str, label: &'static str, action: Callback<()>| {
            let menu = menu.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                menu.set(None);
                action.emit(());
            });
            html! { <button type="button" role="menuitem" {id} {onclick}>{ label }</button> }
        };
        let emit = |a: EditorAction| {
            let d = props.dispatch.clone();
            Callback::from(move |()| d.emit(Action::Editor(a.clone())))
        };
        let items = match target {
            MenuTarget::Node(id) => {
                let open = open_inspector.clone();
                html! { <>
                    { item("menu-inspect", "Inspect", Callback::from(move |()| open(id.clone()))) }
                    { item("menu-duplicate", "Duplicate", emit(EditorAction::Duplicate)) }
                    { item("menu-delete", "Delete", emit(EditorAction::DeleteSelection)) }
                </> }
            }
            MenuTarget::Edge(key) => {
                let (from, to) = key.split_once('→').unwrap_or((key.as_str(), ""));
                let edge = EdgeKey {
                    from: from.to_owned(),
                    to: to.to_owned(),
                };
                let d = props.dispatch.clone();
                html! { <>
                    { item("menu-delete-edge", "Delete connection", Callback::from(move |()| {
                        d.emit(Action::Editor(EditorAction::Select(SelectOp::Edge(edge.clone(), false))));
                        d.emit(Action::Editor(EditorAction::DeleteSelection));
                    })) }
                </> }
            }
            MenuTarget::Canvas => {
                let doc = props.doc.clone();
                let d = props.dispatch.clone();
                html! { <>
                    { item("menu-fit", "Fit the diagram", Callback::from(move |()| crate::components::fit_view(&doc, &d))) }
                    { item("menu-select-all", "Select all", emit(EditorAction::Select(SelectOp::All))) }
                </> }
            }
        };
        html! {
            <div class="context-menu" role="menu" style={format!("left: {x:.0}px; top: {y:.0}px")}>
                { items }
            </div>
        }
    });
    html! {
        <section class="canvas" aria-label="Canvas">
            <svg id={CANVAS_ID} ref={svg_ref} class="canvas-svg" role="group" tabindex="-1"
                aria-label={format!("Diagram with {} nodes and {} connections", doc.nodes.len(), doc.edges.len())}
                {onpointerdown} onpointermove={onpointermove} onpointerup={onpointerup.clone()}
                onpointercancel={onpointerup} {ondblclick} {onkeydown} {onfocusin} {oncontextmenu}>
                <defs>
                    <style>{ CANVAS_CSS }</style>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
                        <path d="M0 0 L10 5 L0 10 z" class="arrow-head" />
                    </marker>
                    <pattern id="grid" width={grid.to_string()} height={grid.to_string()}
                        patternUnits="userSpaceOnUse"
                        patternTransform={format!("translate({:.2} {:.2})", vp.x, vp.y)}>
                        <circle cx="1" cy="1" r="1" class="grid-dot" />
                    </pattern>
                </defs>
                <rect class="grid-bg" width="100%" height="100%" fill="url(#grid)" />
                <g class="viewport" transform={vp.transform()}>
                    <g class="refs" aria-hidden="true">{ for references }</g>
                    <g class="edges">{ for edges }</g>
                    <g class="nodes">{ for nodes }</g>
                    { overlay_html }
                </g>
            </svg>
            <ParticleLayer doc={props.doc.clone()} live={props.live.clone()} viewport={props.viewport} {reduced_motion} />
            { for menu_html }
            if doc.nodes.is_empty() {
                <div class="canvas-hint">
                    <p class="big">{ "Drag services here" }</p>
                    <p>{ "Pick a service in the palette (drag it, or press Enter on it), then drag from a node's right-hand port to another node to connect them. Or load a lesson from the Run tab." }</p>
                </div>
            }
            { for notice }
            <Minimap doc={props.doc.clone()} viewport={props.viewport} dispatch={props.dispatch.clone()} />
        </section>
    }
}

/// Moves keyboard focus to the inspector's first input after the next render.
pub fn focus_inspector() {
    gloo::timers::callback::Timeout::new(0, || {
        if let Ok(Some(el)) = gloo::utils::document().query_selector(
            "#inspector input:not([readonly]), #inspector select, #inspector textarea",
        ) && let Some(el) = el.dyn_ref::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    })
    .forget();
}
