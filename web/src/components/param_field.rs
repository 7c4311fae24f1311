//! One parameter in the inspector: label, input, unit, default, range, explanation, and
//! the reason in place when a value is refused.
//!
//! Why local text state: a refused value stays in the input (so the user can fix it)
//! while the document keeps the last valid one; when the document changes underneath
//! (undo), the input follows it.

use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::editor::schema::{self, FieldKind, FieldSpec};

/// Applies a value at a path; returns why it was refused.
pub type Commit = Callback<(Vec<String>, Option<Value>), Result<(), String>>;

/// Props of [`ParamField`].
#[derive(Properties, PartialEq, Clone, Debug)]
pub struct ParamFieldProps {
    /// What the field is.
    pub spec: Rc<FieldSpec>,
    /// Its JSON path below the edited object.
    pub path: Vec<String>,
    /// Current value (`None`: absent, the default applies).
    pub value: Option<Value>,
    /// The value a new node has.
    pub default: Option<Value>,
    /// Applies a change.
    pub on_commit: Commit,
    /// Seals the undo step when the field loses focus.
    pub on_blur: Callback<()>,
    /// Prefix of element ids.
    pub id_prefix: AttrValue,
    /// Locked by the open exercise: shown, not editable.
    #[prop_or_default]
    pub locked: bool,
}

fn event_value(e: &Event) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<HtmlInputElement>() {
        return Some(if i.type_() == "checkbox" {
            i.checked().to_string()
        } else {
            i.value()
        });
    }
    if let Some(s) = t.dyn_ref::<HtmlSelectElement>() {
        return Some(s.value());
    }
    t.dyn_ref::<HtmlTextAreaElement>()
        .map(HtmlTextAreaElement::value)
}

/// One parameter.
#[component]
pub fn ParamField(p: &ParamFieldProps) -> Html {
    let shown = schema::display(p.value.as_ref());
    let text = use_state(|| shown.clone());
    let error = use_state(|| None::<String>);
    let seen = use_mut_ref(|| shown.clone());
    if *seen.borrow() != shown {
        // The document changed underneath (undo, another panel): follow it.
        *seen.borrow_mut() = shown.clone();
        if *text != shown {
            text.set(shown.clone());
        }
        if error.is_some() {
            error.set(None);
        }
    }
    let id = format!("{}-{}", p.id_prefix, p.path.join("-"));
    let err_id = format!("{id}-error");
    let spec = p.spec.clone();
    let submit = {
        let text = text.clone();
        let error = error.clone();
        let spec = spec.clone();
        let path = p.path.clone();
        let commit = p.on_commit.clone();
        move |raw: String| {
            text.set(raw.clone());
            let result = schema::parse_input(&spec, &raw)
                .and_then(|value| commit.emit((path.clone(), value)));
            error.set(result.err());
        }
    };
    let on_blur = {
        let b = p.on_blur.clone();
        Callback::from(move |_: FocusEvent| b.emit(()))
    };
    let default_text = match p.default.as_ref() {
        None | Some(Value::Null) => {
            if spec.nullable {
                "none".to_owned()
            } else {
                String::new()
            }
        }
        Some(v @ (Value::Array(_) | Value::Object(_))) => {
            let s = serde_json::to_string(v).unwrap_or_default();
            if s.len() > 40 { String::new() } else { s }
        }
        Some(v) => schema::display(Some(v)),
    };
    // A blank field shows the value the model uses for it.
    let placeholder = if default_text.is_empty() && spec.nullable {
        "none".to_owned()
    } else {
        default_text.clone()
    };
    let invalid = error.is_some().then_some("true");
    let described = error.is_some().then(|| err_id.clone());
    let input = match &spec.kind {
        FieldKind::Number { .. } | FieldKind::Text => {
            let submit = submit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                if let Some(v) = event_value(&e) {
                    submit(v);
                }
            });
            let mode = if matches!(spec.kind, FieldKind::Number { .. }) {
                "decimal"
            } else {
                "text"
            };
            html! {
                <span class="field-input">
                    <input id={id.clone()} type="text" inputmode={mode} value={(*text).clone()}
                        placeholder={placeholder.clone()}
                        aria-invalid={invalid} aria-describedby={described.clone()}
                        {oninput} onblur={on_blur.clone()} />
                    <span class="unit">{ spec.unit }</span>
                </span>
            }
        }
        FieldKind::Bool => {
            let submit = submit.clone();
            let onchange = Callback::from(move |e: Event| {
                if let Some(v) = event_value(&e) {
                    submit(v);
                }
            });
            html! {
                <span class="field-input">
                    <input id={id.clone()} type="checkbox" checked={*text == "true"} {onchange} />
                </span>
            }
        }
        FieldKind::Choice(choices) => {
            let submit = submit.clone();
            let onchange = Callback::from(move |e: Event| {
                if let Some(v) = event_value(&e) {
                    submit(v);
                }
            });
            let current = if text.is_empty() {
                schema::display(p.default.as_ref())
            } else {
                (*text).clone()
            };
            html! {
                <span class="field-input">
                    <select id={id.clone()} {onchange} aria-describedby={described.clone()}>
                        if spec.nullable {
                            <option value="" selected={current.is_empty()}>{ "none" }</option>
                        }
                        { for choices.iter().map(|c| html! {
                            <option value={c.value.clone()} selected={c.value == current} title={c.doc.clone()}>
                                { format!("{}{}", c.value, if c.doc.is_empty() { String::new() } else { format!(" — {}", short(&c.doc)) }) }
                            </option>
                        }) }
                    </select>
                </span>
            }
        }
        FieldKind::Group(fields) => {
            let enabled = p.value.as_ref().is_some_and(|v| !v.is_null());
            let toggle = if spec.nullable {
                let commit = p.on_commit.clone();
                let path = p.path.clone();
                let error = error.clone();
                let onchange = Callback::from(move |e: Event| {
                    let on = event_value(&e).as_deref() == Some("true");
                    let value = on.then(|| Value::Object(serde_json::Map::new()));
                    error.set(commit.emit((path.clone(), value)).err());
                });
                html! {
                    <label class="toggle"><input id={id.clone()} type="checkbox" checked={enabled} {onchange} />{ " on" }</label>
                }
            } else {
                html! {}
            };
            let nested = (enabled || !spec.nullable).then(|| {
                html! {
                    <div class="group-fields">
                        { for fields.iter().map(|f| {
                            let mut path = p.path.clone();
                            path.push(f.name.clone());
                            let value = p.value.as_ref().and_then(|v| v.get(&f.name)).cloned();
                            let default = p.default.as_ref().and_then(|v| v.get(&f.name)).cloned();
                            html! {
                                <ParamField key={f.name.clone()} spec={Rc::new(f.clone())} {path} {value} {default}
                                    on_commit={p.on_commit.clone()} on_blur={p.on_blur.clone()}
                                    id_prefix={p.id_prefix.clone()} />
                            }
                        }) }
                    </div>
                }
            });
            return html! {
                <fieldset class="param group">
                    <legend title={spec.doc.clone()}>{ &spec.title }{ toggle }</legend>
                    <p class="param-doc">{ &spec.doc }</p>
                    { for nested }
                    if let Some(e) = &*error {
                        <p class="param-error" role="alert">{ e }</p>
                    }
                </fieldset>
            };
        }
        FieldKind::Json => {
            let submit = submit.clone();
            let onchange = Callback::from(move |e: Event| {
                if let Some(v) = event_value(&e) {
                    submit(v);
                }
            });
            let rows = text.lines().count().clamp(2, 12).to_string();
            html! {
                <textarea id={id.clone()} class="json" rows={rows} value={(*text).clone()} spellcheck="false"
                    aria-invalid={invalid} aria-describedby={described.clone()} {onchange} onblur={on_blur.clone()} />
            }
        }
    };
    html! {
        <div class={classes!("param", error.is_some().then_some("invalid"), p.locked.then_some("locked"))}>
            <label for={id.clone()} class="param-label" title={spec.doc.clone()}>
                { &spec.title }
                if p.locked {
                    <span class="param-meta" title="The exercise does not let you change this">{ " · locked" }</span>
                }
            </label>
            <fieldset class="param-lock" disabled={p.locked}>{ input }</fieldset>
            <p class="param-doc">
                { &spec.doc }
                if !default_text.is_empty() {
                    <span class="param-meta">{
                        // "none" takes no unit.
                        if default_text == "none" {
                            " Default none.".to_owned()
                        } else {
                            format!(" Default {default_text}{}.", unit_suffix(spec.unit))
                        }
                    }</span>
                }
                if let Some(r) = &spec.range {
                    <span class="param-meta">{ format!(" Range {r}{}.", unit_suffix(spec.unit)) }</span>
                }
            </p>
            if let Some(e) = &*error {
                <p class="param-error" id={err_id} role="alert">{ format!("Refused: {e}") }</p>
            }
        </div>
    }
}

fn unit_suffix(unit: &str) -> String {
    match unit {
        "" => String::new(),
        "/s" | "%" => unit.to_owned(),
        u => format!(" {u}"),
    }
}

/// The first clause of a doc line: up to a colon, a semicolon, a parenthesis or a full
/// stop that ends a sentence (not the dot of ".NET", "3.11" or "provided.al2023").
fn short(doc: &str) -> &str {
    let bytes = doc.as_bytes();
    let end = doc
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ':' | ';' | '(')
                || (c == '.' && i > 0 && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()))
        })
        .map_or(doc.len(), |(i, _)| i);
    let mut end = end.min(48);
    while !doc.is_char_boundary(end) {
        end -= 1;
    }
    doc[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn a_choice_is_described_by_its_first_clause() {
        assert_eq!(short(".NET 8 managed (~280 ms)."), ".NET 8 managed");
        assert_eq!(short("Python 3.11–3.13 (~80 ms)."), "Python 3.11–3.13");
        assert_eq!(
            short("Go on provided.al2023 (~45 ms)."),
            "Go on provided.al2023"
        );
        assert_eq!(
            short("First in, first out. Then more."),
            "First in, first out"
        );
        assert_eq!(short("Standard: at least once"), "Standard");
    }
}
