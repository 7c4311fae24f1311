//! RDS and RDS Proxy: connections, `max_connections`, vCPU slots, failover; a pooled,
//! multiplexed proxy with a borrow queue, borrow timeout and pinning.
//!
//! Why connections are counted separately from queries: the connection storm (lesson 7)
//! is about how many connections exist, not how busy the CPU is. Without a proxy every
//! execution environment holds its own connection for its lifetime; with one, a pool sized
//! by `MaxConnectionsPercent` is shared per transaction, and excess demand waits instead
//! of being refused.

use std::collections::VecDeque;

use super::env_pool::{EnvId, Pin};
use super::proxy_pool::{ProxyPool, Returned};
use super::{Arena, Call, CallId, CallState, NodeRt, Outcome, Parent, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{RdsParams, RdsProxyParams};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct RdsRt {
    pub(crate) max_connections: u32,
    pub(crate) open: u32,
    slots: u32,
    busy: u32,
    queue: VecDeque<CallId>,
    executing: Vec<CallId>,
    pub(crate) epoch: u32,
    pub(crate) available: bool,
    query_mean_s: f64,
    connect: SimTime,
}

impl RdsRt {
    pub(crate) fn new(p: &RdsParams) -> Self {
        RdsRt {
            max_connections: p.effective_max_connections(),
            open: 0,
            slots: p.instance_class.vcpus(),
            busy: 0,
            queue: VecDeque::new(),
            executing: Vec::new(),
            epoch: 0,
            available: true,
            query_mean_s: p.query_ms / 1000.0,
            connect: SimTime::from_secs_f64(p.connect_ms / 1000.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RdsCall {
    /// Prepared by the caller; `connect` if a new connection is opened first.
    Pending {
        connect: bool,
    },
    Connecting,
    Queued,
    Running,
}

#[derive(Debug)]
pub(crate) struct ProxyRt {
    edge: u32,
    pub(crate) rds: u32,
    pub(crate) pool: ProxyPool,
    borrow_timeout: SimTime,
    pinned_fraction: f64,
    latency: SimTime,
}

impl ProxyRt {
    pub(crate) fn new(p: &RdsProxyParams, edge: u32, rds: u32, max_connections: u32) -> Self {
        let pool = u64::from(max_connections) * u64::from(p.max_connections_percent) / 100;
        ProxyRt {
            edge,
            rds,
            pool: ProxyPool::new(u32::try_from(pool).unwrap_or(u32::MAX)),
            borrow_timeout: SimTime::from_secs_f64(p.borrow_timeout_s),
            pinned_fraction: p.pinned_fraction,
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProxyPhase {
    Pending,
    Waiting,
    Forwarding,
    Querying,
}

/// The function environment a proxy call comes from (its session may be pinned).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller {
    lambda: u32,
    env: EnvId,
    generation: u32,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct ProxyCall {
    caller: Option<Caller>,
    phase: ProxyPhase,
    pub(crate) child: Option<CallId>,
    conn_epoch: u32,
    pinned: bool,
}

impl Simulation {
    fn rds(&mut self, node: u32) -> &mut RdsRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Rds(r) => r,
            _ => unreachable!("rds node"),
        }
    }

    fn proxy(&mut self, node: u32) -> &mut ProxyRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Proxy(p) => p,
            _ => unreachable!("proxy node"),
        }
    }

    pub(super) fn rds_epoch(&mut self, rds: u32) -> u32 {
        self.rds(rds).epoch
    }

    /// Opens a connection to `rds` if it is up and below `max_connections`.
    pub(super) fn rds_connect(&mut self, rds: u32) -> Result<u32, ErrorKind> {
        let now = self.now;
        let r = self.rds(rds);
        let refused = if !r.available {
            Some(ErrorKind::Unavailable)
        } else if r.open >= r.max_connections {
            Some(ErrorKind::ConnectionRefused)
        } else {
            None
        };
        if let Some(kind) = refused {
            // The refusal is the database's answer: count it there.
            let st = &mut self.stats[rds as usize];
            st.arrivals += 1;
            st.errors.add(kind);
            if let Some(s) = st
                .series
                .get_mut((now.second_index() / self.step_s) as usize)
            {
                s.arrivals += 1;
                s.errors += 1;
            }
            return Err(kind);
        }
        r.open += 1;
        let (open, epoch) = (r.open, r.epoch);
        self.stats[rds as usize].connections.set(now, open);
        Ok(epoch)
    }

    /// Closes a connection opened at `epoch` (a no-op if a failover already dropped it).
    pub(super) fn rds_disconnect(&mut self, rds: u32, epoch: u32) {
        let now = self.now;
        let r = self.rds(rds);
        if r.epoch == epoch && r.open > 0 {
            r.open -= 1;
            let open = r.open;
            self.stats[rds as usize].connections.set(now, open);
        }
    }

    /// Marks a not-yet-delivered call to an RDS node (connect first or not).
    pub(super) fn rds_prepare(&mut self, call: CallId, connect: bool) {
        self.calls[call].state = CallState::Rds(RdsCall::Pending { connect });
    }

    pub(super) fn rds_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        if !self.rds(node).available {
            self.complete(call, Err(ErrorKind::Unavailable));
            return;
        }
        match self.calls[call].state {
            CallState::Rds(RdsCall::Pending { connect: true }) => {
                let connect = self.rds(node).connect;
                self.calls[call].state = CallState::Rds(RdsCall::Connecting);
                self.resume_after(call, connect);
            }
            _ => self.rds_enqueue(call),
        }
    }

    fn rds_enqueue(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let now = self.now;
        let r = self.rds(node);
        if !r.available {
            self.complete(call, Err(ErrorKind::Unavailable));
        } else if r.busy < r.slots {
            self.rds_start(call);
        } else {
            r.queue.push_back(call);
            self.calls[call].state = CallState::Rds(RdsCall::Queued);
            self.stats[node as usize].queue.add(now, 1);
        }
    }

    fn rds_start(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let extra = self.fault_state[node as usize].extra_latency;
        let r = self.rds(node);
        r.busy += 1;
        r.executing.push(call);
        let mean = r.query_mean_s;
        self.calls[call].state = CallState::Rds(RdsCall::Running);
        let d = SimTime::from_secs_f64(self.rng.exponential(mean)) + extra;
        self.resume_after(call, d);
    }

    pub(super) fn rds_resume(&mut self, call: CallId) {
        let node = self.calls[call].node;
        match self.calls[call].state {
            CallState::Rds(RdsCall::Connecting) => self.rds_enqueue(call),
            CallState::Rds(RdsCall::Running) => {
                let now = self.now;
                let r = self.rds(node);
                r.busy -= 1;
                if let Some(i) = r.executing.iter().position(|&c| c == call) {
                    r.executing.swap_remove(i);
                }
                let next = r.queue.pop_front();
                self.complete(call, Ok(()));
                if let Some(next) = next {
                    self.stats[node as usize].queue.add(now, -1);
                    self.rds_start(next);
                }
            }
            _ => {}
        }
    }

    /// Failover: connections dropped, queries in progress fail, unavailable until the end.
    pub(super) fn rds_failover(&mut self, node: u32, down: bool) {
        let now = self.now;
        if !down {
            self.rds(node).available = true;
            for proxy in 0..self.nodes.len() {
                if matches!(&self.nodes[proxy], NodeRt::Proxy(p) if p.rds == node) {
                    self.proxy_kick(proxy as u32);
                }
            }
            return;
        }
        let r = self.rds(node);
        r.available = false;
        r.epoch += 1;
        r.open = 0;
        r.busy = 0;
        let failed: Vec<CallId> = r.executing.drain(..).chain(r.queue.drain(..)).collect();
        self.stats[node as usize].connections.set(now, 0);
        self.stats[node as usize].queue.set(now, 0);
        for call in failed {
            self.complete(call, Err(ErrorKind::Unavailable));
        }
        // Proxies lose their pooled connections but keep their clients waiting.
        for proxy in 0..self.nodes.len() {
            if let NodeRt::Proxy(p) = &mut self.nodes[proxy] {
                if p.rds == node {
                    p.pool.lose_connections();
                    self.stats[proxy].connections.set(now, 0);
                }
            }
        }
    }

    /// Marks a not-yet-delivered call to a proxy with the calling environment.
    pub(super) fn proxy_prepare(&mut self, call: CallId, lambda: u32, env: EnvId) {
        let generation = match &self.nodes[lambda as usize] {
            NodeRt::Lambda(l) => l.envs.generation(env),
            _ => 0,
        };
        self.calls[call].state = CallState::Proxy(ProxyCall {
            caller: Some(Caller {
                lambda,
                env,
                generation,
            }),
            phase: ProxyPhase::Pending,
            child: None,
            conn_epoch: 0,
            pinned: false,
        });
    }

    fn proxy_state(&self, call: CallId) -> ProxyCall {
        match self.calls[call].state {
            CallState::Proxy(p) => p,
            _ => ProxyCall {
                caller: None,
                phase: ProxyPhase::Pending,
                child: None,
                conn_epoch: 0,
                pinned: false,
            },
        }
    }

    /// The session of the calling environment, which the function's pool decides on its
    /// first call through this proxy.
    fn caller_session(&mut self, proxy: u32, st: ProxyCall) -> Option<Pin> {
        let caller = st.caller?;
        let fraction = self.proxy(proxy).pinned_fraction;
        let draw = self.rng.uniform();
        let NodeRt::Lambda(l) = &mut self.nodes[caller.lambda as usize] else {
            return None;
        };
        Some(l.envs.session(caller.env, proxy, draw < fraction))
    }

    pub(super) fn proxy_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        self.proxy_follow_database(node);
        let mut st = self.proxy_state(call);
        let epoch = self.proxy(node).pool.epoch();
        match self.caller_session(node, st) {
            Some(Pin::Yes(Some(held))) if held == epoch => {
                st.pinned = true;
                st.conn_epoch = held;
                self.proxy_forward(call, st, SimTime::ZERO);
                return;
            }
            Some(Pin::Yes(_)) => st.pinned = true,
            _ => {}
        }
        let p = self.proxy(node);
        if let Some(epoch) = p.pool.borrow_idle() {
            st.conn_epoch = epoch;
            self.proxy_forward(call, st, SimTime::ZERO);
            return;
        }
        if p.pool.has_room() {
            let rds = p.rds;
            if let Ok(ep) = self.rds_connect(rds) {
                let connect = self.rds(rds).connect;
                let open = self.proxy(node).pool.opened();
                self.stats[node as usize].connections.set(self.now, open);
                st.conn_epoch = ep;
                self.proxy_forward(call, st, connect);
                return;
            }
        }
        // Pool exhausted (or database unreachable): wait in the borrow queue.
        let generation = self.calls[call].generation;
        let p = self.proxy(node);
        p.pool.wait(call, generation);
        let timeout = p.borrow_timeout;
        st.phase = ProxyPhase::Waiting;
        self.calls[call].state = CallState::Proxy(st);
        self.stats[node as usize].queue.add(self.now, 1);
        self.deadline_after(call, timeout);
    }

    /// A database failover invalidates the pool: forget connections of older epochs.
    fn proxy_follow_database(&mut self, node: u32) {
        let rds = self.proxy(node).rds;
        let epoch = self.rds(rds).epoch;
        self.proxy(node).pool.follow(epoch);
    }

    fn proxy_forward(&mut self, call: CallId, mut st: ProxyCall, extra: SimTime) {
        let node = self.calls[call].node;
        let latency = self.proxy(node).latency + self.fault_state[node as usize].extra_latency;
        st.phase = ProxyPhase::Forwarding;
        self.calls[call].state = CallState::Proxy(st);
        self.resume_in_lane(call, latency + extra, node);
    }

    pub(super) fn proxy_resume(&mut self, call: CallId) {
        let mut st = self.proxy_state(call);
        if st.phase != ProxyPhase::Forwarding {
            return;
        }
        let c = &self.calls[call];
        let (node, retry) = (c.node, c.retry);
        let edge = self.proxy(node).edge;
        let child = self.new_call(edge, Parent::Call(call), retry);
        self.rds_prepare(child, false);
        st.phase = ProxyPhase::Querying;
        st.child = Some(child);
        self.calls[call].state = CallState::Proxy(st);
    }

    pub(super) fn proxy_child_result(&mut self, call: CallId, outcome: Outcome) {
        let st = self.proxy_state(call);
        let node = self.calls[call].node;
        // A pinned session keeps its connection, if its environment is still there.
        let kept = match st.caller {
            Some(c) if st.pinned => match &mut self.nodes[c.lambda as usize] {
                NodeRt::Lambda(l) => l.envs.keep_pinned(c.env, c.generation, node, st.conn_epoch),
                _ => false,
            },
            _ => false,
        };
        if !kept {
            self.proxy_release(node, st.conn_epoch);
        }
        self.complete(call, outcome);
    }

    /// Returns a pooled connection: to the first live waiter, else to the idle set.
    pub(super) fn proxy_release(&mut self, node: u32, epoch: u32) {
        self.proxy_follow_database(node);
        let NodeRt::Proxy(p) = &mut self.nodes[node as usize] else {
            return;
        };
        let calls = &self.calls;
        if let Returned::Waiter(waiter) = p
            .pool
            .give_back(epoch, |call, generation| waiting(calls, call, generation))
        {
            self.stats[node as usize].queue.add(self.now, -1);
            let mut st = self.proxy_state(waiter);
            st.conn_epoch = epoch;
            self.proxy_forward(waiter, st, SimTime::ZERO);
        }
    }

    pub(super) fn proxy_borrow_timeout(&mut self, call: CallId) {
        if self.proxy_state(call).phase != ProxyPhase::Waiting {
            return;
        }
        let node = self.calls[call].node;
        self.stats[node as usize].queue.add(self.now, -1);
        self.complete(call, Err(ErrorKind::BorrowTimeout));
        // Mark it no longer waiting so a later release skips it.
        let mut st = self.proxy_state(call);
        st.phase = ProxyPhase::Pending;
        self.calls[call].state = CallState::Proxy(st);
    }

    /// The database is back: open connections for as many waiters as the pool allows.
    fn proxy_kick(&mut self, node: u32) {
        self.proxy_follow_database(node);
        loop {
            let p = self.proxy(node);
            if !p.pool.wants_connection() {
                return;
            }
            let rds = p.rds;
            let Ok(epoch) = self.rds_connect(rds) else {
                return;
            };
            let open = self.proxy(node).pool.opened();
            self.stats[node as usize].connections.set(self.now, open);
            self.proxy_release(node, epoch);
        }
    }
}

/// Whether `call` still waits for a connection (it did not time out or end since).
fn waiting(calls: &Arena<Call>, call: CallId, generation: u32) -> bool {
    let c = &calls[call];
    c.generation == generation
        && matches!(c.state, CallState::Proxy(p) if p.phase == ProxyPhase::Waiting)
}
