//! Pointer gestures on the canvas as a pure state machine: pointer down, move and up (with
//! what the pointer is over, already read from the DOM) go in; editor actions, "show the
//! inspector" and the overlay to draw come out.
//!
//! Why here and not in the component: a gesture decides edits (a drag is one undo step,
//! a release over a node connects, a click on the background clears the selection). Kept
//! free of the DOM, every gesture is tested natively, and the canvas component only reads
//! pointer events and applies what comes out.

use surge_core::{Annotation, Position, Scenario};

use super::geometry::{Point, Rect, node_at, nodes_in, out_port, snap};
use super::{EdgeKey, Edit, EditorAction, SelectOp, Selection, Viewport};

/// A pointer moves less than this (screen pixels, |dx| + |dy|) before a press becomes a
/// drag: a click that trembles stays a click.
const DRAG_THRESHOLD: f64 = 3.0;

/// What the pointer went down on.
#[derive(Clone, Debug, PartialEq)]
pub enum Hit {
    /// A node's output port: the start of a connection.
    OutPort(String),
    /// A node (anywhere but its output port).
    Node(String),
    /// An edge.
    Edge(EdgeKey),
    /// The handle at a selected edge's end: dragging it moves the end to another node.
    EdgeEnd(EdgeKey),
    /// A box's label strip or a note (by index): dragging moves it, a box with the nodes
    /// inside it.
    Annotation(usize),
    /// A box's or note's bottom-right corner: dragging resizes it.
    AnnotationCorner(usize),
    /// The background.
    Background,
}

/// A pointer pressed.
#[derive(Clone, Debug, PartialEq)]
pub struct Press {
    /// The pointer's id (several for touch).
    pub pointer: i32,
    /// Where, in canvas pixels.
    pub at: Point,
    /// The button (0 primary, 1 middle).
    pub button: i16,
    /// Whether it is a mouse (other buttons of a mouse are ignored).
    pub mouse: bool,
    /// Shift held.
    pub shift: bool,
    /// What it is over.
    pub hit: Hit,
}

/// What the canvas draws over the diagram during a gesture.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Overlay {
    /// Nothing.
    #[default]
    None,
    /// A connection being dragged from `from`'s port `a` to the pointer `b` (world).
    Line {
        /// The node it starts at.
        from: String,
        /// The start (world).
        a: Point,
        /// The pointer (world).
        b: Point,
    },
    /// A selection box (world).
    Box(Rect),
    /// Alignment guides while a node is dragged: lines (world) through the node and the
    /// nodes it lines up with.
    Guides(Vec<(Point, Point)>),
}

/// What a gesture asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// An editor action.
    Editor(EditorAction),
    /// Show the inspector panel (a single node or edge was picked).
    ShowInspector,
    /// Draw this overlay.
    Overlay(Overlay),
    /// Show these nodes at these positions while a drag is under way. The document moves
    /// once, on release: re-rendering thousands of nodes at every pointer step cost
    /// ~40 ms a step at 2,000 nodes, drawing only the moved ones costs almost nothing.
    Preview(Vec<(String, Position)>),
}

#[derive(Clone, Debug, PartialEq)]
enum Gesture {
    Pan {
        start: Point,
        from: Viewport,
        moved: bool,
    },
    Move {
        start: Point,
        origins: Vec<(String, Position)>,
        gesture: u64,
        moved: bool,
        last: Vec<(String, Position)>,
        /// The node under the pointer (guides are drawn for it).
        primary: String,
        /// Where the nodes that stay are.
        others: Vec<Position>,
        /// The guides shown now.
        guides: Vec<(Point, Point)>,
        /// How close (world units) counts as lined up.
        tolerance: f64,
    },
    Connect {
        from: String,
        a: Point,
    },
    Reconnect {
        key: EdgeKey,
        a: Point,
    },
    Annotation {
        index: usize,
        start: Point,
        origin: Annotation,
        members: Vec<(String, Position)>,
        gesture: u64,
        moved: bool,
        resize: bool,
        all: Vec<Annotation>,
    },
    Box {
        start: Point,
        additive: bool,
    },
    Pinch {
        distance: f64,
        mid: Point,
        from: Viewport,
    },
}

/// The canvas' gesture state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gestures {
    gesture: Option<Gesture>,
    pointers: Vec<(i32, Point)>,
    next_gesture: u64,
    space: bool,
}

/// Screen pixels within which a dragged node lines up with another.
const GUIDE_TOLERANCE_PX: f64 = 6.0;

/// How far to shift a node at `p` to line up (left edges, or tops; nodes are all the same
/// size, so centres line up too) with the nearest node within `tolerance`, and the guide
/// lines to draw through both.
fn align(p: Position, others: &[Position], tolerance: f64) -> ((f64, f64), Vec<(Point, Point)>) {
    use super::geometry::{NODE_H, NODE_W};
    let nearest = |key: fn(&Position) -> f64| {
        others
            .iter()
            .filter(|o| (key(o) - key(&p)).abs() <= tolerance)
            .min_by(|a, b| {
                (key(a) - key(&p))
                    .abs()
                    .total_cmp(&(key(b) - key(&p)).abs())
            })
            .map(|o| key(o) - key(&p))
    };
    let sx = nearest(|o| o.x).unwrap_or(0.0);
    let sy = nearest(|o| o.y).unwrap_or(0.0);
    let at = Position {
        x: p.x + sx,
        y: p.y + sy,
    };
    let mut lines = Vec::new();
    let column: Vec<&Position> = others.iter().filter(|o| (o.x - at.x).abs() < 0.5).collect();
    if !column.is_empty() {
        let x = at.x + NODE_W / 2.0;
        let top = column.iter().map(|o| o.y).fold(at.y, f64::min);
        let bottom = column.iter().map(|o| o.y).fold(at.y, f64::max) + NODE_H;
        lines.push((Point::new(x, top), Point::new(x, bottom)));
    }
    let row: Vec<&Position> = others.iter().filter(|o| (o.y - at.y).abs() < 0.5).collect();
    if !row.is_empty() {
        let y = at.y + NODE_H / 2.0;
        let left = row.iter().map(|o| o.x).fold(at.x, f64::min);
        let right = row.iter().map(|o| o.x).fold(at.x, f64::max) + NODE_W;
        lines.push((Point::new(left, y), Point::new(right, y)));
    }
    ((sx, sy), lines)
}

fn distance(a: Point, b: Point) -> f64 {
    (a.x - b.x).hypot(a.y - b.y).max(1.0)
}

fn midpoint(a: Point, b: Point) -> Point {
    Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)
}

impl Gestures {
    /// Whether a gesture is under way (a focus change then is the gesture's doing).
    pub fn active(&self) -> bool {
        self.gesture.is_some()
    }

    /// Space is held (Space + drag pans) or released.
    pub fn set_space(&mut self, held: bool) {
        self.space = held;
    }

    /// A pointer goes down.
    pub fn down(
        &mut self,
        press: Press,
        vp: Viewport,
        doc: &Scenario,
        selection: &Selection,
    ) -> Vec<Effect> {
        let p = press.at;
        let world = vp.to_world(p);
        self.pointers.retain(|(id, _)| *id != press.pointer);
        self.pointers.push((press.pointer, p));
        if self.pointers.len() == 2 {
            let (a, b) = (self.pointers[0].1, self.pointers[1].1);
            self.gesture = Some(Gesture::Pinch {
                distance: distance(a, b),
                mid: midpoint(a, b),
                from: vp,
            });
            return vec![Effect::Overlay(Overlay::None)];
        }
        if press.mouse && press.button != 0 && press.button != 1 {
            return Vec::new();
        }
        let pan = Gesture::Pan {
            start: p,
            from: vp,
            moved: false,
        };
        if self.space || press.button == 1 {
            self.gesture = Some(pan);
            return Vec::new();
        }
        let mut out = Vec::new();
        match press.hit {
            Hit::OutPort(from) => {
                let a = doc
                    .nodes
                    .iter()
                    .find(|n| n.id == from)
                    .map(|n| out_port(n.position));
                if let Some(a) = a {
                    out.push(Effect::Overlay(Overlay::Line {
                        from: from.clone(),
                        a,
                        b: world,
                    }));
                    self.gesture = Some(Gesture::Connect { from, a });
                } else {
                    self.gesture = None;
                }
            }
            Hit::Node(id) => {
                let id_of_press = id.clone();
                let mut chosen = selection.nodes.clone();
                if press.shift {
                    out.push(Effect::Editor(EditorAction::Select(SelectOp::Toggle(
                        id.clone(),
                    ))));
                    if !chosen.remove(&id) {
                        chosen.insert(id);
                    }
                } else if !chosen.contains(&id) {
                    out.push(Effect::Editor(EditorAction::Select(SelectOp::Only(vec![
                        id.clone(),
                    ]))));
                    out.push(Effect::ShowInspector);
                    chosen = std::iter::once(id).collect();
                }
                let origins = doc
                    .nodes
                    .iter()
                    .filter(|n| chosen.contains(&n.id))
                    .map(|n| (n.id.clone(), n.position))
                    .collect();
                let others = doc
                    .nodes
                    .iter()
                    .filter(|n| !chosen.contains(&n.id))
                    .map(|n| n.position)
                    .collect();
                self.next_gesture += 1;
                self.gesture = Some(Gesture::Move {
                    start: world,
                    origins,
                    gesture: self.next_gesture,
                    moved: false,
                    last: Vec::new(),
                    primary: id_of_press,
                    others,
                    guides: Vec::new(),
                    tolerance: GUIDE_TOLERANCE_PX / vp.zoom,
                });
            }
            Hit::Annotation(index) | Hit::AnnotationCorner(index) => {
                let resize = matches!(press.hit, Hit::AnnotationCorner(_));
                if let Some(origin) = doc.annotations.get(index).cloned() {
                    // A box carries the nodes that lie wholly inside it.
                    let members = if resize {
                        Vec::new()
                    } else {
                        super::document::annotation_members(doc, &origin)
                    };
                    self.next_gesture += 1;
                    self.gesture = Some(Gesture::Annotation {
                        index,
                        start: world,
                        origin,
                        members,
                        gesture: self.next_gesture,
                        moved: false,
                        resize,
                        all: doc.annotations.clone(),
                    });
                }
            }
            Hit::EdgeEnd(key) => {
                let a = doc
                    .nodes
                    .iter()
                    .find(|n| n.id == key.from)
                    .map(|n| out_port(n.position));
                if let Some(a) = a {
                    out.push(Effect::Overlay(Overlay::Line {
                        from: key.from.clone(),
                        a,
                        b: world,
                    }));
                    self.gesture = Some(Gesture::Reconnect { key, a });
                }
            }
            Hit::Edge(key) => {
                out.push(Effect::Editor(EditorAction::Select(SelectOp::Edge(
                    key,
                    press.shift,
                ))));
                out.push(Effect::ShowInspector);
                self.gesture = None;
            }
            Hit::Background if press.shift => {
                self.gesture = Some(Gesture::Box {
                    start: world,
                    additive: true,
                });
            }
            Hit::Background => self.gesture = Some(pan),
        }
        out
    }

    /// A pointer moves to `at` (canvas pixels).
    pub fn moved(&mut self, pointer: i32, at: Point, vp: Viewport) -> Vec<Effect> {
        if let Some(slot) = self.pointers.iter_mut().find(|(id, _)| *id == pointer) {
            slot.1 = at;
        }
        let world = vp.to_world(at);
        let pointers = &self.pointers;
        let effect = match self.gesture.as_mut() {
            None => return Vec::new(),
            Some(Gesture::Pinch {
                distance: d0,
                mid,
                from,
            }) => {
                if pointers.len() < 2 {
                    return Vec::new();
                }
                let (a, b) = (pointers[0].1, pointers[1].1);
                let m = midpoint(a, b);
                let v = from
                    .zoomed_at(distance(a, b) / *d0, *mid)
                    .panned(m.x - mid.x, m.y - mid.y);
                Effect::Editor(EditorAction::SetViewport(v))
            }
            Some(Gesture::Pan { start, from, moved }) => {
                let (dx, dy) = (at.x - start.x, at.y - start.y);
                *moved |= dx.abs() + dy.abs() > DRAG_THRESHOLD;
                if !*moved {
                    return Vec::new();
                }
                Effect::Editor(EditorAction::SetViewport(from.panned(dx, dy)))
            }
            Some(Gesture::Move {
                start,
                origins,
                moved,
                last,
                primary,
                others,
                guides,
                tolerance,
                ..
            }) => {
                let (dx, dy) = (world.x - start.x, world.y - start.y);
                *moved |= dx.abs() + dy.abs() > DRAG_THRESHOLD;
                if !*moved {
                    return Vec::new();
                }
                let mut moves: Vec<(String, Position)> = origins
                    .iter()
                    .map(|(id, o)| {
                        let to = snap(Position {
                            x: o.x + dx,
                            y: o.y + dy,
                        });
                        (id.clone(), to)
                    })
                    .collect();
                // Line the dragged node up with a node close enough, and show the guides.
                let (shift, lines) = moves
                    .iter()
                    .find(|(id, _)| id == primary)
                    .map(|(_, p)| align(*p, others, *tolerance))
                    .unwrap_or_default();
                for (_, p) in &mut moves {
                    p.x += shift.0;
                    p.y += shift.1;
                }
                let mut out = Vec::new();
                if lines != *guides {
                    *guides = lines.clone();
                    out.push(Effect::Overlay(Overlay::Guides(lines)));
                }
                if moves != *last {
                    *last = moves.clone();
                    out.push(Effect::Preview(moves));
                }
                return out;
            }
            Some(Gesture::Connect { from, a }) => Effect::Overlay(Overlay::Line {
                from: from.clone(),
                a: *a,
                b: world,
            }),
            Some(Gesture::Annotation {
                index,
                start,
                origin,
                members,
                gesture,
                moved,
                resize,
                all,
            }) => {
                let (dx, dy) = (world.x - start.x, world.y - start.y);
                *moved |= dx.abs() + dy.abs() > DRAG_THRESHOLD;
                if !*moved {
                    return Vec::new();
                }
                let step = |v: f64| (v / super::geometry::GRID).round() * super::geometry::GRID;
                // A drag snaps to the grid: the moved corner (resizing) or the distance.
                let delta = if *resize {
                    (
                        step(origin.w + dx) - origin.w,
                        step(origin.h + dy) - origin.h,
                    )
                } else {
                    (step(dx), step(dy))
                };
                match super::document::annotation_edit(
                    all, members, *index, delta, *resize, *gesture,
                ) {
                    Some(edit) => Effect::Editor(EditorAction::Edit(edit)),
                    None => return Vec::new(),
                }
            }
            Some(Gesture::Reconnect { key, a }) => Effect::Overlay(Overlay::Line {
                from: key.from.clone(),
                a: *a,
                b: world,
            }),
            Some(Gesture::Box { start, .. }) => {
                Effect::Overlay(Overlay::Box(Rect::from_corners(*start, world)))
            }
        };
        vec![effect]
    }

    /// A pointer goes up at `at` (`cancelled`: the browser took it away, which never
    /// counts as a click).
    pub fn up(
        &mut self,
        pointer: i32,
        at: Point,
        cancelled: bool,
        vp: Viewport,
        doc: &Scenario,
    ) -> Vec<Effect> {
        let world = vp.to_world(at);
        self.pointers.retain(|(id, _)| *id != pointer);
        let mut out = vec![Effect::Overlay(Overlay::None)];
        let action = match self.gesture.take() {
            Some(Gesture::Pan { moved: false, .. }) if !cancelled => {
                Some(EditorAction::Select(SelectOp::Clear))
            }
            // The drag lands: one edit, one undo step (even when the browser took the
            // pointer away, so what was shown is what the document holds).
            Some(Gesture::Annotation { moved: true, .. }) => Some(EditorAction::Seal),
            Some(Gesture::Move {
                moved: true,
                last,
                gesture,
                ..
            }) => {
                if !last.is_empty() {
                    out.push(Effect::Editor(EditorAction::Edit(Edit::MoveNodes {
                        moves: last,
                        gesture,
                    })));
                }
                Some(EditorAction::Seal)
            }
            Some(Gesture::Connect { from, .. }) => {
                node_at(doc, world).filter(|to| *to != from).map(|to| {
                    EditorAction::Edit(Edit::Connect {
                        from,
                        to: to.to_owned(),
                    })
                })
            }
            // Released over another node: the end moves there (over nothing, or its own
            // callee, nothing changes).
            Some(Gesture::Reconnect { key, .. }) => node_at(doc, world)
                .filter(|to| *to != key.to && *to != key.from)
                .map(|to| {
                    EditorAction::Edit(Edit::Reconnect {
                        key,
                        to: to.to_owned(),
                    })
                }),
            Some(Gesture::Box { start, additive }) => {
                let ids = nodes_in(doc, Rect::from_corners(start, world));
                Some(EditorAction::Select(if additive {
                    SelectOp::Add(ids)
                } else {
                    SelectOp::Only(ids)
                }))
            }
            _ => None,
        };
        out.extend(action.map(Effect::Editor));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Editor;
    use surge_core::{Node, NodeKind};

    fn doc() -> Scenario {
        let mut s = Scenario::empty(1, 10.0);
        for (id, kind, x) in [
            ("fn", NodeKind::with_defaults("lambda"), 100.0),
            ("q", NodeKind::with_defaults("sqs"), 400.0),
        ] {
            s.nodes.push(Node {
                id: id.into(),
                name: String::new(),
                position: Position { x, y: 100.0 },
                kind: kind.expect("kind"),
            });
        }
        s
    }

    fn press(at: Point, hit: Hit) -> Press {
        Press {
            pointer: 1,
            at,
            button: 0,
            mouse: true,
            shift: false,
            hit,
        }
    }

    fn actions(effects: &[Effect]) -> Vec<&EditorAction> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Editor(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    /// Runs a whole gesture through the editor's reducer, as the canvas does.
    fn apply(state: &mut Editor, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Editor(a) = e {
                *state = state.apply(a);
            }
        }
    }

    #[test]
    fn dragging_a_node_moves_it_snapped_in_one_undo_step() {
        let mut state = Editor::new(doc(), false);
        let vp = Viewport::default();
        let mut g = Gestures::default();
        let start = Point::new(110.0, 110.0);
        let down = g.down(
            press(start, Hit::Node("fn".into())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(down.contains(&Effect::ShowInspector));
        apply(&mut state, down);
        assert!(
            g.moved(1, Point::new(111.0, 110.0), vp).is_empty(),
            "a tremble"
        );
        for x in [150.0, 200.0, 243.0] {
            apply(&mut state, g.moved(1, Point::new(x, 110.0), vp));
        }
        let up = g.up(1, Point::new(243.0, 110.0), false, vp, &state.doc);
        apply(&mut state, up);
        let moved = state.doc.nodes[0].position;
        assert_eq!(moved, snap(Position { x: 233.0, y: 100.0 }));
        state = state.apply(EditorAction::Undo);
        assert_eq!(
            state.doc.nodes[0].position.x, 100.0,
            "one undo undoes the drag"
        );
        assert!(!g.active());
    }

    #[test]
    fn a_dragged_node_lines_up_with_a_node_close_by_and_shows_the_guide() {
        let others = [
            Position { x: 403.0, y: 100.0 },
            Position { x: 900.0, y: 517.0 },
        ];
        // 3 units from the first node's left edge: shifted onto it, a vertical guide.
        let ((sx, sy), lines) = align(Position { x: 400.0, y: 300.0 }, &others, 6.0);
        assert_eq!((sx, sy), (3.0, 0.0));
        assert_eq!(lines.len(), 1);
        let (a, b) = lines[0];
        assert_eq!((a.x, b.x), (403.0 + 82.0, 403.0 + 82.0));
        assert_eq!(
            (a.y, b.y),
            (100.0, 356.0),
            "from the upper node's top to the lower one's bottom"
        );
        // Lined up both ways: two guides.
        let (_, lines) = align(Position { x: 401.0, y: 520.0 }, &others, 6.0);
        assert_eq!(lines.len(), 2);
        // Too far: nothing.
        assert_eq!(
            align(Position { x: 600.0, y: 300.0 }, &others, 6.0),
            ((0.0, 0.0), vec![])
        );
    }

    /// [`doc`] with a VPC box around `fn` (not `q`).
    fn doc_with_a_vpc() -> Scenario {
        let mut d = doc();
        d.annotations.push(Annotation {
            kind: surge_core::AnnotationKind::Vpc,
            text: "prod".into(),
            x: 80.0,
            y: 60.0,
            w: 300.0,
            h: 200.0,
        });
        d
    }

    #[test]
    fn dragging_a_box_moves_the_nodes_inside_it_and_its_corner_resizes_it() {
        let mut state = Editor::new(doc_with_a_vpc(), false);
        let vp = Viewport::default();
        let mut g = Gestures::default();
        let grab = Point::new(100.0, 70.0);
        let e = g.down(
            press(grab, Hit::Annotation(0)),
            vp,
            &state.doc,
            &state.selection,
        );
        apply(&mut state, e);
        for x in [120.0, 140.0, 160.0] {
            apply(&mut state, g.moved(1, Point::new(x, 110.0), vp));
        }
        let e = g.up(1, Point::new(160.0, 110.0), false, vp, &state.doc);
        apply(&mut state, e);
        let a = &state.doc.annotations[0];
        assert_eq!((a.x, a.y), (140.0, 100.0), "moved by the snapped drag");
        assert_eq!(
            state.doc.nodes[0].position,
            Position { x: 160.0, y: 140.0 },
            "fn was inside: it moves along"
        );
        assert_eq!(
            state.doc.nodes[1].position,
            Position { x: 400.0, y: 100.0 },
            "q was outside: it stays"
        );
        state = state.apply(EditorAction::Undo);
        assert_eq!(state.doc.annotations[0].x, 80.0, "one undo step");
        assert_eq!(state.doc.nodes[0].position.x, 100.0);
        // The corner resizes, moving nothing.
        let corner = Point::new(380.0, 260.0);
        let e = g.down(
            press(corner, Hit::AnnotationCorner(0)),
            vp,
            &state.doc,
            &state.selection,
        );
        apply(&mut state, e);
        apply(&mut state, g.moved(1, Point::new(480.0, 300.0), vp));
        let e = g.up(1, Point::new(480.0, 300.0), false, vp, &state.doc);
        apply(&mut state, e);
        let a = &state.doc.annotations[0];
        assert_eq!((a.w, a.h), (400.0, 240.0));
        assert_eq!(state.doc.nodes[0].position.x, 100.0);
    }

    #[test]
    fn arrow_keys_on_a_box_move_it_with_its_nodes_and_alt_resizes_it() {
        let nudge = |dx, dy, resize| EditorAction::NudgeAnnotation {
            index: 0,
            dx,
            dy,
            resize,
        };
        let moved = Editor::new(doc_with_a_vpc(), false)
            .apply(nudge(20.0, 0.0, false))
            .apply(nudge(20.0, 0.0, false))
            .apply(nudge(0.0, 100.0, false));
        let a = &moved.doc.annotations[0];
        assert_eq!((a.x, a.y, a.w, a.h), (120.0, 160.0, 300.0, 200.0));
        assert_eq!(
            moved.doc.nodes[0].position,
            Position { x: 140.0, y: 200.0 },
            "fn was inside"
        );
        assert_eq!(
            moved.doc.nodes[1].position,
            Position { x: 400.0, y: 100.0 },
            "q was outside"
        );
        let back = moved.apply(EditorAction::Undo);
        assert_eq!(
            back.doc.annotations[0].x, 80.0,
            "presses in a row are one undo step"
        );
        assert_eq!(back.doc.nodes[0].position.x, 100.0);
        // Alt: the corner moves, nothing else; never below the smallest side.
        let resized = moved.apply(nudge(-20.0, 40.0, true));
        let a = &resized.doc.annotations[0];
        assert_eq!((a.x, a.w, a.h), (120.0, 280.0, 240.0));
        assert_eq!(resized.doc.nodes[0].position.x, 140.0);
        assert_eq!(
            resized.apply(EditorAction::Undo).doc,
            moved.doc,
            "a resize is a step of its own"
        );
        let tiny = resized.apply(nudge(-10_000.0, -10_000.0, true));
        let a = &tiny.doc.annotations[0];
        assert_eq!(
            (a.w, a.h),
            (
                surge_core::MIN_ANNOTATION_SIDE * 2.0,
                surge_core::MIN_ANNOTATION_SIDE * 2.0
            )
        );
        assert_eq!(
            tiny.apply(EditorAction::NudgeAnnotation {
                index: 9,
                dx: 1.0,
                dy: 1.0,
                resize: false
            })
            .doc,
            tiny.doc,
            "no such box"
        );
    }

    #[test]
    fn dragging_a_connection_end_onto_another_node_reconnects_it() {
        let state = Editor::new(doc(), false);
        let vp = Viewport::default();
        let mut g = Gestures::default();
        let key = EdgeKey {
            from: "fn".into(),
            to: "q".into(),
        };
        let end = Point::new(400.0, 128.0);
        let down = g.down(
            press(end, Hit::EdgeEnd(key.clone())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(matches!(&down[0], Effect::Overlay(Overlay::Line { from, .. }) if from == "fn"));
        // Back onto its own callee, or onto nothing: no edit.
        assert!(actions(&g.up(1, Point::new(430.0, 120.0), false, vp, &state.doc)).is_empty());
        g.down(
            press(end, Hit::EdgeEnd(key.clone())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(actions(&g.up(1, Point::new(900.0, 900.0), false, vp, &state.doc)).is_empty());
        // Onto another node: one Reconnect.
        g.down(
            press(end, Hit::EdgeEnd(key.clone())),
            vp,
            &state.doc,
            &state.selection,
        );
        let up = g.up(1, Point::new(110.0, 120.0), false, vp, &state.doc);
        assert!(actions(&up).is_empty(), "onto its own caller: nothing");
        let mut other = doc();
        other.nodes.push(Node {
            id: "g".into(),
            name: String::new(),
            position: Position { x: 700.0, y: 100.0 },
            kind: NodeKind::with_defaults("lambda").expect("kind"),
        });
        g.down(
            press(end, Hit::EdgeEnd(key.clone())),
            vp,
            &other,
            &state.selection,
        );
        let up = g.up(1, Point::new(720.0, 120.0), false, vp, &other);
        assert_eq!(
            actions(&up),
            vec![&EditorAction::Edit(Edit::Reconnect {
                key,
                to: "g".into()
            })]
        );
    }

    #[test]
    fn dragging_from_a_port_onto_a_node_connects_them() {
        let state = Editor::new(doc(), false);
        let vp = Viewport::default();
        let mut g = Gestures::default();
        let from = out_port(state.doc.nodes[0].position);
        let down = g.down(
            press(from, Hit::OutPort("fn".into())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(matches!(down[0], Effect::Overlay(Overlay::Line { .. })));
        let over_queue = Point::new(430.0, 120.0);
        assert!(matches!(
            g.moved(1, over_queue, vp)[0],
            Effect::Overlay(Overlay::Line { b, .. }) if b == over_queue
        ));
        let up = g.up(1, over_queue, false, vp, &state.doc);
        assert_eq!(
            actions(&up),
            vec![&EditorAction::Edit(Edit::Connect {
                from: "fn".into(),
                to: "q".into()
            })]
        );
        assert_eq!(up[0], Effect::Overlay(Overlay::None));
        // Released on the background: nothing.
        g.down(
            press(from, Hit::OutPort("fn".into())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(actions(&g.up(1, Point::new(900.0, 900.0), false, vp, &state.doc)).is_empty());
    }

    #[test]
    fn a_click_on_the_background_clears_a_drag_pans_and_shift_drag_selects() {
        let state = Editor::new(doc(), false);
        let vp = Viewport::default();
        let mut g = Gestures::default();
        let at = Point::new(50.0, 50.0);
        g.down(press(at, Hit::Background), vp, &state.doc, &state.selection);
        assert_eq!(
            actions(&g.up(1, at, false, vp, &state.doc)),
            vec![&EditorAction::Select(SelectOp::Clear)]
        );
        g.down(press(at, Hit::Background), vp, &state.doc, &state.selection);
        let pan = g.moved(1, Point::new(80.0, 60.0), vp);
        assert_eq!(
            pan,
            vec![Effect::Editor(EditorAction::SetViewport(
                vp.panned(30.0, 10.0)
            ))]
        );
        assert!(actions(&g.up(1, Point::new(80.0, 60.0), false, vp, &state.doc)).is_empty());
        // A cancelled press is not a click.
        g.down(press(at, Hit::Background), vp, &state.doc, &state.selection);
        assert!(actions(&g.up(1, at, true, vp, &state.doc)).is_empty());
        let mut shift = press(Point::new(0.0, 0.0), Hit::Background);
        shift.shift = true;
        g.down(shift, vp, &state.doc, &state.selection);
        let up = g.up(1, Point::new(300.0, 300.0), false, vp, &state.doc);
        assert_eq!(
            actions(&up),
            vec![&EditorAction::Select(SelectOp::Add(vec!["fn".into()]))]
        );
    }

    #[test]
    fn shift_click_toggles_and_a_selected_group_moves_together() {
        let mut state = Editor::new(doc(), false);
        state = state.apply(EditorAction::Select(SelectOp::All));
        let vp = Viewport::default();
        let mut g = Gestures::default();
        let down = g.down(
            press(Point::new(110.0, 110.0), Hit::Node("fn".into())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(down.is_empty(), "already selected: no change, no inspector");
        apply(&mut state, g.moved(1, Point::new(170.0, 110.0), vp));
        let up = g.up(1, Point::new(170.0, 110.0), false, vp, &state.doc);
        apply(&mut state, up);
        let xs: Vec<f64> = state.doc.nodes.iter().map(|n| n.position.x).collect();
        assert_eq!(xs[1] - xs[0], 300.0, "both moved by the same step");
        let mut shift = press(Point::new(110.0, 110.0), Hit::Node("q".into()));
        shift.shift = true;
        let down = g.down(shift, vp, &state.doc, &state.selection);
        assert_eq!(
            actions(&down),
            vec![&EditorAction::Select(SelectOp::Toggle("q".into()))]
        );
    }

    #[test]
    fn space_or_the_middle_button_pans_even_over_a_node_and_two_fingers_pinch() {
        let state = Editor::new(doc(), false);
        let vp = Viewport::default();
        let mut g = Gestures::default();
        g.set_space(true);
        g.down(
            press(Point::new(110.0, 110.0), Hit::Node("fn".into())),
            vp,
            &state.doc,
            &state.selection,
        );
        assert!(matches!(
            g.moved(1, Point::new(150.0, 110.0), vp)[0],
            Effect::Editor(EditorAction::SetViewport(_))
        ));
        g.up(1, Point::new(150.0, 110.0), false, vp, &state.doc);
        g.set_space(false);
        let mut right = press(Point::new(10.0, 10.0), Hit::Background);
        right.button = 2;
        assert!(g.down(right, vp, &state.doc, &state.selection).is_empty());
        assert!(!g.active(), "a right click starts nothing");
        // Pinch: two touches, spread to twice the distance: zoom × 2 about the midpoint.
        let touch = |pointer, x| Press {
            pointer,
            at: Point::new(x, 100.0),
            button: 0,
            mouse: false,
            shift: false,
            hit: Hit::Background,
        };
        g.down(touch(1, 100.0), vp, &state.doc, &state.selection);
        g.down(touch(2, 200.0), vp, &state.doc, &state.selection);
        g.moved(1, Point::new(50.0, 100.0), vp);
        let zoom = g.moved(2, Point::new(250.0, 100.0), vp);
        let Effect::Editor(EditorAction::SetViewport(v)) = zoom[0] else {
            panic!("a zoom");
        };
        assert!((v.zoom / vp.zoom - 2.0).abs() < 1e-9);
    }
}
