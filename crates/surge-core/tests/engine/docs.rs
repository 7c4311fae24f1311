//! Every JSON example in `docs/scenario.md` is read by the parser, as what it is marked to
//! be: a whole scenario (which must also validate), or a node's `params`, a fault or an
//! edge. The page cannot drift from the format again.

use surge_core::{Alarm, Edge, Fault, Node, Scenario};

use super::scenarios_dir;

/// The fenced blocks whose info string starts with `json`: (info, body, line).
fn json_blocks(text: &str) -> Vec<(String, String, usize)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) if info.starts_with("json") => {
                open = Some((info.to_owned(), String::new(), n + 1));
            }
            (Some(_), Some(_)) => blocks.extend(open.take()),
            (Some((_, body, _)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn every_json_example_in_the_format_docs_parses() {
    let path = scenarios_dir().join("../../docs/scenario.md");
    let text = std::fs::read_to_string(&path).expect("docs/scenario.md");
    let blocks = json_blocks(&text);
    assert!(
        blocks.len() >= 15,
        "only {} json blocks found",
        blocks.len()
    );
    let mut failures = Vec::new();
    for (info, body, line) in &blocks {
        let result = match info.as_str() {
            "json" => Scenario::from_json(body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            "json fault" => serde_json::from_str::<Fault>(body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            "json alarm" => serde_json::from_str::<Alarm>(body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            "json annotation" => serde_json::from_str::<surge_core::Annotation>(body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            "json talk" => serde_json::from_str::<surge_core::Talk>(body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            "json edge" => serde_json::from_str::<Edge>(body)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            other => match other.strip_prefix("json params=") {
                Some(kind) => {
                    let node = format!(r#"{{"id":"x","kind":"{kind}","params":{body}}}"#);
                    serde_json::from_str::<Node>(&node)
                        .map_err(|e| e.to_string())
                        .and_then(|n| {
                            assert_eq!(n.kind.tag(), kind);
                            // A state machine's example also compiles (its ASL is read).
                            match &n.kind {
                                surge_core::NodeKind::StepFunctions(m) => m
                                    .compiled()
                                    .map(|_| ())
                                    .map_err(|e| format!("{}: {}", e.path, e.reason)),
                                _ => Ok(()),
                            }
                        })
                }
                None => Err(format!("unknown marking {other:?}")),
            },
        };
        if let Err(e) = result {
            failures.push(format!("docs/scenario.md:{line} ({info}): {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_findings_rule_is_documented() {
    let text = std::fs::read_to_string(scenarios_dir().join("../../docs/report.md"))
        .expect("docs/report.md");
    for rule in surge_core::findings::RULES {
        assert!(
            text.contains(&format!("| `{}` |", rule.id)),
            "docs/report.md does not list the findings rule {}",
            rule.id
        );
    }
}
