//! Step Functions: Retry waits of 1, 2 and 4 s (and within them with FULL jitter), Catch
//! routing a failure, Map never running more than MaxConcurrency iterations,
//! StartExecution and state-transition throttling, the Standard history limit and the
//! Express 5-minute limit.

use std::collections::BTreeMap;

use surge_core::*;

use super::{node, run};

/// One client request at t = 10 s starting an execution of `definition`, whose tasks call
/// the function `fn` (which fails every time when `failing`).
fn one_execution(definition: Definition, failing: bool, compute_ms: f64, seconds: f64) -> Scenario {
    let mut s = Scenario::empty(15, seconds);
    let c = ClientParams {
        rate_per_s: 0.1,
        arrivals: Arrivals::Constant,
        schedule: vec![Phase {
            at_s: 10.5,
            rate_per_s: 0.0,
            ramp_s: 0.0,
        }],
        ..ClientParams::default()
    };
    s.add("c", NodeKind::Client(c))
        .add(
            "sfn",
            NodeKind::StepFunctions(StateMachineParams {
                ..StateMachineParams::default().with_definition(&definition)
            }),
        )
        .add(
            "fn",
            NodeKind::Lambda(LambdaParams {
                handler: vec![Step::Compute {
                    ms: compute_ms,
                    distribution: StepDistribution::Fixed,
                }],
                ..LambdaParams::default()
            }),
        )
        .connect("c", "sfn")
        .connect("sfn", "fn");
    if failing {
        s.faults.push(Fault {
            node: "fn".into(),
            at_s: 0.0,
            duration_s: seconds,
            kind: FaultKind::ErrorRate { probability: 1.0 },
        });
    }
    s
}

fn states(list: Vec<(&str, State)>) -> BTreeMap<String, State> {
    list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// A definition of one Task calling `fn`, without retries.
fn call_fn_once() -> Definition {
    Definition {
        start_at: "Work".into(),
        states: states(vec![(
            "Work",
            State::Task {
                resource: "fn".into(),
                retry: Vec::new(),
                catch: Vec::new(),
                next: None,
            },
        )]),
    }
}

fn task_with_retry(jitter: Jitter, catch: bool) -> Definition {
    let retry = vec![Retrier {
        interval_seconds: 1.0,
        max_attempts: 3,
        backoff_rate: 2.0,
        jitter_strategy: jitter,
        ..Retrier::default()
    }];
    let catch = if catch {
        vec![Catcher {
            error_equals: vec!["States.ALL".into()],
            next: "Handled".into(),
        }]
    } else {
        Vec::new()
    };
    Definition {
        start_at: "Call".into(),
        states: states(vec![
            (
                "Call",
                State::Task {
                    resource: "fn".into(),
                    retry,
                    catch,
                    next: None,
                },
            ),
            ("Handled", State::Succeed),
        ]),
    }
}

fn arrival_seconds(r: &Report) -> Vec<usize> {
    let f = node(r, "fn");
    f.series
        .iter()
        .enumerate()
        .flat_map(|(i, s)| std::iter::repeat_n(i, s.arrivals as usize))
        .collect()
}

#[test]
fn retries_wait_1_2_and_4_seconds_then_catch_routes_the_failure() {
    let r = run(&one_execution(
        task_with_retry(Jitter::None, true),
        true,
        1.0,
        30.0,
    ));
    assert_eq!(
        arrival_seconds(&r),
        [10, 11, 13, 17],
        "attempts at t0, +1, +2, +4 s"
    );
    let e = r.executions;
    assert_eq!(
        (e.started, e.succeeded, e.failed, e.running),
        (1, 1, 0, 0),
        "caught: {e:?}"
    );
    let uncaught = run(&one_execution(
        task_with_retry(Jitter::None, false),
        true,
        1.0,
        30.0,
    ));
    assert_eq!(
        (uncaught.executions.succeeded, uncaught.executions.failed),
        (0, 1)
    );
}

#[test]
fn full_jitter_retries_within_the_backoff() {
    let r = run(&one_execution(
        task_with_retry(Jitter::Full, true),
        true,
        1.0,
        30.0,
    ));
    let at = arrival_seconds(&r);
    assert_eq!(at.len(), 4);
    assert!(
        at[0] == 10 && at[3] <= 17,
        "jittered waits are at most 1, 2, 4 s: {at:?}"
    );
}

#[test]
fn a_map_never_runs_more_than_max_concurrency_iterations() {
    let iterator = call_fn_once();
    let definition = Definition {
        start_at: "Each".into(),
        states: states(vec![(
            "Each",
            State::Map {
                items: 100,
                max_concurrency: 10,
                iterator,
                catch: Vec::new(),
                next: None,
            },
        )]),
    };
    let r = run(&one_execution(definition, false, 1000.0, 40.0));
    let f = node(&r, "fn");
    assert_eq!(f.peak_in_node, 10, "exactly MaxConcurrency at once");
    assert_eq!(f.ok, 100);
    assert_eq!((r.executions.succeeded, r.executions.failed), (1, 0));
    // 100 items of 1 s, 10 at a time: about 10 s (plus cold starts).
    let busy: Vec<usize> = f
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.mean_in_node > 5.0)
        .map(|(i, _)| i)
        .collect();
    assert!(busy.len() >= 9 && busy.len() <= 12, "{busy:?}");
    assert!(r.executions.transitions >= 101, "{:?}", r.executions);
}

#[test]
fn start_execution_is_throttled_by_its_token_bucket() {
    let mut s = Scenario::empty(3, 30.0);
    let definition = Definition {
        start_at: "Done".into(),
        states: states(vec![("Done", State::Succeed)]),
    };
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: 50.0,
            ..ClientParams::default()
        }),
    )
    .add(
        "sfn",
        NodeKind::StepFunctions(StateMachineParams {
            start_rate_per_s: 10.0,
            start_burst: 20,
            ..StateMachineParams::default().with_definition(&definition)
        }),
    )
    .connect("c", "sfn");
    let r = run(&s);
    assert!(r.executions.balances());
    let started = r.executions.started as f64;
    assert!(
        (started - (20.0 + 10.0 * 30.0)).abs() < 15.0,
        "started {started}"
    );
    assert!(r.ledger.failed.throttled > 1000, "{:?}", r.ledger.failed);
    assert!(r.cost.step_functions_usd > 0.0);
}

/// A loop of a task and a choice that never exits: a Standard execution fails when its
/// history passes 25,000 events (two per state); an Express one keeps no such history
/// (it stops at 5 minutes instead).
fn endless_loop(flavour: WorkflowFlavour, seconds: f64) -> Report {
    let definition = Definition {
        start_at: "Work".into(),
        states: states(vec![
            (
                "Work",
                State::Task {
                    resource: "fn".into(),
                    retry: Vec::new(),
                    catch: Vec::new(),
                    next: Some("Again".into()),
                },
            ),
            (
                "Again",
                State::Choice {
                    choices: vec![ChoiceRule {
                        probability: 1.0,
                        next: "Work".into(),
                    }],
                    default: "Work".into(),
                },
            ),
        ]),
    };
    let mut s = one_execution(definition, false, 1.0, seconds);
    if let NodeKind::StepFunctions(p) = &mut s.nodes[1].kind {
        p.flavour = flavour;
    }
    run(&s)
}

#[test]
fn a_standard_execution_fails_past_25000_history_events() {
    let standard = endless_loop(WorkflowFlavour::Standard, 250.0);
    let e = standard.executions;
    assert_eq!((e.started, e.failed, e.running), (1, 1, 0), "{e:?}");
    // Two history events per state: the 12,501st state fails it.
    assert_eq!(e.transitions, 12_501, "{e:?}");
    assert_eq!(node(&standard, "fn").ok, 6_250);
    let express = endless_loop(WorkflowFlavour::Express, 250.0);
    assert_eq!(express.executions.failed, 0);
    assert_eq!(
        express.executions.running, 1,
        "Express keeps no such history"
    );
    assert!(express.executions.transitions > 12_501);
}

#[test]
fn an_express_execution_stops_at_five_minutes() {
    let express = endless_loop(WorkflowFlavour::Express, 400.0);
    let e = express.executions;
    assert_eq!(
        (e.started, e.failed, e.timed_out, e.running),
        (1, 1, 1, 0),
        "{e:?}"
    );
    let calls = &node(&express, "fn").series;
    // Started at t = 10 s: the loop calls the function until t = 310 s, then never again.
    assert!(calls[300].arrivals > 0, "{:?}", calls[300]);
    assert!(calls[311..].iter().all(|s| s.arrivals == 0));
}

/// Executions of a Map whose items take 100 s each, 5 at a time: 20 items need 400 s, so
/// every Express execution is stopped with tasks still running.
#[test]
fn express_executions_stopped_with_tasks_running_free_their_branches_safely() {
    let definition = Definition {
        start_at: "Each".into(),
        states: states(vec![(
            "Each",
            State::Map {
                items: 20,
                max_concurrency: 5,
                iterator: call_fn_once(),
                catch: Vec::new(),
                next: None,
            },
        )]),
    };
    let mut s = one_execution(definition, false, 100_000.0, 1_500.0);
    if let NodeKind::Client(c) = &mut s.nodes[0].kind {
        c.rate_per_s = 0.05;
        c.schedule.clear();
    }
    if let NodeKind::StepFunctions(p) = &mut s.nodes[1].kind {
        p.flavour = WorkflowFlavour::Express;
    }
    if let NodeKind::Lambda(f) = &mut s.nodes[2].kind {
        f.timeout_s = 900.0;
    }
    let mut sim = Simulation::new(&s).expect("valid");
    while sim.step().is_some() {
        assert!(sim.executions().balances(), "{:?}", sim.executions());
    }
    let r = sim.run();
    let e = r.executions;
    assert!(e.started >= 60, "{e:?}");
    assert_eq!(e.succeeded, 0, "{e:?}");
    assert_eq!(e.failed, e.timed_out, "{e:?}");
    // One start every 20 s: only the last 5 minutes' 15 are still running.
    assert!(e.running <= 15, "{e:?}");
    let f = node(&r, "fn");
    // 3 rounds of 5 items start before the limit (0, 100, 200 s): 15 calls per execution.
    let per_execution = f.arrivals as f64 / e.started as f64;
    assert!((13.0..=15.0).contains(&per_execution), "{per_execution}");
}

/// `rate` executions per second of a definition that is a chain of `choices` Choice states.
fn transition_heavy(rate: f64, choices: usize, account_rate: f64) -> Report {
    let mut list = Vec::new();
    for i in 0..choices {
        let next = if i + 1 == choices {
            "Done".to_owned()
        } else {
            format!("C{}", i + 1)
        };
        list.push((
            format!("C{i}"),
            State::Choice {
                choices: Vec::new(),
                default: next,
            },
        ));
    }
    let mut all: BTreeMap<String, State> = list.into_iter().collect();
    all.insert("Done".into(), State::Succeed);
    let mut s = Scenario::empty(4, 60.0);
    s.account.step_functions_transition_rate_per_s = account_rate;
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: rate,
            ..ClientParams::default()
        }),
    )
    .add(
        "sfn",
        NodeKind::StepFunctions(StateMachineParams {
            start_rate_per_s: 10_000.0,
            start_burst: 10_000,
            ..StateMachineParams::default().with_definition(&Definition {
                start_at: "C0".into(),
                states: all,
            })
        }),
    )
    .connect("c", "sfn");
    run(&s)
}

#[test]
fn standard_transitions_beyond_the_account_bucket_wait_and_slow_executions() {
    // 400 executions/s × 6 states = 2,400 transitions/s against 5,000 + 1,500/s.
    let r = transition_heavy(400.0, 5, 1_500.0);
    let e = r.executions;
    assert!(e.balances(), "{e:?}");
    let allowed = 5_000.0 + 1_500.0 * 60.0;
    assert!(
        (e.transitions as f64 - allowed).abs() < 0.01 * allowed,
        "transitions run at the bucket's rate: {e:?}"
    );
    assert!(e.throttled_transitions > 10_000, "{e:?}");
    assert_eq!(e.failed, 0, "throttling delays, it fails nothing: {e:?}");
    assert!(
        e.running > 5_000,
        "executions pile up behind the bucket: {e:?}"
    );
    let raised = transition_heavy(400.0, 5, 5_000.0).executions;
    assert_eq!(raised.throttled_transitions, 0, "{raised:?}");
    assert!(raised.running < 10, "{raised:?}");
}

#[test]
fn standard_bills_transitions_and_express_bills_requests_and_duration() {
    let bill = |flavour: WorkflowFlavour| {
        let mut s = Scenario::empty(5, 60.0);
        s.add(
            "c",
            NodeKind::Client(ClientParams {
                rate_per_s: 10.0,
                arrivals: Arrivals::Constant,
                ..ClientParams::default()
            }),
        )
        .add(
            "sfn",
            NodeKind::StepFunctions(StateMachineParams {
                flavour,
                ..StateMachineParams::default().with_definition(&Definition {
                    start_at: "Pause".into(),
                    states: states(vec![
                        (
                            "Pause",
                            State::Wait {
                                seconds: 2.25,
                                next: Some("Done".into()),
                            },
                        ),
                        ("Done", State::Succeed),
                    ]),
                })
            }),
        )
        .connect("c", "sfn");
        let r = run(&s);
        (r.executions, r.cost.step_functions_usd)
    };
    let (e, usd) = bill(WorkflowFlavour::Standard);
    assert_eq!(e.transitions, 2 * e.started - e.running, "{e:?}");
    assert!(
        (usd - e.transitions as f64 * 0.025 / 1000.0).abs() < 1e-12,
        "{usd}"
    );
    let (e, usd) = bill(WorkflowFlavour::Express);
    // Each finished execution: $1 per million, plus 2.3 s (100 ms steps) × 64 MB.
    let each = 1e-6 + 2.3 * 0.0625 * 0.000_016_67;
    assert!(
        (usd - e.succeeded as f64 * each).abs() < 1e-12,
        "{usd} vs {}",
        e.succeeded as f64 * each
    );
}

/// Lesson 15: an order is charged at a payment API, waits two minutes (say, for a fraud
/// check), then is shipped through a shipping API; both APIs fail 30 % of calls. Done
/// inside one 1 GB function, the function pays for the wait and a failed call fails the
/// order; done by a Standard state machine, the Wait costs one transition and each Task
/// retries with backoff.
fn order_flow(orchestrated: bool) -> Report {
    let mut s = Scenario::empty(15, 600.0);
    let client = ClientParams {
        rate_per_s: 2.0,
        timeout_ms: 300_000.0,
        schedule: vec![Phase {
            at_s: 300.0,
            rate_per_s: 0.0,
            ramp_s: 0.0,
        }],
        ..ClientParams::default()
    };
    s.add("shop", NodeKind::Client(client))
        .add("payments", NodeKind::Service(ServiceParams::default()))
        .add("shipping", NodeKind::Service(ServiceParams::default()));
    if orchestrated {
        let retry = vec![Retrier {
            error_equals: vec!["States.ALL".into()],
            interval_seconds: 1.0,
            max_attempts: 4,
            backoff_rate: 2.0,
            ..Retrier::default()
        }];
        let task = |resource: &str, next: Option<&str>| State::Task {
            resource: resource.into(),
            retry: retry.clone(),
            catch: Vec::new(),
            next: next.map(Into::into),
        };
        let definition = Definition {
            start_at: "Charge".into(),
            states: states(vec![
                ("Charge", task("payments", Some("FraudCheck"))),
                (
                    "FraudCheck",
                    State::Wait {
                        seconds: 120.0,
                        next: Some("Ship".into()),
                    },
                ),
                ("Ship", task("shipping", None)),
            ]),
        };
        s.add(
            "orders",
            NodeKind::StepFunctions(StateMachineParams {
                ..StateMachineParams::default().with_definition(&definition)
            }),
        )
        .connect("shop", "orders")
        .connect("orders", "payments")
        .connect("orders", "shipping");
    } else {
        s.add(
            "orders",
            NodeKind::Lambda(LambdaParams {
                memory_mb: 1024,
                timeout_s: 200.0,
                handler: vec![
                    Step::Call {
                        node: "payments".into(),
                        times: 1,
                    },
                    Step::Sleep { ms: 120_000.0 },
                    Step::Call {
                        node: "shipping".into(),
                        times: 1,
                    },
                ],
                ..LambdaParams::default()
            }),
        )
        .connect("shop", "orders")
        .connect("orders", "payments")
        .connect("orders", "shipping");
    }
    for api in ["payments", "shipping"] {
        s.faults.push(Fault {
            node: api.into(),
            at_s: 0.0,
            duration_s: 600.0,
            kind: FaultKind::ErrorRate { probability: 0.3 },
        });
    }
    run(&s)
}

#[test]
fn lesson15_a_state_machine_waits_for_free_and_retries_where_a_function_pays_and_fails() {
    let inside = order_flow(false);
    let orders = inside.ledger.arrived;
    let done = inside.ledger.succeeded as f64 / orders as f64;
    assert!(
        (done - 0.49).abs() < 0.06,
        "in a function, either failed call fails the order (0.7 × 0.7): {done}"
    );
    let machine = order_flow(true);
    let e = machine.executions;
    assert_eq!(e.running, 0, "{e:?}");
    let shipped = e.succeeded as f64 / e.started as f64;
    assert!(
        shipped > 0.98,
        "Retry with backoff: an order fails only after 5 failed calls (0.3^5 per task): {e:?}"
    );
    // The waiting: the 70 % of orders charged wait 120 s in a 1 GB function (≈ 84 GB-s
    // per order, $0.0014), against one Wait transition.
    let waiting_fn = inside.cost.lambda_duration_usd / orders as f64;
    let per_execution = machine.cost.step_functions_usd / e.started as f64;
    let expected = 0.7 * 120.0 * 0.000_016_666_7;
    assert!(
        (waiting_fn / expected - 1.0).abs() < 0.1,
        "${waiting_fn} per order in duration, expected ≈ ${expected}"
    );
    assert!(
        per_execution < waiting_fn / 10.0,
        "a few transitions (retries included) cost far less: ${per_execution} vs ${waiting_fn}"
    );
    eprintln!(
        "lesson 15: in a function {:.1} % of orders done at ${waiting_fn:.5} each in duration; \
         state machine {:.1} % at ${per_execution:.6} in transitions ({} transitions for {} executions)",
        done * 100.0,
        shipped * 100.0,
        e.transitions,
        e.started
    );
}
