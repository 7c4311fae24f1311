//! One component per file; each is a pure view of its props.

mod canvas;
mod canvas_edge;
mod canvas_node;
mod concurrency_chart;
mod event_log;
mod header;
mod help_overlay;
mod inspector;
mod minimap;
mod node_table;
mod palette;
mod param_field;
mod player;
mod results;
mod run_panel;
mod side_panel;
mod timeline;
mod toolbar;

pub use canvas::{Canvas, focus_inspector, invocation_name};
pub use canvas_edge::CanvasEdge;
pub use canvas_node::{CanvasNode, DropHint};
pub use concurrency_chart::ConcurrencyChart;
pub use event_log::EventLog;
pub use header::Header;
pub use help_overlay::{HelpOverlay, SHORTCUTS};
pub use inspector::Inspector;
pub use minimap::Minimap;
pub use node_table::NodeTable;
pub use palette::{Palette, icon};
pub use param_field::{Commit, ParamField};
pub use player::{Player, PlayerBar, RunHandle, publish};
pub use results::Results;
pub use run_panel::{RunPanel, may_discard};
pub use side_panel::SidePanel;
pub use timeline::{Timeline, rate_curve};
pub use toolbar::{Toolbar, fit_view, zoom_by};
