//! Kinesis data streams and their Lambda event source mappings.
//!
//! Why shards are explicit: a stream's limits are per shard (1,000 records/s and 1 MB/s of
//! writes; 5 `GetRecords` calls/s and 2 MB/s of reads shared by every polling consumer),
//! records are ordered per shard (per partition key), and each consumer runs one batch at
//! a time per shard and parallelization lane. So a hot partition key throttles only its
//! shard's producers, a `PutRecords` request can fail for some of its records only, a
//! poison record blocks only its lane (retried until it succeeds, runs out of retries or
//! expires), concurrency is bounded by shards × factor, and a sixth polling consumer of a
//! stream pushes every consumer's reads past the shard's read limit. Enhanced fan-out
//! consumers get their own 2 MB/s per shard, pushed, and take no read calls.
//!
//! Reads: each consumer keeps one reader per shard. A polling reader calls `GetRecords`
//! once per poll interval while it has nothing to do, and again as soon as a lane has used
//! up what was read while unread records remain. A read returns up to 10,000 records or
//! 10 MB; its bytes are charged to the shard's read budget, which may go into debt (a 10 MB
//! read blocks the shard's reads for the next 5 s, as documented). A refused read is
//! counted and retried one poll interval later.

use std::collections::VecDeque;

use super::stats::TokenBucket;
use super::{CallId, CallState, NodeRt, Outcome, Parent, Simulation};
use crate::report::{ErrorKind, ShardReport};
use crate::scenario::{StreamMapping, StreamParams};
use crate::time::SimTime;

/// At most this many records per `GetRecords` call.
const MAX_RECORDS_PER_READ: u32 = 10_000;
/// At most this many KB per `GetRecords` call.
const MAX_KB_PER_READ: f64 = 10_240.0;
/// Shard read budget: `GetRecords` calls per second (and burst).
const READS_PER_S: f64 = 5.0;
/// Shard read budget (shared) and each enhanced fan-out subscription's own, KB per second.
const READ_KB_PER_S: f64 = 2_048.0;
/// Propagation delay of an enhanced fan-out push (AWS-published typical figure).
const EFO_DELAY: SimTime = SimTime::from_millis(70);

#[derive(Clone, Copy, Debug)]
struct Rec {
    at: SimTime,
    poison: bool,
}

#[derive(Debug, Default)]
struct Lane {
    records: VecDeque<Rec>,
    /// Records at the head that a read has delivered (available to batches).
    fetched: u32,
    busy: bool,
    /// A failed batch waits for its retry (reads do not start it early).
    waiting: bool,
    attempts: u32,
    limit: u32,
}

/// One consumer's reader of one shard.
#[derive(Debug)]
struct Reader {
    /// When the armed read is due (an earlier wish re-arms it; later events are stale).
    armed_at: Option<SimTime>,
    /// The last read stopped at its size cap, not at the tip of the shard: read again as
    /// soon as a lane needs records (otherwise wait for the next poll).
    behind: bool,
    /// Enhanced fan-out: this subscription's own read budget.
    push_kb: TokenBucket,
}

#[derive(Debug)]
struct Shard {
    records_bucket: TokenBucket,
    bytes_bucket: TokenBucket,
    read_calls: TokenBucket,
    read_kb: TokenBucket,
    written: u64,
    throttled: u64,
    reads: u64,
    read_throttled: u64,
    max_age: SimTime,
}

#[derive(Debug)]
struct Consumer {
    edge: u32,
    batch_size: u32,
    max_retries: Option<u32>,
    max_age: Option<SimTime>,
    bisect: bool,
    poll: SimTime,
    fan_out: bool,
    factor: u32,
    /// `shard × factor + lane`.
    lanes: Vec<Lane>,
    readers: Vec<Reader>,
}

#[derive(Debug)]
pub(crate) struct StreamRt {
    shards: Vec<Shard>,
    record_kb: f64,
    per_put: u32,
    keys: u32,
    hot: f64,
    retention: SimTime,
    latency: SimTime,
    pub(crate) poison: u32,
    consumers: Vec<Consumer>,
    /// Records written while no consumer reads the stream (they stay in it).
    unread: u64,
}

/// Records handed to one invocation: the first `len` of a lane.
#[derive(Debug, Default)]
pub(crate) struct StreamBatch {
    stream: u32,
    consumer: u32,
    shard: u32,
    lane: u32,
    len: u32,
    poison: bool,
}

fn mix(x: u64) -> u64 {
    let x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Consumer {
    fn new(edge: u32, m: &StreamMapping, shards: u32) -> Self {
        let factor = m.parallelization_factor.max(1);
        Consumer {
            edge,
            batch_size: m.batch_size,
            max_retries: m.maximum_retry_attempts,
            max_age: m.maximum_record_age_s.map(SimTime::from_secs_f64),
            bisect: m.bisect_batch_on_error,
            poll: SimTime::from_secs_f64(m.poll_interval_s),
            fan_out: m.enhanced_fan_out,
            factor,
            lanes: (0..shards * factor)
                .map(|_| Lane {
                    limit: m.batch_size,
                    ..Lane::default()
                })
                .collect(),
            readers: (0..shards)
                .map(|_| Reader {
                    armed_at: None,
                    behind: false,
                    push_kb: TokenBucket::new(READ_KB_PER_S, READ_KB_PER_S),
                })
                .collect(),
        }
    }

    fn lane(&mut self, shard: u32, lane: u32) -> &mut Lane {
        &mut self.lanes[(shard * self.factor + lane) as usize]
    }

    fn shard_lanes(&mut self, shard: u32) -> &mut [Lane] {
        let from = (shard * self.factor) as usize;
        &mut self.lanes[from..from + self.factor as usize]
    }
}

impl StreamRt {
    /// `consumers`: each stream edge's index and mapping, in edge order.
    pub(crate) fn new(p: &StreamParams, consumers: &[(u32, StreamMapping)]) -> Self {
        StreamRt {
            shards: (0..p.shards)
                .map(|_| Shard {
                    records_bucket: TokenBucket::new(1000.0, 1000.0),
                    bytes_bucket: TokenBucket::new(1024.0, 1024.0),
                    read_calls: TokenBucket::new(READS_PER_S, READS_PER_S),
                    read_kb: TokenBucket::new(READ_KB_PER_S, READ_KB_PER_S),
                    written: 0,
                    throttled: 0,
                    reads: 0,
                    read_throttled: 0,
                    max_age: SimTime::ZERO,
                })
                .collect(),
            record_kb: p.record_kb,
            per_put: p.records_per_put.max(1),
            keys: p.partition_keys,
            hot: p.hot_key_share,
            retention: SimTime::from_secs_f64(p.retention_s),
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            poison: 0,
            consumers: consumers
                .iter()
                .map(|(edge, m)| Consumer::new(*edge, m, p.shards))
                .collect(),
            unread: 0,
        }
    }

    /// Records waiting in the consumers' lanes (for the memory budget).
    pub(crate) fn records_held(&self) -> u64 {
        self.consumers
            .iter()
            .flat_map(|c| &c.lanes)
            .map(|l| l.records.len() as u64)
            .sum()
    }

    /// Enhanced fan-out consumers of this stream.
    pub(crate) fn fan_out_consumers(&self) -> usize {
        self.consumers.iter().filter(|c| c.fan_out).count()
    }

    /// `GetRecords` calls refused so far, all shards.
    pub(crate) fn reads_refused(&self) -> u64 {
        self.shards.iter().map(|s| s.read_throttled).sum()
    }

    /// Per-shard figures for the report.
    pub(crate) fn shard_reports(&self, now: SimTime) -> Vec<ShardReport> {
        self.shards
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let current = self
                    .consumers
                    .iter()
                    .flat_map(|c| {
                        c.lanes[i * c.factor as usize..(i + 1) * c.factor as usize].iter()
                    })
                    .filter_map(|l| l.records.front())
                    .map(|r| now - r.at)
                    .max();
                ShardReport {
                    written: s.written,
                    throttled: s.throttled,
                    reads: s.reads,
                    read_throttled: s.read_throttled,
                    max_iterator_age_s: current
                        .unwrap_or(SimTime::ZERO)
                        .max(s.max_age)
                        .as_secs_f64(),
                }
            })
            .collect()
    }
}

impl Simulation {
    fn stream(&mut self, node: u32) -> &mut StreamRt {
        match &mut self.nodes[node as usize] {
            NodeRt::Stream(s) => s,
            _ => unreachable!("stream node"),
        }
    }

    /// At the start: every polling reader begins at a random point of its poll interval
    /// (real pollers are not in phase).
    pub(super) fn kinesis_start(&mut self) {
        for node in 0..self.nodes.len() as u32 {
            let NodeRt::Stream(s) = &self.nodes[node as usize] else {
                continue;
            };
            let shards = s.shards.len() as u32;
            let polls: Vec<(u32, SimTime)> = s
                .consumers
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.fan_out)
                .map(|(i, c)| (i as u32, c.poll))
                .collect();
            for (consumer, poll) in polls {
                for shard in 0..shards {
                    let offset = SimTime::from_secs_f64(poll.as_secs_f64() * self.rng.uniform());
                    self.want_read(node, consumer, shard, offset);
                }
            }
        }
    }

    /// PutRecord(s) arrives: it takes the stream's latency, then the shards accept or throttle.
    pub(super) fn kinesis_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let latency = self.stream(node).latency + self.fault_state[node as usize].extra_latency;
        self.calls[call].state = CallState::Put;
        self.resume_in_lane(call, latency, node);
    }

    /// One request of `records_per_put` records: each goes to its key's shard and is
    /// accepted or refused on its own. Any refusal fails the request (the producer sees
    /// `FailedRecordCount` > 0); the accepted records stay written.
    pub(super) fn kinesis_put(&mut self, call: CallId) {
        let node = self.calls[call].node;
        let now = self.now;
        let mut failed = 0;
        for _ in 0..self.stream(node).per_put {
            let (u, k) = (self.rng.uniform(), self.rng.next_u64());
            let s = self.stream(node);
            let key = if u < s.hot && s.hot > 0.0 {
                0
            } else {
                1 + k % u64::from(s.keys.max(1))
            };
            let h = mix(key);
            let shard = (h % s.shards.len() as u64) as u32;
            let kb = s.record_kb;
            let poison = s.poison > 0;
            let sh = &mut s.shards[shard as usize];
            if !(sh.records_bucket.has(now) && sh.bytes_bucket.has(now)) {
                sh.throttled += 1;
                failed += 1;
                continue;
            }
            sh.records_bucket.take(now);
            sh.bytes_bucket.take_n(libm::ceil(kb).max(1.0));
            sh.written += 1;
            self.cost.kinesis_put(kb);
            let s = self.stream(node);
            if s.consumers.is_empty() {
                s.unread += 1;
                self.messages.sent += 1;
                self.messages.queued += 1;
                continue;
            }
            for c in &mut s.consumers {
                let lane = ((h >> 32) % u64::from(c.factor)) as u32;
                c.lane(shard, lane)
                    .records
                    .push_back(Rec { at: now, poison });
            }
            let n = s.consumers.len();
            self.messages.sent += n as u64;
            self.messages.queued += n as u64;
            // Enhanced fan-out consumers get the record pushed (no allocation per record).
            for consumer in 0..n {
                if self.stream(node).consumers[consumer].fan_out {
                    self.want_read(node, consumer as u32, shard, EFO_DELAY);
                }
            }
        }
        let outcome = if failed > 0 {
            Err(ErrorKind::StreamThrottled)
        } else {
            Ok(())
        };
        self.complete(call, outcome);
    }

    /// Arms the consumer's reader of a shard, unless it is already armed as soon.
    fn want_read(&mut self, node: u32, consumer: u32, shard: u32, after: SimTime) {
        let at = self.now + after;
        let r = &mut self.stream(node).consumers[consumer as usize].readers[shard as usize];
        if r.armed_at.is_some_and(|t| t <= at) {
            return;
        }
        r.armed_at = Some(at);
        self.schedule(
            after,
            super::Event::StreamRead {
                node,
                consumer,
                shard,
            },
        );
    }

    /// A `GetRecords` call (or an enhanced fan-out push): delivers unread records to the
    /// consumer's lanes of the shard within the read budget, then starts their batches.
    pub(super) fn stream_read(&mut self, node: u32, consumer: u32, shard: u32) {
        let now = self.now;
        let s = self.stream(node);
        let kb = s.record_kb;
        let c = &mut s.consumers[consumer as usize];
        let reader = &mut c.readers[shard as usize];
        if reader.armed_at != Some(now) {
            // Superseded by an earlier read.
            return;
        }
        reader.armed_at = None;
        let (fan_out, poll) = (c.fan_out, c.poll);
        let unread: u32 = c
            .shard_lanes(shard)
            .iter()
            .map(|l| l.records.len() as u32 - l.fetched)
            .sum();
        if fan_out {
            // Pushed as records arrive, within this subscription's own 2 MB/s.
            if unread == 0 {
                return;
            }
            let budget = &mut c.readers[shard as usize].push_kb;
            if !budget.has_n(now, f64::MIN_POSITIVE) {
                let wait = budget.time_until(now, f64::MIN_POSITIVE);
                self.want_read(node, consumer, shard, wait.max(EFO_DELAY));
                return;
            }
        } else {
            let sh = &mut s.shards[shard as usize];
            if !(sh.read_kb.has_n(now, f64::MIN_POSITIVE) && sh.read_calls.take(now)) {
                sh.read_throttled += 1;
                // Back off by a random part of the interval, so refused readers do not
                // keep the same slot in every second (and lose it every time).
                let wait = poll.as_secs_f64() * (0.5 + self.rng.uniform());
                self.want_read(node, consumer, shard, SimTime::from_secs_f64(wait));
                return;
            }
            sh.reads += 1;
            if unread == 0 {
                // Nothing new: poll again after the interval.
                self.want_read(node, consumer, shard, poll);
                return;
            }
        }
        let s = self.stream(node);
        let c = &mut s.consumers[consumer as usize];
        let cap = MAX_RECORDS_PER_READ.min(libm::floor(MAX_KB_PER_READ / kb).max(1.0) as u32);
        let mut budget = cap;
        // A read returns the shard's records in the order they were written, whichever
        // lane (partition key) they belong to.
        let lanes = c.shard_lanes(shard);
        while budget > 0 {
            let next = lanes
                .iter()
                .enumerate()
                .filter_map(|(i, l)| l.records.get(l.fetched as usize).map(|r| (r.at, i)))
                .min();
            let Some((_, i)) = next else { break };
            lanes[i].fetched += 1;
            budget -= 1;
        }
        c.readers[shard as usize].behind = budget == 0;
        let read_kb = f64::from(cap - budget) * kb;
        if fan_out {
            c.readers[shard as usize].push_kb.take_n(read_kb);
            self.cost.kinesis_efo_kb += read_kb;
        } else {
            s.shards[shard as usize].read_kb.take_n(read_kb);
        }
        let factor = self.stream(node).consumers[consumer as usize].factor;
        for lane in 0..factor {
            self.lane_try(node, consumer, shard, lane);
        }
    }

    pub(super) fn stream_retry(&mut self, node: u32, consumer: u32, shard: u32, lane: u32) {
        self.stream(node).consumers[consumer as usize]
            .lane(shard, lane)
            .waiting = false;
        self.lane_try(node, consumer, shard, lane);
    }

    /// Starts the lane's next batch from what was read, skipping records past their age;
    /// asks for a read when the lane has used up what it was given.
    fn lane_try(&mut self, node: u32, consumer: u32, shard: u32, lane: u32) {
        let now = self.now;
        let s = self.stream(node);
        let retention = s.retention;
        let c = &mut s.consumers[consumer as usize];
        let (edge, batch_size, fan_out, poll) = (c.edge, c.batch_size, c.fan_out, c.poll);
        let behind = c.readers[shard as usize].behind;
        let max_age = c.max_age.map_or(retention, |a| a.min(retention));
        let l = c.lane(shard, lane);
        if l.busy || l.waiting {
            return;
        }
        let mut expired = 0;
        while l.records.front().is_some_and(|r| now - r.at > max_age) {
            l.records.pop_front();
            l.fetched = l.fetched.saturating_sub(1);
            l.attempts = 0;
            l.limit = batch_size;
            expired += 1;
        }
        let front_age = l.records.front().map(|r| now - r.at);
        let len = l.fetched.min(l.limit).min(batch_size);
        let unread = l.records.len() as u32 > l.fetched;
        let poison = l.records.iter().take(len as usize).any(|r| r.poison);
        if len > 0 {
            l.busy = true;
        }
        if let Some(age) = front_age {
            let sh = &mut s.shards[shard as usize];
            sh.max_age = sh.max_age.max(age);
        }
        self.messages.expired += expired;
        self.messages.queued -= expired;
        if len == 0 {
            let next = match (fan_out, unread) {
                (true, true) => Some(EFO_DELAY),
                (true, false) => None,
                (false, _) if behind && unread => Some(SimTime::ZERO),
                (false, _) => Some(poll),
            };
            if let Some(after) = next {
                self.want_read(node, consumer, shard, after);
            }
            return;
        }
        self.messages.queued -= u64::from(len);
        self.messages.in_flight += u64::from(len);
        let batch = StreamBatch {
            stream: node,
            consumer,
            shard,
            lane,
            len,
            poison,
        };
        let id = self.sbatches.insert(batch);
        self.new_call(edge, Parent::Stream(id), false);
    }

    pub(super) fn stream_batch_len(&self, batch: super::Id<StreamBatch>) -> u32 {
        self.sbatches[batch].len
    }

    /// Whether the batch holds a poison record (the function fails on it).
    pub(super) fn stream_batch_poisoned(&self, batch: super::Id<StreamBatch>) -> bool {
        self.sbatches[batch].poison
    }

    /// The function's result for a batch: advance on success; otherwise retry the same
    /// records (halved when bisecting) until they succeed, run out of retries or expire.
    pub(super) fn stream_result(&mut self, batch: super::Id<StreamBatch>, outcome: Outcome) {
        let b = std::mem::take(&mut self.sbatches[batch]);
        self.sbatches.release(batch);
        // A poison batch arrives here failed already: the invocation threw on it.
        let failed = outcome.is_err();
        self.messages.in_flight -= u64::from(b.len);
        let c = &mut self.stream(b.stream).consumers[b.consumer as usize];
        let (max_retries, bisect, batch_size, poll) =
            (c.max_retries, c.bisect, c.batch_size, c.poll);
        let l = c.lane(b.shard, b.lane);
        l.busy = false;
        let done = !failed || max_retries.is_some_and(|m| l.attempts + 1 > m);
        if done {
            // Success, or retries exhausted: the batch is skipped (its metadata would go
            // to the on-failure destination) and the shard moves on.
            l.records.drain(..b.len as usize);
            l.fetched -= b.len;
            l.attempts = 0;
            l.limit = batch_size;
            if failed {
                self.messages.dead_lettered += u64::from(b.len);
            } else {
                self.messages.consumed += u64::from(b.len);
            }
            self.lane_try(b.stream, b.consumer, b.shard, b.lane);
            return;
        }
        l.attempts += 1;
        l.waiting = true;
        if bisect && b.len > 1 {
            l.limit = b.len.div_ceil(2);
        }
        self.messages.queued += u64::from(b.len);
        self.schedule(
            poll,
            super::Event::StreamPoll {
                node: b.stream,
                consumer: b.consumer,
                shard: b.shard,
                lane: b.lane,
            },
        );
    }

    /// Once a second: the iterator age of each stream (its oldest unread record).
    pub(super) fn kinesis_tick(&mut self) {
        let now = self.now;
        let Some(second) = now.second_index().checked_sub(1) else {
            return;
        };
        let second = (second / self.step_s) as usize;
        for node in 0..self.nodes.len() {
            let NodeRt::Stream(s) = &mut self.nodes[node] else {
                continue;
            };
            let mut age = SimTime::ZERO;
            for c in &s.consumers {
                for (i, l) in c.lanes.iter().enumerate() {
                    if let Some(r) = l.records.front() {
                        let sh = &mut s.shards[i / c.factor as usize];
                        age = age.max(now - r.at);
                        sh.max_age = sh.max_age.max(now - r.at);
                    }
                }
            }
            self.stats[node].oldest_age_s = age.as_secs_f64();
            if let Some(sample) = self.stats[node].series.get_mut(second) {
                sample.oldest_age_s = age.as_secs_f64();
            }
        }
    }
}
