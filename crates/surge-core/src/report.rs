//! Plain-data results: the ledger, per-function figures and per-second series.
//!
//! Why plain data: the browser, the CLI and the tests read results without touching engine
//! internals. These types serialize (for `surge run --json` and the web page) but are never
//! read back: they are outputs, not a format.

use serde::Serialize;

/// Conservation ledger: every arrival is in exactly one of these states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// Requests that arrived at a function.
    pub arrived: u64,
    /// Requests that ran to completion.
    pub succeeded: u64,
    /// Requests refused because the function was at its concurrency limit.
    pub throttled: u64,
    /// Requests still running when the report was taken.
    pub in_flight: u64,
}

impl Ledger {
    /// Whether every arrival is accounted for exactly once.
    pub fn balances(&self) -> bool {
        self.succeeded + self.throttled + self.in_flight == self.arrived
    }
}

/// One simulated second of one function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SecondSample {
    /// Requests that arrived during the second.
    pub arrivals: u64,
    /// Requests throttled during the second.
    pub throttled: u64,
    /// Invocations that finished during the second.
    pub completed: u64,
    /// Time-weighted mean number of running invocations over the second.
    pub mean_concurrency: f64,
    /// Most invocations running at once during the second.
    pub peak_concurrency: u32,
}

/// Results for one function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionReport {
    /// The node's id.
    pub id: String,
    /// The node's display name.
    pub name: String,
    /// Its concurrency limit.
    pub concurrency_limit: u32,
    /// Its requests, by state.
    pub ledger: Ledger,
    /// Share of arrivals that were throttled (0 when nothing arrived).
    pub throttle_ratio: f64,
    /// Time-weighted mean concurrency over the simulated time so far.
    pub mean_concurrency: f64,
    /// Most invocations running at once.
    pub peak_concurrency: u32,
    /// Mean duration of completed invocations, in milliseconds.
    pub mean_duration_ms: f64,
    /// One sample per simulated second so far.
    pub series: Vec<SecondSample>,
}

/// Everything a run produced up to `time_s`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The seed the run used.
    pub seed: u64,
    /// Simulated time the report covers, in seconds.
    pub time_s: f64,
    /// Whether the run reached the scenario's end.
    pub finished: bool,
    /// Number of events the engine processed.
    pub events: u64,
    /// All requests of the run, by state.
    pub ledger: Ledger,
    /// Sum of the functions' mean concurrencies.
    pub mean_concurrency: f64,
    /// Per function, in scenario order.
    pub functions: Vec<FunctionReport>,
}

impl Report {
    /// The report as pretty JSON; byte-identical for the same scenario and seed everywhere.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// What the canvas draws at one instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Frame {
    /// Simulated time of the frame, in seconds.
    pub time_s: f64,
    /// Running invocations and limit per function, in scenario order.
    pub functions: Vec<FunctionFrame>,
}

/// One function at one instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FunctionFrame {
    /// The node's id.
    pub id: String,
    /// Invocations running now.
    pub concurrency: u32,
    /// The concurrency limit.
    pub limit: u32,
}
