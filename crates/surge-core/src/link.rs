//! Share links: a whole scenario in a URL fragment, never sent to a server.
//!
//! ```text
//!   #s1.<payload>&t=62&select=orders-fn&panel=charts&m=1&r=3fa9c2d1
//!    │   │         └ a moment (deep link), the model version and the author's report
//!    │   └ base64url(raw deflate(minimal JSON)), with the format's preset dictionary
//!    └ the link format: s1 is decoded by every later build, forever
//! ```
//!
//! Why a fragment: the browser never sends it to the server, so a scenario stays on the
//! machines of the people who share it, and any static host serves it. Why minimal JSON:
//! fields at their defaults and empty lists are left out (the reader puts them back), so a
//! link carries only what its author chose. Why a preset dictionary: short documents
//! compress badly because every key is seen for the first time; the dictionary (the
//! format's common keys and values, frozen for `s1`) is placed before the document in the
//! deflate window, and only the document's bytes travel (measured in BENCHMARKS.md).
//!
//! Safety: the link, the decoded bytes and the inflated document are capped before
//! anything is allocated for them; the document then goes through the strict reader and
//! its size caps like any file. A hostile link gives a sentence, never a panic or a hang.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::{ScenarioError, ScenarioErrors};
use crate::scenario::{NodeKind, Scenario};

/// The link format written by this build (decoders of every earlier one stay).
pub const LINK_FORMAT: &str = "s1";

/// Links longer than this are refused unread.
pub const MAX_LINK_CHARS: usize = 400_000;

/// A link's document may inflate to at most this many bytes.
pub const MAX_INFLATED_BYTES: usize = 4_000_000;

/// Chat tools and mail clients mangle links past about this many characters.
pub const CHAT_SAFE_CHARS: usize = 2_000;

/// The version of the engine's models: bumped whenever the same scenario and seed may give
/// a different report. A link records it, so an opener whose replay differs is told why.
pub const MODEL_VERSION: u32 = 5;

/// What changed in each model version (shown when a replay differs from its author's).
pub const MODEL_CHANGES: &[(u32, &str)] = &[
    (1, "the first released models"),
    (
        2,
        "every scenario ends: loops through queues, topics and buckets are stopped at their \
         17th invocation as AWS does, runs stop cleanly at the memory and progress guards, \
         and finished requests drop their timeout timers (event counts changed)",
    ),
    (
        3,
        "the resilience toolbox: reports gain each function's execution environments per \
         second and how long failed requests waited (digests of runs with functions or \
         failures changed; the simulation of a scenario without the new settings did not); \
         an idle environment is reclaimed at the instant its idle_reclaim_s ends, not at the \
         next whole second (runs with sub-minute idle_reclaim_s may differ)",
    ),
    (
        4,
        "an asynchronously invoked function whose handler fails because something it calls \
         is unavailable has a function error (retried twice, then sent to its on-failure \
         destination or lost), no longer an event put back as if Lambda itself were down \
         (runs with async invocations and an outage downstream differ; the golden lessons \
         did not)",
    ),
    (
        5,
        "a Kinesis batch holding a poison record is a function error (the invocation threw on \
         it), no longer a successful invocation whose batch failed: the function's errors, \
         its success share and the alarms on them count every retry of the blocked batch \
         (runs with poison faults differ: lesson 18's digest changed)",
    ),
];

/// The changes between the model version a link was made with and this build's.
pub fn model_changes_since(version: u32) -> Vec<&'static str> {
    MODEL_CHANGES
        .iter()
        .filter(|(v, _)| *v > version)
        .map(|(_, what)| *what)
        .collect()
}

/// The frozen dictionary of link format `s1`: every node kind's parameters at their
/// defaults (so their keys), state machine states, faults, edges and the envelope, most
/// common last (nearest the document, the cheapest distances). Generated once from the
/// format of 2026-12-01 and frozen: every `s1` link ever made refers into it. A better
/// one is a new link format (`s2`), with this one's decoder kept.
const DICTIONARY_S1: &str = concat!(
    r#"{"rate_per_s":100,"arrivals":"poisson","timeout_ms":30000,"retry":{"max_attempts":1,"backo"#,
    r#"ff":"none","base_ms":100,"cap_ms":20000},"payload_kb":1}{"flavour":"rest","timeout_ms":290"#,
    r#"00,"latency_ms":5,"max_payload_kb":10240}{"provisioned_concurrency":0,"memory_mb":1769,"th"#,
    r#"reads":1,"timeout_s":3,"runtime":"nodejs","init_ms":0,"handler":[{"compute":{"ms":100,"dis"#,
    r#"tribution":"fixed"}}],"idle_reclaim_s":2700,"async_max_retries":2,"async_max_event_age_s":"#,
    r#"21600,"recursive_loop":"terminate"}{"max_connections_percent":100,"borrow_timeout_s":120,""#,
    r#"pinned_fraction":0,"latency_ms":1}{"engine":"postgres","instance_class":"db.t3.medium","qu"#,
    r#"ery_ms":5,"connect_ms":30}{"preset":"third_party_api","sdk_max_attempts":3,"sdk_base_ms":1"#,
    r#"00}{"fifo":false,"message_groups":10,"fifo_high_throughput":false,"visibility_timeout_s":3"#,
    r#"0,"retention_s":345600,"delay_s":0,"latency_ms":10,"max_in_flight":120000}{"shards":4,"rec"#,
    r#"ord_kb":1,"partition_keys":1000,"hot_key_share":0,"retention_s":86400,"latency_ms":20,"rec"#,
    r#"ords_per_put":1}{"flavour":"standard","start_rate_per_s":300,"start_burst":1300,"definitio"#,
    r#"n":{"start_at":"Done","states":{"Done":{"type":"succeed"}}}}{"latency_ms":20}{"latency_ms""#,
    r#":20}{"every_s":60}{"mode":"on_demand","write_capacity":1000,"read_capacity":3000,"partitio"#,
    r#"ns":4,"hot_key_share":0,"read_share":0.5,"item_kb":1,"latency_ms":5,"sdk_max_attempts":3}{"#,
    r#""lambda_concurrency":1000,"unreserved_minimum":100,"scaling":"current","legacy_burst":3000"#,
    r#","api_gateway_rate_per_s":10000,"api_gateway_burst":5000,"step_functions_transition_rate_p"#,
    r#"er_s":1500,"step_functions_transition_burst":5000}{"batch_size":10,"batching_window_s":0,""#,
    r#"scaling":"standard","report_batch_item_failures":false,"backlog":{"order":"fifo"}}{"batch_"#,
    r#"size":100,"parallelization_factor":1,"bisect_batch_on_error":false,"poll_interval_s":1,"en"#,
    r#"hanced_fan_out":false}{"type":"task","resource":"","retry":[{"error_equals":["States.ALL"]"#,
    r#","interval_seconds":1,"max_attempts":3,"backoff_rate":2,"jitter_strategy":"FULL"}],"catch""#,
    r#":[{"error_equals":["States.ALL"],"next":""}],"next":""}{"type":"choice","choices":[{"proba"#,
    r#"bility":0.5,"next":""}],"default":""}{"type":"wait","seconds":1,"next":""}{"type":"paralle"#,
    r#"l","branches":[{"start_at":"","states":{}}],"next":""}{"type":"map","items":10,"max_concur"#,
    r#"rency":0,"iterator":{"start_at":"","states":{}},"next":""}{"type":"fail","error":""}"fault"#,
    r#"s":[{"node":"","at_s":0,"duration_s":10,"kind":"outage"},{"kind":"failover"},{"kind":"pois"#,
    r#"on"},{"kind":"added_latency","ms":100},{"kind":"error_rate","probability":0.5},{"kind":"sp"#,
    r#"ike","rate_per_s":100}]"invocation":"async","esm":{"batch_size":10,"maximum_concurrency":1"#,
    r#"0,"schedule":{"every_s":60,"messages_per_run":100}},"stream":{"batch_size":100,"paralleliz"#,
    r#"ation_factor":1}"schedule":[{"at_s":60,"rate_per_s":1000,"ramp_s":60}],"arrivals":"constan"#,
    r#"t","retry":{"max_attempts":3,"backoff":"exponential"}"handler":[{"compute":{"ms":100,"dist"#,
    r#"ribution":"exponential"}},{"sleep":{"ms":100}},{"call":{"node":"","times":1}}],"init_steps"#,
    r#"":[],"reserved_concurrency":100,"on_failure":"","dead_letter_queue":"","max_receive_count""#,
    r#":5,"process_new":{"source":"","max_records":100}"series":"per_second",{"format":"surge-sce"#,
    r#"nario","version":3,"seed":1,"duration_s":60,"account":{"lambda_concurrency":1000},"nodes":"#,
    r#"[{"id":"","name":"","params":{"rate_per_s":100},"kind":"client","position":{"x":0,"y":0}},"#,
    r#"{"id":"api","kind":"api_gateway"},{"id":"fn","kind":"lambda"},{"id":"queue","kind":"sqs"},"#,
    r#"{"id":"db","kind":"rds"},{"id":"proxy","kind":"rds_proxy"},{"id":"table","kind":"dynamodb""#,
    r#"},{"id":"stream","kind":"kinesis"},{"id":"topic","kind":"sns"},{"id":"bucket","kind":"s3"}"#,
    r#",{"id":"schedule","kind":"schedule"},{"id":"workflow","kind":"step_functions"},{"id":"serv"#,
    r#"ice","kind":"service"}],"edges":[{"from":"","to":""}]}"#,
);

/// Where a link points beyond its scenario: a moment, a selection, a panel, and what its
/// author saw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkExtras {
    /// Open paused at this simulated second.
    pub at_s: Option<f64>,
    /// Select this node.
    pub select: Option<String>,
    /// Open this panel (`inspector`, `faults`, `run`, `charts`).
    pub panel: Option<String>,
    /// The first 8 hex digits of the author's report digest.
    pub report: Option<String>,
    /// The model version the link was made with.
    pub model: Option<u32>,
}

/// A decoded link.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The scenario.
    pub scenario: Scenario,
    /// Everything else the link says.
    pub extras: LinkExtras,
}

fn refused(reason: impl Into<String>) -> ScenarioErrors {
    ScenarioErrors::one(ScenarioError::new("link", reason.into()))
}

/// The scenario as minimal JSON: fields at their defaults left out (the reader restores
/// them), parameters compared with the kind's defaults, positions as whole pixels.
pub fn minimal_json(scenario: &Scenario) -> String {
    let mut v = serde_json::to_value(scenario).unwrap_or(Value::Null);
    if let Value::Object(top) = &mut v {
        if top.get("seed") == Some(&Value::from(crate::scenario::DEFAULT_SEED)) {
            top.shift_remove("seed");
        }
        let account =
            serde_json::to_value(crate::scenario::Account::default()).unwrap_or(Value::Null);
        if let Some(a) = top.get_mut("account") {
            prune(a, &account);
            if a.as_object().is_some_and(Map::is_empty) {
                top.shift_remove("account");
            }
        }
        if top
            .get("edges")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            top.shift_remove("edges");
        }
        for node in top
            .get_mut("nodes")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            minimal_node(node);
        }
    }
    whole_numbers(&mut v);
    v.to_string()
}

/// Writes whole floats as integers (`90` for `90.0`): the reader takes either for a float.
fn whole_numbers(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 9e15) {
                *v = Value::from(x as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

fn minimal_node(node: &mut Value) {
    let Value::Object(n) = node else { return };
    if let Some(Value::Object(p)) = n.get_mut("position") {
        for c in p.values_mut() {
            if let Some(x) = c.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 1e15) {
                *c = Value::from(x as i64);
            }
        }
        if p.values().all(|c| c.as_f64() == Some(0.0)) {
            n.shift_remove("position");
        }
    }
    let tag = n.get("kind").and_then(Value::as_str).unwrap_or_default();
    let defaults = NodeKind::with_defaults(tag)
        .and_then(|k| {
            serde_json::to_value(crate::scenario::Node {
                id: String::new(),
                name: String::new(),
                position: crate::scenario::Position::default(),
                kind: k,
            })
            .ok()
        })
        .and_then(|v| v.get("params").cloned())
        .unwrap_or(Value::Null);
    if let Some(p) = n.get_mut("params") {
        prune(p, &defaults);
        if p.as_object().is_some_and(Map::is_empty) {
            n.shift_remove("params");
        }
    }
}

/// Removes from `value` the keys whose values equal `defaults`' (one level: a nested
/// object that differs anywhere is kept whole).
fn prune(value: &mut Value, defaults: &Value) {
    let (Value::Object(v), Value::Object(d)) = (value, defaults) else {
        return;
    };
    v.retain(|k, x| d.get(k) != Some(x));
}

/// Characters of a link made of `json` without the preset dictionary (for the comparison
/// in BENCHMARKS.md).
#[doc(hidden)]
pub fn plain_size(json: &str) -> usize {
    3 + URL_SAFE_NO_PAD
        .encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10))
        .len()
}

/// Raw deflate of `data` with `dictionary` in the window before it; only `data`'s bits.
fn deflate_with(dictionary: &[u8], data: &[u8]) -> Vec<u8> {
    use miniz_oxide::deflate::core::{
        CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
    };
    let flags = create_comp_flags_from_zip_params(10, -15, 0);
    let mut c = CompressorOxide::new(flags);
    let mut out = vec![0u8; (dictionary.len() + data.len()) * 2 + 1024];
    let (status, _, prefix) = compress(&mut c, dictionary, &mut out, TDEFLFlush::Sync);
    debug_assert_eq!(status, TDEFLStatus::Okay);
    let (status, _, written) = compress(&mut c, data, &mut out[prefix..], TDEFLFlush::Finish);
    debug_assert_eq!(status, TDEFLStatus::Done);
    out[prefix..prefix + written].to_vec()
}

/// Inflates `payload`, which was compressed after `dictionary`, to at most `limit` bytes.
fn inflate_with(dictionary: &[u8], payload: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    // The dictionary as stored (uncompressed) deflate blocks, then the payload: the
    // decoder's window holds the dictionary, exactly as the encoder's did.
    let mut stream = Vec::with_capacity(dictionary.len() + payload.len() + 16);
    for chunk in dictionary.chunks(65_535) {
        let len = chunk.len() as u16;
        stream.push(0); // BFINAL = 0, BTYPE = 00 (stored), padded to the byte
        stream.extend_from_slice(&len.to_le_bytes());
        stream.extend_from_slice(&(!len).to_le_bytes());
        stream.extend_from_slice(chunk);
    }
    stream.extend_from_slice(payload);
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(&stream, dictionary.len() + limit)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                format!("it inflates past {} MB", limit / 1_000_000)
            }
            _ => "its data does not inflate (was it cut short?)".to_owned(),
        })?;
    if out.get(..dictionary.len()) != Some(dictionary) {
        return Err("its data does not start from the dictionary".into());
    }
    Ok(out[dictionary.len()..].to_vec())
}

/// The link fragment (without `#`) for `scenario` and `extras`.
pub fn encode(scenario: &Scenario, extras: &LinkExtras) -> String {
    let json = minimal_json(scenario);
    let packed = deflate_with(DICTIONARY_S1.as_bytes(), json.as_bytes());
    let mut out = format!("{LINK_FORMAT}.{}", URL_SAFE_NO_PAD.encode(packed));
    let mut param = |key: &str, value: &str| {
        out.push('&');
        out.push_str(key);
        out.push('=');
        out.push_str(&percent_encode(value));
    };
    if let Some(t) = extras.at_s {
        param("t", &format_seconds(t));
    }
    if let Some(id) = &extras.select {
        param("select", id);
    }
    if let Some(panel) = &extras.panel {
        param("panel", panel);
    }
    if let Some(m) = extras.model {
        param("m", &m.to_string());
    }
    if let Some(r) = &extras.report {
        param("r", r);
    }
    out
}

/// A whole link: `base` (the page's address; any fragment of it is dropped) and the
/// fragment.
pub fn link(base: &str, scenario: &Scenario, extras: &LinkExtras) -> String {
    let base = base.split('#').next().unwrap_or_default();
    format!("{base}#{}", encode(scenario, extras))
}

fn format_seconds(t: f64) -> String {
    if t.fract() == 0.0 && t.abs() < 1e15 {
        format!("{}", t as i64)
    } else {
        format!("{t}")
    }
}

/// Decodes a link (a whole URL, or its fragment with or without `#`).
pub fn decode(text: &str) -> Result<Link, ScenarioErrors> {
    if text.len() > MAX_LINK_CHARS {
        return Err(refused(format!(
            "the link is {} characters; Surge reads links of at most {MAX_LINK_CHARS}",
            text.len()
        )));
    }
    let fragment = text.split_once('#').map_or(text, |(_, f)| f);
    let mut parts = fragment.split('&');
    let head = parts.next().unwrap_or_default();
    let Some((format, payload)) = head.split_once('.') else {
        return Err(refused(
            "this is not a Surge link (it has no scenario after `#`)",
        ));
    };
    let dictionary = match format {
        "s1" => DICTIONARY_S1.as_bytes(),
        other => {
            return Err(refused(format!(
                "link format `{}` is not one this build reads (it reads s1): made by a newer Surge?",
                printable(other)
            )));
        }
    };
    let packed = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| {
            refused("the link is damaged: its scenario is not base64url text (was it cut short?)")
        })?;
    let bytes = inflate_with(dictionary, &packed, MAX_INFLATED_BYTES)
        .map_err(|why| refused(format!("the link is damaged: {why}")))?;
    let json = String::from_utf8(bytes)
        .map_err(|_| refused("the link is damaged: its scenario is not text"))?;
    let scenario = Scenario::parse_json(&json)?;
    let mut extras = LinkExtras::default();
    for part in parts {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let value = percent_decode(value);
        match key {
            "t" => {
                extras.at_s = value
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t >= 0.0);
            }
            "select" => extras.select = Some(value),
            "panel" => extras.panel = Some(value),
            "m" => extras.model = value.parse().ok(),
            "r" => {
                extras.report = Some(value)
                    .filter(|r| r.len() <= 16 && r.chars().all(|c| c.is_ascii_hexdigit()));
            }
            // Unknown keys are for later builds: ignored, never an error.
            _ => {}
        }
    }
    Ok(Link { scenario, extras })
}

/// The format tag of an exercise link: `#x1.<exercise>` and, when a student shares their
/// work, `&s=<solution>` (both deflated with the scenario dictionary, base64url).
pub const EXERCISE_LINK_FORMAT: &str = "x1";

/// An exercise link's content.
#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseLink {
    /// The exercise.
    pub exercise: crate::exercise::Exercise,
    /// A student's solution, if the link carries one.
    pub solution: Option<Scenario>,
}

/// The fragment (without `#`) of an exercise, and of a solution with it.
pub fn encode_exercise(
    exercise: &crate::exercise::Exercise,
    solution: Option<&Scenario>,
) -> String {
    let json = serde_json::to_string(exercise).unwrap_or_default();
    let pack = |text: &str| {
        URL_SAFE_NO_PAD.encode(deflate_with(DICTIONARY_S1.as_bytes(), text.as_bytes()))
    };
    let mut out = format!("{EXERCISE_LINK_FORMAT}.{}", pack(&json));
    if let Some(s) = solution {
        out.push_str("&s=");
        out.push_str(&pack(&minimal_json(s)));
    }
    out
}

/// Whether a link (or fragment) is an exercise link.
pub fn is_exercise_link(text: &str) -> bool {
    let fragment = text.split_once('#').map_or(text, |(_, f)| f);
    fragment.starts_with("x1.")
}

/// Decodes an exercise link (a whole URL, or its fragment).
pub fn decode_exercise(text: &str) -> Result<ExerciseLink, String> {
    if text.len() > MAX_LINK_CHARS {
        return Err(format!(
            "the link is {} characters; Surge reads links of at most {MAX_LINK_CHARS}",
            text.len()
        ));
    }
    let fragment = text.split_once('#').map_or(text, |(_, f)| f);
    let mut parts = fragment.split('&');
    let head = parts.next().unwrap_or_default();
    let payload = head
        .strip_prefix("x1.")
        .ok_or("this is not a Surge exercise link")?;
    let unpack = |payload: &str, what: &str| -> Result<String, String> {
        let packed = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| format!("the link is damaged: its {what} is not base64url text"))?;
        let bytes = inflate_with(DICTIONARY_S1.as_bytes(), &packed, MAX_INFLATED_BYTES)
            .map_err(|why| format!("the link is damaged: {why}"))?;
        String::from_utf8(bytes).map_err(|_| format!("the link is damaged: its {what} is not text"))
    };
    let exercise = crate::exercise::Exercise::from_json(&unpack(payload, "exercise")?)?;
    let mut solution = None;
    for part in parts {
        if let Some(p) = part.strip_prefix("s=") {
            let json = unpack(p, "solution")?;
            solution = Some(Scenario::parse_json(&json).map_err(|e| e.to_string())?);
        }
    }
    Ok(ExerciseLink { exercise, solution })
}

/// Percent-encodes what a fragment or query parameter must not contain.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~:/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads `%XX` escapes (a malformed one is kept as it is).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A short excerpt safe to show in a message.
fn printable(s: &str) -> String {
    s.chars().take(12).filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_and_its_moment_round_trip() {
        let s = Scenario::client_to_function(50.0, 10, 100.0, 60.0, 7);
        let extras = LinkExtras {
            at_s: Some(62.0),
            select: Some("a fn & co=1".into()),
            panel: Some("charts".into()),
            report: Some("3fa9c2d1".into()),
            model: Some(MODEL_VERSION),
        };
        let link = link("https://example.org/surge/?x=1#old", &s, &extras);
        assert!(
            link.starts_with("https://example.org/surge/?x=1#s1."),
            "{link}"
        );
        let back = decode(&link).expect("decodes");
        assert_eq!(back.scenario, s);
        assert_eq!(back.extras, extras);
    }

    #[test]
    fn minimal_json_leaves_defaults_out() {
        let s = Scenario::client_to_function(50.0, 10, 100.0, 60.0, 1);
        let json = minimal_json(&s);
        assert!(!json.contains("\"seed\""), "{json}");
        assert!(
            !json.contains("\"account\"") || json.contains("lambda_concurrency"),
            "{json}"
        );
        assert!(
            !json.contains("memory_mb"),
            "the default memory is left out: {json}"
        );
        assert_eq!(Scenario::parse_json(&json).expect("reads back"), s);
    }

    #[test]
    fn damaged_links_say_why() {
        let s = Scenario::client_to_function(50.0, 10, 100.0, 60.0, 7);
        let good = encode(&s, &LinkExtras::default());
        let cases = [
            ("", "not a Surge link"),
            ("s9.AAAA", "not one this build reads"),
            ("s1.***", "not base64url"),
            (&good[..good.len() / 2], "damaged"),
            ("s1.AAAA", "damaged"),
        ];
        for (text, want) in cases {
            let e = decode(text).expect_err(text).to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        let long = "s1.".to_owned() + &"A".repeat(MAX_LINK_CHARS);
        assert!(
            decode(&long)
                .expect_err("long")
                .to_string()
                .contains("at most")
        );
    }

    #[test]
    fn a_link_that_inflates_too_far_is_refused_without_inflating_it() {
        // 100 MB of spaces compresses to ~100 KB.
        let huge = vec![b' '; 100_000_000];
        let packed = deflate_with(DICTIONARY_S1.as_bytes(), &huge);
        let link = format!("s1.{}", URL_SAFE_NO_PAD.encode(packed));
        let e = decode(&link).expect_err("refused").to_string();
        assert!(e.contains("inflates past 4 MB"), "{e}");
    }

    #[test]
    fn the_dictionary_is_frozen() {
        // Changing the dictionary breaks every s1 link ever made: make a new format.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in DICTIONARY_S1.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        assert_eq!(format!("{h:016x}"), "b8db0c2e681c6a9e");
    }

    #[test]
    fn exercise_links_carry_the_exercise_and_a_solution() {
        let start = Scenario::client_to_function(5.0, 10, 100.0, 20.0, 1);
        let json = serde_json::json!({
            "format": "surge-exercise", "version": 1, "id": "x", "title": "T", "story": "S",
            "start": serde_json::from_str::<serde_json::Value>(&start.to_json()).expect("json"),
            "goals": [{"metric": "success_pct", "min": 99}], "seeds": [1, 2, 3]
        });
        let e = crate::exercise::Exercise::from_json(&json.to_string()).expect("exercise");
        let text = encode_exercise(&e, None);
        assert!(is_exercise_link(&format!("https://h/#{text}")) && !is_exercise_link("s1.abc"));
        let back = decode_exercise(&format!("https://h/#{text}")).expect("decodes");
        assert_eq!((back.exercise, back.solution), (e.clone(), None));
        let mut solution = start.clone();
        solution.duration_s = 30.0;
        let back = decode_exercise(&encode_exercise(&e, Some(&solution))).expect("decodes");
        assert_eq!(back.solution, Some(solution));
        for (bad, why) in [
            ("x1.***", "base64url"),
            ("x1.AAAA", "damaged"),
            ("s1.AAAA", "not a Surge exercise"),
        ] {
            let err = decode_exercise(bad).expect_err("refused");
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
