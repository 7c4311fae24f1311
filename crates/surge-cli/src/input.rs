//! Reading scenario files and printing what came from them, safely.
//!
//! Why: a scenario may come from anyone (a link, a workshop repository, `/dev/zero`). Input
//! is read up to a cap and never past it; text that came from a file is printed with its
//! control characters escaped, so an id cannot move the cursor or recolour the terminal.

use std::io::Read;
use std::path::Path;

use surge_core::{MAX_SCENARIO_BYTES, Scenario, ScenarioErrors};

/// Reads a text file of at most [`MAX_SCENARIO_BYTES`] (one byte more is read, to tell).
pub(crate) fn read_capped(file: &Path) -> Result<String, String> {
    let name = printable(&file.display().to_string());
    let f = std::fs::File::open(file).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let mut bytes = Vec::new();
    f.take(MAX_SCENARIO_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: cannot read: {e}"))?;
    if bytes.len() > MAX_SCENARIO_BYTES {
        return Err(format!(
            "{name}: larger than {} MB; Surge reads scenarios of at most {} MB",
            MAX_SCENARIO_BYTES / 1_000_000,
            MAX_SCENARIO_BYTES / 1_000_000
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads, parses, migrates and validates a scenario file; the error lists every problem.
pub(crate) fn load(file: &Path) -> Result<Scenario, String> {
    let text = read_capped(file)?;
    let name = printable(&file.display().to_string());
    Scenario::from_json(&text).map_err(|e| format!("{name}: invalid scenario\n{}", errors(&e)))
}

/// Every problem, one per line, printable.
pub(crate) fn errors(e: &ScenarioErrors) -> String {
    e.0.iter()
        .map(|e| printable(&e.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with control characters (but line breaks and tabs) escaped as `\u{1b}`.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out += &c.escape_unicode().to_string();
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("fn\u{1b}[31m"), "fn\\u{1b}[31m");
        assert_eq!(printable("a\nb\tc"), "a\nb\tc");
        assert_eq!(printable("\u{9b}x"), "\\u{9b}x");
    }
}
