//! Kinesis data streams and their Lambda event source mapping.
//!
//! Why shards are explicit: a stream's limits are per shard (1,000 records/s and 1 MB/s of
//! writes), records are ordered per shard (per partition key), and the consumer runs one
//! batch at a time per shard and parallelization lane. So a hot partition key throttles
//! only its shard's producers, a poison record blocks only its lane, retried until it
//! succeeds, runs out of retries or expires, and concurrency is bounded by shards × factor.

use super::slab::{place, replace};
use std::collections::VecDeque;

use super::stats::TokenBucket;
use super::{CallId, CallState, NodeRt, Outcome, Parent, Simulation};
use crate::report::{ErrorKind, ShardReport};
use crate::scenario::{StreamMapping, StreamParams};
use crate::time::SimTime;

#[derive(Clone, Copy, Debug)]
struct Rec {
    at: SimTime,
    poison: bool,
}

#[derive(Debug, Default)]
struct Lane {
    records: VecDeque<Rec>,
    busy: bool,
    attempts: u32,
    limit: u32,
    poll_armed: bool,
}

#[derive(Debug)]
struct Shard {
    records_bucket: TokenBucket,
    bytes_bucket: TokenBucket,
    lanes: Vec<Lane>,
    written: u64,
    throttled: u64,
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
}

#[derive(Debug)]
pub(crate) struct StreamRt {
    shards: Vec<Shard>,
    record_kb: f64,
    keys: u32,
    hot: f64,
    retention: SimTime,
    latency: SimTime,
    pub(crate) poison: u32,
    consumer: Option<Consumer>,
}

/// Records handed to one invocation: the first `len` of a lane.
#[derive(Debug, Default)]
pub(crate) struct StreamBatch {
    stream: u32,
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

impl StreamRt {
    pub(crate) fn new(p: &StreamParams, consumer: Option<(u32, &StreamMapping)>) -> Self {
        let lanes = consumer.map_or(1, |(_, m)| m.parallelization_factor.max(1));
        let batch = consumer.map_or(1, |(_, m)| m.batch_size);
        StreamRt {
            shards: (0..p.shards)
                .map(|_| Shard {
                    records_bucket: TokenBucket::new(1000.0, 1000.0),
                    bytes_bucket: TokenBucket::new(1024.0, 1024.0),
                    lanes: (0..lanes)
                        .map(|_| Lane {
                            limit: batch,
                            ..Lane::default()
                        })
                        .collect(),
                    written: 0,
                    throttled: 0,
                    max_age: SimTime::ZERO,
                })
                .collect(),
            record_kb: p.record_kb,
            keys: p.partition_keys,
            hot: p.hot_key_share,
            retention: SimTime::from_secs_f64(p.retention_s),
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            poison: 0,
            consumer: consumer.map(|(edge, m)| Consumer {
                edge,
                batch_size: m.batch_size,
                max_retries: m.maximum_retry_attempts,
                max_age: m.maximum_record_age_s.map(SimTime::from_secs_f64),
                bisect: m.bisect_batch_on_error,
                poll: SimTime::from_secs_f64(m.poll_interval_s),
            }),
        }
    }

    /// Per-shard figures for the report.
    pub(crate) fn shard_reports(&self, now: SimTime) -> Vec<ShardReport> {
        self.shards
            .iter()
            .map(|s| {
                let current = s
                    .lanes
                    .iter()
                    .filter_map(|l| l.records.front())
                    .map(|r| now - r.at)
                    .max();
                ShardReport {
                    written: s.written,
                    throttled: s.throttled,
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

    /// PutRecord arrives: it takes the stream's latency, then the shard accepts or throttles.
    pub(super) fn kinesis_arrive(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        let latency = self.stream(node).latency + self.fault_state[node as usize].extra_latency;
        self.calls[call as usize].state = CallState::Put;
        self.resume_after(call, latency);
    }

    pub(super) fn kinesis_put(&mut self, call: CallId) {
        let node = self.calls[call as usize].node;
        let now = self.now;
        let (hot, u, k) = (
            self.stream(node).hot,
            self.rng.uniform(),
            self.rng.next_u64(),
        );
        let s = self.stream(node);
        let key = if u < s.hot && hot > 0.0 {
            0
        } else {
            1 + k % u64::from(s.keys.max(1))
        };
        let h = mix(key);
        let shard = (h % s.shards.len() as u64) as usize;
        let kb = s.record_kb;
        let poison = s.poison > 0;
        let sh = &mut s.shards[shard];
        let lane = ((h >> 32) % sh.lanes.len() as u64) as usize;
        if !(sh.records_bucket.has(now) && sh.bytes_bucket.has(now)) {
            sh.throttled += 1;
            self.complete(call, Err(ErrorKind::StreamThrottled));
            return;
        }
        sh.records_bucket.take(now);
        for _ in 0..(libm::ceil(kb).max(1.0) as u32) {
            sh.bytes_bucket.take(now);
        }
        sh.written += 1;
        sh.lanes[lane].records.push_back(Rec { at: now, poison });
        self.cost.kinesis_put(kb);
        self.messages.sent += 1;
        self.messages.queued += 1;
        self.complete(call, Ok(()));
        self.lane_wake(node, shard as u32, lane as u32);
    }

    /// An idle lane with new records reads them at its next poll.
    fn lane_wake(&mut self, node: u32, shard: u32, lane: u32) {
        let s = self.stream(node);
        let Some(poll) = s.consumer.as_ref().map(|c| c.poll) else {
            return;
        };
        let l = &mut s.shards[shard as usize].lanes[lane as usize];
        if l.busy || l.poll_armed {
            return;
        }
        l.poll_armed = true;
        self.schedule(poll, super::Event::StreamPoll { node, shard, lane });
    }

    pub(super) fn stream_poll(&mut self, node: u32, shard: u32, lane: u32) {
        self.stream(node).shards[shard as usize].lanes[lane as usize].poll_armed = false;
        self.lane_try(node, shard, lane);
    }

    /// Starts the lane's next batch, skipping records past their age.
    fn lane_try(&mut self, node: u32, shard: u32, lane: u32) {
        let now = self.now;
        let s = self.stream(node);
        let Some(c) = &s.consumer else { return };
        let (edge, batch_size) = (c.edge, c.batch_size);
        let max_age = c.max_age.map_or(s.retention, |a| a.min(s.retention));
        let sh = &mut s.shards[shard as usize];
        let l = &mut sh.lanes[lane as usize];
        if l.busy {
            return;
        }
        let mut expired = 0;
        while l.records.front().is_some_and(|r| now - r.at > max_age) {
            l.records.pop_front();
            l.attempts = 0;
            l.limit = batch_size;
            expired += 1;
        }
        if let Some(front) = l.records.front() {
            sh.max_age = sh.max_age.max(now - front.at);
        }
        let len = (l.records.len() as u32).min(l.limit).min(batch_size);
        self.messages.expired += expired;
        self.messages.queued -= expired;
        if len == 0 {
            return;
        }
        let l = &mut self.stream(node).shards[shard as usize].lanes[lane as usize];
        l.busy = true;
        let poison = l.records.iter().take(len as usize).any(|r| r.poison);
        self.messages.queued -= u64::from(len);
        self.messages.in_flight += u64::from(len);
        let batch = StreamBatch {
            stream: node,
            shard,
            lane,
            len,
            poison,
        };
        let id = place(&mut self.sbatches, &mut self.free_sbatches, batch, replace);
        self.new_call(edge, Parent::Stream(id), false);
    }

    pub(super) fn stream_batch_len(&self, batch: u32) -> u32 {
        self.sbatches[batch as usize].len
    }

    /// The function's result for a batch: advance on success; otherwise retry the same
    /// records (halved when bisecting) until they succeed, run out of retries or expire.
    pub(super) fn stream_result(&mut self, batch: u32, outcome: Outcome) {
        let b = std::mem::take(&mut self.sbatches[batch as usize]);
        self.free_sbatches.push(batch);
        let failed = outcome.is_err() || b.poison;
        self.messages.in_flight -= u64::from(b.len);
        let s = self.stream(b.stream);
        let Some(c) = &s.consumer else { return };
        let (max_retries, bisect, batch_size, poll) =
            (c.max_retries, c.bisect, c.batch_size, c.poll);
        let l = &mut s.shards[b.shard as usize].lanes[b.lane as usize];
        l.busy = false;
        if !failed {
            l.records.drain(..b.len as usize);
            l.attempts = 0;
            l.limit = batch_size;
            self.messages.consumed += u64::from(b.len);
            self.lane_try(b.stream, b.shard, b.lane);
            return;
        }
        l.attempts += 1;
        if max_retries.is_some_and(|m| l.attempts > m) {
            // Retries exhausted: the batch is skipped (its metadata would go to the
            // on-failure destination) and the shard moves on.
            l.records.drain(..b.len as usize);
            l.attempts = 0;
            l.limit = batch_size;
            self.messages.dead_lettered += u64::from(b.len);
            self.lane_try(b.stream, b.shard, b.lane);
            return;
        }
        if bisect && b.len > 1 {
            l.limit = b.len.div_ceil(2);
        }
        l.poll_armed = true;
        self.messages.queued += u64::from(b.len);
        self.schedule(
            poll,
            super::Event::StreamPoll {
                node: b.stream,
                shard: b.shard,
                lane: b.lane,
            },
        );
    }

    /// Once a second: the iterator age of each stream (its oldest unread record).
    pub(super) fn kinesis_tick(&mut self) {
        let now = self.now;
        let Some(second) = (now.second_index() as usize).checked_sub(1) else {
            return;
        };
        for node in 0..self.nodes.len() {
            let NodeRt::Stream(s) = &mut self.nodes[node] else {
                continue;
            };
            let mut age = SimTime::ZERO;
            for sh in &mut s.shards {
                for l in &sh.lanes {
                    if let Some(r) = l.records.front() {
                        age = age.max(now - r.at);
                        sh.max_age = sh.max_age.max(now - r.at);
                    }
                }
            }
            if let Some(sample) = self.stats[node].series.get_mut(second) {
                sample.oldest_age_s = age.as_secs_f64();
            }
        }
    }
}
