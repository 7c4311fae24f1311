//! The run driver: a `Simulation` advanced in bounded slices, recording a frame at every
//! frame boundary (each second, or coarser for long runs), with faults injected by
//! replaying the run with the fault in its schedule.
//!
//! Why it runs in the worker: the engine never runs on the page's main thread; this is the
//! worker's side of a run, plain Rust, tested natively. Why inject by replay: the run is
//! deterministic, so the scenario with the fault at second `t` replays exactly what was
//! seen up to `t`, and the run *is* its scenario: saving it, sharing it or running it in
//! the CLI gives the same numbers, whether the fault was injected live or scheduled.

use surge_core::{
    Fault, Frame, Limits, Report, RunStop, Scenario, ScenarioErrors, SeriesResolution, SimTime,
    Simulation,
};

/// Longest simulated slice between two checks of the caller's time budget, in seconds.
const SLICE_S: f64 = 0.05;

/// A run being computed.
#[derive(Debug)]
pub struct Driver {
    /// The scenario as run so far: the loaded one plus every injected fault.
    scenario: Scenario,
    sim: Simulation,
    limits: Limits,
    step: SimTime,
    /// Index of the next frame to record (frame `k` is the state at `k × step`).
    next_frame: u64,
    /// The final frame has been recorded.
    closed: bool,
}

/// Seconds between frames for `scenario`: its series resolution (a run that keeps no
/// series is still watched at the automatic resolution).
pub fn frame_step_s(scenario: &Scenario) -> u64 {
    scenario.series_step_s().unwrap_or_else(|| {
        Scenario {
            series: SeriesResolution::Auto,
            ..scenario.clone()
        }
        .series_step_s()
        .unwrap_or(1)
    })
}

fn errors(e: ScenarioErrors) -> Vec<String> {
    e.0.iter().map(ToString::to_string).collect()
}

impl Driver {
    /// Prepares a run of `scenario` at time 0 and returns it with frame 0.
    pub fn load(scenario: Scenario, limits: Limits) -> Result<(Driver, Frame), Vec<String>> {
        let mut sim = Simulation::with_limits(&scenario, limits).map_err(errors)?;
        // The page shows request traces; they change nothing else in the run.
        sim.enable_tracing();
        let frame = sim.frame();
        let step = SimTime::from_secs(frame_step_s(&scenario));
        Ok((
            Driver {
                scenario,
                sim,
                limits,
                step,
                next_frame: 1,
                closed: false,
            },
            frame,
        ))
    }

    /// Seconds between frames.
    pub fn frame_step_s(&self) -> u64 {
        self.step.as_nanos() / SimTime::from_secs(1).as_nanos()
    }

    /// Simulated seconds computed so far.
    pub fn computed_s(&self) -> f64 {
        self.sim.now().as_secs_f64()
    }

    /// Simulated second at which the run ends.
    pub fn end_s(&self) -> f64 {
        self.sim.end().as_secs_f64()
    }

    /// Whether everything up to `until_s` (or the end) has been computed.
    pub fn reached(&self, until_s: f64) -> bool {
        self.finished() || self.sim.now() >= SimTime::from_secs_f64(until_s).min(self.sim.end())
    }

    /// Whether the run is over: it reached its end or stopped.
    pub fn finished(&self) -> bool {
        self.sim.now() >= self.sim.end() || self.sim.stopped().is_some()
    }

    /// Why the run stopped early, if it did.
    pub fn stopped(&self) -> Option<&RunStop> {
        self.sim.stopped()
    }

    /// The scenario as run: loaded, plus every injected fault in its schedule.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The report so far (the final one once finished).
    pub fn report(&self) -> Report {
        self.sim.report()
    }

    /// The request traces kept so far.
    pub fn traces(&self) -> Vec<surge_core::Trace> {
        self.sim.traces()
    }

    /// Computes up to `until_s` (capped at the end) and returns the frames recorded on the
    /// way; stops early when `out_of_time` says so (asked between slices). Once the run is
    /// over, the last frame is the state at its end (or at its stop).
    pub fn advance(&mut self, until_s: f64, mut out_of_time: impl FnMut() -> bool) -> Vec<Frame> {
        let mut frames = Vec::new();
        let target = SimTime::from_secs_f64(until_s).min(self.sim.end());
        while self.sim.now() < target && self.sim.stopped().is_none() {
            let mark = SimTime::from_nanos(self.next_frame * self.step.as_nanos());
            let slice = self.sim.now() + SimTime::from_secs_f64(SLICE_S);
            self.sim.step_until(target.min(mark).min(slice));
            if self.sim.now() >= mark && self.sim.stopped().is_none() {
                frames.push(self.sim.frame());
                self.next_frame += 1;
            }
            if out_of_time() {
                break;
            }
        }
        if self.finished() && !self.closed {
            self.closed = true;
            let last = frames.last().map(|f: &Frame| f.time_s);
            let recorded_up_to = (self.next_frame - 1) as f64 * self.step.as_secs_f64();
            let now = self.computed_s();
            if last.unwrap_or(recorded_up_to) < now || self.sim.stopped().is_some() {
                frames.push(self.sim.frame());
            }
        }
        frames
    }

    /// Starts `fault` at `at_s` (at or before the time computed so far) by replaying the
    /// run with the fault in its schedule; returns the frame at `at_s`, which replaces the
    /// one recorded there (frames before it are unchanged: the run is deterministic).
    pub fn inject(&mut self, mut fault: Fault, at_s: f64) -> Result<Frame, String> {
        let at_s = at_s.clamp(0.0, self.computed_s());
        fault.at_s = at_s;
        let mut scenario = self.scenario.clone();
        scenario.faults.push(fault);
        let mut sim =
            Simulation::with_limits(&scenario, self.limits).map_err(|e| errors(e).join("; "))?;
        sim.enable_tracing();
        let at = SimTime::from_secs_f64(at_s);
        sim.step_until(at);
        let frame = sim.frame();
        self.scenario = scenario;
        self.sim = sim;
        self.next_frame = at.as_nanos() / self.step.as_nanos() + 1;
        self.closed = false;
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use surge_core::FaultKind;

    fn run_out(d: &mut Driver) -> Vec<Frame> {
        let mut frames = Vec::new();
        while !d.finished() {
            frames.extend(d.advance(1e9, || false));
        }
        frames.extend(d.advance(1e9, || false));
        frames
    }

    #[test]
    fn a_sliced_run_ends_with_the_one_shot_report_and_a_frame_per_second() {
        let scenario = crate::editor::starter();
        let (mut d, first) = Driver::load(scenario.clone(), Limits::BROWSER).expect("valid");
        assert_eq!(first.time_s, 0.0);
        let mut frames = Vec::new();
        let mut calls = 0;
        // Uneven targets and an impatient budget: still the same run.
        for until in [0.3_f64, 2.0, 2.01, 7.5, 30.0, 1e9] {
            while d.computed_s() < until.min(d.end_s()) && !d.finished() {
                frames.extend(d.advance(until, || {
                    calls += 1;
                    calls % 7 == 0
                }));
            }
        }
        frames.extend(run_out(&mut d));
        let one_shot = Simulation::new(&scenario).expect("valid").run();
        assert_eq!(d.report(), one_shot);
        for (k, f) in frames.iter().enumerate() {
            assert!(
                (f.time_s - (k + 1) as f64).abs() < 1e-9,
                "frame {k} at {}",
                f.time_s
            );
        }
        assert_eq!(frames.len() as f64, d.end_s());
    }

    #[test]
    fn an_injected_fault_replays_the_run_and_is_in_its_schedule() {
        let scenario = crate::editor::starter();
        let (mut d, _) = Driver::load(scenario, Limits::BROWSER).expect("valid");
        d.advance(20.0, || false);
        // Injected at the playhead, 8 s, though 20 s were computed.
        let frame = d
            .inject(
                Fault {
                    node: "fn".into(),
                    at_s: 0.0,
                    duration_s: 5.0,
                    kind: FaultKind::Outage,
                },
                8.0,
            )
            .expect("valid fault");
        assert_eq!(frame.time_s, 8.0);
        assert_eq!(d.scenario().faults[0].at_s, 8.0);
        let next = d.advance(9.0, || false);
        assert_eq!(next.len(), 1);
        assert!(
            next[0].nodes[1].errors.unavailable > 0,
            "the outage shows at 9 s"
        );
        run_out(&mut d);
        let replay = Simulation::new(d.scenario()).expect("valid").run();
        assert_eq!(d.report(), replay);
        let bad = d.inject(
            Fault {
                node: "nowhere".into(),
                at_s: 0.0,
                duration_s: 5.0,
                kind: FaultKind::Outage,
            },
            30.0,
        );
        assert!(bad.is_err());
    }

    #[test]
    fn a_run_that_outgrows_its_budget_ends_with_its_stop_frame() {
        let mut s = crate::editor::starter();
        s.nodes[1].kind = surge_core::NodeKind::Sqs(surge_core::QueueParams::default());
        s.add(
            "api",
            surge_core::NodeKind::ApiGateway(surge_core::ApiGatewayParams::default()),
        );
        s.edges.clear();
        s.connect("client", "api").connect("api", "fn");
        s.account.api_gateway_rate_per_s = 1e6;
        s.account.api_gateway_burst = 1_000_000;
        s.duration_s = 3600.0;
        if let surge_core::NodeKind::Client(c) = &mut s.nodes[0].kind {
            c.rate_per_s = 200_000.0;
        }
        let limits = Limits {
            max_memory_mib: 4,
            ..Limits::BROWSER
        };
        let (mut d, _) = Driver::load(s, limits).expect("valid");
        let frames = run_out(&mut d);
        let stop = d.stopped().expect("stopped").clone();
        assert!(stop.message.contains("queue"), "{}", stop.message);
        assert!(frames.last().is_some_and(|f| f.time_s == stop.at_s));
        assert!(d.finished() && d.computed_s() < 3600.0);
    }
}
