//! The future event list: a min-queue ordered by `(time, insertion sequence)`.
//!
//! Why the sequence number: two events scheduled for the same instant must run in the
//! order they were scheduled, on every platform and every run, or results stop being
//! reproducible. A heap alone does not promise that; the monotonically increasing
//! sequence makes the order total.
//!
//! Why not `std::collections::BinaryHeap`: popping the next event was a quarter of a run's
//! time (lesson 2, native and wasm alike), almost all of it moving 40-byte entries (the
//! event rode inside each one) down a binary heap too large for the L1 cache. Here the
//! heap holds 24-byte keys (time, sequence, slot) with four children per node, half the
//! levels of a binary heap, and each event stays in its slot from push to pop.
//!
//! Why lanes: most delays in a run are constants of a node (a gateway's latency, a fixed
//! compute step of a function), so the events of one such delay are pushed in time order.
//! A lane keeps them in a FIFO and puts only its head's key in the heap; popping the head
//! puts the next one's key in its place. In lesson 2 the heap holds a few keys instead of
//! ~1,100 (every function run's 1 s step). A push into a lane whose last event is later
//! goes into the heap instead, so a lane is only ever a hint: every event keeps its own
//! `(time, sequence)` key, and the pop order is exactly the heap-only order.

use std::collections::VecDeque;

use crate::time::SimTime;

/// Children per heap node.
const ARITY: usize = 4;

/// A min-queue of events of type `E` keyed by simulated time, FIFO among equal times.
#[derive(Debug)]
pub struct EventQueue<E> {
    /// A 4-ary min-heap of keys: `heap[0]` is the earliest, the children of `i` are
    /// `ARITY * i + 1 ..= ARITY * i + ARITY`.
    heap: Vec<Key>,
    /// The events, each in the slot its key names; `None` once popped.
    slots: Vec<Option<E>>,
    /// Slots free for reuse.
    free: Vec<u32>,
    /// FIFOs of events pushed in time order; a lane's head has its key in the heap (a
    /// slot with [`LANE`] set names the lane).
    lanes: Vec<VecDeque<Laned<E>>>,
    /// Events waiting in lanes behind their heads.
    laned: usize,
    next_seq: u64,
}

/// Marks a heap key whose event is the head of the lane in the other bits.
const LANE: u32 = 1 << 31;

/// An event in a lane, with its key's time and sequence.
#[derive(Debug)]
struct Laned<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

#[derive(Clone, Copy, Debug)]
struct Key {
    time: SimTime,
    seq: u64,
    slot: u32,
}

impl Key {
    /// Whether `self` runs before `other`: time, then sequence on a tie. (One 128-bit
    /// comparison, branch-free, took 0.3-1.2 % fewer instructions natively, but wasm has
    /// no 128-bit integers: in node's V8, lesson 2 ran 8 % faster this way.)
    #[inline(always)]
    fn before(&self, other: &Key) -> bool {
        if self.time == other.time {
            self.seq < other.seq
        } else {
            self.time < other.time
        }
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: Vec::new(),
            slots: Vec::new(),
            free: Vec::new(),
            lanes: Vec::new(),
            laned: 0,
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time`.
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.push_keyed(time, seq, event);
    }

    /// Schedules `event` at `time` in `lane` (a FIFO for events usually pushed in time
    /// order; lanes are numbered from 0 by the caller, densely). Same order as
    /// [`EventQueue::push`]: an event earlier than the lane's last one goes to the heap.
    pub fn push_in_lane(&mut self, lane: u32, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let index = lane as usize;
        if index >= self.lanes.len() {
            assert!(lane < LANE, "fewer than 2^31 lanes");
            self.lanes.resize_with(index + 1, VecDeque::new);
        }
        let fifo = &mut self.lanes[index];
        match fifo.back() {
            Some(last) if last.time > time => self.push_keyed(time, seq, event),
            Some(_) => {
                fifo.push_back(Laned { time, seq, event });
                self.laned += 1;
            }
            None => {
                fifo.push_back(Laned { time, seq, event });
                self.heap.push(Key {
                    time,
                    seq,
                    slot: LANE | lane,
                });
                self.sift_up(self.heap.len() - 1);
            }
        }
    }

    fn push_keyed(&mut self, time: SimTime, seq: u64, event: E) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slots.push(Some(event));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 pending events")
            }
        };
        self.heap.push(Key { time, seq, slot });
        self.sift_up(self.heap.len() - 1);
    }

    /// The time of the earliest pending event.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.first().map(|k| k.time)
    }

    /// Removes and returns the earliest pending event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let head = *self.heap.first()?;
        if head.slot & LANE != 0 {
            return Some(self.pop_lane(head.slot));
        }
        self.remove_root();
        self.free.push(head.slot);
        let event = self.slots[head.slot as usize]
            .take()
            .expect("a queued key names a filled slot");
        Some((head.time, event))
    }

    /// Pops the head of the lane `tagged` (its heap key is the root); the lane's next
    /// event, if any, takes the root's place.
    fn pop_lane(&mut self, tagged: u32) -> (SimTime, E) {
        let fifo = &mut self.lanes[(tagged & !LANE) as usize];
        let Laned { time, event, .. } = fifo.pop_front().expect("a lane's key names its head");
        match fifo.front() {
            Some(next) => {
                let key = Key {
                    time: next.time,
                    seq: next.seq,
                    slot: tagged,
                };
                self.laned -= 1;
                self.replace_root(key);
            }
            None => self.remove_root(),
        }
        (time, event)
    }

    /// Drops the root key: the last key takes its place.
    fn remove_root(&mut self) {
        if let Some(last) = self.heap.pop() {
            if !self.heap.is_empty() {
                self.replace_root(last);
            }
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() + self.laned
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Moves the key at `i` up to its place (a hole moves up; the key is written once).
    fn sift_up(&mut self, i: usize) {
        let heap = &mut self.heap[..=i];
        let key = heap[i];
        let mut i = i;
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let above = heap[parent];
            if !key.before(&above) {
                break;
            }
            heap[i] = above;
            i = parent;
        }
        heap[i] = key;
    }

    /// Replaces the root with `key` (a lane's next event, or the old last entry): `key`
    /// moves down while a child is earlier; the earliest of four children is picked
    /// without branches. (A hole walked down to a leaf and `key` climbing back, which
    /// suits a large heap whose last entry is late, measured 1-2 % more instructions on
    /// every golden scenario once lanes left the heap small.)
    fn replace_root(&mut self, key: Key) {
        let heap = &mut self.heap[..];
        let len = heap.len();
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            let best = if let Some(kids) = heap.get(first..first + ARITY) {
                let earlier = |a: usize, b: usize| if kids[b].before(&kids[a]) { b } else { a };
                first + earlier(earlier(0, 1), earlier(2, 3))
            } else if first < len {
                (first + 1..len).fold(
                    first,
                    |best, c| {
                        if heap[c].before(&heap[best]) { c } else { best }
                    },
                )
            } else {
                break;
            };
            if !heap[best].before(&key) {
                break;
            }
            heap[i] = heap[best];
            i = best;
        }
        heap[i] = key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_in_time_order_then_insertion_order() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_secs(2), "late");
        q.push(SimTime::from_secs(1), "first");
        q.push(SimTime::from_secs(1), "second");
        q.push(SimTime::from_secs(1), "third");
        q.push(SimTime::ZERO, "zero");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["zero", "first", "second", "third", "late"]);
        assert!(q.is_empty() && q.pop().is_none() && q.peek_time().is_none());
    }

    #[test]
    fn a_lane_keeps_the_heap_order_even_when_pushed_out_of_order() {
        let mut q = EventQueue::new();
        q.push_in_lane(0, SimTime::from_secs(2), "lane 2 s");
        q.push(SimTime::from_secs(2), "heap 2 s");
        q.push_in_lane(0, SimTime::from_secs(2), "lane 2 s again");
        // Earlier than the lane's last event: it goes to the heap, still in time order.
        q.push_in_lane(0, SimTime::from_secs(1), "lane 1 s");
        q.push_in_lane(1, SimTime::from_secs(3), "other lane 3 s");
        assert_eq!(q.len(), 5);
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(
            order,
            [
                "lane 1 s",
                "lane 2 s",
                "heap 2 s",
                "lane 2 s again",
                "other lane 3 s"
            ]
        );
        assert!(q.is_empty());
        assert_eq!(q.len(), 0);
    }

    proptest! {
        /// Any interleaving of pushes (into the heap or any of three lanes) and pops gives
        /// the order of a stable sort by time, the order the engine's determinism rests on.
        #[test]
        fn pops_as_a_stable_sort_by_time(ops in proptest::collection::vec((0u64..40, 0u8..5), 0..400)) {
            let mut q = EventQueue::new();
            // The reference: (time, push number) of every pending event.
            let mut pending: Vec<(u64, usize)> = Vec::new();
            let mut floor = 0;
            for (n, (dt, op)) in ops.into_iter().enumerate() {
                if op == 0 {
                    let want = pending.iter().copied().min();
                    let got = q.pop().map(|(t, e)| (t.as_nanos(), e));
                    prop_assert_eq!(got, want);
                    if let Some(w) = want {
                        pending.retain(|p| *p != w);
                        floor = w.0;
                    }
                } else {
                    // Events are never scheduled in the past, as in the engine.
                    let t = floor + dt;
                    match op {
                        1 => q.push(SimTime::from_nanos(t), n),
                        lane => q.push_in_lane(u32::from(lane - 2), SimTime::from_nanos(t), n),
                    }
                    pending.push((t, n));
                }
                prop_assert_eq!(q.len(), pending.len());
                prop_assert_eq!(q.peek_time().map(SimTime::as_nanos), pending.iter().map(|p| p.0).min());
            }
        }
    }
}
