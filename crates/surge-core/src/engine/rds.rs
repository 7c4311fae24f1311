//! RDS and RDS Proxy: connections, `max_connections`, vCPU slots, failover; a pooled,
//! multiplexed proxy with a borrow queue, borrow timeout and pinning.
//!
//! Why connections are counted separately from queries: the connection storm (lesson 7)
//! is about how many connections exist, not how busy the CPU is. Without a proxy every
//! execution environment holds its own connection for its lifetime; with one, a pool sized
//! by `MaxConnectionsPercent` is shared per transaction, and excess demand waits instead
//! of being refused.

use std::collections::VecDeque;

use super::lambda::Pin;
use super::{CallId, CallState, NONE, NodeRt, Outcome, Parent, Simulation};
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
    pub(crate) pool_max: u32,
    pub(crate) open: u32,
    idle: u32,
    epoch: u32,
    waiters: VecDeque<(CallId, u32)>,
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
            pool_max: u32::try_from(pool).unwrap_or(u32::MAX).max(1),
            open: 0,
            idle: 0,
            epoch: 0,
            waiters: VecDeque::new(),
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

#[derive(Debug, Clone, Copy)]
pub(crate) struct ProxyCall {
    lambda: u32,
    env: u32,
    env_generation: u32,
    phase: ProxyPhase,
    pub(crate) child: CallId,
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
        self.calls[call as usize].state = CallState::Rds(RdsCall::Pending { connect });
    }

    pub(super) fn rds_arrive(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        if !self.rds(node).available {
            self.complete(call, Err(ErrorKind::Unavailable));
            return;
        }
        match self.calls[call as usize].state {
            CallState::Rds(RdsCall::Pending { connect: true }) => {
                let connect = self.rds(node).connect;
                self.calls[call as usize].state = CallState::Rds(RdsCall::Connecting);
                self.resume_after(call, connect);
            }
            _ => self.rds_enqueue(call),
        }
    }

    fn rds_enqueue(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        let now = self.now;
        let r = self.rds(node);
        if !r.available {
            self.complete(call, Err(ErrorKind::Unavailable));
        } else if r.busy < r.slots {
            self.rds_start(call);
        } else {
            r.queue.push_back(call);
            self.calls[call as usize].state = CallState::Rds(RdsCall::Queued);
            self.stats[node as usize].queue.add(now, 1);
        }
    }

    fn rds_start(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        let extra = self.fault_state[node as usize].extra_latency;
        let r = self.rds(node);
        r.busy += 1;
        r.executing.push(call);
        let mean = r.query_mean_s;
        self.calls[call as usize].state = CallState::Rds(RdsCall::Running);
        let d = SimTime::from_secs_f64(self.rng.exponential(mean)) + extra;
        self.resume_after(call, d);
    }

    pub(super) fn rds_resume(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        match self.calls[call as usize].state {
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
                    p.open = 0;
                    p.idle = 0;
                    self.stats[proxy].connections.set(now, 0);
                }
            }
        }
    }

    /// Marks a not-yet-delivered call to a proxy with the calling environment.
    pub(super) fn proxy_prepare(&mut self, call: CallId, lambda: u32, env: u32) {
        let env_generation = match &mut self.nodes[lambda as usize] {
            NodeRt::Lambda(l) => l.env_mut(env).generation,
            _ => 0,
        };
        self.calls[call as usize].state = CallState::Proxy(ProxyCall {
            lambda,
            env,
            env_generation,
            phase: ProxyPhase::Pending,
            child: NONE,
            conn_epoch: 0,
            pinned: false,
        });
    }

    fn proxy_state(&self, call: CallId) -> ProxyCall {
        match self.calls[call as usize].state {
            CallState::Proxy(p) => p,
            _ => ProxyCall {
                lambda: NONE,
                env: NONE,
                env_generation: 0,
                phase: ProxyPhase::Pending,
                child: NONE,
                conn_epoch: 0,
                pinned: false,
            },
        }
    }

    /// The pin state of the calling environment, deciding it on first use.
    fn env_pin(&mut self, proxy: u32, st: ProxyCall) -> Option<Pin> {
        if st.lambda == NONE {
            return None;
        }
        let fraction = self.proxy(proxy).pinned_fraction;
        let draw = self.rng.uniform();
        let NodeRt::Lambda(l) = &mut self.nodes[st.lambda as usize] else {
            return None;
        };
        let env = l.env_mut(st.env);
        if env.pin.1 == Pin::Undecided || env.pin.0 != proxy {
            env.pin = (
                proxy,
                if draw < fraction {
                    Pin::Yes(None)
                } else {
                    Pin::No
                },
            );
        }
        Some(env.pin.1)
    }

    pub(super) fn proxy_arrive(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        self.proxy_sync_epoch(node);
        let mut st = self.proxy_state(call);
        let epoch = self.proxy(node).epoch;
        match self.env_pin(node, st) {
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
        if p.idle > 0 {
            p.idle -= 1;
            st.conn_epoch = p.epoch;
            self.proxy_forward(call, st, SimTime::ZERO);
            return;
        }
        if p.open < p.pool_max {
            let rds = p.rds;
            if let Ok(ep) = self.rds_connect(rds) {
                let connect = self.rds(rds).connect;
                let p = self.proxy(node);
                p.open += 1;
                let open = p.open;
                self.stats[node as usize].connections.set(self.now, open);
                st.conn_epoch = ep;
                self.proxy_forward(call, st, connect);
                return;
            }
        }
        // Pool exhausted (or database unreachable): wait in the borrow queue.
        let generation = self.calls[call as usize].generation;
        let p = self.proxy(node);
        p.waiters.push_back((call, generation));
        let timeout = p.borrow_timeout;
        st.phase = ProxyPhase::Waiting;
        self.calls[call as usize].state = CallState::Proxy(st);
        self.stats[node as usize].queue.add(self.now, 1);
        self.deadline_after(call, timeout);
    }

    /// A database failover invalidates the pool: forget connections of older epochs.
    fn proxy_sync_epoch(&mut self, node: u32) {
        let rds = self.proxy(node).rds;
        let epoch = self.rds(rds).epoch;
        let p = self.proxy(node);
        if p.epoch != epoch {
            p.epoch = epoch;
            p.open = 0;
            p.idle = 0;
        }
    }

    fn proxy_forward(&mut self, call: CallId, mut st: ProxyCall, extra: SimTime) {
        let node = self.calls[call as usize].node;
        let latency = self.proxy(node).latency + self.fault_state[node as usize].extra_latency;
        st.phase = ProxyPhase::Forwarding;
        self.calls[call as usize].state = CallState::Proxy(st);
        self.resume_after(call, latency + extra);
    }

    pub(super) fn proxy_resume(&mut self, call: CallId) {
        let mut st = self.proxy_state(call);
        if st.phase != ProxyPhase::Forwarding {
            return;
        }
        let c = &self.calls[call as usize];
        let (node, retry) = (c.node, c.retry);
        let edge = self.proxy(node).edge;
        let child = self.new_call(edge, Parent::Call(call), retry);
        self.rds_prepare(child, false);
        st.phase = ProxyPhase::Querying;
        st.child = child;
        self.calls[call as usize].state = CallState::Proxy(st);
    }

    pub(super) fn proxy_child_result(&mut self, call: CallId, outcome: Outcome) {
        let st = self.proxy_state(call);
        let node = self.calls[call as usize].node;
        let mut keep = false;
        if st.pinned && st.lambda != NONE {
            if let NodeRt::Lambda(l) = &mut self.nodes[st.lambda as usize] {
                let env = l.env_mut(st.env);
                if env.pin.0 == node && env.alive && env.generation == st.env_generation {
                    env.pin.1 = Pin::Yes(Some(st.conn_epoch));
                    keep = true;
                }
            }
        }
        if !keep {
            self.proxy_release(node, st.conn_epoch);
        }
        self.complete(call, outcome);
    }

    /// Returns a pooled connection: to the first live waiter, else to the idle set.
    pub(super) fn proxy_release(&mut self, node: u32, epoch: u32) {
        self.proxy_sync_epoch(node);
        if self.proxy(node).epoch != epoch {
            return;
        }
        while let Some((waiter, generation)) = self.proxy(node).waiters.pop_front() {
            if self.waiting(waiter, generation) {
                self.stats[node as usize].queue.add(self.now, -1);
                let mut st = self.proxy_state(waiter);
                st.conn_epoch = epoch;
                self.proxy_forward(waiter, st, SimTime::ZERO);
                return;
            }
        }
        self.proxy(node).idle += 1;
    }

    fn waiting(&self, call: CallId, generation: u32) -> bool {
        let c = &self.calls[call as usize];
        c.generation == generation
            && matches!(c.state, CallState::Proxy(p) if p.phase == ProxyPhase::Waiting)
    }

    pub(super) fn proxy_borrow_timeout(&mut self, call: CallId) {
        if self.proxy_state(call).phase != ProxyPhase::Waiting {
            return;
        }
        let node = self.calls[call as usize].node;
        self.stats[node as usize].queue.add(self.now, -1);
        self.complete(call, Err(ErrorKind::BorrowTimeout));
        // Mark it no longer waiting so a later release skips it.
        let mut st = self.proxy_state(call);
        st.phase = ProxyPhase::Pending;
        self.calls[call as usize].state = CallState::Proxy(st);
    }

    /// The database is back: open connections for as many waiters as the pool allows.
    fn proxy_kick(&mut self, node: u32) {
        self.proxy_sync_epoch(node);
        loop {
            let p = self.proxy(node);
            if p.open >= p.pool_max || p.waiters.is_empty() {
                return;
            }
            let rds = p.rds;
            let Ok(epoch) = self.rds_connect(rds) else {
                return;
            };
            let p = self.proxy(node);
            p.open += 1;
            let open = p.open;
            self.stats[node as usize].connections.set(self.now, open);
            self.proxy_release(node, epoch);
        }
    }
}
