//! Surge's simulation core: a deterministic discrete-event engine for serverless
//! architectures, with no knowledge of the browser.
//!
//! One serializable [`Scenario`] goes in; plain data comes out through a small step API:
//!
//! ```text
//!   Scenario (JSON) ──validate──▶ Simulation ──step / step_until / run──▶ Report, Frame
//! ```
//!
//! ```
//! use surge_core::{Scenario, Simulation, SimTime};
//!
//! // 50 req/s of a 200 ms function: Little's law says about 10 run at once.
//! let scenario = Scenario::client_to_function(50.0, 100, 200.0, 120.0, 7);
//! let mut sim = Simulation::new(&scenario).expect("valid scenario");
//! sim.step_until(SimTime::from_secs(60)); // e.g. one animation frame at a time
//! let report = sim.run();
//! assert!(report.ledger.balances());
//! let function = report.node("fn").expect("the function's figures");
//! assert!((function.mean_in_node - 10.0).abs() < 1.5);
//! ```
//!
//! Invariants (see ARCHITECTURE.md): simulated time is the integer [`SimTime`]; events at
//! equal times run in insertion order; all randomness comes from one seeded [`SimRng`] of a
//! fixed algorithm with `libm` maths, so the same scenario and seed give the same report on
//! every platform; every request is accounted for in a [`Ledger`].

#![warn(missing_docs)]

mod engine;
mod error;
pub mod exercise;
pub mod findings;
pub mod link;
mod queue;
mod report;
mod rng;
mod scenario;
mod time;

#[cfg(feature = "testing")]
pub mod testing;

pub use engine::{Limits, MAX_WORK_PER_INSTANT, RunStop, Simulation, StopCause, group_thousands};
pub use error::{ScenarioError, ScenarioErrors};
pub use findings::{Finding, findings};
pub use link::{Link, LinkExtras, MODEL_CHANGES, MODEL_VERSION, model_changes_since};
pub use queue::EventQueue;
pub use report::{
    AlarmReport, AlarmState, AlarmTransition, AsyncLedger, AsyncResultReport, BreakerReport,
    BreakerState, BreakerTransition, CostReport, EdgeReport, ErrorCounts, ErrorKind,
    ExecutionLedger, FailedLatency, Frame, Ledger, MessageLedger, NodeFrame, NodeReport,
    NodeSecond, OverlapClass, PoolReport, Report, RetryBudgetReport, RunNote, ShardReport, Span,
    Trace, TraceOutcome, TraceReason, WorkerReport,
};
pub use rng::SimRng;
pub use scenario::*;
pub use time::{NANOS_PER_SEC, SimTime};
