/* Executor, store and instances: a host module made in C (function, memory, global, table) registered
 * into a store, a wasm module instantiated against it, invocations, host functions reading guest memory
 * through the calling frame, their error codes, and statistics. */
#include <stdio.h>
#include <string.h>
#include <wasmedge/wasmedge.h>

#include "check.h"

static int finalized = 0;
static void finalize(void *data) { finalized += *(int *)data; }

/* env.log(i32 offset): copy five bytes of the caller's memory at `offset`; 999 fails with a user code. */
static char seen[8];
static int calls = 0;
static WasmEdge_Result host_log(void *data, const WasmEdge_CallingFrameContext *frame,
                                const WasmEdge_Value *in, WasmEdge_Value *out) {
  (void)out;
  calls += *(int *)data;
  int32_t offset = WasmEdge_ValueGetI32(in[0]);
  if (offset == 999) {
    return WasmEdge_ResultGen(WasmEdge_ErrCategory_UserLevelError, 42);
  }
  if (offset == 998) {
    return WasmEdge_Result_Terminate;
  }
  WasmEdge_MemoryInstanceContext *mem = WasmEdge_CallingFrameGetMemoryInstance(frame, 0);
  if (mem == NULL || WasmEdge_CallingFrameGetModuleInstance(frame) == NULL ||
      WasmEdge_CallingFrameGetExecutor(frame) == NULL) {
    return WasmEdge_Result_Fail;
  }
  CHECK(WasmEdge_CallingFrameGetMemoryInstance(frame, 1) == NULL);
  const uint8_t *p = WasmEdge_MemoryInstanceGetPointerConst(mem, (uint32_t)offset, 5);
  if (p == NULL) {
    return WasmEdge_ResultGen(WasmEdge_ErrCategory_WASM, WasmEdge_ErrCode_MemoryOutOfBounds);
  }
  memcpy(seen, p, 5);
  return WasmEdge_Result_Success;
}

/* A function with the binding signature: returns its two arguments' difference. */
static WasmEdge_Result wrapped(void *binding, void *data, const WasmEdge_CallingFrameContext *frame,
                               const WasmEdge_Value *in, uint32_t nin, WasmEdge_Value *out, uint32_t nout) {
  (void)data;
  (void)frame;
  CHECK(binding == (void *)&finalized && nin == 2 && nout == 1);
  out[0] = WasmEdge_ValueGenI64(WasmEdge_ValueGetI64(in[0]) - WasmEdge_ValueGetI64(in[1]));
  return WasmEdge_Result_Success;
}

static int pre = 0, post = 0;
static void on_pre(void *data) { pre += *(int *)data; }
static void on_post(void *data) { post += *(int *)data; }

static WasmEdge_String S(const char *s) { return WasmEdge_StringWrap(s, (uint32_t)strlen(s)); }

int main(void) {
  WasmEdge_LogOff();
  WasmEdge_ConfigureContext *conf = WasmEdge_ConfigureCreate();
  WasmEdge_ConfigureStatisticsSetInstructionCounting(conf, true);
  WasmEdge_ConfigureStatisticsSetCostMeasuring(conf, true);
  WasmEdge_StatisticsContext *stat = WasmEdge_StatisticsCreate();
  WasmEdge_ExecutorContext *exec = WasmEdge_ExecutorCreate(conf, stat);
  WasmEdge_StoreContext *store = WasmEdge_StoreCreate();
  WasmEdge_LoaderContext *loader = WasmEdge_LoaderCreate(conf);
  CHECK(exec && store && loader);

  /* The host module "env". */
  int one = 1, ten = 10;
  WasmEdge_ModuleInstanceContext *env = WasmEdge_ModuleInstanceCreateWithData(S("env"), &ten, finalize);
  CHECK(WasmEdge_ModuleInstanceGetHostData(env) == &ten);
  WasmEdge_ValType i32 = WasmEdge_ValTypeGenI32();
  WasmEdge_FunctionTypeContext *log_type = WasmEdge_FunctionTypeCreate(&i32, 1, NULL, 0);
  WasmEdge_FunctionInstanceContext *log_fn = WasmEdge_FunctionInstanceCreate(log_type, host_log, &one, 1000);
  CHECK(WasmEdge_FunctionInstanceGetData(log_fn) == &one);
  CHECK(WasmEdge_FunctionTypeGetParametersLength(WasmEdge_FunctionInstanceGetFunctionType(log_fn)) == 1);
  CHECK(WasmEdge_FunctionInstanceCreate(log_type, NULL, NULL, 0) == NULL);
  WasmEdge_ModuleInstanceAddFunction(env, S("log"), log_fn);
  WasmEdge_FunctionTypeDelete(log_type);

  WasmEdge_Limit mlim = {.HasMax = true, .Shared = false, .Min = 1, .Max = 4};
  WasmEdge_MemoryTypeContext *mt = WasmEdge_MemoryTypeCreate(mlim);
  WasmEdge_MemoryInstanceContext *mem = WasmEdge_MemoryInstanceCreate(mt);
  WasmEdge_MemoryTypeDelete(mt);
  CHECK(WasmEdge_MemoryInstanceGetPageSize(mem) == 1);
  CHECK(WasmEdge_ResultOK(WasmEdge_MemoryInstanceSetData(mem, (const uint8_t *)"world", 100, 5)));
  CHECK(WasmEdge_ResultGetCode(WasmEdge_MemoryInstanceSetData(mem, (const uint8_t *)"x", 65536, 1)) ==
        WasmEdge_ErrCode_MemoryOutOfBounds);
  WasmEdge_ModuleInstanceAddMemory(env, S("mem"), mem);

  WasmEdge_GlobalTypeContext *gt = WasmEdge_GlobalTypeCreate(i32, WasmEdge_Mutability_Const);
  CHECK(WasmEdge_GlobalInstanceCreate(gt, WasmEdge_ValueGenI64(1)) == NULL);
  WasmEdge_GlobalInstanceContext *base = WasmEdge_GlobalInstanceCreate(gt, WasmEdge_ValueGenI32(10));
  WasmEdge_GlobalTypeDelete(gt);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_GlobalInstanceSetValue(base, WasmEdge_ValueGenI32(1))) ==
        WasmEdge_ErrCode_SetValueToConst);
  WasmEdge_ModuleInstanceAddGlobal(env, S("base"), base);

  WasmEdge_Limit tlim = {.HasMax = false, .Shared = false, .Min = 2, .Max = 0};
  WasmEdge_TableTypeContext *tt = WasmEdge_TableTypeCreate(WasmEdge_ValTypeGenFuncRef(), tlim);
  WasmEdge_TableInstanceContext *tab = WasmEdge_TableInstanceCreate(tt);
  WasmEdge_TableTypeDelete(tt);
  CHECK(WasmEdge_TableInstanceGetSize(tab) == 2);
  WasmEdge_ModuleInstanceAddTable(env, S("tab"), tab);
  CHECK(WasmEdge_ModuleInstanceListFunctionLength(env) == 1 && WasmEdge_ModuleInstanceListMemoryLength(env) == 1);

  /* Instantiating before "env" is registered: unknown import. */
  WasmEdge_ASTModuleContext *ast = NULL;
  CHECK(WasmEdge_ResultOK(WasmEdge_LoaderParseFromFile(loader, &ast, "fixtures/module.wasm")));
  WasmEdge_ModuleInstanceContext *inst = NULL;
  WasmEdge_Result r = WasmEdge_ExecutorInstantiate(exec, &inst, store, ast);
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_UnknownImport && inst == NULL);

  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorRegisterImport(exec, store, env)));
  CHECK(WasmEdge_ResultGetCode(WasmEdge_ExecutorRegisterImport(exec, store, env)) ==
        WasmEdge_ErrCode_ModuleNameConflict);
  CHECK(WasmEdge_StoreListModuleLength(store) == 1);
  CHECK(WasmEdge_StoreFindModule(store, S("env")) == env);
  printf("ok host module\n");

  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorRegister(exec, &inst, store, ast, S("m"))));
  CHECK(inst != NULL && WasmEdge_StoreListModuleLength(store) == 2);
  WasmEdge_ModuleInstanceContext *again = NULL;
  CHECK(WasmEdge_ResultGetCode(WasmEdge_ExecutorRegister(exec, &again, store, ast, S("m"))) ==
        WasmEdge_ErrCode_ModuleNameConflict);
  WasmEdge_String names[4];
  CHECK(WasmEdge_StoreListModule(store, names, 4) == 2);
  CHECK(WasmEdge_StringIsEqual(names[0], S("env")) && WasmEdge_StringIsEqual(names[1], S("m")));
  CHECK(WasmEdge_StringIsEqual(WasmEdge_ModuleInstanceGetModuleName(inst), S("m")));

  /* Invoke. */
  WasmEdge_FunctionInstanceContext *add = WasmEdge_ModuleInstanceFindFunction(inst, S("add"));
  CHECK(add != NULL && WasmEdge_ModuleInstanceFindFunction(inst, S("nope")) == NULL);
  WasmEdge_Value args[2] = {WasmEdge_ValueGenI32(2), WasmEdge_ValueGenI32(3)};
  WasmEdge_Value res[1];
  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorInvoke(exec, add, args, 2, res, 1)));
  CHECK(WasmEdge_ValueGetI32(res[0]) == 15);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_ExecutorInvoke(exec, add, args, 1, res, 1)) ==
        WasmEdge_ErrCode_FuncSigMismatch);
  WasmEdge_Value wrong[2] = {WasmEdge_ValueGenI64(2), WasmEdge_ValueGenI32(3)};
  CHECK(WasmEdge_ResultGetCode(WasmEdge_ExecutorInvoke(exec, add, wrong, 2, res, 1)) ==
        WasmEdge_ErrCode_FuncSigMismatch);
  CHECK(WasmEdge_StatisticsGetInstrCount(stat) > 0 && WasmEdge_StatisticsGetTotalCost(stat) > 0);
  printf("ok invoke (%llu instructions)\n", (unsigned long long)WasmEdge_StatisticsGetInstrCount(stat));

  /* A host function reading guest memory: the data segment and the bytes written before registration. */
  WasmEdge_FunctionInstanceContext *call_log = WasmEdge_ModuleInstanceFindFunction(inst, S("call_log"));
  WasmEdge_Value at = WasmEdge_ValueGenI32(16);
  WasmEdge_ExecutorExperimentalRegisterPreHostFunction(exec, &one, on_pre);
  WasmEdge_ExecutorExperimentalRegisterPostHostFunction(exec, &ten, on_post);
  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorInvoke(exec, call_log, &at, 1, NULL, 0)));
  CHECK(memcmp(seen, "hello", 5) == 0 && calls == 1);
  CHECK(pre == 1 && post == 10);
  /* The host function's cost (1000) is gas, not instructions. */
  CHECK(WasmEdge_StatisticsGetTotalCost(stat) > 1000 && WasmEdge_StatisticsGetInstrCount(stat) < 100);
  WasmEdge_ExecutorExperimentalRegisterPreHostFunction(exec, NULL, NULL);
  WasmEdge_ExecutorExperimentalRegisterPostHostFunction(exec, NULL, NULL);
  at = WasmEdge_ValueGenI32(100);
  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorInvoke(exec, call_log, &at, 1, NULL, 0)));
  CHECK(memcmp(seen, "world", 5) == 0);
  at = WasmEdge_ValueGenI32(65534);
  r = WasmEdge_ExecutorInvoke(exec, call_log, &at, 1, NULL, 0);
  CHECK(WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_MemoryOutOfBounds);
  at = WasmEdge_ValueGenI32(999);
  r = WasmEdge_ExecutorInvoke(exec, call_log, &at, 1, NULL, 0);
  CHECK(WasmEdge_ResultGetCategory(r) == WasmEdge_ErrCategory_UserLevelError && WasmEdge_ResultGetCode(r) == 42);
  at = WasmEdge_ValueGenI32(998);
  r = WasmEdge_ExecutorInvoke(exec, call_log, &at, 1, NULL, 0);
  CHECK(WasmEdge_ResultOK(r) && WasmEdge_ResultGetCode(r) == WasmEdge_ErrCode_Terminated);
  printf("ok host calls\n");

  /* The host function on its own, and a binding-style function never registered anywhere. */
  WasmEdge_FunctionInstanceContext *env_log = WasmEdge_ModuleInstanceFindFunction(env, S("log"));
  at = WasmEdge_ValueGenI32(999);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_ExecutorInvoke(exec, env_log, &at, 1, NULL, 0)) == 42);
  WasmEdge_ValType two[2] = {WasmEdge_ValTypeGenI64(), WasmEdge_ValTypeGenI64()};
  WasmEdge_FunctionTypeContext *sub_type = WasmEdge_FunctionTypeCreate(two, 2, two, 1);
  WasmEdge_FunctionInstanceContext *sub =
      WasmEdge_FunctionInstanceCreateBinding(sub_type, wrapped, &finalized, NULL, 0);
  WasmEdge_FunctionTypeDelete(sub_type);
  WasmEdge_Value sargs[2] = {WasmEdge_ValueGenI64(50), WasmEdge_ValueGenI64(8)};
  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorInvoke(exec, sub, sargs, 2, res, 1)));
  CHECK(WasmEdge_ValueGetI64(res[0]) == 42);
  WasmEdge_FunctionInstanceDelete(sub);

  /* Memory, globals and tables of the instance. */
  WasmEdge_MemoryInstanceContext *memory = WasmEdge_ModuleInstanceFindMemory(inst, S("memory"));
  CHECK(memory != NULL && WasmEdge_MemoryInstanceGetPageSize(memory) == 1);
  uint8_t buf[5];
  CHECK(WasmEdge_ResultOK(WasmEdge_MemoryInstanceGetData(memory, buf, 16, 5)) && memcmp(buf, "hello", 5) == 0);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_MemoryInstanceGetData(memory, buf, 65535, 5)) ==
        WasmEdge_ErrCode_MemoryOutOfBounds);
  CHECK(WasmEdge_MemoryInstanceGetPointer(memory, 65535, 2) == NULL);
  CHECK(WasmEdge_ResultOK(WasmEdge_MemoryInstanceGrowPage(memory, 2)));
  CHECK(WasmEdge_MemoryInstanceGetPageSize(memory) == 3);
  CHECK(WasmEdge_MemoryTypeGetLimit(WasmEdge_MemoryInstanceGetMemoryType(memory)).Min == 3);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_MemoryInstanceGrowPage(memory, 2)) == WasmEdge_ErrCode_MemoryOutOfBounds);
  /* The host module's memory is the same memory. */
  CHECK(WasmEdge_MemoryInstanceGetPageSize(WasmEdge_ModuleInstanceFindMemory(env, S("mem"))) == 3);

  WasmEdge_GlobalInstanceContext *counter = WasmEdge_ModuleInstanceFindGlobal(inst, S("counter"));
  CHECK(WasmEdge_ValueGetI64(WasmEdge_GlobalInstanceGetValue(counter)) == 7);
  CHECK(WasmEdge_ResultOK(WasmEdge_GlobalInstanceSetValue(counter, WasmEdge_ValueGenI64(9))));
  CHECK(WasmEdge_ValueGetI64(WasmEdge_GlobalInstanceGetValue(counter)) == 9);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_GlobalInstanceSetValue(counter, WasmEdge_ValueGenI32(9))) ==
        WasmEdge_ErrCode_SetValueErrorType);
  CHECK(WasmEdge_GlobalTypeGetMutability(WasmEdge_GlobalInstanceGetGlobalType(counter)) == WasmEdge_Mutability_Var);

  WasmEdge_TableInstanceContext *table = WasmEdge_ModuleInstanceFindTable(inst, S("table"));
  CHECK(WasmEdge_TableInstanceGetSize(table) == 3);
  WasmEdge_Value elem;
  CHECK(WasmEdge_ResultOK(WasmEdge_TableInstanceGetData(table, &elem, 0)) && WasmEdge_ValueIsNullRef(elem));
  CHECK(WasmEdge_ResultOK(WasmEdge_TableInstanceSetData(table, WasmEdge_ValueGenFuncRef(add), 1)));
  CHECK(WasmEdge_ResultOK(WasmEdge_TableInstanceGetData(table, &elem, 1)));
  CHECK(WasmEdge_ValueGetFuncRef(elem) != NULL);
  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorInvoke(exec, WasmEdge_ValueGetFuncRef(elem), args, 2, res, 1)));
  CHECK(WasmEdge_ValueGetI32(res[0]) == 15);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_TableInstanceGetData(table, &elem, 3)) == WasmEdge_ErrCode_TableOutOfBounds);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_TableInstanceSetData(table, WasmEdge_ValueGenExternRef(&one), 0)) ==
        WasmEdge_ErrCode_RefTypeMismatch);
  CHECK(WasmEdge_ResultOK(WasmEdge_TableInstanceGrow(table, 7)) && WasmEdge_TableInstanceGetSize(table) == 10);
  CHECK(WasmEdge_ResultGetCode(WasmEdge_TableInstanceGrow(table, 1)) == WasmEdge_ErrCode_TableOutOfBounds);
  printf("ok instances\n");

  /* Listing. */
  CHECK(WasmEdge_ModuleInstanceListFunctionLength(inst) == 2);
  CHECK(WasmEdge_ModuleInstanceListFunction(inst, names, 4) == 2);
  CHECK(WasmEdge_StringIsEqual(names[0], S("add")) && WasmEdge_StringIsEqual(names[1], S("call_log")));
  CHECK(WasmEdge_ModuleInstanceListGlobal(inst, names, 1) == 1 && WasmEdge_StringIsEqual(names[0], S("counter")));
  CHECK(WasmEdge_ModuleInstanceListMemoryLength(inst) == 1 && WasmEdge_ModuleInstanceListTableLength(inst) == 1);
  CHECK(WasmEdge_ModuleInstanceListTagLength(inst) == 0);

  /* Deleting a registered module takes it out of the store; the finalizer runs. */
  WasmEdge_ModuleInstanceDelete(inst);
  CHECK(WasmEdge_StoreListModuleLength(store) == 1 && WasmEdge_StoreFindModule(store, S("m")) == NULL);
  WasmEdge_ModuleInstanceDelete(env);
  CHECK(finalized == 10 && WasmEdge_StoreListModuleLength(store) == 0);
  WasmEdge_ASTModuleDelete(ast);
  WasmEdge_StoreDelete(store);
  WasmEdge_LoaderDelete(loader);
  WasmEdge_ExecutorDelete(exec);
  WasmEdge_StatisticsDelete(stat);
  WasmEdge_ConfigureDelete(conf);

  /* NULL everywhere. */
  CHECK(WasmEdge_ResultGetCode(WasmEdge_ExecutorInvoke(NULL, NULL, NULL, 0, NULL, 0)) ==
        WasmEdge_ErrCode_WrongVMWorkflow);
  CHECK(WasmEdge_ModuleInstanceFindFunction(NULL, S("add")) == NULL);
  CHECK(WasmEdge_MemoryInstanceGetPointer(NULL, 0, 0) == NULL);
  CHECK(WasmEdge_StoreFindModule(NULL, S("env")) == NULL);
  WasmEdge_ModuleInstanceDelete(NULL);
  printf("ok all\n");
  return 0;
}
