//! Lambda: the account's concurrency pool, reserved and provisioned concurrency, both
//! scaling models, execution environments with cold starts and idle reclaim, memory as
//! CPU, timeouts, and a handler made of steps.
//!
//! Why environments are explicit: cold starts, database connections per environment and
//! "a thousand warm functions open a thousand connections" all follow from environments
//! being created under load, reused while warm and reclaimed after idling.

use super::env_pool::{EnvId, EnvPool};
use super::retry_budget::RetryQuota;
use super::stats::TokenBucket;
use super::{CallId, CallState, NodeRt, Outcome, Parent, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{LambdaParams, NodeKind, ScalingModel, Scenario, Step, StepDistribution};
use crate::time::SimTime;

/// Platform overhead of a cold start on top of the runtime's own init (estimate).
const PLATFORM_INIT_MS: f64 = 100.0;
/// Lognormal shape giving p99 ≈ 2.5 × median.
const LOGNORMAL_SIGMA: f64 = 0.394;
/// CPU of one full vCPU is reached at this memory size.
const MB_PER_VCPU: f64 = 1769.0;

/// Account-wide state shared by all functions (and API Gateway's account bucket).
#[derive(Debug)]
pub(crate) struct AccountPool {
    pub(crate) api_gateway: TokenBucket,
    unreserved_limit: u32,
    unreserved_in_use: u32,
    scaling: ScalingModel,
    limit: u32,
    legacy_ceiling: u32,
    legacy_in_use: u32,
    legacy_pressure: bool,
    legacy_pressure_secs: u32,
}

impl AccountPool {
    pub(crate) fn new(s: &Scenario) -> Self {
        let reserved: u32 = s
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Lambda(l) => l.reserved_concurrency,
                _ => None,
            })
            .sum();
        let a = &s.account;
        AccountPool {
            api_gateway: TokenBucket::new(a.api_gateway_rate_per_s, f64::from(a.api_gateway_burst)),
            unreserved_limit: a.lambda_concurrency.saturating_sub(reserved),
            unreserved_in_use: 0,
            scaling: a.scaling,
            limit: a.lambda_concurrency,
            legacy_ceiling: a.legacy_burst.min(a.lambda_concurrency),
            legacy_in_use: 0,
            legacy_pressure: false,
            legacy_pressure_secs: 0,
        }
    }
}

/// What a handler step needs at run time.
#[derive(Debug, Clone, Copy)]
enum StepRt {
    /// `lane`: the event list's lane for the step's end (used when its duration is fixed).
    Compute {
        mean_s: f64,
        distribution: StepDistribution,
        lane: u32,
    },
    Sleep(SimTime, u32),
    Call {
        edge: u32,
        node: u32,
        times: u32,
        target: Target,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Lambda,
    Rds,
    Proxy,
    Service,
    Kinesis,
    Table,
}

#[derive(Debug)]
pub(crate) struct LambdaRt {
    reserved: Option<u32>,
    recursive_loop: crate::scenario::RecursiveLoop,
    pub(crate) running: u32,
    pub(crate) envs: EnvPool,
    scale: TokenBucket,
    cpu_factor: f64,
    timeout: SimTime,
    init_median_s: f64,
    app_init: SimTime,
    init_steps: Vec<StepRt>,
    handler: Vec<StepRt>,
    reclaim_after: SimTime,
    memory_gb: f64,
    provisioned: u32,
    pub(crate) async_rt: super::async_invoke::AsyncRt,
    /// "Process all new records": the source node, the cap per run, and the checkpoint
    /// (records of the source handled by the last successful run).
    process_new: Option<(u32, Option<u32>)>,
    checkpoint: u64,
    /// Records handled by any run so far (successful or not): below it, a record is
    /// handled again, a duplicate downstream.
    handled_to: u64,
    pub(crate) reprocessed: u64,
    /// The SDK retry quota of each execution environment (by slot), when the function's
    /// SDK mode has one; refusals and the lowest level over all of them.
    quotas: Option<Vec<RetryQuota>>,
    pub(crate) quota_refused: u64,
    quota_lowest: u32,
    /// Deadline propagation: stop an invocation whose caller gave up.
    pub(crate) drop_abandoned: bool,
    /// Backpressure: the queue watched, its depth and age limits.
    pub(crate) backpressure: Option<super::client::Watch>,
}

/// Where an invocation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Cold start (or injected latency) before any step.
    Boot,
    Init,
    Handler,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct LambdaCall {
    pub(crate) env: EnvId,
    phase: Phase,
    step: u16,
    left: u32,
    pub(crate) child: Option<CallId>,
    sdk_attempt: u32,
    provisioned: bool,
    /// Records of the batch still to process after the current one (event source mapping).
    batch_left: u32,
    /// "Process all new records": the checkpoint this run reaches if it succeeds, and
    /// whether it found nothing to do.
    upto: u64,
    nothing_new: bool,
}

impl LambdaRt {
    pub(crate) fn new(
        p: &LambdaParams,
        node: usize,
        edge_to: &dyn Fn(usize, &str) -> Option<u32>,
        on_failure: Option<u32>,
        source: Option<u32>,
        lanes: &mut u32,
    ) -> Self {
        let cpu = f64::from(p.memory_mb).min(MB_PER_VCPU * f64::from(p.threads));
        let mut steps = |list: &[Step]| -> Vec<StepRt> {
            list.iter()
                .map(|s| match s {
                    Step::Compute { ms, distribution } => StepRt::Compute {
                        mean_s: ms / 1000.0,
                        distribution: *distribution,
                        lane: super::new_lane(lanes),
                    },
                    Step::Sleep { ms } => {
                        StepRt::Sleep(SimTime::from_secs_f64(ms / 1000.0), super::new_lane(lanes))
                    }
                    Step::Call {
                        node: target,
                        times,
                    } => StepRt::Call {
                        // Validation: every call step has its edge.
                        edge: edge_to(node, target).unwrap_or_default(),
                        // Resolved by `start_provisioned`.
                        node: 0,
                        times: *times,
                        target: Target::Lambda,
                    },
                })
                .collect()
        };
        LambdaRt {
            reserved: p.reserved_concurrency,
            recursive_loop: p.recursive_loop,
            running: 0,
            envs: EnvPool::default(),
            scale: TokenBucket::new(100.0, 1000.0),
            cpu_factor: MB_PER_VCPU / cpu,
            timeout: SimTime::from_secs_f64(p.timeout_s),
            init_median_s: (p.runtime.init_ms() + PLATFORM_INIT_MS) / 1000.0,
            app_init: SimTime::from_secs_f64(p.init_ms / 1000.0),
            init_steps: steps(&p.init_steps),
            handler: steps(&p.handler),
            reclaim_after: SimTime::from_secs_f64(p.idle_reclaim_s),
            memory_gb: f64::from(p.memory_mb) / 1024.0,
            provisioned: p.provisioned_concurrency,
            async_rt: super::async_invoke::AsyncRt::new(p, on_failure),
            process_new: p
                .process_new
                .as_ref()
                .zip(source)
                .map(|(j, source)| (source, j.max_records)),
            checkpoint: 0,
            handled_to: 0,
            reprocessed: 0,
            quotas: p.sdk_retry_mode.has_quota().then(Vec::new),
            quota_refused: 0,
            quota_lowest: super::retry_budget::QUOTA_TOKENS,
            drop_abandoned: p.drop_abandoned,
            backpressure: None,
        }
    }

    /// A new execution environment starts with a fresh SDK client, and so a full quota.
    fn fresh_quota(&mut self, env: EnvId) {
        if let Some(q) = self.quotas.as_mut() {
            let slot = env.slot() as usize;
            if q.len() <= slot {
                q.resize(slot + 1, RetryQuota::default());
            }
            q[slot] = RetryQuota::default();
        }
    }

    /// The environment's quota pays for a retry; false if it cannot (true without one).
    fn pay_retry(&mut self, env: EnvId) -> bool {
        let Some(quotas) = self.quotas.as_mut() else {
            return true;
        };
        let slot = env.slot() as usize;
        if quotas.len() <= slot {
            // A provisioned environment's first retry: its quota is full.
            quotas.resize(slot + 1, RetryQuota::default());
        }
        let q = &mut quotas[slot];
        let paid = q.acquire(false).is_some();
        self.quota_lowest = self.quota_lowest.min(q.lowest);
        if !paid {
            self.quota_refused += 1;
        }
        paid
    }

    /// A call succeeded: its environment's quota earns back (the retry's cost, or one).
    fn quota_success(&mut self, env: EnvId, retried: bool) {
        if let Some(q) = self
            .quotas
            .as_mut()
            .and_then(|q| q.get_mut(env.slot() as usize))
        {
            q.on_success(retried.then_some(super::retry_budget::RETRY_COST));
        }
    }

    /// The quota figures for the report (functions in the standard or adaptive SDK mode).
    pub(crate) fn retry_budget(&self) -> Option<crate::report::RetryBudgetReport> {
        let q = self.quotas.as_ref()?;
        Some(crate::report::RetryBudgetReport {
            tokens_left: q
                .iter()
                .map(RetryQuota::tokens)
                .min()
                .unwrap_or(super::retry_budget::QUOTA_TOKENS),
            lowest_tokens: self.quota_lowest,
            retries_refused: self.quota_refused,
            ..Default::default()
        })
    }
}

/// Lognormal draw with the given median.
fn lognormal(sim_rng: &mut crate::rng::SimRng, median: f64) -> f64 {
    let u1 = 1.0 - sim_rng.uniform();
    let u2 = sim_rng.uniform();
    let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2);
    median * libm::exp(LOGNORMAL_SIGMA * z)
}

impl Simulation {
    fn lambda(&mut self, node: usize) -> &mut LambdaRt {
        match &mut self.nodes[node] {
            NodeRt::Lambda(l) => l,
            _ => unreachable!("lambda call at a lambda node"),
        }
    }

    /// Resolves call targets (needs the whole node list) and creates provisioned envs.
    pub(super) fn start_provisioned(&mut self) {
        let kinds: Vec<Target> = self
            .nodes
            .iter()
            .map(|n| match n {
                NodeRt::Rds(_) => Target::Rds,
                NodeRt::Proxy(_) => Target::Proxy,
                NodeRt::Service(_) => Target::Service,
                NodeRt::Stream(_) => Target::Kinesis,
                NodeRt::Table(_) => Target::Table,
                _ => Target::Lambda,
            })
            .collect();
        let edges = self.edges.clone();
        for node in 0..self.nodes.len() {
            let NodeRt::Lambda(l) = &mut self.nodes[node] else {
                continue;
            };
            for step in l.init_steps.iter_mut().chain(l.handler.iter_mut()) {
                if let StepRt::Call {
                    edge,
                    node: target_node,
                    target,
                    ..
                } = step
                {
                    *target_node = edges[*edge as usize].1;
                    *target = kinds[*target_node as usize];
                }
            }
            for _ in 0..l.provisioned {
                l.envs.provision(SimTime::ZERO);
            }
        }
    }

    pub(super) fn lambda_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node as usize;
        if !self.continue_chain(node, call) {
            return;
        }
        let now = self.now;
        let extra = self.fault_state[node].extra_latency;
        // Concurrency: the function's reservation, or the shared unreserved pool.
        let (reserved, running) = {
            let l = self.lambda(node);
            (l.reserved, l.running)
        };
        let pool_ok = match reserved {
            Some(r) => running < r,
            None => self.account.unreserved_in_use < self.account.unreserved_limit,
        };
        let legacy = self.account.scaling == ScalingModel::Legacy2019;
        if !pool_ok {
            self.complete(call, Err(ErrorKind::ConcurrencyThrottled));
            return;
        }
        if legacy && self.account.legacy_in_use >= self.account.legacy_ceiling {
            self.account.legacy_pressure = true;
            self.complete(call, Err(ErrorKind::ConcurrencyThrottled));
            return;
        }
        // Environments idle for `idle_reclaim_s` are gone at that instant, not at the next
        // whole second: an invocation a moment after it starts cold.
        let l = self.lambda(node);
        let reclaim_after = l.reclaim_after;
        for env in l.envs.reclaimable(now, reclaim_after) {
            self.destroy_env(node, env);
        }
        // An environment: provisioned first, then the most recently used warm one, else a
        // new one if the scaling rate allows.
        let l = self.lambda(node);
        let (env, cold, provisioned) = if let Some((env, provisioned)) = l.envs.take_warm() {
            (env, false, provisioned)
        } else if legacy || l.scale.take(now) {
            let env = l.envs.create(now, false);
            l.fresh_quota(env);
            (env, true, false)
        } else {
            self.complete(call, Err(ErrorKind::ConcurrencyThrottled));
            return;
        };
        l.running += 1;
        let initialized = l.envs.initialized(env);
        let (median, app_init) = (l.init_median_s, l.app_init);
        if reserved.is_none() {
            self.account.unreserved_in_use += 1;
        }
        self.account.legacy_in_use += 1;
        let mut boot = extra;
        if cold {
            let st = &mut self.stats[node];
            st.cold_starts += 1;
            if let Some(s) = st
                .series
                .get_mut((now.second_index() / self.step_s) as usize)
            {
                s.cold_starts += 1;
            }
            let init = SimTime::from_secs_f64(lognormal(&mut self.rng, median)) + app_init;
            boot = boot + init;
            self.trace_cold(call, init);
        }
        let phase = if initialized {
            Phase::Handler
        } else {
            Phase::Init
        };
        let mut batch_left = match self.calls[call].parent {
            Parent::Batch(b) => self.batch_len(b).saturating_sub(1),
            Parent::Stream(b) => self.stream_batch_len(b).saturating_sub(1),
            _ => 0,
        };
        // A job over "all new records": the records written since the last success.
        let (mut upto, mut nothing_new) = (0, false);
        if let Some((source, cap)) = self.lambda(node).process_new {
            let checkpoint = self.lambda(node).checkpoint;
            let written = self.stats[source as usize].ok;
            let new = written.saturating_sub(checkpoint);
            let take = cap.map_or(new, |c| new.min(u64::from(c)));
            upto = checkpoint + take;
            nothing_new = take == 0;
            batch_left = u32::try_from(take.saturating_sub(1)).unwrap_or(u32::MAX);
        }
        self.calls[call].state = CallState::Lambda(LambdaCall {
            env,
            phase: if boot > SimTime::ZERO {
                Phase::Boot
            } else {
                phase
            },
            step: 0,
            left: 0,
            child: None,
            sdk_attempt: 0,
            provisioned,
            batch_left,
            upto,
            nothing_new,
        });
        let timeout = self.lambda(node).timeout;
        self.deadline_after(call, timeout);
        if boot > SimTime::ZERO {
            self.resume_after(call, boot);
        } else if !self.held_back_by_queue(call, node) {
            self.run_steps(call);
        }
    }

    /// Backpressure: while the downstream queue is over its limit, the invocation refuses
    /// the work before its handler runs (true: it has ended).
    fn held_back_by_queue(&mut self, call: CallId, node: usize) -> bool {
        let Some(w) = self.lambda(node).backpressure else {
            return false;
        };
        if !self.over_limit(w) {
            return false;
        }
        self.lambda_finish(call, Err(ErrorKind::Backpressure), false);
        true
    }

    /// Recursive loop detection: a function on a loop that already ran 16 times in this
    /// call's chain of events is stopped (unless its `recursive_loop` is `allow`);
    /// otherwise the invocation continues the chain, counted once more.
    fn continue_chain(&mut self, node: usize, call: CallId) -> bool {
        if !self.in_loop[node] {
            return true;
        }
        let lineage = self.calls[call].chain.lineage;
        let allow = self.lambda(node).recursive_loop == crate::scenario::RecursiveLoop::Allow;
        if !allow && self.lineages.count(lineage, node as u32) >= super::lineage::MAX_IN_CHAIN {
            self.complete(call, Err(ErrorKind::RecursiveLoop));
            return false;
        }
        self.calls[call].chain.lineage = self.lineages.extend(lineage, node as u32);
        true
    }

    /// Invocations the function could start now as far as concurrency goes (not counting
    /// the scaling rate, which may still throttle).
    pub(super) fn lambda_free_slots(&mut self, node: u32) -> u32 {
        let (reserved, running) = {
            let l = self.lambda(node as usize);
            (l.reserved, l.running)
        };
        let a = &self.account;
        let pool = match reserved {
            Some(r) => r.saturating_sub(running),
            None => a.unreserved_limit.saturating_sub(a.unreserved_in_use),
        };
        if a.scaling == ScalingModel::Legacy2019 {
            pool.min(a.legacy_ceiling.saturating_sub(a.legacy_in_use))
        } else {
            pool
        }
    }

    fn lambda_state(&self, call: CallId) -> LambdaCall {
        match self.calls[call].state {
            CallState::Lambda(l) => l,
            _ => unreachable!("lambda state"),
        }
    }

    fn set_lambda_state(&mut self, call: CallId, state: LambdaCall) {
        self.calls[call].state = CallState::Lambda(state);
    }

    /// A timed phase (boot, compute, sleep, SDK backoff) ended: continue the steps.
    pub(super) fn lambda_resume(&mut self, call: CallId) {
        let mut st = self.lambda_state(call);
        if st.phase == Phase::Boot {
            let node = self.calls[call].node as usize;
            if self.held_back_by_queue(call, node) {
                return;
            }
            let initialized = self.lambda(node).envs.initialized(st.env);
            st.phase = if initialized {
                Phase::Handler
            } else {
                Phase::Init
            };
            self.set_lambda_state(call, st);
        }
        self.run_steps(call);
    }

    /// Runs steps until one takes time or the handler ends.
    fn run_steps(&mut self, call: CallId) {
        let node = self.calls[call].node as usize;
        // A handler that reads its caller's deadline stops before its next step once the
        // caller (or any caller above it) has given up.
        if self.lambda(node).drop_abandoned && self.caller_gave_up(call) {
            let st = self.lambda_state(call);
            self.orphan(st.child);
            self.lambda_finish(call, Err(ErrorKind::DeadlineExceeded), false);
            return;
        }
        let mut st = self.lambda_state(call);
        loop {
            let l = self.lambda(node);
            let steps = if st.phase == Phase::Init {
                &l.init_steps
            } else {
                &l.handler
            };
            let done = st.phase == Phase::Handler && st.nothing_new;
            let Some(&step) = steps.get(usize::from(st.step)).filter(|_| !done) else {
                if st.phase == Phase::Init {
                    l.envs.mark_initialized(st.env);
                    st.phase = Phase::Handler;
                    st.step = 0;
                    continue;
                }
                if st.upto > 0 && !st.nothing_new {
                    // One record of "all new records" handled: its index, counting back.
                    let record = st.upto - 1 - u64::from(st.batch_left);
                    if record < l.handled_to {
                        l.reprocessed += 1;
                    } else {
                        l.handled_to = record + 1;
                    }
                }
                if st.batch_left > 0 {
                    // The handler runs its steps once per record of the batch.
                    st.batch_left -= 1;
                    st.step = 0;
                    continue;
                }
                self.set_lambda_state(call, st);
                self.lambda_finish(call, Ok(()), false);
                return;
            };
            match step {
                StepRt::Compute {
                    mean_s,
                    distribution,
                    lane,
                } => {
                    let cpu = l.cpu_factor;
                    let s = match distribution {
                        StepDistribution::Fixed => mean_s,
                        StepDistribution::Exponential => self.rng.exponential(mean_s),
                        StepDistribution::Lognormal => lognormal(&mut self.rng, mean_s),
                    };
                    st.step += 1;
                    self.set_lambda_state(call, st);
                    let d = SimTime::from_secs_f64(s * cpu);
                    // Only a fixed step's ends come in time order (a lane's premise).
                    if distribution == StepDistribution::Fixed {
                        self.resume_in_lane(call, d, lane);
                    } else {
                        self.resume_after(call, d);
                    }
                    return;
                }
                StepRt::Sleep(d, lane) => {
                    st.step += 1;
                    self.set_lambda_state(call, st);
                    self.resume_in_lane(call, d, lane);
                    return;
                }
                StepRt::Call {
                    edge,
                    node: target_node,
                    times,
                    target,
                } => {
                    if st.left == 0 {
                        st.left = times;
                    }
                    // A direct database call needs this environment's own connection.
                    let mut connect = false;
                    if target == Target::Rds && !self.env_has_connection(node, st.env, target_node)
                    {
                        match self.rds_connect(target_node) {
                            Ok(epoch) => {
                                self.lambda(node)
                                    .envs
                                    .add_connection(st.env, target_node, epoch);
                                connect = true;
                            }
                            Err(kind) => {
                                self.set_lambda_state(call, st);
                                self.lambda_finish(call, Err(kind), false);
                                return;
                            }
                        }
                    }
                    let retry = self.calls[call].retry;
                    let child = self.new_call(edge, Parent::Call(call), retry);
                    st.child = Some(child);
                    self.set_lambda_state(call, st);
                    match target {
                        Target::Rds => self.rds_prepare(child, connect),
                        Target::Proxy => self.proxy_prepare(child, node as u32, st.env),
                        Target::Lambda | Target::Service | Target::Kinesis | Target::Table => {}
                    }
                    return;
                }
            }
        }
    }

    pub(super) fn lambda_child_result(&mut self, call: CallId, outcome: Outcome) {
        let node = self.calls[call].node as usize;
        let mut st = self.lambda_state(call);
        st.child = None;
        let StepRt::Call {
            target,
            node: target_node,
            ..
        } = self.current_step(node, st)
        else {
            return;
        };
        match outcome {
            Ok(()) => {
                let retried = st.sdk_attempt > 0;
                self.lambda(node).quota_success(st.env, retried);
                st.left -= 1;
                st.sdk_attempt = 0;
                if st.left == 0 {
                    st.step += 1;
                }
                self.set_lambda_state(call, st);
                self.run_steps(call);
            }
            Err(kind @ (ErrorKind::ServiceThrottled | ErrorKind::StreamThrottled))
                if matches!(target, Target::Service | Target::Kinesis | Target::Table) =>
            {
                // The AWS SDK's standard retry mode: 3 attempts, 100 ms base (DynamoDB's
                // attempts are the table's setting, with a 50 ms base).
                let (max, base_ms) = match target {
                    Target::Service => self.sdk_policy(target_node),
                    Target::Table => match &self.nodes[target_node as usize] {
                        NodeRt::Table(t) => (t.sdk_max_attempts, 50.0),
                        _ => (3, 50.0),
                    },
                    _ => (3, 100.0),
                };
                // The standard mode's quota: an empty bucket fails the call fast.
                if st.sdk_attempt + 1 < max && self.lambda(node).pay_retry(st.env) {
                    st.sdk_attempt += 1;
                    // SDK standard retry: full jitter over a doubling, capped delay.
                    let doublings = f64::from(st.sdk_attempt - 1);
                    let ceiling = (base_ms * libm::pow(2.0, doublings)).min(20_000.0);
                    let delay = self.rng.uniform() * ceiling / 1000.0;
                    self.set_lambda_state(call, st);
                    self.resume_after(call, SimTime::from_secs_f64(delay));
                } else {
                    self.set_lambda_state(call, st);
                    self.lambda_finish(call, Err(kind), false);
                }
            }
            Err(kind) => {
                self.set_lambda_state(call, st);
                self.lambda_finish(call, Err(kind), false);
            }
        }
    }

    fn current_step(&mut self, node: usize, st: LambdaCall) -> StepRt {
        let l = self.lambda(node);
        let steps = if st.phase == Phase::Init {
            &l.init_steps
        } else {
            &l.handler
        };
        steps
            .get(usize::from(st.step))
            .copied()
            .unwrap_or(StepRt::Sleep(SimTime::ZERO, 0))
    }

    /// Whether the caller of `call`, or any caller above it, has given up.
    fn caller_gave_up(&self, call: CallId) -> bool {
        let mut c = call;
        for _ in 0..64 {
            match self.calls[c].parent {
                Parent::Orphan => return true,
                Parent::Call(p) => c = p,
                _ => return false,
            }
        }
        false
    }

    /// The caller of an invocation gave up and the function propagates deadlines: the
    /// handler returns now (its environment stays warm), and what it waited for is
    /// abandoned in turn. True if it stopped.
    pub(super) fn lambda_abandoned(&mut self, call: CallId) -> bool {
        let node = self.calls[call].node as usize;
        if !self.lambda(node).drop_abandoned || self.calls[call].finishing {
            return false;
        }
        let st = self.lambda_state(call);
        if st.phase == Phase::Boot {
            // Still starting: it stops before its first step (see `run_steps`).
            return false;
        }
        self.orphan(st.child);
        self.lambda_finish(call, Err(ErrorKind::DeadlineExceeded), false);
        true
    }

    pub(super) fn lambda_timeout(&mut self, call: CallId) {
        let st = self.lambda_state(call);
        self.orphan(st.child);
        self.lambda_finish(call, Err(ErrorKind::FunctionTimeout), true);
    }

    /// Ends an invocation: bills it, frees or destroys its environment, reports upward.
    fn lambda_finish(&mut self, call: CallId, outcome: Outcome, destroy_env: bool) {
        let c = &self.calls[call];
        let (node, arrived, retry, orphaned) = (
            c.node as usize,
            c.arrived,
            c.retry,
            c.parent == Parent::Orphan,
        );
        let st = self.lambda_state(call);
        let now = self.now;
        let l = self.lambda(node);
        l.running -= 1;
        if outcome.is_ok() && l.process_new.is_some() {
            l.checkpoint = l.checkpoint.max(st.upto);
        }
        let (reserved, memory_gb) = (l.reserved, l.memory_gb);
        if reserved.is_none() {
            self.account.unreserved_in_use -= 1;
        }
        self.account.legacy_in_use -= 1;
        let billed_s = libm::ceil((now - arrived).as_nanos() as f64 / 1e6) / 1e3;
        self.cost
            .lambda_invocation(billed_s * memory_gb, st.provisioned, retry, orphaned);
        if destroy_env {
            self.destroy_env(node, st.env);
            if st.provisioned {
                self.lambda(node).envs.provision(now);
            }
        } else {
            self.lambda(node).envs.park(st.env, now, st.provisioned);
        }
        self.complete(call, outcome);
        if !self.lambda(node).async_rt.is_empty() {
            self.async_dispatch(node as u32);
        }
    }

    /// Ends an environment and gives back the connections it held.
    fn destroy_env(&mut self, node: usize, env: EnvId) {
        // Whatever environment takes this slot next has an SDK client of its own.
        self.lambda(node).fresh_quota(env);
        let Some(released) = self.lambda(node).envs.destroy(env) else {
            return;
        };
        for (rds, epoch) in released.db {
            self.rds_disconnect(rds, epoch);
        }
        if let Some((proxy, epoch)) = released.pinned {
            self.proxy_release(proxy, epoch);
        }
    }

    fn env_has_connection(&mut self, node: usize, env: EnvId, rds: u32) -> bool {
        let epoch = self.rds_epoch(rds);
        self.lambda(node).envs.has_connection(env, rds, epoch)
    }

    /// Once a second: legacy scaling steps and reclaiming environments idle too long.
    pub(super) fn lambda_tick(&mut self) {
        if self.account.scaling == ScalingModel::Legacy2019 {
            let a = &mut self.account;
            if a.legacy_pressure {
                a.legacy_pressure_secs += 1;
                if a.legacy_pressure_secs >= 60 {
                    a.legacy_ceiling = (a.legacy_ceiling + 500).min(a.limit);
                    a.legacy_pressure_secs = 0;
                }
            } else {
                a.legacy_pressure_secs = 0;
            }
            a.legacy_pressure = false;
        }
        let now = self.now;
        for node in 0..self.nodes.len() {
            let NodeRt::Lambda(l) = &mut self.nodes[node] else {
                continue;
            };
            let reclaim_after = l.reclaim_after;
            for env in l.envs.reclaimable(now, reclaim_after) {
                self.destroy_env(node, env);
            }
            // Environments at the end of the second that just closed: alive and idle.
            let (live, idle) = self.lambda(node).envs.counts();
            let last = now.second_index().checked_sub(1).map(|s| s / self.step_s);
            if let Some(sample) = last.and_then(|s| self.stats[node].series.get_mut(s as usize)) {
                sample.envs = live;
                sample.idle_envs = idle;
            }
        }
    }
}
