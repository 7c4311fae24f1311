//! Slot reuse for the engine's arenas (calls, requests, messages, batches, branches …).
//!
//! Why one helper: every arena recycles freed slots the same way, and most keep a
//! generation across reuse so stale timers and late results can be recognised; `carry`
//! says what the new value inherits from the slot's previous occupant.

/// Puts `value` into a freed slot of `items` (after `carry(old, value)`) or appends it;
/// returns its index.
pub(crate) fn place<T>(
    items: &mut Vec<T>,
    free: &mut Vec<u32>,
    value: T,
    carry: impl FnOnce(&T, T) -> T,
) -> u32 {
    if let Some(id) = free.pop() {
        let slot = &mut items[id as usize];
        *slot = carry(slot, value);
        id
    } else {
        items.push(value);
        (items.len() - 1) as u32
    }
}

/// `carry` for arenas whose slots are simply replaced.
pub(crate) fn replace<T>(_: &T, value: T) -> T {
    value
}
