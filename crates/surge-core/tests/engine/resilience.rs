//! The resilience toolbox from first principles: the SDK retry modes' quota and send-rate
//! limiter, circuit breakers, load shedding and deadlines.

use surge_core::*;

use super::{node, run, scenario};

/// Mean goodput over seconds `from..to`.
fn goodput(r: &Report, from: usize, to: usize) -> f64 {
    r.goodput_series[from..to].iter().sum::<u64>() as f64 / (to - from) as f64
}

fn amplification(r: &Report) -> f64 {
    (r.ledger.arrived + r.ledger.retries) as f64 / r.ledger.arrived as f64
}

/// The first second from `from` on at which the 5-second mean goodput reaches `level`.
fn recovered_at(r: &Report, from: usize, level: f64) -> Option<usize> {
    (from..r.goodput_series.len() - 5).find(|&s| goodput(r, s, s + 5) >= level)
}

#[test]
fn lesson13_the_retry_quota_bounds_a_retry_storm_and_lets_goodput_recover() {
    // 500 req/s, 1,100 req/s from 60 s to 120 s into a service that degrades past 100
    // calls in flight (≈ 1,000 req/s), 2 s timeout, 3 attempts with full jitter.
    let legacy = run(&scenario("lesson13-retry-storm-legacy"));
    let standard = run(&scenario("lesson13-retry-storm-standard"));
    for r in [&legacy, &standard] {
        assert!(r.ledger.balances(), "{:?}", r.ledger);
    }
    // Without a quota jitter does not help: every failure is retried, the load triples,
    // and goodput stays at zero long after the overload ended (a metastable failure).
    assert!(amplification(&legacy) > 2.0, "{}", amplification(&legacy));
    assert!(
        goodput(&legacy, 150, 200) < 50.0,
        "{}",
        goodput(&legacy, 150, 200)
    );
    assert_eq!(legacy.ledger.retries_refused, 0);
    assert!(node(&legacy, "users").retry_budget.is_none());
    // With the quota the storm stays within 1.3× and goodput is back to 90 % of the
    // offered 500 req/s within 60 s of the overload's end.
    assert!(
        amplification(&standard) <= 1.3,
        "{}",
        amplification(&standard)
    );
    let back = recovered_at(&standard, 120, 450.0).expect("goodput recovers");
    assert!(back <= 180, "goodput back at {back} s");
    let budget = node(&standard, "users")
        .retry_budget
        .expect("standard mode reports");
    assert_eq!(budget.retries_refused, standard.ledger.retries_refused);
    assert!(budget.retries_refused > 10_000, "{budget:?}");
    assert_eq!(
        budget.lowest_tokens, 0,
        "the bucket emptied during the overload"
    );
    assert_eq!(
        budget.tokens_left, 500,
        "and refilled once calls succeeded again"
    );
}

/// A client at 1,000 req/s against a vendor that allows 800 req/s (throttles answer at
/// once), 3 attempts with full jitter, in the given retry mode.
fn throttled_vendor(mode: RetryMode) -> Report {
    let mut s = Scenario::empty(16, 120.0);
    s.add(
        "users",
        NodeKind::Client(ClientParams {
            rate_per_s: 1000.0,
            timeout_ms: 5000.0,
            retry: RetryPolicy {
                max_attempts: 3,
                backoff: Backoff::ExponentialFullJitter,
                mode,
                ..RetryPolicy::default()
            },
            ..ClientParams::default()
        }),
    )
    .add(
        "vendor",
        NodeKind::Service(ServiceParams {
            rate_limit_per_s: Some(800.0),
            latency_ms: Some(50.0),
            ..ServiceParams::default()
        }),
    )
    .connect("users", "vendor");
    run(&s)
}

#[test]
fn adaptive_mode_trades_throttles_for_client_side_waiting() {
    let standard = throttled_vendor(RetryMode::Standard);
    let adaptive = throttled_vendor(RetryMode::Adaptive);
    let throttles = |r: &Report| node(r, "vendor").errors.service_throttled;
    // The limiter learns the vendor's rate: far fewer throttles reach it …
    assert!(
        throttles(&adaptive) * 5 < throttles(&standard),
        "{} vs {}",
        throttles(&adaptive),
        throttles(&standard)
    );
    // … about as much gets through …
    let ok = |r: &Report| r.ledger.succeeded as f64;
    assert!(ok(&adaptive) > 0.9 * ok(&standard));
    // … and the price is paid in waiting at the client, even by first attempts.
    let b = node(&adaptive, "users").retry_budget.expect("reported");
    assert!(
        b.limiter_delayed > 10_000 && b.limiter_mean_delay_ms > 100.0,
        "{b:?}"
    );
    let rate = b.limiter_rate_per_s.expect("on after the first throttle");
    assert!((600.0..1200.0).contains(&rate), "{rate}");
    assert!(adaptive.p99_ms > 3.0 * standard.p99_ms);
    assert!(
        node(&standard, "users")
            .retry_budget
            .unwrap()
            .limiter_rate_per_s
            .is_none()
    );
    assert!(adaptive.ledger.balances());
}

#[test]
fn lesson12_shedding_keeps_goodput_near_capacity_past_the_knee() {
    // The same storm into a service that degrades past 100 calls in flight (≈ 1,000 req/s),
    // 1,100 req/s offered from 60 s to 120 s, legacy retries.
    let none = run(&scenario("lesson12-shedding-none"));
    let shed = run(&scenario("lesson12-shedding-admission"));
    let deadlines = run(&scenario("lesson12-shedding-deadlines"));
    for r in [&none, &shed, &deadlines] {
        assert!(r.ledger.balances(), "{:?}", r.ledger);
    }
    // Without shedding the service is busy all the time and nothing useful completes.
    assert!(
        goodput(&none, 70, 120) < 50.0,
        "{}",
        goodput(&none, 70, 120)
    );
    assert!(node(&none, "vendor").orphaned > 100_000);
    // Refusing calls past 90 in flight (1 ms each) keeps it below its knee: goodput stays
    // near the ≈ 900 req/s that 90 places of 100 ms serve, and nothing is wasted.
    let during = goodput(&shed, 70, 120);
    assert!(during > 800.0, "{during}");
    let v = node(&shed, "vendor");
    assert!(v.errors.shed > 10_000 && v.orphaned == 0, "{:?}", v.errors);
    assert!(v.peak_in_node <= 101, "{}", v.peak_in_node);
    assert!(goodput(&shed, 140, 200) > 450.0);
    // Deadline propagation alone stops the abandoned work (far fewer calls in the service
    // at once) but does not restore goodput: it bounds the waste, not the load.
    let d = node(&deadlines, "vendor");
    assert!(d.errors.deadline_exceeded > 100_000, "{:?}", d.errors);
    assert!(d.peak_in_node * 10 < node(&none, "vendor").peak_in_node);
    assert!(goodput(&deadlines, 70, 120) < 100.0);
}

#[test]
fn a_circuit_breaker_opens_on_an_outage_probes_and_closes_after_it() {
    let r = run(&scenario("circuit-breaker-outage"));
    assert!(r.ledger.balances());
    let edge = r
        .edges
        .iter()
        .find(|e| e.to == "vendor")
        .expect("fn → vendor");
    let b = edge.breaker.as_ref().expect("the edge has a breaker");
    // The vendor is down from 60 s to 120 s; 20 failures open the breaker at once.
    let first = b.transitions[0];
    assert_eq!(first.state, BreakerState::Open);
    assert!((60.0..61.0).contains(&first.at_s), "{first:?}");
    // Every 10 s it lets 3 probes through; during the outage they fail and it opens again.
    let probes: Vec<f64> = b
        .transitions
        .iter()
        .filter(|t| t.state == BreakerState::HalfOpen)
        .map(|t| t.at_s)
        .collect();
    assert!(probes.len() >= 6, "{probes:?}");
    let closed = b
        .transitions
        .iter()
        .find(|t| t.state == BreakerState::Closed)
        .expect("it closes once the vendor is back");
    assert!((120.0..131.0).contains(&closed.at_s), "{closed:?}");
    assert_eq!(b.state, BreakerState::Closed);
    assert_eq!(b.opened as usize, probes.len());
    // While open, calls fail fast: the vendor sees a few probes instead of the traffic.
    let vendor = node(&r, "vendor");
    assert!(vendor.errors.unavailable < 100, "{:?}", vendor.errors);
    assert!(b.fast_failed > 10_000);
    // The function hears the fast failure and returns it; the vendor never sees the call.
    assert_eq!(node(&r, "fn").errors.circuit_open, b.fast_failed);
    assert_eq!(vendor.errors.circuit_open, 0);
    assert_eq!(r.ledger.failed.circuit_open, b.fast_failed);
    // The series shows it open through the outage and closed before and after.
    assert_eq!(b.series[30], BreakerState::Closed);
    assert_eq!(b.series[90], BreakerState::Open);
    assert_eq!(b.series[190], BreakerState::Closed);
}

#[test]
fn hostile_resilience_settings_are_refused_at_their_field() {
    let base = scenario("circuit-breaker-outage");
    let refused = |edit: &dyn Fn(&mut serde_json::Value), path: &str| {
        let mut v = serde_json::to_value(&base).expect("serialises");
        edit(&mut v);
        let text = v.to_string();
        let errors = match Scenario::from_json(&text) {
            Ok(s) => s
                .validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            Err(e) => e.to_string(),
        };
        assert!(errors.contains(path), "{path}: {errors}");
    };
    let breaker = |field: &'static str, value: serde_json::Value| {
        move |v: &mut serde_json::Value| v["edges"][1]["breaker"][field] = value.clone()
    };
    refused(&breaker("window_s", 0.into()), "edges[1].breaker.window_s");
    refused(
        &breaker("failure_ratio", 1.5.into()),
        "edges[1].breaker.failure_ratio",
    );
    refused(&breaker("probes", 0.into()), "edges[1].breaker.probes");
    refused(&breaker("open_s", (-1).into()), "edges[1].breaker.open_s");
    refused(&breaker("failures", 0.into()), "edges[1].breaker.failures");
    refused(&breaker("colour", "red".into()), "colour");
    refused(
        &|v| v["nodes"][2]["params"]["admission"] = serde_json::json!({ "max_in_flight": 0 }),
        "nodes[2].params.admission.max_in_flight",
    );
    refused(
        &|v| v["nodes"][2]["params"]["admission"] = serde_json::json!({ "shed_ms": -5 }),
        "nodes[2].params.admission.shed_ms",
    );
    refused(
        &|v| v["nodes"][0]["params"]["retry"] = serde_json::json!({ "mode": "turbo" }),
        "turbo",
    );
    // A breaker needs a caller that waits: an async edge refuses one.
    let mut s = Scenario::empty(1, 10.0);
    s.add("c", NodeKind::Client(ClientParams::default()))
        .add("f", NodeKind::Lambda(LambdaParams::default()))
        .connect("c", "f");
    s.edges[0].invocation = Some(Invocation::Async);
    s.edges[0].breaker = Some(CircuitBreaker::default());
    let e = s.validate().expect_err("async edge").to_string();
    assert!(e.contains("edges[0].breaker"), "{e}");
}

#[test]
fn lesson20_an_alarm_fires_within_its_evaluation_periods_of_a_throttle_onset() {
    // 25 req/s of a 1 s function reserved at 50, then 100 req/s from 60 s to 120 s.
    let s = scenario("lesson20-alarms");
    let r = run(&s);
    let throttles = &r.alarms[0];
    assert_eq!(throttles.name, "orders throttles");
    // Throttles start at 60 s; 2 of 3 ten-second datapoints must breach: ALARM at the end
    // of the second breaching period, 80 s (within 3 periods of the onset) …
    let onset = node(&r, "orders")
        .series
        .iter()
        .position(|x| x.throttled > 0)
        .expect("throttles") as f64;
    assert!((60.0..62.0).contains(&onset), "{onset}");
    let first = throttles.transitions[0];
    assert_eq!(first.state, AlarmState::Alarm);
    assert!(
        first.at_s > onset && first.at_s <= onset + 30.0,
        "{first:?}"
    );
    assert_eq!(first.at_s, 80.0);
    assert!(
        first.value > 100.0,
        "the datapoint is the period's throttles: {first:?}"
    );
    // … and OK once two of the last three datapoints are clean again.
    assert_eq!(throttles.transitions[1].state, AlarmState::Ok);
    assert_eq!(throttles.transitions[1].at_s, 140.0);
    assert_eq!(throttles.alarm_s, 60.0);
    assert_eq!(throttles.datapoints, 20);
    // A one-minute average of concurrency ≥ 45 breaches only for the surge's minute.
    let near = &r.alarms[1];
    let states: Vec<(f64, AlarmState)> =
        near.transitions.iter().map(|t| (t.at_s, t.state)).collect();
    assert_eq!(
        states,
        [(120.0, AlarmState::Alarm), (180.0, AlarmState::Ok)]
    );
    // Alarms read the engine's counters, not the report's series: the same moments
    // without any series kept.
    let mut bare = s.clone();
    bare.series = SeriesResolution::None;
    let b = run(&bare);
    assert_eq!(b.alarms, r.alarms);
    assert!(b.nodes[2].series.is_empty());
}

#[test]
fn recommended_alarms_watch_throttles_dlqs_iterator_age_and_connections() {
    let mut s = Scenario::empty(1, 10.0);
    s.add("f", NodeKind::Lambda(LambdaParams::default()))
        .add(
            "q",
            NodeKind::Sqs(QueueParams {
                dead_letter_queue: Some("dlq".into()),
                max_receive_count: Some(3),
                ..QueueParams::default()
            }),
        )
        .add("dlq", NodeKind::Sqs(QueueParams::default()))
        .add("k", NodeKind::Kinesis(StreamParams::default()))
        .add("db", NodeKind::Rds(RdsParams::default()));
    let names: Vec<String> = s.recommended_alarms().into_iter().map(|a| a.name).collect();
    assert_eq!(
        names,
        [
            "f throttles",
            "q message age",
            "dlq DLQ inflow",
            "k iterator age",
            "db connection errors"
        ]
    );
    s.alarms = s.recommended_alarms();
    s.validate().expect("they validate");
    // Renaming or removing the node carries its alarm along.
    s.rename_node("f", "orders");
    assert_eq!(s.alarms[0].node, "orders");
    s.remove_node_and_refs("dlq");
    assert!(s.alarms.iter().all(|a| a.node != "dlq"));
    assert_eq!(s.alarms.len(), 4);
}

#[test]
fn backpressure_bounds_a_queues_depth_and_its_backlog_drains() {
    // 100 req/s, 600 req/s from 60 s to 120 s, into a queue drained at 120/s.
    let none = run(&scenario("lesson16-backpressure-none"));
    let held = run(&scenario("lesson16-backpressure-depth"));
    let q = |r: &Report| node(r, "orders").clone();
    // Without it the surge leaves a backlog of almost 30,000 that is still there at the end.
    assert!(q(&none).peak_queue > 20_000, "{}", q(&none).peak_queue);
    assert!(q(&none).series[300].oldest_age_s > 100.0);
    // With the client holding back while the queue holds more than 2,000 messages, the
    // depth stays there (plus the requests already past the client), and the backlog is
    // gone well before the end.
    assert!(q(&held).peak_queue <= 2_100, "{}", q(&held).peak_queue);
    assert!(q(&held).series[300].oldest_age_s < 5.0);
    // What was turned away is counted, and every request is accounted for.
    assert!(
        held.ledger.failed.backpressure > 20_000,
        "{:?}",
        held.ledger.failed
    );
    assert_eq!(held.ledger.failed.total(), held.ledger.failed.backpressure);
    assert!(held.ledger.balances() && none.ledger.balances());
    // Hostile settings are refused at their field.
    let mut bad = scenario("lesson16-backpressure-depth");
    if let NodeKind::Client(c) = &mut bad.nodes[0].kind {
        c.backpressure = Some(Backpressure {
            queue: "worker".into(),
            max_depth: None,
            max_age_s: Some(f64::NAN),
        });
    }
    let e = bad.validate().expect_err("refused").to_string();
    assert!(
        e.contains("nodes[0].params.backpressure.queue: \"worker\" is not an sqs node"),
        "{e}"
    );
    assert!(e.contains("nodes[0].params.backpressure.max_age_s"), "{e}");
}

/// Tenants spread over a pool of `n` workers with shards of `k`, for the overlap check.
fn many_tenants(n: u32, k: u32, tenants: u32, seed: u64) -> PoolReport {
    let mut s = Scenario::empty(seed, 60.0);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 400.0,
            tenants,
            ..ClientParams::default()
        }),
    )
    .add(
        "pool",
        NodeKind::WorkerPool(WorkerPoolParams {
            workers: n,
            per_tenant: k,
            concurrency: 100,
            ..WorkerPoolParams::default()
        }),
    )
    .connect("c", "pool");
    node(&run(&s), "pool").pool.clone().expect("a pool reports")
}

#[test]
fn the_shuffle_sharding_overlap_matches_the_formula_for_two_pool_shapes() {
    for (n, k) in [(8, 2), (100, 5)] {
        let p = many_tenants(n, k, 1_000, 16);
        assert_eq!(p.tenants, 1_000, "every tenant called");
        assert_eq!(p.pairs, 499_500);
        assert_eq!(p.overlap.len() as u32, k + 1);
        // Each share against C(k, j)·C(n−k, k−j)/C(n, k), within four standard errors of
        // a share estimated from 500 independent pairs (all 499,500 pairs vary less).
        for (j, (&seen, &want)) in p.overlap.iter().zip(&p.expected_overlap).enumerate() {
            let se = (want * (1.0 - want) / 500.0).sqrt();
            assert!(
                (seen - want).abs() <= 4.0 * se + 1e-4,
                "n={n} k={k} j={j}: {seen} vs {want} (±{se})"
            );
        }
    }
    let e = many_tenants(8, 2, 2, 1).expected_overlap;
    let pct: Vec<f64> = e.iter().map(|p| (p * 1000.0).round() / 10.0).collect();
    assert_eq!(pct, [53.6, 42.9, 3.6], "the Builders' Library figures");
}

#[test]
fn lesson16_shuffle_sharding_keeps_a_noisy_tenant_to_its_own_shard() {
    // One tenant jumps to 500 req/s at 30 s; 200 others send 300 req/s between them; 8
    // workers of 4 × 50 ms (640 req/s in all).
    let shared = run(&scenario("lesson16-shared-pool"));
    let sharded = run(&scenario("lesson16-shuffle-sharding"));
    let pool = |r: &Report| node(r, "pool").pool.clone().expect("pool");
    let (a, b) = (pool(&shared), pool(&sharded));
    assert_eq!(a.busiest.as_deref(), Some("noisy#0"));
    let shed_share = |c: &OverlapClass| c.shed as f64 / c.calls.max(1) as f64;
    // One pool for all: every other tenant shares all 8 workers with the noisy one, and
    // every one of them loses calls.
    let all = &a.by_overlap[8];
    assert_eq!(all.tenants, 200);
    assert!(shed_share(all) > 0.05, "{all:?}");
    // Shards of 2: most tenants share no worker, or one (and go to the other), and lose
    // nothing; the few that share both suffer as the noisy tenant does.
    assert_eq!(b.by_overlap.len(), 3);
    assert!(
        b.by_overlap[0].tenants > 80 && b.by_overlap[1].tenants > 60,
        "{b:?}"
    );
    assert_eq!(b.by_overlap[0].shed, 0, "{:?}", b.by_overlap[0]);
    assert!(shed_share(&b.by_overlap[1]) < 0.01, "{:?}", b.by_overlap[1]);
    assert!(shed_share(&b.by_overlap[2]) > 0.2, "{:?}", b.by_overlap[2]);
    assert!(b.by_overlap[2].tenants < 20);
    assert!(b.by_overlap[0].mean_ms < 0.5 * all.mean_ms);
    for r in [&shared, &sharded] {
        assert!(r.ledger.balances());
    }
}

/// 300 invocations/s, each calling a vendor that allows 100/s with 5 SDK attempts.
fn function_into_throttling_vendor(mode: RetryMode) -> Report {
    let mut s = Scenario::empty(5, 120.0);
    s.add(
        "users",
        NodeKind::Client(ClientParams {
            rate_per_s: 300.0,
            timeout_ms: 10_000.0,
            ..ClientParams::default()
        }),
    )
    .add(
        "fn",
        NodeKind::Lambda(LambdaParams {
            timeout_s: 30.0,
            handler: vec![
                Step::Compute {
                    ms: 20.0,
                    distribution: StepDistribution::Fixed,
                },
                Step::Call {
                    node: "vendor".into(),
                    times: 1,
                },
            ],
            sdk_retry_mode: mode,
            ..LambdaParams::default()
        }),
    )
    .add(
        "vendor",
        NodeKind::Service(ServiceParams {
            rate_limit_per_s: Some(100.0),
            latency_ms: Some(50.0),
            sdk_max_attempts: 5,
            ..ServiceParams::default()
        }),
    )
    .connect("users", "fn")
    .connect("fn", "vendor");
    run(&s)
}

#[test]
fn a_functions_sdk_retry_quota_bounds_its_calls_to_a_throttling_vendor() {
    let legacy = function_into_throttling_vendor(RetryMode::Legacy);
    let standard = function_into_throttling_vendor(RetryMode::Standard);
    let per_invocation = |r: &Report| r.edges[1].per_upstream;
    // Legacy: every throttled call is retried up to 5 attempts, four calls per invocation.
    assert!(per_invocation(&legacy) > 3.5, "{}", per_invocation(&legacy));
    assert!(node(&legacy, "fn").retry_budget.is_none());
    // Standard: each environment's 500 tokens run out, and once they have the vendor sees
    // little more than one call per invocation; as many requests get through (its 100/s).
    assert!(
        per_invocation(&standard) < 2.0,
        "{}",
        per_invocation(&standard)
    );
    let late = |r: &Report| {
        let calls: u64 = node(r, "vendor").series[60..120]
            .iter()
            .map(|s| s.arrivals)
            .sum();
        let runs: u64 = node(r, "fn").series[60..120]
            .iter()
            .map(|s| s.arrivals)
            .sum();
        calls as f64 / runs as f64
    };
    assert!(
        late(&standard) < 1.3 && late(&legacy) > 3.5,
        "{} {}",
        late(&standard),
        late(&legacy)
    );
    let b = node(&standard, "fn")
        .retry_budget
        .expect("standard mode reports");
    assert!(b.retries_refused > 10_000 && b.lowest_tokens == 0, "{b:?}");
    let ok = |r: &Report| r.ledger.succeeded as f64;
    assert!((ok(&standard) / ok(&legacy) - 1.0).abs() < 0.05);
    assert!(legacy.ledger.balances() && standard.ledger.balances());
}

#[test]
fn the_report_gives_environments_per_second_and_how_long_failed_requests_waited() {
    // Lesson 1: 3,000 req/s of a 3 s function scaling to about 9,000 environments.
    let r = run(&scenario("lesson1-littles-law"));
    let f = node(&r, "fn");
    let last = f.series.last().expect("series");
    // Environments alive ≥ those busy (the mean concurrency of the second, give or take
    // its ups and downs) and the rest idle.
    assert!(last.envs >= last.idle_envs && last.envs > 1_000, "{last:?}");
    let busy = f64::from(last.envs - last.idle_envs);
    assert!(
        (busy - last.mean_in_node).abs() < 0.1 * last.mean_in_node + 50.0,
        "{last:?}"
    );
    let peak = f.series.iter().map(|s| s.envs).max().unwrap_or(0);
    assert!(
        f64::from(peak) >= 0.9 * f64::from(f.peak_in_node),
        "{peak} vs {}",
        f.peak_in_node
    );
    // Nodes that are not functions keep these out of their series.
    assert!(
        r.nodes
            .iter()
            .filter(|n| n.kind != "lambda")
            .all(|n| n.series.iter().all(|s| s.envs == 0))
    );
    // Lesson 13's storm: failed requests waited out timeouts and retries (2 s per attempt,
    // up to 3 attempts); a run without failures says nothing.
    let storm = run(&scenario("lesson13-retry-storm-legacy"));
    let w = storm.failed_latency_ms.expect("requests failed");
    assert!(
        w.p99 >= 2_000.0 && w.p99 <= 3.0 * 2_000.0 + 1_000.0,
        "{w:?}"
    );
    assert!(w.p50 <= w.p99);
    let calm = run(&scenario("steady-under-limit"));
    assert!(
        calm.failed_latency_ms.is_none() || calm.ledger.failed.total() + calm.ledger.timed_out > 0
    );
}

/// 100 req/s with a 1 s timeout into a function (reserved 200) waiting on a vendor that
/// takes 5 s on average.
fn impatient_callers(function_drops: bool, vendor_drops: bool) -> Report {
    let mut s = Scenario::empty(7, 120.0);
    s.add(
        "users",
        NodeKind::Client(ClientParams {
            rate_per_s: 100.0,
            timeout_ms: 1_000.0,
            ..ClientParams::default()
        }),
    )
    .add(
        "fn",
        NodeKind::Lambda(LambdaParams {
            reserved_concurrency: Some(200),
            timeout_s: 30.0,
            handler: vec![Step::Call {
                node: "vendor".into(),
                times: 1,
            }],
            drop_abandoned: function_drops,
            ..LambdaParams::default()
        }),
    )
    .add(
        "vendor",
        NodeKind::Service(ServiceParams {
            rate_limit_per_s: Some(1e6),
            latency_ms: Some(5_000.0),
            admission: Admission {
                drop_abandoned: vendor_drops,
                ..Admission::default()
            },
            ..ServiceParams::default()
        }),
    )
    .connect("users", "fn")
    .connect("fn", "vendor");
    run(&s)
}

#[test]
fn a_function_that_propagates_deadlines_frees_its_concurrency_when_callers_give_up() {
    let plain = impatient_callers(false, false);
    let function = impatient_callers(true, false);
    let both = impatient_callers(true, true);
    let f = |r: &Report| node(r, "fn").clone();
    // Without: every invocation waits out the vendor's 5 s for a caller gone after 1 s:
    // about 500 would run at once, so the 200 reserved are full and calls are throttled.
    assert!(
        f(&plain).errors.concurrency_throttled > 1_000,
        "{:?}",
        f(&plain).errors
    );
    assert!(f(&plain).mean_in_node > 150.0);
    // With: each invocation stops when its caller gives up (about 100 at once), nothing
    // is throttled, and each ends as deadline_exceeded.
    assert_eq!(f(&function).errors.concurrency_throttled, 0);
    assert!(
        f(&function).mean_in_node < 110.0,
        "{}",
        f(&function).mean_in_node
    );
    assert!(
        f(&function).errors.deadline_exceeded > 8_000,
        "{:?}",
        f(&function).errors
    );
    // The vendor keeps working for nobody unless it propagates deadlines too.
    let v = |r: &Report| node(r, "vendor").clone();
    assert!(
        v(&function).mean_in_node > 400.0,
        "{}",
        v(&function).mean_in_node
    );
    assert!(v(&both).mean_in_node < 110.0, "{}", v(&both).mean_in_node);
    for r in [&plain, &function, &both] {
        assert!(r.ledger.balances());
    }
}

/// A two-stage pipeline: 300 req/s for a minute into `raw`, a producer function moving
/// each message on to `clean`, drained by a consumer at about 50/s (its mapping's maximum
/// concurrency matches its reservation, so it is not throttled).
fn pipeline(backpressure: &str) -> Scenario {
    let json = format!(
        r#"{{"format":"surge-scenario","version":4,"seed":5,"duration_s":240,
        "nodes":[
          {{"id":"users","kind":"client","params":{{"rate_per_s":300,
            "schedule":[{{"at_s":60,"rate_per_s":0}}]}}}},
          {{"id":"api","kind":"api_gateway"}},
          {{"id":"raw","kind":"sqs","params":{{"visibility_timeout_s":20}}}},
          {{"id":"producer","kind":"lambda","params":{{"timeout_s":10,
            "handler":[{{"compute":{{"ms":5}}}},{{"call":{{"node":"clean"}}}}]{backpressure}}}}},
          {{"id":"clean","kind":"sqs"}},
          {{"id":"consumer","kind":"lambda","params":{{"memory_mb":1769,"reserved_concurrency":5,
            "handler":[{{"compute":{{"ms":100}}}}]}}}}],
        "edges":[{{"from":"users","to":"api"}},{{"from":"api","to":"raw"}},
          {{"from":"raw","to":"producer","esm":{{"batch_size":1}}}},{{"from":"producer","to":"clean"}},
          {{"from":"clean","to":"consumer","esm":{{"batch_size":1,"maximum_concurrency":5}}}}]}}"#
    );
    Scenario::from_json(&json).expect("valid pipeline")
}

#[test]
fn a_function_with_backpressure_keeps_the_backlog_upstream() {
    let free = run(&pipeline(""));
    let held = run(&pipeline(
        r#","backpressure":{"queue":"clean","max_depth":500}"#,
    ));
    for r in [&free, &held] {
        assert!(r.ledger.balances(), "{:?}", r.ledger);
        assert!(r.messages.balances(), "{:?}", r.messages);
    }
    // Without it the producer moves the whole surge on: `clean` holds about 15,000.
    assert!(
        node(&free, "clean").peak_queue > 10_000,
        "{}",
        node(&free, "clean").peak_queue
    );
    assert_eq!(node(&free, "producer").errors.backpressure, 0);
    // With it the producer refuses work while `clean` holds more than 500 messages: the
    // depth stays near the limit (plus what was already on its way) and the backlog
    // waits in `raw` instead.
    let clean = node(&held, "clean").peak_queue;
    assert!(clean < 700, "{clean}");
    // (refused messages are invisible until their visibility timeout ends, then refused
    // again: about one refused invocation per waiting message per 20 s).
    let raw = node(&held, "raw");
    assert!(raw.peak_in_flight > 10_000, "{}", raw.peak_in_flight);
    assert!(node(&held, "producer").errors.backpressure > 50_000);
    // The same work is done, at the consumer's pace.
    let done = |r: &Report| node(r, "consumer").ok;
    assert!(
        done(&held) as f64 > 0.9 * done(&free) as f64,
        "{} vs {}",
        done(&held),
        done(&free)
    );
}

#[test]
fn an_idle_environment_is_reclaimed_at_its_instant_not_at_the_next_second() {
    // One request every 0.7 s, each 10 ms of work: an environment idles about 0.69 s.
    let with_reclaim = |after: f64| {
        let json = format!(
            r#"{{"format":"surge-scenario","version":4,"seed":1,"duration_s":60,
            "nodes":[{{"id":"c","kind":"client","params":{{"rate_per_s":1.4285714285714286,
                "arrivals":"constant"}}}},
              {{"id":"f","kind":"lambda","params":{{"memory_mb":1769,"idle_reclaim_s":{after},
                "handler":[{{"compute":{{"ms":10}}}}]}}}}],
            "edges":[{{"from":"c","to":"f"}}]}}"#
        );
        let r = run(&Scenario::from_json(&json).expect("valid"));
        let f = node(&r, "f");
        (f.arrivals, f.cold_starts)
    };
    // Reclaimed after 0.05 s idle (less than even a cold start leaves of the gap): every request
    // finds its environment gone, even those
    // arriving within the same whole second.
    let (arrivals, cold) = with_reclaim(0.05);
    assert_eq!(cold, arrivals);
    // After 0.8 s: the one environment stays warm for the whole run.
    let (_, cold) = with_reclaim(0.8);
    assert_eq!(cold, 1);
}

#[test]
fn a_week_at_one_request_per_second_keeps_a_small_report_with_the_same_totals() {
    let json = r#"{"format":"surge-scenario","version":4,"seed":7,"duration_s":604800,
        "nodes":[{"id":"c","kind":"client","params":{"rate_per_s":1}},
          {"id":"f","kind":"lambda","params":{"handler":[{"compute":{"ms":50}}]}}],
        "edges":[{"from":"c","to":"f"}]}"#;
    let auto = Scenario::from_json(json).expect("valid");
    let mut bare = auto.clone();
    bare.series = SeriesResolution::None;
    let (a, b) = (run(&auto), run(&bare));
    // Every per-second series would be 604,800 samples a node (about 850 MB of JSON); the
    // automatic resolution keeps at most 100,000 node-samples.
    let bytes = a.to_json().len();
    assert!(bytes < 50_000_000, "{bytes} bytes");
    assert!(
        a.series_step_s >= 10,
        "one sample per {} s",
        a.series_step_s
    );
    // The totals do not depend on the resolution.
    assert_eq!(a.ledger, b.ledger);
    assert_eq!(a.cost, b.cost);
    for (x, y) in a.nodes.iter().zip(&b.nodes) {
        assert_eq!(
            (x.arrivals, x.ok, x.errors, x.cold_starts),
            (y.arrivals, y.ok, y.errors, y.cold_starts)
        );
        assert_eq!(x.p99_ms, y.p99_ms);
    }
}

#[test]
fn lesson20_alarms_watch_a_run_without_changing_it() {
    let quiet = run(&scenario("lesson20-no-alarms"));
    let warned = run(&scenario("lesson20-alarms"));
    assert!(quiet.alarms.is_empty());
    assert!(!warned.alarms.is_empty());
    // Alarms read the run; they do not change it.
    assert_eq!(quiet.ledger, warned.ledger);
    assert_eq!(quiet.events, warned.events);
}
