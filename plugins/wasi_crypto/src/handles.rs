//! Typed handle tables with generation checks. A handle is a 32-bit value
//! `[kind: 8 bits | generation: 8 bits | slot: 16 bits]`: the kind makes a handle of one table invalid in
//! every other, and the generation (bumped each time a slot is reused) makes a stale or forged handle an
//! error instead of an alias of a newer object.

use crate::error::{CryptoError, Result};

/// Open handles a table holds at most.
pub const CAPACITY: usize = 1 << 16;

struct Slot<T> {
    generation: u8,
    value: Option<T>,
}

/// The objects of one kind, by handle.
pub struct HandleTable<T> {
    kind: u8,
    slots: Vec<Slot<T>>,
    free: Vec<u16>,
}

impl<T> HandleTable<T> {
    /// An empty table whose handles carry `kind` (1..=127, so every handle is a positive `i32`).
    pub fn new(kind: u8) -> Self {
        debug_assert!((1..=127).contains(&kind));
        HandleTable { kind, slots: Vec::new(), free: Vec::new() }
    }

    fn encode(&self, slot: u16, generation: u8) -> u32 {
        (u32::from(self.kind) << 24) | (u32::from(generation) << 16) | u32::from(slot)
    }

    fn decode(&self, handle: u32) -> Option<(usize, u8)> {
        ((handle >> 24) as u8 == self.kind).then_some(((handle & 0xffff) as usize, (handle >> 16) as u8))
    }

    /// Store `value`, returning its new handle.
    pub fn insert(&mut self, value: T) -> Result<u32> {
        if let Some(slot) = self.free.pop() {
            let s = &mut self.slots[slot as usize];
            s.generation = s.generation.wrapping_add(1);
            s.value = Some(value);
            let generation = s.generation;
            return Ok(self.encode(slot, generation));
        }
        if self.slots.len() >= CAPACITY {
            return Err(CryptoError::TooManyHandles);
        }
        self.slots.push(Slot { generation: 0, value: Some(value) });
        Ok(self.encode((self.slots.len() - 1) as u16, 0))
    }

    fn slot(&self, handle: u32) -> Option<&Slot<T>> {
        let (index, generation) = self.decode(handle)?;
        self.slots.get(index).filter(|s| s.generation == generation)
    }

    /// The object behind `handle`: `invalid_handle` for a handle of another kind, a forged one or a
    /// closed one.
    pub fn get(&self, handle: u32) -> Result<&T> {
        self.slot(handle).and_then(|s| s.value.as_ref()).ok_or(CryptoError::InvalidHandle)
    }

    /// The object behind `handle`, mutably.
    pub fn get_mut(&mut self, handle: u32) -> Result<&mut T> {
        let (index, generation) = self.decode(handle).ok_or(CryptoError::InvalidHandle)?;
        match self.slots.get_mut(index) {
            Some(s) if s.generation == generation => s.value.as_mut().ok_or(CryptoError::InvalidHandle),
            _ => Err(CryptoError::InvalidHandle),
        }
    }

    /// Close `handle`, returning its object: `closed` if it was closed already, `invalid_handle` if it
    /// never was a handle of this table.
    pub fn remove(&mut self, handle: u32) -> Result<T> {
        let (index, generation) = self.decode(handle).ok_or(CryptoError::InvalidHandle)?;
        match self.slots.get_mut(index) {
            Some(s) if s.generation == generation => {
                let value = s.value.take().ok_or(CryptoError::Closed)?;
                self.free.push(index as u16);
                Ok(value)
            }
            _ => Err(CryptoError::InvalidHandle),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_typed_and_generation_checked() {
        let mut a = HandleTable::new(1);
        let b = HandleTable::<u32>::new(2);
        let h = a.insert(10u32).unwrap();
        assert_eq!(a.get(h), Ok(&10));
        assert_eq!(b.get(h), Err(CryptoError::InvalidHandle));
        assert_eq!(a.remove(h), Ok(10));
        assert_eq!(a.get(h), Err(CryptoError::InvalidHandle));
        assert_eq!(a.remove(h), Err(CryptoError::Closed));
        // The slot is reused with a new generation: the old handle stays dead.
        let h2 = a.insert(20).unwrap();
        assert_ne!(h, h2);
        assert_eq!(a.get(h), Err(CryptoError::InvalidHandle));
        assert_eq!(a.get(h2), Ok(&20));
        assert_eq!(a.get(0x7fff_ffff), Err(CryptoError::InvalidHandle));
        assert!(h2 as i32 > 0);
    }

    #[test]
    fn tables_are_bounded() {
        let mut t = HandleTable::new(3);
        for i in 0..CAPACITY {
            t.insert(i).unwrap();
        }
        assert_eq!(t.insert(0), Err(CryptoError::TooManyHandles));
    }
}
