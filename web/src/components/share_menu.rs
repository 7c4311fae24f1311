//! Sharing from the toolbar: the link (its length on the button), the embed snippet with
//! its options, and the Recent list of documents put aside.
//!
//! Why the length on the button: chat tools and mail clients mangle links past about
//! 2,000 characters; people should see before they paste whether a link will survive,
//! and past that point they are offered the file instead.

use std::rc::Rc;

use surge_core::link::{self, CHAT_SAFE_CHARS};
use surge_core::{LinkExtras, MODEL_VERSION, Scenario};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::editor::{EditorAction, Notice};
use crate::embed::{Choice, Controls, EmbedOptions, Loading, Show};
use crate::recent::{self, RecentEntry};
use crate::state::{Action, Outcome};

/// Props of [`ShareMenu`].
#[derive(Properties, PartialEq, Debug)]
pub struct ShareMenuProps {
    /// The document.
    pub doc: Rc<Scenario>,
    /// Unsaved work? (Opening a Recent entry puts it aside first.)
    pub dirty: bool,
    /// The last run's outcome (its digest goes in the link when it ran this document).
    pub outcome: Outcome,
    /// Documents put aside.
    pub recent: Rc<Vec<RecentEntry>>,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

fn notice(dispatch: &Callback<Action>, text: String, refused: bool) {
    dispatch.emit(Action::Editor(EditorAction::Notice(Some(Notice {
        text,
        refused,
    }))));
}

/// The first digits of the last run's report digest, if that run was of `doc`.
pub fn digest_of(outcome: &Outcome, doc: &Scenario) -> Option<String> {
    match outcome {
        Outcome::Done {
            digest: Some(d),
            scenario_json,
            ..
        } if Scenario::parse_json(scenario_json).is_ok_and(|s| s == *doc) => {
            Some(d.chars().take(8).collect())
        }
        _ => None,
    }
}

/// The link to `doc` (and the moment in `extras`), with the model version.
pub fn share_link(doc: &Scenario, mut extras: LinkExtras) -> String {
    extras.model = Some(MODEL_VERSION);
    link::link(&crate::share::base_url(), doc, &extras)
}

/// Copies a link and says how long it is (and what to do past chat tools' limit).
pub fn copy_link(dispatch: &Callback<Action>, text: &str, what: &str) {
    crate::share::copy(text);
    let n = text.chars().count();
    if n > CHAT_SAFE_CHARS {
        notice(
            dispatch,
            format!(
                "{what} copied: {n} characters, longer than chat tools and mail keep (about {CHAT_SAFE_CHARS}); share the file (Save) instead"
            ),
            true,
        );
    } else {
        notice(dispatch, format!("{what} copied ({n} characters)"), false);
    }
}

/// How long edits rest before the link's length is measured again.
const LENGTH_DELAY_MS: u32 = 400;

/// The sharing controls.
#[component]
pub fn ShareMenu(p: &ShareMenuProps) -> Html {
    let embed_open = use_state(|| false);
    let options = use_state(EmbedOptions::default);
    // The link's length, for the button. Deflating a large diagram takes a while (about
    // 40 ms for 2,000 nodes), so it is measured once edits rest, not at each drag step.
    let length = use_state(|| None::<usize>);
    {
        let length = length.clone();
        use_effect_with(p.doc.clone(), move |doc| {
            let doc = doc.clone();
            let timer = gloo::timers::callback::Timeout::new(LENGTH_DELAY_MS, move || {
                length.set(Some(
                    link::link(&crate::share::base_url(), &doc, &LinkExtras::default()).len(),
                ));
            });
            move || drop(timer)
        });
    }
    let (length, shown) = match *length {
        Some(n) => (n, format!(" ({n})")),
        None => (0, String::new()),
    };
    let on_copy = {
        let doc = p.doc.clone();
        let outcome = p.outcome.clone();
        let dispatch = p.dispatch.clone();
        Callback::from(move |_| {
            let extras = LinkExtras {
                report: digest_of(&outcome, &doc),
                ..LinkExtras::default()
            };
            copy_link(&dispatch, &share_link(&doc, extras), "Link");
        })
    };
    let toggle_embed = {
        let open = embed_open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let recent_select = {
        let list = p.recent.clone();
        let doc = p.doc.clone();
        let dirty = p.dirty;
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            else {
                return;
            };
            let Ok(i) = select.value().parse::<usize>() else {
                return;
            };
            select.set_value("");
            let Some(entry) = list.get(i) else { return };
            match recent::open(entry) {
                Ok(opened) => {
                    let mut next = (*list).clone();
                    next.remove(i);
                    if dirty {
                        recent::push(&mut next, &doc, crate::share::now_ms());
                    }
                    crate::share::write_recent(&next);
                    dispatch.emit(Action::Recent(Rc::new(next)));
                    dispatch.emit(Action::Editor(EditorAction::Load {
                        doc: Box::new(opened),
                        label: "Open a recent document".into(),
                        dirty: true,
                    }));
                }
                Err(reason) => notice(&dispatch, format!("Cannot reopen it: {reason}"), true),
            }
        })
    };
    let embed_panel = (*embed_open).then(|| {
        let o = (*options).clone();
        let fragment = link::encode(&p.doc, &LinkExtras::default());
        let snippet = o.snippet(&crate::share::base_url(), &fragment);
        let set = |f: fn(&mut EmbedOptions, &str)| {
            let options = options.clone();
            Callback::from(move |e: Event| {
                let value = e
                    .target()
                    .and_then(|t| {
                        t.clone()
                            .dyn_into::<HtmlSelectElement>()
                            .map(|s| s.value())
                            .ok()
                            .or_else(|| {
                                t.dyn_into::<HtmlInputElement>().ok().map(|i| {
                                    if i.type_() == "checkbox" {
                                        i.checked().to_string()
                                    } else {
                                        i.value()
                                    }
                                })
                            })
                    })
                    .unwrap_or_default();
                let mut next = (*options).clone();
                f(&mut next, &value);
                options.set(next);
            })
        };
        let on_copy_snippet = {
            let dispatch = p.dispatch.clone();
            let snippet = snippet.clone();
            Callback::from(move |_| {
                crate::share::copy(&snippet);
                notice(&dispatch, "Embed snippet copied".into(), false);
            })
        };
        html! {
            <div class="embed-panel" id="embed-panel" role="dialog" aria-label="Embed this scenario">
                { choice("Show ", "embed-show", o.show, set(|o, v| o.show = Show::from_word(v))) }
                { choice("Controls ", "embed-controls", o.controls, set(|o, v| o.controls = Controls::from_word(v))) }
                { choice("Load ", "embed-load", o.loading, set(|o, v| o.loading = Loading::from_word(v))) }
                <label><input type="checkbox" id="embed-autoplay" checked={o.autoplay} onchange={set(|o, v| o.autoplay = v == "true")} />{ " autoplay" }</label>
                <label><input type="checkbox" id="embed-edit" checked={o.editable} onchange={set(|o, v| o.editable = v == "true")} />{ " editable" }</label>
                <label><input type="checkbox" id="embed-dark" checked={o.dark} onchange={set(|o, v| o.dark = v == "true")} />{ " dark" }</label>
                <label class="wide">{ "Title " }
                    <input type="text" id="embed-title" value={o.title.clone().unwrap_or_default()} onchange={set(|o, v| o.title = (!v.is_empty()).then(|| v.to_owned()))} />
                </label>
                <textarea id="embed-snippet" readonly=true rows="4" value={snippet} />
                <button type="button" id="copy-embed" onclick={on_copy_snippet}>{ "Copy snippet" }</button>
            </div>
        }
    });
    let over = length > CHAT_SAFE_CHARS;
    html! {
        <span class="share-menu">
            <button type="button" id="copy-link" onclick={on_copy} class={classes!(over.then_some("over"))}
                title={if over { format!("The link is {length} characters: too long for chat tools; Save shares the file") } else { "Copy a link to this scenario (it holds the whole diagram)".to_owned() }}>
                { format!("Copy link{shown}") }
            </button>
            <button type="button" id="embed" onclick={toggle_embed} aria-expanded={(*embed_open).to_string()}>{ "Embed…" }</button>
            if !p.recent.is_empty() {
                <select id="recent" aria-label="Recent documents" onchange={recent_select}>
                    <option value="" selected=true>{ format!("Recent ({})", p.recent.len()) }</option>
                    { for p.recent.iter().enumerate().map(|(i, e)| html! { <option value={i.to_string()}>{ &e.title }</option> }) }
                </select>
            }
            { embed_panel.unwrap_or_default() }
        </span>
    }
}

/// A labelled select over one of the embed's [`Choice`]s.
fn choice<C: Choice>(label: &str, id: &str, current: C, onchange: Callback<Event>) -> Html {
    html! {
        <label>{ label }
            <select id={id.to_owned()} {onchange}>
                { for C::VALUES.iter().map(|(value, word, wording)| html! {
                    <option value={*word} selected={*value == current}>{ *wording }</option>
                }) }
            </select>
        </label>
    }
}
