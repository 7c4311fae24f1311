//! The editor's toolbar: New, Open, Save, Export PNG, sharing (link, embed, Recent), Undo,
//! Redo, zoom, fit, help.
//!
//! Why the file effects live here: they are the only side effects of these buttons, and
//! each one ends in a reducer action (Load, MarkSaved) or a notice.

use std::rc::Rc;

use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::run_panel::may_discard;
use crate::dom;
use crate::editor::geometry::{self, Point};
use crate::editor::{EditorAction, Notice, Viewport};
use crate::state::Action;

/// Props of [`Toolbar`].
#[derive(Properties, PartialEq, Debug)]
pub struct ToolbarProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Unsaved work?
    pub dirty: bool,
    /// Pan and zoom.
    pub viewport: Viewport,
    /// Undo label, if any.
    pub undo: Option<AttrValue>,
    /// Redo label, if any.
    pub redo: Option<AttrValue>,
    /// Number of problems.
    pub problems: usize,
    /// The last run's outcome (for the link's report digest).
    pub outcome: crate::state::Outcome,
    /// Documents put aside.
    pub recent: Rc<Vec<crate::recent::RecentEntry>>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

fn notice(dispatch: &Callback<Action>, text: String, refused: bool) {
    dispatch.emit(Action::Editor(EditorAction::Notice(Some(Notice {
        text,
        refused,
    }))));
}

/// Fits the diagram into the canvas.
pub fn fit_view(doc: &Scenario, dispatch: &Callback<Action>) {
    let (w, h) = dom::canvas_size();
    let corner = dom::minimap_corner();
    dispatch.emit(Action::Editor(EditorAction::SetViewport(
        geometry::fit_clear_of(doc, w, h, corner),
    )));
}

/// Zooms around the canvas centre.
pub fn zoom_by(viewport: Viewport, factor: f64, dispatch: &Callback<Action>) {
    let (w, h) = dom::canvas_size();
    dispatch.emit(Action::Editor(EditorAction::SetViewport(
        viewport.zoomed_at(factor, Point::new(w / 2.0, h / 2.0)),
    )));
}

/// The toolbar.
#[component]
pub fn Toolbar(p: &ToolbarProps) -> Html {
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let file_ref = use_node_ref();
    let d = p.dispatch.clone();
    let act = move |a: EditorAction| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Editor(a.clone())))
    };
    let on_new = {
        let dispatch = p.dispatch.clone();
        let dirty = p.dirty;
        Callback::from(move |_| {
            if may_discard(dirty) {
                let mut doc = Scenario::empty(42, 60.0);
                doc.nodes.clear();
                dispatch.emit(Action::Editor(EditorAction::Load {
                    doc: Box::new(doc),
                    label: "New diagram".into(),
                    dirty: false,
                }));
            }
        })
    };
    let on_open_click = {
        let file_ref = file_ref.clone();
        let dirty = p.dirty;
        Callback::from(move |_| {
            if may_discard(dirty)
                && let Some(input) = file_ref.cast::<HtmlInputElement>()
            {
                input.set_value("");
                input.click();
            }
        })
    };
    let on_file = {
        let dispatch = p.dispatch.clone();
        let reader = reader.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let name = file.name();
            // A file past the format's size cap is refused before it is read into memory.
            let size = file.size();
            if size > surge_core::MAX_SCENARIO_BYTES as f64 {
                notice(
                    &dispatch,
                    format!(
                        "Cannot open {name}: it is {:.1} MB; Surge reads scenarios of at most {} MB",
                        size / 1e6,
                        surge_core::MAX_SCENARIO_BYTES / 1_000_000
                    ),
                    true,
                );
                input.set_value("");
                return;
            }
            let file = gloo::file::File::from(file);
            let dispatch = dispatch.clone();
            let task = gloo::file::callbacks::read_as_text(&file, move |text| match text {
                // A scenario file, or a SAM / CloudFormation template to import.
                Ok(text) => match crate::import::open_text(&name, &text) {
                    Ok(opened) => {
                        dispatch.emit(Action::Editor(EditorAction::Load {
                            doc: Box::new(opened.doc),
                            label: format!("Open {name}"),
                            dirty: false,
                        }));
                        notice(&dispatch, opened.notice, false);
                    }
                    Err(reason) => notice(&dispatch, reason, true),
                },
                Err(err) => notice(&dispatch, format!("Cannot read {name}: {err}"), true),
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let on_save = {
        let dispatch = p.dispatch.clone();
        let doc = p.doc.clone();
        Callback::from(move |_| {
            dom::download_text("scenario.json", "application/json", &doc.to_json());
            dispatch.emit(Action::Editor(EditorAction::MarkSaved));
        })
    };
    let on_png = {
        let dispatch = p.dispatch.clone();
        let doc = p.doc.clone();
        Callback::from(move |_| {
            if let Err(reason) = dom::export_png(&doc, "surge-diagram.png") {
                notice(&dispatch, format!("Export PNG refused: {reason}"), true);
            }
        })
    };
    let on_fit = {
        let dispatch = p.dispatch.clone();
        let doc = p.doc.clone();
        Callback::from(move |_| fit_view(&doc, &dispatch))
    };
    let zoom = |factor: f64| {
        let dispatch = p.dispatch.clone();
        let vp = p.viewport;
        Callback::from(move |_| zoom_by(vp, factor, &dispatch))
    };
    let on_help = {
        let d = p.dispatch.clone();
        Callback::from(move |_| d.emit(Action::Help(true)))
    };
    let undo_title = p.undo.as_ref().map_or("Nothing to undo".to_owned(), |l| {
        format!("Undo {l} (Ctrl+Z)")
    });
    let redo_title = p.redo.as_ref().map_or("Nothing to redo".to_owned(), |l| {
        format!("Redo {l} (Shift+Ctrl+Z)")
    });
    html! {
        <div class="toolbar" role="toolbar" aria-label="Editor">
            <button type="button" id="new" onclick={on_new}>{ "New" }</button>
            <button type="button" id="open" onclick={on_open_click}>{ "Open…" }</button>
            <input type="file" id="open-file" ref={file_ref} accept="application/json,.json,.yaml,.yml,.template" hidden=true onchange={on_file} />
            <button type="button" id="save" onclick={on_save} title="Download the scenario as JSON">
                { "Save" }{ if p.dirty { " •" } else { "" } }
            </button>
            <button type="button" id="export-png" onclick={on_png}>{ "Export PNG" }</button>
            <super::ShareMenu doc={p.doc.clone()} dirty={p.dirty} outcome={p.outcome.clone()}
                recent={p.recent.clone()} dispatch={p.dispatch.clone()} />
            <span class="sep" />
            <button type="button" id="undo" onclick={act(EditorAction::Undo)} disabled={p.undo.is_none()}
                title={undo_title.clone()} aria-label={undo_title}>{ "↶" }</button>
            <button type="button" id="redo" onclick={act(EditorAction::Redo)} disabled={p.redo.is_none()}
                title={redo_title.clone()} aria-label={redo_title}>{ "↷" }</button>
            <span class="sep" />
            <button type="button" id="zoom-out" onclick={zoom(1.0 / 1.2)} aria-label="Zoom out">{ "−" }</button>
            <span class="zoom-level" aria-live="off">{ format!("{:.0}%", p.viewport.zoom * 100.0) }</span>
            <button type="button" id="zoom-in" onclick={zoom(1.2)} aria-label="Zoom in">{ "+" }</button>
            <button type="button" id="fit" onclick={on_fit} title="Fit the diagram (F)">{ "Fit" }</button>
            <span class="spacer" />
            if p.problems > 0 {
                <span class="problem-count" title="See the inspector with nothing selected">{ format!("{} problem(s)", p.problems) }</span>
            }
            <button type="button" id="help" onclick={on_help} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{ "?" }</button>
        </div>
    }
}
