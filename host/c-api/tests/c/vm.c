/* The VM as crun and the SDKs drive it: WASI configured through the import module, a registered library
 * module, run-from-file, the load/validate/instantiate/execute workflow and its errors, function lists and
 * types, statistics, traps and exit codes. */
#include <stdio.h>
#include <string.h>
#include <wasmedge/wasmedge.h>

#include "check.h"

static WasmEdge_String S(const char *s) { return WasmEdge_StringWrap(s, (uint32_t)strlen(s)); }

int main(int argc, char **argv) {
  CHECK(argc == 2); /* a scratch directory */
  WasmEdge_LogOff();
  WasmEdge_ConfigureContext *conf = WasmEdge_ConfigureCreate();
  WasmEdge_ConfigureAddHostRegistration(conf, WasmEdge_HostRegistration_Wasi);
  WasmEdge_ConfigureStatisticsSetInstructionCounting(conf, true);
  WasmEdge_VMContext *vm = WasmEdge_VMCreate(conf, NULL);
  CHECK(vm != NULL);

  /* Workflow errors before anything is loaded. */
  WasmEdge_Value p[2], r[2];
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMValidate(vm)) == WasmEdge_ErrCode_WrongVMWorkflow);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMInstantiate(vm)) == WasmEdge_ErrCode_WrongVMWorkflow);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMExecute(vm, S("fib"), p, 1, r, 1)) == WasmEdge_ErrCode_WrongVMWorkflow);
  CHECK(WasmEdge_VMGetFunctionListLength(vm) == 0 && WasmEdge_VMGetActiveModule(vm) == NULL);

  /* WASI is there; configure it. */
  WasmEdge_ModuleInstanceContext *wasi = WasmEdge_VMGetImportModuleContext(vm, WasmEdge_HostRegistration_Wasi);
  CHECK(wasi != NULL && WasmEdge_StringIsEqual(WasmEdge_ModuleInstanceGetModuleName(wasi), S("wasi_snapshot_preview1")));
  CHECK(WasmEdge_ModuleInstanceListFunctionLength(wasi) > 40);
  CHECK(WasmEdge_ModuleInstanceFindFunction(wasi, S("fd_write")) != NULL);
  const char *args[] = {"prog.wasm", "a", "b"};
  const char *envs[] = {"KEY=value"};
  const char *dirs[] = {".:.", "/no/such/dir"};
  WasmEdge_ModuleInstanceInitWASI(wasi, args, 3, envs, 1, dirs, 2);
  CHECK(WasmEdge_ModuleInstanceWASIGetExitCode(wasi) == 0);
  uint64_t native = 99;
  CHECK(WasmEdge_ModuleInstanceWASIGetNativeHandler(wasi, 1, &native) == 0 && native == 1);
  CHECK(WasmEdge_ModuleInstanceWASIGetNativeHandler(wasi, 50, &native) == 2);

  /* The WASI command needs "lib". */
  WasmEdge_Result res = WasmEdge_VMRunWasmFromFile(vm, "fixtures/wasi.wasm", S("_start"), NULL, 0, NULL, 0);
  CHECK(WasmEdge_ResultGetCode(res) == WasmEdge_ErrCode_UnknownImport);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMRegisterModuleFromFile(vm, S("lib"), "fixtures/lib.wasm")));
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMRegisterModuleFromFile(vm, S("lib"), "fixtures/lib.wasm")) ==
        WasmEdge_ErrCode_ModuleNameConflict);
  CHECK(WasmEdge_VMListRegisteredModuleLength(vm) == 2);
  fflush(stdout);
  res = WasmEdge_VMRunWasmFromFile(vm, "fixtures/wasi.wasm", S("_start"), NULL, 0, NULL, 0);
  CHECK(WasmEdge_ResultOK(res) && WasmEdge_ResultGetCode(res) == WasmEdge_ErrCode_Terminated);
  CHECK(WasmEdge_ModuleInstanceWASIGetExitCode(wasi) == 3);
  printf("ok wasi exit %u\n", WasmEdge_ModuleInstanceWASIGetExitCode(wasi));

  /* The same module stays active: call its other exports. */
  p[0] = WasmEdge_ValueGenI32(5);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecute(vm, S("quad"), p, 1, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 20);
  p[0] = WasmEdge_ValueGenI32(20);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecute(vm, S("fib"), p, 1, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 6765);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMExecute(vm, S("nope"), p, 1, r, 1)) == WasmEdge_ErrCode_FuncNotFound);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMExecute(vm, S("fib"), p, 0, r, 1)) == WasmEdge_ErrCode_FuncSigMismatch);
  WasmEdge_StatisticsContext *stat = WasmEdge_VMGetStatisticsContext(vm);
  CHECK(WasmEdge_StatisticsGetInstrCount(stat) > 6765);
  printf("ok execute (%llu instructions)\n", (unsigned long long)WasmEdge_StatisticsGetInstrCount(stat));

  /* Function list and types of the active module. */
  uint32_t n = WasmEdge_VMGetFunctionListLength(vm);
  CHECK(n == 3);
  WasmEdge_String names[3];
  const WasmEdge_FunctionTypeContext *types[3];
  CHECK(WasmEdge_VMGetFunctionList(vm, names, types, 3) == 3);
  CHECK(WasmEdge_StringIsEqual(names[0], S("_start")) && WasmEdge_StringIsEqual(names[1], S("fib")));
  CHECK(WasmEdge_FunctionTypeGetParametersLength(types[0]) == 0 && WasmEdge_FunctionTypeGetReturnsLength(types[1]) == 1);
  const WasmEdge_FunctionTypeContext *ft = WasmEdge_VMGetFunctionType(vm, S("quad"));
  CHECK(ft && WasmEdge_FunctionTypeGetParametersLength(ft) == 1);
  CHECK(WasmEdge_VMGetFunctionType(vm, S("nope")) == NULL);
  CHECK(WasmEdge_VMGetFunctionTypeRegistered(vm, S("lib"), S("double")) != NULL);

  /* Registered modules. */
  p[0] = WasmEdge_ValueGenI32(21);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecuteRegistered(vm, S("lib"), S("double"), p, 1, r, 1)));
  CHECK(WasmEdge_ValueGetI32(r[0]) == 42);
  res = WasmEdge_VMExecuteRegistered(vm, S("lib"), S("trap"), NULL, 0, NULL, 0);
  CHECK(WasmEdge_ResultGetCode(res) == WasmEdge_ErrCode_Unreachable);
  CHECK(strcmp(WasmEdge_ResultGetMessage(res), "unreachable") == 0);
  CHECK(WasmEdge_VMGetRegisteredModule(vm, S("lib")) != NULL);
  CHECK(WasmEdge_StoreFindModule(WasmEdge_VMGetStoreContext(vm), S("lib")) != NULL);

  /* The step-by-step workflow. */
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMLoadWasmFromFile(vm, "fixtures/missing.wasm")) == WasmEdge_ErrCode_IllegalPath);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMLoadWasmFromFile(vm, "fixtures/wasi.wasm")));
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMInstantiate(vm)) == WasmEdge_ErrCode_WrongVMWorkflow);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMValidate(vm)));
  CHECK(WasmEdge_ResultOK(WasmEdge_VMInstantiate(vm)));
  p[0] = WasmEdge_ValueGenI32(1);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecute(vm, S("quad"), p, 1, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 4);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMLoadWasmFromFile(vm, "fixtures/invalid.wasm")));
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMValidate(vm)) == WasmEdge_ErrCode_TypeCheckFailed);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMExecute(vm, S("quad"), p, 1, r, 1)) == WasmEdge_ErrCode_WrongVMWorkflow);

  /* Cleanup drops the registered library and the active module; WASI stays. */
  WasmEdge_VMForceDeleteRegisteredModule(vm, S("lib"));
  CHECK(WasmEdge_VMGetRegisteredModule(vm, S("lib")) == NULL && WasmEdge_VMListRegisteredModuleLength(vm) == 1);
  WasmEdge_VMCleanup(vm);
  CHECK(WasmEdge_VMGetFunctionListLength(vm) == 0);
  CHECK(WasmEdge_VMGetImportModuleContext(vm, WasmEdge_HostRegistration_Wasi) == wasi);
  CHECK(WasmEdge_VMGetLoaderContext(vm) && WasmEdge_VMGetValidatorContext(vm) && WasmEdge_VMGetExecutorContext(vm));

  /* A VM without WASI, on a store the caller owns, running from a buffer. */
  WasmEdge_StoreContext *store = WasmEdge_StoreCreate();
  WasmEdge_VMContext *plain = WasmEdge_VMCreate(NULL, store);
  CHECK(WasmEdge_VMGetImportModuleContext(plain, WasmEdge_HostRegistration_Wasi) == NULL);
  FILE *f = fopen("fixtures/lib.wasm", "rb");
  uint8_t buf[256];
  size_t len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  p[0] = WasmEdge_ValueGenI32(8);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMRunWasmFromBuffer(plain, buf, (uint32_t)len, S("double"), p, 1, r, 1)));
  CHECK(WasmEdge_ValueGetI32(r[0]) == 16);
  WasmEdge_VMDelete(plain);
  WasmEdge_StoreDelete(store);

  /* Ahead-of-time compilation: a universal wasm and a shared library, both run by a VM. */
  char out_wasm[4096], out_so[4096];
  snprintf(out_wasm, sizeof out_wasm, "%s/lib-aot.wasm", argv[1]);
  snprintf(out_so, sizeof out_so, "%s/lib-aot.so", argv[1]);
  WasmEdge_ConfigureContext *cconf = WasmEdge_ConfigureCreate();
  WasmEdge_CompilerContext *compiler = WasmEdge_CompilerCreate(cconf);
  CHECK(WasmEdge_ResultOK(WasmEdge_CompilerCompile(compiler, "fixtures/lib.wasm", out_wasm)));
  CHECK(WasmEdge_ResultGetCode(WasmEdge_CompilerCompile(compiler, "fixtures/missing.wasm", out_wasm)) ==
        WasmEdge_ErrCode_IllegalPath);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_CompilerCompileFromBuffer(compiler, buf, 3, out_wasm)) ==
        WasmEdge_ErrCode_UnexpectedEnd);
  WasmEdge_CompilerDelete(compiler);
  WasmEdge_ConfigureCompilerSetOutputFormat(cconf, WasmEdge_CompilerOutputFormat_Native);
  compiler = WasmEdge_CompilerCreate(cconf);
  CHECK(WasmEdge_ResultOK(WasmEdge_CompilerCompileFromBuffer(compiler, buf, len, out_so)));
  WasmEdge_CompilerDelete(compiler);
  FILE *so = fopen(out_so, "rb");
  char magic[4];
  CHECK(so && fread(magic, 1, 4, so) == 4 && memcmp(magic, "\x7f" "ELF", 4) == 0);
  fclose(so);
  const char *outputs[] = {out_wasm, out_so};
  for (int i = 0; i < 2; i++) {
    WasmEdge_VMContext *aot = WasmEdge_VMCreate(cconf, NULL);
    p[0] = WasmEdge_ValueGenI32(100);
    CHECK(WasmEdge_ResultOK(WasmEdge_VMRunWasmFromFile(aot, outputs[i], S("double"), p, 1, r, 1)));
    CHECK(WasmEdge_ValueGetI32(r[0]) == 200);
    CHECK(WasmEdge_ResultGetCode(WasmEdge_VMExecute(aot, S("trap"), NULL, 0, NULL, 0)) == WasmEdge_ErrCode_Unreachable);
    WasmEdge_VMDelete(aot);
  }
  WasmEdge_ConfigureDelete(cconf);
  printf("ok compiler\n");

  /* Asynchronous runs: collected, waited for, and a cancelled endless loop (interruptible config). */
  WasmEdge_ConfigureContext *iconf = WasmEdge_ConfigureCreate();
  WasmEdge_ConfigureCompilerSetInterruptible(iconf, true);
  WasmEdge_VMContext *avm = WasmEdge_VMCreate(iconf, NULL);
  p[0] = WasmEdge_ValueGenI32(4);
  WasmEdge_Async *job = WasmEdge_VMAsyncRunWasmFromFile(avm, "fixtures/lib.wasm", S("double"), p, 1);
  CHECK(job != NULL);
  WasmEdge_AsyncWait(job);
  CHECK(WasmEdge_AsyncWaitFor(job, 0) && WasmEdge_AsyncGetReturnsLength(job) == 1);
  CHECK(WasmEdge_ResultOK(WasmEdge_AsyncGet(job, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 8);
  WasmEdge_AsyncDelete(job);
  job = WasmEdge_VMAsyncExecute(avm, S("spin"), NULL, 0);
  CHECK(!WasmEdge_AsyncWaitFor(job, 50));
  WasmEdge_AsyncCancel(job);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_AsyncGet(job, r, 1)) == WasmEdge_ErrCode_Interrupted);
  CHECK(WasmEdge_AsyncGetReturnsLength(job) == 0);
  WasmEdge_AsyncDelete(job);
  /* The cancel does not stop later runs. */
  p[0] = WasmEdge_ValueGenI32(7);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecute(avm, S("double"), p, 1, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 14);
  job = WasmEdge_ExecutorAsyncInvoke(WasmEdge_VMGetExecutorContext(avm),
                                     WasmEdge_ModuleInstanceFindFunction(WasmEdge_VMGetActiveModule(avm), S("double")), p, 1);
  CHECK(WasmEdge_ResultOK(WasmEdge_AsyncGet(job, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 14);
  WasmEdge_AsyncDelete(job);
  job = WasmEdge_VMAsyncExecute(avm, S("nope"), NULL, 0);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_AsyncGet(job, r, 1)) == WasmEdge_ErrCode_FuncNotFound);
  WasmEdge_AsyncDelete(job);
  WasmEdge_VMDelete(avm);
  WasmEdge_ConfigureDelete(iconf);
  CHECK(WasmEdge_VMAsyncExecute(NULL, S("x"), NULL, 0) == NULL);
  WasmEdge_AsyncWait(NULL);
  WasmEdge_AsyncDelete(NULL);
  printf("ok async\n");

  WasmEdge_VMDelete(vm);
  WasmEdge_ConfigureDelete(conf);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_VMRunWasmFromFile(NULL, "x", S("f"), NULL, 0, NULL, 0)) ==
        WasmEdge_ErrCode_WrongVMWorkflow);
  CHECK(WasmEdge_ModuleInstanceWASIGetExitCode(NULL) == 1);
  WasmEdge_VMDelete(NULL);
  printf("ok all\n");
  return 0;
}
