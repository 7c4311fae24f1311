//! The palette of services that can be placed on the canvas.
//!
//! Why simple drawn shapes: recognisable at a glance without copying anyone's artwork.

use yew::prelude::*;

/// One service in the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaletteItem {
    /// The node kind it will create.
    pub kind: &'static str,
    /// Label shown to the user.
    pub label: &'static str,
    /// One line on what it does.
    pub hint: &'static str,
    /// SVG path data of its icon in a 24×24 box.
    pub icon: &'static str,
}

/// The services of the foundation's palette, in display order.
pub const PALETTE: [PaletteItem; 6] = [
    PaletteItem {
        kind: "api_gateway",
        label: "API Gateway",
        hint: "HTTP front door: throttling, 29 s timeout",
        icon: "M3 6h18v12H3z M7 10h10 M7 14h6",
    },
    PaletteItem {
        kind: "lambda",
        label: "Lambda",
        hint: "Functions with a shared concurrency pool",
        icon: "M5 20 L11 4 M11 4 L19 20 M8 12 L5 20",
    },
    PaletteItem {
        kind: "sqs",
        label: "SQS",
        hint: "Queue: absorbs surges, redrives to a DLQ",
        icon: "M3 8h18v8H3z M8 8v8 M13 8v8",
    },
    PaletteItem {
        kind: "step_functions",
        label: "Step Functions",
        hint: "Workflows with retries and catches",
        icon: "M6 4h4v4H6z M14 16h4v4h-4z M8 8v4h8v4",
    },
    PaletteItem {
        kind: "rds_proxy",
        label: "RDS Proxy",
        hint: "Pools and multiplexes database connections",
        icon: "M4 12h6 M14 12h6 M10 8h4v8h-4z",
    },
    PaletteItem {
        kind: "kinesis",
        label: "Kinesis",
        hint: "Sharded stream, ordered per key",
        icon: "M3 7h18 M3 12h18 M3 17h18",
    },
];

/// The left-hand list of services.
#[component]
pub fn Palette() -> Html {
    html! {
        <nav class="palette" aria-label="Services">
            <h2>{ "Services" }</h2>
            <ul>
                { for PALETTE.iter().map(|item| html! {
                    <li class="palette-item" data-kind={item.kind} title={item.hint}>
                        <svg viewBox="0 0 24 24" aria-hidden="true">
                            <path d={item.icon} fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>
                        </svg>
                        <span class="label">{ item.label }</span>
                    </li>
                }) }
            </ul>
        </nav>
    }
}
