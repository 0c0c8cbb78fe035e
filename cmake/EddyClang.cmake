# Clang-only checks and instrumentation. Included before the modules so every target gets them;
# a gcc build (the release preset) is unchanged.

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Lock-protected members carry GUARDED_BY etc. (src/common/thread_annotations.h); with
  # EDDY_WERROR a violation fails the build.
  add_compile_options(-Wthread-safety)
endif()

if(EDDY_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EDDY_BUILD_FUZZ needs clang (libFuzzer): use the asan preset")
  endif()
  # Coverage instrumentation for libFuzzer on every library; only the fuzz executables link the
  # libFuzzer runtime (-fsanitize=fuzzer), so the unit tests of the same build run as usual.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
