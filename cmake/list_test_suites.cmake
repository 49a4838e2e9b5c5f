# Run by signpost_test_suites (TestSuites.cmake) after a test binary is built: lists its GoogleTest
# tests and writes OUTPUT, a ctest file with one add_test per suite, or per slice of at most
# SLICE tests for a larger suite (the journey scenario suites run 61 files each: whole, one of
# them could be the last test left running, as a fresh build has no timings to order tests by).
# In: EXECUTABLE, OUTPUT, PREFIX (test name prefix), LABEL, ENVIRONMENT (a list of var=value).
set(SLICE 16)
execute_process(
  COMMAND "${EXECUTABLE}" --gtest_list_tests
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE errors
  RESULT_VARIABLE result
  TIMEOUT 60)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${EXECUTABLE} --gtest_list_tests failed (${result}): ${errors}")
endif()

set(text "")
# add_slice(name filter): one ctest test running the binary with that --gtest_filter.
macro(add_slice name filter)
  string(APPEND text
         "add_test([==[${PREFIX}${name}]==] [==[${EXECUTABLE}]==] [==[--gtest_filter=${filter}]==])\n"
         "set_tests_properties([==[${PREFIX}${name}]==] PROPERTIES LABELS [==[${LABEL}]==]")
  if(ENVIRONMENT)
    string(APPEND text " ENVIRONMENT [==[${ENVIRONMENT}]==]")
  endif()
  string(APPEND text ")\n")
endmacro()
# flush_suite(): the tests of `suite` read so far (`names`), as one test or in slices.
macro(flush_suite)
  list(LENGTH names count)
  if(count GREATER SLICE)
    set(slice "")
    set(in_slice 0)
    set(slice_number 1)
    foreach(name IN LISTS names)
      list(APPEND slice "${suite}.${name}")
      math(EXPR in_slice "${in_slice} + 1")
      if(in_slice EQUAL SLICE)
        string(REPLACE ";" ":" filter "${slice}")
        add_slice("${suite}#${slice_number}" "${filter}")
        math(EXPR slice_number "${slice_number} + 1")
        set(slice "")
        set(in_slice 0)
      endif()
    endforeach()
    if(slice)
      string(REPLACE ";" ":" filter "${slice}")
      add_slice("${suite}#${slice_number}" "${filter}")
    endif()
  elseif(count GREATER 0)
    add_slice("${suite}" "${suite}.*")
  endif()
endmacro()

# The listing: a suite line starts in column 0 and ends with '.' (maybe followed by
# "  # TypeParam = ..."); its tests follow, indented two spaces (maybe "  # GetParam() = ...").
# Parameter and test names are identifiers, so they hold no ';', ':', '-' or '*'.
string(REPLACE ";" "," listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(suite "")
set(names "")
foreach(line IN LISTS lines)
  if(line MATCHES "^([^ #][^ ]*)\\.( .*)?$")
    flush_suite()
    set(suite "${CMAKE_MATCH_1}")
    set(names "")
  elseif(suite AND line MATCHES "^  ([^ ]+)")
    set(test "${CMAKE_MATCH_1}")
    if(NOT test MATCHES "^DISABLED_")
      list(APPEND names "${test}")
    endif()
  endif()
endforeach()
flush_suite()
file(WRITE "${OUTPUT}.tmp" "${text}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
