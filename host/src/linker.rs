//! The linker: names for imports. Host modules (WASI, plugins, your own functions) and instantiated wasm
//! modules are registered under a module name; instantiation resolves each import by (module, name).

use std::collections::HashMap;
use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::func::IntoFunc;
use crate::instance;
use crate::module::Module;
use crate::store::{Extern, Instance, Store};
use crate::types::Func;

/// Resolves imports by (module, name).
///
/// ```
/// use wasmedge_host::{Engine, Linker, Module, Store};
///
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, 0u32);
/// let mut linker = Linker::new();
/// linker.func_wrap(&mut store, "env", "bump", |mut caller: wasmedge_host::Caller<'_, u32>, by: i32| {
///     *caller.data_mut() += by as u32;
/// });
/// // (module (import "env" "bump" (func (param i32))) (func (export "run") i32.const 5 call 0))
/// let wasm = [
///     0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 2, 96, 1, 127, 0, 96, 0, 0, 2, 12, 1, 3, 101, 110, 118, 4, 98,
///     117, 109, 112, 0, 0, 3, 2, 1, 1, 7, 7, 1, 3, 114, 117, 110, 0, 1, 10, 8, 1, 6, 0, 65, 5, 16, 0, 11,
/// ];
/// let module = Module::new(&engine, wasm).unwrap();
/// let instance = linker.instantiate(&mut store, &module).unwrap();
/// instance.get_func(&store, "run").unwrap().call(&mut store, &[], &mut []).unwrap();
/// assert_eq!(*store.data(), 5);
/// ```
pub struct Linker<T> {
    defs: HashMap<(String, String), Extern>,
    alternates: HashMap<(String, String), String>,
    _store: PhantomData<fn(T)>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Linker { defs: HashMap::new(), alternates: HashMap::new(), _store: PhantomData }
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Define `module`.`name`; a later definition of the same name replaces the earlier one.
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> &mut Self {
        self.defs.insert((module.to_string(), name.to_string()), item.into());
        self
    }

    /// The names defined in `module`, sorted.
    pub fn names(&self, module: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self.defs.keys().filter(|(m, _)| m == module).map(|(_, n)| n.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// Define a host function from a typed closure (see [`Func::wrap`]).
    pub fn func_wrap<Params, Results>(
        &mut self,
        store: &mut Store<T>,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> &mut Self {
        let func = Func::wrap(store, f);
        self.define(module, name, func)
    }

    /// Define a host function with an explicit signature (see [`Func::new`]).
    pub fn func_new(
        &mut self,
        store: &mut Store<T>,
        module: &str,
        name: &str,
        ty: crate::FuncType,
        f: impl Fn(crate::Caller<'_, T>, &[crate::Val], &mut [crate::Val]) -> Result<()> + Send + Sync + 'static,
    ) -> &mut Self {
        let func = Func::new(store, ty, f);
        self.define(module, name, func)
    }

    /// Register every export of `instance` under `module` (the spec testsuite's `register`).
    pub fn instance(&mut self, store: &Store<T>, module: &str, instance: Instance) -> &mut Self {
        for (name, ext) in instance.exports(store) {
            self.defs.insert((module.to_string(), name.to_string()), ext);
        }
        self
    }

    /// Resolve a function import of `module`.`name` whose type is not the definition's with `module`.
    /// `alternate` instead, when that one's type matches: WasmEdge resolves its two generations of socket
    /// functions (`sock_recv_from` and `sock_recv_from_v2`, …) this way, by the signature the guest imports.
    pub fn alternate(&mut self, module: &str, name: &str, alternate: &str) -> &mut Self {
        self.alternates.insert((module.to_string(), name.to_string()), alternate.to_string());
        self
    }

    /// The definition an import resolves to: by name, or by name and signature ([`Linker::alternate`]).
    fn resolve(&self, store: &Store<T>, import: &crate::module::Import) -> Option<Extern> {
        let def = self.get(&import.module, &import.name)?;
        if let (Extern::Func(f), crate::ExternType::Func(want)) = (def, &import.ty)
            && f.ty(store) != *want
            && let Some(alt) = self.alternates.get(&(import.module.clone(), import.name.clone()))
            && let Some(Extern::Func(g)) = self.get(&import.module, alt)
            && g.ty(store) == *want
        {
            return Some(Extern::Func(g));
        }
        Some(def)
    }

    /// Look up a definition.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.defs.get(&(module.to_string(), name.to_string())).copied()
    }

    /// Whether anything is defined under `module`.
    pub fn has_module(&self, module: &str) -> bool {
        self.defs.keys().any(|(m, _)| m == module)
    }

    /// Resolve the module's imports and instantiate it (running its start function).
    pub fn instantiate(&self, store: &mut Store<T>, module: &Module) -> Result<Instance> {
        let imports = module
            .imports()
            .iter()
            .map(|i| self.resolve(store, i).ok_or_else(|| Error::unknown_import(&i.module, &i.name)))
            .collect::<Result<Vec<_>>>()?;
        instance::instantiate(store, module, &imports)
    }
}

impl Instance {
    /// Instantiate `module` with imports given in the module's import order.
    pub fn new<T>(store: &mut Store<T>, module: &Module, imports: &[Extern]) -> Result<Instance> {
        instance::instantiate(store, module, imports)
    }
}
