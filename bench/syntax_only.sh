#!/bin/sh
# The compiler launcher of `bench_check` (bench/CMakeLists.txt): runs the compile command it is
# given with -fsyntax-only (parsed, templates instantiated, no code generated), then touches the
# object file the command names after -o, so the build tool sees the step done until a source
# changes. Exit code: the compiler's.
out=""
prev=""
for arg in "$@"; do
  [ "$prev" = "-o" ] && out=$arg
  prev=$arg
done
"$@" -fsyntax-only || exit $?
[ -n "$out" ] && : > "$out"
