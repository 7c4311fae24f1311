//! One level per simulated second (concurrency, connections) against its limit, drawn with
//! plotters on a canvas.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::charts::{panel, per_second};
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
        // Drawn at the next animation frame, not in the task that renders the results: a
        // run's report arrives in one message, and drawing inside its render was ~2 ms of
        // that task, one of the page's longest. A newer series cancels a draw not yet done.
        let pending = use_mut_ref(|| None::<gloo::render::AnimationFrame>);
        use_effect_with(
            (props.series.clone(), props.limit),
            move |(series, limit)| {
                let (series, limit) = (series.clone(), *limit);
                crate::dom::after_frames(&pending, 1, move || {
                    if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                        // A drawing error leaves the chart blank; the numbers above still
                        // stand.
                        let _ = draw(el, &series, limit);
                    }
                });
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
    let mut chart = panel(&root, x_max, y_max, 44, &|y| format!("{y:.0}"))?;
    if limit > 0 {
        chart.draw_series(LineSeries::new(
            [(0.0, f64::from(limit)), (x_max, f64::from(limit))],
            RED.stroke_width(1),
        ))?;
    }
    chart.draw_series(LineSeries::new(
        per_second(series),
        RGBColor(37, 99, 235).stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}
