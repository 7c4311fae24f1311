//! Graded exercises: a starting scenario, goals over report figures, what the student may
//! change, and the seeds it is graded on; grading and the result code.
//!
//! Why here, in the core: a student's browser, an instructor's terminal and a workshop
//! repository's CI must give the same verdict and the same code for the same solution.
//! Runs are deterministic, so the instructor re-runs the submitted design on the grading
//! seeds and gets the student's numbers; the result code is a hash over the exercise, the
//! canonical solution, the model version and those numbers, so a code altered by one
//! character, or a solution changed after the code was made, no longer matches. The code
//! proves a passing run of that solution, not who made it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::Report;
use crate::scenario::{NodeKind, Scenario};
use crate::{Limits, MODEL_VERSION, Simulation};

/// The `format` tag every exercise file carries.
pub const EXERCISE_FORMAT: &str = "surge-exercise";
/// The newest exercise version this build reads and writes.
pub const EXERCISE_VERSION: u32 = 1;
/// Most grading seeds in one exercise.
pub const MAX_SEEDS: usize = 10;
/// Most goals in one exercise.
pub const MAX_GOALS: usize = 20;

/// A graded exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Always `"surge-exercise"`.
    pub format: String,
    /// Format version.
    pub version: u32,
    /// Stable id (part of every result code).
    pub id: String,
    /// Title.
    pub title: String,
    /// The story a workshop can read out as is.
    pub story: String,
    /// Hints, revealed one at a time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// The lesson it builds on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<u8>,
    /// 1 (easy) to 3 (hard).
    #[serde(default = "one")]
    pub difficulty: u8,
    /// The broken architecture the student starts from (a scenario, any version).
    #[schemars(with = "serde_json::Value")]
    pub start: serde_json::Value,
    /// What the solution's runs must show, on every grading seed.
    pub goals: Vec<Goal>,
    /// What the student may change.
    #[serde(default)]
    pub allow: Allow,
    /// The seeds it is graded on (several, so luck cannot pass it).
    pub seeds: Vec<u64>,
}

fn one() -> u8 {
    1
}

/// One goal: a figure of the report, at most or at least a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// The figure.
    pub metric: Metric,
    /// For node figures: the node (absent: the whole run, every queue or every node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The figure must be at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The figure must be at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
}

/// A figure a goal reads from a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// End-to-end p99 latency of the clients' requests, in ms.
    P99Ms,
    /// Share of finished client requests that succeeded, in percent.
    SuccessPct,
    /// Share of client requests refused with a throttle (429) somewhere, in percent.
    ThrottledPct,
    /// Successful client requests per second over the run.
    GoodputPerS,
    /// Messages moved to a dead-letter queue.
    DeadLettered,
    /// Work lost: async events dropped or too old, messages expired or dropped,
    /// notifications lost.
    Lost,
    /// Database connections refused (max_connections) and proxy borrow timeouts.
    ConnectionErrors,
    /// The oldest message or record waiting, in seconds (a node's, or every queue's and
    /// stream's).
    OldestAgeS,
    /// The run's cost at list prices, in dollars.
    CostUsd,
    /// Cost per million client requests, in dollars.
    CostPerMillionUsd,
    /// Calls that failed at a node (all error kinds), or at every node.
    Errors,
}

impl Metric {
    /// Words and unit for the figure.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Metric::P99Ms => ("p99 latency", " ms"),
            Metric::SuccessPct => ("requests that succeeded", " %"),
            Metric::ThrottledPct => ("requests throttled", " %"),
            Metric::GoodputPerS => ("goodput", " req/s"),
            Metric::DeadLettered => ("messages dead-lettered", ""),
            Metric::Lost => ("work lost", ""),
            Metric::ConnectionErrors => ("connection errors", ""),
            Metric::OldestAgeS => ("oldest waiting message", " s"),
            Metric::CostUsd => ("cost of the run", " $"),
            Metric::CostPerMillionUsd => ("cost per million requests", " $"),
            Metric::Errors => ("failed calls", ""),
        }
    }

    /// The figure in `report` (`node` for node figures), or why it cannot be read.
    pub fn measure(self, report: &Report, node: Option<&str>) -> Result<f64, String> {
        let l = &report.ledger;
        let finished = l.succeeded + l.failed.total() + l.timed_out;
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        let nodes: Vec<&crate::NodeReport> = match node {
            Some(id) => vec![
                report
                    .node(id)
                    .ok_or_else(|| format!("no node {id:?} in the solution"))?,
            ],
            None => report.nodes.iter().collect(),
        };
        Ok(match self {
            Metric::P99Ms => report.p99_ms,
            Metric::SuccessPct => {
                if finished == 0 {
                    100.0
                } else {
                    pct(l.succeeded, finished)
                }
            }
            Metric::ThrottledPct => pct(
                l.failed.throttled
                    + l.failed.concurrency_throttled
                    + l.failed.service_throttled
                    + l.failed.stream_throttled,
                l.arrived,
            ),
            Metric::GoodputPerS => report.goodput_per_s,
            Metric::DeadLettered => report.messages.dead_lettered as f64,
            Metric::Lost => {
                (report.async_events.dropped
                    + report.async_events.expired
                    + report.messages.expired
                    + report.messages.dropped
                    + report.deliveries.dropped) as f64
            }
            Metric::ConnectionErrors => nodes
                .iter()
                .map(|n| n.errors.connection_refused + n.errors.borrow_timeout)
                .sum::<u64>() as f64,
            Metric::OldestAgeS => nodes
                .iter()
                .flat_map(|n| {
                    n.series
                        .iter()
                        .map(|s| s.oldest_age_s)
                        .chain(n.shards.iter().map(|s| s.max_iterator_age_s))
                })
                .fold(0.0, f64::max),
            Metric::CostUsd => report.cost.total_usd,
            Metric::CostPerMillionUsd => report.cost.per_million_requests_usd,
            Metric::Errors => nodes.iter().map(|n| n.errors.total()).sum::<u64>() as f64,
        })
    }
}

impl Metric {
    /// The second where this figure went wrong in `report`, if it has one: the first
    /// second with a failure (a throttle, a refused connection) at the node or anywhere,
    /// or the second the oldest waiting message peaked.
    pub fn moment(self, report: &Report, node: Option<&str>) -> Option<f64> {
        let step = report.series_step_s.max(1) as f64;
        let nodes = report
            .nodes
            .iter()
            .filter(|n| node.is_none_or(|id| n.id == id));
        let first = |f: &dyn Fn(&crate::NodeSecond) -> bool| {
            nodes
                .clone()
                .filter_map(|n| n.series.iter().position(f))
                .min()
                .map(|i| i as f64 * step)
        };
        match self {
            Metric::Errors | Metric::SuccessPct => first(&|s| s.errors > 0),
            Metric::ThrottledPct => first(&|s| s.throttled > 0),
            Metric::ConnectionErrors => nodes
                .clone()
                .filter(|n| n.kind == "rds" || n.kind == "rds_proxy" || node.is_some())
                .filter_map(|n| n.series.iter().position(|s| s.errors > 0))
                .min()
                .map(|i| i as f64 * step),
            Metric::OldestAgeS => nodes
                .flat_map(|n| n.series.iter().enumerate())
                .filter(|(_, s)| s.oldest_age_s > 0.0)
                .max_by(|a, b| a.1.oldest_age_s.total_cmp(&b.1.oldest_age_s))
                .map(|(i, _)| i as f64 * step),
            _ => None,
        }
    }
}

impl Goal {
    /// The goal in words: "p99 latency ≤ 800 ms".
    pub fn words(&self) -> String {
        let (what, unit) = self.metric.words();
        let at = self
            .node
            .as_deref()
            .map_or_else(String::new, |n| format!(" at {n}"));
        let bound = |sign: &str, v: f64| {
            if unit == " $" {
                format!("{sign} ${v}")
            } else {
                format!("{sign} {v}{unit}")
            }
        };
        let parts: Vec<String> = [
            self.min.map(|v| bound("≥", v)),
            self.max.map(|v| bound("≤", v)),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!("{what}{at} {}", parts.join(" and "))
    }

    fn met_by(&self, v: f64) -> bool {
        self.max.is_none_or(|m| v <= m) && self.min.is_none_or(|m| v >= m)
    }
}

/// What the student may change; everything else is locked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// Parameters the student may change: `node.path` (a node's parameter, dots into
    /// nested settings; `node.*` for all of them), `account.field`, or
    /// `from->to.path` (a connection's settings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// Node kinds the student may add (and connect to anything).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add: Vec<String>,
    /// Most nodes the student may add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_added: Option<u32>,
    /// Whether connections between the starting nodes may be added or removed.
    #[serde(default)]
    pub rewire: bool,
    /// The most a graded run may cost, in dollars (graded as one more goal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<f64>,
}

impl Allow {
    /// Whether the part at `path` (`node.path`, `account.field`, `from->to.path`) may
    /// change.
    pub fn permits(&self, path: &str) -> bool {
        self.params.iter().any(|p| {
            let p = p.trim_end_matches(".*");
            path == p || path.starts_with(&format!("{p}."))
        })
    }
}

/// How a graded solution fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every goal met on every seed, only allowed changes.
    Pass,
    /// A goal missed or a locked part changed.
    Fail,
    /// The solution cannot be run (invalid, or the exercise is).
    Error,
}

/// One goal's verdict: the worst figure over the grading seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalResult {
    /// The goal in words.
    pub name: String,
    /// Met on every seed.
    pub met: bool,
    /// The worst figure over the seeds (the highest for a maximum, the lowest for a
    /// minimum).
    pub measured: f64,
    /// The seed that gave it.
    pub seed: u64,
    /// The second of that seed's run where it went wrong, for figures that have one (the
    /// first failure or throttle, the oldest message's peak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
}

/// The verdict on a solution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// Pass, fail or error.
    pub status: Status,
    /// Why it could not be graded, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Changes to locked parts (each fails the grade).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<String>,
    /// Each goal.
    pub goals: Vec<GoalResult>,
    /// The result code of a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Exercise {
    /// Reads an exercise and checks it; errors name the field.
    pub fn from_json(json: &str) -> Result<Exercise, String> {
        if json.len() > crate::MAX_SCENARIO_BYTES {
            return Err("the exercise is too large".into());
        }
        let e: Exercise = serde_json::from_str(json.strip_prefix('\u{feff}').unwrap_or(json))
            .map_err(|e| e.to_string())?;
        e.check()?;
        Ok(e)
    }

    /// The exercise as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The starting scenario.
    pub fn start(&self) -> Result<Scenario, String> {
        Scenario::from_json(&self.start.to_string()).map_err(|e| format!("start: {e}"))
    }

    fn check(&self) -> Result<(), String> {
        if self.format != EXERCISE_FORMAT {
            return Err(format!(
                "format: expected \"{EXERCISE_FORMAT}\", found {:?}",
                self.format
            ));
        }
        if self.version == 0 || self.version > EXERCISE_VERSION {
            return Err(format!(
                "version {} is not supported (1..={EXERCISE_VERSION}): written by a newer Surge?",
                self.version
            ));
        }
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 100
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err("id: 1 to 100 letters, digits, - or _".into());
        }
        if self.seeds.is_empty() || self.seeds.len() > MAX_SEEDS {
            return Err(format!("seeds: 1 to {MAX_SEEDS} seeds"));
        }
        if self.goals.is_empty() || self.goals.len() > MAX_GOALS {
            return Err(format!("goals: 1 to {MAX_GOALS} goals"));
        }
        let start = self.start()?;
        for (i, g) in self.goals.iter().enumerate() {
            let finite = |v: Option<f64>| v.is_none_or(f64::is_finite);
            if (g.max.is_none() && g.min.is_none()) || !finite(g.max) || !finite(g.min) {
                return Err(format!("goals[{i}]: a finite max or min"));
            }
            if let Some(n) = &g.node
                && start.node_index(n).is_none()
            {
                return Err(format!("goals[{i}].node: no node {n:?} in the start"));
            }
        }
        for (i, kind) in self.allow.add.iter().enumerate() {
            if NodeKind::with_defaults(kind).is_none() {
                return Err(format!("allow.add[{i}]: no node kind {kind:?}"));
            }
        }
        if self
            .allow
            .budget_usd
            .is_some_and(|b| !(b.is_finite() && b > 0.0))
        {
            return Err("allow.budget_usd: a positive number of dollars".into());
        }
        Ok(())
    }

    /// The goals graded, the budget among them.
    fn all_goals(&self) -> Vec<Goal> {
        let mut goals = self.goals.clone();
        if let Some(b) = self.allow.budget_usd {
            goals.push(Goal {
                metric: Metric::CostUsd,
                node: None,
                max: Some(b),
                min: None,
            });
        }
        goals
    }

    /// What `solution` changed that the exercise locks, in words.
    pub fn locked_changes(&self, solution: &Scenario) -> Vec<String> {
        match self.start() {
            Ok(start) => self.locked_changes_from(&start, solution),
            Err(_) => vec!["the exercise's start is not valid".into()],
        }
    }

    /// [`Exercise::locked_changes`] against the start already read (the page checks
    /// every edit, so it reads the start once).
    pub fn locked_changes_from(&self, start: &Scenario, solution: &Scenario) -> Vec<String> {
        let mut out = Vec::new();
        // The run itself: its length, its faults and its alarms are the test.
        if start.duration_s != solution.duration_s {
            out.push("the run's duration is part of the exercise".into());
        }
        if start.faults != solution.faults {
            out.push("the faults are part of the exercise".into());
        }
        for path in diff(&value(&start.account), &value(&solution.account), "account") {
            if !self.allow.permits(&path) {
                out.push(format!("{path} is locked"));
            }
        }
        let mut added = 0u32;
        for n in &solution.nodes {
            let Some(k) = start.node_index(&n.id) else {
                added += 1;
                if !self.allow.add.iter().any(|a| a == n.kind.tag()) {
                    out.push(format!(
                        "adding a {} ({}) is not allowed",
                        n.kind.tag(),
                        n.id
                    ));
                }
                continue;
            };
            let before = &start.nodes[k];
            if before.kind.tag() != n.kind.tag() {
                out.push(format!("{} must stay a {}", n.id, before.kind.tag()));
                continue;
            }
            let params = |node: &crate::Node| {
                serde_json::to_value(node)
                    .ok()
                    .and_then(|v| v.get("params").cloned())
                    .unwrap_or_default()
            };
            for path in diff(&params(before), &params(n), &n.id) {
                if !self.allow.permits(&path) {
                    out.push(format!("{path} is locked"));
                }
            }
        }
        for n in &start.nodes {
            if solution.node_index(&n.id).is_none() {
                out.push(format!("{} was removed", n.id));
            }
        }
        if let Some(max) = self.allow.max_added
            && added > max
        {
            out.push(format!("{added} nodes added; at most {max}"));
        }
        let is_start = |id: &str| start.node_index(id).is_some();
        for e in &solution.edges {
            let key = format!("{}->{}", e.from, e.to);
            match start
                .edges
                .iter()
                .find(|s| s.from == e.from && s.to == e.to)
            {
                Some(before) => {
                    for path in diff(&value(before), &value(e), &key) {
                        if !self.allow.permits(&path) {
                            out.push(format!("{path} is locked"));
                        }
                    }
                }
                None if is_start(&e.from) && is_start(&e.to) && !self.allow.rewire => {
                    out.push(format!("the connection {key} is new"));
                }
                None => {}
            }
        }
        for e in &start.edges {
            let kept = solution
                .edges
                .iter()
                .any(|s| s.from == e.from && s.to == e.to);
            if !kept && !self.allow.rewire {
                out.push(format!("the connection {}->{} was removed", e.from, e.to));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Grades `solution`: its locked parts, then every goal on every grading seed.
    pub fn grade(&self, solution: &Scenario) -> Grade {
        let mut grading = match self.start_grading(solution) {
            Ok(g) => g,
            Err(grade) => return grade,
        };
        while let Some(run) = grading.next_run() {
            let report = match Simulation::with_limits(&run, Limits::CLI) {
                Ok(mut sim) => sim.run(),
                Err(e) => return Grading::failed(e.to_string()),
            };
            if let Err(grade) = grading.record(&report) {
                return grade;
            }
        }
        grading.finish()
    }

    /// Starts grading `solution` seed by seed (the page's worker runs each seed in
    /// slices between its messages); a solution that cannot be graded is an error grade.
    pub fn start_grading(&self, solution: &Scenario) -> Result<Grading, Grade> {
        if let Err(why) = self.check() {
            return Err(Grading::failed(format!("the exercise: {why}")));
        }
        let solution = solution.without_talk();
        if let Err(e) = solution.validate() {
            return Err(Grading::failed(format!(
                "the solution is not a valid scenario: {e}"
            )));
        }
        let goals = self.all_goals();
        Ok(Grading {
            id: self.id.clone(),
            seeds: self.seeds.clone(),
            locked: self.locked_changes(&solution),
            results: vec![None; goals.len()],
            goals,
            solution,
            done: 0,
        })
    }

    /// Whether `code` is this solution's result code: it must pass, and the code must be
    /// the one its figures give.
    pub fn verify(&self, solution: &Scenario, code: &str) -> bool {
        let grade = self.grade(solution);
        grade.status == Status::Pass && grade.code.is_some_and(|c| same_code(&c, code))
    }
}

/// A grade in progress: the seeds run so far and the worst figure of each goal.
#[derive(Clone, Debug)]
pub struct Grading {
    id: String,
    seeds: Vec<u64>,
    solution: Scenario,
    locked: Vec<String>,
    goals: Vec<Goal>,
    results: Vec<Option<GoalResult>>,
    done: usize,
}

impl Grading {
    /// A grade that could not be made, with the reason.
    pub fn failed(why: String) -> Grade {
        Grade {
            status: Status::Error,
            error: Some(why),
            locked: Vec::new(),
            goals: Vec::new(),
            code: None,
        }
    }

    /// The next seed's run (the solution with that seed), or none when all are done.
    pub fn next_run(&self) -> Option<Scenario> {
        let seed = *self.seeds.get(self.done)?;
        Some(Scenario {
            seed,
            ..self.solution.clone()
        })
    }

    /// Seeds run so far, and how many there are.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.seeds.len())
    }

    /// Records the report of [`Grading::next_run`]'s run.
    pub fn record(&mut self, report: &Report) -> Result<(), Grade> {
        let seed = self.seeds.get(self.done).copied().unwrap_or_default();
        if let Some(stop) = &report.stopped {
            return Err(Grading::failed(format!(
                "seed {seed}: the run was stopped: {}",
                stop.message
            )));
        }
        for (g, slot) in self.goals.iter().zip(self.results.iter_mut()) {
            let v = g
                .metric
                .measure(report, g.node.as_deref())
                .map_err(Grading::failed)?;
            let worse = slot.as_ref().is_none_or(|r| {
                if g.max.is_some() {
                    v > r.measured
                } else {
                    v < r.measured
                }
            });
            let met = g.met_by(v) && slot.as_ref().is_none_or(|r| r.met);
            if worse {
                *slot = Some(GoalResult {
                    name: g.words(),
                    met,
                    measured: v,
                    seed,
                    at_s: g.metric.moment(report, g.node.as_deref()),
                });
            } else if let Some(r) = slot.as_mut() {
                r.met = met;
            }
        }
        self.done += 1;
        Ok(())
    }

    /// The grade once every seed is recorded.
    pub fn finish(self) -> Grade {
        let goals: Vec<GoalResult> = self.results.into_iter().flatten().collect();
        let all_run = self.done == self.seeds.len();
        let pass = all_run && self.locked.is_empty() && goals.iter().all(|g| g.met);
        let code = pass.then(|| result_code(&self.id, &self.solution, &goals));
        Grade {
            status: if pass { Status::Pass } else { Status::Fail },
            error: None,
            locked: self.locked,
            goals,
            code,
        }
    }
}

/// The solution as the code hashes it: positions, names, boxes and notes, its script and
/// its seed do not change what it is.
pub fn canonical(solution: &Scenario) -> String {
    let mut s = solution.without_talk();
    s.seed = 0;
    s.annotations.clear();
    for n in &mut s.nodes {
        n.position = crate::Position::default();
        n.name.clear();
    }
    serde_json::to_string(&s).unwrap_or_default()
}

/// A pass's result code: FNV-1a over the exercise id, the canonical solution, the model
/// version and every goal's figure, as twelve characters of Crockford base 32 in three
/// groups (60 bits).
pub fn result_code(exercise_id: &str, solution: &Scenario, goals: &[GoalResult]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so fields cannot run into each other.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    feed(b"surge-result-code/1");
    feed(exercise_id.as_bytes());
    feed(canonical(solution).as_bytes());
    feed(MODEL_VERSION.to_string().as_bytes());
    for g in goals {
        feed(format!("{}={:.6}@{}", g.name, g.measured, g.seed).as_bytes());
    }
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let chars: String = (0..12)
        .map(|i| ALPHABET[((h >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
}

/// Whether two codes are the same as typed: case, spaces and dashes do not matter; O
/// reads as 0, I and L as 1.
pub fn same_code(a: &str, b: &str) -> bool {
    normalise(a) == normalise(b)
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// Leaf paths whose values differ between two JSON values (absent counts as null).
fn diff(a: &serde_json::Value, b: &serde_json::Value, prefix: &str) -> Vec<String> {
    use serde_json::Value;
    let mut out = Vec::new();
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                out.extend(diff(va, vb, &format!("{prefix}.{k}")));
            }
        }
        _ if a != b => out.push(prefix.to_owned()),
        _ => {}
    }
    out
}

/// Any part of a scenario as a JSON value (for the diff).
fn value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(allow: Allow) -> (Exercise, Scenario) {
        let mut start = Scenario::client_to_function(20.0, 50, 100.0, 30.0, 1);
        start.add("q", NodeKind::with_defaults("sqs").expect("sqs"));
        let e = Exercise {
            format: EXERCISE_FORMAT.into(),
            version: EXERCISE_VERSION,
            id: "t".into(),
            title: "t".into(),
            story: "s".into(),
            hints: Vec::new(),
            lesson: None,
            difficulty: 1,
            start: serde_json::from_str(&start.to_json()).expect("json"),
            goals: vec![Goal {
                metric: Metric::SuccessPct,
                node: None,
                max: None,
                min: Some(99.0),
            }],
            allow,
            seeds: vec![1, 2],
        };
        (e, start)
    }

    fn lambda(s: &mut Scenario) -> &mut crate::LambdaParams {
        match &mut s.nodes[1].kind {
            NodeKind::Lambda(l) => l,
            _ => panic!("a function"),
        }
    }

    #[test]
    fn only_what_the_exercise_allows_may_change() {
        let (e, start) = exercise(Allow {
            params: vec!["fn.memory_mb".into(), "account.scaling".into()],
            add: vec!["sqs".into()],
            max_added: Some(1),
            ..Allow::default()
        });
        assert!(e.locked_changes(&start).is_empty());
        let mut s = start.clone();
        lambda(&mut s).memory_mb = 2048;
        s.nodes[0].position.x += 50.0;
        s.nodes[0].name = "renamed".into();
        assert!(
            e.locked_changes(&s).is_empty(),
            "{:?}",
            e.locked_changes(&s)
        );
        lambda(&mut s).timeout_s = 10.0;
        s.account.lambda_concurrency = 5_000;
        s.duration_s = 60.0;
        assert_eq!(
            e.locked_changes(&s),
            vec![
                "account.lambda_concurrency is locked".to_owned(),
                "fn.timeout_s is locked".to_owned(),
                "the run's duration is part of the exercise".to_owned(),
            ]
        );
        // Adding: the allowed kind, up to the budget; a removed node; a new connection
        // between starting nodes without rewire; a kind that is not allowed.
        let mut s = start.clone();
        s.add("q2", NodeKind::with_defaults("sqs").expect("sqs"));
        s.connect("fn", "q2");
        assert!(
            e.locked_changes(&s).is_empty(),
            "{:?}",
            e.locked_changes(&s)
        );
        s.add("q3", NodeKind::with_defaults("sqs").expect("sqs"));
        s.add("db", NodeKind::with_defaults("rds").expect("rds"));
        s.connect("fn", "q");
        s.edges.retain(|x| x.from != "client");
        s.nodes.retain(|n| n.id != "client");
        let locked = e.locked_changes(&s);
        for want in [
            "3 nodes added; at most 1",
            "adding a rds (db) is not allowed",
            "client was removed",
            "the connection client->fn was removed",
            "the connection fn->q is new",
        ] {
            assert!(locked.iter().any(|l| l == want), "{want}: {locked:?}");
        }
        // A wildcard opens a node's every parameter; a connection's settings by path.
        let (e, start) = exercise(Allow {
            params: vec!["fn.*".into(), "client->fn.breaker".into()],
            ..Allow::default()
        });
        let mut s = start.clone();
        lambda(&mut s).timeout_s = 10.0;
        s.edges[0].breaker = Some(Default::default());
        assert!(
            e.locked_changes(&s).is_empty(),
            "{:?}",
            e.locked_changes(&s)
        );
    }

    #[test]
    fn grading_measures_the_worst_seed_and_codes_read_as_typed() {
        let (e, start) = exercise(Allow::default());
        let g = e.grade(&start);
        assert_eq!(g.status, Status::Pass, "{g:?}");
        let code = g.code.clone().expect("a pass has a code");
        assert_eq!(code.len(), 14);
        assert!(e.verify(&start, &code.to_lowercase().replace('-', " ")));
        assert!(same_code("0I1L-ABCD", "oi11abcd"));
        let mut harder = e.clone();
        harder.goals[0].min = Some(101.0);
        let g = harder.grade(&start);
        assert_eq!(g.status, Status::Fail);
        assert!(g.code.is_none() && !g.goals[0].met);
        assert_eq!(g.goals[0].name, "requests that succeeded ≥ 101 %");
        // A budget is one more goal.
        let mut budget = e.clone();
        budget.allow.budget_usd = Some(1e-9);
        let g = budget.grade(&start);
        assert_eq!(g.status, Status::Fail);
        assert_eq!(g.goals[1].name, "cost of the run ≤ $0.000000001");
    }

    #[test]
    fn a_broken_exercise_or_solution_is_an_error_with_its_reason() {
        let (e, start) = exercise(Allow::default());
        for (change, want) in [
            (serde_json::json!({"format": "other"}), "format"),
            (serde_json::json!({"version": 9}), "version 9"),
            (serde_json::json!({"id": "no spaces"}), "id"),
            (serde_json::json!({"seeds": []}), "seeds"),
            (
                serde_json::json!({"goals": [{"metric": "p99_ms"}]}),
                "goals[0]",
            ),
            (
                serde_json::json!({"goals": [{"metric": "p99_ms", "node": "ghost", "max": 1}]}),
                "ghost",
            ),
            (serde_json::json!({"allow": {"add": ["teapot"]}}), "teapot"),
            (serde_json::json!({"start": {"nodes": []}}), "start"),
        ] {
            let mut v: serde_json::Value = serde_json::from_str(&e.to_json()).expect("json");
            for (k, x) in change.as_object().expect("object") {
                v[k] = x.clone();
            }
            let err = Exercise::from_json(&v.to_string()).expect_err("refused");
            assert!(err.contains(want), "{want}: {err}");
        }
        let unknown = e.to_json().replacen("\"title\"", "\"tilte\"", 1);
        assert!(Exercise::from_json(&unknown).is_err());
        let mut bad = start.clone();
        bad.duration_s = -1.0;
        let g = e.grade(&bad);
        assert_eq!(g.status, Status::Error);
        assert!(g.error.is_some_and(|w| w.contains("duration_s")));
    }
}
