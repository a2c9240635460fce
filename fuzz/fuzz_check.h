// FUZZ_CHECK: the property checks of the fuzz targets. Unlike assert() it stays on in release
// builds (RelWithDebInfo defines NDEBUG), and it aborts so that both libFuzzer and the replay
// driver report the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
