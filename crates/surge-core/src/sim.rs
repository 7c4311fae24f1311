//! The simulation: a discrete-event loop over the scenario's clients and functions.
//!
//! Why a step API: the browser advances the run frame by frame (`step_until`), the CLI runs
//! it to the end (`run`), and tests check invariants after every event (`step`). All three
//! see the same results because time only moves when an event is processed and every
//! random draw comes from the one seeded [`SimRng`], in event order.
//!
//! The model: each client emits requests (Poisson or constant spacing) to one function.
//! A function runs at most `concurrency_limit` invocations at once; a request arriving when
//! the limit is reached is throttled immediately (Lambda's synchronous 429). Otherwise it
//! runs for a sampled duration and completes.

use crate::error::ScenarioErrors;
use crate::queue::EventQueue;
use crate::report::{FunctionFrame, FunctionReport, Ledger, Report, SecondSample};
use crate::rng::SimRng;
use crate::scenario::{ArrivalProcess, DurationDistribution, NodeKind, Scenario};
use crate::time::{NANOS_PER_SEC, SimTime};

/// Something that happens at an instant.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// The next request of client `client` arrives.
    Arrival { client: usize },
    /// One invocation of function `function`, started at `started`, finishes.
    Completion { function: usize, started: SimTime },
}

#[derive(Debug)]
struct Client {
    target: usize,
    mean_gap_s: f64,
    arrivals: ArrivalProcess,
}

#[derive(Debug)]
struct Function {
    id: String,
    name: String,
    limit: u32,
    mean_duration_s: f64,
    duration: DurationDistribution,
    running: u32,
    peak: u32,
    ledger: Ledger,
    /// Sum of the durations of completed invocations.
    busy_time_ns: u128,
    /// Integral of concurrency over time, in invocation-nanoseconds.
    area: u128,
    /// Time up to which `area` and the series are integrated.
    integrated_to: SimTime,
    series: Vec<SecondSample>,
    /// Per-second areas (invocation-nanoseconds), parallel to `series`.
    second_area: Vec<u128>,
}

impl Function {
    /// Integrates the current concurrency from `integrated_to` up to `t`.
    fn integrate_to(&mut self, t: SimTime) {
        let mut from = self.integrated_to;
        while from < t {
            let second = from.second_index() as usize;
            let boundary = SimTime::from_nanos((from.second_index() + 1) * NANOS_PER_SEC);
            let until = if t < boundary { t } else { boundary };
            let piece = u128::from(self.running) * u128::from((until - from).as_nanos());
            self.area += piece;
            if let Some(a) = self.second_area.get_mut(second) {
                *a += piece;
            }
            if let Some(s) = self.series.get_mut(second) {
                s.peak_concurrency = s.peak_concurrency.max(self.running);
            }
            from = until;
        }
        self.integrated_to = t;
    }

    fn sample_mut(&mut self, t: SimTime) -> Option<&mut SecondSample> {
        self.series.get_mut(t.second_index() as usize)
    }
}

/// A running simulation of one scenario.
#[derive(Debug)]
pub struct Simulation {
    seed: u64,
    now: SimTime,
    end: SimTime,
    queue: EventQueue<Event>,
    rng: SimRng,
    clients: Vec<Client>,
    functions: Vec<Function>,
    events: u64,
}

impl Simulation {
    /// Validates `scenario` and prepares its run at time zero.
    pub fn new(scenario: &Scenario) -> Result<Simulation, ScenarioErrors> {
        scenario.validate()?;
        let end = SimTime::from_secs_f64(scenario.duration_s);
        let seconds = libm::ceil(scenario.duration_s) as usize;
        let mut functions = Vec::new();
        let mut function_of_node = vec![usize::MAX; scenario.nodes.len()];
        for (i, node) in scenario.nodes.iter().enumerate() {
            if let NodeKind::Lambda(p) = &node.kind {
                function_of_node[i] = functions.len();
                functions.push(Function {
                    id: node.id.clone(),
                    name: if node.name.is_empty() {
                        node.id.clone()
                    } else {
                        node.name.clone()
                    },
                    limit: p.concurrency_limit,
                    mean_duration_s: p.mean_duration_ms / 1000.0,
                    duration: p.duration,
                    running: 0,
                    peak: 0,
                    ledger: Ledger::default(),
                    busy_time_ns: 0,
                    area: 0,
                    integrated_to: SimTime::ZERO,
                    series: vec![SecondSample::default(); seconds],
                    second_area: vec![0; seconds],
                });
            }
        }
        let mut clients = Vec::new();
        for node in &scenario.nodes {
            if let NodeKind::Client(p) = &node.kind {
                // Validation guarantees exactly one outgoing edge to a function.
                let edge = scenario.edges.iter().find(|e| e.from == node.id);
                let target = edge
                    .and_then(|e| scenario.nodes.iter().position(|n| n.id == e.to))
                    .map(|i| function_of_node[i])
                    .unwrap_or(usize::MAX);
                clients.push(Client {
                    target,
                    mean_gap_s: 1.0 / p.rate_per_s,
                    arrivals: p.arrivals,
                });
            }
        }
        let mut sim = Simulation {
            seed: scenario.seed,
            now: SimTime::ZERO,
            end,
            queue: EventQueue::new(),
            rng: SimRng::new(scenario.seed),
            clients,
            functions,
            events: 0,
        };
        for client in 0..sim.clients.len() {
            sim.schedule_next_arrival(client);
        }
        Ok(sim)
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The time at which the run ends.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// Whether no event remains before the end of the run.
    pub fn is_finished(&self) -> bool {
        self.queue.peek_time().is_none_or(|t| t > self.end)
    }

    /// Processes the next event if it falls within the run; returns its time.
    pub fn step(&mut self) -> Option<SimTime> {
        let t = self.queue.peek_time().filter(|&t| t <= self.end)?;
        let (_, event) = self.queue.pop()?;
        self.now = t;
        self.events += 1;
        match event {
            Event::Arrival { client } => self.on_arrival(client),
            Event::Completion { function, started } => self.on_completion(function, started),
        }
        Some(t)
    }

    /// Processes every event up to and including `t` (capped at the end), then moves the
    /// clock to that time.
    pub fn step_until(&mut self, t: SimTime) {
        let target = if t < self.end { t } else { self.end };
        while self.queue.peek_time().is_some_and(|next| next <= target) {
            self.step();
        }
        if target > self.now {
            self.now = target;
        }
        for f in &mut self.functions {
            f.integrate_to(target.max(f.integrated_to));
        }
    }

    /// Runs to the end of the scenario and returns the final report.
    pub fn run(&mut self) -> Report {
        self.step_until(self.end);
        self.report()
    }

    /// The ledger over all functions.
    pub fn ledger(&self) -> Ledger {
        self.functions
            .iter()
            .fold(Ledger::default(), |acc, f| Ledger {
                arrived: acc.arrived + f.ledger.arrived,
                succeeded: acc.succeeded + f.ledger.succeeded,
                throttled: acc.throttled + f.ledger.throttled,
                in_flight: acc.in_flight + f.ledger.in_flight,
            })
    }

    /// What the canvas should show now.
    pub fn frame(&self) -> crate::report::Frame {
        crate::report::Frame {
            time_s: self.now.as_secs_f64(),
            functions: self
                .functions
                .iter()
                .map(|f| FunctionFrame {
                    id: f.id.clone(),
                    concurrency: f.running,
                    limit: f.limit,
                })
                .collect(),
        }
    }

    /// Results up to the current time.
    pub fn report(&self) -> Report {
        let elapsed_ns = self.now.as_nanos();
        let seconds_so_far = libm::ceil(self.now.as_secs_f64()) as usize;
        let functions: Vec<FunctionReport> = self
            .functions
            .iter()
            .map(|f| {
                // Area integrated up to `integrated_to`; add the open piece up to now.
                let open =
                    u128::from(f.running) * u128::from((self.now - f.integrated_to).as_nanos());
                let area = f.area + open;
                let mean_concurrency = if elapsed_ns == 0 {
                    0.0
                } else {
                    area as f64 / elapsed_ns as f64
                };
                let series = f
                    .series
                    .iter()
                    .zip(&f.second_area)
                    .take(seconds_so_far)
                    .map(|(s, &a)| SecondSample {
                        mean_concurrency: a as f64 / NANOS_PER_SEC as f64,
                        ..*s
                    })
                    .collect();
                FunctionReport {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    concurrency_limit: f.limit,
                    ledger: f.ledger,
                    throttle_ratio: if f.ledger.arrived == 0 {
                        0.0
                    } else {
                        f.ledger.throttled as f64 / f.ledger.arrived as f64
                    },
                    mean_concurrency,
                    peak_concurrency: f.peak,
                    mean_duration_ms: if f.ledger.succeeded == 0 {
                        0.0
                    } else {
                        f.busy_time_ns as f64 / 1e6 / f.ledger.succeeded as f64
                    },
                    series,
                }
            })
            .collect();
        Report {
            seed: self.seed,
            time_s: self.now.as_secs_f64(),
            finished: self.now >= self.end,
            events: self.events,
            ledger: self.ledger(),
            mean_concurrency: functions.iter().map(|f| f.mean_concurrency).sum(),
            functions,
        }
    }

    fn schedule_next_arrival(&mut self, client: usize) {
        let c = &self.clients[client];
        let gap_s = match c.arrivals {
            ArrivalProcess::Poisson => self.rng.exponential(c.mean_gap_s),
            ArrivalProcess::Constant => c.mean_gap_s,
        };
        // At least one nanosecond apart, so a huge rate cannot stall the clock.
        let gap = SimTime::from_secs_f64(gap_s).max(SimTime::from_nanos(1));
        let at = self.now + gap;
        if at < self.end {
            self.queue.push(at, Event::Arrival { client });
        }
    }

    fn on_arrival(&mut self, client: usize) {
        let target = self.clients[client].target;
        let now = self.now;
        if let Some(f) = self.functions.get_mut(target) {
            f.integrate_to(now);
            f.ledger.arrived += 1;
            if let Some(s) = f.sample_mut(now) {
                s.arrivals += 1;
            }
            if f.running >= f.limit {
                f.ledger.throttled += 1;
                if let Some(s) = f.sample_mut(now) {
                    s.throttled += 1;
                }
            } else {
                f.running += 1;
                f.ledger.in_flight += 1;
                f.peak = f.peak.max(f.running);
                let running = f.running;
                if let Some(s) = f.sample_mut(now) {
                    s.peak_concurrency = s.peak_concurrency.max(running);
                }
                let duration_s = match f.duration {
                    DurationDistribution::Exponential => self.rng.exponential(f.mean_duration_s),
                    DurationDistribution::Fixed => f.mean_duration_s,
                };
                let done = now + SimTime::from_secs_f64(duration_s);
                self.queue.push(
                    done,
                    Event::Completion {
                        function: target,
                        started: now,
                    },
                );
            }
        }
        self.schedule_next_arrival(client);
    }

    fn on_completion(&mut self, function: usize, started: SimTime) {
        let now = self.now;
        let f = &mut self.functions[function];
        f.integrate_to(now);
        f.running -= 1;
        f.ledger.in_flight -= 1;
        f.ledger.succeeded += 1;
        f.busy_time_ns += u128::from((now - started).as_nanos());
        if let Some(s) = f.sample_mut(now) {
            s.completed += 1;
        }
    }
}
