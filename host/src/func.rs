//! Functions: calling them, and defining host functions from typed Rust closures.
//!
//! ```
//! use wasmedge_host::{Engine, Func, Store, Val};
//!
//! let engine = Engine::default();
//! let mut store = Store::new(&engine, ());
//! let add = Func::wrap(&mut store, |a: i32, b: i32| a.wrapping_add(b));
//! let mut out = [Val::I32(0)];
//! add.call(&mut store, &[Val::I32(2), Val::I32(3)], &mut out).unwrap();
//! assert_eq!(out[0], Val::I32(5));
//! ```

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::store::{Extern, FuncKind, Instance, Memory, Store};
use crate::types::{ExternRef, Func, FuncType, Val, ValType};

/// A host function as the engine stores it: arguments in, results out.
pub(crate) type HostFunc<T> = Arc<dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync>;

/// What a host function sees of its caller: the store's data and the calling instance's exports and memory.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<'a, T> Caller<'a, T> {
    /// The embedder's data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The store, for calling back into wasm or reaching other objects.
    pub fn store(&mut self) -> &mut Store<T> {
        self.store
    }

    /// The calling instance (`None` when the host function was called directly, not from wasm).
    pub fn instance(&self) -> Option<Instance> {
        self.instance.map(Instance)
    }

    /// An export of the calling instance.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let inst = self.instance?;
        self.store.inner.instances[inst as usize].exports.iter().find(|(n, _)| n == name).map(|&(_, e)| e)
    }

    /// The calling instance's memory `index` (by its own index space; 0 is the one WASI uses).
    pub fn memory(&self, index: u32) -> Option<Memory> {
        let inst = self.instance?;
        self.store.inner.instances[inst as usize].memories.get(index as usize).map(|&m| Memory(m))
    }

    /// The embedder's data and the bytes of the caller's memory `index`, both mutable (for host modules
    /// such as WASI whose state lives in the data and whose arguments point into the memory).
    pub fn data_and_memory_mut(&mut self, index: u32) -> Option<(&mut T, &mut [u8])> {
        let mem = self.memory(index)?;
        let store = &mut *self.store;
        Some((&mut store.data, store.inner.memories[mem.0 as usize].data_mut()))
    }

    /// The bytes of the caller's memory `index`.
    pub fn memory_data_mut(&mut self, index: u32) -> Option<&mut [u8]> {
        let mem = self.memory(index)?;
        Some(mem.data_mut(self.store))
    }

    fn memory0(&self) -> Result<Memory> {
        self.memory(0).ok_or_else(|| Error::host("the calling module has no memory"))
    }

    /// `len` bytes at guest address `ptr` of memory 0, checked against its current size.
    pub fn read(&self, ptr: u32, len: u32) -> Result<&[u8]> {
        let mem = self.memory0()?;
        let data = mem.data(self.store);
        checked_range(data.len(), ptr, len).map(|r| &data[r])
    }

    /// `len` writable bytes at guest address `ptr` of memory 0, checked against its current size.
    pub fn read_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8]> {
        let mem = self.memory0()?;
        let data = mem.data_mut(self.store);
        let range = checked_range(data.len(), ptr, len)?;
        Ok(&mut data[range])
    }

    /// Copy `bytes` to guest address `ptr` of memory 0, checked against its current size.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Error::trap(crate::TrapCode::MemoryOutOfBounds))?;
        self.read_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    /// A UTF-8 string of `len` bytes at guest address `ptr`.
    pub fn read_str(&self, ptr: u32, len: u32) -> Result<&str> {
        std::str::from_utf8(self.read(ptr, len)?).map_err(|e| Error::host(format!("invalid UTF-8 string: {e}")))
    }
}

/// The byte range `[ptr, ptr + len)` if it lies within `size` bytes.
pub(crate) fn checked_range(size: usize, ptr: u32, len: u32) -> Result<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start.checked_add(len as usize).filter(|&e| e <= size);
    end.map(|end| start..end).ok_or_else(|| Error::trap(crate::TrapCode::MemoryOutOfBounds))
}

impl Func {
    /// A host function with an explicit signature; the closure receives arguments and fills results.
    pub fn new<T>(
        store: &mut Store<T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        store.hosts.push(Arc::new(f));
        let host = store.hosts.len() as u32 - 1;
        store.inner.add_func(FuncKind::Host { host }, ty)
    }

    /// A host function from a typed closure; the signature is inferred from the closure's parameter and
    /// result types. The closure may take a [`Caller`] first and may return a `Result` to trap.
    pub fn wrap<T, Params, Results>(store: &mut Store<T>, f: impl IntoFunc<T, Params, Results>) -> Func {
        let (ty, host) = f.into_func();
        store.hosts.push(host);
        let index = store.hosts.len() as u32 - 1;
        store.inner.add_func(FuncKind::Host { host: index }, ty)
    }

    /// The function's signature.
    pub fn ty<T>(&self, store: &Store<T>) -> FuncType {
        store.inner.funcs[self.0 as usize].ty.clone()
    }

    /// Call with `params`, writing `results`; both must match the signature.
    pub fn call<T>(&self, store: &mut Store<T>, params: &[Val], results: &mut [Val]) -> Result<()> {
        let ty = self.ty(store);
        if params.len() != ty.params().len() || params.iter().zip(ty.params()).any(|(v, &t)| v.ty() != t) {
            return Err(Error::api(format!(
                "function {ty} called with arguments ({})",
                params.iter().map(|v| v.ty().to_string()).collect::<Vec<_>>().join(" ")
            )));
        }
        if results.len() != ty.results().len() {
            return Err(Error::api(format!("function {ty} returns {} values", ty.results().len())));
        }
        // The backends decode results by the types in `results`: make them the function's.
        for (r, &t) in results.iter_mut().zip(ty.results()) {
            if r.ty() != t {
                *r = Val::default_for(t);
            }
        }
        invoke(store, *self, params, results)
    }

    /// Call with typed parameters and results, e.g. `f.call_typed::<(i32, i32), i32>(&mut store, (1, 2))`.
    pub fn call_typed<T, P: WasmParams, R: WasmResults>(&self, store: &mut Store<T>, params: P) -> Result<R> {
        let params = params.into_vals();
        let mut results: Vec<Val> = R::types().into_iter().map(Val::default_for).collect();
        let ty = self.ty(store);
        if ty.results() != R::types().as_slice() {
            return Err(Error::api(format!("function {ty} does not return ({:?})", R::types())));
        }
        self.call(store, &params, &mut results)?;
        Ok(R::from_vals(&results))
    }
}

/// Run `func` (arguments already type-checked) on the backend that holds its code: the entry point of all
/// execution. Functions of instances with native code run natively; everything else is interpreted.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: Func, params: &[Val], results: &mut [Val]) -> Result<()> {
    if let FuncKind::Wasm { instance, def } = store.inner.funcs[func.0 as usize].kind
        && let Some(code) = store.inner.instances[instance as usize].module.inner.native.clone()
    {
        return crate::compiler::runtime::call(store, &code, instance, def, params, results);
    }
    crate::interp::call(store, func, params, results)
}

/// A Rust type that is a WebAssembly value.
pub trait WasmTy: Copy + 'static {
    /// Its WebAssembly type.
    const TYPE: ValType;
    /// Convert from a value of type [`Self::TYPE`].
    fn from_val(v: Val) -> Self;
    /// Convert to a value.
    fn into_val(self) -> Val;
}

macro_rules! wasm_ty {
    ($($t:ty => $vt:ident, |$v:ident| $from:expr, |$s:ident| $into:expr;)*) => {$(
        impl WasmTy for $t {
            const TYPE: ValType = ValType::$vt;
            fn from_val($v: Val) -> Self {
                $from
            }
            fn into_val(self) -> Val {
                let $s = self;
                $into
            }
        }
    )*};
}

wasm_ty! {
    i32 => I32, |v| if let Val::I32(x) = v { x } else { 0 }, |s| Val::I32(s);
    u32 => I32, |v| if let Val::I32(x) = v { x as u32 } else { 0 }, |s| Val::I32(s as i32);
    i64 => I64, |v| if let Val::I64(x) = v { x } else { 0 }, |s| Val::I64(s);
    u64 => I64, |v| if let Val::I64(x) = v { x as u64 } else { 0 }, |s| Val::I64(s as i64);
    f32 => F32, |v| v.f32().unwrap_or(0.0), |s| Val::F32(s.to_bits());
    f64 => F64, |v| v.f64().unwrap_or(0.0), |s| Val::F64(s.to_bits());
    u128 => V128, |v| if let Val::V128(x) = v { x } else { 0 }, |s| Val::V128(s);
    Option<Func> => FuncRef, |v| if let Val::FuncRef(x) = v { x } else { None }, |s| Val::FuncRef(s);
    Option<ExternRef> => ExternRef, |v| if let Val::ExternRef(x) = v { x } else { None }, |s| Val::ExternRef(s);
}

/// Parameters of a typed call: a tuple of [`WasmTy`].
pub trait WasmParams {
    /// The parameter types.
    fn types() -> Vec<ValType>;
    /// Convert from values (already type-checked).
    fn from_vals(vals: &[Val]) -> Self;
    /// Convert to values.
    fn into_vals(self) -> Vec<Val>;
}

/// Results of a typed call or host function: `()`, a [`WasmTy`], or a tuple of them.
pub trait WasmResults {
    /// The result types.
    fn types() -> Vec<ValType>;
    /// Write into `out` (of the right length).
    fn store(self, out: &mut [Val]);
    /// Convert from values.
    fn from_vals(vals: &[Val]) -> Self;
}

impl<X: WasmTy> WasmResults for X {
    fn types() -> Vec<ValType> {
        vec![X::TYPE]
    }
    fn store(self, out: &mut [Val]) {
        out[0] = self.into_val();
    }
    fn from_vals(vals: &[Val]) -> Self {
        X::from_val(vals[0])
    }
}

macro_rules! tuples {
    ($( ($($n:tt $x:ident),*) )*) => {$(
        impl<$($x: WasmTy),*> WasmParams for ($($x,)*) {
            fn types() -> Vec<ValType> {
                vec![$($x::TYPE),*]
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn from_vals(vals: &[Val]) -> Self {
                ($($x::from_val(vals[$n]),)*)
            }
            fn into_vals(self) -> Vec<Val> {
                vec![$(self.$n.into_val()),*]
            }
        }
        impl<$($x: WasmTy),*> WasmResults for ($($x,)*) {
            fn types() -> Vec<ValType> {
                vec![$($x::TYPE),*]
            }
            #[allow(unused_variables)]
            fn store(self, out: &mut [Val]) {
                $(out[$n] = self.$n.into_val();)*
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn from_vals(vals: &[Val]) -> Self {
                ($($x::from_val(vals[$n]),)*)
            }
        }
    )*};
}

tuples! {
    ()
    (0 A1)
    (0 A1, 1 A2)
    (0 A1, 1 A2, 2 A3)
    (0 A1, 1 A2, 2 A3, 3 A4)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5, 5 A6)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5, 5 A6, 6 A7)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5, 5 A6, 6 A7, 7 A8)
}

/// What a host closure may return: results, or a `Result` of them (an `Err` traps the guest).
pub trait IntoHostResult {
    /// The results.
    type Results: WasmResults;
    /// Unify into a `Result`.
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmResults> IntoHostResult for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmResults> IntoHostResult for Result<R> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self
    }
}

/// Marker for closures that take a [`Caller`] first.
pub struct WithCaller<P>(std::marker::PhantomData<P>);

/// A closure usable as a host function. Implemented for `Fn(A1, …) -> R` and `Fn(Caller<T>, A1, …) -> R`
/// with up to eight parameters.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// The signature and the engine-side function.
    fn into_func(self) -> (FuncType, HostFunc<T>);
}

macro_rules! into_func {
    ($( ($($n:tt $x:ident),*) )*) => {$(
        impl<T, F, R, $($x: WasmTy),*> IntoFunc<T, ($($x,)*), R> for F
        where
            F: Fn($($x),*) -> R + Send + Sync + 'static,
            R: IntoHostResult,
        {
            #[allow(non_snake_case)]
            fn into_func(self) -> (FuncType, HostFunc<T>) {
                let ty = FuncType::new(<($($x,)*) as WasmParams>::types(), R::Results::types());
                let f = move |_caller: Caller<'_, T>, args: &[Val], out: &mut [Val]| -> Result<()> {
                    let ($($x,)*) = <($($x,)*) as WasmParams>::from_vals(args);
                    self($($x),*).into_result()?.store(out);
                    Ok(())
                };
                (ty, Arc::new(f))
            }
        }

        impl<T, F, R, $($x: WasmTy),*> IntoFunc<T, WithCaller<($($x,)*)>, R> for F
        where
            F: Fn(Caller<'_, T>, $($x),*) -> R + Send + Sync + 'static,
            R: IntoHostResult,
        {
            #[allow(non_snake_case)]
            fn into_func(self) -> (FuncType, HostFunc<T>) {
                let ty = FuncType::new(<($($x,)*) as WasmParams>::types(), R::Results::types());
                let f = move |caller: Caller<'_, T>, args: &[Val], out: &mut [Val]| -> Result<()> {
                    let ($($x,)*) = <($($x,)*) as WasmParams>::from_vals(args);
                    self(caller, $($x),*).into_result()?.store(out);
                    Ok(())
                };
                (ty, Arc::new(f))
            }
        }
    )*};
}

into_func! {
    ()
    (0 A1)
    (0 A1, 1 A2)
    (0 A1, 1 A2, 2 A3)
    (0 A1, 1 A2, 2 A3, 3 A4)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5, 5 A6)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5, 5 A6, 6 A7)
    (0 A1, 1 A2, 2 A3, 3 A4, 4 A5, 5 A6, 6 A7, 7 A8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_ranges() {
        assert_eq!(checked_range(10, 2, 8).unwrap(), 2..10);
        assert!(checked_range(10, 2, 9).is_err());
        assert!(checked_range(10, u32::MAX, 2).is_err());
    }
}
