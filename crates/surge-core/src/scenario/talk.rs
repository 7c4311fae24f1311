//! A talk's script: the beats a presenter steps through on stage, in the scenario.
//!
//! Why in the scenario: a script belongs to the architecture it tells the story of, and
//! travels with it in files, share links, embeds and slides. The engine never reads it. A
//! beat changes what the host asks of the engine (which scenario, which second, playing or
//! paused), never how a run goes, so a scenario with a script gives the same report as
//! the same scenario without one.
//!
//! Why beats that change the scenario say "from the beat's second on" where they can: a
//! load phase or a fault added at the playhead leaves everything before it as it was, so
//! the host re-runs the changed scenario up to the same second and the audience sees the
//! same past and a new future. A parameter or a variant switched mid-run cannot be
//! "from now on" in a discrete-event model that compiled it at the start; it shows the
//! same second of the run as if the design had always been so (the docs say so).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Fault, NodeKind, Phase, Scenario};

/// Most beats in one script.
pub const MAX_BEATS: usize = 100;
/// Longest caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 400;

/// A script for talk mode: the beats, and the headline figures shown large.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Talk {
    /// The beats, in the order the presenter steps through them.
    pub beats: Vec<Beat>,
    /// The two or three figures talk mode shows large (default: success, failed, cost).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<TalkKpi>,
    /// Simulated seconds per second while the talk plays (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

/// Talk mode's clock when a script names no speed: ten simulated seconds a second.
pub const DEFAULT_TALK_SPEED: f64 = 10.0;
/// The fastest clock a script may ask for.
pub const MAX_TALK_SPEED: f64 = 10_000.0;

/// A headline figure of the whole run at the playhead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TalkKpi {
    /// Share of finished client requests that succeeded.
    SuccessPct,
    /// Client requests that failed or timed out so far.
    Failed,
    /// Client requests refused with a throttle (429) so far.
    Throttled,
    /// Client requests started and not yet finished.
    InFlight,
    /// Messages waiting in every queue now.
    Queued,
    /// Messages moved to a dead-letter queue so far.
    DeadLettered,
    /// Work lost so far: asynchronous events dropped or too old, messages expired or
    /// dropped, notifications lost.
    Lost,
    /// Cost so far at list prices.
    Cost,
}

impl TalkKpi {
    /// The figures shown when a script names none.
    pub const DEFAULT: [TalkKpi; 3] = [TalkKpi::SuccessPct, TalkKpi::Failed, TalkKpi::Cost];

    /// The words under the figure.
    pub fn label(self) -> &'static str {
        match self {
            TalkKpi::SuccessPct => "succeeded",
            TalkKpi::Failed => "failed",
            TalkKpi::Throttled => "throttled",
            TalkKpi::InFlight => "in flight",
            TalkKpi::Queued => "queued",
            TalkKpi::DeadLettered => "dead-lettered",
            TalkKpi::Lost => "lost",
            TalkKpi::Cost => "cost so far",
        }
    }
}

/// One step of a talk: when it comes, what it does, and what the audience reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Beat {
    /// The simulated second at which the beat comes by itself while the run plays;
    /// absent, it comes when the presenter presses "next".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// What the audience reads while the beat is current (one or two sentences).
    pub caption: String,
    /// What the beat does (default: nothing but its caption).
    #[serde(default, skip_serializing_if = "BeatAction::is_caption")]
    pub action: BeatAction,
}

/// What a beat does when it comes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BeatAction {
    /// Nothing: only the caption changes.
    #[default]
    Caption,
    /// Start (or resume) the simulation's clock.
    Play,
    /// Stop the simulation's clock.
    Pause,
    /// Go to this second of the run and pause there.
    Jump {
        /// The simulated second to show.
        to_s: f64,
    },
    /// A client's load changes at the beat's second (a new phase of its schedule; later
    /// phases are dropped).
    Load {
        /// The client.
        node: String,
        /// The new rate in requests per second.
        rate_per_s: f64,
        /// Seconds to ramp to it; 0 is a step.
        #[serde(default)]
        ramp_s: f64,
    },
    /// Inject this fault; its `at_s` counts from the beat's second (0: at once).
    Fault(Fault),
    /// Set one parameter of a node (its path inside `params`, dots between fields), of a
    /// connection (its path inside the edge, such as `esm.maximum_concurrency`), or of
    /// the account when both are absent. The run shows the same second as if the design
    /// had always been so.
    Set {
        /// The node whose parameter changes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        node: Option<String>,
        /// The connection whose setting changes (not with `node`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        edge: Option<EdgeEnds>,
        /// The parameter's path, such as `reserved_concurrency` or `esm.batch_size`.
        param: String,
        /// The new value, as the file format writes it.
        value: serde_json::Value,
    },
    /// Switch to another variant of the lesson (a preset's id in the page), at the same
    /// second.
    Variant {
        /// The variant's id.
        preset: String,
    },
}

/// A connection named by its two ends (a scenario has at most one edge per ordered pair).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdgeEnds {
    /// Id of the calling node.
    pub from: String,
    /// Id of the called node.
    pub to: String,
}

impl EdgeEnds {
    /// Whether `edge` is this connection.
    pub fn names(&self, edge: &super::Edge) -> bool {
        edge.from == self.from && edge.to == self.to
    }
}

impl BeatAction {
    fn is_caption(&self) -> bool {
        matches!(self, BeatAction::Caption)
    }
}

/// What the host does when a beat comes.
#[derive(Clone, Debug, PartialEq)]
pub enum BeatEffect {
    /// Only the caption changes.
    Caption,
    /// Start the clock.
    Play,
    /// Stop the clock.
    Pause,
    /// Show this second, paused.
    Jump(f64),
    /// Run this scenario up to the current second and carry on as before.
    Changed(Box<Scenario>),
    /// Load this variant (its id) at the current second.
    Variant(String),
}

impl Beat {
    /// What this beat does to `scenario` when it comes at second `now_s`. A change the
    /// scenario cannot take (a parameter out of range, a node that is not a client) is
    /// refused with the reason, and the host keeps what it shows.
    pub fn apply(&self, scenario: &Scenario, now_s: f64) -> Result<BeatEffect, String> {
        let now_s = now_s.clamp(0.0, scenario.duration_s.max(0.0));
        Ok(match &self.action {
            BeatAction::Caption => BeatEffect::Caption,
            BeatAction::Play => BeatEffect::Play,
            BeatAction::Pause => BeatEffect::Pause,
            BeatAction::Jump { to_s } => BeatEffect::Jump(to_s.clamp(0.0, scenario.duration_s)),
            BeatAction::Variant { preset } => BeatEffect::Variant(preset.clone()),
            BeatAction::Load {
                node,
                rate_per_s,
                ramp_s,
            } => {
                let mut s = scenario.clone();
                let i = s
                    .node_index(node)
                    .ok_or_else(|| format!("no node with id {node:?}"))?;
                let NodeKind::Client(c) = &mut s.nodes[i].kind else {
                    return Err(format!("{node:?} is not a client: only clients have load"));
                };
                c.schedule.retain(|p| p.at_s < now_s);
                c.schedule.push(Phase {
                    at_s: now_s,
                    rate_per_s: *rate_per_s,
                    ramp_s: *ramp_s,
                });
                checked(s)?
            }
            BeatAction::Fault(fault) => {
                let mut s = scenario.clone();
                let mut fault = fault.clone();
                fault.at_s += now_s;
                s.faults.push(fault);
                checked(s)?
            }
            BeatAction::Set {
                node,
                edge,
                param,
                value,
            } => {
                let target = match (node, edge) {
                    (Some(_), Some(_)) => return Err(BOTH_TARGETS.into()),
                    (Some(id), None) => Target::Node(id),
                    (None, Some(ends)) => Target::Edge(ends),
                    (None, None) => Target::Account,
                };
                checked(set_param(scenario, target, param, value)?)?
            }
        })
    }
}

/// The scenario after a change, if it is still valid.
fn checked(s: Scenario) -> Result<BeatEffect, String> {
    s.validate().map_err(|e| e.to_string())?;
    Ok(BeatEffect::Changed(Box::new(s)))
}

/// `scenario` with one parameter set, read back through the file format's own reader
/// (`json_path::read`, from text: `serde_json::from_value` would compile a second copy of
/// every node kind's deserializer into the page, ~200 KiB of wasm).
fn set_param(
    scenario: &Scenario,
    target: Target<'_>,
    param: &str,
    value: &serde_json::Value,
) -> Result<Scenario, String> {
    let mut s = scenario.clone();
    let fields: Vec<&str> = param.split('.').collect();
    if fields.iter().any(|f| f.is_empty()) {
        return Err(format!("{param:?} is not a parameter path"));
    }
    let set = |root: &mut serde_json::Value| -> Result<(), String> {
        let mut at = root;
        for f in &fields[..fields.len() - 1] {
            let object = at
                .as_object_mut()
                .ok_or_else(|| format!("{param:?}: {f} is not inside an object"))?;
            at = object
                .entry((*f).to_owned())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
        }
        let object = at
            .as_object_mut()
            .ok_or_else(|| format!("{param:?} is not inside an object"))?;
        object.insert(fields[fields.len() - 1].to_owned(), value.clone());
        Ok(())
    };
    match target {
        Target::Node(id) => {
            let i = s
                .node_index(id)
                .ok_or_else(|| format!("no node with id {id:?}"))?;
            let mut v = serde_json::to_value(&s.nodes[i]).map_err(|e| e.to_string())?;
            let params = v
                .as_object_mut()
                .map(|o| {
                    o.entry("params")
                        .or_insert_with(|| serde_json::Value::Object(Default::default()))
                })
                .ok_or("a node is an object")?;
            set(params)?;
            s.nodes[i] = super::json_path::read(&v).map_err(|(_, e)| format!("{param}: {e}"))?;
        }
        Target::Edge(ends) => {
            if matches!(fields[0], "from" | "to") {
                return Err(EDGE_ENDS_FIXED.into());
            }
            let edge = s
                .edges
                .iter_mut()
                .find(|e| ends.names(e))
                .ok_or_else(|| no_edge(ends))?;
            let mut v = serde_json::to_value(&*edge).map_err(|e| e.to_string())?;
            set(&mut v)?;
            *edge = super::json_path::read(&v).map_err(|(_, e)| format!("{param}: {e}"))?;
        }
        Target::Account => {
            let mut v = serde_json::to_value(&s.account).map_err(|e| e.to_string())?;
            set(&mut v)?;
            s.account = super::json_path::read(&v).map_err(|(_, e)| format!("{param}: {e}"))?;
        }
    }
    Ok(s)
}

/// What a `set` beat changes.
enum Target<'a> {
    Node(&'a str),
    Edge(&'a EdgeEnds),
    Account,
}

/// Why a `set` naming both a node and a connection is refused.
pub(crate) const BOTH_TARGETS: &str = "names both a node and a connection: a set changes one";
/// Why a `set` of a connection's `from` or `to` is refused.
pub(crate) const EDGE_ENDS_FIXED: &str =
    "a connection's ends are not settings (rewire it in the diagram)";

/// Why a `set` naming a connection the scenario does not have is refused.
pub(crate) fn no_edge(ends: &EdgeEnds) -> String {
    format!("no connection {:?} → {:?}", ends.from, ends.to)
}

impl Scenario {
    /// The scenario without its script: what the engine and the checks of a beat's
    /// change look at.
    pub fn without_talk(&self) -> Scenario {
        Scenario {
            talk: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let mut s = Scenario::client_to_function(10.0, 50, 100.0, 60.0, 1);
        s.duration_s = 60.0;
        s
    }

    fn beat(action: BeatAction) -> Beat {
        Beat {
            at_s: None,
            caption: "c".into(),
            action,
        }
    }

    fn changed(e: BeatEffect) -> Scenario {
        match e {
            BeatEffect::Changed(s) => *s,
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn a_load_beat_adds_a_phase_at_its_second_and_drops_later_ones() {
        let s = scenario();
        let id = s.nodes[0].id.clone();
        let once = changed(
            beat(BeatAction::Load {
                node: id.clone(),
                rate_per_s: 40.0,
                ramp_s: 0.0,
            })
            .apply(&s, 20.0)
            .expect("a client"),
        );
        let twice = changed(
            beat(BeatAction::Load {
                node: id.clone(),
                rate_per_s: 5.0,
                ramp_s: 2.0,
            })
            .apply(&once, 10.0)
            .expect("a client"),
        );
        let NodeKind::Client(c) = &twice.nodes[0].kind else {
            panic!("a client")
        };
        assert_eq!(
            c.schedule.len(),
            1,
            "the phase at 20 s is after 10 s: dropped"
        );
        assert_eq!(c.schedule[0].rate_per_s, 5.0);
        let not_client = beat(BeatAction::Load {
            node: s.nodes[1].id.clone(),
            rate_per_s: 1.0,
            ramp_s: 0.0,
        })
        .apply(&s, 1.0);
        assert!(not_client.expect_err("refused").contains("not a client"));
    }

    #[test]
    fn a_fault_beat_starts_at_the_beats_second() {
        let s = scenario();
        let f = Fault {
            node: s.nodes[1].id.clone(),
            at_s: 2.0,
            duration_s: 5.0,
            kind: super::super::FaultKind::Outage,
        };
        let after = changed(beat(BeatAction::Fault(f)).apply(&s, 30.0).expect("valid"));
        assert_eq!(after.faults[0].at_s, 32.0);
    }

    #[test]
    fn a_set_beat_goes_through_the_format_reader_and_validation() {
        let s = scenario();
        let id = s.nodes[1].id.clone();
        let after = changed(
            beat(BeatAction::Set {
                node: Some(id.clone()),
                edge: None,
                param: "memory_mb".into(),
                value: serde_json::json!(2048),
            })
            .apply(&s, 0.0)
            .expect("valid"),
        );
        let NodeKind::Lambda(l) = &after.nodes[1].kind else {
            panic!("a function")
        };
        assert_eq!(l.memory_mb, 2048);
        let account = changed(
            beat(BeatAction::Set {
                node: None,
                edge: None,
                param: "lambda_concurrency".into(),
                value: serde_json::json!(500),
            })
            .apply(&s, 0.0)
            .expect("valid"),
        );
        assert_eq!(account.account.lambda_concurrency, 500);
        for (param, value, why) in [
            ("memory_mb", serde_json::json!(1), "outside"),
            ("memory_mb", serde_json::json!("big"), "memory_mb"),
            ("no_such_field", serde_json::json!(1), "no_such_field"),
            ("memory_mb..x", serde_json::json!(1), "not a parameter path"),
        ] {
            let e = beat(BeatAction::Set {
                node: Some(id.clone()),
                edge: None,
                param: param.into(),
                value,
            })
            .apply(&s, 0.0)
            .expect_err("refused");
            assert!(e.contains(why), "{param}: {e}");
        }
    }

    #[test]
    fn a_set_beat_changes_a_connection_setting_and_refuses_what_it_cannot_be() {
        let s = super::super::bench_queue_scenario();
        let set = |edge: Option<(&str, &str)>, node: Option<&str>, param: &str, value| {
            beat(BeatAction::Set {
                node: node.map(str::to_owned),
                edge: edge.map(|(from, to)| EdgeEnds {
                    from: from.into(),
                    to: to.into(),
                }),
                param: param.into(),
                value,
            })
            .apply(&s, 10.0)
        };
        let after = changed(
            set(
                Some(("q", "fn")),
                None,
                "esm.maximum_concurrency",
                serde_json::json!(5),
            )
            .expect("valid"),
        );
        let esm = after.edges[2].esm.as_ref().expect("a mapping");
        assert_eq!(esm.maximum_concurrency, Some(5));
        assert_eq!(esm.batch_size, 1, "the other settings stay");
        assert_eq!(after.edges[..2], s.edges[..2], "the other connections stay");
        for (edge, node, param, value, why) in [
            (
                Some(("q", "c")),
                None,
                "esm.batch_size",
                serde_json::json!(5),
                "no connection \"q\" → \"c\"",
            ),
            (
                Some(("q", "fn")),
                Some("fn"),
                "memory_mb",
                serde_json::json!(512),
                "names both",
            ),
            (
                Some(("q", "fn")),
                None,
                "to",
                serde_json::json!("api"),
                "ends are not settings",
            ),
            (
                Some(("q", "fn")),
                None,
                "esm.maximum_concurrency",
                serde_json::json!(1),
                "maximum_concurrency",
            ),
            (
                Some(("q", "fn")),
                None,
                "esm.no_such_setting",
                serde_json::json!(1),
                "no_such_setting",
            ),
        ] {
            let e = set(edge, node, param, value).expect_err("refused");
            assert!(e.contains(why), "{param}: {e}");
        }
    }

    #[test]
    fn actions_read_as_the_docs_write_them() {
        let beats: Vec<Beat> = serde_json::from_str(
            r#"[{"caption":"a"},
                {"caption":"b","action":"pause"},
                {"at_s":5,"caption":"c","action":{"jump":{"to_s":30}}},
                {"caption":"d","action":{"load":{"node":"c","rate_per_s":9}}},
                {"caption":"e","action":{"fault":{"node":"f","at_s":0,"duration_s":9,"kind":"outage"}}},
                {"caption":"f","action":{"set":{"node":"f","param":"memory_mb","value":512}}},
                {"caption":"g","action":{"variant":{"preset":"lesson02-after"}}},
                {"caption":"h","action":{"set":{"edge":{"from":"q","to":"f"},"param":"esm.batch_size","value":5}}}]"#,
        )
        .expect("reads");
        assert_eq!(beats.len(), 8);
        assert_eq!(beats[1].action, BeatAction::Pause);
        let unknown: Result<Beat, _> = serde_json::from_str(r#"{"caption":"a","action":"dance"}"#);
        assert!(unknown.is_err());
        let extra: Result<Beat, _> = serde_json::from_str(r#"{"caption":"a","when":3}"#);
        assert!(extra.is_err());
    }

    #[test]
    fn validation_names_each_bad_beat_at_its_path() {
        let mut s = scenario();
        let f = s.nodes[1].id.clone();
        let c = s.nodes[0].id.clone();
        let json = serde_json::json!({"kpis": ["cost", "cost", "failed", "queued"], "beats": [
            {"caption": " "},
            {"at_s": 61, "caption": "late"},
            {"caption": "x", "action": {"jump": {"to_s": -1}}},
            {"caption": "x", "action": {"load": {"node": f, "rate_per_s": 1}}},
            {"caption": "x", "action": {"load": {"node": c, "rate_per_s": f64::MAX}}},
            {"caption": "x", "action": {"fault": {"node": c, "at_s": 0, "duration_s": 1, "kind": "outage"}}},
            {"caption": "x", "action": {"fault": {"node": "ghost", "at_s": 0, "duration_s": 1, "kind": "outage"}}},
            {"caption": "x", "action": {"variant": {"preset": ""}}},
            {"caption": "a\u{7}b"},
            {"at_s": 60, "caption": "x"},
            {"at_s": 20, "caption": "x"},
            {"caption": "x", "action": {"set": {"edge": {"from": c, "to": "ghost"}, "param": "breaker", "value": null}}},
            {"caption": "x", "action": {"set": {"edge": {"from": f, "to": c}, "param": "invocation", "value": "sync"}}},
            {"caption": "x", "action": {"set": {"node": f, "edge": {"from": c, "to": f}, "param": "memory_mb", "value": 512}}},
            {"caption": "x", "action": {"set": {"edge": {"from": c, "to": f}, "param": "from", "value": "f"}}}
        ]});
        s.talk = Some(serde_json::from_value(json).expect("reads"));
        let e = s.validate().expect_err("refused").to_string();
        for expected in [
            "talk.kpis: 4 figures",
            "talk.kpis[1]: cost so far is listed twice",
            "talk.beats[0].caption: a beat needs a caption",
            "talk.beats[1].at_s: 61 is outside",
            "talk.beats[2].action.jump.to_s",
            "talk.beats[3].action.load.node",
            "talk.beats[4].action.load.rate_per_s",
            "talk.beats[5].action.fault.kind: a client only takes spike faults",
            "talk.beats[6].action.fault.node: no node with id \"ghost\"",
            "talk.beats[7].action.variant.preset: names no variant",
            "talk.beats[8].caption: contains a control character",
            "talk.beats[10].at_s: 20 s comes before an earlier beat's",
            "talk.beats[11].action.set.edge.to: no node with id \"ghost\"",
            "talk.beats[12].action.set.edge: no connection",
            "talk.beats[13].action.set: names both a node and a connection",
            "talk.beats[14].action.set.param: a connection's ends are not settings",
        ] {
            assert!(e.contains(expected), "missing {expected:?} in:\n{e}");
        }
        // A parameter is checked on a copy once the rest is valid.
        s.talk = Some(Talk {
            beats: vec![beat(BeatAction::Set {
                node: Some(f.clone()),
                edge: None,
                param: "timeout_s".into(),
                value: serde_json::json!(10_000),
            })],
            kpis: Vec::new(),
            speed: None,
        });
        let e = s.validate().expect_err("refused").to_string();
        assert!(e.contains("talk.beats[0].action.set"), "{e}");
        // Removing the node a beat changes keeps the beat's caption.
        s.remove_node_and_refs(&f);
        let t = s.talk.as_ref().expect("kept");
        assert_eq!(t.beats.len(), 1);
        assert_eq!(t.beats[0].action, BeatAction::Caption);
    }

    #[test]
    fn a_script_does_not_change_the_report() {
        let plain = scenario();
        let mut scripted = plain.clone();
        scripted.talk = Some(Talk {
            beats: vec![beat(BeatAction::Pause)],
            kpis: vec![TalkKpi::Throttled],
            speed: Some(20.0),
        });
        let a = crate::Simulation::new(&plain).expect("valid").run();
        let b = crate::Simulation::new(&scripted).expect("valid").run();
        assert_eq!(a.to_json(), b.to_json());
    }
}
