//! The layout of a state machine's graph, as the Step Functions console draws it: states
//! top to bottom from `StartAt`, a Parallel's branches side by side inside its frame, a
//! Map's item processor inside its own, arrows for `Next`, Choice rules (with their
//! probability), `Default` and `Catch`.
//!
//! Why pure geometry here: the component only draws what this returns, so the layout is
//! tested natively (no overlaps, every transition drawn, nesting contained).

use std::collections::BTreeMap;

use serde_json::Value;
use surge_core::asl::{DEFAULT_INPUT_WAIT_S, DEFAULT_MAP_ITEMS, MAX_ASL_DEPTH, Simulation};

/// Width of a plain state's box.
pub const BOX_W: f64 = 150.0;
/// Height of a plain state's box.
pub const BOX_H: f64 = 42.0;
const GAP_Y: f64 = 34.0;
const GAP_X: f64 = 18.0;
const PAD: f64 = 12.0;
const HEADER: f64 = 26.0;
/// Height of the Start and End pills.
pub const PILL_H: f64 = 22.0;

/// How an arrow leaves its state.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrowKind {
    /// `Next`.
    Next,
    /// Choice rule `i` with its probability.
    Rule(usize, f64),
    /// A Choice's `Default`, with what it takes.
    Default(f64),
    /// A `Catch` entry.
    Catch,
    /// From Start, or to End.
    Terminal,
}

/// One state drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct StateBox {
    /// The state's name ("" for the Start and End pills).
    pub name: String,
    /// Its ASL `Type` ("Start" and "End" for the pills).
    pub kind: String,
    /// What it does, in a few words.
    pub summary: String,
    /// Top-left corner and size.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// A frame holding nested states (Parallel, Map).
    pub frame: bool,
    /// Retriers it has.
    pub retries: usize,
    /// Catchers it has.
    pub catches: usize,
}

impl StateBox {
    fn bottom(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h)
    }
    fn top(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y)
    }
    fn right(&self) -> (f64, f64) {
        (self.x + self.w, self.y + self.h / 2.0)
    }
}

/// One transition drawn, as a cubic curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// From this state.
    pub from: String,
    /// To this state.
    pub to: String,
    /// What kind of transition.
    pub kind: ArrowKind,
    /// Start, two control points, end.
    pub points: [(f64, f64); 4],
}

/// A whole graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// States and the Start/End pills, frames before what they hold.
    pub boxes: Vec<StateBox>,
    /// Transitions.
    pub arrows: Vec<Arrow>,
    /// Size of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
}

struct Scope {
    boxes: Vec<StateBox>,
    arrows: Vec<Arrow>,
    w: f64,
    h: f64,
    start: Option<String>,
    ends: Vec<String>,
}

impl Scope {
    fn shift(&mut self, dx: f64, dy: f64) {
        for b in &mut self.boxes {
            b.x += dx;
            b.y += dy;
        }
        for a in &mut self.arrows {
            for p in &mut a.points {
                p.0 += dx;
                p.1 += dy;
            }
        }
    }
}

/// Lays out a definition (what does not read as ASL draws as nothing).
pub fn layout(asl: &Value, sim: &Simulation, label: &dyn Fn(&str) -> String) -> Layout {
    let mut s = scope(asl, sim, label, 0);
    let width = s.w.max(BOX_W) + 2.0 * PAD;
    let pill_w = 70.0;
    s.shift(PAD + (width - 2.0 * PAD - s.w) / 2.0, PAD + PILL_H + GAP_Y);
    let mut boxes = Vec::new();
    let mut arrows = Vec::new();
    let start = StateBox {
        name: String::new(),
        kind: "Start".into(),
        summary: String::new(),
        x: (width - pill_w) / 2.0,
        y: PAD,
        w: pill_w,
        h: PILL_H,
        frame: false,
        retries: 0,
        catches: 0,
    };
    let body_bottom = PAD + PILL_H + GAP_Y + s.h;
    let end = StateBox {
        kind: "End".into(),
        y: body_bottom + GAP_Y,
        ..start.clone()
    };
    if let Some(first) = s
        .start
        .as_ref()
        .and_then(|n| s.boxes.iter().find(|b| &b.name == n))
    {
        arrows.push(arrow(
            "",
            &first.name,
            ArrowKind::Terminal,
            start.bottom(),
            first.top(),
        ));
    }
    for name in &s.ends {
        if let Some(b) = s.boxes.iter().find(|b| &b.name == name) {
            arrows.push(arrow(name, "", ArrowKind::Terminal, b.bottom(), end.top()));
        }
    }
    let height = end.y + end.h + PAD;
    boxes.push(start);
    boxes.append(&mut s.boxes);
    boxes.push(end);
    arrows.append(&mut s.arrows);
    Layout {
        boxes,
        arrows,
        width,
        height,
    }
}

fn arrow(from: &str, to: &str, kind: ArrowKind, a: (f64, f64), b: (f64, f64)) -> Arrow {
    let dy = ((b.1 - a.1) / 2.0).max(12.0);
    Arrow {
        from: from.to_owned(),
        to: to.to_owned(),
        kind,
        points: [a, (a.0, a.1 + dy), (b.0, b.1 - dy), b],
    }
}

/// A transition back up (or sideways): out of the right side, around, into the right side.
fn loop_arrow(
    from: &str,
    to: &str,
    kind: ArrowKind,
    a: (f64, f64),
    b: (f64, f64),
    reach: f64,
) -> Arrow {
    Arrow {
        from: from.to_owned(),
        to: to.to_owned(),
        kind,
        points: [a, (reach, a.1), (reach, b.1), b],
    }
}

fn transitions(s: &Value, sim: &Simulation, name: &str) -> Vec<(String, ArrowKind)> {
    let mut out = Vec::new();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    if s.get("Type").and_then(Value::as_str) == Some("Choice") {
        let rules = s
            .get("Choices")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let default = text(s.get("Default"));
        let shares = rules.len() + usize::from(default.is_some());
        let p: Vec<f64> = sim
            .choices
            .get(name)
            .cloned()
            .unwrap_or_else(|| vec![1.0 / shares.max(1) as f64; rules.len()]);
        for (i, r) in rules.iter().enumerate() {
            if let Some(n) = text(r.get("Next")) {
                out.push((n, ArrowKind::Rule(i, p.get(i).copied().unwrap_or(0.0))));
            }
        }
        if let Some(d) = default {
            out.push((
                d,
                ArrowKind::Default((1.0 - p.iter().sum::<f64>()).max(0.0)),
            ));
        }
    } else if let Some(n) = text(s.get("Next")) {
        out.push((n, ArrowKind::Next));
    }
    for c in s
        .get("Catch")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(n) = text(c.get("Next")) {
            out.push((n, ArrowKind::Catch));
        }
    }
    out
}

fn summary(s: &Value, sim: &Simulation, name: &str, label: &dyn Fn(&str) -> String) -> String {
    let kind = s.get("Type").and_then(Value::as_str).unwrap_or("?");
    match kind {
        "Task" => match sim.tasks.get(name).filter(|n| !n.is_empty()) {
            Some(node) => format!("calls {}", label(node)),
            None => format!(
                "calls nothing modelled · {} s",
                sim.seconds.get(name).copied().unwrap_or(0.0)
            ),
        },
        "Wait" => match s.get("Seconds").and_then(Value::as_f64) {
            Some(v) => format!("waits {v} s"),
            None => format!(
                "waits {} s (from input)",
                sim.seconds
                    .get(name)
                    .copied()
                    .unwrap_or(DEFAULT_INPUT_WAIT_S)
            ),
        },
        "Choice" => {
            let n = s
                .get("Choices")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("{n} rule{}", if n == 1 { "" } else { "s" })
        }
        "Map" => {
            let items = sim.map_items.get(name).copied().unwrap_or_else(|| {
                s.get("Items")
                    .and_then(Value::as_array)
                    .map_or(DEFAULT_MAP_ITEMS, |a| a.len() as u32)
            });
            match s.get("MaxConcurrency").and_then(Value::as_u64).unwrap_or(0) {
                0 => format!("{items} items, ≤ 40 at once"),
                m => format!("{items} items, ≤ {m} at once"),
            }
        }
        "Parallel" => {
            let n = s
                .get("Branches")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("{n} branches")
        }
        "Fail" => s
            .get("Error")
            .and_then(Value::as_str)
            .unwrap_or("States.Fail")
            .to_owned(),
        "Pass" => "no time".into(),
        "Succeed" => "ends the branch".into(),
        other => other.to_owned(),
    }
}

fn is_end(s: &Value) -> bool {
    match s.get("Type").and_then(Value::as_str) {
        Some("Succeed" | "Fail") => true,
        Some("Choice") => false,
        _ => s.get("End").and_then(Value::as_bool) == Some(true) || s.get("Next").is_none(),
    }
}

fn scope(asl: &Value, sim: &Simulation, label: &dyn Fn(&str) -> String, depth: usize) -> Scope {
    let mut out = Scope {
        boxes: Vec::new(),
        arrows: Vec::new(),
        w: 0.0,
        h: 0.0,
        start: asl
            .get("StartAt")
            .and_then(Value::as_str)
            .map(str::to_owned),
        ends: Vec::new(),
    };
    let Some(states) = asl.get("States").and_then(Value::as_object) else {
        return out;
    };
    if depth > MAX_ASL_DEPTH {
        return out;
    }
    let names: Vec<&String> = states.keys().collect();
    // Layers: breadth first from StartAt; states it does not reach come after.
    let mut layer: BTreeMap<&str, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::new();
    if let Some(start) = out
        .start
        .as_deref()
        .and_then(|s| names.iter().find(|n| n.as_str() == s))
    {
        layer.insert(start.as_str(), 0);
        queue.push_back(start.as_str());
    }
    while let Some(n) = queue.pop_front() {
        let here = layer[n];
        for (to, _) in transitions(&states[n], sim, n) {
            if let Some(t) = names.iter().find(|x| **x == &to)
                && !layer.contains_key(t.as_str())
            {
                layer.insert(t.as_str(), here + 1);
                queue.push_back(t.as_str());
            }
        }
    }
    let mut next_free = layer.values().max().map_or(0, |m| m + 1);
    for n in &names {
        if !layer.contains_key(n.as_str()) {
            layer.insert(n.as_str(), next_free);
            next_free += 1;
        }
    }
    // Each state's box (frames hold their nested scopes).
    let mut placed: Vec<(usize, StateBox, Option<Vec<Scope>>)> = Vec::new();
    for n in &names {
        let s = &states[n.as_str()];
        let kind = s
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        let inner: Option<Vec<Scope>> = match kind.as_str() {
            "Parallel" => Some(
                s.get("Branches")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|b| scope(b, sim, label, depth + 1))
                    .collect(),
            ),
            "Map" => s
                .get("ItemProcessor")
                .or_else(|| s.get("Iterator"))
                .map(|p| vec![scope(p, sim, label, depth + 1)]),
            _ => None,
        };
        let (w, h) = match &inner {
            Some(scopes) if !scopes.is_empty() => {
                let w: f64 =
                    scopes.iter().map(|c| c.w).sum::<f64>() + GAP_X * (scopes.len() - 1) as f64;
                let h = scopes.iter().map(|c| c.h).fold(0.0, f64::max);
                ((w + 2.0 * PAD).max(BOX_W), h + HEADER + 2.0 * PAD)
            }
            _ => (BOX_W, BOX_H),
        };
        let count = |k: &str| s.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        placed.push((
            layer[n.as_str()],
            StateBox {
                name: (*n).clone(),
                kind,
                summary: summary(s, sim, n, label),
                x: 0.0,
                y: 0.0,
                w,
                h,
                frame: inner.is_some(),
                retries: count("Retry"),
                catches: count("Catch"),
            },
            inner,
        ));
    }
    let layers = placed.iter().map(|p| p.0).max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, p) in placed.iter().enumerate() {
        rows[p.0].push(i);
    }
    let widths: Vec<f64> = rows
        .iter()
        .map(|row| {
            row.iter().map(|&i| placed[i].1.w).sum::<f64>()
                + GAP_X * row.len().saturating_sub(1) as f64
        })
        .collect();
    let width = widths.iter().copied().fold(0.0, f64::max);
    let mut y = 0.0;
    for (row, row_w) in rows.iter().zip(&widths) {
        let mut x = (width - row_w) / 2.0;
        let h = row.iter().map(|&i| placed[i].1.h).fold(0.0, f64::max);
        for &i in row {
            placed[i].1.x = x;
            placed[i].1.y = y;
            x += placed[i].1.w + GAP_X;
        }
        y += h + GAP_Y;
    }
    out.w = width;
    out.h = (y - GAP_Y).max(0.0);
    // Frames first, then what they hold, then arrows.
    let mut nested_boxes = Vec::new();
    let mut nested_arrows = Vec::new();
    for (_, b, inner) in &mut placed {
        if let Some(scopes) = inner.as_mut() {
            let mut x = b.x + PAD;
            let total: f64 = scopes.iter().map(|c| c.w).sum::<f64>()
                + GAP_X * scopes.len().saturating_sub(1) as f64;
            x += ((b.w - 2.0 * PAD) - total).max(0.0) / 2.0;
            for c in scopes.iter_mut() {
                c.shift(x, b.y + HEADER + PAD);
                x += c.w + GAP_X;
                if let Some(first) = c
                    .start
                    .as_ref()
                    .and_then(|n| c.boxes.iter().find(|bb| &bb.name == n))
                {
                    let from = (first.x + first.w / 2.0, b.y + HEADER);
                    nested_arrows.push(arrow(
                        &b.name,
                        &first.name,
                        ArrowKind::Terminal,
                        from,
                        first.top(),
                    ));
                }
                nested_boxes.append(&mut c.boxes);
                nested_arrows.append(&mut c.arrows);
            }
        }
    }
    let reach = width + GAP_X / 2.0;
    for (_, b, _) in &placed {
        for (to, kind) in transitions(&states[b.name.as_str()], sim, &b.name) {
            let Some((_, t, _)) = placed.iter().find(|p| p.1.name == to) else {
                continue;
            };
            let forward = layer[to.as_str()] > layer[b.name.as_str()];
            out.arrows.push(if forward {
                arrow(&b.name, &to, kind, b.bottom(), t.top())
            } else {
                loop_arrow(&b.name, &to, kind, b.right(), t.right(), reach)
            });
        }
        if is_end(&states[b.name.as_str()]) {
            out.ends.push(b.name.clone());
        }
    }
    out.boxes = placed.into_iter().map(|p| p.1).collect();
    out.boxes.append(&mut nested_boxes);
    out.arrows.append(&mut nested_arrows);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlaps(a: &StateBox, b: &StateBox) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    fn inside(inner: &StateBox, outer: &StateBox) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.x + inner.w <= outer.x + outer.w
            && inner.y + inner.h <= outer.y + outer.h
    }

    fn workflow() -> Value {
        json!({"StartAt":"Charge","States":{
            "Charge":{"Type":"Task","Resource":"x","Retry":[{"ErrorEquals":["States.ALL"]}],
                "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Refund"}],"Next":"Big?"},
            "Big?":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Fan"}],"Default":"Ship"},
            "Fan":{"Type":"Parallel","Next":"Ship","Branches":[
                {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A2"},"A2":{"Type":"Succeed"}}},
                {"StartAt":"B","States":{"B":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Each","States":{"Each":{"Type":"Pass","End":true}}}}}}]},
            "Ship":{"Type":"Wait","Seconds":5,"Next":"Charge"},
            "Refund":{"Type":"Fail","Error":"NoMoney"}}})
    }

    #[test]
    fn every_state_and_transition_is_drawn_without_overlaps() {
        let mut sim = Simulation::default();
        sim.tasks.insert("Charge".into(), "pay-fn".into());
        sim.choices.insert("Big?".into(), vec![0.2]);
        let l = layout(&workflow(), &sim, &|id| format!("<{id}>"));
        let names: Vec<&str> = l.boxes.iter().map(|b| b.name.as_str()).collect();
        for n in [
            "Charge", "Big?", "Fan", "Ship", "Refund", "A", "A2", "B", "Each",
        ] {
            assert!(names.contains(&n), "{n} drawn: {names:?}");
        }
        let find = |n: &str| l.boxes.iter().find(|b| b.name == n).expect("drawn");
        assert_eq!(find("Charge").summary, "calls <pay-fn>");
        assert_eq!((find("Charge").retries, find("Charge").catches), (1, 1));
        // Frames hold their states; states that share a scope do not overlap.
        for n in ["A", "A2", "B", "Each"] {
            assert!(inside(find(n), find("Fan")), "{n} inside Fan");
        }
        assert!(inside(find("Each"), find("B")));
        let top: Vec<&StateBox> = ["Charge", "Big?", "Fan", "Ship", "Refund"]
            .iter()
            .map(|n| find(n))
            .collect();
        for (i, a) in top.iter().enumerate() {
            for b in &top[i + 1..] {
                assert!(!overlaps(a, b), "{} and {} overlap", a.name, b.name);
            }
        }
        assert!(!overlaps(find("A"), find("B")), "branches side by side");
        // Every transition, with the Choice's probabilities.
        let has = |from: &str, to: &str, kind: &ArrowKind| {
            l.arrows
                .iter()
                .any(|a| a.from == from && a.to == to && &a.kind == kind)
        };
        assert!(has("Charge", "Big?", &ArrowKind::Next));
        assert!(has("Charge", "Refund", &ArrowKind::Catch));
        assert!(has("Big?", "Fan", &ArrowKind::Rule(0, 0.2)));
        assert!(l.arrows.iter().any(|a| a.from == "Big?"
            && a.to == "Ship"
            && matches!(a.kind, ArrowKind::Default(p) if (p - 0.8).abs() < 1e-9)));
        assert!(has("A", "A2", &ArrowKind::Next));
        assert!(has("", "Charge", &ArrowKind::Terminal), "from Start");
        assert!(has("Refund", "", &ArrowKind::Terminal), "to End");
        // The loop back from Ship to Charge goes around the right side.
        let back = l
            .arrows
            .iter()
            .find(|a| a.from == "Ship" && a.to == "Charge")
            .expect("loop");
        assert!(
            back.points[1].0 >= find("Fan").x + find("Fan").w,
            "{back:?}"
        );
        for b in &l.boxes {
            assert!(
                b.x >= 0.0 && b.y >= 0.0 && b.x + b.w <= l.width && b.y + b.h <= l.height,
                "{b:?} in the drawing"
            );
        }
    }

    #[test]
    fn what_is_not_asl_draws_only_start_and_end() {
        let l = layout(&json!({"nope": 1}), &Simulation::default(), &|s| {
            s.to_owned()
        });
        assert_eq!(l.boxes.len(), 2);
        assert!(l.arrows.is_empty());
    }
}
