//! The help text never contradicts validation: every range a parameter's documentation
//! states ("(1–10,000; default 10)") equals the bound validation enforces, which the JSON
//! Schema carries (`minimum`, `maximum`) for the editor.

use serde_json::Value;

/// The first "(a–b" or "(a to b" range a documentation line states, as numbers.
fn stated_range(doc: &str) -> Option<(f64, f64)> {
    let num = |s: &str| s.trim().replace(',', "").parse::<f64>().ok();
    let mut rest = doc;
    while let Some(start) = rest.find('(') {
        let inner = &rest[start + 1..];
        let end = inner.find([')', ';']).unwrap_or(inner.len());
        let head = &inner[..end];
        if let Some((a, b)) = head.split_once('–') {
            let b = b.split_whitespace().next().unwrap_or_default();
            if let (Some(a), Some(b)) = (num(a), num(b)) {
                return Some((a, b));
            }
        }
        rest = &inner[end..];
    }
    None
}

#[test]
fn every_range_in_the_help_equals_the_validated_bound() {
    let schema: Value = serde_json::from_str(&surge_core::json_schema()).expect("schema");
    let defs = schema["$defs"].as_object().expect("$defs");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (name, def) in defs {
        let Some(props) = def.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (field, p) in props {
            let doc = p["description"].as_str().unwrap_or_default();
            let Some((lo, hi)) = stated_range(doc) else {
                continue;
            };
            let min = p["minimum"].as_f64();
            let max = p["maximum"].as_f64();
            checked += 1;
            if min != Some(lo) || max != Some(hi) {
                wrong.push(format!(
                    "{name}.{field}: the help says {lo}–{hi}, validation {min:?}–{max:?}"
                ));
            }
        }
    }
    assert!(checked >= 8, "only {checked} stated ranges found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
