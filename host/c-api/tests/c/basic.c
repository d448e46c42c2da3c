/* Version, log, strings, bytes, results, limits, value types, values and configure, as a C client sees
 * them: layouts, constants and behaviour of WasmEdge 0.15. */
#include <stddef.h>
#include <string.h>
#include <wasmedge/wasmedge.h>

#include "check.h"

_Static_assert(sizeof(WasmEdge_Value) == 32, "WasmEdge_Value is 32 bytes");
_Static_assert(_Alignof(WasmEdge_Value) == 16, "WasmEdge_Value is 16-aligned");
_Static_assert(sizeof(WasmEdge_ValType) == 8, "WasmEdge_ValType is 8 bytes");
_Static_assert(offsetof(WasmEdge_Value, Type) == 16, "the type follows the payload");
_Static_assert(sizeof(WasmEdge_String) == 16, "WasmEdge_String");
_Static_assert(sizeof(WasmEdge_Limit) == 12, "WasmEdge_Limit");
_Static_assert(sizeof(WasmEdge_Result) == 4, "WasmEdge_Result");

static int logged = 0;
static void on_log(const WasmEdge_LogMessage *m) { logged += m != NULL; }

int main(void) {
  /* Version. */
  CHECK(strcmp(WasmEdge_VersionGet(), WASMEDGE_VERSION) == 0);
  CHECK(WasmEdge_VersionGetMajor() == 0 && WasmEdge_VersionGetMinor() == 15 &&
        WasmEdge_VersionGetPatch() == 0);
  printf("ok version %s\n", WasmEdge_VersionGet());

  /* Log: levels and callback (nothing here logs yet; setting them must not crash). */
  WasmEdge_LogSetErrorLevel();
  WasmEdge_LogSetDebugLevel();
  WasmEdge_LogSetLevel(WasmEdge_LogLevel_Warn);
  WasmEdge_LogSetLevel((WasmEdge_LogLevel)99);
  WasmEdge_LogSetCallback(on_log);
  WasmEdge_LogSetCallback(NULL);
  WasmEdge_LogOff();

  /* Strings. */
  WasmEdge_String s = WasmEdge_StringCreateByCString("hello");
  CHECK(s.Length == 5 && memcmp(s.Buf, "hello", 5) == 0);
  WasmEdge_String w = WasmEdge_StringWrap("hello world", 5);
  CHECK(WasmEdge_StringIsEqual(s, w));
  CHECK(!WasmEdge_StringIsEqual(s, WasmEdge_StringWrap("help!", 5)));
  char buf[8];
  CHECK(WasmEdge_StringCopy(s, buf, sizeof buf) == 5 && strcmp(buf, "hello") == 0);
  CHECK(WasmEdge_StringCopy(s, buf, 3) == 3 && memcmp(buf, "hel", 3) == 0);
  CHECK(WasmEdge_StringCopy(s, NULL, 0) == 0);
  WasmEdge_String b = WasmEdge_StringCreateByBuffer("a\0b", 3);
  CHECK(b.Length == 3 && b.Buf[1] == '\0' && b.Buf[2] == 'b');
  WasmEdge_String empty = WasmEdge_StringCreateByCString(NULL);
  CHECK(empty.Length == 0 && empty.Buf == NULL);
  WasmEdge_StringDelete(s);
  WasmEdge_StringDelete(b);
  WasmEdge_StringDelete(empty);

  /* Bytes. */
  const uint8_t raw[] = {0, 'a', 's', 'm'};
  WasmEdge_Bytes by = WasmEdge_BytesCreate(raw, 4);
  CHECK(by.Length == 4 && by.Buf != raw && memcmp(by.Buf, raw, 4) == 0);
  WasmEdge_BytesDelete(by);
  WasmEdge_Bytes bw = WasmEdge_BytesWrap(raw, 4);
  CHECK(bw.Buf == raw && bw.Length == 4);
  CHECK(WasmEdge_BytesCreate(NULL, 3).Buf == NULL);

  /* Results. */
  CHECK(WasmEdge_ResultOK(WasmEdge_Result_Success));
  CHECK(WasmEdge_ResultOK(WasmEdge_Result_Terminate));
  CHECK(!WasmEdge_ResultOK(WasmEdge_Result_Fail));
  WasmEdge_Result r = WasmEdge_ResultGen(WasmEdge_ErrCategory_UserLevelError, 0x1234);
  CHECK(!WasmEdge_ResultOK(r) && WasmEdge_ResultGetCode(r) == 0x1234);
  CHECK(WasmEdge_ResultGetCategory(r) == WasmEdge_ErrCategory_UserLevelError);
  CHECK(strcmp(WasmEdge_ResultGetMessage(r), "user defined error code") == 0);
  r = WasmEdge_ResultGen(WasmEdge_ErrCategory_WASM, WasmEdge_ErrCode_MemoryOutOfBounds);
  CHECK(r.Code == 0x408 && strcmp(WasmEdge_ResultGetMessage(r), "out of bounds memory access") == 0);
  CHECK(strcmp(WasmEdge_ResultGetMessage(WasmEdge_Result_Fail), "generic runtime error") == 0);
  CHECK(WasmEdge_ResultGen(WasmEdge_ErrCategory_WASM, 0xFF000001).Code == 1);

  /* Limits. */
  WasmEdge_Limit l1 = {.HasMax = true, .Shared = false, .Min = 1, .Max = 2};
  WasmEdge_Limit l2 = l1;
  CHECK(WasmEdge_LimitIsEqual(l1, l2));
  l2.Max = 3;
  CHECK(!WasmEdge_LimitIsEqual(l1, l2));

  /* Value types. */
  WasmEdge_ValType i32 = WasmEdge_ValTypeGenI32();
  CHECK(WasmEdge_ValTypeIsI32(i32) && !WasmEdge_ValTypeIsI64(i32) && !WasmEdge_ValTypeIsRef(i32));
  CHECK(WasmEdge_ValTypeIsEqual(i32, WasmEdge_ValTypeGenI32()));
  CHECK(!WasmEdge_ValTypeIsEqual(i32, WasmEdge_ValTypeGenF32()));
  CHECK(WasmEdge_ValTypeIsI64(WasmEdge_ValTypeGenI64()) && WasmEdge_ValTypeIsF32(WasmEdge_ValTypeGenF32()));
  CHECK(WasmEdge_ValTypeIsF64(WasmEdge_ValTypeGenF64()) && WasmEdge_ValTypeIsV128(WasmEdge_ValTypeGenV128()));
  WasmEdge_ValType fr = WasmEdge_ValTypeGenFuncRef(), er = WasmEdge_ValTypeGenExternRef();
  CHECK(WasmEdge_ValTypeIsFuncRef(fr) && WasmEdge_ValTypeIsRef(fr) && WasmEdge_ValTypeIsRefNull(fr));
  CHECK(WasmEdge_ValTypeIsExternRef(er) && !WasmEdge_ValTypeIsFuncRef(er));
  /* WasmEdge's encoding: code in byte 2, heap type in byte 3. */
  CHECK(i32.Data[2] == 0x7F && fr.Data[2] == 0x63 && fr.Data[3] == 0x70 && er.Data[3] == 0x6F);

  /* Values. */
  CHECK(WasmEdge_ValueGetI32(WasmEdge_ValueGenI32(-7)) == -7);
  CHECK(WasmEdge_ValueGetI64(WasmEdge_ValueGenI64(-1234567890123LL)) == -1234567890123LL);
  CHECK(WasmEdge_ValueGetF32(WasmEdge_ValueGenF32(1.5f)) == 1.5f);
  CHECK(WasmEdge_ValueGetF64(WasmEdge_ValueGenF64(-2.25)) == -2.25);
  int128_t big = ((int128_t)0x0123456789ABCDEFLL << 64) | 0x0FEDCBA987654321LL;
  CHECK(WasmEdge_ValueGetV128(WasmEdge_ValueGenV128(big)) == big);
  WasmEdge_Value v = WasmEdge_ValueGenI32(1);
  CHECK(WasmEdge_ValTypeIsI32(v.Type));
  int target = 5;
  WasmEdge_Value ext = WasmEdge_ValueGenExternRef(&target);
  CHECK(WasmEdge_ValTypeIsExternRef(ext.Type) && !WasmEdge_ValueIsNullRef(ext));
  CHECK(WasmEdge_ValueGetExternRef(ext) == &target);
  CHECK(WasmEdge_ValueIsNullRef(WasmEdge_ValueGenExternRef(NULL)));
  CHECK(WasmEdge_ValueIsNullRef(WasmEdge_ValueGenFuncRef(NULL)));

  /* Configure. */
  WasmEdge_ConfigureContext *conf = WasmEdge_ConfigureCreate();
  CHECK(conf != NULL);
  CHECK(WasmEdge_ConfigureHasProposal(conf, WasmEdge_Proposal_SIMD));
  CHECK(WasmEdge_ConfigureHasProposal(conf, WasmEdge_Proposal_BulkMemoryOperations));
  CHECK(!WasmEdge_ConfigureHasProposal(conf, WasmEdge_Proposal_TailCall));
  WasmEdge_ConfigureAddProposal(conf, WasmEdge_Proposal_GC);
  CHECK(WasmEdge_ConfigureHasProposal(conf, WasmEdge_Proposal_FunctionReferences));
  WasmEdge_ConfigureRemoveProposal(conf, WasmEdge_Proposal_ReferenceTypes); /* GC needs it: kept */
  CHECK(WasmEdge_ConfigureHasProposal(conf, WasmEdge_Proposal_ReferenceTypes));
  WasmEdge_ConfigureRemoveProposal(conf, WasmEdge_Proposal_GC);
  CHECK(!WasmEdge_ConfigureHasProposal(conf, WasmEdge_Proposal_GC));
  WasmEdge_ConfigureAddProposal(conf, (enum WasmEdge_Proposal)1000); /* out of range: ignored */
  CHECK(!WasmEdge_ConfigureHasProposal(conf, (enum WasmEdge_Proposal)1000));
  CHECK(!WasmEdge_ConfigureHasHostRegistration(conf, WasmEdge_HostRegistration_Wasi));
  WasmEdge_ConfigureAddHostRegistration(conf, WasmEdge_HostRegistration_Wasi);
  CHECK(WasmEdge_ConfigureHasHostRegistration(conf, WasmEdge_HostRegistration_Wasi));
  CHECK(WasmEdge_ConfigureGetMaxMemoryPage(conf) == 65536);
  WasmEdge_ConfigureSetMaxMemoryPage(conf, 16);
  CHECK(WasmEdge_ConfigureGetMaxMemoryPage(conf) == 16);
  CHECK(WasmEdge_ConfigureCompilerGetOptimizationLevel(conf) == WasmEdge_CompilerOptimizationLevel_O3);
  WasmEdge_ConfigureCompilerSetOptimizationLevel(conf, WasmEdge_CompilerOptimizationLevel_Oz);
  CHECK(WasmEdge_ConfigureCompilerGetOptimizationLevel(conf) == WasmEdge_CompilerOptimizationLevel_Oz);
  CHECK(WasmEdge_ConfigureCompilerGetOutputFormat(conf) == WasmEdge_CompilerOutputFormat_Wasm);
  WasmEdge_ConfigureStatisticsSetInstructionCounting(conf, true);
  CHECK(WasmEdge_ConfigureStatisticsIsInstructionCounting(conf));
  CHECK(!WasmEdge_ConfigureStatisticsIsCostMeasuring(conf));
  WasmEdge_ConfigureSetForceInterpreter(conf, true);
  CHECK(WasmEdge_ConfigureIsForceInterpreter(conf));
  WasmEdge_ConfigureDelete(conf);
  /* NULL contexts: no crash, WasmEdge's defaults. */
  WasmEdge_ConfigureAddProposal(NULL, WasmEdge_Proposal_SIMD);
  CHECK(!WasmEdge_ConfigureHasProposal(NULL, WasmEdge_Proposal_SIMD));
  CHECK(WasmEdge_ConfigureGetMaxMemoryPage(NULL) == 0);
  CHECK(WasmEdge_ConfigureCompilerGetOutputFormat(NULL) == WasmEdge_CompilerOutputFormat_Wasm);
  WasmEdge_ConfigureDelete(NULL);
  CHECK(logged == 0);

  /* Statistics, before any run. */
  WasmEdge_StatisticsContext *stat = WasmEdge_StatisticsCreate();
  CHECK(WasmEdge_StatisticsGetInstrCount(stat) == 0 && WasmEdge_StatisticsGetTotalCost(stat) == 0);
  uint64_t costs[4] = {1, 2, 3, 4};
  WasmEdge_StatisticsSetCostTable(stat, costs, 4);
  WasmEdge_StatisticsSetCostLimit(stat, 100);
  WasmEdge_StatisticsClear(stat);
  CHECK(WasmEdge_StatisticsGetInstrCount(stat) == 0);
  WasmEdge_StatisticsDelete(stat);
  CHECK(WasmEdge_StatisticsGetInstrCount(NULL) == 0 && WasmEdge_StatisticsGetInstrPerSecond(NULL) == 0.0);
  WasmEdge_StatisticsDelete(NULL);

  printf("ok all\n");
  return 0;
}
