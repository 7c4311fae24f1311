//! The engine benchmark in the browser: the same 1 M-request Erlang B scenario as
//! `surge bench`, timed with `performance.now()` in headless Chromium. Only compiled with
//! `--features bench` (`cargo xtask bench`); it measures, it does not assert a speed.

#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use surge_core::{Simulation, bench_queue_scenario, bench_scenario};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn bench_erlang_b_1m_requests() {
    let performance = gloo::utils::window().performance().expect("performance");
    for (name, scenario) in [
        ("Erlang B", bench_scenario()),
        ("SQS → Lambda", bench_queue_scenario()),
    ] {
        console_log!("{name}:");
        bench_one(&performance, &scenario);
    }
}

fn bench_one(performance: &web_sys::Performance, scenario: &surge_core::Scenario) {
    let mut rates = Vec::new();
    for run in 1..=5 {
        let start = performance.now();
        let report = Simulation::new(scenario).expect("valid").run();
        let secs = (performance.now() - start) / 1000.0;
        let rate = report.events as f64 / secs;
        console_log!(
            "wasm run {run}: {} requests, {} events in {secs:.3} s = {:.2} M events/s",
            report.ledger.arrived,
            report.events,
            rate / 1e6
        );
        rates.push(rate);
    }
    console_log!("wasm first run: {:.2} M events/s", rates[0] / 1e6);
    rates.sort_by(f64::total_cmp);
    console_log!("wasm median: {:.2} M events/s", rates[2] / 1e6);
}
