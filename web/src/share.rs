//! The page's side of share links, embeds and the Recent list: the address the page is
//! published at, the fragment, the clipboard, local storage and `postMessage`.
//!
//! Why one file: these are the only places the page touches the URL, the clipboard and
//! the parent frame; everything they carry is built and read by pure code (the core's
//! `link` module, `embed`, `recent`), tested natively.

use gloo::storage::{LocalStorage, Storage};
use wasm_bindgen::JsCast;

use crate::recent::{self, RecentEntry};

/// The page's address without query or fragment: where Surge is published (links and
/// embeds are built on it, so a copy under any sub-path of any static host works).
pub fn base_url() -> String {
    let location = gloo::utils::window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    // The directory of the page (`…/surge/` for `…/surge/index.html` and `…/surge/`).
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    format!("{origin}{dir}")
}

/// The fragment, without `#` (empty if none).
pub fn fragment() -> String {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    hash.trim_start_matches('#').to_owned()
}

/// The query string, with its `?`.
pub fn query() -> String {
    gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default()
}

/// Removes the fragment from the address bar (without a reload): once a link is opened,
/// a reload must not open it again over the work done since.
pub fn clear_fragment() {
    let window = gloo::utils::window();
    let location = window.location();
    let url = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Copies `text` to the clipboard (the browser may refuse outside a click; the caller
/// shows the text too).
pub fn copy(text: &str) {
    let clipboard = gloo::utils::window().navigator().clipboard();
    let _ = clipboard.write_text(text);
}

/// The Recent list from local storage.
pub fn read_recent() -> Vec<RecentEntry> {
    let raw = gloo::utils::window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(recent::RECENT_STORAGE_KEY).ok().flatten());
    recent::read(raw.as_deref())
}

/// Writes the Recent list (a full or disabled storage loses only the list).
pub fn write_recent(list: &[RecentEntry]) {
    let _ = LocalStorage::set(recent::RECENT_STORAGE_KEY, list);
}

/// Milliseconds since the epoch (for the Recent list's dates).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Posts `text` to the parent frame at `origin` (an embed's host).
pub fn post_to_parent(text: &str, origin: &str) {
    let window = gloo::utils::window();
    if let Ok(Some(parent)) = window.parent()
        && !js_sys::Object::is(&parent, &window)
    {
        let _ = parent.post_message(&text.into(), origin);
    }
}

/// The page's content height (for an embed's `resize` event).
pub fn content_height() -> f64 {
    gloo::utils::document()
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map_or(0.0, |e| f64::from(e.scroll_height()))
}

/// Where the open exercise is kept (a reload reopens it).
pub const EXERCISE_STORAGE_KEY: &str = "surge.exercise.v1";
/// Where the work on each exercise is kept: exercise id → the student's design.
pub const EXERCISE_WORK_STORAGE_KEY: &str = "surge.exercise.work.v1";

/// The exercise kept open, if any.
pub fn read_exercise() -> Option<surge_core::exercise::Exercise> {
    let saved: serde_json::Value = LocalStorage::get(EXERCISE_STORAGE_KEY).ok()?;
    surge_core::exercise::Exercise::from_json(&saved.to_string()).ok()
}

/// Keeps the open exercise (none: forgets it).
pub fn write_exercise(exercise: Option<&surge_core::exercise::Exercise>) {
    match exercise {
        Some(e) => {
            let value: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
            let _ = LocalStorage::set(EXERCISE_STORAGE_KEY, value);
        }
        None => LocalStorage::delete(EXERCISE_STORAGE_KEY),
    }
}

/// The work kept for an exercise.
pub fn read_exercise_work(id: &str) -> Option<surge_core::Scenario> {
    let saved: serde_json::Value = LocalStorage::get(EXERCISE_WORK_STORAGE_KEY).ok()?;
    surge_core::Scenario::parse_json(&saved.get(id)?.to_string()).ok()
}

/// Keeps the work on an exercise (a full or disabled storage loses only this).
pub fn write_exercise_work(id: &str, doc: &surge_core::Scenario) {
    let mut saved: serde_json::Map<String, serde_json::Value> =
        LocalStorage::get(EXERCISE_WORK_STORAGE_KEY).unwrap_or_default();
    saved.insert(id.to_owned(), serde_json::to_value(doc).unwrap_or_default());
    let _ = LocalStorage::set(EXERCISE_WORK_STORAGE_KEY, saved);
}
