//! Share links: every golden scenario and random valid ones survive encode → decode with
//! identical reports; the committed golden links of every link format still decode to
//! their scenarios and reports; random and mutated link strings are refused with a
//! sentence, never a panic (100,000 here, more with `cargo xtask fuzz`).

use proptest::prelude::*;
use surge_core::link::{self, CHAT_SAFE_CHARS};
use surge_core::{LinkExtras, MODEL_VERSION, Scenario, SimRng};

use super::{golden_names, run, scenario, scenarios_dir};

fn links_dir() -> std::path::PathBuf {
    scenarios_dir().join("../links")
}

#[test]
fn every_golden_scenario_round_trips_through_a_short_link_with_the_same_report() {
    for name in golden_names() {
        let s = scenario(&name);
        let text = link::encode(&s, &LinkExtras::default());
        // A scenario fits in 600 characters; a talk script's captions add words.
        let bare = link::encode(&s.without_talk(), &LinkExtras::default());
        assert!(bare.len() <= 600, "{name}: {} characters", bare.len());
        assert!(
            text.len() <= 2_500,
            "{name} with its script: {} characters",
            text.len()
        );
        let back = link::decode(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back.scenario, s, "{name}");
        assert_eq!(run(&back.scenario).digest(), run(&s).digest(), "{name}");
    }
}

/// A diagram built in the editor: 10 rows of clients → API → function, on the grid.
fn thirty_nodes() -> Scenario {
    let mut s = Scenario::empty(42, 300.0);
    s.account.lambda_concurrency = 3000;
    for row in 0..10 {
        let y = f64::from(row) * 100.0;
        let ids = [
            format!("clients-{row}"),
            format!("api-{row}"),
            format!("orders-fn-{row}"),
        ];
        for (col, (id, tag)) in ids
            .iter()
            .zip(["client", "api_gateway", "lambda"])
            .enumerate()
        {
            let mut kind = surge_core::NodeKind::with_defaults(tag).expect("kind");
            if let surge_core::NodeKind::Client(c) = &mut kind {
                c.rate_per_s = 50.0 * f64::from(row + 1);
            }
            if let surge_core::NodeKind::Lambda(l) = &mut kind {
                l.reserved_concurrency = Some(100 + 10 * row);
                l.memory_mb = 512;
            }
            s.nodes.push(surge_core::Node {
                id: id.clone(),
                name: String::new(),
                position: surge_core::Position {
                    x: 40.0 + 240.0 * col as f64,
                    y: 40.0 + y,
                },
                kind,
            });
        }
        s.connect(&ids[0], &ids[1]).connect(&ids[1], &ids[2]);
    }
    s
}

#[test]
fn a_thirty_node_editor_diagram_fits_a_chat_safe_link() {
    let s = thirty_nodes();
    assert_eq!(s.validate(), Ok(()));
    let text = link::encode(&s, &LinkExtras::default());
    eprintln!("a 30-node diagram: {} characters", text.len());
    assert!(text.len() <= CHAT_SAFE_CHARS, "{} characters", text.len());
    assert_eq!(link::decode(&text).expect("decodes").scenario, s);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_valid_scenarios_round_trip(s in surge_core::testing::valid_scenario()) {
        let text = link::encode(&s, &LinkExtras { at_s: Some(3.0), ..LinkExtras::default() });
        let back = link::decode(&text).expect("decodes");
        prop_assert_eq!(&back.scenario, &s);
        prop_assert_eq!(back.extras.at_s, Some(3.0));
    }
}

/// One committed link: its scenario file and the digest of its report.
#[derive(serde::Deserialize, serde::Serialize)]
struct GoldenLink {
    scenario: String,
    link: String,
    digest: String,
}

#[test]
fn golden_links_of_every_format_still_decode_to_their_scenarios_and_reports() {
    let mut formats = 0;
    for entry in std::fs::read_dir(links_dir()).expect("tests/links") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        formats += 1;
        let text = std::fs::read_to_string(&path).expect("read");
        let golden: Vec<GoldenLink> = serde_json::from_str(&text).expect("golden links");
        assert!(!golden.is_empty());
        for g in golden {
            let decoded = link::decode(&g.link)
                .unwrap_or_else(|e| panic!("{}: {}: {e}", path.display(), g.scenario));
            // Scripts were added to lessons after their links were made: the link keeps
            // the scenario it had.
            assert_eq!(
                decoded.scenario,
                scenario(&g.scenario).without_talk(),
                "{}",
                g.scenario
            );
            // Links keep the model version they were made with; the lessons' replays did
            // not change since (MODEL_CHANGES says what did).
            assert!(
                decoded.extras.model.is_some_and(|m| m <= MODEL_VERSION),
                "{}",
                g.scenario
            );
            assert_eq!(
                run(&decoded.scenario).digest(),
                g.digest,
                "{}: the replay differs (if the models changed, bump MODEL_VERSION and record why)",
                g.scenario
            );
        }
    }
    assert!(formats >= 1, "no golden links");
}

/// Writes `tests/links/s1.json` from the golden scenarios (run with SURGE_WRITE_LINKS=1
/// when a format version is released; never rewrite an older format's file).
#[test]
fn write_golden_links_when_asked() {
    if std::env::var("SURGE_WRITE_LINKS").is_err() {
        return;
    }
    let golden: Vec<GoldenLink> = golden_names()
        .into_iter()
        .map(|name| {
            let s = scenario(&name);
            let digest = run(&s).digest();
            let extras = LinkExtras {
                model: Some(MODEL_VERSION),
                report: Some(digest[..8].to_owned()),
                ..LinkExtras::default()
            };
            GoldenLink {
                link: link::encode(&s, &extras),
                scenario: name,
                digest,
            }
        })
        .collect();
    let path = links_dir().join(format!("{}.json", link::LINK_FORMAT));
    std::fs::write(
        path,
        serde_json::to_string_pretty(&golden).expect("json") + "\n",
    )
    .expect("write");
}

/// Random and mutated link strings: every one is refused with a sentence or decodes to a
/// scenario; none panics or allocates past the caps.
#[test]
fn random_and_mutated_links_never_panic() {
    let cases: u64 = std::env::var("SURGE_LINK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let seeds: Vec<String> = golden_names()
        .iter()
        .map(|n| {
            link::encode(
                &scenario(n),
                &LinkExtras {
                    at_s: Some(5.0),
                    ..LinkExtras::default()
                },
            )
        })
        .collect();
    const ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=&%#s";
    let mut rng = SimRng::new(2026);
    let (mut ok, mut refused) = (0u64, 0u64);
    for i in 0..cases {
        let pick = |rng: &mut SimRng, n: usize| (rng.next_u64() % n as u64) as usize;
        let text: String = match i % 4 {
            // Random text after the marker.
            0 => {
                let len = pick(&mut rng, 300);
                let body: String = (0..len)
                    .map(|_| ALPHABET[pick(&mut rng, ALPHABET.len())] as char)
                    .collect();
                format!("s1.{body}")
            }
            // A real link with characters replaced.
            1 => {
                let mut b = seeds[pick(&mut rng, seeds.len())].clone().into_bytes();
                for _ in 0..=pick(&mut rng, 4) {
                    let at = 3 + pick(&mut rng, b.len() - 3);
                    b[at] = ALPHABET[pick(&mut rng, ALPHABET.len() - 8)];
                }
                String::from_utf8_lossy(&b).into_owned()
            }
            // A real link cut short or extended.
            2 => {
                let s = &seeds[pick(&mut rng, seeds.len())];
                let cut = pick(&mut rng, s.len());
                if rng.next_u64() % 2 == 0 {
                    s[..cut].to_owned()
                } else {
                    format!("{s}{}", &s[cut..])
                }
            }
            // Parameters gone wrong.
            _ => {
                let s = &seeds[pick(&mut rng, seeds.len())];
                format!("{s}&t=-{i}&select=%ZZ%&r=zz&m=99999999999&panel=%00")
            }
        };
        match link::decode(&text) {
            Ok(l) => {
                ok += 1;
                assert!(l.scenario.nodes.len() <= surge_core::MAX_NODES);
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    eprintln!("link fuzz: {cases} strings, {ok} decoded, {refused} refused with a reason");
    assert_eq!(ok + refused, cases);
}
