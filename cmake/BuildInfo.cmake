# Writes the build info source (src/base/build_info.cc.in -> OUT) with the git commit of SOURCE_DIR.
# Run at every build by the `signpost_build_info_source` target (CMakeLists.txt) in script mode:
#   cmake -DSOURCE_DIR=... -DTEMPLATE=... -DOUT=... -DSIGNPOST_VERSION=... -DSIGNPOST_BUILD_TYPE=...
#         -DSIGNPOST_COMPILER=... -P cmake/BuildInfo.cmake
# configure_file rewrites OUT only when its text changes, and the target declares OUT as a
# byproduct (Ninja's restat), so an unchanged commit rebuilds nothing and a new one recompiles this
# one file. Outside a git checkout (a source tarball), or without git, the commit is "unknown".
set(SIGNPOST_COMMIT "unknown")
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  # Only the source tree's own repository: a tarball unpacked inside another checkout is "unknown".
  execute_process(
    COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --show-toplevel
    OUTPUT_VARIABLE toplevel
    RESULT_VARIABLE failed
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT failed)
    file(REAL_PATH "${toplevel}" toplevel)
    file(REAL_PATH "${SOURCE_DIR}" source)
  endif()
  if(NOT failed AND toplevel STREQUAL source)
    execute_process(
      COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
      OUTPUT_VARIABLE commit
      RESULT_VARIABLE failed
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  else()
    set(failed 1)
  endif()
  if(NOT failed AND commit)
    set(SIGNPOST_COMMIT ${commit})
    # Tracked files changed since that commit: the binary is not exactly the commit.
    execute_process(
      COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} status --porcelain --untracked-files=no
      OUTPUT_VARIABLE changes
      RESULT_VARIABLE failed
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(NOT failed AND changes)
      string(APPEND SIGNPOST_COMMIT "-dirty")
    endif()
  endif()
endif()
if(NOT SIGNPOST_BUILD_TYPE)
  set(SIGNPOST_BUILD_TYPE "unspecified")
endif()
configure_file(${TEMPLATE} ${OUT} @ONLY)
