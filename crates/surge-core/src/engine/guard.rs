//! Every run ends: a progress guard against loops that take no time, and a memory budget
//! that stops a run cleanly, with a report up to that moment and a sentence naming what
//! grew, instead of letting it exhaust the machine or the browser tab.
//!
//! Why in the engine: anyone can hand anyone a scenario (links, embeds, exercises), and
//! some valid scenarios grow without bound on AWS too (a queue nobody reads, a loop that
//! recursive loop detection was told to allow). The host cannot tell a long run from a
//! runaway one; the engine can, from what it holds.
//!
//! - **No progress.** Work done at one simulated instant is counted (events and the
//!   same-instant tasks they cause). Past [`Limits::max_steps_per_instant`] (by default
//!   [`MAX_WORK_PER_INSTANT`]) the run stops and the
//!   node where most of that work happened is named. (State machines have their own,
//!   finer guard: an execution whose state loop takes no time fails on its own.)
//! - **Memory.** What the run holds (calls, requests, messages, events waiting, timers,
//!   executions, stream records…) is weighed in nominal bytes per entity: fixed
//!   constants, not the allocator's figures, so native and wasm stop at the same event.
//!   The budget is a host setting ([`Limits`]); it is checked every few thousand steps.

use serde::{Deserialize, Serialize};

use super::{NodeRt, Simulation};
use crate::time::SimTime;

/// Steps (events and their same-instant tasks) one simulated instant may take, by default.
pub const MAX_WORK_PER_INSTANT: u64 = 2_000_000;
/// Steps between two checks of the memory budget.
const CHECK_EVERY: u32 = 4096;

/// Nominal bytes per entity the engine holds (a little above their size on 64-bit
/// targets; a test keeps them honest).
pub(crate) mod bytes {
    pub(crate) const CALL: u64 = 96;
    pub(crate) const REQUEST: u64 = 32;
    pub(crate) const MESSAGE: u64 = 80;
    pub(crate) const UNREAD_MESSAGE: u64 = 8;
    pub(crate) const TIMER: u64 = 24;
    pub(crate) const EVENT: u64 = 40;
    pub(crate) const TASK: u64 = 16;
    pub(crate) const BRANCH: u64 = 128;
    pub(crate) const ASYNC_EVENT: u64 = 32;
    pub(crate) const DELIVERY: u64 = 16;
    pub(crate) const RECORD: u64 = 16;
    pub(crate) const BATCH: u64 = 64;
    pub(crate) const LINEAGE: u64 = 128;
}

/// What a host allows one run to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The run stops once what it holds passes this many MiB (nominal).
    pub max_memory_mib: u32,
    /// The run stops once one simulated instant takes this many steps.
    pub max_steps_per_instant: u64,
}

impl Limits {
    /// For a browser tab (several runs may share it).
    pub const BROWSER: Limits = Limits {
        max_memory_mib: 256,
        max_steps_per_instant: MAX_WORK_PER_INSTANT,
    };
    /// For the command line.
    pub const CLI: Limits = Limits {
        max_memory_mib: 384,
        max_steps_per_instant: MAX_WORK_PER_INSTANT,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::CLI
    }
}

/// Why a run stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopCause {
    /// Too much work at one simulated instant: a loop that takes no time.
    NoProgress,
    /// What the run holds passed the memory budget.
    MemoryBudget,
}

/// A run that stopped before its end, and why, in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunStop {
    /// Simulated time of the stop, in seconds.
    pub at_s: f64,
    /// The cause.
    pub cause: StopCause,
    /// The node that grew or spun, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// A sentence for people: "stopped at t=312 s: queue q holds 5,000,000 messages…".
    pub message: String,
}

/// The guard's counters.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    /// Half the steps one instant may take: from there on each step is watched.
    watch_from: u64,
    /// The instant being worked on and the steps taken at it.
    instant: SimTime,
    work: u64,
    /// Deliveries per node at this instant, counted once past half the limit.
    tally: Vec<u32>,
    steps_since_check: u32,
    /// What each node held at the last whole second (for growth rates).
    held_at_tick: Vec<u64>,
    tick_at: SimTime,
}

impl Guard {
    pub(crate) fn new(limits: &Limits) -> Guard {
        Guard {
            watch_from: limits.max_steps_per_instant.max(2) / 2,
            ..Guard::default()
        }
    }
}

/// Something a node holds, for the budget's message.
struct Held {
    count: u64,
    bytes: u64,
    what: &'static str,
}

impl Simulation {
    /// Counts one step at the current instant; false once the run must stop.
    pub(super) fn guard_step(&mut self) -> bool {
        let g = &mut self.guard;
        if g.instant != self.now {
            g.instant = self.now;
            g.work = 0;
            if !g.tally.is_empty() {
                g.tally.clear();
            }
        }
        g.work += 1;
        g.steps_since_check += 1;
        // The common case in two comparisons: this runs for every event and task.
        if g.work < g.watch_from && g.steps_since_check < CHECK_EVERY {
            return true;
        }
        self.guard_watch()
    }

    /// The rare part of [`Simulation::guard_step`]: an instant past half its limit, or a
    /// memory check due.
    #[cold]
    fn guard_watch(&mut self) -> bool {
        let g = &mut self.guard;
        if g.work == g.watch_from {
            g.tally = vec![0; self.nodes.len()];
        }
        if g.work >= self.limits.max_steps_per_instant.max(2) {
            self.stop_no_progress();
            return false;
        }
        if g.steps_since_check >= CHECK_EVERY {
            g.steps_since_check = 0;
            return self.check_budget();
        }
        true
    }

    /// Notes a delivery to `node` (only counted while an instant is suspiciously busy).
    pub(super) fn guard_tally(&mut self, node: usize) {
        if let Some(t) = self.guard.tally.get_mut(node) {
            *t += 1;
        }
    }

    fn stop_no_progress(&mut self) {
        let busiest = self
            .guard
            .tally
            .iter()
            .enumerate()
            .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
            .filter(|&(_, &n)| n > 0)
            .map(|(i, _)| i);
        let at = self.now.as_secs_f64();
        let mut message = format!(
            "stopped at t={}: {} steps at one instant without simulated time passing",
            seconds(at),
            group(self.limits.max_steps_per_instant)
        );
        if let Some(i) = busiest {
            let n = &self.scenario.nodes[i];
            message += &format!(
                ", most of them at {} ({}): something loops or fans out without taking any time (give a step, a latency or a state some duration)",
                n.label(),
                n.kind.tag()
            );
        }
        self.stopped = Some(RunStop {
            at_s: at,
            cause: StopCause::NoProgress,
            node: busiest.map(|i| self.scenario.nodes[i].id.clone()),
            message,
        });
        self.tasks.clear();
    }

    /// Nominal bytes the run holds now.
    pub(crate) fn held_bytes(&self) -> u64 {
        use bytes::*;
        let arena = |len: usize| len as u64;
        let mut total = arena(self.calls.slots()) * CALL
            + arena(self.reqs.slots()) * REQUEST
            + arena(self.msgs.slots()) * MESSAGE
            + arena(self.batches.slots() + self.sbatches.slots()) * BATCH
            + arena(self.branches.slots()) * BRANCH
            + arena(self.async_events.slots()) * ASYNC_EVENT
            + arena(self.in_delivery.slots()) * DELIVERY
            + self.queue.len() as u64 * EVENT
            + self.tasks.len() as u64 * TASK;
        total += self.timers.iter().map(|q| q.len() as u64).sum::<u64>() * TIMER;
        total += self.lineages.len() as u64 * LINEAGE;
        for i in 0..self.nodes.len() {
            total += self.held_by(i).map_or(0, |h| h.bytes);
        }
        total
    }

    /// What node `i` holds beyond its calls (queues, backlogs, records), or its calls.
    fn held_by(&self, i: usize) -> Option<Held> {
        use bytes::*;
        let calls = u64::from(self.stats[i].in_node.level);
        let held = match &self.nodes[i] {
            NodeRt::Queue(q) => {
                let unread = q.unread_len() as u64;
                let entries = q.visible_len() as u64;
                Held {
                    count: u64::from(q.depth) + u64::from(q.in_flight),
                    bytes: unread * UNREAD_MESSAGE + entries * 16,
                    what: "messages",
                }
            }
            NodeRt::Lambda(l) => {
                let waiting = l.async_rt.len() as u64;
                if waiting > calls {
                    Held {
                        count: waiting,
                        bytes: waiting * 4,
                        what: "events waiting in its async queue",
                    }
                } else {
                    Held {
                        count: calls,
                        bytes: 0,
                        what: "invocations in progress",
                    }
                }
            }
            NodeRt::Stream(s) => {
                let records = s.records_held();
                Held {
                    count: records,
                    bytes: records * RECORD,
                    what: "unprocessed records",
                }
            }
            NodeRt::Machine(m) => Held {
                count: m.live_branches,
                bytes: 0,
                what: "branches of executions running",
            },
            _ => Held {
                count: calls,
                bytes: 0,
                what: "calls in progress",
            },
        };
        Some(held)
    }

    /// At every whole second: what each node holds, for growth rates.
    pub(super) fn guard_tick(&mut self) {
        let held: Vec<u64> = (0..self.nodes.len())
            .map(|i| self.held_by(i).map_or(0, |h| h.count))
            .collect();
        self.guard.held_at_tick = held;
        self.guard.tick_at = self.now;
    }

    /// Stops the run if it holds more than the budget; true while it may go on.
    pub(super) fn check_budget(&mut self) -> bool {
        let held = self.held_bytes();
        let budget = u64::from(self.limits.max_memory_mib) << 20;
        if held <= budget {
            return true;
        }
        // Name the node that holds the most of what grows.
        let top = (0..self.nodes.len())
            .filter_map(|i| self.held_by(i).map(|h| (i, h)))
            .max_by_key(|(i, h)| (h.count, std::cmp::Reverse(*i)));
        let at = self.now.as_secs_f64();
        let mut message = format!("stopped at t={}", seconds(at));
        let mut node = None;
        if let Some((i, h)) = top.filter(|(_, h)| h.count > 0) {
            let n = &self.scenario.nodes[i];
            message += &format!(
                ": {} {} holds {} {}",
                crate::scenario::NodeKind::noun(n.kind.tag()),
                n.label(),
                group(h.count),
                h.what
            );
            let before = self.guard.held_at_tick.get(i).copied().unwrap_or(0);
            let span = (self.now - self.guard.tick_at).as_secs_f64();
            if span > 0.0 && h.count > before {
                let rate = (h.count - before) as f64 / span;
                message += &format!("; it grows by {}/s", group(rate as u64));
            }
            node = Some(n.id.clone());
        }
        message += &format!(
            ". The run holds about {} MiB, over its budget of {} MiB, so it ends here with the report so far",
            held >> 20,
            self.limits.max_memory_mib
        );
        self.stopped = Some(RunStop {
            at_s: at,
            cause: StopCause::MemoryBudget,
            node,
            message,
        });
        self.tasks.clear();
        false
    }
}

/// `12 s`, `0.4 s`.
fn seconds(s: f64) -> String {
    if s >= 10.0 || s == libm::floor(s) {
        format!("{} s", libm::round(s) as u64)
    } else {
        format!("{s:.1} s")
    }
}

/// 5000000 → "5,000,000" (the page's large figures use it too).
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_sizes_are_at_least_the_real_ones_on_this_target() {
        use std::mem::size_of;
        assert!(size_of::<super::super::Call>() as u64 <= bytes::CALL);
        assert!(size_of::<super::super::workflows::Branch>() as u64 <= bytes::BRANCH);
        assert!(size_of::<super::super::message::Msg>() as u64 <= bytes::MESSAGE);
        assert!(size_of::<(SimTime, u64, super::super::Event)>() as u64 <= bytes::EVENT);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(5_000_000), "5,000,000");
        assert_eq!(group(999), "999");
        assert_eq!(seconds(312.4), "312 s");
        assert_eq!(seconds(0.4), "0.4 s");
    }
}
