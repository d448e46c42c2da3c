//! `WasmEdge_Async`: an invocation running on a thread of its own, waited for, cancelled or collected.
//!
//! As with WasmEdge, the VM or executor an asynchronous run uses must not be used until the run is over.
//! Cancelling raises the store's interrupt flag: the guest stops with "execution interrupted" at its next
//! loop head or call when the configuration is interruptible (`WasmEdge_ConfigureCompilerSetInterruptible`);
//! otherwise the run ends on its own.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use wasmedge_host::{Error, InterruptHandle};

use crate::basic::{WasmEdge_Result, log_error};
use crate::ffi::{self, SendPtr, capi};
use crate::value::WasmEdge_Value;

type Outcome = (WasmEdge_Result, Vec<WasmEdge_Value>);

/// `WasmEdge_Async`.
pub struct Async {
    done: Arc<(Mutex<Option<Outcome>>, Condvar)>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    interrupt: Option<InterruptHandle>,
}

impl Async {
    /// Run `job` on a new thread. `interrupt` stops it when cancelled.
    pub fn spawn(
        interrupt: Option<InterruptHandle>,
        job: impl FnOnce() -> Result<Vec<WasmEdge_Value>, Error> + Send + 'static,
    ) -> *mut Async {
        let done: Arc<(Mutex<Option<Outcome>>, Condvar)> = Arc::new((Mutex::new(None), Condvar::new()));
        let slot = done.clone();
        let thread = std::thread::spawn(move || {
            let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                Ok(Ok(values)) => (WasmEdge_Result::SUCCESS, values),
                Ok(Err(e)) => {
                    if !matches!(e.kind(), wasmedge_host::ErrorKind::Exit(_)) {
                        log_error(&e);
                    }
                    (WasmEdge_Result::from_error(&e), Vec::new())
                }
                Err(_) => (<WasmEdge_Result as ffi::Fallback>::fallback(), Vec::new()),
            };
            *slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
            slot.1.notify_all();
        });
        ffi::into_raw(Async { done, thread: Mutex::new(Some(thread)), interrupt })
    }

    /// Wait at most `timeout` (forever for `None`); whether the run is over.
    fn wait(&self, timeout: Option<Duration>) -> bool {
        let (lock, cv) = &*self.done;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let guard = match timeout {
            None => cv.wait_while(guard, |o| o.is_none()).unwrap_or_else(|e| e.into_inner()),
            Some(t) => cv.wait_timeout_while(guard, t, |o| o.is_none()).unwrap_or_else(|e| e.into_inner()).0,
        };
        guard.is_some()
    }

    fn outcome(&self) -> Outcome {
        self.wait(None);
        self.done.0.lock().unwrap_or_else(|e| e.into_inner()).clone().expect("the run is over")
    }
}

impl Drop for Async {
    fn drop(&mut self) {
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}

/// Move a context pointer into an asynchronous job.
pub fn send<T>(p: *mut T) -> SendPtr<T> {
    SendPtr(p)
}

capi! {
    fn WasmEdge_AsyncWait(cxt: *const Async) {
        if let Some(a) = ffi::get(cxt) {
            a.wait(None);
        }
    }
    /// Whether the run finished within `ms` milliseconds.
    fn WasmEdge_AsyncWaitFor(cxt: *const Async, ms: u64) -> bool {
        ffi::get(cxt).is_some_and(|a| a.wait(Some(Duration::from_millis(ms))))
    }
    fn WasmEdge_AsyncCancel(cxt: *mut Async) {
        if let Some(i) = ffi::get(cxt.cast_const()).and_then(|a| a.interrupt.as_ref()) {
            i.interrupt();
        }
    }
    /// Waits for the run; 0 when it failed.
    fn WasmEdge_AsyncGetReturnsLength(cxt: *const Async) -> u32 {
        ffi::get(cxt).map_or(0, |a| a.outcome().1.len() as u32)
    }
    /// Waits for the run and copies at most `len` results.
    fn WasmEdge_AsyncGet(cxt: *const Async, returns: *mut WasmEdge_Value, len: u32) -> WasmEdge_Result {
        let Some(a) = ffi::get(cxt) else { return WasmEdge_Result::wasm(crate::basic::code::WRONG_VM_WORKFLOW) };
        let (r, values) = a.outcome();
        for (slot, v) in ffi::slice_mut(returns, len).iter_mut().zip(values) {
            *slot = v;
        }
        r
    }
    /// Waits for the run to end first.
    fn WasmEdge_AsyncDelete(cxt: *mut Async) {
        ffi::delete(cxt)
    }
}
