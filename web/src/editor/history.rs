//! Undo and redo over document snapshots.
//!
//! Why snapshots: documents are small and shared by `Rc`, so keeping the previous document
//! per step is cheap and cannot drift the way inverse operations can. Consecutive edits
//! with the same coalescing key (one drag, typing into one field) merge into one step.

use std::rc::Rc;

use surge_core::Scenario;

/// How many steps are kept.
pub const DEPTH: usize = 200;

/// One undoable step: the document before it, and its name.
#[derive(Clone, Debug, PartialEq)]
struct Step {
    label: String,
    key: Option<String>,
    before: Rc<Scenario>,
}

/// Past and future steps.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct History {
    past: Vec<Step>,
    future: Vec<Step>,
}

impl History {
    /// Records that `before` was replaced by an edit named `label`; merges into the last
    /// step when both carry the same key.
    pub fn record(&mut self, label: String, key: Option<String>, before: Rc<Scenario>) {
        self.future.clear();
        if key.is_some()
            && let Some(last) = self.past.last_mut()
            && last.key == key
        {
            last.label = label;
            return;
        }
        self.past.push(Step { label, key, before });
        if self.past.len() > DEPTH {
            self.past.remove(0);
        }
    }

    /// Steps back: returns the document to restore, given the current one.
    pub fn undo(&mut self, current: Rc<Scenario>) -> Option<Rc<Scenario>> {
        let step = self.past.pop()?;
        self.future.push(Step {
            label: step.label,
            key: None,
            before: current,
        });
        Some(step.before)
    }

    /// Steps forward again.
    pub fn redo(&mut self, current: Rc<Scenario>) -> Option<Rc<Scenario>> {
        let step = self.future.pop()?;
        self.past.push(Step {
            label: step.label,
            key: None,
            before: current,
        });
        Some(step.before)
    }

    /// Ends coalescing: the next edit starts a new step even with the same key.
    pub fn seal(&mut self) {
        if let Some(last) = self.past.last_mut() {
            last.key = None;
        }
    }

    /// Name of the step Undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.past.last().map(|s| s.label.as_str())
    }

    /// Name of the step Redo would re-apply.
    pub fn redo_label(&self) -> Option<&str> {
        self.future.last().map(|s| s.label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(seed: u64) -> Rc<Scenario> {
        Rc::new(Scenario::empty(seed, 1.0))
    }

    #[test]
    fn undo_redo_and_coalescing() {
        let mut h = History::default();
        h.record("a".into(), None, doc(0));
        h.record("drag".into(), Some("move:1".into()), doc(1));
        h.record("drag".into(), Some("move:1".into()), doc(2));
        h.record("drag".into(), Some("move:2".into()), doc(3));
        assert_eq!(h.undo(doc(4)).map(|d| d.seed), Some(3));
        assert_eq!(h.undo(doc(3)).map(|d| d.seed), Some(1), "one step per drag");
        assert_eq!(h.redo(doc(1)).map(|d| d.seed), Some(3));
        assert_eq!(h.redo_label(), Some("drag"));
        h.record("b".into(), None, doc(9));
        assert_eq!(h.redo_label(), None, "a new edit clears the future");
        h.seal();
        assert_eq!(h.undo_label(), Some("b"));
    }
}
