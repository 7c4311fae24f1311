//! Step Functions state machines. The scenario stores Amazon States Language with the
//! simulation's settings beside it (see [`super::asl`]); this module holds the parameters
//! and the engine's compiled form of a definition: Task, Choice, Wait, Parallel, Map,
//! Succeed and Fail, with Retry and Catch.
//!
//! Why a compiled form with probabilities: Surge simulates load, not data, so a Choice
//! picks a branch by probability and a Map iterates a given number of items; everything
//! about timing, retries, catches and concurrency follows the documented semantics.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::asl::{AslError, Simulation, compile, default_asl, to_asl};

/// Parameters of a Step Functions state machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<StateMachineParams>)]
pub struct StateMachineParams {
    /// Standard (exactly-once, $0.025 per 1,000 transitions) or Express.
    pub flavour: WorkflowFlavour,
    /// StartExecution token bucket: refill per second (Standard, big Regions: 300).
    pub start_rate_per_s: f64,
    /// StartExecution token bucket capacity (Standard, big Regions: 1,300).
    pub start_burst: u32,
    /// The workflow in Amazon States Language (`StartAt`, `States`), as the console and
    /// templates hold it.
    #[schemars(with = "AslSchema")]
    #[serde(deserialize_with = "super::asl::deserialize_asl")]
    pub definition: Value,
    /// What the simulation needs that ASL cannot say, by state name: the node each Task
    /// calls, Choice probabilities, Map items, the time of Tasks calling nothing modelled.
    #[serde(skip_serializing_if = "Simulation::is_empty")]
    pub simulation: Simulation,
}

/// The schema of an ASL definition: an object (its states are checked when compiled).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct AslSchema {
    #[serde(rename = "StartAt")]
    start_at: String,
    #[serde(rename = "States")]
    states: BTreeMap<String, Value>,
}

impl StateMachineParams {
    /// The engine's form of the definition, or where and why it cannot be simulated.
    pub fn compiled(&self) -> Result<Definition, AslError> {
        compile(&self.definition, &self.simulation)
    }

    /// These parameters with an engine-form definition stored as ASL (its Tasks call
    /// functions unless `kind_of` says otherwise).
    pub fn with_definition(mut self, d: &Definition) -> Self {
        let (asl, sim) = to_asl(d, &|_| None);
        self.definition = asl;
        self.simulation = sim;
        self
    }
}

impl Default for StateMachineParams {
    fn default() -> Self {
        StateMachineParams {
            flavour: WorkflowFlavour::Standard,
            start_rate_per_s: 300.0,
            start_burst: 1300,
            definition: default_asl(),
            simulation: Simulation::default(),
        }
    }
}

/// Standard or Express workflows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowFlavour {
    /// Long-running, exactly-once; billed per state transition.
    #[default]
    Standard,
    /// Short (≤ 5 min), high rate; billed per request and duration.
    Express,
}

/// A set of states and where to start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Name of the first state.
    pub start_at: String,
    /// States by name.
    pub states: BTreeMap<String, State>,
}

/// One state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum State {
    /// Calls a connected node (a function or a service) and waits for it.
    Task {
        /// Id of the node to call (there must be an edge to it).
        resource: String,
        /// Retriers, tried in order for a matching error.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        retry: Vec<Retrier>,
        /// Catchers, applied after the retries are exhausted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        catch: Vec<Catcher>,
        /// The next state; none ends the branch successfully.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Picks the next state by probability (Surge simulates load, not data).
    Choice {
        /// Branches with their probabilities (summing to at most 1).
        choices: Vec<ChoiceRule>,
        /// Taken when no branch is picked.
        default: String,
    },
    /// Waits without cost.
    Wait {
        /// Seconds to wait.
        seconds: f64,
        /// The next state; none ends the branch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Runs every branch at once and waits for all of them.
    Parallel {
        /// The branches.
        branches: Vec<Definition>,
        /// Catchers for a failed branch.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        catch: Vec<Catcher>,
        /// The next state; none ends the branch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Runs the iterator once per item, at most `max_concurrency` at a time.
    Map {
        /// Items to process.
        items: u32,
        /// Most iterations at once (0: no limit; inline Map runs at most 40).
        max_concurrency: u32,
        /// The workflow of one iteration.
        iterator: Definition,
        /// Catchers for a failed iteration.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        catch: Vec<Catcher>,
        /// The next state; none ends the branch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<String>,
    },
    /// Ends the branch successfully.
    Succeed,
    /// Ends the branch with an error.
    Fail {
        /// The error name.
        #[serde(default = "fail_error")]
        error: String,
    },
}

fn fail_error() -> String {
    "States.Fail".into()
}

/// A probabilistic Choice branch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceRule {
    /// Probability of taking this branch.
    pub probability: f64,
    /// The state it leads to.
    pub next: String,
}

/// A Retry rule (ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds,
/// JitterStrategy).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Retrier {
    /// Error names it applies to; `States.ALL` matches every error.
    pub error_equals: Vec<String>,
    /// Wait before the first retry, in seconds (default 1).
    pub interval_seconds: f64,
    /// Retries at most (default 3; 0 never retries).
    pub max_attempts: u32,
    /// Multiplier of the wait per retry (default 2).
    pub backoff_rate: f64,
    /// Longest wait, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_delay_seconds: Option<f64>,
    /// `NONE` or `FULL` (a uniform draw in [0, wait]).
    pub jitter_strategy: Jitter,
}

impl Default for Retrier {
    fn default() -> Self {
        Retrier {
            error_equals: vec!["States.ALL".into()],
            interval_seconds: 1.0,
            max_attempts: 3,
            backoff_rate: 2.0,
            max_delay_seconds: None,
            jitter_strategy: Jitter::None,
        }
    }
}

impl Retrier {
    /// Wait in seconds before retry `n` (1-based), before jitter.
    pub fn delay_s(&self, n: u32) -> f64 {
        let d =
            self.interval_seconds * libm::pow(self.backoff_rate, f64::from(n.saturating_sub(1)));
        self.max_delay_seconds.map_or(d, |m| d.min(m))
    }
}

/// JitterStrategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Jitter {
    /// Exactly the computed wait.
    #[default]
    None,
    /// A uniform draw in [0, computed wait].
    Full,
}

/// A Catch rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catcher {
    /// Error names it applies to; `States.ALL` matches every error.
    pub error_equals: Vec<String>,
    /// The state to go to.
    pub next: String,
}

use super::MAX_RATE_PER_S;
use super::bounds::bounds;

bounds!(StateMachineParams {
    start_rate_per_s: Positive(MAX_RATE_PER_S), " per s";
    start_burst: Count(1.0, 10_000_000.0);
});
