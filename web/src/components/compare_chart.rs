//! A/B chart: the pinned baseline (A, pale) and the watched run (B, solid), end to end,
//! with a legend that says what differs between the two scenarios.

use std::rc::Rc;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{panel, per_second};
use crate::run::Series;

/// Props of [`CompareChart`].
#[derive(Properties, PartialEq, Debug)]
pub struct CompareChartProps {
    /// The baseline's end-to-end series.
    pub a: Rc<Series>,
    /// The watched run's end-to-end series (up to the playhead).
    pub b: Rc<Series>,
    /// What B changes relative to A.
    pub differences: Rc<Vec<String>>,
}

/// The chart.
#[component]
pub fn CompareChart(p: &CompareChartProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with((p.a.clone(), p.b.clone()), move |(a, b)| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                // A drawing error leaves the chart blank; the legend still says what differs.
                let _ = draw(el, a, b);
            }
        });
    }
    let total = |s: &Series| (s.goodput.iter().sum::<f64>(), s.errors.iter().sum::<f64>());
    let (ga, ea) = total(&p.a);
    let (gb, eb) = total(&p.b);
    html! {
        <figure class="chart compare" id="compare">
            <canvas ref={canvas} width="320" height="170" role="img"
                aria-label="Requests succeeded and failed per second: baseline A against run B" />
            <figcaption>
                <span class="legend">
                    <i class="k-good pale" />{ "A ok " }<i class="k-err pale" />{ "A failed " }
                    <i class="k-good" />{ "B ok " }<i class="k-err" />{ "B failed" }
                </span>
                <span>{ format!("A: {ga:.0} ok, {ea:.0} failed · B so far: {gb:.0} ok, {eb:.0} failed") }</span>
                <span class="what-differs">{ "B differs from A in: " }
                    if p.differences.is_empty() {
                        { "nothing (same scenario and seed)" }
                    } else {
                        <ul>{ for p.differences.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                    }
                </span>
            </figcaption>
        </figure>
    }
}

fn draw(el: HtmlCanvasElement, a: &Series, b: &Series) -> Result<(), Box<dyn std::error::Error>> {
    let backend = CanvasBackend::with_canvas_object(el).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let n = a.goodput.len().max(b.goodput.len()).max(1) as f64;
    let peak = [&a.goodput, &a.errors, &b.goodput, &b.errors]
        .iter()
        .flat_map(|v| v.iter().copied())
        .fold(0.0, f64::max);
    let y_max = (peak * 1.15).max(1.0);
    let mut chart = panel(&root, n, y_max, 42, &|y| format!("{y:.0}/s"))?;
    let pts = per_second;
    chart.draw_series(LineSeries::new(
        pts(&a.goodput),
        RGBColor(134, 239, 172).stroke_width(4),
    ))?;
    chart.draw_series(LineSeries::new(
        pts(&a.errors),
        RGBColor(252, 165, 165).stroke_width(4),
    ))?;
    chart.draw_series(LineSeries::new(
        pts(&b.goodput),
        RGBColor(22, 163, 74).stroke_width(2),
    ))?;
    chart.draw_series(LineSeries::new(
        pts(&b.errors),
        RGBColor(220, 38, 38).stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}
