//! Parameters of SQS queues and of the event source mappings that poll them.
//!
//! Why the mapping sits on the edge: batch size, batching window and maximum concurrency
//! belong to the connection between one queue and one function, not to either of them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Parameters of an SQS queue, standard or FIFO.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<QueueParams>)]
pub struct QueueParams {
    /// A FIFO queue: strict order per message group, one group's messages in flight at a
    /// time (so concurrency is bounded by the active groups; a failing message blocks its
    /// group until it succeeds or moves to the dead-letter queue).
    pub fifo: bool,
    /// FIFO only: message groups the senders spread messages over.
    pub message_groups: u32,
    /// FIFO only: high-throughput mode. Without it a FIFO queue takes 300 SendMessage
    /// and 300 ReceiveMessage calls per second (more are throttled); with it 70,000 (the
    /// big Regions' figure).
    pub fifo_high_throughput: bool,
    /// A received message is hidden for this long; if not deleted, it becomes visible
    /// again (AWS default 30 s; must be at least the consumer's timeout).
    pub visibility_timeout_s: f64,
    /// After this many receives a message moves to the dead-letter queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_receive_count: Option<u32>,
    /// Id of the queue that receives messages after `max_receive_count` receives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_queue: Option<String>,
    /// Messages older than this are deleted unread (AWS default 4 days; 60 s – 14 days).
    pub retention_s: f64,
    /// New messages stay invisible this long (0–900 s).
    pub delay_s: f64,
    /// Latency of SendMessage, in milliseconds.
    pub latency_ms: f64,
    /// Most messages received and not yet deleted (AWS: about 120,000 for standard and
    /// FIFO queues, raisable via Support); at the limit receives return nothing.
    pub max_in_flight: u32,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams {
            fifo: false,
            message_groups: 10,
            fifo_high_throughput: false,
            visibility_timeout_s: 30.0,
            max_receive_count: None,
            dead_letter_queue: None,
            retention_s: 345_600.0,
            delay_s: 0.0,
            latency_ms: 10.0,
            max_in_flight: 120_000,
        }
    }
}

/// How the mapping's pollers scale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PollerScaling {
    /// Lambda's published behaviour: 5 concurrent batches at first, +300 per minute while
    /// messages remain, up to 1,000 (or the maximum concurrency); back down when idle.
    #[default]
    Standard,
    /// Idealised: all `maximum_concurrency` pollers from the start, receiving the instant
    /// a message is visible (what queueing formulas assume).
    Instant,
}

/// A Lambda event source mapping for an SQS queue (on a `poll` edge).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<EventSourceMapping>)]
pub struct EventSourceMapping {
    /// Messages per invocation (1–10,000; default 10).
    pub batch_size: u32,
    /// Wait up to this long to fill a batch (0–300 s).
    pub batching_window_s: f64,
    /// Most concurrent invocations of this mapping (2–1,000); none: up to 1,000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_concurrency: Option<u32>,
    /// Poller scaling behaviour.
    pub scaling: PollerScaling,
    /// ReportBatchItemFailures: only failed messages return to the queue.
    pub report_batch_item_failures: bool,
    /// How the consumer works through a backlog (lesson 16's remedies).
    pub backlog: BacklogPolicy,
    /// Run the consumer as a scheduled job instead of continuously (lesson 9's fix): at
    /// every period it may take this many messages, then waits for the next run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ConsumerSchedule>,
}

/// A scheduled consumer: "a function on a one-minute schedule drains N messages", which
/// caps the rate downstream services see however deep the queue gets.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<ConsumerSchedule>)]
pub struct ConsumerSchedule {
    /// Whole seconds between runs (EventBridge rate expressions: at least 60).
    pub every_s: u32,
    /// Most messages one run takes.
    pub messages_per_run: u32,
}

impl Default for ConsumerSchedule {
    fn default() -> Self {
        ConsumerSchedule {
            every_s: 60,
            messages_per_run: 100,
        }
    }
}

/// A consumer's policy for old messages: the remedies for "backlogs outlive surges".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<BacklogPolicy>)]
pub struct BacklogPolicy {
    /// Which visible messages are received first.
    pub order: BacklogOrder,
    /// Messages older than this are deleted unprocessed when received (counted as dropped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_older_than_s: Option<f64>,
    /// The priority split: messages older than this when received are moved to a
    /// low-priority queue (with its own consumer) instead of being processed here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
}

/// Where a priority split sends old messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<Overflow>)]
pub struct Overflow {
    /// Messages older than this many seconds when received are moved.
    pub older_than_s: f64,
    /// Id of the low-priority queue.
    pub queue: String,
}

/// Receive order of a consumer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BacklogOrder {
    /// Oldest first (what a plain queue does).
    #[default]
    Fifo,
    /// Newest first: fresh requests are served while the old backlog waits (or expires).
    Lifo,
}

impl Default for EventSourceMapping {
    fn default() -> Self {
        EventSourceMapping {
            batch_size: 10,
            batching_window_s: 0.0,
            maximum_concurrency: None,
            scaling: PollerScaling::Standard,
            report_batch_item_failures: false,
            backlog: BacklogPolicy::default(),
            schedule: None,
        }
    }
}

/// Parameters of a Kinesis data stream (provisioned mode).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<StreamParams>)]
pub struct StreamParams {
    /// Number of shards; each takes 1,000 records/s and 1 MB/s of writes.
    pub shards: u32,
    /// Size of one record in KB (writes are limited to 1 MB/s per shard).
    pub record_kb: f64,
    /// Distinct partition keys the producers use.
    pub partition_keys: u32,
    /// Share of records written with one hot partition key, in [0, 1].
    pub hot_key_share: f64,
    /// Records are deleted after this many seconds (24 h default, up to 365 days).
    pub retention_s: f64,
    /// Latency of PutRecord, in milliseconds.
    pub latency_ms: f64,
    /// Records per write request (`PutRecords`, 1–500); each is accepted or throttled on
    /// its own, and any refusal fails the request for the producer.
    pub records_per_put: u32,
}

impl Default for StreamParams {
    fn default() -> Self {
        StreamParams {
            shards: 4,
            record_kb: 1.0,
            partition_keys: 1000,
            hot_key_share: 0.0,
            retention_s: 86_400.0,
            latency_ms: 20.0,
            records_per_put: 1,
        }
    }
}

/// A Lambda event source mapping for a Kinesis stream (on a `stream` edge).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<StreamMapping>)]
pub struct StreamMapping {
    /// Records per invocation (1–10,000; default 100).
    pub batch_size: u32,
    /// Concurrent batches per shard (1–10); order is kept per partition key.
    pub parallelization_factor: u32,
    /// Retries of a failing batch; none retries until the records expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<u32>,
    /// Records older than this are skipped; none keeps them until retention ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_record_age_s: Option<f64>,
    /// Split a failing batch in two and retry the halves.
    pub bisect_batch_on_error: bool,
    /// An idle shard is polled this often (standard iterator: about once per second).
    /// Every polling consumer's reads share the shard's 5 `GetRecords`/s and 2 MB/s.
    pub poll_interval_s: f64,
    /// Enhanced fan-out: records are pushed (~70 ms) through this consumer's own 2 MB/s
    /// per shard, taking none of the shard's shared reads (20 such consumers per stream).
    pub enhanced_fan_out: bool,
}

impl Default for StreamMapping {
    fn default() -> Self {
        StreamMapping {
            batch_size: 100,
            parallelization_factor: 1,
            maximum_retry_attempts: None,
            maximum_record_age_s: None,
            bisect_batch_on_error: false,
            poll_interval_s: 1.0,
            enhanced_fan_out: false,
        }
    }
}

/// Parameters of an S3 bucket or an SNS topic: a write (PutObject, Publish) that fans out
/// to every connected target as a notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<FanoutParams>)]
pub struct FanoutParams {
    /// Latency of the write, in milliseconds.
    pub latency_ms: f64,
}

impl Default for FanoutParams {
    fn default() -> Self {
        FanoutParams { latency_ms: 20.0 }
    }
}

/// Parameters of an EventBridge schedule (a rate or a cron expression).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<ScheduleParams>)]
pub struct ScheduleParams {
    /// Seconds between invocations (rate expressions go down to one minute).
    pub every_s: f64,
    /// Seconds before the first invocation (default: one period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_at_s: Option<f64>,
    /// A cron expression instead of the rate, e.g. `cron(0/15 * * * ? *)`: minutes and
    /// hours of a day that starts with the run (day, month, weekday and year are * or ?).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
}

impl Default for ScheduleParams {
    fn default() -> Self {
        ScheduleParams {
            every_s: 60.0,
            first_at_s: None,
            cron: None,
        }
    }
}

use super::MAX_DURATION_S;
use super::bounds::bounds;

bounds!(QueueParams {
    visibility_timeout_s: Range(0.0, 43_200.0), " s";
    retention_s: Range(60.0, 1_209_600.0), " s";
    delay_s: Range(0.0, 900.0), " s";
    max_in_flight: Count(1.0, 10_000_000.0);
    message_groups: Count(1.0, 100_000.0);
    latency_ms: Range(0.0, 60_000.0), " ms";
});

bounds!(EventSourceMapping {
    batch_size: Count(1.0, 10_000.0);
    batching_window_s: Range(0.0, 300.0), " s";
    maximum_concurrency: Count(2.0, 1_000.0);
});

bounds!(ConsumerSchedule {
    every_s: Count(60.0, 86_400.0);
    messages_per_run: Count(1.0, 10_000_000.0);
});

bounds!(BacklogPolicy {
    drop_older_than_s: Positive(1_209_600.0), " s";
});

bounds!(Overflow {
    older_than_s: Positive(1_209_600.0), " s";
});

bounds!(StreamParams {
    shards: Count(1.0, 10_000.0);
    record_kb: Positive(1_024.0), " KB (1 MB record limit)";
    partition_keys: Count(1.0, 1_000_000.0);
    hot_key_share: Range(0.0, 1.0);
    retention_s: Range(86_400.0, 31_536_000.0), " s (24 h to 365 days)";
    latency_ms: Range(0.0, 60_000.0), " ms";
    records_per_put: Count(1.0, 500.0);
});

bounds!(StreamMapping {
    batch_size: Count(1.0, 10_000.0);
    parallelization_factor: Count(1.0, 10.0);
    maximum_retry_attempts: Count(0.0, 10_000.0);
    maximum_record_age_s: Range(60.0, 604_800.0), " s (1 minute to 7 days)";
    poll_interval_s: Range(0.2, 300.0), " s";
});

bounds!(FanoutParams {
    latency_ms: Range(0.0, 60_000.0), " ms";
});

bounds!(ScheduleParams {
    every_s: Range(60.0, MAX_DURATION_S), " s (rate expressions go down to one minute)";
    first_at_s: Range(0.0, MAX_DURATION_S), " s";
});
