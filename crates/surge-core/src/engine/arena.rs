//! One arena for every kind of short-lived engine entity (calls, requests, messages,
//! batches, branches, async events, deliveries, execution environments), with typed ids.
//!
//! Why typed ids: an index into the wrong arena, or a forgotten "none" sentinel, is a bug
//! the compiler can catch. `Id<Call>` and `Id<Msg>` are different types; an absent id is
//! `Option<Id<T>>`, which is still four bytes because the id is stored as a non-zero
//! number (slot + 1).
//!
//! Slots are reused last-freed first; the order is part of the engine's determinism (a
//! different reuse order changes nothing observable, but keeps runs bit-identical with
//! earlier builds). Entities that must recognise stale timers keep a generation, carried
//! across reuse by [`Arena::insert_carrying`].

use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::ops::{Index, IndexMut};

/// The id of a `T` in its [`Arena`].
pub(crate) struct Id<T> {
    slot_plus_one: NonZeroU32,
    kind: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    /// The id of slot `slot` (for ids that travel through kind-agnostic code, such as the
    /// timer queues, as a plain number).
    pub(crate) fn from_slot(slot: u32) -> Self {
        Id {
            slot_plus_one: NonZeroU32::new(slot.wrapping_add(1)).expect("slot below u32::MAX"),
            kind: PhantomData,
        }
    }

    /// The slot number (see [`Id::from_slot`]).
    pub(crate) fn slot(self) -> u32 {
        self.slot_plus_one.get() - 1
    }

    fn index(self) -> usize {
        self.slot() as usize
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Id<T> {}

impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.slot_plus_one == other.slot_plus_one
    }
}

impl<T> Eq for Id<T> {}

impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.slot())
    }
}

/// Slots of `T`, reused after [`Arena::release`].
pub(crate) struct Arena<T> {
    items: Vec<T>,
    free: Vec<Id<T>>,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Arena<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("slots", &self.items.len())
            .field("free", &self.free.len())
            .finish()
    }
}

impl<T> Arena<T> {
    /// Puts `value` into a free slot (simply replacing what was there) or a new one.
    pub(crate) fn insert(&mut self, value: T) -> Id<T> {
        self.insert_carrying(value, |_, new| new)
    }

    /// Like [`Arena::insert`], but a reused slot's new value is `carry(old, value)`: this
    /// is how generations survive reuse.
    pub(crate) fn insert_carrying(&mut self, value: T, carry: impl FnOnce(&T, T) -> T) -> Id<T> {
        if let Some(id) = self.free.pop() {
            let slot = &mut self.items[id.index()];
            *slot = carry(slot, value);
            id
        } else {
            let id = Id::from_slot(u32::try_from(self.items.len()).expect("fewer than 2^32 slots"));
            self.items.push(value);
            id
        }
    }

    /// Marks `id`'s slot free for reuse. The value stays readable (stale events compare
    /// its generation) until the slot is reused.
    pub(crate) fn release(&mut self, id: Id<T>) {
        self.free.push(id);
    }

    /// Slots ever used (occupied or free): what the arena holds in memory.
    pub(crate) fn slots(&self) -> usize {
        self.items.len()
    }

    /// The value in `id`'s slot, if the slot exists.
    pub(crate) fn get(&self, id: Id<T>) -> Option<&T> {
        self.items.get(id.index())
    }

    /// The value in `id`'s slot, if the slot exists.
    pub(crate) fn get_mut(&mut self, id: Id<T>) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }
}

impl<T> Index<Id<T>> for Arena<T> {
    type Output = T;

    fn index(&self, id: Id<T>) -> &T {
        &self.items[id.index()]
    }
}

impl<T> IndexMut<Id<T>> for Arena<T> {
    fn index_mut(&mut self, id: Id<T>) -> &mut T {
        &mut self.items[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Item {
        generation: u32,
        value: &'static str,
    }

    fn item(value: &'static str) -> Item {
        Item {
            generation: 0,
            value,
        }
    }

    fn carry(old: &Item, new: Item) -> Item {
        Item {
            generation: old.generation + 1,
            ..new
        }
    }

    #[test]
    fn freed_slots_are_reused_last_freed_first() {
        let mut arena = Arena::default();
        let a = arena.insert(item("a"));
        let b = arena.insert(item("b"));
        let c = arena.insert(item("c"));
        arena.release(a);
        arena.release(c);
        assert_eq!(arena.insert(item("d")), c);
        assert_eq!(arena.insert(item("e")), a);
        assert_eq!(arena.slots(), 3);
        assert_eq!(arena[b].value, "b");
        assert_eq!(arena.insert(item("f")).slot(), 3);
    }

    #[test]
    fn generations_carry_across_reuse_and_a_released_value_stays_readable() {
        let mut arena = Arena::default();
        let a = arena.insert_carrying(item("a"), carry);
        arena.release(a);
        assert_eq!(arena[a].value, "a", "readable until reused");
        let again = arena.insert_carrying(item("b"), carry);
        assert_eq!(again, a);
        assert_eq!(
            arena[a],
            Item {
                generation: 1,
                value: "b"
            }
        );
    }

    #[test]
    fn an_absent_id_costs_nothing() {
        assert_eq!(std::mem::size_of::<Option<Id<Item>>>(), 4);
        assert_eq!(Id::<Item>::from_slot(7).slot(), 7);
        let arena: Arena<Item> = Arena::default();
        assert!(arena.get(Id::from_slot(0)).is_none());
    }
}
