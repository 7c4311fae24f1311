//! The event log in plain words ("t=61–90 s Orders: 2,949–3,103 throttled: concurrency
//! limit (429) a second, 91,200 in all"), newest first, up to the playhead; a polite live
//! region for screen readers. Each line's time is a button: it goes to that second, paused,
//! with the line's node selected.

use std::rc::Rc;

use surge_core::Scenario;
use yew::prelude::*;

use crate::editor::{EditorAction, SelectOp};
use crate::run::{Input, LogLine, Severity};
use crate::state::Action;

use super::RunHandle;

/// Lines kept in the page (the newest); the export and the run keep all.
const SHOWN: usize = 30;

/// Props of [`EventLog`].
#[derive(Properties, PartialEq, Debug)]
pub struct EventLogProps {
    /// The lines, oldest first.
    pub lines: Rc<Vec<LogLine>>,
    /// The document (a click seeks in its run).
    pub doc: Rc<Scenario>,
    /// Where a click's selection goes.
    pub dispatch: Callback<Action>,
}

/// The log.
#[component]
pub fn EventLog(p: &EventLogProps) -> Html {
    let run = use_context::<RunHandle>();
    let line = |(i, l): (usize, &LogLine)| {
        let (time, rest) = l
            .text
            .split_once(" s")
            .map_or(("", l.text.as_str()), |(t, r)| (t, r));
        let onclick = {
            let run = run.clone();
            let doc = p.doc.clone();
            let dispatch = p.dispatch.clone();
            let node = l.node.clone();
            let at = l.from_s as f64;
            Callback::from(move |_| {
                if let Some(run) = &run {
                    run.input(Input::Seek(doc.clone(), at));
                }
                if let Some(id) = &node {
                    dispatch.emit(Action::Editor(EditorAction::Select(SelectOp::Only(vec![
                        id.clone(),
                    ]))));
                }
            })
        };
        let title = match &l.node {
            Some(id) => format!("Go to t = {} s and select {id}", l.from_s),
            None => format!("Go to t = {} s", l.from_s),
        };
        // Keyed by the line's place from the oldest: a new line is one new element at the
        // top, not a change of text in every line below it (at "max" a view arrives every
        // 100 ms, and re-laying out 30 lines of changed text was part of each frame).
        html! {
            <li key={i} class={if l.severity == Severity::Error { "error" } else { "info" }}>
                <button type="button" class="log-time" {onclick} {title}>{ format!("{time} s") }</button>
                { rest }
            </li>
        }
    };
    html! {
        <section class="event-log" aria-label="Event log">
            <h2>{ "Event log" }</h2>
            <div role="log" aria-live="polite" id="event-log">
                <ol>
                    if p.lines.is_empty() {
                        <li class="quiet">{ "Nothing has gone wrong yet." }</li>
                    }
                    { for p.lines.iter().enumerate().rev().take(SHOWN).map(line) }
                </ol>
            </div>
        </section>
    }
}
