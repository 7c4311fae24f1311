//! The worker's side of the protocol, as plain Rust: commands in, events out, and the
//! computing done in chunks so the worker reads its messages between them.
//!
//! Why separate from the wasm glue (`crate::worker`): everything here is tested natively;
//! the glue only moves strings between `postMessage` and these methods and schedules
//! [`Host::work`] while [`Host::busy`].

use surge_core::{Limits, Scenario};

use super::driver::Driver;
use super::protocol::{Command, Event};

/// The worker's state: at most one run.
#[derive(Debug, Default)]
pub struct Host {
    run: Option<(u32, Driver)>,
    /// Compute up to here (simulated seconds); `None`: idle.
    target: Option<f64>,
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
        self.target.is_some() && self.run.is_some()
    }

    /// Computes one chunk (until `out_of_time` says so, or the target is reached); returns
    /// the frames computed and, once it stops, where it stopped.
    pub fn work(&mut self, out_of_time: impl FnMut() -> bool) -> Vec<Event> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
