//! The top bar with the product's name and what it is for.

use yew::prelude::*;

/// Props of [`Header`].
#[derive(Properties, PartialEq, Debug)]
pub struct HeaderProps {
    /// Opens the lesson gallery (none in an embed).
    #[prop_or_default]
    pub on_lessons: Option<Callback<MouseEvent>>,
    /// Enters talk mode.
    #[prop_or_default]
    pub on_talk: Option<Callback<MouseEvent>>,
}

/// Top bar.
#[component]
pub fn Header(p: &HeaderProps) -> Html {
    html! {
        <header class="topbar">
            <div class="brand">
                <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                    <path d="M2 22 Q8 6 14 16 T26 10 L30 10" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"/>
                </svg>
                <h1>{ "Surge" }</h1>
            </div>
            <p class="tagline">{ "Build serverless architectures, throw load at them, watch what really happens." }</p>
            if let Some(onclick) = p.on_lessons.clone() {
                <button type="button" class="header-lessons" id="open-gallery" {onclick}>{ "Lessons" }</button>
            }
            if let Some(onclick) = p.on_talk.clone() {
                <button type="button" class="header-lessons" id="open-talk" {onclick}
                    title="Present the scenario: full-screen canvas, large figures, its script's captions (→ / PageDown for the next beat)">{ "Talk mode" }</button>
            }
        </header>
    }
}
