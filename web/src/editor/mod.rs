//! The editor's state: the document, its history, the selection, the viewport and the
//! clipboard, changed only through [`EditorAction`] by a pure reducer.
//!
//! Why one reducer: every gesture on the canvas, every key and every inspector field ends
//! as one named action, so undo policy lives in one place (document edits are recorded,
//! selection and viewport changes are not) and the whole editor is tested natively.

pub mod catalog;
pub mod document;
pub mod geometry;
pub mod gestures;
pub mod history;
pub mod inspect;
pub mod layout;
pub mod routing;
pub mod schema;
pub mod state_graph;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties;

use std::collections::BTreeSet;
use std::rc::Rc;

use surge_core::{Node, Position, Scenario, ScenarioError};

pub use document::{EdgeKey, Edit, PASTE_OFFSET};
pub use geometry::Viewport;
use history::History;

/// What is selected.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Selection {
    /// Selected node ids.
    pub nodes: BTreeSet<String>,
    /// Selected edges.
    pub edges: BTreeSet<EdgeKey>,
}

impl Selection {
    /// Nothing selected.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }

    /// The single selected node, if exactly one node and no edge is selected.
    pub fn single_node(&self) -> Option<&str> {
        (self.nodes.len() == 1 && self.edges.is_empty())
            .then(|| self.nodes.iter().next().map(String::as_str))
            .flatten()
    }

    /// The single selected edge, if exactly one edge and no node is selected.
    pub fn single_edge(&self) -> Option<&EdgeKey> {
        (self.edges.len() == 1 && self.nodes.is_empty())
            .then(|| self.edges.iter().next())
            .flatten()
    }
}

/// How a selection changes.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectOp {
    /// Select exactly these nodes.
    Only(Vec<String>),
    /// Add these nodes (Shift + box).
    Add(Vec<String>),
    /// Flip one node (Shift-click).
    Toggle(String),
    /// Select one edge; `add` keeps the rest (Shift-click).
    Edge(EdgeKey, bool),
    /// Every node.
    All,
    /// Nothing.
    Clear,
}

/// A message shown over the canvas: a refused edit's reason, or a confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Whether something was refused.
    pub refused: bool,
}

/// What Copy keeps: nodes and the edges among them.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// Copied nodes.
    pub nodes: Vec<Node>,
    /// Edges whose both ends were copied, plus the copies' outgoing edges.
    pub edges: Vec<surge_core::Edge>,
}

/// Named changes to the editor.
#[derive(Clone, Debug, PartialEq)]
pub enum EditorAction {
    /// A document edit (recorded for undo).
    Edit(Edit),
    /// Revert the last step.
    Undo,
    /// Re-apply the last undone step.
    Redo,
    /// End the current coalescing (a drag ended, a field lost focus).
    Seal,
    /// Change the selection (not an undo step).
    Select(SelectOp),
    /// Pan or zoom (not an undo step).
    SetViewport(Viewport),
    /// Copy the selected nodes.
    Copy,
    /// Copy, then delete.
    Cut,
    /// Insert the clipboard, offset.
    Paste,
    /// Copy and paste in one go.
    Duplicate,
    /// Delete the selected nodes and edges.
    DeleteSelection,
    /// Move the selected nodes by a world delta (arrow keys); consecutive nudges are one step.
    Nudge(f64, f64),
    /// Move a box or note by a world delta with the nodes it holds, or resize it (arrow
    /// keys on a focused annotation; Alt resizes); consecutive nudges are one step.
    NudgeAnnotation {
        /// Its place in the document's annotations.
        index: usize,
        /// World delta across.
        dx: f64,
        /// World delta down.
        dy: f64,
        /// Resize (the bottom-right corner moves) rather than move.
        resize: bool,
    },
    /// Show or clear the notice.
    Notice(Option<Notice>),
    /// The document was saved to a file: it is no longer "unsaved work".
    MarkSaved,
    /// Replace the document (New, Open, a lesson); laid out if it has no positions.
    Load {
        /// The document.
        doc: Box<Scenario>,
        /// What happened, for the undo label.
        label: String,
        /// Whether the loaded document counts as unsaved work (a lesson does not).
        dirty: bool,
    },
}

impl EditorAction {
    /// Whether the action changes the document by hand (a read-only embed refuses these;
    /// loading a scenario, selecting and moving the view stay allowed).
    pub fn edits(&self) -> bool {
        matches!(
            self,
            EditorAction::Edit(_)
                | EditorAction::Undo
                | EditorAction::Redo
                | EditorAction::Cut
                | EditorAction::Paste
                | EditorAction::Duplicate
                | EditorAction::DeleteSelection
                | EditorAction::Nudge(..)
                | EditorAction::NudgeAnnotation { .. }
        )
    }
}

/// The editor.
#[derive(Clone, Debug, PartialEq)]
pub struct Editor {
    /// The document being edited.
    pub doc: Rc<Scenario>,
    /// The document's validation problems (recomputed after each structural edit).
    pub problems: Rc<Vec<ScenarioError>>,
    /// Undo and redo.
    pub history: History,
    /// The selection.
    pub selection: Selection,
    /// Pan and zoom.
    pub viewport: Viewport,
    /// What Copy kept.
    pub clipboard: Option<Rc<Clip>>,
    /// A message for the user.
    pub notice: Option<Notice>,
    /// Whether the document has changes not saved to a file.
    pub dirty: bool,
    /// How many documents were loaded (New, Open, a lesson): the view refits on a change.
    pub loads: u64,
}

impl Default for Editor {
    fn default() -> Self {
        Editor::new(starter(), false)
    }
}

/// The document a first visit starts with: clients calling one function.
pub fn starter() -> Scenario {
    let mut s = Scenario::client_to_function(100.0, 10, 100.0, 60.0, 42);
    layout::auto_layout(&mut s);
    s
}

impl Editor {
    /// An editor on `doc`.
    pub fn new(mut doc: Scenario, dirty: bool) -> Editor {
        if layout::needs_layout(&doc) {
            layout::auto_layout(&mut doc);
        }
        let problems = Rc::new(problems_of(&doc));
        Editor {
            doc: Rc::new(doc),
            problems,
            history: History::default(),
            selection: Selection::default(),
            viewport: Viewport {
                x: 0.0,
                y: 0.0,
                zoom: 1.0,
            },
            clipboard: None,
            notice: None,
            dirty,
            loads: 0,
        }
    }

    /// Applies one action; pure.
    pub fn apply(&self, action: EditorAction) -> Editor {
        let mut next = self.clone();
        match action {
            EditorAction::Edit(edit) => next.edit(edit),
            EditorAction::Undo => {
                if let Some(doc) = next.history.undo(next.doc.clone()) {
                    next.replace_doc(doc);
                }
            }
            EditorAction::Redo => {
                if let Some(doc) = next.history.redo(next.doc.clone()) {
                    next.replace_doc(doc);
                }
            }
            EditorAction::Seal => next.history.seal(),
            EditorAction::Select(op) => next.select(op),
            EditorAction::SetViewport(v) => next.viewport = v,
            EditorAction::Copy => next.copy(),
            EditorAction::Cut => {
                next.copy();
                next.delete_selection();
            }
            EditorAction::Paste => next.paste(),
            EditorAction::Duplicate => {
                let clip = next.clipboard.clone();
                next.copy();
                next.paste();
                next.clipboard = clip;
            }
            EditorAction::DeleteSelection => next.delete_selection(),
            EditorAction::Nudge(dx, dy) => {
                let moves = next
                    .doc
                    .nodes
                    .iter()
                    .filter(|n| next.selection.nodes.contains(&n.id))
                    .map(|n| {
                        let p = Position {
                            x: n.position.x + dx,
                            y: n.position.y + dy,
                        };
                        (n.id.clone(), p)
                    })
                    .collect::<Vec<_>>();
                if !moves.is_empty() {
                    // Arrow presses in a row are one step, like a drag.
                    next.edit(Edit::MoveNodes { moves, gesture: 0 });
                }
            }
            EditorAction::NudgeAnnotation {
                index,
                dx,
                dy,
                resize,
            } => {
                // The keyboard's own gesture ids (a pointer's count up from 1): presses in a
                // row are one step, and moving then resizing are two.
                let gesture = if resize { u64::MAX } else { u64::MAX - 1 };
                if let Some(edit) =
                    document::nudge_annotation(&next.doc, index, dx, dy, resize, gesture)
                {
                    next.edit(edit);
                }
            }
            EditorAction::Notice(n) => next.notice = n,
            EditorAction::MarkSaved => next.dirty = false,
            EditorAction::Load { doc, label, dirty } => {
                let mut doc = *doc;
                if layout::needs_layout(&doc) {
                    layout::auto_layout(&mut doc);
                }
                next.history.seal();
                next.edit(Edit::Replace {
                    doc: Box::new(doc),
                    label,
                });
                next.history.seal();
                next.dirty = dirty;
                next.loads += 1;
            }
        }
        next
    }

    fn edit(&mut self, edit: Edit) {
        let mut doc = (*self.doc).clone();
        match edit.apply(&mut doc) {
            Ok(selects) => {
                let structural = !matches!(edit, Edit::MoveNodes { .. });
                self.history
                    .record(edit.label(), edit.coalesce_key(), self.doc.clone());
                self.doc = Rc::new(doc);
                if structural {
                    self.problems = Rc::new(problems_of(&self.doc));
                }
                if let Some(ids) = selects {
                    self.selection = Selection {
                        nodes: ids.into_iter().collect(),
                        edges: BTreeSet::new(),
                    };
                }
                self.dirty = true;
                if self.notice.as_ref().is_some_and(|n| n.refused) {
                    self.notice = None;
                }
            }
            Err(reason) => {
                self.notice = Some(Notice {
                    text: format!("{} refused: {reason}", edit.label()),
                    refused: true,
                });
            }
        }
    }

    fn replace_doc(&mut self, doc: Rc<Scenario>) {
        self.doc = doc;
        self.problems = Rc::new(problems_of(&self.doc));
        let doc = &self.doc;
        self.selection
            .nodes
            .retain(|id| doc.node_index(id).is_some());
        self.selection
            .edges
            .retain(|k| doc.edges.iter().any(|e| EdgeKey::of(e) == *k));
        self.dirty = true;
    }

    fn select(&mut self, op: SelectOp) {
        let s = &mut self.selection;
        match op {
            SelectOp::Only(ids) => {
                s.nodes = ids.into_iter().collect();
                s.edges.clear();
            }
            SelectOp::Add(ids) => s.nodes.extend(ids),
            SelectOp::Toggle(id) => {
                if !s.nodes.remove(&id) {
                    s.nodes.insert(id);
                }
            }
            SelectOp::Edge(key, add) => {
                if !add {
                    s.nodes.clear();
                    s.edges.clear();
                }
                s.edges.insert(key);
            }
            SelectOp::All => {
                s.nodes = self.doc.nodes.iter().map(|n| n.id.clone()).collect();
                s.edges.clear();
            }
            SelectOp::Clear => *s = Selection::default(),
        }
    }

    fn copy(&mut self) {
        let chosen = &self.selection.nodes;
        if chosen.is_empty() {
            return;
        }
        let nodes: Vec<Node> = self
            .doc
            .nodes
            .iter()
            .filter(|n| chosen.contains(&n.id))
            .cloned()
            .collect();
        let edges = self
            .doc
            .edges
            .iter()
            .filter(|e| chosen.contains(&e.from))
            .cloned()
            .collect();
        self.clipboard = Some(Rc::new(Clip { nodes, edges }));
    }

    fn paste(&mut self) {
        let Some(clip) = self.clipboard.clone() else {
            return;
        };
        self.edit(Edit::Paste {
            nodes: clip.nodes.clone(),
            edges: clip.edges.clone(),
            offset: PASTE_OFFSET,
        });
        // Pasting again lands further down, not on top of the first paste.
        let moved: Vec<Node> = clip
            .nodes
            .iter()
            .map(|n| {
                let mut n = n.clone();
                n.position.x += PASTE_OFFSET.x;
                n.position.y += PASTE_OFFSET.y;
                n
            })
            .collect();
        self.clipboard = Some(Rc::new(Clip {
            nodes: moved,
            edges: clip.edges.clone(),
        }));
    }

    fn delete_selection(&mut self) {
        if self.selection.is_empty() {
            return;
        }
        self.edit(Edit::Delete {
            nodes: self.selection.nodes.iter().cloned().collect(),
            edges: self.selection.edges.iter().cloned().collect(),
        });
    }

    /// Problems whose path points into the node with this id.
    pub fn node_problems(&self, id: &str) -> Vec<&ScenarioError> {
        let Some(i) = self.doc.node_index(id) else {
            return Vec::new();
        };
        let exact = format!("nodes[{i}]");
        let nested = format!("nodes[{i}].");
        self.problems
            .iter()
            .filter(|e| e.path == exact || e.path.starts_with(&nested))
            .collect()
    }
}

fn problems_of(doc: &Scenario) -> Vec<ScenarioError> {
    doc.validate().err().map(|e| e.0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(e: &Editor, item: &str, x: f64) -> Editor {
        e.apply(EditorAction::Edit(Edit::AddNode {
            item: item.into(),
            at: Position { x, y: 100.0 },
        }))
    }

    #[test]
    fn undo_and_redo_the_last_three_edits() {
        let e = Editor::new(Scenario::empty(1, 60.0), false);
        let e = add(&e, "api_gateway", 0.0);
        let e = add(&e, "lambda", 300.0);
        let e = e.apply(EditorAction::Edit(Edit::Connect {
            from: "api".into(),
            to: "fn".into(),
        }));
        assert_eq!((e.doc.nodes.len(), e.doc.edges.len()), (2, 1));
        let back = e
            .apply(EditorAction::Undo)
            .apply(EditorAction::Undo)
            .apply(EditorAction::Undo);
        assert!(back.doc.nodes.is_empty());
        let again = back
            .apply(EditorAction::Redo)
            .apply(EditorAction::Redo)
            .apply(EditorAction::Redo);
        assert_eq!(again.doc, e.doc);
    }

    #[test]
    fn selection_and_viewport_are_not_undo_steps_and_a_drag_is_one() {
        let e = add(&Editor::new(Scenario::empty(1, 60.0), false), "lambda", 0.0);
        let e = e
            .apply(EditorAction::Select(SelectOp::Clear))
            .apply(EditorAction::SetViewport(Viewport {
                x: 5.0,
                y: 5.0,
                zoom: 2.0,
            }));
        let mut d = e.clone();
        for step in 1..=30 {
            d = d.apply(EditorAction::Edit(Edit::MoveNodes {
                moves: vec![(
                    "fn".into(),
                    Position {
                        x: f64::from(step),
                        y: 0.0,
                    },
                )],
                gesture: 7,
            }));
        }
        assert_eq!(d.doc.nodes[0].position.x, 30.0);
        let undone = d.apply(EditorAction::Undo);
        assert_eq!(undone.doc, e.doc);
        assert_eq!(undone.viewport.zoom, 2.0);
    }

    #[test]
    fn refused_edits_leave_the_document_and_say_why() {
        let e = add(&Editor::new(Scenario::empty(1, 60.0), false), "rds", 0.0);
        let e = add(&e, "lambda", 300.0);
        let refused = e.apply(EditorAction::Edit(Edit::Connect {
            from: "db".into(),
            to: "fn".into(),
        }));
        assert_eq!(refused.doc, e.doc);
        assert_eq!(refused.history, e.history);
        let notice = refused.notice.expect("a reason");
        assert!(
            notice.refused && notice.text.contains("rds"),
            "{}",
            notice.text
        );
    }

    #[test]
    fn box_select_delete_copy_paste_duplicate() {
        let e = Editor::default();
        let all = e.apply(EditorAction::Select(SelectOp::All));
        let copied = all.apply(EditorAction::Copy).apply(EditorAction::Paste);
        assert_eq!(copied.doc.nodes.len(), 4);
        assert_eq!(copied.doc.edges.len(), 2);
        assert_eq!(copied.selection.nodes.len(), 2, "the copies are selected");
        let dup = copied.apply(EditorAction::Duplicate);
        assert_eq!(dup.doc.nodes.len(), 6);
        assert_eq!(dup.problems.len(), 0, "{:?}", dup.problems);
        let gone = dup
            .apply(EditorAction::Select(SelectOp::All))
            .apply(EditorAction::DeleteSelection);
        assert!(gone.doc.nodes.is_empty() && gone.doc.edges.is_empty());
        let back = gone.apply(EditorAction::Undo);
        assert_eq!(back.doc, dup.doc);
        let nudged = e
            .apply(EditorAction::Select(SelectOp::Only(vec!["fn".into()])))
            .apply(EditorAction::Nudge(20.0, 0.0))
            .apply(EditorAction::Nudge(20.0, 0.0));
        assert_eq!(
            nudged.doc.nodes[1].position.x,
            e.doc.nodes[1].position.x + 40.0
        );
        assert_eq!(nudged.apply(EditorAction::Undo).doc, e.doc);
    }

    #[test]
    fn loading_lays_out_and_tracks_unsaved_work() {
        let e = Editor::default();
        assert!(!e.dirty);
        let mut doc = Scenario::client_to_function(1.0, 1, 1.0, 1.0, 1);
        for n in &mut doc.nodes {
            n.position = Position::default();
        }
        let loaded = e.apply(EditorAction::Load {
            doc: Box::new(doc),
            label: "Open".into(),
            dirty: false,
        });
        assert!(!layout::needs_layout(&loaded.doc));
        assert!(!loaded.dirty);
        let edited = add(&loaded, "sqs", 0.0);
        assert!(edited.dirty);
        assert!(!edited.apply(EditorAction::MarkSaved).dirty);
        assert_eq!(
            edited
                .apply(EditorAction::Undo)
                .apply(EditorAction::Undo)
                .doc,
            e.doc
        );
    }
}
