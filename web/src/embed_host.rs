//! The page in embed mode: its layout (the diagram, the charts or both, with as many
//! controls as asked) and its side of the message API (`embed::api`): commands from the
//! host page in, `ready`, `loaded`, `time`, `finished`, `resize` and replies out.
//!
//! Why replies go only to the host's origin: the page never sends a scenario's figures to
//! a window it has not heard from. Until the host posts its first message, the embed
//! sends only `ready` (which says nothing about the scenario); after it, events go to
//! that message's origin. Nothing received is ever evaluated: messages are JSON or
//! reveal.js's two strings, read by `embed::api::decode`.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;
use yew::prelude::*;

use crate::components::{Canvas, KpiStrip, LiveChart, PlayerBar, RunHandle};
use crate::editor::EditorAction;
use crate::embed::api::{self, EmbedMessage, HostMessage, Kpis};
use crate::embed::{Controls, EmbedOptions, Show};
use crate::run::{Input, LiveView, MAX_SPEED, Status};
use crate::share;
use crate::state::{Action, AppState, Outcome};

/// `time` events are sent at most this often.
const TIME_EVERY_MS: f64 = 250.0;

/// Where replies and events go: the origin of the host's last message.
#[derive(Default)]
struct Host {
    origin: Option<String>,
    last_time_ms: f64,
    last_height: f64,
}

impl Host {
    fn send(&self, message: &EmbedMessage) {
        if let Some(origin) = &self.origin {
            share::post_to_parent(&api::encode(message), origin);
        }
    }
}

/// The headline numbers of a ledger and a cost.
fn kpis(l: &surge_core::Ledger, cost_usd: f64) -> Kpis {
    let failed = l.failed.total() + l.timed_out;
    let done = l.succeeded + failed;
    Kpis {
        requests: l.arrived,
        succeeded: l.succeeded,
        failed,
        success_pct: if done == 0 {
            100.0
        } else {
            100.0 * l.succeeded as f64 / done as f64
        },
        cost_usd,
    }
}

fn kpis_of(live: &LiveView) -> Kpis {
    live.frames
        .get(live.at)
        .map_or_else(Kpis::default, |f| kpis(&f.ledger, f.cost_usd))
}

/// Reads a host's `load`: a scenario (JSON text or object) or a link.
fn scenario_of(
    scenario: Option<serde_json::Value>,
    link: Option<String>,
) -> Result<Scenario, String> {
    if let Some(link) = link {
        return surge_core::link::decode(&link)
            .map(|l| l.scenario)
            .map_err(|e| e.to_string());
    }
    let text = match scenario {
        Some(serde_json::Value::String(text)) => text,
        Some(value) => value.to_string(),
        None => return Err("`load` needs `scenario` or `link`".into()),
    };
    Scenario::parse_json(&text).map_err(|e| e.to_string())
}

/// Carries out one host message.
fn on_host_message(
    message: HostMessage,
    embed: &EmbedOptions,
    doc: &Rc<Scenario>,
    run: &RunHandle,
    dispatch: &Callback<Action>,
    host: &Host,
) {
    match message {
        HostMessage::Load { scenario, link } => match scenario_of(scenario, link) {
            Ok(s) => dispatch.emit(Action::Editor(EditorAction::Load {
                doc: Box::new(s),
                label: "Loaded by the host page".into(),
                dirty: false,
            })),
            Err(message) => host.send(&EmbedMessage::Error { message }),
        },
        HostMessage::Play {} => run.input(Input::Play(doc.clone())),
        HostMessage::Pause {} => run.input(Input::Pause),
        HostMessage::Seek { t } => run.input(Input::Seek(doc.clone(), t)),
        HostMessage::SetSpeed { speed } => {
            let value = match &speed {
                serde_json::Value::String(s) if s == "max" => Some(MAX_SPEED),
                v => v.as_f64().filter(|s| s.is_finite() && *s > 0.0),
            };
            match value {
                Some(s) => run.input(Input::Speed(s)),
                None => host.send(&EmbedMessage::Error {
                    message: format!("speed {speed} is not a positive number or \"max\""),
                }),
            }
        }
        HostMessage::Inject {
            node,
            kind,
            duration_s,
            value,
        } => {
            if doc.node_index(&node).is_none() {
                host.send(&EmbedMessage::Error {
                    message: format!("no node {node:?} in this scenario"),
                });
                return;
            }
            match api::fault(&node, &kind, duration_s, value) {
                Ok(fault) => run.input(Input::Inject(fault)),
                Err(message) => host.send(&EmbedMessage::Error { message }),
            }
        }
        HostMessage::GetReport {} => {
            let report = run.player().report.clone();
            match report {
                Some(r) => host.send(&EmbedMessage::Report {
                    report: r.to_json(),
                }),
                None => host.send(&EmbedMessage::Error {
                    message: "no report yet: the run has not finished".into(),
                }),
            }
        }
        HostMessage::Hello {} => host.send(&EmbedMessage::Ready {
            api: api::EMBED_API_VERSION,
        }),
        HostMessage::SlideStart => {
            if embed.autoplay {
                run.input(Input::Play(doc.clone()));
            }
        }
        HostMessage::SlideStop => {
            if run.player().status == Status::Playing {
                run.input(Input::Pause);
            }
        }
    }
}

/// The embed's side of the message API (does nothing outside embed mode).
#[hook]
pub fn use_embed_host(state: &AppState, dispatch: &Callback<Action>, run: &RunHandle) {
    let host = use_mut_ref(Host::default);
    let latest = use_mut_ref(|| state.editor.doc.clone());
    *latest.borrow_mut() = state.editor.doc.clone();
    let embed = state.embed.clone();
    // Listen to the host; say ready.
    {
        let host = host.clone();
        let latest = latest.clone();
        let dispatch = dispatch.clone();
        let run = run.clone();
        let embed = embed.clone();
        use_effect_with((), move |()| {
            let listener = embed.map(|embed| {
                share::post_to_parent(
                    &api::encode(&EmbedMessage::Ready {
                        api: api::EMBED_API_VERSION,
                    }),
                    "*",
                );
                EventListener::new(&gloo::utils::window(), "message", move |e| {
                    let Some(e) = e.dyn_ref::<MessageEvent>() else {
                        return;
                    };
                    let data = e.data();
                    let text = data.as_string().or_else(|| {
                        js_sys::JSON::stringify(&data)
                            .ok()
                            .and_then(|s| s.as_string())
                    });
                    let Some(message) = text.as_deref().and_then(api::decode) else {
                        return;
                    };
                    let first = host.borrow_mut().origin.replace(e.origin()).is_none();
                    if first {
                        // The host is known now: it gets the size it missed.
                        let height = share::content_height();
                        host.borrow_mut().last_height = height;
                        host.borrow().send(&EmbedMessage::Resize { height });
                    }
                    let doc = latest.borrow().clone();
                    match message {
                        Ok(m) => on_host_message(m, &embed, &doc, &run, &dispatch, &host.borrow()),
                        Err(message) => host.borrow().send(&EmbedMessage::Error { message }),
                    }
                })
            });
            move || drop(listener)
        });
    }
    // `loaded` when a scenario is loaded.
    {
        let host = host.clone();
        let doc = state.editor.doc.clone();
        use_effect_with(state.editor.loads, move |_| {
            host.borrow().send(&EmbedMessage::Loaded {
                duration_s: doc.duration_s,
                nodes: doc.nodes.iter().map(|n| n.id.clone()).collect(),
            });
        });
    }
    // `time`, at most 4 times a second.
    {
        let host = host.clone();
        use_effect_with(state.live.clone(), move |live| {
            if let Some(live) = live {
                let now = js_sys::Date::now();
                let mut h = host.borrow_mut();
                if now - h.last_time_ms >= TIME_EVERY_MS {
                    h.last_time_ms = now;
                    h.send(&EmbedMessage::Time {
                        t: live.time_s,
                        kpis: kpis_of(live),
                    });
                }
            }
        });
    }
    // `finished`.
    {
        let host = host.clone();
        use_effect_with(state.outcome.clone(), move |outcome| {
            if let Outcome::Done { report, digest, .. } = outcome {
                host.borrow().send(&EmbedMessage::Finished {
                    kpis: kpis(&report.ledger, report.cost.total_usd),
                    digest: digest.as_deref().unwrap_or_default().to_owned(),
                });
            }
        });
    }
    // `resize` when the content's height changes.
    {
        let host: Rc<RefCell<Host>> = host.clone();
        use_effect(move || {
            // Only for a known host: reading the height forces a layout, and outside an
            // embed (or before the host speaks) nobody would receive it.
            if host.borrow().origin.is_none() {
                return;
            }
            let height = share::content_height();
            let mut h = host.borrow_mut();
            if (height - h.last_height).abs() >= 1.0 {
                h.last_height = height;
                h.send(&EmbedMessage::Resize { height });
            }
        });
    }
}

/// The page in embed mode.
pub fn embed_view(state: &AppState, embed: &EmbedOptions, dispatch: &Callback<Action>) -> Html {
    let e = &state.editor;
    let fragment = surge_core::link::encode(&e.doc, &surge_core::LinkExtras::default());
    let open_in_surge = format!("{}#{fragment}", share::base_url());
    let canvas = matches!(embed.show, Show::Canvas | Show::Both).then(|| {
        html! {
            <div class="embed-canvas">
                <Canvas doc={e.doc.clone()} problems={e.problems.clone()} selection={e.selection.clone()}
                    viewport={e.viewport} notice={e.notice.clone()} live={state.live.clone()}
                    dispatch={dispatch.clone()} />
            </div>
        }
    });
    let charts = matches!(embed.show, Show::Charts | Show::Both).then(|| match &state.live {
        Some(live) => html! {
            <div class="embed-charts">
                <LiveChart id="chart-e2e" title="end to end"
                    series={Rc::new(crate::run::end_to_end(&live.frames, live.at))} level_label="in flight" />
            </div>
        },
        None => html! {
            <div class="embed-charts empty"><p>{ "Press Play to watch the run." }</p></div>
        },
    });
    let show = match embed.show {
        Show::Canvas => "show-canvas",
        Show::Charts => "show-charts",
        Show::Both => "show-both",
    };
    html! {
        <div class={classes!("app", "embed", show, embed.dark.then_some("theme-dark"), (!embed.editable).then_some("read-only"))}>
            <div class="embed-bar">
                if embed.controls != Controls::None {
                    <PlayerBar doc={e.doc.clone()} dispatch={dispatch.clone()} controls={Some(embed.controls)} />
                }
                <a class="open-in-surge" id="open-in-surge" href={open_in_surge} target="_blank" rel="noopener">{ "Open in Surge ↗" }</a>
            </div>
            <KpiStrip live={state.live.clone()} outcome={state.outcome.clone()} />
            <div class="embed-body">
                { for canvas }
                { for charts }
            </div>
        </div>
    }
}
