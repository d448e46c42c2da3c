//! What native code needs from the runtime: the entry from the host, calls out to host functions (and to
//! functions without native code), the bodies of the builtins, and turning a fault into a typed trap.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::NativeModule;
use crate::error::{Error, Result, TrapCode};
use crate::func::Caller;
use crate::interp::bulk;
use crate::store::{FuncKind, Store, StoreInner};
use crate::types::{Func, Val};
use crate::vm::native::{self, Activation};

/// Stack kept free below native code for host functions and the signal handler.
const HOST_HEADROOM: usize = 256 << 10;

/// Values passed to native code without a heap allocation.
const INLINE_VALUES: usize = 16;

/// Call defined function `def` of instance `inst`, which has native code `code`.
pub(crate) fn call<T>(
    store: &mut Store<T>,
    code: &NativeModule,
    inst: u32,
    def: u32,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let n = params.len().max(results.len()).max(1);
    let mut inline = [0u128; INLINE_VALUES];
    let mut heap = Vec::new();
    let values: &mut [u128] = if n <= INLINE_VALUES {
        &mut inline[..n]
    } else {
        heap.resize(n, 0);
        &mut heap
    };
    for (slot, p) in values.iter_mut().zip(params) {
        *slot = p.to_raw();
    }

    // The outermost entry on this thread sets the stack limit; nested entries (host → wasm → host → wasm)
    // share it.
    let outermost = store.inner.vmstore.get().stack_limit == 0;
    if outermost {
        let sp = native::stack_pointer();
        let low = native::stack_low();
        let available = sp.saturating_sub(low).saturating_sub(HOST_HEADROOM);
        let budget = store.inner.engine.config().max_wasm_stack.min(available);
        if budget < 4096 {
            return Err(Error::trap(TrapCode::CallStackExhausted));
        }
        store.inner.vmstore.get_mut().stack_limit = sp - budget;
    }
    let vmctx = store.inner.instances[inst as usize].vmctx.as_ptr();
    let entry = code.array_entry(def);
    let (sp, ip) = native::store_pointers(store);
    let mut act = Activation::new(sp, ip, native::dispatch::<T>);
    // SAFETY: `entry` is the array-call trampoline of `def` in `code`, which is the native code of instance
    // `inst` (whose context `vmctx` is); `values` holds max(params, results) values; the activation's
    // pointers come from `store`, which is not used until `enter` returns.
    let trapped = unsafe { native::enter(entry, vmctx, values.as_mut_ptr(), &mut act) };
    if outermost {
        store.inner.vmstore.get_mut().stack_limit = 0;
    }
    if trapped {
        return Err(trap_error(&store.inner, &mut act));
    }
    for (r, &raw) in results.iter_mut().zip(values.iter()) {
        *r = Val::from_raw(r.ty(), raw);
    }
    Ok(())
}

/// The module (with native code) whose code holds `pc`, and the defined function there, if any.
fn locate(inner: &StoreInner, pc: usize) -> Option<(&crate::module::ModuleInner, &NativeModule)> {
    inner.instances.iter().map(|i| &*i.module.inner).find_map(|m| {
        let native = m.native.as_deref()?;
        native.contains(pc).then_some((m, native))
    })
}

/// The error for a trap at `act.trap_pc`, named after the wasm function that was running (for a trap in a
/// host-call trampoline, the function that called it), as the interpreter names it.
fn trap_error(inner: &StoreInner, act: &mut Activation) -> Error {
    let Some((module, native)) = locate(inner, act.trap_pc) else {
        return Error::host(format!("internal error: native code faulted (signal {}) outside known code", act.signal));
    };
    let (def, code) = native.trap_at(act.trap_pc);
    let name = match def {
        Some(d) => Some(module.func_name(module.num_imported_funcs + d)),
        None => locate(inner, act.trap_return_pc).and_then(|(m, n)| {
            let (d, _) = n.trap_at(act.trap_return_pc);
            d.map(|d| m.func_name(m.num_imported_funcs + d))
        }),
    };
    let e = match code {
        Ok(code) => Error::trap(code),
        Err(true) => act.pending.take().unwrap_or_else(|| Error::host("internal error: a trap without its cause")),
        Err(false) => Error::host(format!(
            "internal error: native code faulted (signal {}) where no trap was expected",
            act.signal
        )),
    };
    match name {
        Some(name) => e.with_function(name),
        None => e,
    }
}

/// Call store function `func` for native code of instance `inst`: `values` holds the arguments and
/// receives the results. No heap allocation for up to 16 parameters and results.
pub(crate) fn call_from_native<T>(store: &mut Store<T>, inst: u32, func: u32, values: &mut [u128]) -> Result<()> {
    let entity = &store.inner.funcs[func as usize];
    let host = if let FuncKind::Host { host } = entity.kind { Some(host) } else { None };
    let ty = entity.ty.clone();
    let (np, nr) = (ty.params().len(), ty.results().len());
    let mut inline_args = [Val::I32(0); INLINE_VALUES];
    let mut inline_results = [Val::I32(0); INLINE_VALUES];
    let (mut heap_args, mut heap_results) = (Vec::new(), Vec::new());
    let args: &mut [Val] = if np <= INLINE_VALUES {
        &mut inline_args[..np]
    } else {
        heap_args.resize(np, Val::I32(0));
        &mut heap_args
    };
    for ((a, &t), &raw) in args.iter_mut().zip(ty.params()).zip(values.iter()) {
        *a = Val::from_raw(t, raw);
    }
    let results: &mut [Val] = if nr <= INLINE_VALUES {
        &mut inline_results[..nr]
    } else {
        heap_results.resize(nr, Val::I32(0));
        &mut heap_results
    };
    for (r, &t) in results.iter_mut().zip(ty.results()) {
        *r = Val::default_for(t);
    }
    match host {
        Some(host) => {
            let host = store.hosts[host as usize].clone();
            let timed = store.inner.engine.config().measure_host_time.then(std::time::Instant::now);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                host(Caller { store: &mut *store, instance: Some(inst) }, args, results)
            }));
            if let Some(start) = timed {
                store.inner.host_time += start.elapsed();
            }
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(panic) => {
                    return Err(Error::host(format!(
                        "host function panicked: {}",
                        crate::interp::panic_message(&*panic)
                    )));
                }
            }
            if results.iter().zip(ty.results()).any(|(v, &t)| v.ty() != t) {
                return Err(Error::host("host function returned values of the wrong type"));
            }
        }
        None => crate::func::invoke(store, Func(func), args, results)?,
    }
    for (slot, r) in values.iter_mut().zip(results.iter()) {
        *slot = r.to_raw();
    }
    Ok(())
}

fn memory_index(inner: &StoreInner, inst: u32, mem: u32) -> usize {
    inner.instances[inst as usize].memories[mem as usize] as usize
}

fn table_index(inner: &StoreInner, inst: u32, table: u32) -> usize {
    inner.instances[inst as usize].tables[table as usize] as usize
}

pub(crate) fn memory_grow(inner: &mut StoreInner, inst: u32, mem: u32, delta: u32) -> u32 {
    let idx = memory_index(inner, inst, mem);
    inner.memories[idx].grow(delta as u64).map_or(u32::MAX, |old| old as u32)
}

pub(crate) fn memory_fill(inner: &mut StoreInner, inst: u32, mem: u32, dst: u32, val: u32, n: u32) -> Result<u32> {
    let idx = memory_index(inner, inst, mem);
    bulk::fill(inner.memories[idx].data_mut(), dst, val as u8, n).map_err(Error::trap)?;
    Ok(0)
}

pub(crate) fn memory_copy(
    inner: &mut StoreInner,
    inst: u32,
    dst_mem: u32,
    src_mem: u32,
    dst: u32,
    src: u32,
    n: u32,
) -> Result<u32> {
    let (d, s) = (memory_index(inner, inst, dst_mem), memory_index(inner, inst, src_mem));
    if d == s {
        bulk::copy_within(inner.memories[d].data_mut(), dst, src, n).map_err(Error::trap)?;
    } else {
        let [to, from] = inner.memories.get_disjoint_mut([d, s]).map_err(|e| Error::host(e.to_string()))?;
        bulk::init(to.data_mut(), from.data(), dst, src, n, TrapCode::MemoryOutOfBounds).map_err(Error::trap)?;
    }
    Ok(0)
}

pub(crate) fn memory_init(
    inner: &mut StoreInner,
    inst: u32,
    mem: u32,
    seg: u32,
    dst: u32,
    src: u32,
    n: u32,
) -> Result<u32> {
    let idx = memory_index(inner, inst, mem);
    let data = &inner.instances[inst as usize];
    let bytes = &data.module.inner.bytes[data.datas[seg as usize].clone()];
    bulk::init(inner.memories[idx].data_mut(), bytes, dst, src, n, TrapCode::MemoryOutOfBounds).map_err(Error::trap)?;
    Ok(0)
}

pub(crate) fn data_drop(inner: &mut StoreInner, inst: u32, seg: u32) -> u32 {
    inner.instances[inst as usize].datas[seg as usize] = 0..0;
    0
}

pub(crate) fn table_grow(inner: &mut StoreInner, inst: u32, table: u32, init: u64, delta: u32) -> u32 {
    let idx = table_index(inner, inst, table);
    inner.tables[idx].grow(delta as u64, init).map_or(u32::MAX, |old| old as u32)
}

pub(crate) fn table_fill(inner: &mut StoreInner, inst: u32, table: u32, dst: u32, val: u64, n: u32) -> Result<u32> {
    let idx = table_index(inner, inst, table);
    bulk::fill(inner.tables[idx].elements_mut(), dst, val, n).map_err(|_| Error::trap(TrapCode::TableOutOfBounds))?;
    Ok(0)
}

pub(crate) fn table_copy(
    inner: &mut StoreInner,
    inst: u32,
    dst_t: u32,
    src_t: u32,
    dst: u32,
    src: u32,
    n: u32,
) -> Result<u32> {
    let (d, s) = (table_index(inner, inst, dst_t), table_index(inner, inst, src_t));
    let oob = |_| Error::trap(TrapCode::TableOutOfBounds);
    if d == s {
        bulk::copy_within(inner.tables[d].elements_mut(), dst, src, n).map_err(oob)?;
    } else {
        let [to, from] = inner.tables.get_disjoint_mut([d, s]).map_err(|e| Error::host(e.to_string()))?;
        bulk::init(to.elements_mut(), from.elements(), dst, src, n, TrapCode::TableOutOfBounds).map_err(Error::trap)?;
    }
    Ok(0)
}

pub(crate) fn table_init(
    inner: &mut StoreInner,
    inst: u32,
    table: u32,
    seg: u32,
    dst: u32,
    src: u32,
    n: u32,
) -> Result<u32> {
    let idx = table_index(inner, inst, table);
    let elems = &inner.instances[inst as usize].elems[seg as usize];
    bulk::init(inner.tables[idx].elements_mut(), elems, dst, src, n, TrapCode::TableOutOfBounds)
        .map_err(Error::trap)?;
    Ok(0)
}

pub(crate) fn elem_drop(inner: &mut StoreInner, inst: u32, seg: u32) -> u32 {
    inner.instances[inst as usize].elems[seg as usize] = Box::new([]);
    0
}
