//! Where a connection is drawn: the S-curve from an output port to an input port when it
//! passes clear of other nodes, otherwise an orthogonal route around them. A connection to
//! a node on its left (a loop back) goes over or under both nodes instead of looping off
//! across the diagram.
//!
//! Why one route for every drawing: the canvas, the moving marks of a run and the labels
//! all follow the same line, so a mark never leaves its connection.

use surge_core::Scenario;

use super::geometry::{
    NODE_H, NODE_W, Point, Rect, bezier_point, edge_path, in_port, node_rect, out_port,
};

/// Diagrams above this many nodes keep plain curves (routing checks every node).
pub const ROUTE_UP_TO_NODES: usize = 300;
/// Clearance kept around other nodes, in diagram units.
const CLEAR: f64 = 10.0;
/// How far a route runs straight out of a port before it turns.
const STUB: f64 = 24.0;

/// A connection's line.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// The S-curve between two ports.
    Curve(Point, Point),
    /// Straight segments through these points.
    Lines(Vec<Point>),
}

impl Route {
    /// The SVG path (rounded corners for lines).
    pub fn path(&self) -> String {
        match self {
            Route::Curve(a, b) => edge_path(*a, *b),
            Route::Lines(points) => {
                let mut d = String::new();
                for (k, p) in points.iter().enumerate() {
                    if k == 0 {
                        d.push_str(&format!("M{:.1},{:.1}", p.x, p.y));
                        continue;
                    }
                    // A corner is cut by a short curve: 8 units before and after it.
                    if let Some(next) = points.get(k + 1) {
                        let before = toward(*p, points[k - 1], 8.0);
                        let after = toward(*p, *next, 8.0);
                        d.push_str(&format!(
                            " L{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}",
                            before.x, before.y, p.x, p.y, after.x, after.y
                        ));
                    } else {
                        d.push_str(&format!(" L{:.1},{:.1}", p.x, p.y));
                    }
                }
                d
            }
        }
    }

    /// The point at `t` ∈ [0, 1] along the line (by length for lines).
    pub fn point_at(&self, t: f64) -> Point {
        match self {
            Route::Curve(a, b) => bezier_point(*a, *b, t),
            Route::Lines(points) => {
                let total: f64 = points.windows(2).map(|w| length(w[0], w[1])).sum();
                let mut left = t.clamp(0.0, 1.0) * total;
                for w in points.windows(2) {
                    let l = length(w[0], w[1]);
                    if left <= l && l > 0.0 {
                        return toward(w[0], w[1], left);
                    }
                    left -= l;
                }
                *points.last().unwrap_or(&Point::new(0.0, 0.0))
            }
        }
    }

    /// Where the label sits: halfway along.
    pub fn midpoint(&self) -> Point {
        self.point_at(0.5)
    }
}

fn length(a: Point, b: Point) -> f64 {
    (b.x - a.x).hypot(b.y - a.y)
}

/// The point `d` along from `a` toward `b`.
fn toward(a: Point, b: Point, d: f64) -> Point {
    let l = length(a, b);
    if l <= 0.0 {
        return a;
    }
    let k = (d / l).min(1.0);
    Point::new(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k)
}

fn grown(r: &Rect, by: f64) -> Rect {
    Rect {
        x: r.x - by,
        y: r.y - by,
        w: r.w + 2.0 * by,
        h: r.h + 2.0 * by,
    }
}

/// Whether the segment a–b (horizontal or vertical) crosses `r`.
fn segment_hits(a: Point, b: Point, r: &Rect) -> bool {
    let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
    let (y0, y1) = (a.y.min(b.y), a.y.max(b.y));
    x1 > r.x && x0 < r.x + r.w && y1 > r.y && y0 < r.y + r.h
}

fn hits(points: &[Point], obstacles: &[Rect]) -> usize {
    points
        .windows(2)
        .map(|w| {
            obstacles
                .iter()
                .filter(|r| segment_hits(w[0], w[1], r))
                .count()
        })
        .sum()
}

fn curve_hits(a: Point, b: Point, obstacles: &[Rect]) -> bool {
    (1..24).any(|k| {
        let p = bezier_point(a, b, f64::from(k) / 24.0);
        obstacles.iter().any(|r| r.contains(p))
    })
}

/// The route from output port `a` to input port `b`, around `obstacles` (the other
/// nodes' boxes).
pub fn route(a: Point, b: Point, obstacles: &[Rect]) -> Route {
    let obstacles: Vec<Rect> = obstacles.iter().map(|r| grown(r, CLEAR)).collect();
    let forward = b.x >= a.x + 2.0 * STUB;
    if forward && !curve_hits(a, b, &obstacles) {
        return Route::Curve(a, b);
    }
    let mut candidates: Vec<Vec<Point>> = Vec::new();
    if forward {
        // One vertical channel between the two nodes, tried from the middle outwards.
        let (lo, hi) = (a.x + STUB, b.x - STUB);
        let mid = (lo + hi) / 2.0;
        let mut xs = vec![mid];
        let mut k = 1.0;
        while mid - 20.0 * k >= lo || mid + 20.0 * k <= hi {
            xs.extend(
                [mid - 20.0 * k, mid + 20.0 * k]
                    .into_iter()
                    .filter(|x| *x >= lo && *x <= hi),
            );
            k += 1.0;
        }
        for x in xs {
            candidates.push(vec![a, Point::new(x, a.y), Point::new(x, b.y), b]);
        }
    }
    // Over or under everything in the way: out, up or down to a free line, across, back.
    let (left, right) = (a.x.min(b.x) - NODE_W, a.x.max(b.x) + NODE_W);
    let in_band: Vec<&Rect> = obstacles
        .iter()
        .filter(|r| r.x < right && r.x + r.w > left)
        .collect();
    let top = in_band
        .iter()
        .map(|r| r.y)
        .fold(a.y.min(b.y) - NODE_H / 2.0, f64::min);
    let bottom = in_band
        .iter()
        .map(|r| r.y + r.h)
        .fold(a.y.max(b.y) + NODE_H / 2.0, f64::max);
    let near_above = a.y.min(b.y) - NODE_H / 2.0 - 2.0 * CLEAR;
    let near_below = a.y.max(b.y) + NODE_H / 2.0 + 2.0 * CLEAR;
    // Between the two nodes when one is above the other, then just over or under them,
    // then over or under everything in the band.
    let between = (a.y + b.y) / 2.0;
    for y in [
        between,
        near_above,
        near_below,
        top - 2.0 * CLEAR,
        bottom + 2.0 * CLEAR,
    ] {
        candidates.push(vec![
            a,
            Point::new(a.x + STUB, a.y),
            Point::new(a.x + STUB, y),
            Point::new(b.x - STUB, y),
            Point::new(b.x - STUB, b.y),
            b,
        ]);
    }
    // The two end nodes are in the way too, except for the stubs leaving and entering
    // their ports.
    let ends = [
        grown(
            &Rect {
                x: a.x - NODE_W,
                y: a.y - NODE_H / 2.0,
                w: NODE_W,
                h: NODE_H,
            },
            CLEAR / 2.0,
        ),
        grown(
            &Rect {
                x: b.x,
                y: b.y - NODE_H / 2.0,
                w: NODE_W,
                h: NODE_H,
            },
            CLEAR / 2.0,
        ),
    ];
    let blocked = |pts: &Vec<Point>| {
        let inner = if pts.len() > 2 {
            &pts[1..pts.len() - 1]
        } else {
            &pts[..0]
        };
        hits(pts, &obstacles) + hits(inner, &ends)
    };
    // The clear one first; among equals the shortest.
    let best = candidates.into_iter().min_by(|p, q| {
        let key = |pts: &Vec<Point>| {
            (
                blocked(pts),
                pts.windows(2).map(|w| length(w[0], w[1])).sum::<f64>(),
            )
        };
        let (hp, lp) = key(p);
        let (hq, lq) = key(q);
        hp.cmp(&hq).then(lp.total_cmp(&lq))
    });
    match best {
        // Nothing clear going forward: the curve is no worse.
        Some(points) if forward && blocked(&points) > 0 => Route::Curve(a, b),
        Some(points) => Route::Lines(points),
        None => Route::Curve(a, b),
    }
}

/// The route of every edge of `doc` (in edge order; `None` for an edge whose ends are
/// missing). Large diagrams keep plain curves.
pub fn routes(doc: &Scenario) -> Vec<Option<Route>> {
    let routed = doc.nodes.len() <= ROUTE_UP_TO_NODES;
    let find = |id: &str| doc.nodes.iter().find(|n| n.id == id);
    doc.edges
        .iter()
        .map(|e| {
            let (from, to) = (find(&e.from)?, find(&e.to)?);
            let (a, b) = (out_port(from.position), in_port(to.position));
            if !routed {
                return Some(Route::Curve(a, b));
            }
            let obstacles: Vec<Rect> = doc
                .nodes
                .iter()
                .filter(|n| n.id != e.from && n.id != e.to)
                .map(|n| node_rect(n.position))
                .collect();
            Some(route(a, b, &obstacles))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use surge_core::Position;

    fn at(x: f64, y: f64) -> Rect {
        node_rect(Position { x, y })
    }

    fn clear(r: &Route, obstacles: &[Rect]) -> bool {
        (0..=100).all(|k| {
            let p = r.point_at(f64::from(k) / 100.0);
            !obstacles.iter().any(|o| o.contains(p))
        })
    }

    #[test]
    fn a_clear_connection_keeps_its_curve() {
        let (a, b) = (
            out_port(Position { x: 0.0, y: 0.0 }),
            in_port(Position { x: 300.0, y: 0.0 }),
        );
        assert_eq!(route(a, b, &[at(0.0, 300.0)]), Route::Curve(a, b));
    }

    #[test]
    fn a_node_in_the_way_is_gone_around() {
        let (a, b) = (
            out_port(Position { x: 0.0, y: 0.0 }),
            in_port(Position { x: 600.0, y: 0.0 }),
        );
        let wall = [at(300.0, 0.0)];
        let r = route(a, b, &wall);
        assert!(matches!(r, Route::Lines(_)), "{r:?}");
        assert!(clear(&r, &wall), "{r:?}");
        assert_eq!(r.point_at(0.0), a);
        assert_eq!(r.point_at(1.0), b);
    }

    #[test]
    fn a_loop_back_goes_over_or_under_both_nodes() {
        // b is left of a: the curve would loop across both boxes.
        let (pa, pb) = (
            Position { x: 400.0, y: 100.0 },
            Position { x: 0.0, y: 100.0 },
        );
        let (a, b) = (out_port(pa), in_port(pb));
        let others = [at(200.0, 100.0)];
        let r = route(a, b, &others);
        let Route::Lines(points) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(points.len(), 6);
        let ends = [node_rect(pa), node_rect(pb), others[0]];
        // Only the stubs touch the end nodes' sides; the run across is clear of all three.
        assert!(
            !ends.iter().any(|e| segment_hits(points[2], points[3], e)),
            "{points:?}"
        );
        assert!(clear(&Route::Lines(points[1..5].to_vec()), &others));
        assert!(r.path().starts_with("M") && r.path().contains('Q'));
    }

    #[test]
    fn a_loop_back_to_a_node_above_runs_through_the_gap_between_them() {
        let (pa, pb) = (
            Position { x: 540.0, y: 300.0 },
            Position { x: 540.0, y: 100.0 },
        );
        let r = route(out_port(pa), in_port(pb), &[]);
        let Route::Lines(points) = &r else {
            panic!("{r:?}")
        };
        let gap = (100.0 + NODE_H, 300.0);
        assert!(points[2].y > gap.0 && points[2].y < gap.1, "{points:?}");
        // Side by side, the run across cannot go through them: over or under.
        let (pa, pb) = (
            Position { x: 400.0, y: 100.0 },
            Position { x: 0.0, y: 100.0 },
        );
        let Route::Lines(points) = route(out_port(pa), in_port(pb), &[]) else {
            panic!()
        };
        assert!(
            points[2].y < 100.0 || points[2].y > 100.0 + NODE_H,
            "{points:?}"
        );
    }

    #[test]
    fn a_point_along_lines_is_measured_by_length() {
        let r = Route::Lines(vec![
            Point::new(0.0, 0.0),
            Point::new(100.0, 0.0),
            Point::new(100.0, 100.0),
        ]);
        assert_eq!(r.midpoint(), Point::new(100.0, 0.0));
        assert_eq!(r.point_at(0.25), Point::new(50.0, 0.0));
        assert_eq!(r.point_at(1.0), Point::new(100.0, 100.0));
    }
}
