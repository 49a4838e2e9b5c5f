#!/usr/bin/env bash
# The journeys kill -9 test with the runtime in 4 partitions and an identity merge in the middle of
# every person's journey (tests/crash/journeys_kill9.sh with JCRASH_PARTITIONS=4 JCRASH_MERGES=1):
# the server is killed while the partitions stand at different cursors (each makes its rounds
# durable on its own) and while merges are being handed over from one partition to another. The
# same checks: every acknowledged person entered once, one Message Sent per step under distinct
# keys, nothing sent twice under another key, one exit per entry, at most one Goal Attained.
#   tests/crash/journeys_partitions_kill9.sh BUILD_DIR   (about JCRASH_SECONDS + 40 s; default 15)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JCRASH_PARTITIONS=${JCRASH_PARTITIONS:-4} JCRASH_MERGES=1 JCRASH_SECONDS=${JCRASH_SECONDS:-15} \
  JCRASH_PROFILES=${JCRASH_PROFILES:-16} exec bash "$here/journeys_kill9.sh" "$@"
