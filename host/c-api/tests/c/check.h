/* A tiny check macro for the C API tests: print the failed condition and exit 1. */
#ifndef CHECK_H
#define CHECK_H
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);                         \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

#endif
