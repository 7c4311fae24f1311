//! The right-hand panel with its tabs: Inspector, Timeline (workload and faults), Run.

use yew::prelude::*;

use super::{Inspector, RunPanel, Timeline};
use crate::state::{Action, AppState, Panel};

/// Props of [`SidePanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct SidePanelProps {
    /// The state.
    pub state: AppState,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The side panel.
#[component]
pub fn SidePanel(p: &SidePanelProps) -> Html {
    let s = &p.state;
    let tab = |panel: Panel, id: &'static str, label: &'static str| {
        let d = p.dispatch.clone();
        let selected = s.panel == panel;
        html! {
            <button type="button" role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()}
                aria-controls={format!("panel-{id}")} class={classes!("tab", selected.then_some("active"))}
                onclick={Callback::from(move |_| d.emit(Action::Show(panel)))}>{ label }</button>
        }
    };
    let e = &s.editor;
    let body = match s.panel {
        Panel::Inspector => html! {
            <Inspector doc={e.doc.clone()} problems={e.problems.clone()} selection={e.selection.clone()}
                live={s.live.clone()} dispatch={p.dispatch.clone()}
                exercise={s.exercise.clone()} />
        },
        Panel::Timeline => html! { <Timeline doc={e.doc.clone()} dispatch={p.dispatch.clone()} /> },
        Panel::Run => html! {
            <RunPanel doc={e.doc.clone()} dirty={e.dirty} outcome={s.outcome.clone()} live={s.live.clone()}
                baseline={s.baseline.clone()} lesson={s.lesson}
                dispatch={p.dispatch.clone()} />
        },
    };
    let id = match s.panel {
        Panel::Inspector => "inspector",
        Panel::Timeline => "timeline",
        Panel::Run => "run",
    };
    html! {
        <aside class="side-panel" aria-label="Details">
            // Shown only when the panel is a sheet over the canvas (a phone): back to the diagram.
            <button type="button" class="sheet-close" aria-label="Close and show the diagram"
                onclick={{
                    let d = p.dispatch.clone();
                    Callback::from(move |_| d.emit(Action::Editor(crate::editor::EditorAction::Select(crate::editor::SelectOp::Clear))))
                }}>{ "Done" }</button>
            if let Some(x) = s.exercise.clone() {
                <super::ExercisePanel state={x} doc={e.doc.clone()} dispatch={p.dispatch.clone()} />
            }
            <div class="tabs" role="tablist">
                { tab(Panel::Inspector, "inspector", "Inspector") }
                { tab(Panel::Timeline, "timeline", "Load & faults") }
                { tab(Panel::Run, "run", "Run") }
            </div>
            <div class="tab-body" role="tabpanel" id={format!("panel-{id}")} aria-labelledby={format!("tab-{id}")}>
                { body }
            </div>
        </aside>
    }
}
