//! Boxes and notes drawn on the diagram: Region, VPC and Availability Zone boundaries, a
//! plain group box, and text notes.
//!
//! Why in the scenario: architecture diagrams are read by their boundaries and their
//! notes as much as by their arrows, and a shared link or a lesson should show them. The
//! engine never reads them (a run is the same with or without), so they hold no node ids:
//! a box holds the nodes that lie inside it, by position, and the editor moves them with
//! it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most boxes and notes in one scenario.
pub const MAX_ANNOTATIONS: usize = 200;
/// Longest label or note, in characters.
pub const MAX_ANNOTATION_CHARS: usize = 1000;
/// Smallest side of a box or note, in diagram units.
pub const MIN_ANNOTATION_SIDE: f64 = 20.0;
/// Largest side of a box or note, in diagram units.
pub const MAX_ANNOTATION_SIDE: f64 = 1_000_000.0;

/// A box or a note on the diagram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// What it is: `region`, `vpc`, `az` or `box` (a boundary around nodes), or `note`.
    pub kind: AnnotationKind,
    /// Its label (a boundary's name, such as "eu-west-1") or the note's text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Left edge, in diagram units.
    pub x: f64,
    /// Top edge, in diagram units.
    pub y: f64,
    /// Width, in diagram units (20 to 1,000,000).
    pub w: f64,
    /// Height, in diagram units (20 to 1,000,000).
    pub h: f64,
}

/// The kinds of boxes and notes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnnotationKind {
    /// An AWS Region.
    Region,
    /// A VPC.
    Vpc,
    /// An Availability Zone.
    Az,
    /// A plain group box.
    #[default]
    Box,
    /// A text note.
    Note,
}

impl AnnotationKind {
    /// Every kind, in menu order.
    pub const ALL: [AnnotationKind; 5] = [
        AnnotationKind::Region,
        AnnotationKind::Vpc,
        AnnotationKind::Az,
        AnnotationKind::Box,
        AnnotationKind::Note,
    ];

    /// As the format spells it.
    pub fn tag(self) -> &'static str {
        match self {
            AnnotationKind::Region => "region",
            AnnotationKind::Vpc => "vpc",
            AnnotationKind::Az => "az",
            AnnotationKind::Box => "box",
            AnnotationKind::Note => "note",
        }
    }

    /// As people say it.
    pub fn label(self) -> &'static str {
        match self {
            AnnotationKind::Region => "Region",
            AnnotationKind::Vpc => "VPC",
            AnnotationKind::Az => "Availability Zone",
            AnnotationKind::Box => "Group",
            AnnotationKind::Note => "Note",
        }
    }

    /// A boundary holds the nodes inside it; a note holds nothing.
    pub fn is_boundary(self) -> bool {
        self != AnnotationKind::Note
    }
}

impl Annotation {
    /// Whether a node box at (`x`, `y`) of `w × h` lies wholly inside this boundary.
    pub fn holds(&self, x: f64, y: f64, w: f64, h: f64) -> bool {
        self.kind.is_boundary()
            && x >= self.x
            && y >= self.y
            && x + w <= self.x + self.w
            && y + h <= self.y + self.h
    }
}

#[cfg(test)]
mod tests {
    use crate::Scenario;

    fn with(a: serde_json::Value) -> Result<Scenario, String> {
        let text = serde_json::json!({
            "format": "surge-scenario", "version": 6, "nodes": [{"id": "c", "kind": "client"}, {"id": "f", "kind": "lambda"}],
            "edges": [{"from": "c", "to": "f"}],
            "annotations": [a]
        })
        .to_string();
        Scenario::from_json(&text).map_err(|e| e.to_string())
    }

    #[test]
    fn boxes_and_notes_read_and_hostile_values_are_refused_at_their_field() {
        let s = with(
            serde_json::json!({"kind": "vpc", "text": "prod", "x": 0, "y": 0, "w": 400, "h": 300}),
        )
        .expect("valid");
        assert!(s.annotations[0].holds(20.0, 20.0, 164.0, 56.0));
        assert!(
            !s.annotations[0].holds(300.0, 20.0, 164.0, 56.0),
            "sticks out"
        );
        for (bad, at) in [
            (
                serde_json::json!({"kind": "note", "x": 0, "y": 0, "w": 10, "h": 300}),
                "annotations[0].w",
            ),
            (
                serde_json::json!({"kind": "note", "x": 1e300, "y": 0, "w": 40, "h": 40}),
                "annotations[0].x",
            ),
            (
                serde_json::json!({"kind": "box", "x": 0, "y": 0, "w": 40, "h": 2e6}),
                "annotations[0].h",
            ),
            (
                serde_json::json!({"kind": "note", "text": "x".repeat(1001), "x": 0, "y": 0, "w": 40, "h": 40}),
                "annotations[0].text",
            ),
            (
                serde_json::json!({"kind": "cloud", "x": 0, "y": 0, "w": 40, "h": 40}),
                "annotations",
            ),
            (
                serde_json::json!({"kind": "box", "x": 0, "y": 0, "w": 40, "h": 40, "nodes": ["c"]}),
                "annotations",
            ),
        ] {
            let e = with(bad).expect_err("refused");
            assert!(e.contains(at), "{at}: {e}");
        }
        let many = serde_json::json!({
            "format": "surge-scenario", "version": 6, "nodes": [{"id": "c", "kind": "client"}, {"id": "f", "kind": "lambda"}],
            "edges": [{"from": "c", "to": "f"}],
            "annotations": vec![serde_json::json!({"kind": "note", "x": 0, "y": 0, "w": 40, "h": 40}); 201]
        });
        let e = Scenario::from_json(&many.to_string())
            .expect_err("too many")
            .to_string();
        assert!(e.contains("at most 200"), "{e}");
    }
}
