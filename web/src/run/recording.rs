//! The page's copy of a run: the frames the worker sent (so the playhead can move back
//! without asking it for anything), the event log built from them as they arrive, and the
//! view at any frame: gauges, edges, log, and the frames for the charts.

use std::rc::Rc;

use surge_core::{Fault, Frame, Scenario};

use super::gauges::{Gauge, gauges_at};
use super::log::{LOG_LINES, Log, LogLine, Severity, fault_name};

/// What the canvas shows at one instant of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveView {
    /// Simulated time at the playhead.
    pub time_s: f64,
    /// Seconds between two frames (1 unless the run is long or large).
    pub step_s: u64,
    /// Node id and gauge, in scenario order.
    pub nodes: Vec<(String, Gauge)>,
    /// Calls in flight per edge, in scenario order.
    pub edges: Vec<u32>,
    /// What happened up to the playhead, newest last (at most [`LOG_LINES`]).
    pub log: Rc<Vec<LogLine>>,
    /// Every frame recorded so far (the charts draw the frames up to `at`).
    pub frames: Rc<Vec<Rc<Frame>>>,
    /// Index of the frame at the playhead.
    pub at: usize,
}

/// For each node, the indices of the nodes its edges lead to.
pub fn callees(scenario: &Scenario) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); scenario.nodes.len()];
    for e in &scenario.edges {
        if let (Some(a), Some(b)) = (scenario.node_index(&e.from), scenario.node_index(&e.to)) {
            out[a].push(b);
        }
    }
    out
}

/// One run's frames and log, as received.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    frames: Rc<Vec<Rc<Frame>>>,
    step_s: u64,
    end_s: f64,
    callees: Rc<Vec<Vec<usize>>>,
    /// The log built from the frames so far.
    log: Log,
    /// A line per injected fault.
    injected: Vec<LogLine>,
    /// The scenario as run (with the faults injected so far), as JSON.
    scenario_json: Rc<str>,
    faults: Vec<Fault>,
}

impl Recording {
    /// A run of `scenario` that has frame 0.
    pub fn new(scenario: &Scenario, first: Frame, end_s: f64, step_s: u64) -> Recording {
        let callees = Rc::new(callees(scenario));
        Recording {
            frames: Rc::new(vec![Rc::new(first)]),
            step_s: step_s.max(1),
            end_s,
            log: Log::new(scenario, callees.clone(), step_s.max(1)),
            callees,
            injected: Vec::new(),
            scenario_json: scenario.to_json().into(),
            faults: scenario.faults.clone(),
        }
    }

    /// Appends a frame (the next one in time).
    pub fn push(&mut self, frame: Frame) {
        Rc::make_mut(&mut self.frames).push(Rc::new(frame));
        let k = self.frames.len() - 1;
        self.log.second(&self.frames, k);
    }

    /// A fault was injected at frame `frame`'s time: later frames are gone, that frame is
    /// replaced, and the log says what was injected.
    pub fn injected(&mut self, frame: Frame, scenario: &Scenario, fault: Option<&Fault>) {
        let at = self.index_at(frame.time_s);
        let time_s = frame.time_s;
        {
            let frames = Rc::make_mut(&mut self.frames);
            frames.truncate(at);
            frames.push(Rc::new(frame));
        }
        if let Some(f) = fault {
            let second = time_s.floor() as u64;
            let name = scenario
                .nodes
                .iter()
                .find(|n| n.id == f.node)
                .map_or(f.node.as_str(), |n| n.label());
            self.injected.push(LogLine {
                from_s: second,
                time_s: second,
                node: Some(f.node.clone()),
                total: 1,
                text: format!(
                    "t={:.0} s {}: injected {} for {} s",
                    time_s,
                    name,
                    fault_name(&f.kind),
                    f.duration_s
                ),
                severity: Severity::Info,
            });
        }
        self.scenario_json = scenario.to_json().into();
        self.faults = scenario.faults.clone();
        // Rebuild the log from the frames kept (cheap next to a run).
        self.log.clear();
        for k in 1..self.frames.len() {
            self.log.second(&self.frames, k);
        }
    }

    /// The frame index at (or just before) simulated second `t`.
    pub fn index_at(&self, t: f64) -> usize {
        ((t / self.step_s as f64).floor().max(0.0) as usize).min(self.frames.len())
    }

    /// The view at frame `at`: gauges, and the log up to then (injected faults included).
    pub fn view(&self, at: usize) -> Option<LiveView> {
        let frame = self.frames.get(at)?;
        let until = |l: &LogLine| l.time_s as f64 <= frame.time_s + 1e-9;
        let mut log = self.log.lines_until(frame.time_s);
        let injections: Vec<LogLine> = self.injected.iter().filter(|l| until(l)).cloned().collect();
        if !injections.is_empty() {
            log.extend(injections);
            log.sort_by_key(|l| l.time_s);
        }
        let from = log.len().saturating_sub(LOG_LINES);
        Some(LiveView {
            time_s: frame.time_s,
            step_s: self.step_s,
            nodes: gauges_at(&self.frames, at)?,
            edges: frame.edges.clone(),
            log: Rc::new(log.split_off(from)),
            frames: self.frames.clone(),
            at,
        })
    }

    /// Frames received so far: frame `k` is the state at `k × step_s` seconds (the last
    /// one may be the run's end or stop).
    pub fn frames(&self) -> &[Rc<Frame>] {
        &self.frames
    }

    /// Seconds between frames.
    pub fn step_s(&self) -> u64 {
        self.step_s
    }

    /// When the run ends.
    pub fn end_s(&self) -> f64 {
        self.end_s
    }

    /// For each node, the nodes it calls.
    pub fn callees(&self) -> Rc<Vec<Vec<usize>>> {
        self.callees.clone()
    }

    /// The scenario as run, as JSON: running it from the start gives this run again.
    pub fn scenario_json(&self) -> Rc<str> {
        self.scenario_json.clone()
    }

    /// The fault schedule as run (the scenario's own and every injected one).
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// How many faults were injected during the run.
    pub fn injected_count(&self) -> usize {
        self.injected.len()
    }
}
