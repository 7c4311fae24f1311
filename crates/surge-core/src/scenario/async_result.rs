//! How a client gets the result of long work it submitted (lesson 10's async patterns).
//!
//! Why a client setting and not a node: API Gateway gives up after 29 s, so long work is
//! submitted (an enqueue or an async invoke answers at once), done elsewhere, and its
//! result reaches the caller later, by one of three patterns whose load and cost differ:
//! the caller polls a status endpoint; the result is sent to the caller's webhook (SNS);
//! or it is pushed over an API Gateway WebSocket connection the caller holds open. The
//! caller's request succeeds only when the result reaches it, so goodput, latency and the
//! ledger count what the user waited for, not the 202.
//!
//! The work is followed through every hop that carries a chain of events (calls, SQS
//! messages and batches, async invokes, SNS deliveries); Kinesis records and Step
//! Functions executions start new chains, so `done_at` must lie before them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The three ways a result comes back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AsyncPattern {
    /// The caller asks `status` every `poll_interval_s` until the result is ready.
    #[default]
    Poll,
    /// The result is sent to the caller's webhook (an SNS HTTP delivery) `notify_ms` after
    /// it is ready.
    Callback,
    /// The caller holds an API Gateway WebSocket connection from before it submits until
    /// the result is pushed `notify_ms` after it is ready. New connections are limited per
    /// account (`account.websocket_connections_per_s`); a refused connection fails the
    /// attempt as a throttle and the client's retry policy applies. A connection lives at
    /// most 2 h (the caller reconnects) and closes after 10 idle minutes, so the caller
    /// sends a heartbeat message every 9 minutes.
    Websocket,
}

/// A client's long work and how its result comes back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<AsyncResult>)]
pub struct AsyncResult {
    /// How the result comes back.
    #[serde(default)]
    pub pattern: AsyncPattern,
    /// Id of the node that finishes the work: when it completes a call (for a function,
    /// an invocation) carrying the request, the result is ready.
    pub done_at: String,
    /// Poll: id of the status endpoint's node (the client needs an edge to it besides its
    /// submit edge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Poll: seconds between the answer to one status request and the next request.
    #[serde(default = "default_poll_interval_s")]
    pub poll_interval_s: f64,
    /// The caller stops waiting for the result this many seconds after the submit was
    /// accepted (`result_gave_up`).
    #[serde(default = "default_give_up_s")]
    pub give_up_s: f64,
    /// Callback and WebSocket: milliseconds from the result being ready to the caller
    /// having it (the SNS delivery or the push).
    #[serde(default = "default_notify_ms")]
    pub notify_ms: f64,
}

fn default_poll_interval_s() -> f64 {
    2.0
}

fn default_give_up_s() -> f64 {
    900.0
}

fn default_notify_ms() -> f64 {
    100.0
}

impl Default for AsyncResult {
    fn default() -> Self {
        AsyncResult {
            pattern: AsyncPattern::Poll,
            done_at: String::new(),
            status: None,
            poll_interval_s: default_poll_interval_s(),
            give_up_s: default_give_up_s(),
            notify_ms: default_notify_ms(),
        }
    }
}

use super::bounds::bounds;

bounds!(AsyncResult {
    poll_interval_s: Range(0.1, 3_600.0), " s";
    give_up_s: Range(1.0, 604_800.0), " s";
    notify_ms: Range(0.0, 600_000.0), " ms";
});
