//! Running native code: the entry stub, trap recovery through signals, and the builtins native code calls.
//!
//! All unsafe code of the compiler backend's execution lives here.
//!
//! **Entry.** [`enter`] calls a module's array-call trampoline through a small assembly stub
//! (`wasmedge_host_enter`) that saves the callee-saved registers and records its stack pointer in the
//! [`Activation`]. Only native wasm frames (and trampolines) lie above that record while native code runs:
//! host functions and builtins are Rust calls that return before native code continues.
//!
//! **Traps.** Native code traps with a hardware fault: `ud2` (SIGILL) for traps Cranelift checks
//! explicitly (unreachable, stack limit, conversions, failed builtins), a division fault (SIGFPE) for
//! division by zero, and an access to a memory's guard region (SIGSEGV/SIGBUS) for out-of-bounds loads and
//! stores. The handler, installed once, checks that the faulting PC lies in our code and that this thread
//! is running native code; then it records the PC and rewrites the interrupted context to resume at the
//! stub's `wasmedge_host_resume`, with the stack pointer the stub recorded. The stub restores the saved
//! registers and returns "trapped" to [`enter`]. No Rust frame is ever skipped. Any other fault goes to the
//! handler that was installed before ours (Rust's own stack-overflow reporter, a debugger, the default).

use std::cell::Cell;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Once, OnceLock, RwLock};

use crate::error::{Error, Result};
use crate::store::StoreInner;
use crate::vm::VMContext;

/// Calls a host function (or any store function) for native code: `(store, caller instance, store
/// function, values)`; the values hold the arguments on entry and the results on return.
pub(crate) type Dispatch = unsafe fn(*mut (), u32, u32, *mut u128) -> Result<()>;

/// One entry from the host into native code.
pub(crate) struct Activation {
    /// The entry stub's stack pointer (written by the stub).
    entry_sp: usize,
    prev: *mut Activation,
    store: *mut (),
    inner: *mut StoreInner,
    dispatch: Dispatch,
    /// Where native code faulted (0 if it did not).
    pub trap_pc: usize,
    /// The return address of the faulting frame: where a trampoline that trapped was called from.
    pub trap_return_pc: usize,
    /// The signal that stopped it.
    pub signal: i32,
    /// An error a builtin or host function parked before native code trapped with `PENDING`.
    pub pending: Option<Error>,
}

impl Activation {
    /// An activation for calls from `store` (a `*mut Store<T>`) whose runtime state is `inner`.
    ///
    /// Both pointers must stay valid, and be the only way the store is used, until the activation's call
    /// returns.
    pub fn new(store: *mut (), inner: *mut StoreInner, dispatch: Dispatch) -> Activation {
        Activation {
            entry_sp: 0,
            prev: std::ptr::null_mut(),
            store,
            inner,
            dispatch,
            trap_pc: 0,
            trap_return_pc: 0,
            signal: 0,
            pending: None,
        }
    }
}

thread_local! {
    /// The innermost activation of this thread (null when no native code runs). Const-initialised and
    /// without a destructor, so the signal handler may read it.
    static CURRENT: Cell<*mut Activation> = const { Cell::new(std::ptr::null_mut()) };
    /// The lowest usable address of this thread's stack (0 until first asked).
    static STACK_LOW: Cell<usize> = const { Cell::new(0) };
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl wasmedge_host_enter",
    ".type wasmedge_host_enter,@function",
    // (rdi = vmctx, rsi = values, rdx = trampoline, rcx = &activation.entry_sp) -> eax = 0 | 1 (trapped)
    "wasmedge_host_enter:",
    ".cfi_startproc",
    "push rbp",
    ".cfi_def_cfa_offset 16",
    ".cfi_offset rbp, -16",
    "mov rbp, rsp",
    ".cfi_def_cfa_register rbp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "sub rsp, 8",
    "mov qword ptr [rcx], rsp",
    "call rdx",
    "xor eax, eax",
    "jmp 2f",
    ".globl wasmedge_host_resume",
    "wasmedge_host_resume:",
    "mov eax, 1",
    "2:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    ".cfi_def_cfa rsp, 8",
    "ret",
    ".cfi_endproc",
    ".size wasmedge_host_enter, .-wasmedge_host_enter",
);

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe extern "C" {
    fn wasmedge_host_enter(vmctx: *mut VMContext, values: *mut u128, entry: *const u8, sp: *mut usize) -> u32;
    fn wasmedge_host_resume();
}

/// Whether this build can run native code.
pub(crate) const SUPPORTED: bool = cfg!(all(target_arch = "x86_64", target_os = "linux"));

/// Run the array-call trampoline `entry` with `vmctx` and `values`; true if native code trapped (the
/// activation then says where).
///
/// # Safety
/// `entry` must be an array-call trampoline of live native code for the instance `vmctx`, `values` must
/// hold as many 16-byte values as the function takes or returns, and the activation's pointers must be
/// valid (see [`Activation::new`]).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub(crate) unsafe fn enter(entry: *const u8, vmctx: *mut VMContext, values: *mut u128, act: &mut Activation) -> bool {
    install_handlers();
    act.prev = CURRENT.with(|c| c.replace(act));
    // SAFETY: the caller's contract; the stub only returns normally, also after a trap.
    let status = unsafe { wasmedge_host_enter(vmctx, values, entry, &mut act.entry_sp) };
    CURRENT.with(|c| c.set(act.prev));
    status != 0
}

/// See the other `enter`: this target has no native code, so nothing is ever compiled to call.
#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
pub(crate) unsafe fn enter(_: *const u8, _: *mut VMContext, _: *mut u128, _: &mut Activation) -> bool {
    unreachable!("native code is not supported on this target")
}

/// Address ranges of all live native code, for the signal handler.
static CODE: RwLock<Vec<(usize, usize)>> = RwLock::new(Vec::new());

pub(crate) fn register_code(start: usize, len: usize) {
    CODE.write().unwrap_or_else(|e| e.into_inner()).push((start, start + len));
}

pub(crate) fn unregister_code(start: usize) {
    CODE.write().unwrap_or_else(|e| e.into_inner()).retain(|&(s, _)| s != start);
}

fn is_native_pc(pc: usize) -> bool {
    CODE.read().unwrap_or_else(|e| e.into_inner()).iter().any(|&(s, e)| pc >= s && pc < e)
}

/// Make a write past the file-size limit (`RLIMIT_FSIZE`) fail with `EFBIG` instead of killing the process
/// with `SIGXFSZ` (whose default action is to terminate with a core dump): a guest writing a file then gets
/// an errno it can handle, as when the disk is full. Affects the whole process; the `wasmedge` command calls
/// it at start.
pub fn ignore_file_size_signal() {
    // SAFETY: a zeroed `sigaction` with `SIG_IGN` and an empty mask is a valid disposition; the pointers
    // passed are valid for the call.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = libc::SIG_IGN;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGXFSZ, &action, std::ptr::null_mut());
    }
}

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// The handlers ours replaced, in the order of `SIGNALS`.
static PREVIOUS: OnceLock<[libc::sigaction; 4]> = OnceLock::new();

fn install_handlers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: `sigaction` structs are plain data; zeroed is a valid empty value.
        let mut previous: [libc::sigaction; 4] = unsafe { std::mem::zeroed() };
        for (i, &sig) in SIGNALS.iter().enumerate() {
            // SAFETY: we fill a zeroed `sigaction` with a valid handler, an empty mask and flags, and pass
            // valid pointers; the old action is saved for chaining.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, &mut previous[i]);
            }
        }
        let _ = PREVIOUS.set(previous);
    });
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
unsafe extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    let act = CURRENT.try_with(|c| c.get()).unwrap_or(std::ptr::null_mut());
    if !act.is_null() {
        // SAFETY: the kernel passes a valid `ucontext_t` to an SA_SIGINFO handler.
        let uc = unsafe { &mut *ctx.cast::<libc::ucontext_t>() };
        let pc = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        if is_native_pc(pc) {
            // SAFETY: `act` is this thread's live activation (set by `enter` around the native call, which
            // is what faulted: the PC is in our code).
            let act = unsafe { &mut *act };
            act.trap_pc = pc;
            act.signal = sig;
            // Native code keeps frame pointers, so RBP is a frame of ours (or of the entry stub) and the
            // word above it is that frame's return address.
            let fp = uc.uc_mcontext.gregs[libc::REG_RBP as usize] as usize;
            // SAFETY: see above; the frame lies on this thread's live stack.
            act.trap_return_pc = if fp == 0 { 0 } else { unsafe { *(fp as *const usize).add(1) } };
            uc.uc_mcontext.gregs[libc::REG_RSP as usize] = act.entry_sp as i64;
            uc.uc_mcontext.gregs[libc::REG_RIP as usize] = wasmedge_host_resume as *const () as usize as i64;
            return;
        }
    }
    // SAFETY: forwarding the kernel's arguments unchanged.
    unsafe { chain(sig, info, ctx) }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
unsafe extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    // SAFETY: forwarding the kernel's arguments unchanged.
    unsafe { chain(sig, info, ctx) }
}

/// Hand a fault that is not ours to the handler installed before ours.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    let Some(previous) = PREVIOUS.get() else { return };
    let Some(i) = SIGNALS.iter().position(|&s| s == sig) else { return };
    let prev = &previous[i];
    if prev.sa_sigaction == libc::SIG_DFL || prev.sa_sigaction == libc::SIG_IGN {
        // Restore it and return: the faulting instruction runs again and gets the default action.
        // SAFETY: `prev` is the action the kernel gave us when we installed ours.
        unsafe { libc::sigaction(sig, prev, std::ptr::null_mut()) };
    } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: with SA_SIGINFO, `sa_sigaction` is a three-argument handler.
        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut c_void) =
            unsafe { std::mem::transmute(prev.sa_sigaction) };
        f(sig, info, ctx);
    } else {
        // SAFETY: without SA_SIGINFO, `sa_sigaction` is a one-argument handler.
        let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(prev.sa_sigaction) };
        f(sig);
    }
}

/// The lowest address this thread may use for its stack, with the guard page excluded.
pub(crate) fn stack_low() -> usize {
    let cached = STACK_LOW.with(|c| c.get());
    if cached != 0 {
        return cached;
    }
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before use and destroyed after.
    let low = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return 0;
        }
        let (mut addr, mut size) = (std::ptr::null_mut(), 0usize);
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        let mut guard = 0usize;
        libc::pthread_attr_getguardsize(&attr, &mut guard);
        libc::pthread_attr_destroy(&mut attr);
        if ok { addr as usize + guard } else { 0 }
    };
    STACK_LOW.with(|c| c.set(low));
    low
}

/// The current stack pointer, approximately.
#[inline(never)]
pub(crate) fn stack_pointer() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The builtins native code calls, by index (see `VMStoreContext::builtins`).
pub(crate) static BUILTINS: std::sync::LazyLock<[usize; 11]> = std::sync::LazyLock::new(|| {
    [
        host_call as *const () as usize,
        memory_grow as *const () as usize,
        memory_fill as *const () as usize,
        memory_copy as *const () as usize,
        memory_init as *const () as usize,
        data_drop as *const () as usize,
        table_grow as *const () as usize,
        table_fill as *const () as usize,
        table_copy as *const () as usize,
        table_init as *const () as usize,
        elem_drop as *const () as usize,
    ]
});

/// What a builtin returns when it parked an error in the activation.
pub(crate) const FAILED: u32 = u32::MAX;

/// Run a builtin's body with the store of the current activation; an error (or a panic) is parked in the
/// activation and becomes `FAILED`.
fn with_store(vmctx: *mut VMContext, f: impl FnOnce(&mut Activation, u32) -> Result<u32>) -> u32 {
    let act = CURRENT.with(|c| c.get());
    // SAFETY: builtins are only called by native code, which runs inside `enter`, so `act` is this thread's
    // live activation; no other reference to it exists while the builtin runs.
    let act = unsafe { &mut *act };
    // SAFETY: `vmctx` is the calling instance's live context (native code passes its own).
    let inst = unsafe { (*vmctx).instance };
    match catch_unwind(AssertUnwindSafe(|| f(act, inst))) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            act.pending = Some(e);
            FAILED
        }
        Err(panic) => {
            act.pending = Some(Error::host(format!(
                "internal error in a runtime builtin: {}",
                crate::interp::panic_message(&*panic)
            )));
            FAILED
        }
    }
}

fn inner(act: &mut Activation) -> &mut StoreInner {
    // SAFETY: the activation's contract: the store pointer is valid and unused by anyone else while native
    // code (and so this builtin) runs.
    unsafe { &mut *act.inner }
}

extern "C" fn host_call(vmctx: *mut VMContext, func: u64, values: *mut u128) -> u32 {
    with_store(vmctx, |act, inst| {
        // SAFETY: the activation's contract; `values` is the trampoline's buffer, sized for the function's
        // type (which the caller checked).
        unsafe { (act.dispatch)(act.store, inst, func as u32, values) }.map(|()| 0)
    })
}

use crate::compiler::runtime as rt;

extern "C" fn memory_grow(vmctx: *mut VMContext, mem: u32, delta: u32) -> u32 {
    with_store(vmctx, |act, inst| Ok(rt::memory_grow(inner(act), inst, mem, delta)))
}

extern "C" fn memory_fill(vmctx: *mut VMContext, mem: u32, dst: u32, val: u32, n: u32) -> u32 {
    with_store(vmctx, |act, inst| rt::memory_fill(inner(act), inst, mem, dst, val, n))
}

extern "C" fn memory_copy(vmctx: *mut VMContext, dst_mem: u32, src_mem: u32, dst: u32, src: u32, n: u32) -> u32 {
    with_store(vmctx, |act, inst| rt::memory_copy(inner(act), inst, dst_mem, src_mem, dst, src, n))
}

extern "C" fn memory_init(vmctx: *mut VMContext, mem: u32, seg: u32, dst: u32, src: u32, n: u32) -> u32 {
    with_store(vmctx, |act, inst| rt::memory_init(inner(act), inst, mem, seg, dst, src, n))
}

extern "C" fn data_drop(vmctx: *mut VMContext, seg: u32) -> u32 {
    with_store(vmctx, |act, inst| Ok(rt::data_drop(inner(act), inst, seg)))
}

extern "C" fn table_grow(vmctx: *mut VMContext, table: u32, init: u64, delta: u32) -> u32 {
    with_store(vmctx, |act, inst| Ok(rt::table_grow(inner(act), inst, table, init, delta)))
}

extern "C" fn table_fill(vmctx: *mut VMContext, table: u32, dst: u32, val: u64, n: u32) -> u32 {
    with_store(vmctx, |act, inst| rt::table_fill(inner(act), inst, table, dst, val, n))
}

extern "C" fn table_copy(vmctx: *mut VMContext, dst_t: u32, src_t: u32, dst: u32, src: u32, n: u32) -> u32 {
    with_store(vmctx, |act, inst| rt::table_copy(inner(act), inst, dst_t, src_t, dst, src, n))
}

extern "C" fn table_init(vmctx: *mut VMContext, table: u32, seg: u32, dst: u32, src: u32, n: u32) -> u32 {
    with_store(vmctx, |act, inst| rt::table_init(inner(act), inst, table, seg, dst, src, n))
}

extern "C" fn elem_drop(vmctx: *mut VMContext, seg: u32) -> u32 {
    with_store(vmctx, |act, inst| Ok(rt::elem_drop(inner(act), inst, seg)))
}

/// The [`Dispatch`] for stores of `T`.
///
/// # Safety
/// `store` must be the `*mut Store<T>` of the running activation, unused by anyone else during the call,
/// and `values` must hold max(params, results) values of store function `func`'s type.
pub(crate) unsafe fn dispatch<T>(store: *mut (), inst: u32, func: u32, values: *mut u128) -> Result<()> {
    // SAFETY: the caller's contract.
    let store = unsafe { &mut *store.cast::<crate::Store<T>>() };
    let ty = &store.inner.funcs[func as usize].ty;
    let n = ty.params().len().max(ty.results().len());
    let values: &mut [u128] = if n == 0 {
        &mut []
    } else {
        // SAFETY: the caller's contract: `n` values at `values`, used by nothing else during the call.
        unsafe { std::slice::from_raw_parts_mut(values, n) }
    };
    crate::compiler::runtime::call_from_native(store, inst, func, values)
}

/// The erased store pointer and the runtime-state pointer of `store`, for [`Activation::new`].
pub(crate) fn store_pointers<T>(store: &mut crate::Store<T>) -> (*mut (), *mut StoreInner) {
    let sp: *mut crate::Store<T> = store;
    // SAFETY: `sp` comes from a live `&mut`; taking a field's address creates no reference.
    let ip = unsafe { &raw mut (*sp).inner };
    (sp.cast(), ip)
}
