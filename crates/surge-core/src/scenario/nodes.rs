//! Parameters of the service nodes, with AWS's documented defaults.
//!
//! Why defaults everywhere: a node dropped on the canvas should behave like the real
//! service out of the box; the values and their sources are in `docs/scenario.md`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API Gateway flavour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiGatewayFlavour {
    /// REST API: integration timeout up to 29 s (raisable for Regional APIs), $3.50 per M.
    #[default]
    Rest,
    /// HTTP API: integration timeout fixed at 30 s, $1.00 per M.
    Http,
}

/// Parameters of an API Gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<ApiGatewayParams>)]
pub struct ApiGatewayParams {
    /// REST or HTTP API.
    pub flavour: ApiGatewayFlavour,
    /// Stage/method throttle: steady rate in requests per second (none: account only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_per_s: Option<f64>,
    /// Stage/method throttle: token-bucket capacity (defaults to one second of the rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
    /// The gateway answers 504 when the integration takes longer (REST default 29 s).
    pub timeout_ms: f64,
    /// The gateway's own processing time per request, in milliseconds.
    pub latency_ms: f64,
    /// Largest request payload accepted, in KB (10 MB).
    pub max_payload_kb: f64,
}

impl Default for ApiGatewayParams {
    fn default() -> Self {
        ApiGatewayParams {
            flavour: ApiGatewayFlavour::Rest,
            rate_per_s: None,
            burst: None,
            timeout_ms: 29_000.0,
            latency_ms: 5.0,
            max_payload_kb: 10_240.0,
        }
    }
}

/// A Lambda runtime, which sets the platform part of a cold start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Runtime {
    /// Node.js 20–24 (~130 ms init).
    #[default]
    Nodejs,
    /// Python 3.11–3.13 (~80 ms).
    Python,
    /// Java 17/21 without SnapStart (~240 ms).
    Java,
    /// .NET 8 managed (~280 ms).
    Dotnet,
    /// Go on provided.al2023 (~45 ms).
    Go,
    /// Rust on provided.al2023 (~16 ms).
    Rust,
}

impl Runtime {
    /// Median runtime init in ms (lambda-perf hello-world means, 2026 snapshot; estimate).
    pub fn init_ms(self) -> f64 {
        match self {
            Runtime::Nodejs => 130.0,
            Runtime::Python => 80.0,
            Runtime::Java => 240.0,
            Runtime::Dotnet => 280.0,
            Runtime::Go => 45.0,
            Runtime::Rust => 16.0,
        }
    }
}

/// Parameters of a Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<LambdaParams>)]
pub struct LambdaParams {
    /// Reserved concurrency: both a guaranteed share of the account pool and a ceiling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<u32>,
    /// Pre-initialised environments: no cold start while concurrency stays below this.
    pub provisioned_concurrency: u32,
    /// Memory in MB (128–10,240). CPU is proportional: 1,769 MB is one full vCPU. Surge's
    /// default is 1,769 so compute steps take their stated time; AWS's default is 128.
    pub memory_mb: u32,
    /// Threads the CPU-bound work can use; above 1,769 MB only parallel work speeds up.
    pub threads: u32,
    /// The invocation is stopped after this many seconds (AWS default 3, maximum 900).
    pub timeout_s: f64,
    /// Language runtime, which sets the platform part of a cold start.
    pub runtime: Runtime,
    /// Application init on a cold start (SDK clients, frameworks), in milliseconds.
    pub init_ms: f64,
    /// Steps run once per execution environment, at cold start (e.g. fetch a secret).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub init_steps: Vec<Step>,
    /// Steps run on every invocation, in order.
    pub handler: Vec<Step>,
    /// An idle execution environment is reclaimed after this many seconds (estimate).
    pub idle_reclaim_s: f64,
    /// Asynchronous invocations: retries after a function error (0–2, AWS default 2).
    pub async_max_retries: u32,
    /// Asynchronous invocations: events older than this are discarded (60–21,600 s).
    pub async_max_event_age_s: f64,
    /// Asynchronous invocations: id of the SQS queue that receives events that failed, grew
    /// too old or were stopped by recursive loop detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    /// A batch job over "all new records" (lesson 14): each invocation runs the handler
    /// once per record written to `source` since the last invocation that succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_new: Option<ProcessNew>,
    /// Recursive loop detection (AWS `RecursiveLoop`): `terminate` stops the function's
    /// 17th invocation in one chain of events through SQS, SNS, S3 and Lambda; `allow`
    /// lets such a loop run.
    pub recursive_loop: RecursiveLoop,
    /// The handler's AWS SDK retry mode for throttled calls to services, tables and
    /// streams: `legacy` retries up to the target's attempts; `standard` (and `adaptive`,
    /// whose send-rate limiter is modelled on clients only) adds the retry quota, one
    /// bucket of 500 tokens per execution environment (each holds its own SDK client).
    #[serde(skip_serializing_if = "crate::scenario::RetryMode::is_legacy")]
    pub sdk_retry_mode: crate::scenario::RetryMode,
    /// Deadline propagation: when the caller of an invocation gives up, the handler stops
    /// (it reads the deadline its caller passed) and returns `deadline_exceeded`, freeing
    /// its concurrency at once; the call it was waiting for is abandoned in turn.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub drop_abandoned: bool,
    /// Backpressure from a stage of a pipeline: while the queue it feeds is too deep or
    /// too old, an invocation fails at once (`backpressure`) before its handler runs, so
    /// its event source keeps the work (an SQS message comes back after its visibility
    /// timeout) and the backlog stays upstream instead of piling up downstream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backpressure: Option<crate::scenario::Backpressure>,
}

/// What Lambda does when a function runs in a recursive loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecursiveLoop {
    /// AWS's default: after 16 invocations of the function in one chain of events, the
    /// next is stopped (a synchronous caller gets an error; an asynchronous event goes to
    /// the on-failure destination; a queue's message returns until its dead-letter queue).
    #[default]
    Terminate,
    /// No action: the loop runs (and bills) until something else stops it.
    Allow,
}

/// "Process all new records": the handler runs once per record written to a table or
/// bucket since the last successful run. A run that fails (say, at the 15-minute timeout)
/// leaves the checkpoint where it was, so its retry processes the same records again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessNew {
    /// Id of the DynamoDB table or S3 bucket whose successful writes are the records.
    pub source: String,
    /// Most records one run takes (the fix: smaller batches); none: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_records: Option<u32>,
}

impl Default for LambdaParams {
    fn default() -> Self {
        LambdaParams {
            reserved_concurrency: None,
            provisioned_concurrency: 0,
            memory_mb: 1769,
            threads: 1,
            timeout_s: 3.0,
            runtime: Runtime::Nodejs,
            init_ms: 0.0,
            init_steps: Vec::new(),
            handler: vec![Step::Compute {
                ms: 100.0,
                distribution: StepDistribution::Fixed,
            }],
            idle_reclaim_s: 2_700.0,
            async_max_retries: 2,
            async_max_event_age_s: 21_600.0,
            on_failure: None,
            process_new: None,
            recursive_loop: RecursiveLoop::Terminate,
            sdk_retry_mode: crate::scenario::RetryMode::Legacy,
            drop_abandoned: false,
            backpressure: None,
        }
    }
}

/// One step of a handler.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// CPU-bound work: `ms` on one full vCPU; scales with memory.
    Compute {
        /// Milliseconds on one full vCPU (1,769 MB).
        ms: f64,
        /// Distribution around `ms`.
        #[serde(default)]
        distribution: StepDistribution,
    },
    /// A call to a connected node: the function waits for the answer (and is billed
    /// meanwhile); over an asynchronous edge it waits only for the 202.
    Call {
        /// Id of the node to call (there must be an edge to it).
        node: String,
        /// How many sequential calls this step makes.
        #[serde(default = "one")]
        times: u32,
    },
    /// Waiting that does not use CPU (e.g. a fixed sleep).
    Sleep {
        /// Milliseconds.
        ms: f64,
    },
}

fn one() -> u32 {
    1
}

/// Distribution of a compute step around its stated time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepDistribution {
    /// Always exactly the stated time.
    #[default]
    Fixed,
    /// Exponentially distributed with that mean (what queueing formulas assume).
    Exponential,
    /// Lognormal with that median and a p99 about 2.5 × the median.
    Lognormal,
}

/// Database engine, which sets how `max_connections` follows from memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DbEngine {
    /// PostgreSQL: LEAST(memory / 9,531,392, 5,000).
    #[default]
    Postgres,
    /// MySQL: memory / 12,582,880.
    Mysql,
}

/// RDS instance classes (memory and vCPUs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum InstanceClass {
    /// 1 GiB, 2 vCPU.
    #[serde(rename = "db.t3.micro")]
    T3Micro,
    /// 2 GiB, 2 vCPU.
    #[serde(rename = "db.t3.small")]
    T3Small,
    /// 4 GiB, 2 vCPU.
    #[default]
    #[serde(rename = "db.t3.medium")]
    T3Medium,
    /// 8 GiB, 2 vCPU.
    #[serde(rename = "db.m5.large")]
    M5Large,
    /// 16 GiB, 2 vCPU.
    #[serde(rename = "db.r5.large")]
    R5Large,
    /// 32 GiB, 4 vCPU.
    #[serde(rename = "db.r6g.xlarge")]
    R6gXlarge,
    /// 64 GiB, 8 vCPU.
    #[serde(rename = "db.r6g.2xlarge")]
    R6g2xlarge,
}

impl InstanceClass {
    /// Nominal memory in GiB.
    pub fn memory_gib(self) -> u32 {
        match self {
            InstanceClass::T3Micro => 1,
            InstanceClass::T3Small => 2,
            InstanceClass::T3Medium => 4,
            InstanceClass::M5Large => 8,
            InstanceClass::R5Large => 16,
            InstanceClass::R6gXlarge => 32,
            InstanceClass::R6g2xlarge => 64,
        }
    }

    /// vCPUs (query slots).
    pub fn vcpus(self) -> u32 {
        match self {
            InstanceClass::R6gXlarge => 4,
            InstanceClass::R6g2xlarge => 8,
            _ => 2,
        }
    }

    /// Default `max_connections` from nominal memory (an upper bound: RDS reserves some).
    pub fn max_connections(self, engine: DbEngine) -> u32 {
        let bytes = u64::from(self.memory_gib()) << 30;
        let n = match engine {
            DbEngine::Postgres => (bytes / 9_531_392).min(5_000),
            DbEngine::Mysql => bytes / 12_582_880,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// Parameters of an RDS instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<RdsParams>)]
pub struct RdsParams {
    /// Database engine.
    pub engine: DbEngine,
    /// Instance class: sets memory, vCPUs and the default `max_connections`.
    pub instance_class: InstanceClass,
    /// Overrides the class's default `max_connections`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// Mean CPU time of one query on one vCPU, in milliseconds (exponential).
    pub query_ms: f64,
    /// Time to open a new connection (TLS, auth), in milliseconds.
    pub connect_ms: f64,
}

impl Default for RdsParams {
    fn default() -> Self {
        RdsParams {
            engine: DbEngine::Postgres,
            instance_class: InstanceClass::T3Medium,
            max_connections: None,
            query_ms: 5.0,
            connect_ms: 30.0,
        }
    }
}

impl RdsParams {
    /// The effective `max_connections`.
    pub fn effective_max_connections(&self) -> u32 {
        self.max_connections
            .unwrap_or_else(|| self.instance_class.max_connections(self.engine))
    }
}

/// Parameters of an RDS Proxy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<RdsProxyParams>)]
pub struct RdsProxyParams {
    /// Pool size as a percentage of the database's `max_connections` (1–100, default 100).
    pub max_connections_percent: u32,
    /// A client waits this long for a pooled connection before an error (default 120 s).
    pub borrow_timeout_s: f64,
    /// Share of sessions pinned to one database connection for their lifetime, in [0, 1].
    pub pinned_fraction: f64,
    /// The proxy's own added latency per query, in milliseconds.
    pub latency_ms: f64,
}

impl Default for RdsProxyParams {
    fn default() -> Self {
        RdsProxyParams {
            max_connections_percent: 100,
            borrow_timeout_s: 120.0,
            pinned_fraction: 0.0,
            latency_ms: 1.0,
        }
    }
}

/// Presets of a rate-limited service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServicePreset {
    /// A third-party REST API with a modest rate limit (100 req/s).
    #[default]
    ThirdPartyApi,
    /// Secrets Manager GetSecretValue today: 10,000 req/s per account.
    SecretsManager,
    /// Secrets Manager GetSecretValue as quoted in 2019 talks: 1,500 req/s.
    #[serde(rename = "secrets_manager_2019", alias = "secrets_manager2019")]
    SecretsManager2019,
    /// CloudWatch PutMetricData today: 500 TPS per Region.
    Cloudwatch,
    /// CloudWatch PutMetricData until 2020: 150 TPS.
    #[serde(rename = "cloudwatch_2019", alias = "cloudwatch2019")]
    Cloudwatch2019,
}

impl ServicePreset {
    /// The preset's rate limit in requests per second.
    pub fn rate_limit_per_s(self) -> f64 {
        match self {
            ServicePreset::ThirdPartyApi => 100.0,
            ServicePreset::SecretsManager => 10_000.0,
            ServicePreset::SecretsManager2019 => 1_500.0,
            ServicePreset::Cloudwatch => 500.0,
            ServicePreset::Cloudwatch2019 => 150.0,
        }
    }

    /// The preset's typical latency in milliseconds.
    pub fn latency_ms(self) -> f64 {
        match self {
            ServicePreset::ThirdPartyApi => 80.0,
            ServicePreset::SecretsManager | ServicePreset::SecretsManager2019 => 15.0,
            ServicePreset::Cloudwatch | ServicePreset::Cloudwatch2019 => 10.0,
        }
    }

    /// List price per call in USD.
    pub fn price_per_call(self) -> f64 {
        match self {
            ServicePreset::ThirdPartyApi => 0.0,
            ServicePreset::SecretsManager | ServicePreset::SecretsManager2019 => 0.05 / 10_000.0,
            ServicePreset::Cloudwatch | ServicePreset::Cloudwatch2019 => 0.01 / 1_000.0,
        }
    }
}

/// Parameters of a rate-limited service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<ServiceParams>)]
pub struct ServiceParams {
    /// Which service this is; sets the defaults below.
    pub preset: ServicePreset,
    /// Overrides the preset's rate limit (requests per second; token bucket of 1 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_per_s: Option<f64>,
    /// Overrides the preset's mean latency in milliseconds (exponential).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Concurrent requests the service handles before it degrades: past it, latency grows
    /// in proportion and a matching share of requests fail. None: never degrades.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// The caller's SDK retries throttled calls: attempts in total.
    pub sdk_max_attempts: u32,
    /// SDK backoff base in milliseconds (full jitter, doubling, capped at 20 s).
    pub sdk_base_ms: f64,
    /// How the service bounds the work it admits: an in-flight limit past which calls are
    /// shed cheaply, and deadline propagation.
    #[serde(skip_serializing_if = "crate::scenario::Admission::is_default")]
    pub admission: crate::scenario::Admission,
}

impl Default for ServiceParams {
    fn default() -> Self {
        ServiceParams {
            preset: ServicePreset::ThirdPartyApi,
            rate_limit_per_s: None,
            latency_ms: None,
            capacity: None,
            sdk_max_attempts: 3,
            sdk_base_ms: 100.0,
            admission: crate::scenario::Admission::default(),
        }
    }
}

/// DynamoDB capacity mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapacityMode {
    /// Pay per request: serves up to double the previous peak at once (a new table: 4,000
    /// writes and 12,000 reads per second).
    #[default]
    OnDemand,
    /// Fixed read and write capacity units per second.
    Provisioned,
}

/// Parameters of a DynamoDB table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<TableParams>)]
pub struct TableParams {
    /// On-demand or provisioned capacity.
    pub mode: CapacityMode,
    /// Provisioned mode: write capacity units (1 KB writes per second).
    pub write_capacity: u32,
    /// Provisioned mode: read capacity units (4 KB strongly consistent reads per second).
    pub read_capacity: u32,
    /// Partitions; each serves at most 1,000 WCU and 3,000 RCU per second.
    pub partitions: u32,
    /// Share of requests for one hot partition key, in [0, 1].
    pub hot_key_share: f64,
    /// Share of calls that are reads (the rest are writes), in [0, 1].
    pub read_share: f64,
    /// Item size in KB.
    pub item_kb: f64,
    /// Latency of a request, in milliseconds.
    pub latency_ms: f64,
    /// The caller's SDK attempts for throttled requests.
    pub sdk_max_attempts: u32,
}

impl Default for TableParams {
    fn default() -> Self {
        TableParams {
            mode: CapacityMode::OnDemand,
            write_capacity: 1000,
            read_capacity: 3000,
            partitions: 4,
            hot_key_share: 0.0,
            read_share: 0.5,
            item_kb: 1.0,
            latency_ms: 5.0,
            sdk_max_attempts: 3,
        }
    }
}

use super::bounds::bounds;
use super::{MAX_DURATION_S, MAX_RATE_PER_S};

bounds!(ApiGatewayParams {
    rate_per_s: Positive(MAX_RATE_PER_S), " req/s";
    burst: Count(1.0, 10_000_000.0);
    latency_ms: Range(0.0, 60_000.0), " ms";
    max_payload_kb: Range(0.0, 10_240.0), " KB (10 MB hard limit)";
});

bounds!(LambdaParams {
    memory_mb: Count(128.0, 10_240.0);
    threads: Count(1.0, 6.0);
    timeout_s: Positive(900.0), " s (Lambda's maximum is 900 s)";
    init_ms: Range(0.0, 600_000.0), " ms";
    idle_reclaim_s: Positive(MAX_DURATION_S), " s";
    async_max_retries: Count(0.0, 2.0);
    async_max_event_age_s: Range(60.0, 21_600.0), " s";
});

bounds!(RdsParams {
    max_connections: Count(1.0, 100_000.0);
    query_ms: Positive(600_000.0), " ms";
    connect_ms: Range(0.0, 60_000.0), " ms";
});

bounds!(RdsProxyParams {
    max_connections_percent: Count(1.0, 100.0);
    borrow_timeout_s: Range(0.0, 3_600.0), " s";
    pinned_fraction: Range(0.0, 1.0);
    latency_ms: Range(0.0, 60_000.0), " ms";
});

bounds!(ServiceParams {
    rate_limit_per_s: Positive(MAX_RATE_PER_S), " req/s";
    latency_ms: Positive(600_000.0), " ms";
    capacity: Count(1.0, 10_000_000.0);
    sdk_max_attempts: Count(1.0, 20.0);
    sdk_base_ms: Range(0.0, 60_000.0), " ms";
});

bounds!(TableParams {
    write_capacity: Count(1.0, 40_000_000.0);
    read_capacity: Count(1.0, 40_000_000.0);
    partitions: Count(1.0, 100_000.0);
    hot_key_share: Range(0.0, 1.0);
    read_share: Range(0.0, 1.0);
    item_kb: Positive(400.0), " KB (400 KB item limit)";
    latency_ms: Range(0.0, 60_000.0), " ms";
    sdk_max_attempts: Count(1.0, 20.0);
});
