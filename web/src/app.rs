//! The page: header, palette, toolbar and canvas, side panel; one reducer; the effects.
//!
//! Why the effects live here: `App` owns the state handle, so autosave (debounced, to
//! local storage), the keyboard shortcuts (one window listener that turns keys into
//! actions through the table in `keymap`) and the palette drag (window pointer listeners while a drag is on) are wired
//! once, and every component stays a view of its props.

use std::rc::Rc;

use gloo::events::EventListener;
use gloo::storage::{LocalStorage, Storage};
use gloo::timers::callback::Timeout;
use serde_json::Value;
use surge_core::Scenario;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent, PointerEvent};
use yew::prelude::*;

use crate::components::{
    Canvas, EventLog, Gallery, Header, HelpOverlay, KpiStrip, Palette, PlayerBar, RunHandle,
    SidePanel, TalkView, Toolbar, fit_view, zoom_by,
};
use crate::dom;
use crate::editor::geometry::{GRID, NODE_H, NODE_W};
use crate::editor::{Edit, Editor, EditorAction, SelectOp, catalog};
use crate::embed::{EmbedOptions, PageQuery};
use crate::embed_host::{embed_view, use_embed_host};
use crate::keymap::{self, Command};
use crate::run::player::{Input, Status};
use crate::share;
use crate::state::{Action, AppState, Replay};

/// Local-storage key of the autosaved document (versioned: a format change gets a new key;
/// the scenario inside is migrated on read like any file).
pub const EDITOR_STORAGE_KEY: &str = "surge.editor.v1";

/// Query parameter that makes the app panic on start, to exercise the panic panel.
pub const SIMULATE_PANIC_QUERY: &str = "simulate-panic";

/// How long after the first render the simulation worker is started.
const WARM_WORKER_AFTER_MS: u32 = 1_000;

/// How long the document must rest before it is written to local storage.
const AUTOSAVE_DELAY_MS: u32 = 300;

/// The autosaved editor, if there is one that still parses.
pub fn restore() -> Option<Editor> {
    let saved: Value = LocalStorage::get(EDITOR_STORAGE_KEY).ok()?;
    let scenario = saved.get("scenario")?;
    let doc = Scenario::parse_json(&scenario.to_string()).ok()?;
    let dirty = saved.get("dirty").and_then(Value::as_bool).unwrap_or(false);
    Some(Editor::new(doc, dirty))
}

fn autosave(doc: &Scenario, dirty: bool) {
    let value = serde_json::json!({ "version": 1, "dirty": dirty, "scenario": doc });
    // A full or disabled storage loses only the autosave; the page keeps working.
    let _ = LocalStorage::set(EDITOR_STORAGE_KEY, value);
}

/// A palette item being dragged: its key and the pointer's client position.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PaletteDrag {
    key: &'static str,
    start: (f64, f64),
    at: (f64, f64),
}

/// The whole playground.
#[component]
pub fn App() -> Html {
    if wants_simulated_panic() {
        panic!("simulated panic requested by ?{SIMULATE_PANIC_QUERY}");
    }
    let state = use_reducer(initial_state);
    // One callback for the page's life: a new one each render would make every child's
    // props differ, so every component would re-render on every action (during a run at
    // "max", the whole page several times a second).
    let dispatch = {
        let dispatcher = state.dispatcher();
        (*use_memo((), move |()| {
            Callback::from(move |action| dispatcher.dispatch(action))
        }))
        .clone()
    };

    // Autosave, debounced so a drag writes once when it rests (never in an embed: it
    // does not touch the visitor's storage).
    {
        let doc = state.editor.doc.clone();
        let dirty = state.editor.dirty;
        let embedded = state.embed.is_some();
        let exercise = state.exercise.as_ref().map(|x| x.exercise.id.clone());
        use_effect_with((doc, dirty, exercise), move |(doc, dirty, exercise)| {
            let (doc, dirty, exercise) = (doc.clone(), *dirty, exercise.clone());
            let timer = (!embedded).then(|| {
                Timeout::new(AUTOSAVE_DELAY_MS, move || {
                    autosave(&doc, dirty);
                    if let Some(id) = exercise {
                        share::write_exercise_work(&id, &doc);
                    }
                })
            });
            move || drop(timer)
        });
    }
    // The open exercise is kept, so a reload reopens it with the work.
    {
        let embedded = state.embed.is_some();
        let exercise = state.exercise.as_ref().map(|x| x.exercise.clone());
        use_effect_with(exercise, move |exercise| {
            if !embedded {
                share::write_exercise(exercise.as_deref());
            }
        });
    }

    // Frame the diagram once the canvas has its size, and again whenever a document is
    // loaded (New, Open, a lesson).
    {
        let dispatch = dispatch.clone();
        let doc = state.editor.doc.clone();
        use_effect_with(state.editor.loads, move |_| {
            Timeout::new(0, move || fit_view(&doc, &dispatch)).forget();
        });
    }

    let run_handle = {
        let dispatch = dispatch.clone();
        (*use_memo((), move |()| {
            let handle = RunHandle::default();
            handle.connect(dispatch);
            handle
        }))
        .clone()
    };

    // The worker starts once the page has settled, so the first Play finds it ready.
    {
        let run = run_handle.clone();
        use_effect_with((), move |()| {
            Timeout::new(WARM_WORKER_AFTER_MS, move || run.warm()).forget();
        });
    }

    // A share link in the address: opened once on load, and whenever the fragment changes.
    let latest_doc = use_mut_ref(|| {
        (
            state.editor.doc.clone(),
            state.editor.dirty,
            state.recent.clone(),
        )
    });
    *latest_doc.borrow_mut() = (
        state.editor.doc.clone(),
        state.editor.dirty,
        state.recent.clone(),
    );
    // What to do once the opened document is in the editor (seek to the link's second,
    // an embed's speed and autoplay): done after it is loaded, with the editor's copy.
    let pending = use_mut_ref(|| None::<Start>);
    {
        let dispatch = dispatch.clone();
        let latest = latest_doc.clone();
        let embed = state.embed.clone();
        let pending = pending.clone();
        let run = run_handle.clone();
        use_effect_with((), move |()| {
            let open = move || {
                let (doc, dirty, recent) = latest.borrow().clone();
                let fragment = share::fragment();
                let at = open_fragment(
                    &fragment,
                    (dirty, &doc, &recent),
                    embed.is_some(),
                    &dispatch,
                );
                let start = start_of(embed.as_deref(), at);
                if fragment.is_empty() {
                    // Nothing to load: start with the document as it is.
                    if let Some(start) = start {
                        start.apply(&doc, &run);
                    }
                } else {
                    *pending.borrow_mut() = start;
                }
            };
            open();
            let listener =
                EventListener::new(&gloo::utils::window(), "hashchange", move |_| open());
            move || drop(listener)
        });
    }
    {
        let run = run_handle.clone();
        let doc = state.editor.doc.clone();
        let pending = pending.clone();
        let seen = use_mut_ref(|| state.editor.loads);
        // Once the render that loaded the link's document has happened.
        use_effect_with(state.editor.loads, move |loads| {
            if *seen.borrow() != *loads {
                *seen.borrow_mut() = *loads;
                if let Some(start) = pending.borrow_mut().take() {
                    start.apply(&doc, &run);
                }
            }
        });
    }
    use_embed_host(&state, &dispatch, &run_handle);

    // Keyboard shortcuts (the table in `keymap`).
    let latest = use_mut_ref(|| {
        (
            state.editor.doc.clone(),
            state.editor.viewport,
            false,
            Rc::new(Vec::<String>::new()),
        )
    });
    *latest.borrow_mut() = (
        state.editor.doc.clone(),
        state.editor.viewport,
        state.help_open,
        Rc::new(state.editor.selection.nodes.iter().cloned().collect()),
    );
    {
        let dispatch = dispatch.clone();
        let latest = latest.clone();
        let run = run_handle.clone();
        use_effect_with((), move |()| {
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let window = gloo::utils::window();
            let listener = EventListener::new_with_options(&window, "keydown", options, move |e| {
                if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
                    let (doc, viewport, help_open, selected) = latest.borrow().clone();
                    on_key(k, &doc, viewport, help_open, &selected, &dispatch, &run);
                }
            });
            move || drop(listener)
        });
    }

    // A SAM or CloudFormation template pasted anywhere but in a text field opens as a
    // diagram (one undo step; the work it replaces stays in the undo history).
    {
        let dispatch = dispatch.clone();
        let read_only = state.embed.as_ref().is_some_and(|e| !e.editable);
        use_effect_with(read_only, move |read_only| {
            let read_only = *read_only;
            let window = gloo::utils::window();
            let listener = EventListener::new(&window, "paste", move |e| {
                if read_only {
                    return;
                }
                let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                    return;
                };
                let in_field = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                let text = e
                    .clipboard_data()
                    .and_then(|d| d.get_data("text/plain").ok())
                    .unwrap_or_default();
                if in_field || !surge_import::looks_like_template(&text) {
                    return;
                }
                match crate::import::open_text("the pasted template", &text) {
                    Ok(opened) => {
                        dispatch.emit(Action::Editor(EditorAction::Load {
                            doc: Box::new(opened.doc),
                            label: "Paste template".into(),
                            dirty: true,
                        }));
                        notice(&dispatch, opened.notice, false);
                    }
                    Err(reason) => notice(&dispatch, reason, true),
                }
            });
            move || drop(listener)
        });
    }

    // Palette drag: a ghost follows the pointer; dropping on the canvas adds the node there.
    let drag = use_state(|| None::<PaletteDrag>);
    let suppress_click = use_mut_ref(|| false);
    {
        let drag_handle = drag.clone();
        let dispatch = dispatch.clone();
        let viewport = state.editor.viewport;
        let suppress = suppress_click.clone();
        let active = drag.is_some();
        use_effect_with((active, viewport), move |(active, viewport)| {
            let mut listeners = Vec::new();
            if *active {
                let window = gloo::utils::window();
                let moving = drag_handle.clone();
                listeners.push(EventListener::new(&window, "pointermove", move |e| {
                    if let (Some(p), Some(d)) = (e.dyn_ref::<PointerEvent>(), *moving) {
                        moving.set(Some(PaletteDrag {
                            at: (f64::from(p.client_x()), f64::from(p.client_y())),
                            ..d
                        }));
                    }
                }));
                let viewport = *viewport;
                let ending = drag_handle.clone();
                listeners.push(EventListener::new(&window, "pointerup", move |e| {
                    let (Some(p), Some(d)) = (e.dyn_ref::<PointerEvent>(), *ending) else {
                        return;
                    };
                    ending.set(None);
                    let (x, y) = (f64::from(p.client_x()), f64::from(p.client_y()));
                    let moved = (x - d.start.0).abs() + (y - d.start.1).abs() > 6.0;
                    let (point, inside) = dom::canvas_point(x, y);
                    if moved && inside {
                        *suppress.borrow_mut() = true;
                        let w = viewport.to_world(point);
                        dispatch.emit(Action::Editor(EditorAction::Edit(Edit::AddNode {
                            item: d.key.to_owned(),
                            at: surge_core::Position {
                                x: w.x - NODE_W / 2.0,
                                y: w.y - NODE_H / 2.0,
                            },
                        })));
                    }
                }));
            }
            move || drop(listeners)
        });
    }
    let on_drag_start = {
        let drag = drag.clone();
        Callback::from(move |(key, x, y): (&'static str, f64, f64)| {
            drag.set(Some(PaletteDrag {
                key,
                start: (x, y),
                at: (x, y),
            }));
        })
    };
    let on_add = {
        let dispatch = dispatch.clone();
        let viewport = state.editor.viewport;
        let suppress = suppress_click.clone();
        let drag = drag.clone();
        Callback::from(move |key: &'static str| {
            // A quick click can release the pointer before the drag's window listeners
            // are attached (they come with the next render): the click ends the drag, or
            // a stale drag would take over the next pointer release anywhere on the page.
            drag.set(None);
            if std::mem::take(&mut *suppress.borrow_mut()) {
                return;
            }
            dispatch.emit(Action::Editor(EditorAction::Edit(Edit::AddNode {
                item: key.to_owned(),
                at: dom::canvas_centre_world(&viewport),
            })));
        })
    };
    let ghost = drag.and_then(|d| {
        let moved = (d.at.0 - d.start.0).abs() + (d.at.1 - d.start.1).abs() > 6.0;
        let item = catalog::find(d.key)?;
        moved.then(|| {
            html! {
                <div class="drag-ghost" style={format!("left:{}px;top:{}px", d.at.0, d.at.1)} aria-hidden="true">
                    { crate::components::icon(item) }{ item.label }
                </div>
            }
        })
    });

    let e = &state.editor;
    let close_help = {
        let d = dispatch.clone();
        Callback::from(move |()| d.emit(Action::Help(false)))
    };
    let replay = state.replay.as_ref().map(|r| match r {
        Replay::Same => html! {
            <div class="replay same" id="replay" role="status">{ "✓ Same result as the author" }</div>
        },
        Replay::Different(why) => html! {
            <div class="replay different" id="replay" role="status">{ format!("Different result from the author's: {why}") }</div>
        },
    });
    if state.talk {
        let title = state
            .lesson
            .and_then(|(n, _)| crate::lessons::find(n).map(|l| format!("Lesson {n} · {}", l.title)))
            .unwrap_or_else(|| "Surge".into());
        return html! {
            <ContextProvider<RunHandle> context={run_handle}>
                <TalkView doc={state.editor.doc.clone()} live={state.live.clone()} title={title}
                    embedded={state.embed.is_some()} dispatch={dispatch.clone()} />
            </ContextProvider<RunHandle>>
        };
    }
    if let Some(embed) = state.embed.clone() {
        return html! {
            <ContextProvider<RunHandle> context={run_handle}>
                { embed_view(&state, &embed, &dispatch) }
            </ContextProvider<RunHandle>>
        };
    }
    html! {
        <ContextProvider<RunHandle> context={run_handle}>
        <div class={classes!(
            "app",
            drag.is_some().then_some("dragging"),
            (!e.selection.nodes.is_empty() || !e.selection.edges.is_empty()).then_some("has-selection"),
        )}>
            // Past the header and the fifteen palette buttons, straight to the diagram.
            <a class="skip-link" href="#canvas-svg" onclick={Callback::from(|e: MouseEvent| {
                e.prevent_default();
                if let Some(el) = gloo::utils::document()
                    .get_element_by_id("canvas-svg")
                    .and_then(|el| el.dyn_into::<web_sys::SvgElement>().ok())
                {
                    let _ = el.focus();
                }
            })}>{ "Skip to the diagram" }</a>
            <Header on_lessons={state.embed.is_none().then(|| {
                let d = dispatch.clone();
                Callback::from(move |_| d.emit(Action::Gallery(true)))
            })} on_talk={{
                let d = dispatch.clone();
                Callback::from(move |_| d.emit(Action::Talk(true)))
            }} />
            <main class="workspace">
                <Palette {on_add} {on_drag_start} />
                <div class="editor-column">
                    <Toolbar doc={e.doc.clone()} dirty={e.dirty} viewport={e.viewport}
                        undo={e.history.undo_label().map(|l| AttrValue::from(l.to_owned()))}
                        redo={e.history.redo_label().map(|l| AttrValue::from(l.to_owned()))}
                        problems={e.problems.len()} outcome={state.outcome.clone()}
                        recent={state.recent.clone()} dispatch={dispatch.clone()} />
                    <PlayerBar doc={e.doc.clone()} dispatch={dispatch.clone()}
                        selected={e.selection.single_node().map(|id| AttrValue::from(id.to_owned()))}
                        panel={state.panel} />
                    { replay.unwrap_or_default() }
                    <KpiStrip live={state.live.clone()} outcome={state.outcome.clone()} />
                    <Canvas doc={e.doc.clone()} problems={e.problems.clone()} selection={e.selection.clone()}
                        viewport={e.viewport} notice={e.notice.clone()} live={state.live.clone()}
                        dispatch={dispatch.clone()} />
                    <EventLog lines={state.live.as_ref().map(|l| l.log.clone()).unwrap_or_default()}
                        doc={e.doc.clone()} dispatch={dispatch.clone()} />
                </div>
                <SidePanel state={(*state).clone()} dispatch={dispatch.clone()} />
            </main>
            { ghost.unwrap_or_default() }
            if state.help_open {
                <HelpOverlay on_close={close_help} />
            }
            if state.gallery_open && state.embed.is_none() {
                <Gallery dirty={e.dirty} dispatch={dispatch.clone()} />
            }
        </div>
        </ContextProvider<RunHandle>>
    }
}

/// The state the page starts with: embed options from the query; outside an embed, the
/// autosaved document and the Recent list.
fn initial_state() -> AppState {
    let query = share::query();
    let embed = EmbedOptions::from_query(&query);
    let page = PageQuery::from_query(&query);
    let mut state = match &embed {
        Some(_) => AppState::default(),
        None => {
            let restored = restore();
            // A first visit (nothing saved) lands on the lesson gallery.
            let first_visit = restored.is_none();
            let mut s = AppState::with_editor(restored.unwrap_or_default());
            s.recent = Rc::new(share::read_recent());
            s.gallery_open = first_visit || page.lessons;
            // An exercise left open: reopened beside the work (restored above).
            if let Some(x) = share::read_exercise().and_then(crate::state::ExerciseState::open) {
                s.exercise = Some(Rc::new(x));
                s.gallery_open = false;
            }
            if page.lesson.is_some() && s.editor.dirty {
                // A lesson link replaces the document: unsaved work goes to Recent first.
                let mut list = (*s.recent).clone();
                crate::recent::push(&mut list, &s.editor.doc, share::now_ms());
                share::write_recent(&list);
                s.recent = Rc::new(list);
            }
            s
        }
    };
    state.embed = embed.map(Rc::new);
    if let Some(number) = page.lesson {
        state = state.apply(Action::OpenLesson { number, variant: 0 });
    }
    if page.talk {
        state = state.apply(Action::Talk(true));
    }
    state
}

/// What a page does once its document is loaded: seek, set the speed, play.
#[derive(Clone, Debug, Default, PartialEq)]
struct Start {
    at_s: Option<f64>,
    speed: Option<f64>,
    play: bool,
}

impl Start {
    fn apply(&self, doc: &Rc<Scenario>, run: &RunHandle) {
        if let Some(speed) = self.speed {
            run.input(Input::Speed(speed));
        }
        if let Some(t) = self.at_s {
            run.input(Input::Seek(doc.clone(), t));
        }
        if self.play {
            run.input(Input::Play(doc.clone()));
        }
    }
}

/// The start of a page: the link's second, and an embed's speed, start and autoplay.
fn start_of(embed: Option<&EmbedOptions>, link_at: Option<f64>) -> Option<Start> {
    let start = Start {
        at_s: link_at.or(embed.and_then(|e| e.start_s)),
        speed: embed.and_then(|e| e.speed),
        play: embed.is_some_and(|e| e.autoplay),
    };
    (start != Start::default()).then_some(start)
}

/// Opens the share link in `fragment`, if any, and returns the second it points at:
/// unsaved work goes to Recent first (never in an embed); a link that cannot be read
/// leaves the document as it is and says why.
fn open_fragment(
    fragment: &str,
    (dirty, doc, recent): (bool, &Rc<Scenario>, &Rc<Vec<crate::recent::RecentEntry>>),
    embedded: bool,
    dispatch: &Callback<Action>,
) -> Option<f64> {
    if fragment.is_empty() {
        return None;
    }
    if surge_core::link::is_exercise_link(fragment) {
        open_exercise_link(fragment, (dirty, doc, recent), embedded, dispatch);
        return None;
    }
    match surge_core::link::decode(fragment) {
        Ok(link) => {
            let moved = !embedded && dirty && **doc != link.scenario;
            if moved {
                put_aside(doc, recent, dispatch);
            }
            if !embedded {
                share::clear_fragment();
            }
            let at = link.extras.at_s;
            dispatch.emit(Action::OpenLink(Box::new(link)));
            if moved {
                notice(
                    dispatch,
                    "Opened the link; your unsaved work is in Recent".into(),
                    false,
                );
            }
            at
        }
        Err(e) => {
            let reason =
                e.0.first()
                    .map_or_else(|| e.to_string(), |e| e.reason.clone());
            notice(
                dispatch,
                format!("This link cannot be opened: {reason}. Nothing was changed."),
                true,
            );
            None
        }
    }
}

/// Puts unsaved work in Recent before a link replaces it.
fn put_aside(
    doc: &Scenario,
    recent: &Rc<Vec<crate::recent::RecentEntry>>,
    dispatch: &Callback<Action>,
) {
    let mut list = (**recent).clone();
    crate::recent::push(&mut list, doc, share::now_ms());
    share::write_recent(&list);
    dispatch.emit(Action::Recent(Rc::new(list)));
}

/// Opens an exercise link: the solution it carries, else the work kept for it, else its
/// start; unsaved work goes to Recent first.
fn open_exercise_link(
    fragment: &str,
    (dirty, doc, recent): (bool, &Rc<Scenario>, &Rc<Vec<crate::recent::RecentEntry>>),
    embedded: bool,
    dispatch: &Callback<Action>,
) {
    match surge_core::link::decode_exercise(fragment) {
        Ok(link) => {
            if !embedded && dirty {
                put_aside(doc, recent, dispatch);
            }
            if !embedded {
                share::clear_fragment();
            }
            let solution = link.solution.or_else(|| {
                (!embedded)
                    .then(|| share::read_exercise_work(&link.exercise.id))
                    .flatten()
            });
            dispatch.emit(Action::OpenExercise {
                exercise: Box::new(link.exercise),
                solution: solution.map(Box::new),
            });
        }
        Err(reason) => notice(
            dispatch,
            format!("This exercise link cannot be opened: {reason}. Nothing was changed."),
            true,
        ),
    }
}

fn notice(dispatch: &Callback<Action>, text: String, refused: bool) {
    dispatch.emit(Action::Editor(EditorAction::Notice(Some(
        crate::editor::Notice { text, refused },
    ))));
}

fn on_key(
    k: &KeyboardEvent,
    doc: &Rc<Scenario>,
    viewport: crate::editor::Viewport,
    help_open: bool,
    selected: &[String],
    dispatch: &Callback<Action>,
    run: &RunHandle,
) {
    let on_canvas = k
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| {
            el.closest(&format!("#{}", dom::CANVAS_ID))
                .ok()
                .flatten()
                .is_some()
                || el.tag_name().eq_ignore_ascii_case("body")
        });
    let ctrl = k.ctrl_key() || k.meta_key();
    let Some(command) = keymap::command_for(&k.key(), ctrl, k.shift_key(), on_canvas) else {
        return;
    };
    if command == Command::Escape {
        if help_open {
            dispatch.emit(Action::Help(false));
        } else if dom::is_typing(k.target()) {
            // Escape leaves a field, so the editor's shortcuts work again.
            if let Some(el) = k
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.blur();
            }
        } else {
            dispatch.emit(Action::Editor(EditorAction::Select(SelectOp::Clear)));
        }
        return;
    }
    if dom::is_typing(k.target()) || help_open {
        return;
    }
    let editor = |a: EditorAction| dispatch.emit(Action::Editor(a));
    let step = if k.shift_key() { 5.0 * GRID } else { GRID };
    match command {
        Command::Escape => {}
        Command::Undo => editor(EditorAction::Undo),
        Command::Redo => editor(EditorAction::Redo),
        Command::Copy => editor(EditorAction::Copy),
        Command::Cut => editor(EditorAction::Cut),
        Command::Paste => editor(EditorAction::Paste),
        Command::Duplicate => editor(EditorAction::Duplicate),
        Command::SelectAll => editor(EditorAction::Select(SelectOp::All)),
        Command::Delete => editor(EditorAction::DeleteSelection),
        Command::Nudge(dx, dy) => {
            let (dx, dy) = (f64::from(dx) * step, f64::from(dy) * step);
            // On a focused box or note, the arrows move it (Alt: resize it).
            let annotation =
                dom::closest_attr(k.target(), "data-annotation").and_then(|i| i.parse().ok());
            editor(match annotation {
                Some(index) => EditorAction::NudgeAnnotation {
                    index,
                    dx,
                    dy,
                    resize: k.alt_key(),
                },
                None => EditorAction::Nudge(dx, dy),
            });
        }
        Command::PlayPause => {
            let playing = run.player().status == Status::Playing;
            run.input(if playing {
                Input::Pause
            } else {
                Input::Play(doc.clone())
            });
        }
        Command::Step => run.input(Input::Step(doc.clone())),
        Command::Help => dispatch.emit(Action::Help(true)),
        // With nodes selected, F frames them (zoom to selection); else the whole diagram.
        Command::Fit if !selected.is_empty() => {
            let mut part = (**doc).clone();
            part.nodes.retain(|n| selected.contains(&n.id));
            fit_view(&part, dispatch);
        }
        Command::Fit => fit_view(doc, dispatch),
        Command::ZoomIn => zoom_by(viewport, 1.2, dispatch),
        Command::ZoomOut => zoom_by(viewport, 1.0 / 1.2, dispatch),
    }
    k.prevent_default();
}

fn wants_simulated_panic() -> bool {
    gloo::utils::window().location().search().is_ok_and(|q| {
        q.trim_start_matches('?')
            .split('&')
            .any(|p| p == SIMULATE_PANIC_QUERY)
    })
}
