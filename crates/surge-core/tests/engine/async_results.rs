//! Lesson 10 from first principles: long work behind API Gateway's 29-second wall, and
//! the three async patterns that bring its result back (polling, a callback, a WebSocket
//! push), compared in requests, latency and cost.

use surge_core::*;

use super::{node, run, scenario};

fn result(r: &Report, client: &str) -> AsyncResultReport {
    node(r, client)
        .async_result
        .unwrap_or_else(|| panic!("{client} has no async result figures"))
}

/// Requests whose fate is known (the rest are still in flight when the run ends).
fn settled(r: &Report) -> u64 {
    r.ledger.arrived - r.ledger.in_flight
}

#[test]
fn lesson10_the_29_second_wall_wastes_long_work_and_each_async_pattern_delivers_it() {
    // 20 reports per second, each ~30 s of work (lognormal, p99 ≈ 75 s).
    let sync = run(&scenario("lesson10-sync-29s"));
    assert!(sync.ledger.balances(), "{:?}", sync.ledger);
    // About half the work takes longer than 29 s: API Gateway answers 504 and the
    // function runs on for nobody.
    let timeouts = sync.ledger.failed.integration_timeout;
    assert!(
        timeouts as f64 > 0.4 * settled(&sync) as f64,
        "{timeouts} of {}",
        settled(&sync)
    );
    assert!(
        sync.cost.wasted_usd > 0.5 * sync.cost.total_usd,
        "{:?}",
        sync.cost
    );
    assert!(
        sync.p99_ms < 29_000.0,
        "no answer after the wall: {}",
        sync.p99_ms
    );

    for name in [
        "lesson10-async-poll",
        "lesson10-async-callback",
        "lesson10-async-websocket",
    ] {
        let r = run(&scenario(name));
        assert!(r.ledger.balances(), "{name}: {:?}", r.ledger);
        let a = result(&r, "users");
        assert_eq!(r.ledger.failed.integration_timeout, 0, "{name}");
        assert_eq!(a.completed, r.ledger.succeeded, "{name}");
        assert_eq!(a.gave_up, r.ledger.failed.result_gave_up, "{name}");
        // Nearly every settled request gets its result, most after more than 29 s.
        assert!(
            a.completed as f64 > 0.9 * settled(&r) as f64,
            "{name}: {} of {}",
            a.completed,
            settled(&r)
        );
        assert!(a.p50_ms > 29_000.0, "{name}: {}", a.p50_ms);
        assert!(
            r.cost.wasted_usd < 0.01 * r.cost.total_usd,
            "{name}: {:?}",
            r.cost
        );
    }
}

#[test]
fn polling_costs_a_request_per_interval_where_a_websocket_costs_minutes_and_one_push() {
    let poll = run(&scenario("lesson10-async-poll"));
    let ws = run(&scenario("lesson10-async-websocket"));
    let (p, w) = (result(&poll, "users"), result(&ws, "users"));
    assert_eq!(p.pattern, AsyncPattern::Poll);
    // Each completed request was asked about every 3 s (plus the status call's own
    // time) from its submit until its result; those that gave up were asked for 300 s.
    let waited_s = p.mean_ms / 1000.0;
    let expected = p.completed as f64 * (waited_s / 3.0) + p.gave_up as f64 * 100.0;
    let ratio = p.polls as f64 / expected;
    assert!(
        (0.85..1.1).contains(&ratio),
        "{} polls, {expected:.0} expected",
        p.polls
    );
    assert_eq!(node(&poll, "status-api").arrivals, p.polls);
    // Requests at the edge: the poll pattern's are many times the WebSocket's.
    let poll_requests = node(&poll, "api").arrivals + p.polls;
    let ws_requests = node(&ws, "api").arrivals + w.connections + w.messages;
    assert!(
        poll_requests > 5 * ws_requests,
        "{poll_requests} vs {ws_requests}"
    );
    // The WebSocket: one connection per request, one push per result, and the minutes
    // it was held (each rounded up).
    assert_eq!(w.connections_refused, 0);
    assert_eq!(w.connections, ws.ledger.arrived);
    assert!(w.messages >= w.completed, "{w:?}");
    let held_min = w.completed as f64 * (w.mean_ms / 60_000.0);
    assert!(
        w.connection_minutes as f64 >= held_min,
        "{} minutes, {held_min:.0} held",
        w.connection_minutes
    );
    // What delivering results cost at API Gateway: the polls' HTTP requests against the
    // WebSocket's messages and minutes.
    let poll_delivery = p.polls as f64 * 1.00 / 1e6;
    assert!(
        poll.cost.api_gateway_usd - ws.cost.api_gateway_usd > 0.8 * poll_delivery,
        "{} vs {}",
        poll.cost.api_gateway_usd,
        ws.cost.api_gateway_usd
    );
    assert!(w.websocket_usd < 0.1 * poll_delivery, "{w:?}");
}

/// A fixed 20-second job at one request per second, its result fetched one way or another.
fn fixed_job(pattern: &str, extra: &str) -> Scenario {
    let (status_node, status_edge) = if pattern == "poll" {
        (
            r#",{"id":"status","kind":"lambda","params":{"handler":[{"compute":{"ms":5}}]}}"#,
            r#",{"from":"users","to":"status"}"#,
        )
    } else {
        ("", "")
    };
    let json = format!(
        r#"{{"format":"surge-scenario","version":4,"seed":3,"duration_s":300,
        "nodes":[
          {{"id":"users","kind":"client","params":{{"rate_per_s":1,"arrivals":"constant",
            "async_result":{{"pattern":"{pattern}","done_at":"worker"{extra}}}}}}},
          {{"id":"api","kind":"api_gateway"}},
          {{"id":"jobs","kind":"sqs","params":{{"visibility_timeout_s":900}}}},
          {{"id":"worker","kind":"lambda","params":{{"memory_mb":1769,"timeout_s":60,
            "handler":[{{"compute":{{"ms":20000}}}}]}}}}{status_node}],
        "edges":[{{"from":"users","to":"api"}},{{"from":"api","to":"jobs"}},
          {{"from":"jobs","to":"worker","esm":{{"batch_size":1}}}}{status_edge}]}}"#
    );
    Scenario::parse_json(&json).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

#[test]
fn a_polled_result_waits_for_the_next_status_request() {
    let callback = run(&fixed_job("callback", r#","notify_ms":100"#));
    let poll = run(&fixed_job(
        "poll",
        r#","status":"status","poll_interval_s":4"#,
    ));
    let (c, p) = (result(&callback, "users"), result(&poll, "users"));
    assert!(c.completed > 250 && p.completed > 250, "{c:?} {p:?}");
    // The work takes 20 s plus the queue's delivery and the first cold starts; the
    // callback adds 100 ms.
    assert!((20_100.0..21_500.0).contains(&c.mean_ms), "{c:?}");
    let ready_ms = c.mean_ms - 100.0;
    // A status request goes 4 s after the previous answer: the result waits for the
    // next one, never a whole interval more (the status calls take tens of ms).
    let extra = p.mean_ms - ready_ms;
    assert!((0.0..4_500.0).contains(&extra), "{extra} ms: {p:?}");
    // With fixed work every request is asked the same number of times: the first
    // request after the result is ready is the last.
    let per_request = p.polls as f64 / p.submitted as f64;
    let expected = (ready_ms / 4_000.0).ceil();
    assert!(
        (per_request - expected).abs() < 0.5,
        "{per_request} vs {expected}"
    );
}

#[test]
fn the_account_refuses_websocket_connections_past_its_rate_and_the_client_sees_429s() {
    let mut s = fixed_job("websocket", "");
    let Some(NodeKind::Client(c)) = s.nodes.first_mut().map(|n| &mut n.kind) else {
        unreachable!()
    };
    c.rate_per_s = 1_000.0;
    c.retry.max_attempts = 1;
    s.duration_s = 10.0;
    s.account.websocket_connections_per_s = 200.0;
    let r = run(&s);
    let w = result(&r, "users");
    assert!(r.ledger.balances(), "{:?}", r.ledger);
    // 200 per second plus the bucket's first 200, of 1,000 per second asked.
    let allowed = 200.0 * 10.0 + 200.0;
    assert!(
        (w.connections as f64 - allowed).abs() < 0.02 * allowed,
        "{w:?}"
    );
    assert_eq!(w.connections + w.connections_refused, r.ledger.arrived);
    assert_eq!(r.ledger.failed.throttled, w.connections_refused);
}

#[test]
fn a_client_gives_up_when_the_result_is_late_and_stops_polling() {
    let s = fixed_job(
        "poll",
        r#","status":"status","poll_interval_s":2,"give_up_s":10"#,
    );
    let r = run(&s);
    let p = result(&r, "users");
    assert!(r.ledger.balances(), "{:?}", r.ledger);
    assert_eq!(p.completed, 0, "{p:?}");
    assert_eq!(p.gave_up, r.ledger.failed.result_gave_up);
    assert!(p.gave_up > 280, "{p:?}");
    // At most one status request per 2 s of the 10 s each request waited.
    assert!(p.polls <= p.submitted * 5, "{p:?}");
    // The work itself still runs: the result is ready after the client left.
    assert!(node(&r, "worker").ok > 270);
}

#[test]
fn async_results_are_validated_where_they_are_wrong() {
    let errors = |s: &Scenario| {
        s.validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let mut s = fixed_job("poll", r#","status":"status""#);
    let Some(NodeKind::Client(c)) = s.nodes.first_mut().map(|n| &mut n.kind) else {
        unreachable!()
    };
    let a = c.async_result.as_mut().expect("async result");
    a.status = None;
    assert!(
        errors(&s).contains("async_result.status: polling needs a status endpoint"),
        "{}",
        errors(&s)
    );
    let mut s = fixed_job("callback", "");
    let mut extra = s.edges[0].clone();
    extra.to = "worker".into();
    s.edges.push(extra);
    assert!(
        errors(&s).contains("a client needs exactly one outgoing edge, found 2"),
        "{}",
        errors(&s)
    );
    let mut s = fixed_job("poll", r#","status":"status","poll_interval_s":0"#);
    assert!(
        errors(&s).contains("async_result.poll_interval_s"),
        "{}",
        errors(&s)
    );
    s = fixed_job("callback", "");
    let Some(NodeKind::Client(c)) = s.nodes.first_mut().map(|n| &mut n.kind) else {
        unreachable!()
    };
    c.async_result.as_mut().expect("async result").done_at = "users".into();
    assert!(errors(&s).contains("is a client"), "{}", errors(&s));
    // Hostile values of the other new fields: the account's connection rate, and a
    // function's backpressure on something that is not a queue, with no limit.
    for rate in [f64::NAN, 0.0, -1.0, f64::INFINITY] {
        let mut s = fixed_job("websocket", "");
        s.account.websocket_connections_per_s = rate;
        assert!(
            errors(&s).contains("account.websocket_connections_per_s"),
            "{rate}: {}",
            errors(&s)
        );
    }
    let mut s = fixed_job("callback", "");
    let Some(NodeKind::Lambda(l)) = s
        .nodes
        .iter_mut()
        .find(|n| n.id == "worker")
        .map(|n| &mut n.kind)
    else {
        unreachable!()
    };
    l.backpressure = Some(Backpressure {
        queue: "api".into(),
        max_depth: None,
        max_age_s: None,
    });
    let e = errors(&s);
    assert!(
        e.contains("nodes[3].params.backpressure: backpressure needs max_depth"),
        "{e}"
    );
    assert!(
        e.contains("nodes[3].params.backpressure.queue: \"api\" is not an sqs node"),
        "{e}"
    );
}
