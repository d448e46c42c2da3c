//! The interpreter: translation to register-style code ([`translate`]) and its execution ([`exec`]) by
//! handlers that tail-call each other.

mod exec;
pub(crate) mod ir;
mod loops;
mod mem;
mod ops;
pub(crate) mod simd;
pub(crate) mod translate;

pub(crate) use exec::bulk;

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Error, Result};
use crate::store::{FuncKind, Store};
use crate::types::{Func, Val};

/// A function's interpreter code.
pub(crate) struct CompiledFunc {
    pub code: Box<[mem::Op]>,
    /// `v128` constants.
    pub consts: Box<[u128]>,
    pub param_slots: u32,
    /// Parameters plus declared locals.
    pub local_slots: u32,
    /// The most slots the frame ever uses.
    pub frame_slots: u32,
    /// The slots from the frame pointer that a call through the fast entry needs on the value stack
    /// ([`CompiledFunc::fast_slots`]); `u32::MAX` when the function has too many locals for that entry.
    pub fast_slots: u32,
}

impl CompiledFunc {
    /// How many declared locals the fast call entry zeroes: all of them, and temporaries up to this
    /// many, with one unconditional store of that many slots.
    pub const FAST_LOCALS: u32 = 8;

    /// `fast_slots` for a function with these slot counts.
    pub fn fast_slots(param_slots: u32, local_slots: u32, frame_slots: u32) -> u32 {
        if local_slots - param_slots > Self::FAST_LOCALS {
            u32::MAX
        } else {
            frame_slots.max(param_slots + Self::FAST_LOCALS)
        }
    }
}

/// Call `func` from the host: the entry point of all execution.
pub(crate) fn call<T>(store: &mut Store<T>, func: Func, params: &[Val], results: &mut [Val]) -> Result<()> {
    let entity = &store.inner.funcs[func.0 as usize];
    if let FuncKind::Host { host } = entity.kind {
        let host = store.hosts[host as usize].clone();
        return exec::call_host(&host, store, None, params, results);
    }
    // The executor works on the store's value stack; a nested call (host → wasm → host → wasm) finds it
    // taken and uses a fresh one.
    let mut stack = std::mem::take(&mut store.inner.stack);
    let outcome = catch_unwind(AssertUnwindSafe(|| exec::run(store, &mut stack, func, params, results)));
    store.inner.stack = stack;
    match outcome {
        Ok(result) => result,
        Err(panic) => Err(Error::host(format!("internal error in the interpreter: {}", panic_message(&*panic)))),
    }
}

pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}
