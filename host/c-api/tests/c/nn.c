/* WasmEdge_PluginInitWASINN with our wasi_nn plugin: the preloads it sets reach the plugin's modules that
 * VMs create afterwards, so a guest's load_by_name finds the preloaded name (its backend, OpenVINO, is not
 * built here: InvalidArgument, 1) and not an unknown one (NotFound, 8); without the preload, NotFound. */
#include <stdio.h>
#include <string.h>
#include <wasmedge/wasmedge.h>

#include "check.h"

static WasmEdge_String S(const char *s) { return WasmEdge_StringWrap(s, (uint32_t)strlen(s)); }

static int32_t call(WasmEdge_VMContext *vm, const char *name) {
  WasmEdge_Value r[1];
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecute(vm, S(name), NULL, 0, r, 1)));
  return WasmEdge_ValueGetI32(r[0]);
}

static WasmEdge_VMContext *guest(void) {
  WasmEdge_VMContext *vm = WasmEdge_VMCreate(NULL, NULL);
  CHECK(WasmEdge_VMGetRegisteredModule(vm, S("wasi_ephemeral_nn")) != NULL);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMLoadWasmFromFile(vm, "fixtures/nn.wasm")));
  CHECK(WasmEdge_ResultOK(WasmEdge_VMValidate(vm)));
  CHECK(WasmEdge_ResultOK(WasmEdge_VMInstantiate(vm)));
  return vm;
}

int main(int argc, char **argv) {
  CHECK(argc == 2); /* the wasi_nn plugin */
  WasmEdge_LogOff();
  const char *preloads[] = {"ov:OpenVINO:CPU:/nonexistent/model.xml"};
  WasmEdge_PluginInitWASINN(preloads, 1);
  WasmEdge_PluginLoadFromPath(argv[1]);
  CHECK(WasmEdge_PluginFind(S("wasi_nn")) != NULL);

  WasmEdge_VMContext *vm = guest();
  CHECK(call(vm, "preloaded") == 1);
  CHECK(call(vm, "unknown") == 8);
  WasmEdge_VMDelete(vm);
  printf("ok preloaded\n");

  /* No preloads for the VMs made from now on. */
  WasmEdge_PluginInitWASINN(NULL, 0);
  vm = guest();
  CHECK(call(vm, "preloaded") == 8);
  WasmEdge_VMDelete(vm);
  printf("ok not preloaded\n");
  printf("ok all\n");
  return 0;
}
