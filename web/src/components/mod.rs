//! One component per file; each is a pure view of its props.

mod canvas_area;
mod concurrency_chart;
mod header;
mod node_table;
mod palette;
mod results;
mod run_panel;

pub use canvas_area::CanvasArea;
pub use concurrency_chart::ConcurrencyChart;
pub use header::Header;
pub use node_table::NodeTable;
pub use palette::{PALETTE, Palette, PaletteItem};
pub use results::Results;
pub use run_panel::RunPanel;
