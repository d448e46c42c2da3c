//! Load, validate and instantiate arbitrary bytes, on the interpreter and on the compiler, then call every
//! exported function with zero arguments under a gas limit. Whatever the bytes, each step either works or
//! returns an error: a panic, a crash or a hang is a finding. Imports are satisfied with stand-ins of the
//! imported type (functions return zeros).

#[path = "smith.rs"]
mod smith;

use wasmedge_host::{
    Backend, Config, Engine, Extern, ExternType, Func, Global, Instance, Memory, Module, Proposal, Store, Table, Val,
};

/// Tables and memories beyond these sizes are skipped: allocating them is the host's business, not a bug.
const MAX_TABLE: u64 = 100_000;
const MAX_PAGES: u32 = 1024;

/// What one input did, for the statistics.
#[derive(Default, Debug)]
pub(crate) struct LoadStats {
    pub inputs: u64,
    pub valid: u64,
    pub instantiated: u64,
    pub calls: u64,
}

fn config(backend: Backend) -> Config {
    let mut c = Config::new();
    for p in Proposal::ALL {
        if p.implemented() {
            c.proposal(p, true);
        }
    }
    c.backend(backend).max_memory_pages(MAX_PAGES).meter_gas(true).gas_limit(200_000).max_call_depth(2_000);
    c
}

fn stand_in(store: &mut Store<()>, ty: &ExternType) -> Option<Extern> {
    Some(match ty {
        ExternType::Func(f) => {
            let results: Vec<_> = f.results().to_vec();
            Extern::Func(Func::new(store, f.clone(), move |_, _, out| {
                for (slot, t) in out.iter_mut().zip(&results) {
                    *slot = Val::default_for(*t);
                }
                Ok(())
            }))
        }
        ExternType::Memory(m) => {
            if m.limits.min > u64::from(MAX_PAGES) {
                return None;
            }
            Extern::Memory(Memory::new(store, *m).ok()?)
        }
        ExternType::Table(t) => {
            if t.limits.min > MAX_TABLE {
                return None;
            }
            Extern::Table(Table::new(store, *t, Val::default_for(t.element)).ok()?)
        }
        ExternType::Global(g) => Extern::Global(Global::new(store, *g, Val::default_for(g.content)).ok()?),
    })
}

/// `wasm-smith` settings for valid modules that use every proposal we implement, with imports.
pub(crate) fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        min_types: 1,
        min_funcs: 1,
        multi_value_enabled: true,
        max_memories: 3,
        max_tables: 3,
        max_memory32_bytes: 64 << 16,
        max_table_elements: 10_000,
        export_everything: true,
        ..smith::our_proposals()
    }
}

/// A fuzz input as a module: odd first byte, `wasm-smith` builds a valid one from the rest; even, the rest
/// is the module's bytes as they are.
pub(crate) fn module_bytes(data: &[u8]) -> Option<Vec<u8>> {
    let (&first, rest) = data.split_first()?;
    if first % 2 == 0 {
        return Some(rest.to_vec());
    }
    let mut u = arbitrary::Unstructured::new(rest);
    wasm_smith::Module::new(smith_config(), &mut u).ok().map(|m| m.to_bytes())
}

/// Run one input through both backends.
pub(crate) fn check_bytes(bytes: &[u8], stats: &mut LoadStats) {
    stats.inputs += 1;
    for backend in [Backend::Interpreter, Backend::Compiler] {
        let engine = Engine::new(config(backend));
        let Ok(module) = Module::new(&engine, bytes) else { continue };
        stats.valid += 1;
        let too_big =
            module.exports().chain(module.imports().iter().map(|i| (i.name.as_str(), i.ty.clone()))).any(|(_, ty)| {
                match ty {
                    ExternType::Table(t) => t.limits.min > MAX_TABLE,
                    _ => false,
                }
            });
        if too_big {
            continue;
        }
        let mut store = Store::new(&engine, ());
        let imports: Option<Vec<Extern>> = module.imports().iter().map(|i| stand_in(&mut store, &i.ty)).collect();
        let Some(imports) = imports else { continue };
        let Ok(instance) = Instance::new(&mut store, &module, &imports) else { continue };
        stats.instantiated += 1;
        let funcs: Vec<Func> = instance
            .exports(&store)
            .filter_map(|(_, e)| match e {
                Extern::Func(f) => Some(f),
                _ => None,
            })
            .collect();
        for f in funcs {
            let ty = f.ty(&store);
            let params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            let _ = f.call(&mut store, &params, &mut results);
            stats.calls += 1;
        }
    }
}
