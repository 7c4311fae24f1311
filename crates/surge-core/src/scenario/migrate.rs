//! Reading older scenario versions: each step migrates one version to the next, on the
//! JSON value, before the typed parse. Old steps are never removed, so every file that
//! ever loaded still loads.
//!
//! - v1 → v2 (Engine II): edges gained `invocation` and `esm`, nodes gained `sqs`, Lambda
//!   gained async-invoke settings. All new fields default to v1's behaviour, so the step
//!   only bumps the version; a v1 file gives the same report as before.
//! - v2 → v3 (every scenario ends): Lambda gained `recursive_loop`, the scenario gained
//!   `series`, and reading became strict (unknown fields anywhere are refused). The new
//!   fields default to v2's behaviour except where AWS's own behaviour changed: a v2 file
//!   whose functions loop through queues now has its loops stopped at the 17th invocation,
//!   as AWS does since 2023 (set `recursive_loop` to `allow` for the old figures).
//! - v3 → v4 (the resilience toolbox): clients' retry `mode`, `backpressure` and
//!   `tenants`, functions' `sdk_retry_mode` and `drop_abandoned`, `worker_pool` nodes,
//!   edges' circuit `breaker`, services' `admission`, the scenario's `alarms`, and client →
//!   service edges. Every new
//!   field defaults to v3's behaviour (legacy retries, no breaker, everything admitted, no
//!   alarms), so the step only bumps the version; a v4 file with the new fields is refused
//!   by older builds as "written by a newer Surge" rather than as unknown fields.
//! - v4 → v5 (talk mode): the scenario gained `talk`, a script of beats for the stage.
//!   The engine never reads it, so the step only bumps the version.

use serde_json::Value;

use crate::error::{ScenarioError, ScenarioErrors};

/// Migrates `value` to [`super::CURRENT_VERSION`]. A file of another format, or of a
/// version this build does not know (written by a newer Surge), is refused here: reading
/// it as if it were ours could drop what it says.
pub(super) fn to_current(mut value: Value) -> Result<Value, ScenarioErrors> {
    let mut refused = Vec::new();
    if let Some(format) = value.get("format").and_then(Value::as_str)
        && format != super::FORMAT_TAG
    {
        refused.push(ScenarioError::new(
            "format",
            format!("expected \"{}\", found \"{format}\"", super::FORMAT_TAG),
        ));
    }
    if let Some(version) = value.get("version").and_then(Value::as_u64)
        && (version == 0 || version > u64::from(super::CURRENT_VERSION))
    {
        refused.push(ScenarioError::new(
            "version",
            format!(
                "version {version} is not supported (1..={}): written by a newer Surge?",
                super::CURRENT_VERSION
            ),
        ));
    }
    if !refused.is_empty() {
        return Err(ScenarioErrors(refused));
    }
    if value.get("version").and_then(Value::as_u64) == Some(1) {
        value["version"] = Value::from(2);
    }
    if value.get("version").and_then(Value::as_u64) == Some(2) {
        value["version"] = Value::from(3);
    }
    if value.get("version").and_then(Value::as_u64) == Some(3) {
        value["version"] = Value::from(4);
    }
    if value.get("version").and_then(Value::as_u64) == Some(4) {
        value["version"] = Value::from(5);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_versions_step_up_to_the_current_one_and_others_are_untouched() {
        let v1 = serde_json::json!({"format": "surge-scenario", "version": 1, "nodes": []});
        assert_eq!(to_current(v1).expect("migrates")["version"], 5);
        let v2 = serde_json::json!({"format": "surge-scenario", "version": 2, "nodes": []});
        assert_eq!(to_current(v2).expect("migrates")["version"], 5);
        let v3 = serde_json::json!({"format": "surge-scenario", "version": 3, "nodes": []});
        assert_eq!(to_current(v3).expect("migrates")["version"], 5);
        let v9 = serde_json::json!({"format": "surge-scenario", "version": 9});
        let e = to_current(v9).expect_err("newer").to_string();
        assert!(e.contains("version 9 is not supported"), "{e}");
        let other = serde_json::json!({"format": "other", "version": 1});
        assert!(to_current(other).is_err());
    }
}
