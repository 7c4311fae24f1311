//! RDS Proxy's connection pool: at most `MaxConnectionsPercent` of the database's
//! connections, lent per transaction, with a borrow queue for callers that find every
//! connection busy.
//!
//! Why its own type: the pool's counts (open, idle, waiting) must agree with each other at
//! all times, and a database failover invalidates every connection at once. Keeping the
//! counts behind these methods lets them be tested alone, and leaves the proxy model to
//! decide *when* (arrivals, results, timeouts, failover) rather than *how*.

use std::collections::VecDeque;

use super::CallId;

#[derive(Debug)]
pub(crate) struct ProxyPool {
    max: u32,
    open: u32,
    idle: u32,
    /// The database epoch the open connections belong to (a failover starts a new one).
    epoch: u32,
    /// Callers waiting to borrow: (call, its generation when it started waiting).
    waiters: VecDeque<(CallId, u32)>,
}

/// Where a returned connection went.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Returned {
    /// To the first caller still waiting.
    Waiter(CallId),
    /// Into the idle set.
    Idle,
    /// Nowhere: it belonged to a database epoch that has ended.
    Stale,
}

impl ProxyPool {
    /// A pool of at most `max` connections (at least one).
    pub(crate) fn new(max: u32) -> Self {
        ProxyPool {
            max: max.max(1),
            open: 0,
            idle: 0,
            epoch: 0,
            waiters: VecDeque::new(),
        }
    }

    pub(crate) fn max(&self) -> u32 {
        self.max
    }

    pub(crate) fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Follows the database to `epoch`: connections of an older epoch are gone.
    pub(crate) fn follow(&mut self, epoch: u32) {
        if self.epoch != epoch {
            self.epoch = epoch;
            self.open = 0;
            self.idle = 0;
        }
    }

    /// The database failed over: every pooled connection is lost at once (waiters stay).
    pub(crate) fn lose_connections(&mut self) {
        self.open = 0;
        self.idle = 0;
    }

    /// Lends an idle connection; its epoch.
    pub(crate) fn borrow_idle(&mut self) -> Option<u32> {
        if self.idle == 0 {
            return None;
        }
        self.idle -= 1;
        Some(self.epoch)
    }

    /// Whether the pool may open another connection.
    pub(crate) fn has_room(&self) -> bool {
        self.open < self.max
    }

    /// A new connection was opened (and lent); the connections now open.
    pub(crate) fn opened(&mut self) -> u32 {
        self.open += 1;
        self.open
    }

    /// Whether callers wait and a connection could be opened for them.
    pub(crate) fn wants_connection(&self) -> bool {
        self.has_room() && !self.waiters.is_empty()
    }

    /// `call` waits for a connection.
    pub(crate) fn wait(&mut self, call: CallId, generation: u32) {
        self.waiters.push_back((call, generation));
    }

    /// A connection of `epoch` comes back: it goes to the first waiter for which
    /// `still_waiting` holds (the others gave up and are dropped), else it idles.
    pub(crate) fn give_back(
        &mut self,
        epoch: u32,
        mut still_waiting: impl FnMut(CallId, u32) -> bool,
    ) -> Returned {
        if epoch != self.epoch {
            return Returned::Stale;
        }
        while let Some((call, generation)) = self.waiters.pop_front() {
            if still_waiting(call, generation) {
                return Returned::Waiter(call);
            }
        }
        self.idle += 1;
        Returned::Idle
    }
}

#[cfg(test)]
mod tests {
    use super::super::Id;
    use super::*;

    fn call(slot: u32) -> CallId {
        Id::from_slot(slot)
    }

    #[test]
    fn connections_are_opened_up_to_the_maximum_then_callers_wait() {
        let mut pool = ProxyPool::new(2);
        assert_eq!(pool.borrow_idle(), None);
        assert!(pool.has_room());
        assert_eq!(pool.opened(), 1);
        assert_eq!(pool.opened(), 2);
        assert!(!pool.has_room());
        pool.wait(call(5), 0);
        assert!(
            !pool.wants_connection(),
            "full: the waiter needs a returned connection"
        );
        assert_eq!(pool.give_back(0, |_, _| true), Returned::Waiter(call(5)));
        assert_eq!(pool.give_back(0, |_, _| true), Returned::Idle);
        assert_eq!(pool.borrow_idle(), Some(0));
        assert_eq!(pool.borrow_idle(), None);
    }

    #[test]
    fn a_caller_that_gave_up_is_skipped() {
        let mut pool = ProxyPool::new(1);
        pool.opened();
        pool.wait(call(1), 0);
        pool.wait(call(2), 0);
        let gave_up = call(1);
        assert_eq!(
            pool.give_back(0, |c, _| c != gave_up),
            Returned::Waiter(call(2))
        );
        assert_eq!(pool.give_back(0, |_, _| true), Returned::Idle);
    }

    #[test]
    fn a_failover_invalidates_the_pool_but_not_its_waiters() {
        let mut pool = ProxyPool::new(3);
        pool.opened();
        pool.opened();
        pool.give_back(0, |_, _| true);
        pool.wait(call(9), 4);
        pool.lose_connections();
        assert!(pool.wants_connection(), "room again, and a caller waits");
        pool.follow(1);
        assert_eq!(pool.epoch(), 1);
        assert_eq!(pool.borrow_idle(), None, "the idle connection died");
        assert_eq!(
            pool.give_back(0, |_, _| true),
            Returned::Stale,
            "a connection of the old epoch is not pooled again"
        );
        assert_eq!(pool.opened(), 1);
        assert_eq!(pool.give_back(1, |_, g| g == 4), Returned::Waiter(call(9)));
    }

    #[test]
    fn the_pool_holds_at_least_one_connection() {
        assert_eq!(ProxyPool::new(0).max(), 1);
    }
}
