//! A/B comparison: a pinned baseline run (A) against the run being watched (B), and what
//! differs between their scenarios, in words.
//!
//! Why a scenario diff: every lesson is a before/after; the legend must say what changed
//! ("fn reserved_concurrency: none → 500") rather than leave the user to remember.

use std::rc::Rc;

use serde_json::Value;
use surge_core::{Edge, Frame, Scenario};

/// A finished (or partly watched) run kept for comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// Its frames, one per simulated second.
    pub frames: Rc<Vec<Rc<Frame>>>,
    /// The scenario it ran.
    pub scenario: Rc<Scenario>,
}

impl Baseline {
    /// The watched run up to its playhead, with the scenario it ran; none before a frame.
    pub fn from_live(live: &crate::run::LiveView, scenario: Rc<Scenario>) -> Option<Baseline> {
        let frames: Vec<_> = live.frames.iter().take(live.at + 1).cloned().collect();
        (!frames.is_empty()).then(|| Baseline {
            frames: Rc::new(frames),
            scenario,
        })
    }
}

/// The differences between two scenarios, one line each ("fn params.memory_mb: 1769 →
/// 512"), node positions and names ignored; at most `limit` lines, then "…and N more".
pub fn differences(a: &Scenario, b: &Scenario, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    if a.seed != b.seed {
        out.push(format!("seed: {} → {}", a.seed, b.seed));
    }
    if a.duration_s != b.duration_s {
        out.push(format!(
            "simulated time: {} s → {} s",
            a.duration_s, b.duration_s
        ));
    }
    let value = |s: &Scenario| serde_json::from_str::<Value>(&s.to_json()).unwrap_or(Value::Null);
    let (va, vb) = (value(a), value(b));
    walk("account", va.get("account"), vb.get("account"), &mut out);
    for node in &b.nodes {
        let before = a.nodes.iter().find(|n| n.id == node.id);
        match before {
            None => out.push(format!("added {} ({})", node.id, node.kind.tag())),
            Some(old) => {
                let (x, y) = (node_params(&va, &old.id), node_params(&vb, &node.id));
                if old.kind.tag() != node.kind.tag() {
                    out.push(format!(
                        "{}: {} → {}",
                        node.id,
                        old.kind.tag(),
                        node.kind.tag()
                    ));
                } else {
                    walk(&node.id, x, y, &mut out);
                }
            }
        }
    }
    for node in &a.nodes {
        if b.node_index(&node.id).is_none() {
            out.push(format!("removed {}", node.id));
        }
    }
    let name = |e: &Edge| format!("{} → {}", e.from, e.to);
    for e in &b.edges {
        match a.edges.iter().find(|x| x.from == e.from && x.to == e.to) {
            None => out.push(format!("connected {}", name(e))),
            Some(old) => walk(
                &name(e),
                Some(&edge_settings(old)),
                Some(&edge_settings(e)),
                &mut out,
            ),
        }
    }
    for e in &a.edges {
        if !b.edges.iter().any(|x| x.from == e.from && x.to == e.to) {
            out.push(format!("disconnected {}", name(e)));
        }
    }
    walk("faults", va.get("faults"), vb.get("faults"), &mut out);
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("…and {more} more"));
    }
    out
}

/// A connection's settings with the model's defaults filled in, so setting a value to
/// its default reads as no change and a first setting reads "10 → 5", not "none → {…}".
fn edge_settings(e: &Edge) -> Value {
    let mut v = serde_json::json!({
        "esm": e.esm.clone().unwrap_or_default(),
        "stream": e.stream.clone().unwrap_or_default(),
        // A breaker's presence is a setting of its own: adding one reads "none → {…}".
        "breaker": e.breaker,
    });
    if let Some(i) = e.invocation {
        v["invocation"] = serde_json::to_value(i).unwrap_or(Value::Null);
    }
    v
}

fn node_params<'a>(v: &'a Value, id: &str) -> Option<&'a Value> {
    v.get("nodes")?
        .as_array()?
        .iter()
        .find(|n| n.get("id").and_then(Value::as_str) == Some(id))?
        .get("params")
}

fn short(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "none".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            let s = other.to_string();
            if s.len() > 40 {
                format!(
                    "{}…",
                    &s[..s.char_indices().nth(38).map_or(s.len(), |(i, _)| i)]
                )
            } else {
                s
            }
        }
    }
}

fn walk(path: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for (k, vy) in y {
                walk(&format!("{path}.{k}"), x.get(k), Some(vy), out);
            }
            for (k, vx) in x {
                if !y.contains_key(k) {
                    walk(&format!("{path}.{k}"), Some(vx), None, out);
                }
            }
        }
        (x, y) if x != y => out.push(format!("{path}: {} → {}", short(x), short(y))),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_changed_and_nothing_else() {
        let a = crate::editor::starter();
        let mut b = a.clone();
        assert!(differences(&a, &b, 5).is_empty());
        b.nodes[1].position.x += 100.0;
        assert!(
            differences(&a, &b, 5).is_empty(),
            "moving a node changes nothing"
        );
        if let surge_core::NodeKind::Lambda(p) = &mut b.nodes[1].kind {
            p.reserved_concurrency = Some(20);
            p.memory_mb = 512;
        }
        b.seed = 7;
        let d = differences(&a, &b, 5);
        assert!(d.contains(&"seed: 42 → 7".to_owned()), "{d:?}");
        assert!(
            d.contains(&"fn.reserved_concurrency: 10 → 20".to_owned()),
            "{d:?}"
        );
        assert!(d.contains(&"fn.memory_mb: 1769 → 512".to_owned()), "{d:?}");
        let d = differences(&a, &b, 1);
        assert_eq!(d.len(), 2);
        assert_eq!(d[1], "…and 2 more");
    }

    #[test]
    fn a_connection_setting_is_named() {
        let a = Scenario::parse_json(include_str!(
            "../../tests/scenarios/lesson11-queue-buffer.json"
        ))
        .expect("lesson 11");
        let mut b = a.clone();
        let i = b
            .edges
            .iter()
            .position(|e| e.esm.is_some())
            .expect("a poll edge");
        b.edges[i].esm.as_mut().expect("esm").maximum_concurrency = Some(5);
        let d = differences(&a, &b, 5);
        let edge = format!("{} → {}", b.edges[i].from, b.edges[i].to);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].starts_with(&format!("{edge}.esm.maximum_concurrency: ")),
            "{d:?}"
        );
        assert!(d[0].ends_with("→ 5"), "{d:?}");
        // A first setting equal to the model's default is no change.
        let mut c = a.clone();
        c.edges[0].esm = Some(c.edges[0].esm.clone().unwrap_or_default());
        c.edges[0].stream = Some(c.edges[0].stream.clone().unwrap_or_default());
        assert!(differences(&a, &c, 5).is_empty());
        // A circuit breaker added, then one of its settings changed, are both named.
        let mut d1 = a.clone();
        d1.edges[0].breaker = Some(surge_core::CircuitBreaker::default());
        let added = differences(&a, &d1, 5);
        assert_eq!(added.len(), 1, "{added:?}");
        assert!(added[0].contains(".breaker"), "{added:?}");
        let mut d2 = d1.clone();
        d2.edges[0].breaker.as_mut().expect("breaker").failures = 5;
        let changed = differences(&d1, &d2, 5);
        assert!(
            changed[0].contains("breaker.failures: 20 → 5"),
            "{changed:?}"
        );
    }
}
