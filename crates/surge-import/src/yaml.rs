//! Template text (YAML or JSON) into one JSON value, with CloudFormation's short forms
//! spelled out: `!Ref X` becomes `{"Ref": "X"}`, `!GetAtt A.B` becomes
//! `{"Fn::GetAtt": ["A", "B"]}`, and any other `!Name v` becomes `{"Fn::Name": v}`.
//!
//! Why one shape: the mapping code then reads a single form of every intrinsic. Why caps:
//! a template may come from anywhere (a paste, a link); its size, depth and node count are
//! bounded before anything is built, and saphyr bounds alias expansion ("billion laughs").

use saphyr::{Scalar, Yaml, YamlLoader};
use saphyr_parser::Parser;
use serde_json::{Map, Value};

/// The largest template read, in bytes (CloudFormation's own limit is 1 MB).
pub const MAX_TEMPLATE_BYTES: usize = 2 * 1024 * 1024;

/// The deepest nesting read.
const MAX_DEPTH: usize = 128;

/// The most values read (after alias expansion).
const MAX_VALUES: usize = 500_000;

/// Reads a template. JSON is read as JSON (its numbers exactly); anything else as YAML.
pub fn read(text: &str) -> Result<Value, String> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(format!(
            "the template is {} KB; templates over {} KB are not read",
            text.len() / 1024,
            MAX_TEMPLATE_BYTES / 1024
        ));
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| format!("the template is not valid JSON: {e}"))?;
        return Ok(value);
    }
    shallow_enough(text)?;
    match yaml(text) {
        // PyYAML (which the AWS tools use) reads a flow collection whose closing line sits
        // at its key's indentation (`Statement: [{` … `}]`); the YAML spec and saphyr do
        // not. Such a template is read again with those lines indented under the key.
        Err(e) if e.contains("invalid indentation") => {
            yaml(&indent_flow_continuations(text)).map_err(|_| e)
        }
        other => other,
    }
}

fn yaml(text: &str) -> Result<Value, String> {
    // A repeated key keeps its last value, as the AWS tools (PyYAML) read it.
    let mut loader = YamlLoader::<Yaml<'_>>::default();
    loader.allow_duplicate_keys(true);
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut loader, true)
        .map_err(|e| format!("the template is not valid YAML: {e}"))?;
    if let Some(e) = loader.error() {
        return Err(format!("the template is not valid YAML: {e}"));
    }
    let docs = loader.into_documents();
    let doc = docs
        .into_iter()
        .next()
        .ok_or_else(|| "the template is empty".to_owned())?;
    let mut budget = MAX_VALUES;
    to_json(&doc, 0, &mut budget)
}

/// `text` with every line inside an open flow collection (`[`, `{` not yet closed) that
/// sits at or left of the indentation of the line that opened it moved one space right of
/// it. Brackets inside quotes and comments do not count.
fn indent_flow_continuations(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    let (mut depth, mut opener) = (0i64, 0usize);
    for line in text.lines() {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if depth > 0 && !body.is_empty() && !body.starts_with('#') && indent <= opener {
            out.push_str(&" ".repeat(opener + 1));
            out.push_str(body);
        } else {
            out.push_str(line);
        }
        out.push('\n');
        let before = depth;
        let (mut single, mut double, mut prev) = (false, false, ' ');
        for c in body.chars() {
            match c {
                '\'' if !double => single = !single,
                '"' if !single && prev != '\\' => double = !double,
                '#' if !single && !double && prev == ' ' => break,
                '[' | '{' if !single && !double => depth += 1,
                ']' | '}' if !single && !double => depth -= 1,
                _ => {}
            }
            prev = c;
        }
        depth = depth.max(0);
        if before == 0 && depth > 0 {
            opener = indent;
        }
    }
    out
}

/// The YAML parser recurses once per level of block nesting: nesting is bounded before it
/// parses (indentation, `- - -` chains, and brackets), so no input can exhaust the stack,
/// natively or in the page's 1 MB wasm stack. Templates nest a dozen levels.
fn shallow_enough(text: &str) -> Result<(), String> {
    const MAX_INDENT: usize = 256;
    const MAX_CHAIN: usize = 64;
    let mut flow = 0usize;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[indent..];
        let chain = rest
            .split_inclusive(['-', '?', ':'])
            .take_while(|p| matches!(p.trim(), "-" | "?" | ":" | ""))
            .count();
        if indent > MAX_INDENT || chain > MAX_CHAIN {
            return Err(format!(
                "line {} is nested deeper than the template reader allows",
                n + 1
            ));
        }
        for c in rest.chars() {
            match c {
                '[' | '{' => {
                    flow += 1;
                    if flow > MAX_DEPTH {
                        return Err(format!("the template nests deeper than {MAX_DEPTH} levels"));
                    }
                }
                ']' | '}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

fn to_json(y: &Yaml<'_>, depth: usize, budget: &mut usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("the template nests deeper than {MAX_DEPTH} levels"));
    }
    if *budget == 0 {
        return Err(format!("the template holds more than {MAX_VALUES} values"));
    }
    *budget -= 1;
    Ok(match y {
        Yaml::Value(s) => scalar(s),
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .map(|i| to_json(i, depth + 1, budget))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match to_json(k, depth + 1, budget)? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, to_json(v, depth + 1, budget)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tag, inner) => {
            let inner = to_json(inner, depth + 1, budget)?;
            if tag.handle == "!" {
                intrinsic(&tag.suffix, inner)
            } else {
                // `!!str` and the other core-schema tags: the value as written.
                inner
            }
        }
        Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    })
}

fn scalar(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => {
            serde_json::Number::from_f64(f.into_inner()).map_or(Value::Null, Value::Number)
        }
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

/// `!Name v` in its long form.
fn intrinsic(name: &str, value: Value) -> Value {
    let mut out = Map::new();
    match name {
        "Ref" => {
            out.insert("Ref".into(), value);
        }
        "Condition" => {
            out.insert("Condition".into(), value);
        }
        "GetAtt" => {
            // `!GetAtt Fn.Arn` (a string) or `!GetAtt [Fn, Arn]`.
            let parts = match value {
                Value::String(s) => {
                    let (a, b) = s.split_once('.').unwrap_or((s.as_str(), ""));
                    Value::Array(vec![Value::from(a), Value::from(b)])
                }
                other => other,
            };
            out.insert("Fn::GetAtt".into(), parts);
        }
        other => {
            out.insert(format!("Fn::{other}"), value);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_collection_closed_at_its_keys_indentation_reads_as_pyyaml_reads_it() {
        let text = "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      Auth:\n        ResourcePolicy:\n          CustomStatements: [{\n            \"Effect\": \"Allow\",\n            \"Action\": \"execute-api:Invoke\"\n          }]\n      StageName: prod\n";
        let v = read(text).expect("read");
        assert_eq!(
            v.pointer("/Resources/Api/Properties/Auth/ResourcePolicy/CustomStatements/0/Effect"),
            Some(&Value::from("Allow"))
        );
        assert_eq!(
            v.pointer("/Resources/Api/Properties/StageName"),
            Some(&Value::from("prod"))
        );
        // A template that is wrong some other way still says why.
        let e = read("Resources:\n  A:\n    Type: [x\n  B: 1\n").expect_err("refused");
        assert!(e.contains("not valid YAML"), "{e}");
    }

    #[test]
    fn short_forms_are_spelled_out() {
        let v = read(
            "A:\n  B: !Ref Queue\n  C: !GetAtt Fn.Arn\n  D: !Sub '${Table}'\n  E: !GetAtt [X, Y]\n  F: 3\n  G: 1.5\n  H: true\n",
        )
        .expect("yaml");
        assert_eq!(v["A"]["B"], serde_json::json!({"Ref": "Queue"}));
        assert_eq!(
            v["A"]["C"],
            serde_json::json!({"Fn::GetAtt": ["Fn", "Arn"]})
        );
        assert_eq!(v["A"]["D"], serde_json::json!({"Fn::Sub": "${Table}"}));
        assert_eq!(v["A"]["E"], serde_json::json!({"Fn::GetAtt": ["X", "Y"]}));
        assert_eq!(v["A"]["F"], 3);
        assert_eq!(v["A"]["G"], 1.5);
        assert_eq!(v["A"]["H"], true);
    }

    #[test]
    fn hostile_templates_are_refused_with_a_reason() {
        assert!(read("a: [").is_err());
        // Deep nesting is refused (by the parser's own limit or ours), never a stack overflow.
        for n in [200, 100_000] {
            let deep = format!("{}1{}", "[".repeat(n), "]".repeat(n));
            assert!(read(&deep).is_err(), "{n}");
            let deep = format!(
                "a:\n{}",
                (1..n.min(2000))
                    .map(|i| format!("{}b{i}:\n", " ".repeat(i)))
                    .collect::<String>()
            );
            assert!(read(&deep).is_err(), "{n}");
            let json = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
            assert!(read(&json).is_err(), "{n}");
        }
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(read(laughs).is_err());
        assert!(read(&"x".repeat(MAX_TEMPLATE_BYTES + 1)).is_err());
    }
}
