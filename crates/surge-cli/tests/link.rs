//! `surge link encode` and `surge link decode`: a docs build can turn committed scenario
//! files into links and back, and a damaged link is refused with a reason (exit 1).

mod common;

use common::surge;

fn scenario(name: &str) -> String {
    format!(
        "{}/../../tests/scenarios/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn encode_then_decode_gives_the_file_back() {
    let file = scenario("lesson7-storm-proxy");
    let (code, link, _) = surge(&[
        "link",
        "encode",
        &file,
        "--base",
        "https://docs.example.org/surge/",
        "--t",
        "30",
        "--select",
        "db",
        "--with-digest",
    ]);
    assert_eq!(code, 0);
    let link = link.trim();
    assert!(
        link.starts_with("https://docs.example.org/surge/#s1."),
        "{link}"
    );
    assert!(link.contains("&t=30&select=db&m="), "{link}");
    assert!(link.len() < 600, "{} characters", link.len());
    let (code, json, _) = surge(&["link", "decode", link]);
    assert_eq!(code, 0);
    let original = surge_core::Scenario::parse_json(&std::fs::read_to_string(&file).expect("file"))
        .expect("valid");
    assert_eq!(
        surge_core::Scenario::parse_json(&json).expect("decoded"),
        original
    );
}

#[test]
fn a_damaged_link_or_a_missing_node_is_refused_with_a_reason() {
    let (code, _, err) = surge(&["link", "decode", "https://x/#s1.AAAA"]);
    assert_eq!(code, 1);
    assert!(err.contains("damaged"), "{err}");
    let (code, _, err) = surge(&[
        "link",
        "encode",
        &scenario("lesson1-littles-law"),
        "--select",
        "nope",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no node"), "{err}");
}
