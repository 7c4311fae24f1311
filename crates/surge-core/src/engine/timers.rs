//! Per-node FIFO timer queues for timeouts and message clocks.
//!
//! Why: almost every request arms timeouts (client, API Gateway, Lambda, proxy borrow)
//! that almost never fire, and every message arms a visibility and a retention clock. As
//! heap events they would multiply the heap's size and its O(log n) cost. But each of
//! these delays is a constant of its node, so they are armed in time order: a FIFO queue
//! per (node, kind) with one heap event for its head does the same job in O(1) per timer.
//! Deadlines that are not in order fall back to the heap.
//!
//! Memory follows what is alive, not what passed through: a timer whose owner finished
//! early (a request answered long before its 30 s timeout, a message consumed days
//! before its retention ends) is cancelled. Cancelling only counts the entry as stale;
//! once stale entries are at least half of a queue (and a few thousand), the queue drops
//! them in one pass, so each cancel costs O(1) amortised and a queue holds at most about
//! twice its live timers.

use std::collections::VecDeque;

use super::{Event, Id, NodeRt, Simulation};
use crate::time::SimTime;

/// What a timer queue holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// Request timeouts (client nodes) or call deadlines (other nodes).
    Deadline = 0,
    /// A received message becomes visible again.
    Visibility = 1,
    /// A message expires.
    Retention = 2,
    /// A delayed message becomes visible.
    Delay = 3,
}

/// Timer queues per node.
pub(crate) const KINDS: usize = 4;

#[derive(Clone, Copy, Debug)]
struct Timer {
    at: SimTime,
    id: u32,
    generation: u32,
    extra: u32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct TimerQueue {
    entries: VecDeque<Timer>,
    armed: bool,
    /// Entries whose owner has gone (cancelled); dropped in bulk by `compact`.
    stale: u32,
}

impl TimerQueue {
    /// Entries held (live and stale), for the memory budget.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// A queue is compacted once it holds at least this many stale entries...
const COMPACT_MIN_STALE: u32 = 4096;

impl Simulation {
    /// Arms a timeout at `node` after `after` for `id` (a request for client nodes, a call
    /// otherwise) at `generation`; `extra` carries the attempt number for clients.
    pub(super) fn arm<T>(
        &mut self,
        node: u32,
        after: SimTime,
        id: Id<T>,
        generation: u32,
        extra: u32,
    ) {
        self.arm_kind(node, TimerKind::Deadline, after, id, generation, extra);
    }

    /// Arms a timer of `kind` (its entries hold ids as slot numbers, whatever their arena).
    pub(super) fn arm_kind<T>(
        &mut self,
        node: u32,
        kind: TimerKind,
        after: SimTime,
        id: Id<T>,
        generation: u32,
        extra: u32,
    ) {
        let id = id.slot();
        let at = self.now + after;
        let slot = node * KINDS as u32 + kind as u32;
        let q = &mut self.timers[slot as usize];
        if q.entries.back().is_some_and(|last| last.at > at) {
            // Out of order: use the heap.
            self.queue.push(
                at,
                Event::LateTimer {
                    slot,
                    id,
                    generation,
                    extra,
                },
            );
            return;
        }
        q.entries.push_back(Timer {
            at,
            id,
            generation,
            extra,
        });
        if !q.armed {
            q.armed = true;
            self.queue.push(at, Event::Timer { slot });
        }
    }

    /// The timer of `kind` at `node` that an entity armed is no longer wanted (its owner
    /// finished first); it will never fire, and is dropped at the next compaction.
    pub(super) fn cancel_timer(&mut self, node: u32, kind: TimerKind) {
        let slot = (node * KINDS as u32 + kind as u32) as usize;
        let q = &mut self.timers[slot];
        q.stale += 1;
        if q.stale >= COMPACT_MIN_STALE && q.stale as usize * 2 >= q.entries.len() {
            self.compact_timers(slot);
        }
    }

    /// Drops every entry whose owner has gone.
    fn compact_timers(&mut self, slot: usize) {
        let mut entries = std::mem::take(&mut self.timers[slot].entries);
        entries.retain(|t| self.timer_live(slot as u32, t.id, t.generation, t.extra));
        if entries.capacity() > 4 * entries.len().max(64) {
            entries.shrink_to(2 * entries.len().max(64));
        }
        let q = &mut self.timers[slot];
        q.entries = entries;
        q.stale = 0;
    }

    /// Whether a timer's owner still wants it to fire.
    fn timer_live(&self, slot: u32, raw: u32, generation: u32, extra: u32) -> bool {
        let node = slot / KINDS as u32;
        match slot % KINDS as u32 {
            0 if matches!(self.nodes[node as usize], NodeRt::Client(_)) => {
                self.client_timer_live(Id::from_slot(raw), generation, extra)
            }
            0 => {
                self.live(Id::from_slot(raw), generation)
                    && self
                        .calls
                        .get(Id::from_slot(raw))
                        .is_some_and(|c| c.deadline_armed)
            }
            1 => self.msg_timer_live(
                Id::from_slot(raw),
                generation,
                super::message::TIMER_VISIBILITY,
                extra,
            ),
            2 => self.msg_timer_live(
                Id::from_slot(raw),
                generation,
                super::message::TIMER_RETENTION,
                0,
            ),
            _ => self.msg_timer_live(
                Id::from_slot(raw),
                generation,
                super::message::TIMER_DELAY,
                0,
            ),
        }
    }

    /// Fires every due timer of a queue, then re-arms for the next one.
    pub(super) fn on_timer(&mut self, slot: u32) {
        loop {
            let q = &mut self.timers[slot as usize];
            let Some(&t) = q.entries.front() else {
                q.armed = false;
                return;
            };
            if t.at > self.now {
                self.queue.push(t.at, Event::Timer { slot });
                return;
            }
            q.entries.pop_front();
            if !self.timer_live(slot, t.id, t.generation, t.extra) {
                let q = &mut self.timers[slot as usize];
                q.stale = q.stale.saturating_sub(1);
                continue;
            }
            self.fire(slot, t.id, t.generation, t.extra);
            self.drain_tasks();
        }
    }

    /// Dispatches one due timer (its owner still wants it).
    pub(super) fn fire(&mut self, slot: u32, raw: u32, generation: u32, extra: u32) {
        if !self.timer_live(slot, raw, generation, extra) {
            return;
        }
        let node = slot / KINDS as u32;
        match slot % KINDS as u32 {
            0 if matches!(self.nodes[node as usize], NodeRt::Client(_)) => {
                self.on_client_timeout(Id::from_slot(raw), generation, extra);
            }
            0 => {
                self.calls[Id::from_slot(raw)].deadline_armed = false;
                self.on_deadline(Id::from_slot(raw));
            }
            1 => self.visibility_expired(node, Id::from_slot(raw), generation, extra),
            2 => self.retention_expired(node, Id::from_slot(raw), generation),
            _ => self.delay_over(node, Id::from_slot(raw), generation),
        }
    }
}
