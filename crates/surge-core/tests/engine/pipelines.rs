//! Properties of the event-driven models together: random pipelines of SNS, S3, SQS,
//! async invokes and Step Functions (Standard and Express, Map and Parallel, a tight
//! transition bucket, tasks outliving Express's 5 minutes) with outages, where every
//! ledger — requests, messages, async events, executions, deliveries — balances after
//! every event, and the run is the same however it is sliced.

use std::collections::BTreeMap;

use proptest::prelude::*;
use surge_core::*;

fn compute(ms: f64) -> Step {
    Step::Compute {
        ms,
        distribution: StepDistribution::Exponential,
    }
}

fn function(handler: Vec<Step>) -> NodeKind {
    NodeKind::Lambda(LambdaParams {
        handler,
        timeout_s: 900.0,
        reserved_concurrency: Some(20),
        ..LambdaParams::default()
    })
}

#[derive(Debug, Clone)]
struct Shape {
    rate: f64,
    express: bool,
    items: u32,
    max_concurrency: u32,
    task_s: f64,
    parallel: bool,
    transitions_per_s: f64,
    sns: bool,
    outage_on: u8,
    seconds: f64,
    seed: u64,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (0.2..20.0f64, any::<bool>(), 0u32..12, 0u32..6),
        (0.01..400.0f64, any::<bool>(), 1.0..200.0f64, any::<bool>()),
        (0u8..4, 20.0..420.0f64, any::<u64>()),
    )
        .prop_map(
            |(
                (rate, express, items, max_concurrency),
                (task_s, parallel, transitions_per_s, sns),
                (outage_on, seconds, seed),
            )| Shape {
                rate,
                express,
                items,
                max_concurrency,
                task_s,
                parallel,
                transitions_per_s,
                sns,
                outage_on,
                seconds,
                seed,
            },
        )
}

fn task(resource: &str) -> State {
    State::Task {
        resource: resource.into(),
        retry: vec![Retrier {
            error_equals: vec!["States.ALL".into()],
            max_attempts: 1,
            ..Retrier::default()
        }],
        catch: Vec::new(),
        next: None,
    }
}

fn definition(x: &Shape) -> Definition {
    let one = |name: &str, state: State| {
        let mut states = BTreeMap::new();
        states.insert(name.to_owned(), state);
        Definition {
            start_at: name.into(),
            states,
        }
    };
    let body = if x.parallel {
        State::Parallel {
            branches: vec![one("A", task("work")), one("B", task("work"))],
            catch: Vec::new(),
            next: None,
        }
    } else {
        State::Map {
            items: x.items,
            max_concurrency: x.max_concurrency,
            iterator: one("Each", task("work")),
            catch: Vec::new(),
            next: None,
        }
    };
    one("Body", body)
}

/// writers → writer → topic or bucket → (async fn, queue → consumer);
/// starters → state machine → work.
fn pipeline(x: &Shape) -> Scenario {
    let mut s = Scenario::empty(x.seed, x.seconds);
    s.account.step_functions_transition_rate_per_s = x.transitions_per_s;
    s.account.step_functions_transition_burst = 20;
    let source = if x.sns {
        NodeKind::Sns(FanoutParams::default())
    } else {
        NodeKind::S3(FanoutParams::default())
    };
    s.add(
        "writers",
        NodeKind::Client(ClientParams {
            rate_per_s: x.rate,
            ..ClientParams::default()
        }),
    )
    .add(
        "writer",
        function(vec![Step::Call {
            node: "source".into(),
            times: 1,
        }]),
    )
    .add("source", source)
    .add("on-event", function(vec![compute(50.0)]))
    .add("q", NodeKind::Sqs(QueueParams::default()))
    .add(
        "consumer",
        NodeKind::Lambda(LambdaParams {
            handler: vec![compute(20.0)],
            timeout_s: 10.0,
            ..LambdaParams::default()
        }),
    )
    .add(
        "starters",
        NodeKind::Client(ClientParams {
            rate_per_s: x.rate / 4.0,
            ..ClientParams::default()
        }),
    )
    .add(
        "machine",
        NodeKind::StepFunctions(StateMachineParams {
            flavour: if x.express {
                WorkflowFlavour::Express
            } else {
                WorkflowFlavour::Standard
            },
            ..StateMachineParams::default().with_definition(&definition(x))
        }),
    )
    .add("work", function(vec![compute(x.task_s * 1000.0)]))
    .connect("writers", "writer")
    .connect("writer", "source")
    .connect("source", "on-event")
    .connect("source", "q")
    .connect("q", "consumer")
    .connect("starters", "machine")
    .connect("machine", "work");
    let down = match x.outage_on {
        0 => None,
        1 => Some("on-event"),
        2 => Some("q"),
        _ => Some("work"),
    };
    if let Some(node) = down {
        s.faults.push(Fault {
            node: node.into(),
            at_s: x.seconds / 4.0,
            duration_s: x.seconds / 3.0,
            kind: FaultKind::Outage,
        });
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_ledger_balances_after_every_event(x in shape()) {
        let s = pipeline(&x);
        let mut sim = Simulation::new(&s).expect("valid");
        while sim.step().is_some() {
            prop_assert!(sim.ledger().balances(), "{:?}", sim.ledger());
            prop_assert!(sim.messages().balances(), "{:?}", sim.messages());
            prop_assert!(sim.async_events().balances(), "{:?}", sim.async_events());
            prop_assert!(sim.executions().balances(), "{:?}", sim.executions());
            prop_assert!(sim.deliveries().balances(), "{:?}", sim.deliveries());
        }
        let r = sim.run();
        let e = r.executions;
        prop_assert!(e.timed_out <= e.failed, "{e:?}");
        if !x.express {
            prop_assert_eq!(e.timed_out, 0);
        }
        if x.express {
            prop_assert_eq!(e.throttled_transitions, 0);
        }
        let d = r.deliveries;
        if !x.sns {
            prop_assert_eq!(d.retries, 0);
        }
        if x.outage_on == 0 {
            prop_assert_eq!(d.dropped, 0, "{:?}", d);
        }
    }

    #[test]
    fn slicing_the_run_does_not_change_it(x in shape(), slice_ms in 50u64..20_000) {
        let s = pipeline(&x);
        let whole = Simulation::new(&s).expect("valid").run();
        let mut sliced = Simulation::new(&s).expect("valid");
        let mut t = SimTime::ZERO;
        while t < sliced.end() {
            t = t + SimTime::from_millis(slice_ms);
            sliced.step_until(t);
        }
        prop_assert_eq!(whole.digest(), sliced.run().digest());
    }
}
