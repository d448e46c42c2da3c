//! Virtual memory for linear memories: one reservation per memory, made accessible page by page.
//!
//! A memory reserves 4 GiB plus a 4 GiB guard region up front (on 64-bit hosts), so its base address never
//! moves when it grows and any 32-bit address plus 32-bit offset lands inside the reservation. Compiled code
//! can then leave out bounds checks and rely on the guard pages; the interpreter still checks explicitly.

use std::ffi::c_void;
use std::io;
use std::ptr::NonNull;

use rustix::mm::{MapFlags, MprotectFlags, ProtFlags};

/// The full 32-bit address space.
const FOUR_GIB: usize = 1 << 32;
/// What a 64-bit host reserves for every 32-bit memory: the address space plus an equally large guard, plus
/// one more page so that an access of up to 16 bytes at the largest address + offset still faults inside it.
pub(crate) const RESERVATION: usize = if usize::BITS >= 64 { 2 * FOUR_GIB + 65536 } else { 0 };

/// An anonymous mapping: `accessible` bytes read-write, the rest of `reserved` inaccessible.
pub(crate) struct Mmap {
    ptr: NonNull<u8>,
    reserved: usize,
    accessible: usize,
}

// SAFETY: the mapping is owned by this value alone; access to its bytes is synchronised by whoever owns it
// (the store, which is not shared between threads without `&mut`).
unsafe impl Send for Mmap {}

impl Mmap {
    /// Reserve `reserved` bytes of address space (rounded up to a page) and make the first `accessible`
    /// bytes read-write and zeroed.
    pub fn new(reserved: usize, accessible: usize) -> io::Result<Mmap> {
        let page = rustix::param::page_size();
        let reserved = reserved.max(accessible).max(page).div_ceil(page) * page;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing touches no existing
        // memory. PROT_NONE + NORESERVE costs no commit charge until pages are made accessible.
        let ptr = unsafe {
            rustix::mm::mmap_anonymous(
                std::ptr::null_mut(),
                reserved,
                ProtFlags::empty(),
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )?
        };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        let mut map = Mmap { ptr, reserved, accessible: 0 };
        map.make_accessible(accessible)?;
        Ok(map)
    }

    /// Grow the read-write part to `len` bytes (new bytes are zero, as anonymous pages are).
    pub fn make_accessible(&mut self, len: usize) -> io::Result<()> {
        if len <= self.accessible {
            return Ok(());
        }
        if len > self.reserved {
            return Err(io::Error::other("memory grows past its reservation"));
        }
        // SAFETY: [ptr + accessible, ptr + len) lies inside our own reservation (checked above), so changing
        // its protection cannot affect any other allocation.
        unsafe {
            rustix::mm::mprotect(
                self.ptr.as_ptr().add(self.accessible).cast::<c_void>(),
                len - self.accessible,
                MprotectFlags::READ | MprotectFlags::WRITE,
            )?;
        }
        self.accessible = len;
        Ok(())
    }

    /// The base address; stable for the mapping's lifetime.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// How many bytes are reserved (accessible or not).
    #[cfg(test)]
    pub fn reserved(&self) -> usize {
        self.reserved
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        // SAFETY: we own exactly this mapping and nothing refers into it once its owner is dropped.
        unsafe {
            let _ = rustix::mm::munmap(self.ptr.as_ptr().cast::<c_void>(), self.reserved);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_in_place_and_zeroes() {
        let mut m = Mmap::new(1 << 20, 65536).unwrap();
        let base = m.as_ptr();
        m.make_accessible(3 * 65536).unwrap();
        assert_eq!(m.as_ptr(), base);
        assert!(m.make_accessible(2 << 20).is_err());
    }
}
