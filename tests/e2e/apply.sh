#!/usr/bin/env bash
# End to end: definitions managed like kubectl manages manifests. `apply -f` takes a folder, a file
# of several documents and standard input; the same definitions again are `unchanged` (no new
# version); `--dry-run` and `diff` store nothing; an error names the file and the document;
# `delete` is refused while another definition uses what it deletes.
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/defs/more"
cat >"$WORK/defs/a-funnel.yaml" <<'YAML'
kind: funnel
id: onboarding
steps: [Signed Up, Email Verified, Order Completed]
YAML
cat >"$WORK/defs/b-segments.yaml" <<'YAML'
kind: segment
id: pro
rule: { trait: { plan: pro } }
---
kind: segment
id: pro-or-vip
rule: { any: [ { segment: pro }, { trait: { vip: true } } ] }
YAML
echo "not a definition" >"$WORK/defs/notes.txt"
printf 'kind: funnel\nid: nested\nsteps: [A, B]\n' >"$WORK/defs/more/nested.yaml"

check "a folder: every document, by file name" "$(sp apply -f "$WORK/defs")" \
"funnel/onboarding created (version 1)
segment/pro created (version 1)
segment/pro-or-vip created (version 1)"
check "the same folder again: nothing changes" "$(sp apply -f "$WORK/defs")" \
"funnel/onboarding unchanged (version 1)
segment/pro unchanged (version 1)
segment/pro-or-vip unchanged (version 1)"
check "-R reads subfolders" "$(sp apply -R -f "$WORK/defs" | tail -1)" "funnel/nested created (version 1)"
check "standard input" "$(printf 'kind: funnel\nid: piped\nsteps: [A, C]\n' | sp apply -f - --json | json action)" "created"

# A dry run and a diff of a changed file store nothing.
sed 's/Order Completed/Paid/' "$WORK/defs/a-funnel.yaml" >"$WORK/changed.yaml"
check "dry run" "$(sp apply --dry-run -f "$WORK/changed.yaml")" "funnel/onboarding configured (version 2) (dry run)"
check "the dry run stored nothing" "$(sp apply --dry-run -f "$WORK/defs/a-funnel.yaml" --json | json version)" "1"
set +e
diff_out=$(sp diff -f "$WORK/changed.yaml"); diff_rc=$?
same_out=$(sp diff -f "$WORK/defs"); same_rc=$?
set -e
check "diff exits 1 when something would change" "$diff_rc" "1"
check_contains "diff shows the line removed" "$diff_out" "-steps: [Signed Up, Email Verified, Order Completed]"
check_contains "diff shows the line added" "$diff_out" "+steps: [Signed Up, Email Verified, Paid]"
check_contains "diff names the stored version" "$diff_out" "--- funnel/onboarding (version 1)"
check "diff exits 0 when nothing would change" "$same_rc:$same_out" "0:"

# An error names the file and the document; nothing of the apply is stored.
printf 'kind: funnel\nid: ok-one\nsteps: [A, B]\n---\nkind: funnel\nid: bad\nsteps: []\n' >"$WORK/bad.yaml"
check_contains "the error names the file and the document" \
  "$(sp apply -f "$WORK/defs/a-funnel.yaml" -f "$WORK/bad.yaml" 2>&1 || true)" "$WORK/bad.yaml (document 2): "
check_contains "all or nothing" "$(sp apply --dry-run -f "$WORK/bad.yaml" 2>&1 || true)" "(document 2)"

# delete: refused while used, then in order.
check_contains "a segment another one uses is kept" "$(sp delete segment pro 2>&1 || true)" "segment/pro-or-vip"
check "dry run of a delete" "$(sp delete segment pro-or-vip --dry-run)" "segment/pro-or-vip deleted (1 versions) (dry run)"
check "delete by file" "$(printf 'kind: segment\nid: pro-or-vip\n' | sp delete -f - --json | json deleted)" "true"
check "then the other" "$(sp delete segment pro --json | json deleted)" "true"
check_contains "a journey is never deleted" "$(sp delete journey x 2>&1 || true)" "cannot be deleted"
check "the segments are gone" "$(sp apply --dry-run -f "$WORK/defs/b-segments.yaml" --json | json applied.0.action)" "created"
finish
