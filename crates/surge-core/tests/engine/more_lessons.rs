//! More lessons: a slow dependency (3), memory as CPU (4), a noisy neighbour (5), cold
//! starts under a surge (6) and hidden throttles (8) from their golden before/after pairs
//! (the page's presets); the 29-second wall (10), goodput versus throughput (12) and
//! others built in code. Each compares a "before" with an "after".

use surge_core::*;

use super::{node, run, scenario};

fn function(handler: Vec<Step>) -> LambdaParams {
    LambdaParams {
        handler,
        timeout_s: 30.0,
        ..LambdaParams::default()
    }
}

fn compute(ms: f64) -> Step {
    Step::Compute {
        ms,
        distribution: StepDistribution::Fixed,
    }
}

fn call(node: &str) -> Step {
    Step::Call {
        node: node.into(),
        times: 1,
    }
}

#[test]
fn lesson3_a_slow_dependency_inflates_concurrency_throttles_and_cost() {
    let fast = run(&scenario("lesson3-fast-dependency"));
    let slow = run(&scenario("lesson3-slow-dependency"));
    let (f, s) = (node(&fast, "fn"), node(&slow, "fn"));
    assert!(
        s.mean_in_node > 4.0 * f.mean_in_node,
        "{} vs {}",
        s.mean_in_node,
        f.mean_in_node
    );
    assert_eq!(f.errors.concurrency_throttled, 0);
    assert!(
        s.errors.concurrency_throttled > 5_000,
        "the slow version hits the 1,000 limit: {}",
        s.errors.concurrency_throttled
    );
    assert!(slow.cost.lambda_duration_usd > 4.0 * fast.cost.lambda_duration_usd);
}

#[test]
fn lesson4_memory_speeds_up_cpu_work_but_not_waiting() {
    let small = run(&scenario("lesson4-memory-512mb"));
    let big = run(&scenario("lesson4-memory-1769mb"));
    let time = |r: &Report, id: &str| node(r, id).mean_time_in_node_ms;
    // CPU-bound work runs on a share of a vCPU proportional to memory (1,769 MB = 1).
    let ratio = time(&small, "cpu-fn") / time(&big, "cpu-fn");
    assert!(
        (ratio - 1769.0 / 512.0).abs() < 0.15,
        "CPU-bound speed-up {ratio}"
    );
    // Waiting does not get faster; it only costs more per second.
    let io = time(&small, "io-fn") / time(&big, "io-fn");
    assert!((io - 1.0).abs() < 0.02, "{io}");
    // GB-seconds: the CPU-bound function's about equal (3.45× the memory for 1/3.45 of the
    // time), the waiting one's 3.45× — so the whole bill grows by about half.
    let cost = big.cost.lambda_duration_usd / small.cost.lambda_duration_usd;
    assert!((1.4..1.7).contains(&cost), "duration cost ×{cost}");
}

#[test]
fn lesson5_one_functions_surge_throttles_its_neighbour_unless_reserved() {
    let shared = run(&scenario("lesson5-neighbour-shared"));
    let isolated = run(&scenario("lesson5-neighbour-reserved"));
    let b_shared = node(&shared, "checkout").errors.concurrency_throttled;
    assert!(
        b_shared > 1000,
        "the neighbour is throttled by the surge: {b_shared}"
    );
    assert_eq!(node(&isolated, "checkout").errors.concurrency_throttled, 0);
}

#[test]
fn lesson6_cold_starts_come_with_the_surge_and_provisioned_concurrency_removes_them() {
    let on_demand = run(&scenario("lesson6-cold-starts-on-demand"));
    let f = node(&on_demand, "fn");
    let before: u64 = f.series[20..60].iter().map(|s| s.cold_starts).sum();
    let after: u64 = f.series[60..64].iter().map(|s| s.cold_starts).sum();
    assert_eq!(before, 0, "steady traffic reuses warm environments");
    assert!(after > 100, "the surge brings cold starts: {after}");
    let p99_surge = f.series[60..64]
        .iter()
        .map(|s| s.p99_ms)
        .fold(0.0, f64::max);
    assert!(
        p99_surge > 1000.0,
        "cold starts show in latency: p99 {p99_surge} ms"
    );
    let provisioned = run(&scenario("lesson6-cold-starts-provisioned"));
    assert_eq!(node(&provisioned, "fn").cold_starts, 0);
}

#[test]
fn lesson8_fetching_a_secret_per_call_hits_the_quota_and_shows_as_latency() {
    let per_call = run(&scenario("lesson8-secret-per-call"));
    let at_init = run(&scenario("lesson8-secret-at-init"));
    let sm = node(&per_call, "secrets");
    assert!(
        sm.errors.service_throttled > 1000,
        "the 1,500/s quota throttles"
    );
    assert!(
        per_call.p99_ms > at_init.p99_ms * 1.5,
        "{} vs {}",
        per_call.p99_ms,
        at_init.p99_ms
    );
    // The SDK retries absorb most throttles: few requests actually fail.
    let failed = per_call.ledger.failed.total();
    assert!(failed < sm.errors.service_throttled / 3, "failed {failed}");
    // Fetched once per environment at init: the quota is never near.
    let fetched = node(&at_init, "secrets").arrivals;
    assert!(
        fetched <= u64::from(node(&at_init, "fn").peak_in_node) + 50,
        "{fetched}"
    );
    assert_eq!(at_init.ledger.failed.total(), 0);
    // Today's quota (10,000/s since 2022) hides the same code at 2,000 req/s.
    let today = run(&scenario("lesson8-secret-per-call-today"));
    let sm = node(&today, "secrets");
    assert_eq!(sm.errors.service_throttled, 0);
    assert_eq!(today.ledger.failed.total(), 0);
    assert!(
        sm.arrivals >= node(&today, "fn").ok,
        "still one fetch per invocation"
    );
}

#[test]
fn lesson9_s3_triggers_lose_a_third_of_the_work_and_a_queue_loses_none() {
    let direct = run(&scenario("lesson9-vendor-s3-direct"));
    let a = direct.async_events;
    assert!(a.balances(), "{a:?}");
    // Retried twice, then dropped: a third of the objects are never processed, and the
    // uploads all "succeeded".
    let lost = a.dropped as f64 / a.accepted as f64;
    assert!((0.25..0.5).contains(&lost), "lost {lost}: {a:?}");
    assert_eq!(direct.ledger.failed.total(), 0);
    assert!(node(&direct, "vendor").errors.service_throttled > 10_000);
    let queued = run(&scenario("lesson9-vendor-queue"));
    let m = queued.messages;
    assert!(m.balances(), "{m:?}");
    assert_eq!(
        (m.consumed, m.dead_lettered, m.expired, m.dropped),
        (m.sent, 0, 0, 0)
    );
    assert_eq!(queued.async_events.dropped, 0);
    // The backlog is the picture: thousands wait, then drain within the run.
    let stage = node(&queued, "stage");
    assert!(stage.series.iter().any(|x| x.mean_queue > 5_000.0));
    assert!(stage.series.last().is_some_and(|x| x.mean_queue < 1.0));
}

#[test]
fn lesson10_the_29_second_wall_wastes_work() {
    let mut s = Scenario::empty(10, 120.0);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 5.0,
            timeout_ms: 60_000.0,
            ..ClientParams::default()
        }),
    )
    .add("api", NodeKind::ApiGateway(ApiGatewayParams::default()))
    .add(
        "fn",
        NodeKind::Lambda(LambdaParams {
            timeout_s: 60.0,
            ..function(vec![Step::Sleep { ms: 35_000.0 }])
        }),
    )
    .connect("c", "api")
    .connect("api", "fn");
    let r = run(&s);
    assert_eq!(r.ledger.succeeded, 0);
    assert!(r.ledger.failed.integration_timeout > 300);
    let f = node(&r, "fn");
    assert!(
        f.orphaned > 300 && f.ok == f.orphaned,
        "the function finishes anyway"
    );
    assert!(r.cost.wasted_usd > 0.9 * r.cost.lambda_duration_usd);
}

fn overloaded_db(limit: Option<u32>) -> Report {
    let mut s = Scenario::empty(12, 180.0);
    let c = ClientParams {
        rate_per_s: 300.0,
        timeout_ms: 2_000.0,
        retry: RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        },
        ..ClientParams::default()
    };
    s.add("c", NodeKind::Client(c))
        .add(
            "fn",
            NodeKind::Lambda(LambdaParams {
                reserved_concurrency: limit,
                ..function(vec![call("proxy")])
            }),
        )
        .add("proxy", NodeKind::RdsProxy(RdsProxyParams::default()))
        .add(
            "db",
            NodeKind::Rds(RdsParams {
                query_ms: 10.0,
                ..RdsParams::default()
            }),
        )
        .connect("c", "fn")
        .connect("fn", "proxy")
        .connect("proxy", "db");
    run(&s)
}

#[test]
fn lesson12_goodput_collapses_while_throughput_stays_high_until_load_is_shed() {
    let r = overloaded_db(None);
    let db = node(&r, "db");
    let db_throughput = super::window_mean(db, 120, 180, |s| s.ok as f64);
    let goodput = r.goodput_series[120..180].iter().sum::<u64>() as f64 / 60.0;
    assert!(
        db_throughput > 180.0,
        "the database stays busy: {db_throughput}/s"
    );
    assert!(
        goodput < 0.2 * db_throughput,
        "goodput collapses: {goodput}/s"
    );
    assert!(
        node(&r, "fn").orphaned > 1000,
        "it works for callers who left"
    );
    assert!(
        r.ledger.retries > r.ledger.arrived / 2,
        "and the clients retry"
    );
    let shed = overloaded_db(Some(8));
    let goodput_shed = shed.goodput_series[120..180].iter().sum::<u64>() as f64 / 60.0;
    assert!(
        goodput_shed > 150.0,
        "shedding excess load cheaply restores goodput: {goodput_shed}/s"
    );
}

fn retry_storm(backoff: Backoff) -> Report {
    let mut s = Scenario::empty(13, 120.0);
    let c = ClientParams {
        rate_per_s: 300.0,
        schedule: vec![
            Phase {
                at_s: 30.0,
                rate_per_s: 1500.0,
                ramp_s: 0.0,
            },
            Phase {
                at_s: 35.0,
                rate_per_s: 300.0,
                ramp_s: 0.0,
            },
        ],
        timeout_ms: 5_000.0,
        retry: RetryPolicy {
            max_attempts: 6,
            backoff,
            base_ms: 1_000.0,
            cap_ms: 20_000.0,
            ..RetryPolicy::default()
        },
        ..ClientParams::default()
    };
    s.add("c", NodeKind::Client(c))
        .add("api", NodeKind::ApiGateway(ApiGatewayParams::default()))
        .add(
            "fn",
            NodeKind::Lambda(LambdaParams {
                reserved_concurrency: Some(200),
                ..function(vec![compute(500.0)])
            }),
        )
        .connect("c", "api")
        .connect("api", "fn");
    run(&s)
}

#[test]
fn lesson13_immediate_retries_multiply_load_and_jittered_backoff_rides_out_a_spike() {
    let storm = retry_storm(Backoff::None);
    let jitter = retry_storm(Backoff::ExponentialFullJitter);
    let amplification = |r: &Report| r.edges[0].per_upstream;
    assert!(
        amplification(&storm) > 1.5,
        "retries multiply load: ×{}",
        amplification(&storm)
    );
    let failed = |r: &Report| r.ledger.failed.total();
    assert!(
        2 * failed(&storm) > 3 * failed(&jitter),
        "backoff with jitter rides out the spike: {} failed vs {}",
        failed(&jitter),
        failed(&storm)
    );
    // Retries cost money: the jittered run pays for its retries too, but fails less.
    assert!(storm.cost.retries_usd > 0.0 && jitter.cost.retries_usd > 0.0);
}

fn failover(proxy: bool) -> Report {
    let mut s = Scenario::empty(7, 90.0);
    let target = if proxy { "proxy" } else { "db" };
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 200.0,
            timeout_ms: 60_000.0,
            ..ClientParams::default()
        }),
    )
    .add(
        "fn",
        NodeKind::Lambda(function(vec![compute(20.0), call(target)])),
    )
    .add("db", NodeKind::Rds(RdsParams::default()))
    .connect("c", "fn");
    if proxy {
        s.add("proxy", NodeKind::RdsProxy(RdsProxyParams::default()))
            .connect("fn", "proxy")
            .connect("proxy", "db");
    } else {
        s.connect("fn", "db");
    }
    s.faults.push(Fault {
        node: "db".into(),
        at_s: 30.0,
        duration_s: 15.0,
        kind: FaultKind::Failover,
    });
    run(&s)
}

#[test]
fn lesson7_the_proxy_keeps_clients_waiting_through_a_failover_instead_of_failing_them() {
    let direct = failover(false);
    let proxied = failover(true);
    let direct_failed = direct.ledger.failed.unavailable;
    let proxied_failed = proxied.ledger.failed.unavailable;
    assert!(
        direct_failed > 2000,
        "every request during the failover fails: {direct_failed}"
    );
    assert!(
        proxied_failed < direct_failed / 20,
        "the proxy holds them: {proxied_failed}"
    );
    // Borrowers wait for the new primary, holding their functions: the wait fills the
    // account's 1,000 concurrency, so some requests are throttled instead.
    let p = node(&proxied, "proxy");
    assert!(
        p.peak_queue >= 900,
        "borrowers wait for the new primary: {}",
        p.peak_queue
    );
    assert!(proxied.ledger.failed.concurrency_throttled > 0);
    assert!(proxied.ledger.succeeded > direct.ledger.succeeded);
}

/// Lesson 14: writers add 15 records/s to a table, 120/s for ten minutes of a surge;
/// every 5 minutes a scheduled function (one at a time: reserved concurrency 1) processes
/// "all new records", 20 ms each plus a write to a downstream queue, within Lambda's
/// 15-minute limit. `max_records` is the fix (smaller batches).
#[test]
fn lesson14_a_cron_job_over_all_new_records_times_out_and_duplicates_until_batches_shrink() {
    let all = run(&scenario("lesson14-cron-all-new-records"));
    let job = node(&all, "job");
    let timeouts = job.errors.function_timeout;
    assert!(
        timeouts >= 5,
        "runs hit the 15-minute limit: {:?}",
        job.errors
    );
    // Once a run has more records than fit in 900 s, it times out; the
    // checkpoint stays, so it, its retries and every later run start again from the same
    // record: after the first timeout nothing ever succeeds again, and everything pushed
    // downstream from then on beyond one run's worth is a duplicate.
    let first_timeout = job
        .series
        .iter()
        .position(|x| x.errors > 0)
        .expect("a timeout");
    let ok_after: u64 = job.series[first_timeout..].iter().map(|x| x.ok).sum();
    assert_eq!(ok_after, 0, "no run succeeds after the first timeout");
    let pushed_after: u64 = node(&all, "downstream").series[first_timeout - 900..]
        .iter()
        .map(|x| x.arrivals)
        .sum();
    let one_run = 900.0 / 0.02;
    assert!(
        pushed_after as f64 > 3.0 * one_run,
        "{pushed_after} records pushed from the stuck checkpoint"
    );
    // The report counts them: every record handled again is a duplicate downstream.
    let again = job.reprocessed_records;
    assert!(
        again as f64 > 3.0 * one_run,
        "{again} records handled again"
    );
    assert!(
        again < all.messages.sent,
        "{again} of {} pushed",
        all.messages.sent
    );

    let sliced = run(&scenario("lesson14-cron-sliced"));
    let job = node(&sliced, "job");
    let written = node(&sliced, "records").ok;
    let pushed = sliced.messages.sent;
    assert_eq!(job.errors.total(), 0, "{:?}", job.errors);
    assert_eq!(job.reprocessed_records, 0);
    assert!(
        pushed <= written,
        "each record at most once: {pushed} for {written}"
    );
    assert!(
        pushed + 2 * 15 * 300 >= written,
        "caught up: only the newest records wait for the next run: {pushed} of {written}"
    );
    eprintln!(
        "lesson 14: all new records → {timeouts} timeouts, nothing succeeds after t={} s, \
         {pushed_after} pushed from the stuck checkpoint ({again} handled again); 12,000 per run → 0 timeouts, \
         {pushed} pushed for {written} written",
        first_timeout
    );
}

#[test]
fn lesson19_batching_cuts_queue_requests_and_invocations_not_gigabyte_seconds() {
    let one = run(&scenario("lesson19-batch-of-1"));
    let ten = run(&scenario("lesson19-batch-of-10"));
    let (a, b) = (&one.cost, &ten.cost);
    // A tenth of the invocations, and of the receives and deletes (one each per batch);
    // the sends, the API requests and the work itself stay.
    let invocations = node(&one, "worker").arrivals as f64 / node(&ten, "worker").arrivals as f64;
    assert!((9.0..11.0).contains(&invocations), "{invocations}");
    assert!(a.lambda_requests_usd > 9.0 * b.lambda_requests_usd);
    assert!(
        a.sqs_usd > 2.0 * b.sqs_usd,
        "{} vs {}",
        a.sqs_usd,
        b.sqs_usd
    );
    assert!((a.api_gateway_usd / b.api_gateway_usd - 1.0).abs() < 0.01);
    assert!((a.lambda_duration_usd / b.lambda_duration_usd - 1.0).abs() < 0.05);
    assert!(
        b.total_usd < 0.75 * a.total_usd,
        "{} vs {}",
        b.total_usd,
        a.total_usd
    );
}
