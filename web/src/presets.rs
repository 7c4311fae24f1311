//! Ready scenarios from the lessons, built into the page.
//!
//! Why the golden files: each preset is also a test fixture (`tests/scenarios/`), so what
//! the page offers is exactly what the engine's tests check, natively and in wasm.

/// One preset: a golden scenario with a title and what to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// File stem in `tests/scenarios/`.
    pub id: &'static str,
    /// Menu label.
    pub title: &'static str,
    /// What the run shows, in one or two sentences.
    pub narrative: &'static str,
    /// The scenario JSON.
    pub json: &'static str,
}

/// Every preset, in menu order.
pub const PRESETS: [Preset; 46] = [
    Preset {
        id: "lesson1-littles-law",
        title: "Lesson 1 · Little's law at scale",
        narrative: "3,000 req/s of a 3 s function need about 9,000 concurrent executions; \
                    the function scales +1,000 per 10 s, throttling until it gets there.",
        json: include_str!("../../tests/scenarios/lesson1-littles-law.json"),
    },
    Preset {
        id: "lesson2-burst-limit1000-current",
        title: "Lesson 2 · Burst beyond a 1,000 limit",
        narrative: "1,000 req/s of a 1 s function, then 4,000 req/s at t = 60 s: with the \
                    account limit at 1,000, three requests in four are throttled.",
        json: include_str!("../../tests/scenarios/lesson2-burst-limit1000-current.json"),
    },
    Preset {
        id: "lesson2-burst-limit4000-legacy",
        title: "Lesson 2 · Limit 4,000, 2019 scaling",
        narrative: "Burst to 3,000 at once, then +500 per minute: 3,500 a minute after the \
                    jump, 4,000 after two.",
        json: include_str!("../../tests/scenarios/lesson2-burst-limit4000-legacy.json"),
    },
    Preset {
        id: "lesson2-burst-limit4000-current",
        title: "Lesson 2 · Limit 4,000, current scaling",
        narrative: "+1,000 environments at once and +1,000 per 10 s: 4,000 within about 30 s.",
        json: include_str!("../../tests/scenarios/lesson2-burst-limit4000-current.json"),
    },
    Preset {
        id: "lesson3-fast-dependency",
        title: "Lesson 3 · A fast dependency",
        narrative: "1,800 req/s through a function that calls a partner API answering in 50 ms: \
                    about 180 environments busy, no throttles.",
        json: include_str!("../../tests/scenarios/lesson3-fast-dependency.json"),
    },
    Preset {
        id: "lesson3-slow-dependency",
        title: "Lesson 3 · The same dependency, slow",
        narrative: "The partner now answers in 600 ms: by Little's law the function needs about \
                    1,100 environments, hits the 1,000 limit, 15 % of calls are throttled and the \
                    duration bill is 5 times larger, with no code change.",
        json: include_str!("../../tests/scenarios/lesson3-slow-dependency.json"),
    },
    Preset {
        id: "lesson4-memory-512mb",
        title: "Lesson 4 · Memory is CPU: 512 MB",
        narrative: "Two functions at 100 req/s: one computes for 200 ms of a full vCPU, one waits \
                    200 ms. At 512 MB the computing one gets under a third of a vCPU and takes \
                    about 690 ms.",
        json: include_str!("../../tests/scenarios/lesson4-memory-512mb.json"),
    },
    Preset {
        id: "lesson4-memory-1769mb",
        title: "Lesson 4 · Memory is CPU: 1,769 MB",
        narrative: "Both at 1,769 MB (one full vCPU): the computing function is 3.5 times faster \
                    for about the same GB-seconds; the waiting one is no faster and costs 3.5 \
                    times more.",
        json: include_str!("../../tests/scenarios/lesson4-memory-1769mb.json"),
    },
    Preset {
        id: "lesson5-neighbour-shared",
        title: "Lesson 5 · A noisy neighbour",
        narrative: "A reports function surges to 3,000 req/s and takes the account's 1,000 \
                    concurrent executions: the unrelated checkout function is throttled too.",
        json: include_str!("../../tests/scenarios/lesson5-neighbour-shared.json"),
    },
    Preset {
        id: "lesson5-neighbour-reserved",
        title: "Lesson 5 · Reserved concurrency isolates",
        narrative: "Checkout gets 200 reserved executions: the surge still throttles reports, but \
                    checkout is never throttled.",
        json: include_str!("../../tests/scenarios/lesson5-neighbour-reserved.json"),
    },
    Preset {
        id: "lesson6-cold-starts-on-demand",
        title: "Lesson 6 · Cold starts come with a surge",
        narrative: "A Java function with an 800 ms init at 50 req/s, then 1,000 req/s: the surge's \
                    second is 60 % cold starts and p99 jumps above a second.",
        json: include_str!("../../tests/scenarios/lesson6-cold-starts-on-demand.json"),
    },
    Preset {
        id: "lesson6-cold-starts-provisioned",
        title: "Lesson 6 · Provisioned concurrency",
        narrative: "300 provisioned environments absorb the surge: no cold starts, p99 stays at \
                    the work's 200 ms.",
        json: include_str!("../../tests/scenarios/lesson6-cold-starts-provisioned.json"),
    },
    Preset {
        id: "lesson7-storm-direct",
        title: "Lesson 7 · Connection storm, no proxy",
        narrative: "Each execution environment opens its own connection: once concurrency \
                    passes max_connections (100), new invocations are refused.",
        json: include_str!("../../tests/scenarios/lesson7-storm-direct.json"),
    },
    Preset {
        id: "lesson7-storm-proxy",
        title: "Lesson 7 · Same load through RDS Proxy",
        narrative: "A pool of 5 connections multiplexed per query: no refusals, short borrow \
                    waits instead.",
        json: include_str!("../../tests/scenarios/lesson7-storm-proxy.json"),
    },
    Preset {
        id: "lesson7-storm-proxy-saturated",
        title: "Lesson 7 · A saturated proxy pool",
        narrative: "One pooled connection and slow queries: borrowers queue and time out \
                    after ConnectionBorrowTimeout.",
        json: include_str!("../../tests/scenarios/lesson7-storm-proxy-saturated.json"),
    },
    Preset {
        id: "lesson8-secret-per-call",
        title: "Lesson 8 · A secret fetched on every call",
        narrative: "2,000 req/s each fetching a secret from Secrets Manager (1,500 req/s quota in \
                    2019): most fetches are throttled and retried by the SDK, so latency grows and \
                    a quarter of requests fail.",
        json: include_str!("../../tests/scenarios/lesson8-secret-per-call.json"),
    },
    Preset {
        id: "lesson8-secret-per-call-today",
        title: "Lesson 8 · A secret per call, today's quota",
        narrative: "The same 2,000 req/s fetching the secret on every invocation against \
                    today's 10,000 req/s GetSecretValue quota: nothing is throttled. The 2019 \
                    quota of 1,500/s is what made the talk's symptom.",
        json: include_str!("../../tests/scenarios/lesson8-secret-per-call-today.json"),
    },
    Preset {
        id: "lesson8-secret-at-init",
        title: "Lesson 8 · The secret fetched at init",
        narrative: "Fetched once per environment during init and cached: about 640 fetches in all, \
                    no throttles, no failures.",
        json: include_str!("../../tests/scenarios/lesson8-secret-at-init.json"),
    },
    Preset {
        id: "lesson9-vendor-s3-direct",
        title: "Lesson 9 · The vendor API meltdown",
        narrative: "S3 triggers fire a function per object at 30/s against a vendor API that \
                    takes 20/s and then goes down for three minutes: events are retried twice \
                    and dropped, and 36 % of the objects are never processed.",
        json: include_str!("../../tests/scenarios/lesson9-vendor-s3-direct.json"),
    },
    Preset {
        id: "lesson9-vendor-queue",
        title: "Lesson 9 · A queue per stage",
        narrative: "The same uploads and outage with a queue in front of the function, \
                    consumed two at a time: the backlog peaks at about 6,600 and drains by \
                    641 s; nothing is lost.",
        json: include_str!("../../tests/scenarios/lesson9-vendor-queue.json"),
    },
    Preset {
        id: "lesson10-sync-29s",
        title: "Lesson 10 · The 29-second wall",
        narrative: "20 reports per second, each about 30 s of work, behind API Gateway: \
                    over half get a 504 at 29 s while the function runs on, and two thirds \
                    of the bill is work nobody receives.",
        json: include_str!("../../tests/scenarios/lesson10-sync-29s.json"),
    },
    Preset {
        id: "lesson10-async-poll",
        title: "Lesson 10 · Submit, then poll for the result",
        narrative: "The API enqueues and answers at once; the client asks a status endpoint \
                    every 3 s: every result arrives, at the price of about 17 status \
                    requests per report, whose function competes for the account's concurrency.",
        json: include_str!("../../tests/scenarios/lesson10-async-poll.json"),
    },
    Preset {
        id: "lesson10-async-callback",
        title: "Lesson 10 · A callback through SNS",
        narrative: "The worker publishes to a topic when the report is done and the client's \
                    webhook gets it 150 ms later: one request per report, no polling.",
        json: include_str!("../../tests/scenarios/lesson10-async-callback.json"),
    },
    Preset {
        id: "lesson10-async-websocket",
        title: "Lesson 10 · Pushing the result over a WebSocket",
        narrative: "Each client holds a WebSocket connection until its report is pushed: one \
                    connection and one message per report, billed by the connection minute.",
        json: include_str!("../../tests/scenarios/lesson10-async-websocket.json"),
    },
    Preset {
        id: "lesson11-queue-buffer",
        title: "Lesson 11 · Make the API dumb: a queue",
        narrative: "API Gateway → SQS → a worker capped at 50: a 60 s surge of 1,500 req/s is \
                    accepted at once; the queue absorbs it and drains at the worker's pace, so \
                    the database never sees more than 50 connections.",
        json: include_str!("../../tests/scenarios/lesson11-queue-buffer.json"),
    },
    Preset {
        id: "lesson12-shedding-none",
        title: "Lesson 12 · Goodput collapses past the knee",
        narrative: "1,100 req/s for a minute into a service that degrades past 100 calls in \
                    flight: it stays busy, callers time out and retry, goodput falls to zero.",
        json: include_str!("../../tests/scenarios/lesson12-shedding-none.json"),
    },
    Preset {
        id: "lesson12-shedding-admission",
        title: "Lesson 12 · Shedding load cheaply",
        narrative: "The same overload with an admission limit of 90 calls in flight: the \
                    excess is refused in 1 ms and goodput stays near 900 req/s.",
        json: include_str!("../../tests/scenarios/lesson12-shedding-admission.json"),
    },
    Preset {
        id: "lesson12-shedding-deadlines",
        title: "Lesson 12 · Deadlines without shedding",
        narrative: "The same overload with the service dropping work whose caller gave up: \
                    37,075 successes against 31,571 without, because retries keep the \
                    load past the knee. Refusing at the door is what restores goodput.",
        json: include_str!("../../tests/scenarios/lesson12-shedding-deadlines.json"),
    },
    Preset {
        id: "lesson13-retry-storm-legacy",
        title: "Lesson 13 · A retry storm (legacy retries)",
        narrative: "Three attempts with full jitter at 110 % of capacity: the load grows \
                    about 2.5 times and goodput stays at zero after the surge ends.",
        json: include_str!("../../tests/scenarios/lesson13-retry-storm-legacy.json"),
    },
    Preset {
        id: "lesson13-retry-storm-standard",
        title: "Lesson 13 · The SDK's retry quota",
        narrative: "The standard retry mode: retries spend a 500-token quota, so the storm \
                    stays near 1× and goodput is back within a minute of the surge.",
        json: include_str!("../../tests/scenarios/lesson13-retry-storm-standard.json"),
    },
    Preset {
        id: "circuit-breaker-outage",
        title: "Circuit breaker on a vendor outage",
        narrative: "The vendor is down from 60 s to 120 s: the function's breaker opens, \
                    probes every 10 s, and closes once the vendor answers again.",
        json: include_str!("../../tests/scenarios/circuit-breaker-outage.json"),
    },
    Preset {
        id: "lesson14-cron-all-new-records",
        title: "Lesson 14 · The cron job that never ends",
        narrative: "A job every 5 minutes processes all new records; after a surge of writes one run needs more \
                    than 15 minutes, times out, and every later run starts again from the same \
                    checkpoint, pushing duplicates downstream.",
        json: include_str!("../../tests/scenarios/lesson14-cron-all-new-records.json"),
    },
    Preset {
        id: "lesson14-cron-sliced",
        title: "Lesson 14 · The same job in slices",
        narrative: "Each run takes at most 12,000 records: every run finishes within the limit, no record is \
                    handled twice, and the backlog is worked off run by run.",
        json: include_str!("../../tests/scenarios/lesson14-cron-sliced.json"),
    },
    Preset {
        id: "lesson15-order-workflow",
        title: "Lesson 15 · Let Step Functions do the waiting",
        narrative: "Charge, wait two minutes, ship: both APIs fail 30 % of calls. The state \
                    machine waits for one transition instead of a function's 120 GB-s and \
                    retries each call with backoff, so 99 % of orders ship (in one function: \
                    about half).",
        json: include_str!("../../tests/scenarios/lesson15-order-workflow.json"),
    },
    Preset {
        id: "lesson16-backpressure-none",
        title: "Lesson 16 · A backlog outlives its surge",
        narrative: "600 req/s for a minute into a queue drained at 120/s: almost 30,000 \
                    messages wait, and the oldest is still minutes old long after the surge.",
        json: include_str!("../../tests/scenarios/lesson16-backpressure-none.json"),
    },
    Preset {
        id: "lesson16-backpressure-depth",
        title: "Lesson 16 · Backpressure at the producer",
        narrative: "The client stops sending while the queue holds more than 2,000: the \
                    excess is turned away at once and the backlog is gone soon after.",
        json: include_str!("../../tests/scenarios/lesson16-backpressure-depth.json"),
    },
    Preset {
        id: "lesson16-shared-pool",
        title: "Lesson 16 · A noisy tenant in a shared pool",
        narrative: "One tenant jumps to 500 req/s; 200 others share all 8 workers with it, \
                    and every one of them loses calls and waits longer.",
        json: include_str!("../../tests/scenarios/lesson16-shared-pool.json"),
    },
    Preset {
        id: "lesson16-shuffle-sharding",
        title: "Lesson 16 · Shuffle sharding",
        narrative: "Each tenant gets 2 of the 8 workers: the noisy one fills its own shard; \
                    the 3.6 % of tenants that share both its workers suffer, the rest do not.",
        json: include_str!("../../tests/scenarios/lesson16-shuffle-sharding.json"),
    },
    Preset {
        id: "lesson17-whole-batch",
        title: "Lesson 17 · One bad record fails its batch",
        narrative: "Each record fails 10 % of the time in batches of 10: a failed batch returns all ten, good \
                    records run again, and thousands reach the dead-letter queue.",
        json: include_str!("../../tests/scenarios/lesson17-whole-batch.json"),
    },
    Preset {
        id: "lesson17-partial-batch",
        title: "Lesson 17 · ReportBatchItemFailures",
        narrative: "Only the failed records come back: no duplicates, and a record reaches the dead-letter \
                    queue only after failing four times in a row.",
        json: include_str!("../../tests/scenarios/lesson17-partial-batch.json"),
    },
    Preset {
        id: "lesson18-kinesis-poison",
        title: "Lesson 18 · A poison record in a Kinesis shard",
        narrative: "At 60 s one record starts failing its batch: its shard stops while the \
                    others flow, the iterator age climbs a second per second, and the shard \
                    only moves on when the record passes its 120 s maximum age.",
        json: include_str!("../../tests/scenarios/lesson18-kinesis-poison.json"),
    },
    Preset {
        id: "lesson18-kinesis-consumers",
        title: "Lesson 18 · Seven consumers of one stream",
        narrative: "Seven functions poll the same two shards once a second: a shard serves \
                    5 reads/s, so about one read in five is refused and records wait up to \
                    7 s instead of about 1. Switch a consumer's edge to enhanced fan-out to free \
                    the shared reads.",
        json: include_str!("../../tests/scenarios/lesson18-kinesis-consumers.json"),
    },
    Preset {
        id: "lesson19-batch-of-1",
        title: "Lesson 19 · What you pay: one message per invocation",
        narrative: "500 events/s through an HTTP API, a queue and a function taking one \
                    message at a time: $0.40 for 5 minutes, of which the queue's requests $0.18 \
                    and the invocations $0.03.",
        json: include_str!("../../tests/scenarios/lesson19-batch-of-1.json"),
    },
    Preset {
        id: "lesson19-batch-of-10",
        title: "Lesson 19 · Batches of ten",
        narrative: "The same events in batches of up to 10 (a 1 s window): a tenth of the \
                    invocations and of the receives and deletes; the bill falls by a third, the \
                    API and the sends stay.",
        json: include_str!("../../tests/scenarios/lesson19-batch-of-10.json"),
    },
    Preset {
        id: "lesson20-no-alarms",
        title: "Lesson 20 · Throttling nobody is told about",
        narrative: "A function at its reserved concurrency throttles a surge for a minute; \
                    without alarms only the charts show it, after the fact.",
        json: include_str!("../../tests/scenarios/lesson20-no-alarms.json"),
    },
    Preset {
        id: "lesson20-alarms",
        title: "Lesson 20 · The alarm that would have warned you",
        narrative: "A surge past a function's reserved concurrency: the throttles alarm \
                    (2 of 3 ten-second periods) goes to ALARM at 80 s and back to OK at 140 s.",
        json: include_str!("../../tests/scenarios/lesson20-alarms.json"),
    },
];

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_scenario() {
        for p in PRESETS {
            surge_core::Scenario::from_json(p.json).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        }
    }
}
