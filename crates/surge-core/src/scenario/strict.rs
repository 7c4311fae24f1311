//! Strict reading of nodes and faults: unknown fields are refused, and an error inside a
//! node's `params` names its full path (`nodes[1].params.handler[1].call.times`).
//!
//! Why by hand: a node is `{"id", "name", "position", "kind", "params"}` and a fault
//! `{"node", "at_s", "duration_s", "kind", …the kind's fields}`; serde's derive reads both
//! through a buffer (`flatten`, tagged enums) that silently ignores unknown fields (a typo
//! like `"reserved_concurency"` next to `params` ran with the default) and loses the path
//! of errors inside. Reading the keys ourselves keeps both, and the derived `Serialize`
//! and `JsonSchema` still describe the same shape.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::*;

/// Marks the path part of an error raised while reading a buffered value, so
/// `Scenario::parse_json` can append it to the path serde reports.
pub(crate) const PATH_MARK: char = '\u{1}';

const NODE_FIELDS: &[&str] = &["id", "name", "position", "kind", "params"];
const FAULT_KINDS: &[&str] = &[
    "outage",
    "added_latency",
    "error_rate",
    "failover",
    "poison",
    "spike",
];

/// Reads the parameters of the node kind `tag` from any deserializer.
struct Params<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for Params<'_> {
    type Value = NodeKind;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize_params(self.0, d)
    }
}

/// Parameters that came before their `kind`: read from the buffer, with the path inside
/// carried in the message.
fn params_from_value<E: de::Error>(tag: &str, value: serde_json::Value) -> Result<NodeKind, E> {
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let mut d = serde_json::Deserializer::from_str(&text);
    Params(tag)
        .deserialize(&mut d)
        .map_err(|e: serde_json::Error| {
            let at = super::json_path::offset_of(&text, e.line(), e.column());
            let path = super::json_path::path_at(&text, at);
            let mut reason = e.to_string();
            if let Some(cut) = reason.rfind(" at line ") {
                reason.truncate(cut);
            }
            let path = if path.is_empty() {
                "params".to_owned()
            } else {
                format!("params.{path}")
            };
            E::custom(format!("{PATH_MARK}{path}{PATH_MARK}{reason}"))
        })
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a node: {\"id\", \"name\", \"position\", \"kind\", \"params\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut id: Option<String> = None;
        let mut name = String::new();
        let mut position = Position::default();
        let mut tag: Option<String> = None;
        let mut kind: Option<NodeKind> = None;
        let mut buffered: Option<serde_json::Value> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => id = Some(map.next_value()?),
                "name" => name = map.next_value()?,
                "position" => position = map.next_value()?,
                "kind" => {
                    let t: String = map.next_value()?;
                    if !NodeKind::TAGS.contains(&t.as_str()) {
                        return Err(de::Error::unknown_variant(&t, NodeKind::TAGS));
                    }
                    tag = Some(t);
                }
                "params" => match &tag {
                    Some(t) => kind = Some(map.next_value_seed(Params(t))?),
                    None => buffered = Some(map.next_value()?),
                },
                other => return Err(de::Error::unknown_field(other, NODE_FIELDS)),
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        let tag = tag.ok_or_else(|| de::Error::missing_field("kind"))?;
        let kind = match (kind, buffered) {
            (Some(k), _) => k,
            (None, Some(value)) => params_from_value(&tag, value)?,
            // No params: every parameter at its default.
            (None, None) => params_from_value(&tag, serde_json::json!({}))?,
        };
        Ok(Node {
            id,
            name,
            position,
            kind,
        })
    }
}

impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fault, D::Error> {
        d.deserialize_map(FaultVisitor)
    }
}

/// Reads a fault inside the reader's own map visit, so an error about the whole fault
/// (a field its kind does not have) is placed at the fault, not at the list.
struct FaultVisitor;

impl<'de> Visitor<'de> for FaultVisitor {
    type Value = Fault;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fault: {\"node\", \"at_s\", \"duration_s\", \"kind\", …}")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Fault, A::Error> {
        let raw = RawFault::deserialize(de::value::MapAccessDeserializer::new(map))?;
        fault_of(raw)
    }
}

fn fault_of<E: de::Error>(raw: RawFault) -> Result<Fault, E> {
    let extra = |field: &'static str, present: bool| -> Result<(), E> {
        if present {
            let article = if raw.kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            Err(de::Error::custom(format!(
                "{article} {} fault has no field `{field}`",
                raw.kind
            )))
        } else {
            Ok(())
        }
    };
    let need = |field: &'static str, v: Option<f64>| -> Result<f64, E> {
        v.ok_or_else(|| de::Error::missing_field(field))
    };
    let kind = match raw.kind.as_str() {
        "added_latency" => {
            extra("probability", raw.probability.is_some())?;
            extra("rate_per_s", raw.rate_per_s.is_some())?;
            FaultKind::AddedLatency {
                ms: need("ms", raw.ms)?,
            }
        }
        "error_rate" => {
            extra("ms", raw.ms.is_some())?;
            extra("rate_per_s", raw.rate_per_s.is_some())?;
            FaultKind::ErrorRate {
                probability: need("probability", raw.probability)?,
            }
        }
        "spike" => {
            extra("ms", raw.ms.is_some())?;
            extra("probability", raw.probability.is_some())?;
            FaultKind::Spike {
                rate_per_s: need("rate_per_s", raw.rate_per_s)?,
            }
        }
        plain @ ("outage" | "failover" | "poison") => {
            extra("ms", raw.ms.is_some())?;
            extra("probability", raw.probability.is_some())?;
            extra("rate_per_s", raw.rate_per_s.is_some())?;
            match plain {
                "outage" => FaultKind::Outage,
                "failover" => FaultKind::Failover,
                _ => FaultKind::Poison,
            }
        }
        other => return Err(de::Error::unknown_variant(other, FAULT_KINDS)),
    };
    Ok(Fault {
        node: raw.node,
        at_s: raw.at_s,
        duration_s: raw.duration_s,
        kind,
    })
}

/// A fault as written: every field any kind may have.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    node: String,
    at_s: f64,
    duration_s: f64,
    kind: String,
    #[serde(default)]
    ms: Option<f64>,
    #[serde(default)]
    probability: Option<f64>,
    #[serde(default)]
    rate_per_s: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(json: &str) -> String {
        Scenario::parse_json(json)
            .expect_err("refused")
            .0
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    const HEAD: &str = r#"{"format":"surge-scenario","version":2,"#;

    #[test]
    fn unknown_fields_are_refused_everywhere() {
        let e = error_of(&format!(r#"{HEAD}"durration_s":5,"nodes":[]}}"#));
        assert!(e.contains("durration_s"), "{e}");
        let e = error_of(&format!(
            r#"{HEAD}"nodes":[{{"id":"f","kind":"lambda","reserved_concurency":5,"params":{{}}}}]}}"#
        ));
        assert!(
            e.starts_with("nodes[0]") && e.contains("reserved_concurency"),
            "{e}"
        );
        let e = error_of(&format!(
            r#"{HEAD}"nodes":[{{"id":"f","kind":"lambda"}}],"faults":[{{"node":"f","at_s":1,"duration_s":1,"kind":"error_rate","probabilty":0.5}}]}}"#
        ));
        assert!(
            e.starts_with("faults[0]") && e.contains("probabilty"),
            "{e}"
        );
        let e = error_of(&format!(
            r#"{HEAD}"nodes":[{{"id":"f","kind":"lambda"}}],"faults":[{{"node":"f","at_s":1,"duration_s":1,"kind":"outage","ms":5}}]}}"#
        ));
        assert!(
            e.starts_with("faults[0]: an outage fault has no field `ms`"),
            "{e}"
        );
        let e = error_of(&format!(
            r#"{HEAD}"nodes":[{{"id":"f","kind":"lambda","position":{{"x":1,"y":2,"z":3}}}}]}}"#
        ));
        assert!(e.contains("nodes[0].position") && e.contains('z'), "{e}");
    }

    #[test]
    fn type_errors_inside_params_name_the_full_path() {
        let e = error_of(&format!(
            r#"{HEAD}"nodes":[{{"id":"c","kind":"client"}},{{"id":"f","kind":"lambda","params":{{"handler":[{{"sleep":{{"ms":1}}}},{{"call":{{"node":"q","times":2.5}}}}]}}}}]}}"#
        ));
        assert!(
            e.starts_with("nodes[1].params.handler[1].call.times:"),
            "{e}"
        );
        // The same when params come before the kind.
        let e = error_of(&format!(
            r#"{HEAD}"nodes":[{{"id":"f","params":{{"memory_mb":"big"}},"kind":"lambda"}}]}}"#
        ));
        assert!(e.starts_with("nodes[0].params.memory_mb:"), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_old_preset_names_still_read() {
        let json = format!(
            "\u{feff}{HEAD}\"nodes\":[{{\"id\":\"s\",\"kind\":\"service\",\"params\":{{\"preset\":\"secrets_manager2019\"}}}}]}}"
        );
        let s = Scenario::parse_json(&json).expect("parses");
        assert_eq!(
            s.nodes[0].kind,
            NodeKind::Service(ServiceParams {
                preset: ServicePreset::SecretsManager2019,
                ..ServiceParams::default()
            })
        );
        assert!(s.to_json().contains("\"secrets_manager_2019\""));
    }

    #[test]
    fn params_may_be_left_out() {
        let s = Scenario::parse_json(&format!(
            r#"{HEAD}"nodes":[{{"id":"f","kind":"lambda"}}]}}"#
        ))
        .expect("parses");
        assert_eq!(s.nodes[0].kind, NodeKind::Lambda(LambdaParams::default()));
    }
}
