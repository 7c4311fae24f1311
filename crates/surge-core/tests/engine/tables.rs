//! DynamoDB: a hot partition throttles while the table is far below its capacity, and an
//! on-demand table throttles a jump beyond double its previous peak, then catches up.

use surge_core::*;

use super::{node, run};

fn writers(rate: f64, schedule: Vec<Phase>, table: TableParams, seconds: f64) -> Report {
    let mut s = Scenario::empty(31, seconds);
    s.add(
        "c",
        NodeKind::Client(ClientParams {
            rate_per_s: rate,
            schedule,
            ..ClientParams::default()
        }),
    )
    .add(
        "fn",
        NodeKind::Lambda(LambdaParams {
            handler: vec![Step::Call {
                node: "table".into(),
                times: 1,
            }],
            ..LambdaParams::default()
        }),
    )
    .add("table", NodeKind::Dynamodb(table))
    .connect("c", "fn")
    .connect("fn", "table");
    run(&s)
}

#[test]
fn a_hot_key_throttles_its_partition_while_the_table_has_room() {
    let table = |hot| TableParams {
        mode: CapacityMode::Provisioned,
        write_capacity: 5000,
        partitions: 10,
        hot_key_share: hot,
        read_share: 0.0,
        ..TableParams::default()
    };
    let cool = writers(2000.0, Vec::new(), table(0.0), 60.0);
    let hot = writers(2000.0, Vec::new(), table(0.5), 60.0);
    assert_eq!(
        node(&cool, "table").errors.service_throttled,
        0,
        "2,000 of 5,000 WCU: no throttles"
    );
    let throttled = node(&hot, "table").errors.service_throttled;
    assert!(
        throttled > 10_000,
        "the hot partition (500 WCU) gets ~1,100/s: {throttled}"
    );
    assert!(
        hot.ledger.failed.service_throttled > 0,
        "some writes fail after the SDK's retries"
    );
    assert!(hot.p99_ms > cool.p99_ms, "and the retries show as latency");
}

#[test]
fn on_demand_serves_double_the_previous_peak_and_grows() {
    let table = TableParams {
        partitions: 20,
        read_share: 0.0,
        ..TableParams::default()
    };
    let r = writers(
        1000.0,
        vec![Phase {
            at_s: 60.0,
            rate_per_s: 9000.0,
            ramp_s: 0.0,
        }],
        table,
        90.0,
    );
    let t = node(&r, "table");
    let throttled =
        |from: usize, to: usize| t.series[from..to].iter().map(|s| s.throttled).sum::<u64>();
    assert_eq!(throttled(10, 60), 0, "steady 1,000/s is well inside 4,000");
    assert!(
        throttled(60, 62) > 1000,
        "a jump to 9,000/s exceeds max(4,000, 2 × 1,000)"
    );
    assert_eq!(throttled(66, 90), 0, "the limit doubles with each new peak");
}
