//! The embed's message API: what a host page may ask of an embedded Surge through
//! `postMessage`, and what the embed tells it (documented in `docs/embed.md`).
//!
//! Why its own small protocol: the host speaks to the page, not to the worker, and asks
//! for page-level things (load a link, seek, inject a fault on a node). It follows the
//! worker protocol's rules: JSON objects with a version `v` and a `type`, refused with a
//! reason when they do not parse, never evaluated. reveal.js's plain-string messages
//! `slide:start` and `slide:stop` are read too, so a slide plays and pauses its embed.

use serde::{Deserialize, Serialize};
use surge_core::Fault;

/// The version of this API; a message of another version is refused.
pub const EMBED_API_VERSION: u32 = 1;

/// What the host asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HostMessage {
    /// Load a scenario: its JSON (the file format) or a share link.
    Load {
        /// The scenario as JSON text, or a JSON object.
        #[serde(default)]
        scenario: Option<serde_json::Value>,
        /// A share link (a whole URL or its fragment).
        #[serde(default)]
        link: Option<String>,
    },
    /// Play.
    Play {},
    /// Pause.
    Pause {},
    /// Stop, paused, at a simulated second.
    Seek {
        /// The second.
        t: f64,
    },
    /// Simulated seconds per second (or `"max"`).
    SetSpeed {
        /// The speed.
        speed: serde_json::Value,
    },
    /// Start a fault now on a node, for a while.
    Inject {
        /// The node.
        node: String,
        /// `outage`, `added_latency`, `error_rate`, `failover`, `poison` or `spike`.
        kind: String,
        /// How long, in seconds.
        duration_s: f64,
        /// The kind's figure: `ms`, `probability` or `rate_per_s`.
        #[serde(default)]
        value: Option<f64>,
    },
    /// Send the report of the run so far.
    GetReport {},
    /// Start receiving events (any message does; this one asks for nothing else and is
    /// answered with `ready`).
    Hello {},
    /// reveal.js showed the slide (plays when autoplay is on).
    SlideStart,
    /// reveal.js left the slide (pauses).
    SlideStop,
}

/// The headline numbers sent with `time` and `finished`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Requests so far.
    pub requests: u64,
    /// Requests that succeeded.
    pub succeeded: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Share of requests that succeeded, in percent.
    pub success_pct: f64,
    /// Cost so far, in US dollars.
    pub cost_usd: f64,
}

/// What the embed tells its host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EmbedMessage {
    /// The embed is listening.
    Ready {
        /// [`EMBED_API_VERSION`].
        api: u32,
    },
    /// A scenario is loaded.
    Loaded {
        /// Its duration, in simulated seconds.
        duration_s: f64,
        /// Its nodes' ids.
        nodes: Vec<String>,
    },
    /// The playhead moved (at most 4 times a second).
    Time {
        /// Simulated seconds.
        t: f64,
        /// The headline numbers at `t`.
        kpis: Kpis,
    },
    /// The run ended.
    Finished {
        /// The headline numbers.
        kpis: Kpis,
        /// The report's digest (equal digests, identical reports).
        digest: String,
    },
    /// The report, on `getReport`.
    Report {
        /// The report as the CLI's `--json` writes it (JSON text: parse it with
        /// `JSON.parse`).
        report: String,
    },
    /// Something was refused or failed.
    Error {
        /// Why, in words.
        message: String,
    },
    /// The content's height changed (for the host to size the iframe).
    Resize {
        /// CSS pixels.
        height: f64,
    },
}

/// Reads a message from the host: a JSON object `{"v": 1, "type": …, …}` or one of
/// reveal.js's strings. `None` for messages that are not for Surge (other libraries post
/// to every frame); `Some(Err)` for Surge messages that cannot be read.
pub fn decode(data: &str) -> Option<Result<HostMessage, String>> {
    match data {
        "slide:start" => return Some(Ok(HostMessage::SlideStart)),
        "slide:stop" => return Some(Ok(HostMessage::SlideStop)),
        _ => {}
    }
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    // reveal.js also posts JSON with `eventName`.
    if let Some(name) = value.get("eventName").and_then(serde_json::Value::as_str) {
        return match name {
            "slide:start" => Some(Ok(HostMessage::SlideStart)),
            "slide:stop" => Some(Ok(HostMessage::SlideStop)),
            _ => None,
        };
    }
    let serde_json::Value::Object(mut fields) = value else {
        return None;
    };
    if fields.get("surge").and_then(serde_json::Value::as_str) != Some("embed") {
        return None;
    }
    fields.remove("surge");
    match fields
        .remove("v")
        .as_ref()
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(EMBED_API_VERSION) => {}
        Some(v) => {
            return Some(Err(format!(
                "embed API version {v} is not supported (this Surge speaks {EMBED_API_VERSION})"
            )));
        }
        None => return Some(Err("a message without a version (`v`)".into())),
    }
    Some(crate::run::protocol::unflat(fields))
}

/// Writes a message for the host: `{"surge": "embed", "v": 1, "type": …, …}`.
pub fn encode(message: &EmbedMessage) -> String {
    let mut head = serde_json::Map::new();
    head.insert("surge".into(), "embed".into());
    head.insert("v".into(), EMBED_API_VERSION.into());
    crate::run::protocol::flat(head, message)
}

/// The fault a host's `inject` asks for, or why it cannot be one.
pub fn fault(node: &str, kind: &str, duration_s: f64, value: Option<f64>) -> Result<Fault, String> {
    use surge_core::FaultKind;
    let need = |what: &str| value.ok_or_else(|| format!("a `{kind}` fault needs `value` ({what})"));
    let kind = match kind {
        "outage" => FaultKind::Outage,
        "failover" => FaultKind::Failover,
        "poison" => FaultKind::Poison,
        "added_latency" => FaultKind::AddedLatency { ms: need("ms")? },
        "error_rate" => FaultKind::ErrorRate {
            probability: need("probability")?,
        },
        "spike" => FaultKind::Spike {
            rate_per_s: need("rate_per_s")?,
        },
        other => return Err(format!("no fault kind `{other}`")),
    };
    if !(duration_s.is_finite() && duration_s > 0.0) {
        return Err("`duration_s` must be a positive number of seconds".into());
    }
    Ok(Fault {
        node: node.to_owned(),
        at_s: 0.0,
        duration_s,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::tests::{code_spans, docs_table};

    #[test]
    fn every_host_message_in_the_docs_is_read() {
        let rows = docs_table("### Host → embed");
        assert_eq!(rows.len(), 8, "{rows:?}");
        // Every field the docs name, with a value of its kind.
        let fields = r#""scenario":{"format":"surge-scenario","version":2,"duration_s":1,"nodes":[],"edges":[]},"t":3,"speed":"max","node":"db","kind":"outage","duration_s":5"#;
        for row in rows {
            let kind = code_spans(&row[0]).remove(0);
            let m = decode(&format!(
                r#"{{"surge":"embed","v":1,"type":"{kind}",{fields}}}"#
            ));
            assert!(matches!(m, Some(Ok(_))), "`{kind}` in docs/embed.md: {m:?}");
        }
    }

    #[test]
    fn every_embed_message_is_in_the_docs_with_its_fields() {
        let rows = docs_table("### Embed → host");
        let kpis = Kpis::default();
        let all = [
            EmbedMessage::Ready { api: 1 },
            EmbedMessage::Loaded {
                duration_s: 1.0,
                nodes: vec![],
            },
            EmbedMessage::Time {
                t: 1.0,
                kpis: kpis.clone(),
            },
            EmbedMessage::Finished {
                kpis,
                digest: String::new(),
            },
            EmbedMessage::Report {
                report: String::new(),
            },
            EmbedMessage::Error {
                message: String::new(),
            },
            EmbedMessage::Resize { height: 1.0 },
        ];
        assert_eq!(rows.len(), all.len(), "{rows:?}");
        for m in &all {
            let value: serde_json::Value = serde_json::from_str(&encode(m)).expect("json");
            let kind = value["type"].as_str().expect("type").to_owned();
            let row = rows
                .iter()
                .find(|r| code_spans(&r[0]) == [kind.clone()])
                .unwrap_or_else(|| panic!("`{kind}` is missing from docs/embed.md"));
            let documented = code_spans(&row[1]);
            for key in value.as_object().expect("object").keys() {
                if !["surge", "v", "type"].contains(&key.as_str()) {
                    assert!(
                        documented.contains(key),
                        "`{kind}`: field `{key}` undocumented"
                    );
                }
            }
        }
    }

    #[test]
    fn host_messages_are_read_with_their_version() {
        let m = decode(r#"{"surge":"embed","v":1,"type":"seek","t":62}"#);
        assert_eq!(m, Some(Ok(HostMessage::Seek { t: 62.0 })));
        let m = decode(
            r#"{"surge":"embed","v":1,"type":"inject","node":"db","kind":"outage","duration_s":10}"#,
        );
        assert!(matches!(m, Some(Ok(HostMessage::Inject { .. }))), "{m:?}");
        let m = decode(r#"{"surge":"embed","v":1,"type":"load","link":"s1.abc"}"#);
        assert!(
            matches!(m, Some(Ok(HostMessage::Load { link: Some(_), .. }))),
            "{m:?}"
        );
        assert_eq!(decode("slide:start"), Some(Ok(HostMessage::SlideStart)));
        assert_eq!(
            decode(r#"{"namespace":"reveal","eventName":"slide:stop"}"#),
            Some(Ok(HostMessage::SlideStop))
        );
    }

    #[test]
    fn other_libraries_messages_are_ignored_and_bad_ones_refused() {
        assert_eq!(decode(r#"{"type":"play"}"#), None, "not addressed to Surge");
        assert_eq!(decode("hello"), None);
        let e = decode(r#"{"surge":"embed","v":9,"type":"play"}"#).expect("ours");
        assert!(e.expect_err("v9").contains("version 9"));
        let e = decode(r#"{"surge":"embed","v":1,"type":"explode"}"#).expect("ours");
        assert!(e.expect_err("unknown").contains("explode"));
        let e = decode(r#"{"surge":"embed","v":1,"type":"seek","t":"soon"}"#).expect("ours");
        assert!(e.is_err());
    }

    #[test]
    fn embed_messages_are_flat_and_versioned() {
        let text = encode(&EmbedMessage::Resize { height: 480.0 });
        assert_eq!(
            text,
            r#"{"surge":"embed","v":1,"type":"resize","height":480.0}"#
        );
    }

    #[test]
    fn a_hosts_fault_needs_its_figure() {
        assert!(fault("db", "outage", 10.0, None).is_ok());
        assert!(fault("db", "error_rate", 10.0, None).is_err());
        assert!(fault("db", "error_rate", 10.0, Some(0.5)).is_ok());
        assert!(fault("db", "meteor", 10.0, None).is_err());
        assert!(fault("db", "outage", f64::NAN, None).is_err());
    }
}
