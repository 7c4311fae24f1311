//! The worker's side of the protocol, as plain Rust: commands in, events out, and the
//! computing done in chunks so the worker reads its messages between them.
//!
//! Why separate from the wasm glue (`crate::worker`): everything here is tested natively;
//! the glue only moves strings between `postMessage` and these methods and schedules
//! [`Host::work`] while [`Host::busy`].

use surge_core::exercise::{Exercise, Grading};
use surge_core::{Limits, Scenario, SimTime, Simulation};

use super::driver::Driver;
use super::protocol::{Command, Event};

/// The worker's state: at most one run, and at most one check (an exercise graded seed
/// by seed; the page runs checks in a worker of their own, so a check never waits for
/// the run being watched).
#[derive(Default)]
pub struct Host {
    run: Option<(u32, Driver)>,
    /// Compute up to here (simulated seconds); `None`: idle.
    target: Option<f64>,
    grading: Option<Check>,
}

/// A check under way: the grade so far and the seed being run.
struct Check {
    run: u32,
    grading: Grading,
    sim: Simulation,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("run", &self.run.as_ref().map(|(r, _)| r))
            .field("target", &self.target)
            .field("grading", &self.grading.as_ref().map(|c| c.run))
            .finish()
    }
}

impl Host {
    /// Handles one command; returns the events to send at once.
    pub fn receive(&mut self, command: Command) -> Vec<Event> {
        match command {
            Command::Load {
                run,
                scenario,
                max_memory_mib,
            } => {
                self.run = None;
                self.target = None;
                let limits = Limits {
                    max_memory_mib,
                    ..Limits::BROWSER
                };
                let loaded = Scenario::from_json(&scenario)
                    .map_err(|e| e.0.iter().map(ToString::to_string).collect::<Vec<_>>());
                match loaded.and_then(|s| Driver::load(s, limits)) {
                    Ok((driver, frame)) => {
                        let event = Event::Loaded {
                            run,
                            end_s: driver.end_s(),
                            frame_step_s: driver.frame_step_s(),
                            frame,
                        };
                        self.run = Some((run, driver));
                        vec![event]
                    }
                    Err(errors) => vec![Event::Invalid { run, errors }],
                }
            }
            Command::RunTo { run, until_s } => {
                if self.is(run) {
                    self.target = Some(until_s);
                }
                Vec::new()
            }
            Command::Pause { run } => {
                if self.is(run) && self.target.take().is_some() {
                    return vec![self.reached()];
                }
                Vec::new()
            }
            Command::Inject { run, fault, at_s } => {
                let Some((_, driver)) = self.run.as_mut().filter(|(r, _)| *r == run) else {
                    return Vec::new();
                };
                match driver.inject(fault, at_s) {
                    Ok(frame) => vec![Event::Injected {
                        run,
                        at_s: frame.time_s,
                        frame,
                        scenario: driver.scenario().to_json(),
                    }],
                    Err(reason) => vec![Event::Refused { run, reason }],
                }
            }
            Command::Grade {
                run,
                exercise,
                solution,
            } => {
                self.grading = None;
                let started = Exercise::from_json(&exercise)
                    .map_err(|e| {
                        surge_core::exercise::Grading::failed(format!("the exercise: {e}"))
                    })
                    .and_then(|e| {
                        let solution = Scenario::parse_json(&solution).map_err(|e| {
                            surge_core::exercise::Grading::failed(format!(
                                "the solution cannot be read: {e}"
                            ))
                        })?;
                        e.start_grading(&solution)
                    });
                match started {
                    Ok(grading) => self.next_seed(run, grading),
                    Err(grade) => vec![Event::Graded { run, grade }],
                }
            }
            Command::Report { run } => match &self.run {
                Some((r, driver)) if *r == run => {
                    let report = driver.report();
                    vec![Event::Report {
                        run,
                        digest: report.digest(),
                        report: Box::new(report),
                        traces: driver.traces(),
                    }]
                }
                _ => Vec::new(),
            },
        }
    }

    fn is(&self, run: u32) -> bool {
        self.run.as_ref().is_some_and(|(r, _)| *r == run)
    }

    /// Whether there is computing to do.
    pub fn busy(&self) -> bool {
        (self.target.is_some() && self.run.is_some()) || self.grading.is_some()
    }

    /// Starts the next grading seed, or sends the verdict when none is left.
    fn next_seed(&mut self, run: u32, grading: Grading) -> Vec<Event> {
        let (done, of) = grading.progress();
        let progress = Event::Grading {
            run,
            done: done as u32,
            of: of as u32,
        };
        let Some(scenario) = grading.next_run() else {
            return vec![
                progress,
                Event::Graded {
                    run,
                    grade: grading.finish(),
                },
            ];
        };
        match Simulation::with_limits(&scenario, Limits::BROWSER) {
            Ok(sim) => {
                self.grading = Some(Check { run, grading, sim });
                vec![progress]
            }
            Err(e) => vec![Event::Graded {
                run,
                grade: Grading::failed(e.to_string()),
            }],
        }
    }

    /// Runs the check's current seed in slices until `out_of_time`; a finished seed is
    /// recorded and the next one started.
    fn grade_work(&mut self, mut out_of_time: impl FnMut() -> bool) -> Vec<Event> {
        let Some(mut check) = self.grading.take() else {
            return Vec::new();
        };
        while !check.sim.is_finished() {
            let slice = check.sim.now() + SimTime::from_secs(1);
            check.sim.step_until(slice);
            if out_of_time() && !check.sim.is_finished() {
                self.grading = Some(check);
                return Vec::new();
            }
        }
        let report = check.sim.run();
        let Check {
            run, mut grading, ..
        } = check;
        match grading.record(&report) {
            Ok(()) => self.next_seed(run, grading),
            Err(grade) => vec![Event::Graded { run, grade }],
        }
    }

    /// Computes one chunk (until `out_of_time` says so, or the target is reached); returns
    /// the frames computed and, once it stops, where it stopped.
    pub fn work(&mut self, out_of_time: impl FnMut() -> bool) -> Vec<Event> {
        if self.grading.is_some() {
            return self.grade_work(out_of_time);
        }
        let (Some(until_s), Some((run, driver))) = (self.target, self.run.as_mut()) else {
            return Vec::new();
        };
        let run = *run;
        let frames = driver.advance(until_s, out_of_time);
        let mut events = Vec::new();
        if !frames.is_empty() {
            events.push(Event::Frames { run, frames });
        }
        let done = driver.reached(until_s);
        if done {
            self.target = None;
            events.push(self.reached());
        }
        events
    }

    fn reached(&self) -> Event {
        match &self.run {
            Some((run, d)) => Event::Reached {
                run: *run,
                computed_s: d.computed_s(),
                finished: d.finished(),
                stopped: d.stopped().cloned(),
            },
            None => Event::Error {
                message: "no run".into(),
            },
        }
    }
}

/// A small run computed once when a worker starts (lesson 2's shape: a burst past the
/// function's concurrency, so throttles and successes both run, traced, with frames).
const WARM_UP: &str = r#"{"format": "surge-scenario", "version": 5, "seed": 1, "duration_s": 60,
  "account": {"lambda_concurrency": 1000},
  "nodes": [{"id": "c", "kind": "client", "params": {"rate_per_s": 4000}},
            {"id": "api", "kind": "api_gateway", "params": {}},
            {"id": "fn", "kind": "lambda", "params": {"handler": [{"compute": {"ms": 100}}]}}],
  "edges": [{"from": "c", "to": "api"}, {"from": "api", "to": "fn"}]}"#;

/// Runs [`WARM_UP`] until `out_of_time` says so and returns the simulated seconds it
/// computed. Why: V8 first runs a worker's wasm on its baseline tier and compiles hot
/// functions with its optimizing tier only once they have run for a while, so a first run
/// on a fresh page took about twice as long as the same run again. A worker spends a few
/// tens of milliseconds on this when it starts, before anyone presses Play.
pub fn warm_up(out_of_time: impl FnMut() -> bool) -> f64 {
    let Ok(scenario) = Scenario::from_json(WARM_UP) else {
        return 0.0;
    };
    let Ok((mut driver, _)) = Driver::load(scenario, Limits::BROWSER) else {
        return 0.0;
    };
    let frames = driver.advance(driver.end_s(), out_of_time);
    // Encoding the frames as the worker posts them warms that code too.
    let _ = super::protocol::encode(&Event::Frames { run: 0, frames });
    driver.computed_s()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_run_is_valid_and_stops_when_told() {
        assert_eq!(
            warm_up(|| false),
            60.0,
            "it runs to its end when given time"
        );
        let once = warm_up(|| true);
        assert!(
            once > 0.0 && once < 1.0,
            "one slice when out of time at once: {once}"
        );
    }

    fn load(host: &mut Host, run: u32) -> Vec<Event> {
        host.receive(Command::Load {
            run,
            scenario: crate::editor::starter().to_json(),
            max_memory_mib: 64,
        })
    }

    #[test]
    fn a_run_is_computed_in_chunks_and_frames_come_in_order() {
        let mut host = Host::default();
        let loaded = load(&mut host, 1);
        assert!(matches!(
            loaded[..],
            [Event::Loaded {
                run: 1,
                frame_step_s: 1,
                ..
            }]
        ));
        assert!(
            host.receive(Command::RunTo {
                run: 1,
                until_s: 10.0
            })
            .is_empty()
        );
        let mut times = Vec::new();
        let mut reached = None;
        let mut chunks = 0;
        while host.busy() {
            chunks += 1;
            let mut n = 0;
            for e in host.work(|| {
                n += 1;
                n > 3
            }) {
                match e {
                    Event::Frames { frames, .. } => times.extend(frames.iter().map(|f| f.time_s)),
                    Event::Reached { computed_s, .. } => reached = Some(computed_s),
                    other => panic!("{other:?}"),
                }
            }
        }
        assert!(chunks > 1, "computed in several chunks");
        assert_eq!(times, (1..=10).map(f64::from).collect::<Vec<_>>());
        assert_eq!(reached, Some(10.0));
    }

    #[test]
    fn stale_runs_are_ignored_and_pause_reports_where_it_stopped() {
        let mut host = Host::default();
        load(&mut host, 1);
        load(&mut host, 2);
        assert!(
            host.receive(Command::RunTo {
                run: 1,
                until_s: 5.0
            })
            .is_empty()
        );
        assert!(!host.busy(), "run 1 is gone");
        host.receive(Command::RunTo {
            run: 2,
            until_s: 60.0,
        });
        host.work(|| true);
        let paused = host.receive(Command::Pause { run: 2 });
        assert!(matches!(
            paused[..],
            [Event::Reached {
                run: 2,
                finished: false,
                ..
            }]
        ));
        assert!(!host.busy());
        let report = host.receive(Command::Report { run: 2 });
        assert!(matches!(report[..], [Event::Report { run: 2, .. }]));
    }

    #[test]
    fn invalid_scenarios_and_faults_are_refused_with_reasons() {
        let mut host = Host::default();
        let e = host.receive(Command::Load {
            run: 1,
            scenario: r#"{"format":"surge-scenario","version":3,"nodes":[]}"#.into(),
            max_memory_mib: 64,
        });
        assert!(
            matches!(&e[..], [Event::Invalid { errors, .. }] if errors[0].contains("at least one node"))
        );
        load(&mut host, 2);
        let e = host.receive(Command::Inject {
            run: 2,
            fault: surge_core::Fault {
                node: "nowhere".into(),
                at_s: 0.0,
                duration_s: 1.0,
                kind: surge_core::FaultKind::Outage,
            },
            at_s: 0.0,
        });
        assert!(matches!(&e[..], [Event::Refused { .. }]));
    }

    #[test]
    fn a_check_grades_every_seed_in_chunks_as_the_cli_does() {
        let exercise =
            include_str!("../../../tests/exercises/stop-the-connection-storm/exercise.json");
        let solution =
            include_str!("../../../tests/exercises/stop-the-connection-storm/solution.json");
        let mut host = Host::default();
        let first = host.receive(Command::Grade {
            run: 7,
            exercise: exercise.into(),
            solution: solution.into(),
        });
        assert_eq!(
            first,
            vec![Event::Grading {
                run: 7,
                done: 0,
                of: 3
            }]
        );
        let mut events = Vec::new();
        let mut chunks = 0;
        while host.busy() {
            chunks += 1;
            let mut n = 0;
            events.extend(host.work(|| {
                n += 1;
                n > 20
            }));
        }
        assert!(chunks > 3, "computed in chunks: {chunks}");
        let progress: Vec<u32> = events
            .iter()
            .filter_map(|e| match e {
                Event::Grading { done, .. } => Some(*done),
                _ => None,
            })
            .collect();
        assert_eq!(progress, vec![1, 2, 3]);
        let Some(Event::Graded { run: 7, grade }) = events.last() else {
            panic!("a verdict: {events:?}")
        };
        let e = surge_core::exercise::Exercise::from_json(exercise).expect("exercise");
        let s = Scenario::parse_json(solution).expect("solution");
        assert_eq!(*grade, e.grade(&s), "the worker's verdict is the CLI's");
        assert!(grade.code.is_some());
        // A broken solution is an error verdict at once.
        let bad = host.receive(Command::Grade {
            run: 8,
            exercise: exercise.into(),
            solution: "{".into(),
        });
        assert!(matches!(&bad[..], [Event::Graded { run: 8, grade }] if grade.error.is_some()));
        assert!(!host.busy());
    }
}
