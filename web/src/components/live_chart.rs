//! Charts that follow the playhead: calls per second (throughput, goodput, failures); level
//! against limit, queue and connections; latency p50/p90/p99 (a node) or cost so far (end
//! to end). Hovering reads a second's values, failures by kind included; PNG export.

use std::rc::Rc;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::charts::{panel, per_second};
use crate::run::Series;

const W: u32 = 320;
const H: u32 = 330;
/// Left edge of the plotting area (after the y labels), in canvas pixels.
const LEFT: f64 = 46.0;
const RIGHT: f64 = 10.0;

/// Props of [`LiveChart`].
#[derive(Properties, PartialEq, Debug)]
pub struct LiveChartProps {
    /// What is charted ("fn", "end to end").
    pub title: AttrValue,
    /// The series up to the playhead.
    pub series: Rc<Series>,
    /// What the level is ("concurrency", "in flight").
    #[prop_or(AttrValue::Static("in node"))]
    pub level_label: AttrValue,
    /// DOM id of the canvas.
    pub id: AttrValue,
}

/// The chart.
#[component]
pub fn LiveChart(p: &LiveChartProps) -> Html {
    let canvas = use_node_ref();
    let hover = use_state(|| None::<usize>);
    {
        let canvas = canvas.clone();
        // Drawn an animation frame after the page's update, not in the task that rendered
        // the page: at "max" a view arrives every 100 ms, and drawing inside its render,
        // or in the frame that lays out, paints and commits the rest of the view, made
        // that one long main-thread task. A newer series cancels a draw not yet done.
        let pending = use_mut_ref(|| None::<gloo::render::AnimationFrame>);
        use_effect_with(p.series.clone(), move |series| {
            let series = series.clone();
            crate::dom::after_frames(&pending, 2, move || {
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    // A drawing error leaves the chart blank; the readout and log still stand.
                    let _ = draw(el, &series);
                }
            });
        });
    }
    let n = p.series.throughput.len();
    let onmousemove = {
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let x = f64::from(e.offset_x());
            let width = f64::from(W) - LEFT - RIGHT;
            let i = ((x - LEFT) / width * n as f64).floor();
            hover.set((i >= 0.0 && (i as usize) < n).then_some(i as usize));
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let on_png = {
        let canvas = canvas.clone();
        let name = format!("surge-{}.png", p.title.replace(' ', "-"));
        Callback::from(move |_| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                crate::dom::download_canvas(&el, &name);
            }
        })
    };
    let s = &p.series;
    let at = hover.unwrap_or(n.saturating_sub(1));
    let readout = if n == 0 {
        "No second computed yet.".to_owned()
    } else {
        let g = |v: &Vec<f64>| v.get(at).copied().unwrap_or(0.0);
        let mut r = format!(
            "t={} s · {:.0}/s done · {:.0}/s ok · {:.0}/s failed ({:.0} throttled) · {} {:.0}",
            at + 1,
            g(&s.throughput),
            g(&s.goodput),
            g(&s.errors),
            g(&s.throttled),
            p.level_label,
            g(&s.level)
        );
        if let Some(l) = s.limit {
            r.push_str(&format!("/{l}"));
        }
        if g(&s.queue) > 0.0 {
            r.push_str(&format!(" · queue {:.0}", g(&s.queue)));
        }
        if g(&s.p99) > 0.0 {
            r.push_str(&format!(
                " · p50 {:.0} / p99 {:.0} ms",
                g(&s.p50),
                g(&s.p99)
            ));
        }
        if g(&s.oldest_age) >= 1.0 {
            r.push_str(&format!(" · oldest {:.0} s", g(&s.oldest_age)));
        }
        if let Some(c) = s.cost.get(at) {
            r.push_str(&format!(" · ${c:.4} so far"));
        }
        if let Some(kinds) = s.by_kind.get(at) {
            let named: Vec<String> = surge_core::ErrorKind::ALL
                .iter()
                .zip(kinds)
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("{n} {}", crate::run::error_label(*k)))
                .collect();
            if !named.is_empty() {
                r.push_str(&format!(" · failures: {}", named.join(", ")));
            }
        }
        if g(&s.connections) > 0.0 {
            r.push_str(&format!(" · {:.0} connections", g(&s.connections)));
        }
        if g(&s.cold_starts) > 0.0 {
            r.push_str(&format!(" · {:.0} cold starts", g(&s.cold_starts)));
        }
        r
    };
    html! {
        <figure class="chart live-chart">
            <canvas id={p.id.clone()} ref={canvas} width={W.to_string()} height={H.to_string()} role="img"
                aria-label={format!("{}: calls per second and level over time", p.title)}
                {onmousemove} {onmouseleave} />
            <figcaption>
                <span class="readout" aria-live="off">{ readout }</span>
                <span class="legend">
                    <i class="k-through" />{ "done " }<i class="k-good" />{ "ok " }<i class="k-err" />{ "failed " }
                    <i class="k-level" />{ p.level_label.clone() }{ " " }<i class="k-limit" />{ "limit " }<i class="k-queue" />{ "queue " }<i class="k-conn" />{ "connections " }
                    if p.series.cost.is_empty() {
                        <i class="k-p99" />{ "p99 (p50, p90 grey)" }
                    } else {
                        <i class="k-cost" />{ "cost so far" }
                    }
                </span>
                <button type="button" class="ghost small" onclick={on_png} aria-label={format!("Export the {} chart as PNG", p.title)}>{ "PNG" }</button>
            </figcaption>
        </figure>
    }
}

fn draw(el: HtmlCanvasElement, s: &Series) -> Result<(), Box<dyn std::error::Error>> {
    let backend = CanvasBackend::with_canvas_object(el).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let (top, rest) = root.split_vertically(H / 3);
    let (bottom, third) = rest.split_vertically(H / 3);
    let n = s.throughput.len().max(1) as f64;
    let peak = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let style = |c: RGBColor| c.stroke_width(2);
    let points = per_second;

    let y_max = (peak(&s.throughput) * 1.15).max(1.0);
    let mut chart = panel(&top, n, y_max, LEFT as u32 - 4, &|y| format!("{y:.0}/s"))?;
    chart.draw_series(LineSeries::new(
        points(&s.throughput),
        style(RGBColor(100, 116, 139)),
    ))?;
    chart.draw_series(LineSeries::new(
        points(&s.goodput),
        style(RGBColor(22, 163, 74)),
    ))?;
    chart.draw_series(LineSeries::new(
        points(&s.errors),
        style(RGBColor(220, 38, 38)),
    ))?;

    let limit = s.limit.map_or(0.0, f64::from);
    let y2 = (peak(&s.level)
        .max(peak(&s.queue))
        .max(peak(&s.connections))
        .max(limit)
        * 1.15)
        .max(1.0);
    let mut chart = panel(&bottom, n, y2, LEFT as u32 - 4, &|y| format!("{y:.0}"))?;
    if limit > 0.0 {
        chart.draw_series(LineSeries::new(
            [(0.0, limit), (n, limit)],
            RED.stroke_width(1),
        ))?;
    }
    chart.draw_series(LineSeries::new(
        points(&s.level),
        style(RGBColor(37, 99, 235)),
    ))?;
    if peak(&s.queue) > 0.0 {
        chart.draw_series(LineSeries::new(
            points(&s.queue),
            style(RGBColor(217, 119, 6)),
        ))?;
    }

    // Third panel: latency for a node, cost so far end to end.
    let (lines, unit): (Vec<(&Vec<f64>, RGBColor)>, &str) = if s.cost.is_empty() {
        (
            vec![
                (&s.p50, RGBColor(148, 163, 184)),
                (&s.p90, RGBColor(100, 116, 139)),
                (&s.p99, RGBColor(124, 58, 237)),
            ],
            "ms",
        )
    } else {
        (vec![(&s.cost, RGBColor(15, 118, 110))], "$")
    };
    let floor = if unit == "$" { 1e-6 } else { 1.0 };
    let y3 = (lines.iter().map(|(v, _)| peak(v)).fold(0.0, f64::max) * 1.15).max(floor);
    let y_fmt = |y: &f64| {
        if unit == "$" {
            format!("${y:.3}")
        } else {
            format!("{y:.0}ms")
        }
    };
    let mut chart = panel(&third, n, y3, LEFT as u32 - 4, &y_fmt)?;
    for (v, colour) in lines {
        chart.draw_series(LineSeries::new(points(v), style(colour)))?;
    }
    root.present()?;
    Ok(())
}
