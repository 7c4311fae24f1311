//! Findings after a run: what the report shows, in plain words, each with its moment and
//! node, and the standard remedy where a rule knows one.
//!
//! Why in the core: the rules read only the report (`surge_core::findings`), so the page,
//! the CLI and the tests say the same things; this component only lays them out and turns
//! a finding's moment and node into a seek and a selection.

use std::rc::Rc;

use surge_core::{Finding, Report, Scenario};
use yew::prelude::*;

use super::RunHandle;
use crate::editor::{EditorAction, SelectOp};
use crate::run::Input;
use crate::state::Action;

/// Props of [`Findings`].
#[derive(Properties, PartialEq, Debug)]
pub struct FindingsProps {
    /// The finished run's report.
    pub report: Rc<Report>,
    /// The document (a finding's "Go to" seeks in its run).
    pub doc: Rc<Scenario>,
    /// Where a finding's node selection goes.
    pub dispatch: Callback<Action>,
}

/// The findings of a run, or a line saying there are none.
#[component]
pub fn Findings(p: &FindingsProps) -> Html {
    let run = use_context::<RunHandle>();
    let findings = use_memo(p.report.clone(), |r| surge_core::findings(r));
    let item = |f: &Finding| {
        let goto = (f.at_s.is_some() || f.node.is_some()).then(|| {
            let run = run.clone();
            let doc = p.doc.clone();
            let dispatch = p.dispatch.clone();
            let (node, at) = (f.node.clone(), f.at_s);
            let label = match (at, &node) {
                (Some(t), _) => format!("t = {t:.0} s"),
                (None, Some(id)) => format!("Select {id}"),
                (None, None) => String::new(),
            };
            let onclick = Callback::from(move |_| {
                if let (Some(run), Some(t)) = (&run, at) {
                    run.input(Input::Seek(doc.clone(), t));
                }
                if let Some(id) = &node {
                    dispatch.emit(Action::Editor(EditorAction::Select(SelectOp::Only(vec![
                        id.clone(),
                    ]))));
                }
            });
            html! { <button type="button" class="finding-goto" {onclick}>{ label }</button> }
        });
        html! {
            <li class="finding" data-rule={f.rule.clone()}>
                { for goto }
                <span class="finding-text">{ &f.text }</span>
                if let Some(remedy) = &f.remedy {
                    <span class="finding-remedy">{ format!("Remedy: {remedy}.") }</span>
                }
            </li>
        }
    };
    html! {
        <section class="findings" id="findings" aria-label="Findings">
            <h4>{ "What this run shows" }</h4>
            if findings.is_empty() {
                <p class="quiet" id="findings-none">{ "Nothing alarming: no throttles, timeouts, backlogs or failures past the rules' thresholds." }</p>
            } else {
                <ul>{ for findings.iter().map(item) }</ul>
            }
        </section>
    }
}
