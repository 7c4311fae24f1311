//! The fixes the talks recommend, as parameters: a circuit breaker on a call edge, and a
//! service's admission limit (load shedding) and deadline propagation.
//!
//! Why these are separate from the nodes' own limits: a Lambda's concurrency limit or an
//! API's throttle is the *provider's* limit; these are the *designer's* choices that bound
//! the work a system admits, so that past the knee it answers some calls cheaply instead
//! of answering all of them too late.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A circuit breaker on a synchronous call edge, held by the caller.
///
/// Closed, it passes calls and counts their failures (errors, throttles and calls the
/// caller gave up on) per second over a sliding window. It opens when the window holds
/// `failures` failures, or, with `failure_ratio`, when that share of at least `min_calls`
/// calls failed. Open, every call fails fast (`circuit_open`) without reaching the callee.
/// After `open_s` it is half-open: `probes` calls go through; if all succeed it closes, if
/// one fails it opens again.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<CircuitBreaker>)]
pub struct CircuitBreaker {
    /// Failures within the window that open the breaker.
    pub failures: u32,
    /// Opens instead when this share of the window's calls failed (with `min_calls`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_ratio: Option<f64>,
    /// Calls the window needs before `failure_ratio` is judged.
    pub min_calls: u32,
    /// Length of the sliding window, in seconds (counted per whole second).
    pub window_s: f64,
    /// How long the breaker stays open before it lets probes through, in seconds.
    pub open_s: f64,
    /// Trial calls let through while half-open.
    pub probes: u32,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        CircuitBreaker {
            failures: 20,
            failure_ratio: None,
            min_calls: 20,
            window_s: 10.0,
            open_s: 30.0,
            probes: 3,
        }
    }
}

/// How a service bounds the work it admits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<Admission>)]
pub struct Admission {
    /// Calls in progress past which new calls are refused at once with a 503 (`shed`),
    /// costing `shed_ms` instead of a full request. None: everything is admitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u32>,
    /// What refusing a call costs, in milliseconds.
    pub shed_ms: f64,
    /// Deadline propagation: a call whose caller has already given up is not started,
    /// and work still running when its caller gives up is stopped (`deadline_exceeded`)
    /// instead of finishing for nobody.
    pub drop_abandoned: bool,
}

impl Admission {
    /// Whether nothing is bounded (left out when saving).
    pub fn is_default(&self) -> bool {
        *self == Admission::default()
    }
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            max_in_flight: None,
            shed_ms: 1.0,
            drop_abandoned: false,
        }
    }
}

/// Backpressure on a producer: while a downstream queue is too deep or its oldest message
/// too old, the producer stops sending new work; requests that arrive meanwhile are turned
/// away at once (`backpressure`), as a producer that tells its users "try later" does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<Backpressure>)]
pub struct Backpressure {
    /// Id of the SQS queue watched.
    pub queue: String,
    /// Stop while the queue holds more than this many messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    /// Stop while its oldest message is older than this, in seconds (read each second).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_s: Option<f64>,
}

use super::bounds::bounds;

bounds!(Backpressure {
    max_depth: Count(0.0, 1_000_000_000.0);
    max_age_s: Positive(1_209_600.0), " s";
});

bounds!(CircuitBreaker {
    failures: Count(1.0, 1_000_000.0);
    failure_ratio: Positive(1.0);
    min_calls: Count(1.0, 1_000_000.0);
    window_s: Range(1.0, 3_600.0), " s";
    open_s: Positive(86_400.0), " s";
    probes: Count(1.0, 10_000.0);
});

bounds!(Admission {
    max_in_flight: Count(1.0, 10_000_000.0);
    shed_ms: Range(0.0, 60_000.0), " ms";
});

/// A pool of workers shared by tenants, each tenant given its own shuffle shard: `per_tenant`
/// of the `workers`, drawn from the tenant's key. A call goes to the least busy worker of its
/// tenant's shard; past a worker's `concurrency` it waits, past `max_queue` waiting it is
/// refused (`shed`). One noisy tenant then fills only its own shard: another tenant shares
/// all its workers with it with probability 1 / C(n, k).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<WorkerPoolParams>)]
pub struct WorkerPoolParams {
    /// Workers in the pool (n).
    pub workers: u32,
    /// Workers each tenant may use (k, its shuffle shard); at or above `workers`, every
    /// tenant shares every worker.
    pub per_tenant: u32,
    /// Calls one worker serves at once.
    pub concurrency: u32,
    /// Mean service time of a call (exponential), in milliseconds.
    pub service_ms: f64,
    /// Calls that may wait at one worker; more are refused.
    pub max_queue: u32,
}

impl Default for WorkerPoolParams {
    fn default() -> Self {
        WorkerPoolParams {
            workers: 8,
            per_tenant: 2,
            concurrency: 4,
            service_ms: 50.0,
            max_queue: 100,
        }
    }
}

bounds!(WorkerPoolParams {
    workers: Count(1.0, 1_000.0);
    per_tenant: Count(1.0, 16.0);
    concurrency: Count(1.0, 10_000.0);
    service_ms: Positive(600_000.0), " ms";
    max_queue: Count(0.0, 1_000_000.0);
});
