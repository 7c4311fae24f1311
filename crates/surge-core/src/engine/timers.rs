//! Per-node FIFO timer queues for timeouts.
//!
//! Why: almost every request arms timeouts (client, API Gateway, Lambda, proxy borrow)
//! that almost never fire. As heap events they would double the heap's size and its
//! O(log n) cost. But each node's timeout is a constant, so its deadlines are armed in
//! time order: a FIFO queue per node with one heap event for its head does the same job
//! in O(1) per timer. Deadlines that are not in order (none today) fall back to the heap.

use std::collections::VecDeque;

use super::{Event, NodeRt, Simulation};
use crate::time::SimTime;

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
        let at = self.now + after;
        let q = &mut self.timers[node as usize];
        if q.entries.back().is_some_and(|last| last.at > at) {
            // Out of order: use the heap.
            let event = if matches!(self.nodes[node as usize], NodeRt::Client(_)) {
                Event::ClientTimeout {
                    req: id,
                    generation,
                    attempt: extra,
                }
            } else {
                Event::Deadline {
                    call: id,
                    generation,
                }
            };
            self.queue.push(at, event);
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
            self.queue.push(at, Event::Timer { node });
        }
    }

    /// Fires every due timer of `node`, then re-arms for the next one.
    pub(super) fn on_timer(&mut self, node: u32) {
        let is_client = matches!(self.nodes[node as usize], NodeRt::Client(_));
        loop {
            let q = &mut self.timers[node as usize];
            let Some(&t) = q.entries.front() else {
                q.armed = false;
                return;
            };
            if t.at > self.now {
                self.queue.push(t.at, Event::Timer { node });
                return;
            }
            q.entries.pop_front();
            if is_client {
                self.on_client_timeout(t.id, t.generation, t.extra);
            } else if self.live(t.id, t.generation) {
                self.on_deadline(t.id);
            }
            self.drain_tasks();
        }
    }
}
