//! Lambda asynchronous invocation: exactly three attempts then the on-failure destination,
//! events past their maximum age dropped and counted, throttled events waiting rather than
//! failing, and the async ledger after every event.

use proptest::prelude::*;
use surge_core::*;

use super::{node, run};

/// client → (async) function, the client sending `rate` for `send_s` seconds.
fn async_scenario(rate: f64, send_s: f64, f: LambdaParams, seconds: f64, seed: u64) -> Scenario {
    let mut s = Scenario::empty(seed, seconds);
    let c = ClientParams {
        rate_per_s: rate,
        schedule: vec![Phase {
            at_s: send_s,
            rate_per_s: 0.0,
            ramp_s: 0.0,
        }],
        ..ClientParams::default()
    };
    s.add("c", NodeKind::Client(c))
        .add("fn", NodeKind::Lambda(f))
        .connect("c", "fn");
    s.edges[0].invocation = Some(Invocation::Async);
    s
}

#[test]
fn an_always_failing_function_gets_three_attempts_then_the_destination() {
    let f = LambdaParams {
        on_failure: Some("failed".into()),
        ..LambdaParams::default()
    };
    let mut s = async_scenario(10.0, 30.0, f, 400.0, 17);
    s.add("failed", NodeKind::Sqs(QueueParams::default()));
    s.faults.push(Fault {
        node: "fn".into(),
        at_s: 0.0,
        duration_s: 400.0,
        kind: FaultKind::ErrorRate { probability: 1.0 },
    });
    let r = run(&s);
    let a = r.async_events;
    assert!(a.balances(), "{a:?}");
    assert!(a.accepted > 250);
    assert_eq!(
        r.ledger.succeeded, r.ledger.arrived,
        "the caller got 202 every time"
    );
    assert_eq!(
        node(&r, "fn").arrivals,
        3 * a.accepted,
        "exactly three attempts per event"
    );
    assert_eq!(
        (a.failed, a.to_destination, a.dropped),
        (a.accepted, a.accepted, 0)
    );
    assert_eq!(
        r.messages.sent, a.accepted,
        "every event lands in the destination queue"
    );
    let f = node(&r, "fn");
    let arrivals =
        |from: usize, to: usize| f.series[from..to].iter().map(|s| s.arrivals).sum::<u64>();
    assert_eq!(
        arrivals(32, 59),
        0,
        "the second attempt waits about a minute"
    );
    assert!(arrivals(60, 92) > 250, "second attempts");
    assert_eq!(arrivals(93, 179), 0, "the third waits about two more");
    assert!(arrivals(180, 212) > 250, "third attempts");
}

#[test]
fn events_older_than_the_maximum_age_are_dropped_and_counted() {
    let f = LambdaParams {
        reserved_concurrency: Some(1),
        handler: vec![Step::Compute {
            ms: 1000.0,
            distribution: StepDistribution::Fixed,
        }],
        async_max_event_age_s: 60.0,
        ..LambdaParams::default()
    };
    let r = run(&async_scenario(5.0, 100.0, f, 300.0, 5));
    let a = r.async_events;
    assert!(a.balances(), "{a:?}");
    assert!(a.expired > 200, "{a:?}");
    assert_eq!(a.dropped, a.expired, "no destination: dropped");
    assert_eq!(a.failed, 0);
    // One per second is served: the 100 s of sending plus the last minute's backlog.
    assert!((140..=170).contains(&a.succeeded), "{a:?}");
}

#[test]
fn throttled_events_wait_in_the_queue_instead_of_failing() {
    let f = LambdaParams {
        reserved_concurrency: Some(5),
        handler: vec![Step::Compute {
            ms: 500.0,
            distribution: StepDistribution::Fixed,
        }],
        ..LambdaParams::default()
    };
    let r = run(&async_scenario(40.0, 20.0, f, 200.0, 8));
    let a = r.async_events;
    assert!(a.balances());
    assert_eq!(a.succeeded, a.accepted, "{a:?}");
    assert!(node(&r, "fn").peak_in_node <= 5);
    // 800 events at 10 per second: the queue drains over about 80 s.
    let busy = node(&r, "fn").series[70].mean_in_node;
    assert!(
        busy > 4.5,
        "still working through the backlog at 70 s: {busy}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn async_ledger_balances_after_every_event(
        rate in 1.0..200.0f64,
        reserved in 1u32..20,
        fail in 0.0..1.0f64,
        age in 60.0..200.0f64,
        retries in 0u32..3,
        destination in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let f = LambdaParams {
            reserved_concurrency: Some(reserved),
            handler: vec![Step::Compute { ms: 400.0, distribution: StepDistribution::Exponential }],
            async_max_event_age_s: age,
            async_max_retries: retries,
            on_failure: destination.then(|| "dlq".to_owned()),
            ..LambdaParams::default()
        };
        let mut s = async_scenario(rate, 100.0, f, 300.0, seed);
        s.add("dlq", NodeKind::Sqs(QueueParams::default()));
        s.faults.push(Fault { node: "fn".into(), at_s: 10.0, duration_s: 100.0, kind: FaultKind::ErrorRate { probability: fail } });
        let mut sim = Simulation::new(&s).expect("valid");
        while sim.step().is_some() {
            prop_assert!(sim.async_events().balances(), "{:?}", sim.async_events());
            prop_assert!(sim.messages().balances());
        }
    }
}
