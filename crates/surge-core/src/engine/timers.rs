//! Per-node FIFO timer queues for timeouts and message clocks.
//!
//! Why: almost every request arms timeouts (client, API Gateway, Lambda, proxy borrow)
//! that almost never fire, and every message arms a visibility and a retention clock. As
//! heap events they would multiply the heap's size and its O(log n) cost. But each of
//! these delays is a constant of its node, so they are armed in time order: a FIFO queue
//! per (node, kind) with one heap event for its head does the same job in O(1) per timer.
//! Deadlines that are not in order fall back to the heap.

use std::collections::VecDeque;

use super::{Event, NodeRt, Simulation};
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
}

impl Simulation {
    /// Arms a timeout at `node` after `after` for `id` (a request for client nodes, a call
    /// otherwise) at `generation`; `extra` carries the attempt number for clients.
    pub(super) fn arm(&mut self, node: u32, after: SimTime, id: u32, generation: u32, extra: u32) {
        self.arm_kind(node, TimerKind::Deadline, after, id, generation, extra);
    }

    pub(super) fn arm_kind(
        &mut self,
        node: u32,
        kind: TimerKind,
        after: SimTime,
        id: u32,
        generation: u32,
        extra: u32,
    ) {
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
            self.fire(slot, t.id, t.generation, t.extra);
            self.drain_tasks();
        }
    }

    /// Dispatches one due timer.
    pub(super) fn fire(&mut self, slot: u32, id: u32, generation: u32, extra: u32) {
        let node = slot / KINDS as u32;
        match slot % KINDS as u32 {
            0 if matches!(self.nodes[node as usize], NodeRt::Client(_)) => {
                self.on_client_timeout(id, generation, extra);
            }
            0 => {
                if self.live(id, generation) {
                    self.on_deadline(id);
                }
            }
            1 => self.visibility_expired(node, id, generation, extra),
            2 => self.retention_expired(node, id, generation),
            _ => self.delay_over(node, id, generation),
        }
    }
}
