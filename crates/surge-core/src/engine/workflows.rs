//! Step Functions executions: a small interpreter over the compiled state machine.
//!
//! Why branches: Parallel and Map run sub-workflows; each running workflow (the execution
//! itself, a Parallel branch, a Map iteration) is a branch in an arena with a parent, so the
//! same loop runs them all. Retry waits follow IntervalSeconds × BackoffRate^(n−1), capped
//! by MaxDelaySeconds, with FULL jitter a uniform draw below it; Catch applies after the
//! retries; a Map keeps at most MaxConcurrency iterations running.
//!
//! Account limits: Standard state transitions draw from the account's token bucket (5,000,
//! refilled 1,500/s in the big Regions); a transition without a token waits in a FIFO line
//! (CloudWatch's `ExecutionThrottled`), so throttling slows executions, it fails none.
//! Express executions stop after 5 minutes: the execution fails with `States.Timeout`, its
//! branches end at once, and a task still running finishes unobserved.

use super::stats::TokenBucket;
use super::{BranchId, CallId, Event, NodeRt, Outcome, Parent, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{
    Catcher, Definition, Jitter, Retrier, State, StateMachineParams, WorkflowFlavour,
};
use crate::time::SimTime;

/// Inline Map's own ceiling of concurrent iterations when MaxConcurrency is 0.
const INLINE_MAP_LIMIT: u32 = 40;
/// A branch that makes this many transitions at one simulated instant is in a loop that
/// takes no time (a Catch back to a Task that fails at once, a Choice among such states):
/// its execution fails with `States.Runtime` naming the state. On AWS every transition
/// takes real time; in the simulation such a loop would never let time pass.
pub(crate) const MAX_TRANSITIONS_PER_INSTANT: u32 = 10_000;

/// The index of a compiled state; `None` where a state has no next one (the branch
/// ends successfully).
type Next = Option<u32>;

#[derive(Debug, Clone)]
enum StRt {
    Task {
        edge: u32,
        retry: Vec<Retrier>,
        catch: Vec<Catcher>,
        next: Next,
    },
    Choice {
        choices: Vec<(f64, Next)>,
        default: Next,
    },
    Wait {
        d: SimTime,
        next: Next,
    },
    Parallel {
        branches: Vec<Next>,
        catch: Vec<Catcher>,
        next: Next,
    },
    Map {
        items: u32,
        max: u32,
        start: Next,
        catch: Vec<Catcher>,
        next: Next,
    },
    Succeed,
    Fail {
        error: String,
    },
}

#[derive(Debug)]
pub(crate) struct MachineRt {
    states: Vec<StRt>,
    /// Each state's definition (the index of its definition's first state), to resolve
    /// catch targets among its siblings.
    base: Vec<u32>,
    /// State index by (definition, name).
    names: std::collections::BTreeMap<(u32, String), u32>,
    start: Next,
    bucket: TokenBucket,
    pub(crate) flavour: WorkflowFlavour,
    /// Branches of this machine's executions alive now (for the memory budget).
    pub(crate) live_branches: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Branch {
    generation: u32,
    node: u32,
    /// The branch that runs it (none for an execution's root branch).
    parent: Option<BranchId>,
    /// The state it is in (none: it has finished its states).
    state: Next,
    attempts: Vec<u32>,
    pending: u32,
    running: u32,
    failed: Option<String>,
    live: bool,
    /// The execution's root branch (none on the root itself).
    root: Option<BranchId>,
    /// Root only: history events so far (two per state: entered and exited).
    history: u32,
    /// Root only: when the execution started (Express bills its duration).
    started: SimTime,
    /// A Task's call is out: the slot is freed when it returns, even if the branch ended.
    task_out: bool,
    /// A transition token was taken for this branch while it waited in line.
    paid: bool,
    /// The execution's live branches form a list from the root (`first`), so stopping an
    /// Express execution visits only its own branches.
    first: Option<BranchId>,
    prev: Option<BranchId>,
    next: Option<BranchId>,
    /// Transitions made at the instant `still_at` (the no-progress guard).
    still: u32,
    still_at: SimTime,
}

/// Waiting for a Standard state-transition token, first come first served.
#[derive(Debug)]
pub(crate) struct TransitionLine {
    bucket: TokenBucket,
    /// A `TransitionWake` is scheduled (one at a time).
    wake_armed: bool,
    waiting: std::collections::VecDeque<(BranchId, u32)>,
}

impl TransitionLine {
    pub(crate) fn new(rate_per_s: f64, burst: u32) -> Self {
        TransitionLine {
            bucket: TokenBucket::new(rate_per_s, f64::from(burst)),
            wake_armed: false,
            waiting: Default::default(),
        }
    }
}

/// Express executions fail after this long [hard limit].
const EXPRESS_LIMIT: SimTime = SimTime::from_secs(300);

/// Standard workflows fail once their history passes 25,000 events [hard limit].
const HISTORY_LIMIT: u32 = 25_000;

fn compile(
    def: &Definition,
    states: &mut Vec<StRt>,
    bases: &mut Vec<u32>,
    names: &mut std::collections::BTreeMap<(u32, String), u32>,
    edge_to: &dyn Fn(&str) -> Option<u32>,
) -> Next {
    let base = states.len() as u32;
    let order: Vec<&String> = def.states.keys().collect();
    for (i, name) in order.iter().enumerate() {
        states.push(StRt::Succeed);
        bases.push(base);
        names.insert((base, (*name).clone()), base + i as u32);
    }
    let local: std::collections::BTreeMap<&str, u32> = order
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), base + i as u32))
        .collect();
    let index = |name: &str| local.get(name).copied();
    for (i, name) in order.iter().enumerate() {
        let next = |n: &Option<String>| n.as_deref().and_then(&index);
        let compiled = match &def.states[*name] {
            State::Task {
                resource,
                retry,
                catch,
                next: n,
            } => StRt::Task {
                // Validation: a Task's resource is a function wired to the machine.
                edge: edge_to(resource).unwrap_or_default(),
                retry: retry.clone(),
                catch: catch.clone(),
                next: next(n),
            },
            State::Choice { choices, default } => StRt::Choice {
                choices: choices
                    .iter()
                    .map(|c| (c.probability, index(&c.next)))
                    .collect(),
                default: index(default),
            },
            State::Wait { seconds, next: n } => StRt::Wait {
                d: SimTime::from_secs_f64(*seconds),
                next: next(n),
            },
            State::Parallel {
                branches,
                catch,
                next: n,
            } => {
                let starts = branches
                    .iter()
                    .map(|b| compile(b, states, bases, names, edge_to))
                    .collect();
                StRt::Parallel {
                    branches: starts,
                    catch: catch.clone(),
                    next: next(n),
                }
            }
            State::Map {
                items,
                max_concurrency,
                iterator,
                catch,
                next: n,
            } => {
                let start = compile(iterator, states, bases, names, edge_to);
                let max = if *max_concurrency == 0 {
                    INLINE_MAP_LIMIT
                } else {
                    *max_concurrency
                };
                StRt::Map {
                    items: *items,
                    max,
                    start,
                    catch: catch.clone(),
                    next: next(n),
                }
            }
            State::Succeed => StRt::Succeed,
            State::Fail { error } => StRt::Fail {
                error: error.clone(),
            },
        };
        states[base as usize + i] = compiled;
    }
    index(&def.start_at)
}

impl MachineRt {
    pub(crate) fn new(p: &StateMachineParams, edge_to: &dyn Fn(&str) -> Option<u32>) -> Self {
        let mut states = Vec::new();
        let mut base = Vec::new();
        let mut names = Default::default();
        // Validation refused what does not compile; an unvalidated machine does nothing.
        let definition = p.compiled().unwrap_or_else(|_| Definition {
            start_at: String::new(),
            states: Default::default(),
        });
        let start = compile(&definition, &mut states, &mut base, &mut names, edge_to);
        MachineRt {
            states,
            base,
            names,
            start,
            bucket: TokenBucket::new(p.start_rate_per_s, f64::from(p.start_burst)),
            flavour: p.flavour,
            live_branches: 0,
        }
    }
}

/// The States Language name of an error.
fn error_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ConcurrencyThrottled => "Lambda.TooManyRequestsException",
        ErrorKind::FunctionTimeout | ErrorKind::IntegrationTimeout => "States.Timeout",
        _ => "States.TaskFailed",
    }
}

/// Whether an ErrorEquals list matches `error`: `States.ALL` matches everything,
/// `States.TaskFailed` every task failure but a timeout, other names themselves.
fn matches(list: &[String], error: &str) -> bool {
    list.iter().any(|e| {
        e == "States.ALL" || e == error || (e == "States.TaskFailed" && error != "States.Timeout")
    })
}

impl Simulation {
    fn machine(&mut self, node: u32) -> &mut MachineRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Machine(m) => m,
            _ => unreachable!("state machine node"),
        }
    }

    /// StartExecution: throttled by the token bucket, else an execution starts and the
    /// caller gets its answer at once.
    pub(super) fn sfn_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let now = self.now;
        if !self.machine(node).bucket.take(now) {
            self.complete(call, Err(ErrorKind::Throttled));
            return;
        }
        self.complete(call, Ok(()));
        self.executions.started += 1;
        self.executions.running += 1;
        self.stats[node as usize].in_flight.add(now, 1);
        let start = self.machine(node).start;
        let b = self.new_branch(node, None, start);
        self.branches[b].started = now;
        if self.machine(node).flavour == WorkflowFlavour::Express {
            let generation = self.branches[b].generation;
            self.schedule(
                EXPRESS_LIMIT,
                Event::MachineDeadline {
                    branch: b,
                    generation,
                },
            );
        }
        self.run_branch(b);
    }

    /// Takes a Standard transition token for branch `b`, or puts it in line.
    fn transition_token(&mut self, b: BranchId) -> bool {
        let br = &mut self.branches[b];
        if std::mem::take(&mut br.paid) {
            return true;
        }
        let generation = br.generation;
        let now = self.now;
        let line = &mut self.transitions;
        let bucket = &mut line.bucket;
        if line.waiting.is_empty() && bucket.take(now) {
            return true;
        }
        line.waiting.push_back((b, generation));
        self.executions.throttled_transitions += 1;
        if !line.wake_armed {
            line.wake_armed = true;
            let wait = bucket.time_until(now, 1.0);
            self.schedule(wait, Event::TransitionWake);
        }
        false
    }

    /// Tokens have refilled: the branches at the head of the line move on.
    pub(super) fn transition_wake(&mut self) {
        let now = self.now;
        self.transitions.wake_armed = false;
        while let Some(&(b, generation)) = self.transitions.waiting.front() {
            let br = &self.branches[b];
            if !br.live || br.generation != generation {
                self.transitions.waiting.pop_front();
                continue;
            }
            let line = &mut self.transitions;
            if !line.bucket.take(now) {
                if !line.wake_armed {
                    line.wake_armed = true;
                    let wait = line.bucket.time_until(now, 1.0);
                    self.schedule(wait, Event::TransitionWake);
                }
                return;
            }
            self.transitions.waiting.pop_front();
            self.branches[b].paid = true;
            self.run_branch(b);
        }
    }

    /// An Express execution reached 5 minutes: it fails, and all its branches end.
    pub(super) fn machine_deadline(&mut self, root: BranchId, generation: u32) {
        let br = &self.branches[root];
        if !br.live || br.generation != generation {
            return;
        }
        let mut next = self.branches[root].first.take();
        let node = self.branches[root].node;
        while let Some(b) = next {
            self.machine(node).live_branches -= 1;
            let br = &mut self.branches[b];
            br.live = false;
            br.generation = br.generation.wrapping_add(1);
            next = br.next;
            if !br.task_out {
                self.branches.release(b);
            }
        }
        self.executions.timed_out += 1;
        self.end_failed(
            root,
            "States.Timeout: Express executions stop at 5 minutes".into(),
        );
    }

    fn new_branch(&mut self, node: u32, parent: Option<BranchId>, state: Next) -> BranchId {
        let root = parent.map(|p| self.branches[p].root.unwrap_or(p));
        let branch = Branch {
            node,
            parent,
            state,
            live: true,
            root,
            ..Branch::default()
        };
        let b = self.branches.insert_carrying(branch, |old, new| Branch {
            generation: old.generation,
            ..new
        });
        self.machine(node).live_branches += 1;
        if let Some(root) = root {
            let head = self.branches[root].first;
            self.branches[b].next = head;
            if let Some(head) = head {
                self.branches[head].prev = Some(b);
            }
            self.branches[root].first = Some(b);
        }
        b
    }

    /// Takes an ended branch out of its execution's list.
    fn unlink(&mut self, b: BranchId) {
        let (root, prev, next) = {
            let br = &self.branches[b];
            (br.root, br.prev, br.next)
        };
        let Some(root) = root else {
            return;
        };
        match prev {
            None => self.branches[root].first = next,
            Some(prev) => self.branches[prev].next = next,
        }
        if let Some(next) = next {
            self.branches[next].prev = prev;
        }
    }

    /// Runs states until one waits (a task, a wait, branches) or the branch ends.
    fn run_branch(&mut self, b: BranchId) {
        loop {
            let (node, state) = (self.branches[b].node, self.branches[b].state);
            let Some(state) = state else {
                self.end_branch(b, Ok(()));
                return;
            };
            let flavour = self.machine(node).flavour;
            if flavour == WorkflowFlavour::Standard && !self.transition_token(b) {
                return;
            }
            self.executions.transitions += 1;
            if flavour == WorkflowFlavour::Standard {
                self.cost.standard_transition();
            }
            if !self.branch_progresses(b) {
                return;
            }
            // Standard executions keep a history; past its hard limit the execution fails.
            let root = self.branches[b].root.unwrap_or(b);
            let history = &mut self.branches[root].history;
            *history += 2;
            if *history > HISTORY_LIMIT && flavour == WorkflowFlavour::Standard {
                self.end_failed(
                    b,
                    "States.Runtime: execution history above 25,000 events".into(),
                );
                return;
            }
            let st = self.machine(node).states[state as usize].clone();
            match st {
                StRt::Task { edge, .. } => {
                    self.branches[b].task_out = true;
                    self.new_call(edge, Parent::Machine(b), false);
                    return;
                }
                StRt::Choice { choices, default } => {
                    let u = self.rng.uniform();
                    let mut acc = 0.0;
                    let mut next = default;
                    for (p, n) in choices {
                        acc += p;
                        if u < acc {
                            next = n;
                            break;
                        }
                    }
                    self.goto(b, next);
                }
                StRt::Wait { d, next } => {
                    self.goto(b, next);
                    let generation = self.branches[b].generation;
                    self.schedule(
                        d,
                        Event::MachineResume {
                            branch: b,
                            generation,
                        },
                    );
                    return;
                }
                StRt::Parallel { branches, .. } => {
                    self.branches[b].running = branches.len() as u32;
                    self.branches[b].failed = None;
                    for start in branches {
                        let child = self.new_branch(node, Some(b), start);
                        self.start_branch(child);
                    }
                    return;
                }
                StRt::Map {
                    items, max, start, ..
                } => {
                    let first = items.min(max);
                    let br = &mut self.branches[b];
                    br.pending = items - first;
                    br.running = first;
                    br.failed = None;
                    if items == 0 {
                        self.after_children(b);
                        return;
                    }
                    for _ in 0..first {
                        let child = self.new_branch(node, Some(b), start);
                        self.start_branch(child);
                    }
                    return;
                }
                StRt::Succeed => {
                    self.end_branch(b, Ok(()));
                    return;
                }
                StRt::Fail { error } => {
                    self.end_failed(b, error);
                    return;
                }
            }
        }
    }

    /// The state machine node a branch belongs to.
    pub(super) fn branch_node(&self, b: BranchId) -> usize {
        self.branches[b].node as usize
    }

    /// Queues a new branch to run (iteratively, through the task list).
    fn start_branch(&mut self, b: BranchId) {
        let generation = self.branches[b].generation;
        self.tasks.push_back(super::Task::RunBranch {
            branch: b,
            generation,
        });
    }

    /// Counts a transition of branch `b` at this instant; past the limit its execution
    /// fails, naming the state (false: the branch has ended).
    fn branch_progresses(&mut self, b: BranchId) -> bool {
        let now = self.now;
        let br = &mut self.branches[b];
        if br.still_at != now {
            br.still_at = now;
            br.still = 0;
        }
        br.still += 1;
        if br.still <= MAX_TRANSITIONS_PER_INSTANT {
            return true;
        }
        let (node, state) = (br.node, br.state);
        let name = self.state_name(node, state);
        let message = format!(
            "state {name} made {} transitions at one instant without time passing (a loop that takes no time): its execution fails with States.Runtime",
            super::guard::group(u64::from(MAX_TRANSITIONS_PER_INSTANT))
        );
        self.note(node as usize, message);
        self.end_failed(b, format!("States.Runtime: no progress in state {name}"));
        false
    }

    /// The name of compiled state `state` of machine `node`.
    fn state_name(&mut self, node: u32, state: Next) -> String {
        self.machine(node)
            .names
            .iter()
            .find(|(_, i)| Some(**i) == state)
            .map_or_else(|| "?".to_owned(), |((_, n), _)| n.clone())
    }

    fn goto(&mut self, b: BranchId, next: Next) {
        let br = &mut self.branches[b];
        br.state = next;
        br.attempts.clear();
    }

    pub(super) fn machine_resume(&mut self, b: BranchId, generation: u32) {
        let br = &self.branches[b];
        if br.live && br.generation == generation {
            self.run_branch(b);
        }
    }

    /// A Task's call returned.
    pub(super) fn machine_task_result(&mut self, b: BranchId, outcome: Outcome) {
        let br = &mut self.branches[b];
        br.task_out = false;
        if !br.live {
            // Its execution ended while the task ran (Express timeout): free the slot now.
            self.branches.release(b);
            return;
        }
        let (node, state) = (self.branches[b].node, self.branches[b].state);
        let Some(StRt::Task {
            retry, catch, next, ..
        }) = self.compiled(node, state)
        else {
            return;
        };
        let kind = match outcome {
            Ok(()) => {
                self.goto(b, next);
                self.run_branch(b);
                return;
            }
            Err(kind) => kind,
        };
        let error = error_name(kind);
        if let Some(i) = retry.iter().position(|r| matches(&r.error_equals, error)) {
            let br = &mut self.branches[b];
            if br.attempts.len() <= i {
                br.attempts.resize(i + 1, 0);
            }
            if br.attempts[i] < retry[i].max_attempts {
                br.attempts[i] += 1;
                let n = br.attempts[i];
                let generation = br.generation;
                let mut d = retry[i].delay_s(n);
                if retry[i].jitter_strategy == Jitter::Full {
                    d *= self.rng.uniform();
                }
                self.executions.transitions += 1;
                if self.machine(node).flavour == WorkflowFlavour::Standard {
                    self.cost.standard_transition();
                }
                self.schedule(
                    SimTime::from_secs_f64(d),
                    Event::MachineRetry {
                        branch: b,
                        generation,
                    },
                );
                return;
            }
        }
        self.caught_or_failed(b, &catch, error.to_owned());
    }

    /// Re-runs the current Task state after a retry wait.
    pub(super) fn machine_retry(&mut self, b: BranchId, generation: u32) {
        let br = &self.branches[b];
        if !br.live || br.generation != generation {
            return;
        }
        let (node, state) = (br.node, br.state);
        if let Some(StRt::Task { edge, .. }) = self.compiled(node, state) {
            self.branches[b].task_out = true;
            self.new_call(edge, Parent::Machine(b), false);
        }
    }

    fn caught_or_failed(&mut self, b: BranchId, catch: &[Catcher], error: String) {
        if let Some(c) = catch.iter().find(|c| matches(&c.error_equals, &error)) {
            let node = self.branches[b].node;
            let state = self.branches[b].state;
            let target = self.resolve(node, state, &c.next);
            self.goto(b, target);
            self.run_branch(b);
        } else {
            self.end_failed(b, error);
        }
    }

    /// The index of state `name` in the definition that holds state `from`.
    fn resolve(&mut self, node: u32, from: Next, name: &str) -> Next {
        let m = self.machine(node);
        let base = from
            .and_then(|f| m.base.get(f as usize))
            .copied()
            .unwrap_or(0);
        m.names.get(&(base, name.to_owned())).copied()
    }

    /// Compiled state `state` of machine `node` (none once a branch has finished).
    fn compiled(&mut self, node: u32, state: Next) -> Option<StRt> {
        state.map(|s| self.machine(node).states[s as usize].clone())
    }

    fn end_failed(&mut self, b: BranchId, error: String) {
        self.branches[b].failed = Some(error);
        self.end_branch(b, Err(ErrorKind::ServerError));
    }

    fn end_branch(&mut self, b: BranchId, outcome: Outcome) {
        self.unlink(b);
        let node = self.branches[b].node;
        self.machine(node).live_branches -= 1;
        let br = &mut self.branches[b];
        br.live = false;
        br.generation = br.generation.wrapping_add(1);
        let (parent, node, error) = (br.parent, br.node, br.failed.take());
        if !br.task_out {
            self.branches.release(b);
        }
        let Some(parent) = parent else {
            let started = self.branches[b].started;
            if self.machine(node).flavour == WorkflowFlavour::Express {
                let seconds = (self.now - started).as_secs_f64();
                self.cost.express_execution(seconds);
            }
            self.executions.running -= 1;
            if outcome.is_ok() {
                self.executions.succeeded += 1;
            } else {
                self.executions.failed += 1;
            }
            let now = self.now;
            self.stats[node as usize].in_flight.add(now, -1);
            return;
        };
        let p = &mut self.branches[parent];
        p.running -= 1;
        if outcome.is_err() && p.failed.is_none() {
            p.failed = Some(error.unwrap_or_else(|| "States.BranchFailed".into()));
        }
        // A Map starts its next item while none has failed.
        let state = p.state;
        if let Some(StRt::Map { start, .. }) = self.compiled(node, state) {
            let p = &mut self.branches[parent];
            if p.pending > 0 && p.failed.is_none() {
                p.pending -= 1;
                p.running += 1;
                let child = self.new_branch(node, Some(parent), start);
                self.start_branch(child);
                return;
            }
        }
        if self.branches[parent].running == 0 {
            self.after_children(parent);
        }
    }

    /// Every branch of a Parallel or started item of a Map has ended.
    fn after_children(&mut self, b: BranchId) {
        let (node, state) = (self.branches[b].node, self.branches[b].state);
        let Some(StRt::Parallel { catch, next, .. } | StRt::Map { catch, next, .. }) =
            self.compiled(node, state)
        else {
            return;
        };
        match self.branches[b].failed.take() {
            None => {
                self.goto(b, next);
                self.run_branch(b);
            }
            Some(error) => self.caught_or_failed(b, &catch, error),
        }
    }
}
