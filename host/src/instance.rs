//! Instantiation: resolved imports in, a running instance out.
//!
//! The steps follow the spec: check imports against the module's import types; allocate functions,
//! tables, memories and globals (evaluating global initialisers); build the [`VMContext`]; apply active
//! element and data segments in order (a segment that does not fit traps, and the writes before it stay,
//! as in WebAssembly 2.0); run the start function.

use crate::error::{Error, Result, TrapCode};
use crate::module::{ExportKind, Module, SegmentMode};
use crate::store::{Extern, FuncKind, Instance, InstanceData, Store};
use crate::types::{ExternType, Func};
use crate::vm::{self, VMContext, VmBox};

pub(crate) fn instantiate<T>(store: &mut Store<T>, module: &Module, imports: &[Extern]) -> Result<Instance> {
    let m = &module.inner;
    if !m.engine.same(&store.inner.engine) {
        return Err(Error::api("module and store belong to different engines"));
    }
    if imports.len() != m.imports.len() {
        return Err(Error::api(format!("module needs {} imports, {} given", m.imports.len(), imports.len())));
    }
    let mut funcs = Vec::with_capacity(m.funcs.len());
    let mut tables = Vec::with_capacity(m.tables.len());
    let mut memories = Vec::with_capacity(m.memories.len());
    let mut globals = Vec::with_capacity(m.globals.len());
    for (import, &ext) in m.imports.iter().zip(imports) {
        check_import(store, import, ext)?;
        match ext {
            Extern::Func(f) => funcs.push(f.0),
            Extern::Table(t) => tables.push(t.0),
            Extern::Memory(mem) => memories.push(mem.0),
            Extern::Global(g) => globals.push(g.0),
        }
    }

    let inner = &mut store.inner;
    let inst_index = inner.instances.len() as u32;
    for def in 0..m.bodies.len() as u32 {
        let ty = m.func_type(m.num_imported_funcs + def).clone();
        funcs.push(inner.add_func(FuncKind::Wasm { instance: inst_index, def }, ty).0);
    }
    for ty in &m.tables[m.num_imported_tables as usize..] {
        inner.tables.push(vm::Table::new(*ty, 0)?);
        tables.push(inner.tables.len() as u32 - 1);
    }
    let page_limit = inner.engine.config().max_memory_pages;
    for ty in &m.memories[m.num_imported_memories as usize..] {
        inner.memories.push(vm::Memory::new(*ty, page_limit)?);
        memories.push(inner.memories.len() as u32 - 1);
    }
    let func_ref = |f: u32| funcs[f as usize] as u128 + 1;
    for (i, ty) in m.globals.iter().enumerate().skip(m.num_imported_globals as usize) {
        let value = {
            let globals_now = &globals;
            let store_globals = &inner.globals;
            m.global_inits[i].eval(|g| store_globals[globals_now[g as usize] as usize].get(), func_ref)
        };
        inner.globals.push(vm::Global::new(*ty, value));
        globals.push(inner.globals.len() as u32 - 1);
    }

    let ctx_memories: Box<[_]> = memories.iter().map(|&i| inner.memories[i as usize].vm_ptr()).collect();
    let ctx_globals: Box<[_]> = globals.iter().map(|&i| inner.globals[i as usize].vm_ptr()).collect();
    let ctx_tables: Box<[_]> = tables.iter().map(|&i| inner.tables[i as usize].vm_ptr()).collect();
    let funcs: Box<[u32]> = funcs.into();
    let type_ids: Box<[u32]> = m.type_ids.clone().into();
    // How native code calls each import: straight into the callee's native code, or through this module's
    // host-call trampoline for the import's type.
    let func_imports: Box<[vm::VMFuncImport]> = match &m.native {
        None => Box::new([]),
        Some(native) => (0..m.num_imported_funcs as usize)
            .map(|i| {
                let f = funcs[i] as usize;
                let r = inner.func_refs[f];
                if r.code.is_null() {
                    vm::VMFuncImport { code: native.host_trampoline(m.funcs[i]), vmctx: r.vmctx }
                } else {
                    vm::VMFuncImport { code: r.code, vmctx: r.vmctx }
                }
            })
            .collect(),
    };
    let vmctx = VmBox::new(VMContext {
        memory0: ctx_memories.first().copied().unwrap_or(std::ptr::null_mut()),
        memories: ctx_memories.as_ptr(),
        globals: ctx_globals.as_ptr(),
        tables: ctx_tables.as_ptr(),
        funcs: funcs.as_ptr(),
        type_ids: type_ids.as_ptr(),
        store: inner.vmstore.as_ptr(),
        func_imports: func_imports.as_ptr(),
        instance: inst_index,
    });
    if let Some(native) = &m.native {
        for def in 0..m.bodies.len() as u32 {
            let f = funcs[(m.num_imported_funcs + def) as usize] as usize;
            inner.func_refs[f].code = native.func(def);
            inner.func_refs[f].vmctx = vmctx.as_ptr().cast();
        }
    }

    let global_raw = |g: u32| inner.globals[globals[g as usize] as usize].get();
    let func_raw = |f: u32| funcs[f as usize] as u128 + 1;
    let elems: Vec<Box<[u64]>> = m
        .elems
        .iter()
        .map(|seg| seg.items.iter().map(|item| item.eval(global_raw, func_raw) as u64).collect())
        .collect();
    let datas = m.datas.iter().map(|d| d.bytes.clone()).collect();
    let exports = m
        .exports
        .iter()
        .map(|e| {
            let ext = match e.kind {
                ExportKind::Func(i) => Extern::Func(Func(funcs[i as usize])),
                ExportKind::Table(i) => Extern::Table(crate::store::Table(tables[i as usize])),
                ExportKind::Memory(i) => Extern::Memory(crate::store::Memory(memories[i as usize])),
                ExportKind::Global(i) => Extern::Global(crate::store::Global(globals[i as usize])),
            };
            (e.name.clone(), ext)
        })
        .collect();
    inner.instances.push(InstanceData {
        module: module.clone(),
        vmctx,
        ctx_memories,
        ctx_globals,
        ctx_tables,
        funcs,
        type_ids,
        memories: memories.into(),
        tables: tables.into(),
        globals: globals.into(),
        elems,
        datas,
        exports,
        func_imports,
    });

    initialize_segments(store, inst_index)?;
    if let Some(start) = m.start {
        let func = Func(store.inner.instances[inst_index as usize].funcs[start as usize]);
        func.call(store, &[], &mut [])?;
    }
    Ok(Instance(inst_index))
}

/// Apply active segments in order, then drop active and declared ones.
fn initialize_segments<T>(store: &mut Store<T>, inst: u32) -> Result<()> {
    let module = store.inner.instances[inst as usize].module.clone();
    let m = &module.inner;
    let eval_offset = |store: &Store<T>, expr: &crate::module::ConstExpr| -> u32 {
        let data = &store.inner.instances[inst as usize];
        expr.eval(
            |g| store.inner.globals[data.globals[g as usize] as usize].get(),
            |f| data.funcs[f as usize] as u128 + 1,
        ) as u32
    };
    for (i, seg) in m.elems.iter().enumerate() {
        match &seg.mode {
            SegmentMode::Active { index, offset } => {
                let offset = eval_offset(store, offset);
                let inner = &mut store.inner;
                let data = &mut inner.instances[inst as usize];
                let elems = std::mem::take(&mut data.elems[i]);
                let table = &mut inner.tables[data.tables[*index as usize] as usize];
                let end = offset as usize + elems.len();
                if end > table.elements().len() {
                    return Err(Error::trap(TrapCode::TableOutOfBounds));
                }
                table.elements_mut()[offset as usize..end].copy_from_slice(&elems);
            }
            SegmentMode::Declared => store.inner.instances[inst as usize].elems[i] = Box::new([]),
            SegmentMode::Passive => {}
        }
    }
    for (i, seg) in m.datas.iter().enumerate() {
        if let SegmentMode::Active { index, offset } = &seg.mode {
            let offset = eval_offset(store, offset);
            let inner = &mut store.inner;
            let data = &mut inner.instances[inst as usize];
            let bytes = &m.bytes[std::mem::replace(&mut data.datas[i], 0..0)];
            let memory = &mut inner.memories[data.memories[*index as usize] as usize];
            let end = offset as usize + bytes.len();
            if end > memory.data().len() {
                return Err(Error::trap(TrapCode::MemoryOutOfBounds));
            }
            memory.data_mut()[offset as usize..end].copy_from_slice(bytes);
        }
    }
    Ok(())
}

fn check_import<T>(store: &Store<T>, import: &crate::module::Import, ext: Extern) -> Result<()> {
    let have = store.inner.extern_type(ext);
    let why = match (&import.ty, &have) {
        (ExternType::Func(want), ExternType::Func(got)) => (want != got).then(|| format!("expected {want}, got {got}")),
        (ExternType::Table(want), ExternType::Table(got)) => (want.element != got.element
            || !got.limits.matches(&want.limits))
        .then(|| format!("expected {want:?}, got {got:?}")),
        (ExternType::Memory(want), ExternType::Memory(got)) => {
            (!got.limits.matches(&want.limits)).then(|| format!("expected {want:?}, got {got:?}"))
        }
        (ExternType::Global(want), ExternType::Global(got)) => {
            (want != got).then(|| format!("expected {want:?}, got {got:?}"))
        }
        _ => Some(format!("expected a {}, got a {}", kind_name(&import.ty), kind_name(&have))),
    };
    match why {
        Some(why) => Err(Error::incompatible_import(&import.module, &import.name, &why)),
        None => Ok(()),
    }
}

fn kind_name(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "function",
        ExternType::Table(_) => "table",
        ExternType::Memory(_) => "memory",
        ExternType::Global(_) => "global",
    }
}
