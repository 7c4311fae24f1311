//! Properties over random architectures: every request accounted for after every event,
//! time never goes back, identical results however the run is sliced, no panics on any
//! input; and validation errors that name the field.

use proptest::prelude::*;
use surge_core::*;

use super::{scenario, scenarios_dir};

/// A random chain: client → [API Gateway] → Lambda → [RDS | Proxy → RDS | service],
/// with random retries, timeouts, limits and faults.
fn arbitrary_scenario() -> impl Strategy<Value = Scenario> {
    (
        (1.0..800.0f64, 1u32..4, 50.0..3_000.0f64, any::<bool>()),
        (1u32..60, 5.0..400.0f64, 0.2..3.0f64, 0u32..4),
        (any::<bool>(), 0u32..3, 0.0..0.3f64, 1.0..15.0f64),
        any::<u64>(),
    )
        .prop_map(
            |(
                (rate, attempts, client_timeout_ms, gateway),
                (limit, compute_ms, fn_timeout_s, backend),
                (fault_on, fault_kind, probability, length_s),
                seed,
            )| {
                let mut s = Scenario::empty(seed, length_s);
                // The resilience models, chosen from the seed's bits: the retry mode, a
                // circuit breaker on every edge, a service's admission limit and deadlines.
                let mode = [RetryMode::Legacy, RetryMode::Standard, RetryMode::Adaptive]
                    [(seed % 3) as usize];
                let breakers = (seed >> 2) & 1 == 1;
                let admission = Admission {
                    max_in_flight: ((seed >> 3) & 1 == 1).then_some(3),
                    shed_ms: 1.0,
                    drop_abandoned: (seed >> 4) & 1 == 1,
                };
                let client = ClientParams {
                    rate_per_s: rate,
                    timeout_ms: client_timeout_ms,
                    retry: RetryPolicy {
                        max_attempts: attempts,
                        backoff: Backoff::ExponentialFullJitter,
                        mode,
                        ..RetryPolicy::default()
                    },
                    ..ClientParams::default()
                };
                s.add("c", NodeKind::Client(client));
                let first = if gateway {
                    s.add(
                        "api",
                        NodeKind::ApiGateway(ApiGatewayParams {
                            rate_per_s: Some(rate * 0.8),
                            timeout_ms: 1_000.0,
                            ..ApiGatewayParams::default()
                        }),
                    );
                    s.connect("c", "api").connect("api", "fn");
                    "api"
                } else {
                    s.connect("c", "fn");
                    "fn"
                };
                let mut handler = vec![Step::Compute {
                    ms: compute_ms,
                    distribution: StepDistribution::Exponential,
                }];
                let target = match backend {
                    1 => Some("db"),
                    2 => Some("proxy"),
                    3 => Some("svc"),
                    _ => None,
                };
                if let Some(t) = target {
                    handler.push(Step::Call {
                        node: t.into(),
                        times: 2,
                    });
                }
                s.add(
                    "fn",
                    NodeKind::Lambda(LambdaParams {
                        reserved_concurrency: Some(limit),
                        timeout_s: fn_timeout_s,
                        handler,
                        drop_abandoned: (seed >> 5) & 1 == 1,
                        ..LambdaParams::default()
                    }),
                );
                let rds = RdsParams {
                    max_connections: Some(limit / 2 + 1),
                    query_ms: 3.0,
                    ..RdsParams::default()
                };
                match backend {
                    1 => {
                        s.add("db", NodeKind::Rds(rds)).connect("fn", "db");
                    }
                    2 => {
                        s.add(
                            "proxy",
                            NodeKind::RdsProxy(RdsProxyParams {
                                max_connections_percent: 20,
                                borrow_timeout_s: 0.5,
                                pinned_fraction: 0.3,
                                ..RdsProxyParams::default()
                            }),
                        )
                        .add("db", NodeKind::Rds(rds))
                        .connect("fn", "proxy")
                        .connect("proxy", "db");
                    }
                    3 => {
                        s.add(
                            "svc",
                            NodeKind::Service(ServiceParams {
                                rate_limit_per_s: Some(rate / 2.0),
                                capacity: Some(5),
                                admission,
                                ..ServiceParams::default()
                            }),
                        )
                        .connect("fn", "svc");
                    }
                    _ => {}
                }
                if fault_on {
                    let (node, kind) = match (fault_kind, backend) {
                        (0, 1 | 2) => ("db", FaultKind::Failover),
                        (0, _) => (first, FaultKind::Outage),
                        (1, _) => ("fn", FaultKind::ErrorRate { probability }),
                        _ => ("fn", FaultKind::AddedLatency { ms: 200.0 }),
                    };
                    s.faults.push(Fault {
                        node: node.into(),
                        at_s: length_s / 3.0,
                        duration_s: length_s / 3.0,
                        kind,
                    });
                }
                if breakers {
                    for e in &mut s.edges {
                        e.breaker = Some(CircuitBreaker {
                            failures: 3,
                            window_s: 2.0,
                            open_s: 0.5,
                            probes: 2,
                            ..CircuitBreaker::default()
                        });
                    }
                }
                s
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Every request is accounted for after every event, and time never goes back.
    #[test]
    fn ledger_balances_after_every_event(s in arbitrary_scenario()) {
        let mut sim = Simulation::new(&s).expect("valid");
        let mut last = SimTime::ZERO;
        while let Some(t) = sim.step() {
            prop_assert!(t >= last);
            last = t;
            prop_assert!(sim.ledger().balances(), "{:?}", sim.ledger());
        }
        let report = sim.run();
        prop_assert!(report.ledger.balances());
        prop_assert!(report.finished);
        for n in &report.nodes {
            if let (Some(limit), "lambda") = (n.limit, n.kind.as_str()) {
                prop_assert!(n.peak_in_node <= limit, "{} > {limit}", n.peak_in_node);
            }
            if let (Some(limit), "rds") = (n.limit, n.kind.as_str()) {
                prop_assert!(n.peak_connections <= limit);
            }
        }
    }

    /// Same scenario and seed ⇒ the same report, however the run is sliced into steps.
    #[test]
    fn runs_are_deterministic_and_step_size_independent(s in arbitrary_scenario(), slice_ms in 1u64..5_000) {
        let whole = Simulation::new(&s).expect("valid").run().to_json();
        let again = Simulation::new(&s).expect("valid").run().to_json();
        prop_assert_eq!(&whole, &again);
        let mut sliced = Simulation::new(&s).expect("valid");
        let mut t = SimTime::ZERO;
        while t < sliced.end() {
            t = t + SimTime::from_millis(slice_ms);
            sliced.step_until(t);
            let _ = sliced.frame();
            prop_assert!(sliced.ledger().balances());
        }
        prop_assert_eq!(whole, sliced.report().to_json());
    }

    /// Arbitrary text is rejected with errors, never a panic.
    #[test]
    fn random_input_never_panics(text in "\\PC{0,200}") {
        let _ = Scenario::from_json(&text);
    }
}

#[test]
fn mutated_scenarios_are_rejected_or_run_but_never_panic() {
    for name in ["lesson7-storm-proxy", "lesson2-burst-limit4000-legacy"] {
        let base =
            std::fs::read_to_string(scenarios_dir().join(format!("{name}.json"))).expect("file");
        let bytes = base.as_bytes();
        let mut spans = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                spans.push((start, i));
            }
            i += 1;
        }
        for (start, end) in spans {
            for v in [
                "0",
                "-1",
                "1e308",
                "18446744073709551616",
                "0.0000001",
                "\"x\"",
                "null",
                "3",
            ] {
                let mutated = format!("{}{v}{}", &base[..start], &base[end..]);
                if let Ok(s) = Scenario::from_json(&mutated) {
                    let mut sim = Simulation::new(&s).expect("validated scenarios construct");
                    sim.step_until(SimTime::from_secs(2));
                    assert!(sim.ledger().balances());
                }
            }
        }
    }
}

fn errors_of(json: &str) -> String {
    Scenario::from_json(json)
        .expect_err("should be rejected")
        .to_string()
}

#[test]
fn errors_name_the_field_path_and_reason() {
    let e = errors_of(
        r#"{"format":"surge-scenario","version":1,
            "nodes":[{"id":"c","kind":"client","params":{"rate_per_s":-3}},
                     {"id":"f","kind":"lambda","params":{"timeout_s":901,"memory_mb":64}},
                     {"id":"d","kind":"rds","params":{}}],
            "edges":[{"from":"c","to":"f"},{"from":"f","to":"nowhere"},{"from":"c","to":"d"}]}"#,
    );
    assert!(
        e.contains("nodes[0].params.rate_per_s: -3 is outside"),
        "{e}"
    );
    assert!(e.contains("nodes[1].params.timeout_s"), "{e}");
    assert!(e.contains("900 s"), "{e}");
    assert!(
        e.contains("nodes[1].params.memory_mb: 64 is outside 128..=10240"),
        "{e}"
    );
    assert!(
        e.contains("edges[1].to: no node with id \"nowhere\""),
        "{e}"
    );
    assert!(
        e.contains("edges[2]: a client cannot call a rds (it can call: api_gateway, lambda, service, step_functions, worker_pool)"),
        "{e}"
    );
    let e = errors_of(
        r#"{"format":"surge-scenario","version":1,"nodes":[{"id":"x","kind":"client","params":{"rate_per_s":2e7}}]}"#,
    );
    assert!(
        e.contains("rate_per_s: 20000000 is outside 0..=10000000"),
        "{e}"
    );
}

#[test]
fn unknown_kinds_and_fields_are_rejected_and_missing_seed_defaults() {
    let e = errors_of(
        r#"{"format":"surge-scenario","version":1,"nodes":[{"id":"x","kind":"mainframe","params":{}}]}"#,
    );
    assert!(e.contains("nodes[0]") && e.contains("mainframe"), "{e}");
    let e = errors_of(
        r#"{"format":"surge-scenario","version":1,"nodes":[{"id":"x","kind":"lambda","params":{"memroy":128}}]}"#,
    );
    assert!(e.contains("memroy"), "{e}");
    let e = errors_of(r#"{"format":"other","version":9,"nodes":[]}"#);
    assert!(
        e.contains("format: expected") && e.contains("version: version 9"),
        "{e}"
    );
    let s = scenario("steady-under-limit");
    let mut json: String = s.to_json();
    json = json.replace("\"seed\": 5,", "");
    assert_eq!(
        Scenario::from_json(&json).expect("valid").seed,
        DEFAULT_SEED
    );
}

#[test]
fn handler_calls_need_an_edge_and_functions_cannot_call_in_a_cycle() {
    let e = errors_of(
        r#"{"format":"surge-scenario","version":1,
            "nodes":[{"id":"c","kind":"client","params":{}},
                     {"id":"a","kind":"lambda","params":{"handler":[{"call":{"node":"b"}}]}},
                     {"id":"b","kind":"lambda","params":{"handler":[{"call":{"node":"a"}}]}},
                     {"id":"s","kind":"service","params":{}},
                     {"id":"g","kind":"lambda","params":{"handler":[{"call":{"node":"s"}}]}}],
            "edges":[{"from":"c","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"a"}]}"#,
    );
    assert!(
        e.contains("nodes[4].params.handler[0].call.node: no edge from \"g\" to \"s\""),
        "{e}"
    );
    let s = r#"{"format":"surge-scenario","version":1,
            "nodes":[{"id":"c","kind":"client","params":{}},
                     {"id":"a","kind":"lambda","params":{"handler":[{"call":{"node":"b"}}]}},
                     {"id":"b","kind":"lambda","params":{"handler":[{"call":{"node":"a"}}]}}],
            "edges":[{"from":"c","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"a"}]}"#;
    assert!(errors_of(s).contains("cycle"));
}

#[test]
fn faults_can_be_injected_while_paused_and_are_recorded() {
    let s = scenario("lesson7-storm-proxy");
    let mut sim = Simulation::new(&s).expect("valid");
    sim.step_until(SimTime::from_secs(30));
    let before = sim.report();
    sim.inject(Fault {
        node: "db".into(),
        at_s: 0.0,
        duration_s: 10.0,
        kind: FaultKind::Outage,
    })
    .expect("valid fault");
    assert_eq!(sim.scenario().faults.len(), 1);
    assert_eq!(sim.scenario().faults[0].at_s, 30.0);
    sim.step_until(SimTime::from_secs(40));
    let after = sim.report();
    assert!(after.ledger.failed.unavailable > before.ledger.failed.unavailable);
    // Replaying the recorded schedule gives the same run.
    let replay = Simulation::new(sim.scenario()).expect("valid").run();
    assert_eq!(replay.to_json(), sim.run().to_json());
    let bad = sim.inject(Fault {
        node: "fn".into(),
        at_s: 0.0,
        duration_s: 1.0,
        kind: FaultKind::Failover,
    });
    assert!(
        bad.expect_err("failover on a lambda")
            .to_string()
            .contains("faults[1].kind")
    );
}
