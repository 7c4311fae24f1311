//! Where in a document a reading error is, as a path (`nodes[1].params.handler[0].ms`),
//! found from the error's line and column.
//!
//! Why not a path-tracking deserializer: wrapping every `Deserialize` impl of the format
//! in a tracker doubled their code in the wasm bundles (~210 KiB before optimisation in the
//! page, ~160 KiB in the worker). Reading goes through `serde_json` alone instead, from a
//! pretty-printed text, and on error this scanner walks the text up to the error's
//! position, keeping the stack of keys and indices.
//!
//! Why pretty-printed: `serde_json` reports an error about a value just after the value,
//! and an error about an object (a missing field) at its closing brace. In pretty text a
//! line break always separates the two, so the position tells them apart.

/// One level of the path being walked.
#[derive(Debug)]
enum Frame {
    /// An object: its last key, and whether that key's value has begun (after the colon).
    Object { key: Option<String>, active: bool },
    /// An array: the index of the current element.
    Array(usize),
}

/// Reads `text` as JSON up to byte `offset` and returns the path of the value the position
/// belongs to (empty at the top level).
///
/// `serde_json` places an error about a value just after the value (inside its parent,
/// whose key or index names it), an error about a whole object or array just after its
/// closing brace (so the walk has left it, and the parent's key names it), and an error
/// about a key (an unknown field) just after the key, before its colon (so the key is not
/// part of the path yet).
pub(crate) fn path_at(text: &str, offset: usize) -> String {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let close = string_end(bytes, i);
                if let Some(Frame::Object { key, active: false }) = stack.last_mut() {
                    *key = serde_json::from_str::<String>(&text[i..close]).ok();
                }
                i = close;
                continue;
            }
            b':' => {
                if let Some(Frame::Object { active, .. }) = stack.last_mut() {
                    *active = true;
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                active: false,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, active }) => {
                    *key = None;
                    *active = false;
                }
                Some(Frame::Array(index)) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object {
                key: Some(key),
                active: true,
            } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { .. } => {}
            Frame::Array(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// The index just past the string that opens at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The byte offset of a `serde_json` error position (1-based line, column counted in
/// bytes from the line's start).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column).min(text.len())
}

/// Reads a `T` from `value` through its pretty text; an error comes with its path.
pub(crate) fn read<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, (String, String)> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    serde_json::from_str::<T>(&text).map_err(|e| {
        let at = offset_of(&text, e.line(), e.column());
        let mut reason = e.to_string();
        // serde_json appends " at line L column C": the path says where instead.
        if let Some(cut) = reason.rfind(" at line ") {
            reason.truncate(cut);
        }
        (path_at(&text, at), reason)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Call {
        times: u32,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Step {
        call: Option<Call>,
        ms: Option<f64>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        steps: Vec<Step>,
    }

    fn error(json: &str) -> (String, String) {
        let value: serde_json::Value = serde_json::from_str(json).expect("json");
        read::<Doc>(&value).expect_err("refused")
    }

    #[test]
    fn a_wrong_value_is_named_by_its_full_path() {
        let (path, reason) = error(r#"{"name":"a","steps":[{"ms":1},{"call":{"times":"x"}}]}"#);
        assert_eq!(path, "steps[1].call.times");
        assert!(reason.starts_with("invalid type: string"), "{reason}");
        let (path, _) = error(r#"{"name":"a","steps":[{"ms":"slow"}]}"#);
        assert_eq!(path, "steps[0].ms");
        let (path, _) = error(r#"{"name":7,"steps":[]}"#);
        assert_eq!(path, "name");
    }

    #[test]
    fn a_missing_or_unknown_field_is_named_by_its_object() {
        let (path, reason) = error(r#"{"name":"a","steps":[{"call":{}}]}"#);
        assert_eq!(path, "steps[0].call");
        assert!(reason.contains("missing field `times`"), "{reason}");
        let (path, reason) = error(r#"{"name":"a","steps":[{"mss":1}]}"#);
        assert_eq!(path, "steps[0]");
        assert!(reason.contains("unknown field `mss`"), "{reason}");
        let (path, reason) = error(r#"{"steps":[]}"#);
        assert_eq!(path, "");
        assert!(reason.contains("missing field `name`"), "{reason}");
    }

    #[test]
    fn keys_with_escapes_and_strings_with_brackets_do_not_confuse_the_walk() {
        let (path, _) = error(r#"{"name":"a]}\"{","steps":[{"call":{"times":-1}}]}"#);
        assert_eq!(path, "steps[0].call.times");
        let text = "{\n  \"a\\\"b\": [\n    1,\n    2\n  ]\n}";
        let at = text.find('2').expect("2");
        assert_eq!(path_at(text, at + 1), "a\"b[1]");
    }
}
