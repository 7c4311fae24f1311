//! UI state as a pure reducer over named actions.
//!
//! Why a reducer: every change to what the page shows goes through [`Action`], so it can
//! be tested without a browser and reasoned about in one place. Effects (local storage,
//! files, the URL) live in hooks in `app.rs` and the components; nothing here touches the
//! DOM.
//!
//! Where each field lives:
//!
//! | field                          | saved locally | in share links | neither |
//! |--------------------------------|---------------|----------------|---------|
//! | `editor.doc` (the scenario)    | yes (`surge.editor.v1`) | yes (later) |  |
//! | `editor.dirty` (unsaved work)  | yes           |                |         |
//! | `editor.history`, `clipboard`  |               |                | yes     |
//! | `editor.selection`, `viewport` |               |                | yes     |
//! | `panel`, `help_open`, `notice` |               |                | yes     |
//! | `outcome`                      |               |                | yes (recomputed by Run) |
//! | `live` (gauges at the playhead)|               |                | yes (the player's run) |
//! | `baseline` (pinned run A)      |               |                | yes     |

use std::rc::Rc;

use surge_core::Report;
use yew::Reducible;

use crate::compare::Baseline;
use crate::editor::{Editor, EditorAction};
use crate::run::LiveView;

/// The result of the last Run.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Outcome {
    /// Nothing has run yet.
    #[default]
    Idle,
    /// The run finished; the scenario it ran is kept so it can be inspected or re-run.
    Done {
        /// The report from the core.
        report: Rc<Report>,
        /// The exact scenario JSON that produced it.
        scenario_json: Rc<str>,
    },
    /// The document is not a valid scenario.
    Invalid(Vec<String>),
}

/// The tabs of the right-hand panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Panel {
    /// The selected node's or edge's parameters.
    #[default]
    Inspector,
    /// Client load over time and the fault schedule.
    Timeline,
    /// Run settings, Run, results.
    Run,
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AppState {
    /// The editor.
    pub editor: Editor,
    /// The last run's result.
    pub outcome: Outcome,
    /// The open tab of the side panel.
    pub panel: Panel,
    /// Whether the keyboard-shortcut overlay is open.
    pub help_open: bool,
    /// What the canvas shows at the player's playhead, while a run is being watched.
    pub live: Option<Rc<LiveView>>,
    /// A pinned run (A) that the watched run (B) is compared against.
    pub baseline: Option<Rc<Baseline>>,
}

/// Named changes to [`AppState`].
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// An editor action.
    Editor(EditorAction),
    /// Open a side-panel tab.
    Show(Panel),
    /// Open or close the shortcut overlay.
    Help(bool),
    /// The player moved (or ended its run): what the canvas shows now.
    Live(Option<Rc<LiveView>>),
    /// The player's run reached its end (or could not start).
    Finished(Outcome),
    /// Pin a run as the comparison baseline (`None` unpins).
    Pin(Option<Rc<Baseline>>),
}

impl AppState {
    /// Starts from a restored editor.
    pub fn with_editor(editor: Editor) -> Self {
        AppState {
            editor,
            ..AppState::default()
        }
    }

    /// Applies one action; pure.
    pub fn apply(&self, action: Action) -> AppState {
        let mut next = self.clone();
        match action {
            Action::Editor(a) => {
                let load = matches!(a, EditorAction::Load { .. });
                next.editor = self.editor.apply(a);
                if load {
                    next.outcome = Outcome::Idle;
                }
            }
            Action::Show(p) => next.panel = p,
            Action::Help(open) => next.help_open = open,
            Action::Live(view) => next.live = view,
            Action::Finished(outcome) => next.outcome = outcome,
            Action::Pin(baseline) => next.baseline = baseline,
        }
        next
    }
}

impl Reducible for AppState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Edit;
    use surge_core::Scenario;

    #[test]
    fn a_seed_edit_changes_the_document() {
        let b = AppState::default().apply(Action::Editor(EditorAction::Edit(Edit::SetRun {
            seed: 7,
            duration_s: 60.0,
            field: "seed".into(),
        })));
        assert_eq!(b.editor.doc.seed, 7);
        assert!(b.editor.dirty);
    }

    #[test]
    fn loading_a_lesson_clears_the_old_outcome() {
        let preset = &crate::presets::PRESETS[0];
        let doc = Scenario::from_json(preset.json).expect("valid");
        let done = Outcome::Done {
            report: Rc::new(surge_core::Simulation::new(&doc).expect("valid").run()),
            scenario_json: doc.to_json().into(),
        };
        let state = AppState::default()
            .apply(Action::Finished(done))
            .apply(Action::Editor(EditorAction::Load {
                doc: Box::new(doc),
                label: preset.title.into(),
                dirty: false,
            }));
        assert_eq!(state.outcome, Outcome::Idle);
        assert!(!state.editor.dirty);
    }
}
