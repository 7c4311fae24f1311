//! Queues: SQS → Lambda against Erlang C in the idealised polling setting, redrive to a
//! dead-letter queue, poller scaling, a backlog that drains after a surge, FIFO queues'
//! per-action call limits, and the message ledger after every event.

use proptest::prelude::*;
use surge_core::*;

use super::{node, run, scenario};

/// client → API Gateway → SQS → (poll) → function, with the mapping and handler given.
fn pipeline(
    rate: f64,
    esm: EventSourceMapping,
    function: LambdaParams,
    queue: QueueParams,
    seconds: f64,
    seed: u64,
) -> Scenario {
    let mut s = Scenario::empty(seed, seconds);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: rate,
            ..ClientParams::default()
        }),
    )
    .add("api", NodeKind::ApiGateway(ApiGatewayParams::default()))
    .add("q", NodeKind::Sqs(queue))
    .add("fn", NodeKind::Lambda(function))
    .connect("c", "api")
    .connect("api", "q")
    .connect("q", "fn");
    s.edges[2].esm = Some(esm);
    s
}

/// Erlang C: probability of waiting and mean wait (s) for M/M/c at arrival rate `lambda`.
fn erlang_c(c: u32, lambda: f64, mean_s: f64) -> (f64, f64) {
    let a = lambda * mean_s;
    let b = (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b));
    let rho = a / f64::from(c);
    let p_wait = b / (1.0 - rho + rho * b);
    (p_wait, p_wait / (f64::from(c) / mean_s - lambda))
}

/// Student t quantile for 0.995 with 19 degrees of freedom.
const T_995_19: f64 = 2.861;

fn mean_and_half_width(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, T_995_19 * (var / n).sqrt())
}

/// 20 independent replications of the idealised SQS → Lambda queue.
fn check_erlang_c(c: u32, lambda: f64, mean_ms: f64, seconds: f64) {
    let (p_expected, wq_expected) = erlang_c(c, lambda, mean_ms / 1000.0);
    let mut p = Vec::new();
    let mut wq = Vec::new();
    for seed in 0..20 {
        let esm = EventSourceMapping {
            batch_size: 1,
            maximum_concurrency: Some(c),
            scaling: PollerScaling::Instant,
            ..EventSourceMapping::default()
        };
        let f = LambdaParams {
            reserved_concurrency: Some(c),
            provisioned_concurrency: c,
            handler: vec![Step::Compute {
                ms: mean_ms,
                distribution: StepDistribution::Exponential,
            }],
            ..LambdaParams::default()
        };
        let s = pipeline(lambda, esm, f, QueueParams::default(), seconds, 1000 + seed);
        let r = run(&s);
        let q = node(&r, "q");
        assert!(r.messages.balances(), "{:?}", r.messages);
        assert_eq!(
            node(&r, "fn").errors.total(),
            0,
            "the idealised setting never throttles"
        );
        p.push(q.waited as f64 / q.received as f64);
        wq.push(q.mean_wait_ms / 1000.0);
    }
    let (p_mean, p_half) = mean_and_half_width(&p);
    let (w_mean, w_half) = mean_and_half_width(&wq);
    assert!(
        (p_mean - p_expected).abs() <= p_half,
        "P(wait) {p_mean:.4} ± {p_half:.4}, Erlang C {p_expected:.4}"
    );
    assert!(
        (w_mean - wq_expected).abs() <= w_half,
        "Wq {:.3} ms ± {:.3}, Erlang C {:.3} ms",
        w_mean * 1e3,
        w_half * 1e3,
        wq_expected * 1e3
    );
}

#[test]
fn erlang_c_c100_lambda900_mean100ms() {
    let (p, wq) = erlang_c(100, 900.0, 0.1);
    assert!(
        (p - 0.2169).abs() < 5e-4 && (wq * 1e3 - 2.169).abs() < 5e-3,
        "{p} {wq}"
    );
    check_erlang_c(100, 900.0, 100.0, 150.0);
}

#[test]
fn erlang_c_c10_lambda80_mean100ms() {
    check_erlang_c(10, 80.0, 100.0, 300.0);
}

#[test]
fn failing_messages_are_retried_then_moved_to_the_dead_letter_queue() {
    let mut s = pipeline(
        20.0,
        EventSourceMapping::default(),
        LambdaParams::default(),
        QueueParams {
            visibility_timeout_s: 5.0,
            max_receive_count: Some(3),
            dead_letter_queue: Some("dlq".into()),
            ..QueueParams::default()
        },
        120.0,
        9,
    );
    s.add("dlq", NodeKind::Sqs(QueueParams::default()));
    s.faults.push(Fault {
        node: "fn".into(),
        at_s: 0.0,
        duration_s: 200.0,
        kind: FaultKind::ErrorRate { probability: 1.0 },
    });
    let r = run(&s);
    let m = r.messages;
    assert!(m.balances(), "{m:?}");
    assert_eq!(m.consumed, 0);
    assert!(m.dead_lettered > 1800, "{m:?}");
    // Each dead-lettered message was received exactly three times first.
    let received = node(&r, "q").received;
    let invocation_records = node(&r, "fn")
        .series
        .iter()
        .map(|s| s.arrivals)
        .sum::<u64>();
    assert!(invocation_records > 0 && received >= m.dead_lettered);
    let dlq = node(&r, "dlq");
    assert!(
        dlq.series[110].mean_queue > 1800.0,
        "the DLQ fills: {}",
        dlq.series[110].mean_queue
    );
}

#[test]
fn standard_pollers_start_at_five_and_add_300_a_minute() {
    let f = LambdaParams {
        handler: vec![Step::Compute {
            ms: 1000.0,
            distribution: StepDistribution::Fixed,
        }],
        ..LambdaParams::default()
    };
    let esm = EventSourceMapping {
        batch_size: 1,
        ..EventSourceMapping::default()
    };
    let r = run(&pipeline(2000.0, esm, f, QueueParams::default(), 40.0, 3));
    let f = node(&r, "fn");
    assert!(
        f.series[2].peak_in_node <= 15,
        "starts near 5: {}",
        f.series[2].peak_in_node
    );
    let at30 = f.series[30].peak_in_node;
    assert!((140..=160).contains(&at30), "+5 per second: {at30} at 30 s");
    assert!(
        node(&r, "q").series[30].oldest_age_s > 5.0,
        "the backlog ages"
    );
}

#[test]
fn receives_stop_at_the_in_flight_limit() {
    // 100 messages/s into a queue whose limit is set to 50 in flight, consumed one at a
    // time by a function that takes 5 s: without the limit 500 would be in flight.
    let s = pipeline(
        100.0,
        EventSourceMapping {
            batch_size: 1,
            scaling: PollerScaling::Instant,
            ..EventSourceMapping::default()
        },
        LambdaParams {
            timeout_s: 30.0,
            handler: vec![Step::Sleep { ms: 5000.0 }],
            ..LambdaParams::default()
        },
        QueueParams {
            visibility_timeout_s: 60.0,
            max_in_flight: 50,
            ..QueueParams::default()
        },
        120.0,
        5,
    );
    let r = run(&s);
    let q = node(&r, "q");
    let peak_in_flight = q
        .series
        .iter()
        .map(|x| x.mean_in_flight)
        .fold(0.0, f64::max);
    assert!(peak_in_flight <= 50.0, "{peak_in_flight}");
    assert!(
        peak_in_flight > 45.0,
        "the limit is reached: {peak_in_flight}"
    );
    assert!(node(&r, "fn").peak_in_node <= 50);
    assert!(
        q.series.last().is_some_and(|x| x.mean_queue > 5_000.0),
        "the rest waits"
    );
    assert!(r.messages.balances(), "{:?}", r.messages);
}

/// 500 messages/s into a FIFO queue with 1,000 groups, consumed one message per batch by
/// up to 1,000 concurrent batches of a fast function.
fn fifo_at_500_per_s(high_throughput: bool) -> Report {
    let s = pipeline(
        500.0,
        EventSourceMapping {
            batch_size: 1,
            scaling: PollerScaling::Instant,
            ..EventSourceMapping::default()
        },
        LambdaParams {
            handler: vec![Step::Compute {
                ms: 5.0,
                distribution: StepDistribution::Fixed,
            }],
            ..LambdaParams::default()
        },
        QueueParams {
            fifo: true,
            message_groups: 1000,
            fifo_high_throughput: high_throughput,
            ..QueueParams::default()
        },
        60.0,
        6,
    );
    run(&s)
}

#[test]
fn a_fifo_queue_takes_300_sends_and_300_receives_a_second_unless_high_throughput() {
    let r = fifo_at_500_per_s(false);
    let q = node(&r, "q");
    let refused = q.errors.throttled as f64 / q.arrivals as f64;
    assert!(
        (refused - 0.4).abs() < 0.03,
        "500 sends/s against 300/s: {refused}"
    );
    assert!(
        r.ledger.failed.throttled > 0,
        "the callers see the throttles"
    );
    let batches = node(&r, "fn").arrivals;
    assert!(
        batches <= 300 * 60 + 300,
        "one message per receive: 300 batches a second (and the bucket), got {batches}"
    );
    assert!(r.messages.balances(), "{:?}", r.messages);

    let fast = fifo_at_500_per_s(true);
    assert_eq!(node(&fast, "q").errors.throttled, 0);
    let consumed = fast.messages.consumed as f64;
    assert!(consumed > 0.98 * 500.0 * 60.0, "{:?}", fast.messages);
}

#[test]
fn a_queue_absorbs_a_surge_and_drains_at_the_consumers_pace() {
    let mut s = pipeline(
        20.0,
        EventSourceMapping {
            batch_size: 10,
            maximum_concurrency: Some(10),
            ..EventSourceMapping::default()
        },
        LambdaParams {
            reserved_concurrency: Some(10),
            handler: vec![Step::Compute {
                ms: 50.0,
                distribution: StepDistribution::Fixed,
            }],
            ..LambdaParams::default()
        },
        QueueParams::default(),
        400.0,
        11,
    );
    s.faults.push(Fault {
        node: "c".into(),
        at_s: 30.0,
        duration_s: 60.0,
        kind: FaultKind::Spike { rate_per_s: 600.0 },
    });
    let r = run(&s);
    assert_eq!(
        r.ledger.failed.total(),
        0,
        "the API answers at once, nothing is throttled"
    );
    let q = node(&r, "q");
    let peak = q.series.iter().map(|s| s.mean_queue).fold(0.0, f64::max);
    assert!(peak > 10_000.0, "the backlog builds: {peak}");
    assert!(
        node(&r, "fn").peak_in_node <= 10,
        "the downstream sees a steady rate"
    );
    let drained = q
        .series
        .iter()
        .skip(90)
        .position(|s| s.mean_queue < 1.0)
        .map(|i| i + 90);
    assert!(
        drained.is_some_and(|t| t > 150),
        "backlogs outlive surges: drained at {drained:?}"
    );
    assert!(r.messages.balances() && r.messages.consumed > 30_000);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Every message is accounted for after every event, whatever the settings.
    #[test]
    fn message_ledger_balances_after_every_event(
        rate in 1.0..400.0f64,
        batch in 1u32..20,
        visibility in 3.0..20.0f64,
        fail in 0.0..1.0f64,
        retention in 60.0..200.0f64,
        delay in 0.0..5.0f64,
        instant in any::<bool>(),
        fifo in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let batch = if fifo { batch.min(10) } else { batch };
        let esm = EventSourceMapping {
            batch_size: batch,
            batching_window_s: if batch > 10 { 1.0 } else { 0.0 },
            maximum_concurrency: Some(5),
            scaling: if instant { PollerScaling::Instant } else { PollerScaling::Standard },
            ..EventSourceMapping::default()
        };
        let f = LambdaParams { timeout_s: 2.0, handler: vec![Step::Compute { ms: 300.0, distribution: StepDistribution::Exponential }], ..LambdaParams::default() };
        let queue = QueueParams { fifo, message_groups: 3, visibility_timeout_s: visibility, retention_s: retention, delay_s: delay, max_receive_count: Some(2), dead_letter_queue: Some("dlq".into()), ..QueueParams::default() };
        let mut s = pipeline(rate, esm, f, queue, 150.0, seed);
        s.add("dlq", NodeKind::Sqs(QueueParams { retention_s: 60.0, ..QueueParams::default() }));
        s.faults.push(Fault { node: "fn".into(), at_s: 20.0, duration_s: 60.0, kind: FaultKind::ErrorRate { probability: fail } });
        let mut sim = Simulation::new(&s).expect("valid");
        while sim.step().is_some() {
            prop_assert!(sim.messages().balances(), "{:?}", sim.messages());
            prop_assert!(sim.ledger().balances());
        }
    }
}

fn errors_of(json: &str) -> String {
    Scenario::from_json(json)
        .expect_err("should be rejected")
        .to_string()
}

#[test]
fn queue_settings_are_validated_with_their_paths() {
    let e = errors_of(
        r#"{"format":"surge-scenario","version":2,
            "nodes":[{"id":"c","kind":"client","params":{}},
                     {"id":"api","kind":"api_gateway","params":{}},
                     {"id":"q","kind":"sqs","params":{"visibility_timeout_s":2,"dead_letter_queue":"api"}},
                     {"id":"f","kind":"lambda","params":{"timeout_s":10,"on_failure":"c"}}],
            "edges":[{"from":"c","to":"api","invocation":"async"},{"from":"api","to":"q"},
                     {"from":"q","to":"f","esm":{"batch_size":50}},
                     {"from":"c","to":"f","esm":{}}]}"#,
    );
    assert!(
        e.contains("edges[0].invocation: a client → api_gateway edge can be sync"),
        "{e}"
    );
    assert!(e.contains("nodes[2].params.visibility_timeout_s: 2 s is shorter than the consumer's timeout (10 s)"), "{e}");
    assert!(
        e.contains(
            "nodes[2].params.max_receive_count: a dead-letter queue needs max_receive_count"
        ),
        "{e}"
    );
    assert!(
        e.contains("nodes[3].params.on_failure: \"c\" is not an sqs node"),
        "{e}"
    );
    assert!(
        e.contains("edges[2].esm.batching_window_s: batches above 10 need a batching window"),
        "{e}"
    );
    assert!(e.contains("edges[3].esm: only poll edges"), "{e}");
}

#[test]
fn version_1_files_load_as_the_current_version() {
    let s = super::scenario("tiny-throttle");
    assert_eq!(s.version, CURRENT_VERSION);
    assert_eq!(CURRENT_VERSION, 6);
    assert!(
        Scenario::from_json(&s.to_json()).is_ok(),
        "and round-trip as version 3"
    );
}

#[test]
fn lesson17_one_bad_record_returns_its_whole_batch_unless_failures_are_reported() {
    let whole = run(&scenario("lesson17-whole-batch"));
    let partial = run(&scenario("lesson17-partial-batch"));
    assert!(whole.messages.balances() && partial.messages.balances());
    // Without ReportBatchItemFailures, good records of a failed batch are processed again.
    assert!(
        whole.messages.duplicates > whole.messages.sent / 2,
        "{:?}",
        whole.messages
    );
    assert_eq!(partial.messages.duplicates, 0);
    assert!(
        whole.messages.dead_lettered > 5 * partial.messages.dead_lettered.max(1),
        "{:?} vs {:?}",
        whole.messages,
        partial.messages
    );
    // Each record fails 10 % of the time: with reporting, one in 10^4 fails 4 times.
    assert!(
        partial.messages.dead_lettered < 30,
        "{:?}",
        partial.messages
    );
    let receives = |r: &Report| node(r, "q").received;
    assert!(receives(&whole) > 0 && receives(&partial) > 0);
    assert!(
        node(&whole, "fn").arrivals > node(&partial, "fn").arrivals * 2,
        "whole-batch retries multiply invocations"
    );
}

fn backlog(policy: BacklogPolicy) -> Report {
    run(&backlog_scenario(policy))
}

/// Lesson 16's surge: 100 msg/s plus 400/s from 30 s to 90 s into a queue consumed at
/// 10 × 50 ms, with the consumer's backlog policy.
fn backlog_scenario(policy: BacklogPolicy) -> Scenario {
    let mut s = pipeline(
        100.0,
        EventSourceMapping {
            batch_size: 1,
            maximum_concurrency: Some(10),
            scaling: PollerScaling::Instant,
            backlog: policy,
            ..EventSourceMapping::default()
        },
        LambdaParams {
            reserved_concurrency: Some(10),
            handler: vec![Step::Compute {
                ms: 50.0,
                distribution: StepDistribution::Fixed,
            }],
            ..LambdaParams::default()
        },
        QueueParams::default(),
        400.0,
        16,
    );
    s.faults.push(Fault {
        node: "c".into(),
        at_s: 30.0,
        duration_s: 60.0,
        kind: FaultKind::Spike { rate_per_s: 400.0 },
    });
    s
}

/// Mean wait (s) of the messages first received in seconds `from..to`.
fn window_wait_s(r: &Report, from: usize, to: usize) -> f64 {
    let q = node(r, "q");
    let (n, sum) = q.series[from..to].iter().fold((0u64, 0.0), |(n, sum), s| {
        (n + s.received, sum + s.mean_wait_ms * s.received as f64)
    });
    sum / n.max(1) as f64 / 1000.0
}

#[test]
fn lesson16_backlogs_outlive_surges_and_lifo_or_a_ttl_keeps_fresh_requests_fresh() {
    let fifo = backlog(BacklogPolicy::default());
    let lifo = backlog(BacklogPolicy {
        order: BacklogOrder::Lifo,
        ..BacklogPolicy::default()
    });
    let ttl = backlog(BacklogPolicy {
        drop_older_than_s: Some(10.0),
        ..BacklogPolicy::default()
    });
    let (f, l, t) = (
        window_wait_s(&fifo, 100, 140),
        window_wait_s(&lifo, 100, 140),
        window_wait_s(&ttl, 100, 140),
    );
    assert!(
        f > 40.0,
        "FIFO: everyone waits behind the backlog of the surge: {f:.1} s"
    );
    assert!(
        l < f / 2.0,
        "LIFO serves fresh messages first: {l:.1} s vs {f:.1} s"
    );
    assert!(t <= 10.5, "a TTL bounds the wait: {t:.1} s");
    assert!(
        ttl.messages.dropped > 10_000 && ttl.messages.balances(),
        "{:?}",
        ttl.messages
    );
    assert!(fifo.messages.dropped == 0 && fifo.messages.balances());
    // The FIFO backlog drains only long after the surge ended at 90 s.
    let fifo_q = node(&fifo, "q");
    let drained = fifo_q
        .series
        .iter()
        .skip(90)
        .position(|s| s.mean_queue < 1.0)
        .map(|i| i + 90);
    assert!(drained.is_some_and(|d| d > 200), "{drained:?}");
}

#[test]
fn lesson16_a_priority_split_keeps_fresh_requests_fresh_and_loses_nothing() {
    // The same surge; messages older than 10 s when received go to a low-priority queue
    // with its own small consumer instead of being dropped.
    let mut s = backlog_scenario(BacklogPolicy {
        overflow: Some(Overflow {
            older_than_s: 10.0,
            queue: "q-low".into(),
        }),
        ..BacklogPolicy::default()
    });
    s.add("q-low", NodeKind::Sqs(QueueParams::default()))
        .add(
            "fn-low",
            NodeKind::Lambda(LambdaParams {
                reserved_concurrency: Some(5),
                handler: vec![Step::Compute {
                    ms: 50.0,
                    distribution: StepDistribution::Fixed,
                }],
                ..LambdaParams::default()
            }),
        )
        .connect("q-low", "fn-low");
    let last = s.edges.len() - 1;
    s.edges[last].esm = Some(EventSourceMapping {
        batch_size: 1,
        maximum_concurrency: Some(5),
        scaling: PollerScaling::Instant,
        ..EventSourceMapping::default()
    });
    assert_eq!(s.validate(), Ok(()));
    let split = run(&s);
    let fresh = window_wait_s(&split, 100, 140);
    assert!(
        fresh <= 10.5,
        "fresh messages wait at most the split's age: {fresh:.1} s"
    );
    let m = split.messages;
    assert!(m.balances(), "{m:?}");
    assert_eq!(
        (m.dropped, m.expired, m.dead_lettered),
        (0, 0, 0),
        "nothing lost: {m:?}"
    );
    let low_peak = node(&split, "q-low")
        .series
        .iter()
        .map(|x| x.mean_queue)
        .fold(0.0, f64::max);
    assert!(
        low_peak > 5_000.0,
        "the old messages wait in the low-priority queue: {low_peak}"
    );
    assert!(node(&split, "fn-low").ok > 5_000, "and are processed there");
}

fn fifo_queue(groups: u32, fail: bool) -> Report {
    let mut s = pipeline(
        200.0,
        EventSourceMapping {
            batch_size: 1,
            maximum_concurrency: Some(50),
            scaling: PollerScaling::Instant,
            ..EventSourceMapping::default()
        },
        LambdaParams {
            handler: vec![Step::Compute {
                ms: 100.0,
                distribution: StepDistribution::Fixed,
            }],
            ..LambdaParams::default()
        },
        QueueParams {
            fifo: true,
            message_groups: groups,
            visibility_timeout_s: 5.0,
            max_receive_count: Some(2),
            dead_letter_queue: Some("dlq".into()),
            ..QueueParams::default()
        },
        120.0,
        25,
    );
    s.add("dlq", NodeKind::Sqs(QueueParams::default()));
    if fail {
        s.faults.push(Fault {
            node: "fn".into(),
            at_s: 0.0,
            duration_s: 200.0,
            kind: FaultKind::ErrorRate { probability: 1.0 },
        });
    }
    run(&s)
}

#[test]
fn fifo_concurrency_is_bounded_by_message_groups_and_a_failure_blocks_its_group() {
    let healthy = fifo_queue(5, false);
    let f = node(&healthy, "fn");
    assert_eq!(f.peak_in_node, 5, "one batch in flight per group");
    assert!(healthy.messages.balances());
    assert!(
        node(&healthy, "q").peak_queue > 1000,
        "5 groups × 10/s cannot keep up with 200/s"
    );
    // Every message fails: each group's head is received, fails, reappears after 5 s,
    // fails again and moves to the DLQ, and only then does the group move on.
    let failing = fifo_queue(4, true);
    let dead = failing.messages.dead_lettered;
    assert!(
        (30..=52).contains(&dead),
        "about one message per group per 10 s: {dead}"
    );
    assert!(failing.messages.balances());
}
