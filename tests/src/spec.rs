//! A reusable runner for `.wast` spec test files: every directive of the core spec's script format.

use std::collections::HashMap;

use wasmedge_host::{
    Backend, Config, Engine, Error, ErrorKind, ExternRef, Func, Global, GlobalType, Instance, Limits, Linker, Memory,
    MemoryType, Module, Store, Table, TableType, TrapCode, Val, ValType,
};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// The result of running one file.
#[derive(Debug, Default)]
pub struct Outcome {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// One line per failure: `file:line: what happened`.
    pub failures: Vec<String>,
}

/// Directives to skip: by file name, or by `file:line`, each with the reason.
#[derive(Debug, Default)]
pub struct Skips {
    entries: HashMap<String, String>,
}

impl Skips {
    /// Parse the checked-in skip list: `name-or-name:line<whitespace>reason`, `#` comments.
    pub fn parse(text: &str) -> Skips {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (key, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
                (key.to_string(), reason.trim().to_string())
            })
            .collect();
        Skips { entries }
    }

    fn file(&self, file: &str) -> bool {
        self.entries.contains_key(file)
    }

    fn line(&self, file: &str, line: usize) -> bool {
        self.entries.contains_key(&format!("{file}:{line}"))
    }
}

struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    current: Option<Instance>,
    /// The compiler refused a module as "not supported yet": the rest of the file is skipped.
    unsupported: bool,
}

/// Run the directives of one `.wast` file under `config`.
pub fn run_file(file: &str, text: &str, config: &Config, skips: &Skips) -> Outcome {
    let mut outcome = Outcome::default();
    // `names.wast` deliberately uses confusable Unicode in export names.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => {
            outcome.failed += 1;
            outcome.failures.push(format!("{file}: cannot lex: {e}"));
            return outcome;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(w) => w,
        Err(e) => {
            outcome.failed += 1;
            outcome.failures.push(format!("{file}: cannot parse: {e}"));
            return outcome;
        }
    };
    if skips.file(file) {
        outcome.skipped += wast.directives.len();
        return outcome;
    }
    let engine = Engine::new(config.clone());
    let mut store = Store::new(&engine, ());
    let linker = spectest(&mut store);
    let mut runner = Runner {
        engine,
        store,
        linker,
        instances: HashMap::new(),
        definitions: HashMap::new(),
        current: None,
        unsupported: false,
    };
    for directive in wast.directives {
        let (line, _) = directive.span().linecol_in(text);
        let line = line + 1;
        if skips.line(file, line) || runner.unsupported {
            outcome.skipped += 1;
            continue;
        }
        match runner.directive(directive) {
            _ if runner.unsupported => outcome.skipped += 1,
            Ok(()) => outcome.passed += 1,
            Err(why) => {
                outcome.failed += 1;
                outcome.failures.push(format!("{file}:{line}: {why}"));
            }
        }
    }
    outcome
}

/// The `spectest` host module every spec file may import.
pub fn spectest(store: &mut Store<()>) -> Linker<()> {
    let mut l = Linker::new();
    l.func_wrap(store, "spectest", "print", || {});
    l.func_wrap(store, "spectest", "print_i32", |_: i32| {});
    l.func_wrap(store, "spectest", "print_i64", |_: i64| {});
    l.func_wrap(store, "spectest", "print_f32", |_: f32| {});
    l.func_wrap(store, "spectest", "print_f64", |_: f64| {});
    l.func_wrap(store, "spectest", "print_i32_f32", |_: i32, _: f32| {});
    l.func_wrap(store, "spectest", "print_f64_f64", |_: f64, _: f64| {});
    let global = |store: &mut Store<()>, content, val| {
        Global::new(store, GlobalType { content, mutable: false }, val).expect("spectest global")
    };
    let g = global(store, ValType::I32, Val::I32(666));
    l.define("spectest", "global_i32", g);
    let g = global(store, ValType::I64, Val::I64(666));
    l.define("spectest", "global_i64", g);
    let g = global(store, ValType::F32, Val::from(666.6f32));
    l.define("spectest", "global_f32", g);
    let g = global(store, ValType::F64, Val::from(666.6f64));
    l.define("spectest", "global_f64", g);
    let table = Table::new(
        store,
        TableType { element: ValType::FuncRef, limits: Limits { min: 10, max: Some(20) } },
        Val::FuncRef(None),
    )
    .expect("spectest table");
    l.define("spectest", "table", table);
    let memory = Memory::new(store, MemoryType { limits: Limits { min: 1, max: Some(2) } }).expect("spectest memory");
    l.define("spectest", "memory", memory);
    l
}

type Check = Result<(), String>;

impl Runner {
    fn directive(&mut self, d: WastDirective<'_>) -> Check {
        match d {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let module = self.compile(&mut module).map_err(|e| format!("module failed to load: {e}"))?;
                let instance = self
                    .linker
                    .instantiate(&mut self.store, &module)
                    .map_err(|e| format!("instantiation failed: {e}"))?;
                self.current = Some(instance);
                if let Some(name) = name {
                    self.instances.insert(name, instance);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string()).unwrap_or_default();
                let module = self.compile(&mut module).map_err(|e| format!("module failed to load: {e}"))?;
                self.definitions.insert(name, module);
                Ok(())
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let def = module.map(|m| m.name().to_string()).unwrap_or_default();
                let module = self.definitions.get(&def).ok_or("unknown module definition")?.clone();
                let inst = self
                    .linker
                    .instantiate(&mut self.store, &module)
                    .map_err(|e| format!("instantiation failed: {e}"))?;
                self.current = Some(inst);
                if let Some(name) = instance {
                    self.instances.insert(name.name().to_string(), inst);
                }
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let inst = self.instance(module.map(|m| m.name()))?;
                self.linker.instance(&self.store, name, inst);
                Ok(())
            }
            WastDirective::Invoke(invoke) => self.invoke(&invoke).map(|_| ()).map_err(|e| e.to_string()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = self.execute(exec).map_err(|e| format!("expected a return, got: {e}"))?;
                if got.len() != results.len() {
                    return Err(format!("expected {} results, got {got:?}", results.len()));
                }
                for (g, want) in got.iter().zip(&results) {
                    if !matches_ret(g, want) {
                        return Err(format!("got {got:?}, expected {results:?}"));
                    }
                }
                Ok(())
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec) {
                Ok(v) => Err(format!("expected trap \"{message}\", got {v:?}")),
                Err(e) => check_message(&e, message, true),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(v) => Err(format!("expected exhaustion, got {v:?}")),
                Err(e) if e.trap_code() == Some(TrapCode::CallStackExhausted) => Ok(()),
                Err(e) => Err(format!("expected \"{message}\", got: {e}")),
            },
            WastDirective::AssertInvalid { mut module, message, .. } => match self.compile(&mut module) {
                Ok(_) => Err(format!("expected invalid module (\"{message}\"), but it loaded")),
                Err(_) => Ok(()),
            },
            WastDirective::AssertMalformed { mut module, message, .. } => {
                if let QuoteWat::QuoteModule(..) = module {
                    // Text that does not even parse is malformed by definition.
                    if module.encode().is_err() {
                        return Ok(());
                    }
                }
                match self.compile(&mut module) {
                    Ok(_) => Err(format!("expected malformed module (\"{message}\"), but it loaded")),
                    Err(_) => Ok(()),
                }
            }
            WastDirective::AssertUnlinkable { module, message, .. } => {
                let mut module = QuoteWat::Wat(module);
                let module = self.compile(&mut module).map_err(|e| format!("module failed to load: {e}"))?;
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Err(format!("expected unlinkable (\"{message}\"), but it linked")),
                    Err(e) if matches!(e.kind(), ErrorKind::UnknownImport | ErrorKind::IncompatibleImport) => Ok(()),
                    Err(e) => Err(format!("expected unlinkable (\"{message}\"), got: {e}")),
                }
            }
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => Ok(()),
            WastDirective::AssertException { .. } => Err("exception handling is not supported".into()),
            WastDirective::AssertSuspension { .. } => Err("stack switching is not supported".into()),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Err("threads are not supported".into()),
        }
    }

    fn compile(&mut self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        if let QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)) = module {
            return Err("components are not supported".into());
        }
        let bytes = module.encode().map_err(|e| format!("wast encode: {e}"))?;
        Module::new(&self.engine, bytes).map_err(|e| {
            // Under the compiler, a valid module it cannot compile yet ends the file as skipped.
            if self.engine.config().selected_backend() == Backend::Compiler
                && matches!(e.kind(), ErrorKind::Unsupported)
                && e.to_string().contains("the compiler does not support")
            {
                self.unsupported = true;
            }
            e.to_string()
        })
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, String> {
        match name {
            Some(n) => self.instances.get(n).copied().ok_or_else(|| format!("unknown module ${n}")),
            None => self.current.ok_or_else(|| "no current module".to_string()),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, Error> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(module) => {
                let mut module = QuoteWat::Wat(module);
                let module = self.compile(&mut module).map_err(Error::api)?;
                self.linker.instantiate(&mut self.store, &module).map(|_| vec![])
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module.map(|m| m.name())).map_err(Error::api)?;
                let g = inst.get_global(&self.store, global).ok_or_else(|| Error::api("unknown global"))?;
                Ok(vec![g.get(&self.store)])
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, Error> {
        let inst = self.instance(invoke.module.map(|m| m.name())).map_err(Error::api)?;
        let func: Func = inst
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| Error::api(format!("unknown export {}", invoke.name)))?;
        let args = invoke.args.iter().map(arg).collect::<Result<Vec<_>, _>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|&t| Val::default_for(t)).collect();
        func.call(&mut self.store, &args, &mut results)?;
        Ok(results)
    }
}

fn check_message(e: &Error, expected: &str, _trap: bool) -> Check {
    let msg = e.message();
    if msg.contains(expected) || expected.starts_with(msg) {
        Ok(())
    } else {
        Err(format!("expected \"{expected}\", got: {e}"))
    }
}

fn heap_is_extern(h: &HeapType<'_>) -> bool {
    matches!(h, HeapType::Abstract { ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern, .. })
}

fn arg(a: &WastArg<'_>) -> Result<Val, Error> {
    let WastArg::Core(a) = a else { return Err(Error::api("component values are not supported")) };
    Ok(match a {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(h) if heap_is_extern(h) => Val::ExternRef(None),
        WastArgCore::RefNull(_) => Val::FuncRef(None),
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef(*n))),
        WastArgCore::RefHost(_) => return Err(Error::api("ref.host is not supported")),
    })
}

fn f32_matches(bits: u32, want: &NanPattern<wast::token::F32>) -> bool {
    match want {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => f32::from_bits(bits).is_nan() && bits & 0x0040_0000 != 0,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(bits: u64, want: &NanPattern<wast::token::F64>) -> bool {
    match want {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => f64::from_bits(bits).is_nan() && bits & 0x0008_0000_0000_0000 != 0,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn v128_matches(v: u128, want: &V128Pattern) -> bool {
    let bytes = v.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&bytes[i * n..i * n + n]);
        u64::from_le_bytes(b)
    };
    match want {
        V128Pattern::I8x16(l) => l.iter().enumerate().all(|(i, &x)| lane(i, 1) as u8 == x as u8),
        V128Pattern::I16x8(l) => l.iter().enumerate().all(|(i, &x)| lane(i, 2) as u16 == x as u16),
        V128Pattern::I32x4(l) => l.iter().enumerate().all(|(i, &x)| lane(i, 4) as u32 == x as u32),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, &x)| lane(i, 8) == x as u64),
        V128Pattern::F32x4(l) => l.iter().enumerate().all(|(i, p)| f32_matches(lane(i, 4) as u32, p)),
        V128Pattern::F64x2(l) => l.iter().enumerate().all(|(i, p)| f64_matches(lane(i, 8), p)),
    }
}

fn matches_ret(got: &Val, want: &WastRet<'_>) -> bool {
    let WastRet::Core(want) = want else { return false };
    match (got, want) {
        (Val::I32(g), WastRetCore::I32(w)) => g == w,
        (Val::I64(g), WastRetCore::I64(w)) => g == w,
        (Val::F32(g), WastRetCore::F32(w)) => f32_matches(*g, w),
        (Val::F64(g), WastRetCore::F64(w)) => f64_matches(*g, w),
        (Val::V128(g), WastRetCore::V128(w)) => v128_matches(*g, w),
        (Val::FuncRef(None), WastRetCore::RefNull(h)) => h.as_ref().is_none_or(|h| !heap_is_extern(h)),
        (Val::ExternRef(None), WastRetCore::RefNull(h)) => h.as_ref().is_none_or(heap_is_extern),
        (Val::ExternRef(Some(g)), WastRetCore::RefExtern(w)) => w.is_none_or(|w| w == g.0),
        (Val::FuncRef(Some(_)), WastRetCore::RefFunc(None)) => true,
        (Val::FuncRef(Some(_)), WastRetCore::RefFunc(Some(_))) => true,
        _ => false,
    }
}
