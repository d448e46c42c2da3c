//! Write a plugin for the `wasmedge` runtime: host functions in a shared library that guests import like
//! WASI.
//!
//! ```
//! use wasmedge_plugin_sdk::{Frame, Module, OptionKind, Plugin};
//!
//! fn plugin() -> Plugin {
//!     Plugin::new("greeter", "Says hello", (0, 1, 0, 0))
//!         .option("greeting", "What to say", OptionKind::String)
//!         .module(
//!             Module::new("greeter", "Greeting functions", |options| {
//!                 Ok(options.string("greeting").unwrap_or("hello").to_string())
//!             })
//!             .func("add", |_greeting: &mut String, _frame: &mut Frame, a: i32, b: i32| Ok(a.wrapping_add(b)))
//!             .func("greet", |greeting: &mut String, frame: &mut Frame, ptr: u32, cap: u32| {
//!                 let bytes = greeting.as_bytes();
//!                 let n = bytes.len().min(cap as usize);
//!                 frame.write(ptr, &bytes[..n])?;
//!                 Ok(n as u32)
//!             }),
//!         )
//! }
//!
//! // In the plugin crate (crate-type = ["cdylib"]):
//! // wasmedge_plugin_sdk::export_plugin!(plugin());
//! # let _ = plugin();
//! ```
//!
//! No unsafe code on the author's side: guest memory is reached only through [`Frame`], which the runtime
//! bounds-checks, and a panic in a host function is caught and becomes a trap in the guest.

#![deny(unsafe_code)]

// The trait objects `abi_stable` generates for the interface contain unsafe code of its own; that module
// is the only place allowed to.
#[allow(unsafe_code, non_local_definitions)]
pub mod abi;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use abi_stable::sabi_types::RMut;
use abi_stable::std_types::{RErr, ROk, RResult, RSlice, RString, RVec};

pub use abi::{OptionKind, PluginVersion, RawVal, ValKind};
#[doc(hidden)]
pub use abi_stable;

pub mod testing;

/// A plugin: its name, description, version, program options and modules.
pub struct Plugin {
    name: String,
    description: String,
    version: PluginVersion,
    options: Vec<abi::OptionDescriptor>,
    modules: Vec<Box<dyn ErasedModule>>,
}

impl Plugin {
    /// A plugin with no modules yet; `version` is (major, minor, patch, build).
    pub fn new(name: &str, description: &str, version: (u32, u32, u32, u32)) -> Self {
        let (major, minor, patch, build) = version;
        Plugin {
            name: name.into(),
            description: description.into(),
            version: PluginVersion { major, minor, patch, build },
            options: Vec::new(),
            modules: Vec::new(),
        }
    }

    /// Add a program option: it becomes `--<name>` of the `wasmedge` command.
    pub fn option(mut self, name: &str, description: &str, kind: OptionKind) -> Self {
        self.options.push(abi::OptionDescriptor { name: name.into(), description: description.into(), kind });
        self
    }

    /// Add a module.
    pub fn module<S: Send + 'static>(mut self, module: Module<S>) -> Self {
        self.modules.push(Box::new(module));
        self
    }

    /// The descriptor the runtime reads.
    pub fn descriptor(&self) -> abi::PluginDescriptor {
        abi::PluginDescriptor {
            name: self.name.as_str().into(),
            description: self.description.as_str().into(),
            version: self.version,
            modules: self.modules.iter().map(|m| m.descriptor()).collect(),
            options: self.options.iter().cloned().collect(),
        }
    }

    fn instantiate(&self, module: u32, options: &Options) -> Result<abi::ModuleInstanceBox, String> {
        let m = self.modules.get(module as usize).ok_or_else(|| format!("no module number {module}"))?;
        // A runtime older than ABI 1.2 creates modules one by one: each gets a scope of its own.
        m.instantiate(options, &mut Scope::default())
    }

    /// Every module, in order, for one guest: they share one [`Scope`].
    fn instantiate_all(&self, options: &Options) -> Result<Vec<abi::ModuleInstanceBox>, String> {
        let mut scope = Scope::default();
        self.modules.iter().map(|m| m.instantiate(options, &mut scope)).collect()
    }
}

/// What the modules of a plugin instantiated for one guest share. The runtime creates all of a plugin's
/// modules for a guest together; a state that several modules need (handles created through one module
/// and used through another) is kept here by [`Module::new_in`] initialisers:
///
/// ```
/// # use std::sync::{Arc, Mutex};
/// # use wasmedge_plugin_sdk::Module;
/// #[derive(Default)]
/// struct Handles(Vec<u32>);
/// type Shared = Arc<Mutex<Handles>>;
/// let a = Module::new_in("a", "first", |_, scope| Ok(scope.get_or_insert_with(Shared::default)));
/// let b = Module::new_in("b", "second", |_, scope| Ok(scope.get_or_insert_with(Shared::default)));
/// # let _ = (a, b);
/// ```
#[derive(Default)]
pub struct Scope {
    values: Vec<Box<dyn std::any::Any + Send>>,
}

impl Scope {
    /// The scope's value of type `T`, created by `init` if this is the first module to ask for it. `T` is
    /// typically an `Arc<Mutex<…>>`, so each module's state is a handle on the same value.
    pub fn get_or_insert_with<T: std::any::Any + Send + Clone>(&mut self, init: impl FnOnce() -> T) -> T {
        if let Some(value) = self.values.iter().find_map(|v| v.downcast_ref::<T>()) {
            return value.clone();
        }
        let value = init();
        self.values.push(Box::new(value.clone()));
        value
    }
}

/// The program options given on the command line, as a module's initialiser sees them.
#[derive(Clone, Debug, Default)]
pub struct Options {
    entries: Vec<(String, Vec<String>)>,
}

impl Options {
    fn from_abi(entries: RSlice<'_, abi::OptionEntry>) -> Self {
        Options {
            entries: entries
                .iter()
                .map(|e| (e.name.to_string(), e.values.iter().map(|v| v.to_string()).collect()))
                .collect(),
        }
    }

    fn values(&self, name: &str) -> Option<&[String]> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// A string option's value, if given.
    pub fn string(&self, name: &str) -> Option<&str> {
        self.values(name)?.last().map(String::as_str)
    }

    /// An integer option's value, if given and valid.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.string(name)?.parse().ok()
    }

    /// Whether a toggle option was given.
    pub fn toggle(&self, name: &str) -> bool {
        self.values(name).is_some()
    }

    /// Every value of a list option, in order.
    pub fn list(&self, name: &str) -> &[String] {
        self.values(name).unwrap_or(&[])
    }
}

/// The caller's linear memory, as a host function sees it. Every access is checked against the memory's
/// current size by the runtime.
pub struct Frame<'a, 'b> {
    inner: abi::CallingFrame_TO<'a, RMut<'b, ()>>,
}

impl Frame<'_, '_> {
    /// The memory's current size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.inner.memory_size()
    }

    /// `len` bytes at `ptr`.
    pub fn read(&self, ptr: u32, len: u32) -> Result<Vec<u8>, String> {
        self.inner.read(ptr, len).map(|v| v.into_vec()).into_result().map_err(|e| e.into_string())
    }

    /// A UTF-8 string of `len` bytes at `ptr`.
    pub fn read_str(&self, ptr: u32, len: u32) -> Result<String, String> {
        String::from_utf8(self.read(ptr, len)?).map_err(|_| format!("invalid UTF-8 at guest address {ptr}"))
    }

    /// Write `bytes` at `ptr`.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), String> {
        self.inner.write(ptr, bytes.into()).into_result().map_err(|e| e.into_string())
    }
}

/// A value a host function takes or returns.
pub trait Value: Copy + 'static {
    /// Its WebAssembly type.
    const KIND: ValKind;
    /// From raw bits.
    fn from_raw(raw: RawVal) -> Self;
    /// To raw bits.
    fn into_raw(self) -> RawVal;
}

macro_rules! value {
    ($($t:ty => $kind:ident, |$r:ident| $from:expr, |$v:ident| $into:expr;)*) => {$(
        impl Value for $t {
            const KIND: ValKind = ValKind::$kind;
            fn from_raw($r: RawVal) -> Self {
                $from
            }
            fn into_raw(self) -> RawVal {
                let $v = self;
                RawVal { kind: ValKind::$kind, lo: $into, hi: 0 }
            }
        }
    )*};
}

value! {
    i32 => I32, |r| r.lo as u32 as i32, |v| v as u32 as u64;
    u32 => I32, |r| r.lo as u32, |v| v as u64;
    i64 => I64, |r| r.lo as i64, |v| v as u64;
    u64 => I64, |r| r.lo, |v| v;
    f32 => F32, |r| f32::from_bits(r.lo as u32), |v| v.to_bits() as u64;
    f64 => F64, |r| f64::from_bits(r.lo), |v| v.to_bits();
}

/// What a host function returns: `()`, a [`Value`], or a tuple of them.
pub trait Results {
    /// Their types.
    fn kinds() -> Vec<ValKind>;
    /// As raw values.
    fn into_raw(self) -> Vec<RawVal>;
}

impl Results for () {
    fn kinds() -> Vec<ValKind> {
        Vec::new()
    }
    fn into_raw(self) -> Vec<RawVal> {
        Vec::new()
    }
}

impl<V: Value> Results for V {
    fn kinds() -> Vec<ValKind> {
        vec![V::KIND]
    }
    fn into_raw(self) -> Vec<RawVal> {
        vec![Value::into_raw(self)]
    }
}

impl<A: Value, B: Value> Results for (A, B) {
    fn kinds() -> Vec<ValKind> {
        vec![A::KIND, B::KIND]
    }
    fn into_raw(self) -> Vec<RawVal> {
        vec![self.0.into_raw(), self.1.into_raw()]
    }
}

/// A module's state initialiser.
type Init<S> = Arc<dyn Fn(&Options, &mut Scope) -> Result<S, String> + Send + Sync>;

type Call<S> = Arc<dyn Fn(&mut S, &mut Frame<'_, '_>, &[RawVal]) -> Result<Vec<RawVal>, String> + Send + Sync>;

/// A typed closure usable as a host function: `Fn(&mut State, &mut Frame, A1, …) -> Result<R, String>`
/// with up to ten [`Value`] parameters and [`Results`] `R`.
pub trait HostFn<S, Args, R>: Send + Sync + 'static {
    /// Parameter and result types.
    fn signature() -> (Vec<ValKind>, Vec<ValKind>);
    /// Type-erase.
    fn erase(self) -> Call<S>;
}

macro_rules! host_fn {
    ($( ($($a:ident),*) )*) => {$(
        impl<S, F, R, $($a: Value),*> HostFn<S, ($($a,)*), R> for F
        where
            F: Fn(&mut S, &mut Frame<'_, '_>, $($a),*) -> Result<R, String> + Send + Sync + 'static,
            R: Results,
        {
            fn signature() -> (Vec<ValKind>, Vec<ValKind>) {
                (vec![$($a::KIND),*], R::kinds())
            }
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn erase(self) -> Call<S> {
                Arc::new(move |state, frame, args| {
                    let mut args = args.iter().copied();
                    $( let $a = $a::from_raw(args.next().ok_or("missing argument")?); )*
                    self(state, frame, $($a),*).map(R::into_raw)
                })
            }
        }
    )*};
}

host_fn! {
    ()
    (A1)
    (A1, A2)
    (A1, A2, A3)
    (A1, A2, A3, A4)
    (A1, A2, A3, A4, A5)
    (A1, A2, A3, A4, A5, A6)
    (A1, A2, A3, A4, A5, A6, A7)
    (A1, A2, A3, A4, A5, A6, A7, A8)
    (A1, A2, A3, A4, A5, A6, A7, A8, A9)
    (A1, A2, A3, A4, A5, A6, A7, A8, A9, A10)
}

/// A module: a name guests import from, a state created per instance, and host functions on that state.
pub struct Module<S> {
    name: String,
    description: String,
    init: Init<S>,
    functions: Vec<(abi::FunctionDescriptor, Call<S>)>,
}

impl<S: Send + 'static> Module<S> {
    /// A module whose instances start with the state `init` makes from the program options.
    pub fn new(
        name: &str,
        description: &str,
        init: impl Fn(&Options) -> Result<S, String> + Send + Sync + 'static,
    ) -> Self {
        Self::new_in(name, description, move |options, _| init(options))
    }

    /// A module whose state `init` makes from the program options and the [`Scope`] it shares with the
    /// plugin's other modules for the same guest.
    pub fn new_in(
        name: &str,
        description: &str,
        init: impl Fn(&Options, &mut Scope) -> Result<S, String> + Send + Sync + 'static,
    ) -> Self {
        Module { name: name.into(), description: description.into(), init: Arc::new(init), functions: Vec::new() }
    }

    /// Add a host function; its WebAssembly signature is inferred from the closure.
    pub fn func<Args, R, F: HostFn<S, Args, R>>(mut self, name: &str, f: F) -> Self {
        let (params, results) = F::signature();
        let descriptor = abi::FunctionDescriptor { name: name.into(), params: params.into(), results: results.into() };
        self.functions.push((descriptor, f.erase()));
        self
    }
}

trait ErasedModule: Send + Sync {
    fn descriptor(&self) -> abi::ModuleDescriptor;
    fn instantiate(&self, options: &Options, scope: &mut Scope) -> Result<abi::ModuleInstanceBox, String>;
}

impl<S: Send + 'static> ErasedModule for Module<S> {
    fn descriptor(&self) -> abi::ModuleDescriptor {
        abi::ModuleDescriptor {
            name: self.name.as_str().into(),
            description: self.description.as_str().into(),
            functions: self.functions.iter().map(|(d, _)| d.clone()).collect(),
        }
    }

    fn instantiate(&self, options: &Options, scope: &mut Scope) -> Result<abi::ModuleInstanceBox, String> {
        let state = (self.init)(options, scope)?;
        let calls = self.functions.iter().map(|(_, c)| c.clone()).collect();
        let instance = Instance { state, calls };
        Ok(abi::ModuleInstance_TO::from_value(instance, abi_stable::sabi_trait::TD_Opaque))
    }
}

/// A module instance on the plugin's side of the interface.
struct Instance<S> {
    state: S,
    calls: Vec<Call<S>>,
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
}

impl<S: Send> abi::ModuleInstance for Instance<S> {
    fn call(
        &mut self,
        function: u32,
        frame: abi::CallingFrame_TO<'_, RMut<'_, ()>>,
        args: RSlice<'_, RawVal>,
    ) -> RResult<RVec<RawVal>, RString> {
        let Some(call) = self.calls.get(function as usize) else {
            return RErr(format!("no function number {function}").into());
        };
        let mut frame = Frame { inner: frame };
        let state = &mut self.state;
        match catch_unwind(AssertUnwindSafe(|| call(state, &mut frame, args.as_slice()))) {
            Ok(Ok(results)) => ROk(results.into()),
            Ok(Err(message)) => RErr(message.into()),
            Err(panic) => RErr(format!("host function panicked: {}", panic_text(&*panic)).into()),
        }
    }
}

#[doc(hidden)]
pub extern "C" fn __sdk_version() -> RString {
    env!("CARGO_PKG_VERSION").into()
}

#[doc(hidden)]
pub fn __describe(plugin: fn() -> &'static Plugin) -> abi::PluginDescriptor {
    catch_unwind(plugin).map(Plugin::descriptor).unwrap_or_else(|panic| abi::PluginDescriptor {
        // An empty name tells the runtime the plugin failed to describe itself.
        name: RString::new(),
        description: format!("the plugin panicked while describing itself: {}", panic_text(&*panic)).into(),
        version: PluginVersion { major: 0, minor: 0, patch: 0, build: 0 },
        modules: RVec::new(),
        options: RVec::new(),
    })
}

#[doc(hidden)]
pub fn __instantiate(
    plugin: fn() -> &'static Plugin,
    module: u32,
    options: RSlice<'_, abi::OptionEntry>,
) -> RResult<abi::ModuleInstanceBox, RString> {
    let options = Options::from_abi(options);
    match catch_unwind(AssertUnwindSafe(|| plugin().instantiate(module, &options))) {
        Ok(Ok(instance)) => ROk(instance),
        Ok(Err(message)) => RErr(message.into()),
        Err(panic) => RErr(format!("the plugin panicked while creating a module: {}", panic_text(&*panic)).into()),
    }
}

#[doc(hidden)]
pub fn __instantiate_all(
    plugin: fn() -> &'static Plugin,
    options: RSlice<'_, abi::OptionEntry>,
) -> RResult<RVec<abi::ModuleInstanceBox>, RString> {
    let options = Options::from_abi(options);
    match catch_unwind(AssertUnwindSafe(|| plugin().instantiate_all(&options))) {
        Ok(Ok(instances)) => ROk(instances.into()),
        Ok(Err(message)) => RErr(message.into()),
        Err(panic) => RErr(format!("the plugin panicked while creating its modules: {}", panic_text(&*panic)).into()),
    }
}

/// Export a plugin from a `cdylib` crate: `export_plugin!(my_plugin());` where the expression builds the
/// [`Plugin`] (once, on first use).
#[macro_export]
macro_rules! export_plugin {
    ($plugin:expr) => {
        fn __wasmedge_plugin() -> &'static $crate::Plugin {
            static PLUGIN: ::std::sync::OnceLock<$crate::Plugin> = ::std::sync::OnceLock::new();
            PLUGIN.get_or_init(|| $plugin)
        }

        extern "C" fn __wasmedge_describe() -> $crate::abi::PluginDescriptor {
            $crate::__describe(__wasmedge_plugin)
        }

        extern "C" fn __wasmedge_instantiate(
            module: u32,
            options: $crate::abi_stable::std_types::RSlice<'_, $crate::abi::OptionEntry>,
        ) -> $crate::abi_stable::std_types::RResult<
            $crate::abi::ModuleInstanceBox,
            $crate::abi_stable::std_types::RString,
        > {
            $crate::__instantiate(__wasmedge_plugin, module, options)
        }

        extern "C" fn __wasmedge_instantiate_all(
            options: $crate::abi_stable::std_types::RSlice<'_, $crate::abi::OptionEntry>,
        ) -> $crate::abi_stable::std_types::RResult<
            $crate::abi_stable::std_types::RVec<$crate::abi::ModuleInstanceBox>,
            $crate::abi_stable::std_types::RString,
        > {
            $crate::__instantiate_all(__wasmedge_plugin, options)
        }

        // The ABI record tools read from the file (`abi::ABI_RECORD_SECTION`). The root module takes its
        // ABI version from it through `black_box`, which keeps the record (and its section) linked in.
        #[allow(unsafe_code)]
        #[unsafe(link_section = ".wasmedge_plugin")]
        #[used]
        static __WASMEDGE_PLUGIN_ABI: $crate::abi::AbiRecord = $crate::abi::AbiRecord::CURRENT;

        fn __wasmedge_root_module() -> $crate::abi::PluginModRef {
            use $crate::abi_stable::prefix_type::PrefixTypeTrait;
            let record: &$crate::abi::AbiRecord = ::std::hint::black_box(&__WASMEDGE_PLUGIN_ABI);
            $crate::abi::PluginMod {
                abi_major: record.abi_major,
                abi_minor: record.abi_minor,
                describe: __wasmedge_describe,
                instantiate: __wasmedge_instantiate,
                sdk_version: $crate::__sdk_version,
                instantiate_all: __wasmedge_instantiate_all,
            }
            .leak_into_prefix()
        }

        // What `abi_stable`'s `#[export_root_module]` generates, spelled with `$crate` paths so a plugin
        // crate needs no direct `abi_stable` dependency. The symbol name is `abi_stable`'s
        // `ROOT_MODULE_LOADER_NAME` (checked by a test in the SDK).
        #[allow(unsafe_code)]
        #[unsafe(export_name = "_1as_0lib_1header_0root_bmodule_bloader")]
        pub static __WASMEDGE_PLUGIN_HEADER: $crate::abi_stable::library::LibHeader = {
            extern "C" fn erased() -> $crate::abi_stable::library::RootModuleResult {
                $crate::abi_stable::library::__call_root_module_loader(__wasmedge_root_module)
            }
            // SAFETY: `erased` returns the root module of type `PluginModRef`, whose layout is checked at
            // load time (`CheckTypeLayout::Yes`).
            unsafe {
                $crate::abi_stable::library::LibHeader::from_constructor::<$crate::abi::PluginModRef>(
                    erased,
                    $crate::abi_stable::library::CheckTypeLayout::Yes,
                )
            }
        };
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn abi_record_round_trips_and_names_its_section() {
        use crate::abi::{ABI_MAJOR, ABI_RECORD_SECTION, AbiRecord};
        let r = AbiRecord::CURRENT;
        assert_eq!(std::mem::size_of::<AbiRecord>(), AbiRecord::SIZE);
        let mut bytes = r.magic.to_vec();
        for w in [r.format, r.abi_major, r.abi_minor, r.reserved] {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        assert_eq!(AbiRecord::parse(&bytes, true), Some(r));
        assert!(r.loads_in(ABI_MAJOR) && !r.loads_in(ABI_MAJOR + 1));
        bytes[0] ^= 1;
        assert_eq!(AbiRecord::parse(&bytes, true), None);
        // The macro spells the section name literally (attributes take no constants).
        assert!(include_str!("lib.rs").contains(&format!("link_section = \"{ABI_RECORD_SECTION}\"")));
    }

    #[test]
    fn exported_symbol_is_abi_stables_root_module_loader() {
        assert_eq!(abi_stable::library::ROOT_MODULE_LOADER_NAME, "_1as_0lib_1header_0root_bmodule_bloader");
    }
}
