# Clang-only checks and instrumentation. Included before the modules so every target gets them;
# a gcc build (the release preset) is unchanged.

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Lock-protected members carry GUARDED_BY etc. (src/common/thread_annotations.h); with
  # EDDY_WERROR a violation fails the build.
  add_compile_options(-Wthread-safety)

  # Debian's Asio looks for clang's coroutines in libc++'s <experimental/coroutine> only; clang 14
  # with libstdc++ has C++20 coroutines in <coroutine>, as gcc does. Set on the two libraries
  # that include Asio (PUBLIC: everything linking them agrees), once they exist.
  # UBSan's `function` check cannot be assembled for clang 14's split coroutines ("Cannot
  # represent a difference across sections"): off where coroutines are (eddy_net and everything
  # linking it: the broker, the server, their tests).
  function(eddy_clang_asio_coroutines)
    foreach(target eddy_net eddy_group)
      if(TARGET ${target})
        target_compile_definitions(${target} PUBLIC ASIO_HAS_CO_AWAIT=1 ASIO_HAS_STD_COROUTINE=1)
      endif()
    endforeach()
    target_compile_options(eddy_net PUBLIC -fno-sanitize=function)
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL eddy_clang_asio_coroutines)
endif()

if(EDDY_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EDDY_BUILD_FUZZ needs clang (libFuzzer): use the asan preset")
  endif()
  # Coverage instrumentation for libFuzzer on the libraries the fuzz targets exercise; only the
  # fuzz executables link the libFuzzer runtime (-fsanitize=fuzzer), so the unit tests of the
  # same build run as usual. Not on eddy_net / eddy_broker: clang 14's coverage tables fail to
  # assemble for coroutines ("Cannot represent a difference across sections"), and no target
  # fuzzes them directly.
  function(eddy_fuzz_instrument_libraries)
    foreach(library common protocol protocol_testing records compression config metadata group
                    storage)
      if(TARGET eddy_${library})
        target_compile_options(eddy_${library} PRIVATE -fsanitize=fuzzer-no-link)
      endif()
    endforeach()
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL eddy_fuzz_instrument_libraries)
endif()
