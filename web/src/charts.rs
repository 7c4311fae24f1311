//! The look shared by every plotters chart on the page: one time-axis panel with light
//! mesh lines and small labels, and series points centred on their second.
//!
//! Why one place: the live, compare and limit charts must read alike, and their panels
//! differ only in the y range and label format.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// A chart panel over seconds `0..x_max` and values `0..y_max`.
pub type Panel<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Builds a panel on `area` with the page's mesh and labels; `y_label` formats the y axis.
pub fn panel<'a>(
    area: &'a DrawingArea<CanvasBackend, Shift>,
    x_max: f64,
    y_max: f64,
    y_label_area: u32,
    y_label: &dyn Fn(&f64) -> String,
) -> Result<Panel<'a>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(area)
        .margin(4)
        .margin_right(10)
        .x_label_area_size(14)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_labels(4)
        .y_labels(3)
        .light_line_style(RGBColor(238, 240, 244))
        .label_style(("sans-serif", 10))
        .x_label_formatter(&|x| format!("{x:.0}s"))
        .y_label_formatter(y_label)
        .draw()?;
    Ok(chart)
}

/// One value per second as points at the middle of each second.
pub fn per_second(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, &y)| (i as f64 + 0.5, y))
        .collect()
}
