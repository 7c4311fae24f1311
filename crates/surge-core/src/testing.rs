//! Random scenarios for property tests, in this crate and in others (feature `testing`).
//!
//! Why shared: the engine's "every run ends" properties and the editor's "rename and paste
//! keep a scenario valid" properties need the same thing, random *valid* scenarios with
//! every kind of node and reference, including loops through queues, topics and buckets,
//! state machines with catch loops and big Maps, and backlogs nobody reads.

#![allow(missing_docs, clippy::missing_docs_in_private_items)]

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::*;

#[derive(Debug, Clone)]
pub struct Plan {
    pub rate: f64,
    pub seconds: f64,
    pub seed: u64,
    pub functions: Vec<FnPlan>,
    pub queues: Vec<QueuePlan>,
    pub topics: Vec<(bool, Vec<usize>)>,
    pub machine: Option<MachinePlan>,
    pub entry: u8,
    pub via_api: bool,
}

#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct FnPlan {
    pub work_ms: f64,
    pub calls: Vec<(u8, usize, u32)>,
    pub allow_loops: bool,
    pub reserved: Option<u32>,
    pub async_self: bool,
    /// Failed async events go to the first queue.
    pub on_failure: bool,
    /// A "process new records" job over the first bucket.
    pub process_new: bool,
}

#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct QueuePlan {
    pub latency_ms: f64,
    pub consumer: Option<usize>,
    pub dlq: bool,
    pub fifo: bool,
    pub retention_s: f64,
    /// The consumer moves old messages to the next queue (a priority split).
    pub overflow: bool,
}

#[derive(Debug, Clone)]
pub struct MachinePlan {
    pub express: bool,
    pub items: u32,
    pub max_concurrency: u32,
    pub catch_loop: bool,
    pub target: usize,
}

fn fn_plan() -> impl Strategy<Value = FnPlan> {
    (
        prop_oneof![Just(0.0), 1.0..200.0f64],
        prop::collection::vec((0u8..4, 0usize..4, 1u32..3), 0..3),
        any::<bool>(),
        prop_oneof![Just(None), (0u32..40).prop_map(Some)],
        any::<bool>(),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(work_ms, calls, allow_loops, reserved, async_self, (on_failure, process_new))| {
                FnPlan {
                    work_ms,
                    calls,
                    allow_loops,
                    reserved,
                    async_self,
                    on_failure,
                    process_new,
                }
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
        any::<bool>(),
    )
        .prop_map(
            |(latency_ms, consumer, dlq, fifo, retention_s, overflow)| QueuePlan {
                latency_ms,
                consumer,
                dlq,
                fifo,
                retention_s,
                overflow,
            },
        )
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

/// Plans of random scenarios (most of them valid: build, then validate).
pub fn plan() -> impl Strategy<Value = Plan> {
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
pub fn build(p: &Plan) -> Scenario {
    let mut s = Scenario::empty(p.seed, p.seconds);
    let f = |i: usize| format!("f{}", i % p.functions.len());
    let q = |i: usize| format!("q{i}");
    let t = |i: usize| format!("t{i}");
    let mut overflows: Vec<(String, String)> = Vec::new();
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
                on_failure: (fp.on_failure && !p.queues.is_empty()).then(|| q(0)),
                process_new: p
                    .topics
                    .iter()
                    .position(|(sns, _)| !sns)
                    .filter(|_| fp.process_new)
                    .map(|b| ProcessNew {
                        source: t(b),
                        max_records: Some(50),
                    }),
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
            if qp.overflow && p.queues.len() > 1 {
                overflows.push((q(i), q((i + 1) % p.queues.len())));
            }
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
            NodeKind::StepFunctions(
                StateMachineParams {
                    flavour: if m.express {
                        WorkflowFlavour::Express
                    } else {
                        WorkflowFlavour::Standard
                    },
                    ..StateMachineParams::default()
                }
                .with_definition(&Definition {
                    start_at: "Each".into(),
                    states,
                }),
            ),
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
    for (from, queue) in overflows {
        if let Some(e) = s.edges.iter_mut().find(|e| e.from == from) {
            let mut esm = EventSourceMapping::default();
            esm.backlog.overflow = Some(Overflow {
                older_than_s: 5.0,
                queue,
            });
            e.esm = Some(esm);
        }
    }
    if p.seed % 3 == 0 {
        s.faults.push(Fault {
            node: f(0),
            at_s: 1.0,
            duration_s: 2.0,
            kind: FaultKind::Outage,
        });
    }
    // References of the resilience models: the client's backpressure on the last queue,
    // and the recommended alarms (on functions, queues, streams, databases).
    if p.seed % 2 == 0 && !p.queues.is_empty() {
        if let Some(NodeKind::Client(c)) = s
            .nodes
            .iter_mut()
            .find(|n| n.id == "c")
            .map(|n| &mut n.kind)
        {
            c.backpressure = Some(crate::scenario::Backpressure {
                queue: q(p.queues.len() - 1),
                max_depth: Some(50),
                max_age_s: None,
            });
        }
    }
    if p.seed % 5 < 2 {
        s.alarms = s.recommended_alarms();
    }
    // Long work: the client waits for a result finished at some function, called back or
    // pushed (polling needs a second edge; the golden scenarios and tests cover it).
    if p.seed % 4 == 1 && !p.functions.is_empty() {
        let done_at = f(p.functions.len() - 1);
        if let Some(NodeKind::Client(c)) = s
            .nodes
            .iter_mut()
            .find(|n| n.id == "c")
            .map(|n| &mut n.kind)
        {
            c.async_result = Some(crate::scenario::AsyncResult {
                pattern: if p.seed % 8 == 1 {
                    crate::scenario::AsyncPattern::Callback
                } else {
                    crate::scenario::AsyncPattern::Websocket
                },
                done_at,
                give_up_s: 3.0,
                notify_ms: 50.0,
                ..Default::default()
            });
        }
    }
    s
}

/// Random scenarios that validate (plans that do not are filtered out).
pub fn valid_scenario() -> impl Strategy<Value = Scenario> {
    plan()
        .prop_map(|p| build(&p))
        .prop_filter("valid", |s| s.validate().is_ok())
}
