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
//! | `editor.doc` (the scenario)    | yes (`surge.editor.v1`) | yes (the fragment) |  |
//! | `editor.dirty` (unsaved work)  | yes           |                |         |
//! | `recent` (put-aside documents) | yes (`surge.recent.v1`) |      |         |
//! | playhead second, selected node, open panel | | yes (`t`, `select`, `panel`, optional) | |
//! | the author's report digest, model version | | yes (`r`, `m`) |     |
//! | `origin` (the link opened)     |               |                | yes     |
//! | `embed` (embed options)        |               | in the iframe's query | |
//! | `editor.history`, `clipboard`  |               |                | yes     |
//! | `editor.selection`, `viewport` |               |                | yes     |
//! | `panel`, `help_open`, `notice` |               |                | yes     |
//! | `outcome`                      |               |                | yes (recomputed by Run) |
//! | `live` (gauges at the playhead)|               |                | yes (the player's run) |
//! | `baseline` (pinned run A)      |               |                | yes     |
//! | `gallery_open`, `lesson` (the lesson panel) | |               | yes (the gallery opens on a first visit) |
//! | `talk` (talk mode is on)       |               | in the page's query (`?talk`) | |
//! | `exercise` (the exercise open) | yes (`surge.exercise.v1`; the work on each exercise in `surge.exercise.work.v1`) | yes (`#x1.…`, with `&s=` a solution) | |
//! | `exercise.check` (the last Check) |            |                | yes (re-run by Check) |

use std::rc::Rc;

use surge_core::Report;
use yew::Reducible;

use crate::compare::Baseline;
use crate::editor::{Editor, EditorAction, SelectOp};
use crate::embed::EmbedOptions;
use crate::recent::RecentEntry;
use crate::run::LiveView;

/// The share link the document came from: what its author ran and saw.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkOrigin {
    /// The scenario as the link gave it.
    pub scenario: Rc<surge_core::Scenario>,
    /// The first digits of the author's report digest, if the link carried them.
    pub report: Option<String>,
    /// The model version the link was made with.
    pub model: Option<u32>,
}

/// Whether a run of a linked scenario reproduced what its author saw.
#[derive(Clone, Debug, PartialEq)]
pub enum Replay {
    /// The same report as the author's.
    Same,
    /// A different one, and why.
    Different(String),
}

/// Compares a finished run with the link it came from.
pub fn replay_verdict(
    origin: &LinkOrigin,
    doc: &surge_core::Scenario,
    digest: &str,
) -> Option<Replay> {
    let author = origin.report.as_deref()?;
    if digest.starts_with(author) && !author.is_empty() {
        return Some(Replay::Same);
    }
    let why = if *origin.scenario != *doc {
        "the scenario was edited after the link was opened".to_owned()
    } else {
        match origin.model {
            Some(m) if m != surge_core::MODEL_VERSION => {
                let changes = surge_core::model_changes_since(m);
                format!(
                    "the models changed since the link was made (model {m}, now {}): {}",
                    surge_core::MODEL_VERSION,
                    changes.join("; ")
                )
            }
            _ => "same scenario and model version, yet a different report: please report this link"
                .to_owned(),
        }
    };
    Some(Replay::Different(why))
}

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
        /// The report's digest (from the worker).
        digest: Option<Rc<str>>,
        /// The request traces kept (the slowest, some of each failure, a sample).
        traces: Rc<Vec<surge_core::Trace>>,
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
    /// Embed mode's options (none in the full page).
    pub embed: Option<Rc<EmbedOptions>>,
    /// The share link the document came from.
    pub origin: Option<Rc<LinkOrigin>>,
    /// Whether the last run of a linked document matched its author's.
    pub replay: Option<Replay>,
    /// Documents put aside (the toolbar's Recent menu).
    pub recent: Rc<Vec<RecentEntry>>,
    /// Whether the lesson gallery covers the page.
    pub gallery_open: bool,
    /// The lesson whose variant is loaded: (lesson number, variant index).
    pub lesson: Option<(u8, usize)>,
    /// Talk mode is on (the document is not edited meanwhile).
    pub talk: bool,
    /// The exercise being solved, if any.
    pub exercise: Option<Rc<ExerciseState>>,
}

/// An exercise being solved: the exercise, the hints shown, the last check.
#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseState {
    /// The exercise.
    pub exercise: Rc<surge_core::exercise::Exercise>,
    /// Its start, read once (every edit is compared with it).
    pub start: Rc<surge_core::Scenario>,
    /// How many hints are shown.
    pub hints: usize,
    /// The last Check.
    pub check: Check,
}

impl ExerciseState {
    /// A newly opened exercise (none if its start cannot be read).
    pub fn open(exercise: surge_core::exercise::Exercise) -> Option<ExerciseState> {
        let start = Rc::new(exercise.start().ok()?);
        Some(ExerciseState {
            exercise: Rc::new(exercise),
            start,
            hints: 0,
            check: Check::Idle,
        })
    }

    /// What `doc` changed that the exercise locks.
    pub fn locked(&self, doc: &surge_core::Scenario) -> Vec<String> {
        self.exercise.locked_changes_from(&self.start, doc)
    }
}

/// An exercise's Check.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Check {
    /// Not checked since the last edit.
    #[default]
    Idle,
    /// Grading seeds in the worker.
    Running {
        /// Seeds done.
        done: u32,
        /// Seeds in all.
        of: u32,
    },
    /// The verdict.
    Done(Rc<surge_core::exercise::Grade>),
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
    /// Open a share link's scenario (the unsaved work, if any, is already in Recent).
    OpenLink(Box<surge_core::Link>),
    /// The Recent list changed.
    Recent(Rc<Vec<RecentEntry>>),
    /// Open or close the lesson gallery.
    Gallery(bool),
    /// Enter or leave talk mode.
    Talk(bool),
    /// Open an exercise: its start, or a solution (a link's, or the work kept locally).
    OpenExercise {
        /// The exercise.
        exercise: Box<surge_core::exercise::Exercise>,
        /// The design to open instead of the start.
        solution: Option<Box<surge_core::Scenario>>,
    },
    /// Show the exercise's next hint.
    ExerciseHint,
    /// A Check's progress or verdict.
    ExerciseCheck(Check),
    /// Close the exercise (the design stays in the editor).
    CloseExercise,
    /// Load a lesson's variant (its "before" is 0) and show its panel.
    OpenLesson {
        /// The lesson's number.
        number: u8,
        /// Index into its variants.
        variant: usize,
    },
}

impl Panel {
    /// The panel a link names (`inspector`, `faults`, `run` or `charts`).
    pub fn from_name(name: &str) -> Option<Panel> {
        match name {
            "inspector" => Some(Panel::Inspector),
            "faults" | "timeline" | "load" => Some(Panel::Timeline),
            "run" | "charts" | "results" => Some(Panel::Run),
            _ => None,
        }
    }

    /// The name a link uses for the panel.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Inspector => "inspector",
            Panel::Timeline => "faults",
            Panel::Run => "charts",
        }
    }
}

impl AppState {
    /// Whether the document may be edited (not in a read-only embed).
    pub fn editable(&self) -> bool {
        !self.talk && self.embed.as_ref().is_none_or(|e| e.editable)
    }

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
                if !self.editable() && a.edits() {
                    return next;
                }
                let edits = a.edits();
                next.editor = self.editor.apply(a);
                if let Some(x) = self.exercise.as_ref().filter(|_| edits) {
                    // The exercise's locked parts: an edit that changes one is refused,
                    // with the part named (one check for every kind of edit).
                    let before = x.locked(&self.editor.doc);
                    let locked: Vec<String> = x
                        .locked(&next.editor.doc)
                        .into_iter()
                        .filter(|l| !before.contains(l))
                        .collect();
                    if let Some(first) = locked.first() {
                        next.editor =
                            self.editor
                                .apply(EditorAction::Notice(Some(crate::editor::Notice {
                                    text: format!("Locked by the exercise: {first}"),
                                    refused: true,
                                })));
                        return next;
                    }
                    // A check describes the design, not its layout or seed (a missed
                    // goal's "Go to" sets the seed it was graded on).
                    let canonical = surge_core::exercise::canonical;
                    if !Rc::ptr_eq(&next.editor.doc, &self.editor.doc)
                        && canonical(&next.editor.doc) != canonical(&self.editor.doc)
                    {
                        next.exercise = Some(Rc::new(ExerciseState {
                            check: Check::Idle,
                            ..(**x).clone()
                        }));
                    }
                }
                if load {
                    // Another document: the exercise (if any) is left.
                    next.exercise = None;
                    next.outcome = Outcome::Idle;
                    next.origin = None;
                    next.replay = None;
                    next.lesson = None;
                }
            }
            Action::Show(p) => next.panel = p,
            Action::Help(open) => next.help_open = open,
            Action::Live(view) => next.live = view,
            Action::Finished(outcome) => {
                next.replay = match (&outcome, &self.origin) {
                    (
                        Outcome::Done {
                            digest: Some(digest),
                            ..
                        },
                        Some(origin),
                    ) => replay_verdict(origin, &self.editor.doc, digest),
                    _ => None,
                };
                next.outcome = outcome;
            }
            Action::Pin(baseline) => next.baseline = baseline,
            Action::Gallery(open) => next.gallery_open = open,
            Action::OpenExercise { exercise, solution } => {
                let Some(opened) = ExerciseState::open(*exercise) else {
                    return next;
                };
                let doc = solution.map_or_else(|| (*opened.start).clone(), |s| *s);
                next.exercise = None;
                next = next.apply(Action::Editor(EditorAction::Load {
                    doc: Box::new(doc),
                    label: format!("Open the exercise {}", opened.exercise.title),
                    dirty: false,
                }));
                next.exercise = Some(Rc::new(opened));
                next.gallery_open = false;
            }
            Action::ExerciseHint => {
                if let Some(x) = &self.exercise {
                    next.exercise = Some(Rc::new(ExerciseState {
                        hints: (x.hints + 1).min(x.exercise.hints.len()),
                        ..(**x).clone()
                    }));
                }
            }
            Action::ExerciseCheck(check) => {
                if let Some(x) = &self.exercise {
                    next.exercise = Some(Rc::new(ExerciseState {
                        check,
                        ..(**x).clone()
                    }));
                }
            }
            Action::CloseExercise => next.exercise = None,
            Action::Talk(on) => {
                next.talk = on;
                if on {
                    next.gallery_open = false;
                    next.help_open = false;
                }
            }
            Action::OpenLesson { number, variant } => {
                let Some((id, label)) = crate::lessons::find(number)
                    .and_then(|l| l.variants.get(variant))
                    .copied()
                else {
                    return next;
                };
                let Some(doc) = crate::presets::find(id)
                    .and_then(|p| surge_core::Scenario::parse_json(p.json).ok())
                else {
                    return next;
                };
                next = next.apply(Action::Editor(EditorAction::Load {
                    doc: Box::new(doc),
                    label: format!("Open lesson {number}: {label}"),
                    dirty: false,
                }));
                next.lesson = Some((number, variant));
                next.gallery_open = false;
                next.panel = Panel::Run;
            }
            Action::OpenLink(link) => {
                next.gallery_open = false;
                let surge_core::Link { scenario, extras } = *link;
                let origin = LinkOrigin {
                    scenario: Rc::new(scenario.clone()),
                    report: extras.report.clone(),
                    model: extras.model,
                };
                next = next.apply(Action::Editor(EditorAction::Load {
                    doc: Box::new(scenario),
                    label: "Open a link".into(),
                    dirty: false,
                }));
                // As the editor holds it (laid out if the link had no positions): the
                // document the replay is compared with.
                next.origin = Some(Rc::new(LinkOrigin {
                    scenario: next.editor.doc.clone(),
                    ..origin
                }));
                if let Some(id) = extras
                    .select
                    .filter(|id| next.editor.doc.node_index(id).is_some())
                {
                    next.editor = next
                        .editor
                        .apply(EditorAction::Select(SelectOp::Only(vec![id])));
                }
                if let Some(panel) = extras.panel.as_deref().and_then(Panel::from_name) {
                    next.panel = panel;
                }
            }
            Action::Recent(list) => next.recent = list,
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
            digest: None,
            traces: Rc::default(),
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

    fn linked(doc: &Scenario, report: &str, model: u32) -> AppState {
        let link = surge_core::link::decode(&surge_core::link::link(
            "https://x/",
            doc,
            &surge_core::LinkExtras {
                at_s: Some(12.0),
                select: Some("fn".into()),
                panel: Some("faults".into()),
                report: Some(report.into()),
                model: Some(model),
            },
        ))
        .expect("decodes");
        AppState::default().apply(Action::OpenLink(Box::new(link)))
    }

    fn finished(state: &AppState, digest: &str) -> AppState {
        state.apply(Action::Finished(Outcome::Done {
            report: Rc::new(
                surge_core::Simulation::new(&state.editor.doc)
                    .expect("valid")
                    .run(),
            ),
            scenario_json: state.editor.doc.to_json().into(),
            digest: Some(digest.into()),
            traces: Rc::default(),
        }))
    }

    #[test]
    fn a_link_opens_its_scenario_selection_and_panel_and_judges_the_replay() {
        let doc = Scenario::client_to_function(20.0, 5, 100.0, 30.0, 3);
        let digest = surge_core::Simulation::new(&doc)
            .expect("valid")
            .run()
            .digest();
        let state = linked(&doc, &digest[..8], surge_core::MODEL_VERSION);
        assert_eq!(*state.editor.doc, doc);
        assert!(!state.editor.dirty);
        assert_eq!(state.editor.selection.single_node(), Some("fn"));
        assert_eq!(state.panel, Panel::Timeline);
        assert_eq!(finished(&state, &digest).replay, Some(Replay::Same));
        // Another digest with an older model: the changes since are named.
        let old = linked(&doc, "00000000", 1);
        let Some(Replay::Different(why)) = finished(&old, &digest).replay else {
            panic!("different");
        };
        assert!(
            why.contains("models changed since the link was made (model 1"),
            "{why}"
        );
        // Edited after opening: said so.
        let edited = state.apply(Action::Editor(EditorAction::Edit(Edit::SetRun {
            seed: 9,
            duration_s: 30.0,
            field: "seed".into(),
        })));
        let Some(Replay::Different(why)) = finished(&edited, "ffffffff").replay else {
            panic!("different");
        };
        assert!(why.contains("edited"), "{why}");
    }

    #[test]
    fn a_read_only_embed_refuses_edits_but_not_selection() {
        let mut state = AppState {
            embed: Some(Rc::new(EmbedOptions::default())),
            ..AppState::default()
        };
        let before = state.editor.doc.clone();
        state = state.apply(Action::Editor(EditorAction::DeleteSelection));
        state = state.apply(Action::Editor(EditorAction::Select(SelectOp::All)));
        state = state.apply(Action::Editor(EditorAction::DeleteSelection));
        assert_eq!(state.editor.doc, before);
        assert!(!state.editor.selection.is_empty());
    }

    fn storm() -> surge_core::exercise::Exercise {
        surge_core::exercise::Exercise::from_json(include_str!(
            "../../tests/exercises/stop-the-connection-storm/exercise.json"
        ))
        .expect("exercise")
    }

    #[test]
    fn an_exercise_opens_its_start_refuses_locked_edits_and_keeps_allowed_ones() {
        use crate::editor::{Edit, EditorAction};
        let s = AppState::default().apply(Action::OpenExercise {
            exercise: Box::new(storm()),
            solution: None,
        });
        let x = s.exercise.clone().expect("open");
        // The start, laid out (it has no positions).
        let start = x.exercise.start().expect("start");
        assert_eq!(s.editor.doc.nodes.len(), start.nodes.len());
        assert!(x.locked(&s.editor.doc).is_empty());
        // A locked parameter: refused, named, nothing changed.
        let mut db = s.editor.doc.nodes[s.editor.doc.node_index("db").expect("db")].clone();
        if let surge_core::NodeKind::Rds(r) = &mut db.kind {
            r.max_connections = Some(5000);
        }
        let locked = s.apply(Action::Editor(EditorAction::Edit(Edit::SetNode {
            id: "db".into(),
            node: Box::new(db),
            field: "max_connections".into(),
        })));
        assert!(Rc::ptr_eq(&locked.editor.doc, &s.editor.doc));
        let notice = locked.editor.notice.clone().expect("a notice");
        assert!(
            notice.refused && notice.text.contains("db.max_connections"),
            "{notice:?}"
        );
        // An allowed kind of node may be added; the last check is forgotten.
        let checked = s.apply(Action::ExerciseCheck(Check::Running { done: 1, of: 3 }));
        let added = checked.apply(Action::Editor(EditorAction::Edit(Edit::AddNode {
            item: "rds_proxy".into(),
            at: surge_core::Position::default(),
        })));
        assert!(
            !Rc::ptr_eq(&added.editor.doc, &s.editor.doc),
            "{:?}",
            added.editor.notice
        );
        assert_eq!(
            added.exercise.as_ref().map(|x| x.check.clone()),
            Some(Check::Idle)
        );
        // Hints one at a time, up to the last; another document leaves the exercise.
        let mut h = added.clone();
        for _ in 0..10 {
            h = h.apply(Action::ExerciseHint);
        }
        assert_eq!(
            h.exercise.as_ref().map(|x| x.hints),
            Some(storm().hints.len())
        );
        let left = h.apply(Action::OpenLesson {
            number: 2,
            variant: 0,
        });
        assert!(left.exercise.is_none());
    }
}
