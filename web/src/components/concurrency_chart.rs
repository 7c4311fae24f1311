//! One level per simulated second (concurrency, connections) against its limit, drawn with
//! plotters on a canvas.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Props of [`ConcurrencyChart`].
#[derive(Properties, PartialEq, Debug)]
pub struct ConcurrencyChartProps {
    /// One value per simulated second.
    pub series: Vec<f64>,
    /// The limit, drawn as a red line.
    pub limit: u32,
    /// What the blue line is, e.g. "orders-fn concurrency".
    pub label: AttrValue,
}

/// Line chart of mean concurrency per second and the limit.
#[component]
pub fn ConcurrencyChart(props: &ConcurrencyChartProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(
            (props.series.clone(), props.limit),
            move |(series, limit)| {
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    // A drawing error leaves the chart blank; the numbers above still stand.
                    let _ = draw(el, series, *limit);
                }
            },
        );
    }
    html! {
        <figure class="chart">
            <canvas ref={canvas} width="320" height="180" role="img"
                aria-label={format!("{} per second against its limit", props.label)} />
            <figcaption>{
                if props.limit > 0 {
                    format!("{} per second (blue) vs limit (red)", props.label)
                } else {
                    format!("{} per second", props.label)
                }
            }</figcaption>
        </figure>
    }
}

fn draw(
    el: HtmlCanvasElement,
    series: &[f64],
    limit: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let backend = CanvasBackend::with_canvas_object(el).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let x_max = series.len().max(1) as f64;
    let y_peak = series.iter().copied().fold(0.0, f64::max);
    let y_max = (y_peak.max(f64::from(limit)) * 1.15).max(1.0);
    let mut chart = ChartBuilder::on(&root)
        .margin(6)
        .margin_right(16)
        .x_label_area_size(20)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(4)
        .light_line_style(RGBColor(238, 240, 244))
        .label_style(("sans-serif", 11))
        .x_label_formatter(&|x| format!("{x:.0}s"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    if limit > 0 {
        chart.draw_series(LineSeries::new(
            [(0.0, f64::from(limit)), (x_max, f64::from(limit))],
            RED.stroke_width(1),
        ))?;
    }
    chart.draw_series(LineSeries::new(
        series.iter().enumerate().map(|(i, &v)| (i as f64 + 0.5, v)),
        RGBColor(37, 99, 235).stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}
