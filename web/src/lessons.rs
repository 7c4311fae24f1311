//! The lessons of the talks as the gallery shows them: each with its hook, its variants
//! (a "before" and one or more fixes, all presets), what to watch, things to try, and the
//! figures the talk quoted.
//!
//! Why data beside the presets: a preset is a scenario and a test fixture; a lesson is the
//! story around several of them. The gallery, the lesson panel and their tests read this
//! table; a test checks that every variant names a preset and all 20 lessons are here.

/// A group of lessons, as `lessons.md` groups them.
pub const GROUPS: [&str; 5] = [
    "Concurrency and scaling",
    "Dependencies that cannot follow Lambda's scale",
    "Timeouts, long work and retries",
    "Queues and streams",
    "Seeing and paying",
];

/// One lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// Its number in `lessons.md`.
    pub number: u8,
    /// Index into [`GROUPS`].
    pub group: usize,
    /// Card title.
    pub title: &'static str,
    /// One line that makes one want to open it.
    pub hook: &'static str,
    /// (preset id, label): the "before" first, then the fixes.
    pub variants: &'static [(&'static str, &'static str)],
    /// What the diagram shows and what to watch.
    pub watch: &'static str,
    /// Things to change and see.
    pub try_this: &'static [&'static str],
    /// The figures the talk quoted (compare them with the run's).
    pub talk: &'static str,
}

/// Every lesson that has presets, in `lessons.md` order.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        number: 1,
        group: 0,
        title: "Little's law",
        hook: "1,000 concurrency is not 1,000 req/s: a 3 s function at 3,000 req/s needs 9,000.",
        variants: &[("lesson1-littles-law", "3,000 req/s of a 3 s function")],
        watch: "Watch the function's concurrency climb towards rate × duration while it scales by 1,000 every 10 s; the throttles stop when it gets there.",
        try_this: &[
            "Halve the function's duration: the concurrency it needs halves.",
            "Set the account limit back to 1,000 and watch most requests throttle.",
        ],
        talk: "A 200 ms function at 5 req/s needs 1 environment; a 3 s function at 3,000 req/s about 9,000.",
    },
    Lesson {
        number: 2,
        group: 0,
        title: "A burst beyond the limit",
        hook: "From 1,000 to 4,000 req/s of a 1 s function: who gets throttled, and for how long?",
        variants: &[
            ("lesson2-burst-limit1000-current", "Limit 1,000"),
            (
                "lesson2-burst-limit4000-legacy",
                "Limit 4,000, 2019 scaling",
            ),
            (
                "lesson2-burst-limit4000-current",
                "Limit 4,000, today's scaling",
            ),
        ],
        watch: "With a 1,000 limit about 3,000 req/s are throttled for good. Raise the limit and compare the 2019 scaling (3,000 at once, +500 a minute) with today's (+1,000 per 10 s).",
        try_this: &[
            "Switch the account's scaling model in the account settings and run again.",
            "Pin one run as A and play the other: the A/B chart shows both ramps.",
        ],
        talk: "2019: concurrency 3,000 at once, 3,500 after a minute, 4,000 after two.",
    },
    Lesson {
        number: 3,
        group: 0,
        title: "A slow dependency",
        hook: "The same traffic, a slower partner API: concurrency, throttles and cost all grow.",
        variants: &[
            ("lesson3-fast-dependency", "Partner answers in 50 ms"),
            ("lesson3-slow-dependency", "Partner answers in 600 ms"),
        ],
        watch: "Compare the function's concurrency and the duration cost: no code changed, only the partner's latency.",
        try_this: &[
            "Give the function reserved concurrency: the throttles move, the partner's latency does not.",
            "Put a queue between the API and the function.",
        ],
        talk: "Duration grows, so concurrency grows (Little's law), so the limit is hit and GB-seconds rise.",
    },
    Lesson {
        number: 4,
        group: 0,
        title: "Memory is CPU",
        hook: "More memory makes computing faster and sometimes cheaper; waiting just costs more.",
        variants: &[
            ("lesson4-memory-512mb", "512 MB"),
            ("lesson4-memory-1769mb", "1,769 MB (one vCPU)"),
        ],
        watch: "The computing function's time falls 3.5 times for the same GB-seconds; the waiting one's time does not move and its bill grows 3.5 times.",
        try_this: &[
            "Try 3,538 MB with one thread, then with two threads.",
            "Make the computing step lognormal and compare the p99s.",
        ],
        talk: "More memory shortens CPU-bound work; IO-bound work gets no faster and just costs more.",
    },
    Lesson {
        number: 5,
        group: 0,
        title: "A noisy neighbour",
        hook: "One function's surge throttles an unrelated one: they share the account's pool.",
        variants: &[
            ("lesson5-neighbour-shared", "Shared pool"),
            ("lesson5-neighbour-reserved", "Checkout reserves 200"),
        ],
        watch: "Watch checkout's throttles during the reports surge, then reserve concurrency for it.",
        try_this: &[
            "Reserve concurrency for the reports function instead.",
            "Put a per-API throttle on an API Gateway in front of reports.",
        ],
        talk: "Reserved concurrency per function, and per-API throttling in API Gateway, isolate them.",
    },
    Lesson {
        number: 6,
        group: 0,
        title: "Cold starts are a mode",
        hook: "Under a surge most invocations start cold, and the p99 jumps above a second.",
        variants: &[
            ("lesson6-cold-starts-on-demand", "On demand"),
            ("lesson6-cold-starts-provisioned", "300 provisioned"),
        ],
        watch: "Look at the cold starts at t = 60 s and the latency that second; provisioned environments take the surge warm.",
        try_this: &[
            "Lower provisioned concurrency to 100: some cold starts come back.",
            "Switch the runtime to Python and compare the init times.",
        ],
        talk: "A periodic warmer keeps only one environment warm; provisioned concurrency keeps N.",
    },
    Lesson {
        number: 7,
        group: 1,
        title: "Database connection storm",
        hook: "Every warm function opens its own connection, until the database refuses them.",
        variants: &[
            ("lesson7-storm-direct", "Direct connections"),
            ("lesson7-storm-proxy", "RDS Proxy"),
            ("lesson7-storm-proxy-saturated", "A proxy pool too small"),
        ],
        watch: "Connections hit max_connections and new invocations fail; RDS Proxy lends a few pooled connections to many functions.",
        try_this: &[
            "Inject a database failover and compare direct and proxied clients.",
            "Raise the proxy's max_connections_percent on the saturated variant.",
        ],
        talk: "Past max_connections new invocations fail; the proxy pools, multiplexes and queues borrowers.",
    },
    Lesson {
        number: 8,
        group: 1,
        title: "Hidden throttles in the handler",
        hook: "A secret fetched on every call hits Secrets Manager's quota; the SDK hides it as latency.",
        variants: &[
            ("lesson8-secret-per-call", "Fetched per call, 2019 quota"),
            (
                "lesson8-secret-per-call-today",
                "Fetched per call, today's quota",
            ),
            ("lesson8-secret-at-init", "Fetched at init"),
        ],
        watch: "The secrets service throttles most fetches, retries stretch the latency and some requests fail; fetching once per environment removes it.",
        try_this: &[
            "Compare the 2019 quota (1,500/s) with today's (10,000/s): the same code is fine today at 2,000 req/s, and fails again past 10,000.",
            "Lower the rate to 1,000 req/s: the throttles vanish, the cost does not.",
        ],
        talk: "Secrets Manager allowed 1,500 req/s in 2019; CloudWatch PutMetricData 150 TPS.",
    },
    Lesson {
        number: 9,
        group: 1,
        title: "The vendor API meltdown",
        hook: "S3 triggers cannot be slowed: a partner API at 20 req/s, an outage, and a third of the work silently lost.",
        variants: &[
            ("lesson9-vendor-s3-direct", "S3 triggers the function"),
            ("lesson9-vendor-queue", "A queue per stage"),
        ],
        watch: "member-fn fires as fast as objects arrive; the vendor throttles, then goes down for three minutes. Events are retried twice and dropped: watch the lost count. With a queue the depth rises and drains and nothing is lost.",
        try_this: &[
            "Give member-fn an on-failure destination queue: the failed events are kept instead of lost.",
            "Raise the queue's maximum concurrency from 2 to 20: it drains faster until the vendor throttles.",
        ],
        talk: "A fan-out pipeline on S3 triggers flooded a rate-limited REST API until it fell over; an SQS queue per stage, consumed at a controlled rate with dead-letter queues, fixed it.",
    },
    Lesson {
        number: 10,
        group: 2,
        title: "The 29-second wall",
        hook: "API Gateway gives up at 29 s while the function works on: async patterns compared.",
        variants: &[
            ("lesson10-sync-29s", "Synchronous"),
            ("lesson10-async-poll", "Submit and poll"),
            ("lesson10-async-callback", "Callback (SNS)"),
            ("lesson10-async-websocket", "WebSocket push"),
        ],
        watch: "Half the reports get a 504 and two thirds of the bill is wasted; each async pattern delivers them, at a different count of requests and cost.",
        try_this: &[
            "Set the poll interval to 10 s: fewer requests, later results.",
            "Lower give_up_s to 60 s and watch results given up.",
        ],
        talk: "Long work: submit → request id → poll status → fetch the result, or a callback or WebSocket.",
    },
    Lesson {
        number: 11,
        group: 2,
        title: "Make the API dumb",
        hook: "Validate, enqueue, respond: the queue absorbs the surge, the database sees a steady rate.",
        variants: &[("lesson11-queue-buffer", "API → SQS → function")],
        watch: "The queue fills during the surge and drains at the worker's reserved rate; the database never sees the spike.",
        try_this: &[
            "Remove the worker's reserved concurrency and the connection's maximum concurrency, and watch the database.",
            "Lower max_receive_count to send failures to the dead-letter queue sooner.",
        ],
        talk: "API Gateway → SQS → Lambda with reserved concurrency and a dead-letter queue.",
    },
    Lesson {
        number: 12,
        group: 2,
        title: "Goodput versus throughput",
        hook: "Busy and useless: past the knee the system works on requests whose callers left.",
        variants: &[
            ("lesson12-shedding-none", "No shedding"),
            ("lesson12-shedding-admission", "Admission limit"),
            ("lesson12-shedding-deadlines", "Deadlines"),
        ],
        watch: "Goodput collapses while throughput stays high; an admission limit refuses the excess in 1 ms and goodput stays near capacity.",
        try_this: &[
            "Turn on drop_abandoned instead of the admission limit.",
            "Raise the client's timeout and see where the knee moves.",
        ],
        talk: "Shed excess load cheaply, align server-side timeouts with client timeouts, bound the work.",
    },
    Lesson {
        number: 13,
        group: 2,
        title: "Retry storms",
        hook: "Three attempts with jitter at 110 % of capacity: the load grows 2.5 times and stays.",
        variants: &[
            ("lesson13-retry-storm-legacy", "Legacy retries"),
            (
                "lesson13-retry-storm-standard",
                "Standard mode (retry quota)",
            ),
            ("circuit-breaker-outage", "A circuit breaker"),
        ],
        watch: "Jitter spreads retries but keeps their number; the SDK's retry quota bounds it and goodput returns within a minute.",
        try_this: &[
            "Switch the client to the adaptive retry mode.",
            "Add a circuit breaker on the client's connection.",
        ],
        talk: "Retries without backoff multiply load; the retry quota and circuit breakers bound it.",
    },
    Lesson {
        number: 14,
        group: 2,
        title: "The cron job that never ends",
        hook: "A scheduled job over all new records hits the 15-minute limit and starts again from the same record.",
        variants: &[
            ("lesson14-cron-all-new-records", "All new records per run"),
            ("lesson14-cron-sliced", "At most 12,000 per run"),
        ],
        watch: "After the writers' surge one run has more records than 15 minutes allow: it times out, the checkpoint stays, and every later run starts again and pushes duplicates downstream. Capping each run keeps it short.",
        try_this: &[
            "Schedule the job every minute instead of every 5.",
            "Raise max_records to 40,000 and find where runs start timing out again.",
        ],
        talk: "Processing all new records hit 15 minutes, was retried, and pushed duplicates until a disk filled.",
    },
    Lesson {
        number: 15,
        group: 2,
        title: "Orchestrating inside a function",
        hook: "Step Functions does the waiting, the retries and the catching, and bills transitions.",
        variants: &[("lesson15-order-workflow", "An order workflow")],
        watch: "Follow the executions: retries with backoff and a catch, no function paying to sleep.",
        try_this: &[
            "Switch the state machine to Express and compare the cost.",
            "Inject an outage into the payment function.",
        ],
        talk: "A function that orchestrates pays for sleeping and loses retry logic.",
    },
    Lesson {
        number: 16,
        group: 3,
        title: "Backlogs outlive surges",
        hook: "A one-minute surge, a backlog for many: everyone waits behind stale messages.",
        variants: &[
            ("lesson16-backpressure-none", "FIFO backlog"),
            ("lesson16-backpressure-depth", "Backpressure"),
            ("lesson16-shared-pool", "One shared worker pool"),
            ("lesson16-shuffle-sharding", "Shuffle sharding"),
        ],
        watch: "The oldest message's age keeps growing after the surge; backpressure bounds the queue, and shuffle sharding keeps one noisy tenant from hurting the others.",
        try_this: &[
            "Set the consumer's backlog order to newest first, or drop_older_than_s.",
            "Give each tenant 3 workers instead of 2 and read the overlap figures.",
        ],
        talk: "8 workers, 2 per workload: 53.6 % of pairs share none, 42.8 % one, 3.6 % both.",
    },
    Lesson {
        number: 17,
        group: 3,
        title: "Partial batch failures",
        hook: "One bad record returns its whole batch: good records run again and fill the dead-letter queue.",
        variants: &[
            ("lesson17-whole-batch", "Whole batch returned"),
            ("lesson17-partial-batch", "ReportBatchItemFailures"),
        ],
        watch: "Each record fails 10 % of the time: a batch of 10 fails about 65 % of the time and, without reporting, all ten come back; with it, only the failed records do.",
        try_this: &[
            "Set the batch size to 1 and compare the invocations.",
            "Lower max_receive_count to 2 on the reporting variant.",
        ],
        talk: "A failing message is retried, out of order, up to the receive limit, then goes to a dead-letter queue.",
    },
    Lesson {
        number: 18,
        group: 3,
        title: "Kinesis shards bound concurrency",
        hook: "One batch per shard: a poison record stalls its shard and the iterator age climbs.",
        variants: &[
            ("lesson18-kinesis-poison", "A poison record"),
            ("lesson18-kinesis-consumers", "Many consumers"),
        ],
        watch: "The failing record blocks its shard until it expires; too many polling consumers share 5 reads/s per shard.",
        try_this: &[
            "Turn on bisect_batch_on_error and set maximum_retry_attempts on the stream mapping.",
            "Switch a consumer to enhanced fan-out.",
        ],
        talk: "100 shards, 100 concurrent functions; 1 MB/s or 1,000 records/s in per shard.",
    },
    Lesson {
        number: 19,
        group: 4,
        title: "What you pay",
        hook: "Cost follows usage: batching cuts queue requests and invocations by ten.",
        variants: &[
            ("lesson19-batch-of-1", "One message per invocation"),
            ("lesson19-batch-of-10", "Batches of ten"),
        ],
        watch: "Compare the cost lines: the API and the sends do not change; receives, deletes and invocations fall tenfold with batches, the GB-seconds stay.",
        try_this: &[
            "Give the function 128 MB and compare the duration cost.",
            "Switch the API to REST and see what the API line becomes.",
        ],
        talk: "Invocations and GB-seconds, API requests, queue requests (batching cuts them), and the waste from retries.",
    },
    Lesson {
        number: 20,
        group: 4,
        title: "Operating",
        hook: "The metrics that would have warned you, and one request traced through every hop.",
        variants: &[
            ("lesson20-no-alarms", "No alarms"),
            ("lesson20-alarms", "Alarms on throttles"),
        ],
        watch: "The same throttling with and without alarms: the alarm goes off at 80 s and back to OK at 140 s, and the run itself is the same; open the slowest request's waterfall.",
        try_this: &[
            "Add the recommended alarms from the inspector.",
            "Change an alarm to 2 of 3 datapoints.",
        ],
        talk: "Concurrency estimated from logs, a trace of one request, and the alarms that would have fired.",
    },
];

/// The lesson with this number.
pub fn find(number: u8) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.number == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_a_preset_and_every_lesson_is_listed_once() {
        let mut numbers: Vec<u8> = LESSONS.iter().map(|l| l.number).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=20).collect::<Vec<u8>>());
        for l in LESSONS {
            assert!(
                !l.variants.is_empty() && l.group < GROUPS.len(),
                "{}",
                l.number
            );
            assert!((2..=3).contains(&l.try_this.len()), "{}", l.number);
            for (id, _) in l.variants {
                assert!(
                    crate::presets::find(id).is_some(),
                    "lesson {}: {id}",
                    l.number
                );
            }
        }
    }
}
