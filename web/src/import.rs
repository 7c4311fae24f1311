//! Text opened or pasted into the page: a scenario file, or an AWS SAM or CloudFormation
//! template (YAML or JSON), which becomes a scenario through `surge-import`, as
//! `surge import` does on the command line.
//!
//! Why one entry: Open, a drop and a paste should read the same things the same way, and
//! say what a template left out (resources not simulated) rather than drop it silently.

use surge_core::Scenario;

/// A document read from text, and the sentence that tells what happened.
#[derive(Debug)]
pub struct Opened {
    /// The scenario.
    pub doc: Scenario,
    /// "Opened …" or "Imported … (not simulated: …)".
    pub notice: String,
}

/// Reads `text` (named `name`) as a template when it looks like one, else as a scenario.
pub fn open_text(name: &str, text: &str) -> Result<Opened, String> {
    if !surge_import::looks_like_template(text) {
        let doc = Scenario::parse_json(text).map_err(|e| format!("Cannot open {name}: {e}"))?;
        return Ok(Opened {
            doc,
            notice: format!("Opened {name}"),
        });
    }
    let imported =
        surge_import::import(text, &|_| None).map_err(|e| format!("Cannot import {name}: {e}"))?;
    let mut notice = format!("Imported {name}: {} nodes", imported.scenario.nodes.len());
    if !imported.not_simulated.is_empty() {
        let listed: Vec<String> = imported
            .not_simulated
            .iter()
            .take(6)
            .map(|n| format!("{} ({})", n.logical_id, n.kind))
            .collect();
        let more = imported.not_simulated.len().saturating_sub(listed.len());
        notice.push_str(&format!(
            "; not simulated: {}{}",
            listed.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if !imported.notes.is_empty() {
        notice.push_str(&format!(
            ". {} assumption{} (clients added at the entry points; set their load)",
            imported.notes.len(),
            if imported.notes.len() == 1 { "" } else { "s" }
        ));
    }
    Ok(Opened {
        doc: imported.scenario,
        notice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_imported_and_a_scenario_opened() {
        let t = include_str!("../../tests/templates/31-unmodelled-neighbours.yaml");
        let o = open_text("t.yaml", t).expect("imported");
        assert!(o.doc.node_index("Profile").is_some());
        assert!(
            o.notice
                .contains("not simulated: Users (AWS::Cognito::UserPool)"),
            "{}",
            o.notice
        );
        let s = include_str!("../../tests/scenarios/lesson1-littles-law.json");
        assert_eq!(
            open_text("s.json", s).expect("opened").notice,
            "Opened s.json"
        );
        assert!(open_text("x.yaml", "Resources: {}").is_err());
    }
}
