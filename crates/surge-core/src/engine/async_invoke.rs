//! Lambda asynchronous invocation: the internal event queue, retries, maximum event age
//! and the on-failure destination.
//!
//! Why a queue per function: an `async` caller gets 202 at once and the event waits in
//! Lambda's queue. A throttled event is not an error: it goes back to the queue and the
//! function's poller backs off (1 s doubling to 5 min). A function error is retried
//! `async_max_retries` times (about 1 and then 2 minutes later); events that still fail,
//! or grow older than `async_max_event_age_s`, go to the on-failure destination (a queue)
//! or are dropped. Every event is counted in the `events` ledger.

use std::collections::VecDeque;

use super::lineage::Chain;
use super::{CallId, Event, Id, NodeRt, Outcome, Parent, Simulation};

pub(crate) type EventId = Id<AsyncEvent>;
use crate::report::ErrorKind;
use crate::scenario::LambdaParams;
use crate::time::SimTime;

/// Delay before the first retry after a function error (AWS: about a minute).
const FIRST_RETRY: SimTime = SimTime::from_secs(60);
/// Throttle backoff bounds.
const BACKOFF_MIN: SimTime = SimTime::from_secs(1);
const BACKOFF_MAX: SimTime = SimTime::from_secs(300);

#[derive(Clone, Debug)]
pub(crate) struct AsyncEvent {
    generation: u32,
    created: SimTime,
    errors: u32,
    /// The chain of events it belongs to (recursive loop detection, long work).
    chain: Chain,
}

/// Per-function async state.
#[derive(Debug)]
pub(crate) struct AsyncRt {
    queue: VecDeque<EventId>,
    max_retries: u32,
    max_age: SimTime,
    /// The on-failure queue, if any.
    destination: Option<u32>,
    backoff: SimTime,
    waiting: bool,
}

impl AsyncRt {
    /// Events waiting in the queue.
    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no event waits in the queue.
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub(crate) fn new(p: &LambdaParams, destination: Option<u32>) -> Self {
        AsyncRt {
            queue: VecDeque::new(),
            max_retries: p.async_max_retries,
            max_age: SimTime::from_secs_f64(p.async_max_event_age_s),
            destination,
            backoff: SimTime::ZERO,
            waiting: false,
        }
    }
}

/// Why an event leaves the async queue unprocessed.
#[derive(Clone, Copy, Debug)]
enum GiveUp {
    Expired,
    Failed,
    Stopped,
}

impl Simulation {
    fn async_rt(&mut self, node: u32) -> &mut AsyncRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Lambda(l) => &mut l.async_rt,
            _ => unreachable!("lambda node"),
        }
    }

    /// An `async` call reached a function: accept the event (202) and queue it.
    pub(super) fn async_accept(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let event = AsyncEvent {
            generation: 0,
            created: self.now,
            errors: 0,
            chain: self.calls[call].chain,
        };
        let id = self
            .async_events
            .insert_carrying(event, |old, new| AsyncEvent {
                generation: old.generation,
                ..new
            });
        self.async_ledger.accepted += 1;
        self.async_ledger.queued += 1;
        self.async_rt(node).queue.push_back(id);
        self.calls[call].quiet = true;
        self.complete(call, Ok(()));
        self.async_dispatch(node);
    }

    pub(super) fn async_chain(&self, event: EventId) -> Chain {
        self.async_events[event].chain
    }

    /// Invokes queued events while the function has free concurrency and is not backing
    /// off after a throttle.
    pub(super) fn async_dispatch(&mut self, node: u32) {
        let mut free = self.lambda_free_slots(node);
        loop {
            let now = self.now;
            let a = self.async_rt(node);
            if a.waiting || free == 0 {
                return;
            }
            let Some(id) = a.queue.pop_front() else {
                return;
            };
            let (max_age, destination) = (a.max_age, a.destination);
            let created = self.async_events[id].created;
            if now - created > max_age {
                self.async_ledger.queued -= 1;
                self.async_give_up(id, destination, GiveUp::Expired);
                continue;
            }
            self.async_ledger.queued -= 1;
            self.async_ledger.in_flight += 1;
            self.new_call_at(node, None, Parent::Async(id), false);
            free -= 1;
        }
    }

    /// The invocation of an async event ended.
    pub(super) fn async_result(&mut self, node: u32, id: EventId, outcome: Outcome) {
        self.async_ledger.in_flight -= 1;
        let function_down = self.fault_state[node as usize].outage > 0;
        let a = self.async_rt(node);
        let destination = a.destination;
        match outcome {
            Ok(()) => {
                a.backoff = SimTime::ZERO;
                self.async_ledger.succeeded += 1;
                self.free_event(id);
            }
            Err(ErrorKind::RecursiveLoop) => {
                // Stopped by recursive loop detection: no retry; to the destination.
                self.async_give_up(id, destination, GiveUp::Stopped);
            }
            Err(ErrorKind::ConcurrencyThrottled | ErrorKind::Unavailable)
                if outcome == Err(ErrorKind::ConcurrencyThrottled) || function_down =>
            {
                // A throttle or the function itself unavailable (Lambda's own 429 and
                // 5xx): back to the queue; the poller backs off before trying again. A
                // handler that failed because something it calls is down is a function
                // error, retried twice below (lesson 9: the work is then lost).
                a.queue.push_front(id);
                a.backoff = if a.backoff == SimTime::ZERO {
                    BACKOFF_MIN
                } else {
                    (a.backoff + a.backoff).min(BACKOFF_MAX)
                };
                let (backoff, was_waiting) = (a.backoff, a.waiting);
                a.waiting = true;
                self.async_ledger.queued += 1;
                if !was_waiting {
                    self.schedule(backoff, Event::AsyncWake { node });
                }
            }
            Err(_) => {
                let e = &mut self.async_events[id];
                e.errors += 1;
                let errors = e.errors;
                let max_retries = self.async_rt(node).max_retries;
                if errors > max_retries {
                    self.async_give_up(id, destination, GiveUp::Failed);
                } else {
                    // About 1 minute before the 2nd attempt, 2 minutes before the 3rd.
                    self.async_ledger.queued += 1;
                    let generation = self.async_events[id].generation;
                    let delay = SimTime::from_nanos(FIRST_RETRY.as_nanos() * u64::from(errors));
                    self.schedule(
                        delay,
                        Event::AsyncRetry {
                            node,
                            event: id,
                            generation,
                        },
                    );
                }
            }
        }
    }

    pub(super) fn async_wake(&mut self, node: u32) {
        self.async_rt(node).waiting = false;
        self.async_dispatch(node);
    }

    pub(super) fn async_retry(&mut self, node: u32, id: EventId, generation: u32) {
        if self.async_events[id].generation == generation {
            self.async_rt(node).queue.push_back(id);
            self.async_dispatch(node);
        }
    }

    /// Retries or age ran out, or a loop was stopped: the destination queue gets the
    /// event, or it is dropped.
    fn async_give_up(&mut self, id: EventId, destination: Option<u32>, why: GiveUp) {
        match why {
            GiveUp::Expired => self.async_ledger.expired += 1,
            GiveUp::Failed => self.async_ledger.failed += 1,
            GiveUp::Stopped => self.async_ledger.stopped += 1,
        }
        match destination {
            None => self.async_ledger.dropped += 1,
            Some(destination) => {
                self.async_ledger.to_destination += 1;
                let chain = self.async_events[id].chain;
                self.enqueue(destination, false, chain);
            }
        }
        self.free_event(id);
    }

    fn free_event(&mut self, id: EventId) {
        let e = &mut self.async_events[id];
        e.generation = e.generation.wrapping_add(1);
        self.async_events.release(id);
    }
}
