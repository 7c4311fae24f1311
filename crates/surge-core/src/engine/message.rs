//! One SQS message's life: delayed, visible, received (hidden for the visibility
//! timeout), returned, deleted, expired; the receive count that sends it to a
//! dead-letter queue; and which of its timers are still wanted.
//!
//! Why its own type: a message's timers outlive the situation that armed them. A
//! visibility timeout from the first receive may fire after the message was received
//! again, deleted, or its slot reused by a new message; it must then do nothing. The
//! rules that decide this (generation, receive number, state, armed bits) live here, in
//! one place, and are tested without a queue or a scenario.

use super::arena::Id;
use super::lineage::Chain;
use crate::time::SimTime;

pub(crate) type MsgId = Id<Msg>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MsgState {
    /// Deleted, expired or dead-lettered: the slot awaits reuse.
    Free,
    Delayed,
    Visible,
    InFlight,
}

/// A message's timer bits.
pub(crate) const TIMER_RETENTION: u8 = 1;
pub(crate) const TIMER_DELAY: u8 = 2;
pub(crate) const TIMER_VISIBILITY: u8 = 4;

#[derive(Clone, Debug)]
pub(crate) struct Msg {
    generation: u32,
    /// The queue that holds it.
    queue: u32,
    /// Which of its timers are armed (`TIMER_*`): cancelled when the message goes.
    timers: u8,
    /// The chain of events it belongs to (recursive loop detection).
    chain: Chain,
    sent: SimTime,
    /// FIFO: the message group and the send order.
    group: u32,
    seq: u64,
    state: MsgState,
    visible_since: SimTime,
    receives: u32,
    processed: u32,
    /// Already counted as dead-lettered (a message living in a dead-letter queue).
    dead: bool,
    /// Its retention period ended while it was in flight: it expires when it returns.
    expire_on_return: bool,
}

/// What a receive tells the queue's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Received {
    /// The receive number (1 for the first receive).
    pub(crate) receive: u32,
    /// Its first receive, and how long it had been visible.
    pub(crate) first: bool,
    pub(crate) waited: SimTime,
}

impl Msg {
    /// A message sent to `queue` at `sent` (delayed until shown).
    pub(crate) fn new(queue: u32, chain: Chain, sent: SimTime, dead: bool) -> Msg {
        Msg {
            generation: 0,
            queue,
            timers: 0,
            chain,
            sent,
            group: 0,
            seq: 0,
            state: MsgState::Delayed,
            visible_since: sent,
            receives: 0,
            processed: 0,
            dead,
            expire_on_return: false,
        }
    }

    /// The arena keeps a slot's generation across reuse.
    pub(crate) fn carry_generation(old: &Msg, new: Msg) -> Msg {
        Msg {
            generation: old.generation,
            ..new
        }
    }

    pub(crate) fn generation(&self) -> u32 {
        self.generation
    }

    pub(crate) fn queue(&self) -> u32 {
        self.queue
    }

    pub(crate) fn chain(&self) -> Chain {
        self.chain
    }

    pub(crate) fn sent(&self) -> SimTime {
        self.sent
    }

    pub(crate) fn group(&self) -> u32 {
        self.group
    }

    pub(crate) fn receives(&self) -> u32 {
        self.receives
    }

    pub(crate) fn dead(&self) -> bool {
        self.dead
    }

    pub(crate) fn state(&self) -> MsgState {
        self.state
    }

    pub(crate) fn visible_since(&self) -> SimTime {
        self.visible_since
    }

    /// FIFO: its group and place in the send order.
    pub(crate) fn place_in_group(&mut self, group: u32, seq: u64) {
        self.group = group;
        self.seq = seq;
    }

    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// A timer of `bit` was armed for it.
    pub(crate) fn armed(&mut self, bit: u8) {
        self.timers |= bit;
    }

    /// Whether it is this (`generation`) message and visible.
    pub(crate) fn is_visible(&self, generation: u32) -> bool {
        self.generation == generation && self.state == MsgState::Visible
    }

    /// It becomes visible (sent without delay, delay over, or returned).
    pub(crate) fn show(&mut self, now: SimTime) {
        self.state = MsgState::Visible;
        self.visible_since = now;
    }

    /// Its delay timer fired: true if it should now become visible.
    pub(crate) fn delay_over(&mut self, generation: u32) -> bool {
        if self.generation == generation && self.state == MsgState::Delayed {
            self.timers &= !TIMER_DELAY;
            return true;
        }
        false
    }

    /// A consumer receives it: hidden until its visibility timeout (which the caller arms
    /// for this receive number).
    pub(crate) fn receive(&mut self, now: SimTime) -> Received {
        let first = self.receives == 0;
        let waited = now - self.visible_since;
        self.receives += 1;
        self.state = MsgState::InFlight;
        Received {
            receive: self.receives,
            first,
            waited,
        }
    }

    /// Whether the message is still in flight from receive number `receive`.
    pub(crate) fn in_flight_from(&self, receive: u32) -> bool {
        self.state == MsgState::InFlight && self.receives == receive
    }

    /// The visibility timeout of receive `receive` fired. `None` if that timer no longer
    /// matters (another receive, deleted, a new message in the slot); else whether the
    /// message must expire instead of returning.
    pub(crate) fn visibility_over(&mut self, generation: u32, receive: u32) -> Option<bool> {
        if self.generation != generation || !self.in_flight_from(receive) {
            return None;
        }
        self.timers &= !TIMER_VISIBILITY;
        Some(self.expire_on_return)
    }

    /// The retention period ended. `None` if the timer was for an earlier message in the
    /// slot; otherwise the state it was in (in flight, it will expire when it returns).
    pub(crate) fn retention_over(&mut self, generation: u32) -> Option<MsgState> {
        if self.generation != generation {
            return None;
        }
        self.timers &= !TIMER_RETENTION;
        if self.state == MsgState::InFlight {
            self.expire_on_return = true;
        }
        Some(self.state)
    }

    /// Whether a timer of `bit` (armed at `generation`, for `receive` if a visibility
    /// timer) still matters.
    pub(crate) fn timer_live(&self, generation: u32, bit: u8, receive: u32) -> bool {
        self.generation == generation
            && self.timers & bit != 0
            && match bit {
                TIMER_VISIBILITY => self.in_flight_from(receive),
                TIMER_DELAY => self.state == MsgState::Delayed,
                _ => self.state != MsgState::Free,
            }
    }

    /// A consumer finished handling it (successfully or not); how many times so far.
    pub(crate) fn handled(&mut self) -> u32 {
        self.processed += 1;
        self.processed
    }

    /// It leaves the system (deleted, expired, dead-lettered, moved): the slot's next
    /// message is a new generation, and the timers still armed are returned to cancel.
    pub(crate) fn retire(&mut self) -> u8 {
        self.state = MsgState::Free;
        self.generation = self.generation.wrapping_add(1);
        std::mem::take(&mut self.timers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    fn visible_message() -> Msg {
        let mut m = Msg::new(0, Chain::NONE, at(0), false);
        m.armed(TIMER_RETENTION);
        m.show(at(0));
        m
    }

    #[test]
    fn a_received_message_returns_after_its_visibility_timeout() {
        let mut m = visible_message();
        let g = m.generation();
        let r = m.receive(at(3));
        assert_eq!(
            r,
            Received {
                receive: 1,
                first: true,
                waited: at(3)
            }
        );
        m.armed(TIMER_VISIBILITY);
        assert!(!m.is_visible(g), "hidden while in flight");
        assert!(m.timer_live(g, TIMER_VISIBILITY, 1));
        assert_eq!(m.visibility_over(g, 1), Some(false), "it returns");
        assert!(!m.timer_live(g, TIMER_VISIBILITY, 1), "the timer is spent");
        m.show(at(33));
        assert!(m.is_visible(g));
        let again = m.receive(at(40));
        assert_eq!((again.receive, again.first), (2, false));
        assert_eq!(again.waited, at(7));
    }

    #[test]
    fn a_visibility_timer_of_an_earlier_receive_does_nothing() {
        let mut m = visible_message();
        let g = m.generation();
        m.receive(at(1));
        m.armed(TIMER_VISIBILITY);
        m.visibility_over(g, 1);
        m.show(at(31));
        m.receive(at(32));
        m.armed(TIMER_VISIBILITY);
        assert!(!m.timer_live(g, TIMER_VISIBILITY, 1));
        assert_eq!(m.visibility_over(g, 1), None);
        assert!(m.in_flight_from(2), "still hidden from the second receive");
    }

    #[test]
    fn a_deleted_message_ignores_its_timers_and_the_slot_is_a_new_generation() {
        let mut m = visible_message();
        let g = m.generation();
        m.receive(at(1));
        m.armed(TIMER_VISIBILITY);
        assert_eq!(m.handled(), 1);
        let armed = m.retire();
        assert_eq!(armed, TIMER_RETENTION | TIMER_VISIBILITY, "both to cancel");
        assert_eq!(m.state(), MsgState::Free);
        assert!(!m.timer_live(g, TIMER_VISIBILITY, 1));
        assert!(!m.timer_live(g, TIMER_RETENTION, 0));
        assert_eq!(m.visibility_over(g, 1), None);
        assert_eq!(m.retention_over(g), None);
        let reused = Msg::carry_generation(&m, Msg::new(0, Chain::NONE, at(9), false));
        assert_eq!(reused.generation(), g + 1);
    }

    #[test]
    fn retention_ending_in_flight_expires_the_message_when_it_returns() {
        let mut m = visible_message();
        let g = m.generation();
        m.receive(at(1));
        m.armed(TIMER_VISIBILITY);
        assert_eq!(m.retention_over(g), Some(MsgState::InFlight));
        assert!(!m.timer_live(g, TIMER_RETENTION, 0));
        assert_eq!(m.visibility_over(g, 1), Some(true), "expire, not return");
    }

    #[test]
    fn a_delayed_message_becomes_visible_once() {
        let mut m = Msg::new(0, Chain::NONE, at(0), false);
        let g = m.generation();
        m.armed(TIMER_DELAY);
        assert!(m.timer_live(g, TIMER_DELAY, 0));
        assert!(m.delay_over(g));
        m.show(at(5));
        assert!(!m.delay_over(g), "already visible");
        assert!(!m.timer_live(g, TIMER_DELAY, 0));
        assert_eq!(m.visible_since(), at(5));
    }
}
