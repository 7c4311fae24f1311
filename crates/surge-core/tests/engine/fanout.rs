//! S3, SNS and EventBridge schedules: every object, message and tick reaches every
//! target; and lesson 9's vendor meltdown — S3-triggered functions flood a rate-limited
//! API and lose work during its outage, while a queue in between loses nothing; SNS
//! retrying deliveries to a function that is down, where S3 notifications are lost.

use surge_core::*;

use super::{node, run};

fn call(node: &str, times: u32) -> Step {
    Step::Call {
        node: node.into(),
        times,
    }
}

fn compute(ms: f64) -> Step {
    Step::Compute {
        ms,
        distribution: StepDistribution::Fixed,
    }
}

#[test]
fn objects_and_messages_reach_every_target() {
    let mut s = Scenario::empty(9, 60.0);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 20.0,
            ..ClientParams::default()
        }),
    )
    .add(
        "writer",
        NodeKind::Lambda(LambdaParams {
            handler: vec![call("bucket", 2), call("topic", 1)],
            ..LambdaParams::default()
        }),
    )
    .add("bucket", NodeKind::S3(FanoutParams::default()))
    .add("topic", NodeKind::Sns(FanoutParams::default()))
    .add(
        "on-object",
        NodeKind::Lambda(LambdaParams {
            handler: vec![compute(5.0)],
            ..LambdaParams::default()
        }),
    )
    .add(
        "on-message",
        NodeKind::Lambda(LambdaParams {
            handler: vec![compute(5.0)],
            ..LambdaParams::default()
        }),
    )
    .add("audit", NodeKind::Sqs(QueueParams::default()))
    .connect("c", "writer")
    .connect("writer", "bucket")
    .connect("writer", "topic")
    .connect("bucket", "on-object")
    .connect("bucket", "audit")
    .connect("topic", "on-message")
    .connect("topic", "audit");
    let r = run(&s);
    let objects = node(&r, "bucket").ok;
    let messages = node(&r, "topic").ok;
    assert!(objects > 2000 && (objects as i64 - 2 * messages as i64).abs() <= 2);
    assert_eq!(
        r.async_events.accepted,
        objects + messages,
        "one async invoke per object and message"
    );
    // One notification each in the queue (a few SendMessage calls may still be in flight).
    let expected = objects + messages;
    assert!(
        r.messages.sent <= expected && r.messages.sent + 5 >= expected,
        "{} vs {expected}",
        r.messages.sent
    );
    assert!(r.async_events.balances() && r.messages.balances());
}

#[test]
fn a_schedule_invokes_its_function_at_its_rate() {
    let mut s = Scenario::empty(4, 600.0);
    s.add(
        "every-minute",
        NodeKind::Schedule(ScheduleParams::default()),
    )
    .add(
        "job",
        NodeKind::Lambda(LambdaParams {
            handler: vec![compute(100.0)],
            ..LambdaParams::default()
        }),
    )
    .connect("every-minute", "job");
    let r = run(&s);
    assert_eq!(r.async_events.accepted, 10, "at 60, 120, …, 600 s");
    let job = node(&r, "job");
    let fired: Vec<usize> = job
        .series
        .iter()
        .enumerate()
        .filter(|(_, x)| x.arrivals > 0)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(fired, [60, 120, 180, 240, 300, 360, 420, 480, 540]);
}

/// The seconds in which a schedule with `cron` invoked its function over `seconds`.
fn cron_fires(cron: &str, seconds: f64) -> Vec<usize> {
    let mut s = Scenario::empty(4, seconds);
    // Two days would be sampled every 2 s by default; the test reads whole seconds.
    s.series = SeriesResolution::PerSecond;
    s.add(
        "clock",
        NodeKind::Schedule(ScheduleParams {
            cron: Some(cron.into()),
            ..ScheduleParams::default()
        }),
    )
    .add(
        "job",
        NodeKind::Lambda(LambdaParams {
            handler: vec![compute(100.0)],
            ..LambdaParams::default()
        }),
    )
    .connect("clock", "job");
    let r = run(&s);
    node(&r, "job")
        .series
        .iter()
        .enumerate()
        .filter(|(_, x)| x.arrivals > 0)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_cron_schedule_fires_on_the_runs_clock() {
    assert_eq!(
        cron_fires("cron(0/15 * * * ? *)", 3_600.0),
        [0, 900, 1_800, 2_700]
    );
    assert_eq!(cron_fires("cron(30 2 * * ? *)", 10_800.0), [9_000]);
    assert_eq!(
        cron_fires("cron(0 0-1 * * ? *)", 2.0 * 86_400.0),
        [0, 3_600, 86_400, 90_000]
    );
    let mut bad = Scenario::empty(4, 60.0);
    bad.add(
        "clock",
        NodeKind::Schedule(ScheduleParams {
            cron: Some("cron(0 8 ? * MON-FRI *)".into()),
            ..ScheduleParams::default()
        }),
    )
    .add("job", NodeKind::Lambda(LambdaParams::default()))
    .connect("clock", "job");
    let e = bad.validate().unwrap_err().to_string();
    assert!(
        e.contains("nodes[0].params.cron") && e.contains("day-of-week"),
        "{e}"
    );
}

/// Writers put 30 objects/s into a bucket for 5 minutes; each object is processed by a
/// function that calls a vendor API limited to 20 req/s, which is down from 60 s to 240 s.
fn vendor_pipeline(with_queue: bool) -> Report {
    let mut s = Scenario::empty(19, 1800.0);
    let c = ClientParams {
        rate_per_s: 30.0,
        schedule: vec![Phase {
            at_s: 300.0,
            rate_per_s: 0.0,
            ramp_s: 0.0,
        }],
        ..ClientParams::default()
    };
    let processor = LambdaParams {
        timeout_s: 30.0,
        reserved_concurrency: with_queue.then_some(5),
        handler: vec![call("vendor", 1)],
        ..LambdaParams::default()
    };
    s.add("c", NodeKind::Client(c))
        .add(
            "writer",
            NodeKind::Lambda(LambdaParams {
                handler: vec![call("bucket", 1)],
                ..LambdaParams::default()
            }),
        )
        .add("bucket", NodeKind::S3(FanoutParams::default()))
        .add("processor", NodeKind::Lambda(processor))
        .add(
            "vendor",
            NodeKind::Service(ServiceParams {
                rate_limit_per_s: Some(20.0),
                latency_ms: Some(100.0),
                ..ServiceParams::default()
            }),
        )
        .connect("c", "writer")
        .connect("writer", "bucket")
        .connect("processor", "vendor");
    if with_queue {
        s.add(
            "stage",
            NodeKind::Sqs(QueueParams {
                visibility_timeout_s: 60.0,
                max_receive_count: Some(1000),
                dead_letter_queue: Some("stage-dlq".into()),
                ..QueueParams::default()
            }),
        )
        .add("stage-dlq", NodeKind::Sqs(QueueParams::default()))
        .connect("bucket", "stage")
        .connect("stage", "processor");
        let last = s.edges.len() - 1;
        s.edges[last].esm = Some(EventSourceMapping {
            batch_size: 1,
            maximum_concurrency: Some(2),
            ..EventSourceMapping::default()
        });
    } else {
        s.connect("bucket", "processor");
    }
    s.faults.push(Fault {
        node: "vendor".into(),
        at_s: 60.0,
        duration_s: 180.0,
        kind: FaultKind::Outage,
    });
    run(&s)
}

#[test]
fn lesson9_s3_triggers_lose_work_during_a_vendor_outage_and_a_queue_loses_nothing() {
    let direct = vendor_pipeline(false);
    let a = direct.async_events;
    assert!(a.balances());
    assert!(a.dropped > 1000, "retried twice, then lost: {a:?}");
    assert!(
        node(&direct, "vendor").errors.service_throttled
            + node(&direct, "vendor").errors.unavailable
            > 1000
    );

    let queued = vendor_pipeline(true);
    let m = queued.messages;
    assert!(m.balances(), "{m:?}");
    assert_eq!((m.expired, m.dropped, m.dead_lettered), (0, 0, 0), "{m:?}");
    assert_eq!(
        m.consumed, m.sent,
        "everything is processed in the end: {m:?}"
    );
    let stage = node(&queued, "stage");
    let peak = stage
        .series
        .iter()
        .map(|x| x.mean_queue)
        .fold(0.0, f64::max);
    assert!(
        peak > 1000.0,
        "the queue holds the backlog during the outage: {peak}"
    );
    assert_eq!(queued.async_events.dropped, 0);
}

/// Lesson 9's fix, stage by stage: list groups (each group has 5 members), fetch each
/// member, fetch each member's data, every step one vendor call. One SQS queue per stage
/// with a dead-letter queue, each consumed by a function on a one-minute schedule taking
/// a fixed number of messages per run at concurrency 2; the vendor (20 req/s) is down
/// from 60 s to 240 s.
fn staged_pipeline() -> Scenario {
    let mut s = Scenario::empty(9, 2400.0);
    s.add(
        "lister",
        NodeKind::Client(ClientParams {
            rate_per_s: 2.0,
            schedule: vec![Phase {
                at_s: 300.0,
                rate_per_s: 0.0,
                ramp_s: 0.0,
            }],
            ..ClientParams::default()
        }),
    )
    .add(
        "vendor",
        NodeKind::Service(ServiceParams {
            rate_limit_per_s: Some(20.0),
            latency_ms: Some(100.0),
            ..ServiceParams::default()
        }),
    )
    .add(
        "enqueue",
        NodeKind::Lambda(LambdaParams {
            handler: vec![call("groups", 1)],
            ..LambdaParams::default()
        }),
    )
    .connect("lister", "enqueue")
    .connect("enqueue", "groups");
    // (queue, consumer, next queue and fan-out, messages per one-minute run)
    let stages = [
        ("groups", "list-members", Some(("members", 5)), 240),
        ("members", "fetch-member", Some(("data", 1)), 360),
        ("data", "fetch-data", None, 240),
    ];
    for (queue, consumer, next, per_run) in stages {
        let dlq = format!("{queue}-dlq");
        s.add(
            queue,
            NodeKind::Sqs(QueueParams {
                visibility_timeout_s: 60.0,
                max_receive_count: Some(10),
                dead_letter_queue: Some(dlq.clone()),
                ..QueueParams::default()
            }),
        )
        .add(&dlq, NodeKind::Sqs(QueueParams::default()));
        let mut handler = vec![call("vendor", 1), compute(200.0)];
        if let Some((next_queue, fan_out)) = next {
            handler.push(call(next_queue, fan_out));
        }
        s.add(
            consumer,
            NodeKind::Lambda(LambdaParams {
                timeout_s: 30.0,
                handler,
                ..LambdaParams::default()
            }),
        )
        .connect(queue, consumer)
        .connect(consumer, "vendor");
        if let Some((next_queue, _)) = next {
            s.connect(consumer, next_queue);
        }
        let edge = s
            .edges
            .iter()
            .position(|e| e.from == queue && e.to == consumer)
            .expect("poll edge");
        s.edges[edge].esm = Some(EventSourceMapping {
            batch_size: 1,
            maximum_concurrency: Some(2),
            schedule: Some(ConsumerSchedule {
                every_s: 60,
                messages_per_run: per_run,
            }),
            ..EventSourceMapping::default()
        });
    }
    s.faults.push(Fault {
        node: "vendor".into(),
        at_s: 60.0,
        duration_s: 180.0,
        kind: FaultKind::Outage,
    });
    s
}

#[test]
fn lesson9_a_queue_per_stage_on_a_schedule_loses_nothing_and_drains_stage_by_stage() {
    let scenario = staged_pipeline();
    assert_eq!(scenario.validate(), Ok(()));
    let report = run(&scenario);
    let m = report.messages;
    assert!(m.balances(), "{m:?}");
    assert_eq!((m.expired, m.dropped), (0, 0), "nothing lost: {m:?}");
    assert_eq!(
        m.queued + m.in_flight,
        0,
        "everything processed by the end: {m:?}"
    );
    // Each group message → 5 member messages → 5 data messages: 11 per group listed,
    // each consumed once (none needed a dead-letter queue: 10 receives outlast the outage).
    assert_eq!(m.sent, 11 * report.ledger.succeeded, "{m:?}");
    assert_eq!((m.consumed, m.dead_lettered), (m.sent, 0), "{m:?}");

    let depth = |id: &str| -> Vec<f64> {
        node(&report, id)
            .series
            .iter()
            .map(|x| x.mean_queue)
            .collect()
    };
    let peak_at = |v: &[f64]| {
        v.iter().enumerate().fold(
            (0, 0.0),
            |best, (i, &d)| if d > best.1 { (i, d) } else { best },
        )
    };
    let (groups, members, data) = (depth("groups"), depth("members"), depth("data"));
    let (g, mm, d) = (peak_at(&groups), peak_at(&members), peak_at(&data));
    eprintln!("lesson 9, queue depth (mean over the second) every 2 minutes:");
    eprintln!("     t   groups  members     data");
    for t in (0..groups.len()).step_by(120) {
        eprintln!(
            "{t:>6} {:>8.0} {:>8.0} {:>8.0}",
            groups[t], members[t], data[t]
        );
    }
    eprintln!("peaks: groups {g:?}, members {mm:?}, data {d:?}; {m:?}");
    assert!(
        g.0 < mm.0 && mm.0 < d.0,
        "stage by stage: {g:?} {mm:?} {d:?}"
    );
    assert!(
        mm.1 > 1000.0 && d.1 > 500.0,
        "backlogs build in front of later stages"
    );
    for (name, v) in [("groups", &groups), ("members", &members), ("data", &data)] {
        assert!(v.last().copied().unwrap_or(0.0) < 1.0, "{name} drained");
    }
    // Each run takes at most its allowance: never more than 240 data fetches a minute.
    let fetches = &node(&report, "fetch-data").series;
    for minute in fetches.chunks(60) {
        let started: u64 = minute.iter().map(|x| x.arrivals).sum();
        assert!(started <= 240, "{started} invocations in one minute");
    }
    // The schedule caps what the vendor sees: a few seconds of throttling at most.
    let vendor = node(&report, "vendor");
    assert!(
        vendor.errors.service_throttled < vendor.arrivals / 100,
        "{:?}",
        vendor.errors
    );
}

/// A client publishes (or writes objects) 10 times a second into `source`, which notifies
/// a function that is down from 10 s to 70 s.
fn notifications_to_a_function_that_is_down(source: NodeKind) -> Report {
    let mut s = Scenario::empty(31, 200.0);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 10.0,
            schedule: vec![Phase {
                at_s: 100.0,
                rate_per_s: 0.0,
                ramp_s: 0.0,
            }],
            ..ClientParams::default()
        }),
    )
    .add(
        "writer",
        NodeKind::Lambda(LambdaParams {
            handler: vec![call("source", 1)],
            ..LambdaParams::default()
        }),
    )
    .add("source", source)
    .add(
        "fn",
        NodeKind::Lambda(LambdaParams {
            handler: vec![compute(5.0)],
            ..LambdaParams::default()
        }),
    )
    .connect("c", "writer")
    .connect("writer", "source")
    .connect("source", "fn");
    s.faults.push(Fault {
        node: "fn".into(),
        at_s: 10.0,
        duration_s: 60.0,
        kind: FaultKind::Outage,
    });
    let mut sim = Simulation::new(&s).expect("valid");
    while sim.step().is_some() {
        assert!(sim.deliveries().balances(), "{:?}", sim.deliveries());
    }
    sim.run()
}

#[test]
fn sns_retries_deliveries_to_a_function_that_is_down_and_s3_notifications_are_lost() {
    let sns = notifications_to_a_function_that_is_down(NodeKind::Sns(FanoutParams::default()));
    let d = sns.deliveries;
    assert!(d.sent > 950, "{d:?}");
    assert_eq!((d.dropped, d.pending), (0, 0), "{d:?}");
    assert_eq!(d.delivered, d.sent, "every message reaches the function");
    assert_eq!(sns.async_events.succeeded, d.sent, "{:?}", sns.async_events);
    // About 600 deliveries met the outage: each used its 5 quick retries and more.
    assert!(d.retries > 600 * 5, "{d:?}");
    let f = &node(&sns, "fn").series;
    let backlog: u64 = f[70..100].iter().map(|s| s.ok).sum();
    assert!(
        backlog > 500,
        "the retried messages arrive once it is back: {backlog}"
    );

    let s3 = notifications_to_a_function_that_is_down(NodeKind::S3(FanoutParams::default()));
    let d = s3.deliveries;
    let lost = d.dropped as f64;
    assert!((lost - 600.0).abs() < 100.0, "{d:?}");
    assert_eq!(d.retries, 0);
    assert_eq!(d.delivered + d.dropped, d.sent, "{d:?}");
}
