//! The inspector's knowledge of parameters, read from the scenario's JSON Schema.
//!
//! Why the schema: it is generated from the core's types and their doc comments
//! (`docs/scenario.schema.json`, kept fresh by a core test), so every parameter the engine
//! reads appears in the inspector with the engine's own one-line explanation, and a new
//! parameter needs no UI work. Units come from the field-name suffix (`_ms`, `_s`, `_mb`,
//! `_per_s`…), allowed ranges from the schema's bounds (the core's bound tables, which
//! validation enforces), and validity from the core's validation, so nothing here
//! duplicates a rule.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The schema, minified by `build.rs`.
static SCHEMA_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/scenario.schema.min.json"));

fn schema() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(SCHEMA_JSON).unwrap_or(Value::Null))
}

fn def(name: &str) -> Option<&'static Value> {
    schema().get("$defs")?.get(name)
}

fn resolve(v: &'static Value) -> &'static Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => r.strip_prefix("#/$defs/").and_then(def).map_or(v, resolve),
        None => v,
    }
}

/// One choice of an enumerated field.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// The JSON value (a string).
    pub value: String,
    /// Its explanation.
    pub doc: String,
}

/// What kind of input a field needs.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    /// A number; `integer` refuses fractions.
    Number {
        /// Whole numbers only.
        integer: bool,
    },
    /// On or off.
    Bool,
    /// Free text (an id).
    Text,
    /// One of several strings.
    Choice(Vec<Choice>),
    /// A nested group of fields.
    Group(Vec<FieldSpec>),
    /// Anything else (lists of steps, state maps): edited as JSON.
    Json,
}

/// One parameter as the inspector shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    /// JSON property name.
    pub name: String,
    /// Human label.
    pub title: String,
    /// One-line explanation from the core's documentation.
    pub doc: String,
    /// Unit shown beside the input.
    pub unit: &'static str,
    /// Allowed range as the documentation states it, if it does.
    pub range: Option<String>,
    /// The input.
    pub kind: FieldKind,
    /// Whether the field may be left empty (`null`: off, or the engine's choice).
    pub nullable: bool,
}

/// The fields of a node kind's `params`, or an empty list for an unknown kind.
pub fn params_fields(kind_tag: &str) -> Vec<FieldSpec> {
    let Some(variants) = def("Node")
        .and_then(|n| n.get("oneOf"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    variants
        .iter()
        .find(|v| v.pointer("/properties/kind/const").and_then(Value::as_str) == Some(kind_tag))
        .and_then(|v| v.pointer("/properties/params"))
        .map(|p| object_fields(resolve(p)))
        .unwrap_or_default()
}

/// The fields of a named definition (`EventSourceMapping`, `StreamMapping`, `Account`).
pub fn def_fields(name: &str) -> Vec<FieldSpec> {
    def(name).map(object_fields).unwrap_or_default()
}

/// The documentation of a node kind (the variant's doc comment).
pub fn kind_doc(kind_tag: &str) -> String {
    def("Node")
        .and_then(|n| n.get("oneOf"))
        .and_then(Value::as_array)
        .and_then(|vs| {
            vs.iter().find(|v| {
                v.pointer("/properties/kind/const").and_then(Value::as_str) == Some(kind_tag)
            })
        })
        .and_then(|v| v.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn object_fields(obj: &'static Value) -> Vec<FieldSpec> {
    let Some(props) = obj.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props.iter().map(|(name, p)| field(name, p)).collect()
}

fn field(name: &str, p: &'static Value) -> FieldSpec {
    let doc = p
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .replace('\n', " ");
    let (kind, nullable) = kind_of(p);
    let (title, unit) = title_and_unit(name);
    FieldSpec {
        name: name.to_owned(),
        title,
        range: range_of(p),
        doc,
        unit,
        kind,
        nullable,
    }
}

fn kind_of(p: &'static Value) -> (FieldKind, bool) {
    if let Some(any) = p.get("anyOf").and_then(Value::as_array) {
        let nullable = any
            .iter()
            .any(|v| v.get("type") == Some(&Value::from("null")));
        if let Some(inner) = any
            .iter()
            .find(|v| v.get("type") != Some(&Value::from("null")))
        {
            return (kind_of(inner).0, nullable);
        }
    }
    let p = resolve(p);
    if let Some(variants) = p.get("oneOf").and_then(Value::as_array) {
        let choices: Option<Vec<Choice>> = variants
            .iter()
            .map(|v| {
                Some(Choice {
                    value: v.get("const")?.as_str()?.to_owned(),
                    doc: v
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .replace('\n', " "),
                })
            })
            .collect();
        return (choices.map_or(FieldKind::Json, FieldKind::Choice), false);
    }
    if let Some(values) = p.get("enum").and_then(Value::as_array) {
        let choices = values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| Choice {
                value: v.to_owned(),
                doc: String::new(),
            })
            .collect();
        return (FieldKind::Choice(choices), false);
    }
    let (ty, nullable) = match p.get("type") {
        Some(Value::String(t)) => (t.as_str(), false),
        Some(Value::Array(ts)) => (
            ts.iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            ts.iter().any(|t| t == "null"),
        ),
        _ => ("", false),
    };
    let kind = match ty {
        "number" => FieldKind::Number { integer: false },
        "integer" => FieldKind::Number { integer: true },
        "boolean" => FieldKind::Bool,
        "string" => FieldKind::Text,
        "object" if p.get("properties").is_some() => FieldKind::Group(object_fields(p)),
        _ => FieldKind::Json,
    };
    (kind, nullable)
}

/// "async_max_event_age_s" → ("Async max event age", "s").
pub fn title_and_unit(name: &str) -> (String, &'static str) {
    const SUFFIXES: [(&str, &str); 9] = [
        ("_per_s", "/s"),
        ("_ms", "ms"),
        ("_s", "s"),
        ("_mb", "MB"),
        ("_kb", "KB"),
        ("_gb", "GB"),
        ("_pct", "%"),
        ("_percent", "%"),
        ("_usd", "$"),
    ];
    let (stem, unit) = SUFFIXES
        .iter()
        .find_map(|(s, u)| name.strip_suffix(s).map(|stem| (stem, *u)))
        .unwrap_or((name, ""));
    let words = aws_words(&stem.replace('_', " "));
    let mut chars = words.chars();
    let title = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    (title, unit)
}

/// Words as AWS writes them: acronyms in capitals and service names as named
/// ("api gateway rate" → "API Gateway rate", "fifo high throughput" → "FIFO high
/// throughput").
fn aws_words(words: &str) -> String {
    const WORDS: [(&str, &str); 14] = [
        ("api", "API"),
        ("fifo", "FIFO"),
        ("sqs", "SQS"),
        ("sns", "SNS"),
        ("dlq", "DLQ"),
        ("rds", "RDS"),
        ("esm", "ESM"),
        ("ttl", "TTL"),
        ("id", "ID"),
        ("ids", "IDs"),
        ("http", "HTTP"),
        ("url", "URL"),
        ("db", "DB"),
        ("dynamodb", "DynamoDB"),
    ];
    const PHRASES: [(&str, &str); 4] = [
        ("API gateway", "API Gateway"),
        ("step functions", "Step Functions"),
        ("dead letter", "dead-letter"),
        ("on failure", "on-failure"),
    ];
    let mut out = words
        .split(' ')
        .map(|w| {
            WORDS
                .iter()
                .find(|(from, _)| *from == w)
                .map_or(w, |(_, to)| to)
        })
        .collect::<Vec<_>>()
        .join(" ");
    for (from, to) in PHRASES {
        out = out.replace(from, to);
    }
    out
}

/// The allowed range the schema carries (`minimum`, `exclusiveMinimum`, `maximum`:
/// written from the core's bound tables, the same numbers validation enforces).
pub fn range_of(p: &Value) -> Option<String> {
    // A nullable field keeps its bounds beside its type, or in the non-null branch.
    let inner = p.get("anyOf").and_then(Value::as_array).and_then(|any| {
        any.iter()
            .find(|v| v.get("type") != Some(&Value::from("null")))
    });
    let holder = if p.get("maximum").is_some() {
        p
    } else {
        inner.unwrap_or(p)
    };
    let max = holder.get("maximum").and_then(Value::as_f64)?;
    match (
        holder.get("minimum").and_then(Value::as_f64),
        holder.get("exclusiveMinimum").and_then(Value::as_f64),
    ) {
        (Some(min), _) => Some(format!("{}–{}", grouped(min), grouped(max))),
        (None, Some(above)) => Some(format!("above {}, up to {}", grouped(above), grouped(max))),
        (None, None) => None,
    }
}

/// 10240 → "10,240"; 0.2 → "0.2".
fn grouped(v: f64) -> String {
    if v.fract() != 0.0 {
        return v.to_string();
    }
    let digits = format!("{}", v.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// The value at `path` inside `root`.
pub fn get<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |v, key| v.get(key.as_str()))
}

/// `root` with the value at `path` replaced (`None` removes it, meaning "default" or
/// "off"); missing objects on the way are created.
pub fn with(root: &Value, path: &[String], value: Option<Value>) -> Value {
    let mut out = root.clone();
    let Some((last, parents)) = path.split_last() else {
        return value.unwrap_or(Value::Null);
    };
    let mut cursor = &mut out;
    for key in parents {
        if !cursor.is_object() || cursor.is_null() {
            *cursor = Value::Object(Map::new());
        }
        let Value::Object(map) = cursor else {
            return out;
        };
        let slot = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        cursor = slot;
    }
    if let Value::Object(map) = cursor {
        match value {
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.remove(last);
            }
        }
    }
    out
}

/// Parses what the user typed into a field's JSON value, or says why it is not one.
pub fn parse_input(spec: &FieldSpec, text: &str) -> Result<Option<Value>, String> {
    let text = text.trim();
    if text.is_empty() {
        return if spec.nullable {
            Ok(None)
        } else {
            Err("a value is required".into())
        };
    }
    match &spec.kind {
        FieldKind::Number { integer } => {
            let v: f64 = text
                .replace(',', "")
                .parse()
                .map_err(|_| format!("\"{text}\" is not a number"))?;
            if !v.is_finite() {
                return Err(format!("\"{text}\" is not a number"));
            }
            if *integer {
                if v.fract() != 0.0 || v < 0.0 {
                    return Err(format!("\"{text}\" is not a whole number ≥ 0"));
                }
                Ok(Some(Value::from(v as u64)))
            } else {
                Ok(Some(Value::from(v)))
            }
        }
        FieldKind::Bool => Ok(Some(Value::Bool(text == "true"))),
        FieldKind::Text => Ok(Some(Value::from(text))),
        FieldKind::Choice(choices) => choices
            .iter()
            .find(|c| c.value == text)
            .map(|c| Some(Value::from(c.value.clone())))
            .ok_or_else(|| format!("\"{text}\" is not one of the choices")),
        FieldKind::Group(_) | FieldKind::Json => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| format!("not valid JSON: {e}")),
    }
}

/// How a JSON value is shown in a text input.
pub fn display(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_documented_parameters() {
        for tag in surge_core::NodeKind::TAGS {
            let fields = params_fields(tag);
            assert!(!fields.is_empty(), "{tag}");
            for f in &fields {
                assert!(!f.doc.is_empty(), "{tag}.{} has no documentation", f.name);
            }
            assert!(!kind_doc(tag).is_empty());
        }
    }

    #[test]
    fn lambda_fields_have_units_ranges_and_kinds() {
        let fields = params_fields("lambda");
        let by = |n: &str| fields.iter().find(|f| f.name == n).expect(n).clone();
        let timeout = by("timeout_s");
        assert_eq!((timeout.title.as_str(), timeout.unit), ("Timeout", "s"));
        assert_eq!(
            title_and_unit("api_gateway_rate_per_s"),
            ("API Gateway rate".to_owned(), "/s")
        );
        assert_eq!(
            title_and_unit("fifo_high_throughput"),
            ("FIFO high throughput".to_owned(), "")
        );
        assert_eq!(
            title_and_unit("step_functions_transition_burst").0,
            "Step Functions transition burst"
        );
        assert_eq!(title_and_unit("dead_letter_queue").0, "Dead-letter queue");
        assert_eq!(timeout.kind, FieldKind::Number { integer: false });
        let memory = by("memory_mb");
        assert_eq!(memory.unit, "MB");
        assert_eq!(memory.range.as_deref(), Some("128–10,240"));
        let reserved = by("reserved_concurrency");
        assert!(reserved.nullable);
        assert_eq!(reserved.kind, FieldKind::Number { integer: true });
        assert!(matches!(by("runtime").kind, FieldKind::Choice(ref c) if c.len() >= 6));
        assert_eq!(by("handler").kind, FieldKind::Json);
        let client = params_fields("client");
        let retry = client.iter().find(|f| f.name == "retry").expect("retry");
        assert!(
            matches!(retry.kind, FieldKind::Group(ref g) if g.iter().any(|f| f.name == "max_attempts"))
        );
        let esm = def_fields("EventSourceMapping");
        assert!(esm.iter().any(|f| f.name == "batch_size"));
    }

    #[test]
    fn inputs_parse_or_explain() {
        let fields = params_fields("lambda");
        let reserved = fields
            .iter()
            .find(|f| f.name == "reserved_concurrency")
            .expect("field");
        assert_eq!(parse_input(reserved, "100"), Ok(Some(Value::from(100u64))));
        assert_eq!(parse_input(reserved, ""), Ok(None));
        assert!(parse_input(reserved, "1.5").is_err());
        assert!(parse_input(reserved, "lots").is_err());
        let v = serde_json::json!({"params": {"a": 1}});
        let path = ["params".to_owned(), "b".to_owned()];
        let changed = with(&v, &path, Some(Value::from(2)));
        assert_eq!(get(&changed, &path), Some(&Value::from(2)));
        assert_eq!(with(&changed, &path, None), v);
        let memory = fields
            .iter()
            .find(|f| f.name == "memory_mb")
            .expect("field");
        assert_eq!(memory.range.as_deref(), Some("128–10,240"));
        let timeout = fields
            .iter()
            .find(|f| f.name == "timeout_s")
            .expect("field");
        assert_eq!(timeout.range.as_deref(), Some("above 0, up to 900"));
        // The legacy burst's help states choices, not a range: the bound is shown.
        let burst = def_fields("Account")
            .into_iter()
            .find(|f| f.name == "legacy_burst")
            .expect("field");
        assert_eq!(burst.range.as_deref(), Some("1–1,000,000"));
    }

    /// Every range the help text shows is the one validation enforces: for each node
    /// kind's parameter with a range, its ends are accepted and the values just past them
    /// refused, at that field.
    #[test]
    fn every_range_in_the_help_is_the_validations() {
        let problems_at = |tag: &str, field: &str, value: Value| -> bool {
            let doc = serde_json::json!({
                "format": "surge-scenario", "version": 2, "duration_s": 60,
                "nodes": [{"id": "n", "kind": tag, "params": { field: value }}], "edges": []
            });
            let Ok(s) = surge_core::Scenario::parse_json(&doc.to_string()) else {
                return true; // refused on reading: outside the type's range
            };
            let path = format!("nodes[0].params.{field}");
            s.validate().err().is_some_and(|errs| {
                errs.0
                    .iter()
                    .any(|e| e.path == path || e.path.starts_with(&format!("{path}.")))
            })
        };
        let number = |t: &str| {
            t.replace(',', "")
                .parse::<f64>()
                .expect("a number in the range")
        };
        let mut checked = 0;
        for tag in surge_core::NodeKind::TAGS {
            for f in params_fields(tag) {
                let (Some(range), FieldKind::Number { integer }) = (&f.range, &f.kind) else {
                    continue;
                };
                let (low, high, exclusive) = match range.strip_prefix("above ") {
                    Some(rest) => {
                        let (a, b) = rest.split_once(", up to ").expect("above a, up to b");
                        (number(a), number(b), true)
                    }
                    None => {
                        let (a, b) = range.split_once('–').expect("a–b");
                        (number(a), number(b), false)
                    }
                };
                let step = if *integer {
                    1.0
                } else {
                    (high.abs() * 1e-6).max(1e-6)
                };
                let v = |x: f64| {
                    if *integer {
                        Value::from(x as i64)
                    } else {
                        Value::from(x)
                    }
                };
                let name = format!("{tag}.{}", f.name);
                assert!(
                    !problems_at(tag, &f.name, v(high)),
                    "{name}: {high} (the top of {range}) refused"
                );
                assert!(
                    problems_at(tag, &f.name, v(high + step)),
                    "{name}: past {range} accepted"
                );
                if exclusive {
                    assert!(
                        problems_at(tag, &f.name, v(low)),
                        "{name}: {low} accepted ({range})"
                    );
                    assert!(
                        !problems_at(tag, &f.name, v(low + step)),
                        "{name}: just above {low} refused"
                    );
                } else {
                    assert!(
                        !problems_at(tag, &f.name, v(low)),
                        "{name}: {low} (the bottom of {range}) refused"
                    );
                    if low - step >= 0.0 || !*integer {
                        assert!(
                            problems_at(tag, &f.name, v(low - step)),
                            "{name}: below {range} accepted"
                        );
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= 30, "{checked} ranges checked");
    }
}
