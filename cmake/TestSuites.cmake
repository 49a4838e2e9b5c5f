# signpost_test_suites(target LABEL label [ENVIRONMENT var=value...]): one ctest test per GoogleTest
# suite of the test binary (`ctest` runs `target --gtest_filter=Suite.*`), found after each build by
# listing the binary's tests (cmake/list_test_suites.cmake). One process per suite, not per test:
# `make test` starts about 230 processes instead of about 950, each loading a large binary and its
# shared libraries (measured: ctest used 133 CPU-s one per test, the same binaries run whole 88).
# One test alone: `build/src/<module>/<module>_test --gtest_filter=Suite.Name`.
function(signpost_test_suites target)
  cmake_parse_arguments(ARG "" "LABEL" "ENVIRONMENT" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  add_custom_command(
    TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D "EXECUTABLE=$<TARGET_FILE:${target}>" -D "OUTPUT=${out}"
            -D "PREFIX=${target}." -D "LABEL=${ARG_LABEL}" -D "ENVIRONMENT=${ARG_ENVIRONMENT}"
            -P "${PROJECT_SOURCE_DIR}/cmake/list_test_suites.cmake"
    BYPRODUCTS "${out}"
    VERBATIM)
  # The list is written again when the binary is relinked, and so when the script changes.
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
                                               "${PROJECT_SOURCE_DIR}/cmake/list_test_suites.cmake")
  # Read by ctest when it starts. A binary not built yet has no list: its one test, unlabelled (so
  # `ctest -L` leaves it out), fails and says so.
  set(include "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  file(WRITE "${include}"
       "if(EXISTS [==[${out}]==])\n"
       "  include([==[${out}]==])\n"
       "else()\n"
       "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\n"
       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include}")
endfunction()
