//! The scenario: the one serialized type that goes into the engine.
//!
//! Why one type: the editor, share links, the CLI and the golden tests all speak the same
//! JSON, so a scenario built in the browser runs identically from the command line. The
//! format is self-describing (`"format": "surge-scenario"`) and versioned; every field has a
//! documented default so small files stay small. Engine state is never serialized: only this.
//! The JSON Schema in `docs/scenario.schema.json` is generated from these types (their doc
//! comments become the field descriptions the editor shows).

mod alarms;
mod annotations;
pub mod asl;
mod async_result;
pub(crate) mod bounds;
mod cron;
pub(crate) mod index;
mod json_path;
mod migrate;
mod nodes;
mod queues;
mod refs;
mod resilience;
mod rules;
mod strict;
mod talk;
mod validate;
mod workflows;
mod workload;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use alarms::{Alarm, AlarmMetric, Comparison, Statistic};
pub use annotations::{
    Annotation, AnnotationKind, MAX_ANNOTATION_CHARS, MAX_ANNOTATION_SIDE, MAX_ANNOTATIONS,
    MIN_ANNOTATION_SIDE,
};
pub use asl::AslError;
pub use async_result::{AsyncPattern, AsyncResult};
pub use cron::Cron;
pub use nodes::{
    ApiGatewayFlavour, ApiGatewayParams, CapacityMode, DbEngine, InstanceClass, LambdaParams,
    ProcessNew, RdsParams, RdsProxyParams, RecursiveLoop, Runtime, ServiceParams, ServicePreset,
    Step, StepDistribution, TableParams,
};
pub use queues::{
    BacklogOrder, BacklogPolicy, ConsumerSchedule, EventSourceMapping, FanoutParams, Overflow,
    PollerScaling, QueueParams, ScheduleParams, StreamMapping, StreamParams,
};
pub use refs::{RefAt, RefKind};
pub use resilience::{Admission, Backpressure, CircuitBreaker, WorkerPoolParams};
pub use rules::{EdgeRule, Invocation, edge_rule, edge_rules};
pub use talk::{
    Beat, BeatAction, BeatEffect, DEFAULT_TALK_SPEED, EdgeEnds, MAX_BEATS, MAX_CAPTION_CHARS,
    MAX_TALK_SPEED, Talk, TalkKpi,
};
pub use validate::{
    MAX_ALARMS, MAX_BRANCHES_PER_EXECUTION, MAX_DURATION_S, MAX_EDGES, MAX_FAULTS, MAX_ID_CHARS,
    MAX_NODES, MAX_RATE_PER_S, MAX_REQUESTS, MAX_STATES, MAX_STEPS,
};
pub use workflows::{
    Catcher, ChoiceRule, Definition, Jitter, Retrier, State, StateMachineParams, WorkflowFlavour,
};
pub use workload::{Arrivals, Backoff, ClientParams, DailyCurve, Phase, RetryMode, RetryPolicy};

use crate::error::{ScenarioError, ScenarioErrors};

/// The `format` tag every scenario file carries.
pub const FORMAT_TAG: &str = "surge-scenario";
/// The newest scenario version this build reads and writes.
pub const CURRENT_VERSION: u32 = 6;
/// The longest scenario text Surge reads (a 10,000-node scenario is about 2 MB).
pub const MAX_SCENARIO_BYTES: usize = 16_000_000;
/// Above this many expected requests a run is worth a warning (it takes a while).
pub const LONG_RUN_REQUESTS: f64 = 50e6;
/// The seed used when a scenario does not name one.
pub const DEFAULT_SEED: u64 = 1;

/// A complete, runnable description of an architecture, its load and its run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Always `"surge-scenario"`; lets a reader recognise the file.
    pub format: String,
    /// Format version; older versions are migrated on read.
    pub version: u32,
    /// Seed of the run's single random number generator. Same scenario + seed ⇒ same run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated length of the run in seconds; clients stop sending at this time.
    #[serde(default = "default_duration_s")]
    pub duration_s: f64,
    /// Account-wide settings shared by every node (Lambda pool, API Gateway throttle).
    #[serde(default)]
    pub account: Account,
    /// The services on the canvas.
    pub nodes: Vec<Node>,
    /// Connections from a caller's output port to a callee's input port.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Failures scheduled during the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
    /// CloudWatch-style metric alarms on nodes' metrics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<Alarm>,
    /// How finely the report's per-node series are kept: `auto` (per second for short
    /// runs, coarser as runs get longer or larger, so a report stays small), `per_second`,
    /// `per_minute` or `none`. Totals are the same whatever the resolution.
    #[serde(default, skip_serializing_if = "SeriesResolution::is_auto")]
    pub series: SeriesResolution,
    /// A script for talk mode: beats a presenter steps through, each with a caption and
    /// an action. The engine never reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub talk: Option<Talk>,
    /// Boxes (Region, VPC, Availability Zone, group) and notes drawn on the diagram. The
    /// engine never reads them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// The resolution of the report's per-node series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeriesResolution {
    /// One sample per second while nodes × samples stay within 100,000, else the
    /// shortest of 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 4, 6, 12 h or a day
    /// that does.
    #[default]
    Auto,
    /// One sample per second.
    PerSecond,
    /// One sample per minute.
    PerMinute,
    /// No series (totals only).
    None,
}

impl SeriesResolution {
    fn is_auto(&self) -> bool {
        *self == SeriesResolution::Auto
    }
}

/// Node-samples an `auto` series keeps at most.
pub const AUTO_SERIES_SAMPLES: u64 = 100_000;
/// Node-samples a run may keep with an explicit resolution.
pub const MAX_SERIES_SAMPLES: u64 = 5_000_000;
const AUTO_STEPS_S: [u64; 18] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 21_600, 43_200,
    86_400,
];

/// Account-and-Region settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<Account>)]
pub struct Account {
    /// Lambda concurrent executions for the whole account (AWS default 1,000; raisable).
    pub lambda_concurrency: u32,
    /// Concurrency that must stay unreserved (AWS: 100); reservations cannot eat into it.
    pub unreserved_minimum: u32,
    /// How fast Lambda may add execution environments under a surge.
    pub scaling: ScalingModel,
    /// Legacy model only: the account's immediate burst (500, 1,000 or 3,000 by Region).
    pub legacy_burst: u32,
    /// API Gateway account throttle: steady rate in requests per second (AWS: 10,000).
    pub api_gateway_rate_per_s: f64,
    /// API Gateway account throttle: token-bucket capacity (AWS: 5,000).
    pub api_gateway_burst: u32,
    /// Step Functions Standard state transitions: refill per second (AWS, big Regions:
    /// 1,500; elsewhere 500). Transitions beyond the bucket wait.
    pub step_functions_transition_rate_per_s: f64,
    /// Step Functions Standard state transitions: bucket capacity (big Regions 5,000;
    /// elsewhere 800).
    pub step_functions_transition_burst: u32,
    /// API Gateway WebSocket APIs: new connections per second for the account (AWS: 500,
    /// adjustable); a connection beyond it is refused.
    #[serde(skip_serializing_if = "is_default_websocket_rate")]
    pub websocket_connections_per_s: f64,
}

fn is_default_websocket_rate(r: &f64) -> bool {
    *r == DEFAULT_WEBSOCKET_CONNECTIONS_PER_S
}

/// AWS's default quota of new WebSocket connections per second.
pub const DEFAULT_WEBSOCKET_CONNECTIONS_PER_S: f64 = 500.0;

bounds::bounds!(Account {
    lambda_concurrency: Count(1.0, 1_000_000.0);
    legacy_burst: Count(1.0, 1_000_000.0);
    api_gateway_rate_per_s: Positive(MAX_RATE_PER_S), " req/s";
    api_gateway_burst: Count(1.0, 10_000_000.0);
    step_functions_transition_rate_per_s: Positive(MAX_RATE_PER_S), " per s";
    step_functions_transition_burst: Count(1.0, 10_000_000.0);
    websocket_connections_per_s: Positive(1_000_000.0), " per s";
});

impl Default for Account {
    fn default() -> Self {
        Account {
            lambda_concurrency: 1000,
            unreserved_minimum: 100,
            scaling: ScalingModel::Current,
            legacy_burst: 3000,
            api_gateway_rate_per_s: 10_000.0,
            api_gateway_burst: 5000,
            step_functions_transition_rate_per_s: 1500.0,
            step_functions_transition_burst: 5000,
            websocket_connections_per_s: DEFAULT_WEBSOCKET_CONNECTIONS_PER_S,
        }
    }
}

/// Lambda's scaling rule for new execution environments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScalingModel {
    /// Since Nov 2023: each function may add 1,000 environments every 10 s, independently.
    #[default]
    Current,
    /// Until Nov 2023: an account-wide burst (`legacy_burst`) at once, then +500 per minute.
    #[serde(rename = "legacy_2019")]
    Legacy2019,
}

/// One service on the canvas.
// Read by the strict deserializer in `strict.rs` (unknown fields are refused, and errors
// inside `params` keep their full path).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Node {
    /// Unique identifier, referenced by edges, handler steps and faults.
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

impl Node {
    /// The display name, or the id when no name is set.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// Canvas coordinates of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Horizontal position in canvas units.
    pub x: f64,
    /// Vertical position in canvas units.
    pub y: f64,
}

/// Declares the node kinds once: the enum, its tags, display names, defaults and the
/// strict reader's dispatch all come from this one list (see ARCHITECTURE.md, "Adding a
/// node kind").
macro_rules! node_kinds {
    ($( $(#[$doc:meta])* $variant:ident($params:ty) = $tag:literal, $name:literal, $noun:literal; )*) => {
        /// The kind of a node and its parameters: `{"kind": "lambda", "params": {...}}`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(tag = "kind", content = "params")]
        pub enum NodeKind {
            $( $(#[$doc])* #[serde(rename = $tag)] $variant($params), )*
        }

        impl NodeKind {
            /// Every kind tag, in the order the format documents them.
            pub const TAGS: &'static [&'static str] = &[$($tag),*];

            /// A node of kind `tag` with every parameter at its default (what the editor
            /// places).
            pub fn with_defaults(tag: &str) -> Option<NodeKind> {
                match tag {
                    $($tag => Some(NodeKind::$variant(<$params>::default())),)*
                    _ => None,
                }
            }

            /// The `kind` string as it appears in JSON.
            pub fn tag(&self) -> &'static str {
                match self {
                    $(NodeKind::$variant(_) => $tag,)*
                }
            }

            /// What people call a kind ("API Gateway", "Step Functions").
            pub fn display_name(tag: &str) -> Option<&'static str> {
                match tag {
                    $($tag => Some($name),)*
                    _ => None,
                }
            }

            /// What a sentence calls a node of kind `tag` ("queue q holds…").
            pub fn noun(tag: &str) -> &'static str {
                match tag {
                    $($tag => $noun,)*
                    _ => "node",
                }
            }

            /// Reads the parameters of kind `tag` from any deserializer.
            pub(crate) fn deserialize_params<'de, D: serde::Deserializer<'de>>(
                tag: &str,
                d: D,
            ) -> Result<NodeKind, D::Error> {
                match tag {
                    $($tag => Ok(NodeKind::$variant(Deserialize::deserialize(d)?)),)*
                    other => Err(serde::de::Error::unknown_variant(other, NodeKind::TAGS)),
                }
            }
        }
    };
}

node_kinds! {
    /// An open-loop source of requests, with timeout and retries.
    Client(ClientParams) = "client", "Clients", "client";
    /// API Gateway (REST or HTTP API): throttling, integration timeout, payload limit.
    ApiGateway(ApiGatewayParams) = "api_gateway", "API Gateway", "API";
    /// A Lambda function: concurrency, scaling, cold starts, a handler made of steps.
    Lambda(LambdaParams) = "lambda", "Lambda function", "function";
    /// RDS Proxy: a pool of database connections shared by many clients.
    RdsProxy(RdsProxyParams) = "rds_proxy", "RDS Proxy", "proxy";
    /// An RDS database instance: `max_connections`, vCPU slots, failover.
    Rds(RdsParams) = "rds", "RDS database", "database";
    /// A rate-limited service: a third-party API, Secrets Manager, CloudWatch.
    Service(ServiceParams) = "service", "Service", "service";
    /// An SQS queue, standard or FIFO: visibility timeout, redrive to a dead-letter queue,
    /// retention, delay.
    Sqs(QueueParams) = "sqs", "SQS queue", "queue";
    /// A Kinesis data stream: shards with write and read limits, partition keys, a hot key.
    Kinesis(StreamParams) = "kinesis", "Kinesis stream", "stream";
    /// A Step Functions state machine: tasks, choices, waits, Parallel, Map, Retry, Catch.
    StepFunctions(StateMachineParams) = "step_functions", "Step Functions", "state machine";
    /// An S3 bucket: each object written notifies every connected target.
    S3(FanoutParams) = "s3", "S3 bucket", "bucket";
    /// An SNS topic: each message published is delivered to every subscription.
    Sns(FanoutParams) = "sns", "SNS topic", "topic";
    /// An EventBridge schedule invoking its targets at a fixed rate or on a cron expression.
    Schedule(ScheduleParams) = "schedule", "EventBridge schedule", "schedule";
    /// A DynamoDB table: on-demand or provisioned capacity, per-partition limits.
    Dynamodb(TableParams) = "dynamodb", "DynamoDB table", "table";
    /// A pool of workers shared by tenants through shuffle sharding.
    WorkerPool(WorkerPoolParams) = "worker_pool", "Worker pool", "pool";
}

/// A connection from `from`'s output to `to`'s input. Which pairs may connect, and what
/// the connection means, is data (the connection rules, [`edge_rules`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Id of the calling node.
    pub from: String,
    /// Id of the called node.
    pub to: String,
    /// How the callee is invoked; defaults to the first kind the rules allow for the pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation: Option<Invocation>,
    /// Event source mapping settings (poll edges only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esm: Option<EventSourceMapping>,
    /// Stream event source mapping settings (stream edges only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamMapping>,
    /// A circuit breaker held by the caller (synchronous call edges only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<CircuitBreaker>,
}

impl Edge {
    /// The edge's invocation kind, explicit or the rules' default for its node kinds.
    pub fn invocation_for(&self, from_kind: &str, to_kind: &str) -> Option<Invocation> {
        self.invocation.or_else(|| {
            edge_rule(from_kind, to_kind)
                .ok()
                .map(EdgeRule::default_invocation)
        })
    }
}

/// A failure injected at a node for a while.
// Read by the strict deserializer in `strict.rs` (each kind takes only its own fields).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Fault {
    /// Id of the node the fault hits.
    pub node: String,
    /// When it starts, in seconds from the start of the run.
    pub at_s: f64,
    /// How long it lasts, in seconds.
    pub duration_s: f64,
    /// What goes wrong.
    #[serde(flatten)]
    pub kind: FaultKind,
}

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// The node refuses everything (503) for the duration.
    Outage,
    /// Every request at the node takes this much longer.
    AddedLatency {
        /// Extra milliseconds per request.
        ms: f64,
    },
    /// A share of the node's requests fail.
    ErrorRate {
        /// Probability in [0, 1] that a request fails.
        probability: f64,
    },
    /// RDS only: connections are dropped and the database is unavailable for the duration.
    Failover,
    /// Kinesis only: records written during the fault make their consumer fail.
    Poison,
    /// Client only: this many extra requests per second for the duration.
    Spike {
        /// Additional arrival rate in requests per second.
        rate_per_s: f64,
    },
}

fn default_seed() -> u64 {
    DEFAULT_SEED
}

fn default_duration_s() -> f64 {
    60.0
}

impl Scenario {
    /// An empty scenario of the current version.
    pub fn empty(seed: u64, duration_s: f64) -> Scenario {
        Scenario {
            format: FORMAT_TAG.to_owned(),
            version: CURRENT_VERSION,
            seed,
            duration_s,
            account: Account::default(),
            nodes: Vec::new(),
            edges: Vec::new(),
            faults: Vec::new(),
            alarms: Vec::new(),
            series: SeriesResolution::Auto,
            talk: None,
            annotations: Vec::new(),
        }
    }

    /// Adds a node and returns its id (builder helper for tests and presets).
    pub fn add(&mut self, id: &str, kind: NodeKind) -> &mut Self {
        let x = 80.0 + 220.0 * self.nodes.len() as f64;
        self.nodes.push(Node {
            id: id.to_owned(),
            name: String::new(),
            position: Position { x, y: 120.0 },
            kind,
        });
        self
    }

    /// Adds an edge (builder helper).
    pub fn connect(&mut self, from: &str, to: &str) -> &mut Self {
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            invocation: None,
            esm: None,
            stream: None,
            breaker: None,
        });
        self
    }

    /// The foundation's tiny model: a Poisson client calling one function whose
    /// concurrency is reserved and provisioned at `concurrency_limit` (so no cold starts),
    /// with exponentially distributed durations: an M/M/c/c loss system.
    pub fn client_to_function(
        rate_per_s: f64,
        concurrency_limit: u32,
        mean_duration_ms: f64,
        duration_s: f64,
        seed: u64,
    ) -> Scenario {
        let mut s = Scenario::empty(seed, duration_s);
        s.account.lambda_concurrency = s.account.lambda_concurrency.max(concurrency_limit + 100);
        s.add(
            "client",
            NodeKind::Client(ClientParams {
                rate_per_s,
                ..ClientParams::default()
            }),
        )
        .add(
            "fn",
            NodeKind::Lambda(LambdaParams {
                reserved_concurrency: Some(concurrency_limit),
                provisioned_concurrency: concurrency_limit,
                handler: vec![Step::Compute {
                    ms: mean_duration_ms,
                    distribution: StepDistribution::Exponential,
                }],
                timeout_s: 900.0,
                ..LambdaParams::default()
            }),
        )
        .connect("client", "fn");
        s.nodes[0].name = "Clients".into();
        s.nodes[1].name = "Function".into();
        s
    }

    /// Parses, migrates and validates a scenario from JSON. Errors name the field path.
    pub fn from_json(json: &str) -> Result<Scenario, ScenarioErrors> {
        let scenario = Scenario::parse_json(json)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Parses and migrates a scenario without validating it: the editor opens work in
    /// progress (say, a handler calling a node not yet connected) and lists its problems.
    /// A leading byte order mark is accepted; input over [`MAX_SCENARIO_BYTES`] is not.
    pub fn parse_json(json: &str) -> Result<Scenario, ScenarioErrors> {
        if json.len() > MAX_SCENARIO_BYTES {
            return Err(ScenarioErrors::one(ScenarioError::new(
                "",
                format!(
                    "the scenario is {:.1} MB; Surge reads scenarios of at most {} MB",
                    json.len() as f64 / 1e6,
                    MAX_SCENARIO_BYTES / 1_000_000
                ),
            )));
        }
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| ScenarioErrors::one(ScenarioError::new("", e.to_string())))?;
        let value = migrate::to_current(value)?;
        let scenario: Scenario = json_path::read(&value).map_err(|(mut path, mut reason)| {
            // An error read from a buffer carries the rest of its path in its message.
            let mark = strict::PATH_MARK;
            if let Some((inner, rest)) = reason
                .split_once(mark)
                .and_then(|(_, r)| r.split_once(mark))
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
            {
                path = format!("{path}.{inner}").trim_start_matches('.').to_owned();
                reason = rest;
            }
            ScenarioErrors::one(ScenarioError::new(path, reason))
        })?;
        Ok(scenario)
    }

    /// The scenario as pretty JSON (the file format).
    pub fn to_json(&self) -> String {
        // Serializing plain structs of strings and numbers cannot fail. Through a `Value`
        // (the same text: keys keep their order), so the web bundle holds one serializer
        // of the format, the one the inspector's `to_value` needs anyway.
        serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default()
    }

    /// Checks every rule a runnable scenario must meet; reports all violations at once.
    pub fn validate(&self) -> Result<(), ScenarioErrors> {
        validate::validate(self)
    }

    /// Things worth knowing before a valid scenario runs (it will be long, say); they do
    /// not stop it.
    pub fn warnings(&self) -> Vec<ScenarioError> {
        let mut out = Vec::new();
        let requests = validate::expected_requests(self);
        if requests > LONG_RUN_REQUESTS {
            out.push(ScenarioError::new(
                "nodes",
                format!(
                    "the clients will send about {}: expect the run to take minutes (its memory stays bounded; it stops cleanly if it outgrows its budget)",
                    if requests >= 1e9 {
                        format!("{:.1} billion requests", requests / 1e9)
                    } else {
                        format!("{:.0} million requests", requests / 1e6)
                    }
                ),
            ));
        }
        out
    }

    /// Seconds per sample of the report's per-node series (`None`: no series).
    pub fn series_step_s(&self) -> Option<u64> {
        let samples =
            |step: u64| (self.seconds_covered().div_ceil(step)) * self.nodes.len().max(1) as u64;
        match self.series {
            SeriesResolution::None => None,
            SeriesResolution::PerSecond => Some(1),
            SeriesResolution::PerMinute => Some(60),
            SeriesResolution::Auto => Some(
                AUTO_STEPS_S
                    .into_iter()
                    .find(|&step| samples(step) <= AUTO_SERIES_SAMPLES)
                    .unwrap_or(86_400),
            ),
        }
    }

    /// Samples the series will hold per node (at the given step).
    pub(crate) fn seconds_covered(&self) -> u64 {
        if self.duration_s.is_finite() && self.duration_s > 0.0 {
            libm::ceil(self.duration_s.min(MAX_DURATION_S)) as u64 + 1
        } else {
            1
        }
    }

    /// Index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}

/// The benchmark scenario: Poisson arrivals at 900/s into a function with reserved and
/// provisioned concurrency 100 and exponential 100 ms durations (Erlang B, 90 Erlangs),
/// for 1,111 s: about 1 M requests.
pub fn bench_scenario() -> Scenario {
    Scenario::client_to_function(900.0, 100, 100.0, 1_111.2, 1)
}

/// The queue benchmark: Poisson 900 messages/s through API Gateway into SQS, consumed by
/// an event source mapping (instant pollers, batch size 1, maximum concurrency 100) into a
/// function with exponential 100 ms durations (Erlang C), for 1,111 s: about 1 M messages.
pub fn bench_queue_scenario() -> Scenario {
    let mut s = Scenario::empty(1, 1_111.2);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 900.0,
            ..ClientParams::default()
        }),
    )
    .add("api", NodeKind::ApiGateway(ApiGatewayParams::default()))
    .add("q", NodeKind::Sqs(QueueParams::default()))
    .add(
        "fn",
        NodeKind::Lambda(LambdaParams {
            reserved_concurrency: Some(100),
            provisioned_concurrency: 100,
            handler: vec![Step::Compute {
                ms: 100.0,
                distribution: StepDistribution::Exponential,
            }],
            ..LambdaParams::default()
        }),
    )
    .connect("c", "api")
    .connect("api", "q")
    .connect("q", "fn");
    s.edges[2].esm = Some(EventSourceMapping {
        batch_size: 1,
        maximum_concurrency: Some(100),
        scaling: PollerScaling::Instant,
        ..EventSourceMapping::default()
    });
    s
}

/// The JSON Schema of the scenario format, generated from these types.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid scenario with every kind of node reference (for the walker's tests).
    pub(crate) fn every_reference() -> Scenario {
        let json = r#"{"format":"surge-scenario","version":3,"duration_s":5,
            "nodes":[
              {"id":"c","kind":"client","params":{"rate_per_s":5}},
              {"id":"api","kind":"api_gateway"},
              {"id":"f","kind":"lambda","params":{"handler":[{"compute":{"ms":10}},{"call":{"node":"q"}},{"call":{"node":"tbl"}}],
                 "on_failure":"dest","process_new":{"source":"tbl"}}},
              {"id":"q","kind":"sqs","params":{"dead_letter_queue":"dlq","max_receive_count":3}},
              {"id":"dlq","kind":"sqs"},
              {"id":"dest","kind":"sqs"},
              {"id":"m","kind":"step_functions","params":{"definition":{"start_at":"Fan","states":{
                 "Fan":{"type":"parallel","branches":[{"start_at":"Deep","states":{
                   "Deep":{"type":"map","items":2,"max_concurrency":0,"iterator":{"start_at":"Leaf","states":{
                     "Leaf":{"type":"task","resource":"g"}}}}}}]}}}}},
              {"id":"g","kind":"lambda","params":{"backpressure":{"queue":"dest","max_depth":10}}},
              {"id":"tbl","kind":"dynamodb"},
              {"id":"low","kind":"sqs"},
              {"id":"c2","kind":"client","params":{"rate_per_s":1}},
              {"id":"c3","kind":"client","params":{"rate_per_s":1,
                 "async_result":{"pattern":"poll","done_at":"g","status":"st"}}},
              {"id":"st","kind":"lambda"}],
            "edges":[{"from":"c","to":"api"},{"from":"api","to":"f"},{"from":"f","to":"tbl"},
              {"from":"q","to":"g","esm":{"backlog":{"overflow":{"older_than_s":5,"queue":"low"}}}},
              {"from":"f","to":"q"},{"from":"m","to":"g"},{"from":"c2","to":"m"},
              {"from":"c3","to":"api"},{"from":"c3","to":"st"}],
            "faults":[{"node":"f","at_s":1,"duration_s":1,"kind":"outage"}],
            "talk":{"beats":[{"caption":"load","action":{"load":{"node":"c","rate_per_s":9}}},
              {"caption":"fault","action":{"fault":{"node":"tbl","at_s":0,"duration_s":1,"kind":"outage"}}},
              {"caption":"set","action":{"set":{"node":"g","param":"memory_mb","value":512}}},
              {"caption":"edge","action":{"set":{"edge":{"from":"q","to":"g"},"param":"esm.maximum_concurrency","value":5}}},
              {"caption":"account","action":{"set":{"param":"lambda_concurrency","value":900}}}]}}"#;
        Scenario::from_json(json).expect("a valid fixture")
    }

    #[test]
    fn provisioned_concurrency_keeps_the_unreserved_minimum_free() {
        let mut s = Scenario::client_to_function(10.0, 10, 100.0, 10.0, 1);
        s.account.lambda_concurrency = 5_000;
        if let NodeKind::Lambda(l) = &mut s.nodes[1].kind {
            l.reserved_concurrency = None;
            l.provisioned_concurrency = 5_000;
        }
        let e = s
            .validate()
            .expect_err("the whole account provisioned")
            .to_string();
        assert!(e.contains("totals 5000, above the 4900"), "{e}");
        if let NodeKind::Lambda(l) = &mut s.nodes[1].kind {
            l.provisioned_concurrency = 4_900;
        }
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn every_kind_has_defaults_whose_parameters_validate() {
        for &tag in NodeKind::TAGS {
            let kind = NodeKind::with_defaults(tag).expect(tag);
            assert_eq!(kind.tag(), tag);
            assert!(NodeKind::display_name(tag).is_some() && NodeKind::noun(tag) != "node");
            let mut s = Scenario::empty(1, 10.0);
            s.add("n", kind);
            // A lone node may lack the edges it needs; its parameters must be fine.
            let errors = s.validate().err().map(|e| e.0).unwrap_or_default();
            assert!(
                errors.iter().all(|e| !e.path.contains("params")),
                "{tag}: {errors:?}"
            );
        }
        assert_eq!(NodeKind::with_defaults("mainframe"), None);
    }

    #[test]
    fn parse_json_keeps_work_in_progress_that_validation_refuses() {
        let json = r#"{"format":"surge-scenario","version":2,"nodes":[]}"#;
        assert!(Scenario::from_json(json).is_err());
        let parsed = Scenario::parse_json(json).expect("parses");
        assert!(parsed.nodes.is_empty());
    }
}
