//! Executable memory for native code: written while read-write, then switched to read+execute before any
//! of it runs, and registered so that the signal handler recognises faults inside it.

use std::io;
use std::ptr::NonNull;

use rustix::mm::{MapFlags, MprotectFlags, ProtFlags};

/// A read+execute mapping holding one module's native code.
pub(crate) struct CodeMemory {
    ptr: NonNull<u8>,
    len: usize,
    mapped: usize,
}

// SAFETY: the mapping is immutable once built and owned by this value alone.
unsafe impl Send for CodeMemory {}
// SAFETY: as above: after `new` returns nothing writes to it.
unsafe impl Sync for CodeMemory {}

impl CodeMemory {
    /// Map `bytes`, let `patch` fix them up in place (relocations against the final address), then make
    /// the mapping read+execute. The bytes are never writable and executable at once.
    pub fn new(bytes: &[u8], patch: impl FnOnce(&mut [u8], usize) -> Result<(), String>) -> io::Result<CodeMemory> {
        let page = rustix::param::page_size();
        let mapped = bytes.len().max(1).div_ceil(page) * page;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing touches no existing
        // memory.
        let ptr = unsafe {
            rustix::mm::mmap_anonymous(
                std::ptr::null_mut(),
                mapped,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE,
            )?
        };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        let code = CodeMemory { ptr, len: bytes.len(), mapped };
        // SAFETY: the mapping is `mapped >= bytes.len()` bytes, read-write, and ours alone until we return.
        let buf = unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), bytes.len()) };
        buf.copy_from_slice(bytes);
        patch(buf, ptr.as_ptr() as usize).map_err(io::Error::other)?;
        // SAFETY: the range is exactly our own mapping.
        unsafe {
            rustix::mm::mprotect(ptr.as_ptr().cast(), mapped, MprotectFlags::READ | MprotectFlags::EXEC)?;
        }
        super::native::register_code(ptr.as_ptr() as usize, mapped);
        Ok(code)
    }

    /// The address of the first byte.
    pub fn base(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Whether `pc` lies inside this code.
    pub fn contains(&self, pc: usize) -> bool {
        pc >= self.base() && pc < self.base() + self.len
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        super::native::unregister_code(self.ptr.as_ptr() as usize);
        // SAFETY: the mapping was created in `new` with this length and is not used after the owner drops
        // it (instances hold the module, and so its code, for as long as their store lives).
        let _ = unsafe { rustix::mm::munmap(self.ptr.as_ptr().cast(), self.mapped) };
    }
}
