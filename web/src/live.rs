//! A run you can watch: the simulation advanced in bounded slices, a frame recorded every
//! simulated second (so the playhead can move back without re-running), and what the
//! canvas shows at the playhead: per-node gauges and a health state smoothed over the last
//! few seconds.
//!
//! Why slices and recorded frames: the page must never freeze, so the host advances the
//! core a little at a time and checks its time budget between slices; and the core is
//! deterministic, so however the run is sliced, the final report equals `Simulation::run()`
//! (a test checks it). Nothing here touches the DOM or a clock: the caller passes the
//! budget check in.

use std::rc::Rc;

use surge_core::{Frame, Report, Scenario, ScenarioErrors, SimTime, Simulation};

/// Longest simulated slice between two budget checks, in seconds.
const SLICE_S: f64 = 0.05;

/// A run in progress.
#[derive(Debug)]
pub struct LiveRun {
    sim: Simulation,
    frames: Vec<Rc<Frame>>,
    scenario_json: Rc<str>,
}

impl LiveRun {
    /// Starts a run of `scenario` at time 0 (frame 0 recorded).
    pub fn start(scenario: &Scenario) -> Result<LiveRun, Vec<String>> {
        let sim = Simulation::new(scenario)
            .map_err(|ScenarioErrors(e)| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        let first = Rc::new(sim.frame());
        Ok(LiveRun {
            sim,
            frames: vec![first],
            scenario_json: scenario.to_json().into(),
        })
    }

    /// Simulated seconds computed so far.
    pub fn computed_s(&self) -> f64 {
        self.sim.now().as_secs_f64()
    }

    /// Simulated second at which the run ends.
    pub fn end_s(&self) -> f64 {
        self.sim.end().as_secs_f64()
    }

    /// Whether the run has reached its end.
    pub fn finished(&self) -> bool {
        self.sim.now() >= self.sim.end()
    }

    /// Frames recorded so far: frame `k` is the state at `k` simulated seconds.
    pub fn frames(&self) -> &[Rc<Frame>] {
        &self.frames
    }

    /// The exact scenario JSON being run.
    pub fn scenario_json(&self) -> Rc<str> {
        self.scenario_json.clone()
    }

    /// Advances by up to `dt_s` simulated seconds, recording a frame at every whole second
    /// crossed; stops early when `out_of_time` says so (it is asked between slices).
    /// Returns the simulated seconds actually advanced.
    pub fn advance(&mut self, dt_s: f64, mut out_of_time: impl FnMut() -> bool) -> f64 {
        let start = self.computed_s();
        let target = (start + dt_s.max(0.0)).min(self.end_s());
        while self.computed_s() < target {
            let next_mark = self.frames.len() as f64;
            let stop = target.min(next_mark).min(self.computed_s() + SLICE_S);
            self.sim.step_until(SimTime::from_secs_f64(stop));
            if self.computed_s() >= next_mark {
                self.frames.push(Rc::new(self.sim.frame()));
            }
            if out_of_time() {
                break;
            }
        }
        if self.finished() && self.frames.last().is_some_and(|f| f.time_s < self.end_s()) {
            self.frames.push(Rc::new(self.sim.frame()));
        }
        self.computed_s() - start
    }

    /// The report so far (the final report once finished).
    pub fn report(&self) -> Rc<Report> {
        Rc::new(self.sim.report())
    }
}

/// How loaded a node looks, smoothed over the last few seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Comfortably below its limit, nothing waiting.
    Ok,
    /// Busy: above 70 % of its limit, or a short queue.
    Busy,
    /// At its limit, or a queue that keeps growing.
    Saturated,
}

impl Health {
    /// CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Busy => "busy",
            Health::Saturated => "saturated",
        }
    }
}

/// One node's gauge at the playhead.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    /// Calls at the node.
    pub level: u32,
    /// Its limit, if it has one.
    pub limit: Option<u32>,
    /// Calls waiting.
    pub queue: u32,
    /// Open connections.
    pub connections: u32,
    /// Smoothed health.
    pub health: Health,
}

impl Gauge {
    /// The share of the limit in use (0 without a limit).
    pub fn fill(&self) -> f64 {
        match self.limit {
            Some(l) if l > 0 => (f64::from(self.level) / f64::from(l)).min(1.0),
            _ => 0.0,
        }
    }

    /// The gauge in a few characters: "12/100 · q 30".
    pub fn text(&self) -> String {
        let mut s = match self.limit {
            Some(l) => format!("{}/{l}", self.level),
            None => format!("{} in", self.level),
        };
        if self.queue > 0 {
            s.push_str(&format!(" · q {}", self.queue));
        }
        if self.connections > 0 {
            s.push_str(&format!(" · {} conn", self.connections));
        }
        s
    }
}

/// What the canvas shows at one instant of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveView {
    /// Simulated time at the playhead.
    pub time_s: f64,
    /// Node id and gauge, in scenario order.
    pub nodes: Vec<(String, Gauge)>,
    /// Calls in flight per edge, in scenario order.
    pub edges: Vec<u32>,
}

/// Seconds of history the health state is smoothed over.
pub const SMOOTHING_S: usize = 3;

/// The view at frame `at` of `frames`, health smoothed over the frames before it.
pub fn view_at(frames: &[Rc<Frame>], at: usize) -> Option<LiveView> {
    let frame = frames.get(at)?;
    let from = at.saturating_sub(SMOOTHING_S - 1);
    let window = &frames[from..=at];
    let nodes = frame
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let util = |f: &Frame| {
                f.nodes.get(i).map_or(0.0, |m| match m.limit {
                    Some(l) if l > 0 => f64::from(m.in_node) / f64::from(l),
                    _ => 0.0,
                })
            };
            let mean_util = window.iter().map(|f| util(f)).sum::<f64>() / window.len() as f64;
            let oldest_queue = window[0].nodes.get(i).map_or(0, |m| m.queue);
            let growing = n.queue > 0 && n.queue >= oldest_queue && window.len() > 1;
            let health = if mean_util >= 0.95 || (growing && n.queue > 10) {
                Health::Saturated
            } else if mean_util >= 0.7 || n.queue > 0 {
                Health::Busy
            } else {
                Health::Ok
            };
            (
                n.id.clone(),
                Gauge {
                    level: n.in_node,
                    limit: n.limit,
                    queue: n.queue,
                    connections: n.connections,
                    health,
                },
            )
        })
        .collect();
    Some(LiveView {
        time_s: frame.time_s,
        nodes,
        edges: frame.edges.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sliced_live_run_ends_with_the_one_shot_report() {
        let scenario = crate::editor::starter();
        let mut live = LiveRun::start(&scenario).expect("valid");
        let mut budget = 0;
        // Uneven slices and an impatient budget: still the same run.
        for dt in [0.3, 1.7, 0.01, 5.0, 100.0].iter().cycle().take(200) {
            live.advance(*dt, || {
                budget += 1;
                budget % 7 == 0
            });
            if live.finished() {
                break;
            }
        }
        while !live.finished() {
            live.advance(10.0, || false);
        }
        let one_shot = Simulation::new(&scenario).expect("valid").run();
        assert_eq!(*live.report(), one_shot);
        // A frame per simulated second, in order, plus the end.
        let frames = live.frames();
        assert!(frames.len() as f64 >= live.end_s());
        for (k, f) in frames.iter().enumerate().take(frames.len() - 1) {
            assert!(
                (f.time_s - k as f64).abs() < 1e-9,
                "frame {k} at {}",
                f.time_s
            );
        }
    }

    #[test]
    fn health_reads_as_a_state_not_flicker() {
        let scenario = crate::editor::starter();
        let mut live = LiveRun::start(&scenario).expect("valid");
        live.advance(20.0, || false);
        let view = view_at(live.frames(), 20).expect("frame 20");
        let (id, gauge) = &view.nodes[1];
        assert_eq!(id, "fn");
        assert_eq!(gauge.limit, Some(10));
        // 100 req/s × 0.1 s = 10 Erlangs on 10 slots: busy or saturated, never idle.
        assert_ne!(gauge.health, Health::Ok);
        assert!(gauge.text().starts_with(&format!("{}/10", gauge.level)));
        assert!(view_at(live.frames(), 10_000).is_none());
    }
}
