#!/usr/bin/env bash
# clang-format (the repo's .clang-format; clang-format 14 from Debian 12, which CI installs) over
# every C/C++ file git tracks in src/ include/ fuzz/ bench/ tests/.
#   scripts/format.sh          rewrites them in place                         (`make format`)
#   scripts/format.sh --check  changes nothing; lists the files that differ,  (`make format-check`)
#                              says how to fix them and exits 1
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- 'src/*' 'include/*' 'fuzz/*' 'bench/*' 'tests/*' |
                     grep -E '\.(h|hpp|c|cc|cpp)$')
version=$(clang-format --version)
[[ "$version" == *"version 14."* ]] ||
  echo "format: warning: the pinned formatter is clang-format 14 (Debian 12); this is: $version" >&2

if [ "${1:-}" != --check ]; then
  clang-format -i "${files[@]}"
  echo "format: ${#files[@]} files formatted"
  exit 0
fi
# One clang-format run; its report names each file that differs (at every line that differs).
status=0
report=$(clang-format --dry-run -Werror "${files[@]}" 2>&1) || status=$?
mapfile -t differ < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' \
                      <<<"$report" | sort -u)
if [ "$status" -ne 0 ] && [ ${#differ[@]} -eq 0 ]; then  # failed for another reason: show it
  echo "$report" >&2
  exit 2
fi
if [ "$status" -eq 0 ]; then
  echo "format-check: all ${#files[@]} C/C++ files are clang-formatted"
  exit 0
fi
echo "format-check: ${#differ[@]} of ${#files[@]} C/C++ files are not clang-formatted:"
printf '  %s\n' "${differ[@]}"
echo "fix: make format   (clang-format -i with the repo's .clang-format), then commit the result"
exit 1
