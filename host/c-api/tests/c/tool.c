/* A thin `wasmedge` executable: everything comes from libwasmedge.so (as WasmEdge's own `wasmedge` is
 * built). Argument 1 picks the driver: uni, tool or compiler; the rest is the command line. */
#include <string.h>
#include <wasmedge/wasmedge.h>

int main(int argc, const char *argv[]) {
  if (argc < 2) {
    return 100;
  }
  const char *which = argv[1];
  argv[1] = argv[0];
  if (strcmp(which, "uni") == 0) {
    return WasmEdge_Driver_UniTool(argc - 1, argv + 1);
  }
  if (strcmp(which, "tool") == 0) {
    return WasmEdge_Driver_Tool(argc - 1, argv + 1);
  }
  return WasmEdge_Driver_Compiler(argc - 1, argv + 1);
}
