//! A function's execution environments: created on a cold start, reused while warm (the
//! most recently used first), reclaimed after idling, destroyed on a timeout.
//!
//! Why a pool with its own rules: what an environment holds (its direct database
//! connections, its pinned RDS Proxy session) lives and dies with it, so other models ask
//! the pool ("has this environment a connection?", "pin this environment's session") and
//! the pool alone changes an environment. Provisioned environments are kept apart: they
//! are used first and never reclaimed.

use std::collections::VecDeque;

use super::arena::{Arena, Id};
use crate::time::SimTime;

pub(crate) type EnvId = Id<Env>;

/// Whether an environment's session through RDS Proxy is pinned to one DB connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pin {
    No,
    /// Pinned; holds a pool connection opened at this database epoch, once it has one.
    Yes(Option<u32>),
}

/// One execution environment.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    alive: bool,
    /// Bumped each time the slot holds a new environment, so late results for an old one
    /// (a pinned proxy connection coming back) are recognised.
    generation: u32,
    initialized: bool,
    last_used: SimTime,
    /// Direct database connections: (RDS node, epoch at which it was opened).
    db: Vec<(u32, u32)>,
    /// The session through a proxy: (proxy node, pinned or not), decided on first use.
    pin: Option<(u32, Pin)>,
}

/// What a destroyed environment held, for the models that must release it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Released {
    /// Direct database connections: (RDS node, epoch).
    pub(crate) db: Vec<(u32, u32)>,
    /// A pinned proxy connection: (proxy node, epoch).
    pub(crate) pinned: Option<(u32, u32)>,
}

#[derive(Debug, Default)]
pub(crate) struct EnvPool {
    envs: Arena<Env>,
    /// Warm on-demand environments, least recently used first.
    idle: VecDeque<EnvId>,
    idle_provisioned: Vec<EnvId>,
    live: u32,
}

impl EnvPool {
    /// Environments alive, and of them how many are idle (warm, waiting for work).
    pub(crate) fn counts(&self) -> (u32, u32) {
        (
            self.live,
            (self.idle.len() + self.idle_provisioned.len()) as u32,
        )
    }

    /// A new environment (not yet idle: it is about to be used, unless provisioned).
    pub(crate) fn create(&mut self, now: SimTime, provisioned: bool) -> EnvId {
        let env = Env {
            alive: true,
            generation: 0,
            initialized: provisioned,
            last_used: now,
            db: Vec::new(),
            pin: None,
        };
        self.live += 1;
        self.envs.insert_carrying(env, |old, new| Env {
            generation: old.generation.wrapping_add(1),
            ..new
        })
    }

    /// A provisioned environment, initialized and waiting.
    pub(crate) fn provision(&mut self, now: SimTime) {
        let env = self.create(now, true);
        self.idle_provisioned.push(env);
    }

    /// A warm environment for an invocation: a provisioned one first, then the most
    /// recently used; `(env, provisioned)`.
    pub(crate) fn take_warm(&mut self) -> Option<(EnvId, bool)> {
        if let Some(env) = self.idle_provisioned.pop() {
            return Some((env, true));
        }
        self.idle.pop_back().map(|env| (env, false))
    }

    /// An invocation ended and its environment waits for the next one.
    pub(crate) fn park(&mut self, env: EnvId, now: SimTime, provisioned: bool) {
        self.envs[env].last_used = now;
        if provisioned {
            self.idle_provisioned.push(env);
        } else {
            self.idle.push_back(env);
        }
    }

    /// Takes out the on-demand environments idle for at least `after` (oldest first), for
    /// the caller to destroy.
    pub(crate) fn reclaimable(&mut self, now: SimTime, after: SimTime) -> Vec<EnvId> {
        let mut reclaim = Vec::new();
        while let Some(&env) = self.idle.front() {
            if now - self.envs[env].last_used < after {
                break;
            }
            self.idle.pop_front();
            reclaim.push(env);
        }
        reclaim
    }

    /// Ends an environment (a timeout or a reclaim) and returns what it held; nothing if
    /// it had already ended.
    pub(crate) fn destroy(&mut self, env: EnvId) -> Option<Released> {
        let e = &mut self.envs[env];
        if !e.alive {
            return None;
        }
        e.alive = false;
        let released = Released {
            db: std::mem::take(&mut e.db),
            pinned: match e.pin.take() {
                Some((proxy, Pin::Yes(Some(epoch)))) => Some((proxy, epoch)),
                _ => None,
            },
        };
        self.live -= 1;
        self.envs.release(env);
        Some(released)
    }

    /// Environments alive (busy or idle).
    #[cfg(test)]
    fn live(&self) -> u32 {
        self.live
    }

    pub(crate) fn initialized(&self, env: EnvId) -> bool {
        self.envs[env].initialized
    }

    /// The init phase ran: later invocations go straight to the handler.
    pub(crate) fn mark_initialized(&mut self, env: EnvId) {
        self.envs[env].initialized = true;
    }

    pub(crate) fn generation(&self, env: EnvId) -> u32 {
        self.envs[env].generation
    }

    /// Whether the environment holds a connection to `rds` opened at its current `epoch`
    /// (connections from before a failover are forgotten).
    pub(crate) fn has_connection(&mut self, env: EnvId, rds: u32, epoch: u32) -> bool {
        let e = &mut self.envs[env];
        e.db.retain(|&(n, ep)| n != rds || ep == epoch);
        e.db.iter().any(|&(n, _)| n == rds)
    }

    /// The environment opened a connection to `rds` at `epoch`; it holds it until it ends.
    pub(crate) fn add_connection(&mut self, env: EnvId, rds: u32, epoch: u32) {
        self.envs[env].db.push((rds, epoch));
    }

    /// The environment's session through `proxy`: decided on its first call through that
    /// proxy (pinned if `pin_if_new`), then kept.
    pub(crate) fn session(&mut self, env: EnvId, proxy: u32, pin_if_new: bool) -> Pin {
        let e = &mut self.envs[env];
        match e.pin {
            Some((p, pin)) if p == proxy => pin,
            _ => {
                let pin = if pin_if_new { Pin::Yes(None) } else { Pin::No };
                e.pin = Some((proxy, pin));
                pin
            }
        }
    }

    /// A pinned session's query ended: the environment keeps the connection (of `epoch`)
    /// if it is still the same live environment pinned to `proxy`. Returns whether it
    /// kept it (otherwise the caller returns the connection to the pool).
    pub(crate) fn keep_pinned(
        &mut self,
        env: EnvId,
        generation: u32,
        proxy: u32,
        epoch: u32,
    ) -> bool {
        let e = &mut self.envs[env];
        let same = e.alive && e.generation == generation;
        match &mut e.pin {
            Some((p, pin)) if same && *p == proxy => {
                *pin = Pin::Yes(Some(epoch));
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    #[test]
    fn provisioned_first_then_the_most_recently_used() {
        let mut pool = EnvPool::default();
        let a = pool.create(at(0), false);
        let b = pool.create(at(0), false);
        pool.park(a, at(1), false);
        pool.park(b, at(2), false);
        pool.provision(at(0));
        let (p, provisioned) = pool.take_warm().expect("provisioned");
        assert!(provisioned && pool.initialized(p));
        assert_eq!(pool.take_warm(), Some((b, false)), "the warmest first");
        assert_eq!(pool.take_warm(), Some((a, false)));
        assert_eq!(pool.take_warm(), None, "then a cold start");
        assert_eq!(pool.live(), 3);
    }

    #[test]
    fn idle_environments_are_reclaimed_oldest_first_and_provisioned_never() {
        let mut pool = EnvPool::default();
        let a = pool.create(at(0), false);
        let b = pool.create(at(0), false);
        pool.park(a, at(10), false);
        pool.park(b, at(20), false);
        pool.provision(at(0));
        assert!(pool.reclaimable(at(15), at(10)).is_empty());
        assert_eq!(pool.reclaimable(at(20), at(10)), vec![a]);
        assert_eq!(pool.reclaimable(at(30), at(10)), vec![b]);
        for env in [a, b] {
            assert!(pool.destroy(env).is_some());
        }
        assert_eq!(pool.live(), 1, "the provisioned one stays");
    }

    #[test]
    fn a_destroyed_environment_releases_what_it_held_once() {
        let mut pool = EnvPool::default();
        let env = pool.create(at(0), false);
        pool.add_connection(env, 7, 0);
        assert_eq!(pool.session(env, 3, true), Pin::Yes(None));
        assert!(pool.keep_pinned(env, pool.generation(env), 3, 2));
        let released = pool.destroy(env).expect("alive");
        assert_eq!(
            released,
            Released {
                db: vec![(7, 0)],
                pinned: Some((3, 2)),
            }
        );
        assert_eq!(pool.destroy(env), None, "already ended");
        assert_eq!(pool.live(), 0);
    }

    #[test]
    fn a_reused_slot_is_a_new_environment() {
        let mut pool = EnvPool::default();
        let old = pool.create(at(0), false);
        let generation = pool.generation(old);
        assert_eq!(pool.session(old, 3, true), Pin::Yes(None));
        pool.destroy(old);
        let new = pool.create(at(5), false);
        assert_eq!(new, old, "the slot is reused");
        assert!(!pool.initialized(new), "a cold environment runs its init");
        assert!(
            !pool.keep_pinned(new, generation, 3, 0),
            "a late result for the old environment is not kept"
        );
        assert_eq!(pool.session(new, 3, false), Pin::No, "decided anew");
    }

    #[test]
    fn a_session_is_decided_once_per_proxy_and_failover_drops_connections() {
        let mut pool = EnvPool::default();
        let env = pool.create(at(0), false);
        assert_eq!(pool.session(env, 3, false), Pin::No);
        assert_eq!(
            pool.session(env, 3, true),
            Pin::No,
            "kept for the same proxy"
        );
        assert_eq!(
            pool.session(env, 4, true),
            Pin::Yes(None),
            "another proxy decides"
        );
        assert!(!pool.keep_pinned(env, pool.generation(env), 3, 0));
        pool.add_connection(env, 7, 0);
        assert!(pool.has_connection(env, 7, 0));
        assert!(!pool.has_connection(env, 7, 1), "a failover ended epoch 0");
        assert!(!pool.has_connection(env, 7, 0), "and it is forgotten");
    }
}
