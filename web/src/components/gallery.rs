//! The lesson gallery: a card per lesson, grouped as in `lessons.md`, each with a
//! thumbnail of its "before" diagram drawn from the preset itself. A first visit lands
//! here; the header's "Lessons" button opens it again.
//!
//! Why thumbnails from the scenario: a hand-drawn picture drifts from the preset; this one
//! is the preset's own nodes and edges, scaled.

use surge_core::Scenario;
use yew::prelude::*;

use super::run_panel::may_discard;
use crate::editor::geometry::{NODE_H, NODE_W, bounds, edge_path, in_port, out_port};
use crate::lessons::{GROUPS, LESSONS, Lesson};
use crate::state::Action;

/// Props of [`Gallery`].
#[derive(Properties, PartialEq, Debug)]
pub struct GalleryProps {
    /// Whether the open document has unsaved work (opening a lesson asks first).
    pub dirty: bool,
    /// Where the lesson to open goes.
    pub dispatch: Callback<Action>,
}

/// Kind → the thumbnail's fill class.
fn family(tag: &str) -> &'static str {
    match tag {
        "client" | "schedule" => "t-entry",
        "api_gateway" => "t-api",
        "lambda" | "step_functions" | "worker_pool" => "t-compute",
        "sqs" | "sns" | "kinesis" | "s3" => "t-queue",
        "rds" | "rds_proxy" | "dynamodb" => "t-data",
        _ => "t-service",
    }
}

/// The diagram of a preset, scaled into a card.
fn thumbnail(json: &str) -> Html {
    let Ok(mut doc) = Scenario::parse_json(json) else {
        return Html::default();
    };
    if crate::editor::layout::needs_layout(&doc) {
        crate::editor::layout::auto_layout(&mut doc);
    }
    let Some(b) = bounds(&doc) else {
        return Html::default();
    };
    let pad = 24.0;
    let view = format!(
        "{} {} {} {}",
        b.x - pad,
        b.y - pad,
        b.w + 2.0 * pad,
        b.h + 2.0 * pad
    );
    let at = |id: &str| doc.node_index(id).map(|i| doc.nodes[i].position);
    // The canvas's own curves, between the canvas's ports.
    let edges = doc.edges.iter().filter_map(|e| {
        let d = edge_path(out_port(at(&e.from)?), in_port(at(&e.to)?));
        Some(html! { <path {d} class="t-edge" /> })
    });
    let nodes = doc.nodes.iter().map(|n| {
        html! {
            <rect x={n.position.x.to_string()} y={n.position.y.to_string()}
                width={NODE_W.to_string()} height={NODE_H.to_string()} rx="10"
                class={family(n.kind.tag())} />
        }
    });
    html! {
        <svg class="lesson-thumb" viewBox={view} preserveAspectRatio="xMidYMid meet" aria-hidden="true">
            { for edges }
            { for nodes }
        </svg>
    }
}

/// The gallery.
#[component]
pub fn Gallery(p: &GalleryProps) -> Html {
    let thumbs = use_memo((), |()| {
        LESSONS
            .iter()
            .map(|l| {
                crate::presets::find(l.variants[0].0)
                    .map_or_else(Html::default, |x| thumbnail(x.json))
            })
            .collect::<Vec<Html>>()
    });
    let close = {
        let d = p.dispatch.clone();
        Callback::from(move |_| d.emit(Action::Gallery(false)))
    };
    let on_key = {
        let d = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                d.emit(Action::Gallery(false));
            }
        })
    };
    let card = |(i, l): (usize, &Lesson)| {
        let onclick = {
            let d = p.dispatch.clone();
            let (dirty, number) = (p.dirty, l.number);
            Callback::from(move |_| {
                if may_discard(dirty) {
                    d.emit(Action::OpenLesson { number, variant: 0 });
                }
            })
        };
        let fixes = l.variants.len() - 1;
        html! {
            <button type="button" class="lesson-card" data-lesson={l.number.to_string()} {onclick}>
                { thumbs[i].clone() }
                <span class="lesson-title">{ format!("{} · {}", l.number, l.title) }</span>
                <span class="lesson-hook">{ l.hook }</span>
                <span class="lesson-variants">{ match fixes {
                    0 => "one scenario".to_owned(),
                    1 => "before and after".to_owned(),
                    n => format!("before and {n} variants"),
                } }</span>
            </button>
        }
    };
    html! {
        <div class="gallery-backdrop" id="gallery" role="dialog" aria-modal="true"
            aria-labelledby="gallery-title" onkeydown={on_key}>
            <div class="gallery">
                <div class="gallery-head">
                    <div>
                        <h2 id="gallery-title">{ "Lessons from running serverless at scale" }</h2>
                        <p>{ "Each lesson is a failure engineers met in production and the fix that worked: open one, run it, switch to the fix, compare." }</p>
                    </div>
                    <button type="button" id="gallery-close" onclick={close}>{ "Start from a blank diagram" }</button>
                </div>
                { for GROUPS.iter().enumerate().map(|(g, name)| html! {
                    <section class="lesson-group" aria-label={*name}>
                        <h3>{ *name }</h3>
                        <div class="lesson-cards">
                            { for LESSONS.iter().enumerate().filter(|(_, l)| l.group == g).map(card) }
                        </div>
                    </section>
                }) }
            </div>
        </div>
    }
}
