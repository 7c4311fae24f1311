//! The open lesson: what to watch, its variants one click apart, things to try and the
//! talk's figures. Switching variant pins the run just watched as A, so the A/B chart
//! compares the "before" with the fix.

use std::rc::Rc;

use yew::prelude::*;

use super::run_panel::may_discard;
use crate::state::Action;

/// Props of [`LessonPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct LessonPanelProps {
    /// (lesson number, variant index).
    pub lesson: (u8, usize),
    /// The document (pinned with its run as A on a switch).
    pub doc: Rc<surge_core::Scenario>,
    /// Unsaved edits (a switch asks first).
    pub dirty: bool,
    /// The watched run, if any.
    pub live: Option<Rc<crate::run::LiveView>>,
    /// Where switches go.
    pub dispatch: Callback<Action>,
}

/// The lesson panel.
#[component]
pub fn LessonPanel(p: &LessonPanelProps) -> Html {
    let (number, current) = p.lesson;
    let Some(l) = crate::lessons::find(number) else {
        return Html::default();
    };
    let switch = |i: usize| {
        let d = p.dispatch.clone();
        let (live, doc, dirty) = (p.live.clone(), p.doc.clone(), p.dirty);
        Callback::from(move |_| {
            if !may_discard(dirty) {
                return;
            }
            if let Some(b) = live
                .as_deref()
                .and_then(|l| crate::compare::Baseline::from_live(l, doc.clone()))
            {
                d.emit(Action::Pin(Some(Rc::new(b))));
            }
            d.emit(Action::OpenLesson { number, variant: i });
        })
    };
    let present = {
        let d = p.dispatch.clone();
        let dirty = p.dirty;
        Callback::from(move |_| {
            if current != 0 && !may_discard(dirty) {
                return;
            }
            // The story starts from the "before", whose script it is.
            if current != 0 {
                d.emit(Action::OpenLesson { number, variant: 0 });
            }
            d.emit(Action::Talk(true));
        })
    };
    let gallery = {
        let d = p.dispatch.clone();
        Callback::from(move |_| d.emit(Action::Gallery(true)))
    };
    html! {
        <section class="lesson-panel" id="lesson-panel" aria-label={format!("Lesson {number}")}>
            <h3>{ format!("Lesson {number} · {}", l.title) }</h3>
            <p class="lesson-watch">{ l.watch }</p>
            if l.variants.len() > 1 {
                <div class="lesson-variants-row" role="group" aria-label="Variants">
                    { for l.variants.iter().enumerate().map(|(i, (id, label))| html! {
                        <button type="button" class={if i == current { "variant active" } else { "variant" }}
                            data-variant={*id} aria-pressed={(i == current).to_string()}
                            onclick={switch(i)}>
                            { if i == 0 { format!("Before: {label}") } else { (*label).to_owned() } }
                        </button>
                    }) }
                </div>
                <p class="muted">{ "Play one variant, then switch: the run you watched is pinned as A for the A/B chart." }</p>
            }
            <h4>{ "Try this" }</h4>
            <ul class="lesson-try">{ for l.try_this.iter().map(|t| html! { <li>{ *t }</li> }) }</ul>
            <p class="lesson-talk"><strong>{ "The talk: " }</strong>{ l.talk }</p>
            <div class="lesson-actions">
                <button type="button" class="primary" id="lesson-talk" onclick={present}>{ "Present (talk mode)" }</button>
                <button type="button" class="ghost" id="lesson-gallery" onclick={gallery}>{ "All lessons" }</button>
            </div>
        </section>
    }
}
