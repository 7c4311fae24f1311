//! The scenario: the one serialized type that goes into the engine.
//!
//! Why one type: the editor, share links, the CLI and the golden tests all speak the same
//! JSON, so a scenario built in the browser runs identically from the command line. The
//! format is self-describing (`"format": "surge-scenario"`) and versioned; fields have
//! defaults so small files stay small. Engine state is never serialized: only this.
//!
//! This is the foundation's first model: clients sending requests to functions with a
//! concurrency limit. The engine issue extends the node kinds; the envelope stays.

use serde::{Deserialize, Serialize};

use crate::error::{ScenarioError, ScenarioErrors};

/// The `format` tag every scenario file carries.
pub const FORMAT_TAG: &str = "surge-scenario";
/// The newest scenario version this build reads and writes.
pub const CURRENT_VERSION: u32 = 1;
/// The seed used when a scenario does not name one.
pub const DEFAULT_SEED: u64 = 1;

/// Upper bound on any arrival rate (requests per second).
pub const MAX_RATE_PER_S: f64 = 10_000_000.0;
/// Upper bound on a run's simulated length (one week).
pub const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// Lambda's hard timeout: no invocation lasts longer (900 s).
pub const MAX_FUNCTION_DURATION_MS: f64 = 900_000.0;
/// Upper bound on a function's concurrency limit.
pub const MAX_CONCURRENCY: u32 = 1_000_000;

/// A complete, runnable description of an architecture, its load and its run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Always [`FORMAT_TAG`]; lets a reader recognise the file.
    pub format: String,
    /// Format version; older versions are migrated on read.
    pub version: u32,
    /// Seed of the run's single PRNG. Same scenario + seed ⇒ same run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated length of the run in seconds; arrivals stop at this time.
    #[serde(default = "default_duration_s")]
    pub duration_s: f64,
    /// The services on the canvas.
    pub nodes: Vec<Node>,
    /// Connections from a caller's output to a callee's input.
    #[serde(default)]
    pub edges: Vec<Edge>,
}

/// One service on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Unique identifier, referenced by edges.
    pub id: String,
    /// Display name; defaults to the id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Position on the canvas (editor only; the engine ignores it).
    #[serde(default)]
    pub position: Position,
    /// What the node is, with its parameters.
    #[serde(flatten)]
    pub kind: NodeKind,
}

/// Canvas coordinates of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Horizontal position in canvas units.
    pub x: f64,
    /// Vertical position in canvas units.
    pub y: f64,
}

/// The kind of a node and its parameters: `{"kind": "lambda", "params": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "params", rename_all = "snake_case")]
pub enum NodeKind {
    /// An open-loop source of requests.
    Client(ClientParams),
    /// A function with a concurrency limit; excess requests are throttled.
    Lambda(LambdaParams),
}

impl NodeKind {
    /// The `kind` string as it appears in JSON.
    pub fn tag(&self) -> &'static str {
        match self {
            NodeKind::Client(_) => "client",
            NodeKind::Lambda(_) => "lambda",
        }
    }
}

/// Parameters of a client (workload source).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientParams {
    /// Mean arrival rate in requests per second.
    pub rate_per_s: f64,
    /// How arrivals are spaced in time.
    pub arrivals: ArrivalProcess,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            rate_per_s: 100.0,
            arrivals: ArrivalProcess::Poisson,
        }
    }
}

/// Spacing of arrivals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalProcess {
    /// Exponential inter-arrival times (a Poisson process).
    #[default]
    Poisson,
    /// Exactly `1 / rate` between arrivals.
    Constant,
}

/// Parameters of a function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LambdaParams {
    /// Most invocations running at once; more are throttled (HTTP 429).
    pub concurrency_limit: u32,
    /// Mean duration of one invocation in milliseconds.
    pub mean_duration_ms: f64,
    /// Distribution of the duration around its mean.
    pub duration: DurationDistribution,
}

impl Default for LambdaParams {
    fn default() -> Self {
        LambdaParams {
            concurrency_limit: 1000,
            mean_duration_ms: 100.0,
            duration: DurationDistribution::Exponential,
        }
    }
}

/// Distribution of a duration around its mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationDistribution {
    /// Exponentially distributed (memoryless; what queueing formulas assume).
    #[default]
    Exponential,
    /// Always exactly the mean.
    Fixed,
}

/// A connection from `from`'s output port to `to`'s input port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Id of the calling node.
    pub from: String,
    /// Id of the called node.
    pub to: String,
}

fn default_seed() -> u64 {
    DEFAULT_SEED
}

fn default_duration_s() -> f64 {
    60.0
}

impl Scenario {
    /// The foundation's tiny model: one Poisson client calling one function.
    pub fn client_to_function(
        rate_per_s: f64,
        concurrency_limit: u32,
        mean_duration_ms: f64,
        duration_s: f64,
        seed: u64,
    ) -> Scenario {
        Scenario {
            format: FORMAT_TAG.to_owned(),
            version: CURRENT_VERSION,
            seed,
            duration_s,
            nodes: vec![
                Node {
                    id: "client".into(),
                    name: "Clients".into(),
                    position: Position { x: 80.0, y: 120.0 },
                    kind: NodeKind::Client(ClientParams {
                        rate_per_s,
                        arrivals: ArrivalProcess::Poisson,
                    }),
                },
                Node {
                    id: "fn".into(),
                    name: "Function".into(),
                    position: Position { x: 360.0, y: 120.0 },
                    kind: NodeKind::Lambda(LambdaParams {
                        concurrency_limit,
                        mean_duration_ms,
                        duration: DurationDistribution::Exponential,
                    }),
                },
            ],
            edges: vec![Edge {
                from: "client".into(),
                to: "fn".into(),
            }],
        }
    }

    /// Parses and validates a scenario from JSON. Errors name the field path.
    pub fn from_json(json: &str) -> Result<Scenario, ScenarioErrors> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            ScenarioErrors::one(ScenarioError::new(
                if path == "." { String::new() } else { path },
                e.into_inner().to_string(),
            ))
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as pretty JSON (the file format).
    pub fn to_json(&self) -> String {
        // Serializing plain structs of strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every rule a runnable scenario must meet; reports all violations at once.
    pub fn validate(&self) -> Result<(), ScenarioErrors> {
        let mut errs = Vec::new();
        let mut err = |path: String, reason: String| errs.push(ScenarioError::new(path, reason));

        if self.format != FORMAT_TAG {
            err(
                "format".into(),
                format!("expected \"{FORMAT_TAG}\", found \"{}\"", self.format),
            );
        }
        if self.version == 0 || self.version > CURRENT_VERSION {
            err(
                "version".into(),
                format!(
                    "version {} is not supported (1..={CURRENT_VERSION})",
                    self.version
                ),
            );
        }
        if !(self.duration_s > 0.0 && self.duration_s <= MAX_DURATION_S) {
            err(
                "duration_s".into(),
                format!("must be in (0, {MAX_DURATION_S}] seconds"),
            );
        }
        if self.nodes.is_empty() {
            err("nodes".into(), "a scenario needs at least one node".into());
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let at = |field: &str| format!("nodes[{i}].{field}");
            if node.id.trim().is_empty() {
                err(at("id"), "must not be empty".into());
            } else if self.nodes[..i].iter().any(|n| n.id == node.id) {
                err(at("id"), format!("duplicate node id \"{}\"", node.id));
            }
            match &node.kind {
                NodeKind::Client(p) => {
                    if !(p.rate_per_s > 0.0 && p.rate_per_s <= MAX_RATE_PER_S) {
                        err(
                            at("params.rate_per_s"),
                            format!("must be in (0, {MAX_RATE_PER_S}] requests per second"),
                        );
                    }
                    let outgoing = self.edges.iter().filter(|e| e.from == node.id).count();
                    if outgoing != 1 {
                        err(
                            at("id"),
                            format!("a client needs exactly one outgoing edge, found {outgoing}"),
                        );
                    }
                }
                NodeKind::Lambda(p) => {
                    if !(1..=MAX_CONCURRENCY).contains(&p.concurrency_limit) {
                        err(
                            at("params.concurrency_limit"),
                            format!("must be in 1..={MAX_CONCURRENCY}"),
                        );
                    }
                    if !(p.mean_duration_ms > 0.0 && p.mean_duration_ms <= MAX_FUNCTION_DURATION_MS)
                    {
                        err(
                            at("params.mean_duration_ms"),
                            format!(
                                "must be in (0, {MAX_FUNCTION_DURATION_MS}] ms (Lambda's 900 s timeout)"
                            ),
                        );
                    }
                }
            }
        }
        for (i, edge) in self.edges.iter().enumerate() {
            let from = self.nodes.iter().find(|n| n.id == edge.from);
            let to = self.nodes.iter().find(|n| n.id == edge.to);
            if from.is_none() {
                err(
                    format!("edges[{i}].from"),
                    format!("no node with id \"{}\"", edge.from),
                );
            }
            if to.is_none() {
                err(
                    format!("edges[{i}].to"),
                    format!("no node with id \"{}\"", edge.to),
                );
            }
            if let (Some(from), Some(to)) = (from, to) {
                let allowed = matches!(
                    (&from.kind, &to.kind),
                    (NodeKind::Client(_), NodeKind::Lambda(_))
                );
                if !allowed {
                    err(
                        format!("edges[{i}]"),
                        format!(
                            "a {} cannot call a {} (allowed: client → lambda)",
                            from.kind.tag(),
                            to.kind.tag()
                        ),
                    );
                }
            }
        }
        ScenarioErrors::from_vec(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_file_gets_defaults() {
        let s = Scenario::from_json(
            r#"{"format":"surge-scenario","version":1,
                "nodes":[{"id":"c","kind":"client","params":{}},
                         {"id":"f","kind":"lambda","params":{"concurrency_limit":5}}],
                "edges":[{"from":"c","to":"f"}]}"#,
        )
        .expect("valid");
        assert_eq!(s.seed, DEFAULT_SEED);
        assert_eq!(s.nodes[0].kind, NodeKind::Client(ClientParams::default()));
        let NodeKind::Lambda(p) = &s.nodes[1].kind else {
            panic!("lambda expected")
        };
        assert_eq!(p.concurrency_limit, 5);
        assert_eq!(Scenario::from_json(&s.to_json()).expect("round trip"), s);
    }

    fn errors_of(json: &str) -> String {
        Scenario::from_json(json)
            .expect_err("should be rejected")
            .to_string()
    }

    #[test]
    fn errors_name_the_field_path() {
        let e = errors_of(
            r#"{"format":"surge-scenario","version":1,
                "nodes":[{"id":"c","kind":"client","params":{"rate_per_s":-3}},
                         {"id":"f","kind":"lambda","params":{"mean_duration_ms":1e9}}],
                "edges":[{"from":"c","to":"f"},{"from":"f","to":"nowhere"}]}"#,
        );
        assert!(e.contains("nodes[0].params.rate_per_s"), "{e}");
        assert!(e.contains("nodes[1].params.mean_duration_ms"), "{e}");
        assert!(
            e.contains("edges[1].to: no node with id \"nowhere\""),
            "{e}"
        );
    }

    #[test]
    fn unknown_kind_and_fields_are_rejected_with_path() {
        let e = errors_of(
            r#"{"format":"surge-scenario","version":1,"nodes":[{"id":"x","kind":"mainframe","params":{}}]}"#,
        );
        assert!(e.contains("nodes[0]") && e.contains("mainframe"), "{e}");
        let e = errors_of(
            r#"{"format":"surge-scenario","version":1,"nodes":[{"id":"x","kind":"lambda","params":{"memroy":128}}]}"#,
        );
        assert!(e.contains("memroy"), "{e}");
    }

    #[test]
    fn wrong_format_version_and_edge_direction_are_rejected() {
        let e = errors_of(
            r#"{"format":"other","version":9,
                "nodes":[{"id":"c","kind":"client","params":{}},{"id":"f","kind":"lambda","params":{}}],
                "edges":[{"from":"f","to":"c"}]}"#,
        );
        assert!(e.contains("format: expected"), "{e}");
        assert!(e.contains("version: version 9"), "{e}");
        assert!(e.contains("a lambda cannot call a client"), "{e}");
        assert!(e.contains("exactly one outgoing edge"), "{e}");
    }
}
