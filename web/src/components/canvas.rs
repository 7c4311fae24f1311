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
use surge_core::{
    Annotation, AnnotationKind, Invocation, NodeKind, RefKind, Scenario, edge_rule, edge_rules,
};
use wasm_bindgen::JsCast;
use web_sys::{Element, PointerEvent, WheelEvent};
use yew::prelude::*;

use super::{CanvasEdge, CanvasNode, DropHint, Minimap, ParticleLayer};
use crate::dom::{self, CANVAS_ID};
use crate::editor::catalog;
use crate::editor::document::Edit;
use crate::editor::geometry::{self, Point, edge_path, in_port, node_rect, out_port};
use crate::editor::gestures::{Effect, Gestures, Hit, Overlay, Press};
use crate::editor::routing;
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
    /// A box or note, by index.
    Annotation(usize),
    /// The background, at this world point.
    Canvas(Point),
}

/// What the in-place text field edits.
#[derive(Clone, Debug, PartialEq)]
enum Renaming {
    /// A node's display name.
    Node(String),
    /// A box's label or a note's text.
    Annotation(usize),
}

fn local(e: &web_sys::MouseEvent) -> Point {
    dom::canvas_point(f64::from(e.client_x()), f64::from(e.client_y())).0
}

/// The canvas.
/// What the pointer is over, read from the data attributes of the element under it.
fn hit_of(target: Option<web_sys::EventTarget>) -> Hit {
    let target_for_annotations = target.clone();
    let node = dom::closest_attr(target.clone(), "data-node");
    let port = dom::closest_attr(target.clone(), "data-port");
    let end = dom::closest_attr(target.clone(), "data-edge-end");
    let edge = dom::closest_attr(target, "data-edge");
    let key_of = |key: &str| {
        key.split_once('→').map(|(a, b)| EdgeKey {
            from: a.to_owned(),
            to: b.to_owned(),
        })
    };
    if let Some(key) = end.as_deref().and_then(key_of) {
        return Hit::EdgeEnd(key);
    }
    let index = |attr: &str| {
        dom::closest_attr(target_for_annotations.clone(), attr)?
            .parse::<usize>()
            .ok()
    };
    if let Some(i) = index("data-annotation-corner") {
        return Hit::AnnotationCorner(i);
    }
    if node.is_none()
        && let Some(i) = index("data-annotation-grab")
    {
        return Hit::Annotation(i);
    }
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
    // The canvas' size in pixels (for drawing only what is in view on large diagrams, the
    // minimap's frame and the moving marks' layer): measured by a resize observer, which
    // reports after layout, so whatever resizes the canvas (the window, a panel, the phone
    // sheet) is seen, and no render or animation frame forces a layout to read it.
    let size = use_state_eq(|| None::<(f64, f64)>);
    // The observer watches the `<svg>` on screen, checked after every render (one identity
    // test): should Yew ever re-create that element (it did while a notice was an optional
    // child written `{ for … }`, see ARCHITECTURE's optional-child invariant), an observer
    // left on the old one would report 0 × 0 for good and turn off drawing only what is in
    // view and the minimap's frame.
    let observed = use_mut_ref(|| None::<SizeObserver>);
    {
        let svg_ref = svg_ref.clone();
        let size = size.clone();
        let observed = observed.clone();
        use_effect(move || {
            let svg = svg_ref.cast::<Element>();
            let current = observed.borrow().as_ref().map(|o| o.element.clone());
            if svg != current {
                *observed.borrow_mut() = svg.and_then(|svg| SizeObserver::new(svg, size));
            }
        });
    }
    {
        let observed = observed.clone();
        use_effect_with((), move |()| move || drop(observed.borrow_mut().take()));
    }
    // The node being renamed in place, if any.
    let renaming = use_state(|| None::<Renaming>);
    let rename_ref = use_node_ref();
    {
        let rename_ref = rename_ref.clone();
        use_effect_with((*renaming).clone(), move |r| {
            if r.is_some()
                && let Some(input) = rename_ref.cast::<web_sys::HtmlInputElement>()
            {
                let _ = input.focus();
                input.select();
            }
        });
    }
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
    // Nodes drawn by a drag's preview: once the drop is rendered they are drawn again
    // from the document, so a refused move (a read-only embed) leaves nothing stale.
    let previewed = use_mut_ref(Vec::<String>::new);
    let apply = {
        let dispatch = props.dispatch.clone();
        let overlay = overlay.clone();
        let latest = latest.clone();
        let previewed = previewed.clone();
        Rc::new(move |effects: Vec<Effect>| {
            for effect in effects {
                match effect {
                    Effect::Editor(a) => dispatch.emit(Action::Editor(a)),
                    Effect::ShowInspector => dispatch.emit(Action::Show(Panel::Inspector)),
                    // Guides change during a drag: drawn straight into their layer, like
                    // the drag's preview, so the canvas does not re-render for them.
                    Effect::Overlay(Overlay::Guides(lines)) => draw_guides(&lines),
                    Effect::Overlay(o) => {
                        draw_guides(&[]);
                        overlay.set(o);
                    }
                    Effect::Preview(moves) => {
                        preview(&latest.borrow().1, &moves);
                        *previewed.borrow_mut() = moves.into_iter().map(|(id, _)| id).collect();
                    }
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
        let previewed = previewed.clone();
        Callback::from(move |e: PointerEvent| {
            let (vp, doc, _) = latest.borrow().clone();
            let cancelled = e.type_() != "pointerup";
            let effects = gestures
                .borrow_mut()
                .up(e.pointer_id(), local(&e), cancelled, vp, &doc);
            apply(effects);
            let ids = std::mem::take(&mut *previewed.borrow_mut());
            if !ids.is_empty() {
                let latest = latest.clone();
                gloo::timers::callback::Timeout::new(0, move || {
                    let doc = latest.borrow().1.clone();
                    let held: Vec<_> = doc
                        .nodes
                        .iter()
                        .filter(|n| ids.contains(&n.id))
                        .map(|n| (n.id.clone(), n.position))
                        .collect();
                    preview(&doc, &held);
                })
                .forget();
            }
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
    // Double-click (or F2) renames a node in place, as in diagram tools.
    let ondblclick = {
        let renaming = renaming.clone();
        let editor = editor.clone();
        let latest = latest.clone();
        Callback::from(move |e: MouseEvent| {
            // The SVG captures the pointer, so the event's target is the SVG itself: the
            // node is found by position.
            let (vp, doc, _) = latest.borrow().clone();
            let world = vp.to_world(local(&e));
            let hit = dom::closest_attr(e.target(), "data-node")
                .or_else(|| geometry::node_at(&doc, world).map(str::to_owned));
            if let Some(id) = hit {
                editor(EditorAction::Select(SelectOp::Only(vec![id.clone()])));
                renaming.set(Some(Renaming::Node(id)));
            } else if let Some(i) = annotation_at(&doc, world) {
                renaming.set(Some(Renaming::Annotation(i)));
            }
        })
    };
    let onkeydown = {
        let open = open_inspector.clone();
        let renaming = renaming.clone();
        let dispatch = props.dispatch.clone();
        let latest = latest.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(i) = dom::closest_attr(e.target(), "data-annotation")
                .and_then(|i| i.parse::<usize>().ok())
            {
                match e.key().as_str() {
                    "Enter" | "F2" => {
                        e.prevent_default();
                        renaming.set(Some(Renaming::Annotation(i)));
                    }
                    "Delete" | "Backspace" => {
                        e.prevent_default();
                        e.stop_propagation();
                        let doc = latest.borrow().1.clone();
                        remove_annotation(&doc, i, &dispatch);
                    }
                    _ => {}
                }
                return;
            }
            let Some(id) = dom::closest_attr(e.target(), "data-node") else {
                return;
            };
            if e.key() == "Enter" {
                e.prevent_default();
                open(id);
            } else if e.key() == "F2" {
                e.prevent_default();
                renaming.set(Some(Renaming::Node(id)));
            }
        })
    };
    let onfocusin = {
        let gestures = gestures.clone();
        let latest = latest.clone();
        let editor = editor.clone();
        let size = *size;
        Callback::from(move |e: FocusEvent| {
            if gestures.borrow().active() {
                return; // a click selects through pointerdown, with Shift semantics
            }
            // Focus from the keyboard brings a node, box or note into view: Tab walks the
            // whole diagram and the view follows (what a click reaches is on screen).
            let (viewport, doc, selection) = latest.borrow().clone();
            let target = if let Some(id) = dom::closest_attr(e.target(), "data-node") {
                let rect = doc
                    .nodes
                    .iter()
                    .find(|n| n.id == id)
                    .map(|n| node_rect(n.position));
                if !selection.nodes.contains(&id) {
                    editor(EditorAction::Select(SelectOp::Only(vec![id])));
                }
                rect
            } else {
                dom::closest_attr(e.target(), "data-annotation")
                    .and_then(|i| doc.annotations.get(i.parse::<usize>().ok()?))
                    .map(|a| geometry::Rect {
                        x: a.x,
                        y: a.y,
                        w: a.w,
                        h: a.h,
                    })
            };
            // A rectangle larger than the canvas shows its top-left corner.
            if let Some(v) = target
                .zip(size)
                .and_then(|(r, (w, h))| viewport.revealing(r, w, h, REVEAL_MARGIN_PX))
            {
                editor(EditorAction::SetViewport(v));
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
    // On a large diagram only what is in view (with a quarter screen around it) is drawn,
    // plus the selection: the browser's style, layout and paint then cost what a small
    // diagram costs, however many nodes there are.
    let in_view = visible_area(doc.nodes.len(), props.viewport, *size);
    // The selection is drawn wherever it is, and so are the nodes just before and after
    // each selected node in the document: Tab and Shift+Tab go from the focused node to
    // them (in document order), and focusing one brings it into view.
    let beside_selection: std::collections::BTreeSet<&str> = match in_view {
        Some(_) => doc
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| props.selection.nodes.contains(&n.id))
            .flat_map(|(i, _)| [i.checked_sub(1), Some(i + 1)])
            .filter_map(|i| doc.nodes.get(i?).map(|n| n.id.as_str()))
            .collect(),
        None => Default::default(),
    };
    let drawn = |n: &surge_core::Node| {
        in_view.is_none_or(|area| node_rect(n.position).intersects(&area))
            || props.selection.nodes.contains(&n.id)
            || beside_selection.contains(n.id.as_str())
    };
    // Every connection's line, around the nodes in its way (once per document).
    let routes = use_memo(props.doc.clone(), |d| routing::routes(d));
    let edges = doc.edges.iter().enumerate().filter_map(|(ei, e)| {
        let a = *by_id.get(e.from.as_str())?;
        let b = *by_id.get(e.to.as_str())?;
        if !drawn(a) && !drawn(b) && !props.selection.edges.contains(&EdgeKey::of(e)) {
            return None;
        }
        let route = routes.get(ei)?.as_ref()?;
        let inv = e
            .invocation_for(a.kind.tag(), b.kind.tag())
            .map_or("sync", invocation_name);
        let key = EdgeKey::of(e);
        let mid = route.midpoint();
        Some(html! {
            <CanvasEdge key={format!("{}→{}", e.from, e.to)} key_attr={format!("{}→{}", e.from, e.to)}
                d={route.path()} invocation={inv} mid={(mid.x, mid.y)}
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
        if !drawn(from) && !drawn(to) {
            return;
        }
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
    let nodes = doc
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| drawn(n))
        .map(|(i, n)| {
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
    // A selected connection's end, drawn above the nodes just short of its arrowhead:
    // dragging it onto another node moves the end there.
    let end_handles = doc.edges.iter().filter_map(|e| {
        let key = EdgeKey::of(e);
        if !props.selection.edges.contains(&key) {
            return None;
        }
        let i = doc.edges.iter().position(|x| EdgeKey::of(x) == key)?;
        let at = routes.get(i)?.as_ref()?.point_at(0.9);
        Some(html! {
            <circle class="edge-end" cx={format!("{:.1}", at.x)} cy={format!("{:.1}", at.y)} r="7"
                data-edge-end={format!("{}→{}", e.from, e.to)}>
                <title>{ "Drag onto another node to move this end" }</title>
            </circle>
        })
    });
    let overlay_html = match &*overlay {
        Overlay::None => html! {},
        Overlay::Line { a, b, .. } => html! {
            <path class="overlay connecting" d={edge_path(*a, *b)} />
        },
        Overlay::Guides(_) => html! {},
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
        let latest = latest.clone();
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
            let target = if let Some(id) = dom::closest_attr(e.target(), "data-node") {
                dispatch.emit(Action::Editor(EditorAction::Select(SelectOp::Only(vec![
                    id.clone(),
                ]))));
                MenuTarget::Node(id)
            } else if let Some(key) = dom::closest_attr(e.target(), "data-edge") {
                MenuTarget::Edge(key)
            } else if let Some(i) =
                dom::closest_attr(e.target(), "data-annotation").and_then(|i| i.parse().ok())
            {
                MenuTarget::Annotation(i)
            } else {
                let vp = latest.borrow().0;
                MenuTarget::Canvas(vp.to_world(local(&e)))
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
            MenuTarget::Canvas(at) => {
                let doc = props.doc.clone();
                let d = props.dispatch.clone();
                let add = |kind: AnnotationKind| {
                    let doc = props.doc.clone();
                    let d = props.dispatch.clone();
                    Callback::from(move |()| add_annotation(&doc, kind, at, &d))
                };
                html! { <>
                    { item("menu-fit", "Fit the diagram", Callback::from(move |()| crate::components::fit_view(&doc, &d))) }
                    { item("menu-select-all", "Select all", emit(EditorAction::Select(SelectOp::All))) }
                    { item("menu-add-note", "Add a note here", add(AnnotationKind::Note)) }
                    { item("menu-add-box", "Add a group box here", add(AnnotationKind::Box)) }
                </> }
            }
            MenuTarget::Annotation(i) => {
                let doc = props.doc.clone();
                let d = props.dispatch.clone();
                let edit_text = {
                    let renaming = renaming.clone();
                    Callback::from(move |()| renaming.set(Some(Renaming::Annotation(i))))
                };
                let kinds = AnnotationKind::ALL.into_iter().filter(|k| doc.annotations.get(i).is_some_and(|a| a.kind != *k)).map(|k| {
                    let doc = props.doc.clone();
                    let d = props.dispatch.clone();
                    let onclick = {
                        let menu = menu.clone();
                        Callback::from(move |_: MouseEvent| {
                            menu.set(None);
                            set_annotation_kind(&doc, i, k, &d);
                        })
                    };
                    html! { <button type="button" role="menuitem" id={format!("menu-kind-{}", k.tag())} {onclick}>{ format!("Make it a {}", k.label()) }</button> }
                });
                html! { <>
                    { item("menu-edit-text", "Edit text", edit_text) }
                    { for kinds }
                    { item("menu-delete-annotation", "Delete", Callback::from(move |()| remove_annotation(&doc, i, &d))) }
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
                    <g class="annotations">{ for doc.annotations.iter().enumerate().map(|(i, a)| annotation_view(i, a)) }</g>
                    <g class="refs" aria-hidden="true">{ for references }</g>
                    <g class="edges">{ for edges }</g>
                    <g class="nodes">{ for nodes }</g>
                    <g class="edge-ends">{ for end_handles }</g>
                    { overlay_html }
                    <g id="canvas-guides" class="guides" aria-hidden="true" />
                </g>
            </svg>
            <ParticleLayer doc={props.doc.clone()} live={props.live.clone()} viewport={props.viewport} {reduced_motion}
                routes={routes.clone()} size={*size} />
            if props.live.is_some() {
                { super::particle_layer::legend() }
            }
            { menu_html.unwrap_or_default() }
            { rename_input(props, &renaming, &rename_ref) }
            if doc.nodes.is_empty() {
                <div class="canvas-hint">
                    <p class="big">{ "Drag services here" }</p>
                    <p>{ "Pick a service in the palette (drag it, or press Enter on it), then drag from a node's right-hand port to another node to connect them. Or load a lesson from the Run tab." }</p>
                </div>
            }
            { notice.unwrap_or_default() }
            <Minimap doc={props.doc.clone()} viewport={props.viewport} canvas_size={*size} dispatch={props.dispatch.clone()} />
        </section>
    }
}

/// Replaces the boxes and notes as one undo step.
fn set_annotations(dispatch: &Callback<Action>, annotations: Vec<Annotation>, label: String) {
    dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetAnnotations {
        annotations,
        moves: Vec::new(),
        label,
        gesture: None,
    })));
    dispatch.emit(Action::Editor(EditorAction::Seal));
}

/// Adds a box or a note with its top-left corner at `at` (world), snapped to the grid.
fn add_annotation(doc: &Scenario, kind: AnnotationKind, at: Point, dispatch: &Callback<Action>) {
    let snap = |v: f64| (v / geometry::GRID).round() * geometry::GRID;
    let (w, h) = if kind == AnnotationKind::Note {
        (200.0, 80.0)
    } else {
        (420.0, 240.0)
    };
    let mut all = doc.annotations.clone();
    all.push(Annotation {
        kind,
        text: String::new(),
        x: snap(at.x),
        y: snap(at.y),
        w,
        h,
    });
    set_annotations(dispatch, all, format!("Add a {}", kind.label()));
}

fn remove_annotation(doc: &Scenario, i: usize, dispatch: &Callback<Action>) {
    let mut all = doc.annotations.clone();
    if i < all.len() {
        let gone = all.remove(i);
        set_annotations(dispatch, all, format!("Delete the {}", gone.kind.label()));
    }
}

fn set_annotation_kind(
    doc: &Scenario,
    i: usize,
    kind: AnnotationKind,
    dispatch: &Callback<Action>,
) {
    let mut all = doc.annotations.clone();
    if let Some(a) = all.get_mut(i) {
        a.kind = kind;
        set_annotations(dispatch, all, format!("Make it a {}", kind.label()));
    }
}

/// The topmost box or note under a world point (a note over a box).
fn annotation_at(doc: &Scenario, p: Point) -> Option<usize> {
    let inside = |a: &Annotation| p.x >= a.x && p.y >= a.y && p.x <= a.x + a.w && p.y <= a.y + a.h;
    let notes = doc
        .annotations
        .iter()
        .enumerate()
        .rev()
        .find(|(_, a)| !a.kind.is_boundary() && inside(a));
    // A box is picked by its label strip, so a click inside it still reaches the diagram.
    notes
        .or_else(|| {
            doc.annotations
                .iter()
                .enumerate()
                .rev()
                .find(|(_, a)| a.kind.is_boundary() && inside(a) && p.y <= a.y + ANNOTATION_STRIP)
        })
        .map(|(i, _)| i)
}

/// Height of a box's label strip (where it is grabbed), in world units.
const ANNOTATION_STRIP: f64 = 26.0;

/// Words of `text` in lines of at most `chars` characters (a note wraps in its box).
fn wrap(text: &str, chars: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > chars {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// One box or note on the canvas: a boundary is grabbed by its label strip (a click
/// inside it reaches the diagram), a note anywhere; the corner resizes either.
fn annotation_view(i: usize, a: &Annotation) -> Html {
    let kind = a.kind;
    let title = if a.text.is_empty() {
        kind.label().to_owned()
    } else {
        format!("{}: {}", kind.label(), a.text)
    };
    let corner = html! {
        <rect class="ann-corner" x={format!("{:.1}", a.x + a.w - 12.0)} y={format!("{:.1}", a.y + a.h - 12.0)}
            width="12" height="12" data-annotation-corner={i.to_string()} />
    };
    if kind.is_boundary() {
        let label = if a.text.is_empty() {
            kind.label().to_owned()
        } else {
            format!("{} · {}", kind.label(), a.text)
        };
        html! {
            <g class={classes!("ann", format!("ann-{}", kind.tag()))} data-annotation={i.to_string()}
                tabindex="0" role="group" aria-label={title.clone()}>
                <title>{ title }</title>
                <rect class="ann-frame" x={format!("{:.1}", a.x)} y={format!("{:.1}", a.y)} width={format!("{:.1}", a.w)} height={format!("{:.1}", a.h)} rx="8" />
                <rect class="ann-strip" x={format!("{:.1}", a.x)} y={format!("{:.1}", a.y)} width={format!("{:.1}", a.w)} height={ANNOTATION_STRIP.to_string()}
                    data-annotation-grab={i.to_string()} />
                <text class="ann-label" x={format!("{:.1}", a.x + 10.0)} y={format!("{:.1}", a.y + 17.0)}>{ label }</text>
                { corner }
            </g>
        }
    } else {
        let chars = ((a.w - 16.0) / 7.0).max(4.0) as usize;
        let rows = ((a.h - 12.0) / 16.0).max(1.0) as usize;
        let lines = wrap(&a.text, chars);
        html! {
            <g class="ann ann-note" data-annotation={i.to_string()} tabindex="0" role="note" aria-label={title.clone()}>
                <title>{ title }</title>
                <rect class="ann-frame" x={format!("{:.1}", a.x)} y={format!("{:.1}", a.y)} width={format!("{:.1}", a.w)} height={format!("{:.1}", a.h)} rx="4"
                    data-annotation-grab={i.to_string()} />
                <text class="ann-text" x={format!("{:.1}", a.x + 8.0)} y={format!("{:.1}", a.y + 6.0)} data-annotation-grab={i.to_string()}>
                    { for lines.iter().take(rows).enumerate().map(|(k, l)| html! {
                        <tspan x={format!("{:.1}", a.x + 8.0)} dy={if k == 0 { "14" } else { "16" }}>{ l.clone() }</tspan>
                    }) }
                </text>
                if a.text.is_empty() {
                    <text class="ann-hint" x={format!("{:.1}", a.x + 8.0)} y={format!("{:.1}", a.y + 20.0)} data-annotation-grab={i.to_string()}>{ "Double-click to write" }</text>
                }
                { corner }
            </g>
        }
    }
}

/// A resize observer on one element, reporting its size into a state; disconnected when
/// dropped.
struct SizeObserver {
    element: Element,
    observer: web_sys::ResizeObserver,
    _on_resize: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl SizeObserver {
    fn new(element: Element, size: UseStateHandle<Option<(f64, f64)>>) -> Option<SizeObserver> {
        let measured = element.clone();
        let on_resize = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let r = measured.get_bounding_client_rect();
            size.set(Some((r.width(), r.height())));
        });
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
        // Its first report comes right after the next layout.
        observer.observe(&element);
        Some(SizeObserver {
            element,
            observer,
            _on_resize: on_resize,
        })
    }
}

impl Drop for SizeObserver {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// How far inside the canvas' edge a node brought into view by keyboard focus lands.
const REVEAL_MARGIN_PX: f64 = 24.0;

/// Diagrams above this many nodes draw only what is in view.
const DRAW_ALL_UP_TO: usize = 300;

/// The world area worth drawing (the view and a quarter screen around it), or `None` to
/// draw everything (a small diagram, or the canvas not measured yet).
fn visible_area(nodes: usize, vp: Viewport, size: Option<(f64, f64)>) -> Option<geometry::Rect> {
    let (w, h) = size.filter(|(w, h)| *w > 0.0 && *h > 0.0)?;
    if nodes <= DRAW_ALL_UP_TO {
        return None;
    }
    let a = vp.to_world(Point::new(-w / 4.0, -h / 4.0));
    let b = vp.to_world(Point::new(w * 1.25, h * 1.25));
    Some(geometry::Rect::from_corners(a, b))
}

/// Alignment guides (world lines) in their layer, replacing what was there.
fn draw_guides(lines: &[(Point, Point)]) {
    let Some(layer) = gloo::utils::document().get_element_by_id("canvas-guides") else {
        return;
    };
    let markup: String = lines
        .iter()
        .map(|(a, b)| {
            format!(
                r#"<line class="guide" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"></line>"#,
                a.x,
                a.y - 12.0,
                b.x,
                b.y + 12.0
            )
        })
        .collect();
    layer.set_inner_html(&markup);
}

/// `s` as a CSS string (for an attribute selector).
fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Draws a drag in progress straight into the DOM: the moved nodes and the connections
/// that touch them. Yew's next render (the drop's edit) writes the same values, so the
/// document stays the one truth.
fn preview(doc: &Scenario, moves: &[(String, surge_core::Position)]) {
    let page = gloo::utils::document();
    let at = |id: &str| {
        moves
            .iter()
            .find(|(m, _)| m == id)
            .map(|(_, p)| *p)
            .or_else(|| doc.nodes.iter().find(|n| n.id == id).map(|n| n.position))
    };
    for (id, p) in moves {
        if let Ok(Some(g)) = page.query_selector(&format!("g.node[data-node={}]", css_string(id))) {
            let _ = g.set_attribute("transform", &format!("translate({} {})", p.x, p.y));
        }
    }
    for e in &doc.edges {
        if !moves.iter().any(|(m, _)| *m == e.from || *m == e.to) {
            continue;
        }
        let (Some(a), Some(b)) = (at(&e.from), at(&e.to)) else {
            continue;
        };
        let (pa, pb) = (out_port(a), in_port(b));
        let key = format!("{}→{}", e.from, e.to);
        let Ok(Some(g)) = page.query_selector(&format!("g.edge[data-edge={}]", css_string(&key)))
        else {
            continue;
        };
        let route = if doc.nodes.len() <= routing::ROUTE_UP_TO_NODES {
            let obstacles: Vec<geometry::Rect> = doc
                .nodes
                .iter()
                .filter(|n| n.id != e.from && n.id != e.to)
                .filter_map(|n| at(&n.id))
                .map(node_rect)
                .collect();
            routing::route(pa, pb, &obstacles)
        } else {
            routing::Route::Curve(pa, pb)
        };
        let d = route.path();
        if let Ok(paths) = g.query_selector_all("path") {
            for k in 0..paths.length() {
                if let Some(el) = paths.item(k).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = el.set_attribute("d", &d);
                }
            }
        }
        if let Ok(Some(label)) = g.query_selector(".edge-label") {
            let mid = route.midpoint();
            let _ = label.set_attribute("x", &format!("{:.1}", mid.x));
            let _ = label.set_attribute("y", &format!("{:.1}", mid.y - 6.0));
        }
    }
}

/// The in-place text field over the node being renamed (or the box or note whose text is
/// edited): Enter or leaving keeps it, Escape cancels; an empty name shows the id again.
fn rename_input(
    props: &CanvasProps,
    renaming: &UseStateHandle<Option<Renaming>>,
    input_ref: &NodeRef,
) -> Html {
    let Some(target) = (**renaming).clone() else {
        return html! {};
    };
    let vp = props.viewport;
    let (world, width, value, label, placeholder) = match &target {
        Renaming::Node(id) => {
            let Some(node) = props.doc.nodes.iter().find(|n| &n.id == id) else {
                return html! {};
            };
            (
                Point::new(node.position.x + 40.0, node.position.y + 8.0),
                geometry::NODE_W - 48.0,
                node.name.clone(),
                format!("Name of {id}"),
                id.clone(),
            )
        }
        Renaming::Annotation(i) => {
            let Some(a) = props.doc.annotations.get(*i) else {
                return html! {};
            };
            (
                Point::new(a.x + 6.0, a.y + 4.0),
                (a.w - 12.0).clamp(60.0, 400.0),
                a.text.clone(),
                format!("Text of the {}", a.kind.label()),
                a.kind.label().to_owned(),
            )
        }
    };
    let at = vp.to_screen(world);
    let width = width * vp.zoom;
    let font = (13.0 * vp.zoom).clamp(11.0, 22.0);
    let keep = {
        let renaming = renaming.clone();
        let doc = props.doc.clone();
        let dispatch = props.dispatch.clone();
        Rc::new(move |text: String| {
            renaming.set(None);
            let text = text.trim().to_owned();
            let id = match &target {
                Renaming::Node(id) => id.clone(),
                Renaming::Annotation(i) => {
                    let mut all = doc.annotations.clone();
                    if let Some(a) = all.get_mut(*i)
                        && a.text != text
                    {
                        let label = format!("Edit the {}'s text", a.kind.label());
                        a.text = text;
                        set_annotations(&dispatch, all, label);
                    }
                    return;
                }
            };
            let current = doc
                .nodes
                .iter()
                .find(|n| n.id == id)
                .map(|n| n.name.clone());
            if current.as_deref() == Some(text.as_str()) {
                return;
            }
            let value = (!text.is_empty()).then(|| serde_json::Value::from(text));
            match crate::editor::inspect::change_node(&doc, &id, &["name".to_owned()], value) {
                Ok(node) => {
                    dispatch.emit(Action::Editor(EditorAction::Edit(Edit::SetNode {
                        id: id.clone(),
                        node: Box::new(node),
                        field: "name".into(),
                    })));
                    dispatch.emit(Action::Editor(EditorAction::Seal));
                }
                Err(reason) => dispatch.emit(Action::Editor(EditorAction::Notice(Some(Notice {
                    text: format!("Name refused: {reason}"),
                    refused: true,
                })))),
            }
        })
    };
    let onkeydown = {
        let keep = keep.clone();
        let renaming = renaming.clone();
        Callback::from(move |e: KeyboardEvent| {
            e.stop_propagation();
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    if let Some(input) = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    {
                        keep(input.value());
                    }
                }
                "Escape" => {
                    e.prevent_default();
                    renaming.set(None);
                }
                _ => {}
            }
        })
    };
    let onblur = {
        let keep = keep.clone();
        let renaming = renaming.clone();
        Callback::from(move |e: FocusEvent| {
            // Escape already closed it; Enter already kept it.
            if renaming.is_some()
                && let Some(input) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                keep(input.value());
            }
        })
    };
    html! {
        <input ref={input_ref.clone()} id="rename-in-place" class="rename-in-place" type="text"
            aria-label={label} {value} {placeholder}
            style={format!("left: {:.0}px; top: {:.0}px; width: {:.0}px; font-size: {font:.0}px", at.x, at.y, width)}
            {onkeydown} {onblur}
            onpointerdown={Callback::from(|e: PointerEvent| e.stop_propagation())} />
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_diagrams_draw_what_is_in_view_and_small_ones_everything() {
        let vp = Viewport {
            x: -1000.0,
            y: 0.0,
            zoom: 0.5,
        };
        assert_eq!(
            visible_area(300, vp, Some((800.0, 600.0))),
            None,
            "small: all"
        );
        assert_eq!(visible_area(5000, vp, None), None, "not measured yet: all");
        let area = visible_area(301, vp, Some((800.0, 600.0))).expect("culled");
        // The view is world x 2000..3600, y 0..1200; a quarter screen around it.
        assert_eq!(
            (area.x, area.y, area.w, area.h),
            (1600.0, -300.0, 2400.0, 1800.0)
        );
    }
}
