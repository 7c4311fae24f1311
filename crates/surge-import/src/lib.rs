//! AWS SAM and CloudFormation templates into Surge scenarios, and scenarios back into SAM
//! templates.
//!
//! Why here and not in the core: templates are an input format with their own grammar
//! (YAML, intrinsic functions, SAM's implicit resources); the core keeps one format. The
//! page and the CLI both call [`import`], so a template opens the same everywhere.
//!
//! What an import does:
//! - maps the resources Surge models, with the settings that change their behaviour under
//!   load; settings a template leaves out take AWS's defaults (a function without
//!   `MemorySize` has 128 MB and a 3 s timeout, as in AWS);
//! - wires them as the template does: SAM `Events`, event source mappings, subscriptions,
//!   bucket notifications, rule targets, proxy target groups, API integrations, and the
//!   calls a function makes to the resources named in its environment or its policies;
//! - lists every other resource as not simulated, with the reason (never dropped
//!   silently);
//! - adds load: a client at each entry point (an API, a state machine, a function nobody
//!   calls), and for a queue, topic, bucket or stream that nothing in the template writes
//!   to, a client and a small producer function, all at a modest default rate to set.

mod asl;
mod export;
mod resources;
mod yaml;

use serde_json::Value;
use surge_core::Scenario;

pub use asl::{DEFAULT_MAP_ITEMS, ResolveTask, Translated, to_asl, translate as translate_asl};
pub use export::to_sam;
pub use yaml::{MAX_TEMPLATE_BYTES, read as read_template};

/// Requests per second each added client sends (set it after import).
pub const DEFAULT_CLIENT_RATE_PER_S: f64 = 10.0;

/// Simulated seconds of an imported scenario.
pub const DEFAULT_DURATION_S: f64 = 120.0;

/// A resource of the template that the scenario does not simulate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotSimulated {
    /// Its logical id.
    pub logical_id: String,
    /// Its type (`AWS::IAM::Role`).
    pub kind: String,
    /// Why.
    pub reason: String,
}

/// A template turned into a scenario.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario (validated).
    pub scenario: Scenario,
    /// Resources left out, each with its reason.
    pub not_simulated: Vec<NotSimulated>,
    /// What was assumed or approximated (added clients, Choice probabilities…).
    pub notes: Vec<String>,
}

/// Whether `text` looks like a template rather than a scenario file: a `Resources`
/// mapping, or SAM's transform, or a template version.
pub fn looks_like_template(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect();
    head.contains("AWSTemplateFormatVersion")
        || head.contains("AWS::Serverless")
        || (head.contains("Resources") && !head.contains("\"surge-scenario\""))
}

/// Reads a SAM or CloudFormation template (YAML or JSON). `read_file` returns the text of
/// a file the template names (a state machine's `DefinitionUri`), relative to the
/// template; the page has none and passes `|_| None`.
pub fn import(text: &str, read_file: &dyn Fn(&str) -> Option<String>) -> Result<Imported, String> {
    let template = yaml::read(text)?;
    resources::build(&template, read_file)
}

/// The scenario a template gives, as JSON text with the not-simulated list alongside, for
/// callers that only pass text around (the page's worker-free import).
pub fn import_json(text: &str) -> Result<(String, Vec<NotSimulated>, Vec<String>), String> {
    let imported = import(text, &|_| None)?;
    Ok((
        imported.scenario.to_json(),
        imported.not_simulated,
        imported.notes,
    ))
}

/// The logical ids a value refers to: `Ref`, `Fn::GetAtt`, `${Name}` or `${Name.Attr}` in
/// `Fn::Sub`, and anything nested in `Fn::Join`, `Fn::Select`, `Fn::If`.
pub(crate) fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(id)) = m.get("Ref") {
                out.push(id.clone());
                return;
            }
            if let Some(att) = m.get("Fn::GetAtt") {
                match att {
                    Value::Array(parts) => {
                        if let Some(Value::String(id)) = parts.first() {
                            out.push(id.clone());
                        }
                    }
                    Value::String(s) => out.push(s.split('.').next().unwrap_or(s).to_owned()),
                    _ => {}
                }
                return;
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let text = match sub {
                    Value::String(s) => s.as_str(),
                    Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or(""),
                    _ => "",
                };
                sub_names(text, out);
                if let Some(Value::Object(vars)) = sub.as_array().and_then(|a| a.get(1)) {
                    for v in vars.values() {
                        references(v, out);
                    }
                }
                return;
            }
            for v in m.values() {
                references(v, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                references(v, out);
            }
        }
        _ => {}
    }
}

/// The names inside `${…}` of a `Fn::Sub` string (the part before a dot).
pub(crate) fn sub_names(text: &str, out: &mut Vec<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.starts_with('!') && !name.starts_with("AWS::") {
            out.push(name.split('.').next().unwrap_or(name).to_owned());
        }
        rest = &after[end + 1..];
    }
}
