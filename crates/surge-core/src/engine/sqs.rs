//! SQS standard queues and the Lambda event source mappings that poll them.
//!
//! Why messages are their own entities: a message outlives the call that sent it; it is
//! received (hidden for the visibility timeout), deleted on success, made visible again on
//! failure, moved to a dead-letter queue after too many receives, or expired. The message
//! ledger accounts for each one: consumed, dead-lettered, expired, or still queued or in
//! flight; deliveries of a message already consumed are counted as duplicates.
//!
//! Pollers: with `standard` scaling a mapping starts with 5 concurrent batches and adds 5
//! per second (300 per minute) while messages wait, up to its maximum concurrency (or
//! 1,000), and drops back when the queue is empty. With `instant` scaling every poller is
//! there from the start and receives the instant a message is visible: the idealised
//! M/M/c setting in which Erlang C holds. Receiving takes no time in either mode.

use std::collections::VecDeque;

use super::lineage::{Chain, Job};
use super::message::{Msg, MsgId, MsgState, TIMER_DELAY, TIMER_RETENTION, TIMER_VISIBILITY};
use super::stats::TokenBucket;
use super::timers::TimerKind;
use super::{Arena, CallId, CallState, Id, NodeRt, Outcome, Parent, Simulation};

pub(crate) type BatchId = Id<Batch>;
use crate::scenario::{EventSourceMapping, PollerScaling, QueueParams};
use crate::time::SimTime;

/// Published ceiling of concurrent batches per mapping.
const MAX_POLLERS: u32 = 1000;
/// A FIFO queue's calls per second per action (SendMessage, ReceiveMessage).
const FIFO_CALLS_PER_S: f64 = 300.0;
/// The same in high-throughput mode (us-east-1, us-west-2, eu-west-1).
const FIFO_HIGH_THROUGHPUT_CALLS_PER_S: f64 = 70_000.0;
/// Concurrent batches a standard mapping starts with.
const START_POLLERS: u32 = 5;
/// Batches added per second while messages wait (300 per minute).
const POLLERS_PER_SECOND: u32 = 5;

#[derive(Debug)]
struct Consumer {
    edge: u32,
    partial: bool,
    lifo: bool,
    drop_after: Option<SimTime>,
    batch_size: u32,
    window: SimTime,
    cap: u32,
    scaling: PollerScaling,
    pollers: u32,
    batches: u32,
    /// When the armed `PollCheck` is due (a sooner need re-arms it).
    check_at: Option<SimTime>,
    /// Scheduled consumers: seconds between runs and messages per run.
    run: Option<(u64, u32)>,
    /// Priority split: messages older than this are moved to the low-priority queue.
    overflow: Option<(SimTime, u32)>,
    /// Messages the consumer may still take (until the next run, if scheduled).
    budget: u32,
}

#[derive(Debug)]
pub(crate) struct QueueRt {
    /// Visible messages as (message, generation, send order); FIFO queues keep it sorted.
    visible: VecDeque<(MsgId, u32, u64)>,
    fifo: bool,
    groups: u32,
    /// FIFO: messages in flight per group (a busy group is not received from).
    group_busy: Vec<u32>,
    next_seq: u64,
    pub(crate) depth: u32,
    pub(crate) in_flight: u32,
    max_in_flight: u32,
    visibility: SimTime,
    retention: SimTime,
    delay: SimTime,
    latency: SimTime,
    dlq: Option<(u32, u32)>,
    consumer: Option<Consumer>,
    /// FIFO: the per-action API limits (SendMessage, ReceiveMessage).
    fifo_api: Option<(TokenBucket, TokenBucket)>,
    /// A queue nobody consumes, without a delay, keeps its messages here (see [`Unread`]).
    unread: Option<Unread>,
}

/// The messages of a queue nobody consumes (no poll edge) and that has no delay: they can
/// only wait and expire, in the order they were sent, so each is just its send time
/// (8 bytes, the top bit marking a message already dead-lettered elsewhere) instead of a
/// message slot and a retention timer (about 90 bytes); one event expires the oldest.
#[derive(Debug, Default)]
struct Unread {
    sent: VecDeque<u64>,
    /// An `UnreadExpire` event is scheduled for the oldest message.
    armed: bool,
}

/// Marks an unread message that is already counted as dead-lettered.
const DEAD_BIT: u64 = 1 << 63;

/// Messages handed to one invocation: (message, generation, receive number), and which
/// of them the function failed.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    queue: u32,
    msgs: Vec<(MsgId, u32, u32)>,
    failed: Vec<bool>,
    /// The chain of events the invocation continues (see `batch_chain`).
    chain: Chain,
}

impl QueueRt {
    /// Entries of the visible list (for the memory budget).
    pub(crate) fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Messages kept in the compact unread list (for the memory budget).
    pub(crate) fn unread_len(&self) -> usize {
        self.unread.as_ref().map_or(0, |u| u.sent.len())
    }

    pub(crate) fn new(
        p: &QueueParams,
        dlq: Option<u32>,
        consumer: Option<(u32, &EventSourceMapping)>,
        index: &dyn Fn(&str) -> Option<u32>,
    ) -> Self {
        QueueRt {
            visible: VecDeque::new(),
            fifo: p.fifo,
            groups: p.message_groups.max(1),
            group_busy: if p.fifo {
                vec![0; p.message_groups.max(1) as usize]
            } else {
                Vec::new()
            },
            fifo_api: p.fifo.then(|| {
                let rate = if p.fifo_high_throughput {
                    FIFO_HIGH_THROUGHPUT_CALLS_PER_S
                } else {
                    FIFO_CALLS_PER_S
                };
                (TokenBucket::new(rate, rate), TokenBucket::new(rate, rate))
            }),
            unread: (consumer.is_none() && p.delay_s <= 0.0).then(Unread::default),
            next_seq: 0,
            depth: 0,
            in_flight: 0,
            max_in_flight: p.max_in_flight,
            visibility: SimTime::from_secs_f64(p.visibility_timeout_s),
            retention: SimTime::from_secs_f64(p.retention_s),
            delay: SimTime::from_secs_f64(p.delay_s),
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            dlq: dlq.zip(p.max_receive_count),
            consumer: consumer.map(|(edge, m)| {
                let cap = m
                    .maximum_concurrency
                    .unwrap_or(MAX_POLLERS)
                    .min(MAX_POLLERS);
                Consumer {
                    edge,
                    partial: m.report_batch_item_failures,
                    lifo: m.backlog.order == crate::scenario::BacklogOrder::Lifo,
                    drop_after: m.backlog.drop_older_than_s.map(SimTime::from_secs_f64),
                    batch_size: m.batch_size,
                    window: SimTime::from_secs_f64(m.batching_window_s),
                    cap,
                    scaling: m.scaling,
                    pollers: match m.scaling {
                        PollerScaling::Standard => START_POLLERS.min(cap),
                        PollerScaling::Instant => cap,
                    },
                    batches: 0,
                    check_at: None,
                    run: m
                        .schedule
                        .map(|r| (u64::from(r.every_s), r.messages_per_run)),
                    // A scheduled consumer waits for its first run, one period in.
                    budget: if m.schedule.is_some() { 0 } else { u32::MAX },
                    overflow: m.backlog.overflow.as_ref().and_then(|o| {
                        Some((SimTime::from_secs_f64(o.older_than_s), index(&o.queue)?))
                    }),
                }
            }),
        }
    }
}

impl Simulation {
    fn sqs(&mut self, node: u32) -> &mut QueueRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Queue(q) => q,
            _ => unreachable!("queue node"),
        }
    }

    /// SendMessage arrives: it takes the queue's latency, then the message exists.
    pub(super) fn sqs_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let latency = self.sqs(node).latency + self.fault_state[node as usize].extra_latency;
        self.calls[call].state = CallState::Send;
        self.resume_in_lane(call, latency, node);
    }

    pub(super) fn sqs_send_done(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let now = self.now;
        self.cost.sqs_request();
        if let Some((send, _)) = &mut self.sqs(node).fifo_api {
            if !send.take(now) {
                self.complete(call, Err(crate::report::ErrorKind::Throttled));
                return;
            }
        }
        let chain = self.calls[call].chain;
        self.enqueue(node, false, chain);
        self.complete(call, Ok(()));
    }

    /// A new message in `node` (`dead`: it is already dead-lettered elsewhere), in the
    /// chain of events `chain`.
    pub(super) fn enqueue(&mut self, node: u32, dead: bool, chain: Chain) {
        self.enqueue_as(node, dead, true, chain);
    }

    /// Puts a message into a queue; `new` says whether it is a new message (a send) or
    /// one moved from another queue (a priority split), which the ledger already counts.
    fn enqueue_as(&mut self, node: u32, dead: bool, new: bool, chain: Chain) {
        self.stats[node as usize].enqueued += 1;
        if self.sqs(node).unread.is_some() {
            self.enqueue_unread(node, dead, new);
            return;
        }
        let msg = Msg::new(node, chain, self.now, dead);
        let id = self.msgs.insert_carrying(msg, Msg::carry_generation);
        if !dead {
            if new {
                self.messages.sent += 1;
            }
            self.messages.queued += 1;
        }
        let generation = self.msgs[id].generation();
        let (fifo, groups) = {
            let q = self.sqs(node);
            (q.fifo, q.groups)
        };
        if fifo {
            // Only FIFO queues draw a group, so standard queues' runs are unchanged.
            let group = (self.rng.next_u64() % u64::from(groups)) as u32;
            let q = self.sqs(node);
            let seq = q.next_seq;
            q.next_seq += 1;
            self.msgs[id].place_in_group(group, seq);
        }
        let (retention, delay) = {
            let q = self.sqs(node);
            (q.retention, q.delay)
        };
        self.arm_kind(node, TimerKind::Retention, retention, id, generation, 0);
        self.msgs[id].armed(TIMER_RETENTION);
        if delay > SimTime::ZERO {
            self.arm_kind(node, TimerKind::Delay, delay, id, generation, 0);
            self.msgs[id].armed(TIMER_DELAY);
        } else {
            self.make_visible(node, id);
        }
    }

    /// A message for a queue nobody consumes: counted, kept as its send time, expired in
    /// order (the same figures as a full message, at a tenth of the memory).
    fn enqueue_unread(&mut self, node: u32, dead: bool, new: bool) {
        if !dead {
            if new {
                self.messages.sent += 1;
            }
            self.messages.queued += 1;
        }
        let now = self.now;
        if self.sqs(node).fifo {
            // The group draw a FIFO message makes, so the run's random stream is the same.
            let groups = self.sqs(node).groups;
            let _ = self.rng.next_u64() % u64::from(groups);
        }
        let q = self.sqs(node);
        let retention = q.retention;
        q.depth += 1;
        let depth = q.depth;
        let Some(u) = q.unread.as_mut() else {
            return;
        };
        u.sent
            .push_back(now.as_nanos() | if dead { DEAD_BIT } else { 0 });
        let arm = !std::mem::replace(&mut u.armed, true);
        self.stats[node as usize].queue.set(now, depth);
        if arm {
            self.schedule(retention, super::Event::UnreadExpire { node });
        }
    }

    /// The oldest unread messages reached the retention period.
    pub(super) fn unread_expire(&mut self, node: u32) {
        let now = self.now;
        let q = self.sqs(node);
        let retention = q.retention;
        let Some(u) = q.unread.as_mut() else {
            return;
        };
        let (mut gone, mut counted) = (0u32, 0u64);
        while let Some(&front) = u.sent.front() {
            if SimTime::from_nanos(front & !DEAD_BIT) + retention > now {
                break;
            }
            u.sent.pop_front();
            gone += 1;
            if front & DEAD_BIT == 0 {
                counted += 1;
            }
        }
        let next = u
            .sent
            .front()
            .map(|&f| SimTime::from_nanos(f & !DEAD_BIT) + retention);
        u.armed = next.is_some();
        q.depth -= gone;
        let depth = q.depth;
        self.messages.expired += counted;
        self.messages.queued -= counted;
        self.stats[node as usize].queue.set(now, depth);
        if let Some(at) = next {
            self.queue.push(at, super::Event::UnreadExpire { node });
        }
    }

    fn make_visible(&mut self, node: u32, id: MsgId) {
        let now = self.now;
        let m = &mut self.msgs[id];
        m.show(now);
        let (generation, seq) = (m.generation(), m.seq());
        let q = self.sqs(node);
        if q.fifo {
            // Keep send order: a returning message goes back ahead of later ones.
            let at = q.visible.partition_point(|e| e.2 < seq);
            q.visible.insert(at, (id, generation, seq));
        } else {
            q.visible.push_back((id, generation, seq));
        }
        q.depth += 1;
        let depth = q.depth;
        self.stats[node as usize].queue.set(now, depth);
        self.try_poll(node);
    }

    /// The chain of events a batch's invocation continues: for a function on a loop, that
    /// of the message it has run most often for (so a looping message is stopped even in a
    /// batch), otherwise the first message's. Its calls carry the first message's request
    /// (a function that finishes long work marks every message's: see `batch_jobs`).
    pub(super) fn batch_chain(&self, batch: BatchId) -> Chain {
        self.batches[batch].chain
    }

    /// The client requests whose long work the batch's messages are, except the records
    /// the function failed.
    pub(super) fn batch_jobs(&self, batch: BatchId) -> Vec<Job> {
        let b = &self.batches[batch];
        b.msgs
            .iter()
            .zip(&b.failed)
            .filter(|&(&(id, generation, _), &failed)| {
                !failed && self.msgs[id].generation() == generation
            })
            .map(|(&(id, _, _), _)| self.msgs[id].chain().job)
            .collect()
    }

    fn choose_batch_lineage(&self, function: u32, msgs: &[(MsgId, u32, u32)]) -> u32 {
        let lineage = |&(id, _, _): &(MsgId, u32, u32)| self.msgs[id].chain().lineage;
        if !self
            .in_loop
            .get(function as usize)
            .copied()
            .unwrap_or(false)
        {
            return msgs.first().map_or(super::lineage::NO_LINEAGE, lineage);
        }
        msgs.iter()
            .map(lineage)
            .max_by_key(|&l| self.lineages.count(l, function))
            .unwrap_or(super::lineage::NO_LINEAGE)
    }

    /// Whether a message's timer (of `bit`, for `receive` if a visibility timer) still
    /// matters.
    pub(super) fn msg_timer_live(&self, id: MsgId, generation: u32, bit: u8, receive: u32) -> bool {
        self.msgs
            .get(id)
            .is_some_and(|m| m.timer_live(generation, bit, receive))
    }

    pub(super) fn delay_over(&mut self, node: u32, id: MsgId, generation: u32) {
        if self.msgs[id].delay_over(generation) {
            self.make_visible(node, id);
        }
    }

    pub(super) fn retention_expired(&mut self, node: u32, id: MsgId, generation: u32) {
        match self.msgs[id].retention_over(generation) {
            Some(MsgState::Visible) => {
                let q = self.sqs(node);
                q.depth -= 1;
                let depth = q.depth;
                self.stats[node as usize].queue.set(self.now, depth);
                self.expire(id);
            }
            Some(MsgState::Delayed) => self.expire(id),
            // In flight: it expires when it returns.
            Some(MsgState::InFlight | MsgState::Free) | None => {}
        }
    }

    fn expire(&mut self, id: MsgId) {
        let m = &self.msgs[id];
        if !m.dead() {
            self.messages.expired += 1;
            match m.state() {
                MsgState::InFlight => self.messages.in_flight -= 1,
                _ => self.messages.queued -= 1,
            }
        }
        self.free_msg(id);
    }

    fn free_msg(&mut self, id: MsgId) {
        let m = &mut self.msgs[id];
        let queue = m.queue();
        let timers = m.retire();
        self.msgs.release(id);
        for (bit, kind) in [
            (TIMER_RETENTION, TimerKind::Retention),
            (TIMER_DELAY, TimerKind::Delay),
            (TIMER_VISIBILITY, TimerKind::Visibility),
        ] {
            if timers & bit != 0 {
                self.cancel_timer(queue, kind);
            }
        }
    }

    pub(super) fn visibility_expired(
        &mut self,
        node: u32,
        id: MsgId,
        generation: u32,
        receive: u32,
    ) {
        let m = &mut self.msgs[id];
        let Some(expire) = m.visibility_over(generation, receive) else {
            return;
        };
        let (dead, group) = (m.dead(), m.group());
        self.sqs(node).in_flight -= 1;
        self.release_group(node, group);
        self.stats[node as usize].in_flight.add(self.now, -1);
        if expire {
            self.expire(id);
            return;
        }
        if !dead {
            self.messages.in_flight -= 1;
            self.messages.queued += 1;
        }
        self.make_visible(node, id);
    }

    /// Starts as many batches as the pollers allow.
    fn try_poll(&mut self, node: u32) {
        loop {
            let now = self.now;
            let NodeRt::Queue(q) = &self.nodes[node as usize] else {
                return;
            };
            let Some(c) = &q.consumer else { return };
            if c.batches >= c.pollers
                || q.depth == 0
                || c.budget == 0
                || q.in_flight >= q.max_in_flight
            {
                return;
            }
            // Batching window: wait for a full batch until the oldest message has waited
            // the window out.
            if q.depth < c.batch_size && c.window > SimTime::ZERO {
                let oldest = q.visible.iter().find_map(|&(id, g, _)| {
                    let m = &self.msgs[id];
                    m.is_visible(g).then_some(m.visible_since())
                });
                let due = oldest.map_or(now, |t| t + c.window);
                if due > now {
                    self.arm_poll_check(node, due);
                    return;
                }
            }
            let q = self.sqs(node);
            if let Some((_, receive)) = &mut q.fifo_api {
                if !receive.has(now) {
                    // Over the FIFO queue's receive limit: try again when a call is allowed.
                    let due = now + receive.time_until(now, 1.0);
                    self.arm_poll_check(node, due);
                    return;
                }
            }
            if !self.start_batch(node) {
                // Nothing receivable now (FIFO: every group with messages is busy).
                return;
            }
            // A receive that got messages used one of the FIFO queue's calls.
            if let Some((_, receive)) = &mut self.sqs(node).fifo_api {
                receive.take(now);
            }
        }
    }

    /// Makes sure the consumer looks again at `due` (or sooner, if already armed so).
    fn arm_poll_check(&mut self, node: u32, due: SimTime) {
        let q = self.sqs(node);
        if let Some(c) = q.consumer.as_mut() {
            if c.check_at.is_none_or(|t| due < t) {
                c.check_at = Some(due);
                self.queue.push(due, super::Event::PollCheck { node });
            }
        }
    }

    pub(super) fn poll_check(&mut self, node: u32) {
        let now = self.now;
        if let Some(c) = self.sqs(node).consumer.as_mut() {
            if c.check_at.is_some_and(|t| t <= now) {
                c.check_at = None;
            }
        }
        self.try_poll(node);
    }

    /// Receives one batch and invokes the function; false if nothing could be received.
    fn start_batch(&mut self, node: u32) -> bool {
        let now = self.now;
        let (batch_size, edge, visibility, dlq, lifo, drop_after, overflow) = {
            let q = self.sqs(node);
            let c = q.consumer.as_ref().expect("consumer");
            (
                c.batch_size.min(c.budget),
                c.edge,
                q.visibility,
                q.dlq,
                c.lifo,
                c.drop_after,
                c.overflow,
            )
        };
        let mut msgs = Vec::new();
        let mut fifo_group = None;
        while (msgs.len() as u32) < batch_size {
            let NodeRt::Queue(q) = &mut self.nodes[node as usize] else {
                break;
            };
            if q.in_flight >= q.max_in_flight {
                break; // OverLimit: the receive returns what it has so far
            }
            let next = if q.fifo {
                Self::next_fifo(q, &self.msgs, &mut fifo_group)
            } else if lifo {
                q.visible.pop_back()
            } else {
                q.visible.pop_front()
            };
            let Some((id, g, _)) = next else {
                break;
            };
            if !self.msgs[id].is_visible(g) {
                continue;
            }
            let q = self.sqs(node);
            q.depth -= 1;
            if let Some((dlq_node, max)) = dlq {
                if self.msgs[id].receives() >= max {
                    self.dead_letter(id, dlq_node);
                    continue;
                }
            }
            if drop_after.is_some_and(|ttl| now - self.msgs[id].sent() > ttl) {
                // Too old to be worth processing: delete it unread.
                if !self.msgs[id].dead() {
                    self.messages.dropped += 1;
                    self.messages.queued -= 1;
                }
                self.free_msg(id);
                continue;
            }
            if let Some((older, low)) = overflow
                && now - self.msgs[id].sent() > older
            {
                // Priority split: the old message waits in the low-priority queue instead.
                let (dead, chain) = (self.msgs[id].dead(), self.msgs[id].chain());
                if !dead {
                    self.messages.queued -= 1;
                }
                self.free_msg(id);
                self.enqueue_as(low, dead, false, chain);
                continue;
            }
            let m = &mut self.msgs[id];
            let super::message::Received {
                receive,
                first,
                waited,
            } = m.receive(now);
            let dead = m.dead();
            if !dead {
                self.messages.queued -= 1;
                self.messages.in_flight += 1;
            }
            let st = &mut self.stats[node as usize];
            if first {
                st.received += 1;
                st.wait_sum += u128::from(waited.as_nanos());
                if waited > SimTime::ZERO {
                    st.waited += 1;
                }
                if let Some(s) = st
                    .series
                    .get_mut((now.second_index() / self.step_s) as usize)
                {
                    // Running mean of this second's first receives.
                    s.received += 1;
                    let ms = waited.as_secs_f64() * 1e3;
                    s.mean_wait_ms += (ms - s.mean_wait_ms) / s.received as f64;
                }
            }
            st.in_flight.add(now, 1);
            let group = self.msgs[id].group();
            let q = self.sqs(node);
            q.in_flight += 1;
            if q.fifo {
                q.group_busy[group as usize] += 1;
            }
            self.arm_kind(node, TimerKind::Visibility, visibility, id, g, receive);
            self.msgs[id].armed(TIMER_VISIBILITY);
            msgs.push((id, g, receive));
        }
        let depth = self.sqs(node).depth;
        self.stats[node as usize].queue.set(now, depth);
        if msgs.is_empty() {
            return false;
        }
        let failed = vec![false; msgs.len()];
        let function = self.edges[edge as usize].1;
        let chain = Chain {
            lineage: self.choose_batch_lineage(function, &msgs),
            job: msgs
                .first()
                .map_or(Job::NONE, |&(id, _, _)| self.msgs[id].chain().job),
        };
        let batch = Batch {
            queue: node,
            msgs,
            failed,
            chain,
        };
        let taken = batch.msgs.len() as u32;
        let id = self.batches.insert(batch);
        if let Some(c) = self.sqs(node).consumer.as_mut() {
            c.batches += 1;
            if c.budget != u32::MAX {
                c.budget = c.budget.saturating_sub(taken);
            }
        }
        self.cost.sqs_request();
        self.new_call(edge, Parent::Batch(id), false);
        true
    }

    fn dead_letter(&mut self, id: MsgId, dlq: u32) {
        if !self.msgs[id].dead() {
            self.messages.dead_lettered += 1;
            self.messages.queued -= 1;
        }
        let chain = self.msgs[id].chain();
        self.free_msg(id);
        self.enqueue(dlq, true, chain);
    }

    /// FIFO: the next visible message of the batch's group, or of the first group that has
    /// nothing in flight; order within a group is kept.
    fn next_fifo(
        q: &mut QueueRt,
        msgs: &Arena<Msg>,
        group: &mut Option<u32>,
    ) -> Option<(MsgId, u32, u64)> {
        if group.is_none() && q.group_busy.iter().all(|&b| b > 0) {
            return None;
        }
        let mut i = 0;
        while i < q.visible.len() {
            let (id, g, _) = q.visible[i];
            let m = &msgs[id];
            if !m.is_visible(g) {
                q.visible.remove(i);
                continue;
            }
            let ok = match *group {
                Some(want) => m.group() == want,
                None => q.group_busy[m.group() as usize] == 0,
            };
            if ok {
                *group = Some(m.group());
                return q.visible.remove(i);
            }
            i += 1;
        }
        None
    }

    fn release_group(&mut self, node: u32, group: u32) {
        let q = self.sqs(node);
        if q.fifo {
            q.group_busy[group as usize] = q.group_busy[group as usize].saturating_sub(1);
        }
    }

    /// Messages of a batch (for the function: how many records to process).
    pub(super) fn batch_len(&self, batch: BatchId) -> u32 {
        self.batches[batch].msgs.len() as u32
    }

    /// An error-rate fault on the function fails each record of a batch independently.
    /// Returns whether the whole invocation fails: some record failed and the mapping does
    /// not report batch item failures.
    pub(super) fn fail_records(&mut self, batch: BatchId, probability: f64) -> bool {
        let n = self.batches[batch].msgs.len();
        let mut any = false;
        for i in 0..n {
            if self.rng.chance(probability) {
                self.batches[batch].failed[i] = true;
                any = true;
            }
        }
        let node = self.batches[batch].queue;
        let partial = self.sqs(node).consumer.as_ref().is_some_and(|c| c.partial);
        any && !partial
    }

    /// The function's result for a batch: delete what succeeded (all of it, or with
    /// ReportBatchItemFailures all but the reported failures); the rest stays hidden
    /// until its visibility timeout, then returns.
    pub(super) fn batch_result(&mut self, batch: BatchId, outcome: Outcome) {
        let b = std::mem::take(&mut self.batches[batch]);
        self.batches.release(batch);
        let node = b.queue;
        if outcome == Err(crate::report::ErrorKind::InjectedError) && b.failed.iter().any(|&f| f) {
            // The function threw on a bad record after handling the others: they will be
            // handled again when the batch returns.
            for (&(id, g, _), &failed) in b.msgs.iter().zip(&b.failed) {
                let m = &mut self.msgs[id];
                if !failed && m.generation() == g {
                    m.handled();
                }
            }
        }
        if outcome.is_ok() {
            // One DeleteMessageBatch per batch.
            self.cost.sqs_request();
            for ((id, g, receive), failed) in b.msgs.into_iter().zip(b.failed) {
                if failed {
                    continue;
                }
                let m = &mut self.msgs[id];
                if m.generation() != g {
                    // Gone already (consumed through a later receive): a duplicate delivery.
                    self.messages.duplicates += 1;
                    continue;
                }
                let processed = m.handled();
                if m.in_flight_from(receive) {
                    let dead = m.dead();
                    if !dead {
                        self.messages.consumed += 1;
                        self.messages.in_flight -= 1;
                        self.messages.duplicates += u64::from(processed - 1);
                    }
                    let group = self.msgs[id].group();
                    self.sqs(node).in_flight -= 1;
                    self.stats[node as usize].in_flight.add(self.now, -1);
                    self.release_group(node, group);
                    self.free_msg(id);
                }
            }
        }
        if let Some(c) = self.sqs(node).consumer.as_mut() {
            c.batches -= 1;
        }
        self.try_poll(node);
    }

    /// Once a second: standard mappings add pollers while messages wait, shed them idle.
    pub(super) fn sqs_tick(&mut self) {
        let now = self.now;
        for node in 0..self.nodes.len() {
            let NodeRt::Queue(q) = &mut self.nodes[node] else {
                continue;
            };
            let depth = q.depth;
            if let Some(c) = q.consumer.as_mut() {
                // A scheduled consumer's run: a fresh allowance (unused messages do not
                // carry over, as a job that found the queue short simply ends).
                if let Some((every, per_run)) = c.run
                    && now.second_index() % every == 0
                {
                    c.budget = per_run;
                }
                if c.scaling == PollerScaling::Standard {
                    c.pollers = if depth > 0 {
                        (c.pollers + POLLERS_PER_SECOND).min(c.cap)
                    } else {
                        c.pollers
                            .saturating_sub(POLLERS_PER_SECOND)
                            .max(START_POLLERS.min(c.cap))
                    };
                }
            }
            // Age of the oldest visible message, for the series (entries of messages that
            // left the queue otherwise are dropped from the front on the way).
            while let Some(&(id, g, _)) = q.visible.front() {
                if self.msgs[id].is_visible(g) {
                    break;
                }
                q.visible.pop_front();
            }
            let oldest = match &q.unread {
                Some(u) => u.sent.front().map(|&f| SimTime::from_nanos(f & !DEAD_BIT)),
                None => q
                    .visible
                    .front()
                    .map(|&(id, _, _)| self.msgs[id].visible_since()),
            };
            let second = now.second_index();
            let last = second.checked_sub(1).map(|s| (s / self.step_s) as usize);
            let age = oldest.map_or(0.0, |t| (now - t).as_secs_f64());
            self.stats[node].oldest_age_s = age;
            if let (Some(_), Some(s)) = (oldest, last) {
                if let Some(sample) = self.stats[node].series.get_mut(s) {
                    sample.oldest_age_s = age;
                }
            }
            self.try_poll(node as u32);
        }
    }
}
