//! Every scenario ends: random valid scenarios with loops through queues, topics, buckets
//! and functions (recursive loop detection on or off), state machines with zero-time
//! catch loops and huge Maps, backlogs nobody reads and latencies of 0 ms. None may
//! panic, hang or outgrow a small budget; each ends (or stops with a reason), every ledger
//! balances along the way, and a rerun gives the same report.
//!
//! `PROPTEST_CASES` sets the number of cases (1,000 by default here; `cargo xtask fuzz`
//! runs more).

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use surge_core::*;

/// A small budget, so runaway cases stop quickly.
const LIMITS: Limits = Limits {
    max_memory_mib: 8,
    max_steps_per_instant: 200_000,
};

#[derive(Debug, Clone)]
struct Plan {
    rate: f64,
    seconds: f64,
    seed: u64,
    functions: Vec<FnPlan>,
    queues: Vec<QueuePlan>,
    topics: Vec<(bool, Vec<usize>)>,
    machine: Option<MachinePlan>,
    entry: u8,
    via_api: bool,
}

#[derive(Debug, Clone)]
struct FnPlan {
    work_ms: f64,
    calls: Vec<(u8, usize, u32)>,
    allow_loops: bool,
    reserved: Option<u32>,
    async_self: bool,
}

#[derive(Debug, Clone)]
struct QueuePlan {
    latency_ms: f64,
    consumer: Option<usize>,
    dlq: bool,
    fifo: bool,
    retention_s: f64,
}

#[derive(Debug, Clone)]
struct MachinePlan {
    express: bool,
    items: u32,
    max_concurrency: u32,
    catch_loop: bool,
    target: usize,
}

fn fn_plan() -> impl Strategy<Value = FnPlan> {
    (
        prop_oneof![Just(0.0), 1.0..200.0f64],
        prop::collection::vec((0u8..4, 0usize..4, 1u32..3), 0..3),
        any::<bool>(),
        prop_oneof![Just(None), (0u32..40).prop_map(Some)],
        any::<bool>(),
    )
        .prop_map(
            |(work_ms, calls, allow_loops, reserved, async_self)| FnPlan {
                work_ms,
                calls,
                allow_loops,
                reserved,
                async_self,
            },
        )
}

fn queue_plan() -> impl Strategy<Value = QueuePlan> {
    (
        prop_oneof![Just(0.0), Just(10.0)],
        prop::option::of(0usize..4),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(60.0), Just(345_600.0)],
    )
        .prop_map(|(latency_ms, consumer, dlq, fifo, retention_s)| QueuePlan {
            latency_ms,
            consumer,
            dlq,
            fifo,
            retention_s,
        })
}

fn machine_plan() -> impl Strategy<Value = MachinePlan> {
    (
        any::<bool>(),
        prop_oneof![0u32..20, Just(30_000)],
        0u32..50,
        any::<bool>(),
        0usize..4,
    )
        .prop_map(
            |(express, items, max_concurrency, catch_loop, target)| MachinePlan {
                express,
                items,
                max_concurrency,
                catch_loop,
                target,
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        (0.5..100.0f64, 5.0..20.0f64, any::<u64>()),
        prop::collection::vec(fn_plan(), 1..4),
        prop::collection::vec(queue_plan(), 0..3),
        prop::collection::vec(
            (any::<bool>(), prop::collection::vec(0usize..4, 0..3)),
            0..2,
        ),
        prop::option::of(machine_plan()),
        (0u8..5, any::<bool>()),
    )
        .prop_map(
            |((rate, seconds, seed), functions, queues, topics, machine, (entry, via_api))| {
                // A 30,000-item Map is a lot of work per execution: few executions.
                let big = machine.as_ref().is_some_and(|m| m.items > 1000);
                Plan {
                    rate: if big { rate.min(0.5) } else { rate },
                    seconds,
                    seed,
                    functions,
                    queues,
                    topics,
                    machine,
                    entry,
                    via_api,
                }
            },
        )
}

fn one_state(name: &str, state: State) -> Definition {
    Definition {
        start_at: name.into(),
        states: BTreeMap::from([(name.to_owned(), state)]),
    }
}

/// The plan as a scenario (which may still be invalid: the caller skips those).
fn build(p: &Plan) -> Scenario {
    let mut s = Scenario::empty(p.seed, p.seconds);
    let f = |i: usize| format!("f{}", i % p.functions.len());
    let q = |i: usize| format!("q{i}");
    let t = |i: usize| format!("t{i}");
    let mut edges: Vec<(String, String, Option<Invocation>)> = Vec::new();
    let connect = |edges: &mut Vec<(String, String, Option<Invocation>)>,
                   from: String,
                   to: String,
                   how: Option<Invocation>| {
        if !edges.iter().any(|(a, b, _)| *a == from && *b == to) {
            edges.push((from, to, how));
        }
    };
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: p.rate,
            ..ClientParams::default()
        }),
    );
    for (i, fp) in p.functions.iter().enumerate() {
        let mut handler = vec![if fp.work_ms > 0.0 {
            Step::Compute {
                ms: fp.work_ms,
                distribution: StepDistribution::Exponential,
            }
        } else {
            Step::Sleep { ms: 0.0 }
        }];
        for &(what, k, times) in &fp.calls {
            let target = match what {
                0 if !p.queues.is_empty() => q(k % p.queues.len()),
                1 if !p.topics.is_empty() => t(k % p.topics.len()),
                2 => f(k),
                _ => continue,
            };
            // Functions call each other asynchronously only (synchronous cycles are refused).
            let how = target.starts_with('f').then_some(Invocation::Async);
            handler.push(Step::Call {
                node: target.clone(),
                times,
            });
            connect(&mut edges, f(i), target, how);
        }
        if fp.async_self {
            handler.push(Step::Call {
                node: f(i),
                times: 1,
            });
            connect(&mut edges, f(i), f(i), Some(Invocation::Async));
        }
        s.add(
            &f(i),
            NodeKind::Lambda(LambdaParams {
                handler,
                timeout_s: 20.0,
                reserved_concurrency: fp.reserved,
                recursive_loop: if fp.allow_loops {
                    RecursiveLoop::Allow
                } else {
                    RecursiveLoop::Terminate
                },
                ..LambdaParams::default()
            }),
        );
    }
    for (i, qp) in p.queues.iter().enumerate() {
        let dlq = qp.dlq && p.queues.len() > 1;
        s.add(
            &q(i),
            NodeKind::Sqs(QueueParams {
                latency_ms: qp.latency_ms,
                fifo: qp.fifo,
                message_groups: 3,
                retention_s: qp.retention_s,
                dead_letter_queue: dlq.then(|| q((i + 1) % p.queues.len())),
                max_receive_count: dlq.then_some(2),
                ..QueueParams::default()
            }),
        );
        if let Some(c) = qp.consumer {
            connect(&mut edges, q(i), f(c), None);
        }
    }
    for (i, (sns, targets)) in p.topics.iter().enumerate() {
        let kind = FanoutParams { latency_ms: 0.0 };
        s.add(
            &t(i),
            if *sns {
                NodeKind::Sns(kind)
            } else {
                NodeKind::S3(kind)
            },
        );
        for &k in targets {
            let target = if k % 2 == 0 || p.queues.is_empty() {
                f(k)
            } else {
                q(k % p.queues.len())
            };
            connect(&mut edges, t(i), target, None);
        }
    }
    if let Some(m) = &p.machine {
        let task = State::Task {
            resource: f(m.target),
            retry: Vec::new(),
            catch: if m.catch_loop {
                vec![Catcher {
                    error_equals: vec!["States.ALL".into()],
                    next: "Work".into(),
                }]
            } else {
                Vec::new()
            },
            next: None,
        };
        let mut states = BTreeMap::new();
        states.insert("Work".to_owned(), task);
        states.insert(
            "Each".to_owned(),
            State::Map {
                items: m.items,
                max_concurrency: m.max_concurrency,
                iterator: one_state("Done", State::Succeed),
                catch: Vec::new(),
                next: Some("Work".into()),
            },
        );
        s.add(
            "m",
            NodeKind::StepFunctions(StateMachineParams {
                flavour: if m.express {
                    WorkflowFlavour::Express
                } else {
                    WorkflowFlavour::Standard
                },
                definition: Definition {
                    start_at: "Each".into(),
                    states,
                },
                ..StateMachineParams::default()
            }),
        );
        connect(&mut edges, "m".into(), f(m.target), None);
    }
    let entry = match p.entry {
        1 if !p.queues.is_empty() => q(0),
        2 if !p.topics.is_empty() => t(0),
        3 if p.machine.is_some() => "m".to_owned(),
        _ => f(0),
    };
    let to_api = p.via_api && !entry.starts_with('t') || entry.starts_with('q');
    if to_api && !entry.starts_with('m') || (entry.starts_with('t') && p.topics[0].0) {
        s.add("api", NodeKind::ApiGateway(ApiGatewayParams::default()));
        connect(&mut edges, "c".into(), "api".into(), None);
        connect(&mut edges, "api".into(), entry, None);
    } else {
        let how = (entry.starts_with('f') && p.entry == 4).then_some(Invocation::Async);
        connect(&mut edges, "c".into(), entry, how);
    }
    for (from, to, how) in edges {
        s.connect(&from, &to);
        s.edges.last_mut().expect("just added").invocation = how;
    }
    s
}

fn every_ledger_balances(sim: &Simulation) -> Result<(), String> {
    let r = sim.report();
    if !r.ledger.balances() {
        return Err(format!("requests {:?}", r.ledger));
    }
    if !r.messages.balances() {
        return Err(format!("messages {:?}", r.messages));
    }
    if !r.async_events.balances() {
        return Err(format!("async {:?}", r.async_events));
    }
    if !r.executions.balances() {
        return Err(format!("executions {:?}", r.executions));
    }
    if !r.deliveries.balances() {
        return Err(format!("deliveries {:?}", r.deliveries));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_loops_backlogs_and_state_machines_end_within_the_budget(p in plan()) {
        let s = build(&p);
        prop_assume!(s.validate().is_ok());
        let mut sim = Simulation::with_limits(&s, LIMITS).expect("valid");
        let mut t = 0.0;
        while sim.now() < sim.end() && sim.stopped().is_none() {
            t += 2.0;
            sim.step_until(SimTime::from_secs_f64(t));
            if let Err(e) = every_ledger_balances(&sim) {
                return Err(TestCaseError::fail(format!("at {t} s: {e}")));
            }
            prop_assert!(t <= p.seconds + 2.0, "never finishes");
        }
        let report = sim.report();
        prop_assert!(report.finished || report.stopped.is_some());
        if let Some(stop) = &report.stopped {
            prop_assert!(stop.message.starts_with("stopped at t="), "{}", stop.message);
        }
        // The same scenario and seed give the same run (one case in four: reruns cost).
        if p.seed % 4 == 0 {
            let again = Simulation::with_limits(&s, LIMITS).expect("valid").run();
            prop_assert_eq!(again.digest(), report.digest());
        }
    }
}

#[test]
fn the_generator_reaches_loops_stops_and_big_maps() {
    // The property above is only as good as what it generates: sample the plans and check
    // that each interesting situation occurs.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut stopped_loops, mut budget, mut no_progress, mut maps, mut valid) = (0, 0, 0, 0, 0);
    for _ in 0..150 {
        let p = plan().new_tree(&mut runner).expect("plan").current();
        let s = build(&p);
        if s.validate().is_err() {
            continue;
        }
        valid += 1;
        let r = Simulation::with_limits(&s, LIMITS).expect("valid").run();
        let loop_stops: u64 = r.nodes.iter().map(|n| n.errors.recursive_loop).sum();
        stopped_loops += u32::from(loop_stops > 0);
        match r.stopped.as_ref().map(|s| s.cause) {
            Some(StopCause::MemoryBudget) => budget += 1,
            Some(StopCause::NoProgress) => no_progress += 1,
            None => {}
        }
        maps += u32::from(p.machine.as_ref().is_some_and(|m| m.items == 30_000));
    }
    eprintln!(
        "{valid} valid plans of 150: {stopped_loops} stopped a loop, {budget} hit the budget, {no_progress} made no progress, {maps} had a 30,000-item Map"
    );
    assert!(valid > 60, "only {valid} of 150 plans are valid");
    assert!(stopped_loops > 3, "{stopped_loops} runs stopped a loop");
    assert!(
        budget > 0 && no_progress > 0,
        "budget {budget}, no progress {no_progress}"
    );
    assert!(maps > 2, "{maps} runs with a 30,000-item Map");
}
