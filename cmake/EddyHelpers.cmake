# eddy_add_library(<name> SOURCES ... [DEPS ...])
#   A module library eddy_<name>, with the repository's src/ as include root.
function(eddy_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(eddy_${name} STATIC ${ARG_SOURCES})
  target_include_directories(eddy_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(eddy_${name} PUBLIC ${ARG_DEPS})
endfunction()

# eddy_add_test(<name> SOURCES ... [DEPS ...])
#   A GoogleTest executable whose tests are registered with CTest one by one.
function(eddy_add_test name)
  if(NOT EDDY_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  # Test names carry the executable name, so `ctest -R <module>` selects a module.
  gtest_discover_tests(${name} TEST_PREFIX "${name}." DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
