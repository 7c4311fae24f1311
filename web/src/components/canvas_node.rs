//! One node on the canvas: its box, icon, label, typed ports and problem badge.
//!
//! Why a separate, memoised component: during a pan or a drag only the nodes whose props
//! changed re-render, which keeps 200-node diagrams smooth.

use yew::prelude::*;

use crate::editor::geometry::{NODE_H, NODE_W};

/// How a node reacts to a connection being dragged over the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropHint {
    /// No connection in progress.
    Idle,
    /// The dragged connection may end here.
    Accepts,
    /// The core's rules refuse a connection to this node.
    Refuses,
}

/// Props of [`CanvasNode`].
#[derive(Properties, PartialEq, Clone, Debug)]
pub struct CanvasNodeProps {
    /// Node id.
    pub id: AttrValue,
    /// Display label.
    pub label: AttrValue,
    /// Kind label ("Lambda").
    pub kind_label: &'static str,
    /// Kind tag (a CSS class).
    pub kind: &'static str,
    /// Icon path.
    pub icon: &'static str,
    /// Top-left corner.
    pub x: f64,
    /// Top-left corner.
    pub y: f64,
    /// Selected?
    pub selected: bool,
    /// Validation problems at this node.
    pub problems: usize,
    /// Invocation kinds the input port accepts ("" when it has none).
    pub inputs: AttrValue,
    /// Invocation kinds the output port offers ("" when it has none).
    pub outputs: AttrValue,
    /// Connection feedback.
    pub drop: DropHint,
    /// While a run is watched: the gauge text, the share of the limit in use, and the
    /// health (a CSS class suffix and words).
    #[prop_or_default]
    pub gauge: Option<(AttrValue, f64, &'static str, &'static str)>,
}

/// Characters of the label and of the gauge that fit beside the icon.
const LABEL_CHARS: usize = 15;
const GAUGE_CHARS: usize = 18;

/// `text` cut to `max` characters with an ellipsis, or whole when it fits.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.truncate(cut.trim_end().len());
        cut.push('…');
        cut
    }
}

/// A node.
#[component]
pub fn CanvasNode(p: &CanvasNodeProps) -> Html {
    let mut class = classes!("node", format!("kind-{}", p.kind));
    if p.selected {
        class.push("selected");
    }
    if p.problems > 0 {
        class.push("has-problems");
    }
    if let Some((_, _, health, _)) = &p.gauge {
        class.push(format!("health-{health}"));
    }
    match p.drop {
        DropHint::Idle => {}
        DropHint::Accepts => class.push("drop-ok"),
        DropHint::Refuses => class.push("drop-no"),
    }
    let mut aria = format!("{} ({})", p.label, p.kind_label);
    if p.problems > 0 {
        aria.push_str(&format!(
            ", {} problem{}",
            p.problems,
            if p.problems == 1 { "" } else { "s" }
        ));
    }
    // The full label and gauge on hover: the box shows as much as fits. The title is also
    // the node's accessible name (an `aria-label` would not contain a label cut to fit).
    if let Some((text, _, _, words)) = &p.gauge {
        aria.push_str(&format!(", {words} ({text})"));
    }
    let tooltip = aria;
    let mid = NODE_H / 2.0;
    html! {
        <g {class} transform={format!("translate({} {})", p.x, p.y)} data-node={p.id.clone()}
            tabindex="0" role="button" aria-pressed={p.selected.to_string()}>
            <title>{ tooltip }</title>
            <rect class="node-box" width={NODE_W.to_string()} height={NODE_H.to_string()} rx="10" />
            <g class="node-icon" transform="translate(12 16)">
                <path d={p.icon} fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>
            </g>
            <text class="node-label" x="46" y="25">{ fit(&p.label, LABEL_CHARS) }</text>
            if let Some((text, fill, _, _)) = &p.gauge {
                <text class="node-gauge" x="46" y="42">{ fit(text, GAUGE_CHARS) }</text>
                <rect class="gauge-track" x="8" y={(NODE_H - 8.0).to_string()} width={(NODE_W - 16.0).to_string()} height="4" rx="2" />
                <rect class="gauge-fill" x="8" y={(NODE_H - 8.0).to_string()} width={format!("{:.1}", (NODE_W - 16.0) * fill)} height="4" rx="2" />
            } else {
                <text class="node-kind" x="46" y="43">{ p.kind_label }</text>
            }
            if !p.inputs.is_empty() {
                <circle class="port port-in" cx="0" cy={mid.to_string()} r="6" data-port="in">
                    <title>{ format!("input: {}", p.inputs) }</title>
                </circle>
            }
            if !p.outputs.is_empty() {
                <g class="port-out-hit" data-port="out">
                    <circle class="port-halo" cx={NODE_W.to_string()} cy={mid.to_string()} r="14" />
                    <circle class="port port-out" cx={NODE_W.to_string()} cy={mid.to_string()} r="6">
                        <title>{ format!("output: {} (drag to connect)", p.outputs) }</title>
                    </circle>
                </g>
            }
            if p.problems > 0 {
                <g class="badge" transform={format!("translate({} 0)", NODE_W - 4.0)}>
                    <circle r="9" />
                    <text y="4" text-anchor="middle">{ p.problems }</text>
                </g>
            }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(fit("orders-fn", 15), "orders-fn");
        assert_eq!(fit("a very long function name", 15), "a very long fu…");
        assert_eq!(fit("ends in space here", 8), "ends in…");
        assert_eq!(fit("ééééééééé", 4), "ééé…");
    }
}
