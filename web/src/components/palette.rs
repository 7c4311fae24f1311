//! The palette: every service, grouped by role. Drag an item onto the canvas, or click it
//! (or press Enter on it) to add it at the centre of the view.
//!
//! A search field on top filters the items by name, description and kind (Enter adds the
//! first match), for those who know what they want and not where it sits.
//!
//! Why pointer events and not HTML drag-and-drop: they work the same for mouse, pen and
//! touch, and the drop position is exact.

use yew::prelude::*;

use crate::editor::catalog::{CATALOG, CatalogItem, Group};

/// Props of [`Palette`].
#[derive(Properties, PartialEq, Debug)]
pub struct PaletteProps {
    /// Add the item with this key at the centre of the view.
    pub on_add: Callback<&'static str>,
    /// A drag of the item with this key started at this client point.
    pub on_drag_start: Callback<(&'static str, f64, f64)>,
}

/// A service's icon.
pub fn icon(item: &CatalogItem) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
            <path d={item.icon} fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>
        </svg>
    }
}

/// The left-hand list of services.
#[component]
pub fn Palette(props: &PaletteProps) -> Html {
    let query = use_state(String::new);
    let q = query.to_lowercase();
    let matches = |i: &CatalogItem| {
        q.is_empty()
            || i.label.to_lowercase().contains(&q)
            || i.hint.to_lowercase().contains(&q)
            || i.key.replace('_', " ").contains(&q)
    };
    let first = CATALOG.iter().find(|i| matches(i)).map(|i| i.key);
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(input.value());
            }
        })
    };
    let onkeydown = {
        let on_add = props.on_add.clone();
        let query = query.clone();
        Callback::from(move |e: KeyboardEvent| {
            match e.key().as_str() {
                "Enter" => {
                    if let Some(key) = first {
                        e.prevent_default();
                        on_add.emit(key);
                    }
                }
                "Escape" => query.set(String::new()),
                _ => {}
            }
            // The canvas' shortcuts (Delete, arrows, F…) are not for this field.
            e.stop_propagation();
        })
    };
    let group = |g: Group| {
        if !CATALOG.iter().any(|i| i.group == g && matches(i)) {
            return html! {};
        }
        html! {
            <li class="palette-group">
                <h3>{ g.title() }</h3>
                <ul>
                    { for CATALOG.iter().filter(|i| i.group == g && matches(i)).map(|item| {
                        let key = item.key;
                        let onclick = {
                            let on_add = props.on_add.clone();
                            Callback::from(move |_: MouseEvent| on_add.emit(key))
                        };
                        let onpointerdown = {
                            let start = props.on_drag_start.clone();
                            Callback::from(move |e: PointerEvent| {
                                if e.button() == 0 {
                                    start.emit((key, f64::from(e.client_x()), f64::from(e.client_y())));
                                }
                            })
                        };
                        html! {
                            <li>
                                <button type="button" class="palette-item" data-kind={item.key}
                                    title={item.hint} aria-label={format!("Add {}: {}", item.label, item.hint)}
                                    {onclick} {onpointerdown}>
                                    { icon(item) }
                                    <span class="label">{ item.label }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </li>
        }
    };
    html! {
        <nav class="palette" aria-label="Services">
            <h2>{ "Services" }</h2>
            <input type="search" id="palette-search" class="palette-search" placeholder="Search services"
                aria-label="Search services (Enter adds the first)" value={(*query).clone()} {oninput} {onkeydown} />
            <ul class="palette-groups">
                { for Group::ALL.iter().map(|g| group(*g)) }
            </ul>
            if first.is_none() {
                <p class="palette-none" role="status">{ format!("No service matches “{}”", *query) }</p>
            }
            <p class="palette-tip">{ "Drag onto the canvas, or press Enter to add at the centre." }</p>
        </nav>
    }
}
