//! Small browser helpers shared by components: element geometry, downloads, PNG export,
//! "is the user typing?", work put off by animation frames.
//!
//! Why here: components stay views of state; every direct DOM call they need is one named
//! function in this file.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, HtmlAnchorElement, HtmlCanvasElement, HtmlImageElement};

use crate::editor::Viewport;
use crate::editor::geometry::{self, Point};

/// DOM id of the canvas' `<svg>`.
pub const CANVAS_ID: &str = "canvas-svg";

/// The value of `attr` on the event target or its nearest ancestor that has it.
pub fn closest_attr(target: Option<web_sys::EventTarget>, attr: &str) -> Option<String> {
    let el = target?.dyn_into::<Element>().ok()?;
    el.closest(&format!("[{attr}]"))
        .ok()
        .flatten()?
        .get_attribute(attr)
}

fn element(id: &str) -> Option<Element> {
    gloo::utils::document().get_element_by_id(id)
}

/// The canvas' size in CSS pixels (a default before it is laid out).
pub fn canvas_size() -> (f64, f64) {
    element(CANVAS_ID)
        .map(|e| e.get_bounding_client_rect())
        .map_or((800.0, 500.0), |r| {
            (r.width().max(1.0), r.height().max(1.0))
        })
}

/// The box the minimap keeps clear at the canvas' bottom-right (its size and margin), or
/// nothing when it is hidden (phones).
pub fn minimap_corner() -> (f64, f64) {
    gloo::utils::document()
        .query_selector(".minimap")
        .ok()
        .flatten()
        .map(|e| e.get_bounding_client_rect())
        .filter(|r| r.width() > 0.0)
        .map_or((0.0, 0.0), |r| (r.width() + 20.0, r.height() + 20.0))
}

/// Where a client-space point lies on the canvas, in screen units relative to its corner,
/// and whether it is inside.
pub fn canvas_point(client_x: f64, client_y: f64) -> (Point, bool) {
    let Some(rect) = element(CANVAS_ID).map(|e| e.get_bounding_client_rect()) else {
        return (Point::default(), false);
    };
    let p = Point::new(client_x - rect.left(), client_y - rect.top());
    let inside = p.x >= 0.0 && p.y >= 0.0 && p.x <= rect.width() && p.y <= rect.height();
    (p, inside)
}

/// The world point at the centre of the visible canvas, shifted so a node is centred there.
pub fn canvas_centre_world(viewport: &Viewport) -> surge_core::Position {
    let (w, h) = canvas_size();
    let c = viewport.to_world(Point::new(w / 2.0, h / 2.0));
    surge_core::Position {
        x: c.x - geometry::NODE_W / 2.0,
        y: c.y - geometry::NODE_H / 2.0,
    }
}

/// Whether a key event comes from a text field (so editor shortcuts stay out of its way).
pub fn is_typing(target: Option<web_sys::EventTarget>) -> bool {
    target
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|e| {
            let tag = e.tag_name().to_ascii_lowercase();
            matches!(tag.as_str(), "input" | "textarea" | "select")
                || e.get_attribute("contenteditable").is_some()
        })
}

/// Offers `text` as a file download.
pub fn download_text(name: &str, mime: &str, text: &str) {
    let blob = gloo::file::Blob::new_with_options(text, Some(mime));
    download_blob(name, &blob.into());
}

fn download_blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let document = gloo::utils::document();
    if let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Offers a canvas' picture as a PNG download.
pub fn download_canvas(canvas: &HtmlCanvasElement, name: &str) {
    let name = name.to_owned();
    let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(blob) = blob {
            download_blob(&name, &blob);
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}

/// Draws the whole diagram (every node, not just the visible part) into a PNG at twice
/// the canvas resolution and offers it as a download.
pub fn export_png(doc: &surge_core::Scenario, name: &str) -> Result<(), String> {
    let svg = element(CANVAS_ID).ok_or("no canvas")?;
    let bounds = geometry::bounds(doc).ok_or("nothing to export: the canvas is empty")?;
    let margin = 40.0;
    let (w, h) = (bounds.w + 2.0 * margin, bounds.h + 2.0 * margin);
    let clone = svg
        .clone_node_with_deep(true)
        .map_err(|_| "cannot copy the canvas")?
        .dyn_into::<Element>()
        .map_err(|_| "cannot copy the canvas")?;
    let _ = clone.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let _ = clone.set_attribute("width", &format!("{w}"));
    let _ = clone.set_attribute("height", &format!("{h}"));
    let _ = clone.set_attribute("viewBox", &format!("0 0 {w} {h}"));
    if let Ok(Some(view)) = clone.query_selector(".viewport") {
        let _ = view.set_attribute(
            "transform",
            &format!("translate({} {})", margin - bounds.x, margin - bounds.y),
        );
    }
    for selector in [".overlay", ".canvas-hint"] {
        if let Ok(list) = clone.query_selector_all(selector) {
            for i in 0..list.length() {
                if let Some(n) = list.get(i)
                    && let Some(parent) = n.parent_node()
                {
                    let _ = parent.remove_child(&n);
                }
            }
        }
    }
    let markup = web_sys::XmlSerializer::new()
        .and_then(|s| s.serialize_to_string(&clone))
        .map_err(|_| "cannot serialise the canvas")?;
    let src = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        js_sys_encode(&markup)
    );
    let image = HtmlImageElement::new().map_err(|_| "no image")?;
    let scale = 2.0;
    let name = name.to_owned();
    let img = image.clone();
    let onload = Closure::once_into_js(move || {
        let document = gloo::utils::document();
        let Some(canvas) = document
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width((w * scale) as u32);
        canvas.set_height((h * scale) as u32);
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(0.0, 0.0, w * scale, h * scale);
        let _ = ctx.scale(scale, scale);
        let _ = ctx.draw_image_with_html_image_element(&img, 0.0, 0.0);
        let name = name.clone();
        let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
            if let Some(blob) = blob {
                download_blob(&name, &blob);
            }
        });
        let _ = canvas.to_blob(done.unchecked_ref());
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&src);
    Ok(())
}

fn js_sys_encode(s: &str) -> String {
    // Percent-encodes everything outside the unreserved set, as encodeURIComponent does.
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether the user asked the system for reduced motion.
pub fn prefers_reduced_motion() -> bool {
    gloo::utils::window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// A slot for work put off by [`after_frames`]; the component keeps it (`use_mut_ref`).
pub type FrameSlot = std::rc::Rc<std::cell::RefCell<Option<gloo::render::AnimationFrame>>>;

/// Runs `work` at the `frames`-th animation frame from now (1: the next one). Work put in
/// the same `slot` later cancels this one if it has not run yet. Why: the charts draw after
/// the page's own update has been laid out, painted and committed, so no one frame does
/// both (at "max" a view arrives every 100 ms).
pub fn after_frames(slot: &FrameSlot, frames: u8, work: impl FnOnce() + 'static) {
    let again = slot.clone();
    *slot.borrow_mut() = Some(gloo::render::request_animation_frame(move |_| {
        if frames > 1 {
            after_frames(&again, frames - 1, work);
        } else {
            work();
        }
    }));
}
