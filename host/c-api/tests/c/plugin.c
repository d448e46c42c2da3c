/* Plugins through the C API: our example plugin loaded from a path, listed and found, its module made
 * with and without options, registered by hand and by the VM, and called by a guest. */
#include <stdio.h>
#include <string.h>
#include <wasmedge/wasmedge.h>

#include "check.h"

static WasmEdge_String S(const char *s) { return WasmEdge_StringWrap(s, (uint32_t)strlen(s)); }

int main(int argc, char **argv) {
  CHECK(argc == 3); /* our SDK's example plugin, and a WasmEdge C plugin */
  WasmEdge_LogOff();
  CHECK(WasmEdge_PluginListPluginsLength() == 0);
  WasmEdge_PluginLoadFromPath("/no/such/plugin.so");
  CHECK(WasmEdge_PluginListPluginsLength() == 0);
  WasmEdge_PluginLoadFromPath(argv[1]);
  WasmEdge_PluginLoadFromPath(argv[1]); /* twice: loaded once */
  CHECK(WasmEdge_PluginListPluginsLength() == 1);
  WasmEdge_String names[4];
  CHECK(WasmEdge_PluginListPlugins(names, 4) == 1 && WasmEdge_StringIsEqual(names[0], S("hello")));
  const WasmEdge_PluginContext *plugin = WasmEdge_PluginFind(S("hello"));
  CHECK(plugin != NULL && WasmEdge_PluginFind(S("nope")) == NULL);
  CHECK(WasmEdge_StringIsEqual(WasmEdge_PluginGetPluginName(plugin), S("hello")));
  CHECK(WasmEdge_PluginListModuleLength(plugin) == 1);
  CHECK(WasmEdge_PluginListModule(plugin, names, 4) == 1 && WasmEdge_StringIsEqual(names[0], S("hello")));
  CHECK(WasmEdge_PluginCreateModule(plugin, S("nope")) == NULL);
  printf("ok found\n");

  /* The VM registers every loaded plugin's modules. */
  WasmEdge_VMContext *vm = WasmEdge_VMCreate(NULL, NULL);
  CHECK(WasmEdge_VMGetRegisteredModule(vm, S("hello")) != NULL);
  WasmEdge_Value p[2] = {WasmEdge_ValueGenI32(40), WasmEdge_ValueGenI32(2)}, r[1];
  CHECK(WasmEdge_ResultOK(WasmEdge_VMRunWasmFromFile(vm, "fixtures/hello.wasm", S("sum"), p, 2, r, 1)));
  CHECK(WasmEdge_ValueGetI32(r[0]) == 42);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMExecute(vm, S("greet"), NULL, 0, r, 1)));
  WasmEdge_MemoryInstanceContext *mem = WasmEdge_ModuleInstanceFindMemory(WasmEdge_VMGetActiveModule(vm), S("memory"));
  const char *text = (const char *)WasmEdge_MemoryInstanceGetPointerConst(mem, 0, (uint32_t)WasmEdge_ValueGetI32(r[0]));
  CHECK(text && WasmEdge_ValueGetI32(r[0]) == 13 && memcmp(text, "Hello, world!", 13) == 0);
  WasmEdge_VMDelete(vm);
  printf("ok vm\n");

  /* A module made by hand, registered into a store, with the plugin's module list. */
  WasmEdge_ModuleInstanceContext *hello = WasmEdge_PluginCreateModule(plugin, S("hello"));
  CHECK(hello && WasmEdge_StringIsEqual(WasmEdge_ModuleInstanceGetModuleName(hello), S("hello")));
  CHECK(WasmEdge_ModuleInstanceListFunctionLength(hello) == 2);
  WasmEdge_ExecutorContext *exec = WasmEdge_ExecutorCreate(NULL, NULL);
  WasmEdge_StoreContext *store = WasmEdge_StoreCreate();
  CHECK(WasmEdge_ResultOK(WasmEdge_ExecutorRegisterImport(exec, store, hello)));
  WasmEdge_FunctionInstanceContext *add = WasmEdge_ModuleInstanceFindFunction(hello, S("add"));
  CHECK(add && WasmEdge_ResultOK(WasmEdge_ExecutorInvoke(exec, add, p, 2, r, 1)) && WasmEdge_ValueGetI32(r[0]) == 42);
  WasmEdge_ModuleInstanceDelete(hello);
  WasmEdge_StoreDelete(store);
  WasmEdge_ExecutorDelete(exec);
  WasmEdge_PluginInitWASINN(NULL, 0); /* no wasi_nn loaded: only remembered */

  /* A WasmEdge-native C plugin. */
  WasmEdge_PluginLoadFromPath(argv[2]);
  CHECK(WasmEdge_PluginListPluginsLength() == 2);
  const WasmEdge_PluginContext *cplugin = WasmEdge_PluginFind(S("c_math_plugin"));
  CHECK(cplugin != NULL && WasmEdge_PluginListModule(cplugin, names, 4) == 1);
  CHECK(WasmEdge_StringIsEqual(names[0], S("c_math")));
  vm = WasmEdge_VMCreate(NULL, NULL);
  CHECK(WasmEdge_VMGetRegisteredModule(vm, S("c_math")) != NULL && WasmEdge_VMGetRegisteredModule(vm, S("hello")) != NULL);
  p[0] = WasmEdge_ValueGenI32(12);
  CHECK(WasmEdge_ResultOK(WasmEdge_VMRunWasmFromFile(vm, "fixtures/cmath.wasm", S("square"), p, 1, r, 1)));
  CHECK(WasmEdge_ValueGetI32(r[0]) == 144);
  WasmEdge_VMDelete(vm);
  WasmEdge_ModuleInstanceContext *cm = WasmEdge_PluginCreateModule(cplugin, S("c_math"));
  CHECK(cm && WasmEdge_ModuleInstanceListFunctionLength(cm) == 1);
  WasmEdge_ModuleInstanceDelete(cm);
  printf("ok c plugin\n");
  printf("ok all\n");
  return 0;
}
