//! The event log in plain words ("t=61 s fn: 2,949 throttled: concurrency limit (429)"),
//! newest first, up to the playhead; a polite live region for screen readers.

use std::rc::Rc;

use yew::prelude::*;

use crate::run::{LogLine, Severity};

/// Lines kept in the page (the newest); the export and the run keep all.
const SHOWN: usize = 60;

/// Props of [`EventLog`].
#[derive(Properties, PartialEq, Debug)]
pub struct EventLogProps {
    /// The lines, oldest first.
    pub lines: Rc<Vec<LogLine>>,
}

/// The log.
#[component]
pub fn EventLog(p: &EventLogProps) -> Html {
    html! {
        <section class="event-log" aria-label="Event log">
            <h2>{ "Event log" }</h2>
            <ol role="log" aria-live="polite" id="event-log">
                if p.lines.is_empty() {
                    <li class="quiet">{ "Nothing has gone wrong yet." }</li>
                }
                { for p.lines.iter().rev().take(SHOWN).map(|l| html! {
                    <li class={if l.severity == Severity::Error { "error" } else { "info" }}>{ &l.text }</li>
                }) }
            </ol>
        </section>
    }
}
