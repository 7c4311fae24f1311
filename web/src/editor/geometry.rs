//! Canvas geometry: node boxes, ports, edge curves, the viewport, snapping, hit tests.
//!
//! Why pure functions: pointer handling in the canvas component stays a thin translation
//! from DOM events to these, and every rule (where a port is, what a box selects, how fit
//! view frames the nodes) is tested natively.

use surge_core::{Position, Scenario};

/// Width of a node box in world units.
pub const NODE_W: f64 = 164.0;
/// Height of a node box in world units.
pub const NODE_H: f64 = 56.0;
/// Grid pitch; positions snap to it.
pub const GRID: f64 = 20.0;
/// Smallest and largest zoom factors (Fit frames 2,000 nodes in a column of 400 rows,
/// which takes about 1 %).
pub const ZOOM_RANGE: (f64, f64) = (0.01, 3.0);

/// A point in world (canvas) or screen units, as the context says.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Point {
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

impl Point {
    /// A point.
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

impl From<Position> for Point {
    fn from(p: Position) -> Point {
        Point::new(p.x, p.y)
    }
}

/// An axis-aligned rectangle.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The rectangle spanned by two corners in any order.
    pub fn from_corners(a: Point, b: Point) -> Rect {
        Rect {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
            w: (a.x - b.x).abs(),
            h: (a.y - b.y).abs(),
        }
    }

    /// Whether `p` lies inside.
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.w && p.y >= self.y && p.y <= self.y + self.h
    }

    /// Whether the two rectangles overlap.
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// The box a node occupies.
pub fn node_rect(p: Position) -> Rect {
    Rect {
        x: p.x,
        y: p.y,
        w: NODE_W,
        h: NODE_H,
    }
}

/// Where edges leave a node (right side, middle).
pub fn out_port(p: Position) -> Point {
    Point::new(p.x + NODE_W, p.y + NODE_H / 2.0)
}

/// Where edges enter a node (left side, middle).
pub fn in_port(p: Position) -> Point {
    Point::new(p.x, p.y + NODE_H / 2.0)
}

/// SVG path of an edge from `a` (an output port) to `b` (an input port): a horizontal
/// S-curve, which stays readable whichever way the target lies.
pub fn edge_path(a: Point, b: Point) -> String {
    let dx = ((b.x - a.x).abs() / 2.0).max(48.0);
    format!(
        "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        a.x,
        a.y,
        a.x + dx,
        a.y,
        b.x - dx,
        b.y,
        b.x,
        b.y
    )
}

/// The point at parameter `t` ∈ [0, 1] along the curve [`edge_path`] draws.
pub fn bezier_point(a: Point, b: Point, t: f64) -> Point {
    let dx = ((b.x - a.x).abs() / 2.0).max(48.0);
    let (c1, c2) = (Point::new(a.x + dx, a.y), Point::new(b.x - dx, b.y));
    let u = 1.0 - t;
    let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point::new(
        w0 * a.x + w1 * c1.x + w2 * c2.x + w3 * b.x,
        w0 * a.y + w1 * c1.y + w2 * c2.y + w3 * b.y,
    )
}

/// The curve's midpoint (where its label sits).
pub fn edge_midpoint(a: Point, b: Point) -> Point {
    // A cubic Bézier with symmetric handles passes through the chord's midpoint at t = ½.
    Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)
}

/// Rounds a position to the grid.
pub fn snap(p: Position) -> Position {
    Position {
        x: (p.x / GRID).round() * GRID,
        y: (p.y / GRID).round() * GRID,
    }
}

/// Pan and zoom: `screen = world × zoom + (x, y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Horizontal pan in screen pixels.
    pub x: f64,
    /// Vertical pan in screen pixels.
    pub y: f64,
    /// Zoom factor.
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            x: 0.0,
            y: 0.0,
            zoom: 1.0,
        }
    }
}

impl Viewport {
    /// World coordinates of a point on screen (relative to the canvas' top-left corner).
    pub fn to_world(&self, screen: Point) -> Point {
        Point::new(
            (screen.x - self.x) / self.zoom,
            (screen.y - self.y) / self.zoom,
        )
    }

    /// Screen coordinates of a world point.
    pub fn to_screen(&self, world: Point) -> Point {
        Point::new(world.x * self.zoom + self.x, world.y * self.zoom + self.y)
    }

    /// Zooms by `factor`, keeping the world point under `screen` in place.
    pub fn zoomed_at(&self, factor: f64, screen: Point) -> Viewport {
        let zoom = (self.zoom * factor).clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        let world = self.to_world(screen);
        Viewport {
            x: screen.x - world.x * zoom,
            y: screen.y - world.y * zoom,
            zoom,
        }
    }

    /// Panned as little as brings `world` (with `margin` screen pixels around it) into a
    /// `width` × `height` screen, or `None` when it is in view already: keyboard focus
    /// reaching a node off screen brings it in, without a jump when it is visible. A
    /// rectangle larger than the screen shows its top-left corner.
    pub fn revealing(&self, world: Rect, width: f64, height: f64, margin: f64) -> Option<Viewport> {
        let a = self.to_screen(Point::new(world.x, world.y));
        let b = self.to_screen(Point::new(world.x + world.w, world.y + world.h));
        let shift = |lo: f64, hi: f64, size: f64| {
            if lo < margin {
                margin - lo
            } else if hi > size - margin {
                (size - margin - hi).max(margin - lo)
            } else {
                0.0
            }
        };
        let (dx, dy) = (shift(a.x, b.x, width), shift(a.y, b.y, height));
        (dx != 0.0 || dy != 0.0).then(|| self.panned(dx, dy))
    }

    /// Moved by a screen-pixel delta.
    pub fn panned(&self, dx: f64, dy: f64) -> Viewport {
        Viewport {
            x: self.x + dx,
            y: self.y + dy,
            zoom: self.zoom,
        }
    }

    /// The SVG transform attribute.
    pub fn transform(&self) -> String {
        format!(
            "translate({:.2} {:.2}) scale({:.4})",
            self.x, self.y, self.zoom
        )
    }
}

/// The box around every node, box and note, or `None` without any.
pub fn bounds(scenario: &Scenario) -> Option<Rect> {
    let boxes = scenario.annotations.iter().map(|a| Rect {
        x: a.x,
        y: a.y,
        w: a.w,
        h: a.h,
    });
    let mut it = scenario
        .nodes
        .iter()
        .map(|n| node_rect(n.position))
        .chain(boxes);
    let first = it.next()?;
    Some(it.fold(first, |acc, r| {
        let x0 = acc.x.min(r.x);
        let y0 = acc.y.min(r.y);
        let x1 = (acc.x + acc.w).max(r.x + r.w);
        let y1 = (acc.y + acc.h).max(r.y + r.h);
        Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }))
}

/// The viewport that frames every node in a `width × height` canvas with a margin, never
/// zooming in beyond 1.
pub fn fit(scenario: &Scenario, width: f64, height: f64) -> Viewport {
    fit_up_to(scenario, width, height, 1.0)
}

/// Like [`fit`], zooming in up to `max_zoom` (talk mode fills a projector with a small
/// diagram, readable from the back of the room).
pub fn fit_up_to(scenario: &Scenario, width: f64, height: f64, max_zoom: f64) -> Viewport {
    let Some(b) = bounds(scenario) else {
        return Viewport::default();
    };
    let margin = 40.0;
    let zx = (width - 2.0 * margin).max(1.0) / b.w;
    let zy = (height - 2.0 * margin).max(1.0) / b.h;
    let zoom = zx.min(zy).clamp(ZOOM_RANGE.0, max_zoom.max(ZOOM_RANGE.0));
    Viewport {
        x: width / 2.0 - (b.x + b.w / 2.0) * zoom,
        y: height / 2.0 - (b.y + b.h / 2.0) * zoom,
        zoom,
    }
}

/// Like [`fit`], but keeps every node out of a `corner` box (width, height) at the
/// bottom-right of the view, where the minimap sits: when the plain fit puts a node
/// there, the diagram is framed in the band above the box instead.
pub fn fit_clear_of(scenario: &Scenario, width: f64, height: f64, corner: (f64, f64)) -> Viewport {
    let v = fit(scenario, width, height);
    let (cw, ch) = corner;
    if cw <= 0.0 || ch <= 0.0 {
        return v;
    }
    let covered = Rect {
        x: width - cw,
        y: height - ch,
        w: cw,
        h: ch,
    };
    let hidden = scenario.nodes.iter().any(|n| {
        let r = node_rect(n.position);
        let a = v.to_screen(Point::new(r.x, r.y));
        let b = v.to_screen(Point::new(r.x + r.w, r.y + r.h));
        Rect::from_corners(a, b).intersects(&covered)
    });
    if hidden {
        fit(scenario, width, (height - ch).max(1.0))
    } else {
        v
    }
}

/// Ids of the nodes whose boxes meet `area` (world units), in document order.
pub fn nodes_in(scenario: &Scenario, area: Rect) -> Vec<String> {
    scenario
        .nodes
        .iter()
        .filter(|n| node_rect(n.position).intersects(&area))
        .map(|n| n.id.clone())
        .collect()
}

/// The topmost node under a world point (later nodes are drawn on top).
pub fn node_at(scenario: &Scenario, p: Point) -> Option<&str> {
    scenario
        .nodes
        .iter()
        .rev()
        .find(|n| node_rect(n.position).contains(p))
        .map(|n| n.id.as_str())
}

/// A free spot near `want`: steps diagonally until no node box overlaps (so repeated
/// adds at the centre do not stack invisibly).
pub fn free_spot(scenario: &Scenario, want: Position) -> Position {
    let mut p = snap(want);
    for _ in 0..200 {
        let r = node_rect(p);
        if !scenario
            .nodes
            .iter()
            .any(|n| node_rect(n.position).intersects(&r))
        {
            return p;
        }
        p = Position {
            x: p.x + 2.0 * GRID,
            y: p.y + 2.0 * GRID,
        };
    }
    p
}

/// An offset (from `want` on, stepping diagonally) at which boxes at `positions` moved
/// together cover no node of `scenario`.
pub fn free_offset(
    scenario: &Scenario,
    positions: impl Iterator<Item = Position> + Clone,
    want: Position,
) -> Position {
    let mut d = want;
    for _ in 0..200 {
        let clear = positions.clone().all(|p| {
            let r = node_rect(snap(Position {
                x: p.x + d.x,
                y: p.y + d.y,
            }));
            !scenario
                .nodes
                .iter()
                .any(|n| node_rect(n.position).intersects(&r))
        });
        if clear {
            return d;
        }
        d = Position {
            x: d.x + 2.0 * GRID,
            y: d.y + 2.0 * GRID,
        };
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revealing_pans_as_little_as_brings_a_node_in_view() {
        let vp = Viewport {
            x: 0.0,
            y: 0.0,
            zoom: 2.0,
        };
        let node = |x, y| node_rect(Position { x, y });
        // In view: nothing moves.
        assert_eq!(vp.revealing(node(10.0, 10.0), 800.0, 600.0, 20.0), None);
        // Off to the right and below: its far edges land at the margin.
        let v = vp
            .revealing(node(1000.0, 400.0), 800.0, 600.0, 20.0)
            .expect("moves");
        let r = node(1000.0, 400.0);
        let far = v.to_screen(Point::new(r.x + r.w, r.y + r.h));
        assert!(
            (far.x - 780.0).abs() < 1e-9 && (far.y - 580.0).abs() < 1e-9,
            "{far:?}"
        );
        assert_eq!(v.zoom, 2.0, "the zoom stays");
        // Off to the left and above: its near edges land at the margin.
        let v = vp
            .revealing(node(-300.0, -50.0), 800.0, 600.0, 20.0)
            .expect("moves");
        let near = v.to_screen(Point::new(-300.0, -50.0));
        assert!(
            (near.x - 20.0).abs() < 1e-9 && (near.y - 20.0).abs() < 1e-9,
            "{near:?}"
        );
        // Wider than the screen: its left edge shows.
        let wide = Rect {
            x: 500.0,
            y: 10.0,
            w: 1000.0,
            h: 10.0,
        };
        let v = vp.revealing(wide, 800.0, 600.0, 20.0).expect("moves");
        assert!((v.to_screen(Point::new(500.0, 10.0)).x - 20.0).abs() < 1e-9);
    }

    #[test]
    fn screen_and_world_round_trip_and_zoom_keeps_the_pointer_still() {
        let v = Viewport {
            x: 30.0,
            y: -10.0,
            zoom: 1.5,
        };
        let p = Point::new(123.0, 45.0);
        let back = v.to_screen(v.to_world(p));
        assert!((back.x - p.x).abs() < 1e-9 && (back.y - p.y).abs() < 1e-9);
        let z = v.zoomed_at(1.25, p);
        let before = v.to_world(p);
        let after = z.to_world(p);
        assert!((before.x - after.x).abs() < 1e-9 && (before.y - after.y).abs() < 1e-9);
        assert_eq!(v.zoomed_at(100.0, p).zoom, ZOOM_RANGE.1);
    }

    #[test]
    fn bezier_points_run_from_port_to_port() {
        let (a, b) = (Point::new(0.0, 0.0), Point::new(200.0, 100.0));
        assert_eq!(bezier_point(a, b, 0.0), a);
        assert_eq!(bezier_point(a, b, 1.0), b);
        assert_eq!(bezier_point(a, b, 0.5), edge_midpoint(a, b));
    }

    #[test]
    fn fit_frames_every_node() {
        let s = Scenario::client_to_function(1.0, 1, 1.0, 1.0, 1);
        let v = fit(&s, 800.0, 600.0);
        for n in &s.nodes {
            let r = node_rect(n.position);
            let a = v.to_screen(Point::new(r.x, r.y));
            let b = v.to_screen(Point::new(r.x + r.w, r.y + r.h));
            assert!(a.x >= 0.0 && a.y >= 0.0 && b.x <= 800.0 && b.y <= 600.0);
        }
        assert!(v.zoom <= 1.0);
    }

    #[test]
    fn fitting_keeps_nodes_out_from_under_the_minimap() {
        let mut s = Scenario::client_to_function(1.0, 1, 1.0, 1.0, 1);
        // A third node low and to the right: the plain fit puts it in the corner.
        let mut far = s.nodes[1].clone();
        far.id = "far".into();
        far.position = Position { x: 600.0, y: 400.0 };
        s.nodes.push(far);
        let (w, h, corner) = (800.0, 500.0, (188.0, 132.0));
        let screen = |v: &Viewport, n: &surge_core::Node| {
            let r = node_rect(n.position);
            Rect::from_corners(
                v.to_screen(Point::new(r.x, r.y)),
                v.to_screen(Point::new(r.x + r.w, r.y + r.h)),
            )
        };
        let covered = Rect {
            x: w - corner.0,
            y: h - corner.1,
            w: corner.0,
            h: corner.1,
        };
        let plain = fit(&s, w, h);
        assert!(
            s.nodes
                .iter()
                .any(|n| screen(&plain, n).intersects(&covered))
        );
        let clear = fit_clear_of(&s, w, h, corner);
        assert!(
            !s.nodes
                .iter()
                .any(|n| screen(&clear, n).intersects(&covered))
        );
        // Nothing to avoid: the same as the plain fit.
        assert_eq!(fit_clear_of(&s, w, h, (0.0, 0.0)), plain);
    }

    #[test]
    fn box_select_hit_test_and_free_spots() {
        let s = Scenario::client_to_function(1.0, 1, 1.0, 1.0, 1);
        let first = s.nodes[0].position;
        let area = Rect::from_corners(
            Point::new(first.x - 5.0, first.y - 5.0),
            Point::new(first.x + 10.0, first.y + 10.0),
        );
        assert_eq!(nodes_in(&s, area), vec!["client".to_owned()]);
        let inside = Point::new(first.x + 1.0, first.y + 1.0);
        assert_eq!(node_at(&s, inside), Some("client"));
        let spot = free_spot(&s, first);
        assert_ne!(spot, first);
        assert_eq!(snap(spot), spot);
        assert_eq!(
            snap(Position { x: 29.0, y: 31.0 }),
            Position { x: 20.0, y: 40.0 }
        );
    }
}
