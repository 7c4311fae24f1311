//! Plain-data results: the ledger, per-node figures and per-second series, cost, frames.
//!
//! Why plain data: the browser, the CLI and the tests read results without touching engine
//! internals. These types serialize (for `surge run --json` and the web page) but are never
//! read back: they are outputs, not a format. `docs/report.md` documents the JSON shape.

use serde::{Deserialize, Serialize};

/// Why a call or request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// API Gateway throttle bucket empty (429).
    Throttled,
    /// Lambda concurrency or scaling limit (429; REST APIs turn it into 500).
    ConcurrencyThrottled,
    /// API Gateway integration timeout (504); the backend keeps running.
    IntegrationTimeout,
    /// The function hit its own timeout.
    FunctionTimeout,
    /// The service answered with an error (5xx), e.g. overloaded.
    ServerError,
    /// The node is down (outage or failover).
    Unavailable,
    /// The database refused a new connection (`max_connections` reached).
    ConnectionRefused,
    /// RDS Proxy could not lend a connection within `ConnectionBorrowTimeout`.
    BorrowTimeout,
    /// A rate-limited service throttled the call and the SDK retries ran out.
    ServiceThrottled,
    /// The payload is over API Gateway's limit (413).
    PayloadTooLarge,
    /// A Kinesis shard refused a write (ProvisionedThroughputExceeded) and retries ran out.
    StreamThrottled,
    /// An injected fault failed the call: an error rate, or a poison record in the stream
    /// batch the function was given.
    InjectedError,
    /// The client stopped waiting (its own timeout).
    ClientTimeout,
    /// Lambda stopped the invocation: the function ran 16 times in this chain of events
    /// already (`RecursiveInvocationException`).
    RecursiveLoop,
    /// The caller's circuit breaker on the edge was open: the call failed fast, unsent.
    CircuitOpen,
    /// The node's admission limit refused the call cheaply (load shedding, 503).
    Shed,
    /// The node dropped work whose caller's deadline had passed (deadline propagation).
    DeadlineExceeded,
    /// The client's adaptive send-rate limiter would have held the attempt past its
    /// timeout, so the request failed without being sent.
    ClientRateLimited,
    /// The client held the request back: a downstream queue was too deep or too old.
    Backpressure,
    /// The submit was accepted but the result did not come back within the client's
    /// `async_result.give_up_s`.
    ResultGaveUp,
}

impl ErrorKind {
    /// Whether this is a throttle (429-like) rather than a failure.
    pub fn is_throttle(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled
                | ErrorKind::ConcurrencyThrottled
                | ErrorKind::ServiceThrottled
                | ErrorKind::StreamThrottled
        )
    }
}

/// Counts of failures by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// API Gateway throttles.
    pub throttled: u64,
    /// Lambda concurrency/scaling throttles.
    pub concurrency_throttled: u64,
    /// API Gateway 504s.
    pub integration_timeout: u64,
    /// Lambda timeouts.
    pub function_timeout: u64,
    /// Service errors.
    pub server_error: u64,
    /// Outages and failovers.
    pub unavailable: u64,
    /// Database connection refusals.
    pub connection_refused: u64,
    /// RDS Proxy borrow timeouts.
    pub borrow_timeout: u64,
    /// Service throttles after SDK retries.
    pub service_throttled: u64,
    /// Payloads too large.
    pub payload_too_large: u64,
    /// Kinesis write throttles.
    pub stream_throttled: u64,
    /// Injected errors.
    pub injected_error: u64,
    /// Client timeouts (only in node figures: the ledger counts them in `timed_out`).
    pub client_timeout: u64,
    /// Invocations stopped by Lambda's recursive loop detection.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub recursive_loop: u64,
    /// Calls failed fast by an open circuit breaker.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub circuit_open: u64,
    /// Calls refused by an admission limit (load shedding).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shed: u64,
    /// Work dropped because its caller's deadline had passed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub deadline_exceeded: u64,
    /// Requests the client's adaptive rate limiter failed before sending.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub client_rate_limited: u64,
    /// Requests a client held back because a downstream queue was too deep or too old.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub backpressure: u64,
    /// Submitted work whose result never came back in time (async results).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub result_gave_up: u64,
}

impl ErrorKind {
    /// Every kind, in the order of [`ErrorCounts`]' fields.
    pub const ALL: [ErrorKind; 20] = [
        ErrorKind::Throttled,
        ErrorKind::ConcurrencyThrottled,
        ErrorKind::IntegrationTimeout,
        ErrorKind::FunctionTimeout,
        ErrorKind::ServerError,
        ErrorKind::Unavailable,
        ErrorKind::ConnectionRefused,
        ErrorKind::BorrowTimeout,
        ErrorKind::ServiceThrottled,
        ErrorKind::PayloadTooLarge,
        ErrorKind::StreamThrottled,
        ErrorKind::InjectedError,
        ErrorKind::ClientTimeout,
        ErrorKind::RecursiveLoop,
        ErrorKind::CircuitOpen,
        ErrorKind::Shed,
        ErrorKind::DeadlineExceeded,
        ErrorKind::ClientRateLimited,
        ErrorKind::Backpressure,
        ErrorKind::ResultGaveUp,
    ];
}

impl ErrorCounts {
    /// Counts one failure.
    pub fn add(&mut self, kind: ErrorKind) {
        *self.slot(kind) += 1;
    }

    /// The count of one kind.
    pub fn get(&self, kind: ErrorKind) -> u64 {
        let mut copy = *self;
        *copy.slot(kind)
    }

    fn slot(&mut self, kind: ErrorKind) -> &mut u64 {
        match kind {
            ErrorKind::Throttled => &mut self.throttled,
            ErrorKind::ConcurrencyThrottled => &mut self.concurrency_throttled,
            ErrorKind::IntegrationTimeout => &mut self.integration_timeout,
            ErrorKind::FunctionTimeout => &mut self.function_timeout,
            ErrorKind::ServerError => &mut self.server_error,
            ErrorKind::Unavailable => &mut self.unavailable,
            ErrorKind::ConnectionRefused => &mut self.connection_refused,
            ErrorKind::BorrowTimeout => &mut self.borrow_timeout,
            ErrorKind::ServiceThrottled => &mut self.service_throttled,
            ErrorKind::PayloadTooLarge => &mut self.payload_too_large,
            ErrorKind::StreamThrottled => &mut self.stream_throttled,
            ErrorKind::InjectedError => &mut self.injected_error,
            ErrorKind::ClientTimeout => &mut self.client_timeout,
            ErrorKind::RecursiveLoop => &mut self.recursive_loop,
            ErrorKind::CircuitOpen => &mut self.circuit_open,
            ErrorKind::Shed => &mut self.shed,
            ErrorKind::DeadlineExceeded => &mut self.deadline_exceeded,
            ErrorKind::ClientRateLimited => &mut self.client_rate_limited,
            ErrorKind::Backpressure => &mut self.backpressure,
            ErrorKind::ResultGaveUp => &mut self.result_gave_up,
        }
    }

    /// All failures.
    pub fn total(&self) -> u64 {
        self.throttled
            + self.concurrency_throttled
            + self.integration_timeout
            + self.function_timeout
            + self.server_error
            + self.unavailable
            + self.connection_refused
            + self.borrow_timeout
            + self.service_throttled
            + self.payload_too_large
            + self.stream_throttled
            + self.injected_error
            + self.client_timeout
            + self.recursive_loop
            + self.circuit_open
            + self.shed
            + self.deadline_exceeded
            + self.client_rate_limited
            + self.backpressure
            + self.result_gave_up
    }
}

/// Conservation ledger of client requests: every arrival is in exactly one state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Requests the clients sent (retries are not new requests).
    pub arrived: u64,
    /// Requests that got a success in time.
    pub succeeded: u64,
    /// Requests whose last attempt failed, by the failure's kind.
    pub failed: ErrorCounts,
    /// Requests whose last attempt hit the client's timeout.
    pub timed_out: u64,
    /// Requests not finished yet (running or waiting to retry).
    pub in_flight: u64,
    /// Retry attempts sent (load amplification = (arrived + retries) / arrived).
    pub retries: u64,
    /// Retries the retry quota refused (standard and adaptive modes): those requests
    /// failed fast with their last error instead.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries_refused: u64,
}

impl Ledger {
    /// Whether every arrival is accounted for exactly once.
    pub fn balances(&self) -> bool {
        self.succeeded + self.failed.total() + self.timed_out + self.in_flight == self.arrived
    }
}

/// Conservation ledger of queue messages: every message sent is in exactly one state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageLedger {
    /// Messages sent to queues (moves into a dead-letter queue are not new messages).
    pub sent: u64,
    /// Deleted after a successful invocation.
    pub consumed: u64,
    /// Moved to a dead-letter queue after too many receives.
    pub dead_lettered: u64,
    /// Deleted unread at the end of the retention period.
    pub expired: u64,
    /// Deleted unprocessed by a consumer's backlog policy (too old to be worth it).
    pub dropped: u64,
    /// Waiting in a queue (visible or delayed).
    pub queued: u64,
    /// Received and not yet deleted.
    pub in_flight: u64,
    /// Extra successful deliveries of messages (at-least-once delivery).
    pub duplicates: u64,
}

impl MessageLedger {
    /// Whether every message is accounted for exactly once.
    pub fn balances(&self) -> bool {
        self.consumed
            + self.dead_lettered
            + self.expired
            + self.dropped
            + self.queued
            + self.in_flight
            == self.sent
    }
}

/// Ledger of Lambda asynchronous invocations: every accepted event is in exactly one state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncLedger {
    /// Events accepted (202) into functions' async queues.
    pub accepted: u64,
    /// Events whose invocation succeeded.
    pub succeeded: u64,
    /// Events that failed every attempt (1 + retries).
    pub failed: u64,
    /// Events discarded for exceeding the maximum event age.
    pub expired: u64,
    /// Events whose invocation Lambda's recursive loop detection stopped.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stopped: u64,
    /// Of failed, expired and stopped, how many went to an on-failure destination.
    pub to_destination: u64,
    /// Of failed, expired and stopped, how many were dropped (no destination).
    pub dropped: u64,
    /// Waiting in a function's async queue (or for a retry).
    pub queued: u64,
    /// Being invoked now.
    pub in_flight: u64,
}

impl AsyncLedger {
    /// Whether every event is accounted for exactly once.
    pub fn balances(&self) -> bool {
        self.succeeded + self.failed + self.expired + self.stopped + self.queued + self.in_flight
            == self.accepted
            && self.to_destination + self.dropped == self.failed + self.expired + self.stopped
    }
}

/// Ledger of notifications: each delivery an S3 bucket, SNS topic or EventBridge
/// schedule makes to one of its targets is in exactly one state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLedger {
    /// Deliveries made (one per target per object, message or tick).
    pub sent: u64,
    /// Accepted by the target (an async invoke queued, a message sent).
    pub delivered: u64,
    /// Refused and given up: S3 and schedules do not retry here; SNS after its policy.
    pub dropped: u64,
    /// Being delivered or waiting for an SNS retry.
    pub pending: u64,
    /// SNS retries made (not deliveries: a delivery may take many).
    pub retries: u64,
}

impl DeliveryLedger {
    /// Whether every delivery is accounted for exactly once.
    pub fn balances(&self) -> bool {
        self.delivered + self.dropped + self.pending == self.sent
    }
}

/// Ledger of Step Functions executions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionLedger {
    /// Executions started.
    pub started: u64,
    /// Executions that succeeded.
    pub succeeded: u64,
    /// Executions that failed.
    pub failed: u64,
    /// Executions still running.
    pub running: u64,
    /// State transitions (retries count), what Standard workflows are billed by.
    pub transitions: u64,
    /// Standard transitions that had to wait for the account's transition bucket
    /// (CloudWatch: `ExecutionThrottled`).
    pub throttled_transitions: u64,
    /// Express executions stopped at 5 minutes (counted in `failed` too).
    pub timed_out: u64,
}

impl ExecutionLedger {
    /// Whether every execution is accounted for exactly once.
    pub fn balances(&self) -> bool {
        self.succeeded + self.failed + self.running == self.started
    }
}

/// One simulated second at one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeSecond {
    /// Calls that arrived.
    pub arrivals: u64,
    /// Calls that completed successfully.
    pub ok: u64,
    /// Calls that failed (throttles included).
    pub errors: u64,
    /// Of those, throttles.
    pub throttled: u64,
    /// Lambda cold starts.
    pub cold_starts: u64,
    /// Time-weighted mean of calls at the node (concurrency).
    pub mean_in_node: f64,
    /// Most calls at the node at once.
    pub peak_in_node: u32,
    /// Time-weighted mean of calls waiting (RDS run queue, proxy borrow queue).
    pub mean_queue: f64,
    /// Time-weighted mean of open connections (RDS) or pooled connections (proxy).
    pub mean_connections: f64,
    /// Time-weighted mean of received, undeleted messages (queues).
    pub mean_in_flight: f64,
    /// Age of the oldest visible message at the end of the second, in seconds (queues).
    pub oldest_age_s: f64,
    /// Messages received for the first time in this second (queues).
    pub received: u64,
    /// Their mean wait since they became visible, in ms (queues).
    pub mean_wait_ms: f64,
    /// Functions: execution environments alive at the end of the second (busy ones are
    /// those not idle).
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub envs: u32,
    /// Functions: of those, idle (warm, waiting for work).
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub idle_envs: u32,
    /// Median time in node of calls completed in this second, in ms.
    pub p50_ms: f64,
    /// 90th percentile, in ms.
    pub p90_ms: f64,
    /// 99th percentile, in ms.
    pub p99_ms: f64,
}

/// Results for one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    /// The node's id.
    pub id: String,
    /// The node's display name.
    pub name: String,
    /// The node's kind tag.
    pub kind: String,
    /// Calls that arrived.
    pub arrivals: u64,
    /// Calls completed successfully.
    pub ok: u64,
    /// Calls failed, by kind.
    pub errors: ErrorCounts,
    /// Completions nobody waited for any more (wasted work).
    pub orphaned: u64,
    /// Lambda cold starts.
    pub cold_starts: u64,
    /// Functions over "all new records": records handled again because an earlier run
    /// failed after handling them (each a duplicate downstream).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reprocessed_records: u64,
    /// Completions (ok or not) per second.
    pub throughput_per_s: f64,
    /// Mean calls at the node (Little's law: = throughput × mean time in node).
    pub mean_in_node: f64,
    /// Most calls at the node at once.
    pub peak_in_node: u32,
    /// Mean time a completed call spent at the node, in ms.
    pub mean_time_in_node_ms: f64,
    /// Time-in-node quantiles over the run, in ms.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Mean calls waiting.
    pub mean_queue: f64,
    /// Most calls waiting at once.
    pub peak_queue: u32,
    /// Mean open (RDS) or pooled (proxy) connections.
    pub mean_connections: f64,
    /// Most connections at once.
    pub peak_connections: u32,
    /// Queues: messages received for the first time.
    pub received: u64,
    /// Queues: of those, how many had to wait (received after they became visible).
    pub waited: u64,
    /// Queues: mean wait before the first receive, in ms.
    pub mean_wait_ms: f64,
    /// Queues: mean received, undeleted messages.
    pub mean_in_flight: f64,
    /// Queues: most received, undeleted messages at once.
    pub peak_in_flight: u32,
    /// Streams: per shard, records written and throttled and the largest iterator age.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardReport>,
    /// Worker pools: the shuffle-sharding assignment and who suffered from the busiest
    /// tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<PoolReport>,
    /// Clients in the standard or adaptive retry mode: the retry quota and send-rate
    /// limiter at the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_budget: Option<RetryBudgetReport>,
    /// Clients with an async result: how results came back, at what cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_result: Option<AsyncResultReport>,
    /// The node's limit: function concurrency, `max_connections`, or the proxy pool size.
    pub limit: Option<u32>,
    /// One sample per simulated second so far (per `series_step_s` seconds for long runs).
    pub series: Vec<NodeSecond>,
}

fn one() -> u64 {
    1
}

fn is_one(n: &u64) -> bool {
    *n == 1
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// A worker pool with shuffle sharding over the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolReport {
    /// Workers (n).
    pub workers: u32,
    /// Workers per tenant (k).
    pub per_tenant: u32,
    /// Tenants that called the pool.
    pub tenants: u32,
    /// Share of tenant pairs sharing 0, 1, …, k workers (pairs among the first 2,000
    /// tenants).
    pub overlap: Vec<f64>,
    /// How many pairs that is.
    pub pairs: u64,
    /// What shuffle sharding predicts: C(k, j)·C(n−k, k−j) / C(n, k).
    pub expected_overlap: Vec<f64>,
    /// The tenant with the most calls ("client#tenant").
    pub busiest: Option<String>,
    /// The other tenants by how many workers they share with the busiest: how they fared.
    pub by_overlap: Vec<OverlapClass>,
    /// Per worker.
    pub per_worker: Vec<WorkerReport>,
}

/// Tenants sharing `shared` workers with the busiest tenant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverlapClass {
    /// Workers shared with the busiest tenant.
    pub shared: u32,
    /// Tenants in this class.
    pub tenants: u32,
    /// Their calls.
    pub calls: u64,
    /// Of which refused (the worker's line was full).
    pub shed: u64,
    /// Their calls served.
    pub done: u64,
    /// Mean time at the pool of a served call, in ms.
    pub mean_ms: f64,
}

/// One worker of a pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerReport {
    /// Calls served.
    pub served: u64,
    /// Calls refused.
    pub shed: u64,
    /// Most calls waiting at once.
    pub peak_waiting: u32,
}

/// How a client's long work came back (lesson 10's patterns side by side).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsyncResultReport {
    /// Poll, callback or WebSocket.
    pub pattern: crate::scenario::AsyncPattern,
    /// Submits accepted (each then awaits its result).
    pub submitted: u64,
    /// Results that reached the client.
    pub completed: u64,
    /// Requests whose result did not come back within `give_up_s`.
    pub gave_up: u64,
    /// Status requests sent (polling).
    pub polls: u64,
    /// Status requests that failed or timed out.
    pub poll_errors: u64,
    /// WebSocket connections opened (including reconnections after 2 h).
    pub connections: u64,
    /// WebSocket connections refused by the account's new-connection rate.
    pub connections_refused: u64,
    /// WebSocket messages: pushes and heartbeats.
    pub messages: u64,
    /// WebSocket connection minutes billed (each connection rounded up).
    pub connection_minutes: u64,
    /// What the WebSocket API charged (messages and connection minutes).
    pub websocket_usd: f64,
    /// From arrival to the result in hand, for completed requests.
    pub p50_ms: f64,
    /// 99th percentile of the same.
    pub p99_ms: f64,
    /// Mean of the same.
    pub mean_ms: f64,
}

/// A client's retry quota and send-rate limiter (the SDKs' standard and adaptive modes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RetryBudgetReport {
    /// Tokens left in the retry quota (of 500).
    pub tokens_left: u32,
    /// The fewest tokens left at any moment.
    pub lowest_tokens: u32,
    /// Retries the quota refused (those requests failed fast).
    pub retries_refused: u64,
    /// Adaptive mode: attempts the send-rate limiter held back.
    pub limiter_delayed: u64,
    /// Adaptive mode: mean hold of a held-back attempt, in ms.
    pub limiter_mean_delay_ms: f64,
    /// Adaptive mode: the limiter's send rate at the end (requests/s; none while off).
    pub limiter_rate_per_s: Option<f64>,
}

/// One Kinesis shard over the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardReport {
    /// Records accepted.
    pub written: u64,
    /// Writes refused (ProvisionedThroughputExceeded).
    pub throttled: u64,
    /// `GetRecords` calls served, all polling consumers together (5 per second at most).
    pub reads: u64,
    /// `GetRecords` calls refused: the shard's 5 reads/s or 2 MB/s was used up.
    pub read_throttled: u64,
    /// Largest age of the oldest unread record seen, in seconds.
    pub max_iterator_age_s: f64,
}

/// Money spent at list price (us-east-1), and how much of it went to retries and waste.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    /// Everything below.
    pub total_usd: f64,
    /// Lambda request charges.
    pub lambda_requests_usd: f64,
    /// Lambda duration charges (on-demand GB-seconds plus provisioned "used" GB-seconds).
    pub lambda_duration_usd: f64,
    /// Provisioned concurrency configured, whether used or not.
    pub lambda_provisioned_usd: f64,
    /// API Gateway requests.
    pub api_gateway_usd: f64,
    /// Secrets Manager and CloudWatch calls.
    pub services_usd: f64,
    /// RDS Proxy (per vCPU-hour of the target, minimum 2).
    pub rds_proxy_usd: f64,
    /// SQS requests: sends, and one receive and one delete per batch ($0.40 per M).
    pub sqs_usd: f64,
    /// Kinesis shard-hours and PUT payload units.
    pub kinesis_usd: f64,
    /// Step Functions: Standard $0.025 per 1,000 transitions; Express $1.00 per M requests.
    pub step_functions_usd: f64,
    /// Part of the request and duration charges caused by client retries.
    pub retries_usd: f64,
    /// Part of the Lambda charges for work whose caller had given up.
    pub wasted_usd: f64,
    /// Total per million client requests.
    pub per_million_requests_usd: f64,
}

/// Everything a run produced up to `time_s`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The seed the run used.
    pub seed: u64,
    /// Simulated time the report covers, in seconds.
    pub time_s: f64,
    /// Whether the run reached the scenario's end.
    pub finished: bool,
    /// Number of events the engine processed.
    pub events: u64,
    /// All client requests, by state.
    pub ledger: Ledger,
    /// All queue messages, by state.
    pub messages: MessageLedger,
    /// All asynchronous invocation events, by state.
    pub async_events: AsyncLedger,
    /// All Step Functions executions, by state.
    pub executions: ExecutionLedger,
    /// All notification deliveries (S3, SNS, schedules), by state.
    pub deliveries: DeliveryLedger,
    /// Successful client requests per second (within the client's timeout).
    pub goodput_per_s: f64,
    /// Successful completions per second at the clients' first hop, wanted or not.
    pub throughput_per_s: f64,
    /// End-to-end latency of successful requests (first attempt to success), ms.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Cost so far.
    pub cost: CostReport,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeReport>,
    /// Successful client requests in each sample of the series.
    pub goodput_series: Vec<u64>,
    /// Seconds each sample of the series covers (`series` in the scenario; 1 unless the
    /// run is long or large): counts are totals over the sample, levels its means.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub series_step_s: u64,
    /// Per edge, in scenario order: the load each hop puts on the next.
    pub edges: Vec<EdgeReport>,
    /// How long the clients waited for requests that failed or timed out (arrival to the
    /// last attempt's end), in ms: median and 99th percentile (omitted when none failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_latency_ms: Option<FailedLatency>,
    /// Why the run stopped before its end (a loop that takes no time, the memory budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<crate::engine::RunStop>,
    /// Things the run noticed that a user should know (each once, with a count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<RunNote>,
    /// The scenario's alarms, in its order: ALARM and OK moments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<AlarmReport>,
}

/// Client-side latency of failed requests.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedLatency {
    /// Median, in ms.
    pub p50: f64,
    /// 99th percentile, in ms.
    pub p99: f64,
}

/// Something the run noticed, such as a state machine loop that takes no time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunNote {
    /// When it was first noticed, in simulated seconds.
    pub at_s: f64,
    /// The node it concerns.
    pub node: String,
    /// What happened, in words.
    pub message: String,
    /// How many times it happened.
    pub count: u64,
}

/// Calls along one edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeReport {
    /// Id of the calling node.
    pub from: String,
    /// Id of the called node.
    pub to: String,
    /// Calls made along the edge (retries and SDK retries included).
    pub calls: u64,
    /// Load amplification: calls per unit of work arriving at the caller (per client
    /// request for a client; per invocation for a function).
    pub per_upstream: f64,
    /// The edge's circuit breaker, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerReport>,
}

/// An alarm's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    /// Within its threshold (the state it starts in).
    #[default]
    Ok,
    /// Enough datapoints breached.
    Alarm,
}

/// An alarm changing state, and the datapoint that made it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmTransition {
    /// When, in simulated seconds (the end of the period that decided it).
    pub at_s: f64,
    /// The state it entered.
    pub state: AlarmState,
    /// The period's datapoint.
    pub value: f64,
}

/// One alarm over the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmReport {
    /// The alarm's name.
    pub name: String,
    /// The node it watches.
    pub node: String,
    /// Its state at the end.
    pub state: AlarmState,
    /// Seconds spent in ALARM.
    pub alarm_s: f64,
    /// Datapoints evaluated, and how many breached.
    pub datapoints: u64,
    /// How many of them breached.
    pub breaching: u64,
    /// Its changes of state (the first 500).
    pub transitions: Vec<AlarmTransition>,
}

/// A circuit breaker's state (ordered from healthy to open).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls pass.
    #[default]
    Closed,
    /// A few probe calls pass.
    HalfOpen,
    /// Calls fail fast.
    Open,
}

/// A circuit breaker changing state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakerTransition {
    /// When, in simulated seconds.
    pub at_s: f64,
    /// The state it entered.
    pub state: BreakerState,
}

/// A circuit breaker over the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakerReport {
    /// Times it opened.
    pub opened: u64,
    /// Calls it failed fast.
    pub fast_failed: u64,
    /// Its state at the end.
    pub state: BreakerState,
    /// Its changes of state (the first 500).
    pub transitions: Vec<BreakerTransition>,
    /// The worst state in each series sample (per second, or per `series_step_s`).
    pub series: Vec<BreakerState>,
}

impl Report {
    /// The report as pretty JSON; byte-identical for the same scenario and seed everywhere.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A 64-bit FNV-1a fingerprint of [`Report::to_json`], as 16 hex digits: equal
    /// digests on two platforms mean byte-identical reports.
    pub fn digest(&self) -> String {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        // Hashing as the JSON streams out: a week-long report is never one string.
        let _ = serde_json::to_writer_pretty(&mut h, self);
        format!("{:016x}", h.0)
    }

    /// Writes the report as pretty JSON (the bytes of [`Report::to_json`]) without
    /// building it in memory first.
    pub fn write_json<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        serde_json::to_writer_pretty(out, self).map_err(std::io::Error::other)
    }

    /// The first node of the given kind.
    pub fn node_of_kind(&self, kind: &str) -> Option<&NodeReport> {
        self.nodes.iter().find(|n| n.kind == kind)
    }

    /// The node with the given id.
    pub fn node(&self, id: &str) -> Option<&NodeReport> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// FNV-1a over the bytes written to it.
struct Fnv(u64);

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the canvas draws at one instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Simulated time of the frame, in seconds.
    pub time_s: f64,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeFrame>,
    /// Calls in flight along each edge, in scenario order.
    pub edges: Vec<u32>,
    /// The clients' ledger so far (end-to-end outcomes).
    pub ledger: Ledger,
    /// Queue messages so far, by state (dead-lettered among them).
    pub messages: MessageLedger,
    /// Step Functions executions so far (timeouts and throttled transitions among them).
    pub executions: ExecutionLedger,
    /// Notification deliveries so far (SNS retries and lost notifications among them).
    pub deliveries: DeliveryLedger,
    /// Lambda asynchronous events so far (dropped and expired ones among them).
    #[serde(default)]
    pub async_events: AsyncLedger,
    /// Cost so far at list prices, in dollars.
    pub cost_usd: f64,
    /// Each edge's circuit breaker state, in scenario order (empty when no edge has one;
    /// `closed` for edges without one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakers: Vec<BreakerState>,
    /// Each alarm's state now, in the scenario's order (empty without alarms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<AlarmState>,
}

/// One node at one instant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeFrame {
    /// The node's id.
    pub id: String,
    /// Calls at the node now.
    pub in_node: u32,
    /// Calls waiting now.
    pub queue: u32,
    /// Open or pooled connections now.
    pub connections: u32,
    /// The node's limit, if it has one.
    pub limit: Option<u32>,
    /// Calls completed successfully so far (cumulative, so two frames give a rate).
    pub ok: u64,
    /// Failures so far, by kind (cumulative).
    pub errors: ErrorCounts,
    /// Cold starts so far (cumulative).
    pub cold_starts: u64,
    /// Latency percentiles of the last whole second, in milliseconds (0 without calls).
    pub p50_ms: f64,
    /// 90th percentile of the last whole second.
    pub p90_ms: f64,
    /// 99th percentile of the last whole second.
    pub p99_ms: f64,
    /// Age of the oldest waiting message or record (queues, streams), in seconds.
    pub oldest_age_s: f64,
    /// Streams: `GetRecords` calls refused so far, all shards (cumulative).
    pub reads_refused: u64,
    /// Queues: messages received and not yet deleted; state machines: executions running.
    pub in_flight: u32,
}

/// Why a request's trace was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceReason {
    /// Among the slowest requests of the run.
    Slowest,
    /// Among the first few of its failure kind.
    Failure,
    /// In the uniform sample of all requests.
    Sample,
}

/// How a traced request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TraceOutcome {
    /// Succeeded in time.
    Ok,
    /// Its last attempt failed.
    Failed {
        /// How.
        error: ErrorKind,
    },
    /// Its last attempt hit the client's timeout.
    TimedOut,
}

/// One call of a traced request at one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// The node's id.
    pub node: String,
    /// The span of the caller waiting for it (none for a client's attempt).
    pub parent: Option<u32>,
    /// The client attempt it belongs to (1 for the first).
    pub attempt: u32,
    /// When the call reached the node, in simulated seconds.
    pub start_s: f64,
    /// When it ended; none if it was still running when the request ended (its caller
    /// had given up: the work went on, wasted).
    pub end_s: Option<f64>,
    /// Its error, if it failed.
    pub error: Option<ErrorKind>,
    /// A Lambda cold start's initialisation inside it, in ms.
    pub cold_start_ms: f64,
}

/// A request traced hop by hop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The request's number in the run (1 for the first request any client sent).
    pub request: u64,
    /// The client that sent it.
    pub client: String,
    /// When it arrived, in simulated seconds.
    pub start_s: f64,
    /// When it ended (success, last failure or timeout).
    pub end_s: f64,
    /// How it ended.
    pub outcome: TraceOutcome,
    /// Attempts the client made.
    pub attempts: u32,
    /// Why it was kept.
    pub reasons: Vec<TraceReason>,
    /// Its calls, parents before children, in the order they started.
    pub spans: Vec<Span>,
    /// Spans left out past the per-trace cap.
    pub spans_dropped: u32,
}

impl Trace {
    /// How deep span `i` is: 0 for a client's attempt, 1 for the call it made, and so on.
    pub fn depth(&self, i: usize) -> usize {
        let mut d = 0;
        let mut at = i;
        while let Some(p) = self.spans.get(at).and_then(|s| s.parent) {
            d += 1;
            at = p as usize;
            if d > MAX_TRACE_DEPTH {
                break;
            }
        }
        d
    }
}

/// Calls nest at most this deep in a trace's drawing (synchronous chains are acyclic).
const MAX_TRACE_DEPTH: usize = 64;
