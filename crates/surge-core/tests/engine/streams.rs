//! Kinesis: concurrency bounded by shards × parallelization factor, a poison record that
//! blocks its shard while the iterator age grows linearly until the record expires, a hot
//! partition key that throttles only its shard's producers, the shard's read limit shared
//! by polling consumers (and enhanced fan-out escaping it), `PutRecords` requests failing
//! record by record near the write limit, and the record ledger.

use proptest::prelude::*;
use surge_core::*;

use super::{node, run};

/// client → API Gateway → (integration) stream → (stream) function.
fn stream_pipeline(
    rate: f64,
    stream: StreamParams,
    mapping: StreamMapping,
    f: LambdaParams,
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
    .add("ks", NodeKind::Kinesis(stream))
    .add("fn", NodeKind::Lambda(f))
    .connect("c", "api")
    .connect("api", "ks")
    .connect("ks", "fn");
    s.edges[2].stream = Some(mapping);
    s
}

fn per_record(ms: f64) -> LambdaParams {
    LambdaParams {
        handler: vec![Step::Compute {
            ms,
            distribution: StepDistribution::Fixed,
        }],
        timeout_s: 60.0,
        ..LambdaParams::default()
    }
}

#[test]
fn one_hundred_shards_never_run_more_than_one_hundred_consumers() {
    let s = stream_pipeline(
        5000.0,
        StreamParams {
            shards: 100,
            ..StreamParams::default()
        },
        StreamMapping {
            batch_size: 10,
            ..StreamMapping::default()
        },
        per_record(200.0),
        60.0,
        21,
    );
    let r = run(&s);
    let f = node(&r, "fn");
    assert!(f.peak_in_node <= 100, "{}", f.peak_in_node);
    assert!(
        f.peak_in_node >= 95,
        "the shards keep their consumers busy: {}",
        f.peak_in_node
    );
    assert!(r.messages.balances(), "{:?}", r.messages);
}

#[test]
fn a_poison_record_blocks_its_shard_until_it_expires_while_iterator_age_grows_linearly() {
    let mut s = stream_pipeline(
        50.0,
        StreamParams {
            shards: 1,
            ..StreamParams::default()
        },
        StreamMapping {
            batch_size: 100,
            maximum_record_age_s: Some(60.0),
            ..StreamMapping::default()
        },
        per_record(1.0),
        120.0,
        22,
    );
    s.faults.push(Fault {
        node: "ks".into(),
        at_s: 10.0,
        duration_s: 0.05,
        kind: FaultKind::Poison,
    });
    let r = run(&s);
    let ks = node(&r, "ks");
    let age = |t: usize| ks.series[t].oldest_age_s;
    assert!(age(8) < 2.0, "healthy before: {}", age(8));
    for (a, b) in [(20, 40), (40, 60)] {
        let growth = age(b) - age(a);
        assert!(
            (growth - 20.0).abs() < 2.0,
            "iterator age grows 1 s per s: {} → {}",
            age(a),
            age(b)
        );
    }
    assert!(age(65) > 50.0, "still blocked at 65 s: {}", age(65));
    assert!(
        age(85) < 5.0,
        "progress resumes once the record expired: {}",
        age(85)
    );
    assert!(
        r.messages.expired >= 1 && r.messages.balances(),
        "{:?}",
        r.messages
    );
    let f = node(&r, "fn");
    assert!(
        f.arrivals > 40,
        "the failing batch is retried again and again"
    );
    // Each retry of the blocked batch threw on the poison record: about one a second for
    // the ~60 s until the record expired, all counted in the function's errors.
    let failed = f.errors.get(surge_core::ErrorKind::InjectedError);
    assert!(
        (45..=65).contains(&failed) && failed == f.errors.total(),
        "the poisoned invocations are errors: {failed} of {} ({:?})",
        f.arrivals,
        f.errors
    );
}

#[test]
fn a_hot_key_throttles_only_its_shards_producers() {
    let s = stream_pipeline(
        2000.0,
        StreamParams {
            shards: 4,
            hot_key_share: 0.6,
            ..StreamParams::default()
        },
        StreamMapping::default(),
        per_record(1.0),
        30.0,
        23,
    );
    let r = run(&s);
    let shards = &node(&r, "ks").shards;
    let throttled: Vec<u64> = shards.iter().map(|s| s.throttled).collect();
    assert_eq!(
        throttled.iter().filter(|&&t| t > 0).count(),
        1,
        "{throttled:?}"
    );
    let hot = throttled.iter().copied().max().unwrap_or(0);
    assert!(hot > 8000, "the hot shard refuses ~400/s: {throttled:?}");
    assert!(
        r.ledger.failed.stream_throttled > 0,
        "its producers see the throttles"
    );
}

#[test]
fn retries_can_be_bounded_and_bisecting_skips_fewer_records() {
    let run_with = |bisect: bool| {
        let mut s = stream_pipeline(
            50.0,
            StreamParams {
                shards: 1,
                ..StreamParams::default()
            },
            StreamMapping {
                batch_size: 100,
                maximum_retry_attempts: Some(2),
                bisect_batch_on_error: bisect,
                ..StreamMapping::default()
            },
            per_record(1.0),
            60.0,
            24,
        );
        s.faults.push(Fault {
            node: "ks".into(),
            at_s: 10.0,
            duration_s: 0.2,
            kind: FaultKind::Poison,
        });
        run(&s).messages
    };
    let whole = run_with(false);
    let halves = run_with(true);
    assert!(whole.dead_lettered >= 1 && whole.balances(), "{whole:?}");
    assert!(
        halves.dead_lettered < whole.dead_lettered,
        "{halves:?} vs {whole:?}"
    );
}

/// `n` functions read the same stream; `fan_out` of them by enhanced fan-out.
fn consumers_of_one_stream(n: usize, fan_out: usize, rate: f64) -> Scenario {
    let mut s = stream_pipeline(
        rate,
        StreamParams {
            shards: 2,
            ..StreamParams::default()
        },
        StreamMapping::default(),
        per_record(1.0),
        120.0,
        25,
    );
    s.edges[2].stream = Some(StreamMapping {
        enhanced_fan_out: fan_out > 0,
        ..StreamMapping::default()
    });
    for k in 1..n {
        let id = format!("fn{k}");
        s.add(&id, NodeKind::Lambda(per_record(1.0)))
            .connect("ks", &id);
        let last = s.edges.len() - 1;
        s.edges[last].stream = Some(StreamMapping {
            enhanced_fan_out: k < fan_out,
            ..StreamMapping::default()
        });
    }
    s
}

fn read_figures(r: &Report) -> (u64, u64, f64) {
    let shards = &node(r, "ks").shards;
    let reads = shards.iter().map(|s| s.reads).sum();
    let refused = shards.iter().map(|s| s.read_throttled).sum();
    let age = shards
        .iter()
        .map(|s| s.max_iterator_age_s)
        .fold(0.0, f64::max);
    (reads, refused, age)
}

#[test]
fn more_than_five_polling_consumers_exceed_a_shards_reads_and_fan_out_escapes_it() {
    let five = run(&consumers_of_one_stream(5, 0, 100.0));
    let (reads, refused, age5) = read_figures(&five);
    assert!(
        refused * 100 < reads,
        "five consumers polling once a second fit 5 reads/s: {reads} reads, {refused} refused"
    );
    let eight = run(&consumers_of_one_stream(8, 0, 100.0));
    let (reads, refused, age8) = read_figures(&eight);
    assert!(
        refused * 5 > reads,
        "eight consumers: many reads refused ({refused} of {})",
        reads + refused
    );
    assert!(
        reads <= 2 * 120 * 5 + 10,
        "never more than 5 reads/s per shard: {reads}"
    );
    assert!(
        age8 > age5 + 1.0,
        "records wait longer: {age8} s vs {age5} s"
    );
    consumers_share_evenly(&eight);
    assert!(eight.messages.balances(), "{:?}", eight.messages);
    assert!(
        eight.messages.sent > 8 * 11_000,
        "each record is delivered to each consumer: {:?}",
        eight.messages
    );

    let fanned = run(&consumers_of_one_stream(8, 8, 100.0));
    let (reads, refused, age) = read_figures(&fanned);
    assert_eq!(
        (reads, refused),
        (0, 0),
        "pushed records take no read calls"
    );
    assert!(age < 1.0, "pushed within ~70 ms: {age} s");
    assert!(fanned.cost.kinesis_usd > eight.cost.kinesis_usd);
}

#[test]
fn put_records_batches_near_the_write_limit_fail_record_by_record() {
    let batched = |rate: f64, per_put: u32| {
        let mut s = stream_pipeline(
            rate,
            StreamParams {
                shards: 1,
                records_per_put: per_put,
                ..StreamParams::default()
            },
            StreamMapping::default(),
            per_record(0.1),
            60.0,
            26,
        );
        if let NodeKind::Client(c) = &mut s.nodes[0].kind {
            c.arrivals = Arrivals::Constant;
        }
        let r = run(&s);
        let sh = node(&r, "ks").shards[0];
        (r, sh)
    };
    // A request of 400 records every 500 ms: 800 records/s, under 1,000/s: all accepted.
    let (under, sh) = batched(2.0, 400);
    assert_eq!(sh.throttled, 0, "{sh:?}");
    assert_eq!(under.ledger.failed.stream_throttled, 0);
    // A request of 500 records every 333 ms: 1,500 records/s into a 1,000/s shard.
    let (over, sh) = batched(3.0, 500);
    let share = sh.throttled as f64 / (sh.written + sh.throttled) as f64;
    assert!(
        (share - 1.0 / 3.0).abs() < 0.05,
        "a third of the records are refused: {sh:?}"
    );
    let requests = over.ledger.arrived;
    assert!(
        over.ledger.failed.stream_throttled * 2 > requests,
        "most requests see FailedRecordCount > 0 although most of their records were written: {} of {requests}",
        over.ledger.failed.stream_throttled
    );
    assert!(over.messages.balances(), "{:?}", over.messages);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn record_ledger_balances_after_every_event(
        rate in 10.0..3000.0f64,
        shards in 1u32..8,
        factor in 1u32..4,
        hot in 0.0..1.0f64,
        batch in 1u32..200,
        retries in proptest::option::of(0u32..3),
        bisect in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mapping = StreamMapping { batch_size: batch, parallelization_factor: factor, maximum_retry_attempts: retries, maximum_record_age_s: Some(60.0), bisect_batch_on_error: bisect, ..StreamMapping::default() };
        let mut s = stream_pipeline(rate, StreamParams { shards, hot_key_share: hot, ..StreamParams::default() }, mapping, per_record(2.0), 90.0, seed);
        s.faults.push(Fault { node: "ks".into(), at_s: 5.0, duration_s: 1.0, kind: FaultKind::Poison });
        let mut sim = Simulation::new(&s).expect("valid");
        while sim.step().is_some() {
            prop_assert!(sim.messages().balances(), "{:?}", sim.messages());
        }
        let r = sim.run();
        prop_assert!(node(&r, "fn").peak_in_node <= shards * factor);
    }
}

#[test]
fn refused_readers_do_not_starve_one_consumer() {
    // A quiet stream: every reader is mostly idle, polling once a second; eight of them
    // share 5 reads/s per shard. Refused readers back off by a random part of the
    // interval, so none keeps losing the same slot in every second.
    consumers_share_evenly(&run(&consumers_of_one_stream(8, 0, 10.0)));
}

/// The eight consumers' invocations stay within 30 % of each other (refused readers back
/// off by a random part of the interval, so none keeps losing the same slot).
fn consumers_share_evenly(r: &Report) {
    let calls: Vec<u64> = std::iter::once("fn".to_owned())
        .chain((1..8).map(|k| format!("fn{k}")))
        .map(|id| node(r, &id).arrivals)
        .collect();
    let (least, most) = (calls.iter().min(), calls.iter().max());
    assert!(
        least.zip(most).is_some_and(|(l, m)| *l * 10 >= *m * 7),
        "{calls:?}"
    );
}
