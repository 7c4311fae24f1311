//! Recent documents: unsaved work that a link (or another document) replaced, kept so it
//! is never lost and never the subject of a trick question.
//!
//! Why a list and not a prompt: opening a link in a tab with unsaved work is what people
//! do all day; asking "discard your changes?" makes them choose between two things they
//! want. The work moves here instead (local storage, the last few documents), and the
//! toolbar's Recent menu reopens it. Embeds never read or write it.

use serde::{Deserialize, Serialize};
use surge_core::Scenario;

/// Local-storage key of the list (versioned like the autosave).
pub const RECENT_STORAGE_KEY: &str = "surge.recent.v1";

/// How many documents are kept.
pub const MAX_RECENT: usize = 8;

/// One kept document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecentEntry {
    /// A few words naming it.
    pub title: String,
    /// When it was put aside (milliseconds since the epoch, from the browser).
    pub saved_ms: f64,
    /// The document (the file format).
    pub scenario: serde_json::Value,
}

/// A few words for a document: its size and its first nodes' names.
pub fn title_of(doc: &Scenario) -> String {
    let names: Vec<&str> = doc.nodes.iter().take(3).map(|n| n.label()).collect();
    let more = if doc.nodes.len() > 3 { ", …" } else { "" };
    format!(
        "{} node{}: {}{more}",
        doc.nodes.len(),
        if doc.nodes.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

/// Puts `doc` at the top of `list` (an equal document already there moves up), keeping
/// at most [`MAX_RECENT`].
pub fn push(list: &mut Vec<RecentEntry>, doc: &Scenario, saved_ms: f64) {
    let scenario = serde_json::to_value(doc).unwrap_or(serde_json::Value::Null);
    list.retain(|e| e.scenario != scenario);
    list.insert(
        0,
        RecentEntry {
            title: title_of(doc),
            saved_ms,
            scenario,
        },
    );
    list.truncate(MAX_RECENT);
}

/// The document of an entry, read as a file is (an entry written by an older build is
/// migrated; a damaged one is refused with the reason).
pub fn open(entry: &RecentEntry) -> Result<Scenario, String> {
    Scenario::parse_json(&entry.scenario.to_string()).map_err(|e| e.to_string())
}

/// Reads the stored list (a damaged list is an empty one).
pub fn read(stored: Option<&str>) -> Vec<RecentEntry> {
    stored
        .and_then(|s| serde_json::from_str::<Vec<RecentEntry>>(s).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rate: f64) -> Scenario {
        Scenario::client_to_function(rate, 10, 100.0, 60.0, 1)
    }

    #[test]
    fn newest_first_no_duplicates_and_capped() {
        let mut list = Vec::new();
        for i in 0..12 {
            push(&mut list, &doc(f64::from(i) + 1.0), f64::from(i));
        }
        assert_eq!(list.len(), MAX_RECENT);
        assert_eq!(list[0].saved_ms, 11.0);
        push(&mut list, &doc(5.0), 99.0);
        assert_eq!(list.len(), MAX_RECENT, "moved up, not added");
        assert_eq!(list[0].saved_ms, 99.0);
        assert_eq!(open(&list[0]).expect("reads"), doc(5.0));
        assert!(
            list[0].title.starts_with("2 nodes: Clients"),
            "{}",
            list[0].title
        );
    }

    #[test]
    fn a_damaged_list_reads_as_empty() {
        assert!(read(Some("{not json")).is_empty());
        assert!(read(None).is_empty());
        let mut list = Vec::new();
        push(&mut list, &doc(1.0), 1.0);
        let text = serde_json::to_string(&list).expect("writes");
        assert_eq!(read(Some(&text)), list);
    }
}
