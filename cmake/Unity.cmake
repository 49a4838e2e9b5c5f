# Unity builds: each library and test binary is compiled as a few large files (batches of
# SIGNPOST_UNITY_BATCH sources, CMAKE_UNITY_BUILD), so the heavy headers (nlohmann/json, gtest,
# yaml-cpp, spdlog, RocksDB) are parsed, and their inline functions compiled, once per batch
# instead of once per source. On 2 cores this roughly halves a fresh build (tests/README.md).
#
# The files of a batch share one translation unit, so the names a file keeps to itself (in an
# anonymous namespace, or `static`) must be unique within its target. A clash of types, constants
# or same-signature functions is a compile error; two functions of the same name with different
# parameters would silently become one overload set, so signpost_unity_check() fails the build
# when two files of a target define the same private name, naming both (cmake/unity_names.py).
# A file that cannot share a batch: set_source_files_properties(f.cc PROPERTIES
# SKIP_UNITY_BUILD_INCLUSION ON).
option(SIGNPOST_UNITY "Compile each target as unity batches (faster full builds)" ON)
set(SIGNPOST_UNITY_BATCH 8 CACHE STRING "Sources per unity batch")
if(SIGNPOST_UNITY)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE ${SIGNPOST_UNITY_BATCH})
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
endif()

# signpost_unity_check(target source...): in a unity build, `target` is built only after
# cmake/unity_names.py found no private name defined by two of `sources` (re-run when one changes).
function(signpost_unity_check target)
  if(NOT SIGNPOST_UNITY)
    return()
  endif()
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.unity_names)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/cmake/unity_names.py ${ARGN}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/unity_names.py ${ARGN}
    COMMENT "Checking ${target}'s private names for unity-build clashes" VERBATIM)
  add_custom_target(${target}_unity_names DEPENDS ${stamp})
  add_dependencies(${target} ${target}_unity_names)
endfunction()
